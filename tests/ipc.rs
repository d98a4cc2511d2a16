//! The app on Tauri's mock runtime with its own compiled capabilities: the
//! commands through the real IPC and ACL (the main window may call them; a
//! window showing Facebook's login page may call nothing at all), and the tray
//! menu's actions through the same function the menu calls.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use adkeep_app::views::Present;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

fn request(command: &str, origin: &str, body: serde_json::Value) -> InvokeRequest {
    InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: origin.parse().expect("url"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

/// The app, started: one iteration of the mock runtime runs its setup (state,
/// the configured windows), as the real event loop does first thing.
fn app(dir: &std::path::Path) -> tauri::App<tauri::test::MockRuntime> {
    let mut app = adkeep_app::build_app(mock_builder(), Some(dir.to_path_buf()))
        .build(tauri::generate_context!())
        .expect("the app builds");
    #[allow(deprecated)] // the supported way to run setup without blocking in a test
    app.run_iteration(|_, _| {});
    app
}

/// The app's own window, as tauri.conf.json declares it (the mock runtime
/// creates configured windows only when the app runs).
fn main_window(
    app: &tauri::App<tauri::test::MockRuntime>,
) -> tauri::WebviewWindow<tauri::test::MockRuntime> {
    app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(app, "main", WebviewUrl::default())
            .build()
            .expect("main window")
    })
}

#[test]
fn the_main_window_reads_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let main = main_window(&app);
    let response = get_ipc_response(
        &main,
        request("app_state", "tauri://localhost", serde_json::json!({})),
    )
    .expect("main may read the state");
    let state: serde_json::Value = response.deserialize().unwrap();
    assert_eq!(state["mode"], "unconfigured");
    assert_eq!(state["accounts"], serde_json::json!([]));
    assert_eq!(state["settings"]["api_version"], "v27.0");
}

#[test]
fn the_main_windows_capability_allows_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let main = main_window(&app);
    // Commands that would open windows or change state are called with bad
    // arguments: refused by the command, never by the ACL.
    for command in adkeep_app::commands::NAMES {
        let result = get_ipc_response(
            &main,
            request(
                command,
                "tauri://localhost",
                serde_json::json!({"id": "x", "ids": ["x"], "url": "x", "settings": {"api_version": "x"}, "replace": false, "forgetFacebookSession": false, "secret": "x", "allow": false}),
            ),
        );
        if let Err(error) = result {
            let text = error.to_string();
            assert!(
                !text.contains("not allowed"),
                "{command} is missing from capabilities/main.json: {text}"
            );
        }
    }
}

#[test]
fn typed_errors_reach_the_ui_with_a_kind() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let main = main_window(&app);
    let error = get_ipc_response(
        &main,
        request(
            "refresh_account",
            "tauri://localhost",
            serde_json::json!({"id": "not-an-id"}),
        ),
    )
    .expect_err("a bad id is refused");
    assert_eq!(error["kind"], "settings");
    let error = get_ipc_response(
        &main,
        request(
            "save_settings",
            "tauri://localhost",
            serde_json::json!({"settings": {"api_version": "27"}}),
        ),
    )
    .expect_err("a bad version is refused");
    assert_eq!(error["kind"], "settings");
}

#[test]
fn the_login_popup_cannot_invoke_any_command() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let popup = WebviewWindowBuilder::new(
        &app,
        "facebook-login",
        WebviewUrl::External(
            "https://www.facebook.com/v27.0/dialog/oauth"
                .parse()
                .unwrap(),
        ),
    )
    .build()
    .unwrap();
    // The same request from the main window works, so refusals below are the ACL's doing.
    let main = main_window(&app);
    assert!(
        get_ipc_response(
            &main,
            request("app_state", "tauri://localhost", serde_json::json!({}))
        )
        .is_ok()
    );

    let mut commands: Vec<&str> = adkeep_app::commands::NAMES.to_vec();
    commands.extend([
        "plugin:store|get",
        "plugin:store|save",
        "plugin:opener|open_url",
        "plugin:event|listen",
        "plugin:event|emit",
    ]);
    for command in commands {
        for origin in ["https://www.facebook.com", "tauri://localhost"] {
            let result = get_ipc_response(&popup, request(command, origin, serde_json::json!({})));
            assert!(
                result.is_err(),
                "{command} from the popup ({origin}) must be refused"
            );
        }
    }
}

#[test]
fn tray_actions_do_what_the_window_does() {
    use adkeep_app::desktop::tray::{TrayAction, perform};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.json"),
        r#"{"settings": {"mode": "sandbox"}}"#,
    )
    .unwrap();
    let app = app(dir.path());
    let main = main_window(&app);
    let backend = app
        .state::<std::sync::Arc<adkeep_app::backend::Backend>>()
        .inner()
        .clone();

    // Refresh all, with the window hidden (as when closed to the tray).
    main.hide().unwrap();
    perform(app.handle(), TrayAction::RefreshAll);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while backend.session().book().len() < 40 || backend.refreshing_all() {
        assert!(
            std::time::Instant::now() < deadline,
            "the tray refresh did not finish"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let overview = backend.overview();
    assert_eq!(
        overview.level,
        adkeep_app::views::Level::Attention,
        "{overview:?}"
    );
    // The tray line counts by severity, as the window's header does.
    let counts = backend.attention_counts();
    let expected = format!("{} blocked · {} warnings", counts.blocking, counts.warning);
    assert!(counts.blocking > 0 && counts.warning > 1, "{counts:?}");
    assert!(overview.status.contains(&expected), "{}", overview.status);
    assert!(overview.tooltip.starts_with("Adkeep — "));

    // Open Adkeep brings the window back.
    perform(app.handle(), TrayAction::Open);
    assert!(main.is_visible().unwrap());
}
