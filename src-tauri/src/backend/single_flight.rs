//! One piece of work per key at a time: a second request for the same key
//! joins the one in flight instead of starting another (one request to Meta,
//! one answer for the window, the tray and the CLI alike).
//!
//! The work runs as a task of its own and its panics are caught there, so a
//! bug in one refresh is an error for the callers of that refresh, and the
//! key is free again at once: the next request starts afresh.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use tokio_util::sync::CancellationToken;

use adkeep_core::{Error, Result};

type Joint<T> = Shared<BoxFuture<'static, Result<T>>>;

struct Flight<T> {
    id: u64,
    joint: Joint<T>,
    cancel: CancellationToken,
}

pub struct SingleFlight<K, T> {
    running: Arc<Mutex<HashMap<K, Flight<T>>>>,
    ids: AtomicU64,
}

impl<K, T> Default for SingleFlight<K, T> {
    fn default() -> Self {
        Self {
            running: Arc::new(Mutex::new(HashMap::new())),
            ids: AtomicU64::new(0),
        }
    }
}

fn lock<K, T>(m: &Mutex<HashMap<K, Flight<T>>>) -> MutexGuard<'_, HashMap<K, Flight<T>>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<K, T> SingleFlight<K, T>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    /// Runs `work` for `key`, or joins the run already in flight. `work` gets
    /// the token `cancel` trips.
    pub fn run<F, Fut>(
        &self,
        key: K,
        work: F,
    ) -> impl Future<Output = Result<T>> + use<K, T, F, Fut>
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let mut running = lock(&self.running);
        if let Some(flight) = running.get(&key) {
            return flight.joint.clone();
        }
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        let cancel = CancellationToken::new();
        let work = work(cancel.clone());
        let registry = self.running.clone();
        let done_key = key.clone();
        // The registry lock is held until the flight is registered, so the
        // task cannot finish and unregister before it is there.
        let task = tokio::spawn(async move {
            let result = AssertUnwindSafe(work)
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| Err(crashed(panic.as_ref())));
            let mut running = lock(&registry);
            if running.get(&done_key).is_some_and(|f| f.id == id) {
                running.remove(&done_key);
            }
            result
        });
        let joint: Joint<T> = async move {
            task.await
                .unwrap_or_else(|e| Err(Error::Internal(format!("the work stopped: {e}"))))
        }
        .boxed()
        .shared();
        running.insert(
            key,
            Flight {
                id,
                joint: joint.clone(),
                cancel,
            },
        );
        joint
    }

    /// Whether work for `key` is in flight.
    pub fn is_running(&self, key: &K) -> bool {
        lock(&self.running).contains_key(key)
    }

    /// Asks the work for `key` to stop (it decides how soon).
    pub fn cancel(&self, key: &K) {
        if let Some(flight) = lock(&self.running).get(key) {
            flight.cancel.cancel();
        }
    }

    /// Whether any work is in flight.
    pub fn any_running(&self) -> bool {
        !lock(&self.running).is_empty()
    }

    /// Asks all work in flight to stop.
    pub fn cancel_all(&self) {
        for flight in lock(&self.running).values() {
            flight.cancel.cancel();
        }
    }
}

fn crashed(panic: &(dyn std::any::Any + Send)) -> Error {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".to_owned());
    tracing::error!(panic = %what, "a refresh crashed");
    Error::Internal(
        "The refresh stopped because of a bug in Adkeep. Your data is unchanged; try again."
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[tokio::test]
    async fn a_second_request_joins_the_first() {
        let flights = SingleFlight::<&str, usize>::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let start = |runs: Arc<AtomicUsize>| {
            move |_cancel| async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
            }
        };
        let a = flights.run("all", start(runs.clone()));
        let b = flights.run("all", start(runs.clone()));
        assert!(flights.is_running(&"all"));
        let (a, b) = tokio::join!(a, b);
        assert_eq!((a.unwrap(), b.unwrap()), (1, 1));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(!flights.is_running(&"all"));
    }

    #[tokio::test]
    async fn a_panic_is_an_error_and_the_next_run_works() {
        let flights = SingleFlight::<&str, usize>::default();
        let crashed = flights.run("all", |_cancel| async {
            if true {
                panic!("injected");
            }
            Ok(0)
        });
        let joined = flights.run("all", |_cancel| async { Ok(99) });
        let (crashed, joined) = tokio::join!(crashed, joined);
        assert!(matches!(crashed, Err(Error::Internal(_))));
        assert!(
            matches!(joined, Err(Error::Internal(_))),
            "joined the crashed run"
        );
        assert!(!flights.is_running(&"all"));
        let next = flights.run("all", |_cancel| async { Ok(7) }).await;
        assert_eq!(next.unwrap(), 7);
    }

    #[tokio::test]
    async fn the_work_finishes_even_if_every_caller_leaves() {
        let flights = SingleFlight::<u8, ()>::default();
        let done = Arc::new(AtomicUsize::new(0));
        let flag = done.clone();
        drop(flights.run(1, move |_cancel| async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            flag.store(1, Ordering::SeqCst);
            Ok(())
        }));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(done.load(Ordering::SeqCst), 1);
        assert!(!flights.is_running(&1), "unregistered without a caller");
    }

    #[tokio::test]
    async fn cancelling_reaches_the_work() {
        let flights = SingleFlight::<u8, bool>::default();
        let run = flights.run(1, |cancel| async move {
            cancel.cancelled().await;
            Ok(true)
        });
        flights.cancel(&1);
        assert!(run.await.unwrap());
    }
}
