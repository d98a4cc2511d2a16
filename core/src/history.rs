//! The history: every change a refresh found (`changes::between`), kept in
//! an embedded SQLite database in the data folder. Append-mostly, bounded
//! (180 days, 100,000 events), shared by the window and the CLI (SQLite's
//! locking with a busy timeout). Events are ordered by when they were
//! recorded (a row id), so a clock that jumps backwards never reorders them.
//! A database that cannot be read is set aside and started afresh; the
//! account list never depends on it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, params};

use crate::changes::{Change, ChangeKind};
use crate::graph::ids::AccountId;
use crate::logins::LoginId;
use crate::persist;

/// The database's file in the data folder.
pub const FILE: &str = "history.sqlite3";
/// Events older than this are pruned.
pub const KEEP_DAYS: i64 = 180;
/// At most this many events are kept (the oldest go first).
pub const KEEP_EVENTS: i64 = 100_000;
/// How long a write waits for another process's.
const BUSY_WAIT: Duration = Duration::from_secs(5);
/// The schema this build writes (`PRAGMA user_version`).
const SCHEMA: i32 = 2;

/// The events.
const MIGRATE_TO_1: &str = "
    BEGIN IMMEDIATE;
    CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        account_id TEXT,
        account_name TEXT,
        login TEXT,
        kind TEXT NOT NULL,
        from_value TEXT,
        to_value TEXT,
        worse INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS events_at ON events(at_ms);
    CREATE INDEX IF NOT EXISTS events_account ON events(account_id, id);
    PRAGMA user_version = 1;
    COMMIT;";

/// Alerts: the destinations, what each was told and is still open, and the
/// outbox (a delivery is written before it is sent).
const MIGRATE_TO_2: &str = "
    BEGIN IMMEDIATE;
    CREATE TABLE IF NOT EXISTS alert_destinations (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        config TEXT NOT NULL,
        failing TEXT,
        failing_since_ms INTEGER
    );
    CREATE TABLE IF NOT EXISTS alert_open (
        destination TEXT NOT NULL,
        key TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (destination, key)
    );
    CREATE TABLE IF NOT EXISTS alert_deliveries (
        id TEXT PRIMARY KEY,
        destination TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        alerts TEXT NOT NULL,
        test INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_ms INTEGER NOT NULL,
        not_before_ms INTEGER,
        last_error TEXT,
        done_ms INTEGER
    );
    CREATE INDEX IF NOT EXISTS deliveries_due ON alert_deliveries(state, next_ms);
    PRAGMA user_version = 2;
    COMMIT;";

/// Why the history could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("the history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the history database: {0}")]
    Io(#[from] std::io::Error),
    #[error("the history database was written by a newer Adkeep (schema {0})")]
    Newer(i32),
    #[error("the history database failed its integrity check: {0}")]
    Damaged(String),
}

impl HistoryError {
    /// The file itself is unreadable (set it aside), as opposed to a
    /// passing condition such as another process holding the lock.
    fn is_damage(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            Self::Damaged(_) => true,
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                matches!(e.code, DatabaseCorrupt | NotADatabase)
            }
            _ => false,
        }
    }
}

/// What opening found.
#[derive(Debug)]
pub enum Opened {
    Ready(History),
    /// The file could not be read: it was moved to `set_aside` and a new one
    /// started (its events are in the old file).
    Restarted {
        history: History,
        set_aside: PathBuf,
        reason: String,
    },
}

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub since: Option<DateTime<Utc>>,
    pub account: Option<AccountId>,
    pub login: Option<LoginId>,
    pub kind: Option<ChangeKind>,
    pub limit: Option<usize>,
}

#[derive(Debug)]
pub struct History {
    pub(crate) connection: Connection,
    path: PathBuf,
}

impl History {
    /// Opens (or creates) the history in `dir`; an unreadable file is set
    /// aside and a fresh one started.
    pub fn open(dir: &Path) -> Result<Opened, HistoryError> {
        Self::open_file(dir, FILE)
    }

    /// Like `open`, for a history under another name (the sandbox keeps its own).
    pub fn open_file(dir: &Path, name: &str) -> Result<Opened, HistoryError> {
        let path = dir.join(name);
        match Self::open_at(&path) {
            Ok(history) => Ok(Opened::Ready(history)),
            Err(error) if path.exists() && error.is_damage() => {
                let reason = error.to_string();
                tracing::warn!("setting the history aside: {reason}");
                let set_aside = persist::move_aside(&path)?;
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(dir.join(format!("{name}{suffix}")));
                }
                let history = Self::open_at(&path)?;
                Ok(Opened::Restarted {
                    history,
                    set_aside,
                    reason,
                })
            }
            Err(error) => Err(error),
        }
    }

    fn open_at(path: &Path) -> Result<Self, HistoryError> {
        if !path.exists() {
            // Created private (0600) before SQLite opens it; another
            // process may create it first, which is as good.
            match persist::private_options()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e.into()),
            }
        }
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(BUSY_WAIT)?;
        let check: String = connection.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(HistoryError::Damaged(check));
        }
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        let history = Self {
            connection,
            path: path.to_path_buf(),
        };
        history.migrate()?;
        Ok(history)
    }

    /// Brings the schema up to `SCHEMA`, one numbered step at a time. Each
    /// step takes the write lock first (IMMEDIATE: waiting for another
    /// process's migration), so two first opens cannot deadlock.
    fn migrate(&self) -> Result<(), HistoryError> {
        let version: i32 = self
            .connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA {
            return Err(HistoryError::Newer(version));
        }
        for (step, sql) in [(1, MIGRATE_TO_1), (2, MIGRATE_TO_2)] {
            if version < step {
                self.connection.execute_batch(sql)?;
            }
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records changes (one transaction), then prunes what is too old or
    /// too many.
    pub fn record(&mut self, changes: &[Change]) -> Result<(), HistoryError> {
        if changes.is_empty() {
            return Ok(());
        }
        let tx = self.connection.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (at, at_ms, account_id, account_name, login, kind, from_value, to_value, worse)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for c in changes {
                insert.execute(params![
                    c.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    c.at.timestamp_millis(),
                    c.account_id.as_ref().map(AccountId::as_str),
                    c.account_name,
                    c.login.as_ref().map(LoginId::as_str),
                    c.kind.name(),
                    c.from,
                    c.to,
                    c.worse,
                ])?;
            }
        }
        let oldest = (Utc::now() - chrono::Duration::days(KEEP_DAYS)).timestamp_millis();
        tx.execute("DELETE FROM events WHERE at_ms < ?1", [oldest])?;
        // Ids only grow (AUTOINCREMENT): the newest KEEP_EVENTS ids bound the
        // table without counting it.
        tx.execute(
            "DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?1",
            [KEEP_EVENTS],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Events, newest first.
    pub fn read(&self, query: &Query) -> Result<Vec<Change>, HistoryError> {
        let (sql, args) = query.sql();
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(
            rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())),
            |row| {
                Ok(Row {
                    at: row.get(0)?,
                    account: row.get(1)?,
                    name: row.get(2)?,
                    login: row.get(3)?,
                    kind: row.get(4)?,
                    from: row.get(5)?,
                    to: row.get(6)?,
                    worse: row.get(7)?,
                })
            },
        )?;
        let mut changes = Vec::new();
        for row in rows {
            // A row this build cannot read (a kind from a newer Adkeep) is skipped.
            changes.extend(row?.into_change());
        }
        Ok(changes)
    }

    pub fn count(&self) -> Result<i64, HistoryError> {
        Ok(self
            .connection
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?)
    }
}

/// One stored event, as SQLite holds it.
struct Row {
    at: String,
    account: Option<String>,
    name: Option<String>,
    login: Option<String>,
    kind: String,
    from: Option<String>,
    to: Option<String>,
    worse: bool,
}

impl Row {
    fn into_change(self) -> Option<Change> {
        let at = DateTime::parse_from_rfc3339(&self.at).ok()?;
        Some(Change {
            at: at.with_timezone(&Utc),
            account_id: self.account.as_deref().and_then(AccountId::parse),
            account_name: self.name,
            login: self.login.as_deref().and_then(LoginId::new),
            kind: ChangeKind::from_name(&self.kind)?,
            from: self.from,
            to: self.to,
            worse: self.worse,
        })
    }
}

impl Query {
    /// The SELECT for this query and its arguments, in order.
    fn sql(&self) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
        let mut sql = String::from(
            "SELECT at, account_id, account_name, login, kind, from_value, to_value, worse FROM events WHERE 1 = 1",
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(since) = self.since {
            sql.push_str(" AND at_ms >= ?");
            args.push(Box::new(since.timestamp_millis()));
        }
        if let Some(account) = &self.account {
            sql.push_str(" AND account_id = ?");
            args.push(Box::new(account.as_str().to_owned()));
        }
        if let Some(login) = &self.login {
            sql.push_str(" AND login = ?");
            args.push(Box::new(login.as_str().to_owned()));
        }
        if let Some(kind) = self.kind {
            sql.push_str(" AND kind = ?");
            args.push(Box::new(kind.name()));
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        let limit = self
            .limit
            .map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
        args.push(Box::new(limit));
        (sql, args)
    }
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
