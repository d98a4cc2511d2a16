//! Health at a glance and what is worth a notification: each login's health
//! (broken, expiring, recovered) and, after each refresh-all, the blocking
//! and warning reasons that newly appeared — one notification per refresh,
//! never for info, never for what the person acknowledged, snoozed or muted.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use serde::Serialize;

use adkeep_core::attention::{self, Counts, SetAside, Severity};
use adkeep_core::graph::AccountId;
use adkeep_core::logins::{Login, Told};

use super::Backend;

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

/// Token lifetime as learned at login (or from `debug_token`).
#[derive(Debug, Clone, Serialize)]
pub struct TokenHealth {
    pub expires_at: Option<chrono::DateTime<Utc>>,
    pub data_access_expires_at: Option<chrono::DateTime<Utc>>,
    /// Whole days left before the token expires.
    pub days_left: Option<i64>,
    pub warning: TokenWarning,
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

/// What counts before a refresh: the accounts known, and the reasons that
/// count (blocking and warning, not set aside) by account and key, with
/// what each says.
#[derive(Debug, Default)]
pub struct Notable {
    known: BTreeSet<AccountId>,
    /// By account and key: how severe, what it is (its fingerprint: a
    /// forecast's day count changes daily, its level only on a crossing),
    /// and its words.
    reasons: BTreeMap<(AccountId, String), (Severity, String, String)>,
}

impl Backend {
    /// Accounts by their most severe reason left.
    pub fn attention_counts(&self) -> Counts {
        Counts::of(self.every_flag().iter().map(Vec::as_slice))
    }

    /// Accounts whose cap or prepaid funds stop (or stopped) their ads,
    /// counted as the list counts them (not set aside).
    pub fn money_at_risk(&self) -> usize {
        self.every_flag()
            .iter()
            .filter(|flags| {
                flags.iter().any(|f| {
                    f.counts()
                        && matches!(
                            f.attention,
                            adkeep_core::attention::Attention::SpendCap { .. }
                                | adkeep_core::attention::Attention::PrepaidFunds { .. }
                        )
                })
            })
            .count()
    }

    /// What counts now (see `Notable`).
    pub fn notable(&self) -> Notable {
        let settings = self.settings();
        let book = self.session.book();
        let aside = SetAside::new(&book.dismissed, &settings);
        let now = Utc::now();
        let mut notable = Notable::default();
        for account in book.accounts.values() {
            for flag in attention::flags(account, aside, now)
                .iter()
                .filter(|f| f.counts())
            {
                let text = format!("{}: {}", account.name, flag.text);
                notable.reasons.insert(
                    (account.id.clone(), flag.key.clone()),
                    (flag.severity, flag.attention.fingerprint(), text),
                );
            }
            notable.known.insert(account.id.clone());
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
            .book()
            .logins
            .values()
            .any(|l| l.broken_because().is_some());
        let now = self.notable();
        let news: Vec<News<'_>> = now
            .reasons
            .iter()
            // Accounts new to the list are shown as new, not notified.
            .filter(|((id, _), _)| before.known.contains(id))
            .filter(|((_, key), _)| !(login_broke && key == "refresh_failed"))
            .filter(|(key, (_, print, _))| {
                before
                    .reasons
                    .get(*key)
                    .is_none_or(|(_, was, _)| was != print)
            })
            .map(|((id, _), (severity, _, text))| News {
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

    /// Tells the person (OS notification) when a login's health changes:
    /// healthy to broken, broken to healthy, and expiry within 7 days, then 1
    /// day. Never once per refresh.
    pub(super) fn review_health(&self) {
        let several = self.session.book().logins.len() > 1;
        let mut news = Vec::new();
        {
            let mut book = self.session.book();
            for login in book.logins.values_mut() {
                let now = told(login);
                let before = login.notified.replace(now);
                if before == Some(now) {
                    continue;
                }
                // Starting up healthy, or recovering from a mere warning, is not news.
                let is_news = match before {
                    _ if now != Told::Ok => true,
                    Some(Told::Broken(_)) => true,
                    _ => false,
                };
                if is_news {
                    news.push(health_message(login, now, several));
                }
            }
        }
        if !self.settings().notifications {
            return;
        }
        for (title, body) in news {
            self.events.notify(&title, &body);
        }
    }
}

/// A login's health now, as the notifications speak of it.
fn told(login: &Login) -> Told {
    login.health(Utc::now())
}

/// A title and a body for a login's new health. With one login, it is
/// "your Facebook login"; with several, the login is named.
fn health_message(login: &Login, now: Told, several: bool) -> (String, String) {
    let whose = if several {
        format!("{}'s Facebook login", login.name())
    } else {
        "your Facebook login".to_owned()
    };
    match now {
        Told::Broken(_) => {
            let problem = login.problem.as_ref();
            let title =
                problem.map_or_else(|| "Facebook login broken".to_owned(), |p| p.title.clone());
            let mut body = problem.map(|p| p.explanation.clone()).unwrap_or_default();
            if several {
                body = format!("{}: {body} The other logins keep refreshing.", login.name());
            }
            (format!("Adkeep: {title}"), body)
        }
        Told::ExpiresDay => (
            format!("Adkeep: {whose} expires within a day"),
            "Reauthenticate now to keep its ad accounts refreshing.".to_owned(),
        ),
        Told::ExpiresWeek => {
            let days = login
                .token
                .as_ref()
                .and_then(|t| token_health(t.expires_at, t.data_access_expires_at).days_left)
                .unwrap_or(7)
                .max(1);
            (
                format!("Adkeep: {whose} expires in {days} days"),
                "Reauthenticate before then to avoid an interruption.".to_owned(),
            )
        }
        Told::Ok if several => (
            format!("Adkeep: {} is connected again", login.name()),
            "Its ad accounts refresh normally.".to_owned(),
        ),
        Told::Ok => (
            "Adkeep is connected again".to_owned(),
            "Your ad accounts refresh normally.".to_owned(),
        ),
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
