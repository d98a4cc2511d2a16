//! `adkeep accounts`: the accounts as last refreshed (no network), as a
//! table or JSON; the table is shared with `refresh`.

use std::io::Write;

use adkeep_core::Error;
use adkeep_core::attention::{Attention, Severity};
use adkeep_core::graph::AccountId;
use adkeep_core::logins::LoginId;
use adkeep_core::model::{AccountStatus, Reach};

use super::args::{Only, Scope};
use super::terminal::{printable, println_json};
use crate::backend::Backend;
use crate::views::{AccountView, Present};

pub fn run(only: Only, scope: Scope, json: bool) -> Result<i32, Error> {
    let backend = super::open()?;
    let login = scope.resolve(&backend)?;
    let views = sorted_views(&backend, None, login.as_ref());
    print_accounts(&only.filter(views), json)?;
    Ok(0)
}

/// The accounts in the book (those asked for, those a login reaches), by name.
pub fn sorted_views(
    backend: &Backend,
    only: Option<&[AccountId]>,
    login: Option<&LoginId>,
) -> Vec<AccountView> {
    let book = backend.session().snapshot();
    let accounts = book
        .sorted()
        .into_iter()
        .filter(|a| only.is_none_or(|ids| ids.contains(&a.id)))
        .filter(|a| login.is_none_or(|l| a.logins.iter().any(|r| &r.login == l)))
        .cloned();
    backend.views(accounts)
}

pub fn print_accounts(accounts: &[AccountView], json: bool) -> Result<(), Error> {
    if json {
        // Streamed: no JSON tree of thousands of rows in memory first.
        return println_json(&accounts);
    }
    let mut out = std::io::stdout().lock();
    let mut write =
        |line: String| writeln!(out, "{line}").map_err(|e| Error::Internal(e.to_string()));
    if accounts.is_empty() {
        return write("No accounts yet. Run `adkeep refresh`.".to_owned());
    }
    write(format!(
        "{:<22} {:<36} {:<20} {:>14} {:>14} {:>16}  {}",
        "ID", "NAME", "STATUS", "TODAY", "30 DAYS", "LIFETIME", "NOTES"
    ))?;
    for view in accounts {
        write(row_line(view))?;
    }
    Ok(())
}

fn row_line(view: &AccountView) -> String {
    let a = &view.account;
    let currency = printable(&a.currency);
    let money = |d: &Option<rust_decimal::Decimal>, field: &str| match d {
        Some(d) => format!("{d} {currency}"),
        None if a.field_errors.iter().any(|e| e.field == field) => "unreadable".to_owned(),
        None => "—".to_owned(),
    };
    format!(
        "{:<22} {:<36} {:<20} {:>14} {:>14} {:>16}  {}",
        a.id,
        truncate(&a.name, 36),
        status_label(a.status),
        money(&a.spend_today, "spend_today"),
        money(&a.spend_last_30d, "spend_last_30d"),
        money(&a.amount_spent, "amount_spent"),
        printable(&notes(view).join("; "))
    )
}

fn notes(view: &AccountView) -> Vec<String> {
    let a = &view.account;
    let mut notes = Vec::new();
    if let Some(problem) = &a.error {
        let since = a.refreshed_at.map_or_else(
            || "never refreshed".to_owned(),
            |t| format!("data as of {}", t.format("%Y-%m-%d %H:%M UTC")),
        );
        notes.push(format!("{} ({since})", problem.title));
    }
    if a.reach == Reach::NoLongerAccessible {
        notes.push("no longer accessible".to_owned());
    }
    if a.is_new {
        notes.push("new".to_owned());
    }
    if let Some(note) = &view.via_note {
        notes.push(note.clone());
    }
    let top = view
        .attention
        .iter()
        // A failed refresh is already the first note.
        .find(|f| f.shown() && !matches!(f.attention, Attention::RefreshFailed { .. }));
    if let (Some(severity), Some(flag)) = (view.severity, top) {
        notes.push(format!("{}: {}", severity_word(severity), flag.text));
    }
    notes
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Blocking => "blocking",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn truncate(text: &str, width: usize) -> String {
    let clean = printable(text);
    if clean.chars().count() <= width {
        clean
    } else {
        clean.chars().take(width - 1).collect::<String>() + "…"
    }
}

pub fn status_label(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Active => "active",
        AccountStatus::Disabled => "disabled",
        AccountStatus::Unsettled => "unsettled",
        AccountStatus::PendingRiskReview => "pending risk review",
        AccountStatus::PendingSettlement => "pending settlement",
        AccountStatus::InGracePeriod => "in grace period",
        AccountStatus::PendingClosure => "pending closure",
        AccountStatus::Closed => "closed",
        AccountStatus::Unknown => "unknown",
    }
}
