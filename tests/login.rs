//! Phone-number login and SMS two-factor authentication, against the in-memory host.

mod support;

use serde_json::{json, Map, Value};
use support::*;
use twilio_baas_plugin::{HookContext, HookOutcome, HostResult, Plugin, PluginError};

/// Ada's number: she has two-factor on.
const PHONE: &str = "+14155552671";
/// Bob's number: two-factor off.
const BOB: &str = "+14155552672";

fn args(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn ctx() -> HookContext {
    HookContext::default()
}

fn with_users(config: Value) -> Plugin<FakeHost> {
    let p = plugin_with(config);
    p.host().users.borrow_mut().extend([
        args(json!({"objectId": "U1", "email": "ada@example.com", "phoneNumber": PHONE, "twoFactorEnabled": true})),
        args(json!({"objectId": "U2", "email": "bob@example.com", "phoneNumber": "+14155552672", "twoFactorEnabled": false})),
        args(json!({"objectId": "U3", "email": "cy@example.com"})),
    ]);
    p
}

fn respond_body(outcome: HookOutcome) -> Value {
    match outcome {
        HookOutcome::Respond { status: 200, body } => body,
        other => panic!("expected respond, got {other:?}"),
    }
}

/// Phone login's first step, and the send it leaves for after its answer.
fn phone_login_start(p: &Plugin<FakeHost>, phone: &str) -> Value {
    let outcome = block_on(p.before_login(&ctx(), args(json!({"phoneNumber": phone})))).unwrap();
    block_on(p.run_deferred());
    respond_body(outcome)
}

fn phone_login_finish(
    p: &Plugin<FakeHost>,
    tid: &str,
    phone: &str,
    code: &str,
) -> Result<HookOutcome, PluginError> {
    block_on(p.before_login(
        &ctx(),
        args(json!({"phoneNumber": phone, "transactionId": tid, "transactionCode": code})),
    ))
}

fn password_login(p: &Plugin<FakeHost>, email: &str) -> Result<HookOutcome, PluginError> {
    let user = p
        .host()
        .users
        .borrow()
        .iter()
        .find(|u| u["email"] == email)
        .cloned()
        .unwrap();
    let request = args(json!({"login": email, "password": "pw"}));
    assert_eq!(
        block_on(p.before_login(&ctx(), request.clone())).unwrap(),
        HookOutcome::Continue { args: None }
    );
    block_on(p.after_login(&ctx(), &request, &HostResult::Succeeded { user }))
}

fn two_factor_finish(
    p: &Plugin<FakeHost>,
    login: &str,
    tid: &str,
    code: &str,
) -> Result<HookOutcome, PluginError> {
    block_on(p.before_login(
        &ctx(),
        args(json!({"login": login, "transactionId": tid, "transactionCode": code})),
    ))
}

#[test]
fn phone_login_texts_the_account_and_authenticates_it() {
    let p = with_users(config_json());
    let body = phone_login_start(&p, "+1 415 555 2672");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "channel",
            "expiresInSeconds",
            "resendAfterSeconds",
            "transactionId"
        ]
    );
    assert_eq!(body["channel"], "sms");
    let tid = body["transactionId"].as_str().unwrap();
    let outcome = phone_login_finish(&p, tid, BOB, &p.host().last_code()).unwrap();
    assert_eq!(
        outcome,
        HookOutcome::Authenticate {
            user_id: "U2".into()
        }
    );
}

#[test]
fn the_sms_goes_out_only_after_the_answer() {
    let p = with_users(config_json());
    block_on(p.before_login(&ctx(), args(json!({"phoneNumber": BOB})))).unwrap();
    assert_eq!(
        p.host().sms_count.get(),
        0,
        "nothing sent before the answer"
    );
    block_on(p.run_deferred());
    assert_eq!(p.host().sms_count.get(), 1);
}

#[test]
fn unknown_number_answers_the_same_shape_and_sends_nothing() {
    let p = with_users(config_json());
    let known = phone_login_start(&p, BOB);
    let sms_before = p.host().sms_count.get();
    let unknown = phone_login_start(&p, "+14155550199");
    assert_eq!(
        p.host().sms_count.get(),
        sms_before,
        "no SMS for an unknown number"
    );
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&known), keys(&unknown));
    assert_eq!(known["resendAfterSeconds"], unknown["resendAfterSeconds"]);
    assert_eq!(
        known["transactionId"].as_str().unwrap().len(),
        unknown["transactionId"].as_str().unwrap().len()
    );
    let last = p.host().requests.borrow().last().cloned().unwrap();
    assert_eq!(
        last.method, "GET",
        "a Twilio round trip after the answer, that sends nothing"
    );
    // Wrong guesses against the decoy count down exactly like a real verification.
    let err = phone_login_finish(
        &p,
        unknown["transactionId"].as_str().unwrap(),
        "+14155550199",
        "000000",
    )
    .unwrap_err();
    assert_eq!(
        err,
        PluginError::CodeMismatch {
            attempts_left: Some(4)
        }
    );
}

/// What the host sees before phone login answers: its calls in order, by kind.
fn calls_before_the_answer(p: &Plugin<FakeHost>, phone: &str) -> (Vec<String>, Value) {
    p.host().trace.borrow_mut().clear();
    let outcome = block_on(p.before_login(&ctx(), args(json!({"phoneNumber": phone})))).unwrap();
    let calls = p.host().trace.borrow().clone();
    block_on(p.run_deferred());
    (calls, respond_body(outcome))
}

#[test]
fn known_and_unknown_numbers_make_the_same_host_calls_before_the_answer() {
    let p = with_users(config_json());
    let (known, known_body) = calls_before_the_answer(&p, BOB);
    let (unknown, unknown_body) = calls_before_the_answer(&p, "+14155550199");
    assert_eq!(known, unknown);
    assert!(!known.iter().any(|c| c.starts_with("http")), "{known:?}");
    assert_eq!(
        known_body["expiresInSeconds"],
        unknown_body["expiresInSeconds"]
    );
}

/// Phone login's first step, as the host sees it: the answer, or the error's code and limit.
fn phone_login_answer(p: &Plugin<FakeHost>, phone: &str) -> String {
    let answer = block_on(p.before_login(&ctx(), args(json!({"phoneNumber": phone}))));
    block_on(p.run_deferred());
    match answer {
        Ok(HookOutcome::Respond { status, body }) => {
            format!(
                "{status} {} {}",
                body["expiresInSeconds"], body["resendAfterSeconds"]
            )
        }
        Ok(other) => panic!("{other:?}"),
        Err(err) => format!("{} {}", err.code(), err.details()["limit"]),
    }
}

#[test]
fn while_twilio_fails_known_and_unknown_numbers_still_answer_alike() {
    let down = || {
        Reply::Status(
            503,
            r#"{"code":20503,"message":"down","status":503}"#.into(),
        )
    };
    let refused = || Reply::NetworkError("ECONNREFUSED".into());
    // What Twilio answers the call made for a number with an account (the SMS) and for one
    // without (a read of the account): both fail, or only the SMS does.
    for (known_replies, unknown_replies) in [
        (vec![down()], vec![down()]),
        (vec![down()], vec![]),
        (vec![refused()], vec![refused()]),
        (vec![refused()], vec![]),
    ] {
        let p = with_users(config_json());
        let mut seen = Vec::new();
        for (phone, replies) in [(BOB, known_replies), ("+14155550199", unknown_replies)] {
            *p.host().replies.borrow_mut() = replies;
            // The answer, and what the next request finds.
            seen.push((phone_login_answer(&p, phone), phone_login_answer(&p, phone)));
        }
        assert_eq!(seen[0], seen[1]);
        assert_eq!(seen[0].1, "RATE_LIMITED \"number-cooldown\"");
    }
}

#[test]
fn a_phone_code_alone_never_signs_in_an_account_with_two_factor_on() {
    let p = with_users(config_json());
    let tid = phone_login_start(&p, PHONE)["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let err = phone_login_finish(&p, &tid, PHONE, &p.host().last_code()).unwrap_err();
    assert_eq!(err.code(), "TWO_FACTOR_REQUIRED");
    assert_eq!(err.status(), 403);
    assert!(err.to_string().contains("password"), "{err}");
}

#[test]
fn under_required_two_factor_phone_login_says_so_for_every_number_and_sends_nothing() {
    let p = with_users(config_with(json!({"twoFactor": "required"})));
    for phone in [BOB, "+14155550199"] {
        let err =
            block_on(p.before_login(&ctx(), args(json!({"phoneNumber": phone})))).unwrap_err();
        assert_eq!(err.code(), "TWO_FACTOR_REQUIRED", "{phone}");
    }
    block_on(p.run_deferred());
    assert!(p.host().requests.borrow().is_empty());
}

#[test]
fn phone_login_code_is_bound_to_the_number() {
    let p = with_users(config_json());
    let tid = phone_login_start(&p, BOB)["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let code = p.host().last_code();
    assert_eq!(
        phone_login_finish(&p, &tid, PHONE, &code)
            .unwrap_err()
            .code(),
        "CODE_MISMATCH"
    );
}

#[test]
fn a_registration_code_logs_no_one_in() {
    let p = with_users(config_json());
    let tid =
        match block_on(p.before_register(&ctx(), args(json!({"phoneNumber": "+14155550123"}))))
            .unwrap()
        {
            HookOutcome::Respond { body, .. } => {
                body["transactionId"].as_str().unwrap().to_string()
            }
            other => panic!("{other:?}"),
        };
    p.host().users.borrow_mut().push(args(
        json!({"objectId": "U9", "phoneNumber": "+14155550123"}),
    ));
    let err = phone_login_finish(&p, &tid, "+14155550123", &p.host().last_code()).unwrap_err();
    assert_eq!(err.code(), "CODE_MISMATCH");
}

#[test]
fn phone_login_can_be_switched_off() {
    let mut cfg = config_json();
    cfg["phoneLogin"] = json!(false);
    let p = with_users(cfg);
    let err = block_on(p.before_login(&ctx(), args(json!({"phoneNumber": PHONE})))).unwrap_err();
    assert_eq!(err.code(), "PHONE_LOGIN_DISABLED");
}

#[test]
fn optional_two_factor_withholds_the_session_of_opted_in_users_only() {
    let p = with_users(config_json());
    let body = respond_body(password_login(&p, "ada@example.com").unwrap());
    assert_eq!(body["twoFactorRequired"], true);
    assert_eq!(body["phoneNumber"], "+1******2671");
    let tid = body["transactionId"].as_str().unwrap();
    let outcome = two_factor_finish(&p, "ada@example.com", tid, &p.host().last_code()).unwrap();
    assert_eq!(
        outcome,
        HookOutcome::Authenticate {
            user_id: "U1".into()
        }
    );
    assert_eq!(
        password_login(&p, "bob@example.com").unwrap(),
        HookOutcome::Continue { args: None }
    );
}

#[test]
fn required_two_factor_applies_to_everyone_and_refuses_users_without_a_phone() {
    let mut cfg = config_json();
    cfg["twoFactor"] = json!("required");
    let p = with_users(cfg);
    assert_eq!(
        respond_body(password_login(&p, "bob@example.com").unwrap())["twoFactorRequired"],
        true
    );
    assert_eq!(
        password_login(&p, "cy@example.com").unwrap_err().code(),
        "TWO_FACTOR_UNAVAILABLE"
    );
}

#[test]
fn two_factor_off_never_asks_for_a_code() {
    let mut cfg = config_json();
    cfg["twoFactor"] = json!("off");
    let p = with_users(cfg);
    assert_eq!(
        password_login(&p, "ada@example.com").unwrap(),
        HookOutcome::Continue { args: None }
    );
    assert!(p.host().requests.borrow().is_empty());
}

#[test]
fn a_two_factor_code_for_one_user_does_not_log_in_another() {
    let mut cfg = config_json();
    cfg["twoFactor"] = json!("required");
    let p = with_users(cfg);
    let ada = respond_body(password_login(&p, "ada@example.com").unwrap());
    let ada_code = p.host().last_code();
    let tid = ada["transactionId"].as_str().unwrap();
    assert_eq!(
        two_factor_finish(&p, "bob@example.com", tid, &ada_code)
            .unwrap_err()
            .code(),
        "CODE_MISMATCH"
    );
    assert!(two_factor_finish(&p, "ada@example.com", tid, &ada_code).is_ok());
}

#[test]
fn two_factor_codes_are_single_use_bounded_and_expire() {
    let p = with_users(config_with(json!({"resendCooldownSeconds": 0})));
    let tid = respond_body(password_login(&p, "ada@example.com").unwrap())["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let code = p.host().last_code();
    two_factor_finish(&p, "ada@example.com", &tid, &code).unwrap();
    assert_eq!(
        two_factor_finish(&p, "ada@example.com", &tid, &code)
            .unwrap_err()
            .code(),
        "CODE_MISMATCH"
    );

    let tid = respond_body(password_login(&p, "ada@example.com").unwrap())["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let code = p.host().last_code();
    for _ in 0..5 {
        two_factor_finish(&p, "ada@example.com", &tid, "x").unwrap_err();
    }
    assert_eq!(
        two_factor_finish(&p, "ada@example.com", &tid, &code)
            .unwrap_err()
            .code(),
        "TOO_MANY_ATTEMPTS"
    );

    let tid = respond_body(password_login(&p, "ada@example.com").unwrap())["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let code = p.host().last_code();
    p.host().advance_seconds(301);
    assert_eq!(
        two_factor_finish(&p, "ada@example.com", &tid, &code)
            .unwrap_err()
            .code(),
        "VERIFICATION_EXPIRED"
    );
}

#[test]
fn a_login_that_already_proved_the_phone_is_not_asked_again() {
    let mut cfg = config_json();
    cfg["twoFactor"] = json!("required");
    let p = with_users(cfg);
    let user = p.host().users.borrow()[0].clone();
    let request = args(json!({"phoneNumber": PHONE, "transactionId": "t", "transactionCode": "1"}));
    let outcome =
        block_on(p.after_login(&ctx(), &request, &HostResult::Succeeded { user })).unwrap();
    assert_eq!(outcome, HookOutcome::Continue { args: None });
}

#[test]
fn a_failed_password_login_gets_no_code() {
    let p = with_users(config_json());
    let failed = HostResult::Failed {
        code: "3003".into(),
        message: "Invalid login or password".into(),
    };
    let outcome =
        block_on(p.after_login(&ctx(), &args(json!({"login": "ada@example.com"})), &failed))
            .unwrap();
    assert_eq!(outcome, HookOutcome::Continue { args: None });
    assert!(p.host().requests.borrow().is_empty());
}

#[test]
fn an_empty_transaction_id_does_not_skip_two_factor() {
    let p = with_users(config_with(json!({"resendCooldownSeconds": 0})));
    let user = p.host().users.borrow()[0].clone();
    for empty in [json!(""), json!(null), json!("  ")] {
        let request =
            args(json!({"login": "ada@example.com", "password": "pw", "transactionId": empty}));
        let outcome = block_on(p.after_login(
            &ctx(),
            &request,
            &HostResult::Succeeded { user: user.clone() },
        ))
        .unwrap();
        assert_eq!(respond_body(outcome)["twoFactorRequired"], true);
    }
}

#[test]
fn a_phone_number_identity_logs_in_written_in_any_form_registration_accepts() {
    let p = plugin_with(config_with(json!({"identityField": "phoneNumber"})));
    for written in ["+1 415 555 0161", "+1 (415) 555-0161", "0014155550161"] {
        let outcome =
            block_on(p.before_login(&ctx(), args(json!({"login": written, "password": "pw"}))))
                .unwrap();
        assert_eq!(
            outcome,
            HookOutcome::Continue {
                args: Some(args(json!({"login": "+14155550161", "password": "pw"})))
            },
            "{written}"
        );
    }
    // Not a number: left for the host to refuse as any unknown login.
    let outcome = block_on(p.before_login(
        &ctx(),
        args(json!({"login": "ann@example.com", "password": "pw"})),
    ))
    .unwrap();
    assert_eq!(
        outcome,
        HookOutcome::Continue {
            args: Some(args(json!({"login": "ann@example.com", "password": "pw"})))
        }
    );
}

#[test]
fn an_email_identity_passes_the_login_through_untouched() {
    let p = plugin();
    let outcome = block_on(p.before_login(
        &ctx(),
        args(json!({"login": "+1 415 555 0161", "password": "pw"})),
    ))
    .unwrap();
    assert_eq!(outcome, HookOutcome::Continue { args: None });
}
