//! WIT records to the flows' inputs, and the flows' answers to WIT records. JSON text
//! (`json-object`) is read with the same bounds as every other input the plugin parses.

use serde_json::{Map, Value};

use super::bindings::twilio_baas::plugin::types as wit;
use crate::api::{
    CallbackReceipt, CallbackRequest, CheckName, CheckStatus, CheckVerification,
    CheckedVerification, ConfigurationCheck, ConfigurationReport, MessageSent, MessageStatus,
    SendRequest, StartVerification, StartedVerification,
};
use crate::config::Config;
use crate::error::PluginError;
use crate::hook::{HookContext, HookOutcome, HostResult};
use crate::json_text;

/// Copies each `option` setting that is given into the settings object `Config` reads, under
/// its JS name (the manifest's config item name, which problems report).
macro_rules! settings {
    ($config:ident, $map:ident; $($field:ident => $name:literal),* $(,)?) => {
        $(if let Some(value) = $config.$field {
            $map.insert($name.into(), Value::from(value));
        })*
    };
}

pub fn config(config: wit::Config) -> Result<Config, PluginError> {
    let mut map = Map::new();
    map.insert("accountSid".into(), config.account_sid.into());
    map.insert("authToken".into(), config.auth_token.into());
    settings!(config, map;
        code_hashing_key => "codeHashingKey",
        api_key_sid => "apiKeySid",
        api_key_secret => "apiKeySecret",
        sender_phone_number => "senderPhoneNumber",
        messaging_service_sid => "messagingServiceSid",
        app_name => "appName",
        message_template => "messageTemplate",
        message_templates => "messageTemplates",
        web_otp_domain => "webOtpDomain",
        android_app_hash => "androidAppHash",
        code_backend => "codeBackend",
        verify_service_sid => "verifyServiceSid",
        channels => "channels",
        channel_fallback => "channelFallback",
        whatsapp_sender => "whatsappSender",
        whatsapp_content_sid => "whatsappContentSid",
        code_length => "codeLength",
        code_ttl_seconds => "codeTtlSeconds",
        max_attempts => "maxAttempts",
        phone_number_field => "phoneNumberField",
        identity_field => "identityField",
        phone_confirmed_field => "phoneConfirmedField",
        phone_required => "phoneRequired",
        twilio_api_base_url => "twilioApiBaseUrl",
        twilio_timeout_ms => "twilioTimeoutMs",
        phone_login => "phoneLogin",
        two_factor => "twoFactor",
        two_factor_field => "twoFactorField",
        status_callback_url => "statusCallbackUrl",
        messaging_access => "messagingAccess",
        resend_cooldown_seconds => "resendCooldownSeconds",
        max_sms_per_number_per_hour => "maxSmsPerNumberPerHour",
        max_sms_per_number_per_day => "maxSmsPerNumberPerDay",
        max_codes_per_address_per_hour => "maxCodesPerAddressPerHour",
        max_codes_per_range_per_hour => "maxCodesPerRangePerHour",
        max_codes_per_hour => "maxCodesPerHour",
        max_codes_per_day => "maxCodesPerDay",
        max_messages_per_user_per_hour => "maxMessagesPerUserPerHour",
        max_messages_per_user_per_day => "maxMessagesPerUserPerDay",
        max_segments_per_user_per_hour => "maxSegmentsPerUserPerHour",
        max_segments_per_user_per_day => "maxSegmentsPerUserPerDay",
        max_segments_per_message => "maxSegmentsPerMessage",
        allowed_countries => "allowedCountries",
        blocked_countries => "blockedCountries",
        breaker_min_codes => "breakerMinCodes",
        breaker_min_verified_percent => "breakerMinVerifiedPercent",
        breaker_pause_minutes => "breakerPauseMinutes",
        test_phone_numbers => "testPhoneNumbers",
    );
    Config::from_json(&Value::Object(map))
}

/// A `json-object` argument, or an error naming it.
pub fn object(text: &str, name: &str) -> Result<Map<String, Value>, PluginError> {
    match json_text::argument(text, name)? {
        Value::Object(map) => Ok(map),
        _ => Err(PluginError::InvalidInput {
            field: name.into(),
            expected: "the JSON text of an object".into(),
        }),
    }
}

/// At most 256 characters of each, as the wasm-bindgen build reads them.
pub fn context(ctx: wit::HookContext) -> HookContext {
    let short = |text: Option<String>| text.map(|t| t.chars().take(256).collect());
    HookContext {
        request_id: short(ctx.request_id),
        client_ip: short(ctx.client_ip),
        app_name: short(ctx.app_name),
        user_id: short(ctx.user_id),
        locale: short(ctx.locale),
    }
}

/// A user that is not an object counts as a failure, so a confused host never makes the plugin
/// treat a registration as done.
pub fn host_result(result: wit::HostResult) -> Result<HostResult, PluginError> {
    Ok(match result {
        wit::HostResult::User(text) => match json_text::parse(&text) {
            Some(Value::Object(user)) => HostResult::Succeeded { user },
            _ => HostResult::Failed {
                code: String::new(),
                message: String::new(),
            },
        },
        wit::HostResult::Failed(failure) => HostResult::Failed {
            code: failure.code.chars().take(200).collect(),
            message: failure.message.chars().take(200).collect(),
        },
    })
}

pub fn outcome(outcome: HookOutcome) -> wit::HookOutcome {
    match outcome {
        HookOutcome::Continue { args } => {
            wit::HookOutcome::Continue(args.map(|args| json_text::to_text(&Value::Object(args))))
        }
        HookOutcome::Respond { status, body } => wit::HookOutcome::Respond(wit::RespondOutcome {
            status,
            body: json_text::to_text(&body),
        }),
        HookOutcome::Authenticate { user_id } => wit::HookOutcome::Authenticate(user_id),
    }
}

fn error_code(code: &str) -> wit::ErrorCode {
    use wit::ErrorCode as C;
    match code {
        "CONFIG_INVALID" => C::ConfigInvalid,
        "INVALID_INPUT" => C::InvalidInput,
        "INVALID_PHONE_NUMBER" => C::InvalidPhoneNumber,
        "PHONE_NUMBER_REQUIRED" => C::PhoneNumberRequired,
        "PHONE_NUMBER_IN_USE" => C::PhoneNumberInUse,
        "TWO_FACTOR_REQUIRED" => C::TwoFactorRequired,
        "SMS_BUDGET_EXCEEDED" => C::SmsBudgetExceeded,
        "COUNTRY_NOT_ALLOWED" => C::CountryNotAllowed,
        "VERIFICATION_REQUIRED" => C::VerificationRequired,
        "CODE_MISMATCH" => C::CodeMismatch,
        "VERIFICATION_EXPIRED" => C::VerificationExpired,
        "TOO_MANY_ATTEMPTS" => C::TooManyAttempts,
        "REGISTRATION_IN_PROGRESS" => C::RegistrationInProgress,
        "RATE_LIMITED" => C::RateLimited,
        "TWILIO_REJECTED" => C::TwilioRejected,
        "TWILIO_UNAVAILABLE" => C::TwilioUnavailable,
        "STORAGE_UNAVAILABLE" => C::StorageUnavailable,
        "PHONE_LOGIN_DISABLED" => C::PhoneLoginDisabled,
        "TWO_FACTOR_UNAVAILABLE" => C::TwoFactorUnavailable,
        "NOT_AUTHENTICATED" => C::NotAuthenticated,
        "MESSAGE_NOT_FOUND" => C::MessageNotFound,
        "SIGNATURE_INVALID" => C::SignatureInvalid,
        _ => C::HostFailure,
    }
}

pub fn error(error: &PluginError) -> wit::PluginError {
    wit::PluginError {
        code: error_code(error.code()),
        status: error.status(),
        message: error.to_string(),
        details: json_text::to_text(&error.details()),
    }
}

pub fn send_sms_request(request: wit::SendSmsRequest) -> SendRequest {
    SendRequest {
        to: request.to,
        body: Some(request.body),
        media_urls: Vec::new(),
        status_callback: request.status_callback,
    }
}

pub fn send_mms_request(request: wit::SendMmsRequest) -> SendRequest {
    SendRequest {
        to: request.to,
        body: request.body,
        media_urls: request.media_urls,
        status_callback: request.status_callback,
    }
}

pub fn start_verification_request(request: wit::StartVerificationRequest) -> StartVerification {
    StartVerification {
        phone_number: request.phone_number,
        purpose: request.purpose,
        channel: request.channel,
    }
}

pub fn check_verification_request(request: wit::CheckVerificationRequest) -> CheckVerification {
    CheckVerification {
        transaction_id: request.transaction_id,
        transaction_code: request.transaction_code,
        phone_number: request.phone_number,
        purpose: request.purpose,
    }
}

pub fn callback_request(request: wit::CallbackRequest) -> CallbackRequest {
    CallbackRequest {
        url: request.url,
        headers: request.headers,
        body: request.body,
    }
}

pub fn sent_message(sent: MessageSent) -> wit::SentMessage {
    wit::SentMessage {
        sid: sent.sid,
        status: sent.status,
        to: sent.to,
        from: sent.from,
        num_segments: sent.num_segments,
        num_media: sent.num_media,
    }
}

pub fn started_verification(started: StartedVerification) -> wit::StartedVerification {
    let sent = started.sent;
    wit::StartedVerification {
        transaction_id: sent.transaction_id,
        phone_number: started.phone_number,
        expires_in_seconds: sent.expires_in_seconds,
        code_length: started.code_length,
        resend_after_seconds: sent.resend_after_seconds,
        channel: sent.channel,
        delivery_uncertain: sent.uncertain.is_some().then_some(true),
        message: sent.uncertain,
    }
}

pub fn checked_verification(checked: CheckedVerification) -> wit::CheckedVerification {
    wit::CheckedVerification {
        verified: true,
        phone_number: checked.phone_number,
        purpose: checked.purpose,
    }
}

pub fn message_status(status: MessageStatus) -> wit::MessageStatus {
    wit::MessageStatus {
        sid: status.sid,
        status: status.status,
        error_code: status.error_code,
        to: status.to,
        updated_at: status.updated_at,
    }
}

pub fn callback_receipt(receipt: CallbackReceipt) -> wit::CallbackReceipt {
    wit::CallbackReceipt {
        received: true,
        sid: receipt.sid,
        status: receipt.status,
    }
}

pub fn configuration_report(report: ConfigurationReport) -> wit::ConfigurationReport {
    let ok = report.ok();
    let check = |check: ConfigurationCheck| wit::ConfigurationCheck {
        name: match check.name {
            CheckName::Fields => wit::CheckName::Fields,
            CheckName::Credentials => wit::CheckName::Credentials,
            CheckName::Sender => wit::CheckName::Sender,
            CheckName::Sending => wit::CheckName::Sending,
        },
        status: match check.status {
            CheckStatus::Passed => wit::CheckStatus::Passed,
            CheckStatus::Warning => wit::CheckStatus::Warning,
            CheckStatus::Failed => wit::CheckStatus::Failed,
            CheckStatus::Skipped => wit::CheckStatus::Skipped,
        },
        message: check.message,
    };
    wit::ConfigurationReport {
        ok,
        checks: report.checks.into_iter().map(check).collect(),
    }
}
