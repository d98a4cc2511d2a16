//! Delivering: in order, side by side, retried under the same id.

use std::sync::Mutex;

use futures::future::BoxFuture;

use super::*;
use crate::alerts::destination::{Rules, SecretRef, Target};
use crate::alerts::detect::{Alert, AlertState, Open, Step, Subject};
use crate::attention::Severity;
use crate::history::Opened;

struct Store(Mutex<History>);

impl Outbox for Store {
    fn with_outbox<T>(&self, f: impl FnOnce(&mut History) -> Result<T, HistoryError>) -> Option<T> {
        f(&mut self.0.lock().unwrap()).ok()
    }
}

/// Answers from a script per destination; records what it was sent.
#[derive(Default)]
struct Scripted {
    answers: Mutex<Vec<(String, Outcome)>>,
    hang: Option<String>,
    seen: Mutex<Vec<(String, String)>>,
}

impl Sender for Scripted {
    fn send<'a>(
        &'a self,
        destination: &'a Destination,
        digest: Digest<'a>,
    ) -> BoxFuture<'a, Outcome> {
        self.seen
            .lock()
            .unwrap()
            .push((destination.id.clone(), digest.delivery.to_owned()));
        let hang = self.hang.as_deref() == Some(destination.id.as_str());
        let mut answers = self.answers.lock().unwrap();
        let position = answers.iter().position(|(d, _)| *d == destination.id);
        let outcome = position.map_or(Outcome::Delivered, |i| answers.remove(i).1);
        Box::pin(async move {
            if hang {
                futures::future::pending::<()>().await;
            }
            outcome
        })
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let history = match History::open(dir.path()).unwrap() {
        Opened::Ready(h) => h,
        Opened::Restarted { history, .. } => history,
    };
    (dir, Store(Mutex::new(history)))
}

fn destination(store: &Store) -> Destination {
    let d = Destination::new(
        Target::Slack {
            url: SecretRef::Keychain,
        },
        Rules::default(),
        Utc::now(),
    )
    .unwrap();
    store
        .with_outbox(|h| h.save_destination(&d, Utc::now()))
        .unwrap();
    d
}

fn decide_one(store: &Store, destination: &Destination, key: &str) -> String {
    let now = Utc::now();
    let subject = Subject {
        account_id: None,
        account_name: Some(key.into()),
        login: None,
    };
    let step = Step {
        alerts: vec![Alert {
            state: AlertState::New,
            severity: Severity::Blocking,
            subject: subject.clone(),
            reason: "payment_failed".into(),
            title: "t".into(),
            action: "a".into(),
            since: now,
        }],
        open: vec![Open {
            key: key.into(),
            fingerprint: "f".into(),
            subject,
            severity: Severity::Blocking,
            reason: "payment_failed".into(),
            title: "t".into(),
            action: "a".into(),
            since: now,
            told_at: now,
        }],
    };
    store
        .with_outbox(|h| h.record_step(&destination.id, &step, now))
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_delivery_that_failed_goes_later_under_the_same_id() {
    let (_dir, store) = store();
    let d = destination(&store);
    let id = decide_one(&store, &d, "k1");
    let sender = Scripted::default();
    sender.answers.lock().unwrap().push((
        d.id.clone(),
        Outcome::Retry {
            after: Some(std::time::Duration::ZERO),
            error: "answered 503".into(),
        },
    ));
    let first = deliver_due(&store, &sender, false).await;
    assert_eq!((first.sent, first.retrying, first.pending), (0, 1, 1));
    let second = deliver_due(&store, &sender, false).await;
    assert_eq!((second.sent, second.pending), (1, 0));
    let seen = sender.seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|(_, delivery)| *delivery == id), "{seen:?}");
}

#[tokio::test]
async fn a_refusal_marks_the_destination_and_keeps_its_deliveries_in_order() {
    let (_dir, store) = store();
    let d = destination(&store);
    let older = decide_one(&store, &d, "k1");
    let newer = decide_one(&store, &d, "k2");
    let sender = Scripted::default();
    sender.answers.lock().unwrap().push((
        d.id.clone(),
        Outcome::Refused("answered 404: no_service".into()),
    ));
    let report = deliver_due(&store, &sender, false).await;
    assert_eq!(
        report.refused,
        vec![(d.id.clone(), "answered 404: no_service".to_owned())]
    );
    assert_eq!(report.pending, 2, "both kept");
    assert_eq!(
        sender.seen.lock().unwrap().len(),
        1,
        "the newer one waits behind the older"
    );
    // Between checks a failing destination is left alone; at a check it is tried.
    assert_eq!(deliver_due(&store, &sender, false).await.sent, 0);
    let fixed = deliver_due(&store, &sender, true).await;
    assert_eq!((fixed.sent, fixed.pending), (2, 0));
    let order: Vec<String> = sender
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|(_, id)| id.clone())
        .collect();
    assert_eq!(order, vec![older.clone(), older, newer]);
    let kept = store.with_outbox(|h| h.destinations()).unwrap();
    assert!(
        kept[0].failing.is_none(),
        "a delivery that went clears failing"
    );
}

#[tokio::test(start_paused = true)]
async fn a_destination_that_hangs_holds_back_no_other() {
    let (_dir, store) = store();
    let dead = destination(&store);
    let alive = destination(&store);
    decide_one(&store, &dead, "k");
    decide_one(&store, &alive, "k");
    let sender = Scripted {
        hang: Some(dead.id.clone()),
        ..Scripted::default()
    };
    let report = deliver_due(&store, &sender, false).await;
    assert_eq!((report.sent, report.retrying, report.pending), (1, 1, 1));
}

#[tokio::test]
async fn a_test_message_fixes_a_failing_destination() {
    let (_dir, store) = store();
    let d = destination(&store);
    let id = decide_one(&store, &d, "k");
    store
        .with_outbox(|h| h.mark_failing(&id, &d.id, "answered 403", Utc::now()))
        .unwrap();
    let kept = store.with_outbox(|h| h.destinations()).unwrap().remove(0);
    let sender = Scripted::default();
    assert_eq!(send_test(&store, &sender, &kept).await, Outcome::Delivered);
    assert!(
        store.with_outbox(|h| h.destinations()).unwrap()[0]
            .failing
            .is_none()
    );
    assert_eq!(deliver_due(&store, &sender, false).await.sent, 1);
}

#[test]
fn backoff_doubles_to_an_hour() {
    assert_eq!(backoff(0).as_secs(), 30);
    assert_eq!(backoff(1).as_secs(), 60);
    assert_eq!(backoff(5).as_secs(), 960);
    assert_eq!(backoff(9).as_secs(), 3600);
    assert_eq!(backoff(u32::MAX).as_secs(), 3600);
}
