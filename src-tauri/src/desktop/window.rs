//! The main window: opened once the account list is loaded, brought back
//! from the tray, hidden instead of closed with close-to-tray on.

use std::sync::Arc;

use tauri::{AppHandle, Manager, Runtime};

use super::contract::{MAIN, TRAY_ID};
use crate::backend::Backend;

/// Opens the window (`tauri.conf.json` describes it, `create: false`) once
/// the account list is loaded. Opened before, as Tauri would, its first draw
/// waits in WebKitGTK (up to half a second) for a page that the main thread,
/// busy loading thousands of accounts, has not let start.
pub fn open_main_window<R: Runtime>(app: &tauri::App<R>, hidden: bool) -> tauri::Result<()> {
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN) else {
        return Ok(());
    };
    tauri::WebviewWindowBuilder::from_config(app.handle(), config)?
        .visible(!hidden)
        .build()?;
    Ok(())
}

/// Shows, unminimizes and focuses the main window.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Close-to-tray: closing the window hides it (Quit is in the tray).
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    if let tauri::WindowEvent::CloseRequested { api, .. } = event
        && window.label() == MAIN
        && window
            .app_handle()
            .try_state::<Arc<Backend>>()
            .is_some_and(|b| b.settings().close_to_tray)
        && window.app_handle().tray_by_id(TRAY_ID).is_some()
    {
        api.prevent_close();
        let _ = window.hide();
    }
}

/// With the setup steps' times, says when the page began and ended loading
/// (start-up at thousands of accounts is measured by these).
pub fn on_page_load<R: Runtime>(
    webview: &tauri::Webview<R>,
    payload: &tauri::webview::PageLoadPayload<'_>,
) {
    tracing::info!(
        window = webview.label(),
        event = ?payload.event(),
        "page load"
    );
}
