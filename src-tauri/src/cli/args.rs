//! The arguments commands share: which accounts (`--attention`), which
//! login (`--login`) and how far back (`--since`).

use adkeep_core::Error;
use adkeep_core::attention::Severity;
use adkeep_core::logins::LoginId;

use crate::backend::Backend;
use crate::views::AccountView;

/// Which accounts to print.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Only {
    /// Only accounts that need attention: `blocking`, `warning` (blocking or
    /// warning) or `any` (info too). Reasons set aside do not count.
    #[arg(long, value_enum)]
    pub attention: Option<AttentionFilter>,
}

/// How far back the history goes.
#[derive(Debug, Clone, clap::Args)]
pub struct Since {
    /// `24h`, `7d`, `90m`, or a time such as `2026-12-01T00:00:00Z`.
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
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
pub struct Scope {
    /// Only this login (its name, or its Facebook user id): the accounts it
    /// reaches, refreshed through it.
    #[arg(long, value_name = "NAME_OR_ID")]
    pub login: Option<String>,
}

impl Scope {
    pub fn resolve(&self, backend: &Backend) -> Result<Option<LoginId>, Error> {
        self.login
            .as_deref()
            .map(|raw| backend.known_login(raw))
            .transpose()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AttentionFilter {
    Blocking,
    Warning,
    Any,
}

impl Only {
    pub fn keeps(self, view: &AccountView) -> bool {
        let least = match self.attention {
            None => return true,
            Some(AttentionFilter::Blocking) => Severity::Blocking,
            Some(AttentionFilter::Warning) => Severity::Warning,
            Some(AttentionFilter::Any) => Severity::Info,
        };
        view.severity.is_some_and(|s| s >= least)
    }
}

impl Since {
    /// The history query for this span.
    pub fn query(&self) -> adkeep_core::history::Query {
        adkeep_core::history::Query {
            since: self.since,
            ..Default::default()
        }
    }
}

impl Only {
    /// The views this filter keeps.
    pub fn filter(self, views: Vec<AccountView>) -> Vec<AccountView> {
        views.into_iter().filter(|v| self.keeps(v)).collect()
    }
}
