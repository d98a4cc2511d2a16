//! Where secrets live: tokens and the app secret in the OS keychain (or, by
//! choice, a 0600 file), and how each is held (`Custody`).

mod vault;

pub use vault::{Custody, EntryFactory, KeychainError, Vault};
