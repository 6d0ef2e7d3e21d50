//! Reading requests, for every flow and both adapters: one rule for what counts as given, and
//! the names of the fields the BaaS's user API carries (its JSON, the same in both builds).
//!
//! A hook's arguments stay a map, since the BaaS's schema is open (a user has whatever columns
//! the app gave it); the plugin reads the few fields it knows through `text_field`.

use serde_json::{Map, Value};

use crate::api::CodeAnswer;
use crate::error::{PluginError, Result};

/// The fields of the user API that the plugin reads or answers.
pub(crate) const TRANSACTION_ID: &str = "transactionId";
pub(crate) const TRANSACTION_CODE: &str = "transactionCode";
pub(crate) const PASSWORD: &str = "password";
pub(crate) const LOGIN: &str = "login";
/// The channel a code is asked over (`sms`, `whatsapp`, `call`).
pub(crate) const CHANNEL: &str = "channel";
/// The BaaS's user id column (Backendless's name).
pub(crate) const OBJECT_ID: &str = "objectId";

pub(crate) fn invalid(field: &str, expected: &str) -> PluginError {
    PluginError::InvalidInput {
        field: field.into(),
        expected: expected.into(),
    }
}

/// A string field of a request; absent when missing, null or empty.
pub(crate) fn text_field(args: &Map<String, Value>, field: &str) -> Result<Option<String>> {
    match args.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(given(s)),
        Some(_) => Err(invalid(field, "text")),
    }
}

/// `args` without the fields `names`. Rebuilt rather than removed from in place: a map's
/// removal (with its rebalancing) would be linked into the module for these two uses alone.
pub(crate) fn without(args: Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    let mut kept = Map::new();
    for (name, value) in args {
        if !names.contains(&name.as_str()) {
            kept.insert(name, value);
        }
    }
    kept
}

/// Text as given, trimmed; `None` when there is nothing but blanks.
pub(crate) fn given(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// `given` for a field that may be absent.
pub(crate) fn given_opt(text: Option<&str>) -> Option<String> {
    text.and_then(given)
}

/// The answer fields every code a hook sends shares: `transactionId`, `expiresInSeconds`,
/// `resendAfterSeconds`, and when delivery is uncertain `deliveryUncertain` with a message.
pub(crate) fn code_sent(answer: &CodeAnswer) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(TRANSACTION_ID.into(), answer.transaction_id.clone().into());
    m.insert("expiresInSeconds".into(), answer.expires_in_seconds.into());
    m.insert(
        "resendAfterSeconds".into(),
        answer.resend_after_seconds.into(),
    );
    m.insert(CHANNEL.into(), answer.channel.clone().into());
    if let Some(message) = &answer.uncertain {
        m.insert("deliveryUncertain".into(), true.into());
        m.insert("message".into(), message.clone().into());
    }
    m
}

/// Registration's first step, and `startVerification`: the code's number and length too.
pub(crate) fn code_sent_to(answer: &CodeAnswer, phone: &str, code_length: u32) -> Value {
    let mut m = code_sent(answer);
    m.insert("phoneNumber".into(), phone.into());
    m.insert("codeLength".into(), code_length.into());
    Value::Object(m)
}

/// Two-factor's first step, after the password: the number masked.
pub(crate) fn two_factor_started(answer: &CodeAnswer, masked_phone: &str) -> Value {
    let mut m = code_sent(answer);
    m.insert("twoFactorRequired".into(), true.into());
    m.insert("phoneNumber".into(), masked_phone.into());
    Value::Object(m)
}
