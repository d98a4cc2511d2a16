//! The refresh engine. Reads accounts from Graph and reports each row as it
//! completes; it never touches the cache itself (see `session`).
//!
//! * One account: one batch round trip (the account node with every row field,
//!   plus its last-30-days insights).
//! * All accounts: `/me/adaccounts` page by page through the one paginator
//!   (`pages`), while earlier pages' last-30-days spend is fetched in batches
//!   of up to 50 (`jobs`), with bounded concurrency. Accounts known from the
//!   last run have their spend asked for alongside the listing (see
//!   `rendezvous`). Paging is sequential by nature, so the whole run costs
//!   about pages × round trip.
//! * Failures are classified; passing ones (transient, offline, rate limits)
//!   are retried with jittered backoff (`request` for single reads, `jobs`
//!   for batch items), only for what failed. A token-wide problem stops the
//!   run.
//!
//! Files: `request` (one read, retried), `pages` (the paginator), `listing`
//! (the token-wide listings), `jobs` (batches), `rows` (assembling a row),
//! `run` (refresh-all), `accounts` (refreshing given accounts), `stop`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::time::Duration;

use serde::Serialize;

use crate::governor::Governor;
use crate::graph::client::GraphClient;
use crate::graph::ids::AccountId;
use crate::logins::LoginId;
use crate::model::{Account, Permissions, Profile};
use crate::problem::Problem;

mod accounts;
pub mod deadline;
mod jobs;
mod listing;
mod pages;
mod rendezvous;
mod request;
mod rows;
mod run;
mod stop;
pub mod waits;

#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Accounts per listing page (halved when Meta asks for less data).
    pub page_size: usize,
    /// Requests per batch (Meta's maximum is 50).
    pub batch_size: usize,
    /// Batches in flight at once.
    pub concurrency: usize,
    /// Tries per request before its failure is reported.
    pub max_attempts: u32,
    /// The longest a request waits for a passing failure (rate limit, outage)
    /// before its failure is reported instead.
    pub max_wait: Duration,
    /// The same for a token-wide rate limit (the whole login throttled): past
    /// this the run stops and says when access returns, rather than hanging.
    pub max_token_wait: Duration,
}

impl EngineOptions {
    /// For a person waiting on one row: give up quickly, show the reason.
    pub fn interactive() -> Self {
        Self {
            max_attempts: 3,
            max_wait: Duration::from_secs(8),
            ..Self::default()
        }
    }

    /// For refresh-all: wait out rate limits and outages, within reason.
    pub fn background() -> Self {
        Self {
            max_wait: Duration::from_secs(15 * 60),
            ..Self::default()
        }
    }
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            page_size: 100,
            batch_size: crate::graph::MAX_BATCH,
            concurrency: 6,
            max_attempts: 5,
            max_wait: Duration::from_secs(60),
            max_token_wait: Duration::from_secs(10),
        }
    }
}

/// The outcome for one row.
#[derive(Debug, Clone)]
pub enum RowUpdate {
    Refreshed(Box<Account>),
    /// The row could not be finished; `listed`: what the listing already
    /// gave of it (name, status, currency, business), kept on the row.
    Failed {
        id: AccountId,
        problem: Problem,
        listed: Option<Box<Account>>,
    },
}

impl RowUpdate {
    pub fn id(&self) -> &AccountId {
        match self {
            Self::Refreshed(account) => &account.id,
            Self::Failed { id, .. } => id,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Progress {
    /// Rows finished (refreshed or failed).
    pub done: usize,
    /// Rows known so far (grows while the listing pages in).
    pub total: usize,
    pub listing_complete: bool,
    /// What the run waits for now, and until when (the wait ending last).
    pub waiting: Option<waits::Wait>,
}

/// Where the engine reports as it goes.
pub trait Sink: Send + Sync {
    fn rows(&self, rows: Vec<RowUpdate>);
    fn progress(&self, _progress: &Progress) {}
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// Accounts the listing returned (refresh-all) or that were asked for.
    pub seen: HashSet<AccountId>,
    pub listing_complete: bool,
    pub refreshed: usize,
    pub failed: usize,
    /// Listing items that could not be read (the listing is then not
    /// trusted to say which accounts are gone).
    pub unreadable: usize,
    pub permissions: Option<Permissions>,
    /// Who the token belongs to (read with every refresh-all).
    pub profile: Option<Profile>,
    /// What stopped the run early: a token-wide problem, or a listing that
    /// could not continue (then often `offline` or `transient`).
    pub problem: Option<Problem>,
    pub cancelled: bool,
    /// Accounts reached only through a business, not `/me/adaccounts`.
    pub business_only: HashSet<AccountId>,
    /// Every account this login reached, with the person's tasks there
    /// (empty for accounts reached through a business).
    pub reached: HashMap<AccountId, Vec<String>>,
}

/// Which login refreshes which account when several logins refresh side by
/// side: each account is fetched once, by the login that claims it (the one
/// it was assigned to before the run, else the first to list it).
#[derive(Debug, Default)]
pub struct Claims {
    owners: std::sync::Mutex<HashMap<AccountId, LoginId>>,
}

impl Claims {
    fn owners(&self) -> std::sync::MutexGuard<'_, HashMap<AccountId, LoginId>> {
        self.owners.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Before the run: `login` refreshes `id`.
    pub fn assign(&self, id: AccountId, login: LoginId) {
        self.owners().insert(id, login);
    }

    /// Whether `login` refreshes `id` (claiming it if nobody has).
    pub fn take(&self, id: &AccountId, login: &LoginId) -> bool {
        self.owners()
            .entry(id.clone())
            .or_insert_with(|| login.clone())
            == login
    }

    /// Whether `login` may refresh `id`: nobody claimed it, or it did.
    pub fn is_open_to(&self, id: &AccountId, login: &LoginId) -> bool {
        self.owners().get(id).is_none_or(|owner| owner == login)
    }

    pub fn owner(&self, id: &AccountId) -> Option<LoginId> {
        self.owners().get(id).cloned()
    }
}

/// A run's part in a refresh across several logins.
#[derive(Clone, Copy)]
pub struct Share<'a> {
    pub claims: &'a Claims,
    pub me: &'a LoginId,
}

/// What the last run found, so this one can ask ahead (see `rendezvous`).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// From `/me/adaccounts`: their spend is asked for ahead.
    pub listed: Vec<AccountId>,
    /// Reached only through a business: fields and spend are asked ahead.
    pub business_only: Vec<AccountId>,
}

/// Counters for benchmarks and diagnostics.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub rate_limit_errors: AtomicU64,
    pub retries: AtomicU64,
}

/// One login's way to refresh: a cheap handle (clones share everything), so
/// the listing's pages can be fetched in a task of their own.
#[derive(Clone)]
pub struct Engine(Arc<EngineParts>);

pub struct EngineParts {
    client: GraphClient,
    opts: EngineOptions,
    governor: Arc<Governor>,
    /// The account listing's page size: halved when Meta asks for less
    /// data, grown back after good pages.
    page_size: AtomicUsize,
    good_pages: AtomicUsize,
    stats: Arc<Stats>,
    /// The waits going on now, for the run's progress to tell.
    waits: waits::Waits,
    /// The listing's pages, asked for before the run that reads them was
    /// ready (see `begin_listing`).
    early: std::sync::Mutex<Option<listing::ReadAhead>>,
}

impl std::ops::Deref for Engine {
    type Target = EngineParts;

    fn deref(&self) -> &EngineParts {
        &self.0
    }
}

impl Engine {
    pub fn new(client: GraphClient, opts: EngineOptions, governor: Arc<Governor>) -> Self {
        let page_size = opts.page_size.max(1);
        Self(Arc::new(EngineParts {
            client,
            opts,
            governor,
            page_size: AtomicUsize::new(page_size),
            good_pages: AtomicUsize::new(0),
            stats: Arc::new(Stats::default()),
            waits: waits::Waits::default(),
            early: std::sync::Mutex::new(None),
        }))
    }

    pub fn stats(&self) -> Arc<Stats> {
        self.stats.clone()
    }

    pub fn governor(&self) -> &Arc<Governor> {
        &self.governor
    }

    pub fn client(&self) -> &GraphClient {
        &self.client
    }

    /// The page size the next listing page will use.
    pub fn current_page_size(&self) -> usize {
        self.page_size.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Groups rows by id (later updates win). Used by callers that batch UI events.
pub fn latest_by_id(rows: Vec<RowUpdate>) -> HashMap<AccountId, RowUpdate> {
    rows.into_iter().map(|r| (r.id().clone(), r)).collect()
}
