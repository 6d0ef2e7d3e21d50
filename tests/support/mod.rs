//! An in-memory host for native tests: storage with TTLs on a settable clock, scripted Twilio
//! replies, recorded requests and log lines, and storage calls that yield once so that two
//! flows joined together really interleave.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use serde_json::{json, Map, Value};
use twilio_baas_plugin::{
    Config, Host, HostError, HostErrorKind, HttpRequest, HttpResponse, LogLevel, Plugin,
};

pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000000";
pub const AUTH_TOKEN: &str = "test_auth_token_0000000000000000";

pub fn config_json() -> Value {
    json!({
        "accountSid": ACCOUNT_SID,
        "authToken": AUTH_TOKEN,
        "senderPhoneNumber": "+15005550006",
        "appName": "Acme",
    })
}

/// `config_json` with more settings.
pub fn config_with(extra: Value) -> Value {
    let mut config = config_json();
    for (k, v) in extra.as_object().expect("an object of settings") {
        config[k] = v.clone();
    }
    config
}

/// A context from one client address.
pub fn from_address(ip: &str) -> twilio_baas_plugin::HookContext {
    twilio_baas_plugin::HookContext {
        client_ip: Some(ip.to_string()),
        ..Default::default()
    }
}

pub fn plugin() -> Plugin<FakeHost> {
    plugin_with(config_json())
}

pub fn plugin_with(config: Value) -> Plugin<FakeHost> {
    Plugin::new(
        Config::from_json(&config).expect("valid test config"),
        FakeHost::default(),
    )
}

pub enum Reply {
    Status(u16, String),
    /// The connection never opened: nothing reached Twilio.
    NetworkError(String),
    /// No answer in time: the request may have reached Twilio.
    Timeout,
    /// The host's origin allowlist stopped the request: nothing was sent.
    Refused(String),
}

#[derive(Default)]
pub struct FakeHost {
    pub clock_ms: Cell<i64>,
    pub store: RefCell<HashMap<String, (String, i64)>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    /// Scripted replies, first in first out; when empty Twilio accepts the message.
    pub replies: RefCell<Vec<Reply>>,
    pub users: RefCell<Vec<Map<String, Value>>>,
    pub logs: RefCell<Vec<String>>,
    pub sms_count: Cell<u32>,
    /// Every host call in order, by kind (`get`, `incr`, `http POST`, ...), for comparing what
    /// two requests did without their keys.
    pub trace: RefCell<Vec<String>>,
    /// Writes of keys starting with this fail, as a full disk would make them.
    pub failing_puts: RefCell<Option<String>>,
}

impl FakeHost {
    fn traced(&self, call: &str) {
        self.trace.borrow_mut().push(call.to_string());
    }

    /// Log lines at `level` whose message contains `text`.
    pub fn logged(&self, level: &str, text: &str) -> usize {
        self.logs
            .borrow()
            .iter()
            .filter(|l| l.starts_with(level) && l.contains(text))
            .count()
    }

    pub fn advance_seconds(&self, s: i64) {
        self.clock_ms.set(self.clock_ms.get() + s * 1000);
    }

    /// The body of the last SMS sent through Twilio.
    pub fn last_sms_body(&self) -> String {
        let requests = self.requests.borrow();
        let body = requests
            .last()
            .and_then(|r| r.body.clone())
            .unwrap_or_default();
        form_value(&body, "Body").unwrap_or_default()
    }

    /// The code in the last SMS (its last word).
    /// The code in the last SMS: its first run of 4 to 10 digits (the lifetime's minutes are
    /// fewer, and the origin-bound line repeats the code).
    pub fn last_code(&self) -> String {
        self.last_sms_body()
            .split(|c: char| !c.is_ascii_digit())
            .find(|run| (4..=10).contains(&run.len()))
            .unwrap_or_default()
            .to_string()
    }

    fn live(&self, key: &str) -> Option<String> {
        let now = self.clock_ms.get();
        let mut store = self.store.borrow_mut();
        match store.get(key) {
            Some((v, exp)) if *exp > now => Some(v.clone()),
            Some(_) => {
                store.remove(key);
                None
            }
            None => None,
        }
    }
}

/// Reads one field of a form body (enough for the tests: `+` and `%XX` decoding).
pub fn form_value(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| decode(v))
    })
}

fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Returns Pending once, so joined flows take turns at every host call.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl Host for FakeHost {
    async fn http(&self, request: HttpRequest) -> Result<HttpResponse, HostError> {
        self.traced(&format!("http {}", request.method));
        YieldOnce(false).await;
        let to = request
            .body
            .as_deref()
            .and_then(|b| form_value(b, "To"))
            .unwrap_or_default();
        self.requests.borrow_mut().push(request);
        let scripted = {
            let mut replies = self.replies.borrow_mut();
            (!replies.is_empty()).then(|| replies.remove(0))
        };
        match scripted {
            Some(Reply::Status(status, body)) => Ok(HttpResponse { status, body }),
            Some(Reply::NetworkError(e)) => Err(HostError::new(HostErrorKind::Connect, e)),
            Some(Reply::Refused(e)) => Err(HostError::new(HostErrorKind::Refused, e)),
            Some(Reply::Timeout) => Err(HostError::new(
                HostErrorKind::Timeout,
                "no answer within 10000 ms",
            )),
            None if self
                .requests
                .borrow()
                .last()
                .is_some_and(|r| r.method == "GET") =>
            {
                let body = json!({"sid": ACCOUNT_SID, "friendly_name": "Test", "status": "active", "type": "Full"});
                Ok(HttpResponse {
                    status: 200,
                    body: body.to_string(),
                })
            }
            None => {
                self.sms_count.set(self.sms_count.get() + 1);
                let sid = format!("SM{:032x}", self.sms_count.get());
                let body = json!({"sid": sid, "status": "queued", "to": to, "from": "+15005550006",
                    "num_segments": "1", "num_media": "0"});
                Ok(HttpResponse {
                    status: 201,
                    body: body.to_string(),
                })
            }
        }
    }

    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        self.traced("get");
        YieldOnce(false).await;
        Ok(self.live(key))
    }

    async fn storage_put(&self, key: &str, value: &str, ttl: u32) -> Result<(), HostError> {
        self.traced("put");
        YieldOnce(false).await;
        if let Some(prefix) = self.failing_puts.borrow().as_deref() {
            if key.starts_with(prefix) {
                return Err(HostError::new(
                    HostErrorKind::Storage,
                    "database or disk is full",
                ));
            }
        }
        let exp = self.clock_ms.get() + i64::from(ttl) * 1000;
        self.store
            .borrow_mut()
            .insert(key.into(), (value.into(), exp));
        Ok(())
    }

    async fn storage_take(&self, key: &str) -> Result<Option<String>, HostError> {
        self.traced("take");
        YieldOnce(false).await;
        let value = self.live(key);
        self.store.borrow_mut().remove(key);
        Ok(value)
    }

    async fn storage_incr(&self, key: &str, ttl: u32) -> Result<i64, HostError> {
        self.traced("incr");
        YieldOnce(false).await;
        let n = self
            .live(key)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
            + 1;
        let exp = match self.store.borrow().get(key) {
            Some((_, exp)) if n > 1 => *exp,
            _ => self.clock_ms.get() + i64::from(ttl) * 1000,
        };
        self.store
            .borrow_mut()
            .insert(key.into(), (n.to_string(), exp));
        Ok(n)
    }

    async fn find_user(
        &self,
        field: &str,
        value: &str,
    ) -> Result<Option<Map<String, Value>>, HostError> {
        self.traced("find_user");
        YieldOnce(false).await;
        Ok(self
            .users
            .borrow()
            .iter()
            .find(|u| u.get(field) == Some(&json!(value)))
            .cloned())
    }

    fn now_ms(&self) -> i64 {
        self.clock_ms.get()
    }

    fn log(&self, level: LogLevel, message: &str, fields: Value) {
        self.traced("log");
        self.logs
            .borrow_mut()
            .push(format!("{} {message} {fields}", level.as_str()));
    }
}

/// Runs a future to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Runs futures to completion, polling them in turn, so their host calls interleave.
pub fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    let mut cx = Context::from_waker(Waker::noop());
    while results.iter().any(Option::is_none) {
        for (future, result) in futures.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
                    *result = Some(v);
                }
            }
        }
    }
    results.into_iter().flatten().collect()
}

/// The services as the JS build receives them: JSON requests read into the plugin's records by
/// the same code the module runs, and JSON answers.
pub mod services {
    use serde_json::Value;
    use twilio_baas_plugin::glue::bindgen::json_api::{run, Operation};
    use twilio_baas_plugin::{HookContext, Host, Plugin, PluginError};

    pub async fn send_sms<H: Host>(
        p: &Plugin<H>,
        ctx: &HookContext,
        request: &Value,
    ) -> Result<Value, PluginError> {
        run(p, Operation::SendSms, ctx, request, &Value::Null).await
    }

    pub async fn send_mms<H: Host>(
        p: &Plugin<H>,
        ctx: &HookContext,
        request: &Value,
    ) -> Result<Value, PluginError> {
        run(p, Operation::SendMms, ctx, request, &Value::Null).await
    }

    pub async fn start_verification<H: Host>(
        p: &Plugin<H>,
        ctx: &HookContext,
        request: &Value,
    ) -> Result<Value, PluginError> {
        run(p, Operation::StartVerification, ctx, request, &Value::Null).await
    }

    pub async fn check_verification<H: Host>(
        p: &Plugin<H>,
        ctx: &HookContext,
        request: &Value,
    ) -> Result<Value, PluginError> {
        run(p, Operation::CheckVerification, ctx, request, &Value::Null).await
    }

    pub async fn get_message_status<H: Host>(
        p: &Plugin<H>,
        ctx: &HookContext,
        request: &Value,
    ) -> Result<Value, PluginError> {
        run(p, Operation::GetMessageStatus, ctx, request, &Value::Null).await
    }

    pub async fn handle_status_callback<H: Host>(
        p: &Plugin<H>,
        ctx: &HookContext,
        request: &Value,
    ) -> Result<Value, PluginError> {
        run(
            p,
            Operation::HandleStatusCallback,
            ctx,
            request,
            &Value::Null,
        )
        .await
    }

    /// TEST CONFIGURATION's report as JSON.
    pub async fn test_configuration<H: Host>(p: &Plugin<H>) -> Value {
        let ctx = HookContext::default();
        run(
            p,
            Operation::TestConfiguration,
            &ctx,
            &Value::Null,
            &Value::Null,
        )
        .await
        .unwrap_or(Value::Null)
    }
}
