//! Twilio Verify (v2) as the code backend: it writes, sends and checks the code. Each call names
//! the app's Verify service; the plugin's own transaction decides which number and purpose a
//! check is for, so a check goes by `To` (Verify keeps one pending verification per number).

use serde_json::Value;

use super::{call_json, get, post, product_base};
use crate::config::Config;
use crate::error::{PluginError, Result};
use crate::host::{Host, HttpRequest};
use crate::verification::channels::Channel;

pub const VERIFY_API_BASE_URL: &str = "https://verify.twilio.com";

fn service_url(config: &Config, sid: &str, path: &str) -> String {
    let base = product_base(config, VERIFY_API_BASE_URL);
    format!("{base}/v2/Services/{sid}{path}")
}

/// `POST /v2/Services/{ServiceSid}/Verifications`: Verify sends a code over `channel`, in
/// `locale` (a language of Verify's own texts); for SMS the Android app hash goes at the end,
/// for the SMS Retriever. The text names the service (its friendly name): Verify takes another
/// name per request (`CustomFriendlyName`) only where Twilio enabled that for the account.
pub fn verification_request(
    config: &Config,
    sid: &str,
    to: &str,
    channel: Channel,
    locale: Option<&str>,
) -> HttpRequest {
    let mut form: Vec<(&str, &str)> = vec![("To", to), ("Channel", channel.name())];
    if let Some(locale) = locale {
        form.push(("Locale", locale));
    }
    if let (Some(hash), Channel::Sms) = (&config.android_app_hash, channel) {
        form.push(("AppHash", hash));
    }
    post(config, service_url(config, sid, "/Verifications"), &form)
}

/// `POST /v2/Services/{ServiceSid}/VerificationCheck`: whether `code` is the pending
/// verification's for `to`. Verify answers 404 once the verification ended (approved, expired
/// after 10 minutes, or after 5 wrong checks), and 60202 when the checks ran out.
pub async fn check_code<H: Host>(
    host: &H,
    config: &Config,
    sid: &str,
    to: &str,
    code: &str,
) -> Result<bool> {
    let request = post(
        config,
        service_url(config, sid, "/VerificationCheck"),
        &[("To", to), ("Code", code)],
    );
    match call_json(host, request).await {
        Ok(reply) => Ok(reply.get("status").and_then(Value::as_str) == Some("approved")),
        Err(err) => Err(match err.twilio_code() {
            Some(20404) => PluginError::VerificationExpired,
            Some(60202) => PluginError::TooManyAttempts,
            _ => err,
        }),
    }
}

/// `GET /v2/Services/{Sid}`: the service, for TEST CONFIGURATION.
pub async fn fetch_service<H: Host>(host: &H, config: &Config, sid: &str) -> Result<Value> {
    call_json(host, get(config, service_url(config, sid, ""))).await
}
