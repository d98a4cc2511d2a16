//! Refresh-all of 1,000 accounts while the double injects random 5xx,
//! timeouts, truncated bodies, connection resets and null batch items: no
//! panic, no corrupted row, and once the faults stop every account is present
//! and exact.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use adkeep_core::book::AccountBook;
use adkeep_core::fleet::Member;
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient};
use adkeep_core::model::Account;
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::session::{Quiet, Session};
use adkeep_core::token::AccessToken;
use chrono::{DateTime, Utc};
use graph_double::{DoubleConfig, Fault, FaultKind, GraphDouble};
use rust_decimal::Decimal;
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn frozen() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn chaos() -> Vec<Fault> {
    let fault = |kind: FaultKind, p: f64| Fault::kind(kind).with_probability(p);
    let error = |status: u16, body: serde_json::Value| FaultKind::Error {
        status,
        body,
        headers: vec![],
    };
    vec![
        fault(FaultKind::ServerError, 0.05),
        fault(FaultKind::Truncated, 0.05),
        fault(FaultKind::Reset, 0.05),
        // Longer than the client waits: a timeout.
        fault(FaultKind::Delay { secs: 3.0 }, 0.02),
        fault(
            error(
                503,
                json!({"error": {"message": "(#2) Service temporarily unavailable", "code": 2, "is_transient": true}}),
            ),
            0.05,
        ),
        fault(
            error(
                500,
                json!({"error": {"message": "An unknown error occurred", "code": 1, "error_subcode": 99}}),
            ),
            0.03,
        ),
        fault(
            error(
                503,
                json!({"error": {"message": "Call was not successful"}}),
            ),
            0.03,
        ),
        // Inside batches: items that did not run, and failing items.
        fault(FaultKind::BatchNull, 0.05).on_path("/insights"),
        fault(
            error(
                500,
                json!({"error": {"message": "Request aborted", "code": 960}}),
            ),
            0.03,
        )
        .on_path("/insights"),
    ]
}

fn exact(account: &Account, double: &GraphDouble) -> bool {
    double.world(|w| {
        let truth = &w.accounts[account.numeric_id()];
        let scale = if truth.offset() == 1 { 0 } else { 2 };
        let money = |m: i64| Some(Decimal::new(m, scale));
        account.amount_spent == money(truth.amount_spent)
            && account.balance == money(truth.balance)
            && account.spend_today == money(truth.spend_today(frozen()))
            && account.spend_last_30d == money(truth.spend_last_30d)
            && account.name == truth.name
            && account.datasets.len() == truth.datasets.len()
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_all_survives_chaos_and_converges_once_it_stops() {
    let mut config = DoubleConfig::generated(1_000, 3);
    config.knobs.frozen_now = Some(frozen());
    config.knobs.latency_ms = 3;
    let double = GraphDouble::start(config).await.unwrap();
    for fault in chaos() {
        double.add_fault(fault);
    }
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(1_500))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = GraphClient::new(
        http,
        Arc::new(endpoints),
        AccessToken::new(double.issue_token()).unwrap(),
    );
    let options = EngineOptions {
        max_attempts: 6,
        max_wait: Duration::from_secs(5),
        ..EngineOptions::default()
    };
    let engine = Engine::new(client, options, Arc::new(Governor::default()));
    let session = Session::new(AccountBook::new());

    // In the storm: every run finishes, and whatever it calls refreshed is
    // right. A run may stop early when one listing page keeps failing (it
    // says so, and the app retries later), so runs go on until the storm has
    // really happened; from the second, known accounts are asked ahead.
    let mut runs = 0;
    while double.stats().faults_injected < 150 {
        runs += 1;
        assert!(runs <= 6, "the storm happened: {:?}", double.stats());
        let stormy = session
            .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
            .await
            .total;
        if let Some(problem) = &stormy.problem {
            assert!(
                problem.reason.retries_by_itself(),
                "a storm is never a broken token: {problem:?}"
            );
        }
        let book = session.snapshot();
        for account in book.accounts.values().filter(|a| a.error.is_none()) {
            assert!(
                exact(account, &double),
                "{} refreshed with wrong data",
                account.id
            );
        }
        eprintln!(
            "in the storm: refreshed {}, failed {}, problem {:?}, faults so far {}",
            stormy.refreshed,
            stormy.failed,
            stormy.problem.as_ref().map(|p| p.reason),
            double.stats().faults_injected
        );
    }

    // The storm passes: everything is there, and exact.
    double.clear_faults();
    let calm = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert!(calm.problem.is_none(), "{:?}", calm.problem);
    assert!(calm.listing_complete);
    let book = session.snapshot();
    assert_eq!(book.len(), 1_000, "every account is present");
    for account in book.accounts.values() {
        assert!(
            account.error.is_none(),
            "{}: {:?}",
            account.id,
            account.error
        );
        assert!(exact(account, &double), "{} is not exact", account.id);
    }
}
