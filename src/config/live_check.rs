//! TEST CONFIGURATION: live checks of a configuration against Twilio, each reported on its own
//! with what to do about it, so the person at the configuration popup can fix it before saving.

use serde_json::Value;

use crate::api::{CheckName, CheckStatus as Status, ConfigurationCheck, ConfigurationReport};
use crate::host::Host;
use crate::plugin::Plugin;
use crate::twilio::verify::fetch_service;
use crate::twilio::{fetch_account, fetch_incoming_number, fetch_messaging_service};
use crate::verification::channels::Channel;

fn check(name: CheckName, status: Status, message: impl Into<String>) -> ConfigurationCheck {
    ConfigurationCheck {
        name,
        status,
        message: message.into(),
    }
}

/// What the account check found, deciding what the sender check can do.
enum Account {
    Usable,
    TestCredentials,
    Unusable,
}

impl<H: Host> Plugin<H> {
    /// Every check, each with what to do about it.
    pub(crate) async fn live_check(&self) -> ConfigurationReport {
        // Verify writes its own messages.
        let (segments, tag) = match self.config.verify_service_sid {
            Some(_) => (0, None),
            None => self.config.longest_code_message(),
        };
        let mut checks = vec![if segments > 2 {
            check(
                CheckName::Fields,
                Status::Warning,
                format!("Every field is well formed, but the text for {} makes a code SMS of {segments} segments, each billed: shorten it (a segment holds 160 plain characters, or 70 with emoji or non-Latin letters).", tag.unwrap_or("the default")),
            )
        } else {
            check(
                CheckName::Fields,
                Status::Passed,
                "Every field is well formed.",
            )
        }];
        let (account_check, account) = self.check_account().await;
        checks.push(account_check);
        checks.push(match account {
            Account::Usable => self.check_sender().await,
            Account::TestCredentials => check(
                CheckName::Sender,
                Status::Skipped,
                "Test credentials cannot read the account's numbers. With them, only Twilio's magic sender +15005550006 works.",
            ),
            Account::Unusable => check(CheckName::Sender, Status::Skipped, "Checked once the credentials are accepted."),
        });
        checks.push(self.check_sending().await);
        ConfigurationReport { checks }
    }

    /// The send policy as it stands: countries paused by the conversion breaker (a warning: codes
    /// to them are refused), the country policy and the test numbers.
    async fn check_sending(&self) -> ConfigurationCheck {
        let policy = &self.config.policy;
        let now = self.host.now_ms();
        let mut text = String::new();
        for p in self.pauses(now).await {
            let minutes = (p.until_ms - now) / 60_000 + 1;
            text += &format!("Codes to {} are paused for {minutes} more minutes by the conversion breaker: only {} of {} codes sent there in the last hour were entered. If they were real users, lower breakerMinVerifiedPercent or raise breakerMinCodes; if not, this stopped SMS pumping. ", p.country, p.verified, p.sent);
        }
        let status = if text.is_empty() {
            text += "No country is paused. ";
            Status::Passed
        } else {
            Status::Warning
        };
        let (allowed, blocked) = (
            &policy.countries.allowed_text,
            &policy.countries.blocked_text,
        );
        let only = if allowed.is_empty() {
            "every country"
        } else {
            allowed
        };
        let never = if blocked.is_empty() { "none" } else { blocked };
        let tests = match policy.test_numbers.len() {
            0 => "none".to_string(),
            n => format!("{n}, never texted; anyone who knows one can use its code"),
        };
        text += &format!("Codes go to {only}; never to {never}. Test numbers: {tests}.");
        check(CheckName::Sending, status, text)
    }

    async fn check_account(&self) -> (ConfigurationCheck, Account) {
        let name = CheckName::Credentials;
        match fetch_account(&self.host, &self.config).await {
            Ok(account) => {
                let field = |k: &str| account.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let label = field("friendly_name");
                match (field("status").as_str(), field("type").as_str()) {
                    ("active", "Trial") => (
                        check(name, Status::Warning, format!("Twilio accepted the credentials of \"{label}\", a Trial account: it can only text numbers verified in your Twilio Console. Upgrade the account to text anyone.")),
                        Account::Usable,
                    ),
                    ("active", _) => (
                        check(name, Status::Passed, format!("Twilio accepted the credentials of \"{label}\".")),
                        Account::Usable,
                    ),
                    (status, _) => (
                        check(name, Status::Failed, format!("The Twilio account \"{label}\" is {status}: it cannot send messages. Reactivate it in your Twilio Console.")),
                        Account::Unusable,
                    ),
                }
            }
            Err(err) => match err.twilio_code() {
                Some(20003) => (
                    check(name, Status::Failed, "Twilio refused the Account SID and Auth Token (Twilio error 20003): check both in your Twilio Console, where the token is under the SID."),
                    Account::Unusable,
                ),
                Some(20008) => (
                    check(name, Status::Warning, "These are Twilio test credentials: messages are not delivered, and only Twilio's magic test numbers work. Use the live Account SID and Auth Token for real users."),
                    Account::TestCredentials,
                ),
                _ => (check(name, Status::Failed, err.to_string()), Account::Unusable),
            },
        }
    }

    /// The sender number and the Messaging Service, each when configured: Twilio is sent both
    /// when both are set, so both must work.
    async fn check_sender(&self) -> ConfigurationCheck {
        let sender = &self.config.sender;
        let mut found = Vec::new();
        if let Some(number) = &sender.phone_number {
            found.push(self.check_number(number).await);
        }
        if let Some(sid) = &sender.messaging_service_sid {
            found.push(self.check_service(sid).await);
        }
        if let Some(sid) = &self.config.verify_service_sid {
            found.push(self.check_verify_service(sid).await);
            if sender.phone_number.is_none() && sender.messaging_service_sid.is_none() {
                found.push((Status::Warning, "No sender is set: Verify sends the codes, but sendSms and sendMms cannot send until senderPhoneNumber or messagingServiceSid is.".into()));
            }
        }
        let has = |wanted: Status| found.iter().any(|(status, _)| *status == wanted);
        let status = [Status::Failed, Status::Warning]
            .into_iter()
            .find(|s| has(*s))
            .unwrap_or(Status::Passed);
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        check(CheckName::Sender, status, messages.join(" "))
    }

    async fn check_number(&self, number: &str) -> (Status, String) {
        // Calls go from this number when the plugin itself calls.
        let calls = self.config.verify_service_sid.is_none()
            && self.config.channels.contains(&Channel::Call);
        match fetch_incoming_number(&self.host, &self.config, number).await {
            Ok(Some(entry)) if calls && entry["capabilities"]["voice"] != true => (Status::Failed, format!("{number} belongs to the account but cannot make calls, and channels has call. Choose a voice-capable number, or leave call out of channels.")),
            Ok(Some(entry)) if entry["capabilities"]["sms"] == true => {
                (Status::Passed, format!("{number} belongs to the account and can send SMS{}.", if calls { " and make calls" } else { "" }))
            }
            Ok(Some(_)) => (Status::Failed, format!("{number} belongs to the account but cannot send SMS. Choose an SMS-capable number in Twilio Console > Phone Numbers.")),
            Ok(None) => (Status::Failed, format!("{number} does not belong to this Twilio account. Choose one of the account's numbers in Twilio Console > Phone Numbers.")),
            Err(err) => (Status::Failed, err.to_string()),
        }
    }

    /// The Verify service that makes and checks the codes.
    async fn check_verify_service(&self, sid: &str) -> (Status, String) {
        match fetch_service(&self.host, &self.config, sid).await {
            Ok(service) => {
                let field = |k: &str| service.get(k).cloned().unwrap_or_default();
                let label = field("friendly_name");
                let label = label.as_str().unwrap_or(sid);
                let digits = field("code_length").as_u64().unwrap_or(0);
                let text = format!("The Verify service \"{label}\" exists and sends codes of {digits} digits.");
                let whatsapp = &service["whatsapp"];
                let no_sender = whatsapp["from"].is_null() && whatsapp["msg_service_sid"].is_null();
                if no_sender && self.config.channels.contains(&Channel::Whatsapp) {
                    (Status::Failed, format!("{text} It has no WhatsApp sender, and channels has whatsapp: add one to the service in Twilio Console > Verify > Services, or leave whatsapp out of channels."))
                } else if digits == u64::from(self.config.code_length) {
                    (Status::Passed, text)
                } else {
                    (Status::Warning, format!("{text} Set codeLength to {digits}: answers tell the app's clients how many digits to expect."))
                }
            }
            Err(err) if err.twilio_code() == Some(20404) => (Status::Failed, format!("The Verify service {sid} was not found in this account. Copy its SID from Twilio Console > Verify > Services.")),
            Err(err) => (Status::Failed, err.to_string()),
        }
    }

    async fn check_service(&self, sid: &str) -> (Status, String) {
        match fetch_messaging_service(&self.host, &self.config, sid).await {
            Ok(service) => {
                let label = service.get("friendly_name").and_then(Value::as_str).unwrap_or(sid);
                (Status::Passed, format!("The Messaging Service \"{label}\" exists."))
            }
            Err(err) if err.twilio_code() == Some(20404) => (Status::Failed, format!("The Messaging Service {sid} was not found in this account. Copy its SID from Twilio Console > Messaging > Services.")),
            Err(err) => (Status::Failed, err.to_string()),
        }
    }
}
