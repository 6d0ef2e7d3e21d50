//! Twilio's delivery-status webhook. Only a request signed with the account's Auth Token is
//! believed; anything unsigned or tampered with is refused with 403, and a valid update is
//! recorded by message SID so that `getMessageStatus` reports it.

use serde_json::{Map, Value};

use crate::error::{PluginError, Result};
use crate::flows::message_status::apply_callback;
use crate::flows::messaging::request_map;
use crate::hook::HookContext;
use crate::host::{Host, LogLevel};
use crate::plugin::Plugin;
use crate::twilio::signature::{parse_form, validate, validate_json, Params};

/// The signature header, whatever case the host's HTTP layer gave it.
fn header<'a>(headers: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a str> {
    headers?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl<H: Host> Plugin<H> {
    /// `request` is `{url, headers, body}`: the full URL Twilio called (as the public sees it,
    /// scheme and host included), the request headers, and the raw body.
    pub async fn handle_status_callback(
        &self,
        _ctx: &HookContext,
        request: &Value,
    ) -> Result<Value> {
        let request = request_map(request)?;
        let text = |k: &str| request.get(k).and_then(Value::as_str).unwrap_or("");
        let (url, body) = (text("url"), text("body"));
        let headers = request.get("headers").and_then(Value::as_object);
        let signature = header(headers, "x-twilio-signature").unwrap_or("");
        let token = self.config.auth_token.expose();
        let is_json = header(headers, "content-type").is_some_and(|t| t.contains("json"));
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
        Ok(crate::object! { "received": true, "sid": sid, "status": recorded })
    }
}
