//! The account list's own shape: what a dense row, the list's search,
//! filters and sorts read. At thousands of accounts the whole views are
//! megabytes the window would hold for nothing; the details pane fetches
//! one account's whole view (`account_view`) when it opens.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use adkeep_core::attention::{Flag, Severity};
use adkeep_core::graph::AccountId;
use adkeep_core::model::{AccountStatus, Business, DisableReason, FieldError, Reach};
use adkeep_core::problem::Problem;
use adkeep_core::settings::RowDensity;

use super::{AccountView, ViaView};

/// One account as a list row reads it. Its fields carry the same names and
/// values as the whole view's, so the window draws a row from either.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub id: AccountId,
    pub name: String,
    pub revision: u64,
    pub status: AccountStatus,
    pub disable_reason: DisableReason,
    pub currency: String,
    pub business: Option<Business>,
    pub amount_spent: Option<Decimal>,
    pub spend_today: Option<Decimal>,
    pub spend_last_30d: Option<Decimal>,
    pub refreshed_at: Option<DateTime<Utc>>,
    pub error: Option<Problem>,
    pub reach: Reach,
    pub is_new: bool,
    /// Amounts Meta sent unreadably (shown as "unreadable", never zero).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
    pub attention: Vec<Flag>,
    pub severity: Option<Severity>,
    pub needs_attention: bool,
    /// The logins that reach it, by name (search finds an account by them).
    pub logins: Vec<ViaView>,
    pub via: Option<ViaView>,
    pub forecast: RowForecast,
    /// Always true: the whole view comes from `account_view`.
    pub partial: bool,
}

/// What the list sorts and filters by in the forecast.
#[derive(Debug, Clone, Serialize)]
pub struct RowForecast {
    pub cap_days_left: Option<i64>,
    pub funds_days_left: Option<i64>,
    /// A payment problem (the whole view says which).
    pub payment_risk: bool,
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
            ..
        } = view;
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
            attention,
            severity,
            needs_attention,
            logins: logins
                .into_iter()
                .map(|l| ViaView {
                    id: l.id,
                    name: l.name,
                })
                .collect(),
            via,
            forecast: RowForecast {
                cap_days_left: forecast.forecast.cap_days_left,
                funds_days_left: forecast.forecast.funds_days_left,
                payment_risk: forecast.forecast.payment_risk.is_some(),
            },
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
