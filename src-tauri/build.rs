// Registers the app's commands with Tauri's ACL so a window can call only
// what its capability allows (the login popup matches no capability at all).
const COMMANDS: &[&str] = include!("src/commands/names.rs");

fn main() {
    commit_id();
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}

/// `adkeep --version` names the commit it was built from: the CI's
/// `ADKEEP_COMMIT` or `GITHUB_SHA`, else git's, else "unknown" (a source
/// tarball).
fn commit_id() {
    let from_env = ["ADKEEP_COMMIT", "GITHUB_SHA"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
    let from_git = || {
        let out = std::process::Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .output()
            .ok()?;
        let id = String::from_utf8(out.stdout).ok()?.trim().to_owned();
        (out.status.success() && !id.is_empty()).then_some(id)
    };
    let commit = from_env
        .map(|s| s.chars().take(12).collect())
        .or_else(from_git)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=ADKEEP_COMMIT={commit}");
    println!("cargo:rerun-if-env-changed=ADKEEP_COMMIT");
    println!("cargo:rerun-if-env-changed=GITHUB_SHA");
    for head in [".git/HEAD", ".git/refs/heads"] {
        if std::path::Path::new(head).exists() {
            println!("cargo:rerun-if-changed={head}");
        }
    }
}
