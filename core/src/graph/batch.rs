//! Graph batch requests: up to 50 reads in one round trip. The answer is a
//! list with one entry per request, in order; each entry's `body` is JSON
//! encoded as a string (parsed a second time here), `null` means Meta did not
//! run it. Per-item errors keep their own usage headers.

use serde_json::Value;

use super::error::GraphError;
use super::transport::{Received, Reply, unreadable};
use super::usage::Usage;

/// The most items Meta accepts in one batch.
pub const MAX_BATCH: usize = 50;

/// What came back for one batch item.
#[derive(Debug, Clone)]
pub enum BatchOutcome {
    Ok(Reply<Value>),
    Failed(GraphError),
    /// `null`: Meta did not run it (batch timeout or dependency); retry it.
    NotExecuted,
}

/// The `batch` form field for these relative URLs.
pub fn request_body(relative_urls: &[String]) -> String {
    let requests: Vec<Value> = relative_urls
        .iter()
        .map(|url| serde_json::json!({"method": "GET", "relative_url": url}))
        .collect();
    Value::Array(requests).to_string()
}

/// Reads a batch answer. A short list means the rest did not run; extra
/// entries are ignored.
pub fn parse(received: &Received, expected: usize) -> Result<Vec<BatchOutcome>, GraphError> {
    let items: Vec<Value> = serde_json::from_slice(&received.body).map_err(|e| {
        let mut error = GraphError::malformed(received.status, unreadable(&e));
        error.usage = received.usage.clone();
        error
    })?;
    let mut outcomes: Vec<BatchOutcome> = items.iter().take(expected).map(parse_item).collect();
    outcomes.resize_with(expected, || BatchOutcome::NotExecuted);
    Ok(outcomes)
}

fn parse_item(item: &Value) -> BatchOutcome {
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
    let Some(raw) = item.get("body").and_then(Value::as_str) else {
        let mut error = GraphError::malformed(status, "a batch item had no body");
        error.usage = usage;
        return BatchOutcome::Failed(error);
    };
    // The item's body is JSON again: lone surrogates in it cost their own letters.
    let repaired = super::lossy::repaired(raw.as_bytes());
    match serde_json::from_slice::<Value>(&repaired) {
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
        Err(e) if (200..300).contains(&status) => {
            let mut error = GraphError::malformed(status, unreadable(&e));
            error.usage = usage;
            BatchOutcome::Failed(error)
        }
        Err(_) => BatchOutcome::Failed(GraphError::from_response(status, raw.as_bytes(), usage)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(body: Value) -> Received {
        Received {
            status: 200,
            usage: Usage::default(),
            location: None,
            body: body.to_string().into_bytes(),
        }
    }

    #[test]
    fn items_parse_twice_and_null_means_not_executed() {
        let answer = received(serde_json::json!([
            {"code": 200, "headers": [{"name": "X-App-Usage", "value": "{\"call_count\":5}"}], "body": "{\"id\":\"act_1\"}"},
            {"code": 403, "body": "{\"error\":{\"type\":\"OAuthException\",\"message\":\"(#200) x\",\"code\":200}}"},
            null,
            {"code": 200, "body": "{\"id\":"},
            {"code": 200}
        ]));
        let out = parse(&answer, 6).unwrap();
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
        assert!(matches!(&out[4], BatchOutcome::Failed(_)), "no body");
        assert!(
            matches!(out[5], BatchOutcome::NotExecuted),
            "missing items did not run"
        );
    }

    #[test]
    fn extra_items_are_ignored_and_a_non_list_is_unreadable() {
        let answer = received(serde_json::json!([null, null, null]));
        assert_eq!(parse(&answer, 1).unwrap().len(), 1);
        assert!(parse(&received(serde_json::json!({"a": 1})), 1).is_err());
    }
}
