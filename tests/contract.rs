//! One IPC contract: `ui/js/contract.js` (the command and event names the
//! window uses) is generated from the Rust side — `commands::NAMES` (which
//! build.rs registers with the ACL and `lib.rs` must serve) and
//! `events::ALL`, and the problem page's button labels from `Action::label`. This test fails when the committed file drifts;
//! `ADKEEP_WRITE_CONTRACT=1 cargo test --test contract` rewrites it. The JS
//! side checks itself against it (`tests/ui/contract.test.mjs`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fmt::Write;

const FILE: &str = "ui/js/contract.js";

fn generated() -> String {
    let mut js = String::from(
        "// Generated from src-tauri/src/command_names.rs and events.rs by tests/contract.rs.\n\
         // Do not edit: run `ADKEEP_WRITE_CONTRACT=1 cargo test --test contract`.\n\n\
         /** The backend's commands (each allowed by capabilities/main.json). */\n\
         export const COMMANDS = Object.freeze({\n",
    );
    for name in adkeep_app::commands::NAMES {
        writeln!(js, "  {name}: '{name}',").unwrap();
    }
    js.push_str("});\n\n/** The events the backend sends the main window. */\nexport const EVENTS = Object.freeze({\n");
    for (key, name) in adkeep_app::desktop::contract::ALL {
        writeln!(js, "  {key}: '{name}',").unwrap();
    }
    js.push_str("});\n\n/** The button for each problem's action. */\nexport const ACTION_LABELS = Object.freeze({\n");
    for action in adkeep_core::problem::Action::ALL {
        writeln!(js, "  {}: '{}',", action.key(), action.label()).unwrap();
    }
    js.push_str("});\n");
    js
}

#[test]
fn the_js_contract_is_generated_from_rust() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE);
    let expected = generated();
    if std::env::var_os("ADKEEP_WRITE_CONTRACT").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{FILE} is out of date with the Rust side: run `ADKEEP_WRITE_CONTRACT=1 cargo test --test contract`"
    );
}

#[test]
fn the_capability_allows_exactly_the_commands() {
    let caps: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/main.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut allowed: Vec<String> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    allowed.sort();
    let mut names: Vec<String> = adkeep_app::commands::NAMES
        .iter()
        .map(|n| n.to_string())
        .collect();
    names.sort();
    assert_eq!(
        allowed, names,
        "capabilities/main.json and command_names.rs differ"
    );
}
