//! Every asynchronous operation runs through one function: its arguments are read, the flow
//! runs, and its answer or error becomes the Promise's. One state machine for all of them,
//! instead of a wrapper per export, keeps the module small.

use std::rc::Rc;

use js_sys::Promise;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::convert::{error_to_js, from_js, object_from_js, to_js};
use super::js_host::JsHost;
use crate::error::PluginError;
use crate::hook::{HookContext, HostResult};
use crate::plugin::Plugin;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32);
}

/// The plugin's asynchronous operations, as exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    BeforeRegister,
    AfterRegister,
    BeforeLogin,
    AfterLogin,
    SendSms,
    SendMms,
    StartVerification,
    CheckVerification,
    GetMessageStatus,
    HandleStatusCallback,
    TestConfiguration,
}

/// Runs `operation` with its JS arguments (`ctx`, then one or two more) as a Promise. The Promise
/// settles as soon as the operation has its answer; the work it left for after the answer
/// (phone login's send, see `deferred`) runs then, so it neither delays nor shapes the answer.
pub fn dispatch(
    plugin: &Rc<Plugin<JsHost>>,
    operation: Operation,
    ctx: JsValue,
    first: JsValue,
    second: JsValue,
) -> Promise {
    let plugin = plugin.clone();
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    if let Some((resolve, reject)) = settle {
        spawn_local(async move {
            let _ = match run(&plugin, operation, &ctx, &first, &second).await {
                Ok(value) => resolve.call1(&JsValue::UNDEFINED, &to_js(&value)),
                Err(err) => reject.call1(&JsValue::UNDEFINED, &error_to_js(&err)),
            };
            if plugin.has_deferred() {
                // A timer, not a microtask: the host finishes answering (its own awaits are
                // microtasks) before the deferred work even starts.
                let later = Promise::new(&mut |resolve, _| set_timeout(&resolve, 0));
                let _ = JsFuture::from(later).await;
                plugin.run_deferred().await;
            }
        });
    }
    promise
}

async fn run(
    plugin: &Plugin<JsHost>,
    operation: Operation,
    ctx: &JsValue,
    first: &JsValue,
    second: &JsValue,
) -> Result<Value, PluginError> {
    use Operation::*;
    if operation == TestConfiguration {
        return Ok(plugin.test_configuration().await);
    }
    let ctx = parse_context(ctx)?;
    let outcome = match operation {
        BeforeRegister | AfterRegister | BeforeLogin | AfterLogin => {
            let (name, what) = match operation {
                BeforeRegister | AfterRegister => ("user", "an object of the user's properties"),
                _ => ("login", "an object with the login fields"),
            };
            let args = object_from_js(first, name, what)?;
            let result = || -> Result<HostResult, PluginError> {
                Ok(HostResult::from_json(&from_js(second, "result")?))
            };
            match operation {
                BeforeRegister => plugin.before_register(&ctx, args).await,
                AfterRegister => plugin.after_register(&ctx, &args, &result()?).await,
                BeforeLogin => plugin.before_login(&ctx, args).await,
                _ => plugin.after_login(&ctx, &args, &result()?).await,
            }?
        }
        _ => {
            let request = from_js(first, "request")?;
            return match operation {
                SendSms => plugin.send_sms(&ctx, &request).await,
                SendMms => plugin.send_mms(&ctx, &request).await,
                StartVerification => plugin.start_verification(&ctx, &request).await,
                CheckVerification => plugin.check_verification(&ctx, &request).await,
                GetMessageStatus => plugin.get_message_status(&ctx, &request).await,
                _ => plugin.handle_status_callback(&ctx, &request).await,
            };
        }
    };
    Ok(outcome.to_json())
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
        request_id: text("requestId"),
        client_ip: text("clientIp"),
        app_name: text("appName"),
        user_id: text("userId"),
    })
}
