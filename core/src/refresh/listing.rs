//! The token-wide reads: who the token belongs to, its permissions, the
//! accounts `/me/adaccounts` lists, and the accounts reached only through a
//! business. Every listing goes through the one paginator (`pages`).

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::AtomicUsize;

use chrono::Utc;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::Engine;
use super::pages::{Pager, Start};
use super::request::Get;
use super::stop::Stop;
use crate::api::calls::{self, BusinessEdge};
use crate::api::wire::{self, BusinessWire, FetchedAccount, IdWire, MeWire};
use crate::graph::error::GraphError;
use crate::graph::ids::AccountId;
use crate::graph::page::Page;
use crate::model::{Permissions, Profile};
use crate::problem::{self, Problem, Reason, Scope};

/// Page size of `/me/businesses` (each business carries two nested edges).
const BUSINESSES_PER_PAGE: usize = 50;

/// Accounts reached through businesses, and whether every edge was read.
pub(super) struct Discovered {
    pub ids: HashSet<AccountId>,
    pub complete: bool,
}

/// A business edge with more accounts than its nested page held.
struct Continuation {
    start: Start<IdWire>,
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
    /// `each`; returns how many listed items could not be read.
    pub(super) async fn list_accounts<F, Fut>(
        &self,
        cancel: &CancellationToken,
        mut each: F,
    ) -> Result<usize, Stop>
    where
        F: FnMut(Vec<FetchedAccount>) -> Fut,
        Fut: Future<Output = bool>,
    {
        let first = calls::ad_accounts(self.current_page_size());
        let pager = Pager::token_wide(cancel).sized(&self.page_size);
        let pages = self.pages(Start::Call(first), pager);
        futures::pin_mut!(pages);
        let mut unreadable = 0usize;
        while let Some(page) = pages.next().await {
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
        let results: Vec<Result<(Vec<AccountId>, bool), Stop>> = futures::stream::iter(more)
            .map(|more| self.collect_ids(more.start, cancel))
            .buffer_unordered(self.opts.concurrency.max(1))
            .collect()
            .await;
        for result in results {
            match result {
                Ok((ids, complete)) => {
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
        found
            .ids
            .extend(page.items.iter().filter_map(IdWire::account_id));
        let start = match (business.id(), page.after, page.next) {
            (_, _, None) => continue,
            (Some(id), Some(after), Some(_)) => {
                Start::Call(calls::business_ad_accounts(&id, edge).after(&after))
            }
            (_, _, Some(link)) => Start::Link(link),
        };
        more.push(Continuation { start });
    }
    more
}
