//! A bug in one refresh must not break the next: a panic injected into a
//! refresh-all (through the window's event hook, which runs inside it)
//! becomes an error for its callers, the refresh status goes back to idle,
//! the data folder's lock is free, and the next refresh-all works.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use adkeep_app::views::Present;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use adkeep_app::backend::RefreshStatus;
use adkeep_app::backend::{Backend, Events};
use adkeep_app::secrets::Vault;
use adkeep_app::store::FileStores;
use adkeep_core::Error;
use adkeep_core::graph::client::Endpoints;
use adkeep_core::logins::LoginId;
use adkeep_core::settings::Mode;
use adkeep_core::token::AccessToken;
use graph_double::{DoubleConfig, GraphDouble};

/// Panics the first time rows change, like a bug in the window's update.
#[derive(Default)]
struct PanicOnce(AtomicBool);

impl Events for PanicOnce {
    fn accounts_changed(&self, _: &[adkeep_core::model::Account]) {
        if !self.0.swap(true, Ordering::SeqCst) {
            panic!("injected: a bug while the rows changed");
        }
    }
    fn progress(&self, _: &RefreshStatus) {}
    fn state_changed(&self) {}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_in_a_refresh_leaves_the_next_one_working() {
    let double = GraphDouble::start(DoubleConfig::generated(30, 1))
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let backend = Backend::open_with(
        Arc::new(FileStores::new(data.path().to_path_buf())),
        Vault::without_keychain(data.path().to_path_buf()),
        Arc::new(PanicOnce::default()),
        Some(Endpoints::one_host(&double.url()).unwrap()),
    )
    .unwrap();
    let mut settings = backend.settings();
    settings.mode = Mode::Meta;
    backend.save_settings(settings).unwrap();
    let jane = LoginId::new(graph_double::DEFAULT_USER).unwrap();
    backend.session().book().login_mut(&jane);
    backend.vault().save_token(
        &jane,
        &AccessToken::new(double.issue_token()).unwrap(),
        false,
    );

    // The window and the tray ask at once; both get the crash as an error.
    let (window, tray) = tokio::join!(backend.refresh_all(), backend.refresh_all());
    assert!(matches!(window, Err(Error::Internal(_))), "{window:?}");
    assert!(matches!(tray, Err(Error::Internal(_))), "{tray:?}");
    assert!(!backend.refreshing_all(), "nothing left in flight");
    assert!(!backend.state().refresh.running, "the spinner stops");

    let next = tokio::time::timeout(std::time::Duration::from_secs(30), backend.refresh_all())
        .await
        .expect("the next refresh does not wait on the crashed one")
        .unwrap();
    assert_eq!(next.refreshed, 30);
    assert!(next.problem.is_none());
    assert_eq!(backend.session().book().len(), 30);
}
