//! `adkeep accounts | refresh | doctor | logins`: the same core and backend as the
//! window, without a display. Output goes to stdout; warnings to stderr;
//! everything printed for a person is stripped of control characters. The
//! token is never printed.
//!
//! The window opens only with no arguments (or `adkeep gui`): anything else
//! is a command, and an unknown one prints usage and exits with status 2.

use std::io::Write;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use adkeep_core::Error;
use adkeep_core::attention::{Attention, Severity};
use adkeep_core::graph::AccountId;
use adkeep_core::logins::LoginId;
use adkeep_core::model::{AccountStatus, Reach};

use crate::backend::{Backend, NoEvents, RefreshSummary};
use crate::stores::FileStores;
use crate::terminal::printable;
use crate::vault::Vault;
use crate::views::AccountView;

/// The version and the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("ADKEEP_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "adkeep",
    version = VERSION,
    help_template = "{name} {version}\n{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}",
    about = "Adkeep: keeps Meta ad account connections healthy.",
    long_about = "Without a command (or with `gui`), opens the window. With one, works from the terminal.\n\n\
Environment: ADKEEP_GRAPH_URL, ADKEEP_FACEBOOK_URL, ADKEEP_GRAPH_VERSION, ADKEEP_DATA_DIR, \
ADKEEP_ACCESS_TOKEN (tokens separated by commas, one Facebook login each; used instead of the keychain's, never stored)."
)]
pub struct Cli {
    /// One JSON document instead of a table.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lists the accounts as last refreshed (no network).
    Accounts {
        #[command(flatten)]
        only: Only,
        #[command(flatten)]
        scope: Scope,
    },
    /// Refreshes every account, or the given ones (with or without `act_`), then prints them.
    /// Exits 0 only when every account was refreshed.
    Refresh {
        ids: Vec<String>,
        #[command(flatten)]
        only: Only,
        #[command(flatten)]
        scope: Scope,
    },
    /// Checks every login's token and the connection to Meta. Exits non-zero when something is wrong.
    Doctor {
        #[command(flatten)]
        scope: Scope,
    },
    /// Lists the Facebook logins as last checked (no network; `doctor` checks them now).
    Logins,
    /// What changed, newest first (recorded by every refresh).
    Changes {
        #[command(flatten)]
        since: Since,
    },
    /// Writes the account list (or, with `--changes`, the history) as CSV.
    Export {
        /// Where to write (default: standard output).
        #[arg(long, value_name = "FILE")]
        csv: Option<std::path::PathBuf>,
        /// The history of changes instead of the accounts.
        #[arg(long)]
        changes: bool,
        #[command(flatten)]
        since: Since,
    },
    /// Opens the window (the same as no command).
    Gui,
}

/// Which accounts to print.
#[derive(Debug, Clone, Copy, clap::Args)]
struct Only {
    /// Only accounts that need attention: `blocking`, `warning` (blocking or
    /// warning) or `any` (info too). Reasons set aside do not count.
    #[arg(long, value_enum)]
    attention: Option<AttentionFilter>,
}

/// How far back the history goes.
#[derive(Debug, Clone, clap::Args)]
struct Since {
    /// `24h`, `7d`, `90m`, or a time such as `2026-12-01T00:00:00Z`.
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    since: Option<chrono::DateTime<chrono::Utc>>,
}

fn parse_since(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let raw = raw.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    let split = raw.len().saturating_sub(1);
    let (number, unit) = raw.split_at(split);
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{raw:?}: use 24h, 7d, 90m or an RFC 3339 time"))?;
    let span = match unit {
        "m" => chrono::Duration::try_minutes(n),
        "h" => chrono::Duration::try_hours(n),
        "d" => chrono::Duration::try_days(n),
        _ => None,
    }
    .filter(|_| (0..=100_000).contains(&n))
    .ok_or_else(|| format!("{raw:?}: use 24h, 7d, 90m or an RFC 3339 time"))?;
    Ok(chrono::Utc::now() - span)
}

/// Which Facebook login to work through.
#[derive(Debug, Clone, clap::Args)]
struct Scope {
    /// Only this login (its name, or its Facebook user id): the accounts it
    /// reaches, refreshed through it.
    #[arg(long, value_name = "NAME_OR_ID")]
    login: Option<String>,
}

impl Scope {
    fn resolve(&self, backend: &Backend) -> Result<Option<LoginId>, Error> {
        self.login
            .as_deref()
            .map(|raw| backend.known_login(raw))
            .transpose()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum AttentionFilter {
    Blocking,
    Warning,
    Any,
}

impl Only {
    fn keeps(self, view: &AccountView) -> bool {
        let least = match self.attention {
            None => return true,
            Some(AttentionFilter::Blocking) => Severity::Blocking,
            Some(AttentionFilter::Warning) => Severity::Warning,
            Some(AttentionFilter::Any) => Severity::Info,
        };
        view.severity.is_some_and(|s| s >= least)
    }
}

/// Whether the arguments ask for the window: none at all, `gui`, or the
/// process serial number macOS adds when an app is opened from Finder.
pub fn is_gui(args: &[String]) -> bool {
    match args.get(1).map(String::as_str) {
        None | Some("gui") => true,
        // Started at login: the window, hidden in the tray.
        Some(crate::autostart::HIDDEN) => args.len() == 2,
        Some(arg) => arg.starts_with("-psn_"),
    }
}

/// Runs the CLI; returns the exit status.
pub fn run(args: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    crate::logging::init_cli();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            warn(&e.to_string());
            return 1;
        }
    };
    runtime.block_on(async move {
        match execute(cli.command, cli.json).await {
            Ok(code) => code,
            Err(e) => {
                warn(&e.to_string());
                1
            }
        }
    })
}

/// A line on stderr, printable.
fn warn(text: &str) {
    eprintln!("adkeep: {}", printable(text));
}

fn open() -> Result<Arc<Backend>, Error> {
    let dir = adkeep_core::config::data_dir()?;
    adkeep_core::persist::create_private_dir(&dir)?;
    let stores = Arc::new(FileStores::new(dir.clone()));
    let vault = Vault::new(adkeep_core::config::keychain_service(&dir), dir);
    let backend = Backend::open(stores, vault, Arc::new(NoEvents))?;
    for notice in backend.notices() {
        warn(&notice.text);
    }
    Ok(backend)
}

async fn execute(command: Command, json: bool) -> Result<i32, Error> {
    match command {
        Command::Accounts { only, scope } => {
            let backend = open()?;
            let login = scope.resolve(&backend)?;
            let views = sorted_views(&backend, None, login.as_ref());
            print_accounts(&filtered(views, only), json)?;
            Ok(0)
        }
        Command::Refresh { ids, only, scope } => refresh(ids, only, scope, json).await,
        Command::Doctor { scope } => {
            let backend = open()?;
            let login = scope.resolve(&backend)?;
            let report = crate::doctor::run(&backend, login.as_ref()).await;
            if json {
                println_json(&report)?;
            } else {
                print!("{}", printable_lines(&report.human()));
            }
            Ok(if report.has_problem() { 1 } else { 0 })
        }
        Command::Logins => {
            let backend = open()?;
            let listing = crate::cli_logins::listing(&backend);
            if json {
                println_json(&listing)?;
            } else {
                print!("{}", printable_lines(&crate::cli_logins::table(&listing)));
            }
            Ok(0)
        }
        Command::Changes { since } => {
            let backend = open()?;
            let changes = backend.changes(&history_query(since))?;
            if json {
                println_json(&changes)?;
            } else {
                print!("{}", printable_lines(&changes_table(&changes)));
            }
            Ok(0)
        }
        Command::Export {
            csv,
            changes,
            since,
        } => {
            let backend = open()?;
            let mut out: Box<dyn Write> = match &csv {
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
                crate::export::changes(&mut out, &backend.changes(&history_query(since))?)?;
            } else {
                crate::export::accounts(&mut out, &sorted_views(&backend, None, None))?;
            }
            out.flush()?;
            Ok(0)
        }
        Command::Gui => {
            warn("`gui` opens the window; run it as `adkeep gui` on its own.");
            Ok(2)
        }
    }
}

fn history_query(since: Since) -> adkeep_core::history::Query {
    adkeep_core::history::Query {
        since: since.since,
        ..Default::default()
    }
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

/// `refresh [ID…]`: prints every account (or those asked for). A row this
/// run did not refresh carries the reason in its `error`; the status is 0
/// only when every reachable account was refreshed and the listing ended.
async fn refresh(ids: Vec<String>, only: Only, scope: Scope, json: bool) -> Result<i32, Error> {
    let mut wanted = Vec::with_capacity(ids.len());
    for raw in &ids {
        match AccountId::parse(raw) {
            Some(id) => wanted.push(id),
            None => {
                // A usage error, like an unknown flag.
                warn(&format!("{raw:?} is not an ad account id (act_123 or 123)"));
                return Ok(2);
            }
        }
    }
    let backend = open()?;
    let login = scope.resolve(&backend)?;
    let summary = if wanted.is_empty() {
        backend.refresh_all_of(login.clone()).await?
    } else {
        backend.refresh_accounts(&ids, login.as_ref()).await?
    };
    let asked = (!wanted.is_empty()).then_some(wanted.as_slice());
    let accounts = sorted_views(&backend, asked, login.as_ref());
    print_accounts(&filtered(accounts.clone(), only), json)?;
    if let Some(problem) = &summary.problem {
        warn(&format!("{} — {}", problem.title, problem.explanation));
    }
    if summary.unreadable > 0 {
        warn(&format!(
            "{} listed account(s) could not be read; accounts were not marked as gone.",
            summary.unreadable
        ));
    }
    Ok(if all_fresh(&summary, &accounts) { 0 } else { 1 })
}

/// Every reachable row refreshed, nothing stopped the run.
fn all_fresh(summary: &RefreshSummary, accounts: &[AccountView]) -> bool {
    summary.problem.is_none()
        && !summary.cancelled
        && summary.listing_complete
        && summary.failed == 0
        && accounts
            .iter()
            .filter(|a| a.account.reach == Reach::Reachable)
            .all(|a| a.account.error.is_none())
}

/// The accounts in the book (those asked for, those a login reaches), by name.
fn sorted_views(
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

/// Stdout, buffered: the lock alone writes line by line, a system call per
/// line of a thousand-account table or document.
fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

fn filtered(views: Vec<AccountView>, only: Only) -> Vec<AccountView> {
    views.into_iter().filter(|v| only.keeps(v)).collect()
}

fn println_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Error::Internal(e.to_string()))?;
    writeln!(out).map_err(|e| Error::Internal(e.to_string()))?;
    out.flush().map_err(|e| Error::Internal(e.to_string()))
}

fn printable_lines(text: &str) -> String {
    text.lines().map(|l| printable(l) + "\n").collect()
}

fn print_accounts(accounts: &[AccountView], json: bool) -> Result<(), Error> {
    if json {
        return println_json(
            &serde_json::to_value(accounts).map_err(|e| Error::Internal(e.to_string()))?,
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_no_arguments_or_gui_open_the_window() {
        assert!(is_gui(&args(&["adkeep"])));
        assert!(is_gui(&args(&["adkeep", "gui"])));
        assert!(is_gui(&args(&["adkeep", "-psn_0_12345"])));
        assert!(is_gui(&args(&["adkeep", "--hidden"])));
        assert!(!is_gui(&args(&["adkeep", "--hidden", "refresh"])));
        for typo in [
            vec!["adkeep", "acounts"],
            vec!["adkeep", "--json", "accounts"],
            vec!["adkeep", "--frobnicate"],
            vec!["adkeep", ""],
        ] {
            assert!(!is_gui(&args(&typo)), "{typo:?}");
        }
    }

    #[test]
    fn unknown_commands_are_usage_errors() {
        assert_eq!(run(args(&["adkeep", "acounts"])), 2);
        assert_eq!(run(args(&["adkeep", "refresh", "--frobnicate"])), 2);
    }

    #[test]
    fn json_is_accepted_before_or_after_the_command() {
        let before = Cli::try_parse_from(["adkeep", "--json", "accounts"]).unwrap();
        let after = Cli::try_parse_from(["adkeep", "accounts", "--json"]).unwrap();
        assert!(before.json && after.json);
    }
}
