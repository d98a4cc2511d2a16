//! Across processes: the window, the tray and `adkeep refresh` share one data
//! folder. A refresh takes the folder's lock for its key; a second process
//! asking for the same refresh says whom it waits for, waits (within a
//! bound), then reads what the first saved instead of asking Meta again.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a process waits for another's refresh before giving up. A
/// refresh-all can wait out Meta's rate limits for up to 15 minutes.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30 * 60);

const POLL: Duration = Duration::from_millis(200);

/// Whether this process does a refresh, or another one did it meanwhile.
pub enum Turn {
    /// Ours: the lock is held until this is dropped.
    Mine(#[allow(dead_code)] File),
    /// Another process did it meanwhile: read what it saved.
    Joined,
}

/// Why no turn came.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("gave up after {} minutes waiting for {holder}", .waited.as_secs() / 60)]
    GaveUp { holder: String, waited: Duration },
}

/// Takes the lock for `key` (`what` says what it is for, to whoever waits),
/// or waits up to `limit` for the process holding it.
pub fn take_turn(dir: &Path, key: &str, what: &str, limit: Duration) -> Result<Turn, TurnError> {
    let locks = dir.join("locks");
    adkeep_core::persist::create_private_dir(&locks)?;
    let mut file = adkeep_core::persist::private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(locks.join(format!("{key}.lock")))?;
    match file.try_lock() {
        Ok(()) => {
            describe_holder(&mut file, what);
            return Ok(Turn::Mine(file));
        }
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
    }
    let holder = read_holder(&mut file);
    tracing::warn!("waiting for {holder} to finish");
    let started = Instant::now();
    loop {
        std::thread::sleep(POLL);
        match file.try_lock() {
            Ok(()) => {
                file.unlock()?;
                return Ok(Turn::Joined);
            }
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < limit => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(TurnError::GaveUp {
                    holder,
                    waited: started.elapsed(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
    }
}

/// The lock for `key` if nobody holds it now (`None`: another process does).
pub fn try_turn(dir: &Path, key: &str, what: &str) -> std::io::Result<Option<File>> {
    let locks = dir.join("locks");
    adkeep_core::persist::create_private_dir(&locks)?;
    let mut file = adkeep_core::persist::private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(locks.join(format!("{key}.lock")))?;
    match file.try_lock() {
        Ok(()) => {
            describe_holder(&mut file, what);
            Ok(Some(file))
        }
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Writes who holds the lock into it (advisory locks leave it readable).
fn describe_holder(file: &mut File, what: &str) {
    let text = format!(
        "another Adkeep process (pid {}) that started {what} at {}",
        std::process::id(),
        chrono::Local::now().format("%H:%M:%S")
    );
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(text.as_bytes()));
    if let Err(e) = written {
        tracing::debug!("could not describe the lock holder: {e}");
    }
}

fn read_holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file
        .rewind()
        .and_then(|()| file.take(300).read_to_string(&mut text).map(|_| ()));
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    if text.trim().is_empty() {
        "another Adkeep process".to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_names_the_holder_and_gives_up_after_its_bound() {
        let dir = tempfile::tempdir().unwrap();
        let held = take_turn(
            dir.path(),
            "refresh-all",
            "refreshing all accounts",
            WAIT_LIMIT,
        )
        .unwrap();
        assert!(matches!(held, Turn::Mine(_)));
        let waited = take_turn(dir.path(), "refresh-all", "x", Duration::from_millis(300));
        match waited {
            Err(TurnError::GaveUp { holder, .. }) => {
                assert!(
                    holder.contains(&format!("pid {}", std::process::id())),
                    "{holder}"
                );
                assert!(holder.contains("refreshing all accounts"), "{holder}");
            }
            _ => panic!("expected to give up"),
        }
        drop(held);
        assert!(matches!(
            take_turn(dir.path(), "refresh-all", "x", WAIT_LIMIT).unwrap(),
            Turn::Mine(_)
        ));
    }

    #[test]
    fn a_waiter_joins_when_the_holder_finishes() {
        let dir = tempfile::tempdir().unwrap();
        let held = take_turn(dir.path(), "k", "refreshing", WAIT_LIMIT).unwrap();
        let path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || take_turn(&path, "k", "x", WAIT_LIMIT));
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
        assert!(matches!(waiter.join().unwrap().unwrap(), Turn::Joined));
    }
}
