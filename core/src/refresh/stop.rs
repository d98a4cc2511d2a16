//! How work ends early: a final failure or a cancellation, and the waits
//! between tries.

use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio_util::sync::CancellationToken;

use crate::graph::error::GraphError;
use crate::problem::{self, Context, Problem, Scope};

#[derive(Debug)]
pub(super) enum Stop {
    /// A final failure: token-wide, or of a request the work cannot do without.
    Failed(Problem),
    Cancelled,
}

impl Stop {
    /// Whether this ends a whole run rather than one row.
    pub fn ends_run(&self) -> bool {
        match self {
            Self::Failed(problem) => problem.scope == Scope::Token,
            Self::Cancelled => true,
        }
    }

    pub fn into_problem(self) -> Problem {
        match self {
            Stop::Failed(problem) => problem,
            Stop::Cancelled => problem::classify(
                &GraphError::timeout("cancelled"),
                &Context::new(Scope::Token, Utc::now()),
            ),
        }
    }
}

/// The first stop that ends a run, kept for its report (a failure wins over
/// a cancellation, which a failure itself causes).
#[derive(Default)]
pub(super) struct FirstStop(std::sync::Mutex<Option<Stop>>);

impl FirstStop {
    pub fn record(&self, stop: Stop) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if !matches!(*slot, Some(Stop::Failed(_))) {
            *slot = Some(stop);
        }
    }

    /// The problem that ended the run, if one did.
    pub fn problem(&self) -> Option<crate::problem::Problem> {
        match &*self.0.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(Stop::Failed(problem)) => Some(problem.clone()),
            _ => None,
        }
    }

    pub fn into_inner(self) -> Option<Stop> {
        self.0.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

/// The moment `wait` from now (now, if it is past what a date can hold).
pub(super) fn when_after(wait: Duration) -> chrono::DateTime<Utc> {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| Utc::now().checked_add_signed(d))
        .unwrap_or_else(Utc::now)
}

/// ±20 % so many clients (or many rows) don't retry in lockstep.
pub(super) fn jitter(wait: Duration) -> Duration {
    if wait.is_zero() {
        return wait;
    }
    let factor = rand::rng().random_range(0.8..1.2);
    wait.mul_f64(factor)
}

pub(super) async fn sleep_or_cancel(
    wait: Duration,
    cancel: &CancellationToken,
) -> Result<(), Stop> {
    tokio::select! {
        () = tokio::time::sleep(wait) => Ok(()),
        () = cancel.cancelled() => Err(Stop::Cancelled),
    }
}
