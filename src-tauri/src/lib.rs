//! Adkeep's desktop app: front ends over one backend, each in its own
//! folder. `lib.rs` only composes the window's app (plugins, setup,
//! commands) and says which front end a command line asks for.
//!
//! From the top down (each may use the ones below it, never above):
//! - front ends: `desktop` (the window, tray, notifications, updates),
//!   `commands` (the window's IPC), `cli` (the terminal), `watch` (headless)
//! - `views`: what the front ends show, built from the backend's state
//! - `backend`: orchestration, free of Tauri and of view types
//! - `store` (settings and the account book on disk) and `secrets` (the
//!   keychain), `logging`
//! - `adkeep_core`: no Tauri at all

pub mod backend;
pub mod cli;
pub mod commands;
pub mod desktop;
pub mod logging;
pub mod secrets;
pub mod store;
pub mod views;
pub mod watch;

use std::path::PathBuf;

use tauri::Runtime;

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
        .setup(move |app| desktop::setup(app, data_dir, with_tray))
        .on_page_load(desktop::window::on_page_load)
        .on_window_event(desktop::window::on_window_event)
        .invoke_handler(commands::handler())
}

/// Runs the desktop app.
pub fn run() {
    // A second launch focuses the first window (the CLI never gets here).
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            desktop::window::show_main_window(app)
        }))
        .plugin(desktop::autostart::plugin());
    let builder = desktop::updates::register(builder);
    let app = build_app_with(builder, None, true).build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(desktop::on_run_event),
        Err(e) => {
            eprintln!("Adkeep could not start: {e}");
            std::process::exit(1);
        }
    }
}

/// Whether the arguments ask for the window: none at all, `gui`, the start
/// at login (`--hidden`), or the process serial number macOS adds when an
/// app is opened from Finder. Anything else is a command.
pub fn wants_window(args: &[String]) -> bool {
    match args.get(1).map(String::as_str) {
        None | Some("gui") => true,
        // Started at login: the window, hidden in the tray.
        Some(desktop::autostart::HIDDEN) => args.len() == 2,
        Some(arg) => arg.starts_with("-psn_"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_no_arguments_or_gui_open_the_window() {
        assert!(wants_window(&args(&["adkeep"])));
        assert!(wants_window(&args(&["adkeep", "gui"])));
        assert!(wants_window(&args(&["adkeep", "-psn_0_12345"])));
        assert!(wants_window(&args(&["adkeep", "--hidden"])));
        assert!(!wants_window(&args(&["adkeep", "--hidden", "refresh"])));
        for typo in [
            vec!["adkeep", "acounts"],
            vec!["adkeep", "--json", "accounts"],
            vec!["adkeep", "--frobnicate"],
            vec!["adkeep", ""],
        ] {
            assert!(!wants_window(&args(&typo)), "{typo:?}");
        }
    }
}
