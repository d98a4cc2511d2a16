//! Facebook logins: adding one through the login dialog, reauthenticating
//! one (the same person again renews that login instead of adding another),
//! renaming and removing one. Nothing changes if a login is cancelled,
//! refused, or made by someone other than the person asked for (until the
//! person says to add them).

use std::sync::{Arc, Mutex};

use chrono::Utc;
use serde::Serialize;

use adkeep_core::auth::{
    self, Callback, DialogOptions, LoginError, LoginRequest, ResponseKind, TokenGrant,
};
use adkeep_core::book::TokenInfo;
use adkeep_core::graph::client::{Endpoints, GraphClient};
use adkeep_core::logins::LoginId;
use adkeep_core::model::{Permissions, Profile};
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::settings::{LoginMethod, Mode};
use adkeep_core::{Error, Result};

use super::ActiveMode;
use super::{Authorizer, Backend, lock, write};
use crate::secrets::{Custody, Vault};

/// How a login ended.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LoginOutcome {
    Connected {
        login: LoginId,
        user: Profile,
        /// A login Adkeep did not have before (rather than one renewed).
        added: bool,
        /// Required scopes the person did not grant, by name.
        declined: Vec<String>,
        custody: Custody,
        /// Accounts that appeared with this login.
        new_accounts: usize,
        message: String,
    },
    /// Someone other than the login being reauthenticated logged in:
    /// nothing changes until the person says to add them as another login.
    DifferentUser {
        expected: Profile,
        user: Profile,
        /// The person who logged in already is one of Adkeep's logins
        /// (confirming renews theirs rather than adding one).
        known: bool,
        message: String,
    },
}

/// A login waiting for "yes, add them" (a different person logged in).
pub(super) struct PendingLogin {
    pub(super) grant: TokenGrant,
    pub(super) user: Profile,
    pub(super) permissions: Option<Permissions>,
}

#[derive(Default)]
pub(super) struct LoginFlow {
    /// One login dialog at a time.
    one_at_a_time: tokio::sync::Mutex<()>,
    pending: Mutex<Option<PendingLogin>>,
}

impl Backend {
    /// Where to log in and with which app: the sandbox's double, or Meta (or
    /// the URLs in the environment) with the App ID from Settings.
    async fn login_target(&self) -> Result<(Endpoints, String)> {
        if self.mode() == ActiveMode::Sandbox {
            let endpoints = self.endpoints().await?;
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

    /// Gets a token through Facebook's login dialog, then re-reads the
    /// accounts: newly granted ones appear marked new. `target`: the login to
    /// reauthenticate (someone else logging in is asked about first); `None`
    /// adds whoever logs in (or renews their login if Adkeep has it).
    pub async fn reauthenticate(
        self: &Arc<Self>,
        authorizer: &dyn Authorizer,
        target: Option<&LoginId>,
    ) -> Result<LoginOutcome> {
        let _one_at_a_time = self.logins.one_at_a_time.try_lock().map_err(|_| {
            Error::Login(
                "A login is already in progress: finish it in the Facebook window.".to_owned(),
            )
        })?;
        let (endpoints, app_id) = self.login_target().await?;
        let grant = self.run_dialog(authorizer, &endpoints, &app_id).await?;
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
        let expected = target.and_then(|id| {
            let book = self.session.book();
            let login = book.logins.get(id)?;
            Some(login.profile.clone().unwrap_or_else(|| Profile {
                id: id.to_string(),
                name: login.name(),
            }))
        });
        if let Some(expected) = expected.filter(|p| p.id != user.id) {
            *lock(&self.logins.pending) = Some(pending);
            let known = LoginId::new(&user.id)
                .is_some_and(|id| self.session.book().logins.contains_key(&id));
            let message = if known {
                format!(
                    "You logged in as {}, not {}. Renew {}'s login instead? To renew {}'s, choose “Log in with another account” in Facebook's window.",
                    user.name, expected.name, user.name, expected.name
                )
            } else {
                format!(
                    "You logged in as {}, not {}. Add {} as another Facebook login? ({}'s login stays as it is.)",
                    user.name, expected.name, user.name, expected.name
                )
            };
            return Ok(LoginOutcome::DifferentUser {
                expected,
                user,
                known,
                message,
            });
        }
        self.commit_login(pending).await
    }

    /// After someone else logged in: add them as another login (`true`), or
    /// keep everything as it was.
    pub async fn confirm_switch_user(self: &Arc<Self>, add: bool) -> Result<Option<LoginOutcome>> {
        let pending = lock(&self.logins.pending).take();
        match pending {
            Some(pending) if add => Ok(Some(self.commit_login(pending).await?)),
            _ => Ok(None),
        }
    }

    /// Shows the dialog and turns its answer into a token (exchanging the
    /// code, and for a long-lived login the short token).
    async fn run_dialog(
        &self,
        authorizer: &dyn Authorizer,
        endpoints: &Endpoints,
        app_id: &str,
    ) -> Result<TokenGrant> {
        let settings = self.settings();
        let sandbox = self.mode() == ActiveMode::Sandbox;
        let response = if !sandbox && settings.login_method == LoginMethod::PopupToken {
            ResponseKind::Token
        } else {
            ResponseKind::Code
        };
        let redirect_uri = authorizer.redirect_uri(endpoints).await?;
        let config_id =
            (!sandbox && !settings.config_id.is_empty()).then(|| settings.config_id.clone());
        let request = LoginRequest::new(
            endpoints,
            DialogOptions {
                app_id: app_id.to_owned(),
                config_id,
                response,
                redirect_uri,
            },
        )
        .map_err(|e| Error::Internal(e.to_string()))?;
        tracing::info!(method = ?settings.login_method, "login started");
        let landed = authorizer.authorize(&request, endpoints).await?;
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
        let grant = match callback {
            Callback::Code(code) => {
                auth::exchange_code(&self.http, endpoints, &request, &code, secret.as_deref())
                    .await
                    .map_err(login_failure)?
            }
            Callback::Token(grant) => grant,
        };
        match secret {
            Some(secret) => Ok(self.long_lived(endpoints, app_id, &secret, grant).await),
            None => Ok(grant),
        }
    }

    /// With the app secret, the short-lived login becomes a 60-day one (or
    /// stays as it is when Meta refuses).
    async fn long_lived(
        &self,
        endpoints: &Endpoints,
        app_id: &str,
        secret: &str,
        grant: TokenGrant,
    ) -> TokenGrant {
        match auth::exchange_long_lived(&self.http, endpoints, app_id, secret, &grant.token).await {
            Ok(long) => TokenGrant {
                data_access_expires_at: long
                    .data_access_expires_at
                    .or(grant.data_access_expires_at),
                granted: grant.granted,
                declined: grant.declined,
                ..long
            },
            Err(e) => {
                tracing::warn!("keeping the short-lived login: {}", e.summary());
                grant
            }
        }
    }

    /// Keeps the new token under its person's login (added, or renewed) and
    /// refreshes every login's accounts.
    pub(super) async fn commit_login(
        self: &Arc<Self>,
        pending: PendingLogin,
    ) -> Result<LoginOutcome> {
        let PendingLogin {
            grant,
            user,
            permissions,
        } = pending;
        let login = LoginId::new(&user.id).ok_or_else(|| {
            Error::LoginRejected("Facebook did not say who logged in.".to_owned())
        })?;
        let custody = self.keep_token(&login, &grant).await?;
        let (added, first) = self.record_login(&login, &user, permissions.clone(), &grant);
        if self.mode() == ActiveMode::Unconfigured {
            self.update_settings(|s| s.mode = Mode::Meta)?;
            *write(&self.mode) = ActiveMode::Meta;
        }
        // A refresh still running with the old tokens is stopped first.
        self.stop_refreshing().await;
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
        let message = connected_message(
            &user,
            added && !first,
            new_accounts,
            &summary,
            &declined,
            custody,
        );
        Ok(LoginOutcome::Connected {
            login,
            user,
            added,
            declined,
            custody,
            new_accounts,
            message,
        })
    }

    /// The login in the book: its person, scopes and token's lifetimes;
    /// whether it was added, and whether it is the first.
    fn record_login(
        &self,
        login: &LoginId,
        user: &Profile,
        permissions: Option<Permissions>,
        grant: &TokenGrant,
    ) -> (bool, bool) {
        let mut book = self.session.book();
        let added = !book.logins.contains_key(login);
        let first = book.logins.is_empty();
        let entry = book.login_mut(login);
        entry.profile = Some(user.clone());
        entry.permissions = permissions;
        entry.token = Some(TokenInfo {
            obtained_at: Utc::now(),
            expires_at: grant.expires_at,
            data_access_expires_at: grant.data_access_expires_at,
        });
        entry.problem = None;
        (added, first)
    }

    /// Puts a login's new token where tokens live in this mode.
    pub(super) async fn keep_token(&self, login: &LoginId, grant: &TokenGrant) -> Result<Custody> {
        let custody = if self.mode() == ActiveMode::Sandbox {
            lock(&self.sandbox.tokens).insert(login.clone(), grant.token.clone());
            Custody::Sandbox
        } else {
            let (login, token) = (login.clone(), grant.token.clone());
            let allow = self.settings().allow_plaintext_token;
            self.with_vault(move |v| v.save_token(&login, &token, allow))
                .await?
        };
        Ok(custody)
    }

    /// Forgets a login and its token. Accounts only it reached are kept with
    /// their last data, marked no longer accessible.
    pub async fn remove_login(self: &Arc<Self>, raw: &str) -> Result<String> {
        let login = self.known_login(raw)?;
        self.stop_refreshing().await;
        let only = self.session.book().reached_only_by(&login);
        self.forget_token(&login).await?;
        let removed = self.session.book().remove_login(&login);
        let name = removed.map_or_else(|| login.to_string(), |l| l.name());
        self.reset_connection().await;
        self.persist_now();
        self.events.state_changed();
        Ok(match only {
            0 => format!("Removed {name}'s login."),
            1 => format!(
                "Removed {name}'s login. The 1 account only {name} reached is kept with its last data, marked no longer accessible."
            ),
            n => format!(
                "Removed {name}'s login. The {n} accounts only {name} reached are kept with their last data, marked no longer accessible."
            ),
        })
    }

    /// Names a login ("Jane (agency)"); an empty name goes back to Facebook's.
    pub fn rename_login(&self, raw: &str, label: &str) -> Result<()> {
        let login = self.known_login(raw)?;
        let label: String = label.chars().filter(|c| !c.is_control()).collect();
        let label = label.trim();
        if label.chars().count() > 60 {
            return Err(Error::Settings(
                "A login's name has at most 60 characters.".to_owned(),
            ));
        }
        self.session.book().login_mut(&login).label = (!label.is_empty()).then(|| label.to_owned());
        self.persist_now();
        self.events.state_changed();
        Ok(())
    }

    /// Forgets every login's token (the logins, accounts and their last data
    /// stay, so logging in again picks up where things were).
    pub async fn disconnect(self: &Arc<Self>) -> Result<()> {
        self.stop_refreshing().await;
        let logins: Vec<LoginId> = self.session.book().logins.keys().cloned().collect();
        for login in &logins {
            self.forget_token(login).await?;
        }
        {
            let mut book = self.session.book();
            for login in book.logins.values_mut() {
                login.token = None;
                login.problem = None;
            }
        }
        self.reset_connection().await;
        self.persist_now();
        self.events.state_changed();
        Ok(())
    }

    async fn forget_token(&self, login: &LoginId) -> Result<()> {
        lock(&self.sandbox.tokens).remove(login);
        if self.mode() != ActiveMode::Sandbox {
            let owned = login.clone();
            self.with_vault(move |v| v.delete_token(&owned)).await?;
        }
        if let Some(known) = write(&self.custody).as_mut() {
            known.remove(login);
        }
        Ok(())
    }

    /// A login Adkeep has, by id or by name (as the CLI's `--login` and the
    /// window give it).
    pub fn known_login(&self, raw: &str) -> Result<LoginId> {
        let book = self.session.book();
        let wanted = raw.trim();
        let by_id = LoginId::new(wanted).filter(|id| book.logins.contains_key(id));
        let found = by_id.or_else(|| {
            let mut named = book
                .logins
                .values()
                .filter(|l| l.name().eq_ignore_ascii_case(wanted));
            match (named.next(), named.next()) {
                (Some(one), None) => Some(one.id.clone()),
                _ => None,
            }
        });
        found.ok_or_else(|| {
            let names: Vec<String> = book.logins.values().map(|l| l.name()).collect();
            Error::Settings(format!(
                "No Facebook login is called {wanted:?} (logins: {}).",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            ))
        })
    }
}

/// What a finished login says; `another`: a login added beside others.
fn connected_message(
    user: &Profile,
    another: bool,
    new_accounts: usize,
    summary: &super::RefreshSummary,
    declined: &[String],
    custody: Custody,
) -> String {
    let mut message = if another {
        format!("Added {}'s login.", user.name)
    } else {
        format!("Connected as {}.", user.name)
    };
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
        message.push_str(" No keychain is available, so the login is kept for this session only.");
    }
    message
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
