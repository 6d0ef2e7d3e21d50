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
    /// A header's value, whatever case the host's HTTP layer gave its name. A header given
    /// twice with different values is no header: which one counts would depend on the host's
    /// ordering (a JS object's, a list's), and the builds must read every request alike.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        let first = values.next()?;
        values.all(|v| v == first).then_some(first)
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
    /// `sms`, `whatsapp` or `call`, within the app's channels (default: its first).
    pub channel: Option<String>,
}

/// A code on its way: what every flow that sends one answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeAnswer {
    pub transaction_id: String,
    pub expires_in_seconds: u32,
    pub resend_after_seconds: u32,
    /// The channel it went over.
    pub channel: String,
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
    /// False when any check failed, or when nothing was checked.
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.status != CheckStatus::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_given_twice_counts_only_when_both_agree() {
        let request = |headers: &[(&str, &str)]| CallbackRequest {
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..CallbackRequest::default()
        };
        let sig = "X-Twilio-Signature";
        assert_eq!(
            request(&[("x-twilio-signature", "a")]).header(sig),
            Some("a")
        );
        assert_eq!(
            request(&[(sig, "a"), ("x-twilio-signature", "a")]).header(sig),
            Some("a")
        );
        assert_eq!(
            request(&[(sig, "a"), ("x-twilio-signature", "b")]).header(sig),
            None
        );
        assert_eq!(request(&[]).header(sig), None);
    }

    #[test]
    fn a_report_of_no_checks_is_not_ok() {
        assert!(!ConfigurationReport::default().ok());
    }
}
