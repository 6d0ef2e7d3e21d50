//! The wasm-bindgen adapter, and the only module that knows about JavaScript values: it converts
//! arguments, runs the flows against the JS host object, and turns every error into a JS `Error`
//! with `code`, `status`, `message` and `details`.

mod convert;
mod dispatch;
mod js_host;
pub mod json_api;
mod names;
mod task;
mod typescript;

use std::rc::Rc;

use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::config::Config;
use crate::error::PluginError;
use crate::plugin::Plugin;
use convert::{error_to_js, from_js, to_js};
use dispatch::dispatch;
use js_host::JsHost;
use json_api::Operation;

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
        let names = names::Names::new(&config);
        let host = JsHost::new(host, names).map_err(|e| error_to_js(&e))?;
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
        let ok = problems.is_empty();
        let mut details = PluginError::ConfigInvalid(problems).details();
        let problems = details.get_mut("problems").map(Value::take);
        to_js(&crate::object! { "ok": ok, "problems": problems })
    }

    /// Registration, step 1 (phone number alone: texts a code and responds) or step 2 (with
    /// `transactionId` and `transactionCode`: checks the code and continues with the user).
    #[wasm_bindgen(js_name = beforeRegister, unchecked_return_type = "Promise<HookOutcome>")]
    pub fn before_register(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] user: JsValue,
    ) -> Promise {
        dispatch(
            &self.inner,
            Operation::BeforeRegister,
            ctx,
            user,
            JsValue::NULL,
        )
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
        dispatch(&self.inner, Operation::AfterRegister, ctx, user, result)
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
        dispatch(
            &self.inner,
            Operation::BeforeLogin,
            ctx,
            login,
            JsValue::NULL,
        )
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
        dispatch(&self.inner, Operation::AfterLogin, ctx, login, result)
    }

    /// Sends an SMS: `{to, body, statusCallback?}` -> `{sid, status, to, from, numSegments, numMedia}`.
    #[wasm_bindgen(js_name = sendSms, unchecked_return_type = "Promise<SentMessage>")]
    pub fn send_sms(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SendSmsRequest")] request: JsValue,
    ) -> Promise {
        dispatch(&self.inner, Operation::SendSms, ctx, request, JsValue::NULL)
    }

    /// Sends an MMS: `{to, body?, mediaUrls, statusCallback?}` (1 to 10 https media URLs).
    #[wasm_bindgen(js_name = sendMms, unchecked_return_type = "Promise<SentMessage>")]
    pub fn send_mms(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SendMmsRequest")] request: JsValue,
    ) -> Promise {
        dispatch(&self.inner, Operation::SendMms, ctx, request, JsValue::NULL)
    }

    /// Sends a code for the app's own purpose: `{phoneNumber, purpose?, channel?}`.
    #[wasm_bindgen(js_name = startVerification, unchecked_return_type = "Promise<StartedVerification>")]
    pub fn start_verification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "StartVerificationRequest")] request: JsValue,
    ) -> Promise {
        dispatch(
            &self.inner,
            Operation::StartVerification,
            ctx,
            request,
            JsValue::NULL,
        )
    }

    /// Checks a code from `startVerification`: `{transactionId, transactionCode, phoneNumber,
    /// purpose?}` -> `{verified, phoneNumber, purpose}`.
    #[wasm_bindgen(js_name = checkVerification, unchecked_return_type = "Promise<CheckedVerification>")]
    pub fn check_verification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CheckVerificationRequest")] request: JsValue,
    ) -> Promise {
        dispatch(
            &self.inner,
            Operation::CheckVerification,
            ctx,
            request,
            JsValue::NULL,
        )
    }

    /// The last delivery status of a message sent through the plugin: `{sid}`.
    #[wasm_bindgen(js_name = getMessageStatus, unchecked_return_type = "Promise<MessageStatus>")]
    pub fn get_message_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MessageStatusRequest")] request: JsValue,
    ) -> Promise {
        dispatch(
            &self.inner,
            Operation::GetMessageStatus,
            ctx,
            request,
            JsValue::NULL,
        )
    }

    /// Twilio's status webhook: `{url, headers, body}` as received. Rejects with
    /// `SIGNATURE_INVALID` (403) unless Twilio signed it.
    #[wasm_bindgen(js_name = handleStatusCallback, unchecked_return_type = "Promise<CallbackReceipt>")]
    pub fn handle_status_callback(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HookContext")] ctx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CallbackRequest")] request: JsValue,
    ) -> Promise {
        dispatch(
            &self.inner,
            Operation::HandleStatusCallback,
            ctx,
            request,
            JsValue::NULL,
        )
    }

    /// TEST CONFIGURATION: live checks against Twilio, each reported separately.
    #[wasm_bindgen(js_name = testConfiguration, unchecked_return_type = "Promise<ConfigurationReport>")]
    pub fn test_configuration(&self) -> Promise {
        let none = || JsValue::NULL;
        dispatch(
            &self.inner,
            Operation::TestConfiguration,
            none(),
            none(),
            none(),
        )
    }
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
