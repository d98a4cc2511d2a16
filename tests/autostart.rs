//! Launch at login, on the mock runtime: saving the setting really
//! registers Adkeep (on Linux `~/.config/autostart/Adkeep.desktop`, starting
//! it hidden) and unregisters it again; a program whose path holds spaces
//! and quotes is started whole, and a moved program's entry follows it. The
//! test runs itself again as a child process (a copy of it, for the paths)
//! with HOME pointing at a temporary folder.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
#![cfg(target_os = "linux")]

mod mock;

use std::path::{Path, PathBuf};

use mock::{invoke, main_window, started};
use tauri::test::mock_builder;

const CHILD_HOME: &str = "ADKEEP_AUTOSTART_TEST_HOME";
const CHILD_DATA: &str = "ADKEEP_AUTOSTART_TEST_DATA";

/// Runs the ignored test `name` in `program` with HOME at `home`.
fn run_child(program: &Path, name: &str, home: &Path, data: &Path) {
    let output = std::process::Command::new(program)
        .args(["--exact", name, "--ignored", "--nocapture"])
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env(CHILD_HOME, home)
        .env(CHILD_DATA, data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("1 passed"), "the child ran the test: {text}");
}

fn entry_in(home: &Path) -> PathBuf {
    home.join(".config/autostart/Adkeep.desktop")
}

/// The program and arguments of the entry's `Exec=`, read as the desktop
/// reads them (string escapes, then quoting, then `%%`).
fn exec_of(entry: &Path) -> Vec<String> {
    let desktop = std::fs::read_to_string(entry).expect("registered with the desktop");
    let exec = desktop
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("an Exec line");
    let unescaped = exec.replace("\\\\", "\\");
    let (mut args, mut current, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = unescaped.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => current.extend(chars.next()),
            ' ' if !quoted => args.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    args.push(current);
    args.into_iter().map(|a| a.replace("%%", "%")).collect()
}

/// A copy of this test program at `path` (a hard link where it can be).
fn place_program(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let me = std::env::current_exe().unwrap();
    if std::fs::hard_link(&me, path).is_err() {
        std::fs::copy(&me, path).unwrap();
    }
}

#[test]
fn the_setting_registers_and_unregisters_adkeep_with_the_desktop() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    run_child(
        &me,
        "registers_and_unregisters_under_home",
        home.path(),
        data.path(),
    );
}

#[test]
fn a_path_with_spaces_and_quotes_starts_whole_and_a_moved_program_is_followed() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let first = home
        .path()
        .join(r#"My "Apps" & o'Neil's $HOME 100%/adkeep test"#);
    place_program(&first);
    run_child(&first, "turns_it_on", home.path(), data.path());
    let entry = entry_in(home.path());
    assert_eq!(exec_of(&entry), [first.to_str().unwrap(), "--hidden"]);

    // The program moves; started from its new place, the entry follows.
    let moved = home.path().join("moved here/back\\slash/adkeep");
    place_program(&moved);
    std::fs::remove_file(&first).unwrap();
    run_child(
        &moved,
        "starts_with_the_setting_on",
        home.path(),
        data.path(),
    );
    assert_eq!(exec_of(&entry), [moved.to_str().unwrap(), "--hidden"]);
}

fn child_dirs() -> (PathBuf, PathBuf) {
    let home = std::env::var_os(CHILD_HOME).expect("run by a parent test");
    let data = std::env::var_os(CHILD_DATA).expect("run by a parent test");
    (PathBuf::from(home), PathBuf::from(data))
}

fn save_launch_at_login(main: &tauri::WebviewWindow<tauri::test::MockRuntime>, on: bool) {
    let state = invoke(main, "app_state", serde_json::json!({})).unwrap();
    let mut settings = state["settings"].clone();
    settings["launch_at_login"] = on.into();
    let saved = invoke(
        main,
        "save_settings",
        serde_json::json!({ "settings": settings }),
    )
    .expect("saved");
    assert_eq!(saved["launch_at_login"], on);
}

#[test]
#[ignore = "run by a test above with its own HOME"]
fn registers_and_unregisters_under_home() {
    let (home, data) = child_dirs();
    let app = started(
        mock_builder().plugin(adkeep_app::desktop::autostart::plugin()),
        &data,
    );
    let main = main_window(&app);
    let entry = entry_in(&home);
    assert!(!entry.exists(), "off by default");

    save_launch_at_login(&main, true);
    let exe = std::env::current_exe().unwrap();
    assert_eq!(exec_of(&entry), [exe.to_str().unwrap(), "--hidden"]);
    assert!(adkeep_app::desktop::autostart::started_hidden(&[
        "adkeep".into(),
        "--hidden".into()
    ]));

    save_launch_at_login(&main, false);
    assert!(!entry.exists(), "unregistered");
    let state = invoke(&main, "app_state", serde_json::json!({})).unwrap();
    assert_eq!(state["settings"]["launch_at_login"], false);
}

#[test]
#[ignore = "run by a test above with its own HOME"]
fn turns_it_on() {
    let (_home, data) = child_dirs();
    let app = started(
        mock_builder().plugin(adkeep_app::desktop::autostart::plugin()),
        &data,
    );
    save_launch_at_login(&main_window(&app), true);
}

#[test]
#[ignore = "run by a test above with its own HOME"]
fn starts_with_the_setting_on() {
    let (home, data) = child_dirs();
    let _app = started(
        mock_builder().plugin(adkeep_app::desktop::autostart::plugin()),
        &data,
    );
    assert!(entry_in(&home).exists());
}
