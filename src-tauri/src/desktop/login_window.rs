//! The login windows. The popup is an in-app webview showing Facebook's login
//! dialog: its own persistent cookie store (so "Continue" works next time),
//! no IPC capability at all, no devtools, no new windows, and navigation
//! limited to the Facebook origins a login passes through (see `visit`):
//! any other https page opens in the person's browser instead, anything else
//! is refused. The navigation to the redirect address is intercepted and
//! never loaded. The loopback method uses the system browser and
//! tauri-plugin-oauth on fixed ports of `127.0.0.1` (RFC 8252 §7.3: the
//! literal address, not `localhost`, which a resolver could point elsewhere).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tokio::sync::oneshot;
use url::Url;

use adkeep_core::auth::LoginRequest;
use adkeep_core::graph::client::Endpoints;
use adkeep_core::{Error, Result};

use crate::backend::Authorizer;

/// The popup's window label. No capability names it: it has no IPC.
pub const LOGIN_WINDOW: &str = "facebook-login";
/// How long a login may take before it is abandoned.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// The popup's own browser profile, inside Adkeep's data folder.
pub const PROFILE_DIR: &str = "login-webview";
/// The popup's data store on macOS 14+ (where a data directory is not available).
const MACOS_STORE: [u8; 16] = *b"adkeep-fb-login1";

fn automation() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
}

enum Outcome {
    Redirect(Url),
    Closed,
}

type Slot = Arc<Mutex<Option<oneshot::Sender<Outcome>>>>;

fn send(slot: &Slot, outcome: Outcome) {
    if let Some(tx) = slot.lock().unwrap_or_else(|p| p.into_inner()).take() {
        let _ = tx.send(outcome);
    }
}

pub struct PopupAuthorizer<R: Runtime> {
    app: AppHandle<R>,
    profile_dir: PathBuf,
}

/// Opens a page in the person's browser (never in the popup).
fn open_elsewhere<R: Runtime>(app: &AppHandle<R>, url: &Url) {
    use tauri_plugin_opener::OpenerExt;
    if let Err(e) = app.opener().open_url(url.as_str(), None::<&str>) {
        tracing::warn!("could not open a link from the login window: {e}");
    }
}

impl<R: Runtime> PopupAuthorizer<R> {
    pub fn new(app: AppHandle<R>, data_dir: &std::path::Path) -> Self {
        Self {
            app,
            profile_dir: data_dir.join(PROFILE_DIR),
        }
    }
}

/// What the popup does with a navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// A page of the login: shown in the popup.
    Show,
    /// Some other web page (a help link): opened in the person's browser.
    Elsewhere,
    Refuse,
}

/// The hosts a Facebook or Meta login passes through (login, two-factor,
/// checkpoints, Accounts Center, Login for Business), over https only.
const LOGIN_DOMAINS: [&str; 2] = ["facebook.com", "meta.com"];

fn visit(url: &Url, facebook: &Url) -> Visit {
    if url.as_str() == "about:blank" {
        return Visit::Show;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Visit::Refuse;
    }
    if url.origin() == facebook.origin() {
        return Visit::Show;
    }
    if url.scheme() != "https" {
        return Visit::Refuse;
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let login_host = LOGIN_DOMAINS
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    if login_host {
        Visit::Show
    } else {
        Visit::Elsewhere
    }
}

impl<R: Runtime> PopupAuthorizer<R> {
    /// Opens the popup (synchronously: the builder must not live across an await).
    fn open_popup(
        &self,
        request: &LoginRequest,
        is_redirect: impl Fn(&Url) -> bool + Send + 'static,
        nav: Slot,
        facebook: Url,
    ) -> Result<tauri::WebviewWindow<R>> {
        let mut builder = WebviewWindowBuilder::new(
            &self.app,
            LOGIN_WINDOW,
            WebviewUrl::External(request.url.clone()),
        )
        .title("Log in with Facebook — Adkeep")
        .inner_size(600.0, 760.0)
        .min_inner_size(420.0, 520.0)
        .center()
        .focused(true)
        .devtools(false);
        // Its own browser profile, so the Facebook session survives restarts
        // and never mixes with Adkeep's window. Under WebDriver automation,
        // WebKitGTK allows one automation context only: the popup then
        // shares the main context so end-to-end tests can drive it.
        if !automation() {
            builder = builder
                .data_directory(self.profile_dir.clone())
                .data_store_identifier(MACOS_STORE);
        }
        let app = self.app.clone();
        builder
            .on_navigation(move |url| {
                if is_redirect(url) {
                    send(&nav, Outcome::Redirect(url.clone()));
                    return false;
                }
                match visit(url, &facebook) {
                    Visit::Show => true,
                    Visit::Elsewhere => {
                        open_elsewhere(&app, url);
                        false
                    }
                    Visit::Refuse => {
                        tracing::warn!(scheme = url.scheme(), "the login window refused a page");
                        false
                    }
                }
            })
            .on_new_window(|_, _| NewWindowResponse::Deny)
            .build()
            .map_err(|e| Error::Internal(format!("the login window could not open: {e}")))
    }
}

impl<R: Runtime> Authorizer for PopupAuthorizer<R> {
    fn redirect_uri(&self, endpoints: &Endpoints) -> BoxFuture<'_, Result<Url>> {
        let uri = endpoints
            .login_redirect()
            .map_err(|e| Error::Internal(e.to_string()));
        async move { uri }.boxed()
    }

    fn authorize<'a>(
        &'a self,
        request: &'a LoginRequest,
        endpoints: &'a Endpoints,
    ) -> BoxFuture<'a, Result<Url>> {
        async move {
            if let Some(stale) = self.app.get_webview_window(LOGIN_WINDOW) {
                let _ = stale.destroy();
            }
            let (tx, rx) = oneshot::channel();
            let slot: Slot = Arc::new(Mutex::new(Some(tx)));
            let nav = slot.clone();
            let redirect = request.redirect_uri.clone();
            let facebook = endpoints.facebook.clone();
            let is_redirect = move |url: &Url| {
                url.scheme() == redirect.scheme()
                    && url.host_str() == redirect.host_str()
                    && url.port_or_known_default() == redirect.port_or_known_default()
                    && url.path() == redirect.path()
            };
            let window = self.open_popup(request, is_redirect, nav, facebook)?;
            let closed = slot.clone();
            window.on_window_event(move |event| {
                if matches!(event, WindowEvent::Destroyed | WindowEvent::CloseRequested { .. }) {
                    send(&closed, Outcome::Closed);
                }
            });
            let outcome = tokio::time::timeout(LOGIN_TIMEOUT, rx).await;
            if let Some(window) = self.app.get_webview_window(LOGIN_WINDOW) {
                let _ = window.destroy();
            }
            match outcome {
                Ok(Ok(Outcome::Redirect(url))) => Ok(url),
                Ok(Ok(Outcome::Closed)) | Ok(Err(_)) => Err(Error::Cancelled),
                Err(_) => Err(Error::Login("The login window was open for 5 minutes without an answer, so Adkeep closed it.".to_owned())),
            }
        }
        .boxed()
    }
}

/// Opens a URL in the person's browser.
pub type OpenBrowser = Box<dyn Fn(&Url) -> std::result::Result<(), String> + Send + Sync>;

/// The system browser and a loopback redirect (Meta apps in Development mode).
pub struct LoopbackAuthorizer {
    ports: Vec<u16>,
    open: OpenBrowser,
    pending: Mutex<Option<(u16, oneshot::Receiver<String>)>>,
}

impl LoopbackAuthorizer {
    /// Opens the dialog in the system browser.
    pub fn with_system_browser<R: Runtime>(app: AppHandle<R>, ports: Vec<u16>) -> Self {
        Self::new(
            ports,
            Box::new(move |url| {
                use tauri_plugin_opener::OpenerExt;
                app.opener()
                    .open_url(url.as_str(), None::<&str>)
                    .map_err(|e| e.to_string())
            }),
        )
    }

    pub fn new(ports: Vec<u16>, open: OpenBrowser) -> Self {
        Self {
            ports,
            open,
            pending: Mutex::new(None),
        }
    }
}

impl Authorizer for LoopbackAuthorizer {
    /// Starts listening on the first free configured port.
    fn redirect_uri(&self, endpoints: &Endpoints) -> BoxFuture<'_, Result<Url>> {
        let done_page = endpoints
            .login_redirect()
            .map(String::from)
            .unwrap_or_default();
        let ports = self.ports.clone();
        async move {
            let (tx, rx) = oneshot::channel::<String>();
            let tx = Mutex::new(Some(tx));
            let config = tauri_plugin_oauth::OauthConfig {
                ports: Some(ports),
                response: None,
                // After the answer, the browser lands on a plain "Success" page.
                redirect_uri: Some(done_page.into()),
            };
            let port = tauri_plugin_oauth::start_with_config(config, move |url| {
                if let Some(tx) = tx.lock().unwrap_or_else(|p| p.into_inner()).take() {
                    let _ = tx.send(url);
                }
            })
            .map_err(|e| {
                Error::Login(format!(
                    "no loopback port is free ({e}); check the ports in Settings"
                ))
            })?;
            *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = Some((port, rx));
            Url::parse(&format!("http://127.0.0.1:{port}/callback"))
                .map_err(|e| Error::Internal(e.to_string()))
        }
        .boxed()
    }

    fn authorize<'a>(
        &'a self,
        request: &'a LoginRequest,
        _endpoints: &'a Endpoints,
    ) -> BoxFuture<'a, Result<Url>> {
        async move {
            let (port, rx) = self
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .ok_or_else(|| {
                    Error::Internal("the loopback listener was not started".to_owned())
                })?;
            if let Err(e) = (self.open)(&request.url) {
                let _ = tauri_plugin_oauth::cancel(port);
                return Err(Error::Login(format!("the browser could not open: {e}")));
            }
            match tokio::time::timeout(LOGIN_TIMEOUT, rx).await {
                Ok(Ok(raw)) => {
                    // The listener reports 127.0.0.1; the answer is for our redirect address.
                    let got = Url::parse(&raw)
                        .map_err(|e| Error::LoginRejected(format!("unreadable answer: {e}")))?;
                    let mut url = request.redirect_uri.clone();
                    url.set_path(got.path());
                    url.set_query(got.query());
                    Ok(url)
                }
                Ok(Err(_)) => Err(Error::Cancelled),
                Err(_) => {
                    let _ = tauri_plugin_oauth::cancel(port);
                    Err(Error::Login(
                        "No answer from the browser within 5 minutes; the login was abandoned."
                            .to_owned(),
                    ))
                }
            }
        }
        .boxed()
    }
}

/// Reauthenticate with the method in Settings (the popup, or the system
/// browser for the loopback method; the sandbox always uses the popup).
pub async fn reauthenticate<R: Runtime>(
    app: &AppHandle<R>,
    backend: &std::sync::Arc<crate::backend::Backend>,
    target: Option<&adkeep_core::logins::LoginId>,
) -> Result<crate::backend::LoginOutcome> {
    let settings = backend.settings();
    let sandbox = backend.mode() == crate::backend::ActiveMode::Sandbox;
    if !sandbox && settings.login_method == adkeep_core::settings::LoginMethod::Loopback {
        let loopback =
            LoopbackAuthorizer::with_system_browser(app.clone(), settings.loopback_ports);
        backend.reauthenticate(&loopback, target).await
    } else {
        backend
            .reauthenticate(
                &PopupAuthorizer::new(app.clone(), backend.data_dir()),
                target,
            )
            .await
    }
}

/// Forgets the popup's Facebook session ("Log in with another account").
pub fn clear_popup_profile<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &std::path::Path,
) -> std::io::Result<()> {
    if let Some(window) = app.get_webview_window(LOGIN_WINDOW) {
        let _ = window.clear_all_browsing_data();
        let _ = window.destroy();
    }
    match std::fs::remove_dir_all(data_dir.join(PROFILE_DIR)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_popup_shows_only_the_login_and_sends_other_pages_away() {
        let facebook = Url::parse("https://www.facebook.com/").unwrap();
        let double = Url::parse("http://127.0.0.1:4000/").unwrap();
        let at = |raw: &str, base: &Url| visit(&Url::parse(raw).unwrap(), base);
        for shown in [
            "https://www.facebook.com/v27.0/dialog/oauth?client_id=1",
            "https://m.facebook.com/login/",
            "https://business.facebook.com/business/loginpage",
            "https://accountscenter.meta.com/two_factor",
            "https://facebook.com/checkpoint/",
            "about:blank",
        ] {
            assert_eq!(at(shown, &facebook), Visit::Show, "{shown}");
        }
        assert_eq!(
            at("http://127.0.0.1:4000/v27.0/dialog/oauth", &double),
            Visit::Show
        );
        for elsewhere in [
            "https://evil.example/phish",
            "https://www.facebook.com.evil.example/",
            "https://notfacebook.com/",
            "https://www.instagram.com/accounts/login/",
        ] {
            assert_eq!(at(elsewhere, &facebook), Visit::Elsewhere, "{elsewhere}");
        }
        for refused in [
            "http://www.facebook.com/login",
            "http://127.0.0.1:4001/",
            "file:///etc/passwd",
            "tauri://localhost/",
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "https://user:pw@www.facebook.com/",
        ] {
            assert_eq!(at(refused, &facebook), Visit::Refuse, "{refused}");
        }
        assert_eq!(at("http://127.0.0.1:4001/", &double), Visit::Refuse);
    }
}
