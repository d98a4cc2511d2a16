//! The HTTP layer to Meta's Graph API: endpoints, typed reads, checked
//! paging, batch, bounded bodies, usage headers and errors. Knows nothing of
//! ad accounts: what to ask and how to read it is `api`.

pub mod batch;
pub mod call;
pub mod client;
pub mod endpoints;
pub mod error;
pub mod ids;
pub mod links;
pub mod lossy;
pub mod page;
pub mod paging;
pub mod transport;
pub mod usage;

pub use batch::{BatchOutcome, MAX_BATCH};
pub use call::Call;
pub use client::{GraphClient, Reply};
pub use endpoints::Endpoints;
pub use error::{FailureKind, GraphError};
pub use ids::AccountId;
pub use page::Page;
pub use usage::Usage;
