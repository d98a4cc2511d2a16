//! Attention in the real window: the sandbox shows each severity and one
//! reason already acknowledged and one snoozed; acknowledging a warning makes
//! the count drop, and after a restart it is still acknowledged.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use support::{App, Options};

/// The window's "N warnings" (0 when there are none).
async fn warnings(app: &App) -> u64 {
    let summary = app
        .js("return document.querySelector('#summary').textContent")
        .await;
    let text = summary.as_str().unwrap_or_default().to_owned();
    text.split(" · ")
        .find_map(|part| {
            part.strip_suffix(" warnings")
                .or(part.strip_suffix(" warning"))
        })
        .map_or(0, |n| n.replace([',', '.', '\u{a0}'], "").parse().unwrap())
}

/// The warnings count once it shows `expected` (or what it shows after 10 s).
async fn settled_warnings(app: &App, expected: u64) -> u64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = warnings(app).await;
        if now == expected || std::time::Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn an_acknowledged_warning_stops_counting_and_stays_acknowledged_after_a_restart() {
    // A data folder of the test's own: it outlives the first app.
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(Options {
        data_dir: Some(data.path().to_path_buf()),
        ..Options::default()
    })
    .await;
    app.wait_for("!document.querySelector('#screen-first-run').hidden", 10)
        .await;
    app.click("#enter-sandbox").await;
    app.wait_accounts(40, 30).await;
    app.wait_idle(60).await;
    app.wait_rows("two rows name what was set aside", 15, |rows| {
        rows.iter()
            .filter(|(_, _, text)| text.contains("set aside"))
            .count()
            >= 2
    })
    .await;

    // Each severity is in the list (each row names its most severe reason).
    for severity in ["blocking", "warning", "info"] {
        let found = app
            .scan_list(&format!(
                "return document.querySelector('.col-reason[data-severity=\"{severity}\"]') ? true : null;"
            ))
            .await;
        assert_eq!(found, serde_json::json!(true), "no {severity} reason shown");
    }
    // Blocking rows first.
    let first = app
        .js("return document.querySelector('#group-attention .account-row[aria-rowindex=\"3\"]').dataset.severity")
        .await;
    assert_eq!(first, "blocking");
    let summary = app
        .js("return document.querySelector('#summary').textContent")
        .await;
    assert!(summary.as_str().unwrap().contains("blocked"), "{summary}");

    // Acknowledge a warning on a row whose only counted reason it is.
    let before = warnings(&app).await;
    let id = app
        .js(r#"return [...document.querySelectorAll('#group-attention .account-row')]
            .find(r => r.dataset.severity === 'warning' && r.querySelector('.reason-more').textContent === '')
            .dataset.id"#)
        .await;
    let id = id.as_str().expect("a row with one warning").to_owned();
    app.open_details(&id).await;
    app.click("#details .flag[data-severity='warning'] [data-action='acknowledge-flag']")
        .await;
    app.wait_for(
        "document.querySelector('#details .row-aside').textContent === '1 set aside'",
        10,
    )
    .await;
    let after = settled_warnings(&app, before - 1).await;
    assert_eq!(after, before - 1, "the count drops");
    app.reveal(&id).await;
    app.wait_for(
        &format!("document.querySelector(\".account-row[data-id='{id}']\").closest('#group-rest') !== null"),
        10,
    )
    .await;
    app.close().await;

    // After a restart: still acknowledged, still not counted.
    let app = App::launch(Options {
        data_dir: Some(data.path().to_path_buf()),
        ..Options::default()
    })
    .await;
    app.wait_accounts(40, 30).await;
    app.wait_idle(60).await;
    assert_eq!(settled_warnings(&app, after).await, after);
    app.reveal(&id).await;
    app.wait_for(
        &format!("document.querySelector(\".account-row[data-id='{id}']\").closest('#group-rest') !== null"),
        15,
    )
    .await;
    app.open_details(&id).await;
    app.click("#details .row-aside").await;
    let listed = app
        .wait_for(
            "document.querySelector(\"#details .flag[data-severity='warning'] .flag-text\")?.textContent",
            10,
        )
        .await;
    assert!(
        listed.as_str().unwrap().ends_with("(acknowledged)"),
        "{listed}"
    );
    app.close().await;
}
