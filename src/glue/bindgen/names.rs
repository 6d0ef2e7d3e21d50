//! The JS strings the adapter hands the engine on every call, made once at `create`: a string
//! made from Rust costs a copy and a decode each time it crosses.

use wasm_bindgen::JsValue;

use crate::config::Config;
use crate::user_api::{LOGIN, OBJECT_ID, TRANSACTION_CODE, TRANSACTION_ID};

pub struct Names {
    /// The context members the plugin keeps, in `CONTEXT_FIELDS`' order.
    pub context: [JsValue; 5],
    /// The members that tell whether a hook has anything to do (see `passes_through`).
    pub phone_number: JsValue,
    pub transaction_id: JsValue,
    pub transaction_code: JsValue,
    pub login: JsValue,
    pub user: JsValue,
    pub two_factor: JsValue,
    /// What the plugin reads of a user: its id, its number, its two-factor switch. The rest of
    /// the user, whatever the app keeps in it, stays in JS.
    pub user_fields: [String; 3],
    pub action: JsValue,
    pub continue_: JsValue,
}

impl Names {
    pub fn new(config: &Config) -> Self {
        let (phone, switch) = (
            config.phone_number_field.as_str(),
            config.two_factor_field.as_str(),
        );
        Self {
            context: super::json_api::CONTEXT_FIELDS.map(JsValue::from_str),
            phone_number: JsValue::from_str(phone),
            transaction_id: JsValue::from_str(TRANSACTION_ID),
            transaction_code: JsValue::from_str(TRANSACTION_CODE),
            login: JsValue::from_str(LOGIN),
            user: JsValue::from_str("user"),
            two_factor: JsValue::from_str(switch),
            user_fields: [OBJECT_ID, phone, switch].map(String::from),
            action: JsValue::from_str("action"),
            continue_: JsValue::from_str("continue"),
        }
    }
}
