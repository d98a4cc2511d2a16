//! Watching by itself, in the real window: an account is disabled at Meta,
//! the scheduled check (every 8 s here) finds it without anyone pressing
//! Refresh, the Activity view lists the change and links to the account, and
//! the notification (kept in the log) names it.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::{DoubleConfig, GraphDouble};
use support::{App, Options};

/// Every account active, so the only change is the test's.
async fn calm_double() -> (GraphDouble, String, String) {
    let double = GraphDouble::start(DoubleConfig::generated(4, 1))
        .await
        .expect("double");
    let (id, name) = double.world(|w| {
        for a in w.accounts.values_mut() {
            a.account_status = 1;
            a.disable_reason = 0;
            a.spend_cap = 0;
        }
        let first = w.accounts.values_mut().next().unwrap();
        first.name = "Watched Shoes Ltd".to_owned();
        (first.id.clone(), first.name.clone())
    });
    (double, id, name)
}

fn logged(data_dir: &std::path::Path) -> String {
    let Ok(entries) = std::fs::read_dir(data_dir.join("logs")) else {
        return String::new();
    };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn a_scheduled_check_finds_a_disabled_account_and_tells() {
    let (double, id, name) = calm_double().await;
    let app = App::launch(
        Options::default()
            .double(&double.url(), &double.issue_token())
            .env("ADKEEP_SCHEDULE_SECONDS", "8"),
    )
    .await;
    app.wait_accounts(4, 30).await;
    app.wait_idle(30).await;
    let account = id.trim_start_matches("act_").to_owned();
    let row = format!("document.querySelector(\".account-row[data-id='act_{account}']\")");

    double.world(|w| {
        let a = w.accounts.get_mut(&id).unwrap();
        a.account_status = 2;
        a.disable_reason = 1;
    });
    // Nobody presses Refresh: the scheduled check finds it.
    app.wait_for(
        &format!("{row} && {row}.textContent.includes('Disabled')"),
        40,
    )
    .await;
    app.wait_idle(30).await;
    app.screenshot("watch-1-found").await;

    app.click("#nav-activity").await;
    app.wait_for("!document.querySelector('#screen-activity').hidden", 5)
        .await;
    app.wait_for(
        &format!(
            "[...document.querySelectorAll('.activity-item[data-kind=status]')].some(i => i.textContent.includes({name:?}) && i.dataset.worse === 'true')"
        ),
        10,
    )
    .await;
    app.screenshot("watch-2-activity").await;

    // The event links to its account.
    app.click(".activity-item[data-kind=status] .activity-account")
        .await;
    app.wait_for("!document.querySelector('#screen-accounts').hidden", 5)
        .await;
    let shown = app
        .js("return [...document.querySelectorAll('.account-row:not([hidden])')].map(r => r.dataset.id)")
        .await;
    assert_eq!(shown, serde_json::json!([format!("act_{account}")]));

    // One notification, naming the account (the log keeps what it said).
    let mut told = String::new();
    for _ in 0..20 {
        told = logged(&app.data_dir);
        if told.contains("notification") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let notifications: Vec<&str> = told
        .lines()
        .filter(|l| l.contains("notification") && l.contains("title"))
        .collect();
    assert_eq!(notifications.len(), 1, "one notification: {told}");
    assert!(
        notifications[0].contains("1 account disabled") && notifications[0].contains(&name),
        "{}",
        notifications[0]
    );
    app.close().await;
}
