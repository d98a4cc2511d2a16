//! `Stores` through tauri-plugin-store. The plugin holds the values and loads
//! the files; two things it does not do are done here: an unreadable file is
//! set aside and reported before the plugin would silently replace it with an
//! empty store, and every save is atomic (the plugin's own save is a plain
//! `fs::write`, which a kill can leave half-written). The plugin's auto-save
//! and its save-on-exit are therefore not used.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Map;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::{Store, StoreBuilder};

use adkeep_core::book::AccountBook;
use adkeep_core::config::{BOOK_KEY, SETTINGS_FILE, SETTINGS_KEY};
use adkeep_core::persist;
use adkeep_core::settings::Settings;

use super::{BookKind, Read, Stores, read_value};

pub struct PluginStores<R: Runtime> {
    app: AppHandle<R>,
    dir: PathBuf,
    open: Mutex<HashMap<&'static str, Arc<Store<R>>>>,
}

impl<R: Runtime> PluginStores<R> {
    pub fn new(app: AppHandle<R>, dir: PathBuf) -> Self {
        Self {
            app,
            dir,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// The plugin's store for `file`, and whether it was opened just now
    /// (building one reads the file).
    fn open_store(&self, file: &'static str) -> io::Result<(Arc<Store<R>>, bool)> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(store) = open.get(file) {
            return Ok((store.clone(), false));
        }
        let store = StoreBuilder::new(&self.app, self.dir.join(file))
            .disable_auto_save()
            .build()
            .map_err(io::Error::other)?;
        open.insert(file, store.clone());
        Ok((store, true))
    }

    fn store(&self, file: &'static str) -> io::Result<Arc<Store<R>>> {
        self.open_store(file).map(|(store, _)| store)
    }

    fn load<T: DeserializeOwned>(&self, file: &'static str, key: &str) -> io::Result<Read<T>> {
        let path = self.dir.join(file);
        // Read and check the file first: the plugin would load an unreadable
        // one as empty. The value read here is the one returned (a list of
        // thousands of accounts is parsed once for the answer, not again
        // from the plugin's copy).
        let read = read_value::<T>(&path, key)?;
        if let Read::SetAside { .. } = read {
            self.forget(file);
            return Ok(read);
        }
        // The plugin's copy follows the file (saves write its entries).
        let (store, fresh) = self.open_store(file)?;
        if !fresh {
            store.reload_ignore_defaults().or_else(|e| match e {
                tauri_plugin_store::Error::Io(io) if io.kind() == io::ErrorKind::NotFound => Ok(()),
                other => Err(io::Error::other(other)),
            })?;
        }
        Ok(read)
    }

    /// Writes the file first, then changes the plugin's copy: a write that
    /// fails (a full disk) leaves memory and file agreeing on the old value.
    fn save<T: Serialize>(&self, file: &'static str, key: &str, value: &T) -> io::Result<()> {
        let store = self.store(file)?;
        let value = serde_json::to_value(value).map_err(io::Error::other)?;
        let mut entries: Map<String, serde_json::Value> = store.entries().into_iter().collect();
        entries.insert(key.to_owned(), value.clone());
        persist::write_store_file(&self.dir.join(file), &entries)?;
        store.set(key, value);
        Ok(())
    }

    fn forget(&self, file: &'static str) {
        if let Some(store) = self
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(file)
        {
            store.close_resource();
        }
    }

    /// Releases the plugin's stores before exit, so its own (non-atomic)
    /// save-on-exit has nothing to write: every change is already on disk.
    pub fn close_all(&self) {
        let stores: Vec<_> = self
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .collect();
        for (_, store) in stores {
            store.close_resource();
        }
    }
}

impl<R: Runtime> Stores for PluginStores<R> {
    fn data_dir(&self) -> &Path {
        &self.dir
    }

    fn load_settings(&self) -> io::Result<Read<Settings>> {
        self.load(SETTINGS_FILE, SETTINGS_KEY)
    }

    fn save_settings(&self, settings: &Settings) -> io::Result<()> {
        self.save(SETTINGS_FILE, SETTINGS_KEY, settings)
    }

    fn load_book(&self, kind: BookKind) -> io::Result<Read<AccountBook>> {
        self.load(kind.file(), BOOK_KEY)
    }

    fn save_book(&self, kind: BookKind, book: &AccountBook) -> io::Result<()> {
        self.save(kind.file(), BOOK_KEY, book)
    }
}
