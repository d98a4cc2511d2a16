//! The system tray: an icon showing overall health (ok, needs attention,
//! problem) with a tooltip, and a menu: a status line, Refresh all (works with
//! the window closed), Reauthenticate, Open Adkeep, Quit. Every tray action is
//! also in the window. The menu calls `perform`, which tests call too.

use std::sync::Arc;

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::contract::{LOGIN_OUTCOME, MAIN, TRAY_ID};
use super::window::show_main_window;
use crate::backend::Backend;
use crate::views::{Level, Present};

const STATUS_ID: &str = "tray-status";

/// What the tray menu can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    RefreshAll,
    Reauthenticate,
    Open,
    Quit,
}

impl TrayAction {
    pub const ALL: [TrayAction; 4] = [
        Self::RefreshAll,
        Self::Reauthenticate,
        Self::Open,
        Self::Quit,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::RefreshAll => "tray-refresh-all",
            Self::Reauthenticate => "tray-reauthenticate",
            Self::Open => "tray-open",
            Self::Quit => "tray-quit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::RefreshAll => "Refresh all",
            Self::Reauthenticate => "Reauthenticate…",
            Self::Open => "Open Adkeep",
            Self::Quit => "Quit Adkeep",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// The status line item, kept to update its text.
struct StatusItem<R: Runtime>(MenuItem<R>);

fn icon(level: Level) -> Option<Image<'static>> {
    let bytes: &'static [u8] = match level {
        Level::Problem => include_bytes!("../../../icons/tray-problem.png"),
        Level::Attention => include_bytes!("../../../icons/tray-attention.png"),
        Level::Ok if cfg!(target_os = "macos") => {
            include_bytes!("../../../icons/tray-template.png")
        }
        Level::Ok => include_bytes!("../../../icons/tray-ok.png"),
    };
    Image::from_bytes(bytes).ok()
}

/// macOS draws a healthy Adkeep as a template glyph (black on clear, tinted
/// for a light or dark menu bar, like the system's); a state that needs the
/// person keeps its colour there too.
fn as_template(level: Level) -> bool {
    cfg!(target_os = "macos") && level == Level::Ok
}

/// Builds the tray. Without a tray host (some Linux desktops) the icon is
/// simply not shown; the app keeps working and says so in the log.
pub fn create<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = try_create(app) {
        tracing::warn!("no system tray ({e}); every tray action is also in the window");
    }
}

fn try_create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let status = MenuItem::with_id(app, STATUS_ID, "Adkeep", false, None::<&str>)?;
    let items: Vec<MenuItem<R>> = TrayAction::ALL
        .iter()
        .map(|a| MenuItem::with_id(app, a.id(), a.label(), true, None::<&str>))
        .collect::<tauri::Result<_>>()?;
    let separator = PredefinedMenuItem::separator(app)?;
    let separator2 = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &separator,
            &items[0],
            &items[1],
            &items[2],
            &separator2,
            &items[3],
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Adkeep")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| {
            if let Some(action) = TrayAction::from_id(event.id.as_ref()) {
                perform(app, action);
            }
        });
    if let Some(image) = icon(Level::Ok) {
        builder = builder.icon(image).icon_as_template(as_template(Level::Ok));
    }
    builder.build(app)?;
    app.manage(StatusItem(status));
    // The status line is a pass over every account (~100 ms at 5,000):
    // after the window's first read, not on the main thread before the
    // window opens.
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(backend) = handle
            .try_state::<Arc<Backend>>()
            .map(|b| b.inner().clone())
        {
            backend.after_first_read().await;
        }
        update(&handle);
    });
    Ok(())
}

/// Brings the icon, tooltip and status line up to date.
pub fn update<R: Runtime>(app: &AppHandle<R>) {
    let Some(backend) = app.try_state::<Arc<Backend>>() else {
        return;
    };
    let overview = backend.overview();
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let _ = tray.set_icon(icon(overview.level));
        let _ = tray.set_icon_as_template(as_template(overview.level));
        let _ = tray.set_tooltip(Some(&overview.tooltip));
    }
    if let Some(item) = app.try_state::<StatusItem<R>>() {
        let _ = item.0.set_text(&overview.status);
    }
}

/// What a tray menu item does (the menu calls this; so do tests).
pub fn perform<R: Runtime>(app: &AppHandle<R>, action: TrayAction) {
    let Some(backend) = app.try_state::<Arc<Backend>>().map(|b| b.inner().clone()) else {
        return;
    };
    match action {
        TrayAction::RefreshAll => {
            let app = app.clone();
            // What got worse is told by the refresh itself (one notification).
            tauri::async_runtime::spawn(async move {
                if let Err(e) = backend.refresh_all().await {
                    tracing::warn!("tray refresh: {e}");
                }
                update(&app);
            });
        }
        TrayAction::Reauthenticate => {
            show_main_window(app);
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let target = backend.login_to_renew();
                let outcome =
                    super::login_window::reauthenticate(&app, &backend, target.as_ref()).await;
                // The window shows the outcome (or asks about a different user).
                let payload = match &outcome {
                    Ok(outcome) => serde_json::to_value(outcome).unwrap_or_default(),
                    Err(e) => serde_json::to_value(e).unwrap_or_default(),
                };
                let _ = app.emit_to(MAIN, LOGIN_OUTCOME, payload);
                update(&app);
            });
        }
        TrayAction::Open => show_main_window(app),
        TrayAction::Quit => app.exit(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_ids_round_trip() {
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::from_id(action.id()), Some(action));
        }
        assert_eq!(TrayAction::from_id(STATUS_ID), None);
    }
}
