//! Twilio's REST API, exactly as Twilio's own libraries speak it: form-encoded POST, HTTP Basic
//! auth, JSON replies. Only the calls the plugin makes are here.

use serde_json::Value;

use crate::config::Config;
use crate::encoding::{base64, form_encode};
use crate::error::{PluginError, Result};
use crate::host::{Host, HttpRequest, HttpResponse};
use crate::twilio_errors;

const API_VERSION: &str = "2010-04-01";
const USER_AGENT: &str = concat!("twilio-baas-plugin/", env!("CARGO_PKG_VERSION"));

/// A message to send. `to` is already E.164.
pub struct OutgoingMessage<'a> {
    pub to: &'a str,
    pub body: Option<&'a str>,
    pub media_urls: &'a [String],
    pub status_callback: Option<&'a str>,
}

/// What Twilio answered for an accepted message (a subset of its 201 reply).
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    pub sid: String,
    pub status: String,
    pub to: String,
    pub from: Option<String>,
    pub num_segments: Option<String>,
    pub num_media: Option<String>,
}

impl SentMessage {
    fn from_json(v: &Value) -> Option<Self> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Self {
            sid: s("sid")?,
            status: s("status")?,
            to: s("to")?,
            from: s("from"),
            num_segments: s("num_segments"),
            num_media: s("num_media"),
        })
    }
}

/// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`.
pub fn message_request(config: &Config, message: &OutgoingMessage) -> HttpRequest {
    let mut form: Vec<(&str, &str)> = vec![("To", message.to)];
    if let Some(from) = &config.sender.phone_number {
        form.push(("From", from));
    }
    if let Some(service) = &config.sender.messaging_service_sid {
        form.push(("MessagingServiceSid", service));
    }
    if let Some(body) = message.body {
        form.push(("Body", body));
    }
    // Twilio reads lists as repeated keys: MediaUrl=a&MediaUrl=b.
    for url in message.media_urls {
        form.push(("MediaUrl", url));
    }
    if let Some(callback) = message.status_callback {
        form.push(("StatusCallback", callback));
    }
    HttpRequest {
        method: "POST".into(),
        url: format!(
            "{}/{API_VERSION}/Accounts/{}/Messages.json",
            config.twilio_api_base_url, config.account_sid
        ),
        headers: vec![
            ("Authorization".into(), basic_auth(config)),
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Accept".into(), "application/json".into()),
            ("User-Agent".into(), USER_AGENT.into()),
        ],
        body: Some(form_encode(form)),
        timeout_ms: config.twilio_timeout_ms,
    }
}

fn basic_auth(config: &Config) -> String {
    let (user, secret) = config.basic_auth_credentials();
    format!(
        "Basic {}",
        base64(format!("{user}:{}", secret.expose()).as_bytes())
    )
}

/// Sends one message. Not retried on failure: Twilio has no idempotency key for message create,
/// and a retry after a 500 or a timeout can deliver the same SMS twice.
pub async fn send_message<H: Host>(
    host: &H,
    config: &Config,
    message: &OutgoingMessage<'_>,
) -> Result<SentMessage> {
    let response = host
        .http(message_request(config, message))
        .await
        .map_err(|e| PluginError::TwilioUnavailable {
            reason: short(&e.0),
            twilio_code: None,
            retry_after_seconds: None,
        })?;
    parse_message_reply(&response)
}

fn parse_message_reply(response: &HttpResponse) -> Result<SentMessage> {
    if !(200..300).contains(&response.status) {
        return Err(twilio_errors::from_reply(response.status, &response.body));
    }
    let parsed = serde_json::from_str::<Value>(&response.body).ok();
    parsed
        .as_ref()
        .and_then(SentMessage::from_json)
        .ok_or_else(|| PluginError::TwilioUnavailable {
            reason: "the reply was not a Twilio message".into(),
            twilio_code: None,
            retry_after_seconds: None,
        })
}

/// The host's words about a network failure, bounded so a misbehaving host cannot flood errors.
fn short(text: &str) -> String {
    text.chars().take(120).collect()
}

#[cfg(test)]
#[path = "twilio_tests.rs"]
mod tests;
