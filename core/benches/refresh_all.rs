//! `make bench`: refresh-all against the Graph double at a 100 ms round trip,
//! with the double enforcing its rate limits. Prints a Markdown table: wall
//! time, requests, the round-trip floor (sequential listing pages × RTT), the
//! ratio to it, and rate-limit errors, for a first run (nothing known yet) and
//! a repeat run (the everyday case); then three logins over overlapping
//! accounts (each account fetched once); then the single-account refresh.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use adkeep_core::book::AccountBook;
use adkeep_core::fleet::Member;
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client};
use adkeep_core::logins::LoginId;
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::session::{Quiet, Session};
use adkeep_core::token::AccessToken;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble, OTHER_USER};
use tokio_util::sync::CancellationToken;

const RTT: Duration = Duration::from_millis(100);

struct Row {
    accounts: usize,
    run: &'static str,
    wall: Duration,
    requests: u64,
    pages: usize,
    rate_limit_errors: u64,
    pauses: u64,
}

async fn engine_for(double: &GraphDouble) -> Engine {
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let client = GraphClient::new(
        http_client().unwrap(),
        Arc::new(endpoints),
        AccessToken::new(double.issue_token()).unwrap(),
    );
    Engine::new(
        client,
        EngineOptions::background(),
        Arc::new(Governor::default()),
    )
}

/// A first run (empty list), then a repeat run over the same double.
async fn refresh_all(accounts: usize) -> [Row; 2] {
    let mut config = DoubleConfig::generated(accounts, 3);
    config.knobs.latency_ms = RTT.as_millis() as u64;
    let double = GraphDouble::start(config).await.unwrap();
    let direct = double.world(|w| w.direct_accounts_of(DEFAULT_USER).len());
    let pages = direct.div_ceil(EngineOptions::default().page_size).max(1);
    let session = Session::new(AccountBook::new());
    let run = async |run| {
        // A fresh engine each time: no governor state carried over.
        let engine = engine_for(&double).await;
        double.reset_stats();
        let started = Instant::now();
        let report = session
            .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
            .await
            .total;
        let wall = started.elapsed();
        assert!(report.problem.is_none(), "{:?}", report.problem);
        assert_eq!(session.snapshot().len(), accounts, "every account");
        Row {
            accounts,
            run,
            wall,
            requests: double.stats().http_requests,
            pages,
            rate_limit_errors: double.stats().rate_limit_errors
                + engine.stats().rate_limit_errors.load(Ordering::Relaxed),
            pauses: engine.governor().pauses(),
        }
    };
    let first = run("first").await;
    // Straight after: the double's usage counters still hold the first run.
    let repeat = run("repeat").await;
    [first, repeat]
}

/// Three logins of 1,000 accounts each, every one sharing half of its
/// accounts with another (2,000 accounts in all), one governor for the app.
async fn three_logins() -> Vec<(Row, u64)> {
    const EACH: usize = 1_000;
    let mut config = DoubleConfig::generated(2 * EACH, 0);
    config.knobs.latency_ms = RTT.as_millis() as u64;
    let double = GraphDouble::start(config).await.unwrap();
    let people = [DEFAULT_USER, OTHER_USER, THIRD_USER];
    double.world(|w| {
        let ids: Vec<String> = w.accounts.keys().cloned().collect();
        let mut third = w.users[OTHER_USER].clone();
        third.id = THIRD_USER.to_owned();
        third.name = "Ana Ruiz".to_owned();
        w.users.insert(THIRD_USER.to_owned(), third);
        for (n, person) in people.iter().enumerate() {
            let user = w.users.get_mut(*person).unwrap();
            let start = n * EACH / 2;
            user.access = ids[start..start + EACH]
                .iter()
                .map(|id| (id.clone(), vec!["ADVERTISE".to_owned()]))
                .collect();
            user.business_roles.clear();
        }
    });
    let governor = Arc::new(Governor::default());
    let logins: Vec<LoginId> = people.iter().map(|p| LoginId::new(p).unwrap()).collect();
    let engines: Vec<Engine> = people
        .iter()
        .map(|person| {
            let token = double.issue_token_for(person, &graph_double::world::DEFAULT_SCOPES, &[]);
            let client = GraphClient::new(
                http_client().unwrap(),
                Arc::new(Endpoints::one_host(&double.url()).unwrap()),
                AccessToken::new(token).unwrap(),
            );
            Engine::new(client, EngineOptions::background(), governor.clone())
        })
        .collect();
    let members: Vec<Member<'_>> = logins
        .iter()
        .zip(&engines)
        .map(|(login, engine)| Member { login, engine })
        .collect();
    let session = Session::new(AccountBook::new());
    let pages = EACH.div_ceil(EngineOptions::default().page_size);
    let mut rows = Vec::new();
    for run in ["first", "repeat"] {
        double.reset_stats();
        let started = Instant::now();
        let report = session
            .refresh_all(&members, &Quiet, &CancellationToken::new())
            .await
            .total;
        let wall = started.elapsed();
        assert!(report.problem.is_none(), "{:?}", report.problem);
        assert_eq!(session.snapshot().len(), 2 * EACH, "every account, once");
        let stats = double.stats();
        assert_eq!(
            stats.batch_items,
            2 * EACH as u64,
            "each account's spend asked once"
        );
        let engine_errors: u64 = engines
            .iter()
            .map(|e| e.stats().rate_limit_errors.load(Ordering::Relaxed))
            .sum();
        rows.push((
            Row {
                accounts: 2 * EACH,
                run,
                wall,
                requests: stats.http_requests,
                pages,
                rate_limit_errors: stats.rate_limit_errors + engine_errors,
                pauses: governor.pauses(),
            },
            stats.batch_items,
        ));
    }
    rows
}

/// A third person for the three-login case.
const THIRD_USER: &str = "10077665544332211";

async fn one_account() -> (u64, Duration) {
    let mut config = DoubleConfig::generated(50, 1);
    config.knobs.latency_ms = RTT.as_millis() as u64;
    let double = GraphDouble::start(config).await.unwrap();
    let engine = engine_for(&double).await;
    let id = double.world(|w| w.accounts.values().next().unwrap().node_id());
    let id = adkeep_core::graph::AccountId::parse(&id).expect("an account id");
    let session = Session::new(AccountBook::new());
    double.reset_stats();
    let started = Instant::now();
    let report = session
        .refresh_accounts(
            &[Member::solo(&engine)],
            &[id],
            &Quiet,
            &CancellationToken::new(),
        )
        .await
        .total;
    assert_eq!(report.refreshed, 1);
    (double.stats().http_requests, started.elapsed())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut rows = Vec::new();
        for accounts in [100, 1_000, 5_000] {
            rows.extend(refresh_all(accounts).await);
        }
        let fleet = three_logins().await;
        let (requests, wall) = one_account().await;

        println!("\nRefresh-all against the Graph double, {} ms per round trip, rate limits enforced", RTT.as_millis());
        println!("| accounts | run | wall time | requests | sequential pages | floor (pages × RTT) | ratio | rate-limit errors | governor pauses |");
        println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        for r in &rows {
            let floor = RTT * r.pages as u32;
            println!(
                "| {} | {} | {:.2} s | {} | {} | {:.2} s | {:.2}× | {} | {} |",
                r.accounts,
                r.run,
                r.wall.as_secs_f64(),
                r.requests,
                r.pages,
                floor.as_secs_f64(),
                r.wall.as_secs_f64() / floor.as_secs_f64(),
                r.rate_limit_errors,
                r.pauses
            );
        }
        println!("\nThree logins × 1,000 accounts, 50% shared with another login (2,000 accounts), side by side, one governor");
        println!("| run | wall time | requests | spend requests (batch items) | floor (pages of one login × RTT) | ratio | rate-limit errors | governor pauses |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (r, items) in &fleet {
            let floor = RTT * r.pages as u32;
            println!(
                "| {} | {:.2} s | {} | {} for {} accounts | {:.2} s | {:.2}× | {} | {} |",
                r.run,
                r.wall.as_secs_f64(),
                r.requests,
                items,
                r.accounts,
                floor.as_secs_f64(),
                r.wall.as_secs_f64() / floor.as_secs_f64(),
                r.rate_limit_errors,
                r.pauses
            );
        }
        println!("\nOne account's refresh: {requests} HTTP request(s), {:.0} ms", wall.as_secs_f64() * 1000.0);
    });
}
