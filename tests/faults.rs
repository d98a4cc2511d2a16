//! The machine at its worst: `adkeep refresh` of 1,000 accounts killed
//! (SIGKILL) at random moments, a full disk, three runs at once, a cut book.
//! Each ends with every account present, the book readable, the history
//! intact, no lock that blocks the next run, and nothing set aside that was
//! whole.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use graph_double::{DoubleConfig, GraphDouble};
use serde_json::Value;

const ACCOUNTS: usize = 1_000;

async fn double() -> GraphDouble {
    let mut config = DoubleConfig::generated(ACCOUNTS, 3);
    config.knobs.latency_ms = 20;
    GraphDouble::start(config).await.unwrap()
}

fn command(
    double: &GraphDouble,
    token: &str,
    data: &Path,
    args: &[&str],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"));
    command
        .args(args)
        .env("ADKEEP_GRAPH_URL", double.url())
        .env("ADKEEP_FACEBOOK_URL", double.url())
        .env("ADKEEP_ACCESS_TOKEN", token)
        .env("ADKEEP_DATA_DIR", data)
        .env_remove("DISPLAY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    command
}

async fn refresh(double: &GraphDouble, token: &str, data: &Path) -> (i32, Vec<Value>, String) {
    let out = command(double, token, data, &["refresh", "--json"])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rows = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (out.status.code().unwrap_or(-1), rows, stderr)
}

/// The book on disk, whole: every account, parsed.
fn book_accounts(data: &Path) -> usize {
    let text = std::fs::read(data.join("accounts.json")).expect("a book");
    let book: Value = serde_json::from_slice(&text).expect("the book parses");
    book["book"]["accounts"].as_object().map_or(0, |a| a.len())
}

fn set_aside_files(data: &Path) -> Vec<String> {
    std::fs::read_dir(data)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("unreadable") || n.contains(".corrupt") || n.contains("set-aside"))
        .collect()
}

fn temp_files(data: &Path) -> Vec<String> {
    std::fs::read_dir(data)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

fn history_ok(data: &Path) {
    let db = rusqlite::Connection::open(data.join("history.sqlite3")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_at_random_moments_a_refresh_loses_nothing() {
    let double = double().await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let (status, rows, stderr) = refresh(&double, &token, data.path()).await;
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(rows.len(), ACCOUNTS);
    // A seeded spread of moments across a refresh (about 1.5 s here).
    let mut seed: u64 = 0x5eed_f00d;
    for round in 0..8 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let after = Duration::from_millis(30 + (seed >> 33) % 1_500);
        double.world(|w| {
            let a = w.accounts.values_mut().nth(round * 7).unwrap();
            a.account_status = if a.account_status == 1 { 2 } else { 1 };
        });
        let mut child = command(&double, &token, data.path(), &["refresh", "--json"])
            .spawn()
            .unwrap();
        tokio::time::sleep(after).await;
        let _ = child.start_kill();
        let _ = child.wait().await;
        assert_eq!(
            book_accounts(data.path()),
            ACCOUNTS,
            "round {round}, killed after {after:?}"
        );
    }
    // The next run is not blocked by a lock the killed ones held, and finds all.
    let (status, rows, stderr) = tokio::time::timeout(
        Duration::from_secs(120),
        refresh(&double, &token, data.path()),
    )
    .await
    .expect("no lock blocks the next run");
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(rows.len(), ACCOUNTS);
    assert!(
        set_aside_files(data.path()).is_empty(),
        "nothing whole was set aside"
    );
    assert!(
        temp_files(data.path()).is_empty(),
        "stale temporary files are removed: {:?}",
        temp_files(data.path())
    );
    history_ok(data.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn three_runs_at_once_corrupt_nothing_and_do_not_triple_meta_calls() {
    let double = double().await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let (status, _, stderr) = refresh(&double, &token, data.path()).await;
    assert_eq!(status, 0, "{stderr}");
    double.reset_stats();
    let (status, _, _) = refresh(&double, &token, data.path()).await;
    assert_eq!(status, 0);
    let one_run = double.stats().http_requests;
    double.reset_stats();
    let runs: Vec<_> = (0..3)
        .map(|_| command(&double, &token, data.path(), &["refresh", "--json"]).output())
        .collect();
    for out in futures::future::join_all(runs).await {
        let out = out.unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(rows.len(), ACCOUNTS);
    }
    let three = double.stats().http_requests;
    assert!(
        three <= one_run + one_run / 2,
        "three at once asked Meta {three} times (one run: {one_run})"
    );
    assert_eq!(book_accounts(data.path()), ACCOUNTS);
    history_ok(data.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_book_is_set_aside_and_the_next_refresh_rebuilds() {
    let double = double().await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    assert_eq!(refresh(&double, &token, data.path()).await.0, 0);
    let book = data.path().join("accounts.json");
    let whole = std::fs::read(&book).unwrap();
    std::fs::write(&book, &whole[..whole.len() / 2]).unwrap();
    let (status, rows, stderr) = refresh(&double, &token, data.path()).await;
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("could not be read"), "it says so: {stderr}");
    assert_eq!(rows.len(), ACCOUNTS);
    assert_eq!(book_accounts(data.path()), ACCOUNTS);
    let aside: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("accounts.json.")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the cut book is kept aside, once");
}

/// A full disk, on a small tmpfs in a mount namespace of our own (no root
/// needed where unprivileged user namespaces are allowed).
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_keeps_the_old_book_and_exits_non_zero() {
    let probe = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "true"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!(
            "SKIPPED: this machine allows no mount namespace (unshare), so no small disk can be filled"
        );
        return;
    }
    let double = double().await;
    let token = double.issue_token();
    let outside = tempfile::tempdir().unwrap();
    let inner = outside.path().join("data");
    std::fs::create_dir(&inner).unwrap();
    let dir = inner.display().to_string();
    // One shell in the namespace: a 16 MiB disk, a first refresh, the disk
    // filled, a change at Meta, a refresh that cannot save, the disk freed,
    // a refresh that saves.
    let script = format!(
        r#"set -u
mount -t tmpfs -o size=16m tmpfs "{dir}" || exit 90
"$ADKEEP" refresh --json > /dev/null 2>&1; echo "first=$?"
dd if=/dev/zero of="{dir}/filler" bs=64k 2>/dev/null
echo CHANGE; read _
"$ADKEEP" refresh --json > "{dir}/../out-full.json" 2> "{dir}/../err-full.txt"; echo "full=$?"
cp "{dir}/accounts.json" "{dir}/../book-during.json" 2>/dev/null
"$ADKEEP" doctor > "{dir}/../doctor-full.txt" 2>&1; echo "doctor=$?"
rm -f "{dir}/filler"
"$ADKEEP" refresh --json > /dev/null 2> "{dir}/../err-freed.txt"; echo "freed=$?"
cp "{dir}/accounts.json" "{dir}/../book-after.json"
"#
    );
    let mut child = tokio::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .env("ADKEEP", env!("CARGO_BIN_EXE_adkeep"))
        .env("ADKEEP_GRAPH_URL", double.url())
        .env("ADKEEP_FACEBOOK_URL", double.url())
        .env("ADKEEP_ACCESS_TOKEN", &token)
        .env("ADKEEP_DATA_DIR", &inner)
        .env_remove("DISPLAY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stdin = child.stdin.take().unwrap();
    let mut said = Vec::new();
    let mut changed = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        if line == "CHANGE" {
            changed = double.world(|w| {
                let a = w.accounts.values_mut().next().unwrap();
                a.name = "Renamed while the disk is full".to_owned();
                format!("act_{}", a.id)
            });
            stdin.write_all(b"go\n").await.unwrap();
            continue;
        }
        said.push(line);
    }
    child.wait().await.unwrap();
    let freed = std::fs::read_to_string(outside.path().join("err-freed.txt")).unwrap_or_default();
    assert_eq!(
        said,
        ["first=0", "full=1", "doctor=1", "freed=0"],
        "exit statuses; after: {freed}"
    );
    let doctor = std::fs::read_to_string(outside.path().join("doctor-full.txt")).unwrap();
    assert!(
        doctor.contains("Storage:    Adkeep cannot write in"),
        "{doctor}"
    );
    let err = std::fs::read_to_string(outside.path().join("err-full.txt")).unwrap();
    assert!(err.contains("could not save your account list in"), "{err}");
    assert!(
        err.contains(&inner.display().to_string()),
        "names the folder: {err}"
    );
    let during: Value =
        serde_json::from_slice(&std::fs::read(outside.path().join("book-during.json")).unwrap())
            .unwrap();
    assert_eq!(
        during["book"]["accounts"].as_object().unwrap().len(),
        ACCOUNTS,
        "the old book is kept whole"
    );
    let after: Value =
        serde_json::from_slice(&std::fs::read(outside.path().join("book-after.json")).unwrap())
            .unwrap();
    assert_eq!(
        after["book"]["accounts"][&changed]["name"], "Renamed while the disk is full",
        "the change arrives once there is room"
    );
}

/// A server that takes the connection and never answers: the refresh still
/// ends within two minutes, every row keeping its data and saying why.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_ends_the_refresh_in_time() {
    let double = double().await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    assert_eq!(refresh(&double, &token, data.path()).await.0, 0);
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let started = std::time::Instant::now();
    let out = command(&double, &token, data.path(), &["refresh", "--json"])
        .env("ADKEEP_GRAPH_URL", &url)
        .env("ADKEEP_FACEBOOK_URL", &url)
        .output()
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(120), "it took {took:?}");
    assert_eq!(out.status.code(), Some(1));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), ACCOUNTS, "every account kept");
    for row in &rows {
        assert_eq!(row["error"]["reason"], "transient", "{}", row["id"]);
        assert!(
            !row["name"].is_null() && !row["refreshed_at"].is_null(),
            "the last data stays"
        );
    }
}

/// A first run whose per-account reads (the spend insights) Meta refuses
/// for its rate limit: the rows keep what the listing gave (name, status,
/// currency) and say what is missing, instead of the id alone.
#[tokio::test(flavor = "multi_thread")]
async fn a_first_run_keeps_what_the_listing_gave_when_later_reads_fail() {
    let mut config = DoubleConfig::generated(120, 1);
    config.knobs.latency_ms = 5;
    let double = GraphDouble::start(config).await.unwrap();
    let token = double.issue_token();
    let body = serde_json::json!({"error": {"message": "(#80004) There have been too many calls to this ad-account.",
        "type": "OAuthException", "code": 80004, "error_subcode": 2446079, "fbtrace_id": "Ax"}});
    double.add_fault(graph_double::Fault {
        path_contains: Some("/insights".to_owned()),
        account: None,
        kind: graph_double::FaultKind::Error {
            status: 400,
            body,
            headers: vec![(
                "x-business-use-case-usage".to_owned(),
                r#"{"1":[{"type":"ads_management","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":7}]}"#.to_owned(),
            )],
        },
        probability: 1.0,
        remaining: None,
    });
    // Listing pages slower than the failing reads: the business quota the
    // first read reports is known before the listing's second page is asked.
    double.add_fault(graph_double::Fault {
        path_contains: Some("/me/adaccounts".to_owned()),
        account: None,
        kind: graph_double::FaultKind::Delay { secs: 0.3 },
        probability: 1.0,
        remaining: None,
    });
    let data = tempfile::tempdir().unwrap();
    let (status, rows, stderr) = refresh(&double, &token, data.path()).await;
    assert_eq!(status, 1, "{stderr}");
    // A business's quota holds back account reads, not the token's listing:
    // every account is there.
    assert_eq!(rows.len(), 120, "{stderr}");
    let named = double.world(|w| {
        w.accounts
            .values()
            .map(|a| (format!("act_{}", a.id), a.name.clone(), a.currency.clone()))
            .collect::<Vec<_>>()
    });
    for row in &rows {
        let (_, name, currency) = named
            .iter()
            .find(|(id, ..)| row["id"] == id.as_str())
            .unwrap();
        assert_eq!(row["name"], name.as_str(), "the listing's name stays");
        assert_eq!(row["currency"], currency.as_str());
        assert_ne!(row["status"], "unknown", "{}", row["id"]);
        assert!(!row["error"].is_null(), "it says what is missing");
    }
}
