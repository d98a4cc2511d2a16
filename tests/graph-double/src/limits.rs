//! Rate limits as graph-api.md §7 describes them: an app-wide quota over a
//! rolling window (`X-App-Usage`) and a per-ad-account score that decays
//! (`X-Ad-Account-Usage`, `X-Business-Use-Case-Usage`). When a limit trips the
//! double answers with Meta's error (4, or 80000/80004 with subcode 2446079)
//! and says when access returns.

use std::collections::HashMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LimitConfig {
    pub enforce: bool,
    /// Calls the app may make per window.
    pub app_quota: f64,
    pub window_secs: f64,
    /// The most points an ad account may hold (Full access: 9000, Limited: 60).
    pub account_max_score: f64,
    /// Seconds for a full score to decay to zero.
    pub account_decay_secs: f64,
    /// Seconds an account stays blocked after tripping.
    pub account_block_secs: f64,
}

impl Default for LimitConfig {
    fn default() -> Self {
        Self {
            enforce: true,
            app_quota: 200_000.0,
            window_secs: 3_600.0,
            account_max_score: 9_000.0,
            account_decay_secs: 300.0,
            account_block_secs: 60.0,
        }
    }
}

#[derive(Debug)]
struct Decaying {
    value: f64,
    at: Instant,
}

impl Decaying {
    fn new(now: Instant) -> Self {
        Self {
            value: 0.0,
            at: now,
        }
    }

    fn current(&mut self, now: Instant, per_sec: f64) -> f64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.value = (self.value - elapsed * per_sec).max(0.0);
        self.at = now;
        self.value
    }
}

#[derive(Debug)]
struct AccountScore {
    score: Decaying,
    blocked_until: Option<Instant>,
}

#[derive(Debug)]
pub struct Limits {
    app: Decaying,
    app_blocked_until: Option<Instant>,
    accounts: HashMap<String, AccountScore>,
}

/// What the double reports (and maybe refuses) for one call.
#[derive(Debug, Default)]
pub struct Charge {
    pub headers: Vec<(String, String)>,
    /// The error body and HTTP status when a limit tripped.
    pub refused: Option<(u16, serde_json::Value)>,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

impl Limits {
    pub fn new() -> Self {
        let now = Instant::now();
        Self {
            app: Decaying::new(now),
            app_blocked_until: None,
            accounts: HashMap::new(),
        }
    }

    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Charges one call: app-wide, plus `account` (numeric id) if the call is
    /// about one ad account. `use_case` is `ads_management` or `ads_insights`.
    pub fn charge(
        &mut self,
        config: &LimitConfig,
        account: Option<&str>,
        use_case: &str,
    ) -> Charge {
        let now = Instant::now();
        let mut charge = Charge::default();
        let app_rate = config.app_quota / config.window_secs.max(1.0);
        let app_used = self.app.current(now, app_rate);
        let app_blocked = self.app_blocked_until.is_some_and(|t| t > now);
        if config.enforce && (app_blocked || app_used + 1.0 > config.app_quota) {
            if !app_blocked {
                self.app_blocked_until =
                    Some(now + std::time::Duration::from_secs_f64(config.window_secs / 10.0));
            }
            charge.headers.push(app_header(100.0));
            charge.refused = Some((
                400,
                json!({"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "is_transient": true, "code": 4, "fbtrace_id": crate::trace_id()}}),
            ));
            return charge;
        }
        self.app.value = app_used + 1.0;
        charge
            .headers
            .push(app_header(pct(self.app.value, config.app_quota)));

        let Some(account) = account else {
            return charge;
        };
        let decay = config.account_max_score / config.account_decay_secs.max(1.0);
        let entry = self
            .accounts
            .entry(account.to_owned())
            .or_insert_with(|| AccountScore {
                score: Decaying::new(now),
                blocked_until: None,
            });
        let score = entry.score.current(now, decay);
        let blocked_for = entry
            .blocked_until
            .filter(|t| *t > now)
            .map(|t| t.duration_since(now).as_secs_f64());
        let trips =
            config.enforce && (blocked_for.is_some() || score + 1.0 > config.account_max_score);
        if trips {
            let block = blocked_for.unwrap_or(config.account_block_secs);
            if blocked_for.is_none() {
                entry.blocked_until =
                    Some(now + std::time::Duration::from_secs_f64(config.account_block_secs));
            }
            let minutes = (block / 60.0).ceil().max(1.0);
            charge
                .headers
                .push(buc_header(account, use_case, 100.0, minutes));
            charge.headers.push(account_header(100.0, block));
            let code = if use_case == "ads_insights" {
                80000
            } else {
                80004
            };
            let message = if code == 80000 {
                "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
            } else {
                "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
            };
            charge.refused = Some((
                400,
                json!({"error": {"message": message, "type": "OAuthException", "code": code, "error_subcode": 2446079, "fbtrace_id": crate::trace_id()}}),
            ));
            return charge;
        }
        entry.score.value = score + 1.0;
        let used = pct(entry.score.value, config.account_max_score);
        let reset = entry.score.value / decay.max(f64::MIN_POSITIVE);
        charge
            .headers
            .push(buc_header(account, use_case, used, 0.0));
        charge.headers.push(account_header(used, reset));
        charge
    }
}

fn pct(used: f64, quota: f64) -> f64 {
    ((used / quota.max(1.0)) * 100.0).min(100.0)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn app_header(pct: f64) -> (String, String) {
    let p = pct.round() as i64;
    (
        "x-app-usage".to_owned(),
        json!({"call_count": p, "total_time": p, "total_cputime": p}).to_string(),
    )
}

fn buc_header(account: &str, use_case: &str, pct: f64, minutes: f64) -> (String, String) {
    let p = pct.round() as i64;
    (
        "x-business-use-case-usage".to_owned(),
        json!({account: [{"type": use_case, "call_count": p, "total_cputime": p, "total_time": p, "estimated_time_to_regain_access": minutes as i64, "ads_api_access_tier": "standard_access"}]}).to_string(),
    )
}

fn account_header(pct: f64, reset_secs: f64) -> (String, String) {
    (
        "x-ad-account-usage".to_owned(),
        json!({"acc_id_util_pct": round2(pct), "reset_time_duration": reset_secs.ceil() as i64, "ads_api_access_tier": "standard_access"}).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_trips_after_its_score_and_says_when_it_returns() {
        let config = LimitConfig {
            account_max_score: 3.0,
            account_decay_secs: 3_000.0,
            ..LimitConfig::default()
        };
        let mut limits = Limits::new();
        for _ in 0..3 {
            assert!(
                limits
                    .charge(&config, Some("1"), "ads_management")
                    .refused
                    .is_none()
            );
        }
        let charge = limits.charge(&config, Some("1"), "ads_management");
        let (status, body) = charge.refused.unwrap();
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], 80004);
        assert_eq!(body["error"]["error_subcode"], 2446079);
        let buc = &charge
            .headers
            .iter()
            .find(|(n, _)| n == "x-business-use-case-usage")
            .unwrap()
            .1;
        assert!(
            buc.contains("\"estimated_time_to_regain_access\":1"),
            "{buc}"
        );
        // Other accounts are unaffected.
        assert!(
            limits
                .charge(&config, Some("2"), "ads_insights")
                .refused
                .is_none()
        );
    }

    #[test]
    fn the_app_quota_trips_with_code_4() {
        let config = LimitConfig {
            app_quota: 2.0,
            ..LimitConfig::default()
        };
        let mut limits = Limits::new();
        assert!(
            limits
                .charge(&config, None, "ads_management")
                .refused
                .is_none()
        );
        assert!(
            limits
                .charge(&config, None, "ads_management")
                .refused
                .is_none()
        );
        let (_, body) = limits
            .charge(&config, None, "ads_management")
            .refused
            .unwrap();
        assert_eq!(body["error"]["code"], 4);
    }

    #[test]
    fn nothing_trips_when_not_enforced() {
        let config = LimitConfig {
            enforce: false,
            app_quota: 1.0,
            account_max_score: 1.0,
            ..LimitConfig::default()
        };
        let mut limits = Limits::new();
        for _ in 0..10 {
            assert!(
                limits
                    .charge(&config, Some("1"), "ads_management")
                    .refused
                    .is_none()
            );
        }
    }
}
