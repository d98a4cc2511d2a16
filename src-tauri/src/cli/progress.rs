//! What a refresh waits for, told on a terminal: when a wait begins (Meta's
//! access limit, the next try after Meta did not answer) one line on stderr
//! says why and until when. Nothing is said when stderr is not a terminal
//! (a cron job or a pipe reads the exit code and the output instead).

use std::sync::Mutex;

use adkeep_core::model::Account;
use adkeep_core::refresh::waits::Wait;

use super::terminal::warn;
use crate::backend::{Events, RefreshStatus};

/// Events for a command run by a person at a terminal.
#[derive(Default)]
pub struct Terminal {
    /// The wait last told, so each is told once.
    told: Mutex<Option<Wait>>,
}

impl Terminal {
    /// The line for a wait that began, unless it was already told.
    fn news(&self, waiting: Option<Wait>) -> Option<String> {
        let mut told = self.told.lock().unwrap_or_else(|p| p.into_inner());
        if waiting == *told {
            return None;
        }
        *told = waiting;
        let wait = waiting?;
        let until = wait.until.with_timezone(&chrono::Local).format("%H:%M");
        Some(format!(
            "{}: waiting until {until} (Ctrl+C stops; the accounts read so far are kept)",
            wait.reason.words()
        ))
    }
}

impl Events for Terminal {
    fn accounts_changed(&self, _accounts: &[Account]) {}

    fn progress(&self, status: &RefreshStatus) {
        if let Some(line) = self.news(status.waiting) {
            warn(&line);
        }
    }

    fn state_changed(&self) {}
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use adkeep_core::refresh::waits::WaitFor;

    use super::*;

    #[test]
    fn each_wait_is_told_once() {
        let terminal = Terminal::default();
        let wait = Wait::lasting(Duration::from_secs(420), WaitFor::AccessLimit);
        let line = terminal.news(wait).expect("told");
        assert!(line.starts_with("Meta's access limit was reached: waiting until "));
        assert_eq!(terminal.news(wait), None, "not again");
        assert_eq!(terminal.news(None), None, "its end is not news");
        assert!(terminal.news(wait).is_some(), "a new wait is");
    }
}
