//! The JS strings the adapter hands the engine on every call, made once at `create`: a string
//! made from Rust costs a copy and a decode each time it crosses.

use js_sys::Array;
use wasm_bindgen::JsValue;

use crate::config::Config;
use crate::user_api::{LOGIN, OBJECT_ID, TRANSACTION_CODE, TRANSACTION_ID};

pub struct Names {
    /// The context members the plugin keeps, in `CONTEXT_FIELDS`' order.
    pub context: [JsValue; 5],
    /// The members that tell whether a hook has anything to do (see `passes_through`): those
    /// a password login leaves unset, its login (text or unset), those a registration without
    /// the phone flow leaves unset, and no members at all.
    pub login_unset: Array,
    pub login: JsValue,
    pub register_unset: Array,
    pub nothing: Array,
    pub user: JsValue,
    pub two_factor: JsValue,
    /// What the plugin reads of a user: its id, its number, its two-factor switch. The rest of
    /// the user, whatever the app keeps in it, stays in JS.
    pub user_fields: [String; 3],
}

impl Names {
    pub fn new(config: &Config) -> Self {
        let (phone, switch) = (
            config.phone_number_field.as_str(),
            config.two_factor_field.as_str(),
        );
        Self {
            context: super::json_api::CONTEXT_FIELDS.map(JsValue::from_str),
            login_unset: [phone, TRANSACTION_ID, TRANSACTION_CODE]
                .into_iter()
                .map(JsValue::from_str)
                .collect(),
            login: JsValue::from_str(LOGIN),
            register_unset: Array::of1(&JsValue::from_str(TRANSACTION_ID)),
            nothing: Array::new(),
            user: JsValue::from_str("user"),
            two_factor: JsValue::from_str(switch),
            user_fields: [OBJECT_ID, phone, switch].map(String::from),
        }
    }
}
