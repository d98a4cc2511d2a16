//! The app's orchestration, shared by every front end (the window, the tray,
//! the CLI): free of Tauri and of view types, it returns core types and its
//! own state, and `views` is built from them. Split along its seams: which
//! data is shown and how Graph is reached (`connection`), refreshes
//! (`refresh`), saving (`saving`), Facebook logins (`login_flow`), where
//! secrets live (`custody`), scheduled checks (`schedule`), the history
//! (`history`), what the person is told (`health`, `notices`) and start-up
//! (`start`). Front ends hear about changes through `Events`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use chrono::Utc;
use futures::future::BoxFuture;

use adkeep_core::attention::{self, Flag, SetAside};
use adkeep_core::auth::LoginRequest;
use adkeep_core::book::AccountBook;
use adkeep_core::governor::Governor;
use adkeep_core::graph::AccountId;
use adkeep_core::graph::client::{Endpoints, http_client};
use adkeep_core::logins::LoginId;
use adkeep_core::model::Account;
use adkeep_core::session::Session;
use adkeep_core::settings::Settings;
use adkeep_core::{Error, Result};

use crate::secrets::{Custody, Vault};
use crate::store::{Disk, Read, Stores};

mod alerts;
mod connection;
mod custody;
pub mod health;
mod history;
mod login_flow;
mod notices;
mod refresh;
mod saving;
pub mod schedule;
mod showcase;
pub mod single_flight;
mod start;
mod token_login;
pub mod turn;

pub use alerts::{DestinationForm, NewDestination};
pub use connection::{ActiveMode, Connection, Link};
pub use health::{TokenHealth, TokenWarning, token_health};
pub use login_flow::LoginOutcome;
pub use notices::{Notice, NoticeLevel};
pub use refresh::{RefreshStatus, RefreshSummary};

use connection::Sandbox;
use login_flow::LoginFlow;
use refresh::Refreshing;

/// How the app tells the UI what changed.
pub trait Events: Send + Sync {
    /// Accounts that changed (the window turns them into its rows).
    fn accounts_changed(&self, accounts: &[Account]);
    fn progress(&self, status: &RefreshStatus);
    /// Anything else (mode, logins, notices): the UI re-reads the state.
    fn state_changed(&self);
    /// An OS notification (only sent when something changes).
    fn notify(&self, _title: &str, _body: &str) {}
    /// The notification after a scheduled check: clicking it (where the
    /// desktop says so) opens the window on what got worse.
    fn notify_worse(&self, title: &str, body: &str) {
        self.notify(title, body);
    }
}

/// For the CLI and tests: nobody is listening.
pub struct NoEvents;

impl Events for NoEvents {
    fn accounts_changed(&self, _accounts: &[Account]) {}
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

pub struct Backend {
    stores: Arc<dyn Stores>,
    vault: Arc<Vault>,
    events: Arc<dyn Events>,
    settings: RwLock<Settings>,
    mode: RwLock<ActiveMode>,
    session: Session,
    /// Graph's address and one link per login with a token, built on first use.
    connection: tokio::sync::Mutex<Option<Arc<Connection>>>,
    /// Where each login's token lives (learned when the connection is built).
    custody: RwLock<Option<BTreeMap<LoginId, Custody>>>,
    sandbox: Sandbox,
    governor: Arc<Governor>,
    http: reqwest::Client,
    notices: Mutex<Vec<Notice>>,
    /// The account book on disk, shared with other Adkeep processes.
    disk: Disk,
    refreshing: Refreshing,
    logins: LoginFlow,
    history: history::HistoryStore,
    alerts: alerts::AlertsState,
    schedule: schedule::ScheduleState,
    /// The window read the state: start-up work may begin (`start`).
    first_read: start::FirstRead,
    /// Endpoints for the user's own accounts instead of the environment's (tests).
    endpoints_override: Option<Endpoints>,
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
        let stale = adkeep_core::persist::remove_stale_temps(stores.data_dir());
        if stale > 0 {
            tracing::info!(stale, "removed temporary files an interrupted save left");
        }
        let backend = Self {
            stores: stores.clone(),
            vault: Arc::new(vault),
            events,
            settings: RwLock::new(Settings::default()),
            mode: RwLock::new(ActiveMode::Unconfigured),
            session: Session::new(AccountBook::new()),
            connection: tokio::sync::Mutex::new(None),
            custody: RwLock::new(None),
            sandbox: Sandbox::default(),
            governor: Arc::new(Governor::default()),
            http,
            notices: Mutex::new(Vec::new()),
            disk: Disk::new(stores.clone()),
            refreshing: Refreshing::default(),
            logins: LoginFlow::default(),
            history: Default::default(),
            alerts: Default::default(),
            schedule: Default::default(),
            first_read: Default::default(),
            endpoints_override: endpoints,
        };
        let settings = match backend.stores.load_settings()? {
            Read::Ok(s) => s,
            Read::Missing => Settings::default(),
            Read::SetAside { path, reason } => {
                backend.notice(
                    NoticeLevel::Warning,
                    format!(
                        "Your settings could not be read ({reason}). They were moved to {} and defaults are used.",
                        path.display()
                    ),
                );
                Settings::default()
            }
        };
        let mode = connection::initial_mode(&settings);
        backend.session.set_money_alerts(settings.money_alerts);
        *write(&backend.settings) = settings;
        *write(&backend.mode) = mode;
        backend.load_book(mode)?;
        Ok(Arc::new(backend))
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

    /// Changes settings in one place: `change` edits a copy, which is checked,
    /// saved and then used.
    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> Result<Settings> {
        let mut settings = write(&self.settings);
        let mut next = settings.clone();
        change(&mut next);
        let next = next.validated()?;
        self.stores.save_settings(&next)?;
        self.session.set_money_alerts(next.money_alerts);
        if next.check_every_hours != settings.check_every_hours {
            self.schedule.changed.notify_one();
        }
        *settings = next.clone();
        Ok(next)
    }

    /// Replaces the settings with what the Settings page sent.
    pub fn save_settings(&self, settings: Settings) -> Result<Settings> {
        self.update_settings(|s| *s = settings)
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

    /// Every account's reasons, judged in place (no account is copied and
    /// no view built: cheap enough for every state read at thousands).
    pub fn every_flag(&self) -> Vec<Vec<Flag>> {
        let settings = self.settings();
        let book = self.session.book();
        let aside = SetAside::new(&book.dismissed, &settings);
        let now = Utc::now();
        book.accounts
            .values()
            .map(|a| attention::flags(a, aside, now))
            .collect()
    }

    /// One account as the book holds it.
    pub fn account(&self, raw_id: &str) -> Result<Account> {
        let id = parse_id(raw_id)?;
        self.session
            .book()
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::Settings(format!("{id} is not in the account list")))
    }

    /// Acknowledges a reason on an account (hidden until it changes), or
    /// snoozes it for `days`.
    pub fn set_aside(&self, raw_id: &str, key: &str, days: Option<u32>) -> Result<Account> {
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
        let alerts = self.settings().money_alerts;
        if !self.session.book().dismiss(&id, key, until, now, &alerts) {
            return Err(Error::Settings(format!(
                "{id} has no reason {key:?} to set aside now"
            )));
        }
        self.after_set_aside(&id)
    }

    /// Shows an acknowledged or snoozed reason again.
    pub fn restore_attention(&self, raw_id: &str, key: &str) -> Result<Account> {
        let id = parse_id(raw_id)?;
        self.session.book().restore(&id, key);
        self.after_set_aside(&id)
    }

    fn after_set_aside(&self, id: &AccountId) -> Result<Account> {
        self.persist_now();
        let account = self
            .session
            .book()
            .get(id)
            .cloned()
            .ok_or_else(|| Error::Internal(format!("{id} vanished")))?;
        self.events.accounts_changed(std::slice::from_ref(&account));
        self.events.state_changed();
        Ok(account)
    }
}

/// An account id as a person or a script wrote it.
pub fn parse_id(raw: &str) -> Result<AccountId> {
    AccountId::parse(raw).ok_or_else(|| Error::Settings(format!("{raw:?} is not an ad account id")))
}
