//! Waits a person hears about: a refresh held back by Meta's access limit
//! says so in its progress, with when it ends, before the first row; "try
//! now" ends the wait and the run goes on; "stop" ends the run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use adkeep_core::book::AccountBook;
use adkeep_core::fleet::Member;
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient};
use adkeep_core::model::Account;
use adkeep_core::refresh::waits::WaitFor;
use adkeep_core::refresh::{Engine, EngineOptions, Progress};
use adkeep_core::session::{Observer, Session};
use adkeep_core::token::AccessToken;
use chrono::Utc;
use graph_double::{DoubleConfig, Fault, FaultKind, GraphDouble};
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// Meta's limit on the first listing call: access returns in 5 minutes.
fn limit_on_the_listing() -> Fault {
    Fault {
        path_contains: Some("/me/adaccounts".to_owned()),
        account: None,
        kind: FaultKind::Error {
            status: 400,
            body: json!({"error": {"message": "(#17) User request limit reached", "type": "OAuthException",
                "is_transient": true, "code": 17, "error_subcode": 2446079, "fbtrace_id": "Aw"}}),
            headers: vec![(
                "x-business-use-case-usage".to_owned(),
                r#"{"0":[{"type":"ads_management","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":5}]}"#.to_owned(),
            )],
        },
        probability: 1.0,
        remaining: Some(1),
    }
}

/// Hears the progress; when it says the run waits, acts as a person would.
struct Person {
    heard: Mutex<Vec<Progress>>,
    on_wait: Box<dyn Fn() + Send + Sync>,
}

impl Observer for Person {
    fn accounts_changed(&self, _accounts: &[Account]) {}

    fn progress(&self, progress: &Progress) {
        self.heard.lock().unwrap().push(progress.clone());
        if progress.waiting.is_some() {
            (self.on_wait)();
        }
    }
}

/// Meta's ad-account limit on each account's spend, for a minute.
fn limit_on_the_spend() -> Fault {
    Fault {
        path_contains: Some("/insights".to_owned()),
        account: None,
        kind: FaultKind::Error {
            status: 400,
            body: json!({"error": {"message": "(#80004) There have been too many calls to this ad-account.",
                "type": "OAuthException", "code": 80004, "error_subcode": 2446079, "fbtrace_id": "Ax"}}),
            headers: vec![(
                "x-business-use-case-usage".to_owned(),
                r#"{"1":[{"type":"ads_management","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":1}]}"#.to_owned(),
            )],
        },
        probability: 1.0,
        remaining: Some(30),
    }
}

async fn waiting_engine() -> (GraphDouble, Engine, Arc<Governor>) {
    waiting_engine_with(limit_on_the_listing()).await
}

async fn waiting_engine_with(fault: Fault) -> (GraphDouble, Engine, Arc<Governor>) {
    let double = GraphDouble::start(DoubleConfig::generated(30, 1))
        .await
        .unwrap();
    double.add_fault(fault);
    let client = GraphClient::new(
        reqwest::Client::new(),
        Arc::new(Endpoints::one_host(&double.url()).unwrap()),
        AccessToken::new(double.issue_token()).unwrap(),
    );
    // Waits out a token-wide limit of up to 10 minutes.
    let options = EngineOptions {
        max_token_wait: Duration::from_secs(600),
        max_wait: Duration::from_secs(600),
        ..EngineOptions::background()
    };
    let governor = Arc::new(Governor::default());
    let engine = Engine::new(client, options, governor.clone());
    (double, engine, governor)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_limit_before_the_first_row_is_told_and_try_now_ends_it() {
    let (double, engine, governor) = waiting_engine().await;
    let person = Person {
        heard: Mutex::default(),
        on_wait: Box::new(move || governor.try_now()),
    };
    let session = Session::new(AccountBook::new());
    let members = [Member::solo(&engine)];
    let cancel = CancellationToken::new();
    let run = session.refresh_all(&members, &person, &cancel);
    // Bounded: without "try now" this run would wait about 5 minutes.
    let report = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("try now ended the wait")
        .total;
    assert!(report.problem.is_none(), "{:?}", report.problem);
    assert_eq!(session.snapshot().len(), 30);
    assert_eq!(double.stats().faults_injected, 1);
    let heard = person.heard.lock().unwrap();
    let wait = heard
        .iter()
        .find_map(|p| p.waiting)
        .expect("the wait was told");
    assert_eq!(wait.reason, WaitFor::AccessLimit);
    let told_for = wait.until - Utc::now();
    assert!(
        told_for > chrono::Duration::minutes(3) && told_for <= chrono::Duration::minutes(7),
        "until when Meta said (5 minutes, jittered): {told_for}"
    );
    assert!(heard.last().unwrap().waiting.is_none(), "and its end");
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_ends_a_run_that_waits() {
    let (_double, engine, _governor) = waiting_engine().await;
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let person = Person {
        heard: Mutex::default(),
        on_wait: Box::new(move || stop.cancel()),
    };
    let session = Session::new(AccountBook::new());
    let members = [Member::solo(&engine)];
    let run = session.refresh_all(&members, &person, &cancel);
    let report = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("stop ended the wait")
        .total;
    assert!(report.cancelled);
}

#[tokio::test(flavor = "multi_thread")]
async fn try_now_also_brings_forward_each_accounts_next_try() {
    let (double, engine, governor) = waiting_engine_with(limit_on_the_spend()).await;
    let person = Person {
        heard: Mutex::default(),
        on_wait: Box::new(move || governor.try_now()),
    };
    let session = Session::new(AccountBook::new());
    let members = [Member::solo(&engine)];
    let cancel = CancellationToken::new();
    let run = session.refresh_all(&members, &person, &cancel);
    // Bounded: without "try now" each account would wait about a minute.
    let report = tokio::time::timeout(Duration::from_secs(45), run)
        .await
        .expect("try now ended the waits")
        .total;
    assert_eq!(report.refreshed, 30, "{:?}", report.problem);
    assert!(double.stats().faults_injected >= 30);
    let heard = person.heard.lock().unwrap();
    assert!(
        heard.iter().any(|p| p.waiting.is_some()),
        "the wait was told"
    );
}
