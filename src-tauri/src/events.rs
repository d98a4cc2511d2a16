//! `Events` for the window: Tauri events to the main window only.

use tauri::{AppHandle, Emitter, Runtime};

use crate::backend::Events;
use crate::views::{RefreshStatus, WindowAccounts};

pub const MAIN: &str = "main";
pub const ACCOUNTS_CHANGED: &str = "accounts-changed";
pub const REFRESH_PROGRESS: &str = "refresh-progress";
pub const STATE_CHANGED: &str = "state-changed";
/// A login started from the tray ended (the window shows the outcome).
pub const LOGIN_OUTCOME: &str = "login-outcome";
/// The person clicked the notification of what got worse: show those changes.
pub const OPEN_WORSE: &str = "open-worse";

/// Every event the window listens to, by the name `ui/js/contract.js` gives
/// it (generated from this list by `tests/contract.rs`).
pub const ALL: [(&str, &str); 5] = [
    ("ACCOUNTS_CHANGED", ACCOUNTS_CHANGED),
    ("REFRESH_PROGRESS", REFRESH_PROGRESS),
    ("STATE_CHANGED", STATE_CHANGED),
    ("LOGIN_OUTCOME", LOGIN_OUTCOME),
    ("OPEN_WORSE", OPEN_WORSE),
];

pub struct WindowEvents<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> WindowEvents<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> Events for WindowEvents<R> {
    fn accounts_changed(&self, accounts: WindowAccounts) {
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
        log_notification(title, body);
        if let Err(e) = self
            .app
            .notification()
            .builder()
            .title(title)
            .body(as_text(body))
            .show()
        {
            tracing::warn!("could not show a notification: {e}");
        }
    }

    #[cfg(target_os = "linux")]
    fn notify_worse(&self, title: &str, body: &str) {
        log_notification(title, body);
        let shown = notify_rust::Notification::new()
            .appname("Adkeep")
            .summary(title)
            .body(&as_text(body))
            .action("default", "Show what changed")
            .show();
        let handle = match shown {
            Ok(handle) => handle,
            Err(e) => return tracing::warn!("could not show a notification: {e}"),
        };
        let app = self.app.clone();
        // Waiting for the click blocks until the notification is clicked or
        // closed (the service closes it after its timeout).
        let waiting = std::thread::Builder::new()
            .name("notification-click".into())
            .spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        open_worse(&app);
                    }
                });
            });
        if let Err(e) = waiting {
            tracing::warn!("could not wait for the notification's click: {e}");
        }
    }
}

/// Kept in the log too: a desktop without a notification service still has
/// a record of what Adkeep told.
fn log_notification(title: &str, body: &str) {
    tracing::info!(%title, body = %body.replace('\n', " / "), "notification");
}

/// Account names come from Meta: a Linux notification service reads the body
/// as markup (`<b>`, `<a href>`), so it is escaped to stay text.
fn as_text(body: &str) -> String {
    if cfg!(target_os = "linux") {
        body.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        body.to_owned()
    }
}

/// Shows the window on the changes that got worse.
pub fn open_worse<R: Runtime>(app: &AppHandle<R>) {
    crate::tray::show_main_window(app);
    let _ = app.emit_to(MAIN, OPEN_WORSE, ());
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn remote_names_stay_text_in_a_notification() {
        assert_eq!(
            super::as_text("<a href=\"x\">Shop</a> & co"),
            "&lt;a href=\"x\"&gt;Shop&lt;/a&gt; &amp; co"
        );
    }
}
