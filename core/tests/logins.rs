//! Several logins against the double: one merged list, each account fetched
//! once through its best login, and accounts of a login that breaks
//! refreshed through another login that reaches them.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::Arc;

use adkeep_core::book::AccountBook;
use adkeep_core::fleet::Member;
use adkeep_core::governor::Governor;
use adkeep_core::graph::client::{Endpoints, GraphClient, http_client};
use adkeep_core::logins::LoginId;
use adkeep_core::model::Reach;
use adkeep_core::problem::Reason;
use adkeep_core::refresh::{Engine, EngineOptions};
use adkeep_core::session::{Quiet, Session};
use adkeep_core::token::AccessToken;
use graph_double::world::{DEFAULT_SCOPES, TokenState};
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble, OTHER_USER};
use tokio_util::sync::CancellationToken;

fn engine(double: &GraphDouble, token: &str, governor: &Arc<Governor>) -> Engine {
    let client = GraphClient::new(
        http_client().unwrap(),
        Arc::new(Endpoints::one_host(&double.url()).unwrap()),
        AccessToken::new(token).unwrap(),
    );
    let opts = EngineOptions {
        max_wait: std::time::Duration::from_secs(5),
        ..EngineOptions::default()
    };
    Engine::new(client, opts, governor.clone())
}

struct Two {
    double: GraphDouble,
    jane_token: String,
    jane: LoginId,
    sam: LoginId,
    engines: (Engine, Engine),
}

/// Jane reaches 60 accounts; Sam reaches the last 20 of them and 10 of his own.
async fn two_logins() -> Two {
    let double = GraphDouble::start(DoubleConfig::generated(70, 0))
        .await
        .unwrap();
    double.world(|w| {
        let ids: Vec<String> = w.accounts.keys().cloned().collect();
        let jane = w.users.get_mut(DEFAULT_USER).unwrap();
        jane.access.retain(|id, _| ids[..60].contains(id));
        for id in &ids[..60] {
            jane.access.insert(id.clone(), vec!["MANAGE".to_owned()]);
        }
        jane.business_roles.clear();
        let sam = w.users.get_mut(OTHER_USER).unwrap();
        sam.access = ids[40..]
            .iter()
            .map(|id| (id.clone(), vec!["ANALYZE".to_owned()]))
            .collect();
    });
    let jane_token = double.issue_token();
    let sam_token = double.issue_token_for(OTHER_USER, &DEFAULT_SCOPES, &[]);
    let governor = Arc::new(Governor::default());
    Two {
        engines: (
            engine(&double, &jane_token, &governor),
            engine(&double, &sam_token, &governor),
        ),
        double,
        jane_token,
        jane: LoginId::new(DEFAULT_USER).unwrap(),
        sam: LoginId::new(OTHER_USER).unwrap(),
    }
}

impl Two {
    fn members(&self) -> [Member<'_>; 2] {
        [
            Member {
                login: &self.jane,
                engine: &self.engines.0,
            },
            Member {
                login: &self.sam,
                engine: &self.engines.1,
            },
        ]
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_list_each_account_fetched_once_through_its_best_login() {
    let two = two_logins().await;
    let session = Session::new(AccountBook::new());
    let report = session
        .refresh_all(&two.members(), &Quiet, &CancellationToken::new())
        .await;
    assert!(report.total.problem.is_none(), "{:?}", report.total.problem);
    assert!(report.total.listing_complete);
    let book = session.snapshot();
    assert_eq!(book.len(), 70, "each account once");
    assert!(book.accounts.values().all(|a| a.error.is_none()));
    let shared: Vec<_> = book
        .accounts
        .values()
        .filter(|a| a.logins.len() == 2)
        .collect();
    assert_eq!(shared.len(), 20);
    for a in &shared {
        // The first run knows no tasks yet: whoever lists an account first reads it.
        assert!(a.via.is_some());
        let sam = a.logins.iter().find(|r| r.login == two.sam).unwrap();
        assert_eq!(sam.tasks, ["ANALYZE"]);
    }
    assert_eq!(book.logins.len(), 2);
    assert_eq!(book.logins[&two.sam].name(), "Sam Lee");

    // A repeat run asks each account's spend once, through its best login.
    two.double.reset_stats();
    session
        .refresh_all(&two.members(), &Quiet, &CancellationToken::new())
        .await;
    assert_eq!(
        two.double.stats().batch_items,
        2 * 70,
        "one spend and one ad-limit request per account"
    );
    let book = session.snapshot();
    for a in book.accounts.values().filter(|a| a.logins.len() == 2) {
        assert_eq!(
            a.via.as_ref(),
            Some(&two.jane),
            "Jane can manage it; Sam only analyze"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_login_s_accounts_refresh_through_another_login() {
    let two = two_logins().await;
    let session = Session::new(AccountBook::new());
    session
        .refresh_all(&two.members(), &Quiet, &CancellationToken::new())
        .await;

    let jane_token = two.jane_token.clone();
    two.double
        .world(|w| w.tokens.get_mut(&jane_token).unwrap().state = TokenState::Expired);
    let report = session
        .refresh_all(&two.members(), &Quiet, &CancellationToken::new())
        .await;
    let book = session.snapshot();
    assert_eq!(
        book.logins[&two.jane].broken_because(),
        Some(Reason::TokenExpired)
    );
    assert!(book.logins[&two.sam].is_healthy());
    let shared: HashSet<_> = book
        .accounts
        .values()
        .filter(|a| a.logins.len() == 2)
        .map(|a| a.id.clone())
        .collect();
    for a in book.accounts.values() {
        if shared.contains(&a.id) || a.logins.iter().all(|r| r.login == two.sam) {
            assert!(a.error.is_none(), "{} still refreshes", a.id);
            assert_eq!(a.via.as_ref(), Some(&two.sam));
        } else {
            let reason = a.error.as_ref().map(|p| p.reason);
            assert_eq!(
                reason,
                Some(Reason::TokenExpired),
                "{} only Jane reaches",
                a.id
            );
            assert_eq!(
                a.reach,
                Reach::Reachable,
                "a broken login does not lose accounts"
            );
        }
    }
    let through_sam = book
        .accounts
        .values()
        .filter(|a| a.fallback.as_ref().is_some_and(|f| f.from == two.jane))
        .count();
    assert_eq!(
        through_sam, 20,
        "the shared accounts say why they came through Sam"
    );
    assert_eq!(report.fallbacks, 20);
    assert_eq!(book.reached_only_by(&two.jane), 40);
}
