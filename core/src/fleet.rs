//! Refreshing through several Facebook logins at once. Every login lists its
//! accounts side by side; each account is fetched once, through the best
//! login that reaches it (a healthy one with the richest tasks, see
//! `Claims`). An account whose login broke, or lost it, is then refreshed
//! through another login that reaches it and says so (`Fallback`). Only an
//! account no working login reaches keeps the broken login's reason.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::graph::ids::AccountId;
use crate::logins::{Fallback, LoginId, task_rank};
use crate::problem::{self, Problem};
use crate::refresh::{Claims, Engine, RunReport, Share};
use crate::session::{BookSink, MemberSink, Observer, Session, opens_problem_page};

/// A login taking part in a refresh, with its engine (its own token).
#[derive(Clone, Copy)]
pub struct Member<'a> {
    pub login: &'a LoginId,
    pub engine: &'a Engine,
}

/// The login of an engine used on its own (whose Facebook id is not known).
static SOLO: std::sync::LazyLock<LoginId> = std::sync::LazyLock::new(|| LoginId::from_env(1));

impl<'a> Member<'a> {
    /// An engine refreshing alone (tools, tests, benchmarks).
    pub fn solo(engine: &'a Engine) -> Self {
        Self {
            login: &SOLO,
            engine,
        }
    }
}

#[derive(Debug, Default)]
pub struct FleetReport {
    /// The run as a whole: every account some login reached, rows refreshed
    /// and failed, `listing_complete` when every login listed to the end,
    /// and what kept rows from refreshing (`problem`).
    pub total: RunReport,
    /// Each login's own run.
    pub logins: Vec<(LoginId, RunReport)>,
    /// Rows refreshed through another login because theirs could not.
    pub fallbacks: usize,
}

impl Session {
    /// Lists and refreshes every account every member reaches.
    pub async fn refresh_all(
        &self,
        members: &[Member<'_>],
        observer: &dyn Observer,
        cancel: &CancellationToken,
    ) -> FleetReport {
        for member in members {
            member.engine.begin_listing(cancel);
        }
        let ids: Vec<LoginId> = members.iter().map(|m| m.login.clone()).collect();
        let (start, mut plans) = {
            let book = self.book();
            (book.start_listing(), book.known_by(&ids))
        };
        let claims = Claims::default();
        for (login, known) in &plans {
            for id in known.listed.iter().chain(&known.business_only) {
                claims.assign(id.clone(), login.clone());
            }
        }
        let sink = BookSink::new(self, observer, members.len());
        let runs = futures::future::join_all(members.iter().map(|m| {
            let known = plans.remove(m.login).unwrap_or_default();
            let (sink, claims) = (&sink, &claims);
            async move {
                let member = MemberSink {
                    book: sink,
                    login: m.login,
                    fallback: None,
                };
                let share = Share {
                    claims,
                    me: m.login,
                };
                let report = m
                    .engine
                    .refresh_all_shared(known, Some(share), &member, cancel)
                    .await;
                (m.login.clone(), report)
            }
        }))
        .await;
        let owners = |id: &AccountId| claims.owner(id);
        let fallbacks = self.fall_back(members, &runs, &owners, &sink, cancel).await;
        self.record_run(&start, runs, &sink, fallbacks, true)
    }

    /// Refreshes the given accounts, each through its best login.
    pub async fn refresh_accounts(
        &self,
        members: &[Member<'_>],
        ids: &[AccountId],
        observer: &dyn Observer,
        cancel: &CancellationToken,
    ) -> FleetReport {
        let logins: Vec<LoginId> = members.iter().map(|m| m.login.clone()).collect();
        let (start, owners) = {
            let book = self.book();
            let owners: HashMap<AccountId, LoginId> = ids
                .iter()
                .filter_map(|id| {
                    let best = book
                        .get(id)
                        .and_then(|a| book.best_login(a, &logins))
                        .or_else(|| logins.first().cloned())?;
                    Some((id.clone(), best))
                })
                .collect();
            (book.start_listing(), owners)
        };
        let sink = BookSink::new(self, observer, 0);
        let runs = futures::future::join_all(members.iter().map(|m| {
            let mine: Vec<AccountId> = ids
                .iter()
                .filter(|id| owners.get(*id) == Some(m.login))
                .cloned()
                .collect();
            let sink = &sink;
            async move {
                let member = MemberSink {
                    book: sink,
                    login: m.login,
                    fallback: None,
                };
                let report = m.engine.refresh_accounts(&mine, &member, cancel).await;
                (m.login.clone(), report)
            }
        }))
        .await;
        let fallbacks = self
            .fall_back(members, &runs, &|id| owners.get(id).cloned(), &sink, cancel)
            .await;
        self.record_run(&start, runs, &sink, fallbacks, false)
    }

    /// Refreshes, through another member, the accounts their owner could not
    /// refresh (it broke, lost them, or failed them); returns how many.
    async fn fall_back(
        &self,
        members: &[Member<'_>],
        runs: &[(LoginId, RunReport)],
        owner: &(dyn Fn(&AccountId) -> Option<LoginId> + Sync),
        sink: &BookSink<'_>,
        cancel: &CancellationToken,
    ) -> usize {
        let fresh = sink.fresh();
        let plan = {
            let book = self.book();
            let mut plan: HashMap<(LoginId, LoginId), Vec<AccountId>> = HashMap::new();
            for account in book.accounts.values() {
                let id = &account.id;
                let Some(from) = owner(id).filter(|_| !fresh.contains(id)) else {
                    continue;
                };
                if let Some(to) = stand_in(&book, runs, account, &from) {
                    plan.entry((from, to)).or_default().push(id.clone());
                }
            }
            plan
        };
        let mut count = 0;
        for ((from, to), ids) in plan {
            let Some(member) = members.iter().find(|m| *m.login == to) else {
                continue;
            };
            let reason = runs
                .iter()
                .find(|(l, _)| *l == from)
                .and_then(|(_, r)| r.problem.as_ref().map(|p| p.reason))
                .or_else(|| {
                    self.book()
                        .get(&ids[0])
                        .and_then(|a| a.error.as_ref().map(|p| p.reason))
                });
            let Some(reason) = reason else {
                continue;
            };
            tracing::info!(from = %from, to = %to, accounts = ids.len(), ?reason, "refreshing through another login");
            let stand_in = MemberSink {
                book: sink,
                login: member.login,
                fallback: Some(Fallback { from, reason }),
            };
            let report = member
                .engine
                .refresh_accounts(&ids, &stand_in, cancel)
                .await;
            count += report.refreshed;
        }
        count
    }

    /// Records a run in the book: each login's profile, permissions and
    /// health, which accounts each reaches, and the reason on every row the
    /// run did not refresh.
    fn record_run(
        &self,
        start: &crate::book::ListingStart,
        runs: Vec<(LoginId, RunReport)>,
        sink: &BookSink<'_>,
        fallbacks: usize,
        listing: bool,
    ) -> FleetReport {
        let now = Utc::now();
        let mut total = RunReport {
            listing_complete: !runs.is_empty() && runs.iter().all(|(_, r)| r.listing_complete),
            cancelled: runs.iter().any(|(_, r)| r.cancelled),
            ..RunReport::default()
        };
        {
            let mut book = self.book();
            book.prune_dismissed(now, &self.money_alerts());
            for (login, report) in &runs {
                record_login(&mut book, login, report, listing, now);
                total.seen.extend(report.seen.iter().cloned());
                total.refreshed += report.refreshed;
                total.failed += report.failed;
                total.unreadable += report.unreadable;
            }
            total.refreshed += fallbacks;
            if listing {
                book.finish_listing(start, &total.seen, total.listing_complete, now);
            }
        }
        total.problem = run_problem(&runs, listing, total.listing_complete, total.cancelled, now);
        self.explain_untouched(&runs, sink, total.problem.as_ref(), listing);
        FleetReport {
            total,
            logins: runs,
            fallbacks,
        }
    }

    /// Every row the run did not reach says why: the problem of the login
    /// that should have refreshed it, else the run's.
    fn explain_untouched(
        &self,
        runs: &[(LoginId, RunReport)],
        sink: &BookSink<'_>,
        run_problem: Option<&Problem>,
        listing: bool,
    ) {
        let touched = sink.touched();
        let mut changed = Vec::new();
        {
            let mut book = self.book();
            let members: Vec<LoginId> = runs.iter().map(|(l, _)| l.clone()).collect();
            let asked: HashSet<AccountId> = runs
                .iter()
                .flat_map(|(_, r)| r.seen.iter().cloned())
                .collect();
            let ids: Vec<AccountId> = book
                .accounts
                .keys()
                .filter(|id| !touched.contains(*id) && (listing || asked.contains(*id)))
                .cloned()
                .collect();
            for id in ids {
                let login = book.get(&id).and_then(|a| book.best_login(a, &members));
                let problem = login
                    .and_then(|l| runs.iter().find(|(m, _)| *m == l))
                    .and_then(|(_, r)| r.problem.clone())
                    .or_else(|| run_problem.cloned());
                if let Some(problem) = problem {
                    changed.push(book.apply_failure(&id, problem).clone());
                }
            }
        }
        if !changed.is_empty() {
            sink.observer().accounts_changed(&changed);
        }
    }
}

/// Another member to refresh `account` through, instead of `from`: one whose
/// run reached it (or the book says reaches it) and did not break, with the
/// richest tasks.
fn stand_in(
    book: &crate::book::AccountBook,
    runs: &[(LoginId, RunReport)],
    account: &crate::model::Account,
    from: &LoginId,
) -> Option<LoginId> {
    runs.iter()
        .filter(|(login, report)| {
            login != from
                && report
                    .problem
                    .as_ref()
                    .is_none_or(|p| !p.reason.is_token_problem())
                && book.logins.get(login).is_none_or(|l| l.is_healthy())
        })
        .filter_map(|(login, report)| {
            let tasks = report.reached.get(&account.id).cloned().or_else(|| {
                account
                    .logins
                    .iter()
                    .find(|r| &r.login == login)
                    .map(|r| r.tasks.clone())
            })?;
            Some((task_rank(&tasks), login.clone()))
        })
        .max()
        .map(|(_, login)| login)
}

fn record_login(
    book: &mut crate::book::AccountBook,
    login: &LoginId,
    report: &RunReport,
    listing: bool,
    now: chrono::DateTime<Utc>,
) {
    let entry = book.login_mut(login);
    if let Some(profile) = &report.profile {
        entry.profile = Some(profile.clone());
    }
    if let Some(permissions) = &report.permissions {
        entry.permissions = Some(permissions.clone());
    }
    match &report.problem {
        Some(problem) if opens_problem_page(problem) => entry.problem = Some(problem.clone()),
        Some(_) => {}
        None if report.cancelled => {}
        None => {
            entry.problem = entry
                .permissions
                .as_ref()
                .filter(|p| !p.can_read_ads())
                .map(|p| problem::declined_scopes(&p.missing(), now));
        }
    }
    if listing && report.listing_complete {
        entry.business_only = report.business_only.iter().cloned().collect();
        entry.last_full_refresh = Some(now);
    }
    if listing {
        book.finish_login_listing(login, &report.reached, report.listing_complete);
    }
}

/// What kept rows from refreshing, for the run as a whole: a login's problem
/// (the first that has one), or a listing that could not be read to its end.
fn run_problem(
    runs: &[(LoginId, RunReport)],
    listing: bool,
    complete: bool,
    cancelled: bool,
    now: chrono::DateTime<Utc>,
) -> Option<Problem> {
    let first = runs.iter().find_map(|(_, r)| r.problem.clone());
    if first.is_some() || cancelled {
        return first;
    }
    (listing && !complete).then(|| {
        let unreadable = runs.iter().map(|(_, r)| r.unreadable).sum();
        problem::incomplete_listing(unreadable, now)
    })
}
