//! Money that stops ads: how long until the spending cap or the prepaid
//! funds run out at the current pace, whether a payment problem is about to
//! stop the account, and whether it stopped spending. Pure functions over
//! what a refresh read; exact decimals throughout, days rounded down.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{Account, AccountStatus, DisableReason};
pub use crate::model::{DaySpend, Funds};

/// How many complete days the pace is measured over.
pub const PACE_DAYS: usize = 7;

/// When a forecast becomes a reason for attention (Settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MoneyAlerts {
    /// Warn when the cap or the funds run out within this many days.
    pub warn_days: u32,
    /// Urgent (blocking) within this many days.
    pub urgent_days: u32,
    /// Flag accounts that stopped spending, or nearly.
    pub stopped_spending: bool,
}

impl Default for MoneyAlerts {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl MoneyAlerts {
    /// Warn 3 days ahead, urgently 1 day ahead, flag stopped spending.
    pub const DEFAULT: Self = Self {
        warn_days: 3,
        urgent_days: 1,
        stopped_spending: true,
    };

    /// How close `days` left is: `None` beyond the warning.
    pub fn level(&self, days: i64) -> Option<MoneyLevel> {
        if days <= 0 {
            Some(MoneyLevel::Out)
        } else if days <= i64::from(self.urgent_days) {
            Some(MoneyLevel::Urgent)
        } else if days <= i64::from(self.warn_days) {
            Some(MoneyLevel::Soon)
        } else {
            None
        }
    }
}

/// How close the money is to stopping ads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyLevel {
    /// Within the warning days.
    Soon,
    /// Within the urgent days.
    Urgent,
    /// Reached: ads are stopped.
    Out,
}

/// A payment problem and what it leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentRisk {
    pub status: AccountStatus,
    /// What happens next, in words.
    pub next: &'static str,
}

/// An account that stopped spending, or nearly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SpendChange {
    /// Nothing spent on the last complete day, after spending before.
    Stopped,
    /// The last complete day was under a third of the 7-day average.
    Dropped { percent: u32 },
}

/// Everything the forecast says about one account. `None`: not known, or
/// not applicable (no cap, no spend, not prepaid).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Forecast {
    /// Mean daily spend over the last 7 complete days (or the days since
    /// the account started spending, when fewer).
    pub pace_per_day: Option<Decimal>,
    /// Cap − lifetime spend (≤ 0: the cap is reached).
    pub cap_left: Option<Decimal>,
    /// Whole days until the cap at the current pace (0 once reached).
    pub cap_days_left: Option<i64>,
    pub funds_left: Option<Decimal>,
    pub funds_days_left: Option<i64>,
    /// Prepaid, but how much is left is unknown (and why).
    pub funds_unknown: Option<Funds>,
    pub payment_risk: Option<PaymentRisk>,
    pub spend_stopped: Option<SpendChange>,
}

impl Forecast {
    /// The cap is reached: Meta paused every ad.
    pub fn cap_reached(&self) -> bool {
        self.cap_left.is_some_and(|left| left <= Decimal::ZERO)
    }

    pub fn funds_out(&self) -> bool {
        self.funds_left.is_some_and(|left| left <= Decimal::ZERO)
    }

    /// The soonest day count until ads stop for money (cap or funds).
    pub fn runs_out_in(&self) -> Option<i64> {
        [self.cap_days_left, self.funds_days_left]
            .into_iter()
            .flatten()
            .min()
    }
}

/// The forecast for an account as last refreshed.
pub fn forecast(account: &Account) -> Forecast {
    let pace = pace(&account.spend_daily);
    let cap_left = match (account.spend_cap, account.amount_spent) {
        (Some(cap), Some(spent)) => cap.checked_sub(spent),
        _ => None,
    };
    let (funds_left, funds_unknown) = match &account.funds {
        Funds::Left { amount } => (Some(*amount), None),
        Funds::NotPrepaid => (None, None),
        other => (None, Some(other.clone())),
    };
    Forecast {
        cap_days_left: cap_left.and_then(|left| days_left(left, pace)),
        cap_left,
        funds_days_left: funds_left.and_then(|left| days_left(left, pace)),
        funds_left,
        funds_unknown,
        payment_risk: payment_risk(account.status, account.disable_reason),
        spend_stopped: spend_change(account.status, &account.spend_daily),
        // Shown to the cent (days above use the exact pace).
        pace_per_day: pace.map(|p| p.round_dp(crate::money::currency_decimals(&account.currency))),
    }
}

/// Mean daily spend over the series, from the first day with spend on (a
/// new account's empty days before it started do not slow the pace).
/// `None` when nothing was spent.
pub fn pace(days: &[DaySpend]) -> Option<Decimal> {
    let first = days.iter().position(|d| d.spend > Decimal::ZERO)?;
    let counted = &days[first..];
    let total = counted
        .iter()
        .try_fold(Decimal::ZERO, |sum, d| sum.checked_add(d.spend))?;
    let count = Decimal::from(u32::try_from(counted.len()).ok()?);
    total.checked_div(count)
}

/// Whole days `left` lasts at `pace` (0 when nothing is left); `None`
/// without a pace.
pub fn days_left(left: Decimal, pace: Option<Decimal>) -> Option<i64> {
    if left <= Decimal::ZERO {
        return Some(0);
    }
    let pace = pace.filter(|p| *p > Decimal::ZERO)?;
    // A cap centuries away (or too far to divide out) is as good as none:
    // it shows as a hundred years.
    const CENTURY: i64 = 36_500;
    let Some(days) = left.checked_div(pace) else {
        return Some(CENTURY);
    };
    Some(i64::try_from(days.floor()).map_or(CENTURY, |d| d.min(CENTURY)))
}

/// What a payment problem leads to.
pub fn payment_risk(status: AccountStatus, reason: DisableReason) -> Option<PaymentRisk> {
    let next = match status {
        AccountStatus::InGracePeriod => {
            "A payment failed: ads still run for now, but the account is disabled if the balance stays unpaid."
        }
        AccountStatus::PendingSettlement => {
            "A payment is being processed: if it fails, the account goes into a grace period."
        }
        AccountStatus::Unsettled => {
            "An unpaid balance stopped the ads: they run again once it is paid."
        }
        AccountStatus::Disabled if reason == DisableReason::RiskPayment => {
            "Disabled for a payment risk: pay or request a review in the billing settings."
        }
        _ => return None,
    };
    Some(PaymentRisk { status, next })
}

/// Stopped or dropped spending on the last complete day, for an active
/// account that spent before.
pub fn spend_change(status: AccountStatus, days: &[DaySpend]) -> Option<SpendChange> {
    if status != AccountStatus::Active || days.len() < 2 {
        return None;
    }
    let total = days
        .iter()
        .try_fold(Decimal::ZERO, |sum, d| sum.checked_add(d.spend))?;
    let average = total.checked_div(Decimal::from(u32::try_from(days.len()).ok()?))?;
    if average <= Decimal::ZERO {
        return None;
    }
    let last = days.last()?.spend;
    if last <= Decimal::ZERO {
        return Some(SpendChange::Stopped);
    }
    let third = average.checked_div(Decimal::from(3))?;
    if last >= third {
        return None;
    }
    let share = last.checked_div(average)?;
    let percent = (Decimal::ONE - share) * Decimal::from(100);
    let percent = u32::try_from(percent.round()).unwrap_or(100).min(100);
    Some(SpendChange::Dropped { percent })
}

/// The account's calendar day at `now`, for an offset from UTC in minutes
/// (`None`: UTC).
pub fn local_today(now: DateTime<Utc>, utc_offset_minutes: Option<i32>) -> NaiveDate {
    let offset = Duration::minutes(i64::from(
        utc_offset_minutes.unwrap_or(0).clamp(-16 * 60, 16 * 60),
    ));
    (now + offset).date_naive()
}

/// The last `PACE_DAYS` complete days before `today`, each with what
/// `rows` say was spent that day (days without a row spent nothing), oldest
/// first.
pub fn complete_days(today: NaiveDate, rows: &[DaySpend]) -> Vec<DaySpend> {
    (1..=PACE_DAYS)
        .rev()
        .filter_map(|back| today.checked_sub_signed(Duration::days(i64::try_from(back).ok()?)))
        .map(|date| {
            // Meta sends one row per day with spend; a day without one spent nothing.
            let spend = rows
                .iter()
                .find(|r| r.date == date)
                .map_or(Decimal::ZERO, |r| r.spend);
            DaySpend { date, spend }
        })
        .collect()
}

#[cfg(test)]
#[path = "forecast_tests.rs"]
mod tests;
