//! JSON text to and from a `serde_json::Value`, by hand. serde_json's own writer goes through
//! `std::io`, and its reader brings its error machinery (with `std::io`'s), a float parser and
//! their tables: together more than a tenth of the module, for the small, shallow records the
//! plugin reads (its own stored records and Twilio's replies).

use serde_json::{Map, Value};

/// A JSON object from `"key": value` pairs, each value converted with `Value::from`. Lighter in
/// the module than `serde_json::json!`, which sends every interpolated value through serde's
/// serializer and its error type.
#[macro_export]
macro_rules! object {
    ($($key:literal: $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut map = serde_json::Map::new();
        $(map.insert($key.into(), serde_json::Value::from($value));)*
        serde_json::Value::Object(map)
    }};
}

/// Sets `key` in a JSON object (and does nothing to anything else). `value[key] = ...` would do
/// the same but panics on a non-object, with a message that links `Debug` text escaping into
/// the module.
pub fn set(object: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = object {
        map.insert(key.into(), value);
    }
}

/// How much a text may hold before it is refused: nesting, values, and the length of each string
/// in UTF-16 units (as JS counts them). Bounds the recursion and the copies on hostile input.
#[derive(Clone, Copy)]
pub struct Limits {
    /// Objects and lists nested inside each other.
    pub depth: u32,
    pub values: usize,
    pub string_units: usize,
}

/// The plugin's own stored records and Twilio's replies: deeper than anything in them.
pub const RECORDS: Limits = Limits {
    depth: 32,
    values: usize::MAX,
    string_units: usize::MAX,
};

/// What a caller hands an operation as JSON text (the component's `json-object` arguments).
#[cfg(any(target_os = "wasi", test))]
pub const ARGUMENTS: Limits = Limits {
    depth: 16,
    values: 10_000,
    string_units: 65_536,
};

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    NotJson,
    TooDeep,
    TooMany,
    TooLong,
}

/// A refusal, and where in the value it struck (`.address.lines[2]`; empty at the top).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub reason: Reason,
    pub at: String,
}

impl Fault {
    fn new(reason: Reason) -> Self {
        Self {
            reason,
            at: String::new(),
        }
    }
}

/// Inside the parser, a refusal is `None`; why and where are kept in `Parser::fault` (an
/// `Option` travels back through the recursion in less code than a `Result` of a `Fault`).
type Parsed<T> = Option<T>;

/// Parses JSON text; `None` for anything that is not JSON (or nests deeper than 32). Integers
/// are exact; other numbers read as the nearest double (see `fraction`).
pub fn parse(text: &str) -> Option<Value> {
    parse_within(text, RECORDS).ok()
}

/// Parses JSON text within `limits`, saying what was wrong and where.
pub fn parse_within(text: &str, limits: Limits) -> Result<Value, Fault> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        i: 0,
        limits,
        values: 0,
        fault: None,
    };
    let value = p.value(0);
    p.ws();
    match value {
        Some(value) if p.i == p.b.len() => Ok(value),
        _ => Err(p.fault.unwrap_or(Fault::new(Reason::NotJson))),
    }
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    limits: Limits,
    values: usize,
    /// Why the text was refused, when it is for a limit (and where); else it is not JSON.
    fault: Option<Fault>,
}

impl Parser<'_> {
    /// Refuses the text for a limit.
    fn refuse<T>(&mut self, reason: Reason) -> Parsed<T> {
        self.fault = Some(Fault::new(reason));
        None
    }

    /// A refusal inside a member or an item: the path is written on the way out, and only
    /// where a refusal names it (the wasm-bindgen module reads no argument as text).
    #[cfg(any(target_os = "wasi", test))]
    fn inside<T>(&mut self, step: std::fmt::Arguments) -> Parsed<T> {
        if let Some(fault) = &mut self.fault {
            fault.at = format!("{step}{}", fault.at);
        }
        None
    }

    #[cfg(not(any(target_os = "wasi", test)))]
    fn inside<T>(&mut self, _step: std::fmt::Arguments) -> Parsed<T> {
        None
    }

    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Parsed<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn value(&mut self, depth: u32) -> Parsed<Value> {
        let first = self.peek()?;
        self.values += 1;
        if self.values > self.limits.values {
            return self.refuse(Reason::TooMany);
        }
        if matches!(first, b'{' | b'[') && depth >= self.limits.depth {
            return self.refuse(Reason::TooDeep);
        }
        match first {
            b'{' => {
                self.i += 1;
                let mut map = Map::new();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(Value::Object(map));
                }
                loop {
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.i += 1;
                    let item = match self.value(depth + 1) {
                        Some(item) => item,
                        None => return self.inside(format_args!(".{key}")),
                    };
                    map.insert(key, item);
                    if !self.more(b'}')? {
                        return Some(Value::Object(map));
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(Value::Array(items));
                }
                loop {
                    match self.value(depth + 1) {
                        Some(item) => items.push(item),
                        None => return self.inside(format_args!("[{}]", items.len())),
                    }
                    if !self.more(b']')? {
                        return Some(Value::Array(items));
                    }
                }
            }
            b'"' => self.string().map(Value::String),
            b't' => self.word("true", Value::Bool(true)),
            b'f' => self.word("false", Value::Bool(false)),
            b'n' => self.word("null", Value::Null),
            _ => self.number(),
        }
    }

    /// After an item: `Some(true)` for a comma, `Some(false)` for the closing `end`.
    fn more(&mut self, end: u8) -> Parsed<bool> {
        let next = self.peek()?;
        self.i += 1;
        match next {
            b',' => Some(true),
            c if c == end => Some(false),
            _ => None,
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Parsed<Value> {
        let end = self.i + word.len();
        if self.b.get(self.i..end) != Some(word.as_bytes()) {
            return None;
        }
        self.i = end;
        Some(value)
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let digits = self.b.get(self.i..self.i + 4)?;
        self.i += 4;
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| u32::from_str_radix(d, 16).ok())
    }

    /// A string at `"`. The text is UTF-8 already, and `"`, `\\` and control characters never
    /// occur inside a multi-byte character, so the runs between them are copied whole.
    fn string(&mut self) -> Parsed<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while self
                .b
                .get(self.i)
                .is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\')
            {
                self.i += 1;
            }
            out.push_str(self.text.get(run..self.i)?);
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => {
                    // A string has no more units than bytes: most need no count.
                    let limit = self.limits.string_units;
                    if out.len() > limit && utf16_units(&out) > limit {
                        return self.refuse(Reason::TooLong);
                    }
                    return Some(out);
                }
                b'\\' => {
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    let simple = match e {
                        b'"' | b'\\' | b'/' => e as char,
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                // A pair only with a low half: a lone half is U+FFFD, and
                                // the escape after it is read on its own.
                                let back = self.i;
                                self.i += 2;
                                let low = self.hex4()?;
                                if (0xDC00..0xE000).contains(&low) {
                                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                } else {
                                    self.i = back;
                                }
                            }
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return None,
                    };
                    out.push(simple);
                }
                _ => return None,
            }
        }
    }

    /// A number: integers exactly, anything else as the nearest double (`fraction`).
    fn number(&mut self) -> Parsed<Value> {
        let start = self.i;
        let mut integer = true;
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let digits_start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'0'..=b'9' => {}
                b'.' | b'e' | b'E' | b'+' | b'-' => integer = false,
                _ => break,
            }
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).ok()?;
        let valid = self.i > digits_start
            && !(self.b[digits_start] == b'0'
                && self.b.get(digits_start + 1).is_some_and(u8::is_ascii_digit));
        if !valid {
            return None;
        }
        if integer {
            if let Ok(n) = text.parse::<i64>() {
                return Some(Value::Number(n.into()));
            }
            if let Ok(n) = text.parse::<u64>() {
                return Some(Value::Number(n.into()));
            }
        }
        fraction(text)
    }
}

/// A string's length as JS counts it: one unit per character, two for those beyond the BMP.
fn utf16_units(text: &str) -> usize {
    text.bytes()
        .map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// A number with a fraction or an exponent. The component build reads user objects as JSON text
/// (the wasm-bindgen build gets them as JS values), so there a user's `height: 1.75` must stay
/// 1.75, and its grammar is checked; in the wasm-bindgen module nothing read as text has a
/// fraction, and it is `null` (a float parser would add kilobytes to the module).
#[cfg(target_os = "wasi")]
fn fraction(text: &str) -> Parsed<Value> {
    if !is_json_fraction(text.as_bytes()) {
        return None;
    }
    let n = text.parse::<f64>().unwrap_or(f64::NAN);
    Some(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
}

#[cfg(not(target_os = "wasi"))]
fn fraction(_text: &str) -> Parsed<Value> {
    Some(Value::Null)
}

#[cfg(target_os = "wasi")]
/// `-?digits(.digits)?([eE][+-]?digits)?`, the leading zero already checked.
fn is_json_fraction(b: &[u8]) -> bool {
    let digits = |mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    let mut i = usize::from(b.first() == Some(&b'-'));
    let Some(mut end) = digits(i) else {
        return false;
    };
    if b.get(end) == Some(&b'.') {
        let Some(after) = digits(end + 1) else {
            return false;
        };
        end = after;
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        i = end + 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let Some(after) = digits(i) else {
            return false;
        };
        end = after;
    }
    end == b.len()
}

/// An operation's argument from its JSON text, within `ARGUMENTS`; a refusal names the value
/// (`user.address.lines[2]`) and says what would be accepted.
#[cfg(any(target_os = "wasi", test))]
pub fn argument(text: &str, name: &str) -> Result<Value, crate::error::PluginError> {
    parse_within(text, ARGUMENTS).map_err(|fault| crate::error::PluginError::InvalidInput {
        field: format!("{name}{}", fault.at),
        expected: match fault.reason {
            Reason::NotJson => "JSON data (text, numbers, true/false, lists, objects)",
            Reason::TooDeep => "less deeply nested (at most 16 levels of objects and lists)",
            Reason::TooMany => "smaller: at most 10,000 values in all",
            Reason::TooLong => "at most 65,536 characters long",
        }
        .into(),
    })
}

/// The compact JSON text of `value`, as `JSON.stringify` writes it.
pub fn to_text(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

/// Runs without anything to escape are copied whole: only `"`, `\\` and control characters
/// are escaped, and none of them occurs inside a multi-byte character.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1F => "",
            _ => continue,
        };
        // (`get`, not indexing: every boundary here is one, and a slice that could panic
        // would link text formatting into the module.)
        out.push_str(s.get(run..i).unwrap_or_default());
        run = i + 1;
        if escaped.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        } else {
            out.push_str(escaped);
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_serde_json_for_every_kind_of_value() {
        let value = json!({
            "null": null, "bool": [true, false], "int": -42, "big": 9_007_199_254_740_993u64,
            "float": 1.5, "text": "quote \" backslash \\ newline \n tab \t bell \u{7} é 📱",
            "nested": {"empty": {}, "list": []}
        });
        assert_eq!(to_text(&value), serde_json::to_string(&value).unwrap());
        let parsed: Value = serde_json::from_str(&to_text(&value)).unwrap();
        assert_eq!(parsed, value);
    }

    #[test]
    fn parses_what_serde_json_parses() {
        for text in [
            r#"{"a":1,"b":[true,false,null],"c":{"d":"e"},"n":-42,"big":18446744073709551615}"#,
            r#" { "sid" : "SM00" , "num_segments" : "1", "price": null, "error_code": 30007 } "#,
            r#"["quote \" backslash \\ slash \/ \b\f\n\r\t", "\u00e9 \ud83d\udcf1 é 📱"]"#,
            "[]",
            "{}",
            "\"text\"",
        ] {
            let ours = parse(text).unwrap_or_else(|| panic!("refused {text}"));
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(to_text(&ours), to_text(&theirs), "{text}");
        }
    }

    #[test]
    fn lone_surrogate_halves_read_as_replacement_characters() {
        // JSON.stringify writes a lone half as an escape; the escape after it stays its own.
        let value = parse(r#"["\ud800\u0041", "\udc00x", "a\ud83d"]"#).unwrap();
        assert_eq!(
            value,
            serde_json::json!(["\u{fffd}A", "\u{fffd}x", "a\u{fffd}"])
        );
    }

    #[test]
    fn fractions_read_as_null_and_integers_exactly() {
        let value = parse("[1.5, -0.25, 2e3, 1E-2, 0, -7, 9007199254740993]").unwrap();
        assert_eq!(
            to_text(&value),
            "[null,null,null,null,0,-7,9007199254740993]"
        );
    }

    #[test]
    fn arguments_beyond_their_limits_are_refused_saying_where() {
        let fault = |text: &str| parse_within(text, ARGUMENTS).unwrap_err();
        let deep = format!("{}{}", "[".repeat(17), "]".repeat(17));
        assert_eq!(fault(&deep).reason, Reason::TooDeep);
        assert_eq!(fault(&deep).at, "[0]".repeat(16));
        let sixteen = format!("{}{}", "[".repeat(16), "]".repeat(16));
        assert!(parse_within(&sixteen, ARGUMENTS).is_ok());
        let long = format!(r#"{{"a":{{"lines":[1,"{}"]}}}}"#, "é".repeat(65_537));
        assert_eq!(
            fault(&long),
            Fault {
                reason: Reason::TooLong,
                at: ".a.lines[1]".into()
            }
        );
        assert!(parse_within(&format!("\"{}\"", "📱".repeat(32_768)), ARGUMENTS).is_ok());
        let many = format!("[{}]", vec!["0"; 10_000].join(","));
        assert_eq!(fault(&many).reason, Reason::TooMany);
        assert_eq!(fault("{\"a\":tru}").reason, Reason::NotJson);
        match argument(&long, "user") {
            Err(crate::error::PluginError::InvalidInput { field, expected }) => {
                assert_eq!(field, "user.a.lines[1]");
                assert_eq!(expected, "at most 65,536 characters long");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_what_is_not_json() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "01",
            "-",
            "tru",
            "\"\u{1}\"",
            "\"unterminated",
            "[1] x",
            "{'a':1}",
            "\"\\x\"",
            &deep,
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
