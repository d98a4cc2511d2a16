//! Money as exact decimals. Account-level amounts (`amount_spent`, `spend_cap`,
//! `balance`) come from Meta as integer strings in the currency's basic unit
//! (cents for USD, yen for JPY); insights `spend` is already a decimal string in
//! major units. Nothing here ever goes through `f64`.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Currencies whose Marketing API offset is 1 (no minor unit), per Meta's
/// currencies page. Every other currency has offset 100.
const OFFSET_ONE: [&str; 10] = [
    "CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD",
];

/// Why an amount from Meta could not be used. Never carries the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Meta sent something that is not an amount")]
    NotAnAmount,
    #[error("the amount is too large to be kept exactly")]
    TooLarge,
}

/// The factor between Meta's integer amounts and the major unit.
pub fn currency_offset(currency: &str) -> u32 {
    if OFFSET_ONE
        .iter()
        .any(|code| code.eq_ignore_ascii_case(currency.trim()))
    {
        1
    } else {
        100
    }
}

/// Digits after the decimal point when the currency is shown in major units.
pub fn currency_decimals(currency: &str) -> u32 {
    if currency_offset(currency) == 1 { 0 } else { 2 }
}

/// `"123456"` in USD → `1234.56`; in JPY → `123456`.
pub fn from_minor_units(raw: &str, currency: &str) -> Result<Decimal, MoneyError> {
    let trimmed = raw.trim();
    let well_formed = {
        let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    if !well_formed {
        return Err(MoneyError::NotAnAmount);
    }
    let minor: i128 = trimmed.parse().map_err(|_| MoneyError::TooLarge)?;
    let scale = currency_decimals(currency);
    Decimal::try_from_i128_with_scale(minor, scale).map_err(|_| MoneyError::TooLarge)
}

/// Insights `spend` (`"5339.5"`) → `5339.50` in USD, `5340` stays `5340` in JPY.
pub fn from_major_units(raw: &str, currency: &str) -> Result<Decimal, MoneyError> {
    let trimmed = raw.trim();
    if trimmed.len() > 64 {
        return Err(MoneyError::TooLarge);
    }
    let mut value = Decimal::from_str(trimmed)
        .or_else(|_| Decimal::from_scientific(trimmed))
        .map_err(|_| MoneyError::NotAnAmount)?;
    let scale = currency_decimals(currency);
    if value.scale() < scale {
        value.rescale(scale);
    }
    Ok(value)
}

/// Zero in the currency's display scale (`0.00`, or `0` for JPY).
pub fn zero(currency: &str) -> Decimal {
    let mut value = Decimal::ZERO;
    value.rescale(currency_decimals(currency));
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_one_currencies_have_no_minor_unit() {
        for code in OFFSET_ONE {
            assert_eq!(currency_offset(code), 1, "{code}");
        }
        assert_eq!(currency_offset("jpy"), 1);
        assert_eq!(currency_offset("USD"), 100);
        assert_eq!(currency_offset("EUR"), 100);
        assert_eq!(currency_offset("ZAR"), 100);
    }

    #[test]
    fn minor_units_divide_by_the_offset_exactly() {
        assert_eq!(
            from_minor_units("123456", "USD").unwrap().to_string(),
            "1234.56"
        );
        assert_eq!(from_minor_units("5", "EUR").unwrap().to_string(), "0.05");
        assert_eq!(from_minor_units("0", "GBP").unwrap().to_string(), "0.00");
        assert_eq!(
            from_minor_units("123456", "JPY").unwrap().to_string(),
            "123456"
        );
        assert_eq!(
            from_minor_units("-250", "USD").unwrap().to_string(),
            "-2.50"
        );
    }

    #[test]
    fn huge_amounts_stay_exact() {
        // Beyond f64's 2^53: a float would round the last digits.
        let value = from_minor_units("9007199254740993", "USD").unwrap();
        assert_eq!(value.to_string(), "90071992547409.93");
    }

    #[test]
    fn insights_spend_is_major_units() {
        assert_eq!(
            from_major_units("5339.5", "USD").unwrap().to_string(),
            "5339.50"
        );
        assert_eq!(from_major_units("12", "USD").unwrap().to_string(), "12.00");
        assert_eq!(from_major_units("5340", "JPY").unwrap().to_string(), "5340");
        assert_eq!(
            from_major_units("0.125", "USD").unwrap().to_string(),
            "0.125"
        );
        assert_eq!(
            from_major_units("1e2", "USD").unwrap().to_string(),
            "100.00"
        );
    }

    #[test]
    fn garbage_is_an_error_not_zero() {
        assert!(from_minor_units("12.5", "USD").is_err());
        assert!(from_minor_units("", "USD").is_err());
        assert!(from_major_units("abc", "USD").is_err());
    }

    #[test]
    fn zero_has_the_currency_scale() {
        assert_eq!(zero("USD").to_string(), "0.00");
        assert_eq!(zero("KRW").to_string(), "0");
    }
}
