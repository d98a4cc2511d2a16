//! Meta's usage headers (`X-App-Usage`, `X-Ad-Account-Usage`,
//! `X-Business-Use-Case-Usage`, `X-FB-Ads-Insights-Throttle`). Each is JSON in a
//! header; numbers are percents of a quota. Parsing is defensive: a missing or
//! malformed header is simply absent.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

pub const APP_USAGE: &str = "x-app-usage";
pub const AD_ACCOUNT_USAGE: &str = "x-ad-account-usage";
pub const BUSINESS_USAGE: &str = "x-business-use-case-usage";
pub const INSIGHTS_THROTTLE: &str = "x-fb-ads-insights-throttle";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppUsage {
    pub call_count: f64,
    pub total_time: f64,
    pub total_cputime: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdAccountUsage {
    pub acc_id_util_pct: f64,
    /// Seconds until the account's score resets.
    pub reset_time_duration: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BusinessUsage {
    /// The business object id (for ad-account calls, the account's number).
    pub object_id: String,
    pub use_case: String,
    pub call_count: f64,
    pub total_time: f64,
    pub total_cputime: f64,
    /// Minutes until access returns (0 unless throttled).
    pub estimated_time_to_regain_access: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub app: Option<AppUsage>,
    pub ad_account: Option<AdAccountUsage>,
    pub business: Vec<BusinessUsage>,
    pub insights_app_pct: Option<f64>,
    pub insights_account_pct: Option<f64>,
}

impl Usage {
    /// Reads the usage headers from `(name, value)` pairs (any case).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut usage = Usage::default();
        for (name, value) in pairs {
            let name = name.to_ascii_lowercase();
            let Ok(json) = serde_json::from_str::<Value>(value) else {
                continue;
            };
            match name.as_str() {
                APP_USAGE => {
                    usage.app = Some(AppUsage {
                        call_count: num(&json, "call_count", PCT_CAP),
                        total_time: num(&json, "total_time", PCT_CAP),
                        total_cputime: num(&json, "total_cputime", PCT_CAP),
                    })
                }
                AD_ACCOUNT_USAGE => {
                    usage.ad_account = Some(AdAccountUsage {
                        acc_id_util_pct: num(&json, "acc_id_util_pct", PCT_CAP),
                        reset_time_duration: num(&json, "reset_time_duration", SECONDS_CAP),
                    })
                }
                BUSINESS_USAGE => {
                    let Some(map) = json.as_object() else {
                        continue;
                    };
                    for (object_id, entries) in map {
                        for entry in entries.as_array().into_iter().flatten() {
                            usage.business.push(BusinessUsage {
                                object_id: object_id.clone(),
                                use_case: entry
                                    .get("type")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_owned(),
                                call_count: num(entry, "call_count", PCT_CAP),
                                total_time: num(entry, "total_time", PCT_CAP),
                                total_cputime: num(entry, "total_cputime", PCT_CAP),
                                estimated_time_to_regain_access: num(
                                    entry,
                                    "estimated_time_to_regain_access",
                                    MINUTES_CAP,
                                ),
                            });
                        }
                    }
                }
                INSIGHTS_THROTTLE => {
                    usage.insights_app_pct = Some(num(&json, "app_id_util_pct", PCT_CAP));
                    usage.insights_account_pct = Some(num(&json, "acc_id_util_pct", PCT_CAP));
                }
                _ => {}
            }
        }
        usage
    }

    pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Self {
        Self::from_pairs(
            headers
                .iter()
                .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))),
        )
    }

    /// Reads the `headers` array of a batch item: `[{"name":…,"value":…}]`.
    pub fn from_batch_headers(headers: &Value) -> Self {
        let pairs: Vec<(&str, &str)> = headers
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| Some((h.get("name")?.as_str()?, h.get("value")?.as_str()?)))
            .collect();
        Self::from_pairs(pairs)
    }

    pub fn is_empty(&self) -> bool {
        self.app.is_none()
            && self.ad_account.is_none()
            && self.business.is_empty()
            && self.insights_app_pct.is_none()
    }

    /// The highest percent of any quota these headers report.
    pub fn max_pct(&self) -> f64 {
        let mut max: f64 = 0.0;
        if let Some(app) = &self.app {
            max = max
                .max(app.call_count)
                .max(app.total_time)
                .max(app.total_cputime);
        }
        if let Some(acc) = &self.ad_account {
            max = max.max(acc.acc_id_util_pct);
        }
        for b in &self.business {
            max = max.max(b.call_count).max(b.total_time).max(b.total_cputime);
        }
        if let Some(p) = self.insights_app_pct {
            max = max.max(p);
        }
        if let Some(p) = self.insights_account_pct {
            max = max.max(p);
        }
        max
    }

    /// How long Meta says to wait before access returns, if it says.
    pub fn regain_access_after(&self) -> Option<Duration> {
        let minutes = self
            .business
            .iter()
            .map(|b| b.estimated_time_to_regain_access)
            .fold(0.0_f64, f64::max);
        let seconds_from_buc = minutes * 60.0;
        let seconds_from_account = self
            .ad_account
            .as_ref()
            .filter(|a| a.acc_id_util_pct >= 100.0)
            .map_or(0.0, |a| a.reset_time_duration);
        let secs = seconds_from_buc.max(seconds_from_account);
        (secs > 0.0).then(|| seconds(secs))
    }

    /// When the ad account's own score resets, if the headers say.
    pub fn account_reset_after(&self) -> Option<Duration> {
        self.ad_account
            .as_ref()
            .map(|a| seconds(a.reset_time_duration))
            .filter(|d| !d.is_zero())
    }
}

/// The longest wait any header may ask for; a hint beyond it is this.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// A percent or a time from a header: only finite, non-negative numbers
/// count (NaN, infinities, negatives and text are ignored), and anything
/// beyond `cap` is `cap`.
fn num(value: &Value, key: &str, cap: f64) -> f64 {
    let raw = match value.get(key) {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match raw {
        Some(x) if x.is_finite() && x > 0.0 => x.min(cap),
        _ => 0.0,
    }
}

/// Percents past this are no more informative (100 is the limit).
const PCT_CAP: f64 = 1000.0;
/// Minutes: a day.
const MINUTES_CAP: f64 = 24.0 * 60.0;
/// Seconds: a day.
const SECONDS_CAP: f64 = 24.0 * 60.0 * 60.0;

fn seconds(secs: f64) -> Duration {
    // `num` already made this finite, non-negative and at most a day.
    Duration::from_secs_f64(secs.clamp(0.0, SECONDS_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_samples() {
        let usage = Usage::from_pairs([
            (
                "X-App-Usage",
                r#"{"call_count":28,"total_time":25,"total_cputime":25}"#,
            ),
            (
                "X-Ad-Account-Usage",
                r#"{"acc_id_util_pct":9.67,"reset_time_duration":100,"ads_api_access_tier":"standard_access"}"#,
            ),
            (
                "X-Business-Use-Case-Usage",
                r#"{"1234":[{"type":"ads_management","call_count":95,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":3,"ads_api_access_tier":"development_access"}]}"#,
            ),
            (
                "X-FB-Ads-Insights-Throttle",
                r#"{"app_id_util_pct":0,"acc_id_util_pct":12,"ads_api_access_tier":"standard_access"}"#,
            ),
        ]);
        assert_eq!(usage.app.as_ref().unwrap().call_count, 28.0);
        assert_eq!(usage.ad_account.as_ref().unwrap().acc_id_util_pct, 9.67);
        assert_eq!(usage.business[0].object_id, "1234");
        assert_eq!(usage.business[0].use_case, "ads_management");
        assert_eq!(usage.max_pct(), 95.0);
        assert_eq!(usage.regain_access_after(), Some(Duration::from_secs(180)));
        assert_eq!(usage.insights_account_pct, Some(12.0));
    }

    #[test]
    fn malformed_headers_are_ignored() {
        let usage = Usage::from_pairs([
            ("x-app-usage", "{not json"),
            ("x-business-use-case-usage", "[]"),
        ]);
        assert!(usage.is_empty());
        assert_eq!(usage.regain_access_after(), None);
    }

    #[test]
    fn batch_item_headers_are_read() {
        let headers: Value = serde_json::json!([
            {"name": "Content-Type", "value": "text/javascript; charset=UTF-8"},
            {"name": "X-App-Usage", "value": "{\"call_count\":91,\"total_time\":1,\"total_cputime\":1}"}
        ]);
        assert_eq!(Usage::from_batch_headers(&headers).max_pct(), 91.0);
    }

    #[test]
    fn a_full_account_score_waits_for_its_reset() {
        let usage = Usage::from_pairs([(
            "x-ad-account-usage",
            r#"{"acc_id_util_pct":100,"reset_time_duration":42}"#,
        )]);
        assert_eq!(usage.regain_access_after(), Some(Duration::from_secs(42)));
    }
}
