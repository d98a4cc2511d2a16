//! Files that survive a crash: writes go to a temporary file that is synced
//! and then renamed over the old one, so a reader sees the old file or the new
//! one, never half of each. A file that cannot be read is moved aside (never
//! deleted) and reported, not a crash.
//!
//! The format is the one tauri-plugin-store uses: a JSON object of keys, so
//! the app (through the plugin) and the CLI (through this module) share files.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// What was found at a path.
#[derive(Debug)]
pub enum Loaded {
    Missing,
    Ok(Map<String, Value>),
    /// Unreadable; moved to `set_aside`.
    Corrupt {
        set_aside: PathBuf,
        reason: String,
    },
}

/// Reads a store file. An unreadable one is renamed to
/// `<name>.corrupt-<unix-seconds>[-n]` and reported.
pub fn load_store_file(path: &Path) -> io::Result<Loaded> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Loaded::Missing),
        Err(e) => return Err(e),
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(Loaded::Ok(map)),
        Ok(other) => set_aside(path, format!("expected an object, found {}", kind(&other))),
        Err(e) => set_aside(path, e.to_string()),
    }
}

/// What was found for one key of a store file.
#[derive(Debug)]
pub enum LoadedKey<T> {
    /// No file, or no such key in it.
    Missing,
    Ok(T),
    /// The file, or the value under the key, is unreadable; moved to `set_aside`.
    Corrupt {
        set_aside: PathBuf,
        reason: String,
    },
}

/// Reads one key of a store file straight into `T` (the rest of the file is
/// checked but not built in memory). An unreadable file, or an unreadable
/// value under `key`, is set aside and reported.
pub fn load_store_key<T: serde::de::DeserializeOwned>(
    path: &Path,
    key: &str,
) -> io::Result<LoadedKey<T>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LoadedKey::Missing),
        Err(e) => return Err(e),
    };
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let read = serde::de::DeserializeSeed::deserialize(one_key::Seed::<T>::new(key), &mut de)
        .and_then(|found| de.end().map(|()| found));
    match read {
        Ok(Some(value)) => Ok(LoadedKey::Ok(value)),
        Ok(None) => Ok(LoadedKey::Missing),
        Err(e) => {
            let reason = format!("{key}: {e}");
            let set_aside = move_aside(path)?;
            tracing::warn!(file = %path.display(), moved_to = %set_aside.display(), %reason, "set aside an unreadable file");
            Ok(LoadedKey::Corrupt { set_aside, reason })
        }
    }
}

/// A visitor for a JSON object that keeps one key's value and skips the rest.
mod one_key {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{
        DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor,
    };

    pub struct Seed<'k, T> {
        key: &'k str,
        value: PhantomData<fn() -> T>,
    }

    impl<'k, T> Seed<'k, T> {
        pub fn new(key: &'k str) -> Self {
            Self {
                key,
                value: PhantomData,
            }
        }
    }

    impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Seed<'_, T> {
        type Value = Option<T>;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
            deserializer.deserialize_map(self)
        }
    }

    impl<'de, T: DeserializeOwned> Visitor<'de> for Seed<'_, T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of keys")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == self.key && found.is_none() {
                    found = Some(map.next_value::<T>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn set_aside(path: &Path, reason: String) -> io::Result<Loaded> {
    let target = move_aside(path)?;
    tracing::warn!(file = %path.display(), moved_to = %target.display(), %reason, "set aside an unreadable file");
    Ok(Loaded::Corrupt {
        set_aside: target,
        reason,
    })
}

/// Moves an unreadable file to `<name>.corrupt-<unix-seconds>[-n]`, a name
/// no other file has: it is reserved first (created exclusively, private),
/// then the file is renamed onto it, so nothing set aside earlier is ever
/// overwritten.
pub fn move_aside(path: &Path) -> io::Result<PathBuf> {
    let stamp = chrono::Utc::now().timestamp();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".to_owned());
    for n in 0..1000u32 {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let target = path.with_file_name(format!("{name}.corrupt-{stamp}{suffix}"));
        match private_options().write(true).create_new(true).open(&target) {
            Ok(_) => {
                fs::rename(path, &target)?;
                return Ok(target);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many files set aside already"))
}

/// Options that create files readable and writable by their owner only
/// (0600 on Unix) from the moment they exist.
pub fn private_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates a folder (and its parents) for Adkeep's own files, owner-only
/// (0700 on Unix); an existing one is narrowed to that.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mode = fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

/// Writes a store file atomically (compact JSON: the store plugin reads any).
pub fn write_store_file(path: &Path, entries: &Map<String, Value>) -> io::Result<()> {
    let bytes = serde_json::to_vec(entries).map_err(io::Error::other)?;
    atomic_write(path, &bytes)
}

/// Replaces `path` with `bytes` so that a crash at any point leaves either
/// the old content or the new content.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    create_private_dir(dir)?;
    replace_file(path, bytes)
}

/// `atomic_write` in a folder that exists and is not Adkeep's own (its
/// permissions are left as they are): the desktop's autostart folder.
pub fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
        .to_string_lossy();
    let tmp = dir.join(format!(
        ".{file_name}.tmp-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let result = (|| {
        let mut file = private_options().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes temporary files an interrupted write left in `dir` (a process
/// killed between writing and renaming): `.NAME.tmp-PID-N` of a process that
/// is gone, or older than an hour. Returns how many went.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_owner(&name) else {
            continue;
        };
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if (old || !process_alive(pid)) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The pid in `.NAME.tmp-PID-N`, when `name` is one of our temporary files.
fn temp_owner(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    let (_, tail) = name.rsplit_once(".tmp-")?;
    let (pid, n) = tail.split_once('-')?;
    n.parse::<u32>().ok()?;
    pid.parse().ok()
}

/// Whether a process with `pid` runs (Linux reads /proc; elsewhere only
/// our own pid is known alive, and age decides).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

/// Writes a file readable only by its owner (0600 on Unix) from the moment
/// it exists (every file `atomic_write` makes is).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    atomic_write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_of_a_killed_process_are_removed_and_ours_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(".accounts.json.tmp-999999999-42");
        let ours = dir
            .path()
            .join(format!(".accounts.json.tmp-{}-7", std::process::id()));
        let other = dir.path().join("accounts.json");
        for f in [&dead, &ours, &other] {
            fs::write(f, b"x").unwrap();
        }
        assert_eq!(
            remove_stale_temps(dir.path()),
            usize::from(cfg!(target_os = "linux"))
        );
        assert!(ours.exists() && other.exists());
        assert_eq!(dead.exists(), !cfg!(target_os = "linux"));
    }

    #[test]
    fn write_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("accounts.json");
        let mut map = Map::new();
        map.insert("book".into(), serde_json::json!({"a": 1}));
        write_store_file(&path, &map).unwrap();
        match load_store_file(&path).unwrap() {
            Loaded::Ok(back) => assert_eq!(back, map),
            other => panic!("{other:?}"),
        }
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary files stay behind");
    }

    #[test]
    fn one_key_is_read_straight_and_a_bad_value_sets_the_file_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, br#"{"other": [1, {"x": 2}], "settings": {"a": 5}}"#).unwrap();
        match load_store_key::<serde_json::Map<String, Value>>(&path, "settings").unwrap() {
            LoadedKey::Ok(map) => assert_eq!(map["a"], 5),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            load_store_key::<u8>(&path, "absent").unwrap(),
            LoadedKey::Missing
        ));
        match load_store_key::<u8>(&path, "settings").unwrap() {
            LoadedKey::Corrupt { set_aside, .. } => assert!(set_aside.exists() && !path.exists()),
            other => panic!("{other:?}"),
        }
        fs::write(&path, b"[1, 2]").unwrap();
        assert!(matches!(
            load_store_key::<u8>(&path, "k").unwrap(),
            LoadedKey::Corrupt { .. }
        ));
        fs::write(&path, br#"{"k": 1} trailing"#).unwrap();
        assert!(matches!(
            load_store_key::<u8>(&path, "k").unwrap(),
            LoadedKey::Corrupt { .. }
        ));
    }

    #[test]
    fn missing_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            load_store_file(&dir.path().join("x.json")).unwrap(),
            Loaded::Missing
        ));
    }

    #[test]
    fn corrupt_files_are_set_aside_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        fs::write(&path, b"{\"book\": {\"accounts\": [1, 2").unwrap();
        match load_store_file(&path).unwrap() {
            Loaded::Corrupt { set_aside, .. } => {
                assert!(!path.exists());
                assert_eq!(
                    fs::read(&set_aside).unwrap(),
                    b"{\"book\": {\"accounts\": [1, 2"
                );
                assert!(
                    set_aside
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("accounts.json.corrupt-")
                );
            }
            other => panic!("{other:?}"),
        }
        fs::write(&path, b"[1,2]").unwrap();
        assert!(matches!(
            load_store_file(&path).unwrap(),
            Loaded::Corrupt { .. }
        ));
    }

    #[cfg(unix)]
    #[test]
    fn files_and_folders_are_owner_only_from_the_start() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let path = data.join("accounts.json");
        write_store_file(&path, &Map::new()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&data), 0o700);
        fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700, "an existing folder is narrowed");
    }

    #[test]
    fn files_set_aside_in_the_same_second_keep_their_own_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        let mut aside = Vec::new();
        for content in [b"first".as_slice(), b"second", b"third"] {
            fs::write(&path, content).unwrap();
            match load_store_file(&path).unwrap() {
                Loaded::Corrupt { set_aside, .. } => aside.push(set_aside),
                other => panic!("{other:?}"),
            }
        }
        let contents: Vec<Vec<u8>> = aside.iter().map(|p| fs::read(p).unwrap()).collect();
        assert_eq!(
            contents,
            [b"first".to_vec(), b"second".to_vec(), b"third".to_vec()]
        );
    }
}
