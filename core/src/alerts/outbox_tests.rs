//! The outbox keeps what a check decided until a destination takes it.

use chrono::Duration as Span;

use super::*;
use crate::alerts::destination::{Rules, SecretRef, Target};
use crate::alerts::detect::{AlertState, Open, Subject};
use crate::attention::Severity;
use crate::history::Opened;

fn open_history(dir: &std::path::Path) -> History {
    match History::open(dir).unwrap() {
        Opened::Ready(h) => h,
        Opened::Restarted { history, .. } => history,
    }
}

fn slack(now: DateTime<Utc>) -> Destination {
    Destination::new(
        Target::Slack {
            url: SecretRef::Keychain,
        },
        Rules::default(),
        now,
    )
    .unwrap()
}

fn told(key: &str, now: DateTime<Utc>) -> Step {
    let open = Open {
        key: key.into(),
        fingerprint: "f".into(),
        subject: Subject {
            account_id: None,
            account_name: Some("Shop".into()),
            login: None,
        },
        severity: Severity::Blocking,
        reason: "payment_failed".into(),
        title: "Payment failed".into(),
        action: "Fix it".into(),
        since: now,
        told_at: now,
    };
    let alert = Alert {
        state: AlertState::New,
        severity: open.severity,
        subject: open.subject.clone(),
        reason: open.reason.clone(),
        title: open.title.clone(),
        action: open.action.clone(),
        since: now,
    };
    Step {
        alerts: vec![alert],
        open: vec![open],
    }
}

#[test]
fn a_decision_survives_a_restart_until_it_is_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let destination = slack(now);
    let id = {
        let mut history = open_history(dir.path());
        history.save_destination(&destination, now).unwrap();
        history
            .record_step(&destination.id, &told("act_1:billing", now), now)
            .unwrap()
            .unwrap()
        // Dropped here, as a killed process would drop it.
    };
    let mut history = open_history(dir.path());
    assert_eq!(history.open_alerts(&destination.id).unwrap().len(), 1);
    let due = history.due_deliveries(now, false).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, id);
    assert_eq!(due[0].alerts[0].reason, "payment_failed");
    history
        .retry_later(&id, now + Span::seconds(30), false, "answered 503")
        .unwrap();
    assert!(history.due_deliveries(now, false).unwrap().is_empty());
    assert_eq!(
        history.due_deliveries(now, true).unwrap().len(),
        1,
        "a check tries it at once"
    );
    history
        .retry_later(&id, now + Span::seconds(30), true, "answered 429")
        .unwrap();
    assert!(
        history.due_deliveries(now, true).unwrap().is_empty(),
        "unless it asked for a wait"
    );
    let later = history
        .due_deliveries(now + Span::seconds(31), false)
        .unwrap();
    assert_eq!(
        (later[0].id.as_str(), later[0].attempts),
        (id.as_str(), 2),
        "the same id, retried"
    );
    let kept = &history.destinations().unwrap()[0];
    assert_eq!(
        (kept.pending, kept.last_error.as_deref()),
        (1, Some("answered 429"))
    );
    history.delivered(&id, &destination.id, now).unwrap();
    assert!(
        history
            .due_deliveries(now + Span::days(1), true)
            .unwrap()
            .is_empty()
    );
    let kept = &history.destinations().unwrap()[0];
    assert_eq!((kept.pending, kept.last_sent.is_some()), (0, true));
}

#[test]
fn a_failing_destination_waits_until_it_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let mut history = open_history(dir.path());
    let destination = slack(now);
    history.save_destination(&destination, now).unwrap();
    let id = history
        .record_step(&destination.id, &told("k", now), now)
        .unwrap()
        .unwrap();
    history
        .mark_failing(&id, &destination.id, "answered 404: no_service", now)
        .unwrap();
    assert!(
        history.due_deliveries(now, false).unwrap().is_empty(),
        "not on every retry"
    );
    assert_eq!(
        history.due_deliveries(now, true).unwrap().len(),
        1,
        "once a check"
    );
    assert_eq!(history.next_delivery_due().unwrap(), None);
    let kept = &history.destinations().unwrap()[0];
    assert_eq!(kept.failing.as_deref(), Some("answered 404: no_service"));
    // Edited (fixed): no longer failing, due now.
    history.save_destination(&destination, now).unwrap();
    assert!(history.destinations().unwrap()[0].failing.is_none());
    assert_eq!(history.due_deliveries(now, false).unwrap().len(), 1);
}

#[test]
fn a_week_old_delivery_is_dropped_and_a_removed_destination_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let then = Utc::now() - Span::days(8);
    let mut history = open_history(dir.path());
    let destination = slack(then);
    history.save_destination(&destination, then).unwrap();
    history
        .record_step(&destination.id, &told("k", then), then)
        .unwrap();
    assert_eq!(
        history.drop_expired(Utc::now()).unwrap(),
        vec![(destination.id.clone(), 1)]
    );
    assert_eq!(history.pending_deliveries().unwrap(), 0);
    let second = slack(then);
    history.save_destination(&second, then).unwrap();
    history
        .record_step(&second.id, &told("k", then), Utc::now())
        .unwrap();
    assert!(history.remove_destination(&second.id).unwrap());
    assert!(history.open_alerts(&second.id).unwrap().is_empty());
    assert_eq!(history.pending_deliveries().unwrap(), 0);
    assert_eq!(history.destinations().unwrap().len(), 1);
}

#[test]
fn nothing_to_say_writes_no_delivery_but_keeps_what_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let mut history = open_history(dir.path());
    let destination = slack(now);
    history.save_destination(&destination, now).unwrap();
    let mut quiet = told("k", now);
    quiet.alerts.clear();
    assert_eq!(
        history.record_step(&destination.id, &quiet, now).unwrap(),
        None
    );
    assert_eq!(history.open_alerts(&destination.id).unwrap().len(), 1);
    assert_eq!(history.pending_deliveries().unwrap(), 0);
    assert_eq!(new_delivery_id().len(), 32);
    assert_ne!(new_delivery_id(), new_delivery_id());
}
