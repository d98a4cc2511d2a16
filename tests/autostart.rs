//! Launch at login through the official autostart plugin, on the mock
//! runtime: saving the setting really registers Adkeep (on Linux the
//! plugin's `~/.config/autostart/Adkeep.desktop`, starting it hidden) and
//! unregisters it again. The test runs itself again as a child process with
//! HOME pointing at a temporary folder (the plugin writes under HOME).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
#![cfg(target_os = "linux")]

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

fn invoke(
    window: &tauri::WebviewWindow<MockRuntime>,
    command: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let request = InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|r| r.deserialize().unwrap())
}

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
    let builder = mock_builder().plugin(adkeep_app::autostart::plugin());
    let mut app = adkeep_app::build_app(builder, Some(data.path().to_path_buf()))
        .build(tauri::generate_context!())
        .expect("the app builds");
    #[allow(deprecated)] // runs setup without blocking, as in tests/ipc.rs
    app.run_iteration(|_, _| {});
    let main = app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
            .build()
            .expect("main window")
    });
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
    assert!(adkeep_app::autostart::started_hidden(&[
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
