//! The token-wide reads: who the token belongs to, its permissions, the
//! accounts `/me/adaccounts` lists, and the accounts reached only through a
//! business. Every listing goes through the one paginator (`pages`).

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::AtomicUsize;

use chrono::Utc;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Engine;
use super::pages::{Pager, Start};
use super::request::Get;
use super::stop::Stop;
use crate::api::calls::{self, BusinessEdge};
use crate::api::wire::{self, AccountWire, BusinessWire, FetchedAccount, IdWire, MeWire};
use crate::graph::error::GraphError;
use crate::graph::ids::AccountId;
use crate::graph::page::Page;
use crate::model::{Permissions, Profile};
use crate::problem::{self, Problem, Reason, Scope};

/// Page size of `/me/businesses` (each business carries two nested edges).
const BUSINESSES_PER_PAGE: usize = 50;

/// Listing pages fetched ahead of the run's processing at most.
const READ_AHEAD_PAGES: usize = 8;

/// A listing begun this long ago is not taken up: it is from another run.
const EARLY_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// The listing's pages arriving from their own task (`read_ahead`); the
/// task ends when this is dropped.
pub(super) struct ReadAhead {
    rx: mpsc::Receiver<Result<Page<AccountWire>, Stop>>,
    task: tokio::task::JoinHandle<()>,
    began: std::time::Instant,
}

impl ReadAhead {
    async fn recv(&mut self) -> Option<Result<Page<AccountWire>, Stop>> {
        self.rx.recv().await
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accounts reached through businesses, and whether every edge was read.
pub(super) struct Discovered {
    pub ids: HashSet<AccountId>,
    pub complete: bool,
    /// The edges read from `/me/businesses`, with the ids each held
    /// (continued edges included), for reading them again in full.
    pub edges: Vec<Edge>,
}

/// One business's ad-account edge and the accounts it holds.
pub(super) struct Edge {
    pub business: String,
    pub edge: BusinessEdge,
    pub ids: Vec<AccountId>,
}

/// The ids an edge held from some point on, and whether all were read.
type EdgeIds = Result<(Vec<AccountId>, bool), Stop>;

/// A business edge with more accounts than its nested page held.
struct Continuation {
    start: Start<IdWire>,
    /// Its place in `Discovered::edges` (a link of unknown origin has none).
    edge: Option<usize>,
}

impl Engine {
    /// `/me`: who the token belongs to. Also the cheapest token check.
    pub async fn profile(&self) -> Result<Profile, Problem> {
        let cancel = CancellationToken::new();
        let url = self.url(&calls::me()).map_err(Stop::into_problem)?;
        let reply = self
            .call::<MeWire>(Get::token_wide(url), &cancel)
            .await
            .map_err(Stop::into_problem)?;
        reply.body.profile().ok_or_else(|| {
            let error = GraphError::malformed(reply.status, "the profile had no id");
            problem::classify(&error, &self.ctx(Scope::Token, 0))
        })
    }

    /// `/me/permissions`.
    pub async fn permissions(&self) -> Result<Permissions, Problem> {
        let cancel = CancellationToken::new();
        self.permissions_with(&cancel)
            .await
            .map_err(Stop::into_problem)
    }

    pub(super) async fn permissions_with(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Permissions, Stop> {
        let mut permissions = Permissions::default();
        let pages = self.pages(Start::Call(calls::permissions()), Pager::token_wide(cancel));
        futures::pin_mut!(pages);
        while let Some(page) = pages.next().await {
            wire::permissions(&page?.items, &mut permissions);
        }
        Ok(permissions)
    }

    /// Pages through `/me/adaccounts`, handing each page's accounts to
    /// `each`; returns how many listed items could not be read. The pages are
    /// fetched in a task of their own (`read_ahead`): the next page's request
    /// leaves as soon as this one's cursor is known, whatever `each` and the
    /// rest of the run are busy with.
    pub(super) async fn list_accounts<F, Fut>(
        &self,
        cancel: &CancellationToken,
        mut each: F,
    ) -> Result<usize, Stop>
    where
        F: FnMut(Vec<FetchedAccount>) -> Fut,
        Fut: Future<Output = bool>,
    {
        let mut pages = self
            .early_listing()
            .unwrap_or_else(|| self.read_ahead(cancel));
        let mut unreadable = 0usize;
        while let Some(page) = pages.recv().await {
            let page = page?;
            unreadable = unreadable.saturating_add(page.skipped);
            let now = Utc::now();
            let mut accounts = Vec::with_capacity(page.items.len());
            for item in page.items {
                match wire::account(item, now) {
                    Ok(account) => accounts.push(account),
                    Err(e) => {
                        tracing::warn!("skipping an account in the listing: {e}");
                        unreadable = unreadable.saturating_add(1);
                    }
                }
            }
            if !accounts.is_empty() && !each(accounts).await {
                return Err(Stop::Cancelled);
            }
        }
        Ok(unreadable)
    }

    /// `/me/adaccounts`'s pages, fetched one after the other by a task of
    /// their own, handed over as they arrive. Dropping the receiver (or
    /// cancelling) ends the task.
    fn read_ahead(&self, cancel: &CancellationToken) -> ReadAhead {
        let (tx, rx) = mpsc::channel(READ_AHEAD_PAGES);
        let (engine, cancel) = (self.clone(), cancel.clone());
        let deadline = super::deadline::current();
        let task = tokio::spawn(super::deadline::carried(deadline, async move {
            let first = calls::ad_accounts(engine.current_page_size());
            let pager = Pager::token_wide(&cancel).sized(&engine.page_size);
            let pages = engine.pages(Start::Call(first), pager);
            futures::pin_mut!(pages);
            while let Some(page) = pages.next().await {
                if tx.send(page).await.is_err() {
                    break;
                }
            }
        }));
        ReadAhead {
            rx,
            task,
            began: std::time::Instant::now(),
        }
    }

    /// Sends the listing's first request now, before the run that reads it
    /// has read the book and planned what to ask ahead: the pages wait for
    /// it (the next `refresh_all`, within a few seconds).
    pub fn begin_listing(&self, cancel: &CancellationToken) {
        let mut early = self.early.lock().unwrap_or_else(|p| p.into_inner());
        if early.is_none() {
            *early = Some(self.read_ahead(cancel));
        }
    }

    fn early_listing(&self) -> Option<ReadAhead> {
        let early = self
            .early
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()?;
        (early.began.elapsed() < EARLY_FOR).then_some(early)
    }

    /// Ad accounts reached through businesses: `/me/businesses` with each
    /// business's owned and client ad accounts expanded, then any edge with
    /// more accounts read on its own. `Ok(None)` when the login lacks
    /// `business_management`.
    pub(super) async fn business_accounts(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Option<Discovered>, Stop> {
        let size = AtomicUsize::new(BUSINESSES_PER_PAGE);
        let first = calls::businesses(BUSINESSES_PER_PAGE);
        let pages = self.pages(Start::Call(first), Pager::token_wide(cancel).sized(&size));
        futures::pin_mut!(pages);
        let mut found = Discovered {
            ids: HashSet::new(),
            complete: true,
            edges: Vec::new(),
        };
        let mut more = Vec::new();
        let mut first_page = true;
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(Stop::Failed(problem))
                    if first_page && problem.reason == Reason::PermissionsChanged =>
                {
                    return Ok(None);
                }
                Err(stop) => return Err(stop),
            };
            first_page = false;
            found.complete &= page.skipped == 0;
            for business in &page.items {
                more.extend(read_edges(business, &mut found));
            }
        }
        self.continue_edges(more, &mut found, cancel).await?;
        Ok(Some(found))
    }

    /// Reads the rest of the business edges that had more, side by side.
    async fn continue_edges(
        &self,
        more: Vec<Continuation>,
        found: &mut Discovered,
        cancel: &CancellationToken,
    ) -> Result<(), Stop> {
        let results: Vec<(Option<usize>, EdgeIds)> = futures::stream::iter(more)
            .map(|more| async move { (more.edge, self.collect_ids(more.start, cancel).await) })
            .buffer_unordered(self.opts.concurrency.max(1))
            .collect()
            .await;
        for (edge, result) in results {
            match result {
                Ok((ids, complete)) => {
                    if let Some(edge) = edge.and_then(|i| found.edges.get_mut(i)) {
                        edge.ids.extend(ids.iter().cloned());
                    }
                    found.ids.extend(ids);
                    found.complete &= complete;
                }
                Err(Stop::Failed(problem))
                    if problem.reason.is_token_problem()
                        && problem.reason != Reason::PermissionsChanged =>
                {
                    return Err(Stop::Failed(problem));
                }
                Err(Stop::Failed(problem)) => {
                    tracing::warn!(reason = ?problem.reason, "a business's ad accounts could not be read");
                    found.complete = false;
                }
                Err(Stop::Cancelled) => return Err(Stop::Cancelled),
            }
        }
        Ok(())
    }

    /// Every account of a business edge with its row fields. A failure ends
    /// the reading quietly with what was read: the accounts it did not bring
    /// are asked for one by one as before.
    pub(super) async fn edge_in_full(
        &self,
        edge: &Edge,
        cancel: &CancellationToken,
    ) -> Vec<FetchedAccount> {
        let first =
            calls::business_ad_accounts_in_full(&edge.business, edge.edge, self.opts.page_size);
        let pages = self.pages(Start::Call(first), Pager::token_wide(cancel));
        futures::pin_mut!(pages);
        let mut accounts = Vec::new();
        while let Some(page) = pages.next().await {
            let Ok(page) = page else {
                tracing::debug!(
                    "a business edge read in full stopped; its accounts are asked one by one"
                );
                break;
            };
            let now = Utc::now();
            accounts.extend(
                page.items
                    .into_iter()
                    .filter_map(|item| wire::account(item, now).ok()),
            );
        }
        accounts
    }

    /// Every account id of an edge from `start` on, and whether it was all read.
    async fn collect_ids(
        &self,
        start: Start<IdWire>,
        cancel: &CancellationToken,
    ) -> Result<(Vec<AccountId>, bool), Stop> {
        let pages = self.pages(start, Pager::token_wide(cancel));
        futures::pin_mut!(pages);
        let mut ids = Vec::new();
        let mut complete = true;
        while let Some(page) = pages.next().await {
            let page = page?;
            complete &= page.skipped == 0;
            ids.extend(page.items.iter().filter_map(IdWire::account_id));
        }
        Ok((ids, complete))
    }
}

/// The ids of one business's nested edges; the edges that go on.
fn read_edges(business: &BusinessWire, found: &mut Discovered) -> Vec<Continuation> {
    let mut more = Vec::new();
    for edge in BusinessEdge::ALL {
        let nested = match edge {
            BusinessEdge::Owned => business.owned_ad_accounts.clone(),
            BusinessEdge::Client => business.client_ad_accounts.clone(),
        };
        let Some(nested) = nested.filter(|v| !v.is_null()) else {
            continue;
        };
        let Ok(page) = Page::<IdWire>::from_value(nested) else {
            found.complete = false;
            continue;
        };
        found.complete &= page.skipped == 0;
        let ids: Vec<AccountId> = page.items.iter().filter_map(IdWire::account_id).collect();
        found.ids.extend(ids.iter().cloned());
        // Its place in `found.edges`, for a continuation to add its ids to.
        let place = business.id().map(|business| {
            found.edges.push(Edge {
                business,
                edge,
                ids,
            });
            found.edges.len() - 1
        });
        let start = match (business.id(), page.after, page.next) {
            (_, _, None) => continue,
            (Some(id), Some(after), Some(_)) => {
                Start::Call(calls::business_ad_accounts(&id, edge).after(&after))
            }
            (_, _, Some(link)) => Start::Link(link),
        };
        more.push(Continuation { start, edge: place });
    }
    more
}
