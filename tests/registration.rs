//! Registration with phone-number confirmation, against the in-memory host.

mod support;

use serde_json::{json, Map, Value};
use support::*;
use twilio_baas_plugin::{HookContext, HookOutcome, HostResult, Plugin, PluginError};

const PHONE: &str = "+14155552671";

fn args(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn ctx() -> HookContext {
    HookContext::default()
}

/// Step 1: returns the transaction id; the code is read from the SMS.
fn start(p: &Plugin<FakeHost>, phone: &str) -> String {
    match block_on(p.before_register(&ctx(), args(json!({"phoneNumber": phone})))).unwrap() {
        HookOutcome::Respond { status: 200, body } => {
            body["transactionId"].as_str().unwrap().to_string()
        }
        other => panic!("expected a respond outcome, got {other:?}"),
    }
}

fn second_call(tid: &str, code: &str, phone: &str) -> Map<String, Value> {
    args(
        json!({"email": "ada@example.com", "password": "s3cret-pass", "phoneNumber": phone,
                "transactionId": tid, "transactionCode": code}),
    )
}

fn finish(
    p: &Plugin<FakeHost>,
    tid: &str,
    code: &str,
    phone: &str,
) -> Result<Map<String, Value>, PluginError> {
    match block_on(p.before_register(&ctx(), second_call(tid, code, phone)))? {
        HookOutcome::Continue { args: Some(a) } => Ok(a),
        other => panic!("expected continue with args, got {other:?}"),
    }
}

/// The host reports step 2's registration succeeded.
fn registered(p: &Plugin<FakeHost>, tid: &str, code: &str) {
    let succeeded = HostResult::Succeeded { user: Map::new() };
    block_on(p.after_register(&ctx(), &second_call(tid, code, PHONE), &succeeded)).unwrap();
}

fn wrong(code: &str) -> String {
    let last = (code.as_bytes()[code.len() - 1] - b'0' + 1) % 10;
    format!("{}{last}", &code[..code.len() - 1])
}

#[test]
fn first_call_texts_a_code_and_answers_the_transaction() {
    let p = plugin();
    let outcome =
        block_on(p.before_register(&ctx(), args(json!({"phoneNumber": "+1 (415) 555-2671"}))))
            .unwrap();
    let HookOutcome::Respond { status: 200, body } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(body["phoneNumber"], PHONE);
    assert_eq!(body["expiresInSeconds"], 300);
    assert_eq!(body["codeLength"], 6);
    assert!(body["transactionId"].as_str().unwrap().len() >= 22);
    let sms = p.host().last_sms_body();
    assert!(sms.starts_with("Your Acme verification code is "), "{sms}");
    assert_eq!(p.host().last_code().len(), 6);
    let req = &p.host().requests.borrow()[0];
    assert_eq!(
        form_value(req.body.as_deref().unwrap(), "To").as_deref(),
        Some(PHONE)
    );
}

#[test]
fn right_code_continues_with_normalized_confirmed_phone_and_no_transaction_fields() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    let a = finish(&p, &tid, &code, "+1 415-555-2671").unwrap();
    assert_eq!(a["phoneNumber"], PHONE);
    assert_eq!(a["phoneNumberConfirmed"], true);
    assert_eq!(a["email"], "ada@example.com");
    assert_eq!(a["password"], "s3cret-pass");
    assert!(!a.contains_key("transactionId") && !a.contains_key("transactionCode"));
}

#[test]
fn phone_number_as_identity_needs_no_other_identity() {
    let mut cfg = config_json();
    cfg["identityField"] = json!("phoneNumber");
    let p = plugin_with(cfg);
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    let outcome = block_on(p.before_register(
        &ctx(),
        args(json!({"phoneNumber": PHONE, "password": "pw-123456",
        "transactionId": tid, "transactionCode": code})),
    ))
    .unwrap();
    let HookOutcome::Continue { args: Some(a) } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!(a["phoneNumberConfirmed"], true);
}

#[test]
fn code_is_never_stored_in_plain_text() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    let store = p.host().store.borrow();
    assert!(
        store.keys().any(|k| k.contains(&tid)),
        "the verification is stored"
    );
    for (key, (value, _)) in store.iter() {
        assert!(
            !key.contains(&code) && !value.contains(&code),
            "{key} = {value}"
        );
    }
}

#[test]
fn wrong_code_lowers_attempts_left() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    for left in [4, 3, 2] {
        let err = finish(&p, &tid, &wrong(&code), PHONE).unwrap_err();
        assert_eq!(
            err,
            PluginError::CodeMismatch {
                attempts_left: Some(left)
            }
        );
    }
}

#[test]
fn after_max_attempts_even_the_right_code_fails() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    for _ in 0..4 {
        finish(&p, &tid, &wrong(&code), PHONE).unwrap_err();
    }
    assert_eq!(
        finish(&p, &tid, &wrong(&code), PHONE).unwrap_err().code(),
        "TOO_MANY_ATTEMPTS"
    );
    assert_eq!(
        finish(&p, &tid, &code, PHONE).unwrap_err().code(),
        "TOO_MANY_ATTEMPTS"
    );
}

#[test]
fn expired_code_fails() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    p.host().advance_seconds(301);
    assert_eq!(
        finish(&p, &tid, &code, PHONE).unwrap_err().code(),
        "VERIFICATION_EXPIRED"
    );
    p.host().advance_seconds(3600);
    assert_eq!(
        finish(&p, &tid, &code, PHONE).unwrap_err().code(),
        "CODE_MISMATCH"
    );
}

#[test]
fn code_just_before_expiry_still_works() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    p.host().advance_seconds(299);
    assert!(finish(&p, &tid, &code, PHONE).is_ok());
}

#[test]
fn right_code_with_another_phone_number_fails() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    let err = finish(&p, &tid, &code, "+14155552672").unwrap_err();
    assert_eq!(err.code(), "CODE_MISMATCH");
    assert!(
        finish(&p, &tid, &code, PHONE).is_ok(),
        "the owner can still use it"
    );
}

#[test]
fn used_code_fails() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    finish(&p, &tid, &code, PHONE).unwrap();
    registered(&p, &tid, &code);
    assert_eq!(
        finish(&p, &tid, &code, PHONE).unwrap_err().code(),
        "CODE_MISMATCH"
    );
}

#[test]
fn two_concurrent_right_answers_give_exactly_one_success() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    let c = ctx();
    let results = join_all(vec![
        p.before_register(&c, second_call(&tid, &code, PHONE)),
        p.before_register(&c, second_call(&tid, &code, PHONE)),
    ]);
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
}

#[test]
fn parallel_guesses_cannot_exceed_max_attempts() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    let c = ctx();
    let guesses = (0..4).map(|_| p.before_register(&c, second_call(&tid, &wrong(&code), PHONE)));
    let mut lefts: Vec<i64> = join_all(guesses.collect())
        .into_iter()
        .map(|r| r.unwrap_err().details()["attemptsLeft"].as_i64().unwrap())
        .collect();
    lefts.sort();
    assert_eq!(
        lefts,
        [1, 2, 3, 4],
        "each parallel guess used its own attempt"
    );
}

#[test]
fn failed_registration_releases_the_code_for_a_corrected_retry() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    finish(&p, &tid, &code, PHONE).unwrap();
    let failed = HostResult::Failed {
        code: "3033".into(),
        message: "User already exists.".into(),
    };
    block_on(p.after_register(&ctx(), &second_call(&tid, &code, PHONE), &failed)).unwrap();
    let again = finish(&p, &tid, &code, PHONE).unwrap();
    assert_eq!(again["phoneNumberConfirmed"], true);
    registered(&p, &tid, &code);
    assert_eq!(
        finish(&p, &tid, &code, PHONE).unwrap_err().code(),
        "CODE_MISMATCH",
        "one code, one user"
    );
    assert_eq!(p.host().sms_count.get(), 1, "no second SMS was needed");
}

#[test]
fn after_register_without_a_claim_changes_nothing() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    let failed = HostResult::Failed {
        code: "3033".into(),
        message: String::new(),
    };
    // An after-hook for a registration that never consumed the code must not extend it.
    block_on(p.after_register(&ctx(), &second_call(&tid, &code, PHONE), &failed)).unwrap();
    assert!(finish(&p, &tid, &code, PHONE).is_ok());
}

#[test]
fn a_claim_that_cannot_be_read_is_let_go_with_a_warning_when_the_registration_failed() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    finish(&p, &tid, &code, PHONE).unwrap();
    let claim = format!("register-claim/{tid}");
    if let Some(entry) = p.host().store.borrow_mut().get_mut(&claim) {
        entry.0 = "not a claim".into();
    }
    let failed = HostResult::Failed {
        code: "3033".into(),
        message: String::new(),
    };
    let outcome = block_on(p.after_register(&ctx(), &second_call(&tid, &code, PHONE), &failed));
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(p.host().logged("warn", "the code is spent"), 1);
    assert!(!p.host().store.borrow().contains_key(&claim));
}

#[test]
fn released_code_still_expires_at_its_original_time() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    finish(&p, &tid, &code, PHONE).unwrap();
    p.host().advance_seconds(200);
    let failed = HostResult::Failed {
        code: "3040".into(),
        message: String::new(),
    };
    block_on(p.after_register(&ctx(), &second_call(&tid, &code, PHONE), &failed)).unwrap();
    p.host().advance_seconds(101);
    assert_eq!(
        finish(&p, &tid, &code, PHONE).unwrap_err().code(),
        "VERIFICATION_EXPIRED"
    );
}

#[test]
fn unknown_transaction_looks_like_a_wrong_code() {
    let p = plugin();
    let err = finish(&p, "AAAAAAAAAAAAAAAAAAAAAAAA", "123456", PHONE).unwrap_err();
    assert_eq!(
        err,
        PluginError::CodeMismatch {
            attempts_left: None
        }
    );
}

#[test]
fn twilio_refusal_leaves_no_verification_behind() {
    let p = plugin();
    p.host().replies.borrow_mut().push(Reply::Status(400,
        r#"{"code":21211,"message":"Invalid 'To' Phone Number","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#.into()));
    let err = block_on(p.before_register(&ctx(), args(json!({"phoneNumber": PHONE})))).unwrap_err();
    assert_eq!(err.code(), "TWILIO_REJECTED");
    assert_eq!(err.details()["twilioCode"], 21211);
    assert!(!p
        .host()
        .store
        .borrow()
        .keys()
        .any(|k| k.starts_with("verification/")));
}

#[test]
fn network_failure_is_unavailable_and_leaves_no_verification() {
    let p = plugin();
    p.host()
        .replies
        .borrow_mut()
        .push(Reply::NetworkError("connect ECONNREFUSED".into()));
    let err = block_on(p.before_register(&ctx(), args(json!({"phoneNumber": PHONE})))).unwrap_err();
    assert_eq!(err.code(), "TWILIO_UNAVAILABLE");
    assert_eq!(err.status(), 503);
    assert!(!p
        .host()
        .store
        .borrow()
        .keys()
        .any(|k| k.starts_with("verification/")));
}

/// Step 1's answer keys and the host calls it made, by kind.
fn step_one_as_seen(p: &Plugin<FakeHost>, phone: &str) -> (Vec<String>, Vec<String>, u16) {
    p.host().trace.borrow_mut().clear();
    let outcome = block_on(p.before_register(&ctx(), args(json!({"phoneNumber": phone})))).unwrap();
    let HookOutcome::Respond { status, body } = outcome else {
        panic!("{outcome:?}")
    };
    let keys = body.as_object().unwrap().keys().cloned().collect();
    (keys, p.host().trace.borrow().clone(), status)
}

#[test]
fn step_one_answers_a_number_with_an_account_like_any_other() {
    let p = plugin();
    p.host()
        .users
        .borrow_mut()
        .push(args(json!({"objectId": "u1", "phoneNumber": PHONE})));
    let known = step_one_as_seen(&p, "+1 415 555 2671");
    let unknown = step_one_as_seen(&p, "+14155552672");
    assert_eq!(
        known, unknown,
        "same status, body shape and host calls in the same order"
    );
    assert_eq!(p.host().sms_count.get(), 2, "both numbers get a code");
}

#[test]
fn the_conflict_shows_in_step_two_once_the_code_proved_the_number() {
    let p = plugin();
    p.host()
        .users
        .borrow_mut()
        .push(args(json!({"objectId": "u1", "phoneNumber": PHONE})));
    let tid = start(&p, PHONE);
    let err = finish(&p, &tid, &wrong(&p.host().last_code()), PHONE).unwrap_err();
    assert_eq!(err.code(), "CODE_MISMATCH", "a wrong code reveals nothing");
    let err = finish(&p, &tid, &p.host().last_code(), PHONE).unwrap_err();
    assert_eq!(err.code(), "PHONE_NUMBER_IN_USE");
    assert_eq!(err.status(), 409);
    assert!(err.to_string().contains("log in"), "{err}");
}

#[test]
fn sms_per_number_are_rate_limited() {
    let p = plugin();
    for _ in 0..5 {
        start(&p, PHONE);
        p.host().advance_seconds(500); // past every resend cooldown
    }
    let err = block_on(p.before_register(&ctx(), args(json!({"phoneNumber": PHONE})))).unwrap_err();
    assert_eq!(err.code(), "RATE_LIMITED");
    assert_eq!(err.details()["limit"], "number-hour");
    assert!(err.details()["retryAfterSeconds"].as_u64().unwrap() <= 3600);
    assert_eq!(p.host().sms_count.get(), 5);
    start(&p, "+14155552672"); // other numbers are not affected
}

#[test]
fn client_cannot_mark_its_own_phone_confirmed() {
    let mut cfg = config_json();
    cfg["phoneRequired"] = json!(false);
    let p = plugin_with(cfg);
    let outcome = block_on(p.before_register(
        &ctx(),
        args(json!({"email": "a@b.co", "password": "pw",
        "phoneNumberConfirmed": true})),
    ))
    .unwrap();
    let HookOutcome::Continue { args: Some(a) } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(!a.contains_key("phoneNumberConfirmed"));
}

#[test]
fn requests_that_skip_the_code_get_errors_that_explain_the_two_calls() {
    let p = plugin();
    for (request, code) in [
        (
            json!({"email": "a@b.co", "password": "pw"}),
            "PHONE_NUMBER_REQUIRED",
        ),
        (
            json!({"email": "a@b.co", "password": "pw", "phoneNumber": PHONE}),
            "VERIFICATION_REQUIRED",
        ),
        (
            json!({"phoneNumber": PHONE, "transactionId": "x"}),
            "INVALID_INPUT",
        ),
        (json!({"phoneNumber": 14155552671u64}), "INVALID_INPUT"),
        (
            json!({"phoneNumber": "415 555 2671"}),
            "INVALID_PHONE_NUMBER",
        ),
    ] {
        let err = block_on(p.before_register(&ctx(), args(request.clone()))).unwrap_err();
        assert_eq!(err.code(), code, "{request}");
        assert!(
            err.to_string().contains("phoneNumber")
                || err.to_string().contains("+14155552671")
                || err.to_string().contains("transaction"),
            "{err}"
        );
    }
    assert!(p.host().requests.borrow().is_empty());
}

#[test]
fn auth_token_appears_in_no_error_log_or_outcome() {
    let p = plugin();
    let mut seen = Vec::new();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    seen.push(format!("{:?}", finish(&p, &tid, &wrong(&code), PHONE)));
    seen.push(format!("{:?}", finish(&p, &tid, &code, PHONE)));
    p.host().replies.borrow_mut().push(Reply::Status(
        401,
        r#"{"code":20003,"message":"Authenticate","status":401}"#.into(),
    ));
    let err = block_on(p.before_register(&ctx(), args(json!({"phoneNumber": "+14155552673"}))))
        .unwrap_err();
    seen.push(format!("{err} {:?} {}", err, err.details()));
    p.host()
        .replies
        .borrow_mut()
        .push(Reply::NetworkError("timeout".into()));
    let err = block_on(p.before_register(&ctx(), args(json!({"phoneNumber": "+14155552674"}))))
        .unwrap_err();
    seen.push(format!("{err} {:?} {}", err, err.details()));
    seen.extend(p.host().logs.borrow().iter().cloned());
    seen.push(format!("{:?}", p.config()));
    for text in seen {
        assert!(!text.contains(AUTH_TOKEN), "token leaked in: {text}");
        assert!(
            !text.contains(&code) || text.contains("transactionId"),
            "code leaked in: {text}"
        );
    }
}

#[test]
fn a_host_that_stopped_before_the_insert_leaves_the_code_to_a_retry_once_the_lease_is_over() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    // Checked and claimed, then the host stopped: no insert, no after-hook.
    finish(&p, &tid, &code, PHONE).unwrap();

    let soon = finish(&p, &tid, &code, PHONE).unwrap_err();
    assert_eq!(soon.code(), "REGISTRATION_IN_PROGRESS");
    assert_eq!(soon.status(), 409);
    assert_eq!(soon.details()["retryAfterSeconds"], 15);
    assert!(
        soon.to_string().contains("try again in 15 seconds"),
        "{soon}"
    );

    p.host().advance_seconds(15);
    let again = finish(&p, &tid, &code, PHONE).expect("the same code registers after the lease");
    assert_eq!(again["phoneNumberConfirmed"], true);
    registered(&p, &tid, &code);
    p.host().advance_seconds(15);
    assert_eq!(
        finish(&p, &tid, &code, PHONE).unwrap_err().code(),
        "CODE_MISMATCH",
        "one code, one user"
    );
    assert_eq!(p.host().sms_count.get(), 1, "no second SMS was needed");
}

#[test]
fn a_left_claim_is_taken_over_only_with_the_right_code_and_within_the_attempts() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    finish(&p, &tid, &code, PHONE).unwrap();
    p.host().advance_seconds(20);
    let guess = finish(&p, &tid, &wrong(&code), PHONE).unwrap_err();
    assert_eq!(guess.code(), "CODE_MISMATCH");
    assert_eq!(
        guess.details()["attemptsLeft"],
        3,
        "the guesses before the claim count too"
    );
    let other_phone = finish(&p, &tid, &code, "+14155552672").unwrap_err();
    assert_eq!(other_phone.code(), "CODE_MISMATCH");
    for _ in 0..2 {
        let _ = finish(&p, &tid, &wrong(&code), PHONE);
    }
    assert_eq!(
        finish(&p, &tid, &code, PHONE).unwrap_err().code(),
        "TOO_MANY_ATTEMPTS"
    );
}

#[test]
fn two_retries_at_once_take_a_left_claim_over_once() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    finish(&p, &tid, &code, PHONE).unwrap();
    p.host().advance_seconds(20);
    let c = ctx();
    let results = join_all(vec![
        p.before_register(&c, second_call(&tid, &code, PHONE)),
        p.before_register(&c, second_call(&tid, &code, PHONE)),
    ]);
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let claim = format!("register-claim/{tid}");
    assert!(
        p.host().store.borrow().contains_key(&claim),
        "the winner's fresh claim survives the loser's take"
    );
}

#[test]
fn retries_within_the_lease_spend_no_attempts() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    finish(&p, &tid, &code, PHONE).unwrap();
    for _ in 0..12 {
        let err = finish(&p, &tid, &code, PHONE).unwrap_err();
        assert_eq!(err.code(), "REGISTRATION_IN_PROGRESS");
    }
    p.host().advance_seconds(15);
    assert!(finish(&p, &tid, &code, PHONE).is_ok());
}

#[test]
fn a_claim_left_by_the_previous_version_is_taken_over() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    finish(&p, &tid, &code, PHONE).unwrap();
    // Before claims carried their time, a claim was the record alone.
    let claim = format!("register-claim/{tid}");
    {
        let mut store = p.host().store.borrow_mut();
        let (value, expires) = store.get(&claim).cloned().unwrap();
        let record = value.split_once(' ').unwrap().1.to_string();
        store.insert(claim, (record, expires));
    }
    let again = finish(&p, &tid, &code, PHONE).expect("an old claim has no lease left");
    assert_eq!(again["phoneNumberConfirmed"], true);
}

#[test]
fn a_claim_that_cannot_be_written_leaves_the_code_for_the_retry() {
    let p = plugin();
    let tid = start(&p, PHONE);
    let code = p.host().last_code();
    *p.host().failing_puts.borrow_mut() = Some("register-claim/".into());
    let failed = finish(&p, &tid, &code, PHONE).unwrap_err();
    assert_eq!(failed.code(), "STORAGE_UNAVAILABLE", "{failed}");
    *p.host().failing_puts.borrow_mut() = None;
    let again = finish(&p, &tid, &code, PHONE).expect("the same code works once storage is back");
    assert_eq!(again["phoneNumberConfirmed"], true);
}

#[test]
fn a_host_that_supplies_no_code_hashing_key_is_told_so_and_one_that_does_is_not() {
    let without = plugin();
    assert_eq!(
        without
            .host()
            .logged("warn", "no codeHashingKey from the host"),
        1
    );
    let with = plugin_with(config_with(json!({"codeHashingKey": "k".repeat(43)})));
    assert_eq!(with.host().logged("warn", "no codeHashingKey"), 0);
    // Keyed by it, a code still checks.
    let tid = start(&with, PHONE);
    let code = with.host().last_code();
    assert!(finish(&with, &tid, &code, PHONE).is_ok());
}
