//! Signed updates through the official updater plugin. The public key is in
//! tauri.conf.json (`plugins.updater.pubkey`); every download is checked
//! against it, and against the version the signature names, before anything
//! is installed. The endpoint is the release pipeline's `latest.json`.
//!
//! `ADKEEP_UPDATE_URL` points the check elsewhere (a mirror); the signature
//! is still required. Tests manage an `UpdateSource` with their loopback
//! server and a throwaway key (code only: no setting or variable swaps the key).

use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};

use adkeep_core::{Error, Result};

pub const ENV_UPDATE_URL: &str = "ADKEEP_UPDATE_URL";

/// How long a check or a download may take in all.
const UPDATE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// Where to look and which key to trust instead of tauri.conf.json's (tests).
#[derive(Debug, Clone, Default)]
pub struct UpdateSource {
    pub endpoint: Option<url::Url>,
    pub pubkey: Option<String>,
}

/// What the window shows about an update.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UpdateView {
    pub current: String,
    /// The newer version, when there is one.
    pub available: Option<String>,
    /// Its release notes (plain text, shown as text).
    pub notes: Option<String>,
}

/// The update found by the last check, kept for "Install".
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<Update>>);

/// The updater plugin is registered (its own state is private; asking a
/// missing plugin for an updater would panic).
struct Registered;

/// Adds the updater plugin to the app.
pub fn register<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(Registered)
}

fn updater<R: Runtime>(app: &AppHandle<R>) -> Result<tauri_plugin_updater::Updater> {
    if app.try_state::<Registered>().is_none() {
        return Err(Error::Update(
            "This copy of Adkeep was built without updates.".to_owned(),
        ));
    }
    let mut builder = app.updater_builder();
    let source = app
        .try_state::<UpdateSource>()
        .map(|s| s.inner().clone())
        .unwrap_or_default();
    let from_env = std::env::var(ENV_UPDATE_URL)
        .ok()
        .filter(|u| !u.is_empty())
        .map(|u| {
            url::Url::parse(&u)
                .map_err(|e| Error::Update(format!("{ENV_UPDATE_URL} is not a URL: {e}")))
        })
        .transpose()?;
    if let Some(url) = source.endpoint.or(from_env) {
        builder = builder.endpoints(vec![url]).map_err(refused)?;
    }
    if let Some(key) = source.pubkey {
        builder = builder.pubkey(key);
    }
    // Covers the check and the whole download (which `download_capped`
    // also bounds in size): ~7 MB at 256 kB/s.
    builder.timeout(UPDATE_TIMEOUT).build().map_err(refused)
}

/// Asks the update endpoint whether a newer Adkeep exists.
pub async fn check<R: Runtime>(app: &AppHandle<R>) -> Result<UpdateView> {
    let current = app.package_info().version.to_string();
    let found = find(app).await?;
    let view = UpdateView {
        current,
        available: found.as_ref().map(|u| u.version.clone()),
        notes: found.as_ref().and_then(|u| u.body.clone()),
    };
    if let Some(pending) = app.try_state::<PendingUpdate>() {
        *pending.0.lock().unwrap_or_else(|e| e.into_inner()) = found;
    }
    Ok(view)
}

/// The newer release the endpoint announces, if any.
pub async fn find<R: Runtime>(app: &AppHandle<R>) -> Result<Option<Update>> {
    updater(app)?.check().await.map_err(refused)
}

/// The largest update Adkeep downloads (its bundles are a few MB).
pub const MAX_UPDATE_BYTES: u64 = 256 * 1024 * 1024;

/// Downloads the update and checks its signature; the bytes are only
/// returned when the signature is Adkeep's and names this version.
pub async fn download_verified(update: &Update) -> Result<Vec<u8>> {
    download_capped(update, MAX_UPDATE_BYTES).await
}

/// Like `download_verified`, stopping once more than `limit` bytes are
/// announced or have arrived (the plugin buffers the whole download).
pub async fn download_capped(update: &Update, limit: u64) -> Result<Vec<u8>> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let received = Arc::new(AtomicU64::new(0));
    let too_large = Arc::new(tokio::sync::Notify::new());
    let (count, stop) = (received.clone(), too_large.clone());
    let on_chunk = move |chunk: usize, announced: Option<u64>| {
        let total = count.fetch_add(chunk as u64, Ordering::Relaxed) + chunk as u64;
        if total > limit || announced.is_some_and(|n| n > limit) {
            stop.notify_one();
        }
    };
    let too_large_error = || {
        Error::Update(format!(
            "The update is larger than the {} MiB Adkeep downloads, so it was not installed.",
            limit / (1024 * 1024)
        ))
    };
    let downloaded = tokio::select! {
        downloaded = update.download(on_chunk, || {}) => downloaded.map_err(refused),
        () = too_large.notified() => Err(too_large_error()),
    };
    // A download fast enough to finish in the poll that passed the cap.
    if received.load(Ordering::Relaxed) > limit {
        return Err(too_large_error());
    }
    downloaded
}

/// Downloads, verifies and installs the update found by the last check,
/// then restarts Adkeep. Nothing is installed unless the signature holds.
pub async fn install<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let update = app
        .try_state::<PendingUpdate>()
        .and_then(|p| p.0.lock().unwrap_or_else(|e| e.into_inner()).take())
        .ok_or_else(|| {
            Error::Update("Check for updates first: no update is waiting.".to_owned())
        })?;
    let bytes = download_verified(&update).await?;
    update.install(bytes).map_err(refused)?;
    tracing::info!(version = %update.version, "update installed; restarting");
    app.restart();
}

/// The updater's error in words a person can act on.
fn refused(e: tauri_plugin_updater::Error) -> Error {
    use tauri_plugin_updater::Error as E;
    Error::Update(match e {
        E::Minisign(_) | E::SignedVersionMismatch { .. } | E::MissingSignedVersion => {
            format!("The update's signature is not Adkeep's, so it was not installed ({e}).")
        }
        E::Base64(_) | E::SignatureUtf8(_) => {
            format!("The update's signature could not be read, so it was not installed ({e}).")
        }
        E::Reqwest(_) | E::Network(_) => format!("Could not reach the update server: {e}"),
        other => format!("Updating failed: {other}"),
    })
}
