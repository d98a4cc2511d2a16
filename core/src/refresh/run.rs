//! Refresh-all: the listing, the accounts found through businesses, what is
//! asked ahead for accounts known from the last run, `/me` and
//! `/me/permissions` all run side by side; rows are finished (see `rows`) as
//! their parts arrive and reported to the sink.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::accounts::Counts;
use super::listing::{Discovered, Edge};
use super::rendezvous::{Need, Part, Rendezvous};
use super::request::Get;
use super::stop::{FirstStop, Stop};
use super::{Engine, Known, Progress, RowUpdate, RunReport, Share, Sink};
use crate::api::calls;
use crate::api::wire::{FetchedAccount, MeWire};
use crate::graph::ids::AccountId;
use crate::model::{Account, Permissions, Profile};
use crate::problem::{Problem, Scope};

/// What the refresh-all pipeline works on.
enum Work {
    /// Parts of known accounts' rows, asked for ahead of the listing.
    Ahead(Vec<Need>),
    /// Listed accounts that still need their last-30-days spend.
    Listed(Vec<FetchedAccount>),
    /// Accounts found only through a business: confirmed, read in full
    /// unless asked ahead.
    Ids(Vec<AccountId>),
    /// Fields read from a business edge before the listing reached the
    /// accounts (not confirmed by this alone).
    Prefilled(Vec<FetchedAccount>),
}

/// One refresh-all in progress.
struct Run<'a> {
    engine: &'a Engine,
    /// Who else refreshes side by side (`None`: this login alone).
    share: Option<Share<'a>>,
    sink: &'a dyn Sink,
    cancel: CancellationToken,
    meet: Rendezvous,
    stop: FirstStop,
    seen: Mutex<HashSet<AccountId>>,
    reached: Mutex<std::collections::HashMap<AccountId, Vec<String>>>,
    business_only: Mutex<HashSet<AccountId>>,
    /// Accounts the last run found (asked ahead).
    known: HashSet<AccountId>,
    counts: Counts,
    listing_done: AtomicBool,
    business_complete: AtomicBool,
    unreadable: AtomicUsize,
}

impl Engine {
    /// Lists every account and refreshes each one. What the last run found
    /// (`known`) is asked for alongside the listing rather than after it.
    pub async fn refresh_all(
        &self,
        known: Known,
        sink: &dyn Sink,
        cancel: &CancellationToken,
    ) -> RunReport {
        self.refresh_all_shared(known, None, sink, cancel).await
    }

    /// Refresh-all as one of several logins: accounts another login claims
    /// are only noted as reached, not fetched (see `Claims`).
    pub async fn refresh_all_shared(
        &self,
        known: Known,
        share: Option<Share<'_>>,
        sink: &dyn Sink,
        cancel: &CancellationToken,
    ) -> RunReport {
        let mut run = Run::new(self, share, sink, cancel.child_token());
        let ahead = self.ahead_of_listing(known);
        for needs in &ahead {
            run.meet.asked_ahead(needs);
            run.known.extend(needs.iter().map(|n| n.id.clone()));
        }
        let (tx, rx) = mpsc::channel::<Work>(64);
        let work = async {
            tokio::join!(
                run.list(tx),
                run.fill(ahead, rx),
                run.permissions(),
                run.profile()
            )
        };
        let ((), (), permissions, profile) = run.telling_waits(work).await;
        run.report(permissions, profile, cancel)
    }

    /// What to ask for alongside the listing, in batch-sized groups: known
    /// listed accounts' spend, and known business-only accounts' fields and
    /// spend.
    fn ahead_of_listing(&self, known: Known) -> Vec<Vec<Need>> {
        let size = self.opts.batch_size.max(1);
        let need = |fields| {
            move |id: AccountId| Need {
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
}

impl<'a> Run<'a> {
    fn new(
        engine: &'a Engine,
        share: Option<Share<'a>>,
        sink: &'a dyn Sink,
        cancel: CancellationToken,
    ) -> Self {
        Self {
            engine,
            share,
            sink,
            cancel,
            meet: Rendezvous::default(),
            stop: FirstStop::default(),
            seen: Mutex::default(),
            reached: Mutex::default(),
            business_only: Mutex::default(),
            known: HashSet::new(),
            counts: Counts::default(),
            listing_done: AtomicBool::new(false),
            business_complete: AtomicBool::new(true),
            unreadable: AtomicUsize::new(0),
        }
    }

    /// A stop that ends the run cancels everything still going.
    fn record_stop(&self, stop: Stop) {
        if stop.ends_run() {
            self.cancel.cancel();
            self.stop.record(stop);
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, HashSet<AccountId>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether this run refreshes `id` (always, unless another login claims it).
    fn mine(&self, id: &AccountId) -> bool {
        self.share.is_none_or(|s| s.claims.take(id, s.me))
    }

    /// Notes accounts this login reaches (`tasks` `None`: through a business).
    fn reach<'i>(&self, found: impl Iterator<Item = (&'i AccountId, Option<&'i Vec<String>>)>) {
        let mut reached = self.reached.lock().unwrap_or_else(|p| p.into_inner());
        for (id, tasks) in found {
            let entry = reached.entry(id.clone()).or_default();
            if let Some(tasks) = tasks {
                entry.clone_from(tasks);
            }
        }
    }

    fn progress(&self, done: usize) {
        self.sink.progress(&Progress {
            done,
            total: self.seen().len(),
            listing_complete: self.listing_done.load(Ordering::Relaxed),
            waiting: self.engine.waits.current(),
        });
    }

    /// Does the work, telling the progress each time a wait begins or ends
    /// (a wait may begin before the first row and last minutes).
    async fn telling_waits<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        let mut changes = self.engine.waits.subscribe();
        futures::pin_mut!(work);
        loop {
            tokio::select! {
                out = &mut work => return out,
                Ok(()) = changes.changed() => {
                    self.progress(self.counts.done.load(Ordering::Relaxed));
                }
            }
        }
    }

    /// The listing and the business discovery, feeding one stream of work.
    /// Accounts only a business reaches are known once the listing ended
    /// and the business edges read in full are in.
    async fn list(&self, tx: mpsc::Sender<Work>) {
        let (listed_tx, listed) = tokio::sync::oneshot::channel::<()>();
        let listing = async {
            match self.listing(&tx).await {
                Ok(unreadable) => {
                    self.unreadable.fetch_add(unreadable, Ordering::Relaxed);
                    self.listing_done.store(true, Ordering::Relaxed);
                }
                Err(stop) => self.record_stop(stop),
            }
            let _ = listed_tx.send(());
        };
        let business = async {
            let found = match self.engine.business_accounts(&self.cancel).await {
                Ok(Some(found)) => found,
                Ok(None) => return,
                Err(stop) => return self.record_stop(stop),
            };
            self.spend_ahead(&found, &tx).await;
            // The edges' fields come first: confirmed before them, an account
            // only a business reaches would be asked for on its own, and held
            // back if its spend met a limit meanwhile.
            self.fields_ahead(&found, &tx).await;
            let _ = listed.await;
            self.business_found(&found, &tx).await;
        };
        tokio::join!(listing, business);
    }

    /// `/me/adaccounts`, each page's accounts sent on as work.
    async fn listing(&self, tx: &mpsc::Sender<Work>) -> Result<usize, Stop> {
        self.engine
            .list_accounts(&self.cancel, |mut accounts| {
                self.seen()
                    .extend(accounts.iter().map(|f| f.account.id.clone()));
                self.reach(
                    accounts
                        .iter()
                        .map(|f| (&f.account.id, Some(&f.account.tasks))),
                );
                accounts.retain(|f| self.mine(&f.account.id));
                self.progress(self.counts.done.load(Ordering::Relaxed));
                let tx = tx.clone();
                async move { accounts.is_empty() || tx.send(Work::Listed(accounts)).await.is_ok() }
            })
            .await
    }

    /// Asks now for the spend of accounts a business reaches that the
    /// listing has not brought yet: listed later or not at all, each needs
    /// it, and asked only once the listing ended, it would trail the run by
    /// several round trips (a first run does not know which are
    /// business-only). Another login's claims are left alone.
    async fn spend_ahead(&self, found: &Discovered, tx: &mpsc::Sender<Work>) {
        let open: Vec<AccountId> = {
            let seen = self.seen();
            found
                .ids
                .iter()
                .filter(|id| !seen.contains(*id))
                .filter(|id| self.share.is_none_or(|s| s.claims.is_open_to(id, s.me)))
                .cloned()
                .collect()
        };
        let needs = self.meet.claim_spend(open);
        for chunk in needs.chunks(self.engine.opts.batch_size.max(1)) {
            if self.cancel.is_cancelled() || tx.send(Work::Ahead(chunk.to_vec())).await.is_err() {
                break;
            }
        }
    }

    /// Reads in full, beside the listing, the business edges that hold
    /// accounts this run knows nothing of yet — when reading an edge costs
    /// no more calls than asking its unknown accounts one by one. A first
    /// run then finds the accounts only a business reaches already read when
    /// the listing ends, instead of asking for them after it.
    async fn fields_ahead(&self, found: &Discovered, tx: &mpsc::Sender<Work>) {
        // A listing that already ended leaves nothing to read beside: asking
        // the few accounts left one by one is one round trip, an edge more.
        if self.listing_done.load(Ordering::Relaxed) {
            return;
        }
        let page = self.engine.opts.page_size.max(1);
        let worth_reading: Vec<usize> = {
            let seen = self.seen();
            let unknown = |edge: &Edge| {
                edge.ids
                    .iter()
                    .filter(|id| !seen.contains(*id) && !self.known.contains(*id))
                    .count()
            };
            (0..found.edges.len())
                .filter(|&i| {
                    let edge = &found.edges[i];
                    let unknown = unknown(edge);
                    unknown > 0 && unknown >= edge.ids.len().div_ceil(page)
                })
                .collect()
        };
        let (engine, cancel) = (self.engine, &self.cancel);
        let mut reads = futures::stream::iter(worth_reading)
            .map(|i| engine.edge_in_full(&found.edges[i], cancel))
            .buffer_unordered((engine.opts.concurrency / 2).max(1));
        while let Some(mut accounts) = reads.next().await {
            accounts.retain(|f| !self.seen().contains(&f.account.id));
            if !accounts.is_empty() && tx.send(Work::Prefilled(accounts)).await.is_err() {
                break;
            }
        }
    }

    /// Queues the accounts only a business reaches (the rest are listed).
    async fn business_found(&self, found: &Discovered, tx: &mpsc::Sender<Work>) {
        self.business_complete
            .store(found.complete, Ordering::Relaxed);
        let extra: Vec<AccountId> = {
            let mut seen = self.seen();
            let extra: Vec<AccountId> = found
                .ids
                .iter()
                .filter(|id| !seen.contains(*id))
                .cloned()
                .collect();
            seen.extend(extra.iter().cloned());
            extra
        };
        self.reach(extra.iter().map(|id| (id, None)));
        let extra: Vec<AccountId> = extra.into_iter().filter(|id| self.mine(id)).collect();
        self.business_only
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(extra.iter().cloned());
        // Their spend was claimed when the business was read (`spend_ahead`):
        // what is left is a field request each.
        for chunk in extra.chunks(self.engine.opts.batch_size.max(1)) {
            if self.cancel.is_cancelled() || tx.send(Work::Ids(chunk.to_vec())).await.is_err() {
                break;
            }
        }
    }

    /// Does the work as it comes: what is asked ahead interleaved with what
    /// the listing finds, so neither waits for all of the other.
    async fn fill(&self, ahead: Vec<Vec<Need>>, mut rx: mpsc::Receiver<Work>) {
        let size = self.engine.opts.batch_size.max(1);
        let listed = futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
            .flat_map(|work| futures::stream::iter(split(work, size)));
        let ahead = futures::stream::iter(ahead.into_iter().map(Work::Ahead));
        futures::stream::select(ahead, listed)
            .map(|work| self.work(work))
            .buffer_unordered(self.engine.opts.concurrency.max(1))
            .for_each(|result| {
                self.rows(result);
                futures::future::ready(())
            })
            .await;
    }

    async fn work(&self, work: Work) -> Result<Vec<RowUpdate>, Stop> {
        let (engine, cancel) = (self.engine, &self.cancel);
        match work {
            Work::Ahead(needs) => {
                let parts = engine.fetch_parts(&needs, cancel).await?;
                engine.gather(parts, &self.meet, cancel).await
            }
            Work::Listed(accounts) => {
                let listed: Vec<Account> = accounts.iter().map(|f| f.account.clone()).collect();
                let parts = accounts.into_iter().map(|fetched| {
                    let id = fetched.account.id.clone();
                    (id, vec![Part::Fields(Ok(fetched)), Part::Confirmed])
                });
                let gathered = engine.gather(parts.collect(), &self.meet, cancel).await;
                gathered.or_else(|stop| self.keep_listed(listed, stop))
            }
            Work::Ids(ids) => {
                let parts = ids.into_iter().map(|id| (id, vec![Part::Confirmed]));
                engine.gather(parts.collect(), &self.meet, cancel).await
            }
            Work::Prefilled(accounts) => {
                let parts = accounts.into_iter().map(|fetched| {
                    let id = fetched.account.id.clone();
                    (id, vec![Part::Prefilled(fetched)])
                });
                engine.gather(parts.collect(), &self.meet, cancel).await
            }
        }
    }

    /// A run that stopped (a limit, a broken token) before these listed
    /// accounts were finished: they keep what the listing gave and say why
    /// they were not refreshed. A stop asked for by the person drops them.
    fn keep_listed(&self, listed: Vec<Account>, stop: Stop) -> Result<Vec<RowUpdate>, Stop> {
        let problem = match &stop {
            Stop::Failed(problem) => Some(problem.clone()),
            Stop::Cancelled => self.stop.problem(),
        };
        let Some(problem) = problem else {
            return Err(stop);
        };
        self.record_stop(stop);
        let problem = Problem {
            scope: Scope::Account,
            ..problem
        };
        Ok(listed
            .into_iter()
            .map(|account| RowUpdate::Failed {
                id: account.id.clone(),
                problem: problem.clone(),
                listed: Some(Box::new(account)),
            })
            .collect())
    }

    fn rows(&self, result: Result<Vec<RowUpdate>, Stop>) {
        match result {
            Ok(rows) => {
                let done = self.counts.add(&rows);
                self.sink.rows(rows);
                self.progress(done);
            }
            Err(stop) => self.record_stop(stop),
        }
    }

    async fn permissions(&self) -> Option<Permissions> {
        match self.engine.permissions_with(&self.cancel).await {
            Ok(permissions) => Some(permissions),
            Err(Stop::Failed(problem)) if problem.reason.is_token_problem() => {
                self.record_stop(Stop::Failed(Problem {
                    scope: Scope::Token,
                    ..problem
                }));
                None
            }
            Err(_) => None,
        }
    }

    async fn profile(&self) -> Option<Profile> {
        let url = self.engine.url(&calls::me()).ok()?;
        let reply = self
            .engine
            .call::<MeWire>(Get::token_wide(url), &self.cancel)
            .await
            .ok()?;
        reply.body.profile()
    }

    fn report(
        self,
        permissions: Option<Permissions>,
        profile: Option<Profile>,
        outer: &CancellationToken,
    ) -> RunReport {
        let unreadable = self.unreadable.into_inner();
        let complete = self.listing_done.into_inner()
            && self.business_complete.into_inner()
            && unreadable == 0;
        let mut report = RunReport {
            seen: self.seen.into_inner().unwrap_or_else(|p| p.into_inner()),
            listing_complete: complete,
            refreshed: self.counts.refreshed.into_inner(),
            failed: self.counts.failed.into_inner(),
            unreadable,
            permissions,
            profile,
            business_only: self
                .business_only
                .into_inner()
                .unwrap_or_else(|p| p.into_inner()),
            reached: self.reached.into_inner().unwrap_or_else(|p| p.into_inner()),
            problem: None,
            cancelled: false,
        };
        report.apply_stop(self.stop.into_inner(), outer);
        if report.problem.is_some() || report.cancelled {
            report.listing_complete = false;
        }
        report
    }
}

/// Listed accounts in batch-sized groups; other work as it is.
fn split(work: Work, size: usize) -> Vec<Work> {
    match work {
        Work::Listed(accounts) => accounts
            .chunks(size)
            .map(|chunk| Work::Listed(chunk.to_vec()))
            .collect(),
        other => vec![other],
    }
}
