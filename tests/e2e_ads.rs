//! Ads that cannot run, in the real window over the sandbox: each ad case
//! has its reason at its severity, the row's "ads" cell reads "12 ✕ ·
//! 248/250", the details pane counts each kind with the review's reasons,
//! and the filter "Ads that cannot run" finds them.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use graph_double::sandbox::{ADS_SHOWCASE, account_id};
use support::App;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn the_sandbox_shows_each_ads_case() {
    let app = App::sandbox().await;
    for (index, text) in ADS_SHOWCASE {
        app.open_details(&account_id(index)).await;
        app.wait_for(
            &format!(
                "[...document.querySelectorAll('#details .flag-text')].some(f => f.textContent.startsWith({text:?}))"
            ),
            15,
        )
        .await;
    }
    let severity = |text: &str| {
        format!(
            "return [...document.querySelectorAll('#details .flag')].find(f => f.querySelector('.flag-text').textContent.startsWith({text:?}))?.dataset.severity"
        )
    };
    app.open_details(&account_id(10)).await;
    assert_eq!(app.js(&severity("2 ads waiting")).await, "blocking");
    app.open_details(&account_id(17)).await;
    assert_eq!(app.js(&severity("At the ad limit")).await, "blocking");
    app.open_details(&account_id(19)).await;
    assert_eq!(app.js(&severity("Ad limit drops")).await, "warning");

    // The README's picture: the row's cell and the details pane.
    let first = account_id(0);
    app.open_details(&first).await;
    assert_eq!(app.js(&severity("12 ads disapproved")).await, "warning");
    let cell = app
        .js(&format!(
            "return document.querySelector(\".account-row[data-id='{first}'] .col-ads\").textContent"
        ))
        .await;
    assert_eq!(cell, "12 ✕ · 248/250");
    let section = app
        .js("return [...document.querySelectorAll('#details .details-section')].find(s => s.querySelector('h3').textContent === 'Ads that cannot run').textContent")
        .await;
    let section = section.as_str().unwrap();
    for part in [
        "Disapproved12",
        "Running or in review248 (limit: 250)",
        "Misleading or false claims — 8 ads",
        "Unacceptable business practices — 4 ads",
        "Disapproved ads in Ads Manager",
    ] {
        assert!(section.contains(part), "{part}: {section}");
    }
    let show_ads = "const d = [...document.querySelectorAll('#details .details-section')].find(s => s.querySelector('h3').textContent === 'Ads that cannot run'); d.scrollIntoView({block: 'center'}); const v = document.querySelector('#accounts-viewport'); v.scrollTop = 0; v.scrollLeft = 0; return true";
    app.js(show_ads).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    app.js(show_ads).await;
    app.screenshot("ads-1-row-and-details").await;

    // The filter finds each case.
    app.js("const f = document.querySelector('#filter'); f.value = 'ads'; f.dispatchEvent(new Event('change')); return true")
        .await;
    let shown: Vec<String> = app.rows().await.into_iter().map(|(id, ..)| id).collect();
    for index in [0, 5, 10, 17] {
        assert!(shown.contains(&account_id(index)), "{index}: {shown:?}");
    }
    app.close().await;
}
