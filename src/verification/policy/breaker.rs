//! The conversion breaker: SMS pumping sends codes that nobody ever enters, so a country whose
//! recent codes are mostly never verified is paused for a while, whatever the other limits let
//! through. Judged after each code sent to a country, on the last hour's counters (the same
//! sliding estimate as the limits). Codes still within their lifetime count as not yet
//! verified, which is why the breaker waits for a minimum number of codes before judging.
//!
//! The pause is a record per country with its end (`paused/{country}`), so every host sees it.
//! Tripping is logged at error level once per pause and added to the list of recent pauses
//! (`pauses`) that TEST CONFIGURATION reports. That list is read and written back, so two
//! countries tripping at the same instant on two hosts could leave one of them off it; the
//! pause itself holds either way.

use super::activity::{counter_key, hour_of, SENT, VERIFIED};
use super::settings::BreakerSettings;
use super::store::{Op, Reply};
use crate::host::{Host, LogLevel};
use crate::plugin::Plugin;

const HOUR_MS: i64 = 3_600_000;
/// The list of recent pauses outlives the longest pause, a day.
const LIST_KEY: &str = "pauses";
const LIST_SECONDS: u32 = 86_400;

pub fn pause_key(country: &str) -> String {
    format!("paused/{country}")
}

/// A pause in force: its end, and the codes sent and verified that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub country: String,
    pub until_ms: i64,
    pub sent: i64,
    pub verified: i64,
}

impl Pause {
    /// A pause as stored (`until,sent,verified`), if it is still in force.
    pub fn parse(country: &str, stored: Option<&str>, now_ms: i64) -> Option<Self> {
        let mut parts = stored?.split(',').map(|p| p.parse::<i64>().unwrap_or(0));
        let mut next = || parts.next().unwrap_or(0);
        let (until_ms, sent, verified) = (next(), next(), next());
        (until_ms > now_ms).then(|| Self {
            country: country.to_string(),
            until_ms,
            sent,
            verified,
        })
    }

    fn stored(&self) -> String {
        format!("{},{},{}", self.until_ms, self.sent, self.verified)
    }
}

/// The list of recent pauses (`GB:until,sent,verified;JM:...`), keeping those still in force.
fn parse_list(stored: Option<&str>, now_ms: i64) -> Vec<Pause> {
    stored
        .unwrap_or("")
        .split(';')
        .filter_map(|entry| {
            let (country, pause) = entry.split_once(':')?;
            Pause::parse(country, Some(pause), now_ms)
        })
        .collect()
}

/// What judging needs besides the new count of codes sent this hour: the previous hour's
/// sent, and this and the previous hour's verified.
pub fn judge_reads(country: &str, now_ms: i64) -> [Op; 3] {
    let hour = hour_of(now_ms);
    [
        Op::Get(counter_key(hour - 1, country, SENT)),
        Op::Get(counter_key(hour, country, VERIFIED)),
        Op::Get(counter_key(hour - 1, country, VERIFIED)),
    ]
}

/// The last hour's sent and verified (sliding estimates, rounded down) when they should pause
/// the country: enough codes, too few verified.
pub fn verdict(
    settings: BreakerSettings,
    sent_now: i64,
    reads: &[Reply],
    now_ms: i64,
) -> Option<(i64, i64)> {
    if settings.min_codes == 0 || settings.min_verified_percent == 0 {
        return None;
    }
    let weight = HOUR_MS - (now_ms - hour_of(now_ms) * HOUR_MS);
    let count = |i: usize| reads.get(i).map_or(0, Reply::count);
    // Both multiplied by an hour in ms, to stay in whole numbers.
    let sent = count(0) * weight + sent_now * HOUR_MS;
    let verified = count(2) * weight + count(1) * HOUR_MS;
    let enough = sent >= i64::from(settings.min_codes) * HOUR_MS;
    let too_few = verified * 100 < i64::from(settings.min_verified_percent) * sent;
    (enough && too_few).then_some((sent / HOUR_MS, verified / HOUR_MS))
}

impl<H: Host> Plugin<H> {
    /// Pauses `country`; the first host to do so logs it and adds it to the list of pauses.
    pub(crate) async fn trip(&self, country: &str, sent: i64, verified: i64, now_ms: i64) {
        let minutes = self.config.policy.breaker.pause_minutes;
        let seconds = minutes * 60;
        let pause = Pause {
            country: country.to_string(),
            until_ms: now_ms + i64::from(seconds) * 1000,
            sent,
            verified,
        };
        let key = pause_key(country);
        let replies = self
            .store_best_effort(vec![
                Op::Put(key.clone(), pause.stored(), seconds),
                Op::Incr(format!("{key}/logged"), seconds),
                Op::Get(LIST_KEY.into()),
            ])
            .await;
        if replies.get(1).map(Reply::count) != Some(1) {
            return;
        }
        self.host.log(
            LogLevel::Error,
            "conversion breaker: codes to a country are paused",
            crate::object! {"country": country, "sentLastHour": sent, "verifiedLastHour": verified,
            "pausedMinutes": minutes, "untilMs": pause.until_ms},
        );
        let mut list = parse_list(replies.get(2).and_then(Reply::value), now_ms);
        list.retain(|p| p.country != country);
        list.push(pause);
        let mut text = String::new();
        for p in &list {
            text += &format!("{}:{};", p.country, p.stored());
        }
        self.store_best_effort(vec![Op::Put(LIST_KEY.into(), text, LIST_SECONDS)])
            .await;
    }

    /// The pauses in force now.
    pub(crate) async fn pauses(&self, now_ms: i64) -> Vec<Pause> {
        let list = self.store_best_effort(vec![Op::Get(LIST_KEY.into())]).await;
        parse_list(list.first().and_then(Reply::value), now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: BreakerSettings = BreakerSettings {
        min_codes: 20,
        min_verified_percent: 20,
        pause_minutes: 60,
    };

    fn reads(previous_sent: i64, verified_now: i64, previous_verified: i64) -> Vec<Reply> {
        [previous_sent, verified_now, previous_verified]
            .iter()
            .map(|n| Reply::Value(Some(n.to_string())))
            .collect()
    }

    #[test]
    fn pauses_when_enough_codes_went_out_and_too_few_were_verified() {
        let start_of_hour = 10 * HOUR_MS;
        // 20 sent this hour, 3 verified: 15 % < 20 %.
        assert_eq!(
            verdict(SETTINGS, 20, &reads(0, 3, 0), start_of_hour),
            Some((20, 3))
        );
        // 4 verified: 20 %, enough.
        assert_eq!(verdict(SETTINGS, 20, &reads(0, 4, 0), start_of_hour), None);
        // 19 sent: too few to judge, even with none verified.
        assert_eq!(verdict(SETTINGS, 19, &reads(0, 0, 0), start_of_hour), None);
        // Half an hour in, half of the previous hour still counts: 10 + 10 = 20 sent.
        let half = start_of_hour + HOUR_MS / 2;
        assert_eq!(verdict(SETTINGS, 10, &reads(20, 0, 2), half), Some((20, 1)));
    }

    #[test]
    fn zero_turns_the_breaker_off() {
        for settings in [
            BreakerSettings {
                min_codes: 0,
                ..SETTINGS
            },
            BreakerSettings {
                min_verified_percent: 0,
                ..SETTINGS
            },
        ] {
            assert_eq!(verdict(settings, 500, &reads(500, 0, 0), 0), None);
        }
    }

    #[test]
    fn the_list_keeps_the_pauses_in_force() {
        let list = parse_list(Some("GB:5000,25,2;JM:3000,40,0;junk"), 4000);
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].country.as_str(), list[0].sent), ("GB", 25));
    }

    #[test]
    fn a_pause_reads_back_until_it_ends() {
        let pause = Pause::parse("GB", Some("5000,25,2"), 4000).unwrap();
        assert_eq!((pause.until_ms, pause.sent, pause.verified), (5000, 25, 2));
        assert_eq!(Pause::parse("GB", Some("5000,25,2"), 5000), None);
        assert_eq!(Pause::parse("GB", None, 0), None);
    }
}
