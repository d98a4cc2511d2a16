//! Alert destinations as the window shows them: where each goes (never a
//! secret), its rules, how its deliveries go; and the header's summary.

use chrono::{DateTime, Utc};
use serde::Serialize;

use adkeep_core::alerts::{Kept, Rules, Target};

/// One destination in Settings → Alerts.
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    pub id: String,
    /// `slack`, `teams`, `webhook` or `email`.
    pub kind: &'static str,
    /// Where it goes, in words, without a secret.
    pub target: String,
    pub rules: Rules,
    /// What the edit form shows again (nothing secret: not Slack's or
    /// Teams' URL, no signing secret, no password).
    pub form: FormFields,
    pub failing: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub pending: usize,
    pub last_sent: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The non-secret fields of a destination, for its edit form.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FormFields {
    pub url: String,
    pub has_secret: bool,
    pub smtp: String,
    pub to: Vec<String>,
    pub from: String,
    pub user: String,
}

impl From<&Kept> for AlertView {
    fn from(k: &Kept) -> Self {
        let d = &k.destination;
        Self {
            id: d.id.clone(),
            kind: d.target.kind(),
            target: d.target.describe(),
            rules: d.rules.clone(),
            form: form_fields(&d.target),
            failing: k.failing.clone(),
            failing_since: k.failing_since,
            pending: k.pending,
            last_sent: k.last_sent,
            last_error: k.last_error.clone(),
        }
    }
}

fn form_fields(target: &Target) -> FormFields {
    match target {
        Target::Slack { .. } | Target::Teams { .. } => FormFields::default(),
        Target::Webhook { url, secret } => FormFields {
            url: url.clone(),
            has_secret: secret.is_some(),
            ..FormFields::default()
        },
        Target::Email {
            smtp,
            to,
            from,
            user,
            password,
        } => FormFields {
            smtp: smtp_url(smtp),
            to: to.clone(),
            from: from.clone(),
            user: user.clone().unwrap_or_default(),
            has_secret: password.is_some(),
            ..FormFields::default()
        },
    }
}

fn smtp_url(smtp: &adkeep_core::alerts::destination::Smtp) -> String {
    use adkeep_core::alerts::destination::SmtpSecurity;
    let scheme = match smtp.security {
        SmtpSecurity::ImplicitTls => "smtps",
        SmtpSecurity::StartTls | SmtpSecurity::Loopback => "smtp",
    };
    format!("{scheme}://{}:{}", smtp.host, smtp.port)
}

/// What the header says of alerts: the destinations that are failing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertsSummary {
    pub destinations: usize,
    pub pending: usize,
    pub failing: Vec<AlertView>,
}

impl AlertsSummary {
    pub fn of(kept: &[Kept]) -> Self {
        Self {
            destinations: kept.len(),
            pending: kept.iter().map(|k| k.pending).sum(),
            failing: kept
                .iter()
                .filter(|k| k.failing.is_some())
                .map(AlertView::from)
                .collect(),
        }
    }
}
