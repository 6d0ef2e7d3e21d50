//! Twilio's error replies, turned into errors a person can act on. Twilio's own text is written
//! for the developer holding the account; the app's end user sees ours, with Twilio's code and
//! documentation link kept in `details` for the developer.

use serde_json::Value;

use crate::error::PluginError;

/// Wording and client status for the codes people meet most. 502 marks a problem with the app's
/// own Twilio set-up (the client cannot fix it); 4xx a problem with the number the client gave.
fn known(code: i64) -> Option<(u16, &'static str)> {
    Some(match code {
        20003 => (502, "Twilio refused the app's credentials (Twilio error 20003): the Account SID or Auth Token in the plugin configuration is wrong, or the account is suspended. The app's administrator must correct the Twilio configuration."),
        20008 => (502, "The plugin is configured with Twilio test credentials, which cannot be used for this request. The app's administrator must use the live Account SID and Auth Token."),
        20404 => (502, "Twilio does not know the account or resource in the plugin configuration (Twilio error 20404). The app's administrator must check the Account SID."),
        21211 => (400, "This phone number is not valid. Check the number and try again."),
        21212 => (502, "The sender number in the plugin configuration is not a valid phone number (Twilio error 21212). The app's administrator must correct it."),
        21408 => (400, "Text messages to this country are not enabled for this app. The app's administrator can enable the country in Twilio's Geo Permissions."),
        21606 => (502, "The sender number in the plugin configuration does not belong to the Twilio account, or cannot send SMS (Twilio error 21606). The app's administrator must choose an SMS-capable number of the account."),
        21608 => (400, "This number cannot receive messages from this app yet: the app's Twilio account is a trial account, which can only text verified numbers."),
        21610 => (400, "This number has opted out of messages from this app (it replied STOP). Text START from the phone to opt back in, or use another number."),
        21611 => (503, "The sender's message queue is full. Try again in a few minutes."),
        21612 => (400, "Messages cannot be delivered to this number. Check it, or use another number."),
        21614 => (400, "This number cannot receive text messages (it is not a mobile number). Use a mobile number."),
        21617 => (400, "The message is longer than 1,600 characters. Shorten it."),
        21210 => (502, "The sender number in the plugin configuration cannot make calls (Twilio error 21210). The app's administrator must choose a voice-capable number of the account, or leave call out of channels."),
        21215 => (400, "Calls to this country are not enabled for this app. The app's administrator can enable it in Twilio's voice Geo Permissions."),
        21910 | 63007 => (502, "The WhatsApp sender in the plugin configuration is not a WhatsApp sender of the Twilio account. The app's administrator must set whatsappSender to a number registered with WhatsApp in Twilio, or leave whatsapp out of channels."),
        63003 => (400, "This number cannot get WhatsApp messages. Ask for the code by SMS instead."),
        60200 => (400, "Twilio Verify refused a parameter of the request (Twilio error 60200), most often the phone number: check it. If it is right, the app's administrator must check the Verify service's settings."),
        60203 => (429, "Twilio Verify has sent as many codes to this number as it allows for now. Wait 10 minutes, then ask for a new code."),
        60205 => (400, "This number is a landline and cannot get text messages. Ask for the code by phone call instead, or use a mobile number."),
        60223 | 68008 => (502, "This channel is not enabled in the app's Twilio Verify service. The app's administrator must enable it, or leave it out of channels."),
        60410 => (403, "Twilio's fraud protection is holding back codes to numbers like this one for now. Try again later, or use another number."),
        60605 => (400, "Codes to this country are not enabled for this app. The app's administrator can enable the country in the Verify service's Geo Permissions."),
        _ => return None,
    })
}

/// Maps a non-2xx reply from Twilio. 429 and 5xx are "unavailable" (temporary); the rest are
/// refusals. A 429 or 503 was not processed; after a 500, 502 or 504 a message create may
/// still have sent the message, so that failure is uncertain: its code is kept, and callers do
/// not retry it.
pub fn from_reply(http_status: u16, body: &str) -> PluginError {
    // Twilio's error body: `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`.
    let parsed = crate::json_text::parse(body).unwrap_or_default();
    let code = parsed.get("code").and_then(Value::as_i64);
    // Verify answers its own limits with 429: refusals with a reason, not outages.
    let verify_limit = code.is_some_and(|c| (60000..61000).contains(&c));
    if !verify_limit && http_status == 429 || http_status >= 500 || code == Some(20429) {
        return PluginError::TwilioUnavailable {
            reason: format!("Twilio answered HTTP {http_status}"),
            twilio_code: code,
            retry_after_seconds: Some(if http_status == 429 { 1 } else { 30 }),
            uncertain: matches!(http_status, 500 | 502 | 504),
        };
    }
    // Only Twilio's own documentation links are passed on.
    let more_info = parsed
        .get("more_info")
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|u| u.starts_with("https://www.twilio.com/") && u.len() <= 200);
    let (status, message) = match code.and_then(known) {
        Some((status, text)) => (status, text.to_string()),
        None => (
            if http_status == 400 { 400 } else { 502 },
            match code {
                Some(c) => format!("Twilio refused the request (Twilio error {c}). See moreInfo for what it means."),
                None => format!("Twilio refused the request with HTTP {http_status}."),
            },
        ),
    };
    PluginError::TwilioRejected {
        twilio_code: code,
        more_info,
        status,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: i64, status: u16) -> String {
        format!(
            r#"{{"code":{code},"message":"Twilio's own words","more_info":"https://www.twilio.com/docs/errors/{code}","status":{status}}}"#
        )
    }

    #[test]
    fn common_codes_get_plain_words_and_keep_twilio_code() {
        for (code, http, client_status, words) in [
            (20003, 401, 502, "Auth Token"),
            (21211, 400, 400, "not valid"),
            (21408, 400, 400, "Geo Permissions"),
            (21606, 400, 502, "sender number"),
            (21608, 400, 400, "trial"),
            (21610, 400, 400, "STOP"),
            (21612, 400, 400, "cannot be delivered"),
            (21614, 400, 400, "not a mobile number"),
        ] {
            let err = from_reply(http, &body(code, http));
            assert_eq!(err.code(), "TWILIO_REJECTED");
            assert_eq!(err.status(), client_status, "{code}");
            assert!(err.to_string().contains(words), "{code}: {err}");
            assert!(!err.to_string().contains("Twilio's own words"));
            assert_eq!(err.details()["twilioCode"], code);
            assert_eq!(
                err.details()["moreInfo"],
                format!("https://www.twilio.com/docs/errors/{code}")
            );
        }
    }

    #[test]
    fn server_errors_and_throttling_are_unavailable() {
        for (http, code) in [(500, 20500), (503, 20503), (429, 20429)] {
            let err = from_reply(http, &body(code, http));
            assert_eq!(err.code(), "TWILIO_UNAVAILABLE", "{http}");
            assert_eq!(err.details()["twilioCode"], code);
        }
        assert_eq!(
            from_reply(502, "<html>bad gateway</html>").code(),
            "TWILIO_UNAVAILABLE"
        );
    }

    #[test]
    fn unknown_code_points_at_more_info() {
        let err = from_reply(400, &body(21999, 400));
        assert!(err.to_string().contains("21999"));
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn foreign_more_info_links_are_dropped() {
        let err = from_reply(
            400,
            r#"{"code":21211,"more_info":"https://evil.example/x"}"#,
        );
        assert_eq!(err.details()["moreInfo"], serde_json::Value::Null);
    }
}
