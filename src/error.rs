//! The plugin's one error type.
//!
//! Every error crosses the boundary as a JS `Error` with a stable machine `code`, an HTTP
//! `status`, a `message` that tells the person what to do next, and `details` where they help.
//! Messages are written for the app's end user or developer: they never carry a secret, and
//! Twilio's raw text is replaced by our own wording for the codes people meet most.

use serde_json::{Map, Value};

/// One problem found in a configuration: the field and a reason a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
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

    #[error("This phone number already belongs to an account: log in with it instead (the code proved the number is yours), or register with another number.")]
    PhoneNumberInUse { field: String },

    #[error("This account uses two-factor authentication, so a code alone cannot sign it in. Log in with your password; a code is then texted to you.")]
    TwoFactorRequired,

    #[error("The phone number must be confirmed first: call register with only `{field}` to receive a code, then call again with `transactionId` and `transactionCode`.")]
    VerificationRequired { field: String },

    #[error("The code is not correct for this phone number, or this verification has ended. Check the code, or request a new one.")]
    CodeMismatch { attempts_left: Option<u32> },

    #[error("This code has expired. Request a new code.")]
    VerificationExpired,

    #[error("Too many wrong codes were entered for this verification. Request a new code.")]
    TooManyAttempts,

    #[error("This code is completing a registration in another request. If that one does not succeed, try again in {}.", wait_text(*.retry_after_seconds))]
    RegistrationInProgress { retry_after_seconds: u32 },

    #[error("{} Try again in {}.", limit.reason(), wait_text(*.retry_after_seconds))]
    RateLimited {
        retry_after_seconds: u32,
        limit: Limit,
    },

    #[error("This app has sent as many text messages as its budget allows for the {}. Try again in {}.", if *.limit == Limit::AppDay { "day" } else { "hour" }, wait_text(*.retry_after_seconds))]
    SmsBudgetExceeded {
        retry_after_seconds: u32,
        limit: Limit,
    },

    #[error("This app does not send text messages to {country} numbers. Use a number of another country.")]
    CountryNotAllowed { country: String },

    #[error("{message}")]
    TwilioRejected {
        twilio_code: Option<i64>,
        more_info: Option<String>,
        /// The status for the app's client: 4xx when the recipient number is the problem, 502
        /// when the app's own Twilio set-up is.
        status: u16,
        message: String,
    },

    #[error("{}", unavailable_text(*.uncertain, .reason))]
    TwilioUnavailable {
        reason: String,
        twilio_code: Option<i64>,
        retry_after_seconds: Option<u32>,
        /// The request may have reached Twilio (a timeout, a cut connection): the message may
        /// still be delivered.
        uncertain: bool,
    },

    #[error("The plugin's storage is not available ({0}). Try again in a moment.")]
    StorageUnavailable(String),

    #[error("The host failed while {0}. Try again in a moment.")]
    HostFailure(String),
}

/// Which limit of the send policy refused; its label is `details.limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    NumberCooldown,
    NumberHour,
    NumberDay,
    Address,
    Range,
    AppHour,
    AppDay,
    UserMessagesHour,
    UserMessagesDay,
    UserSegmentsHour,
    UserSegmentsDay,
    CountryPaused,
}

impl Limit {
    pub fn label(self) -> &'static str {
        match self {
            Self::NumberCooldown => "number-cooldown",
            Self::NumberHour => "number-hour",
            Self::NumberDay => "number-day",
            Self::Address => "address-hour",
            Self::Range => "range-hour",
            Self::AppHour => "app-hour",
            Self::AppDay => "app-day",
            Self::UserMessagesHour => "user-messages-hour",
            Self::UserMessagesDay => "user-messages-day",
            Self::UserSegmentsHour => "user-segments-hour",
            Self::UserSegmentsDay => "user-segments-day",
            Self::CountryPaused => "country-paused",
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Self::NumberCooldown => "A code was just sent to this number: wait for it before asking for another.",
            Self::NumberHour | Self::NumberDay => "Too many codes were sent to this phone number or account.",
            Self::Address => "Too many codes were requested from your network.",
            Self::Range => "Too many codes were requested for numbers like this one.",
            Self::AppHour | Self::AppDay => "This app has sent as many text messages as it allows for now.",
            Self::UserMessagesHour | Self::UserMessagesDay | Self::UserSegmentsHour | Self::UserSegmentsDay => "You have sent as many messages as this app allows for now.",
            Self::CountryPaused => "Codes to this country are paused for a while: too few of the codes sent there recently were used.",
        }
    }
}

/// "45 seconds", "12 minutes", "3 hours": rounded up, so the client never retries too early.
fn wait_text(seconds: u32) -> String {
    let (n, unit) = match seconds {
        0..=90 => (seconds.max(1), "second"),
        91..=5400 => (seconds.div_ceil(60), "minute"),
        _ => (seconds.div_ceil(3600), "hour"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

fn unavailable_text(uncertain: bool, reason: &str) -> String {
    if uncertain {
        format!("Twilio did not confirm the message ({reason}): it may still be delivered. Check before sending it again.")
    } else {
        format!("Twilio is not available right now ({reason}). Try again in a moment.")
    }
}

fn summarize(problems: &[ConfigProblem]) -> String {
    let mut out = String::new();
    for p in problems {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out += &format!("{}: {}", p.field, p.reason);
    }
    out
}

impl PluginError {
    /// The stable machine code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ConfigInvalid(_) => "CONFIG_INVALID",
            Self::InvalidInput { .. } => "INVALID_INPUT",
            Self::InvalidPhoneNumber { .. } => "INVALID_PHONE_NUMBER",
            Self::PhoneNumberRequired { .. } => "PHONE_NUMBER_REQUIRED",
            Self::PhoneNumberInUse { .. } => "PHONE_NUMBER_IN_USE",
            Self::TwoFactorRequired => "TWO_FACTOR_REQUIRED",
            Self::SmsBudgetExceeded { .. } => "SMS_BUDGET_EXCEEDED",
            Self::CountryNotAllowed { .. } => "COUNTRY_NOT_ALLOWED",
            Self::PhoneLoginDisabled => "PHONE_LOGIN_DISABLED",
            Self::TwoFactorUnavailable => "TWO_FACTOR_UNAVAILABLE",
            Self::NotAuthenticated => "NOT_AUTHENTICATED",
            Self::MessageNotFound => "MESSAGE_NOT_FOUND",
            Self::SignatureInvalid => "SIGNATURE_INVALID",
            Self::VerificationRequired { .. } => "VERIFICATION_REQUIRED",
            Self::CodeMismatch { .. } => "CODE_MISMATCH",
            Self::VerificationExpired => "VERIFICATION_EXPIRED",
            Self::TooManyAttempts => "TOO_MANY_ATTEMPTS",
            Self::RegistrationInProgress { .. } => "REGISTRATION_IN_PROGRESS",
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
            Self::PhoneNumberInUse { .. } | Self::RegistrationInProgress { .. } => 409,
            Self::PhoneLoginDisabled => 400,
            Self::NotAuthenticated => 401,
            Self::TwoFactorUnavailable
            | Self::TwoFactorRequired
            | Self::SignatureInvalid
            | Self::CountryNotAllowed { .. } => 403,
            Self::MessageNotFound => 404,
            Self::VerificationExpired => 410,
            Self::TooManyAttempts | Self::RateLimited { .. } | Self::SmsBudgetExceeded { .. } => {
                429
            }
            Self::TwilioRejected { status, .. } => *status,
            Self::TwilioUnavailable { .. } => 503,
            Self::StorageUnavailable(_) | Self::HostFailure(_) => 503,
        }
    }

    /// Twilio's error code, when Twilio answered with one.
    pub fn twilio_code(&self) -> Option<i64> {
        match self {
            Self::TwilioRejected { twilio_code, .. }
            | Self::TwilioUnavailable { twilio_code, .. } => *twilio_code,
            _ => None,
        }
    }

    /// Machine-readable extras: attempts left, when to retry, Twilio's own code.
    pub fn details(&self) -> Value {
        let mut d = Map::new();
        match self {
            Self::ConfigInvalid(problems) => {
                let list = problems
                    .iter()
                    .map(
                        |p| crate::object! {"field": p.field.as_str(), "reason": p.reason.as_str()},
                    )
                    .collect();
                d.insert("problems".into(), Value::Array(list));
            }
            Self::InvalidInput { field, .. }
            | Self::InvalidPhoneNumber { field }
            | Self::PhoneNumberRequired { field }
            | Self::PhoneNumberInUse { field }
            | Self::VerificationRequired { field } => {
                d.insert("field".into(), field.as_str().into());
            }
            Self::CountryNotAllowed { country } => {
                d.insert("country".into(), country.as_str().into());
            }
            Self::CodeMismatch {
                attempts_left: Some(n),
            } => {
                d.insert("attemptsLeft".into(), (*n).into());
            }
            Self::TooManyAttempts => {
                d.insert("attemptsLeft".into(), 0.into());
            }
            Self::RegistrationInProgress {
                retry_after_seconds,
            } => {
                d.insert("retryAfterSeconds".into(), (*retry_after_seconds).into());
            }
            Self::RateLimited {
                retry_after_seconds,
                limit,
            }
            | Self::SmsBudgetExceeded {
                retry_after_seconds,
                limit,
            } => {
                d.insert("retryAfterSeconds".into(), (*retry_after_seconds).into());
                d.insert("limit".into(), limit.label().into());
            }
            Self::TwilioRejected {
                twilio_code,
                more_info,
                ..
            } => {
                d.insert("twilioCode".into(), (*twilio_code).into());
                d.insert("moreInfo".into(), more_info.clone().into());
            }
            Self::TwilioUnavailable {
                twilio_code,
                retry_after_seconds,
                uncertain,
                ..
            } => {
                if *uncertain {
                    d.insert("deliveryUncertain".into(), true.into());
                }
                if let Some(code) = twilio_code {
                    d.insert("twilioCode".into(), (*code).into());
                }
                if let Some(s) = retry_after_seconds {
                    d.insert("retryAfterSeconds".into(), (*s).into());
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
