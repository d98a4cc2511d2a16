// Registers the app's commands with Tauri's ACL so a window can call only
// what its capability allows (the login popup matches no capability at all).
const COMMANDS: &[&str] = include!("src/command_names.rs");

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
