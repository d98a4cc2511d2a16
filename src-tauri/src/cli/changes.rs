//! `adkeep changes`: what changed, newest first (no network).

use adkeep_core::Error;

use super::args::Since;
use super::terminal::print_either;

pub fn run(since: Since, json: bool) -> Result<i32, Error> {
    let backend = super::open()?;
    let changes = backend.changes(&since.query())?;
    print_either(json, &changes, |c| changes_table(c))?;
    Ok(0)
}

fn changes_table(changes: &[adkeep_core::changes::Change]) -> String {
    if changes.is_empty() {
        return "No changes recorded in that time.\n".to_owned();
    }
    let mut out = String::new();
    for c in changes {
        let who = match (&c.account_id, &c.account_name, &c.login) {
            (Some(id), Some(name), _) => format!("{id} {name}"),
            (Some(id), None, _) => id.to_string(),
            (None, _, Some(login)) => format!("login {login}"),
            _ => String::new(),
        };
        let values = match (&c.from, &c.to) {
            (Some(from), Some(to)) => format!("{from} → {to}"),
            (None, Some(to)) => to.clone(),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{}  {}{:<16} {}  {}\n",
            c.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M"),
            if c.worse { "! " } else { "  " },
            c.kind.name(),
            who,
            values
        ));
    }
    out
}
