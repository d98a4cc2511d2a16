//! The double's mutable state and its knobs.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::limits::{LimitConfig, Limits};
use crate::world::{DataConfig, TokenState, World};

/// What can go wrong, on purpose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status and Graph error body (and headers, e.g. usage).
    Error {
        status: u16,
        body: Value,
        #[serde(default)]
        headers: Vec<(String, String)>,
    },
    /// 502 with an HTML page.
    ServerError,
    /// Hold the response this long first.
    Delay { secs: f64 },
    /// A success status with the body cut in half.
    Truncated,
    /// Drop the connection in the middle of the body.
    Reset,
    /// Inside a batch: the item comes back `null` (not executed).
    BatchNull,
}

/// A fault and where it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// Applies when the request path contains this (`adaccounts`, `/insights`…).
    #[serde(default)]
    pub path_contains: Option<String>,
    /// Applies to requests about this ad account (numeric or `act_` id).
    #[serde(default)]
    pub account: Option<String>,
    pub kind: FaultKind,
    /// Chance per matching request (seeded, so runs repeat).
    #[serde(default = "always")]
    pub probability: f64,
    /// Apply this many times, then stop (`None`: until removed).
    #[serde(default)]
    pub remaining: Option<u32>,
}

fn always() -> f64 {
    1.0
}

impl Fault {
    pub fn error(status: u16, body: Value) -> Self {
        Self {
            path_contains: None,
            account: None,
            kind: FaultKind::Error {
                status,
                body,
                headers: Vec::new(),
            },
            probability: 1.0,
            remaining: None,
        }
    }

    pub fn on_account(mut self, account: &str) -> Self {
        self.account = Some(account.trim_start_matches("act_").to_owned());
        self
    }

    pub fn on_path(mut self, fragment: &str) -> Self {
        self.path_contains = Some(fragment.to_owned());
        self
    }

    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }

    pub fn with_probability(mut self, p: f64) -> Self {
        self.probability = p;
        self
    }

    pub fn kind(kind: FaultKind) -> Self {
        Self {
            path_contains: None,
            account: None,
            kind,
            probability: 1.0,
            remaining: None,
        }
    }
}

/// Whole situations, one per reason Adkeep knows, switchable at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    Healthy,
    TokenExpired,
    PasswordChanged,
    LoggedOut,
    AppRemoved,
    Checkpoint,
    Unconfirmed,
    AppDeleted,
    VersionRetired,
    PermissionsDeclined,
    TosNotAccepted,
    PolicyBlocked,
    RateLimited,
    AppRateLimited,
    Transient,
    Offline,
}

impl Scenario {
    pub const ALL: [Scenario; 16] = [
        Self::Healthy,
        Self::TokenExpired,
        Self::PasswordChanged,
        Self::LoggedOut,
        Self::AppRemoved,
        Self::Checkpoint,
        Self::Unconfirmed,
        Self::AppDeleted,
        Self::VersionRetired,
        Self::PermissionsDeclined,
        Self::TosNotAccepted,
        Self::PolicyBlocked,
        Self::RateLimited,
        Self::AppRateLimited,
        Self::Transient,
        Self::Offline,
    ];
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Added to every HTTP response (a round trip).
    pub latency_ms: u64,
    /// "Now" for generated times and spend (makes money stable in tests).
    /// Insights' calendar days still follow the real clock, as the client's do.
    pub frozen_now: Option<DateTime<Utc>>,
    /// Serve some short and some empty pages that still have `next`.
    pub ragged_pages: bool,
    /// `limit` × (1 + nested edges) above this → code 1 "reduce the amount of data".
    pub max_page_weight: usize,
    pub default_limit: usize,
    pub limits: LimitConfig,
    pub faults: Vec<Fault>,
    /// Versions below this answer 2635 (a retired Marketing API version).
    pub min_version: u32,
    pub scenario: Scenario,
    /// Seconds a token issued at login lives.
    pub token_lifetime_secs: i64,
    /// The app ID the dialog and the token endpoint accept (default: the double's).
    pub app_id: String,
    /// Scopes the user declines in the dialog.
    pub decline_scopes: Vec<String>,
    /// Shown on the login form (the sandbox prints its sample login here).
    pub login_hint: String,
    /// Seconds until access returns in the `rate_limited` scenario.
    pub rate_limit_secs: u64,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            frozen_now: None,
            ragged_pages: false,
            max_page_weight: 600,
            default_limit: 25,
            limits: LimitConfig::default(),
            faults: Vec::new(),
            min_version: 0,
            scenario: Scenario::Healthy,
            token_lifetime_secs: 60 * 86_400,
            app_id: String::new(),
            decline_scopes: Vec::new(),
            login_hint: String::new(),
            rate_limit_secs: 120,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize, Clone)]
pub struct StatsSnapshot {
    pub http_requests: u64,
    pub batch_requests: u64,
    pub batch_items: u64,
    pub graph_calls: u64,
    pub rate_limit_errors: u64,
    pub faults_injected: u64,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub http_requests: AtomicU64,
    pub batch_requests: AtomicU64,
    pub batch_items: AtomicU64,
    pub graph_calls: AtomicU64,
    pub rate_limit_errors: AtomicU64,
    pub faults_injected: AtomicU64,
    /// When the first request since the last reset arrived, and when the
    /// last answer went out (for timing a client from the outside).
    pub timeline: Mutex<Timeline>,
    /// Each request since the last reset, in the order they arrived (the
    /// first `TRACE_CAP`), for benches that show where a client's time went.
    pub trace: Mutex<Vec<Traced>>,
}

/// The most requests a trace keeps.
pub const TRACE_CAP: usize = 100_000;

/// One request: what it asked (path, or `batch` with its items), when it
/// arrived and when its answer went out.
#[derive(Debug, Clone)]
pub struct Traced {
    pub what: String,
    pub arrived: std::time::Instant,
    pub answered: Option<std::time::Instant>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Timeline {
    pub first_request: Option<std::time::Instant>,
    pub last_answer: Option<std::time::Instant>,
}

impl Stats {
    /// A request arrived; returns its place in the trace. Only a double
    /// driven by tests keeps a trace (`what` is not even named otherwise):
    /// the app's sandbox runs for hours.
    pub fn arrived(&self, what: impl FnOnce() -> String) -> Option<usize> {
        let now = std::time::Instant::now();
        self.timeline
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .first_request
            .get_or_insert(now);
        if !cfg!(feature = "test-kit") {
            return None;
        }
        let what = what();
        let mut trace = self.trace.lock().unwrap_or_else(|p| p.into_inner());
        (trace.len() < TRACE_CAP).then(|| {
            trace.push(Traced {
                what,
                arrived: now,
                answered: None,
            });
            trace.len() - 1
        })
    }

    pub fn answered(&self, place: Option<usize>) {
        let now = std::time::Instant::now();
        self.timeline
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .last_answer = Some(now);
        if let Some(place) = place
            && let Some(traced) = self
                .trace
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_mut(place)
        {
            traced.answered = Some(now);
        }
    }

    pub fn trace(&self) -> Vec<Traced> {
        self.trace.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn timeline(&self) -> Timeline {
        *self.timeline.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            http_requests: self.http_requests.load(Ordering::Relaxed),
            batch_requests: self.batch_requests.load(Ordering::Relaxed),
            batch_items: self.batch_items.load(Ordering::Relaxed),
            graph_calls: self.graph_calls.load(Ordering::Relaxed),
            rate_limit_errors: self.rate_limit_errors.load(Ordering::Relaxed),
            faults_injected: self.faults_injected.load(Ordering::Relaxed),
        }
    }

    pub fn reset(&self) {
        for counter in [
            &self.http_requests,
            &self.batch_requests,
            &self.batch_items,
            &self.graph_calls,
            &self.rate_limit_errors,
            &self.faults_injected,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
        *self.timeline.lock().unwrap_or_else(|p| p.into_inner()) = Timeline::default();
        self.trace.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

pub struct Shared {
    pub world: Mutex<World>,
    pub knobs: Mutex<Knobs>,
    pub limits: Mutex<Limits>,
    pub rng: Mutex<ChaCha8Rng>,
    pub stats: Stats,
    pub data: DataConfig,
}

impl Shared {
    pub fn new(data: DataConfig, knobs: Knobs) -> Self {
        Self {
            world: Mutex::new(World::generate(&data)),
            knobs: Mutex::new(knobs),
            limits: Mutex::new(Limits::new()),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(data.seed ^ 0xFA17)),
            stats: Stats::default(),
            data,
        }
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn knobs(&self) -> std::sync::MutexGuard<'_, Knobs> {
        self.knobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.knobs().frozen_now.unwrap_or_else(Utc::now)
    }

    /// The first fault matching this request, consuming one use of it.
    pub fn take_fault(
        &self,
        path: &str,
        account: Option<&str>,
        in_batch: bool,
    ) -> Option<FaultKind> {
        let mut knobs = self.knobs();
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let mut chosen = None;
        for fault in knobs.faults.iter_mut() {
            if fault.remaining == Some(0) {
                continue;
            }
            let targeted = fault.account.is_some() || fault.path_contains.is_some();
            // Untargeted faults hit whole HTTP requests, not each batch item.
            if in_batch && !targeted {
                continue;
            }
            if matches!(fault.kind, FaultKind::BatchNull) && !in_batch {
                continue;
            }
            if fault
                .account
                .as_deref()
                .is_some_and(|want| account != Some(want))
            {
                continue;
            }
            if fault
                .path_contains
                .as_deref()
                .is_some_and(|fragment| !path.contains(fragment))
            {
                continue;
            }
            if fault.probability < 1.0 && !rng.random_bool(fault.probability.clamp(0.0, 1.0)) {
                continue;
            }
            if let Some(n) = fault.remaining.as_mut() {
                *n -= 1;
            }
            chosen = Some(fault.kind.clone());
            break;
        }
        knobs.faults.retain(|f| f.remaining != Some(0));
        if chosen.is_some() {
            self.stats.faults_injected.fetch_add(1, Ordering::Relaxed);
        }
        chosen
    }

    /// Puts the world into a scenario (replacing the previous one).
    pub fn apply_scenario(&self, scenario: Scenario) {
        let state = match scenario {
            Scenario::TokenExpired => TokenState::Expired,
            Scenario::PasswordChanged => TokenState::PasswordChanged,
            Scenario::LoggedOut => TokenState::LoggedOut,
            Scenario::AppRemoved => TokenState::AppRemoved,
            Scenario::Checkpoint => TokenState::Checkpoint,
            Scenario::Unconfirmed => TokenState::Unconfirmed,
            _ => TokenState::Valid,
        };
        {
            let mut world = self.world();
            for token in world.tokens.values_mut() {
                token.state = state;
                if scenario == Scenario::PermissionsDeclined {
                    for scope in ["ads_read", "ads_management"] {
                        token.granted.retain(|g| g != scope);
                        if !token.declined.iter().any(|d| d == scope) {
                            token.declined.push(scope.to_owned());
                        }
                    }
                } else if scenario == Scenario::Healthy {
                    for scope in ["ads_read", "ads_management", "business_management"] {
                        token.declined.retain(|d| d != scope);
                        if !token.granted.iter().any(|g| g == scope) {
                            token.granted.push(scope.to_owned());
                        }
                    }
                    if token.expires_at < Utc::now() {
                        token.expires_at = Utc::now() + Duration::days(60);
                    }
                }
            }
        }
        let mut knobs = self.knobs();
        knobs.scenario = scenario;
        knobs.min_version = if scenario == Scenario::VersionRetired {
            99
        } else {
            0
        };
        self.limits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .reset();
    }

    /// The error a scenario answers every Graph call with, if any.
    pub fn scenario_error(&self, path: &str) -> Option<crate::graph::Resp> {
        let scenario = self.knobs().scenario;
        let trace = crate::trace_id();
        let resp = |status: u16, error: Value, headers: Vec<(String, String)>| crate::graph::Resp {
            status,
            body: json!({ "error": error }),
            headers,
        };
        match scenario {
            Scenario::AppDeleted => Some(resp(
                400,
                json!({"message": "Error validating application. Application has been deleted.", "type": "OAuthException", "code": 101, "fbtrace_id": trace}),
                vec![],
            )),
            Scenario::PolicyBlocked => Some(resp(
                400,
                json!({"message": "The action attempted has been deemed abusive or is otherwise disallowed", "type": "OAuthException", "code": 368, "error_subcode": 1404078, "fbtrace_id": trace}),
                vec![],
            )),
            Scenario::AppRateLimited => Some(resp(
                400,
                json!({"message": "(#4) Application request limit reached", "type": "OAuthException", "is_transient": true, "code": 4, "fbtrace_id": trace}),
                vec![(
                    "x-app-usage".to_owned(),
                    json!({"call_count": 100, "total_time": 41, "total_cputime": 38}).to_string(),
                )],
            )),
            Scenario::RateLimited => {
                let secs = self.knobs().rate_limit_secs;
                Some(resp(
                    400,
                    json!({"message": "(#17) User request limit reached", "type": "OAuthException", "is_transient": true, "code": 17, "error_subcode": 2446079, "fbtrace_id": trace}),
                    vec![
                        (
                            "x-business-use-case-usage".to_owned(),
                            json!({"0": [{"type": "ads_management", "call_count": 100, "total_cputime": 12, "total_time": 20, "estimated_time_to_regain_access": secs / 60, "ads_api_access_tier": "standard_access"}]}).to_string(),
                        ),
                        (
                            "x-ad-account-usage".to_owned(),
                            json!({"acc_id_util_pct": 100, "reset_time_duration": secs, "ads_api_access_tier": "standard_access"}).to_string(),
                        ),
                    ],
                ))
            }
            Scenario::Transient => Some(resp(
                503,
                json!({"message": "(#2) Service temporarily unavailable", "type": "OAuthException", "is_transient": true, "code": 2, "fbtrace_id": trace}),
                vec![],
            )),
            Scenario::TosNotAccepted if path.contains("act_") => Some(resp(
                400,
                json!({"message": "Custom Audience Terms Not Accepted", "type": "OAuthException", "code": 200, "error_subcode": 1870034, "fbtrace_id": trace}),
                vec![],
            )),
            _ => None,
        }
    }
}
