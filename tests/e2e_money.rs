//! Money that stops ads in the real window: every money case of the sandbox
//! is on screen (a cap in 2 days, a cap reached, prepaid funds for a day, a
//! payment grace period, stopped spending), "Money at risk" lists them and
//! "Runs out soonest" puts the reached cap first.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::sandbox::{MONEY_SHOWCASE, account_id};
use support::{App, Options};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn the_sandbox_shows_each_money_case() {
    let app = App::launch(Options::default()).await;
    app.wait_for("!document.querySelector('#screen-first-run').hidden", 10)
        .await;
    app.click("#enter-sandbox").await;
    app.wait_for(
        "document.querySelectorAll('.account-row').length === 40",
        30,
    )
    .await;
    app.wait_idle(60).await;
    for (index, text) in MONEY_SHOWCASE {
        let id = account_id(index);
        app.wait_for(
            &format!(
                "[...document.querySelectorAll(\".account-row[data-id='{id}'] .flag-text\")].some(f => f.textContent.startsWith({text:?}))"
            ),
            15,
        )
        .await;
    }
    let line = |index: usize| {
        format!(
            "document.querySelector(\".account-row[data-id='{}'] .spend-forecast\").textContent",
            account_id(index)
        )
    };
    assert_eq!(
        app.js(&format!("return {}", line(0))).await,
        "cap in ~2 days"
    );
    assert_eq!(
        app.js(&format!("return {}", line(14))).await,
        "funds for ~1 day"
    );
    assert_eq!(
        app.js(&format!("return {}", line(24))).await,
        "cap reached — ads stopped"
    );
    let bars = app
        .js(&format!(
            "return document.querySelectorAll(\".account-row[data-id='{}'] .spend-bars rect\").length",
            account_id(10)
        ))
        .await;
    assert_eq!(bars, 7, "the last 7 days as bars");
    app.screenshot("money-1-sandbox").await;

    // Money at risk, soonest first.
    app.js("const f = document.querySelector('#filter'); f.value = 'money'; f.dispatchEvent(new Event('change')); const s = document.querySelector('#sort'); s.value = 'runs_out'; s.dispatchEvent(new Event('change')); return true")
        .await;
    let shown = app
        .js("return [...document.querySelectorAll('.account-row:not([hidden])')].map(r => r.dataset.id)")
        .await;
    let shown: Vec<String> = serde_json::from_value(shown).unwrap();
    for (index, _) in MONEY_SHOWCASE {
        assert!(
            shown.contains(&account_id(index)),
            "{index} is money at risk"
        );
    }
    let header = app
        .js("return document.querySelector('#summary').textContent")
        .await;
    assert!(header.as_str().unwrap().contains("blocked"), "{header}");
    app.screenshot("money-2-at-risk").await;
    app.close().await;
}
