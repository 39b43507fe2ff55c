//! Diagnostics: every error a schema author can cause names the file, line and column it is
//! about and shows the offending line with a caret under it, like rustc and the toml crate do.

use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

/// The largest file uapigen reads: 4 MiB. The largest schema here (`iommufd.toml`, 16
/// revisions) is 37 KB and its lock file 135 KB, so this is far above any real one, while a file that is not one (a
/// log, `/dev/zero` behind a symlink) is refused before it fills memory.
pub const MAX_FILE_SIZE: u64 = 4 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// There is no such file.
    NotFound,
    /// It is not a regular file: what it is instead (`a folder`, `a FIFO`, ...).
    NotRegular(&'static str),
    /// It is larger than the limit: its size, when known (a device has none).
    TooLarge(Option<u64>),
    /// Any other I/O error.
    Io(std::io::Error),
}

impl ReadError {
    /// As `Error::Io` for `path`.
    pub fn into_error(self, path: &Path, limit: u64) -> Error {
        let message = match self {
            ReadError::NotFound => "no such file".to_string(),
            ReadError::NotRegular(what) => format!("not a regular file ({what})"),
            ReadError::TooLarge(size) => format!(
                "{}larger than {} bytes, the most uapigen reads",
                size.map_or(String::new(), |s| format!("{s} bytes: ")),
                limit
            ),
            ReadError::Io(e) => e.to_string(),
        };
        Error::Io {
            path: path.display().to_string(),
            message,
        }
    }
}

fn kind(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// `O_NONBLOCK`, so that opening a FIFO swapped in after the metadata check cannot block;
/// it changes nothing for the regular file that is then required.
#[cfg(all(target_os = "linux", any(target_arch = "mips", target_arch = "mips64")))]
const O_NONBLOCK: i32 = 0x80;
#[cfg(all(
    target_os = "linux",
    any(target_arch = "sparc", target_arch = "sparc64")
))]
const O_NONBLOCK: i32 = 0x4000;
#[cfg(all(
    target_os = "linux",
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(not(target_os = "linux"))]
const O_NONBLOCK: i32 = 0;

/// Reads `path` if it is a regular file of at most `limit` bytes. The type and size are
/// checked before opening (a FIFO would block `open`, `/dev/zero` never ends), again on the
/// opened file, and the read stops at `limit + 1` bytes whatever the metadata said.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    let meta = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::NotFound),
        Err(e) => return Err(ReadError::Io(e)),
        Ok(m) => m,
    };
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(Some(meta.len())));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(e),
        })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(meta.file_type())));
    }
    // Sized to the file (and a byte for the end's probe), not grown to it a doubling at a time.
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize + 1);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(None));
    }
    Ok(bytes)
}

/// Reads a file uapigen takes as input (a lock file, a template, a `diff` operand): a regular
/// file of at most `MAX_FILE_SIZE` bytes, as UTF-8 (an invalid byte is reported at its line
/// and column).
pub fn read_text(path: &Path) -> Result<String, Error> {
    Source::read(path).map(|s| s.text)
}

/// Like `read_text`, but a missing file is `None`, not an error.
pub fn read_text_if_exists(path: &Path) -> Result<Option<String>, Error> {
    match read_bounded(path, MAX_FILE_SIZE) {
        Err(ReadError::NotFound) => Ok(None),
        Err(e) => Err(e.into_error(path, MAX_FILE_SIZE)),
        Ok(bytes) => Source::from_bytes(path.display().to_string(), bytes).map(|s| Some(s.text)),
    }
}

/// One schema source: its display path (as given on the command line) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as given on the command line.
    pub path: String,
    /// The schema text.
    pub text: String,
    /// Where each line starts, built on the first diagnostic: locating thousands of them in
    /// a 4 MiB file must not scan it from the start each time.
    lines: std::sync::OnceLock<Vec<usize>>,
}

impl Source {
    /// A source from memory.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
            lines: std::sync::OnceLock::new(),
        }
    }

    /// Reads a schema file: a regular file of at most `MAX_FILE_SIZE` bytes, in UTF-8.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let bytes =
            read_bounded(path, MAX_FILE_SIZE).map_err(|e| e.into_error(path, MAX_FILE_SIZE))?;
        Source::from_bytes(path.display().to_string(), bytes)
    }

    /// A source from bytes that must be UTF-8; the first invalid byte is reported at its line
    /// and column.
    pub fn from_bytes(path: impl Into<String>, bytes: Vec<u8>) -> Result<Self, Error> {
        let e = match String::from_utf8(bytes) {
            Ok(text) => return Ok(Source::new(path, text)),
            Err(e) => e,
        };
        let at = e.utf8_error().valid_up_to();
        let bad_len = e
            .utf8_error()
            .error_len()
            .unwrap_or(e.as_bytes().len() - at);
        let bad: Vec<String> = e.as_bytes()[at..at + bad_len]
            .iter()
            .map(|b| format!("{b:#04x}"))
            .collect();
        // Everything before `at` is valid, so the lossy text has the bad byte at the same
        // offset, as one U+FFFD (3 bytes).
        let source = Source::new(path, String::from_utf8_lossy(e.as_bytes()).into_owned());
        Err(Error::Schema(vec![Diagnostic::at(
            &source,
            at..at + '\u{fffd}'.len_utf8(),
            format!("invalid UTF-8 (byte {})", bad.join(" ")),
        )
        .note("uapigen reads UTF-8 text")]))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|s| *s <= offset);
        let line_start = starts[line - 1];
        let col = self.text[line_start..offset].chars().count() + 1;
        (line, col)
    }

    /// The offsets lines start at: 0, and after each `\n`.
    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// Line `line` (from 1) without its end, as `str::lines` gives it.
    fn line_text(&self, line: usize) -> &str {
        let starts = self.line_starts();
        let Some(&start) = starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = starts.get(line).map_or(self.text.len(), |e| e - 1);
        let text = &self.text[start..end.max(start)];
        text.strip_suffix('\r').unwrap_or(text)
    }
}

/// A located message: `file:line:col: error: message`, then the source line and a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The schema file.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What is wrong.
    pub message: String,
    /// The offending line.
    pub snippet: String,
    /// How many characters the caret marks.
    pub caret_len: usize,
    /// `= note:` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic at byte range `span` of `source`.
    pub fn at(source: &Source, span: Range<usize>, message: impl Into<String>) -> Self {
        let (line, col) = source.line_col(span.start);
        let snippet = source.line_text(line).to_string();
        // The caret covers the span, clipped to the first line of it.
        let line_chars = snippet.chars().count();
        let span_chars = source.text
            [span.start.min(source.text.len())..span.end.min(source.text.len())]
            .split('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count();
        let caret_len = span_chars.clamp(1, (line_chars + 1).saturating_sub(col - 1).max(1));
        Diagnostic {
            path: source.path.clone(),
            line,
            col,
            message: message.into(),
            snippet,
            caret_len,
            notes: Vec::new(),
        }
    }

    /// Adds a `= note:` line.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gutter = self.line.to_string().len();
        writeln!(
            f,
            "{}:{}:{}: error: {}",
            self.path, self.line, self.col, self.message
        )?;
        writeln!(f, "{:gutter$} |", "")?;
        // A line longer than a screen is shown around the caret (a 4 MiB schema may be one
        // line), `…` marking what is left out.
        const WIDTH: usize = 160;
        let chars: Vec<char> = self.snippet.chars().collect();
        let caret = (self.col - 1).min(chars.len());
        let start = if chars.len() <= WIDTH {
            0
        } else {
            caret.saturating_sub(WIDTH / 2).min(chars.len() - WIDTH)
        };
        let end = (start + WIDTH).min(chars.len());
        let pre = if start > 0 { "…" } else { "" };
        let post = if end < chars.len() { "…" } else { "" };
        let shown: String = chars[start..end].iter().collect();
        writeln!(f, "{} | {pre}{shown}{post}", self.line)?;
        let lead: String = pre
            .chars()
            .map(|_| ' ')
            .chain(
                chars[start..caret]
                    .iter()
                    .map(|&c| if c == '\t' { '\t' } else { ' ' }),
            )
            .collect();
        let caret_len = self.caret_len.min((end - caret).max(1));
        write!(f, "{:gutter$} | {}{}", "", lead, "^".repeat(caret_len))?;
        for note in &self.notes {
            write!(f, "\n{:gutter$} = note: {}", "", note)?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in uapigen, as the user sees it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Schema errors, every one of the run, located.
    #[error("{}", render_all(.0))]
    Schema(Vec<Diagnostic>),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A template failed to render.
    #[error("{0}")]
    Template(String),
    /// Bad use of the CLI or the API.
    #[error("{0}")]
    Usage(String),
    /// A bug in uapigen.
    #[error("internal error: {0} (please report this)")]
    Internal(String),
}

fn render_all(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&d.to_string());
    }
    if diags.len() > 1 {
        out.push_str(&format!("\n\n{} errors", diags.len()));
    }
    out
}

/// Collects diagnostics during a stage so the user sees all of them at once, not one per run.
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// The diagnostics so far.
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records one.
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Ends a stage: its errors, if any, become the result.
    pub fn finish(self) -> Result<(), Error> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(Error::Schema(self.list))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line index gives what scanning gave: `str::lines`' lines (a `\r\n` end, a last line
    /// without one) and the line and column of every offset.
    #[test]
    fn the_line_index_agrees_with_scanning() {
        for text in ["", "a", "ab\ncde\n", "x\r\ny\r\n\nz", "é\nü ß\n\n"] {
            let s = Source::new("t.toml", text);
            for (i, l) in text.lines().enumerate() {
                assert_eq!(s.line_text(i + 1), l, "{text:?} line {}", i + 1);
            }
            for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
                let before = &text[..offset];
                let line = before.matches('\n').count() + 1;
                let start = before.rfind('\n').map_or(0, |i| i + 1);
                let col = text[start..offset].chars().count() + 1;
                assert_eq!(s.line_col(offset), (line, col), "{text:?} at {offset}");
            }
        }
    }

    #[test]
    fn line_col_counts_from_one() {
        let s = Source::new("a.toml", "ab\ncde\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(4), (2, 2));
    }

    #[test]
    fn invalid_utf8_is_located_at_the_first_bad_byte() {
        let Err(Error::Schema(d)) =
            Source::from_bytes("a.toml", b"x = 1\nname = \"b\xffd\"\n".to_vec())
        else {
            panic!("accepted invalid UTF-8")
        };
        assert_eq!(
            d[0].to_string(),
            "a.toml:2:10: error: invalid UTF-8 (byte 0xff)\n  |\n2 | name = \"b\u{fffd}d\"\n  |          ^\n  = note: uapigen reads UTF-8 text"
        );
    }

    #[test]
    fn read_bounded_refuses_what_is_not_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 11]).unwrap();
        assert!(matches!(
            read_bounded(&big, 10),
            Err(ReadError::TooLarge(Some(11)))
        ));
        assert_eq!(read_bounded(&big, 11).unwrap().len(), 11);
        assert!(matches!(
            read_bounded(dir.path(), 10),
            Err(ReadError::NotRegular("a folder"))
        ));
        assert!(matches!(
            read_bounded(&dir.path().join("none"), 10),
            Err(ReadError::NotFound)
        ));
        // A device behind a name: refused before it is opened, so it never fills memory.
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular("a character device"))
        ));
    }

    #[test]
    fn display_shows_line_and_caret() {
        let s = Source::new("a.toml", "x = 1\nname = \"bad\"\n");
        let d = Diagnostic::at(&s, 13..18, "bad name");
        let text = d.to_string();
        assert!(text.starts_with("a.toml:2:8: error: bad name"), "{text}");
        assert!(text.contains("2 | name = \"bad\""), "{text}");
        assert!(text.ends_with("  |        ^^^^^"), "{text:?}");
    }
}
