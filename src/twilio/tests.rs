use serde_json::json;

use super::*;

fn config() -> Config {
    Config::from_json(&json!({
        "accountSid": "AC00000000000000000000000000000000",
        "authToken": "test_auth_token_0000000000000000",
        "senderPhoneNumber": "+15005550006",
        "twilioApiBaseUrl": "http://127.0.0.1:8788/",
    }))
    .unwrap()
}

#[test]
fn message_request_is_twilios_wire_format() {
    let media = vec![
        "https://e.com/a.png".to_string(),
        "https://e.com/b.png".to_string(),
    ];
    let req = message_request(
        &config(),
        &OutgoingMessage {
            to: "+14155552671",
            body: Some("Your code is 123456"),
            media_urls: &media,
            status_callback: Some("https://app.example.com/cb"),
        },
    );
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.url,
        "http://127.0.0.1:8788/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json"
    );
    assert_eq!(
        req.body.as_deref(),
        Some("To=%2B14155552671&From=%2B15005550006&Body=Your+code+is+123456&MediaUrl=https%3A%2F%2Fe.com%2Fa.png&MediaUrl=https%3A%2F%2Fe.com%2Fb.png&StatusCallback=https%3A%2F%2Fapp.example.com%2Fcb")
    );
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    // base64("AC000...:test_auth_token_0000000000000000")
    assert_eq!(
        header("Authorization"),
        Some("Basic QUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDp0ZXN0X2F1dGhfdG9rZW5fMDAwMDAwMDAwMDAwMDAwMA==")
    );
}

#[test]
fn messaging_service_is_sent_when_configured() {
    let c = Config::from_json(&json!({
        "accountSid": "AC00000000000000000000000000000000",
        "authToken": "test_auth_token_0000000000000000",
        "messagingServiceSid": "MG00000000000000000000000000000000",
    }))
    .unwrap();
    let req = message_request(
        &c,
        &OutgoingMessage {
            to: "+14155552671",
            body: Some("x"),
            media_urls: &[],
            status_callback: None,
        },
    );
    let body = req.body.unwrap();
    assert!(body.contains("MessagingServiceSid=MG00000000000000000000000000000000"));
    assert!(!body.contains("From="));
}

#[test]
fn created_reply_is_parsed() {
    let reply = HttpResponse {
        status: 201,
        body: json!({"sid": "SM00000000000000000000000000000001", "status": "queued", "to": "+14155552671",
            "from": "+15005550006", "num_segments": "1", "num_media": "0", "price": null}).to_string(),
    };
    let sent = parse_message_reply(&reply).unwrap();
    assert_eq!(sent.sid, "SM00000000000000000000000000000001");
    assert_eq!(sent.num_segments, Some(1));
}

#[test]
fn garbage_reply_is_unavailable_not_a_panic() {
    for body in ["", "null", "{}", "<html>", "[1,2]"] {
        let err = parse_message_reply(&HttpResponse {
            status: 201,
            body: body.into(),
        })
        .unwrap_err();
        assert_eq!(err.code(), "TWILIO_UNAVAILABLE", "{body:?}");
    }
}
