//! Several Facebook logins from the terminal: `ADKEEP_ACCESS_TOKEN=A,B`,
//! `adkeep logins`, `--login`, and a login that breaks while another still
//! reaches its accounts.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::path::Path;

use graph_double::world::{DEFAULT_SCOPES, TokenState};
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble, OTHER_USER};
use serde_json::Value;

struct Output {
    status: i32,
    stdout: String,
    stderr: String,
}

async fn adkeep(args: &[&str], double: &GraphDouble, tokens: &str, data: &Path) -> Output {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .args(args)
        .env("ADKEEP_GRAPH_URL", double.url())
        .env("ADKEEP_FACEBOOK_URL", double.url())
        .env("ADKEEP_ACCESS_TOKEN", tokens)
        .env("ADKEEP_DATA_DIR", data)
        .env_remove("DISPLAY")
        .output()
        .await
        .expect("adkeep runs");
    let output = Output {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for token in tokens.split(',') {
        assert!(
            !output.stdout.contains(token) && !output.stderr.contains(token),
            "a token was printed"
        );
    }
    output
}

/// Jane manages the first 30 of 40 accounts; Sam analyses the last 20.
async fn jane_and_sam() -> (GraphDouble, String) {
    let double = GraphDouble::start(DoubleConfig::generated(40, 0))
        .await
        .unwrap();
    double.world(|w| {
        let ids: Vec<String> = w.accounts.keys().cloned().collect();
        let jane = w.users.get_mut(DEFAULT_USER).unwrap();
        jane.access = ids[..30]
            .iter()
            .map(|id| (id.clone(), vec!["MANAGE".to_owned()]))
            .collect();
        jane.business_roles.clear();
        let sam = w.users.get_mut(OTHER_USER).unwrap();
        sam.access = ids[20..]
            .iter()
            .map(|id| (id.clone(), vec!["ANALYZE".to_owned()]))
            .collect();
    });
    let jane = double.issue_token();
    let sam = double.issue_token_for(OTHER_USER, &DEFAULT_SCOPES, &[]);
    (double, format!("{jane},{sam}"))
}

fn names(account: &Value) -> Vec<String> {
    let mut names: Vec<String> = account["logins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tokens_make_one_list_with_each_account_once() {
    let (double, tokens) = jane_and_sam().await;
    let data = tempfile::tempdir().unwrap();
    let out = adkeep(&["refresh", "--json"], &double, &tokens, data.path()).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let accounts: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(accounts.len(), 40);
    let ids: HashSet<&str> = accounts.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 40, "each account once");
    let shared: Vec<&Value> = accounts.iter().filter(|a| names(a).len() == 2).collect();
    assert_eq!(shared.len(), 10);
    for account in &accounts {
        assert!(account["via"]["name"].is_string(), "{account}");
        for login in account["logins"].as_array().unwrap() {
            assert!(login["id"].is_string() && login["tasks"].is_array());
        }
    }
    assert_eq!(names(shared[0]), ["Jane Doe", "Sam Lee"]);

    // The second run knows each account's best login: Jane manages, Sam only analyses.
    let out = adkeep(&["refresh", "--json"], &double, &tokens, data.path()).await;
    let accounts: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    for account in accounts.iter().filter(|a| names(a).len() == 2) {
        assert_eq!(account["via"]["name"], "Jane Doe");
        assert!(account["via_note"].is_null());
    }

    let out = adkeep(&["logins", "--json"], &double, &tokens, data.path()).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let logins: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let by_name = |name: &str| logins.iter().find(|l| l["name"] == name).unwrap().clone();
    let (jane, sam) = (by_name("Jane Doe"), by_name("Sam Lee"));
    assert_eq!(jane["user_id"], DEFAULT_USER);
    assert_eq!(
        (jane["accounts"].as_u64(), jane["only"].as_u64()),
        (Some(30), Some(20))
    );
    assert_eq!(
        (sam["accounts"].as_u64(), sam["only"].as_u64()),
        (Some(20), Some(10))
    );
    assert_eq!(jane["token"], "ok");
    assert!(
        jane["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "ads_read")
    );
    let table = adkeep(&["logins"], &double, &tokens, data.path()).await;
    assert!(
        table.stdout.contains("Sam Lee") && table.stdout.contains("20 (10 only)"),
        "{}",
        table.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn login_narrows_refresh_and_doctor_to_one_login() {
    let (double, tokens) = jane_and_sam().await;
    let data = tempfile::tempdir().unwrap();
    adkeep(&["refresh"], &double, &tokens, data.path()).await;
    let out = adkeep(
        &["refresh", "--json", "--login", "sam lee"],
        &double,
        &tokens,
        data.path(),
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let accounts: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(accounts.len(), 20, "the accounts Sam reaches");
    assert!(accounts.iter().all(|a| a["via"]["name"] == "Sam Lee"));

    let out = adkeep(
        &["doctor", "--json", "--login", OTHER_USER],
        &double,
        &tokens,
        data.path(),
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["logins"].as_array().unwrap().len(), 1);
    assert_eq!(report["user"]["name"], "Sam Lee");

    let out = adkeep(
        &["refresh", "--login", "Nobody"],
        &double,
        &tokens,
        data.path(),
    )
    .await;
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("No Facebook login is called \"Nobody\""),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_login_s_shared_accounts_refresh_through_the_other() {
    let (double, tokens) = jane_and_sam().await;
    let data = tempfile::tempdir().unwrap();
    adkeep(&["refresh"], &double, &tokens, data.path()).await;
    double.set_token_state(DEFAULT_USER, TokenState::Expired);

    let out = adkeep(&["refresh", "--json"], &double, &tokens, data.path()).await;
    assert_eq!(out.status, 1, "Jane's own accounts were not refreshed");
    assert!(
        out.stderr.contains("Your Facebook login expired"),
        "{}",
        out.stderr
    );
    let accounts: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let shared: Vec<&Value> = accounts.iter().filter(|a| names(a).len() == 2).collect();
    assert_eq!(shared.len(), 10);
    for account in shared {
        assert!(account["error"].is_null(), "{account}");
        assert_eq!(account["via"]["name"], "Sam Lee");
        assert_eq!(
            account["via_note"],
            "through Sam Lee: Jane Doe's login expired"
        );
    }
    let janes_only: Vec<&Value> = accounts
        .iter()
        .filter(|a| names(a) == ["Jane Doe"])
        .collect();
    assert_eq!(janes_only.len(), 20);
    assert!(
        janes_only
            .iter()
            .all(|a| a["error"]["reason"] == "token_expired")
    );

    let out = adkeep(&["doctor", "--json"], &double, &tokens, data.path()).await;
    assert_eq!(out.status, 1);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["logins"].as_array().unwrap().len(), 2);
    assert_eq!(report["problem"]["reason"], "token_expired");
    assert_eq!(
        report["user"]["name"], "Jane Doe",
        "the login that needs you, at the top"
    );
    let human = adkeep(&["doctor"], &double, &tokens, data.path()).await;
    assert!(
        human.stdout.contains("== Sam Lee") && human.stdout.contains("== Jane Doe"),
        "{}",
        human.stdout
    );
}
