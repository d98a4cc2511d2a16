//! The core against the Graph double: listing, money, one round trip per row,
//! failures that keep prior data, every kind of damaged response.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use adkeep_core::book::AccountBook;
use adkeep_core::fleet::Member;
use adkeep_core::governor::Governor;
use adkeep_core::graph::AccountId;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client};
use adkeep_core::model::{Account, Reach};
use adkeep_core::problem::Reason;
use adkeep_core::refresh::{Engine, EngineOptions, Progress, RunReport};
use adkeep_core::session::{Observer, Quiet, Session};
use adkeep_core::token::AccessToken;
use chrono::{DateTime, Utc};
use graph_double::{DoubleConfig, Fault, FaultKind, GraphDouble, Scenario};
use rust_decimal::Decimal;
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// The one login of an engine refreshing alone.
fn solo_login(book: &AccountBook) -> Option<adkeep_core::logins::Login> {
    book.logins.values().next().cloned()
}

fn frozen() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T15:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn double(config: DoubleConfig) -> GraphDouble {
    let mut config = config;
    config.knobs.frozen_now = Some(frozen());
    GraphDouble::start(config).await.unwrap()
}

fn engine(double: &GraphDouble, token: &str, opts: EngineOptions) -> Engine {
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let client = GraphClient::new(
        http_client().unwrap(),
        Arc::new(endpoints),
        AccessToken::new(token).unwrap(),
    );
    Engine::new(client, opts, Arc::new(Governor::default()))
}

fn fast() -> EngineOptions {
    EngineOptions {
        max_wait: Duration::from_secs(5),
        ..EngineOptions::default()
    }
}

/// A refresh-all into a new, empty list.
async fn first_run(engine: &Engine) -> (Session, RunReport) {
    let session = Session::new(AccountBook::new());
    let report = session
        .refresh_all(&[Member::solo(engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    (session, report)
}

fn no_row_failed(session: &Session) -> bool {
    session
        .snapshot()
        .accounts
        .values()
        .all(|a| a.error.is_none())
}

/// What the double holds for an account, in Adkeep's terms.
fn expected_money(
    double: &GraphDouble,
    id: &str,
) -> (String, Option<String>, String, String, String) {
    double.world(|w| {
        let a = &w.accounts[id.trim_start_matches("act_")];
        let scale = if a.offset() == 1 { 0 } else { 2 };
        let money = |minor: i64| Decimal::new(minor, scale).to_string();
        let today = a.spend_today(frozen());
        (
            money(a.amount_spent),
            (a.spend_cap != 0).then(|| money(a.spend_cap)),
            money(a.balance),
            money(today),
            money(a.spend_last_30d),
        )
    })
}

#[tokio::test]
async fn refresh_all_returns_every_account_with_exact_money() {
    let mut config = DoubleConfig::generated(1_000, 3);
    config.data.currencies = ["USD", "EUR", "JPY", "GBP", "KRW", "BRL", "CLP"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    config.knobs.ragged_pages = true;
    let double = double(config).await;
    let token = double.issue_token();
    let engine = engine(&double, &token, fast());
    let (session, report) = first_run(&engine).await;

    assert!(report.problem.is_none(), "{:?}", report.problem);
    assert!(report.listing_complete);
    assert_eq!(report.refreshed, 1_000);
    assert_eq!(
        solo_login(&session.snapshot())
            .and_then(|l| l.profile)
            .map(|p| p.name)
            .as_deref(),
        Some("Jane Doe")
    );
    let book = session.snapshot();
    assert_eq!(book.len(), 1_000);
    let currencies: HashSet<&str> = book
        .accounts
        .values()
        .map(|a| a.currency.as_str())
        .collect();
    assert!(
        currencies.len() >= 5 && currencies.contains("JPY"),
        "{currencies:?}"
    );
    for account in book.accounts.values() {
        let (spent, cap, balance, today, last_30d) = expected_money(&double, account.id.as_str());
        let show = |d: &Option<Decimal>| d.map(|d| d.to_string());
        assert_eq!(show(&account.amount_spent), Some(spent), "{}", account.id);
        assert_eq!(show(&account.spend_cap), cap, "{}", account.id);
        assert_eq!(show(&account.balance), Some(balance), "{}", account.id);
        assert_eq!(show(&account.spend_today), Some(today), "{}", account.id);
        assert_eq!(
            show(&account.spend_last_30d),
            Some(last_30d),
            "{}",
            account.id
        );
        assert!(account.error.is_none());
        assert!(account.refreshed_at.is_some());
    }
    // JPY has no minor unit: no decimal point anywhere.
    let jpy = book
        .accounts
        .values()
        .find(|a| a.currency == "JPY")
        .unwrap();
    assert!(!jpy.amount_spent.unwrap().to_string().contains('.'));
}

#[tokio::test]
async fn a_short_or_empty_page_with_next_is_not_the_end() {
    let mut config = DoubleConfig::generated(230, 2);
    config.knobs.ragged_pages = true;
    let double = double(config).await;
    let engine = engine(
        &double,
        &double.issue_token(),
        EngineOptions {
            page_size: 25,
            ..fast()
        },
    );
    let (session, report) = first_run(&engine).await;
    assert_eq!(report.seen.len(), 230);
    assert_eq!(session.snapshot().len(), 230);
}

#[tokio::test]
async fn one_account_is_one_round_trip() {
    let double = double(DoubleConfig::generated(20, 1)).await;
    let engine = engine(&double, &double.issue_token(), fast());
    let session = Session::new(AccountBook::new());
    let id = double.world(|w| w.accounts.values().next().unwrap().node_id());
    let id = AccountId::parse(&id).unwrap();
    double.reset_stats();
    let report = session
        .refresh_accounts(
            &[Member::solo(&engine)],
            std::slice::from_ref(&id),
            &Quiet,
            &CancellationToken::new(),
        )
        .await
        .total;
    assert_eq!(report.refreshed, 1);
    assert_eq!(double.stats().http_requests, 1, "one HTTP request");
    let account = session.snapshot().get(&id).cloned().unwrap();
    let (spent, _, _, today, last_30d) = expected_money(&double, id.as_str());
    assert_eq!(account.amount_spent.unwrap().to_string(), spent);
    assert_eq!(account.spend_today.unwrap().to_string(), today);
    assert_eq!(account.spend_last_30d.unwrap().to_string(), last_30d);
}

#[tokio::test]
async fn a_failed_refresh_keeps_prior_data() {
    let double = double(DoubleConfig::generated(10, 1)).await;
    let engine = engine(&double, &double.issue_token(), fast());
    let session = Session::new(AccountBook::new());
    session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await;
    let id = double.world(|w| w.accounts.values().nth(3).unwrap().node_id());
    let id = AccountId::parse(&id).unwrap();
    let before = session.snapshot().get(&id).cloned().unwrap();

    // The account is unshared: Meta answers 100/33 for it.
    double.revoke(graph_double::DEFAULT_USER, &[id.as_str()]);
    let report = session
        .refresh_accounts(
            &[Member::solo(&engine)],
            std::slice::from_ref(&id),
            &Quiet,
            &CancellationToken::new(),
        )
        .await
        .total;
    assert_eq!(report.failed, 1);
    let after = session.snapshot().get(&id).cloned().unwrap();
    let problem = after.error.clone().unwrap();
    assert_eq!(problem.reason, Reason::PermissionsChanged);
    assert_eq!((problem.code, problem.subcode), (Some(100), Some(33)));
    assert_eq!(after.amount_spent, before.amount_spent);
    assert_eq!(after.datasets, before.datasets);
    assert_eq!(
        after.refreshed_at, before.refreshed_at,
        "still as of the last good read"
    );

    // A later listing keeps it, marked no longer accessible.
    session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await;
    let kept = session.snapshot().get(&id).cloned().unwrap();
    assert_eq!(kept.reach, Reach::NoLongerAccessible);
    assert_eq!(kept.amount_spent, before.amount_spent);
}

#[tokio::test]
async fn damaged_responses_are_retried_until_they_succeed() {
    let double = double(DoubleConfig::generated(60, 2)).await;
    let engine = engine(&double, &double.issue_token(), fast());
    for kind in [
        FaultKind::ServerError,
        FaultKind::Truncated,
        FaultKind::Reset,
        FaultKind::Error {
            status: 503,
            body: json!({"error": {"message": "Call was not successful"}}),
            headers: vec![],
        },
        FaultKind::Error {
            status: 500,
            body: json!({"error": {"message": "An unknown error occurred", "code": 1, "error_subcode": 99}}),
            headers: vec![],
        },
    ] {
        double.clear_faults();
        double.add_fault(Fault::kind(kind.clone()).times(2));
        let (session, report) = first_run(&engine).await;
        assert!(report.problem.is_none(), "{kind:?}: {:?}", report.problem);
        assert_eq!(session.snapshot().len(), 60, "{kind:?}");
    }
}

#[tokio::test]
async fn null_batch_items_are_retried_alone() {
    let double = double(DoubleConfig::generated(30, 1)).await;
    let id = double.world(|w| w.accounts.values().nth(5).unwrap().id.clone());
    double.add_fault(Fault::kind(FaultKind::BatchNull).on_account(&id).times(2));
    let engine = engine(&double, &double.issue_token(), fast());
    let (session, report) = first_run(&engine).await;
    assert_eq!(report.refreshed, 30);
    assert!(no_row_failed(&session));
}

#[tokio::test]
async fn pages_shrink_when_meta_asks_for_less_data() {
    let double = double(DoubleConfig::generated(150, 1)).await;
    // limit 100 with two nested edges weighs 300: too much for this double.
    double.knobs(|k| k.max_page_weight = 160);
    let engine = engine(&double, &double.issue_token(), fast());
    let (session, report) = first_run(&engine).await;
    assert!(report.problem.is_none(), "{:?}", report.problem);
    assert_eq!(session.snapshot().len(), 150);
    assert!(engine.current_page_size() <= 100);
}

#[tokio::test]
async fn token_problems_stop_the_run_and_say_why() {
    let double = double(DoubleConfig::generated(10, 1)).await;
    let engine = engine(&double, &double.issue_token(), fast());
    let session = Session::new(AccountBook::new());
    session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await;
    let cases = [
        (Scenario::TokenExpired, Reason::TokenExpired),
        (Scenario::PasswordChanged, Reason::TokenRevoked),
        (Scenario::LoggedOut, Reason::TokenRevoked),
        (Scenario::AppRemoved, Reason::TokenRevoked),
        (Scenario::Checkpoint, Reason::SecurityCheckpoint),
        (Scenario::AppDeleted, Reason::AppChanged),
        (Scenario::PolicyBlocked, Reason::PolicyViolation),
    ];
    for (scenario, reason) in cases {
        double.set_scenario(scenario);
        let report = session
            .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
            .await
            .total;
        let problem = report
            .problem
            .unwrap_or_else(|| panic!("{scenario:?} gave no problem"));
        assert_eq!(problem.reason, reason, "{scenario:?}");
        assert!(!report.listing_complete);
        let book = session.snapshot();
        assert_eq!(
            solo_login(&book).and_then(|l| l.problem).map(|p| p.reason),
            Some(reason)
        );
        assert!(
            book.accounts.values().all(|a| a.reach == Reach::Reachable),
            "{scenario:?} must not drop accounts"
        );
        assert_eq!(book.len(), 10);
    }
    double.set_scenario(Scenario::Healthy);
    let report = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert!(report.problem.is_none());
    assert!(
        solo_login(&session.snapshot())
            .and_then(|l| l.problem)
            .is_none(),
        "a good run clears the problem"
    );
}

#[tokio::test]
async fn declined_scopes_become_a_permissions_problem() {
    let double = double(DoubleConfig::generated(5, 1)).await;
    let token = double.issue_token_for(
        graph_double::DEFAULT_USER,
        &["public_profile", "business_management"],
        &["ads_read", "ads_management"],
    );
    let engine = engine(&double, &token, fast());
    let (_session, report) = first_run(&engine).await;
    let problem = report.problem.unwrap();
    assert_eq!(problem.reason, Reason::PermissionsChanged);
    assert_eq!(problem.code, Some(200));
}

#[tokio::test]
async fn offline_keeps_rows_and_says_offline() {
    let double = double(DoubleConfig::generated(8, 1)).await;
    let engine = engine(
        &double,
        &double.issue_token(),
        EngineOptions {
            max_attempts: 2,
            max_wait: Duration::from_secs(3),
            ..EngineOptions::default()
        },
    );
    let session = Session::new(AccountBook::new());
    session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await;
    let before = session.snapshot();
    double.set_offline(true).await.unwrap();
    let report = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert_eq!(
        report.problem.as_ref().map(|p| p.reason),
        Some(Reason::Offline)
    );
    let book = session.snapshot();
    assert!(
        solo_login(&book).and_then(|l| l.problem).is_none(),
        "offline is not a token problem"
    );
    for account in book.accounts.values() {
        assert_eq!(
            account.error.as_ref().map(|p| p.reason),
            Some(Reason::Offline)
        );
        assert_eq!(
            account.amount_spent,
            before.accounts[&account.id].amount_spent
        );
        assert_eq!(account.reach, Reach::Reachable);
    }
    double.set_offline(false).await.unwrap();
    let report = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert!(report.problem.is_none(), "{:?}", report.problem);
    assert!(no_row_failed(&session));
}

#[tokio::test]
async fn the_governor_pauses_an_account_before_meta_refuses() {
    let double = double(DoubleConfig::generated(4, 1)).await;
    double.knobs(|k| {
        k.limits.account_max_score = 10.0;
        k.limits.account_decay_secs = 600.0;
    });
    let engine = engine(&double, &double.issue_token(), fast());
    let session = Session::new(AccountBook::new());
    let id = double.world(|w| w.accounts.values().next().unwrap().node_id());
    let id = AccountId::parse(&id).unwrap();
    let mut paused = None;
    for _ in 0..8 {
        let report = session
            .refresh_accounts(
                &[Member::solo(&engine)],
                std::slice::from_ref(&id),
                &Quiet,
                &CancellationToken::new(),
            )
            .await
            .total;
        if report.failed == 1 {
            paused = session.snapshot().get(&id).unwrap().error.clone();
            break;
        }
    }
    let problem = paused.expect("the governor held the account back");
    assert_eq!(problem.reason, Reason::RateLimited);
    assert!(problem.retry_at.unwrap() > Utc::now());
    assert_eq!(
        double.stats().rate_limit_errors,
        0,
        "Meta never had to refuse"
    );
    assert!(
        session.snapshot().get(&id).unwrap().amount_spent.is_some(),
        "prior data kept"
    );
}

#[tokio::test]
async fn a_short_meta_rate_limit_is_waited_out() {
    let double = double(DoubleConfig::generated(4, 1)).await;
    let id = double.world(|w| w.accounts.values().next().unwrap().id.clone());
    double.add_fault(
        Fault::kind(FaultKind::Error {
            status: 400,
            body: json!({"error": {"message": "(#80004) There have been too many calls to this ad-account.", "type": "OAuthException", "code": 80004, "error_subcode": 2446079, "fbtrace_id": "x"}}),
            headers: vec![("x-ad-account-usage".into(), r#"{"acc_id_util_pct":100,"reset_time_duration":1}"#.into())],
        })
        .on_account(&id)
        .times(1),
    );
    let engine = engine(&double, &double.issue_token(), fast());
    let session = Session::new(AccountBook::new());
    let started = std::time::Instant::now();
    let report = session
        .refresh_accounts(
            &[Member::solo(&engine)],
            &[AccountId::parse(&id).unwrap()],
            &Quiet,
            &CancellationToken::new(),
        )
        .await
        .total;
    assert_eq!(
        report.refreshed,
        1,
        "{:?}",
        session
            .snapshot()
            .get(format!("act_{id}").as_str())
            .unwrap()
            .error
    );
    assert_eq!(
        engine
            .stats()
            .rate_limit_errors
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "waited as long as Meta said"
    );
}

struct Recorder(Mutex<Vec<Account>>, Mutex<Vec<Progress>>);

impl Observer for Recorder {
    fn accounts_changed(&self, accounts: &[Account]) {
        self.0.lock().unwrap().extend_from_slice(accounts);
    }
    fn progress(&self, progress: &Progress) {
        self.1.lock().unwrap().push(progress.clone());
    }
}

#[tokio::test]
async fn progress_reaches_the_end() {
    let double = double(DoubleConfig::generated(120, 2)).await;
    let engine = engine(&double, &double.issue_token(), fast());
    let session = Session::new(AccountBook::new());
    let recorder = Recorder(Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    session
        .refresh_all(
            &[Member::solo(&engine)],
            &recorder,
            &CancellationToken::new(),
        )
        .await;
    let progress = recorder.1.lock().unwrap();
    let last = progress.last().unwrap();
    assert_eq!((last.done, last.total), (120, 120));
    assert!(
        progress.iter().any(|p| p.done < p.total),
        "intermediate progress was reported"
    );
}

#[tokio::test]
async fn cancelling_stops_and_keeps_what_was_done() {
    let mut config = DoubleConfig::generated(400, 2);
    config.knobs.latency_ms = 40;
    let double = double(config).await;
    let engine = engine(
        &double,
        &double.issue_token(),
        EngineOptions {
            page_size: 25,
            ..fast()
        },
    );
    let session = Session::new(AccountBook::new());
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.cancel();
    });
    let report = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &cancel)
        .await
        .total;
    assert!(report.cancelled);
    assert!(!report.listing_complete);
    let book = session.snapshot();
    assert!(book.len() < 400);
    assert!(book.accounts.values().all(|a| a.reach == Reach::Reachable));
}

#[tokio::test]
async fn accounts_reached_through_a_business_are_found_once() {
    let double = double(DoubleConfig::generated(200, 3)).await;
    let (total, direct) = double.world(|w| {
        (
            w.accounts_of(graph_double::DEFAULT_USER).len(),
            w.direct_accounts_of(graph_double::DEFAULT_USER).len(),
        )
    });
    assert!(
        direct < total,
        "some accounts are reached only through a business"
    );
    let engine = engine(&double, &double.issue_token(), fast());
    let (session, report) = first_run(&engine).await;
    assert!(report.listing_complete);
    assert_eq!(
        report.refreshed, total,
        "each account refreshed exactly once"
    );
    assert_eq!(session.snapshot().len(), total);

    // Without business_management: the direct accounts, and a complete listing.
    let token = double.issue_token_for(
        graph_double::DEFAULT_USER,
        &["ads_read", "ads_management", "public_profile"],
        &["business_management"],
    );
    let engine = self::engine(&double, &token, fast());
    let (session, report) = first_run(&engine).await;
    assert!(report.problem.is_none(), "{:?}", report.problem);
    assert!(report.listing_complete);
    assert_eq!(session.snapshot().len(), direct);
}

#[tokio::test]
async fn a_repeat_run_asks_for_known_spend_once_alongside_the_listing() {
    let double = double(DoubleConfig::generated(240, 3)).await;
    let user = graph_double::DEFAULT_USER;
    let engine = engine(&double, &double.issue_token(), fast());
    let (session, first) = first_run(&engine).await;
    assert!(first.problem.is_none(), "{:?}", first.problem);
    let known: HashSet<AccountId> = session.snapshot().accounts.keys().cloned().collect();

    // Between runs: spend moves, one direct account is taken away, two are granted.
    let gone = double.world(|w| {
        for a in w.accounts.values_mut() {
            a.spend_last_30d += 1_234;
        }
        let direct = w.direct_accounts_of(user);
        let business_only: HashSet<String> = w
            .accounts_of(user)
            .into_iter()
            .filter(|id| !direct.contains(id))
            .collect();
        // One that no business reaches either, so it really goes.
        w.accounts_of(user)
            .into_iter()
            .find(|id| direct.contains(id) && !business_only.contains(id))
            .unwrap()
    });
    double.revoke(user, &[gone.as_str()]);
    let granted = double.add_accounts(2);
    let granted: Vec<&str> = granted.iter().map(String::as_str).collect();
    assert!(double.grant(user, &granted, false));
    assert!(!double.world(|w| w.accounts_of(user).contains(&gone)));

    double.reset_stats();
    let second = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert!(second.problem.is_none(), "{:?}", second.problem);
    assert!(second.listing_complete);

    let (reachable, direct) = double.world(|w| (w.accounts_of(user), w.direct_accounts_of(user)));
    let book = session.snapshot();
    for id in &reachable {
        let account = book.get(format!("act_{id}").as_str()).unwrap();
        let (.., last_30d) = expected_money(&double, account.id.as_str());
        assert_eq!(
            account.spend_last_30d.map(|d| d.to_string()),
            Some(last_30d),
            "{} has this run's spend",
            account.id
        );
        assert!(account.error.is_none(), "{}", account.id);
    }
    let gone = book.get(format!("act_{gone}").as_str()).unwrap();
    assert_eq!(gone.reach, Reach::NoLongerAccessible);
    assert!(gone.error.is_none(), "its spend asked ahead fails quietly");

    // Each known account's spend (and ad limit, beside it) asked once
    // (ahead), never again after the listing; new accounts' after it;
    // business-only accounts' nodes.
    let new = reachable
        .iter()
        .filter(|id| !known.contains(format!("act_{id}").as_str()))
        .count();
    let business_only = reachable.iter().filter(|id| !direct.contains(id)).count();
    assert_eq!(new, 2);
    assert_eq!(
        double.stats().batch_items as usize,
        2 * (known.len() + new) + business_only
    );
}
