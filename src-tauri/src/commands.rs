//! The window's commands: thin adapters over `Backend`. Each is also gated by
//! the capability in `capabilities/main.json` (the login popup has none).

use std::sync::Arc;

use tauri::State;

use adkeep_core::Error;
use adkeep_core::settings::Settings;

use crate::backend::{Backend, LoginOutcome, RefreshSummary};
use crate::views::{AccountView, Custody, StateView};

type Api<'a> = State<'a, Arc<Backend>>;

/// The names `build.rs` registers (and `generate_handler!` in lib.rs serves).
pub const NAMES: &[&str] = include!("command_names.rs");

#[tauri::command]
pub fn app_state(api: Api<'_>) -> StateView {
    api.state()
}

#[tauri::command]
pub async fn refresh_account(api: Api<'_>, id: String) -> Result<AccountView, Error> {
    api.refresh_account(&id).await
}

#[tauri::command]
pub async fn refresh_selected(api: Api<'_>, ids: Vec<String>) -> Result<RefreshSummary, Error> {
    api.refresh_accounts(&ids, None).await
}

#[tauri::command]
pub async fn refresh_all(api: Api<'_>) -> Result<RefreshSummary, Error> {
    api.refresh_all().await
}

/// Acknowledges a reason on an account (`days`: snoozes it instead).
#[tauri::command]
pub fn set_aside(
    api: Api<'_>,
    id: String,
    key: String,
    days: Option<u32>,
) -> Result<AccountView, Error> {
    api.set_aside(&id, &key, days)
}

/// Shows an acknowledged or snoozed reason again.
#[tauri::command]
pub fn restore_attention(api: Api<'_>, id: String, key: String) -> Result<AccountView, Error> {
    api.restore_attention(&id, &key)
}

#[tauri::command]
pub fn cancel_refresh(api: Api<'_>) {
    api.cancel_refresh();
}

#[tauri::command]
pub async fn enter_sandbox(api: Api<'_>) -> Result<(), Error> {
    api.enter_sandbox().await
}

#[tauri::command]
pub async fn leave_sandbox(api: Api<'_>) -> Result<(), Error> {
    api.leave_sandbox().await
}

#[tauri::command]
pub async fn save_settings(api: Api<'_>, settings: Settings) -> Result<Settings, Error> {
    let saved = api.save_settings(settings)?;
    api.reset_connection().await;
    Ok(saved)
}

#[tauri::command]
pub fn dismiss_notice(api: Api<'_>, id: String) {
    api.dismiss_notice(&id);
}

/// Opens a Facebook page (Account Quality, the ToS page, facebook.com) in the
/// system browser. Only links to Facebook hosts are opened.
#[tauri::command]
pub async fn open_link<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    api: Api<'_>,
    url: String,
) -> Result<(), Error> {
    let facebook = api.facebook_base().await?;
    if !crate::links::is_allowed(&url, &facebook) {
        return Err(Error::Settings(
            "Adkeep only opens Facebook pages".to_owned(),
        ));
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| Error::Internal(format!("could not open the browser: {e}")))
}

/// Opens Facebook's login (the popup, or the system browser for the loopback
/// method) for one login (`login`: its id) and, once it answers, re-reads
/// the accounts.
#[tauri::command]
pub async fn reauthenticate<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    api: Api<'_>,
    login: String,
) -> Result<LoginOutcome, Error> {
    let target = api.known_login(&login)?;
    crate::login::reauthenticate(&app, &api, Some(&target)).await
}

/// Adds a Facebook login (the same person again renews theirs).
/// `fresh_session`: the login window forgets who was logged in, so another
/// person can log in.
#[tauri::command]
pub async fn add_login<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    api: Api<'_>,
    fresh_session: bool,
) -> Result<LoginOutcome, Error> {
    if fresh_session {
        crate::login::clear_popup_profile(&app, api.data_dir())?;
    }
    crate::login::reauthenticate(&app, &api, None).await
}

/// After someone other than the login asked for logged in: add them as
/// another login, or keep things as they were.
#[tauri::command]
pub async fn confirm_switch_user(api: Api<'_>, add: bool) -> Result<Option<LoginOutcome>, Error> {
    api.confirm_switch_user(add).await
}

/// Forgets a login and its token; accounts only it reached are kept, marked
/// no longer accessible. Says what happened.
#[tauri::command]
pub async fn remove_login(api: Api<'_>, login: String) -> Result<String, Error> {
    api.remove_login(&login).await
}

/// Names a login; an empty name goes back to the Facebook name.
#[tauri::command]
pub fn rename_login(api: Api<'_>, login: String, name: String) -> Result<(), Error> {
    api.rename_login(&login, &name)
}

/// Forgets every token; optionally also the Facebook session of the login window.
#[tauri::command]
pub async fn disconnect<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    api: Api<'_>,
    forget_facebook_session: bool,
) -> Result<(), Error> {
    api.disconnect().await?;
    if forget_facebook_session {
        crate::login::clear_popup_profile(&app, api.data_dir())?;
    }
    Ok(())
}

#[tauri::command]
pub async fn set_app_secret(api: Api<'_>, secret: String) -> Result<Custody, Error> {
    api.set_app_secret(secret).await
}

#[tauri::command]
pub async fn clear_app_secret(api: Api<'_>) -> Result<(), Error> {
    api.clear_app_secret().await
}

#[tauri::command]
pub async fn allow_plaintext_token(api: Api<'_>, allow: bool) -> Result<Custody, Error> {
    api.allow_plaintext_token(allow).await
}
