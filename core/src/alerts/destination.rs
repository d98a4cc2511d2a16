//! Where alerts go and what each destination wants: Slack, Teams, a signed
//! webhook or e-mail, each with its rules. Addresses are checked here, once:
//! `https://` only (plain `http://` to a loopback address, for tests), SMTP
//! with implicit TLS or STARTTLS (plain only to a loopback address). Secrets
//! (Slack and Teams URLs, the webhook's signing secret, the SMTP password)
//! are never held here: a destination says where each one is (`SecretRef`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::attention::Severity;
use crate::graph::ids::AccountId;
use crate::logins::LoginId;

/// Where a secret is kept: the keychain (an entry named after the
/// destination), or an environment variable read at send time (servers
/// without a keychain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum SecretRef {
    Keychain,
    Env { var: String },
}

impl SecretRef {
    /// Where it is, in words (never the secret itself).
    pub fn describe(&self) -> String {
        match self {
            Self::Keychain => "in the keychain".to_owned(),
            Self::Env { var } => format!("from ${var}"),
        }
    }
}

/// Which secret of a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretField {
    /// A Slack or Teams webhook URL (its address is its authorisation).
    Url,
    /// The webhook's signing key.
    Secret,
    /// The SMTP password.
    Password,
}

impl SecretField {
    pub fn name(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Secret => "secret",
            Self::Password => "password",
        }
    }
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// TLS from the first byte (`smtps://`, usually port 465).
    ImplicitTls,
    /// STARTTLS, required (`smtp://`, usually port 587).
    StartTls,
    /// STARTTLS if the server offers it, else plain: loopback servers only.
    Loopback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
}

/// The kind of destination and its address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Slack {
        url: SecretRef,
    },
    Teams {
        url: SecretRef,
    },
    Webhook {
        url: String,
        secret: Option<SecretRef>,
    },
    Email {
        smtp: Smtp,
        to: Vec<String>,
        from: String,
        user: Option<String>,
        password: Option<SecretRef>,
    },
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Slack { .. } => "slack",
            Self::Teams { .. } => "teams",
            Self::Webhook { .. } => "webhook",
            Self::Email { .. } => "email",
        }
    }

    /// Every secret this target needs, with where it is.
    pub fn secrets(&self) -> Vec<(SecretField, &SecretRef)> {
        match self {
            Self::Slack { url } | Self::Teams { url } => vec![(SecretField::Url, url)],
            Self::Webhook { secret, .. } => {
                secret.iter().map(|s| (SecretField::Secret, s)).collect()
            }
            Self::Email { password, .. } => password
                .iter()
                .map(|p| (SecretField::Password, p))
                .collect(),
        }
    }

    /// The address in words, without anything secret ("Slack, URL in the
    /// keychain", "webhook to https://hooks.example.com/…").
    pub fn describe(&self) -> String {
        match self {
            Self::Slack { url } => format!("Slack (webhook URL {})", url.describe()),
            Self::Teams { url } => format!("Teams (workflow URL {})", url.describe()),
            Self::Webhook { url, secret } => {
                let signed = secret.as_ref().map_or_else(
                    || "unsigned".to_owned(),
                    |s| format!("signed, secret {}", s.describe()),
                );
                format!("webhook to {} ({signed})", masked_url(url))
            }
            Self::Email { smtp, to, .. } => {
                format!(
                    "e-mail to {} via {}:{}",
                    to.join(", "),
                    smtp.host,
                    smtp.port
                )
            }
        }
    }
}

/// A URL's scheme, host and port only: its path and query may authorise.
pub fn masked_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(url) => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!(
                "{}://{}{port}/…",
                url.scheme(),
                url.host_str().unwrap_or("?")
            )
        }
        Err(_) => "(an unreadable address)".to_owned(),
    }
}

/// What a destination is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// The least severe reason that alerts.
    pub min_severity: Severity,
    /// Only accounts these logins reach (empty: every login).
    pub logins: Vec<LoginId>,
    /// Only these accounts (empty: every account).
    pub accounts: Vec<AccountId>,
    /// Also say when a problem is over.
    pub send_resolved: bool,
    /// Repeat a blocking problem still open after this long (`None`: never).
    pub remind_after_secs: Option<u64>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            min_severity: Severity::Blocking,
            logins: Vec::new(),
            accounts: Vec::new(),
            send_resolved: true,
            remind_after_secs: None,
        }
    }
}

/// One place alerts go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    /// Stable, short, not secret (`d` and 8 hex digits).
    pub id: String,
    pub target: Target,
    pub rules: Rules,
    pub created_at: DateTime<Utc>,
}

/// Why a destination cannot be used as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("{0:?} is not a web address")]
    NotAUrl(String),
    #[error(
        "{0} must use https:// (plain http:// only to this computer: 127.0.0.1, ::1 or localhost)"
    )]
    NotHttps(String),
    #[error("the address must not carry a user name or password")]
    UserInfo,
    #[error(
        "{0:?} is not an SMTP address: use smtp://HOST:PORT (STARTTLS) or smtps://HOST:PORT (TLS)"
    )]
    NotSmtp(String),
    #[error("{0:?} is not an e-mail address")]
    NotAnAddress(String),
    #[error("an e-mail destination needs at least one recipient (--to)")]
    NoRecipient,
    #[error("a reminder comes at the earliest a minute after the alert")]
    RemindTooSoon,
    #[error("{0:?} is not an environment variable name")]
    NotAVariable(String),
}

pub use crate::graph::endpoints::is_loopback;

/// A webhook address: `https://`, or `http://` to a loopback address.
pub fn check_url(raw: &str) -> Result<Url, DestinationError> {
    let url = Url::parse(raw.trim()).map_err(|_| DestinationError::NotAUrl(masked(raw)))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DestinationError::UserInfo);
    }
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" if !host.is_empty() => Ok(url),
        "http" if is_loopback(host) => Ok(url),
        _ => Err(DestinationError::NotHttps(masked_url(raw))),
    }
}

/// A bad address in an error: never whole (it may be a secret URL).
fn masked(raw: &str) -> String {
    let shown: String = raw.chars().take(12).collect();
    if raw.chars().count() > 12 {
        format!("{shown}…")
    } else {
        shown
    }
}

/// `smtp://HOST[:PORT]` (STARTTLS, 587) or `smtps://HOST[:PORT]` (TLS, 465);
/// a loopback host may speak plain SMTP.
pub fn parse_smtp(raw: &str) -> Result<Smtp, DestinationError> {
    let url = Url::parse(raw.trim()).map_err(|_| DestinationError::NotSmtp(raw.to_owned()))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| DestinationError::NotSmtp(raw.to_owned()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let loopback = is_loopback(&host);
    let (security, default_port) = match url.scheme() {
        "smtps" => (SmtpSecurity::ImplicitTls, 465),
        "smtp" if loopback => (SmtpSecurity::Loopback, 25),
        "smtp" => (SmtpSecurity::StartTls, 587),
        _ => return Err(DestinationError::NotSmtp(raw.to_owned())),
    };
    if url.path().len() > 1 || url.query().is_some() || !url.username().is_empty() {
        return Err(DestinationError::NotSmtp(raw.to_owned()));
    }
    Ok(Smtp {
        host,
        port: url.port().unwrap_or(default_port),
        security,
    })
}

/// An e-mail address (`name@host`, no display name, no line breaks).
pub fn check_address(raw: &str) -> Result<String, DestinationError> {
    let address = raw.trim();
    address
        .parse::<lettre::Address>()
        .map(|_| address.to_owned())
        .map_err(|_| DestinationError::NotAnAddress(address.to_owned()))
}

/// An environment variable's name (letters, digits, `_`; not a value pasted by mistake).
pub fn check_variable(raw: &str) -> Result<String, DestinationError> {
    let ok = !raw.is_empty()
        && raw.len() <= 100
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !raw.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(DestinationError::NotAVariable(masked(raw)))
    }
}

impl Destination {
    /// A destination with a fresh id, checked.
    pub fn new(target: Target, rules: Rules, now: DateTime<Utc>) -> Result<Self, DestinationError> {
        let destination = Self {
            id: new_id(),
            target,
            rules,
            created_at: now,
        };
        destination.check()?;
        Ok(destination)
    }

    /// Everything a destination holds is usable (what a file or the window
    /// sent is checked again).
    pub fn check(&self) -> Result<(), DestinationError> {
        if self.rules.remind_after_secs.is_some_and(|s| s < 60) {
            return Err(DestinationError::RemindTooSoon);
        }
        for (_, secret) in self.target.secrets() {
            if let SecretRef::Env { var } = secret {
                check_variable(var)?;
            }
        }
        match &self.target {
            Target::Webhook { url, .. } => check_url(url).map(|_| ()),
            Target::Email { to, from, .. } => {
                if to.is_empty() {
                    return Err(DestinationError::NoRecipient);
                }
                for address in to.iter().chain([from]) {
                    check_address(address)?;
                }
                Ok(())
            }
            Target::Slack { .. } | Target::Teams { .. } => Ok(()),
        }
    }

    /// "slack d1a2b3c4 — Slack (webhook URL in the keychain)".
    pub fn describe(&self) -> String {
        format!(
            "{} {} — {}",
            self.target.kind(),
            self.id,
            self.target.describe()
        )
    }
}

/// `d` and 8 random hex digits.
fn new_id() -> String {
    let n: u32 = rand::random();
    format!("d{n:08x}")
}

#[cfg(test)]
#[path = "destination_tests.rs"]
mod tests;
