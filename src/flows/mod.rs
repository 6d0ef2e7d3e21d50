//! The plugin's flows, one module each; `operations` lists them all.

pub(crate) mod app_verification;
pub(crate) mod login;
pub(crate) mod message_status;
pub(crate) mod messaging;
pub(crate) mod registration;
pub(crate) mod status_callback;
