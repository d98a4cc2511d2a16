//! Writing and removing the entry, per OS. Linux and macOS entries are
//! files (replaced atomically, and only when their text changes); Windows'
//! is a `Run` value written through `auto-launch` with the path quoted.

use std::io;
use std::path::{Path, PathBuf};

#[cfg(not(windows))]
use super::entry;

/// This program's path. A running program whose file was replaced (an
/// upgrade) reads as "… (deleted)" on Linux: the new file at the same place
/// is the one to start.
pub fn this_program() -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let text = exe.to_string_lossy();
    if let Some(kept) = text.strip_suffix(" (deleted)") {
        let kept = PathBuf::from(kept);
        if kept.exists() {
            return Ok(kept);
        }
    }
    Ok(exe)
}

fn unwritable(program: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "the program's path cannot be written in a login entry ({})",
            program.display()
        ),
    )
}

fn program_text(program: &Path) -> io::Result<&str> {
    program.to_str().ok_or_else(|| unwritable(program))
}

/// Writes `text` to `path` unless it already holds exactly that.
#[cfg(not(windows))]
fn write_if_changed(path: &Path, text: &str) -> io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|now| now == text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    adkeep_core::persist::replace_file(path, text.as_bytes())
}

#[cfg(not(windows))]
fn remove_if_there(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// `$XDG_CONFIG_HOME/autostart/NAME.desktop` (by default under `~/.config`).
#[cfg(all(unix, not(target_os = "macos")))]
fn entry_path(name: &str) -> io::Result<PathBuf> {
    let config = dirs::config_dir()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no home folder"))?;
    Ok(config.join("autostart").join(format!("{name}.desktop")))
}

#[cfg(all(unix, not(target_os = "macos")))]
pub fn register(name: &str, program: &Path, args: &[&str]) -> io::Result<()> {
    let text = entry::desktop_entry(name, program_text(program)?, args)
        .map_err(|_| unwritable(program))?;
    write_if_changed(&entry_path(name)?, &text)
}

#[cfg(all(unix, not(target_os = "macos")))]
pub fn unregister(name: &str) -> io::Result<()> {
    remove_if_there(&entry_path(name)?)
}

/// `~/Library/LaunchAgents/NAME.plist`.
#[cfg(target_os = "macos")]
fn entry_path(name: &str) -> io::Result<PathBuf> {
    let home = dirs::home_dir()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no home folder"))?;
    Ok(home
        .join("Library")
        .join("LaunchAgents")
        .join(format!("{name}.plist")))
}

#[cfg(target_os = "macos")]
pub fn register(name: &str, program: &Path, args: &[&str]) -> io::Result<()> {
    let text =
        entry::launch_agent(name, program_text(program)?, args).map_err(|_| unwritable(program))?;
    write_if_changed(&entry_path(name)?, &text)
}

#[cfg(target_os = "macos")]
pub fn unregister(name: &str) -> io::Result<()> {
    remove_if_there(&entry_path(name)?)
}

#[cfg(windows)]
fn run_entry(name: &str, program: &Path, args: &[&str]) -> io::Result<auto_launch::AutoLaunch> {
    let text = program_text(program)?;
    super::entry::run_value(text, &[]).map_err(|_| unwritable(program))?;
    // auto-launch writes "PATH ARGS": the path goes in already quoted.
    auto_launch::AutoLaunchBuilder::new()
        .set_app_name(name)
        .set_app_path(&format!("\"{text}\""))
        .set_args(args)
        .build()
        .map_err(io::Error::other)
}

#[cfg(windows)]
pub fn register(name: &str, program: &Path, args: &[&str]) -> io::Result<()> {
    run_entry(name, program, args)?
        .enable()
        .map_err(io::Error::other)
}

#[cfg(windows)]
pub fn unregister(name: &str) -> io::Result<()> {
    let entry = run_entry(name, Path::new("adkeep.exe"), &[])?;
    if entry.is_enabled().map_err(io::Error::other)? {
        entry.disable().map_err(io::Error::other)?;
    }
    Ok(())
}
