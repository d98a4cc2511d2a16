//! Text for a terminal. Strings from Meta (account names, business names,
//! error messages) can hold escape sequences that would redraw or retitle a
//! terminal, or direction overrides that would reorder what is shown: all
//! of them are removed before anything is printed for a person.

/// `text` without control characters and without bidirectional overrides.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_are_removed() {
        assert_eq!(
            printable("Acme\u{1b}[2J\u{1b}]0;pwned\u{7}\r\n Ads\u{202E}gpj.exe"),
            "Acme[2J]0;pwned Adsgpj.exe"
        );
        assert_eq!(printable("Café – 東京 ✓"), "Café – 東京 ✓");
    }
}
