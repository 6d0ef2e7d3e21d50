//! How a code reaches the phone: a text message, a WhatsApp message or a phone call. The app
//! allows some (`channels`, in its order of preference); a request may ask for one of them
//! (`channel`), and with `channelFallback` a channel that definitely failed (Twilio refused it:
//! a landline for SMS, a number without WhatsApp) hands over to the next one.

use crate::error::{PluginError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Whatsapp,
    Call,
}

pub const NAMES: [&str; 3] = ["sms", "whatsapp", "call"];
const ALL: [Channel; 3] = [Channel::Sms, Channel::Whatsapp, Channel::Call];

impl Channel {
    /// The name clients and Twilio Verify use.
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Self> {
        let at = NAMES.iter().position(|n| *n == name)?;
        Some(ALL[at])
    }
}

/// `channels`: names separated by commas (`whatsapp, sms`), each once. The reason says what to
/// write instead.
pub fn parse_list(text: &str) -> std::result::Result<Vec<Channel>, &'static str> {
    let mut list = Vec::new();
    for name in text.split(',').map(str::trim) {
        match Channel::from_name(name) {
            Some(channel) if !list.contains(&channel) => list.push(channel),
            _ => return Err("must name channels from sms, whatsapp and call, separated by commas and each once, such as whatsapp, sms"),
        }
    }
    Ok(list)
}

/// The channels to try for a request, in order: the one it asked for (or the app's first),
/// then, with fallback, the app's others in the app's order.
pub fn order(allowed: &[Channel], fallback: bool, requested: Option<&str>) -> Result<Vec<Channel>> {
    let first = match requested {
        None => allowed[0],
        Some(name) => Channel::from_name(name)
            .filter(|c| allowed.contains(c))
            .ok_or_else(|| PluginError::InvalidInput {
                field: "channel".into(),
                expected: format!(
                    "one of the channels this app sends codes over: {}",
                    names(allowed)
                ),
            })?,
    };
    let mut order = vec![first];
    if fallback {
        order.extend(allowed.iter().filter(|c| **c != first));
    }
    Ok(order)
}

/// `sms, call`: the list as the configuration writes it.
pub fn names(list: &[Channel]) -> String {
    let names: Vec<&str> = list.iter().map(|c| c.name()).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Channel::*;

    #[test]
    fn the_list_is_names_each_once() {
        assert_eq!(parse_list("sms").unwrap(), vec![Sms]);
        assert_eq!(
            parse_list(" whatsapp , sms,call").unwrap(),
            vec![Whatsapp, Sms, Call]
        );
        for bad in ["", "sms,", "sms,sms", "SMS", "email", "sms;call"] {
            assert!(parse_list(bad).is_err(), "{bad:?}");
        }
        assert_eq!(names(&[Whatsapp, Sms]), "whatsapp, sms");
    }

    #[test]
    fn a_request_asks_for_an_allowed_channel_and_falls_back_to_the_others() {
        let allowed = [Whatsapp, Sms, Call];
        assert_eq!(order(&allowed, false, None).unwrap(), vec![Whatsapp]);
        assert_eq!(
            order(&allowed, true, None).unwrap(),
            vec![Whatsapp, Sms, Call]
        );
        assert_eq!(
            order(&allowed, true, Some("call")).unwrap(),
            vec![Call, Whatsapp, Sms]
        );
        assert_eq!(order(&allowed, false, Some("sms")).unwrap(), vec![Sms]);
        let err = order(&[Sms], true, Some("whatsapp")).unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(err.to_string().contains("sms"), "{err}");
        assert!(order(&[Sms], true, Some("fax")).is_err());
    }
}
