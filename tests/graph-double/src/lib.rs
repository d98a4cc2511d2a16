//! The Graph double: a loopback HTTP server that behaves like Meta's Graph API
//! and Facebook login dialog as `shared/reference` documents them. Every test,
//! benchmark and the app's sandbox use it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let double = graph_double::GraphDouble::start(Default::default()).await?;
//! let token = double.issue_token();
//! println!("{} {}", double.url(), token);
//! # Ok(()) }
//! ```

pub mod ads;
pub mod browser;
#[cfg(feature = "test-kit")]
pub mod control;
pub mod dialog;
pub mod fields;
pub mod graph;
#[cfg(feature = "test-kit")]
pub mod hostile;
pub mod limits;
pub mod sandbox;
pub mod server;
pub mod state;
pub mod world;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use state::{Fault, FaultKind, Knobs, Scenario, StatsSnapshot, Timeline, Traced};
pub use world::{DEFAULT_APP, DEFAULT_USER, DataConfig, OTHER_USER, TokenState, World};

/// The app secret of the double's Meta app (for long-lived exchange and `debug_token`).
pub const APP_SECRET: &str = "d0b1e5ec4e7a2f6c8b9d0e1f2a3b4c5d";

/// Everything that shapes a double.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DoubleConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub data: DataConfig,
    pub knobs: Knobs,
}

impl DoubleConfig {
    /// The sample agency the app's sandbox shows.
    pub fn sandbox() -> Self {
        Self {
            data: DataConfig {
                sandbox: true,
                ..DataConfig::default()
            },
            knobs: Knobs {
                login_hint: "Sandbox logins: jane@example.com (Jane) or sam@example.com (her colleague Sam), password sandbox".to_owned(),
                ..Knobs::default()
            },
            ..Self::default()
        }
    }

    /// `accounts` generated accounts over `businesses` businesses.
    pub fn generated(accounts: usize, businesses: usize) -> Self {
        Self {
            data: DataConfig {
                accounts,
                businesses,
                ..DataConfig::default()
            },
            ..Self::default()
        }
    }
}

struct Running {
    task: JoinHandle<()>,
    stop: oneshot::Sender<()>,
}

pub struct GraphDouble {
    addr: SocketAddr,
    shared: Arc<state::Shared>,
    running: Mutex<Option<Running>>,
}

impl GraphDouble {
    pub async fn start(config: DoubleConfig) -> std::io::Result<Self> {
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], config.port)))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(state::Shared::new(config.data, config.knobs));
        let double = Self {
            addr,
            shared,
            running: Mutex::new(None),
        };
        double.serve(listener);
        Ok(double)
    }

    fn serve(&self, listener: TcpListener) {
        let (stop, stopped) = oneshot::channel::<()>();
        let app = server::router(self.shared.clone());
        let task = tokio::spawn(async move {
            let result = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = result {
                tracing::warn!("graph double stopped: {e}");
            }
        });
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) = Some(Running { task, stop });
    }

    /// `http://127.0.0.1:PORT` (serves Graph and the Facebook dialog).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    #[cfg(feature = "test-kit")]
    /// Offline: the port closes (connections are refused) until `false`.
    pub async fn set_offline(&self, offline: bool) -> std::io::Result<()> {
        if offline {
            let running = self
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            if let Some(running) = running {
                let _ = running.stop.send(());
                running.task.abort();
                let _ = running.task.await;
            }
            Ok(())
        } else {
            if self
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some()
            {
                return Ok(());
            }
            let listener = bind(self.addr)?;
            self.serve(listener);
            Ok(())
        }
    }

    /// A valid token for the default user with every scope Adkeep asks for.
    pub fn issue_token(&self) -> String {
        self.issue_token_for(DEFAULT_USER, &world::DEFAULT_SCOPES, &[])
    }

    pub fn issue_token_for(&self, user: &str, granted: &[&str], declined: &[&str]) -> String {
        let lifetime = self.shared.knobs().token_lifetime_secs;
        self.shared
            .world()
            .issue_token(user, granted, declined, Duration::seconds(lifetime))
    }

    #[cfg(feature = "test-kit")]
    pub fn set_scenario(&self, scenario: Scenario) {
        self.shared.apply_scenario(scenario);
    }

    #[cfg(feature = "test-kit")]
    pub fn knobs<R>(&self, f: impl FnOnce(&mut Knobs) -> R) -> R {
        f(&mut self.shared.knobs())
    }

    pub fn world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut self.shared.world())
    }

    #[cfg(feature = "test-kit")]
    pub fn add_fault(&self, fault: Fault) {
        self.shared.knobs().faults.push(fault);
    }

    #[cfg(feature = "test-kit")]
    pub fn clear_faults(&self) {
        self.shared.knobs().faults.clear();
    }

    #[cfg(feature = "test-kit")]
    pub fn stats(&self) -> StatsSnapshot {
        self.shared.stats.snapshot()
    }

    /// When the first request since the last reset arrived and the last
    /// answer went out.
    #[cfg(feature = "test-kit")]
    pub fn timeline(&self) -> Timeline {
        self.shared.stats.timeline()
    }

    /// Every request since the last reset (see `Traced`).
    #[cfg(feature = "test-kit")]
    pub fn trace(&self) -> Vec<Traced> {
        self.shared.stats.trace()
    }

    #[cfg(feature = "test-kit")]
    pub fn reset_stats(&self) {
        self.shared.stats.reset();
    }

    #[cfg(feature = "test-kit")]
    /// Gives `user` access to accounts now, or at their next login.
    pub fn grant(&self, user: &str, accounts: &[&str], on_next_login: bool) -> bool {
        let ids: Vec<String> = accounts
            .iter()
            .map(|a| a.trim_start_matches("act_").to_owned())
            .collect();
        grant(&self.shared, user, &ids, on_next_login)
    }

    #[cfg(feature = "test-kit")]
    /// Puts every token of `user` in `state` (one login breaks, the others
    /// keep working).
    pub fn set_token_state(&self, user: &str, state: TokenState) {
        for token in self.shared.world().tokens.values_mut() {
            if token.user_id == user {
                token.state = state;
            }
        }
    }

    #[cfg(feature = "test-kit")]
    /// Removes `user`'s access to accounts.
    pub fn revoke(&self, user: &str, accounts: &[&str]) {
        let mut world = self.shared.world();
        if let Some(u) = world.users.get_mut(user) {
            for a in accounts {
                let id = a.trim_start_matches("act_");
                u.access.remove(id);
                u.unshared.insert(id.to_owned());
            }
        }
    }

    #[cfg(feature = "test-kit")]
    /// Adds accounts that nobody can reach yet, so a test can grant them.
    pub fn add_accounts(&self, count: usize) -> Vec<String> {
        use rand::SeedableRng;
        let mut world = self.shared.world();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(world.accounts.len() as u64 + 99);
        let mut ids = Vec::new();
        for i in 0..count {
            let id = format!(
                "{}",
                300_000_000_000_000u64 + (world.accounts.len() + i) as u64 * 13
            );
            let account = world::random_account(
                &mut rng,
                id.clone(),
                format!("Granted later {}", i + 1),
                "USD".into(),
                1,
                0,
                None,
            );
            world.accounts.insert(id.clone(), account);
            ids.push(id);
        }
        ids
    }
}

impl Drop for GraphDouble {
    fn drop(&mut self) {
        if let Some(running) = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = running.stop.send(());
            running.task.abort();
        }
    }
}

#[cfg(feature = "test-kit")]
pub(crate) fn grant(
    shared: &state::Shared,
    user: &str,
    ids: &[String],
    on_next_login: bool,
) -> bool {
    let mut world = shared.world();
    let known: Vec<String> = ids
        .iter()
        .filter(|id| world.accounts.contains_key(*id))
        .cloned()
        .collect();
    let Some(u) = world.users.get_mut(user) else {
        return false;
    };
    for id in known {
        u.unshared.remove(&id);
        if on_next_login {
            u.grant_on_next_login.insert(id);
        } else {
            u.access
                .entry(id)
                .or_insert_with(|| vec!["MANAGE".into(), "ADVERTISE".into(), "ANALYZE".into()]);
        }
    }
    true
}

fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// An fbtrace-like id (unique per process, not secret).
pub fn trace_id() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("A{:x}{n:06x}", std::process::id())
}

/// A random identifier for codes and sessions.
pub fn random_id(prefix: &str) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let bytes: [u8; 24] = rng.random();
    let mut out = prefix.to_owned();
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}
