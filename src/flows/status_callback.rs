//! Twilio's delivery-status webhook. Only a request signed with the account's Auth Token is
//! believed; anything unsigned or tampered with is refused with 403, and a valid update is
//! recorded by message SID so that `getMessageStatus` reports it.

use crate::api::{CallbackReceipt, CallbackRequest};
use crate::error::{PluginError, Result};
use crate::flows::message_status::apply_callback;
use crate::hook::HookContext;
use crate::host::{Host, LogLevel};
use crate::plugin::Plugin;
use crate::text;
use crate::twilio::signature::{parse_form, validate, validate_json, Params};

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl<H: Host> Plugin<H> {
    pub(crate) async fn status_callback(
        &self,
        _ctx: &HookContext,
        request: &CallbackRequest,
    ) -> Result<CallbackReceipt> {
        let (url, body) = (request.url.as_str(), request.body.as_str());
        let signature = request.header("x-twilio-signature").unwrap_or("");
        let token = self.config.auth_token.expose();
        let is_json = request
            .header("content-type")
            .is_some_and(|t| text::contains(t, "json"));
        let params = if is_json {
            Vec::new()
        } else {
            parse_form(body)
        };
        let signed = !signature.is_empty()
            && if is_json {
                validate_json(token, signature, url, body)
            } else {
                validate(token, signature, url, &params)
            };
        // A valid signature from another account's token cannot happen; a mismatched AccountSid
        // means a callback meant for someone else.
        if !signed || param(&params, "AccountSid").is_some_and(|a| a != self.config.account_sid) {
            self.host.log(
                LogLevel::Warn,
                "refused a status callback without a valid Twilio signature",
                crate::object! {},
            );
            return Err(PluginError::SignatureInvalid);
        }
        let sid = param(&params, "MessageSid").unwrap_or("");
        let status = param(&params, "MessageStatus")
            .or_else(|| param(&params, "SmsStatus"))
            .unwrap_or("");
        let error_code = param(&params, "ErrorCode").and_then(|c| c.parse::<i64>().ok());
        let recorded = if sid.is_empty() || status.is_empty() {
            None
        } else {
            apply_callback(&self.host, sid, status, error_code).await?
        };
        Ok(CallbackReceipt {
            sid: sid.to_string(),
            status: recorded,
        })
    }
}
