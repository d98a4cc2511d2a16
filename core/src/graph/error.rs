//! `GraphError`: everything a Graph call can fail with, in one type, keeping
//! what Meta said (HTTP status, code, subcode, type, message, `fbtrace_id`,
//! `is_transient`) and what the transport saw. Parsing never fails: a body
//! without `code`, an HTML page, truncated JSON or unknown fields all become a
//! `GraphError` with as much as could be read.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::usage::Usage;

/// Where a failure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Meta answered with a Graph error object.
    Api,
    /// A non-success HTTP status without a readable Graph error (HTML, empty…).
    Http,
    /// A success status whose body could not be read (truncated, not JSON).
    Malformed,
    /// No connection could be made (DNS, refused, unreachable).
    Offline,
    /// The request or the connection timed out, or the connection was reset.
    Timeout,
    /// The answer was larger than Adkeep reads (`transport::MAX_BODY_BYTES`).
    TooLarge,
    /// The answer pointed somewhere Adkeep does not send the token (a redirect,
    /// or a next-page link to another server).
    Refused,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", self.summary())]
pub struct GraphError {
    pub kind: FailureKind,
    pub http_status: Option<u16>,
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    pub error_type: Option<String>,
    pub message: String,
    /// Meta's localized, user-facing title and text, when it sends them.
    pub user_title: Option<String>,
    pub user_msg: Option<String>,
    pub fbtrace_id: Option<String>,
    pub is_transient: Option<bool>,
    /// The usage headers on the failing response (rate-limit hints).
    #[serde(skip)]
    pub usage: Usage,
}

impl GraphError {
    fn bare(kind: FailureKind, http_status: Option<u16>, message: String) -> Self {
        Self {
            kind,
            http_status,
            code: None,
            subcode: None,
            error_type: None,
            message,
            user_title: None,
            user_msg: None,
            fbtrace_id: None,
            is_transient: None,
            usage: Usage::default(),
        }
    }

    pub fn offline(message: impl Into<String>) -> Self {
        Self::bare(FailureKind::Offline, None, message.into())
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Self::bare(FailureKind::Timeout, None, message.into())
    }

    pub fn malformed(http_status: u16, message: impl Into<String>) -> Self {
        Self::bare(FailureKind::Malformed, Some(http_status), message.into())
    }

    pub fn too_large(http_status: u16, message: impl Into<String>) -> Self {
        Self::bare(FailureKind::TooLarge, Some(http_status), message.into())
    }

    pub fn refused(http_status: Option<u16>, message: impl Into<String>) -> Self {
        Self::bare(FailureKind::Refused, http_status, message.into())
    }

    /// Whether asking again can help: a refused link or an oversized answer
    /// comes back the same (a smaller page is tried separately).
    pub fn is_retryable(&self) -> bool {
        !matches!(self.kind, FailureKind::Refused | FailureKind::TooLarge)
    }

    /// Reads an error response body. Never fails.
    pub fn from_response(http_status: u16, body: &[u8], usage: Usage) -> Self {
        let parsed = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|value| Self::from_error_value(http_status, &value));
        let mut error = parsed.unwrap_or_else(|| {
            Self::bare(
                FailureKind::Http,
                Some(http_status),
                format!("HTTP {http_status}: {}", describe_body(body)),
            )
        });
        error.usage = usage;
        error
    }

    /// Reads `{"error": {...}}` (also used for batch items). `None` if the
    /// value has no error object.
    pub fn from_error_value(http_status: u16, value: &Value) -> Option<Self> {
        let error = value.get("error")?;
        // Some endpoints answer `{"error": "text"}`; keep the text.
        if let Some(text) = error.as_str() {
            return Some(Self::bare(
                FailureKind::Api,
                Some(http_status),
                bounded(text),
            ));
        }
        let object = error.as_object()?;
        let text = |key: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .map(bounded)
                .filter(|s| !s.is_empty())
        };
        Some(Self {
            kind: FailureKind::Api,
            http_status: Some(http_status),
            code: object.get("code").and_then(lenient_int),
            subcode: object.get("error_subcode").and_then(lenient_int),
            error_type: text("type"),
            message: text("message").unwrap_or_else(|| "Meta returned an error".to_owned()),
            user_title: text("error_user_title"),
            user_msg: text("error_user_msg"),
            fbtrace_id: text("fbtrace_id"),
            is_transient: object.get("is_transient").and_then(Value::as_bool),
            usage: Usage::default(),
        })
    }

    pub fn summary(&self) -> String {
        let mut out = String::new();
        if let Some(code) = self.code {
            out.push_str(&format!("#{code}"));
            if let Some(sub) = self.subcode {
                out.push_str(&format!("/{sub}"));
            }
            out.push(' ');
        } else if let (Some(status), false) = (self.http_status, self.kind == FailureKind::Http) {
            out.push_str(&format!("HTTP {status} "));
        }
        out.push_str(&self.message);
        out
    }

    /// Removes each of `secrets` (app secret, one-time codes) from every text
    /// field.
    pub fn redacted(mut self, secrets: &[&str]) -> Self {
        fn clean(text: &str, secrets: &[&str]) -> String {
            secrets
                .iter()
                .filter(|s| s.len() >= 8)
                .fold(text.to_owned(), |t, s| t.replace(s, "[redacted]"))
        }
        self.message = clean(&self.message, secrets);
        self.user_title = self.user_title.as_deref().map(|t| clean(t, secrets));
        self.user_msg = self.user_msg.as_deref().map(|t| clean(t, secrets));
        self
    }

    /// Removes the token (and anything token-shaped) from every text field.
    pub fn scrubbed(mut self, token: Option<&crate::token::AccessToken>) -> Self {
        fn clean(text: &str, token: Option<&crate::token::AccessToken>) -> String {
            let text = token.map_or_else(|| text.to_owned(), |t| t.scrub(text));
            crate::token::scrub_token_like(&text)
        }
        self.message = clean(&self.message, token);
        self.user_title = self.user_title.as_deref().map(|t| clean(t, token));
        self.user_msg = self.user_msg.as_deref().map(|t| clean(t, token));
        self
    }
}

/// Meta's texts are short; anything longer is cut so a hostile answer cannot
/// fill the cache.
pub const MAX_TEXT_CHARS: usize = 1000;

fn bounded(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_TEXT_CHARS).collect();
    cut.push('…');
    cut
}

/// Codes arrive as numbers, but tolerate `"190"` and `190.0`.
fn lenient_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A short, printable description of a body that is not a Graph error.
fn describe_body(body: &[u8]) -> String {
    if body.is_empty() {
        return "empty response".to_owned();
    }
    let text = String::from_utf8_lossy(body);
    let looks_html = text.trim_start().starts_with('<');
    let excerpt: String = text.chars().filter(|c| !c.is_control()).take(120).collect();
    if looks_html {
        format!("an HTML page instead of JSON ({})", strip_tags(&excerpt))
    } else {
        format!("an unreadable response ({excerpt})")
    }
}

fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> GraphError {
        GraphError::from_response(status, body.as_bytes(), Usage::default())
    }

    #[test]
    fn reads_a_full_error_object() {
        let e = parse(
            400,
            r#"{"error": {"message": "Error validating access token: The user has not authorized application 2586347315015828.", "type": "OAuthException", "code": 190, "error_subcode": 458, "fbtrace_id": "A3pz5DCfhBg3mGCS6Z9z9zY"}}"#,
        );
        assert_eq!(e.kind, FailureKind::Api);
        assert_eq!(e.http_status, Some(400));
        assert_eq!(e.code, Some(190));
        assert_eq!(e.subcode, Some(458));
        assert_eq!(e.error_type.as_deref(), Some("OAuthException"));
        assert_eq!(e.fbtrace_id.as_deref(), Some("A3pz5DCfhBg3mGCS6Z9z9zY"));
    }

    #[test]
    fn survives_a_missing_code() {
        let e = parse(503, r#"{"error": {"message": "Call was not successful"}}"#);
        assert_eq!(e.kind, FailureKind::Api);
        assert_eq!(e.code, None);
        assert_eq!(e.message, "Call was not successful");
    }

    #[test]
    fn survives_an_html_body() {
        let e = parse(
            502,
            "<html><head><title>502 Bad Gateway</title></head><body>x</body></html>",
        );
        assert_eq!(e.kind, FailureKind::Http);
        assert_eq!(e.http_status, Some(502));
        assert!(e.message.contains("HTML"), "{}", e.message);
        assert!(!e.message.contains('<'), "{}", e.message);
    }

    #[test]
    fn survives_truncated_json() {
        let e = parse(400, r#"{"error": {"message": "Error validating acc"#);
        assert_eq!(e.kind, FailureKind::Http);
        assert_eq!(e.code, None);
    }

    #[test]
    fn ignores_unknown_fields_and_reads_transient_flags() {
        let e = parse(
            503,
            r#"{"error": {"message": "(#2) Service temporarily unavailable", "type": "OAuthException", "is_transient": true, "code": 2, "fbtrace_id": "AnUy", "error_data": {"blame_field_specs": [["x"]]}, "brand_new": 1}}"#,
        );
        assert_eq!(e.code, Some(2));
        assert_eq!(e.is_transient, Some(true));
    }

    #[test]
    fn tolerates_string_codes_and_string_errors() {
        let e = parse(
            400,
            r#"{"error": {"code": "17", "error_subcode": "2446079", "message": "x"}}"#,
        );
        assert_eq!((e.code, e.subcode), (Some(17), Some(2446079)));
        let e = parse(400, r#"{"error": "invalid_request"}"#);
        assert_eq!(e.message, "invalid_request");
    }

    #[test]
    fn scrubbing_removes_the_token() {
        let token = crate::token::AccessToken::new("EAAtokentokentokentoken").unwrap();
        let e = parse(400, r#"{"error": {"message": "Malformed access token EAAtokentokentokentoken", "code": 190}}"#)
            .scrubbed(Some(&token));
        assert!(!e.message.contains("EAAtoken"), "{}", e.message);
    }
}
