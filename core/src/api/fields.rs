//! The field-expansion strings Adkeep asks Graph for. One place, so the list
//! request, the single-account request and the double agree.

/// Nested datasets per account in one response; more are paged separately.
pub const DATASETS_PER_ACCOUNT: usize = 25;

/// Nested ad accounts per business edge in one response.
pub const NESTED_ACCOUNTS: usize = 500;

/// Everything a row shows except the last-30-days spend (which needs a second
/// insights query: field aliases are gone for new apps since v27.0).
///
/// Deliberately absent: `owner` and `funding_source_details`, which can fail
/// the whole call (graph-api.md §2).
pub fn account_fields() -> String {
    format!(
        "id,account_id,name,account_status,disable_reason,currency,timezone_name,\
         timezone_offset_hours_utc,is_prepay_account,amount_spent,spend_cap,balance,business{{id,name}},user_tasks,tos_accepted,\
         user_tos_accepted,adspixels.limit({DATASETS_PER_ACCOUNT}){{{DATASET_FIELDS}}},\
         insights.date_preset(today){{spend}}"
    )
}

pub const DATASET_FIELDS: &str = "id,name,last_fired_time,is_unavailable";

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
        assert!(!f.contains("owner"), "{f}");
        assert!(!f.contains(' '), "{f}");
    }
}
