//! Launch at login, through the official autostart plugin: the setting
//! registers or unregisters Adkeep with the OS (a `.desktop` file in
//! `~/.config/autostart` on Linux, a Launch Agent on macOS, the `Run` key on
//! Windows). Started that way, Adkeep opens hidden in the tray.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;

use adkeep_core::{Error, Result};

/// The argument the OS passes when it starts Adkeep at login.
pub const HIDDEN: &str = "--hidden";

/// The plugin, set up to start Adkeep hidden.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_autostart::Builder::new()
        .app_name("Adkeep")
        .args([HIDDEN])
        .build()
}

/// Registers (or unregisters) Adkeep to start at login. Without the plugin
/// (tests on the mock runtime) there is nothing to do.
pub fn apply<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<()> {
    let Some(manager) = app.try_state::<AutoLaunchManager>() else {
        return Ok(());
    };
    let already = manager.is_enabled().unwrap_or(false);
    let result = match (enabled, already) {
        (true, false) => {
            prepare_folder();
            manager.enable()
        }
        (false, true) => manager.disable(),
        _ => Ok(()),
    };
    result.map_err(|e| Error::Settings(format!("Launch at login could not be changed: {e}")))
}

/// Whether this process was started at login (it then stays in the tray).
pub fn started_hidden(args: &[String]) -> bool {
    args.iter().skip(1).any(|a| a == HIDDEN)
}

/// The plugin creates `~/.config/autostart` but not `~/.config` (a new
/// account may have neither).
fn prepare_folder() {
    #[cfg(target_os = "linux")]
    if let Some(home) = dirs::home_dir() {
        let _ = std::fs::create_dir_all(home.join(".config").join("autostart"));
    }
}
