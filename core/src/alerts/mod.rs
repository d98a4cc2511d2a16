//! Telling the team: destinations and their rules (`destination`), what is
//! worth an alert and when it is over (`detect`, with the words and codes of
//! `words`), one digest per check per destination rendered for Slack, Teams,
//! e-mail and signed webhooks (`render`, each with its own escaping), the
//! outbox in the history database that loses nothing and doubles nothing
//! (`outbox`), and sending (`send`, `deliver`).

pub mod deliver;
pub mod destination;
pub mod detect;
pub mod outbox;
pub mod render;
pub mod send;
pub mod words;

pub use deliver::{Delivered, Outbox, decide, deliver_due, send_test};
pub use destination::{Destination, Rules, SecretField, SecretRef, Target};
pub use detect::{Alert, AlertState, Condition, conditions};
pub use outbox::Kept;
pub use send::{NetSender, Outcome, SecretSource, Sender};
