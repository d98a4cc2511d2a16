//! The window's commands: thin adapters over `Backend` and `views`, in
//! files by subject. Each is also gated by the capability in
//! `capabilities/main.json` (the login popup has none); `names.rs` lists
//! them once for `build.rs`, `handler` serves them.

use std::sync::Arc;

use tauri::State;

use crate::backend::Backend;

mod accounts;
mod alerts;
mod app;
mod logins;

type Api<'a> = State<'a, Arc<Backend>>;

/// The names `build.rs` registers (and `handler` serves).
pub const NAMES: &[&str] = include!("names.rs");

/// Every command, for `Builder::invoke_handler`.
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        accounts::app_state,
        accounts::account_view,
        accounts::refresh_account,
        accounts::refresh_selected,
        accounts::refresh_all,
        accounts::set_aside,
        accounts::restore_attention,
        accounts::cancel_refresh,
        accounts::try_now,
        app::enter_sandbox,
        app::leave_sandbox,
        app::save_settings,
        app::dismiss_notice,
        app::open_link,
        app::open_account_page,
        logins::reauthenticate,
        logins::add_login,
        logins::confirm_switch_user,
        logins::remove_login,
        logins::rename_login,
        logins::disconnect,
        logins::set_app_secret,
        logins::clear_app_secret,
        logins::allow_plaintext_token,
        accounts::changes,
        accounts::mark_activity_seen,
        accounts::export_csv,
        app::check_update,
        app::install_update,
        logins::add_login_token,
        alerts::alert_destinations,
        alerts::save_alert_destination,
        alerts::remove_alert_destination,
        alerts::test_alert_destination,
    ]
}
