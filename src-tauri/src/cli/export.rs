//! `adkeep export`: the accounts (or, with `--changes`, the history) as CSV,
//! to a file or stdout.

use std::io::Write;
use std::path::PathBuf;

use adkeep_core::Error;

use super::accounts::sorted_views;
use super::args::Since;
use super::terminal::stdout;
use crate::views::csv;

pub fn run(to: Option<PathBuf>, changes: bool, since: Since) -> Result<i32, Error> {
    let backend = super::open()?;
    let fill = |out: &mut dyn Write| {
        if changes {
            csv::changes(out, &backend.changes(&since.query())?)
        } else {
            csv::accounts(out, &sorted_views(&backend, None, None))
        }
    };
    match &to {
        // Whole or not at all: a file cut short is never left behind.
        Some(path) => csv::write_file(path, |out| fill(out))?,
        None => {
            let mut out = stdout();
            fill(&mut out)?;
            out.flush()?;
        }
    }
    Ok(0)
}
