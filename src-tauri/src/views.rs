//! What the UI (and `--json`) receives: accounts with their derived health,
//! and the app's state. Derived here, once, so the UI only renders.

use chrono::{DateTime, Utc};
use serde::Serialize;

use adkeep_core::model::{Account, Attention, DatasetHealth, Permissions, Profile};
use adkeep_core::problem::Problem;
use adkeep_core::settings::Settings;

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    /// One entry per dataset, in the same order as `datasets`.
    pub dataset_health: Vec<DatasetHealth>,
    pub attention: Vec<Attention>,
    pub needs_attention: bool,
}

impl AccountView {
    pub fn new(account: Account, now: DateTime<Utc>) -> Self {
        let attention = account.attention(now);
        Self {
            dataset_health: account.datasets.iter().map(|d| d.health(now)).collect(),
            needs_attention: !attention.is_empty(),
            attention,
            account,
        }
    }

    pub fn of(accounts: impl IntoIterator<Item = Account>) -> Vec<Self> {
        let now = Utc::now();
        accounts.into_iter().map(|a| Self::new(a, now)).collect()
    }
}

/// Which data the app is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActiveMode {
    Unconfigured,
    Meta,
    Sandbox,
}

/// Where the token lives right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Custody {
    /// No token.
    None,
    /// `ADKEEP_ACCESS_TOKEN`.
    Environment,
    Keychain,
    /// No keychain answered: kept for this session only.
    Memory,
    /// No keychain; the user opted in to a 0600 file.
    PlaintextFile,
    /// The sandbox's own token.
    Sandbox,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: String,
    /// `info`, `warning` or `error`.
    pub level: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RefreshStatus {
    pub running: bool,
    pub done: usize,
    pub total: usize,
    pub listing_complete: bool,
    pub waiting_until: Option<DateTime<Utc>>,
}

/// Token lifetime as learned at login (or from `debug_token`).
#[derive(Debug, Clone, Serialize)]
pub struct TokenHealth {
    pub expires_at: Option<DateTime<Utc>>,
    pub data_access_expires_at: Option<DateTime<Utc>>,
    /// Whole days left before the token expires.
    pub days_left: Option<i64>,
    /// `none`, `week` (≤ 7 days) or `day` (≤ 1 day).
    pub warning: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateView {
    pub mode: ActiveMode,
    pub connected: bool,
    pub custody: Custody,
    pub settings: Settings,
    pub profile: Option<Profile>,
    pub permissions: Option<Permissions>,
    pub missing_scopes: Vec<String>,
    /// A token-wide problem (the problem page shows when `opens_problem_page`).
    pub problem: Option<Problem>,
    pub opens_problem_page: bool,
    pub token: Option<TokenHealth>,
    pub accounts: Vec<AccountView>,
    pub last_full_refresh: Option<DateTime<Utc>>,
    pub refresh: RefreshStatus,
    pub notices: Vec<Notice>,
}
