// No console window for the app on Windows; the CLI still prints when run from one.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if !adkeep_app::wants_window(&args) {
        std::process::exit(adkeep_app::cli::run(args));
    }
    adkeep_app::run();
}
