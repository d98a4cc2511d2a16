//! The rate governor: reads Meta's usage headers on every response and slows
//! down or pauses *before* a limit trips; after a rate-limit error it waits as
//! long as Meta says. App-wide usage gates every request; an ad account's
//! usage gates only that account's requests; a business's quota seen on an
//! account's answer gates every account's reads, not the token's own reads
//! (`/me`, the listings), which Meta counts against the app and the user.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::graph::usage::Usage;

#[derive(Debug, Clone)]
pub struct Thresholds {
    /// From this percent of any quota, requests are spaced out.
    pub slow_pct: f64,
    /// From this percent, requests stop until the quota recovers.
    pub pause_pct: f64,
    /// Spacing between request starts while slowed down.
    pub spacing: Duration,
    /// Pause when Meta gives no recovery time.
    pub default_pause: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            slow_pct: 75.0,
            pause_pct: 90.0,
            spacing: Duration::from_millis(500),
            default_pause: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    app_pct: f64,
    paused_until: Option<Instant>,
    /// Every account's reads wait until then (a business quota).
    account_reads_until: Option<Instant>,
    next_slot: Option<Instant>,
    accounts: HashMap<String, Instant>,
    pauses: u64,
}

#[derive(Debug)]
pub struct Governor {
    thresholds: Thresholds,
    state: Mutex<State>,
    /// Bumped when a person says "try now": every wait in flight ends.
    hurry: watch::Sender<u64>,
}

impl Default for Governor {
    fn default() -> Self {
        Self::new(Thresholds::default())
    }
}

impl Governor {
    pub fn new(thresholds: Thresholds) -> Self {
        Self {
            thresholds,
            state: Mutex::new(State::default()),
            hurry: watch::channel(0).0,
        }
    }

    /// A person asked to try now: every pause is lifted and every wait in
    /// flight ends (Meta then answers for itself, limit or not).
    pub fn try_now(&self) {
        {
            let mut state = self.lock();
            state.paused_until = None;
            state.account_reads_until = None;
            state.next_slot = None;
            state.accounts.clear();
        }
        self.hurry.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Hears each "try now".
    pub fn hurried(&self) -> watch::Receiver<u64> {
        self.hurry.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until a request may start (app-wide pause and spacing), or, if
    /// that is further away than `limit`, says until when without waiting
    /// (the caller reports the wait rather than hanging on it).
    pub async fn wait_turn(&self, limit: Duration) -> Result<(), Instant> {
        let wake = self.reserve_turn(limit)?;
        tokio::time::sleep_until(wake).await;
        Ok(())
    }

    /// Takes the next turn without waiting for it: when it comes, or, if
    /// that is further away than `limit`, the error with when it would.
    pub fn reserve_turn(&self, limit: Duration) -> Result<Instant, Instant> {
        {
            let mut state = self.lock();
            let now = Instant::now();
            let mut at = now;
            if let Some(until) = state.paused_until {
                if until > at {
                    at = until;
                } else {
                    state.paused_until = None;
                }
            }
            if at.saturating_duration_since(now) > limit {
                return Err(at);
            }
            if state.app_pct >= self.thresholds.slow_pct {
                let slot = state.next_slot.map_or(at, |s| s.max(at));
                state.next_slot = Some(slot + self.thresholds.spacing);
                at = slot;
            } else {
                state.next_slot = None;
            }
            Ok(at)
        }
    }

    /// When the account (numeric id) may be called again, if it is paused
    /// (on its own, or with every account under a business quota).
    pub fn account_ready_at(&self, account: &str) -> Option<Instant> {
        let mut state = self.lock();
        let now = Instant::now();
        if state.account_reads_until.is_some_and(|until| until <= now) {
            state.account_reads_until = None;
        }
        let own = match state.accounts.get(account).copied() {
            Some(until) if until > now => Some(until),
            Some(_) => {
                state.accounts.remove(account);
                None
            }
            None => None,
        };
        own.max(state.account_reads_until)
    }

    /// When the whole app may call again, if paused.
    pub fn paused_until(&self) -> Option<Instant> {
        self.lock().paused_until.filter(|t| *t > Instant::now())
    }

    /// Learns from the usage headers of a response to a request about
    /// `account` (numeric id), or a token-wide request when `None`.
    pub fn observe(&self, usage: &Usage, account: Option<&str>) {
        if usage.is_empty() {
            return;
        }
        let t = &self.thresholds;
        let mut state = self.lock();
        if let Some(app) = &usage.app {
            let pct = app.call_count.max(app.total_time).max(app.total_cputime);
            state.app_pct = pct;
            if pct >= t.pause_pct {
                let until = from_now(usage.regain_access_after().unwrap_or(t.default_pause));
                pause_app(&mut state, until);
            }
        }
        let hint = usage.regain_access_after();
        let mut account_pct: f64 = usage.ad_account.as_ref().map_or(0.0, |a| a.acc_id_util_pct);
        for entry in &usage.business {
            let pct = entry
                .call_count
                .max(entry.total_time)
                .max(entry.total_cputime);
            let regain = entry.estimated_time_to_regain_access;
            if Some(entry.object_id.as_str()) == account {
                account_pct = account_pct.max(pct);
                if regain > 0.0 {
                    account_pct = account_pct.max(100.0);
                }
            } else if pct >= t.pause_pct || regain > 0.0 {
                // A business-level quota we cannot tie to one account, for as
                // long as the headers say (else the default). On an account's
                // answer it is that account's business: every account's reads
                // wait (which accounts it holds is not known), the listings go
                // on. On the token's own answer it is the token's: all waits.
                let until = from_now(hint.unwrap_or(t.default_pause));
                if account.is_some() {
                    pause_account_reads(&mut state, until);
                } else {
                    pause_app(&mut state, until);
                }
            }
        }
        if let Some(account) = account
            && account_pct >= t.pause_pct
        {
            let wait = hint
                .or(usage.account_reset_after())
                .unwrap_or(t.default_pause);
            let until = from_now(wait);
            let entry = state.accounts.entry(account.to_owned()).or_insert(until);
            if *entry < until {
                *entry = until;
            }
            state.pauses += 1;
        }
    }

    /// After a rate-limit error: stop calling until `retry_after` has passed,
    /// app-wide or for one account.
    pub fn penalize(&self, retry_after: Duration, account: Option<&str>) {
        let until = from_now(retry_after);
        let mut state = self.lock();
        match account {
            Some(account) => {
                let entry = state.accounts.entry(account.to_owned()).or_insert(until);
                if *entry < until {
                    *entry = until;
                }
                state.pauses += 1;
            }
            None => pause_app(&mut state, until),
        }
    }

    /// How many times the governor paused something (for benchmarks).
    pub fn pauses(&self) -> u64 {
        self.lock().pauses
    }

    /// The last app-wide usage percent seen.
    pub fn app_pct(&self) -> f64 {
        self.lock().app_pct
    }
}

/// `now + wait`, with the wait capped at a day (no hint is trusted further,
/// and the sum can then never overflow).
fn from_now(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait.min(crate::graph::usage::MAX_WAIT))
        .unwrap_or(now)
}

fn pause_app(state: &mut State, until: Instant) {
    if state.paused_until.is_none_or(|current| current < until) {
        state.paused_until = Some(until);
        state.pauses += 1;
    }
}

fn pause_account_reads(state: &mut State, until: Instant) {
    if state
        .account_reads_until
        .is_none_or(|current| current < until)
    {
        state.account_reads_until = Some(until);
        state.pauses += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(3600);

    /// A business use case header: `id` at `pct`, access back in `minutes`.
    fn business_usage(id: &str, pct: u32, minutes: u32) -> Usage {
        let entry = format!(
            r#"{{"{id}":[{{"type":"ads_management","call_count":{pct},"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":{minutes}}}]}}"#
        );
        Usage::from_pairs([("x-business-use-case-usage", entry.as_str())])
    }

    fn app_usage(pct: u32) -> Usage {
        Usage::from_pairs([(
            "x-app-usage",
            format!(r#"{{"call_count":{pct},"total_time":1,"total_cputime":1}}"#).as_str(),
        )])
    }

    #[tokio::test(start_paused = true)]
    async fn low_usage_does_not_wait() {
        let g = Governor::default();
        g.observe(&app_usage(10), None);
        let start = Instant::now();
        g.wait_turn(LIMIT).await.unwrap();
        g.wait_turn(LIMIT).await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn high_usage_spaces_requests_out() {
        let g = Governor::default();
        g.observe(&app_usage(80), None);
        let start = Instant::now();
        g.wait_turn(LIMIT).await.unwrap();
        g.wait_turn(LIMIT).await.unwrap();
        g.wait_turn(LIMIT).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn near_the_limit_everything_pauses() {
        let g = Governor::default();
        g.observe(&app_usage(95), None);
        let start = Instant::now();
        g.wait_turn(LIMIT).await.unwrap();
        assert!(start.elapsed() >= Duration::from_secs(60));
        assert_eq!(g.pauses(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_past_the_limit_is_reported_not_waited() {
        let g = Governor::default();
        let absurd = Usage::from_pairs([(
            "x-business-use-case-usage",
            r#"{"9":[{"type":"ads_management","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":1e300}]}"#,
        )]);
        g.observe(&absurd, None);
        let start = Instant::now();
        let until = g.wait_turn(Duration::from_secs(60)).await.unwrap_err();
        assert_eq!(start.elapsed(), Duration::ZERO, "no waiting");
        assert_eq!(
            until - start,
            crate::graph::usage::MAX_WAIT,
            "a day at most"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_account_pauses_only_itself() {
        let g = Governor::default();
        g.observe(&business_usage("111", 96, 2), Some("111"));
        let ready = g.account_ready_at("111").unwrap();
        assert_eq!(ready - Instant::now(), Duration::from_secs(120));
        assert!(g.account_ready_at("222").is_none());
        assert!(g.paused_until().is_none());
        tokio::time::advance(Duration::from_secs(121)).await;
        assert!(g.account_ready_at("111").is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn account_score_waits_for_its_reset() {
        let g = Governor::default();
        let usage = Usage::from_pairs([(
            "x-ad-account-usage",
            r#"{"acc_id_util_pct":92,"reset_time_duration":30}"#,
        )]);
        g.observe(&usage, Some("5"));
        assert_eq!(
            g.account_ready_at("5").unwrap() - Instant::now(),
            Duration::from_secs(30)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_untied_business_quota_pauses_as_long_as_the_headers_say() {
        let g = Governor::default();
        let usage = Usage::from_pairs([
            (
                "x-business-use-case-usage",
                r#"{"999":[{"type":"ads_management","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}"#,
            ),
            (
                "x-ad-account-usage",
                r#"{"acc_id_util_pct":100,"reset_time_duration":3}"#,
            ),
        ]);
        g.observe(&usage, None);
        assert_eq!(
            g.paused_until().unwrap() - Instant::now(),
            Duration::from_secs(3)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_business_quota_on_an_account_answer_pauses_account_reads_not_listings() {
        let g = Governor::default();
        g.observe(&business_usage("1", 100, 7), Some("111"));
        let seven_minutes = Duration::from_secs(420);
        for account in ["111", "222"] {
            let ready = g.account_ready_at(account).expect("paused");
            assert_eq!(ready - Instant::now(), seven_minutes, "{account}");
        }
        assert!(g.paused_until().is_none(), "the listings go on");
        assert!(g.reserve_turn(Duration::ZERO).is_ok());
        tokio::time::advance(seven_minutes).await;
        assert!(g.account_ready_at("222").is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn penalties_extend_but_never_shorten() {
        let g = Governor::default();
        g.penalize(Duration::from_secs(100), None);
        g.penalize(Duration::from_secs(10), None);
        assert_eq!(
            g.paused_until().unwrap() - Instant::now(),
            Duration::from_secs(100)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn try_now_lifts_every_pause_and_is_heard() {
        let g = Governor::default();
        let hurried = g.hurried();
        g.penalize(Duration::from_secs(420), None);
        g.penalize(Duration::from_secs(420), Some("7"));
        g.observe(&business_usage("1", 100, 7), Some("8"));
        assert!(g.reserve_turn(Duration::from_secs(60)).is_err());
        g.try_now();
        assert!(hurried.has_changed().unwrap());
        assert_eq!(g.paused_until(), None);
        assert_eq!(g.account_ready_at("7"), None);
        assert_eq!(g.account_ready_at("8"), None);
        let wake = g.reserve_turn(Duration::ZERO).expect("a turn at once");
        assert!(wake <= Instant::now());
    }
}
