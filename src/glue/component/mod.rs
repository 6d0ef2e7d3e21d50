//! The component adapter: the plugin's exports as wit-bindgen generates them from `wit/`, over
//! the same flows as the wasm-bindgen build.
//!
//! The component model here is synchronous: an import returns its answer before the call goes
//! on. The flows are `async` over the [`Host`](crate::Host) trait, and every host future of this
//! build is ready at once, so each export polls its flow to the end in one go (`run`). The work
//! phone login leaves for after its answer waits in the plugin until the host calls
//! `run-deferred`.

mod convert;
mod wit_host;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::error::PluginError;
use crate::plugin::Plugin;
use bindings::exports::twilio_baas::plugin::plugin as exports;
use bindings::twilio_baas::plugin::types as wit;
use wit_host::WitHost;

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "twilio-plugin-world",
    });
    use super::Component;
    export!(Component);
}

struct Component;

impl exports::Guest for Component {
    type TwilioPlugin = ComponentPlugin;

    fn version() -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
}

/// The `twilio-plugin` resource.
struct ComponentPlugin {
    inner: Plugin<WitHost>,
}

/// Polls a flow to its end. Every host call of this build answers at once, so a flow is never
/// left waiting; if one were, that is a host that broke the contract, not a trap.
fn run<T>(flow: impl Future<Output = Result<T, PluginError>>) -> Result<T, PluginError> {
    let mut flow = pin!(flow);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(result) = flow.as_mut().poll(&mut cx) {
            return result;
        }
    }
    Err(PluginError::HostFailure(
        "answering: a host call did not return".into(),
    ))
}

impl exports::GuestTwilioPlugin for ComponentPlugin {
    fn create(config: wit::Config) -> Result<exports::TwilioPlugin, wit::PluginError> {
        let config = convert::config(config).map_err(|e| convert::error(&e))?;
        Ok(exports::TwilioPlugin::new(ComponentPlugin {
            inner: Plugin::new(config, WitHost),
        }))
    }

    fn validate_config(config: wit::Config) -> wit::ConfigValidation {
        let problems = match convert::config(config) {
            Ok(_) => Vec::new(),
            Err(PluginError::ConfigInvalid(problems)) => problems,
            Err(other) => vec![crate::error::ConfigProblem {
                field: "config".into(),
                reason: other.to_string(),
            }],
        };
        wit::ConfigValidation {
            ok: problems.is_empty(),
            problems: problems
                .into_iter()
                .map(|p| wit::ConfigProblem {
                    field: p.field,
                    reason: p.reason,
                })
                .collect(),
        }
    }

    fn before_register(
        &self,
        ctx: wit::HookContext,
        user: wit::JsonObject,
    ) -> Result<wit::HookOutcome, wit::PluginError> {
        let flow = async {
            let user = convert::object(&user, "user")?;
            self.inner
                .before_register(&convert::context(ctx), user)
                .await
        };
        run(flow)
            .map(convert::outcome)
            .map_err(|e| convert::error(&e))
    }

    fn after_register(
        &self,
        ctx: wit::HookContext,
        user: wit::JsonObject,
        result: wit::HostResult,
    ) -> Result<wit::HookOutcome, wit::PluginError> {
        let flow = async {
            let user = convert::object(&user, "user")?;
            let result = convert::host_result(result)?;
            self.inner
                .after_register(&convert::context(ctx), &user, &result)
                .await
        };
        run(flow)
            .map(convert::outcome)
            .map_err(|e| convert::error(&e))
    }

    fn before_login(
        &self,
        ctx: wit::HookContext,
        login: wit::JsonObject,
    ) -> Result<wit::HookOutcome, wit::PluginError> {
        let flow = async {
            let login = convert::object(&login, "login")?;
            self.inner.before_login(&convert::context(ctx), login).await
        };
        run(flow)
            .map(convert::outcome)
            .map_err(|e| convert::error(&e))
    }

    fn after_login(
        &self,
        ctx: wit::HookContext,
        login: wit::JsonObject,
        result: wit::HostResult,
    ) -> Result<wit::HookOutcome, wit::PluginError> {
        let flow = async {
            let login = convert::object(&login, "login")?;
            let result = convert::host_result(result)?;
            self.inner
                .after_login(&convert::context(ctx), &login, &result)
                .await
        };
        run(flow)
            .map(convert::outcome)
            .map_err(|e| convert::error(&e))
    }

    fn send_sms(
        &self,
        ctx: wit::HookContext,
        request: wit::SendSmsRequest,
    ) -> Result<wit::SentMessage, wit::PluginError> {
        let request = convert::send_sms_request(request);
        run(self.inner.send_sms(&convert::context(ctx), &request))
            .map(convert::sent_message)
            .map_err(|e| convert::error(&e))
    }

    fn send_mms(
        &self,
        ctx: wit::HookContext,
        request: wit::SendMmsRequest,
    ) -> Result<wit::SentMessage, wit::PluginError> {
        let request = convert::send_mms_request(request);
        run(self.inner.send_mms(&convert::context(ctx), &request))
            .map(convert::sent_message)
            .map_err(|e| convert::error(&e))
    }

    fn start_verification(
        &self,
        ctx: wit::HookContext,
        request: wit::StartVerificationRequest,
    ) -> Result<wit::StartedVerification, wit::PluginError> {
        let request = convert::start_verification_request(request);
        run(self
            .inner
            .start_verification(&convert::context(ctx), &request))
        .map(convert::started_verification)
        .map_err(|e| convert::error(&e))
    }

    fn check_verification(
        &self,
        ctx: wit::HookContext,
        request: wit::CheckVerificationRequest,
    ) -> Result<wit::CheckedVerification, wit::PluginError> {
        let request = convert::check_verification_request(request);
        run(self
            .inner
            .check_verification(&convert::context(ctx), &request))
        .map(convert::checked_verification)
        .map_err(|e| convert::error(&e))
    }

    fn get_message_status(
        &self,
        ctx: wit::HookContext,
        request: wit::MessageStatusRequest,
    ) -> Result<wit::MessageStatus, wit::PluginError> {
        run(self
            .inner
            .get_message_status(&convert::context(ctx), &request.sid))
        .map(convert::message_status)
        .map_err(|e| convert::error(&e))
    }

    fn handle_status_callback(
        &self,
        ctx: wit::HookContext,
        request: wit::CallbackRequest,
    ) -> Result<wit::CallbackReceipt, wit::PluginError> {
        let request = convert::callback_request(request);
        run(self
            .inner
            .handle_status_callback(&convert::context(ctx), &request))
        .map(convert::callback_receipt)
        .map_err(|e| convert::error(&e))
    }

    fn test_configuration(&self) -> wit::ConfigurationReport {
        let report = run(async { Ok(self.inner.test_configuration().await) });
        convert::configuration_report(report.unwrap_or_default())
    }

    fn run_deferred(&self) {
        let _ = run(async {
            self.inner.run_deferred().await;
            Ok(())
        });
    }
}
