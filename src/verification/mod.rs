//! Verification records: one code sent to one phone number for one purpose (and, for two-factor,
//! one user), stored under its transaction id with only a keyed hash of the code.
//!
//! The rules (DESIGN.md's security invariants) live here, once, for every flow: bounded
//! lifetime, bounded wrong answers counted atomically before the comparison (so parallel guesses
//! cannot exceed the bound), and single use through the host's atomic `storage_take`.

pub(crate) mod channels;
pub(crate) mod code;
pub(crate) mod deferred;
pub(crate) mod delivery;
pub(crate) mod policy;
pub(crate) mod texts;

use serde_json::Value;

use crate::config::Config;
use crate::error::{PluginError, Result};
use crate::host::{Host, HostError, LogLevel};
use crate::phone::PhoneNumber;
use crate::twilio::verify;
use crate::verification::code::{generate_code, new_transaction_id, Binding, CodeHasher};

/// How long a record outlives its code, so a late answer hears "expired" rather than "unknown".
const EXPIRED_GRACE_SECONDS: u32 = 600;
/// Transaction ids we issue are 24 characters; anything far longer is not one of ours.
pub(crate) const MAX_TRANSACTION_ID_LEN: usize = 64;

/// What a code is for. A code checked for another purpose does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Register,
    Login,
    TwoFactor,
    /// The app's own flows (`startVerification`), with the app's label, e.g. `change-phone`.
    Custom(String),
}

impl Purpose {
    pub fn label(&self) -> String {
        match self {
            Self::Register => "register".into(),
            Self::Login => "login".into(),
            Self::TwoFactor => "two-factor".into(),
            Self::Custom(label) => format!("custom:{label}"),
        }
    }
}

/// What is stored. Never the code itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub phone: String,
    pub purpose: String,
    pub user_id: String,
    pub code_hash: String,
    pub expires_at_ms: i64,
    /// Bumped when a claimed verification is released, so it gets a fresh attempts counter.
    pub generation: u32,
}

impl Record {
    /// Stored as JSON. (De)serialized by hand: serde's derived error messages would pull float
    /// formatting into the module for nothing.
    pub fn to_json(&self) -> String {
        crate::json_text::to_text(&crate::object! {
            "phone": self.phone.as_str(),
            "purpose": self.purpose.as_str(),
            "userId": self.user_id.as_str(),
            "codeHash": self.code_hash.as_str(),
            "expiresAtMs": self.expires_at_ms,
            "generation": self.generation,
        })
    }

    /// `None` for anything that is not a record we wrote.
    pub fn from_json(text: &str) -> Option<Self> {
        let v = crate::json_text::parse(text)?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Self {
            phone: s("phone")?,
            purpose: s("purpose")?,
            user_id: s("userId")?,
            code_hash: s("codeHash")?,
            expires_at_ms: v.get("expiresAtMs")?.as_i64()?,
            generation: u32::try_from(v.get("generation")?.as_u64()?).ok()?,
        })
    }

    fn binding<'a>(&'a self, transaction_id: &'a str) -> Binding<'a> {
        Binding {
            transaction_id,
            phone: &self.phone,
            purpose: &self.purpose,
            user_id: &self.user_id,
        }
    }

    /// Whole seconds left, at least 1 so a storage TTL is never zero.
    pub fn seconds_left(&self, now_ms: i64) -> u32 {
        let left = (self.expires_at_ms - now_ms).max(0) / 1000;
        u32::try_from(left).unwrap_or(u32::MAX).max(1)
    }
}

/// A verification that was just created; the caller sends `code` and then forgets it.
pub struct Started {
    pub transaction_id: String,
    pub code: String,
}

/// The rules a store of verifications enforces.
pub struct Verifications<'a, H: Host> {
    pub host: &'a H,
    pub hasher: &'a CodeHasher,
    pub config: &'a Config,
}

/// The code hash of a verification whose code Twilio Verify holds: it matches no code here.
const BY_VERIFY: &str = "verify";

/// Digits only, as many as a Verify service may send (4 to 10): anything else is wrong without
/// asking Twilio.
fn is_code(code: &str) -> bool {
    (4..=10).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

pub fn record_key(transaction_id: &str) -> String {
    format!("verification/{transaction_id}")
}

/// The newest transaction for a number whose code Verify holds.
fn current_key(phone: &str) -> String {
    format!("verify-current/{phone}")
}

fn attempts_key(transaction_id: &str, generation: u32) -> String {
    format!("attempts/{transaction_id}/{generation}")
}

pub fn storage_error(e: HostError) -> PluginError {
    PluginError::StorageUnavailable(e.message.chars().take(120).collect())
}

impl<H: Host> Verifications<'_, H> {
    /// Creates and stores a verification; the caller sends the code, and calls `discard` if it
    /// could not be sent, so no verification is left behind. `fixed` is a test number's code;
    /// `by_verify` leaves the code to Twilio Verify (`code` is then empty).
    pub async fn start(
        &self,
        phone: &PhoneNumber,
        purpose: &Purpose,
        user_id: &str,
        fixed: Option<&str>,
        by_verify: bool,
    ) -> Result<Started> {
        let transaction_id = new_transaction_id()?;
        let code = match fixed {
            Some(code) => code.to_string(),
            None if by_verify => String::new(),
            None => generate_code(self.config.code_length)?,
        };
        let mut record = Record {
            phone: phone.as_str().to_string(),
            purpose: purpose.label(),
            user_id: user_id.to_string(),
            code_hash: String::new(),
            expires_at_ms: self.host.now_ms() + i64::from(self.config.code_ttl_seconds) * 1000,
            generation: 0,
        };
        record.code_hash = if by_verify {
            BY_VERIFY.into()
        } else {
            self.hasher.hash(&record.binding(&transaction_id), &code)
        };
        self.store(&transaction_id, &record).await?;
        if by_verify {
            // Verify keeps one code per number, resent to each new transaction: only the newest
            // transaction may use it, so a code answers the purpose of the message it came in.
            let ttl = self.config.code_ttl_seconds + EXPIRED_GRACE_SECONDS;
            self.host
                .storage_put(&current_key(phone.as_str()), &transaction_id, ttl)
                .await
                .map_err(storage_error)?;
        }
        Ok(Started {
            transaction_id,
            code,
        })
    }

    async fn store(&self, transaction_id: &str, record: &Record) -> Result<()> {
        let value = record.to_json();
        let ttl = record.seconds_left(self.host.now_ms()) + EXPIRED_GRACE_SECONDS;
        self.host
            .storage_put(&record_key(transaction_id), &value, ttl)
            .await
            .map_err(storage_error)
    }

    pub async fn discard(&self, transaction_id: &str) {
        if let Err(e) = self.host.storage_take(&record_key(transaction_id)).await {
            self.host.log(
                LogLevel::Warn,
                "could not discard an unsent verification; it expires on its own",
                crate::object! { "error": e.message },
            );
        }
    }

    /// Checks an answer and, when it is right, consumes the verification and returns it.
    /// Unknown id, wrong phone, wrong purpose and wrong code all answer `CodeMismatch`.
    pub async fn check(
        &self,
        transaction_id: &str,
        phone: &PhoneNumber,
        purpose: &Purpose,
        user_id: &str,
        code: &str,
    ) -> Result<Record> {
        let unknown = PluginError::CodeMismatch {
            attempts_left: None,
        };
        if transaction_id.is_empty() || transaction_id.len() > MAX_TRANSACTION_ID_LEN {
            return Err(unknown);
        }
        let key = record_key(transaction_id);
        let stored = self.host.storage_get(&key).await.map_err(storage_error)?;
        let Some(mut record) = stored.as_deref().and_then(Record::from_json) else {
            return Err(unknown);
        };
        self.verify(transaction_id, &record, phone, purpose, user_id, code)
            .await?;
        let ttl = record.seconds_left(self.host.now_ms()) + EXPIRED_GRACE_SECONDS;
        let mut expected = stored;
        if record.code_hash == BY_VERIFY {
            // Verify approves a code once. The approved code is kept first, hashed here, so that
            // neither a storage failure from now on nor a released registration loses it.
            record.code_hash = self.hasher.hash(&record.binding(transaction_id), code);
            self.store(transaction_id, &record).await?;
            expected = Some(record.to_json());
        }
        // Single use: of two concurrent right answers, only one takes the record.
        match self.take_if(&key, expected.as_deref(), ttl).await? {
            true => Ok(record),
            false => Err(unknown),
        }
    }

    /// Whether `code` is the answer of `record` in this context: its lifetime, then one more
    /// attempt counted, then the comparison. Consumes nothing.
    pub async fn verify(
        &self,
        transaction_id: &str,
        record: &Record,
        phone: &PhoneNumber,
        purpose: &Purpose,
        user_id: &str,
        code: &str,
    ) -> Result<()> {
        let now = self.host.now_ms();
        if now >= record.expires_at_ms {
            return Err(PluginError::VerificationExpired);
        }
        // Counted before comparing: N parallel guesses take N distinct counts.
        let attempts = self
            .host
            .storage_incr(
                &attempts_key(transaction_id, record.generation),
                record.seconds_left(now),
            )
            .await
            .map_err(storage_error)?;
        let max = i64::from(self.config.max_attempts);
        if attempts > max {
            return Err(PluginError::TooManyAttempts);
        }
        let purpose = purpose.label();
        let claimed = Binding {
            transaction_id,
            phone: phone.as_str(),
            purpose: &purpose,
            user_id,
        };
        let right = match (
            &self.config.verify_service_sid,
            record.code_hash == BY_VERIFY,
        ) {
            (Some(sid), true) => {
                self.verify_checks(sid, transaction_id, record, &claimed, code)
                    .await?
            }
            _ => self.hasher.verify(&claimed, code, &record.code_hash),
        };
        if !right {
            let left = u32::try_from(max - attempts).unwrap_or(0);
            return Err(if left == 0 {
                PluginError::TooManyAttempts
            } else {
                PluginError::CodeMismatch {
                    attempts_left: Some(left),
                }
            });
        }
        Ok(())
    }

    /// Whether Twilio Verify approves `code` for this transaction. Verify knows the number's
    /// code, not what it is for: the binding, the newest transaction for the number and the
    /// code's form are compared here first, without asking it. For phone login, Verify having
    /// no verification (a number with no account, to which nothing was sent) or no more checks
    /// is a wrong code like any other, so the answer does not tell who has an account.
    async fn verify_checks(
        &self,
        sid: &str,
        transaction_id: &str,
        record: &Record,
        claimed: &Binding<'_>,
        code: &str,
    ) -> Result<bool> {
        let current = self
            .host
            .storage_get(&current_key(&record.phone))
            .await
            .map_err(storage_error)?;
        if claimed.phone != record.phone
            || claimed.purpose != record.purpose
            || claimed.user_id != record.user_id
            || !is_code(code)
            || current.as_deref() != Some(transaction_id)
        {
            return Ok(false);
        }
        match verify::check_code(self.host, self.config, sid, &record.phone, code).await {
            Err(PluginError::VerificationExpired | PluginError::TooManyAttempts)
                if record.purpose == Purpose::Login.label() =>
            {
                Ok(false)
            }
            checked => checked,
        }
    }

    /// Puts back a verification that was consumed by an operation that then failed (say, the
    /// email was already taken), with a fresh attempts counter, until its original expiry.
    pub async fn release(&self, transaction_id: &str, mut record: Record) -> Result<()> {
        if self.host.now_ms() >= record.expires_at_ms {
            return Ok(());
        }
        record.generation += 1;
        self.store(transaction_id, &record).await
    }

    /// Takes the value at `key` if it is still `expected`, atomically as far as anyone else can
    /// tell: a different value (written since it was read: a record released again, a newer
    /// claim) is put back, for `ttl_seconds`, as not this caller's to end.
    pub async fn take_if(
        &self,
        key: &str,
        expected: Option<&str>,
        ttl_seconds: u32,
    ) -> Result<bool> {
        match self.host.storage_take(key).await.map_err(storage_error)? {
            Some(taken) if Some(taken.as_str()) == expected => Ok(true),
            Some(newer) => {
                let _ = self.host.storage_put(key, &newer, ttl_seconds).await;
                Ok(false)
            }
            None => Ok(false),
        }
    }
}
