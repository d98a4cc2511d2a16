//! A session couples the account book with the engines: rows are merged into
//! the book as they arrive (through `BookSink`), and a run's outcome is
//! recorded at the end (see `fleet`, which refreshes through every login).
//! Both the app and the CLI go through here.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::book::AccountBook;
use crate::forecast::MoneyAlerts;
use crate::graph::ids::AccountId;
use crate::logins::{Fallback, LoginId};
use crate::model::Account;
use crate::problem::{self, Problem, Reason};
use crate::refresh::{Progress, RowUpdate, Sink};

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
    /// When money forecasts count (from Settings): set-aside money reasons
    /// are kept or pruned by the same rule the window shows them with.
    alerts: Arc<Mutex<MoneyAlerts>>,
}

impl Session {
    pub fn new(book: AccountBook) -> Self {
        Self {
            book: Arc::new(Mutex::new(book)),
            alerts: Arc::new(Mutex::new(MoneyAlerts::default())),
        }
    }

    pub fn money_alerts(&self) -> MoneyAlerts {
        *self.alerts.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_money_alerts(&self, alerts: MoneyAlerts) {
        *self.alerts.lock().unwrap_or_else(|p| p.into_inner()) = alerts;
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

    /// A login's token-wide problem found outside a run (`doctor`'s `/me`);
    /// passing ones (offline, a hiccup) are not kept.
    pub fn set_login_problem(&self, login: &LoginId, problem: Option<Problem>) {
        let problem = problem.filter(opens_problem_page);
        self.book().login_mut(login).problem = problem;
    }

    pub fn login_problem(&self, login: &LoginId) -> Option<Problem> {
        self.book()
            .logins
            .get(login)
            .and_then(|l| l.problem.clone())
    }
}

/// Merges rows into the book as they arrive and tells the observer.
pub(crate) struct BookSink<'a> {
    session: &'a Session,
    observer: &'a dyn Observer,
    /// Rows this run produced (refreshed or failed).
    touched: Mutex<HashSet<AccountId>>,
    /// Rows this run refreshed.
    fresh: Mutex<HashSet<AccountId>>,
    /// Each login's progress (and its stand-in work's), summed for the observer.
    progress: Mutex<HashMap<(LoginId, bool), Progress>>,
    /// How many logins list side by side (the listing is complete when all have).
    listers: usize,
}

impl<'a> BookSink<'a> {
    pub(crate) fn new(session: &'a Session, observer: &'a dyn Observer, listers: usize) -> Self {
        Self {
            session,
            observer,
            touched: Mutex::default(),
            fresh: Mutex::default(),
            progress: Mutex::default(),
            listers,
        }
    }

    /// One login's progress, told to the observer as the whole run's.
    fn progress(&self, login: &LoginId, stand_in: bool, progress: &Progress) {
        let total = {
            let mut all = self.progress.lock().unwrap_or_else(|p| p.into_inner());
            all.insert((login.clone(), stand_in), progress.clone());
            let listed = all
                .iter()
                .filter(|((_, stand_in), p)| !stand_in && p.listing_complete)
                .count();
            Progress {
                done: all.values().map(|p| p.done).sum(),
                total: all.values().map(|p| p.total).sum(),
                listing_complete: listed >= self.listers,
                waiting: all
                    .values()
                    .filter_map(|p| p.waiting)
                    .max_by_key(|w| w.until),
            }
        };
        self.observer.progress(&total);
    }

    pub(crate) fn touched(&self) -> HashSet<AccountId> {
        self.touched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn fresh(&self) -> HashSet<AccountId> {
        self.fresh.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn observer(&self) -> &dyn Observer {
        self.observer
    }

    fn apply(&self, rows: Vec<RowUpdate>, via: &LoginId, fallback: Option<&Fallback>) {
        {
            let mut touched = self.touched.lock().unwrap_or_else(|p| p.into_inner());
            let mut fresh = self.fresh.lock().unwrap_or_else(|p| p.into_inner());
            for row in &rows {
                touched.insert(row.id().clone());
                if matches!(row, RowUpdate::Refreshed(_)) {
                    fresh.insert(row.id().clone());
                }
            }
        }
        let changed: Vec<Account> = {
            let mut book = self.session.book();
            rows.into_iter()
                .map(|row| match row {
                    RowUpdate::Refreshed(mut account) => {
                        account.via = Some(via.clone());
                        account.fallback = fallback.cloned();
                        book.apply_refreshed(*account).clone()
                    }
                    RowUpdate::Failed {
                        id,
                        problem,
                        listed,
                    } => {
                        if let Some(listed) = listed {
                            book.apply_listed(*listed);
                        }
                        book.apply_failure(&id, problem).clone()
                    }
                })
                .collect()
        };
        self.observer.accounts_changed(&changed);
    }
}

/// The book sink as seen by one login's run: its rows were read through it.
pub(crate) struct MemberSink<'a> {
    pub(crate) book: &'a BookSink<'a>,
    pub(crate) login: &'a LoginId,
    /// Set when these rows stand in for another login's.
    pub(crate) fallback: Option<Fallback>,
}

impl Sink for MemberSink<'_> {
    fn rows(&self, rows: Vec<RowUpdate>) {
        self.book.apply(rows, self.login, self.fallback.as_ref());
    }

    fn progress(&self, progress: &Progress) {
        self.book
            .progress(self.login, self.fallback.is_some(), progress);
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
