//! `make bench`: refresh-all as a person or a script waits for it — the whole
//! `adkeep refresh` process, from start to exit — against the Graph double at
//! a 100 ms round trip with its rate limits enforced. Prints a Markdown
//! table: the process's wall time split into before the first request, the
//! requests, and after the last answer; the paging floor (sequential listing
//! pages × RTT) and the ratio to it.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble};

const RTT: Duration = Duration::from_millis(100);
const ACCOUNTS: usize = 1_000;
/// Accounts per listing page (the engine's default).
const PAGE_SIZE: usize = 100;
const REPEATS: usize = 5;

struct Timing {
    wall: Duration,
    before_first: Duration,
    requests: Duration,
    after_last: Duration,
    http_requests: u64,
}

async fn time_refresh(double: &GraphDouble, token: &str, data: &std::path::Path) -> Timing {
    double.reset_stats();
    let started = Instant::now();
    let status = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .args(["refresh", "--json"])
        .env("ADKEEP_GRAPH_URL", double.url())
        .env("ADKEEP_FACEBOOK_URL", double.url())
        .env("ADKEEP_ACCESS_TOKEN", token)
        .env("ADKEEP_DATA_DIR", data)
        .env_remove("DISPLAY")
        .stdout(std::process::Stdio::null())
        .status()
        .await
        .unwrap();
    let ended = Instant::now();
    assert!(status.success(), "adkeep refresh failed: {status}");
    let timeline = double.timeline();
    let first = timeline.first_request.unwrap();
    let last = timeline.last_answer.unwrap();
    Timing {
        wall: ended - started,
        before_first: first - started,
        requests: last - first,
        after_last: ended - last,
        http_requests: double.stats().http_requests,
    }
}

fn row(run: &str, t: &Timing, floor: Duration) {
    println!(
        "| {ACCOUNTS} | {run} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {} | {:.2} s | {:.2}× |",
        t.wall.as_secs_f64(),
        t.before_first.as_secs_f64(),
        t.requests.as_secs_f64(),
        t.after_last.as_secs_f64(),
        t.http_requests,
        floor.as_secs_f64(),
        t.wall.as_secs_f64() / floor.as_secs_f64()
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut config = DoubleConfig::generated(ACCOUNTS, 3);
        config.knobs.latency_ms = RTT.as_millis() as u64;
        let double = GraphDouble::start(config).await.unwrap();
        let token = double.issue_token();
        let data = tempfile::tempdir().unwrap();
        let direct = double.world(|w| w.direct_accounts_of(DEFAULT_USER).len());
        let floor = RTT * direct.div_ceil(PAGE_SIZE).max(1) as u32;

        let first = time_refresh(&double, &token, data.path()).await;
        let mut repeats = Vec::new();
        for _ in 0..REPEATS {
            repeats.push(time_refresh(&double, &token, data.path()).await);
        }
        repeats.sort_by_key(|t| t.wall);
        let median = &repeats[REPEATS / 2];

        println!(
            "\nThe whole `adkeep refresh` process (start to exit), {} ms per round trip, rate limits enforced",
            RTT.as_millis()
        );
        println!("| accounts | run | wall | before the first request | requests | after the last answer | HTTP requests | floor | ratio |");
        println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        row("first", &first, floor);
        row(&format!("repeat (median of {REPEATS})"), median, floor);
    });
}
