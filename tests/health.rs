//! Token health over time: OS notifications only when it changes (healthy to
//! broken, broken to healthy, expiry within 7 days, then 1 day), never once
//! per refresh; a blip is not news; turned off, nothing is sent.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use adkeep_app::views::Present;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use adkeep_app::backend::RefreshStatus;
use adkeep_app::backend::{Backend, Events, TokenWarning};
use adkeep_app::secrets::Vault;
use adkeep_app::store::FileStores;
use adkeep_core::book::TokenInfo;
use adkeep_core::graph::client::Endpoints;
use adkeep_core::logins::LoginId;
use adkeep_core::settings::Mode;
use adkeep_core::token::AccessToken;
use chrono::{Duration, Utc};
use graph_double::world::TokenState;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble, OTHER_USER, Scenario};

#[derive(Default)]
struct Recorder(Mutex<Vec<(String, String)>>, Stops);

/// Each time a refresh-all reports itself stopped: whether one was still
/// running (a window would then join it instead of starting afresh).
#[derive(Default)]
struct Stops {
    backend: OnceLock<Weak<Backend>>,
    still_running: Mutex<Vec<bool>>,
}

impl Events for Recorder {
    fn accounts_changed(&self, _: &[adkeep_core::model::Account]) {}
    fn progress(&self, status: &RefreshStatus) {
        if let Some(backend) = self.1.backend.get().and_then(Weak::upgrade)
            && !status.running
        {
            self.1
                .still_running
                .lock()
                .unwrap()
                .push(backend.refreshing_all());
        }
    }
    fn state_changed(&self) {}
    fn notify(&self, title: &str, body: &str) {
        self.0
            .lock()
            .unwrap()
            .push((title.to_owned(), body.to_owned()));
    }
}

impl Recorder {
    /// The titles sent since the last look.
    fn take(&self) -> Vec<String> {
        self.take_whole()
            .into_iter()
            .map(|(title, _)| title)
            .collect()
    }

    fn take_whole(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

async fn setup() -> (GraphDouble, Arc<Backend>, Arc<Recorder>, tempfile::TempDir) {
    let double = GraphDouble::start(DoubleConfig::generated(4, 1))
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let events = Arc::new(Recorder::default());
    let backend = Backend::open_with(
        Arc::new(FileStores::new(data.path().to_path_buf())),
        Vault::without_keychain(data.path().to_path_buf()),
        events.clone(),
        Some(endpoints),
    )
    .unwrap();
    let _ = events.1.backend.set(Arc::downgrade(&backend));
    let mut settings = backend.settings();
    settings.mode = Mode::Meta;
    backend.save_settings(settings).unwrap();
    let token = double.issue_token();
    give_token(&backend, DEFAULT_USER, &token);
    (double, backend, events, data)
}

/// A login the backend knows, with its token where the backend looks.
fn give_token(backend: &Backend, user: &str, token: &str) -> LoginId {
    let login = LoginId::new(user).unwrap();
    backend.session().book().login_mut(&login);
    backend
        .vault()
        .save_token(&login, &AccessToken::new(token).unwrap(), false);
    login
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_only_when_health_changes() {
    let (double, backend, events, _data) = setup().await;
    backend.refresh_all().await.unwrap();
    assert!(events.take().is_empty(), "starting healthy is not news");

    double.set_scenario(Scenario::TokenExpired);
    for _ in 0..3 {
        backend.refresh_all().await.unwrap();
    }
    assert_eq!(
        events.take(),
        vec!["Adkeep: Your Facebook login expired"],
        "once, not once per refresh"
    );
    assert!(backend.state().opens_problem_page);

    double.set_scenario(Scenario::Healthy);
    backend.refresh_all().await.unwrap();
    backend.refresh_all().await.unwrap();
    assert_eq!(events.take(), vec!["Adkeep is connected again"]);
    assert!(!backend.state().opens_problem_page);

    // A passing outage never looks like a broken login.
    double.set_scenario(Scenario::Transient);
    backend.refresh_all().await.unwrap();
    assert!(events.take().is_empty());
    assert!(
        !backend.state().opens_problem_page,
        "a blip never opens the problem page"
    );
    let state = backend.state();
    assert!(state.accounts.whole().unwrap().iter().all(|a| {
        a.account
            .error
            .as_ref()
            .is_some_and(|e| e.reason == adkeep_core::problem::Reason::Transient)
    }));
    assert!(
        state
            .accounts
            .whole()
            .unwrap()
            .iter()
            .all(|a| a.account.amount_spent.is_some()),
        "rows keep their data"
    );
    double.set_scenario(Scenario::Healthy);
}

#[tokio::test(flavor = "multi_thread")]
async fn expiry_is_warned_at_seven_days_then_one() {
    let (_double, backend, events, _data) = setup().await;
    let jane = LoginId::new(DEFAULT_USER).unwrap();
    let expire_in = |d: Duration| {
        backend.session().book().login_mut(&jane).token = Some(TokenInfo {
            obtained_at: Utc::now(),
            expires_at: Some(Utc::now() + d),
            data_access_expires_at: None,
        })
    };
    expire_in(Duration::days(30));
    backend.refresh_all().await.unwrap();
    assert!(events.take().is_empty());

    expire_in(Duration::days(5) + Duration::hours(1));
    backend.refresh_all().await.unwrap();
    backend.refresh_all().await.unwrap();
    assert_eq!(
        events.take(),
        vec!["Adkeep: your Facebook login expires in 5 days"]
    );
    assert_eq!(token_warning(&backend), TokenWarning::Week);

    expire_in(Duration::hours(20));
    backend.refresh_all().await.unwrap();
    assert_eq!(
        events.take(),
        vec!["Adkeep: your Facebook login expires within a day"]
    );
    assert_eq!(token_warning(&backend), TokenWarning::Day);
    assert!(
        backend
            .overview()
            .status
            .starts_with("Login expires in 0 days"),
        "{}",
        backend.overview().status
    );
}

fn token_warning(backend: &Backend) -> TokenWarning {
    let state = backend.state();
    state.logins[0].token.as_ref().unwrap().warning
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_sent_when_notifications_are_off() {
    let (double, backend, events, _data) = setup().await;
    let mut settings = backend.settings();
    settings.notifications = false;
    backend.save_settings(settings).unwrap();
    backend.refresh_all().await.unwrap();
    double.set_scenario(Scenario::PasswordChanged);
    backend.refresh_all().await.unwrap();
    assert!(events.take().is_empty());
    assert_eq!(
        backend.state().problem.unwrap().reason,
        adkeep_core::problem::Reason::TokenRevoked
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_wide_rate_limit_stops_the_run_and_resumes_by_itself() {
    let (double, backend, _events, _data) = setup().await;
    backend.refresh_all().await.unwrap();
    // Longer than a run waits in place (10 s): the run stops and resumes later.
    double.knobs(|k| k.rate_limit_secs = 12);
    double.set_scenario(Scenario::RateLimited);
    let started = std::time::Instant::now();
    let summary = backend.refresh_all().await.unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "it does not hang in the run"
    );
    let problem = summary.problem.unwrap();
    assert_eq!(problem.reason, adkeep_core::problem::Reason::RateLimited);
    let state = backend.state();
    assert!(
        state.opens_problem_page,
        "the page shows when access returns"
    );
    assert!(state.problem.unwrap().retry_at.is_some());

    // Meta lets go; Adkeep retries on its own.
    double.set_scenario(Scenario::Healthy);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while backend.state().opens_problem_page {
        assert!(std::time::Instant::now() < deadline, "no automatic retry");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        backend
            .state()
            .accounts
            .whole()
            .unwrap()
            .iter()
            .all(|a| a.account.error.is_none())
    );
}

/// An account of the double that is active, with one dataset firing and
/// every term accepted: healthy, so a change to it is the only news.
fn make_healthy(double: &GraphDouble) -> Vec<String> {
    double.world(|w| {
        for a in w.accounts.values_mut() {
            a.account_status = 1;
            a.disable_reason = 0;
            a.tos_accepted = vec![
                "custom_audience_tos".into(),
                "web_custom_audience_tos".into(),
            ];
            for d in &mut a.datasets {
                d.is_unavailable = false;
                d.last_fired_ago_secs = Some(600);
            }
            a.clear_ad_trouble();
        }
        w.accounts.keys().map(|id| format!("act_{id}")).collect()
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_tell_new_blocking_and_warning_reasons_once_and_never_info() {
    let (double, backend, events, _data) = setup().await;
    let ids = make_healthy(&double);
    backend.refresh_all().await.unwrap();
    events.take();

    // One account is disabled (blocking), one dataset goes unavailable
    // (warning), one account loses its terms (info).
    let numeric = |i: usize| ids[i].trim_start_matches("act_").to_owned();
    double.world(|w| {
        let a = w.accounts.get_mut(&numeric(0)).unwrap();
        a.account_status = 2;
        a.disable_reason = 3;
        let b = w.accounts.get_mut(&numeric(1)).unwrap();
        if b.datasets.is_empty() {
            b.datasets.push(graph_double::world::Dataset {
                id: "88".into(),
                name: "Shop pixel".into(),
                last_fired_ago_secs: Some(600),
                is_unavailable: true,
            });
        } else {
            b.datasets[0].is_unavailable = true;
        }
        w.accounts
            .get_mut(&numeric(2))
            .unwrap()
            .tos_accepted
            .clear();
    });
    backend.refresh_all().await.unwrap();
    let sent = events.take_whole();
    assert_eq!(sent.len(), 1, "one notification per refresh: {sent:?}");
    let (title, body) = &sent[0];
    assert_eq!(title, "Adkeep: 1 account blocked · 1 new warning");
    assert!(
        body.contains("Account is disabled (payment risk)"),
        "{body}"
    );
    assert!(body.contains("is unavailable"), "{body}");
    assert!(!body.contains("Terms"), "info is never notified: {body}");

    // Nothing new: nothing sent.
    backend.refresh_all().await.unwrap();
    assert!(events.take().is_empty());

    // Acknowledged, then it changes again: still acknowledged only until then.
    backend.set_aside(&ids[0], "status", None).unwrap();
    backend.refresh_all().await.unwrap();
    assert!(
        events.take().is_empty(),
        "acknowledged reasons never notify"
    );
    double.world(|w| w.accounts.get_mut(&numeric(0)).unwrap().disable_reason = 1);
    backend.refresh_all().await.unwrap();
    let sent = events.take_whole();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.contains("ads integrity policy"), "{sent:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tray_line_counts_by_severity() {
    let (double, backend, _events, _data) = setup().await;
    let ids = make_healthy(&double);
    backend.refresh_all().await.unwrap();
    assert!(
        backend.overview().status.starts_with("Nothing needs you"),
        "{}",
        backend.overview().status
    );
    double.world(|w| {
        let first = w
            .accounts
            .get_mut(ids[0].trim_start_matches("act_"))
            .unwrap();
        first.account_status = 3;
    });
    backend.refresh_all().await.unwrap();
    let overview = backend.overview();
    assert_eq!(overview.level, adkeep_app::views::Level::Attention);
    assert!(
        overview.status.starts_with("1 blocked · refreshed "),
        "{}",
        overview.status
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_two_logins_one_breaking_is_told_by_name_and_the_other_keeps_refreshing() {
    let (double, backend, events, _data) = setup().await;
    // Sam reaches the last three of Jane's accounts, as an analyst.
    let sam_token = double.issue_token_for(OTHER_USER, &graph_double::world::DEFAULT_SCOPES, &[]);
    give_token(&backend, OTHER_USER, &sam_token);
    backend.reset_connection().await;
    backend.refresh_all().await.unwrap();
    assert!(events.take().is_empty(), "starting healthy is not news");
    let overview = backend.overview();
    assert!(
        overview.status.starts_with("2 logins ok"),
        "{}",
        overview.status
    );

    double.set_token_state(OTHER_USER, TokenState::Expired);
    backend.refresh_all().await.unwrap();
    backend.refresh_all().await.unwrap();
    let sent = events.take_whole();
    assert_eq!(sent.len(), 1, "once: {sent:?}");
    assert!(sent[0].1.starts_with("Sam Lee:"), "{sent:?}");
    assert!(
        sent[0].1.contains("other logins keep refreshing"),
        "{sent:?}"
    );
    let state = backend.state();
    assert!(!state.opens_problem_page, "Jane still works");
    let sam = state
        .logins
        .iter()
        .find(|l| l.id.as_str() == OTHER_USER)
        .unwrap();
    assert!(sam.broken && sam.needs_login);
    assert_eq!(
        state.logins[0].id.as_str(),
        OTHER_USER,
        "who needs a login comes first"
    );
    assert!(
        state
            .accounts
            .whole()
            .unwrap()
            .iter()
            .all(|a| a.account.error.is_none()),
        "Jane reaches every account Sam does"
    );
    let overview = backend.overview();
    assert_eq!(overview.level, adkeep_app::views::Level::Attention);
    assert!(
        overview
            .status
            .starts_with("1 login ok, Sam Lee's login expired"),
        "{}",
        overview.status
    );

    // Jane breaks too: now the problem page shows.
    double.set_token_state(DEFAULT_USER, TokenState::PasswordChanged);
    backend.refresh_all().await.unwrap();
    assert!(backend.state().opens_problem_page);
    assert_eq!(backend.overview().level, adkeep_app::views::Level::Problem);
}

#[tokio::test(flavor = "multi_thread")]
async fn money_running_out_is_told_once_per_crossing() {
    let (double, backend, events, _data) = setup().await;
    let ids = make_healthy(&double);
    let numeric = ids[0].trim_start_matches("act_").to_owned();
    // 100.00 a day; the cap 250.00 away: about 2 days.
    double.world(|w| {
        let a = w.accounts.get_mut(&numeric).unwrap();
        a.history = Some(vec![10_000; 30]);
        a.spend_last_30d = 300_000;
        a.spend_cap = a.amount_spent + 25_000;
    });
    backend.refresh_all().await.unwrap();
    events.take();
    // The first listing shows new accounts as new, unnotified; from then on
    // only a crossing is news, not the day count moving.
    double.world(|w| w.accounts.get_mut(&numeric).unwrap().spend_cap -= 1_000);
    backend.refresh_all().await.unwrap();
    assert!(
        events.take().is_empty(),
        "still ~2 days: the same level is not news"
    );

    double.world(|w| w.accounts.get_mut(&numeric).unwrap().spend_cap -= 10_000);
    backend.refresh_all().await.unwrap();
    let sent = events.take_whole();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "Adkeep: 1 account blocked");
    assert!(
        sent[0].1.contains("Spending cap reached in ~1 day"),
        "{sent:?}"
    );
    assert!(
        backend
            .overview()
            .status
            .contains("1 account runs out of money soon"),
        "{}",
        backend.overview().status
    );

    double.world(|w| {
        let a = w.accounts.get_mut(&numeric).unwrap();
        a.spend_cap = a.amount_spent;
    });
    backend.refresh_all().await.unwrap();
    let sent = events.take_whole();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].1.contains("Spending cap reached — ads stopped"),
        "{sent:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refreshing_rows_never_reports_a_refresh_all() {
    let (_double, backend, _events, _data) = setup().await;
    backend.refresh_all().await.unwrap();
    assert!(!backend.state().refresh.running);
    let ids: Vec<String> = backend
        .state()
        .accounts
        .whole()
        .unwrap()
        .iter()
        .map(|a| a.account.id.to_string())
        .collect();
    backend.refresh_account(&ids[0]).await.unwrap();
    let status = backend.state().refresh;
    assert!(
        !status.running,
        "one row's refresh is not a refresh-all: {status:?}"
    );
    backend.refresh_accounts(&ids[1..3], None).await.unwrap();
    assert!(!backend.state().refresh.running, "nor is a selection's");
}

/// The window's Refresh all is enabled again when the last run says it
/// stopped; a click then must start a new run, not join the one ending (which
/// would answer with its old result: a rate limit met by the new run would
/// never show).
#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_all_says_it_stopped_only_once_it_has() {
    let (double, backend, events, _data) = setup().await;
    backend.refresh_all().await.unwrap();
    double.set_scenario(Scenario::RateLimited);
    let summary = backend.refresh_all().await.unwrap();
    assert!(
        summary.problem.is_some(),
        "the second run met the rate limit"
    );
    let stops = events.1.still_running.lock().unwrap().clone();
    assert!(stops.len() >= 2, "{stops:?}");
    assert!(
        stops.iter().all(|running| !running),
        "said stopped while still running: {stops:?}"
    );
}
