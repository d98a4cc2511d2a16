//! Alerts from the backend: destinations kept in the history database with
//! their secrets in the keychain (or named environment variables), a
//! check's alerts decided and delivered through the outbox, and the outbox
//! retried between checks. Every front end (the window, the tray, the
//! watcher, `adkeep alerts`) goes through here.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};

use adkeep_core::alerts::{
    self, Delivered, Destination, Kept, NetSender, Outbox, Outcome, Rules, SecretField, SecretRef,
    SecretSource, Sender, Target,
};
use adkeep_core::history::{History, HistoryError};
use adkeep_core::{Error, Result};

use super::Backend;
use crate::secrets::Vault;

/// A destination as a person gave it: the target and rules, and the
/// secrets to keep in the keychain (for the ones it says are there).
#[derive(Debug, Clone)]
pub struct NewDestination {
    pub target: Target,
    pub rules: Rules,
    pub secrets: Vec<(SecretField, String)>,
}

/// The sender, built on first use.
#[derive(Default)]
pub(super) struct AlertsState {
    sender: OnceLock<Arc<dyn Sender>>,
    /// One round of deliveries at a time in this process (across processes,
    /// the data folder's `check` lock).
    delivering: tokio::sync::Mutex<()>,
}

/// Secrets from the keychain or the environment, read at send time.
struct KeychainOrEnv(Arc<Vault>);

impl SecretSource for KeychainOrEnv {
    fn secret(
        &self,
        destination: &str,
        field: SecretField,
        at: &SecretRef,
    ) -> std::result::Result<String, String> {
        match at {
            SecretRef::Keychain => match self.0.load_alert_secret(destination, field.name()) {
                Ok(Some(secret)) => Ok(secret),
                Ok(None) => Err(format!(
                    "its {} is not in the keychain: remove the destination and add it again",
                    field.name()
                )),
                Err(e) => Err(format!("its {} could not be read: {e}", field.name())),
            },
            SecretRef::Env { var } => std::env::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().to_owned())
                .ok_or_else(|| format!("${var} is not set")),
        }
    }
}

impl Outbox for Backend {
    fn with_outbox<T>(
        &self,
        f: impl FnOnce(&mut History) -> std::result::Result<T, HistoryError>,
    ) -> Option<T> {
        self.with_history(f)
    }
}

/// The retry loop looks at the outbox at least this often (a check in
/// another process may have written to it).
const RETRY_LOOK_AGAIN: std::time::Duration = std::time::Duration::from_secs(60);

fn unavailable() -> Error {
    Error::Storage("the history database, where alerts are kept, is not available".to_owned())
}

impl Backend {
    fn sender(&self) -> Result<Arc<dyn Sender>> {
        if let Some(sender) = self.alerts.sender.get() {
            return Ok(sender.clone());
        }
        let sender: Arc<dyn Sender> = Arc::new(
            NetSender::new(Arc::new(KeychainOrEnv(self.vault().clone())))
                .map_err(|e| Error::Internal(format!("alerts: {e}")))?,
        );
        Ok(self.alerts.sender.get_or_init(|| sender).clone())
    }

    /// Every destination, with how its deliveries go.
    pub fn destinations(&self) -> Result<Vec<Kept>> {
        self.with_history(|h| h.destinations())
            .ok_or_else(unavailable)
    }

    fn destination(&self, id: &str) -> Result<Kept> {
        self.destinations()?
            .into_iter()
            .find(|k| k.destination.id == id)
            .ok_or_else(|| Error::Settings(format!("there is no alert destination {id:?}")))
    }

    /// Adds a destination: its secrets go to the keychain first (nothing is
    /// kept when the keychain refuses them).
    pub async fn add_destination(&self, new: NewDestination) -> Result<Destination> {
        let destination = Destination::new(new.target, new.rules, Utc::now())
            .map_err(|e| Error::Settings(e.to_string()))?;
        self.keep_secrets(&destination, new.secrets).await?;
        self.with_history(|h| h.save_destination(&destination, Utc::now()))
            .ok_or_else(unavailable)?;
        self.events.state_changed();
        Ok(destination)
    }

    /// Replaces a destination's target and rules (secrets not given again
    /// stay as they are); a failing destination is tried again.
    pub async fn edit_destination(&self, id: &str, new: NewDestination) -> Result<Destination> {
        let kept = self.destination(id)?;
        let destination = Destination {
            target: new.target,
            rules: new.rules,
            ..kept.destination
        };
        destination
            .check()
            .map_err(|e| Error::Settings(e.to_string()))?;
        self.keep_secrets(&destination, new.secrets).await?;
        self.with_history(|h| h.save_destination(&destination, Utc::now()))
            .ok_or_else(unavailable)?;
        self.events.state_changed();
        Ok(destination)
    }

    /// Adds or edits the destination the window's form describes.
    pub async fn save_destination_form(&self, form: DestinationForm) -> Result<Destination> {
        match form.id.clone() {
            Some(id) => {
                let kept = self.destination(&id)?;
                let new = form.into_new(Some(&kept.destination))?;
                self.edit_destination(&id, new).await
            }
            None => {
                let new = form.into_new(None)?;
                self.add_destination(new).await
            }
        }
    }

    /// Forgets a destination, its secrets, what it was told and what it did not take.
    pub async fn remove_destination(&self, id: &str) -> Result<()> {
        let kept = self.destination(id)?;
        self.with_history(|h| h.remove_destination(id))
            .ok_or_else(unavailable)?;
        let fields: Vec<SecretField> = kept
            .destination
            .target
            .secrets()
            .iter()
            .map(|(f, _)| *f)
            .collect();
        let id = id.to_owned();
        self.with_vault(move |v| {
            for field in fields {
                v.delete_alert_secret(&id, field.name());
            }
        })
        .await?;
        self.events.state_changed();
        Ok(())
    }

    async fn keep_secrets(
        &self,
        destination: &Destination,
        given: Vec<(SecretField, String)>,
    ) -> Result<()> {
        for (field, at) in destination.target.secrets() {
            let value = given
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, v)| v.trim().to_owned());
            match (at, value) {
                (SecretRef::Keychain, Some(value)) if !value.is_empty() => {
                    if field == SecretField::Url {
                        alerts::destination::check_url(&value)
                            .map_err(|e| Error::Settings(e.to_string()))?;
                    }
                    let (id, name) = (destination.id.clone(), field.name());
                    self.with_vault(move |v| v.save_alert_secret(&id, name, &value))
                        .await?
                        .map_err(|e| Error::Keychain(format!(
                            "the {name} could not be kept in the keychain ({e}); on a server without one, use an environment variable"
                        )))?;
                }
                (SecretRef::Env { var }, _) if std::env::var_os(var).is_none() => {
                    tracing::warn!("${var} is not set yet: the destination waits for it");
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// "Send a test": a message now, its outcome in words.
    pub async fn test_destination(&self, id: &str) -> Result<Outcome> {
        let kept = self.destination(id)?;
        let outcome = alerts::send_test(self, self.sender()?.as_ref(), &kept).await;
        self.events.state_changed();
        Ok(outcome)
    }

    /// After a check: decides every destination's alerts from the book as it
    /// stands, writes them to the outbox, then delivers (failing
    /// destinations are tried too, once).
    pub async fn alert_after_check(&self) -> Delivered {
        let book = self.session.snapshot();
        let wrong = alerts::conditions(&book, &self.settings(), Utc::now());
        let decided = self.with_history(|h| alerts::decide(h, &wrong, Utc::now()));
        if decided.is_none() {
            tracing::warn!("alerts could not be decided: the history database is not available");
        }
        self.deliver_alerts(true).await
    }

    /// Delivers what is due (`at_check`: everything pending, failing
    /// destinations too, unless a destination asked for a wait).
    pub async fn deliver_alerts(&self, at_check: bool) -> Delivered {
        let Ok(sender) = self.sender() else {
            return Delivered::default();
        };
        let _one_at_a_time = self.alerts.delivering.lock().await;
        let delivered = alerts::deliver_due(self, sender.as_ref(), at_check).await;
        self.record_dropped(&delivered);
        if delivered.sent + delivered.retrying + delivered.refused.len() > 0 {
            self.events.state_changed();
        }
        delivered
    }

    /// When the next waiting delivery is due (a retry between checks).
    pub fn next_alert_retry(&self) -> Option<DateTime<Utc>> {
        self.with_history(|h| h.next_delivery_due()).flatten()
    }

    /// Retries waiting deliveries between checks, as each comes due, until
    /// Adkeep stops. A round is skipped while another process (or a check)
    /// holds the data folder's `check` lock: it delivers them itself.
    pub async fn run_alert_retries(self: Arc<Self>) {
        loop {
            let wait = self
                .next_alert_retry()
                .map(|at| (at - Utc::now()).to_std().unwrap_or_default())
                .unwrap_or(RETRY_LOOK_AGAIN)
                .clamp(std::time::Duration::from_secs(1), RETRY_LOOK_AGAIN);
            tokio::time::sleep(wait).await;
            if self.next_alert_retry().is_none_or(|at| at > Utc::now()) {
                continue;
            }
            let dir = self.data_dir().to_path_buf();
            let turn = tokio::task::spawn_blocking(move || {
                super::turn::try_turn(&dir, "check", "delivering alerts")
            })
            .await;
            if let Ok(Ok(Some(_mine))) = turn {
                self.deliver_alerts(false).await;
            }
        }
    }

    /// Deliveries dropped after a week go into the history.
    fn record_dropped(&self, delivered: &Delivered) {
        use adkeep_core::changes::{Change, ChangeKind};
        let changes: Vec<Change> = delivered
            .dropped
            .iter()
            .map(|(destination, count)| Change {
                at: Utc::now(),
                account_id: None,
                account_name: None,
                login: None,
                kind: ChangeKind::AlertsDropped,
                from: Some(count.to_string()),
                to: Some(destination.clone()),
                worse: true,
            })
            .collect();
        if !changes.is_empty() {
            self.with_history(|h| h.record(&changes));
        }
    }
}

/// A destination as the window's form sends it. Secrets typed there go to
/// the keychain; left empty on an edit, the ones kept stay.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DestinationForm {
    /// The destination being edited (none: a new one).
    pub id: Option<String>,
    /// `slack`, `teams`, `webhook` or `email`.
    pub kind: String,
    /// Slack's or Teams' URL (a secret), or the webhook's.
    #[serde(default)]
    pub url: String,
    /// The webhook's signing secret.
    #[serde(default)]
    pub secret: String,
    /// `smtps://host:465` or `smtp://host:587`.
    #[serde(default)]
    pub smtp: String,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub password: String,
    pub rules: Rules,
}

impl DestinationForm {
    /// What the form describes, checked (`kept`: the destination edited).
    pub fn into_new(self, kept: Option<&Destination>) -> Result<NewDestination> {
        let mut secrets = Vec::new();
        let target = self.target(kept, &mut secrets)?;
        Ok(NewDestination {
            target,
            rules: self.rules,
            secrets,
        })
    }

    fn target(
        &self,
        kept: Option<&Destination>,
        secrets: &mut Vec<(SecretField, String)>,
    ) -> Result<Target> {
        use adkeep_core::alerts::destination::{check_url, parse_smtp};
        let bad = |e: alerts::destination::DestinationError| Error::Settings(e.to_string());
        let mut keep = |field, value: &str| keep_secret(kept, field, value, secrets);
        match self.kind.as_str() {
            "slack" | "teams" => {
                if !self.url.trim().is_empty() {
                    check_url(self.url.trim()).map_err(bad)?;
                }
                let url = keep(SecretField::Url, &self.url).ok_or_else(|| {
                    Error::Settings("Paste the webhook URL the channel gave you.".to_owned())
                })?;
                Ok(if self.kind == "slack" {
                    Target::Slack { url }
                } else {
                    Target::Teams { url }
                })
            }
            "webhook" => {
                check_url(self.url.trim()).map_err(bad)?;
                Ok(Target::Webhook {
                    url: self.url.trim().to_owned(),
                    secret: keep(SecretField::Secret, &self.secret),
                })
            }
            "email" => Ok(Target::Email {
                smtp: parse_smtp(&self.smtp).map_err(bad)?,
                to: self
                    .to
                    .iter()
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty())
                    .collect(),
                from: Some(self.from.trim().to_owned())
                    .filter(|f| !f.is_empty())
                    .unwrap_or_else(|| "adkeep@localhost".to_owned()),
                user: Some(self.user.trim().to_owned()).filter(|u| !u.is_empty()),
                password: keep(SecretField::Password, &self.password),
            }),
            other => Err(Error::Settings(format!(
                "{other:?} is not a kind of destination"
            ))),
        }
    }
}

/// A secret typed in the form goes to the keychain; left empty, the one the
/// edited destination kept stays (`None`: there is none).
fn keep_secret(
    kept: Option<&Destination>,
    field: SecretField,
    value: &str,
    secrets: &mut Vec<(SecretField, String)>,
) -> Option<SecretRef> {
    let value = value.trim();
    if value.is_empty() {
        let had = kept.is_some_and(|d| d.target.secrets().iter().any(|(f, _)| *f == field));
        return had.then_some(SecretRef::Keychain);
    }
    secrets.push((field, value.to_owned()));
    Some(SecretRef::Keychain)
}
