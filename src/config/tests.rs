use serde_json::json;

use super::*;

fn minimal() -> Value {
    json!({
        "accountSid": "AC00000000000000000000000000000000",
        "authToken": "test_auth_token_0000000000000000",
        "senderPhoneNumber": "+15005550006",
    })
}

fn problems_of(value: Value) -> Vec<ConfigProblem> {
    match Config::from_json(&value) {
        Err(PluginError::ConfigInvalid(p)) => p,
        other => panic!("expected CONFIG_INVALID, got {other:?}"),
    }
}

#[test]
fn minimal_config_gets_documented_defaults() {
    let c = Config::from_json(&minimal()).unwrap();
    assert_eq!(c.code_length, 6);
    assert_eq!(c.code_ttl_seconds, 300);
    assert_eq!(c.max_attempts, 5);
    assert_eq!(c.phone_number_field, "phoneNumber");
    assert_eq!(c.identity_field, "email");
    assert_eq!(c.message_template, DEFAULT_TEMPLATE);
    assert_eq!(c.twilio_api_base_url, "https://api.twilio.com");
    assert!(c.phone_required);
    assert!(c.phone_login);
    assert_eq!(c.two_factor, TwoFactorMode::Optional);
    assert_eq!(c.two_factor_field, "twoFactorEnabled");
    assert_eq!(c.status_callback_url, None);
    assert!(!c.phone_is_identity());
}

#[test]
fn every_problem_is_reported_at_once() {
    let problems = problems_of(json!({
        "accountSid": "XX123",
        "codeLength": 3,
        "codeTtlSeconds": 3600,
        "maxAttempts": "many",
        "messageTemplate": "Hello",
        "twilioApiBaseUrl": "http://evil.example.com",
        "phonNumberField": "x",
    }));
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    for f in [
        "accountSid",
        "authToken",
        "senderPhoneNumber",
        "codeLength",
        "codeTtlSeconds",
        "maxAttempts",
        "messageTemplate",
        "twilioApiBaseUrl",
        "phonNumberField",
    ] {
        assert!(fields.contains(&f), "missing problem for {f}: {fields:?}");
    }
}

#[test]
fn bounds_are_inclusive() {
    for (field, ok, bad) in [
        ("codeLength", [4, 10], [3, 11]),
        ("codeTtlSeconds", [60, 600], [59, 601]),
        ("maxAttempts", [1, 10], [0, 11]),
    ] {
        for v in ok {
            let mut c = minimal();
            c[field] = json!(v);
            assert!(Config::from_json(&c).is_ok(), "{field}={v} should pass");
        }
        for v in bad {
            let mut c = minimal();
            c[field] = json!(v);
            assert_eq!(problems_of(c)[0].field, field, "{field}={v} should fail");
        }
    }
}

#[test]
fn messaging_service_can_replace_the_sender_number() {
    let mut c = minimal();
    c["senderPhoneNumber"] = json!("");
    c["messagingServiceSid"] = json!("MG00000000000000000000000000000000");
    let c = Config::from_json(&c).unwrap();
    assert_eq!(c.sender.phone_number, None);
    assert!(c.sender.messaging_service_sid.is_some());
}

#[test]
fn sender_number_is_normalized() {
    let mut c = minimal();
    c["senderPhoneNumber"] = json!("+1 (500) 555-0006");
    let c = Config::from_json(&c).unwrap();
    assert_eq!(c.sender.phone_number.as_deref(), Some("+15005550006"));
}

#[test]
fn api_key_needs_both_halves_and_is_used_for_auth() {
    let mut c = minimal();
    c["apiKeySid"] = json!("SK00000000000000000000000000000000");
    assert_eq!(problems_of(c.clone())[0].field, "apiKeySecret");
    c["apiKeySecret"] = json!("test_api_key_secret_000000000000");
    let c = Config::from_json(&c).unwrap();
    assert_eq!(
        c.basic_auth_credentials().0,
        "SK00000000000000000000000000000000"
    );
}

#[test]
fn plain_http_is_allowed_only_on_loopback() {
    for (url, ok) in [
        ("https://api.twilio.com", true),
        ("http://127.0.0.1:8788", true),
        ("http://localhost:8788/", true),
        ("http://[::1]:8788", true),
        ("http://api.twilio.com", false),
        ("http://127.0.0.1.evil.com", false), // a name that resolves anywhere
        ("http://user@localhost.evil.com", false),
        ("ftp://api.twilio.com", false),
        ("https://", false),
        ("https://api.twilio.com?x=1", false),
    ] {
        let mut c = minimal();
        c["twilioApiBaseUrl"] = json!(url);
        assert_eq!(Config::from_json(&c).is_ok(), ok, "{url}");
    }
}

#[test]
fn problems_never_repeat_a_secret() {
    let mut c = minimal();
    c["authToken"] = json!("bad token with spaces 123456");
    let text = format!("{:?}", problems_of(c));
    assert!(!text.contains("bad token"));
}

#[test]
fn debug_output_of_a_config_hides_the_token() {
    let c = Config::from_json(&minimal()).unwrap();
    assert!(!format!("{c:?}").contains("test_auth_token"));
}

#[test]
fn not_an_object_is_a_problem_not_a_panic() {
    for v in [json!(null), json!(42), json!("x"), json!([1, 2])] {
        assert_eq!(problems_of(v)[0].field, "config");
    }
}

#[test]
fn two_factor_mode_is_one_of_three() {
    for (value, mode) in [
        ("off", TwoFactorMode::Off),
        ("optional", TwoFactorMode::Optional),
        ("required", TwoFactorMode::Required),
    ] {
        let mut c = minimal();
        c["twoFactor"] = json!(value);
        assert_eq!(Config::from_json(&c).unwrap().two_factor, mode);
    }
    let mut c = minimal();
    c["twoFactor"] = json!("always");
    assert!(problems_of(c)[0].reason.contains("off, optional, required"));
}

#[test]
fn status_callback_url_must_be_https_or_loopback() {
    for (url, ok) in [
        ("https://app.example.com/api/twilio/status", true),
        (
            "http://127.0.0.1:8787/api/services/twilio/status-callback",
            true,
        ),
        ("http://app.example.com/status", false),
        ("not a url", false),
    ] {
        let mut c = minimal();
        c["statusCallbackUrl"] = json!(url);
        assert_eq!(Config::from_json(&c).is_ok(), ok, "{url}");
    }
}

#[test]
fn the_hosts_code_hashing_key_must_be_long_and_is_never_echoed() {
    let short = "k".repeat(31);
    let problems = problems_of(json!({
        "accountSid": "AC00000000000000000000000000000000",
        "authToken": "test_auth_token_0000000000000000",
        "senderPhoneNumber": "+15005550006",
        "codeHashingKey": short,
    }));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "codeHashingKey");
    assert!(!problems[0].reason.contains(&short));
    let mut config = minimal();
    config["codeHashingKey"] = json!("k".repeat(43));
    let c = Config::from_json(&config).unwrap();
    assert!(c.code_hashing_key.is_some());
    assert!(
        !format!("{c:?}").contains(&"k".repeat(43)),
        "Debug hides it"
    );
}

fn with(extra: Value) -> Value {
    let mut config = minimal();
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    config
}

#[test]
fn the_lines_phones_read_are_checked_for_what_they_must_be() {
    let c = Config::from_json(&with(json!({
        "webOtpDomain": "login.example.com",
        "androidAppHash": "FA+9qCX9VSu",
    })))
    .unwrap();
    assert_eq!(c.web_otp_domain.as_deref(), Some("login.example.com"));
    assert_eq!(c.android_app_hash.as_deref(), Some("FA+9qCX9VSu"));
    // Empty is unset.
    let c = Config::from_json(&with(json!({"webOtpDomain": "", "androidAppHash": ""}))).unwrap();
    assert_eq!((c.web_otp_domain, c.android_app_hash), (None, None));

    for domain in [
        "https://example.com",
        "example.com/login",
        "example.com:443",
        "Example.com",
        "-a.com",
        "a..b",
    ] {
        let problems = problems_of(with(json!({ "webOtpDomain": domain })));
        assert_eq!(problems[0].field, "webOtpDomain", "{domain}");
    }
    for hash in ["FA+9qCX9VS", "FA+9qCX9VSuu", "FA+9qCX9VS_"] {
        let problems = problems_of(with(json!({ "androidAppHash": hash })));
        assert_eq!(problems[0].field, "androidAppHash", "{hash}");
    }
}

#[test]
fn with_an_app_hash_the_code_message_must_fit_one_segment() {
    let long = "Your {appName} verification code is {code}. It expires soon; do not share it with anyone, not even with someone who says they work for us.";
    let problems = problems_of(with(json!({
        "androidAppHash": "FA+9qCX9VSu",
        "webOtpDomain": "example.com",
        "messageTemplate": long,
    })));
    assert_eq!(problems[0].field, "messageTemplate");
    assert!(
        problems[0].reason.contains("takes 2"),
        "{}",
        problems[0].reason
    );
    // The same text without the hash is accepted (it costs two segments).
    let c = Config::from_json(&with(
        json!({ "webOtpDomain": "example.com", "messageTemplate": long }),
    ))
    .unwrap();
    assert_eq!(c.segments_of(&c.message_template), 2);
    // The default text fits one segment with both lines.
    let c = Config::from_json(&with(json!({
        "androidAppHash": "FA+9qCX9VSu",
        "webOtpDomain": "example.com",
    })))
    .unwrap();
    assert_eq!(c.segments_of(&c.message_template), 1);
}
