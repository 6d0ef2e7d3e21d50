//! `startVerification` / `checkVerification`: the same code machinery, with the same rules, for
//! the app's own flows (say, confirming a changed phone number). A verification is bound to the
//! number, the app's purpose label and the signed-in caller who started it.

use crate::api::{CheckVerification, CheckedVerification, StartVerification, StartedVerification};
use crate::error::Result;
use crate::hook::HookContext;
use crate::host::Host;
use crate::phone::PhoneNumber;
use crate::plugin::Plugin;
use crate::text;
use crate::user_api::{given, given_opt, invalid, TRANSACTION_CODE, TRANSACTION_ID};
use crate::verification::policy::Sender;
use crate::verification::{record_key, Purpose, Record};

const DEFAULT_PURPOSE: &str = "verify";

/// The app's purpose label.
fn purpose_of(purpose: Option<&str>) -> Result<String> {
    let label = given_opt(purpose).unwrap_or_else(|| DEFAULT_PURPOSE.into());
    let valid = label.len() <= 32
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if valid {
        Ok(label)
    } else {
        Err(invalid(
            "purpose",
            "a short label of lowercase letters, digits, - and _, such as change-phone",
        ))
    }
}

fn phone_of(phone_number: &str) -> Result<PhoneNumber> {
    let raw =
        given(phone_number).ok_or_else(|| invalid("phoneNumber", "the phone number to verify"))?;
    PhoneNumber::parse(&raw, "phoneNumber")
}

impl<H: Host> Plugin<H> {
    pub(crate) async fn start_app_verification(
        &self,
        ctx: &HookContext,
        request: &StartVerification,
    ) -> Result<StartedVerification> {
        let caller = self.caller(ctx)?;
        let phone = phone_of(&request.phone_number)?;
        let purpose = Purpose::Custom(purpose_of(request.purpose.as_deref())?);
        let sender = Sender::App {
            caller: &caller,
            segments: self.code_segments(ctx),
        };
        let sent = self
            .send_code(
                ctx,
                &phone,
                &purpose,
                &caller,
                sender,
                None,
                request.channel.as_deref(),
            )
            .await?;
        Ok(StartedVerification {
            sent: sent.answer(self.config.code_ttl_seconds),
            phone_number: phone.as_str().to_string(),
            code_length: self.config.code_length,
        })
    }

    /// The verified number and purpose, or an error; the purpose must be the one the
    /// verification was started with.
    pub(crate) async fn check_app_verification(
        &self,
        ctx: &HookContext,
        request: &CheckVerification,
    ) -> Result<CheckedVerification> {
        let caller = self.caller(ctx)?;
        let phone = phone_of(&request.phone_number)?;
        let label = purpose_of(request.purpose.as_deref())?;
        let missing = |field: &str| {
            invalid(
                field,
                "given: transactionId and transactionCode from startVerification",
            )
        };
        let tid = given(&request.transaction_id).ok_or_else(|| missing(TRANSACTION_ID))?;
        let code = given(&request.transaction_code).ok_or_else(|| missing(TRANSACTION_CODE))?;
        if request.purpose.is_none() {
            // A check that left its purpose out of a verification the caller started with
            // one is the client's slip, not a guess: say so, and spend no attempt on it.
            let stored = self.host.storage_get(&record_key(&tid)).await;
            let record = stored.ok().flatten().and_then(|r| Record::from_json(&r));
            // Only the app's own verifications: a registration's or a login's stays a mismatch.
            let own = Purpose::Custom(label.clone()).label();
            let now = self.host.now_ms();
            if record.is_some_and(|r| {
                r.user_id == caller
                    && r.purpose != own
                    && text::find(&r.purpose, "custom:") == Some(0)
                    && r.expires_at_ms > now
            }) {
                return Err(invalid(
                    "purpose",
                    "given: the purpose startVerification was called with",
                ));
            }
        }
        self.check_code(
            &tid,
            &phone,
            &Purpose::Custom(label.clone()),
            &caller,
            &code,
        )
        .await?;
        Ok(CheckedVerification {
            phone_number: phone.as_str().to_string(),
            purpose: label,
        })
    }
}
