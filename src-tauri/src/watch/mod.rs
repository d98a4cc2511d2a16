//! `adkeep watch`: the headless front end. The tray's scheduler without a
//! window (checks every `--every` or as Settings say, default 3 hours),
//! alerts delivered after each check and retried between them, logs on
//! stderr. SIGTERM (or Ctrl+C) stops it cleanly: the refresh in flight is
//! cancelled, the account book saved, and every file it writes is written
//! atomically, so nothing is damaged. `--once` runs one check now.

use std::sync::Arc;
use std::time::Duration;

use adkeep_core::alerts::Delivered;

use crate::backend::Backend;

/// What `watch --once` reports, and its exit status.
pub fn once_status(delivered: &Delivered) -> i32 {
    if delivered.pending == 0 { 0 } else { 1 }
}

/// One check now: refresh, record the changes, deliver, retry the outbox.
/// Exits 0 when everything was delivered (and kept), 1 when something is
/// pending or could not be saved.
pub async fn once(backend: &Arc<Backend>) -> i32 {
    let delivered = match backend.check().await {
        Ok(report) => {
            if report.joined {
                tracing::info!("another Adkeep process ran this check; its results were read");
            }
            report.alerts
        }
        Err(e) => {
            tracing::warn!("the check did not finish: {e}");
            // What earlier checks left in the outbox still goes.
            backend.deliver_alerts(true).await
        }
    };
    log_delivered(&delivered);
    let troubles = backend.troubles();
    for trouble in &troubles {
        tracing::error!("{trouble}");
    }
    if troubles.is_empty() {
        once_status(&delivered)
    } else {
        1
    }
}

fn log_delivered(delivered: &Delivered) {
    for (destination, error) in &delivered.refused {
        tracing::warn!(%destination, "alert destination failing: {error}");
    }
    for (destination, count) in &delivered.dropped {
        tracing::warn!(%destination, count, "alerts dropped after a week undelivered");
    }
    tracing::info!(
        sent = delivered.sent,
        retrying = delivered.retrying,
        pending = delivered.pending,
        "alerts"
    );
}

/// Checks on the schedule until SIGTERM or Ctrl+C; returns the exit status.
pub async fn run(backend: Arc<Backend>, every: Option<Duration>) -> i32 {
    if let Some(every) = every {
        backend.set_check_every(every);
    }
    tracing::info!(every = ?every, "watching");
    // A watcher that starts (a server booted, a unit restarted) checks at
    // once, then on the schedule.
    let checker = backend.clone();
    let schedule = tokio::spawn(async move {
        let first = once(&checker).await;
        tracing::debug!(first, "first check");
        checker.run_schedule().await;
    });
    let retries = tokio::spawn(backend.clone().run_alert_retries());
    let stop = stop_signal().await;
    tracing::info!("{stop}: stopping");
    backend.stop_refreshing().await;
    schedule.abort();
    retries.abort();
    let _ = schedule.await;
    let _ = retries.await;
    backend.persist_now();
    tracing::info!("stopped");
    0
}

/// Waits for SIGTERM (systemd, launchd) or Ctrl+C; names which came.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return "interrupted";
        };
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "interrupted",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "interrupted"
    }
}
