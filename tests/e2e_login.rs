//! Reauthenticate in the real window: the popup, Continue, new accounts; Cancel
//! changes nothing; the popup has no IPC; the token is nowhere to be found.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::{DEFAULT_APP, DEFAULT_USER, DoubleConfig, GraphDouble};
use serde_json::json;
use support::{App, Options};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver, tauri-driver and a keyring (scripts/test.sh)"]
async fn reauthenticate_brings_new_accounts_and_cancel_changes_nothing() {
    let double = GraphDouble::start(DoubleConfig::generated(5, 1))
        .await
        .expect("double");
    // First login: the form, then Continue.
    let options = Options::default()
        .double_without_token(&double.url())
        .settings(json!({"mode": "meta", "app_id": DEFAULT_APP}));
    let (app, main) = App::logged_in(options, 5).await;
    app.wait_for(
        "document.querySelector('#profile-name').textContent === 'Jane Doe'",
        10,
    )
    .await;

    // Two accounts are shared with Jane; her next login grants them.
    let added = double.add_accounts(2);
    let refs: Vec<&str> = added.iter().map(String::as_str).collect();
    double.grant(DEFAULT_USER, &refs, true);
    app.log_in_through_the_popup(&main, false).await;
    app.wait_accounts(7, 30).await;
    app.wait_idle(30).await;
    for id in &added {
        app.wait_for(&format!("document.querySelector(\".account-row[data-id='act_{id}']\").classList.contains('is-new')"), 10).await;
    }

    // Cancel: nothing changes.
    let before = app.rows().await;
    app.click("#reauthenticate").await;
    app.switch_to_popup(&main).await;
    // The popup cannot reach Adkeep's commands.
    let refused = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const ipc = window.__TAURI_INTERNALS__;
             if (!ipc || !ipc.invoke) { done('no ipc'); return; }
             ipc.invoke('app_state').then(() => done('allowed'), (e) => done('refused: ' + String(e)));",
            vec![],
        )
        .await
        .expect("script in the popup");
    assert_ne!(
        refused.as_str(),
        Some("allowed"),
        "the popup must not invoke commands: {refused}"
    );
    app.click_and_let_go("#cancel").await;
    app.back_to_main(&main).await;
    app.wait_for(
        "document.querySelector('#live').textContent.includes('cancelled')",
        10,
    )
    .await;
    assert_eq!(app.rows().await, before, "cancel changed nothing");

    // The token is in no file, no log, and not in the page.
    let tokens: Vec<String> = double.world(|w| w.tokens.keys().cloned().collect());
    assert!(!tokens.is_empty());
    let dom = app.js("return document.documentElement.outerHTML").await;
    let dom = dom.as_str().unwrap_or_default().to_owned();
    let mut files = Vec::new();
    collect(&app.data_dir, &mut files);
    for token in &tokens {
        assert!(!dom.contains(token.as_str()), "the page holds the token");
        for file in &files {
            let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
            assert!(
                !text.contains(token.as_str()),
                "{} holds the token",
                file.display()
            );
        }
    }
    assert!(
        files.iter().any(|f| f.to_string_lossy().contains("/logs/")),
        "logs were written and searched"
    );
    app.close().await;
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            // The login window's browser profile holds Facebook's cookies, not Adkeep's token.
            if !path.ends_with("login-webview") {
                collect(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}
