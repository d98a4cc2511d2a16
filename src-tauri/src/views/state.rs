//! What the window draws itself from (`StateView`) and each Facebook login
//! as the person sees it (`LoginView`), built from the backend's state.

use chrono::{DateTime, Utc};
use serde::Serialize;

use adkeep_core::attention::Counts;
use adkeep_core::book::AccountBook;
use adkeep_core::config;
use adkeep_core::logins::{Login, LoginId};
use adkeep_core::model::{Permissions, Profile};
use adkeep_core::problem::Problem;
use adkeep_core::session;
use adkeep_core::settings::Settings;

use super::{AccountView, AlertsSummary, WindowAccounts, views_of};
use crate::backend::{
    ActiveMode, Backend, Notice, RefreshStatus, TokenHealth, TokenWarning, token_health,
};
use crate::secrets::Custody;

/// Which accounts a state read carries.
#[derive(Clone, Copy)]
pub enum Wanted {
    /// None: the window holds them already.
    Nothing,
    /// In the shape the window's row density draws.
    ForWindow,
    Whole,
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
    /// Alert destinations: how many, what waits, which are failing.
    pub alerts: AlertsSummary,
}

/// What the views depend on besides the accounts' own revisions, and the
/// hour: time alone changes a view too (a snooze runs out, a dataset goes
/// quiet), so a window re-reading now and then gets those within the hour.
fn accounts_key(backend: &Backend, book: &AccountBook, settings: &Settings) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(settings)
        .unwrap_or_default()
        .hash(&mut hasher);
    for login in book.logins.values() {
        (
            login.id.to_string(),
            login.name(),
            login.broken_because().is_some(),
        )
            .hash(&mut hasher);
    }
    backend
        .facebook_now()
        .map(|u| u.to_string())
        .hash(&mut hasher);
    (Utc::now().timestamp() / 3600).hash(&mut hasher);
    format!("{}-{:x}", book.revision, hasher.finish())
}

pub fn state_with(backend: &Backend, wanted: Wanted) -> StateView {
    let settings = backend.settings();
    // The key is taken before the accounts: a change in between leaves
    // it older than what is sent, so the next read fetches again.
    let (logins, problem, last_full_refresh, account_count, accounts_key) = {
        let book = backend.session().book();
        (
            login_views(backend, &book),
            book.every_login_broken().cloned(),
            book.last_full_refresh,
            book.len(),
            accounts_key(backend, &book, &settings),
        )
    };
    let (accounts, attention) = match wanted {
        // Thousands of accounts: neither copied nor viewed.
        Wanted::Nothing => (WindowAccounts::default(), backend.attention_counts()),
        Wanted::ForWindow => every_view(backend, |views| {
            WindowAccounts::for_density(views, settings.row_density)
        }),
        Wanted::Whole => every_view(backend, WindowAccounts::Whole),
    };
    let mode = backend.mode();
    let (last_check, next_check) = backend.check_plan();
    StateView {
        account_count,
        accounts_key,
        last_check,
        next_check,
        mode,
        connected: mode == ActiveMode::Sandbox
            || config::has_env_tokens()
            || logins.iter().any(|l| l.custody != Custody::None),
        logins,
        opens_problem_page: problem.as_ref().is_some_and(session::opens_problem_page),
        problem,
        last_full_refresh,
        attention,
        accounts,
        refresh: backend.refresh_status(),
        notices: backend.notices(),
        alerts: AlertsSummary::of(&backend.destinations().unwrap_or_default()),
        settings,
    }
}

/// Every account's view, in the shape `shape` gives them, and their counts.
fn every_view(
    backend: &Backend,
    shape: impl FnOnce(Vec<AccountView>) -> WindowAccounts,
) -> (WindowAccounts, Counts) {
    let copies: Vec<_> = backend
        .session()
        .book()
        .accounts
        .values()
        .cloned()
        .collect();
    let views = views_of(backend, copies);
    let counts = AccountView::counts(&views);
    (shape(views), counts)
}

/// Every login, the ones that need the person first.
pub fn login_views(backend: &Backend, book: &AccountBook) -> Vec<LoginView> {
    let mut views: Vec<LoginView> = book
        .logins
        .values()
        .map(|login| login_view(backend, book, login))
        .collect();
    views.sort_by_key(|v| (!v.needs_login, v.name.to_lowercase()));
    views
}

/// The login Reauthenticate renews when nobody chose one: the one that
/// needs it most (the only one, when there is one).
pub fn login_to_renew(backend: &Backend) -> Option<LoginId> {
    let book = backend.session().snapshot();
    login_views(backend, &book).into_iter().next().map(|v| v.id)
}

fn login_view(backend: &Backend, book: &AccountBook, login: &Login) -> LoginView {
    let token = login
        .token
        .as_ref()
        .map(|t| token_health(t.expires_at, t.data_access_expires_at));
    let missing_scopes = login
        .permissions
        .as_ref()
        .map(|p| p.missing())
        .unwrap_or_default();
    let custody = backend.custody_of(&login.id);
    let broken = login.broken_because().is_some();
    let expiring = token
        .as_ref()
        .is_some_and(|t| t.warning != TokenWarning::None);
    LoginView {
        id: login.id.clone(),
        name: login.name(),
        label: login.label.clone(),
        profile: login.profile.clone(),
        needs_login: broken || expiring || !missing_scopes.is_empty() || custody == Custody::None,
        custody,
        token,
        permissions: login.permissions.clone(),
        missing_scopes,
        problem: login.problem.clone(),
        broken,
        reaches: book.reached_by(&login.id),
        only: book.reached_only_by(&login.id),
        last_full_refresh: login.last_full_refresh,
    }
}
