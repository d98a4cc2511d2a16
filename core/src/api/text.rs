//! Text Meta sends in a field: strings (and numbers) only, bounded in length.

use serde_json::Value;

/// Remote texts longer than this are cut (names are a few dozen characters).
pub const MAX_TEXT: usize = 500;

pub fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A text field: strings (and numbers) only, bounded.
pub fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(as_text).map(|s| bounded(&s))
}

pub fn bounded(text: &str) -> String {
    if text.len() <= MAX_TEXT {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_TEXT).collect();
    cut.push('…');
    cut
}
