//! Twilio phone verification for Backend-as-a-Service marketplaces, as a WebAssembly plugin.
//!
//! The plugin holds no state and does no I/O of its own: the host hands it HTTP, storage, a clock
//! and logging through the [`host::Host`] trait. Every flow is generic over that trait and tested
//! natively; [`glue`] is the only module that knows about JavaScript.

pub mod app_verification;
pub mod code;
pub mod code_delivery;
pub mod config;
pub mod config_test;
pub mod deferred;
pub mod encoding;
pub mod error;
pub mod glue;
pub mod hook;
pub mod host;
pub mod json_text;
pub mod login;
pub mod message_status;
pub mod messaging;
pub mod phone;
pub mod plugin;
pub mod policy;
pub mod registration;
pub mod secret;
pub mod signature;
pub mod status_callback;
pub mod twilio;
mod twilio_errors;
pub mod verification;

pub use config::Config;
pub use error::{PluginError, Result};
pub use hook::{HookContext, HookOutcome, HostResult};
pub use host::{Host, HostError, HostErrorKind, HttpRequest, HttpResponse, LogLevel};
pub use plugin::Plugin;
