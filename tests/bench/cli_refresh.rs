//! `make bench`: refresh-all as a person or a script waits for it — the whole
//! `adkeep refresh` process (release), from start to exit — against the Graph
//! double at a 100 ms round trip with its rate limits enforced, at 1,000 and
//! 10,000 accounts, first run (a fresh data folder) and repeat. Prints a
//! Markdown table: the wall time split into before the first request, the
//! requests, and after the last answer; HTTP requests, Graph calls and
//! rate-limit errors as the double counted them; the process's peak memory;
//! the book's size on disk; the paging floor (sequential listing pages × RTT)
//! and the ratio to it. `ADKEEP_BENCH_TRACE=1` also prints every request of
//! every run, timed from the process's start; `ADKEEP_BENCH_ACCOUNTS=1000`
//! measures one size only.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble};

const RTT: Duration = Duration::from_millis(100);
/// Accounts per listing page (the engine's default).
const PAGE_SIZE: usize = 100;
/// (accounts, businesses, repeats).
const SIZES: [(usize, usize, usize); 2] = [(1_000, 3, 5), (10_000, 20, 3)];

struct Timing {
    wall: Duration,
    before_first: Duration,
    requests: Duration,
    after_last: Duration,
    http_requests: u64,
    calls: u64,
    rate_limited: u64,
    peak_rss_kib: Option<u64>,
}

fn tracing_requests() -> bool {
    std::env::var_os("ADKEEP_BENCH_TRACE").is_some()
}

/// The command, under GNU time when it is there (for the peak memory).
fn command(args: &[&str], peak: &Path) -> tokio::process::Command {
    let adkeep = env!("CARGO_BIN_EXE_adkeep");
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let mut command = tokio::process::Command::new(time);
        command.arg("-f").arg("%M").arg("-o").arg(peak).arg(adkeep);
        command.args(args);
        command
    } else {
        let mut command = tokio::process::Command::new(adkeep);
        command.args(args);
        command
    }
}

async fn time_command(
    args: &[&str],
    env: &[(&str, String)],
    double: &GraphDouble,
    token: &str,
    data: &Path,
) -> Timing {
    let peak = data.with_extension("peak");
    double.reset_stats();
    let started = Instant::now();
    let status = command(args, &peak)
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
    if tracing_requests() {
        print_trace(double, started, ended);
    }
    let stats = double.stats();
    Timing {
        wall: ended - started,
        before_first: first - started,
        requests: last - first,
        after_last: ended - last,
        http_requests: stats.http_requests,
        calls: stats.graph_calls,
        rate_limited: stats.rate_limit_errors,
        peak_rss_kib: std::fs::read_to_string(&peak)
            .ok()
            .and_then(|text| text.trim().parse().ok()),
    }
}

fn print_trace(double: &GraphDouble, started: Instant, ended: Instant) {
    let ms = |at: Instant| at.saturating_duration_since(started).as_millis();
    eprintln!("--- requests, ms from the process's start ---");
    for traced in double.trace() {
        let answered = traced
            .answered
            .map_or("-".to_owned(), |a| ms(a).to_string());
        eprintln!("{:>6} {:>6}  {}", ms(traced.arrived), answered, traced.what);
    }
    eprintln!("{:>6}        exit", ms(ended));
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

struct Row<'a> {
    accounts: usize,
    run: &'a str,
    timing: &'a Timing,
    book_bytes: u64,
    floor: Duration,
}

fn print_row(row: &Row<'_>) {
    let t = row.timing;
    let peak = t
        .peak_rss_kib
        .map_or("—".to_owned(), |kib| megabytes(kib * 1024));
    println!(
        "| {} | {} | {:.2} s | {:.3} s | {:.2} s | {:.3} s | {} | {} | {} | {} | {} | {:.1} s | {:.2}× |",
        row.accounts,
        row.run,
        t.wall.as_secs_f64(),
        t.before_first.as_secs_f64(),
        t.requests.as_secs_f64(),
        t.after_last.as_secs_f64(),
        t.http_requests,
        t.calls,
        t.rate_limited,
        peak,
        megabytes(row.book_bytes),
        row.floor.as_secs_f64(),
        t.wall.as_secs_f64() / row.floor.as_secs_f64()
    );
}

fn book_size(data: &Path) -> u64 {
    std::fs::metadata(data.join("accounts.json")).map_or(0, |m| m.len())
}

async fn refresh(double: &GraphDouble, token: &str, data: &Path) -> Timing {
    time_command(&["refresh", "--json"], &[], double, token, data).await
}

/// First run and repeats at one size; returns the double, the token and
/// the data folder for the `watch` comparison.
async fn measure(accounts: usize, businesses: usize, repeats: usize) -> Measured {
    let mut config = DoubleConfig::generated(accounts, businesses);
    config.knobs.latency_ms = RTT.as_millis() as u64;
    let double = GraphDouble::start(config).await.unwrap();
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let direct = double.world(|w| w.direct_accounts_of(DEFAULT_USER).len());
    let floor = RTT * direct.div_ceil(PAGE_SIZE).max(1) as u32;

    let first = refresh(&double, &token, data.path()).await;
    print_row(&Row {
        accounts,
        run: "first",
        timing: &first,
        book_bytes: book_size(data.path()),
        floor,
    });
    let mut runs = Vec::new();
    for _ in 0..repeats {
        runs.push(refresh(&double, &token, data.path()).await);
    }
    runs.sort_by_key(|t| t.wall);
    print_row(&Row {
        accounts,
        run: &format!("repeat (median of {repeats})"),
        timing: &runs[repeats / 2],
        book_bytes: book_size(data.path()),
        floor,
    });
    Measured {
        double,
        token,
        data,
        repeats,
        accounts,
    }
}

struct Measured {
    double: GraphDouble,
    token: String,
    data: tempfile::TempDir,
    repeats: usize,
    accounts: usize,
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // The binary and its libraries in the page cache, as for anyone who
    // runs it more than once: a first run here means a fresh data folder.
    let warm = std::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(warm.status.success());
    runtime.block_on(async {
        println!(
            "\nThe whole `adkeep refresh --json` process (release, start to exit), {} ms per round trip, rate limits enforced",
            RTT.as_millis()
        );
        println!(
            "| accounts | run | wall | before the first request | requests | after the last answer | HTTP requests | Graph calls | rate-limit errors | peak memory | book on disk | floor | ratio |"
        );
        println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let mut smallest = None;
        // `ADKEEP_BENCH_ACCOUNTS=1000` measures one size only.
        let only: Option<usize> = std::env::var("ADKEEP_BENCH_ACCOUNTS")
            .ok()
            .and_then(|v| v.parse().ok());
        for (accounts, businesses, repeats) in SIZES {
            if only.is_some_and(|only| only != accounts) {
                continue;
            }
            let measured = measure(accounts, businesses, repeats).await;
            smallest.get_or_insert(measured);
        }
        if let Some(m) = smallest {
            watch_vs_refresh(&m).await;
        }
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
async fn watch_vs_refresh(m: &Measured) {
    let (double, token, data) = (&m.double, m.token.as_str(), m.data.path());
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
    for _ in 0..m.repeats {
        refreshes.push(refresh(double, token, data).await);
        watches.push(time_command(&["watch", "--once"], &env, double, token, data).await);
    }
    refreshes.sort_by_key(|t| t.wall);
    watches.sort_by_key(|t| t.wall);
    let middle = m.repeats / 2;
    let (refresh, watch) = (&refreshes[middle], &watches[middle]);
    println!(
        "\n`adkeep watch --once` with three destinations against `adkeep refresh`, {} accounts (medians of {}, alternated)",
        m.accounts, m.repeats
    );
    println!("| run | wall | after the last answer | HTTP requests to Meta | vs refresh |");
    println!("|---|---:|---:|---:|---:|");
    let line = |name: &str, t: &Timing| {
        println!(
            "| {name} | {:.2} s | {:.3} s | {} | {:+.1} % |",
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
