//! Every asynchronous operation runs through one function: its arguments are read, the flow
//! runs, and its answer or error becomes the Promise's. One state machine for all of them,
//! instead of a wrapper per export, keeps the module small.

use std::rc::Rc;

use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::convert::{error_to_js, from_js, read_fields, to_js};
use super::js_host::JsHost;
use super::json_api::{self, Operation};
use crate::config::TwoFactorMode;
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
/// A hook with nothing to do answers at once, with a settled Promise (`passes_through`).
pub fn dispatch(
    plugin: &Rc<Plugin<JsHost>>,
    operation: Operation,
    ctx: JsValue,
    first: JsValue,
    second: JsValue,
) -> Promise {
    if passes_through(plugin, operation, &first, &second) {
        return Promise::resolve(&to_js(&crate::object! { "action": "continue" }));
    }
    // The arguments are read before anything runs; one that cannot be read is the answer.
    let (ctx, first, second) = match arguments(plugin, operation, &ctx, &first, &second) {
        Ok(read) => read,
        Err(err) => return Promise::reject(&error_to_js(&err)),
    };
    let plugin = plugin.clone();
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    if let Some((resolve, reject)) = settle {
        spawn_local(async move {
            let answer = json_api::run(&plugin, operation, &ctx, &first, &second).await;
            let _ = match answer {
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

/// Whether a hook has nothing to do, told from the one to four fields that decide it, without
/// reading the context or the rest of the request: a password login (no number, no code; the
/// host checks the password), an after-login without two-factor, an after-registration
/// without a phone confirmation. Exactly the cases where the flows answer `continue` unchanged.
fn passes_through(
    plugin: &Plugin<JsHost>,
    operation: Operation,
    first: &JsValue,
    result: &JsValue,
) -> bool {
    use crate::user_api::{LOGIN, TRANSACTION_CODE, TRANSACTION_ID};
    if !first.is_object() || js_sys::Array::is_array(first) {
        return false;
    }
    let member = |name: &str| js_sys::Reflect::get(first, &JsValue::from_str(name)).ok();
    let absent = |name: &str| member(name).is_some_and(|v| v.is_null_or_undefined());
    let config = &plugin.config;
    match operation {
        Operation::BeforeLogin => {
            !config.phone_is_identity()
                && absent(&config.phone_number_field)
                && absent(TRANSACTION_ID)
                && absent(TRANSACTION_CODE)
                && member(LOGIN).is_some_and(|v| v.is_string() || v.is_null_or_undefined())
        }
        Operation::AfterLogin => match config.two_factor {
            TwoFactorMode::Off => true,
            TwoFactorMode::Required => false,
            // A user whose switch is not set (or false): the common case of the default.
            TwoFactorMode::Optional => {
                // A result or user that cannot be read goes the full way (and fails closed).
                let user = match result.is_object() {
                    true => match js_sys::Reflect::get(result, &JsValue::from_str("user")) {
                        Ok(user) => user,
                        Err(_) => return false,
                    },
                    false => JsValue::UNDEFINED,
                };
                !user.is_object()
                    || js_sys::Reflect::get(&user, &JsValue::from_str(&config.two_factor_field))
                        .is_ok_and(|on| on.is_null_or_undefined() || on.as_bool() == Some(false))
            }
        },
        Operation::AfterRegister => absent(TRANSACTION_ID),
        _ => false,
    }
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
    let fields = read_fields(&user, names)?;
    let second = crate::object! { "user": Value::Object(fields) };
    Ok((ctx, first, second))
}
