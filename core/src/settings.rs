//! User settings (stored through tauri-plugin-store; never the token or the
//! app secret, which live in the keychain).

use serde::{Deserialize, Serialize};

use crate::forecast::MoneyAlerts;
use crate::graph::client::{DEFAULT_API_VERSION, is_valid_version};

/// The kinds a person can mute for every account (Settings): the ones that
/// are often intended. Blocking reasons cannot be muted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MutableKind {
    NoAdvertiseTask,
    TosMissing,
    NoDatasets,
    DatasetStopped,
    DatasetUnavailable,
    AdsInReview,
    /// Ads or an ad limit the person's role cannot read.
    AdsUnknown,
}

impl MutableKind {
    pub const ALL: [Self; 7] = [
        Self::NoAdvertiseTask,
        Self::TosMissing,
        Self::NoDatasets,
        Self::DatasetStopped,
        Self::DatasetUnavailable,
        Self::AdsInReview,
        Self::AdsUnknown,
    ];
}

/// What the app talks to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// First run: nothing chosen yet.
    #[default]
    Unconfigured,
    /// The user's own Meta app against Meta (or the URLs in the environment).
    Meta,
    /// The embedded Graph double with sample agency data.
    Sandbox,
}

/// How the login popup gets a token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    /// In-app popup, authorization code with PKCE.
    #[default]
    Popup,
    /// In-app popup, `response_type=token` (Meta's documented desktop mode).
    PopupToken,
    /// System browser and a loopback redirect (Meta apps in Development mode).
    Loopback,
}

/// How tall the accounts list's rows are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowDensity {
    /// One line per account; the details pane holds the rest.
    #[default]
    Dense,
    /// Taller rows with reasons, spend lines and the chart on the row.
    Comfortable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub mode: Mode,
    pub app_id: String,
    /// Facebook Login for Business configuration, used instead of scopes.
    pub config_id: String,
    pub login_method: LoginMethod,
    pub api_version: String,
    /// Ports the loopback login listens on (must be registered in the Meta app).
    pub loopback_ports: Vec<u16>,
    pub notifications: bool,
    pub close_to_tray: bool,
    pub launch_at_login: bool,
    /// Look for a newer Adkeep quietly at start (Settings can always check).
    pub check_updates: bool,
    /// The user stored an app secret in the keychain (enables long-lived tokens).
    pub has_app_secret: bool,
    /// The user accepted keeping the token in a plaintext file when no keychain works.
    pub allow_plaintext_token: bool,
    /// Kinds of attention never flagged on any account ("Never flag
    /// Analyst-only roles").
    pub muted_attention: Vec<MutableKind>,
    /// When money forecasts need attention.
    pub money_alerts: MoneyAlerts,
    /// Hours between scheduled checks (`None`: off).
    pub check_every_hours: Option<u32>,
    /// When the person last looked at the Activity view ("since last opened").
    pub activity_seen_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The accounts list's row height.
    pub row_density: RowDensity,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mode: Mode::Unconfigured,
            app_id: String::new(),
            config_id: String::new(),
            login_method: LoginMethod::Popup,
            api_version: DEFAULT_API_VERSION.to_owned(),
            loopback_ports: vec![47_711, 47_712, 47_713],
            notifications: true,
            close_to_tray: false,
            launch_at_login: false,
            check_updates: true,
            has_app_secret: false,
            allow_plaintext_token: false,
            muted_attention: Vec::new(),
            money_alerts: MoneyAlerts::default(),
            check_every_hours: Some(crate::schedule::DEFAULT_HOURS),
            activity_seen_at: None,
            row_density: RowDensity::Dense,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("the App ID must be the number from Meta's App Dashboard")]
    AppId,
    #[error("the configuration ID must be a number")]
    ConfigId,
    #[error("the API version must look like v27.0")]
    ApiVersion,
    #[error("loopback ports must be between 1024 and 65535")]
    Ports,
    #[error("warn between 1 and 30 days ahead, and urgently no earlier than that")]
    MoneyDays,
    #[error("scheduled checks run every 1, 3, 6, 12 or 24 hours, or not at all")]
    CheckEvery,
}

impl Settings {
    /// Checks what a person typed; returns the cleaned-up settings.
    pub fn validated(mut self) -> Result<Self, SettingsError> {
        self.app_id = self.app_id.trim().to_owned();
        self.config_id = self.config_id.trim().to_owned();
        self.api_version = self.api_version.trim().to_owned();
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if !self.app_id.is_empty() && !digits(&self.app_id) {
            return Err(SettingsError::AppId);
        }
        if !self.config_id.is_empty() && !digits(&self.config_id) {
            return Err(SettingsError::ConfigId);
        }
        if !is_valid_version(&self.api_version) {
            return Err(SettingsError::ApiVersion);
        }
        if self.loopback_ports.iter().any(|p| *p < 1024) {
            return Err(SettingsError::Ports);
        }
        if self
            .check_every_hours
            .is_some_and(|h| !crate::schedule::CHOICES.contains(&h))
        {
            return Err(SettingsError::CheckEvery);
        }
        let alerts = &self.money_alerts;
        if !(1..=30).contains(&alerts.warn_days) || alerts.urgent_days > alerts.warn_days {
            return Err(SettingsError::MoneyDays);
        }
        self.muted_attention
            .sort_by_key(|k| MutableKind::ALL.iter().position(|a| a == k));
        self.muted_attention.dedup();
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_sensible() {
        let s = Settings::default();
        assert_eq!(s.api_version, "v27.0");
        assert_eq!(s.mode, Mode::Unconfigured);
        assert!(s.clone().validated().is_ok());
    }

    #[test]
    fn old_files_missing_fields_still_load() {
        let s: Settings = serde_json::from_str(r#"{"app_id":"123","mode":"meta"}"#).unwrap();
        assert_eq!(s.app_id, "123");
        assert_eq!(s.api_version, "v27.0");
    }

    #[test]
    fn typing_mistakes_are_caught() {
        let base = Settings::default();
        let with = |f: fn(&mut Settings)| {
            let mut s = base.clone();
            f(&mut s);
            s.validated()
        };
        assert_eq!(
            with(|s| s.app_id = "12ab".into()),
            Err(SettingsError::AppId)
        );
        assert_eq!(
            with(|s| s.api_version = "27".into()),
            Err(SettingsError::ApiVersion)
        );
        assert_eq!(
            with(|s| s.loopback_ports = vec![80]),
            Err(SettingsError::Ports)
        );
        assert_eq!(with(|s| s.app_id = " 123 ".into()).unwrap().app_id, "123");
    }
}
