//! The double's world: users, ad accounts, businesses, datasets, tokens, and
//! the data generator. Deterministic from a seed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The knobs that shape generated data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DataConfig {
    pub seed: u64,
    pub accounts: usize,
    pub businesses: usize,
    /// Cycled through (JPY and KRW have no minor unit).
    pub currencies: Vec<String>,
    /// Share of accounts not ACTIVE (0.0–1.0).
    pub unhealthy_share: f64,
    /// Share of accounts without a Business Manager.
    pub personal_share: f64,
    /// Use the curated sandbox agency instead of generated names.
    pub sandbox: bool,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            seed: 7,
            accounts: 40,
            businesses: 3,
            currencies: ["USD", "EUR", "GBP", "JPY", "BRL", "KRW", "INR"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            unhealthy_share: 0.2,
            personal_share: 0.1,
            sandbox: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dataset {
    pub id: String,
    pub name: String,
    /// Seconds before "now" it last fired; `None` = never.
    pub last_fired_ago_secs: Option<i64>,
    pub is_unavailable: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdAccount {
    /// Numeric id (the node id is `act_{id}`).
    pub id: String,
    pub name: String,
    pub account_status: u32,
    pub disable_reason: u32,
    pub currency: String,
    pub timezone_name: String,
    /// Minor units, as Meta sends them.
    pub amount_spent: i64,
    pub spend_cap: i64,
    pub balance: i64,
    pub business: Option<String>,
    pub tos_accepted: Vec<String>,
    pub user_tos_accepted: Vec<String>,
    pub datasets: Vec<Dataset>,
    /// Minor units spent over the whole of today (spread over the day).
    pub daily_spend: i64,
    /// Minor units spent over the last 30 days (before today).
    pub spend_last_30d: i64,
    /// Minor units spent on each complete day, yesterday first (in the
    /// account's time zone); `None`: spread over the 30 days from
    /// `spend_last_30d` (see `history`).
    #[serde(default)]
    pub history: Option<Vec<i64>>,
    /// A prepaid account's remaining funds.
    #[serde(default)]
    pub prepaid: Option<Prepaid>,
    /// Its ads (the `ads` edge), and its limit on ads running or in review.
    #[serde(default)]
    pub ads: Vec<crate::ads::Ad>,
    #[serde(default)]
    pub ad_volume: Option<crate::ads::AdVolume>,
}

/// A prepaid account: its funds, and how Meta spells them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Prepaid {
    /// Minor units left.
    pub funds: i64,
    /// Only the localized `display_string` carries the amount (the reference's
    /// example), rather than `amount`.
    pub display_string_only: bool,
}

impl AdAccount {
    /// No ad held back and far from the ad limit (for tests that need an
    /// account with nothing to say about its ads).
    pub fn clear_ad_trouble(&mut self) {
        self.ads
            .retain(|ad| matches!(ad.effective_status.as_str(), "ACTIVE" | "PAUSED"));
        if let Some(volume) = &mut self.ad_volume {
            volume.running_or_in_review = 0;
            volume.future = None;
        }
    }

    pub fn node_id(&self) -> String {
        format!("act_{}", self.id)
    }

    /// Minor units per major unit.
    pub fn offset(&self) -> i64 {
        match self.currency.as_str() {
            "CLP" | "COP" | "CRC" | "HUF" | "ISK" | "IDR" | "JPY" | "KRW" | "PYG" | "TWD" => 1,
            _ => 100,
        }
    }

    /// The account's offset from UTC in minutes (its time zone in December).
    pub fn utc_offset_minutes(&self) -> i32 {
        match self.timezone_name.as_str() {
            "America/Los_Angeles" => -480,
            "America/New_York" => -300,
            "America/Sao_Paulo" => -180,
            "Europe/Berlin" | "Europe/Paris" | "Europe/Oslo" => 60,
            "Asia/Kolkata" => 330,
            "Asia/Tokyo" | "Asia/Seoul" => 540,
            "Australia/Sydney" => 660,
            "Pacific/Auckland" => 780,
            "Pacific/Kiritimati" => 840,
            "Pacific/Pago_Pago" => -660,
            _ => 0,
        }
    }

    /// Today's date in the account's time zone.
    pub fn local_today(&self, now: DateTime<Utc>) -> chrono::NaiveDate {
        (now + chrono::Duration::minutes(i64::from(self.utc_offset_minutes()))).date_naive()
    }

    /// Minor units spent on each of the last 30 complete days, yesterday
    /// first. Without an explicit history, `spend_last_30d` is spread over
    /// the days by a fixed pattern per account (a few days without spend),
    /// summing to it exactly.
    pub fn history(&self) -> Vec<i64> {
        if let Some(history) = &self.history {
            return history.clone();
        }
        let seed = self
            .id
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let weights: Vec<i64> = (0..30u64)
            .map(|day| {
                let h = seed
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .wrapping_add(day * 0x5851_F42D);
                let h = (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 33;
                // Days after the first week: now and then a day without spend.
                if day >= 7 && h % 23 == 0 {
                    0
                } else {
                    5 + (h % 6) as i64
                }
            })
            .collect();
        let total_weight: i64 = weights.iter().sum();
        let mut days: Vec<i64> = weights
            .iter()
            .map(|w| self.spend_last_30d * w / total_weight.max(1))
            .collect();
        let spread: i64 = days.iter().sum();
        if let Some(first) = days.first_mut() {
            *first += self.spend_last_30d - spread;
        }
        days
    }

    /// Spend so far today, minor units: grows through the (UTC) day.
    pub fn spend_today(&self, now: DateTime<Utc>) -> i64 {
        let seconds = now.timestamp().rem_euclid(86_400);
        self.daily_spend * seconds / 86_400
    }

    /// Minor units as Meta's insights write them: a decimal in major units,
    /// trailing zeros dropped (`"5339.5"`).
    pub fn major_string(&self, minor: i64) -> String {
        let offset = self.offset();
        if offset == 1 {
            return minor.to_string();
        }
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let whole = abs / 100;
        let cents = abs % 100;
        match cents {
            0 => format!("{sign}{whole}"),
            c if c % 10 == 0 => format!("{sign}{whole}.{}", c / 10),
            c => format!("{sign}{whole}.{c:02}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Business {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Account numeric id → the user's tasks on it.
    pub access: BTreeMap<String, Vec<String>>,
    /// Accounts this user's *next* login grants in addition (new-account discovery).
    pub grant_on_next_login: BTreeSet<String>,
    /// Businesses where the user has a role: their owned and client accounts
    /// are reachable through the business even without direct access.
    #[serde(default)]
    pub business_roles: BTreeSet<String>,
    /// Accounts explicitly unshared with the user (however they were reached).
    #[serde(default)]
    pub unshared: BTreeSet<String>,
    pub password: String,
}

/// Why a token stops working (Meta's 190 subcodes and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Valid,
    /// 190/463
    Expired,
    /// 190/460
    PasswordChanged,
    /// 190/467
    LoggedOut,
    /// 190/458
    AppRemoved,
    /// 190/459
    Checkpoint,
    /// 190/464
    Unconfirmed,
    /// 190 without subcode ("Invalid OAuth access token")
    Invalid,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub user_id: String,
    pub app_id: String,
    pub granted: Vec<String>,
    pub declined: Vec<String>,
    pub state: TokenState,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub data_access_expires_at: DateTime<Utc>,
}

pub const DEFAULT_SCOPES: [&str; 4] = [
    "ads_read",
    "ads_management",
    "business_management",
    "public_profile",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct World {
    pub accounts: BTreeMap<String, AdAccount>,
    pub businesses: BTreeMap<String, Business>,
    pub users: BTreeMap<String, User>,
    pub tokens: HashMap<String, Token>,
    /// The user the Facebook web session (cookie) belongs to, per session id.
    pub sessions: HashMap<String, String>,
    /// Accounts (numeric) a business owns / has client access to.
    pub owned: BTreeMap<String, BTreeSet<String>>,
    pub client: BTreeMap<String, BTreeSet<String>>,
    pub token_counter: u64,
    /// Authorization codes handed out by the dialog, until exchanged.
    pub codes: HashMap<String, PendingCode>,
    /// The `ads` edge ignores `summary` (graph-api.md §13 leaves open
    /// whether it answers one): clients must count by paging.
    #[serde(default)]
    pub no_ads_summary: bool,
    /// Meta serves at most this many ads a page, whatever the limit asked
    /// (default 500): clients must follow `next`.
    #[serde(default)]
    pub max_ads_page: Option<usize>,
}

/// What the dialog promised when it handed out a code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingCode {
    pub user_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub challenge_method: Option<String>,
    pub granted: Vec<String>,
    pub declined: Vec<String>,
}

pub const DEFAULT_USER: &str = "10215241773831025";
/// A second person, for "a different Facebook user logged in".
pub const OTHER_USER: &str = "10099887766554433";
pub const DEFAULT_APP: &str = "1234567890";

impl World {
    pub fn generate(config: &DataConfig) -> Self {
        if config.sandbox {
            return crate::sandbox::agency();
        }
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut world = World::default();
        for b in 0..config.businesses {
            let id = format!("{}", 900_000_000_000_000u64 + b as u64 * 1_111);
            world.businesses.insert(
                id.clone(),
                Business {
                    id: id.clone(),
                    name: format!("Business {}", b + 1),
                },
            );
        }
        let business_ids: Vec<String> = world.businesses.keys().cloned().collect();
        let currencies = if config.currencies.is_empty() {
            vec!["USD".to_owned()]
        } else {
            config.currencies.clone()
        };
        let mut access = BTreeMap::new();
        for i in 0..config.accounts {
            let id = format!("{}", 100_000_000_000_000u64 + i as u64 * 7);
            let currency = currencies[i % currencies.len()].clone();
            let personal =
                business_ids.is_empty() || rng.random_bool(config.personal_share.clamp(0.0, 1.0));
            let business = (!personal).then(|| business_ids[i % business_ids.len()].clone());
            let (status, reason) = if rng.random_bool(config.unhealthy_share.clamp(0.0, 1.0)) {
                *pick(
                    &mut rng,
                    &[
                        (2, 1),
                        (3, 0),
                        (9, 0),
                        (7, 0),
                        (101, 7),
                        (2, 3),
                        (8, 0),
                        (100, 0),
                    ],
                )
            } else {
                (1, 0)
            };
            let account = random_account(
                &mut rng,
                id.clone(),
                format!("Account {:04}", i + 1),
                currency,
                status,
                reason,
                business.clone(),
            );
            if let Some(b) = &business {
                if i % 5 == 0 {
                    world
                        .client
                        .entry(b.clone())
                        .or_default()
                        .insert(id.clone());
                } else {
                    world.owned.entry(b.clone()).or_default().insert(id.clone());
                }
            }
            // Every tenth business account is reached only through the business role.
            let through_business_only = business.is_some() && i % 10 == 9;
            let tasks = tasks_for(&mut rng);
            if !through_business_only {
                access.insert(id.clone(), tasks);
            }
            world.accounts.insert(id, account);
        }
        world.users.insert(
            DEFAULT_USER.to_owned(),
            User {
                id: DEFAULT_USER.to_owned(),
                name: "Jane Doe".to_owned(),
                email: "jane@example.com".to_owned(),
                access,
                grant_on_next_login: BTreeSet::new(),
                business_roles: world.businesses.keys().cloned().collect(),
                unshared: BTreeSet::new(),
                password: "adkeep".to_owned(),
            },
        );
        world.add_other_user();
        world
    }

    /// Sam reaches the last three accounts only.
    pub fn add_other_user(&mut self) {
        let access = self
            .accounts
            .keys()
            .rev()
            .take(3)
            .map(|id| (id.clone(), vec!["ANALYZE".to_owned()]))
            .collect();
        self.users.insert(
            OTHER_USER.to_owned(),
            User {
                id: OTHER_USER.to_owned(),
                name: "Sam Lee".to_owned(),
                email: "sam@example.com".to_owned(),
                access,
                grant_on_next_login: BTreeSet::new(),
                business_roles: BTreeSet::new(),
                unshared: BTreeSet::new(),
                password: "adkeep".to_owned(),
            },
        );
    }

    /// Issues a token for a user (as a completed login would).
    pub fn issue_token(
        &mut self,
        user_id: &str,
        granted: &[&str],
        declined: &[&str],
        lifetime: Duration,
    ) -> String {
        self.token_counter += 1;
        let raw = format!(
            "EAAD{:016x}{:08x}double",
            self.token_counter.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            self.token_counter
        );
        let now = Utc::now();
        self.tokens.insert(
            raw.clone(),
            Token {
                user_id: user_id.to_owned(),
                app_id: DEFAULT_APP.to_owned(),
                granted: granted.iter().map(|s| s.to_string()).collect(),
                declined: declined.iter().map(|s| s.to_string()).collect(),
                state: TokenState::Valid,
                issued_at: now,
                expires_at: now + lifetime,
                data_access_expires_at: now + Duration::days(90),
            },
        );
        raw
    }

    /// Accounts (numeric ids) a user reaches, directly or through a
    /// business role, in id order.
    pub fn accounts_of(&self, user_id: &str) -> Vec<String> {
        self.accounts
            .keys()
            .filter(|id| self.tasks_of(user_id, id).is_some())
            .cloned()
            .collect()
    }

    /// Accounts the user was given directly (what `/me/adaccounts` lists).
    pub fn direct_accounts_of(&self, user_id: &str) -> Vec<String> {
        self.users
            .get(user_id)
            .map(|u| {
                u.access
                    .keys()
                    .filter(|id| !u.unshared.contains(*id) && self.accounts.contains_key(*id))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The user's tasks on an account: from direct access, or from a role in
    /// a business that owns it or has client access to it.
    pub fn tasks_of(&self, user_id: &str, account_id: &str) -> Option<Vec<String>> {
        let user = self.users.get(user_id)?;
        if user.unshared.contains(account_id) || !self.accounts.contains_key(account_id) {
            return None;
        }
        if let Some(tasks) = user.access.get(account_id) {
            return Some(tasks.clone());
        }
        let via = |map: &BTreeMap<String, BTreeSet<String>>| {
            map.iter().any(|(business, set)| {
                user.business_roles.contains(business) && set.contains(account_id)
            })
        };
        (via(&self.owned) || via(&self.client)).then(|| {
            vec![
                "MANAGE".to_owned(),
                "ADVERTISE".to_owned(),
                "ANALYZE".to_owned(),
            ]
        })
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

pub(crate) fn tasks_for(rng: &mut ChaCha8Rng) -> Vec<String> {
    let sets: [&[&str]; 3] = [
        &["MANAGE", "ADVERTISE", "ANALYZE", "DRAFT"],
        &["ADVERTISE", "ANALYZE", "DRAFT"],
        &["ANALYZE"],
    ];
    let weights = rng.random_range(0..10);
    let set = if weights < 6 {
        sets[0]
    } else if weights < 9 {
        sets[1]
    } else {
        sets[2]
    };
    set.iter().map(|s| s.to_string()).collect()
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn random_account(
    rng: &mut ChaCha8Rng,
    id: String,
    name: String,
    currency: String,
    status: u32,
    disable_reason: u32,
    business: Option<String>,
) -> AdAccount {
    let zero_decimals = matches!(
        currency.as_str(),
        "CLP" | "COP" | "CRC" | "HUF" | "ISK" | "IDR" | "JPY" | "KRW" | "PYG" | "TWD"
    );
    // Scale so that amounts are similar in value across currencies.
    let scale: i64 = match currency.as_str() {
        "JPY" => 150,
        "KRW" => 1_300,
        "INR" => 83,
        "BRL" => 5,
        _ => 1,
    };
    let unit = if zero_decimals { 1 } else { 100 };
    let active = status == 1 || status == 8 || status == 9;
    let daily_major = if active {
        rng.random_range(0..2_000i64)
    } else {
        0
    };
    // Accounts that cannot run ads spend nothing today.
    let cents = if zero_decimals || !active {
        0
    } else {
        rng.random_range(0..100)
    };
    let daily_spend = daily_major * scale * unit + cents;
    let spend_last_30d = if active || rng.random_bool(0.5) {
        daily_major * scale * unit * rng.random_range(20..31)
            + if zero_decimals {
                0
            } else {
                rng.random_range(0..100)
            }
    } else {
        0
    };
    let amount_spent =
        spend_last_30d * rng.random_range(2..40) + rng.random_range(0..1_000_000) * scale;
    let spend_cap = if rng.random_bool(0.3) {
        amount_spent + rng.random_range(1_000..5_000_000) * scale * unit
    } else {
        0
    };
    let balance = if status == 3 {
        rng.random_range(1_000..500_000) * scale
    } else if rng.random_bool(0.3) {
        rng.random_range(0..50_000) * scale
    } else {
        0
    };
    let mut tos = Vec::new();
    if rng.random_bool(0.96) {
        tos.push("custom_audience_tos".to_owned());
    }
    if rng.random_bool(0.94) {
        tos.push("web_custom_audience_tos".to_owned());
    }
    if rng.random_bool(0.3) {
        tos.push("value_based_custom_audience_tos".to_owned());
    }
    let dataset_count = rng.random_range(0..4);
    let datasets = (0..dataset_count)
        .map(|d| {
            let fired = match rng.random_range(0..25) {
                0 => None,
                1 => Some(rng.random_range(8 * 86_400..60 * 86_400)),
                2 => Some(rng.random_range(86_400..7 * 86_400)),
                _ => Some(rng.random_range(60..86_400)),
            };
            Dataset {
                id: format!("8{id}{d}"),
                name: format!(
                    "{} pixel {}",
                    name.split(' ').next().unwrap_or("Site"),
                    d + 1
                ),
                last_fired_ago_secs: fired,
                is_unavailable: rng.random_bool(0.01),
            }
        })
        .collect();
    let (ads, ad_volume) = crate::ads::generate(&id, status);
    AdAccount {
        id,
        name,
        account_status: status,
        disable_reason,
        timezone_name: pick(
            rng,
            &[
                "America/Los_Angeles",
                "America/New_York",
                "Europe/London",
                "Europe/Berlin",
                "Asia/Tokyo",
                "America/Sao_Paulo",
                "Asia/Kolkata",
            ],
        )
        .to_string(),
        currency,
        amount_spent,
        spend_cap,
        balance,
        business,
        tos_accepted: tos,
        user_tos_accepted: vec!["web_custom_audience_tos".to_owned()],
        datasets,
        daily_spend,
        spend_last_30d,
        history: None,
        prepaid: None,
        ads,
        ad_volume: Some(ad_volume),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic() {
        let config = DataConfig {
            accounts: 50,
            ..DataConfig::default()
        };
        let a = serde_json::to_string(&World::generate(&config).accounts).unwrap();
        let b = serde_json::to_string(&World::generate(&config).accounts).unwrap();
        assert_eq!(a, b);
        let other = DataConfig { seed: 8, ..config };
        assert_ne!(
            a,
            serde_json::to_string(&World::generate(&other).accounts).unwrap()
        );
    }

    #[test]
    fn major_strings_look_like_insights() {
        let mut a = random_account(
            &mut ChaCha8Rng::seed_from_u64(1),
            "1".into(),
            "A".into(),
            "USD".into(),
            1,
            0,
            None,
        );
        assert_eq!(a.major_string(533950), "5339.5");
        assert_eq!(a.major_string(533900), "5339");
        assert_eq!(a.major_string(533905), "5339.05");
        a.currency = "JPY".into();
        assert_eq!(a.major_string(5340), "5340");
    }

    #[test]
    fn every_account_is_reachable_some_only_through_a_business() {
        let world = World::generate(&DataConfig {
            accounts: 100,
            ..DataConfig::default()
        });
        assert_eq!(world.accounts_of(DEFAULT_USER).len(), 100);
        let direct = world.direct_accounts_of(DEFAULT_USER).len();
        assert!(direct < 100 && direct > 80, "{direct}");
    }
}
