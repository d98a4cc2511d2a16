//! What Adkeep asks Meta for and how the answers become the model: every
//! endpoint typed by its wire shape (`calls`, `fields`), and the decoders
//! from those shapes to accounts, datasets, money and ads (`wire`,
//! `wire_money`, `wire_ads`).
//! Sits above the HTTP layer (`graph`), which knows nothing of ad accounts.

pub mod calls;
pub mod fields;
pub mod text;
pub mod wire;
pub mod wire_ads;
pub mod wire_money;
