//! The send policy's counters, per country and hour: codes sent, codes verified, and requests
//! refused by each limit. The conversion breaker decides on them, and the host's console charts
//! them, reading the plugin's storage directly (a SQL `LIKE 'stats/%'`, a Redis `SCAN`): that
//! costs the module nothing and the host one query. Their keys are part of the plugin's
//! contract:
//!
//! `stats/{hour}/{country}/{what}`: a count, where `hour` is hours since the Unix epoch,
//! `country` a region (`GB`) or, for the international networks, a calling code (`+881`), and
//! `what` is `sent`, `verified` or a refusal's `limit` label (`range-hour`, `country-blocked`,
//! ...). Kept eight days.

use super::store::Op;

const HOUR_MS: i64 = 3_600_000;
/// Counters are kept for a week and a day, so a week can always be charted.
const KEEP_SECONDS: u32 = 8 * 24 * 3600;

pub const SENT: &str = "sent";
pub const VERIFIED: &str = "verified";

pub fn hour_of(now_ms: i64) -> i64 {
    now_ms.div_euclid(HOUR_MS)
}

pub fn counter_key(hour: i64, country: &str, what: &str) -> String {
    format!("stats/{hour}/{country}/{what}")
}

/// Counts one `what` for `country` now.
pub fn count_op(country: &str, what: &str, now_ms: i64) -> Op {
    Op::Incr(counter_key(hour_of(now_ms), country, what), KEEP_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_keyed_by_hour_country_and_kind() {
        assert_eq!(
            count_op("GB", SENT, 7_200_000 + 59_999),
            Op::Incr("stats/2/GB/sent".into(), 691_200)
        );
    }
}
