//! Ads that cannot run, against the Graph double: every account's counts and
//! ad limit read exactly in a refresh-all of 1,000 accounts, the cap and
//! paging when Meta sends no summary, a limit reached as a blocking reason,
//! a refusal as a reason of its own, and the history's "3 more disapproved".

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use adkeep_core::ads::{AdCounts, AdLimit, MAX_COUNTED, Tally};
use adkeep_core::attention::{AdLimitLevel, AdsUnknown, Attention, Severity};
use adkeep_core::book::AccountBook;
use adkeep_core::changes::{self, ChangeKind};
use adkeep_core::fleet::Member;
use adkeep_core::forecast::MoneyAlerts;
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client};
use adkeep_core::model::Account;
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::session::{Quiet, Session};
use adkeep_core::token::AccessToken;
use chrono::Utc;
use graph_double::ads::{Ad, AdVolume};
use graph_double::world::AdAccount;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble};
use tokio_util::sync::CancellationToken;

fn engine(double: &GraphDouble) -> Engine {
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let client = GraphClient::new(
        http_client().unwrap(),
        Arc::new(endpoints),
        AccessToken::new(double.issue_token()).unwrap(),
    );
    Engine::new(
        client,
        EngineOptions::default(),
        Arc::new(Governor::default()),
    )
}

async fn refresh(session: &Session, engine: &Engine) {
    let report = session
        .refresh_all(&[Member::solo(engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert!(report.problem.is_none(), "{:?}", report.problem);
    assert!(report.listing_complete);
}

fn of_status(account: &AdAccount, status: &str) -> u32 {
    account
        .ads
        .iter()
        .filter(|a| a.effective_status == status)
        .count() as u32
}

/// What the book should hold for an account of the double's world.
fn expected_counts(account: &AdAccount) -> Tally {
    let held = [
        "DISAPPROVED",
        "WITH_ISSUES",
        "PENDING_BILLING_INFO",
        "PENDING_REVIEW",
    ];
    let total: u32 = held.iter().map(|s| of_status(account, s)).sum();
    Tally {
        disapproved: of_status(account, "DISAPPROVED"),
        with_issues: of_status(account, "WITH_ISSUES"),
        pending_billing_info: of_status(account, "PENDING_BILLING_INFO"),
        pending_review: of_status(account, "PENDING_REVIEW"),
        complete: total <= MAX_COUNTED,
        total: Some(total),
        reasons: Vec::new(),
    }
}

fn can_advertise(tasks: &[String]) -> bool {
    tasks.iter().any(|t| t == "MANAGE" || t == "ADVERTISE")
}

fn tally(account: &Account) -> &Tally {
    match &account.ads.counts {
        AdCounts::Counted(t) => t,
        other => panic!("{}: ads not counted: {other:?}", account.id),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_account_of_a_thousand_is_counted_exactly_in_one_refresh_all() {
    let double = GraphDouble::start(DoubleConfig::generated(1_000, 3))
        .await
        .unwrap();
    let engine = engine(&double);
    let session = Session::new(AccountBook::new());
    refresh(&session, &engine).await;
    assert_eq!(double.stats().rate_limit_errors, 0);

    let book = session.snapshot();
    let world = double.world(|w| w.clone());
    let reachable = world.accounts_of(DEFAULT_USER);
    assert_eq!(book.len(), reachable.len());
    let (mut capped, mut refused, mut reached, mut held_back) = (0, 0, 0, 0);
    let now = Utc::now();
    for id in &reachable {
        let theirs = &world.accounts[id];
        let ours = book.get(format!("act_{id}").as_str()).unwrap();
        let want = expected_counts(theirs);
        let got = tally(ours);
        if want.complete {
            assert_eq!(
                (
                    got.disapproved,
                    got.with_issues,
                    got.pending_billing_info,
                    got.pending_review
                ),
                (
                    want.disapproved,
                    want.with_issues,
                    want.pending_billing_info,
                    want.pending_review
                ),
                "{id}"
            );
            assert!(got.complete, "{id}");
        } else {
            capped += 1;
            let counted =
                got.disapproved + got.with_issues + got.pending_billing_info + got.pending_review;
            assert_eq!(counted, MAX_COUNTED, "{id}: counted to the cap");
            assert!(!got.complete && got.disapproved <= want.disapproved, "{id}");
        }
        assert_eq!(got.total, want.total, "{id}: Meta's summary");
        if got.disapproved > 0 {
            assert!(
                !got.reasons.is_empty() && got.reasons.len() <= 3,
                "{id}: {got:?}"
            );
        }
        held_back += u32::from(got.disapproved + got.with_issues > 0);

        let tasks = world.tasks_of(DEFAULT_USER, id).unwrap();
        let volume = theirs.ad_volume.as_ref().unwrap();
        match &ours.ads.limit {
            AdLimit::Known(r) => {
                assert!(can_advertise(&tasks), "{id}: read with {tasks:?}");
                assert_eq!(r.running_or_in_review, volume.running_or_in_review, "{id}");
                assert_eq!(r.limit, volume.limit, "{id}");
                assert_eq!(
                    r.future.as_ref().map(|f| f.limit),
                    volume.future.map(|f| f.0)
                );
            }
            AdLimit::Refused => {
                assert!(!can_advertise(&tasks), "{id}: refused with {tasks:?}");
                refused += 1;
            }
            other => panic!("{id}: {other:?}"),
        }
        let flags = ours.attention(now, &MoneyAlerts::default());
        let limit_reached = theirs.account_status == 1
            && can_advertise(&tasks)
            && volume
                .limit
                .is_some_and(|l| volume.running_or_in_review >= l);
        let blocking = flags.iter().any(|a| {
            matches!(
                a,
                Attention::AdLimit {
                    level: AdLimitLevel::Reached,
                    ..
                }
            ) && a.severity(now) == Severity::Blocking
        });
        assert_eq!(blocking, limit_reached, "{id}: {flags:?}");
        reached += u32::from(limit_reached);
    }
    // The world has every case, so the checks above ran on each.
    assert!(
        capped > 0 && refused > 0 && reached > 0 && held_back > 50,
        "{capped} {refused} {reached} {held_back}"
    );
}

/// A world of 30 accounts where the first holds `first` disapproved ads and
/// the second is over its limit; Meta sends a summary or not.
async fn small_world(first: usize, summary: bool) -> (GraphDouble, Vec<String>) {
    let double = GraphDouble::start(DoubleConfig::generated(30, 0))
        .await
        .unwrap();
    let ids = double.world(|w| {
        w.no_ads_summary = !summary;
        let ids: Vec<String> = w
            .direct_accounts_of(DEFAULT_USER)
            .into_iter()
            .take(3)
            .collect();
        for id in &ids {
            let account = w.accounts.get_mut(id).unwrap();
            account.account_status = 1;
            account.ads.retain(|a| a.effective_status == "ACTIVE");
            account.ad_volume = Some(AdVolume {
                running_or_in_review: 10,
                limit: Some(250),
                future: None,
            });
        }
        let user = w.users.get_mut(DEFAULT_USER).unwrap();
        for id in &ids[..2] {
            user.access
                .insert(id.clone(), vec!["ADVERTISE".into(), "ANALYZE".into()]);
        }
        user.access.insert(ids[2].clone(), vec!["ANALYZE".into()]);
        let account = w.accounts.get_mut(&ids[0]).unwrap();
        for i in 0..first {
            let mut ad = Ad::new(format!("9{i}"), "DISAPPROVED");
            let policy = if i % 3 == 0 {
                "Adult content"
            } else {
                "Misleading claims"
            };
            ad.review.push((policy.into(), "why".into()));
            account.ads.push(ad);
        }
        w.accounts.get_mut(&ids[1]).unwrap().ad_volume = Some(AdVolume {
            running_or_in_review: 251,
            limit: Some(250),
            future: None,
        });
        ids
    });
    (double, ids)
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_summary_ads_are_counted_in_the_account_s_own_request_or_paged_to_the_cap() {
    // (ads, Meta's most per page, counted, complete, pages after the nested one)
    for (ads, page_cap, counted, complete, pages) in [
        (150, None, 150, true, 0),
        (620, None, MAX_COUNTED, false, 0),
        (150, Some(100), 150, true, 1),
        (620, Some(100), MAX_COUNTED, false, 4),
    ] {
        let (double, ids) = small_world(ads, false).await;
        double.world(|w| w.max_ads_page = page_cap);
        let session = Session::new(AccountBook::new());
        refresh(&session, &engine(&double)).await;
        let book = session.snapshot();
        let t = tally(book.get(format!("act_{}", ids[0]).as_str()).unwrap());
        assert_eq!(
            (t.disapproved, t.complete, t.total),
            (counted, complete, None),
            "{ads} ads"
        );
        let reasons: Vec<(&str, u32)> =
            t.reasons.iter().map(|r| (r.text.as_str(), r.ads)).collect();
        let adult = counted.div_ceil(3);
        assert_eq!(
            reasons,
            [
                ("Misleading claims", counted - adult),
                ("Adult content", adult)
            ]
        );
        // Pages after the nested one only when Meta served fewer than asked,
        // each once, and none past the cap.
        let asked = double
            .trace()
            .iter()
            .filter(|t| t.what.contains(&format!("act_{}/ads", ids[0])))
            .count();
        assert_eq!(
            asked,
            pages,
            "{ads} ads, {page_cap:?} a page: {:?}",
            double.trace().iter().map(|t| &t.what).collect::<Vec<_>>()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_limit_reached_blocks_and_a_refusal_is_a_reason_not_a_zero() {
    let (double, ids) = small_world(2, true).await;
    let session = Session::new(AccountBook::new());
    refresh(&session, &engine(&double)).await;
    let book = session.snapshot();
    let now = Utc::now();
    let flags = |id: &str| {
        book.get(format!("act_{id}").as_str())
            .unwrap()
            .attention(now, &MoneyAlerts::default())
    };

    let over = flags(&ids[1]);
    assert!(
        over.iter().any(|a| matches!(
            a,
            Attention::AdLimit {
                level: AdLimitLevel::Reached,
                running: 251,
                limit: 250,
                ..
            }
        ) && a.severity(now) == Severity::Blocking),
        "{over:?}"
    );
    let analyst = book.get(format!("act_{}", ids[2]).as_str()).unwrap();
    assert_eq!(
        analyst.ads.limit,
        AdLimit::Refused,
        "a refusal, never a zero"
    );
    let reasons = flags(&ids[2]);
    let unknown = reasons
        .iter()
        .find(|a| {
            matches!(
                a,
                Attention::AdsUnknown {
                    what: AdsUnknown::Limit
                }
            )
        })
        .expect("its own reason");
    assert_eq!(unknown.severity(now), Severity::Info);
    assert!(analyst.error.is_none(), "the rest of the row refreshed");
    let first = flags(&ids[0]);
    assert!(first.iter().any(|a| matches!(
        a,
        Attention::AdsDisapproved {
            ads: 2,
            at_least: false
        }
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_history_says_how_many_more_were_disapproved() {
    let (double, ids) = small_world(9, true).await;
    let engine = engine(&double);
    let session = Session::new(AccountBook::new());
    refresh(&session, &engine).await;
    let before = session.snapshot();
    double.world(|w| {
        let account = w.accounts.get_mut(&ids[0]).unwrap();
        for i in 0..3 {
            account.ads.push(Ad::new(format!("8{i}"), "DISAPPROVED"));
        }
        w.accounts.get_mut(&ids[1]).unwrap().ad_volume = Some(AdVolume {
            running_or_in_review: 10,
            limit: Some(250),
            future: None,
        });
    });
    refresh(&session, &engine).await;
    let after = session.snapshot();
    let changes = changes::between(&before, &after, Utc::now(), &MoneyAlerts::default());
    let disapproved: Vec<_> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::AdsDisapproved)
        .map(|c| (c.from.as_deref(), c.to.as_deref(), c.worse))
        .collect();
    assert_eq!(disapproved, [(Some("9"), Some("12"), true)]);
    let limit: Vec<_> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::AdLimit)
        .map(|c| (c.from.as_deref(), c.to.as_deref(), c.worse))
        .collect();
    assert_eq!(limit, [(Some("reached"), Some("clear"), false)]);
}
