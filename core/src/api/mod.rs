//! What Adkeep asks Meta for and how the answers become the model: every
//! endpoint typed by its wire shape (`calls`, `fields`), and the decoders
//! from those shapes to accounts, datasets and money (`wire`, `wire_money`).
//! Sits above the HTTP layer (`graph`), which knows nothing of ad accounts.

pub mod calls;
pub mod fields;
pub mod text;
pub mod wire;
pub mod wire_money;
