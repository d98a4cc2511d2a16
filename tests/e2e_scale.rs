//! The accounts page at agency scale, in the real window: 5,000 accounts
//! scroll to the last and back with only the screen's rows in the DOM; the
//! keyboard selects rows and F5 refreshes just those; Enter opens the
//! details; dense rows fill the default and the smallest window.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use fantoccini::key::Key;
use graph_double::{DoubleConfig, GraphDouble};
use support::{App, Options};

/// Rows wholly inside the list's scrolling box (under its sticky header).
const ROWS_IN_VIEW: &str = "(() => {
    const view = document.querySelector('#accounts-viewport').getBoundingClientRect();
    const head = document.querySelector('.head-row').getBoundingClientRect();
    return [...document.querySelectorAll('.account-row')].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.top >= head.bottom - 1 && b.bottom <= Math.min(view.bottom, window.innerHeight) + 1;
    }).length;
  })()";

async fn focused_row(app: &App) -> (String, u64) {
    let value = app
        .js("const r = document.activeElement; return [r.dataset.id || '', Number(r.getAttribute('aria-rowindex') || 0)]")
        .await;
    (
        value[0].as_str().unwrap_or_default().to_owned(),
        value[1].as_u64().unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn five_thousand_accounts_scroll_to_the_last_and_back() {
    let double = GraphDouble::start(DoubleConfig::generated(5_000, 3))
        .await
        .expect("double");
    let data = support::cached_accounts(&double).await;
    let app = App::launch(
        Options {
            data_dir: Some(data.path().to_path_buf()),
            ..Options::default()
        }
        .double(&double.url(), &double.issue_token()),
    )
    .await;
    app.wait_accounts(5_000, 60).await;
    let drawn = || app.js("return document.querySelectorAll('.account-row').length");
    let few = drawn().await.as_u64().unwrap();
    assert!(few < 80, "only the screen's rows are in the DOM ({few})");
    let rows = app
        .js("return Number(document.querySelector('#accounts-table').getAttribute('aria-rowcount'))")
        .await;
    assert_eq!(
        rows, 5_003,
        "the grid counts its rows: the header, two group headings, 5,000 accounts"
    );

    // The keyboard: End goes to the very last account, Home back to the first.
    let first_id = app
        .js("return document.querySelector('.account-row[tabindex=\"0\"]').dataset.id")
        .await;
    let first_id = first_id.as_str().unwrap().to_owned();
    app.click(&format!(
        ".account-row[data-id='{first_id}'] .col-refreshed"
    ))
    .await;
    app.press(&[Key::End]).await;
    app.wait_for(
        "document.activeElement.getAttribute('aria-rowindex') === String(5000 + 3)",
        5,
    )
    .await;
    let (last_id, _) = focused_row(&app).await;
    app.wait_for(
        "(() => { const v = document.querySelector('#accounts-viewport'); return v.scrollTop + v.clientHeight >= v.scrollHeight - 2; })()",
        5,
    )
    .await;
    assert!(
        app.js(&format!("return {ROWS_IN_VIEW}"))
            .await
            .as_u64()
            .unwrap()
            >= 10,
        "the bottom of the list is drawn, not blank"
    );
    app.screenshot("scale-1-last-of-5000").await;
    assert!(
        drawn().await.as_u64().unwrap() < 80,
        "still only the screen's rows"
    );

    app.press(&[Key::Home]).await;
    app.wait_for(
        "document.querySelector('#accounts-viewport').scrollTop === 0",
        5,
    )
    .await;
    assert_eq!(focused_row(&app).await.0, first_id);

    // Scrolling with the scrollbar (no keyboard) reaches the same last row.
    app.js("const v = document.querySelector('#accounts-viewport'); v.scrollTop = v.scrollHeight; return true")
        .await;
    app.wait_for(
        &format!("document.querySelector(\".account-row[data-id='{last_id}']\") !== null"),
        5,
    )
    .await;
    // And searching narrows 5,000 to the one.
    let name = app
        .js(&format!("return document.querySelector(\".account-row[data-id='{last_id}'] .account-name\").textContent"))
        .await;
    app.type_into("#search", name.as_str().unwrap()).await;
    app.wait_for(
        "document.querySelector('#accounts-table').dataset.shown === '1'",
        5,
    )
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn the_keyboard_selects_rows_and_f5_refreshes_only_those() {
    let double = GraphDouble::start(DoubleConfig::generated(30, 2))
        .await
        .expect("double");
    let app = App::launch(Options::default().double(&double.url(), &double.issue_token())).await;
    app.wait_accounts(30, 30).await;
    app.wait_idle(60).await;
    let before = app.rows().await;
    let ids: Vec<String> = before.iter().map(|(id, ..)| id.clone()).collect();

    // A click selects the first row (and opens its details); Shift+↓ twice extends.
    app.click(&format!(
        ".account-row[data-id='{}'] .col-refreshed",
        ids[0]
    ))
    .await;
    app.press(&[Key::Shift, Key::Down]).await;
    app.press(&[Key::Shift, Key::Down]).await;
    let selected = app
        .js("return [...document.querySelectorAll('.account-row[aria-selected=\"true\"]')].map(r => r.dataset.id)")
        .await;
    let mut selected: Vec<String> = serde_json::from_value(selected).unwrap();
    selected.sort();
    let mut expected = ids[..3].to_vec();
    expected.sort();
    assert_eq!(selected, expected, "the first three rows");
    assert_eq!(
        focused_row(&app).await.0,
        ids[2],
        "the keyboard is on the third"
    );
    app.screenshot("scale-2-selected").await;

    // F5 refreshes the selection, not everything.
    app.press(&[Key::F5]).await;
    app.wait_rows("the three rows were refreshed", 30, |rows| {
        rows.iter()
            .filter(|(id, at, _)| {
                expected.contains(id) && before.iter().any(|(b, was, _)| b == id && was != at)
            })
            .count()
            == 3
    })
    .await;
    let after = app.rows().await;
    for (id, at, _) in &before {
        if !expected.contains(id) {
            let now = after.iter().find(|(i, ..)| i == id).expect("row kept");
            assert_eq!(&now.1, at, "{id} was not refreshed");
        }
    }

    // Enter opens the details of the row the keyboard is on.
    app.js("document.querySelector('.account-row[tabindex=\"0\"]').focus(); return true")
        .await;
    app.press(&[Key::Enter]).await;
    app.wait_for(
        &format!("!document.querySelector('#details').hidden && document.querySelector('#details').dataset.id === '{}'", ids[2]),
        5,
    )
    .await;
    app.press(&[Key::Escape]).await;
    app.wait_for("document.querySelector('#details').hidden", 5)
        .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn dense_rows_fill_the_default_and_the_smallest_window() {
    let double = GraphDouble::start(DoubleConfig::generated(200, 3))
        .await
        .expect("double");
    let app = App::launch(Options::default().double(&double.url(), &double.issue_token())).await;
    app.wait_accounts(200, 30).await;
    app.wait_idle(60).await;
    app.client.set_window_size(1280, 820).await.expect("resize");
    app.wait_for("window.innerWidth <= 1280 && window.innerWidth > 1000", 5)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let wide = app
        .js(&format!("return {ROWS_IN_VIEW}"))
        .await
        .as_u64()
        .unwrap();
    app.screenshot("scale-3-1280x820").await;
    assert!(wide >= 15, "{wide} whole rows at 1280×820");

    // The smallest window the app allows, with the details pane open as a drawer.
    app.client.set_window_size(880, 560).await.expect("resize");
    app.wait_for("window.innerWidth <= 880", 5).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let narrow = app
        .js(&format!("return {ROWS_IN_VIEW}"))
        .await
        .as_u64()
        .unwrap();
    app.screenshot("scale-4-880x560").await;
    assert!(narrow >= 6, "{narrow} whole rows at 880×560");
    let id = app
        .js("return document.querySelector('.account-row').dataset.id")
        .await;
    app.open_details(id.as_str().unwrap()).await;
    let drawer = app
        .js("return getComputedStyle(document.querySelector('#details')).position")
        .await;
    assert_eq!(drawer, "fixed", "a drawer over the list in a narrow window");
    app.screenshot("scale-5-880x560-details").await;
    app.close().await;
}
