//! Table tests for the money forecasts.

use std::str::FromStr;

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::model::{AccountStatus, DisableReason};

fn d(raw: &str) -> Decimal {
    Decimal::from_str(raw).unwrap()
}

fn date(raw: &str) -> NaiveDate {
    NaiveDate::from_str(raw).unwrap()
}

/// Seven days ending 2026-12-02, with these amounts, oldest first.
fn week(amounts: [&str; 7]) -> Vec<DaySpend> {
    amounts
        .iter()
        .enumerate()
        .map(|(i, a)| DaySpend {
            date: date("2026-11-26") + chrono::Duration::days(i as i64),
            spend: d(a),
        })
        .collect()
}

#[test]
fn the_pace_starts_when_spending_did() {
    let cases: [([&str; 7], Option<&str>); 5] = [
        (["10", "10", "10", "10", "10", "10", "10"], Some("10")),
        (["0", "0", "0", "0", "30", "30", "0"], Some("20")),
        (["0", "0", "0", "0", "0", "0", "0"], None),
        (
            ["1.50", "2.50", "0", "0", "0", "0", "0"],
            Some("0.5714285714285714285714285714"),
        ),
        (
            ["1000", "2000", "3000", "0", "0", "0", "0"],
            Some("857.14285714285714285714285714"),
        ),
    ];
    for (amounts, want) in cases {
        assert_eq!(pace(&week(amounts)), want.map(d), "{amounts:?}");
    }
}

#[test]
fn days_left_round_down_and_reached_is_zero() {
    let cases = [
        ("100", Some("30"), Some(3)),
        ("89.99", Some("30"), Some(2)),
        ("0", Some("30"), Some(0)),
        ("-5", Some("30"), Some(0)),
        ("100", None, None),
        ("100", Some("0"), None),
        // JPY and KRW: no minor unit.
        ("150000", Some("49999"), Some(3)),
        ("1300000", Some("1300001"), Some(0)),
        // A cap centuries away is capped at a hundred years.
        ("79228162514264337593543950335", Some("0.01"), Some(36_500)),
    ];
    for (left, pace, want) in cases {
        assert_eq!(days_left(d(left), pace.map(d)), want, "{left} at {pace:?}");
    }
}

fn account(
    cap: Option<&str>,
    spent: &str,
    currency: &str,
    amounts: [&str; 7],
) -> crate::model::Account {
    let mut book = crate::book::AccountBook::new();
    let id = crate::graph::AccountId::parse("act_1").unwrap();
    let problem = crate::problem::declined_scopes(&[], Utc::now());
    let mut a = book.apply_failure(&id, problem).clone();
    a.error = None;
    a.status = AccountStatus::Active;
    a.currency = currency.to_owned();
    a.spend_cap = cap.map(d);
    a.amount_spent = Some(d(spent));
    a.spend_daily = week(amounts);
    a
}

/// (cap, spent, currency, daily, cap_left, days, reached)
type CapCase = (
    Option<&'static str>,
    &'static str,
    &'static str,
    [&'static str; 7],
    Option<&'static str>,
    Option<i64>,
    bool,
);

#[test]
fn the_cap_forecast_in_every_case() {
    let steady = ["10", "10", "10", "10", "10", "10", "10"];
    let cases: [CapCase; 6] = [
        (
            Some("1000"),
            "970",
            "USD",
            steady,
            Some("30"),
            Some(3),
            false,
        ),
        (
            Some("1000"),
            "1000",
            "USD",
            steady,
            Some("0"),
            Some(0),
            true,
        ),
        (
            Some("1000"),
            "1012.34",
            "USD",
            steady,
            Some("-12.34"),
            Some(0),
            true,
        ),
        (None, "970", "USD", steady, None, None, false),
        (
            Some("1000"),
            "970",
            "USD",
            ["0"; 7],
            Some("30"),
            None,
            false,
        ),
        (
            Some("500000"),
            "350000",
            "JPY",
            ["50000"; 7],
            Some("150000"),
            Some(3),
            false,
        ),
    ];
    for (cap, spent, currency, daily, left, days, reached) in cases {
        let f = forecast(&account(cap, spent, currency, daily));
        assert_eq!(f.cap_left, left.map(d), "{cap:?} {spent}");
        assert_eq!(f.cap_days_left, days, "{cap:?} {spent}");
        assert_eq!(f.cap_reached(), reached, "{cap:?} {spent}");
    }
    let uneven = forecast(&account(
        None,
        "0",
        "USD",
        ["1.50", "2.50", "0", "0", "0", "0", "1"],
    ));
    assert_eq!(uneven.pace_per_day, Some(d("0.71")), "to the cent");
    let krw = forecast(&account(Some("9100000"), "0", "KRW", ["1300000"; 7]));
    assert_eq!(krw.pace_per_day, Some(d("1300000")));
    assert_eq!(krw.cap_days_left, Some(7));
}

#[test]
fn prepaid_funds_last_as_long_as_the_pace_allows_or_are_unknown() {
    let mut a = account(None, "0", "USD", ["20"; 7]);
    a.funds = Funds::Left { amount: d("45.50") };
    let f = forecast(&a);
    assert_eq!(
        (f.funds_left, f.funds_days_left),
        (Some(d("45.50")), Some(2))
    );
    assert_eq!(f.runs_out_in(), Some(2));
    a.funds = Funds::Left { amount: d("0") };
    assert!(forecast(&a).funds_out());
    a.funds = Funds::NeedsAdmin;
    let f = forecast(&a);
    assert_eq!((f.funds_left, f.funds_days_left), (None, None));
    assert_eq!(f.funds_unknown, Some(Funds::NeedsAdmin));
    a.funds = Funds::NotPrepaid;
    assert_eq!(forecast(&a).funds_unknown, None);
}

#[test]
fn payment_risk_says_what_happens_next() {
    use AccountStatus::*;
    let cases = [
        (InGracePeriod, DisableReason::None, true),
        (PendingSettlement, DisableReason::None, true),
        (Unsettled, DisableReason::None, true),
        (Disabled, DisableReason::RiskPayment, true),
        (Disabled, DisableReason::AdsIntegrityPolicy, false),
        (Active, DisableReason::None, false),
    ];
    for (status, reason, risky) in cases {
        let risk = payment_risk(status, reason);
        assert_eq!(risk.is_some(), risky, "{status:?} {reason:?}");
        if let Some(risk) = risk {
            assert!(!risk.next.is_empty());
        }
    }
}

#[test]
fn stopped_and_dropped_spending() {
    use AccountStatus::*;
    let cases: [(AccountStatus, [&str; 7], Option<SpendChange>); 6] = [
        (
            Active,
            ["10", "10", "10", "10", "10", "10", "0"],
            Some(SpendChange::Stopped),
        ),
        (
            Active,
            ["10", "10", "10", "10", "10", "10", "1.5"],
            Some(SpendChange::Dropped { percent: 83 }),
        ),
        (Active, ["10", "10", "10", "10", "10", "10", "9"], None),
        (Active, ["0"; 7], None),
        (Disabled, ["10", "10", "10", "10", "10", "10", "0"], None),
        (
            Active,
            ["9", "0", "0", "0", "0", "0", "0"],
            Some(SpendChange::Stopped),
        ),
    ];
    for (status, amounts, want) in cases {
        assert_eq!(
            spend_change(status, &week(amounts)),
            want,
            "{status:?} {amounts:?}"
        );
    }
}

#[test]
fn the_account_s_day_is_its_own_across_the_date_line() {
    // 05:00 UTC on 3 December: already evening in Kiribati (+14), still the
    // evening before in American Samoa (−11).
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 5, 0, 0).unwrap();
    assert_eq!(local_today(now, Some(14 * 60)), date("2026-12-03"));
    assert_eq!(local_today(now, Some(-11 * 60)), date("2026-12-02"));
    assert_eq!(local_today(now, None), date("2026-12-03"));
    // Absurd offsets are clamped, never overflow.
    let _ = local_today(now, Some(i32::MAX));

    let rows = [
        DaySpend {
            date: date("2026-12-01"),
            spend: d("40"),
        },
        DaySpend {
            date: date("2026-12-02"),
            spend: d("50"),
        },
    ];
    let kiribati = complete_days(local_today(now, Some(14 * 60)), &rows);
    assert_eq!(kiribati.len(), 7);
    assert_eq!(
        kiribati.last().unwrap(),
        &DaySpend {
            date: date("2026-12-02"),
            spend: d("50")
        }
    );
    assert_eq!(kiribati[0].date, date("2026-11-26"));
    let samoa = complete_days(local_today(now, Some(-11 * 60)), &rows);
    assert_eq!(
        samoa.last().unwrap(),
        &DaySpend {
            date: date("2026-12-01"),
            spend: d("40")
        }
    );
    assert!(
        samoa[..6].iter().all(|day| day.spend.is_zero()),
        "days without rows spent nothing"
    );
}
