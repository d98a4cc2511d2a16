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
    app.wait_for(
        "document.querySelectorAll('.account-row').length === 40",
        30,
    )
    .await;
    app.wait_idle(60).await;
    app.wait_for(
        "document.querySelectorAll('.row-aside:not([hidden])').length >= 2",
        15,
    )
    .await;

    // Each severity is on screen, blocking rows first.
    for severity in ["blocking", "warning", "info"] {
        let count = app
            .js(&format!(
                "return document.querySelectorAll('.flag[data-severity=\"{severity}\"]').length"
            ))
            .await;
        assert!(count.as_u64().unwrap() > 0, "no {severity} reason shown");
    }
    let first = app
        .js("return document.querySelector('#group-attention .account-row:not([hidden])').dataset.severity")
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
            .find(r => r.dataset.severity === 'warning'
                && r.querySelectorAll('.flag[data-severity="warning"], .flag[data-severity="blocking"]').length === 1)
            .dataset.id"#)
        .await;
    let id = id.as_str().expect("a row with one warning").to_owned();
    let row = format!(".account-row[data-id='{id}']");
    app.click(&format!(
        "{row} .flag[data-severity='warning'] [data-action='acknowledge-flag']"
    ))
    .await;
    app.wait_for(
        &format!("document.querySelector(\"{row}\").closest('#group-rest') !== null"),
        10,
    )
    .await;
    let after = settled_warnings(&app, before - 1).await;
    assert_eq!(after, before - 1, "the count drops");
    app.wait_for(
        &format!("!document.querySelector(\"{row} .row-aside\").hidden"),
        5,
    )
    .await;
    app.close().await;

    // After a restart: still acknowledged, still not counted.
    let app = App::launch(Options {
        data_dir: Some(data.path().to_path_buf()),
        ..Options::default()
    })
    .await;
    app.wait_for(
        "document.querySelectorAll('.account-row').length === 40",
        30,
    )
    .await;
    app.wait_idle(60).await;
    app.wait_for(
        &format!("document.querySelector(\"{row}\").closest('#group-rest') !== null"),
        15,
    )
    .await;
    assert_eq!(settled_warnings(&app, after).await, after);
    app.click(&format!("{row} .row-aside")).await;
    let listed = app
        .js(&format!("return document.querySelector(\"{row} .flag[data-severity='warning'] .flag-text\").textContent"))
        .await;
    assert!(
        listed.as_str().unwrap().ends_with("(acknowledged)"),
        "{listed}"
    );
    app.close().await;
}
