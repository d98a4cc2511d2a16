//! What the front ends receive: the backend's state and core's accounts,
//! turned into what the window, `--json`, the CSV export and the tray show.
//! Built in one direction, from the backend; the backend never imports these.

use adkeep_core::Result;
use adkeep_core::book::AccountBook;
use adkeep_core::logins::LoginId;
use adkeep_core::model::Account;

use crate::backend::Backend;

mod account;
pub mod ads;
mod alerts;
mod ascii;
pub mod csv;
pub mod links;
mod overview;
mod row;
mod state;

pub use account::{AccountView, ForecastView, Judge, ReachView, ViaView, view_of, views_of};
pub use alerts::{AlertView, AlertsSummary};
pub use ascii::ascii_json;
pub use overview::{Level, Overview};
pub use row::{RowFlag, RowForecast, RowView, WindowAccounts};
pub use state::{LoginView, StateView};

/// The backend, as the front ends see it: every read in the shape they show.
pub trait Present {
    /// Accounts with their reasons judged and their logins named.
    fn views(&self, accounts: impl IntoIterator<Item = Account>) -> Vec<AccountView>;
    /// One account's whole view.
    fn view(&self, account: Account) -> AccountView;
    /// One account's whole view, by id (the details pane).
    fn account_view(&self, raw_id: &str) -> Result<AccountView>;
    /// Accounts in the shape the window holds for its row density.
    fn window_accounts(&self, accounts: &[Account]) -> WindowAccounts;
    /// Everything the window needs, with every account's whole view (the
    /// CLI's and the tests' read).
    fn state(&self) -> StateView;
    /// The window's own read: its accounts in the shape its row density
    /// draws (`with_accounts`: false leaves them out, for a window that
    /// holds the views of the same `accounts_key`); lets start-up work begin.
    fn window_state(&self, with_accounts: bool) -> StateView;
    /// Every login, the ones that need the person first.
    fn login_views(&self, book: &AccountBook) -> Vec<LoginView>;
    /// The login Reauthenticate renews when nobody chose one: the one that
    /// needs it most (the only one, when there is one).
    fn login_to_renew(&self) -> Option<LoginId>;
    /// Health at a glance, for the tray.
    fn overview(&self) -> Overview;
}

impl Present for Backend {
    fn views(&self, accounts: impl IntoIterator<Item = Account>) -> Vec<AccountView> {
        views_of(self, accounts)
    }

    fn view(&self, account: Account) -> AccountView {
        view_of(self, account)
    }

    fn account_view(&self, raw_id: &str) -> Result<AccountView> {
        Ok(view_of(self, self.account(raw_id)?))
    }

    fn window_accounts(&self, accounts: &[Account]) -> WindowAccounts {
        let views = views_of(self, accounts.iter().cloned());
        WindowAccounts::for_density(views, self.settings().row_density)
    }

    fn state(&self) -> StateView {
        state::state_with(self, state::Wanted::Whole)
    }

    fn window_state(&self, with_accounts: bool) -> StateView {
        let wanted = if with_accounts {
            state::Wanted::ForWindow
        } else {
            state::Wanted::Nothing
        };
        let state = state::state_with(self, wanted);
        self.window_has_read();
        state
    }

    fn login_views(&self, book: &AccountBook) -> Vec<LoginView> {
        state::login_views(self, book)
    }

    fn login_to_renew(&self) -> Option<LoginId> {
        state::login_to_renew(self)
    }

    fn overview(&self) -> Overview {
        overview::overview(self)
    }
}
