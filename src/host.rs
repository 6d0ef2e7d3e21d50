//! What the plugin needs from the runtime that hosts it. The plugin holds no state and does no
//! I/O of its own; every flow is generic over this trait, so it runs the same against the
//! wasm-bindgen host object in production and against an in-memory host in native tests.
//!
//! The four storage operations are all a flow may assume. They map onto Redis (`SET EX`,
//! `GETDEL`, `INCR`+`EXPIRE`) and SQL (`DELETE ... RETURNING`, upsert) alike, so a host can
//! scale out on a shared store.

use serde_json::{Map, Value};

/// Why a host call failed (the WIT `host-error-kind`). For HTTP it says whether the request may
/// have reached the server, which decides whether a texted code may still arrive, and whether
/// the fix is to try again or to change the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostErrorKind {
    /// The connection never opened (DNS, refused, unreachable): nothing was sent.
    Connect,
    /// The connection broke after the request was written: the server may have acted on it.
    Reset,
    /// No complete answer in time: the server may have acted on it.
    Timeout,
    /// The host refused the call by its own policy (the HTTP origin allowlist): nothing was
    /// sent, and only a change of configuration helps.
    Refused,
    /// The host's storage or user lookup failed.
    Storage,
    /// The host answered something the contract does not allow (a host that broke it).
    BadReply,
}

impl HostErrorKind {
    /// Its WIT (and JS `kind`) name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Reset => "reset",
            Self::Timeout => "timeout",
            Self::Refused => "refused",
            Self::Storage => "storage",
            Self::BadReply => "bad-reply",
        }
    }

    /// The kind a host names, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Connect,
            Self::Reset,
            Self::Timeout,
            Self::Refused,
            Self::Storage,
            Self::BadReply,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }

    /// The request may have been received: no kind but these two says it was not.
    pub fn maybe_received(self) -> bool {
        !matches!(self, Self::Connect | Self::Refused)
    }
}

/// A host call failed: its kind, and the host's own words, which may reach the developer in logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    pub kind: HostErrorKind,
    pub message: String,
}

impl HostError {
    pub fn new(kind: HostErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The host broke the contract: an answer of the wrong shape, a missing function.
    pub fn bad_reply(message: impl Into<String>) -> Self {
        Self::new(HostErrorKind::BadReply, message)
    }
}

/// An outbound HTTP request. The host enforces the manifest's origin allowlist and the timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub timeout_ms: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// The host's capabilities. Futures need not be `Send`: a wasm instance is single-threaded.
#[allow(async_fn_in_trait)]
pub trait Host {
    /// Rejects (`Err`) on a network error or timeout, with the kind that says whether the request
    /// may have been received; any HTTP status is an `Ok` response.
    async fn http(&self, request: HttpRequest) -> Result<HttpResponse, HostError>;
    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError>;
    async fn storage_put(&self, key: &str, value: &str, ttl_seconds: u32) -> Result<(), HostError>;
    /// Atomically reads and deletes: of two concurrent takes of one key, one gets the value.
    async fn storage_take(&self, key: &str) -> Result<Option<String>, HostError>;
    /// Atomically adds one and returns the new count; the TTL is set when the key is created.
    async fn storage_incr(&self, key: &str, ttl_seconds: u32) -> Result<i64, HostError>;
    /// The app's user whose `field` equals `value`, as the BaaS stores it.
    async fn find_user(
        &self,
        field: &str,
        value: &str,
    ) -> Result<Option<Map<String, Value>>, HostError>;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// A structured log line. Callers never pass secrets, codes or full phone numbers.
    fn log(&self, level: LogLevel, message: &str, fields: Value);
}
