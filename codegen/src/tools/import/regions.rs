//! The header's preprocessor regions the layout depends on: <linux/libc-compat.h>'s
//! `__UAPI_DEF_*` conditions, an architecture's `#if`, and the branches libclang skipped.

use super::*;

/// An `#if` of the header's own text whose condition tests <linux/libc-compat.h>'s
/// `__UAPI_DEF_*` macros (linux/if.h's `#if __UAPI_DEF_IF_IFREQ`): the schema's `libc_compat`.
#[derive(Debug)]
pub(super) struct CompatRegion {
    /// From the `#if` line to the end of its `#endif` line, in bytes.
    pub(super) start: u32,
    pub(super) end: u32,
    /// The condition, on one line.
    pub(super) condition: String,
    /// It has an `#elif` or `#else`, which `libc_compat` cannot write.
    pub(super) other_branch: bool,
}

/// `text` with each `/* ... */` a space.
pub(super) fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        out.push(' ');
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out
}

/// A preprocessor directive of the header's text: where its line starts and where it ends
/// (its `\` continuations included), its word (`if`, `ifdef`, `else` ...) and the rest on one
/// line, comments out and words one space apart.
pub(super) struct Directive {
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) word: String,
    pub(super) rest: String,
}

/// The directives of `source`, in order.
pub(super) fn directive_lines(source: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut at = 0usize;
    let mut lines = source.split_inclusive('\n');
    while let Some(first) = lines.next() {
        let start = at;
        at += first.len();
        let mut line = first.trim_end_matches(['\n', '\r']).to_string();
        // A directive continued with `\` runs on.
        while line.ends_with('\\') {
            line.pop();
            match lines.next() {
                Some(next) => {
                    at += next.len();
                    line.push(' ');
                    line.push_str(next.trim_end_matches(['\n', '\r']));
                }
                None => break,
            }
        }
        let Some(directive) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let directive = directive.trim_start();
        let word: String = directive
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        // Comments are not the condition.
        let rest = without_comments(directive[word.len()..].split("//").next().unwrap_or(""));
        out.push(Directive {
            start: start as u32,
            end: at as u32,
            word,
            rest: rest.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }
    out
}

/// The header's `#if` regions on `__UAPI_DEF_*` conditions, outermost first.
pub(super) fn compat_regions(source: &str) -> Vec<CompatRegion> {
    let mut regions: Vec<CompatRegion> = Vec::new();
    // Per open conditional: its region, when it is one.
    let mut stack: Vec<Option<usize>> = Vec::new();
    for d in directive_lines(source) {
        match d.word.as_str() {
            "if" => {
                // Only <linux/libc-compat.h>'s: linux/if_ether.h defines its own
                // `__UAPI_DEF_ETHHDR` under `#ifndef`, a form the schema has not.
                let names: Vec<&str> = d
                    .rest
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|w| w.starts_with("__UAPI_DEF_"))
                    .collect();
                let compat = !names.is_empty()
                    && names
                        .iter()
                        .all(|n| crate::clang_proof::LIBC_COMPAT_MACROS.contains(n));
                if compat {
                    stack.push(Some(regions.len()));
                    regions.push(CompatRegion {
                        start: d.start,
                        end: u32::MAX,
                        condition: d.rest,
                        other_branch: false,
                    });
                } else {
                    stack.push(None);
                }
            }
            "ifdef" | "ifndef" => stack.push(None),
            "elif" | "else" => {
                if let Some(Some(r)) = stack.last() {
                    regions[*r].other_branch = true;
                }
            }
            "endif" => {
                if let Some(Some(r)) = stack.pop() {
                    regions[r].end = d.end;
                }
            }
            _ => {}
        }
    }
    regions
}

/// An `#if` of the header's own text on what the compiler predefines for an architecture
/// (`#ifdef __i386__`, `#if __BITS_PER_LONG == 64`: `front::when`), with at most an `#else`.
#[derive(Debug)]
pub(super) struct ArchRegion {
    /// From the `#if` line to the end of its `#endif` line, in bytes.
    pub(super) start: u32,
    pub(super) end: u32,
    /// Where its `#else` is.
    pub(super) else_at: Option<u32>,
    /// The condition, as `when` writes it (`#ifdef X` is `defined(X)`).
    pub(super) condition: String,
    /// `#ifndef`: the first branch is the condition's `#else`.
    pub(super) negated: bool,
    /// It has an `#elif`, or a conditional inside it, which `when` cannot write.
    pub(super) other: bool,
}

/// The header's `#if` regions on architecture conditions `front::when` reads.
pub(super) fn arch_regions(source: &str) -> Vec<ArchRegion> {
    let mut regions: Vec<ArchRegion> = Vec::new();
    // Per `#if` open: the regions it and its `#elif`s opened (none for one that is no
    // architecture's), the innermost last; its `#endif` closes them all.
    let mut stack: Vec<Vec<usize>> = Vec::new();
    let differs = |condition: &str| {
        crate::front::when::evaluate(condition).is_ok_and(|(_, on)| on.iter().any(|o| *o != on[0]))
    };
    for d in directive_lines(source) {
        let (condition, negated) = match d.word.as_str() {
            "if" => (d.rest, false),
            "ifdef" => (format!("defined({})", d.rest), false),
            "ifndef" => (format!("defined({})", d.rest), true),
            "elif" | "else" => {
                let Some(&r) = stack.last().and_then(|open| open.last()) else {
                    continue;
                };
                let region = &mut regions[r];
                if region.else_at.is_some() {
                    region.other = true;
                } else if d.word == "elif" && !region.other && differs(&d.rest) {
                    // `#if A ... #elif B ... #endif` is `#if A ... #else` around `#if B ...
                    // #endif`: a region of its own in the first's `#else`, which the same
                    // `#endif` closes.
                    region.else_at = Some(d.start);
                    stack.last_mut().expect("open").push(regions.len());
                    regions.push(ArchRegion {
                        start: d.start,
                        end: u32::MAX,
                        else_at: None,
                        condition: d.rest,
                        negated: false,
                        other: false,
                    });
                    continue;
                } else if d.word == "elif" {
                    region.other = true;
                }
                regions[r].else_at = Some(d.start);
                continue;
            }
            "endif" => {
                for r in stack.pop().unwrap_or_default() {
                    regions[r].end = d.end;
                }
                continue;
            }
            _ => continue,
        };
        // One that answers alike on every target (`#if 0`, `#ifndef __ASSEMBLER__`) is no
        // architecture's, and inside one it leaves the branches as every target reads them;
        // so does one on a macro no target predefines (ptrace-abi.h's `__FRAME_OFFSETS`, a
        // program's own): import's proof holds each target's reading to libclang's.
        // One inside another is read under both (`cond_at`): x86's asm/sigcontext.h's
        // `#ifdef __ILP32__` member of the `#else` of `# ifdef __i386__`.
        if differs(&condition) {
            stack.push(vec![regions.len()]);
            regions.push(ArchRegion {
                start: d.start,
                end: u32::MAX,
                else_at: None,
                condition,
                negated,
                other: false,
            });
        } else {
            stack.push(Vec::new());
        }
    }
    // A byte-order test inside a declaration, or around one with a body, is `byte_order`'s
    // (`mark_byte_order` reads its branches); around defines alone (linux/acct.h's
    // `ACCT_BYTEORDER`), `when`'s.
    regions.retain(|r| {
        !crate::front::when::tests_byte_order(&r.condition)
            || !source
                .get(..(r.end as usize).min(source.len()))
                .is_some_and(|t| braces(t, r.start as usize))
    });
    // Inside one `when` cannot write, none can be written either.
    for i in 0..regions.len() {
        let (start, end) = (regions[i].start, regions[i].end);
        if regions
            .iter()
            .any(|o| o.other && o.start < start && end <= o.end)
        {
            regions[i].other = true;
        }
    }
    regions
}

/// Whether `text` has a brace outside comments from byte `from` on, or `from` is inside
/// braces.
fn braces(text: &str, from: usize) -> bool {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'/', Some(b'*')) => {
                i = text[i + 2..].find("*/").map_or(b.len(), |j| i + 2 + j + 2);
                continue;
            }
            (b'/', Some(b'/')) => {
                i = text[i..].find('\n').map_or(b.len(), |j| i + j);
                continue;
            }
            (b'{' | b'}', _) if i >= from => return true,
            (b'{', _) => depth += 1,
            (b'}', _) => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    depth > 0
}

/// The `when` of what is at `offset` (a member of the struct that starts at `within`, or
/// with `within` 0 at file scope): the architecture regions around it after `within`, and
/// which branch of each; several nested ones are one condition, each branch's joined with
/// `&&` (`!(defined(__i386__)) && defined(__ILP32__)`). None inside a region `when` cannot
/// write.
pub(super) fn when_at(regions: &[ArchRegion], offset: u32, within: u32) -> Option<(String, bool)> {
    when_from(regions, offset, within + 1)
}

/// `when_at` of the regions that start at `from` or after.
pub(super) fn when_from(regions: &[ArchRegion], offset: u32, from: u32) -> Option<(String, bool)> {
    let around: Vec<&ArchRegion> = regions
        .iter()
        .filter(|r| r.start >= from && r.start < offset && offset < r.end)
        .collect();
    if around.iter().any(|r| r.other) {
        return None;
    }
    match around.as_slice() {
        [] => None,
        [r] => Some(r.branch_of(offset)),
        more => {
            let parts: Vec<String> = more
                .iter()
                .map(|r| match r.branch_of(offset) {
                    // Joined with `&&`, which binds tighter than these.
                    (c, false) if c.contains("||") || c.contains('?') => format!("({c})"),
                    (c, false) => c,
                    (c, true) => format!("!({c})"),
                })
                .collect();
            Some((parts.join(" && "), false))
        }
    }
}

impl ArchRegion {
    /// The `when` of what is at `offset` inside it: its condition, and whether that is in
    /// the branch where the condition fails (`unless`).
    pub(super) fn branch_of(&self, offset: u32) -> (String, bool) {
        let in_else = self.else_at.is_some_and(|e| offset > e);
        (self.condition.clone(), in_else != self.negated)
    }
}

/// The `libc_compat` of what is at `offset`: the conditions of the regions around it (that
/// begin after `within`, its struct's or enum's start, for what is inside one), joined with
/// `&&`.
pub(super) fn compat_at(
    regions: &[CompatRegion],
    offset: u32,
    within: Option<u32>,
) -> Option<String> {
    let around: Vec<&str> = regions
        .iter()
        .filter(|r| r.start < offset && offset < r.end && within.is_none_or(|w| r.start > w))
        .map(|r| r.condition.as_str())
        .collect();
    match around.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        many => Some(
            many.iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" && "),
        ),
    }
}

/// Sets each member's `libc_compat`: the regions inside its struct (which starts at `start`).
pub(super) fn set_compat(fields: &mut [Field], regions: &[CompatRegion], start: u32) {
    for f in fields {
        f.libc_compat = compat_at(regions, f.offset, Some(start));
        if let Some((_, ms)) = &mut f.inline {
            set_compat(ms, regions, start);
        }
    }
}

/// The ranges (byte offsets) of `file` the preprocessor skipped: inactive `#if` branches.
pub(super) fn skipped_ranges(tu: &TranslationUnit, file: Option<File<'_>>) -> Vec<(u32, u32)> {
    let Some(file) = file else {
        return Vec::new();
    };
    tu.skipped_ranges(file)
        .iter()
        .map(|r| (r.start().spelling().offset, r.end().spelling().offset))
        .collect()
}
