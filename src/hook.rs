//! The records a hook receives and answers with, independent of JS.

use serde_json::{Map, Value};

/// What the host knows about the call, of what the plugin uses (the host may send more, such as
/// the event and the user agent). Every field is optional: the plugin must work with a host
/// that knows less, and the record has room to grow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookContext {
    /// Carried into log lines, to follow a request through the host's logs.
    pub request_id: Option<String>,
    /// The client's address, which the per-address limit counts.
    pub client_ip: Option<String>,
    pub app_name: Option<String>,
    /// The authenticated caller of a service (the host's session user), if any.
    pub user_id: Option<String>,
}

/// How a hook tells the host to go on.
#[derive(Debug, Clone, PartialEq)]
pub enum HookOutcome {
    /// Run the host's default logic, with these arguments when given (else unchanged).
    Continue { args: Option<Map<String, Value>> },
    /// Answer the client with `body` and stop.
    Respond { status: u16, body: Value },
    /// Login hooks only: issue a session for this user without a password check.
    Authenticate { user_id: String },
}

impl HookOutcome {
    /// The JS shape: `{action: "continue", args}`, `{action: "respond", status, body}`,
    /// `{action: "authenticate", userId}`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        match self {
            Self::Continue { args } => {
                m.insert("action".into(), "continue".into());
                if let Some(args) = args {
                    m.insert("args".into(), Value::Object(args.clone()));
                }
            }
            Self::Respond { status, body } => {
                m.insert("action".into(), "respond".into());
                m.insert("status".into(), (*status).into());
                m.insert("body".into(), body.clone());
            }
            Self::Authenticate { user_id } => {
                m.insert("action".into(), "authenticate".into());
                m.insert("userId".into(), user_id.clone().into());
            }
        }
        Value::Object(m)
    }
}

/// What the host's own logic did, as an after-hook receives it.
#[derive(Debug, Clone, PartialEq)]
pub enum HostResult {
    Succeeded { user: Map<String, Value> },
    Failed { code: String, message: String },
}

impl HostResult {
    /// Reads `{user}` or `{error: {code, message}}`; anything else counts as a failure, so a
    /// confused host never makes the plugin treat a registration as done.
    pub fn from_json(value: &Value) -> Self {
        if let Some(user) = value.get("user").and_then(Value::as_object) {
            return Self::Succeeded { user: user.clone() };
        }
        let error = value.get("error");
        let text = |key: &str| {
            error
                .and_then(|e| e.get(key))
                .map(|v| match v {
                    Value::String(s) => s.chars().take(200).collect(),
                    other => crate::json_text::to_text(other),
                })
                .unwrap_or_default()
        };
        Self::Failed {
            code: text("code"),
            message: text("message"),
        }
    }
}
