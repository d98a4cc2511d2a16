//! Launch at login: the setting registers or unregisters Adkeep with the OS
//! (a `.desktop` file in the XDG autostart folder on Linux, a Launch Agent on
//! macOS, the `Run` key on Windows). Started that way, Adkeep opens hidden in
//! the tray.
//!
//! Written here rather than through the autostart plugin: its entries carry
//! the program's path unquoted (a path with a space starts nothing, or on
//! Windows the wrong program) and are only checked for presence, so a moved
//! program kept an entry pointing at the old place. Here each entry quotes
//! the path by its format's rules (`entry`), is written atomically, and is
//! rewritten at every start while the setting is on, so it follows the
//! program wherever it moves.

mod entry;
mod register;

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};

use adkeep_core::{Error, Result};

pub use entry::{desktop_entry, exec_argument, launch_agent, run_value};

/// The argument the OS passes when it starts Adkeep at login.
pub const HIDDEN: &str = "--hidden";

/// The entry's name (and the file's, which earlier versions also used).
const NAME: &str = "Adkeep";

/// The program launch at login starts (this one, or the AppImage holding it).
pub struct LaunchAtLogin {
    program: PathBuf,
}

/// Sets up launch at login for this program. Without it (tests on the mock
/// runtime) the setting registers nothing.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("adkeep-launch-at-login")
        .setup(|app, _api| {
            let program = match app.env().appimage {
                Some(appimage) => PathBuf::from(appimage),
                None => register::this_program()?,
            };
            app.manage(LaunchAtLogin { program });
            Ok(())
        })
        .build()
}

/// Registers (or unregisters) Adkeep to start at login. While it is on, the
/// entry is rewritten when it no longer starts this program where it is.
pub fn apply<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<()> {
    let Some(launch) = app.try_state::<LaunchAtLogin>() else {
        return Ok(());
    };
    let result = if enabled {
        register::register(NAME, &launch.program, &[HIDDEN])
    } else {
        register::unregister(NAME)
    };
    result.map_err(|e| Error::Settings(format!("Launch at login could not be changed: {e}")))
}

/// Whether this process was started at login (it then stays in the tray).
pub fn started_hidden(args: &[String]) -> bool {
    args.iter().skip(1).any(|a| a == HIDDEN)
}
