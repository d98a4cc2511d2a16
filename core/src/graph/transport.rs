//! The HTTP layer every call to Meta shares: one client (pooled connections,
//! timeouts, redirects off), bodies read with a hard limit on their
//! decompressed size, and transport failures turned into `GraphError`s
//! without URLs (which may carry one-time codes) and without the token.

use std::time::Duration;

use super::error::GraphError;
use super::usage::Usage;
use crate::token::AccessToken;

/// The most Adkeep reads of any one response, after decompression. A page
/// of 100 accounts with their datasets is well under 1 MiB; 32 MiB leaves
/// room for the largest honest answer and stops a gzip bomb or an endless
/// body long before memory suffers.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The HTTP client every Graph call shares (connection pooling, timeouts, no
/// redirects: a redirect would carry the bearer token to another host).
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("Adkeep/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        // Connection to last byte: a server that trickles a byte now and
        // then is cut off here; one silent for 15 s, sooner.
        .timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(16)
        .build()
}

/// A successful answer, decoded.
#[derive(Debug, Clone)]
pub struct Reply<T> {
    pub status: u16,
    pub body: T,
    pub usage: Usage,
}

/// Why a body could not be read, without quoting it (serde's own messages
/// repeat the offending value, which may be anything).
pub fn unreadable(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Io => "it could not be read",
        Category::Syntax => "it is not valid JSON",
        Category::Data => "it does not have the expected shape",
        Category::Eof => "it ends too early",
    };
    format!(
        "the response could not be used: {what} (line {}, column {})",
        error.line(),
        error.column()
    )
}

/// A response's status, usage headers and body (at most `limit` bytes).
pub struct Received {
    pub status: u16,
    pub usage: super::usage::Usage,
    /// Where a redirect pointed (only its origin is ever shown).
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// Sends a request and reads the whole answer within `limit` bytes.
pub async fn receive(
    request: reqwest::RequestBuilder,
    limit: usize,
    token: Option<&AccessToken>,
) -> Result<Received, GraphError> {
    let mut response = request
        .send()
        .await
        .map_err(|e| transport_error(e, token))?;
    let status = response.status().as_u16();
    let usage = super::usage::Usage::from_headers(response.headers());
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large(status, limit, usage));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(e, token))?
    {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(too_large(status, limit, usage));
        }
        body.extend_from_slice(&chunk);
    }
    // One bad string costs its own letters, never the page (see `lossy`).
    let body = match super::lossy::repaired(&body) {
        std::borrow::Cow::Borrowed(_) => body,
        std::borrow::Cow::Owned(fixed) => fixed,
    };
    Ok(Received {
        status,
        usage,
        location,
        body,
    })
}

fn too_large(status: u16, limit: usize, usage: super::usage::Usage) -> GraphError {
    let mut error = GraphError::too_large(
        status,
        format!(
            "the answer was larger than the {} MiB Adkeep reads",
            limit / (1024 * 1024)
        ),
    );
    error.usage = usage;
    error
}

/// A transport failure, classified by what the connection did.
pub fn transport_error(error: reqwest::Error, token: Option<&AccessToken>) -> GraphError {
    let error = error.without_url();
    let mut text = error_chain(&error);
    if let Some(token) = token {
        text = token.scrub(&text);
    }
    let text = crate::token::scrub_token_like(&text);
    if error.is_connect() && !error.is_timeout() {
        GraphError::offline(text)
    } else {
        // Timeouts, resets, bodies cut short or not decompressible: passing.
        GraphError::timeout(text)
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    let mut depth = 0;
    while let Some(inner) = source {
        depth += 1;
        if depth > 8 {
            break;
        }
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
