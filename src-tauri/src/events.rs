//! `Events` for the window: Tauri events to the main window only.

use tauri::{AppHandle, Emitter, Runtime};

use crate::backend::Events;
use crate::views::{AccountView, RefreshStatus};

pub const MAIN: &str = "main";
pub const ACCOUNTS_CHANGED: &str = "accounts-changed";
pub const REFRESH_PROGRESS: &str = "refresh-progress";
pub const STATE_CHANGED: &str = "state-changed";
/// A login started from the tray ended (the window shows the outcome).
pub const LOGIN_OUTCOME: &str = "login-outcome";

pub struct WindowEvents<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> WindowEvents<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> Events for WindowEvents<R> {
    fn accounts_changed(&self, accounts: Vec<AccountView>) {
        if let Err(e) = self.app.emit_to(MAIN, ACCOUNTS_CHANGED, accounts) {
            tracing::debug!("no window to update: {e}");
        }
    }

    fn progress(&self, status: &RefreshStatus) {
        let _ = self.app.emit_to(MAIN, REFRESH_PROGRESS, status);
        if !status.running || status.done == 0 {
            crate::tray::update(&self.app);
        }
    }

    fn state_changed(&self) {
        let _ = self.app.emit_to(MAIN, STATE_CHANGED, ());
        crate::tray::update(&self.app);
    }

    fn notify(&self, title: &str, body: &str) {
        use tauri_plugin_notification::NotificationExt;
        // Kept in the log too: a desktop without a notification service
        // still has a record of what Adkeep told.
        tracing::info!(%title, body = %body.replace('\n', " / "), "notification");
        if let Err(e) = self
            .app
            .notification()
            .builder()
            .title(title)
            .body(body)
            .show()
        {
            tracing::warn!("could not show a notification: {e}");
        }
    }
}
