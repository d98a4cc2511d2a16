//! Ads that cannot run (graph-api.md §13): how many of an account's ads are
//! disapproved, have issues, wait for billing information or are in review,
//! why, and where the account stands against Meta's limit on ads running or
//! in review. A count Meta refused is `Refused`, never zero.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most ads counted on one account; past it, the counts are "at least".
pub const MAX_COUNTED: u32 = 500;
/// Review reasons kept per account.
pub const TOP_REASONS: usize = 3;
/// "Near the limit": within this share of it (10 %).
pub const NEAR_LIMIT_PERCENT: u32 = 10;
/// A lower future limit matters this many days ahead.
pub const LOWERING_WITHIN_DAYS: i64 = 14;

/// What Adkeep knows of an account's ads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdHealth {
    pub counts: AdCounts,
    pub limit: AdLimit,
}

impl AdHealth {
    /// Nothing read: neither the counts nor the limit.
    pub fn is_unread(&self) -> bool {
        self.counts == AdCounts::NotRead && self.limit == AdLimit::NotRead
    }
}

/// The ads in the four statuses that keep them from running.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AdCounts {
    /// Not read (yet).
    #[default]
    NotRead,
    Counted(Tally),
    /// Meta refused: the person's role cannot read the account's ads.
    Refused,
    /// The read failed; the row's field errors say why.
    Unreadable,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub disapproved: u32,
    pub with_issues: u32,
    pub pending_billing_info: u32,
    pub pending_review: u32,
    /// Every such ad was counted; otherwise each count is "at least"
    /// (`MAX_COUNTED` reached, or a page could not be read).
    pub complete: bool,
    /// Meta's own total of ads in the four statuses, when it sent one.
    pub total: Option<u32>,
    /// Why ads were disapproved or have issues, most ads first.
    pub reasons: Vec<AdReason>,
}

/// A review reason ("Misleading or false claims") and how many ads it holds back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdReason {
    pub text: String,
    pub ads: u32,
}

/// The account against Meta's limit on ads running or in review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AdLimit {
    #[default]
    NotRead,
    Known(LimitReading),
    /// Meta refused: the person's role cannot read the limit.
    Refused,
    /// The read failed; the row's field errors say why.
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitReading {
    pub running_or_in_review: u32,
    /// `None`: Meta states no limit for the account.
    pub limit: Option<u32>,
    pub future: Option<FutureLimit>,
}

/// A limit Meta will apply from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FutureLimit {
    pub limit: u32,
    pub from: NaiveDate,
}

/// How close an account is to its limit, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitLevel {
    Clear,
    /// A lower limit within `LOWERING_WITHIN_DAYS` that the account would exceed.
    Lowering,
    /// Within `NEAR_LIMIT_PERCENT` of the limit.
    Near,
    /// At or over it: Meta refuses new ads.
    Reached,
}

impl LimitReading {
    pub fn level(&self, today: NaiveDate) -> LimitLevel {
        let running = u64::from(self.running_or_in_review);
        if let Some(limit) = self.limit.map(u64::from) {
            if running >= limit {
                return LimitLevel::Reached;
            }
            // Within 10 %: running ≥ 90 % of the limit, in integers.
            if running * 100 >= limit * u64::from(100 - NEAR_LIMIT_PERCENT) {
                return LimitLevel::Near;
            }
        }
        match &self.future {
            Some(f)
                if running > u64::from(f.limit)
                    && (f.from - today).num_days() <= LOWERING_WITHIN_DAYS =>
            {
                LimitLevel::Lowering
            }
            _ => LimitLevel::Clear,
        }
    }
}

/// Counts ads page by page; reasons are counted once per ad.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counter {
    tally: Tally,
    counted: u32,
    reasons: BTreeMap<String, u32>,
    /// A page held more than the cap allows (Meta sent more than asked):
    /// those were not counted.
    past_cap: bool,
}

/// An ad's effective status, as far as counting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldBack {
    Disapproved,
    WithIssues,
    PendingBillingInfo,
    PendingReview,
}

impl HeldBack {
    pub const ALL: [Self; 4] = [
        Self::Disapproved,
        Self::WithIssues,
        Self::PendingBillingInfo,
        Self::PendingReview,
    ];

    /// Meta's `effective_status` value.
    pub fn meta_name(self) -> &'static str {
        match self {
            Self::Disapproved => "DISAPPROVED",
            Self::WithIssues => "WITH_ISSUES",
            Self::PendingBillingInfo => "PENDING_BILLING_INFO",
            Self::PendingReview => "PENDING_REVIEW",
        }
    }

    pub fn from_meta(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.meta_name() == name)
    }
}

impl Counter {
    /// Counts one ad with the reasons it gave (each counted once).
    pub fn add(&mut self, status: HeldBack, reasons: impl IntoIterator<Item = String>) {
        if self.counted >= MAX_COUNTED {
            self.past_cap = true;
            return;
        }
        let t = &mut self.tally;
        let count = match status {
            HeldBack::Disapproved => &mut t.disapproved,
            HeldBack::WithIssues => &mut t.with_issues,
            HeldBack::PendingBillingInfo => &mut t.pending_billing_info,
            HeldBack::PendingReview => &mut t.pending_review,
        };
        *count = count.saturating_add(1);
        self.counted = self.counted.saturating_add(1);
        let mut seen = Vec::new();
        for reason in reasons {
            if !seen.contains(&reason) {
                *self.reasons.entry(reason.clone()).or_default() += 1;
                seen.push(reason);
            }
        }
    }

    /// Ads counted so far.
    pub fn counted(&self) -> u32 {
        self.counted
    }

    /// Meta's total, when a page carried one (the largest seen).
    pub fn set_total(&mut self, total: u32) {
        self.tally.total = Some(self.tally.total.map_or(total, |t| t.max(total)));
    }

    pub fn total(&self) -> Option<u32> {
        self.tally.total
    }

    /// Whether another page is worth reading: not past the cap. (Meta's
    /// total, when it sends one, does not say how the ads split by status.)
    pub fn wants_more(&self) -> bool {
        self.counted < MAX_COUNTED
    }

    /// How many more ads the cap allows: the next page's size.
    pub fn room(&self) -> u32 {
        MAX_COUNTED.saturating_sub(self.counted)
    }

    /// The tally; `complete` when no page was left unread.
    pub fn finish(mut self, complete: bool) -> Tally {
        let mut reasons: Vec<AdReason> = self
            .reasons
            .into_iter()
            .map(|(text, ads)| AdReason { text, ads })
            .collect();
        reasons.sort_by(|a, b| b.ads.cmp(&a.ads).then_with(|| a.text.cmp(&b.text)));
        reasons.truncate(TOP_REASONS);
        self.tally.reasons = reasons;
        self.tally.complete =
            complete && !self.past_cap && self.tally.total.is_none_or(|t| t <= self.counted);
        self.tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn reading(running: u32, limit: Option<u32>, future: Option<(u32, &str)>) -> LimitReading {
        LimitReading {
            running_or_in_review: running,
            limit,
            future: future.map(|(limit, from)| FutureLimit {
                limit,
                from: day(from),
            }),
        }
    }

    #[test]
    fn levels_follow_the_limit_and_a_lower_one_coming() {
        let today = day("2026-12-05");
        assert_eq!(
            reading(250, Some(250), None).level(today),
            LimitLevel::Reached
        );
        assert_eq!(
            reading(260, Some(250), None).level(today),
            LimitLevel::Reached
        );
        assert_eq!(reading(225, Some(250), None).level(today), LimitLevel::Near);
        assert_eq!(
            reading(224, Some(250), None).level(today),
            LimitLevel::Clear
        );
        assert_eq!(
            reading(u32::MAX, None, None).level(today),
            LimitLevel::Clear
        );
        let soon = Some((100, "2026-12-19"));
        assert_eq!(
            reading(140, Some(250), soon).level(today),
            LimitLevel::Lowering
        );
        assert_eq!(reading(90, Some(250), soon).level(today), LimitLevel::Clear);
        let later = Some((100, "2026-12-20"));
        assert_eq!(
            reading(140, Some(250), later).level(today),
            LimitLevel::Clear
        );
    }

    #[test]
    fn the_counter_keeps_the_three_biggest_reasons_once_per_ad() {
        let mut c = Counter::default();
        for (status, reasons) in [
            (HeldBack::Disapproved, vec!["A", "A", "B"]),
            (HeldBack::Disapproved, vec!["B"]),
            (HeldBack::WithIssues, vec!["C"]),
            (HeldBack::WithIssues, vec!["D"]),
            (HeldBack::PendingReview, vec![]),
        ] {
            c.add(status, reasons.into_iter().map(str::to_owned));
        }
        let t = c.finish(true);
        assert_eq!((t.disapproved, t.with_issues, t.pending_review), (2, 2, 1));
        let texts: Vec<(&str, u32)> = t.reasons.iter().map(|r| (r.text.as_str(), r.ads)).collect();
        assert_eq!(texts, [("B", 2), ("A", 1), ("C", 1)]);
        assert!(t.complete);
    }

    #[test]
    fn a_page_holding_more_than_asked_is_counted_to_the_cap_only() {
        let mut c = Counter::default();
        for _ in 0..MAX_COUNTED + 40 {
            c.add(HeldBack::WithIssues, ["why".to_owned()]);
        }
        let t = c.finish(true);
        assert_eq!(t.with_issues, MAX_COUNTED);
        assert_eq!(t.reasons[0].ads, MAX_COUNTED);
        assert!(!t.complete);
    }

    #[test]
    fn counting_stops_at_the_cap_and_a_larger_total_is_not_complete() {
        let mut c = Counter::default();
        c.set_total(620);
        for _ in 0..MAX_COUNTED - 1 {
            c.add(HeldBack::Disapproved, []);
        }
        assert!(c.wants_more());
        assert_eq!(c.room(), 1);
        c.add(HeldBack::Disapproved, []);
        assert!(!c.wants_more());
        let t = c.finish(true);
        assert!(!t.complete, "Meta counts more than were counted");
        assert_eq!((t.disapproved, t.total), (MAX_COUNTED, Some(620)));
    }
}
