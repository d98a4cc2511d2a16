//! The account book: every ad account Adkeep has seen, with its last good data.
//! The merge rules live here so the app and the CLI behave the same:
//! a failed refresh keeps the previous values and records why; an account
//! missing from a complete listing is kept and marked no longer accessible;
//! an account that appears after an earlier listing is marked new.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::attention::{self, Dismissal, Dismissals};
use crate::graph::ids::AccountId;
use crate::model::{Account, AccountStatus, DisableReason, Permissions, Profile, Reach};
use crate::problem::Problem;
use crate::refresh::Known;

pub const BOOK_FORMAT: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountBook {
    pub format: u32,
    /// The Facebook user whose login reached these accounts.
    pub profile: Option<Profile>,
    pub permissions: Option<Permissions>,
    pub accounts: BTreeMap<AccountId, Account>,
    pub last_full_refresh: Option<DateTime<Utc>>,
    /// A complete listing has happened at least once (so later arrivals are new).
    pub listed_once: bool,
    /// The last token-wide problem, until a call succeeds again.
    pub token_problem: Option<Problem>,
    /// What Adkeep learned about the token at login (never the token itself).
    pub token: Option<TokenInfo>,
    /// Bumped on every change to an account (see `Account::revision`).
    pub revision: u64,
    /// The health level last told to the person (OS notifications go out
    /// only when it changes).
    pub notified: Option<String>,
    /// Accounts the last complete listing reached only through a business.
    pub business_only: BTreeSet<AccountId>,
    /// Reasons for attention the person acknowledged or snoozed, per account.
    pub dismissed: Dismissals,
}

/// Token lifetime facts, learned at login or from `debug_token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub obtained_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub data_access_expires_at: Option<DateTime<Utc>>,
}

/// Remembers which accounts were known when a listing started.
#[derive(Debug, Clone)]
pub struct ListingStart {
    known: HashSet<AccountId>,
    listed_before: bool,
}

impl AccountBook {
    pub fn new() -> Self {
        Self {
            format: BOOK_FORMAT,
            ..Self::default()
        }
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

    /// Stores freshly read data for an account, clearing its error.
    pub fn apply_refreshed(&mut self, mut fresh: Account) -> &Account {
        let id = fresh.id.clone();
        match self.accounts.get(&id) {
            Some(previous) => {
                fresh.is_new = previous.is_new;
            }
            None => {
                fresh.is_new = false;
            }
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

    /// The reachable accounts, by how the last listing reached them (a
    /// refresh-all asks for their data ahead of listing them again).
    pub fn known(&self) -> Known {
        let (business_only, listed) = self
            .accounts
            .values()
            .filter(|a| a.reach == Reach::Reachable)
            .map(|a| a.id.clone())
            .partition(|id| self.business_only.contains(id));
        Known {
            listed,
            business_only,
        }
    }

    pub fn start_listing(&self) -> ListingStart {
        ListingStart {
            known: self.accounts.keys().cloned().collect(),
            listed_before: self.listed_once,
        }
    }

    /// Applies the outcome of a listing. Only a complete listing may mark
    /// accounts unreachable; an interrupted one says nothing about the rest.
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
            } else if complete {
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

    /// Forgets everything (a different Facebook user logged in).
    pub fn reset_for(&mut self, profile: Profile) {
        *self = Self::new();
        self.profile = Some(profile);
    }

    /// Sets a reason aside on an account: acknowledged (`until` is `None`)
    /// or snoozed until then. `false` when the account has no such reason now.
    pub fn dismiss(
        &mut self,
        id: &AccountId,
        key: &str,
        until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> bool {
        let Some(account) = self.accounts.get(id) else {
            return false;
        };
        let Some(reason) = account.attention(now).into_iter().find(|a| a.key() == key) else {
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
    pub fn prune_dismissed(&mut self, now: DateTime<Utc>) {
        attention::prune(&mut self.dismissed, &self.accounts, now);
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
    let other_user = ours.profile != base.profile
        && ours.profile.as_ref().map(|p| &p.id) != theirs.profile.as_ref().map(|p| &p.id);
    if other_user {
        return ours.clone();
    }
    let mut out = theirs;
    macro_rules! ours_if_changed {
        ($($field:ident),*) => {$(
            if ours.$field != base.$field {
                out.$field = ours.$field.clone();
            }
        )*};
    }
    ours_if_changed!(
        format,
        profile,
        permissions,
        last_full_refresh,
        listed_once,
        token_problem,
        token,
        notified,
        business_only,
        dismissed
    );
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

    #[test]
    fn known_accounts_are_the_reachable_ones_by_how_they_were_reached() {
        let now = Utc::now();
        let mut book = AccountBook::new();
        for id in ["act_1", "act_2", "act_3"] {
            book.apply_refreshed(fresh(id, 1, now));
        }
        book.accounts.get_mut("act_3").unwrap().reach = Reach::NoLongerAccessible;
        book.business_only.insert(id("act_2"));
        let known = book.known();
        assert_eq!(known.listed, ["act_1"]);
        assert_eq!(known.business_only, ["act_2"]);
    }

    #[test]
    fn listings_mark_new_and_no_longer_accessible_accounts() {
        let now = Utc::now();
        let mut book = AccountBook::new();
        // First listing: nothing is "new".
        let start = book.start_listing();
        book.apply_refreshed(fresh("act_1", 1, now));
        book.apply_refreshed(fresh("act_2", 1, now));
        let seen: HashSet<AccountId> = ["act_1", "act_2"].iter().map(|s| id(s)).collect();
        book.finish_listing(&start, &seen, true, now);
        assert!(book.accounts.values().all(|a| !a.is_new));

        // Second listing: act_3 granted, act_2 gone.
        let start = book.start_listing();
        book.apply_refreshed(fresh("act_1", 1, now));
        book.apply_refreshed(fresh("act_3", 1, now));
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
        let seen: HashSet<AccountId> = ["act_1", "act_2", "act_3"].iter().map(|s| id(s)).collect();
        book.finish_listing(&start, &seen, true, now);
        assert!(!book.get("act_3").unwrap().is_new);
        assert_eq!(book.get("act_2").unwrap().reach, Reach::Reachable);
    }

    #[test]
    fn an_interrupted_listing_marks_nothing_unreachable() {
        let now = Utc::now();
        let mut book = AccountBook::new();
        book.apply_refreshed(fresh("act_1", 1, now));
        let start = book.start_listing();
        book.finish_listing(&start, &HashSet::new(), false, now);
        assert_eq!(book.get("act_1").unwrap().reach, Reach::Reachable);
        assert!(book.last_full_refresh.is_none());
    }

    #[test]
    fn every_change_raises_the_revision() {
        let now = Utc::now();
        let mut book = AccountBook::new();
        let r1 = book.apply_refreshed(fresh("act_1", 1, now)).revision;
        let r2 = book.apply_failure(&id("act_1"), problem(now)).revision;
        let r3 = book.apply_refreshed(fresh("act_1", 2, now)).revision;
        assert!(r1 < r2 && r2 < r3);
        let start = book.start_listing();
        book.finish_listing(&start, &HashSet::new(), true, now);
        assert!(
            book.get("act_1").unwrap().revision > r3,
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
    fn a_different_user_replaces_everything() {
        let now = Utc::now();
        let mut base = AccountBook::new();
        base.profile = Some(Profile {
            id: "1".into(),
            name: "Jane".into(),
        });
        base.apply_refreshed(fresh("act_1", 1, now));
        let mut ours = base.clone();
        ours.reset_for(Profile {
            id: "2".into(),
            name: "Sam".into(),
        });
        let mut theirs = base.clone();
        theirs.apply_refreshed(fresh("act_9", 1, now));
        let out = merged(&base, &ours, theirs);
        assert!(out.accounts.is_empty());
        assert_eq!(out.profile.unwrap().name, "Sam");
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
