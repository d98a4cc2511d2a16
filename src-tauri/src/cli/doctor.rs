//! `adkeep doctor`: is the token valid, until when, with which scopes, and if
//! something is wrong, which of the reasons it is and what to do.

use chrono::{DateTime, Utc};
use serde::Serialize;

use adkeep_core::Error;
use adkeep_core::problem::{self, Problem};

use adkeep_core::logins::LoginId;

use super::args::Scope;
use super::terminal::print_either;
use crate::backend::{Backend, Connection, Link};
use crate::secrets::Vault;

#[derive(Debug, Clone, Serialize)]
pub struct TokenReport {
    /// `null` when it could not be checked (offline, Meta unavailable).
    pub valid: Option<bool>,
    pub expires_at: Option<DateTime<Utc>>,
    pub data_access_expires_at: Option<DateTime<Utc>>,
    pub scopes: Vec<String>,
    pub declined: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemReport {
    /// One of the reason ids in DESIGN.md, or `not_connected` when there is no login at all.
    pub reason: String,
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    pub message: String,
    pub fbtrace_id: Option<String>,
    pub action: String,
    pub retry_at: Option<DateTime<Utc>>,
    pub title: String,
    pub explanation: String,
}

impl From<&Problem> for ProblemReport {
    fn from(p: &Problem) -> Self {
        let id = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        Self {
            reason: id(serde_json::to_value(p.reason).unwrap_or_default()),
            code: p.code,
            subcode: p.subcode,
            message: p.message.clone(),
            fbtrace_id: p.fbtrace_id.clone(),
            action: id(serde_json::to_value(p.action).unwrap_or_default()),
            retry_at: p.retry_at,
            title: p.title.clone(),
            explanation: p.explanation.clone(),
        }
    }
}

/// One login, checked.
#[derive(Debug, Clone, Serialize)]
pub struct LoginReport {
    pub id: LoginId,
    pub name: String,
    /// Who the token belongs to, when known.
    pub user: Option<adkeep_core::model::Profile>,
    pub token: TokenReport,
    pub problem: Option<ProblemReport>,
    /// Accounts it reaches, and those no other login reaches.
    pub accounts: usize,
    pub only: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// The login that needs the person most (the only one, when there is
    /// one): kept at the top for scripts written for a single login.
    pub token: TokenReport,
    pub problem: Option<ProblemReport>,
    pub user: Option<adkeep_core::model::Profile>,
    /// Every login checked (or the one `--login` named).
    pub logins: Vec<LoginReport>,
    /// Accounts by their most severe reason for attention (as last refreshed).
    pub attention: adkeep_core::attention::Counts,
    /// Alert destinations: where each goes (never a secret) and how it goes.
    pub alerts: Vec<AlertReport>,
    /// What keeps Adkeep from keeping what it reads (a full disk, a history
    /// it cannot write).
    pub storage: Vec<String>,
}

/// One alert destination's health.
#[derive(Debug, Clone, Serialize)]
pub struct AlertReport {
    pub id: String,
    pub target: String,
    /// Why it refuses deliveries, when it does.
    pub failing: Option<String>,
    pub pending: usize,
    pub last_sent: Option<DateTime<Utc>>,
}

impl From<&adkeep_core::alerts::Kept> for AlertReport {
    fn from(k: &adkeep_core::alerts::Kept) -> Self {
        Self {
            id: k.destination.id.clone(),
            target: k.destination.target.describe(),
            failing: k.failing.clone(),
            pending: k.pending,
            last_sent: k.last_sent,
        }
    }
}

impl LoginReport {
    fn human(&self, out: &mut String) {
        let valid = match self.token.valid {
            Some(true) => "valid",
            Some(false) => "not valid",
            None => "could not be checked",
        };
        out.push_str(&format!("Token:      {valid}\n"));
        if let Some(user) = &self.user {
            out.push_str(&format!("User:       {} ({})\n", user.name, user.id));
        }
        let when = |t: Option<DateTime<Utc>>| {
            t.map_or_else(
                || "unknown".to_owned(),
                |t| {
                    format!(
                        "{} ({} days)",
                        t.format("%Y-%m-%d %H:%M UTC"),
                        (t - Utc::now()).num_days()
                    )
                },
            )
        };
        out.push_str(&format!("Expires:    {}\n", when(self.token.expires_at)));
        out.push_str(&format!(
            "Data until: {}\n",
            when(self.token.data_access_expires_at)
        ));
        if !self.token.scopes.is_empty() {
            out.push_str(&format!("Scopes:     {}\n", self.token.scopes.join(", ")));
        }
        if !self.token.declined.is_empty() {
            out.push_str(&format!("Declined:   {}\n", self.token.declined.join(", ")));
        }
        out.push_str(&format!(
            "Accounts:   {} ({} only through this login)\n",
            self.accounts, self.only
        ));
        problem_lines(self.problem.as_ref(), out);
    }
}

fn problem_lines(problem: Option<&ProblemReport>, out: &mut String) {
    let Some(p) = problem else {
        out.push_str("Problem:    none\n");
        return;
    };
    out.push_str(&format!("Problem:    {} [{}]\n", p.title, p.reason));
    out.push_str(&format!("            {}\n", p.explanation));
    out.push_str(&format!("Action:     {}\n", p.action));
    if let Some(at) = p.retry_at {
        out.push_str(&format!(
            "Retry at:   {}\n",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    if p.code.is_some() || p.fbtrace_id.is_some() {
        out.push_str(&format!(
            "Details:    code {} subcode {} fbtrace_id {}\n",
            p.code.map_or("—".into(), |c| c.to_string()),
            p.subcode.map_or("—".into(), |c| c.to_string()),
            p.fbtrace_id.as_deref().unwrap_or("—")
        ));
    }
}

impl DoctorReport {
    pub fn human(&self) -> String {
        let mut out = String::new();
        match self.logins.as_slice() {
            [] => problem_lines(self.problem.as_ref(), &mut out),
            [one] => one.human(&mut out),
            several => {
                for login in several {
                    out.push_str(&format!("== {} ({})\n", login.name, login.id));
                    login.human(&mut out);
                    out.push('\n');
                }
            }
        }
        let a = &self.attention;
        out.push_str(&format!(
            "Attention:  {} blocking · {} warning · {} info · {} set aside\n",
            a.blocking, a.warning, a.info, a.set_aside
        ));
        for trouble in &self.storage {
            out.push_str(&format!("Storage:    {trouble}\n"));
        }
        for alert in &self.alerts {
            let state = match &alert.failing {
                Some(why) => format!("FAILING ({why})"),
                None => "ok".to_owned(),
            };
            out.push_str(&format!(
                "Alerts:     {} {}: {state}, {} pending\n",
                alert.id, alert.target, alert.pending
            ));
        }
        out
    }

    /// Something is wrong with a login (or there is none), or an alert
    /// destination is failing.
    pub fn has_problem(&self) -> bool {
        self.problem.is_some()
            || self.logins.iter().any(|l| l.problem.is_some())
            || self.alerts.iter().any(|a| a.failing.is_some())
            || !self.storage.is_empty()
    }
}

fn not_connected() -> ProblemReport {
    ProblemReport {
        reason: "not_connected".to_owned(),
        code: None,
        subcode: None,
        message: "No Facebook login is stored and ADKEEP_ACCESS_TOKEN is not set".to_owned(),
        fbtrace_id: None,
        action: "reauthenticate".to_owned(),
        retry_at: None,
        title: "Not connected to Facebook".to_owned(),
        explanation: "Open Adkeep and use Reauthenticate to log in, or set ADKEEP_ACCESS_TOKEN."
            .to_owned(),
    }
}

fn no_token(name: &str) -> ProblemReport {
    ProblemReport {
        message: format!("No token is stored for {name}"),
        title: format!("{name} has no token here"),
        explanation: format!("Reauthenticate {name} in Adkeep's Settings."),
        ..not_connected()
    }
}

/// Checks every login's token against Meta (or the one `only` names) and
/// records what it learned in the book.
pub async fn run(backend: &Backend, only: Option<&LoginId>) -> DoctorReport {
    let mut report = DoctorReport {
        token: unknown_token(),
        problem: None,
        user: None,
        logins: Vec::new(),
        attention: backend.attention_counts(),
        alerts: backend
            .destinations()
            .unwrap_or_default()
            .iter()
            .map(AlertReport::from)
            .collect(),
        storage: backend.storage_check(),
    };
    let connection = match backend.connection().await {
        Ok(c) => Some(c),
        Err(Error::NotConnected) => None,
        Err(e) => {
            report.problem = Some(ProblemReport {
                reason: "app_changed".to_owned(),
                action: "refresh".to_owned(),
                message: e.to_string(),
                title: "Adkeep's settings are not usable".to_owned(),
                explanation: e.to_string(),
                ..not_connected()
            });
            return report;
        }
    };
    let logins = logins_to_check(backend, connection.as_deref());
    for login in logins.iter().filter(|l| only.is_none_or(|o| o == *l)) {
        let link = connection.as_ref().and_then(|c| c.link(login));
        let checked = match (link, &connection) {
            (Some(link), Some(c)) => check(backend, c, link).await,
            _ => offline_report(backend, login),
        };
        report.logins.push(checked);
    }
    backend.persist_now();
    report.lead_with_the_worst();
    report
}

/// `doctor` as a command: the report as text or JSON; 1 when something is wrong.
pub async fn command(scope: Scope, json: bool) -> Result<i32, Error> {
    let backend = super::open()?;
    let login = scope.resolve(&backend)?;
    let report = run(&backend, login.as_ref()).await;
    print_either(json, &report, DoctorReport::human)?;
    Ok(if report.has_problem() { 1 } else { 0 })
}

/// Every login with a token, and (unless tokens come from the environment)
/// the logins without one here too.
fn logins_to_check(backend: &Backend, connection: Option<&Connection>) -> Vec<LoginId> {
    let book = backend.session().book();
    let Some(connection) = connection else {
        return book.logins.keys().cloned().collect();
    };
    let mut ids: Vec<LoginId> = connection.links.iter().map(|l| l.login.clone()).collect();
    if !adkeep_core::config::has_env_tokens() {
        let without: Vec<LoginId> = book
            .logins
            .keys()
            .filter(|id| !ids.contains(id))
            .cloned()
            .collect();
        ids.extend(without);
    }
    ids
}

impl DoctorReport {
    /// The top-level token, user and problem are the login's that needs the
    /// person most (the only one, with one login).
    fn lead_with_the_worst(&mut self) {
        let worst = self
            .logins
            .iter()
            .find(|l| l.problem.is_some())
            .or(self.logins.first())
            .cloned();
        match worst {
            Some(worst) => {
                self.token = worst.token;
                self.user = worst.user;
                self.problem = worst.problem;
            }
            None => {
                self.token.valid = Some(false);
                self.problem = Some(not_connected());
            }
        }
    }
}

fn unknown_token() -> TokenReport {
    TokenReport {
        valid: None,
        expires_at: None,
        data_access_expires_at: None,
        scopes: Vec::new(),
        declined: Vec::new(),
    }
}

/// A login without a token here: what the book knows, and that it has none.
fn offline_report(backend: &Backend, login: &LoginId) -> LoginReport {
    let mut report = login_report(backend, login);
    report.token.valid = Some(false);
    report.problem = Some(no_token(&report.name));
    report
}

/// A login as the book knows it, before checking.
fn login_report(backend: &Backend, id: &LoginId) -> LoginReport {
    let book = backend.session().book();
    let login = book.logins.get(id);
    LoginReport {
        id: id.clone(),
        name: login.map_or_else(|| id.to_string(), |l| l.name()),
        user: login.and_then(|l| l.profile.clone()),
        token: TokenReport {
            expires_at: login
                .and_then(|l| l.token.as_ref())
                .and_then(|t| t.expires_at),
            data_access_expires_at: login
                .and_then(|l| l.token.as_ref())
                .and_then(|t| t.data_access_expires_at),
            ..unknown_token()
        },
        problem: None,
        accounts: book.reached_by(id),
        only: book.reached_only_by(id),
    }
}

/// Checks one login's token: who it is, until when, with which scopes.
async fn check(backend: &Backend, connection: &Connection, link: &Link) -> LoginReport {
    let mut report = login_report(backend, &link.login);
    let engine = &link.interactive;
    let whose = match &link.unresolved {
        Some(problem) => Err(problem.clone()),
        None => engine.profile().await,
    };
    match whose {
        Ok(profile) => {
            report.token.valid = Some(true);
            report.user = Some(profile.clone());
            backend.session().book().login_mut(&link.login).profile = Some(profile);
        }
        Err(problem) => {
            report.token.valid =
                (!problem.reason.retries_by_itself()).then_some(!problem.reason.is_token_problem());
            backend
                .session()
                .set_login_problem(&link.login, Some(problem.clone()));
            report.problem = Some(ProblemReport::from(&problem));
            return report;
        }
    }
    // With the app secret, Meta says exactly when the token expires.
    if let Some(facts) = token_facts(backend, connection, link).await {
        record_expiry(backend, &link.login, &facts, &mut report);
    }
    check_permissions(backend, link, &mut report).await;
    report
}

/// What `debug_token` said of the token's lifetimes, in the report and the book.
fn record_expiry(
    backend: &Backend,
    login: &LoginId,
    facts: &adkeep_core::auth::TokenFacts,
    report: &mut LoginReport,
) {
    report.token.expires_at = facts.expires_at;
    report.token.data_access_expires_at = facts
        .data_access_expires_at
        .or(report.token.data_access_expires_at);
    let mut book = backend.session().book();
    let info = book
        .login_mut(login)
        .token
        .get_or_insert(adkeep_core::book::TokenInfo {
            obtained_at: Utc::now(),
            expires_at: None,
            data_access_expires_at: None,
        });
    info.expires_at = facts.expires_at;
    if facts.data_access_expires_at.is_some() {
        info.data_access_expires_at = facts.data_access_expires_at;
    }
}

/// The token's scopes, and a problem when it cannot read ads.
async fn check_permissions(backend: &Backend, link: &Link, report: &mut LoginReport) {
    match link.interactive.permissions().await {
        Ok(permissions) => {
            report.token.scopes = permissions.granted.clone();
            report.token.declined = permissions
                .declined
                .iter()
                .chain(&permissions.expired)
                .cloned()
                .collect();
            let missing = permissions.missing();
            let problem = (!permissions.can_read_ads())
                .then(|| problem::declined_scopes(&missing, Utc::now()));
            backend.session().book().login_mut(&link.login).permissions = Some(permissions);
            backend
                .session()
                .set_login_problem(&link.login, problem.clone());
            report.problem = problem.as_ref().map(ProblemReport::from);
        }
        Err(problem) => report.problem = Some(ProblemReport::from(&problem)),
    }
}

/// `debug_token` facts, when an app secret is stored (else `None`).
async fn token_facts(
    backend: &Backend,
    connection: &Connection,
    link: &Link,
) -> Option<adkeep_core::auth::TokenFacts> {
    let settings = backend.settings();
    if !settings.has_app_secret || settings.app_id.is_empty() {
        return None;
    }
    let secret = backend
        .with_vault(Vault::load_secret)
        .await
        .ok()
        .flatten()?;
    let http = adkeep_core::graph::client::http_client().ok()?;
    let token = link.interactive.client().token().clone();
    match adkeep_core::auth::debug_token(
        &http,
        &connection.endpoints,
        &settings.app_id,
        &secret,
        &token,
    )
    .await
    {
        Ok(facts) => Some(facts),
        Err(e) => {
            tracing::warn!("debug_token: {}", e.summary());
            None
        }
    }
}
