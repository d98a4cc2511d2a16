//! Facebook Login's protocol, without any window: PKCE, `state`, the dialog
//! URL, reading the redirect, and the token endpoint (code exchange and the
//! long-lived exchange). See shared/reference/oauth-and-tokens.md.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use crate::graph::client::Endpoints;
use crate::graph::error::GraphError;
use crate::graph::transport::{self, Received};
use crate::token::AccessToken;

/// What Adkeep asks for when it does not use a Login for Business configuration.
pub const SCOPES: &str = "ads_read,ads_management,business_management";

/// A value that must not be logged (the PKCE verifier, the `state`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// 32 random bytes, base64url without padding (43 characters).
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison (the `state` check).
    pub fn matches(&self, other: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), other.as_bytes());
        a.len() == b.len() && bool::from(a.ct_eq(b))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// `BASE64URL(SHA256(verifier))`, the S256 code challenge.
pub fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// How the dialog hands over the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// `response_type=code` with PKCE (then exchanged at `/oauth/access_token`).
    Code,
    /// `response_type=token`: the token in the redirect's fragment.
    Token,
}

/// What to put in the dialog URL.
#[derive(Debug, Clone)]
pub struct DialogOptions {
    pub app_id: String,
    /// A Login for Business configuration, used instead of `scope`.
    pub config_id: Option<String>,
    pub response: ResponseKind,
    pub redirect_uri: Url,
}

/// One login attempt: the URL to open, and what it takes to check the answer.
#[derive(Debug)]
pub struct LoginRequest {
    pub url: Url,
    pub redirect_uri: Url,
    pub app_id: String,
    pub response: ResponseKind,
    state: Secret,
    verifier: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// The user cancelled in the dialog (`error=access_denied`) or closed it.
    #[error("the login was cancelled")]
    Cancelled,
    /// The `state` did not match: the answer is not for this login.
    #[error("the login answer did not match this login (state mismatch) and was refused")]
    StateMismatch,
    /// Facebook refused with another error.
    #[error("Facebook refused the login: {0}")]
    Refused(String),
    /// The redirect carried neither a code nor a token.
    #[error("the login answer could not be read: {0}")]
    Malformed(String),
}

impl LoginRequest {
    pub fn new(endpoints: &Endpoints, options: DialogOptions) -> Result<Self, url::ParseError> {
        let state = Secret::random();
        let verifier = (options.response == ResponseKind::Code).then(Secret::random);
        let mut url = endpoints.facebook_versioned("dialog/oauth")?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &options.app_id)
                .append_pair("redirect_uri", options.redirect_uri.as_str())
                .append_pair("state", state.expose())
                .append_pair(
                    "response_type",
                    match options.response {
                        ResponseKind::Code => "code",
                        ResponseKind::Token => "token,granted_scopes",
                    },
                );
            match options.config_id.as_deref().filter(|c| !c.is_empty()) {
                Some(config) => q.append_pair("config_id", config),
                None => q.append_pair("scope", SCOPES),
            };
            if let Some(verifier) = &verifier {
                q.append_pair("code_challenge", &code_challenge(verifier.expose()))
                    .append_pair("code_challenge_method", "S256");
            }
            // Re-ask for permissions declined before; a small window layout.
            q.append_pair("auth_type", "rerequest")
                .append_pair("display", "popup")
                .append_pair("return_scopes", "true");
        }
        Ok(Self {
            url,
            redirect_uri: options.redirect_uri,
            app_id: options.app_id,
            response: options.response,
            state,
            verifier,
        })
    }

    /// Whether a navigation goes to the redirect target (same scheme, host,
    /// port and path; query and fragment may differ).
    pub fn is_redirect(&self, url: &Url) -> bool {
        url.scheme() == self.redirect_uri.scheme()
            && url.host_str() == self.redirect_uri.host_str()
            && url.port_or_known_default() == self.redirect_uri.port_or_known_default()
            && url.path() == self.redirect_uri.path()
    }

    pub fn verifier(&self) -> Option<&str> {
        self.verifier.as_ref().map(Secret::expose)
    }

    /// Reads the redirect: a code, a token, a cancel, or a refusal. The
    /// `state` must match first, whatever else the answer says.
    pub fn read_redirect(&self, url: &Url) -> Result<Callback, LoginError> {
        if !self.is_redirect(url) {
            return Err(LoginError::Malformed("not the redirect address".to_owned()));
        }
        let mut params: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        // Facebook appends `#_=_`; the token flow puts its answer in the fragment.
        if let Some(fragment) = url.fragment().filter(|f| *f != "_=_") {
            params.extend(
                url::form_urlencoded::parse(fragment.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned())),
            );
        }
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        match get("state") {
            Some(state) if self.state.matches(state) => {}
            _ => return Err(LoginError::StateMismatch),
        }
        if let Some(error) = get("error") {
            return Err(if error == "access_denied" {
                LoginError::Cancelled
            } else {
                LoginError::Refused(get("error_description").unwrap_or(error).to_owned())
            });
        }
        match self.response {
            ResponseKind::Code => get("code")
                .filter(|c| !c.is_empty())
                .map(|c| Callback::Code(c.to_owned()))
                .ok_or_else(|| LoginError::Malformed("no code".to_owned())),
            ResponseKind::Token => token_grant(&get).map(Callback::Token),
        }
    }
}

/// The token flow's answer: the token, its lifetimes and the scopes.
fn token_grant<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<TokenGrant, LoginError> {
    let list = |key: &str| -> Vec<String> {
        get(key)
            .map(|v| {
                v.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let token = get("access_token")
        .and_then(AccessToken::new)
        .ok_or_else(|| LoginError::Malformed("no access token".to_owned()))?;
    let now = Utc::now();
    Ok(TokenGrant {
        token,
        expires_at: get("expires_in")
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|s| *s > 0)
            .and_then(|s| after_seconds(now, s)),
        data_access_expires_at: get("data_access_expiration_time")
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|t| DateTime::from_timestamp(t, 0)),
        granted: list("granted_scopes"),
        declined: list("denied_scopes"),
    })
}

/// What the redirect carried.
#[derive(Debug)]
pub enum Callback {
    Code(String),
    Token(TokenGrant),
}

/// A token and what came with it.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub token: AccessToken,
    pub expires_at: Option<DateTime<Utc>>,
    pub data_access_expires_at: Option<DateTime<Utc>>,
    /// Only known for the token flow (`granted_scopes`); else read `/me/permissions`.
    pub granted: Vec<String>,
    pub declined: Vec<String>,
}

/// `GET {graph}/{version}/oauth/access_token?client_id&redirect_uri&code&code_verifier[&client_secret]`.
/// The URL carries one-time values: it is never logged.
pub async fn exchange_code(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    request: &LoginRequest,
    code: &str,
    app_secret: Option<&str>,
) -> Result<TokenGrant, GraphError> {
    let mut params = vec![
        ("client_id", request.app_id.clone()),
        ("redirect_uri", request.redirect_uri.to_string()),
        ("code", code.to_owned()),
    ];
    if let Some(verifier) = request.verifier() {
        params.push(("code_verifier", verifier.to_owned()));
    }
    if let Some(secret) = app_secret {
        params.push(("client_secret", secret.to_owned()));
    }
    token_endpoint(http, endpoints, &params).await
}

/// Swaps a short-lived token for a ~60-day one (needs the app secret).
pub async fn exchange_long_lived(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    app_id: &str,
    app_secret: &str,
    token: &AccessToken,
) -> Result<TokenGrant, GraphError> {
    let params = [
        ("grant_type", "fb_exchange_token".to_owned()),
        ("client_id", app_id.to_owned()),
        ("client_secret", app_secret.to_owned()),
        ("fb_exchange_token", token.expose().to_owned()),
    ];
    token_endpoint(http, endpoints, &params)
        .await
        .map_err(|e| e.scrubbed(Some(token)))
}

async fn token_endpoint(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    params: &[(&str, String)],
) -> Result<TokenGrant, GraphError> {
    // One-time and secret values Meta might echo in an error.
    let secrets: Vec<&str> = params
        .iter()
        .filter(|(k, _)| *k != "client_id" && *k != "redirect_uri" && *k != "grant_type")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut url = endpoints
        .graph_url("oauth/access_token")
        .map_err(|e| GraphError::malformed(0, e.to_string()))?;
    url.query_pairs_mut()
        .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    let Received {
        status,
        usage,
        body,
        ..
    } = receive(http.get(url), None)
        .await
        .map_err(|e| e.redacted(&secrets))?;
    if !(200..300).contains(&status) {
        let error = GraphError::from_response(status, &body, usage);
        return Err(error.scrubbed(None).redacted(&secrets));
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| GraphError::malformed(status, crate::graph::client::unreadable(&e)))?;
    let token = value
        .get("access_token")
        .and_then(Value::as_str)
        .and_then(AccessToken::new)
        .ok_or_else(|| GraphError::malformed(status, "the token endpoint sent no access_token"))?;
    let now = Utc::now();
    Ok(TokenGrant {
        expires_at: value
            .get("expires_in")
            .and_then(Value::as_i64)
            .filter(|s| *s > 0)
            .and_then(|s| after_seconds(now, s)),
        data_access_expires_at: value
            .get("data_access_expiration_time")
            .and_then(Value::as_i64)
            .and_then(|t| DateTime::from_timestamp(t, 0)),
        granted: Vec::new(),
        declined: Vec::new(),
        token,
    })
}

/// What `debug_token` says about a token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenFacts {
    pub is_valid: bool,
    /// `None` when Meta says 0 (never expires).
    pub expires_at: Option<DateTime<Utc>>,
    pub data_access_expires_at: Option<DateTime<Utc>>,
    pub scopes: Vec<String>,
    pub user_id: Option<String>,
    /// Why it is not valid (`code`, `subcode`), when it is not.
    pub error: Option<(i64, Option<i64>)>,
}

/// `GET /debug_token?input_token=…` with the app token `{app-id}|{app-secret}`.
/// Only possible with the app secret; the URL carries both tokens and is
/// never logged.
pub async fn debug_token(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    app_id: &str,
    app_secret: &str,
    token: &AccessToken,
) -> Result<TokenFacts, GraphError> {
    let mut url = endpoints
        .graph_url("debug_token")
        .map_err(|e| GraphError::malformed(0, e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("input_token", token.expose())
        .append_pair("access_token", &format!("{app_id}|{app_secret}"));
    let Received {
        status,
        usage,
        body,
        ..
    } = receive(http.get(url), Some(token))
        .await
        .map_err(|e| e.redacted(&[app_secret]))?;
    if !(200..300).contains(&status) {
        let error = GraphError::from_response(status, &body, usage);
        return Err(error.scrubbed(Some(token)).redacted(&[app_secret]));
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| GraphError::malformed(status, crate::graph::client::unreadable(&e)))?;
    let data = value
        .get("data")
        .ok_or_else(|| GraphError::malformed(status, "debug_token sent no data"))?;
    Ok(token_facts(data))
}

/// `debug_token`'s `data`, read field by field (a missing field is unknown).
fn token_facts(data: &Value) -> TokenFacts {
    let time = |key: &str| {
        data.get(key)
            .and_then(Value::as_i64)
            .filter(|t| *t > 0)
            .and_then(|t| DateTime::from_timestamp(t, 0))
    };
    let error = data.get("error").map(|e| {
        (
            e.get("code").and_then(Value::as_i64).unwrap_or(190),
            e.get("subcode").and_then(Value::as_i64).filter(|s| *s != 0),
        )
    });
    TokenFacts {
        is_valid: data
            .get("is_valid")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        expires_at: time("expires_at"),
        data_access_expires_at: time("data_access_expires_at"),
        scopes: data
            .get("scopes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        user_id: data
            .get("user_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        error,
    }
}

/// The token endpoints' answers are small: a few hundred bytes.
const MAX_TOKEN_ANSWER: usize = 64 * 1024;

/// Sends and reads within `MAX_TOKEN_ANSWER`. The URL carries one-time
/// values (code, verifier, secret): transport errors never keep it, and no
/// redirect is followed (the shared client has them off).
async fn receive(
    request: reqwest::RequestBuilder,
    token: Option<&AccessToken>,
) -> Result<Received, GraphError> {
    let received = transport::receive(request, MAX_TOKEN_ANSWER, token).await?;
    if (300..400).contains(&received.status) {
        return Err(GraphError::refused(
            Some(received.status),
            "the token endpoint answered with a redirect, which Adkeep does not follow",
        ));
    }
    Ok(received)
}

/// Seconds from now, if they make a time (a hostile `expires_in` must not).
fn after_seconds(now: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
    Duration::try_seconds(seconds).and_then(|d| now.checked_add_signed(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::client::parse_base;

    fn endpoints() -> Endpoints {
        Endpoints {
            graph: parse_base("https://graph.facebook.com").unwrap(),
            facebook: parse_base("https://www.facebook.com").unwrap(),
            version: "v27.0".into(),
        }
    }

    fn request(response: ResponseKind, config: Option<&str>) -> LoginRequest {
        let e = endpoints();
        LoginRequest::new(
            &e,
            DialogOptions {
                app_id: "1234".into(),
                config_id: config.map(str::to_owned),
                response,
                redirect_uri: e.login_redirect().unwrap(),
            },
        )
        .unwrap()
    }

    fn param(url: &Url, key: &str) -> Option<String> {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn secrets_are_long_random_and_hidden() {
        let a = Secret::random();
        let b = Secret::random();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43, "32 bytes of entropy");
        assert!(
            a.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(format!("{a:?}"), "Secret([redacted])");
        assert!(a.matches(a.expose()));
        assert!(!a.matches(b.expose()));
        assert!(!a.matches(&a.expose()[..42]));
    }

    #[test]
    fn the_dialog_url_carries_everything_facebook_needs() {
        let r = request(ResponseKind::Code, None);
        assert!(
            r.url
                .as_str()
                .starts_with("https://www.facebook.com/v27.0/dialog/oauth?")
        );
        assert_eq!(param(&r.url, "client_id").as_deref(), Some("1234"));
        assert_eq!(
            param(&r.url, "redirect_uri").as_deref(),
            Some("https://www.facebook.com/connect/login_success.html")
        );
        assert_eq!(param(&r.url, "response_type").as_deref(), Some("code"));
        assert_eq!(param(&r.url, "scope").as_deref(), Some(SCOPES));
        assert_eq!(
            param(&r.url, "code_challenge_method").as_deref(),
            Some("S256")
        );
        assert_eq!(
            param(&r.url, "code_challenge"),
            Some(code_challenge(r.verifier().unwrap()))
        );
        assert_eq!(param(&r.url, "auth_type").as_deref(), Some("rerequest"));
        assert_eq!(param(&r.url, "state").map(|s| s.len()), Some(43));
        assert!(
            !r.url.as_str().contains(r.verifier().unwrap()),
            "the verifier never leaves"
        );

        let r = request(ResponseKind::Token, Some("987"));
        assert_eq!(param(&r.url, "config_id").as_deref(), Some("987"));
        assert_eq!(param(&r.url, "scope"), None);
        assert_eq!(param(&r.url, "code_challenge"), None);
        assert_eq!(
            param(&r.url, "response_type").as_deref(),
            Some("token,granted_scopes")
        );
    }

    fn state_of(r: &LoginRequest) -> String {
        param(&r.url, "state").unwrap()
    }

    #[test]
    fn reads_a_code_and_ignores_the_hash() {
        let r = request(ResponseKind::Code, None);
        let url = Url::parse(&format!(
            "https://www.facebook.com/connect/login_success.html?code=AQX&state={}#_=_",
            state_of(&r)
        ))
        .unwrap();
        assert!(matches!(r.read_redirect(&url), Ok(Callback::Code(c)) if c == "AQX"));
    }

    #[test]
    fn reads_a_token_from_the_fragment() {
        let r = request(ResponseKind::Token, None);
        let url = Url::parse(&format!(
            "https://www.facebook.com/connect/login_success.html#access_token=EAAtoken123456789&expires_in=5183944&data_access_expiration_time=1800000000&granted_scopes=ads_read,ads_management&denied_scopes=business_management&state={}",
            state_of(&r)
        ))
        .unwrap();
        match r.read_redirect(&url) {
            Ok(Callback::Token(grant)) => {
                assert_eq!(grant.token.expose(), "EAAtoken123456789");
                assert!(grant.expires_at.unwrap() > Utc::now() + Duration::days(59));
                assert_eq!(grant.declined, vec!["business_management"]);
                assert_eq!(grant.granted.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wrong_or_missing_state_is_refused_before_anything_else() {
        let r = request(ResponseKind::Code, None);
        let wrong =
            Url::parse("https://www.facebook.com/connect/login_success.html?code=AQX&state=forged")
                .unwrap();
        assert_eq!(
            r.read_redirect(&wrong).unwrap_err(),
            LoginError::StateMismatch
        );
        let missing =
            Url::parse("https://www.facebook.com/connect/login_success.html?code=AQX").unwrap();
        assert_eq!(
            r.read_redirect(&missing).unwrap_err(),
            LoginError::StateMismatch
        );
        // Even a "cancel" must carry our state to be believed.
        let cancel = Url::parse(
            "https://www.facebook.com/connect/login_success.html?error=access_denied&state=x",
        )
        .unwrap();
        assert_eq!(
            r.read_redirect(&cancel).unwrap_err(),
            LoginError::StateMismatch
        );
    }

    #[test]
    fn cancel_and_refusals_are_told_apart() {
        let r = request(ResponseKind::Code, None);
        let s = state_of(&r);
        let cancel = Url::parse(&format!(
            "https://www.facebook.com/connect/login_success.html?error=access_denied&error_code=200&error_description=Permissions+error.&error_reason=user_denied&state={s}#_=_"
        ))
        .unwrap();
        assert_eq!(r.read_redirect(&cancel).unwrap_err(), LoginError::Cancelled);
        let refused = Url::parse(&format!(
            "https://www.facebook.com/connect/login_success.html?error=server_error&error_description=Oops&state={s}"
        ))
        .unwrap();
        assert_eq!(
            r.read_redirect(&refused).unwrap_err(),
            LoginError::Refused("Oops".into())
        );
    }

    #[test]
    fn only_the_redirect_address_is_intercepted() {
        let r = request(ResponseKind::Code, None);
        assert!(r.is_redirect(
            &Url::parse("https://www.facebook.com/connect/login_success.html?x=1#y").unwrap()
        ));
        assert!(!r.is_redirect(
            &Url::parse("https://www.facebook.com/connect/login_success.html.evil.com/").unwrap()
        ));
        assert!(
            !r.is_redirect(&Url::parse("https://evil.example/connect/login_success.html").unwrap())
        );
        assert!(!r.is_redirect(
            &Url::parse("http://www.facebook.com/connect/login_success.html").unwrap()
        ));
        assert!(!r.is_redirect(&Url::parse("https://www.facebook.com/login.php").unwrap()));
    }
}
