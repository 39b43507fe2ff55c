//! The kernel's `scripts/headers_install.sh`, which turns an `include/uapi/` header into the
//! one user space sees (`make headers_install`; QEMU's `update-linux-headers.sh` copies its
//! output into `linux-headers/` unchanged). Two stages, as the script runs them:
//!
//! 1. `sed -E`, line by line, in this order:
//!    - `s/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g`
//!    - `s/__attribute_const__([[:space:]]|$)/\1/g`
//!    - `s@^#include <linux/compiler(|_types).h>@@` (the line stays, empty)
//!    - `s/(^|[^a-zA-Z0-9])__packed([^a-zA-Z0-9_]|$)/\1__attribute__((packed))\2/g`
//!    - `s/(^|[[:space:](])(inline|asm|volatile)([[:space:](]|$)/\1__\2__\3/g`
//!    - `s@#(ifndef|define|endif[[:space:]]*/[*])[[:space:]]*_UAPI@#\1 @` (the guard loses
//!      `_UAPI`: `_UAPI_IOMMUFD_H` becomes `_IOMMUFD_H`)
//! 2. `unifdef -U__KERNEL__ -D__EXPORTED_HEADERS__`: conditionals on exactly those symbols
//!    (`#ifdef`, `#ifndef`, `#if defined(X)`, `#if !defined(X)`, with `#else`) are resolved and
//!    their directives removed; any other conditional is kept as written.
//!
//! The script also refuses a header whose SPDX line names a GPL licence without
//! `WITH Linux-syscall-note`: [`headers_install`] returns that as an error.

/// `[[:space:]]` of POSIX: space, tab, newline, vertical tab, form feed, carriage return.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// What a `/g` substitution's match looks like around its word.
struct Context {
    /// The character before the word, consumed by the match and kept.
    lead: fn(u8) -> bool,
    /// Whether the start of the line may stand for `lead` (`(^|...)`).
    at_start: bool,
    /// The character after the word, consumed by the match.
    trail: fn(u8) -> bool,
    /// Whether the end of the line may stand for `trail` (`(...|$)`).
    trail_at_end: bool,
    /// Whether `trail` is kept (a group in the replacement) or dropped.
    keep_trail: bool,
}

/// A `/g` substitution of `words` in `ctx`: each becomes `replace(word)`. Matching resumes
/// after the consumed trailing character, as sed's does.
fn substitute(line: &str, words: &[&str], ctx: Context, replace: fn(&str) -> String) -> String {
    let Context {
        lead,
        at_start,
        trail,
        trail_at_end,
        keep_trail,
    } = ctx;
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len() + 16);
    let mut i = 0;
    // Where the current piece of unchanged text starts.
    let mut copied = 0;
    while i <= b.len() {
        // Try a match starting at i: either the start-of-line alternative (zero-width lead) or
        // a consumed leading character.
        let mut found = None;
        for (word_at, lead_len) in [(i, 0usize), (i + 1, 1usize)] {
            if lead_len == 0 && !(at_start && i == 0) {
                continue;
            }
            if lead_len == 1 && !(i < b.len() && lead(b[i])) {
                continue;
            }
            for w in words {
                let end = word_at + w.len();
                if b.len() >= end && &b[word_at..end] == w.as_bytes() {
                    let trail_ok = if end == b.len() {
                        trail_at_end
                    } else {
                        trail(b[end])
                    };
                    if trail_ok {
                        let consumed = if end == b.len() { end } else { end + 1 };
                        // POSIX: the longest match at the leftmost position.
                        if found.is_none_or(|(_, _, c)| consumed > c) {
                            found = Some((word_at, *w, consumed));
                        }
                    }
                }
            }
        }
        match found {
            Some((word_at, word, consumed)) => {
                out.push_str(&line[copied..word_at]);
                out.push_str(&replace(word));
                if keep_trail {
                    out.push_str(&line[word_at + word.len()..consumed]);
                }
                copied = consumed;
                i = consumed;
                if consumed == b.len() {
                    break;
                }
            }
            None => i += 1,
        }
    }
    out.push_str(&line[copied.min(line.len())..]);
    out
}

/// `s@#(ifndef|define|endif[[:space:]]*/[*])[[:space:]]*_UAPI@#\1 @`, first match only.
fn drop_uapi_guard_prefix(line: &str) -> String {
    let b = line.as_bytes();
    for (hash, _) in line.match_indices('#') {
        let rest = &b[hash + 1..];
        let group_len = if rest.starts_with(b"ifndef") || rest.starts_with(b"define") {
            Some(6)
        } else if rest.starts_with(b"endif") {
            let mut k = 5;
            while k < rest.len() && is_space(rest[k]) {
                k += 1;
            }
            rest[k..].starts_with(b"/*").then_some(k + 2)
        } else {
            None
        };
        let Some(g) = group_len else { continue };
        let mut k = g;
        while k < rest.len() && is_space(rest[k]) {
            k += 1;
        }
        if rest[k..].starts_with(b"_UAPI") {
            let group = &line[hash + 1..hash + 1 + g];
            let after = &line[hash + 1 + k + 5..];
            return format!("{}#{group} {after}", &line[..hash]);
        }
    }
    line.to_string()
}

/// The sed stage on one line.
fn sed(line: &str) -> String {
    let space_or_paren = |c: u8| is_space(c) || c == b'(';
    let l = substitute(
        line,
        &["__user", "__force", "__iomem"],
        Context {
            lead: space_or_paren,
            at_start: false,
            trail: is_space,
            trail_at_end: false,
            keep_trail: false,
        },
        |_| String::new(),
    );
    let l = attribute_const_anywhere(&l);
    // `.` is any character.
    let l = match ["#include <linux/compiler", "#include <linux/compiler_types"]
        .iter()
        .find_map(|p| {
            l.strip_prefix(p)
                .filter(|r| r.len() >= 3 && r.is_char_boundary(3) && r.as_bytes()[1..3] == *b"h>")
                .map(|r| r[3..].to_string())
        }) {
        Some(rest) => rest,
        None => l,
    };
    let l = substitute(
        &l,
        &["__packed"],
        Context {
            lead: |c| !is_alnum(c),
            at_start: true,
            trail: |c| !(is_alnum(c) || c == b'_'),
            trail_at_end: true,
            keep_trail: true,
        },
        |_| "__attribute__((packed))".to_string(),
    );
    let l = substitute(
        &l,
        &["inline", "asm", "volatile"],
        Context {
            lead: space_or_paren,
            at_start: true,
            trail: space_or_paren,
            trail_at_end: true,
            keep_trail: true,
        },
        |w| format!("__{w}__"),
    );
    drop_uapi_guard_prefix(&l)
}

/// `s/__attribute_const__([[:space:]]|$)/\1/g` has no leading context: every occurrence
/// followed by a space or the line's end goes.
fn attribute_const_anywhere(line: &str) -> String {
    const W: &str = "__attribute_const__";
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(W) {
        let after = &rest[at + W.len()..];
        let ends = after.is_empty() || is_space(after.as_bytes()[0]);
        out.push_str(&rest[..at]);
        if !ends {
            out.push_str(W);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// What a conditional directive says about the two symbols unifdef was told of.
fn known_condition(directive: &str) -> Option<bool> {
    // `-U__KERNEL__ -D__EXPORTED_HEADERS__`.
    let value = |sym: &str| match sym {
        "__KERNEL__" => Some(false),
        "__EXPORTED_HEADERS__" => Some(true),
        _ => None,
    };
    let d = directive.trim_start_matches('#').trim_start();
    let (kw, arg) = d.split_once(char::is_whitespace)?;
    let arg = arg.trim();
    match kw {
        "ifdef" => value(arg),
        "ifndef" => value(arg).map(|v| !v),
        "if" => {
            let (neg, inner) = match arg.strip_prefix('!') {
                Some(r) => (true, r.trim_start()),
                None => (false, arg),
            };
            let sym = inner
                .strip_prefix("defined")?
                .trim_start()
                .strip_prefix('(')?
                .strip_suffix(')')?
                .trim();
            value(sym).map(|v| v != neg)
        }
        _ => None,
    }
}

enum Frame {
    /// A conditional unifdef leaves alone.
    Kept,
    /// A resolved one: whether the current branch is kept.
    Resolved(bool),
}

/// `unifdef -U__KERNEL__ -D__EXPORTED_HEADERS__` on whole lines.
fn unifdef(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut stack: Vec<Frame> = Vec::new();
    // Lines are dropped while any enclosing resolved branch is not kept.
    let live = |stack: &[Frame]| stack.iter().all(|f| !matches!(f, Frame::Resolved(false)));
    for line in lines {
        let t = line.trim_start();
        let directive = t.strip_prefix('#').map(str::trim_start);
        match directive {
            Some(d) if d.starts_with("if") => {
                if !live(&stack) {
                    stack.push(Frame::Kept);
                    continue;
                }
                match known_condition(t) {
                    Some(v) => stack.push(Frame::Resolved(v)),
                    None => {
                        stack.push(Frame::Kept);
                        out.push(line);
                    }
                }
            }
            Some(d) if d.starts_with("else") => match stack.pop() {
                Some(Frame::Resolved(v)) => stack.push(Frame::Resolved(!v)),
                other => {
                    let was_live = live(&stack);
                    stack.extend(other);
                    if was_live {
                        out.push(line);
                    }
                }
            },
            Some(d) if d.starts_with("endif") => match stack.pop() {
                Some(Frame::Resolved(_)) => {}
                _ => {
                    if live(&stack) {
                        out.push(line);
                    }
                }
            },
            _ => {
                if live(&stack) {
                    out.push(line);
                }
            }
        }
    }
    out
}

/// `headers_install.sh` on one uAPI header: its user-space text, or why the script refuses it.
pub fn headers_install(text: &str) -> Result<String, String> {
    for line in text.lines() {
        if let Some(at) = line.find("SPDX-License-Identifier:") {
            let spdx = &line[at..];
            if spdx.contains("GPL-") && !spdx.contains("WITH Linux-syscall-note") {
                return Err(format!(
                    "headers_install refuses it: the SPDX line names a GPL licence without \
                     \"WITH Linux-syscall-note\" ({})",
                    spdx.trim_end_matches(" */").trim()
                ));
            }
        }
    }
    let lines = text.lines().map(sed).collect();
    let mut out = unifdef(lines).join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> String {
        headers_install(&format!("{line}\n"))
            .unwrap()
            .trim_end_matches('\n')
            .to_string()
    }

    #[test]
    fn address_space_annotations_go_only_between_spaces_or_after_a_paren() {
        assert_eq!(one("\tvoid __user *p;"), "\tvoid *p;");
        assert_eq!(one("int f(__user char *p);"), "int f(char *p);");
        // The space before `__force` was the previous match's trailing space: sed leaves it.
        assert_eq!(one("x __user __force y"), "x __force y");
        // Not followed by a space, or part of a longer name: kept.
        assert_eq!(one("void __user*p;"), "void __user*p;");
        assert_eq!(one("int __user_count;"), "int __user_count;");
    }

    #[test]
    fn guards_lose_uapi_as_the_script_makes_them() {
        assert_eq!(one("#ifndef _UAPI_IOMMUFD_H"), "#ifndef _IOMMUFD_H");
        assert_eq!(one("#define _UAPI_IOMMUFD_H"), "#define _IOMMUFD_H");
        assert_eq!(
            one("#endif /* _UAPI_IOMMUFD_H */"),
            "#endif /* _IOMMUFD_H */"
        );
        // vfio.h's guard has no underscore after _UAPI.
        assert_eq!(one("#ifndef _UAPIVFIO_H"), "#ifndef VFIO_H");
        assert_eq!(one("#define IOMMU_UAPI_X 1"), "#define IOMMU_UAPI_X 1");
    }

    #[test]
    fn the_other_rewrites() {
        assert_eq!(one("#include <linux/compiler.h>"), "");
        assert_eq!(one("#include <linux/compiler_types.h>"), "");
        assert_eq!(one("#include <linux/types.h>"), "#include <linux/types.h>");
        assert_eq!(
            one("struct s { int a; } __packed;"),
            "struct s { int a; } __attribute__((packed));"
        );
        assert_eq!(one("int __packed_x;"), "int __packed_x;");
        assert_eq!(
            one("static inline int f(void)"),
            "static __inline__ int f(void)"
        );
        assert_eq!(one("asm(\"nop\");"), "__asm__(\"nop\");");
        assert_eq!(one("int inlined;"), "int inlined;");
        assert_eq!(
            one("int f(void) __attribute_const__;"),
            "int f(void) __attribute_const__;"
        );
        assert_eq!(one("int f(void) __attribute_const__ ;"), "int f(void)  ;");
        assert_eq!(one("__attribute_const__"), "");
    }

    #[test]
    fn unifdef_resolves_only_kernel_and_exported_headers() {
        let text = "#ifdef __KERNEL__\nk\n#if X\nkx\n#endif\n#else\nu\n#endif\n\
                    #ifndef __KERNEL__\nu2\n#endif\n#if defined(__EXPORTED_HEADERS__)\ne\n#endif\n\
                    #if !defined(__KERNEL__)\nu3\n#endif\n#if X\nx\n#else\ny\n#endif\n";
        assert_eq!(
            headers_install(text).unwrap(),
            "u\nu2\ne\nu3\n#if X\nx\n#else\ny\n#endif\n"
        );
    }

    #[test]
    fn a_gpl_header_needs_the_syscall_note() {
        assert!(headers_install("/* SPDX-License-Identifier: GPL-2.0 */\n").is_err());
        assert!(headers_install(
            "/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */\n"
        )
        .is_ok());
        assert!(headers_install("/* SPDX-License-Identifier: MIT */\n").is_ok());
    }
}
