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

/// Deeper than anything the plugin reads; bounds the recursion on hostile input.
const MAX_DEPTH: u32 = 32;

/// Parses JSON text; `None` for anything that is not JSON (or nests deeper than 32). Integers
/// are exact; other numbers read as `null` (see `number`).
pub fn parse(text: &str) -> Option<Value> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    let value = p.value(0)?;
    p.ws();
    (p.i == p.b.len()).then_some(value)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn value(&mut self, depth: u32) -> Option<Value> {
        let first = self.peek()?;
        if depth > MAX_DEPTH {
            return None;
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
                    map.insert(key, self.value(depth + 1)?);
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
                    items.push(self.value(depth + 1)?);
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
    fn more(&mut self, end: u8) -> Option<bool> {
        let next = self.peek()?;
        self.i += 1;
        match next {
            b',' => Some(true),
            c if c == end => Some(false),
            _ => None,
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Option<Value> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word.as_bytes()).then(|| {
            self.i = end;
            value
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.b.get(self.i..self.i + 4)?).ok()?;
        self.i += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// A string at `"`. The text is UTF-8 already, and `"` and `\\` never occur inside a
    /// multi-byte character, so runs between them are copied as they are.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    let simple = match e {
                        b'"' | b'\\' | b'/' => e,
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                let low = self.hex4()?;
                                code = 0x10000
                                    + ((code - 0xD800) << 10)
                                    + (low.wrapping_sub(0xDC00) & 0x3FF);
                            }
                            let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                            out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => return None,
                    };
                    out.push(simple);
                }
                0..=0x1F => return None,
                _ => out.push(c),
            }
        }
    }

    /// A number. Integers are kept exactly; any other number reads as `null`: nothing the plugin
    /// reads has a fraction, and a float parser would add kilobytes to the module. (So the
    /// grammar of fractions is not checked either: `1.e` reads as `null` too.)
    fn number(&mut self) -> Option<Value> {
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
        Some(fraction(text))
    }
}

/// A number with a fraction or an exponent. The component build reads user objects as JSON text
/// (the wasm-bindgen build gets them as JS values), so there a user's `height: 1.75` must stay
/// 1.75; in the wasm-bindgen module nothing read as text has a fraction, and it is `null`.
#[cfg(target_os = "wasi")]
fn fraction(text: &str) -> Value {
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

#[cfg(not(target_os = "wasi"))]
fn fraction(_text: &str) -> Value {
    Value::Null
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

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
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
    fn fractions_read_as_null_and_integers_exactly() {
        let value = parse("[1.5, -0.25, 2e3, 1E-2, 0, -7, 9007199254740993]").unwrap();
        assert_eq!(
            to_text(&value),
            "[null,null,null,null,0,-7,9007199254740993]"
        );
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
