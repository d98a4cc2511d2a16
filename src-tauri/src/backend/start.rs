//! Start-up: work that competes with the window's first paint waits for the
//! window's first read of the state; then the logins' tokens are found and a
//! stale list is refreshed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::Notify;

use adkeep_core::{Error, config};

use super::{ActiveMode, Backend};

/// A list older than this is refreshed when Adkeep starts.
const STALE_AFTER: Duration = Duration::from_secs(15 * 60);

/// How long start-up work waits for the window's first read (a start in the
/// tray, with no window, waits this long).
const WINDOW_FIRST: Duration = Duration::from_secs(3);

/// Whether the window has read the state yet.
#[derive(Default)]
pub(super) struct FirstRead {
    read: Notify,
    done: AtomicBool,
}

impl Backend {
    /// The window read the state: start-up work may begin.
    pub fn window_has_read(&self) {
        self.first_read.done.store(true, Ordering::SeqCst);
        self.first_read.read.notify_waiters();
    }

    /// Returns once the window has read the state (or after a few seconds,
    /// for a start in the tray with no window): start-up work that competes
    /// with the window's first paint waits for this.
    pub async fn after_first_read(&self) {
        let read = async {
            loop {
                // Created before the check, so a read in between still wakes it.
                let woken = self.first_read.read.notified();
                if self.first_read.done.load(Ordering::SeqCst) {
                    return;
                }
                woken.await;
            }
        };
        let _ = tokio::time::timeout(WINDOW_FIRST, read).await;
    }

    /// After start-up, off the window's path: finds the logins' tokens (the
    /// keychain can be slow) and refreshes the list if it is stale, so the
    /// window (or the tray, with no window) shows current data unasked.
    pub async fn warm_up(self: Arc<Self>) {
        if self.mode() == ActiveMode::Unconfigured && !config::has_env_tokens() {
            return;
        }
        // The window's first paint comes first: with thousands of accounts,
        // checking tokens and the tray's summary beside it slow it down.
        self.after_first_read().await;
        let connected = self.connection().await;
        self.events.state_changed();
        match connected {
            Ok(_) => {}
            Err(Error::NotConnected) => return,
            Err(e) => {
                tracing::warn!("no connection at start: {e}");
                return;
            }
        }
        let stale = self.session.book().last_full_refresh.is_none_or(|t| {
            Utc::now() - t > chrono::Duration::from_std(STALE_AFTER).unwrap_or_default()
        });
        if stale && let Err(e) = self.refresh_all().await {
            tracing::warn!("refresh at start: {e}");
        }
    }
}
