//! What the UI (and `--json`) receives: accounts with their derived health,
//! and the app's state. Derived here, once, so the UI only renders.

use chrono::{DateTime, Utc};
use serde::Serialize;

use adkeep_core::attention::{self, Counts, Flag, SetAside, Severity};
use adkeep_core::model::{Account, DatasetHealth, Permissions, Profile};
use adkeep_core::problem::Problem;
use adkeep_core::settings::Settings;

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    /// One entry per dataset, in the same order as `datasets`.
    pub dataset_health: Vec<DatasetHealth>,
    /// Every reason to look at the account, judged (most severe first).
    pub attention: Vec<Flag>,
    /// The most severe reason nobody set aside, if any.
    pub severity: Option<Severity>,
    /// Belongs under "Needs attention" (a blocking or warning reason left).
    pub needs_attention: bool,
}

impl AccountView {
    pub fn new(account: Account, aside: SetAside<'_>, now: DateTime<Utc>) -> Self {
        let flags = attention::flags(&account, aside, now);
        Self {
            dataset_health: account.datasets.iter().map(|d| d.health(now)).collect(),
            severity: attention::severity(&flags),
            needs_attention: flags.iter().any(Flag::counts),
            attention: flags,
            account,
        }
    }

    pub fn of(accounts: impl IntoIterator<Item = Account>, aside: SetAside<'_>) -> Vec<Self> {
        let now = Utc::now();
        accounts
            .into_iter()
            .map(|a| Self::new(a, aside, now))
            .collect()
    }

    /// Accounts by their most severe reason left.
    pub fn counts(views: &[Self]) -> Counts {
        Counts::of(views.iter().map(|v| v.attention.as_slice()))
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
    pub warning: crate::backend::TokenWarning,
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
    /// Accounts by severity, and reasons set aside.
    pub attention: Counts,
    pub last_full_refresh: Option<DateTime<Utc>>,
    pub refresh: RefreshStatus,
    pub notices: Vec<Notice>,
}
