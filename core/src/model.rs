//! The domain types the app, the CLI and the UI share. These are what the cache
//! stores and what `adkeep … --json` prints; wire shapes live in `graph::wire`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use crate::ads::AdHealth;
use crate::graph::ids::AccountId;
use crate::logins::{Fallback, LoginId, LoginReach};
pub use crate::logins::{Permissions, Profile, REQUIRED_SCOPES};
use crate::problem::Problem;

/// `account_status` as Meta documents it (Ad Account reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Disabled,
    Unsettled,
    PendingRiskReview,
    PendingSettlement,
    InGracePeriod,
    PendingClosure,
    Closed,
    /// A code Meta added after this build; the raw code is kept beside it.
    Unknown,
}

impl AccountStatus {
    pub fn from_code(code: u32) -> Self {
        match code {
            1 => Self::Active,
            2 => Self::Disabled,
            3 => Self::Unsettled,
            7 => Self::PendingRiskReview,
            // 102 is the legacy code for the same state.
            8 | 102 => Self::PendingSettlement,
            9 => Self::InGracePeriod,
            100 => Self::PendingClosure,
            101 => Self::Closed,
            _ => Self::Unknown,
        }
    }

    /// Ads can run (Meta: status 1, 8 or 9).
    pub fn can_run_ads(self) -> bool {
        matches!(
            self,
            Self::Active | Self::PendingSettlement | Self::InGracePeriod
        )
    }
}

/// `disable_reason` as Meta documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisableReason {
    None,
    AdsIntegrityPolicy,
    AdsIpReview,
    RiskPayment,
    GrayAccountShutDown,
    AdsAfcReview,
    BusinessIntegrityRar,
    PermanentClose,
    UnusedResellerAccount,
    UnusedAccount,
    UmbrellaAdAccount,
    BusinessManagerIntegrityPolicy,
    MisrepresentedAdAccount,
    AoabDeshareLegalEntity,
    CtxThreadReview,
    CompromisedAdAccount,
    Unknown,
}

impl DisableReason {
    /// Why Meta disabled the account, in words (`None` when it did not say).
    pub fn describe(self) -> Option<&'static str> {
        Some(match self {
            Self::None | Self::Unknown => return None,
            Self::AdsIntegrityPolicy => "ads integrity policy",
            Self::AdsIpReview => "intellectual property review",
            Self::RiskPayment => "payment risk",
            Self::GrayAccountShutDown => "account shut down",
            Self::AdsAfcReview => "AFC review",
            Self::BusinessIntegrityRar => "business integrity",
            Self::PermanentClose => "permanently closed",
            Self::UnusedResellerAccount => "unused reseller account",
            Self::UnusedAccount => "unused account",
            Self::UmbrellaAdAccount => "umbrella account",
            Self::BusinessManagerIntegrityPolicy => "Business Manager integrity policy",
            Self::MisrepresentedAdAccount => "misrepresented account",
            Self::AoabDeshareLegalEntity => "legal entity unshared",
            Self::CtxThreadReview => "thread review",
            Self::CompromisedAdAccount => "compromised account",
        })
    }

    pub fn from_code(code: u32) -> Self {
        match code {
            0 => Self::None,
            1 => Self::AdsIntegrityPolicy,
            2 => Self::AdsIpReview,
            3 => Self::RiskPayment,
            4 => Self::GrayAccountShutDown,
            5 => Self::AdsAfcReview,
            6 => Self::BusinessIntegrityRar,
            7 => Self::PermanentClose,
            8 => Self::UnusedResellerAccount,
            9 => Self::UnusedAccount,
            10 => Self::UmbrellaAdAccount,
            11 => Self::BusinessManagerIntegrityPolicy,
            12 => Self::MisrepresentedAdAccount,
            13 => Self::AoabDeshareLegalEntity,
            14 => Self::CtxThreadReview,
            15 => Self::CompromisedAdAccount,
            _ => Self::Unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Business {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub id: String,
    pub name: String,
    pub last_fired_time: Option<DateTime<Utc>>,
    pub is_unavailable: bool,
}

/// How a dataset (pixel) is doing, from when it last received an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetHealth {
    /// An event arrived in the last 24 hours.
    Active,
    /// Quiet for 1–7 days.
    Quiet,
    /// Nothing for more than 7 days: the site or its tag probably broke.
    Stopped,
    NeverFired,
    /// Deleted or otherwise unavailable on Meta's side.
    Unavailable,
}

impl Dataset {
    pub fn health(&self, now: DateTime<Utc>) -> DatasetHealth {
        if self.is_unavailable {
            return DatasetHealth::Unavailable;
        }
        match self.last_fired_time {
            None => DatasetHealth::NeverFired,
            Some(at) if now - at <= Duration::hours(24) => DatasetHealth::Active,
            Some(at) if now - at <= Duration::days(7) => DatasetHealth::Quiet,
            Some(_) => DatasetHealth::Stopped,
        }
    }
}

/// Whether the current login still reaches the account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    #[default]
    Reachable,
    /// It was in an earlier listing but not in the latest complete one. Its
    /// last data is kept, never silently dropped.
    NoLongerAccessible,
}

/// One ad account as Adkeep knows it: the last good data, when it was read,
/// and what went wrong since, if anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub status: AccountStatus,
    pub status_code: u32,
    pub disable_reason: DisableReason,
    pub currency: String,
    pub timezone: Option<String>,
    pub business: Option<Business>,
    /// Lifetime spend, major units.
    pub amount_spent: Option<Decimal>,
    /// `None` when the account has no spending cap (Meta sends `"0"`).
    pub spend_cap: Option<Decimal>,
    pub balance: Option<Decimal>,
    pub spend_today: Option<Decimal>,
    pub spend_last_30d: Option<Decimal>,
    /// The last 7 complete days in the account's time zone, oldest first
    /// (empty until read).
    #[serde(default)]
    pub spend_daily: Vec<DaySpend>,
    /// The account's time zone as an offset from UTC, in minutes.
    #[serde(default)]
    pub utc_offset_minutes: Option<i32>,
    /// Prepaid funds left, when the account is prepaid.
    #[serde(default)]
    pub funds: Funds,
    pub datasets: Vec<Dataset>,
    /// Terms of Service keys accepted for the account (`custom_audience_tos`, …).
    pub tos_accepted: Vec<String>,
    /// Terms accepted by the current user.
    pub user_tos_accepted: Vec<String>,
    /// The calling user's tasks on the account (`MANAGE`, `ADVERTISE`, …).
    pub tasks: Vec<String>,
    /// When the values above were last read successfully.
    pub refreshed_at: Option<DateTime<Utc>>,
    /// The last refresh failed: the values above are as of `refreshed_at`.
    pub error: Option<Problem>,
    #[serde(default)]
    pub reach: Reach,
    /// Appeared in the latest listing after an earlier one did not have it.
    #[serde(default)]
    pub is_new: bool,
    /// Grows with every change to this account, so a window can drop an
    /// update older than what it already shows.
    #[serde(default)]
    pub revision: u64,
    /// Fields Meta sent that could not be read exactly (their value above is
    /// unknown, never a guess such as zero).
    #[serde(default)]
    pub field_errors: Vec<FieldError>,
    /// The logins that reach the account, with the person's tasks there.
    /// (Views show these with the logins' names, in their own fields.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logins: Vec<LoginReach>,
    /// The login the values above were read through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<LoginId>,
    /// Read through `via` because the login that should have broke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// Its ads that cannot run, and the ad limit (left out until read:
    /// views show it in their own shape).
    #[serde(default, skip_serializing_if = "AdHealth::is_unread")]
    pub ads: AdHealth,
}

/// A field of an account that Meta sent but Adkeep could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name in this model (`amount_spent`, `spend_last_30d`, …).
    pub field: String,
    /// Why, in plain words (never the value itself).
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

impl Account {
    pub fn numeric_id(&self) -> &str {
        self.id.numeric()
    }
}

/// One day's spend in the account's time zone (major units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySpend {
    pub date: NaiveDate,
    pub spend: Decimal,
}

/// What is known about an account's prepaid funds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Funds {
    /// Not a prepaid account, or not known to be one.
    #[default]
    NotPrepaid,
    /// Prepaid, with this much left (major units).
    Left { amount: Decimal },
    /// Prepaid, but Meta would not say how much is left: reading it needs
    /// the Admin role (the MANAGE task) on the account.
    NeedsAdmin,
    /// Prepaid, and Meta's answer could not be read as an amount.
    Unreadable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_map_including_legacy_alias() {
        assert_eq!(AccountStatus::from_code(1), AccountStatus::Active);
        assert_eq!(
            AccountStatus::from_code(8),
            AccountStatus::PendingSettlement
        );
        assert_eq!(
            AccountStatus::from_code(102),
            AccountStatus::PendingSettlement
        );
        assert_eq!(AccountStatus::from_code(101), AccountStatus::Closed);
        assert_eq!(AccountStatus::from_code(55), AccountStatus::Unknown);
        assert_eq!(
            DisableReason::from_code(15),
            DisableReason::CompromisedAdAccount
        );
        assert_eq!(DisableReason::from_code(99), DisableReason::Unknown);
    }

    #[test]
    fn status_serializes_as_the_documented_ids() {
        let json = serde_json::to_string(&AccountStatus::PendingRiskReview).unwrap();
        assert_eq!(json, "\"pending_risk_review\"");
    }

    #[test]
    fn dataset_health_follows_last_fired_time() {
        let now = Utc::now();
        let mut d = Dataset {
            id: "1".into(),
            name: "P".into(),
            last_fired_time: Some(now - Duration::hours(2)),
            is_unavailable: false,
        };
        assert_eq!(d.health(now), DatasetHealth::Active);
        d.last_fired_time = Some(now - Duration::days(3));
        assert_eq!(d.health(now), DatasetHealth::Quiet);
        d.last_fired_time = Some(now - Duration::days(30));
        assert_eq!(d.health(now), DatasetHealth::Stopped);
        d.last_fired_time = None;
        assert_eq!(d.health(now), DatasetHealth::NeverFired);
        d.is_unavailable = true;
        assert_eq!(d.health(now), DatasetHealth::Unavailable);
    }

    #[test]
    fn missing_scopes_are_named() {
        let p = Permissions {
            granted: vec!["ads_read".into(), "public_profile".into()],
            declined: vec!["business_management".into()],
            expired: vec![],
        };
        assert_eq!(p.missing(), vec!["ads_management", "business_management"]);
        assert!(p.can_read_ads());
    }
}
