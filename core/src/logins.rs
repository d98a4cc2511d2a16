//! Facebook logins: the people through whom Adkeep reaches ad accounts (a
//! media buyer, a colleague, a client's admin). Each has its own token (in the
//! keychain, never here), health and expiry; an account lists the logins that
//! reach it and through which it was last refreshed.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::graph::ids::AccountId;
use crate::problem::{Problem, Reason};

/// A login's id: the Facebook user id behind it (adding the same person again
/// reauthenticates that login), or `env-N` for the N-th token given in
/// `ADKEEP_ACCESS_TOKEN` before Meta said whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LoginId(String);

impl LoginId {
    pub fn new(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(raw.to_owned()))
    }

    /// The login of the `n`-th token given in the environment (1-based).
    pub fn from_env(n: usize) -> Self {
        Self(format!("env-{n}"))
    }

    /// Whether this stands for an environment token before Meta said whose
    /// it is (`env-N`; a Facebook id is digits only).
    pub fn is_from_env(&self) -> bool {
        self.0
            .strip_prefix("env-")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<LoginId> for String {
    fn from(id: LoginId) -> Self {
        id.0
    }
}

impl TryFrom<String> for LoginId {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::new(&raw).ok_or_else(|| format!("not a login id: {raw:.40}"))
    }
}

impl std::borrow::Borrow<str> for LoginId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Token lifetime facts, learned at login or from `debug_token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub obtained_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub data_access_expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Login {
    pub id: LoginId,
    /// What the person calls this login; the Facebook name otherwise.
    #[serde(default)]
    pub label: Option<String>,
    /// Who the token belongs to (read with every refresh-all).
    #[serde(default)]
    pub profile: Option<Profile>,
    #[serde(default)]
    pub permissions: Option<Permissions>,
    #[serde(default)]
    pub token: Option<TokenInfo>,
    /// The last token-wide problem, until a call succeeds again.
    #[serde(default)]
    pub problem: Option<Problem>,
    /// The health last told to the person (notifications only on change).
    #[serde(default)]
    pub notified: Option<Told>,
    #[serde(default)]
    pub last_full_refresh: Option<DateTime<Utc>>,
    /// Accounts its last complete listing reached only through a business.
    #[serde(default)]
    pub business_only: BTreeSet<AccountId>,
    /// Where its token stood in `ADKEEP_ACCESS_TOKEN` when Meta last said
    /// whose it was (1-based): a token that breaks is still known as this
    /// login's, rather than as a stranger's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_slot: Option<usize>,
}

impl Login {
    pub fn new(id: LoginId) -> Self {
        Self {
            id,
            label: None,
            profile: None,
            permissions: None,
            token: None,
            problem: None,
            notified: None,
            last_full_refresh: None,
            business_only: BTreeSet::new(),
            env_slot: None,
        }
    }

    /// The name people see: the label, else the Facebook name, else the id.
    pub fn name(&self) -> String {
        self.label
            .clone()
            .filter(|l| !l.trim().is_empty())
            .or_else(|| self.profile.as_ref().map(|p| p.name.clone()))
            .unwrap_or_else(|| self.id.to_string())
    }

    /// The token works as far as Adkeep knows (passing outages don't count).
    pub fn is_healthy(&self) -> bool {
        self.problem
            .as_ref()
            .is_none_or(|p| !p.reason.is_token_problem())
    }

    /// Its health at `now`: broken, expiring within a week or a day, or ok.
    pub fn health(&self, now: DateTime<Utc>) -> Told {
        if let Some(reason) = self.broken_because() {
            return Told::Broken(reason);
        }
        let soonest = self
            .token
            .iter()
            .flat_map(|t| [t.expires_at, t.data_access_expires_at])
            .flatten()
            .min();
        match soonest.map(|t| t - now) {
            Some(left) if left <= chrono::Duration::days(1) => Told::ExpiresDay,
            Some(left) if left <= chrono::Duration::days(7) => Told::ExpiresWeek,
            _ => Told::Ok,
        }
    }

    /// Why this login cannot refresh, if it cannot.
    pub fn broken_because(&self) -> Option<Reason> {
        self.problem
            .as_ref()
            .filter(|p| p.reason.is_token_problem())
            .map(|p| p.reason)
    }
}

/// A login's health as last told to the person (an OS notification goes out
/// only when this changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "level", content = "reason")]
pub enum Told {
    Ok,
    ExpiresWeek,
    ExpiresDay,
    Broken(Reason),
}

impl Told {
    /// Reads what format 1 wrote (`ok`, `expires_week`, `broken:TokenExpired`).
    pub fn from_legacy(raw: &str) -> Option<Self> {
        match raw {
            "ok" => Some(Self::Ok),
            "expires_week" => Some(Self::ExpiresWeek),
            "expires_day" => Some(Self::ExpiresDay),
            other => {
                let name = other.strip_prefix("broken:")?;
                let snake: String = name
                    .chars()
                    .enumerate()
                    .flat_map(|(i, c)| {
                        let lead = (i > 0 && c.is_ascii_uppercase()).then_some('_');
                        lead.into_iter().chain(c.to_lowercase())
                    })
                    .collect();
                serde_json::from_value(serde_json::Value::String(snake))
                    .ok()
                    .map(Self::Broken)
            }
        }
    }
}

/// A login that reaches an account, and the person's tasks there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginReach {
    pub login: LoginId,
    #[serde(default)]
    pub tasks: Vec<String>,
}

/// How much a set of tasks allows: more is a better login to refresh with.
pub fn task_rank(tasks: &[String]) -> u8 {
    let has = |t: &str| tasks.iter().any(|x| x == t);
    if has("MANAGE") {
        4
    } else if has("ADVERTISE") {
        3
    } else if has("ANALYZE") || has("AA_ANALYZE") {
        2
    } else if tasks.is_empty() {
        0
    } else {
        1
    }
}

/// An account refreshed through another login than the one that should
/// have, because that one broke ("through Bob: Jane's login expired").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fallback {
    pub from: LoginId,
    pub reason: Reason,
}

/// The Facebook user the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
}

/// The token's permissions as `/me/permissions` reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    pub granted: Vec<String>,
    pub declined: Vec<String>,
    pub expired: Vec<String>,
}

/// The scopes Adkeep asks for at login and needs to work fully.
pub const REQUIRED_SCOPES: [&str; 3] = ["ads_read", "ads_management", "business_management"];

impl Permissions {
    /// Required scopes that are not granted (declined, expired or never asked).
    pub fn missing(&self) -> Vec<String> {
        REQUIRED_SCOPES
            .iter()
            .filter(|scope| !self.granted.iter().any(|g| g == *scope))
            .map(|s| (*s).to_owned())
            .collect()
    }

    /// Reading accounts needs `ads_read` or `ads_management`.
    pub fn can_read_ads(&self) -> bool {
        self.granted
            .iter()
            .any(|g| g == "ads_read" || g == "ads_management")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_and_bounded() {
        assert!(LoginId::new("10215241773831025").is_some());
        assert_eq!(LoginId::from_env(2).as_str(), "env-2");
        assert!(LoginId::from_env(2).is_from_env());
        assert!(!LoginId::new("10215241773831025").unwrap().is_from_env());
        assert!(!LoginId::new("env-").unwrap().is_from_env());
        for bad in ["", " ", "a/b", "x y", &"1".repeat(65)] {
            assert!(LoginId::new(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn names_prefer_the_label_then_facebook() {
        let mut login = Login::new(LoginId::new("7").unwrap());
        assert_eq!(login.name(), "7");
        login.profile = Some(Profile {
            id: "7".into(),
            name: "Jane Doe".into(),
        });
        assert_eq!(login.name(), "Jane Doe");
        login.label = Some("Jane (agency)".into());
        assert_eq!(login.name(), "Jane (agency)");
    }

    #[test]
    fn what_format_1_told_is_read_back() {
        assert_eq!(Told::from_legacy("ok"), Some(Told::Ok));
        assert_eq!(Told::from_legacy("expires_day"), Some(Told::ExpiresDay));
        assert_eq!(
            Told::from_legacy("broken:TokenExpired"),
            Some(Told::Broken(Reason::TokenExpired))
        );
        assert_eq!(Told::from_legacy("broken:Nonsense"), None);
        assert_eq!(Told::from_legacy("weird"), None);
    }

    #[test]
    fn richer_tasks_rank_higher() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(task_rank(&t(&["MANAGE"])) > task_rank(&t(&["ADVERTISE", "ANALYZE"])));
        assert!(task_rank(&t(&["ADVERTISE"])) > task_rank(&t(&["ANALYZE"])));
        assert!(task_rank(&t(&["ANALYZE"])) > task_rank(&t(&["DRAFT"])));
        assert!(task_rank(&t(&["DRAFT"])) > task_rank(&[]));
    }
}
