//! The JS build's shapes: each operation's arguments as JSON values (`convert` brings them over
//! from JS, bounded) read into the typed records of `api`, and the answers written back in the
//! shapes the TypeScript declarations promise. Plain Rust, so native tests drive exactly the
//! reading and writing the module does.

use serde_json::{Map, Value};

use crate::api::{
    self, CallbackRequest, CheckName, CheckStatus, ConfigurationReport, MessageSent, MessageStatus,
    SendRequest,
};
use crate::error::PluginError;
use crate::hook::{HookContext, HookOutcome, HostResult};
use crate::host::Host;
use crate::json_text::to_text;
use crate::plugin::Plugin;
use crate::user_api::{invalid, text_field};

/// The plugin's asynchronous operations, as exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    BeforeRegister,
    AfterRegister,
    BeforeLogin,
    AfterLogin,
    SendSms,
    SendMms,
    StartVerification,
    CheckVerification,
    GetMessageStatus,
    HandleStatusCallback,
    TestConfiguration,
}

impl Operation {
    /// What errors call the first argument.
    pub fn first_argument(self) -> &'static str {
        match self {
            Self::BeforeRegister | Self::AfterRegister => "user",
            Self::BeforeLogin | Self::AfterLogin => "login",
            _ => "request",
        }
    }
}

/// Runs `operation` with its arguments (`first` and `second` as the export takes them; `Null`
/// where it takes fewer) and answers its JSON.
pub async fn run<H: Host>(
    plugin: &Plugin<H>,
    operation: Operation,
    ctx: &HookContext,
    first: &Value,
    second: &Value,
) -> Result<Value, PluginError> {
    use Operation::*;
    // The services check their caller first: a signed-out caller learns that, whatever it sent.
    // Their fields are then read in the WIT records' order, as the component's host does.
    if matches!(
        operation,
        SendSms | SendMms | StartVerification | CheckVerification | GetMessageStatus
    ) {
        plugin.caller(ctx)?;
    }
    Ok(match operation {
        BeforeRegister | AfterRegister | BeforeLogin | AfterLogin => {
            let (name, what) = match operation {
                BeforeRegister | AfterRegister => ("user", "an object of the user's properties"),
                _ => ("login", "an object with the login fields"),
            };
            let Value::Object(args) = first else {
                return Err(invalid(name, what));
            };
            let args = args.clone();
            outcome(&match operation {
                BeforeRegister => plugin.before_register(ctx, args).await,
                AfterRegister => {
                    plugin
                        .after_register(ctx, &args, &host_result(second))
                        .await
                }
                BeforeLogin => plugin.before_login(ctx, args).await,
                _ => plugin.after_login(ctx, &args, &host_result(second)).await,
            }?)
        }
        SendSms => sent(plugin.send_sms(ctx, &send_request(first)?).await?),
        SendMms => sent(plugin.send_mms(ctx, &send_request(first)?).await?),
        StartVerification => {
            let request = request(first)?;
            let start = api::StartVerification {
                phone_number: text(request, "phoneNumber")?,
                purpose: text_field(request, "purpose")?,
                channel: text_field(request, "channel")?,
            };
            let started = plugin.start_verification(ctx, &start).await?;
            crate::user_api::code_sent_to(&started.sent, &started.phone_number, started.code_length)
        }
        CheckVerification => {
            let request = request(first)?;
            let (phone_number, purpose) = (
                text(request, "phoneNumber")?,
                text_field(request, "purpose")?,
            );
            let check = api::CheckVerification {
                transaction_id: text(request, "transactionId")?,
                transaction_code: text(request, "transactionCode")?,
                phone_number,
                purpose,
            };
            let checked = plugin.check_verification(ctx, &check).await?;
            crate::object! { "verified": true, "phoneNumber": checked.phone_number, "purpose": checked.purpose }
        }
        GetMessageStatus => {
            let sid = text(request(first)?, "sid")?;
            status(plugin.get_message_status(ctx, &sid).await?)
        }
        HandleStatusCallback => {
            let receipt = plugin
                .handle_status_callback(ctx, &callback_request(request(first)?))
                .await?;
            crate::object! { "received": true, "sid": receipt.sid, "status": receipt.status }
        }
        TestConfiguration => report(&plugin.test_configuration().await),
    })
}

/// At most this many characters of each context field are kept (an address, an id, a name).
pub const MAX_CONTEXT_CHARS: usize = 256;

/// The context's members, in the order `context` reads them.
pub const CONTEXT_FIELDS: [&str; 5] = ["requestId", "clientIp", "appName", "userId", "locale"];

/// The context from its text fields (`field` answers one member, or None when it is missing or
/// not text). Only the members the plugin uses are asked for: the rest never cross over.
pub fn context(field: impl Fn(&str) -> Option<String>) -> HookContext {
    // Kept as it is when short enough (the common case: no copy char by char).
    let text = |k: &str| {
        field(k).map(|s| match s.char_indices().nth(MAX_CONTEXT_CHARS) {
            Some((end, _)) => s.get(..end).unwrap_or_default().to_string(),
            None => s,
        })
    };
    HookContext {
        request_id: text("requestId"),
        client_ip: text("clientIp"),
        app_name: text("appName"),
        user_id: text("userId"),
        locale: text("locale"),
    }
}

/// A `{...}` request, or an error naming what was expected.
fn request(value: &Value) -> Result<&Map<String, Value>, PluginError> {
    value
        .as_object()
        .ok_or_else(|| invalid("request", "an object of named fields"))
}

/// A text field, empty when not given (the flow says what it needs).
fn text(request: &Map<String, Value>, field: &str) -> Result<String, PluginError> {
    Ok(text_field(request, field)?.unwrap_or_default())
}

fn send_request(value: &Value) -> Result<SendRequest, PluginError> {
    let request = request(value)?;
    let to = text(request, "to")?;
    // The body as written (its spaces are the sender's), refused only when it is not text.
    let body = match request.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("body", "text")),
    };
    // Anything but a list of texts is refused by the flow, naming the entry.
    let media_urls = match request.get("mediaUrls") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => Vec::new(),
    };
    Ok(SendRequest {
        to,
        body,
        media_urls,
        status_callback: text_field(request, "statusCallback")?,
    })
}

/// `{url, headers, body}`: the headers an object of names to values.
fn callback_request(request: &Map<String, Value>) -> CallbackRequest {
    let text = |k: &str| {
        request
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let headers = request
        .get("headers")
        .and_then(Value::as_object)
        .map(|headers| {
            headers
                .iter()
                // A value that is not text stays, as no signature at all: see `header`.
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    CallbackRequest {
        url: text("url"),
        headers,
        body: text("body"),
    }
}

fn sent(sent: MessageSent) -> Value {
    crate::object! {
        "sid": sent.sid,
        "status": sent.status,
        "to": sent.to,
        "from": sent.from,
        "numSegments": sent.num_segments,
        "numMedia": sent.num_media,
    }
}

fn status(status: MessageStatus) -> Value {
    crate::object! {
        "sid": status.sid,
        "status": status.status,
        "errorCode": status.error_code,
        "to": status.to,
        "updatedAt": status.updated_at,
    }
}

fn report(report: &ConfigurationReport) -> Value {
    let checks = report
        .checks
        .iter()
        .map(|check| {
            let name = match check.name {
                CheckName::Fields => "fields",
                CheckName::Credentials => "credentials",
                CheckName::Sender => "sender",
                CheckName::Sending => "sending",
            };
            let status = match check.status {
                CheckStatus::Passed => "passed",
                CheckStatus::Warning => "warning",
                CheckStatus::Failed => "failed",
                CheckStatus::Skipped => "skipped",
            };
            crate::object! { "name": name, "status": status, "message": check.message.as_str() }
        })
        .collect::<Vec<_>>();
    crate::object! { "ok": report.ok(), "checks": checks }
}

/// `{action: "continue", args}`, `{action: "respond", status, body}`,
/// `{action: "authenticate", userId}`.
fn outcome(outcome: &HookOutcome) -> Value {
    let mut m = Map::new();
    match outcome {
        HookOutcome::Continue { args } => {
            m.insert("action".into(), "continue".into());
            if let Some(args) = args {
                m.insert("args".into(), Value::Object(args.clone()));
            }
        }
        HookOutcome::Respond { status, body } => {
            m.insert("action".into(), "respond".into());
            m.insert("status".into(), (*status).into());
            m.insert("body".into(), body.clone());
        }
        HookOutcome::Authenticate { user_id } => {
            m.insert("action".into(), "authenticate".into());
            m.insert("userId".into(), user_id.clone().into());
        }
    }
    Value::Object(m)
}

/// Reads `{user}` or `{error: {code, message}}`; anything else counts as a failure, so a
/// confused host never makes the plugin treat a registration as done.
fn host_result(value: &Value) -> HostResult {
    if let Some(user) = value.get("user").and_then(Value::as_object) {
        return HostResult::Succeeded { user: user.clone() };
    }
    let error = value.get("error");
    let text = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .map(|v| match v {
                Value::String(s) => s.chars().take(200).collect(),
                other => to_text(other),
            })
            .unwrap_or_default()
    };
    HostResult::Failed {
        code: text("code"),
        message: text("message"),
    }
}
