//! `adkeep accounts | refresh | doctor`: the same core and backend as the
//! window, without a display. Output goes to stdout; warnings to stderr. The
//! token is never printed.

use std::io::Write;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use adkeep_core::Error;
use adkeep_core::model::AccountStatus;

use crate::backend::{Backend, NoEvents};
use crate::stores::FileStores;
use crate::vault::Vault;
use crate::views::AccountView;

#[derive(Debug, Parser)]
#[command(
    name = "adkeep",
    version,
    about = "Adkeep: keeps Meta ad account connections healthy.",
    long_about = "Without a command, opens the window. With one, works from the terminal.\n\n\
Environment: ADKEEP_GRAPH_URL, ADKEEP_FACEBOOK_URL, ADKEEP_GRAPH_VERSION, ADKEEP_DATA_DIR, \
ADKEEP_ACCESS_TOKEN (used instead of the keychain's token)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lists the accounts as last refreshed (no network).
    Accounts {
        /// One JSON array, one object per account.
        #[arg(long)]
        json: bool,
    },
    /// Refreshes every account, or the given ones (with or without `act_`), then prints them.
    Refresh {
        ids: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Checks the token and the connection to Meta.
    Doctor {
        #[arg(long)]
        json: bool,
    },
}

const COMMANDS: [&str; 8] = [
    "accounts",
    "refresh",
    "doctor",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

/// Whether the arguments ask for the CLI rather than the window.
pub fn is_cli(args: &[String]) -> bool {
    args.get(1).is_some_and(|a| COMMANDS.contains(&a.as_str()))
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
            eprintln!("adkeep: {e}");
            return 1;
        }
    };
    runtime.block_on(async move {
        match execute(cli.command).await {
            Ok(code) => code,
            Err(e) => {
                eprintln!("adkeep: {e}");
                1
            }
        }
    })
}

fn open() -> Result<Arc<Backend>, Error> {
    let dir = adkeep_core::config::data_dir()?;
    let stores = Arc::new(FileStores::new(dir.clone()));
    let vault = Vault::new(adkeep_core::config::keychain_service(&dir), dir);
    let backend = Backend::open(stores, vault, Arc::new(NoEvents))?;
    for notice in backend.state().notices {
        eprintln!("adkeep: {}", notice.text);
    }
    Ok(backend)
}

async fn execute(command: Command) -> Result<i32, Error> {
    match command {
        Command::Accounts { json } => {
            let backend = open()?;
            let accounts = sorted_views(&backend, None);
            print_accounts(&accounts, json)?;
            Ok(0)
        }
        Command::Refresh { ids, json } => {
            let backend = open()?;
            let summary = if ids.is_empty() {
                backend.refresh_all().await?
            } else {
                backend.refresh_accounts(&ids).await?
            };
            let wanted: Option<Vec<String>> = (!ids.is_empty()).then(|| {
                ids.iter()
                    .filter_map(|id| adkeep_core::graph::fields::normalize_account_id(id))
                    .collect()
            });
            let accounts = sorted_views(&backend, wanted.as_deref());
            print_accounts(&accounts, json)?;
            if let Some(problem) = &summary.problem {
                eprintln!("adkeep: {} — {}", problem.title, problem.explanation);
            }
            let all_fresh = summary.problem.is_none()
                && !summary.cancelled
                && summary.failed == 0
                && accounts.iter().all(|a| a.account.error.is_none());
            Ok(if all_fresh { 0 } else { 1 })
        }
        Command::Doctor { json } => {
            let backend = open()?;
            let report = crate::doctor::run(&backend).await;
            if json {
                println_json(
                    &serde_json::to_value(&report).map_err(|e| Error::Internal(e.to_string()))?,
                )?;
            } else {
                print!("{}", report.human());
            }
            Ok(if report.problem.is_some() { 1 } else { 0 })
        }
    }
}

fn sorted_views(backend: &Backend, only: Option<&[String]>) -> Vec<AccountView> {
    let book = backend.session().snapshot();
    let accounts = book
        .sorted()
        .into_iter()
        .filter(|a| only.is_none_or(|ids| ids.contains(&a.id)))
        .cloned();
    AccountView::of(accounts)
}

fn println_json(value: &serde_json::Value) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Error::Internal(e.to_string()))?;
    writeln!(out).map_err(|e| Error::Internal(e.to_string()))
}

fn print_accounts(accounts: &[AccountView], json: bool) -> Result<(), Error> {
    if json {
        return println_json(
            &serde_json::to_value(accounts).map_err(|e| Error::Internal(e.to_string()))?,
        );
    }
    let mut out = std::io::stdout().lock();
    let write = |out: &mut std::io::StdoutLock<'_>, line: String| {
        writeln!(out, "{line}").map_err(|e| Error::Internal(e.to_string()))
    };
    if accounts.is_empty() {
        return write(
            &mut out,
            "No accounts yet. Run `adkeep refresh`.".to_owned(),
        );
    }
    write(
        &mut out,
        format!(
            "{:<22} {:<36} {:<20} {:>14} {:>14} {:>16}  {}",
            "ID", "NAME", "STATUS", "TODAY", "30 DAYS", "LIFETIME", "NOTES"
        ),
    )?;
    for view in accounts {
        let a = &view.account;
        let money = |d: &Option<rust_decimal::Decimal>| {
            d.map_or_else(|| "—".to_owned(), |d| format!("{d} {}", a.currency))
        };
        let mut notes = Vec::new();
        if let Some(problem) = &a.error {
            let since = a.refreshed_at.map_or_else(
                || "never refreshed".to_owned(),
                |t| format!("data as of {}", t.format("%Y-%m-%d %H:%M UTC")),
            );
            notes.push(format!("{} ({since})", problem.title));
        }
        if a.reach == adkeep_core::model::Reach::NoLongerAccessible {
            notes.push("no longer accessible".to_owned());
        }
        if a.is_new {
            notes.push("new".to_owned());
        }
        if view.needs_attention && a.error.is_none() {
            notes.push("needs attention".to_owned());
        }
        write(
            &mut out,
            format!(
                "{:<22} {:<36} {:<20} {:>14} {:>14} {:>16}  {}",
                a.id,
                truncate(&a.name, 36),
                status_label(a.status),
                money(&a.spend_today),
                money(&a.spend_last_30d),
                money(&a.amount_spent),
                notes.join("; ")
            ),
        )?;
    }
    Ok(())
}

fn truncate(text: &str, width: usize) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
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
