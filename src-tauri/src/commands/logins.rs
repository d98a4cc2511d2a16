//! The Facebook logins' commands: reauthenticate, add, switch, remove,
//! rename, disconnect, and where secrets may live.

use adkeep_core::Error;

use super::Api;
use crate::backend::LoginOutcome;
use crate::desktop::login_window;
use crate::secrets::Custody;

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
    login_window::reauthenticate(&app, &api, Some(&target)).await
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
        login_window::clear_popup_profile(&app, api.data_dir())?;
    }
    login_window::reauthenticate(&app, &api, None).await
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
        login_window::clear_popup_profile(&app, api.data_dir())?;
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

/// Adds the login a token belongs to (a Meta system user's, say).
#[tauri::command]
pub async fn add_login_token(api: Api<'_>, token: String) -> Result<LoginOutcome, Error> {
    api.add_login_with_token(&token, false).await
}
