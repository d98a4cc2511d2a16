//! Scheduled checks while Adkeep runs (window or tray): the backend as the
//! scheduler's `Checker` (`adkeep_core::schedule`), and the one notification
//! after a scheduled check that says what got worse.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use tokio::sync::Notify;

use adkeep_core::changes::{Change, ChangeKind};
use adkeep_core::problem::Reason;
use adkeep_core::schedule::{self, Checker, SystemClock};

use super::turn::{self, Turn};
use super::{Backend, lock};

/// Overrides the interval, in seconds (demonstrations and real-window tests).
pub const ENV_SCHEDULE_SECONDS: &str = "ADKEEP_SCHEDULE_SECONDS";

/// What a check did.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Another process ran the check meanwhile; this one read what it saved.
    pub joined: bool,
    /// Every login found the network down.
    pub offline: bool,
    pub alerts: adkeep_core::alerts::Delivered,
}

/// When the last scheduled check ran, and when the next is due.
pub type Plan = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// How long the network probe waits for Graph's host to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
pub(super) struct ScheduleState {
    /// Wakes the scheduler when the interval setting changes.
    pub(super) changed: Arc<Notify>,
    /// When the last scheduled check ran and the next is due.
    plan: Mutex<Plan>,
    /// The refresh-all in flight is a scheduled check (it notifies by its changes).
    pub(super) scheduled: AtomicBool,
    /// What the last refresh-all changed.
    pub(super) last_changes: Mutex<Vec<Change>>,
    /// The interval a watcher was given (`adkeep watch --every`), over the setting.
    every: Mutex<Option<Duration>>,
}

/// The backend, as the scheduler sees it.
struct Scheduled(Arc<Backend>);

impl Checker for Scheduled {
    fn every(&self) -> Option<Duration> {
        if let Some(every) = *lock(&self.0.schedule.every) {
            return Some(every);
        }
        if let Some(secs) = std::env::var(ENV_SCHEDULE_SECONDS)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .filter(|s| *s >= 5)
        {
            return Some(Duration::from_secs(secs));
        }
        self.0
            .settings()
            .check_every_hours
            .map(|h| Duration::from_secs(u64::from(h) * 3600))
    }

    fn busy(&self) -> bool {
        self.0.refreshing_all()
    }

    fn wait_until(&self) -> Option<DateTime<Utc>> {
        let now = Utc::now();
        self.0
            .session
            .book()
            .logins
            .values()
            .filter_map(|l| l.problem.as_ref())
            .filter(|p| p.reason == Reason::RateLimited)
            .filter_map(|p| p.retry_at)
            .filter(|at| *at > now)
            .max()
    }

    fn reachable(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { self.0.graph_reachable().await })
    }

    fn check(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { self.0.scheduled_check().await })
    }

    fn planned(&self, last: Option<DateTime<Utc>>, next: Option<DateTime<Utc>>) {
        *lock(&self.0.schedule.plan) = (last, next);
        self.0.events.state_changed();
    }
}

impl Backend {
    /// Runs scheduled checks until Adkeep quits.
    pub async fn run_schedule(self: Arc<Self>) {
        let changed = self.schedule.changed.clone();
        schedule::run(Arc::new(Scheduled(self)), Arc::new(SystemClock), changed).await;
    }

    /// Checks every `every` whatever the setting says (a watcher's `--every`).
    pub fn set_check_every(&self, every: Duration) {
        *lock(&self.schedule.every) = Some(every);
        self.schedule.changed.notify_one();
    }

    /// When the last scheduled check ran and the next is due (none is due
    /// before Adkeep is connected: a check would have nothing to do).
    pub fn check_plan(&self) -> Plan {
        let (last, next) = *lock(&self.schedule.plan);
        if self.mode() == super::ActiveMode::Unconfigured {
            return (last, None);
        }
        (last, next)
    }

    /// Whether Graph's host takes a connection (a probe, nothing is sent).
    /// Behind a proxy the host is not ours to reach: the check itself tells.
    async fn graph_reachable(&self) -> bool {
        if ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|p| !p.is_empty()))
        {
            return true;
        }
        let Ok(endpoints) = self.endpoints().await else {
            return true; // not configured: the check itself says so
        };
        let Some(host) = endpoints.graph.host_str().map(str::to_owned) else {
            return true;
        };
        let port = endpoints.graph.port_or_known_default().unwrap_or(443);
        let connect = tokio::net::TcpStream::connect((host, port));
        matches!(
            tokio::time::timeout(PROBE_TIMEOUT, connect).await,
            Ok(Ok(_))
        )
    }

    /// One scheduled check; `false` when it found the network down (the
    /// scheduler waits for it and tries again).
    async fn scheduled_check(self: &Arc<Self>) -> bool {
        if self.mode() == super::ActiveMode::Unconfigured {
            return true;
        }
        match self.check().await {
            Err(e) => {
                tracing::info!("scheduled check: {e}");
                true
            }
            Ok(report) if report.offline => {
                tracing::info!("scheduled check: offline; trying again when the network returns");
                false
            }
            Ok(report) => {
                if !report.joined {
                    self.tell_what_got_worse();
                }
                true
            }
        }
    }

    /// A check: refresh everything, record what changed, decide and deliver
    /// the alerts. The window, the tray and a watcher never run one at the
    /// same time (the data folder's `check` lock): a process that waited for
    /// another's reads what it saved.
    pub async fn check(self: &Arc<Self>) -> adkeep_core::Result<CheckReport> {
        let dir = self.data_dir().to_path_buf();
        let turn = tokio::task::spawn_blocking(move || {
            turn::take_turn(&dir, "check", "checking all accounts", turn::WAIT_LIMIT)
        })
        .await
        .map_err(|e| adkeep_core::Error::Internal(e.to_string()))?
        .map_err(|e| adkeep_core::Error::Storage(format!("Adkeep {e}.")))?;
        let _mine = match turn {
            Turn::Mine(file) => file,
            Turn::Joined => {
                self.reload_from_disk()?;
                let alerts = self.deliver_alerts(false).await;
                return Ok(CheckReport {
                    joined: true,
                    offline: false,
                    alerts,
                });
            }
        };
        self.schedule.scheduled.store(true, Ordering::SeqCst);
        let refreshed = self.refresh_all().await;
        self.schedule.scheduled.store(false, Ordering::SeqCst);
        let alerts = self.alert_after_check().await;
        refreshed?;
        Ok(CheckReport {
            joined: false,
            offline: self.every_login_offline(),
            alerts,
        })
    }

    /// Every login's last run stopped because the network was down.
    fn every_login_offline(&self) -> bool {
        let book = self.session.book();
        !book.logins.is_empty()
            && book.logins.values().all(|l| {
                l.problem
                    .as_ref()
                    .is_some_and(|p| p.reason == Reason::Offline)
            })
    }

    /// The one notification after a scheduled check: what got worse.
    fn tell_what_got_worse(&self) {
        let worse: Vec<Change> = lock(&self.schedule.last_changes)
            .iter()
            .filter(|c| c.worse)
            .cloned()
            .collect();
        if worse.is_empty() || !self.settings().notifications {
            return;
        }
        let names = |id: &adkeep_core::logins::LoginId| {
            self.session
                .book()
                .logins
                .get(id)
                .map_or_else(|| id.to_string(), |l| l.name())
        };
        let (title, body) = digest(&worse, &names);
        self.events.notify_worse(&title, &body);
    }
}

/// What each kind of change that got worse says after "N accounts".
const WORSE_WORDS: [(ChangeKind, &str); 9] = [
    (ChangeKind::AccountLost, "no longer reachable"),
    (ChangeKind::Money, "closer to running out of money"),
    (
        ChangeKind::DatasetStopped,
        "with a dataset that stopped firing",
    ),
    (ChangeKind::TosMissing, "with terms no longer accepted"),
    (ChangeKind::Role, "with a smaller role"),
    (ChangeKind::AdsDisapproved, "with more ads disapproved"),
    (ChangeKind::AdsWithIssues, "with more ads with issues"),
    (
        ChangeKind::AdsPendingBilling,
        "with ads waiting for billing information",
    ),
    (ChangeKind::AdLimit, "closer to their ad limit"),
];

/// A title summing up what got worse ("2 accounts disabled · Jane Doe's
/// login expired") and a body naming the first few.
pub fn digest(
    worse: &[Change],
    login_name: &dyn Fn(&adkeep_core::logins::LoginId) -> String,
) -> (String, String) {
    let mut phrases: Vec<String> = Vec::new();
    let count = |kind: ChangeKind, to: Option<&str>| {
        worse
            .iter()
            .filter(|c| c.kind == kind && to.is_none_or(|t| c.to.as_deref() == Some(t)))
            .count()
    };
    let accounts = |n: usize| {
        if n == 1 {
            "1 account".to_owned()
        } else {
            format!("{n} accounts")
        }
    };
    let disabled =
        count(ChangeKind::Status, Some("disabled")) + count(ChangeKind::DisableReason, None);
    if disabled > 0 {
        phrases.push(format!("{} disabled", accounts(disabled)));
    }
    let other_status =
        count(ChangeKind::Status, None) - count(ChangeKind::Status, Some("disabled"));
    if other_status > 0 {
        phrases.push(format!("{} changed status", accounts(other_status)));
    }
    for (kind, words) in WORSE_WORDS {
        let n = count(kind, None);
        if n > 0 {
            phrases.push(format!("{} {words}", accounts(n)));
        }
    }
    for change in worse.iter().filter(|c| c.kind == ChangeKind::LoginHealth) {
        let Some(login) = &change.login else { continue };
        let state = match change.to.as_deref() {
            Some("expires_within_a_day") => "expires within a day".to_owned(),
            Some("expires_within_a_week") => "expires within a week".to_owned(),
            Some(reason) => format!("broke ({})", reason.replace('_', " ")),
            None => "changed".to_owned(),
        };
        phrases.push(format!("{}'s login {state}", login_name(login)));
    }
    let title = format!("Adkeep: {}", phrases.join(" · "));
    let mut lines: Vec<String> = worse.iter().take(3).map(line).collect();
    if worse.len() > 3 {
        lines.push(format!("and {} more", worse.len() - 3));
    }
    (title, lines.join("\n"))
}

/// One change in words, for a notification.
fn line(change: &Change) -> String {
    let who = change
        .account_name
        .clone()
        .or_else(|| change.login.as_ref().map(|l| format!("Login {l}")))
        .unwrap_or_default();
    let words = |v: &Option<String>| v.as_deref().unwrap_or("—").replace('_', " ");
    match change.kind {
        ChangeKind::AccountLost => format!("{who}: no longer reachable"),
        ChangeKind::DatasetStopped => {
            format!("{who}: dataset “{}” stopped firing", words(&change.to))
        }
        ChangeKind::TosMissing => {
            format!("{who}: terms no longer accepted ({})", words(&change.to))
        }
        _ => format!("{who}: {} → {}", words(&change.from), words(&change.to)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: ChangeKind, name: &str, from: &str, to: &str) -> Change {
        Change {
            at: Utc::now(),
            account_id: adkeep_core::graph::AccountId::parse("act_1"),
            account_name: Some(name.to_owned()),
            login: None,
            kind,
            from: Some(from.to_owned()),
            to: Some(to.to_owned()),
            worse: true,
        }
    }

    #[test]
    fn the_digest_says_what_got_worse_in_a_line() {
        let jane = adkeep_core::logins::LoginId::new("7").unwrap();
        let worse = vec![
            change(ChangeKind::Status, "Acme", "active", "disabled"),
            change(ChangeKind::Status, "Beta", "active", "disabled"),
            change(ChangeKind::DatasetStopped, "Gamma", "81", "Shop pixel"),
            Change {
                account_id: None,
                account_name: None,
                login: Some(jane.clone()),
                ..change(ChangeKind::LoginHealth, "", "ok", "expires_within_a_day")
            },
        ];
        let (title, body) = digest(&worse, &|_| "Jane Doe".to_owned());
        assert_eq!(
            title,
            "Adkeep: 2 accounts disabled · 1 account with a dataset that stopped firing · Jane Doe's login expires within a day"
        );
        assert!(body.starts_with("Acme: active → disabled\nBeta: active → disabled\nGamma: dataset “Shop pixel” stopped firing"), "{body}");
        assert!(body.ends_with("and 1 more"), "{body}");
    }
}
