//! Refreshes, coalesced: a second request for the same work joins the one in
//! flight (`SingleFlight`), and another Adkeep process's run is joined
//! through the data folder (`turn`). After a failure that passes by itself
//! the backend tries again on its own.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use adkeep_core::fleet::FleetReport;
use adkeep_core::graph::AccountId;
use adkeep_core::logins::LoginId;
use adkeep_core::model::Account;
use adkeep_core::problem::Problem;
use adkeep_core::refresh::waits::{Wait, WaitFor};
use adkeep_core::refresh::{Progress, deadline};
use adkeep_core::session::Observer;
use adkeep_core::{Error, Result};

use super::connection::{Identities, Settled};
use super::single_flight::SingleFlight;
use super::turn::{self, Turn, TurnError};
use super::{ActiveMode, Backend, Connection, lock, parse_id};

/// How a refresh-all is going, as the window's progress and the tray show it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RefreshStatus {
    pub running: bool,
    pub done: usize,
    pub total: usize,
    pub listing_complete: bool,
    /// What the run waits for now, and until when.
    pub waiting: Option<Wait>,
    /// Between runs: when Adkeep tries again by itself, and why (after a
    /// rate limit or an outage).
    pub next_try: Option<Wait>,
}

/// One row a person waits on: it ends within this, whatever the server does.
const ROW_BUDGET: Duration = Duration::from_secs(45);

/// What a finished refresh says.
#[derive(Debug, Clone, Serialize)]
pub struct RefreshSummary {
    pub total: usize,
    pub refreshed: usize,
    pub failed: usize,
    pub listing_complete: bool,
    /// Listed items that could not be read.
    pub unreadable: usize,
    pub cancelled: bool,
    /// Rows refreshed through another login because theirs could not.
    pub through_other_logins: usize,
    pub problem: Option<Problem>,
}

impl From<&FleetReport> for RefreshSummary {
    fn from(report: &FleetReport) -> Self {
        let r = &report.total;
        Self {
            total: r.seen.len(),
            refreshed: r.refreshed,
            failed: r.failed,
            listing_complete: r.listing_complete,
            unreadable: r.unreadable,
            cancelled: r.cancelled,
            through_other_logins: report.fallbacks,
            problem: r.problem.clone(),
        }
    }
}

/// The refresh state shared by the window, the tray and the CLI.
#[derive(Default)]
pub(super) struct Refreshing {
    /// Refresh-all (of every login, or of one), one at a time (joined, not repeated).
    all: SingleFlight<Option<LoginId>, RefreshSummary>,
    /// One account's refresh, one at a time per account.
    rows: SingleFlight<AccountId, Account>,
    pub(super) status: Mutex<RefreshStatus>,
    pub(super) last_save: Mutex<Option<Instant>>,
    /// A save during a run is under way (see `persist_soon`).
    pub(super) saving: std::sync::atomic::AtomicBool,
    /// The automatic retry after a passing failure.
    retry: Mutex<Retry>,
}

/// The automatic retry: the one planned, and how many came in a row.
#[derive(Default)]
struct Retry {
    planned: Option<Planned>,
    streak: u32,
    plans: u64,
}

struct Planned {
    task: tokio::task::JoinHandle<()>,
    id: u64,
}

impl Backend {
    /// Refreshes one account through its best login. A second call for the
    /// same account while the first is in flight waits for the same result
    /// (one request to Meta).
    pub async fn refresh_account(self: &Arc<Self>, raw_id: &str) -> Result<Account> {
        let id = parse_id(raw_id)?;
        let this = self.clone();
        let key = id.clone();
        self.refreshing
            .rows
            .run(id, move |_cancel| async move {
                deadline::within(ROW_BUDGET, this.do_refresh_account(&key)).await
            })
            .await
    }

    async fn do_refresh_account(self: Arc<Self>, id: &AccountId) -> Result<Account> {
        let what = format!("refreshing {id}");
        let _turn = match self.turn(&format!("refresh-{id}"), &what).await? {
            Turn::Mine(file) => file,
            Turn::Joined => {
                self.reload_from_disk()?;
                return self
                    .session
                    .book()
                    .get(id)
                    .cloned()
                    .ok_or_else(|| Error::Internal(format!("{id} is not in the saved list")));
            }
        };
        self.reload_if_changed()?;
        let connection = self.connection().await?;
        let before = self.session.snapshot();
        let observer = UiObserver::rows(&self);
        let report = self
            .session
            .refresh_accounts(
                &connection.interactive(),
                std::slice::from_ref(id),
                &observer,
                &CancellationToken::new(),
            )
            .await;
        self.after_run(&report);
        self.record_changes(&before);
        self.session
            .book()
            .get(id)
            .cloned()
            .ok_or_else(|| Error::Internal(format!("{id} vanished")))
    }

    /// Refreshes several accounts (selected rows, or the CLI's ids), each
    /// through its best login (`only`: through that login).
    pub async fn refresh_accounts(
        self: &Arc<Self>,
        ids: &[String],
        only: Option<&LoginId>,
    ) -> Result<RefreshSummary> {
        let ids: Vec<AccountId> = ids.iter().map(|raw| parse_id(raw)).collect::<Result<_>>()?;
        let budget = deadline::budget_for(ids.len());
        deadline::within(budget, self.do_refresh_accounts(&ids, only)).await
    }

    async fn do_refresh_accounts(
        self: &Arc<Self>,
        ids: &[AccountId],
        only: Option<&LoginId>,
    ) -> Result<RefreshSummary> {
        self.reload_if_changed()?;
        let connection = self.connection().await?;
        let members = connection.background(only);
        if members.is_empty() {
            return Err(Error::NotConnected);
        }
        let before = self.session.snapshot();
        let observer = UiObserver::rows(self);
        let report = self
            .session
            .refresh_accounts(&members, ids, &observer, &CancellationToken::new())
            .await;
        self.after_run(&report);
        self.record_changes(&before);
        Ok(RefreshSummary::from(&report))
    }

    /// Refreshes every account of every login. Joins a refresh-all already running.
    pub async fn refresh_all(self: &Arc<Self>) -> Result<RefreshSummary> {
        self.refresh_all_of(None).await
    }

    /// Refreshes every account (`only`: those of one login).
    pub async fn refresh_all_of(self: &Arc<Self>, only: Option<LoginId>) -> Result<RefreshSummary> {
        let this = self.clone();
        let scope = only.clone();
        let result = self
            .refreshing
            .all
            .run(only, move |cancel| async move {
                let budget = deadline::budget_for(this.session.book().len());
                deadline::within(budget, this.do_refresh_all(scope.as_ref(), &cancel)).await
            })
            .await;
        // Idle only now that the run is over, its turn released and its
        // flight gone: said any earlier, a refresh-all asked for at once
        // would join the run that is ending and get its old result.
        self.refresh_stopped();
        result
    }

    /// A new mode starts with no refresh under way or planned to show.
    pub(super) fn forget_refresh_status(&self) {
        *lock(&self.refreshing.status) = RefreshStatus::default();
    }

    /// How the refresh-all is going.
    pub fn refresh_status(&self) -> RefreshStatus {
        lock(&self.refreshing.status).clone()
    }

    /// Whether a refresh-all is running now.
    pub fn refreshing_all(&self) -> bool {
        self.refreshing.all.any_running()
    }

    /// Stops the refresh-all in flight, and the automatic retry planned.
    pub fn cancel_refresh(&self) {
        self.refreshing.all.cancel_all();
        self.drop_planned_retry();
    }

    async fn do_refresh_all(
        self: Arc<Self>,
        only: Option<&LoginId>,
        cancel: &CancellationToken,
    ) -> Result<RefreshSummary> {
        let _turn = match self.turn("refresh-all", "refreshing all accounts").await? {
            Turn::Mine(file) => file,
            Turn::Joined => {
                self.reload_from_disk()?;
                self.events.state_changed();
                return Ok(self.summary_of_book());
            }
        };
        self.reload_if_changed()?;
        // An environment token's login is the one the book remembers, and
        // Meta's `/me` (asked beside the listing) confirms it. A token that
        // turned out to be someone else's is run again, under its owner.
        let connection = self.connect(Identities::Provisional).await?;
        if let Some(summary) = self.run_all(&connection, only, cancel).await? {
            return Ok(summary);
        }
        tracing::info!("an environment token is another person's now; refreshing again as them");
        let connection = self.connect(Identities::Confirmed).await?;
        self.run_all(&connection, only, cancel)
            .await?
            .ok_or_else(|| Error::Internal("whose token this is kept changing".to_owned()))
    }

    /// One refresh-all over `connection`; `None` when an environment token's
    /// login was not its owner's (the book is as it was before the run).
    async fn run_all(
        self: &Arc<Self>,
        connection: &Connection,
        only: Option<&LoginId>,
        cancel: &CancellationToken,
    ) -> Result<Option<RefreshSummary>> {
        let members = connection.background(only);
        if members.is_empty() {
            return Err(Error::NotConnected);
        }
        // The listing needs nothing of what follows: it leaves first.
        for member in &members {
            member.engine.begin_listing(cancel);
        }
        // The first save comes a while into the run, not with its first row.
        *lock(&self.refreshing.last_save) = Some(Instant::now());
        self.set_status(RefreshStatus {
            running: true,
            ..RefreshStatus::default()
        });
        let before = self.notable();
        let book_before = self.session.snapshot();
        let first_listing = !self.session.book().listed_once;
        let observer = UiObserver::all(self);
        let report = self.session.refresh_all(&members, &observer, cancel).await;
        match self.settle_identities(connection, &report) {
            Settled::Kept => {}
            Settled::Renamed => self.reset_connection().await,
            Settled::Misattributed => {
                self.session.replace(book_before);
                self.reset_connection().await;
                return Ok(None);
            }
        }
        if first_listing && report.total.listing_complete && self.mode() == ActiveMode::Sandbox {
            self.showcase_set_aside();
        }
        self.after_run(&report);
        let changes = self.record_changes(&book_before);
        // A scheduled check tells what got worse itself (one notification).
        if !self
            .schedule
            .scheduled
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            self.tell_news(&before);
        }
        *lock(&self.schedule.last_changes) = changes;
        self.schedule_retry(report.total.problem.as_ref());
        Ok(Some(RefreshSummary::from(&report)))
    }

    /// The refresh-all status goes back to idle (also after a failure).
    fn refresh_stopped(&self) {
        let status = {
            let mut status = lock(&self.refreshing.status);
            status.running = false;
            status.clone()
        };
        self.events.progress(&status);
    }

    /// This process's turn for a refresh (see `turn::take_turn`).
    async fn turn(&self, key: &str, what: &str) -> Result<Turn> {
        let dir = self.data_dir().to_path_buf();
        let (key, what) = (key.to_owned(), what.to_owned());
        tokio::task::spawn_blocking(move || turn::take_turn(&dir, &key, &what, turn::WAIT_LIMIT))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
            .map_err(|e| match e {
                TurnError::Io(io) => Error::from(io),
                gave_up => Error::Storage(format!("Adkeep {gave_up}.")),
            })
    }

    /// A summary of the book as it stands (when another process refreshed).
    fn summary_of_book(&self) -> RefreshSummary {
        let book = self.session.book();
        let failed = book.accounts.values().filter(|a| a.error.is_some()).count();
        let problem = book.every_login_broken().cloned();
        RefreshSummary {
            total: book.len(),
            refreshed: book.len() - failed,
            failed,
            listing_complete: problem.is_none(),
            unreadable: 0,
            cancelled: false,
            through_other_logins: book
                .accounts
                .values()
                .filter(|a| a.fallback.is_some())
                .count(),
            problem,
        }
    }

    pub(super) fn set_status(&self, status: RefreshStatus) {
        *lock(&self.refreshing.status) = status.clone();
        self.events.progress(&status);
    }

    fn after_run(&self, report: &FleetReport) {
        self.review_health();
        self.persist_now();
        if report.total.problem.is_some() || report.total.listing_complete {
            self.events.state_changed();
        }
    }

    /// After a failure that passes by itself (a rate limit, an outage), tries
    /// again when access returns (or after a growing wait), until it works.
    fn schedule_retry(self: &Arc<Self>, problem: Option<&Problem>) {
        let mut retry = lock(&self.refreshing.retry);
        if let Some(planned) = retry.planned.take() {
            planned.task.abort();
        }
        let Some(problem) = problem.filter(|p| p.reason.retries_by_itself()) else {
            retry.streak = 0;
            drop(retry);
            self.set_next_try(None);
            return;
        };
        let hinted = problem
            .retry_at
            .and_then(|at| (at - Utc::now()).to_std().ok())
            .unwrap_or_default();
        let backoff = Duration::from_secs(15u64.saturating_mul(1 << retry.streak.min(6)));
        let wait = hinted
            .max(backoff.min(Duration::from_secs(600)))
            .max(Duration::from_secs(5));
        tracing::info!(reason = ?problem.reason, ?wait, "retrying by itself");
        retry.plans += 1;
        retry.streak += 1;
        let id = retry.plans;
        let this = self.clone();
        let task = tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            this.retry_now(id).await;
        });
        retry.planned = Some(Planned { task, id });
        drop(retry);
        self.set_next_try(Wait::lasting(wait, WaitFor::after(problem.reason)));
    }

    /// The planned retry's time has come (unless another plan replaced it).
    async fn retry_now(self: Arc<Self>, id: u64) {
        {
            let mut retry = lock(&self.refreshing.retry);
            // Taken out, not aborted: this task is the one running.
            if retry.planned.as_ref().is_none_or(|p| p.id != id) {
                return;
            }
            retry.planned = None;
        }
        self.set_next_try(None);
        if let Err(e) = self.refresh_all().await {
            tracing::warn!("automatic retry: {e}");
        }
    }

    /// Drops the planned automatic retry (the person stopped it, or tries now).
    fn drop_planned_retry(&self) {
        if let Some(planned) = lock(&self.refreshing.retry).planned.take() {
            planned.task.abort();
        }
        self.set_next_try(None);
    }

    fn set_next_try(&self, next_try: Option<Wait>) {
        let status = {
            let mut status = lock(&self.refreshing.status);
            status.next_try = next_try;
            status.clone()
        };
        self.events.progress(&status);
    }

    /// "Try now": every wait in flight ends and every pause is lifted (the
    /// requests go, and Meta answers for itself); without a run going, a
    /// refresh-all starts now instead of when it was planned.
    pub async fn try_now(self: &Arc<Self>) -> Result<RefreshSummary> {
        self.governor.try_now();
        let planned = lock(&self.refreshing.retry).planned.is_some();
        if planned {
            self.drop_planned_retry();
        }
        self.refresh_all().await
    }

    /// Stops a refresh-all in flight and waits (a little) for it to end.
    pub async fn stop_refreshing(&self) {
        self.cancel_refresh();
        for _ in 0..100 {
            if !self.refreshing_all() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Passes engine updates to the UI and saves now and then.
struct UiObserver<'a> {
    backend: &'a Arc<Backend>,
    /// The run is the refresh-all, whose progress the status reports (a
    /// row's or a selection's refresh shows on its rows; were it reported,
    /// the status would say a refresh-all runs that never ends).
    reports_progress: bool,
}

impl<'a> UiObserver<'a> {
    fn all(backend: &'a Arc<Backend>) -> Self {
        Self {
            backend,
            reports_progress: true,
        }
    }

    fn rows(backend: &'a Arc<Backend>) -> Self {
        Self {
            backend,
            reports_progress: false,
        }
    }
}

impl Observer for UiObserver<'_> {
    fn accounts_changed(&self, accounts: &[Account]) {
        self.backend.events.accounts_changed(accounts);
        self.backend.persist_soon();
    }

    fn progress(&self, progress: &Progress) {
        if !self.reports_progress {
            return;
        }
        let status = RefreshStatus {
            running: true,
            done: progress.done,
            total: progress.total,
            listing_complete: progress.listing_complete,
            waiting: progress.waiting,
            next_try: None,
        };
        self.backend.set_status(status);
    }
}
