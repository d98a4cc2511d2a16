//! The window's side of the contract, in one place: its label, the tray's
//! id and every
//! event it listens to (`ui/js/contract.js` is generated from `ALL` by
//! `tests/contract.rs`).

/// The main window's label (`tauri.conf.json`).
pub const MAIN: &str = "main";
/// The tray icon's id.
pub const TRAY_ID: &str = "adkeep";
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
