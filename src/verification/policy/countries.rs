//! Which countries the app sends to: an allowlist (empty: all) and a blocklist, each of calling
//! codes (`+44`) and regions (`GB`, or `JM` within +1), checked before anything is stored or
//! sent.
//!
//! The more specific entry wins: a blocked region inside an allowed calling code is blocked
//! (`+1` allowed, `JM` blocked), an allowed region inside a blocked calling code is allowed. At
//! equal specificity the allowlist wins, so a range blocked by default (`+881`) is sent to once
//! the operator allows it explicitly.

use crate::phone::regions::is_known_region;
use crate::phone::{is_assigned, PhoneNumber};

/// Non-geographic ranges blocked by default. None serves a person who signs up to an app, and
/// all are favourite destinations of SMS pumping: international freephone and shared-cost
/// (+800, +808), Inmarsat (+870), UPT (+878), satellite (+881), international networks (+882,
/// +883), OCHA (+888), international premium rate (+979), and the trial code +991.
pub const DEFAULT_BLOCKED: &str = "+800, +808, +870, +878, +881, +882, +883, +888, +979, +991";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    CallingCode(u16),
    Region([u8; 2]),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountryPolicy {
    allowed: Vec<Entry>,
    blocked: Vec<Entry>,
    /// The lists as the operator wrote them, for TEST CONFIGURATION's report.
    pub allowed_text: String,
    pub blocked_text: String,
}

/// Reads a list such as `+44, +49, US, CA`; the error names the first entry that is neither an
/// assigned calling code nor a region this plugin can tell.
fn parse_list(text: &str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    for item in text
        .split([',', ';', ' ', '\n', '\t', '\r'])
        .filter(|s| !s.is_empty())
    {
        let digits = item.strip_prefix('+').unwrap_or(item);
        let entry = if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits
                .parse()
                .ok()
                .filter(|c| is_assigned(*c))
                .map(Entry::CallingCode)
        } else {
            match item.as_bytes() {
                [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                    Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
                        .filter(|r| is_known_region(*r))
                        .map(Entry::Region)
                }
                _ => None,
            }
        };
        match entry {
            Some(e) if !entries.contains(&e) => entries.push(e),
            Some(_) => {}
            None => {
                let shown: String = item.chars().take(12).collect();
                return Err(format!("must list calling codes such as +44 and two-letter country codes such as GB; \"{shown}\" is neither"));
            }
        }
    }
    Ok(entries)
}

impl CountryPolicy {
    pub fn parse(allowed: &str, blocked: &str) -> Result<Self, (&'static str, String)> {
        Ok(Self {
            allowed: parse_list(allowed).map_err(|e| ("allowedCountries", e))?,
            blocked: parse_list(blocked).map_err(|e| ("blockedCountries", e))?,
            allowed_text: allowed.to_string(),
            blocked_text: blocked.to_string(),
        })
    }

    /// Whether codes and messages may go to this number.
    pub fn allows(&self, phone: &PhoneNumber) -> bool {
        let allowed = specificity(&self.allowed, phone);
        if !self.allowed.is_empty() && allowed == 0 {
            return false;
        }
        specificity(&self.blocked, phone) <= allowed
    }

    /// Whether the allowlist names this number's country: the app serves it, and its traffic
    /// is no pumping to pause (the conversion breaker leaves it alone; the other limits hold).
    pub fn served(&self, phone: &PhoneNumber) -> bool {
        specificity(&self.allowed, phone) > 0
    }
}

/// 2 when a region entry matches the number, 1 for its calling code, 0 for none.
fn specificity(entries: &[Entry], phone: &PhoneNumber) -> u8 {
    let region = phone.region();
    entries
        .iter()
        .map(|e| match e {
            Entry::Region(r) if Some(*r) == region => 2,
            Entry::CallingCode(c) if *c == phone.calling_code() => 1,
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(n: &str) -> PhoneNumber {
        PhoneNumber::parse(n, "p").unwrap()
    }

    #[test]
    fn by_default_the_international_networks_are_blocked_and_the_world_is_not() {
        let policy = CountryPolicy::parse("", DEFAULT_BLOCKED).unwrap();
        for blocked in [
            "+881 6 1234 5678",
            "+882 1234 5678",
            "+883 1234 5678",
            "+979 1234 5678",
        ] {
            assert!(!policy.allows(&phone(blocked)), "{blocked}");
        }
        for open in ["+44 7700 900123", "+1 415 555 2671", "+234 803 123 4567"] {
            assert!(policy.allows(&phone(open)), "{open}");
        }
    }

    #[test]
    fn the_more_specific_entry_wins_and_an_explicit_allow_beats_a_block() {
        let table = [
            ("", "+1", "+1 415 555 2671", false),
            ("US", "+1", "+1 415 555 2671", true),
            ("US", "+1", "+1 416 555 0123", false),
            ("+1", "JM", "+1 876 555 0123", false),
            ("+1", "JM", "+1 415 555 2671", true),
            ("+881", "+881", "+881 6 1234 5678", true),
            ("GB, DE", "", "+33 6 12 34 56 78", false),
            ("gb de", "", "+49 151 2345 6789", true),
            ("KZ", "", "+7 701 234 5678", true),
            ("KZ", "", "+7 495 123 4567", false),
        ];
        for (allowed, blocked, number, expected) in table {
            let policy = CountryPolicy::parse(allowed, blocked).unwrap();
            assert_eq!(
                policy.allows(&phone(number)),
                expected,
                "allowed [{allowed}] blocked [{blocked}] {number}"
            );
        }
    }

    #[test]
    fn an_unknown_entry_is_named() {
        let (field, reason) = CountryPolicy::parse("GB, Narnia", "").unwrap_err();
        assert_eq!(field, "allowedCountries");
        assert!(reason.contains("\"Narnia\""), "{reason}");
        assert!(
            CountryPolicy::parse("", "+210").is_err(),
            "210 is not assigned"
        );
        assert!(CountryPolicy::parse("", "ZZ").is_err());
    }
}
