//! What the window draws itself from (`StateView`), each login as the
//! person sees it, and the start-up warm-up.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use adkeep_core::attention::Counts;
use adkeep_core::book::AccountBook;
use adkeep_core::logins::Login;
use adkeep_core::session;
use adkeep_core::{Error, config};

use super::{Backend, TokenWarning, lock, token_health};
use crate::views::{AccountView, ActiveMode, Custody, LoginView, StateView, WindowAccounts};

/// Which accounts a state read carries.
#[derive(Clone, Copy)]
enum Wanted {
    /// None: the window holds them already.
    Nothing,
    /// In the shape the window's row density draws.
    ForWindow,
    Whole,
}

/// A list older than this is refreshed when Adkeep starts.
const STALE_AFTER: Duration = Duration::from_secs(15 * 60);

/// How long start-up work waits for the window's first read (a start in the
/// tray, with no window, waits this long).
const WINDOW_FIRST: Duration = Duration::from_secs(3);

impl Backend {
    /// The window's own read of the state: its accounts in the shape its
    /// row density draws (`with_accounts`: false leaves them out, for a
    /// window that holds the views of the same `accounts_key`); lets
    /// start-up work begin.
    pub fn window_state(&self, with_accounts: bool) -> StateView {
        let state = self.state_with(if with_accounts {
            Wanted::ForWindow
        } else {
            Wanted::Nothing
        });
        self.first_read
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.window_read.notify_waiters();
        state
    }

    /// Returns once the window has read the state (or after a few seconds,
    /// for a start in the tray with no window): start-up work that competes
    /// with the window's first paint waits for this.
    pub async fn after_first_read(&self) {
        let read = async {
            loop {
                // Created before the check, so a read in between still wakes it.
                let woken = self.window_read.notified();
                if self.first_read.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                woken.await;
            }
        };
        let _ = tokio::time::timeout(WINDOW_FIRST, read).await;
    }

    /// What the views depend on besides the accounts' own revisions, and the
    /// hour: time alone changes a view too (a snooze runs out, a dataset goes
    /// quiet), so a window re-reading now and then gets those within the hour.
    fn accounts_key(
        &self,
        book: &AccountBook,
        settings: &adkeep_core::settings::Settings,
    ) -> String {
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
        self.facebook_now().map(|u| u.to_string()).hash(&mut hasher);
        (Utc::now().timestamp() / 3600).hash(&mut hasher);
        format!("{}-{:x}", book.revision, hasher.finish())
    }

    /// Everything the window needs to draw itself, with every account's
    /// whole view (the CLI's and the tests' read).
    pub fn state(&self) -> StateView {
        self.state_with(Wanted::Whole)
    }

    fn state_with(&self, wanted: Wanted) -> StateView {
        let settings = self.settings();
        // The key is taken before the accounts: a change in between leaves
        // it older than what is sent, so the next read fetches again.
        let (logins, problem, last_full_refresh, account_count, accounts_key) = {
            let book = self.session.book();
            (
                self.login_views(&book),
                book.every_login_broken().cloned(),
                book.last_full_refresh,
                book.len(),
                self.accounts_key(&book, &settings),
            )
        };
        let (accounts, attention) = match wanted {
            // Thousands of accounts: neither copied nor viewed.
            Wanted::Nothing => (WindowAccounts::default(), self.attention_counts()),
            Wanted::ForWindow => {
                self.every_view(|views| WindowAccounts::for_density(views, settings.row_density))
            }
            Wanted::Whole => self.every_view(WindowAccounts::Whole),
        };
        let mode = self.mode();
        let (last_check, next_check) = self.check_plan();
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
            refresh: lock(&self.refreshing.status).clone(),
            notices: lock(&self.notices).clone(),
            settings,
        }
    }

    /// Every account's view, in the shape `shape` gives them, and their counts.
    fn every_view(
        &self,
        shape: impl FnOnce(Vec<AccountView>) -> WindowAccounts,
    ) -> (WindowAccounts, Counts) {
        let copies: Vec<_> = self.session.book().accounts.values().cloned().collect();
        let views = self.views(copies);
        let counts = AccountView::counts(&views);
        (shape(views), counts)
    }

    /// Every login, the ones that need the person first.
    pub fn login_views(&self, book: &AccountBook) -> Vec<LoginView> {
        let mut views: Vec<LoginView> = book
            .logins
            .values()
            .map(|login| self.login_view(book, login))
            .collect();
        views.sort_by_key(|v| (!v.needs_login, v.name.to_lowercase()));
        views
    }

    /// The login Reauthenticate renews when nobody chose one: the one that
    /// needs it most (the only one, when there is one).
    pub fn login_to_renew(&self) -> Option<adkeep_core::logins::LoginId> {
        let book = self.session.snapshot();
        self.login_views(&book).into_iter().next().map(|v| v.id)
    }

    fn login_view(&self, book: &AccountBook, login: &Login) -> LoginView {
        let token = login
            .token
            .as_ref()
            .map(|t| token_health(t.expires_at, t.data_access_expires_at));
        let missing_scopes = login
            .permissions
            .as_ref()
            .map(|p| p.missing())
            .unwrap_or_default();
        let custody = self.custody_of(&login.id);
        let broken = login.broken_because().is_some();
        let expiring = token
            .as_ref()
            .is_some_and(|t| t.warning != TokenWarning::None);
        LoginView {
            id: login.id.clone(),
            name: login.name(),
            label: login.label.clone(),
            profile: login.profile.clone(),
            needs_login: broken
                || expiring
                || !missing_scopes.is_empty()
                || custody == Custody::None,
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

    /// After start-up, off the window's path: finds the logins' tokens (the
    /// keychain can be slow) and refreshes the list if it is stale, so the
    /// window (or the tray, with no window) shows current data unasked.
    pub async fn warm_up(self: Arc<Self>) {
        if self.mode() == ActiveMode::Unconfigured && !config::has_env_tokens() {
            return;
        }
        // The window's first paint comes first: with thousands of accounts,
        // checking tokens and the tray's summary beside it slow it down.
        self.after_first_read().await;
        let connected = self.connection().await;
        self.events.state_changed();
        match connected {
            Ok(_) => {}
            Err(Error::NotConnected) => return,
            Err(e) => {
                tracing::warn!("no connection at start: {e}");
                return;
            }
        }
        let stale = self.session.book().last_full_refresh.is_none_or(|t| {
            Utc::now() - t > chrono::Duration::from_std(STALE_AFTER).unwrap_or_default()
        });
        if stale && let Err(e) = self.refresh_all().await {
            tracing::warn!("refresh at start: {e}");
        }
    }
}
