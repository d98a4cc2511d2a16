//! Keeping the account book on disk: loaded per mode, saved after every run
//! (and now and then during a long one), merged with what other Adkeep
//! processes saved in the meantime.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use adkeep_core::book::AccountBook;
use adkeep_core::{Error, Result};

use super::{ActiveMode, Backend, NoticeLevel, lock};
use crate::store::{BookKind, Read};

/// Saves during a long refresh at most this often.
const SAVE_EVERY: Duration = Duration::from_millis(1500);

impl Backend {
    pub(super) fn book_kind(mode: ActiveMode) -> BookKind {
        if mode == ActiveMode::Sandbox {
            BookKind::Sandbox
        } else {
            BookKind::Meta
        }
    }

    pub(super) fn load_book(&self, mode: ActiveMode) -> Result<()> {
        let book = match self.disk.load(Self::book_kind(mode))? {
            Read::Ok(book) => book,
            Read::Missing => AccountBook::new(),
            Read::SetAside { path, reason } => {
                self.notice(
                    NoticeLevel::Warning,
                    format!(
                        "Your saved account list could not be read ({reason}). It was moved to {} and Adkeep starts fresh: refresh to load your accounts again.",
                        path.display()
                    ),
                );
                AccountBook::new()
            }
        };
        self.session.replace(book);
        Ok(())
    }

    /// Saves the account book now (merged with another process's save).
    pub fn persist_now(&self) {
        match self.disk.save(Self::book_kind(self.mode()), &self.session) {
            Ok(()) => self.clear_notice(super::notices::SAVE_FAILED),
            Err(e) => {
                tracing::error!("saving the account list: {e}");
                self.notice_as(
                    super::notices::SAVE_FAILED,
                    NoticeLevel::Error,
                    format!(
                        "Adkeep could not save your account list in {}: {e}. The list saved before is kept; this one is saved again with the next refresh.",
                        self.data_dir().display()
                    ),
                );
                self.events.state_changed();
            }
        }
        *lock(&self.refreshing.last_save) = Some(Instant::now());
    }

    /// Saves if the last save was a while ago (during long refreshes), on a
    /// blocking thread: writing thousands of rows must not hold up the run
    /// that is reading them. One such save at a time; the save at the end of
    /// the run comes after it (`Disk::save` is serialised).
    pub(super) fn persist_soon(self: &Arc<Self>) {
        let due = {
            let mut last = lock(&self.refreshing.last_save);
            let due = last.is_none_or(|t| t.elapsed() >= SAVE_EVERY);
            if due {
                *last = Some(Instant::now());
            }
            due
        };
        if !due || self.refreshing.saving.swap(true, Ordering::SeqCst) {
            return;
        }
        let this = self.clone();
        let save = move || {
            this.persist_now();
            this.refreshing.saving.store(false, Ordering::SeqCst);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(save)),
            Err(_) => save(),
        }
    }

    /// Takes in the saved list (another process just refreshed it).
    pub(super) fn reload_from_disk(&self) -> Result<()> {
        self.disk
            .reload(Self::book_kind(self.mode()), &self.session)
            .map_err(Error::from)
    }

    /// Picks up a list another process saved since this one last did.
    pub(super) fn reload_if_changed(&self) -> Result<()> {
        if self.disk.changed(Self::book_kind(self.mode())) {
            tracing::info!("the account list changed on disk (another Adkeep process); reading it");
            self.reload_from_disk()?;
        }
        Ok(())
    }

    /// Whether Adkeep can keep what it reads: a probe written (and removed)
    /// in the data folder, and the history readable. Each trouble in words.
    pub fn storage_check(&self) -> Vec<String> {
        let mut troubles = Vec::new();
        let probe = self.data_dir().join(".write-probe");
        match adkeep_core::persist::atomic_write(&probe, &[0u8; 64 * 1024]) {
            Ok(()) => {
                let _ = std::fs::remove_file(&probe);
            }
            Err(e) => troubles.push(format!(
                "Adkeep cannot write in {}: {e}. Refreshed data would not be kept.",
                self.data_dir().display()
            )),
        }
        if self.with_history(|h| h.count()).is_none() {
            troubles.push(format!(
                "The history of changes in {} cannot be used.",
                self.data_dir().display()
            ));
        }
        troubles.extend(self.troubles());
        troubles
    }
}
