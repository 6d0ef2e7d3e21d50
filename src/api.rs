//! The typed inputs and answers of the plugin's services, whatever the build: each adapter in
//! `glue` maps its own shapes (JS objects, WIT records) onto these, and the flows never see
//! either. The text fields are as the caller sent them; the flows decide what is valid.

/// `sendSms` and `sendMms`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendRequest {
    pub to: String,
    pub body: Option<String>,
    /// MMS only.
    pub media_urls: Vec<String>,
    pub status_callback: Option<String>,
}

/// A message Twilio accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageSent {
    pub sid: String,
    pub status: String,
    pub to: String,
    pub from: Option<String>,
    pub num_segments: Option<u32>,
    pub num_media: Option<u32>,
}

/// The last delivery status known for a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageStatus {
    pub sid: String,
    pub status: String,
    pub error_code: Option<i64>,
    pub to: String,
    /// Milliseconds since the epoch.
    pub updated_at: i64,
}

/// A webhook call from Twilio, as the host received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackRequest {
    /// The full URL Twilio called, as the public sees it (scheme and host included).
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: String,
}

impl CallbackRequest {
    /// A header's value, whatever case the host's HTTP layer gave its name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackReceipt {
    pub sid: String,
    /// The status now recorded, if the message is one the plugin sent.
    pub status: Option<String>,
}

/// `startVerification`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartVerification {
    pub phone_number: String,
    pub purpose: Option<String>,
}

/// A code on its way: what every flow that sends one answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeAnswer {
    pub transaction_id: String,
    pub expires_in_seconds: u32,
    pub resend_after_seconds: u32,
    /// Set when Twilio did not confirm the SMS in time: the code may still arrive.
    pub uncertain: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartedVerification {
    pub sent: CodeAnswer,
    pub phone_number: String,
    pub code_length: u32,
}

/// `checkVerification`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckVerification {
    pub transaction_id: String,
    pub transaction_code: String,
    pub phone_number: String,
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedVerification {
    pub phone_number: String,
    pub purpose: String,
}

/// TEST CONFIGURATION's checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckName {
    Fields,
    Credentials,
    Sender,
    Sending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Passed,
    Warning,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigurationCheck {
    pub name: CheckName,
    pub status: CheckStatus,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigurationReport {
    pub checks: Vec<ConfigurationCheck>,
}

impl ConfigurationReport {
    /// False when any check failed.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.status != CheckStatus::Failed)
    }
}
