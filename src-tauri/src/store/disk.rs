//! The account book on disk, shared by every Adkeep process using the data
//! folder (the window, the tray, the CLI). Writes happen under the folder's
//! book lock and merge in whatever another process saved since this one
//! last read or wrote the file (`book::merged`), so a `refresh ID` or a
//! `doctor` never undoes a concurrent refresh-all's work, nor the reverse.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use adkeep_core::book::AccountBook;
use adkeep_core::persist;
use adkeep_core::session::Session;

use super::{BookKind, Read, Stores};

/// What the book file looked like: enough to notice another writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: SystemTime,
    len: u64,
}

/// The file as this process last read or wrote it, and the book it held.
#[derive(Default)]
struct Last {
    stamp: Option<Stamp>,
    book: AccountBook,
}

pub struct Disk {
    stores: Arc<dyn Stores>,
    last: Mutex<Last>,
}

impl Disk {
    pub fn new(stores: Arc<dyn Stores>) -> Self {
        Self {
            stores,
            last: Mutex::new(Last::default()),
        }
    }

    fn last(&self) -> MutexGuard<'_, Last> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn stamp(&self, kind: BookKind) -> Option<Stamp> {
        let meta = std::fs::metadata(self.stores.data_dir().join(kind.file())).ok()?;
        Some(Stamp {
            modified: meta.modified().ok()?,
            len: meta.len(),
        })
    }

    /// The book as stored, brought up to this version's format (a book an
    /// earlier release wrote loads with nothing lost).
    fn read_current(&self, kind: BookKind) -> io::Result<Read<AccountBook>> {
        Ok(match self.stores.load_book(kind)? {
            Read::Ok(mut book) => {
                book.migrate();
                Read::Ok(book)
            }
            other => other,
        })
    }

    /// Reads the book (at start, or after switching mode).
    pub fn load(&self, kind: BookKind) -> io::Result<Read<AccountBook>> {
        let read = self.read_current(kind)?;
        let mut last = self.last();
        last.stamp = self.stamp(kind);
        last.book = match &read {
            Read::Ok(book) => book.clone(),
            _ => AccountBook::new(),
        };
        Ok(read)
    }

    /// Whether another process wrote the book since this one last saw it.
    pub fn changed(&self, kind: BookKind) -> bool {
        let now = self.stamp(kind);
        now.is_some() && now != self.last().stamp
    }

    /// Takes in what another process saved, keeping this session's own
    /// changes that are not saved yet.
    pub fn reload(&self, kind: BookKind, session: &Session) -> io::Result<()> {
        let stamp = self.stamp(kind);
        if let Read::Ok(theirs) = self.read_current(kind)? {
            let mut last = self.last();
            session.merge(&last.book, theirs.clone());
            last.book = theirs;
            last.stamp = stamp;
        }
        Ok(())
    }

    /// Writes the session's book, merged with any other process's save.
    pub fn save(&self, kind: BookKind, session: &Session) -> io::Result<()> {
        let _lock = book_lock(self.stores.data_dir(), kind)?;
        let mut last = self.last();
        let theirs = if self.stamp(kind).is_some() && self.stamp(kind) != last.stamp {
            match self.read_current(kind)? {
                Read::Ok(theirs) => Some(theirs),
                _ => None,
            }
        } else {
            None
        };
        let book = match theirs {
            Some(theirs) => {
                tracing::info!("another Adkeep process saved the account list; merging");
                session.merge(&last.book, theirs)
            }
            None => session.snapshot(),
        };
        self.stores.save_book(kind, &book)?;
        last.stamp = self.stamp(kind);
        last.book = book;
        Ok(())
    }
}

/// The folder's lock for writing one book (held for a read-merge-write).
fn book_lock(dir: &Path, kind: BookKind) -> io::Result<File> {
    let locks = dir.join("locks");
    persist::create_private_dir(&locks)?;
    let file = persist::private_options()
        .write(true)
        .create(true)
        .truncate(false)
        .open(locks.join(format!("{}.lock", kind.file())))?;
    file.lock()?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FileStores;
    use adkeep_core::graph::AccountId;
    use adkeep_core::model::{Account, AccountStatus};

    fn account(raw: &str, name: &str) -> Account {
        let id = AccountId::parse(raw).unwrap();
        let mut book = AccountBook::new();
        let problem = adkeep_core::problem::classify(
            &adkeep_core::graph::GraphError::offline("x"),
            &adkeep_core::problem::Context::new(
                adkeep_core::problem::Scope::Account,
                chrono::Utc::now(),
            ),
        );
        let mut a = book.apply_failure(&id, problem).clone();
        a.error = None;
        a.name = name.to_owned();
        a.status = AccountStatus::Active;
        a
    }

    #[test]
    fn two_processes_saving_keep_each_others_rows() {
        let dir = tempfile::tempdir().unwrap();
        let stores: Arc<dyn Stores> = Arc::new(FileStores::new(dir.path().to_path_buf()));
        let (window, cli) = (Disk::new(stores.clone()), Disk::new(stores.clone()));
        let (window_book, cli_book) = (Session::default(), Session::default());
        window.load(BookKind::Meta).unwrap();
        cli.load(BookKind::Meta).unwrap();
        window_book
            .book()
            .apply_refreshed(account("act_1", "From the window"));
        window.save(BookKind::Meta, &window_book).unwrap();
        // The CLI never re-read the file, and saves its own row.
        cli_book
            .book()
            .apply_refreshed(account("act_2", "From the CLI"));
        std::thread::sleep(std::time::Duration::from_millis(20));
        cli.save(BookKind::Meta, &cli_book).unwrap();
        let Read::Ok(on_disk) = stores.load_book(BookKind::Meta).unwrap() else {
            panic!("a book on disk");
        };
        assert_eq!(on_disk.len(), 2, "neither row was lost");
        assert!(window.changed(BookKind::Meta));
        window.reload(BookKind::Meta, &window_book).unwrap();
        assert_eq!(window_book.book().len(), 2);
        assert!(!window.changed(BookKind::Meta));
    }
}
