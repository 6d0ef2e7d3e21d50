//! The host object JS passes to `TwilioPlugin.create`, behind the [`Host`] trait. Every call is
//! caught: a host that throws, rejects or answers nonsense becomes a `HostError`, never a trap.

use js_sys::{Function, Promise, Reflect};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use super::convert::{read_fields, to_js};
use super::names::Names;
use super::task;
use crate::error::PluginError;
use crate::host::{Host, HostError, HostErrorKind, HttpRequest, HttpResponse, LogLevel};

/// The imports, by their JS names.
pub const IMPORTS: &[&str] = &[
    "http",
    "storageGet",
    "storagePut",
    "storageTake",
    "storageIncr",
    "findUser",
    "now",
    "log",
];

/// A reply body larger than this is not a Twilio reply we need to read.
const MAX_BODY_CHARS: usize = 1 << 20;

pub struct JsHost {
    object: JsValue,
    /// The imports, in `IMPORTS`' order, read once: a call then costs one crossing into JS,
    /// not a property lookup by name and an argument array first.
    imports: Vec<Function>,
    /// The strings and name lists every call hands the engine, made once.
    pub names: Names,
}

impl JsHost {
    /// Checks that every import is a function, naming the missing ones.
    pub fn new(object: JsValue, names: Names) -> Result<Self, PluginError> {
        let mut imports = Vec::new();
        let mut missing = Vec::new();
        for name in IMPORTS {
            match method(&object, name).and_then(|f| f.dyn_into::<Function>().ok()) {
                Some(f) => imports.push(f),
                None => missing.push(*name),
            }
        }
        if missing.is_empty() {
            Ok(Self {
                object,
                imports,
                names,
            })
        } else {
            Err(PluginError::InvalidInput {
                field: "host".into(),
                expected: format!("an object with the functions {}", missing.join(", ")),
            })
        }
    }

    /// Calls an import and awaits its result: a Promise (or any thenable) is awaited, a plain
    /// value is taken as it is, without a round trip through the microtask queue.
    async fn call(&self, name: &str, args: &[JsValue]) -> Result<JsValue, HostError> {
        match settled(self.call_sync(name, args)?) {
            Ok(value) => Ok(value),
            Err(pending) => task::wait(&pending).await.map_err(|e| failure(name, &e)),
        }
    }

    fn call_sync(&self, name: &str, args: &[JsValue]) -> Result<JsValue, HostError> {
        let index = IMPORTS.iter().position(|import| *import == name);
        let f = index
            .and_then(|i| self.imports.get(i))
            .ok_or_else(|| HostError::bad_reply(format!("{name} is not a function")))?;
        // One crossing with the arguments as they are, not an argument list made first.
        let this = &self.object;
        match args {
            [] => f.call0(this),
            [a] => f.call1(this, a),
            [a, b] => f.call2(this, a, b),
            [a, b, c, ..] => f.call3(this, a, b, c),
        }
        .map_err(|e| failure(name, &e))
    }
}

/// A plain value as it is, or the Promise to await: the value itself when it is one, else one
/// resolving to an object (which may be another library's thenable; the storage imports'
/// strings, numbers and nulls never are). Not inlined: one copy for every import's state
/// machine.
#[inline(never)]
fn settled(result: JsValue) -> Result<JsValue, Promise> {
    match result.dyn_into::<Promise>() {
        Ok(promise) => Err(promise),
        Err(result) if result.is_object() => Err(Promise::resolve(&result)),
        Err(result) => Ok(result),
    }
}

impl JsHost {
    /// What the plugin reads of a user `findUser` answered (None for null or undefined).
    fn user_of(&self, user: &JsValue) -> Result<Option<Map<String, Value>>, HostError> {
        if user.is_null_or_undefined() {
            return Ok(None);
        }
        if !user.is_object() || js_sys::Array::is_array(user) {
            return Err(HostError::bad_reply(
                "findUser must resolve to a user object or null",
            ));
        }
        // What the plugin reads of it: its id, its number, its two-factor switch. The rest of
        // the user, whatever the app keeps in it, stays in JS.
        read_fields(user, &self.names.user_fields.each_ref().map(String::as_str))
            .map(Some)
            .map_err(|e| HostError::bad_reply(e.to_string()))
    }
}

thread_local! {
    /// One handler for every promise the plugin does not await.
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

impl JsHost {
    /// For the synchronous imports (`now`, `log`): a host that made them async must not get an
    /// unhandled rejection out of it, which would crash a Node process.
    fn call_ignoring_promise(&self, name: &str, args: &[JsValue]) -> Result<JsValue, HostError> {
        let result = self.call_sync(name, args)?;
        if let Some(promise) = result.dyn_ref::<Promise>() {
            IGNORE.with(|ignore| {
                let _ = promise.catch(ignore);
            });
        }
        Ok(result)
    }
}

fn method(object: &JsValue, name: &str) -> Option<JsValue> {
    if !object.is_object() {
        return None;
    }
    Reflect::get(object, &JsValue::from_str(name)).ok()
}

/// A rejected import, with the `kind` the host gave its Error (a `host-error-kind` name). Without
/// one, an HTTP failure counts as `reset`, which may have been received: a code that may still
/// arrive is kept rather than thrown away; any other import's as `storage`.
fn failure(name: &str, error: &JsValue) -> HostError {
    let named = Reflect::get(error, &JsValue::from_str("kind"))
        .ok()
        .and_then(|k| k.as_string())
        .and_then(|k| HostErrorKind::from_name(&k));
    let kind = match named {
        Some(kind) => kind,
        None if name == "http" => HostErrorKind::Reset,
        None => HostErrorKind::Storage,
    };
    HostError::new(kind, format!("{name} failed: {}", describe(error)))
}

/// An error's message, bounded; never the whole value (it could be anything).
fn describe(error: &JsValue) -> String {
    let text = Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into());
    text.chars().take(200).collect()
}

fn optional_string(value: JsValue, name: &str) -> Result<Option<String>, HostError> {
    if value.is_null() || value.is_undefined() {
        Ok(None)
    } else {
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| HostError::bad_reply(format!("{name} must resolve to a string or null")))
    }
}

impl Host for JsHost {
    async fn http(&self, request: HttpRequest) -> Result<HttpResponse, HostError> {
        // Inserted one by one: collecting into the map would bring a sort into the module.
        let mut headers = Map::new();
        for (name, value) in request.headers {
            headers.insert(name, value.into());
        }
        let js_request = to_js(&crate::object! {
            "method": request.method,
            "url": request.url,
            "headers": headers,
            "body": request.body,
            "timeoutMs": request.timeout_ms,
        });
        let reply = self.call("http", &[js_request]).await?;
        let field =
            |k: &str| Reflect::get(&reply, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let status = field("status")
            .as_f64()
            .filter(|s| (100.0..600.0).contains(s))
            .ok_or_else(|| HostError::bad_reply("http must resolve to {status, headers, body}"))?;
        let body = field("body").as_string().unwrap_or_default();
        let body = if body.len() > MAX_BODY_CHARS {
            String::new()
        } else {
            body
        };
        Ok(HttpResponse {
            status: status as u16,
            body,
        })
    }

    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        optional_string(self.call("storageGet", &[key.into()]).await?, "storageGet")
    }

    async fn storage_put(&self, key: &str, value: &str, ttl_seconds: u32) -> Result<(), HostError> {
        self.call(
            "storagePut",
            &[key.into(), value.into(), ttl_seconds.into()],
        )
        .await
        .map(|_| ())
    }

    async fn storage_take(&self, key: &str) -> Result<Option<String>, HostError> {
        optional_string(
            self.call("storageTake", &[key.into()]).await?,
            "storageTake",
        )
    }

    async fn storage_incr(&self, key: &str, ttl_seconds: u32) -> Result<i64, HostError> {
        let n = self
            .call("storageIncr", &[key.into(), ttl_seconds.into()])
            .await?;
        n.as_f64()
            .filter(|n| n.is_finite() && n.fract() == 0.0)
            .map(|n| n as i64)
            .ok_or_else(|| HostError::bad_reply("storageIncr must resolve to a whole number"))
    }

    async fn find_user(
        &self,
        field: &str,
        value: &str,
    ) -> Result<Option<Map<String, Value>>, HostError> {
        let user = self.call("findUser", &[field.into(), value.into()]).await?;
        self.user_of(&user)
    }

    fn now_ms(&self) -> i64 {
        // A host clock that fails or lies falls back to the JS clock rather than trapping.
        self.call_ignoring_promise("now", &[])
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|n| n.is_finite() && *n > 0.0)
            .unwrap_or_else(js_sys::Date::now) as i64
    }

    fn log(&self, level: LogLevel, message: &str, fields: Value) {
        let _ = self.call_ignoring_promise(
            "log",
            &[level.as_str().into(), message.into(), to_js(&fields)],
        );
    }
}
