//! JSON for the window in ASCII only. WebKit decodes a response into a
//! one-byte string only when every character fits in one byte; a single
//! curly quote in one reason's text makes the whole text, and every string
//! parsed from it, take two bytes a character. Escaping (`\u201c`) keeps
//! the megabytes of the account list at one.

use std::fmt::Write;

use serde::Serialize;

/// `value` as JSON with every non-ASCII character escaped.
pub fn ascii_json(value: &impl Serialize) -> serde_json::Result<String> {
    let json = serde_json::to_string(value)?;
    if json.is_ascii() {
        return Ok(json);
    }
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    let mut units = [0u16; 2];
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        // Outside strings JSON is ASCII, so every such character is inside
        // one, where `\uXXXX` (a surrogate pair beyond the BMP) means it.
        for unit in c.encode_utf16(&mut units) {
            let _ = write!(out, "\\u{unit:04x}");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::ascii_json;
    use serde_json::{Value, json};

    #[test]
    fn escapes_what_is_not_ascii_and_reads_back_the_same() {
        let value = json!({
            "text": "Payment \u{201c}failed\u{201d} · café 😀 \\ \"q\"",
            "ключ": ["₩", 1, null],
        });
        let text = ascii_json(&value).unwrap();
        assert!(text.is_ascii(), "{text}");
        assert!(
            text.contains("\\u201c") && text.contains("\\ud83d\\ude00"),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn ascii_passes_through() {
        let value = json!({"a": "plain", "b": [1, 2]});
        assert_eq!(
            ascii_json(&value).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
    }
}
