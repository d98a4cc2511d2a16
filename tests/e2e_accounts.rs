//! The accounts page in the real window (run by scripts/test-e2e.sh).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::{DoubleConfig, GraphDouble};
use support::{App, Options};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn sandbox_row_refresh_updates_that_row_and_only_that_row() {
    let app = App::launch(Options::default()).await;
    // A fresh start shows the first-run screen, which offers the sandbox.
    app.wait_for("!document.querySelector('#screen-first-run').hidden", 10)
        .await;
    app.click("#enter-sandbox").await;
    app.wait_for(
        "document.querySelectorAll('.account-row').length === 40",
        30,
    )
    .await;
    app.wait_for("!document.querySelector('#sandbox-banner').hidden", 5)
        .await;
    app.wait_idle(60).await;

    let before = app.rows().await;
    assert_eq!(before.len(), 40);
    assert!(
        before.iter().all(|(_, at, _)| !at.is_empty()),
        "every row was refreshed"
    );
    let target = before[2].0.clone();
    app.click(&format!(".account-row[data-id='{target}'] .row-refresh"))
        .await;
    app.wait_for(
        &format!("document.querySelector(\".account-row[data-id='{target}'] time\").getAttribute('datetime') !== '{}'", before[2].1),
        20,
    )
    .await;
    app.wait_for(&format!("document.querySelector(\".account-row[data-id='{target}']\").getAttribute('aria-busy') === 'false'"), 10).await;

    let after = app.rows().await;
    assert_eq!(after.len(), 40);
    for ((id, at, text), (id2, at2, text2)) in before.iter().zip(&after) {
        if *id == target {
            assert_ne!(at, at2, "the refreshed row has a new time");
        } else {
            let same = after.iter().find(|(i, ..)| i == id).expect("row kept");
            assert_eq!((&same.1, &same.2), (at, text), "{id} must not change");
        }
        let _ = (id2, at2, text2);
    }
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn account_names_render_as_text_in_the_real_window() {
    let double = GraphDouble::start(DoubleConfig::generated(6, 1))
        .await
        .expect("double");
    let evil = "<img src=x onerror=\"document.title='pwned'\">";
    let id = double.world(|w| {
        let a = w.accounts.values_mut().next().expect("an account");
        a.name = evil.to_owned();
        a.node_id()
    });
    let app = App::launch(Options::default().double(&double.url(), &double.issue_token())).await;
    // A token from the environment: straight to the accounts, refreshed on open.
    app.wait_for("document.querySelectorAll('.account-row').length === 6", 30)
        .await;
    app.wait_idle(30).await;
    let name = app
        .js(&format!("return document.querySelector(\".account-row[data-id='{id}'] .account-name\").textContent"))
        .await;
    assert_eq!(name.as_str(), Some(evil));
    assert_eq!(
        app.js("return document.querySelectorAll('#accounts-table img').length")
            .await,
        0
    );
    assert_ne!(
        app.js("return document.title").await.as_str(),
        Some("pwned")
    );
    app.close().await;
}
