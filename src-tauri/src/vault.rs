//! Token custody. The access token (and an optional Meta app secret) live in
//! the OS keychain through `keyring` (platform features on, so it never falls
//! back silently to its mock). Where no keychain answers, the token is kept in
//! memory for this session and the UI says so; a 0600 plaintext file is used
//! only after the user explicitly allows it. `ADKEEP_ACCESS_TOKEN` wins over
//! all of them and is never written anywhere.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use adkeep_core::token::AccessToken;

use crate::views::Custody;

const TOKEN_ENTRY: &str = "facebook-access-token";
const SECRET_ENTRY: &str = "meta-app-secret";
const PLAINTEXT_FILE: &str = "facebook-token.insecure";
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
    memory_token: Mutex<Option<AccessToken>>,
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
            memory_token: Mutex::new(None),
            memory_secret: Mutex::new(None),
        }
    }

    fn plaintext_path(&self) -> PathBuf {
        self.data_dir.join(PLAINTEXT_FILE)
    }

    /// Finds the token: environment, keychain, this session's memory, then the
    /// opted-in plaintext file.
    pub fn load_token(&self, allow_plaintext: bool) -> (Option<AccessToken>, Custody) {
        if let Some(token) = adkeep_core::config::token_from_env() {
            return (Some(token), Custody::Environment);
        }
        match self.keychain_get(TOKEN_ENTRY) {
            Ok(Some(raw)) => {
                if let Some(token) = AccessToken::new(raw) {
                    return (Some(token), Custody::Keychain);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("reading the token: {e}"),
        }
        if let Some(token) = lock(&self.memory_token).clone() {
            return (Some(token), Custody::Memory);
        }
        if allow_plaintext
            && let Ok(raw) = std::fs::read_to_string(self.plaintext_path())
            && let Some(token) = AccessToken::new(raw)
        {
            return (Some(token), Custody::PlaintextFile);
        }
        (None, Custody::None)
    }

    /// Keeps a new token: keychain if possible, else the opted-in file, else memory.
    pub fn save_token(&self, token: &AccessToken, allow_plaintext: bool) -> Custody {
        match self.keychain_set(TOKEN_ENTRY, token.expose()) {
            Ok(()) => {
                *lock(&self.memory_token) = None;
                let _ = std::fs::remove_file(self.plaintext_path());
                Custody::Keychain
            }
            Err(e) => {
                tracing::warn!("keeping the token outside the keychain: {e}");
                if allow_plaintext
                    && adkeep_core::persist::write_private(
                        &self.plaintext_path(),
                        token.expose().as_bytes(),
                    )
                    .is_ok()
                {
                    return Custody::PlaintextFile;
                }
                *lock(&self.memory_token) = Some(token.clone());
                Custody::Memory
            }
        }
    }

    /// Removes the opted-in plaintext file (the token stays wherever else it is).
    pub fn forget_plaintext(&self) {
        let _ = std::fs::remove_file(self.plaintext_path());
    }

    /// Forgets the token everywhere Adkeep could have kept it.
    pub fn delete_token(&self) {
        if let Err(e) = self.keychain_delete(TOKEN_ENTRY) {
            tracing::warn!("removing the token from the keychain: {e}");
        }
        *lock(&self.memory_token) = None;
        let _ = std::fs::remove_file(self.plaintext_path());
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

    #[test]
    fn keeps_the_token_in_the_keychain() {
        let (vault, keychain, dir) = vault();
        assert_eq!(vault.save_token(&token(), false), Custody::Keychain);
        let (found, custody) = vault.load_token(false);
        assert_eq!(found, Some(token()));
        assert_eq!(custody, Custody::Keychain);
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "nothing on disk"
        );
        vault.delete_token();
        assert!(lock(&keychain.items).is_empty());
        assert_eq!(vault.load_token(false).1, Custody::None);
    }

    #[test]
    fn without_a_keychain_the_token_stays_in_memory() {
        let (vault, keychain, dir) = vault();
        keychain.unavailable.store(true, Ordering::SeqCst);
        assert_eq!(vault.save_token(&token(), false), Custody::Memory);
        assert_eq!(vault.load_token(false), (Some(token()), Custody::Memory));
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "nothing on disk"
        );
    }

    #[test]
    fn plaintext_only_after_opting_in_and_owner_only() {
        let (vault, keychain, dir) = vault();
        keychain.unavailable.store(true, Ordering::SeqCst);
        assert_eq!(vault.save_token(&token(), true), Custody::PlaintextFile);
        let path = dir.path().join(PLAINTEXT_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert_eq!(
            vault.load_token(true),
            (Some(token()), Custody::PlaintextFile)
        );
        assert_eq!(
            vault.load_token(false).1,
            Custody::None,
            "not read without the opt-in"
        );
        // Once the keychain works again, the token moves there and the file goes.
        keychain.unavailable.store(false, Ordering::SeqCst);
        assert_eq!(vault.save_token(&token(), true), Custody::Keychain);
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
