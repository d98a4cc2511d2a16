//! The waits a person should hear about: while a refresh holds back for
//! Meta's access limit or waits to try again after Meta did not answer, the
//! window and the terminal say why and until when. Each wait is on the board
//! while it lasts (a guard takes it off); watchers hear of every change.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::watch;

use crate::problem::Reason;

/// Waits shorter than this pass unannounced (spacing between requests).
pub const NOTABLE: Duration = Duration::from_secs(2);

/// What a refresh waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitFor {
    /// Meta's access limit: reached, or nearly used up (Adkeep slows down).
    AccessLimit,
    /// Meta did not answer or failed for a moment: the next try.
    NextTry,
}

impl WaitFor {
    /// The wait before retrying after a failure for `reason`.
    pub fn after(reason: Reason) -> Self {
        if reason == Reason::RateLimited {
            Self::AccessLimit
        } else {
            Self::NextTry
        }
    }
}

impl WaitFor {
    /// What is waited for, for a person ("…, waiting until 10:42").
    pub fn words(self) -> &'static str {
        match self {
            Self::AccessLimit => "Meta's access limit was reached",
            Self::NextTry => "Meta did not answer",
        }
    }
}

/// One wait: why, and when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Wait {
    pub until: DateTime<Utc>,
    pub reason: WaitFor,
}

impl Wait {
    /// A wait of `length` from now (`None` when it is too short to mention).
    pub fn lasting(length: Duration, reason: WaitFor) -> Option<Self> {
        if length < NOTABLE {
            return None;
        }
        let until = chrono::Duration::from_std(length)
            .ok()
            .and_then(|d| Utc::now().checked_add_signed(d))?;
        Some(Self { until, reason })
    }
}

/// The waits going on now, in one engine.
pub struct Waits {
    board: Mutex<Vec<(u64, Wait)>>,
    next: AtomicU64,
    changes: watch::Sender<u64>,
}

impl Default for Waits {
    fn default() -> Self {
        Self {
            board: Mutex::default(),
            next: AtomicU64::new(0),
            changes: watch::channel(0).0,
        }
    }
}

impl Waits {
    fn board(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Wait)>> {
        self.board.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The wait that ends last (the one the whole refresh waits for).
    pub fn current(&self) -> Option<Wait> {
        self.board().iter().map(|(_, w)| *w).max_by_key(|w| w.until)
    }

    /// Puts a wait on the board until the guard is dropped.
    pub fn begin(&self, wait: Option<Wait>) -> Option<WaitGuard<'_>> {
        let wait = wait?;
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        self.board().push((key, wait));
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
        Some(WaitGuard { waits: self, key })
    }

    /// Hears of every wait that begins or ends.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }
}

/// Takes its wait off the board when the wait is over (or abandoned).
pub struct WaitGuard<'a> {
    waits: &'a Waits,
    key: u64,
}

impl Drop for WaitGuard<'_> {
    fn drop(&mut self) {
        self.waits.board().retain(|(k, _)| *k != self.key);
        self.waits.changes.send_modify(|n| *n = n.wrapping_add(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_waits_pass_unannounced() {
        assert_eq!(
            Wait::lasting(Duration::from_millis(1_500), WaitFor::NextTry),
            None
        );
        assert!(Wait::lasting(Duration::from_secs(3), WaitFor::NextTry).is_some());
    }

    #[test]
    fn the_board_shows_the_wait_that_ends_last_while_it_lasts() {
        let waits = Waits::default();
        let mut heard = waits.subscribe();
        let short = waits.begin(Wait::lasting(Duration::from_secs(5), WaitFor::NextTry));
        let long = waits.begin(Wait::lasting(Duration::from_secs(60), WaitFor::AccessLimit));
        assert!(heard.has_changed().unwrap());
        heard.mark_unchanged();
        assert_eq!(
            waits.current().map(|w| w.reason),
            Some(WaitFor::AccessLimit)
        );
        drop(long);
        assert!(heard.has_changed().unwrap(), "its end is heard");
        assert_eq!(waits.current().map(|w| w.reason), Some(WaitFor::NextTry));
        drop(short);
        assert_eq!(waits.current(), None);
    }

    #[test]
    fn an_absurd_length_is_not_a_wait() {
        assert_eq!(Wait::lasting(Duration::MAX, WaitFor::AccessLimit), None);
    }
}
