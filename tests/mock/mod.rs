//! The app on Tauri's mock runtime, for tests that call its commands through
//! the real IPC and ACL (shared by the tests that need it).

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// Builds the app from `builder` with its data in `data`, and runs one
/// iteration so its setup (state, configured windows) has happened.
pub fn started(
    builder: tauri::Builder<MockRuntime>,
    data: &std::path::Path,
) -> tauri::App<MockRuntime> {
    let mut app = adkeep_app::build_app(builder, Some(data.to_path_buf()))
        .build(tauri::generate_context!())
        .expect("the app builds");
    #[allow(deprecated)] // the supported way to run setup without blocking in a test
    app.run_iteration(|_, _| {});
    app
}

/// The app's own window (the mock runtime creates configured windows only
/// when the app runs).
pub fn main_window(app: &tauri::App<MockRuntime>) -> WebviewWindow<MockRuntime> {
    app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(app, "main", WebviewUrl::default())
            .build()
            .expect("main window")
    })
}

/// Calls `command` from the main window's own origin: its value, or the
/// error it rejected with.
pub fn invoke(
    window: &WebviewWindow<MockRuntime>,
    command: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let request = InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|r| r.deserialize().unwrap())
}
