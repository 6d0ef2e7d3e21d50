//! Values between JS and Rust. Input from JS is read defensively, with bounds on depth, size and
//! string length: a request body is attacker-controlled, and a deep recursion or a giant copy
//! could exhaust the wasm stack or memory and poison the instance for every later caller.

use js_sys::{Array, JsString, Reflect};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::PluginError;

const MAX_DEPTH: u32 = 16;
const MAX_NODES: usize = 10_000;
/// In UTF-16 units, as JS counts. Far above any real field; far below memory trouble.
const MAX_STRING: u32 = 65_536;

fn too_large(path: &Path, what: &str) -> PluginError {
    PluginError::InvalidInput {
        field: path.render(),
        expected: what.to_string(),
    }
}

/// Where a value sits in its argument (`user.address.lines[2]`): written out only when an
/// error names it, so that converting a field costs no formatting.
enum Path<'a> {
    Root(&'a str),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, u32),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root(name) => (*name).to_string(),
            Path::Key(parent, key) => format!("{}.{key}", parent.render()),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// Converts a JS value to JSON. `undefined` members are dropped, as `JSON.stringify` does;
/// functions, symbols and BigInts are refused.
pub fn from_js(value: &JsValue, path: &str) -> Result<Value, PluginError> {
    let mut nodes = 0;
    convert(value, &Path::Root(path), 0, &mut nodes)
}

fn convert(
    value: &JsValue,
    path: &Path,
    depth: u32,
    nodes: &mut usize,
) -> Result<Value, PluginError> {
    *nodes += 1;
    if *nodes > MAX_NODES {
        return Err(too_large(path, "smaller: the input has too many values"));
    }
    // Text first: most values are, and it then takes one question to JS, not four.
    if value.is_string() {
        let text: &JsString = value.unchecked_ref();
        if text.length() > MAX_STRING {
            return Err(too_large(path, "at most 65,536 characters long"));
        }
        return Ok(Value::String(text.as_string().unwrap_or_default()));
    }
    if value.is_null_or_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        return Ok(Number::from_f64(n).map_or(Value::Null, Value::Number));
    }
    if !value.is_object() || value.is_function() {
        return Err(too_large(
            path,
            "plain JSON data (text, numbers, true/false, lists, objects)",
        ));
    }
    if depth >= MAX_DEPTH {
        return Err(too_large(path, "less deeply nested"));
    }
    let unreadable = || too_large(path, "a readable object");
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut out = Vec::new();
        for i in 0..array.length() {
            let item = Reflect::get_u32(array, i).map_err(|_| unreadable())?;
            out.push(convert(&item, &Path::Index(path, i), depth + 1, nodes)?);
        }
        return Ok(Value::Array(out));
    }
    let keys = Reflect::own_keys(value).map_err(|_| unreadable())?;
    let mut out = Map::new();
    for key in keys.iter() {
        let Some(name) = key.as_string() else {
            continue;
        }; // symbol keys
        let item = Reflect::get(value, &key).map_err(|_| unreadable())?;
        if item.is_undefined() {
            continue;
        }
        let child = convert(&item, &Path::Key(path, &name), depth + 1, nodes)?;
        out.insert(name, child);
    }
    Ok(Value::Object(out))
}

/// The members `names` of a JS object, each converted as `from_js` converts a value (an
/// absent one left out): what the plugin reads of a user, whatever else the app keeps in it.
/// A member whose getter throws is an error, as it is for `from_js`.
pub fn read_fields(object: &JsValue, names: &[&str]) -> Result<Map<String, Value>, PluginError> {
    let mut fields = Map::new();
    for name in names {
        let value = Reflect::get(object, &JsValue::from_str(name))
            .map_err(|_| too_large(&Path::Root(name), "a readable object"))?;
        if !value.is_undefined() {
            fields.insert((*name).into(), from_js(&value, name)?);
        }
    }
    Ok(fields)
}

/// JSON to a plain JS value, through the engine's own `JSON.parse`: smaller in the module than a
/// serializer, and every value the plugin returns is JSON anyway.
pub fn to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&crate::json_text::to_text(value)).unwrap_or(JsValue::NULL)
}

/// A JS `Error` with `code`, `status`, `message` and `details`.
pub fn error_to_js(error: &PluginError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("TwilioPluginError");
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&js, &JsValue::from_str(k), &v);
    };
    set("code", JsValue::from_str(error.code()));
    set("status", JsValue::from(error.status()));
    set("details", to_js(&error.details()));
    js.into()
}
