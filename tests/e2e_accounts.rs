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
    app.wait_accounts(40, 30).await;
    app.wait_for("!document.querySelector('#sandbox-banner').hidden", 5)
        .await;
    app.wait_idle(60).await;
    // The first listing ends by setting two showcase reasons aside; the
    // window shows them with its next state read.
    app.wait_rows("two rows name what was set aside", 15, |rows| {
        rows.iter()
            .filter(|(_, _, text)| text.contains("set aside"))
            .count()
            >= 2
    })
    .await;

    let before = app.rows().await;
    assert_eq!(before.len(), 40);
    assert!(
        before.iter().all(|(_, at, _)| !at.is_empty()),
        "every row was refreshed"
    );
    let target = before[2].0.clone();
    app.reveal(&target).await;
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
async fn account_names_render_as_text_in_the_row_and_the_details_pane() {
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
    app.wait_accounts(6, 30).await;
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
    // The details pane (a click on the row) shows it as text too.
    app.open_details(&id).await;
    assert_eq!(
        app.js("return document.querySelector('#details-name').textContent")
            .await
            .as_str(),
        Some(evil)
    );
    assert_eq!(
        app.js("return document.querySelectorAll('#details img, #accounts-table img').length")
            .await,
        0
    );
    app.screenshot("accounts-hostile-details").await;
    assert_ne!(
        app.js("return document.title").await.as_str(),
        Some("pwned")
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn refresh_all_shows_progress_to_the_end() {
    let mut config = DoubleConfig::generated(600, 3);
    config.knobs.latency_ms = 60;
    let double = GraphDouble::start(config).await.expect("double");
    let app = App::launch(Options::default().double(&double.url(), &double.issue_token())).await;
    app.wait_accounts(600, 60).await;
    app.wait_idle(60).await;
    let before = app.rows().await;

    // Record every progress text the window shows.
    app.js(
        "window.__progress = [];
         new MutationObserver(() => window.__progress.push(document.querySelector('#progress-text').textContent))
           .observe(document.querySelector('#progress-text'), { childList: true, characterData: true, subtree: true });
         return true;",
    )
    .await;
    app.click("#refresh-all").await;
    app.wait_for("window.__progress.length > 0", 10).await;
    app.wait_idle(60).await;

    let log = app.js("return window.__progress").await;
    let seen: Vec<(u64, u64)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| {
            let text = t.as_str()?;
            let rest = text.strip_prefix("Refreshing ")?;
            let (done, total) = rest.split_once(" of ")?;
            Some((
                done.replace(',', "").parse().ok()?,
                total.trim_end_matches('+').replace(',', "").parse().ok()?,
            ))
        })
        .collect();
    assert!(seen.len() >= 3, "progress was shown as it went: {log}");
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "it only goes up: {seen:?}"
    );
    assert_eq!(
        seen.last().copied(),
        Some((600, 600)),
        "it reached the end: {seen:?}"
    );
    assert!(
        seen.iter().any(|(done, _)| *done < 600),
        "intermediate steps: {seen:?}"
    );

    let after = app.rows().await;
    assert_eq!(after.len(), 600);
    let moved = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.1 != a.1)
        .count();
    assert!(moved > 590, "every row was refreshed ({moved})");
    app.wait_for(
        "document.querySelectorAll('.account-row.queued').length === 0",
        5,
    )
    .await;
    app.close().await;
}
