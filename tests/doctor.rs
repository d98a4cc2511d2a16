//! `adkeep doctor --json` for every reason Adkeep knows, plus transient and
//! offline, each produced by a Graph-double scenario switched at run time.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use adkeep_app::views::Present;
use graph_double::{DoubleConfig, GraphDouble, Scenario};
use serde_json::Value;

async fn doctor(double: &str, token: &str, data: &std::path::Path) -> (i32, Value) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .args(["doctor", "--json"])
        .env("ADKEEP_GRAPH_URL", double)
        .env("ADKEEP_FACEBOOK_URL", double)
        .env("ADKEEP_ACCESS_TOKEN", token)
        .env("ADKEEP_DATA_DIR", data)
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains(token), "the token is never printed");
    let report = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (out.status.code().unwrap_or(-1), report)
}

/// What `doctor --json` must say for one scenario.
struct Case {
    scenario: Scenario,
    reason: &'static str,
    action: &'static str,
    code: Option<i64>,
    subcode: Option<i64>,
    /// `None`: could not be checked (a passing problem).
    valid: Option<bool>,
}

#[tokio::test(flavor = "multi_thread")]
async fn every_reason_gives_the_right_doctor_output() {
    let double = GraphDouble::start(DoubleConfig::generated(3, 1))
        .await
        .unwrap();
    double.knobs(|k| k.rate_limit_secs = 90);
    let data = tempfile::tempdir().unwrap();
    let cases = [
        Case {
            scenario: Scenario::TokenExpired,
            reason: "token_expired",
            action: "reauthenticate",
            code: Some(190),
            subcode: Some(463),
            valid: Some(false),
        },
        Case {
            scenario: Scenario::PasswordChanged,
            reason: "token_revoked",
            action: "reauthenticate",
            code: Some(190),
            subcode: Some(460),
            valid: Some(false),
        },
        Case {
            scenario: Scenario::LoggedOut,
            reason: "token_revoked",
            action: "reauthenticate",
            code: Some(190),
            subcode: Some(467),
            valid: Some(false),
        },
        Case {
            scenario: Scenario::AppRemoved,
            reason: "token_revoked",
            action: "reauthenticate",
            code: Some(190),
            subcode: Some(458),
            valid: Some(false),
        },
        Case {
            scenario: Scenario::AppDeleted,
            reason: "app_changed",
            action: "reauthenticate",
            code: Some(101),
            subcode: None,
            valid: Some(false),
        },
        Case {
            scenario: Scenario::VersionRetired,
            reason: "app_changed",
            action: "refresh",
            code: Some(2635),
            subcode: None,
            valid: Some(false),
        },
        Case {
            scenario: Scenario::Checkpoint,
            reason: "security_checkpoint",
            action: "open_facebook",
            code: Some(190),
            subcode: Some(459),
            valid: Some(false),
        },
        Case {
            scenario: Scenario::PermissionsDeclined,
            reason: "permissions_changed",
            action: "reauthenticate",
            code: None,
            subcode: None,
            valid: Some(true),
        },
        Case {
            scenario: Scenario::PolicyBlocked,
            reason: "policy_violation",
            action: "open_account_quality",
            code: Some(368),
            subcode: Some(1404078),
            valid: Some(false),
        },
        Case {
            scenario: Scenario::RateLimited,
            reason: "rate_limited",
            action: "wait",
            code: Some(17),
            subcode: Some(2446079),
            valid: None,
        },
        Case {
            scenario: Scenario::Transient,
            reason: "transient",
            action: "refresh",
            code: Some(2),
            subcode: None,
            valid: None,
        },
    ];
    let expected = cases.len();
    let mut checked = 0;
    for Case {
        scenario,
        reason,
        action,
        code,
        subcode,
        valid,
    } in cases
    {
        // Each case starts from a healthy token.
        double.set_scenario(Scenario::Healthy);
        let token = double.issue_token();
        double.set_scenario(scenario);
        let (status, report) = doctor(&double.url(), &token, data.path()).await;
        let problem = &report["problem"];
        assert_ne!(status, 0, "{scenario:?} exits non-zero");
        assert_eq!(problem["reason"], reason, "{scenario:?}: {report}");
        assert_eq!(problem["action"], action, "{scenario:?}");
        assert_eq!(problem["code"].as_i64(), code, "{scenario:?}");
        assert_eq!(problem["subcode"].as_i64(), subcode, "{scenario:?}");
        assert_eq!(report["token"]["valid"].as_bool(), valid, "{scenario:?}");
        if reason == "rate_limited" {
            let retry: chrono::DateTime<chrono::Utc> =
                problem["retry_at"].as_str().unwrap().parse().unwrap();
            let wait = (retry - chrono::Utc::now()).num_seconds();
            assert!(
                (60..=95).contains(&wait),
                "retry_at comes from the usage headers: {wait}s"
            );
        }
        if code.is_some() {
            assert!(problem["fbtrace_id"].is_string(), "{scenario:?}");
        }
        checked += 1;
    }
    assert_eq!((checked, expected), (11, 11), "every reason was checked");

    // Healthy again: no problem, exit 0, scopes listed.
    double.set_scenario(Scenario::Healthy);
    let token = double.issue_token();
    let (status, report) = doctor(&double.url(), &token, data.path()).await;
    assert_eq!(status, 0, "{report}");
    assert!(report["problem"].is_null());
    assert_eq!(report["token"]["valid"], true);
    assert!(
        report["token"]["expires_at"].is_null(),
        "without a login or app secret the expiry is unknown"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_is_not_a_broken_token() {
    let double = GraphDouble::start(DoubleConfig::generated(2, 1))
        .await
        .unwrap();
    let token = double.issue_token();
    let data = tempfile::tempdir().unwrap();
    double.set_offline(true).await.unwrap();
    let (status, report) = doctor(&double.url(), &token, data.path()).await;
    assert_ne!(status, 0);
    assert_eq!(report["problem"]["reason"], "offline");
    assert_eq!(report["problem"]["action"], "refresh");
    assert!(report["token"]["valid"].is_null(), "unknown, not invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_an_app_secret_doctor_asks_meta_when_the_token_expires() {
    use adkeep_app::backend::{Backend, NoEvents};
    use adkeep_core::graph::client::Endpoints;
    use std::sync::Arc;

    let double = GraphDouble::start(DoubleConfig::generated(2, 1))
        .await
        .unwrap();
    let raw = double.issue_token();
    let expires = double.world(|w| w.tokens[&raw].expires_at);
    let data = tempfile::tempdir().unwrap();
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let backend = Backend::open_with(
        Arc::new(adkeep_app::store::FileStores::new(
            data.path().to_path_buf(),
        )),
        adkeep_app::secrets::Vault::without_keychain(data.path().to_path_buf()),
        Arc::new(NoEvents),
        Some(endpoints),
    )
    .unwrap();
    let mut settings = backend.settings();
    settings.mode = adkeep_core::settings::Mode::Meta;
    settings.app_id = graph_double::DEFAULT_APP.to_owned();
    backend.save_settings(settings).unwrap();
    let jane = adkeep_core::logins::LoginId::new(graph_double::DEFAULT_USER).unwrap();
    backend.session().book().login_mut(&jane);
    backend.vault().save_token(
        &jane,
        &adkeep_core::token::AccessToken::new(raw).unwrap(),
        false,
    );

    // Without the secret Adkeep cannot know the expiry…
    let report = adkeep_app::cli::doctor::run(&backend, None).await;
    assert_eq!(report.token.valid, Some(true));
    assert_eq!(report.token.expires_at, None);

    // …with it, Meta tells (debug_token), and the header can count the days.
    backend
        .set_app_secret(graph_double::APP_SECRET.to_owned())
        .await
        .unwrap();
    let report = adkeep_app::cli::doctor::run(&backend, None).await;
    let learned = report
        .token
        .expires_at
        .expect("the expiry from debug_token");
    assert!(
        (learned - expires).num_seconds().abs() <= 1,
        "{learned} vs {expires}"
    );
    let state = backend.state();
    assert_eq!(state.logins.len(), 1);
    let token = state.logins[0].token.as_ref().unwrap();
    assert!(token.days_left.unwrap() >= 59);
}
