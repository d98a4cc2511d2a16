//! Which data is shown (the user's accounts or the sandbox's) and how Graph
//! is reached: the endpoints, and one link per Facebook login that has a
//! token, each with its own engines. Tokens come from `ADKEEP_ACCESS_TOKEN`
//! (never stored), the sandbox (issued, never stored) or the keychain.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use adkeep_core::fleet::{FleetReport, Member};
use adkeep_core::graph::client::{Endpoints, GraphClient, parse_base};
use adkeep_core::logins::LoginId;
use adkeep_core::problem::Problem;
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::settings::{Mode, Settings};
use adkeep_core::token::AccessToken;
use adkeep_core::{Error, Result, config};
use graph_double::{DoubleConfig, GraphDouble};

use super::{Backend, lock, read, write};
use crate::secrets::Custody;

/// Which data the app is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActiveMode {
    Unconfigured,
    Meta,
    Sandbox,
}

/// One login's way to Graph.
pub struct Link {
    pub login: LoginId,
    pub custody: Custody,
    /// Why Meta could not say whose token this is, when asked on connecting
    /// (an `ADKEEP_ACCESS_TOKEN` token): `doctor` reports it rather than
    /// asking again into a limit it just met.
    pub unresolved: Option<Problem>,
    /// For one row a person is waiting on: gives up quickly.
    pub interactive: Engine,
    /// For refresh-all: waits out limits and outages.
    pub background: Engine,
}

/// Everything needed to call Graph in the current mode.
pub struct Connection {
    pub endpoints: Arc<Endpoints>,
    /// Every login with a token.
    pub links: Vec<Link>,
    /// `ADKEEP_ACCESS_TOKEN`'s logins are the ones the book remembers for
    /// their places (or `env-N`), not yet confirmed by Meta: a refresh-all
    /// confirms them with the `/me` it asks beside the listing
    /// (`settle_identities`) instead of asking it first.
    pub provisional: bool,
}

/// What a refresh-all over a provisional connection learned of its logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Settled {
    /// Each was who the book said (or Meta could not say).
    Kept,
    /// An `env-N` took its owner's id (the connection is to be rebuilt).
    Renamed,
    /// A token is another login's now: the run's rows are under the wrong login.
    Misattributed,
}

/// Whose tokens a connection must know before it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Identities {
    /// Meta said (an environment token costs a `/me` first).
    Confirmed,
    /// A refresh-all asks `/me` beside its first requests and settles after.
    Provisional,
}

impl Connection {
    pub fn link(&self, login: &LoginId) -> Option<&Link> {
        self.links.iter().find(|l| &l.login == login)
    }

    /// The logins taking part in a refresh-all (`only`: just that one).
    pub fn background(&self, only: Option<&LoginId>) -> Vec<Member<'_>> {
        self.links
            .iter()
            .filter(|l| only.is_none_or(|o| o == &l.login))
            .map(|l| Member {
                login: &l.login,
                engine: &l.background,
            })
            .collect()
    }

    /// Every login, with the engines for a row a person is waiting on.
    pub fn interactive(&self) -> Vec<Member<'_>> {
        self.links
            .iter()
            .map(|l| Member {
                login: &l.login,
                engine: &l.interactive,
            })
            .collect()
    }
}

/// A login's token, found where this mode keeps tokens.
struct Found {
    login: LoginId,
    token: AccessToken,
    custody: Custody,
    unresolved: Option<Problem>,
}

impl Found {
    fn new(login: LoginId, token: AccessToken, custody: Custody) -> Self {
        Self {
            login,
            token,
            custody,
            unresolved: None,
        }
    }
}

/// The sandbox's double and the tokens it issued (kept in memory only).
#[derive(Default)]
pub struct Sandbox {
    double: tokio::sync::Mutex<Option<Arc<GraphDouble>>>,
    pub(super) tokens: Mutex<BTreeMap<LoginId, AccessToken>>,
}

impl Backend {
    /// The connection for the current mode, built on first use.
    pub async fn connection(&self) -> Result<Arc<Connection>> {
        self.connect(Identities::Confirmed).await
    }

    pub(super) async fn connect(&self, identities: Identities) -> Result<Arc<Connection>> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref()
            && (identities == Identities::Provisional || !connection.provisional)
        {
            return Ok(connection.clone());
        }
        let endpoints = Arc::new(self.endpoints().await?);
        let mut provisional = false;
        let tokens = match self.mode() {
            ActiveMode::Sandbox => self.sandbox_tokens().await?,
            ActiveMode::Meta | ActiveMode::Unconfigured => {
                let from_env = config::tokens_from_env();
                if from_env.is_empty() {
                    self.stored_tokens(&endpoints).await?
                } else if identities == Identities::Provisional
                    && let Some(found) = self.remembered_env_logins(&from_env)
                {
                    provisional = true;
                    found
                } else {
                    self.env_tokens(&endpoints, from_env).await
                }
            }
        };
        *write(&self.custody) = Some(
            tokens
                .iter()
                .map(|f| (f.login.clone(), f.custody))
                .collect(),
        );
        if tokens.is_empty() {
            return Err(Error::NotConnected);
        }
        let links = tokens
            .into_iter()
            .map(|found| self.link(&endpoints, found))
            .collect();
        let connection = Arc::new(Connection {
            endpoints,
            links,
            provisional,
        });
        *slot = Some(connection.clone());
        Ok(connection)
    }

    fn link(&self, endpoints: &Arc<Endpoints>, found: Found) -> Link {
        let Found {
            login,
            token,
            custody,
            unresolved,
        } = found;
        let client = GraphClient::new(self.http.clone(), endpoints.clone(), token);
        Link {
            login,
            custody,
            unresolved,
            interactive: self.engine(client.clone(), EngineOptions::interactive()),
            background: self.engine(client, EngineOptions::background()),
        }
    }

    /// After a refresh-all: whether each environment token's login was its
    /// owner's, as the run's `/me` says. An `env-N` takes its owner's id
    /// (a first run); a remembered login that is not the owner's any more
    /// means the run is to be done again (`Misattributed`).
    pub(super) fn settle_identities(
        &self,
        connection: &Connection,
        report: &FleetReport,
    ) -> Settled {
        if !connection.provisional {
            return Settled::Kept;
        }
        let mut settled = Settled::Kept;
        let mut book = self.session.book();
        for (n, link) in connection.links.iter().enumerate() {
            let owner = report
                .logins
                .iter()
                .find(|(login, _)| login == &link.login)
                .and_then(|(_, run)| run.profile.as_ref())
                .and_then(|profile| LoginId::new(&profile.id));
            let Some(owner) = owner else {
                continue; // Meta could not say: kept, as a broken token's login is.
            };
            if owner != link.login {
                if !(link.login.is_from_env() && book.rename_login(&link.login, &owner)) {
                    return Settled::Misattributed;
                }
                settled = Settled::Renamed;
            }
            book.give_env_slot(&owner, n + 1);
        }
        settled
    }

    /// `ADKEEP_ACCESS_TOKEN`'s tokens under the logins the book remembers for
    /// their places, without asking Meta: one token (`env-1` when the book
    /// knows none yet), or several whose places are all known. `None`
    /// otherwise: two unknown tokens could be the same person's.
    fn remembered_env_logins(&self, tokens: &[AccessToken]) -> Option<Vec<Found>> {
        let book = self.session.book();
        let mut found = Vec::with_capacity(tokens.len());
        for (n, token) in tokens.iter().enumerate() {
            let slot = n + 1;
            let login = match book.env_login(slot).cloned() {
                Some(login) => login,
                None if tokens.len() == 1 => LoginId::from_env(slot),
                None => return None,
            };
            found.push(Found::new(login, token.clone(), Custody::Environment));
        }
        Some(found)
    }

    fn engine(&self, client: GraphClient, options: EngineOptions) -> Engine {
        Engine::new(client, options, self.governor.clone())
    }

    /// Where Graph is in this mode.
    pub(super) async fn endpoints(&self) -> Result<Endpoints> {
        if self.mode() == ActiveMode::Sandbox {
            let double = self.sandbox_double().await?;
            return Endpoints::one_host(&double.url()).map_err(|e| Error::Internal(e.to_string()));
        }
        self.meta_endpoints()
    }

    /// Where each login's token lives, as of the last connection
    /// (`Unchecked` before the first).
    pub fn custody_of(&self, login: &LoginId) -> Custody {
        match read(&self.custody).as_ref() {
            None => Custody::Unchecked,
            Some(known) => known.get(login).copied().unwrap_or(Custody::None),
        }
    }

    /// The sandbox's people, each with a token of their own: the logins in
    /// the sandbox's book (Jane when there are none yet).
    async fn sandbox_tokens(&self) -> Result<Vec<Found>> {
        let double = self.sandbox_double().await?;
        let mut logins: Vec<LoginId> = self.session.book().logins.keys().cloned().collect();
        if logins.is_empty() {
            logins.extend(LoginId::new(graph_double::DEFAULT_USER));
        }
        let mut tokens = lock(&self.sandbox.tokens);
        let mut found = Vec::new();
        for login in logins {
            let known = double.world(|w| w.users.contains_key(login.as_str()));
            if !known {
                continue;
            }
            let token = match tokens.get(&login) {
                Some(token) => token.clone(),
                None => {
                    let raw = double.issue_token_for(
                        login.as_str(),
                        &graph_double::world::DEFAULT_SCOPES,
                        &[],
                    );
                    let token = AccessToken::new(raw).ok_or(Error::NotConnected)?;
                    tokens.insert(login.clone(), token.clone());
                    token
                }
            };
            found.push(Found::new(login, token, Custody::Sandbox));
        }
        Ok(found)
    }

    /// `ADKEEP_ACCESS_TOKEN`'s tokens, each under the Facebook id Meta says
    /// it belongs to (`env-N` when Meta could not say).
    async fn env_tokens(&self, endpoints: &Arc<Endpoints>, tokens: Vec<AccessToken>) -> Vec<Found> {
        let whose = tokens.iter().map(|token| {
            let client = GraphClient::new(self.http.clone(), endpoints.clone(), token.clone());
            let engine = self.engine(client, EngineOptions::interactive());
            async move { engine.profile().await }
        });
        let profiles = futures::future::join_all(whose).await;
        let mut found: Vec<Found> = Vec::new();
        for (n, (token, profile)) in tokens.into_iter().zip(profiles).enumerate() {
            let slot = n + 1;
            let login = match &profile {
                Ok(p) => LoginId::new(&p.id),
                // Broken: the login this token was the last time Meta said.
                Err(_) => self.session.book().env_login(slot).cloned(),
            }
            .unwrap_or_else(|| LoginId::from_env(slot));
            if found.iter().any(|f| f.login == login) {
                tracing::warn!(login = %login, "two tokens of the same person: the first is used");
                continue;
            }
            let mut entry = Found::new(login, token, Custody::Environment);
            match profile {
                Ok(profile) => {
                    let mut book = self.session.book();
                    book.give_env_slot(&entry.login, slot).profile = Some(profile);
                }
                Err(problem) => entry.unresolved = Some(problem),
            }
            found.push(entry);
        }
        found
    }

    /// The keychain's tokens, one per login in the book. The first release's
    /// single token is moved to its login's own entry on the way.
    async fn stored_tokens(&self, endpoints: &Arc<Endpoints>) -> Result<Vec<Found>> {
        let allow = self.settings().allow_plaintext_token;
        let logins: Vec<LoginId> = self.session.book().logins.keys().cloned().collect();
        if logins.is_empty() {
            self.adopt_orphaned_legacy(endpoints, allow).await?;
        } else if logins.len() == 1 {
            let only = logins[0].clone();
            self.with_vault(move |v| v.adopt_legacy(&only, allow))
                .await?;
        }
        let logins: Vec<LoginId> = self.session.book().logins.keys().cloned().collect();
        let loaded = self
            .with_vault(move |v| {
                logins
                    .into_iter()
                    .map(|login| {
                        let (token, custody) = v.load_token(&login, allow);
                        (login, token, custody)
                    })
                    .collect::<Vec<_>>()
            })
            .await?;
        Ok(loaded
            .into_iter()
            .filter_map(|(login, token, custody)| Some(Found::new(login, token?, custody)))
            .collect())
    }

    /// The first release's token with no login in the book to adopt it (the
    /// book was never written, or set aside): Meta says whose it is.
    async fn adopt_orphaned_legacy(&self, endpoints: &Arc<Endpoints>, allow: bool) -> Result<()> {
        let Some(token) = self.with_vault(move |v| v.legacy_token(allow)).await? else {
            return Ok(());
        };
        let client = GraphClient::new(self.http.clone(), endpoints.clone(), token);
        let engine = self.engine(client, EngineOptions::interactive());
        let Ok(profile) = engine.profile().await else {
            return Ok(());
        };
        let Some(login) = LoginId::new(&profile.id) else {
            return Ok(());
        };
        self.session.book().login_mut(&login).profile = Some(profile);
        self.with_vault(move |v| v.adopt_legacy(&login, allow))
            .await?;
        Ok(())
    }

    /// Meta's endpoints (or the environment's, or the override).
    pub(super) fn meta_endpoints(&self) -> Result<Endpoints> {
        match &self.endpoints_override {
            Some(endpoints) => Ok(endpoints.clone()),
            None => Ok(config::endpoints_from_env(&self.settings().api_version)?),
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

    /// The Facebook website links go to, without waiting (for views):
    /// `None` while the sandbox is starting.
    pub fn facebook_now(&self) -> Option<url::Url> {
        if self.mode() == ActiveMode::Sandbox {
            let double = self.sandbox.double.try_lock().ok()?.clone()?;
            return parse_base(&double.url()).ok();
        }
        self.meta_endpoints().ok().map(|e| e.facebook)
    }

    /// Forgets the connection (a token, the settings or the mode changed).
    pub async fn reset_connection(&self) {
        *self.connection.lock().await = None;
    }

    pub(super) async fn sandbox_double(&self) -> Result<Arc<GraphDouble>> {
        let mut slot = self.sandbox.double.lock().await;
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
        self.sandbox.double.lock().await.clone()
    }

    /// Switches to the sandbox (sample agency data, clearly labelled).
    pub async fn enter_sandbox(self: &Arc<Self>) -> Result<()> {
        self.switch_mode(ActiveMode::Sandbox, Mode::Sandbox).await
    }

    /// Leaves the sandbox for the user's own accounts (or the first-run screen).
    pub async fn leave_sandbox(self: &Arc<Self>) -> Result<()> {
        let next = if self.settings().app_id.is_empty() && !config::has_env_tokens() {
            (ActiveMode::Unconfigured, Mode::Unconfigured)
        } else {
            (ActiveMode::Meta, Mode::Meta)
        };
        self.switch_mode(next.0, next.1).await?;
        lock(&self.sandbox.tokens).clear();
        if let Some(double) = self.sandbox.double.lock().await.take() {
            drop(double);
        }
        Ok(())
    }

    async fn switch_mode(self: &Arc<Self>, mode: ActiveMode, stored: Mode) -> Result<()> {
        self.cancel_refresh();
        self.persist_now();
        self.update_settings(|s| s.mode = stored)?;
        *write(&self.mode) = mode;
        *write(&self.custody) = None;
        self.history.close();
        self.load_book(mode)?;
        self.reset_connection().await;
        self.forget_refresh_status();
        self.events.state_changed();
        Ok(())
    }
}

/// Which data to show at start: the sandbox if chosen (and no explicit Graph
/// URL), the user's accounts if set up or given a token, else the first run.
pub(super) fn initial_mode(settings: &Settings) -> ActiveMode {
    let graph_overridden = std::env::var_os(config::ENV_GRAPH_URL).is_some();
    let env_token = config::has_env_tokens();
    match settings.mode {
        Mode::Sandbox if !graph_overridden && !env_token => ActiveMode::Sandbox,
        Mode::Meta => ActiveMode::Meta,
        _ if env_token => ActiveMode::Meta,
        _ => ActiveMode::Unconfigured,
    }
}
