//! Every asynchronous operation runs through one function: its arguments are read, the flow
//! runs, and its answer or error becomes the Promise's. One state machine for all of them,
//! instead of a wrapper per export, keeps the module small.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::convert::{error_to_js, from_js, to_js};
use super::js_host::JsHost;
use super::json_api::{self, Operation};
use crate::error::PluginError;
use crate::hook::HookContext;
use crate::plugin::Plugin;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32);
}

/// Runs `operation` with its JS arguments (`ctx`, then one or two more) as a Promise. The Promise
/// settles as soon as the operation has its answer; the work it left for after the answer
/// (phone login's send, see `deferred`) runs then, so it neither delays nor shapes the answer.
///
/// The operation is polled once at once: one that needs nothing from the host (a password login
/// without two-factor, say) answers there, with a settled Promise and no task, timer or closure.
/// Otherwise the same future goes on as a task (a future is polled again before anything it
/// waits for can be seen, so the first poll's do-nothing waker loses no wake-up).
pub fn dispatch(
    plugin: &Rc<Plugin<JsHost>>,
    operation: Operation,
    ctx: JsValue,
    first: JsValue,
    second: JsValue,
) -> Promise {
    // The arguments are read before anything runs; one that cannot be read is the answer.
    let (ctx, first, second) = match arguments(plugin, operation, &ctx, &first, &second) {
        Ok(read) => read,
        Err(err) => return Promise::reject(&error_to_js(&err)),
    };
    let owner = plugin.clone();
    let mut answer: Pin<Box<dyn Future<Output = Result<Value, PluginError>>>> =
        Box::pin(async move { json_api::run(&owner, operation, &ctx, &first, &second).await });
    let ready = answer
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
    let (promise, pending) = match ready {
        Poll::Ready(result) => {
            let promise = match settled(result) {
                Ok(value) => Promise::resolve(&value),
                Err(err) => Promise::reject(&err),
            };
            if !plugin.has_deferred() {
                return promise;
            }
            (promise, None)
        }
        Poll::Pending => {
            let mut settle = None;
            let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
            (promise, settle.map(|settle| (answer, settle)))
        }
    };
    // One task type for both cases: each spawned type brings its own copy of the task machinery.
    let plugin = plugin.clone();
    spawn_local(async move {
        if let Some((answer, (resolve, reject))) = pending {
            let _ = match settled(answer.await) {
                Ok(value) => resolve.call1(&JsValue::UNDEFINED, &value),
                Err(err) => reject.call1(&JsValue::UNDEFINED, &err),
            };
        }
        if plugin.has_deferred() {
            run_deferred_later(&plugin).await;
        }
    });
    promise
}

/// An operation's answer or error as the JS value its Promise settles with (one copy of the
/// conversions for both ways of settling).
#[inline(never)]
fn settled(result: Result<Value, PluginError>) -> Result<JsValue, JsValue> {
    result
        .map(|value| to_js(&value))
        .map_err(|err| error_to_js(&err))
}

/// The work an answer left behind, after a timer, not a microtask: the host finishes answering
/// (its own awaits are microtasks) before the deferred work even starts.
async fn run_deferred_later(plugin: &Plugin<JsHost>) {
    let later = Promise::new(&mut |resolve, _| set_timeout(&resolve, 0));
    let _ = JsFuture::from(later).await;
    plugin.run_deferred().await;
}

/// One text member of the host's context, looked up by name (the plugin keeps 256 characters).
fn context_text(ctx: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(ctx, &JsValue::from_str(name))
        .ok()?
        .as_string()
}

/// The context and the arguments as the operation reads them.
fn arguments(
    plugin: &Plugin<JsHost>,
    operation: Operation,
    ctx: &JsValue,
    first: &JsValue,
    second: &JsValue,
) -> Result<(HookContext, Value, Value), PluginError> {
    // A context that is no object is an empty one (looking members up on it would throw).
    let ctx = json_api::context(|name| ctx.is_object().then(|| context_text(ctx, name))?);
    let first = from_js(first, operation.first_argument())?;
    // Of the new user, an after-hook reads at most what two-factor needs (its id, its number,
    // its switch): the rest of the user, whatever the app keeps in it, stays in JS and cannot
    // make a login fail. (Only the after-hooks have a result: a lookup on anything else would
    // throw, and a JS exception costs more than the whole call.)
    let config = &plugin.config;
    let two_factor = [
        crate::user_api::OBJECT_ID,
        config.phone_number_field.as_str(),
        config.two_factor_field.as_str(),
    ];
    let names: &[&str] = match operation {
        Operation::AfterRegister => &[],
        Operation::AfterLogin => &two_factor,
        _ => return Ok((ctx, first, from_js(second, "result")?)),
    };
    let user = if second.is_object() {
        js_sys::Reflect::get(second, &JsValue::from_str("user")).unwrap_or_default()
    } else {
        JsValue::UNDEFINED
    };
    if !user.is_object() {
        return Ok((ctx, first, from_js(second, "result")?));
    }
    let mut fields = serde_json::Map::new();
    for name in names {
        let value = js_sys::Reflect::get(&user, &JsValue::from_str(name)).unwrap_or_default();
        if !value.is_undefined() {
            fields.insert((*name).into(), from_js(&value, name)?);
        }
    }
    let second = crate::object! { "user": Value::Object(fields) };
    Ok((ctx, first, second))
}
