//! What the UI (and `--json`) receives: accounts with their derived health,
//! and the app's state. Derived here, once, so the UI only renders.

use chrono::{DateTime, Utc};
use serde::Serialize;

use std::collections::BTreeMap;

use adkeep_core::attention::{self, Counts, Flag, SetAside, Severity};
use adkeep_core::forecast::{self, Forecast};
use adkeep_core::logins::{Login, LoginId};
use adkeep_core::model::{Account, DatasetHealth, Permissions, Profile};
use adkeep_core::problem::Problem;
use adkeep_core::settings::Settings;

mod ascii;
mod row;
pub use ascii::ascii_json;
pub use row::{RowFlag, RowForecast, RowView, WindowAccounts};

/// A login that reaches an account, as the row shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReachView {
    pub id: LoginId,
    pub name: String,
    /// The person's tasks there (empty when reached through a business).
    pub tasks: Vec<String>,
}

/// The login an account was last read through.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViaView {
    pub id: LoginId,
    pub name: String,
}

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
    /// The logins that reach the account, by name.
    pub logins: Vec<ReachView>,
    /// The login the values were read through.
    pub via: Option<ViaView>,
    /// Why through that one ("through Sam Lee: Jane Doe's login expired").
    pub via_note: Option<String>,
    /// When money stops the ads (cap, prepaid funds), payment risk, stopped spending.
    pub forecast: ForecastView,
}

/// The forecast, with the account's billing page for a payment risk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastView {
    #[serde(flatten)]
    pub forecast: Forecast,
    /// Where to fix a payment problem (Ads Manager's billing for this account).
    pub billing_url: Option<String>,
}

/// What a view is judged against: what the person set aside, and the
/// logins (for their names).
#[derive(Clone, Copy)]
pub struct Judge<'a> {
    pub aside: SetAside<'a>,
    pub logins: &'a BTreeMap<LoginId, Login>,
    /// The Facebook website (for billing links), when known.
    pub facebook: Option<&'a url::Url>,
}

impl Judge<'_> {
    fn name(&self, id: &LoginId) -> String {
        self.logins
            .get(id)
            .map_or_else(|| id.to_string(), Login::name)
    }
}

impl AccountView {
    pub fn new(mut account: Account, judge: Judge<'_>, now: DateTime<Utc>) -> Self {
        let flags = attention::flags(&account, judge.aside, now);
        let forecast = forecast::forecast(&account);
        let billing_url = forecast
            .payment_risk
            .as_ref()
            .and(judge.facebook)
            .and_then(|base| {
                crate::links::account_page(base, &account.id, crate::links::AccountPage::Billing)
            })
            .map(String::from);
        // Moved out so the flattened account does not repeat them by id.
        let reaches = std::mem::take(&mut account.logins);
        let via = account.via.take();
        let fallback = account.fallback.take();
        let logins = reaches
            .into_iter()
            .map(|r| ReachView {
                name: judge.name(&r.login),
                id: r.login,
                tasks: r.tasks,
            })
            .collect();
        let via_note = via.as_ref().zip(fallback).map(|(via, fallback)| {
            format!(
                "through {}: {}'s {}",
                judge.name(via),
                judge.name(&fallback.from),
                fallback.reason.of_login()
            )
        });
        Self {
            dataset_health: account.datasets.iter().map(|d| d.health(now)).collect(),
            severity: attention::severity(&flags),
            needs_attention: flags.iter().any(Flag::counts),
            attention: flags,
            logins,
            via: via.map(|id| ViaView {
                name: judge.name(&id),
                id,
            }),
            via_note,
            forecast: ForecastView {
                forecast,
                billing_url,
            },
            account,
        }
    }

    pub fn of(accounts: impl IntoIterator<Item = Account>, judge: Judge<'_>) -> Vec<Self> {
        let now = Utc::now();
        accounts
            .into_iter()
            .map(|a| Self::new(a, judge, now))
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
    /// Not looked up yet (the keychain is read after the window shows).
    Unchecked,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: String,
    pub level: NoticeLevel,
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

/// One Facebook login, as Settings, the banners and the problem page show it.
#[derive(Debug, Clone, Serialize)]
pub struct LoginView {
    pub id: LoginId,
    /// The label, else the Facebook name.
    pub name: String,
    pub label: Option<String>,
    pub profile: Option<Profile>,
    pub custody: Custody,
    pub token: Option<TokenHealth>,
    pub permissions: Option<Permissions>,
    pub missing_scopes: Vec<String>,
    /// Its token-wide problem, if any (`broken`: it cannot refresh at all).
    pub problem: Option<Problem>,
    pub broken: bool,
    /// Accounts it reaches, and those no other login reaches.
    pub reaches: usize,
    pub only: usize,
    pub last_full_refresh: Option<DateTime<Utc>>,
    /// Whether it should be reauthenticated (broken, expiring, no token,
    /// missing a scope), for the Reauthenticate menu's order.
    pub needs_login: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateView {
    pub mode: ActiveMode,
    pub connected: bool,
    /// Every Facebook login, the ones that need a login first.
    pub logins: Vec<LoginView>,
    pub settings: Settings,
    /// Every login is broken: the problem page shows the first one's reason.
    pub problem: Option<Problem>,
    pub opens_problem_page: bool,
    /// Every account: whole views for the CLI and taller rows, list rows
    /// for dense ones (left empty when the window asked for the rest only).
    pub accounts: WindowAccounts,
    /// How many accounts there are.
    pub account_count: usize,
    /// Changes whenever an account's view may read differently (an account,
    /// a reason set aside, the settings, a login): a window holding the
    /// views of the same key need not read them again.
    pub accounts_key: String,
    /// Accounts by severity, and reasons set aside.
    pub attention: Counts,
    pub last_full_refresh: Option<DateTime<Utc>>,
    pub refresh: RefreshStatus,
    pub notices: Vec<Notice>,
    /// Scheduled checks: when the last ran and the next is due.
    pub last_check: Option<DateTime<Utc>>,
    pub next_check: Option<DateTime<Utc>>,
}
