//! Signed updates end to end on loopback, on the mock runtime with the real
//! updater plugin: a local server announces a newer Adkeep signed with a
//! throwaway key (made here, never stored). A good signature is offered and
//! verified; a tampered bundle, another key's signature, a signature for
//! another version and a missing signature are refused with a clear message
//! and nothing is installed.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use minisign::KeyPair;
use tauri::Manager;
use tauri::test::{MockRuntime, mock_builder};

mod mock;

const BUNDLE: &[u8] = b"Adkeep 9.9.9 for Linux: the bytes of a bundle";

#[derive(Clone)]
struct Served {
    version: String,
    bundle: Vec<u8>,
    signature: String,
}

type Shared = Arc<Mutex<Served>>;

fn b64(text: String) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A minisign signature as the Tauri CLI writes it (the version in the
/// trusted comment), base64 as in latest.json.
fn sign(keys: &KeyPair, data: &[u8], version: &str) -> String {
    let comment =
        format!("timestamp:1764755000\tfile:Adkeep_{version}_amd64.AppImage\tversion:{version}");
    let signature = minisign::sign(
        Some(&keys.pk),
        &keys.sk,
        std::io::Cursor::new(data),
        Some(&comment),
        Some("signature from tauri secret key"),
    )
    .unwrap();
    b64(signature.into_string())
}

async fn start_server(served: Shared) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let bundle_url = format!("{base}/Adkeep.AppImage");
    let app = axum::Router::new()
        .route(
            "/latest.json",
            get(move |State(s): State<Shared>| async move {
                let s = s.lock().unwrap().clone();
                let platform = serde_json::json!({ "signature": s.signature, "url": bundle_url });
                axum::Json(serde_json::json!({
                    "version": s.version,
                    "notes": "Faster refresh.",
                    "pub_date": "2026-12-01T10:00:00Z",
                    "platforms": {
                        tauri_plugin_updater::target().unwrap(): platform.clone(),
                        format!("{}-appimage", tauri_plugin_updater::target().unwrap()): platform,
                    }
                }))
            }),
        )
        .route(
            "/Adkeep.AppImage",
            get(|State(s): State<Shared>| async move { s.lock().unwrap().bundle.clone() }),
        )
        .with_state(served);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("{base}/latest.json")
}

fn invoke(
    window: &tauri::WebviewWindow<MockRuntime>,
    command: &str,
) -> Result<serde_json::Value, serde_json::Value> {
    mock::invoke(window, command, serde_json::json!({}))
}

struct Setup {
    app: tauri::App<MockRuntime>,
    main: tauri::WebviewWindow<MockRuntime>,
    served: Shared,
    keys: KeyPair,
    _data: tempfile::TempDir,
}

async fn setup() -> Setup {
    let keys = KeyPair::generate_unencrypted_keypair().unwrap();
    let pubkey = b64(keys.pk.to_box().unwrap().into_string());
    let served = Arc::new(Mutex::new(Served {
        version: "9.9.9".to_owned(),
        bundle: BUNDLE.to_vec(),
        signature: sign(&keys, BUNDLE, "9.9.9"),
    }));
    let endpoint = start_server(served.clone()).await;
    let data = tempfile::tempdir().unwrap();
    let app = mock::started(
        adkeep_app::desktop::updates::register(mock_builder()),
        data.path(),
    );
    app.manage(adkeep_app::desktop::updates::UpdateSource {
        endpoint: Some(endpoint.parse().unwrap()),
        pubkey: Some(pubkey),
    });
    let main = mock::main_window(&app);
    Setup {
        app,
        main,
        served,
        keys,
        _data: data,
    }
}

fn this_program() -> Vec<u8> {
    std::fs::read(std::env::current_exe().unwrap()).unwrap()
}

/// The check offers 9.9.9; installing it is refused, naming the signature.
fn refused_with(setup: &Setup, words: &str) {
    let before = this_program();
    let offered = invoke(&setup.main, "check_update").expect("checked");
    assert_eq!(offered["available"], "9.9.9");
    let error = invoke(&setup.main, "install_update").expect_err("refused");
    assert_eq!(error["kind"], "update", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains(words), "{message}");
    assert!(message.contains("not installed"), "{message}");
    assert!(this_program() == before, "nothing was installed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_update_is_offered_and_verifies() {
    let setup = setup().await;
    let offered = invoke(&setup.main, "check_update").expect("checked");
    assert_eq!(offered["current"], "0.1.0");
    assert_eq!(offered["available"], "9.9.9");
    assert_eq!(offered["notes"], "Faster refresh.");
    let update = adkeep_app::desktop::updates::find(setup.app.handle())
        .await
        .unwrap()
        .expect("an update");
    let bytes = adkeep_app::desktop::updates::download_verified(&update)
        .await
        .expect("the signature holds");
    assert_eq!(bytes, BUNDLE);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_version_is_not_offered() {
    let setup = setup().await;
    setup.served.lock().unwrap().version = "0.1.0".to_owned();
    let offered = invoke(&setup.main, "check_update").expect("checked");
    assert_eq!(offered["available"], serde_json::Value::Null);
    let error = invoke(&setup.main, "install_update").expect_err("nothing waits");
    assert_eq!(error["kind"], "update");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_bundle_is_refused() {
    let setup = setup().await;
    setup.served.lock().unwrap().bundle[0] ^= 1;
    refused_with(&setup, "signature is not Adkeep's");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_keys_signature_is_refused() {
    let setup = setup().await;
    let stranger = KeyPair::generate_unencrypted_keypair().unwrap();
    setup.served.lock().unwrap().signature = sign(&stranger, BUNDLE, "9.9.9");
    refused_with(&setup, "signature is not Adkeep's");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_releases_signature_is_refused() {
    let setup = setup().await;
    // A genuine signature, but for another version than the one announced.
    setup.served.lock().unwrap().signature = sign(&setup.keys, BUNDLE, "9.9.8");
    refused_with(&setup, "signature is not Adkeep's");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_garbled_signature_is_refused() {
    let setup = setup().await;
    setup.served.lock().unwrap().signature = "not base64 at all!".to_owned();
    refused_with(&setup, "signature could not be read");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_larger_than_the_cap_is_not_downloaded() {
    let setup = setup().await;
    let big = vec![7u8; 2 * 1024 * 1024];
    {
        let mut served = setup.served.lock().unwrap();
        served.signature = sign(&setup.keys, &big, "9.9.9");
        served.bundle = big;
    }
    let update = adkeep_app::desktop::updates::find(setup.app.handle())
        .await
        .unwrap()
        .expect("an update");
    let error = adkeep_app::desktop::updates::download_capped(&update, 1024 * 1024)
        .await
        .expect_err("too large");
    assert!(
        error.to_string().contains("larger than the 1 MiB"),
        "{error}"
    );
    let whole = adkeep_app::desktop::updates::download_capped(&update, 4 * 1024 * 1024)
        .await
        .expect("under the cap, it verifies");
    assert_eq!(whole.len(), 2 * 1024 * 1024);
}
