//! Where settings and the account book are kept. Two implementations of one
//! trait: tauri-plugin-store for the app (`plugin`), plain files for the CLI
//! and the watcher (same file format, same folder). Both check files before
//! use (an unreadable file is set aside and reported) and write atomically.
//! `disk` shares the book with other Adkeep processes.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use adkeep_core::book::AccountBook;
use adkeep_core::config::{
    ACCOUNTS_FILE, BOOK_KEY, SANDBOX_ACCOUNTS_FILE, SETTINGS_FILE, SETTINGS_KEY,
};
use adkeep_core::persist::{self, LoadedKey};
use adkeep_core::settings::Settings;

pub mod disk;
pub mod plugin;

pub use disk::Disk;
pub use plugin::PluginStores;

/// Which account book: the user's own, or the sandbox's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookKind {
    Meta,
    Sandbox,
}

impl BookKind {
    pub fn file(self) -> &'static str {
        match self {
            Self::Meta => ACCOUNTS_FILE,
            Self::Sandbox => SANDBOX_ACCOUNTS_FILE,
        }
    }
}

/// A value read from a store file.
#[derive(Debug)]
pub enum Read<T> {
    Missing,
    Ok(T),
    /// The file (or the value in it) was unreadable and was moved aside.
    SetAside {
        path: PathBuf,
        reason: String,
    },
}

pub trait Stores: Send + Sync {
    fn data_dir(&self) -> &Path;
    fn load_settings(&self) -> io::Result<Read<Settings>>;
    fn save_settings(&self, settings: &Settings) -> io::Result<()>;
    fn load_book(&self, kind: BookKind) -> io::Result<Read<AccountBook>>;
    fn save_book(&self, kind: BookKind, book: &AccountBook) -> io::Result<()>;
}

/// Reads `key` from a store file, setting the file aside if it or the value
/// cannot be read.
pub fn read_value<T: DeserializeOwned>(path: &Path, key: &str) -> io::Result<Read<T>> {
    Ok(match persist::load_store_key(path, key)? {
        LoadedKey::Missing => Read::Missing,
        LoadedKey::Ok(value) => Read::Ok(value),
        LoadedKey::Corrupt { set_aside, reason } => Read::SetAside {
            path: set_aside,
            reason,
        },
    })
}

pub fn entry<T: Serialize>(key: &str, value: &T) -> io::Result<Map<String, Value>> {
    let mut map = Map::new();
    map.insert(
        key.to_owned(),
        serde_json::to_value(value).map_err(io::Error::other)?,
    );
    Ok(map)
}

/// Plain files (the CLI, and anything without a Tauri app).
pub struct FileStores {
    dir: PathBuf,
}

impl FileStores {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

impl Stores for FileStores {
    fn data_dir(&self) -> &Path {
        &self.dir
    }

    fn load_settings(&self) -> io::Result<Read<Settings>> {
        read_value(&self.dir.join(SETTINGS_FILE), SETTINGS_KEY)
    }

    fn save_settings(&self, settings: &Settings) -> io::Result<()> {
        persist::write_store_file(
            &self.dir.join(SETTINGS_FILE),
            &entry(SETTINGS_KEY, settings)?,
        )
    }

    fn load_book(&self, kind: BookKind) -> io::Result<Read<AccountBook>> {
        read_value(&self.dir.join(kind.file()), BOOK_KEY)
    }

    fn save_book(&self, kind: BookKind, book: &AccountBook) -> io::Result<()> {
        // The store plugin's format (a JSON object of keys), written straight
        // from the book: no intermediate JSON tree for thousands of rows, and
        // compact (indentation was half the file).
        let file = std::collections::BTreeMap::from([(BOOK_KEY, book)]);
        let bytes = serde_json::to_vec(&file).map_err(io::Error::other)?;
        persist::atomic_write(&self.dir.join(kind.file()), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn books_round_trip_and_a_bad_one_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let stores = FileStores::new(dir.path().to_path_buf());
        assert!(matches!(
            stores.load_book(BookKind::Meta).unwrap(),
            Read::Missing
        ));
        let mut book = AccountBook::new();
        book.listed_once = true;
        stores.save_book(BookKind::Meta, &book).unwrap();
        assert!(matches!(stores.load_book(BookKind::Meta).unwrap(), Read::Ok(b) if b.listed_once));
        assert!(matches!(
            stores.load_book(BookKind::Sandbox).unwrap(),
            Read::Missing
        ));

        // Valid JSON, but not a book: set aside too.
        std::fs::write(
            dir.path().join(ACCOUNTS_FILE),
            br#"{"book": {"accounts": 12}}"#,
        )
        .unwrap();
        match stores.load_book(BookKind::Meta).unwrap() {
            Read::SetAside { path, .. } => assert!(path.exists()),
            other => panic!("{other:?}"),
        }
        assert!(!dir.path().join(ACCOUNTS_FILE).exists());
    }
}
