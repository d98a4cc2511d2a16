//! The Graph API client: endpoints, typed calls, checked paging, batch,
//! bounded bodies, wire shapes.

pub mod batch;
pub mod calls;
pub mod client;
pub mod endpoints;
pub mod error;
pub mod fields;
pub mod ids;
pub mod links;
pub mod page;
pub mod paging;
pub mod transport;
pub mod usage;
pub mod wire;
pub mod wire_money;

pub use batch::{BatchOutcome, MAX_BATCH};
pub use calls::Call;
pub use client::{GraphClient, Reply};
pub use endpoints::Endpoints;
pub use error::{FailureKind, GraphError};
pub use ids::AccountId;
pub use page::Page;
pub use usage::Usage;
