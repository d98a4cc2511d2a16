//! Alerts in the real window: Settings → Alerts adds a signed webhook, "Send a
//! test" reaches a receiver on loopback, an account disabled at Meta is told
//! by the scheduled check (once), and a destination that refuses shows in the
//! header until it is fixed. Pictures at 1280×820 and 880×560.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

#[path = "alerts/receivers.rs"]
mod receivers;

use graph_double::{DoubleConfig, GraphDouble};
use receivers::{Answer, Receivers};
use support::{App, Options};

async fn calm_double() -> GraphDouble {
    let double = GraphDouble::start(DoubleConfig::generated(4, 1))
        .await
        .expect("double");
    double.world(|w| {
        for a in w.accounts.values_mut() {
            a.account_status = 1;
            a.disable_reason = 0;
            a.spend_cap = 0;
            a.prepaid = None;
        }
    });
    double
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn a_webhook_is_added_tested_and_told_of_a_disabled_account() {
    let double = calm_double().await;
    let receivers = Receivers::start().await;
    let app = App::launch(
        Options::default()
            .double(&double.url(), &double.issue_token())
            .env("ADKEEP_SCHEDULE_SECONDS", "8"),
    )
    .await;
    app.wait_accounts(4, 30).await;
    app.wait_idle(30).await;

    app.click("#nav-settings").await;
    app.wait_for("!document.querySelector('#screen-settings').hidden", 5)
        .await;
    app.click("[data-action='add-alert']").await;
    app.wait_for("document.querySelector('#alert-dialog').open", 5)
        .await;
    app.js("document.querySelector('#alert-kind').value = 'webhook'; document.querySelector('#alert-kind').dispatchEvent(new Event('change'));")
        .await;
    app.type_into("#alert-url", &receivers.url("hook")).await;
    app.type_into("#alert-secret", "a-signing-secret").await;
    app.click("#alert-save").await;
    app.wait_for("document.querySelectorAll('.alert-item').length === 1", 10)
        .await;
    app.click(".alert-item [data-action='test-alert']").await;
    app.wait_for(
        "/Delivered/.test(document.querySelector('#alert-status').textContent)",
        15,
    )
    .await;
    let test = receivers.received("hook");
    assert_eq!(test.len(), 1);
    assert_eq!(test[0].json()["type"], "adkeep.test");
    assert!(test[0].signature.as_deref().unwrap().starts_with("sha256="));

    // Disabled at Meta: the scheduled check tells the webhook, once.
    let (id, name) = double.world(|w| {
        let a = w.accounts.values_mut().next().unwrap();
        a.account_status = 2;
        (format!("act_{}", a.id), a.name.clone())
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while receivers.received("hook").len() < 2 {
        assert!(std::time::Instant::now() < deadline, "no alert");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let told = receivers.received("hook")[1].json();
    assert_eq!(told["alerts"][0]["account_id"], id.as_str());
    assert_eq!(told["alerts"][0]["account_name"], name.as_str());
    // The next checks say nothing new.
    tokio::time::sleep(std::time::Duration::from_secs(20)).await;
    assert_eq!(receivers.received("hook").len(), 2, "the same state twice");

    // A destination that refuses: the header says so; a test that goes fixes it.
    receivers.script("hook", &[Answer::Status(410); 100]);
    double.world(|w| w.accounts.values_mut().nth(1).unwrap().account_status = 2);
    app.click("#nav-accounts").await;
    app.wait_for(
        "document.querySelector('#alert-banners .banner') && /are failing/.test(document.querySelector('#alert-banners').textContent)",
        60,
    )
    .await;
    app.client.set_window_size(1280, 820).await.expect("resize");
    app.screenshot("alerts-header-1280x820").await;
    app.click("#alert-banners [data-action='show-alert-settings']")
        .await;
    app.wait_for(
        "/Failing/.test(document.querySelector('.alert-item .login-health').textContent)",
        10,
    )
    .await;
    app.screenshot("alerts-settings-1280x820").await;
    app.client.set_window_size(880, 560).await.expect("resize");
    app.wait_for("window.innerWidth <= 880", 5).await;
    app.js("document.querySelector('#alerts-settings').scrollIntoView({block: 'start'})")
        .await;
    app.screenshot("alerts-settings-880x560").await;
    app.click(".alert-item [data-action='edit-alert']").await;
    app.wait_for("document.querySelector('#alert-dialog').open", 5)
        .await;
    app.screenshot("alerts-dialog-880x560").await;
    let shown = app
        .js("return document.querySelector('#alert-secret').value")
        .await;
    assert_eq!(shown, "", "the secret is never shown again");
    app.click("#alert-dialog [data-action='close-dialog']")
        .await;
    app.click(".alert-item [data-action='test-alert']").await;
    app.wait_for(
        "/Refused: answered 410/.test(document.querySelector('#alert-status').textContent)",
        15,
    )
    .await;
    // Fixed at the receiver's end: a test goes, and the header clears.
    receivers.script("hook", &[]);
    app.click(".alert-item [data-action='test-alert']").await;
    app.wait_for(
        "/Delivered/.test(document.querySelector('#alert-status').textContent)",
        15,
    )
    .await;
    app.wait_for("!document.querySelector('#alert-banners .banner')", 30)
        .await;
    app.close().await;
}
