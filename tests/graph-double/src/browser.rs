//! A scripted browser for the double's login dialog: follows the forms the
//! way a person would (log in, Continue or Cancel), keeps the session cookie,
//! and stops at the redirect Facebook sends back. For tests of login flows
//! that do not need a real window.

use url::Url;

/// What the person does in the dialog.
#[derive(Debug, Clone)]
pub enum Choice {
    /// Log in with these credentials if asked, then Continue.
    Continue { email: String, password: String },
    /// Cancel (on the login form or the Continue page).
    Cancel,
}

impl Choice {
    pub fn continue_as(email: &str, password: &str) -> Self {
        Self::Continue {
            email: email.to_owned(),
            password: password.to_owned(),
        }
    }
}

/// Remembers the Facebook session cookie between logins, like a browser profile.
#[derive(Debug, Default)]
pub struct Browser {
    http: reqwest::Client,
    cookie: std::sync::Mutex<Option<String>>,
    /// Pages seen in the last run (for assertions: login form or Continue page).
    pub pages: std::sync::Mutex<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the dialog showed an error: {0}")]
    Dialog(String),
    #[error("unexpected page: {0}")]
    Unexpected(String),
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            cookie: std::sync::Mutex::new(None),
            pages: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Forgets the Facebook session (as "Log in with another account" would).
    pub fn forget_session(&self) {
        *self.cookie.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Opens `dialog_url`, acts as `choice` says, and returns the URL Facebook
    /// redirected to.
    pub async fn run(&self, dialog_url: &Url, choice: &Choice) -> Result<Url, BrowserError> {
        self.pages.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let mut response = self.get(dialog_url.clone()).await?;
        for _ in 0..4 {
            if let Some(location) = response.headers().get(reqwest::header::LOCATION) {
                let location = location
                    .to_str()
                    .map_err(|e| BrowserError::Unexpected(e.to_string()))?;
                return Url::parse(location).map_err(|e| BrowserError::Unexpected(e.to_string()));
            }
            let page_url = response.url().clone();
            let html = response.text().await?;
            if let Some(error) = extract(&html, "id=\"dialog-error\">", "<") {
                return Err(BrowserError::Dialog(error));
            }
            let kind = if html.contains("id=\"continue\"") {
                "continue"
            } else if html.contains("id=\"login\"") {
                "login"
            } else {
                return Err(BrowserError::Unexpected(html.chars().take(200).collect()));
            };
            self.pages
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(kind.to_owned());
            let wanted = match (choice, kind) {
                (Choice::Cancel, _) => "/cancel",
                (Choice::Continue { .. }, "continue") => "/confirm",
                (Choice::Continue { .. }, _) => "/login",
            };
            let (action, mut fields) = form(&html, wanted)
                .ok_or_else(|| BrowserError::Unexpected(format!("no {wanted} form")))?;
            if let (Choice::Continue { email, password }, "/login") = (choice, wanted) {
                fields.push(("email".into(), email.clone()));
                fields.push(("pass".into(), password.clone()));
            }
            let target = page_url
                .join(&action)
                .map_err(|e| BrowserError::Unexpected(e.to_string()))?;
            response = self.post(target, &fields).await?;
        }
        Err(BrowserError::Unexpected("too many pages".into()))
    }

    async fn get(&self, url: Url) -> Result<reqwest::Response, BrowserError> {
        self.send(self.http.get(url)).await
    }

    async fn post(
        &self,
        url: Url,
        fields: &[(String, String)],
    ) -> Result<reqwest::Response, BrowserError> {
        self.send(self.http.post(url).form(fields)).await
    }

    /// Sends with the session cookie, and keeps the one the reply sets.
    async fn send(
        &self,
        mut request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, BrowserError> {
        let cookie = self
            .cookie
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        let response = request.send().await?;
        self.keep_cookie(&response);
        Ok(response)
    }

    fn keep_cookie(&self, response: &reqwest::Response) {
        if let Some(value) = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
        {
            *self.cookie.lock().unwrap_or_else(|p| p.into_inner()) = Some(value.to_owned());
        }
    }
}

fn extract(html: &str, after: &str, until: &str) -> Option<String> {
    let start = html.find(after)? + after.len();
    let end = html[start..].find(until)? + start;
    Some(unescape(&html[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The form whose action ends with `suffix`: its action and hidden inputs.
fn form(html: &str, suffix: &str) -> Option<(String, Vec<(String, String)>)> {
    let mut rest = html;
    while let Some(i) = rest.find("<form method=\"post\" action=\"") {
        rest = &rest[i + "<form method=\"post\" action=\"".len()..];
        let end = rest.find('"')?;
        let action = unescape(&rest[..end]);
        let body_end = rest.find("</form>").unwrap_or(rest.len());
        if action.ends_with(suffix) {
            return Some((action, hidden_fields(&rest[..body_end])));
        }
        rest = &rest[body_end..];
    }
    None
}

/// The hidden inputs in a form's body.
fn hidden_fields(form: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[i + "<input type=\"hidden\" name=\"".len()..];
        let Some(name_end) = rest.find('"') else {
            break;
        };
        let name = rest[..name_end].to_owned();
        rest = &rest[name_end..];
        let Some(v) = rest.find("value=\"") else {
            break;
        };
        rest = &rest[v + "value=\"".len()..];
        let Some(value_end) = rest.find('"') else {
            break;
        };
        fields.push((name, unescape(&rest[..value_end])));
        rest = &rest[value_end..];
    }
    fields
}
