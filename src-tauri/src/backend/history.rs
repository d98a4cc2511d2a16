//! The history of changes, as the backend keeps it: opened on first use
//! (one file for the user's accounts, another for the sandbox), written
//! after every refresh with what changed, read by the Activity view and
//! `adkeep changes`. A history that cannot be used is reported once and
//! skipped; refreshes and the account list never depend on it.

use std::sync::Mutex;

use chrono::Utc;

use adkeep_core::book::AccountBook;
use adkeep_core::changes::{self, Change};
use adkeep_core::history::{History, HistoryError, Opened, Query};
use adkeep_core::{Error, Result};

use super::{ActiveMode, Backend, NoticeLevel, lock};

/// The sandbox's history, apart from the user's.
const SANDBOX_FILE: &str = "history-sandbox.sqlite3";

#[derive(Default)]
pub(super) struct HistoryStore {
    db: Mutex<Option<History>>,
    /// Opening failed: not tried again until the mode changes.
    failed: Mutex<bool>,
}

impl HistoryStore {
    /// Closes the history (the mode changed: the other file is used next).
    pub(super) fn close(&self) {
        *lock(&self.db) = None;
        *lock(&self.failed) = false;
    }
}

impl Backend {
    /// Runs `f` on the history, opening it first; `None` when it cannot be used.
    pub(super) fn with_history<T>(
        &self,
        f: impl FnOnce(&mut History) -> std::result::Result<T, HistoryError>,
    ) -> Option<T> {
        let mut db = lock(&self.history.db);
        if db.is_none() {
            if *lock(&self.history.failed) {
                return None;
            }
            *db = self.open_history();
            if db.is_none() {
                *lock(&self.history.failed) = true;
                return None;
            }
        }
        let history = db.as_mut()?;
        match f(history) {
            Ok(value) => Some(value),
            Err(e) => {
                tracing::warn!("history: {e}");
                None
            }
        }
    }

    fn open_history(&self) -> Option<History> {
        let file = if self.mode() == ActiveMode::Sandbox {
            SANDBOX_FILE
        } else {
            adkeep_core::history::FILE
        };
        match History::open_file(self.data_dir(), file) {
            Ok(Opened::Ready(history)) => Some(history),
            Ok(Opened::Restarted {
                history,
                set_aside,
                reason,
            }) => {
                self.notice(
                    NoticeLevel::Warning,
                    format!(
                        "The history of changes could not be read ({reason}). It was moved to {} and a new one started; your accounts are not affected.",
                        set_aside.display()
                    ),
                );
                self.events.state_changed();
                Some(history)
            }
            Err(e) => {
                self.notice(
                    NoticeLevel::Warning,
                    format!("The history of changes is not kept for now: {e}. Your accounts are not affected."),
                );
                self.events.state_changed();
                None
            }
        }
    }

    /// Records what changed since `before` (the book at the start of a
    /// refresh); returns the changes.
    pub(super) fn record_changes(&self, before: &AccountBook) -> Vec<Change> {
        let after = self.session.snapshot();
        let alerts = self.settings().money_alerts;
        let found = changes::between(before, &after, Utc::now(), &alerts);
        if !found.is_empty() {
            match self.with_history(|h| h.record(&found)) {
                Some(()) => self.clear_notice(super::notices::HISTORY_FAILED),
                None => {
                    self.notice_as(
                        super::notices::HISTORY_FAILED,
                        NoticeLevel::Warning,
                        format!(
                            "{} change(s) could not be written to the history in {}. Your accounts are saved; Activity misses these.",
                            found.len(),
                            self.data_dir().display()
                        ),
                    );
                    self.events.state_changed();
                }
            }
        }
        found
    }

    /// Changes, newest first.
    pub fn changes(&self, query: &Query) -> Result<Vec<Change>> {
        self.with_history(|h| h.read(query))
            .ok_or_else(|| Error::Storage("the history of changes is not available".to_owned()))
    }
}
