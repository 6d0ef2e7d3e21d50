//! Code backends and channels, against the in-memory host: Twilio Verify making and checking the
//! codes, WhatsApp and calls through the Messages and Calls APIs, and the fallback between them.

mod support;

use serde_json::{json, Map, Value};
use support::*;
use twilio_baas_plugin::{HookContext, HookOutcome, HostResult, Plugin, PluginError};

const PHONE: &str = "+14155552671";
const SERVICE: &str = "VA00000000000000000000000000000000";

fn args(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn verify_plugin(extra: Value) -> Plugin<FakeHost> {
    let mut config = config_with(json!({"codeBackend": "verify", "verifyServiceSid": SERVICE}));
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    plugin_with(config)
}

fn start(p: &Plugin<FakeHost>, request: Value) -> Result<Value, PluginError> {
    match block_on(p.before_register(&HookContext::default(), args(request)))? {
        HookOutcome::Respond { body, .. } => Ok(body),
        other => panic!("expected a respond outcome, got {other:?}"),
    }
}

/// Step 1 through Verify (it answers pending): the transaction id.
fn verify_started(p: &Plugin<FakeHost>) -> String {
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("pending"));
    let body = start(p, json!({"phoneNumber": PHONE})).unwrap();
    body["transactionId"].as_str().unwrap().to_string()
}

fn second_call(tid: &str, code: &str) -> Map<String, Value> {
    args(
        json!({"email": "ada@example.com", "password": "s3cret-pass", "phoneNumber": PHONE,
                "transactionId": tid, "transactionCode": code}),
    )
}

fn finish(p: &Plugin<FakeHost>, tid: &str, code: &str) -> Result<(), PluginError> {
    block_on(p.before_register(&HookContext::default(), second_call(tid, code))).map(|_| ())
}

/// The last request: its method, URL and form.
fn last_request(p: &Plugin<FakeHost>) -> (String, String, String) {
    let requests = p.host().requests.borrow();
    let r = requests.last().expect("a request");
    (
        r.method.clone(),
        r.url.clone(),
        r.body.clone().unwrap_or_default(),
    )
}

fn verification_reply(status: &str) -> Reply {
    let body = json!({"sid": "VE00000000000000000000000000000001", "service_sid": SERVICE,
        "to": PHONE, "channel": "sms", "status": status, "valid": status == "approved"});
    Reply::Status(201, body.to_string())
}

fn twilio_error(code: i64, status: u16) -> Reply {
    let body = json!({"code": code, "message": "Twilio's own words", "status": status,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}")});
    Reply::Status(status, body.to_string())
}

#[test]
fn verify_sends_the_code_and_checks_it_while_the_plugin_keeps_the_transaction() {
    let p = verify_plugin(json!({}));
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("pending"));
    let ctx = HookContext {
        locale: Some("pt-BR, en;q=0.5".into()),
        ..HookContext::default()
    };
    let body = match block_on(p.before_register(&ctx, args(json!({"phoneNumber": PHONE})))).unwrap()
    {
        HookOutcome::Respond { body, .. } => body,
        other => panic!("{other:?}"),
    };
    assert_eq!(body["channel"], "sms");
    let tid = body["transactionId"].as_str().unwrap().to_string();
    let (method, url, form) = last_request(&p);
    assert_eq!(method, "POST");
    assert_eq!(
        url,
        format!("https://verify.twilio.com/v2/Services/{SERVICE}/Verifications")
    );
    assert_eq!(form_value(&form, "To").as_deref(), Some(PHONE));
    assert_eq!(form_value(&form, "Channel").as_deref(), Some("sms"));
    assert_eq!(form_value(&form, "Locale").as_deref(), Some("pt-BR"));
    // The service's own name: another per request needs Twilio to enable it (else 60204).
    assert_eq!(form_value(&form, "CustomFriendlyName"), None);
    // No code of the plugin's own: Verify made it.
    let record = p.host().store.borrow()[&format!("verification/{tid}")]
        .0
        .clone();
    let record: Value = serde_json::from_str(&record).unwrap();
    assert_eq!(record["codeHash"], "verify");

    // A wrong code: Verify says pending, and the plugin's own attempts count.
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("pending"));
    let err = finish(&p, &tid, "111111").unwrap_err();
    assert_eq!(err.code(), "CODE_MISMATCH");
    assert_eq!(err.details()["attemptsLeft"], 4);
    let (_, url, form) = last_request(&p);
    assert_eq!(
        url,
        format!("https://verify.twilio.com/v2/Services/{SERVICE}/VerificationCheck")
    );
    assert_eq!(form_value(&form, "To").as_deref(), Some(PHONE));
    assert_eq!(form_value(&form, "Code").as_deref(), Some("111111"));

    // The right one: approved, and the registration goes on with the number confirmed.
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("approved"));
    let outcome =
        block_on(p.before_register(&HookContext::default(), second_call(&tid, "222222"))).unwrap();
    let HookOutcome::Continue { args: Some(args) } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(args["phoneNumberConfirmed"], true);
    let succeeded = HostResult::Succeeded { user: Map::new() };
    block_on(p.after_register(
        &HookContext::default(),
        &second_call(&tid, "222222"),
        &succeeded,
    ))
    .unwrap();
    // Single use: the transaction is gone, and Twilio is not asked again.
    let asked = p.host().requests.borrow().len();
    assert_eq!(
        finish(&p, &tid, "222222").unwrap_err().code(),
        "CODE_MISMATCH"
    );
    assert_eq!(p.host().requests.borrow().len(), asked);
}

#[test]
fn a_verify_check_is_bound_to_the_transactions_number_and_is_well_formed_first() {
    let p = verify_plugin(json!({}));
    let tid = verify_started(&p);
    let asked = p.host().requests.borrow().len();
    // Another number, or text that is no code: wrong, without asking Verify.
    let other = args(
        json!({"email": "a@example.com", "password": "pw-123456", "phoneNumber": "+14155552672",
        "transactionId": tid, "transactionCode": "123456"}),
    );
    let err = block_on(p.before_register(&HookContext::default(), other)).unwrap_err();
    assert_eq!(err.code(), "CODE_MISMATCH");
    assert_eq!(
        finish(&p, &tid, "12ab56").unwrap_err().code(),
        "CODE_MISMATCH"
    );
    assert_eq!(p.host().requests.borrow().len(), asked);
}

#[test]
fn verify_answers_become_the_plugins_errors() {
    // Verify forgot the verification (expired, approved elsewhere): expired.
    let p = verify_plugin(json!({}));
    let tid = verify_started(&p);
    p.host().replies.borrow_mut().push(twilio_error(20404, 404));
    assert_eq!(
        finish(&p, &tid, "123456").unwrap_err().code(),
        "VERIFICATION_EXPIRED"
    );
    // Its own check limit.
    p.host().advance_seconds(3600);
    let tid = verify_started(&p);
    p.host().replies.borrow_mut().push(twilio_error(60202, 429));
    assert_eq!(
        finish(&p, &tid, "123456").unwrap_err().code(),
        "TOO_MANY_ATTEMPTS"
    );

    for (code, http, status, words) in [
        (60200, 400, 400, "most often the phone number"),
        (60203, 429, 429, "Wait 10 minutes"),
        (60205, 400, 400, "landline"),
        (60410, 403, 403, "fraud protection"),
        (60605, 403, 400, "Geo Permissions"),
    ] {
        let p = verify_plugin(json!({}));
        p.host().replies.borrow_mut().push(twilio_error(code, http));
        let err = start(&p, json!({"phoneNumber": PHONE})).unwrap_err();
        assert_eq!(err.code(), "TWILIO_REJECTED", "{code}");
        assert_eq!(err.status(), status, "{code}");
        assert!(err.to_string().contains(words), "{code}: {err}");
        assert!(!err.to_string().contains("Twilio's own words"));
        assert_eq!(err.details()["twilioCode"], code);
    }
}

#[test]
fn a_registration_that_fails_after_verify_approved_keeps_its_code() {
    let p = verify_plugin(json!({}));
    let tid = verify_started(&p);
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("approved"));
    finish(&p, &tid, "654321").unwrap();
    let failed = HostResult::Failed {
        code: "3033".into(),
        message: "email taken".into(),
    };
    block_on(p.after_register(
        &HookContext::default(),
        &second_call(&tid, "654321"),
        &failed,
    ))
    .unwrap();
    // Verify approved it once; the plugin checks the released code itself.
    let asked = p.host().requests.borrow().len();
    assert_eq!(
        finish(&p, &tid, "654320").unwrap_err().code(),
        "CODE_MISMATCH"
    );
    finish(&p, &tid, "654321").unwrap();
    assert_eq!(p.host().requests.borrow().len(), asked);
}

#[test]
fn verify_sends_over_the_channel_asked_for_with_the_app_hash_for_sms() {
    let p =
        verify_plugin(json!({"channels": "sms, whatsapp, call", "androidAppHash": "FA+9qCX9VSu"}));
    for (channel, hash) in [
        ("whatsapp", None),
        ("call", None),
        ("sms", Some("FA+9qCX9VSu")),
    ] {
        p.host()
            .replies
            .borrow_mut()
            .push(verification_reply("pending"));
        let body = start(&p, json!({"phoneNumber": PHONE, "channel": channel})).unwrap();
        assert_eq!(body["channel"], channel);
        let (_, _, form) = last_request(&p);
        assert_eq!(form_value(&form, "Channel").as_deref(), Some(channel));
        assert_eq!(form_value(&form, "AppHash").as_deref(), hash);
        p.host().advance_seconds(3600);
    }
}

#[test]
fn a_channel_the_app_does_not_allow_is_refused_before_anything_is_sent() {
    let p = plugin();
    let err = start(&p, json!({"phoneNumber": PHONE, "channel": "whatsapp"})).unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert_eq!(err.details()["field"], "channel");
    assert!(err.to_string().contains("sms"), "{err}");
    let err = start(&p, json!({"phoneNumber": PHONE, "channel": 7})).unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(p.host().requests.borrow().is_empty());
    assert!(
        p.host().store.borrow().is_empty(),
        "nothing counted or stored"
    );
}

#[test]
fn whatsapp_goes_through_the_messages_api_with_whatsapp_addresses() {
    let p = plugin_with(config_with(json!({"channels": "whatsapp"})));
    start(&p, json!({"phoneNumber": PHONE})).unwrap();
    let (_, url, form) = last_request(&p);
    assert!(url.ends_with("/Messages.json"), "{url}");
    assert_eq!(
        form_value(&form, "To").unwrap(),
        format!("whatsapp:{PHONE}")
    );
    assert_eq!(form_value(&form, "From").unwrap(), "whatsapp:+15005550006");
    assert!(form_value(&form, "Body")
        .unwrap()
        .starts_with("Your Acme verification code is "));

    // With the app's authentication template: its SID and the code as variable 1.
    let p = plugin_with(config_with(json!({"channels": "whatsapp",
        "whatsappSender": "+1 500 555 0007", "whatsappContentSid": "HX00000000000000000000000000000000"})));
    start(&p, json!({"phoneNumber": PHONE})).unwrap();
    let (_, _, form) = last_request(&p);
    assert_eq!(form_value(&form, "From").unwrap(), "whatsapp:+15005550007");
    assert_eq!(
        form_value(&form, "ContentSid").unwrap(),
        "HX00000000000000000000000000000000"
    );
    let variables: Value =
        serde_json::from_str(&form_value(&form, "ContentVariables").unwrap()).unwrap();
    let code = variables["1"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert!(form_value(&form, "Body").is_none());
}

#[test]
fn a_call_reads_the_code_digit_by_digit_twice() {
    let p = plugin_with(config_with(json!({"channels": "call"})));
    let ctx = HookContext {
        locale: Some("de".into()),
        ..HookContext::default()
    };
    block_on(p.before_register(&ctx, args(json!({"phoneNumber": PHONE})))).unwrap();
    let (_, url, form) = last_request(&p);
    assert!(url.ends_with("/Calls.json"), "{url}");
    assert_eq!(form_value(&form, "To").as_deref(), Some(PHONE));
    assert_eq!(form_value(&form, "From").as_deref(), Some("+15005550006"));
    let twiml = form_value(&form, "Twiml").unwrap();
    assert!(
        twiml.starts_with("<Response><Say language=\"de-DE\">Ihr Acme Code lautet "),
        "{twiml}"
    );
    let spoken = twiml
        .split("lautet ")
        .nth(1)
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    assert_eq!(spoken.split(", ").count(), 6, "{spoken}");
    assert_eq!(twiml.matches(spoken).count(), 2, "read twice: {twiml}");
    assert!(twiml.contains("<Pause length=\"2\"/>"));
}

#[test]
fn a_refused_channel_falls_back_to_the_next_but_an_uncertain_one_does_not() {
    let p = plugin_with(config_with(
        json!({"channels": "whatsapp, sms", "channelFallback": true}),
    ));
    p.host().replies.borrow_mut().push(twilio_error(63003, 400));
    let body = start(&p, json!({"phoneNumber": PHONE})).unwrap();
    assert_eq!(body["channel"], "sms");
    let requests = p.host().requests.borrow().clone();
    assert_eq!(requests.len(), 2);
    assert!(form_value(requests[0].body.as_deref().unwrap(), "To")
        .unwrap()
        .starts_with("whatsapp:"));
    let code = p.host().last_code();
    assert_eq!(code.len(), 6);
    assert_eq!(p.host().logged("warn", "trying the next"), 1);

    // Twilio may have taken it: no second channel, the same code may still arrive.
    let p = plugin_with(config_with(
        json!({"channels": "whatsapp, sms", "channelFallback": true}),
    ));
    p.host().replies.borrow_mut().push(Reply::Timeout);
    let body = start(&p, json!({"phoneNumber": PHONE})).unwrap();
    assert_eq!(body["deliveryUncertain"], true);
    assert_eq!(p.host().requests.borrow().len(), 1);

    // The app's credentials fail every channel alike: no second try.
    let p = plugin_with(config_with(
        json!({"channels": "whatsapp, sms", "channelFallback": true}),
    ));
    p.host().replies.borrow_mut().push(twilio_error(20003, 401));
    assert_eq!(
        start(&p, json!({"phoneNumber": PHONE}))
            .unwrap_err()
            .details()["twilioCode"],
        20003
    );
    assert_eq!(p.host().requests.borrow().len(), 1);

    // Without fallback the refusal is the answer.
    let p = plugin_with(config_with(json!({"channels": "whatsapp, sms"})));
    p.host().replies.borrow_mut().push(twilio_error(63003, 400));
    let err = start(&p, json!({"phoneNumber": PHONE})).unwrap_err();
    assert!(err.to_string().contains("WhatsApp"), "{err}");
    assert_eq!(p.host().requests.borrow().len(), 1);
}

#[test]
fn the_configuration_says_what_each_backend_and_channel_needs() {
    let problems = |extra: Value| -> Vec<(String, String)> {
        match twilio_baas_plugin::Config::from_json(&config_with(extra)) {
            Ok(_) => Vec::new(),
            Err(PluginError::ConfigInvalid(list)) => {
                list.into_iter().map(|p| (p.field, p.reason)).collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    };
    let fields =
        |extra: Value| -> Vec<String> { problems(extra).into_iter().map(|(f, _)| f).collect() };
    assert_eq!(
        fields(json!({"codeBackend": "verify"})),
        ["verifyServiceSid"]
    );
    assert_eq!(fields(json!({"codeBackend": "twilio"})), ["codeBackend"]);
    assert_eq!(
        fields(
            json!({"codeBackend": "verify", "verifyServiceSid": "MG00000000000000000000000000000000"})
        ),
        ["verifyServiceSid"]
    );
    assert_eq!(fields(json!({"channels": "sms, fax"})), ["channels"]);
    assert_eq!(
        fields(json!({"whatsappContentSid": "HXnope"})),
        ["whatsappContentSid"]
    );
    assert_eq!(
        fields(json!({"whatsappSender": "whatsapp"})),
        ["whatsappSender"]
    );
    assert_eq!(
        fields(
            json!({"codeBackend": "verify", "verifyServiceSid": SERVICE, "webOtpDomain": "example.com",
            "messageTemplates": {"de": "Code {code}"}})
        ),
        ["messageTemplates", "webOtpDomain"]
    );
    // A call needs a number to call from; Verify calls from its own.
    let mut no_number = config_with(
        json!({"channels": "call", "messagingServiceSid": "MG00000000000000000000000000000000"}),
    );
    no_number
        .as_object_mut()
        .unwrap()
        .remove("senderPhoneNumber");
    let err = twilio_baas_plugin::Config::from_json(&no_number).unwrap_err();
    assert!(err.to_string().contains("channels: has call"), "{err}");
    // Verify without any sender is fine: the messaging API is then the only thing that needs one.
    let mut verify_only = config_with(
        json!({"codeBackend": "verify", "verifyServiceSid": SERVICE, "channels": "call, sms"}),
    );
    verify_only
        .as_object_mut()
        .unwrap()
        .remove("senderPhoneNumber");
    assert!(twilio_baas_plugin::Config::from_json(&verify_only).is_ok());
}

#[test]
fn phone_login_through_verify_sends_after_the_answer_and_checks_with_verify() {
    let p = verify_plugin(json!({"channels": "sms, call"}));
    p.host()
        .users
        .borrow_mut()
        .push(args(json!({"objectId": "U1", "phoneNumber": PHONE})));
    let login = |request: Value| block_on(p.before_login(&HookContext::default(), args(request)));
    let outcome = login(json!({"phoneNumber": PHONE, "channel": "call"})).unwrap();
    assert!(
        p.host().requests.borrow().is_empty(),
        "nothing before the answer"
    );
    block_on(p.run_deferred());
    let HookOutcome::Respond { body, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(body["channel"], "call");
    let (_, url, form) = last_request(&p);
    assert!(url.ends_with("/Verifications"), "{url}");
    assert_eq!(form_value(&form, "Channel").as_deref(), Some("call"));
    // A number with no account: a read stands in, nothing is sent.
    login(json!({"phoneNumber": "+14155550199", "channel": "call"})).unwrap();
    block_on(p.run_deferred());
    assert_eq!(last_request(&p).0, "GET");

    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("approved"));
    let tid = body["transactionId"].as_str().unwrap();
    let outcome =
        login(json!({"phoneNumber": PHONE, "transactionId": tid, "transactionCode": "123456"}))
            .unwrap();
    assert!(
        matches!(outcome, HookOutcome::Authenticate { .. }),
        "{outcome:?}"
    );
    assert!(last_request(&p).1.ends_with("/VerificationCheck"));
}

#[test]
fn only_the_newest_transaction_for_a_number_may_use_its_verify_code() {
    // Verify resends one code per number: the code answers the message it last came in.
    let p = verify_plugin(json!({"resendCooldownSeconds": 0}));
    let tid = |body: Value| body["transactionId"].as_str().unwrap().to_string();
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("pending"));
    let registration = tid(start(&p, json!({"phoneNumber": PHONE})).unwrap());
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("pending"));
    let newer = tid(start(&p, json!({"phoneNumber": PHONE})).unwrap());
    let asked = p.host().requests.borrow().len();
    assert_eq!(
        finish(&p, &registration, "123456").unwrap_err().code(),
        "CODE_MISMATCH"
    );
    assert_eq!(p.host().requests.borrow().len(), asked, "Verify not asked");
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("approved"));
    finish(&p, &newer, "123456").unwrap();
}

#[test]
fn phone_login_through_verify_answers_alike_with_and_without_an_account() {
    let p = verify_plugin(json!({}));
    p.host()
        .users
        .borrow_mut()
        .push(args(json!({"objectId": "U1", "phoneNumber": PHONE})));
    let login = |request: Value| block_on(p.before_login(&HookContext::default(), args(request)));
    let mut answers = Vec::new();
    for (phone, reply) in [
        (PHONE, verification_reply("pending")),
        ("+14155550199", twilio_error(20404, 404)),
    ] {
        let HookOutcome::Respond { body, .. } = login(json!({"phoneNumber": phone})).unwrap()
        else {
            panic!()
        };
        block_on(p.run_deferred());
        let tid = body["transactionId"].as_str().unwrap().to_string();
        // A wrong code for the number with an account (Verify: pending), any code for the one
        // without (Verify has nothing for it).
        p.host().replies.borrow_mut().push(reply);
        let err =
            login(json!({"phoneNumber": phone, "transactionId": tid, "transactionCode": "123456"}))
                .unwrap_err();
        answers.push((err.code(), err.status(), err.details()));
        assert!(
            last_request(&p).1.ends_with("/VerificationCheck"),
            "both ask Verify"
        );
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, "CODE_MISMATCH");
}

#[test]
fn fraud_guard_and_geo_blocks_are_never_routed_around() {
    for code in [60410, 60605, 60203, 21610, 21408] {
        let p = verify_plugin(json!({"channels": "sms, call", "channelFallback": true}));
        p.host().replies.borrow_mut().push(twilio_error(code, 403));
        let err = start(&p, json!({"phoneNumber": PHONE})).unwrap_err();
        assert_eq!(err.details()["twilioCode"], code);
        assert_eq!(
            p.host().requests.borrow().len(),
            1,
            "{code}: no call instead"
        );
    }
    let p = verify_plugin(json!({"channels": "sms, call", "channelFallback": true}));
    p.host().replies.borrow_mut().push(twilio_error(60205, 400));
    p.host()
        .replies
        .borrow_mut()
        .push(verification_reply("pending"));
    assert_eq!(
        start(&p, json!({"phoneNumber": PHONE})).unwrap()["channel"],
        "call"
    );
}

#[test]
fn two_factor_sends_over_the_channel_the_password_login_asks_for() {
    let p = plugin_with(config_with(json!({"channels": "sms, call"})));
    let user = args(json!({"objectId": "U1", "phoneNumber": PHONE, "twoFactorEnabled": true}));
    let request =
        args(json!({"login": "ada@example.com", "password": "pw-123456", "channel": "call"}));
    let outcome = block_on(p.after_login(
        &HookContext::default(),
        &request,
        &HostResult::Succeeded { user },
    ))
    .unwrap();
    let HookOutcome::Respond { body, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(body["twoFactorRequired"], true);
    assert_eq!(body["channel"], "call");
    assert!(last_request(&p).1.ends_with("/Calls.json"));
}
