//! The Graph API client: endpoints, requests, paging, batch, wire shapes.

pub mod client;
pub mod error;
pub mod fields;
pub mod usage;
pub mod wire;

pub use client::{BatchItem, BatchOutcome, Endpoints, GraphClient, Page, Reply};
pub use error::{FailureKind, GraphError};
pub use usage::Usage;
