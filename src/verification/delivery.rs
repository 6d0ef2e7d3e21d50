//! Texting a verification code, shared by every flow: the send policy first, the message text,
//! and what an answer from Twilio means for the verification.
//!
//! - Twilio accepted it: the code counts against the number's limits.
//! - It may have reached Twilio (a timeout after the request was written, a cut connection):
//!   the verification stays valid, since the SMS may still arrive, and the client is told so.
//! - It never left (Twilio refused it, could not be reached, answered 5xx): the verification
//!   is discarded and nothing counts.
//!
//! Test numbers skip all of it: their fixed code is stored like any other and nothing is sent.

use crate::api::CodeAnswer;
use crate::api::MessageSent;
use crate::config::Config;
use crate::error::{PluginError, Result};
use crate::hook::HookContext;
use crate::host::HttpRequest;
use crate::host::{Host, LogLevel};
use crate::json_text;
use crate::phone::PhoneNumber;
use crate::plugin::Plugin;
use crate::text;
use crate::twilio::verify::verification_request;
use crate::twilio::voice::{call_request, spoken_digits, twiml};
use crate::twilio::{
    get_request, message_request, parse_message_reply, send, whatsapp_request, OutgoingMessage,
};
use crate::verification::channels::{self, Channel};
use crate::verification::deferred::Deferred;
use crate::verification::policy::{segments, Outcome, Sender};
use crate::verification::texts;
use crate::verification::Purpose;

const MAX_APP_NAME_CHARS: usize = 64;

/// Renders a template: the app name, the code, the lifetime in minutes. An empty app name
/// leaves no double space behind.
pub fn render_message(template: &str, app_name: &str, code: &str, minutes: u32) -> String {
    let app_name: String = app_name.trim().chars().take(MAX_APP_NAME_CHARS).collect();
    // The app name last: braces in it are its own text, not placeholders.
    let text = text::replace(
        &text::replace(
            &text::replace(template, "{code}", code),
            "{minutes}",
            &minutes.to_string(),
        ),
        "{appName}",
        &app_name,
    );
    text.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The whole code SMS: the template filled in, then the app hash (Android's SMS Retriever hands
/// the message to that app) and, last, the origin-bound line `@domain #code` (browsers fill the
/// code in for that site only, and read it only from the last line).
pub fn code_message(config: &Config, template: &str, app_name: &str, code: &str) -> String {
    // Whole minutes the code lives at least: never more than it does.
    let minutes = (config.code_ttl_seconds / 60).max(1);
    let mut text = render_message(template, app_name, code, minutes);
    if config.android_app_hash.is_some() || config.web_otp_domain.is_some() {
        text.push('\n');
    }
    if let Some(hash) = &config.android_app_hash {
        text.push('\n');
        text.push_str(hash);
    }
    if let Some(domain) = &config.web_otp_domain {
        text.push_str("\n@");
        text.push_str(domain);
        text.push_str(" #");
        text.push_str(code);
    }
    text
}

/// The app name in messages: the configured one, else the one the host reports.
fn app_name<'a>(config: &'a Config, ctx: &'a HookContext) -> &'a str {
    if config.app_name.is_empty() {
        ctx.app_name.as_deref().unwrap_or("")
    } else {
        &config.app_name
    }
}

/// How the code went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// It may still arrive: Twilio did not confirm it in time.
    Uncertain,
    /// A test number: nothing was texted.
    Test,
}

/// A verification whose code is on its way.
#[derive(Debug, Clone)]
pub struct CodeSent {
    pub transaction_id: String,
    pub delivery: Delivery,
    /// The channel it went over (for phone login: the first one tried).
    pub channel: Channel,
    /// When the client may ask for another code to the same number.
    pub resend_after_seconds: u32,
}

impl CodeSent {
    /// 202 when the code may or may not arrive, else 200.
    pub fn status(&self) -> u16 {
        if self.delivery == Delivery::Uncertain {
            202
        } else {
            200
        }
    }

    /// What every flow that sends a code answers.
    pub fn answer(&self, expires_in_seconds: u32) -> CodeAnswer {
        CodeAnswer {
            transaction_id: self.transaction_id.clone(),
            expires_in_seconds,
            resend_after_seconds: self.resend_after_seconds,
            channel: self.channel.name().into(),
            uncertain: (self.delivery == Delivery::Uncertain).then(|| format!("Twilio did not confirm the SMS in time: the code may still arrive, and works when it does. A new code can be requested in {} seconds.", self.resend_after_seconds)),
        }
    }
}

impl<H: Host> Plugin<H> {
    /// The message that carries `code`.
    /// The code SMS for this request's user, in their language where there is a text for it
    /// (see `texts`).
    /// With an app hash the SMS must stay one segment for the SMS Retriever: a host's app name
    /// that would make it longer (the configuration was checked with one of 20 characters) is
    /// left out.
    pub(crate) fn code_text(&self, ctx: &HookContext, code: &str) -> String {
        let config = &self.config;
        let template = texts::choose(config, ctx.locale.as_deref());
        let text = code_message(config, template, app_name(config, ctx), code);
        if config.android_app_hash.is_some() && segments::count(&text) > 1 {
            return code_message(config, template, "", code);
        }
        text
    }

    /// The SMS segments a code message costs (the code's digits do not change the count).
    pub(crate) fn code_segments(&self, ctx: &HookContext) -> u32 {
        let placeholder = "0".repeat(self.config.code_length as usize);
        segments::count(&self.code_text(ctx, &placeholder))
    }

    /// The Twilio call that sends `code` over `channel`: Verify's (which writes its own code and
    /// text), else a message or a call with the app's text in the user's language.
    fn code_request(
        &self,
        ctx: &HookContext,
        to: &str,
        channel: Channel,
        code: &str,
    ) -> HttpRequest {
        let config = &self.config;
        if let Some(sid) = &config.verify_service_sid {
            let locale = texts::verify_locale(ctx.locale.as_deref());
            return verification_request(config, sid, to, channel, locale);
        }
        let (tag, template) = texts::choose_tagged(config, ctx.locale.as_deref());
        let minutes = (config.code_ttl_seconds / 60).max(1);
        match channel {
            Channel::Sms => {
                let body = self.code_text(ctx, code);
                let message = OutgoingMessage {
                    to,
                    body: Some(&body),
                    media_urls: &[],
                    status_callback: None,
                };
                message_request(config, &message)
            }
            Channel::Whatsapp => {
                let text = render_message(template, app_name(config, ctx), code, minutes);
                whatsapp_request(config, to, &text, code)
            }
            Channel::Call => {
                let spoken = spoken_digits(code);
                let text = render_message(template, app_name(config, ctx), &spoken, minutes);
                call_request(config, to, &twiml(&text, texts::say_language(tag)))
            }
        }
    }

    /// Sends the code over each channel in turn until one takes it: the next is tried only
    /// after a definite refusal that another channel may not meet (a landline for SMS, a number
    /// without WhatsApp), never after a reply that leaves the code possibly on its way.
    pub(crate) async fn send_over(
        &self,
        requests: Vec<(Channel, HttpRequest)>,
    ) -> (Channel, Result<MessageSent>) {
        let mut last = (
            Channel::Sms,
            Err(PluginError::HostFailure("choosing a channel".into())),
        );
        for (at, (channel, request)) in requests.into_iter().enumerate() {
            if let (true, (failed, Err(err))) = (at > 0, &last) {
                self.host.log(
                    LogLevel::Warn,
                    "a channel refused the code; trying the next",
                    crate::object! {"channel": failed.name(), "error": err.code(), "twilioCode": err.twilio_code(), "next": channel.name()},
                );
            }
            let reply = send(&self.host, request).await;
            last = (channel, reply.and_then(|r| parse_message_reply(&r)));
            if !matches!(&last.1, Err(e) if falls_back(e)) {
                break;
            }
        }
        last
    }

    /// Creates a verification and sends its code, through the send policy, over the channel
    /// the request asked for (`channel`) or the app's first, then the others on a refusal when
    /// the app allows fallback. `later` is phone login's: the send is left for after the answer
    /// (see `deferred`), and for a number with no account (`Some(false)`) a read of the account
    /// stands in for it. A test number's verification gets its fixed code and nothing is sent
    /// or counted.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send_code(
        &self,
        ctx: &HookContext,
        phone: &PhoneNumber,
        purpose: &Purpose,
        user_id: &str,
        sender: Sender<'_>,
        later: Option<bool>,
        channel: Option<&str>,
    ) -> Result<CodeSent> {
        let config = &self.config;
        let order = channels::order(&config.channels, config.channel_fallback, channel)?;
        let fixed = config.policy.test_numbers.code_for(phone);
        let permit = match fixed {
            Some(_) => None,
            None => Some(self.admit(ctx, phone, sender).await?),
        };
        let verifications = self.verifications();
        let by_verify = config.verify_service_sid.is_some() && fixed.is_none();
        let started = match verifications
            .start(phone, purpose, user_id, fixed, by_verify)
            .await
        {
            Ok(started) => started,
            Err(err) => {
                if let Some(permit) = permit {
                    self.settle(permit, Outcome::NeverLeft).await;
                }
                return Err(err);
            }
        };
        let mut log = crate::object! {"purpose": purpose.label(), "to": phone.masked(),
        "transactionId": started.transaction_id.as_str(), "requestId": ctx.request_id.clone()};
        let mut sent = CodeSent {
            transaction_id: started.transaction_id,
            delivery: Delivery::Test,
            channel: order[0],
            resend_after_seconds: 0,
        };
        let Some(permit) = permit else {
            self.host.log(
                LogLevel::Info,
                "test number: code not texted, the configured code applies",
                log,
            );
            return Ok(sent);
        };
        sent.delivery = Delivery::Sent;
        sent.resend_after_seconds = permit.resend_after();
        let requests = if later == Some(false) {
            vec![(order[0], get_request(config, ".json"))]
        } else {
            order
                .iter()
                .map(|c| {
                    (
                        *c,
                        self.code_request(ctx, phone.as_str(), *c, &started.code),
                    )
                })
                .collect()
        };
        if let Some(is_sms) = later {
            let mut permit = permit;
            permit.not_a_code();
            self.defer(Deferred::new(requests, permit, is_sms, log));
            return Ok(sent);
        }
        let (channel, reply) = self.send_over(requests).await;
        sent.channel = channel;
        json_text::set(&mut log, "channel", channel.name().into());
        match reply {
            Ok(message) => {
                self.settle(permit, Outcome::Sent).await;
                json_text::set(&mut log, "messageSid", message.sid.into());
                self.host.log(LogLevel::Info, "verification code sent", log);
            }
            Err(err) if is_uncertain(&err) => {
                self.settle(permit, Outcome::Uncertain).await;
                json_text::set(&mut log, "error", err.code().into());
                self.host.log(
                    LogLevel::Warn,
                    "Twilio did not confirm a verification code; it may still arrive and stays valid",
                    log,
                );
                sent.delivery = Delivery::Uncertain;
            }
            Err(err) => {
                verifications.discard(&sent.transaction_id).await;
                self.settle(permit, Outcome::NeverLeft).await;
                json_text::set(&mut log, "error", err.code().into());
                json_text::set(&mut log, "details", err.details());
                self.host
                    .log(LogLevel::Warn, "verification code could not be sent", log);
                return Err(err);
            }
        }
        Ok(sent)
    }
}

/// Whether another channel may take a code this one refused: Twilio said this channel cannot
/// reach this number (a landline or no mobile for SMS, no WhatsApp, a channel not set up).
/// Never around a block: Fraud Guard, geo permissions, an opt-out or a send limit hold for a
/// reason, and a call instead of a held-back SMS would be the toll fraud the block stopped.
fn falls_back(err: &PluginError) -> bool {
    matches!(err, PluginError::TwilioRejected { .. })
        && matches!(
            err.twilio_code(),
            Some(21612 | 21614 | 60205 | 63003 | 60223 | 68008 | 21910 | 63007)
        )
}

/// The request may have reached Twilio: a timeout or a connection cut after it was written.
pub fn is_uncertain(err: &PluginError) -> bool {
    matches!(
        err,
        PluginError::TwilioUnavailable {
            uncertain: true,
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture configuration with the short text these tests read, and `extra`.
    fn config(extra: serde_json::Value) -> Config {
        let mut extra = extra;
        extra["messageTemplate"] = "Your {appName} verification code is {code}".into();
        crate::config::test_config(extra)
    }

    #[test]
    fn the_origin_bound_line_is_last_and_the_app_hash_before_it() {
        let plain = config(serde_json::json!({}));
        assert_eq!(
            code_message(&plain, &plain.message_template, "Acme", "123456"),
            "Your Acme verification code is 123456"
        );
        let web = config(serde_json::json!({ "webOtpDomain": "example.com" }));
        assert_eq!(
            code_message(&web, &web.message_template, "Acme", "123456"),
            "Your Acme verification code is 123456\n\n@example.com #123456"
        );
        let android = config(serde_json::json!({ "androidAppHash": "FA+9qCX9VSu" }));
        assert_eq!(
            code_message(&android, &android.message_template, "Acme", "123456"),
            "Your Acme verification code is 123456\n\nFA+9qCX9VSu"
        );
        let both = config(serde_json::json!({
            "webOtpDomain": "example.com",
            "androidAppHash": "FA+9qCX9VSu",
        }));
        let text = code_message(&both, &both.message_template, "Acme", "123456");
        assert_eq!(
            text,
            "Your Acme verification code is 123456\n\nFA+9qCX9VSu\n@example.com #123456"
        );
        assert!(text.len() <= 140, "the SMS Retriever's limit");
    }

    #[test]
    fn template_gets_app_name_code_and_lifetime() {
        assert_eq!(
            render_message(
                "Your {appName} verification code is {code}, for {minutes} min",
                "Acme",
                "123456",
                5
            ),
            "Your Acme verification code is 123456, for 5 min"
        );
    }

    #[test]
    fn missing_app_name_leaves_clean_text() {
        assert_eq!(
            render_message("Your {appName} verification code is {code}", " ", "1234", 5),
            "Your verification code is 1234"
        );
    }
}
