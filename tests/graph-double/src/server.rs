//! The HTTP side of the double: one dispatcher for Graph (any `vNN.0` prefix),
//! batch, and the Facebook login dialog; latency and faults are applied here.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::dialog::{self, DialogAnswer, DialogParams};
use crate::graph::{self, Call, Resp};
use crate::state::{FaultKind, Shared};

pub const DEFAULT_VERSION: &str = "v27.0";
pub const MAX_BATCH: usize = 50;

pub fn router(shared: Arc<Shared>) -> Router {
    #[cfg(feature = "test-kit")]
    let routes = crate::control::routes();
    #[cfg(not(feature = "test-kit"))]
    let routes = Router::new();
    routes.fallback(dispatch).with_state(shared)
}

/// `/v27.0/me` → (`v27.0`, `me`); `/me` → (default, `me`).
fn split_version(path: &str) -> (String, String) {
    let trimmed = path.trim_start_matches('/');
    let (first, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    if graph::version_number(first).is_some() && first.contains('.') {
        (first.to_owned(), rest.to_owned())
    } else {
        (DEFAULT_VERSION.to_owned(), trimmed.to_owned())
    }
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
}

fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Every request, timed (see `Stats::timeline`).
async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let place = shared.stats.arrived(|| traced_as(&method, &uri, &body));
    let response = answer(&shared, method, uri, headers, body).await;
    shared.stats.answered(place);
    response
}

/// A request as the trace names it: its path, or a batch with its item count.
fn traced_as(method: &Method, uri: &Uri, body: &Bytes) -> String {
    if *method == Method::POST && split_version(uri.path()).1.is_empty() {
        let items = query_pairs(std::str::from_utf8(body).ok())
            .into_iter()
            .find(|(k, _)| k == "batch")
            .and_then(|(_, v)| serde_json::from_str::<Vec<serde_json::Value>>(&v).ok())
            .unwrap_or_default();
        let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
        for item in &items {
            let url = item["relative_url"].as_str().unwrap_or_default();
            let kind = if url.contains("/insights") {
                "insights"
            } else if url.contains("funding_source_details") {
                "funding"
            } else if url.contains("/adspixels") {
                "datasets"
            } else if url.contains("/ads_volume") {
                "ad limit"
            } else if url.contains("/ads?") {
                "ads"
            } else {
                "other"
            };
            *kinds.entry(kind).or_default() += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        return format!("batch of {} ({})", items.len(), kinds.join(", "));
    }
    split_version(uri.path()).1
}

async fn answer(
    shared: &Arc<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.stats.http_requests.fetch_add(1, Ordering::Relaxed);
    let latency = shared.knobs().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let (version, rest) = split_version(uri.path());
    let origin = origin(&headers);

    if uri.path() == "/connect/login_success.html" {
        return html(
            200,
            "<!doctype html><title>Success</title><p>Success</p>".to_owned(),
            None,
        );
    }
    if let Some(step) = rest.strip_prefix("dialog/oauth") {
        let base = &uri.path()[..uri.path().len() - step.len()];
        return dialog_route(
            shared,
            base,
            &origin,
            &method,
            step,
            uri.query(),
            &headers,
            &body,
        );
    }

    let mut query = query_pairs(uri.query());
    let form = if method == Method::POST {
        query_pairs(std::str::from_utf8(&body).ok())
    } else {
        Vec::new()
    };
    let query_token = query
        .iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.clone());
    let form_token = form
        .iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.clone());
    let token_in_query = query_token.is_some();
    let token = bearer(&headers).or(query_token).or(form_token);
    query.retain(|(k, _)| k != "access_token");

    if method == Method::POST && rest.is_empty() {
        return batch(shared, &form, token, &origin, &version).await;
    }
    if method != Method::GET {
        let resp = Resp::error(
            400,
            100,
            None,
            "GraphMethodException",
            "Unsupported post request.",
        );
        return to_response(resp, &version);
    }

    let account = rest
        .split('/')
        .next()
        .and_then(|s| s.strip_prefix("act_"))
        .map(str::to_owned);
    let fault = shared.take_fault(uri.path(), account.as_deref(), false);
    if let Some(FaultKind::Delay { secs }) = &fault {
        tokio::time::sleep(Duration::from_secs_f64(*secs)).await;
    }
    if let Some(early) = early_fault(&fault, &version) {
        return early;
    }
    let call = Call {
        path: rest,
        query,
        token,
        token_in_query,
        origin,
        version: version.clone(),
    };
    let resp = graph::execute(shared, &call);
    late_fault(fault, to_response(resp, &version))
}

/// Faults that replace the answer.
fn early_fault(fault: &Option<FaultKind>, version: &str) -> Option<Response> {
    match fault {
        Some(FaultKind::Error {
            status,
            body,
            headers,
        }) => Some(to_response(
            Resp {
                status: *status,
                body: body.clone(),
                headers: headers.clone(),
            },
            version,
        )),
        Some(FaultKind::ServerError) => Some(html(
            502,
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>".to_owned(),
            None,
        )),
        _ => None,
    }
}

/// Faults that damage a real answer on its way out.
fn late_fault(fault: Option<FaultKind>, response: Response) -> Response {
    match fault {
        // A complete HTTP message whose JSON is cut in half.
        Some(FaultKind::Truncated) => {
            let (mut parts, body) = response.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            let half = futures::stream::once(async move {
                let bytes = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .unwrap_or_default();
                Ok::<_, std::io::Error>(bytes.slice(0..bytes.len() / 2))
            });
            Response::from_parts(parts, Body::from_stream(half))
        }
        // A little of the body, then the connection drops.
        Some(FaultKind::Reset) => {
            let (mut parts, _) = response.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            let broken = futures::stream::iter(vec![
                Ok(Bytes::from_static(b"{\"data\":[{\"id\":\"act_")),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "reset by the double",
                )),
            ]);
            Response::from_parts(parts, Body::from_stream(broken))
        }
        _ => response,
    }
}

fn to_response(resp: Resp, version: &str) -> Response {
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, resp.body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=UTF-8"),
    );
    if let Ok(v) = HeaderValue::from_str(version) {
        headers.insert("facebook-api-version", v);
    }
    if let Ok(v) = HeaderValue::from_str(&crate::trace_id()) {
        headers.insert("x-fb-trace-id", v);
    }
    for (name, value) in resp.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::try_from(name),
            HeaderValue::from_str(&value),
        ) {
            headers.append(name, value);
        }
    }
    response
}

fn html(status: u16, body: String, set_cookie: Option<String>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[allow(clippy::too_many_arguments)]
fn dialog_route(
    shared: &Shared,
    base: &str,
    origin: &str,
    method: &Method,
    step: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let pairs = if *method == Method::POST {
        query_pairs(std::str::from_utf8(body).ok())
    } else {
        query_pairs(query)
    };
    let mut params = DialogParams::from_pairs(&pairs);
    params.base = base.to_owned();
    let session = cookie(headers, "double_session");
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let answer = match (method.as_str(), step) {
        ("GET", "" | "/") => dialog::show(shared, origin, &params, session.as_deref()),
        ("GET", "/logout") => dialog::logout(shared, origin, &params, session.as_deref()),
        ("POST", "/login") => {
            dialog::login(shared, origin, &params, &field("email"), &field("pass"))
        }
        ("POST", "/confirm") => dialog::confirm(shared, origin, &params, session.as_deref()),
        ("POST", "/cancel") => dialog::cancel(shared, origin, &params),
        _ => {
            return html(404, "<p>Not found</p>".to_owned(), None);
        }
    };
    match answer {
        DialogAnswer::Page {
            status,
            html: page,
            set_cookie,
        } => html(status, page, set_cookie),
        DialogAnswer::Redirect {
            location,
            set_cookie,
        } => {
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
    }
}

async fn batch(
    shared: &Shared,
    form: &[(String, String)],
    token: Option<String>,
    origin: &str,
    version: &str,
) -> Response {
    shared.stats.batch_requests.fetch_add(1, Ordering::Relaxed);
    let field = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let fault = shared.take_fault("batch", None, false);
    if let Some(FaultKind::Delay { secs }) = &fault {
        tokio::time::sleep(Duration::from_secs_f64(*secs)).await;
    }
    if let Some(early) = early_fault(&fault, version) {
        return early;
    }
    let include_headers = field("include_headers") != Some("false");
    let Some(requests) = field("batch")
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|v| v.as_array().cloned())
    else {
        return to_response(
            Resp::error(
                400,
                100,
                None,
                "GraphBatchException",
                "The parameter batch is required and must be a JSON array",
            ),
            version,
        );
    };
    if requests.len() > MAX_BATCH {
        return to_response(
            Resp::error(
                400,
                1,
                None,
                "GraphBatchException",
                "Too many requests in batch message. Maximum batch size is 50",
            ),
            version,
        );
    }
    // An invalid top-level token fails the whole POST.
    if let Err(resp) = graph::check_token(shared, token.as_deref()) {
        return late_fault(fault, to_response(resp, version));
    }
    shared
        .stats
        .batch_items
        .fetch_add(requests.len() as u64, Ordering::Relaxed);
    let mut items = Vec::with_capacity(requests.len());
    let mut last_app_usage = None;
    for request in requests {
        let relative = request
            .get("relative_url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET");
        let item_token = request
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| token.clone());
        let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
        let (item_version, path) = split_version(path);
        let account = path
            .split('/')
            .next()
            .and_then(|s| s.strip_prefix("act_"))
            .map(str::to_owned);
        let item_fault = shared.take_fault(&format!("/{path}"), account.as_deref(), true);
        let resp = match item_fault {
            Some(FaultKind::BatchNull) => {
                items.push(Value::Null);
                continue;
            }
            Some(FaultKind::Error {
                status,
                body,
                headers,
            }) => Resp {
                status,
                body,
                headers,
            },
            _ if !method.eq_ignore_ascii_case("GET") => Resp::error(
                400,
                100,
                None,
                "GraphMethodException",
                "Unsupported post request.",
            ),
            _ => {
                let mut query = query_pairs(Some(query));
                query.retain(|(k, _)| k != "access_token");
                graph::execute(
                    shared,
                    &Call {
                        path,
                        query,
                        token: item_token,
                        token_in_query: false,
                        origin: origin.to_owned(),
                        version: if item_version == DEFAULT_VERSION {
                            version.to_owned()
                        } else {
                            item_version
                        },
                    },
                )
            }
        };
        if let Some((_, v)) = resp.headers.iter().find(|(n, _)| n == "x-app-usage") {
            last_app_usage = Some(v.clone());
        }
        let mut item = json!({"code": resp.status, "body": resp.body.to_string()});
        if include_headers {
            let mut headers =
                vec![json!({"name": "Content-Type", "value": "text/javascript; charset=UTF-8"})];
            headers.extend(
                resp.headers
                    .iter()
                    .map(|(n, v)| json!({"name": header_case(n), "value": v})),
            );
            item["headers"] = Value::Array(headers);
        }
        items.push(item);
    }
    let mut top = Resp::ok(Value::Array(items));
    if let Some(usage) = last_app_usage {
        top.headers.push(("x-app-usage".to_owned(), usage));
    }
    late_fault(fault, to_response(top, version))
}

/// `x-app-usage` → `X-App-Usage` (as Meta writes batch item headers).
fn header_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_optional_prefixes() {
        assert_eq!(
            split_version("/v27.0/me/adaccounts"),
            ("v27.0".into(), "me/adaccounts".into())
        );
        assert_eq!(
            split_version("/v3.3/act_1"),
            ("v3.3".into(), "act_1".into())
        );
        assert_eq!(split_version("/me"), (DEFAULT_VERSION.into(), "me".into()));
        assert_eq!(split_version("/v27.0/"), ("v27.0".into(), "".into()));
        assert_eq!(split_version("/"), (DEFAULT_VERSION.into(), "".into()));
    }

    #[test]
    fn header_names_are_title_cased() {
        assert_eq!(
            header_case("x-business-use-case-usage"),
            "X-Business-Use-Case-Usage"
        );
    }
}
