//! The history database: recording, reading, bounds, a damaged file, two
//! writers, a clock that goes backwards.

use chrono::Duration;

use super::*;

fn change(at: DateTime<Utc>, account: &str, kind: ChangeKind) -> Change {
    Change {
        at,
        account_id: AccountId::parse(account),
        account_name: Some(format!("Account {account}")),
        login: None,
        kind,
        from: Some("active".into()),
        to: Some("disabled".into()),
        worse: true,
    }
}

fn open(dir: &Path) -> History {
    match History::open(dir).unwrap() {
        Opened::Ready(h) => h,
        Opened::Restarted { .. } => panic!("a fresh folder needs no restart"),
    }
}

#[test]
fn records_and_reads_newest_first_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = open(dir.path());
    let now = Utc::now();
    history
        .record(&[
            change(now - Duration::days(2), "act_1", ChangeKind::Status),
            change(
                now - Duration::hours(1),
                "act_2",
                ChangeKind::DatasetStopped,
            ),
        ])
        .unwrap();
    history
        .record(&[change(now, "act_1", ChangeKind::TosMissing)])
        .unwrap();
    let all = history.read(&Query::default()).unwrap();
    assert_eq!(
        all.iter().map(|c| c.kind).collect::<Vec<_>>(),
        [
            ChangeKind::TosMissing,
            ChangeKind::DatasetStopped,
            ChangeKind::Status
        ]
    );
    assert_eq!(all[2], change(all[2].at, "act_1", ChangeKind::Status));
    let recent = history
        .read(&Query {
            since: Some(now - Duration::days(1)),
            ..Query::default()
        })
        .unwrap();
    assert_eq!(recent.len(), 2);
    let one = history
        .read(&Query {
            account: AccountId::parse("act_1"),
            kind: Some(ChangeKind::Status),
            ..Query::default()
        })
        .unwrap();
    assert_eq!(one.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "private");
    }
}

#[test]
fn a_clock_that_goes_backwards_keeps_the_order_of_recording() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = open(dir.path());
    let now = Utc::now();
    history
        .record(&[change(now, "act_1", ChangeKind::Status)])
        .unwrap();
    history
        .record(&[change(now - Duration::hours(3), "act_1", ChangeKind::Role)])
        .unwrap();
    let all = history.read(&Query::default()).unwrap();
    assert_eq!(all[0].kind, ChangeKind::Role, "recorded last, shown first");
}

#[test]
fn old_and_excess_events_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = open(dir.path());
    let now = Utc::now();
    history
        .record(&[change(
            now - Duration::days(KEEP_DAYS + 1),
            "act_1",
            ChangeKind::Status,
        )])
        .unwrap();
    assert_eq!(history.count().unwrap(), 0, "older than the limit");
    let many: Vec<Change> = (0..(KEEP_EVENTS + 10))
        .map(|_| change(now, "act_1", ChangeKind::Status))
        .collect();
    history.record(&many).unwrap();
    assert_eq!(history.count().unwrap(), KEEP_EVENTS);
}

#[test]
fn a_damaged_file_is_set_aside_and_a_new_one_started() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(FILE),
        b"this is not a database, it is a shopping list",
    )
    .unwrap();
    match History::open(dir.path()).unwrap() {
        Opened::Restarted {
            mut history,
            set_aside,
            ..
        } => {
            assert!(set_aside.exists());
            history
                .record(&[change(Utc::now(), "act_1", ChangeKind::Status)])
                .unwrap();
            assert_eq!(history.count().unwrap(), 1);
        }
        Opened::Ready(_) => panic!("the damaged file was used"),
    }
}

#[test]
fn two_processes_write_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let writers: Vec<_> = (0..4)
        .map(|n| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut history = open(&path);
                for _ in 0..50 {
                    history
                        .record(&[change(
                            Utc::now(),
                            &format!("act_{}", n + 1),
                            ChangeKind::Status,
                        )])
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(open(&path).count().unwrap(), 200);
}

#[test]
fn a_newer_schema_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let c = Connection::open(dir.path().join(FILE)).unwrap();
    c.pragma_update(None, "user_version", 9).unwrap();
    drop(c);
    assert!(matches!(
        History::open(dir.path()),
        Err(HistoryError::Newer(9))
    ));
}
