//! The Graph client: typed reads (`calls`), checked next-page links, batch,
//! and the one place that turns HTTP into a `Reply<T>` or a `GraphError`.
//! Every error that leaves here is already scrubbed of the token; every body
//! was read within `transport::MAX_BODY_BYTES`.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::batch::{self, BatchOutcome};
use super::call::Call;
use super::error::GraphError;
use super::links;
use super::transport::{self, MAX_BODY_BYTES, Received};
use crate::token::AccessToken;

pub use super::endpoints::{
    DEFAULT_API_VERSION, DEFAULT_FACEBOOK_URL, DEFAULT_GRAPH_URL, Endpoints, is_valid_version,
    parse_base,
};
pub use super::transport::{Reply, http_client, unreadable};

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

    /// `{graph}/{version}/{path}?{query}` for a call.
    pub fn url_of<T>(&self, call: &Call<T>) -> Result<Url, GraphError> {
        let mut url = self
            .endpoints
            .graph_url(call.path())
            .map_err(|e| GraphError::malformed(0, format!("bad request path: {e}")))?;
        if !call.query().is_empty() {
            url.query_pairs_mut()
                .extend_pairs(call.query().iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// A `paging.next` link, if it leads back to the configured Graph server
    /// (see `links`); otherwise a `Refused` error naming where it led.
    pub fn next_url(&self, raw: &str) -> Result<Url, GraphError> {
        links::checked_next(&self.endpoints.graph, raw)
            .map_err(|refused| self.scrub(GraphError::refused(Some(200), refused.0)))
    }

    /// Performs a call.
    pub async fn get<T: DeserializeOwned>(&self, call: &Call<T>) -> Result<Reply<T>, GraphError> {
        self.get_url(self.url_of(call)?).await
    }

    /// GETs a URL built by `url_of` or `next_url` (and nothing else).
    pub async fn get_url<T: DeserializeOwned>(&self, url: Url) -> Result<Reply<T>, GraphError> {
        let received = self.fetch(self.http.get(url)).await?;
        decode(received)
    }

    /// `POST {graph}/{version}/` with up to 50 relative URLs.
    pub async fn batch(&self, relative_urls: &[String]) -> Result<Vec<BatchOutcome>, GraphError> {
        let url = self
            .endpoints
            .graph_url("")
            .map_err(|e| GraphError::malformed(0, format!("bad batch URL: {e}")))?;
        let form = [
            ("access_token", self.token.expose().to_owned()),
            ("include_headers", "true".to_owned()),
            ("batch", batch::request_body(relative_urls)),
        ];
        let received = self.fetch(self.http.post(url).form(&form)).await?;
        let outcomes = batch::parse(&received, relative_urls.len())?;
        Ok(outcomes
            .into_iter()
            .map(|outcome| match outcome {
                BatchOutcome::Failed(error) => BatchOutcome::Failed(self.scrub(error)),
                other => other,
            })
            .collect())
    }

    /// Sends with our bearer token and reads the answer; any failure (a
    /// status outside 2xx, a redirect, an error object) becomes a scrubbed
    /// `GraphError`.
    async fn fetch(&self, request: reqwest::RequestBuilder) -> Result<Received, GraphError> {
        let request = request.bearer_auth(self.token.expose());
        let received = transport::receive(request, MAX_BODY_BYTES, Some(&self.token))
            .await
            .map_err(|e| self.scrub(e))?;
        let status = received.status;
        if (300..400).contains(&status) {
            let mut error = GraphError::refused(Some(status), redirect_text(&received));
            error.usage = received.usage;
            return Err(self.scrub(error));
        }
        if !(200..300).contains(&status) {
            let error = GraphError::from_response(status, &received.body, received.usage);
            return Err(self.scrub(error));
        }
        if let Some(mut error) = error_object(status, &received.body) {
            error.usage = received.usage;
            return Err(self.scrub(error));
        }
        Ok(received)
    }

    fn scrub(&self, error: GraphError) -> GraphError {
        error.scrubbed(Some(&self.token))
    }
}

/// A 2xx answer can still be `{"error": …}`. Only the `error` key is looked
/// at, so this reads the body without building it in memory.
fn error_object(status: u16, body: &[u8]) -> Option<GraphError> {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        error: Option<Value>,
    }
    // Only an object can be an error (serde would read a list positionally).
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    let error = envelope.error?;
    GraphError::from_error_value(status, &serde_json::json!({ "error": error }))
}

fn decode<T: DeserializeOwned>(received: Received) -> Result<Reply<T>, GraphError> {
    match serde_json::from_slice::<T>(&received.body) {
        Ok(body) => Ok(Reply {
            status: received.status,
            body,
            usage: received.usage,
        }),
        Err(e) => {
            let mut error = GraphError::malformed(received.status, unreadable(&e));
            error.usage = received.usage;
            Err(error)
        }
    }
}

fn redirect_text(received: &Received) -> String {
    let target = received
        .location
        .as_deref()
        .and_then(|l| Url::parse(l).ok())
        .map(|u| links::printable_origin(&u))
        .unwrap_or_else(|| "another address".to_owned());
    format!(
        "the answer was a redirect (HTTP {}) to {target}; Adkeep does not follow redirects with your login",
        received.status
    )
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
    fn calls_carry_the_version_and_their_query() {
        let c = client();
        let url = c
            .url_of(&Call::<serde_json::Value>::new(
                "me",
                vec![("fields", "id,name".to_owned())],
            ))
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/graph/v27.0/me?fields=id%2Cname"
        );
    }

    #[test]
    fn next_links_elsewhere_are_refused_without_the_token() {
        let c = client();
        let err = c
            .next_url(
                "http://127.0.0.1:9/graph/http://other.host/v27.0/me?access_token=tok-123456789",
            )
            .unwrap_err();
        assert_eq!(err.kind, super::super::FailureKind::Refused);
        assert!(!err.message.contains("tok-123456789"));
        let ok = c
            .next_url("http://127.0.0.1:9/graph/v27.0/me/adaccounts?access_token=SECRET&after=Q")
            .unwrap();
        assert!(!ok.as_str().contains("SECRET"));
    }

    #[test]
    fn error_objects_in_a_success_are_errors() {
        let e = error_object(
            200,
            br#"{"error":{"code":190,"error_subcode":463,"message":"x"}}"#,
        )
        .unwrap();
        assert_eq!((e.code, e.subcode), (Some(190), Some(463)));
        assert!(error_object(200, br#"{"data":[]}"#).is_none());
        assert!(
            error_object(200, br#"[{"code":200,"body":"{}"}]"#).is_none(),
            "a batch answer"
        );
        assert!(error_object(200, b"not json").is_none());
    }

    #[test]
    fn unreadable_bodies_are_described_without_their_content() {
        let e = serde_json::from_str::<Vec<u8>>(r#"["EAAsecretsecretsecretsecret"]"#).unwrap_err();
        let text = unreadable(&e);
        assert!(!text.contains("EAA"), "{text}");
    }
}
