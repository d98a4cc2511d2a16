//! One account as the window, `--json` and the CSV see it: the account with
//! its reasons judged against what the person set aside, the logins that
//! reach it by name, and its forecast with the billing link.

use chrono::{DateTime, Utc};
use serde::Serialize;

use std::collections::BTreeMap;

use adkeep_core::attention::{self, Counts, Flag, SetAside, Severity};
use adkeep_core::forecast::{self, Forecast};
use adkeep_core::logins::{Login, LoginId};
use adkeep_core::model::{Account, DatasetHealth};

use super::ads::AdsView;
use crate::backend::Backend;

/// A login that reaches an account, as the row shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReachView {
    pub id: LoginId,
    pub name: String,
    /// The person's tasks there (empty when reached through a business).
    pub tasks: Vec<String>,
}

/// The login an account was last read through.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViaView {
    pub id: LoginId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    /// One entry per dataset, in the same order as `datasets`.
    pub dataset_health: Vec<DatasetHealth>,
    /// Every reason to look at the account, judged (most severe first).
    pub attention: Vec<Flag>,
    /// The most severe reason nobody set aside, if any.
    pub severity: Option<Severity>,
    /// Belongs under "Needs attention" (a blocking or warning reason left).
    pub needs_attention: bool,
    /// The logins that reach the account, by name.
    pub logins: Vec<ReachView>,
    /// The login the values were read through.
    pub via: Option<ViaView>,
    /// Why through that one ("through Sam Lee: Jane Doe's login expired").
    pub via_note: Option<String>,
    /// When money stops the ads (cap, prepaid funds), payment risk, stopped spending.
    pub forecast: ForecastView,
    /// Ads that cannot run and the ad limit (the account's own `ads`, as counts).
    pub ads: AdsView,
}

/// The forecast, with the account's billing page for a payment risk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastView {
    #[serde(flatten)]
    pub forecast: Forecast,
    /// Where to fix a payment problem (Ads Manager's billing for this account).
    pub billing_url: Option<String>,
}

/// What a view is judged against: what the person set aside, and the
/// logins (for their names).
#[derive(Clone, Copy)]
pub struct Judge<'a> {
    pub aside: SetAside<'a>,
    pub logins: &'a BTreeMap<LoginId, Login>,
    /// The Facebook website (for billing links), when known.
    pub facebook: Option<&'a url::Url>,
}

impl Judge<'_> {
    fn name(&self, id: &LoginId) -> String {
        self.logins
            .get(id)
            .map_or_else(|| id.to_string(), Login::name)
    }
}

impl AccountView {
    pub fn new(mut account: Account, judge: Judge<'_>, now: DateTime<Utc>) -> Self {
        let flags = attention::flags(&account, judge.aside, now);
        let forecast = forecast::forecast(&account);
        let billing_url = forecast
            .payment_risk
            .as_ref()
            .and(judge.facebook)
            .and_then(|base| {
                super::links::account_page(base, &account.id, super::links::AccountPage::Billing)
            })
            .map(String::from);
        // Moved out so the flattened account does not repeat them by id.
        let reaches = std::mem::take(&mut account.logins);
        let via = account.via.take();
        let fallback = account.fallback.take();
        let ads = AdsView::new(&std::mem::take(&mut account.ads), now.date_naive());
        let logins = reaches
            .into_iter()
            .map(|r| ReachView {
                name: judge.name(&r.login),
                id: r.login,
                tasks: r.tasks,
            })
            .collect();
        let via_note = via.as_ref().zip(fallback).map(|(via, fallback)| {
            format!(
                "through {}: {}'s {}",
                judge.name(via),
                judge.name(&fallback.from),
                fallback.reason.of_login()
            )
        });
        Self {
            dataset_health: account.datasets.iter().map(|d| d.health(now)).collect(),
            severity: attention::severity(&flags),
            needs_attention: flags.iter().any(Flag::counts),
            attention: flags,
            logins,
            via: via.map(|id| ViaView {
                name: judge.name(&id),
                id,
            }),
            via_note,
            forecast: ForecastView {
                forecast,
                billing_url,
            },
            ads,
            account,
        }
    }

    pub fn of(accounts: impl IntoIterator<Item = Account>, judge: Judge<'_>) -> Vec<Self> {
        let now = Utc::now();
        accounts
            .into_iter()
            .map(|a| Self::new(a, judge, now))
            .collect()
    }

    /// Accounts by their most severe reason left.
    pub fn counts(views: &[Self]) -> Counts {
        Counts::of(views.iter().map(|v| v.attention.as_slice()))
    }
}

/// Runs `f` with the backend's judge: what the person set aside, the
/// logins by name and the Facebook site.
fn with_judge<T>(backend: &Backend, f: impl FnOnce(Judge<'_>) -> T) -> T {
    let settings = backend.settings();
    let (dismissed, logins) = {
        let book = backend.session().book();
        (book.dismissed.clone(), book.logins.clone())
    };
    let facebook = backend.facebook_now();
    f(Judge {
        aside: SetAside::new(&dismissed, &settings),
        logins: &logins,
        facebook: facebook.as_ref(),
    })
}

/// Accounts as the window and the CLI show them: with their reasons for
/// attention judged against what the person set aside, and the names of
/// the logins that reach them.
pub fn views_of(
    backend: &Backend,
    accounts: impl IntoIterator<Item = Account>,
) -> Vec<AccountView> {
    with_judge(backend, |judge| AccountView::of(accounts, judge))
}

/// One account's whole view.
pub fn view_of(backend: &Backend, account: Account) -> AccountView {
    with_judge(backend, |judge| {
        AccountView::new(account, judge, Utc::now())
    })
}
