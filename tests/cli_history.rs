//! `adkeep changes` and `adkeep export` against the double: exactly the
//! changes between two refreshes, and CSV that a spreadsheet cannot run.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use graph_double::{DoubleConfig, GraphDouble};
use serde_json::Value;

async fn adkeep(
    args: &[&str],
    double: &GraphDouble,
    token: &str,
    data: &Path,
) -> (i32, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .args(args)
        .env("ADKEEP_GRAPH_URL", double.url())
        .env("ADKEEP_FACEBOOK_URL", double.url())
        .env("ADKEEP_ACCESS_TOKEN", token)
        .env("ADKEEP_DATA_DIR", data)
        .env_remove("DISPLAY")
        .output()
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every account healthy and active, so the only changes are the test's.
async fn calm_double(accounts: usize) -> (GraphDouble, Vec<String>) {
    let double = GraphDouble::start(DoubleConfig::generated(accounts, 1))
        .await
        .unwrap();
    let ids = double.world(|w| {
        for a in w.accounts.values_mut() {
            a.account_status = 1;
            a.disable_reason = 0;
            a.spend_cap = 0;
        }
        w.accounts.keys().cloned().collect()
    });
    (double, ids)
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_lists_exactly_what_changed_between_two_refreshes() {
    let (double, ids) = calm_double(12).await;
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    let (status, _, err) = adkeep(&["refresh"], &double, &token, data.path()).await;
    assert_eq!(status, 0, "{err}");
    let (_, first, _) = adkeep(&["changes", "--json"], &double, &token, data.path()).await;
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&first).unwrap().len(),
        0,
        "the first listing is not a change"
    );

    double.world(|w| {
        let a = w.accounts.get_mut(&ids[0]).unwrap();
        a.account_status = 2;
        a.disable_reason = 1;
        w.accounts.get_mut(&ids[1]).unwrap().tos_accepted.clear();
    });
    adkeep(&["refresh"], &double, &token, data.path()).await;
    let (status, out, err) = adkeep(
        &["changes", "--json", "--since", "24h"],
        &double,
        &token,
        data.path(),
    )
    .await;
    assert_eq!(status, 0, "{err}");
    let changes: Vec<Value> = serde_json::from_str(&out).unwrap();
    let mut seen: Vec<(String, String, Value, Value)> = changes
        .iter()
        .map(|c| {
            (
                c["account_id"].as_str().unwrap().to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
                c["from"].clone(),
                c["to"].clone(),
            )
        })
        .collect();
    seen.sort_by_key(|(id, kind, _, to)| (id.clone(), kind.clone(), to.to_string()));
    let act = |i: usize| format!("act_{}", ids[i]);
    assert_eq!(
        seen,
        vec![
            (act(0), "status".into(), "active".into(), "disabled".into()),
            (
                act(1),
                "tos_missing".into(),
                Value::Null,
                "custom_audience_tos".into()
            ),
            (
                act(1),
                "tos_missing".into(),
                Value::Null,
                "web_custom_audience_tos".into()
            ),
        ]
    );
    assert!(
        changes
            .iter()
            .all(|c| c["at"].is_string() && c["worse"] == true)
    );
    let (_, table, _) = adkeep(&["changes"], &double, &token, data.path()).await;
    assert!(table.contains("active → disabled"), "{table}");
    let (status, _, err) = adkeep(
        &["changes", "--since", "yesterday-ish"],
        &double,
        &token,
        data.path(),
    )
    .await;
    assert_eq!(status, 2, "a usage error: {err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_writes_csv_a_spreadsheet_cannot_run() {
    let (double, ids) = calm_double(5).await;
    double.world(|w| {
        w.accounts.get_mut(&ids[0]).unwrap().name =
            "=HYPERLINK(\"http://evil.example\",\"click\")".to_owned();
        // A review reason is Meta's text too.
        let ads = &mut w.accounts.get_mut(&ids[1]).unwrap().ads;
        ads.retain(|a| a.effective_status == "ACTIVE");
        for i in 0..3 {
            let mut ad = graph_double::ads::Ad::new(format!("7{i}"), "DISAPPROVED");
            ad.review.push(("=cmd|' /C calc'!A0".into(), "why".into()));
            ads.push(ad);
        }
    });
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    adkeep(&["refresh"], &double, &token, data.path()).await;
    let file = data.path().join("accounts.csv");
    let (status, _, err) = adkeep(
        &["export", "--csv", file.to_str().unwrap()],
        &double,
        &token,
        data.path(),
    )
    .await;
    assert_eq!(status, 0, "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "id");
    assert!(header.iter().any(|h| h == "spend_last_30d"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    let evil = rows
        .iter()
        .find(|r| r[0] == format!("act_{}", ids[0]))
        .unwrap();
    assert!(evil[1].starts_with("'="), "{:?}", &evil[1]);
    let spent = header.iter().position(|h| h == "amount_spent").unwrap();
    assert!(
        rows.iter()
            .all(|r| r[spent].parse::<rust_decimal::Decimal>().is_ok()),
        "exact decimals"
    );
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let held = rows
        .iter()
        .find(|r| r[0] == format!("act_{}", ids[1]))
        .unwrap();
    assert_eq!(&held[column("ads_disapproved")], "3");
    assert_eq!(&held[column("ads_counted_at_least")], "false");
    assert_eq!(
        &held[column("ad_review_reasons")],
        "'=cmd|' /C calc'!A0 (3)"
    );
    for name in [
        "ads_with_issues",
        "ads_pending_billing_info",
        "ads_pending_review",
        "ad_limit",
    ] {
        assert!(
            rows.iter()
                .all(|r| r[column(name)].is_empty() || r[column(name)].parse::<u32>().is_ok()),
            "{name}"
        );
    }
    let (_, history, _) = adkeep(&["export", "--changes"], &double, &token, data.path()).await;
    assert!(
        history.starts_with("at,account_id,account_name,login,kind,from,to,worse"),
        "{history}"
    );
}
