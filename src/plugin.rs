//! The plugin: a validated configuration, the code hasher, and the host it runs in. Its
//! operations are listed in `operations`; each flow adds its own steps in `flows`.

use std::cell::RefCell;

use crate::config::Config;
use crate::error::{PluginError, Result};
use crate::host::{Host, LogLevel};
use crate::phone::PhoneNumber;
use crate::verification::code::CodeHasher;
use crate::verification::deferred::Deferred;
use crate::verification::policy::activity::{count_op, VERIFIED};
use crate::verification::policy::Op;

/// Checks of one test number's codes in a clock hour: plenty for a reviewer, while a 6-digit
/// code would take a guesser tens of thousands of hours.
const TEST_CHECKS_PER_HOUR: i64 = 20;
use crate::verification::{storage_error, Purpose, Record, Verifications};

pub struct Plugin<H: Host> {
    pub(crate) config: Config,
    pub(crate) hasher: CodeHasher,
    pub(crate) host: H,
    /// Work left for after an answer (phone login's send); see `deferred`.
    pub(crate) deferred: RefCell<Vec<Deferred>>,
}

impl<H: Host> Plugin<H> {
    /// The code-hashing key is derived from the host's `codeHashingKey`, a secret kept out of
    /// every store (the reference host derives it from its master key), so a copy of the
    /// storage and the configuration gives no way to test a code. A host that supplies none gets
    /// the Auth Token's instead: then the token must never be stored where the hashes are.
    pub fn new(config: Config, host: H) -> Self {
        let root = config.code_hashing_key.as_ref();
        if root.is_none() {
            host.log(
                LogLevel::Warn,
                "no codeHashingKey from the host: codes are hashed under the Auth Token, so a copy of the storage and the token is enough to test them; supply the manifest's hostSecrets",
                crate::object! {},
            );
        }
        let hasher = CodeHasher::new(root.unwrap_or(&config.auth_token));
        Self {
            config,
            hasher,
            host,
            deferred: RefCell::new(Vec::new()),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn host(&self) -> &H {
        &self.host
    }

    pub(crate) fn verifications(&self) -> Verifications<'_, H> {
        Verifications {
            host: &self.host,
            hasher: &self.hasher,
            config: &self.config,
        }
    }

    /// Checks and consumes a code (see `Verifications::check`), and counts it as verified for
    /// the conversion breaker.
    ///
    /// A test number's code is fixed, so every new verification would bring fresh attempts at
    /// it: its checks are also counted per number, at most `TEST_CHECKS_PER_HOUR` in a clock
    /// hour, whatever the verification. Its code proves nothing about the country's traffic,
    /// nor does phone login's (the breaker does not judge phone login, see `deferred`), nor a
    /// verification that comes back released (`after_register`): those are not counted.
    pub(crate) async fn check_code(
        &self,
        transaction_id: &str,
        phone: &PhoneNumber,
        purpose: &Purpose,
        user_id: &str,
        code: &str,
    ) -> Result<Record> {
        let now = self.host.now_ms();
        let test = self.config.policy.test_numbers.code_for(phone).is_some();
        if test {
            let key = format!("test-checks/{}/{}", phone.as_str(), now / 3_600_000);
            let checks = self.host.storage_incr(&key, 3600).await;
            if checks.map_err(storage_error)? > TEST_CHECKS_PER_HOUR {
                return Err(PluginError::TooManyAttempts);
            }
        }
        let record = self
            .verifications()
            .check(transaction_id, phone, purpose, user_id, code)
            .await?;
        if !test && record.generation == 0 && *purpose != Purpose::Login {
            if let Op::Incr(key, ttl) = count_op(&phone.country(), VERIFIED, now) {
                let _ = self.host.storage_incr(&key, ttl).await;
            }
        }
        Ok(record)
    }
}
