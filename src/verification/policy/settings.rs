//! The send policy's settings ("Abuse protection" in the configuration popup), with defaults
//! chosen so that a new app is safe in front of the internet before anyone tunes them:
//!
//! - per number: 30 s before a second code, doubling with each further code of the day (a person
//!   waiting for an SMS retries after half a minute, a script every second), at most 5 an hour
//!   and 10 a day: more than anyone mistyping a code needs;
//! - per client address: 50 codes an hour. Mobile carriers put many users behind one address
//!   (carrier-grade NAT), so this is generous (Firebase allows 500); the range, country and
//!   budget limits carry the weight against pumping;
//! - per number range (the number without its last three digits, a block of a thousand): 10 an
//!   hour. Real users are spread over many blocks; pumping walks one block in sequence;
//! - the app's budget: 300 codes an hour, 3,000 a day, enough for a few thousand sign-ups a
//!   day, and a ceiling on the bill (a few hundred dollars a day even at premium rates) if every
//!   other limit is beaten. Raise both as the app grows;
//! - per signed-in user of the messaging API: 20 messages and 60 segments an hour, 100 and 300
//!   a day, at most 5 segments a message;
//! - the conversion breaker: once 20 codes went to one country in the last hour, fewer than 20 %
//!   verified pauses that country for an hour. Real users verify most codes (typically well over
//!   half); pumped numbers never do.

use super::countries::{CountryPolicy, DEFAULT_BLOCKED};
use super::number_log::NumberLimits;
use super::test_numbers::TestNumbers;
use crate::config::reader::Reader;

/// The longest test-number list: 100 lines of number and code.
const MAX_TEST_NUMBERS_TEXT: usize = 4096;

/// The whole-number settings: JS name, default, least and greatest value. Read in one loop, in
/// this order (the `N_*` indexes below), which keeps the module small.
const NUMBERS: &[(&str, u32, u32, u32)] = &[
    ("resendCooldownSeconds", 30, 0, 600),
    ("maxSmsPerNumberPerHour", 5, 1, 100),
    ("maxSmsPerNumberPerDay", 10, 1, 1000),
    ("maxCodesPerAddressPerHour", 50, 1, 100_000),
    ("maxCodesPerRangePerHour", 10, 1, 100_000),
    ("maxCodesPerHour", 300, 1, 1_000_000),
    ("maxCodesPerDay", 3000, 1, 10_000_000),
    ("maxMessagesPerUserPerHour", 20, 1, 100_000),
    ("maxMessagesPerUserPerDay", 100, 1, 1_000_000),
    ("maxSegmentsPerUserPerHour", 60, 1, 1_000_000),
    ("maxSegmentsPerUserPerDay", 300, 1, 10_000_000),
    ("maxSegmentsPerMessage", 5, 1, 24),
    ("breakerMinCodes", 20, 0, 100_000),
    ("breakerMinVerifiedPercent", 20, 0, 100),
    ("breakerPauseMinutes", 60, 1, 1440),
];

/// The text settings, by JS name.
pub const TEXT_FIELDS: &[&str] = &["allowedCountries", "blockedCountries", "testPhoneNumbers"];

/// Whether `name` is a setting of the send policy.
pub fn is_field(name: &str) -> bool {
    NUMBERS.iter().any(|(n, ..)| *n == name) || TEXT_FIELDS.contains(&name)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Codes to one country in the last hour before the breaker judges it; 0 turns it off.
    pub min_codes: u32,
    /// The share of those codes that must have been verified; 0 turns the breaker off.
    pub min_verified_percent: u32,
    pub pause_minutes: u32,
}

#[derive(Debug, Clone)]
pub struct PolicySettings {
    pub number: NumberLimits,
    pub per_address_hour: u32,
    pub per_range_hour: u32,
    pub app_hour: u32,
    pub app_day: u32,
    pub user_messages_hour: u32,
    pub user_messages_day: u32,
    pub user_segments_hour: u32,
    pub user_segments_day: u32,
    pub max_segments_per_message: u32,
    pub countries: CountryPolicy,
    pub breaker: BreakerSettings,
    pub test_numbers: TestNumbers,
}

impl PolicySettings {
    pub(crate) fn read(r: &mut Reader) -> Self {
        let mut n: Vec<u32> = NUMBERS
            .iter()
            .map(|(field, default, min, max)| r.integer(field, *default, *min, *max))
            .collect();
        // A cap can be no higher than the longer one that contains it: the day's wins over the
        // hour's, and a message is no longer than the hour's segments.
        for (small, big) in [(1, 2), (5, 6), (7, 8), (9, 10), (11, 9)] {
            n[small] = n[small].min(n[big]);
        }
        let allowed = r.string("allowedCountries", Some("")).unwrap_or_default();
        let blocked = r
            .string("blockedCountries", Some(DEFAULT_BLOCKED))
            .unwrap_or_default();
        let countries =
            CountryPolicy::parse(&allowed, &blocked).unwrap_or_else(|(field, reason)| {
                r.problem(field, reason);
                CountryPolicy::default()
            });
        let numbers = r
            .text("testPhoneNumbers", Some(""), MAX_TEST_NUMBERS_TEXT)
            .unwrap_or_default();
        let test_numbers = TestNumbers::parse(&numbers).unwrap_or_else(|reason| {
            r.problem("testPhoneNumbers", reason);
            TestNumbers::default()
        });
        Self {
            number: NumberLimits {
                cooldown_seconds: n[0],
                per_hour: n[1],
                per_day: n[2],
            },
            per_address_hour: n[3],
            per_range_hour: n[4],
            app_hour: n[5],
            app_day: n[6],
            user_messages_hour: n[7],
            user_messages_day: n[8],
            user_segments_hour: n[9],
            user_segments_day: n[10],
            max_segments_per_message: n[11],
            countries,
            breaker: BreakerSettings {
                min_codes: n[12],
                min_verified_percent: n[13],
                pause_minutes: n[14],
            },
            test_numbers,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::config::Config;

    fn policy(extra: serde_json::Value) -> super::PolicySettings {
        let mut config = json!({"accountSid": "AC00000000000000000000000000000000",
            "authToken": "test_auth_token_0000000000000000", "senderPhoneNumber": "+15005550006"});
        for (k, v) in extra.as_object().unwrap() {
            config[k] = v.clone();
        }
        Config::from_json(&config).unwrap().policy
    }

    #[test]
    fn a_cap_is_no_higher_than_the_longer_one_that_contains_it() {
        let p = policy(
            json!({"maxSmsPerNumberPerHour": 50, "maxSmsPerNumberPerDay": 8,
                              "maxCodesPerHour": 900, "maxCodesPerDay": 400,
                              "maxSegmentsPerUserPerHour": 3, "maxSegmentsPerMessage": 10}),
        );
        assert_eq!((p.number.per_hour, p.number.per_day), (8, 8));
        assert_eq!((p.app_hour, p.app_day), (400, 400));
        assert_eq!(p.max_segments_per_message, 3);
        let defaults = policy(json!({}));
        assert_eq!((defaults.number.per_hour, defaults.number.per_day), (5, 10));
        assert_eq!(defaults.max_segments_per_message, 5);
    }
}
