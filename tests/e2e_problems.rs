//! When the token breaks, in the real window: expired and revoked recover
//! through Reauthenticate; a rate limit recovers when the countdown runs out.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::{DEFAULT_APP, DoubleConfig, GraphDouble, Scenario};
use serde_json::json;
use support::{App, Options};

async fn logged_in(double: &GraphDouble) -> (App, fantoccini::wd::WindowHandle) {
    let app = App::launch(
        Options::default()
            .double_without_token(&double.url())
            .settings(json!({"mode": "meta", "app_id": DEFAULT_APP})),
    )
    .await;
    let main = app.client.window().await.expect("main window");
    app.log_in_through_the_popup(&main, true).await;
    app.wait_accounts(4, 30).await;
    app.wait_idle(30).await;
    (app, main)
}

async fn breaks_then_reauthenticate_fixes_it(scenario: Scenario, title: &str) {
    let double = GraphDouble::start(DoubleConfig::generated(4, 1))
        .await
        .expect("double");
    let (app, main) = logged_in(&double).await;

    double.set_scenario(scenario);
    app.click("#refresh-all").await;
    app.wait_for("!document.querySelector('#screen-problem').hidden", 20)
        .await;
    let shown = app
        .js("return document.querySelector('#problem-title').textContent")
        .await;
    assert_eq!(shown.as_str(), Some(title));
    let button = app
        .js("return document.querySelector('#problem-primary').textContent")
        .await;
    assert_eq!(button.as_str(), Some("Reauthenticate"));
    let code = app
        .js("return document.querySelector('#detail-code').textContent")
        .await;
    assert_eq!(code.as_str(), Some("190"));

    // The fix: Reauthenticate (Facebook remembers the session: just Continue).
    app.click("#problem-primary").await;
    app.switch_to_popup(&main).await;
    app.click_and_let_go("#continue").await;
    app.back_to_main(&main).await;
    app.wait_for("!document.querySelector('#screen-accounts').hidden", 30)
        .await;
    app.wait_idle(30).await;
    app.wait_for(
        "document.querySelectorAll('.account-row.has-error').length === 0",
        10,
    )
    .await;
    assert_eq!(app.rows().await.len(), 4);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver, tauri-driver and a keyring (scripts/test.sh starts them)"]
async fn an_expired_login_shows_its_page_and_reauthenticate_recovers() {
    breaks_then_reauthenticate_fixes_it(Scenario::TokenExpired, "Your Facebook login expired")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver, tauri-driver and a keyring (scripts/test.sh starts them)"]
async fn a_revoked_login_shows_its_page_and_reauthenticate_recovers() {
    breaks_then_reauthenticate_fixes_it(Scenario::PasswordChanged, "Facebook ended this login")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver, tauri-driver and a keyring (scripts/test.sh starts them)"]
async fn a_rate_limit_counts_down_and_recovers_by_itself() {
    let double = GraphDouble::start(DoubleConfig::generated(4, 1))
        .await
        .expect("double");
    let app = App::launch(Options::default().double(&double.url(), &double.issue_token())).await;
    app.wait_accounts(4, 30).await;
    app.wait_idle(30).await;

    double.knobs(|k| k.rate_limit_secs = 12);
    double.set_scenario(Scenario::RateLimited);
    app.click("#refresh-all").await;
    app.wait_for("!document.querySelector('#screen-problem').hidden", 20)
        .await;
    let title = app
        .js("return document.querySelector('#problem-title').textContent")
        .await;
    assert_eq!(title.as_str(), Some("Meta's access limit was reached"));
    app.wait_for("/Meta allows access again in 0:\\d\\d/.test(document.querySelector('#problem-countdown').textContent)", 5).await;

    // Meta lets go before the countdown ends; when it does, Adkeep is back by itself.
    double.set_scenario(Scenario::Healthy);
    app.wait_for("!document.querySelector('#screen-accounts').hidden", 40)
        .await;
    app.wait_idle(30).await;
    app.wait_for(
        "document.querySelectorAll('.account-row.has-error').length === 0",
        10,
    )
    .await;
    app.close().await;
}
