//! Property tests over everything that reads what Meta sends: accounts,
//! pages, errors, usage headers, money and next links. Whatever the input,
//! nothing panics, and what comes out keeps its promises (exact money or a
//! field error, waits of at most a day, links only to the configured host).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use adkeep_core::api::wire::{self, AccountWire};
use adkeep_core::governor::Governor;
use adkeep_core::graph::GraphError;
use adkeep_core::graph::client::parse_base;
use adkeep_core::graph::links::checked_next;
use adkeep_core::graph::lossy;
use adkeep_core::graph::page::Page;
use adkeep_core::graph::usage::{MAX_WAIT, Usage};
use adkeep_core::money;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

/// Numbers as Meta might send them, and as a hostile server might.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "-?[0-9]{1,60}".prop_map(Value::String),
        "-?[0-9]{0,30}\\.[0-9]{0,30}".prop_map(Value::String),
        "[0-9]e[+-]?[0-9]{1,4}".prop_map(Value::String),
        prop_oneof![
            Just("NaN"),
            Just("inf"),
            Just("-inf"),
            Just(""),
            Just(" 12 ")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ]
}

/// Any JSON value, a few levels deep.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const ACCOUNT_FIELDS: [&str; 15] = [
    "name",
    "account_status",
    "disable_reason",
    "currency",
    "timezone_name",
    "amount_spent",
    "spend_cap",
    "balance",
    "business",
    "user_tasks",
    "tos_accepted",
    "user_tos_accepted",
    "adspixels",
    "insights",
    "id",
];

/// An account object whose every field may hold anything.
fn account() -> impl Strategy<Value = Value> {
    let field = prop_oneof![value(), number()];
    (
        prop_oneof![
            "act_[0-9]{1,20}".prop_map(Value::String),
            "[0-9]{1,20}".prop_map(Value::String),
            value()
        ],
        prop::collection::vec((0..ACCOUNT_FIELDS.len() - 1, field), 0..14),
    )
        .prop_map(|(id, fields)| {
            let mut object = Map::new();
            object.insert("id".into(), id);
            for (i, v) in fields {
                object.insert(ACCOUNT_FIELDS[i].into(), v);
            }
            Value::Object(object)
        })
}

const MONEY_FIELDS: [&str; 3] = ["amount_spent", "spend_cap", "balance"];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        // Failures are reported with their input; nothing is written to the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn accounts_decode_or_are_refused_without_panicking(raw in account()) {
        let Ok(fetched) = wire::decode_account(&raw, chrono::Utc::now()) else {
            return Ok(());
        };
        let a = fetched.account;
        prop_assert!(a.id.as_str().starts_with("act_"));
        prop_assert!(a.name.chars().count() <= 501);
        for field in MONEY_FIELDS {
            let sent = raw.get(field).is_some_and(|v| !v.is_null());
            let flagged = a.field_errors.iter().any(|e| e.field == field);
            let value = match field {
                "amount_spent" => a.amount_spent,
                "spend_cap" => a.spend_cap,
                _ => a.balance,
            };
            // Sent and unreadable: flagged and unknown. Never a silent zero.
            if sent && value.is_none() && field != "spend_cap" {
                prop_assert!(flagged, "{field} sent as {:?} vanished silently", raw[field]);
            }
            if flagged {
                prop_assert!(value.is_none());
            }
        }
    }

    #[test]
    fn pages_of_anything_never_panic(raw in value()) {
        // Whatever the shape, a page is read or refused; one that is read
        // holds no more items than were sent.
        // (serde also reads a struct from a list: `data` is then its first element)
        let data = if raw.is_array() { raw.get(0) } else { raw.get("data") };
        let sent = data.and_then(Value::as_array).map_or(0, Vec::len);
        if let Ok(page) = serde_json::from_value::<Page<AccountWire>>(raw.clone()) {
            prop_assert!(page.items.len() + page.skipped <= sent);
        }
        let _ = serde_json::from_value::<Page<wire::IdWire>>(raw);
    }

    #[test]
    fn bytes_of_anything_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let repaired = lossy::repaired(&bytes);
        prop_assert!(std::str::from_utf8(&repaired).is_ok(), "always text after repair");
        let _ = serde_json::from_slice::<Page<AccountWire>>(&repaired);
        let _ = serde_json::from_slice::<Value>(&repaired);
        let _ = GraphError::from_response(200, &bytes, Usage::default());
    }

    #[test]
    fn a_damaged_name_costs_its_own_letters_never_the_page(
        accounts in 1usize..40,
        victim in 0usize..40,
        damage in prop_oneof![
            Just(&b"\\ud83d"[..]),
            Just(&b"\\udc00"[..]),
            Just(&b"\\uDBFF\\uDBFF"[..]),
            Just(&b"\xff\xfe"[..]),
            Just(&b"\xe9"[..]),
            Just(&b"\xf0\x9f\x98"[..]),
        ],
    ) {
        let victim = victim % accounts;
        let mut body = String::from(r#"{"data":["#);
        for n in 0..accounts {
            let name = if n == victim { "NAME-HERE".to_owned() } else { format!("Shop {n}") };
            body.push_str(&format!(r#"{}{{"id":"act_{n}","name":"{name}","account_status":1,"currency":"USD"}}"#, if n > 0 { "," } else { "" }));
        }
        body.push_str(r#"],"paging":{"cursors":{"after":"x"}}}"#);
        let at = body.find("NAME-HERE").unwrap();
        let mut bytes = body.as_bytes()[..at].to_vec();
        bytes.extend_from_slice(b"cut ");
        bytes.extend_from_slice(damage);
        bytes.extend_from_slice(&body.as_bytes()[at + "NAME-HERE".len()..]);
        let page: Page<AccountWire> = serde_json::from_slice(&lossy::repaired(&bytes)).expect("the page is read");
        prop_assert_eq!((page.items.len(), page.skipped), (accounts, 0));
        let read = serde_json::from_slice::<Value>(&lossy::repaired(&bytes)).unwrap();
        let name = read["data"][victim]["name"].as_str().unwrap().to_owned();
        prop_assert!(name.starts_with("cut ") && name.contains('\u{FFFD}'), "{name:?}");
    }

    #[test]
    fn errors_are_read_from_any_body(bytes in prop::collection::vec(any::<u8>(), 0..300), status in 100u16..600) {
        let e = GraphError::from_response(status, &bytes, Usage::default());
        prop_assert!(e.message.chars().count() <= 1_001 + 200);
    }

    #[test]
    fn error_objects_with_any_fields_keep_only_sane_codes(code in value(), subcode in value(), message in value()) {
        let body = json!({"error": {"code": code, "error_subcode": subcode, "message": message, "error_user_msg": message}});
        let e = GraphError::from_response(400, body.to_string().as_bytes(), Usage::default());
        if e.code.is_some() {
            let integer_like = code.is_number()
                || code.as_str().is_some_and(|s| s.trim().parse::<i64>().is_ok());
            prop_assert!(integer_like, "a code read from {code:?}");
        }
    }

    #[test]
    fn usage_headers_never_ask_for_more_than_a_day(
        name in prop_oneof![Just("x-app-usage"), Just("x-ad-account-usage"), Just("x-business-use-case-usage"), Just("x-fb-ads-insights-throttle")],
        numbers in prop::collection::vec(number(), 8),
        object_id in "[0-9]{1,6}",
    ) {
        let n = |i: usize| numbers[i].to_string();
        let value = match name {
            "x-business-use-case-usage" => format!(
                r#"{{"{object_id}":[{{"type":"ads_management","call_count":{},"total_cputime":{},"total_time":{},"estimated_time_to_regain_access":{}}}]}}"#,
                n(0), n(1), n(2), n(3)
            ),
            _ => format!(
                r#"{{"call_count":{},"total_time":{},"total_cputime":{},"acc_id_util_pct":{},"reset_time_duration":{},"app_id_util_pct":{}}}"#,
                n(0), n(1), n(2), n(3), n(4), n(5)
            ),
        };
        let usage = Usage::from_pairs([(name, value.as_str())]);
        let pct = usage.max_pct();
        prop_assert!(pct.is_finite() && (0.0..=1000.0).contains(&pct));
        prop_assert!(usage.regain_access_after().is_none_or(|d| d <= MAX_WAIT));
        prop_assert!(usage.account_reset_after().is_none_or(|d| d <= MAX_WAIT));
        let governor = Governor::default();
        governor.observe(&usage, Some(object_id.as_str()));
        governor.observe(&usage, None);
        governor.penalize(usage.regain_access_after().unwrap_or_default(), None);
    }

    #[test]
    fn minor_units_are_exact_or_refused(
        raw in prop_oneof![".{0,60}", "-?[0-9]{1,40}", "-?[0-9]{1,20}\\.[0-9]{1,12}", " [0-9]{1,6} "],
        currency in prop_oneof![Just("USD"), Just("JPY"), Just("KRW"), Just("EUR")],
    ) {
        let trimmed = raw.trim();
        let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
        let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        match money::from_minor_units(&raw, currency) {
            Ok(value) => {
                prop_assert!(integer, "{raw:?} read as minor units");
                // Exact: times the currency's offset, it is the integer sent.
                let offset = Decimal::from(money::currency_offset(currency));
                prop_assert_eq!(value * offset, trimmed.parse::<Decimal>().unwrap());
            }
            Err(_) => prop_assert!(!integer || digits.len() >= 28, "{raw:?} refused"),
        }
        match money::from_major_units(&raw, currency) {
            Ok(value) => prop_assert_eq!(value, trimmed.parse::<Decimal>().or_else(|_| Decimal::from_scientific(trimmed)).unwrap()),
            Err(_) => prop_assert!(
                (trimmed.parse::<Decimal>().is_err() && Decimal::from_scientific(trimmed).is_err()) || trimmed.len() > 64,
                "{raw:?} refused"
            ),
        }
    }

    #[test]
    fn minor_units_divide_exactly(n in any::<i64>(), currency in prop_oneof![Just("USD"), Just("JPY")]) {
        let value = money::from_minor_units(&n.to_string(), currency).unwrap();
        let offset = Decimal::from(money::currency_offset(currency));
        prop_assert_eq!(value * offset, Decimal::from(n));
    }

    #[test]
    fn spend_sums_are_exact_or_refused(rows in prop::collection::vec(number(), 0..6)) {
        let insights = json!({"data": rows.iter().map(|s| json!({"spend": s})).collect::<Vec<_>>()});
        // Worked out apart: every row read exactly, added without overflow,
        // or the whole sum refused (never a partial or rounded total).
        let expected = rows.iter().try_fold(money::zero("USD"), |sum, row| {
            let text = match row { Value::String(s) => s.clone(), other => other.to_string() };
            sum.checked_add(money::from_major_units(&text, "USD").ok()?)
        });
        prop_assert_eq!(wire::sum_spend(Some(&insights), "USD").ok(), expected);
    }

    #[test]
    fn next_links_lead_only_back_to_the_graph_server(raw in prop_oneof![
        ".{0,80}",
        "(https?:)?(//)?[a-z0-9.@:\\\\%/]{0,40}/v27\\.0/[a-z/%?=&.:@]{0,30}",
    ]) {
        let base = parse_base("https://graph.facebook.com").unwrap();
        let followed = checked_next(&base, &raw);
        if let Ok(url) = followed {
            prop_assert_eq!(url.scheme(), "https");
            prop_assert_eq!(url.host_str(), Some("graph.facebook.com"));
            prop_assert_eq!(url.port_or_known_default(), Some(443));
            prop_assert!(url.username().is_empty() && url.password().is_none());
            prop_assert!(!url.query_pairs().any(|(k, _)| k == "access_token"));
        }
    }

    #[test]
    fn next_links_of_the_graph_server_are_followed(cursor in "[A-Za-z0-9_-]{1,40}", limit in 1u32..500) {
        let base = parse_base("https://graph.facebook.com").unwrap();
        let raw = format!("https://graph.facebook.com/v27.0/me/adaccounts?limit={limit}&after={cursor}");
        let url = checked_next(&base, &raw);
        prop_assert!(url.is_ok(), "{raw} was refused: {url:?}");
    }
}
