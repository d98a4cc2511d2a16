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

#[path = "alerts/receivers.rs"]
mod receivers;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a D-Bus session with an unlocked gnome-keyring (scripts/test.sh starts one)"]
async fn an_alert_secret_lives_in_the_keychain_and_a_test_goes_through_it() {
    use adkeep_app::backend::{Backend, NewDestination, NoEvents};
    use adkeep_core::alerts::{Outcome, Rules, SecretField, SecretRef, Target};
    let dir = tempfile::tempdir().unwrap();
    let receivers = receivers::Receivers::start().await;
    let vault = Vault::new(service(), dir.path().to_path_buf());
    let stores = std::sync::Arc::new(adkeep_app::store::FileStores::new(dir.path().to_path_buf()));
    let backend = Backend::open(stores, vault, std::sync::Arc::new(NoEvents)).unwrap();
    let url = receivers.url("slack");
    let added = backend
        .add_destination(NewDestination {
            target: Target::Slack {
                url: SecretRef::Keychain,
            },
            rules: Rules::default(),
            secrets: vec![(SecretField::Url, url.clone())],
        })
        .await
        .unwrap();
    assert_eq!(
        backend.test_destination(&added.id).await.unwrap(),
        Outcome::Delivered
    );
    assert_eq!(receivers.received("slack").len(), 1);
    for entry in walk(dir.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(!text.contains(&url), "the URL is in {}", entry.display());
    }
    backend.remove_destination(&added.id).await.unwrap();
    assert!(backend.destinations().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a D-Bus session with an unlocked gnome-keyring (scripts/test.sh starts one)"]
async fn a_login_added_with_a_token_is_kept_in_the_keychain() {
    let double = graph_double::GraphDouble::start(graph_double::DoubleConfig::generated(5, 1))
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str], token: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_adkeep"));
        command
            .args(args)
            .env("ADKEEP_GRAPH_URL", double.url())
            .env("ADKEEP_FACEBOOK_URL", double.url())
            .env("ADKEEP_DATA_DIR", data.path())
            .env_remove("ADKEEP_ACCESS_TOKEN")
            .env_remove("DISPLAY");
        if let Some(token) = token {
            command.env("META_TOKEN", token);
        }
        command.output().unwrap()
    };
    let token = double.issue_token();
    let added = run(
        &["logins", "add", "--token-env", "META_TOKEN"],
        Some(&token),
    );
    let said = String::from_utf8_lossy(&added.stdout);
    assert!(
        added.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(said.contains("Jane Doe"), "{said}");
    // Later, with no token in the environment: the keychain's is used.
    let refreshed = run(&["refresh", "--json"], None);
    assert!(
        refreshed.status.success(),
        "{}",
        String::from_utf8_lossy(&refreshed.stderr)
    );
    let accounts: serde_json::Value = serde_json::from_slice(&refreshed.stdout).unwrap();
    assert_eq!(accounts.as_array().unwrap().len(), 5);
    for entry in walk(data.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(
            !text.contains(&token),
            "the token is in {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
