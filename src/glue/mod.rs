//! The wasm-bindgen boundary, and the only module that knows about JavaScript: it converts
//! arguments, runs the flows against the JS host object, and turns every error into a JS `Error`
//! with `code`, `status`, `message` and `details`. Names follow one rule across the boundary:
//! `before-register` (WIT), `before_register` (Rust), `beforeRegister` (JS).

mod convert;
mod js_host;
mod typescript;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Promise;
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::config::Config;
use crate::error::PluginError;
use crate::hook::{HookContext, HookOutcome, HostResult};
use crate::plugin::Plugin;
use convert::{error_to_js, from_js, object_from_js, to_js};
use js_host::JsHost;

pub use js_host::IMPORTS;

/// The plugin, as JS sees it.
#[wasm_bindgen]
pub struct TwilioPlugin {
    inner: Rc<Plugin<JsHost>>,
}

#[wasm_bindgen]
impl TwilioPlugin {
    /// Validates the configuration and the host object; throws a `CONFIG_INVALID` error listing
    /// every problem.
    pub fn create(
        #[wasm_bindgen(unchecked_param_type = "PluginConfig")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PluginHost")] host: JsValue,
    ) -> Result<TwilioPlugin, JsValue> {
        let config = parse_config(&config).map_err(|e| error_to_js(&e))?;
        let host = JsHost::new(host).map_err(|e| error_to_js(&e))?;
        Ok(TwilioPlugin {
            inner: Rc::new(Plugin::new(config, host)),
        })
    }

    /// The same checks as `create`, without a host: `{ok, problems}`.
    #[wasm_bindgen(js_name = validateConfig, unchecked_return_type = "ConfigValidation")]
    pub fn validate_config(
        #[wasm_bindgen(unchecked_param_type = "PluginConfig")] config: JsValue,
    ) -> JsValue {
        let problems = match parse_config(&config) {
            Ok(_) => Vec::new(),
            Err(PluginError::ConfigInvalid(problems)) => problems,
            Err(other) => vec![crate::error::ConfigProblem {
                field: "config".into(),
                reason: other.to_string(),
            }],
        };
        to_js(&json!({ "ok": problems.is_empty(), "problems": problems }))
    }

    /// Registration, step 1 (phone number alone: texts a code and responds) or step 2 (with
    /// `transactionId` and `transactionCode`: checks the code and continues with the user).
    #[wasm_bindgen(js_name = beforeRegister, unchecked_return_type = "Promise<HookOutcome>")]
    pub fn before_register(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] user: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        run(async move {
            let ctx = parse_context(&ctx)?;
            let user = object_from_js(&user, "user", "an object of the user's properties")?;
            plugin.before_register(&ctx, user).await
        })
    }

    /// After the host's registration: closes the verification on success, releases it on
    /// failure so the same code can be used again with corrected fields. `user` is the client's
    /// original request.
    #[wasm_bindgen(js_name = afterRegister, unchecked_return_type = "Promise<HookOutcome>")]
    pub fn after_register(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "HostResult")] result: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        run(async move {
            let ctx = parse_context(&ctx)?;
            let user = object_from_js(&user, "user", "an object of the user's properties")?;
            let result = HostResult::from_json(&from_js(&result, "result")?);
            plugin.after_register(&ctx, &user, &result).await
        })
    }

    /// Login. `{phoneNumber}` alone starts a phone login (a code is texted; answers `respond`);
    /// with `transactionId` and `transactionCode`, phone login or two-factor's second step
    /// answers `authenticate`; a password login continues to the host's check.
    #[wasm_bindgen(js_name = beforeLogin, unchecked_return_type = "Promise<HookOutcome>")]
    pub fn before_login(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] login: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        run(async move {
            let ctx = parse_context(&ctx)?;
            let login = object_from_js(&login, "login", "an object with the login fields")?;
            plugin.before_login(&ctx, login).await
        })
    }

    /// After a password login: answers `respond` with `{twoFactorRequired, transactionId,
    /// phoneNumber, expiresInSeconds}` when the user needs a code; the host must then not issue
    /// (or must revoke) the session.
    #[wasm_bindgen(js_name = afterLogin, unchecked_return_type = "Promise<HookOutcome>")]
    pub fn after_login(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] login: JsValue,
        #[wasm_bindgen(unchecked_param_type = "HostResult")] result: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        run(async move {
            let ctx = parse_context(&ctx)?;
            let login = object_from_js(&login, "login", "an object with the login fields")?;
            let result = HostResult::from_json(&from_js(&result, "result")?);
            plugin.after_login(&ctx, &login, &result).await
        })
    }

    /// Sends an SMS: `{to, body, statusCallback?}` -> `{sid, status, to, from, numSegments, numMedia}`.
    #[wasm_bindgen(js_name = sendSms, unchecked_return_type = "Promise<SentMessage>")]
    pub fn send_sms(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SendSmsRequest")] request: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        service(ctx, request, move |ctx, request| async move {
            plugin.send_sms(&ctx, &request).await
        })
    }

    /// Sends an MMS: `{to, body?, mediaUrls, statusCallback?}` (1 to 10 https media URLs).
    #[wasm_bindgen(js_name = sendMms, unchecked_return_type = "Promise<SentMessage>")]
    pub fn send_mms(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SendMmsRequest")] request: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        service(ctx, request, move |ctx, request| async move {
            plugin.send_mms(&ctx, &request).await
        })
    }

    /// Texts a code for the app's own purpose: `{phoneNumber, purpose?}`.
    #[wasm_bindgen(js_name = startVerification, unchecked_return_type = "Promise<StartedVerification>")]
    pub fn start_verification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "StartVerificationRequest")] request: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        service(ctx, request, move |ctx, request| async move {
            plugin.start_verification(&ctx, &request).await
        })
    }

    /// Checks a code from `startVerification`: `{transactionId, transactionCode, phoneNumber,
    /// purpose?}` -> `{verified, phoneNumber, purpose}`.
    #[wasm_bindgen(js_name = checkVerification, unchecked_return_type = "Promise<CheckedVerification>")]
    pub fn check_verification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CheckVerificationRequest")] request: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        service(ctx, request, move |ctx, request| async move {
            plugin.check_verification(&ctx, &request).await
        })
    }

    /// The last delivery status of a message sent through the plugin: `{sid}`.
    #[wasm_bindgen(js_name = getMessageStatus, unchecked_return_type = "Promise<MessageStatus>")]
    pub fn get_message_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MessageStatusRequest")] request: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        service(ctx, request, move |ctx, request| async move {
            plugin.get_message_status(&ctx, &request).await
        })
    }

    /// Twilio's status webhook: `{url, headers, body}` as received. Rejects with
    /// `SIGNATURE_INVALID` (403) unless Twilio signed it.
    #[wasm_bindgen(js_name = handleStatusCallback, unchecked_return_type = "Promise<CallbackReceipt>")]
    pub fn handle_status_callback(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CallbackRequest")] request: JsValue,
    ) -> Promise {
        let plugin = self.inner.clone();
        service(ctx, request, move |ctx, request| async move {
            plugin.handle_status_callback(&ctx, &request).await
        })
    }

    /// TEST CONFIGURATION: live checks against Twilio, each reported separately.
    #[wasm_bindgen(js_name = testConfiguration, unchecked_return_type = "Promise<ConfigurationReport>")]
    pub fn test_configuration(&self) -> Promise {
        let plugin = self.inner.clone();
        run_boxed(Box::pin(
            async move { Ok(plugin.test_configuration().await) },
        ))
    }
}

/// Runs a service operation: its JSON reply, or its error as a JS `Error`.
fn service<F, Fut>(ctx: JsValue, request: JsValue, operation: F) -> Promise
where
    F: FnOnce(HookContext, Value) -> Fut + 'static,
    Fut: Future<Output = Result<Value, PluginError>> + 'static,
{
    run_boxed(Box::pin(async move {
        let ctx = parse_context(&ctx)?;
        let request = from_js(&request, "request")?;
        operation(ctx, request).await
    }))
}

#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn parse_config(config: &JsValue) -> Result<Config, PluginError> {
    let value = from_js(config, "config").map_err(|e| {
        PluginError::ConfigInvalid(vec![crate::error::ConfigProblem {
            field: "config".into(),
            reason: e.to_string(),
        }])
    })?;
    Config::from_json(&value)
}

/// Reads the context; a missing one is an empty context, and unknown members are ignored.
fn parse_context(ctx: &JsValue) -> Result<HookContext, PluginError> {
    let map = match from_js(ctx, "ctx")? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let text = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .map(|s| s.chars().take(256).collect())
    };
    Ok(HookContext {
        event: text("event"),
        request_id: text("requestId"),
        client_ip: text("clientIp"),
        user_agent: text("userAgent"),
        app_name: text("appName"),
        user_id: text("userId"),
    })
}

/// Runs a hook as a Promise: its outcome as JSON, its error as a JS `Error`.
fn run(flow: impl Future<Output = Result<HookOutcome, PluginError>> + 'static) -> Promise {
    run_boxed(Box::pin(async move {
        flow.await.map(|outcome| outcome.to_json())
    }))
}

/// The one place futures become Promises. Boxed so that `future_to_promise` is instantiated
/// once rather than once per operation, which keeps the module small.
fn run_boxed(flow: Pin<Box<dyn Future<Output = Result<Value, PluginError>>>>) -> Promise {
    future_to_promise(async move { flow.await.map(|v| to_js(&v)).map_err(|e| error_to_js(&e)) })
}
