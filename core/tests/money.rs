//! Money that stops ads, against the double: the daily series in each
//! account's own day (across the date line), prepaid funds however Meta
//! spells them, and what an Advertiser (not an Admin) can know.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::str::FromStr;
use std::sync::Arc;

use adkeep_core::book::AccountBook;
use adkeep_core::fleet::Member;
use adkeep_core::forecast::{self, Funds};
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client};
use adkeep_core::model::Account;
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::session::{Quiet, Session};
use adkeep_core::token::AccessToken;
use chrono::{Duration, Utc};
use graph_double::world::Prepaid;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble};
use rust_decimal::Decimal;
use tokio_util::sync::CancellationToken;

fn d(raw: &str) -> Decimal {
    Decimal::from_str(raw).unwrap()
}

struct Setup {
    double: GraphDouble,
    ids: Vec<String>,
}

/// Six active accounts; each gets one case.
async fn setup() -> Setup {
    let double = GraphDouble::start(DoubleConfig::generated(6, 0))
        .await
        .unwrap();
    let ids = double.world(|w| {
        let ids: Vec<String> = w.accounts.keys().cloned().collect();
        for (i, id) in ids.iter().enumerate() {
            let a = w.accounts.get_mut(id).unwrap();
            a.account_status = 1;
            a.disable_reason = 0;
            a.currency = if i == 4 { "JPY".into() } else { "USD".into() };
            a.timezone_name = match i {
                4 => "Pacific/Kiritimati".into(),
                5 => "Pacific/Pago_Pago".into(),
                _ => "Europe/London".into(),
            };
            // 10.00 a day (1,000 yen for the JPY account) for 30 days.
            let per_day = 1_000;
            a.history = Some(vec![per_day; 30]);
            a.spend_last_30d = per_day * 30;
            a.spend_cap = 0;
        }
        // 0: stopped yesterday.
        w.accounts
            .get_mut(&ids[0])
            .unwrap()
            .history
            .as_mut()
            .unwrap()[0] = 0;
        // 1: prepaid, funds as `amount` (24.52).
        w.accounts.get_mut(&ids[1]).unwrap().prepaid = Some(Prepaid {
            funds: 2_452,
            display_string_only: false,
        });
        // 2: prepaid, funds only in `display_string` (5.00).
        w.accounts.get_mut(&ids[2]).unwrap().prepaid = Some(Prepaid {
            funds: 500,
            display_string_only: true,
        });
        // 3: prepaid, but Jane is only an Advertiser there.
        w.accounts.get_mut(&ids[3]).unwrap().prepaid = Some(Prepaid {
            funds: 100_000,
            display_string_only: false,
        });
        // 4: JPY, a cap with 2,500 yen left (2 days at 1,000 a day).
        let jpy = w.accounts.get_mut(&ids[4]).unwrap();
        jpy.spend_cap = jpy.amount_spent + 2_500;
        let jane = w.users.get_mut(DEFAULT_USER).unwrap();
        jane.business_roles.clear();
        jane.access = ids
            .iter()
            .map(|id| {
                let tasks = if id == &ids[3] {
                    vec!["ADVERTISE", "ANALYZE"]
                } else {
                    vec!["MANAGE", "ADVERTISE", "ANALYZE"]
                };
                (id.clone(), tasks.into_iter().map(String::from).collect())
            })
            .collect();
        ids
    });
    Setup { double, ids }
}

async fn refresh(double: &GraphDouble) -> AccountBook {
    let client = GraphClient::new(
        http_client().unwrap(),
        Arc::new(Endpoints::one_host(&double.url()).unwrap()),
        AccessToken::new(double.issue_token()).unwrap(),
    );
    let engine = Engine::new(
        client,
        EngineOptions::default(),
        Arc::new(Governor::default()),
    );
    let session = Session::new(AccountBook::new());
    let report = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert!(report.problem.is_none(), "{:?}", report.problem);
    session.snapshot()
}

fn get<'a>(book: &'a AccountBook, id: &str) -> &'a Account {
    book.get(format!("act_{id}").as_str()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn forecasts_from_what_one_refresh_reads() {
    let s = setup().await;
    let book = refresh(&s.double).await;
    for id in &s.ids {
        let a = get(&book, id);
        assert_eq!(a.spend_daily.len(), 7, "{}", a.name);
        assert!(a.field_errors.is_empty(), "{:?}", a.field_errors);
    }

    let stopped = get(&book, &s.ids[0]);
    assert_eq!(stopped.spend_daily.last().unwrap().spend, Decimal::ZERO);
    assert_eq!(stopped.spend_last_30d, Some(d("290.00")));
    assert_eq!(
        forecast::forecast(stopped).spend_stopped,
        Some(forecast::SpendChange::Stopped)
    );

    let by_amount = forecast::forecast(get(&book, &s.ids[1]));
    assert_eq!(by_amount.funds_left, Some(d("24.52")));
    assert_eq!(by_amount.funds_days_left, Some(2));
    let by_text = forecast::forecast(get(&book, &s.ids[2]));
    assert_eq!(by_text.funds_left, Some(d("5.00")));
    assert_eq!(
        by_text.funds_days_left,
        Some(0),
        "5.00 at 10.00 a day: less than a day"
    );
    assert_eq!(
        get(&book, &s.ids[3]).funds,
        Funds::NeedsAdmin,
        "an Advertiser can't read the funds"
    );

    let yen = get(&book, &s.ids[4]);
    let f = forecast::forecast(yen);
    assert_eq!(f.pace_per_day, Some(d("1000")));
    assert_eq!((f.cap_left, f.cap_days_left), (Some(d("2500")), Some(2)));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_account_s_days_are_its_own_across_the_date_line() {
    let s = setup().await;
    let book = refresh(&s.double).await;
    let now = Utc::now();
    for (id, offset) in [(&s.ids[4], 14 * 60), (&s.ids[5], -11 * 60)] {
        let a = get(&book, id);
        assert_eq!(a.utc_offset_minutes, Some(offset));
        let yesterday = forecast::local_today(now, Some(offset)) - Duration::days(1);
        assert_eq!(a.spend_daily.last().unwrap().date, yesterday, "{}", a.name);
        assert!(
            a.spend_daily.iter().all(|day| !day.spend.is_zero()),
            "every day had its spend"
        );
    }
    // 25 hours apart, the two ends of the date line are never on the same day.
    let kiribati = get(&book, &s.ids[4]).spend_daily.last().unwrap().date;
    let samoa = get(&book, &s.ids[5]).spend_daily.last().unwrap().date;
    assert!((1..=2).contains(&(kiribati - samoa).num_days()));
}
