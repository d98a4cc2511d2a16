//! The app's own commands: the sandbox, settings, notices, links opened in
//! the browser, and updates.

use adkeep_core::Error;
use adkeep_core::settings::Settings;

use super::Api;
use crate::desktop::{autostart, updates};
use crate::views::links;

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
    if let Err(e) = autostart::apply(&app, saved.launch_at_login) {
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
    if !links::is_allowed(&url, &facebook) {
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
    page: links::AccountPage,
) -> Result<(), Error> {
    let id = crate::backend::parse_id(&id)?;
    let facebook = api.facebook_base().await?;
    let url = links::account_page(&facebook, &id, page)
        .ok_or_else(|| Error::Internal("the Facebook address is not usable".to_owned()))?;
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| Error::Internal(format!("could not open the browser: {e}")))
}

/// Asks whether a newer Adkeep exists (Settings, or quietly at start).
#[tauri::command]
pub async fn check_update<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
) -> Result<updates::UpdateView, Error> {
    updates::check(&app).await
}

/// Installs the update the last check found (only with a valid signature),
/// then restarts Adkeep.
#[tauri::command]
pub async fn install_update<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<(), Error> {
    updates::install(&app).await
}
