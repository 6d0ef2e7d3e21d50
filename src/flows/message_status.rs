//! Delivery status of messages sent through the plugin, kept by message SID: written when Twilio
//! accepts a message and updated by Twilio's signed status callbacks.

use serde_json::Value;

use crate::api::{MessageSent, MessageStatus};
use crate::error::Result;
use crate::host::{Host, LogLevel};
use crate::verification::storage_error;

/// Statuses are kept for a week: long after the last callback Twilio sends.
const KEEP_SECONDS: u32 = 7 * 24 * 3600;

fn key(sid: &str) -> String {
    format!("message/{sid}")
}

/// Callbacks can arrive out of order; a status never moves back to an earlier stage.
fn stage(status: &str) -> u8 {
    match status {
        "accepted" | "scheduled" | "queued" => 1,
        "sending" => 2,
        "sent" => 3,
        "delivered" | "undelivered" | "failed" | "read" | "canceled" | "partially_delivered" => 4,
        _ => 0,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusRecord {
    pub status: String,
    pub error_code: Option<i64>,
    pub to: String,
    pub sender: String,
    pub updated_at_ms: i64,
}

impl StatusRecord {
    fn to_json(&self) -> String {
        crate::json_text::to_text(
            &crate::object! {"status": self.status.as_str(), "errorCode": self.error_code,
            "to": self.to.as_str(), "sender": self.sender.as_str(),
            "updatedAtMs": self.updated_at_ms},
        )
    }

    fn from_json(text: &str) -> Option<Self> {
        let v = crate::json_text::parse(text)?;
        Some(Self {
            status: v.get("status")?.as_str()?.to_string(),
            error_code: v.get("errorCode").and_then(Value::as_i64),
            to: v.get("to")?.as_str()?.to_string(),
            sender: v.get("sender")?.as_str()?.to_string(),
            updated_at_ms: v.get("updatedAtMs")?.as_i64()?,
        })
    }

    pub async fn load<H: Host>(host: &H, sid: &str) -> Result<Option<Self>> {
        let stored = host.storage_get(&key(sid)).await.map_err(storage_error)?;
        Ok(stored.and_then(|s| Self::from_json(&s)))
    }

    async fn save<H: Host>(&self, host: &H, sid: &str) -> Result<()> {
        host.storage_put(&key(sid), &self.to_json(), KEEP_SECONDS)
            .await
            .map_err(storage_error)
    }

    pub fn to_reply(&self, sid: &str) -> MessageStatus {
        MessageStatus {
            sid: sid.to_string(),
            status: self.status.clone(),
            error_code: self.error_code,
            to: self.to.clone(),
            updated_at: self.updated_at_ms,
        }
    }
}

/// Records a message Twilio accepted. A storage failure is logged, not returned: the message is
/// already on its way and the caller must learn its SID.
pub async fn record_sent<H: Host>(host: &H, sent: &MessageSent, sender: &str) {
    let record = StatusRecord {
        status: sent.status.clone(),
        error_code: None,
        to: sent.to.clone(),
        sender: sender.to_string(),
        updated_at_ms: host.now_ms(),
    };
    if let Err(e) = record.save(host, &sent.sid).await {
        host.log(
            LogLevel::Warn,
            "could not record a sent message",
            crate::object! {"sid": sent.sid.as_str(), "error": e.code()},
        );
    }
}

/// Applies a status from a callback; an unknown SID (a message not sent through the plugin) is
/// ignored. Returns the status now recorded.
pub async fn apply_callback<H: Host>(
    host: &H,
    sid: &str,
    status: &str,
    error_code: Option<i64>,
) -> Result<Option<String>> {
    let Some(mut record) = StatusRecord::load(host, sid).await? else {
        return Ok(None);
    };
    if stage(status) >= stage(&record.status) {
        record.status = status.to_string();
        record.error_code = error_code.or(record.error_code);
        record.updated_at_ms = host.now_ms();
        record.save(host, sid).await?;
    }
    Ok(Some(record.status))
}
