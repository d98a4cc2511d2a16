//! `Events` for the window: Tauri events to the main window only, the tray
//! kept up to date, and OS notifications.

use tauri::{AppHandle, Emitter, Manager, Runtime};

use std::sync::Arc;

use adkeep_core::model::Account;

use super::contract::{ACCOUNTS_CHANGED, MAIN, REFRESH_PROGRESS, STATE_CHANGED};
use super::{notify, tray};
use crate::backend::{Backend, Events, RefreshStatus};
use crate::views::Present;

pub struct WindowEvents<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> WindowEvents<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> Events for WindowEvents<R> {
    fn accounts_changed(&self, accounts: &[Account]) {
        let Some(backend) = self.app.try_state::<Arc<Backend>>() else {
            return;
        };
        let rows = backend.window_accounts(accounts);
        if let Err(e) = self.app.emit_to(MAIN, ACCOUNTS_CHANGED, rows) {
            tracing::debug!("no window to update: {e}");
        }
    }

    fn progress(&self, status: &RefreshStatus) {
        let _ = self.app.emit_to(MAIN, REFRESH_PROGRESS, status);
        if !status.running || status.done == 0 {
            tray::update(&self.app);
        }
    }

    fn state_changed(&self) {
        let _ = self.app.emit_to(MAIN, STATE_CHANGED, ());
        tray::update(&self.app);
    }

    fn notify(&self, title: &str, body: &str) {
        notify::show(&self.app, title, body);
    }

    fn notify_worse(&self, title: &str, body: &str) {
        notify::show_worse(&self.app, title, body);
    }
}
