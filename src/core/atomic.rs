//! Atomic output: a file written under a temporary name beside its target
//! and renamed over it once complete, and a directory of outputs filled
//! under a temporary sibling and swapped in whole, under a lock. A failed,
//! interrupted or concurrent run never leaves a half-written file, a set
//! that mixes two runs, or a temporary file behind.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The temporary files and directories this process is writing, and the
/// locks it holds. A process-wide list because a signal ends the process,
/// not a run: the signal handler removes them before it exits (see
/// [`with_pending_removed`]). Entries leave it when their writer persists
/// or drops them, so it never grows beyond the writes in flight.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

fn forget(pending: &mut Vec<PathBuf>, path: &Path) {
    pending.retain(|p| p != path);
}

/// Removes every temporary output and lock of this process, then runs
/// `exit` while no writer can start or finish a rename: the way out of a
/// process stopped by a signal, leaving each output set as it was or
/// wholly new, and no debris.
pub fn with_pending_removed<R>(exit: impl FnOnce() -> R) -> R {
    let mut pending = pending();
    for path in pending.drain(..) {
        if path.is_dir() {
            let _ = std::fs::remove_dir_all(&path);
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
    exit()
}

/// A temporary name beside `path`.
#[must_use]
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}

/// A file being written under [`temp_path`]: removed when dropped unless
/// [`TempFile::persist`] renamed it over its target, so every error path
/// cleans up after itself.
#[derive(Debug)]
pub struct TempFile {
    temp: PathBuf,
    target: PathBuf,
    persisted: bool,
}

impl TempFile {
    /// Creates the temporary file for `target`.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn create(target: &Path) -> std::io::Result<(Self, File)> {
        let temp = temp_path(target);
        let mut pending = pending();
        let file = File::create(&temp)?;
        pending.push(temp.clone());
        let guard = Self {
            temp,
            target: target.to_path_buf(),
            persisted: false,
        };
        Ok((guard, file))
    }

    /// The temporary path (for writers that open it themselves).
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Renames the finished file over its target.
    ///
    /// # Errors
    /// When the rename fails (the temporary file is then removed).
    pub fn persist(mut self) -> std::io::Result<()> {
        let mut pending = pending();
        std::fs::rename(&self.temp, &self.target)?;
        forget(&mut pending, &self.temp);
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let mut pending = pending();
        if !self.persisted {
            let _ = std::fs::remove_file(&self.temp);
            forget(&mut pending, &self.temp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// When the temporary file cannot be written or renamed.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let (temp, mut file) = TempFile::create(path)?;
    file.write_all(bytes)?;
    drop(file);
    temp.persist()
}

/// Why a directory of outputs cannot be replaced.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// Another process holds the directory's lock.
    #[error("{0} is in use by another bt process: wait for it, or choose another output directory")]
    Busy(PathBuf),
    /// The directory holds a file this command does not write.
    #[error(
        "{dir} holds '{name}', which bt did not write: choose another output directory, or empty it"
    )]
    Foreign { dir: PathBuf, name: String },
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// A directory of outputs being replaced as a whole: the new set is
/// written into [`DirReplacement::path`], a fresh sibling, and
/// [`DirReplacement::commit`] swaps it in. Until then the old set stays
/// untouched; dropping it uncommitted removes the sibling. A lock beside
/// the directory keeps a second process out for the whole time.
#[derive(Debug)]
pub struct DirReplacement {
    dir: PathBuf,
    temp: PathBuf,
    old: PathBuf,
    lock_path: PathBuf,
    // Held for the life of the value; the OS releases it if the process dies.
    _lock: File,
    committed: bool,
}

impl DirReplacement {
    /// Locks `dir` and creates the empty sibling to fill. `ours` tells
    /// whether an entry name of an existing `dir` is one this command
    /// writes: a directory holding anything else is refused, not replaced.
    /// Siblings left by a process killed mid-write are removed.
    ///
    /// # Errors
    /// [`ReplaceError::Busy`] when another process is writing `dir`,
    /// [`ReplaceError::Foreign`] for a file bt did not write, or I/O.
    pub fn begin(dir: &Path, ours: impl Fn(&str) -> bool) -> Result<Self, ReplaceError> {
        let io = |what: String| move |source| ReplaceError::Io { what, source };
        // `.` or `..` name a directory by where it is: name it by its name.
        let resolved;
        let dir = if dir.file_name().is_none() {
            resolved = dir
                .canonicalize()
                .map_err(io(format!("cannot find {}", dir.display())))?;
            resolved.as_path()
        } else {
            dir
        };
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| ReplaceError::Io {
                what: format!("{} does not name a directory", dir.display()),
                source: std::io::ErrorKind::InvalidInput.into(),
            })?;
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(io(format!("cannot create {}", parent.display())))?;
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = {
            let mut pending = pending();
            let lock = lock(&lock_path, dir)?;
            pending.push(lock_path.clone());
            lock
        };
        // From here on, dropping `replacement` releases the lock.
        let replacement = Self {
            dir: dir.to_path_buf(),
            temp: parent.join(format!(".{name}.tmp{}", std::process::id())),
            old: parent.join(format!(".{name}.old{}", std::process::id())),
            lock_path,
            _lock: lock,
            committed: false,
        };
        let stale = format!(".{name}.");
        for entry in std::fs::read_dir(parent)
            .map_err(io(format!("cannot read {}", parent.display())))?
            .flatten()
        {
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            let debris = entry_name
                .strip_prefix(&stale)
                .is_some_and(|rest| rest.starts_with("tmp") || rest.starts_with("old"));
            if debris {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        if dir.exists() {
            let entries =
                std::fs::read_dir(dir).map_err(io(format!("cannot read {}", dir.display())))?;
            for entry in entries.flatten() {
                let entry_name = entry.file_name().to_string_lossy().into_owned();
                if !ours(&entry_name) {
                    return Err(ReplaceError::Foreign {
                        dir: dir.to_path_buf(),
                        name: entry_name,
                    });
                }
            }
        }
        {
            let mut pending = pending();
            std::fs::create_dir(&replacement.temp)
                .map_err(io(format!("cannot create {}", replacement.temp.display())))?;
            pending.push(replacement.temp.clone());
        }
        Ok(replacement)
    }

    /// Where the new set is written.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The directory the set replaces.
    #[must_use]
    pub fn target(&self) -> &Path {
        &self.dir
    }

    /// Swaps the new set in: the old directory is moved aside, the new one
    /// renamed into place, the old one removed. On a failure the old set
    /// is put back.
    ///
    /// # Errors
    /// When a rename fails.
    pub fn commit(mut self) -> Result<(), ReplaceError> {
        // No signal exit between the two renames.
        let mut pending = pending();
        let io = |what: String| move |source| ReplaceError::Io { what, source };
        let had_old = self.dir.exists();
        if had_old {
            std::fs::rename(&self.dir, &self.old)
                .map_err(io(format!("cannot move {} aside", self.dir.display())))?;
        }
        if let Err(source) = std::fs::rename(&self.temp, &self.dir) {
            if had_old {
                let _ = std::fs::rename(&self.old, &self.dir);
            }
            return Err(ReplaceError::Io {
                what: format!("cannot write {}", self.dir.display()),
                source,
            });
        }
        self.committed = true;
        forget(&mut pending, &self.temp);
        if had_old {
            let _ = std::fs::remove_dir_all(&self.old);
        }
        Ok(())
    }
}

impl Drop for DirReplacement {
    fn drop(&mut self) {
        let mut pending = pending();
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.temp);
            forget(&mut pending, &self.temp);
        }
        forget(&mut pending, &self.lock_path);
        // Removed while still held: a process that opened the old file
        // sees, once it gets the lock, that the path no longer names it,
        // and starts over (see `lock`).
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

/// Takes the lock file at `path` without waiting. A lock file that was
/// removed (or replaced) between opening and locking it is not the lock
/// any more: open it again.
fn lock(path: &Path, dir: &Path) -> Result<File, ReplaceError> {
    use std::os::unix::fs::MetadataExt;
    let io = |what: String| move |source| ReplaceError::Io { what, source };
    loop {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io(format!("cannot create the lock {}", path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ReplaceError::Busy(dir.to_path_buf()));
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(ReplaceError::Io {
                    what: format!("cannot lock {}", path.display()),
                    source,
                });
            }
        }
        let held = file
            .metadata()
            .map_err(io(format!("cannot read the lock {}", path.display())))?;
        match std::fs::metadata(path) {
            Ok(now) if now.dev() == held.dev() && now.ino() == held.ino() => return Ok(file),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(temp_path(&path).to_string_lossy().contains("a.txt.tmp"));
    }

    #[test]
    fn a_dropped_temp_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let (temp, file) = TempFile::create(&dir.path().join("a.txt")).unwrap();
        assert!(temp.path().exists());
        drop((temp, file));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_set_is_swapped_in_whole_and_drops_stale_files() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("a"), "old").unwrap();
        std::fs::write(out.join("stale"), "old").unwrap();
        let set = DirReplacement::begin(&out, |_| true).unwrap();
        std::fs::write(set.path().join("a"), "new").unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "old");
        set.commit().unwrap();
        assert_eq!(names(&out), ["a"]);
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "new");
        assert_eq!(names(root.path()), ["out"], "no lock, temp or old left");
    }

    #[test]
    fn an_abandoned_set_leaves_the_old_one_and_no_debris() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("a"), "old").unwrap();
        let set = DirReplacement::begin(&out, |_| true).unwrap();
        std::fs::write(set.path().join("a"), "half").unwrap();
        drop(set);
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "old");
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let first = DirReplacement::begin(&out, |_| true).unwrap();
        let second = DirReplacement::begin(&out, |_| true).unwrap_err();
        assert!(matches!(second, ReplaceError::Busy(_)), "{second}");
        first.commit().unwrap();
        DirReplacement::begin(&out, |_| true)
            .unwrap()
            .commit()
            .unwrap();
    }

    #[test]
    fn a_directory_with_foreign_files_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), "mine").unwrap();
        let error = DirReplacement::begin(&out, |n| n == "results.json").unwrap_err();
        assert!(error.to_string().contains("'thesis.tex'"), "{error}");
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn debris_of_a_killed_writer_is_removed() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir_all(root.path().join(".out.tmp999999")).unwrap();
        std::fs::create_dir_all(root.path().join(".out.old999999")).unwrap();
        std::fs::create_dir_all(root.path().join(".other.tmp1")).unwrap();
        DirReplacement::begin(&out, |_| true)
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(names(root.path()), [".other.tmp1", "out"]);
    }
}
