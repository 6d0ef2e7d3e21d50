//! The records a hook receives and answers with, whatever the build.

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
    /// The user's languages: a tag (`pt-BR`) or the request's `Accept-Language`. Chooses the
    /// text of a code SMS.
    pub locale: Option<String>,
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

/// What the host's own logic did, as an after-hook receives it.
#[derive(Debug, Clone, PartialEq)]
pub enum HostResult {
    Succeeded { user: Map<String, Value> },
    Failed { code: String, message: String },
}
