//! Scheduled checks: a refresh-all every N hours while Adkeep runs (window
//! or tray), with jitter so a fleet of Adkeeps does not call Meta in step;
//! never while one is running; after Meta's limits say when; not while the
//! network is down (looked at again every minute, the check runs when it
//! returns); and once at once after the computer wakes from a sleep that
//! skipped the due time (noticed because the wall clock moved further than
//! the timer did).
//!
//! The driver is generic over what it checks and over the wall clock, so
//! tests run it with tokio's paused time and a clock they move by hand.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use tokio::sync::Notify;

/// The intervals a person can choose (hours).
pub const CHOICES: [u32; 5] = [1, 3, 6, 12, 24];
/// The default interval (hours).
pub const DEFAULT_HOURS: u32 = 3;
/// How often a wait looks at the wall clock (to notice a sleep).
pub const STEP: Duration = Duration::from_secs(60);
/// How long to wait before looking again when a refresh is already running.
pub const BUSY_RETRY: Duration = Duration::from_secs(30);
/// How long to wait before looking at the network again while it is down.
pub const OFFLINE_RETRY: Duration = Duration::from_secs(60);

/// The wall clock (the real one, or a test's).
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What the schedule drives (the backend, or a test's stand-in).
pub trait Checker: Send + Sync {
    /// Hours between checks, or `None` when scheduled checks are off.
    fn every(&self) -> Option<Duration>;
    /// A refresh-all is running now.
    fn busy(&self) -> bool;
    /// Meta asked to wait until then (a rate limit), if it did.
    fn wait_until(&self) -> Option<DateTime<Utc>>;
    /// Whether Meta can be reached now (a cheap probe, not a refresh).
    fn reachable(&self) -> BoxFuture<'_, bool>;
    /// Runs one scheduled check; `false` when it found the network down.
    fn check(&self) -> BoxFuture<'_, bool>;
    /// Tells when the last check ran and the next is due.
    fn planned(&self, last: Option<DateTime<Utc>>, next: Option<DateTime<Utc>>);
}

/// Up to ±10% of the interval, decided by `seed` (a fixed pattern per
/// installation would do; a varying seed spreads checks further).
pub fn jitter(every: Duration, seed: u64) -> Duration {
    let tenth = every.as_secs() / 10;
    if tenth == 0 {
        return every;
    }
    let spread = seed % (2 * tenth + 1);
    Duration::from_secs(every.as_secs() - tenth + spread)
}

/// Runs checks until the task is dropped. `changed` wakes it when the
/// interval setting changes (the wait starts over).
pub async fn run(checker: Arc<dyn Checker>, clock: Arc<dyn Clock>, changed: Arc<Notify>) {
    let mut last: Option<DateTime<Utc>> = None;
    let mut seed = clock.now().timestamp_subsec_nanos() as u64;
    loop {
        let Some(every) = checker.every() else {
            checker.planned(last, None);
            changed.notified().await;
            continue;
        };
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let wait = chrono::Duration::from_std(jitter(every, seed >> 33)).unwrap_or_default();
        let due = clock.now() + wait;
        checker.planned(last, Some(due));
        if !wait_until_due(clock.as_ref(), due, &changed).await {
            continue;
        }
        // Never two at once: a refresh already running stands for this check.
        if checker.busy() {
            while checker.busy() {
                tokio::time::sleep(BUSY_RETRY).await;
            }
            last = Some(clock.now());
            continue;
        }
        if let Some(until) = checker.wait_until() {
            let _ = wait_until_due(clock.as_ref(), until, &changed).await;
        }
        loop {
            if !wait_for_network(checker.as_ref(), &changed).await {
                break;
            }
            if checker.check().await {
                last = Some(clock.now());
                break;
            }
        }
    }
}

/// Waits until Meta can be reached, looking every `OFFLINE_RETRY`. `false`:
/// the settings changed and the plan starts over.
async fn wait_for_network(checker: &dyn Checker, changed: &Notify) -> bool {
    while !checker.reachable().await {
        tokio::select! {
            () = tokio::time::sleep(OFFLINE_RETRY) => {}
            () = changed.notified() => return false,
        }
    }
    true
}

/// Waits until the wall clock reaches `due`, in steps, so that a sleep of
/// the computer past `due` ends the wait at the next step. `false`: the
/// settings changed and the plan starts over.
async fn wait_until_due(clock: &dyn Clock, due: DateTime<Utc>, changed: &Notify) -> bool {
    loop {
        let left = (due - clock.now()).to_std().unwrap_or_default();
        if left.is_zero() {
            return true;
        }
        tokio::select! {
            () = tokio::time::sleep(left.min(STEP)) => {}
            () = changed.notified() => return false,
        }
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
