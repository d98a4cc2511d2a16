//! The payloads' shapes, from the Rust side: `ui/js/payloads.js` is
//! generated from what the backend really sends — the state (`app_state`)
//! and an account (`refresh_account`) of the sandbox agency, whose 40
//! accounts hold every status, failures, forecasts, datasets and reasons —
//! read off the serialized values (each field's JSON types, optional fields
//! marked). This test fails when the committed file drifts;
//! `ADKEEP_WRITE_CONTRACT=1 cargo test --test payloads` rewrites it. The UI's
//! test fixtures are checked against it (`tests/ui/contract.test.mjs`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use adkeep_app::views::Present;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use adkeep_app::backend::RefreshStatus;
use adkeep_app::backend::{Backend, Events};
use adkeep_app::secrets::Vault;
use adkeep_app::store::FileStores;
use adkeep_core::book::TokenInfo;
use adkeep_core::graph::client::Endpoints;
use adkeep_core::logins::LoginId;
use adkeep_core::settings::Mode;
use adkeep_core::token::AccessToken;
use chrono::Utc;
use graph_double::{DEFAULT_USER, DoubleConfig, GraphDouble, OTHER_USER};
use serde_json::Value;

const FILE: &str = "ui/js/payloads.js";

struct Quiet;

impl Events for Quiet {
    fn accounts_changed(&self, _: &[adkeep_core::model::Account]) {}
    fn progress(&self, _: &RefreshStatus) {}
    fn state_changed(&self) {}
    fn notify(&self, _: &str, _: &str) {}
}

/// A JSON value's shape: its types, an object's fields (with whether each
/// was always there), an array's element.
#[derive(Default)]
struct Shape {
    types: BTreeSet<&'static str>,
    fields: BTreeMap<String, (Shape, usize)>,
    objects: usize,
    element: Option<Box<Shape>>,
}

impl Shape {
    fn add(&mut self, value: &Value) {
        match value {
            Value::Null => {
                self.types.insert("null");
            }
            Value::Bool(_) => {
                self.types.insert("boolean");
            }
            Value::Number(_) => {
                self.types.insert("number");
            }
            Value::String(_) => {
                self.types.insert("string");
            }
            Value::Array(items) => {
                self.types.insert("array");
                let element = self.element.get_or_insert_with(Box::default);
                for item in items {
                    element.add(item);
                }
            }
            Value::Object(map) => {
                self.types.insert("object");
                self.objects += 1;
                for (key, item) in map {
                    let (shape, seen) = self.fields.entry(key.clone()).or_default();
                    shape.add(item);
                    *seen += 1;
                }
            }
        }
    }

    /// `{ types: [...], fields: { key: [shape, optional] }, element: shape }`.
    fn js(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent + 1);
        let types: Vec<String> = self.types.iter().map(|t| format!("'{t}'")).collect();
        let mut out = format!("{{ types: [{}]", types.join(", "));
        if !self.fields.is_empty() {
            out.push_str(", fields: {\n");
            for (key, (shape, seen)) in &self.fields {
                let optional = *seen < self.objects;
                out.push_str(&format!(
                    "{pad}{key}: {{ optional: {optional}, shape: {} }},\n",
                    shape.js(indent + 1)
                ));
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
        }
        if let Some(element) = &self.element
            && !element.types.is_empty()
        {
            out.push_str(&format!(", element: {}", element.js(indent)));
        }
        out.push_str(" }");
        out
    }
}

/// What the window reads (`app_state`, whose accounts are list rows with
/// dense rows), an account (`refresh_account`), and every whole view.
struct Payloads {
    state: Value,
    account: Value,
    whole: Value,
}

async fn sandbox_payloads() -> Payloads {
    let double = GraphDouble::start(DoubleConfig::sandbox()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let backend = Backend::open_with(
        Arc::new(FileStores::new(data.path().to_path_buf())),
        Vault::without_keychain(data.path().to_path_buf()),
        Arc::new(Quiet),
        Some(Endpoints::one_host(&double.url()).unwrap()),
    )
    .unwrap();
    let mut settings = backend.settings();
    settings.mode = Mode::Meta;
    backend.save_settings(settings).unwrap();
    // Jane and her colleague Sam: accounts reached by two logins.
    let sam = double.issue_token_for(OTHER_USER, &graph_double::world::DEFAULT_SCOPES, &[]);
    for (user, token) in [(DEFAULT_USER, double.issue_token()), (OTHER_USER, sam)] {
        let login = LoginId::new(user).unwrap();
        backend.session().book().login_mut(&login).token = Some(TokenInfo {
            obtained_at: Utc::now(),
            expires_at: Some(Utc::now() + chrono::Duration::days(50)),
            // Sam's without the data-access date, as Meta may send it.
            data_access_expires_at: (user == DEFAULT_USER)
                .then(|| Utc::now() + chrono::Duration::days(80)),
        });
        backend
            .vault()
            .save_token(&login, &AccessToken::new(token).unwrap(), false);
    }
    backend.refresh_all().await.unwrap();
    // A reason snoozed and one acknowledged.
    let flagged: Vec<(String, String)> = backend
        .state()
        .accounts
        .whole()
        .unwrap()
        .iter()
        .filter_map(|a| Some((a.account.id.to_string(), a.attention.first()?.key.clone())))
        .take(2)
        .collect();
    backend
        .set_aside(&flagged[0].0, &flagged[0].1, Some(7))
        .unwrap();
    backend
        .set_aside(&flagged[1].0, &flagged[1].1, None)
        .unwrap();
    let state = serde_json::to_value(backend.window_state(true)).unwrap();
    let whole = serde_json::to_value(backend.state().accounts).unwrap();
    let id = state["accounts"][0]["id"].as_str().unwrap().to_owned();
    let account =
        serde_json::to_value(backend.view(backend.refresh_account(&id).await.unwrap())).unwrap();
    Payloads {
        state,
        account,
        whole,
    }
}

fn generated(payloads: &Payloads) -> String {
    let mut state_shape = Shape::default();
    state_shape.add(&payloads.state);
    let mut account_shape = Shape::default();
    account_shape.add(&payloads.account);
    for each in payloads.whole.as_array().unwrap() {
        account_shape.add(each);
    }
    format!(
        "// Generated by tests/payloads.rs from what the backend sends for the sandbox agency.\n\
         // Do not edit: run `ADKEEP_WRITE_CONTRACT=1 cargo test --test payloads`.\n\
         // Each value: its JSON types; an object's fields (optional: not always sent); an array's element.\n\n\
         /** `app_state`: the window's whole state (with dense rows: each account as a list row). */\n\
         export const STATE = {};\n\n\
         /** An account's whole view, as `account_view`, `refresh_account`, and with taller rows `app_state` and the `accounts-changed` event send it. */\n\
         export const ACCOUNT = {};\n",
        state_shape.js(0),
        account_shape.js(0)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_payload_shapes_are_generated_from_rust() {
    let payloads = sandbox_payloads().await;
    rows_are_whole_views_cut_down(&payloads);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE);
    let expected = generated(&payloads);
    if std::env::var_os("ADKEEP_WRITE_CONTRACT").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{FILE} is out of date with the Rust side: run `ADKEEP_WRITE_CONTRACT=1 cargo test --test payloads`"
    );
}

/// The window draws a row from a list row or a whole view alike: every
/// field a row sends reads the same in the account's whole view, a field it
/// leaves out is at the default the window reads for a missing one, and the
/// heavy ones (datasets, the daily spend, terms) stay out.
fn rows_are_whole_views_cut_down(payloads: &Payloads) {
    let rows = payloads.state["accounts"].as_array().unwrap();
    let whole = payloads.whole.as_array().unwrap();
    assert_eq!(rows.len(), whole.len());
    assert!(rows.len() >= 40, "the sandbox agency");
    for (row, view) in rows.iter().zip(whole) {
        let id = &row["id"];
        assert_eq!(id, &view["id"]);
        for (field, value) in row.as_object().unwrap() {
            match field.as_str() {
                "partial" => assert_eq!(value, true),
                "forecast" => same_forecast(value, &view["forecast"]),
                "ads" => same_ads(value, &view["ads"]),
                "logins" => assert_eq!(named(value), named(&view["logins"]), "{id}"),
                "attention" => {
                    let flags = value.as_array().unwrap();
                    let whole_flags = view["attention"].as_array().unwrap();
                    assert_eq!(flags.len(), whole_flags.len(), "{id}");
                    for (flag, whole_flag) in flags.iter().zip(whole_flags) {
                        for (key, x) in whole_flag.as_object().unwrap() {
                            let default = x.is_null() || x == &Value::Bool(false);
                            let sent = flag.get(key).unwrap_or(&Value::Null);
                            assert!(
                                sent == x || (default && flag.get(key).is_none()),
                                "{id} {key}"
                            );
                        }
                    }
                }
                _ => assert_eq!(value, &view[field], "{id} {field}"),
            }
        }
        let left_out = |field: &str| row.get(field).is_none();
        for (field, default) in [
            ("error", Value::Null),
            ("severity", Value::Null),
            ("business", Value::Null),
            ("is_new", Value::Bool(false)),
            ("needs_attention", Value::Bool(false)),
            ("reach", Value::from("reachable")),
            ("attention", Value::Array(Vec::new())),
        ] {
            if left_out(field) {
                assert_eq!(view[field], default, "{id} {field} left out");
            }
        }
        if left_out("via") {
            let logins = named(&view["logins"]);
            assert!(
                view["via"].is_null() || (logins.len() == 1 && view["via"]["id"] == logins[0].0)
            );
        }
        if left_out("forecast") {
            same_forecast(
                &serde_json::json!({"payment_risk": false}),
                &view["forecast"],
            );
        }
        for heavy in ["datasets", "spend_daily", "tos_accepted", "tasks"] {
            assert!(left_out(heavy), "{id} {heavy}");
        }
    }
    let size = |v: &Value| serde_json::to_string(v).unwrap().len();
    assert!(
        size(&payloads.state["accounts"]) * 3 < size(&payloads.whole),
        "list rows are well under a third of the whole views"
    );
}

fn named(logins: &Value) -> Vec<(Value, Value)> {
    logins
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["id"].clone(), l["name"].clone()))
        .collect()
}

/// A row's forecast (days until the cap or the funds run out, whether there
/// is a payment risk) against the whole one.
/// The row's ads cell carries the whole view's values under the same
/// names, the unknown and the false left out.
fn same_ads(row: &Value, whole: &Value) {
    for (key, value) in row.as_object().unwrap() {
        assert_eq!(value, &whole[key], "ads {key}");
    }
    for key in [
        "cannot_run",
        "at_least",
        "running_or_in_review",
        "limit",
        "limit_level",
    ] {
        if row.get(key).is_none() {
            assert!(
                whole[key].is_null() || whole[key] == false,
                "ads {key} left out"
            );
        }
    }
}

fn same_forecast(row: &Value, whole: &Value) {
    for key in ["cap_days_left", "funds_days_left"] {
        assert_eq!(row.get(key).unwrap_or(&Value::Null), &whole[key], "{key}");
    }
    assert_eq!(row["payment_risk"], !whole["payment_risk"].is_null());
}
