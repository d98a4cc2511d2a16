//! CSV exports of the account list (the columns the window shows) and of the
//! history. UTF-8 with a header row, money as exact decimals beside its
//! currency, times in RFC 3339. A text cell that a spreadsheet would run as
//! a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return)
//! is prefixed with an apostrophe; numbers are left as numbers.

use std::io::Write;

use adkeep_core::changes::Change;
use adkeep_core::{Error, Result};
use rust_decimal::Decimal;

use crate::views::AccountView;

const ACCOUNT_COLUMNS: [&str; 22] = [
    "id",
    "name",
    "status",
    "disable_reason",
    "business",
    "currency",
    "spend_today",
    "spend_last_30d",
    "amount_spent",
    "spend_cap",
    "balance",
    "pace_per_day",
    "cap_days_left",
    "funds_left",
    "funds_days_left",
    "datasets",
    "terms_accepted",
    "role",
    "logins",
    "attention",
    "refreshed_at",
    "refresh_error",
];

const CHANGE_COLUMNS: [&str; 8] = [
    "at",
    "account_id",
    "account_name",
    "login",
    "kind",
    "from",
    "to",
    "worse",
];

/// A text cell, made safe for spreadsheets.
pub fn text(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

fn amount(value: Option<Decimal>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}

fn snake<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Storage(format!("the CSV could not be written: {e}"))
}

/// The accounts, one row each (the ads' columns last).
pub fn accounts(out: impl Write, views: &[AccountView]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let header = ACCOUNT_COLUMNS.iter().chain(super::ads::CSV_COLUMNS.iter());
    w.write_record(header).map_err(csv_error)?;
    for v in views {
        let mut record = account_record(v).to_vec();
        record.extend(super::ads::csv_cells(&v.ads).map(|cell| text(&cell)));
        w.write_record(&record).map_err(csv_error)?;
    }
    w.flush().map_err(csv_error)
}

fn account_record(v: &AccountView) -> [String; 22] {
    {
        let a = &v.account;
        let f = &v.forecast.forecast;
        let top = v
            .attention
            .iter()
            .find(|f| f.shown())
            .map(|f| f.text.clone());
        [
            a.id.as_str().to_owned(),
            text(&a.name),
            snake(&a.status),
            snake(&a.disable_reason),
            a.business
                .as_ref()
                .map_or_else(String::new, |b| text(&b.name)),
            text(&a.currency),
            amount(a.spend_today),
            amount(a.spend_last_30d),
            amount(a.amount_spent),
            amount(a.spend_cap),
            amount(a.balance),
            amount(f.pace_per_day),
            f.cap_days_left.map(|d| d.to_string()).unwrap_or_default(),
            amount(f.funds_left),
            f.funds_days_left.map(|d| d.to_string()).unwrap_or_default(),
            text(
                &a.datasets
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            text(&a.tos_accepted.join("; ")),
            text(&a.tasks.join("; ")),
            text(
                &v.logins
                    .iter()
                    .map(|l| l.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            top.map(|t| text(&t)).unwrap_or_default(),
            a.refreshed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            a.error.as_ref().map(|p| text(&p.title)).unwrap_or_default(),
        ]
    }
}

/// The history, newest first.
pub fn changes(out: impl Write, changes: &[Change]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CHANGE_COLUMNS).map_err(csv_error)?;
    for c in changes {
        let record = [
            c.at.to_rfc3339(),
            c.account_id
                .as_ref()
                .map(|i| i.as_str().to_owned())
                .unwrap_or_default(),
            c.account_name.as_deref().map(text).unwrap_or_default(),
            c.login.as_ref().map(|l| l.to_string()).unwrap_or_default(),
            c.kind.name().to_owned(),
            c.from.as_deref().map(text).unwrap_or_default(),
            c.to.as_deref().map(text).unwrap_or_default(),
            c.worse.to_string(),
        ];
        w.write_record(&record).map_err(csv_error)?;
    }
    w.flush().map_err(csv_error)
}

/// Where the window's "Export CSV" writes: the Downloads folder (or home).
pub fn default_path(what: &str) -> std::path::PathBuf {
    let dir = dirs::download_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir);
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M%S");
    dir.join(format!("adkeep-{what}-{stamp}.csv"))
}

/// Writes a CSV to `path` whole or not at all: into memory, then a
/// temporary file that is synced and renamed (an export cut short by a full
/// disk or a kill leaves no partial file).
pub fn write_file(
    path: &std::path::Path,
    fill: impl FnOnce(&mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    let mut bytes = Vec::new();
    fill(&mut bytes)?;
    adkeep_core::persist::atomic_write(path, &bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_numbers_left_alone() {
        assert_eq!(
            text("=HYPERLINK(\"http://evil\")"),
            "'=HYPERLINK(\"http://evil\")"
        );
        assert_eq!(text("+1"), "'+1");
        assert_eq!(text("-cmd"), "'-cmd");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("\tx"), "'\tx");
        assert_eq!(text("Acme — Spring"), "Acme — Spring");
        assert_eq!(amount(Some(Decimal::new(-1234, 2))), "-12.34");
    }
}
