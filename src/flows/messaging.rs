//! The messaging API the host exposes as services: `sendSms`, `sendMms` and `getMessageStatus`.
//! Every input is checked before anything reaches Twilio, so a bad request costs nothing and
//! gets an error that names the field; Twilio's refusals come back with Twilio's code. Every
//! message passes the send policy: the country policy and the caller's limits on messages and
//! segments (an anonymous caller, where the app allows them, is counted by client address).

use crate::api::{MessageSent, MessageStatus, SendRequest};
use crate::config::check_public_url;
use crate::config::reader::is_sid;
use crate::error::{PluginError, Result};
use crate::flows::message_status::{record_sent, StatusRecord};
use crate::hook::HookContext;
use crate::host::Host;
use crate::phone::PhoneNumber;
use crate::plugin::Plugin;
use crate::text;
use crate::twilio::{send_message, OutgoingMessage};
use crate::user_api::{given, given_opt, invalid};
use crate::verification::policy::{segments, Outcome, Sender};

/// Twilio's limits: 1,600 characters of body (error 21617), 10 media per message.
const MAX_BODY_CHARS: usize = 1600;
const MAX_MEDIA: usize = 10;

fn body_text(body: Option<&str>, required: bool) -> Result<Option<String>> {
    let body = body.filter(|b| !b.trim().is_empty()).map(str::to_string);
    match body {
        None if required => Err(invalid("body", "the text of the message (not empty)")),
        Some(b) if b.chars().count() > MAX_BODY_CHARS => Err(invalid(
            "body",
            "at most 1,600 characters (Twilio's limit; about 10 SMS segments)",
        )),
        other => Ok(other),
    }
}

fn media_urls(items: &[String]) -> Result<Vec<String>> {
    let expected = "a list of 1 to 10 https:// URLs of images or other media";
    if items.is_empty() || items.len() > MAX_MEDIA {
        return Err(invalid("mediaUrls", expected));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, url)| {
            if url.starts_with("https://")
                && url.len() > 8
                && url.len() <= 2048
                && !url.contains(char::is_whitespace)
            {
                Ok(url.to_string())
            } else {
                Err(invalid(
                    &format!("mediaUrls[{i}]"),
                    "an https:// URL Twilio can fetch",
                ))
            }
        })
        .collect()
}

/// The callback for delivery status: the request's own, else the configured one. Twilio
/// refuses hostnames with underscores.
fn status_callback(requested: Option<&str>, default: Option<&String>) -> Result<Option<String>> {
    match given_opt(requested) {
        None => Ok(default.cloned()),
        Some(url) => {
            let host = text::split_once(&url, "://")
                .map_or("", |(_, rest)| rest)
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

impl<H: Host> Plugin<H> {
    /// The caller, when the messaging API requires one.
    pub(crate) fn caller(&self, ctx: &HookContext) -> Result<String> {
        match &ctx.user_id {
            Some(id) if !id.is_empty() => Ok(id.clone()),
            _ if self.config.messaging_requires_sign_in => Err(PluginError::NotAuthenticated),
            _ => Ok(String::new()),
        }
    }

    /// `sendSms` (`mms` false: a body, no media) and `sendMms`.
    pub(crate) async fn send(
        &self,
        ctx: &HookContext,
        request: &SendRequest,
        mms: bool,
    ) -> Result<MessageSent> {
        let caller = self.caller(ctx)?;
        let to = given(&request.to).ok_or_else(|| invalid("to", "the recipient's phone number"))?;
        let to = PhoneNumber::parse(&to, "to")?;
        if self.config.policy.test_numbers.code_for(&to).is_some() {
            return Err(invalid(
                "to",
                "a real phone number: this one is among the app's test numbers, which receive no messages",
            ));
        }
        let body = body_text(request.body.as_deref(), !mms)?;
        let media = if mms {
            media_urls(&request.media_urls)?
        } else {
            Vec::new()
        };
        // Counted by its text for an MMS too: outside the US and Canada Twilio may deliver it
        // as SMS, billed by the segment.
        let segments = segments::count(body.as_deref().unwrap_or(""));
        let max = self.config.policy.max_segments_per_message;
        if segments > max {
            return Err(invalid(
                "body",
                &format!("at most {max} SMS segments long for this app (this text takes {segments}; a segment holds 153 plain characters, or 67 with emoji or non-Latin letters)"),
            ));
        }
        let callback = status_callback(
            request.status_callback.as_deref(),
            self.config.status_callback_url.as_ref(),
        )?;
        let message = OutgoingMessage {
            to: to.as_str(),
            body: body.as_deref(),
            media_urls: &media,
            status_callback: callback.as_deref(),
        };
        let sender = Sender::Message {
            caller: &caller,
            segments,
        };
        let permit = self.admit(ctx, &to, sender).await?;
        let sent = send_message(&self.host, &self.config, &message).await;
        let outcome = match &sent {
            Ok(_) => Outcome::Sent,
            Err(err) if crate::verification::delivery::is_uncertain(err) => Outcome::Uncertain,
            Err(_) => Outcome::NeverLeft,
        };
        self.settle(permit, outcome).await;
        let sent = sent?;
        record_sent(&self.host, &sent, &caller).await;
        Ok(sent)
    }

    /// The last delivery status known for a message sent through the plugin, to its sender.
    pub(crate) async fn message_status(
        &self,
        ctx: &HookContext,
        sid: &str,
    ) -> Result<MessageStatus> {
        let caller = self.caller(ctx)?;
        let sid = sid.trim();
        if !(is_sid(sid, "SM") || is_sid(sid, "MM")) {
            return Err(invalid(
                "sid",
                "a message SID: SM or MM followed by 32 hexadecimal characters",
            ));
        }
        match StatusRecord::load(&self.host, sid).await? {
            Some(record) if caller.is_empty() || record.sender == caller => {
                Ok(record.to_reply(sid))
            }
            _ => Err(PluginError::MessageNotFound),
        }
    }
}
