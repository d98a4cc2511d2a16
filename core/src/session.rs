//! A session couples the account book with the engine: rows are merged into
//! the book as they arrive, and the run's outcome (listing, permissions, token
//! health) is recorded at the end. Both the app and the CLI go through here.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::book::AccountBook;
use crate::graph::ids::AccountId;
use crate::model::Account;
use crate::problem::{self, Problem, Reason};
use crate::refresh::{Engine, Progress, RowUpdate, RunReport, Sink};

/// Told about every change, after it is in the book.
pub trait Observer: Send + Sync {
    fn accounts_changed(&self, accounts: &[Account]);
    fn progress(&self, _progress: &Progress) {}
}

/// An observer that ignores everything (the CLI prints at the end).
pub struct Quiet;

impl Observer for Quiet {
    fn accounts_changed(&self, _accounts: &[Account]) {}
}

#[derive(Clone, Default)]
pub struct Session {
    book: Arc<Mutex<AccountBook>>,
}

impl Session {
    pub fn new(book: AccountBook) -> Self {
        Self {
            book: Arc::new(Mutex::new(book)),
        }
    }

    /// The book, locked. Never hold this across an `.await`.
    pub fn book(&self) -> MutexGuard<'_, AccountBook> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn snapshot(&self) -> AccountBook {
        self.book().clone()
    }

    /// Replaces the book (a different user logged in, or the cache reloaded).
    pub fn replace(&self, book: AccountBook) {
        *self.book() = book;
    }

    /// Takes in what another process saved (`theirs`) since this one read
    /// `base`, keeping this process's own changes; returns the result, which
    /// is now this session's book (see `book::merged`).
    pub fn merge(&self, base: &AccountBook, theirs: AccountBook) -> AccountBook {
        let mut book = self.book();
        let out = crate::book::merged(base, &book, theirs);
        *book = out.clone();
        out
    }

    /// Refreshes some accounts. Each row either gets fresh data or keeps its
    /// previous data with the reason it could not be refreshed.
    pub async fn refresh_accounts(
        &self,
        engine: &Engine,
        ids: &[AccountId],
        observer: &dyn Observer,
        cancel: &CancellationToken,
    ) -> RunReport {
        let sink = BookSink::new(self, observer);
        let report = engine.refresh_accounts(ids, &sink, cancel).await;
        self.record_outcome(&report, ids, &sink.touched(), observer);
        report
    }

    /// Lists and refreshes every account the login reaches.
    pub async fn refresh_all(
        &self,
        engine: &Engine,
        observer: &dyn Observer,
        cancel: &CancellationToken,
    ) -> RunReport {
        let (start, known) = {
            let book = self.book();
            (book.start_listing(), book.known())
        };
        let sink = BookSink::new(self, observer);
        let mut report = engine.refresh_all(known, &sink, cancel).await;
        if !report.listing_complete && report.problem.is_none() && !report.cancelled {
            // Nothing stopped the run, but not every list could be read: the
            // rows it did not reach say so.
            report.problem = Some(problem::incomplete_listing(report.unreadable, Utc::now()));
        }
        let changed: Vec<Account> = {
            let mut book = self.book();
            book.finish_listing(&start, &report.seen, report.listing_complete, Utc::now());
            if report.listing_complete {
                book.business_only = report.business_only.iter().cloned().collect();
            }
            if let Some(permissions) = &report.permissions {
                book.permissions = Some(permissions.clone());
            }
            if let Some(profile) = &report.profile {
                book.profile = Some(profile.clone());
            }
            // Reach and "new" flags changed for accounts outside this run's rows too.
            book.accounts.values().cloned().collect()
        };
        observer.accounts_changed(&changed);
        let all: Vec<AccountId> = self.book().accounts.keys().cloned().collect();
        self.record_outcome(&report, &all, &sink.touched(), observer);
        report
    }

    /// Token health after a run, and the reason on every row the run did
    /// not reach: a row keeps its last data, as of its last refresh, and
    /// says why it is not fresh.
    fn record_outcome(
        &self,
        report: &RunReport,
        ids: &[AccountId],
        touched: &HashSet<AccountId>,
        observer: &dyn Observer,
    ) {
        let now = Utc::now();
        let mut changed = Vec::new();
        {
            let mut book = self.book();
            book.prune_dismissed(now);
            match &report.problem {
                Some(problem) => {
                    if opens_problem_page(problem) {
                        book.token_problem = Some(problem.clone());
                    }
                    for id in ids.iter().filter(|id| !touched.contains(*id)) {
                        changed.push(book.apply_failure(id, problem.clone()).clone());
                    }
                }
                None if !report.cancelled => {
                    book.token_problem = match &book.permissions {
                        Some(p) if !p.can_read_ads() => {
                            Some(problem::declined_scopes(&p.missing(), now))
                        }
                        _ => None,
                    };
                }
                None => {}
            }
        }
        if !changed.is_empty() {
            observer.accounts_changed(&changed);
        }
    }

    /// The current token-wide problem, if any.
    pub fn token_problem(&self) -> Option<Problem> {
        self.book().token_problem.clone()
    }

    /// Records a token-wide problem found outside a run (e.g. by `/me`).
    pub fn set_token_problem(&self, problem: Option<Problem>) {
        let problem = problem.filter(opens_problem_page);
        self.book().token_problem = problem;
    }
}

struct BookSink<'a> {
    session: &'a Session,
    observer: &'a dyn Observer,
    /// Rows this run produced (refreshed or failed).
    touched: Mutex<HashSet<AccountId>>,
}

impl<'a> BookSink<'a> {
    fn new(session: &'a Session, observer: &'a dyn Observer) -> Self {
        Self {
            session,
            observer,
            touched: Mutex::new(HashSet::new()),
        }
    }

    fn touched(&self) -> HashSet<AccountId> {
        self.touched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Sink for BookSink<'_> {
    fn rows(&self, rows: Vec<RowUpdate>) {
        self.touched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(rows.iter().map(|r| r.id().clone()));
        let changed: Vec<Account> = {
            let mut book = self.session.book();
            rows.into_iter()
                .map(|row| match row {
                    RowUpdate::Refreshed(account) => book.apply_refreshed(*account).clone(),
                    RowUpdate::Failed { id, problem } => book.apply_failure(&id, problem).clone(),
                })
                .collect()
        };
        self.observer.accounts_changed(&changed);
    }

    fn progress(&self, progress: &Progress) {
        self.observer.progress(progress);
    }
}

/// Whether a problem opens the problem page: anything token-wide except a
/// blip (transient, offline), which rows show as "as of" instead. A token-wide
/// rate limit opens it too, with a countdown to when access returns.
pub fn opens_problem_page(problem: &Problem) -> bool {
    problem.scope == problem::Scope::Token
        && !matches!(problem.reason, Reason::Transient | Reason::Offline)
}

/// Whether rows should say "offline".
pub fn is_offline(problem: &Problem) -> bool {
    problem.reason == Reason::Offline
}
