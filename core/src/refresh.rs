//! The refresh engine. Reads accounts from Graph and reports each row as it
//! completes; it never touches the cache itself (see `session`).
//!
//! * One account: one batch round trip (the account node with every row field,
//!   plus its last-30-days insights).
//! * All accounts: `/me/adaccounts` page by page (following `paging.next` to the
//!   very end), while earlier pages' last-30-days spend is fetched in batches of
//!   up to 50, with bounded concurrency. Accounts known from the last run have
//!   their spend asked for alongside the listing (see `rendezvous`). Paging is
//!   sequential by nature, so the whole run costs about pages × round trip.
//! * Failures are classified; passing ones (transient, offline, rate limits)
//!   are retried with jittered backoff, only for the items that failed. A
//!   token-wide problem stops the run.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use rand::Rng;
use serde::Serialize;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::governor::Governor;
use crate::graph::client::{BatchItem, BatchOutcome, GraphClient, Page, Reply};
use crate::graph::error::GraphError;
use crate::graph::fields;
use crate::graph::wire::{self, FetchedAccount};
use crate::model::{Account, Permissions, Profile};
use crate::problem::{self, Context, Problem, Reason, Scope};

mod rendezvous;
use rendezvous::{Need, Outcome, Part, Rendezvous};

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
            batch_size: crate::graph::client::MAX_BATCH,
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
    Failed { id: String, problem: Problem },
}

impl RowUpdate {
    pub fn id(&self) -> &str {
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
    /// Waiting for Meta (rate limit) until then.
    pub waiting_until: Option<DateTime<Utc>>,
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
    pub seen: HashSet<String>,
    pub listing_complete: bool,
    pub refreshed: usize,
    pub failed: usize,
    pub permissions: Option<Permissions>,
    /// Who the token belongs to (read with every refresh-all).
    pub profile: Option<Profile>,
    /// What stopped the run early: a token-wide problem, or a listing that
    /// could not continue (then often `offline` or `transient`).
    pub problem: Option<Problem>,
    pub cancelled: bool,
    /// Accounts reached only through a business, not `/me/adaccounts`.
    pub business_only: HashSet<String>,
}

/// What the last run found, so this one can ask ahead (see `rendezvous`).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// From `/me/adaccounts`: their spend is asked for ahead.
    pub listed: Vec<String>,
    /// Reached only through a business: fields and spend are asked ahead.
    pub business_only: Vec<String>,
}

/// Counters for benchmarks and diagnostics.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub rate_limit_errors: AtomicU64,
    pub retries: AtomicU64,
}

#[derive(Debug)]
enum Stop {
    /// A final failure: token-wide, or of a request the run cannot do without.
    Failed(Problem),
    Cancelled,
}

impl Stop {
    /// Whether this ends a whole run rather than one row.
    fn ends_run(&self) -> bool {
        match self {
            Self::Failed(problem) => problem.scope == Scope::Token,
            Self::Cancelled => true,
        }
    }
}

pub struct Engine {
    client: GraphClient,
    opts: EngineOptions,
    governor: Arc<Governor>,
    page_size: AtomicUsize,
    good_pages: AtomicUsize,
    stats: Arc<Stats>,
}

enum Request<'a> {
    Get {
        path: &'a str,
        query: &'a [(&'a str, &'a str)],
    },
    /// The first page of an edge; `size` is its page size, halved when Meta
    /// asks for less data.
    FirstPage {
        path: &'a str,
        fields: &'a str,
        size: &'a AtomicUsize,
    },
    /// A `paging.next` link; with `size`, that page size applies.
    Next {
        url: &'a str,
        size: Option<&'a AtomicUsize>,
    },
}

impl Request<'_> {
    fn size(&self) -> Option<&AtomicUsize> {
        match self {
            Request::FirstPage { size, .. } => Some(size),
            Request::Next { size, .. } => *size,
            Request::Get { .. } => None,
        }
    }
}

impl Engine {
    pub fn new(client: GraphClient, opts: EngineOptions, governor: Arc<Governor>) -> Self {
        let page_size = opts.page_size.max(1);
        Self {
            client,
            opts,
            governor,
            page_size: AtomicUsize::new(page_size),
            good_pages: AtomicUsize::new(0),
            stats: Arc::new(Stats::default()),
        }
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

    fn ctx(&self, scope: Scope, attempt: u32) -> Context {
        let mut ctx = Context::new(scope, Utc::now());
        ctx.attempt = attempt;
        ctx
    }

    fn link(&self, problem: Problem, account: Option<&str>) -> Problem {
        let numeric = account.map(|a| a.strip_prefix("act_").unwrap_or(a));
        problem.with_links(&self.client.endpoints().facebook, numeric)
    }

    async fn classify(&self, error: &GraphError, scope: Scope, attempt: u32) -> Problem {
        let mut ctx = self.ctx(scope, attempt);
        if problem::needs_token_probe(error) {
            ctx.token_ok = Some(self.client.get("me", &[("fields", "id")]).await.is_ok());
        }
        problem::classify(error, &ctx)
    }

    async fn send(
        &self,
        request: &Request<'_>,
        account: Option<&str>,
    ) -> Result<Reply, GraphError> {
        self.governor.wait_turn().await;
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let result = match request {
            Request::Get { path, query } => self.client.get(path, query).await,
            Request::Next { url, size } => {
                let limit = size.map(|s| s.load(Ordering::Relaxed));
                self.client.get_next(url, limit).await
            }
            Request::FirstPage { path, fields, size } => {
                let limit = size.load(Ordering::Relaxed).to_string();
                self.client
                    .get(path, &[("fields", fields), ("limit", limit.as_str())])
                    .await
            }
        };
        let numeric = account.map(|a| a.strip_prefix("act_").unwrap_or(a));
        match &result {
            Ok(reply) => self.governor.observe(&reply.usage, numeric),
            Err(error) => self.governor.observe(&error.usage, numeric),
        }
        result
    }

    /// One request with retries for passing failures.
    async fn call(
        &self,
        request: Request<'_>,
        scope: Scope,
        account: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<Reply, Stop> {
        // The account listing's page size also grows back after good pages.
        let is_listing = request
            .size()
            .is_some_and(|s| std::ptr::eq(s, &self.page_size));
        let mut attempt = 0;
        loop {
            if cancel.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            match self.send(&request, account).await {
                Ok(reply) => {
                    if is_listing {
                        self.page_succeeded();
                    }
                    return Ok(reply);
                }
                Err(error) => {
                    if let Some(size) = request.size()
                        && asks_for_less_data(&error)
                        && attempt + 1 < self.opts.max_attempts
                    {
                        // Smaller pages, at once: this is not an outage.
                        if self.halve_page_size(size, is_listing) {
                            attempt += 1;
                            continue;
                        }
                    }
                    let problem = self.link(self.classify(&error, scope, attempt).await, account);
                    let wait = self.retry_wait(&problem, account, scope);
                    match wait {
                        Some(wait) if attempt + 1 < self.opts.max_attempts => {
                            self.stats.retries.fetch_add(1, Ordering::Relaxed);
                            tracing::debug!(reason = ?problem.reason, ?wait, "retrying after a passing failure");
                            sleep_or_cancel(wait, cancel).await?;
                            attempt += 1;
                        }
                        _ => return Err(Stop::Failed(problem)),
                    }
                }
            }
        }
    }

    /// How long to wait before retrying, or `None` if this failure is final.
    fn retry_wait(
        &self,
        problem: &Problem,
        account: Option<&str>,
        scope: Scope,
    ) -> Option<Duration> {
        if !problem.reason.retries_by_itself() {
            return None;
        }
        let until = problem.retry_at.unwrap_or_else(Utc::now);
        let wait = (until - Utc::now()).to_std().unwrap_or_default();
        if problem.reason == Reason::RateLimited {
            self.stats.rate_limit_errors.fetch_add(1, Ordering::Relaxed);
            let numeric = account.map(|a| a.strip_prefix("act_").unwrap_or(a));
            let target = if problem.scope == Scope::Token || scope == Scope::Token {
                None
            } else {
                numeric
            };
            self.governor.penalize(wait, target);
        }
        let token_wide_limit = problem.reason == Reason::RateLimited
            && (problem.scope == Scope::Token || scope == Scope::Token);
        let limit = if token_wide_limit {
            self.opts.max_token_wait
        } else {
            self.opts.max_wait
        };
        // Decide on Meta's hint, then jitter: jittering first would let a
        // hint just past the limit sometimes pass as waitable.
        (wait <= limit).then(|| jitter(wait))
    }

    /// Halves a page size; `false` when it is already as small as it goes.
    fn halve_page_size(&self, size: &AtomicUsize, is_listing: bool) -> bool {
        let current = size.load(Ordering::Relaxed);
        let smaller = (current / 2).max(5);
        if smaller == current {
            return false;
        }
        tracing::info!(
            from = current,
            to = smaller,
            "Meta asked for less data: smaller pages"
        );
        size.store(smaller, Ordering::Relaxed);
        if is_listing {
            self.good_pages.store(0, Ordering::Relaxed);
        }
        true
    }

    fn page_succeeded(&self) {
        let good = self.good_pages.fetch_add(1, Ordering::Relaxed) + 1;
        let current = self.page_size.load(Ordering::Relaxed);
        if good >= 3 && current < self.opts.page_size {
            self.page_size
                .store((current * 2).min(self.opts.page_size), Ordering::Relaxed);
            self.good_pages.store(0, Ordering::Relaxed);
        }
    }

    /// The page size the next listing page will use.
    pub fn current_page_size(&self) -> usize {
        self.page_size.load(Ordering::Relaxed)
    }

    /// `/me`: who the token belongs to. Also the cheapest token check.
    pub async fn profile(&self) -> Result<Profile, Problem> {
        let cancel = CancellationToken::new();
        let reply = self
            .call(
                Request::Get {
                    path: "me",
                    query: &[("fields", "id,name")],
                },
                Scope::Token,
                None,
                &cancel,
            )
            .await
            .map_err(stop_to_problem)?;
        wire::decode_profile(&reply.body).ok_or_else(|| {
            problem::classify(
                &GraphError::malformed(reply.status, "the profile had no id"),
                &self.ctx(Scope::Token, 0),
            )
        })
    }

    /// `/me/permissions`.
    pub async fn permissions(&self) -> Result<Permissions, Problem> {
        let cancel = CancellationToken::new();
        self.permissions_with(&cancel)
            .await
            .map_err(stop_to_problem)
    }

    async fn permissions_with(&self, cancel: &CancellationToken) -> Result<Permissions, Stop> {
        let mut permissions = Permissions::default();
        let mut reply = self
            .call(
                Request::Get {
                    path: "me/permissions",
                    query: &[("limit", "100")],
                },
                Scope::Token,
                None,
                cancel,
            )
            .await?;
        loop {
            let page = wire::decode_permissions(&reply.body);
            permissions.granted.extend(page.granted);
            permissions.declined.extend(page.declined);
            permissions.expired.extend(page.expired);
            let Some(next) = Page::from_value(&reply.body).and_then(|p| p.next) else {
                return Ok(permissions);
            };
            reply = self
                .call(
                    Request::Next {
                        url: &next,
                        size: None,
                    },
                    Scope::Token,
                    None,
                    cancel,
                )
                .await?;
        }
    }

    /// Refreshes the given accounts (`act_…`). One batch round trip per 25
    /// accounts, batches in parallel.
    pub async fn refresh_accounts(
        &self,
        ids: &[String],
        sink: &dyn Sink,
        cancel: &CancellationToken,
    ) -> RunReport {
        let mut report = RunReport {
            seen: ids.iter().cloned().collect(),
            listing_complete: true,
            ..RunReport::default()
        };
        let run = cancel.child_token();
        let total = ids.len();
        let done = AtomicUsize::new(0);
        let stop: std::sync::Mutex<Option<Stop>> = std::sync::Mutex::new(None);
        let counts = (AtomicUsize::new(0), AtomicUsize::new(0));
        self.refresh_in_chunks(ids.to_vec(), &run, |result| match result {
            Ok(rows) => {
                count_rows(&rows, &counts);
                let finished = done.fetch_add(rows.len(), Ordering::Relaxed) + rows.len();
                sink.rows(rows);
                sink.progress(&Progress {
                    done: finished,
                    total,
                    listing_complete: true,
                    waiting_until: None,
                });
            }
            Err(s) => {
                run.cancel();
                let mut slot = stop.lock().unwrap_or_else(|p| p.into_inner());
                if !matches!(*slot, Some(Stop::Failed(_))) {
                    *slot = Some(s);
                }
            }
        })
        .await;
        report.refreshed = counts.0.into_inner();
        report.failed = counts.1.into_inner();
        apply_stop(
            &mut report,
            stop.into_inner().unwrap_or_else(|p| p.into_inner()),
            cancel,
        );
        report
    }

    /// Refreshes accounts by id, 25 per batch (node and last-30-days insights
    /// each), batches in parallel; hands each batch's rows to `each`.
    async fn refresh_in_chunks<F: FnMut(Result<Vec<RowUpdate>, Stop>)>(
        &self,
        ids: Vec<String>,
        run: &CancellationToken,
        mut each: F,
    ) {
        let per_batch = (self.opts.batch_size / 2).max(1);
        let chunks: Vec<Vec<String>> = ids.chunks(per_batch).map(<[String]>::to_vec).collect();
        futures::stream::iter(chunks)
            .map(|chunk| async move {
                let confirmed = chunk.into_iter().map(|id| (id, vec![Part::Confirmed]));
                self.gather(confirmed.collect(), &Rendezvous::default(), run)
                    .await
            })
            .buffer_unordered(self.opts.concurrency.max(1))
            .for_each(|result| {
                each(result);
                futures::future::ready(())
            })
            .await;
    }

    /// Ad accounts reached through businesses: `/me/businesses` with each
    /// business's owned and client ad accounts expanded (ids only), in one
    /// request; a large business's accounts are paged in. `Ok(None)` when the
    /// login lacks `business_management`; the flag says whether every
    /// business's accounts were read.
    async fn business_accounts(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Option<(HashSet<String>, bool)>, Stop> {
        const EDGES: [&str; 2] = ["owned_ad_accounts", "client_ad_accounts"];
        let fields = "id,owned_ad_accounts.limit(500){id},client_ad_accounts.limit(500){id}";
        let size = AtomicUsize::new(50);
        let first = self
            .call(
                Request::FirstPage {
                    path: "me/businesses",
                    fields,
                    size: &size,
                },
                Scope::Token,
                None,
                cancel,
            )
            .await;
        let mut reply = match first {
            Ok(reply) => reply,
            Err(Stop::Failed(problem)) if problem.reason == Reason::PermissionsChanged => {
                return Ok(None);
            }
            Err(stop) => return Err(stop),
        };
        let mut ids = HashSet::new();
        let mut more = Vec::new();
        let mut followed = HashSet::new();
        loop {
            let page =
                Page::parse(&reply).map_err(|e| Stop::Failed(self.decode_problem(&e.message)))?;
            for business in &page.data {
                for edge in EDGES {
                    let Some(nested) = business.get(edge).and_then(Page::from_value) else {
                        continue;
                    };
                    ids.extend(ids_of(&nested.data));
                    more.extend(nested.next);
                }
            }
            let Some(next) = page.next else { break };
            if !followed.insert(next.clone()) {
                break;
            }
            reply = self.next_page(&next, &size, cancel).await?;
        }
        // Businesses with more accounts than one nested page.
        let results: Vec<Result<Vec<String>, Stop>> = futures::stream::iter(more)
            .map(|next| async move {
                let size = AtomicUsize::new(500);
                let reply = self.next_page(&next, &size, cancel).await?;
                self.collect_ids(reply, &size, cancel).await
            })
            .buffer_unordered(self.opts.concurrency.max(1))
            .collect()
            .await;
        let mut complete = true;
        for result in results {
            match result {
                Ok(found) => ids.extend(found),
                Err(Stop::Cancelled) => return Err(Stop::Cancelled),
                Err(Stop::Failed(problem))
                    if problem.reason.is_token_problem()
                        && problem.reason != Reason::PermissionsChanged =>
                {
                    return Err(Stop::Failed(problem));
                }
                Err(Stop::Failed(problem)) => {
                    tracing::warn!(reason = ?problem.reason, "a business's ad accounts could not be read");
                    complete = false;
                }
            }
        }
        let ids = ids
            .into_iter()
            .filter_map(|id| fields::normalize_account_id(&id))
            .collect();
        Ok(Some((ids, complete)))
    }

    /// Every `id` from `reply` on, following `paging.next` to the end.
    async fn collect_ids(
        &self,
        mut reply: Reply,
        size: &AtomicUsize,
        cancel: &CancellationToken,
    ) -> Result<Vec<String>, Stop> {
        let mut ids = Vec::new();
        let mut followed = HashSet::new();
        loop {
            let page =
                Page::parse(&reply).map_err(|e| Stop::Failed(self.decode_problem(&e.message)))?;
            ids.extend(ids_of(&page.data));
            let Some(next) = page.next else {
                return Ok(ids);
            };
            if !followed.insert(next.clone()) {
                return Ok(ids);
            }
            reply = self.next_page(&next, size, cancel).await?;
        }
    }

    fn decode_problem(&self, message: &str) -> Problem {
        problem::classify(
            &GraphError::malformed(200, message.to_owned()),
            &self.ctx(Scope::Account, 0),
        )
    }

    /// The finished row for an account, or its failure; only a failure that
    /// ends the run is an `Err`.
    async fn completed_row(
        &self,
        fetched: FetchedAccount,
        insights: &serde_json::Value,
        cancel: &CancellationToken,
    ) -> Result<RowUpdate, Stop> {
        let id = fetched.account.id.clone();
        match self.complete_account(fetched, insights, cancel).await {
            Ok(account) => Ok(RowUpdate::Refreshed(Box::new(account))),
            Err(stop) if stop.ends_run() => Err(stop),
            Err(Stop::Failed(problem)) => Ok(RowUpdate::Failed { id, problem }),
            Err(stop) => Err(stop),
        }
    }

    /// Adds the last-30-days spend and any datasets beyond the first page.
    async fn complete_account(
        &self,
        fetched: FetchedAccount,
        insights: &serde_json::Value,
        cancel: &CancellationToken,
    ) -> Result<Account, Stop> {
        let mut account = fetched.account;
        account.spend_last_30d = Some(wire::sum_spend(Some(insights), &account.currency));
        let mut next = fetched.more_datasets;
        let mut guard = HashSet::new();
        while let Some(url) = next.take() {
            if !guard.insert(url.clone()) {
                break;
            }
            let reply = self
                .call(
                    Request::Next {
                        url: &url,
                        size: None,
                    },
                    Scope::Account,
                    Some(&account.id),
                    cancel,
                )
                .await?;
            let (more, following) = wire::decode_datasets(Some(&reply.body));
            account.datasets.extend(more);
            next = following;
        }
        Ok(account)
    }

    /// Lists every account and refreshes each one. What the last run found
    /// (`known`) is asked for alongside the listing rather than after it.
    pub async fn refresh_all(
        &self,
        known: Known,
        sink: &dyn Sink,
        cancel: &CancellationToken,
    ) -> RunReport {
        let run = cancel.child_token();
        let meet = Rendezvous::default();
        let ahead = self.ahead_of_listing(known);
        for needs in &ahead {
            meet.asked_ahead(needs);
        }
        let business_only: std::sync::Mutex<HashSet<String>> = Default::default();
        let stop: std::sync::Mutex<Option<Stop>> = std::sync::Mutex::new(None);
        let record_stop = |s: Stop| {
            if !s.ends_run() {
                return;
            }
            run.cancel();
            let mut slot = stop.lock().unwrap_or_else(|p| p.into_inner());
            if !matches!(*slot, Some(Stop::Failed(_))) {
                *slot = Some(s);
            }
        };
        let listed = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let counts = (AtomicUsize::new(0), AtomicUsize::new(0));
        let complete = std::sync::atomic::AtomicBool::new(false);
        let seen: std::sync::Mutex<HashSet<String>> = std::sync::Mutex::new(HashSet::new());
        let business_complete = std::sync::atomic::AtomicBool::new(true);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Work>(64);

        // The listing, and the accounts reached only through a business role
        // (found meanwhile): both feed one stream of work.
        let lister = async {
            let listing = self.list_accounts(&run, |accounts| {
                let mut set = seen.lock().unwrap_or_else(|p| p.into_inner());
                for fetched in &accounts {
                    set.insert(fetched.account.id.clone());
                }
                listed.store(set.len(), Ordering::Relaxed);
                drop(set);
                sink.progress(&Progress {
                    done: done.load(Ordering::Relaxed),
                    total: listed.load(Ordering::Relaxed),
                    listing_complete: false,
                    waiting_until: None,
                });
                let tx = tx.clone();
                async move { tx.send(Work::Listed(accounts)).await.is_ok() }
            });
            let discover = async {
                match self.business_accounts(&run).await {
                    Ok(found) => found,
                    Err(stop) => {
                        record_stop(stop);
                        None
                    }
                }
            };
            let (listing, business) = tokio::join!(listing, discover);
            match listing {
                Ok(()) => complete.store(true, Ordering::Relaxed),
                Err(s) => record_stop(s),
            }
            if let Some((ids, edges_complete)) = business {
                business_complete.store(edges_complete, Ordering::Relaxed);
                let extra: Vec<String> = {
                    let mut set = seen.lock().unwrap_or_else(|p| p.into_inner());
                    let extra: Vec<String> =
                        ids.into_iter().filter(|id| !set.contains(id)).collect();
                    set.extend(extra.iter().cloned());
                    listed.store(set.len(), Ordering::Relaxed);
                    extra
                };
                business_only
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .extend(extra.iter().cloned());
                let per_batch = (self.opts.batch_size / 2).max(1);
                for chunk in extra.chunks(per_batch) {
                    if run.is_cancelled() || tx.send(Work::Ids(chunk.to_vec())).await.is_err() {
                        break;
                    }
                }
            }
            drop(tx);
        };

        let listed_work = futures::stream::poll_fn(|cx| rx.poll_recv(cx)).flat_map(|work| {
            let mut items = Vec::new();
            match work {
                Work::Listed(mut accounts) => {
                    let size = self.opts.batch_size.max(1);
                    while !accounts.is_empty() {
                        let rest = accounts.split_off(accounts.len().min(size));
                        items.push(Work::Listed(std::mem::replace(&mut accounts, rest)));
                    }
                }
                ids => items.push(ids),
            }
            futures::stream::iter(items)
        });
        // Interleaved, so neither what is asked ahead nor the listing's work
        // waits for all of the other.
        let ahead = futures::stream::iter(ahead.into_iter().map(Work::Ahead));
        let work = futures::stream::select(ahead, listed_work);
        let handle_rows = |result: Result<Vec<RowUpdate>, Stop>| match result {
            Ok(rows) => {
                count_rows(&rows, &counts);
                let finished = done.fetch_add(rows.len(), Ordering::Relaxed) + rows.len();
                sink.rows(rows);
                sink.progress(&Progress {
                    done: finished,
                    total: listed.load(Ordering::Relaxed),
                    listing_complete: complete.load(Ordering::Relaxed),
                    waiting_until: None,
                });
            }
            Err(s) => record_stop(s),
        };
        let filler = work
            .map(|work| async {
                match work {
                    Work::Ahead(needs) => match self.fetch_parts(&needs, &run).await {
                        Ok(parts) => self.gather(parts, &meet, &run).await,
                        Err(stop) => Err(stop),
                    },
                    Work::Listed(accounts) => {
                        let parts = accounts.into_iter().map(|fetched| {
                            let id = fetched.account.id.clone();
                            (id, vec![Part::Fields(Ok(fetched)), Part::Confirmed])
                        });
                        self.gather(parts.collect(), &meet, &run).await
                    }
                    Work::Ids(ids) => {
                        let parts = ids.into_iter().map(|id| (id, vec![Part::Confirmed]));
                        self.gather(parts.collect(), &meet, &run).await
                    }
                }
            })
            .buffer_unordered(self.opts.concurrency.max(1))
            .for_each(|result| {
                handle_rows(result);
                futures::future::ready(())
            });

        let permissions = async {
            match self.permissions_with(&run).await {
                Ok(p) => Some(p),
                Err(Stop::Failed(problem)) if problem.reason.is_token_problem() => {
                    let mut problem = problem;
                    problem.scope = Scope::Token;
                    record_stop(Stop::Failed(problem));
                    None
                }
                Err(_) => None,
            }
        };

        let profile = async {
            self.call(
                Request::Get {
                    path: "me",
                    query: &[("fields", "id,name")],
                },
                Scope::Token,
                None,
                &run,
            )
            .await
            .ok()
            .and_then(|reply| wire::decode_profile(&reply.body))
        };

        let ((), (), permissions, profile) = tokio::join!(lister, filler, permissions, profile);
        let business_complete = business_complete.into_inner();
        let mut report = RunReport {
            seen: seen.into_inner().unwrap_or_else(|p| p.into_inner()),
            listing_complete: complete.load(Ordering::Relaxed) && business_complete,
            refreshed: counts.0.into_inner(),
            failed: counts.1.into_inner(),
            permissions,
            profile,
            business_only: business_only
                .into_inner()
                .unwrap_or_else(|p| p.into_inner()),
            ..RunReport::default()
        };
        apply_stop(
            &mut report,
            stop.into_inner().unwrap_or_else(|p| p.into_inner()),
            cancel,
        );
        if report.problem.is_some() || report.cancelled {
            report.listing_complete = false;
        }
        report
    }

    /// The next page of a token-wide listing; `size` is its page size,
    /// halved when Meta asks for less data.
    async fn next_page(
        &self,
        url: &str,
        size: &AtomicUsize,
        cancel: &CancellationToken,
    ) -> Result<Reply, Stop> {
        let request = Request::Next {
            url,
            size: Some(size),
        };
        self.call(request, Scope::Token, None, cancel).await
    }

    /// What to ask for alongside the listing, in batch-sized groups: known
    /// listed accounts' spend, and known business-only accounts' fields and
    /// spend.
    fn ahead_of_listing(&self, known: Known) -> Vec<Vec<Need>> {
        let size = self.opts.batch_size.max(1);
        let need = |fields| {
            move |id: String| Need {
                id,
                fields,
                spend: true,
            }
        };
        let listed: Vec<Need> = known.listed.into_iter().map(need(false)).collect();
        let business: Vec<Need> = known.business_only.into_iter().map(need(true)).collect();
        let mut groups: Vec<Vec<Need>> = listed.chunks(size).map(<[Need]>::to_vec).collect();
        groups.extend(business.chunks((size / 2).max(1)).map(<[Need]>::to_vec));
        groups
    }

    /// Pages through `/me/adaccounts`, handing each page's accounts to `each`.
    async fn list_accounts<F, Fut>(
        &self,
        cancel: &CancellationToken,
        mut each: F,
    ) -> Result<(), Stop>
    where
        F: FnMut(Vec<FetchedAccount>) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let fields = fields::account_fields();
        let mut reply = self
            .call(
                Request::FirstPage {
                    path: "me/adaccounts",
                    fields: &fields,
                    size: &self.page_size,
                },
                Scope::Token,
                None,
                cancel,
            )
            .await?;
        let mut followed = HashSet::new();
        loop {
            let page = match Page::parse(&reply) {
                Ok(page) => page,
                Err(e) => return Err(Stop::Failed(self.decode_problem(&e.message))),
            };
            let now = Utc::now();
            let accounts: Vec<FetchedAccount> = page
                .data
                .iter()
                .filter_map(|value| {
                    wire::decode_account(value, now)
                        .map_err(|e| tracing::warn!("skipping an account in the listing: {e}"))
                        .ok()
                })
                .collect();
            if !accounts.is_empty() && !each(accounts).await {
                return Err(Stop::Cancelled);
            }
            // Only a missing `next` ends the list; short or empty pages do not.
            let Some(next) = page.next else {
                return Ok(());
            };
            if !followed.insert(strip_limit(&next)) {
                tracing::warn!("the listing repeated a page link; stopping there");
                return Ok(());
            }
            reply = self.next_page(&next, &self.page_size, cancel).await?;
        }
    }

    /// Hands parts of rows to `meet`, fetches what confirmed rows still
    /// lack, and returns the rows that are now complete.
    async fn gather(
        &self,
        mut arrivals: Vec<(String, Vec<Part>)>,
        meet: &Rendezvous,
        cancel: &CancellationToken,
    ) -> Result<Vec<RowUpdate>, Stop> {
        let mut ready = Vec::new();
        loop {
            let mut needs = Vec::new();
            for (id, parts) in arrivals.drain(..) {
                match meet.arrive(&id, parts) {
                    Outcome::Ready(row) => ready.push(*row),
                    Outcome::Needs(need) => needs.push(need),
                    Outcome::Waiting => {}
                }
            }
            if needs.is_empty() {
                break;
            }
            arrivals = self.fetch_parts(&needs, cancel).await?;
        }
        let mut rows = Vec::with_capacity(ready.len());
        for row in ready {
            rows.push(match (row.fields, row.spend) {
                (Err(problem), _) | (Ok(_), Err(problem)) => RowUpdate::Failed {
                    id: row.id,
                    problem,
                },
                (Ok(fetched), Ok(insights)) => {
                    self.completed_row(fetched, &insights.body, cancel).await?
                }
            });
        }
        Ok(rows)
    }

    /// Fetches parts of rows: the account node, the last-30-days insights,
    /// or both, in as few batches as fit. A failure that does not end the
    /// run becomes the failure of each part.
    async fn fetch_parts(
        &self,
        needs: &[Need],
        cancel: &CancellationToken,
    ) -> Result<Vec<(String, Vec<Part>)>, Stop> {
        let mut jobs = Vec::with_capacity(needs.len() * 2);
        for need in needs {
            if need.fields {
                jobs.push(Job::new(&need.id, fields::account_node(&need.id)));
            }
            if need.spend {
                jobs.push(Job::new(&need.id, fields::last_30d_insights(&need.id)));
            }
        }
        let mut results = match self.run_jobs(jobs, cancel).await {
            Ok(results) => results.into_iter(),
            Err(Stop::Failed(problem)) if problem.scope != Scope::Token => {
                std::iter::repeat_n(Err(problem), needs.len() * 2)
                    .collect::<Vec<_>>()
                    .into_iter()
            }
            Err(stop) => return Err(stop),
        };
        let mut next = || {
            results
                .next()
                .unwrap_or_else(|| Err(self.decode_problem("no result")))
        };
        let mut arrivals = Vec::with_capacity(needs.len());
        for need in needs {
            let mut parts = Vec::with_capacity(2);
            if need.fields {
                let node = next().and_then(|node| {
                    wire::decode_account(&node.body, Utc::now())
                        .map_err(|e| self.decode_problem(&e.to_string()))
                });
                parts.push(Part::Fields(node));
            }
            if need.spend {
                parts.push(Part::Spend(next()));
            }
            arrivals.push((need.id.clone(), parts));
        }
        Ok(arrivals)
    }
    /// Runs up to one batch worth of jobs, retrying only the items that failed
    /// for a passing reason (and `null` items), each after its own wait.
    async fn run_jobs(
        &self,
        mut jobs: Vec<Job>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Result<Reply, Problem>>, Stop> {
        let mut results: Vec<Option<Result<Reply, Problem>>> = vec![None; jobs.len()];
        let mut batch_attempt = 0u32;
        loop {
            if cancel.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            let now = Instant::now();
            let pending: Vec<usize> = (0..jobs.len()).filter(|&i| results[i].is_none()).collect();
            if pending.is_empty() {
                break;
            }
            let ready_at = |i: usize| -> Instant {
                let job = &jobs[i];
                let account = self.governor.account_ready_at(job.numeric());
                job.not_before.max(account.unwrap_or(now))
            };
            let ready: Vec<usize> = pending
                .iter()
                .copied()
                .filter(|&i| ready_at(i) <= now)
                .collect();
            if ready.is_empty() {
                let earliest = pending.iter().map(|&i| ready_at(i)).min().unwrap_or(now);
                let wait = earliest - now;
                if wait > self.opts.max_wait {
                    // Too long to wait here: report those rows as rate limited.
                    let retry_at =
                        Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                    for &i in &pending {
                        results[i] = Some(Err(self.waiting_problem(&jobs[i], retry_at)));
                    }
                    break;
                }
                sleep_or_cancel(wait, cancel).await?;
                continue;
            }
            let take: Vec<usize> = ready
                .into_iter()
                .take(self.opts.batch_size.max(1))
                .collect();
            let items: Vec<BatchItem> = take
                .iter()
                .map(|&i| BatchItem {
                    relative_url: jobs[i].relative_url.clone(),
                })
                .collect();
            let outcomes = match self.send_batch(&items).await {
                Ok(outcomes) => outcomes,
                Err(error) => {
                    let problem = self.link(
                        self.classify(&error, Scope::Token, batch_attempt).await,
                        None,
                    );
                    match self.retry_wait(&problem, None, Scope::Token) {
                        Some(wait) if batch_attempt + 1 < self.opts.max_attempts => {
                            batch_attempt += 1;
                            self.stats.retries.fetch_add(1, Ordering::Relaxed);
                            sleep_or_cancel(wait, cancel).await?;
                            continue;
                        }
                        _ if problem.reason.is_token_problem() => {
                            return Err(Stop::Failed(problem));
                        }
                        _ => {
                            for &i in &take {
                                let mut p = problem.clone();
                                p.scope = Scope::Account;
                                results[i] = Some(Err(p));
                            }
                            continue;
                        }
                    }
                }
            };
            for (&i, outcome) in take.iter().zip(outcomes) {
                let job = &mut jobs[i];
                match outcome {
                    BatchOutcome::Ok(reply) => results[i] = Some(Ok(reply)),
                    BatchOutcome::NotExecuted => {
                        job.attempts += 1;
                        if job.attempts >= self.opts.max_attempts {
                            let error =
                                GraphError::timeout("Meta did not run this request in its batch");
                            let problem =
                                problem::classify(&error, &self.ctx(Scope::Account, job.attempts));
                            results[i] = Some(Err(problem));
                        } else {
                            self.stats.retries.fetch_add(1, Ordering::Relaxed);
                            job.not_before = Instant::now()
                                + jitter(problem::transient_backoff(job.attempts - 1));
                        }
                    }
                    BatchOutcome::Failed(error) => {
                        let problem = self.classify(&error, Scope::Account, job.attempts).await;
                        let problem = self.link(problem, Some(&job.account));
                        if problem.scope == Scope::Token && problem.reason.is_token_problem() {
                            return Err(Stop::Failed(problem));
                        }
                        let wait = self.retry_wait(&problem, Some(&job.account), Scope::Account);
                        job.attempts += 1;
                        match wait {
                            Some(wait) if job.attempts < self.opts.max_attempts => {
                                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                                job.not_before = Instant::now() + wait;
                            }
                            _ => results[i] = Some(Err(problem)),
                        }
                    }
                }
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(self.decode_problem("no result"))))
            .collect())
    }

    async fn send_batch(&self, items: &[BatchItem]) -> Result<Vec<BatchOutcome>, GraphError> {
        self.governor.wait_turn().await;
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let result = self.client.batch(items).await;
        match &result {
            Ok(outcomes) => {
                for (item, outcome) in items.iter().zip(outcomes) {
                    let account = account_of(&item.relative_url);
                    match outcome {
                        BatchOutcome::Ok(reply) => self.governor.observe(&reply.usage, account),
                        BatchOutcome::Failed(error) => self.governor.observe(&error.usage, account),
                        BatchOutcome::NotExecuted => {}
                    }
                }
            }
            Err(error) => self.governor.observe(&error.usage, None),
        }
        result
    }

    /// The row problem when Adkeep itself holds an account back (its usage is
    /// at the limit) for longer than this run may wait.
    fn waiting_problem(&self, job: &Job, retry_at: DateTime<Utc>) -> Problem {
        let error = GraphError {
            kind: crate::graph::FailureKind::Api,
            code: Some(17),
            message: "Adkeep paused this account: its Meta access limit is nearly used up"
                .to_owned(),
            ..GraphError::timeout("")
        };
        let mut problem = problem::classify(&error, &self.ctx(Scope::Account, 0));
        problem.code = None;
        problem.retry_at = Some(retry_at);
        self.link(problem, Some(&job.account))
    }
}

/// What the refresh-all pipeline works on.
enum Work {
    /// Parts of known accounts' rows, asked for ahead of the listing.
    Ahead(Vec<Need>),
    /// Listed accounts that still need their last-30-days spend.
    Listed(Vec<FetchedAccount>),
    /// Accounts found only through a business: confirmed, read in full
    /// unless asked ahead.
    Ids(Vec<String>),
}

#[derive(Debug)]
struct Job {
    account: String,
    relative_url: String,
    attempts: u32,
    not_before: Instant,
}

impl Job {
    fn new(account: &str, relative_url: String) -> Self {
        Self {
            account: account.to_owned(),
            relative_url,
            attempts: 0,
            not_before: Instant::now(),
        }
    }

    fn numeric(&self) -> &str {
        self.account.strip_prefix("act_").unwrap_or(&self.account)
    }
}

/// The `id`s of a page's items.
fn ids_of(items: &[serde_json::Value]) -> impl Iterator<Item = String> + '_ {
    items.iter().filter_map(|item| {
        item.get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    })
}

/// `act_123/insights?…` → `123`.
fn account_of(relative_url: &str) -> Option<&str> {
    let first = relative_url.split(['/', '?']).next()?;
    first.strip_prefix("act_")
}

fn asks_for_less_data(error: &GraphError) -> bool {
    error.code == Some(1) && error.http_status.is_some_and(|s| s >= 500) && error.subcode.is_none()
}

fn strip_limit(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let pairs: Vec<(String, String)> = parsed
                .query_pairs()
                .filter(|(k, _)| k != "limit" && k != "access_token")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
            parsed.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

fn count_rows(rows: &[RowUpdate], counts: &(AtomicUsize, AtomicUsize)) {
    for row in rows {
        match row {
            RowUpdate::Refreshed(_) => counts.0.fetch_add(1, Ordering::Relaxed),
            RowUpdate::Failed { .. } => counts.1.fetch_add(1, Ordering::Relaxed),
        };
    }
}

fn apply_stop(report: &mut RunReport, stop: Option<Stop>, outer: &CancellationToken) {
    match stop {
        Some(Stop::Failed(problem)) => report.problem = Some(problem),
        Some(Stop::Cancelled) => report.cancelled = true,
        None => {}
    }
    if outer.is_cancelled() {
        report.cancelled = true;
    }
}

fn stop_to_problem(stop: Stop) -> Problem {
    match stop {
        Stop::Failed(problem) => problem,
        Stop::Cancelled => problem::classify(
            &GraphError::timeout("cancelled"),
            &Context::new(Scope::Token, Utc::now()),
        ),
    }
}

/// ±20 % so many clients (or many rows) don't retry in lockstep.
fn jitter(wait: Duration) -> Duration {
    if wait.is_zero() {
        return wait;
    }
    let factor = rand::rng().random_range(0.8..1.2);
    wait.mul_f64(factor)
}

async fn sleep_or_cancel(wait: Duration, cancel: &CancellationToken) -> Result<(), Stop> {
    tokio::select! {
        () = tokio::time::sleep(wait) => Ok(()),
        () = cancel.cancelled() => Err(Stop::Cancelled),
    }
}

/// Groups rows by id (later updates win). Used by callers that batch UI events.
pub fn latest_by_id(rows: Vec<RowUpdate>) -> HashMap<String, RowUpdate> {
    rows.into_iter().map(|r| (r.id().to_owned(), r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Action;

    fn engine() -> Engine {
        let client = GraphClient::new(
            reqwest::Client::new(),
            Arc::new(crate::graph::client::Endpoints::default()),
            crate::token::AccessToken::new("unused").expect("a token"),
        );
        Engine::new(
            client,
            EngineOptions::default(),
            Arc::new(Governor::new(Default::default())),
        )
    }

    fn token_wide_limit(returns_in: Duration) -> Problem {
        let now = Utc::now();
        Problem {
            reason: Reason::RateLimited,
            action: Action::Wait,
            scope: Scope::Token,
            title: String::new(),
            explanation: String::new(),
            code: Some(17),
            subcode: None,
            http_status: Some(400),
            message: String::new(),
            user_title: None,
            user_msg: None,
            fbtrace_id: None,
            retry_at: Some(now + chrono::Duration::from_std(returns_in).expect("small")),
            action_url: None,
            at: now,
        }
    }

    #[test]
    fn a_hint_just_past_the_limit_is_never_waited_out_whatever_the_jitter() {
        let engine = engine();
        let past = engine.opts.max_token_wait + Duration::from_millis(500);
        for _ in 0..200 {
            let wait = engine.retry_wait(&token_wide_limit(past), None, Scope::Token);
            assert_eq!(wait, None, "jitter must not turn {past:?} into a wait");
        }
    }

    #[test]
    fn a_hint_within_the_limit_is_waited_out_with_jitter() {
        let engine = engine();
        let within = Duration::from_secs(5);
        for _ in 0..200 {
            let wait = engine
                .retry_wait(&token_wide_limit(within), None, Scope::Token)
                .expect("waitable");
            assert!(wait <= within.mul_f64(1.2) && wait >= within.mul_f64(0.75));
        }
    }
}
