//! What about an account needs a person, and how much: every reason has a
//! severity (one table, `Attention::severity`), a key naming it on its
//! account, and a fingerprint of its content. A person can acknowledge a
//! reason (hidden until its content changes) or snooze it (hidden for a
//! while, or until it changes), and can mute a kind of reason for every
//! account in Settings. Counts, the tray and notifications use only what is
//! left: the blocking and warning reasons nobody set aside.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ads::{AdCounts, AdLimit, LimitLevel, LimitReading};
use crate::forecast::{self, Funds, MoneyAlerts, MoneyLevel, SpendChange};
use crate::graph::ids::AccountId;
use crate::model::{Account, AccountStatus, DatasetHealth, DisableReason, Reach};
use crate::problem::Reason;
pub use crate::settings::MutableKind;

/// The Terms of Service keys an advertiser needs for audiences and the pixel.
pub const EXPECTED_TOS: [&str; 2] = ["custom_audience_tos", "web_custom_audience_tos"];

/// How long a passing failure (offline, a hiccup, a rate limit) may last
/// before it blocks: after a day without fresh data, it is no blip.
pub const FAILING_TOO_LONG: Duration = Duration::days(1);

/// How much a reason matters. Ordered: `Blocking` is the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// True but often intended: shown on the row, not counted.
    Info,
    /// Will hurt soon, or hurts some campaigns.
    Warning,
    /// Ads cannot run, or the data cannot be read.
    Blocking,
}

/// Something about an account that a person should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attention {
    /// The account cannot run ads, or is under review or closing.
    Status {
        status: AccountStatus,
        disable_reason: DisableReason,
    },
    /// Payment failed (grace period) or is pending.
    Billing {
        status: AccountStatus,
    },
    /// The last refresh failed, for `reason`, with data as of `since`.
    RefreshFailed {
        reason: Reason,
        since: Option<DateTime<Utc>>,
    },
    NoLongerAccessible,
    DatasetUnavailable {
        dataset_id: String,
    },
    DatasetStopped {
        dataset_id: String,
    },
    TosMissing {
        tos: String,
    },
    /// The user's role (Analyst) cannot run ads here.
    NoAdvertiseTask,
    /// An active account with no dataset (pixel) at all.
    NoDatasets,
    /// The spending cap is reached (`days` 0: ads stopped) or will be in
    /// about `days` at the current pace.
    SpendCap {
        days: i64,
        level: MoneyLevel,
    },
    /// Prepaid funds are used up (`days` 0) or run out in about `days`.
    PrepaidFunds {
        days: i64,
        level: MoneyLevel,
    },
    /// Prepaid, but how much is left cannot be read (needs the Admin role).
    FundsUnknown,
    /// An active account that spent before spent nothing on the last complete day.
    SpendStopped,
    /// The last complete day was under a third of the 7-day average.
    SpendDropped {
        percent: u32,
    },
    /// Ads wait for billing information: they cannot run until it is added.
    AdsPendingBilling {
        ads: u32,
    },
    /// Ads disapproved in review (`at_least`: more than Adkeep counted).
    AdsDisapproved {
        ads: u32,
        at_least: bool,
    },
    /// Ads that Meta says have issues (a broken link, an unpublished Page).
    AdsWithIssues {
        ads: u32,
        at_least: bool,
    },
    /// Ads waiting for Meta's review.
    AdsInReview {
        ads: u32,
    },
    /// Against the limit on ads running or in review: `Reached` refuses new
    /// ads, `Near` is within 10 %, `Lowering` is a lower limit soon that the
    /// account would exceed (`from`).
    AdLimit {
        level: AdLimitLevel,
        running: u32,
        limit: u32,
        from: Option<NaiveDate>,
    },
    /// Meta refused to show the account's ads or ad limit to this role.
    AdsUnknown {
        what: AdsUnknown,
    },
}

/// How close an account is to its ad limit, as a reason says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdLimitLevel {
    Lowering,
    Near,
    Reached,
}

/// What Meta refused to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdsUnknown {
    Counts,
    Limit,
}

impl Attention {
    /// The one severity table.
    pub fn severity(&self, now: DateTime<Utc>) -> Severity {
        use Severity::*;
        match self {
            Self::Status { status, .. } => match status {
                AccountStatus::PendingRiskReview
                | AccountStatus::PendingClosure
                | AccountStatus::Unknown => Warning,
                _ => Blocking,
            },
            Self::Billing { status } if *status == AccountStatus::InGracePeriod => Blocking,
            Self::Billing { .. } => Warning,
            Self::RefreshFailed { reason, since } => {
                let stale = since.is_none_or(|at| now - at > FAILING_TOO_LONG);
                if !reason.retries_by_itself() || stale {
                    Blocking
                } else {
                    Info
                }
            }
            Self::NoLongerAccessible => Blocking,
            Self::DatasetUnavailable { .. } | Self::DatasetStopped { .. } => Warning,
            Self::TosMissing { .. } | Self::NoAdvertiseTask | Self::NoDatasets => Info,
            Self::SpendCap { level, .. } | Self::PrepaidFunds { level, .. } => match level {
                MoneyLevel::Soon => Warning,
                MoneyLevel::Urgent | MoneyLevel::Out => Blocking,
            },
            Self::SpendStopped | Self::SpendDropped { .. } => Warning,
            Self::FundsUnknown => Info,
            Self::AdsPendingBilling { .. } => Blocking,
            Self::AdLimit { level, .. } => match level {
                AdLimitLevel::Reached => Blocking,
                AdLimitLevel::Near | AdLimitLevel::Lowering => Warning,
            },
            Self::AdsDisapproved { .. } | Self::AdsWithIssues { .. } => Warning,
            Self::AdsInReview { .. } | Self::AdsUnknown { .. } => Info,
        }
    }

    /// Names the reason on its account (stable across refreshes).
    pub fn key(&self) -> String {
        match self {
            Self::Status { .. } => "status".to_owned(),
            Self::Billing { .. } => "billing".to_owned(),
            Self::RefreshFailed { .. } => "refresh_failed".to_owned(),
            Self::NoLongerAccessible => "no_longer_accessible".to_owned(),
            Self::DatasetUnavailable { dataset_id } => format!("dataset_unavailable:{dataset_id}"),
            Self::DatasetStopped { dataset_id } => format!("dataset_stopped:{dataset_id}"),
            Self::TosMissing { tos } => format!("tos_missing:{tos}"),
            Self::NoAdvertiseTask => "no_advertise_task".to_owned(),
            Self::NoDatasets => "no_datasets".to_owned(),
            Self::SpendCap { .. } => "spend_cap".to_owned(),
            Self::PrepaidFunds { .. } => "prepaid_funds".to_owned(),
            Self::FundsUnknown => "funds_unknown".to_owned(),
            Self::SpendStopped => "spend_stopped".to_owned(),
            Self::SpendDropped { .. } => "spend_dropped".to_owned(),
            Self::AdsPendingBilling { .. } => "ads_pending_billing".to_owned(),
            Self::AdsDisapproved { .. } => "ads_disapproved".to_owned(),
            Self::AdsWithIssues { .. } => "ads_with_issues".to_owned(),
            Self::AdsInReview { .. } => "ads_in_review".to_owned(),
            Self::AdLimit { .. } => "ad_limit".to_owned(),
            Self::AdsUnknown { what } => format!("ads_unknown:{}", snake_name(what)),
        }
    }

    /// What the reason says: an acknowledgement holds while this is the same
    /// (a status that turns from unsettled to disabled shows again).
    pub fn fingerprint(&self) -> String {
        match self {
            Self::Status {
                status,
                disable_reason,
            } => format!("status:{status:?}:{disable_reason:?}"),
            Self::Billing { status } => format!("billing:{status:?}"),
            Self::RefreshFailed { reason, .. } => format!("refresh_failed:{reason:?}"),
            // The level, not the day count: an acknowledged "cap in 3 days"
            // shows again when it turns urgent, not every day.
            Self::SpendCap { level, .. } => format!("spend_cap:{level:?}"),
            Self::PrepaidFunds { level, .. } => format!("prepaid_funds:{level:?}"),
            // By order of magnitude: more ads held back shows an
            // acknowledged reason again (and alerts), a few fixed does not.
            Self::AdsDisapproved { ads, .. } => format!("ads_disapproved:{}", magnitude(*ads)),
            Self::AdsWithIssues { ads, .. } => format!("ads_with_issues:{}", magnitude(*ads)),
            Self::AdLimit { level, .. } => format!("ad_limit:{level:?}"),
            other => other.key(),
        }
    }

    /// The reason in plain words (one place for the window, the CLI and the
    /// notifications).
    pub fn describe(&self, account: &Account) -> String {
        let dataset = |id: &str| {
            account
                .datasets
                .iter()
                .find(|d| d.id == id)
                .map_or_else(|| id.to_owned(), |d| format!("“{}”", d.name))
        };
        match self {
            Self::Status {
                status,
                disable_reason,
            } => match disable_reason.describe() {
                Some(why) if *status == AccountStatus::Disabled => {
                    format!("Account is disabled ({why})")
                }
                _ => format!("Account is {}", status_words(*status)),
            },
            Self::Billing { status } if *status == AccountStatus::InGracePeriod => {
                "Payment failed: fix billing before ads stop".to_owned()
            }
            Self::Billing { .. } => "Payment pending".to_owned(),
            Self::RefreshFailed { reason, .. } => format!("Not refreshed: {}", reason.title()),
            Self::NoLongerAccessible => "Your login no longer reaches this account".to_owned(),
            Self::DatasetUnavailable { dataset_id } => {
                format!("Dataset {} is unavailable", dataset(dataset_id))
            }
            Self::DatasetStopped { dataset_id } => {
                format!("Dataset {} stopped receiving events", dataset(dataset_id))
            }
            Self::TosMissing { tos } => format!("Terms not accepted: {}", tos_name(tos)),
            Self::NoAdvertiseTask => "Your role (Analyst) cannot run ads here".to_owned(),
            Self::NoDatasets => "No dataset (pixel) is connected".to_owned(),
            Self::SpendCap { days: 0, .. } => "Spending cap reached — ads stopped".to_owned(),
            Self::SpendCap { days, .. } => {
                format!(
                    "Spending cap reached in ~{} at the current pace",
                    days_words(*days)
                )
            }
            Self::PrepaidFunds { days: 0, .. } => "Prepaid funds used up — ads stopped".to_owned(),
            Self::PrepaidFunds { days, .. } => {
                format!(
                    "Prepaid funds last ~{} at the current pace",
                    days_words(*days)
                )
            }
            Self::FundsUnknown => {
                "Prepaid funds unknown — reading them needs the Admin role".to_owned()
            }
            Self::SpendStopped => "Stopped spending yesterday".to_owned(),
            Self::SpendDropped { percent } => format!("Spend dropped {percent} % yesterday"),
            ads => describe_ads(ads),
        }
    }

    pub fn mutable_kind(&self) -> Option<MutableKind> {
        match self {
            Self::NoAdvertiseTask => Some(MutableKind::NoAdvertiseTask),
            Self::TosMissing { .. } => Some(MutableKind::TosMissing),
            Self::NoDatasets => Some(MutableKind::NoDatasets),
            Self::DatasetStopped { .. } => Some(MutableKind::DatasetStopped),
            Self::DatasetUnavailable { .. } => Some(MutableKind::DatasetUnavailable),
            Self::AdsInReview { .. } => Some(MutableKind::AdsInReview),
            Self::AdsUnknown { .. } => Some(MutableKind::AdsUnknown),
            _ => None,
        }
    }
}

/// The ads' reasons in words (the rest of `describe`).
fn describe_ads(attention: &Attention) -> String {
    match attention {
        Attention::AdsPendingBilling { ads } => {
            format!("{} waiting for billing information", ads_words(*ads, false))
        }
        Attention::AdsDisapproved { ads, at_least } => {
            format!("{} disapproved", ads_words(*ads, *at_least))
        }
        Attention::AdsWithIssues { ads, at_least } => {
            format!("{} with issues", ads_words(*ads, *at_least))
        }
        Attention::AdsInReview { ads } => format!("{} in review", ads_words(*ads, false)),
        Attention::AdLimit {
            level,
            running,
            limit,
            from,
        } => ad_limit_words(*level, *running, *limit, *from),
        Attention::AdsUnknown {
            what: AdsUnknown::Counts,
        } => "Ads unknown — your role cannot read them".to_owned(),
        Attention::AdsUnknown {
            what: AdsUnknown::Limit,
        } => "Ad limit unknown — your role cannot read it".to_owned(),
        other => other.key(),
    }
}

/// Orders of magnitude of a count: 1, 2–9, 10–99, …
fn magnitude(n: u32) -> u32 {
    n.checked_ilog10().map_or(0, |digits| digits + 1) + u32::from(n > 1)
}

/// "1 ad", "12 ads", "500+ ads".
fn ads_words(ads: u32, at_least: bool) -> String {
    let plus = if at_least { "+" } else { "" };
    let noun = if ads == 1 && !at_least { "ad" } else { "ads" };
    format!("{ads}{plus} {noun}")
}

fn ad_limit_words(
    level: AdLimitLevel,
    running: u32,
    limit: u32,
    from: Option<NaiveDate>,
) -> String {
    match (level, from) {
        (AdLimitLevel::Reached, _) => format!(
            "At the ad limit: {running} of {limit} ads running or in review — new ads are refused"
        ),
        (AdLimitLevel::Near, _) => {
            format!("Near the ad limit: {running} of {limit} ads running or in review")
        }
        (AdLimitLevel::Lowering, Some(from)) => format!(
            "Ad limit drops to {limit} on {} — {running} ads running or in review",
            from.format("%-d %b")
        ),
        (AdLimitLevel::Lowering, None) => {
            format!("Ad limit drops to {limit} — {running} ads running or in review")
        }
    }
}

fn snake_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn days_words(days: i64) -> String {
    if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    }
}

fn status_words(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Active => "active",
        AccountStatus::Disabled => "disabled",
        AccountStatus::Unsettled => "unsettled: an unpaid balance stopped its ads",
        AccountStatus::PendingRiskReview => "under risk review",
        AccountStatus::PendingSettlement => "waiting for a payment to settle",
        AccountStatus::InGracePeriod => "in a payment grace period",
        AccountStatus::PendingClosure => "closing",
        AccountStatus::Closed => "closed",
        AccountStatus::Unknown => "in a state Adkeep does not know",
    }
}

/// A Terms of Service key in words.
pub fn tos_name(key: &str) -> String {
    match key {
        "custom_audience_tos" => "customer-list audiences".to_owned(),
        "web_custom_audience_tos" => "website audiences".to_owned(),
        "value_based_custom_audience_tos" => "value-based audiences".to_owned(),
        other => other.replace('_', " "),
    }
}

impl Account {
    /// Everything about this account that a person might want to know, the
    /// most urgent first.
    pub fn attention(&self, now: DateTime<Utc>, alerts: &MoneyAlerts) -> Vec<Attention> {
        let mut items = Vec::new();
        if self.reach == Reach::NoLongerAccessible {
            items.push(Attention::NoLongerAccessible);
        }
        if let Some(problem) = &self.error {
            items.push(Attention::RefreshFailed {
                reason: problem.reason,
                since: self.refreshed_at,
            });
        }
        match self.status {
            AccountStatus::Active => {}
            AccountStatus::InGracePeriod | AccountStatus::PendingSettlement => {
                items.push(Attention::Billing {
                    status: self.status,
                })
            }
            status => items.push(Attention::Status {
                status,
                disable_reason: self.disable_reason,
            }),
        }
        items.extend(self.dataset_attention(now));
        if self.status.can_run_ads() {
            items.extend(self.role_and_terms());
        }
        if self.reach == Reach::Reachable {
            items.extend(self.money_attention(alerts));
        }
        if self.status.can_run_ads() {
            items.extend(self.ads_attention(now));
        }
        let rank = |a: &Attention| std::cmp::Reverse(a.severity(now));
        items.sort_by_key(rank);
        items
    }

    fn dataset_attention(&self, now: DateTime<Utc>) -> Vec<Attention> {
        let mut items = Vec::new();
        for dataset in &self.datasets {
            let dataset_id = dataset.id.clone();
            match dataset.health(now) {
                DatasetHealth::Unavailable => {
                    items.push(Attention::DatasetUnavailable { dataset_id })
                }
                DatasetHealth::Stopped if self.status.can_run_ads() => {
                    items.push(Attention::DatasetStopped { dataset_id })
                }
                _ => {}
            }
        }
        let unreadable = self.field_errors.iter().any(|e| e.field == "datasets");
        if self.datasets.is_empty() && !unreadable && self.status.can_run_ads() {
            items.push(Attention::NoDatasets);
        }
        items
    }

    /// The money forecasts that crossed a threshold.
    fn money_attention(&self, alerts: &MoneyAlerts) -> Vec<Attention> {
        let f = forecast::forecast(self);
        let mut items = Vec::new();
        if let Some((days, level)) = f.cap_days_left.and_then(|d| Some((d, alerts.level(d)?))) {
            items.push(Attention::SpendCap { days, level });
        }
        if let Some((days, level)) = f.funds_days_left.and_then(|d| Some((d, alerts.level(d)?))) {
            items.push(Attention::PrepaidFunds { days, level });
        }
        if matches!(f.funds_unknown, Some(Funds::NeedsAdmin)) {
            items.push(Attention::FundsUnknown);
        }
        let capped = matches!(items.first(), Some(Attention::SpendCap { days: 0, .. }));
        // A reached cap explains the stop already.
        if alerts.stopped_spending && !capped {
            match f.spend_stopped {
                Some(SpendChange::Stopped) => items.push(Attention::SpendStopped),
                Some(SpendChange::Dropped { percent }) => {
                    items.push(Attention::SpendDropped { percent })
                }
                None => {}
            }
        }
        items
    }

    /// Ads that cannot run and the ad limit. What Meta refused is a reason
    /// of its own; what was not read says nothing.
    fn ads_attention(&self, now: DateTime<Utc>) -> Vec<Attention> {
        let mut items = Vec::new();
        match &self.ads.counts {
            AdCounts::Counted(t) => {
                let at_least = !t.complete;
                if t.pending_billing_info > 0 {
                    items.push(Attention::AdsPendingBilling {
                        ads: t.pending_billing_info,
                    });
                }
                if t.disapproved > 0 {
                    items.push(Attention::AdsDisapproved {
                        ads: t.disapproved,
                        at_least,
                    });
                }
                if t.with_issues > 0 {
                    items.push(Attention::AdsWithIssues {
                        ads: t.with_issues,
                        at_least,
                    });
                }
                if t.pending_review > 0 {
                    items.push(Attention::AdsInReview {
                        ads: t.pending_review,
                    });
                }
            }
            AdCounts::Refused => items.push(Attention::AdsUnknown {
                what: AdsUnknown::Counts,
            }),
            AdCounts::NotRead | AdCounts::Unreadable => {}
        }
        match &self.ads.limit {
            AdLimit::Known(reading) => items.extend(limit_attention(reading, now)),
            AdLimit::Refused => items.push(Attention::AdsUnknown {
                what: AdsUnknown::Limit,
            }),
            AdLimit::NotRead | AdLimit::Unreadable => {}
        }
        items
    }

    fn role_and_terms(&self) -> Vec<Attention> {
        let mut items: Vec<Attention> = EXPECTED_TOS
            .iter()
            .filter(|key| !self.tos_accepted.iter().any(|k| k == *key))
            .map(|key| Attention::TosMissing {
                tos: (*key).to_owned(),
            })
            .collect();
        let can_advertise = self.tasks.iter().any(|t| t == "MANAGE" || t == "ADVERTISE");
        if !self.tasks.is_empty() && !can_advertise {
            items.push(Attention::NoAdvertiseTask);
        }
        items
    }
}

/// The ad limit as a reason, when it is one (days counted in UTC: Meta
/// gives the future limit's date without a time zone).
fn limit_attention(reading: &LimitReading, now: DateTime<Utc>) -> Option<Attention> {
    let today = now.date_naive();
    let (level, limit, from) = match reading.level(today) {
        LimitLevel::Clear => return None,
        LimitLevel::Reached => (AdLimitLevel::Reached, reading.limit?, None),
        LimitLevel::Near => (AdLimitLevel::Near, reading.limit?, None),
        LimitLevel::Lowering => {
            let future = reading.future.as_ref()?;
            (AdLimitLevel::Lowering, future.limit, Some(future.from))
        }
    };
    Some(Attention::AdLimit {
        level,
        running: reading.running_or_in_review,
        limit,
        from,
    })
}

/// A reason a person set aside on one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissal {
    /// The reason's fingerprint when it was set aside: a change shows it again.
    pub fingerprint: String,
    /// `None`: acknowledged; `Some`: snoozed until then.
    pub until: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

impl Dismissal {
    fn holds(&self, attention: &Attention, now: DateTime<Utc>) -> bool {
        self.fingerprint == attention.fingerprint() && self.until.is_none_or(|t| now < t)
    }
}

/// Reasons set aside, by account, then by reason key.
pub type Dismissals = BTreeMap<AccountId, BTreeMap<String, Dismissal>>;

/// One reason, judged: what the UI, the CLI and the tray show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    #[serde(flatten)]
    pub attention: Attention,
    /// The reason in words.
    pub text: String,
    pub severity: Severity,
    pub key: String,
    pub acknowledged: bool,
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Its kind is muted for every account in Settings.
    pub muted: bool,
}

impl Flag {
    /// Counts, notifies and puts its row under "Needs attention".
    pub fn counts(&self) -> bool {
        self.severity >= Severity::Warning && self.shown()
    }

    /// Not set aside by the person.
    pub fn shown(&self) -> bool {
        !self.acknowledged && self.snoozed_until.is_none() && !self.muted
    }
}

/// What the person set aside: per account, and kinds muted everywhere.
#[derive(Debug, Clone, Copy)]
pub struct SetAside<'a> {
    pub dismissals: &'a Dismissals,
    pub muted: &'a [MutableKind],
    /// When money forecasts count.
    pub alerts: MoneyAlerts,
}

impl<'a> SetAside<'a> {
    /// The person's dismissals, with the kinds muted and the money alerts
    /// their settings hold.
    pub fn new(dismissals: &'a Dismissals, settings: &'a crate::settings::Settings) -> Self {
        Self {
            dismissals,
            muted: &settings.muted_attention,
            alerts: settings.money_alerts,
        }
    }
}

/// An account's reasons, judged at `now` against what was set aside.
pub fn flags(account: &Account, aside: SetAside<'_>, now: DateTime<Utc>) -> Vec<Flag> {
    let dismissed = aside.dismissals.get(&account.id);
    account
        .attention(now, &aside.alerts)
        .into_iter()
        .map(|attention| {
            let key = attention.key();
            let held = dismissed
                .and_then(|d| d.get(&key))
                .filter(|d| d.holds(&attention, now));
            let muted = attention
                .mutable_kind()
                .is_some_and(|kind| aside.muted.contains(&kind));
            Flag {
                text: attention.describe(account),
                severity: attention.severity(now),
                acknowledged: held.is_some_and(|d| d.until.is_none()),
                snoozed_until: held.and_then(|d| d.until),
                muted,
                key,
                attention,
            }
        })
        .collect()
}

/// The most severe reason left, if any.
pub fn severity(flags: &[Flag]) -> Option<Severity> {
    flags.iter().filter(|f| f.shown()).map(|f| f.severity).max()
}

/// Accounts by their most severe reason left, and reasons set aside.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub blocking: usize,
    pub warning: usize,
    pub info: usize,
    /// Reasons acknowledged, snoozed or muted.
    pub set_aside: usize,
}

impl Counts {
    pub fn of<'a>(all: impl IntoIterator<Item = &'a [Flag]>) -> Self {
        let mut counts = Self::default();
        for flags in all {
            match severity(flags) {
                Some(Severity::Blocking) => counts.blocking += 1,
                Some(Severity::Warning) => counts.warning += 1,
                Some(Severity::Info) => counts.info += 1,
                None => {}
            }
            counts.set_aside += flags.iter().filter(|f| !f.shown()).count();
        }
        counts
    }

    /// Accounts under "Needs attention".
    pub fn needing_attention(&self) -> usize {
        self.blocking + self.warning
    }

    /// "3 blocked · 5 warnings", or `None` when nothing needs a person.
    pub fn summary(&self) -> Option<String> {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = Vec::new();
        if self.blocking > 0 {
            parts.push(format!("{} blocked", self.blocking));
        }
        if self.warning > 0 {
            parts.push(plural(self.warning, "warning", "warnings"));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

/// Forgets set-aside reasons that no longer apply: the reason is gone or
/// changed, or its snooze ran out. Keeps the store from growing.
pub fn prune(
    dismissals: &mut Dismissals,
    accounts: &BTreeMap<AccountId, Account>,
    now: DateTime<Utc>,
    alerts: &MoneyAlerts,
) {
    dismissals.retain(|id, by_key| {
        let Some(account) = accounts.get(id) else {
            return false;
        };
        let current = account.attention(now, alerts);
        by_key.retain(|key, dismissal| {
            current
                .iter()
                .any(|a| a.key() == *key && dismissal.holds(a, now))
        });
        !by_key.is_empty()
    });
}

#[cfg(test)]
#[path = "attention_tests.rs"]
mod tests;
