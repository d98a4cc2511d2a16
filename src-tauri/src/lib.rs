//! Adkeep's desktop app. `lib.rs` only composes: plugins, state, commands and
//! the window; each feature lives in its own module. `run_app` takes any
//! runtime so tests can build the app on Tauri's mock runtime.

pub mod autostart;
pub mod backend;
pub mod cli;
pub mod cli_logins;
pub mod commands;
pub mod doctor;
pub mod events;
pub mod export;
pub mod links;
pub mod logging;
pub mod login;
pub mod plugin_stores;
pub mod stores;
pub mod terminal;
pub mod tray;
pub mod updates;
pub mod vault;
pub mod views;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{Manager, RunEvent, Runtime};

use crate::backend::Backend;
use crate::events::WindowEvents;
use crate::plugin_stores::PluginStores;
use crate::vault::Vault;

/// Builds the app on `builder` (the real runtime, or the mock one in tests).
/// `data_dir` overrides `ADKEEP_DATA_DIR` and the OS app-data folder.
pub fn build_app<R: Runtime>(
    builder: tauri::Builder<R>,
    data_dir: Option<PathBuf>,
) -> tauri::Builder<R> {
    build_app_with(builder, data_dir, false)
}

/// `with_tray`: the system tray (the real desktop only).
fn build_app_with<R: Runtime>(
    builder: tauri::Builder<R>,
    data_dir: Option<PathBuf>,
    with_tray: bool,
) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            let data_dir = match data_dir {
                Some(dir) => dir,
                None => adkeep_core::config::data_dir()
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)?,
            };
            adkeep_core::persist::create_private_dir(&data_dir)?;
            if let Some(guard) = logging::init_app(&data_dir) {
                app.manage(guard);
            }
            tracing::info!(data = %data_dir.display(), "Adkeep starting");
            let stores = Arc::new(PluginStores::new(app.handle().clone(), data_dir.clone()));
            let vault = Vault::new(adkeep_core::config::keychain_service(&data_dir), data_dir);
            let events = Arc::new(WindowEvents::new(app.handle().clone()));
            let opening = std::time::Instant::now();
            let backend = Backend::open(stores.clone(), vault, events)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)?;
            tracing::info!(
                accounts = backend.session().book().len(),
                ms = opening.elapsed().as_millis(),
                "account list loaded"
            );
            tauri::async_runtime::spawn(backend.clone().warm_up());
            tauri::async_runtime::spawn(backend.clone().run_schedule());
            if let Err(e) = autostart::apply(app.handle(), backend.settings().launch_at_login) {
                tracing::warn!("{e}");
            }
            tracing::info!(
                ms = opening.elapsed().as_millis(),
                "launch at login applied"
            );
            app.manage(backend);
            app.manage(stores);
            app.manage(updates::PendingUpdate::default());
            let mut hidden = false;
            if with_tray {
                tray::create(app.handle());
                tracing::info!(ms = opening.elapsed().as_millis(), "tray created");
                // Started at login: the tray watches; the window waits to be opened.
                hidden = autostart::started_hidden(&std::env::args().collect::<Vec<_>>());
            }
            open_main_window(app, hidden)?;
            Ok(())
        })
        // With the setup steps' times, says when the page began and ended
        // loading (start-up at thousands of accounts is measured by these).
        .on_page_load(|webview, payload| {
            tracing::info!(
                window = webview.label(),
                event = ?payload.event(),
                "page load"
            );
        })
        .on_window_event(|window, event| {
            // Close-to-tray: closing the window hides it; Quit is in the tray.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.label() == events::MAIN
                && window
                    .app_handle()
                    .try_state::<Arc<Backend>>()
                    .is_some_and(|b| b.settings().close_to_tray)
                && window.app_handle().tray_by_id(tray::TRAY_ID).is_some()
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_state,
            commands::account_view,
            commands::refresh_account,
            commands::refresh_selected,
            commands::refresh_all,
            commands::set_aside,
            commands::restore_attention,
            commands::cancel_refresh,
            commands::enter_sandbox,
            commands::leave_sandbox,
            commands::save_settings,
            commands::dismiss_notice,
            commands::open_link,
            commands::open_account_page,
            commands::reauthenticate,
            commands::add_login,
            commands::confirm_switch_user,
            commands::remove_login,
            commands::rename_login,
            commands::disconnect,
            commands::set_app_secret,
            commands::clear_app_secret,
            commands::allow_plaintext_token,
            commands::changes,
            commands::mark_activity_seen,
            commands::export_csv,
            commands::check_update,
            commands::install_update,
        ])
}

/// Opens the window (`tauri.conf.json` describes it, `create: false`) once
/// the account list is loaded. Opened before, as Tauri would, its first draw
/// waits in WebKitGTK (up to half a second) for a page that the main thread,
/// busy loading thousands of accounts, has not let start.
fn open_main_window<R: Runtime>(app: &tauri::App<R>, hidden: bool) -> tauri::Result<()> {
    let Some(config) = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == events::MAIN)
    else {
        return Ok(());
    };
    tauri::WebviewWindowBuilder::from_config(app.handle(), config)?
        .visible(!hidden)
        .build()?;
    Ok(())
}

/// What the app does as it runs and stops.
pub fn on_run_event<R: Runtime>(app: &tauri::AppHandle<R>, event: RunEvent) {
    // macOS: with the window closed to the tray, a click on the Dock icon
    // brings it back (otherwise the Dock icon would do nothing).
    #[cfg(target_os = "macos")]
    if let RunEvent::Reopen {
        has_visible_windows: false,
        ..
    } = event
    {
        tray::show_main_window(app);
    }
    if let RunEvent::ExitRequested { .. } = event {
        if let Some(backend) = app.try_state::<Arc<Backend>>() {
            backend.cancel_refresh();
            backend.persist_now();
        }
        if let Some(stores) = app.try_state::<Arc<PluginStores<R>>>() {
            stores.close_all();
        }
    }
}

/// Runs the desktop app.
pub fn run() {
    // A second launch focuses the first window (the CLI never gets here).
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main_window(app)
        }))
        .plugin(autostart::plugin());
    let builder = updates::register(builder);
    let app = build_app_with(builder, None, true).build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(on_run_event),
        Err(e) => {
            eprintln!("Adkeep could not start: {e}");
            std::process::exit(1);
        }
    }
}
