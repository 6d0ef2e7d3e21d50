//! Twilio's REST API, exactly as Twilio's own libraries speak it: form-encoded POST, HTTP Basic
//! auth, JSON replies. Only the calls the plugin makes are here.

use serde_json::Value;

use crate::api::MessageSent;
use crate::config::{Config, DEFAULT_API_BASE_URL};
use crate::encoding::{base64, form_encode, percent_encode};
use crate::error::{ConfigProblem, PluginError, Result};
use crate::host::{Host, HostError, HostErrorKind, HttpRequest, HttpResponse};
use crate::text;
pub(crate) mod errors;
pub(crate) mod signature;
pub(crate) mod verify;
pub(crate) mod voice;

const API_VERSION: &str = "2010-04-01";
pub const MESSAGING_API_BASE_URL: &str = "https://messaging.twilio.com";
const USER_AGENT: &str = concat!("twilio-baas-plugin/", env!("CARGO_PKG_VERSION"));

/// A message to send. `to` is already E.164.
pub struct OutgoingMessage<'a> {
    pub to: &'a str,
    pub body: Option<&'a str>,
    pub media_urls: &'a [String],
    pub status_callback: Option<&'a str>,
}

/// A Messages reply: Twilio writes its counts as text (`"num_segments": "1"`).
fn sent_message(v: &Value) -> Option<MessageSent> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let n = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .and_then(|n| n.parse().ok())
    };
    Some(MessageSent {
        sid: s("sid")?,
        status: s("status")?,
        to: s("to")?,
        from: s("from"),
        num_segments: n("num_segments"),
        num_media: n("num_media"),
    })
}

/// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`.
pub fn message_request(config: &Config, message: &OutgoingMessage) -> HttpRequest {
    let mut form: Vec<(&str, &str)> = vec![("To", message.to)];
    push_sender(&mut form, config, None);
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
    post(config, account_url(config, "/Messages.json"), &form)
}

/// The sender fields of a message: `From` (prefixed for WhatsApp, `whatsapp:+1...`) and/or the
/// Messaging Service, which then picks the sender of the channel.
fn push_sender<'a>(form: &mut Vec<(&'a str, &'a str)>, config: &'a Config, from: Option<&'a str>) {
    if let Some(from) = from.or(config.sender.phone_number.as_deref()) {
        form.push(("From", from));
    }
    if let Some(service) = &config.sender.messaging_service_sid {
        form.push(("MessagingServiceSid", service));
    }
}

/// A code over WhatsApp through the Messages API: the app's approved authentication template
/// (`ContentSid`, the code as its variable 1) where it has one, else the text. WhatsApp
/// addresses are the numbers with `whatsapp:` before them.
pub fn whatsapp_request(config: &Config, to: &str, text: &str, code: &str) -> HttpRequest {
    let to = format!("whatsapp:{to}");
    let from = config
        .whatsapp_sender
        .as_deref()
        .or(config.sender.phone_number.as_deref())
        .map(|n| format!("whatsapp:{n}"));
    let variables = format!("{{\"1\":\"{code}\"}}");
    let mut form: Vec<(&str, &str)> = vec![("To", &to)];
    push_sender(&mut form, config, from.as_deref());
    match &config.whatsapp_content_sid {
        Some(sid) => {
            form.push(("ContentSid", sid));
            form.push(("ContentVariables", &variables));
        }
        None => form.push(("Body", text)),
    }
    post(config, account_url(config, "/Messages.json"), &form)
}

/// `{base}/2010-04-01/Accounts/{AccountSid}{path}`.
fn account_url(config: &Config, path: &str) -> String {
    format!(
        "{}/{API_VERSION}/Accounts/{}{path}",
        config.twilio_api_base_url, config.account_sid
    )
}

/// The base URL of another of Twilio's APIs (Messaging, Verify), which live on hosts of their
/// own; a non-default base URL (the local simulator) serves them all.
fn product_base<'a>(config: &'a Config, default: &'a str) -> &'a str {
    if config.twilio_api_base_url == DEFAULT_API_BASE_URL {
        default
    } else {
        &config.twilio_api_base_url
    }
}

/// A form-encoded POST, authenticated like every call.
fn post(config: &Config, url: String, form: &[(&str, &str)]) -> HttpRequest {
    let mut request = get(config, url);
    request.method = "POST".into();
    request.headers.push((
        "Content-Type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    request.body = Some(form_encode(form.iter().copied()));
    request
}

fn get(config: &Config, url: String) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        url,
        headers: vec![
            ("Authorization".into(), basic_auth(config)),
            ("Accept".into(), "application/json".into()),
            ("User-Agent".into(), USER_AGENT.into()),
        ],
        body: None,
        timeout_ms: config.twilio_timeout_ms,
    }
}

/// A GET of Twilio's REST API, authenticated like every call.
pub fn get_request(config: &Config, path_and_query: &str) -> HttpRequest {
    get(config, account_url(config, path_and_query))
}

/// A failed HTTP call to `url`. The host's policy refusing the origin is a configuration
/// problem, not an outage: trying again cannot help, so the error names the origin and the
/// setting to change. Otherwise Twilio is unavailable: definitely when the request never left,
/// uncertainly when Twilio may have acted on it.
fn host_failure(e: HostError, url: &str) -> PluginError {
    if e.kind == HostErrorKind::Refused {
        let origin = origin_of(url);
        return PluginError::ConfigInvalid(vec![ConfigProblem {
            field: "twilioApiBaseUrl".into(),
            reason: format!("leads to {origin}, which the host does not let this plugin call (its allowlist holds the origins of the plugin manifest's permissions.httpOrigins). Set it to https://api.twilio.com, or have the host's operator allow {origin}"),
        }]);
    }
    let uncertain = e.kind.maybe_received();
    PluginError::TwilioUnavailable {
        reason: short(&e.message),
        twilio_code: None,
        retry_after_seconds: (!uncertain).then_some(30),
        uncertain,
    }
}

/// `scheme://host[:port]` of a URL the plugin built, bounded for an error message.
fn origin_of(url: &str) -> String {
    let (scheme, rest) = text::split_once(url, "://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    short(&format!("{scheme}://{authority}"))
}

/// Sends a request; a network error or timeout is "unavailable", a refused origin a
/// configuration problem.
pub async fn send<H: Host>(host: &H, request: HttpRequest) -> Result<HttpResponse> {
    let url = request.url.clone();
    host.http(request).await.map_err(|e| host_failure(e, &url))
}

/// The JSON of a 2xx reply, or the mapped Twilio error.
pub fn reply_json(response: &HttpResponse) -> Result<Value> {
    if !(200..300).contains(&response.status) {
        return Err(errors::from_reply(response.status, &response.body));
    }
    crate::json_text::parse(&response.body).ok_or_else(accepted_unreadably)
}

/// A 2xx reply that is not what Twilio answers: it accepted something, so a message may be
/// on its way.
fn accepted_unreadably() -> PluginError {
    PluginError::TwilioUnavailable {
        reason: "the reply was not Twilio's".into(),
        twilio_code: None,
        retry_after_seconds: None,
        uncertain: true,
    }
}

async fn call_json<H: Host>(host: &H, request: HttpRequest) -> Result<Value> {
    reply_json(&send(host, request).await?)
}

/// `GET /2010-04-01/Accounts/{AccountSid}.json`: the account's status and type.
pub async fn fetch_account<H: Host>(host: &H, config: &Config) -> Result<Value> {
    call_json(host, get_request(config, ".json")).await
}

/// `GET .../IncomingPhoneNumbers.json?PhoneNumber=`: the account's entry for a number; Twilio
/// answers an empty list, not a 404, for a number the account does not own.
pub async fn fetch_incoming_number<H: Host>(
    host: &H,
    config: &Config,
    number: &str,
) -> Result<Option<Value>> {
    let query = format!(
        "/IncomingPhoneNumbers.json?PhoneNumber={}",
        percent_encode(number)
    );
    let reply = call_json(host, get_request(config, &query)).await?;
    Ok(reply
        .get("incoming_phone_numbers")
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .find(|n| n.get("phone_number").and_then(Value::as_str) == Some(number))
        })
        .cloned())
}

/// The Messaging Service, from Twilio's Messaging API. That API lives on its own host; a
/// non-default base URL (the local simulator) serves both.
pub async fn fetch_messaging_service<H: Host>(
    host: &H,
    config: &Config,
    sid: &str,
) -> Result<Value> {
    let base = product_base(config, MESSAGING_API_BASE_URL);
    call_json(host, get(config, format!("{base}/v1/Services/{sid}"))).await
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
) -> Result<MessageSent> {
    parse_message_reply(&send(host, message_request(config, message)).await?)
}

pub fn parse_message_reply(response: &HttpResponse) -> Result<MessageSent> {
    let reply = reply_json(response)?;
    sent_message(&reply).ok_or_else(accepted_unreadably)
}

/// The host's words about a network failure, bounded so a misbehaving host cannot flood errors.
fn short(text: &str) -> String {
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests;
