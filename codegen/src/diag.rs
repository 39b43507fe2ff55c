//! Diagnostics: every error a schema author can cause names the file, line and column it is
//! about and shows the offending line with a caret under it, like rustc and the toml crate do.

use std::fmt;
use std::ops::Range;
use std::path::Path;

/// One schema source: its display path (as given on the command line) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as given on the command line.
    pub path: String,
    /// The schema text.
    pub text: String,
}

impl Source {
    /// A source from memory.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }

    /// Reads a schema file.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(Source::new(path.display().to_string(), text))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..offset].chars().count() + 1;
        (line, col)
    }

    fn line_text(&self, line: usize) -> &str {
        self.text.lines().nth(line - 1).unwrap_or("")
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
        writeln!(f, "{} | {}", self.line, self.snippet)?;
        let lead: String = self
            .snippet
            .chars()
            .take(self.col - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{:gutter$} | {}{}", "", lead, "^".repeat(self.caret_len))?;
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

    #[test]
    fn line_col_counts_from_one() {
        let s = Source::new("a.toml", "ab\ncde\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(4), (2, 2));
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
