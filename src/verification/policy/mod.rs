//! The send policy: every code the plugin texts and every message of the messaging API passes it
//! before anything is stored or sent, in this order:
//!
//! 1. test numbers (never texted, never counted; handled by the caller, which knows the code);
//! 2. the country policy (allowed and blocked calling codes and regions);
//! 3. the conversion breaker (a country whose codes are mostly never verified is paused);
//! 4. the app's budget per hour and per day;
//! 5. per client address, per number range;
//! 6. per signed-in caller of the messaging API (messages and segments per hour and per day);
//! 7. per number: the growing resend cooldown and the rolling caps.
//!
//! Three rules shape it. The code texted after a correct password (two-factor) skips 3 to 5 and
//! has its own budget per user instead of the number's, so nothing anonymous traffic can trip
//! locks a user out. A send that never left (Twilio refused it, could not be reached, answered
//! 5xx) does not count. And everything is kept in storage with the four operations only, so the
//! limits hold across hosts that share a store.

pub mod activity;
pub mod breaker;
pub mod countries;
mod number_log;
pub mod segments;
pub mod settings;
mod store;
pub mod test_numbers;
mod window;

use sha2::{Digest, Sha256};

use crate::encoding::hex;
use crate::error::{Limit, PluginError, Result};
use crate::hook::HookContext;
use crate::host::{Host, LogLevel};
use crate::phone::PhoneNumber;
use crate::plugin::Plugin;
use crate::text;
use activity::{count_op, SENT};
use breaker::{judge_reads, pause_key, verdict, Pause};
use number_log::{NumberLimits, NumberLog};
pub use store::{Op, Reply};
use window::{Counted, Window};

const HOUR: u32 = 3_600;
const DAY: u32 = 86_400;

/// Who a send is for, which decides the limits it passes.
#[derive(Debug, Clone, Copy)]
pub enum Sender<'a> {
    /// A code for an anonymous flow: registration, phone login.
    Anonymous,
    /// A code for the app's own flow (`startVerification`); `caller` is the signed-in user, or
    /// empty when the app lets anyone call.
    App { caller: &'a str, segments: u32 },
    /// The code after a correct password: a budget of its own per user.
    TwoFactor { user_id: &'a str },
    /// A message of the messaging API.
    Message { caller: &'a str, segments: u32 },
}

/// How a send ended, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Twilio accepted it.
    Sent,
    /// It may have reached Twilio (a timeout, a cut connection): it counts.
    Uncertain,
    /// It never left: nothing counts.
    NeverLeft,
}

/// What an admitted send holds until it is settled: the windows it was counted in, and the
/// claim on its number's log.
#[derive(Debug)]
pub struct Permit {
    country: String,
    counted: Vec<Counted>,
    log: Option<NumberLog>,
    limits: NumberLimits,
    is_code: bool,
    /// Anonymous and app codes: the budget, address and range limits apply.
    judged: bool,
    /// The conversion breaker judges (and may have paused) this number's country.
    breaker: bool,
}

impl Permit {
    /// What was sent was no code (phone login's stand-in read for a number without an
    /// account): it counts against the limits like one, but not as a code in the counters.
    pub fn not_a_code(&mut self) {
        self.is_code = false;
    }

    /// Seconds until the next code to the same number (or user) is allowed, once this one counts.
    pub fn resend_after(&self) -> u32 {
        self.log
            .as_ref()
            .map_or(0, |log| log.resend_after(self.limits))
    }

    /// Takes back what this request counted and claimed: everything when it was refused; when
    /// its send never left, all but the address and range limits, which count requests whatever
    /// Twilio made of them (else numbers Twilio refuses could be tried without end).
    fn release_ops(&self, refused: bool) -> Vec<Op> {
        let mut ops = Vec::new();
        for counted in &self.counted {
            if refused || !matches!(counted.limit, Limit::Address | Limit::Range) {
                counted.release_ops(&mut ops);
            }
        }
        ops.extend(self.log.as_ref().map(NumberLog::release_op));
        ops
    }
}

/// A window that refused: the app's budget answers `SMS_BUDGET_EXCEEDED`, the rest
/// `RATE_LIMITED`, both naming the limit.
fn window_refusal(limit: Limit, retry_after_seconds: u32) -> PluginError {
    if matches!(limit, Limit::AppHour | Limit::AppDay) {
        PluginError::SmsBudgetExceeded {
            retry_after_seconds,
            limit,
        }
    } else {
        PluginError::RateLimited {
            retry_after_seconds,
            limit,
        }
    }
}

/// The `details.limit` of a refusal, counted in the activity counters.
fn refusal_label(err: &PluginError) -> Option<&'static str> {
    match err {
        PluginError::CountryNotAllowed { .. } => Some(COUNTRY_BLOCKED),
        PluginError::RateLimited { limit, .. } | PluginError::SmsBudgetExceeded { limit, .. } => {
            Some(limit.label())
        }
        _ => None,
    }
}

const COUNTRY_BLOCKED: &str = "country-blocked";

/// An identifier as a storage key part: itself when short and plain, else a digest of it.
fn key_part(id: &str) -> String {
    let plain = id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if plain {
        id.to_string()
    } else {
        hex(&Sha256::digest(id.as_bytes())[..16])
    }
}

/// The client address as a limit counts it: IPv4 as it is (also when written IPv4-mapped), IPv6
/// by its /64, which one subscriber usually holds whole.
pub fn address_key(ip: &str) -> Option<String> {
    let ip = ip.trim();
    let ip = ip
        .strip_prefix("::ffff:")
        .filter(|v4| v4.contains('.'))
        .unwrap_or(ip);
    if ip.is_empty() || !ip.contains(':') {
        return (!ip.is_empty()).then(|| key_part(ip));
    }
    // The first four groups, counting those a `::` stands for.
    let (head, tail) = text::split_once(ip, "::").unwrap_or((ip, ""));
    let count = |s: &str| s.split(':').filter(|g| !g.is_empty()).count();
    let missing = 8usize.saturating_sub(count(head) + count(tail));
    let mut groups = Vec::new();
    for (i, part) in [head, tail].into_iter().enumerate() {
        if i == 1 {
            groups.extend(std::iter::repeat_n(0, missing));
        }
        for g in part.split(':').filter(|g| !g.is_empty()) {
            let Ok(group) = u16::from_str_radix(g, 16) else {
                return Some(key_part(ip));
            };
            groups.push(group);
        }
    }
    let [a, b, c, d, ..] = groups[..] else {
        return Some(key_part(ip));
    };
    Some(format!("{a:x}:{b:x}:{c:x}:{d:x}::/64"))
}

impl<H: Host> Plugin<H> {
    /// Checks `phone` against every limit that applies to `sender` and counts the send in them.
    /// On a refusal nothing stays counted, apart from the refusal in the activity counters.
    pub(crate) async fn admit(
        &self,
        ctx: &HookContext,
        phone: &PhoneNumber,
        sender: Sender<'_>,
    ) -> Result<Permit> {
        let now = self.host.now_ms();
        let mut permit = Permit {
            country: phone.country(),
            counted: Vec::new(),
            log: None,
            limits: self.config.policy.number,
            is_code: !matches!(sender, Sender::Message { .. }),
            judged: matches!(sender, Sender::Anonymous | Sender::App { .. }),
            breaker: false,
        };
        let Err(err) = self.check(ctx, phone, sender, now, &mut permit).await else {
            return Ok(permit);
        };
        let mut ops = permit.release_ops(true);
        let label = refusal_label(&err);
        if let Some(label) = label {
            ops.push(count_op(&permit.country, label, now));
        }
        // The operator hears of a spent budget once per window, at error level.
        let budget = match &err {
            PluginError::SmsBudgetExceeded { limit, .. } => Some(*limit),
            _ => None,
        };
        if let Some(limit) = budget {
            let seconds = if limit == Limit::AppDay { DAY } else { HOUR };
            let window = now.div_euclid(i64::from(seconds) * 1000);
            ops.push(Op::Incr(
                format!("limit/app/alerted/{seconds}/{window}"),
                seconds,
            ));
        }
        let replies = self.store_best_effort(ops).await;
        if budget.is_some() && replies.last().map(Reply::count) == Some(1) {
            self.host.log(
                LogLevel::Error,
                "SMS budget spent: codes are refused until the window moves on",
                err.details(),
            );
        }
        Err(err)
    }

    async fn check(
        &self,
        ctx: &HookContext,
        phone: &PhoneNumber,
        sender: Sender<'_>,
        now: i64,
        permit: &mut Permit,
    ) -> Result<()> {
        let policy = &self.config.policy;
        if !policy.countries.allows(phone) {
            return Err(PluginError::CountryNotAllowed {
                country: permit.country.clone(),
            });
        }
        let address = ctx.client_ip.as_deref().and_then(address_key);
        let window = |seconds, limit| Window { seconds, limit };
        // Every sliding-window limit that applies, in the order they are checked.
        let mut windows: Vec<Counted> = Vec::new();
        if permit.judged {
            let app = "limit/app/3600";
            windows.push(Counted::new(
                app,
                Limit::AppHour,
                window(HOUR, policy.app_hour),
                1,
                now,
            ));
            let app = "limit/app/86400";
            windows.push(Counted::new(
                app,
                Limit::AppDay,
                window(DAY, policy.app_day),
                1,
                now,
            ));
            if let Some(address) = &address {
                let base = format!("limit/address/{address}");
                let w = window(HOUR, policy.per_address_hour);
                windows.push(Counted::new(&base, Limit::Address, w, 1, now));
            }
            let base = format!("limit/range/{}", phone.range());
            let w = window(HOUR, policy.per_range_hour);
            windows.push(Counted::new(&base, Limit::Range, w, 1, now));
        }
        if let Sender::App { caller, segments } | Sender::Message { caller, segments } = sender {
            let who = match (caller, &address) {
                ("", Some(address)) => format!("limit/address/{address}"),
                ("", None) => "limit/anonymous".to_string(),
                (id, _) => format!("limit/user/{}", key_part(id)),
            };
            for (what, limit, seconds, max, amount) in [
                (
                    "messages/3600",
                    Limit::UserMessagesHour,
                    HOUR,
                    policy.user_messages_hour,
                    1,
                ),
                (
                    "messages/86400",
                    Limit::UserMessagesDay,
                    DAY,
                    policy.user_messages_day,
                    1,
                ),
                (
                    "segments/3600",
                    Limit::UserSegmentsHour,
                    HOUR,
                    policy.user_segments_hour,
                    segments,
                ),
                (
                    "segments/86400",
                    Limit::UserSegmentsDay,
                    DAY,
                    policy.user_segments_day,
                    segments,
                ),
            ] {
                let base = format!("{who}/{what}");
                windows.push(Counted::new(
                    &base,
                    limit,
                    window(seconds, max),
                    amount,
                    now,
                ));
            }
        }
        let scope = match sender {
            Sender::Message { .. } => None,
            Sender::TwoFactor { user_id } => Some(format!("two-factor/{}", key_part(user_id))),
            _ => Some(format!("number/{}", phone.as_str())),
        };

        // The breaker leaves alone the countries the app says it serves (see `served`).
        permit.breaker = permit.judged && !policy.countries.served(phone);
        // One batch reads the pause, counts every window and reads the number's log.
        let mut ops = Vec::new();
        if permit.breaker {
            ops.push(Op::Get(pause_key(&permit.country)));
        }
        for counted in &windows {
            counted.count_ops(&mut ops);
        }
        if let Some(scope) = &scope {
            ops.push(NumberLog::read_op(scope));
        }
        let replies = self.store(ops).await?;
        // Counted from here on: a refusal takes the windows back (see `admit`).
        permit.counted = windows;
        let reply = |i: usize| replies.get(i);
        let mut at = 0;
        if permit.breaker {
            if let Some(pause) = Pause::parse(&permit.country, reply(0).and_then(Reply::value), now)
            {
                return Err(PluginError::RateLimited {
                    retry_after_seconds: seconds_until(pause.until_ms, now),
                    limit: Limit::CountryPaused,
                });
            }
            at = 1;
        }
        for counted in &permit.counted {
            let start = at;
            at += counted.count_ops_len();
            let count = |i: usize| reply(i).map_or(0, Reply::count);
            // What was counted, less what was taken back (see `Counted::count_ops`).
            let current = count(at - 1) - count(start);
            let previous = count(start + 2) - count(start + 1);
            if !counted.fits(current, previous) {
                return Err(window_refusal(
                    counted.limit,
                    counted.wait(current, previous),
                ));
            }
        }
        let Some(scope) = scope else { return Ok(()) };
        let log = NumberLog::new(&scope, reply(at).and_then(Reply::value), now);
        log.check(permit.limits, now)?;
        // The claim must outlast the send: the Twilio timeout, and some.
        let claim_ttl = (self.config.twilio_timeout_ms / 1000 + 10).max(30);
        let claimed = self.store(vec![log.claim_op(claim_ttl)]).await?;
        if claimed.first().map_or(0, Reply::count) != 1 {
            return Err(log.contended(permit.limits));
        }
        permit.log = Some(log);
        Ok(())
    }

    /// Counts a send that was admitted, or takes it back when it never left. A code counts in
    /// the activity counters, and the conversion breaker judges its country.
    pub(crate) async fn settle(&self, permit: Permit, outcome: Outcome) {
        if outcome == Outcome::NeverLeft {
            self.store_best_effort(permit.release_ops(false)).await;
            return;
        }
        let now = self.host.now_ms();
        let country = &permit.country;
        let mut ops: Vec<Op> = permit.log.iter().map(|log| log.commit_op(now)).collect();
        let first = ops.len();
        if permit.is_code {
            ops.push(count_op(country, SENT, now));
            if permit.breaker {
                ops.extend(judge_reads(country, now));
            }
        }
        let replies = self.store_best_effort(ops).await;
        if !permit.is_code {
            return;
        }
        let sent = replies.get(first);
        if permit.breaker {
            let settings = self.config.policy.breaker;
            let reads = replies.get(first + 1..).unwrap_or(&[]);
            let sent = sent.map_or(0, Reply::count);
            if let Some((sent, verified)) = verdict(settings, sent, reads, now) {
                self.trip(country, sent, verified, now).await;
            }
        }
    }
}

fn seconds_until(until_ms: i64, now_ms: i64) -> u32 {
    u32::try_from((until_ms - now_ms).max(0) / 1000 + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_counted_by_ipv4_or_ipv6_64() {
        for (ip, key) in [
            ("203.0.113.7", Some("203.0.113.7")),
            ("::ffff:203.0.113.7", Some("203.0.113.7")),
            ("2001:db8:1:2:3:4:5:6", Some("2001:db8:1:2::/64")),
            ("2001:DB8:0001:0002::9", Some("2001:db8:1:2::/64")),
            ("2001:db8::1", Some("2001:db8:0:0::/64")),
            ("::1", Some("0:0:0:0::/64")),
            ("fe80::1%eth0", Some("016a8c975c3c87db7d169cfa6e8eeb54")),
            ("", None),
        ] {
            assert_eq!(address_key(ip).as_deref(), key, "{ip}");
        }
    }

    #[test]
    fn odd_identifiers_become_a_digest_in_keys() {
        assert_eq!(key_part("94655A13-7505"), "94655A13-7505");
        let odd = key_part("a/b c");
        assert_eq!(odd.len(), 32);
        assert!(!odd.contains('/'));
    }
}
