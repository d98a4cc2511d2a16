//! Where things are: the environment overrides (the CLI contract) and the
//! data folder.

use std::path::PathBuf;

use crate::graph::client::{
    DEFAULT_FACEBOOK_URL, DEFAULT_GRAPH_URL, Endpoints, is_valid_version, parse_base,
};

pub const ENV_GRAPH_URL: &str = "ADKEEP_GRAPH_URL";
pub const ENV_FACEBOOK_URL: &str = "ADKEEP_FACEBOOK_URL";
pub const ENV_GRAPH_VERSION: &str = "ADKEEP_GRAPH_VERSION";
pub const ENV_DATA_DIR: &str = "ADKEEP_DATA_DIR";
pub const ENV_ACCESS_TOKEN: &str = "ADKEEP_ACCESS_TOKEN";

/// The bundle identifier; the OS data folder is named after it.
pub const IDENTIFIER: &str = "io.adkeep.desktop";

pub const SETTINGS_FILE: &str = "settings.json";
pub const ACCOUNTS_FILE: &str = "accounts.json";
pub const SANDBOX_ACCOUNTS_FILE: &str = "sandbox-accounts.json";
pub const SETTINGS_KEY: &str = "settings";
pub const BOOK_KEY: &str = "book";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is not a valid URL: {value}")]
    Url { var: &'static str, value: String },
    #[error(
        "{var} must be https:// (plain http:// only to this computer), not {value}: the token would travel in the clear"
    )]
    Insecure { var: &'static str, value: String },
    #[error("{ENV_GRAPH_VERSION} must look like v27.0, not {0}")]
    Version(String),
    #[error("no data folder: set {ENV_DATA_DIR}")]
    NoDataDir,
}

/// Endpoints from the environment, falling back to Meta's servers and to the
/// version in the settings.
pub fn endpoints_from_env(settings_version: &str) -> Result<Endpoints, ConfigError> {
    endpoints_from(
        |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()),
        settings_version,
    )
}

pub fn endpoints_from(
    var: impl Fn(&str) -> Option<String>,
    settings_version: &str,
) -> Result<Endpoints, ConfigError> {
    let url = |name: &'static str, default: &str| {
        let value = var(name).unwrap_or_else(|| default.to_owned());
        let url = parse_base(&value).map_err(|_| ConfigError::Url {
            var: name,
            value: value.clone(),
        })?;
        if !crate::graph::endpoints::is_safe_base(&url) {
            let value = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
            return Err(ConfigError::Insecure { var: name, value });
        }
        Ok(url)
    };
    let version = var(ENV_GRAPH_VERSION).unwrap_or_else(|| settings_version.to_owned());
    if !is_valid_version(&version) {
        return Err(ConfigError::Version(version));
    }
    Ok(Endpoints {
        graph: url(ENV_GRAPH_URL, DEFAULT_GRAPH_URL)?,
        facebook: url(ENV_FACEBOOK_URL, DEFAULT_FACEBOOK_URL)?,
        version,
    })
}

/// `ADKEEP_DATA_DIR`, or the OS app-data folder (the same one Tauri uses).
pub fn data_dir() -> Result<PathBuf, ConfigError> {
    if let Some(dir) = std::env::var_os(ENV_DATA_DIR).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(IDENTIFIER))
        .ok_or(ConfigError::NoDataDir)
}

/// The keychain service the login is kept under. The OS data folder uses the
/// app's identifier; any other data folder (`ADKEEP_DATA_DIR`) is a separate
/// profile with its own login.
pub fn keychain_service(data_dir: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let default = dirs::data_dir().map(|d| d.join(IDENTIFIER));
    if default.as_deref() == Some(data_dir) {
        return IDENTIFIER.to_owned();
    }
    let canonical = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{IDENTIFIER}.{short}")
}

/// At most this many logins come from `ADKEEP_ACCESS_TOKEN`.
pub const MAX_ENV_TOKENS: usize = 50;

/// The tokens in `ADKEEP_ACCESS_TOKEN` (one login each, separated by
/// commas), which win over the keychain. Pieces that are not tokens are
/// skipped (and counted in the log, never shown).
pub fn tokens_from_env() -> Vec<crate::token::AccessToken> {
    std::env::var(ENV_ACCESS_TOKEN)
        .map(|raw| tokens_in(&raw))
        .unwrap_or_default()
}

fn tokens_in(raw: &str) -> Vec<crate::token::AccessToken> {
    let pieces: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let tokens: Vec<_> = pieces
        .iter()
        .filter(|p| p.len() <= 4096 && p.bytes().all(|b| b.is_ascii_graphic()))
        .filter_map(|p| crate::token::AccessToken::new(*p))
        .take(MAX_ENV_TOKENS)
        .collect();
    if tokens.len() < pieces.len() {
        tracing::warn!(
            skipped = pieces.len() - tokens.len(),
            "{ENV_ACCESS_TOKEN} holds pieces that are not tokens (or more than {MAX_ENV_TOKENS})"
        );
    }
    tokens
}

/// Whether `ADKEEP_ACCESS_TOKEN` gives at least one token.
pub fn has_env_tokens() -> bool {
    !tokens_from_env().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_graph_override_is_https_or_this_computer() {
        let with = |graph: &str| {
            let graph = graph.to_owned();
            endpoints_from(
                move |name| (name == ENV_GRAPH_URL).then(|| graph.clone()),
                "v27.0",
            )
        };
        assert!(with("https://graph.example.com").is_ok());
        assert!(with("http://127.0.0.1:4100").is_ok());
        assert!(with("http://[::1]:4100").is_ok());
        for bad in [
            "http://graph.facebook.com",
            "http://10.0.0.2",
            "ftp://graph.facebook.com",
            "file:///etc",
        ] {
            let error = with(bad).unwrap_err();
            assert!(
                matches!(error, ConfigError::Insecure { .. }),
                "{bad}: {error}"
            );
        }
    }
    use std::collections::HashMap;

    fn from(map: &[(&str, &str)]) -> Result<Endpoints, ConfigError> {
        let map: HashMap<String, String> = map
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        endpoints_from(|k| map.get(k).cloned(), "v26.0")
    }

    #[test]
    fn several_tokens_are_separated_by_commas() {
        let a = "EAAB".to_owned() + &"a".repeat(40);
        let b = "EAAB".to_owned() + &"b".repeat(40);
        assert_eq!(tokens_in(&a).len(), 1);
        assert_eq!(tokens_in(&format!("{a}, {b},,")).len(), 2);
        assert_eq!(tokens_in(&format!("{a},not a token")).len(), 1);
        assert!(tokens_in(" , ").is_empty());
        let many = vec![a.as_str(); MAX_ENV_TOKENS + 5].join(",");
        assert_eq!(tokens_in(&many).len(), MAX_ENV_TOKENS);
    }

    #[test]
    fn defaults_to_meta_and_the_settings_version() {
        let e = from(&[]).unwrap();
        assert_eq!(e.graph.as_str(), "https://graph.facebook.com/");
        assert_eq!(e.facebook.as_str(), "https://www.facebook.com/");
        assert_eq!(e.version, "v26.0");
    }

    #[test]
    fn environment_overrides_everything() {
        let e = from(&[
            (ENV_GRAPH_URL, "http://127.0.0.1:4000"),
            (ENV_FACEBOOK_URL, "http://127.0.0.1:4000/web"),
            (ENV_GRAPH_VERSION, "v25.0"),
        ])
        .unwrap();
        assert_eq!(
            e.graph_url("me").unwrap().as_str(),
            "http://127.0.0.1:4000/v25.0/me"
        );
        assert_eq!(
            e.login_redirect().unwrap().as_str(),
            "http://127.0.0.1:4000/web/connect/login_success.html"
        );
        assert_eq!(e.version, "v25.0");
    }

    #[test]
    fn each_data_folder_has_its_own_keychain_entry() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let (sa, sb) = (keychain_service(a.path()), keychain_service(b.path()));
        assert_ne!(sa, sb);
        assert!(sa.starts_with("io.adkeep.desktop."));
        assert_eq!(sa, keychain_service(a.path()), "stable");
        if let Some(default) = dirs::data_dir() {
            assert_eq!(keychain_service(&default.join(IDENTIFIER)), IDENTIFIER);
        }
    }

    #[test]
    fn bad_values_are_reported() {
        assert!(matches!(
            from(&[(ENV_GRAPH_URL, "not a url")]),
            Err(ConfigError::Url { .. })
        ));
        assert!(matches!(
            from(&[(ENV_GRAPH_VERSION, "27")]),
            Err(ConfigError::Version(_))
        ));
    }
}
