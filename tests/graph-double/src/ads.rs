//! Ads and the ad limit (graph-api.md §13): an account's ads, their effective
//! status and why they cannot run, and its limit on ads running or in review.
//! Generated from the account's id alone, so adding them left every other
//! generated value as it was.

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `Ad.effective_status` values Meta documents (§13); a filter with any
/// other value is refused.
pub const EFFECTIVE_STATUSES: [&str; 12] = [
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "ARCHIVED",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED",
    "ADSET_PAUSED",
    "IN_PROCESS",
    "WITH_ISSUES",
];

/// The fields an Ad node answers; others are `(#100) nonexisting field`.
pub const AD_FIELDS: [&str; 6] = [
    "id",
    "name",
    "effective_status",
    "configured_status",
    "ad_review_feedback",
    "issues_info",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ad {
    pub id: String,
    pub name: String,
    pub effective_status: String,
    /// `ad_review_feedback.global`: policy → Meta's explanation.
    #[serde(default)]
    pub review: Vec<(String, String)>,
    #[serde(default)]
    pub issues: Vec<AdIssue>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdIssue {
    pub code: u64,
    pub summary: String,
    pub message: String,
}

/// `act_X/ads_volume` for the account as a whole.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdVolume {
    pub running_or_in_review: u32,
    /// `None`: Meta sets no limit on this account.
    pub limit: Option<u32>,
    /// A future limit and the days until it applies.
    pub future: Option<(u32, i64)>,
}

impl Ad {
    pub fn new(id: String, status: &str) -> Self {
        Self {
            name: format!("Ad {id}"),
            id,
            effective_status: status.to_owned(),
            review: Vec::new(),
            issues: Vec::new(),
        }
    }

    /// The Ad node with the fields asked (`None`: id only).
    pub fn project(&self, fields: &[String]) -> Result<Value, String> {
        let mut out = serde_json::Map::new();
        out.insert("id".into(), json!(self.id));
        for field in fields {
            let value = match field.as_str() {
                "id" => continue,
                "name" => json!(self.name),
                "effective_status" => json!(self.effective_status),
                "configured_status" => json!(configured(&self.effective_status)),
                "ad_review_feedback" if self.review.is_empty() => continue,
                "ad_review_feedback" => {
                    let global: serde_json::Map<String, Value> = self
                        .review
                        .iter()
                        .map(|(policy, text)| (policy.clone(), json!(text)))
                        .collect();
                    json!({ "global": global })
                }
                "issues_info" if self.issues.is_empty() => continue,
                "issues_info" => Value::Array(
                    self.issues
                        .iter()
                        .map(|i| {
                            json!({
                                "error_code": i.code,
                                "error_summary": i.summary,
                                "error_message": i.message,
                                "error_type": "HARD_ERROR",
                                "level": "AD",
                            })
                        })
                        .collect(),
                ),
                other => return Err(other.to_owned()),
            };
            out.insert(field.clone(), value);
        }
        Ok(Value::Object(out))
    }
}

fn configured(effective: &str) -> &'static str {
    match effective {
        "PAUSED" | "CAMPAIGN_PAUSED" | "ADSET_PAUSED" => "PAUSED",
        "DELETED" => "DELETED",
        "ARCHIVED" => "ARCHIVED",
        _ => "ACTIVE",
    }
}

impl AdVolume {
    /// The `data` of `act_X/ads_volume`: one entry for the account.
    pub fn body(&self, now: DateTime<Utc>) -> Value {
        let mut entry = json!({
            "ads_running_or_in_review_count": self.running_or_in_review,
            "current_account_ads_running_or_in_review_count": self.running_or_in_review,
            "ad_limit_scope_business": null,
            "ad_limit_set_by_page_admin": null,
        });
        if let Some(limit) = self.limit {
            entry["limit_on_ads_running_or_in_review"] = json!(limit);
        }
        if let Some((future, days)) = self.future {
            entry["future_limit_on_ads_running_or_in_review"] = json!(future);
            entry["future_limit_activation_date"] =
                json!((now + Duration::days(days)).format("%Y-%m-%d").to_string());
        }
        json!({ "data": [entry] })
    }
}

/// Reads `effective_status=["A","B"]` (JSON, or a bare comma list).
pub fn parse_statuses(raw: &str) -> Result<Vec<String>, String> {
    let items: Vec<String> = match serde_json::from_str::<Vec<String>>(raw) {
        Ok(list) => list,
        Err(_) => raw
            .trim_matches(['[', ']'])
            .split(',')
            .map(|s| s.trim().trim_matches(['"', '\'']).to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    };
    for item in &items {
        if !EFFECTIVE_STATUSES.contains(&item.as_str()) {
            return Err(format!(
                "(#100) Param effective_status[0] must be one of {{{}}}",
                EFFECTIVE_STATUSES.join(", ")
            ));
        }
    }
    Ok(items)
}

/// The account's ads with one of `statuses` (none: all but deleted and
/// archived, as Meta lists by default).
pub fn filtered<'a>(ads: &'a [Ad], statuses: Option<&[String]>) -> Vec<&'a Ad> {
    ads.iter()
        .filter(|ad| match statuses {
            Some(wanted) => wanted.contains(&ad.effective_status),
            None => !matches!(ad.effective_status.as_str(), "DELETED" | "ARCHIVED"),
        })
        .collect()
}

const POLICIES: [(&str, &str); 6] = [
    (
        "Misleading or false claims",
        "Ads must not include deceptive, false or misleading claims.",
    ),
    (
        "Unacceptable business practices",
        "Ads must not promote products or schemes that deceive people.",
    ),
    (
        "Personal attributes",
        "Ads must not assert or imply personal attributes.",
    ),
    (
        "Restricted goods: alcohol",
        "Ads that promote alcohol must follow local laws and target adults.",
    ),
    (
        "Low quality or disruptive content",
        "Ads must not lead to low-quality landing pages.",
    ),
    (
        "Prohibited financial products and services",
        "Ads must not promote financial products Meta prohibits.",
    ),
];

const ISSUES: [(u64, &str, &str); 3] = [
    (
        1_815_869,
        "Destination URL is not working",
        "The website this ad links to could not be reached.",
    ),
    (
        1_487_194,
        "Facebook Page is unpublished",
        "The Page this ad runs from is not published.",
    ),
    (
        2_446_347,
        "Instagram account is disconnected",
        "Reconnect the Instagram account this ad uses.",
    ),
];

/// Ads and ad limit for a generated account: most have a few running ads
/// and nothing wrong; some have ads disapproved, with issues, waiting for
/// billing information or in review; a few are at or near their limit, or
/// face a lower one soon; one in 250 has more disapproved ads than a client
/// counts (620).
pub fn generate(account_id: &str, status: u32) -> (Vec<Ad>, AdVolume) {
    let seed = account_id.parse::<u64>().unwrap_or(0) ^ 0xad5_0ad5;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let active = status == 1;
    let mut ads = Vec::new();
    let running = rng.random_range(0..8u32);
    let paused = rng.random_range(0..4u32);
    let disapproved = match rng.random_range(0..1000u32) {
        0..4 => 620,
        _ if rng.random_bool(0.18) => rng.random_range(1..13),
        _ => 0,
    };
    let with_issues = if rng.random_bool(0.08) {
        rng.random_range(1..5)
    } else {
        0
    };
    let billing = if active && rng.random_bool(0.03) {
        rng.random_range(1..4)
    } else {
        0
    };
    let in_review = if rng.random_bool(0.10) {
        rng.random_range(1..6)
    } else {
        0
    };
    for (status, count) in [
        ("ACTIVE", running),
        ("PAUSED", paused),
        ("DISAPPROVED", disapproved),
        ("WITH_ISSUES", with_issues),
        ("PENDING_BILLING_INFO", billing),
        ("PENDING_REVIEW", in_review),
    ] {
        add_ads(&mut rng, &mut ads, account_id, status, count);
    }
    let running_or_in_review = if active { running + in_review } else { 0 };
    (ads, volume(&mut rng, active, running_or_in_review))
}

fn add_ads(rng: &mut ChaCha8Rng, ads: &mut Vec<Ad>, account_id: &str, status: &str, count: u32) {
    for _ in 0..count {
        let mut ad = Ad::new(format!("23{account_id}{:04}", ads.len()), status);
        match status {
            "DISAPPROVED" => {
                let (policy, text) = POLICIES[rng.random_range(0..POLICIES.len())];
                ad.review.push((policy.to_owned(), text.to_owned()));
            }
            "WITH_ISSUES" => {
                let (code, summary, message) = ISSUES[rng.random_range(0..ISSUES.len())];
                ad.issues.push(AdIssue {
                    code,
                    summary: summary.to_owned(),
                    message: message.to_owned(),
                });
            }
            _ => {}
        }
        ads.push(ad);
    }
}

/// The limit: most accounts far from it, some at or within 10 % of it, some
/// facing a lower limit within two weeks (and one much later).
fn volume(rng: &mut ChaCha8Rng, active: bool, running_or_in_review: u32) -> AdVolume {
    let limit = [250, 250, 250, 250, 250, 250, 1000, 1000, 5000, 50][rng.random_range(0..10)];
    let mut volume = AdVolume {
        running_or_in_review,
        limit: Some(limit),
        future: None,
    };
    if active {
        match rng.random_range(0..100u32) {
            0..=1 => volume.running_or_in_review = limit + rng.random_range(0..3),
            2..=5 => volume.running_or_in_review = limit - rng.random_range(1..=limit / 10),
            6..=8 => {
                volume.running_or_in_review = limit / 2;
                volume.future = Some((limit / 4, rng.random_range(3..14)));
            }
            9 => volume.future = Some((limit / 2, 40)),
            _ => {}
        }
    }
    volume
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_read_as_json_or_bare_and_checked() {
        assert_eq!(
            parse_statuses(r#"["DISAPPROVED","WITH_ISSUES"]"#).unwrap(),
            ["DISAPPROVED", "WITH_ISSUES"]
        );
        assert_eq!(
            parse_statuses("[PENDING_REVIEW]").unwrap(),
            ["PENDING_REVIEW"]
        );
        assert!(parse_statuses(r#"["REJECTED"]"#).is_err());
    }

    #[test]
    fn generation_is_deterministic_and_mixed() {
        let a = generate("100000000000007", 1);
        let b = generate("100000000000007", 1);
        assert_eq!(a.0.len(), b.0.len());
        let mut statuses = std::collections::BTreeSet::new();
        let mut limited = 0;
        for i in 0..2_000u64 {
            let (ads, volume) = generate(&(100_000_000_000_000 + i * 7).to_string(), 1);
            statuses.extend(ads.iter().map(|a| a.effective_status.clone()));
            limited += u32::from(
                volume
                    .limit
                    .is_some_and(|l| volume.running_or_in_review >= l),
            );
        }
        for wanted in [
            "DISAPPROVED",
            "WITH_ISSUES",
            "PENDING_BILLING_INFO",
            "PENDING_REVIEW",
        ] {
            assert!(statuses.contains(wanted), "{wanted} never generated");
        }
        assert!(limited > 0, "no account at its limit");
    }

    #[test]
    fn a_disapproved_ad_says_why_and_unknown_fields_are_refused() {
        let (ads, _) = generate("100000000000007", 1);
        let mut ad = ads
            .into_iter()
            .next()
            .unwrap_or_else(|| Ad::new("1".into(), "ACTIVE"));
        ad.effective_status = "DISAPPROVED".into();
        ad.review.push(("Policy".into(), "Why".into()));
        let v = ad
            .project(&["effective_status".into(), "ad_review_feedback".into()])
            .unwrap();
        assert_eq!(v["ad_review_feedback"]["global"]["Policy"], "Why");
        assert_eq!(ad.project(&["creative".into()]).unwrap_err(), "creative");
    }
}
