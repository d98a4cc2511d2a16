//! `adkeep logins`: each Facebook login as last checked: who it is, how its
//! token is, until when, with which scopes, and how many accounts it reaches.

use chrono::{DateTime, Utc};
use serde::Serialize;

use adkeep_core::logins::LoginId;
use adkeep_core::problem::Reason;

use adkeep_core::Error;

use super::terminal::print_either;
use crate::backend::{Backend, TokenWarning};
use crate::views::{LoginView, Present};

/// A login's token, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Ok,
    /// Expires within 7 days.
    ExpiresSoon,
    /// A required scope was not granted.
    MissingScopes,
    Broken,
    /// Never checked (added from the environment, or its listing failed).
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginListing {
    pub id: LoginId,
    pub name: String,
    pub user_id: Option<String>,
    pub token: TokenState,
    /// Why it is broken, when it is.
    pub reason: Option<Reason>,
    pub expires_at: Option<DateTime<Utc>>,
    pub data_access_expires_at: Option<DateTime<Utc>>,
    pub scopes: Vec<String>,
    pub missing_scopes: Vec<String>,
    pub accounts: usize,
    /// Accounts no other login reaches.
    pub only: usize,
    pub last_full_refresh: Option<DateTime<Utc>>,
}

impl From<LoginView> for LoginListing {
    fn from(v: LoginView) -> Self {
        let token = if v.broken {
            TokenState::Broken
        } else if !v.missing_scopes.is_empty() {
            TokenState::MissingScopes
        } else if v
            .token
            .as_ref()
            .is_some_and(|t| t.warning != TokenWarning::None)
        {
            TokenState::ExpiresSoon
        } else if v.token.is_none() && v.last_full_refresh.is_none() {
            TokenState::Unknown
        } else {
            TokenState::Ok
        };
        Self {
            id: v.id,
            name: v.name,
            user_id: v.profile.map(|p| p.id),
            token,
            reason: v.problem.filter(|_| v.broken).map(|p| p.reason),
            expires_at: v.token.as_ref().and_then(|t| t.expires_at),
            data_access_expires_at: v.token.as_ref().and_then(|t| t.data_access_expires_at),
            scopes: v.permissions.map(|p| p.granted).unwrap_or_default(),
            missing_scopes: v.missing_scopes,
            accounts: v.reaches,
            only: v.only,
            last_full_refresh: v.last_full_refresh,
        }
    }
}

/// `logins add`: a login from a token (a Meta system user's, for servers).
#[derive(Debug, clap::Subcommand)]
pub enum LoginsCommand {
    /// Adds the login a token belongs to (checked with Meta, kept in the keychain).
    Add {
        /// The environment variable holding the token (never on the command line).
        #[arg(long, value_name = "VAR")]
        token_env: String,
    },
}

/// `logins`: each login as last checked, as text or JSON; `logins add`.
pub async fn command(action: Option<LoginsCommand>, json: bool) -> Result<i32, Error> {
    let backend = super::open()?;
    match action {
        None => {
            print_either(json, &listing(&backend), |l| table(l))?;
            Ok(0)
        }
        Some(LoginsCommand::Add { token_env }) => add(&backend, &token_env).await,
    }
}

async fn add(backend: &std::sync::Arc<Backend>, var: &str) -> Result<i32, Error> {
    let Some(token) = std::env::var(var).ok().filter(|t| !t.trim().is_empty()) else {
        super::terminal::warn(&format!(
            "${var} is not set: put the token in it (never on the command line)."
        ));
        return Ok(2);
    };
    match backend.add_login_with_token(&token, true).await? {
        crate::backend::LoginOutcome::Connected { message, .. }
        | crate::backend::LoginOutcome::DifferentUser { message, .. } => {
            println!("{}", super::terminal::printable(&message));
        }
    }
    Ok(0)
}

pub fn listing(backend: &Backend) -> Vec<LoginListing> {
    let book = backend.session().snapshot();
    backend
        .login_views(&book)
        .into_iter()
        .map(LoginListing::from)
        .collect()
}

pub fn table(logins: &[LoginListing]) -> String {
    if logins.is_empty() {
        return "No Facebook logins yet. Open Adkeep and log in, or set ADKEEP_ACCESS_TOKEN and run `adkeep refresh`.\n".to_owned();
    }
    let mut out = format!(
        "{:<20} {:<28} {:<15} {:<11} {:>8}  {}\n",
        "ID", "NAME", "TOKEN", "EXPIRES", "ACCOUNTS", "SCOPES"
    );
    for l in logins {
        let state = match (l.token, l.reason) {
            (TokenState::Broken, Some(reason)) => format!("broken: {}", reason_word(reason)),
            (state, _) => state_word(state).to_owned(),
        };
        out.push_str(&format!(
            "{:<20} {:<28} {:<15} {:<11} {:>8}  {}\n",
            l.id,
            l.name.chars().take(28).collect::<String>(),
            state,
            l.expires_at
                .map_or_else(|| "—".to_owned(), |t| t.format("%Y-%m-%d").to_string()),
            format!("{} ({} only)", l.accounts, l.only),
            l.scopes.join(",")
        ));
    }
    out
}

fn state_word(state: TokenState) -> &'static str {
    match state {
        TokenState::Ok => "ok",
        TokenState::ExpiresSoon => "expires soon",
        TokenState::MissingScopes => "missing scopes",
        TokenState::Broken => "broken",
        TokenState::Unknown => "unknown",
    }
}

fn reason_word(reason: Reason) -> &'static str {
    match reason {
        Reason::TokenExpired => "expired",
        Reason::TokenRevoked => "revoked",
        Reason::AppChanged => "app changed",
        Reason::SecurityCheckpoint => "checkpoint",
        Reason::PermissionsChanged => "permissions",
        Reason::PolicyViolation => "policy",
        Reason::RateLimited => "rate limited",
        Reason::Transient => "hiccup",
        Reason::Offline => "offline",
    }
}
