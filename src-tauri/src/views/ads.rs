//! An account's ads that cannot run, as `--json`, the CSV, the details pane
//! and the list's "ads" cell show them: plain counts, `null` where Meta
//! refused or nothing could be read (the row's reasons say why, never a
//! zero), and the ad limit.

use chrono::NaiveDate;
use serde::Serialize;

use adkeep_core::ads::{AdCounts, AdHealth, AdLimit, AdReason, LimitLevel};

/// Whether a part was read, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadState {
    Read,
    NotRead,
    Refused,
    Unreadable,
}

/// The whole view's `ads`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdsView {
    pub disapproved: Option<u32>,
    pub with_issues: Option<u32>,
    pub pending_billing_info: Option<u32>,
    pub pending_review: Option<u32>,
    pub running_or_in_review: Option<u32>,
    pub limit: Option<u32>,
    /// Against the limit today (`None`: not read).
    pub limit_level: Option<LimitLevel>,
    /// Ads that cannot run: disapproved, with issues, or waiting for billing.
    pub cannot_run: Option<u32>,
    /// The counts are lower bounds: Adkeep counts at most 500 ads, or a
    /// page could not be read.
    pub at_least: bool,
    /// Meta's own total of those four kinds, when it sent one.
    pub total: Option<u32>,
    pub future_limit: Option<u32>,
    pub future_limit_from: Option<NaiveDate>,
    /// Why ads were disapproved or have issues, most ads first (at most three).
    pub reasons: Vec<AdReason>,
    pub counts_state: ReadState,
    pub limit_state: ReadState,
}

impl AdsView {
    pub fn new(ads: &AdHealth, today: NaiveDate) -> Self {
        let mut view = Self {
            limit_level: None,
            disapproved: None,
            with_issues: None,
            pending_billing_info: None,
            pending_review: None,
            running_or_in_review: None,
            limit: None,
            cannot_run: None,
            at_least: false,
            total: None,
            future_limit: None,
            future_limit_from: None,
            reasons: Vec::new(),
            counts_state: counts_state(&ads.counts),
            limit_state: limit_state(&ads.limit),
        };
        if let AdCounts::Counted(t) = &ads.counts {
            view.disapproved = Some(t.disapproved);
            view.with_issues = Some(t.with_issues);
            view.pending_billing_info = Some(t.pending_billing_info);
            view.pending_review = Some(t.pending_review);
            view.cannot_run = Some(
                t.disapproved
                    .saturating_add(t.with_issues)
                    .saturating_add(t.pending_billing_info),
            );
            view.at_least = !t.complete;
            view.total = t.total;
            view.reasons = t.reasons.clone();
        }
        if let AdLimit::Known(r) = &ads.limit {
            view.running_or_in_review = Some(r.running_or_in_review);
            view.limit_level = Some(r.level(today));
            view.limit = r.limit;
            view.future_limit = r.future.as_ref().map(|f| f.limit);
            view.future_limit_from = r.future.as_ref().map(|f| f.from);
        }
        view
    }
}

fn counts_state(counts: &AdCounts) -> ReadState {
    match counts {
        AdCounts::Counted(_) => ReadState::Read,
        AdCounts::NotRead => ReadState::NotRead,
        AdCounts::Refused => ReadState::Refused,
        AdCounts::Unreadable => ReadState::Unreadable,
    }
}

fn limit_state(limit: &AdLimit) -> ReadState {
    match limit {
        AdLimit::Known(_) => ReadState::Read,
        AdLimit::NotRead => ReadState::NotRead,
        AdLimit::Refused => ReadState::Refused,
        AdLimit::Unreadable => ReadState::Unreadable,
    }
}

/// The list's "ads" cell: what it draws ("12 ✕ · 248/250"), under the
/// same names as the whole view's, the rest left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowAds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannot_run: Option<u32>,
    #[serde(skip_serializing_if = "is_false")]
    pub at_least: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running_or_in_review: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_level: Option<LimitLevel>,
}

impl RowAds {
    pub fn is_empty(&self) -> bool {
        self.cannot_run.is_none() && self.running_or_in_review.is_none() && self.limit.is_none()
    }
}

impl From<&AdsView> for RowAds {
    fn from(view: &AdsView) -> Self {
        Self {
            cannot_run: view.cannot_run,
            at_least: view.at_least,
            running_or_in_review: view.running_or_in_review,
            limit: view.limit,
            limit_level: view.limit_level,
        }
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The CSV's columns for ads, in order, and their cells (empty: unknown).
pub const CSV_COLUMNS: [&str; 8] = [
    "ads_disapproved",
    "ads_with_issues",
    "ads_pending_billing_info",
    "ads_pending_review",
    "ads_running_or_in_review",
    "ad_limit",
    "ads_counted_at_least",
    "ad_review_reasons",
];

pub fn csv_cells(view: &AdsView) -> [String; 8] {
    let count = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let reasons: Vec<String> = view
        .reasons
        .iter()
        .map(|r| format!("{} ({})", r.text, r.ads))
        .collect();
    [
        count(view.disapproved),
        count(view.with_issues),
        count(view.pending_billing_info),
        count(view.pending_review),
        count(view.running_or_in_review),
        count(view.limit),
        if view.counts_state == ReadState::Read {
            view.at_least.to_string()
        } else {
            String::new()
        },
        reasons.join("; "),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use adkeep_core::ads::{LimitReading, Tally};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    #[test]
    fn a_refusal_is_null_never_zero() {
        let view = AdsView::new(
            &AdHealth {
                counts: AdCounts::Refused,
                limit: AdLimit::Refused,
            },
            today(),
        );
        let json = serde_json::to_value(&view).unwrap();
        for key in [
            "disapproved",
            "with_issues",
            "running_or_in_review",
            "limit",
        ] {
            assert!(json[key].is_null(), "{key}: {json}");
        }
        assert_eq!(json["counts_state"], "refused");
        assert_eq!(csv_cells(&view)[0], "");
    }

    #[test]
    fn counts_and_the_limit_read_as_numbers() {
        let view = AdsView::new(
            &AdHealth {
                counts: AdCounts::Counted(Tally {
                    disapproved: 12,
                    with_issues: 1,
                    complete: true,
                    ..Tally::default()
                }),
                limit: AdLimit::Known(LimitReading {
                    running_or_in_review: 248,
                    limit: Some(250),
                    future: None,
                }),
            },
            today(),
        );
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["disapproved"], 12);
        assert_eq!(json["pending_billing_info"], 0);
        assert_eq!(json["cannot_run"], 13);
        assert_eq!(json["limit"], 250);
        let row = serde_json::to_value(RowAds::from(&view)).unwrap();
        assert_eq!(
            row,
            serde_json::json!({"cannot_run": 13, "running_or_in_review": 248, "limit": 250, "limit_level": "near"})
        );
    }
}
