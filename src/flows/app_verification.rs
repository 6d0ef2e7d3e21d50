//! `startVerification` / `checkVerification`: the same code machinery, with the same rules, for
//! the app's own flows (say, confirming a changed phone number). A verification is bound to the
//! number, the app's purpose label and the signed-in caller who started it.

use serde_json::Value;

use crate::error::{PluginError, Result};
use crate::flows::messaging::request_map;
use crate::flows::registration::text_field;
use crate::hook::HookContext;
use crate::host::Host;
use crate::phone::PhoneNumber;
use crate::plugin::Plugin;
use crate::verification::policy::Sender;
use crate::verification::Purpose;

const DEFAULT_PURPOSE: &str = "verify";

/// The app's purpose label.
fn purpose_of(request: &serde_json::Map<String, Value>) -> Result<String> {
    let label = text_field(request, "purpose")?.unwrap_or_else(|| DEFAULT_PURPOSE.into());
    let valid = label.len() <= 32
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if valid {
        Ok(label)
    } else {
        Err(PluginError::InvalidInput {
            field: "purpose".into(),
            expected: "a short label of lowercase letters, digits, - and _, such as change-phone"
                .into(),
        })
    }
}

fn phone_of(request: &serde_json::Map<String, Value>) -> Result<PhoneNumber> {
    let raw = text_field(request, "phoneNumber")?.ok_or_else(|| PluginError::InvalidInput {
        field: "phoneNumber".into(),
        expected: "the phone number to verify".into(),
    })?;
    PhoneNumber::parse(&raw, "phoneNumber")
}

impl<H: Host> Plugin<H> {
    pub async fn start_verification(&self, ctx: &HookContext, request: &Value) -> Result<Value> {
        let caller = self.caller(ctx)?;
        let request = request_map(request)?;
        let phone = phone_of(request)?;
        let purpose = Purpose::Custom(purpose_of(request)?);
        let sender = Sender::App {
            caller: &caller,
            segments: self.code_segments(ctx),
        };
        let sent = self
            .send_code(ctx, &phone, &purpose, &caller, sender, None)
            .await?;
        let mut body = sent.fields(self.config.code_ttl_seconds);
        body.insert("phoneNumber".into(), phone.as_str().into());
        body.insert("codeLength".into(), self.config.code_length.into());
        Ok(Value::Object(body))
    }

    /// Answers `{verified: true, phoneNumber, purpose}` or an error; the purpose must be the
    /// one the verification was started with.
    pub async fn check_verification(&self, ctx: &HookContext, request: &Value) -> Result<Value> {
        let caller = self.caller(ctx)?;
        let request = request_map(request)?;
        let phone = phone_of(request)?;
        let label = purpose_of(request)?;
        let missing = |field: &str| PluginError::InvalidInput {
            field: field.into(),
            expected: "given: transactionId and transactionCode from startVerification".into(),
        };
        let tid = text_field(request, "transactionId")?.ok_or_else(|| missing("transactionId"))?;
        let code =
            text_field(request, "transactionCode")?.ok_or_else(|| missing("transactionCode"))?;
        self.check_code(
            &tid,
            &phone,
            &Purpose::Custom(label.clone()),
            &caller,
            &code,
        )
        .await?;
        Ok(crate::object! { "verified": true, "phoneNumber": phone.as_str(), "purpose": label })
    }
}
