//! `AccountId`: an ad account's Graph id, `act_<digits>`, parsed once where
//! it enters (a listing, the CLI, the cache) and trusted everywhere after.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Meta's ids are 64-bit numbers: at most 20 digits.
const MAX_DIGITS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

impl AccountId {
    /// Reads `123`, `act_123` or ` act_123 `; anything else is not an account id.
    pub fn parse(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        let digits = trimmed.strip_prefix("act_").unwrap_or(trimmed);
        let plausible = !digits.is_empty()
            && digits.len() <= MAX_DIGITS
            && digits.bytes().all(|b| b.is_ascii_digit());
        plausible.then(|| Self(format!("act_{digits}")))
    }

    /// `act_123`: the form Graph paths use.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `123`: the form usage headers and some links use.
    pub fn numeric(&self) -> &str {
        self.0.strip_prefix("act_").unwrap_or(&self.0)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for AccountId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for AccountId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<AccountId> for String {
    fn from(id: AccountId) -> Self {
        id.0
    }
}

impl TryFrom<String> for AccountId {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw).ok_or_else(|| format!("not an ad account id: {:.40}", raw))
    }
}

impl PartialEq<str> for AccountId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for AccountId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_people_and_meta_use() {
        assert_eq!(AccountId::parse("123").unwrap().as_str(), "act_123");
        assert_eq!(AccountId::parse(" act_123 ").unwrap().as_str(), "act_123");
        assert_eq!(AccountId::parse("act_123").unwrap().numeric(), "123");
    }

    #[test]
    fn refuses_what_is_not_an_account() {
        for raw in [
            "",
            "act_",
            "act_12x",
            "../me",
            "me",
            "act_1/insights",
            "123456789012345678901",
        ] {
            assert_eq!(AccountId::parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn serializes_as_the_graph_string_and_refuses_garbage() {
        let id = AccountId::parse("42").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"act_42\"");
        let back: AccountId = serde_json::from_str("\"act_42\"").unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<AccountId>("\"act_x\"").is_err());
        let map: std::collections::BTreeMap<AccountId, u8> =
            serde_json::from_str(r#"{"act_1": 1, "2": 2}"#).unwrap();
        assert_eq!(map.len(), 2);
    }
}
