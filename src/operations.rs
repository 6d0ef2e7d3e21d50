//! Every operation of the plugin, in one place: the hooks the BaaS calls around its own
//! register and login, the services it exposes, the webhook, and TEST CONFIGURATION. Each is
//! one line into the flow that does it; both adapters in `glue` call these and nothing else
//! (plus `Plugin::new`, `Config::from_json` for `create`/`validateConfig`, and
//! `run_deferred`, for the work phone login leaves for after its answer).

use serde_json::{Map, Value};

use crate::api::{
    CallbackReceipt, CallbackRequest, CheckVerification, CheckedVerification, ConfigurationReport,
    MessageSent, MessageStatus, SendRequest, StartVerification, StartedVerification,
};
use crate::error::Result;
use crate::hook::{HookContext, HookOutcome, HostResult};
use crate::host::Host;
use crate::plugin::Plugin;

impl<H: Host> Plugin<H> {
    /// Before the BaaS registers a user: step 1 (a phone number alone) texts a code and
    /// answers; step 2 checks it and lets the registration go on with the number confirmed.
    /// `user` is the register request's fields, whatever the app's columns.
    pub async fn before_register(
        &self,
        ctx: &HookContext,
        user: Map<String, Value>,
    ) -> Result<HookOutcome> {
        self.register_step(ctx, user).await
    }

    /// After the BaaS's registration, succeeded or failed (a failure keeps the code valid).
    pub async fn after_register(
        &self,
        ctx: &HookContext,
        user: &Map<String, Value>,
        result: &HostResult,
    ) -> Result<HookOutcome> {
        self.settle_registration(ctx, user, result).await
    }

    /// Before the BaaS's login: phone login's two steps, and two-factor's second.
    pub async fn before_login(
        &self,
        ctx: &HookContext,
        login: Map<String, Value>,
    ) -> Result<HookOutcome> {
        self.login_step(ctx, login).await
    }

    /// After the BaaS checked a password: two-factor's first step, when the user has it.
    pub async fn after_login(
        &self,
        ctx: &HookContext,
        login: &Map<String, Value>,
        result: &HostResult,
    ) -> Result<HookOutcome> {
        self.settle_login(ctx, login, result).await
    }

    pub async fn send_sms(&self, ctx: &HookContext, request: &SendRequest) -> Result<MessageSent> {
        self.send(ctx, request, false).await
    }

    pub async fn send_mms(&self, ctx: &HookContext, request: &SendRequest) -> Result<MessageSent> {
        self.send(ctx, request, true).await
    }

    /// A code for the app's own flow (say, confirming a changed number).
    pub async fn start_verification(
        &self,
        ctx: &HookContext,
        request: &StartVerification,
    ) -> Result<StartedVerification> {
        self.start_app_verification(ctx, request).await
    }

    pub async fn check_verification(
        &self,
        ctx: &HookContext,
        request: &CheckVerification,
    ) -> Result<CheckedVerification> {
        self.check_app_verification(ctx, request).await
    }

    /// The last delivery status of a message the caller sent.
    pub async fn get_message_status(&self, ctx: &HookContext, sid: &str) -> Result<MessageStatus> {
        self.message_status(ctx, sid).await
    }

    /// Twilio's signed delivery-status webhook.
    pub async fn handle_status_callback(
        &self,
        ctx: &HookContext,
        request: &CallbackRequest,
    ) -> Result<CallbackReceipt> {
        self.status_callback(ctx, request).await
    }

    /// TEST CONFIGURATION: the configuration checked live against Twilio.
    pub async fn test_configuration(&self) -> ConfigurationReport {
        self.live_check().await
    }
}
