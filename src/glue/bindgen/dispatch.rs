//! Every asynchronous operation runs through one function: its arguments are read, the flow
//! runs, and its answer or error becomes the Promise's. One state machine for all of them,
//! instead of a wrapper per export, keeps the module small.

use std::rc::Rc;

use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::convert::{error_to_js, from_js, read_fields, to_js};
use super::js_host::JsHost;
use super::json_api::{self, Operation};
use super::names::Names;
use super::task;
use crate::config::TwoFactorMode;
use crate::error::PluginError;
use crate::hook::HookContext;
use crate::plugin::Plugin;
use crate::user_api::{CHANNEL, OBJECT_ID, TRANSACTION_ID};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32);
}

/// Runs `operation` with its JS arguments (`ctx`, then one or two more) as a Promise. The Promise
/// settles as soon as the operation has its answer; the work it left for after the answer
/// (phone login's send, see `deferred`) runs then, so it neither delays nor shapes the answer.
/// A hook with nothing to do answers at once, with a settled Promise (`passes_through`).
pub fn dispatch(
    plugin: &Rc<Plugin<JsHost>>,
    operation: Operation,
    ctx: JsValue,
    first: JsValue,
    second: JsValue,
) -> Promise {
    if passes_through(plugin, operation, &first, &second) {
        return continue_answer_js();
    }
    // The arguments are read before anything runs; one that cannot be read is the answer.
    let (ctx, first, second) = match arguments(plugin, operation, &ctx, &first, &second) {
        Ok(read) => read,
        Err(err) => return Promise::reject(&error_to_js(&err)),
    };
    let plugin = plugin.clone();
    task::promise(async move {
        let answer = json_api::run(&plugin, operation, &ctx, &first, &second).await;
        if plugin.has_deferred() {
            task::spawn(run_deferred(plugin));
        }
        answer
            .map(|value| answer_to_js(&value))
            .map_err(|err| error_to_js(&err))
    })
}

/// An answer as JS: the commonest, a plain `continue`, made directly rather than written out as
/// JSON and parsed back.
fn answer_to_js(value: &Value) -> JsValue {
    match value.as_object() {
        Some(m) if m.len() == 1 && m.get("action").and_then(Value::as_str) == Some("continue") => {
            continue_object()
        }
        _ => to_js(value),
    }
}

/// The work flows left for after their answer. It waits for a timer, not a microtask: the host
/// finishes answering (its own awaits are microtasks) before the deferred work even starts.
async fn run_deferred(plugin: Rc<Plugin<JsHost>>) {
    let later = Promise::new(&mut |resolve, _| set_timeout(&resolve, 0));
    let _ = task::wait(&later).await;
    plugin.run_deferred().await;
}

/// Whether a hook has nothing to do, told from the one to four fields that decide it, without
/// reading the context or the rest of the request: a password login (no number, no code; the
/// host checks the password), an after-login without two-factor, an after-registration
/// without a phone confirmation. Exactly the cases where the flows answer `continue` unchanged.
/// Anything unreadable goes the full way, which refuses it (or, for a result, fails closed).
/// Each case is one call into `fast_path.js` (two for optional two-factor): reading the members
/// one by one from here would cost more than the whole answer.
fn passes_through(
    plugin: &Plugin<JsHost>,
    operation: Operation,
    first: &JsValue,
    result: &JsValue,
) -> bool {
    let names = &plugin.host.names;
    let config = &plugin.config;
    let none = JsValue::UNDEFINED;
    match operation {
        Operation::BeforeLogin => {
            !config.phone_is_identity() && record_without(first, &names.login_unset, &names.login)
        }
        Operation::AfterLogin => match config.two_factor {
            TwoFactorMode::Off => record_without(first, &names.nothing, &none),
            TwoFactorMode::Required => false,
            // A user whose switch is not set (or false): the common case of the default.
            TwoFactorMode::Optional => {
                record_without(first, &names.nothing, &none)
                    && two_factor_off(result, &names.user, &names.two_factor)
            }
        },
        Operation::AfterRegister => record_without(first, &names.register_unset, &none),
        _ => false,
    }
}

/// The context's text members, each looked up by its name made at `create` (measured: as cheap
/// as one JSON text of all five, and smaller). A context that is no object is an empty one.
fn context(ctx: &JsValue, names: &Names) -> HookContext {
    if !ctx.is_object() {
        return HookContext::default();
    }
    json_api::context(|name| {
        let i = json_api::CONTEXT_FIELDS.iter().position(|f| *f == name)?;
        js_sys::Reflect::get(ctx, &names.context[i])
            .ok()?
            .as_string()
    })
}

/// An object that is not a list: what `read_fields` can look members up on.
fn is_record(value: &JsValue) -> bool {
    value.is_object() && !js_sys::Array::is_array(value)
}

/// The context and the arguments as the operation reads them.
fn arguments(
    plugin: &Plugin<JsHost>,
    operation: Operation,
    ctx: &JsValue,
    first: &JsValue,
    second: &JsValue,
) -> Result<(HookContext, Value, Value), PluginError> {
    // An after-registration's flow has no use for the context (it only settles a claim).
    let ctx = match operation {
        Operation::AfterRegister => HookContext::default(),
        _ => context(ctx, &plugin.host.names),
    };
    // An after-hook's request was the host's to check, and its flow reads only the transaction
    // (and a login's channel): the rest of it stays in JS.
    let request: &[&str] = match operation {
        Operation::AfterRegister => &[TRANSACTION_ID],
        Operation::AfterLogin => &[TRANSACTION_ID, CHANNEL],
        _ => &[],
    };
    let first = if request.is_empty() || !is_record(first) {
        from_js(first, operation.first_argument())?
    } else {
        Value::Object(read_fields(first, request)?)
    };
    // Of the new user, an after-hook reads at most what two-factor needs (its id, its number,
    // its switch): the rest of the user, whatever the app keeps in it, stays in JS and cannot
    // make a login fail. (Only the after-hooks have a result: a lookup on anything else would
    // throw, and a JS exception costs more than the whole call.)
    let config = &plugin.config;
    let two_factor = [
        OBJECT_ID,
        config.phone_number_field.as_str(),
        config.two_factor_field.as_str(),
    ];
    let names: &[&str] = match operation {
        Operation::AfterRegister => &[],
        Operation::AfterLogin => &two_factor,
        _ => return Ok((ctx, first, Value::Null)),
    };
    let user = if second.is_object() {
        js_sys::Reflect::get(second, &plugin.host.names.user).unwrap_or_default()
    } else {
        JsValue::UNDEFINED
    };
    if !user.is_object() {
        return Ok((ctx, first, from_js(second, "result")?));
    }
    let fields = read_fields(&user, names)?;
    let second = crate::object! { "user": Value::Object(fields) };
    Ok((ctx, first, second))
}

#[wasm_bindgen(module = "/src/glue/bindgen/fast_path.js")]
extern "C" {
    #[wasm_bindgen(js_name = recordWithout)]
    fn record_without(object: &JsValue, unset: &js_sys::Array, text: &JsValue) -> bool;
    #[wasm_bindgen(js_name = twoFactorOff)]
    fn two_factor_off(result: &JsValue, user: &JsValue, switch: &JsValue) -> bool;
    #[wasm_bindgen(js_name = continueAnswer)]
    fn continue_answer_js() -> Promise;
    #[wasm_bindgen(js_name = continueObject)]
    fn continue_object() -> JsValue;
}
