//! Text for a terminal. Strings from Meta (account names, business names,
//! error messages) can hold escape sequences that would redraw or retitle a
//! terminal, or direction overrides that would reorder what is shown: all
//! of them are removed before anything is printed for a person. Output is
//! buffered: a thousand-account table is one write, not a thousand.

use std::io::Write;

use adkeep_core::Error;

/// `text` without control characters and without bidirectional overrides.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A line on stderr, printable.
pub fn warn(text: &str) {
    eprintln!("adkeep: {}", printable(text));
}

/// Stdout, buffered: the lock alone writes line by line, a system call per
/// line of a thousand-account table or document.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

/// `value` as one pretty JSON document on stdout.
pub fn println_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Error::Internal(e.to_string()))?;
    writeln!(out).map_err(|e| Error::Internal(e.to_string()))?;
    out.flush().map_err(|e| Error::Internal(e.to_string()))
}

/// Every line of `text`, printable.
pub fn printable_lines(text: &str) -> String {
    text.lines().map(|l| printable(l) + "\n").collect()
}

/// JSON, or lines of text for a person.
pub fn print_either<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce(&T) -> String,
) -> Result<(), Error> {
    if json {
        println_json(value)
    } else {
        print!("{}", printable_lines(&text(value)));
        Ok(())
    }
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
