//! The one paginator every listing uses: a stream of `Page<T>`, each page
//! fetched (and retried) only after the previous one arrived. It follows
//! `paging.next` only through the client's link check, and keeps the bounds
//! of `graph::paging` (page cap, empty pages in a row, no repeats). A page
//! that arrived is always handed over; a refused link or a broken bound then
//! ends the stream with one error, so the listing is known to be incomplete.

use std::sync::atomic::AtomicUsize;

use futures::Stream;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::Engine;
use super::request::Get;
use super::stop::Stop;
use crate::graph::Call;
use crate::graph::error::GraphError;
use crate::graph::ids::AccountId;
use crate::graph::links::page_key;
use crate::graph::page::Page;
use crate::graph::paging::PageGuard;
use crate::problem::{self, Scope};

/// Where a listing starts: a call, or the next link of a page read inside
/// another answer (a nested edge).
pub(super) enum Start<T> {
    Call(Call<Page<T>>),
    Link(String),
}

/// What a listing is about, and how it may be interrupted.
#[derive(Clone, Copy)]
pub(super) struct Pager<'e> {
    pub scope: Scope,
    pub account: Option<&'e AccountId>,
    /// The page size that shrinks when Meta asks for less data.
    pub size: Option<&'e AtomicUsize>,
    pub cancel: &'e CancellationToken,
}

impl<'e> Pager<'e> {
    pub fn token_wide(cancel: &'e CancellationToken) -> Self {
        Self {
            scope: Scope::Token,
            account: None,
            size: None,
            cancel,
        }
    }

    pub fn sized(mut self, size: &'e AtomicUsize) -> Self {
        self.size = Some(size);
        self
    }

    pub fn about(mut self, account: &'e AccountId) -> Self {
        self.scope = Scope::Account;
        self.account = Some(account);
        self
    }
}

enum Step {
    Fetch(Url, PageGuard),
    Fail(Stop),
    Done,
}

impl Engine {
    /// The pages of a listing, in order.
    pub(super) fn pages<'e, T: DeserializeOwned + 'e>(
        &'e self,
        start: Start<T>,
        pager: Pager<'e>,
    ) -> impl Stream<Item = Result<Page<T>, Stop>> + 'e {
        let first = self.first_step(start, &pager);
        futures::stream::unfold(first, move |step| async move {
            match step {
                Step::Done => None,
                Step::Fail(stop) => Some((Err(stop), Step::Done)),
                Step::Fetch(url, guard) => Some(self.fetch_page(url, guard, pager).await),
            }
        })
    }

    fn first_step<T>(&self, start: Start<T>, pager: &Pager<'_>) -> Step {
        let url = match start {
            Start::Call(call) => self.url(&call),
            Start::Link(raw) => self
                .client
                .next_url(&raw)
                .map_err(|e| self.stop_for(&e, pager)),
        };
        match url {
            Ok(url) => {
                let guard = PageGuard::starting_at(page_key(&url));
                Step::Fetch(url, guard)
            }
            Err(stop) => Step::Fail(stop),
        }
    }

    async fn fetch_page<T: DeserializeOwned>(
        &self,
        url: Url,
        mut guard: PageGuard,
        pager: Pager<'_>,
    ) -> (Result<Page<T>, Stop>, Step) {
        let get = Get {
            url,
            scope: pager.scope,
            account: pager.account,
            size: pager.size,
        };
        match self.call::<Page<T>>(get, pager.cancel).await {
            Ok(reply) => {
                let page = reply.body;
                let step = match self.step_after(&page, &mut guard, &pager) {
                    Ok(Some(url)) => Step::Fetch(url, guard),
                    Ok(None) => Step::Done,
                    Err(stop) => Step::Fail(stop),
                };
                (Ok(page), step)
            }
            Err(stop) => (Err(stop), Step::Done),
        }
    }

    /// The next page's URL, `None` at the end, or the stop that ends the
    /// listing (carried as `Step::Fail` after this page is handed over).
    fn step_after<T>(
        &self,
        page: &Page<T>,
        guard: &mut PageGuard,
        pager: &Pager<'_>,
    ) -> Result<Option<Url>, Stop> {
        let next = match &page.next {
            None => None,
            Some(raw) => Some(
                self.client
                    .next_url(raw)
                    .map_err(|e| self.stop_for(&e, pager))?,
            ),
        };
        let items = page.items.len().saturating_add(page.skipped);
        guard
            .admit(
                items,
                page.after.as_deref(),
                next.as_ref().map(page_key).as_deref(),
            )
            .map_err(|e| self.stop_for(&e, pager))?;
        Ok(next)
    }

    fn stop_for(&self, error: &GraphError, pager: &Pager<'_>) -> Stop {
        tracing::warn!(error = %error.summary(), "a listing stopped early");
        let problem = problem::classify(error, &self.ctx(pager.scope, 0));
        Stop::Failed(self.link(problem, pager.account))
    }
}
