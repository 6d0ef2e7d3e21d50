//! The plugin's one error type.
//!
//! Every error crosses the boundary as a JS `Error` with a stable machine `code`, an HTTP
//! `status`, a `message` that tells the person what to do next, and `details` where they help.
//! Messages are written for the app's end user or developer: they never carry a secret, and
//! Twilio's raw text is replaced by our own wording for the codes people meet most.

use serde_json::{json, Map, Value};

/// One problem found in a configuration: the field and a reason a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigProblem {
    pub field: String,
    pub reason: String,
}

/// Every way an operation of the plugin can fail.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    #[error("The plugin configuration is not valid: {}", summarize(.0))]
    ConfigInvalid(Vec<ConfigProblem>),

    #[error("`{field}` must be {expected}.")]
    InvalidInput { field: String, expected: String },

    #[error("`{field}` is not a phone number we can use. Write it in international form with the country code, for example +14155552671 or 0044 20 7946 0958.")]
    InvalidPhoneNumber { field: String },

    #[error(
        "A phone number is required: call register first with only `{field}` to receive a code."
    )]
    PhoneNumberRequired { field: String },

    #[error("Login with a phone number is not enabled for this app. Log in with your password.")]
    PhoneLoginDisabled,

    #[error("Two-factor authentication is required for this account, but it has no phone number to send a code to. Contact the app's support.")]
    TwoFactorUnavailable,

    #[error("Sign in first: sending messages is for signed-in users of this app.")]
    NotAuthenticated,

    #[error("No message with this SID was sent through this app.")]
    MessageNotFound,

    #[error("The request is not signed by Twilio: the X-Twilio-Signature header is missing or does not match.")]
    SignatureInvalid,

    #[error("This phone number already belongs to an account. Log in instead, or register with another number.")]
    PhoneNumberInUse,

    #[error("The phone number must be confirmed first: call register with only `{field}` to receive a code, then call again with `transactionId` and `transactionCode`.")]
    VerificationRequired { field: String },

    #[error("The code is not correct for this phone number, or this verification has ended. Check the code, or request a new one.")]
    CodeMismatch { attempts_left: Option<u32> },

    #[error("This code has expired. Request a new code.")]
    VerificationExpired,

    #[error("Too many wrong codes were entered for this verification. Request a new code.")]
    TooManyAttempts,

    #[error("Too many codes were requested for this phone number. Try again in {retry_after_seconds} seconds.")]
    RateLimited { retry_after_seconds: u32 },

    #[error("{message}")]
    TwilioRejected {
        twilio_code: Option<i64>,
        more_info: Option<String>,
        /// The status for the app's client: 4xx when the recipient number is the problem, 502
        /// when the app's own Twilio set-up is.
        status: u16,
        message: String,
    },

    #[error("Twilio could not be reached, or did not answer in time ({reason}). Nothing was sent; try again in a moment.")]
    TwilioUnavailable {
        reason: String,
        twilio_code: Option<i64>,
        retry_after_seconds: Option<u32>,
    },

    #[error("The plugin's storage is not available ({0}). Try again in a moment.")]
    StorageUnavailable(String),

    #[error("The host failed while {0}. Try again in a moment.")]
    HostFailure(String),
}

fn summarize(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

impl PluginError {
    /// The stable machine code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ConfigInvalid(_) => "CONFIG_INVALID",
            Self::InvalidInput { .. } => "INVALID_INPUT",
            Self::InvalidPhoneNumber { .. } => "INVALID_PHONE_NUMBER",
            Self::PhoneNumberRequired { .. } => "PHONE_NUMBER_REQUIRED",
            Self::PhoneNumberInUse => "PHONE_NUMBER_IN_USE",
            Self::PhoneLoginDisabled => "PHONE_LOGIN_DISABLED",
            Self::TwoFactorUnavailable => "TWO_FACTOR_UNAVAILABLE",
            Self::NotAuthenticated => "NOT_AUTHENTICATED",
            Self::MessageNotFound => "MESSAGE_NOT_FOUND",
            Self::SignatureInvalid => "SIGNATURE_INVALID",
            Self::VerificationRequired { .. } => "VERIFICATION_REQUIRED",
            Self::CodeMismatch { .. } => "CODE_MISMATCH",
            Self::VerificationExpired => "VERIFICATION_EXPIRED",
            Self::TooManyAttempts => "TOO_MANY_ATTEMPTS",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::TwilioRejected { .. } => "TWILIO_REJECTED",
            Self::TwilioUnavailable { .. } => "TWILIO_UNAVAILABLE",
            Self::StorageUnavailable(_) => "STORAGE_UNAVAILABLE",
            Self::HostFailure(_) => "HOST_FAILURE",
        }
    }

    /// The HTTP status a host should answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::ConfigInvalid(_) => 500,
            Self::InvalidInput { .. }
            | Self::InvalidPhoneNumber { .. }
            | Self::PhoneNumberRequired { .. }
            | Self::VerificationRequired { .. }
            | Self::CodeMismatch { .. } => 400,
            Self::PhoneNumberInUse => 409,
            Self::PhoneLoginDisabled => 400,
            Self::NotAuthenticated => 401,
            Self::TwoFactorUnavailable | Self::SignatureInvalid => 403,
            Self::MessageNotFound => 404,
            Self::VerificationExpired => 410,
            Self::TooManyAttempts | Self::RateLimited { .. } => 429,
            Self::TwilioRejected { status, .. } => *status,
            Self::TwilioUnavailable { .. } => 503,
            Self::StorageUnavailable(_) | Self::HostFailure(_) => 503,
        }
    }

    /// Machine-readable extras: attempts left, when to retry, Twilio's own code.
    pub fn details(&self) -> Value {
        let mut d = Map::new();
        match self {
            Self::ConfigInvalid(problems) => {
                d.insert("problems".into(), json!(problems));
            }
            Self::InvalidInput { field, .. }
            | Self::InvalidPhoneNumber { field }
            | Self::PhoneNumberRequired { field }
            | Self::VerificationRequired { field } => {
                d.insert("field".into(), json!(field));
            }
            Self::CodeMismatch {
                attempts_left: Some(n),
            } => {
                d.insert("attemptsLeft".into(), json!(n));
            }
            Self::TooManyAttempts => {
                d.insert("attemptsLeft".into(), json!(0));
            }
            Self::RateLimited {
                retry_after_seconds,
            } => {
                d.insert("retryAfterSeconds".into(), json!(retry_after_seconds));
            }
            Self::TwilioRejected {
                twilio_code,
                more_info,
                ..
            } => {
                d.insert("twilioCode".into(), json!(twilio_code));
                d.insert("moreInfo".into(), json!(more_info));
            }
            Self::TwilioUnavailable {
                twilio_code,
                retry_after_seconds,
                ..
            } => {
                if let Some(code) = twilio_code {
                    d.insert("twilioCode".into(), json!(code));
                }
                if let Some(s) = retry_after_seconds {
                    d.insert("retryAfterSeconds".into(), json!(s));
                }
            }
            _ => {}
        }
        Value::Object(d)
    }
}

pub type Result<T> = std::result::Result<T, PluginError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_error_lists_every_problem_in_message_and_details() {
        let err = PluginError::ConfigInvalid(vec![
            ConfigProblem {
                field: "accountSid".into(),
                reason: "is required".into(),
            },
            ConfigProblem {
                field: "codeLength".into(),
                reason: "must be 4 to 10".into(),
            },
        ]);
        assert!(err.to_string().contains("accountSid: is required"));
        assert!(err.to_string().contains("codeLength: must be 4 to 10"));
        assert_eq!(err.details()["problems"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn code_mismatch_reports_attempts_left() {
        let err = PluginError::CodeMismatch {
            attempts_left: Some(3),
        };
        assert_eq!(err.code(), "CODE_MISMATCH");
        assert_eq!(err.details()["attemptsLeft"], 3);
    }
}
