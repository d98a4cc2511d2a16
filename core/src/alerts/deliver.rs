//! A check's alerts, from decision to delivery. `decide` writes, for every
//! destination, what this check says (one transaction each, before any
//! send); `deliver_due` sends what is due, every destination side by side
//! (one that hangs holds back no other: each send is bounded), a
//! destination's own deliveries in order, and records each outcome as it
//! comes: sent, retried with backoff (or after `Retry-After`), or the
//! destination marked failing. Deliveries older than a week are dropped.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::destination::Destination;
use super::detect::{Condition, step};
use super::outbox::{Kept, Pending};
use super::render::Digest;
use super::send::{Outcome, SEND_LIMIT, Sender};
use crate::history::{History, HistoryError};

/// The first retry's wait; each further one doubles, up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Access to the outbox (the backend's history, behind its lock).
pub trait Outbox: Send + Sync {
    /// Runs `f` on the history; `None` when it cannot be used.
    fn with_outbox<T>(&self, f: impl FnOnce(&mut History) -> Result<T, HistoryError>) -> Option<T>;
}

/// What a round of deliveries did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: usize,
    pub retrying: usize,
    /// Destinations that refused, with why.
    pub refused: Vec<(String, String)>,
    /// Deliveries still pending afterwards, everywhere.
    pub pending: usize,
    /// Deliveries dropped after a week, by destination.
    pub dropped: Vec<(String, usize)>,
}

/// Decides this check's alerts for every destination and writes them to
/// the outbox. Returns how many deliveries were written.
pub fn decide(
    history: &mut History,
    wrong: &[Condition],
    now: DateTime<Utc>,
) -> Result<usize, HistoryError> {
    let mut written = 0;
    for kept in history.destinations()? {
        let open = history.open_alerts(&kept.destination.id)?;
        let next = step(&open, wrong, &kept.destination.rules, now);
        if history
            .record_step(&kept.destination.id, &next, now)?
            .is_some()
        {
            written += 1;
        }
    }
    Ok(written)
}

/// Sends every due delivery (`at_check`: every pending one, a failing
/// destination's too, unless it asked for a wait) and records what became
/// of each.
pub async fn deliver_due(outbox: &impl Outbox, sender: &dyn Sender, at_check: bool) -> Delivered {
    let now = Utc::now();
    let Some((due, kept, dropped)) = outbox.with_outbox(|h| {
        let dropped = h.drop_expired(now)?;
        Ok((h.due_deliveries(now, at_check)?, h.destinations()?, dropped))
    }) else {
        return Delivered::default();
    };
    let mut by_destination: BTreeMap<String, Vec<Pending>> = BTreeMap::new();
    for pending in due {
        by_destination
            .entry(pending.destination.clone())
            .or_default()
            .push(pending);
    }
    let rounds = by_destination.into_iter().filter_map(|(id, list)| {
        let destination = kept
            .iter()
            .find(|k| k.destination.id == id)?
            .destination
            .clone();
        Some(deliver_in_order(outbox, sender, destination, list))
    });
    let mut report = Delivered {
        dropped,
        ..Delivered::default()
    };
    for outcome in futures::future::join_all(rounds).await {
        report.sent += outcome.sent;
        report.retrying += outcome.retrying;
        report.refused.extend(outcome.refused);
    }
    report.pending = outbox.with_outbox(|h| h.pending_deliveries()).unwrap_or(0);
    report
}

/// One destination's deliveries, oldest first, until one does not go.
async fn deliver_in_order(
    outbox: &impl Outbox,
    sender: &dyn Sender,
    destination: Destination,
    list: Vec<Pending>,
) -> Delivered {
    let mut report = Delivered::default();
    for pending in list {
        let digest = Digest {
            delivery: &pending.id,
            sent_at: Utc::now(),
            alerts: &pending.alerts,
            test: pending.test,
        };
        // Bounded here too: a sender that hangs holds back no one.
        let outcome = tokio::time::timeout(
            SEND_LIMIT + Duration::from_secs(1),
            sender.send(&destination, digest),
        )
        .await
        .unwrap_or_else(|_| Outcome::Retry {
            after: None,
            error: format!("no answer within {} s", SEND_LIMIT.as_secs()),
        });
        let now = Utc::now();
        let recorded = outbox.with_outbox(|h| match &outcome {
            Outcome::Delivered => h.delivered(&pending.id, &destination.id, now),
            Outcome::Retry { after, error } => {
                let wait = after.unwrap_or_else(|| backoff(pending.attempts));
                let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
                h.retry_later(&pending.id, next, after.is_some(), error)
            }
            Outcome::Refused(error) => h.mark_failing(&pending.id, &destination.id, error, now),
        });
        if recorded.is_none() {
            tracing::warn!(destination = %destination.id, "an alert's outcome could not be recorded");
        }
        match outcome {
            Outcome::Delivered => report.sent += 1,
            Outcome::Retry { error, .. } => {
                tracing::info!(destination = %destination.id, "alert not delivered yet: {error}");
                report.retrying += 1;
                break;
            }
            Outcome::Refused(error) => {
                tracing::warn!(destination = %destination.id, "alert refused: {error}");
                report.refused.push((destination.id.clone(), error));
                break;
            }
        }
    }
    report
}

/// 30 s, 1 min, 2 min, … at most an hour.
pub fn backoff(attempts: u32) -> Duration {
    let factor = 1u32.checked_shl(attempts.min(16)).unwrap_or(u32::MAX);
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

/// "Send a test": a message now, outside the outbox; a destination that
/// takes it is no longer failing (and its waiting deliveries are due).
pub async fn send_test(outbox: &impl Outbox, sender: &dyn Sender, kept: &Kept) -> Outcome {
    let id = super::outbox::new_delivery_id();
    let digest = Digest {
        delivery: &id,
        sent_at: Utc::now(),
        alerts: &[],
        test: true,
    };
    let outcome = sender.send(&kept.destination, digest).await;
    if outcome == Outcome::Delivered && kept.failing.is_some() {
        outbox.with_outbox(|h| h.save_destination(&kept.destination, Utc::now()));
    }
    outcome
}

#[cfg(test)]
#[path = "deliver_tests.rs"]
mod tests;
