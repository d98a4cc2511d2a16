//! Token custody against a real Secret Service (gnome-keyring on a private
//! D-Bus session, started by scripts/test.sh).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use adkeep_app::secrets::Custody;
use adkeep_app::secrets::Vault;
use adkeep_core::logins::LoginId;
use adkeep_core::token::AccessToken;

fn service() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("io.adkeep.test.{}.{nanos}", std::process::id())
}

#[test]
#[ignore = "needs a D-Bus session with an unlocked gnome-keyring (scripts/test.sh starts one)"]
fn the_token_persists_in_the_os_keychain_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let service = service();
    let token = AccessToken::new("EAAkeychaintestkeychaintest123").unwrap();

    let jane = LoginId::new("10215241773831025").unwrap();
    let sam = LoginId::new("10099887766554433").unwrap();
    let vault = Vault::new(&service, dir.path().to_path_buf());
    assert_eq!(
        vault.save_token(&jane, &token, false),
        Custody::Keychain,
        "a real keychain answered"
    );

    // A new vault, as after a restart, finds it there.
    let again = Vault::new(&service, dir.path().to_path_buf());
    assert_eq!(
        again.load_token(&jane, false),
        (Some(token.clone()), Custody::Keychain)
    );
    // Each login has its own entry.
    assert_eq!(again.load_token(&sam, false), (None, Custody::None));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing on disk"
    );

    again.delete_token(&jane);
    assert_eq!(
        Vault::new(&service, dir.path().to_path_buf()).load_token(&jane, false),
        (None, Custody::None)
    );
}

#[test]
#[ignore = "needs a D-Bus session with an unlocked gnome-keyring (scripts/test.sh starts one)"]
fn the_app_secret_round_trips_through_the_os_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let service = service();
    let vault = Vault::new(&service, dir.path().to_path_buf());
    assert_eq!(vault.save_secret("app-secret-123"), Custody::Keychain);
    let again = Vault::new(&service, dir.path().to_path_buf());
    assert_eq!(again.load_secret().as_deref(), Some("app-secret-123"));
    again.delete_secret();
    assert_eq!(
        Vault::new(&service, dir.path().to_path_buf()).load_secret(),
        None
    );
}
