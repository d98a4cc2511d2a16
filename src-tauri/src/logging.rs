//! Logs: stderr, plus a daily file in `<data>/logs` for the app. Nothing here
//! ever receives a token (requests carry it in a header that is not logged).

use std::path::Path;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps the file writer flushing until dropped.
pub type Guard = tracing_appender::non_blocking::WorkerGuard;

/// For the window: info to stderr and to `<data>/logs/adkeep.log.<date>`.
pub fn init_app(data_dir: &Path) -> Option<Guard> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,adkeep_app=debug,adkeep_core=info"));
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("adkeep.log")
        .max_log_files(14)
        .build(data_dir.join("logs"));
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
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

/// For the CLI: warnings only, on stderr (stdout is for output).
pub fn init_cli() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
