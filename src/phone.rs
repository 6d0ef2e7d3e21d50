//! Phone numbers: the human forms people type, normalized to E.164 before anything else.

use crate::country_codes::calling_code_of;
use crate::error::{PluginError, Result};

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
    /// 0958`. The number must carry its country code (`+` or the international prefix `00`):
    /// guessing a country from the app's locale would text a stranger when the guess is wrong.
    /// `field` names the input in the error.
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
        if open_paren || !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
            return Err(invalid());
        }
        let calling_code = calling_code_of(&digits).ok_or_else(invalid)?;
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

    /// The number with all but the country code and the last four digits hidden, for showing
    /// a user where a code went without revealing the whole number: `+1******2671`.
    pub fn masked(&self) -> String {
        let cc = self.calling_code.to_string();
        let national = &self.e164[1 + cc.len()..];
        let keep = national.len().min(4);
        let hidden = national.len() - keep;
        format!("+{cc}{}{}", "*".repeat(hidden), &national[hidden..])
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
            ("+44 (0)20 7946 0958", "+4402079460958"),
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
