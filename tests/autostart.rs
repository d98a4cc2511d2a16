//! Launch at login through the official autostart plugin, on the mock
//! runtime: saving the setting really registers Adkeep (on Linux the
//! plugin's `~/.config/autostart/Adkeep.desktop`, starting it hidden) and
//! unregisters it again. The test runs itself again as a child process with
//! HOME pointing at a temporary folder (the plugin writes under HOME).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
#![cfg(target_os = "linux")]

mod mock;

use mock::{invoke, main_window, started};
use tauri::test::mock_builder;

const CHILD: &str = "ADKEEP_AUTOSTART_TEST_HOME";

#[test]
fn the_setting_registers_and_unregisters_adkeep_with_the_desktop() {
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "registers_and_unregisters_under_home",
            "--ignored",
            "--nocapture",
        ])
        .env("HOME", home.path())
        .env(CHILD, home.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("1 passed"), "the child ran the test: {text}");
}

#[test]
#[ignore = "run by the test above with its own HOME"]
fn registers_and_unregisters_under_home() {
    let home = std::path::PathBuf::from(std::env::var_os(CHILD).expect("run by the parent test"));
    let data = tempfile::tempdir().unwrap();
    let app = started(
        mock_builder().plugin(adkeep_app::desktop::autostart::plugin()),
        data.path(),
    );
    let main = main_window(&app);
    let entry = home.join(".config/autostart/Adkeep.desktop");
    assert!(!entry.exists(), "off by default");

    let state = invoke(&main, "app_state", serde_json::json!({})).unwrap();
    let mut settings = state["settings"].clone();
    settings["launch_at_login"] = true.into();
    let saved = invoke(
        &main,
        "save_settings",
        serde_json::json!({ "settings": settings }),
    )
    .expect("saved");
    assert_eq!(saved["launch_at_login"], true);
    let desktop = std::fs::read_to_string(&entry).expect("registered with the desktop");
    let exec = desktop
        .lines()
        .find(|l| l.starts_with("Exec="))
        .expect("an Exec line");
    let exe = std::env::current_exe().unwrap();
    assert!(
        exec.contains(&*exe.to_string_lossy()),
        "starts this program: {exec}"
    );
    assert!(exec.ends_with(" --hidden"), "starts hidden: {exec}");
    assert!(adkeep_app::desktop::autostart::started_hidden(&[
        "adkeep".into(),
        "--hidden".into()
    ]));

    settings["launch_at_login"] = false.into();
    invoke(
        &main,
        "save_settings",
        serde_json::json!({ "settings": settings }),
    )
    .expect("saved");
    assert!(!entry.exists(), "unregistered");
    let state = invoke(&main, "app_state", serde_json::json!({})).unwrap();
    assert_eq!(state["settings"]["launch_at_login"], false);
}
