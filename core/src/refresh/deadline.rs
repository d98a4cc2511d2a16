//! A run's deadline: a refresh (and every retry inside it) ends by then,
//! whatever the server does. Set around the run (`within`), read where the
//! engine waits or sends (`remaining`); a task-local, so engines shared by
//! several runs each keep their own run's time.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::graph::error::GraphError;

/// A try needs at least this long to be worth starting.
pub const MIN_TRY: Duration = Duration::from_secs(2);

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `work` with `budget` as its deadline.
pub async fn within<F: Future>(budget: Duration, work: F) -> F::Output {
    DEADLINE.scope(Instant::now() + budget, work).await
}

/// The run's deadline, for work it hands to a task of its own (a task-local
/// does not follow `tokio::spawn`: see `carried`).
pub fn current() -> Option<Instant> {
    DEADLINE.try_with(|deadline| *deadline).ok()
}

/// `work` under `deadline` (the spawning run's, from `current`), or none.
pub async fn carried<F: Future>(deadline: Option<Instant>, work: F) -> F::Output {
    match deadline {
        Some(deadline) => DEADLINE.scope(deadline, work).await,
        None => work.await,
    }
}

/// Time left before the run's deadline (`None`: no deadline set).
pub fn remaining() -> Option<Duration> {
    DEADLINE
        .try_with(|deadline| deadline.saturating_duration_since(Instant::now()))
        .ok()
}

/// `send`, cut off at the run's deadline (a server that never answers ends
/// as a timeout, in time).
pub async fn bounded<T>(
    send: impl Future<Output = Result<T, GraphError>>,
) -> Result<T, GraphError> {
    match remaining() {
        None => send.await,
        Some(left) => tokio::time::timeout(left, send).await.unwrap_or_else(|_| {
            Err(GraphError::timeout(
                "Meta did not answer before the refresh's time ran out",
            ))
        }),
    }
}

/// Whether a wait of `wait` then one more try still fits before the deadline.
pub fn fits(wait: Duration) -> bool {
    remaining().is_none_or(|left| left > wait.saturating_add(MIN_TRY))
}

/// The budget of a refresh that reads `accounts` accounts: a minute and a
/// half for the token's checks and a slow start, and two seconds a listing
/// page (100 accounts), at most half an hour.
pub fn budget_for(accounts: usize) -> Duration {
    let pages = u64::try_from(accounts.div_ceil(100)).unwrap_or(u64::MAX);
    Duration::from_secs(90u64.saturating_add(pages.saturating_mul(2)).min(30 * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_deadline_is_the_run_s_own() {
        assert_eq!(remaining(), None);
        within(Duration::from_secs(10), async {
            assert_eq!(remaining(), Some(Duration::from_secs(10)));
            tokio::time::sleep(Duration::from_secs(4)).await;
            assert_eq!(remaining(), Some(Duration::from_secs(6)));
            tokio::time::sleep(Duration::from_secs(9)).await;
            assert_eq!(remaining(), Some(Duration::ZERO));
        })
        .await;
        assert_eq!(budget_for(0), Duration::from_secs(90));
        assert_eq!(budget_for(10_000), Duration::from_secs(290));
        assert_eq!(budget_for(usize::MAX), Duration::from_secs(1800));
    }
}
