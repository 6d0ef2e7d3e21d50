//! The send policy against the in-memory host: every limit, the country policy, the
//! conversion breaker, test numbers, and the rules that keep the defenses from locking users
//! out.

mod support;

use serde_json::{json, Map, Value};
use support::*;
use twilio_baas_plugin::{HookContext, HookOutcome, HostResult, Plugin, PluginError};

fn args(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// Registration step 1 from `ctx`: the answer's status and body, or the error.
fn start_from(p: &Plugin<FakeHost>, ctx: &HookContext, phone: &str) -> Result<Value, PluginError> {
    match block_on(p.before_register(ctx, args(json!({"phoneNumber": phone}))))? {
        HookOutcome::Respond { status, mut body } => {
            body["status"] = status.into();
            Ok(body)
        }
        other => panic!("expected respond, got {other:?}"),
    }
}

fn start(p: &Plugin<FakeHost>, phone: &str) -> Result<Value, PluginError> {
    start_from(p, &HookContext::default(), phone)
}

/// Registration step 2 with `code`.
fn finish(
    p: &Plugin<FakeHost>,
    tid: &str,
    phone: &str,
    code: &str,
) -> Result<HookOutcome, PluginError> {
    block_on(p.before_register(
        &HookContext::default(),
        args(
            json!({"email": "ada@example.com", "password": "pw", "phoneNumber": phone,
                    "transactionId": tid, "transactionCode": code}),
        ),
    ))
}

fn limit_of(err: &PluginError) -> String {
    format!(
        "{} {}",
        err.code(),
        err.details()["limit"].as_str().unwrap_or("")
    )
}

/// Limits far away, so that a test sees only the one it is about.
fn only(extra: Value) -> Value {
    let mut config = config_with(json!({
        "maxCodesPerAddressPerHour": 100_000, "maxCodesPerRangePerHour": 100_000,
        "maxCodesPerHour": 1_000_000, "maxCodesPerDay": 10_000_000, "breakerMinCodes": 0,
    }));
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    config
}

/// A UK mobile number in range `range` (each range a block of a thousand).
fn uk(range: u32, last: u32) -> String {
    format!("+447700{range:03}{last:03}")
}

#[test]
fn one_address_gets_at_most_its_cap_of_codes() {
    let p = plugin_with(only(json!({"maxCodesPerAddressPerHour": 5})));
    let attacker = from_address("203.0.113.7");
    let results: Vec<_> = (0..20)
        .map(|i| start_from(&p, &attacker, &uk(i, 1)))
        .collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5);
    assert_eq!(p.host().sms_count.get(), 5);
    let err = results[19].as_ref().unwrap_err();
    assert_eq!(limit_of(err), "RATE_LIMITED address-hour");
    assert!(err.details()["retryAfterSeconds"].as_u64().unwrap() > 0);
    // IPv6: one /64 is one address; another address is not affected.
    let v6 = |host: &str| from_address(&format!("2001:db8:1:2::{host}"));
    for i in 0..5 {
        start_from(&p, &v6(&i.to_string()), &uk(100 + i, 1)).unwrap();
    }
    let err = start_from(&p, &v6("99"), &uk(200, 1)).unwrap_err();
    assert_eq!(limit_of(&err), "RATE_LIMITED address-hour");
    start_from(&p, &from_address("198.51.100.1"), &uk(300, 1)).unwrap();
}

#[test]
fn one_range_gets_at_most_its_cap_whatever_the_addresses() {
    let p = plugin_with(only(json!({"maxCodesPerRangePerHour": 10})));
    let mut sent = 0;
    for i in 0..30 {
        let from = from_address(&format!("198.51.100.{i}"));
        match start_from(&p, &from, &uk(900, 100 + i)) {
            Ok(_) => sent += 1,
            Err(err) => assert_eq!(limit_of(&err), "RATE_LIMITED range-hour"),
        }
    }
    assert_eq!(sent, 10);
    assert_eq!(p.host().sms_count.get(), 10);
    start(&p, &uk(901, 100)).unwrap();
}

#[test]
fn the_app_budget_stops_sending_and_tells_the_operator_once() {
    let p = plugin_with(only(json!({"maxCodesPerHour": 3})));
    for i in 0..3 {
        start(&p, &uk(i, 1)).unwrap();
    }
    for i in 3..8 {
        let err = start(&p, &uk(i, 1)).unwrap_err();
        assert_eq!(limit_of(&err), "SMS_BUDGET_EXCEEDED app-hour");
        assert_eq!(err.status(), 429);
    }
    assert_eq!(p.host().sms_count.get(), 3);
    assert_eq!(p.host().logged("error", "SMS budget spent"), 1);
}

#[test]
fn the_resend_cooldown_grows_with_each_code() {
    let p = plugin_with(only(json!({"maxSmsPerNumberPerHour": 10})));
    let phone = uk(1, 1);
    let mut waits = Vec::new();
    for _ in 0..4 {
        let body = start(&p, &phone).unwrap();
        let wait = body["resendAfterSeconds"].as_i64().unwrap();
        let err = start(&p, &phone).unwrap_err();
        assert_eq!(limit_of(&err), "RATE_LIMITED number-cooldown");
        assert_eq!(err.details()["retryAfterSeconds"], wait);
        p.host().advance_seconds(wait);
        waits.push(wait);
    }
    assert_eq!(waits, [30, 60, 120, 240]);
}

#[test]
fn the_hourly_caps_roll_without_a_burst_at_the_clock_hour() {
    let p = plugin_with(only(
        json!({"resendCooldownSeconds": 0, "maxCodesPerRangePerHour": 7}),
    ));
    // 10:59 by the clock: five codes to one number, seven to another range.
    p.host().clock_ms.set(10 * 3_600_000 + 59 * 60_000);
    for _ in 0..5 {
        start(&p, &uk(5, 1)).unwrap();
    }
    for i in 0..7 {
        start(&p, &uk(6, i)).unwrap();
    }
    // Just past the hour a fixed window would open again; these do not.
    p.host().advance_seconds(90);
    assert_eq!(
        limit_of(&start(&p, &uk(5, 1)).unwrap_err()),
        "RATE_LIMITED number-hour"
    );
    assert_eq!(
        limit_of(&start(&p, &uk(6, 9)).unwrap_err()),
        "RATE_LIMITED range-hour"
    );
    // An hour after the first code, the number may have another; the range, as its share of
    // the previous hour slides out.
    p.host().advance_seconds(3600 - 90);
    start(&p, &uk(5, 1)).unwrap();
    start(&p, &uk(6, 9)).unwrap();
}

#[test]
fn the_daily_cap_counts_the_last_24_hours() {
    let p = plugin_with(only(
        json!({"resendCooldownSeconds": 0, "maxSmsPerNumberPerDay": 6}),
    ));
    for _ in 0..6 {
        start(&p, &uk(7, 1)).unwrap();
        p.host().advance_seconds(3 * 3600);
    }
    let err = start(&p, &uk(7, 1)).unwrap_err();
    assert_eq!(limit_of(&err), "RATE_LIMITED number-day");
    assert_eq!(err.details()["retryAfterSeconds"], 6 * 3600);
}

fn ada(p: &Plugin<FakeHost>) -> Map<String, Value> {
    let user = args(json!({"objectId": "U1", "email": "ada@example.com",
                           "phoneNumber": "+447700900123", "twoFactorEnabled": true}));
    p.host().users.borrow_mut().push(user.clone());
    user
}

fn password_login(p: &Plugin<FakeHost>, user: &Map<String, Value>) -> Result<Value, PluginError> {
    let login = args(json!({"login": "ada@example.com", "password": "pw"}));
    let succeeded = HostResult::Succeeded { user: user.clone() };
    match block_on(p.after_login(&from_address("203.0.113.7"), &login, &succeeded))? {
        HookOutcome::Respond { body, .. } => Ok(body),
        other => panic!("{other:?}"),
    }
}

#[test]
fn anonymous_traffic_cannot_keep_a_user_from_her_two_factor_code() {
    let p = plugin_with(config_with(json!({"maxCodesPerHour": 6})));
    let user = ada(&p);
    let attacker = from_address("203.0.113.7");
    // The attacker spends her number's allowance with registration and phone-login starts...
    for _ in 0..5 {
        start_from(&p, &attacker, "+447700900123").unwrap();
        p.host().advance_seconds(600);
    }
    let login = block_on(p.before_login(&attacker, args(json!({"phoneNumber": "+447700900123"}))));
    assert_eq!(limit_of(&login.unwrap_err()), "RATE_LIMITED number-hour");
    // ...and the app's budget, from the same address as hers.
    for i in 0..5 {
        let _ = start_from(&p, &attacker, &uk(i, 1));
    }
    assert_eq!(
        limit_of(&start(&p, &uk(50, 1)).unwrap_err()),
        "SMS_BUDGET_EXCEEDED app-hour"
    );
    let sms = p.host().sms_count.get();
    let body = password_login(&p, &user).unwrap();
    assert_eq!(body["twoFactorRequired"], true);
    assert_eq!(p.host().sms_count.get(), sms + 1, "her code went out");
}

#[test]
fn the_two_factor_code_has_its_own_budget_per_user() {
    let p = plugin_with(config_with(json!({"resendCooldownSeconds": 0})));
    let user = ada(&p);
    for _ in 0..5 {
        password_login(&p, &user).unwrap();
    }
    let err = password_login(&p, &user).unwrap_err();
    assert_eq!(limit_of(&err), "RATE_LIMITED number-hour");
    // The number's anonymous allowance is untouched.
    start(&p, "+447700900123").unwrap();
}

#[test]
fn a_send_that_never_left_spends_none_of_the_numbers_quota() {
    let p = plugin_with(only(json!({"maxCodesPerHour": 2})));
    let phone = uk(3, 3);
    let down = || Reply::Status(503, r#"{"code":20503,"status":503}"#.into());
    for reply in [
        down(),
        down(),
        down(),
        Reply::NetworkError("ECONNREFUSED".into()),
    ] {
        p.host().replies.borrow_mut().push(reply);
        assert_eq!(start(&p, &phone).unwrap_err().code(), "TWILIO_UNAVAILABLE");
    }
    p.host().replies.borrow_mut().push(Reply::Status(
        400,
        r#"{"code":21211,"message":"Invalid 'To' Phone Number","status":400}"#.into(),
    ));
    assert_eq!(start(&p, &phone).unwrap_err().code(), "TWILIO_REJECTED");
    // No cooldown, and the app's budget still has both of its codes.
    start(&p, &phone).unwrap();
    start(&p, &uk(4, 4)).unwrap();
    let err = start(&p, &uk(5, 5)).unwrap_err();
    assert_eq!(limit_of(&err), "SMS_BUDGET_EXCEEDED app-hour");
    assert_eq!(p.host().sms_count.get(), 2);
}

#[test]
fn numbers_twilio_refuses_cannot_be_tried_without_end_from_one_address() {
    let p = plugin_with(only(json!({"maxCodesPerAddressPerHour": 5})));
    let from = from_address("203.0.113.7");
    let invalid = || Reply::Status(400, r#"{"code":21211,"status":400}"#.into());
    for i in 0..5 {
        p.host().replies.borrow_mut().push(invalid());
        let err = start_from(&p, &from, &uk(i, 1)).unwrap_err();
        assert_eq!(err.code(), "TWILIO_REJECTED");
    }
    let err = start_from(&p, &from, &uk(9, 1)).unwrap_err();
    assert_eq!(limit_of(&err), "RATE_LIMITED address-hour");
    assert_eq!(p.host().requests.borrow().len(), 5);
}

#[test]
fn the_breaker_leaves_alone_the_countries_the_app_says_it_serves() {
    let p = plugin_with(only(
        json!({"breakerMinCodes": 20, "allowedCountries": "US, JM"}),
    ));
    for i in 0..25 {
        start(&p, &format!("+1415{:03}0123", 200 + i)).unwrap();
    }
    start(&p, "+14155550123").unwrap();
    assert_eq!(p.host().logged("error", "conversion breaker"), 0);
    // Listed by region or by calling code, the same.
    let p = plugin_with(only(json!({"breakerMinCodes": 20})));
    for i in 0..20 {
        start(&p, &format!("+1415{:03}0123", 200 + i)).unwrap();
    }
    assert_eq!(
        limit_of(&start(&p, "+14155550123").unwrap_err()),
        "RATE_LIMITED country-paused"
    );
}

#[test]
fn a_timeout_keeps_the_verification_and_says_the_code_may_still_arrive() {
    let p = plugin();
    let phone = uk(6, 6);
    p.host().replies.borrow_mut().push(Reply::Timeout);
    let body = start(&p, &phone).unwrap();
    assert_eq!(body["status"], 202);
    assert_eq!(body["deliveryUncertain"], true);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("may still arrive"));
    assert_eq!(body["resendAfterSeconds"], 30);
    // It counts: the number is in its cooldown.
    let err = start(&p, &phone).unwrap_err();
    assert_eq!(limit_of(&err), "RATE_LIMITED number-cooldown");
    // Twilio did get it: the SMS arrives later, and its code works.
    let code = p.host().last_code();
    let tid = body["transactionId"].as_str().unwrap();
    assert!(matches!(
        finish(&p, tid, &phone, &code),
        Ok(HookOutcome::Continue { .. })
    ));
}

#[test]
fn the_international_networks_are_blocked_by_default_before_anything_is_stored() {
    let p = plugin();
    for phone in [
        "+881 6 1234 5678",
        "+882 1234 5678",
        "+883 1234 5678",
        "+870 7712 3456",
    ] {
        let err = start(&p, phone).unwrap_err();
        assert_eq!(err.code(), "COUNTRY_NOT_ALLOWED", "{phone}");
        assert_eq!(err.status(), 403);
        assert!(err.details()["country"].as_str().unwrap().starts_with('+'));
    }
    assert!(p.host().requests.borrow().is_empty());
    assert!(!p
        .host()
        .store
        .borrow()
        .keys()
        .any(|k| k.starts_with("verification/") || k.starts_with("sends/")));
}

#[test]
fn allowed_and_blocked_countries_by_calling_code_and_region() {
    let p = plugin_with(config_with(
        json!({"allowedCountries": "+1, GB", "blockedCountries": "JM"}),
    ));
    start(&p, "+1 415 555 2671").unwrap();
    start(&p, "+44 7700 900123").unwrap();
    for (phone, country) in [("+1 876 555 0123", "JM"), ("+49 151 2345 6789", "DE")] {
        let err = start(&p, phone).unwrap_err();
        assert_eq!(err.code(), "COUNTRY_NOT_ALLOWED");
        assert_eq!(err.details()["country"], country);
    }
    // The messaging API follows the same policy.
    let signed_in = HookContext {
        user_id: Some("U1".into()),
        ..Default::default()
    };
    let err = block_on(services::send_sms(
        &p,
        &signed_in,
        &json!({"to": "+18765550123", "body": "hi"}),
    ))
    .unwrap_err();
    assert_eq!(err.code(), "COUNTRY_NOT_ALLOWED");
}

#[test]
fn the_conversion_breaker_pauses_a_country_whose_codes_are_never_used() {
    let p = plugin_with(only(json!({"breakerMinCodes": 20})));
    let jamaica = |i: u32| format!("+1876555{i:04}");
    for i in 0..20 {
        start(&p, &jamaica(i * 1000)).unwrap();
    }
    // Codes to the UK are entered: that country stays open.
    for i in 0..20 {
        let body = start(&p, &uk(i, 9)).unwrap();
        let tid = body["transactionId"].as_str().unwrap().to_string();
        finish(&p, &tid, &uk(i, 9), &p.host().last_code()).unwrap();
    }
    let err = start(&p, &jamaica(5)).unwrap_err();
    assert_eq!(limit_of(&err), "RATE_LIMITED country-paused");
    assert!(err.details()["retryAfterSeconds"].as_u64().unwrap() > 3500);
    start(&p, &uk(99, 9)).unwrap();
    assert_eq!(p.host().logged("error", "conversion breaker"), 1);
    let report = block_on(services::test_configuration(&p));
    let sending = &report["checks"][3];
    assert_eq!(sending["name"], "sending");
    assert_eq!(sending["status"], "warning");
    assert!(
        sending["message"].as_str().unwrap().contains("JM"),
        "{sending}"
    );
    // After the pause, codes go to Jamaica again.
    p.host().advance_seconds(3601);
    start(&p, &jamaica(6)).unwrap();
}

#[test]
fn test_numbers_are_never_texted_never_counted_and_otherwise_follow_the_rules() {
    let p = plugin_with(config_with(
        json!({"testPhoneNumbers": "+1 555 555 0100 123456"}),
    ));
    for _ in 0..20 {
        start(&p, "+15555550100").unwrap();
    }
    assert!(p.host().requests.borrow().is_empty(), "never texted");
    assert_eq!(p.host().logged("info", "test number"), 20);
    let body = start(&p, "+15555550100").unwrap();
    let tid = body["transactionId"].as_str().unwrap();
    for _ in 0..5 {
        finish(&p, tid, "+15555550100", "654321").unwrap_err();
    }
    assert_eq!(
        finish(&p, tid, "+15555550100", "123456")
            .unwrap_err()
            .code(),
        "TOO_MANY_ATTEMPTS"
    );
    let tid = start(&p, "+15555550100").unwrap()["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(finish(&p, &tid, "+15555550100", "123456").is_ok());
    let signed_in = HookContext {
        user_id: Some("U1".into()),
        ..Default::default()
    };
    let err = block_on(services::send_sms(
        &p,
        &signed_in,
        &json!({"to": "+15555550100", "body": "hi"}),
    ))
    .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
}

#[test]
fn the_forms_of_one_number_share_its_limits() {
    let p = plugin();
    start(&p, "+44 (0)7700 900123").unwrap();
    for same in ["+447700900123", "0044 0 7700 900123", "+44 7700 900123"] {
        assert_eq!(
            limit_of(&start(&p, same).unwrap_err()),
            "RATE_LIMITED number-cooldown"
        );
    }
}

fn signed_in(user: &str) -> HookContext {
    HookContext {
        user_id: Some(user.into()),
        ..Default::default()
    }
}

fn send(p: &Plugin<FakeHost>, user: &str, to: &str, body: &str) -> Result<Value, PluginError> {
    block_on(services::send_sms(
        p,
        &signed_in(user),
        &json!({"to": to, "body": body}),
    ))
}

#[test]
fn a_user_of_the_messaging_api_has_limits_on_messages_and_segments() {
    let p = plugin_with(config_with(json!({"maxMessagesPerUserPerHour": 3})));
    for i in 0..3 {
        send(&p, "U1", &uk(i, 1), "hello").unwrap();
    }
    let err = send(&p, "U1", &uk(9, 1), "hello").unwrap_err();
    assert_eq!(limit_of(&err), "RATE_LIMITED user-messages-hour");
    send(&p, "U2", &uk(9, 1), "hello").unwrap();

    let p = plugin_with(config_with(
        json!({"maxSegmentsPerUserPerHour": 5, "maxSegmentsPerMessage": 3}),
    ));
    let two_segments = "a".repeat(200);
    send(&p, "U1", &uk(1, 1), &two_segments).unwrap();
    send(&p, "U1", &uk(2, 1), &two_segments).unwrap();
    let err = send(&p, "U1", &uk(3, 1), &two_segments).unwrap_err();
    assert_eq!(limit_of(&err), "RATE_LIMITED user-segments-hour");
    send(&p, "U1", &uk(3, 1), "one segment").unwrap();
    let err = send(&p, "U2", &uk(4, 1), &"a".repeat(500)).unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(err.to_string().contains("at most 3 SMS segments"), "{err}");
    assert_eq!(p.host().sms_count.get(), 3);
}

#[test]
fn the_counters_say_what_was_sent_verified_and_refused_per_country_and_hour() {
    let p = plugin_with(config_with(
        json!({"testPhoneNumbers": "+15555550100 123456"}),
    ));
    let body = start(&p, &uk(1, 1)).unwrap();
    let tid = body["transactionId"].as_str().unwrap();
    finish(&p, tid, &uk(1, 1), &p.host().last_code()).unwrap();
    start(&p, &uk(1, 1)).unwrap_err();
    start(&p, "+881 6 1234 5678").unwrap_err();
    start(&p, "+15555550100").unwrap();
    let count = |key: &str| {
        p.host()
            .store
            .borrow()
            .get(key)
            .map(|(v, _)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(count("stats/0/GB/sent"), "1");
    assert_eq!(count("stats/0/GB/verified"), "1");
    assert_eq!(count("stats/0/GB/number-cooldown"), "1");
    assert_eq!(count("stats/0/+881/country-blocked"), "1");
    assert_eq!(count("stats/0/US/sent"), "", "test numbers are not counted");
}

#[test]
fn a_test_numbers_code_cannot_be_guessed_by_starting_again() {
    let p = plugin_with(config_with(
        json!({"testPhoneNumbers": "+15555550100 123456"}),
    ));
    let mut refused = None;
    for i in 0..30 {
        let tid = start(&p, "+15555550100").unwrap()["transactionId"]
            .as_str()
            .unwrap()
            .to_string();
        if let Err(err) = finish(&p, &tid, "+15555550100", &format!("{:06}", i + 1)) {
            if err.code() == "TOO_MANY_ATTEMPTS" {
                refused = Some(i);
                break;
            }
        }
    }
    assert_eq!(refused, Some(20), "20 checks an hour, across verifications");
    let tid = start(&p, "+15555550100").unwrap()["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        finish(&p, &tid, "+15555550100", "123456")
            .unwrap_err()
            .code(),
        "TOO_MANY_ATTEMPTS",
        "even the right code waits for the next hour"
    );
    p.host().advance_seconds(3600);
    let tid = start(&p, "+15555550100").unwrap()["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(finish(&p, &tid, "+15555550100", "123456").is_ok());
}

#[test]
fn a_verification_given_back_by_a_failed_registration_counts_as_verified_once() {
    let p = plugin();
    let phone = uk(1, 1);
    let tid = start(&p, &phone).unwrap()["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let code = p.host().last_code();
    let request = args(json!({"email": "taken@example.com", "password": "pw",
        "phoneNumber": phone, "transactionId": tid, "transactionCode": code}));
    let failed = HostResult::Failed {
        code: "3033".into(),
        message: "User already exists".into(),
    };
    for _ in 0..5 {
        finish(&p, &tid, &phone, &code).unwrap();
        block_on(p.after_register(&HookContext::default(), &request, &failed)).unwrap();
    }
    let verified = p.host().store.borrow().get("stats/0/GB/verified").cloned();
    assert_eq!(verified.map(|(v, _)| v).as_deref(), Some("1"));
}

#[test]
fn a_twilio_answer_that_may_have_sent_keeps_the_code() {
    for (reply, uncertain) in [
        (
            Reply::Status(500, r#"{"code":20500,"status":500}"#.into()),
            true,
        ),
        (
            Reply::Status(504, "<html>gateway timeout</html>".into()),
            true,
        ),
        (Reply::Status(201, "<html>accepted?</html>".into()), true),
        (
            Reply::Status(503, r#"{"code":20503,"status":503}"#.into()),
            false,
        ),
        (
            Reply::Status(429, r#"{"code":20429,"status":429}"#.into()),
            false,
        ),
    ] {
        let p = plugin();
        p.host().replies.borrow_mut().push(reply);
        match start(&p, &uk(2, 2)) {
            Ok(body) => {
                assert!(uncertain, "{body}");
                assert_eq!(body["status"], 202);
                assert_eq!(body["deliveryUncertain"], true);
            }
            Err(err) => {
                assert!(!uncertain, "{err}");
                assert_eq!(err.code(), "TWILIO_UNAVAILABLE");
                start(&p, &uk(2, 2)).unwrap();
            }
        }
    }
}

#[test]
fn an_mms_is_counted_by_the_segments_of_its_text() {
    let p = plugin_with(config_with(json!({"maxSegmentsPerMessage": 3})));
    let mms = |body: &str| json!({"to": uk(1, 1), "body": body, "mediaUrls": ["https://e.example/a.png"]});
    let err = block_on(services::send_mms(
        &p,
        &signed_in("U1"),
        &mms(&"ж".repeat(1600)),
    ))
    .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    block_on(services::send_mms(&p, &signed_in("U1"), &mms("A photo"))).unwrap();
}

#[test]
fn a_two_factor_column_is_on_however_the_table_writes_true() {
    for on in [
        json!(true),
        json!(1),
        json!("TRUE"),
        json!("true"),
        json!("1"),
    ] {
        let p = plugin();
        let mut user = ada(&p);
        user["twoFactorEnabled"] = on.clone();
        let body = password_login(&p, &user).unwrap();
        assert_eq!(body["twoFactorRequired"], true, "{on}");
    }
}
