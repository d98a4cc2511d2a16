//! Several Facebook logins in the real window: add a second person through
//! the popup ("Log in with another account"), see one merged list naming
//! both, break one login and watch its accounts refresh through the other,
//! then remove a login and keep what only it reached.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::world::TokenState;
use graph_double::{DEFAULT_APP, DEFAULT_USER, DoubleConfig, GraphDouble, OTHER_USER};
use serde_json::json;
use support::{App, Options};

/// Rows whose text matches: `selector` within `.account-row[data-id=…]`.
fn row(id: &str, inner: &str) -> String {
    format!("document.querySelector(\".account-row[data-id='{id}'] {inner}\")")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver, tauri-driver and a keyring (scripts/test.sh)"]
async fn a_second_login_merges_stands_in_and_can_be_removed() {
    // Jane reaches 8 accounts; Sam the last 3 of them and 2 of his own.
    let double = GraphDouble::start(DoubleConfig::generated(8, 1))
        .await
        .expect("double");
    let shared: Vec<String> = double.world(|w| {
        w.accounts
            .keys()
            .rev()
            .take(3)
            .map(|id| format!("act_{id}"))
            .collect()
    });
    // Jane manages them (the best login for them); Sam only analyses.
    double.world(|w| {
        let jane = w.users.get_mut(DEFAULT_USER).unwrap();
        for id in &shared {
            jane.access.insert(
                id.trim_start_matches("act_").to_owned(),
                vec!["MANAGE".to_owned()],
            );
        }
    });
    let own = double.add_accounts(2);
    let own_refs: Vec<&str> = own.iter().map(String::as_str).collect();
    double.grant(OTHER_USER, &own_refs, false);
    let sams_own: Vec<String> = own.iter().map(|id| format!("act_{id}")).collect();

    let options = Options::default()
        .double_without_token(&double.url())
        // The taller rows name the logins on the row itself.
        .settings(json!({"mode": "meta", "app_id": DEFAULT_APP, "row_density": "comfortable"}));
    let (app, main) = App::logged_in(options, 8).await;

    // Add Sam: the popup offers Continue as Jane; "Log in with another account".
    app.click("#add-login").await;
    app.wait_for("document.querySelector('#add-login-dialog').open", 10)
        .await;
    app.screenshot("logins-1-add-dialog").await;
    app.click("#add-login-go").await;
    app.switch_to_popup(&main).await;
    app.click("#switch").await;
    app.type_into("#email", "sam@example.com").await;
    app.type_into("#pass", "adkeep").await;
    app.click("#login").await;
    app.click_and_let_go("#continue").await;
    app.back_to_main(&main).await;
    app.wait_accounts(10, 30).await;
    app.wait_idle(30).await;
    app.wait_for(
        "document.querySelector('#profile-name').textContent === '2 Facebook logins'",
        10,
    )
    .await;
    for id in &shared {
        app.wait_for(
            &format!(
                "{}.textContent === 'via Jane Doe, Sam Lee'",
                row(id, ".row-logins")
            ),
            10,
        )
        .await;
    }
    for id in &sams_own {
        app.wait_for(
            &format!("{}.textContent === 'via Sam Lee'", row(id, ".row-logins")),
            10,
        )
        .await;
    }
    app.screenshot("logins-2-merged").await;

    // Jane's login expires: her shared accounts refresh through Sam, and say so.
    double.set_token_state(DEFAULT_USER, TokenState::Expired);
    app.click("#refresh-all").await;
    app.wait_for("document.querySelector('.login-banner') !== null", 30)
        .await;
    app.wait_idle(30).await;
    for id in &shared {
        app.wait_for(
            &format!(
                "{}.textContent === \"through Sam Lee: Jane Doe's login expired\"",
                row(id, ".row-via")
            ),
            10,
        )
        .await;
    }
    let banner = app
        .js("return document.querySelector('.login-banner').textContent")
        .await;
    let banner = banner.as_str().unwrap_or_default();
    assert!(
        banner.contains("Jane Doe:") && banner.contains("the other logins keep refreshing"),
        "{banner}"
    );
    assert_eq!(
        app.js("return document.querySelector('#screen-accounts').hidden")
            .await,
        json!(false),
        "Sam still works: no problem page"
    );
    assert_eq!(
        app.js("return document.querySelector('#reauthenticate').textContent")
            .await,
        json!("Reauthenticate Jane Doe")
    );
    app.screenshot("logins-3-jane-expired").await;

    // Jane is fine again; Sam is removed: his own accounts stay, no longer accessible.
    double.set_token_state(DEFAULT_USER, TokenState::Valid);
    app.click("#refresh-all").await;
    app.wait_for("document.querySelector('.login-banner') === null", 30)
        .await;
    app.wait_idle(30).await;
    app.click("#nav-settings").await;
    app.click(&format!(
        ".login-item[data-login='{OTHER_USER}'] [data-action='remove-login']"
    ))
    .await;
    app.wait_for("document.querySelector('#remove-login-dialog').open", 10)
        .await;
    app.screenshot("logins-4-remove").await;
    app.click("#remove-login-go").await;
    app.wait_for("document.querySelectorAll('.login-item').length === 1", 10)
        .await;
    app.click("#nav-accounts").await;
    for id in &sams_own {
        app.wait_for(
            &format!(
                "document.querySelector(\".account-row[data-id='{id}']\").classList.contains('is-lost')"
            ),
            10,
        )
        .await;
    }
    assert_eq!(
        app.js("return document.querySelector('#accounts-table').dataset.accounts")
            .await,
        json!("10"),
        "nothing silently dropped"
    );
    app.wait_for(
        "document.querySelector('#profile-name').textContent === 'Jane Doe'",
        10,
    )
    .await;
    app.screenshot("logins-5-removed").await;
    app.close().await;
}
