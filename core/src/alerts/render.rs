//! One message per check per destination: a digest of the alerts, rendered
//! for Slack (mrkdwn), Teams (an Adaptive Card), e-mail (text and HTML) and
//! the signed webhook (JSON, the contract in `docs/alerts.md`). Everything
//! from Meta or from whoever named an account is escaped for where it goes:
//! a name is always shown as text, never a mention, a link or markup.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::detect::{Alert, AlertState};
use crate::attention::Severity;

/// Lines a chat message or an e-mail shows before "and N more".
pub const MAX_LINES: usize = 25;

/// A digest about to be sent.
#[derive(Debug, Clone, Copy)]
pub struct Digest<'a> {
    /// The delivery's id: the same on every retry.
    pub delivery: &'a str,
    pub sent_at: DateTime<Utc>,
    pub alerts: &'a [Alert],
    /// "Send a test": says so, carries no alerts.
    pub test: bool,
}

/// An e-mail's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// "2 new problems (1 blocking) · 1 still open · 1 resolved".
pub fn headline(alerts: &[Alert]) -> String {
    let count = |state: AlertState| alerts.iter().filter(|a| a.state == state).count();
    let new = count(AlertState::New);
    let blocking = alerts
        .iter()
        .filter(|a| a.state == AlertState::New && a.severity == Severity::Blocking)
        .count();
    let mut parts = Vec::new();
    if new > 0 {
        let noun = if new == 1 { "problem" } else { "problems" };
        let detail = if blocking > 0 && blocking < new {
            format!(" ({blocking} blocking)")
        } else {
            String::new()
        };
        parts.push(format!("{new} new {noun}{detail}"));
    }
    let reminders = count(AlertState::Reminder);
    if reminders > 0 {
        parts.push(format!("{reminders} still open"));
    }
    let resolved = count(AlertState::Resolved);
    if resolved > 0 {
        parts.push(format!("{resolved} resolved"));
    }
    if parts.is_empty() {
        return "nothing new".to_owned();
    }
    parts.join(" · ")
}

fn title_line(digest: &Digest<'_>) -> String {
    if digest.test {
        "Adkeep: a test message — alerts reach this destination".to_owned()
    } else {
        format!("Adkeep: {}", headline(digest.alerts))
    }
}

/// A label for the alert's state and severity (words, never colour alone).
fn label(alert: &Alert) -> &'static str {
    match (alert.state, alert.severity) {
        (AlertState::Resolved, _) => "Resolved",
        (AlertState::Reminder, _) => "Still blocking",
        (AlertState::New, Severity::Blocking) => "Blocking",
        (AlertState::New, Severity::Warning) => "Warning",
        (AlertState::New, Severity::Info) => "Info",
    }
}

/// What an alert is about, in words ("Acme (act_1)", "Login Sam Lee").
fn who(alert: &Alert, escape: fn(&str) -> String) -> String {
    let s = &alert.subject;
    match (&s.account_id, &s.account_name) {
        (Some(id), Some(name)) => format!("{} ({id})", escape(name)),
        (Some(id), None) => id.to_string(),
        _ => format!("Login {}", escape(s.login.as_deref().unwrap_or("?"))),
    }
}

/// One alert as a line of text, with every remote string escaped.
fn line(alert: &Alert, escape: fn(&str) -> String) -> String {
    let what = escape(&alert.title);
    match alert.state {
        AlertState::Resolved => format!("{}: {} — {what}: over", label(alert), who(alert, escape)),
        AlertState::Reminder => format!(
            "{} since {}: {} — {what} → {}",
            label(alert),
            alert.since.format("%Y-%m-%d %H:%M UTC"),
            who(alert, escape),
            escape(&alert.action)
        ),
        AlertState::New => format!(
            "{}: {} — {what} → {}",
            label(alert),
            who(alert, escape),
            escape(&alert.action)
        ),
    }
}

/// The lines a person reads, at most `MAX_LINES`, then how many more.
fn lines(digest: &Digest<'_>, escape: fn(&str) -> String) -> Vec<String> {
    let mut out: Vec<String> = digest
        .alerts
        .iter()
        .take(MAX_LINES)
        .map(|a| line(a, escape))
        .collect();
    if digest.alerts.len() > MAX_LINES {
        out.push(format!(
            "…and {} more: open Adkeep for the whole list.",
            digest.alerts.len() - MAX_LINES
        ));
    }
    out
}

/// Control characters (line breaks, escapes) become spaces: a name is one line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Slack's mrkdwn treats `&`, `<` and `>` as control characters: only
/// those are replaced, so `<!channel>` or `<http://x|click>` stay text.
pub fn slack_escape(text: &str) -> String {
    one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Teams' card text is a Markdown subset: its punctuation is escaped so a
/// name never becomes emphasis, a link or a list.
pub fn teams_escape(text: &str) -> String {
    let mut out = String::new();
    for c in one_line(text).chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '~' | '`' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// HTML text: the five characters that could start markup or end an attribute.
pub fn html_escape(text: &str) -> String {
    one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The Slack incoming webhook's body (`text` is mrkdwn).
pub fn slack(digest: &Digest<'_>) -> Vec<u8> {
    let mut text = format!("*{}*", slack_escape(&title_line(digest)));
    for l in lines(digest, slack_escape) {
        text.push_str("\n• ");
        text.push_str(&l);
    }
    json!({ "text": text }).to_string().into_bytes()
}

/// The Teams Workflows webhook's body: one Adaptive Card.
pub fn teams(digest: &Digest<'_>) -> Vec<u8> {
    let mut body = vec![json!({
        "type": "TextBlock", "text": teams_escape(&title_line(digest)),
        "weight": "Bolder", "size": "Medium", "wrap": true
    })];
    body.extend(
        lines(digest, teams_escape)
            .into_iter()
            .map(|l| json!({"type": "TextBlock", "text": l, "wrap": true})),
    );
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "type": "AdaptiveCard",
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "version": "1.4",
                "body": body
            }
        }]
    })
    .to_string()
    .into_bytes()
}

/// The webhook's body: the contract receivers parse (`docs/alerts.md`).
pub fn webhook(digest: &Digest<'_>) -> Vec<u8> {
    let alerts: Vec<Value> = digest
        .alerts
        .iter()
        .map(|a| {
            json!({
                "account_id": a.subject.account_id,
                "account_name": a.subject.account_name,
                "login": a.subject.login,
                "severity": a.severity,
                "state": a.state,
                "reason": a.reason,
                "title": a.title,
                "action": a.action,
                "since": a.since.to_rfc3339(),
            })
        })
        .collect();
    json!({
        "type": if digest.test { "adkeep.test" } else { "adkeep.alerts" },
        "delivery": digest.delivery,
        "sent_at": digest.sent_at.to_rfc3339(),
        "alerts": alerts,
    })
    .to_string()
    .into_bytes()
}

/// The e-mail: a subject without remote text, a plain body and its HTML twin.
pub fn email(digest: &Digest<'_>) -> Email {
    let title = title_line(digest);
    let plain = lines(digest, one_line);
    let mut text = format!("{title}\n\n");
    for l in &plain {
        text.push_str(&format!("- {l}\n"));
    }
    text.push_str(&format!("\nDelivery {}\n", digest.delivery));
    let items: String = lines(digest, html_escape)
        .into_iter()
        .map(|l| format!("<li>{l}</li>"))
        .collect();
    let html = format!(
        "<!doctype html><html><body><h2>{}</h2><ul>{items}</ul><p style=\"color:#555\">Delivery {}</p></body></html>",
        html_escape(&title),
        html_escape(digest.delivery)
    );
    Email {
        subject: one_line(&title),
        text,
        html,
    }
}

/// `sha256=<hex HMAC-SHA256 of body keyed with secret>`, as
/// `X-Adkeep-Signature-256` carries it.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        // HMAC takes a key of any length; this cannot fail.
        return String::new();
    };
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
