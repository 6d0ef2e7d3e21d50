//! The wasm-bindgen boundary, and the only module that knows about JavaScript: it converts
//! arguments, runs the flows against the JS host object, and turns every error into a JS `Error`
//! with `code`, `status`, `message` and `details`. Names follow one rule across the boundary:
//! `before-register` (WIT), `before_register` (Rust), `beforeRegister` (JS).

mod convert;
mod js_host;

use std::future::Future;
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

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The plugin's settings, as the marketplace configuration popup fills them. */
export interface PluginConfig {
  accountSid: string;
  authToken: string;
  apiKeySid?: string;
  apiKeySecret?: string;
  senderPhoneNumber?: string;
  messagingServiceSid?: string;
  appName?: string;
  messageTemplate?: string;
  codeLength?: number;
  codeTtlSeconds?: number;
  maxAttempts?: number;
  maxSmsPerNumberPerHour?: number;
  phoneNumberField?: string;
  identityField?: string;
  phoneConfirmedField?: string;
  phoneRequired?: boolean;
  twilioApiBaseUrl?: string;
  twilioTimeoutMs?: number;
}

export interface ConfigProblem { field: string; reason: string; }
export interface ConfigValidation { ok: boolean; problems: ConfigProblem[]; }

export interface HttpRequest {
  method: string; url: string; headers: Record<string, string>; body: string | null; timeoutMs: number;
}
export interface HttpResponse { status: number; headers?: Record<string, string>; body: string; }
export type LogLevel = "debug" | "info" | "warn" | "error";

/** What the host gives the plugin. Storage keys are the plugin's own; the host namespaces them. */
export interface PluginHost {
  /** Rejects on a network error or timeout; any HTTP status resolves. */
  http(request: HttpRequest): Promise<HttpResponse>;
  storageGet(key: string): Promise<string | null>;
  storagePut(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Atomic read-and-delete. */
  storageTake(key: string): Promise<string | null>;
  /** Atomic increment; the TTL is set when the key is created. Resolves to the new count. */
  storageIncr(key: string, ttlSeconds: number): Promise<number>;
  findUser(field: string, value: string): Promise<Record<string, unknown> | null>;
  /** Milliseconds since the Unix epoch. */
  now(): number;
  log(level: LogLevel, message: string, fields: Record<string, unknown>): void;
}

export interface HookContext {
  event?: string; requestId?: string; clientIp?: string; userAgent?: string; appName?: string;
}

export type HookOutcome =
  | { action: "continue"; args?: Record<string, unknown> }
  | { action: "respond"; status: number; body: unknown }
  | { action: "authenticate"; userId: string };

export type HostResult =
  | { user: Record<string, unknown> }
  | { error: { code: string | number; message: string } };

/** Every error the plugin throws or rejects with. */
export interface PluginErrorShape extends Error {
  code: string; status: number; details: Record<string, unknown>;
}
"#;

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
}

/// The plugin's version, as in `plugin-manifest.json`.
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
    })
}

/// Runs a flow as a Promise: its outcome as JSON, its error as a JS `Error`.
fn run(flow: impl Future<Output = Result<HookOutcome, PluginError>> + 'static) -> Promise {
    future_to_promise(async move {
        flow.await
            .map(|outcome| to_js(&outcome.to_json()))
            .map_err(|e| error_to_js(&e))
    })
}
