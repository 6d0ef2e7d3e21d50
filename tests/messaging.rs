//! The messaging API, the app's own verifications, status callbacks and TEST CONFIGURATION,
//! against the in-memory host.

mod support;

use serde_json::{json, Value};
use support::*;
use twilio_baas_plugin::twilio_signature as compute;
use twilio_baas_plugin::{HookContext, Plugin};

const PHONE: &str = "+14155552671";
const CALLBACK: &str = "https://app.example.com/api/services/twilio/status-callback";

fn signed_in(user: &str) -> HookContext {
    HookContext {
        user_id: Some(user.into()),
        ..Default::default()
    }
}

fn sent_form(p: &Plugin<FakeHost>) -> String {
    p.host()
        .requests
        .borrow()
        .last()
        .unwrap()
        .body
        .clone()
        .unwrap()
}

#[test]
fn send_sms_answers_the_message_and_sends_twilios_wire_format() {
    let p = plugin();
    let reply = block_on(services::send_sms(
        &p,
        &signed_in("U1"),
        &json!({"to": "+1 415 555 2671", "body": "Hello & welcome"}),
    ))
    .unwrap();
    assert!(reply["sid"].as_str().unwrap().starts_with("SM"));
    assert_eq!(reply["status"], "queued");
    assert_eq!(reply["to"], PHONE);
    assert_eq!(reply["numSegments"], 1);
    assert_eq!(
        sent_form(&p),
        "To=%2B14155552671&From=%2B15005550006&Body=Hello+%26+welcome"
    );
}

#[test]
fn send_mms_sends_each_media_url_as_a_repeated_field() {
    let p = plugin();
    let request = json!({"to": PHONE, "mediaUrls": ["https://e.com/a.png", "https://e.com/b.jpg"], "statusCallback": CALLBACK});
    block_on(services::send_mms(&p, &signed_in("U1"), &request)).unwrap();
    let form = sent_form(&p);
    assert_eq!(form.matches("MediaUrl=").count(), 2, "{form}");
    assert!(!form.contains("Body="));
    assert!(form.contains("StatusCallback=https%3A%2F%2Fapp.example.com"));
}

#[test]
fn bad_input_is_refused_before_anything_reaches_twilio() {
    let p = plugin();
    let ctx = signed_in("U1");
    for (request, field) in [
        (json!({"to": "415 555", "body": "x"}), "to"),
        (json!({"body": "x"}), "to"),
        (json!({"to": PHONE}), "body"),
        (json!({"to": PHONE, "body": "   "}), "body"),
        (json!({"to": PHONE, "body": "x".repeat(1601)}), "body"),
        (
            json!({"to": PHONE, "body": "x", "statusCallback": "http://evil.example/cb"}),
            "statusCallback",
        ),
        (
            json!({"to": PHONE, "body": "x", "statusCallback": "https://bad_host.example/cb"}),
            "statusCallback",
        ),
        (json!("not an object"), "request"),
    ] {
        let err = block_on(services::send_sms(&p, &ctx, &request)).unwrap_err();
        assert_eq!(err.details()["field"], field, "{request}: {err}");
    }
    for (media, field) in [
        (json!([]), "mediaUrls"),
        (
            json!((0..11)
                .map(|i| format!("https://e.com/{i}.png"))
                .collect::<Vec<_>>()),
            "mediaUrls",
        ),
        (json!(["http://e.com/a.png"]), "mediaUrls[0]"),
        (json!(["https://e.com/a.png", 5]), "mediaUrls[1]"),
        (json!("https://e.com/a.png"), "mediaUrls"),
    ] {
        let err = block_on(services::send_mms(
            &p,
            &ctx,
            &json!({"to": PHONE, "mediaUrls": media}),
        ))
        .unwrap_err();
        assert_eq!(err.details()["field"], field, "{media}");
    }
    assert!(p.host().requests.borrow().is_empty());
}

#[test]
fn anonymous_callers_cannot_spend_the_sms_budget() {
    let p = plugin();
    let err = block_on(services::send_sms(
        &p,
        &HookContext::default(),
        &json!({"to": PHONE, "body": "x"}),
    ))
    .unwrap_err();
    assert_eq!((err.code(), err.status()), ("NOT_AUTHENTICATED", 401));
    let mut cfg = config_json();
    cfg["messagingAccess"] = json!("anyone");
    let open = plugin_with(cfg);
    assert!(block_on(services::send_sms(
        &open,
        &HookContext::default(),
        &json!({"to": PHONE, "body": "x"})
    ))
    .is_ok());
}

#[test]
fn twilio_refusals_keep_twilios_code() {
    let p = plugin();
    p.host().replies.borrow_mut().push(Reply::Status(400, r#"{"code":21610,"message":"unsubscribed","more_info":"https://www.twilio.com/docs/errors/21610","status":400}"#.into()));
    let err = block_on(services::send_sms(
        &p,
        &signed_in("U1"),
        &json!({"to": "+15005550004", "body": "x"}),
    ))
    .unwrap_err();
    assert_eq!(err.code(), "TWILIO_REJECTED");
    assert_eq!(err.details()["twilioCode"], 21610);
}

fn callback_request(url: &str, params: &[(&str, &str)], token: &str) -> Value {
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let signature = compute(token, url, &pairs);
    let body = params
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('+', "%2B")))
        .collect::<Vec<_>>()
        .join("&");
    json!({"url": url, "headers": {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}, "body": body})
}

fn sent_sid(p: &Plugin<FakeHost>) -> String {
    block_on(services::send_sms(
        p,
        &signed_in("U1"),
        &json!({"to": PHONE, "body": "x"}),
    ))
    .unwrap()["sid"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn signed_callbacks_update_the_message_status() {
    let p = plugin();
    let sid = sent_sid(&p);
    for status in ["sent", "delivered"] {
        let request = callback_request(
            CALLBACK,
            &[
                ("MessageSid", &sid),
                ("MessageStatus", status),
                ("AccountSid", ACCOUNT_SID),
                ("To", PHONE),
            ],
            AUTH_TOKEN,
        );
        block_on(services::handle_status_callback(
            &p,
            &HookContext::default(),
            &request,
        ))
        .unwrap();
    }
    let status = block_on(services::get_message_status(
        &p,
        &signed_in("U1"),
        &json!({"sid": sid}),
    ))
    .unwrap();
    assert_eq!(status["status"], "delivered");
    // A late "sent" does not move it back.
    let late = callback_request(
        CALLBACK,
        &[("MessageSid", &sid), ("MessageStatus", "sent")],
        AUTH_TOKEN,
    );
    block_on(services::handle_status_callback(
        &p,
        &HookContext::default(),
        &late,
    ))
    .unwrap();
    assert_eq!(
        block_on(services::get_message_status(
            &p,
            &signed_in("U1"),
            &json!({"sid": sid})
        ))
        .unwrap()["status"],
        "delivered"
    );
}

#[test]
fn undelivered_status_keeps_the_error_code() {
    let p = plugin();
    let sid = sent_sid(&p);
    let request = callback_request(
        CALLBACK,
        &[
            ("MessageSid", &sid),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "30003"),
        ],
        AUTH_TOKEN,
    );
    block_on(services::handle_status_callback(
        &p,
        &HookContext::default(),
        &request,
    ))
    .unwrap();
    let status = block_on(services::get_message_status(
        &p,
        &signed_in("U1"),
        &json!({"sid": sid}),
    ))
    .unwrap();
    assert_eq!(
        (status["status"].as_str(), status["errorCode"].as_i64()),
        (Some("undelivered"), Some(30003))
    );
}

#[test]
fn unsigned_or_tampered_callbacks_are_refused_with_403() {
    let p = plugin();
    let sid = sent_sid(&p);
    let good = callback_request(
        CALLBACK,
        &[("MessageSid", &sid), ("MessageStatus", "delivered")],
        AUTH_TOKEN,
    );
    let mut tampered = good.clone();
    tampered["body"] = json!(good["body"]
        .as_str()
        .unwrap()
        .replace("delivered", "failed"));
    let mut other_url = good.clone();
    other_url["url"] = json!("https://app.example.com/other");
    let mut unsigned = good.clone();
    unsigned["headers"]
        .as_object_mut()
        .unwrap()
        .remove("X-Twilio-Signature");
    let wrong_token = callback_request(
        CALLBACK,
        &[("MessageSid", &sid), ("MessageStatus", "delivered")],
        "another_token_000000000000000000",
    );
    let other_account = callback_request(
        CALLBACK,
        &[
            ("MessageSid", &sid),
            ("MessageStatus", "delivered"),
            ("AccountSid", "AC11111111111111111111111111111111"),
        ],
        AUTH_TOKEN,
    );
    for request in [tampered, other_url, unsigned, wrong_token, other_account] {
        let err = block_on(services::handle_status_callback(
            &p,
            &HookContext::default(),
            &request,
        ))
        .unwrap_err();
        assert_eq!(
            (err.code(), err.status()),
            ("SIGNATURE_INVALID", 403),
            "{request}"
        );
    }
    assert_eq!(
        block_on(services::get_message_status(
            &p,
            &signed_in("U1"),
            &json!({"sid": sid})
        ))
        .unwrap()["status"],
        "queued"
    );
}

#[test]
fn message_status_is_shown_only_to_its_sender() {
    let p = plugin();
    let sid = sent_sid(&p);
    assert_eq!(
        block_on(services::get_message_status(
            &p,
            &signed_in("U2"),
            &json!({"sid": sid})
        ))
        .unwrap_err()
        .code(),
        "MESSAGE_NOT_FOUND"
    );
    assert_eq!(
        block_on(services::get_message_status(
            &p,
            &signed_in("U1"),
            &json!({"sid": "SMnope"})
        ))
        .unwrap_err()
        .code(),
        "INVALID_INPUT"
    );
}

fn start(p: &Plugin<FakeHost>, user: &str, purpose: &str) -> String {
    let reply = block_on(services::start_verification(
        p,
        &signed_in(user),
        &json!({"phoneNumber": PHONE, "purpose": purpose}),
    ))
    .unwrap();
    reply["transactionId"].as_str().unwrap().to_string()
}

fn check(
    p: &Plugin<FakeHost>,
    user: &str,
    tid: &str,
    code: &str,
    phone: &str,
    purpose: &str,
) -> Result<Value, twilio_baas_plugin::PluginError> {
    block_on(services::check_verification(
        p,
        &signed_in(user),
        &json!({"transactionId": tid, "transactionCode": code, "phoneNumber": phone, "purpose": purpose}),
    ))
}

#[test]
fn app_verification_confirms_a_number_once() {
    let p = plugin();
    let tid = start(&p, "U1", "change-phone");
    let code = p.host().last_code();
    let ok = check(&p, "U1", &tid, &code, PHONE, "change-phone").unwrap();
    assert_eq!(
        ok,
        json!({"verified": true, "phoneNumber": PHONE, "purpose": "change-phone"})
    );
    assert_eq!(
        check(&p, "U1", &tid, &code, PHONE, "change-phone")
            .unwrap_err()
            .code(),
        "CODE_MISMATCH"
    );
}

#[test]
fn app_verification_is_bound_to_phone_purpose_and_user() {
    let p = plugin();
    let tid = start(&p, "U1", "change-phone");
    let code = p.host().last_code();
    assert_eq!(
        check(&p, "U1", &tid, &code, "+14155552672", "change-phone")
            .unwrap_err()
            .code(),
        "CODE_MISMATCH"
    );
    assert_eq!(
        check(&p, "U1", &tid, &code, PHONE, "other")
            .unwrap_err()
            .code(),
        "CODE_MISMATCH"
    );
    assert_eq!(
        check(&p, "U2", &tid, &code, PHONE, "change-phone")
            .unwrap_err()
            .code(),
        "CODE_MISMATCH"
    );
    assert!(check(&p, "U1", &tid, &code, PHONE, "change-phone").is_ok());
}

#[test]
fn app_verification_has_bounded_attempts_and_lifetime() {
    let p = plugin();
    let tid = start(&p, "U1", "verify");
    let code = p.host().last_code();
    let lefts: Vec<Value> = (0..4)
        .map(|_| {
            check(&p, "U1", &tid, "bad", PHONE, "verify")
                .unwrap_err()
                .details()["attemptsLeft"]
                .clone()
        })
        .collect();
    assert_eq!(lefts, [json!(4), json!(3), json!(2), json!(1)]);
    assert_eq!(
        check(&p, "U1", &tid, "bad", PHONE, "verify")
            .unwrap_err()
            .code(),
        "TOO_MANY_ATTEMPTS"
    );
    assert_eq!(
        check(&p, "U1", &tid, &code, PHONE, "verify")
            .unwrap_err()
            .code(),
        "TOO_MANY_ATTEMPTS"
    );
    p.host().advance_seconds(30); // the resend cooldown
    let tid = start(&p, "U1", "verify");
    let code = p.host().last_code();
    p.host().advance_seconds(300);
    assert_eq!(
        check(&p, "U1", &tid, &code, PHONE, "verify")
            .unwrap_err()
            .code(),
        "VERIFICATION_EXPIRED"
    );
}

fn test_config_with(replies: Vec<Reply>) -> Value {
    let p = plugin();
    p.host().replies.borrow_mut().extend(replies);
    block_on(services::test_configuration(&p))
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn account(kind: &str, status: &str) -> Reply {
    Reply::Status(
        200,
        json!({"sid": ACCOUNT_SID, "friendly_name": "Acme", "status": status, "type": kind})
            .to_string(),
    )
}

fn numbers(list: Value) -> Reply {
    Reply::Status(
        200,
        json!({"incoming_phone_numbers": list, "page": 0}).to_string(),
    )
}

#[test]
fn test_configuration_reports_each_check() {
    let sms =
        json!([{"phone_number": "+15005550006", "capabilities": {"sms": true, "voice": true}}]);
    let report = test_config_with(vec![account("Full", "active"), numbers(sms.clone())]);
    assert_eq!(report["ok"], true);
    assert_eq!(
        statuses(&report),
        [
            ("fields".into(), "passed".into()),
            ("credentials".into(), "passed".into()),
            ("sender".into(), "passed".into()),
            ("sending".into(), "passed".into())
        ]
    );

    let report = test_config_with(vec![account("Trial", "active"), numbers(sms)]);
    assert_eq!(statuses(&report)[1].1, "warning");
    assert!(report["checks"][1]["message"]
        .as_str()
        .unwrap()
        .contains("verified"));

    let report = test_config_with(vec![Reply::Status(
        401,
        r#"{"code":20003,"status":401}"#.into(),
    )]);
    assert_eq!(report["ok"], false);
    assert!(report["checks"][1]["message"]
        .as_str()
        .unwrap()
        .contains("20003"));
    assert_eq!(statuses(&report)[2].1, "skipped");

    let report = test_config_with(vec![Reply::Status(
        403,
        r#"{"code":20008,"status":403}"#.into(),
    )]);
    assert!(report["checks"][1]["message"]
        .as_str()
        .unwrap()
        .contains("test credentials"));

    let report = test_config_with(vec![account("Full", "active"), numbers(json!([]))]);
    assert!(report["checks"][2]["message"]
        .as_str()
        .unwrap()
        .contains("does not belong"));

    let voice_only = json!([{"phone_number": "+15005550006", "capabilities": {"sms": false}}]);
    let report = test_config_with(vec![account("Full", "active"), numbers(voice_only)]);
    assert!(report["checks"][2]["message"]
        .as_str()
        .unwrap()
        .contains("cannot send SMS"));
}

#[test]
fn test_configuration_checks_both_sender_number_and_messaging_service() {
    let mut cfg = config_json();
    cfg["messagingServiceSid"] = json!("MGeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    let p = plugin_with(cfg);
    let sms = json!([{"phone_number": "+15005550006", "capabilities": {"sms": true}}]);
    p.host().replies.borrow_mut().extend([
        account("Full", "active"),
        numbers(sms),
        Reply::Status(
            404,
            r#"{"code":20404,"message":"not found","status":404}"#.into(),
        ),
    ]);
    let report = block_on(services::test_configuration(&p));
    assert_eq!(report["ok"], false);
    assert_eq!(report["checks"][2]["status"], "failed");
    assert!(report["checks"][2]["message"]
        .as_str()
        .unwrap()
        .contains("was not found"));
}

#[test]
fn a_check_that_leaves_out_its_purpose_is_told_so_and_spends_no_attempt() {
    let p = plugin();
    let tid = start(&p, "U1", "change-phone");
    let code = p.host().last_code();
    let without_purpose = |user: &str| {
        block_on(services::check_verification(
            &p,
            &signed_in(user),
            &json!({"transactionId": tid, "transactionCode": code, "phoneNumber": PHONE}),
        ))
    };
    for _ in 0..6 {
        let err = without_purpose("U1").unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert_eq!(err.details()["field"], "purpose");
    }
    // An empty purpose is no purpose.
    let empty =
        json!({"transactionId": tid, "transactionCode": code, "phoneNumber": PHONE, "purpose": ""});
    let err = block_on(services::check_verification(&p, &signed_in("U1"), &empty)).unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    // Another caller learns nothing: the same answer as for any wrong check.
    assert_eq!(without_purpose("U2").unwrap_err().code(), "CODE_MISMATCH");
    // No attempt was spent on the slips: the right check still works.
    check(&p, "U1", &tid, &code, PHONE, "change-phone").unwrap();
    // A verification started without a purpose is checked without one.
    p.host().advance_seconds(3600);
    let tid = start(&p, "U1", "verify");
    let code = p.host().last_code();
    let plain = json!({"transactionId": tid, "transactionCode": code, "phoneNumber": PHONE});
    block_on(services::check_verification(&p, &signed_in("U1"), &plain)).unwrap();
}
