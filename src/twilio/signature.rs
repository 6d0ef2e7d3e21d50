//! Twilio's request signature (`X-Twilio-Signature`), checked exactly as Twilio's own helper
//! libraries check it:
//!
//! 1. the full URL Twilio called, query string included;
//! 2. then every POST parameter sorted by name (byte order), each as name followed by value; a
//!    repeated name contributes each of its values, de-duplicated and sorted;
//! 3. HMAC-SHA1 keyed with the Auth Token, Base64, compared in constant time;
//! 4. accepted with and without the default port (`:443`/`:80`), which proxies add or drop;
//! 5. JSON bodies: the URL carries `bodySHA256`, the hex SHA-256 of the raw body, and only the
//!    URL is signed.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::encoding::{base64, hex};
use crate::text;

type HmacSha1 = Hmac<Sha1>;

/// Twilio's callbacks carry about twenty parameters; far more is not a Twilio request.
const MAX_PARAMS: usize = 200;

/// Decoded form fields, in body order.
pub type Params = Vec<(String, String)>;

/// The string Twilio signs: the URL, then the sorted parameters.
fn signed_text(url: &str, params: &Params) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Insertion sort: a callback has a dozen or two parameters (`validate` refuses more than
    // MAX_PARAMS), and a general-purpose sort would cost kilobytes of module.
    for i in 1..sorted.len() {
        let mut j = i;
        while j > 0 && sorted[j - 1] > sorted[j] {
            sorted.swap(j - 1, j);
            j -= 1;
        }
    }
    sorted.dedup();
    let mut text = url.to_string();
    for (name, value) in sorted {
        text.push_str(name);
        text.push_str(value);
    }
    text
}

/// The signature Twilio would send; empty only if HMAC refused the key, which it never does for
/// HMAC (any length is accepted), and an empty signature never validates.
pub fn compute(auth_token: &str, url: &str, params: &Params) -> String {
    match HmacSha1::new_from_slice(auth_token.as_bytes()) {
        Ok(mut mac) => {
            mac.update(signed_text(url, params).as_bytes());
            base64(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The URL as given, and with its default port added or removed.
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_string()];
    let Some((scheme, rest)) = text::split_once(url, "://") else {
        return variants;
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return variants,
    };
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (Some(authority), Some(tail)) = (rest.get(..split), rest.get(split..)) else {
        return variants;
    };
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let port_start = if hostport.starts_with('[') {
        text::find(hostport, "]:").map(|i| i + 1)
    } else {
        hostport.rfind(':')
    };
    let other = match port_start {
        Some(i) if hostport.get(i + 1..) == Some(default_port) => {
            hostport.get(..i).unwrap_or_default().to_string()
        }
        Some(_) => return variants,
        None => format!("{hostport}:{default_port}"),
    };
    variants.push(format!("{scheme}://{userinfo}{other}{tail}"));
    variants
}

/// Checks a form-encoded request.
pub fn validate(auth_token: &str, signature: &str, url: &str, params: &Params) -> bool {
    !signature.is_empty()
        && params.len() <= MAX_PARAMS
        && url_variants(url).iter().any(|u| {
            constant_time_eq(
                compute(auth_token, u, params).as_bytes(),
                signature.as_bytes(),
            )
        })
}

/// Checks a JSON request: the `bodySHA256` in the URL must match the body, and the URL alone
/// is signed.
pub fn validate_json(auth_token: &str, signature: &str, url: &str, body: &str) -> bool {
    let Some(expected) = query_param(url, "bodySHA256") else {
        return false;
    };
    let actual = hex(&Sha256::digest(body.as_bytes()));
    constant_time_eq(actual.as_bytes(), expected.to_ascii_lowercase().as_bytes())
        && validate(auth_token, signature, url, &Vec::new())
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    parse_form(query)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Decodes `application/x-www-form-urlencoded` (`+` is a space, `%XX` a byte).
pub fn parse_form(body: &str) -> Params {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match text
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
            {
                Some(h) => {
                    out.push(u8::from_str_radix(h, 16).unwrap_or(b'?'));
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[path = "signature_tests.rs"]
mod tests;
