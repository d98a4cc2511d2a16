//! The sandbox: a small agency's world, for people exploring Adkeep without a
//! Meta app. About 40 accounts over 3 businesses, every status, several
//! currencies, datasets that stopped firing, terms not accepted.

use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::world::{Business, DEFAULT_USER, OTHER_USER, User, World, random_account, tasks_for};

const BUSINESSES: [(&str, &str); 3] = [
    ("810000000000001", "Bluebird Media (agency)"),
    ("810000000000002", "Northwind Outfitters"),
    ("810000000000003", "Harbor & Pine Hospitality"),
];

/// (name, business index or personal, currency, account_status, disable_reason)
const ACCOUNTS: [(&str, Option<usize>, &str, u32, u32); 40] = [
    ("Bluebird — Prospecting US", Some(0), "USD", 1, 0),
    ("Bluebird — Retargeting US", Some(0), "USD", 1, 0),
    ("Bluebird — Brand Awareness CA", Some(0), "CAD", 1, 0),
    ("Bluebird — Lead Gen UK", Some(0), "GBP", 1, 0),
    ("Bluebird — Test & Learn", Some(0), "USD", 9, 0),
    ("Client: Lumen Dental Group", Some(0), "USD", 1, 0),
    ("Client: Sakura Ramen Tokyo", Some(0), "JPY", 1, 0),
    ("Client: Seoul Skin Lab", Some(0), "KRW", 1, 0),
    ("Client: Café Montmartre", Some(0), "EUR", 1, 0),
    ("Client: Copacabana Surf Co", Some(0), "BRL", 3, 0),
    ("Client: Alpine Gear AG", Some(0), "EUR", 1, 0),
    ("Client: Mumbai Spice Kitchen", Some(0), "INR", 1, 0),
    ("Client: Oslo Bike Share", Some(0), "NOK", 2, 3),
    ("Client: Desert Rose Realty", Some(0), "USD", 7, 0),
    ("Client: Kiwi Adventure Tours", Some(0), "NZD", 1, 0),
    ("Client: Budapest Bath House", Some(0), "HUF", 1, 0),
    ("Client: Old Account (archived)", Some(0), "USD", 101, 7),
    ("Northwind — Ecommerce US", Some(1), "USD", 1, 0),
    ("Northwind — Ecommerce EU", Some(1), "EUR", 1, 0),
    ("Northwind — Ecommerce UK", Some(1), "GBP", 1, 0),
    ("Northwind — Japan Launch", Some(1), "JPY", 1, 0),
    ("Northwind — Catalog Sales", Some(1), "USD", 8, 0),
    ("Northwind — Outlet", Some(1), "USD", 2, 1),
    ("Northwind — Influencer Whitelisting", Some(1), "USD", 1, 0),
    ("Northwind — Holiday 2026", Some(1), "USD", 1, 0),
    ("Northwind — Mexico", Some(1), "MXN", 1, 0),
    ("Northwind — Chile", Some(1), "CLP", 1, 0),
    ("Northwind — Colombia", Some(1), "COP", 100, 0),
    ("Harbor & Pine — Hotels", Some(2), "USD", 1, 0),
    ("Harbor & Pine — Restaurants", Some(2), "USD", 1, 0),
    ("Harbor & Pine — Events", Some(2), "USD", 3, 0),
    ("Harbor & Pine — Spa", Some(2), "AUD", 1, 0),
    ("Harbor & Pine — Taiwan", Some(2), "TWD", 1, 0),
    ("Harbor & Pine — Indonesia", Some(2), "IDR", 1, 0),
    ("Harbor & Pine — Compromised test", Some(2), "USD", 2, 15),
    ("Harbor & Pine — Iceland Lodge", Some(2), "ISK", 1, 0),
    ("Jane's side project", None, "USD", 1, 0),
    ("Jane — personal boosts", None, "USD", 1, 0),
    ("Freelance: Pottery Studio", None, "EUR", 9, 0),
    ("Freelance: Yoga Retreats", None, "USD", 1, 0),
];

/// The sandbox account at `index` of `ACCOUNTS`, as Graph names it.
pub fn account_id(index: usize) -> String {
    format!(
        "act_{}",
        230_000_000_000_000u64 + (index as u64 + 1) * 1_013
    )
}

/// Reasons the sandbox shows already set aside, so a newcomer sees how that
/// looks: (account, kind of reason, snoozed for days or acknowledged).
pub fn set_aside_showcase() -> [(String, &'static str, Option<u32>); 2] {
    [
        // A retargeting pixel paused on purpose: acknowledged.
        (account_id(1), "dataset_stopped", None),
        // A risk review the agency is already on: snoozed for a week.
        (account_id(13), "status", Some(7)),
    ]
}

pub fn agency() -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut world = World::default();
    for (id, name) in BUSINESSES {
        world.businesses.insert(
            id.to_owned(),
            Business {
                id: id.to_owned(),
                name: name.to_owned(),
            },
        );
    }
    let mut access = BTreeMap::new();
    for (i, (name, business, currency, status, reason)) in ACCOUNTS.iter().enumerate() {
        let id = account_id(i).trim_start_matches("act_").to_owned();
        let business_id = business.map(|b| BUSINESSES[b].0.to_owned());
        let mut account = random_account(
            &mut rng,
            id.clone(),
            (*name).to_owned(),
            (*currency).to_owned(),
            *status,
            *reason,
            business_id.clone(),
        );
        // Guaranteed showcases, whatever the generator rolled.
        match i {
            1 => {
                // A dataset that stopped firing three weeks ago.
                if let Some(d) = account.datasets.first_mut() {
                    d.last_fired_ago_secs = Some(21 * 86_400);
                } else {
                    account.datasets.push(crate::world::Dataset {
                        id: format!("8{id}0"),
                        name: "Bluebird pixel 1".to_owned(),
                        last_fired_ago_secs: Some(21 * 86_400),
                        is_unavailable: false,
                    });
                }
            }
            5 => account.tos_accepted.clear(),
            8 => account
                .tos_accepted
                .retain(|k| k != "web_custom_audience_tos"),
            18 => {
                if let Some(d) = account.datasets.first_mut() {
                    d.is_unavailable = true;
                }
            }
            _ => {}
        }
        money_showcase(i, &mut account);
        ads_showcase(i, &mut account);
        if let Some(b) = &business_id {
            let set = if b == BUSINESSES[0].0 && name.starts_with("Client:") {
                world.client.entry(b.clone()).or_default()
            } else {
                world.owned.entry(b.clone()).or_default()
            };
            set.insert(id.clone());
        }
        // Jane administers the prepaid client (reading funds needs the Admin role).
        let rolled = tasks_for(&mut rng);
        let tasks = if i == 14 {
            vec![
                "MANAGE".to_owned(),
                "ADVERTISE".to_owned(),
                "ANALYZE".to_owned(),
            ]
        } else {
            rolled
        };
        access.insert(id.clone(), tasks);
        world.accounts.insert(id, account);
    }
    // Two accounts a client shares with Jane later: her next login brings them in.
    let mut later = BTreeSet::new();
    for (i, name) in ["Client: Fjord Coffee Roasters", "Client: Lisbon Tile Works"]
        .iter()
        .enumerate()
    {
        let id = format!("{}", 231_000_000_000_000u64 + (i as u64 + 1) * 1_013);
        let account = random_account(
            &mut rng,
            id.clone(),
            (*name).to_owned(),
            "EUR".to_owned(),
            1,
            0,
            Some(BUSINESSES[0].0.to_owned()),
        );
        world
            .client
            .entry(BUSINESSES[0].0.to_owned())
            .or_default()
            .insert(id.clone());
        world.accounts.insert(id.clone(), account);
        later.insert(id);
    }
    world.users.insert(
        DEFAULT_USER.to_owned(),
        User {
            id: DEFAULT_USER.to_owned(),
            name: "Jane Doe (sandbox)".to_owned(),
            email: "jane@example.com".to_owned(),
            access,
            grant_on_next_login: later,
            business_roles: BTreeSet::new(),
            unshared: BTreeSet::new(),
            password: "sandbox".to_owned(),
        },
    );
    add_colleague(&mut world, &mut rng);
    world
}

/// The money cases the sandbox always shows, whatever the generator rolled:
/// a cap in 2 days, a stopped account, prepaid funds for a day, a cap reached.
/// (A payment grace period is "Bluebird — Test & Learn".)
fn money_showcase(index: usize, account: &mut crate::world::AdAccount) {
    let steady = |account: &mut crate::world::AdAccount, per_day: i64| {
        account.daily_spend = per_day;
        account.history = Some(vec![per_day; 30]);
        account.spend_last_30d = per_day * 30;
    };
    match index {
        // "Bluebird — Prospecting US": $412.50 a day, $900 under its cap.
        0 => {
            steady(account, 41_250);
            account.spend_cap = account.amount_spent + 90_000;
        }
        // "Client: Alpine Gear AG": spent every day, then nothing yesterday.
        10 => {
            steady(account, 23_000);
            if let Some(history) = account.history.as_mut() {
                history[0] = 0;
            }
            account.spend_cap = 0;
        }
        // "Client: Kiwi Adventure Tours": prepaid, funds for about a day and a half.
        14 => {
            steady(account, 18_000);
            account.spend_cap = 0;
            account.prepaid = Some(crate::world::Prepaid {
                funds: 27_000,
                display_string_only: true,
            });
        }
        // "Northwind — Holiday 2026": the cap is reached; Meta paused every ad.
        24 => {
            steady(account, 0);
            account.spend_cap = account.amount_spent;
        }
        _ => {}
    }
}

/// Where the sandbox's money cases are (`ACCOUNTS` indexes).
pub const MONEY_SHOWCASE: [(usize, &str); 5] = [
    (0, "Spending cap reached in ~2 days"),
    (4, "Payment failed"),
    (10, "Stopped spending yesterday"),
    (14, "Prepaid funds last ~1 day"),
    (24, "Spending cap reached — ads stopped"),
];

/// The ad cases the sandbox always shows (the account and the start of its
/// reason): disapproved ads near the ad limit, ads with issues and in
/// review, ads waiting for billing information, an account at its limit,
/// and a lower limit coming.
pub const ADS_SHOWCASE: [(usize, &str); 5] = [
    (0, "12 ads disapproved"),
    (5, "3 ads with issues"),
    (10, "2 ads waiting for billing information"),
    (17, "At the ad limit"),
    (19, "Ad limit drops to 100"),
];

/// The ad cases the sandbox always shows, and nothing else wrong with ads:
/// disapproved ads near the ad limit, ads with issues and in review, ads
/// waiting for billing information, an account at its limit, and a lower
/// limit coming.
fn ads_showcase(index: usize, account: &mut crate::world::AdAccount) {
    use crate::ads::{Ad, AdIssue, AdVolume};
    let id = account.id.clone();
    account
        .ads
        .retain(|ad| matches!(ad.effective_status.as_str(), "ACTIVE" | "PAUSED"));
    let running = account.ads.len() as u32;
    let mut volume = AdVolume {
        running_or_in_review: if account.account_status == 1 {
            running
        } else {
            0
        },
        limit: Some(250),
        future: None,
    };
    let mut add = |status: &str, count: usize, why: (&str, &str)| {
        for _ in 0..count {
            let mut ad = Ad::new(format!("23{id}{:04}", account.ads.len()), status);
            match status {
                "DISAPPROVED" => ad.review.push((why.0.to_owned(), why.1.to_owned())),
                "WITH_ISSUES" => ad.issues.push(AdIssue {
                    code: 1_815_869,
                    summary: why.0.to_owned(),
                    message: why.1.to_owned(),
                }),
                _ => {}
            }
            account.ads.push(ad);
        }
    };
    let claims = (
        "Misleading or false claims",
        "Ads must not include deceptive, false or misleading claims.",
    );
    let business = (
        "Unacceptable business practices",
        "Ads must not promote products or schemes that deceive people.",
    );
    match index {
        // "12 ✕ · 248/250"
        0 => {
            add("DISAPPROVED", 8, claims);
            add("DISAPPROVED", 4, business);
            volume.running_or_in_review = 248;
        }
        5 => {
            let broken = (
                "Destination URL is not working",
                "The website this ad links to could not be reached.",
            );
            add("WITH_ISSUES", 3, broken);
            add("PENDING_REVIEW", 2, ("", ""));
            volume.running_or_in_review += 2;
        }
        10 => add("PENDING_BILLING_INFO", 2, ("", "")),
        17 => volume.running_or_in_review = 250,
        19 => {
            volume.running_or_in_review = 140;
            volume.future = Some((100, 6));
        }
        _ => {}
    }
    account.ad_volume = Some(volume);
}

/// Sam, Jane's colleague: he runs Northwind's accounts with her (advertiser
/// on most, analyst on the rest) and has three accounts of his own.
fn add_colleague(world: &mut World, rng: &mut ChaCha8Rng) {
    let mut access = BTreeMap::new();
    for (i, (_, business, ..)) in ACCOUNTS.iter().enumerate() {
        if *business == Some(1) {
            let task = if i % 3 == 0 { "ANALYZE" } else { "ADVERTISE" };
            let id = account_id(i).trim_start_matches("act_").to_owned();
            access.insert(id, vec![task.to_owned(), "ANALYZE".to_owned()]);
        }
    }
    for (i, (name, currency)) in [
        ("Sam — Podcast sponsorships", "USD"),
        ("Sam — Running club", "GBP"),
        ("Sam — Photo prints", "EUR"),
    ]
    .iter()
    .enumerate()
    {
        let id = format!("{}", 232_000_000_000_000u64 + (i as u64 + 1) * 1_013);
        let account = random_account(
            rng,
            id.clone(),
            (*name).to_owned(),
            (*currency).to_owned(),
            1,
            0,
            None,
        );
        world.accounts.insert(id.clone(), account);
        access.insert(
            id,
            vec![
                "MANAGE".to_owned(),
                "ADVERTISE".to_owned(),
                "ANALYZE".to_owned(),
            ],
        );
    }
    world.users.insert(
        OTHER_USER.to_owned(),
        User {
            id: OTHER_USER.to_owned(),
            name: "Sam Lee (sandbox)".to_owned(),
            email: "sam@example.com".to_owned(),
            access,
            grant_on_next_login: BTreeSet::new(),
            business_roles: BTreeSet::new(),
            unshared: BTreeSet::new(),
            password: "sandbox".to_owned(),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agency_has_what_the_sandbox_promises() {
        let world = agency();
        assert_eq!(world.accounts_of(crate::world::DEFAULT_USER).len(), 40);
        assert_eq!(
            world.users[crate::world::DEFAULT_USER]
                .grant_on_next_login
                .len(),
            2
        );
        assert_eq!(world.businesses.len(), 3);
        // Sam shares Northwind's accounts with Jane and has three of his own.
        let sam = world.accounts_of(OTHER_USER);
        let jane: BTreeSet<String> = world.accounts_of(DEFAULT_USER).into_iter().collect();
        assert_eq!(sam.iter().filter(|a| jane.contains(*a)).count(), 11);
        assert_eq!(sam.iter().filter(|a| !jane.contains(*a)).count(), 3);
        let currencies: BTreeSet<&str> = world
            .accounts
            .values()
            .map(|a| a.currency.as_str())
            .collect();
        assert!(currencies.len() >= 8 && currencies.contains("JPY"));
        let statuses: BTreeSet<u32> = world.accounts.values().map(|a| a.account_status).collect();
        assert!(statuses.len() >= 6, "{statuses:?}");
        assert!(world.accounts.values().any(|a| a.tos_accepted.is_empty()));
        assert!(world.accounts.values().any(|a| {
            a.datasets
                .iter()
                .any(|d| d.last_fired_ago_secs.unwrap_or(0) > 7 * 86_400)
        }));
        assert!(world.accounts.values().any(|a| a.business.is_none()));
        let first = &world.accounts[account_id(0).trim_start_matches("act_")];
        let disapproved = first
            .ads
            .iter()
            .filter(|a| a.effective_status == "DISAPPROVED");
        assert_eq!(disapproved.count(), 12);
        let volume = first.ad_volume.as_ref().unwrap();
        assert_eq!(
            (volume.running_or_in_review, volume.limit),
            (248, Some(250))
        );
        // Jane may read each showcase's ad limit (an Analyst may not).
        for (index, _) in ADS_SHOWCASE {
            let id = account_id(index);
            let tasks = world
                .tasks_of(DEFAULT_USER, id.trim_start_matches("act_"))
                .unwrap();
            assert!(
                tasks.iter().any(|t| t == "ADVERTISE" || t == "MANAGE"),
                "{index}: {tasks:?}"
            );
        }
    }
}
