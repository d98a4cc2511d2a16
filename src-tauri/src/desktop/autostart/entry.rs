//! The text of a launch-at-login entry, for each desktop that reads one
//! from a file: a freedesktop `.desktop` file (Linux) and a Launch Agent
//! property list (macOS). The program's path is quoted by each format's own
//! rules, so a path with spaces, quotes, `$`, `%` or `&` starts the right
//! program; a path no format can hold (a line break) is refused.

/// Why an entry cannot be written for this program.
#[derive(Debug, PartialEq, Eq)]
pub struct Unwritable;

/// `Exec=` quoting (Desktop Entry Specification, "The Exec key"): the
/// argument in double quotes, `"` `` ` `` `$` `\` escaped with a backslash;
/// the string-value escape doubles each backslash again; `%` is `%%`.
pub fn exec_argument(arg: &str) -> Result<String, Unwritable> {
    if arg.chars().any(char::is_control) {
        return Err(Unwritable);
    }
    let mut out = String::with_capacity(arg.len() + 2);
    out.push('"');
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' => {
                out.push_str("\\\\");
                out.push(c);
            }
            '\\' => out.push_str("\\\\\\\\"),
            '%' => out.push_str("%%"),
            _ => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// The `.desktop` file that starts `program` with `args` at login.
pub fn desktop_entry(name: &str, program: &str, args: &[&str]) -> Result<String, Unwritable> {
    let mut exec = exec_argument(program)?;
    for arg in args {
        exec.push(' ');
        exec.push_str(&exec_argument(arg)?);
    }
    Ok(format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Version=1.0\n\
         Name={name}\n\
         Comment=Starts {name} in the tray at login\n\
         Exec={exec}\n\
         StartupNotify=false\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n"
    ))
}

/// XML text: `&`, `<`, `>`, `"`, `'` escaped; control characters refused.
fn xml_text(text: &str) -> Result<String, Unwritable> {
    if text.chars().any(char::is_control) {
        return Err(Unwritable);
    }
    Ok(text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;"))
}

/// The Launch Agent that starts `program` with `args` at login (each
/// argument its own `<string>`: no shell, no quoting beyond XML's).
pub fn launch_agent(label: &str, program: &str, args: &[&str]) -> Result<String, Unwritable> {
    let mut strings = format!("<string>{}</string>", xml_text(program)?);
    for arg in args {
        strings.push_str(&format!("<string>{}</string>", xml_text(arg)?));
    }
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \x20 <key>Label</key>\n\
         \x20 <string>{}</string>\n\
         \x20 <key>ProgramArguments</key>\n\
         \x20 <array>{strings}</array>\n\
         \x20 <key>RunAtLoad</key>\n\
         \x20 <true/>\n\
         </dict>\n\
         </plist>\n",
        xml_text(label)?
    ))
}

/// The Windows `Run` value: the program in double quotes (unquoted, a path
/// with spaces would first run `C:\Program`), then the arguments.
pub fn run_value(program: &str, args: &[&str]) -> Result<String, Unwritable> {
    if program.contains('"') || program.chars().any(char::is_control) {
        return Err(Unwritable);
    }
    let mut value = format!("\"{program}\"");
    for arg in args {
        value.push(' ');
        value.push_str(arg);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads an `Exec=` value back as the desktop does: the string escapes
    /// first, then the quoting, then `%%`.
    fn parse_exec(value: &str) -> Vec<String> {
        let mut unescaped = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('\\') => unescaped.push('\\'),
                    Some('s') => unescaped.push(' '),
                    Some(other) => {
                        unescaped.push('\\');
                        unescaped.push(other);
                    }
                    None => unescaped.push('\\'),
                }
            } else {
                unescaped.push(c);
            }
        }
        let mut args = Vec::new();
        let mut current = String::new();
        let (mut quoted, mut chars) = (false, unescaped.chars());
        while let Some(c) = chars.next() {
            match c {
                '"' => quoted = !quoted,
                '\\' if quoted => current.extend(chars.next()),
                ' ' if !quoted => args.push(std::mem::take(&mut current)),
                _ => current.push(c),
            }
        }
        args.push(current);
        args.into_iter().map(|a| a.replace("%%", "%")).collect()
    }

    #[test]
    fn a_path_with_spaces_quotes_and_specials_reads_back_whole() {
        for path in [
            "/opt/My Apps/adkeep",
            r#"/home/o'neil/"quoted" dir/adkeep"#,
            "/tmp/a$HOME`id`/100%/back\\slash/adkeep",
            "/usr/bin/adkeep",
        ] {
            let entry = desktop_entry("Adkeep", path, &["--hidden"]).unwrap();
            let exec = entry.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap();
            assert_eq!(parse_exec(exec), [path, "--hidden"], "{exec}");
        }
    }

    #[test]
    fn a_line_break_in_the_path_is_refused() {
        assert_eq!(
            desktop_entry("Adkeep", "/tmp/a\nExec=evil", &[]),
            Err(Unwritable)
        );
        assert_eq!(launch_agent("Adkeep", "/tmp/a\n", &[]), Err(Unwritable));
    }

    #[test]
    fn the_launch_agent_escapes_its_xml() {
        let plist = launch_agent("Adkeep", "/Apps/R&D <new>/Adkeep", &["--hidden"]).unwrap();
        assert!(plist.contains(
            "<array><string>/Apps/R&amp;D &lt;new&gt;/Adkeep</string><string>--hidden</string></array>"
        ));
    }

    #[test]
    fn the_run_value_quotes_the_program() {
        assert_eq!(
            run_value(r"C:\Program Files\Adkeep\adkeep.exe", &["--hidden"]).unwrap(),
            r#""C:\Program Files\Adkeep\adkeep.exe" --hidden"#
        );
    }
}
