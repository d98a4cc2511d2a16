//! Token custody. The access token (and an optional Meta app secret) live in
//! the OS keychain through `keyring` (platform features on, so it never falls
//! back silently to its mock). Where no keychain answers, the token is kept in
//! memory for this session and the UI says so; a 0600 plaintext file is used
//! only after the user explicitly allows it. Each Facebook login has its own
//! entry (`facebook-access-token:<login>`); the one entry of the first
//! release is adopted by the login it belonged to. (`ADKEEP_ACCESS_TOKEN` is
//! read by the backend, never kept here.)

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use std::collections::HashMap;

use adkeep_core::logins::LoginId;
use adkeep_core::token::AccessToken;

/// Where the token lives right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Custody {
    /// Not looked up yet (the keychain is read after the window shows).
    Unchecked,
    /// No token.
    None,
    /// `ADKEEP_ACCESS_TOKEN`.
    Environment,
    Keychain,
    /// No keychain answered: kept for this session only.
    Memory,
    /// No keychain; the user opted in to a 0600 file.
    PlaintextFile,
    /// The sandbox's own token.
    Sandbox,
}

/// The first release's single entry (and file), adopted by its login.
const LEGACY_TOKEN_ENTRY: &str = "facebook-access-token";
const LEGACY_PLAINTEXT_FILE: &str = "facebook-token.insecure";
const SECRET_ENTRY: &str = "meta-app-secret";

fn alert_entry(destination: &str, field: &str) -> String {
    format!("alert:{destination}:{field}")
}

fn token_entry(login: &LoginId) -> String {
    format!("{LEGACY_TOKEN_ENTRY}:{login}")
}
/// A keychain that does not answer in this time is treated as absent.
const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeychainError {
    /// No keychain service, or it is locked.
    Unavailable(String),
    /// The keychain answered with an error.
    Failed(String),
}

impl std::fmt::Display for KeychainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable(why) => write!(f, "no keychain is available ({why})"),
            Self::Failed(why) => write!(f, "the keychain refused ({why})"),
        }
    }
}

/// Makes the keychain entry for a name (the OS keychain, or a test store).
pub type EntryFactory = Box<dyn Fn(&str) -> keyring::Result<keyring::Entry> + Send + Sync>;

pub struct Vault {
    entries: EntryFactory,
    data_dir: PathBuf,
    memory_tokens: Mutex<HashMap<LoginId, AccessToken>>,
    memory_secret: Mutex<Option<String>>,
}

impl Vault {
    /// The OS keychain, entries under `service`.
    pub fn new(service: impl Into<String>, data_dir: PathBuf) -> Self {
        let service = service.into();
        Self::with_entries(
            data_dir,
            Box::new(move |name| keyring::Entry::new(&service, name)),
        )
    }

    /// A vault on a computer without a keychain: tokens stay in memory (or the
    /// opted-in file).
    pub fn without_keychain(data_dir: PathBuf) -> Self {
        Self::with_entries(
            data_dir,
            Box::new(|_| {
                Err(keyring::Error::NoStorageAccess(
                    "no keychain on this computer".into(),
                ))
            }),
        )
    }

    pub fn with_entries(data_dir: PathBuf, entries: EntryFactory) -> Self {
        Self {
            entries,
            data_dir,
            memory_tokens: Mutex::new(HashMap::new()),
            memory_secret: Mutex::new(None),
        }
    }

    fn plaintext_path(&self, login: &LoginId) -> PathBuf {
        self.data_dir
            .join(format!("facebook-token-{login}.insecure"))
    }

    /// Finds a login's token: keychain, this session's memory, then the
    /// opted-in plaintext file.
    pub fn load_token(
        &self,
        login: &LoginId,
        allow_plaintext: bool,
    ) -> (Option<AccessToken>, Custody) {
        match self.keychain_get(&token_entry(login)) {
            Ok(Some(raw)) => {
                if let Some(token) = AccessToken::new(raw) {
                    return (Some(token), Custody::Keychain);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("reading a token: {e}"),
        }
        if let Some(token) = lock(&self.memory_tokens).get(login).cloned() {
            return (Some(token), Custody::Memory);
        }
        if allow_plaintext
            && let Ok(raw) = std::fs::read_to_string(self.plaintext_path(login))
            && let Some(token) = AccessToken::new(raw)
        {
            return (Some(token), Custody::PlaintextFile);
        }
        (None, Custody::None)
    }

    /// Keeps a login's new token: keychain if possible, else the opted-in
    /// file, else memory.
    pub fn save_token(
        &self,
        login: &LoginId,
        token: &AccessToken,
        allow_plaintext: bool,
    ) -> Custody {
        match self.keychain_set(&token_entry(login), token.expose()) {
            Ok(()) => {
                lock(&self.memory_tokens).remove(login);
                let _ = std::fs::remove_file(self.plaintext_path(login));
                Custody::Keychain
            }
            Err(e) => {
                tracing::warn!("keeping a token outside the keychain: {e}");
                if allow_plaintext
                    && adkeep_core::persist::write_private(
                        &self.plaintext_path(login),
                        token.expose().as_bytes(),
                    )
                    .is_ok()
                {
                    return Custody::PlaintextFile;
                }
                lock(&self.memory_tokens).insert(login.clone(), token.clone());
                Custody::Memory
            }
        }
    }

    /// Removes a login's opted-in plaintext file (the token stays wherever else it is).
    pub fn forget_plaintext(&self, login: &LoginId) {
        let _ = std::fs::remove_file(self.plaintext_path(login));
    }

    /// Forgets a login's token everywhere Adkeep could have kept it.
    pub fn delete_token(&self, login: &LoginId) {
        if let Err(e) = self.keychain_delete(&token_entry(login)) {
            tracing::warn!("removing a token from the keychain: {e}");
        }
        lock(&self.memory_tokens).remove(login);
        let _ = std::fs::remove_file(self.plaintext_path(login));
    }

    /// The first release's single token (keychain entry, or opted-in file),
    /// if it is still there.
    pub fn legacy_token(&self, allow_plaintext: bool) -> Option<AccessToken> {
        let from_keychain = match self.keychain_get(LEGACY_TOKEN_ENTRY) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!("reading the earlier token: {e}");
                None
            }
        };
        let from_file = allow_plaintext
            .then(|| std::fs::read_to_string(self.data_dir.join(LEGACY_PLAINTEXT_FILE)).ok())
            .flatten();
        from_keychain.or(from_file).and_then(AccessToken::new)
    }

    /// Moves the first release's single token to `login`'s own entry.
    /// `true` when there was one.
    pub fn adopt_legacy(&self, login: &LoginId, allow_plaintext: bool) -> bool {
        let Some(token) = self.legacy_token(allow_plaintext) else {
            return false;
        };
        self.save_token(login, &token, allow_plaintext);
        let _ = self.keychain_delete(LEGACY_TOKEN_ENTRY);
        let _ = std::fs::remove_file(self.data_dir.join(LEGACY_PLAINTEXT_FILE));
        tracing::info!(login = %login, "the earlier login's token now has its own entry");
        true
    }

    pub fn load_secret(&self) -> Option<String> {
        match self.keychain_get(SECRET_ENTRY) {
            Ok(Some(secret)) => Some(secret),
            Ok(None) => lock(&self.memory_secret).clone(),
            Err(e) => {
                tracing::warn!("reading the app secret: {e}");
                lock(&self.memory_secret).clone()
            }
        }
    }

    /// Keeps the app secret (keychain, else memory; never a file).
    pub fn save_secret(&self, secret: &str) -> Custody {
        match self.keychain_set(SECRET_ENTRY, secret) {
            Ok(()) => Custody::Keychain,
            Err(e) => {
                tracing::warn!("keeping the app secret in memory: {e}");
                *lock(&self.memory_secret) = Some(secret.to_owned());
                Custody::Memory
            }
        }
    }

    pub fn delete_secret(&self) {
        let _ = self.keychain_delete(SECRET_ENTRY);
        *lock(&self.memory_secret) = None;
    }

    /// An alert destination's secret (a webhook URL, a signing key, a
    /// password): the keychain only, never memory or a file, as a watcher
    /// has nobody to type it again.
    pub fn save_alert_secret(
        &self,
        destination: &str,
        field: &str,
        value: &str,
    ) -> Result<(), KeychainError> {
        self.keychain_set(&alert_entry(destination, field), value)
    }

    pub fn load_alert_secret(
        &self,
        destination: &str,
        field: &str,
    ) -> Result<Option<String>, KeychainError> {
        self.keychain_get(&alert_entry(destination, field))
    }

    pub fn delete_alert_secret(&self, destination: &str, field: &str) {
        if let Err(e) = self.keychain_delete(&alert_entry(destination, field)) {
            tracing::warn!("forgetting an alert destination's secret: {e}");
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, KeychainError> {
        (self.entries)(name).map_err(classify)
    }

    fn keychain_get(&self, name: &str) -> Result<Option<String>, KeychainError> {
        let entry = self.entry(name)?;
        with_timeout(move || match entry.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        })
    }

    fn keychain_set(&self, name: &str, value: &str) -> Result<(), KeychainError> {
        let entry = self.entry(name)?;
        let value = value.to_owned();
        with_timeout(move || entry.set_password(&value).map_err(classify))
    }

    fn keychain_delete(&self, name: &str) -> Result<(), KeychainError> {
        let entry = self.entry(name)?;
        with_timeout(move || match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn classify(error: keyring::Error) -> KeychainError {
    match error {
        keyring::Error::NoStorageAccess(e) => KeychainError::Unavailable(e.to_string()),
        keyring::Error::PlatformFailure(e) => KeychainError::Unavailable(e.to_string()),
        other => KeychainError::Failed(other.to_string()),
    }
}

/// Runs a keychain call on its own thread so a hung D-Bus cannot hang Adkeep.
fn with_timeout<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, KeychainError> + Send + 'static,
) -> Result<T, KeychainError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call());
    });
    rx.recv_timeout(KEYCHAIN_TIMEOUT).unwrap_or_else(|_| {
        Err(KeychainError::Unavailable(
            "the keychain did not answer".to_owned(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A credential store speaking keyring's own `CredentialApi`, shared across
    /// entries (keyring's built-in mock keeps nothing between `Entry` objects),
    /// and able to play a missing or locked keychain.
    #[derive(Debug, Clone, Default)]
    struct TestKeychain {
        items: Arc<Mutex<HashMap<String, Vec<u8>>>>,
        unavailable: Arc<AtomicBool>,
    }

    #[derive(Debug)]
    struct TestCredential {
        name: String,
        keychain: TestKeychain,
    }

    impl keyring::credential::CredentialApi for TestCredential {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            self.check()?;
            lock(&self.keychain.items).insert(self.name.clone(), secret.to_vec());
            Ok(())
        }
        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            self.check()?;
            lock(&self.keychain.items)
                .get(&self.name)
                .cloned()
                .ok_or(keyring::Error::NoEntry)
        }
        fn delete_credential(&self) -> keyring::Result<()> {
            self.check()?;
            lock(&self.keychain.items)
                .remove(&self.name)
                .map(|_| ())
                .ok_or(keyring::Error::NoEntry)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    impl TestCredential {
        fn check(&self) -> keyring::Result<()> {
            if self.keychain.unavailable.load(Ordering::SeqCst) {
                Err(keyring::Error::NoStorageAccess(
                    "collection is locked".into(),
                ))
            } else {
                Ok(())
            }
        }
    }

    fn vault() -> (Vault, TestKeychain, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let keychain = TestKeychain::default();
        let shared = keychain.clone();
        let vault = Vault::with_entries(
            dir.path().to_path_buf(),
            Box::new(move |name| {
                Ok(keyring::Entry::new_with_credential(Box::new(
                    TestCredential {
                        name: name.to_owned(),
                        keychain: shared.clone(),
                    },
                )))
            }),
        );
        (vault, keychain, dir)
    }

    fn token() -> AccessToken {
        AccessToken::new("EAAtesttokentesttokentest").unwrap()
    }

    fn jane() -> LoginId {
        LoginId::new("1021").unwrap()
    }

    fn sam() -> LoginId {
        LoginId::new("2042").unwrap()
    }

    #[test]
    fn each_login_has_its_own_keychain_entry() {
        let (vault, keychain, dir) = vault();
        let other = AccessToken::new("EAAothertokenothertoken").unwrap();
        assert_eq!(
            vault.save_token(&jane(), &token(), false),
            Custody::Keychain
        );
        assert_eq!(vault.save_token(&sam(), &other, false), Custody::Keychain);
        assert_eq!(
            vault.load_token(&jane(), false),
            (Some(token()), Custody::Keychain)
        );
        assert_eq!(
            vault.load_token(&sam(), false),
            (Some(other), Custody::Keychain)
        );
        let names: Vec<String> = lock(&keychain.items).keys().cloned().collect();
        assert!(
            names.contains(&"facebook-access-token:1021".to_owned()),
            "{names:?}"
        );
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "nothing on disk"
        );
        vault.delete_token(&jane());
        assert_eq!(vault.load_token(&jane(), false).1, Custody::None);
        assert_eq!(
            vault.load_token(&sam(), false).1,
            Custody::Keychain,
            "Sam's stays"
        );
    }

    #[test]
    fn the_first_releases_token_is_adopted_by_its_login() {
        let (vault, keychain, _dir) = vault();
        lock(&keychain.items).insert(
            LEGACY_TOKEN_ENTRY.to_owned(),
            token().expose().as_bytes().to_vec(),
        );
        assert!(vault.adopt_legacy(&jane(), false));
        assert_eq!(
            vault.load_token(&jane(), false),
            (Some(token()), Custody::Keychain)
        );
        assert!(
            !lock(&keychain.items).contains_key(LEGACY_TOKEN_ENTRY),
            "moved, not copied"
        );
        assert!(!vault.adopt_legacy(&sam(), false), "only once");
    }

    #[test]
    fn without_a_keychain_the_token_stays_in_memory() {
        let (vault, keychain, dir) = vault();
        keychain.unavailable.store(true, Ordering::SeqCst);
        assert_eq!(vault.save_token(&jane(), &token(), false), Custody::Memory);
        assert_eq!(
            vault.load_token(&jane(), false),
            (Some(token()), Custody::Memory)
        );
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "nothing on disk"
        );
    }

    #[test]
    fn plaintext_only_after_opting_in_and_owner_only() {
        let (vault, keychain, dir) = vault();
        keychain.unavailable.store(true, Ordering::SeqCst);
        assert_eq!(
            vault.save_token(&jane(), &token(), true),
            Custody::PlaintextFile
        );
        let path = dir.path().join("facebook-token-1021.insecure");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert_eq!(
            vault.load_token(&jane(), true),
            (Some(token()), Custody::PlaintextFile)
        );
        assert_eq!(
            vault.load_token(&jane(), false).1,
            Custody::None,
            "not read without the opt-in"
        );
        // Once the keychain works again, the token moves there and the file goes.
        keychain.unavailable.store(false, Ordering::SeqCst);
        assert_eq!(vault.save_token(&jane(), &token(), true), Custody::Keychain);
        assert!(!path.exists());
    }

    #[test]
    fn the_app_secret_never_touches_disk() {
        let (vault, keychain, dir) = vault();
        assert_eq!(vault.save_secret("s3cret"), Custody::Keychain);
        assert_eq!(vault.load_secret().as_deref(), Some("s3cret"));
        keychain.unavailable.store(true, Ordering::SeqCst);
        assert_eq!(vault.save_secret("other"), Custody::Memory);
        assert_eq!(vault.load_secret().as_deref(), Some("other"));
        vault.delete_secret();
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }
}
