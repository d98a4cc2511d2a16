//! `adkeep alerts add | list | test | remove`: alert destinations from the
//! terminal. Bad input (an `http://` address off this computer, an unknown
//! severity, an environment variable that is not set) is a usage error: a
//! clear message, exit status 2, and nothing changed. Secrets given on the
//! command line go to the keychain; `--url-env`, `--secret-env` and
//! `--password-env` name variables read at send time instead.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use adkeep_core::Error;
use adkeep_core::alerts::destination::{self, DestinationError, check_variable, parse_smtp};
use adkeep_core::alerts::{Kept, Outcome, Rules, SecretField, SecretRef, Target};
use adkeep_core::attention::Severity;
use adkeep_core::graph::AccountId;

use super::args::parse_every;
use super::terminal::{print_either, warn};
use crate::backend::{Backend, NewDestination};

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Adds a destination.
    Add {
        #[command(subcommand)]
        kind: AddKind,
    },
    /// Lists the destinations: where they go (never a secret), their rules,
    /// whether they are failing, what is pending and the last delivery.
    List,
    /// Sends a test message now (to one destination, or to all).
    Test { id: Option<String> },
    /// Removes a destination, its secrets and what it has not taken.
    Remove { id: String },
}

#[derive(Debug, Subcommand)]
pub enum AddKind {
    /// A webhook: JSON signed with HMAC-SHA256 (see docs/alerts.md).
    Webhook {
        /// `https://…` (plain `http://` only to this computer).
        url: String,
        /// The environment variable holding the signing secret.
        #[arg(long, value_name = "VAR")]
        secret_env: Option<String>,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// A Slack incoming webhook.
    Slack {
        #[command(flatten)]
        url: UrlArgs,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// A Microsoft Teams Workflows webhook.
    Teams {
        #[command(flatten)]
        url: UrlArgs,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// E-mail over SMTP (TLS or STARTTLS; plain only to this computer).
    Email {
        /// `smtp://HOST:PORT` (STARTTLS) or `smtps://HOST:PORT` (TLS).
        #[arg(long, value_name = "URL")]
        smtp: String,
        /// Recipients, separated by commas.
        #[arg(long, value_name = "ADDR", value_delimiter = ',', required = true)]
        to: Vec<String>,
        #[arg(long, value_name = "ADDR")]
        from: Option<String>,
        #[arg(long, value_name = "USER", requires = "password_env")]
        user: Option<String>,
        /// The environment variable holding the SMTP password.
        #[arg(long, value_name = "VAR", requires = "user")]
        password_env: Option<String>,
        #[command(flatten)]
        rules: RuleArgs,
    },
}

/// A Slack or Teams URL: given (kept in the keychain), or named.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct UrlArgs {
    /// The webhook URL (kept in the keychain).
    url: Option<String>,
    /// The environment variable holding the URL (servers without a keychain).
    #[arg(long, value_name = "VAR")]
    url_env: Option<String>,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// The least severe reason that alerts.
    #[arg(long, value_enum, default_value = "blocking")]
    min_severity: SeverityArg,
    /// Only accounts this login reaches (its name or id; repeat for several).
    #[arg(long, value_name = "NAME_OR_ID")]
    login: Vec<String>,
    /// Only this account (repeat for several).
    #[arg(long, value_name = "ID")]
    account: Vec<String>,
    /// Do not say when a problem is over.
    #[arg(long)]
    no_resolved: bool,
    /// Remind of a blocking problem still open after this long (`24h`).
    #[arg(long, value_name = "DURATION", value_parser = parse_every)]
    remind: Option<Duration>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeverityArg {
    Blocking,
    Warning,
    Info,
}

/// Runs an `alerts` command.
pub async fn run(command: AlertsCommand, json: bool) -> Result<i32, Error> {
    let backend = super::open()?;
    match command {
        AlertsCommand::Add { kind } => add(&backend, kind).await,
        AlertsCommand::List => {
            let listing: Vec<Listed> = backend.destinations()?.iter().map(Listed::from).collect();
            print_either(json, &listing, |l| table(l))?;
            Ok(0)
        }
        AlertsCommand::Test { id } => test(&backend, id.as_deref()).await,
        AlertsCommand::Remove { id } => match backend.remove_destination(&id).await {
            Ok(()) => {
                println!("Removed {id}.");
                Ok(0)
            }
            Err(Error::Settings(message)) => {
                warn(&message);
                Ok(2)
            }
            Err(other) => Err(other),
        },
    }
}

async fn add(backend: &Backend, kind: AddKind) -> Result<i32, Error> {
    let new = match destination_from(backend, kind) {
        Ok(new) => new,
        Err(message) => {
            warn(&message);
            return Ok(2);
        }
    };
    match backend.add_destination(new).await {
        Ok(destination) => {
            println!("Added {}.", destination.describe());
            println!("Try it: adkeep alerts test {}", destination.id);
            Ok(0)
        }
        Err(Error::Settings(message)) => {
            warn(&message);
            Ok(2)
        }
        Err(other) => Err(other),
    }
}

/// The destination the arguments describe, checked; the message says what is wrong.
fn destination_from(backend: &Backend, kind: AddKind) -> Result<NewDestination, String> {
    let text = |e: DestinationError| e.to_string();
    let (target, secrets, rules) = match kind {
        AddKind::Webhook {
            url,
            secret_env,
            rules,
        } => {
            destination::check_url(&url).map_err(text)?;
            let secret = secret_env
                .map(|var| env_ref(&var, SecretField::Secret))
                .transpose()?;
            (Target::Webhook { url, secret }, Vec::new(), rules)
        }
        AddKind::Slack { url, rules } => {
            let (at, secrets) = url_ref(url)?;
            (Target::Slack { url: at }, secrets, rules)
        }
        AddKind::Teams { url, rules } => {
            let (at, secrets) = url_ref(url)?;
            (Target::Teams { url: at }, secrets, rules)
        }
        AddKind::Email {
            smtp,
            to,
            from,
            user,
            password_env,
            rules,
        } => (
            email_target(&smtp, to, from, user, password_env)?,
            Vec::new(),
            rules,
        ),
    };
    let rules = rules.resolve(backend)?;
    Ok(NewDestination {
        target,
        rules,
        secrets,
    })
}

fn email_target(
    smtp: &str,
    to: Vec<String>,
    from: Option<String>,
    user: Option<String>,
    password_env: Option<String>,
) -> Result<Target, String> {
    let smtp = parse_smtp(smtp).map_err(|e| e.to_string())?;
    let from = from
        .or_else(|| user.clone().filter(|u| u.contains('@')))
        .unwrap_or_else(|| "adkeep@localhost".to_owned());
    let password = password_env
        .map(|var| env_ref(&var, SecretField::Password))
        .transpose()?;
    let to = to
        .into_iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    Ok(Target::Email {
        smtp,
        to,
        from,
        user,
        password,
    })
}

/// A named variable: it must hold something now (and a URL must be usable).
fn env_ref(var: &str, field: SecretField) -> Result<SecretRef, String> {
    let var = check_variable(var).map_err(|e| e.to_string())?;
    let value = std::env::var(&var).ok().filter(|v| !v.trim().is_empty());
    let Some(value) = value else {
        return Err(format!(
            "${var} is not set (the {} is read from it)",
            field.name()
        ));
    };
    if field == SecretField::Url {
        destination::check_url(value.trim()).map_err(|e| format!("${var}: {e}"))?;
    }
    Ok(SecretRef::Env { var })
}

fn url_ref(args: UrlArgs) -> Result<(SecretRef, Vec<(SecretField, String)>), String> {
    match (args.url, args.url_env) {
        (Some(url), _) => {
            destination::check_url(&url).map_err(|e| e.to_string())?;
            Ok((SecretRef::Keychain, vec![(SecretField::Url, url)]))
        }
        (None, Some(var)) => Ok((env_ref(&var, SecretField::Url)?, Vec::new())),
        (None, None) => Err("give the URL, or --url-env VAR".to_owned()),
    }
}

impl RuleArgs {
    fn resolve(self, backend: &Backend) -> Result<Rules, String> {
        let logins = self
            .login
            .iter()
            .map(|raw| backend.known_login(raw).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        let accounts = self
            .account
            .iter()
            .map(|raw| {
                AccountId::parse(raw).ok_or_else(|| format!("{raw:?} is not an ad account id"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Rules {
            min_severity: match self.min_severity {
                SeverityArg::Blocking => Severity::Blocking,
                SeverityArg::Warning => Severity::Warning,
                SeverityArg::Info => Severity::Info,
            },
            logins,
            accounts,
            send_resolved: !self.no_resolved,
            remind_after_secs: self.remind.map(|d| d.as_secs()),
        })
    }
}

async fn test(backend: &Backend, only: Option<&str>) -> Result<i32, Error> {
    let kept = backend.destinations()?;
    if let Some(id) = only.filter(|id| !kept.iter().any(|k| k.destination.id == *id)) {
        warn(&format!("there is no alert destination {id:?}"));
        return Ok(2);
    }
    if kept.is_empty() {
        println!("No alert destinations yet. Add one with `adkeep alerts add`.");
        return Ok(0);
    }
    let mut all_went = true;
    for k in kept
        .iter()
        .filter(|k| only.is_none_or(|id| id == k.destination.id))
    {
        let outcome = backend.test_destination(&k.destination.id).await?;
        let words = match &outcome {
            Outcome::Delivered => "delivered".to_owned(),
            Outcome::Retry { error, .. } => format!("not delivered: {error}"),
            Outcome::Refused(error) => format!("refused: {error}"),
        };
        all_went &= outcome == Outcome::Delivered;
        println!(
            "{}: {}",
            k.destination.describe(),
            super::terminal::printable(&words)
        );
    }
    Ok(if all_went { 0 } else { 1 })
}

/// A destination as `alerts list` shows it (no secret, ever).
#[derive(Debug, Serialize)]
struct Listed {
    id: String,
    kind: &'static str,
    target: String,
    min_severity: Severity,
    logins: Vec<String>,
    accounts: Vec<String>,
    send_resolved: bool,
    remind_after_secs: Option<u64>,
    failing: Option<String>,
    pending: usize,
    last_sent: Option<chrono::DateTime<chrono::Utc>>,
    last_error: Option<String>,
}

impl From<&Kept> for Listed {
    fn from(k: &Kept) -> Self {
        let d = &k.destination;
        Self {
            id: d.id.clone(),
            kind: d.target.kind(),
            target: d.target.describe(),
            min_severity: d.rules.min_severity,
            logins: d.rules.logins.iter().map(ToString::to_string).collect(),
            accounts: d.rules.accounts.iter().map(ToString::to_string).collect(),
            send_resolved: d.rules.send_resolved,
            remind_after_secs: d.rules.remind_after_secs,
            failing: k.failing.clone(),
            pending: k.pending,
            last_sent: k.last_sent,
            last_error: k.last_error.clone(),
        }
    }
}

fn table(listing: &[Listed]) -> String {
    if listing.is_empty() {
        return "No alert destinations yet. Add one with `adkeep alerts add slack|teams|webhook|email`.\n".to_owned();
    }
    let mut out = String::new();
    for l in listing {
        let status = match &l.failing {
            Some(why) => format!("FAILING: {why}"),
            None => "ok".to_owned(),
        };
        let last = l.last_sent.map_or_else(
            || "never".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
        out.push_str(&format!("{}  {}\n", l.id, l.target));
        out.push_str(&format!(
            "    {} and above{}{}; {status}; {} pending; last delivered {last}\n",
            severity_word(l.min_severity),
            if l.send_resolved {
                ", resolved too"
            } else {
                ""
            },
            l.remind_after_secs
                .map(|s| format!(", reminders every {}", span_words(s)))
                .unwrap_or_default(),
            l.pending,
        ));
    }
    out
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Blocking => "blocking",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn span_words(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s => format!("{}m", s / 60),
    }
}
