//! `make bench`: refresh-all against the Graph double at a 100 ms round trip,
//! with the double enforcing its rate limits. Prints a Markdown table: wall
//! time, requests, the round-trip floor (sequential listing pages × RTT), the
//! ratio to it, and rate-limit errors, for a first run (nothing known yet) and
//! a repeat run (the everyday case); then the single-account refresh.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use adkeep_core::book::AccountBook;
use adkeep_core::fleet::Member;
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client};
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::session::{Quiet, Session};
use adkeep_core::token::AccessToken;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble};
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
        println!("\nOne account's refresh: {requests} HTTP request(s), {:.0} ms", wall.as_secs_f64() * 1000.0);
    });
}
