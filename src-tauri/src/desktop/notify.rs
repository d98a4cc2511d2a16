//! OS notifications: through the notification plugin, and on Linux the one
//! after a scheduled check through the notification service directly, to
//! learn when it is clicked (the plugin has no click callback).

use tauri::{AppHandle, Emitter, Runtime};

use super::contract::{MAIN, OPEN_WORSE};
use super::window;

/// A notification (only sent when something changes).
pub fn show<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    log_notification(title, body);
    if let Err(e) = app
        .notification()
        .builder()
        .title(title)
        .body(as_text(body))
        .show()
    {
        tracing::warn!("could not show a notification: {e}");
    }
}

/// The notification after a scheduled check: clicking it opens the window
/// on what got worse (Linux; elsewhere it is informational).
#[cfg(not(target_os = "linux"))]
pub fn show_worse<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    show(app, title, body);
}

#[cfg(target_os = "linux")]
pub fn show_worse<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
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
    let app = app.clone();
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

/// Shows the window on the changes that got worse.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn open_worse<R: Runtime>(app: &AppHandle<R>) {
    window::show_main_window(app);
    let _ = app.emit_to(MAIN, OPEN_WORSE, ());
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
