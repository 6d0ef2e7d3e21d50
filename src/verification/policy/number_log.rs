//! The sends to one number (or, for two-factor, to one user) over the last day, kept exactly:
//! the resend cooldown that grows with each send, and rolling caps per hour and per day with no
//! burst at any window edge.
//!
//! The log is one record: a version number and the send times (`7:1764250000,1764250031`).
//! Reading it, deciding and writing it back is made safe across hosts by a claim: `incr` on a
//! key named after the log's version, which only one request can win while that version is
//! current. The winner sends, then writes
//! the log (or, if nothing left, gives the claim back); a loser is told to wait like a resend
//! within the cooldown, which is what it is. This file plans and decides; `policy` runs the
//! storage operations.

use super::store::Op;
use crate::error::{Limit, PluginError, Result};

const DAY_SECONDS: i64 = 86_400;
const HOUR_SECONDS: i64 = 3_600;
/// The cooldown doubles with each send but never exceeds an hour.
const MAX_COOLDOWN_SECONDS: i64 = 3_600;

#[derive(Debug, Clone, Copy)]
pub struct NumberLimits {
    /// Wait after the first send; doubled after each further one in the day. 0: no cooldown.
    pub cooldown_seconds: u32,
    pub per_hour: u32,
    pub per_day: u32,
}

impl NumberLimits {
    /// The wait after the `sends`-th send of the day.
    fn cooldown_after(&self, sends: usize) -> i64 {
        if self.cooldown_seconds == 0 || sends == 0 {
            return 0;
        }
        let doublings = u32::try_from(sends - 1).unwrap_or(u32::MAX).min(12);
        (i64::from(self.cooldown_seconds) << doublings).min(MAX_COOLDOWN_SECONDS)
    }
}

fn refused(limit: Limit, wait_s: i64) -> PluginError {
    PluginError::RateLimited {
        retry_after_seconds: u32::try_from(wait_s.max(1)).unwrap_or(u32::MAX),
        limit,
    }
}

/// One number's (or user's) log as read, and the claim on it.
#[derive(Debug, Clone)]
pub struct NumberLog {
    key: String,
    /// Counts the writes of the log, so that each version has its own claim.
    version: u64,
    /// Send times in whole seconds, oldest first, all within the last day.
    sends: Vec<i64>,
}

impl NumberLog {
    /// The operation that reads the log of `scope`.
    pub fn read_op(scope: &str) -> Op {
        Op::Get(format!("sends/{scope}"))
    }

    pub fn new(scope: &str, stored: Option<&str>, now_ms: i64) -> Self {
        let now_s = now_ms.div_euclid(1000);
        let (version, times) = stored.and_then(|s| s.split_once(':')).unwrap_or(("0", ""));
        let sends = times
            .split(',')
            .filter_map(|t| t.parse::<i64>().ok())
            .filter(|t| now_s - t < DAY_SECONDS)
            .collect();
        Self {
            key: format!("sends/{scope}"),
            version: version.parse().unwrap_or(0),
            sends,
        }
    }

    /// Whether one more send is within the limits.
    pub fn check(&self, limits: NumberLimits, now_ms: i64) -> Result<()> {
        let now_s = now_ms.div_euclid(1000);
        let sends = &self.sends;
        if let Some(last) = sends.last() {
            let wait = last + limits.cooldown_after(sends.len()) - now_s;
            if wait > 0 {
                return Err(refused(Limit::NumberCooldown, wait));
            }
        }
        let this_hour: Vec<i64> = sends
            .iter()
            .copied()
            .filter(|t| now_s - t < HOUR_SECONDS)
            .collect();
        for (window, list, limit, cap) in [
            (HOUR_SECONDS, &this_hour, Limit::NumberHour, limits.per_hour),
            (DAY_SECONDS, sends, Limit::NumberDay, limits.per_day),
        ] {
            if list.len() >= cap as usize {
                // The next send fits once the oldest of the last `cap` sends leaves the window.
                let oldest = list[list.len() - cap as usize];
                return Err(refused(limit, oldest + window - now_s));
            }
        }
        Ok(())
    }

    /// The claim on this version of the log; `ttl` must outlast the send, so that no second
    /// claim of the version can be won while it is under way.
    pub fn claim_op(&self, ttl: u32) -> Op {
        Op::Incr(self.claim_key(), ttl)
    }

    fn claim_key(&self) -> String {
        format!("{}/claim/{}", self.key, self.version)
    }

    /// The refusal when another request holds the claim: it is sending to this number now.
    pub fn contended(&self, limits: NumberLimits) -> PluginError {
        refused(
            Limit::NumberCooldown,
            limits.cooldown_after(self.sends.len() + 1).max(1),
        )
    }

    /// Seconds until the next send is allowed, once this one counts.
    pub fn resend_after(&self, limits: NumberLimits) -> u32 {
        u32::try_from(limits.cooldown_after(self.sends.len() + 1)).unwrap_or(u32::MAX)
    }

    /// The send happened (or may have): the log with it.
    pub fn commit_op(&self, now_ms: i64) -> Op {
        let mut text = format!("{}:", self.version + 1);
        for t in &self.sends {
            text.push_str(&t.to_string());
            text.push(',');
        }
        text.push_str(&now_ms.div_euclid(1000).to_string());
        Op::Put(self.key.clone(), text, DAY_SECONDS as u32 + 60)
    }

    /// Nothing left: the claim is given back so the number can be tried again at once.
    pub fn release_op(&self) -> Op {
        Op::Take(self.claim_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: NumberLimits = NumberLimits {
        cooldown_seconds: 30,
        per_hour: 5,
        per_day: 10,
    };

    fn refusal(log: &NumberLog, now_s: i64) -> Option<(&'static str, u32)> {
        match log.check(LIMITS, now_s * 1000) {
            Ok(()) => None,
            Err(PluginError::RateLimited {
                retry_after_seconds,
                limit,
            }) => Some((limit.label(), retry_after_seconds)),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_cooldown_doubles_with_each_send_up_to_an_hour() {
        let waits: Vec<i64> = (0..10).map(|n| LIMITS.cooldown_after(n)).collect();
        assert_eq!(waits, [0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        let off = NumberLimits {
            cooldown_seconds: 0,
            ..LIMITS
        };
        assert_eq!(off.cooldown_after(5), 0);
    }

    #[test]
    fn the_log_keeps_only_the_last_day() {
        let log = NumberLog::new("n", Some("4:900000,913601,999999,junk"), 1_000_000_000);
        assert_eq!(log.sends, vec![913601, 999999]);
        assert_eq!(log.version, 4);
    }

    #[test]
    fn each_limit_refuses_with_the_wait_until_it_allows() {
        let at = |times: &[i64]| {
            let text: Vec<String> = times.iter().map(i64::to_string).collect();
            NumberLog::new("n", Some(&format!("1:{}", text.join(","))), 0)
        };
        // Cooldown: 2 sends, the last 40 s ago: 60 s apply, 20 to go.
        assert_eq!(
            refusal(&at(&[100_000, 100_060]), 100_100),
            Some(("number-cooldown", 20))
        );
        // Five in the hour: the oldest of them leaves the hour at 103_600.
        let five = [100_000, 100_100, 100_300, 100_700, 101_500];
        assert_eq!(refusal(&at(&five), 103_000), Some(("number-hour", 600)));
        assert_eq!(refusal(&at(&five), 103_600), None);
        // Ten in the day, hours apart: the oldest leaves the day.
        let ten: Vec<i64> = (0..10).map(|i| 100_000 + i * 5000).collect();
        assert_eq!(refusal(&at(&ten), 160_000), Some(("number-day", 26_400)));
    }

    #[test]
    fn each_write_of_the_log_has_its_own_claim() {
        // Two sends in the same second (no cooldown) still make two versions.
        let log = NumberLog::new("number/+447700900123", Some("7:2000,2100"), 2_100_000);
        assert_eq!(
            log.claim_op(40),
            Op::Incr("sends/number/+447700900123/claim/7".into(), 40)
        );
        assert_eq!(
            log.commit_op(2_100_000),
            Op::Put(
                "sends/number/+447700900123".into(),
                "8:2000,2100,2100".into(),
                86_460
            )
        );
    }
}
