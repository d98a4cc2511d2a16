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
    time_command(&["refresh", "--json"], &[], double, token, data).await
}

async fn time_command(
    args: &[&str],
    env: &[(&str, String)],
    double: &GraphDouble,
    token: &str,
    data: &std::path::Path,
) -> Timing {
    double.reset_stats();
    let started = Instant::now();
    let status = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
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
    assert!(status.success(), "adkeep {args:?} failed: {status}");
    let timeline = double.timeline();
    // A command that asks Meta nothing (`alerts add`) has no timeline.
    let first = timeline.first_request.unwrap_or(ended);
    let last = timeline.last_answer.unwrap_or(ended);
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
        watch_vs_refresh(&double, &token, data.path()).await;
    });
}

/// A receiver on loopback answering every destination at once (`ok`).
async fn receiver() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/{path}", axum::routing::post(|| async { "ok" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// `watch --once` with three destinations (Slack, Teams, a signed webhook)
/// against `adkeep refresh` of the same accounts, run alternately.
async fn watch_vs_refresh(double: &GraphDouble, token: &str, data: &std::path::Path) {
    let base = receiver().await;
    let env = vec![
        ("SLACK_URL", format!("{base}/slack")),
        ("TEAMS_URL", format!("{base}/teams")),
        ("HOOK_SECRET", "bench-secret".to_owned()),
    ];
    let hook = format!("{base}/hook");
    for add in [
        vec![
            "alerts",
            "add",
            "slack",
            "--url-env",
            "SLACK_URL",
            "--min-severity",
            "warning",
        ],
        vec!["alerts", "add", "teams", "--url-env", "TEAMS_URL"],
        vec![
            "alerts",
            "add",
            "webhook",
            &hook,
            "--secret-env",
            "HOOK_SECRET",
        ],
    ] {
        time_command(&add, &env, double, token, data).await;
    }
    // The first check tells every destination what is wrong now (digests go out).
    let telling = time_command(&["watch", "--once"], &env, double, token, data).await;
    let (mut watches, mut refreshes) = (Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        refreshes.push(time_refresh(double, token, data).await);
        watches.push(time_command(&["watch", "--once"], &env, double, token, data).await);
    }
    refreshes.sort_by_key(|t| t.wall);
    watches.sort_by_key(|t| t.wall);
    let (refresh, watch) = (&refreshes[REPEATS / 2], &watches[REPEATS / 2]);
    println!(
        "\n`adkeep watch --once` with three destinations against `adkeep refresh`, {ACCOUNTS} accounts (medians of {REPEATS}, alternated)"
    );
    println!("| run | wall | after the last answer | HTTP requests to Meta | vs refresh |");
    println!("|---|---:|---:|---:|---:|");
    let line = |name: &str, t: &Timing| {
        println!(
            "| {name} | {:.2} s | {:.2} s | {} | {:+.1} % |",
            t.wall.as_secs_f64(),
            t.after_last.as_secs_f64(),
            t.http_requests,
            (t.wall.as_secs_f64() / refresh.wall.as_secs_f64() - 1.0) * 100.0
        )
    };
    line("refresh", refresh);
    line("watch --once (nothing new)", watch);
    line("watch --once (first: three digests sent)", &telling);
}
