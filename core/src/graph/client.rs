//! One small client for Graph: injected base URLs and version, the token sent
//! as a bearer header (never in a URL we log), and one place that turns HTTP
//! into `Reply` or `GraphError`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::error::GraphError;
use super::usage::Usage;
use crate::token::AccessToken;

pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_FACEBOOK_URL: &str = "https://www.facebook.com";
pub const DEFAULT_API_VERSION: &str = "v27.0";

/// Where Graph and the Facebook website are, and which API version to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub graph: Url,
    pub facebook: Url,
    pub version: String,
}

impl Default for Endpoints {
    /// Meta's production servers.
    #[allow(clippy::expect_used)] // constant URLs, checked by a test
    fn default() -> Self {
        Self {
            graph: parse_base(DEFAULT_GRAPH_URL).expect("constant URL"),
            facebook: parse_base(DEFAULT_FACEBOOK_URL).expect("constant URL"),
            version: DEFAULT_API_VERSION.to_owned(),
        }
    }
}

/// Parses a base URL and makes sure it ends with `/` so `join` appends.
pub fn parse_base(raw: &str) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(raw.trim())?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// `v27.0`, `v26.0`, …
pub fn is_valid_version(version: &str) -> bool {
    let Some(rest) = version.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(major), Some(minor), None)
            if !major.is_empty() && !minor.is_empty()
                && major.chars().all(|c| c.is_ascii_digit())
                && minor.chars().all(|c| c.is_ascii_digit())
    )
}

impl Endpoints {
    /// Graph and the Facebook website on one host (the Graph double), at
    /// the default API version.
    pub fn one_host(base: &str) -> Result<Self, url::ParseError> {
        let url = parse_base(base)?;
        Ok(Self {
            graph: url.clone(),
            facebook: url,
            version: DEFAULT_API_VERSION.to_owned(),
        })
    }

    /// `{graph}/{version}/{path}`
    pub fn graph_url(&self, path: &str) -> Result<Url, url::ParseError> {
        self.graph.join(&format!(
            "{}/{}",
            self.version,
            path.trim_start_matches('/')
        ))
    }

    /// `{facebook}/{version}/{path}`
    pub fn facebook_versioned(&self, path: &str) -> Result<Url, url::ParseError> {
        self.facebook.join(&format!(
            "{}/{}",
            self.version,
            path.trim_start_matches('/')
        ))
    }

    /// The redirect target of the login dialog: `{facebook}/connect/login_success.html`.
    pub fn login_redirect(&self) -> Result<Url, url::ParseError> {
        self.facebook.join("connect/login_success.html")
    }
}

/// A successful Graph response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub usage: Usage,
}

/// One page of an edge: its items and the URL of the next page, if any.
#[derive(Debug, Clone)]
pub struct Page {
    pub data: Vec<Value>,
    pub next: Option<String>,
}

impl Page {
    /// Reads `{data: [...], paging: {next}}`. A missing `data` array is malformed.
    pub fn parse(reply: &Reply) -> Result<Self, GraphError> {
        Self::from_value(&reply.body).ok_or_else(|| {
            GraphError::malformed(reply.status, "the list response had no data array")
        })
    }

    pub fn from_value(body: &Value) -> Option<Self> {
        let data = body.get("data")?.as_array()?.clone();
        let next = body
            .get("paging")
            .and_then(|p| p.get("next"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Some(Self { data, next })
    }
}

/// One request inside a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    /// Path and query without the version, e.g. `act_1/insights?fields=spend`.
    pub relative_url: String,
}

/// What came back for one batch item.
#[derive(Debug, Clone)]
pub enum BatchOutcome {
    Ok(Reply),
    Failed(GraphError),
    /// `null`: Meta did not run it (batch timeout or dependency); retry it.
    NotExecuted,
}

/// The most items Meta accepts in one batch.
pub const MAX_BATCH: usize = 50;

#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    endpoints: Arc<Endpoints>,
    token: AccessToken,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

/// The HTTP client every Graph call shares (connection pooling, timeouts, no
/// redirects: a redirect would carry the bearer token to another host).
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("Adkeep/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(16)
        .build()
}

impl GraphClient {
    pub fn new(http: reqwest::Client, endpoints: Arc<Endpoints>, token: AccessToken) -> Self {
        Self {
            http,
            endpoints,
            token,
        }
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// `GET {graph}/{version}/{path}?{query}`
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Reply, GraphError> {
        let mut url = self
            .endpoints
            .graph_url(path)
            .map_err(|e| GraphError::malformed(0, format!("bad request path: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        self.send(self.http.get(url)).await
    }

    /// Follows a `paging.next` URL. Only its path and query are used, re-anchored
    /// on our Graph base, so a next URL can never send the token elsewhere; an
    /// `access_token` in it is dropped (the header carries ours). `limit`
    /// replaces the page size when given.
    pub async fn get_next(&self, next: &str, limit: Option<usize>) -> Result<Reply, GraphError> {
        let url = self.rebase_next(next, limit)?;
        self.send(self.http.get(url)).await
    }

    pub fn rebase_next(&self, next: &str, limit: Option<usize>) -> Result<Url, GraphError> {
        let parsed = Url::parse(next)
            .or_else(|_| self.endpoints.graph.join(next))
            .map_err(|_| GraphError::malformed(200, "the next-page link was not a URL"))?;
        let mut url = self
            .endpoints
            .graph
            .join(parsed.path().trim_start_matches('/'))
            .map_err(|_| GraphError::malformed(200, "the next-page link was not a URL"))?;
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .filter(|(k, _)| k != "access_token")
            .map(|(k, v)| {
                if let (true, Some(limit)) = (k == "limit", limit) {
                    return (k.into_owned(), limit.to_string());
                }
                (k.into_owned(), v.into_owned())
            })
            .collect();
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        Ok(url)
    }

    /// `POST {graph}/{version}/` with up to 50 requests.
    pub async fn batch(&self, items: &[BatchItem]) -> Result<Vec<BatchOutcome>, GraphError> {
        let requests: Vec<Value> = items
            .iter()
            .map(|item| serde_json::json!({"method": "GET", "relative_url": item.relative_url}))
            .collect();
        let url = self
            .endpoints
            .graph_url("")
            .map_err(|e| GraphError::malformed(0, format!("bad batch URL: {e}")))?;
        let form = [
            ("access_token", self.token.expose().to_owned()),
            ("include_headers", "true".to_owned()),
            ("batch", Value::Array(requests).to_string()),
        ];
        let reply = self.send(self.http.post(url).form(&form)).await?;
        parse_batch(&reply, items.len())
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Reply, GraphError> {
        let response = request
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let usage = Usage::from_headers(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e))?;
        if !(200..300).contains(&status) {
            return Err(GraphError::from_response(status, &body, usage).scrubbed(Some(&self.token)));
        }
        let value: Value = match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(e) => {
                let mut error =
                    GraphError::malformed(status, format!("the response could not be read ({e})"));
                error.usage = usage;
                return Err(error);
            }
        };
        if let Some(mut error) = GraphError::from_error_value(status, &value) {
            error.usage = usage;
            return Err(error.scrubbed(Some(&self.token)));
        }
        Ok(Reply {
            status,
            body: value,
            usage,
        })
    }

    fn transport_error(&self, error: reqwest::Error) -> GraphError {
        let error = error.without_url();
        let text = self.token.scrub(&error_chain(&error));
        if error.is_timeout() {
            GraphError::timeout(text)
        } else if error.is_connect() {
            GraphError::offline(text)
        } else {
            // Resets and bodies cut short mid-transfer: passing, retry.
            GraphError::timeout(text)
        }
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

fn parse_batch(reply: &Reply, expected: usize) -> Result<Vec<BatchOutcome>, GraphError> {
    let items = reply
        .body
        .as_array()
        .ok_or_else(|| GraphError::malformed(reply.status, "the batch response was not a list"))?;
    let mut outcomes: Vec<BatchOutcome> = items.iter().map(parse_batch_item).collect();
    // A short answer means the rest did not run.
    outcomes.resize_with(expected.max(outcomes.len()), || BatchOutcome::NotExecuted);
    outcomes.truncate(expected);
    Ok(outcomes)
}

fn parse_batch_item(item: &Value) -> BatchOutcome {
    if item.is_null() {
        return BatchOutcome::NotExecuted;
    }
    let status = item
        .get("code")
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .unwrap_or(0);
    let usage = item
        .get("headers")
        .map(Usage::from_batch_headers)
        .unwrap_or_default();
    let raw = item.get("body").and_then(Value::as_str).unwrap_or_default();
    let body: Result<Value, _> = serde_json::from_str(raw);
    match body {
        Ok(body) => {
            if let Some(mut error) = GraphError::from_error_value(status, &body) {
                error.usage = usage;
                BatchOutcome::Failed(error)
            } else if (200..300).contains(&status) {
                BatchOutcome::Ok(Reply {
                    status,
                    body,
                    usage,
                })
            } else {
                BatchOutcome::Failed(GraphError::from_response(status, raw.as_bytes(), usage))
            }
        }
        Err(_) if (200..300).contains(&status) => {
            let mut error = GraphError::malformed(status, "a batch item's body could not be read");
            error.usage = usage;
            BatchOutcome::Failed(error)
        }
        Err(_) => BatchOutcome::Failed(GraphError::from_response(status, raw.as_bytes(), usage)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> GraphClient {
        let endpoints = Endpoints {
            graph: parse_base("http://127.0.0.1:9/graph").unwrap(),
            facebook: parse_base("http://127.0.0.1:9").unwrap(),
            version: "v27.0".into(),
        };
        GraphClient::new(
            http_client().unwrap(),
            Arc::new(endpoints),
            AccessToken::new("tok-123456789").unwrap(),
        )
    }

    #[test]
    fn defaults_are_metas_servers() {
        let e = Endpoints::default();
        assert_eq!(
            e.graph_url("me").unwrap().as_str(),
            "https://graph.facebook.com/v27.0/me"
        );
        assert_eq!(
            e.login_redirect().unwrap().as_str(),
            "https://www.facebook.com/connect/login_success.html"
        );
    }

    #[test]
    fn one_host_serves_graph_and_the_website() {
        let e = Endpoints::one_host("http://127.0.0.1:4100").unwrap();
        assert_eq!(
            e.graph_url("me").unwrap().as_str(),
            "http://127.0.0.1:4100/v27.0/me"
        );
        assert_eq!(
            e.facebook_versioned("dialog/oauth").unwrap().as_str(),
            "http://127.0.0.1:4100/v27.0/dialog/oauth"
        );
    }

    #[test]
    fn urls_carry_the_version() {
        let c = client();
        assert_eq!(
            c.endpoints().graph_url("me/adaccounts").unwrap().as_str(),
            "http://127.0.0.1:9/graph/v27.0/me/adaccounts"
        );
        assert_eq!(
            c.endpoints().login_redirect().unwrap().as_str(),
            "http://127.0.0.1:9/connect/login_success.html"
        );
    }

    #[test]
    fn versions_are_validated() {
        assert!(is_valid_version("v27.0"));
        assert!(is_valid_version("v3.3"));
        assert!(!is_valid_version("27.0"));
        assert!(!is_valid_version("v27"));
        assert!(!is_valid_version("v27.0/../x"));
    }

    #[test]
    fn next_links_are_rebased_and_lose_the_token() {
        let c = client();
        let url = c
            .rebase_next(
                "https://graph.facebook.com/v27.0/me/adaccounts?access_token=SECRET&fields=id&limit=100&after=QVFI",
                Some(50),
            )
            .unwrap();
        assert_eq!(url.host_str(), Some("127.0.0.1"));
        assert!(!url.as_str().contains("SECRET"), "{url}");
        assert!(url.as_str().contains("limit=50"), "{url}");
        assert!(url.as_str().contains("after=QVFI"), "{url}");
        assert!(
            url.path().starts_with("/graph/v27.0/me/adaccounts"),
            "{url}"
        );
    }

    #[test]
    fn pages_without_next_end_and_pages_with_next_go_on() {
        let page =
            Page::from_value(&serde_json::json!({"data": [], "paging": {"next": "x"}})).unwrap();
        assert!(page.data.is_empty());
        assert_eq!(page.next.as_deref(), Some("x"));
        let page = Page::from_value(
            &serde_json::json!({"data": [{"id": "1"}], "paging": {"cursors": {}}}),
        )
        .unwrap();
        assert!(page.next.is_none());
        assert!(Page::from_value(&serde_json::json!({"paging": {}})).is_none());
    }

    #[test]
    fn batch_items_parse_twice_and_null_means_not_executed() {
        let reply = Reply {
            status: 200,
            usage: Usage::default(),
            body: serde_json::json!([
                {"code": 200, "headers": [{"name": "X-App-Usage", "value": "{\"call_count\":5}"}], "body": "{\"id\":\"act_1\"}"},
                {"code": 403, "body": "{\"error\":{\"type\":\"OAuthException\",\"message\":\"(#200) x\",\"code\":200}}"},
                null,
                {"code": 200, "body": "{\"id\":"}
            ]),
        };
        let out = parse_batch(&reply, 5).unwrap();
        assert!(
            matches!(&out[0], BatchOutcome::Ok(r) if r.body["id"] == "act_1" && r.usage.max_pct() == 5.0)
        );
        assert!(
            matches!(&out[1], BatchOutcome::Failed(e) if e.code == Some(200) && e.http_status == Some(403))
        );
        assert!(matches!(out[2], BatchOutcome::NotExecuted));
        assert!(
            matches!(&out[3], BatchOutcome::Failed(e) if e.kind == crate::graph::FailureKind::Malformed)
        );
        assert!(
            matches!(out[4], BatchOutcome::NotExecuted),
            "missing items did not run"
        );
    }
}
