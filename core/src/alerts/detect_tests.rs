//! What alerts, when, and how often.

use chrono::{Duration, TimeZone};

use super::*;
use crate::attention::{Dismissal, EXPECTED_TOS};
use crate::logins::{LoginReach, Profile};
use crate::model::{Account, AccountStatus, Dataset, DisableReason};
use crate::problem::{Reason, declined_scopes};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap()
}

fn jane() -> LoginId {
    LoginId::new("7").unwrap()
}

/// A healthy active account reached by Jane.
fn account(n: u32) -> Account {
    let mut book = AccountBook::new();
    let id = AccountId::parse(&format!("act_{n}")).unwrap();
    let mut a = book.apply_failure(&id, declined_scopes(&[], at())).clone();
    a.error = None;
    a.name = format!("Shop {n}");
    a.status = AccountStatus::Active;
    a.disable_reason = DisableReason::None;
    a.refreshed_at = Some(at());
    a.tasks = vec!["MANAGE".into()];
    a.tos_accepted = EXPECTED_TOS.iter().map(|s| s.to_string()).collect();
    a.datasets = vec![Dataset {
        id: "81".into(),
        name: "Pixel".into(),
        last_fired_time: Some(at() - Duration::minutes(5)),
        is_unavailable: false,
    }];
    a.logins = vec![LoginReach {
        login: jane(),
        tasks: vec!["MANAGE".into()],
    }];
    a
}

fn book(accounts: Vec<Account>) -> AccountBook {
    let mut book = AccountBook::new();
    book.listed_once = true;
    book.login_mut(&jane()).profile = Some(Profile {
        id: "7".into(),
        name: "Jane Doe".into(),
    });
    for a in accounts {
        book.accounts.insert(a.id.clone(), a);
    }
    book
}

fn disabled(n: u32) -> Account {
    let mut a = account(n);
    a.status = AccountStatus::Disabled;
    a.disable_reason = DisableReason::RiskPayment;
    a
}

fn run(open: &[Open], book: &AccountBook, rules: &Rules, now: DateTime<Utc>) -> Step {
    step(
        open,
        &conditions(book, &Settings::default(), now),
        rules,
        now,
    )
}

fn states(step: &Step) -> Vec<(AlertState, String, Option<String>)> {
    step.alerts
        .iter()
        .map(|a| {
            (
                a.state,
                a.reason.clone(),
                a.subject.account_id.as_ref().map(|i| i.to_string()),
            )
        })
        .collect()
}

#[test]
fn a_problem_alerts_once_and_its_end_once() {
    let rules = Rules::default();
    let first = run(&[], &book(vec![account(1), disabled(2)]), &rules, at());
    assert_eq!(
        states(&first),
        vec![(
            AlertState::New,
            "account_disabled".into(),
            Some("act_2".into())
        )]
    );
    let alert = &first.alerts[0];
    assert_eq!(alert.subject.account_name.as_deref(), Some("Shop 2"));
    assert_eq!(alert.action, "Request a review in Account Quality");
    assert_eq!(alert.severity, Severity::Blocking);
    // The same state again says nothing.
    let again = run(
        &first.open,
        &book(vec![account(1), disabled(2)]),
        &rules,
        at() + Duration::hours(3),
    );
    assert!(again.alerts.is_empty(), "{:?}", again.alerts);
    assert_eq!(again.open.len(), 1);
    // Recovered: resolved, once.
    let over = run(
        &again.open,
        &book(vec![account(1), account(2)]),
        &rules,
        at() + Duration::hours(6),
    );
    assert_eq!(
        states(&over),
        vec![(
            AlertState::Resolved,
            "account_disabled".into(),
            Some("act_2".into())
        )]
    );
    assert_eq!(over.alerts[0].since, at(), "since: when it was first told");
    assert!(over.open.is_empty());
    let quiet = run(
        &over.open,
        &book(vec![account(1), account(2)]),
        &rules,
        at() + Duration::hours(9),
    );
    assert!(quiet.alerts.is_empty());
}

#[test]
fn a_different_state_of_the_same_reason_is_new() {
    let rules = Rules::default();
    let mut unsettled = account(3);
    unsettled.status = AccountStatus::Unsettled;
    let first = run(&[], &book(vec![unsettled]), &rules, at());
    assert_eq!(states(&first)[0].1, "account_unsettled");
    let second = run(
        &first.open,
        &book(vec![disabled(3)]),
        &rules,
        at() + Duration::hours(1),
    );
    assert_eq!(
        states(&second),
        vec![(
            AlertState::New,
            "account_disabled".into(),
            Some("act_3".into())
        )]
    );
}

#[test]
fn severity_logins_accounts_and_resolved_follow_the_rules() {
    let mut stopped = account(4);
    stopped.datasets[0].last_fired_time = Some(at() - Duration::days(10));
    let accounts = vec![disabled(2), stopped];
    let blocking = run(&[], &book(accounts.clone()), &Rules::default(), at());
    assert_eq!(
        blocking.alerts.len(),
        1,
        "a warning does not reach a blocking-only destination"
    );
    let warnings = Rules {
        min_severity: Severity::Warning,
        ..Rules::default()
    };
    let both = run(&[], &book(accounts.clone()), &warnings, at());
    assert_eq!(both.alerts.len(), 2);
    assert_eq!(
        both.alerts[0].severity,
        Severity::Blocking,
        "blocking first"
    );
    let only_act_4 = Rules {
        accounts: vec![AccountId::parse("act_4").unwrap()],
        ..warnings.clone()
    };
    assert_eq!(
        run(&[], &book(accounts.clone()), &only_act_4, at())
            .alerts
            .len(),
        1
    );
    let sams = Rules {
        logins: vec![LoginId::new("99").unwrap()],
        ..warnings.clone()
    };
    assert!(
        run(&[], &book(accounts.clone()), &sams, at())
            .alerts
            .is_empty()
    );
    let no_resolved = Rules {
        send_resolved: false,
        ..Rules::default()
    };
    let first = run(&[], &book(vec![disabled(2)]), &no_resolved, at());
    let over = run(&first.open, &book(vec![account(2)]), &no_resolved, at());
    assert!(over.alerts.is_empty() && over.open.is_empty());
}

#[test]
fn a_broken_login_alerts_once_not_per_account() {
    let mut accounts = Vec::new();
    for n in 1..=30 {
        let mut a = account(n);
        let mut problem = declined_scopes(&[], at());
        problem.reason = Reason::TokenExpired;
        problem.scope = crate::problem::Scope::Token;
        a.error = Some(problem);
        a.refreshed_at = Some(at() - Duration::days(3));
        accounts.push(a);
    }
    let mut broken = book(accounts);
    let mut problem = declined_scopes(&[], at());
    problem.reason = Reason::TokenExpired;
    broken.login_mut(&jane()).problem = Some(problem);
    let step = run(&[], &broken, &Rules::default(), at());
    assert_eq!(
        states(&step),
        vec![(AlertState::New, "login_token_expired".into(), None)]
    );
    assert_eq!(step.alerts[0].action, "Reauthenticate Jane Doe");
    assert_eq!(step.alerts[0].title, "Jane Doe's login expired");
}

#[test]
fn what_the_person_set_aside_never_alerts() {
    let mut quiet = book(vec![disabled(2)]);
    let flag_fingerprint = Attention::Status {
        status: AccountStatus::Disabled,
        disable_reason: DisableReason::RiskPayment,
    }
    .fingerprint();
    quiet
        .dismissed
        .entry(AccountId::parse("act_2").unwrap())
        .or_default()
        .insert(
            "status".into(),
            Dismissal {
                fingerprint: flag_fingerprint,
                until: None,
                at: at(),
            },
        );
    assert!(run(&[], &quiet, &Rules::default(), at()).alerts.is_empty());
    // Told before it was acknowledged: no reminder, and its end is still said.
    let reminding = Rules {
        remind_after_secs: Some(3600),
        ..Rules::default()
    };
    let told = run(&[], &book(vec![disabled(2)]), &reminding, at());
    let later = run(&told.open, &quiet, &reminding, at() + Duration::hours(5));
    assert!(later.alerts.is_empty(), "{:?}", later.alerts);
    let over = run(
        &later.open,
        &book(vec![account(2)]),
        &reminding,
        at() + Duration::hours(6),
    );
    assert_eq!(over.alerts[0].state, AlertState::Resolved);
}

#[test]
fn reminders_come_after_their_time_and_only_for_blocking() {
    let rules = Rules {
        remind_after_secs: Some(24 * 3600),
        min_severity: Severity::Warning,
        ..Rules::default()
    };
    let mut stopped = account(4);
    stopped.datasets[0].last_fired_time = Some(at() - Duration::days(10));
    let accounts = vec![disabled(2), stopped];
    let first = run(&[], &book(accounts.clone()), &rules, at());
    let early = run(
        &first.open,
        &book(accounts.clone()),
        &rules,
        at() + Duration::hours(23),
    );
    assert!(early.alerts.is_empty());
    let due = run(
        &early.open,
        &book(accounts.clone()),
        &rules,
        at() + Duration::hours(24),
    );
    assert_eq!(
        states(&due),
        vec![(
            AlertState::Reminder,
            "account_disabled".into(),
            Some("act_2".into())
        )]
    );
    let after = run(
        &due.open,
        &book(accounts),
        &rules,
        at() + Duration::hours(30),
    );
    assert!(
        after.alerts.is_empty(),
        "the next reminder counts from this one"
    );
}
