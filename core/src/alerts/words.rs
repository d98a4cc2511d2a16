//! What an alert says of a reason: a stable machine code (the webhook's
//! `reason`, documented in `docs/alerts.md`) and the action in words ("Add
//! funds", "Reauthenticate Sam Lee"). Every reason has both; a test walks
//! them all.

use crate::attention::{AdLimitLevel, AdsUnknown, Attention};
use crate::model::AccountStatus;
use crate::problem::Reason;

/// The stable code of an account's reason.
pub fn account_code(attention: &Attention) -> String {
    match attention {
        Attention::Status { status, .. } => format!("account_{}", status_code(*status)),
        Attention::Billing {
            status: AccountStatus::InGracePeriod,
        } => "payment_failed".to_owned(),
        Attention::Billing { .. } => "payment_pending".to_owned(),
        Attention::RefreshFailed { .. } => "not_refreshed".to_owned(),
        Attention::NoLongerAccessible => "no_longer_accessible".to_owned(),
        Attention::DatasetUnavailable { .. } => "dataset_unavailable".to_owned(),
        Attention::DatasetStopped { .. } => "dataset_stopped".to_owned(),
        Attention::TosMissing { .. } => "terms_not_accepted".to_owned(),
        Attention::NoAdvertiseTask => "role_cannot_advertise".to_owned(),
        Attention::NoDatasets => "no_dataset".to_owned(),
        Attention::SpendCap { days: 0, .. } => "spend_cap_reached".to_owned(),
        Attention::SpendCap { .. } => "spend_cap_soon".to_owned(),
        Attention::PrepaidFunds { days: 0, .. } => "prepaid_funds_used_up".to_owned(),
        Attention::PrepaidFunds { .. } => "prepaid_funds_low".to_owned(),
        Attention::FundsUnknown => "prepaid_funds_unknown".to_owned(),
        Attention::SpendStopped => "spend_stopped".to_owned(),
        Attention::SpendDropped { .. } => "spend_dropped".to_owned(),
        Attention::AdsPendingBilling { .. } => "ads_pending_billing_info".to_owned(),
        Attention::AdsDisapproved { .. } => "ads_disapproved".to_owned(),
        Attention::AdsWithIssues { .. } => "ads_with_issues".to_owned(),
        Attention::AdsInReview { .. } => "ads_pending_review".to_owned(),
        Attention::AdLimit { level, .. } => match level {
            AdLimitLevel::Reached => "ad_limit_reached",
            AdLimitLevel::Near => "ad_limit_near",
            AdLimitLevel::Lowering => "ad_limit_lowering",
        }
        .to_owned(),
        Attention::AdsUnknown {
            what: AdsUnknown::Counts,
        } => "ads_unknown".to_owned(),
        Attention::AdsUnknown {
            what: AdsUnknown::Limit,
        } => "ad_limit_unknown".to_owned(),
    }
}

fn status_code(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Active => "active",
        AccountStatus::Disabled => "disabled",
        AccountStatus::Unsettled => "unsettled",
        AccountStatus::PendingRiskReview => "pending_risk_review",
        AccountStatus::PendingSettlement => "pending_settlement",
        AccountStatus::InGracePeriod => "in_grace_period",
        AccountStatus::PendingClosure => "pending_closure",
        AccountStatus::Closed => "closed",
        AccountStatus::Unknown => "unknown",
    }
}

/// What to do about an account's reason (`via`: the login it is read through).
pub fn account_action(attention: &Attention, via: Option<&str>) -> String {
    let words = match attention {
        Attention::Status { status, .. } => status_action(*status),
        Attention::Billing {
            status: AccountStatus::InGracePeriod,
        } => "Fix the payment method in Billing",
        Attention::Billing { .. } => "Check the payment in Billing",
        Attention::RefreshFailed { reason, .. } => return refresh_action(*reason, via),
        Attention::NoLongerAccessible => {
            "Ask the account's admin to share it again, or reauthenticate"
        }
        Attention::DatasetUnavailable { .. } | Attention::DatasetStopped { .. } => {
            "Check the dataset in Events Manager"
        }
        Attention::TosMissing { .. } => "Accept the terms in Ads Manager",
        Attention::NoAdvertiseTask => "Ask an admin for the Advertiser role",
        Attention::NoDatasets => "Connect a dataset (pixel) in Events Manager",
        Attention::SpendCap { .. } => "Raise or reset the spending cap",
        Attention::PrepaidFunds { .. } => "Add funds",
        Attention::FundsUnknown => "Read the funds with an Admin's login",
        Attention::SpendStopped | Attention::SpendDropped { .. } => {
            "Check the campaigns in Ads Manager"
        }
        Attention::AdsPendingBilling { .. } => "Add billing information in Billing",
        Attention::AdsDisapproved { .. } => {
            "Edit the ads, or request another review in Account Quality"
        }
        Attention::AdsWithIssues { .. } => "Fix the ads' issues in Ads Manager",
        Attention::AdsInReview { .. } => "Nothing yet: Meta reviews ads within a day",
        Attention::AdLimit {
            level: AdLimitLevel::Reached,
            ..
        } => "Turn off or delete ads you no longer need",
        Attention::AdLimit { .. } => {
            "Turn off ads you no longer need before the limit refuses new ones"
        }
        Attention::AdsUnknown { .. } => "Read the ads with an Advertiser's or Admin's login",
    };
    words.to_owned()
}

fn status_action(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Disabled => "Request a review in Account Quality",
        AccountStatus::PendingRiskReview => "Wait for Meta's review, or check Account Quality",
        AccountStatus::Unsettled => "Pay the outstanding balance in Billing",
        AccountStatus::PendingSettlement => "Wait for the payment to settle, or check Billing",
        AccountStatus::InGracePeriod => "Fix the payment method in Billing",
        AccountStatus::PendingClosure | AccountStatus::Closed => {
            "Reopen the account in Ads Manager if it should run"
        }
        AccountStatus::Active | AccountStatus::Unknown => "Check the account in Ads Manager",
    }
}

fn refresh_action(reason: Reason, via: Option<&str>) -> String {
    let login = via.unwrap_or("the login");
    match reason {
        Reason::RateLimited | Reason::Transient | Reason::Offline => {
            "Nothing yet: Adkeep retries by itself".to_owned()
        }
        Reason::PermissionsChanged => {
            format!("Ask the account's admin for access, or reauthenticate {login}")
        }
        Reason::PolicyViolation => "Open Account Quality".to_owned(),
        Reason::SecurityCheckpoint => {
            format!("Log in at facebook.com as {login}, then reauthenticate")
        }
        Reason::TokenExpired | Reason::TokenRevoked | Reason::AppChanged => {
            format!("Reauthenticate {login}")
        }
    }
}

/// The stable code of a broken login.
pub fn login_code(reason: Reason) -> String {
    let reason = match reason {
        Reason::TokenExpired => "token_expired",
        Reason::TokenRevoked => "token_revoked",
        Reason::AppChanged => "app_changed",
        Reason::SecurityCheckpoint => "security_checkpoint",
        Reason::PermissionsChanged => "permissions_changed",
        Reason::PolicyViolation => "policy_violation",
        Reason::RateLimited => "rate_limited",
        Reason::Transient => "transient",
        Reason::Offline => "offline",
    };
    format!("login_{reason}")
}

/// What to do about a broken login.
pub fn login_action(reason: Reason, name: &str) -> String {
    match reason {
        Reason::SecurityCheckpoint => {
            format!("Log in at facebook.com as {name}, then reauthenticate {name}")
        }
        Reason::PolicyViolation => format!("Open Account Quality as {name}"),
        Reason::RateLimited | Reason::Transient | Reason::Offline => {
            "Nothing yet: Adkeep retries by itself".to_owned()
        }
        _ => format!("Reauthenticate {name}"),
    }
}

/// One of every reason an account can have (for tests).
#[cfg(test)]
pub(crate) fn every_attention() -> Vec<Attention> {
    use crate::forecast::MoneyLevel;
    use crate::model::DisableReason;
    let mut all: Vec<Attention> = [
        AccountStatus::Active,
        AccountStatus::Disabled,
        AccountStatus::Unsettled,
        AccountStatus::PendingRiskReview,
        AccountStatus::PendingSettlement,
        AccountStatus::InGracePeriod,
        AccountStatus::PendingClosure,
        AccountStatus::Closed,
        AccountStatus::Unknown,
    ]
    .into_iter()
    .flat_map(|status| {
        [
            Attention::Status {
                status,
                disable_reason: DisableReason::None,
            },
            Attention::Billing { status },
        ]
    })
    .collect();
    all.extend([
        Attention::RefreshFailed {
            reason: Reason::Offline,
            since: None,
        },
        Attention::NoLongerAccessible,
        Attention::DatasetUnavailable {
            dataset_id: "1".into(),
        },
        Attention::DatasetStopped {
            dataset_id: "1".into(),
        },
        Attention::TosMissing { tos: "x".into() },
        Attention::NoAdvertiseTask,
        Attention::NoDatasets,
        Attention::SpendCap {
            days: 0,
            level: MoneyLevel::Out,
        },
        Attention::SpendCap {
            days: 3,
            level: MoneyLevel::Soon,
        },
        Attention::PrepaidFunds {
            days: 0,
            level: MoneyLevel::Out,
        },
        Attention::PrepaidFunds {
            days: 1,
            level: MoneyLevel::Urgent,
        },
        Attention::FundsUnknown,
        Attention::SpendStopped,
        Attention::SpendDropped { percent: 80 },
        Attention::AdsPendingBilling { ads: 2 },
        Attention::AdsDisapproved {
            ads: 500,
            at_least: true,
        },
        Attention::AdsWithIssues {
            ads: 1,
            at_least: false,
        },
        Attention::AdsInReview { ads: 3 },
        Attention::AdLimit {
            level: AdLimitLevel::Reached,
            running: 250,
            limit: 250,
            from: None,
        },
        Attention::AdLimit {
            level: AdLimitLevel::Near,
            running: 230,
            limit: 250,
            from: None,
        },
        Attention::AdLimit {
            level: AdLimitLevel::Lowering,
            running: 140,
            limit: 100,
            from: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 11).unwrap_or_default()),
        },
        Attention::AdsUnknown {
            what: AdsUnknown::Counts,
        },
        Attention::AdsUnknown {
            what: AdsUnknown::Limit,
        },
    ]);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::MoneyLevel;

    #[test]
    fn every_reason_has_a_code_and_an_action() {
        let reasons = [
            Reason::TokenExpired,
            Reason::TokenRevoked,
            Reason::AppChanged,
            Reason::SecurityCheckpoint,
            Reason::PermissionsChanged,
            Reason::PolicyViolation,
            Reason::RateLimited,
            Reason::Transient,
            Reason::Offline,
        ];
        for attention in every_attention() {
            let code = account_code(&attention);
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert!(!account_action(&attention, Some("Sam Lee")).is_empty());
        }
        for reason in reasons {
            let code = login_code(reason);
            assert!(code.starts_with("login_"), "{code}");
            assert!(login_action(reason, "Sam Lee").len() > 5);
            let refresh = account_action(
                &Attention::RefreshFailed {
                    reason,
                    since: None,
                },
                Some("Sam Lee"),
            );
            assert!(!refresh.is_empty());
        }
        assert_eq!(
            login_action(Reason::TokenExpired, "Sam Lee"),
            "Reauthenticate Sam Lee"
        );
        assert_eq!(
            account_action(
                &Attention::PrepaidFunds {
                    days: 0,
                    level: MoneyLevel::Out
                },
                None
            ),
            "Add funds"
        );
    }

    #[test]
    fn every_code_is_documented_for_receivers() {
        let docs =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/alerts.md"))
                .expect("docs/alerts.md");
        let mut codes: Vec<String> = every_attention().iter().map(account_code).collect();
        codes.extend(
            [
                Reason::TokenExpired,
                Reason::TokenRevoked,
                Reason::AppChanged,
                Reason::SecurityCheckpoint,
                Reason::PermissionsChanged,
                Reason::PolicyViolation,
            ]
            .map(login_code),
        );
        for code in codes {
            assert!(
                docs.contains(&format!("`{code}`")),
                "docs/alerts.md does not list `{code}`"
            );
        }
    }
}
