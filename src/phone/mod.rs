//! Phone numbers: the human forms people type, normalized to E.164 before anything else, with
//! the country they belong to.

mod calling_codes;
pub mod regions;

use crate::error::{PluginError, Result};
pub use calling_codes::is_assigned;
use calling_codes::{calling_code_of, drops_trunk_zero};

/// E.164 allows at most 15 digits; the shortest numbers in service have 7.
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;
/// Anything longer than this is not a typed phone number, whatever it contains.
const MAX_INPUT_LEN: usize = 64;

/// A phone number in E.164 form (`+` and 7-15 digits) whose country calling code is assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    e164: String,
    calling_code: u16,
}

impl PhoneNumber {
    /// Parses the forms people write: `+1 (415) 555-2671`, `+44.20.7946.0958`, `0044 20 7946
    /// 0958`, `+44 (0)7700 900123`. The number must carry its country code (`+` or the
    /// international prefix `00`): guessing a country from the app's locale would text a
    /// stranger when the guess is wrong. A national trunk `0` after the country code is dropped
    /// where the numbering plan dials one, so that one phone is one number. `field` names the
    /// input in the error.
    pub fn parse(input: &str, field: &str) -> Result<Self> {
        let invalid = || PluginError::InvalidPhoneNumber {
            field: field.to_string(),
        };
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > MAX_INPUT_LEN {
            return Err(invalid());
        }
        let rest = if let Some(r) = trimmed.strip_prefix('+') {
            r
        } else if let Some(r) = trimmed.strip_prefix("00") {
            r
        } else {
            return Err(invalid());
        };
        let mut digits = String::with_capacity(MAX_DIGITS);
        let mut open_paren = false;
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '\u{a0}' => {}
                '(' if !open_paren => open_paren = true,
                ')' if open_paren => open_paren = false,
                _ => return Err(invalid()),
            }
        }
        let calling_code = calling_code_of(&digits).ok_or_else(invalid)?;
        let cc_len = code_len(calling_code);
        if drops_trunk_zero(calling_code) && digits.as_bytes().get(cc_len) == Some(&b'0') {
            // Rebuilt rather than `String::remove`, whose panic path would link `Debug` text
            // escaping into the module (see `text`).
            let national: String = digits.chars().skip(cc_len + 1).collect();
            digits.truncate(cc_len);
            digits.push_str(&national);
        }
        if open_paren || !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
            return Err(invalid());
        }
        Ok(Self {
            e164: format!("+{digits}"),
            calling_code,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The ITU country calling code, e.g. 1 for the NANP, 44 for the UK.
    pub fn calling_code(&self) -> u16 {
        self.calling_code
    }

    /// The digits after the country calling code.
    fn national(&self) -> &str {
        self.e164
            .get(1 + code_len(self.calling_code)..)
            .unwrap_or_default()
    }

    /// The region (ISO 3166-1 alpha-2) the number belongs to, where it has one.
    pub fn region(&self) -> Option<[u8; 2]> {
        regions::region_of(self.calling_code, self.national())
    }

    /// What the country policy and the activity counters call the number's country: its region
    /// (`GB`, `JM`) or, for the international networks, its calling code (`+881`).
    pub fn country(&self) -> String {
        match self.region() {
            Some(r) => r.iter().map(|&b| char::from(b)).collect(),
            None => format!("+{}", self.calling_code),
        }
    }

    /// The number without its last three digits: a block of a thousand numbers, the unit in
    /// which carriers assign them (NANP thousands-blocks) and in which SMS pumping walks them.
    pub fn range(&self) -> &str {
        let end = self.e164.len().saturating_sub(3);
        self.e164.get(..end).unwrap_or_default()
    }

    /// The number with all but the country code and the last four digits hidden, for showing
    /// a user where a code went without revealing the whole number: `+1******2671`.
    pub fn masked(&self) -> String {
        let cc = self.calling_code.to_string();
        let national = self.national();
        let keep = national.len().min(4);
        let hidden = national.len() - keep;
        let last = national.get(hidden..).unwrap_or_default();
        format!("+{cc}{}{last}", "*".repeat(hidden))
    }
}

/// How many digits a calling code has (1 to 3).
fn code_len(code: u16) -> usize {
    match code {
        0..=9 => 1,
        10..=99 => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_forms_become_e164() {
        for (input, e164) in [
            ("+14155552671", "+14155552671"),
            ("+1 (415) 555-2671", "+14155552671"),
            ("  +1 415.555.2671 ", "+14155552671"),
            ("0044 20 7946 0958", "+442079460958"),
            ("+44 (0)20 7946 0958", "+442079460958"),
            ("+49-151-2345-6789", "+4915123456789"),
        ] {
            assert_eq!(
                PhoneNumber::parse(input, "phoneNumber").unwrap().as_str(),
                e164,
                "{input}"
            );
        }
    }

    #[test]
    fn a_trunk_zero_is_dropped_where_the_plan_dials_one_and_kept_where_it_is_the_number() {
        for (input, e164) in [
            ("+44 (0)7700 900123", "+447700900123"),
            ("+44 0 7700 900123", "+447700900123"),
            ("+4407700900123", "+447700900123"),
            ("0044 0 7700 900123", "+447700900123"),
            ("0044 (0) 7700-900123", "+447700900123"),
            ("+44 7700 900123", "+447700900123"),
            ("+49 (0)30 1234567", "+49301234567"),
            ("+33 (0)6 12 34 56 78", "+33612345678"),
            ("+31 (0)6 12345678", "+31612345678"),
            ("+61 (0)4 1234 5678", "+61412345678"),
            ("+353 (0)85 123 4567", "+353851234567"),
            ("+81 (0)90-1234-5678", "+819012345678"),
            // Italy: the 0 of a landline is part of the number, also from abroad.
            ("+39 06 6982 1234", "+390669821234"),
            ("+39 (06) 6982 1234", "+390669821234"),
            // Côte d'Ivoire's ten-digit numbers begin with 0.
            ("+225 07 12 34 56 78", "+2250712345678"),
            // Only one trunk digit goes.
            ("+44 00 7700 9001", "+44077009001"),
            // France's overseas departments dial a trunk 0 as France does.
            ("+262 0692 12 34 56", "+262692123456"),
            ("+590 0690 12 34 56", "+590690123456"),
            ("+243 081 234 5678", "+243812345678"),
        ] {
            assert_eq!(
                PhoneNumber::parse(input, "phoneNumber").unwrap().as_str(),
                e164,
                "{input}"
            );
        }
    }

    #[test]
    fn knows_the_country_and_the_range() {
        let uk = PhoneNumber::parse("+44 7700 900123", "p").unwrap();
        assert_eq!(uk.country(), "GB");
        assert_eq!(uk.range(), "+447700900");
        let satellite = PhoneNumber::parse("+881 6 1234 5678", "p").unwrap();
        assert_eq!(satellite.country(), "+881");
        let jamaica = PhoneNumber::parse("+1 876 555 0123", "p").unwrap();
        assert_eq!(jamaica.country(), "JM");
    }

    #[test]
    fn rejects_what_is_not_an_international_number() {
        for input in [
            "",
            "4155552671",            // no country code
            "+1 415 555 2671 ext 5", // letters
            "+1234",                 // too short
            "+1234567890123456",     // 16 digits
            "+210 123 4567",         // unassigned country code
            "+1 (415 555 2671",      // unbalanced parenthesis
            "++14155552671",
            "+１４１５５５５２６７１", // full-width digits
            &"9".repeat(10_000),
        ] {
            let err = PhoneNumber::parse(input, "phoneNumber").unwrap_err();
            assert_eq!(err.code(), "INVALID_PHONE_NUMBER", "{input}");
            assert!(
                err.to_string().contains("+14155552671"),
                "message shows the expected form"
            );
        }
    }

    #[test]
    fn knows_the_country_calling_code() {
        assert_eq!(
            PhoneNumber::parse("+14155552671", "p")
                .unwrap()
                .calling_code(),
            1
        );
        assert_eq!(
            PhoneNumber::parse("+353 1 234 5678", "p")
                .unwrap()
                .calling_code(),
            353
        );
    }

    #[test]
    fn masks_all_but_country_code_and_last_four_digits() {
        let p = PhoneNumber::parse("+14155552671", "p").unwrap();
        assert_eq!(p.masked(), "+1******2671");
    }
}
