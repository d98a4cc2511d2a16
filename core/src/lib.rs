//! Adkeep's core: everything that is not the window. The Graph client, the
//! domain model, error classification, the refresh engine, the rate governor
//! and the account book. No Tauri here: the app, the CLI and the tests all
//! drive the same code, against Meta or against the Graph double.

pub mod ads;
pub mod alerts;
pub mod api;
pub mod attention;
pub mod auth;
pub mod book;
pub mod changes;
pub mod config;
pub mod error;
pub mod fleet;
pub mod forecast;
pub mod governor;
pub mod graph;
pub mod history;
pub mod logins;
pub mod model;
pub mod money;
pub mod persist;
pub mod problem;
pub mod refresh;
pub mod schedule;
pub mod session;
pub mod settings;
pub mod token;

pub use error::{Error, Result};
