//! Sending a verification code by SMS, shared by every flow: the per-number rate limit, the
//! message text, and the rule that a code which could not be sent leaves no verification behind.

use serde_json::json;

use crate::config::Config;
use crate::error::{PluginError, Result};
use crate::hook::HookContext;
use crate::host::{Host, LogLevel};
use crate::phone::PhoneNumber;
use crate::twilio::{send_message, OutgoingMessage};
use crate::verification::{storage_error, Purpose, Started, Verifications};

const HOUR_MS: i64 = 3_600_000;
const MAX_APP_NAME_CHARS: usize = 64;

/// Renders the configured template. An empty app name leaves no double space behind.
pub fn render_message(template: &str, app_name: &str, code: &str) -> String {
    let app_name: String = app_name.trim().chars().take(MAX_APP_NAME_CHARS).collect();
    let text = template
        .replace("{appName}", &app_name)
        .replace("{code}", code);
    text.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The app name in messages: the configured one, else the one the host reports.
fn app_name<'a>(config: &'a Config, ctx: &'a HookContext) -> &'a str {
    if config.app_name.is_empty() {
        ctx.app_name.as_deref().unwrap_or("")
    } else {
        &config.app_name
    }
}

/// Refuses a new SMS to a number that has had `max_per_hour` in the current clock hour: SMS
/// pumping fraud and careless retry loops both cost the app money.
pub(crate) async fn check_rate<H: Host>(
    host: &H,
    config: &Config,
    phone: &PhoneNumber,
) -> Result<()> {
    let now = host.now_ms();
    let window = now.div_euclid(HOUR_MS);
    let key = format!("sms-rate/{}/{window}", phone.as_str());
    let sent = host.storage_incr(&key, 3600).await.map_err(storage_error)?;
    if sent > i64::from(config.max_sms_per_number_per_hour) {
        let retry_after_seconds = u32::try_from((window + 1) * HOUR_MS - now)
            .map(|ms| ms.div_ceil(1000))
            .unwrap_or(3600);
        return Err(PluginError::RateLimited {
            retry_after_seconds,
        });
    }
    Ok(())
}

/// Creates a verification and texts its code. On any failure no verification remains.
pub async fn send_code<H: Host>(
    host: &H,
    config: &Config,
    verifications: &Verifications<'_, H>,
    phone: &PhoneNumber,
    purpose: &Purpose,
    user_id: &str,
    ctx: &HookContext,
) -> Result<Started> {
    check_rate(host, config, phone).await?;
    let started = verifications.start(phone, purpose, user_id).await?;
    let body = render_message(
        &config.message_template,
        app_name(config, ctx),
        &started.code,
    );
    let message = OutgoingMessage {
        to: phone.as_str(),
        body: Some(&body),
        media_urls: &[],
        status_callback: None,
    };
    match send_message(host, config, &message).await {
        Ok(sent) => {
            host.log(
                LogLevel::Info,
                "verification code sent",
                json!({
                    "purpose": purpose.label(),
                    "to": phone.masked(),
                    "transactionId": started.transaction_id,
                    "messageSid": sent.sid,
                    "requestId": ctx.request_id,
                }),
            );
            Ok(started)
        }
        Err(err) => {
            verifications.discard(&started.transaction_id).await;
            host.log(
                LogLevel::Warn,
                "verification code could not be sent",
                json!({ "purpose": purpose.label(), "to": phone.masked(), "error": err.code(),
                        "details": err.details(), "requestId": ctx.request_id }),
            );
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_gets_app_name_and_code() {
        assert_eq!(
            render_message(
                "Your {appName} verification code is {code}",
                "Acme",
                "123456"
            ),
            "Your Acme verification code is 123456"
        );
    }

    #[test]
    fn missing_app_name_leaves_clean_text() {
        assert_eq!(
            render_message("Your {appName} verification code is {code}", " ", "1234"),
            "Your verification code is 1234"
        );
    }
}
