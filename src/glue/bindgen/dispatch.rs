//! Every asynchronous operation runs through one function: its arguments are read, the flow
//! runs, and its answer or error becomes the Promise's. One state machine for all of them,
//! instead of a wrapper per export, keeps the module small.

use std::rc::Rc;

use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::convert::{error_to_js, from_js, to_js};
use super::js_host::JsHost;
use super::json_api::{self, Operation};
use crate::error::PluginError;
use crate::plugin::Plugin;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32);
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
    let ctx = json_api::context(&from_js(ctx, "ctx")?);
    let first = from_js(first, operation.first_argument())?;
    let second = from_js(second, "result")?;
    json_api::run(plugin, operation, &ctx, &first, &second).await
}
