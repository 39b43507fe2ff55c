//! A `#define`'s string: C string literals and names of other string defines, side by side,
//! which the preprocessor leaves adjacent and C's translation phase 6 joins into one array
//! (xattr.h's `#define XATTR_NAME_EVM XATTR_SECURITY_PREFIX XATTR_EVM_SUFFIX`, ethtool.h's
//! `#define ETHTOOL_GENL_NAME "ethtool"`). The bytes are what gcc stores (its execution
//! character set is UTF-8, as the source's), without the final NUL.

use std::ops::Range;

use super::cexpr::CError;

/// One piece of a string define, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A literal's bytes, its escapes read.
    Literal(Vec<u8>),
    /// Another string define, by name.
    Name(String),
}

/// A string define's body, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Its pieces, with where each is in the text.
    pub parts: Vec<(Part, Range<usize>)>,
    /// In parentheses as a whole (xattr.h's `(XATTR_SECURITY_PREFIX XATTR_BPF_LSM_SUFFIX)`):
    /// an array still, but no literal C joins with another.
    pub parenthesized: bool,
}

/// The pieces of `text` with where each is, or why it is no string C joins from literals
/// and names (in one pair of parentheses at most, around it all).
pub fn parse(text: &str) -> Result<Parsed, CError> {
    let b = text.as_bytes();
    let (mut i, mut end) = (0, b.len());
    while i < end && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    while end > i && (b[end - 1] == b' ' || b[end - 1] == b'\t') {
        end -= 1;
    }
    let parenthesized = end > i + 1 && b[i] == b'(' && b[end - 1] == b')';
    if parenthesized {
        i += 1;
        end -= 1;
    }
    let parts = pieces(text, i, end)?;
    Ok(Parsed {
        parts,
        parenthesized,
    })
}

/// The pieces of `text[from..to]`, located in `text`.
fn pieces(text: &str, from: usize, to: usize) -> Result<Vec<(Part, Range<usize>)>, CError> {
    let b = &text.as_bytes()[..to];
    let text = &text[..to];
    let mut out = Vec::new();
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\t' {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'"' {
            let (bytes, end) = literal(text, i)?;
            out.push((Part::Literal(bytes), start..end));
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            if b.get(i) == Some(&b'"') && matches!(word, "L" | "u" | "U" | "u8") {
                return fail(
                    start..i + 1,
                    format!(
                        "`{word}\"` is a wide or Unicode string literal: a string define here \
                         is an array of `char`, written with plain \"...\""
                    ),
                );
            }
            out.push((Part::Name(word.to_string()), start..i));
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            return fail(
                start..start + ch.len_utf8(),
                format!(
                    "`{ch}` is not part of a string define: string literals (\"...\") and the \
                     names of string defines above, side by side"
                ),
            );
        }
    }
    if out.is_empty() {
        return fail(
            from..to,
            "an empty string define: write `\"\"` for an empty string",
        );
    }
    Ok(out)
}

fn fail<T>(at: Range<usize>, message: impl Into<String>) -> Result<T, CError> {
    Err(CError {
        at,
        message: message.into(),
    })
}

/// The literal opening at `open` (its `"`): its bytes and the index past its closing quote.
fn literal(text: &str, open: usize) -> Result<(Vec<u8>, usize), CError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = open + 1;
    loop {
        match b.get(i) {
            None => {
                return fail(
                    open..text.len(),
                    "a string literal without its closing `\"`",
                )
            }
            Some(b'"') => return Ok((out, i + 1)),
            Some(b'\\') => {
                let (byte, next) = escape(text, i)?;
                out.push(byte);
                i = next;
            }
            Some(b'\n') => return fail(open..i, "a string literal ends at the end of its line"),
            Some(&c) => {
                out.push(c);
                i += 1;
            }
        }
    }
}

/// The escape at `at` (its `\`): the byte it stands for and the index past it.
fn escape(text: &str, at: usize) -> Result<(u8, usize), CError> {
    let b = text.as_bytes();
    let simple = |c: u8| -> Option<u8> {
        Some(match c {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'a' => 0x07,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'v' => 0x0b,
            b'\\' | b'\'' | b'"' | b'?' => c,
            _ => return None,
        })
    };
    match b.get(at + 1) {
        Some(&c) if simple(c).is_some() => Ok((simple(c).unwrap_or(c), at + 2)),
        Some(b'0'..=b'7') => {
            // Up to three octal digits, as C reads them.
            let mut end = at + 1;
            while end < b.len() && end < at + 4 && (b'0'..=b'7').contains(&b[end]) {
                end += 1;
            }
            let v = u32::from_str_radix(&text[at + 1..end], 8).unwrap_or(u32::MAX);
            u8::try_from(v).map(|v| (v, end)).or_else(|_| {
                fail(
                    at..end,
                    format!("`{}` is past a `char` (255)", &text[at..end]),
                )
            })
        }
        Some(b'x') => {
            // As many hex digits as follow: C takes them all, so `\x1aB` is one escape.
            let mut end = at + 2;
            while end < b.len() && b[end].is_ascii_hexdigit() {
                end += 1;
            }
            if end == at + 2 {
                return fail(at..end, "`\\x` without a hexadecimal digit");
            }
            let digits = text[at + 2..end].trim_start_matches('0');
            match u8::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16) {
                Ok(v) => Ok((v, end)),
                Err(_) => fail(
                    at..end,
                    format!(
                        "`{}` is past a `char` (255): C reads every hexadecimal digit after \
                         `\\x`",
                        &text[at..end]
                    ),
                ),
            }
        }
        Some(b'u' | b'U') => fail(
            at..at + 2,
            "a universal character name (`\\u`, `\\U`) in a string define: write the \
             character's bytes (`\\xNN`)",
        ),
        _ => {
            let end =
                (at + 1 + text[at + 1..].chars().next().map_or(0, char::len_utf8)).min(text.len());
            fail(
                at..end.max(at + 1),
                format!(
                    "`{}` is no escape sequence of C",
                    &text[at..end.max(at + 1)]
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> Vec<u8> {
        parse(text)
            .unwrap()
            .parts
            .into_iter()
            .flat_map(|(p, _)| match p {
                Part::Literal(b) => b,
                Part::Name(_) => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn literals_read_escapes_as_c_does() {
        assert_eq!(bytes(r#""ethtool""#), b"ethtool");
        assert_eq!(bytes(r#""SBI\032""#), b"SBI\x1a");
        assert_eq!(bytes(r#""KVMKVMKVM\0\0\0""#), b"KVMKVMKVM\0\0\0");
        assert_eq!(bytes(r#""a\x41" "b""#), b"aAb");
        assert_eq!(bytes(r#""\x0041""#), b"A");
        assert_eq!(bytes(r#""\1234""#), b"S4");
        assert_eq!(bytes(r#""\"\\\?\'""#), b"\"\\?'");
        assert_eq!(bytes(r#""""#), b"");
    }

    #[test]
    fn names_and_literals_side_by_side() {
        let p = parse("XATTR_SECURITY_PREFIX XATTR_EVM_SUFFIX")
            .unwrap()
            .parts;
        assert_eq!(
            p,
            vec![
                (Part::Name("XATTR_SECURITY_PREFIX".into()), 0..21),
                (Part::Name("XATTR_EVM_SUFFIX".into()), 22..38),
            ]
        );
        let p = parse(r#"PREFIX "evm""#).unwrap().parts;
        assert_eq!(p[1], (Part::Literal(b"evm".to_vec()), 7..12));
        let p = parse("(A B)").unwrap();
        assert!(p.parenthesized);
        assert_eq!(p.parts[1], (Part::Name("B".into()), 3..4));
        assert!(!parse(r#""(a)""#).unwrap().parenthesized);
    }

    #[test]
    fn what_is_no_plain_string_is_refused_where_it_is() {
        let at = |t: &str| parse(t).unwrap_err().at;
        assert_eq!(at(r#""abc"#), 0..4);
        assert_eq!(at(r#""a\x""#), 2..4);
        assert_eq!(at(r#""a\x100""#), 2..7);
        assert_eq!(at(r#""a\x41b""#), 2..7);
        assert_eq!(at(r#""\400""#), 1..5);
        assert_eq!(at(r#""\q""#), 1..3);
        assert_eq!(at(r#""\u00e9""#), 1..3);
        assert_eq!(at(r#"L"wide""#), 0..2);
        assert_eq!(at(r#""a" + 1"#), 4..5);
        assert_eq!(at(""), 0..0);
        assert_eq!(at("  "), 2..2);
        assert_eq!(at("()"), 1..1);
        assert_eq!(at("((A))"), 1..2);
        assert_eq!(at("(A"), 0..1);
    }
}
