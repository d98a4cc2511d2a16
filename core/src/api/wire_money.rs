//! The wire shapes behind the money forecasts: daily insights rows, the
//! account's offset from UTC, and prepaid funds (`funding_source_details`,
//! whose remaining balance Meta may give only inside a localized text).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::text::as_text;
use crate::forecast::{DaySpend, Funds};
use crate::money::{self, MoneyError};

/// Days of insights one reply may carry (30 days and a margin); the call
/// asks for this many per page so that one page holds the whole range.
pub const MAX_DAYS: usize = 40;

/// `GET /act_X/insights?…&time_increment=1`: one row per day with spend.
#[derive(Debug, Clone, Deserialize)]
pub struct DailyInsightsWire {
    data: Vec<Value>,
    #[serde(default)]
    paging: Option<Value>,
}

/// What a daily insights reply says: each day's spend, and whether more
/// days were left on another page (then the total is not the whole range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailySpend {
    pub days: Vec<DaySpend>,
    pub partial: bool,
}

impl DailySpend {
    pub fn total(&self, currency: &str) -> Result<Decimal, MoneyError> {
        self.days
            .iter()
            .try_fold(money::zero(currency), |sum, d| sum.checked_add(d.spend))
            .ok_or(MoneyError::TooLarge)
    }
}

/// Reads daily rows (`{data:[{date_start, spend}]}`); a row that cannot be
/// read fails the whole reply rather than being left out of a sum.
pub fn daily_spend(value: &Value, currency: &str) -> Result<DailySpend, MoneyError> {
    if value.is_null() {
        return Ok(DailySpend {
            days: Vec::new(),
            partial: false,
        });
    }
    let wire = DailyInsightsWire::deserialize(value).map_err(|_| MoneyError::NotAnAmount)?;
    if wire.data.len() > MAX_DAYS {
        return Err(MoneyError::TooLarge);
    }
    let mut days = Vec::with_capacity(wire.data.len());
    for row in &wire.data {
        let date = row
            .get("date_start")
            .and_then(as_text)
            .and_then(|raw| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok())
            .ok_or(MoneyError::NotAnAmount)?;
        let raw = row
            .get("spend")
            .and_then(as_text)
            .ok_or(MoneyError::NotAnAmount)?;
        days.push(DaySpend {
            date,
            spend: money::from_major_units(&raw, currency)?,
        });
    }
    let partial = wire
        .paging
        .as_ref()
        .and_then(|p| p.get("next"))
        .is_some_and(|next| !next.is_null());
    Ok(DailySpend { days, partial })
}

/// `timezone_offset_hours_utc` (a number of hours, maybe fractional) as
/// minutes; `None` when absent or not a plausible offset.
pub fn utc_offset_minutes(value: Option<&Value>) -> Option<i32> {
    let hours = match value? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !hours.is_finite() || hours.abs() > 14.0 {
        return None;
    }
    // Offsets are whole quarter hours: the rounding is exact and in range.
    Some((hours * 4.0).round() as i32 * 15)
}

/// `is_prepay_account`: `true` only when Meta says so plainly.
pub fn is_prepaid(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::Bool(true)))
        || matches!(value, Some(Value::String(s)) if s.eq_ignore_ascii_case("true"))
}

/// The type of a stored balance (prepaid funds) in `funding_source_details`.
const STORED_BALANCE: u64 = 20;

/// The funds left on a prepaid account, from `funding_source_details`:
/// `amount` (basic units, like every account-level amount), else
/// `display_amount`, else the number inside a stored balance's
/// `display_string` ("Available Balance ($24.52 USD)", "Saldo disponible
/// ($14.000 COP)"), read in the account's currency.
pub fn prepaid_funds(details: Option<&Value>, currency: &str) -> Funds {
    let Some(details) = details.and_then(Value::as_object) else {
        return Funds::Unreadable;
    };
    if let Some(raw) = details.get("amount").and_then(as_text) {
        return money::from_minor_units(&raw, currency)
            .map_or(Funds::Unreadable, |amount| Funds::Left { amount });
    }
    let stored_balance = details
        .get("type")
        .and_then(|t| t.as_u64().or_else(|| as_text(t)?.trim().parse().ok()))
        .is_none_or(|t| t == STORED_BALANCE);
    let text = details
        .get("display_amount")
        .and_then(as_text)
        .or_else(|| stored_balance.then(|| details.get("display_string").and_then(as_text))?);
    text.and_then(|t| amount_in_text(&t, currency))
        .map_or(Funds::Unreadable, |amount| Funds::Left { amount })
}

/// The one amount in a localized text, in major units: the digits with
/// their separators, where a last separator followed by exactly three
/// digits groups thousands and any other last separator marks decimals.
pub fn amount_in_text(text: &str, currency: &str) -> Option<Decimal> {
    if text.len() > 200 {
        return None;
    }
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let part_of_number = |c: char| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\u{a0}');
    let consumed = text[start..]
        .char_indices()
        .take_while(|(_, c)| part_of_number(*c))
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    let number: String = text[start..start + consumed]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let number = number.trim_end_matches(['.', ',']);
    // A second amount in the text makes it ambiguous.
    if text[start + consumed..].contains(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let negative = text[..start].trim_end().ends_with('-');
    let last_separator = number.rfind(['.', ',']);
    let (whole, fraction) = match last_separator {
        Some(at) if number.len() - at - 1 != 3 => (&number[..at], &number[at + 1..]),
        _ => (number, ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    let canonical = if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    };
    let signed = if negative {
        format!("-{canonical}")
    } else {
        canonical
    };
    money::from_major_units(&signed, currency).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::str::FromStr;

    fn d(raw: &str) -> Decimal {
        Decimal::from_str(raw).unwrap()
    }

    #[test]
    fn daily_rows_are_read_exactly_or_not_at_all() {
        let reply = json!({"data": [
            {"date_start": "2026-12-01", "date_stop": "2026-12-01", "spend": "12.5"},
            {"date_start": "2026-12-02", "date_stop": "2026-12-02", "spend": "0.07"}
        ], "paging": {"cursors": {"before": "x", "after": "y"}}});
        let daily = daily_spend(&reply, "USD").unwrap();
        assert_eq!(daily.days.len(), 2);
        assert!(!daily.partial);
        assert_eq!(daily.total("USD").unwrap(), d("12.57"));
        let jpy = daily_spend(
            &json!({"data": [{"date_start": "2026-12-01", "spend": "5340"}]}),
            "JPY",
        )
        .unwrap();
        assert_eq!(jpy.total("JPY").unwrap(), d("5340"));
        assert!(
            daily_spend(
                &json!({"data": [{"date_start": "yesterday", "spend": "1"}]}),
                "USD"
            )
            .is_err()
        );
        assert!(
            daily_spend(
                &json!({"data": [{"date_start": "2026-12-01", "spend": "lots"}]}),
                "USD"
            )
            .is_err()
        );
        let more = json!({"data": [], "paging": {"next": "https://graph.facebook.com/v27.0/act_1/insights?after=x"}});
        assert!(daily_spend(&more, "USD").unwrap().partial);
    }

    #[test]
    fn offsets_are_quarter_hours_within_the_earth_s_range() {
        assert_eq!(utc_offset_minutes(Some(&json!(-8))), Some(-480));
        assert_eq!(utc_offset_minutes(Some(&json!(5.5))), Some(330));
        assert_eq!(utc_offset_minutes(Some(&json!("5.75"))), Some(345));
        assert_eq!(utc_offset_minutes(Some(&json!(14))), Some(840));
        assert_eq!(utc_offset_minutes(Some(&json!(1e300))), None);
        assert_eq!(utc_offset_minutes(Some(&json!("x"))), None);
        assert_eq!(utc_offset_minutes(None), None);
    }

    #[test]
    fn prepaid_funds_from_whichever_field_meta_sent() {
        let left = |v: Value, c: &str| prepaid_funds(Some(&v), c);
        assert_eq!(
            left(json!({"amount": "2452", "type": 20}), "USD"),
            Funds::Left { amount: d("24.52") }
        );
        assert_eq!(
            left(json!({"amount": 14000, "type": 20}), "COP"),
            Funds::Left { amount: d("14000") }
        );
        assert_eq!(
            left(json!({"display_amount": "ZAR0.09"}), "ZAR"),
            Funds::Left { amount: d("0.09") }
        );
        assert_eq!(
            left(
                json!({"display_string": "Available Balance ($24.52 USD)", "type": 20}),
                "USD"
            ),
            Funds::Left { amount: d("24.52") }
        );
        assert_eq!(
            left(
                json!({"display_string": "Saldo disponible ($14.000 COP)", "type": 20}),
                "COP"
            ),
            Funds::Left { amount: d("14000") }
        );
        assert_eq!(
            left(
                json!({"display_string": "Available Balance ($14,000.00 COP)", "type": "20"}),
                "COP"
            ),
            Funds::Left {
                amount: d("14000.00")
            }
        );
        assert_eq!(
            left(
                json!({"display_string": "Guthaben: 1.234,56 €", "type": 20}),
                "EUR"
            ),
            Funds::Left {
                amount: d("1234.56")
            }
        );
        assert_eq!(
            left(json!({"display_string": "Prepago (¥120,000)"}), "JPY"),
            Funds::Left {
                amount: d("120000")
            }
        );
        // A card's label is not a balance; two amounts are ambiguous; junk is unreadable.
        assert_eq!(
            left(json!({"display_string": "VISA *3458", "type": 1}), "USD"),
            Funds::Unreadable
        );
        assert_eq!(
            left(json!({"display_string": "$5 of $10", "type": 20}), "USD"),
            Funds::Unreadable
        );
        assert_eq!(left(json!({"amount": "many"}), "USD"), Funds::Unreadable);
        assert_eq!(prepaid_funds(None, "USD"), Funds::Unreadable);
    }
}
