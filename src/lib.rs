//! Twilio phone verification for Backend-as-a-Service marketplaces, as a WebAssembly plugin.
//!
//! The plugin holds no state and does no I/O of its own: the host hands it HTTP, storage, a clock
//! and logging through the [`host::Host`] trait. Every flow is generic over that trait and tested
//! natively; [`glue`] is the only module that knows about JavaScript.

pub mod api;
mod config;
mod encoding;
mod error;
mod flows;
pub mod glue;
mod hook;
mod host;
mod json_text;
mod operations;
mod phone;
mod plugin;
mod secret;
mod text;
mod twilio;
mod user_api;
mod verification;

pub use config::Config;
pub use error::{PluginError, Result};
pub use hook::{HookContext, HookOutcome, HostResult};
pub use host::{Host, HostError, HostErrorKind, HttpRequest, HttpResponse, LogLevel};
pub use plugin::Plugin;
/// The signature Twilio sends with a webhook (`X-Twilio-Signature`), for hosts and tests that
/// play Twilio's part.
pub use twilio::signature::compute as twilio_signature;
