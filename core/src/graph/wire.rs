//! Graph's JSON shapes for an ad account and their conversion to the domain
//! `Account`. Lenient on purpose: numbers may arrive as strings, maps as
//! lists, unknown fields are ignored, absent edges mean "none".

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::model::{Account, AccountStatus, Business, Dataset, DisableReason, Profile, Reach};
use crate::money;

#[derive(Debug, Deserialize)]
struct AccountWire {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    account_status: Option<Value>,
    #[serde(default)]
    disable_reason: Option<Value>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    timezone_name: Option<String>,
    #[serde(default)]
    amount_spent: Option<Value>,
    #[serde(default)]
    spend_cap: Option<Value>,
    #[serde(default)]
    balance: Option<Value>,
    #[serde(default)]
    business: Option<BusinessWire>,
    #[serde(default)]
    user_tasks: Option<Vec<String>>,
    #[serde(default)]
    tos_accepted: Option<Value>,
    #[serde(default)]
    user_tos_accepted: Option<Value>,
    #[serde(default)]
    adspixels: Option<Value>,
    #[serde(default)]
    insights: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct BusinessWire {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

/// An account read from Graph, before the last-30-days spend is known.
#[derive(Debug, Clone)]
pub struct FetchedAccount {
    pub account: Account,
    /// `paging.next` of the nested datasets edge, when there are more.
    pub more_datasets: Option<String>,
}

/// Why an account object could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable ad account: {0}")]
pub struct DecodeError(pub String);

pub fn decode_account(value: &Value, now: DateTime<Utc>) -> Result<FetchedAccount, DecodeError> {
    let wire: AccountWire =
        serde_json::from_value(value.clone()).map_err(|e| DecodeError(e.to_string()))?;
    let id = crate::graph::fields::normalize_account_id(&wire.id)
        .ok_or_else(|| DecodeError(format!("bad id {:?}", wire.id)))?;
    let currency = wire
        .currency
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "USD".to_owned())
        .to_ascii_uppercase();
    let status_code = wire.account_status.as_ref().and_then(as_u32).unwrap_or(0);
    let disable_code = wire.disable_reason.as_ref().and_then(as_u32).unwrap_or(0);
    let minor = |field: &Option<Value>, name: &str| -> Option<Decimal> {
        let raw = as_text(field.as_ref()?)?;
        money::from_minor_units(&raw, &currency)
            .map_err(|e| tracing::warn!(account = %id, field = name, "ignoring {e}"))
            .ok()
    };
    let amount_spent = minor(&wire.amount_spent, "amount_spent");
    let spend_cap = minor(&wire.spend_cap, "spend_cap").filter(|cap| !cap.is_zero());
    let balance = minor(&wire.balance, "balance");

    let (datasets, more_datasets) = decode_datasets(wire.adspixels.as_ref());
    let spend_today = Some(sum_spend(wire.insights.as_ref(), &currency));

    Ok(FetchedAccount {
        account: Account {
            name: wire.name.unwrap_or_else(|| id.clone()),
            id,
            status: AccountStatus::from_code(status_code),
            status_code,
            disable_reason: DisableReason::from_code(disable_code),
            timezone: wire.timezone_name,
            business: wire.business.map(|b| Business {
                name: b.name.unwrap_or_else(|| b.id.clone()),
                id: b.id,
            }),
            amount_spent,
            spend_cap,
            balance,
            spend_today,
            spend_last_30d: None,
            datasets,
            tos_accepted: accepted_keys(wire.tos_accepted.as_ref()),
            user_tos_accepted: accepted_keys(wire.user_tos_accepted.as_ref()),
            tasks: wire.user_tasks.unwrap_or_default(),
            refreshed_at: Some(now),
            error: None,
            reach: Reach::Reachable,
            is_new: false,
            revision: 0,
            currency,
        },
        more_datasets,
    })
}

/// Sums `spend` over insights rows (`{data:[{spend}]}`); no rows means zero.
pub fn sum_spend(insights: Option<&Value>, currency: &str) -> Decimal {
    let mut total = money::zero(currency);
    let rows = insights
        .and_then(|v| v.get("data"))
        .and_then(Value::as_array);
    for row in rows.into_iter().flatten() {
        if let Some(raw) = row.get("spend").and_then(as_text) {
            match money::from_major_units(&raw, currency) {
                Ok(value) => total += value,
                Err(e) => tracing::warn!("ignoring insights spend: {e}"),
            }
        }
    }
    total
}

/// Datasets from an `adspixels` edge (`{data, paging}`) or a bare list.
pub fn decode_datasets(edge: Option<&Value>) -> (Vec<Dataset>, Option<String>) {
    let Some(edge) = edge else {
        return (Vec::new(), None);
    };
    let items = edge
        .get("data")
        .and_then(Value::as_array)
        .or_else(|| edge.as_array());
    let datasets = items
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let id = item.get("id").and_then(as_text)?;
            Some(Dataset {
                name: item
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| id.clone(), str::to_owned),
                last_fired_time: item
                    .get("last_fired_time")
                    .and_then(Value::as_str)
                    .and_then(parse_meta_time),
                is_unavailable: item
                    .get("is_unavailable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                id,
            })
        })
        .collect();
    let next = edge
        .get("paging")
        .and_then(|p| p.get("next"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    (datasets, next)
}

/// Meta writes `2026-10-01T12:00:00+0000`; RFC 3339 is accepted too.
pub fn parse_meta_time(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(raw))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            raw.parse::<i64>()
                .ok()
                .and_then(|secs| DateTime::from_timestamp(secs, 0))
        })
}

/// `{"custom_audience_tos": 1, …}` → the keys whose value means accepted.
/// Also tolerates a list of keys.
fn accepted_keys(value: Option<&Value>) -> Vec<String> {
    let mut keys: Vec<String> = match value {
        Some(Value::Object(map)) => accepted_from_map(map),
        Some(Value::Array(list)) => list.iter().filter_map(as_text).collect(),
        _ => Vec::new(),
    };
    keys.sort();
    keys
}

fn accepted_from_map(map: &Map<String, Value>) -> Vec<String> {
    map.iter()
        .filter(|(_, v)| match v {
            Value::Number(n) => n.as_i64() == Some(1),
            Value::Bool(b) => *b,
            Value::String(s) => s == "1" || s.eq_ignore_ascii_case("true"),
            _ => false,
        })
        .map(|(k, _)| k.clone())
        .collect()
}

fn as_u32(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `/me?fields=id,name`
pub fn decode_profile(value: &Value) -> Option<Profile> {
    let id = value.get("id").and_then(as_text)?;
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .map_or_else(|| id.clone(), str::to_owned);
    Some(Profile { id, name })
}

/// `/me/permissions` → granted / declined / expired scope names.
pub fn decode_permissions(value: &Value) -> crate::model::Permissions {
    let mut permissions = crate::model::Permissions::default();
    let rows = value.get("data").and_then(Value::as_array);
    for row in rows.into_iter().flatten() {
        let (Some(name), Some(status)) = (
            row.get("permission").and_then(Value::as_str),
            row.get("status").and_then(Value::as_str),
        ) else {
            continue;
        };
        let list = match status {
            "granted" => &mut permissions.granted,
            "declined" => &mut permissions.declined,
            "expired" => &mut permissions.expired,
            _ => continue,
        };
        list.push(name.to_owned());
    }
    permissions
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    #[test]
    fn decodes_the_reference_sample() {
        let value = json!({
            "id": "act_607930781508916", "account_id": "607930781508916",
            "name": "Pareto's Ad Account", "account_status": 1, "disable_reason": 0,
            "currency": "ZAR", "timezone_name": "Africa/Johannesburg",
            "amount_spent": "123456", "spend_cap": "0", "balance": "0",
            "business": {"id": "607930781508916", "name": "Pareto Marketing Automation"},
            "owner": "607930781508916",
            "user_tasks": ["DRAFT", "ANALYZE", "ADVERTISE", "MANAGE"],
            "tos_accepted": {"custom_audience_tos": 1, "web_custom_audience_tos": 1},
            "is_prepay_account": false, "created_time": "2023-08-28T20:36:13+0200"
        });
        let a = decode_account(&value, now()).unwrap().account;
        assert_eq!(a.id, "act_607930781508916");
        assert_eq!(a.status, AccountStatus::Active);
        assert_eq!(a.amount_spent.unwrap().to_string(), "1234.56");
        assert_eq!(a.spend_cap, None, "0 means no cap");
        assert_eq!(a.balance.unwrap().to_string(), "0.00");
        assert_eq!(
            a.spend_today.unwrap().to_string(),
            "0.00",
            "no insights rows means 0"
        );
        assert_eq!(
            a.tos_accepted,
            vec!["custom_audience_tos", "web_custom_audience_tos"]
        );
        assert_eq!(a.business.unwrap().name, "Pareto Marketing Automation");
        assert_eq!(a.tasks.len(), 4);
    }

    #[test]
    fn decodes_nested_datasets_and_today_spend() {
        let value = json!({
            "id": "act_1", "currency": "JPY", "amount_spent": "150000", "spend_cap": "500000",
            "adspixels": {"data": [
                {"id": "11", "name": "Shop", "last_fired_time": "2026-10-01T12:00:00+0000", "is_unavailable": false},
                {"id": "12", "name": "Old", "is_unavailable": true}
            ], "paging": {"cursors": {"after": "x"}, "next": "https://graph.facebook.com/v27.0/act_1/adspixels?after=x"}},
            "insights": {"data": [{"spend": "1234", "date_start": "2026-11-27", "date_stop": "2026-11-27"}]}
        });
        let fetched = decode_account(&value, now()).unwrap();
        let a = fetched.account;
        assert_eq!(a.amount_spent.unwrap().to_string(), "150000");
        assert_eq!(a.spend_cap.unwrap().to_string(), "500000");
        assert_eq!(a.spend_today.unwrap().to_string(), "1234");
        assert_eq!(a.datasets.len(), 2);
        assert_eq!(
            a.datasets[0].last_fired_time.unwrap().to_rfc3339(),
            "2026-10-01T12:00:00+00:00"
        );
        assert!(a.datasets[0].last_fired_time.is_some());
        assert!(a.datasets[1].is_unavailable);
        assert!(a.datasets[1].last_fired_time.is_none());
        assert!(fetched.more_datasets.is_some());
    }

    #[test]
    fn tolerates_strings_for_numbers_and_unknown_fields() {
        let value = json!({"id": "act_2", "account_status": "3", "disable_reason": "3", "amount_spent": 250, "new_field": {"x": 1}});
        let a = decode_account(&value, now()).unwrap().account;
        assert_eq!(a.status, AccountStatus::Unsettled);
        assert_eq!(a.disable_reason, DisableReason::RiskPayment);
        assert_eq!(a.amount_spent.unwrap().to_string(), "2.50");
        assert_eq!(a.name, "act_2");
    }

    #[test]
    fn bad_money_is_unknown_not_zero() {
        let value = json!({"id": "act_3", "amount_spent": "12.x"});
        assert_eq!(
            decode_account(&value, now()).unwrap().account.amount_spent,
            None
        );
    }

    #[test]
    fn rejects_objects_without_a_usable_id() {
        assert!(decode_account(&json!({"name": "x"}), now()).is_err());
        assert!(decode_account(&json!({"id": "page_1"}), now()).is_err());
    }

    #[test]
    fn permissions_are_grouped_by_status() {
        let p = decode_permissions(&json!({"data": [
            {"permission": "ads_read", "status": "granted"},
            {"permission": "ads_management", "status": "granted"},
            {"permission": "business_management", "status": "declined"},
            {"permission": "public_profile", "status": "granted"},
            {"permission": "email", "status": "expired"}
        ]}));
        assert_eq!(
            p.granted,
            vec!["ads_read", "ads_management", "public_profile"]
        );
        assert_eq!(p.declined, vec!["business_management"]);
        assert_eq!(p.expired, vec!["email"]);
    }

    #[test]
    fn spend_sums_rows_exactly() {
        let insights = json!({"data": [{"spend": "0.1"}, {"spend": "0.2"}]});
        assert_eq!(sum_spend(Some(&insights), "USD").to_string(), "0.30");
        assert_eq!(sum_spend(None, "KRW").to_string(), "0");
    }
}
