//! Sending one digest to one destination, behind one small trait (`Sender`)
//! so tests can stand in for the network. `NetSender` posts to Slack, Teams
//! and webhooks (reqwest: no redirects, 10 s for the whole request, the
//! answer read at most 4 KiB) and mails through SMTP (lettre: TLS or
//! STARTTLS, plain only to this computer). Secrets are read at send time
//! and never appear in an error.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use super::destination::{
    Destination, SecretField, SecretRef, Smtp, SmtpSecurity, Target, check_url,
};
use super::render::{self, Digest};

/// The longest one send may take, connection to answer.
pub const SEND_LIMIT: Duration = Duration::from_secs(10);
/// The most of an answer read (for the error text of a refusal).
const ANSWER_LIMIT: usize = 4096;
/// A `Retry-After` longer than this is this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// What became of one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The destination took it (a 2xx, or the SMTP server's 250).
    Delivered,
    /// Try again (after `after` when the destination said, else backoff).
    Retry {
        after: Option<Duration>,
        error: String,
    },
    /// The destination refused it for good until it is fixed (a 4xx other
    /// than 429, a permanent SMTP error, a secret that is missing).
    Refused(String),
}

/// Sends a digest to a destination.
pub trait Sender: Send + Sync {
    fn send<'a>(
        &'a self,
        destination: &'a Destination,
        digest: Digest<'a>,
    ) -> BoxFuture<'a, Outcome>;
}

/// Where secrets are read from at send time (the keychain, the environment).
pub trait SecretSource: Send + Sync {
    /// The secret, or why it cannot be had (never the secret itself).
    fn secret(
        &self,
        destination: &str,
        field: SecretField,
        at: &SecretRef,
    ) -> Result<String, String>;
}

/// The network: reqwest for HTTP, lettre for SMTP.
pub struct NetSender {
    http: reqwest::Client,
    secrets: Arc<dyn SecretSource>,
}

impl NetSender {
    pub fn new(secrets: Arc<dyn SecretSource>) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Adkeep/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .timeout(SEND_LIMIT)
            // A redirect would take the body (and a URL's authorisation) elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Self { http, secrets })
    }

    async fn secret(
        &self,
        destination: &Destination,
        field: SecretField,
        at: &SecretRef,
    ) -> Result<String, String> {
        let secrets = self.secrets.clone();
        let (id, at) = (destination.id.clone(), at.clone());
        tokio::task::spawn_blocking(move || secrets.secret(&id, field, &at))
            .await
            .map_err(|e| format!("the keychain could not be read ({e})"))?
    }

    async fn deliver(&self, destination: &Destination, digest: Digest<'_>) -> Outcome {
        match &destination.target {
            Target::Slack { url } => match self.secret(destination, SecretField::Url, url).await {
                Ok(url) => self.post(&url, render::slack(&digest), None, &digest).await,
                Err(e) => Outcome::Refused(e),
            },
            Target::Teams { url } => match self.secret(destination, SecretField::Url, url).await {
                Ok(url) => self.post(&url, render::teams(&digest), None, &digest).await,
                Err(e) => Outcome::Refused(e),
            },
            Target::Webhook { url, secret } => {
                let key = match secret {
                    Some(at) => match self.secret(destination, SecretField::Secret, at).await {
                        Ok(key) => Some(key),
                        Err(e) => return Outcome::Refused(e),
                    },
                    None => None,
                };
                self.post(url, render::webhook(&digest), key.as_deref(), &digest)
                    .await
            }
            Target::Email { .. } => self.mail(destination, &digest).await,
        }
    }

    /// POSTs JSON; 2xx delivered, 429 and 5xx later, another 4xx refused.
    async fn post(
        &self,
        raw_url: &str,
        body: Vec<u8>,
        key: Option<&str>,
        digest: &Digest<'_>,
    ) -> Outcome {
        let url = match check_url(raw_url) {
            Ok(url) => url,
            Err(e) => return Outcome::Refused(e.to_string()),
        };
        let mut request = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Adkeep-Delivery", digest.delivery);
        if let Some(key) = key {
            request = request.header(
                "X-Adkeep-Signature-256",
                render::signature(key.as_bytes(), &body),
            );
        }
        match request.body(body).send().await {
            Ok(response) => answer(response).await,
            Err(e) => Outcome::Retry {
                after: None,
                error: transport_error(&e),
            },
        }
    }

    async fn mail(&self, destination: &Destination, digest: &Digest<'_>) -> Outcome {
        let Target::Email {
            smtp,
            to,
            from,
            user,
            password,
        } = &destination.target
        else {
            return Outcome::Refused("not an e-mail destination".to_owned());
        };
        let password = match password {
            Some(at) => match self.secret(destination, SecretField::Password, at).await {
                Ok(p) => Some(p),
                Err(e) => return Outcome::Refused(e),
            },
            None => None,
        };
        let message = match email_message(digest, from, to) {
            Ok(message) => message,
            Err(e) => return Outcome::Refused(e),
        };
        let credentials = user.clone().zip(password);
        match transport(smtp, credentials) {
            Ok(mailer) => smtp_outcome(lettre::AsyncTransport::send(&mailer, message).await),
            Err(e) => Outcome::Refused(e),
        }
    }
}

impl Sender for NetSender {
    fn send<'a>(
        &'a self,
        destination: &'a Destination,
        digest: Digest<'a>,
    ) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            match tokio::time::timeout(SEND_LIMIT, self.deliver(destination, digest)).await {
                Ok(outcome) => outcome,
                Err(_) => Outcome::Retry {
                    after: None,
                    error: format!("no answer within {} s", SEND_LIMIT.as_secs()),
                },
            }
        })
    }
}

/// An HTTP answer as an outcome; the body is read only for a refusal's words.
async fn answer(response: reqwest::Response) -> Outcome {
    let status = response.status();
    if status.is_success() {
        return Outcome::Delivered;
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    let said = bounded_text(response).await;
    let error = format!("answered {}{said}", status.as_u16());
    if status.as_u16() == 429 || status.as_u16() == 408 || status.is_server_error() {
        Outcome::Retry {
            after: retry_after,
            error,
        }
    } else {
        Outcome::Refused(error)
    }
}

/// A few words of an answer's body (`: no_service`), printable, bounded.
async fn bounded_text(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < ANSWER_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text: String = String::from_utf8_lossy(&body)
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if text.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", text.trim())
    }
}

/// A transport failure in words, without the URL (it may be the secret).
fn transport_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", SEND_LIMIT.as_secs())
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        let mut text = String::from("the request failed");
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            text = format!("the request failed: {inner}");
            source = inner.source();
        }
        text
    }
}

fn email_message(
    digest: &Digest<'_>,
    from: &str,
    to: &[String],
) -> Result<lettre::Message, String> {
    use lettre::message::MultiPart;
    let parts = render::email(digest);
    let parse = |a: &str| {
        a.parse::<lettre::message::Mailbox>()
            .map_err(|_| format!("{a:?} is not an e-mail address"))
    };
    let mut builder = lettre::Message::builder()
        .from(parse(from)?)
        .subject(parts.subject)
        .message_id(Some(format!("<{}@adkeep.invalid>", digest.delivery)));
    for address in to {
        builder = builder.to(parse(address)?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(parts.text, parts.html))
        .map_err(|e| format!("the e-mail could not be built: {e}"))
}

type Mailer = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;

fn transport(smtp: &Smtp, credentials: Option<(String, String)>) -> Result<Mailer, String> {
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    let params =
        TlsParameters::new(smtp.host.clone()).map_err(|e| format!("TLS for {}: {e}", smtp.host))?;
    let tls = match smtp.security {
        SmtpSecurity::ImplicitTls => Tls::Wrapper(params),
        SmtpSecurity::StartTls => Tls::Required(params),
        SmtpSecurity::Loopback if super::destination::is_loopback(&smtp.host) => {
            Tls::Opportunistic(params)
        }
        SmtpSecurity::Loopback => {
            return Err(format!(
                "plain SMTP is only for this computer, not {}",
                smtp.host
            ));
        }
    };
    let mut builder = Mailer::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(SEND_LIMIT));
    if let Some((user, password)) = credentials {
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user, password,
        ));
    }
    Ok(builder.build())
}

fn smtp_outcome(
    result: Result<lettre::transport::smtp::response::Response, lettre::transport::smtp::Error>,
) -> Outcome {
    match result {
        Ok(_) => Outcome::Delivered,
        Err(e) if e.is_permanent() => Outcome::Refused(format!(
            "the mail server refused: {}",
            one_line(&e.to_string())
        )),
        Err(e) => Outcome::Retry {
            after: None,
            error: format!("the mail server: {}", one_line(&e.to_string())),
        },
    }
}

fn one_line(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}
