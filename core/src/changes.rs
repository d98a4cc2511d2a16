//! What changed between two states of the account book: the events the
//! history records after every refresh ("Account 0042: active → disabled",
//! "Jane Doe's login: ok → expired"). Pure: the book before, the book after.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ads::{AdCounts, AdLimit, LimitLevel};
use crate::attention::{Attention, EXPECTED_TOS};
use crate::book::AccountBook;
use crate::forecast::{MoneyAlerts, MoneyLevel};
use crate::graph::ids::AccountId;
use crate::logins::{LoginId, Told};
use crate::model::{Account, AccountStatus, DatasetHealth, Reach};

/// What kind of change an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// An account appeared after an earlier listing.
    AccountAdded,
    /// No login reaches the account any more.
    AccountLost,
    /// A lost account is reachable again.
    AccountBack,
    Status,
    DisableReason,
    DatasetStopped,
    DatasetResumed,
    TosMissing,
    TosAccepted,
    /// The person's role on the account.
    Role,
    /// A login's health (ok, expiring within a week or a day, broken).
    LoginHealth,
    /// A spending cap or prepaid funds crossed a threshold.
    Money,
    /// Alerts a destination never took were dropped after a week (`from`:
    /// how many, `to`: the destination).
    AlertsDropped,
    /// How many ads are disapproved (`from` → `to`, counts).
    AdsDisapproved,
    AdsWithIssues,
    AdsPendingBilling,
    /// Where the account stands against its ad limit (`clear`, `lowering`,
    /// `near`, `reached`).
    AdLimit,
}

impl ChangeKind {
    pub const ALL: [Self; 17] = [
        Self::AccountAdded,
        Self::AccountLost,
        Self::AccountBack,
        Self::Status,
        Self::DisableReason,
        Self::DatasetStopped,
        Self::DatasetResumed,
        Self::TosMissing,
        Self::TosAccepted,
        Self::Role,
        Self::LoginHealth,
        Self::Money,
        Self::AlertsDropped,
        Self::AdsDisapproved,
        Self::AdsWithIssues,
        Self::AdsPendingBilling,
        Self::AdLimit,
    ];

    /// Its name in the history database and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Self::AccountAdded => "account_added",
            Self::AccountLost => "account_lost",
            Self::AccountBack => "account_back",
            Self::Status => "status",
            Self::DisableReason => "disable_reason",
            Self::DatasetStopped => "dataset_stopped",
            Self::DatasetResumed => "dataset_resumed",
            Self::TosMissing => "tos_missing",
            Self::TosAccepted => "tos_accepted",
            Self::Role => "role",
            Self::LoginHealth => "login_health",
            Self::Money => "money",
            Self::AlertsDropped => "alerts_dropped",
            Self::AdsDisapproved => "ads_disapproved",
            Self::AdsWithIssues => "ads_with_issues",
            Self::AdsPendingBilling => "ads_pending_billing",
            Self::AdLimit => "ad_limit",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub account_id: Option<AccountId>,
    /// The account's name when the change was seen.
    pub account_name: Option<String>,
    pub login: Option<LoginId>,
    pub kind: ChangeKind,
    pub from: Option<String>,
    pub to: Option<String>,
    /// It got worse (what a notification after a scheduled check tells).
    pub worse: bool,
}

impl Change {
    fn account(account: &Account, kind: ChangeKind, at: DateTime<Utc>) -> Self {
        Self {
            at,
            account_id: Some(account.id.clone()),
            account_name: Some(account.name.clone()),
            login: None,
            kind,
            from: None,
            to: None,
            worse: false,
        }
    }

    fn went(mut self, from: impl Into<String>, to: impl Into<String>, worse: bool) -> Self {
        self.from = Some(from.into());
        self.to = Some(to.into());
        self.worse = worse;
        self
    }
}

/// Every change from `before` to `after` (the book before and after a
/// refresh). The very first listing is not a change: nothing is recorded
/// for an account that was not known before unless the book had been
/// listed before.
pub fn between(
    before: &AccountBook,
    after: &AccountBook,
    at: DateTime<Utc>,
    alerts: &MoneyAlerts,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (id, now) in &after.accounts {
        match before.accounts.get(id) {
            Some(was) => account_changes(was, now, at, alerts, &mut changes),
            None if before.listed_once && now.reach == Reach::Reachable => {
                changes.push(Change::account(now, ChangeKind::AccountAdded, at));
            }
            None => {}
        }
    }
    for (id, now) in &after.logins {
        let was = before.logins.get(id).map(|l| l.health(at));
        let is = now.health(at);
        if let Some(was) = was.filter(|was| *was != is) {
            changes.push(Change {
                at,
                account_id: None,
                account_name: None,
                login: Some(id.clone()),
                kind: ChangeKind::LoginHealth,
                from: Some(told_name(was)),
                to: Some(told_name(is)),
                worse: told_rank(is) > told_rank(was),
            });
        }
    }
    changes
}

fn account_changes(
    was: &Account,
    now: &Account,
    at: DateTime<Utc>,
    alerts: &MoneyAlerts,
    out: &mut Vec<Change>,
) {
    let change = |kind| Change::account(now, kind, at);
    match (was.reach, now.reach) {
        (Reach::Reachable, Reach::NoLongerAccessible) => out.push(Change {
            worse: true,
            ..change(ChangeKind::AccountLost)
        }),
        (Reach::NoLongerAccessible, Reach::Reachable) => out.push(change(ChangeKind::AccountBack)),
        _ => {}
    }
    // A row that failed to refresh keeps its old values: nothing to compare.
    if now.error.is_some() || now.refreshed_at == was.refreshed_at {
        return;
    }
    if was.status != now.status {
        let worse = status_rank(now.status) > status_rank(was.status);
        out.push(change(ChangeKind::Status).went(snake(&was.status), snake(&now.status), worse));
    } else if was.disable_reason != now.disable_reason {
        let worse = now.disable_reason != crate::model::DisableReason::None;
        out.push(change(ChangeKind::DisableReason).went(
            snake(&was.disable_reason),
            snake(&now.disable_reason),
            worse,
        ));
    }
    dataset_changes(was, now, at, out);
    tos_changes(was, now, at, out);
    let (role_was, role_is) = (role(&was.tasks), role(&now.tasks));
    if role_was != role_is {
        out.push(change(ChangeKind::Role).went(role_was.1, role_is.1, role_is.0 < role_was.0));
    }
    ad_changes(was, now, at, out);
    let (money_was, money_is) = (money_level(was, at, alerts), money_level(now, at, alerts));
    if money_was != money_is {
        let name = |l: Option<MoneyLevel>| l.map_or("none", money_name);
        out.push(change(ChangeKind::Money).went(
            name(money_was),
            name(money_is),
            money_is > money_was,
        ));
    }
}

/// Ads held back, counted both times, that changed in number ("3 ads
/// disapproved since yesterday": 9 → 12), and moves against the ad limit.
fn ad_changes(was: &Account, now: &Account, at: DateTime<Utc>, out: &mut Vec<Change>) {
    let change = |kind| Change::account(now, kind, at);
    if let (AdCounts::Counted(a), AdCounts::Counted(b)) = (&was.ads.counts, &now.ads.counts) {
        for (kind, before, after) in [
            (ChangeKind::AdsDisapproved, a.disapproved, b.disapproved),
            (ChangeKind::AdsWithIssues, a.with_issues, b.with_issues),
            (
                ChangeKind::AdsPendingBilling,
                a.pending_billing_info,
                b.pending_billing_info,
            ),
        ] {
            if before != after {
                out.push(change(kind).went(before.to_string(), after.to_string(), after > before));
            }
        }
    }
    if let (AdLimit::Known(a), AdLimit::Known(b)) = (&was.ads.limit, &now.ads.limit) {
        let (level_was, level_is) = (a.level(at.date_naive()), b.level(at.date_naive()));
        if level_was != level_is {
            out.push(change(ChangeKind::AdLimit).went(
                limit_name(level_was),
                limit_name(level_is),
                level_is > level_was,
            ));
        }
    }
}

fn limit_name(level: LimitLevel) -> &'static str {
    match level {
        LimitLevel::Clear => "clear",
        LimitLevel::Lowering => "lowering",
        LimitLevel::Near => "near",
        LimitLevel::Reached => "reached",
    }
}

/// Terms newly missing (worse) or newly accepted.
fn tos_changes(was: &Account, now: &Account, at: DateTime<Utc>, out: &mut Vec<Change>) {
    let change = |kind| Change::account(now, kind, at);
    for key in EXPECTED_TOS {
        let had = was.tos_accepted.iter().any(|k| k == key);
        let has = now.tos_accepted.iter().any(|k| k == key);
        if had && !has {
            out.push(Change {
                to: Some(key.to_owned()),
                worse: true,
                ..change(ChangeKind::TosMissing)
            });
        } else if !had && has {
            out.push(Change {
                to: Some(key.to_owned()),
                ..change(ChangeKind::TosAccepted)
            });
        }
    }
}

fn dataset_changes(was: &Account, now: &Account, at: DateTime<Utc>, out: &mut Vec<Change>) {
    let before: BTreeMap<&str, DatasetHealth> = was
        .datasets
        .iter()
        .map(|d| (d.id.as_str(), d.health(was.refreshed_at.unwrap_or(at))))
        .collect();
    for dataset in &now.datasets {
        let Some(health_was) = before.get(dataset.id.as_str()) else {
            continue;
        };
        let health_is = dataset.health(now.refreshed_at.unwrap_or(at));
        let stopped = |h: DatasetHealth| matches!(h, DatasetHealth::Stopped);
        let kind = if !stopped(*health_was) && stopped(health_is) {
            ChangeKind::DatasetStopped
        } else if stopped(*health_was) && matches!(health_is, DatasetHealth::Active) {
            ChangeKind::DatasetResumed
        } else {
            continue;
        };
        out.push(Change {
            to: Some(dataset.name.clone()),
            from: Some(dataset.id.clone()),
            worse: kind == ChangeKind::DatasetStopped,
            ..Change::account(now, kind, at)
        });
    }
}

/// How bad a status is for running ads (more is worse).
fn status_rank(status: AccountStatus) -> u8 {
    match status {
        AccountStatus::Active => 0,
        AccountStatus::PendingSettlement
        | AccountStatus::PendingRiskReview
        | AccountStatus::Unknown => 1,
        AccountStatus::InGracePeriod | AccountStatus::PendingClosure => 2,
        AccountStatus::Unsettled | AccountStatus::Disabled | AccountStatus::Closed => 3,
    }
}

fn told_rank(told: Told) -> u8 {
    match told {
        Told::Ok => 0,
        Told::ExpiresWeek => 1,
        Told::ExpiresDay => 2,
        Told::Broken(_) => 3,
    }
}

/// A login's health in the history's words (`ok`, `expires_within_a_day`,
/// `token_expired`, …).
pub fn told_name(told: Told) -> String {
    match told {
        Told::Ok => "ok".to_owned(),
        Told::ExpiresWeek => "expires_within_a_week".to_owned(),
        Told::ExpiresDay => "expires_within_a_day".to_owned(),
        Told::Broken(reason) => snake(&reason),
    }
}

/// The role the tasks give, ranked (more is more), and its name.
fn role(tasks: &[String]) -> (u8, &'static str) {
    let has = |t: &str| tasks.iter().any(|x| x == t);
    if has("MANAGE") {
        (4, "admin")
    } else if has("ADVERTISE") {
        (3, "advertiser")
    } else if has("ANALYZE") || has("AA_ANALYZE") {
        (2, "analyst")
    } else if tasks.is_empty() {
        (0, "none")
    } else {
        (1, "limited")
    }
}

/// The worst money level on the account (cap or funds), as the list judges it.
fn money_level(account: &Account, at: DateTime<Utc>, alerts: &MoneyAlerts) -> Option<MoneyLevel> {
    account
        .attention(at, alerts)
        .iter()
        .filter_map(|a| match a {
            Attention::SpendCap { level, .. } | Attention::PrepaidFunds { level, .. } => {
                Some(*level)
            }
            _ => None,
        })
        .max()
}

fn money_name(level: MoneyLevel) -> &'static str {
    match level {
        MoneyLevel::Soon => "soon",
        MoneyLevel::Urgent => "urgent",
        MoneyLevel::Out => "stopped",
    }
}

/// A serde enum's snake_case name (`AccountStatus::InGracePeriod` → `in_grace_period`).
fn snake<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
