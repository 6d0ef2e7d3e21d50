//! The messaging API the host exposes as services: `sendSms`, `sendMms` and `getMessageStatus`.
//! Every input is checked before anything reaches Twilio, so a bad request costs nothing and
//! gets an error that names the field; Twilio's refusals come back with Twilio's code.

use serde_json::{json, Map, Value};

use crate::config::check_public_url;
use crate::config_reader::is_sid;
use crate::error::{PluginError, Result};
use crate::hook::HookContext;
use crate::host::Host;
use crate::message_status::{record_sent, StatusRecord};
use crate::phone::PhoneNumber;
use crate::plugin::Plugin;
use crate::registration::text_field;
use crate::twilio::{send_message, OutgoingMessage, SentMessage};

/// Twilio's limits: 1,600 characters of body (error 21617), 10 media per message.
const MAX_BODY_CHARS: usize = 1600;
const MAX_MEDIA: usize = 10;

fn invalid(field: &str, expected: &str) -> PluginError {
    PluginError::InvalidInput {
        field: field.into(),
        expected: expected.into(),
    }
}

/// A `{...}` request, or an error naming what was expected.
pub fn request_map(request: &Value) -> Result<&Map<String, Value>> {
    request
        .as_object()
        .ok_or_else(|| invalid("request", "an object of named fields"))
}

fn body_field(request: &Map<String, Value>, required: bool) -> Result<Option<String>> {
    let body = match request.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("body", "text")),
    };
    match body {
        None if required => Err(invalid("body", "the text of the message (not empty)")),
        Some(b) if b.chars().count() > MAX_BODY_CHARS => Err(invalid(
            "body",
            "at most 1,600 characters (Twilio's limit; about 10 SMS segments)",
        )),
        other => Ok(other),
    }
}

fn media_urls(request: &Map<String, Value>) -> Result<Vec<String>> {
    let expected = "a list of 1 to 10 https:// URLs of images or other media";
    let Some(Value::Array(items)) = request.get("mediaUrls") else {
        return Err(invalid("mediaUrls", expected));
    };
    if items.is_empty() || items.len() > MAX_MEDIA {
        return Err(invalid("mediaUrls", expected));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item.as_str() {
            Some(url)
                if url.starts_with("https://")
                    && url.len() > 8
                    && url.len() <= 2048
                    && !url.contains(char::is_whitespace) =>
            {
                Ok(url.to_string())
            }
            _ => Err(invalid(
                &format!("mediaUrls[{i}]"),
                "an https:// URL Twilio can fetch",
            )),
        })
        .collect()
}

/// The callback for delivery status: the request's own, else the configured one. Twilio
/// refuses hostnames with underscores.
fn status_callback(
    request: &Map<String, Value>,
    default: Option<&String>,
) -> Result<Option<String>> {
    match text_field(request, "statusCallback")? {
        None => Ok(default.cloned()),
        Some(url) => {
            let host = url
                .split("://")
                .nth(1)
                .unwrap_or("")
                .split(['/', '?', ':'])
                .next()
                .unwrap_or("");
            if check_public_url(&url).is_err() || host.contains('_') {
                return Err(invalid(
                    "statusCallback",
                    "an https:// URL whose host name has no underscore",
                ));
            }
            Ok(Some(url))
        }
    }
}

fn reply(sent: &SentMessage) -> Value {
    json!({
        "sid": sent.sid,
        "status": sent.status,
        "to": sent.to,
        "from": sent.from,
        "numSegments": sent.num_segments.as_deref().and_then(|n| n.parse::<u32>().ok()),
        "numMedia": sent.num_media.as_deref().and_then(|n| n.parse::<u32>().ok()),
    })
}

impl<H: Host> Plugin<H> {
    /// The caller, when the messaging API requires one.
    pub(crate) fn caller(&self, ctx: &HookContext) -> Result<String> {
        match &ctx.user_id {
            Some(id) if !id.is_empty() => Ok(id.clone()),
            _ if self.config.messaging_requires_sign_in => Err(PluginError::NotAuthenticated),
            _ => Ok(String::new()),
        }
    }

    pub async fn send_sms(&self, ctx: &HookContext, request: &Value) -> Result<Value> {
        self.send(ctx, request, false).await
    }

    pub async fn send_mms(&self, ctx: &HookContext, request: &Value) -> Result<Value> {
        self.send(ctx, request, true).await
    }

    async fn send(&self, ctx: &HookContext, request: &Value, mms: bool) -> Result<Value> {
        let caller = self.caller(ctx)?;
        let request = request_map(request)?;
        let to = text_field(request, "to")?
            .ok_or_else(|| invalid("to", "the recipient's phone number"))?;
        let to = PhoneNumber::parse(&to, "to")?;
        let body = body_field(request, !mms)?;
        let media = if mms {
            media_urls(request)?
        } else {
            Vec::new()
        };
        let callback = status_callback(request, self.config.status_callback_url.as_ref())?;
        let message = OutgoingMessage {
            to: to.as_str(),
            body: body.as_deref(),
            media_urls: &media,
            status_callback: callback.as_deref(),
        };
        let sent = send_message(&self.host, &self.config, &message).await?;
        record_sent(&self.host, &sent, &caller).await;
        Ok(reply(&sent))
    }

    /// The last delivery status known for a message sent through the plugin, to its sender.
    pub async fn get_message_status(&self, ctx: &HookContext, request: &Value) -> Result<Value> {
        let caller = self.caller(ctx)?;
        let sid = text_field(request_map(request)?, "sid")?.unwrap_or_default();
        if !(is_sid(&sid, "SM") || is_sid(&sid, "MM")) {
            return Err(invalid(
                "sid",
                "a message SID: SM or MM followed by 32 hexadecimal characters",
            ));
        }
        match StatusRecord::load(&self.host, &sid).await? {
            Some(record) if caller.is_empty() || record.sender == caller => {
                Ok(record.to_reply(&sid))
            }
            _ => Err(PluginError::MessageNotFound),
        }
    }
}
