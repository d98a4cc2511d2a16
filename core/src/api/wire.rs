//! Graph's JSON shapes (the `…Wire` structs each endpoint returns) and their
//! conversion to the domain. Every field is read leniently: numbers may come
//! as strings, maps as lists, unknown fields are ignored, absent edges mean
//! "none", texts are bounded. Money is strict: an amount that does not parse
//! or does not add up exactly is a field error on the row, never zero.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::text::{as_text, bounded, text};
use crate::ads::{AdHealth, AdLimit, Counter};
pub use crate::graph::page::More;
use crate::graph::{AccountId, Page};
use crate::model::{
    Account, AccountStatus, Business, Dataset, DisableReason, FieldError, Permissions, Profile,
    Reach,
};
use crate::money;

/// Lists inside one account (tasks, ToS keys) longer than this are cut.
const MAX_LIST: usize = 100;

/// `GET /me?fields=id,name`
#[derive(Debug, Clone, Deserialize)]
pub struct MeWire {
    id: Value,
    #[serde(default)]
    name: Option<Value>,
}

/// One row of `GET /me/permissions`.
#[derive(Debug, Clone, Deserialize)]
pub struct PermissionWire {
    #[serde(default)]
    permission: Option<Value>,
    #[serde(default)]
    status: Option<Value>,
}

/// An ad account node (`/act_X?fields=…`, or an item of `/me/adaccounts`).
#[derive(Debug, Clone, Deserialize)]
pub struct AccountWire {
    id: Value,
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    account_status: Option<Value>,
    #[serde(default)]
    disable_reason: Option<Value>,
    #[serde(default)]
    currency: Option<Value>,
    #[serde(default)]
    timezone_name: Option<Value>,
    #[serde(default)]
    timezone_offset_hours_utc: Option<Value>,
    #[serde(default)]
    is_prepay_account: Option<Value>,
    #[serde(default)]
    amount_spent: Option<Value>,
    #[serde(default)]
    spend_cap: Option<Value>,
    #[serde(default)]
    balance: Option<Value>,
    #[serde(default)]
    business: Option<Value>,
    #[serde(default)]
    user_tasks: Option<Value>,
    #[serde(default)]
    tos_accepted: Option<Value>,
    #[serde(default)]
    user_tos_accepted: Option<Value>,
    #[serde(default)]
    adspixels: Option<Value>,
    #[serde(default)]
    insights: Option<Value>,
    #[serde(default)]
    ads: Option<Value>,
}

/// A business with its owned and client ad accounts expanded (ids only).
#[derive(Debug, Clone, Deserialize)]
pub struct BusinessWire {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    pub owned_ad_accounts: Option<Value>,
    #[serde(default)]
    pub client_ad_accounts: Option<Value>,
}

/// An item that is only an id (the businesses' account edges).
#[derive(Debug, Clone, Deserialize)]
pub struct IdWire {
    id: Value,
}

impl BusinessWire {
    /// The business's id, when it is a plain number (it goes into a path).
    pub fn id(&self) -> Option<String> {
        let id = as_text(self.id.as_ref()?)?;
        (!id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
    }
}

impl IdWire {
    pub fn account_id(&self) -> Option<AccountId> {
        AccountId::parse(&as_text(&self.id)?)
    }
}

/// A dataset (pixel) item.
#[derive(Debug, Clone, Deserialize)]
pub struct DatasetWire {
    id: Value,
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    last_fired_time: Option<Value>,
    #[serde(default)]
    is_unavailable: Option<Value>,
}

/// `GET /act_X/insights?fields=spend…`: rows of spend in major units. Rows
/// are kept as values so that one unreadable row fails the sum instead of
/// being left out of it.
#[derive(Debug, Clone, Deserialize)]
pub struct InsightsWire {
    data: Vec<Value>,
}

/// An account read from Graph, before the last-30-days spend is known.
#[derive(Debug, Clone)]
pub struct FetchedAccount {
    pub account: Account,
    /// Meta says the account is prepaid: its funds are read separately.
    pub prepaid: bool,
    /// Where the nested datasets edge goes on, when it has more.
    pub more_datasets: Option<More>,
    /// The ads counted so far and where the nested ads edge goes on, when
    /// more are worth reading.
    pub more_ads: Option<(Counter, More)>,
}

/// Why an account object could not be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable ad account: {0}")]
pub struct DecodeError(pub String);

/// Reads an account from any JSON value (a batch item's body).
pub fn decode_account(value: &Value, now: DateTime<Utc>) -> Result<FetchedAccount, DecodeError> {
    let wire = AccountWire::deserialize(value)
        .map_err(|_| DecodeError("the account is not an object with an id".to_owned()))?;
    account(wire, now)
}

pub fn account(wire: AccountWire, now: DateTime<Utc>) -> Result<FetchedAccount, DecodeError> {
    let id = as_text(&wire.id)
        .and_then(|raw| AccountId::parse(&raw))
        .ok_or_else(|| DecodeError("the account id is not act_<digits>".to_owned()))?;
    let currency = currency(wire.currency.as_ref());
    let status_code = wire.account_status.as_ref().and_then(as_u32).unwrap_or(0);
    let disable_code = wire.disable_reason.as_ref().and_then(as_u32).unwrap_or(0);
    let mut field_errors = Vec::new();
    let money = Amounts::read(&wire, &currency, &mut field_errors);
    let (datasets, more_datasets) = datasets(wire.adspixels).unwrap_or_else(|reason| {
        field_errors.push(FieldError::new("datasets", reason));
        (Vec::new(), None)
    });
    let prepaid = super::wire_money::is_prepaid(wire.is_prepay_account.as_ref());
    let (ad_counts, more_ads) =
        super::wire_ads::nested_counts(wire.ads.as_ref(), &mut field_errors);
    Ok(FetchedAccount {
        prepaid,
        account: Account {
            name: text(wire.name.as_ref()).unwrap_or_else(|| id.to_string()),
            id,
            status: AccountStatus::from_code(status_code),
            status_code,
            disable_reason: DisableReason::from_code(disable_code),
            timezone: text(wire.timezone_name.as_ref()),
            business: business(wire.business.as_ref()),
            amount_spent: money.amount_spent,
            spend_cap: money.spend_cap,
            balance: money.balance,
            spend_today: money.spend_today,
            spend_last_30d: None,
            spend_daily: Vec::new(),
            utc_offset_minutes: super::wire_money::utc_offset_minutes(
                wire.timezone_offset_hours_utc.as_ref(),
            ),
            funds: Default::default(),
            datasets,
            tos_accepted: accepted_keys(wire.tos_accepted.as_ref()),
            user_tos_accepted: accepted_keys(wire.user_tos_accepted.as_ref()),
            tasks: strings(wire.user_tasks.as_ref()),
            refreshed_at: Some(now),
            error: None,
            reach: Reach::Reachable,
            is_new: false,
            revision: 0,
            currency,
            field_errors,
            logins: Vec::new(),
            via: None,
            fallback: None,
            ads: AdHealth {
                counts: ad_counts,
                limit: AdLimit::NotRead,
            },
        },
        more_datasets,
        more_ads,
    })
}

/// The currency code, upper case (USD when absent or implausible).
fn currency(value: Option<&Value>) -> String {
    text(value)
        .filter(|c| !c.trim().is_empty() && c.len() <= 8)
        .unwrap_or_else(|| "USD".to_owned())
        .to_ascii_uppercase()
}

/// An account's amounts, each exact or unknown (with a field error saying why).
struct Amounts {
    amount_spent: Option<Decimal>,
    spend_cap: Option<Decimal>,
    balance: Option<Decimal>,
    spend_today: Option<Decimal>,
}

impl Amounts {
    fn read(wire: &AccountWire, currency: &str, errors: &mut Vec<FieldError>) -> Self {
        let mut minor = |field: &Option<Value>, name: &str| -> Option<Decimal> {
            let value = field.as_ref().filter(|v| !v.is_null())?;
            as_text(value)
                .ok_or(money::MoneyError::NotAnAmount)
                .and_then(|raw| money::from_minor_units(&raw, currency))
                .map_err(|e| errors.push(FieldError::new(name, e.to_string())))
                .ok()
        };
        let amount_spent = minor(&wire.amount_spent, "amount_spent");
        // Meta sends "0" for an account without a spending cap.
        let spend_cap = minor(&wire.spend_cap, "spend_cap").filter(|cap| !cap.is_zero());
        let balance = minor(&wire.balance, "balance");
        let spend_today = sum_spend(wire.insights.as_ref(), currency)
            .map_err(|e| errors.push(FieldError::new("spend_today", e.to_string())))
            .ok();
        Self {
            amount_spent,
            spend_cap,
            balance,
            spend_today,
        }
    }
}

fn business(value: Option<&Value>) -> Option<Business> {
    let object = value?.as_object()?;
    let id = object.get("id").and_then(as_text)?;
    Some(Business {
        name: text(object.get("name")).unwrap_or_else(|| id.clone()),
        id: bounded(&id),
    })
}

/// Sums `spend` over insights rows (`{data:[{spend}]}`); no rows means zero.
/// A row that cannot be read, or a total too large to be exact, is an error.
pub fn sum_spend(insights: Option<&Value>, currency: &str) -> Result<Decimal, money::MoneyError> {
    let Some(insights) = insights.filter(|v| !v.is_null()) else {
        return Ok(money::zero(currency));
    };
    let wire = InsightsWire::deserialize(insights).map_err(|_| money::MoneyError::NotAnAmount)?;
    wire.total_spend(currency)
}

impl InsightsWire {
    pub fn total_spend(&self, currency: &str) -> Result<Decimal, money::MoneyError> {
        let mut total = money::zero(currency);
        for row in &self.data {
            let raw = row
                .get("spend")
                .and_then(as_text)
                .ok_or(money::MoneyError::NotAnAmount)?;
            let value = money::from_major_units(&raw, currency)?;
            total = total
                .checked_add(value)
                .ok_or(money::MoneyError::TooLarge)?;
        }
        Ok(total)
    }
}

/// Datasets from an `adspixels` edge (`{data, paging}`), and its next link.
fn datasets(edge: Option<Value>) -> Result<(Vec<Dataset>, Option<More>), String> {
    let Some(edge) = edge.filter(|v| !v.is_null()) else {
        return Ok((Vec::new(), None));
    };
    let page = Page::<DatasetWire>::from_value(edge)
        .map_err(|_| "the datasets could not be read".to_owned())?;
    let more = page.next.clone().map(|next| More {
        after: page.after.clone(),
        next,
    });
    Ok((page.items.iter().filter_map(dataset).collect(), more))
}

/// A page of datasets (followed from an account's nested edge).
pub fn dataset_page(page: &Page<DatasetWire>) -> Vec<Dataset> {
    page.items.iter().filter_map(dataset).collect()
}

fn dataset(item: &DatasetWire) -> Option<Dataset> {
    let id = bounded(&as_text(&item.id)?);
    Some(Dataset {
        name: text(item.name.as_ref()).unwrap_or_else(|| id.clone()),
        last_fired_time: item
            .last_fired_time
            .as_ref()
            .and_then(as_text)
            .and_then(|t| parse_meta_time(&t)),
        is_unavailable: matches!(item.is_unavailable, Some(Value::Bool(true))),
        id,
    })
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
        Some(Value::Array(_)) => strings(value),
        _ => Vec::new(),
    };
    keys.sort();
    keys.truncate(MAX_LIST);
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
        .map(|(k, _)| bounded(k))
        .collect()
}

/// A list of texts (`user_tasks`); anything that is not text is left out.
fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(as_text)
        .map(|s| bounded(&s))
        .take(MAX_LIST)
        .collect()
}

fn as_u32(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl MeWire {
    pub fn profile(&self) -> Option<Profile> {
        let id = bounded(&as_text(&self.id)?);
        Some(Profile {
            name: text(self.name.as_ref()).unwrap_or_else(|| id.clone()),
            id,
        })
    }
}

/// `/me?fields=id,name` from any value (tests, login).
pub fn decode_profile(value: &Value) -> Option<Profile> {
    MeWire::deserialize(value).ok()?.profile()
}

/// `/me/permissions` rows → granted / declined / expired scope names.
pub fn permissions(rows: &[PermissionWire], into: &mut Permissions) {
    for row in rows {
        let (Some(name), Some(status)) = (
            row.permission.as_ref().and_then(Value::as_str),
            row.status.as_ref().and_then(Value::as_str),
        ) else {
            continue;
        };
        let list = match status {
            "granted" => &mut into.granted,
            "declined" => &mut into.declined,
            "expired" => &mut into.expired,
            _ => continue,
        };
        if list.len() < MAX_LIST && !list.iter().any(|p| p == name) {
            list.push(bounded(name));
        }
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
