//! Test numbers: numbers with a fixed code, for app-store review, demos and CI. They are never
//! texted and never counted against a limit; every other rule (attempts, expiry, binding to
//! the number, purpose and user) applies to their codes as to any other.
//!
//! Written one per line as `+15555550100 123456` (a space, `=`, `:` or `,` between).

use crate::phone::PhoneNumber;

pub const MAX_TEST_NUMBERS: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestNumbers(Vec<(String, String)>);

impl TestNumbers {
    /// Reads the list; the error says which line is wrong and how to write it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut numbers: Vec<(String, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let bad = |what: &str| {
                format!("line {}: {what}; write one number and its code per line, such as +15555550100 123456", i + 1)
            };
            let Some((number, code)) = line.rsplit_once([' ', '=', ':', ',', '\t']) else {
                return Err(bad("a number and a code are needed"));
            };
            let number = PhoneNumber::parse(number.trim_end_matches([' ', '=', ':', ',']), "")
                .map_err(|_| bad("the number is not in international form"))?;
            let code = code.trim();
            // Six digits at least: whoever knows the number may guess at its code (at most 20
            // times an hour, see `Plugin::check_code`).
            if !(6..=10).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("the code must be 6 to 10 digits"));
            }
            if numbers.iter().any(|(n, _)| n == number.as_str()) {
                return Err(bad("this number is listed twice"));
            }
            numbers.push((number.as_str().to_string(), code.to_string()));
        }
        if numbers.len() > MAX_TEST_NUMBERS {
            return Err(format!("must list at most {MAX_TEST_NUMBERS} numbers"));
        }
        Ok(Self(numbers))
    }

    /// The fixed code of a test number.
    pub fn code_for(&self, phone: &PhoneNumber) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == phone.as_str())
            .map(|(_, c)| c.as_str())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_number_and_code_per_line_in_any_form() {
        let numbers = TestNumbers::parse(
            "+1 555 555 0100 123456\n\n+44 (0)7700 900123=654321\n+15555550101: 98765432",
        )
        .unwrap();
        assert_eq!(numbers.len(), 3);
        let phone = |n| PhoneNumber::parse(n, "p").unwrap();
        assert_eq!(numbers.code_for(&phone("+15555550100")), Some("123456"));
        assert_eq!(numbers.code_for(&phone("+447700900123")), Some("654321"));
        assert_eq!(numbers.code_for(&phone("+15555550101")), Some("98765432"));
        assert_eq!(numbers.code_for(&phone("+15555550102")), None);
    }

    #[test]
    fn says_which_line_is_wrong() {
        for (text, words) in [
            ("+15555550100", "line 1: a number and a code"),
            (
                "+15555550100 12345",
                "line 1: the code must be 6 to 10 digits",
            ),
            ("+15555550100 12ab56", "the code must be"),
            ("5555550100 123456", "international form"),
            (
                "+15555550100 123456\n+1 555 555 0100 567890",
                "line 2: this number is listed twice",
            ),
        ] {
            let err = TestNumbers::parse(text).unwrap_err();
            assert!(err.contains(words), "{text}: {err}");
        }
        let many: String = (0..101)
            .map(|i| format!("+1555555{i:04} 123456\n"))
            .collect();
        assert!(TestNumbers::parse(&many)
            .unwrap_err()
            .contains("at most 100"));
    }
}
