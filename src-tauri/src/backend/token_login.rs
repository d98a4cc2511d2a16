//! A login from a token someone already has (a Meta system user's, which
//! does not expire, for servers): checked with `/me` (and `debug_token` when
//! the app secret is known), kept in the keychain, then the accounts read.

use std::sync::Arc;

use adkeep_core::auth::{self, TokenGrant};
use adkeep_core::graph::client::GraphClient;
use adkeep_core::logins::LoginId;
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::token::AccessToken;
use adkeep_core::{Error, Result};

use super::login_flow::PendingLogin;
use super::{ActiveMode, Backend, LoginOutcome};
use crate::secrets::{Custody, Vault};

impl Backend {
    /// Adds (or renews) the login `raw` belongs to. `keychain_only`: refuse
    /// when no keychain keeps it (a command-line process ends, and a token
    /// kept in its memory would be gone).
    pub async fn add_login_with_token(
        self: &Arc<Self>,
        raw: &str,
        keychain_only: bool,
    ) -> Result<LoginOutcome> {
        let token = AccessToken::new(raw.trim())
            .ok_or_else(|| Error::Settings("That is not a Facebook access token.".to_owned()))?;
        let endpoints = Arc::new(self.endpoints().await?);
        let client = GraphClient::new(self.http.clone(), endpoints.clone(), token.clone());
        let engine = Engine::new(client, EngineOptions::interactive(), self.governor.clone());
        let user = engine.profile().await?;
        let permissions = engine.permissions().await.ok();
        let facts = self.token_facts(&endpoints, &token).await;
        let grant = TokenGrant {
            token,
            expires_at: facts.as_ref().and_then(|f| f.expires_at),
            data_access_expires_at: facts.as_ref().and_then(|f| f.data_access_expires_at),
            granted: permissions
                .as_ref()
                .map(|p| p.granted.clone())
                .unwrap_or_default(),
            declined: permissions
                .as_ref()
                .map(|p| p.declined.clone())
                .unwrap_or_default(),
        };
        let login = LoginId::new(&user.id).ok_or_else(|| {
            Error::LoginRejected("Facebook did not say whose token this is.".to_owned())
        })?;
        if keychain_only && self.mode() != ActiveMode::Sandbox {
            let custody = self.keep_token(&login, &grant).await?;
            if custody != Custody::Keychain {
                let forget = login.clone();
                self.with_vault(move |v| v.delete_token(&forget)).await?;
                return Err(Error::Keychain(
                    "No keychain answered, so Adkeep cannot keep this token. On a server, put it in ADKEEP_ACCESS_TOKEN instead (in an environment file only you can read, mode 0600).".to_owned(),
                ));
            }
        }
        self.commit_login(PendingLogin {
            grant,
            user,
            permissions,
        })
        .await
    }

    /// `debug_token`'s word on the token, when the app and its secret are known.
    async fn token_facts(
        &self,
        endpoints: &adkeep_core::graph::client::Endpoints,
        token: &AccessToken,
    ) -> Option<auth::TokenFacts> {
        let settings = self.settings();
        if !settings.has_app_secret || settings.app_id.is_empty() {
            return None;
        }
        let secret = self.with_vault(Vault::load_secret).await.ok().flatten()?;
        match auth::debug_token(&self.http, endpoints, &settings.app_id, &secret, token).await {
            Ok(facts) if facts.is_valid => Some(facts),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!("debug_token: {}", e.summary());
                None
            }
        }
    }
}
