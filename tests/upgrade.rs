//! Upgrading in place: a data folder and a token written by the first
//! release (`tests/fixtures/upgrade-from-first-release`) load as one login,
//! with nothing lost, and the next refresh works through it.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use adkeep_app::views::Present;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use adkeep_app::backend::{Backend, NoEvents};
use adkeep_app::secrets::Custody;
use adkeep_app::secrets::Vault;
use adkeep_app::store::FileStores;
use adkeep_core::graph::client::Endpoints;
use adkeep_core::logins::LoginId;
use adkeep_core::model::Reach;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade-from-first-release")
}

/// The fixture's folder, copied where this test may change it.
fn old_data_folder(allow_plaintext: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["accounts.json", "settings.json"] {
        std::fs::copy(fixture().join(file), dir.path().join(file)).unwrap();
    }
    if allow_plaintext {
        let path = dir.path().join("settings.json");
        let mut settings: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        settings["settings"]["allow_plaintext_token"] = Value::Bool(true);
        std::fs::write(&path, serde_json::to_vec_pretty(&settings).unwrap()).unwrap();
    }
    dir
}

/// What the first release's folder held, read straight from the fixture.
fn old_accounts() -> Vec<String> {
    let book: Value =
        serde_json::from_slice(&std::fs::read(fixture().join("accounts.json")).unwrap()).unwrap();
    book["book"]["accounts"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// The double the fixture was written against.
async fn same_double() -> GraphDouble {
    GraphDouble::start(DoubleConfig::generated(12, 2))
        .await
        .unwrap()
}

/// Opens the folder as this release, refreshes, and checks nothing was lost.
async fn upgrades(double: &GraphDouble, data: &Path, vault: Vault) -> Arc<Backend> {
    let backend = Backend::open_with(
        Arc::new(FileStores::new(data.to_path_buf())),
        vault,
        Arc::new(NoEvents),
        Some(Endpoints::one_host(&double.url()).unwrap()),
    )
    .unwrap();
    let jane = LoginId::new(DEFAULT_USER).unwrap();
    let old = old_accounts();
    {
        let state = backend.state();
        assert_eq!(state.logins.len(), 1, "the one login of the first release");
        assert_eq!(state.logins[0].id, jane);
        assert_eq!(state.logins[0].name, "Jane Doe");
        assert_eq!(state.logins[0].reaches, old.len());
        assert_eq!(
            state.accounts.len(),
            old.len(),
            "every account is there at once"
        );
        for view in state.accounts.whole().unwrap() {
            assert_eq!(view.logins.len(), 1);
            assert_eq!(view.via.as_ref().map(|v| v.name.as_str()), Some("Jane Doe"));
            assert!(view.account.amount_spent.is_some(), "with its last data");
        }
    }
    let summary = backend.refresh_all().await.unwrap();
    assert!(summary.problem.is_none(), "{:?}", summary.problem);
    assert_eq!(summary.refreshed, old.len());
    let book = backend.session().snapshot();
    assert_eq!(book.logins.len(), 1, "no second login appeared");
    assert_eq!(book.len(), old.len());
    for account in book.accounts.values() {
        assert_eq!(account.reach, Reach::Reachable, "{}", account.id);
        assert!(!account.is_new, "nothing looks new after the upgrade");
        assert_eq!(account.via.as_ref(), Some(&jane));
    }
    // Saved in this release's format, without the first release's fields.
    let saved: Value =
        serde_json::from_slice(&std::fs::read(data.join("accounts.json")).unwrap()).unwrap();
    assert_eq!(saved["book"]["format"], 2);
    assert!(saved["book"].get("profile").is_none());
    assert_eq!(
        saved["book"]["logins"][DEFAULT_USER]["profile"]["name"],
        "Jane Doe"
    );
    backend
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_release_s_folder_and_opted_in_token_file_load_as_one_login() {
    let double = same_double().await;
    let data = old_data_folder(true);
    let legacy = data.path().join("facebook-token.insecure");
    adkeep_core::persist::write_private(&legacy, double.issue_token().as_bytes()).unwrap();

    let backend = upgrades(
        &double,
        data.path(),
        Vault::without_keychain(data.path().into()),
    )
    .await;
    assert!(
        !legacy.exists(),
        "the first release's file is moved to the login's own"
    );
    let jane = LoginId::new(DEFAULT_USER).unwrap();
    let (token, custody) = backend.vault().load_token(&jane, true);
    assert!(token.is_some());
    assert_eq!(custody, Custody::PlaintextFile);
    assert_eq!(backend.state().logins[0].custody, Custody::PlaintextFile);
}

#[test]
#[ignore = "needs a D-Bus session with an unlocked gnome-keyring (scripts/test.sh starts one)"]
fn the_first_release_s_folder_and_keychain_entry_load_as_one_login() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let double = same_double().await;
        let data = old_data_folder(false);
        let service = adkeep_core::config::keychain_service(data.path());
        // Where the first release kept the token.
        let legacy = keyring::Entry::new(&service, "facebook-access-token").unwrap();
        legacy.set_password(&double.issue_token()).unwrap();

        let backend = upgrades(
            &double,
            data.path(),
            Vault::new(&service, data.path().into()),
        )
        .await;
        assert!(
            matches!(legacy.get_password(), Err(keyring::Error::NoEntry)),
            "the first release's entry is moved to the login's own"
        );
        let jane = LoginId::new(DEFAULT_USER).unwrap();
        assert_eq!(
            backend.vault().load_token(&jane, false).1,
            Custody::Keychain
        );
        backend.vault().delete_token(&jane);
    });
}
