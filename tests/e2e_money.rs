//! Money that stops ads in the real window: every money case of the sandbox
//! is on screen (a cap in 2 days, a cap reached, prepaid funds for a day, a
//! payment grace period, stopped spending), "Money at risk" lists them and
//! "Runs out soonest" puts the reached cap first.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::sandbox::{MONEY_SHOWCASE, account_id};
use support::App;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn the_sandbox_shows_each_money_case() {
    let app = App::sandbox().await;
    // Each case's reason and forecast, in its details pane.
    let forecast = "[...document.querySelectorAll('#details dt')].find(d => d.textContent === 'Forecast')?.nextElementSibling.textContent";
    for (index, text) in MONEY_SHOWCASE {
        app.open_details(&account_id(index)).await;
        app.wait_for(
            &format!(
                "[...document.querySelectorAll('#details .flag-text')].some(f => f.textContent.startsWith({text:?}))"
            ),
            15,
        )
        .await;
        let expected = match index {
            0 => Some("cap in ~2 days"),
            14 => Some("funds for ~1 day"),
            24 => Some("cap reached — ads stopped"),
            _ => None,
        };
        if let Some(expected) = expected {
            assert_eq!(app.js(&format!("return {forecast}")).await, expected);
        }
    }
    app.open_details(&account_id(10)).await;
    let bars = app
        .js("return document.querySelectorAll('#details .spend-bars rect.bar').length")
        .await;
    assert_eq!(bars, 7, "the last 7 days as bars");
    assert_eq!(
        app.js("return document.querySelectorAll('#details .details-days tr').length")
            .await,
        7,
        "and as figures"
    );
    // The README's picture: the dense list with a capped account's details.
    app.open_details(&account_id(0)).await;
    app.js("document.querySelector('#accounts-viewport').scrollTop = 0; return true")
        .await;
    app.screenshot("money-1-sandbox").await;

    // Money at risk, soonest first.
    app.js("const f = document.querySelector('#filter'); f.value = 'money'; f.dispatchEvent(new Event('change')); const s = document.querySelector('#sort'); s.value = 'runs_out'; s.dispatchEvent(new Event('change')); return true")
        .await;
    let shown: Vec<String> = app.rows().await.into_iter().map(|(id, ..)| id).collect();
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
