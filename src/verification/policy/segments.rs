//! How many SMS segments a body costs, the way carriers count and Twilio bills: GSM-7 when every
//! character is in the GSM 03.38 alphabet (160 septets alone, 153 per part when concatenated,
//! two septets for the characters of the extension table), otherwise UCS-2 (70 UTF-16 units
//! alone, 67 per part). A character is never split across parts.

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Reached through the escape code: each costs two septets.
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// Whether `alphabet` has `c`. By chars, not `str::contains`, which looks for a non-ASCII char
/// with the substring searcher (see `text`).
fn has(alphabet: &str, c: char) -> bool {
    alphabet.chars().any(|a| a == c)
}

/// The segments of `body`; an empty body (an MMS with media only) still counts as one.
pub fn count(body: &str) -> u32 {
    let gsm = body
        .chars()
        .all(|c| has(GSM7_BASIC, c) || has(GSM7_EXTENSION, c));
    let (single, part) = if gsm { (160, 153) } else { (70, 67) };
    let cost = |c: char| -> u32 {
        if gsm {
            1 + u32::from(has(GSM7_EXTENSION, c))
        } else {
            c.len_utf16() as u32
        }
    };
    if body.chars().map(cost).sum::<u32>() <= single {
        return 1;
    }
    let (mut parts, mut used) = (1, 0);
    for c in body.chars() {
        let c = cost(c);
        if used + c > part {
            parts += 1;
            used = 0;
        }
        used += c;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_carriers_do() {
        for (body, segments) in [
            (String::new(), 1),
            ("a".repeat(160), 1),
            ("a".repeat(161), 2),
            ("a".repeat(306), 2),
            ("a".repeat(307), 3),
            ("a".repeat(1600), 11),
            // Extension characters cost two septets.
            ("€".repeat(80), 1),
            ("€".repeat(81), 2),
            // One character outside GSM-7 makes the whole message UCS-2.
            (format!("{}ж", "a".repeat(69)), 1),
            (format!("{}ж", "a".repeat(70)), 2),
            // An emoji is two UTF-16 units and is not split across parts.
            ("📱".repeat(35), 1),
            ("📱".repeat(36), 2),
        ] {
            assert_eq!(count(&body), segments, "{} chars", body.chars().count());
        }
    }
}
