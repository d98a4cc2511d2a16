//! `adkeep doctor`: is the token valid, until when, with which scopes, and if
//! something is wrong, which of the reasons it is and what to do.

use chrono::{DateTime, Utc};
use serde::Serialize;

use adkeep_core::Error;
use adkeep_core::problem::{self, Problem};

use crate::backend::Backend;
use crate::vault::Vault;

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

#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    pub token: TokenReport,
    pub problem: Option<ProblemReport>,
    /// Who the token belongs to, when known.
    pub user: Option<adkeep_core::model::Profile>,
    /// Accounts by their most severe reason for attention (as last refreshed).
    pub attention: adkeep_core::attention::Counts,
}

impl DoctorReport {
    pub fn human(&self) -> String {
        let mut out = String::new();
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
        let a = &self.attention;
        out.push_str(&format!(
            "Attention:  {} blocking · {} warning · {} info · {} set aside\n",
            a.blocking, a.warning, a.info, a.set_aside
        ));
        match &self.problem {
            None => out.push_str("Problem:    none\n"),
            Some(p) => {
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
        }
        out
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

/// Checks the token against Meta and records what it learned in the book.
pub async fn run(backend: &Backend) -> DoctorReport {
    let book = backend.session().snapshot();
    let mut report = DoctorReport {
        token: TokenReport {
            valid: None,
            expires_at: book.token.as_ref().and_then(|t| t.expires_at),
            data_access_expires_at: book.token.as_ref().and_then(|t| t.data_access_expires_at),
            scopes: Vec::new(),
            declined: Vec::new(),
        },
        problem: None,
        user: book.profile.clone(),
        attention: backend.attention_counts(),
    };
    let connection = match backend.connection().await {
        Ok(c) => c,
        Err(Error::NotConnected) => {
            report.token.valid = Some(false);
            report.problem = Some(not_connected());
            return report;
        }
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
    let engine = &connection.interactive;
    match engine.profile().await {
        Ok(profile) => {
            report.token.valid = Some(true);
            report.user = Some(profile.clone());
            backend.set_profile(profile);
        }
        Err(problem) => {
            report.token.valid =
                (!problem.reason.retries_by_itself()).then_some(!problem.reason.is_token_problem());
            backend.session().set_token_problem(Some(problem.clone()));
            backend.persist_now();
            report.problem = Some(ProblemReport::from(&problem));
            return report;
        }
    }
    // With the app secret, Meta says exactly when the token expires.
    if let Some(facts) = token_facts(backend, &connection).await {
        report.token.expires_at = facts.expires_at;
        report.token.data_access_expires_at = facts
            .data_access_expires_at
            .or(report.token.data_access_expires_at);
        let mut book = backend.session().book();
        let info = book.token.get_or_insert(adkeep_core::book::TokenInfo {
            obtained_at: Utc::now(),
            expires_at: None,
            data_access_expires_at: None,
        });
        info.expires_at = facts.expires_at;
        if facts.data_access_expires_at.is_some() {
            info.data_access_expires_at = facts.data_access_expires_at;
        }
    }
    match engine.permissions().await {
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
            backend.session().book().permissions = Some(permissions);
            backend.session().set_token_problem(problem.clone());
            report.problem = problem.as_ref().map(ProblemReport::from);
        }
        Err(problem) => report.problem = Some(ProblemReport::from(&problem)),
    }
    backend.persist_now();
    report
}

/// `debug_token` facts, when an app secret is stored (else `None`).
async fn token_facts(
    backend: &Backend,
    connection: &crate::backend::Connection,
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
    let token = connection.interactive.client().token().clone();
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
