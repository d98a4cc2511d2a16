//! The `adkeep` binary from the terminal, against the Graph double.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble};
use rust_decimal::Decimal;
use serde_json::Value;

struct Output {
    status: i32,
    stdout: String,
    stderr: String,
}

async fn adkeep(args: &[&str], double: &str, token: &str, data: &Path) -> Output {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .args(args)
        .env("ADKEEP_GRAPH_URL", double)
        .env("ADKEEP_FACEBOOK_URL", double)
        .env("ADKEEP_ACCESS_TOKEN", token)
        .env("ADKEEP_DATA_DIR", data)
        .env_remove("DISPLAY")
        .output()
        .await
        .expect("adkeep runs");
    Output {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn frozen() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T13:45:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn agency_double(accounts: usize) -> GraphDouble {
    let mut config = DoubleConfig::generated(accounts, 3);
    config.data.currencies = ["USD", "JPY", "EUR", "GBP", "KRW", "BRL"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    config.knobs.frozen_now = Some(frozen());
    config.knobs.ragged_pages = true;
    GraphDouble::start(config).await.expect("double")
}

/// `"ads"` as `--json` prints it: plain counts as the double holds them,
/// the limit `null` where the role may not read it.
fn same_ads(ads: &Value, truth: &graph_double::world::AdAccount, tasks: &[String]) {
    let id = &truth.id;
    let count = |status: &str| {
        truth
            .ads
            .iter()
            .filter(|a| a.effective_status == status)
            .count()
    };
    let held = count("DISAPPROVED")
        + count("WITH_ISSUES")
        + count("PENDING_BILLING_INFO")
        + count("PENDING_REVIEW");
    if held <= 500 {
        for (key, status) in [
            ("disapproved", "DISAPPROVED"),
            ("with_issues", "WITH_ISSUES"),
            ("pending_billing_info", "PENDING_BILLING_INFO"),
            ("pending_review", "PENDING_REVIEW"),
        ] {
            assert_eq!(ads[key], count(status), "{id} {key}");
        }
        assert_eq!(ads["at_least"], false, "{id}");
    } else {
        assert_eq!(ads["at_least"], true, "{id}");
        assert_eq!(ads["total"], held, "{id}");
    }
    let volume = truth.ad_volume.as_ref().unwrap();
    if tasks.iter().any(|t| t == "MANAGE" || t == "ADVERTISE") {
        assert_eq!(
            ads["running_or_in_review"], volume.running_or_in_review,
            "{id}"
        );
        assert_eq!(ads["limit"], volume.limit.unwrap(), "{id}");
    } else {
        assert!(
            ads["running_or_in_review"].is_null() && ads["limit"].is_null(),
            "{id}: {ads}"
        );
        assert_eq!(ads["limit_state"], "refused", "{id}");
    }
}

fn money(minor: i64, zero_decimals: bool) -> String {
    Decimal::new(minor, if zero_decimals { 0 } else { 2 }).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_json_returns_every_account_with_exact_money() {
    let double = agency_double(1_000).await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let out = adkeep(&["refresh", "--json"], &double.url(), &token, data.path()).await;
    assert_eq!(out.status, 0, "stderr: {}", out.stderr);
    let accounts: Vec<Value> = serde_json::from_str(&out.stdout).expect("a JSON array");
    assert_eq!(accounts.len(), 1_000);

    let currencies: HashSet<&str> = accounts
        .iter()
        .map(|a| a["currency"].as_str().unwrap())
        .collect();
    assert!(
        currencies.len() >= 5 && currencies.contains("JPY"),
        "{currencies:?}"
    );
    let businesses: HashSet<&str> = accounts
        .iter()
        .filter_map(|a| a["business"]["id"].as_str())
        .collect();
    assert_eq!(businesses.len(), 3);

    double.world(|w| {
        for a in &accounts {
            let id = a["id"].as_str().unwrap();
            assert!(id.starts_with("act_"));
            let truth = &w.accounts[id.trim_start_matches("act_")];
            let zero = truth.offset() == 1;
            assert_eq!(a["amount_spent"], money(truth.amount_spent, zero), "{id}");
            assert_eq!(a["balance"], money(truth.balance, zero), "{id}");
            let cap = (truth.spend_cap != 0).then(|| money(truth.spend_cap, zero));
            assert_eq!(a["spend_cap"].as_str().map(str::to_owned), cap, "{id}");
            assert_eq!(
                a["spend_today"],
                money(truth.spend_today(frozen()), zero),
                "{id}"
            );
            assert_eq!(
                a["spend_last_30d"],
                money(truth.spend_last_30d, zero),
                "{id}"
            );
            assert!(a["error"].is_null());
            assert!(DateTime::parse_from_rfc3339(a["refreshed_at"].as_str().unwrap()).is_ok());
            for field in [
                "name",
                "status",
                "disable_reason",
                "datasets",
                "tos_accepted",
                "tasks",
            ] {
                assert!(!a[field].is_null(), "{id} has {field}");
            }
            same_ads(
                &a["ads"],
                truth,
                &w.tasks_of(DEFAULT_USER, &truth.id).unwrap(),
            );
        }
    });
    assert!(
        !out.stdout.contains(&token) && !out.stderr.contains(&token),
        "the token is never printed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_refresh_keeps_prior_data_and_exits_non_zero() {
    let double = agency_double(30).await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let first = adkeep(&["refresh", "--json"], &double.url(), &token, data.path()).await;
    assert_eq!(first.status, 0, "{}", first.stderr);
    let before: Vec<Value> = serde_json::from_str(&first.stdout).unwrap();
    let target = before[4].clone();
    let id = target["id"].as_str().unwrap().to_owned();

    // Meta stops letting this login read the account.
    double.revoke(graph_double::DEFAULT_USER, &[&id]);
    let numeric = id.trim_start_matches("act_").to_owned();
    let out = adkeep(
        &["refresh", &numeric, "--json"],
        &double.url(),
        &token,
        data.path(),
    )
    .await;
    assert_eq!(out.status, 1, "a failed refresh is not success");
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["error"]["reason"], "permissions_changed");
    assert_eq!(row["error"]["code"], 100);
    assert_eq!(row["error"]["subcode"], 33);
    assert_eq!(row["error"]["action"], "reauthenticate");
    assert!(row["error"]["fbtrace_id"].is_string());
    for field in [
        "amount_spent",
        "spend_cap",
        "balance",
        "spend_today",
        "spend_last_30d",
        "datasets",
        "refreshed_at",
    ] {
        assert_eq!(row[field], target[field], "{field} kept");
    }

    // Offline: the cached list still prints, with no network at all.
    drop(double);
    let cached = adkeep(
        &["accounts", "--json"],
        "http://127.0.0.1:9",
        &token,
        data.path(),
    )
    .await;
    assert_eq!(cached.status, 0, "{}", cached.stderr);
    let cached: Vec<Value> = serde_json::from_str(&cached.stdout).unwrap();
    assert_eq!(cached.len(), 30);
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_reports_the_token_and_problems() {
    let double = agency_double(3).await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let out = adkeep(&["doctor", "--json"], &double.url(), &token, data.path()).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["token"]["valid"], true);
    assert!(report["problem"].is_null());
    assert!(
        report["token"]["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "ads_read")
    );

    double.set_scenario(graph_double::Scenario::TokenExpired);
    let out = adkeep(&["doctor", "--json"], &double.url(), &token, data.path()).await;
    assert_ne!(out.status, 0);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["token"]["valid"], false);
    assert_eq!(report["problem"]["reason"], "token_expired");
    assert_eq!(report["problem"]["code"], 190);
    assert_eq!(report["problem"]["subcode"], 463);
    assert_eq!(report["problem"]["action"], "reauthenticate");
    assert!(!out.stdout.contains(&token));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_cache_is_set_aside_with_a_message_not_a_crash() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("accounts.json"),
        b"{\"book\": {\"accounts\": {\"act_1\": {\"id\": ",
    )
    .unwrap();
    let out = adkeep(
        &["accounts", "--json"],
        "http://127.0.0.1:9",
        "x",
        data.path(),
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "[]");
    assert!(out.stderr.contains("could not be read"), "{}", out.stderr);
    let aside: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("accounts.json.corrupt-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the unreadable file is kept aside");
}

#[tokio::test(flavor = "multi_thread")]
async fn window_and_cli_make_one_call_in_flight() {
    use adkeep_app::backend::{Backend, NoEvents};
    use adkeep_core::graph::client::Endpoints;
    use std::sync::Arc;

    let mut config = DoubleConfig::generated(60, 2);
    config.knobs.latency_ms = 150;
    let double = GraphDouble::start(config).await.unwrap();
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    // The window's backend, on the same data folder as the CLI.
    let app = Backend::open_with(
        Arc::new(adkeep_app::store::FileStores::new(
            data.path().to_path_buf(),
        )),
        adkeep_app::secrets::Vault::without_keychain(data.path().to_path_buf()),
        Arc::new(NoEvents),
        Some(endpoints),
    )
    .unwrap();
    let mut settings = app.settings();
    settings.mode = adkeep_core::settings::Mode::Meta;
    app.save_settings(settings).unwrap();
    let jane = adkeep_core::logins::LoginId::new(graph_double::DEFAULT_USER).unwrap();
    app.session().book().login_mut(&jane);
    app.vault().save_token(
        &jane,
        &adkeep_core::token::AccessToken::new(token.clone()).unwrap(),
        false,
    );

    // What one refresh-all costs, once the accounts are known (a first run
    // also reads the business edges in full).
    app.refresh_all().await.unwrap();
    double.reset_stats();
    app.refresh_all().await.unwrap();
    let one_run = double.stats().http_requests;

    // The window refreshes; the CLI asks for the same while it runs.
    double.reset_stats();
    // The window's run is held up long enough for the CLI to start meanwhile.
    double.add_fault(
        graph_double::Fault::kind(graph_double::FaultKind::Delay { secs: 1.5 })
            .on_path("adaccounts")
            .times(1),
    );
    let window = tokio::spawn({
        let app = app.clone();
        async move { app.refresh_all().await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let cli = adkeep(&["refresh", "--json"], &double.url(), &token, data.path()).await;
    window.await.unwrap().unwrap();
    assert!(
        cli.stderr.contains("waiting for another Adkeep process")
            && cli.stderr.contains("refreshing all accounts"),
        "the CLI says what it waits for: {}",
        cli.stderr
    );

    assert_eq!(cli.status, 0, "{}", cli.stderr);
    let printed: Vec<Value> = serde_json::from_str(&cli.stdout).unwrap();
    assert_eq!(printed.len(), 60, "the CLI prints the window's result");
    assert_eq!(
        double.stats().http_requests,
        one_run,
        "one refresh-all went to Meta, not two"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_token_expires_every_row_says_so_and_keeps_its_time() {
    let double = agency_double(40).await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let first = adkeep(&["refresh", "--json"], &double.url(), &token, data.path()).await;
    assert_eq!(first.status, 0, "{}", first.stderr);
    let before: Vec<Value> = serde_json::from_str(&first.stdout).unwrap();

    double.set_scenario(graph_double::Scenario::TokenExpired);
    let out = adkeep(&["refresh", "--json"], &double.url(), &token, data.path()).await;
    assert_eq!(out.status, 1, "nothing was refreshed: {}", out.stderr);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.len(), 40);
    for row in &rows {
        assert_eq!(row["error"]["reason"], "token_expired", "{row}");
        let old = before.iter().find(|b| b["id"] == row["id"]).unwrap();
        assert_eq!(
            row["refreshed_at"], old["refreshed_at"],
            "as of its last refresh"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn typos_print_usage_and_never_open_the_window() {
    let data = tempfile::tempdir().unwrap();
    for args in [
        vec!["acounts"],
        vec!["--frobnicate"],
        vec!["refresh", "--frobnicate"],
        vec!["refresh", "not-an-id"],
    ] {
        // No DISPLAY: a window would fail with a GTK panic (101).
        let out = adkeep(&args, "http://127.0.0.1:9", "unused", data.path()).await;
        assert_eq!(out.status, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = adkeep(&["acounts"], "http://127.0.0.1:9", "unused", data.path()).await;
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("Usage"), "{}", out.stderr);
    let out = adkeep(
        &["--json", "accounts"],
        "http://127.0.0.1:9",
        "unused",
        data.path(),
    )
    .await;
    assert_eq!(
        out.status, 0,
        "--json before the command works too: {}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_refresh_beside_a_refresh_all_loses_neither() {
    let mut config = DoubleConfig::generated(200, 2);
    config.knobs.latency_ms = 60;
    let double = GraphDouble::start(config).await.unwrap();
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let first = adkeep(&["refresh", "--json"], &double.url(), &token, data.path()).await;
    assert_eq!(first.status, 0, "{}", first.stderr);
    let rows: Vec<Value> = serde_json::from_str(&first.stdout).unwrap();
    let one = rows[7]["id"].as_str().unwrap().to_owned();

    // Both processes change the data; each saves its own part.
    double.world(|w| {
        for a in w.accounts.values_mut() {
            a.spend_last_30d += 100;
        }
    });
    let url = double.url();
    let all = adkeep(&["refresh"], &url, &token, data.path());
    let row = async {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        adkeep(&["refresh", &one], &url, &token, data.path()).await
    };
    let (all, row) = tokio::join!(all, row);
    assert_eq!(
        (all.status, row.status),
        (0, 0),
        "{} {}",
        all.stderr,
        row.stderr
    );
    let after = adkeep(&["accounts", "--json"], &double.url(), &token, data.path()).await;
    let after: Vec<Value> = serde_json::from_str(&after.stdout).unwrap();
    assert_eq!(after.len(), 200);
    let newer = |r: &Value| {
        let old = rows.iter().find(|o| o["id"] == r["id"]).unwrap();
        r["refreshed_at"].as_str() > old["refreshed_at"].as_str()
    };
    assert!(
        after.iter().all(newer),
        "every row has the newest refresh of either process"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_carry_judged_attention_and_can_be_listed_by_severity() {
    let double = agency_double(80).await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let url = double.url();
    let run = |args: &'static [&'static str]| adkeep(args, &url, &token, data.path());
    let out = run(&["refresh", "--json"]).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let rank = |s: &Value| match s.as_str() {
        Some("blocking") => 3,
        Some("warning") => 2,
        Some("info") => 1,
        _ => 0,
    };
    for row in &rows {
        let flags = row["attention"].as_array().unwrap();
        for flag in flags {
            for field in ["kind", "severity", "key", "text"] {
                assert!(flag[field].is_string(), "{field} in {flag}");
            }
            assert_eq!(flag["acknowledged"], false);
            assert!(flag["snoozed_until"].is_null());
        }
        let worst = flags
            .iter()
            .map(|f| rank(&f["severity"]))
            .max()
            .unwrap_or(0);
        assert_eq!(rank(&row["severity"]), worst, "{row}");
    }
    let count = |least: i32| {
        rows.iter()
            .filter(|r| rank(&r["severity"]) >= least)
            .count()
    };
    assert!(
        count(3) > 0 && count(2) > count(3) && count(1) > count(2),
        "the agency has each severity"
    );
    for (filter, least) in [("blocking", 3), ("warning", 2), ("any", 1)] {
        let listed = adkeep(
            &["accounts", "--json", "--attention", filter],
            &url,
            &token,
            data.path(),
        )
        .await;
        let listed: Vec<Value> = serde_json::from_str(&listed.stdout).unwrap();
        assert_eq!(listed.len(), count(least), "--attention {filter}");
        assert!(listed.iter().all(|r| rank(&r["severity"]) >= least));
    }
    let doctor = run(&["doctor", "--json"]).await;
    let report: Value = serde_json::from_str(&doctor.stdout).unwrap();
    assert_eq!(report["attention"]["blocking"], count(3));
    assert_eq!(report["attention"]["warning"], count(2) - count(3));
    let human = run(&["doctor"]).await;
    assert!(human.stdout.contains("Attention:  "), "{}", human.stdout);
}
