//! The twists: each one answer that an honest Graph never sends, shaped
//! after what the reference says Meta does send.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Proxy, Seen, Upstream};

/// Which requests a twist applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    AdAccounts,
    Permissions,
    Businesses,
    Batch,
}

impl Route {
    pub(super) fn matches(self, seen: &Seen) -> bool {
        let path = seen.path().trim_end_matches('/');
        match self {
            Self::AdAccounts => seen.method == Method::GET && path.ends_with("/me/adaccounts"),
            Self::Permissions => seen.method == Method::GET && path.ends_with("/me/permissions"),
            Self::Businesses => seen.method == Method::GET && path.ends_with("/me/businesses"),
            Self::Batch => {
                seen.method == Method::POST && path.trim_start_matches('/').split('/').count() <= 1
            }
        }
    }
}

/// Listings whose `paging.next` a twist replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    AdAccounts,
    Permissions,
    Businesses,
    /// A business's nested owned/client ad accounts edge.
    BusinessEdge,
    /// An account's nested datasets edge.
    Datasets,
}

/// How a next link to the recorder is disguised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkShape {
    /// `http://recorder/v27.0/…`
    Plain,
    /// `http://proxy/http://recorder/v27.0/…` (a path that is itself a URL).
    PathHoldsUrl,
    /// `http:recorder/v27.0/…` (a scheme without slashes).
    SchemeInPath,
    /// `//recorder/v27.0/…`
    ProtocolRelative,
    /// `http://proxy@recorder/v27.0/…` (the proxy as user info).
    Userinfo,
    /// `http://proxy\@recorder/v27.0/…`
    Backslash,
    /// `http://proxy/v27.0/%2F%2Frecorder/…`
    EncodedSlashes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Twist {
    NextLink {
        listing: Listing,
        shape: LinkShape,
    },
    /// The listing's next link is the page just served.
    SelfLoop(Listing),
    /// Empty pages, each with a new cursor, forever.
    EndlessEmptyPages,
    /// One-account pages, each with a new cursor, forever.
    EndlessPages,
    /// A redirect to the recorder instead of the answer.
    Redirect(Route),
    /// A 1 MB gzip body that inflates to 1 GB.
    GzipBomb,
    /// A 300 MB body, streamed.
    HugeBody,
    /// A `Content-Length` of 10 GB on a short body.
    LyingLength,
    /// JSON nested 100,000 lists deep.
    DeepNesting,
    /// Bytes that are not UTF-8 where JSON allows no text (outside any
    /// string): no repair makes it readable.
    NonUtf8,
    /// The answer cut in half.
    Truncated,
    /// `Content-Encoding: gzip` on a body that is not.
    InvalidGzip,
    /// A 200 with nothing in it.
    EmptyBody,
    /// A 502 HTML page.
    HtmlError,
    /// Fields of the wrong type, and an item that is not an object.
    WrongTypes,
    /// Nulls where values belong.
    Nulls,
    /// Every page repeats the first page's accounts.
    DuplicateAccounts,
    /// An error whose texts quote the bearer token.
    EchoToken,
    /// Batch items whose error texts quote the token.
    EchoTokenInBatch,
    /// Usage headers with 1e300 minutes, NaN, negatives and infinities.
    AbsurdUsage,
    /// A rate-limit error whose wait hint is 1e300 minutes.
    AbsurdRateLimit,
    /// Amounts beyond what any decimal holds, and today's spend near the maximum twice.
    OverflowingMoney,
    /// Last-30-days spend rows near the maximum twice, inside the batch.
    OverflowingSpendInBatch,
    /// Account names with terminal escapes and direction overrides.
    TerminalEscapes,
    /// Account names holding lone UTF-16 surrogate escapes (`"\ud83d"`: a
    /// string cut in the middle of an emoji), which no JSON parser takes.
    LoneSurrogates,
    /// Account names holding bytes that are not UTF-8, on every page.
    InvalidUtf8Names,
    /// A batch answer that is not a list.
    BatchNotAList,
    /// A batch answer with 200 more items than asked.
    BatchExtraItems,
}

/// What a twist remembers between answers.
#[derive(Debug, Clone, Default)]
pub struct Memory(Arc<Mutex<Remembered>>);

#[derive(Debug, Default)]
struct Remembered {
    served: u64,
    first_items: Option<Vec<Value>>,
}

impl Memory {
    fn with<R>(&self, f: impl FnOnce(&mut Remembered) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

pub(super) struct Ctx<'a> {
    /// `http://127.0.0.1:PROXYPORT`
    pub origin: &'a str,
    /// `http://127.0.0.1:RECORDERPORT`
    pub recorder: &'a str,
    pub seen: &'a Seen,
}

impl Ctx<'_> {
    fn recorder_authority(&self) -> &str {
        self.recorder.trim_start_matches("http://")
    }

    fn proxy_authority(&self) -> &str {
        self.origin.trim_start_matches("http://")
    }

    /// A next link of `shape` to the recorder.
    fn link(&self, shape: LinkShape) -> String {
        let path = format!("{}?after=hostile", self.seen.path());
        let (proxy, recorder) = (self.proxy_authority(), self.recorder_authority());
        match shape {
            LinkShape::Plain => format!("http://{recorder}{path}"),
            LinkShape::PathHoldsUrl => format!("http://{proxy}/http://{recorder}{path}"),
            LinkShape::SchemeInPath => format!("http:{recorder}{path}"),
            LinkShape::ProtocolRelative => format!("//{recorder}{path}"),
            LinkShape::Userinfo => format!("http://{proxy}@{recorder}{path}"),
            LinkShape::Backslash => format!("http://{proxy}\\@{recorder}{path}"),
            LinkShape::EncodedSlashes => {
                format!("http://{proxy}/v27.0/%2F%2F{recorder}/me/adaccounts?after=x")
            }
        }
    }

    /// The request's own URL, as a next link.
    fn same_page(&self) -> String {
        format!("{}{}", self.origin, self.seen.target)
    }
}

impl Twist {
    pub(super) fn route(&self) -> Route {
        match self {
            Self::NextLink { listing, .. } | Self::SelfLoop(listing) => match listing {
                Listing::AdAccounts | Listing::Datasets => Route::AdAccounts,
                Listing::Permissions => Route::Permissions,
                Listing::Businesses | Listing::BusinessEdge => Route::Businesses,
            },
            Self::Redirect(route) => *route,
            Self::EchoTokenInBatch
            | Self::OverflowingSpendInBatch
            | Self::BatchNotAList
            | Self::BatchExtraItems => Route::Batch,
            _ => Route::AdAccounts,
        }
    }

    pub(super) async fn answer(&self, ctx: &Ctx<'_>, memory: Memory, proxy: &Proxy) -> Response {
        if let Some(response) = self.synthesized(ctx, &memory) {
            return response;
        }
        let upstream = proxy.upstream(ctx.seen, ctx.origin).await;
        self.reshaped(ctx, &memory, upstream)
    }

    /// Twists that answer without asking the double.
    fn synthesized(&self, ctx: &Ctx<'_>, memory: &Memory) -> Option<Response> {
        let response = match self {
            Self::Redirect(_) => {
                let location = format!("{}{}", ctx.recorder, ctx.seen.target);
                let status = if ctx.seen.method == Method::POST {
                    StatusCode::TEMPORARY_REDIRECT
                } else {
                    StatusCode::FOUND
                };
                (status, [(header::LOCATION, location)]).into_response()
            }
            Self::EndlessEmptyPages => {
                let n = memory.with(|m| {
                    m.served += 1;
                    m.served
                });
                let next = format!("{}{}?after=empty{n}", ctx.origin, ctx.seen.path());
                json_response(
                    200,
                    &json!({"data": [], "paging": {"cursors": {"after": format!("empty{n}")}, "next": next}}),
                )
            }
            Self::GzipBomb => gzip_bomb(),
            Self::HugeBody => huge_body(),
            Self::LyingLength => {
                let mut response = (StatusCode::OK, r#"{"data":[]}"#).into_response();
                response.headers_mut().insert(
                    header::CONTENT_LENGTH,
                    HeaderValue::from_static("10000000000"),
                );
                response
            }
            Self::DeepNesting => {
                let depth = 100_000;
                let body = format!(r#"{{"data":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
                (StatusCode::OK, body).into_response()
            }
            Self::NonUtf8 => {
                let body = b"{\"data\":[\xff\xfe\xfd{\"id\":\"act_1\"}]}".to_vec();
                (StatusCode::OK, body).into_response()
            }
            Self::InvalidGzip => (
                StatusCode::OK,
                [(header::CONTENT_ENCODING, "gzip")],
                "this is not gzip at all",
            )
                .into_response(),
            Self::EmptyBody => StatusCode::OK.into_response(),
            Self::HtmlError => (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response(),
            Self::EchoToken => {
                let token = ctx.seen.token().unwrap_or_default();
                json_response(
                    400,
                    &json!({"error": {
                        "message": format!("Error validating access token {token} (access_token={token})"),
                        "type": "OAuthException", "code": 190, "error_subcode": 460,
                        "error_user_title": format!("Token {token}"),
                        "error_user_msg": format!("Your token {token} is no longer valid"),
                        "fbtrace_id": "Ahostile"
                    }}),
                )
            }
            Self::AbsurdRateLimit => {
                let mut response = json_response(
                    400,
                    &json!({"error": {
                        "message": "(#17) User request limit reached", "type": "OAuthException",
                        "code": 17, "error_subcode": 2446079, "fbtrace_id": "Ahostile"
                    }}),
                );
                add_absurd_usage(&mut response);
                response
            }
            Self::BatchNotAList => json_response(200, &json!({"batch": "not a list"})),
            _ => return None,
        };
        Some(response)
    }

    /// Twists that damage the double's real answer.
    fn reshaped(&self, ctx: &Ctx<'_>, memory: &Memory, upstream: Upstream) -> Response {
        match self {
            Self::Truncated => {
                let half = upstream.body.slice(..upstream.body.len() / 2);
                Upstream {
                    body: half,
                    ..upstream
                }
                .into_response()
            }
            Self::AbsurdUsage => {
                let mut response = upstream.into_response();
                add_absurd_usage(&mut response);
                response
            }
            Self::LoneSurrogates | Self::InvalidUtf8Names => {
                let mut body: Value = serde_json::from_slice(&upstream.body).unwrap_or(Value::Null);
                for (n, item) in accounts(&mut body).into_iter().take(2).enumerate() {
                    item["name"] = json!(format!("BROKEN-NAME-{n}"));
                }
                let text = serde_json::to_vec(&body).unwrap_or_default();
                let (first, second): (&[u8], &[u8]) = if *self == Self::LoneSurrogates {
                    (br"Shop \ud83d cut", br"\udc00 tail")
                } else {
                    (b"Caf\xe9 \xff", b"\xfe\xfd")
                };
                let text = replace_bytes(
                    &replace_bytes(&text, b"BROKEN-NAME-0", first),
                    b"BROKEN-NAME-1",
                    second,
                );
                let status = StatusCode::from_u16(upstream.status).unwrap_or(StatusCode::OK);
                let mut response = (status, text).into_response();
                for (name, value) in &upstream.headers {
                    if name.as_str().starts_with("x-") {
                        response.headers_mut().append(name, value.clone());
                    }
                }
                response
            }
            _ => {
                let status = upstream.status;
                let mut body: Value = serde_json::from_slice(&upstream.body).unwrap_or(Value::Null);
                self.edit(ctx, memory, &mut body);
                let mut response = json_response(status, &body);
                for (name, value) in &upstream.headers {
                    if name.as_str().starts_with("x-") {
                        response.headers_mut().append(name, value.clone());
                    }
                }
                response
            }
        }
    }

    /// Changes a JSON answer in place.
    fn edit(&self, ctx: &Ctx<'_>, memory: &Memory, body: &mut Value) {
        match self {
            Self::NextLink { listing, shape } => set_next(body, *listing, &ctx.link(*shape)),
            Self::SelfLoop(listing) => set_next(body, *listing, &ctx.same_page()),
            Self::EndlessPages => endless_page(ctx, memory, body),
            Self::WrongTypes => wrong_types(body),
            Self::Nulls => nulls(body),
            Self::DuplicateAccounts => duplicates(memory, body),
            Self::OverflowingMoney => overflowing_money(body),
            Self::TerminalEscapes => terminal_escapes(body),
            Self::EchoTokenInBatch => {
                let token = ctx.seen.token().unwrap_or_default();
                each_batch_item(body, |_| {
                    json!({"code": 400, "body": json!({"error": {
                        "message": format!("(#100) bad request for token {token}"),
                        "type": "OAuthException", "code": 100,
                        "error_user_title": token, "error_user_msg": format!("access_token={token}")
                    }}).to_string()})
                });
            }
            Self::OverflowingSpendInBatch => {
                let max = rust_decimal_max();
                each_batch_item(body, |item| {
                    let is_insights = item["body"]
                        .as_str()
                        .is_some_and(|b| b.starts_with("{\"data\"") && !b.contains("\"id\""));
                    if !is_insights {
                        return item.clone();
                    }
                    let rows = json!({"data": [{"spend": max}, {"spend": max}]});
                    json!({"code": 200, "body": rows.to_string()})
                });
            }
            Self::BatchExtraItems => {
                if let Some(items) = body.as_array_mut() {
                    items.extend(std::iter::repeat_n(Value::Null, 200));
                }
            }
            _ => {}
        }
    }
}

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (
        status,
        [(header::CONTENT_TYPE, "text/javascript; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

fn add_absurd_usage(response: &mut Response) {
    let headers = response.headers_mut();
    let pairs = [
        (
            "x-business-use-case-usage",
            r#"{"424242":[{"type":"ads_management","call_count":"NaN","total_cputime":-5,"total_time":"inf","estimated_time_to_regain_access":1e300}]}"#,
        ),
        (
            "x-app-usage",
            r#"{"call_count":"1e400","total_time":-1,"total_cputime":"NaN"}"#,
        ),
        (
            "x-ad-account-usage",
            r#"{"acc_id_util_pct":1e308,"reset_time_duration":1e308}"#,
        ),
    ];
    for (name, value) in pairs {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// The largest value Adkeep's decimals hold (rust_decimal's maximum).
fn rust_decimal_max() -> &'static str {
    "79228162514264337593543950335"
}

fn set_next(body: &mut Value, listing: Listing, next: &str) {
    let nested = match listing {
        Listing::BusinessEdge => Some("owned_ad_accounts"),
        Listing::Datasets => Some("adspixels"),
        _ => None,
    };
    match nested {
        None => body["paging"] = json!({"next": next}),
        Some(edge) => {
            for item in body["data"].as_array_mut().into_iter().flatten() {
                if item.get(edge).is_some_and(Value::is_object) {
                    // No cursor: the client can only follow the link, or not.
                    item[edge]["paging"] = json!({"next": next});
                }
            }
        }
    }
}

fn endless_page(ctx: &Ctx<'_>, memory: &Memory, body: &mut Value) {
    let (n, first) = memory.with(|m| {
        if m.first_items.is_none() {
            m.first_items = body["data"].as_array().cloned();
        }
        m.served += 1;
        let first = m
            .first_items
            .as_ref()
            .and_then(|items| items.first().cloned());
        (m.served, first)
    });
    let next = format!("{}{}?after=more{n}", ctx.origin, ctx.seen.path());
    *body = json!({
        "data": first.into_iter().collect::<Vec<_>>(),
        "paging": {"cursors": {"after": format!("more{n}")}, "next": next}
    });
}

fn accounts(body: &mut Value) -> Vec<&mut Value> {
    body["data"].as_array_mut().into_iter().flatten().collect()
}

fn wrong_types(body: &mut Value) {
    for (i, item) in accounts(body).into_iter().enumerate() {
        match i % 5 {
            0 => item["name"] = json!({"first": "not", "a": "string"}),
            1 => item["account_status"] = json!("garbage"),
            2 => item["amount_spent"] = json!({"value": 1}),
            3 => item["user_tasks"] = json!("MANAGE"),
            _ => item["business"] = json!(["not", "an", "object"]),
        }
    }
    if let Some(items) = body["data"].as_array_mut() {
        items.push(json!(42));
        items.push(json!("act_1"));
    }
}

fn nulls(body: &mut Value) {
    for item in accounts(body) {
        if let Some(object) = item.as_object_mut() {
            for (key, value) in object.iter_mut() {
                if key != "id" {
                    *value = Value::Null;
                }
            }
        }
    }
    if let Some(items) = body["data"].as_array_mut() {
        items.push(Value::Null);
    }
    if body.get("paging").is_some_and(|p| p.get("next").is_none()) {
        body["paging"] = json!({"cursors": null, "next": null});
    }
}

fn duplicates(memory: &Memory, body: &mut Value) {
    let first = memory.with(|m| {
        if m.first_items.is_none() {
            m.first_items = body["data"].as_array().cloned();
        }
        m.first_items.clone().unwrap_or_default()
    });
    if let Some(items) = body["data"].as_array_mut() {
        items.extend(first);
    }
}

fn overflowing_money(body: &mut Value) {
    let max = rust_decimal_max();
    for item in accounts(body) {
        item["amount_spent"] = json!("1".repeat(45));
        item["balance"] = json!("-99999999999999999999999999999999999999999");
        item["spend_cap"] = json!("1e400");
        item["insights"] = json!({"data": [{"spend": max}, {"spend": max}]});
    }
}

fn terminal_escapes(body: &mut Value) {
    for item in accounts(body) {
        let name = item["name"].as_str().unwrap_or("Account").to_owned();
        item["name"] = json!(format!(
            "\u{1b}[2J\u{1b}]0;pwned\u{7}{name}\r\u{1b}[1A\u{202e}txt.exe"
        ));
    }
}

/// `haystack` with every `needle` replaced by `with`, byte for byte.
fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

fn each_batch_item(body: &mut Value, f: impl Fn(&Value) -> Value) {
    for item in body.as_array_mut().into_iter().flatten() {
        if !item.is_null() {
            *item = f(item);
        }
    }
}

/// `{"data":[{"id":"act_1","name":"aaaa…(1 GB)"}]}`, gzipped once per
/// process (about 1 MB).
fn gzip_bomb() -> Response {
    static BOMB: OnceLock<Bytes> = OnceLock::new();
    let body = BOMB.get_or_init(|| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let chunk = vec![b'a'; 1 << 20];
        let _ = gz.write_all(br#"{"data":[{"id":"act_1","name":""#);
        for _ in 0..1024 {
            let _ = gz.write_all(&chunk);
        }
        let _ = gz.write_all(br#""}]}"#);
        Bytes::from(gz.finish().unwrap_or_default())
    });
    (
        StatusCode::OK,
        [
            (header::CONTENT_ENCODING, "gzip"),
            (header::CONTENT_TYPE, "text/javascript; charset=UTF-8"),
        ],
        body.clone(),
    )
        .into_response()
}

/// 300 MB of one page that never closes, streamed from one reused chunk.
fn huge_body() -> Response {
    let chunk = Bytes::from(r#"{"id":"act_1"},"#.repeat((1 << 20) / 15));
    let head = futures::stream::once(async {
        Ok::<_, std::io::Error>(Bytes::from_static(b"{\"data\":["))
    });
    let rest = futures::stream::iter((0..300).map(move |_| Ok(chunk.clone())));
    let body = Body::from_stream(futures::StreamExt::chain(head, rest));
    (StatusCode::OK, body).into_response()
}
