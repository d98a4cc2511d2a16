//! What is worth an alert, and when it stops being one. Pure: the book as
//! it stands, what a destination was last told, and its rules in; the alerts
//! of this check and what the destination knows after it out.
//!
//! An account entering a reason at or above the destination's severity (or
//! moving to a different such reason) is `new`; leaving it is `resolved`;
//! a blocking reason still open after the destination's reminder time is a
//! `reminder`. The same state never alerts twice. A broken login alerts once
//! (not once per account it stopped). Reasons the person acknowledged,
//! snoozed or muted never alert.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::destination::Rules;
use super::words;
use crate::attention::{self, Attention, SetAside, Severity};
use crate::book::AccountBook;
use crate::graph::ids::AccountId;
use crate::logins::LoginId;
use crate::problem::Scope;
use crate::settings::Settings;

/// Something wrong right now, as an alert would name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// What it is about: `act_1:status`, `login:42`.
    pub key: String,
    /// What it says: a different fingerprint under the same key is a new state.
    pub fingerprint: String,
    pub subject: Subject,
    pub severity: Severity,
    /// The stable code (`payment_failed`, `login_token_expired`).
    pub reason: String,
    /// The reason in words.
    pub title: String,
    pub action: String,
    /// The logins it concerns (those that reach the account, or the login).
    pub logins: Vec<LoginId>,
    /// Acknowledged, snoozed or muted: never alerts.
    pub set_aside: bool,
}

/// What an alert is about: an account, or a whole login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub account_id: Option<AccountId>,
    pub account_name: Option<String>,
    /// The login's name (the one the account is read through, or the broken one).
    pub login: Option<String>,
}

/// Everything wrong in the book now, judged at `now`.
pub fn conditions(book: &AccountBook, settings: &Settings, now: DateTime<Utc>) -> Vec<Condition> {
    let aside = SetAside::new(&book.dismissed, settings);
    let mut found = login_conditions(book);
    for account in book.accounts.values() {
        let logins: Vec<LoginId> = account.logins.iter().map(|r| r.login.clone()).collect();
        let via = account
            .via
            .as_ref()
            .or(logins.first())
            .map(|id| login_name(book, id));
        for flag in attention::flags(account, aside, now) {
            // A failure of the whole login is told once, by the login.
            if is_login_failure(&flag.attention, account.error.as_ref().map(|p| p.scope)) {
                continue;
            }
            found.push(Condition {
                key: format!("{}:{}", account.id, flag.key),
                fingerprint: flag.attention.fingerprint(),
                subject: Subject {
                    account_id: Some(account.id.clone()),
                    account_name: Some(account.name.clone()),
                    login: via.clone(),
                },
                severity: flag.severity,
                reason: words::account_code(&flag.attention),
                action: words::account_action(&flag.attention, via.as_deref()),
                title: flag.text.clone(),
                logins: logins.clone(),
                set_aside: !flag.shown(),
            });
        }
    }
    found
}

fn is_login_failure(attention: &Attention, scope: Option<Scope>) -> bool {
    matches!(attention, Attention::RefreshFailed { reason, .. } if reason.is_token_problem())
        && scope == Some(Scope::Token)
}

/// One condition per broken login ("Sam Lee's login expired").
fn login_conditions(book: &AccountBook) -> Vec<Condition> {
    book.logins
        .values()
        .filter_map(|login| {
            let reason = login.broken_because()?;
            let name = login.name();
            Some(Condition {
                key: format!("login:{}", login.id),
                fingerprint: format!("{reason:?}"),
                subject: Subject {
                    account_id: None,
                    account_name: None,
                    login: Some(name.clone()),
                },
                severity: Severity::Blocking,
                reason: words::login_code(reason),
                title: format!("{name}'s {}", reason.of_login()),
                action: words::login_action(reason, &name),
                logins: vec![login.id.clone()],
                set_aside: false,
            })
        })
        .collect()
}

fn login_name(book: &AccountBook, id: &LoginId) -> String {
    book.logins
        .get(id)
        .map_or_else(|| id.to_string(), |l| l.name())
}

/// What a destination was told and is still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open {
    pub key: String,
    pub fingerprint: String,
    pub subject: Subject,
    pub severity: Severity,
    pub reason: String,
    pub title: String,
    pub action: String,
    /// When the destination was first told.
    pub since: DateTime<Utc>,
    /// When it was last told (the alert or its last reminder).
    pub told_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    New,
    Reminder,
    Resolved,
}

/// One line of a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub state: AlertState,
    pub severity: Severity,
    pub subject: Subject,
    pub reason: String,
    pub title: String,
    pub action: String,
    pub since: DateTime<Utc>,
}

/// A check's outcome for one destination.
#[derive(Debug, Default)]
pub struct Step {
    pub alerts: Vec<Alert>,
    /// What is open after this check (replaces what was).
    pub open: Vec<Open>,
}

impl Rules {
    /// Whether this destination wants to hear of `condition` at all.
    pub fn wants(&self, condition: &Condition) -> bool {
        let login_ok =
            self.logins.is_empty() || condition.logins.iter().any(|l| self.logins.contains(l));
        let account_ok = self.accounts.is_empty()
            || condition
                .subject
                .account_id
                .as_ref()
                .is_some_and(|a| self.accounts.contains(a));
        condition.severity >= self.min_severity && login_ok && account_ok
    }
}

/// The alerts of this check for a destination that knew `open`.
pub fn step(open: &[Open], now_wrong: &[Condition], rules: &Rules, now: DateTime<Utc>) -> Step {
    let mut next = Step::default();
    let wanted: Vec<&Condition> = now_wrong.iter().filter(|c| rules.wants(c)).collect();
    for condition in &wanted {
        let known = open.iter().find(|o| o.key == condition.key);
        match known {
            Some(was) if was.fingerprint == condition.fingerprint => {
                next.open
                    .push(remind_if_due(was, condition, rules, now, &mut next.alerts));
            }
            // Set aside in a new state: nothing said; what was told stays open.
            Some(was) if condition.set_aside => next.open.push(was.clone()),
            None if condition.set_aside => {}
            _ => {
                let told = opened(condition, now);
                next.alerts.push(told.alert(AlertState::New));
                next.open.push(told);
            }
        }
    }
    for was in open {
        if !wanted.iter().any(|c| c.key == was.key) && rules.send_resolved {
            next.alerts.push(was.alert(AlertState::Resolved));
        }
    }
    next.alerts
        .sort_by_key(|a| (a.state, std::cmp::Reverse(a.severity)));
    next
}

/// The open entry as it stands, and a reminder when one is due.
fn remind_if_due(
    was: &Open,
    condition: &Condition,
    rules: &Rules,
    now: DateTime<Utc>,
    alerts: &mut Vec<Alert>,
) -> Open {
    let mut open = Open {
        severity: condition.severity,
        title: condition.title.clone(),
        action: condition.action.clone(),
        subject: condition.subject.clone(),
        ..was.clone()
    };
    let due = rules.remind_after_secs.is_some_and(|secs| {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        (now - was.told_at).num_seconds() >= secs
    });
    if due && condition.severity == Severity::Blocking && !condition.set_aside {
        open.told_at = now;
        alerts.push(open.alert(AlertState::Reminder));
    }
    open
}

fn opened(condition: &Condition, now: DateTime<Utc>) -> Open {
    Open {
        key: condition.key.clone(),
        fingerprint: condition.fingerprint.clone(),
        subject: condition.subject.clone(),
        severity: condition.severity,
        reason: condition.reason.clone(),
        title: condition.title.clone(),
        action: condition.action.clone(),
        since: now,
        told_at: now,
    }
}

impl Open {
    fn alert(&self, state: AlertState) -> Alert {
        Alert {
            state,
            severity: self.severity,
            subject: self.subject.clone(),
            reason: self.reason.clone(),
            title: self.title.clone(),
            action: self.action.clone(),
            since: self.since,
        }
    }
}

#[cfg(test)]
#[path = "detect_tests.rs"]
mod tests;
