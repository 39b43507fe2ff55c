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

impl Stale {
    /// The file it is about, relative to the output folder.
    pub fn path(&self) -> &str {
        match self {
            Stale::Missing(p) | Stale::Extra(p) => p,
            Stale::Differs { path, .. } | Stale::NotAFile { path, .. } => path,
        }
    }
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

/// The folders the generator owns, of the files it writes: anything else in them is a
/// leftover.
fn owned_dirs<'a>(paths: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut dirs: Vec<String> = paths
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
            stale.extend(check_file(dir, rel, contents)?);
        }
        stale.extend(leftovers(dir, &self.files.keys().collect()));
        Ok(stale)
    }
}

/// How file `rel` under `dir` differs from `contents`, if it does; never writes.
pub fn check_file(dir: &Path, rel: &str, contents: &str) -> Result<Option<Stale>, Error> {
    let rel = rel.to_string();
    let path = dir.join(&rel);
    // A generated file may be larger than any file uapigen reads otherwise (a 1,000-struct
    // family's Rust is 9 MB): what is on disk is read up to the generated size, no further.
    let limit = MAX_FILE_SIZE.max(contents.len() as u64);
    Ok(match read_bounded(&path, limit) {
        Err(ReadError::NotFound) => Some(Stale::Missing(rel)),
        Err(ReadError::NotRegular(what)) => Some(Stale::NotAFile { path: rel, what }),
        Err(ReadError::TooLarge(_)) => Some(Stale::Differs {
            path: rel,
            diff: format!(
                "(larger than {limit} bytes on disk, {} generated; not shown)\n",
                contents.len()
            ),
        }),
        Err(e) => return Err(e.into_error(&path, limit)),
        Ok(bytes) if bytes == contents.as_bytes() => None,
        // Too large to diff at a reader's pace.
        Ok(bytes) if bytes.len().max(contents.len()) as u64 > MAX_FILE_SIZE => {
            Some(Stale::Differs {
                path: rel,
                diff: format!(
                    "({} bytes on disk, {} generated; not shown)\n",
                    bytes.len(),
                    contents.len()
                ),
            })
        }
        Ok(bytes) => {
            let old = String::from_utf8_lossy(&bytes);
            let diff = similar::TextDiff::from_lines(old.as_ref(), contents)
                .unified_diff()
                .context_radius(2)
                .header(
                    &format!("a/{rel} (on disk)"),
                    &format!("b/{rel} (generated)"),
                )
                .to_string();
            Some(Stale::Differs { path: rel, diff })
        }
    })
}

/// The files under `dir` in the folders of `planned` (the paths the generator writes) that
/// it does not write: leftovers.
pub fn leftovers(dir: &Path, planned: &std::collections::BTreeSet<&String>) -> Vec<Stale> {
    let mut stale = Vec::new();
    for d in owned_dirs(planned.iter().copied()) {
        let full = dir.join(&d);
        let Ok(entries) = std::fs::read_dir(&full) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        names.sort();
        for p in names {
            let Some(name) = p.file_name() else { continue };
            if p.is_file() {
                let rel = format!("{d}/{}", name.to_string_lossy());
                if !planned.contains(&rel) {
                    stale.push(Stale::Extra(rel));
                }
            }
        }
    }
    stale
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
                // A file above it (`rust` for `rust/src`) is found, and named, further up.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
                {
                    missing.push(p)
                }
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
        let (tmp, file) = self.create_temp(dest)?;
        fill(&tmp, file, contents)
    }

    /// A new, empty temporary file beside `dest` (creating the folders it needs), to be
    /// filled and then renamed over `dest` on commit; removed on roll-back from now on.
    fn create_temp(&mut self, dest: &Path) -> Result<(PathBuf, std::fs::File), Error> {
        let parent = dest.parent().unwrap_or(Path::new("."));
        self.make_dirs(parent)?;
        let name = dest.file_name().unwrap_or_default().to_string_lossy();
        let (tmp, file) = loop {
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
        Ok((tmp, file))
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

/// Writes `contents` into the temporary file `tmp`.
fn fill(tmp: &Path, mut file: std::fs::File, contents: &str) -> Result<(), Error> {
    use std::io::Write;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| io(tmp, e))
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

/// Like `write_together` with `parts` and one more output under `dir`, whose files are not
/// all held at once: `render` makes each of `items` into a file (its path relative to `dir`,
/// and its contents or the error that stopped them), on every core, and each is written to
/// its temporary file as soon as it is made, then dropped. The transaction is the same:
/// nothing is renamed into place until every file is ready, and on any error everything is
/// undone. The error reported is the one `write_together` after rendering everything would
/// report: the first file that failed to render (in `items`' order), else the first in path
/// order that failed to be written. Returns, per output, the paths written (`dir`'s last).
///
/// What it saves is memory (a 10,000-struct generation makes 134 MB of files) and the
/// page faults of holding it, and the writing overlaps the rendering.
pub fn write_as_rendered<T: Sync>(
    parts: &[(&Output, &Path)],
    dir: &Path,
    items: &[T],
    render: impl Fn(&T) -> (String, Result<String, Error>) + Sync,
) -> Result<Vec<Vec<String>>, Error> {
    write_streamed(
        parts,
        dir,
        items,
        |item, sink| {
            let (rel, contents) = render(item);
            contents.map(|c| sink(rel, c))
        },
        |results| {
            results.into_iter().collect::<Result<Vec<()>, Error>>()?;
            Ok(Vec::new())
        },
    )
}

/// `write_as_rendered` where each of `items` makes any number of files, or none: `each`
/// runs on every core, handing each file it makes to its sink (the path relative to `dir`,
/// and the contents), which writes it to its temporary file at once; what `each` returns is
/// kept. Then `finish` takes those results, in `items`' order, and says what else to write
/// under `dir` (files made from all of them), or the error that stops the transaction, which
/// undoes everything. A file that failed to be written stops it too, the first in path order.
/// Returns, per output, the paths written (`dir`'s last).
pub fn write_streamed<T: Sync, R: Send>(
    parts: &[(&Output, &Path)],
    dir: &Path,
    items: &[T],
    each: impl Fn(&T, &(dyn Fn(String, String) + Sync)) -> R + Sync,
    finish: impl FnOnce(Vec<R>) -> Result<Vec<(String, String)>, Error>,
) -> Result<Vec<Vec<String>>, Error> {
    let t = std::sync::Mutex::new(Transaction::default());
    let lock = || t.lock().unwrap_or_else(|e| e.into_inner());
    // Paths written, and the first in path order that failed to be.
    let done: std::sync::Mutex<(Vec<String>, Option<(String, Error)>)> = Default::default();
    let sink = |rel: String, contents: String| {
        let dest = dir.join(&rel);
        let write = || -> Result<bool, Error> {
            if unchanged(&dest, &contents)? {
                return Ok(false);
            }
            // Only naming the temporary holds the lock; the others render meanwhile.
            let (tmp, file) = lock().create_temp(&dest)?;
            fill(&tmp, file, &contents)?;
            Ok(true)
        };
        let result = write();
        let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(true) => d.0.push(rel),
            Ok(false) => {}
            Err(e) => {
                if d.1.as_ref().is_none_or(|(first, _)| rel < *first) {
                    d.1 = Some((rel, e));
                }
            }
        }
    };
    let result = (|| {
        let staged = stage_all(&mut lock(), parts);
        let first_streamed = lock().ready.len();
        let results = crate::par_map(items, |item| each(item, &sink));
        for (rel, contents) in finish(results)? {
            sink(rel, contents);
        }
        let mut written = staged?;
        let (mut these, write_error) =
            std::mem::take(&mut *done.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some((_, e)) = write_error {
            return Err(e);
        }
        these.sort();
        written.push(these);
        let mut t = lock();
        // Renamed in path order, as `write_together` does, whichever finished first.
        t.ready[first_streamed..].sort_by(|a, b| a.1.cmp(&b.1));
        t.commit(&mut |from, to| std::fs::rename(from, to))?;
        Ok(written)
    })();
    if result.is_err() {
        lock().roll_back();
    }
    result
}

/// Stages every changed file of `parts`; returns, per output, the paths staged.
fn stage_all(t: &mut Transaction, parts: &[(&Output, &Path)]) -> Result<Vec<Vec<String>>, Error> {
    let mut written = Vec::new();
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
    Ok(written)
}

fn write_with(
    parts: &[(&Output, &Path)],
    rename: &mut dyn FnMut(&Path, &Path) -> std::io::Result<()>,
) -> Result<Vec<Vec<String>>, Error> {
    let mut t = Transaction::default();
    let result = (|| {
        let written = stage_all(&mut t, parts)?;
        t.commit(rename)?;
        Ok(written)
    })();
    match result {
        Ok(written) => Ok(written),
        Err(e) => {
            t.roll_back();
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated file past the size uapigen reads of any other (a 1,000-struct family's
    /// Rust) is compared whole: up to date when it is the same, else stale, its diff not
    /// shown; and a file on disk larger than the generated one is not read.
    #[test]
    fn files_past_the_read_limit_are_compared_whole() {
        let dir = tempfile::tempdir().unwrap();
        let big = "x".repeat(MAX_FILE_SIZE as usize + 10);
        std::fs::write(dir.path().join("big.rs"), &big).unwrap();
        assert_eq!(check_file(dir.path(), "big.rs", &big).unwrap(), None);
        let mut other = big.clone();
        other.replace_range(0..1, "y");
        match check_file(dir.path(), "big.rs", &other).unwrap() {
            Some(Stale::Differs { diff, .. }) => assert!(diff.contains("not shown"), "{diff}"),
            s => panic!("{s:?}"),
        }
        match check_file(dir.path(), "big.rs", "small").unwrap() {
            Some(Stale::Differs { diff, .. }) => {
                assert!(
                    diff.starts_with("(larger than 4194304 bytes on disk"),
                    "{diff}"
                )
            }
            s => panic!("{s:?}"),
        }
    }

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

    /// Written as rendered: a file that fails to render, after others were written to their
    /// temporaries, leaves both folders as they were; without it, every changed file is in
    /// place, in path order, and an unchanged one untouched.
    #[test]
    fn a_file_that_fails_to_render_leaves_both_folders_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("old.h"), "old\n").unwrap();
        std::fs::write(a.join("same.h"), "same.h\n").unwrap();
        std::fs::write(b.join("x.lock"), "lock\n").unwrap();
        let before = files(dir.path());
        let mut locks = Output::default();
        locks.add("x.lock", "lock 2\n".into());
        let render = |name: &&str| {
            let text = match *name {
                "bad" | "worse" => Err(Error::Template(format!("{name} template"))),
                _ => Ok(format!("{name}\n")),
            };
            (name.to_string(), text)
        };

        let items = ["z.h", "new/deeper/n.h", "bad", "old.h", "worse"];
        let e = write_as_rendered(&[(&locks, &b)], &a, &items, render).unwrap_err();
        assert_eq!(
            e.to_string(),
            Error::Template("bad template".into()).to_string()
        );
        assert_eq!(files(dir.path()), before);
        assert!(!a.join("new").exists());

        let items = ["z.h", "new/deeper/n.h", "same.h", "old.h"];
        let written = write_as_rendered(&[(&locks, &b)], &a, &items, render).unwrap();
        assert_eq!(
            written,
            vec![
                vec!["x.lock".to_string()],
                vec![
                    "new/deeper/n.h".to_string(),
                    "old.h".to_string(),
                    "z.h".to_string()
                ]
            ]
        );
        let after = files(dir.path());
        assert_eq!(after[&a.join("same.h")], before[&a.join("same.h")]);
        assert_eq!(after[&a.join("old.h")].0, b"old.h\n");
        assert_eq!(after[&a.join("new/deeper/n.h")].0, b"new/deeper/n.h\n");
        assert_eq!(after[&b.join("x.lock")].0, b"lock 2\n");
        assert_eq!(after.len(), 5, "no temporary or backup left: {after:?}");
    }
}
