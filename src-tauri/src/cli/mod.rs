//! `adkeep accounts | refresh | doctor | logins | changes | export`: the
//! terminal front end over the same backend as the window, one file per
//! command. Output goes to stdout; warnings to stderr; everything printed
//! for a person is stripped of control characters (`terminal`). The token is
//! never printed. An unknown command prints usage and exits with status 2.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use adkeep_core::Error;

use crate::backend::{Backend, NoEvents};
use crate::secrets::Vault;
use crate::store::FileStores;

mod accounts;
mod alerts;
mod args;
mod changes;
pub mod doctor;
mod export;
pub mod logins;
mod progress;
mod refresh;
pub mod terminal;

use args::{Only, Scope, Since};
use terminal::warn;

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
    Logins {
        #[command(subcommand)]
        action: Option<logins::LoginsCommand>,
    },
    /// Alert destinations: Slack, Teams, e-mail and signed webhooks.
    Alerts {
        #[command(subcommand)]
        action: alerts::AlertsCommand,
    },
    /// Checks on a schedule without a window and tells the alert
    /// destinations; stops cleanly on SIGTERM.
    Watch {
        /// One check now (refresh, record, deliver, retry the outbox); exits
        /// 0 when everything was delivered, 1 when something is pending.
        #[arg(long)]
        once: bool,
        /// How often to check (`30m`, `3h`); default: the setting (3 hours).
        #[arg(long, value_name = "DURATION", value_parser = args::parse_every)]
        every: Option<std::time::Duration>,
    },
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

/// Runs the CLI; returns the exit status.
pub fn run(args: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    if matches!(cli.command, Command::Watch { .. }) {
        crate::logging::init_watch();
    } else {
        crate::logging::init_cli();
    }
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

/// The backend over the data folder, without a window (notices go to stderr).
fn open() -> Result<Arc<Backend>, Error> {
    let dir = adkeep_core::config::data_dir()?;
    adkeep_core::persist::create_private_dir(&dir)?;
    let stores = Arc::new(FileStores::new(dir.clone()));
    let vault = Vault::new(adkeep_core::config::keychain_service(&dir), dir);
    let events: Arc<dyn crate::backend::Events> = if std::io::stderr().is_terminal() {
        Arc::new(progress::Terminal::default())
    } else {
        Arc::new(NoEvents)
    };
    let backend = Backend::open(stores, vault, events)?;
    for notice in backend.notices() {
        warn(&notice.text);
    }
    Ok(backend)
}

async fn execute(command: Command, json: bool) -> Result<i32, Error> {
    match command {
        Command::Accounts { only, scope } => accounts::run(only, scope, json),
        Command::Refresh { ids, only, scope } => refresh::run(ids, only, scope, json).await,
        Command::Doctor { scope } => doctor::command(scope, json).await,
        Command::Logins { action } => logins::command(action, json).await,
        Command::Alerts { action } => alerts::run(action, json).await,
        Command::Watch { once, every } => {
            let backend = open()?;
            Ok(if once {
                crate::watch::once(&backend).await
            } else {
                crate::watch::run(backend, every).await
            })
        }
        Command::Changes { since } => changes::run(since, json),
        Command::Export {
            csv,
            changes,
            since,
        } => export::run(csv, changes, since),
        Command::Gui => {
            warn("`gui` opens the window; run it as `adkeep gui` on its own.");
            Ok(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
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
