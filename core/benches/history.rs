//! `make bench`: what keeping the history costs after a refresh. Two books
//! from the Graph double (2,000 accounts, then the same after 200 of them
//! changed: 100 disabled, 50 lost their Terms, 50 lost the person's direct
//! access — some stay reachable through a business, with a smaller role);
//! the time to find the changes and to record them, into an empty history
//! and into one already at its bound (100,000 events, so every recording
//! also prunes); and reading the newest 2,000 (what the Activity view loads).
//! Prints a Markdown table of medians and worst times.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use adkeep_core::book::AccountBook;
use adkeep_core::changes::{self, Change};
use adkeep_core::fleet::Member;
use adkeep_core::forecast::MoneyAlerts;
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client};
use adkeep_core::history::{History, Opened, Query};
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::session::{Quiet, Session};
use adkeep_core::token::AccessToken;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

const ACCOUNTS: usize = 2_000;
const ROUNDS: usize = 30;
const BOUND: usize = 100_000;

async fn refreshed(double: &GraphDouble, session: &Session) -> AccountBook {
    let client = GraphClient::new(
        http_client().unwrap(),
        Arc::new(Endpoints::one_host(&double.url()).unwrap()),
        AccessToken::new(double.issue_token()).unwrap(),
    );
    let engine = Engine::new(
        client,
        EngineOptions::background(),
        Arc::new(Governor::default()),
    );
    let report = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert!(report.problem.is_none(), "{:?}", report.problem);
    session.snapshot()
}

/// The book before and after 200 accounts changed at Meta.
async fn two_books() -> (AccountBook, AccountBook) {
    let double = GraphDouble::start(DoubleConfig::generated(ACCOUNTS, 3))
        .await
        .unwrap();
    let session = Session::new(AccountBook::new());
    let before = refreshed(&double, &session).await;
    double.world(|w| {
        let ids: Vec<String> = w.direct_accounts_of(DEFAULT_USER);
        for id in &ids[..100] {
            let a = w.accounts.get_mut(id).unwrap();
            a.account_status = 2;
            a.disable_reason = 1;
        }
        for id in &ids[100..150] {
            w.accounts.get_mut(id).unwrap().tos_accepted.clear();
        }
        let user = w.users.get_mut(DEFAULT_USER).unwrap();
        for id in &ids[150..200] {
            user.access.remove(id);
        }
    });
    let after = refreshed(&double, &session).await;
    (before, after)
}

fn open(dir: &std::path::Path) -> History {
    match History::open(dir).unwrap() {
        Opened::Ready(history) => history,
        Opened::Restarted { history, .. } => history,
    }
}

fn stats(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[times.len() - 1]))
}

fn row(what: &str, times: Vec<Duration>) {
    let (median, worst) = stats(times);
    println!("| {what} | {median:.2} ms | {worst:.2} ms |");
}

/// Fills the history to its bound with copies of `changes`.
fn fill(history: &mut History, changes: &[Change]) {
    let mut batch = Vec::with_capacity(10_000);
    while batch.len() < 10_000 {
        batch.extend_from_slice(changes);
    }
    for _ in 0..BOUND / batch.len() {
        history.record(&batch).unwrap();
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (before, after) = runtime.block_on(two_books());
    let alerts = MoneyAlerts::default();
    let found = changes::between(&before, &after, chrono::Utc::now(), &alerts);
    let mut kinds = std::collections::BTreeMap::new();
    for c in &found {
        *kinds.entry(c.kind.name()).or_insert(0) += 1;
    }

    let mut diff = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let changes = changes::between(&before, &after, chrono::Utc::now(), &alerts);
        diff.push(started.elapsed());
        assert_eq!(changes.len(), found.len());
    }

    let mut into_empty = Vec::new();
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let mut history = open(dir.path());
        let started = Instant::now();
        history.record(&found).unwrap();
        into_empty.push(started.elapsed());
    }

    let dir = tempfile::tempdir().unwrap();
    let mut full = open(dir.path());
    fill(&mut full, &found);
    let mut into_full = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        full.record(&found).unwrap();
        into_full.push(started.elapsed());
    }
    assert!(full.count().unwrap() <= BOUND as i64, "pruned to the bound");

    let mut read = Vec::new();
    let query = Query {
        limit: Some(2_000),
        ..Query::default()
    };
    for _ in 0..ROUNDS {
        let started = Instant::now();
        assert_eq!(full.read(&query).unwrap().len(), 2_000);
        read.push(started.elapsed());
    }

    println!(
        "\nHistory after a refresh of {ACCOUNTS} accounts in which 200 changed at Meta: {} events {kinds:?}; {ROUNDS} rounds",
        found.len()
    );
    println!("| step | median | worst |");
    println!("|---|---:|---:|");
    row("find the changes (compare two books)", diff);
    row("record them, empty history", into_empty);
    row("record them, history at 100,000 events (prunes)", into_full);
    row("read the newest 2,000 (Activity view)", read);
}
