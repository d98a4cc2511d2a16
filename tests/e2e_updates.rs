//! Updates in the real window: Settings → Check for updates against a
//! loopback server. The newest version says so; a newer version signed with
//! a key that is not Adkeep's is offered, and installing it is refused in
//! words, leaving the app as it was.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use minisign::KeyPair;
use support::{App, Options};

const BUNDLE: &[u8] = b"not Adkeep";

/// Serves latest.json announcing `version`, signed by a stranger's key.
async fn update_server(version: Arc<Mutex<String>>) -> String {
    let stranger = KeyPair::generate_unencrypted_keypair().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let bundle_url = format!("{base}/Adkeep.AppImage");
    let app = axum::Router::new()
        .route(
            "/latest.json",
            get(move |State(v): State<Arc<Mutex<String>>>| async move {
                let version = v.lock().unwrap().clone();
                let comment = format!("timestamp:1764755000\tfile:Adkeep.AppImage\tversion:{version}");
                let signature = minisign::sign(
                    Some(&stranger.pk),
                    &stranger.sk,
                    std::io::Cursor::new(BUNDLE),
                    Some(&comment),
                    None,
                )
                .unwrap()
                .into_string();
                let platform = serde_json::json!({
                    "signature": base64::engine::general_purpose::STANDARD.encode(signature),
                    "url": bundle_url,
                });
                let target = tauri_plugin_updater::target().unwrap();
                axum::Json(serde_json::json!({
                    "version": version,
                    "notes": "Faster refresh.",
                    "platforms": { target.clone(): platform.clone(), format!("{target}-appimage"): platform },
                }))
            }),
        )
        .route("/Adkeep.AppImage", get(|| async { BUNDLE.to_vec() }))
        .with_state(version);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("{base}/latest.json")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "real window: needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test.sh starts them)"]
async fn check_for_updates_offers_and_refuses_a_stranger_signature() {
    let version = Arc::new(Mutex::new("0.1.0".to_owned()));
    let endpoint = update_server(version.clone()).await;
    let app = App::launch(Options::default().env("ADKEEP_UPDATE_URL", endpoint)).await;
    app.wait_for("!document.querySelector('#screen-first-run').hidden", 10)
        .await;
    app.click("#nav-settings").await;
    app.click("#check-updates").await;
    app.wait_for(
        "/Adkeep 0\\.1\\.0 is the newest version/.test(document.querySelector('#update-status').textContent)",
        20,
    )
    .await;

    *version.lock().unwrap() = "9.9.9".to_owned();
    app.click("#check-updates").await;
    app.wait_for(
        "/Adkeep 9\\.9\\.9 is available \\(you have 0\\.1\\.0\\)\\. Faster refresh\\./.test(document.querySelector('#update-status').textContent)",
        20,
    )
    .await;
    app.screenshot("updates-1-offered").await;
    app.click("#install-update").await;
    app.wait_for(
        "/signature is not Adkeep's, so it was not installed/.test(document.querySelector('#update-status').textContent)",
        20,
    )
    .await;
    app.screenshot("updates-2-refused").await;
    // Nothing was installed: the app runs on, as it was.
    let ready = app.js("return document.body.dataset.ready").await;
    assert_eq!(ready, "true");
    app.close().await;
}
