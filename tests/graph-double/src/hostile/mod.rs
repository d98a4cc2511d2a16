//! A hostile Graph, for the hostile-response suite: a loopback proxy in front
//! of the double that answers exactly like it, except for one twist at a
//! time (a link elsewhere, a gzip bomb, an echoed token, absurd numbers…),
//! and a recorder: a second host that notes every request reaching it.
//! A client pointed at the proxy must never reach the recorder.

mod twists;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use twists::{LinkShape, Listing, Route, Twist};

/// A request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    /// Path and query.
    pub target: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    /// The bearer token the request carried, if any.
    pub fn token(&self) -> Option<String> {
        let value = self.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("OAuth "))
            .map(str::to_owned)
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// Serves a router on a free loopback port until dropped.
struct Served {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Served {
    async fn start(router: Router) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::warn!("hostile server stopped: {e}");
            }
        });
        Ok(Self { addr, task })
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The second host: records whatever reaches it, answers an empty page.
pub struct Recorder {
    served: Served,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    pub async fn start() -> std::io::Result<Self> {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let router = Router::new().fallback(record).with_state(seen.clone());
        Ok(Self {
            served: Served::start(router).await?,
            seen,
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// `127.0.0.1:PORT`
    pub fn authority(&self) -> String {
        self.served.addr.to_string()
    }

    /// Every request that reached the recorder.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn record(
    State(seen): State<Arc<Mutex<Vec<Seen>>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    seen.lock().unwrap_or_else(|p| p.into_inner()).push(Seen {
        method,
        target,
        headers,
        body,
    });
    (StatusCode::OK, r#"{"data":[]}"#).into_response()
}

/// The twist in force and how many more answers it applies to.
#[derive(Default)]
struct Armed {
    twist: Option<Twist>,
    remaining: Option<u32>,
    /// Twists that need to remember something between answers.
    memory: twists::Memory,
}

struct Proxy {
    upstream: String,
    recorder: String,
    http: reqwest::Client,
    armed: Mutex<Armed>,
}

/// The proxy in front of the double.
pub struct Hostile {
    served: Served,
    proxy: Arc<Proxy>,
}

impl Hostile {
    /// A proxy for the double at `upstream` whose twists point at `recorder`.
    pub async fn start(upstream: &str, recorder: &str) -> std::io::Result<Self> {
        let http = reqwest::Client::builder()
            .no_gzip()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        let proxy = Arc::new(Proxy {
            upstream: upstream.trim_end_matches('/').to_owned(),
            recorder: recorder.trim_end_matches('/').to_owned(),
            http,
            armed: Mutex::default(),
        });
        let router = Router::new().fallback(forward).with_state(proxy.clone());
        Ok(Self {
            served: Served::start(router).await?,
            proxy,
        })
    }

    /// `http://127.0.0.1:PORT`: where the client under test is pointed.
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// Applies `twist` to the matching answers from now on (`times`: to that
    /// many answers, then plain again).
    pub fn arm(&self, twist: Twist, times: Option<u32>) {
        *self.proxy.armed() = Armed {
            twist: Some(twist),
            remaining: times,
            memory: twists::Memory::default(),
        };
    }

    /// Plain answers again.
    pub fn disarm(&self) {
        *self.proxy.armed() = Armed::default();
    }
}

impl Proxy {
    fn armed(&self) -> std::sync::MutexGuard<'_, Armed> {
        self.armed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The twist for this request, if one is armed, matches, and has uses left.
    fn twist_for(&self, seen: &Seen) -> Option<(Twist, twists::Memory)> {
        let mut armed = self.armed();
        let twist = armed.twist.clone()?;
        if !twist.route().matches(seen) || armed.remaining == Some(0) {
            return None;
        }
        if let Some(n) = armed.remaining.as_mut() {
            *n -= 1;
        }
        Some((twist, armed.memory.clone()))
    }

    /// The double's answer, with its links pointing at this proxy.
    async fn upstream(&self, seen: &Seen, origin: &str) -> Upstream {
        let url = format!("{}{}", self.upstream, seen.target);
        let mut request = self.http.request(seen.method.clone(), url);
        for name in [header::AUTHORIZATION, header::CONTENT_TYPE, header::COOKIE] {
            if let Some(value) = seen.headers.get(&name) {
                request = request.header(name, value.clone());
            }
        }
        let answer = request.body(seen.body.clone()).send().await;
        match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response.bytes().await.unwrap_or_default();
                let text = String::from_utf8_lossy(&body).replace(&self.upstream, origin);
                Upstream {
                    status,
                    headers,
                    body: Bytes::from(text),
                }
            }
            Err(e) => Upstream {
                status: 502,
                headers: HeaderMap::new(),
                body: Bytes::from(format!("the double did not answer: {e}")),
            },
        }
    }
}

/// What the double answered.
pub struct Upstream {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Upstream {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY);
        for (name, value) in &self.headers {
            if name != header::CONTENT_LENGTH && name != header::TRANSFER_ENCODING {
                response.headers_mut().append(name, value.clone());
            }
        }
        response
    }
}

async fn forward(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let origin = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(String::new, |h| format!("http://{h}"));
    let seen = Seen {
        method,
        target,
        headers,
        body,
    };
    let ctx = twists::Ctx {
        origin: &origin,
        recorder: &proxy.recorder,
        seen: &seen,
    };
    match proxy.twist_for(&seen) {
        Some((twist, memory)) => twist.answer(&ctx, memory, &proxy).await,
        None => proxy.upstream(&seen, &origin).await.into_response(),
    }
}
