//! The one error type the app's commands return and the UI branches on
//! (`kind`). Token-free by construction: nothing here holds a token, and Graph
//! failures arrive already classified and scrubbed.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::problem::Problem;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A classified Graph failure (see `Problem::reason`).
    #[error("{}", .0.title)]
    Problem(Box<Problem>),
    /// No Facebook login yet (or it was disconnected).
    #[error("Adkeep is not connected to Facebook yet")]
    NotConnected,
    /// Settings are incomplete or invalid.
    #[error("{0}")]
    Settings(String),
    /// The login did not finish: cancelled, timed out, or refused.
    #[error("{0}")]
    Login(String),
    /// The login was refused for safety (state mismatch, wrong redirect).
    #[error("{0}")]
    LoginRejected(String),
    /// Saving or reading Adkeep's files failed.
    #[error("{0}")]
    Storage(String),
    /// The OS keychain could not be used.
    #[error("{0}")]
    Keychain(String),
    /// Checking for, fetching or installing an update of Adkeep failed
    /// (a refused signature included: nothing was installed).
    #[error("{0}")]
    Update(String),
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A bug or an unexpected platform failure.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Problem(_) => "problem",
            Self::NotConnected => "not_connected",
            Self::Settings(_) => "settings",
            Self::Login(_) => "login",
            Self::LoginRejected(_) => "login_rejected",
            Self::Storage(_) => "storage",
            Self::Keychain(_) => "keychain",
            Self::Update(_) => "update",
            Self::Cancelled => "cancelled",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<Problem> for Error {
    fn from(problem: Problem) -> Self {
        Self::Problem(Box::new(problem))
    }
}

impl From<crate::settings::SettingsError> for Error {
    fn from(e: crate::settings::SettingsError) -> Self {
        Self::Settings(e.to_string())
    }
}

impl From<crate::config::ConfigError> for Error {
    fn from(e: crate::config::ConfigError) -> Self {
        Self::Settings(e.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Storage(e.to_string())
    }
}

/// `{ "kind": "...", "message": "...", "problem": {...} | null }`
impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 3)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field(
            "message",
            &crate::token::scrub_token_like(&self.to_string()),
        )?;
        match self {
            Self::Problem(problem) => s.serialize_field("problem", problem)?,
            _ => s.serialize_field("problem", &Option::<Problem>::None)?,
        }
        s.end()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_a_kind_the_ui_can_branch_on() {
        let json = serde_json::to_value(Error::NotConnected).unwrap();
        assert_eq!(json["kind"], "not_connected");
        assert!(json["problem"].is_null());
        let problem = crate::problem::classify(
            &crate::graph::GraphError::offline("x"),
            &crate::problem::Context::new(crate::problem::Scope::Token, chrono::Utc::now()),
        );
        let json = serde_json::to_value(Error::from(problem)).unwrap();
        assert_eq!(json["kind"], "problem");
        assert_eq!(json["problem"]["reason"], "offline");
    }

    #[test]
    fn messages_are_scrubbed() {
        let e = Error::Internal("failed GET ?access_token=EAAB123456789012345678901234".into());
        let json = serde_json::to_string(&e).unwrap();
        assert!(!json.contains("EAAB1234"), "{json}");
    }
}
