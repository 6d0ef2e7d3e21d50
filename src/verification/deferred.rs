//! Phone login's code goes out after the answer, not before it.
//!
//! Phone login must not tell who has an account, by its answer or by how long the answer takes,
//! also while Twilio fails. So both kinds of number get the same work before the answer (the
//! user lookup, the send policy, a stored verification) and the same answer; the Twilio call is
//! started afterwards: the SMS for a number with an account, a read of the account (which
//! sends nothing) for one without. Twilio's answer is then only logged: both count as a send
//! whatever it was, and a verification whose SMS failed is left to expire rather than deleted,
//! so that the next request and step two answer alike too. For the same reason phone login's
//! codes are not in the conversion breaker's counts (only numbers with an account get one;
//! phone login cannot pump arbitrary numbers).
//!
//! `send_code` queues the work with `defer`; the glue runs `run_deferred` once it has answered
//! the host (native tests call it themselves).

use crate::host::{Host, HttpRequest, LogLevel};
use crate::json_text;
use crate::plugin::Plugin;
use crate::verification::channels::Channel;
use crate::verification::policy::{Outcome, Permit};

/// A Twilio call left for after the answer: the code over each channel in turn, or the read.
#[derive(Debug)]
pub struct Deferred {
    requests: Vec<(Channel, HttpRequest)>,
    permit: Permit,
    /// The SMS of a real code; otherwise the read that stands in for it.
    is_sms: bool,
    log: serde_json::Value,
}

impl Deferred {
    pub fn new(
        requests: Vec<(Channel, HttpRequest)>,
        permit: Permit,
        is_sms: bool,
        log: serde_json::Value,
    ) -> Self {
        Self {
            requests,
            permit,
            is_sms,
            log,
        }
    }
}

impl<H: Host> Plugin<H> {
    /// Leaves `work` for after the answer.
    pub(crate) fn defer(&self, work: Deferred) {
        self.deferred.borrow_mut().push(work);
    }

    /// Whether work waits for `run_deferred`.
    pub fn has_deferred(&self) -> bool {
        !self.deferred.borrow().is_empty()
    }

    /// Runs the work flows left for after their answer, until none is left.
    pub async fn run_deferred(&self) {
        loop {
            let next = self.deferred.borrow_mut().pop();
            let Some(work) = next else { return };
            self.finish(work).await;
        }
    }

    /// Makes the Twilio call, then counts it as a send whatever Twilio answered: a number with
    /// an account and one without must leave the same traces for the next request to find, even
    /// when Twilio fails one kind of call and not the other.
    async fn finish(&self, work: Deferred) {
        let Deferred {
            requests,
            permit,
            is_sms,
            mut log,
        } = work;
        let (channel, reply) = self.send_over(requests).await;
        self.settle(permit, Outcome::Sent).await;
        json_text::set(&mut log, "channel", channel.name().into());
        let (level, message) = match reply {
            _ if !is_sms => (
                LogLevel::Info,
                "phone login for a number with no account: nothing sent",
            ),
            Ok(sent) => {
                json_text::set(&mut log, "messageSid", sent.sid.into());
                (LogLevel::Info, "verification code sent")
            }
            Err(err) => {
                json_text::set(&mut log, "error", err.code().into());
                json_text::set(&mut log, "details", err.details());
                (LogLevel::Warn, "verification code could not be sent")
            }
        };
        self.host.log(level, message, log);
    }
}
