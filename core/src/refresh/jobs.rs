//! Batches: the per-account reads of a row (its node, its last-30-days
//! spend and ad limit) go to Meta up to 50 at a time. Only the items that failed for a
//! passing reason (and `null` items) are sent again, each after its own
//! wait; an account the governor holds back waits without holding back the
//! others.

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Engine;
use super::stop::{Stop, jitter};
use super::waits::WaitFor;
use crate::api::calls;
use crate::graph::batch::BatchOutcome;
use crate::graph::client::Reply;
use crate::graph::error::GraphError;
use crate::graph::ids::AccountId;
use crate::problem::{self, Problem, Scope};

/// One per-account read inside a batch.
#[derive(Debug)]
pub(super) struct Job {
    pub account: AccountId,
    relative_url: String,
    attempts: u32,
    not_before: Instant,
}

impl Job {
    /// The account node with every row field.
    pub fn node(account: &AccountId) -> Self {
        Self::new(account, calls::account(account).relative_url())
    }

    /// The account's spend on each of the last 30 days.
    pub fn spend(account: &AccountId) -> Self {
        Self::new(account, calls::insights_last_30d(account).relative_url())
    }

    /// The account's limit on ads running or in review (asked beside the
    /// spend, in the same batches).
    pub fn ad_volume(account: &AccountId) -> Self {
        Self::new(account, calls::ad_volume(account).relative_url())
    }

    /// A prepaid account's remaining funds.
    pub fn funding(account: &AccountId) -> Self {
        Self::new(account, calls::funding(account).relative_url())
    }

    fn new(account: &AccountId, relative_url: String) -> Self {
        Self {
            account: account.clone(),
            relative_url,
            attempts: 0,
            not_before: Instant::now(),
        }
    }
}

pub(super) type JobResult = Result<Reply<Value>, Problem>;

/// Which jobs may go now, or how long until one may.
enum Ready {
    Now(Vec<usize>),
    Wait(Duration),
    /// Longer than this run may wait: report them held back until then.
    TooLong(DateTime<Utc>),
}

impl Engine {
    /// Runs up to a batch worth of jobs; one result per job, in order.
    pub(super) async fn run_jobs(
        &self,
        mut jobs: Vec<Job>,
        cancel: &CancellationToken,
    ) -> Result<Vec<JobResult>, Stop> {
        let mut results: Vec<Option<JobResult>> = vec![None; jobs.len()];
        let mut batch_attempt = 0u32;
        let mut hurried = self.governor.hurried();
        loop {
            if cancel.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            let pending: Vec<usize> = (0..jobs.len()).filter(|&i| results[i].is_none()).collect();
            if pending.is_empty() {
                break;
            }
            let take = match self.ready_jobs(&jobs, &pending) {
                Ready::Now(take) => take,
                Ready::Wait(wait) => {
                    self.wait_out(wait, WaitFor::AccessLimit, cancel).await?;
                    if hurried.has_changed().unwrap_or(false) {
                        // "Try now": the next tries planned go at once too.
                        hurried.mark_unchanged();
                        jobs.iter_mut()
                            .for_each(|job| job.not_before = Instant::now());
                    }
                    continue;
                }
                Ready::TooLong(retry_at) => {
                    for i in pending {
                        let account = Some(&jobs[i].account);
                        results[i] = Some(Err(self.held_back(retry_at, Scope::Account, account)));
                    }
                    break;
                }
            };
            self.my_turn(cancel).await?;
            match self.send_batch(&jobs, &take).await {
                Ok(outcomes) => {
                    self.settle(&mut jobs, &mut results, &take, outcomes)
                        .await?
                }
                Err(error) => {
                    let failed = self.batch_failed(&error, batch_attempt, cancel).await?;
                    batch_attempt += 1;
                    if let Some(problem) = failed {
                        for &i in &take {
                            results[i] = Some(Err(problem.clone()));
                        }
                    }
                }
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(self.unreadable_problem("no result"))))
            .collect())
    }

    fn ready_jobs(&self, jobs: &[Job], pending: &[usize]) -> Ready {
        let now = Instant::now();
        let ready_at = |i: usize| -> Instant {
            let job = &jobs[i];
            let account = self.governor.account_ready_at(job.account.numeric());
            job.not_before.max(account.unwrap_or(now))
        };
        let ready: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|&i| ready_at(i) <= now)
            .take(self.opts.batch_size.max(1))
            .collect();
        if !ready.is_empty() {
            return Ready::Now(ready);
        }
        let earliest = pending.iter().map(|&i| ready_at(i)).min().unwrap_or(now);
        let wait = earliest.saturating_duration_since(now);
        // Longer than it may wait, or past the run's deadline: held back.
        if !self.may_wait(wait) {
            let retry_at = super::stop::when_after(wait);
            Ready::TooLong(retry_at)
        } else {
            Ready::Wait(wait)
        }
    }

    async fn send_batch(
        &self,
        jobs: &[Job],
        take: &[usize],
    ) -> Result<Vec<BatchOutcome>, GraphError> {
        let urls: Vec<String> = take.iter().map(|&i| jobs[i].relative_url.clone()).collect();
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let result = super::deadline::bounded(self.client.batch(&urls)).await;
        match &result {
            Ok(outcomes) => {
                for (&i, outcome) in take.iter().zip(outcomes) {
                    let account = Some(jobs[i].account.numeric());
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

    /// The whole batch failed: `Ok(None)` after waiting to send it again,
    /// `Ok(Some(problem))` for its items to fail with, or a stop for the run.
    async fn batch_failed(
        &self,
        error: &GraphError,
        attempt: u32,
        cancel: &CancellationToken,
    ) -> Result<Option<Problem>, Stop> {
        let problem = self.link(self.classify(error, Scope::Token, attempt).await, None);
        let wait = error
            .is_retryable()
            .then(|| self.retry_wait(&problem, None, Scope::Token))
            .flatten();
        match wait {
            Some(wait) if attempt + 1 < self.opts.max_attempts => {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                self.wait_out(wait, WaitFor::after(problem.reason), cancel)
                    .await?;
                Ok(None)
            }
            _ if problem.reason.is_token_problem() => Err(Stop::Failed(problem)),
            _ => Ok(Some(Problem {
                scope: Scope::Account,
                ..problem
            })),
        }
    }

    /// Records each item's outcome, or schedules its next try.
    async fn settle(
        &self,
        jobs: &mut [Job],
        results: &mut [Option<JobResult>],
        take: &[usize],
        outcomes: Vec<BatchOutcome>,
    ) -> Result<(), Stop> {
        for (&i, outcome) in take.iter().zip(outcomes) {
            let job = &mut jobs[i];
            match outcome {
                BatchOutcome::Ok(reply) => results[i] = Some(Ok(reply)),
                BatchOutcome::NotExecuted => {
                    job.attempts += 1;
                    if job.attempts >= self.opts.max_attempts {
                        let error =
                            GraphError::timeout("Meta did not run this request in its batch");
                        let ctx = self.ctx(Scope::Account, job.attempts);
                        results[i] = Some(Err(problem::classify(&error, &ctx)));
                    } else {
                        self.stats.retries.fetch_add(1, Ordering::Relaxed);
                        job.not_before =
                            Instant::now() + jitter(problem::transient_backoff(job.attempts - 1));
                    }
                }
                BatchOutcome::Failed(error) => {
                    if let Some(problem) = self.item_failed(job, &error).await? {
                        results[i] = Some(Err(problem));
                    }
                }
            }
        }
        Ok(())
    }

    /// One item failed: its final problem, or `None` once its next try is
    /// scheduled; a token-wide problem stops the run.
    async fn item_failed(
        &self,
        job: &mut Job,
        error: &GraphError,
    ) -> Result<Option<Problem>, Stop> {
        let problem = self.classify(error, Scope::Account, job.attempts).await;
        let problem = self.link(problem, Some(&job.account));
        if problem.scope == Scope::Token && problem.reason.is_token_problem() {
            return Err(Stop::Failed(problem));
        }
        let wait = error
            .is_retryable()
            .then(|| self.retry_wait(&problem, Some(&job.account), Scope::Account))
            .flatten();
        job.attempts += 1;
        match wait {
            Some(wait) if job.attempts < self.opts.max_attempts => {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                job.not_before = Instant::now() + wait;
                Ok(None)
            }
            _ => Ok(Some(problem)),
        }
    }

    /// A row part that came back but could not be used.
    pub(super) fn unreadable_problem(&self, message: &str) -> Problem {
        problem::classify(
            &GraphError::malformed(200, message.to_owned()),
            &self.ctx(Scope::Account, 0),
        )
    }
}
