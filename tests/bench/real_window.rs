//! `make bench`, in the real window (release build, tauri-driver,
//! WebKitWebDriver, WebKitGTK under Xvfb): launch to first paint of an empty
//! app (its first text) and of an app with 1,000 and with 5,000 cached
//! accounts (its first rows), each in the same run; the accounts in the DOM
//! at that moment; and the WebKit web process's memory (VmRSS) once settled.
//! The launch clock starts before tauri-driver does, so every case carries
//! the same fixed start-up cost.
//!
//! Run by scripts/bench.sh under xvfb-run and a D-Bus session.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use graph_double::{DoubleConfig, GraphDouble};
use support::{App, Options};

const ROUNDS: usize = 3;

struct Sample {
    first_paint_ms: f64,
    /// The page began loading, the window's script started, and the state
    /// arrived (launch-relative).
    page_ms: f64,
    script_ms: f64,
    state_ms: f64,
    rows_in_dom: u64,
    web_rss_mb: f64,
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

/// The parent of a process, from /proc.
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid …": comm may hold spaces, so split after ')'.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn descends_from(mut pid: u32, ancestor: u32) -> bool {
    for _ in 0..64 {
        match parent(pid) {
            Some(p) if p == ancestor => return true,
            Some(p) if p > 1 => pid = p,
            _ => return false,
        }
    }
    false
}

/// VmRSS of the WebKit web processes under `driver`, in MB.
fn web_process_rss(driver: u32) -> f64 {
    let mut kb = 0u64;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if !comm.starts_with("WebKitWebProces") || !descends_from(pid, driver) {
            continue;
        }
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        kb += status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    kb as f64 / 1024.0
}

async fn launch(options: Options, rows: usize) -> Sample {
    eprintln!("launching ({rows} cached accounts)…");
    let started = now_ms();
    let app = tokio::time::timeout(Duration::from_secs(120), App::launch(options))
        .await
        .expect("the window opened within 2 minutes");
    app.wait_for(
        "performance.getEntriesByName('adkeep:first-paint').length > 0",
        60,
    )
    .await;
    let painted = app
        .js("return performance.timeOrigin + performance.getEntriesByName('adkeep:first-paint')[0].startTime")
        .await
        .as_f64()
        .unwrap();
    let mark = |name: &'static str| {
        let app = &app;
        async move {
            app.js(&format!(
                "const m = performance.getEntriesByName('{name}')[0]; return m ? performance.timeOrigin + m.startTime : null"
            ))
            .await
            .as_f64()
            .unwrap_or(f64::NAN)
        }
    };
    let page_ms = app
        .js("return performance.timeOrigin")
        .await
        .as_f64()
        .unwrap_or(f64::NAN)
        - started;
    let script_ms = mark("adkeep:script").await - started;
    let state_ms = mark("adkeep:state-read").await - started;
    let rows_in_dom = app
        .js("return document.querySelectorAll('.account-row').length")
        .await
        .as_u64()
        .unwrap();
    if rows > 0 {
        assert!(rows_in_dom > 0, "the cached rows were painted");
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let web_rss_mb = web_process_rss(app.driver_pid());
    app.close().await;
    Sample {
        first_paint_ms: painted - started,
        page_ms,
        script_ms,
        state_ms,
        rows_in_dom,
        web_rss_mb,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let mut rows = Vec::new();
    let empty = {
        let mut samples = Vec::new();
        for _ in 0..ROUNDS {
            samples.push(launch(Options::default(), 0).await);
        }
        samples
    };
    let empty_paint = median(empty.iter().map(|s| s.first_paint_ms).collect());
    let empty_rss = median(empty.iter().map(|s| s.web_rss_mb).collect());
    rows.push(("empty (first text)".to_owned(), empty));
    for accounts in [1_000usize, 5_000] {
        let double = GraphDouble::start(DoubleConfig::generated(accounts, 3))
            .await
            .unwrap();
        let data = support::cached_accounts(&double).await;
        let mut samples = Vec::new();
        for _ in 0..ROUNDS {
            let options = Options {
                data_dir: Some(data.path().to_path_buf()),
                ..Options::default()
            }
            .double(&double.url(), &double.issue_token());
            samples.push(launch(options, accounts).await);
        }
        rows.push((format!("{accounts} cached accounts (first rows)"), samples));
    }

    println!(
        "\nThe real window (release build, WebKitGTK under Xvfb 1400×900), launch to first paint, median of {ROUNDS}"
    );
    println!(
        "| app | launch to first paint | vs the empty app | page began | script started | state arrived | rows in the DOM | web process memory | vs the empty app |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, samples) in rows {
        let paint = median(samples.iter().map(|s| s.first_paint_ms).collect());
        let rss = median(samples.iter().map(|s| s.web_rss_mb).collect());
        let dom = samples.iter().map(|s| s.rows_in_dom).max().unwrap_or(0);
        let page = median(samples.iter().map(|s| s.page_ms).collect());
        let script = median(samples.iter().map(|s| s.script_ms).collect());
        let state = median(samples.iter().map(|s| s.state_ms).collect());
        println!(
            "| {name} | {paint:.0} ms | {:+.0} ms | {page:.0} ms | {script:.0} ms | {state:.0} ms | {dom} | {rss:.0} MB | {:+.0} MB |",
            paint - empty_paint,
            rss - empty_rss
        );
    }
}
