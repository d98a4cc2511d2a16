//! Text Meta sends that is not valid Unicode — invalid UTF-8 bytes, or a
//! `\uD800`-style escape with no partner (a string cut in the middle of an
//! emoji) — becomes U+FFFD in that string, so one bad name costs its own
//! letters, never the page it is on. Applied to every body before it is
//! parsed; bodies that need nothing are passed through untouched.

use std::borrow::Cow;

/// `body` with invalid UTF-8 and lone surrogate escapes replaced by U+FFFD.
pub fn repaired(body: &[u8]) -> Cow<'_, [u8]> {
    let text = String::from_utf8_lossy(body);
    if !has_surrogate_escape(&text) {
        return match text {
            Cow::Borrowed(_) => Cow::Borrowed(body),
            Cow::Owned(fixed) => Cow::Owned(fixed.into_bytes()),
        };
    }
    Cow::Owned(without_lone_surrogates(&text).into_bytes())
}

/// A `\uD…` escape somewhere (the only escapes that can be lone surrogates).
fn has_surrogate_escape(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && matches!(w[2], b'd' | b'D'))
}

/// The code unit of a `\uXXXX` escape starting at `at`, if there is one.
fn escape_at(bytes: &[u8], at: usize) -> Option<u16> {
    let hex = bytes.get(at..at + 6)?;
    if hex[0] != b'\\' || hex[1] != b'u' {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
}

fn without_lone_surrogates(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let unit = escape_at(bytes, i);
        let lone = match unit {
            Some(high @ 0xD800..=0xDBFF) => {
                let low = escape_at(bytes, i + 6);
                if low.is_some_and(|l| (0xDC00..=0xDFFF).contains(&l)) {
                    let _ = high;
                    i += 12;
                    continue;
                }
                true
            }
            Some(0xDC00..=0xDFFF) => true,
            _ => false,
        };
        if lone {
            out.push_str(&text[copied..i]);
            out.push_str("\\uFFFD");
            i += 6;
            copied = i;
        } else {
            // Any other escape (`\\`, `\"`, `\u0041`): its two first bytes, so an
            // escaped backslash is never read as the start of another escape.
            i += 2;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(body: &[u8]) -> String {
        let value: serde_json::Value = serde_json::from_slice(&repaired(body)).unwrap();
        value["name"].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_lone_surrogate_becomes_a_replacement_character() {
        assert_eq!(name(br#"{"name":"Shop \ud83d cut"}"#), "Shop \u{FFFD} cut");
        assert_eq!(name(br#"{"name":"\udc00 tail"}"#), "\u{FFFD} tail");
        assert_eq!(name(br#"{"name":"end \uD800"}"#), "end \u{FFFD}");
        assert_eq!(
            name(br#"{"name":"\ud800\ud800\udc00"}"#),
            "\u{FFFD}\u{10000}"
        );
    }

    #[test]
    fn pairs_escaped_backslashes_and_plain_text_are_kept() {
        assert_eq!(name(br#"{"name":"\ud83d\ude00 ok"}"#), "\u{1F600} ok");
        assert_eq!(name(br#"{"name":"a\\ud800b"}"#), "a\\ud800b");
        let plain = br#"{"name":"Caf\u00e9"}"#;
        assert!(matches!(repaired(plain), Cow::Borrowed(_)));
    }

    #[test]
    fn invalid_utf8_becomes_a_replacement_character() {
        assert_eq!(name(b"{\"name\":\"Caf\xe9 \xff\"}"), "Caf\u{FFFD} \u{FFFD}");
    }
}
