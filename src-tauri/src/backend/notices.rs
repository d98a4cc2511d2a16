//! What the person should be told outside the list: files set aside, saves
//! that failed. One notice per kind of trouble, replaced rather than stacked.

use chrono::Utc;
use serde::Serialize;

use super::{Backend, lock};

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

    /// What the person should be told (files set aside, saves that failed).
    pub fn notices(&self) -> Vec<Notice> {
        lock(&self.notices).clone()
    }

    pub fn dismiss_notice(&self, id: &str) {
        lock(&self.notices).retain(|n| n.id != id);
        self.events.state_changed();
    }
}
