//! Readable by everyone, in the real window (WebKitGTK) over the sandbox:
//! axe-core finds no violation and leaves no contrast check open on the list,
//! the details, a tooltip, Activity and Settings (the counts are printed),
//! and a person with only a keyboard finds an account, opens its details,
//! refreshes it, acknowledges a reason, opens Settings and comes back.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use std::time::Duration;

use fantoccini::key::Key;
use graph_double::sandbox::account_id;
use serde_json::{Value, json};
use support::App;

/// axe-core as the Chromium UI tests pin it (tests/ui/package.json).
fn axe_source() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui/node_modules/axe-core/axe.min.js"
    );
    std::fs::read_to_string(path).expect("axe-core (cd tests/ui && npm ci)")
}

/// Runs axe over the window as it stands: serious or critical violations,
/// all violations, and colour-contrast checks left incomplete.
async fn audit(app: &App, axe: &str, screen: &str) -> Value {
    app.js(&format!("if (!window.axe) {{ {axe} }} return true"))
        .await;
    app.js(
        "window.__axe = null; axe.run(document, { resultTypes: ['violations', 'incomplete'] }).then((r) => { window.__axe = {
           violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0].target.join(' ') })),
           contrast: r.incomplete.filter((i) => i.id === 'color-contrast').reduce((n, i) => n + i.nodes.length, 0),
           why: r.incomplete.filter((i) => i.id === 'color-contrast').flatMap((i) => i.nodes.map((n) => n.target.join(' ') + ': ' + n.any.map((a) => a.message).join(' | '))).slice(0, 8) }; }); return true",
    )
    .await;
    let result = app.wait_for("window.__axe", 60).await;
    let violations = result["violations"].as_array().cloned().unwrap_or_default();
    println!(
        "axe (real window) {screen}: {} violations, {} colour-contrast checks incomplete {}",
        violations.len(),
        result["contrast"],
        if violations.is_empty() {
            String::new()
        } else {
            Value::Array(violations.clone()).to_string()
        }
    );
    for why in result["why"].as_array().into_iter().flatten() {
        println!("  contrast left open: {}", why.as_str().unwrap_or_default());
    }
    result
}

fn serious(result: &Value) -> Vec<Value> {
    result["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn axe_finds_nothing_serious_in_the_real_window() {
    let app = App::sandbox().await;
    let axe = axe_source();
    let mut results = vec![("accounts list", audit(&app, &axe, "accounts list").await)];
    app.open_details(&account_id(0)).await;
    // At the list's top: rows scrolled under the sticky header are overlapped, which axe cannot judge.
    app.js("document.querySelector('#accounts-viewport').scrollTop = 0; return true")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    results.push(("details pane", audit(&app, &axe, "details pane").await));
    // A pointer resting on a status shows its tip (and keeps it): the tip sits in a landmark too.
    app.hover("#accounts-viewport .account-row .badge").await;
    app.wait_for("document.querySelector('#tip:not([hidden])')", 10)
        .await;
    results.push((
        "a tooltip shown",
        audit(&app, &axe, "a tooltip shown").await,
    ));
    app.click("#nav-activity").await;
    results.push(("activity", audit(&app, &axe, "activity").await));
    app.click("#nav-settings").await;
    results.push(("settings", audit(&app, &axe, "settings").await));
    for (screen, result) in &results {
        assert_eq!(serious(result), Vec::<Value>::new(), "{screen}");
        assert_eq!(result["violations"], json!([]), "{screen}");
        assert_eq!(
            result["contrast"],
            json!(0),
            "{screen}: contrast checks left open"
        );
    }
    app.close().await;
}

/// Shift+Tab until `css` has the focus (as a person would), at most 30 times.
async fn back_to(app: &App, css: &str) {
    let is_there = format!("return document.activeElement.matches({css:?})");
    for _ in 0..30 {
        if app.js(&is_there).await == json!(true) {
            return;
        }
        app.press(&[Key::Shift, Key::Tab]).await;
    }
    panic!("Shift+Tab never reached {css}");
}

async fn focused(app: &App) -> Value {
    app.js("const e = document.activeElement; return { id: e.id, cls: e.className, row: e.closest('[data-id]')?.dataset.id ?? null, text: e.textContent.trim().slice(0, 60) }")
        .await
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn a_keyboard_alone_finds_refreshes_and_acknowledges() {
    let app = App::sandbox().await;
    // The account with twelve disapproved ads, found by its name.
    let id = account_id(0);
    let name = app
        .js(&format!(
            "return document.querySelector(\".account-row[data-id='{id}'] .account-name\").textContent"
        ))
        .await;
    let name = name.as_str().unwrap().to_owned();

    app.press_chars(&[char::from(Key::Control), 'f']).await;
    assert_eq!(focused(&app).await["id"], "search");
    app.type_into("#search", &name).await;
    app.press(&[Key::Down]).await;
    let now = focused(&app).await;
    assert_eq!(
        now["row"],
        json!(id),
        "↓ from the search reaches the row: {now}"
    );

    // Open its details: the pane has the focus.
    app.press(&[Key::Enter]).await;
    app.wait_for("!document.querySelector('#details').hidden", 10)
        .await;
    assert_eq!(focused(&app).await["id"], "details");

    // Refresh it from the pane: its first control.
    app.press(&[Key::Tab]).await;
    let now = focused(&app).await;
    assert!(
        now["cls"].as_str().unwrap().contains("row-refresh"),
        "{now}"
    );
    app.press(&[Key::Enter]).await;
    app.wait_for(
        &format!(
            "document.querySelector('#live').textContent.includes({:?})",
            format!("{name} refreshed")
        ),
        30,
    )
    .await;

    // Acknowledge the reason, by Tab from the pane's top.
    let is_acknowledge = "return document.activeElement.textContent === 'Acknowledge'";
    app.js("document.querySelector('#details').focus(); return true")
        .await;
    for _ in 0..12 {
        if app.js(is_acknowledge).await == json!(true) {
            break;
        }
        app.press(&[Key::Tab]).await;
    }
    assert_eq!(app.js(is_acknowledge).await, json!(true));
    app.press(&[Key::Enter]).await;
    app.wait_for(
        "document.querySelector('#live').textContent.includes('Acknowledged: ')",
        15,
    )
    .await;

    // Esc closes the pane and gives the focus back to the row.
    app.press(&[Key::Escape]).await;
    app.wait_for("document.querySelector('#details').hidden", 10)
        .await;
    assert_eq!(focused(&app).await["row"], json!(id));

    // Settings and back, by Shift+Tab to the top and Enter.
    back_to(&app, "#nav-settings").await;
    app.press(&[Key::Enter]).await;
    app.wait_for("!document.querySelector('#screen-settings').hidden", 10)
        .await;
    back_to(&app, "#nav-accounts").await;
    app.press(&[Key::Enter]).await;
    app.wait_for("!document.querySelector('#screen-accounts').hidden", 10)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("readable-keyboard-journey").await;
    app.close().await;
}
