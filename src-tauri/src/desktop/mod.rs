//! The window front end: the app's setup (stores, keychain, backend, tray,
//! window), the main window, the tray, OS notifications, launch at login,
//! updates and the Facebook login window. The IPC commands are `commands`.

pub mod autostart;
pub mod contract;
pub mod events;
pub mod login_window;
mod notify;
pub mod tray;
pub mod updates;
pub mod window;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{Manager, RunEvent, Runtime};

use crate::backend::Backend;
use crate::secrets::Vault;
use crate::store::PluginStores;
use events::WindowEvents;

type SetupResult = Result<(), Box<dyn std::error::Error>>;

/// Sets the app up: the data folder and its log, the backend over the
/// plugin's stores and the keychain, start-up work, the tray and the window.
pub fn setup<R: Runtime>(
    app: &mut tauri::App<R>,
    data_dir: Option<PathBuf>,
    with_tray: bool,
) -> SetupResult {
    let data_dir = match data_dir {
        Some(dir) => dir,
        None => adkeep_core::config::data_dir()?,
    };
    adkeep_core::persist::create_private_dir(&data_dir)?;
    if let Some(guard) = crate::logging::init_app(&data_dir) {
        app.manage(guard);
    }
    tracing::info!(data = %data_dir.display(), "Adkeep starting");
    let opening = std::time::Instant::now();
    let stores = Arc::new(PluginStores::new(app.handle().clone(), data_dir.clone()));
    let vault = Vault::new(adkeep_core::config::keychain_service(&data_dir), data_dir);
    let events = Arc::new(WindowEvents::new(app.handle().clone()));
    let backend = Backend::open(stores.clone(), vault, events)?;
    tracing::info!(
        accounts = backend.session().book().len(),
        ms = opening.elapsed().as_millis(),
        "account list loaded"
    );
    start(app.handle(), &backend);
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
    window::open_main_window(app, hidden)?;
    Ok(())
}

/// Start-up work beside the window: tokens and a stale list, the scheduled
/// checks, and launch at login as the settings say.
fn start<R: Runtime>(app: &tauri::AppHandle<R>, backend: &Arc<Backend>) {
    tauri::async_runtime::spawn(backend.clone().warm_up());
    tauri::async_runtime::spawn(backend.clone().run_schedule());
    tauri::async_runtime::spawn(backend.clone().run_alert_retries());
    if let Err(e) = autostart::apply(app, backend.settings().launch_at_login) {
        tracing::warn!("{e}");
    }
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
        window::show_main_window(app);
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
