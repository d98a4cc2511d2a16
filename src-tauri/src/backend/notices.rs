//! What the person should be told outside the list: files set aside, saves
//! that failed. One notice per kind of trouble, replaced rather than stacked.

use chrono::Utc;
use serde::Serialize;

use super::{Backend, lock};

/// The notice of a save of the account list that failed.
pub const SAVE_FAILED: &str = "save-failed";
/// The notice of a history write that failed.
pub const HISTORY_FAILED: &str = "history-failed";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: String,
    pub level: NoticeLevel,
    pub text: String,
}

impl Backend {
    pub fn notice(&self, level: NoticeLevel, text: String) {
        let mut notices = lock(&self.notices);
        let id = format!(
            "n{}",
            notices.len() + 1 + usize::try_from(Utc::now().timestamp_subsec_nanos()).unwrap_or(0)
        );
        notices.push(Notice { id, level, text });
    }

    /// One notice per kind of trouble: `id` names the kind, and a notice of
    /// the same kind replaces the one shown rather than stacking under it.
    pub fn notice_as(&self, id: &str, level: NoticeLevel, text: String) {
        let mut notices = lock(&self.notices);
        let notice = Notice {
            id: id.to_owned(),
            level,
            text,
        };
        match notices.iter_mut().find(|n| n.id == id) {
            Some(shown) => *shown = notice,
            None => notices.push(notice),
        }
    }

    /// The trouble of kind `id` is over (a later save worked).
    pub fn clear_notice(&self, id: &str) {
        let mut notices = lock(&self.notices);
        let before = notices.len();
        notices.retain(|n| n.id != id);
        if notices.len() != before {
            drop(notices);
            self.events.state_changed();
        }
    }

    /// What failed to be kept in this run (the account list, the history),
    /// in words: a command that ran into it exits non-zero.
    pub fn troubles(&self) -> Vec<String> {
        lock(&self.notices)
            .iter()
            .filter(|n| n.id == SAVE_FAILED || n.id == HISTORY_FAILED)
            .map(|n| n.text.clone())
            .collect()
    }

    /// What the person should be told (files set aside, saves that failed).
    pub fn notices(&self) -> Vec<Notice> {
        lock(&self.notices).clone()
    }

    pub fn dismiss_notice(&self, id: &str) {
        lock(&self.notices).retain(|n| n.id != id);
        self.events.state_changed();
    }
}
