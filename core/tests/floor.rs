//! Refresh-all at the floor, against the Graph double: nothing that could
//! leave earlier waits for what it does not need (see `refresh::run`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use adkeep_core::book::AccountBook;
use adkeep_core::fleet::Member;
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client};
use adkeep_core::model::Account;
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::session::{Observer, Quiet, Session};
use adkeep_core::token::AccessToken;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble, Traced};
use tokio_util::sync::CancellationToken;

fn engine(double: &GraphDouble) -> Engine {
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let client = GraphClient::new(
        http_client().unwrap(),
        Arc::new(endpoints),
        AccessToken::new(double.issue_token()).unwrap(),
    );
    Engine::new(
        client,
        EngineOptions::default(),
        Arc::new(Governor::default()),
    )
}

/// Batch items that asked for an account's fields one by one.
/// (The trace names a batch `batch of 50 (25 insights, 25 other)`.)
fn fields_asked_one_by_one(trace: &[Traced]) -> usize {
    trace
        .iter()
        .filter_map(|t| t.what.strip_prefix("batch of ")?.split_once('('))
        .flat_map(|(_, kinds)| kinds.trim_end_matches(')').split(", "))
        .filter_map(|kind| kind.strip_suffix(" other"))
        .map(|n| n.parse::<usize>().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_run_reads_business_only_accounts_beside_the_listing() {
    let double = GraphDouble::start(DoubleConfig::generated(600, 3))
        .await
        .unwrap();
    let (direct, reachable) = double.world(|w| {
        let direct: HashSet<String> = w.direct_accounts_of(DEFAULT_USER).into_iter().collect();
        (direct, w.accounts_of(DEFAULT_USER))
    });
    let business_only = reachable.iter().filter(|id| !direct.contains(*id)).count();
    assert!(
        business_only > 10,
        "the world has business-only accounts: {business_only}"
    );
    let engine = engine(&double);
    let session = Session::new(AccountBook::new());

    let report = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert!(report.listing_complete && report.problem.is_none());
    assert_eq!(report.refreshed, reachable.len(), "every account refreshed");
    assert_eq!(
        fields_asked_one_by_one(&double.trace()),
        0,
        "the business edges brought every business-only account's fields: {:#?}",
        double.trace().iter().map(|t| &t.what).collect::<Vec<_>>()
    );

    // The next run knows them: the edges are not read in full again.
    double.reset_stats();
    let report = session
        .refresh_all(&[Member::solo(&engine)], &Quiet, &CancellationToken::new())
        .await
        .total;
    assert_eq!(report.refreshed, reachable.len());
    let full_edge_reads = double
        .trace()
        .iter()
        .filter(|t| t.what.ends_with("owned_ad_accounts") || t.what.ends_with("client_ad_accounts"))
        .count();
    assert_eq!(full_edge_reads, 0);
}

/// Rows handed over slowly: each batch of rows takes a while to take in.
struct Slow {
    first_rows_at: std::sync::Mutex<Option<Instant>>,
}

impl Observer for Slow {
    fn accounts_changed(&self, _accounts: &[Account]) {
        self.first_rows_at
            .lock()
            .unwrap()
            .get_or_insert_with(Instant::now);
        std::thread::sleep(Duration::from_millis(150));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_next_page_leaves_while_the_run_is_busy_with_this_one() {
    let mut config = DoubleConfig::generated(800, 0);
    config.knobs.latency_ms = 20;
    let double = GraphDouble::start(config).await.unwrap();
    let engine = engine(&double);
    let session = Session::new(AccountBook::new());
    let slow = Slow {
        first_rows_at: std::sync::Mutex::new(None),
    };
    let report = session
        .refresh_all(&[Member::solo(&engine)], &slow, &CancellationToken::new())
        .await
        .total;
    assert!(report.listing_complete);
    let pages: Vec<Instant> = double
        .trace()
        .iter()
        .filter(|t| t.what == "me/adaccounts")
        .map(|t| t.arrived)
        .collect();
    assert!(pages.len() >= 5, "{} pages", pages.len());
    // Taking in rows blocks the run's own task for 150 ms a time; the pages
    // came one round trip after another regardless.
    let span = *pages.last().unwrap() - pages[0];
    let rows_began = slow.first_rows_at.lock().unwrap().unwrap();
    assert!(
        pages.iter().filter(|&&at| at > rows_began).count() >= 2,
        "pages kept being asked for while rows were taken in"
    );
    // A page is a 20 ms round trip: well under 75 ms each, where waiting
    // for the rows took about 145 ms a page.
    assert!(
        span < Duration::from_millis(75) * (pages.len() as u32 - 1),
        "the listing did not wait for the rows: {span:?} for {} pages",
        pages.len()
    );
}
