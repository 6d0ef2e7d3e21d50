//! JSON text from a `serde_json::Value`, written directly. serde_json's own writer goes through
//! `std::io`, which brings the whole I/O error machinery into the module for nothing.

use serde_json::Value;

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
}
