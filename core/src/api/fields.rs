//! The field-expansion strings Adkeep asks Graph for. One place, so the list
//! request, the single-account request and the double agree.

/// Nested datasets per account in one response; more are paged separately.
pub const DATASETS_PER_ACCOUNT: usize = 25;

/// Nested ad accounts per business edge in one response.
pub const NESTED_ACCOUNTS: usize = 500;

/// Everything a row shows except the last-30-days spend (which needs a second
/// insights query: field aliases are gone for new apps since v27.0) and the
/// ad limit (`ads_volume`, asked beside it: graph-api.md §13 leaves open
/// whether field expansion reaches it).
///
/// Deliberately absent: `owner` and `funding_source_details`, which can fail
/// the whole call (graph-api.md §2).
pub fn account_fields() -> String {
    format!(
        "id,account_id,name,account_status,disable_reason,currency,timezone_name,\
         timezone_offset_hours_utc,is_prepay_account,amount_spent,spend_cap,balance,business{{id,name}},user_tasks,tos_accepted,\
         user_tos_accepted,adspixels.limit({DATASETS_PER_ACCOUNT}){{{DATASET_FIELDS}}},\
         insights.date_preset(today){{spend}},{}",
        held_back_ads()
    )
}

pub const DATASET_FIELDS: &str = "id,name,last_fired_time,is_unavailable";

/// Ads held back asked per account in its own response: as many as Adkeep
/// counts, so no account needs a request more. Should Meta serve fewer, the
/// rest is paged (up to `ads::MAX_COUNTED`).
pub const ADS_PER_ACCOUNT: u32 = crate::ads::MAX_COUNTED;

/// What Adkeep reads of an ad: enough to count it and say why.
pub const AD_FIELDS: &str = "effective_status,ad_review_feedback,issues_info";

/// The `effective_status` filter: the four statuses that keep ads from running.
pub fn held_back_statuses() -> String {
    let names: Vec<String> = crate::ads::HeldBack::ALL
        .iter()
        .map(|s| format!("\"{}\"", s.meta_name()))
        .collect();
    format!("[{}]", names.join(","))
}

/// The account's ads that cannot run, nested in the account (Meta counts
/// them in the same request). The summary is asked for; whether Meta sends
/// it is UNVERIFIED (graph-api.md §13), so counting never depends on it.
fn held_back_ads() -> String {
    format!(
        "ads.effective_status({}).limit({ADS_PER_ACCOUNT}).summary(total_count){{{AD_FIELDS}}}",
        held_back_statuses()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_expand_datasets_and_today_spend() {
        let f = account_fields();
        assert!(
            f.contains("adspixels.limit(25){id,name,last_fired_time,is_unavailable}"),
            "{f}"
        );
        assert!(f.contains("insights.date_preset(today){spend}"), "{f}");
        assert!(f.contains("business{id,name}"), "{f}");
        assert!(
            f.ends_with(
                r#"ads.effective_status(["DISAPPROVED","WITH_ISSUES","PENDING_BILLING_INFO","PENDING_REVIEW"]).limit(500).summary(total_count){effective_status,ad_review_feedback,issues_info}"#
            ),
            "{f}"
        );
        assert!(!f.contains("owner"), "{f}");
        assert!(!f.contains(' '), "{f}");
    }
}
