//! Login with a phone number and a code, and SMS two-factor authentication after a password.
//!
//! Phone login: `{phoneNumber}` texts a code to the account with that number and answers
//! `{transactionId, expiresInSeconds, resendAfterSeconds}`; `{phoneNumber, transactionId,
//! transactionCode}` answers `authenticate` for that user. A number with no account answers the
//! same way and gets no SMS: it stores a decoy verification whose attempts count down like a
//! real one, and the Twilio call (the SMS, or a read of the account) happens after the answer
//! (see `deferred`), so neither the answer nor its timing tells the two apart, whatever Twilio
//! does.
//!
//! Two factors mean two: for a user with two-factor on, or with `twoFactor` `required`, a phone
//! code alone never yields a session (`TWO_FACTOR_REQUIRED`: log in with the password). Under
//! `required` that is said at once, for every number alike; under `optional` only after the code
//! proved the phone, so that the answer reveals nothing to someone without it.
//!
//! Two-factor: after a correct password, `after_login` withholds the session and answers
//! `{twoFactorRequired, transactionId, phoneNumber (masked), expiresInSeconds}`; the client then
//! sends `{login, transactionId, transactionCode}` and is authenticated. Its code has a budget of
//! its own per user, which no anonymous request can spend. Codes are bound to the purpose and the
//! user, so a registration code logs no one in and one user's code logs in no other.

use serde_json::{Map, Value};

use crate::config::TwoFactorMode;
use crate::error::{PluginError, Result};
use crate::hook::{HookContext, HookOutcome, HostResult};
use crate::host::Host;
use crate::phone::PhoneNumber;
use crate::plugin::Plugin;
use crate::user_api::{
    self, text_field, CHANNEL, LOGIN, OBJECT_ID, PASSWORD, TRANSACTION_CODE, TRANSACTION_ID,
};
use crate::verification::policy::Sender;
use crate::verification::Purpose;

fn user_id_of(user: &Map<String, Value>) -> Option<String> {
    match user.get(OBJECT_ID)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl<H: Host> Plugin<H> {
    pub(crate) async fn login_step(
        &self,
        ctx: &HookContext,
        args: Map<String, Value>,
    ) -> Result<HookOutcome> {
        let phone_field = &self.config.phone_number_field;
        let phone = text_field(&args, phone_field)?;
        let login = text_field(&args, LOGIN)?;
        let transaction = (
            text_field(&args, TRANSACTION_ID)?,
            text_field(&args, TRANSACTION_CODE)?,
        );
        match transaction {
            (Some(tid), Some(code)) => match (login, phone) {
                (Some(login), _) => self.finish_two_factor(&tid, &login, &code).await,
                (None, Some(phone)) => self.finish_phone_login(&tid, &phone, &code).await,
                (None, None) => Err(PluginError::InvalidInput {
                    field: LOGIN.into(),
                    expected: format!("given with transactionId: the login of the password step, or `{phone_field}` for phone login"),
                }),
            },
            (Some(_), None) | (None, Some(_)) => Err(PluginError::InvalidInput {
                field: TRANSACTION_CODE.into(),
                expected: "given together with transactionId".into(),
            }),
            (None, None) => match phone {
                Some(phone) if !args.contains_key(PASSWORD) && login.is_none() => {
                    if !self.config.phone_login {
                        return Err(PluginError::PhoneLoginDisabled);
                    }
                    if self.config.two_factor == TwoFactorMode::Required {
                        return Err(PluginError::TwoFactorRequired);
                    }
                    let channel = text_field(&args, CHANNEL)?;
                    self.start_phone_login(ctx, &phone, channel.as_deref()).await
                }
                // An ordinary password login: the host checks it, `after_login` may add 2FA.
                // When the phone number is the identity, a login is written like any number
                // registration accepts (`+1 415 555 0161`): the host compares the E.164 form.
                _ => Ok(HookOutcome::Continue {
                    args: match (login, self.config.phone_is_identity()) {
                        (Some(login), true) => {
                            let mut args = args;
                            args.insert(LOGIN.into(), self.identity_of(login).into());
                            Some(args)
                        }
                        _ => None,
                    },
                }),
            },
        }
    }

    /// The login as the users table holds it: a phone number in E.164 when the phone number is
    /// the identity and the login reads as one, else as written.
    fn identity_of(&self, login: String) -> String {
        match PhoneNumber::parse(&login, LOGIN) {
            Ok(phone) if self.config.phone_is_identity() => phone.as_str().to_string(),
            _ => login,
        }
    }

    async fn find_user(&self, field: &str, value: &str) -> Result<Option<Map<String, Value>>> {
        self.host
            .find_user(field, value)
            .await
            .map_err(|_| PluginError::HostFailure("looking up the user".into()))
    }

    async fn start_phone_login(
        &self,
        ctx: &HookContext,
        raw: &str,
        channel: Option<&str>,
    ) -> Result<HookOutcome> {
        let phone = PhoneNumber::parse(raw, &self.config.phone_number_field)?;
        let user = self
            .find_user(&self.config.phone_number_field, phone.as_str())
            .await?;
        let user_id = user.as_ref().and_then(user_id_of);
        let has_account = Some(user_id.is_some());
        let user_id = user_id.unwrap_or_default();
        let sender = Sender::Anonymous;
        let sent = self
            .send_code(
                ctx,
                &phone,
                &Purpose::Login,
                &user_id,
                sender,
                has_account,
                channel,
            )
            .await?;
        Ok(HookOutcome::Respond {
            status: 200,
            body: Value::Object(user_api::code_sent(
                &sent.answer(self.config.code_ttl_seconds),
            )),
        })
    }

    async fn finish_phone_login(&self, tid: &str, raw: &str, code: &str) -> Result<HookOutcome> {
        let phone = PhoneNumber::parse(raw, &self.config.phone_number_field)?;
        let user = self
            .find_user(&self.config.phone_number_field, phone.as_str())
            .await?;
        let user_id = user.as_ref().and_then(user_id_of).unwrap_or_default();
        self.check_code(tid, &phone, &Purpose::Login, &user_id, code)
            .await?;
        match user {
            // A guessed decoy code: there is no one to log in.
            _ if user_id.is_empty() => Err(PluginError::CodeMismatch {
                attempts_left: None,
            }),
            Some(user) if self.needs_two_factor(&user) => Err(PluginError::TwoFactorRequired),
            _ => Ok(HookOutcome::Authenticate { user_id }),
        }
    }

    async fn finish_two_factor(&self, tid: &str, login: &str, code: &str) -> Result<HookOutcome> {
        let mismatch = PluginError::CodeMismatch {
            attempts_left: None,
        };
        let login = self.identity_of(login.to_string());
        let Some(user) = self.find_user(&self.config.identity_field, &login).await? else {
            return Err(mismatch);
        };
        let (Some(user_id), Some(phone)) = (user_id_of(&user), self.phone_of(&user)) else {
            return Err(mismatch);
        };
        self.check_code(tid, &phone, &Purpose::TwoFactor, &user_id, code)
            .await?;
        Ok(HookOutcome::Authenticate { user_id })
    }

    fn phone_of(&self, user: &Map<String, Value>) -> Option<PhoneNumber> {
        let raw = user.get(&self.config.phone_number_field)?.as_str()?;
        PhoneNumber::parse(raw, &self.config.phone_number_field).ok()
    }

    fn needs_two_factor(&self, user: &Map<String, Value>) -> bool {
        match self.config.two_factor {
            TwoFactorMode::Off => false,
            TwoFactorMode::Required => true,
            // Whatever a users table stores for "on": true, 1, "true", "TRUE", "1".
            TwoFactorMode::Optional => match user.get(&self.config.two_factor_field) {
                Some(Value::Bool(on)) => *on,
                Some(Value::Number(n)) => n.as_f64() == Some(1.0),
                Some(Value::String(s)) => s.eq_ignore_ascii_case("true") || s == "1",
                _ => false,
            },
        }
    }

    /// After the host's password check. A login that already proved possession of the phone
    /// (phone login, or 2FA's second step) is left alone.
    pub(crate) async fn settle_login(
        &self,
        ctx: &HookContext,
        args: &Map<String, Value>,
        result: &HostResult,
    ) -> Result<HookOutcome> {
        let done = Ok(HookOutcome::Continue { args: None });
        let HostResult::Succeeded { user } = result else {
            return done;
        };
        // Read exactly as `before_login` reads it: an empty or null transactionId is no
        // transaction, and must not pass for a login that already proved the phone.
        let proved_phone = text_field(args, TRANSACTION_ID).ok().flatten().is_some();
        if proved_phone || !self.needs_two_factor(user) {
            return done;
        }
        let (Some(user_id), Some(phone)) = (user_id_of(user), self.phone_of(user)) else {
            return Err(PluginError::TwoFactorUnavailable);
        };
        let sender = Sender::TwoFactor { user_id: &user_id };
        let channel = text_field(args, CHANNEL)?;
        let sent = self
            .send_code(
                ctx,
                &phone,
                &Purpose::TwoFactor,
                &user_id,
                sender,
                None,
                channel.as_deref(),
            )
            .await?;
        let answer = sent.answer(self.config.code_ttl_seconds);
        Ok(HookOutcome::Respond {
            status: sent.status(),
            body: user_api::two_factor_started(&answer, &phone.masked()),
        })
    }
}
