//! The app's orchestration, free of Tauri types so the window, the tray and
//! the CLI share it: which data is shown (the user's or the sandbox's), the
//! connection (endpoints, token, engines), refreshes (coalesced: a second
//! request for the same work joins the one in flight), persistence and
//! notices. The UI hears about changes through `Events`.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use adkeep_core::attention::SetAside;
use adkeep_core::auth::{
    self, Callback, DialogOptions, LoginError, LoginRequest, ResponseKind, TokenGrant,
};
use adkeep_core::book::{AccountBook, TokenInfo};
use adkeep_core::governor::Governor;
use adkeep_core::graph::AccountId;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client, parse_base};
use adkeep_core::model::{Account, Permissions, Profile};
use adkeep_core::problem::Problem;
use adkeep_core::refresh::{Engine, EngineOptions, Progress, RunReport};
use adkeep_core::session::{self, Observer, Session};
use adkeep_core::settings::{LoginMethod, Mode, Settings};
use adkeep_core::token::AccessToken;
use adkeep_core::{Error, Result};
use graph_double::{DoubleConfig, GraphDouble};

use crate::stores::{BookKind, Read, Stores};

mod disk;
pub mod health;
mod showcase;
pub mod single_flight;
pub mod turn;

use crate::vault::Vault;
use crate::views::{AccountView, ActiveMode, Custody, Notice, RefreshStatus, StateView};
use disk::Disk;
pub use health::{Level, Overview, TokenWarning, token_health};
use single_flight::SingleFlight;
use turn::{Turn, TurnError};

/// How the app tells the UI what changed.
pub trait Events: Send + Sync {
    fn accounts_changed(&self, accounts: Vec<AccountView>);
    fn progress(&self, status: &RefreshStatus);
    /// Anything else (mode, token problem, notices): the UI re-reads the state.
    fn state_changed(&self);
    /// An OS notification (only sent when the login's health changes).
    fn notify(&self, _title: &str, _body: &str) {}
}

/// For the CLI and tests: nobody is listening.
pub struct NoEvents;

impl Events for NoEvents {
    fn accounts_changed(&self, _accounts: Vec<AccountView>) {}
    fn progress(&self, _status: &RefreshStatus) {}
    fn state_changed(&self) {}
}

/// Gets a person through Facebook's login dialog and back (a popup window, or
/// the system browser with a loopback listener).
pub trait Authorizer: Send + Sync {
    /// The redirect address this method uses (a loopback method starts listening here).
    fn redirect_uri(&self, endpoints: &Endpoints) -> BoxFuture<'_, Result<url::Url>>;
    /// Shows the dialog at `request.url`; resolves with the redirect it ended on.
    fn authorize<'a>(
        &'a self,
        request: &'a LoginRequest,
        endpoints: &'a Endpoints,
    ) -> BoxFuture<'a, Result<url::Url>>;
}

/// How a login ended.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LoginOutcome {
    Connected {
        user: Profile,
        /// Required scopes the person did not grant, by name.
        declined: Vec<String>,
        custody: Custody,
        /// Accounts that appeared with this login.
        new_accounts: usize,
        message: String,
    },
    /// A different Facebook user logged in: nothing changes until confirmed.
    DifferentUser {
        previous: Profile,
        user: Profile,
        message: String,
    },
}

/// A login waiting for "yes, replace" (a different user).
struct PendingLogin {
    grant: TokenGrant,
    user: Profile,
    permissions: Option<Permissions>,
}

/// What a finished refresh-all says.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RefreshSummary {
    pub total: usize,
    pub refreshed: usize,
    pub failed: usize,
    pub listing_complete: bool,
    /// Listed items that could not be read.
    pub unreadable: usize,
    pub cancelled: bool,
    pub problem: Option<Problem>,
}

impl From<&RunReport> for RefreshSummary {
    fn from(r: &RunReport) -> Self {
        Self {
            total: r.seen.len(),
            refreshed: r.refreshed,
            failed: r.failed,
            listing_complete: r.listing_complete,
            unreadable: r.unreadable,
            cancelled: r.cancelled,
            problem: r.problem.clone(),
        }
    }
}

/// Everything needed to call Graph in the current mode.
pub struct Connection {
    pub endpoints: Arc<Endpoints>,
    pub custody: Custody,
    /// For one row a person is waiting on: gives up quickly.
    pub interactive: Engine,
    /// For refresh-all: waits out limits and outages.
    pub background: Engine,
}

pub struct Backend {
    stores: Arc<dyn Stores>,
    vault: Arc<Vault>,
    events: Arc<dyn Events>,
    settings: RwLock<Settings>,
    mode: RwLock<ActiveMode>,
    session: Session,
    connection: tokio::sync::Mutex<Option<Arc<Connection>>>,
    custody: RwLock<Custody>,
    sandbox: tokio::sync::Mutex<Option<Arc<GraphDouble>>>,
    governor: Arc<Governor>,
    http: reqwest::Client,
    notices: Mutex<Vec<Notice>>,
    /// The account book on disk, shared with other Adkeep processes.
    disk: Disk,
    /// Refresh-all, one at a time (joined, not repeated).
    all: SingleFlight<(), RefreshSummary>,
    /// One account's refresh, one at a time per account.
    rows: SingleFlight<AccountId, AccountView>,
    status: Mutex<RefreshStatus>,
    last_save: Mutex<Option<Instant>>,
    /// The sandbox's token (never stored anywhere).
    sandbox_token: Mutex<Option<AccessToken>>,
    /// One login at a time.
    login: tokio::sync::Mutex<()>,
    pending_login: Mutex<Option<PendingLogin>>,
    /// Endpoints for the user's own accounts instead of the environment's (tests).
    endpoints_override: Option<Endpoints>,
    /// The automatic retry after a passing failure, and how many in a row.
    retry: Mutex<Option<(tokio::task::JoinHandle<()>, u32)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

/// Saves during a long refresh at most this often.
const SAVE_EVERY: Duration = Duration::from_millis(1500);

/// A list older than this is refreshed when Adkeep starts.
const STALE_AFTER: Duration = Duration::from_secs(15 * 60);

impl Backend {
    /// Loads settings and the cached accounts (never touching the network or
    /// the keychain, so the window can show them at once).
    pub fn open(
        stores: Arc<dyn Stores>,
        vault: Vault,
        events: Arc<dyn Events>,
    ) -> Result<Arc<Self>> {
        Self::open_with(stores, vault, events, None)
    }

    /// Like `open`, with the endpoints of the user's own accounts given rather
    /// than read from the environment.
    pub fn open_with(
        stores: Arc<dyn Stores>,
        vault: Vault,
        events: Arc<dyn Events>,
        endpoints: Option<Endpoints>,
    ) -> Result<Arc<Self>> {
        let http = http_client().map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        let backend = Self {
            stores: stores.clone(),
            vault: Arc::new(vault),
            events,
            settings: RwLock::new(Settings::default()),
            mode: RwLock::new(ActiveMode::Unconfigured),
            session: Session::new(AccountBook::new()),
            connection: tokio::sync::Mutex::new(None),
            custody: RwLock::new(Custody::None),
            sandbox: tokio::sync::Mutex::new(None),
            governor: Arc::new(Governor::default()),
            http,
            notices: Mutex::new(Vec::new()),
            disk: Disk::new(stores.clone()),
            all: SingleFlight::default(),
            rows: SingleFlight::default(),
            status: Mutex::new(RefreshStatus::default()),
            last_save: Mutex::new(None),
            sandbox_token: Mutex::new(None),
            login: tokio::sync::Mutex::new(()),
            pending_login: Mutex::new(None),
            endpoints_override: endpoints,
            retry: Mutex::new(None),
        };
        let settings = match backend.stores.load_settings()? {
            Read::Ok(s) => s,
            Read::Missing => Settings::default(),
            Read::SetAside { path, reason } => {
                backend.notice(
                    "warning",
                    format!(
                        "Your settings could not be read ({reason}). They were moved to {} and defaults are used.",
                        path.display()
                    ),
                );
                Settings::default()
            }
        };
        let mode = initial_mode(&settings);
        *write(&backend.settings) = settings;
        *write(&backend.mode) = mode;
        backend.load_book(mode)?;
        Ok(Arc::new(backend))
    }

    fn book_kind(mode: ActiveMode) -> BookKind {
        if mode == ActiveMode::Sandbox {
            BookKind::Sandbox
        } else {
            BookKind::Meta
        }
    }

    fn load_book(&self, mode: ActiveMode) -> Result<()> {
        let book = match self.disk.load(Self::book_kind(mode))? {
            Read::Ok(book) => book,
            Read::Missing => AccountBook::new(),
            Read::SetAside { path, reason } => {
                self.notice(
                    "warning",
                    format!(
                        "Your saved account list could not be read ({reason}). It was moved to {} and Adkeep starts fresh: refresh to load your accounts again.",
                        path.display()
                    ),
                );
                AccountBook::new()
            }
        };
        self.session.replace(book);
        Ok(())
    }

    pub fn notice(&self, level: &'static str, text: String) {
        let mut notices = lock(&self.notices);
        let id = format!(
            "n{}",
            notices.len() + 1 + usize::try_from(Utc::now().timestamp_subsec_nanos()).unwrap_or(0)
        );
        notices.push(Notice { id, level, text });
    }

    /// What the person should be told (files set aside, saves that failed).
    pub fn notices(&self) -> Vec<Notice> {
        lock(&self.notices).clone()
    }

    pub fn dismiss_notice(&self, id: &str) {
        lock(&self.notices).retain(|n| n.id != id);
        self.events.state_changed();
    }

    pub fn mode(&self) -> ActiveMode {
        *read(&self.mode)
    }

    pub fn settings(&self) -> Settings {
        read(&self.settings).clone()
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Runs a keychain operation off the async threads (the keychain can
    /// block on D-Bus).
    pub async fn with_vault<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Vault) -> T + Send + 'static,
    ) -> Result<T> {
        let vault = self.vault.clone();
        tokio::task::spawn_blocking(move || f(&vault))
            .await
            .map_err(|e| Error::Internal(e.to_string()))
    }

    /// Adkeep's data folder.
    pub fn data_dir(&self) -> &std::path::Path {
        self.stores.data_dir()
    }

    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    pub fn governor(&self) -> &Arc<Governor> {
        &self.governor
    }

    /// Everything the window needs to draw itself.
    pub fn state(&self) -> StateView {
        let book = self.session.snapshot();
        let settings = self.settings();
        let aside = SetAside {
            dismissals: &book.dismissed,
            muted: &settings.muted_attention,
        };
        let accounts = AccountView::of(book.accounts.values().cloned(), aside);
        let mode = self.mode();
        let custody = *read(&self.custody);
        let problem = book.token_problem.clone();
        let token = book
            .token
            .as_ref()
            .map(|t| token_health(t.expires_at, t.data_access_expires_at));
        StateView {
            mode,
            connected: mode == ActiveMode::Sandbox
                || custody != Custody::None
                || adkeep_core::config::token_from_env().is_some(),
            custody,
            missing_scopes: book
                .permissions
                .as_ref()
                .map(|p| p.missing())
                .unwrap_or_default(),
            permissions: book.permissions.clone(),
            opens_problem_page: problem.as_ref().is_some_and(session::opens_problem_page),
            problem,
            profile: book.profile.clone(),
            token,
            last_full_refresh: book.last_full_refresh,
            attention: AccountView::counts(&accounts),
            accounts,
            refresh: lock(&self.status).clone(),
            notices: lock(&self.notices).clone(),
            settings,
        }
    }

    /// The connection for the current mode, built on first use.
    pub async fn connection(&self) -> Result<Arc<Connection>> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let (endpoints, token, custody) = match self.mode() {
            ActiveMode::Sandbox => {
                let double = self.sandbox_double().await?;
                let endpoints = Endpoints::one_host(&double.url())
                    .map_err(|e| Error::Internal(e.to_string()))?;
                let token = {
                    let mut slot = lock(&self.sandbox_token);
                    match slot.as_ref() {
                        Some(token) => token.clone(),
                        None => {
                            let token = AccessToken::new(double.issue_token())
                                .ok_or(Error::NotConnected)?;
                            *slot = Some(token.clone());
                            token
                        }
                    }
                };
                (endpoints, token, Custody::Sandbox)
            }
            ActiveMode::Meta | ActiveMode::Unconfigured => {
                let settings = self.settings();
                let endpoints = self.meta_endpoints()?;
                let allow_plaintext = settings.allow_plaintext_token;
                // Keychain calls block (D-Bus): keep them off the async threads.
                let (token, custody) = self
                    .with_vault(move |v| v.load_token(allow_plaintext))
                    .await?;
                let token = token.ok_or(Error::NotConnected)?;
                (endpoints, token, custody)
            }
        };
        *write(&self.custody) = custody;
        let endpoints = Arc::new(endpoints);
        let client = GraphClient::new(self.http.clone(), endpoints.clone(), token);
        let connection = Arc::new(Connection {
            endpoints,
            custody,
            interactive: Engine::new(
                client.clone(),
                EngineOptions::interactive(),
                self.governor.clone(),
            ),
            background: Engine::new(client, EngineOptions::background(), self.governor.clone()),
        });
        *slot = Some(connection.clone());
        Ok(connection)
    }

    /// Meta's endpoints (or the environment's, or the override).
    fn meta_endpoints(&self) -> Result<Endpoints> {
        match &self.endpoints_override {
            Some(endpoints) => Ok(endpoints.clone()),
            None => Ok(adkeep_core::config::endpoints_from_env(
                &self.settings().api_version,
            )?),
        }
    }

    /// The Facebook website Adkeep links to in this mode.
    pub async fn facebook_base(&self) -> Result<url::Url> {
        if let Some(connection) = self.connection.lock().await.as_ref() {
            return Ok(connection.endpoints.facebook.clone());
        }
        if self.mode() == ActiveMode::Sandbox {
            let double = self.sandbox_double().await?;
            return parse_base(&double.url()).map_err(|e| Error::Internal(e.to_string()));
        }
        Ok(self.meta_endpoints()?.facebook)
    }

    /// Forgets the connection (token, settings or mode changed).
    pub async fn reset_connection(&self) {
        *self.connection.lock().await = None;
    }

    async fn sandbox_double(&self) -> Result<Arc<GraphDouble>> {
        let mut slot = self.sandbox.lock().await;
        if let Some(double) = slot.as_ref() {
            return Ok(double.clone());
        }
        let mut config = DoubleConfig::sandbox();
        // A little latency, so the sandbox feels like the network it stands for.
        config.knobs.latency_ms = 180;
        let double = Arc::new(
            GraphDouble::start(config)
                .await
                .map_err(|e| Error::Internal(format!("the sandbox could not start: {e}")))?,
        );
        *slot = Some(double.clone());
        Ok(double)
    }

    /// The sandbox's double, when it runs (for tests and the login popup).
    pub async fn running_sandbox(&self) -> Option<Arc<GraphDouble>> {
        self.sandbox.lock().await.clone()
    }

    /// Switches to the sandbox (sample agency data, clearly labelled).
    pub async fn enter_sandbox(self: &Arc<Self>) -> Result<()> {
        self.switch_mode(ActiveMode::Sandbox, Mode::Sandbox).await
    }

    /// Leaves the sandbox for the user's own accounts (or the first-run screen).
    pub async fn leave_sandbox(self: &Arc<Self>) -> Result<()> {
        let next = if self.settings().app_id.is_empty()
            && adkeep_core::config::token_from_env().is_none()
        {
            (ActiveMode::Unconfigured, Mode::Unconfigured)
        } else {
            (ActiveMode::Meta, Mode::Meta)
        };
        self.switch_mode(next.0, next.1).await?;
        *lock(&self.sandbox_token) = None;
        if let Some(double) = self.sandbox.lock().await.take() {
            drop(double);
        }
        Ok(())
    }

    async fn switch_mode(self: &Arc<Self>, mode: ActiveMode, stored: Mode) -> Result<()> {
        self.cancel_refresh();
        self.persist_now();
        let mut settings = self.settings();
        settings.mode = stored;
        self.save_settings_inner(settings)?;
        *write(&self.mode) = mode;
        *write(&self.custody) = Custody::None;
        self.load_book(mode)?;
        self.reset_connection().await;
        *lock(&self.status) = RefreshStatus::default();
        self.events.state_changed();
        Ok(())
    }

    pub fn save_settings(&self, settings: Settings) -> Result<Settings> {
        let settings = settings.validated()?;
        self.save_settings_inner(settings.clone())?;
        Ok(settings)
    }

    fn save_settings_inner(&self, settings: Settings) -> Result<()> {
        self.stores.save_settings(&settings)?;
        *write(&self.settings) = settings;
        Ok(())
    }

    /// Saves the account book now (merged with another process's save).
    pub fn persist_now(&self) {
        if let Err(e) = self.disk.save(Self::book_kind(self.mode()), &self.session) {
            tracing::error!("saving the account list: {e}");
            self.notice(
                "error",
                format!("Adkeep could not save your account list: {e}"),
            );
            self.events.state_changed();
        }
        *lock(&self.last_save) = Some(Instant::now());
    }

    /// Saves if the last save was a while ago (during long refreshes).
    fn persist_soon(&self) {
        let due = lock(&self.last_save).is_none_or(|t| t.elapsed() >= SAVE_EVERY);
        if due {
            self.persist_now();
        }
    }

    /// Refreshes one account. A second call for the same account while the
    /// first is in flight waits for the same result (one request to Meta).
    pub async fn refresh_account(self: &Arc<Self>, raw_id: &str) -> Result<AccountView> {
        let id = parse_id(raw_id)?;
        let this = self.clone();
        let key = id.clone();
        self.rows
            .run(id, move |_cancel| async move {
                this.do_refresh_account(&key).await
            })
            .await
    }

    async fn do_refresh_account(self: Arc<Self>, id: &AccountId) -> Result<AccountView> {
        let what = format!("refreshing {id}");
        let _turn = match self.turn(&format!("refresh-{id}"), &what).await? {
            Turn::Mine(file) => file,
            Turn::Joined => {
                self.reload_from_disk()?;
                if let Some(view) = self.view_of(id) {
                    return Ok(view);
                }
                return Err(Error::Internal(format!("{id} is not in the saved list")));
            }
        };
        self.reload_if_changed()?;
        let connection = self.connection().await?;
        let observer = UiObserver { backend: &self };
        let report = self
            .session
            .refresh_accounts(
                &connection.interactive,
                std::slice::from_ref(id),
                &observer,
                &CancellationToken::new(),
            )
            .await;
        self.after_run(&report);
        self.view_of(id)
            .ok_or_else(|| Error::Internal(format!("{id} vanished")))
    }

    /// Accounts as the window and the CLI show them: with their reasons for
    /// attention judged against what the person set aside.
    pub fn views(&self, accounts: impl IntoIterator<Item = Account>) -> Vec<AccountView> {
        let muted = self.settings().muted_attention;
        let dismissed = self.session.book().dismissed.clone();
        let aside = SetAside {
            dismissals: &dismissed,
            muted: &muted,
        };
        AccountView::of(accounts, aside)
    }

    fn view_of(&self, id: &AccountId) -> Option<AccountView> {
        let account = self.session.book().get(id).cloned()?;
        self.views([account]).pop()
    }

    /// Acknowledges a reason on an account (hidden until it changes), or
    /// snoozes it for `days`.
    pub fn set_aside(&self, raw_id: &str, key: &str, days: Option<u32>) -> Result<AccountView> {
        let id = parse_id(raw_id)?;
        let now = Utc::now();
        let until = match days {
            None => None,
            Some(days @ 1..=366) => Some(now + chrono::Duration::days(i64::from(days))),
            Some(_) => {
                return Err(Error::Settings(
                    "A snooze lasts from 1 day to a year.".to_owned(),
                ));
            }
        };
        if !self.session.book().dismiss(&id, key, until, now) {
            return Err(Error::Settings(format!(
                "{id} has no reason {key:?} to set aside now"
            )));
        }
        self.after_set_aside(&id)
    }

    /// Shows an acknowledged or snoozed reason again.
    pub fn restore_attention(&self, raw_id: &str, key: &str) -> Result<AccountView> {
        let id = parse_id(raw_id)?;
        self.session.book().restore(&id, key);
        self.after_set_aside(&id)
    }

    fn after_set_aside(&self, id: &AccountId) -> Result<AccountView> {
        self.persist_now();
        let view = self
            .view_of(id)
            .ok_or_else(|| Error::Internal(format!("{id} vanished")))?;
        self.events.accounts_changed(vec![view.clone()]);
        self.events.state_changed();
        Ok(view)
    }

    /// Refreshes several accounts (selected rows, or the CLI's ids).
    pub async fn refresh_accounts(self: &Arc<Self>, ids: &[String]) -> Result<RefreshSummary> {
        let ids: Vec<AccountId> = ids.iter().map(|raw| parse_id(raw)).collect::<Result<_>>()?;
        self.reload_if_changed()?;
        let connection = self.connection().await?;
        let observer = UiObserver { backend: self };
        let report = self
            .session
            .refresh_accounts(
                &connection.background,
                &ids,
                &observer,
                &CancellationToken::new(),
            )
            .await;
        self.after_run(&report);
        Ok(RefreshSummary::from(&report))
    }

    /// Refreshes every account. Joins a refresh-all already running.
    pub async fn refresh_all(self: &Arc<Self>) -> Result<RefreshSummary> {
        let this = self.clone();
        let result = self
            .all
            .run((), move |cancel| async move {
                this.do_refresh_all(&cancel).await
            })
            .await;
        if result.is_err() {
            self.refresh_stopped();
        }
        result
    }

    /// Whether a refresh-all is running now.
    pub fn refreshing_all(&self) -> bool {
        self.all.is_running(&())
    }

    pub fn cancel_refresh(&self) {
        self.all.cancel(&());
    }

    async fn do_refresh_all(self: Arc<Self>, cancel: &CancellationToken) -> Result<RefreshSummary> {
        let _turn = match self.turn("refresh-all", "refreshing all accounts").await? {
            Turn::Mine(file) => file,
            Turn::Joined => {
                self.reload_from_disk()?;
                self.events.state_changed();
                return Ok(self.summary_of_book());
            }
        };
        self.reload_if_changed()?;
        let connection = self.connection().await?;
        // The first save comes a while into the run, not with its first row.
        *lock(&self.last_save) = Some(Instant::now());
        self.set_status(RefreshStatus {
            running: true,
            ..RefreshStatus::default()
        });
        let before = self.notable();
        let first_listing = !self.session.book().listed_once;
        let observer = UiObserver { backend: &self };
        let report = self
            .session
            .refresh_all(&connection.background, &observer, cancel)
            .await;
        if first_listing && report.listing_complete && self.mode() == ActiveMode::Sandbox {
            self.showcase_set_aside();
        }
        self.after_run(&report);
        self.tell_news(&before);
        self.refresh_stopped();
        self.schedule_retry(&report);
        Ok(RefreshSummary::from(&report))
    }

    /// The refresh-all status goes back to idle (also after a failure).
    fn refresh_stopped(&self) {
        let status = {
            let mut status = lock(&self.status);
            status.running = false;
            status.clone()
        };
        self.events.progress(&status);
    }

    /// This process's turn for a refresh (see `turn::take_turn`).
    async fn turn(&self, key: &str, what: &str) -> Result<Turn> {
        let dir = self.data_dir().to_path_buf();
        let (key, what) = (key.to_owned(), what.to_owned());
        tokio::task::spawn_blocking(move || turn::take_turn(&dir, &key, &what, turn::WAIT_LIMIT))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
            .map_err(|e| match e {
                TurnError::Io(io) => Error::from(io),
                gave_up => Error::Storage(format!("Adkeep {gave_up}.")),
            })
    }

    /// Takes in the saved list (another process just refreshed it).
    fn reload_from_disk(&self) -> Result<()> {
        self.disk
            .reload(Self::book_kind(self.mode()), &self.session)
            .map_err(Error::from)
    }

    /// Picks up a list another process saved since this one last did.
    fn reload_if_changed(&self) -> Result<()> {
        if self.disk.changed(Self::book_kind(self.mode())) {
            tracing::info!("the account list changed on disk (another Adkeep process); reading it");
            self.reload_from_disk()?;
        }
        Ok(())
    }

    /// A summary of the book as it stands (when another process refreshed).
    fn summary_of_book(&self) -> RefreshSummary {
        let book = self.session.book();
        let failed = book.accounts.values().filter(|a| a.error.is_some()).count();
        RefreshSummary {
            total: book.len(),
            refreshed: book.len() - failed,
            failed,
            listing_complete: book.token_problem.is_none(),
            unreadable: 0,
            cancelled: false,
            problem: book.token_problem.clone(),
        }
    }

    fn set_status(&self, status: RefreshStatus) {
        *lock(&self.status) = status.clone();
        self.events.progress(&status);
    }

    fn after_run(&self, report: &RunReport) {
        self.review_health();
        self.persist_now();
        if report.problem.is_some() || report.listing_complete {
            self.events.state_changed();
        }
    }

    /// After a failure that passes by itself (a rate limit, an outage), tries
    /// again when access returns (or after a growing wait), until it works.
    fn schedule_retry(self: &Arc<Self>, report: &RunReport) {
        let mut slot = lock(&self.retry);
        let previous = slot.take();
        let streak = previous.as_ref().map_or(0, |(_, n)| *n);
        if let Some((handle, _)) = previous {
            handle.abort();
        }
        let Some(problem) = report
            .problem
            .as_ref()
            .filter(|p| p.reason.retries_by_itself())
        else {
            return;
        };
        let hinted = problem
            .retry_at
            .and_then(|at| (at - Utc::now()).to_std().ok())
            .unwrap_or_default();
        let backoff = Duration::from_secs(15u64.saturating_mul(1 << streak.min(6)));
        let wait = hinted
            .max(backoff.min(Duration::from_secs(600)))
            .max(Duration::from_secs(5));
        tracing::info!(reason = ?problem.reason, ?wait, "retrying by itself");
        let this = self.clone();
        let handle = tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            if let Err(e) = this.refresh_all().await {
                tracing::warn!("automatic retry: {e}");
            }
        });
        *slot = Some((handle, streak + 1));
    }

    /// Tells the person (OS notification) when the login's health changes:
    /// healthy to broken, broken to healthy, and expiry within 7 days, then 1
    /// day. Never once per refresh.
    fn review_health(&self) {
        let (level, title, body) = {
            let book = self.session.book();
            match book
                .token_problem
                .as_ref()
                .filter(|p| p.reason.is_token_problem())
            {
                Some(problem) => (
                    format!("broken:{:?}", problem.reason),
                    format!("Adkeep: {}", problem.title),
                    problem.explanation.clone(),
                ),
                None => {
                    let health = book
                        .token
                        .as_ref()
                        .map(|t| token_health(t.expires_at, t.data_access_expires_at));
                    match health {
                        Some(h) if h.warning == TokenWarning::Day => (
                            "expires_day".to_owned(),
                            "Adkeep: your Facebook login expires within a day".to_owned(),
                            "Reauthenticate now to keep your ad accounts refreshing.".to_owned(),
                        ),
                        Some(h) if h.warning == TokenWarning::Week => (
                            "expires_week".to_owned(),
                            format!(
                                "Adkeep: your Facebook login expires in {} days",
                                h.days_left.unwrap_or(7).max(1)
                            ),
                            "Reauthenticate before then to avoid an interruption.".to_owned(),
                        ),
                        _ => (
                            "ok".to_owned(),
                            "Adkeep is connected again".to_owned(),
                            "Your ad accounts refresh normally.".to_owned(),
                        ),
                    }
                }
            }
        };
        let previous = {
            let mut book = self.session.book();
            if book.notified.as_deref() == Some(level.as_str()) {
                return;
            }
            book.notified.replace(level.clone())
        };
        // Starting up healthy, or recovering from a mere warning, is not news.
        let news = match previous.as_deref() {
            _ if level != "ok" => true,
            Some(before) => before.starts_with("broken"),
            None => false,
        };
        if news && self.settings().notifications {
            self.events.notify(&title, &body);
        }
    }

    /// Where to log in and with which app: the sandbox's double, or Meta (or
    /// the URLs in the environment) with the App ID from Settings.
    async fn login_target(&self) -> Result<(Endpoints, String)> {
        if self.mode() == ActiveMode::Sandbox {
            let double = self.sandbox_double().await?;
            let endpoints =
                Endpoints::one_host(&double.url()).map_err(|e| Error::Internal(e.to_string()))?;
            return Ok((endpoints, graph_double::DEFAULT_APP.to_owned()));
        }
        let settings = self.settings();
        if settings.app_id.is_empty() {
            return Err(Error::Settings(
                "Enter your Meta app's App ID in Settings first.".to_owned(),
            ));
        }
        Ok((self.meta_endpoints()?, settings.app_id))
    }

    /// Gets a new token through Facebook's login dialog, then re-reads the
    /// accounts: newly granted ones appear marked new, unreachable ones stay
    /// marked no longer accessible. Nothing changes if the login is cancelled,
    /// refused, or (until confirmed) made by a different Facebook user.
    pub async fn reauthenticate(
        self: &Arc<Self>,
        authorizer: &dyn Authorizer,
    ) -> Result<LoginOutcome> {
        let _one_at_a_time = self.login.try_lock().map_err(|_| {
            Error::Login(
                "A login is already in progress: finish it in the Facebook window.".to_owned(),
            )
        })?;
        let (endpoints, app_id) = self.login_target().await?;
        let settings = self.settings();
        let sandbox = self.mode() == ActiveMode::Sandbox;
        let response = if !sandbox && settings.login_method == LoginMethod::PopupToken {
            ResponseKind::Token
        } else {
            ResponseKind::Code
        };
        let redirect_uri = authorizer.redirect_uri(&endpoints).await?;
        let config_id =
            (!sandbox && !settings.config_id.is_empty()).then(|| settings.config_id.clone());
        let request = LoginRequest::new(
            &endpoints,
            DialogOptions {
                app_id: app_id.clone(),
                config_id,
                response,
                redirect_uri,
            },
        )
        .map_err(|e| Error::Internal(e.to_string()))?;
        tracing::info!(method = ?settings.login_method, "login started");
        let landed = authorizer.authorize(&request, &endpoints).await?;
        let callback = request.read_redirect(&landed).map_err(|e| match e {
            LoginError::Cancelled => Error::Cancelled,
            LoginError::StateMismatch => Error::LoginRejected(e.to_string()),
            other => Error::Login(other.to_string()),
        })?;
        let secret = if sandbox || !settings.has_app_secret {
            None
        } else {
            self.with_vault(Vault::load_secret).await.ok().flatten()
        };
        let mut grant = match callback {
            Callback::Code(code) => {
                auth::exchange_code(&self.http, &endpoints, &request, &code, secret.as_deref())
                    .await
                    .map_err(login_failure)?
            }
            Callback::Token(grant) => grant,
        };
        if let Some(secret) = &secret {
            match auth::exchange_long_lived(&self.http, &endpoints, &app_id, secret, &grant.token)
                .await
            {
                Ok(long) => {
                    grant = TokenGrant {
                        data_access_expires_at: long
                            .data_access_expires_at
                            .or(grant.data_access_expires_at),
                        granted: grant.granted,
                        declined: grant.declined,
                        ..long
                    }
                }
                Err(e) => tracing::warn!("keeping the short-lived login: {}", e.summary()),
            }
        }
        // Who logged in, and what they allowed.
        let client = GraphClient::new(self.http.clone(), Arc::new(endpoints), grant.token.clone());
        let engine = Engine::new(client, EngineOptions::interactive(), self.governor.clone());
        let user = engine.profile().await?;
        let permissions = engine.permissions().await.ok();
        let pending = PendingLogin {
            grant,
            user: user.clone(),
            permissions,
        };
        let previous = self.session.book().profile.clone();
        if let Some(previous) = previous.filter(|p| p.id != user.id) {
            *lock(&self.pending_login) = Some(pending);
            let message = format!(
                "You logged in as {}, but Adkeep shows the ad accounts of {}. Replace them with {}'s accounts?",
                user.name, previous.name, user.name
            );
            return Ok(LoginOutcome::DifferentUser {
                previous,
                user,
                message,
            });
        }
        self.commit_login(pending, false).await
    }

    /// After a different user logged in: replace (`true`) or keep everything as it was.
    pub async fn confirm_switch_user(
        self: &Arc<Self>,
        replace: bool,
    ) -> Result<Option<LoginOutcome>> {
        let pending = lock(&self.pending_login).take();
        match pending {
            Some(pending) if replace => Ok(Some(self.commit_login(pending, true).await?)),
            _ => Ok(None),
        }
    }

    async fn commit_login(
        self: &Arc<Self>,
        pending: PendingLogin,
        new_user: bool,
    ) -> Result<LoginOutcome> {
        let PendingLogin {
            grant,
            user,
            permissions,
        } = pending;
        let custody = if self.mode() == ActiveMode::Sandbox {
            *lock(&self.sandbox_token) = Some(grant.token.clone());
            Custody::Sandbox
        } else {
            let token = grant.token.clone();
            let allow = self.settings().allow_plaintext_token;
            self.with_vault(move |v| v.save_token(&token, allow))
                .await?
        };
        {
            let mut book = self.session.book();
            if new_user {
                book.reset_for(user.clone());
            } else {
                book.profile = Some(user.clone());
            }
            book.permissions = permissions.clone();
            book.token = Some(TokenInfo {
                obtained_at: Utc::now(),
                expires_at: grant.expires_at,
                data_access_expires_at: grant.data_access_expires_at,
            });
            book.token_problem = None;
        }
        if self.mode() == ActiveMode::Unconfigured {
            let mut settings = self.settings();
            settings.mode = Mode::Meta;
            self.save_settings_inner(settings)?;
            *write(&self.mode) = ActiveMode::Meta;
        }
        *write(&self.custody) = custody;
        // A refresh still running with the old login is stopped first.
        self.cancel_refresh();
        for _ in 0..100 {
            if !self.refreshing_all() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.reset_connection().await;
        self.review_health();
        self.persist_now();
        self.events.state_changed();
        let declined = match &permissions {
            Some(p) => p.missing(),
            None => grant.declined.clone(),
        };
        let summary = self.refresh_all().await?;
        let new_accounts = self
            .session
            .book()
            .accounts
            .values()
            .filter(|a| a.is_new)
            .count();
        let mut message = format!("Connected as {}.", user.name);
        if new_accounts > 0 {
            message.push_str(&format!(
                " {new_accounts} new ad account{} appeared.",
                if new_accounts == 1 { "" } else { "s" }
            ));
        } else if summary.problem.is_none() {
            message.push_str(" No new ad accounts.");
        }
        if !declined.is_empty() {
            message.push_str(&format!(
                " You did not grant {}: Adkeep needs it to read all your ad accounts; Reauthenticate to grant it.",
                declined.join(", ")
            ));
        }
        if custody == Custody::Memory {
            message
                .push_str(" No keychain is available, so the login is kept for this session only.");
        }
        Ok(LoginOutcome::Connected {
            user,
            declined,
            custody,
            new_accounts,
            message,
        })
    }

    /// Forgets the token (the accounts and their last data stay).
    pub async fn disconnect(self: &Arc<Self>) -> Result<()> {
        self.cancel_refresh();
        self.with_vault(Vault::delete_token).await?;
        *lock(&self.sandbox_token) = None;
        {
            let mut book = self.session.book();
            book.token = None;
            book.token_problem = None;
        }
        *write(&self.custody) = Custody::None;
        self.reset_connection().await;
        self.persist_now();
        self.events.state_changed();
        Ok(())
    }

    /// Keeps the Meta app secret in the keychain (enables long-lived logins).
    pub async fn set_app_secret(&self, secret: String) -> Result<Custody> {
        let secret = secret.trim().to_owned();
        if secret.len() < 16 || !secret.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::Settings("That does not look like an app secret (32 letters and digits from App Settings → Basic).".to_owned()));
        }
        let custody = self.with_vault(move |v| v.save_secret(&secret)).await?;
        let mut settings = self.settings();
        settings.has_app_secret = true;
        self.save_settings_inner(settings)?;
        self.events.state_changed();
        Ok(custody)
    }

    pub async fn clear_app_secret(&self) -> Result<()> {
        self.with_vault(Vault::delete_secret).await?;
        let mut settings = self.settings();
        settings.has_app_secret = false;
        self.save_settings_inner(settings)?;
        self.events.state_changed();
        Ok(())
    }

    /// Allows (or stops allowing) a 0600 plaintext file when no keychain works.
    pub async fn allow_plaintext_token(&self, allow: bool) -> Result<Custody> {
        let mut settings = self.settings();
        settings.allow_plaintext_token = allow;
        self.save_settings_inner(settings)?;
        let custody = self
            .with_vault(move |vault| {
                let (token, custody) = vault.load_token(allow);
                match token {
                    Some(token) if matches!(custody, Custody::Memory | Custody::PlaintextFile) => {
                        if !allow {
                            vault.forget_plaintext();
                        }
                        vault.save_token(&token, allow)
                    }
                    _ => custody,
                }
            })
            .await?;
        *write(&self.custody) = custody;
        self.reset_connection().await;
        self.events.state_changed();
        Ok(custody)
    }

    /// After start-up, off the window's path: finds the login (the keychain
    /// can be slow) and refreshes the list if it is stale, so the window (or
    /// the tray, with no window) shows current data without being asked.
    pub async fn warm_up(self: Arc<Self>) {
        if self.mode() == ActiveMode::Unconfigured
            && adkeep_core::config::token_from_env().is_none()
        {
            return;
        }
        match self.connection().await {
            Ok(_) => self.events.state_changed(),
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

    /// Records who is logged in and what the token allows (after a login or `/me`).
    pub fn set_profile(&self, profile: adkeep_core::model::Profile) {
        self.session.book().profile = Some(profile);
    }
}

/// Passes engine updates to the UI and saves now and then.
struct UiObserver<'a> {
    backend: &'a Backend,
}

impl Observer for UiObserver<'_> {
    fn accounts_changed(&self, accounts: &[Account]) {
        self.backend
            .events
            .accounts_changed(self.backend.views(accounts.iter().cloned()));
        self.backend.persist_soon();
    }

    fn progress(&self, progress: &Progress) {
        let status = RefreshStatus {
            running: true,
            done: progress.done,
            total: progress.total,
            listing_complete: progress.listing_complete,
            waiting_until: progress.waiting_until,
        };
        self.backend.set_status(status);
    }
}

/// A failed code exchange, in words (or a passing outage, classified).
fn login_failure(error: adkeep_core::graph::GraphError) -> Error {
    use adkeep_core::graph::FailureKind;
    if matches!(error.kind, FailureKind::Offline | FailureKind::Timeout) {
        let problem = adkeep_core::problem::classify(
            &error,
            &adkeep_core::problem::Context::new(adkeep_core::problem::Scope::Token, Utc::now()),
        );
        return Error::from(problem);
    }
    Error::LoginRejected(format!(
        "Facebook did not accept the login ({}).",
        error.summary()
    ))
}

/// An account id as a person or a script wrote it.
fn parse_id(raw: &str) -> Result<AccountId> {
    AccountId::parse(raw).ok_or_else(|| Error::Settings(format!("{raw:?} is not an ad account id")))
}

/// Which data to show at start: the sandbox if chosen (and no explicit Graph
/// URL), the user's accounts if set up or given a token, else the first run.
fn initial_mode(settings: &Settings) -> ActiveMode {
    let graph_overridden = std::env::var_os(adkeep_core::config::ENV_GRAPH_URL).is_some();
    let env_token = adkeep_core::config::token_from_env().is_some();
    match settings.mode {
        Mode::Sandbox if !graph_overridden && !env_token => ActiveMode::Sandbox,
        Mode::Meta => ActiveMode::Meta,
        _ if env_token => ActiveMode::Meta,
        _ => ActiveMode::Unconfigured,
    }
}
