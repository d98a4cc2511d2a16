//! Where secrets live: the Meta app secret in the keychain, and whether a
//! login's token may fall back to a 0600 file when no keychain works.

use adkeep_core::logins::LoginId;
use adkeep_core::{Error, Result};

use super::Backend;
use crate::secrets::{Custody, Vault};

impl Backend {
    /// Keeps the Meta app secret in the keychain (enables long-lived logins).
    pub async fn set_app_secret(&self, secret: String) -> Result<Custody> {
        let secret = secret.trim().to_owned();
        if secret.len() < 16 || !secret.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::Settings("That does not look like an app secret (32 letters and digits from App Settings → Basic).".to_owned()));
        }
        let custody = self.with_vault(move |v| v.save_secret(&secret)).await?;
        self.update_settings(|s| s.has_app_secret = true)?;
        self.events.state_changed();
        Ok(custody)
    }

    pub async fn clear_app_secret(&self) -> Result<()> {
        self.with_vault(Vault::delete_secret).await?;
        self.update_settings(|s| s.has_app_secret = false)?;
        self.events.state_changed();
        Ok(())
    }

    /// Allows (or stops allowing) a 0600 plaintext file when no keychain
    /// works, for every login: tokens kept in memory move to a file, files
    /// go back to memory. Returns the custody of the least safe token.
    pub async fn allow_plaintext_token(&self, allow: bool) -> Result<Custody> {
        self.update_settings(|s| s.allow_plaintext_token = allow)?;
        let logins: Vec<LoginId> = self.session.book().logins.keys().cloned().collect();
        let moved = self
            .with_vault(move |vault| {
                logins
                    .into_iter()
                    .map(|login| {
                        let (token, custody) = vault.load_token(&login, allow);
                        let custody = match token {
                            Some(token)
                                if matches!(custody, Custody::Memory | Custody::PlaintextFile) =>
                            {
                                if !allow {
                                    vault.forget_plaintext(&login);
                                }
                                vault.save_token(&login, &token, allow)
                            }
                            _ => custody,
                        };
                        (login, custody)
                    })
                    .collect::<Vec<_>>()
            })
            .await?;
        let kept = moved
            .iter()
            .map(|(_, c)| *c)
            .filter(|c| *c != Custody::None);
        let least_safe = kept
            .clone()
            .find(|c| matches!(c, Custody::PlaintextFile | Custody::Memory))
            .or_else(|| kept.clone().next())
            .unwrap_or(Custody::None);
        self.reset_connection().await;
        self.events.state_changed();
        Ok(least_safe)
    }
}
