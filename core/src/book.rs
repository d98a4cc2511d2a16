//! The account book: every ad account Adkeep has seen, with its last good
//! data, and the Facebook logins that reach them. The merge rules live here
//! so the app and the CLI behave the same: a failed refresh keeps the
//! previous values and records why; an account no login reaches any more
//! (every listing that could say so was complete) is kept and marked no
//! longer accessible; an account that appears after an earlier listing is
//! marked new.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::attention::{self, Dismissal, Dismissals};
use crate::forecast::MoneyAlerts;
use crate::graph::ids::AccountId;
pub use crate::logins::TokenInfo;
use crate::logins::{Login, LoginId, LoginReach, Told, task_rank};
use crate::model::{Account, AccountStatus, DisableReason, Permissions, Profile, Reach};
use crate::problem::Problem;
use crate::refresh::Known;

/// 2: several logins (`logins`, and per account `logins` and `via`).
pub const BOOK_FORMAT: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountBook {
    pub format: u32,
    /// The Facebook logins, by id.
    pub logins: BTreeMap<LoginId, Login>,
    pub accounts: BTreeMap<AccountId, Account>,
    /// When every login last listed its accounts to the end.
    pub last_full_refresh: Option<DateTime<Utc>>,
    /// A complete listing has happened at least once (so later arrivals are new).
    pub listed_once: bool,
    /// Bumped on every change to an account (see `Account::revision`).
    pub revision: u64,
    /// Reasons for attention the person acknowledged or snoozed, per account.
    pub dismissed: Dismissals,
    /// Format 1 (one login) kept these at the top; read, then moved into
    /// `logins` by `migrate`, never written.
    #[serde(skip_serializing)]
    profile: Option<Profile>,
    #[serde(skip_serializing)]
    permissions: Option<Permissions>,
    #[serde(skip_serializing)]
    token_problem: Option<Problem>,
    #[serde(skip_serializing)]
    token: Option<TokenInfo>,
    #[serde(skip_serializing)]
    notified: Option<String>,
    #[serde(skip_serializing)]
    business_only: BTreeSet<AccountId>,
}

/// Remembers which accounts were known when a listing started.
#[derive(Debug, Clone)]
pub struct ListingStart {
    known: HashSet<AccountId>,
    listed_before: bool,
}

/// What one login's listing found: each account it reaches, with the
/// person's tasks there (empty when reached through a business).
pub type Reached = HashMap<AccountId, Vec<String>>;

impl AccountBook {
    pub fn new() -> Self {
        Self {
            format: BOOK_FORMAT,
            ..Self::default()
        }
    }

    /// Brings a book written by an older Adkeep up to this format: the one
    /// login of format 1 becomes the first entry of `logins`, reaching every
    /// account it reached. Nothing is lost; a book already current is left as
    /// it is.
    pub fn migrate(&mut self) {
        if self.format >= BOOK_FORMAT {
            return;
        }
        let legacy = self.profile.take();
        let id = legacy.as_ref().and_then(|p| LoginId::new(&p.id));
        if let Some(id) = id {
            let mut login = Login::new(id.clone());
            login.profile = legacy;
            login.permissions = self.permissions.take();
            login.problem = self.token_problem.take();
            login.token = self.token.take();
            login.notified = self.notified.take().as_deref().and_then(Told::from_legacy);
            login.business_only = std::mem::take(&mut self.business_only);
            login.last_full_refresh = self.last_full_refresh;
            for account in self.accounts.values_mut() {
                if account.reach == Reach::Reachable && account.logins.is_empty() {
                    account.logins.push(LoginReach {
                        login: id.clone(),
                        tasks: account.tasks.clone(),
                    });
                }
                account.via.get_or_insert_with(|| id.clone());
            }
            self.logins.insert(id, login);
        }
        self.format = BOOK_FORMAT;
    }

    /// A login, created if it is new.
    pub fn login_mut(&mut self, id: &LoginId) -> &mut Login {
        self.logins
            .entry(id.clone())
            .or_insert_with(|| Login::new(id.clone()))
    }

    /// Forgets a login; accounts only it reached are kept with their last
    /// data and marked no longer accessible.
    pub fn remove_login(&mut self, id: &LoginId) -> Option<Login> {
        let removed = self.logins.remove(id);
        let mut changed = Vec::new();
        for account in self.accounts.values_mut() {
            let before = account.logins.len();
            account.logins.retain(|r| &r.login != id);
            if account.logins.len() != before && account.logins.is_empty() {
                account.reach = Reach::NoLongerAccessible;
                account.is_new = false;
            }
            if account.logins.len() != before {
                changed.push(account.id.clone());
            }
        }
        for account in changed {
            self.touch(&account);
        }
        removed
    }

    /// The login an `ADKEEP_ACCESS_TOKEN` place (1-based) last belonged to.
    pub fn env_login(&self, slot: usize) -> Option<&LoginId> {
        self.logins
            .values()
            .find(|l| l.env_slot == Some(slot))
            .map(|l| &l.id)
    }

    /// `login` holds that place now (and no other login does).
    pub fn give_env_slot(&mut self, login: &LoginId, slot: usize) -> &mut Login {
        for other in self
            .logins
            .values_mut()
            .filter(|l| l.env_slot == Some(slot))
        {
            other.env_slot = None;
        }
        let login = self.login_mut(login);
        login.env_slot = Some(slot);
        login
    }

    /// Gives a login its real id (an environment token's `env-N`, once Meta
    /// said whose it is): the login, the accounts it reaches and those read
    /// through it move over. Refused (false) when `to` is already a login:
    /// two logins' records are not merged.
    pub fn rename_login(&mut self, from: &LoginId, to: &LoginId) -> bool {
        if from == to || self.logins.contains_key(to) {
            return false;
        }
        if let Some(mut login) = self.logins.remove(from) {
            login.id = to.clone();
            self.logins.insert(to.clone(), login);
        }
        for account in self.accounts.values_mut() {
            for reach in account.logins.iter_mut().filter(|r| &r.login == from) {
                reach.login = to.clone();
            }
            if account.via.as_ref() == Some(from) {
                account.via = Some(to.clone());
            }
            if let Some(fallback) = account.fallback.as_mut().filter(|f| &f.from == from) {
                fallback.from = to.clone();
            }
        }
        true
    }

    /// The problem that stops every login (the first login's), when each
    /// one is stopped (broken, or held by a token-wide limit); `None` while
    /// any login still works.
    pub fn every_login_broken(&self) -> Option<&Problem> {
        let mut logins = self.logins.values().peekable();
        logins.peek()?;
        let mut first = None;
        for login in logins {
            first = first.or(Some(login.problem.as_ref()?));
        }
        first
    }

    /// Accounts only this login reaches.
    pub fn reached_only_by(&self, id: &LoginId) -> usize {
        self.accounts
            .values()
            .filter(|a| a.logins.len() == 1 && &a.logins[0].login == id)
            .count()
    }

    /// Accounts this login reaches.
    pub fn reached_by(&self, id: &LoginId) -> usize {
        self.accounts
            .values()
            .filter(|a| a.logins.iter().any(|r| &r.login == id))
            .count()
    }

    /// The login a refresh of this account should go through, among
    /// `candidates`: a healthy one that reaches it with the richest tasks
    /// (a broken one only when nothing else reaches it).
    pub fn best_login(&self, account: &Account, candidates: &[LoginId]) -> Option<LoginId> {
        let healthy = |id: &LoginId| self.logins.get(id).is_none_or(Login::is_healthy);
        account
            .logins
            .iter()
            .filter(|r| candidates.contains(&r.login))
            .max_by_key(|r| (healthy(&r.login), task_rank(&r.tasks)))
            .map(|r| r.login.clone())
    }

    pub fn get<Q>(&self, id: &Q) -> Option<&Account>
    where
        AccountId: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.accounts.get(id)
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// Accounts sorted by name, then id (the order the CLI prints).
    pub fn sorted(&self) -> Vec<&Account> {
        let mut list: Vec<&Account> = self.accounts.values().collect();
        list.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.id.cmp(&b.id))
        });
        list
    }

    /// Stores freshly read data for an account, clearing its error. The
    /// logins that reach it stay as the listings said.
    pub fn apply_refreshed(&mut self, mut fresh: Account) -> &Account {
        let id = fresh.id.clone();
        match self.accounts.get(&id) {
            Some(previous) => {
                fresh.is_new = previous.is_new;
                fresh.logins = previous.logins.clone();
            }
            None => {
                fresh.is_new = false;
            }
        }
        if let Some(via) = &fresh.via
            && !fresh.logins.iter().any(|r| &r.login == via)
        {
            fresh.logins.push(LoginReach {
                login: via.clone(),
                tasks: fresh.tasks.clone(),
            });
        }
        fresh.reach = Reach::Reachable;
        fresh.error = None;
        self.revision += 1;
        fresh.revision = self.revision;
        self.accounts.insert(id.clone(), fresh);
        &self.accounts[&id]
    }

    /// Records a failed refresh. The previous values stay, as of their time.
    /// An account Adkeep never read gets a placeholder carrying the error.
    /// What a listing said of an account whose row could not be finished:
    /// who it is and its state (name, status, currency, time zone,
    /// business), never its money or when it was last refreshed, which stay
    /// as they were (or unknown). A first run keeps the listing's words
    /// instead of the bare id.
    pub fn apply_listed(&mut self, listed: Account) {
        let entry = self
            .accounts
            .entry(listed.id.clone())
            .or_insert_with(|| placeholder(&listed.id));
        entry.name = listed.name;
        entry.status = listed.status;
        entry.disable_reason = listed.disable_reason;
        entry.currency = listed.currency;
        entry.status_code = listed.status_code;
        entry.timezone = listed.timezone;
        entry.business = listed.business;
    }

    pub fn apply_failure(&mut self, id: &AccountId, problem: Problem) -> &Account {
        self.revision += 1;
        let revision = self.revision;
        let entry = self
            .accounts
            .entry(id.clone())
            .or_insert_with(|| placeholder(id));
        entry.error = Some(problem);
        entry.revision = revision;
        entry
    }

    /// What each of `members` should ask for ahead of listing again: the
    /// reachable accounts each is the best login for, by how its last listing
    /// reached them.
    pub fn known_by(&self, members: &[LoginId]) -> HashMap<LoginId, Known> {
        let mut plans: HashMap<LoginId, Known> = HashMap::new();
        for account in self
            .accounts
            .values()
            .filter(|a| a.reach == Reach::Reachable)
        {
            let Some(login) = self.best_login(account, members) else {
                continue;
            };
            let business_only = self
                .logins
                .get(&login)
                .is_some_and(|l| l.business_only.contains(&account.id));
            let plan = plans.entry(login).or_default();
            if business_only {
                plan.business_only.push(account.id.clone());
            } else {
                plan.listed.push(account.id.clone());
            }
        }
        plans
    }

    pub fn start_listing(&self) -> ListingStart {
        ListingStart {
            known: self.accounts.keys().cloned().collect(),
            listed_before: self.listed_once,
        }
    }

    /// Records what one login's listing found. A complete listing says which
    /// accounts the login no longer reaches; an interrupted one adds what it
    /// found and says nothing about the rest.
    pub fn finish_login_listing(&mut self, login: &LoginId, reached: &Reached, complete: bool) {
        let mut changed = Vec::new();
        for (id, account) in self.accounts.iter_mut() {
            let before = account.logins.clone();
            match reached.get(id) {
                Some(tasks) => match account.logins.iter_mut().find(|r| &r.login == login) {
                    // Tasks learned through a business are unknown (empty): keep what was known.
                    Some(_) if tasks.is_empty() => {}
                    Some(entry) => entry.tasks = tasks.clone(),
                    None => account.logins.push(LoginReach {
                        login: login.clone(),
                        tasks: tasks.clone(),
                    }),
                },
                None if complete => account.logins.retain(|r| &r.login != login),
                None => {}
            }
            if account.logins != before {
                changed.push(id.clone());
            }
        }
        for id in changed {
            self.touch(&id);
        }
    }

    /// Applies a whole run: accounts some login reached are reachable (and
    /// new if they were not known); accounts no login reaches any more are no
    /// longer accessible. `complete`: every login listed to the end.
    pub fn finish_listing(
        &mut self,
        start: &ListingStart,
        seen: &HashSet<AccountId>,
        complete: bool,
        now: DateTime<Utc>,
    ) {
        for (id, account) in self.accounts.iter_mut() {
            let before = (account.reach, account.is_new);
            if seen.contains(id) {
                account.reach = Reach::Reachable;
                account.is_new = start.listed_before && !start.known.contains(id);
            } else if account.logins.is_empty() {
                account.reach = Reach::NoLongerAccessible;
                account.is_new = false;
            }
            if before != (account.reach, account.is_new) {
                self.revision += 1;
                account.revision = self.revision;
            }
        }
        if complete {
            self.listed_once = true;
            self.last_full_refresh = Some(now);
        }
    }

    /// Sets a reason aside on an account: acknowledged (`until` is `None`)
    /// or snoozed until then. `false` when the account has no such reason now.
    pub fn dismiss(
        &mut self,
        id: &AccountId,
        key: &str,
        until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        alerts: &MoneyAlerts,
    ) -> bool {
        let Some(account) = self.accounts.get(id) else {
            return false;
        };
        let found = account
            .attention(now, alerts)
            .into_iter()
            .find(|a| a.key() == key);
        let Some(reason) = found else {
            return false;
        };
        self.dismissed.entry(id.clone()).or_default().insert(
            key.to_owned(),
            Dismissal {
                fingerprint: reason.fingerprint(),
                until,
                at: now,
            },
        );
        self.touch(id);
        true
    }

    /// Shows a set-aside reason again.
    pub fn restore(&mut self, id: &AccountId, key: &str) -> bool {
        let removed = self
            .dismissed
            .get_mut(id)
            .and_then(|by_key| by_key.remove(key))
            .is_some();
        self.dismissed.retain(|_, by_key| !by_key.is_empty());
        if removed {
            self.touch(id);
        }
        removed
    }

    /// Forgets set-aside reasons that no longer apply (see `attention::prune`).
    pub fn prune_dismissed(&mut self, now: DateTime<Utc>, alerts: &MoneyAlerts) {
        attention::prune(&mut self.dismissed, &self.accounts, now, alerts);
    }

    /// A change to how an account reads (a new revision for windows).
    fn touch(&mut self, id: &AccountId) {
        self.revision += 1;
        let revision = self.revision;
        if let Some(account) = self.accounts.get_mut(id) {
            account.revision = revision;
        }
    }
}

/// The book to write when another Adkeep process (the window, the tray, the
/// CLI) may have written it since this one read `base`: what this process
/// changed since `base` wins, everything else comes from `theirs`. Accounts
/// taken from `theirs` get fresh revisions, so a window never mistakes them
/// for older updates.
pub fn merged(base: &AccountBook, ours: &AccountBook, theirs: AccountBook) -> AccountBook {
    let mut out = theirs;
    macro_rules! ours_if_changed {
        ($($field:ident),*) => {$(
            if ours.$field != base.$field {
                out.$field = ours.$field.clone();
            }
        )*};
    }
    ours_if_changed!(format, last_full_refresh, listed_once, dismissed);
    for (id, login) in &ours.logins {
        if base.logins.get(id) != Some(login) {
            out.logins.insert(id.clone(), login.clone());
        }
    }
    for id in base.logins.keys() {
        if !ours.logins.contains_key(id) {
            out.logins.remove(id);
        }
    }
    for (id, account) in &ours.accounts {
        if base.accounts.get(id) != Some(account) {
            out.accounts.insert(id.clone(), account.clone());
        }
    }
    for id in base.accounts.keys() {
        if !ours.accounts.contains_key(id) {
            out.accounts.remove(id);
        }
    }
    let mut revision = ours.revision.max(out.revision);
    for (id, account) in out.accounts.iter_mut() {
        if ours.accounts.get(id) != Some(account) {
            revision += 1;
            account.revision = revision;
        }
    }
    out.revision = revision;
    out
}

fn placeholder(id: &AccountId) -> Account {
    Account {
        id: id.clone(),
        name: id.to_string(),
        status: AccountStatus::Unknown,
        status_code: 0,
        disable_reason: DisableReason::Unknown,
        currency: String::new(),
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
        datasets: Vec::new(),
        tos_accepted: Vec::new(),
        user_tos_accepted: Vec::new(),
        tasks: Vec::new(),
        refreshed_at: None,
        error: None,
        reach: Reach::Reachable,
        is_new: false,
        revision: 0,
        field_errors: Vec::new(),
        logins: Vec::new(),
        via: None,
        fallback: None,
        ads: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::GraphError;
    use crate::problem::{Context, Scope, classify};
    use rust_decimal::Decimal;

    fn id(raw: &str) -> AccountId {
        AccountId::parse(raw).unwrap()
    }

    fn fresh(raw: &str, spent: i64, at: DateTime<Utc>) -> Account {
        let mut a = placeholder(&id(raw));
        a.name = format!("Account {raw}");
        a.status = AccountStatus::Active;
        a.currency = "USD".into();
        a.amount_spent = Some(Decimal::new(spent, 2));
        a.refreshed_at = Some(at);
        a
    }

    fn problem(now: DateTime<Utc>) -> Problem {
        classify(
            &GraphError::offline("down"),
            &Context::new(Scope::Account, now),
        )
    }

    #[test]
    fn a_failed_refresh_keeps_the_previous_values() {
        let t0 = Utc::now();
        let mut book = AccountBook::new();
        book.apply_refreshed(fresh("act_1", 1000, t0));
        let later = t0 + chrono::Duration::hours(1);
        let row = book.apply_failure(&id("act_1"), problem(later)).clone();
        assert_eq!(row.amount_spent, Some(Decimal::new(1000, 2)));
        assert_eq!(
            row.refreshed_at,
            Some(t0),
            "values are as of the last good read"
        );
        assert!(row.error.is_some());
        let row = book.apply_refreshed(fresh("act_1", 2000, later)).clone();
        assert!(row.error.is_none());
        assert_eq!(row.refreshed_at, Some(later));
    }

    #[test]
    fn failure_for_an_unknown_account_creates_a_placeholder() {
        let mut book = AccountBook::new();
        let row = book.apply_failure(&id("act_9"), problem(Utc::now()));
        assert_eq!(row.id, "act_9");
        assert!(row.error.is_some());
        assert!(row.amount_spent.is_none());
    }

    fn login(raw: &str) -> LoginId {
        LoginId::new(raw).unwrap()
    }

    fn reached(pairs: &[(&str, &[&str])]) -> Reached {
        pairs
            .iter()
            .map(|(raw, tasks)| (id(raw), tasks.iter().map(|t| t.to_string()).collect()))
            .collect()
    }

    #[test]
    fn an_environment_login_takes_its_real_id_with_everything_it_reached() {
        let now = Utc::now();
        let mut book = AccountBook::new();
        let (placeholder, real) = (LoginId::from_env(1), login("10215241773831025"));
        let mut row = fresh("act_1", 1, now);
        row.via = Some(placeholder.clone());
        book.apply_refreshed(row);
        book.finish_login_listing(&placeholder, &reached(&[("act_1", &["MANAGE"])]), true);
        book.login_mut(&placeholder).env_slot = Some(1);

        assert!(book.rename_login(&placeholder, &real));
        assert!(!book.logins.contains_key(&placeholder));
        let moved = &book.logins[&real];
        assert_eq!((&moved.id, moved.env_slot), (&real, Some(1)));
        let account = book.get(&id("act_1")).unwrap();
        assert_eq!(account.via.as_ref(), Some(&real));
        assert_eq!(account.logins[0].login, real);
        assert_eq!(book.reached_by(&real), 1);
        // Onto a login already there: refused, nothing moves.
        book.login_mut(&placeholder);
        assert!(!book.rename_login(&placeholder, &real));
        assert!(book.logins.contains_key(&placeholder));
    }

    #[test]
    fn each_known_account_is_asked_ahead_by_its_best_login() {
        let now = Utc::now();
        let mut book = AccountBook::new();
        for raw in ["act_1", "act_2", "act_3", "act_4"] {
            book.apply_refreshed(fresh(raw, 1, now));
        }
        let (jane, sam) = (login("1"), login("2"));
        book.finish_login_listing(
            &jane,
            &reached(&[
                ("act_1", &["MANAGE"]),
                ("act_2", &["ANALYZE"]),
                ("act_4", &[]),
            ]),
            true,
        );
        book.finish_login_listing(
            &sam,
            &reached(&[("act_2", &["ADVERTISE"]), ("act_3", &["ANALYZE"])]),
            true,
        );
        book.login_mut(&jane).business_only.insert(id("act_4"));
        let plans = book.known_by(&[jane.clone(), sam.clone()]);
        assert_eq!(plans[&jane].listed, ["act_1"]);
        assert_eq!(plans[&jane].business_only, ["act_4"]);
        assert_eq!(
            plans[&sam].listed,
            ["act_2", "act_3"],
            "act_2: Sam can advertise there, Jane only analyze"
        );

        // Jane's login breaks: what Sam also reaches goes to Sam.
        book.login_mut(&jane).problem = Some(classify(
            &GraphError::malformed(400, "x"),
            &Context::new(Scope::Token, now),
        ));
        book.logins
            .get_mut(&jane)
            .unwrap()
            .problem
            .as_mut()
            .unwrap()
            .reason = crate::problem::Reason::TokenExpired;
        book.finish_login_listing(
            &sam,
            &reached(&[
                ("act_1", &["ANALYZE"]),
                ("act_2", &["ADVERTISE"]),
                ("act_3", &["ANALYZE"]),
            ]),
            true,
        );
        let plans = book.known_by(&[jane.clone(), sam.clone()]);
        assert_eq!(plans[&sam].listed, ["act_1", "act_2", "act_3"]);
        assert_eq!(
            plans[&jane].business_only,
            ["act_4"],
            "only Jane reaches act_4"
        );
    }

    #[test]
    fn listings_mark_new_and_no_longer_accessible_accounts() {
        let now = Utc::now();
        let jane = login("1");
        let mut book = AccountBook::new();
        // First listing: nothing is "new".
        let start = book.start_listing();
        book.apply_refreshed(fresh("act_1", 1, now));
        book.apply_refreshed(fresh("act_2", 1, now));
        book.finish_login_listing(&jane, &reached(&[("act_1", &[]), ("act_2", &[])]), true);
        let seen: HashSet<AccountId> = ["act_1", "act_2"].iter().map(|s| id(s)).collect();
        book.finish_listing(&start, &seen, true, now);
        assert!(book.accounts.values().all(|a| !a.is_new));

        // Second listing: act_3 granted, act_2 gone.
        let start = book.start_listing();
        book.apply_refreshed(fresh("act_1", 1, now));
        book.apply_refreshed(fresh("act_3", 1, now));
        book.finish_login_listing(&jane, &reached(&[("act_1", &[]), ("act_3", &[])]), true);
        let seen: HashSet<AccountId> = ["act_1", "act_3"].iter().map(|s| id(s)).collect();
        book.finish_listing(&start, &seen, true, now);
        assert!(book.get("act_3").unwrap().is_new);
        assert!(!book.get("act_1").unwrap().is_new);
        let gone = book.get("act_2").unwrap();
        assert_eq!(gone.reach, Reach::NoLongerAccessible);
        assert_eq!(
            gone.amount_spent,
            Some(Decimal::new(1, 2)),
            "kept with its last data"
        );

        // Third listing: act_3 is no longer new; act_2 is back.
        let start = book.start_listing();
        book.finish_login_listing(
            &jane,
            &reached(&[("act_1", &[]), ("act_2", &[]), ("act_3", &[])]),
            true,
        );
        let seen: HashSet<AccountId> = ["act_1", "act_2", "act_3"].iter().map(|s| id(s)).collect();
        book.finish_listing(&start, &seen, true, now);
        assert!(!book.get("act_3").unwrap().is_new);
        assert_eq!(book.get("act_2").unwrap().reach, Reach::Reachable);
    }

    #[test]
    fn an_account_stays_while_any_login_reaches_it() {
        let now = Utc::now();
        let (jane, sam) = (login("1"), login("2"));
        let mut book = AccountBook::new();
        book.apply_refreshed(fresh("act_1", 1, now));
        book.finish_login_listing(&jane, &reached(&[("act_1", &["MANAGE"])]), true);
        book.finish_login_listing(&sam, &reached(&[("act_1", &["ANALYZE"])]), true);
        // Jane loses it; Sam still reaches it.
        let start = book.start_listing();
        book.finish_login_listing(&jane, &reached(&[]), true);
        book.finish_listing(&start, &HashSet::new(), true, now);
        let a = book.get("act_1").unwrap();
        assert_eq!(a.reach, Reach::Reachable);
        assert_eq!(a.logins.len(), 1);
        assert_eq!(a.logins[0].login, sam);
    }

    #[test]
    fn an_interrupted_listing_marks_nothing_unreachable() {
        let now = Utc::now();
        let jane = login("1");
        let mut book = AccountBook::new();
        book.apply_refreshed(fresh("act_1", 1, now));
        book.finish_login_listing(&jane, &reached(&[("act_1", &[])]), true);
        let start = book.start_listing();
        book.finish_login_listing(&jane, &reached(&[]), false);
        book.finish_listing(&start, &HashSet::new(), false, now);
        assert_eq!(book.get("act_1").unwrap().reach, Reach::Reachable);
        assert!(book.last_full_refresh.is_none());
    }

    #[test]
    fn removing_a_login_keeps_what_only_it_reached_marked_no_longer_accessible() {
        let now = Utc::now();
        let (jane, sam) = (login("1"), login("2"));
        let mut book = AccountBook::new();
        book.apply_refreshed(fresh("act_1", 1, now));
        book.apply_refreshed(fresh("act_2", 1, now));
        book.finish_login_listing(&jane, &reached(&[("act_1", &[]), ("act_2", &[])]), true);
        book.finish_login_listing(&sam, &reached(&[("act_2", &[])]), true);
        book.login_mut(&jane);
        assert_eq!(book.reached_only_by(&jane), 1);
        assert_eq!(book.reached_by(&jane), 2);
        assert!(book.remove_login(&jane).is_some());
        assert_eq!(book.get("act_1").unwrap().reach, Reach::NoLongerAccessible);
        assert_eq!(
            book.get("act_1").unwrap().amount_spent,
            Some(Decimal::new(1, 2))
        );
        assert_eq!(book.get("act_2").unwrap().reach, Reach::Reachable);
        assert!(!book.logins.contains_key(&jane));
    }

    #[test]
    fn a_one_login_book_of_the_first_format_becomes_its_first_login() {
        let old = serde_json::json!({
            "format": 1,
            "profile": {"id": "10215241773831025", "name": "Jane Doe"},
            "permissions": {"granted": ["ads_read"], "declined": [], "expired": []},
            "token": {"obtained_at": "2026-11-01T00:00:00Z", "expires_at": "2026-12-31T00:00:00Z", "data_access_expires_at": null},
            "notified": "ok",
            "business_only": ["act_2"],
            "listed_once": true,
            "accounts": {}
        });
        let mut book: AccountBook = serde_json::from_value(old).unwrap();
        book.apply_refreshed(fresh("act_2", 1, Utc::now()));
        book.migrate();
        assert_eq!(book.format, BOOK_FORMAT);
        let jane = &book.logins[&login("10215241773831025")];
        assert_eq!(jane.name(), "Jane Doe");
        assert!(jane.token.as_ref().unwrap().expires_at.is_some());
        assert!(jane.business_only.contains(&id("act_2")));
        assert_eq!(jane.notified, Some(Told::Ok));
        let a = book.get("act_2").unwrap();
        assert_eq!(a.logins[0].login, jane.id);
        assert_eq!(a.via.as_ref(), Some(&jane.id));
        let json = serde_json::to_value(&book).unwrap();
        assert!(
            json.get("profile").is_none(),
            "the old fields are not written again"
        );
    }

    #[test]
    fn every_change_raises_the_revision() {
        let now = Utc::now();
        let jane = login("1");
        let mut book = AccountBook::new();
        let r1 = book.apply_refreshed(fresh("act_1", 1, now)).revision;
        let r2 = book.apply_failure(&id("act_1"), problem(now)).revision;
        let r3 = book.apply_refreshed(fresh("act_1", 2, now)).revision;
        assert!(r1 < r2 && r2 < r3);
        book.finish_login_listing(&jane, &reached(&[("act_1", &[])]), true);
        let r4 = book.get("act_1").unwrap().revision;
        assert!(r4 > r3, "a new login reaching it is a change");
        book.remove_login(&jane);
        assert!(
            book.get("act_1").unwrap().revision > r4,
            "becoming unreachable is a change"
        );
    }

    #[test]
    fn a_merge_keeps_both_processes_changes() {
        let now = Utc::now();
        let mut base = AccountBook::new();
        for raw in ["act_1", "act_2", "act_3"] {
            base.apply_refreshed(fresh(raw, 1, now));
        }
        // This process refreshed act_1; the other refreshed act_2 and found act_4.
        let mut ours = base.clone();
        ours.apply_refreshed(fresh("act_1", 100, now));
        let mut theirs = base.clone();
        theirs.apply_refreshed(fresh("act_2", 200, now));
        theirs.apply_refreshed(fresh("act_4", 400, now));
        theirs.token_problem = Some(problem(now));
        let out = merged(&base, &ours, theirs);
        let spent = |raw: &str| out.get(raw).unwrap().amount_spent;
        assert_eq!(spent("act_1"), Some(Decimal::new(100, 2)), "ours");
        assert_eq!(spent("act_2"), Some(Decimal::new(200, 2)), "theirs");
        assert_eq!(spent("act_4"), Some(Decimal::new(400, 2)), "theirs, new");
        assert_eq!(spent("act_3"), Some(Decimal::new(1, 2)));
        assert!(out.token_problem.is_some(), "their book-level change");
        let ours_rev = ours.get("act_1").unwrap().revision;
        assert!(out.get("act_2").unwrap().revision > ours_rev);
        assert!(out.revision >= out.accounts.values().map(|a| a.revision).max().unwrap());
    }

    #[test]
    fn a_merge_with_nothing_new_on_disk_is_ours() {
        let now = Utc::now();
        let mut base = AccountBook::new();
        base.apply_refreshed(fresh("act_1", 1, now));
        let mut ours = base.clone();
        ours.apply_failure(&id("act_1"), problem(now));
        ours.listed_once = true;
        assert_eq!(merged(&base, &ours, base.clone()), ours);
    }

    #[test]
    fn round_trips_through_json() {
        let mut book = AccountBook::new();
        book.apply_refreshed(fresh("act_1", 12345, Utc::now()));
        let json = serde_json::to_string(&book).unwrap();
        let back: AccountBook = serde_json::from_str(&json).unwrap();
        assert_eq!(back, book);
        assert!(
            json.contains("\"123.45\""),
            "money is a decimal string: {json}"
        );
    }
}
