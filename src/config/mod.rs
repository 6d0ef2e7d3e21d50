//! The plugin's configuration, as the app developer fills it in the marketplace popup.
//!
//! Validation reports every problem at once (a person fixing a form wants the whole list), each
//! with the JS field name and a reason that says what to write instead.

use serde_json::{Map, Value};

pub(crate) mod live_check;
pub(crate) mod reader;

use crate::error::{ConfigProblem, PluginError, Result};
use crate::phone::PhoneNumber;
use crate::secret::Secret;
use crate::text;
use crate::verification::channels::{self, Channel};
use crate::verification::policy::settings::{is_field as is_policy_field, PolicySettings};
use crate::verification::texts;
use reader::Reader;

pub const DEFAULT_TEMPLATE: &str = crate::verification::texts::BUILT_IN[0].1;
pub const DEFAULT_API_BASE_URL: &str = "https://api.twilio.com";

/// Every setting the plugin understands, by its JS name, apart from the send policy's
/// (`policy::settings`). Kept in step with the WIT `config` record and
/// `plugin-manifest.json` by a test.
pub const FIELDS: &[&str] = &[
    "accountSid",
    "authToken",
    "apiKeySid",
    "apiKeySecret",
    "senderPhoneNumber",
    "messagingServiceSid",
    "appName",
    "messageTemplate",
    "messageTemplates",
    "webOtpDomain",
    "androidAppHash",
    "codeLength",
    "codeTtlSeconds",
    "maxAttempts",
    "phoneNumberField",
    "identityField",
    "phoneConfirmedField",
    "phoneRequired",
    "twilioApiBaseUrl",
    "twilioTimeoutMs",
    "phoneLogin",
    "twoFactor",
    "twoFactorField",
    "statusCallbackUrl",
    "messagingAccess",
    "codeHashingKey",
    "codeBackend",
    "verifyServiceSid",
    "channels",
    "channelFallback",
    "whatsappSender",
    "whatsappContentSid",
];

/// When a password login must be followed by an SMS code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoFactorMode {
    Off,
    /// For users whose `two_factor_field` is true.
    Optional,
    /// For every user; one without a phone number cannot log in.
    Required,
}

/// Who Twilio sees as the sender: a number of the account, a Messaging Service, or both (Twilio
/// then uses the number if it belongs to the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub phone_number: Option<String>,
    pub messaging_service_sid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub account_sid: String,
    pub auth_token: Secret,
    /// The host's secret for hashing codes (at least 32 characters), kept apart from anything
    /// stored: with it, neither the storage nor the Auth Token lets anyone test a code offline.
    pub code_hashing_key: Option<Secret>,
    /// API key credentials, Twilio's recommendation for production; the Account SID still names
    /// the account in every URL.
    pub api_key: Option<(String, Secret)>,
    pub sender: Sender,
    pub app_name: String,
    pub message_template: String,
    /// The app's texts by language (tags in lower case), chosen by the request's locale.
    pub message_templates: Vec<(String, String)>,
    /// The site whose pages fill the code in by themselves: the message ends with the
    /// origin-bound line `@domain #code` (WebOTP in Chrome, Safari's one-time code AutoFill).
    pub web_otp_domain: Option<String>,
    /// The Android app's 11-character hash: the SMS Retriever hands the message to that app.
    pub android_app_hash: Option<String>,
    pub code_length: u32,
    pub code_ttl_seconds: u32,
    pub max_attempts: u32,
    pub phone_number_field: String,
    pub identity_field: String,
    pub phone_confirmed_field: String,
    pub phone_required: bool,
    pub twilio_api_base_url: String,
    pub twilio_timeout_ms: u32,
    pub phone_login: bool,
    pub two_factor: TwoFactorMode,
    pub two_factor_field: String,
    /// Where Twilio posts delivery status for messages sent through the messaging API.
    pub status_callback_url: Option<String>,
    /// Whether the messaging API needs a signed-in caller (the default), so that an anonymous
    /// client cannot spend the app's SMS budget.
    pub messaging_requires_sign_in: bool,
    /// The send policy: abuse protection for every code and message.
    pub policy: PolicySettings,
    /// `codeBackend: "verify"`: Twilio Verify (this service) writes, sends and checks the codes;
    /// the plugin keeps the transaction, its binding, the attempt caps and the send policy.
    pub verify_service_sid: Option<String>,
    /// The channels codes may go over, the app's preferred first.
    pub channels: Vec<Channel>,
    /// Whether a channel that definitely failed hands over to the next allowed one.
    pub channel_fallback: bool,
    /// The WhatsApp sender for the Messages API, when not the SMS sender.
    pub whatsapp_sender: Option<String>,
    /// The WhatsApp authentication template (Meta-approved), its variable 1 the code.
    pub whatsapp_content_sid: Option<String>,
}

impl Config {
    /// Validates a configuration object, listing every problem.
    pub fn from_json(value: &Value) -> Result<Self> {
        let empty = Map::new();
        let (map, mut problems) = match value {
            Value::Object(m) => (m, Vec::new()),
            _ => (
                &empty,
                vec![ConfigProblem {
                    field: "config".into(),
                    reason: "must be an object of settings".into(),
                }],
            ),
        };
        let known = |k: &str| FIELDS.contains(&k) || is_policy_field(k);
        for key in map.keys().filter(|k| !known(k)) {
            problems.push(ConfigProblem {
                field: key.clone(),
                reason: "is not a setting of this plugin; check the spelling".into(),
            });
        }
        let mut r = Reader::new(map, problems);

        let account_sid = r.sid("accountSid", "AC", true).unwrap_or_default();
        let auth_token = r.secret("authToken", true).unwrap_or_default();
        let code_hashing_key = r.string("codeHashingKey", None).map(Secret::new);
        if code_hashing_key
            .as_ref()
            .is_some_and(|k| k.expose().len() < 32)
        {
            r.problem(
                "codeHashingKey",
                "must be at least 32 characters of random text from the host",
            );
        }
        let api_key_sid = r.sid("apiKeySid", "SK", false);
        let api_key_secret = r.secret("apiKeySecret", false);
        let api_key = match (api_key_sid, api_key_secret) {
            (Some(sid), Some(secret)) => Some((sid, secret)),
            (None, None) => None,
            (Some(_), None) => {
                r.problem("apiKeySecret", "is required when apiKeySid is set");
                None
            }
            (None, Some(_)) => {
                r.problem("apiKeySid", "is required when apiKeySecret is set");
                None
            }
        };
        let phone_number = r.string("senderPhoneNumber", None).and_then(|s| {
            match PhoneNumber::parse(&s, "senderPhoneNumber") {
                Ok(p) => Some(p.as_str().to_string()),
                Err(_) => {
                    r.problem(
                        "senderPhoneNumber",
                        "must be a phone number of your Twilio account in international form, e.g. +15005550006",
                    );
                    None
                }
            }
        });
        let messaging_service_sid = r.sid("messagingServiceSid", "MG", false);
        let sender_given = r.present("senderPhoneNumber") || r.present("messagingServiceSid");
        let verify = r.choice("codeBackend", "messages", &["messages", "verify"]) == "verify";
        let verify_service_sid = r.sid("verifyServiceSid", "VA", verify);
        // With Verify the sender is for the messaging API only, which an app may not use.
        if !sender_given && !verify {
            r.problem(
                "senderPhoneNumber",
                "is required (or set messagingServiceSid): the number your SMS are sent from",
            );
        }
        // Not text: that one problem is enough (the default stands in).
        let message_template = r
            .string("messageTemplate", Some(DEFAULT_TEMPLATE))
            .unwrap_or_else(|| DEFAULT_TEMPLATE.into());
        if !text::contains(&message_template, "{code}") {
            r.problem(
                "messageTemplate",
                "must contain {code}, where the code goes",
            );
        } else if message_template.chars().count() > 320 {
            r.problem(
                "messageTemplate",
                "must be at most 320 characters (two SMS segments)",
            );
        }
        let message_templates = match texts::parse_templates(r.raw("messageTemplates")) {
            Ok(templates) => templates,
            Err(reason) => {
                r.problem("messageTemplates", reason);
                Vec::new()
            }
        };
        let web_otp_domain = r.string("webOtpDomain", None).filter(|d| !d.is_empty());
        if web_otp_domain.as_deref().is_some_and(|d| !is_host_name(d)) {
            r.problem(
                "webOtpDomain",
                "must be the host name of the site that reads the code, such as example.com (no https://, port or path)",
            );
        }
        let android_app_hash = r.string("androidAppHash", None).filter(|h| !h.is_empty());
        if android_app_hash.as_deref().is_some_and(|h| !is_app_hash(h)) {
            r.problem(
                "androidAppHash",
                "must be your Android app's 11-character hash (letters, digits, + and /)",
            );
        }
        let channels =
            match channels::parse_list(&r.string("channels", Some("sms")).unwrap_or_default()) {
                Ok(list) => list,
                Err(reason) => {
                    r.problem("channels", reason);
                    vec![Channel::Sms]
                }
            };
        if verify {
            // Verify writes its own messages.
            for field in ["messageTemplates", "webOtpDomain"] {
                if r.present(field) {
                    r.problem(field, "does not apply with codeBackend verify, where Twilio Verify writes the messages: leave it empty");
                }
            }
        } else if channels.contains(&Channel::Call) && !r.present("senderPhoneNumber") {
            r.problem("channels", "has call, which needs senderPhoneNumber: a voice-capable number of the account to call from (or codeBackend verify)");
        }
        let whatsapp_sender = r.string("whatsappSender", None).and_then(|s| {
            PhoneNumber::parse(&s, "whatsappSender")
                .map(|p| p.as_str().to_string())
                .map_err(|_| r.problem("whatsappSender", "must be your WhatsApp sender's number in international form, e.g. +15005550006"))
                .ok()
        });
        let whatsapp_content_sid = r.sid("whatsappContentSid", "HX", false);
        let base_url = r
            .string("twilioApiBaseUrl", Some(DEFAULT_API_BASE_URL))
            .unwrap_or_default();
        if let Err(reason) = check_base_url(&base_url) {
            r.problem("twilioApiBaseUrl", reason);
        }

        let status_callback_url = r.string("statusCallbackUrl", None);
        if let Some(url) = &status_callback_url {
            if check_public_url(url).is_err() {
                r.problem(
                    "statusCallbackUrl",
                    "must be the https:// URL of the host's status-callback endpoint",
                );
            }
        }
        let two_factor = match r.choice("twoFactor", "optional", &["off", "optional", "required"]) {
            "off" => TwoFactorMode::Off,
            "required" => TwoFactorMode::Required,
            _ => TwoFactorMode::Optional,
        };

        let config = Config {
            account_sid,
            auth_token,
            code_hashing_key,
            api_key,
            sender: Sender {
                phone_number,
                messaging_service_sid,
            },
            app_name: r.string("appName", Some("")).unwrap_or_default(),
            message_template,
            message_templates,
            web_otp_domain,
            android_app_hash,
            code_length: r.integer("codeLength", 6, 4, 10),
            code_ttl_seconds: r.integer("codeTtlSeconds", 300, 60, 600),
            max_attempts: r.integer("maxAttempts", 5, 1, 10),
            phone_number_field: r.field_name("phoneNumberField", "phoneNumber"),
            identity_field: r.field_name("identityField", "email"),
            phone_confirmed_field: r.field_name("phoneConfirmedField", "phoneNumberConfirmed"),
            phone_required: r.boolean("phoneRequired", true),
            twilio_api_base_url: base_url.trim_end_matches('/').to_string(),
            twilio_timeout_ms: r.integer("twilioTimeoutMs", 10_000, 1_000, 30_000),
            phone_login: r.boolean("phoneLogin", true),
            two_factor,
            two_factor_field: r.field_name("twoFactorField", "twoFactorEnabled"),
            status_callback_url,
            messaging_requires_sign_in: r.choice(
                "messagingAccess",
                "signed-in",
                &["signed-in", "anyone"],
            ) == "signed-in",
            policy: PolicySettings::read(&mut r),
            verify_service_sid: verify_service_sid.filter(|_| verify),
            channels,
            channel_fallback: r.boolean("channelFallback", false),
            whatsapp_sender,
            whatsapp_content_sid,
        };
        let mut problems = r.finish();
        // The SMS Retriever reads only a message of one segment (140 bytes).
        if problems.is_empty() && config.android_app_hash.is_some() {
            for (tag, template) in config.own_templates() {
                let segments = config.segments_of(template);
                if segments > 1 {
                    let (field, which) = match tag {
                        Some(tag) => ("messageTemplates", tag),
                        None => ("messageTemplate", "the default"),
                    };
                    problems.push(ConfigProblem {
                        field: field.into(),
                        reason: format!("must fit one SMS segment with androidAppHash set (Android's SMS Retriever reads no more): the text for {which} takes {segments}, with the app name, a code and the added lines"),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(PluginError::ConfigInvalid(problems))
        }
    }

    /// The phone number is the identity column: the second register call has no other identity.
    pub fn phone_is_identity(&self) -> bool {
        self.identity_field == self.phone_number_field
    }

    /// The credentials for Twilio's HTTP Basic auth.
    pub fn basic_auth_credentials(&self) -> (&str, &Secret) {
        match &self.api_key {
            Some((sid, secret)) => (sid, secret),
            None => (&self.account_sid, &self.auth_token),
        }
    }
}

/// A valid configuration for tests: the fixture account and sender, and `extra` over them.
#[cfg(test)]
pub(crate) fn test_config(extra: Value) -> Config {
    let mut value = serde_json::json!({
        "accountSid": "AC00000000000000000000000000000000",
        "authToken": "test_auth_token_0000000000000000",
        "senderPhoneNumber": "+15005550006",
    });
    if let (Value::Object(map), Value::Object(extra)) = (&mut value, extra) {
        map.extend(extra);
    }
    Config::from_json(&value).unwrap()
}

/// A host name as a page's origin has it: dot-separated labels of lowercase letters, digits and
/// inner hyphens.
fn is_host_name(text: &str) -> bool {
    text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Android's app hash: 11 characters of Base64 (the SMS Retriever's AppSignatureHelper).
fn is_app_hash(text: &str) -> bool {
    text.len() == 11
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// The app name a configuration without one is checked with: the host fills in its own.
const SAMPLE_APP_NAME: &str = "An app name of 20 ch";

impl Config {
    /// The SMS segments of a code message written with `template` (this configuration's app
    /// name, else one of 20 characters; a code of its length; the app hash and origin-bound
    /// lines).
    pub fn segments_of(&self, template: &str) -> u32 {
        let app_name = if self.app_name.is_empty() {
            SAMPLE_APP_NAME
        } else {
            &self.app_name
        };
        let code = "0".repeat(self.code_length as usize);
        let text = crate::verification::delivery::code_message(self, template, app_name, &code);
        crate::verification::policy::segments::count(&text)
    }

    /// The texts the app wrote, by language (`None`: its default `messageTemplate`).
    pub fn own_templates(&self) -> impl Iterator<Item = (Option<&str>, &str)> {
        std::iter::once((None, self.message_template.as_str())).chain(
            self.message_templates
                .iter()
                .map(|(tag, template)| (Some(tag.as_str()), template.as_str())),
        )
    }

    /// The longest code message a user may get, in SMS segments, and the language of its text
    /// (`None`: the default).
    pub fn longest_code_message(&self) -> (u32, Option<&str>) {
        let builtins = texts::is_default(&self.message_template).then_some(texts::BUILT_IN);
        let candidates = self.own_templates().chain(
            builtins
                .into_iter()
                .flatten()
                .map(|(tag, template)| (Some(*tag), *template)),
        );
        let mut longest = (0, None);
        for (tag, template) in candidates {
            let segments = self.segments_of(template);
            if segments > longest.0 {
                longest = (segments, tag);
            }
        }
        longest
    }
}

/// Checks a URL Twilio will call or fetch (status callbacks, media): https, or http on loopback
/// for local use; the reason says what to write instead.
pub fn check_public_url(url: &str) -> std::result::Result<(), &'static str> {
    if url.len() > 2048 {
        return Err("must be at most 2,048 characters");
    }
    check_base_url(url.split(['?', '#']).next().unwrap_or(""))
}

/// https only, except loopback, where the reference host runs its Twilio simulator: the Auth
/// Token travels in every request and must not cross a network in clear text.
fn check_base_url(url: &str) -> std::result::Result<(), &'static str> {
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        let authority = r.split(['/', '?', '#']).next().unwrap_or("");
        if !is_loopback(authority) {
            return Err(
                "must use https:// (plain http:// is allowed only for 127.0.0.1 or localhost)",
            );
        }
        r
    } else {
        return Err("must be an https:// URL such as https://api.twilio.com");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || rest.contains(['?', '#']) || url.chars().any(char::is_whitespace) {
        return Err("must be a base URL such as https://api.twilio.com, without query or spaces");
    }
    Ok(())
}

/// `localhost`, `127.x.y.z` or `[::1]`, with an optional port and no user part (a name such as
/// `127.0.0.1.example.com` resolves anywhere).
fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix("[::1]") {
        Some(rest) => return rest.is_empty() || is_port(rest),
        None => authority.split_once(':').map_or(authority, |(h, port)| {
            if is_port(&format!(":{port}")) {
                h
            } else {
                ""
            }
        }),
    };
    if host == "localhost" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4 && octets[0] == "127" && octets.iter().all(|o| o.parse::<u8>().is_ok())
}

fn is_port(s: &str) -> bool {
    s.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests;
