//! What the history records between two books.

use std::str::FromStr;

use chrono::{Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::logins::{Login, TokenInfo};
use crate::model::{Dataset, DisableReason};
use crate::problem::Reason;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()
}

fn account(raw: &str, refreshed: DateTime<Utc>) -> Account {
    let mut book = AccountBook::new();
    let id = AccountId::parse(raw).unwrap();
    let problem = crate::problem::declined_scopes(&[], refreshed);
    let mut a = book.apply_failure(&id, problem).clone();
    a.error = None;
    a.name = format!("Account {raw}");
    a.status = AccountStatus::Active;
    a.disable_reason = DisableReason::None;
    a.refreshed_at = Some(refreshed);
    a.tasks = vec!["MANAGE".into()];
    a.tos_accepted = EXPECTED_TOS.iter().map(|s| s.to_string()).collect();
    a.datasets = vec![Dataset {
        id: "81".into(),
        name: "Shop pixel".into(),
        last_fired_time: Some(refreshed - Duration::minutes(5)),
        is_unavailable: false,
    }];
    a
}

fn books(edit: impl FnOnce(&mut Account)) -> (AccountBook, AccountBook) {
    let mut before = AccountBook::new();
    before.listed_once = true;
    before.accounts.insert(
        AccountId::parse("act_1").unwrap(),
        account("act_1", at() - Duration::days(1)),
    );
    let mut after = before.clone();
    let a = after.accounts.values_mut().next().unwrap();
    *a = account("act_1", at());
    edit(a);
    (before, after)
}

/// (kind, from, to, worse)
type Seen = (ChangeKind, Option<&'static str>, Option<&'static str>, bool);
/// An edit to an account, and the change it should record.
type Case = (fn(&mut Account), Seen);

fn kinds(changes: &[Change]) -> Vec<(ChangeKind, Option<&str>, Option<&str>, bool)> {
    changes
        .iter()
        .map(|c| (c.kind, c.from.as_deref(), c.to.as_deref(), c.worse))
        .collect()
}

#[test]
fn nothing_changed_is_nothing() {
    let (before, after) = books(|_| {});
    assert!(between(&before, &after, at(), &MoneyAlerts::DEFAULT).is_empty());
}

#[test]
fn each_kind_of_account_change() {
    let cases: Vec<Case> = vec![
        (
            |a| {
                a.status = AccountStatus::Disabled;
                a.disable_reason = DisableReason::RiskPayment;
            },
            (ChangeKind::Status, Some("active"), Some("disabled"), true),
        ),
        (
            |a| a.status = AccountStatus::InGracePeriod,
            (
                ChangeKind::Status,
                Some("active"),
                Some("in_grace_period"),
                true,
            ),
        ),
        (
            |a| a.disable_reason = DisableReason::AdsIntegrityPolicy,
            (
                ChangeKind::DisableReason,
                Some("none"),
                Some("ads_integrity_policy"),
                true,
            ),
        ),
        (
            |a| a.datasets[0].last_fired_time = Some(at() - Duration::days(10)),
            (
                ChangeKind::DatasetStopped,
                Some("81"),
                Some("Shop pixel"),
                true,
            ),
        ),
        (
            |a| a.tos_accepted.retain(|k| k != "custom_audience_tos"),
            (
                ChangeKind::TosMissing,
                None,
                Some("custom_audience_tos"),
                true,
            ),
        ),
        (
            |a| a.tasks = vec!["ANALYZE".into()],
            (ChangeKind::Role, Some("admin"), Some("analyst"), true),
        ),
        (
            |a| a.reach = Reach::NoLongerAccessible,
            (ChangeKind::AccountLost, None, None, true),
        ),
    ];
    for (edit, want) in cases {
        let (before, after) = books(edit);
        let got = between(&before, &after, at(), &MoneyAlerts::DEFAULT);
        assert_eq!(kinds(&got), vec![want], "{want:?}");
        assert_eq!(got[0].account_name.as_deref(), Some("Account act_1"));
    }
}

#[test]
fn a_dataset_that_resumes_and_terms_accepted_are_better() {
    let (mut before, after) = books(|a| {
        a.tos_accepted
            .push("value_based_custom_audience_tos".into())
    });
    let was = before.accounts.values_mut().next().unwrap();
    was.datasets[0].last_fired_time = Some(at() - Duration::days(12));
    was.tos_accepted.retain(|k| k != "web_custom_audience_tos");
    let got = between(&before, &after, at(), &MoneyAlerts::DEFAULT);
    assert_eq!(
        kinds(&got),
        vec![
            (
                ChangeKind::DatasetResumed,
                Some("81"),
                Some("Shop pixel"),
                false
            ),
            (
                ChangeKind::TosAccepted,
                None,
                Some("web_custom_audience_tos"),
                false
            ),
        ]
    );
}

#[test]
fn a_failed_refresh_is_not_a_change_of_its_values() {
    let (before, after) = books(|a| {
        a.status = AccountStatus::Disabled;
        a.error = Some(crate::problem::declined_scopes(&[], at()));
    });
    assert!(between(&before, &after, at(), &MoneyAlerts::DEFAULT).is_empty());
}

#[test]
fn new_accounts_count_only_after_a_first_listing() {
    let (mut before, mut after) = books(|_| {});
    after
        .accounts
        .insert(AccountId::parse("act_2").unwrap(), account("act_2", at()));
    let got = between(&before, &after, at(), &MoneyAlerts::DEFAULT);
    assert_eq!(
        kinds(&got),
        vec![(ChangeKind::AccountAdded, None, None, false)]
    );
    before.listed_once = false;
    before.accounts.clear();
    assert!(
        between(&before, &after, at(), &MoneyAlerts::DEFAULT).is_empty(),
        "the first listing"
    );
}

#[test]
fn money_crossing_a_threshold_is_a_change() {
    let daily = |a: &mut Account, left: &str| {
        a.amount_spent = Some(Decimal::from(1000));
        a.spend_cap = Some(Decimal::from(1000) + Decimal::from_str(left).unwrap());
        a.spend_daily = (1..=7)
            .map(|i| crate::forecast::DaySpend {
                date: at().date_naive() - Duration::days(8 - i),
                spend: Decimal::from(10),
            })
            .collect();
    };
    let (mut before, after) = books(|a| daily(a, "15"));
    daily(before.accounts.values_mut().next().unwrap(), "100");
    let got = between(&before, &after, at(), &MoneyAlerts::DEFAULT);
    assert_eq!(
        kinds(&got),
        vec![(ChangeKind::Money, Some("none"), Some("urgent"), true)]
    );
}

#[test]
fn a_login_s_health_is_a_change() {
    let (mut before, mut after) = books(|_| {});
    let id = LoginId::new("7").unwrap();
    let mut jane = Login::new(id.clone());
    jane.token = Some(TokenInfo {
        obtained_at: at(),
        expires_at: Some(at() + Duration::days(30)),
        data_access_expires_at: None,
    });
    before.logins.insert(id.clone(), jane.clone());
    jane.problem = Some(crate::problem::declined_scopes(&["ads_read".into()], at()));
    jane.problem.as_mut().unwrap().reason = Reason::TokenExpired;
    after.logins.insert(id.clone(), jane);
    let got = between(&before, &after, at(), &MoneyAlerts::DEFAULT);
    assert_eq!(
        kinds(&got),
        vec![(
            ChangeKind::LoginHealth,
            Some("ok"),
            Some("token_expired"),
            true
        )]
    );
    assert_eq!(got[0].login.as_ref(), Some(&id));
}

#[test]
fn kinds_round_trip_their_names() {
    for kind in ChangeKind::ALL {
        assert_eq!(ChangeKind::from_name(kind.name()), Some(kind));
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
    }
}
