//! The window's commands: thin adapters over `Backend`. Each is also gated by
//! the capability in `capabilities/main.json` (the login popup has none).

use std::sync::Arc;

use tauri::State;

use adkeep_core::Error;
use adkeep_core::settings::Settings;

use crate::backend::{Backend, LoginOutcome, RefreshSummary};
use crate::views::{AccountView, Custody, ascii_json};
use tauri::ipc::Response;

type Api<'a> = State<'a, Arc<Backend>>;

/// The names `build.rs` registers (and `generate_handler!` in lib.rs serves).
pub const NAMES: &[&str] = include!("command_names.rs");

/// The state; `accounts: false` leaves the accounts out (the window holds
/// them, and `accounts_key` says whether they still read the same). Async so
/// that it runs off the main thread: at thousands of accounts, building the
/// rows would stall the window's drawing.
#[tauri::command]
pub async fn app_state(api: Api<'_>, accounts: Option<bool>) -> Result<Response, Error> {
    let state = api.window_state(accounts.unwrap_or(true));
    ascii_json(&state)
        .map(Response::new)
        .map_err(|e| Error::Internal(format!("the state could not be written: {e}")))
}

/// One account's whole view (the details pane; dense rows hold less).
#[tauri::command]
pub fn account_view(api: Api<'_>, id: String) -> Result<AccountView, Error> {
    api.account_view(&id)
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
pub async fn save_settings<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    api: Api<'_>,
    settings: Settings,
) -> Result<Settings, Error> {
    let saved = api.save_settings(settings)?;
    if let Err(e) = crate::autostart::apply(&app, saved.launch_at_login) {
        // The OS refused: the setting says what is true.
        api.update_settings(|s| s.launch_at_login = !saved.launch_at_login)?;
        return Err(e);
    }
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

/// Opens one account's page (Ads Manager, Billing, Account Quality) on the
/// configured Facebook site in the system browser.
#[tauri::command]
pub async fn open_account_page<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    api: Api<'_>,
    id: String,
    page: crate::links::AccountPage,
) -> Result<(), Error> {
    let id = crate::backend::parse_id(&id)?;
    let facebook = api.facebook_base().await?;
    let url = crate::links::account_page(&facebook, &id, page)
        .ok_or_else(|| Error::Internal("the Facebook address is not usable".to_owned()))?;
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
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

/// What changed, newest first (`since`: RFC 3339; `account`, `login`,
/// `kind`: narrow it down).
#[tauri::command]
pub fn changes(
    api: Api<'_>,
    since: Option<String>,
    account: Option<String>,
    login: Option<String>,
    kind: Option<String>,
    limit: Option<usize>,
) -> Result<Vec<adkeep_core::changes::Change>, Error> {
    let bad = |what: &str| Error::Settings(format!("{what} is not valid here"));
    let query = adkeep_core::history::Query {
        since: since
            .map(|s| {
                chrono::DateTime::parse_from_rfc3339(&s)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .map_err(|_| bad("since"))
            })
            .transpose()?,
        account: account
            .map(|a| adkeep_core::graph::AccountId::parse(&a).ok_or_else(|| bad("account")))
            .transpose()?,
        login: login
            .map(|l| adkeep_core::logins::LoginId::new(&l).ok_or_else(|| bad("login")))
            .transpose()?,
        kind: kind
            .map(|k| adkeep_core::changes::ChangeKind::from_name(&k).ok_or_else(|| bad("kind")))
            .transpose()?,
        limit: Some(limit.unwrap_or(2_000).min(10_000)),
    };
    api.changes(&query)
}

/// The person opened the Activity view: what came before is no longer new.
#[tauri::command]
pub fn mark_activity_seen(api: Api<'_>) -> Result<(), Error> {
    api.update_settings(|s| s.activity_seen_at = Some(chrono::Utc::now()))?;
    Ok(())
}

/// Writes the accounts (or the history) as CSV to the Downloads folder;
/// returns where.
#[tauri::command]
pub fn export_csv(api: Api<'_>, history: bool) -> Result<String, Error> {
    let path = crate::export::default_path(if history { "changes" } else { "accounts" });
    let file = adkeep_core::persist::private_options()
        .write(true)
        .create_new(true)
        .open(&path)?;
    let mut out = std::io::BufWriter::new(file);
    if history {
        let query = adkeep_core::history::Query::default();
        crate::export::changes(&mut out, &api.changes(&query)?)?;
    } else {
        let accounts = api
            .session()
            .book()
            .sorted()
            .into_iter()
            .cloned()
            .collect::<Vec<_>>();
        crate::export::accounts(&mut out, &api.views(accounts))?;
    }
    std::io::Write::flush(&mut out)?;
    Ok(path.display().to_string())
}

/// Asks whether a newer Adkeep exists (Settings, or quietly at start).
#[tauri::command]
pub async fn check_update<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
) -> Result<crate::updates::UpdateView, Error> {
    crate::updates::check(&app).await
}

/// Installs the update the last check found (only with a valid signature),
/// then restarts Adkeep.
#[tauri::command]
pub async fn install_update<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<(), Error> {
    crate::updates::install(&app).await
}
