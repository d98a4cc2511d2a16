//! The alerts' commands: the destinations, saving one from the form,
//! removing one, and "Send a test".

use adkeep_core::Error;
use adkeep_core::alerts::Outcome;

use super::Api;
use crate::backend::DestinationForm;
use crate::views::AlertView;

#[tauri::command]
pub fn alert_destinations(api: Api<'_>) -> Result<Vec<AlertView>, Error> {
    Ok(api.destinations()?.iter().map(AlertView::from).collect())
}

/// Adds (no `id`) or edits a destination; secrets go to the keychain.
#[tauri::command]
pub async fn save_alert_destination(
    api: Api<'_>,
    form: DestinationForm,
) -> Result<AlertView, Error> {
    let saved = api.save_destination_form(form).await?;
    api.destinations()?
        .iter()
        .find(|k| k.destination.id == saved.id)
        .map(AlertView::from)
        .ok_or_else(|| Error::Internal("the destination was not kept".to_owned()))
}

#[tauri::command]
pub async fn remove_alert_destination(api: Api<'_>, id: String) -> Result<(), Error> {
    api.remove_destination(&id).await
}

/// Sends a test message now; says what became of it.
#[tauri::command]
pub async fn test_alert_destination(api: Api<'_>, id: String) -> Result<String, Error> {
    match api.test_destination(&id).await? {
        Outcome::Delivered => Ok("Delivered: the test message reached it.".to_owned()),
        Outcome::Retry { error, .. } => Err(Error::Settings(format!("Not delivered: {error}."))),
        Outcome::Refused(error) => Err(Error::Settings(format!("Refused: {error}."))),
    }
}
