//! Whose token `ADKEEP_ACCESS_TOKEN` holds, learned without costing a round
//! trip: the listing starts at once, Meta's `/me` goes beside it, and the
//! login is settled after the run (see `backend::connection`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use graph_double::world::DEFAULT_SCOPES;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble, OTHER_USER};
use serde_json::Value;

async fn refresh(double: &GraphDouble, token: &str, data: &Path) -> Vec<Value> {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .args(["refresh", "--json"])
        .env("ADKEEP_GRAPH_URL", double.url())
        .env("ADKEEP_FACEBOOK_URL", double.url())
        .env("ADKEEP_ACCESS_TOKEN", token)
        .env("ADKEEP_DATA_DIR", data)
        .env_remove("DISPLAY")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn book(data: &Path) -> Value {
    let file: Value =
        serde_json::from_slice(&std::fs::read(data.join("accounts.json")).unwrap()).unwrap();
    file["book"].clone()
}

/// Jane reaches the first 30 of 40 accounts, Sam the last 20.
async fn jane_and_sam() -> GraphDouble {
    let mut config = DoubleConfig::generated(40, 0);
    config.knobs.latency_ms = 30;
    let double = GraphDouble::start(config).await.unwrap();
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
        sam.business_roles.clear();
    });
    double
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listing_does_not_wait_to_learn_whose_token_it_is() {
    let double = jane_and_sam().await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();

    let printed = refresh(&double, &token, data.path()).await;
    assert_eq!(printed.len(), 30);
    let trace = double.trace();
    let listing = trace.iter().find(|t| t.what == "me/adaccounts").unwrap();
    let me = trace.iter().find(|t| t.what == "me").unwrap();
    assert!(
        listing.arrived < me.answered.unwrap(),
        "the listing left before `/me` was answered"
    );
    // The login took its owner's id, and its place among the tokens.
    let book = self::book(data.path());
    let logins = book["logins"].as_object().unwrap();
    assert_eq!(logins.keys().collect::<Vec<_>>(), vec![DEFAULT_USER]);
    assert_eq!(logins[DEFAULT_USER]["env_slot"], 1);
    let accounts = book["accounts"].as_object().unwrap();
    assert!(accounts.values().all(|a| a["via"] == DEFAULT_USER));
    assert!(
        accounts
            .values()
            .all(|a| a["logins"][0]["login"] == DEFAULT_USER)
    );

    let asked_whose =
        |double: &GraphDouble| double.trace().iter().filter(|t| t.what == "me").count();
    assert_eq!(asked_whose(&double), 1, "`/me` once, beside the listing");

    // The next run: the same login, still asked once.
    double.reset_stats();
    assert_eq!(refresh(&double, &token, data.path()).await.len(), 30);
    assert_eq!(asked_whose(&double), 1);
    let again = self::book(data.path());
    let logins = again["logins"].as_object().unwrap();
    assert_eq!(logins.keys().collect::<Vec<_>>(), vec![DEFAULT_USER]);
    assert_eq!(logins[DEFAULT_USER]["env_slot"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_changed_hands_is_refreshed_again_as_its_owner() {
    let double = jane_and_sam().await;
    let data = tempfile::tempdir().unwrap();
    refresh(&double, &double.issue_token(), data.path()).await;

    // The same place in ADKEEP_ACCESS_TOKEN now holds Sam's token.
    let sam = double.issue_token_for(OTHER_USER, &DEFAULT_SCOPES, &[]);
    refresh(&double, &sam, data.path()).await;
    let book = book(data.path());
    let logins = book["logins"].as_object().unwrap();
    assert_eq!(logins[OTHER_USER]["env_slot"], 1, "Sam has the place now");
    assert!(logins[DEFAULT_USER].get("env_slot").is_none());
    let accounts = book["accounts"].as_object().unwrap();
    let through = |login: &str| {
        accounts
            .values()
            .filter(|a| {
                a["logins"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["login"] == login)
            })
            .count()
    };
    assert_eq!(through(OTHER_USER), 20, "Sam's accounts are Sam's");
    assert_eq!(
        through(DEFAULT_USER),
        30,
        "Jane's reach is as Jane's last run left it"
    );
    let via = |login: &str| accounts.values().filter(|a| a["via"] == login).count();
    assert_eq!(
        via(OTHER_USER),
        20,
        "read with Sam's token, said to be Sam's"
    );
    assert_eq!(
        via(DEFAULT_USER),
        20,
        "only accounts Sam does not reach keep Jane's reading"
    );
}
