// Registers the app's commands with Tauri's ACL so a window can call only
// what its capability allows (the login popup matches no capability at all).
const COMMANDS: &[&str] = &[
    "app_state",
    "refresh_account",
    "refresh_selected",
    "refresh_all",
    "cancel_refresh",
    "enter_sandbox",
    "leave_sandbox",
    "save_settings",
    "dismiss_notice",
    "open_link",
    "reauthenticate",
    "confirm_switch_user",
    "disconnect",
    "set_app_secret",
    "clear_app_secret",
    "allow_plaintext_token",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
