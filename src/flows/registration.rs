//! Registration with phone-number confirmation, in two calls of the BaaS's ordinary register:
//!
//! 1. `{phoneNumber}` alone: a code is texted and the call answers `{transactionId, phoneNumber,
//!    expiresInSeconds, codeLength}` without registering anyone.
//! 2. The identity, `password`, `transactionId`, `transactionCode` and the same `phoneNumber`:
//!    the code is checked and consumed, and the host registers the user with the phone number
//!    normalized and marked confirmed.
//!
//! Call 1 answers a number that already has an account exactly like any other (a code is
//! texted; the same host calls in the same order), so registration tells no one who has an
//! account. The conflict shows in call 2, once the code proved the number is the caller's:
//! `PHONE_NUMBER_IN_USE`, with the advice to log in.
//!
//! If the host then fails to register (the email was taken, say), `after_register` releases the
//! verification so the user can correct the field and repeat call 2 with the same code: a typo
//! must not cost a new SMS. Either way one code creates at most one user.
//!
//! The claim is written right after the check. If the host stops before the insert (it
//! crashed), the claim stays behind, and a retry with the same code takes it over once it is
//! older than `CLAIM_LEASE_MS` (a live host reports back well within it) and registers; sooner,
//! it answers `REGISTRATION_IN_PROGRESS` with the seconds to wait, since another request may
//! still be finishing. Only a stop in the instant between taking the verification and writing
//! the claim (one storage call) still spends the code. Should two inserts ever race, the host's
//! unique phone column keeps one user.

use serde_json::{Map, Value};

use crate::error::{PluginError, Result};
use crate::hook::{HookContext, HookOutcome, HostResult};
use crate::host::{Host, LogLevel};
use crate::phone::PhoneNumber;
use crate::plugin::Plugin;
use crate::user_api::{self, text_field, CHANNEL, PASSWORD, TRANSACTION_CODE, TRANSACTION_ID};
use crate::verification::policy::Sender;
use crate::verification::{record_key, storage_error, Purpose, Record, MAX_TRANSACTION_ID_LEN};

/// How long a claim is left to the request that made it before a retry may take it over.
const CLAIM_LEASE_MS: i64 = 15_000;

fn claim_key(transaction_id: &str) -> String {
    format!("register-claim/{transaction_id}")
}

/// A claim is stored as `<ms since the epoch> <record JSON>`. A claim of an earlier version,
/// the record alone, has no time: its lease is over.
fn parse_claim(stored: &str) -> Option<(Option<i64>, Record)> {
    match stored.split_once(' ') {
        Some((since, record)) => Some((Some(since.parse().ok()?), Record::from_json(record)?)),
        None => Some((None, Record::from_json(stored)?)),
    }
}

impl<H: Host> Plugin<H> {
    pub(crate) async fn register_step(
        &self,
        ctx: &HookContext,
        args: Map<String, Value>,
    ) -> Result<HookOutcome> {
        let config = &self.config;
        // Only the plugin may say a number is confirmed.
        let args = user_api::without(args, &[&config.phone_confirmed_field]);
        let phone = text_field(&args, &config.phone_number_field)?;
        let transaction_id = text_field(&args, TRANSACTION_ID)?;
        let code = text_field(&args, TRANSACTION_CODE)?;
        let phone_required = || PluginError::PhoneNumberRequired {
            field: config.phone_number_field.clone(),
        };
        match (transaction_id, code) {
            (None, None) => match phone {
                None if config.phone_required || config.phone_is_identity() => {
                    Err(phone_required())
                }
                None => Ok(HookOutcome::Continue { args: Some(args) }),
                Some(_) if args.contains_key(PASSWORD) => Err(PluginError::VerificationRequired {
                    field: config.phone_number_field.clone(),
                }),
                Some(raw) => {
                    let channel = text_field(&args, CHANNEL)?;
                    self.start_registration(ctx, &raw, channel.as_deref()).await
                }
            },
            (Some(tid), Some(code)) => {
                let raw = phone.ok_or_else(phone_required)?;
                let phone = PhoneNumber::parse(&raw, &config.phone_number_field)?;
                let record = match self
                    .check_code(&tid, &phone, &Purpose::Register, "", &code)
                    .await
                {
                    Err(PluginError::CodeMismatch {
                        attempts_left: None,
                    }) => self.take_over_claim(&tid, &phone, &code).await?,
                    checked => checked?,
                };
                // Claimed at once, so that a host stopping from here on leaves it to the retry.
                self.claim(&tid, &record).await?;
                let existing = self
                    .host
                    .find_user(&config.phone_number_field, phone.as_str())
                    .await
                    .map_err(|_| PluginError::HostFailure("looking up the phone number".into()))?;
                if existing.is_some() {
                    let _ = self.host.storage_take(&claim_key(&tid)).await;
                    return Err(PluginError::PhoneNumberInUse {
                        field: config.phone_number_field.clone(),
                    });
                }
                let mut args = user_api::without(args, &[TRANSACTION_ID, TRANSACTION_CODE]);
                args.insert(config.phone_number_field.clone(), phone.as_str().into());
                args.insert(config.phone_confirmed_field.clone(), true.into());
                Ok(HookOutcome::Continue { args: Some(args) })
            }
            (Some(_), None) => Err(missing(TRANSACTION_CODE)),
            (None, Some(_)) => Err(missing(TRANSACTION_ID)),
        }
    }

    async fn start_registration(
        &self,
        ctx: &HookContext,
        raw_phone: &str,
        channel: Option<&str>,
    ) -> Result<HookOutcome> {
        let config = &self.config;
        let phone = PhoneNumber::parse(raw_phone, &config.phone_number_field)?;
        let sent = self
            .send_code(
                ctx,
                &phone,
                &Purpose::Register,
                "",
                Sender::Anonymous,
                None,
                channel,
            )
            .await?;
        let answer = sent.answer(config.code_ttl_seconds);
        Ok(HookOutcome::Respond {
            status: sent.status(),
            body: user_api::code_sent_to(&answer, phone.as_str(), config.code_length),
        })
    }

    /// The verification of a registration that never reported back (its host stopped between
    /// the check and the insert), once its lease is over and the code is right. Within the
    /// lease nothing is counted: the 144-bit transaction id already keeps the answer private.
    async fn take_over_claim(&self, tid: &str, phone: &PhoneNumber, code: &str) -> Result<Record> {
        let mismatch = PluginError::CodeMismatch {
            attempts_left: None,
        };
        if tid.len() > MAX_TRANSACTION_ID_LEN {
            return Err(mismatch);
        }
        let key = claim_key(tid);
        let stored = self.host.storage_get(&key).await.map_err(storage_error)?;
        let Some((since, record)) = stored.as_deref().and_then(parse_claim) else {
            return Err(mismatch);
        };
        let now = self.host.now_ms();
        let wait_ms = since.map_or(0, |since| since + CLAIM_LEASE_MS - now);
        let in_progress = PluginError::RegistrationInProgress {
            retry_after_seconds: u32::try_from((wait_ms.max(1) + 999) / 1000).unwrap_or(1),
        };
        if wait_ms > 0 {
            return Err(in_progress);
        }
        self.verifications()
            .verify(tid, &record, phone, &Purpose::Register, "", code)
            .await?;
        // Of two retries at once, only one takes it over (and claims it afresh).
        let ttl = record.seconds_left(now);
        match self
            .verifications()
            .take_if(&key, stored.as_deref(), ttl)
            .await?
        {
            true => Ok(record),
            false => Err(in_progress),
        }
    }

    /// Remembers which verification this registration consumed, and when, for
    /// `after_register` (and for a retry after a crash: `take_over_claim`).
    async fn claim(&self, transaction_id: &str, record: &Record) -> Result<()> {
        let now = self.host.now_ms();
        let json = record.to_json();
        let ttl = record.seconds_left(now);
        let claimed = self
            .host
            .storage_put(&claim_key(transaction_id), &format!("{now} {json}"), ttl)
            .await;
        if claimed.is_err() {
            // Not claimed: the verification goes back where it was, for the retry the error
            // ("try again in a moment") invites, since the check took it.
            let _ = self
                .host
                .storage_put(&record_key(transaction_id), &json, ttl)
                .await;
        }
        claimed.map_err(storage_error)
    }

    /// `args` is the client's original request; `result` what the host's registration did.
    pub(crate) async fn settle_registration(
        &self,
        _ctx: &HookContext,
        args: &Map<String, Value>,
        result: &HostResult,
    ) -> Result<HookOutcome> {
        let done = Ok(HookOutcome::Continue { args: None });
        let Ok(Some(transaction_id)) = text_field(args, TRANSACTION_ID) else {
            return done;
        };
        // Taking the claim makes this idempotent: a repeated after-hook finds nothing to do.
        let claimed = self
            .host
            .storage_take(&claim_key(&transaction_id))
            .await
            .map_err(storage_error)?;
        let Some(claimed) = claimed else {
            return done;
        };
        match result {
            // The claim's record is read only to give the code back: a registration that
            // succeeded just lets it go.
            HostResult::Succeeded { .. } => {
                self.host.log(
                    LogLevel::Info,
                    "phone number confirmed at registration",
                    crate::object! { "transactionId": transaction_id.as_str() },
                );
            }
            HostResult::Failed { code, .. } => {
                let Some((_, record)) = parse_claim(&claimed) else {
                    self.host.log(
                        LogLevel::Warn,
                        "registration failed and its claim could not be read; the code is spent",
                        crate::object! { "transactionId": transaction_id.as_str() },
                    );
                    return done;
                };
                self.verifications()
                    .release(&transaction_id, record)
                    .await?;
                self.host.log(
                    LogLevel::Info,
                    "registration failed after a correct code; the code stays valid",
                    crate::object!{ "transactionId": transaction_id.as_str(), "hostError": code.as_str() },
                );
            }
        }
        done
    }
}

fn missing(field: &str) -> PluginError {
    PluginError::InvalidInput {
        field: field.to_string(),
        expected: "given too: transactionId and transactionCode go together".into(),
    }
}
