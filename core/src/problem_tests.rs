//! Every code and real payload from graph-api.md §6, and what it must become.

use super::*;
use crate::graph::usage::Usage;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn api(status: u16, body: &str) -> GraphError {
    GraphError::from_response(status, body.as_bytes(), Usage::default())
}

fn coded(code: i64, subcode: Option<i64>) -> GraphError {
    let sub = subcode.map_or(String::new(), |s| format!(r#","error_subcode":{s}"#));
    api(
        400,
        &format!(r#"{{"error":{{"message":"m","type":"OAuthException","code":{code}{sub}}}}}"#),
    )
}

fn account_ctx() -> Context {
    Context::new(Scope::Account, now())
}

fn reason_of(error: &GraphError) -> (Reason, Action) {
    let p = classify(error, &account_ctx());
    (p.reason, p.action)
}

#[test]
fn every_documented_code_maps_to_its_reason() {
    use Action::*;
    use Reason::*;
    let table: &[(i64, Option<i64>, Reason, Action)] = &[
        (190, Some(463), TokenExpired, Reauthenticate),
        (102, None, TokenExpired, Reauthenticate),
        (190, Some(460), TokenRevoked, Reauthenticate),
        (190, Some(467), TokenRevoked, Reauthenticate),
        (190, Some(458), TokenRevoked, Reauthenticate),
        (190, Some(466), TokenRevoked, Reauthenticate),
        (190, Some(459), SecurityCheckpoint, OpenFacebook),
        (190, Some(464), SecurityCheckpoint, OpenFacebook),
        (190, Some(492), PermissionsChanged, Reauthenticate),
        (101, None, AppChanged, Reauthenticate),
        (3, None, AppChanged, Reauthenticate),
        (2635, None, AppChanged, Refresh),
        (270, None, AppChanged, Reauthenticate),
        (10, None, PermissionsChanged, Reauthenticate),
        (200, None, PermissionsChanged, Reauthenticate),
        (272, None, PermissionsChanged, Reauthenticate),
        (278, None, PermissionsChanged, Reauthenticate),
        (294, None, PermissionsChanged, Reauthenticate),
        (299, None, PermissionsChanged, Reauthenticate),
        (100, None, PermissionsChanged, Reauthenticate),
        (100, Some(33), PermissionsChanged, Reauthenticate),
        (200, Some(1_870_034), PermissionsChanged, AcceptTos),
        (200, Some(1_870_090), PermissionsChanged, AcceptTos),
        (200, Some(1_870_092), PermissionsChanged, AcceptTos),
        (368, None, PolicyViolation, OpenAccountQuality),
        (368, Some(1_404_078), PolicyViolation, OpenAccountQuality),
        (1, Some(1_404_078), PolicyViolation, OpenAccountQuality),
        (1, Some(2_859_015), PolicyViolation, OpenAccountQuality),
        (1, Some(1_404_163), PolicyViolation, OpenAccountQuality),
        (1, Some(3_910_001), PolicyViolation, OpenAccountQuality),
        (4, None, RateLimited, Wait),
        (4, Some(1_504_022), RateLimited, Wait),
        (4, Some(1_504_039), RateLimited, Wait),
        (17, None, RateLimited, Wait),
        (17, Some(2_446_079), RateLimited, Wait),
        (32, None, RateLimited, Wait),
        (341, None, RateLimited, Wait),
        (613, None, RateLimited, Wait),
        (613, Some(1_487_742), RateLimited, Wait),
        (613, Some(5_044_001), RateLimited, Wait),
        (1, None, Transient, Refresh),
        (1, Some(99), Transient, Refresh),
        (2, None, Transient, Refresh),
        (960, None, Transient, Refresh),
    ];
    for &(code, subcode, reason, action) in table {
        assert_eq!(
            reason_of(&coded(code, subcode)),
            (reason, action),
            "code {code} subcode {subcode:?}"
        );
    }
    for code in 80_000..=80_014 {
        assert_eq!(
            reason_of(&coded(code, Some(2_446_079))).0,
            RateLimited,
            "{code}"
        );
    }
}

#[test]
fn real_payloads_from_the_reference() {
    use Reason::*;
    let cases: &[(u16, &str, Reason)] = &[
        (
            400,
            r#"{"error": {"message": "Error validating access token: Session has expired on Friday, 18-Aug", "type": "OAuthException", "code": 190, "error_subcode": 463}}"#,
            TokenExpired,
        ),
        (
            400,
            r#"{"error": {"message": "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons", "type": "OAuthException", "code": 190, "error_subcode": 460}}"#,
            TokenRevoked,
        ),
        (
            400,
            r#"{"error": {"message": "Error validating access token: The user has not authorized application 2586347315015828.", "type": "OAuthException", "code": 190, "error_subcode": 458, "fbtrace_id": "A3pz5DCfhBg3mGCS6Z9z9zY"}}"#,
            TokenRevoked,
        ),
        (
            400,
            r#"{"error": {"message": "(#100) Missing permissions", "type": "OAuthException", "code": 100}}"#,
            PermissionsChanged,
        ),
        (
            403,
            r#"{"error": {"message": "(#200) Requires business_management permission to manage the object", "type": "OAuthException", "code": 200}}"#,
            PermissionsChanged,
        ),
        (
            400,
            r#"{"error": {"message": "Unsupported get request. Object with ID 'xxx' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", "type": "GraphMethodException", "code": 100, "error_subcode": 33, "fbtrace_id": "A7qVRrTcBm8Pt6iUvnBrxwf"}}"#,
            PermissionsChanged,
        ),
        (
            400,
            r#"{"error": {"message": "An unknown error occurred", "type": "OAuthException", "code": 1, "error_subcode": 2853001, "is_transient": false, "error_user_title": "profile is not linked to delegate page", "error_user_msg": "profile should always be linked to delegate page"}}"#,
            Transient,
        ),
        (
            400,
            r#"{"error": {"message": "An unknown error occurred", "type": "OAuthException", "code": 1, "error_subcode": 2853001, "is_transient": false, "error_user_title": "el perfil no está vinculado a la página del delegado", "error_user_msg": "x"}}"#,
            Transient,
        ),
        (
            503,
            r#"{"error": {"message": "(#2) Service temporarily unavailable", "type": "OAuthException", "is_transient": true, "code": 2, "fbtrace_id": "AnUyGZoFqN2m50GHVpOQEqr"}}"#,
            Transient,
        ),
        (
            500,
            r#"{"error": {"message": "Please reduce the amount of data you're asking for, then retry your request", "code": 1}}"#,
            Transient,
        ),
        (
            500,
            r#"{"error": {"message": "An unknown error occurred", "code": 1, "error_subcode": 99}}"#,
            Transient,
        ),
        (
            400,
            r#"{"error": {"message": "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.", "type": "OAuthException", "code": 80000, "error_subcode": 2446079, "fbtrace_id": "this_is_fake_response"}}"#,
            RateLimited,
        ),
        (
            400,
            r#"{"error": {"message": "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.", "type": "OAuthException", "code": 80004, "error_subcode": 2446079, "fbtrace_id": "AFm-w0VSqFxoRyuKXJgg48H"}}"#,
            RateLimited,
        ),
        (
            400,
            r#"{"error":{"message":"(#17) User request limit reached","type":"OAuthException","is_transient":true,"code":17,"error_subcode":2446079,"fbtrace_id":"x"}}"#,
            RateLimited,
        ),
        (
            503,
            r#"{"error": {"message": "Call was not successful"}}"#,
            Transient,
        ),
        (
            400,
            r#"{"error": {"message": "(#3018) The start date of the time range cannot be beyond 37 months from the current date", "type": "OAuthException", "code": 3018, "fbtrace_id": "Ag-P22y80OSEXM4qsGk2T9P"}}"#,
            Transient,
        ),
        (
            400,
            r#"{"error":{"type":"Exception","message":"The budget for your Ad-Set is too low","code":1487901,"is_transient":false,"error_data":{"blame_field_specs":[["daily_budget"]]}}}"#,
            Transient,
        ),
    ];
    for (status, body, reason) in cases {
        let p = classify(&api(*status, body), &account_ctx());
        assert_eq!(p.reason, *reason, "{body}");
        assert!(!p.explanation.is_empty());
    }
}

#[test]
fn message_text_never_decides() {
    // Same code and subcode, different (localized) text → same reason.
    let en = api(
        400,
        r#"{"error":{"message":"Error validating access token: Session has expired","code":190,"error_subcode":463}}"#,
    );
    let es = api(
        400,
        r#"{"error":{"message":"Error al validar el token de acceso: la sesión caducó","code":190,"error_subcode":463}}"#,
    );
    assert_eq!(reason_of(&en), reason_of(&es));
    // A message that *says* "expired" but carries a rate-limit code is a rate limit.
    let tricky = api(400, r#"{"error":{"message":"session expired","code":17}}"#);
    assert_eq!(reason_of(&tricky).0, Reason::RateLimited);
}

#[test]
fn bare_190_is_settled_by_probing_me() {
    // The Airbyte fixture: 190 without subcode for a page-permission problem.
    let e = api(
        400,
        r#"{"error": {"message": "Any of the pages_read_engagement, pages_manage_metadata,\n        pages_read_user_content, pages_manage_ads, pages_show_list or\n        pages_messaging permission(s) must be granted before impersonating a\n        user's page.", "type": "OAuthException", "code": 190}}"#,
    );
    assert!(needs_token_probe(&e));
    let mut ctx = account_ctx();
    assert_eq!(classify(&e, &ctx).reason, Reason::TokenExpired);
    ctx.token_ok = Some(true);
    let p = classify(&e, &ctx);
    assert_eq!(p.reason, Reason::PermissionsChanged);
    assert_eq!(p.scope, Scope::Account);
    ctx.token_ok = Some(false);
    assert_eq!(classify(&e, &ctx).reason, Reason::TokenExpired);
    assert!(!needs_token_probe(&coded(190, Some(463))));
}

#[test]
fn token_problems_are_token_wide_even_on_an_account_request() {
    let p = classify(&coded(190, Some(463)), &account_ctx());
    assert_eq!(p.scope, Scope::Token);
    let p = classify(&coded(100, Some(33)), &account_ctx());
    assert_eq!(p.scope, Scope::Account);
    let p = classify(&coded(4, None), &account_ctx());
    assert_eq!(p.scope, Scope::Token, "code 4 is the app-wide limit");
    let p = classify(&coded(80004, Some(2_446_079)), &account_ctx());
    assert_eq!(p.scope, Scope::Account);
}

#[test]
fn transport_failures_are_never_token_problems() {
    for e in [
        GraphError::offline("connection refused"),
        GraphError::timeout("timed out"),
        GraphError::malformed(200, "truncated"),
        api(502, "<html>Bad gateway</html>"),
        api(500, ""),
    ] {
        let p = classify(&e, &Context::new(Scope::Token, now()));
        assert!(!p.reason.is_token_problem(), "{e:?}");
        assert!(p.reason.retries_by_itself());
        assert!(p.retry_at.is_some());
    }
    assert_eq!(
        classify(&GraphError::offline("x"), &account_ctx()).reason,
        Reason::Offline
    );
}

#[test]
fn rate_limit_retry_at_comes_from_the_headers() {
    let usage = Usage::from_pairs([(
        "x-business-use-case-usage",
        r#"{"1":[{"type":"ads_management","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":7}]}"#,
    )]);
    let e = GraphError::from_response(
        400,
        br#"{"error":{"message":"x","code":80004,"error_subcode":2446079}}"#,
        usage,
    );
    let p = classify(&e, &account_ctx());
    assert_eq!(p.retry_at, Some(now() + ChronoDuration::minutes(7)));

    let usage = Usage::from_pairs([(
        "x-ad-account-usage",
        r#"{"acc_id_util_pct":100,"reset_time_duration":90}"#,
    )]);
    let e = GraphError::from_response(400, br#"{"error":{"message":"x","code":17}}"#, usage);
    assert_eq!(
        classify(&e, &account_ctx()).retry_at,
        Some(now() + ChronoDuration::seconds(90))
    );
}

#[test]
fn rate_limit_without_hints_backs_off_exponentially() {
    let mut ctx = account_ctx();
    let e = coded(613, Some(1_487_742));
    assert_eq!(
        classify(&e, &ctx).retry_at,
        Some(now() + ChronoDuration::seconds(30))
    );
    ctx.attempt = 2;
    assert_eq!(
        classify(&e, &ctx).retry_at,
        Some(now() + ChronoDuration::seconds(120))
    );
    ctx.attempt = 9;
    assert_eq!(
        classify(&e, &ctx).retry_at,
        Some(now() + ChronoDuration::seconds(300))
    );
}

#[test]
fn unknown_codes_keep_their_raw_details() {
    let e = api(
        400,
        r#"{"error":{"message":"Something new","type":"NewException","code":424242,"error_subcode":7,"fbtrace_id":"TRACE"}}"#,
    );
    let p = classify(&e, &account_ctx());
    assert_eq!(p.reason, Reason::Transient);
    assert_eq!((p.code, p.subcode), (Some(424242), Some(7)));
    assert_eq!(p.fbtrace_id.as_deref(), Some("TRACE"));
    assert_eq!(p.message, "Something new");
}

#[test]
fn links_lead_to_the_right_pages() {
    let base = url::Url::parse("https://www.facebook.com").unwrap();
    let p = classify(&coded(200, Some(1_870_034)), &account_ctx()).with_links(&base, Some("123"));
    assert_eq!(
        p.action_url.as_deref(),
        Some("https://www.facebook.com/ads/manage/customaudiences/tos.php?act=123")
    );
    let p = classify(&coded(368, None), &account_ctx()).with_links(&base, None);
    assert_eq!(
        p.action_url.as_deref(),
        Some("https://www.facebook.com/accountquality")
    );
    let p = classify(&coded(190, Some(459)), &account_ctx()).with_links(&base, None);
    assert_eq!(p.action_url.as_deref(), Some("https://www.facebook.com/"));
}

#[test]
fn problems_serialize_with_the_documented_ids() {
    let p = classify(&coded(190, Some(463)), &account_ctx());
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["reason"], "token_expired");
    assert_eq!(json["action"], "reauthenticate");
    assert_eq!(json["code"], 190);
    assert_eq!(json["subcode"], 463);
}

#[test]
fn action_keys_are_their_wire_names() {
    for action in Action::ALL {
        assert_eq!(
            serde_json::to_value(action).unwrap(),
            serde_json::Value::from(action.key())
        );
    }
}

#[test]
fn the_table_has_every_case_once_with_words_and_a_fitting_action() {
    use std::collections::BTreeSet;
    let cases: BTreeSet<String> = CASES.iter().map(|m| format!("{:?}", m.case)).collect();
    assert_eq!(cases.len(), CASES.len(), "a case appears twice");
    for m in &CASES {
        assert_eq!(m.case.meaning().case, m.case);
        assert!(m.explanation.ends_with('.'), "{:?}", m.case);
        assert!(m.explanation.len() > 40, "{:?}", m.case);
        // A reason that passes by itself is never asked of the person.
        if m.reason.retries_by_itself() {
            assert!(
                matches!(m.action, Action::Refresh | Action::Wait),
                "{:?}",
                m.case
            );
        } else {
            assert!(!matches!(m.action, Action::Wait), "{:?}", m.case);
        }
        // A dead or revoked token is the whole login's, never one account's.
        if matches!(m.reason, Reason::TokenExpired | Reason::TokenRevoked) {
            assert_eq!(m.scope, ScopeRule::Token, "{:?}", m.case);
        }
    }
}

#[test]
fn every_case_is_reached_by_some_failure() {
    use std::collections::BTreeSet;
    let mut reached = BTreeSet::new();
    let ctx = account_ctx();
    let probed = Context {
        token_ok: Some(true),
        ..account_ctx()
    };
    for code in [
        1, 2, 3, 4, 10, 17, 100, 101, 102, 104, 190, 200, 270, 368, 2635, 960, 999,
    ] {
        for sub in [
            None,
            Some(33),
            Some(458),
            Some(459),
            Some(460),
            Some(463),
            Some(464),
            Some(466),
            Some(467),
            Some(492),
            Some(1_870_034),
            Some(1_404_078),
        ] {
            reached.insert(format!("{:?}", case_of(&coded(code, sub), &ctx)));
            reached.insert(format!("{:?}", case_of(&coded(code, sub), &probed)));
        }
    }
    reached.insert(format!("{:?}", case_of(&api(503, "oops"), &ctx)));
    for kind in [
        FailureKind::Offline,
        FailureKind::Timeout,
        FailureKind::Refused,
    ] {
        let mut error = coded(1, None);
        error.kind = kind;
        reached.insert(format!("{:?}", case_of(&error, &ctx)));
    }
    let all: BTreeSet<String> = CASES.iter().map(|m| format!("{:?}", m.case)).collect();
    let missed: Vec<_> = all.difference(&reached).collect();
    assert!(missed.is_empty(), "never reached: {missed:?}");
}
