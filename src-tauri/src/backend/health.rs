//! Health at a glance and what is worth a notification: the login's health
//! (broken, expiring, recovered) and, after each refresh-all, the blocking
//! and warning reasons that newly appeared — one notification per refresh,
//! never for info, never for what the person acknowledged, snoozed or muted.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use serde::Serialize;

use adkeep_core::attention::{Counts, Severity};
use adkeep_core::graph::AccountId;
use adkeep_core::session;

use super::{ActiveMode, Backend, lock};
use crate::views::TokenHealth;

/// How close the login is to expiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenWarning {
    None,
    /// Within 7 days.
    Week,
    /// Within a day.
    Day,
}

/// Days left and the warning level (7 days, 1 day).
pub fn token_health(
    expires_at: Option<chrono::DateTime<Utc>>,
    data_access_expires_at: Option<chrono::DateTime<Utc>>,
) -> TokenHealth {
    let now = Utc::now();
    let soonest = [expires_at, data_access_expires_at]
        .into_iter()
        .flatten()
        .min();
    let days_left = soonest.map(|t| (t - now).num_days());
    let warning = match soonest.map(|t| t - now) {
        Some(left) if left <= chrono::Duration::days(1) => TokenWarning::Day,
        Some(left) if left <= chrono::Duration::days(7) => TokenWarning::Week,
        _ => TokenWarning::None,
    };
    TokenHealth {
        expires_at,
        data_access_expires_at,
        days_left,
        warning,
    }
}

/// The app's health at a glance (the tray icon, its tooltip and status line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    Attention,
    Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub level: Level,
    /// The menu's status line.
    pub status: String,
    pub tooltip: String,
}

/// What counts before a refresh: the accounts known, and the reasons that
/// count (blocking and warning, not set aside) by account and key, with
/// what each says.
#[derive(Debug, Default)]
pub struct Notable {
    known: BTreeSet<AccountId>,
    reasons: BTreeMap<(AccountId, String), (Severity, String)>,
}

impl Backend {
    /// Accounts by their most severe reason left.
    pub fn attention_counts(&self) -> Counts {
        let accounts: Vec<_> = self.session.book().accounts.values().cloned().collect();
        let views = self.views(accounts);
        crate::views::AccountView::counts(&views)
    }

    /// What counts now (see `Notable`).
    pub fn notable(&self) -> Notable {
        let accounts: Vec<_> = self.session.book().accounts.values().cloned().collect();
        let mut notable = Notable::default();
        for view in self.views(accounts) {
            for flag in view.attention.iter().filter(|f| f.counts()) {
                let text = format!("{}: {}", view.account.name, flag.text);
                notable.reasons.insert(
                    (view.account.id.clone(), flag.key.clone()),
                    (flag.severity, text),
                );
            }
            notable.known.insert(view.account.id);
        }
        notable
    }

    /// One notification for the reasons that newly count since `before`
    /// (new, or saying something new).
    pub(super) fn tell_news(&self, before: &Notable) {
        // A broken login is told once by the login's own health notification,
        // not again for each account it stopped.
        let login_broke = self
            .session
            .token_problem()
            .is_some_and(|p| session::opens_problem_page(&p));
        let now = self.notable();
        let news: Vec<News<'_>> = now
            .reasons
            .iter()
            // Accounts new to the list are shown as new, not notified.
            .filter(|((id, _), _)| before.known.contains(id))
            .filter(|((_, key), _)| !(login_broke && key == "refresh_failed"))
            .filter(|(key, (_, text))| before.reasons.get(*key).is_none_or(|(_, was)| was != text))
            .map(|((id, _), (severity, text))| News {
                account: id,
                severity: *severity,
                text,
            })
            .collect();
        if news.is_empty() || !self.settings().notifications {
            return;
        }
        let (title, body) = digest(&news);
        self.events.notify(&title, &body);
    }

    /// Health at a glance, for the tray.
    pub fn overview(&self) -> Overview {
        let (problem, token, empty, last) = {
            let book = self.session.book();
            let last = book.last_full_refresh.map_or_else(
                || "not refreshed yet".to_owned(),
                |t| {
                    format!(
                        "refreshed {}",
                        t.with_timezone(&chrono::Local).format("%H:%M")
                    )
                },
            );
            let problem = book
                .token_problem
                .clone()
                .filter(session::opens_problem_page);
            let token = book
                .token
                .as_ref()
                .map(|t| token_health(t.expires_at, t.data_access_expires_at));
            (problem, token, book.is_empty(), last)
        };
        if let Some(problem) = problem {
            return Overview {
                level: Level::Problem,
                tooltip: format!("Adkeep — {}", problem.title),
                status: format!("Problem: {}", problem.title),
            };
        }
        let counts = self.attention_counts();
        let mut parts = Vec::new();
        if let Some(health) = token.filter(|h| h.warning != TokenWarning::None) {
            parts.push(format!(
                "Login expires in {} days",
                health.days_left.unwrap_or(0).max(0)
            ));
        }
        parts.extend(counts.summary());
        let level = if parts.is_empty() {
            Level::Ok
        } else {
            Level::Attention
        };
        if parts.is_empty() {
            parts.push(if empty && self.mode() == ActiveMode::Unconfigured {
                "Not connected yet".to_owned()
            } else if empty {
                "No ad accounts yet".to_owned()
            } else {
                "Nothing needs you".to_owned()
            });
        }
        parts.push(last);
        if lock(&self.status).running {
            parts.insert(0, "Refreshing…".to_owned());
        }
        let status = parts.join(" · ");
        Overview {
            level,
            tooltip: format!("Adkeep — {status}"),
            status,
        }
    }
}

/// A reason that newly counts.
struct News<'a> {
    account: &'a AccountId,
    severity: Severity,
    text: &'a str,
}

/// A title and a body for newly counting reasons, blocking first.
fn digest(news: &[News<'_>]) -> (String, String) {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let blocked: std::collections::BTreeSet<&AccountId> = news
        .iter()
        .filter(|n| n.severity == Severity::Blocking)
        .map(|n| n.account)
        .collect();
    let warnings = news
        .iter()
        .filter(|n| n.severity == Severity::Warning)
        .count();
    let mut parts = Vec::new();
    if !blocked.is_empty() {
        parts.push(format!(
            "{} blocked",
            plural(blocked.len(), "account", "accounts")
        ));
    }
    if warnings > 0 {
        parts.push(plural(warnings, "new warning", "new warnings"));
    }
    let title = format!("Adkeep: {}", parts.join(" · "));
    let mut sorted: Vec<&News<'_>> = news.iter().collect();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.severity));
    let mut lines: Vec<String> = sorted.iter().take(3).map(|n| n.text.to_owned()).collect();
    if news.len() > 3 {
        lines.push(format!("and {} more", news.len() - 3));
    }
    (title, lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_health_warns_at_a_week_and_a_day() {
        let now = Utc::now();
        let warning = |e, d| token_health(e, d).warning;
        assert_eq!(
            warning(Some(now + chrono::Duration::days(30)), None),
            TokenWarning::None
        );
        assert_eq!(
            warning(Some(now + chrono::Duration::days(6)), None),
            TokenWarning::Week
        );
        assert_eq!(
            warning(None, Some(now + chrono::Duration::hours(3))),
            TokenWarning::Day
        );
        assert_eq!(token_health(None, None).days_left, None);
    }

    #[test]
    fn a_digest_puts_what_blocks_first_and_stays_short() {
        let ids: Vec<AccountId> = (1..=4)
            .map(|n| AccountId::parse(&n.to_string()).unwrap())
            .collect();
        let news = [
            News {
                account: &ids[1],
                severity: Severity::Warning,
                text: "Beta: Dataset “Shop” stopped receiving events",
            },
            News {
                account: &ids[0],
                severity: Severity::Blocking,
                text: "Acme: Account is disabled",
            },
            News {
                account: &ids[0],
                severity: Severity::Blocking,
                text: "Acme: Your login no longer reaches this account",
            },
            News {
                account: &ids[2],
                severity: Severity::Warning,
                text: "Gamma: Dataset “Blog” is unavailable",
            },
            News {
                account: &ids[3],
                severity: Severity::Warning,
                text: "Delta: Payment pending",
            },
        ];
        let (title, body) = digest(&news);
        assert_eq!(title, "Adkeep: 1 account blocked · 3 new warnings");
        assert!(body.starts_with("Acme: Account is disabled"), "{body}");
        assert!(body.ends_with("and 2 more"), "{body}");
    }
}
