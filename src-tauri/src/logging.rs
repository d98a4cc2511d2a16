//! Logs: stderr, plus a file a day in `<data>/logs` for the app. Nothing here
//! ever receives a token (requests carry it in a header that is not logged,
//! and Meta's texts are scrubbed before they are kept).
//!
//! The files are written by `DailyFiles` rather than tracing-appender's
//! rolling appender, which creates files with the process's umask: ours are
//! owner-only (0600 on Unix) from the moment they exist, like every file
//! Adkeep makes. tracing-appender still does the writing off the caller's
//! thread.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use adkeep_core::persist;

/// Keeps the file writer flushing until dropped.
pub type Guard = tracing_appender::non_blocking::WorkerGuard;

/// Log files kept (one a day).
const KEEP: usize = 14;
/// The most a day's file grows: a storm of errors is cut, not the disk filled
/// (at most `KEEP` × this on disk).
const MAX_DAY_BYTES: u64 = 16 * 1024 * 1024;
const PREFIX: &str = "adkeep.log.";

/// For the window: info to stderr and to `<data>/logs/adkeep.log.<date>`.
pub fn init_app(data_dir: &Path) -> Option<Guard> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,adkeep_app=debug,adkeep_core=info"));
    use std::io::IsTerminal;
    let stderr = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match DailyFiles::open(data_dir.join("logs")) {
        Ok(files) => {
            let (writer, guard) = tracing_appender::non_blocking(files);
            let file = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file)
                .try_init();
            Some(guard)
        }
        Err(e) => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            tracing::warn!("no log file: {e}");
            None
        }
    }
}

/// For the CLI: warnings only, on stderr (stdout is for output); colour
/// only on a terminal.
pub fn init_cli() {
    init_stderr("warn");
}

/// For `adkeep watch`: what it does, on stderr (the journal, a log file).
pub fn init_watch() {
    init_stderr("info,adkeep_core=warn");
}

fn init_stderr(default: &str) {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// `adkeep.log.YYYY-MM-DD` (UTC days), owner-only, the oldest pruned.
pub struct DailyFiles {
    dir: PathBuf,
    day: Option<NaiveDate>,
    file: Option<File>,
    /// Bytes in today's file (its size when opened, then what was written).
    written: u64,
    limit: u64,
}

impl DailyFiles {
    pub fn open(dir: PathBuf) -> io::Result<Self> {
        persist::create_private_dir(&dir)?;
        let mut files = Self {
            dir,
            day: None,
            file: None,
            written: 0,
            limit: MAX_DAY_BYTES,
        };
        files.roll(chrono::Utc::now().date_naive())?;
        Ok(files)
    }

    fn roll(&mut self, today: NaiveDate) -> io::Result<()> {
        if self.day == Some(today) && self.file.is_some() {
            return Ok(());
        }
        let path = self
            .dir
            .join(format!("{PREFIX}{}", today.format("%Y-%m-%d")));
        let file = persist::private_options()
            .append(true)
            .create(true)
            .open(path)?;
        self.written = file.metadata().map_or(0, |m| m.len());
        self.file = Some(file);
        self.day = Some(today);
        self.prune();
        Ok(())
    }

    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut logs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(PREFIX))
            })
            .collect();
        logs.sort();
        let excess = logs.len().saturating_sub(KEEP);
        for old in &logs[..excess] {
            let _ = std::fs::remove_file(old);
        }
    }
}

impl Write for DailyFiles {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.roll(chrono::Utc::now().date_naive())?;
        let Some(file) = self.file.as_mut() else {
            return Ok(buf.len());
        };
        let len = buf.len() as u64;
        if self.written.saturating_add(len) > self.limit {
            // Said once, then the day's lines go to stderr only.
            if self.written != u64::MAX {
                file.write_all(
                    b"(this day's log reached its size cap; the rest of the day is not kept)\n",
                )?;
                self.written = u64::MAX;
            }
            return Ok(buf.len());
        }
        self.written += len;
        file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), File::flush)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_s_file_stops_at_its_cap() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = DailyFiles::open(dir.path().to_path_buf()).unwrap();
        files.limit = 1_000;
        for _ in 0..100 {
            files.write_all(&[b'x'; 99]).unwrap();
            files.write_all(b"\n").unwrap();
        }
        let day = chrono::Utc::now().date_naive().format("%Y-%m-%d");
        let text = std::fs::read_to_string(dir.path().join(format!("{PREFIX}{day}"))).unwrap();
        assert!(text.len() < 1_100, "{}", text.len());
        assert!(text.ends_with("is not kept)\n"), "{text}");
    }

    #[test]
    fn a_file_a_day_owner_only_and_two_weeks_kept() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let mut files = DailyFiles::open(logs.clone()).unwrap();
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for day in 0..20 {
            files.roll(start + chrono::Days::new(day)).unwrap();
            files.write_all(b"line\n").unwrap();
        }
        let names: Vec<String> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), KEEP);
        assert!(names.contains(&"adkeep.log.2026-01-20".to_owned()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for name in &names {
                let mode = std::fs::metadata(logs.join(name))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600, "{name}");
            }
            let mode = std::fs::metadata(&logs).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
