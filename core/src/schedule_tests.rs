//! The scheduler under tokio's paused clock, with a wall clock the test moves.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::TimeZone;

use super::*;

/// Wall time = a start + tokio's (paused) elapsed time + whatever the test
/// adds (a suspend the timers did not see).
struct TestClock {
    start: DateTime<Utc>,
    origin: tokio::time::Instant,
    jumped: Mutex<chrono::Duration>,
}

impl TestClock {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap(),
            origin: tokio::time::Instant::now(),
            jumped: Mutex::new(chrono::Duration::zero()),
        })
    }

    /// The computer slept for `d`: the wall clock moves, timers do not.
    fn sleep_computer(&self, d: chrono::Duration) {
        *self.jumped.lock().unwrap() += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.origin.elapsed()).unwrap();
        self.start + elapsed + *self.jumped.lock().unwrap()
    }
}

struct FakeChecker {
    clock: Arc<TestClock>,
    every: Mutex<Option<Duration>>,
    busy: AtomicBool,
    offline: AtomicBool,
    wait_until: Mutex<Option<DateTime<Utc>>>,
    checks: Mutex<Vec<DateTime<Utc>>>,
    planned: Mutex<Option<DateTime<Utc>>>,
}

impl FakeChecker {
    fn new(clock: Arc<TestClock>, hours: u64) -> Arc<Self> {
        Arc::new(Self {
            clock,
            every: Mutex::new(Some(Duration::from_secs(hours * 3600))),
            busy: AtomicBool::new(false),
            offline: AtomicBool::new(false),
            wait_until: Mutex::new(None),
            checks: Mutex::new(Vec::new()),
            planned: Mutex::new(None),
        })
    }

    fn checks(&self) -> Vec<DateTime<Utc>> {
        self.checks.lock().unwrap().clone()
    }
}

impl Checker for FakeChecker {
    fn every(&self) -> Option<Duration> {
        *self.every.lock().unwrap()
    }
    fn busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst)
    }
    fn wait_until(&self) -> Option<DateTime<Utc>> {
        self.wait_until.lock().unwrap().take()
    }
    fn reachable(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { !self.offline.load(Ordering::SeqCst) })
    }
    fn check(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            self.checks.lock().unwrap().push(self.clock.now());
            true
        })
    }
    fn planned(&self, _last: Option<DateTime<Utc>>, next: Option<DateTime<Utc>>) {
        *self.planned.lock().unwrap() = next;
    }
}

fn start(
    checker: &Arc<FakeChecker>,
    clock: &Arc<TestClock>,
) -> (tokio::task::JoinHandle<()>, Arc<Notify>) {
    let changed = Arc::new(Notify::new());
    let task = tokio::spawn(run(checker.clone(), clock.clone(), changed.clone()));
    (task, changed)
}

async fn advance(d: Duration) {
    tokio::time::advance(d).await;
    // Let the woken task run.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn jitter_stays_within_a_tenth() {
    for seed in 0..1_000 {
        let j = jitter(3 * HOUR, seed);
        assert!(
            j >= Duration::from_secs(3 * 3600 - 1080) && j <= Duration::from_secs(3 * 3600 + 1080)
        );
    }
}

#[tokio::test(start_paused = true)]
async fn checks_fire_on_time_every_interval() {
    let clock = TestClock::new();
    let checker = FakeChecker::new(clock.clone(), 3);
    let (task, _) = start(&checker, &clock);
    advance(Duration::from_secs(1)).await;
    let due = checker.planned.lock().unwrap().unwrap();
    let from_start = due - clock.start;
    assert!(
        from_start >= chrono::Duration::minutes(162)
            && from_start <= chrono::Duration::minutes(198)
    );
    for _ in 0..(4 * 60) {
        advance(STEP).await;
    }
    let checks = checker.checks();
    assert_eq!(checks.len(), 1, "one check in 4 hours");
    assert!(
        (checks[0] - due).num_seconds().abs() <= 60,
        "on time (within a step)"
    );
    for _ in 0..(4 * 60) {
        advance(STEP).await;
    }
    assert_eq!(checker.checks().len(), 2);
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn a_refresh_already_running_stands_for_the_check() {
    let clock = TestClock::new();
    let checker = FakeChecker::new(clock.clone(), 1);
    checker.busy.store(true, Ordering::SeqCst);
    let (task, _) = start(&checker, &clock);
    for _ in 0..75 {
        advance(STEP).await;
    }
    assert!(checker.checks().is_empty(), "never two at once");
    checker.busy.store(false, Ordering::SeqCst);
    for _ in 0..70 {
        advance(STEP).await;
    }
    assert_eq!(
        checker.checks().len(),
        1,
        "the next one runs, an interval later"
    );
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_is_waited_out() {
    let clock = TestClock::new();
    let checker = FakeChecker::new(clock.clone(), 1);
    let (task, _) = start(&checker, &clock);
    advance(Duration::from_secs(1)).await;
    let due = checker.planned.lock().unwrap().unwrap();
    let until = due + chrono::Duration::minutes(30);
    *checker.wait_until.lock().unwrap() = Some(until);
    for _ in 0..120 {
        advance(STEP).await;
    }
    let checks = checker.checks();
    assert_eq!(checks.len(), 1);
    assert!(
        checks[0] >= until,
        "not before Meta allows: {} < {until}",
        checks[0]
    );
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn it_catches_up_once_after_the_computer_slept() {
    let clock = TestClock::new();
    let checker = FakeChecker::new(clock.clone(), 3);
    let (task, _) = start(&checker, &clock);
    advance(Duration::from_secs(1)).await;
    // Asleep for 10 hours: timers stood still, the wall clock did not.
    clock.sleep_computer(chrono::Duration::hours(10));
    advance(STEP).await;
    assert_eq!(
        checker.checks().len(),
        1,
        "once at once on waking, not three times"
    );
    advance(STEP * 10).await;
    assert_eq!(checker.checks().len(), 1);
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn off_means_no_checks_until_turned_on() {
    let clock = TestClock::new();
    let checker = FakeChecker::new(clock.clone(), 1);
    *checker.every.lock().unwrap() = None;
    let (task, changed) = start(&checker, &clock);
    for _ in 0..300 {
        advance(STEP).await;
    }
    assert!(checker.checks().is_empty());
    assert!(checker.planned.lock().unwrap().is_none());
    *checker.every.lock().unwrap() = Some(HOUR);
    changed.notify_one();
    for _ in 0..70 {
        advance(STEP).await;
    }
    assert_eq!(checker.checks().len(), 1);
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn offline_pauses_and_the_check_runs_when_the_network_returns() {
    let clock = TestClock::new();
    let checker = FakeChecker::new(clock.clone(), 1);
    checker.offline.store(true, Ordering::SeqCst);
    let (task, _) = start(&checker, &clock);
    for _ in 0..180 {
        advance(STEP).await;
    }
    assert!(checker.checks().is_empty(), "nothing while offline");
    checker.offline.store(false, Ordering::SeqCst);
    let back = clock.now();
    advance(OFFLINE_RETRY).await;
    let checks = checker.checks();
    assert_eq!(checks.len(), 1, "once, when the network returned");
    assert!(checks[0] >= back && checks[0] - back <= chrono::Duration::minutes(1));
    task.abort();
}
