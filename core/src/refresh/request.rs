//! One read, as the engine makes it: in turn with the governor, counted,
//! its usage headers observed, and retried after passing failures.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::Engine;
use super::stop::{Stop, jitter, sleep_or_cancel};
use super::waits::{Wait, WaitFor};
use crate::graph::Call;
use crate::graph::client::Reply;
use crate::graph::error::{FailureKind, GraphError};
use crate::graph::ids::AccountId;
use crate::graph::links;
use crate::problem::{self, Context, Problem, Reason, Scope};

/// One GET: a URL built from a call or a checked next link, whose failure
/// concerns the token or one account, and the page size it may shrink.
pub(super) struct Get<'a> {
    pub url: Url,
    pub scope: Scope,
    pub account: Option<&'a AccountId>,
    pub size: Option<&'a AtomicUsize>,
}

impl Get<'_> {
    pub fn token_wide(url: Url) -> Self {
        Self {
            url,
            scope: Scope::Token,
            account: None,
            size: None,
        }
    }

    fn url_now(&self) -> Url {
        match self.size {
            Some(size) => links::with_limit(&self.url, size.load(Ordering::Relaxed)),
            None => self.url.clone(),
        }
    }
}

impl Engine {
    /// A call's URL, or the failure to build it as a final stop.
    pub(super) fn url<T>(&self, call: &Call<T>) -> Result<Url, Stop> {
        self.client
            .url_of(call)
            .map_err(|e| Stop::Failed(problem::classify(&e, &self.ctx(Scope::Token, 0))))
    }

    pub(super) fn ctx(&self, scope: Scope, attempt: u32) -> Context {
        let mut ctx = Context::new(scope, Utc::now());
        ctx.attempt = attempt;
        ctx
    }

    pub(super) fn link(&self, problem: Problem, account: Option<&AccountId>) -> Problem {
        problem.with_links(
            &self.client.endpoints().facebook,
            account.map(AccountId::numeric),
        )
    }

    /// Classifies a failure (probing `/me` when the codes alone cannot tell).
    pub(super) async fn classify(&self, error: &GraphError, scope: Scope, attempt: u32) -> Problem {
        let mut ctx = self.ctx(scope, attempt);
        if problem::needs_token_probe(error) {
            let probe = self.client.get(&crate::api::calls::me()).await;
            ctx.token_ok = Some(probe.is_ok());
        }
        problem::classify(error, &ctx)
    }

    async fn send<T: DeserializeOwned>(&self, get: &Get<'_>) -> Result<Reply<T>, GraphError> {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let result = super::deadline::bounded(self.client.get_url::<T>(get.url_now())).await;
        let numeric = get.account.map(AccountId::numeric);
        match &result {
            Ok(reply) => self.governor.observe(&reply.usage, numeric),
            Err(error) => self.governor.observe(&error.usage, numeric),
        }
        result
    }

    /// One read with retries for passing failures.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        get: Get<'_>,
        cancel: &CancellationToken,
    ) -> Result<Reply<T>, Stop> {
        // The account listing's page size also grows back after good pages.
        let is_listing = get.size.is_some_and(|s| std::ptr::eq(s, &self.page_size));
        let mut attempt = 0;
        loop {
            if cancel.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            self.my_turn(cancel).await?;
            if let Some(account) = get.account {
                self.account_turn(account, cancel).await?;
            }
            let error = match self.send::<T>(&get).await {
                Ok(reply) => {
                    if is_listing {
                        self.page_succeeded();
                    }
                    return Ok(reply);
                }
                Err(error) => error,
            };
            if let Some(size) = get.size
                && asks_for_less_data(&error)
                && attempt + 1 < self.opts.max_attempts
                && self.halve_page_size(size, is_listing)
            {
                // Smaller pages, at once: this is not an outage.
                attempt += 1;
                continue;
            }
            let problem = self.link(self.classify(&error, get.scope, attempt).await, get.account);
            let wait = error
                .is_retryable()
                .then(|| self.retry_wait(&problem, get.account, get.scope))
                .flatten();
            match wait {
                Some(wait) if attempt + 1 < self.opts.max_attempts => {
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(reason = ?problem.reason, ?wait, "retrying after a passing failure");
                    self.wait_out(wait, WaitFor::after(problem.reason), cancel)
                        .await?;
                    attempt += 1;
                }
                _ => return Err(Stop::Failed(problem)),
            }
        }
    }

    /// Waits for the governor, unless it holds requests back longer than this
    /// engine may wait: then the wait is reported as a rate limit that ends
    /// the run, saying when access returns.
    pub(super) async fn my_turn(&self, cancel: &CancellationToken) -> Result<(), Stop> {
        // Never past the run's deadline: a longer pause ends the run instead.
        let most = super::deadline::remaining()
            .map_or(self.opts.max_wait, |left| left.min(self.opts.max_wait));
        let until = match self.governor.reserve_turn(most) {
            Ok(wake) => {
                let length = wake.saturating_duration_since(tokio::time::Instant::now());
                return self.wait_out(length, WaitFor::AccessLimit, cancel).await;
            }
            Err(until) => until,
        };
        let wait = until.saturating_duration_since(tokio::time::Instant::now());
        let retry_at = super::stop::when_after(wait);
        Err(Stop::Failed(self.held_back(retry_at, Scope::Token, None)))
    }

    /// Whether this engine waits `wait` in place: no longer than it may, and
    /// never past the run's deadline.
    pub(super) fn may_wait(&self, wait: Duration) -> bool {
        wait <= self.opts.max_wait && super::deadline::fits(wait)
    }

    /// Waits while the governor holds this account's reads back, unless that
    /// is longer than this engine may wait: then the account's read fails as
    /// held back (the run goes on).
    async fn account_turn(
        &self,
        account: &AccountId,
        cancel: &CancellationToken,
    ) -> Result<(), Stop> {
        let Some(until) = self.governor.account_ready_at(account.numeric()) else {
            return Ok(());
        };
        let wait = until.saturating_duration_since(tokio::time::Instant::now());
        if self.may_wait(wait) {
            return self.wait_out(wait, WaitFor::AccessLimit, cancel).await;
        }
        let retry_at = super::stop::when_after(wait);
        Err(Stop::Failed(self.held_back(
            retry_at,
            Scope::Account,
            Some(account),
        )))
    }

    /// Waits `length` (on the board of waits when it is long enough to
    /// mention), unless the work is cancelled first.
    pub(super) async fn wait_out(
        &self,
        length: Duration,
        why: WaitFor,
        cancel: &CancellationToken,
    ) -> Result<(), Stop> {
        if length.is_zero() {
            return Ok(());
        }
        let _told = self.waits.begin(Wait::lasting(length, why));
        let mut hurried = self.governor.hurried();
        tokio::select! {
            stopped = sleep_or_cancel(length, cancel) => stopped,
            // "Try now": the wait is over (the governor's pauses lifted too).
            Ok(()) = hurried.changed() => Ok(()),
        }
    }

    /// The problem when Adkeep itself holds requests back (Meta's usage
    /// headers say a quota is nearly used up) for longer than it may wait.
    pub(super) fn held_back(
        &self,
        retry_at: DateTime<Utc>,
        scope: Scope,
        account: Option<&AccountId>,
    ) -> Problem {
        let error = GraphError {
            kind: FailureKind::Api,
            code: Some(17),
            message: "Adkeep paused: Meta's usage headers say an access limit is nearly used up"
                .to_owned(),
            ..GraphError::timeout("")
        };
        let mut problem = problem::classify(&error, &self.ctx(scope, 0));
        problem.code = None;
        problem.retry_at = Some(retry_at);
        self.link(problem, account)
    }

    /// How long to wait before retrying, or `None` if this failure is final.
    pub(super) fn retry_wait(
        &self,
        problem: &Problem,
        account: Option<&AccountId>,
        scope: Scope,
    ) -> Option<Duration> {
        if !problem.reason.retries_by_itself() {
            return None;
        }
        let until = problem.retry_at.unwrap_or_else(Utc::now);
        let wait = (until - Utc::now()).to_std().unwrap_or_default();
        let token_wide = problem.scope == Scope::Token || scope == Scope::Token;
        if problem.reason == Reason::RateLimited {
            self.stats.rate_limit_errors.fetch_add(1, Ordering::Relaxed);
            let target = if token_wide {
                None
            } else {
                account.map(AccountId::numeric)
            };
            self.governor.penalize(wait, target);
        }
        let limit = if problem.reason == Reason::RateLimited && token_wide {
            self.opts.max_token_wait
        } else {
            self.opts.max_wait
        };
        // Decide on Meta's hint, then jitter: jittering first would let a
        // hint just past the limit sometimes pass as waitable.
        (wait <= limit && super::deadline::fits(wait)).then(|| jitter(wait))
    }

    /// Halves a page size; `false` when it is already as small as it goes.
    fn halve_page_size(&self, size: &AtomicUsize, is_listing: bool) -> bool {
        let current = size.load(Ordering::Relaxed);
        let smaller = (current / 2).max(MIN_PAGE_SIZE);
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
}

/// The smallest page a listing shrinks to.
pub(super) const MIN_PAGE_SIZE: usize = 5;

/// Meta's "reduce the amount of data" (code 1 on a 5xx), or an answer larger
/// than Adkeep reads: both call for smaller pages.
fn asks_for_less_data(error: &GraphError) -> bool {
    let reduce = error.code == Some(1)
        && error.http_status.is_some_and(|s| s >= 500)
        && error.subcode.is_none();
    reduce || error.kind == FailureKind::TooLarge
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::governor::Governor;
    use crate::graph::client::GraphClient;
    use crate::problem::Action;
    use crate::refresh::EngineOptions;

    fn engine() -> Engine {
        let client = GraphClient::new(
            reqwest::Client::new(),
            Arc::new(crate::graph::Endpoints::default()),
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

    #[test]
    fn oversized_answers_shrink_pages() {
        assert!(asks_for_less_data(&GraphError::too_large(200, "big")));
        assert!(!asks_for_less_data(&GraphError::refused(
            Some(200),
            "elsewhere"
        )));
    }
}
