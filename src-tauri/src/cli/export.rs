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
    let mut out: Box<dyn Write> = match &to {
        Some(path) => Box::new(std::io::BufWriter::new(
            adkeep_core::persist::private_options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)?,
        )),
        None => Box::new(stdout()),
    };
    if changes {
        csv::changes(&mut out, &backend.changes(&since.query())?)?;
    } else {
        csv::accounts(&mut out, &sorted_views(&backend, None, None))?;
    }
    out.flush()?;
    Ok(0)
}
