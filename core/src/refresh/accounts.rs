//! Refreshing given accounts (a row's icon, selected rows, `adkeep refresh
//! ID…`): node and last-30-days spend of 25 accounts per batch, batches in
//! parallel. No listing: the accounts asked for are taken as reachable.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::rendezvous::{Part, Rendezvous};
use super::stop::{FirstStop, Stop};
use super::{Engine, Progress, RowUpdate, RunReport, Sink};
use crate::graph::ids::AccountId;

/// Rows refreshed and failed so far.
#[derive(Default)]
pub(super) struct Counts {
    pub refreshed: AtomicUsize,
    pub failed: AtomicUsize,
    pub done: AtomicUsize,
}

impl Counts {
    /// Counts rows; returns how many are done in all.
    pub fn add(&self, rows: &[RowUpdate]) -> usize {
        for row in rows {
            match row {
                RowUpdate::Refreshed(_) => self.refreshed.fetch_add(1, Ordering::Relaxed),
                RowUpdate::Failed { .. } => self.failed.fetch_add(1, Ordering::Relaxed),
            };
        }
        self.done.fetch_add(rows.len(), Ordering::Relaxed) + rows.len()
    }
}

impl Engine {
    /// Refreshes the given accounts.
    pub async fn refresh_accounts(
        &self,
        ids: &[AccountId],
        sink: &dyn Sink,
        cancel: &CancellationToken,
    ) -> RunReport {
        let run = cancel.child_token();
        let total = ids.len();
        let counts = Counts::default();
        let stop = FirstStop::default();
        self.refresh_in_chunks(ids.to_vec(), &run, |result| match result {
            Ok(rows) => {
                let done = counts.add(&rows);
                sink.rows(rows);
                sink.progress(&Progress {
                    done,
                    total,
                    listing_complete: true,
                    waiting: None,
                });
            }
            Err(s) => {
                run.cancel();
                stop.record(s);
            }
        })
        .await;
        let mut report = RunReport {
            seen: ids.iter().cloned().collect(),
            reached: ids.iter().map(|id| (id.clone(), Vec::new())).collect(),
            listing_complete: true,
            refreshed: counts.refreshed.into_inner(),
            failed: counts.failed.into_inner(),
            ..RunReport::default()
        };
        report.apply_stop(stop.into_inner(), cancel);
        report
    }

    /// Refreshes accounts by id, 25 per batch (node and last-30-days insights
    /// each), batches in parallel; hands each batch's rows to `each`.
    async fn refresh_in_chunks<F: FnMut(Result<Vec<RowUpdate>, Stop>)>(
        &self,
        ids: Vec<AccountId>,
        run: &CancellationToken,
        mut each: F,
    ) {
        let per_batch = (self.opts.batch_size / 2).max(1);
        let chunks: Vec<Vec<AccountId>> =
            ids.chunks(per_batch).map(<[AccountId]>::to_vec).collect();
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
}

impl RunReport {
    /// Records what stopped a run, if anything.
    pub(super) fn apply_stop(&mut self, stop: Option<Stop>, outer: &CancellationToken) {
        match stop {
            Some(Stop::Failed(problem)) => self.problem = Some(problem),
            Some(Stop::Cancelled) => self.cancelled = true,
            None => {}
        }
        if outer.is_cancelled() {
            self.cancelled = true;
        }
    }
}
