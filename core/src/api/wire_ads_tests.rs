use serde_json::json;

use super::*;
use crate::ads::{AdCounts, AdLimit, MAX_COUNTED};
use crate::problem::Scope;

fn counted(nested: NestedAds) -> crate::ads::Tally {
    match nested {
        NestedAds::Done(AdCounts::Counted(t)) => t,
        other => panic!("not counted: {other:?}"),
    }
}

#[test]
fn a_nested_page_is_counted_by_status_with_reasons_in_words() {
    let edge = json!({
        "data": [
            {"effective_status": "DISAPPROVED", "ad_review_feedback": {"global": {"Misleading claims": "why"}}},
            {"effective_status": "DISAPPROVED", "ad_review_feedback": {"global": {"Misleading claims": "why", "Adult\ncontent": "x"}}},
            {"effective_status": "WITH_ISSUES", "issues_info": [{"error_summary": "Page unpublished", "error_code": 1}]},
            {"effective_status": "PENDING_BILLING_INFO"},
            {"effective_status": "PENDING_REVIEW"},
            {"effective_status": "ACTIVE"},
            {"id": "no status"}
        ],
        "summary": {"total_count": "5"}
    });
    let t = counted(nested_ads(Some(&edge)));
    assert_eq!(
        (
            t.disapproved,
            t.with_issues,
            t.pending_billing_info,
            t.pending_review
        ),
        (2, 1, 1, 1)
    );
    assert!(t.complete);
    assert_eq!(t.total, Some(5));
    let texts: Vec<(&str, u32)> = t.reasons.iter().map(|r| (r.text.as_str(), r.ads)).collect();
    assert_eq!(
        texts,
        [
            ("Misleading claims", 2),
            ("Adult content", 1),
            ("Page unpublished", 1)
        ]
    );
}

#[test]
fn an_absent_edge_is_no_ads_a_refusal_is_refused_and_an_error_unreadable() {
    assert_eq!(counted(nested_ads(None)).disapproved, 0);
    assert_eq!(counted(nested_ads(Some(&json!({"data": []})))).total, None);
    let refused = json!({"error": {"code": 200, "message": "(#200) Permissions error"}});
    assert_eq!(
        nested_ads(Some(&refused)),
        NestedAds::Done(AdCounts::Refused)
    );
    let failed = json!({"error": {"code": 2, "message": "Service temporarily unavailable"}});
    assert_eq!(
        nested_ads(Some(&failed)),
        NestedAds::Done(AdCounts::Unreadable)
    );
    assert_eq!(
        nested_ads(Some(&json!("ads"))),
        NestedAds::Done(AdCounts::Unreadable)
    );
}

#[test]
fn more_pages_are_read_only_while_the_cap_allows() {
    let page = |total: Option<u32>| {
        let mut edge = json!({
            "data": [{"effective_status": "DISAPPROVED"}],
            "paging": {"cursors": {"after": "A"}, "next": "https://graph.facebook.com/v27.0/act_1/ads?after=A"}
        });
        if let Some(total) = total {
            edge["summary"] = json!({"total_count": total});
        }
        edge
    };
    for total in [None, Some(MAX_COUNTED), Some(620)] {
        match nested_ads(Some(&page(total))) {
            NestedAds::More { counter, more } => {
                assert_eq!(counter.counted(), 1);
                assert_eq!(more.after.as_deref(), Some("A"));
            }
            other => panic!("{total:?}: {other:?}"),
        }
    }
}

#[test]
fn the_limit_is_read_leniently_and_a_refusal_is_its_own_state() {
    let body = json!({"data": [
        {"actor_id": "1", "ads_running_or_in_review_count": 3},
        {"ads_running_or_in_review_count": "248", "limit_on_ads_running_or_in_review": 250,
         "future_limit_on_ads_running_or_in_review": 100, "future_limit_activation_date": "2026-12-11"}
    ]});
    let AdLimit::Known(r) = ad_limit(Ok(&body)) else {
        panic!("known");
    };
    assert_eq!((r.running_or_in_review, r.limit), (248, Some(250)));
    assert_eq!(r.future.unwrap().from.to_string(), "2026-12-11");
    let unlimited = json!({"data": [{"ads_running_or_in_review_count": 7}]});
    assert!(matches!(
        ad_limit(Ok(&unlimited)),
        AdLimit::Known(LimitReading { limit: None, .. })
    ));
    assert_eq!(ad_limit(Ok(&json!({"data": []}))), AdLimit::Unreadable);
    let huge = json!({"data": [{"ads_running_or_in_review_count": 1e30, "limit_on_ads_running_or_in_review": -1}]});
    assert_eq!(ad_limit(Ok(&huge)), AdLimit::Unreadable);
    let problem = |code| {
        let body = json!({"error": {"code": code, "message": "refused", "type": "OAuthException"}});
        let error = crate::graph::error::GraphError::from_error_value(403, &body).unwrap();
        let ctx = crate::problem::Context::new(Scope::Account, chrono::Utc::now());
        let problem = crate::problem::classify(&error, &ctx);
        assert_eq!(
            problem.scope,
            Scope::Account,
            "a refusal stays the account's"
        );
        problem
    };
    assert_eq!(ad_limit(Err(&problem(200))), AdLimit::Refused);
    assert_eq!(ad_limit(Err(&problem(10))), AdLimit::Refused);
    assert_eq!(ad_limit(Err(&problem(2))), AdLimit::Unreadable);
}
