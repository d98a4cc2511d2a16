//! A kill during a save never leaves an unreadable account list: a child
//! process saves a large book in a loop and is killed (SIGKILL) at staggered
//! moments; after each kill the file must read back as a book.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use adkeep_core::book::AccountBook;
use adkeep_core::graph::GraphError;
use adkeep_core::model::Profile;
use adkeep_core::persist::{self, Loaded};
use adkeep_core::problem::{Context, Scope, classify};

const CHILD_ENV: &str = "ADKEEP_CRASH_TEST_FILE";

/// A real account book of 3,000 accounts, tagged with its generation.
fn big_book(generation: u64) -> serde_json::Map<String, serde_json::Value> {
    let problem = classify(
        &GraphError::offline("x"),
        &Context::new(Scope::Account, chrono::Utc::now()),
    );
    let mut book = AccountBook::new();
    for i in 0..3_000u64 {
        book.apply_failure(
            &adkeep_core::graph::AccountId::parse(&format!("act_{i}")).unwrap(),
            problem.clone(),
        );
    }
    let login = adkeep_core::logins::LoginId::new("1").unwrap();
    book.login_mut(&login).profile = Some(Profile {
        id: generation.to_string(),
        name: format!("generation {generation}"),
    });
    let mut map = serde_json::Map::new();
    map.insert("book".into(), serde_json::to_value(&book).unwrap());
    map
}

/// The child: saves forever (only runs when the parent asks for it).
#[test]
#[ignore = "helper: run by kill_during_save_never_corrupts_the_file as a child process"]
fn child_saves_in_a_loop() {
    let Some(path) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    let mut generation = 0;
    loop {
        generation += 1;
        persist::write_store_file(&path, &big_book(generation)).expect("save");
    }
}

#[test]
fn kill_during_save_never_corrupts_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accounts.json");
    persist::write_store_file(&path, &big_book(0)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut latest = 0;
    for round in 0..12u64 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_saves_in_a_loop",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .spawn()
            .unwrap();
        // Staggered, so kills land at different points of a save.
        std::thread::sleep(Duration::from_millis(120 + round * 37));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        match persist::load_store_file(&path).unwrap() {
            Loaded::Ok(map) => {
                let book: AccountBook =
                    serde_json::from_value(map["book"].clone()).expect("a whole book");
                assert_eq!(book.len(), 3_000, "round {round}");
                let login = adkeep_core::logins::LoginId::new("1").unwrap();
                let profile = book.logins[&login].profile.clone().expect("profile");
                let generation: u64 = profile.id.parse().unwrap();
                latest = latest.max(generation);
            }
            other => panic!("round {round}: the file was left {other:?}"),
        }
    }
    assert!(latest > 0, "the child was saving when it was killed");
}
