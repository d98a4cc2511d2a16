//! Every reason renders everywhere; every hostile name stays text.

use chrono::TimeZone;

use super::*;
use crate::alerts::detect::Subject;
use crate::alerts::words::{account_action, account_code, every_attention};
use crate::graph::ids::AccountId;

const HOSTILE: &str = "<!channel> & <http://evil.example|click> *bold* _x_ [l](http://e) `c` \r\nBcc: x@evil.example <script>alert(1)</script> ' \"";

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 2, 0, 0).unwrap()
}

fn alert(name: &str, state: AlertState) -> Alert {
    Alert {
        state,
        severity: Severity::Blocking,
        subject: Subject {
            account_id: AccountId::parse("act_42"),
            account_name: Some(name.to_owned()),
            login: Some("Jane <Doe>".to_owned()),
        },
        reason: "payment_failed".into(),
        title: "Payment failed: fix billing before ads stop".into(),
        action: "Fix the payment method in Billing".into(),
        since: at(),
    }
}

fn digest(alerts: &[Alert]) -> Digest<'_> {
    Digest {
        delivery: "d0d0",
        sent_at: at(),
        alerts,
        test: false,
    }
}

fn slack_text(alerts: &[Alert]) -> String {
    let body: Value = serde_json::from_slice(&slack(&digest(alerts))).unwrap();
    body["text"].as_str().unwrap().to_owned()
}

#[test]
fn a_hostile_name_is_text_in_slack() {
    let text = slack_text(&[alert(HOSTILE, AlertState::New)]);
    assert!(
        !text.contains("<!channel>") && !text.contains("<http"),
        "{text}"
    );
    assert!(
        text.contains("&lt;!channel&gt; &amp; &lt;http://evil.example|click&gt;"),
        "{text}"
    );
    // Only &, < and > are escaped (a quote is not shown as &#39;).
    assert!(text.contains("' \""), "{text}");
    assert!(!text.contains('\r'), "{text}");
    assert_eq!(
        text.lines().count(),
        2,
        "the name stays on its line: {text}"
    );
}

#[test]
fn a_hostile_name_is_text_in_teams() {
    let card: Value =
        serde_json::from_slice(&teams(&digest(&[alert(HOSTILE, AlertState::New)]))).unwrap();
    let content = &card["attachments"][0]["content"];
    assert_eq!(content["type"], "AdaptiveCard");
    assert_eq!(content["version"], "1.4");
    let line = content["body"][1]["text"].as_str().unwrap();
    for raw in ["*bold*", "_x_", "[l](http", "`c`", "<script>"] {
        assert!(!line.contains(raw), "{raw} unescaped in {line}");
    }
    assert!(
        line.contains(r"\*bold\*") && line.contains(r"\[l\]\(http://e\)"),
        "{line}"
    );
}

#[test]
fn a_hostile_name_is_text_in_an_email() {
    let mail = email(&digest(&[alert(HOSTILE, AlertState::New)]));
    assert!(!mail.subject.contains(['\r', '\n']));
    assert!(
        !mail.subject.contains("evil"),
        "no remote text in the subject: {}",
        mail.subject
    );
    assert!(
        !mail.html.contains("<script>") && mail.html.contains("&lt;script&gt;"),
        "{}",
        mail.html
    );
    assert!(
        mail.html.contains("&amp;") && mail.html.contains("&#39;") && mail.html.contains("&quot;")
    );
    assert!(!mail.text.contains("\r\nBcc:"), "{}", mail.text);
}

#[test]
fn the_webhook_carries_names_as_they_are() {
    let alerts = [
        alert(HOSTILE, AlertState::New),
        alert("Beta", AlertState::Resolved),
    ];
    let body: Value = serde_json::from_slice(&webhook(&digest(&alerts))).unwrap();
    assert_eq!(body["type"], "adkeep.alerts");
    assert_eq!(body["delivery"], "d0d0");
    assert_eq!(body["sent_at"], "2026-12-05T02:00:00+00:00");
    let first = &body["alerts"][0];
    assert_eq!(first["account_name"], HOSTILE);
    assert_eq!(first["account_id"], "act_42");
    assert_eq!(first["severity"], "blocking");
    assert_eq!(first["state"], "new");
    assert_eq!(first["reason"], "payment_failed");
    assert_eq!(body["alerts"][1]["state"], "resolved");
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "account_id",
            "account_name",
            "login",
            "severity",
            "state",
            "reason",
            "title",
            "action",
            "since"
        ]
    );
}

#[test]
fn every_reason_renders_in_every_destination() {
    for attention in every_attention() {
        let a = Alert {
            reason: account_code(&attention),
            action: account_action(&attention, Some("Jane")),
            ..alert("Shop", AlertState::New)
        };
        let alerts = [a];
        let d = digest(&alerts);
        assert!(slack_text(&alerts).contains(&alerts[0].action));
        assert!(
            String::from_utf8(teams(&d))
                .unwrap()
                .contains("AdaptiveCard")
        );
        assert!(email(&d).text.contains(&alerts[0].action));
        assert!(
            String::from_utf8(webhook(&d))
                .unwrap()
                .contains(&alerts[0].reason)
        );
    }
}

#[test]
fn a_long_digest_says_how_many_more() {
    let alerts: Vec<Alert> = (0..30)
        .map(|n| alert(&format!("Shop {n}"), AlertState::New))
        .collect();
    let text = slack_text(&alerts);
    assert_eq!(text.lines().count(), 1 + MAX_LINES + 1, "{text}");
    assert!(
        text.ends_with("…and 5 more: open Adkeep for the whole list."),
        "{text}"
    );
    let body: Value = serde_json::from_slice(&webhook(&digest(&alerts))).unwrap();
    assert_eq!(
        body["alerts"].as_array().unwrap().len(),
        30,
        "the webhook carries every alert"
    );
    assert!(text.starts_with("*Adkeep: 30 new problems*"), "{text}");
}

#[test]
fn headlines_count_what_is_new_open_and_over() {
    let mut alerts = vec![
        alert("a", AlertState::New),
        alert("b", AlertState::Resolved),
    ];
    alerts[0].severity = Severity::Warning;
    alerts.push(alert("c", AlertState::New));
    alerts.push(alert("d", AlertState::Reminder));
    assert_eq!(
        headline(&alerts),
        "2 new problems (1 blocking) · 1 still open · 1 resolved"
    );
    let test = Digest {
        test: true,
        ..digest(&[])
    };
    assert_eq!(
        serde_json::from_slice::<Value>(&webhook(&test)).unwrap()["type"],
        "adkeep.test"
    );
}

#[test]
fn the_signature_is_github_style_hmac_sha256() {
    // RFC 4231-style known answer: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
    assert_eq!(
        signature(b"key", b"The quick brown fox jumps over the lazy dog"),
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    );
}
