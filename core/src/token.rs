//! The access token as a value that cannot leak by accident: no `Display`, a
//! redacted `Debug`, no `Serialize`. Code that needs the raw string asks for it
//! by name (`expose`), which keeps every use greppable.

use std::fmt;
use std::sync::Arc;

#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    pub fn new(raw: impl Into<String>) -> Option<Self> {
        let raw = raw.into();
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            None
        } else {
            Some(Self(Arc::from(trimmed)))
        }
    }

    /// The raw token, for the one place that puts it on the wire or in the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Removes every occurrence of this token from `text` (Meta sometimes echoes
    /// a malformed token back in its error message).
    pub fn scrub(&self, text: &str) -> String {
        if self.0.len() < 8 {
            return text.to_owned();
        }
        text.replace(&*self.0, "[redacted]")
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// Replaces anything shaped like a Meta token (`EAA…`) or an `access_token=`
/// parameter. Used on text we did not produce before it is logged or shown.
pub fn scrub_token_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("access_token=") {
        out.push_str(&rest[..pos]);
        out.push_str("access_token=[redacted]");
        let after = &rest[pos + "access_token=".len()..];
        let end = after
            .find(['&', ' ', '"', '\'', '#'])
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    redact_eaa(&out)
}

fn redact_eaa(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"EAA") && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let run = bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if run >= 20 {
                out.push_str("[redacted]");
                i += run;
                continue;
            }
        }
        let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + ch_len]);
        i += ch_len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = AccessToken::new("EAAsecretsecretsecret").unwrap();
        assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
    }

    #[test]
    fn empty_tokens_are_rejected() {
        assert!(AccessToken::new("  ").is_none());
    }

    #[test]
    fn scrub_removes_the_token_from_messages() {
        let token = AccessToken::new("EAAsecretsecretsecret").unwrap();
        let message = "Malformed access token EAAsecretsecretsecret was given";
        assert_eq!(
            token.scrub(message),
            "Malformed access token [redacted] was given"
        );
    }

    #[test]
    fn token_like_text_is_scrubbed() {
        let text = "GET https://graph/x?limit=5&access_token=abc123&after=Q then EAAB0123456789abcdefghijkl end";
        let clean = scrub_token_like(text);
        assert!(!clean.contains("abc123"), "{clean}");
        assert!(!clean.contains("EAAB0123456789"), "{clean}");
        assert!(clean.contains("&after=Q"), "{clean}");
    }
}
