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
    let span =
        parse_span(raw).ok_or_else(|| format!("{raw:?}: use 24h, 7d, 90m or an RFC 3339 time"))?;
    Ok(chrono::Utc::now() - span)
}

/// `90s`, `30m`, `24h` or `7d` (a whole number and a unit, at most 100,000).
pub fn parse_span(raw: &str) -> Option<chrono::Duration> {
    let raw = raw.trim();
    let unit = raw.chars().last()?;
    let number = &raw[..raw.len() - unit.len_utf8()];
    let n: i64 = number.parse().ok().filter(|n| (0..=100_000).contains(n))?;
    match unit {
        's' => chrono::Duration::try_seconds(n),
        'm' => chrono::Duration::try_minutes(n),
        'h' => chrono::Duration::try_hours(n),
        'd' => chrono::Duration::try_days(n),
        _ => None,
    }
}

/// A span for `--every` and `--remind` (`30m`, `24h`).
pub fn parse_every(raw: &str) -> Result<std::time::Duration, String> {
    parse_span(raw)
        .and_then(|span| span.to_std().ok())
        .filter(|d| d.as_secs() >= 60)
        .ok_or_else(|| format!("{raw:?}: use a span of a minute or more, such as 30m, 3h or 1d"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_whole_units_and_refuse_the_rest() {
        assert_eq!(parse_span("90s"), chrono::Duration::try_seconds(90));
        assert_eq!(parse_span("24h"), chrono::Duration::try_hours(24));
        assert_eq!(parse_span(" 7d "), chrono::Duration::try_days(7));
        for bad in ["", "h", "2é", "é", "-1h", "1.5h", "100001d", "10w", "1 h"] {
            assert_eq!(parse_span(bad), None, "{bad:?}");
        }
        assert!(parse_every("30s").is_err(), "under a minute");
        assert_eq!(parse_every("30m").unwrap().as_secs(), 1800);
        assert!(parse_since("2é").is_err());
    }
}
