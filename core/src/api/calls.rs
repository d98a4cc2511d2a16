//! Every Graph endpoint Adkeep calls, in one place, each typed by the wire
//! shape it returns. The engine composes these; it never writes a path.

use serde_json::Value;

use super::fields;
use super::wire::{AccountWire, BusinessWire, DatasetWire, IdWire, MeWire, PermissionWire};
use super::wire_ads::AdWire;
use super::wire_money::{DailyInsightsWire, MAX_DAYS};
use crate::graph::{AccountId, Call, Page};

/// `/me`: who the token belongs to (also the cheapest token check).
pub fn me() -> Call<MeWire> {
    Call::new("me", vec![("fields", "id,name".to_owned())])
}

/// `/me/permissions`: granted, declined and expired scopes.
pub fn permissions() -> Call<Page<PermissionWire>> {
    Call::new("me/permissions", vec![("limit", "100".to_owned())])
}

/// `/me/adaccounts` with every row field.
pub fn ad_accounts(limit: usize) -> Call<Page<AccountWire>> {
    Call::new(
        "me/adaccounts",
        vec![
            ("fields", fields::account_fields()),
            ("limit", limit.to_string()),
        ],
    )
}

/// `/me/businesses` with each business's owned and client ad accounts
/// expanded (ids only): one request finds accounts reached through a
/// Business Manager role.
pub fn businesses(limit: usize) -> Call<Page<BusinessWire>> {
    let edge = |name: &str| format!("{name}.limit({}){{id}}", fields::NESTED_ACCOUNTS);
    Call::new(
        "me/businesses",
        vec![
            (
                "fields",
                format!(
                    "id,{},{}",
                    edge("owned_ad_accounts"),
                    edge("client_ad_accounts")
                ),
            ),
            ("limit", limit.to_string()),
        ],
    )
}

/// One of a business's ad-account edges, read directly (a business with more
/// accounts than its nested page held).
pub fn business_ad_accounts(business: &str, edge: BusinessEdge) -> Call<Page<IdWire>> {
    Call::new(
        format!("{}/{}", business, edge.name()),
        vec![
            ("fields", "id".to_owned()),
            ("limit", fields::NESTED_ACCOUNTS.to_string()),
        ],
    )
}

/// One of a business's ad-account edges with every row field, `limit` a
/// page: a first run reads the accounts a business reaches this way, beside
/// the listing, rather than one by one after it.
pub fn business_ad_accounts_in_full(
    business: &str,
    edge: BusinessEdge,
    limit: usize,
) -> Call<Page<AccountWire>> {
    Call::new(
        format!("{}/{}", business, edge.name()),
        vec![
            ("fields", fields::account_fields()),
            ("limit", limit.to_string()),
        ],
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BusinessEdge {
    Owned,
    Client,
}

impl BusinessEdge {
    pub const ALL: [Self; 2] = [Self::Owned, Self::Client];

    pub fn name(self) -> &'static str {
        match self {
            Self::Owned => "owned_ad_accounts",
            Self::Client => "client_ad_accounts",
        }
    }
}

/// One ad account with every row field.
pub fn account(id: &AccountId) -> Call<AccountWire> {
    Call::new(id.as_str(), vec![("fields", fields::account_fields())])
}

/// An account's datasets beyond the ones its node carried.
pub fn datasets(id: &AccountId) -> Call<Page<DatasetWire>> {
    Call::new(
        format!("{}/adspixels", id.as_str()),
        vec![
            ("fields", fields::DATASET_FIELDS.to_owned()),
            ("limit", fields::DATASETS_PER_ACCOUNT.to_string()),
        ],
    )
}

/// An account's spend on each of the last 30 complete days (major units),
/// in one page. Meta computes the days in the account's own time zone.
pub fn insights_last_30d(id: &AccountId) -> Call<DailyInsightsWire> {
    Call::new(
        format!("{}/insights", id.as_str()),
        vec![
            ("fields", "spend".to_owned()),
            ("date_preset", "last_30d".to_owned()),
            ("time_increment", "1".to_owned()),
            ("limit", MAX_DAYS.to_string()),
        ],
    )
}

/// An account's ads that cannot run, beyond those its node carried: up to
/// `limit` in one page (what the cap on counting leaves).
pub fn held_back_ads(id: &AccountId, limit: u32) -> Call<Page<AdWire>> {
    Call::new(
        format!("{}/ads", id.as_str()),
        vec![
            ("effective_status", fields::held_back_statuses()),
            ("fields", fields::AD_FIELDS.to_owned()),
            ("limit", limit.clamp(1, crate::ads::MAX_COUNTED).to_string()),
        ],
    )
}

/// An account's limit on ads running or in review (and a future limit).
pub fn ad_volume(id: &AccountId) -> Call<Value> {
    Call::new(format!("{}/ads_volume", id.as_str()), Vec::new())
}

/// A prepaid account's funding source (its remaining funds). Asked on its
/// own: it needs the Admin role and can fail the whole request (graph-api.md §2).
pub fn funding(id: &AccountId) -> Call<Value> {
    Call::new(
        id.as_str(),
        vec![("fields", "funding_source_details".to_owned())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_are_what_batches_expect() {
        let id = AccountId::parse("act_1").unwrap();
        assert_eq!(
            insights_last_30d(&id).relative_url(),
            "act_1/insights?fields=spend&date_preset=last_30d&time_increment=1&limit=40"
        );
        assert!(
            account(&id)
                .relative_url()
                .starts_with("act_1?fields=id%2Caccount_id")
        );
        assert_eq!(me().relative_url(), "me?fields=id%2Cname");
    }

    #[test]
    fn continuing_replaces_the_cursor() {
        let id = AccountId::parse("act_1").unwrap();
        let call = datasets(&id).after("A").after("B");
        assert_eq!(
            call.query().iter().filter(|(k, _)| *k == "after").count(),
            1
        );
        assert!(call.relative_url().ends_with("after=B"));
    }

    #[test]
    fn businesses_expand_both_edges() {
        let call = businesses(50);
        let q = &call.query()[0].1;
        assert_eq!(
            q,
            "id,owned_ad_accounts.limit(500){id},client_ad_accounts.limit(500){id}"
        );
    }
}
