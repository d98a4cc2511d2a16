//! Facebook's login dialog and token endpoint, as oauth-and-tokens.md
//! describes them: a login form without a session cookie, "Continue as NAME"
//! with one, Cancel redirecting with `error=access_denied`; `redirect_uri` and
//! `state` honoured; PKCE verified at the code exchange; long-lived exchange
//! with the app secret.

use base64::Engine as _;
use chrono::{Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::graph::{Call, Resp};
use crate::state::Shared;
use crate::world::DEFAULT_APP;

/// The dialog's parameters, carried through the login form.
#[derive(Debug, Clone, Default)]
pub struct DialogParams {
    /// The dialog's own path (`/v27.0/dialog/oauth`): forms post to `{base}/…`.
    pub base: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
    pub response_type: String,
    pub scope: String,
    pub config_id: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
    pub auth_type: String,
}

pub const PARAM_NAMES: [&str; 9] = [
    "client_id",
    "redirect_uri",
    "state",
    "response_type",
    "scope",
    "config_id",
    "code_challenge",
    "code_challenge_method",
    "auth_type",
];

impl DialogParams {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Self {
            base: String::new(),
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            state: get("state"),
            response_type: get("response_type"),
            scope: get("scope"),
            config_id: get("config_id"),
            code_challenge: get("code_challenge"),
            code_challenge_method: get("code_challenge_method"),
            auth_type: get("auth_type"),
        }
    }

    fn pairs(&self) -> [(&'static str, &str); 9] {
        [
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("state", &self.state),
            ("response_type", &self.response_type),
            ("scope", &self.scope),
            ("config_id", &self.config_id),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
            ("auth_type", &self.auth_type),
        ]
    }

    /// The parameters as a query string (for links that keep the dialog going).
    pub fn query_string(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs() {
            out.append_pair(k, v);
        }
        out.finish()
    }

    fn hidden_fields(&self) -> String {
        self.pairs()
            .iter()
            .map(|(k, v)| {
                format!(
                    "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                    escape(v)
                )
            })
            .collect()
    }
}

/// What the dialog page answers.
pub enum DialogAnswer {
    Page {
        status: u16,
        html: String,
        set_cookie: Option<String>,
    },
    Redirect {
        location: String,
        set_cookie: Option<String>,
    },
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font:15px system-ui,sans-serif;background:#f0f2f5;margin:0}}\
         main{{max-width:380px;margin:40px auto;background:#fff;padding:24px;border-radius:8px;box-shadow:0 2px 8px #0002}}\
         h1{{font-size:20px;color:#1877f2}}input[type=text],input[type=password]{{width:100%;padding:10px;margin:6px 0;box-sizing:border-box}}\
         button{{padding:10px 16px;margin:8px 8px 0 0;border:0;border-radius:6px;font-weight:600;cursor:pointer}}\
         .primary{{background:#1877f2;color:#fff}}.secondary{{background:#e4e6eb}}.small{{color:#65676b;font-size:13px}}</style>\
         </head><body><main><h1>facebook <span class=\"small\">(Graph double)</span></h1>{body}</main></body></html>"
    )
}

/// Which redirect URIs the (double's) app accepts: the desktop success page,
/// and loopback addresses (allowed for apps in Development mode).
fn redirect_allowed(origin: &str, redirect_uri: &str) -> bool {
    let success = format!("{origin}/connect/login_success.html");
    if redirect_uri == success {
        return true;
    }
    url::Url::parse(redirect_uri).is_ok_and(|u| {
        u.scheme() == "http"
            && matches!(u.host_str(), Some("localhost" | "127.0.0.1"))
            && u.port().is_some()
    })
}

fn error_page(message: &str) -> DialogAnswer {
    DialogAnswer::Page {
        status: 400,
        html: page(
            "Error",
            &format!("<p id=\"dialog-error\">{}</p>", escape(message)),
        ),
        set_cookie: None,
    }
}

fn validate(shared: &Shared, origin: &str, params: &DialogParams) -> Result<(), DialogAnswer> {
    let app_id = shared.knobs_app_id();
    if params.client_id != app_id {
        return Err(error_page(
            "Invalid App ID: The provided app ID does not look like a valid app ID.",
        ));
    }
    if !redirect_allowed(origin, &params.redirect_uri) {
        return Err(error_page(
            "URL blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.",
        ));
    }
    // `code`, `token` and `granted_scopes` may be combined (comma or space).
    let response_ok = params
        .response_type
        .split([',', ' '])
        .filter(|p| !p.is_empty())
        .all(|p| matches!(p, "code" | "token" | "granted_scopes"));
    if !response_ok {
        return Err(error_page("Invalid response_type."));
    }
    if !params.code_challenge.is_empty()
        && !matches!(params.code_challenge_method.as_str(), "S256" | "plain")
    {
        return Err(error_page("Invalid code_challenge_method."));
    }
    Ok(())
}

/// `GET /{v}/dialog/oauth`
pub fn show(
    shared: &Shared,
    origin: &str,
    params: &DialogParams,
    session: Option<&str>,
) -> DialogAnswer {
    if let Err(answer) = validate(shared, origin, params) {
        return answer;
    }
    let user = session.and_then(|s| shared.world().sessions.get(s).cloned());
    match user {
        Some(user_id) if params.auth_type != "reauthenticate" => {
            continue_page(shared, params, &user_id)
        }
        _ => login_page(shared, params, None),
    }
}

fn login_page(shared: &Shared, params: &DialogParams, error: Option<&str>) -> DialogAnswer {
    let mut notice = error.map_or_else(String::new, |e| {
        format!(
            "<p id=\"login-error\" style=\"color:#c00\">{}</p>",
            escape(e)
        )
    });
    let hint = shared.knobs().login_hint.clone();
    if !hint.is_empty() {
        notice.push_str(&format!(
            "<p class=\"small\" id=\"login-hint\">{}</p>",
            escape(&hint)
        ));
    }
    let base = escape(&params.base);
    let body = format!(
        "<p>Log in to continue to <b>Adkeep</b>.</p>{notice}\
         <form method=\"post\" action=\"{base}/login\">{}\
         <input type=\"text\" id=\"email\" name=\"email\" placeholder=\"Email or phone number\" autocomplete=\"username\">\
         <input type=\"password\" id=\"pass\" name=\"pass\" placeholder=\"Password\" autocomplete=\"current-password\">\
         <button class=\"primary\" id=\"login\" type=\"submit\">Log in</button></form>\
         <form method=\"post\" action=\"{base}/cancel\">{}<button class=\"secondary\" id=\"cancel\" type=\"submit\">Cancel</button></form>",
        params.hidden_fields(),
        params.hidden_fields()
    );
    DialogAnswer::Page {
        status: 200,
        html: page("Log in to Facebook", &body),
        set_cookie: None,
    }
}

fn continue_page(shared: &Shared, params: &DialogParams, user_id: &str) -> DialogAnswer {
    let name = shared
        .world()
        .users
        .get(user_id)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let asks = if params.config_id.is_empty() {
        params.scope.replace(',', ", ")
    } else {
        format!("the assets in configuration {}", params.config_id)
    };
    let base = escape(&params.base);
    let query = escape(&params.query_string());
    let body = format!(
        "<p>Adkeep is requesting access to: {}.</p>\
         <form method=\"post\" action=\"{base}/confirm\">{}<button class=\"primary\" id=\"continue\" type=\"submit\">Continue as {}</button></form>\
         <form method=\"post\" action=\"{base}/cancel\">{}<button class=\"secondary\" id=\"cancel\" type=\"submit\">Cancel</button></form>\
         <p class=\"small\">Not you? <a id=\"switch\" href=\"{base}/logout?{query}\">Log in with another account</a></p>",
        escape(&asks),
        params.hidden_fields(),
        escape(&name),
        params.hidden_fields()
    );
    DialogAnswer::Page {
        status: 200,
        html: page("Continue", &body),
        set_cookie: None,
    }
}

/// `POST /{v}/dialog/oauth/login`
pub fn login(
    shared: &Shared,
    origin: &str,
    params: &DialogParams,
    email: &str,
    password: &str,
) -> DialogAnswer {
    if let Err(answer) = validate(shared, origin, params) {
        return answer;
    }
    let user = shared
        .world()
        .users
        .values()
        .find(|u| u.email.eq_ignore_ascii_case(email.trim()) && u.password == password)
        .map(|u| u.id.clone());
    let Some(user_id) = user else {
        return login_page(
            shared,
            params,
            Some("The password that you've entered is incorrect."),
        );
    };
    let session = crate::random_id("s");
    shared
        .world()
        .sessions
        .insert(session.clone(), user_id.clone());
    match continue_page(shared, params, &user_id) {
        DialogAnswer::Page { status, html, .. } => DialogAnswer::Page {
            status,
            html,
            set_cookie: Some(session_cookie(&session)),
        },
        other => other,
    }
}

fn session_cookie(session: &str) -> String {
    format!("double_session={session}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000")
}

/// `GET /{v}/dialog/oauth/logout`: forget the session, show the login form.
pub fn logout(
    shared: &Shared,
    origin: &str,
    params: &DialogParams,
    session: Option<&str>,
) -> DialogAnswer {
    if let Some(s) = session {
        shared.world().sessions.remove(s);
    }
    match show(shared, origin, params, None) {
        DialogAnswer::Page { status, html, .. } => DialogAnswer::Page {
            status,
            html,
            set_cookie: Some("double_session=; Path=/; Max-Age=0".to_owned()),
        },
        other => other,
    }
}

/// `POST /{v}/dialog/oauth/cancel`
pub fn cancel(shared: &Shared, origin: &str, params: &DialogParams) -> DialogAnswer {
    if let Err(answer) = validate(shared, origin, params) {
        return answer;
    }
    let mut url = match url::Url::parse(&params.redirect_uri) {
        Ok(url) => url,
        Err(_) => return error_page("Invalid redirect_uri."),
    };
    url.query_pairs_mut()
        .append_pair("error", "access_denied")
        .append_pair("error_code", "200")
        .append_pair("error_description", "Permissions error.")
        .append_pair("error_reason", "user_denied")
        .append_pair("state", &params.state);
    url.set_fragment(Some("_=_"));
    DialogAnswer::Redirect {
        location: url.to_string(),
        set_cookie: None,
    }
}

/// `POST /{v}/dialog/oauth/confirm`: the user clicked Continue.
pub fn confirm(
    shared: &Shared,
    origin: &str,
    params: &DialogParams,
    session: Option<&str>,
) -> DialogAnswer {
    if let Err(answer) = validate(shared, origin, params) {
        return answer;
    }
    let Some(user_id) = session.and_then(|s| shared.world().sessions.get(s).cloned()) else {
        return login_page(shared, params, Some("Please log in again."));
    };
    let (decline, lifetime) = {
        let knobs = shared.knobs();
        (knobs_decline(&knobs), knobs.token_lifetime_secs)
    };
    let requested: Vec<String> = if params.config_id.is_empty() {
        params
            .scope
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    } else {
        crate::world::DEFAULT_SCOPES
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let mut granted: Vec<String> = requested
        .iter()
        .filter(|s| !decline.contains(s))
        .cloned()
        .collect();
    if !granted.iter().any(|g| g == "public_profile") {
        granted.push("public_profile".to_owned());
    }
    let declined: Vec<String> = requested
        .iter()
        .filter(|s| decline.contains(s))
        .cloned()
        .collect();

    // New grants chosen in the dialog become reachable now.
    {
        let mut world = shared.world();
        let world = &mut *world;
        if let Some(user) = world.users.get_mut(&user_id) {
            let grants: Vec<String> = std::mem::take(&mut user.grant_on_next_login)
                .into_iter()
                .collect();
            for id in grants {
                if world.accounts.contains_key(&id) {
                    user.access.entry(id).or_insert_with(|| {
                        vec!["MANAGE".into(), "ADVERTISE".into(), "ANALYZE".into()]
                    });
                }
            }
        }
    }

    let Ok(mut url) = url::Url::parse(&params.redirect_uri) else {
        return error_page("Invalid redirect_uri.");
    };
    let wants_token = params.response_type.contains("token");
    let data_access = Utc::now() + Duration::days(90);
    if wants_token {
        let token = {
            let granted_refs: Vec<&str> = granted.iter().map(String::as_str).collect();
            let declined_refs: Vec<&str> = declined.iter().map(String::as_str).collect();
            shared.world().issue_token(
                &user_id,
                &granted_refs,
                &declined_refs,
                Duration::seconds(lifetime),
            )
        };
        let mut fragment = url::form_urlencoded::Serializer::new(String::new());
        fragment
            .append_pair("access_token", &token)
            .append_pair(
                "data_access_expiration_time",
                &data_access.timestamp().to_string(),
            )
            .append_pair("expires_in", &lifetime.to_string())
            .append_pair("granted_scopes", &granted.join(","))
            .append_pair("denied_scopes", &declined.join(","))
            .append_pair("state", &params.state);
        url.set_fragment(Some(&fragment.finish()));
    } else {
        let code = crate::random_id("AQ");
        shared.world().codes.insert(
            code.clone(),
            crate::world::PendingCode {
                user_id,
                client_id: params.client_id.clone(),
                redirect_uri: params.redirect_uri.clone(),
                code_challenge: (!params.code_challenge.is_empty())
                    .then(|| params.code_challenge.clone()),
                challenge_method: (!params.code_challenge_method.is_empty())
                    .then(|| params.code_challenge_method.clone()),
                granted,
                declined,
            },
        );
        url.query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &params.state);
        url.set_fragment(Some("_=_"));
    }
    DialogAnswer::Redirect {
        location: url.to_string(),
        set_cookie: None,
    }
}

fn knobs_decline(knobs: &crate::state::Knobs) -> Vec<String> {
    knobs.decline_scopes.clone()
}

fn oauth_error(message: &str, subcode: Option<i64>) -> Resp {
    Resp::error(400, 100, subcode, "OAuthException", message)
}

/// `GET /{v}/oauth/access_token`: code exchange (PKCE or app secret) and the
/// long-lived exchange.
pub fn exchange(shared: &Shared, call: &Call) -> Resp {
    let param = |k: &str| {
        call.query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let app_id = shared.knobs_app_id();
    if param("client_id") != app_id {
        return Resp::error(
            400,
            101,
            None,
            "OAuthException",
            "Error validating application. Invalid application ID.",
        );
    }
    let lifetime = shared.knobs().token_lifetime_secs;
    if param("grant_type") == "fb_exchange_token" {
        if param("client_secret") != crate::APP_SECRET {
            return Resp::error(
                400,
                1,
                None,
                "OAuthException",
                "Error validating client secret.",
            );
        }
        let short = param("fb_exchange_token");
        let mut world = shared.world();
        let Some(token) = world.tokens.get(short).cloned() else {
            return Resp::error(
                400,
                190,
                None,
                "OAuthException",
                "Invalid OAuth access token - Cannot parse access token",
            );
        };
        if token.expires_at <= Utc::now() || token.state != crate::world::TokenState::Valid {
            return Resp::error(
                400,
                190,
                Some(463),
                "OAuthException",
                "Error validating access token: Session has expired.",
            );
        }
        let granted: Vec<&str> = token.granted.iter().map(String::as_str).collect();
        let declined: Vec<&str> = token.declined.iter().map(String::as_str).collect();
        let long = world.issue_token(
            &token.user_id,
            &granted,
            &declined,
            Duration::seconds(5_183_944),
        );
        return Resp::ok(
            json!({"access_token": long, "token_type": "bearer", "expires_in": 5_183_944}),
        );
    }

    let code = param("code");
    let Some(pending) = shared.world().codes.remove(code) else {
        return oauth_error("This authorization code has been used.", Some(36009));
    };
    if pending.client_id != param("client_id") {
        return oauth_error("Error validating verification code.", Some(36008));
    }
    if pending.redirect_uri != param("redirect_uri") {
        return oauth_error(
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
            Some(36008),
        );
    }
    match &pending.code_challenge {
        Some(challenge) => {
            let verifier = param("code_verifier");
            let computed = if pending.challenge_method.as_deref() == Some("plain") {
                verifier.to_owned()
            } else {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(Sha256::digest(verifier.as_bytes()))
            };
            if verifier.is_empty() || &computed != challenge {
                return oauth_error("Invalid code verifier", None);
            }
        }
        None => {
            if param("client_secret") != crate::APP_SECRET {
                return Resp::error(
                    400,
                    1,
                    None,
                    "OAuthException",
                    "Error validating client secret.",
                );
            }
        }
    }
    let granted: Vec<&str> = pending.granted.iter().map(String::as_str).collect();
    let declined: Vec<&str> = pending.declined.iter().map(String::as_str).collect();
    let token = shared.world().issue_token(
        &pending.user_id,
        &granted,
        &declined,
        Duration::seconds(lifetime),
    );
    Resp::ok(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": lifetime,
        "data_access_expiration_time": (Utc::now() + Duration::days(90)).timestamp(),
    }))
}

impl Shared {
    pub fn knobs_app_id(&self) -> String {
        let app = self.knobs().app_id.clone();
        if app.is_empty() {
            DEFAULT_APP.to_owned()
        } else {
            app
        }
    }
}
