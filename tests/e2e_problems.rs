//! When the token breaks, in the real window: expired and revoked recover
//! through Reauthenticate; a rate limit recovers when the countdown runs out.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::{DEFAULT_APP, DoubleConfig, GraphDouble, Scenario};
use serde_json::json;
use support::{App, Options};

async fn logged_in(double: &GraphDouble) -> (App, fantoccini::wd::WindowHandle) {
    let options = Options::default()
        .double_without_token(&double.url())
        .settings(json!({"mode": "meta", "app_id": DEFAULT_APP}));
    App::logged_in(options, 4).await
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

/// Meta's ad-account limit (80004), saying access returns in `minutes`.
fn ad_account_limit(
    path: Option<&str>,
    minutes: u32,
    remaining: Option<u32>,
) -> graph_double::Fault {
    graph_double::Fault {
        path_contains: path.map(str::to_owned),
        account: None,
        kind: graph_double::FaultKind::Error {
            status: 400,
            body: json!({"error": {"message": "(#80004) There have been too many calls to this ad-account. Wait a bit and try again.",
                "type": "OAuthException", "code": 80004, "error_subcode": 2446079, "fbtrace_id": "Ax"}}),
            headers: vec![(
                "x-business-use-case-usage".to_owned(),
                format!(
                    r#"{{"1":[{{"type":"ads_management","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":{minutes}}}]}}"#
                ),
            )],
        },
        probability: 1.0,
        remaining,
    }
}

/// Meta answers every call, from the very first, with the ad-account limit
/// and says access returns in 7 minutes: the window says so at once, with
/// the time left; "Try now" really asks Meta again (Adkeep's own pause is
/// lifted), and once Meta lets go the accounts arrive.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver, tauri-driver and a keyring (scripts/test.sh starts them)"]
async fn a_rate_limit_from_the_very_first_call_says_until_when() {
    let double = GraphDouble::start(DoubleConfig::generated(4, 1))
        .await
        .expect("double");
    double.add_fault(ad_account_limit(None, 7, None));
    let app = App::launch(Options::default().double(&double.url(), &double.issue_token())).await;
    app.wait_for("!document.querySelector('#screen-problem').hidden", 20)
        .await;
    let title = app
        .js("return document.querySelector('#problem-title').textContent")
        .await;
    assert_eq!(title.as_str(), Some("Meta's access limit was reached"));
    app.wait_for(
        "/Meta allows access again in [67]:\\d\\d/.test(document.querySelector('#problem-countdown').textContent)",
        5,
    )
    .await;
    app.screenshot("first-call-rate-limit").await;

    let asked = double.stats().http_requests;
    app.click("#problem-primary").await;
    for _ in 0..100 {
        if double.stats().http_requests > asked {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        double.stats().http_requests > asked,
        "Try now asked Meta again"
    );
    app.wait_idle(30).await;
    app.wait_for("!document.querySelector('#screen-problem').hidden", 10)
        .await;

    double.clear_faults();
    app.click("#problem-primary").await;
    app.wait_accounts(4, 30).await;
    app.wait_for("!document.querySelector('#screen-accounts').hidden", 10)
        .await;
    app.close().await;
}

/// A wait inside a run (each account's spend refused for a minute): the
/// progress says what it waits for and until when, and "Try now" ends it.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver, tauri-driver and a keyring (scripts/test.sh starts them)"]
async fn a_wait_inside_a_run_says_until_when_and_try_now_ends_it() {
    let double = GraphDouble::start(DoubleConfig::generated(4, 1))
        .await
        .expect("double");
    let app = App::launch(Options::default().double(&double.url(), &double.issue_token())).await;
    app.wait_accounts(4, 30).await;
    app.wait_idle(30).await;

    double.add_fault(ad_account_limit(Some("/insights"), 1, Some(4)));
    app.click("#refresh-all").await;
    app.wait_for(
        "/Meta's access limit was reached — waiting until/.test(document.querySelector('#progress-text').textContent)",
        20,
    )
    .await;
    assert_eq!(
        app.js("return !document.querySelector('#try-now').hidden")
            .await,
        json!(true)
    );
    app.screenshot("waiting-inside-a-run").await;
    app.click("#try-now").await;
    app.wait_idle(30).await;
    app.wait_for(
        "document.querySelectorAll('.account-row.has-error').length === 0",
        10,
    )
    .await;
    app.close().await;
}
