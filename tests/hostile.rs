//! The hostile-response suite: `adkeep refresh` against a Graph that answers
//! like Meta except for one twist each time (see `graph_double::hostile`).
//! Every case holds what every case must: no panic, the run finishes, no
//! request reaches a second host, memory stays bounded, the token is nowhere
//! in the output, the files or the logs. Then each checks the classified
//! outcome its twist should lead to.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use graph_double::hostile::{Hostile, LinkShape, Listing, Recorder, Route, Twist};
use graph_double::{DoubleConfig, GraphDouble};
use serde_json::Value;

/// Peak resident memory any run may reach. A debug build refreshing these
/// accounts peaks near 70 MB, a bomb stopped at the 32 MiB body limit near
/// 100 MB; before that limit a gzip bomb took 2.1 GB.
const MAX_PEAK_MB: u64 = 160;
/// The slowest honest case retries for about 15 s.
const RUN_LIMIT: Duration = Duration::from_secs(90);
const ACCOUNTS: usize = 150;

struct Stage {
    _double: GraphDouble,
    recorder: Recorder,
    hostile: Hostile,
    token: String,
    data: tempfile::TempDir,
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
    peak_mb: u64,
}

impl Run {
    fn rows(&self) -> Vec<Value> {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

async fn stage() -> Stage {
    let mut config = DoubleConfig::generated(ACCOUNTS, 2);
    config.knobs.frozen_now = Some(Utc::now());
    let double = GraphDouble::start(config).await.unwrap();
    let recorder = Recorder::start().await.unwrap();
    let hostile = Hostile::start(&double.url(), &recorder.url())
        .await
        .unwrap();
    Stage {
        token: double.issue_token(),
        _double: double,
        recorder,
        hostile,
        data: tempfile::tempdir().unwrap(),
    }
}

/// Runs `adkeep` against the proxy, watching its peak memory.
async fn adkeep(stage: &Stage, args: &[&str]) -> Run {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .args(args)
        .env("ADKEEP_GRAPH_URL", stage.hostile.url())
        .env("ADKEEP_FACEBOOK_URL", stage.hostile.url())
        .env("ADKEEP_ACCESS_TOKEN", &stage.token)
        .env("ADKEEP_DATA_DIR", stage.data.path())
        .env("RUST_LOG", "debug")
        .env_remove("DISPLAY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("adkeep starts");
    let pid = child.id().expect("a pid");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let read = |mut pipe: Box<dyn tokio::io::AsyncRead + Unpin + Send>| {
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut pipe, &mut buf).await;
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let (out, err) = (read(Box::new(stdout)), read(Box::new(stderr)));
    let started = Instant::now();
    let mut peak_kb = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        peak_kb = peak_kb.max(peak_rss_kb(pid));
        assert!(
            started.elapsed() < RUN_LIMIT,
            "adkeep {args:?} did not finish in {RUN_LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    Run {
        status: status.code().unwrap_or(-1),
        stdout: out.await.unwrap(),
        stderr: err.await.unwrap(),
        peak_mb: peak_kb / 1024,
    }
}

/// `VmHWM`: the process's peak resident memory so far.
fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Every file under `dir`, with its contents.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

/// What every case must hold.
fn holds_everywhere(stage: &Stage, run: &Run, case: &str) {
    assert_ne!(run.status, 101, "{case}: adkeep panicked: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{case}: {}", run.stderr);
    let seen = stage.recorder.seen();
    assert!(
        seen.is_empty(),
        "{case}: {} request(s) reached the second host, first: {:?}",
        seen.len(),
        seen.first()
            .map(|s| (&s.method, &s.target, s.token().is_some()))
    );
    assert!(
        run.peak_mb <= MAX_PEAK_MB,
        "{case}: peak memory {} MB",
        run.peak_mb
    );
    let token = stage.token.as_str();
    assert!(!run.stdout.contains(token), "{case}: the token on stdout");
    assert!(
        !run.stderr.contains(token),
        "{case}: the token in the log (stderr)"
    );
    for (path, content) in files(stage.data.path()) {
        let leaked = content.windows(token.len()).any(|w| w == token.as_bytes());
        assert!(!leaked, "{case}: the token in {path}");
    }
}

/// What a twist should lead to.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// Every row refreshed; the status is 0.
    Fresh,
    /// Every row refreshed; rows Meta sent an unreadable `field` for say so
    /// (and show no value rather than a guess); the status is 0.
    FreshExcept(&'static str),
    /// The run stopped early (status 1): each row was refreshed before the
    /// stop or keeps its last data and carries `reason`; `names` (the
    /// recorder's address) appears in the reason's details when set.
    Stopped {
        reason: &'static str,
        names_recorder: bool,
    },
    /// Nothing stopped, but not every listed item could be read (status 1).
    Incomplete,
}

async fn case(name: &str, twist: Twist, times: Option<u32>, outcome: Outcome) {
    let stage = stage().await;
    let before = adkeep(&stage, &["refresh", "--json"]).await;
    assert_eq!(
        before.status, 0,
        "{name}: the honest run: {}",
        before.stderr
    );
    let baseline: Vec<Value> = before.rows();
    assert_eq!(baseline.len(), ACCOUNTS);

    stage.hostile.arm(twist, times);
    let run = adkeep(&stage, &["refresh", "--json"]).await;
    stage.hostile.disarm();
    eprintln!("{name}: status {}, peak {} MB", run.status, run.peak_mb);
    holds_everywhere(&stage, &run, name);
    check(name, outcome, &run, &baseline, &stage.recorder.authority());

    // What a person sees in a terminal: printable, whatever Meta sent.
    let table = adkeep(&stage, &["accounts"]).await;
    holds_everywhere(&stage, &table, name);
    assert!(
        !table
            .stdout
            .chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
        "{name}: control characters in the table"
    );
}

fn refreshed_at(row: &Value) -> Option<DateTime<Utc>> {
    row["refreshed_at"].as_str().and_then(|t| t.parse().ok())
}

fn check(name: &str, outcome: Outcome, run: &Run, baseline: &[Value], recorder: &str) {
    let rows = run.rows();
    match outcome {
        Outcome::Fresh | Outcome::FreshExcept(_) => {
            assert_eq!(run.status, 0, "{name}: {}", run.stderr);
            assert_eq!(rows.len(), ACCOUNTS, "{name}: every account, once");
            assert!(rows.iter().all(|r| r["error"].is_null()), "{name}");
            if let Outcome::FreshExcept(field) = outcome {
                let flagged: Vec<&Value> = rows
                    .iter()
                    .filter(|r| {
                        r["field_errors"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|e| e["field"] == field)
                    })
                    .collect();
                assert!(
                    !flagged.is_empty(),
                    "{name}: no row says {field} was unreadable"
                );
                if field != "datasets" {
                    assert!(
                        flagged.iter().all(|r| r[field].is_null()),
                        "{name}: {field} unknown, not guessed"
                    );
                }
            }
        }
        Outcome::Stopped {
            reason,
            names_recorder,
        } => {
            assert_eq!(run.status, 1, "{name}: {}", run.stderr);
            assert_eq!(rows.len(), ACCOUNTS, "{name}: no row dropped");
            let mut stopped = 0;
            for row in &rows {
                let before = baseline.iter().find(|b| b["id"] == row["id"]).unwrap();
                if row["error"].is_null() {
                    assert!(refreshed_at(row) > refreshed_at(before), "{name}: {row}");
                    continue;
                }
                stopped += 1;
                assert_eq!(row["error"]["reason"], reason, "{name}: {row}");
                assert_eq!(
                    refreshed_at(row),
                    refreshed_at(before),
                    "{name}: data kept as of"
                );
                if let Some(at) = row["error"]["retry_at"].as_str() {
                    let at: DateTime<Utc> = at.parse().unwrap();
                    let bound =
                        Utc::now() + chrono::Duration::days(1) + chrono::Duration::minutes(5);
                    assert!(
                        at <= bound,
                        "{name}: a wait hint beyond a day is a day: {at}"
                    );
                }
                assert!(!row["name"].is_null() && !row["amount_spent"].is_null());
            }
            assert!(
                stopped > 0,
                "{name}: some rows say why they were not refreshed"
            );
            if names_recorder {
                let recorder_named = rows.iter().any(|r| {
                    r["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(recorder))
                });
                assert!(
                    recorder_named,
                    "{name}: the refused link's host ({recorder}) is named: {:?}",
                    rows.iter()
                        .map(|r| &r["error"]["message"])
                        .collect::<std::collections::HashSet<_>>()
                );
            }
        }
        Outcome::Incomplete => {
            assert_eq!(run.status, 1, "{name}: {}", run.stderr);
            assert!(
                run.stderr.contains("could not be read"),
                "{name}: {}",
                run.stderr
            );
            assert_eq!(
                rows.len(),
                ACCOUNTS,
                "{name}: nothing marked gone or dropped"
            );
            assert!(
                rows.iter().all(|r| r["reach"] == "reachable"),
                "{name}: an incomplete listing marks nothing unreachable"
            );
        }
    }
}

fn next_link(listing: Listing, shape: LinkShape) -> Twist {
    Twist::NextLink { listing, shape }
}

const ELSEWHERE: Outcome = Outcome::Stopped {
    reason: "transient",
    names_recorder: true,
};
const REFUSED: Outcome = Outcome::Stopped {
    reason: "transient",
    names_recorder: false,
};

macro_rules! cases {
    ($($name:ident: $twist:expr, $times:expr => $outcome:expr;)*) => {$(
        #[tokio::test(flavor = "multi_thread")]
        async fn $name() {
            case(stringify!($name), $twist, $times, $outcome).await;
        }
    )*};
}

cases! {
    // Links that would carry the token elsewhere, in every listing.
    listing_link_to_another_host: next_link(Listing::AdAccounts, LinkShape::Plain), None => ELSEWHERE;
    listing_link_whose_path_is_a_url: next_link(Listing::AdAccounts, LinkShape::PathHoldsUrl), None => REFUSED;
    listing_link_with_scheme_in_path: next_link(Listing::AdAccounts, LinkShape::SchemeInPath), None => ELSEWHERE;
    listing_link_protocol_relative: next_link(Listing::AdAccounts, LinkShape::ProtocolRelative), None => REFUSED;
    listing_link_with_userinfo: next_link(Listing::AdAccounts, LinkShape::Userinfo), None => ELSEWHERE;
    listing_link_with_backslash: next_link(Listing::AdAccounts, LinkShape::Backslash), None => REFUSED;
    listing_link_with_encoded_slashes: next_link(Listing::AdAccounts, LinkShape::EncodedSlashes), None => REFUSED;
    permissions_link_to_another_host: next_link(Listing::Permissions, LinkShape::Plain), None => Outcome::Fresh;
    businesses_link_to_another_host: next_link(Listing::Businesses, LinkShape::Plain), None => ELSEWHERE;
    business_edge_link_to_another_host: next_link(Listing::BusinessEdge, LinkShape::Plain), None => Outcome::Incomplete;
    datasets_link_to_another_host: next_link(Listing::Datasets, LinkShape::Plain), None => Outcome::FreshExcept("datasets");
    listing_redirect: Twist::Redirect(Route::AdAccounts), None => ELSEWHERE;
    batch_redirect: Twist::Redirect(Route::Batch), None => ELSEWHERE;
    // Listings that never end.
    listing_next_is_itself: Twist::SelfLoop(Listing::AdAccounts), None => REFUSED;
    permissions_next_is_itself: Twist::SelfLoop(Listing::Permissions), None => Outcome::Fresh;
    endless_empty_pages: Twist::EndlessEmptyPages, None => REFUSED;
    endless_pages: Twist::EndlessPages, None => REFUSED;
    // Bodies that would take the memory.
    gzip_bomb: Twist::GzipBomb, None => REFUSED;
    huge_body: Twist::HugeBody, None => REFUSED;
    lying_content_length: Twist::LyingLength, None => REFUSED;
    deep_nesting_once: Twist::DeepNesting, Some(1) => Outcome::Fresh;
    // Bodies that cannot be read.
    non_utf8_once: Twist::NonUtf8, Some(1) => Outcome::Fresh;
    truncated_once: Twist::Truncated, Some(1) => Outcome::Fresh;
    truncated_always: Twist::Truncated, None => REFUSED;
    invalid_gzip_once: Twist::InvalidGzip, Some(1) => Outcome::Fresh;
    empty_body_once: Twist::EmptyBody, Some(1) => Outcome::Fresh;
    html_error_once: Twist::HtmlError, Some(1) => Outcome::Fresh;
    batch_not_a_list_once: Twist::BatchNotAList, Some(1) => Outcome::Fresh;
    batch_with_extra_items: Twist::BatchExtraItems, None => Outcome::Fresh;
    // Shapes that are wrong.
    wrong_types: Twist::WrongTypes, None => Outcome::Incomplete;
    nulls: Twist::Nulls, None => Outcome::Incomplete;
    duplicate_accounts_across_pages: Twist::DuplicateAccounts, None => Outcome::Fresh;
    // Texts that quote the token.
    echoed_token_in_an_error: Twist::EchoToken, None => Outcome::Stopped { reason: "token_revoked", names_recorder: false };
    echoed_token_in_batch_items: Twist::EchoTokenInBatch, None => Outcome::Stopped { reason: "permissions_changed", names_recorder: false };
    // Numbers that would panic.
    absurd_usage_headers: Twist::AbsurdUsage, None => Outcome::Stopped { reason: "rate_limited", names_recorder: false };
    absurd_rate_limit_hint: Twist::AbsurdRateLimit, None => Outcome::Stopped { reason: "rate_limited", names_recorder: false };
    overflowing_money: Twist::OverflowingMoney, None => Outcome::FreshExcept("amount_spent");
    overflowing_spend_in_batch: Twist::OverflowingSpendInBatch, None => Outcome::FreshExcept("spend_last_30d");
    // Names that would take over a terminal.
    terminal_escapes_in_names: Twist::TerminalEscapes, None => Outcome::Fresh;
}

/// A name that is not valid Unicode costs its own letters, never its page:
/// every account is read, the bad names with U+FFFD where they broke.
async fn broken_names(twist: Twist) {
    let stage = stage().await;
    stage.hostile.arm(twist.clone(), None);
    let run = adkeep(&stage, &["refresh", "--json"]).await;
    stage.hostile.disarm();
    holds_everywhere(&stage, &run, &format!("{twist:?}"));
    assert_eq!(run.status, 0, "{twist:?}: {}", run.stderr);
    let rows = run.rows();
    assert_eq!(rows.len(), ACCOUNTS, "{twist:?}: every account");
    let replaced = rows
        .iter()
        .filter(|r| r["name"].as_str().is_some_and(|n| n.contains('\u{FFFD}')))
        .count();
    assert!(
        replaced >= 2,
        "{twist:?}: {replaced} names show where they broke"
    );
    assert!(
        rows.iter().all(|r| r["error"].is_null()),
        "{twist:?}: nothing failed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lone_surrogates_in_names() {
    broken_names(Twist::LoneSurrogates).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_utf8_in_names_on_every_page() {
    broken_names(Twist::InvalidUtf8Names).await;
}
