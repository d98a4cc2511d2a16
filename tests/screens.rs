//! Every screen pictured (`make screenshots`): the real window under Xvfb,
//! over the sandbox (and, for the problem page, over the Graph double with
//! an expired token), at 1280×820 and 880×560, light and dark, written as
//! `docs/screens/<screen>-<size>-<scheme>.png`. Not part of `make test`:
//! it writes into the repository.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::key::Key;
use graph_double::sandbox::account_id;
use graph_double::{DEFAULT_APP, DoubleConfig, GraphDouble, Scenario};
use serde_json::json;
use support::{App, Options};

const SIZES: [(u32, u32); 2] = [(1280, 820), (880, 560)];
const SCHEMES: [&str; 2] = ["light", "dark"];

fn out_dir() -> PathBuf {
    let dir = std::env::var_os("ADKEEP_SCREENS").expect("ADKEEP_SCREENS: where the pictures go");
    std::fs::create_dir_all(&dir).expect("the pictures' folder");
    PathBuf::from(dir)
}

/// GTK's dark theme, which WebKitGTK passes on as `prefers-color-scheme: dark`.
fn scheme_options(scheme: &str) -> Options {
    let options = Options::default();
    if scheme == "dark" {
        options.env("GTK_THEME", "Adwaita:dark")
    } else {
        options.env("GTK_THEME", "Adwaita")
    }
}

async fn check_scheme(app: &App, scheme: &str) {
    let dark = app
        .js("return matchMedia('(prefers-color-scheme: dark)').matches")
        .await;
    assert_eq!(dark, json!(scheme == "dark"), "the window's colour scheme");
}

/// Sizes the window so the page is `width`×`height`, then waits for the list to settle.
async fn size(app: &App, (width, height): (u32, u32)) {
    app.client
        .set_window_size(width, height)
        .await
        .expect("window size");
    app.wait_for(
        &format!("window.innerWidth === {width} && window.innerHeight === {height}"),
        10,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
}

async fn shoot(app: &App, screen: &str, (width, height): (u32, u32), scheme: &str) {
    // No tooltip or caret left over from the last step.
    app.js("document.activeElement?.blur(); document.querySelector('#tip')?.setAttribute('hidden', ''); return true")
        .await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let png = app.client.screenshot().await.expect("a screenshot");
    let name = format!("{screen}-{width}x{height}-{scheme}.png");
    std::fs::write(out_dir().join(&name), png).expect("a picture");
    println!("wrote docs/screens/{name}");
}

/// A dialog opened from Settings, pictured, then closed.
async fn dialog(app: &App, opener: &str, dialog: &str, screen: &str, at: (u32, u32), scheme: &str) {
    app.click("#nav-settings").await;
    app.js(&format!(
        "document.querySelector({opener:?}).click(); return true"
    ))
    .await;
    app.wait_for(&format!("document.querySelector({dialog:?}).open"), 10)
        .await;
    shoot(app, screen, at, scheme).await;
    app.js(&format!(
        "document.querySelector({dialog:?}).close(); return true"
    ))
    .await;
}

async fn sandbox_screens(scheme: &str) {
    let app = App::launch(scheme_options(scheme)).await;
    check_scheme(&app, scheme).await;
    app.wait_for("!document.querySelector('#screen-first-run').hidden", 10)
        .await;
    for at in SIZES {
        size(&app, at).await;
        shoot(&app, "first-run", at, scheme).await;
    }
    app.click("#enter-sandbox").await;
    app.wait_accounts(40, 30).await;
    app.wait_idle(60).await;
    for at in SIZES {
        size(&app, at).await;
        app.click("#nav-accounts").await;
        app.js("document.querySelector('[data-action=\"close-details\"]')?.click(); document.querySelector('#accounts-viewport').scrollTop = 0; return true")
            .await;
        shoot(&app, "accounts", at, scheme).await;
        // By the keyboard: the row focused, Enter.
        let id = account_id(0);
        app.reveal(&id).await;
        app.js(&format!(
            "document.querySelector(\".account-row[data-id='{id}']\").focus(); return true"
        ))
        .await;
        app.press(&[Key::Enter]).await;
        app.wait_for(&format!("document.querySelector('#details').dataset.id === '{id}' && !document.querySelector('#details').hidden"), 10)
            .await;
        app.js("document.querySelector('#accounts-viewport').scrollTop = 0; return true")
            .await;
        shoot(&app, "details", at, scheme).await;
        // In a small window the details are a drawer over the window: closed first, as a person would.
        app.click("[data-action='close-details']").await;
        app.click("#nav-activity").await;
        shoot(&app, "activity", at, scheme).await;
        app.click("#nav-settings").await;
        app.js("document.querySelector('#screen-settings').scrollTop = 0; return true")
            .await;
        shoot(&app, "settings", at, scheme).await;
        app.js("document.querySelector('#login-settings').scrollIntoView(); return true")
            .await;
        shoot(&app, "logins", at, scheme).await;
        dialog(
            &app,
            "[data-action='add-alert']",
            "#alert-dialog",
            "alerts",
            at,
            scheme,
        )
        .await;
    }
    app.close().await;
}

async fn problem_screens(scheme: &str) {
    let double = GraphDouble::start(DoubleConfig::generated(4, 1))
        .await
        .expect("double");
    let options = scheme_options(scheme)
        .double_without_token(&double.url())
        .settings(json!({"mode": "meta", "app_id": DEFAULT_APP}));
    let (app, _main) = App::logged_in(options, 4).await;
    double.set_scenario(Scenario::TokenExpired);
    app.click("#refresh-all").await;
    app.wait_for("!document.querySelector('#screen-problem').hidden", 20)
        .await;
    for at in SIZES {
        size(&app, at).await;
        shoot(&app, "problem", at, scheme).await;
    }
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "writes docs/screens: run by `make screenshots` (Xvfb, WebKitWebDriver, tauri-driver)"]
async fn every_screen_pictured() {
    for scheme in SCHEMES {
        sandbox_screens(scheme).await;
        problem_screens(scheme).await;
    }
}
