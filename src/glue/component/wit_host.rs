//! The component's imports behind the [`Host`] trait. Each call returns before the flow goes on
//! (the component model here is synchronous), so every future this host gives is ready at once.

use serde_json::{Map, Value};

use super::bindings::twilio_baas::plugin::host as wit;
use crate::host::{Host, HostError, HostErrorKind, HttpRequest, HttpResponse, LogLevel};
use crate::json_text;

/// A reply body larger than this is not a Twilio reply we need to read.
const MAX_BODY_BYTES: usize = 1 << 20;

pub struct WitHost;

fn failure(error: wit::HostError) -> HostError {
    let kind = match error.kind {
        wit::HostErrorKind::Connect => HostErrorKind::Connect,
        wit::HostErrorKind::Reset => HostErrorKind::Reset,
        wit::HostErrorKind::Timeout => HostErrorKind::Timeout,
        wit::HostErrorKind::Refused => HostErrorKind::Refused,
        wit::HostErrorKind::Storage => HostErrorKind::Storage,
        wit::HostErrorKind::BadReply => HostErrorKind::BadReply,
    };
    HostError::new(kind, error.message.chars().take(200).collect::<String>())
}

impl Host for WitHost {
    async fn http(&self, request: HttpRequest) -> Result<HttpResponse, HostError> {
        let request = wit::HttpRequest {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body,
            timeout_ms: request.timeout_ms,
        };
        let reply = wit::http(&request).map_err(failure)?;
        if !(100..600).contains(&reply.status) {
            return Err(HostError::bad_reply(
                "http answered a status outside 100-599",
            ));
        }
        let body = if reply.body.len() > MAX_BODY_BYTES {
            String::new()
        } else {
            reply.body
        };
        Ok(HttpResponse {
            status: reply.status,
            body,
        })
    }

    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        wit::storage_get(key).map_err(failure)
    }

    async fn storage_put(&self, key: &str, value: &str, ttl_seconds: u32) -> Result<(), HostError> {
        wit::storage_put(key, value, ttl_seconds).map_err(failure)
    }

    async fn storage_take(&self, key: &str) -> Result<Option<String>, HostError> {
        wit::storage_take(key).map_err(failure)
    }

    async fn storage_incr(&self, key: &str, ttl_seconds: u32) -> Result<i64, HostError> {
        wit::storage_incr(key, ttl_seconds).map_err(failure)
    }

    async fn find_user(
        &self,
        field: &str,
        value: &str,
    ) -> Result<Option<Map<String, Value>>, HostError> {
        match wit::find_user(field, value).map_err(failure)? {
            None => Ok(None),
            Some(text) => match json_text::parse(&text) {
                Some(Value::Object(user)) => Ok(Some(user)),
                _ => Err(HostError::bad_reply(
                    "find-user must answer the JSON text of a user object",
                )),
            },
        }
    }

    fn now_ms(&self) -> i64 {
        wit::now()
    }

    fn log(&self, level: LogLevel, message: &str, fields: Value) {
        let level = match level {
            LogLevel::Debug => wit::LogLevel::Debug,
            LogLevel::Info => wit::LogLevel::Info,
            LogLevel::Warn => wit::LogLevel::Warn,
            LogLevel::Error => wit::LogLevel::Error,
        };
        wit::log(level, message, &json_text::to_text(&fields));
    }
}
