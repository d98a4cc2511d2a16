//! The ads edge and `ads_volume` (graph-api.md §13) as Meta sends them, read
//! into counts and the ad limit. Lenient like the rest of the wire: numbers
//! may be strings, an absent edge is no ads, review reasons come as a map or
//! a list; texts are bounded. A page that cannot be read leaves the counts
//! "at least", never zero.

use chrono::{DateTime, NaiveDate};
use serde::Deserialize;
use serde_json::Value;

use super::text::{as_text, bounded};
use crate::ads::{AdCounts, AdLimit, Counter, FutureLimit, HeldBack, LimitReading};
use crate::graph::Page;
use crate::graph::page::More;
use crate::model::FieldError;
use crate::problem::Problem;

/// A reason is cut to this many characters (policy names are short).
const MAX_REASON: usize = 120;

/// An item of the ads edge.
#[derive(Debug, Clone, Deserialize)]
pub struct AdWire {
    #[serde(default)]
    effective_status: Option<Value>,
    #[serde(default)]
    ad_review_feedback: Option<Value>,
    #[serde(default)]
    issues_info: Option<Value>,
}

/// The ads nested in an account, read so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NestedAds {
    /// Every page was read.
    Done(AdCounts),
    /// More pages worth reading: go on from `more` with `counter`.
    More { counter: Counter, more: More },
}

/// The nested `ads` edge of an account (absent: no ads in those statuses).
pub fn nested_ads(edge: Option<&Value>) -> NestedAds {
    let Some(edge) = edge.filter(|v| !v.is_null()) else {
        return NestedAds::Done(AdCounts::Counted(Counter::default().finish(true)));
    };
    // A nested edge Meta could not read for this login says so in place
    // (or fails the whole request, which the caller sees as such).
    if let Some(error) = edge.get("error") {
        let code = error.get("code").and_then(Value::as_i64);
        return NestedAds::Done(if is_refusal_code(code) {
            AdCounts::Refused
        } else {
            AdCounts::Unreadable
        });
    }
    let Ok(page) = Page::<AdWire>::from_value(edge.clone()) else {
        return NestedAds::Done(AdCounts::Unreadable);
    };
    let mut counter = Counter::default();
    if let Some(total) = summary_total(edge) {
        counter.set_total(total);
    }
    match count_page(&mut counter, &page) {
        Some(more) if counter.wants_more() => NestedAds::More { counter, more },
        Some(_) => NestedAds::Done(AdCounts::Counted(counter.finish(false))),
        None => NestedAds::Done(AdCounts::Counted(counter.finish(page.skipped == 0))),
    }
}

/// An account's nested ads as its node gives them: the counts (not read
/// yet when more pages are worth reading: they follow from the counter and
/// where the edge goes on), a field error when unreadable.
pub fn nested_counts(
    edge: Option<&Value>,
    errors: &mut Vec<FieldError>,
) -> (AdCounts, Option<(Counter, More)>) {
    match nested_ads(edge) {
        NestedAds::Done(AdCounts::Unreadable) => {
            errors.push(FieldError::new("ads", "the ads could not be read"));
            (AdCounts::Unreadable, None)
        }
        NestedAds::Done(counts) => (counts, None),
        NestedAds::More { counter, more } => (AdCounts::NotRead, Some((counter, more))),
    }
}

/// Counts a page of ads; where the edge goes on, if it does.
pub fn count_page(counter: &mut Counter, page: &Page<AdWire>) -> Option<More> {
    for ad in &page.items {
        let status = ad
            .effective_status
            .as_ref()
            .and_then(Value::as_str)
            .and_then(HeldBack::from_meta);
        if let Some(status) = status {
            counter.add(status, reasons(ad, status));
        }
    }
    page.next.clone().map(|next| More {
        after: page.after.clone(),
        next,
    })
}

/// `summary.total_count`, when Meta sent it (UNVERIFIED that it does).
fn summary_total(edge: &Value) -> Option<u32> {
    as_count(edge.get("summary")?.get("total_count")?)
}

/// Why an ad is held back: the review's policies for a disapproval, the
/// issues' summaries otherwise (or when the review says nothing).
fn reasons(ad: &AdWire, status: HeldBack) -> Vec<String> {
    let mut found = Vec::new();
    if status == HeldBack::Disapproved {
        found.extend(review_policies(ad.ad_review_feedback.as_ref()));
    }
    if found.is_empty() && matches!(status, HeldBack::Disapproved | HeldBack::WithIssues) {
        found.extend(issue_summaries(ad.issues_info.as_ref()));
    }
    found
}

/// `ad_review_feedback`: `{"global": {"Policy": "why"}, "placement_specific": {…}}`.
fn review_policies(feedback: Option<&Value>) -> Vec<String> {
    let Some(Value::Object(feedback)) = feedback else {
        return Vec::new();
    };
    let mut policies = Vec::new();
    for scope in ["global", "placement_specific"] {
        match feedback.get(scope) {
            Some(Value::Object(map)) => policies.extend(map.keys().map(|k| reason_text(k))),
            Some(Value::Array(items)) => {
                policies.extend(items.iter().filter_map(as_text).map(|k| reason_text(&k)))
            }
            _ => {}
        }
    }
    policies.retain(|p| !p.is_empty());
    policies.truncate(8);
    policies
}

/// `issues_info`: a list of `{error_summary, error_message, …}` (or the
/// shorter `summary`/`message` names).
fn issue_summaries(issues: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(issues)) = issues else {
        return Vec::new();
    };
    issues
        .iter()
        .take(8)
        .filter_map(|issue| {
            ["error_summary", "summary", "error_message", "message"]
                .iter()
                .find_map(|key| issue.get(*key).and_then(as_text))
        })
        .map(|s| reason_text(&s))
        .filter(|s| !s.is_empty())
        .collect()
}

/// One line, bounded: a reason goes into a cell, a chat message and a CSV.
fn reason_text(raw: &str) -> String {
    let line: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let cut: String = line.chars().take(MAX_REASON).collect();
    if cut.len() < line.len() {
        format!("{cut}…")
    } else {
        bounded(&cut)
    }
}

fn as_count(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n.as_u64().map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        Value::String(s) => s
            .trim()
            .parse::<u64>()
            .ok()
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        _ => None,
    }
}

/// The ad limit from `act_X/ads_volume`, or what its failure means: a
/// permission error is `Refused` (its own reason), anything else unreadable.
pub fn ad_limit(reply: Result<&Value, &Problem>) -> AdLimit {
    match reply {
        Ok(body) => limit_reading(body).map_or(AdLimit::Unreadable, AdLimit::Known),
        Err(problem) if is_refusal(problem) => AdLimit::Refused,
        Err(_) => AdLimit::Unreadable,
    }
}

/// Meta's permission errors (graph-api.md §6: 10, 200–299).
pub fn is_refusal(problem: &Problem) -> bool {
    is_refusal_code(problem.code)
}

fn is_refusal_code(code: Option<i64>) -> bool {
    matches!(code, Some(10 | 200..=299))
}

/// The account's entry of `data` (the one without an actor, else the first).
fn limit_reading(body: &Value) -> Option<LimitReading> {
    let data = body.get("data")?.as_array()?;
    let entry = data
        .iter()
        .find(|e| e.get("actor_id").is_none_or(Value::is_null))
        .or_else(|| data.first())?;
    let count = |key: &str| entry.get(key).and_then(as_count);
    let future = match (
        count("future_limit_on_ads_running_or_in_review"),
        entry.get("future_limit_activation_date").and_then(date),
    ) {
        (Some(limit), Some(from)) => Some(FutureLimit { limit, from }),
        _ => None,
    };
    Some(LimitReading {
        running_or_in_review: count("ads_running_or_in_review_count")?,
        limit: count("limit_on_ads_running_or_in_review"),
        future,
    })
}

/// `2027-01-01`, `2027-01-01T00:00:00+0000`, or a Unix time in seconds.
fn date(value: &Value) -> Option<NaiveDate> {
    match value {
        Value::String(s) => s.get(..10)?.parse().ok(),
        Value::Number(n) => DateTime::from_timestamp(n.as_i64()?, 0).map(|t| t.date_naive()),
        _ => None,
    }
}

#[cfg(test)]
#[path = "wire_ads_tests.rs"]
mod tests;
