//! Reads typed settings out of a JSON object, collecting a problem per bad field instead of
//! stopping at the first, so a configuration form can show them all at once.

use serde_json::{Map, Value};

use crate::error::ConfigProblem;
use crate::secret::Secret;

/// The longest string any setting may hold; longer input is a mistake or an attack.
const MAX_SETTING_LEN: usize = 2048;

pub struct Reader<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<ConfigProblem>,
}

impl<'a> Reader<'a> {
    pub fn new(map: &'a Map<String, Value>, problems: Vec<ConfigProblem>) -> Self {
        Self { map, problems }
    }

    pub fn problem(&mut self, field: &str, reason: impl Into<String>) {
        self.problems.push(ConfigProblem {
            field: field.to_string(),
            reason: reason.into(),
        });
    }

    pub fn finish(self) -> Vec<ConfigProblem> {
        self.problems
    }

    /// A field counts as absent when missing, null or an empty string: that is what an
    /// untouched form field sends.
    pub fn present(&self, field: &str) -> bool {
        match self.map.get(field) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        }
    }

    /// The setting as given, for one with a shape of its own (`messageTemplates`).
    pub fn raw(&self, field: &str) -> &Value {
        self.map.get(field).unwrap_or(&Value::Null)
    }

    /// A trimmed string, or `default` when absent. `None` when absent without default, or bad.
    pub fn string(&mut self, field: &str, default: Option<&str>) -> Option<String> {
        self.text(field, default, MAX_SETTING_LEN)
    }

    /// `string` for a setting that may be longer than most (a list of test numbers).
    pub fn text(&mut self, field: &str, default: Option<&str>, max_len: usize) -> Option<String> {
        if !self.present(field) {
            return default.map(str::to_string);
        }
        match self.map.get(field) {
            Some(Value::String(s)) if s.len() <= max_len => Some(s.trim().to_string()),
            Some(Value::String(_)) => {
                self.problem(field, format!("must be at most {max_len} characters"));
                None
            }
            _ => {
                self.problem(field, "must be text");
                None
            }
        }
    }

    /// A Twilio SID: two letters and 32 hexadecimal digits.
    pub fn sid(&mut self, field: &str, prefix: &str, required: bool) -> Option<String> {
        let value = self.string(field, None);
        let example = format!("{prefix} followed by 32 hexadecimal characters");
        match value {
            None if required && !self.present(field) => {
                self.problem(
                    field,
                    format!("is required: {example}, from your Twilio Console"),
                );
                None
            }
            None => None,
            Some(v) if is_sid(&v, prefix) => Some(v),
            Some(_) => {
                self.problem(field, format!("must be {example}"));
                None
            }
        }
    }

    pub fn secret(&mut self, field: &str, required: bool) -> Option<Secret> {
        match self.string(field, None) {
            None if required && !self.present(field) => {
                self.problem(field, "is required: copy it from your Twilio Console");
                None
            }
            None => None,
            Some(v) if v.len() >= 8 && v.chars().all(|c| c.is_ascii_graphic()) => {
                Some(Secret::new(v))
            }
            // The reason never repeats the value: this text can end up in a log.
            Some(_) => {
                self.problem(
                    field,
                    "must be the 32-character value from your Twilio Console",
                );
                None
            }
        }
    }

    pub fn integer(&mut self, field: &str, default: u32, min: u32, max: u32) -> u32 {
        if !self.present(field) {
            return default;
        }
        let value = match self.map.get(field) {
            Some(Value::Number(n)) => n.as_f64(),
            // Form inputs often arrive as text. Parsed as an integer: a float parser would add
            // kilobytes to the module for a field that only takes whole numbers.
            Some(Value::String(s)) => s.trim().parse::<u32>().ok().map(f64::from),
            _ => None,
        };
        match value {
            Some(v) if v.fract() == 0.0 && v >= f64::from(min) && v <= f64::from(max) => v as u32,
            _ => {
                self.problem(field, format!("must be a whole number from {min} to {max}"));
                default
            }
        }
    }

    pub fn boolean(&mut self, field: &str, default: bool) -> bool {
        match self.map.get(field) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s == "true" => true,
            Some(Value::String(s)) if s == "false" => false,
            Some(_) => {
                self.problem(field, "must be true or false");
                default
            }
        }
    }

    /// One of `options`, or `default` when absent.
    pub fn choice(
        &mut self,
        field: &str,
        default: &'static str,
        options: &[&'static str],
    ) -> &'static str {
        let Some(value) = self.string(field, None) else {
            return default;
        };
        match options.iter().find(|o| **o == value) {
            Some(o) => o,
            None => {
                self.problem(field, format!("must be one of: {}", options.join(", ")));
                default
            }
        }
    }

    /// The name of a column of the app's users table.
    pub fn field_name(&mut self, field: &str, default: &str) -> String {
        let name = self.string(field, Some(default)).unwrap_or_default();
        let valid = name.len() <= 64
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            name
        } else {
            self.problem(
                field,
                "must be a column name: letters, digits and _, such as phoneNumber",
            );
            default.to_string()
        }
    }
}

pub fn is_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value.bytes().skip(2).all(|b| b.is_ascii_hexdigit())
}
