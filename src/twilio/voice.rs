//! A code read out in a phone call, through the Calls API: Twilio calls the number from the
//! app's voice-capable sender and speaks TwiML given inline. The code is read digit by digit
//! with a pause after each, and the whole text twice, so it can be written down.

use super::{account_url, post};
use crate::config::Config;
use crate::host::HttpRequest;

/// `1, 2, 3, 4`: a text-to-speech voice reads a comma as a short pause.
pub fn spoken_digits(code: &str) -> String {
    let mut spoken = String::new();
    for digit in code.chars() {
        if !spoken.is_empty() {
            spoken.push_str(", ");
        }
        spoken.push(digit);
    }
    spoken
}

/// `<Response>` saying `text` (the app's code text, with `spoken_digits`) twice, a pause
/// between, in `language` (a `<Say>` language such as `de-DE`) when known.
pub fn twiml(text: &str, language: Option<&str>) -> String {
    let say = match language {
        Some(language) => format!("<Say language=\"{language}\">"),
        None => "<Say>".to_string(),
    };
    let text = xml_escape(text);
    format!("<Response>{say}{text}</Say><Pause length=\"2\"/>{say}{text}</Say></Response>")
}

/// Text as XML character data and attribute values: the app name is the app's own.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // TwiML is XML 1.0: control characters cannot be written at all.
            c if c < ' ' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `POST /2010-04-01/Accounts/{AccountSid}/Calls.json` with the TwiML inline.
pub fn call_request(config: &Config, to: &str, twiml: &str) -> HttpRequest {
    let from = config.sender.phone_number.as_deref().unwrap_or("");
    post(
        config,
        account_url(config, "/Calls.json"),
        &[("To", to), ("From", from), ("Twiml", twiml)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_read_digit_by_digit_twice_and_the_text_escaped() {
        assert_eq!(spoken_digits("1204"), "1, 2, 0, 4");
        let xml = twiml("Code for A&B <x>: 1, 2", Some("de-DE"));
        assert_eq!(
            xml,
            "<Response><Say language=\"de-DE\">Code for A&amp;B &lt;x&gt;: 1, 2</Say><Pause length=\"2\"/><Say language=\"de-DE\">Code for A&amp;B &lt;x&gt;: 1, 2</Say></Response>"
        );
        assert!(twiml("a\u{1}b", None).contains("<Say>a b</Say>"));
    }
}
