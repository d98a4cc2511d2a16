use super::*;
use crate::forecast::MoneyAlerts;
use crate::model::Dataset;

fn id(raw: &str) -> AccountId {
    AccountId::parse(raw).unwrap()
}

fn healthy(raw: &str, now: DateTime<Utc>) -> Account {
    Account {
        id: id(raw),
        name: raw.into(),
        status: AccountStatus::Active,
        status_code: 1,
        disable_reason: DisableReason::None,
        currency: "USD".into(),
        timezone: None,
        business: None,
        amount_spent: None,
        spend_cap: None,
        balance: None,
        spend_today: None,
        spend_last_30d: None,
        spend_daily: Vec::new(),
        utc_offset_minutes: None,
        funds: Default::default(),
        datasets: vec![Dataset {
            id: "9".into(),
            name: "Shop".into(),
            last_fired_time: Some(now),
            is_unavailable: false,
        }],
        tos_accepted: EXPECTED_TOS.iter().map(|s| s.to_string()).collect(),
        user_tos_accepted: vec![],
        tasks: vec!["MANAGE".into()],
        refreshed_at: Some(now),
        error: None,
        reach: Reach::Reachable,
        is_new: false,
        revision: 0,
        field_errors: vec![],
        logins: vec![],
        via: None,
        fallback: None,
        ads: Default::default(),
    }
}

fn problem(reason: Reason, now: DateTime<Utc>) -> crate::problem::Problem {
    let mut p = crate::problem::declined_scopes(&["ads_read".into()], now);
    p.reason = reason;
    p
}

const NOTHING: SetAside<'static> = SetAside {
    dismissals: &BTreeMap::new(),
    muted: &[],
    alerts: MoneyAlerts::DEFAULT,
};

#[test]
fn every_reason_has_its_severity() {
    let now = Utc::now();
    let status = |status| Attention::Status {
        status,
        disable_reason: DisableReason::None,
    };
    let failed = |reason, age: Duration| Attention::RefreshFailed {
        reason,
        since: Some(now - age),
    };
    let dataset = "1".to_owned();
    let table = [
        (status(AccountStatus::Disabled), Severity::Blocking),
        (status(AccountStatus::Unsettled), Severity::Blocking),
        (status(AccountStatus::Closed), Severity::Blocking),
        (status(AccountStatus::PendingRiskReview), Severity::Warning),
        (status(AccountStatus::PendingClosure), Severity::Warning),
        (status(AccountStatus::Unknown), Severity::Warning),
        (
            Attention::Billing {
                status: AccountStatus::InGracePeriod,
            },
            Severity::Blocking,
        ),
        (
            Attention::Billing {
                status: AccountStatus::PendingSettlement,
            },
            Severity::Warning,
        ),
        (
            failed(Reason::TokenExpired, Duration::minutes(5)),
            Severity::Blocking,
        ),
        (
            failed(Reason::PermissionsChanged, Duration::minutes(5)),
            Severity::Blocking,
        ),
        (failed(Reason::Offline, Duration::hours(3)), Severity::Info),
        (
            failed(Reason::Transient, Duration::hours(25)),
            Severity::Blocking,
        ),
        (
            failed(Reason::RateLimited, Duration::minutes(1)),
            Severity::Info,
        ),
        (
            Attention::RefreshFailed {
                reason: Reason::Offline,
                since: None,
            },
            Severity::Blocking,
        ),
        (Attention::NoLongerAccessible, Severity::Blocking),
        (
            Attention::DatasetUnavailable {
                dataset_id: dataset.clone(),
            },
            Severity::Warning,
        ),
        (
            Attention::DatasetStopped {
                dataset_id: dataset,
            },
            Severity::Warning,
        ),
        (
            Attention::TosMissing {
                tos: "custom_audience_tos".into(),
            },
            Severity::Info,
        ),
        (Attention::NoAdvertiseTask, Severity::Info),
        (Attention::NoDatasets, Severity::Info),
    ];
    for (attention, severity) in table {
        assert_eq!(attention.severity(now), severity, "{attention:?}");
    }
}

#[test]
fn a_healthy_account_needs_nothing_and_reasons_come_most_urgent_first() {
    let now = Utc::now();
    assert!(
        healthy("act_1", now)
            .attention(now, &MoneyAlerts::DEFAULT)
            .is_empty()
    );
    let mut a = healthy("act_1", now);
    a.tos_accepted.clear();
    a.tasks = vec!["ANALYZE".into()];
    a.datasets[0].last_fired_time = Some(now - Duration::days(30));
    a.status = AccountStatus::InGracePeriod;
    let severities: Vec<Severity> = a
        .attention(now, &MoneyAlerts::DEFAULT)
        .iter()
        .map(|x| x.severity(now))
        .collect();
    assert_eq!(severities[0], Severity::Blocking);
    assert!(
        severities.windows(2).all(|w| w[0] >= w[1]),
        "{severities:?}"
    );
    let flags = flags(&a, NOTHING, now);
    assert_eq!(severity(&flags), Some(Severity::Blocking));
}

#[test]
fn a_broken_login_blocks_and_a_short_blip_only_informs() {
    let now = Utc::now();
    let mut a = healthy("act_1", now - Duration::hours(2));
    a.error = Some(problem(Reason::TokenExpired, now));
    assert_eq!(severity(&flags(&a, NOTHING, now)), Some(Severity::Blocking));
    a.error = Some(problem(Reason::Offline, now));
    assert_eq!(severity(&flags(&a, NOTHING, now)), Some(Severity::Info));
    let next_day = now + Duration::days(1);
    assert_eq!(
        severity(&flags(&a, NOTHING, next_day)),
        Some(Severity::Blocking),
        "offline for more than a day"
    );
}

#[test]
fn acknowledging_hides_a_reason_until_it_changes() {
    let now = Utc::now();
    let mut a = healthy("act_1", now);
    a.status = AccountStatus::Unsettled;
    let mut dismissals = Dismissals::new();
    let status = a.attention(now, &MoneyAlerts::DEFAULT).remove(0);
    dismissals.entry(a.id.clone()).or_default().insert(
        status.key(),
        Dismissal {
            fingerprint: status.fingerprint(),
            until: None,
            at: now,
        },
    );
    let aside = SetAside {
        dismissals: &dismissals,
        muted: &[],
        alerts: MoneyAlerts::DEFAULT,
    };
    let later = now + Duration::days(40);
    let flag = &flags(&a, aside, later)[0];
    assert!(
        flag.acknowledged && !flag.counts(),
        "still unsettled: still hidden"
    );
    assert_eq!(severity(&flags(&a, aside, later)), None);

    a.status = AccountStatus::Disabled;
    let flag = &flags(&a, aside, later)[0];
    assert!(
        !flag.acknowledged && flag.counts(),
        "now disabled: shown again"
    );
}

#[test]
fn a_snooze_runs_out_on_time() {
    let now = Utc::now();
    let mut a = healthy("act_1", now);
    a.datasets[0].is_unavailable = true;
    let reason = a.attention(now, &MoneyAlerts::DEFAULT).remove(0);
    let mut dismissals = Dismissals::new();
    dismissals.entry(a.id.clone()).or_default().insert(
        reason.key(),
        Dismissal {
            fingerprint: reason.fingerprint(),
            until: Some(now + Duration::days(7)),
            at: now,
        },
    );
    let aside = SetAside {
        dismissals: &dismissals,
        muted: &[],
        alerts: MoneyAlerts::DEFAULT,
    };
    let during = &flags(&a, aside, now + Duration::days(6))[0];
    assert_eq!(during.snoozed_until, Some(now + Duration::days(7)));
    assert!(!during.counts());
    let after = &flags(&a, aside, now + Duration::days(7))[0];
    assert!(
        after.snoozed_until.is_none() && after.counts(),
        "the snooze ended"
    );
}

#[test]
fn a_new_reason_on_an_acknowledged_account_shows() {
    let now = Utc::now();
    let mut a = healthy("act_1", now);
    a.tos_accepted.clear();
    let mut dismissals = Dismissals::new();
    for reason in a.attention(now, &MoneyAlerts::DEFAULT) {
        dismissals.entry(a.id.clone()).or_default().insert(
            reason.key(),
            Dismissal {
                fingerprint: reason.fingerprint(),
                until: None,
                at: now,
            },
        );
    }
    let aside = SetAside {
        dismissals: &dismissals,
        muted: &[],
        alerts: MoneyAlerts::DEFAULT,
    };
    assert!(flags(&a, aside, now).iter().all(|f| !f.shown()));
    a.datasets[0].last_fired_time = Some(now - Duration::days(20));
    let shown: Vec<String> = flags(&a, aside, now)
        .into_iter()
        .filter(Flag::counts)
        .map(|f| f.key)
        .collect();
    assert_eq!(shown, ["dataset_stopped:9"]);
}

#[test]
fn muted_kinds_are_kept_but_not_counted() {
    let now = Utc::now();
    let mut a = healthy("act_1", now);
    a.tasks = vec!["ANALYZE".into()];
    let aside = SetAside {
        dismissals: &BTreeMap::new(),
        muted: &[MutableKind::NoAdvertiseTask],
        alerts: MoneyAlerts::DEFAULT,
    };
    let flags = flags(&a, aside, now);
    assert_eq!(flags.len(), 1);
    assert!(flags[0].muted && !flags[0].shown());
    assert_eq!(severity(&flags), None);
}

#[test]
fn counts_go_by_each_accounts_worst_reason() {
    let now = Utc::now();
    let mut blocked = healthy("act_1", now);
    blocked.status = AccountStatus::Disabled;
    let mut warned = healthy("act_2", now);
    warned.datasets[0].is_unavailable = true;
    let mut informed = healthy("act_3", now);
    informed.tos_accepted.clear();
    let fine = healthy("act_4", now);
    let all: Vec<Vec<Flag>> = [blocked, warned, informed, fine]
        .iter()
        .map(|a| flags(a, NOTHING, now))
        .collect();
    let counts = Counts::of(all.iter().map(Vec::as_slice));
    assert_eq!((counts.blocking, counts.warning, counts.info), (1, 1, 1));
    assert_eq!(counts.needing_attention(), 2);
    assert_eq!(counts.summary().as_deref(), Some("1 blocked · 1 warning"));
    assert_eq!(Counts::default().summary(), None);
}

#[test]
fn set_aside_reasons_that_no_longer_apply_are_forgotten() {
    let now = Utc::now();
    let mut a = healthy("act_1", now);
    a.status = AccountStatus::Unsettled;
    let status = a.attention(now, &MoneyAlerts::DEFAULT).remove(0);
    let mut dismissals = Dismissals::new();
    let entry = |until| Dismissal {
        fingerprint: status.fingerprint(),
        until,
        at: now,
    };
    dismissals
        .entry(a.id.clone())
        .or_default()
        .insert(status.key(), entry(None));
    dismissals
        .entry(id("act_9"))
        .or_default()
        .insert("status".into(), entry(None));
    let mut accounts = BTreeMap::new();
    accounts.insert(a.id.clone(), a.clone());
    prune(&mut dismissals, &accounts, now, &MoneyAlerts::DEFAULT);
    assert_eq!(dismissals.len(), 1, "the unknown account's entry goes");
    a.status = AccountStatus::Active;
    accounts.insert(a.id.clone(), a);
    prune(&mut dismissals, &accounts, now, &MoneyAlerts::DEFAULT);
    assert!(
        dismissals.is_empty(),
        "the reason is gone, and its acknowledgement with it"
    );
}

#[test]
fn flags_serialize_with_their_kind_and_judgement() {
    let now = Utc::now();
    let mut a = healthy("act_1", now);
    a.tos_accepted = vec!["web_custom_audience_tos".into()];
    let json = serde_json::to_value(&flags(&a, NOTHING, now)[0]).unwrap();
    assert_eq!(json["kind"], "tos_missing");
    assert_eq!(json["tos"], "custom_audience_tos");
    assert_eq!(json["severity"], "info");
    assert_eq!(json["key"], "tos_missing:custom_audience_tos");
    assert_eq!(json["acknowledged"], false);
    assert!(json["snoozed_until"].is_null());
}

/// An active account spending 10 a day, `left` under its cap.
fn capped(left: &str) -> Account {
    use std::str::FromStr;
    let now = Utc::now();
    let mut a = healthy("act_9", now);
    a.amount_spent = Some(rust_decimal::Decimal::from(1000));
    a.spend_cap =
        Some(rust_decimal::Decimal::from(1000) + rust_decimal::Decimal::from_str(left).unwrap());
    a.spend_daily = (1..=7)
        .map(|i| crate::forecast::DaySpend {
            date: now.date_naive() - Duration::days(8 - i),
            spend: rust_decimal::Decimal::from(10),
        })
        .collect();
    a
}

fn money_flags(a: &Account, alerts: &MoneyAlerts) -> Vec<(String, Severity)> {
    let now = Utc::now();
    a.attention(now, alerts)
        .iter()
        .filter(|r| r.key().starts_with("spend") || r.key().contains("funds"))
        .map(|r| (r.describe(a), r.severity(now)))
        .collect()
}

#[test]
fn money_that_stops_ads_counts_by_how_soon() {
    let defaults = MoneyAlerts::DEFAULT;
    let cases = [
        (
            "0",
            vec![("Spending cap reached — ads stopped", Severity::Blocking)],
        ),
        (
            "-3",
            vec![("Spending cap reached — ads stopped", Severity::Blocking)],
        ),
        (
            "15",
            vec![(
                "Spending cap reached in ~1 day at the current pace",
                Severity::Blocking,
            )],
        ),
        (
            "25",
            vec![(
                "Spending cap reached in ~2 days at the current pace",
                Severity::Warning,
            )],
        ),
        (
            "39.99",
            vec![(
                "Spending cap reached in ~3 days at the current pace",
                Severity::Warning,
            )],
        ),
        ("40", vec![]),
    ];
    for (left, want) in cases {
        let got = money_flags(&capped(left), &defaults);
        let want: Vec<(String, Severity)> =
            want.into_iter().map(|(t, s)| (t.to_owned(), s)).collect();
        assert_eq!(got, want, "{left} left");
    }
    let week_ahead = MoneyAlerts {
        warn_days: 7,
        urgent_days: 2,
        stopped_spending: true,
    };
    assert_eq!(
        money_flags(&capped("55"), &week_ahead),
        vec![(
            "Spending cap reached in ~5 days at the current pace".to_owned(),
            Severity::Warning
        )]
    );
    // An acknowledged "~3 days" stays acknowledged at "~2 days", not once it is urgent.
    let now = Utc::now();
    let fp = |left: &str| capped(left).attention(now, &defaults)[0].fingerprint();
    assert_eq!(fp("39"), fp("25"));
    assert_ne!(fp("25"), fp("15"));
}

#[test]
fn prepaid_funds_and_stopped_spending_are_reasons_too() {
    use crate::forecast::Funds;
    let defaults = MoneyAlerts::DEFAULT;
    let mut a = capped("100000");
    a.spend_cap = None;
    a.funds = Funds::Left {
        amount: rust_decimal::Decimal::from(12),
    };
    assert_eq!(
        money_flags(&a, &defaults),
        vec![(
            "Prepaid funds last ~1 day at the current pace".to_owned(),
            Severity::Blocking
        )]
    );
    a.funds = Funds::NeedsAdmin;
    assert_eq!(
        money_flags(&a, &defaults),
        vec![(
            "Prepaid funds unknown — reading them needs the Admin role".to_owned(),
            Severity::Info
        )]
    );
    a.funds = Funds::NotPrepaid;
    if let Some(last) = a.spend_daily.last_mut() {
        last.spend = rust_decimal::Decimal::ZERO;
    }
    assert_eq!(
        money_flags(&a, &defaults),
        vec![("Stopped spending yesterday".to_owned(), Severity::Warning)]
    );
    let quiet = MoneyAlerts {
        stopped_spending: false,
        ..defaults
    };
    assert!(money_flags(&a, &quiet).is_empty(), "turned off in Settings");
    a.status = AccountStatus::Disabled;
    assert!(
        money_flags(&a, &defaults).is_empty(),
        "a disabled account is expected to stop"
    );
}
