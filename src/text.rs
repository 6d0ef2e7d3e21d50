//! Finding text in text, without core's substring searcher. That searcher, and slicing a `str` by
//! index, can panic on a position inside a character; their panic message prints the text with
//! `Debug`, which links Unicode escaping and its tables into the module (about 2 KB gzipped) for
//! a panic that cannot happen here. These helpers compare bytes and cut with `str::get`.
//! A match of valid UTF-8 inside valid UTF-8 always starts and ends on character boundaries.

/// The byte position of the first `needle` in `haystack`.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// The text before and after the first `needle`.
pub fn split_once<'a>(haystack: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = find(haystack, needle)?;
    Some((haystack.get(..at)?, haystack.get(at + needle.len()..)?))
}

/// `text` with every `needle` replaced by `with`.
pub fn replace(text: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, after)) = split_once(rest, needle).filter(|_| !needle.is_empty()) {
        out.push_str(before);
        out.push_str(with);
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_like_core_does() {
        for (haystack, needle) in [
            ("https://example.com", "://"),
            ("no separator", "://"),
            ("", "x"),
            ("x", ""),
            ("ééé::ü", "::"),
            ("[::1]:8080", "]:"),
            ("aaa", "aa"),
        ] {
            assert_eq!(
                find(haystack, needle),
                haystack.find(needle),
                "{haystack} {needle}"
            );
            assert_eq!(split_once(haystack, needle), haystack.split_once(needle));
            assert_eq!(contains(haystack, needle), haystack.contains(needle));
        }
    }

    #[test]
    fn replaces_every_occurrence() {
        for (text, needle, with) in [
            ("Your {code} is {code}", "{code}", "123456"),
            ("{appName}: {code}", "{appName}", "Ünïcode ✓"),
            ("nothing here", "{code}", "1"),
            ("{code}{code}", "{code}", "{code}"),
            ("", "{code}", "1"),
        ] {
            assert_eq!(
                replace(text, needle, with),
                text.replace(needle, with),
                "{text}"
            );
        }
        // Nothing to find: the text stays as it is (core would put `with` between every char).
        assert_eq!(replace("abc", "", "-"), "abc");
    }
}
