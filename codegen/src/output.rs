//! The set of files one generation produces, and the two things done with it: write the files
//! that changed (`generate`), or compare with what is on disk without writing (`check`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{read_bounded, Error, ReadError, MAX_FILE_SIZE};

/// Relative path (with `/`) → contents. Ordered, so every listing is deterministic.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    /// Relative path → contents.
    pub files: BTreeMap<String, String>,
}

/// One way `generated/` differs from what the generator emits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// A file the generator emits is not there.
    Missing(String),
    /// A file differs from what the generator emits.
    Differs {
        /// The file.
        path: String,
        /// A unified diff from the file to what it should be.
        diff: String,
    },
    /// A file in an output folder the generator does not produce (a leftover).
    Extra(String),
    /// Something that is not a regular file is where the generator writes one.
    NotAFile {
        /// The file.
        path: String,
        /// What is there instead (`a folder`, `a FIFO`, ...).
        what: &'static str,
    },
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Missing(p) => write!(f, "{p}: missing (run `uapigen generate`)"),
            Stale::Differs { path, diff } => {
                write!(f, "{path}: differs from what the schema generates\n{diff}")
            }
            Stale::Extra(p) => write!(f, "{p}: not produced by the generator (a leftover?)"),
            Stale::NotAFile { path, what } => {
                write!(f, "{path}: {what}, where the generator writes a file")
            }
        }
    }
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The folders the generator owns: anything else in them is a leftover.
fn owned_dirs(out: &Output) -> Vec<String> {
    let mut dirs: Vec<String> = out
        .files
        .keys()
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d.to_string()))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

impl Output {
    /// Adds (or replaces) a file.
    pub fn add(&mut self, path: impl Into<String>, contents: String) {
        self.files.insert(path.into(), contents);
    }

    /// Writes the files whose contents changed and returns their paths; untouched files keep
    /// their timestamps, so builds that depend on them do not rerun. All or nothing: see
    /// `write_together`.
    pub fn write(&self, dir: &Path) -> Result<Vec<String>, Error> {
        Ok(write_together(&[(self, dir)])?.remove(0))
    }

    /// Compares with `dir`; never writes.
    pub fn check(&self, dir: &Path) -> Result<Vec<Stale>, Error> {
        let mut stale = Vec::new();
        for (rel, contents) in &self.files {
            let path = dir.join(rel);
            match read_bounded(&path, MAX_FILE_SIZE) {
                Err(ReadError::NotFound) => stale.push(Stale::Missing(rel.clone())),
                Err(ReadError::NotRegular(what)) => stale.push(Stale::NotAFile {
                    path: rel.clone(),
                    what,
                }),
                Err(ReadError::TooLarge(_)) => stale.push(Stale::Differs {
                    path: rel.clone(),
                    diff: format!(
                        "(larger than {MAX_FILE_SIZE} bytes on disk, {} generated; not shown)\n",
                        contents.len()
                    ),
                }),
                Err(e) => return Err(e.into_error(&path, MAX_FILE_SIZE)),
                Ok(bytes) if bytes == contents.as_bytes() => {}
                Ok(bytes) => {
                    let old = String::from_utf8_lossy(&bytes);
                    let diff = similar::TextDiff::from_lines(old.as_ref(), contents.as_str())
                        .unified_diff()
                        .context_radius(2)
                        .header(
                            &format!("a/{rel} (on disk)"),
                            &format!("b/{rel} (generated)"),
                        )
                        .to_string();
                    stale.push(Stale::Differs {
                        path: rel.clone(),
                        diff,
                    });
                }
            }
        }
        for d in owned_dirs(self) {
            let full = dir.join(&d);
            let Ok(entries) = std::fs::read_dir(&full) else {
                continue;
            };
            let mut names: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            names.sort();
            for p in names {
                let Some(name) = p.file_name() else { continue };
                if p.is_file() {
                    let rel = format!("{d}/{}", name.to_string_lossy());
                    if !self.files.contains_key(&rel) {
                        stale.push(Stale::Extra(rel));
                    }
                }
            }
        }
        Ok(stale)
    }
}

/// Whether `path` already holds exactly `contents`. Read only when the size matches, so a
/// large or special file is never read; a folder in the way is an error.
fn unchanged(path: &Path, contents: &str) -> Result<bool, Error> {
    // Not there, or a file where a folder above it must be: writing it says which.
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(false);
    };
    if meta.is_dir() {
        return Err(Error::Io {
            path: path.display().to_string(),
            message: "is a folder, where the generator writes a file".into(),
        });
    }
    match read_bounded(path, contents.len() as u64) {
        Ok(bytes) => Ok(bytes == contents.as_bytes()),
        Err(ReadError::Io(e)) => Err(io(path, e)),
        // Missing (a dangling link), larger, or not a regular file: replaced.
        Err(_) => Ok(false),
    }
}

/// What one transaction has done so far, so that it can be undone.
#[derive(Default)]
struct Transaction {
    /// Folders it created, outermost first.
    created: Vec<PathBuf>,
    /// (temporary file, destination), each temporary complete.
    ready: Vec<(PathBuf, PathBuf)>,
    /// Destinations renamed into place, with the old file's backup (a hard link to it, or
    /// the old file renamed) when there was one.
    done: Vec<(PathBuf, Option<PathBuf>)>,
    /// Temporary names used so far.
    names: usize,
}

impl Transaction {
    /// Creates the folders `parent` needs, remembering each.
    fn make_dirs(&mut self, parent: &Path) -> Result<(), Error> {
        let mut missing = Vec::new();
        let mut p = parent;
        loop {
            match std::fs::metadata(p) {
                Ok(m) if m.is_dir() => break,
                Ok(_) => {
                    return Err(Error::Io {
                        path: p.display().to_string(),
                        message: "not a folder (the output needs a folder there)".into(),
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(p),
                Err(e) => return Err(io(p, e)),
            }
            match p.parent() {
                Some(up) if !up.as_os_str().is_empty() => p = up,
                _ => break,
            }
        }
        for d in missing.into_iter().rev() {
            match std::fs::create_dir(d) {
                Ok(()) => self.created.push(d.to_path_buf()),
                // `new/..` is there once `new` is.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => {}
                Err(e) => return Err(io(d, e)),
            }
        }
        Ok(())
    }

    /// Writes `contents` to a new temporary file beside `dest`.
    fn stage(&mut self, dest: &Path, contents: &str) -> Result<(), Error> {
        use std::io::Write;
        let parent = dest.parent().unwrap_or(Path::new("."));
        self.make_dirs(parent)?;
        let name = dest.file_name().unwrap_or_default().to_string_lossy();
        let (tmp, mut file) = loop {
            self.names += 1;
            let tmp = parent.join(format!(
                ".{name}.uapigen-{}-{}.tmp",
                std::process::id(),
                self.names
            ));
            // A name left by a crashed run is skipped, never overwritten.
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && self.names < 1000 => {}
                Err(e) => return Err(io(&tmp, e)),
            }
        };
        self.ready.push((tmp.clone(), dest.to_path_buf()));
        file.write_all(contents.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| io(&tmp, e))
    }

    /// Renames every temporary into place; the old files are kept aside until all are in.
    fn commit(
        &mut self,
        rename: &mut dyn FnMut(&Path, &Path) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        // Popped only once in place, so that a failure leaves the rest to be removed.
        self.ready.reverse();
        while let Some((tmp, dest)) = self.ready.pop() {
            match replace(&tmp, &dest, rename) {
                Ok(backup) => self.done.push((dest, backup)),
                Err(e) => {
                    self.ready.push((tmp, dest));
                    return Err(e);
                }
            }
        }
        for (_, backup) in &self.done {
            if let Some(b) = backup {
                let _ = std::fs::remove_file(b);
            }
        }
        Ok(())
    }

    /// Undoes everything: old files back, new files, temporaries and created folders gone.
    fn roll_back(&mut self) {
        for (dest, backup) in self.done.drain(..).rev() {
            let _ = match backup {
                Some(b) => std::fs::rename(b, &dest),
                None => std::fs::remove_file(&dest),
            };
        }
        for (tmp, _) in self.ready.drain(..) {
            let _ = std::fs::remove_file(tmp);
        }
        for d in self.created.drain(..).rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Renames `tmp` over `dest`, keeping the old `dest` (if any) aside: a hard link to it, so
/// `dest` is never missing, or where links are not allowed, the file itself renamed. On
/// failure the old file is back in place.
fn replace(
    tmp: &Path,
    dest: &Path,
    rename: &mut dyn FnMut(&Path, &Path) -> std::io::Result<()>,
) -> Result<Option<PathBuf>, Error> {
    let backup = match std::fs::symlink_metadata(dest) {
        Ok(_) => {
            let b = tmp.with_extension("old");
            std::fs::hard_link(dest, &b)
                .or_else(|_| rename(dest, &b))
                .map_err(|e| io(dest, e))?;
            Some(b)
        }
        Err(_) => None,
    };
    if let Err(e) = rename(tmp, dest) {
        if let Some(b) = &backup {
            // A link beside the untouched old file is dropped (renaming one link of a file
            // over another does nothing); a moved-away old file comes back.
            let _ = match std::fs::symlink_metadata(dest) {
                Ok(_) => std::fs::remove_file(b),
                Err(_) => std::fs::rename(b, dest),
            };
        }
        return Err(io(dest, e));
    }
    Ok(backup)
}

/// Writes several outputs, each under its folder, as one transaction: every changed file is
/// first written to a temporary file beside it (creating the folders it needs), and only when
/// all are ready are they renamed into place. On any error everything is undone, so each
/// folder is as it was. Returns, per output, the paths written.
pub fn write_together(parts: &[(&Output, &Path)]) -> Result<Vec<Vec<String>>, Error> {
    write_with(parts, &mut |from, to| std::fs::rename(from, to))
}

fn write_with(
    parts: &[(&Output, &Path)],
    rename: &mut dyn FnMut(&Path, &Path) -> std::io::Result<()>,
) -> Result<Vec<Vec<String>>, Error> {
    let mut t = Transaction::default();
    let mut written = Vec::new();
    let result = (|| {
        for (out, dir) in parts {
            let mut these = Vec::new();
            for (rel, contents) in &out.files {
                let dest = dir.join(rel);
                if unchanged(&dest, contents)? {
                    continue;
                }
                t.stage(&dest, contents)?;
                these.push(rel.clone());
            }
            written.push(these);
        }
        t.commit(rename)
    })();
    match result {
        Ok(()) => Ok(written),
        Err(e) => {
            t.roll_back();
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file, its contents and modification time.
    fn files(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
        let mut all = BTreeMap::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    todo.push(p);
                } else {
                    let m = std::fs::metadata(&p).unwrap();
                    let bytes = std::fs::read(&p).unwrap();
                    all.insert(p, (bytes, m.modified().unwrap()));
                }
            }
        }
        all
    }

    /// The renames are the last step: one failing there (after others replaced their files)
    /// still puts every old file back and removes every new file and folder.
    #[test]
    fn a_rename_that_fails_undoes_the_ones_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(a.join("sub")).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("sub/old.h"), "old\n").unwrap();
        std::fs::write(a.join("same.h"), "same\n").unwrap();
        std::fs::write(b.join("x.lock"), "lock\n").unwrap();
        let before = files(dir.path());

        let mut out = Output::default();
        out.add("same.h", "same\n".into());
        out.add("sub/old.h", "new\n".into());
        out.add("new/deeper/n.h", "n\n".into());
        let mut locks = Output::default();
        locks.add("x.lock", "lock 2\n".into());
        // (a: new/deeper/n.h, sub/old.h; b: x.lock) in that order: the third fails.
        let mut renames = 0;
        let e = write_with(&[(&out, &a), (&locks, &b)], &mut |from, to| {
            renames += 1;
            if renames == 3 {
                Err(std::io::Error::other("injected"))
            } else {
                std::fs::rename(from, to)
            }
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: injected", b.join("x.lock").display())
        );
        assert_eq!(files(dir.path()), before);
        assert!(!a.join("new").exists());

        // And without the failure: both folders written, the unchanged file untouched.
        let written = write_together(&[(&out, &a), (&locks, &b)]).unwrap();
        assert_eq!(
            written,
            vec![
                vec!["new/deeper/n.h".to_string(), "sub/old.h".to_string()],
                vec!["x.lock".to_string()]
            ]
        );
        let after = files(dir.path());
        assert_eq!(after[&a.join("same.h")], before[&a.join("same.h")]);
        assert_eq!(after[&a.join("sub/old.h")].0, b"new\n");
        assert_eq!(after.len(), 4, "no temporary or backup left: {after:?}");
    }
}
