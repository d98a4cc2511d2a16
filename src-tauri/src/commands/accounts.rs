//! The accounts' commands: the state, one account, refreshes, reasons set
//! aside, the history and the CSV export.

use tauri::ipc::Response;

use adkeep_core::Error;

use super::Api;
use crate::backend::RefreshSummary;
use crate::views::{AccountView, Present, ascii_json};

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
    let account = api.refresh_account(&id).await?;
    Ok(api.view(account))
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
    let account = api.set_aside(&id, &key, days)?;
    Ok(api.view(account))
}

/// Shows an acknowledged or snoozed reason again.
#[tauri::command]
pub fn restore_attention(api: Api<'_>, id: String, key: String) -> Result<AccountView, Error> {
    let account = api.restore_attention(&id, &key)?;
    Ok(api.view(account))
}

/// Stops the refresh-all in flight and the automatic retry planned.
#[tauri::command]
pub fn cancel_refresh(api: Api<'_>) {
    api.cancel_refresh();
}

/// Ends every wait (Meta's access limit, the next try) and tries now.
#[tauri::command]
pub async fn try_now(api: Api<'_>) -> Result<RefreshSummary, Error> {
    api.try_now().await
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
    let path = crate::views::csv::default_path(if history { "changes" } else { "accounts" });
    if path.exists() {
        return Err(Error::Storage(format!("{} exists already", path.display())));
    }
    crate::views::csv::write_file(&path, |out| {
        if history {
            let query = adkeep_core::history::Query::default();
            crate::views::csv::changes(out, &api.changes(&query)?)
        } else {
            let accounts = api
                .session()
                .book()
                .sorted()
                .into_iter()
                .cloned()
                .collect::<Vec<_>>();
            crate::views::csv::accounts(out, &api.views(accounts))
        }
    })?;
    Ok(path.display().to_string())
}
