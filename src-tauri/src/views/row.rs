//! The account list's own shape: what a dense row, the list's search,
//! filters and sorts read. At thousands of accounts the whole views are
//! megabytes the window would hold for nothing; the details pane fetches
//! one account's whole view (`account_view`) when it opens.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use adkeep_core::attention::{Attention, Flag, Severity};
use adkeep_core::graph::AccountId;
use adkeep_core::model::{AccountStatus, Business, DisableReason, FieldError, Reach};
use adkeep_core::problem::Problem;
use adkeep_core::settings::RowDensity;

use super::ads::RowAds;
use super::{AccountView, ViaView};

/// One account as a list row reads it. Its fields carry the same names and
/// values as the whole view's, so the window draws a row from either; a
/// field at its default (null, false, empty, reachable) is left out, as the
/// window reads a missing field as that default.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub id: AccountId,
    pub name: String,
    pub revision: u64,
    pub status: AccountStatus,
    pub disable_reason: DisableReason,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business: Option<Business>,
    pub amount_spent: Option<Decimal>,
    pub spend_today: Option<Decimal>,
    pub spend_last_30d: Option<Decimal>,
    pub refreshed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
    #[serde(skip_serializing_if = "is_reachable")]
    pub reach: Reach,
    #[serde(skip_serializing_if = "is_false")]
    pub is_new: bool,
    /// Amounts Meta sent unreadably (shown as "unreadable", never zero).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attention: Vec<RowFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "is_false")]
    pub needs_attention: bool,
    /// The logins that reach it, by name (search finds an account by them).
    pub logins: Vec<ViaView>,
    /// Left out when it is the one login in `logins`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<ViaView>,
    #[serde(skip_serializing_if = "RowForecast::is_empty")]
    pub forecast: RowForecast,
    #[serde(skip_serializing_if = "RowAds::is_empty")]
    pub ads: RowAds,
    /// Always true: the whole view comes from `account_view`.
    pub partial: bool,
}

/// A reason, as its flag in the whole view, with what was not set aside
/// left out.
#[derive(Debug, Clone, Serialize)]
pub struct RowFlag {
    #[serde(flatten)]
    pub attention: Attention,
    pub text: String,
    pub severity: Severity,
    pub key: String,
    #[serde(skip_serializing_if = "is_false")]
    pub acknowledged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "is_false")]
    pub muted: bool,
}

impl From<Flag> for RowFlag {
    fn from(flag: Flag) -> Self {
        Self {
            attention: flag.attention,
            text: flag.text,
            severity: flag.severity,
            key: flag.key,
            acknowledged: flag.acknowledged,
            snoozed_until: flag.snoozed_until,
            muted: flag.muted,
        }
    }
}

/// What the list sorts and filters by in the forecast.
#[derive(Debug, Clone, Serialize)]
pub struct RowForecast {
    pub cap_days_left: Option<i64>,
    pub funds_days_left: Option<i64>,
    /// A payment problem (the whole view says which).
    pub payment_risk: bool,
}

impl RowForecast {
    fn is_empty(&self) -> bool {
        self.cap_days_left.is_none() && self.funds_days_left.is_none() && !self.payment_risk
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_reachable(reach: &Reach) -> bool {
    *reach == Reach::Reachable
}

impl From<AccountView> for RowView {
    fn from(view: AccountView) -> Self {
        let AccountView {
            account,
            attention,
            severity,
            needs_attention,
            logins,
            via,
            forecast,
            ads,
            ..
        } = view;
        let logins: Vec<ViaView> = logins
            .into_iter()
            .map(|l| ViaView {
                id: l.id,
                name: l.name,
            })
            .collect();
        let via = via.filter(|via| logins.len() != 1 || logins[0] != *via);
        Self {
            id: account.id,
            name: account.name,
            revision: account.revision,
            status: account.status,
            disable_reason: account.disable_reason,
            currency: account.currency,
            business: account.business,
            amount_spent: account.amount_spent,
            spend_today: account.spend_today,
            spend_last_30d: account.spend_last_30d,
            refreshed_at: account.refreshed_at,
            error: account.error,
            reach: account.reach,
            is_new: account.is_new,
            field_errors: account.field_errors,
            attention: attention.into_iter().map(RowFlag::from).collect(),
            severity,
            needs_attention,
            logins,
            via,
            forecast: RowForecast {
                cap_days_left: forecast.forecast.cap_days_left,
                funds_days_left: forecast.forecast.funds_days_left,
                payment_risk: forecast.forecast.payment_risk.is_some(),
            },
            ads: RowAds::from(&ads),
            partial: true,
        }
    }
}

/// Accounts as the window holds them: list rows with dense rows (the
/// details pane fetches the rest), whole views with taller rows, which draw
/// datasets, terms, roles and the spend chart on every row.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum WindowAccounts {
    Rows(Vec<RowView>),
    Whole(Vec<AccountView>),
}

impl WindowAccounts {
    pub fn for_density(views: Vec<AccountView>, density: RowDensity) -> Self {
        match density {
            RowDensity::Dense => Self::Rows(views.into_iter().map(RowView::from).collect()),
            RowDensity::Comfortable => Self::Whole(views),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Rows(rows) => rows.len(),
            Self::Whole(views) => views.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole views, when these are.
    pub fn whole(&self) -> Option<&[AccountView]> {
        match self {
            Self::Whole(views) => Some(views),
            Self::Rows(_) => None,
        }
    }
}

impl Default for WindowAccounts {
    fn default() -> Self {
        Self::Rows(Vec::new())
    }
}
