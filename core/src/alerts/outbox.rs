//! The alerts' memory, in the history database: the destinations, what
//! each was told and is still open, and the outbox. A check writes what it
//! decided (the open state and the delivery) in one transaction before
//! anything is sent; a delivery is marked sent only after the destination
//! took it. Killed at any moment, nothing is lost (the delivery is still
//! pending) and nothing is decided twice (the open state moved with it).
//! Every retry repeats the delivery's id, so receivers can deduplicate.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::destination::Destination;
use super::detect::{Alert, Open, Step};
use crate::history::{History, HistoryError};

/// Deliveries a destination has not taken in this long are dropped.
pub const KEEP_PENDING: Duration = Duration::days(7);
/// Sent deliveries are kept this long (for "last delivery"), then pruned.
const KEEP_SENT: Duration = Duration::days(30);

/// A destination with how its deliveries go.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    pub destination: Destination,
    /// Why it refuses deliveries (a 4xx other than 429), until it is fixed.
    pub failing: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub pending: usize,
    pub last_sent: Option<DateTime<Utc>>,
    /// The last attempt's error, while a delivery is still pending.
    pub last_error: Option<String>,
}

/// A delivery waiting to go.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: String,
    pub destination: String,
    pub alerts: Vec<Alert>,
    pub test: bool,
    pub created: DateTime<Utc>,
    pub attempts: u32,
}

/// Pending deliveries, the last sent, the last error.
type Summary = (usize, Option<DateTime<Utc>>, Option<String>);

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn at_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn to_json<T: Serialize>(value: &T) -> Result<String, HistoryError> {
    serde_json::to_string(value)
        .map_err(|e| HistoryError::Damaged(format!("an alert could not be written: {e}")))
}

/// A delivery id: 128 random bits in hex, the same on every retry.
pub fn new_delivery_id() -> String {
    let bits: u128 = rand::random();
    format!("{bits:032x}")
}

impl History {
    /// Every destination, in the order they were added, with its deliveries.
    pub fn destinations(&self) -> Result<Vec<Kept>, HistoryError> {
        let mut statement = self.connection.prepare(
            "SELECT config, failing, failing_since_ms FROM alert_destinations ORDER BY position, id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })?;
        let mut kept = Vec::new();
        for row in rows {
            let (config, failing, since) = row?;
            // A destination this build cannot read (a newer Adkeep's) is skipped.
            let Ok(destination) = serde_json::from_str::<Destination>(&config) else {
                continue;
            };
            let (pending, last_sent, last_error) = self.delivery_summary(&destination.id)?;
            kept.push(Kept {
                destination,
                failing,
                failing_since: since.map(at_ms),
                pending,
                last_sent,
                last_error,
            });
        }
        Ok(kept)
    }

    /// How many are pending, when one last went, and the last error.
    fn delivery_summary(&self, id: &str) -> Result<Summary, HistoryError> {
        let pending: i64 = self.connection.query_row(
            "SELECT COUNT(*) FROM alert_deliveries WHERE destination = ?1 AND state = 'pending'",
            [id],
            |r| r.get(0),
        )?;
        let last_sent: Option<i64> = self.connection.query_row(
            "SELECT MAX(done_ms) FROM alert_deliveries WHERE destination = ?1 AND state = 'sent'",
            [id],
            |r| r.get(0),
        )?;
        let last_error: Option<String> = self
            .connection
            .query_row(
                "SELECT last_error FROM alert_deliveries WHERE destination = ?1 AND state = 'pending'
                 AND last_error IS NOT NULL ORDER BY created_ms DESC LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok((
            usize::try_from(pending).unwrap_or(0),
            last_sent.map(at_ms),
            last_error,
        ))
    }

    /// Adds a destination, or replaces it (an edit): a fixed destination is
    /// no longer failing and its pending deliveries are due now.
    pub fn save_destination(
        &mut self,
        destination: &Destination,
        now: DateTime<Utc>,
    ) -> Result<(), HistoryError> {
        let config = to_json(destination)?;
        let tx = self.connection.transaction()?;
        let position: i64 = tx.query_row(
            "SELECT COALESCE((SELECT position FROM alert_destinations WHERE id = ?1),
                             (SELECT COALESCE(MAX(position), 0) + 1 FROM alert_destinations))",
            [&destination.id],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO alert_destinations (id, position, config, failing, failing_since_ms)
             VALUES (?1, ?2, ?3, NULL, NULL)",
            params![destination.id, position, config],
        )?;
        tx.execute(
            "UPDATE alert_deliveries SET next_ms = ?2 WHERE destination = ?1 AND state = 'pending'",
            params![destination.id, ms(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets a destination, what it was told and what it did not take.
    pub fn remove_destination(&mut self, id: &str) -> Result<bool, HistoryError> {
        let tx = self.connection.transaction()?;
        let removed = tx.execute("DELETE FROM alert_destinations WHERE id = ?1", [id])?;
        tx.execute("DELETE FROM alert_open WHERE destination = ?1", [id])?;
        tx.execute("DELETE FROM alert_deliveries WHERE destination = ?1", [id])?;
        tx.commit()?;
        Ok(removed > 0)
    }

    /// What a destination was told and is still open.
    pub fn open_alerts(&self, destination: &str) -> Result<Vec<Open>, HistoryError> {
        let mut statement = self
            .connection
            .prepare("SELECT state FROM alert_open WHERE destination = ?1 ORDER BY key")?;
        let rows = statement.query_map([destination], |r| r.get::<_, String>(0))?;
        let mut open = Vec::new();
        for row in rows {
            if let Ok(entry) = serde_json::from_str::<Open>(&row?) {
                open.push(entry);
            }
        }
        Ok(open)
    }

    /// A check's decision for one destination, in one transaction: what is
    /// open now, and (when there is something to say) the delivery that
    /// says it. Returns the delivery's id.
    pub fn record_step(
        &mut self,
        destination: &str,
        step: &Step,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, HistoryError> {
        let tx = self.connection.transaction()?;
        tx.execute(
            "DELETE FROM alert_open WHERE destination = ?1",
            [destination],
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO alert_open (destination, key, state) VALUES (?1, ?2, ?3)",
            )?;
            for open in &step.open {
                insert.execute(params![destination, open.key, to_json(open)?])?;
            }
        }
        let id = if step.alerts.is_empty() {
            None
        } else {
            let id = new_delivery_id();
            tx.execute(
                "INSERT INTO alert_deliveries (id, destination, created_ms, alerts, test, state, next_ms)
                 VALUES (?1, ?2, ?3, ?4, 0, 'pending', ?3)",
                params![id, destination, ms(now), to_json(&step.alerts)?],
            )?;
            Some(id)
        };
        tx.commit()?;
        Ok(id)
    }

    /// Deliveries due by `now`, oldest first. At a check (`at_check`) every
    /// pending one goes, a failing destination's too, unless the destination
    /// asked for a wait (`Retry-After`); between checks, those whose backoff
    /// is over, failing destinations left alone.
    pub fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        at_check: bool,
    ) -> Result<Vec<Pending>, HistoryError> {
        let mut statement = self.connection.prepare(
            "SELECT d.id, d.destination, d.alerts, d.test, d.created_ms, d.attempts
             FROM alert_deliveries d JOIN alert_destinations t ON t.id = d.destination
             WHERE d.state = 'pending' AND COALESCE(d.not_before_ms, 0) <= ?1
               AND (?2 OR (d.next_ms <= ?1 AND t.failing IS NULL))
             ORDER BY d.rowid",
        )?;
        let rows = statement.query_map(params![ms(now), at_check], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut due = Vec::new();
        for row in rows {
            let (id, destination, alerts, test, created, attempts) = row?;
            due.push(Pending {
                id,
                destination,
                alerts: serde_json::from_str(&alerts).unwrap_or_default(),
                test,
                created: at_ms(created),
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            });
        }
        Ok(due)
    }

    /// When the next pending delivery of a destination that takes them is due.
    pub fn next_delivery_due(&self) -> Result<Option<DateTime<Utc>>, HistoryError> {
        let next: Option<i64> = self.connection.query_row(
            "SELECT MIN(MAX(d.next_ms, COALESCE(d.not_before_ms, 0))) FROM alert_deliveries d JOIN alert_destinations t ON t.id = d.destination
             WHERE d.state = 'pending' AND t.failing IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(next.map(at_ms))
    }

    /// How many deliveries are still pending, everywhere.
    pub fn pending_deliveries(&self) -> Result<usize, HistoryError> {
        let n: i64 = self.connection.query_row(
            "SELECT COUNT(*) FROM alert_deliveries WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The destination took the delivery: it is done, and the destination works.
    pub fn delivered(
        &mut self,
        id: &str,
        destination: &str,
        now: DateTime<Utc>,
    ) -> Result<(), HistoryError> {
        let tx = self.connection.transaction()?;
        tx.execute(
            "UPDATE alert_deliveries SET state = 'sent', done_ms = ?2, last_error = NULL,
             attempts = attempts + 1 WHERE id = ?1",
            params![id, ms(now)],
        )?;
        tx.execute(
            "UPDATE alert_destinations SET failing = NULL, failing_since_ms = NULL WHERE id = ?1",
            [destination],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// It did not go: try again at `next` (the error is kept for the
    /// window); `asked`: the destination said when (`Retry-After`), and no
    /// check sends it sooner.
    pub fn retry_later(
        &mut self,
        id: &str,
        next: DateTime<Utc>,
        asked: bool,
        error: &str,
    ) -> Result<(), HistoryError> {
        self.connection.execute(
            "UPDATE alert_deliveries SET attempts = attempts + 1, next_ms = ?2,
             not_before_ms = CASE WHEN ?3 THEN ?2 ELSE NULL END, last_error = ?4 WHERE id = ?1",
            params![id, ms(next), asked, error],
        )?;
        Ok(())
    }

    /// The destination refused (a 4xx other than 429): it is failing until
    /// it is fixed; its deliveries wait.
    pub fn mark_failing(
        &mut self,
        delivery: &str,
        destination: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), HistoryError> {
        let tx = self.connection.transaction()?;
        tx.execute(
            "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![delivery, error],
        )?;
        tx.execute(
            "UPDATE alert_destinations SET failing = ?2,
             failing_since_ms = COALESCE(failing_since_ms, ?3) WHERE id = ?1",
            params![destination, error, ms(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Drops deliveries pending for longer than `KEEP_PENDING` and prunes
    /// old sent ones. Returns how many were dropped, by destination.
    pub fn drop_expired(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, usize)>, HistoryError> {
        let tx = self.connection.transaction()?;
        let cutoff = ms(now - KEEP_PENDING);
        let dropped = {
            let mut statement = tx.prepare(
                "SELECT destination, COUNT(*) FROM alert_deliveries
                 WHERE state = 'pending' AND created_ms < ?1 GROUP BY destination",
            )?;
            let rows = statement.query_map([cutoff], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        tx.execute(
            "UPDATE alert_deliveries SET state = 'dropped', done_ms = ?2 WHERE state = 'pending' AND created_ms < ?1",
            params![cutoff, ms(now)],
        )?;
        tx.execute(
            "DELETE FROM alert_deliveries WHERE state != 'pending' AND done_ms < ?1",
            [ms(now - KEEP_SENT)],
        )?;
        tx.commit()?;
        Ok(dropped
            .into_iter()
            .map(|(d, n)| (d, usize::try_from(n).unwrap_or(0)))
            .collect())
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
