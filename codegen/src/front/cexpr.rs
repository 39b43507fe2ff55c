//! C integer constant expressions, as a `#define` writes them (`(1ULL << 40) - 1`,
//! `(__u32)~0`, `VFIO_A | VFIO_B << 2`): parsed, typed and evaluated by C's rules — the types
//! of integer literals (C11 6.4.4.1), the usual arithmetic conversions (6.3.1.8), shifts
//! (6.5.7) — once per data model, ILP32 (i686, arm) and LP64 (the others), so a value that
//! differs between ABIs is refused instead of being written down for one of them.
//!
//! What C leaves undefined is refused (signed overflow in `+ - *`, a shift by the type's width
//! or more, a negative shift, a division by zero); a left shift of a signed value into or past
//! its sign bit is computed as GCC and clang do (`1 << 31` is `INT_MIN`, an `int`), since the
//! kernel's headers write it.

use std::ops::Range;

/// C's integer types. The narrow ones are what a cast to them gives (`(__u8)x` is an
/// `unsigned char`); an operator promotes them to `int` first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CType {
    /// `signed char` (`__s8`)
    SChar,
    /// `unsigned char` (`__u8`)
    UChar,
    /// `short` (`__s16`)
    Short,
    /// `unsigned short` (`__u16`)
    UShort,
    /// `int`
    Int,
    /// `unsigned int`
    UInt,
    /// `long`: 32 bits on ILP32, 64 on LP64.
    Long,
    /// `unsigned long`
    ULong,
    /// `long long`
    LongLong,
    /// `unsigned long long` (`__u64` in the kernel's uAPI)
    ULongLong,
    /// A pointer, of the data model's word: `((__sighandler_t)-1)`, a cast to a typedef of a
    /// pointer. No operator takes one.
    Pointer,
}

impl CType {
    fn rank(self) -> u8 {
        match self {
            CType::SChar | CType::UChar | CType::Short | CType::UShort => 0,
            CType::Int | CType::UInt => 1,
            CType::Long | CType::ULong | CType::Pointer => 2,
            CType::LongLong | CType::ULongLong => 3,
        }
    }

    /// Whether the type is signed.
    pub fn signed(self) -> bool {
        matches!(
            self,
            CType::SChar | CType::Short | CType::Int | CType::Long | CType::LongLong
        )
    }

    /// The integer promotions: every value of the narrow types is an `int`'s.
    fn promoted(self) -> CType {
        match self {
            CType::SChar | CType::UChar | CType::Short | CType::UShort => CType::Int,
            t => t,
        }
    }

    pub fn bits(self, m: Model) -> u32 {
        match self {
            CType::SChar | CType::UChar => 8,
            CType::Short | CType::UShort => 16,
            CType::Int | CType::UInt => 32,
            CType::Long | CType::ULong | CType::Pointer => m.long_bits,
            CType::LongLong | CType::ULongLong => 64,
        }
    }

    fn to_unsigned(self) -> CType {
        match self {
            CType::SChar | CType::UChar => CType::UChar,
            CType::Short | CType::UShort => CType::UShort,
            CType::Int | CType::UInt => CType::UInt,
            CType::Long | CType::ULong => CType::ULong,
            CType::LongLong | CType::ULongLong => CType::ULongLong,
            CType::Pointer => CType::Pointer,
        }
    }

    fn min(self, m: Model) -> i128 {
        if self.signed() {
            -(1i128 << (self.bits(m) - 1))
        } else {
            0
        }
    }

    fn max(self, m: Model) -> i128 {
        if self.signed() {
            (1i128 << (self.bits(m) - 1)) - 1
        } else {
            (1i128 << self.bits(m)) - 1
        }
    }

    /// `v` converted to this type: modulo 2^N, as C converts to an unsigned type and GCC and
    /// clang to a signed one.
    fn wrap(self, v: i128, m: Model) -> i128 {
        let bits = self.bits(m);
        let modulus = 1i128 << bits;
        let u = v.rem_euclid(modulus);
        if self.signed() && u > self.max(m) {
            u - modulus
        } else {
            u
        }
    }
}

/// A data model: what the size of `long` is, and the byte order <asm/byteorder.h>'s
/// conversions (`__cpu_to_be16()`) see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Model {
    long_bits: u32,
    /// Big-endian (s390x): `__cpu_to_be16(x)` is `x` there.
    pub big_endian: bool,
    /// For messages: the ABIs it stands for.
    pub abis: &'static str,
}

/// i686 and arm.
pub const ILP32: Model = Model {
    long_bits: 32,
    big_endian: false,
    abis: "i686 and arm",
};
/// x86-64, aarch64, riscv64, ppc64le and s390x.
pub const LP64: Model = Model {
    long_bits: 64,
    big_endian: false,
    abis: "x86-64 and the other 64-bit ABIs",
};
/// s390x, the big-endian one of LP64's ABIs: where a value read through <asm/byteorder.h>'s
/// conversions differs (`Expr::C::big_endian`).
pub const LP64_BE: Model = Model {
    long_bits: 64,
    big_endian: true,
    abis: "s390x",
};

/// The data models, in the order per-model facts are kept: `[ILP32, LP64]`.
pub const MODELS: [Model; 2] = [ILP32, LP64];

/// A value of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CValue {
    /// The value (within the type's range).
    pub value: i128,
    /// Its type.
    pub ty: CType,
}

/// A problem, at a byte range of the expression's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CError {
    /// Where in the text.
    pub at: Range<usize>,
    /// What is wrong.
    pub message: String,
}

fn err<T>(at: Range<usize>, message: impl Into<String>) -> Result<T, CError> {
    Err(CError {
        at,
        message: message.into(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    /// An integer literal: its value, its suffix, whether it is decimal.
    Lit {
        value: u128,
        unsigned: bool,
        longs: u8,
        decimal: bool,
    },
    Name(String),
    Unary(&'static str, Box<(Node, Range<usize>)>),
    Binary(
        &'static str,
        Box<(Node, Range<usize>)>,
        Box<(Node, Range<usize>)>,
    ),
    Cond(Box<[(Node, Range<usize>); 3]>),
    Cast(CType, Box<(Node, Range<usize>)>),
    /// `(__typeof__(x))(a)`: `a` cast to the type of `x` (<linux/const.h>'s
    /// `__ALIGN_KERNEL()`), `x` evaluated for its type only.
    CastAs(Box<[(Node, Range<usize>); 2]>),
}

/// A parsed expression, with the names of the constants it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CExpr {
    root: (Node, Range<usize>),
    /// Every constant the expression names, with where, in order.
    pub names: Vec<(String, Range<usize>)>,
    /// The function-like macros it calls, in the order first called.
    pub macros: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Num {
        value: u128,
        unsigned: bool,
        longs: u8,
        decimal: bool,
    },
    Ident(String),
    Punct(&'static str),
    /// A preprocessing number that is no integer literal (ethtool.h's `10baseT_Half`, an
    /// argument its macro pastes into a name): its spelling, and why it is no literal, said
    /// if it is read as one.
    PpNum(String, String),
    /// `##`, in a macro's body.
    Paste,
}

const PUNCTS: &[&str] = &[
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "+", "-", "*", "/", "%", "~", "!",
    "<", ">", "&", "^", "|", "?", ":", ",",
];

fn lex(text: &str) -> Result<Vec<(Tok, Range<usize>)>, CError> {
    lex_with(text, false)
}

/// `lex`, with `##` a token when `paste` (a macro's body).
fn lex_with(text: &str, paste: bool) -> Result<Vec<(Tok, Range<usize>)>, CError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\t' {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            // A pp-number, as cpp lexes it: what is no literal may yet be pasted into a name.
            let tok = match number(&text[start..i], start..i) {
                Ok(t) => t,
                Err(e) => Tok::PpNum(text[start..i].to_string(), e.message),
            };
            out.push((tok, start..i));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(text[start..i].to_string()), start..i));
        } else if c == b'\'' {
            // A plain character; an escape's value may depend on the ABI's char signedness.
            match (b.get(i + 1), b.get(i + 2)) {
                (Some(&ch), Some(b'\'')) if (ch.is_ascii_graphic() || ch == b' ') && ch != b'\\' && ch != b'\'' => {
                    i += 3;
                    out.push((
                        Tok::Num {
                            value: u128::from(ch),
                            unsigned: false,
                            longs: 0,
                            decimal: true,
                        },
                        start..i,
                    ));
                }
                _ => {
                    return err(
                        start..(start + 1),
                        "a character constant here is one printable ASCII character other than \\ and ', in quotes",
                    )
                }
            }
        } else if c == b'#' && paste && b.get(i + 1) == Some(&b'#') {
            i += 2;
            out.push((Tok::Paste, start..i));
        } else if c == b'#' {
            let pasting = b.get(i + 1) == Some(&b'#');
            let (at, what) = if pasting {
                (start..start + 2, "`##` pastes tokens into new names")
            } else {
                (start..start + 1, "`#` makes a string of its operand")
            };
            return err(at, format!("{what}, which the schema cannot check"));
        } else if c == b'/' && matches!(b.get(i + 1), Some(b'*' | b'/')) {
            return err(start..start + 2, "a comment is not part of the expression");
        } else if let Some(p) = PUNCTS.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            out.push((Tok::Punct(p), start..i));
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            return err(
                start..start + ch.len_utf8(),
                format!("`{ch}` is not part of a C integer constant expression"),
            );
        }
    }
    Ok(out)
}

/// An integer literal with its suffix (`u`, `l`, `ll` in any case and order).
fn number(s: &str, at: Range<usize>) -> Result<Tok, CError> {
    let lower = s.to_ascii_lowercase();
    let (digits, radix, decimal) = if let Some(h) = lower.strip_prefix("0x") {
        (h, 16, false)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8, false)
    } else {
        (lower.as_str(), 10, true)
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    let (num, suffix) = digits.split_at(end);
    let (unsigned, longs) = match suffix {
        "" => (false, 0),
        "u" => (true, 0),
        "l" => (false, 1),
        "ul" | "lu" => (true, 1),
        "ll" => (false, 2),
        "ull" | "llu" => (true, 2),
        _ => return err(at, format!("`{s}` is not a C integer literal")),
    };
    // `LL` and `ll` are suffixes, `lL` is not; `0x` needs a digit.
    let written = &s[s.len() - suffix.len()..];
    if suffix.contains("ll") && !(written.contains("ll") || written.contains("LL")) {
        return err(at, format!("`{s}` is not a C integer literal"));
    }
    if num.is_empty() && radix == 16 {
        return err(at, format!("`{s}` is not a C integer literal"));
    }
    let value = if num.is_empty() {
        0
    } else {
        u128::from_str_radix(num, radix)
            .ok()
            .filter(|v| *v <= u128::from(u64::MAX))
            .ok_or_else(|| CError {
                at: at.clone(),
                message: format!("`{s}` does not fit any C integer type"),
            })?
    };
    Ok(Tok::Num {
        value,
        unsigned,
        longs,
        decimal,
    })
}

struct Parser<'t> {
    toks: &'t [(Tok, Range<usize>)],
    /// The typedefs a cast may name (`(v4l2_std_id)0x100`), with the type each is.
    types: &'t dyn Fn(&str) -> Option<CType>,
    pos: usize,
    len: usize,
    names: Vec<(String, Range<usize>)>,
    /// How deep `unary` and `conditional` are (`MAX_NESTING`).
    depth: usize,
}

/// Binary operators by precedence, loosest first (C11 6.5.5–6.5.14).
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", ">", "<=", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn here(&self) -> Range<usize> {
        self.toks
            .get(self.pos)
            .map_or(self.len..self.len, |t| t.1.clone())
    }

    fn punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn expect(&mut self, p: &str) -> Result<(), CError> {
        if self.punct(p) {
            self.pos += 1;
            Ok(())
        } else {
            err(self.here(), format!("expected `{p}`"))
        }
    }

    /// Enters one more level of nesting, refused past `MAX_NESTING`.
    fn nest(&mut self) -> Result<(), CError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return err(
                self.here(),
                format!("the expression nests deeper than {MAX_NESTING} levels"),
            );
        }
        Ok(())
    }

    fn conditional(&mut self) -> Result<(Node, Range<usize>), CError> {
        let c = self.binary(0)?;
        if !self.punct("?") {
            return Ok(c);
        }
        self.pos += 1;
        // `a ? b : c ? d : e` nests as parentheses do.
        self.nest()?;
        let a = self.conditional();
        let b = a.and_then(|a| {
            self.expect(":")?;
            Ok((a, self.conditional()?))
        });
        self.depth -= 1;
        let (a, b) = b?;
        let at = c.1.start..b.1.end;
        Ok((Node::Cond(Box::new([c, a, b])), at))
    }

    fn binary(&mut self, level: usize) -> Result<(Node, Range<usize>), CError> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        while let Some(Tok::Punct(p)) = self.peek() {
            let Some(op) = LEVELS[level].iter().find(|o| *o == p) else {
                break;
            };
            self.pos += 1;
            let right = self.binary(level + 1)?;
            let at = left.1.start..right.1.end;
            left = (Node::Binary(op, Box::new(left), Box::new(right)), at);
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<(Node, Range<usize>), CError> {
        self.nest()?;
        let r = self.unary_nested();
        self.depth -= 1;
        r
    }

    fn unary_nested(&mut self) -> Result<(Node, Range<usize>), CError> {
        let start = self.here();
        match self.peek() {
            Some(Tok::Punct(p @ ("-" | "+" | "~" | "!"))) => {
                let p: &'static str = p;
                self.pos += 1;
                let e = self.unary()?;
                let at = start.start..e.1.end;
                Ok((Node::Unary(p, Box::new(e)), at))
            }
            Some(Tok::Punct("(")) => {
                // `(__typeof__(x))a`.
                let typeof_ = matches!(
                    self.toks.get(self.pos + 1),
                    Some((Tok::Ident(w), _)) if matches!(w.as_str(), "__typeof__" | "__typeof" | "typeof")
                ) && matches!(
                    self.toks.get(self.pos + 2),
                    Some((Tok::Punct("("), _))
                );
                if typeof_ {
                    self.pos += 3;
                    let of = self.conditional()?;
                    self.expect(")")?;
                    self.expect(")")?;
                    let e = self.unary()?;
                    let at = start.start..e.1.end;
                    return Ok((Node::CastAs(Box::new([of, e])), at));
                }
                if let Some((cast, n)) = self.cast_type(self.pos + 1) {
                    self.pos = n;
                    self.expect(")")?;
                    let e = self.unary()?;
                    let at = start.start..e.1.end;
                    return Ok((Node::Cast(cast, Box::new(e)), at));
                }
                self.pos += 1;
                let e = self.conditional()?;
                let end = self.here().end;
                self.expect(")")?;
                Ok((e.0, start.start..end))
            }
            Some(Tok::Num {
                value,
                unsigned,
                longs,
                decimal,
            }) => {
                let n = Node::Lit {
                    value: *value,
                    unsigned: *unsigned,
                    longs: *longs,
                    decimal: *decimal,
                };
                self.pos += 1;
                Ok((n, start))
            }
            Some(Tok::PpNum(_, why)) => err(start, why.clone()),
            Some(Tok::Ident(name)) => {
                let name = name.clone();
                self.pos += 1;
                if name == "sizeof" || name == "defined" || name == "_Alignof" {
                    return err(
                        start,
                        format!("`{name}` is not supported in a constant here"),
                    );
                }
                if self.punct("(") {
                    if name == "_IOC_SIZE" || name == "_IOC_DIR" {
                        return err(
                            start,
                            format!(
                                "`{name}(...)` takes a field powerpc encodes otherwise (13 size \
                                 bits, 3 direction bits): a constant computed from it would \
                                 have a value per architecture; `_IOC_NR` and `_IOC_TYPE` of \
                                 an ioctl above are taken"
                            ),
                        );
                    }
                    return err(
                        start,
                        format!(
                            "`{name}(...)` calls no function-like macro defined above it: \
                             define it with a `[[macro]]` (or write its value, or the \
                             ioctl form `ioctl = {{ ... }}` for `_IO`s)"
                        ),
                    );
                }
                self.names.push((name.clone(), start.clone()));
                Ok((Node::Name(name), start))
            }
            // An address is no integer: only the old offsetof, cast, is read as one.
            Some(Tok::Punct("&")) => err(
                start,
                "`&` takes an address, which is no integer constant: write `offsetof(struct \
                 NAME, MEMBER)`, or cast the old spelling, `(long)&((struct NAME *)0)->MEMBER`",
            ),
            _ => err(start, "expected an operand"),
        }
    }

    /// The type of a cast starting at token `i`, and the index after it.
    fn cast_type(&self, mut i: usize) -> Option<(CType, usize)> {
        let word = |i: usize| match self.toks.get(i) {
            Some((Tok::Ident(w), _)) => Some(w.as_str()),
            _ => None,
        };
        let fixed = |w: &str| -> Option<CType> {
            Some(match w {
                "__u8" => CType::UChar,
                "__s8" => CType::SChar,
                "__u16" => CType::UShort,
                "__s16" => CType::Short,
                "__u32" => CType::UInt,
                "__s32" => CType::Int,
                "__u64" => CType::ULongLong,
                "__s64" => CType::LongLong,
                _ => return None,
            })
        };
        if let Some(c) = word(i).and_then(fixed) {
            return Some((c, i + 1));
        }
        // <stdint.h>'s types (`(uint32_t)(-1)`, fuse.h's), the `__kernel_*` ones of one
        // size everywhere (`(__kernel_key_t) 0`, ipc.h's), `__poll_t` (eventpoll.h's
        // `(__poll_t)0x00000001`, an `unsigned int`) and the fixed-byte-order ones, which a
        // cast converts as their unsigned type (if_tunnel.h's `((__be16)0x0001)`: 1 on
        // either byte order; `__cpu_to_be16()` is what swaps); not the ABI's word or an
        // architecture's.
        if let Some(c) = word(i)
            .and_then(crate::ir::Scalar::from_c_name)
            .filter(|s| {
                s.is_stdint()
                    || s.c_name().starts_with("__kernel_")
                    || *s == crate::ir::Scalar::PollT
                    || matches!(
                        s.c_name(),
                        "__le16" | "__le32" | "__le64" | "__be16" | "__be32" | "__be64"
                    )
            })
            .and_then(|s| match s.c_name() {
                "__le16" | "__be16" => Some(CType::UShort),
                "__le32" | "__be32" => Some(CType::UInt),
                "__le64" | "__be64" => Some(CType::ULongLong),
                _ => scalar_ctype(s),
            })
        {
            return Some((c, i + 1));
        }
        // A typedef's name, alone in the parentheses.
        if let (Some(w), Some((Tok::Punct(")"), _))) = (word(i), self.toks.get(i + 1)) {
            if let Some(c) = (self.types)(w) {
                return Some((c, i + 1));
            }
        }
        let (mut unsigned, mut signed, mut longs, mut short, mut char_, mut int, mut any) =
            (false, false, 0, false, false, false, false);
        while let Some(w) = word(i) {
            match w {
                "unsigned" => unsigned = true,
                "signed" => signed = true,
                "long" => longs += 1,
                "short" => short = true,
                "char" => char_ = true,
                "int" => int = true,
                _ => break,
            }
            any = true;
            i += 1;
        }
        if !any || (unsigned && signed) || longs > 2 || (short && (longs > 0 || char_)) {
            return None;
        }
        if char_ && (longs > 0 || int) {
            return None;
        }
        let cast = if char_ {
            // A plain `char`'s signedness is the ABI's.
            if !unsigned && !signed {
                return None;
            }
            if unsigned {
                CType::UChar
            } else {
                CType::SChar
            }
        } else if short {
            if unsigned {
                CType::UShort
            } else {
                CType::Short
            }
        } else {
            match (longs, unsigned) {
                (0, false) => CType::Int,
                (0, true) => CType::UInt,
                (1, false) => CType::Long,
                (1, true) => CType::ULong,
                (_, false) => CType::LongLong,
                (_, true) => CType::ULongLong,
            }
        };
        Some((cast, i))
    }
}

/// Whether `text` is made of an integer expression's tokens and calls a function-like
/// macro (a name followed by `(`): an expression to parse once the macros are known.
pub fn calls(text: &str) -> bool {
    lex(text).is_ok_and(|t| {
        t.windows(2).any(|w| match (&w[0].0, &w[1].0) {
            // Operators that look like calls: what they take is a type.
            (Tok::Ident(n), Tok::Punct("(")) => !matches!(
                n.as_str(),
                "sizeof" | "_Alignof" | "__alignof__" | "offsetof" | "__builtin_offsetof"
            ),
            _ => false,
        })
    })
}

/// Each `sizeof(TYPE)` of `text`: where it is (from `sizeof` to its `)`) and the type as
/// written, its tokens joined by one space (`struct can_frame`, `__u32`, `const char *`).
/// The caller, which knows the types, gives each its size; a `sizeof` of anything but a
/// type name in parentheses is refused.
pub fn sizeofs(text: &str) -> Result<Vec<(Range<usize>, String)>, CError> {
    operand_types(text, &["sizeof"])
}

/// Each `__alignof__(TYPE)` (or `_Alignof`) of `text`, as `sizeofs` finds `sizeof`s
/// (asm-generic/siginfo.h's `__alignof__(void *)`).
pub fn alignofs(text: &str) -> Result<Vec<(Range<usize>, String)>, CError> {
    operand_types(text, &["__alignof__", "_Alignof"])
}

/// Each `OP(TYPE)` of `text` for the operators `ops` (`sizeof`, `__alignof__`).
fn operand_types(text: &str, ops: &[&str]) -> Result<Vec<(Range<usize>, String)>, CError> {
    // Most expressions have none: not lexed here (their parse lexes them).
    if !ops.iter().any(|o| text.contains(o)) {
        return Ok(Vec::new());
    }
    let toks = lex(text)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !matches!(&toks[i].0, Tok::Ident(n) if ops.contains(&n.as_str())) {
            i += 1;
            continue;
        }
        let start = toks[i].1.start;
        let op = &text[toks[i].1.clone()];
        if !matches!(toks.get(i + 1).map(|t| &t.0), Some(Tok::Punct("("))) {
            return err(
                toks[i].1.clone(),
                format!("`{op}` takes a type in parentheses here: `{op}(struct NAME)`"),
            );
        }
        let mut j = i + 2;
        let mut words: Vec<String> = Vec::new();
        loop {
            match toks.get(j).map(|t| &t.0) {
                Some(Tok::Punct(")")) if !words.is_empty() => break,
                Some(Tok::Ident(w)) => words.push(w.clone()),
                Some(Tok::Punct("*")) => words.push("*".to_string()),
                _ => {
                    let end = toks.get(j).map_or(text.len(), |t| t.1.end);
                    return err(
                        start..end,
                        format!(
                            "`{op}(...)` of what is not a type name: the schema takes it of a \
                             type (`{op}(struct NAME)`, `{op}(__u32)`)"
                        ),
                    );
                }
            }
            j += 1;
        }
        out.push((start..toks[j].1.end, words.join(" ")));
        i = j + 1;
    }
    Ok(out)
}

/// Each `offsetof(TYPE, MEMBER)` (or `__builtin_offsetof`) of `text`: where it is (from the
/// name to its `)`), the type as written (its tokens joined by one space) and the member's
/// designator (`name`, `dirent.name`: names and dots). The caller, which knows the layouts,
/// gives each its offset; an array index in the designator, or anything but this shape, is
/// refused.
pub fn offsetofs(text: &str) -> Result<Vec<(Range<usize>, String, String)>, CError> {
    let mut out = null_member_addresses(text);
    if !text.contains("offsetof") {
        return Ok(out);
    }
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut from = 0;
    for w in words(text) {
        // A designator's names are the `offsetof`'s, read with it.
        if w.start < from {
            continue;
        }
        let (start, i) = (w.start, w.end);
        if !matches!(&text[w], "offsetof" | "__builtin_offsetof") {
            continue;
        }
        // `(`, the type's words, `,`, names joined by `.`, `)`; blanks between.
        let shape = |end: usize| {
            err(
                start..end.max(start + 1),
                "`offsetof(TYPE, MEMBER)` takes a struct type and a member's name, or names \
                 joined by `.` (`offsetof(struct fuse_dirent, name)`)",
            )
        };
        let rest = &text[i..];
        let Some(open) = rest
            .strip_prefix(|c: char| c == '(')
            .map(|_| i + 1)
            .or_else(|| {
                let t = rest.trim_start();
                t.starts_with('(').then(|| i + (rest.len() - t.len()) + 1)
            })
        else {
            return shape(i);
        };
        let Some(close) = text[open..].find(')').map(|k| open + k) else {
            return shape(text.len());
        };
        let inside = &text[open..close];
        let Some((ty, designator)) = inside.split_once(',') else {
            return shape(close + 1);
        };
        let ty: Vec<&str> = ty.split_whitespace().collect();
        let designator: String = designator.chars().filter(|c| !c.is_whitespace()).collect();
        let names_ok = designator
            .split('.')
            .all(|n| !n.is_empty() && n.bytes().all(word) && !n.as_bytes()[0].is_ascii_digit());
        if ty.is_empty() || !ty.iter().all(|w| w.bytes().all(word)) || !names_ok {
            return shape(close + 1);
        }
        out.push((start..close + 1, ty.join(" "), designator));
        from = close + 1;
    }
    Ok(out)
}

/// The offsetof of C before `offsetof`, `&((TYPE *)0)->MEMBER` cast to an integer type
/// (linux/nilfs2_ondisk.h's `(long)&((struct nilfs_super_block *)0)->s_reserved`), as
/// `offsetofs` gives each `offsetof`: GCC folds the address to the member's offset. Only
/// right after a cast's `)`: the address alone is a pointer, no integer.
fn null_member_addresses(text: &str) -> Vec<(Range<usize>, String, String)> {
    let mut out = Vec::new();
    if !text.contains("->") {
        return out;
    }
    let toks = crate::front::decl_macro::tokens(text);
    // Each token's start in `text`: the tokens are `text`'s own slices.
    let at = |t: &str| t.as_ptr() as usize - text.as_ptr() as usize;
    let word = |t: &str| t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    let mut i = 0;
    while i < toks.len() {
        let cast_before = i > 0 && toks[i - 1] == ")";
        if toks[i] != "&" || !cast_before || toks.get(i + 1..i + 3) != Some(&["(", "("][..]) {
            i += 1;
            continue;
        }
        // TYPE's words, then `*`, `)`, `0`, `)`, `-`, `>`, names joined by `.`.
        let mut j = i + 3;
        let ty_from = j;
        while toks.get(j).is_some_and(|t| word(t)) {
            j += 1;
        }
        let ty = toks[ty_from..j].join(" ");
        if j == ty_from || toks.get(j..j + 6) != Some(&["*", ")", "0", ")", "-", ">"][..]) {
            i += 1;
            continue;
        }
        j += 6;
        let mut designator = String::new();
        while let Some(n) = toks.get(j).filter(|t| word(t)) {
            designator.push_str(n);
            if toks.get(j + 1) == Some(&".") && toks.get(j + 2).is_some_and(|t| word(t)) {
                designator.push('.');
                j += 2;
            } else {
                j += 1;
                break;
            }
        }
        if designator.is_empty() {
            i += 1;
            continue;
        }
        let last = toks[j - 1];
        out.push((at(toks[i])..at(last) + last.len(), ty, designator));
        i = j;
    }
    out
}

/// Where each word of `text` is: a run of letters, digits and `_` (a name, or a number with
/// its suffix).
pub fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !word(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && word(b[i]) {
            i += 1;
        }
        (i > start).then_some(start..i)
    })
}

/// A field of an ioctl number that <asm-generic/ioctl.h> places alike on every architecture
/// (`_IOC_SIZE` and `_IOC_DIR` are powerpc's own there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IocField {
    /// `_IOC_NR(n)`: bits 0 to 7.
    Nr,
    /// `_IOC_TYPE(n)`: bits 8 to 15.
    Type,
}

impl IocField {
    /// The field of ioctl number `n`.
    pub fn of(self, n: u64) -> u64 {
        match self {
            IocField::Nr => n & 0xff,
            IocField::Type => (n >> 8) & 0xff,
        }
    }
}

/// Each `_IOC_NR(NAME)` and `_IOC_TYPE(NAME)` of `text` (linux/hidraw.h's
/// `_IOC_NR(HIDIOCREVOKE)`): the call's range, the field and NAME.
pub fn ioc_fields(text: &str) -> Vec<(Range<usize>, IocField, String)> {
    let b = text.as_bytes();
    let skip = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut out = Vec::new();
    let mut all = words(text);
    while let Some(w) = all.next() {
        let field = match &text[w.clone()] {
            "_IOC_NR" => IocField::Nr,
            "_IOC_TYPE" => IocField::Type,
            _ => continue,
        };
        let open = skip(w.end);
        if b.get(open) != Some(&b'(') {
            continue;
        }
        let Some(name) = all.next() else {
            break;
        };
        let close = skip(name.end);
        if skip(open + 1) != name.start || b.get(close) != Some(&b')') {
            continue;
        }
        out.push((w.start..close + 1, field, text[name].to_string()));
    }
    out
}

/// `text` with each range of `literals` written as its literal, padded to the range's length
/// so that positions hold.
pub fn with_literals(text: &str, literals: &[(Range<usize>, String)]) -> String {
    let mut out = text.to_string();
    for (r, lit) in literals {
        out.replace_range(r.clone(), &format!("{lit:<width$}", width = r.len()));
    }
    out
}

/// `text` with each `sizeof(...)` of `sizes` (a range `sizeofs` found, the size) written as
/// that `unsigned long` (C's `size_t`), padded to its length so that positions hold.
pub fn with_sizes(text: &str, sizes: &[(Range<usize>, u64)]) -> String {
    let literals: Vec<(Range<usize>, String)> = sizes
        .iter()
        .map(|(r, bytes)| (r.clone(), format!("{bytes}UL")))
        .collect();
    with_literals(text, &literals)
}

/// `text` with each `sizeof(TYPE)` and `offsetof(TYPE, MEMBER)` an `unsigned long` 1, and each
/// `_IOC_NR(NAME)` (`ioc_fields`) `(NAME)`: the expression as the parser can read it, for what
/// it names and whether it is one.
pub fn sizes_as_one(text: &str) -> Result<String, CError> {
    let fields: Vec<(Range<usize>, String)> = ioc_fields(text)
        .into_iter()
        .map(|(r, _, name)| (r, format!("({name})")))
        .collect();
    let text = with_literals(text, &fields);
    let offsets = offsetofs(&text)?;
    // A designator's `.` is no integer expression's: the offsets go first.
    let text = with_sizes(
        &text,
        &offsets
            .into_iter()
            .map(|(r, ..)| (r, 1))
            .collect::<Vec<_>>(),
    );
    let ones: Vec<(Range<usize>, u64)> = sizeofs(&text)?.into_iter().map(|(r, _)| (r, 1)).collect();
    let text = with_sizes(&text, &ones);
    let ones: Vec<(Range<usize>, u64)> =
        alignofs(&text)?.into_iter().map(|(r, _)| (r, 1)).collect();
    Ok(with_sizes(&text, &ones))
}

/// The C integer type a cast to scalar `sc` converts to: by its size and sign, `long` for the
/// ABI's word; none for an architecture's own type (whose size differs) or one with a byte
/// order of its own.
pub fn scalar_ctype(sc: crate::ir::Scalar) -> Option<CType> {
    if sc.is_arch() || sc.is_endian() || sc.is_plain_char() || sc.is_float() {
        return None;
    }
    Some(match (sc.is_word(), sc.size(), sc.is_signed()) {
        (true, _, true) => CType::Long,
        (true, _, false) => CType::ULong,
        (_, 1, false) => CType::UChar,
        (_, 1, true) => CType::SChar,
        (_, 2, false) => CType::UShort,
        (_, 2, true) => CType::Short,
        (_, 4, false) => CType::UInt,
        (_, 4, true) => CType::Int,
        (_, _, false) => CType::ULongLong,
        (_, _, true) => CType::LongLong,
    })
}

/// Parses `text` as one C integer constant expression.
pub fn parse(text: &str) -> Result<CExpr, CError> {
    parse_with(text, &|_| None)
}

/// A function-like macro (`#define K(t, v) (((t) << 8) | (v))`): its parameters and its
/// body's tokens. The body is an integer expression over the parameters and constants, or
/// one ioctl call (`IoBody`); `#` and `##` (which make strings and new names) are refused by
/// the lexer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macro {
    /// The parameters, in order.
    pub params: Vec<String>,
    body: Vec<(Tok, Range<usize>)>,
    /// Its body's text, which `body`'s ranges index.
    source: String,
    /// Its body's text, when it pastes nothing: for `expand_sized`.
    text: Option<String>,
    /// Its body takes `sizeof`, `offsetof` or an alignment (gfs2_ondisk.h's
    /// `GFS2_DIRENT_SIZE`), which a define's own text is read for (`expand_sized`).
    sized: bool,
    /// The ioctl call its body is, if it is one: then its value is an ioctl number, which
    /// only an `ioctl` define may take.
    pub io: Option<IoBody>,
}

/// The ioctl macros of <linux/ioctl.h> a wrapper's body may call.
pub const IOCTL_MACROS: [&str; 4] = ["_IO", "_IOR", "_IOW", "_IOWR"];

/// The body of an ioctl wrapper macro (drm.h's `#define DRM_IOWR(nr,type)
/// _IOWR(DRM_IOCTL_BASE,nr,type)`): exactly one call of `_IO`, `_IOR`, `_IOW` or `_IOWR`,
/// whose type and number are integer expressions over the parameters and constants and
/// whose size argument is one of the parameters, used nowhere else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoBody {
    /// `_IO`, `_IOR`, `_IOW` or `_IOWR`.
    pub call: &'static str,
    /// Its type argument's text, trimmed.
    pub ty: String,
    /// Its number argument's text, trimmed.
    pub nr: String,
    /// The parameter that is its size argument (none for `_IO`).
    pub size_param: Option<usize>,
}

impl Macro {
    /// The macro with `params` and `body`; an error located in `body` when it is not made of
    /// the tokens of an integer expression, or calls an ioctl macro otherwise than as a
    /// wrapper's whole body.
    pub fn new(params: Vec<String>, body: &str) -> Result<Macro, CError> {
        let toks = lex_with(body, true)?;
        if toks.is_empty() {
            return err(0..0, "an empty body: the macro gives no value");
        }
        for end in [toks.first(), toks.last()].into_iter().flatten() {
            if end.0 == Tok::Paste {
                return err(
                    end.1.clone(),
                    "`##` pastes the tokens on either side of it: it cannot begin or end a body",
                );
            }
        }
        let call = toks.iter().find_map(|(t, _)| match t {
            Tok::Ident(n) => IOCTL_MACROS.iter().find(|m| *m == n),
            _ => None,
        });
        if let (Some(call), Some((_, at))) = (call, toks.iter().find(|t| t.0 == Tok::Paste)) {
            return err(
                at.clone(),
                format!(
                    "`##` in a body that calls `{call}`: a wrapper passes its arguments on as \
                     they are"
                ),
            );
        }
        let io = io_body(body, &toks, &params)?;
        let text = (!toks.iter().any(|t| t.0 == Tok::Paste)).then(|| body.to_string());
        let sized = toks
            .iter()
            .any(|t| matches!(&t.0, Tok::Ident(n) if SIZED_OPERATORS.contains(&n.as_str())));
        Ok(Macro {
            params,
            body: toks,
            source: body.to_string(),
            io,
            text,
            sized,
        })
    }

    /// An ioctl wrapper's type and number arguments with `args` substituted for its
    /// parameters, as the preprocessor substitutes them; None when it is no wrapper or
    /// `args` are not one per parameter.
    pub fn io_operands(&self, args: &[String]) -> Option<(String, String)> {
        let io = self.io.as_ref()?;
        if args.len() != self.params.len() {
            return None;
        }
        Some((
            substitute(&io.ty, &self.params, args),
            substitute(&io.nr, &self.params, args),
        ))
    }

    /// Whether its body may be one call of a name, which `forward` reads with the arguments:
    /// a name, or a parameter or a paste that may give one, then `(` ... `)` to the end.
    pub fn calls_one(&self) -> bool {
        let open = self
            .body
            .iter()
            .position(|t| t.0 == Tok::Punct("("))
            .filter(|&i| i > 0);
        open.is_some_and(|i| {
            self.body[..i]
                .iter()
                .all(|t| matches!(t.0, Tok::Ident(_) | Tok::Paste))
        }) && self.body.last().is_some_and(|t| t.0 == Tok::Punct(")"))
    }

    /// The one call a forwarding ioctl wrapper's body makes with `args` substituted for its
    /// parameters and its `##` pasted, as cpp does: armada_drm.h's `ARMADA_IOCTL(dir, name,
    /// str)`, `DRM_##dir(DRM_COMMAND_BASE + DRM_ARMADA_##name, struct drm_armada_##str)`;
    /// pvr_drm.h's `PVR_IOCTL(_ioctl, _mode, _data)`, whose callee is a parameter. The name
    /// called and its arguments' texts; None when it is an ioctl wrapper itself, `args` are
    /// not one per parameter, or the body is no single call of a name. An argument is
    /// substituted as written, not expanded first: the callee's own reading expands it.
    pub fn forward(&self, args: &[String]) -> Result<Option<(String, Vec<String>)>, CError> {
        if self.io.is_some() || args.len() != self.params.len() || self.body.is_empty() {
            return Ok(None);
        }
        // Each token's text after the body's own spacing before it; `##` joins its
        // neighbours without any.
        let mut parts: Vec<(&str, String)> = Vec::with_capacity(self.body.len());
        let (mut pasting, mut end) = (false, 0);
        for (t, at) in &self.body {
            let gap = self.source.get(end..at.start).unwrap_or("");
            end = at.end;
            if *t == Tok::Paste {
                pasting = true;
                continue;
            }
            let text = match t {
                Tok::Ident(n) => match self.params.iter().position(|p| p == n) {
                    Some(k) => args[k].trim().to_string(),
                    None => n.clone(),
                },
                _ => self.source[at.clone()].to_string(),
            };
            if std::mem::take(&mut pasting) {
                let (gap, left) = parts.pop().unwrap_or_default();
                parts.push((gap, paste_texts(&left, &text)?));
            } else {
                parts.push((gap, text));
            }
        }
        let text: String = parts.iter().flat_map(|(g, t)| [*g, t.as_str()]).collect();
        let whole = 0..text.len();
        let Some((name, inner)) = text.trim().split_once('(') else {
            return Ok(None);
        };
        let (name, Some(inner)) = (name.trim(), inner.trim_end().strip_suffix(')')) else {
            return Ok(None);
        };
        if !crate::names::is_c_identifier(name) {
            return Ok(None);
        }
        // The arguments, split at the commas outside parentheses; the `)` that closes the
        // call ends the body.
        let mut out = Vec::new();
        let (mut depth, mut from) = (0usize, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => return Ok(None),
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(inner[from..i].trim().to_string());
                    from = i + 1;
                }
                _ => {}
            }
        }
        if depth != 0 {
            return err(whole, format!("`{text}` leaves a `(` unclosed"));
        }
        out.push(inner[from..].trim().to_string());
        if out.len() == 1 && out[0].is_empty() {
            out.clear();
        }
        Ok(Some((name.to_string(), out)))
    }
}

/// `left ## right` on texts: the last token of `left` and the first of `right` pasted into
/// one, refused when they are not one token (`x ## +`); an empty side leaves the other.
fn paste_texts(left: &str, right: &str) -> Result<String, CError> {
    let (l, r) = (lex(left)?, lex(right)?);
    let (Some((_, la)), Some((_, ra))) = (l.last(), r.first()) else {
        return Ok(format!("{left}{right}"));
    };
    let joined = format!("{}{}", &left[la.clone()], &right[ra.clone()]);
    match lex(&joined).as_deref() {
        Ok([_]) => Ok(format!("{}{joined}{}", &left[..la.start], &right[ra.end..])),
        _ => err(
            0..joined.len(),
            format!(
                "`##` pastes `{}` and `{}` into `{joined}`, which is not one token",
                &left[la.clone()],
                &right[ra.clone()]
            ),
        ),
    }
}

/// An ioctl wrapper call `name(args)` as the `_IO`...`_IOWR` wrapper it reaches: itself, or
/// through forwarding wrappers (`Macro::forward`), the wrapper the last of them calls (a
/// macro `macros` knows, or `_IO`...`_IOWR`, taken as a wrapper of itself) with its
/// arguments. An error says why a forwarding wrapper reaches none.
pub fn reduce_io_call(
    name: &str,
    args: &[String],
    macros: &dyn Fn(&str) -> Option<Macro>,
) -> Result<(String, Macro, Vec<String>), CError> {
    let (mut name, mut args) = (name.to_string(), args.to_vec());
    for _ in 0..MAX_DEPTH {
        let m = match macros(&name) {
            Some(m) => m,
            None => match IOCTL_MACROS.iter().find(|m| **m == name) {
                Some(io) => {
                    let params = ["type", "nr", "size"][..if *io == "_IO" { 2 } else { 3 }]
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>();
                    let body = format!("{io}({})", params.join(","));
                    Macro::new(params, &body)?
                }
                None => {
                    return err(
                        0..0,
                        format!("`{name}` is no macro defined above it and no ioctl macro"),
                    )
                }
            },
        };
        if m.io.is_some() {
            return Ok((name, m, args));
        }
        let call = format!("{name}({})", args.join(", "));
        match m.forward(&args)? {
            // A wrapper that calls another with its arguments twice grows them each time.
            Some((_, cargs)) if cargs.iter().map(String::len).sum::<usize>() > MAX_WORK => {
                return err(
                    0..0,
                    format!("the call `{name}` makes grows past {MAX_WORK} bytes"),
                )
            }
            Some((callee, cargs)) => (name, args) = (callee, cargs),
            None if args.len() != m.params.len() => {
                return err(
                    0..0,
                    format!(
                        "`{name}` takes {} argument{}, given {}",
                        m.params.len(),
                        if m.params.len() == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
            }
            None => {
                return err(
                    0..0,
                    format!(
                        "`{call}` is no ioctl wrapper call: its body is neither one call of \
                         `_IO`, `_IOR`, `_IOW` or `_IOWR` nor one call of another wrapper"
                    ),
                )
            }
        }
    }
    err(
        0..0,
        "wrappers nested too deep (a wrapper that calls itself?)",
    )
}

/// The operators a define's text is read for before it is parsed (`sizeofs`, `offsetofs`,
/// `alignofs`).
const SIZED_OPERATORS: [&str; 5] = ["sizeof", "offsetof", "__alignof__", "__alignof", "_Alignof"];

/// `text` with each call of a macro whose body takes `sizeof`, `offsetof` or an alignment
/// (gfs2_ondisk.h's `GFS2_MIN_DIRENT_SIZE (GFS2_DIRENT_SIZE(1))`, whose body is
/// `((sizeof(struct gfs2_dirent) + (name_len) + 7) & ~7)`) replaced by that body, its
/// arguments substituted as the preprocessor does, and the names of those macros; None when
/// it calls none. Those operators are read in a define's own text, which this makes them.
pub fn expand_sized(
    text: &str,
    macros: &dyn Fn(&str) -> Option<Macro>,
) -> Result<Option<(String, Vec<String>)>, CError> {
    let whole = 0..text.len();
    let mut out = text.to_string();
    let mut used: Vec<String> = Vec::new();
    for _ in 0..MAX_DEPTH {
        // What does not lex (`offsetof`'s designator `first.len`) is left to the operators'
        // own readers, which say what is wrong.
        let Ok(toks) = lex(&out) else {
            return Ok((!used.is_empty()).then_some((out, used)));
        };
        let call = toks.iter().enumerate().find_map(|(i, (t, r))| match t {
            Tok::Ident(n) if matches!(toks.get(i + 1), Some((Tok::Punct("("), _))) => {
                let m = macros(n)?;
                let body = m
                    .text
                    .clone()
                    .filter(|_| takes_size(&m, macros, &mut { MAX_TOKENS }))?;
                Some((i, r.start, n.clone(), m, body))
            }
            _ => None,
        });
        let Some((i, start, name, m, body)) = call else {
            return Ok((!used.is_empty()).then_some((out, used)));
        };
        // The arguments as written: split at the commas outside parentheses.
        let mut args = Vec::new();
        let mut from = toks[i + 1].1.end;
        let mut depth = 0usize;
        let mut j = i + 2;
        let end = loop {
            let Some((t, r)) = toks.get(j) else {
                return err(whole, format!("`{name}(` without its `)`"));
            };
            match t {
                Tok::Punct(")") if depth == 0 => {
                    args.push(out[from..r.start].trim().to_string());
                    break r.end;
                }
                Tok::Punct(",") if depth == 0 => {
                    args.push(out[from..r.start].trim().to_string());
                    from = r.end;
                }
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") => depth -= 1,
                _ => {}
            }
            j += 1;
        };
        if m.params.is_empty() && args.len() == 1 && args[0].is_empty() {
            args.clear();
        }
        if args.len() != m.params.len() || args.iter().any(String::is_empty) {
            return err(
                whole,
                format!(
                    "`{name}` takes {} argument{}, given {}",
                    m.params.len(),
                    if m.params.len() == 1 { "" } else { "s" },
                    args.len()
                ),
            );
        }
        out = format!(
            "{} {} {}",
            &out[..start],
            substitute(&body, &m.params, &args),
            &out[end..]
        );
        if out.len() > MAX_WORK {
            return err(
                whole,
                format!("the expansion of `{name}` grows past {MAX_WORK} bytes"),
            );
        }
        if !used.contains(&name) {
            used.push(name);
        }
    }
    err(
        whole,
        "macros nested too deep (a macro that expands to itself?)",
    )
}

/// Whether macro `m`'s body takes `sizeof`, `offsetof` or an alignment, or calls a macro
/// that does, looking at no more than `budget` macros (macros that each call the one below
/// twice would otherwise take 2^depth looks): past it, no.
fn takes_size(m: &Macro, macros: &dyn Fn(&str) -> Option<Macro>, budget: &mut usize) -> bool {
    m.sized
        || m.body.iter().any(|(t, _)| match t {
            Tok::Ident(n) if *budget > 0 => {
                *budget -= 1;
                macros(n).is_some_and(|c| takes_size(&c, macros, budget))
            }
            _ => false,
        })
}

/// `text` with every parameter token replaced by its argument. A replacement is spaced from
/// what surrounds it, as the preprocessor keeps tokens apart (`0x40+n` with `+1` is
/// `0x40 + +1`, not `0x40++1`).
fn substitute(text: &str, params: &[String], args: &[String]) -> String {
    let Ok(toks) = lex(text) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (t, at) in &toks {
        let Tok::Ident(n) = t else { continue };
        let Some(k) = params.iter().position(|p| p == n) else {
            continue;
        };
        out.push_str(&text[last..at.start]);
        out.push(' ');
        out.push_str(args[k].trim());
        out.push(' ');
        last = at.end;
    }
    out.push_str(&text[last..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `body` (lexed as `toks`) is an ioctl wrapper's: None when it calls no ioctl
/// macro, its call when it is exactly one passing a parameter on as its size, refused
/// (located) otherwise.
fn io_body(
    body: &str,
    toks: &[(Tok, Range<usize>)],
    params: &[String],
) -> Result<Option<IoBody>, CError> {
    let Some((call, args)) = io_call(body, toks)? else {
        return Ok(None);
    };
    let want = if call == "_IO" { 2 } else { 3 };
    if args.len() != want {
        return err(
            0..body.len(),
            format!("`{call}` takes {want} arguments, given {}", args.len()),
        );
    }
    let text = |r: &Range<usize>| body[r.clone()].to_string();
    if let Some(empty) = args.iter().find(|r| r.is_empty()) {
        return err(empty.clone(), format!("an empty argument to `{call}`"));
    }
    let size_param = match args.get(2) {
        None => None,
        Some(r) => match params.iter().position(|p| *p == text(r)) {
            Some(k) => Some(k),
            None => {
                return err(
                    r.clone(),
                    format!(
                        "`{call}`'s size argument `{}` is not one of the macro's parameters: \
                         a wrapper passes on the type a define gives it",
                        text(r)
                    ),
                )
            }
        },
    };
    if let Some(k) = size_param {
        type_param_alone(body, &args[..2], &params[k], call)?;
    }
    Ok(Some(IoBody {
        call,
        ty: text(&args[0]),
        nr: text(&args[1]),
        size_param,
    }))
}

/// The ioctl macro `body` calls and the ranges of its arguments, spaces trimmed: None when it
/// calls none, refused when the call is not the whole body or another is inside it.
fn io_call(
    body: &str,
    toks: &[(Tok, Range<usize>)],
) -> Result<Option<(&'static str, Vec<Range<usize>>)>, CError> {
    let io = |t: &Tok| match t {
        Tok::Ident(n) => IOCTL_MACROS.iter().copied().find(|m| m == n),
        _ => None,
    };
    let Some((first, call)) = toks
        .iter()
        .enumerate()
        .find_map(|(i, (t, _))| Some((i, io(t)?)))
    else {
        return Ok(None);
    };
    let whole = |at: Range<usize>| {
        err(
            at,
            format!(
                "a body that calls `{call}` is exactly one call of it, its value an ioctl \
                 number (`{call}(...)`, as drm.h's `DRM_IOWR(nr, type)` is \
                 `_IOWR(DRM_IOCTL_BASE, nr, type)`)"
            ),
        )
    };
    if first != 0 || !matches!(toks.get(1), Some((Tok::Punct("("), _))) {
        return whole(toks[first].1.clone());
    }
    // Split at the commas outside parentheses, up to the `)` that closes the call, which
    // must end the body.
    let mut args: Vec<Range<usize>> = Vec::new();
    let (mut from, mut depth) = (toks[1].1.end, 0usize);
    for (i, (t, at)) in toks.iter().enumerate().skip(2) {
        match t {
            Tok::Punct("(") => depth += 1,
            Tok::Punct(")") if depth == 0 => {
                args.push(from..at.start);
                if let Some((_, after)) = toks.get(i + 1) {
                    return whole(after.clone());
                }
                let trimmed = args.iter().map(|r| trim(body, r.clone())).collect();
                return Ok(Some((call, trimmed)));
            }
            Tok::Punct(")") => depth -= 1,
            Tok::Punct(",") if depth == 0 => {
                args.push(from..at.start);
                from = at.end;
            }
            _ if io(t).is_some() => return whole(at.clone()),
            _ => {}
        }
    }
    err(toks[0].1.clone(), format!("`{call}(` without its `)`"))
}

/// Range `r` of `text` without the spaces around it.
fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    let t = &text[r.clone()];
    let start = r.start + (t.len() - t.trim_start().len());
    start..(start + t.trim().len())
}

/// Refuses the size parameter `param` of a wrapper inside its type or number argument (`args`
/// of `body`): a type there is no integer.
fn type_param_alone(
    body: &str,
    args: &[Range<usize>],
    param: &str,
    call: &str,
) -> Result<(), CError> {
    for r in args {
        let used = lex(&body[r.clone()])?
            .into_iter()
            .find(|(t, _)| matches!(t, Tok::Ident(n) if n == param));
        if let Some((_, at)) = used {
            return err(
                r.start + at.start..r.start + at.end,
                format!(
                    "parameter `{param}` is `{call}`'s size argument, a type: it cannot also \
                     be part of the ioctl's type or number"
                ),
            );
        }
    }
    Ok(())
}

/// <linux/const.h>'s macros, which uAPI headers use for bits (`_BITUL(n)`): (name,
/// parameters, what they expand to, as the header defines them; `_UL(x)` pastes `UL` onto a
/// literal, which `paste_suffix` does).
pub const CONST_H: &[(&str, &[&str], &str)] = &[
    ("_BITUL", &["x"], "(1UL << (x))"),
    ("_BITULL", &["x"], "(1ULL << (x))"),
    ("_UL", &["x"], ""),
    ("_ULL", &["x"], ""),
    ("__AC", &["X", "Y"], "(X##Y)"),
    ("_AC", &["X", "Y"], "__AC(X,Y)"),
    (
        "__KERNEL_DIV_ROUND_UP",
        &["n", "d"],
        "(((n) + (d) - 1) / (d))",
    ),
    (
        "__ALIGN_KERNEL",
        &["x", "a"],
        "__ALIGN_KERNEL_MASK(x, (__typeof__(x))(a) - 1)",
    ),
    (
        "__ALIGN_KERNEL_MASK",
        &["x", "mask"],
        "(((x) + (mask)) & ~(mask))",
    ),
    // <linux/bits.h>'s (`BITS_H`), built on the ones above and <asm/bitsperlong.h>'s word.
    (
        "__GENMASK",
        &["h", "l"],
        "(((~_UL(0)) << (l)) & (~_UL(0) >> (__BITS_PER_LONG - 1 - (h))))",
    ),
    (
        "__GENMASK_ULL",
        &["h", "l"],
        "(((~_ULL(0)) << (l)) & (~_ULL(0) >> (__BITS_PER_LONG_LONG - 1 - (h))))",
    ),
];

/// Whether `name` is one of `CONST_H`'s macros.
pub fn is_const_h(name: &str) -> bool {
    CONST_H.iter().any(|(n, ..)| *n == name)
}

/// The macros of `CONST_H` that <linux/bits.h> defines (a header calling one includes it).
pub const BITS_H: &[&str] = &["__GENMASK", "__GENMASK_ULL"];

/// Whether `name` is <asm/bitsperlong.h>'s `__BITS_PER_LONG` or `__BITS_PER_LONG_LONG`, or the
/// compiler's `__CHAR_BIT__` or `__SIZEOF_LONG__`, which an expression reads as each data model
/// has it.
pub fn is_word_bits(name: &str) -> bool {
    bits_per(name, LP64).is_some()
}

/// <asm/bitsperlong.h>'s words, which `BITS_H`'s macros read: per data model.
fn bits_per(name: &str, m: Model) -> Option<CValue> {
    let value = match name {
        "__BITS_PER_LONG" => i128::from(m.long_bits),
        "__BITS_PER_LONG_LONG" => 64,
        // The compiler's own, which asm-generic/bitsperlong.h's `__BITS_PER_LONG` multiplies.
        "__CHAR_BIT__" => 8,
        "__SIZEOF_LONG__" => i128::from(m.long_bits / 8),
        BIG_ENDIAN => i128::from(m.big_endian),
        _ => return None,
    };
    Some(CValue {
        value,
        ty: CType::Int,
    })
}

/// The function-like macros of the headers a generated header includes (<linux/ioctl.h>,
/// <linux/const.h>, <linux/stddef.h>): a schema may call some, it may define none.
#[rustfmt::skip]
pub const INCLUDED_MACROS: &[&str] = &[
    "_IO", "_IOR", "_IOW", "_IOWR", "_IOR_BAD", "_IOW_BAD", "_IOWR_BAD", "_IOC",
    "_IOC_TYPECHECK", "_IOC_DIR", "_IOC_TYPE", "_IOC_NR", "_IOC_SIZE", "__AC", "_AC", "_AT",
    "_UL", "_ULL", "_BITUL", "_BITULL", "_BIT128", "__ALIGN_KERNEL", "__ALIGN_KERNEL_MASK",
    "__KERNEL_DIV_ROUND_UP", "__KERNEL_DIV_ROUND_CLOSEST", "__GENMASK", "__GENMASK_ULL",
    "__GENMASK_U128", "__struct_group",
    "__struct_group_tag", "__DECLARE_FLEX_ARRAY", "__counted_by", "__counted_by_le",
    "__counted_by_be", "__counted_by_ptr",
];

/// The depth at which an expansion is taken to run away.
const MAX_DEPTH: usize = 64;

/// The most tokens one expression may have, its macros expanded: macros that each use their
/// argument twice double it at every level, and parsing and evaluating recurse into the
/// expression (a chain of `+` is a tree as deep as it is long), so a schema could otherwise
/// make `generate` hang or overflow its stack. The kernel's longest are a few dozen.
const MAX_TOKENS: usize = 512;

/// The most tokens the expansions of one expression may make between them, each rescan
/// counted again: a bound on the work, where `MAX_TOKENS` bounds the result. A chain of
/// macros each passing the last one's expansion on (linux/comedi.h's `NI_CtrSampleClock(-1)`,
/// 13 `_TERM_N`s deep) counts its tokens once per level.
const MAX_WORK: usize = 16 * MAX_TOKENS;

/// The deepest an expression may nest (parentheses, unary operators, casts, `?:`).
const MAX_NESTING: usize = 64;

/// Expands the function-like macros `macros` knows in `toks`, as the preprocessor does for
/// integer expressions: each argument expanded first, then substituted, then the result
/// rescanned without the macro itself. Every token of an expansion is placed at the call.
fn expand(
    toks: &[(Tok, Range<usize>)],
    macros: &dyn Fn(&str) -> Option<Macro>,
    hidden: &mut Vec<String>,
    used: &mut Vec<String>,
    budget: &mut usize,
) -> Result<Vec<(Tok, Range<usize>)>, CError> {
    if hidden.len() > MAX_DEPTH {
        let at = toks.first().map_or(0..0, |t| t.1.clone());
        return err(
            at,
            "macros nested too deep (a macro that expands to itself?)",
        );
    }
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let (tok, at) = &toks[i];
        let call = match tok {
            Tok::Ident(n) if matches!(toks.get(i + 1), Some((Tok::Punct("("), _))) => {
                (!hidden.contains(n)).then(|| builtin(n).or_else(|| macros(n)).map(|m| (n, m)))
            }
            _ => None,
        }
        .flatten();
        let Some((name, m)) = call else {
            out.push((tok.clone(), at.clone()));
            i += 1;
            continue;
        };
        // The arguments: split at the commas outside parentheses, up to the matching `)`.
        let mut args: Vec<Vec<(Tok, Range<usize>)>> = vec![Vec::new()];
        let mut depth = 0usize;
        let mut j = i + 2;
        let end = loop {
            let Some((t, r)) = toks.get(j) else {
                return err(at.clone(), format!("`{name}(` without its `)`"));
            };
            match t {
                Tok::Punct(")") if depth == 0 => break r.end,
                Tok::Punct(",") if depth == 0 => args.push(Vec::new()),
                _ => {
                    match t {
                        Tok::Punct("(") => depth += 1,
                        Tok::Punct(")") => depth -= 1,
                        _ => {}
                    }
                    args.last_mut()
                        .expect("one at least")
                        .push((t.clone(), r.clone()));
                }
            }
            j += 1;
        };
        let call_at = at.start..end;
        if m.params.is_empty() && args.len() == 1 && args[0].is_empty() {
            args.clear();
        }
        if args.len() != m.params.len() {
            return err(
                call_at,
                format!(
                    "`{name}` takes {} argument{}, given {}",
                    m.params.len(),
                    if m.params.len() == 1 { "" } else { "s" },
                    args.len()
                ),
            );
        }
        if let Some(io) = &m.io {
            return err(
                call_at,
                format!(
                    "`{name}` is an ioctl macro (its body is `{}(...)`): its value is an \
                     ioctl number, which each architecture encodes its own way; write the \
                     define as `ioctl = {{ macro = \"{name}\", args = [...] }}`",
                    io.call
                ),
            );
        }
        if !used.contains(name) {
            used.push(name.clone());
        }
        let mut expanded = Vec::with_capacity(args.len());
        for a in &args {
            if a.is_empty() {
                return err(call_at, format!("an empty argument to `{name}`"));
            }
            expanded.push(expand(a, macros, hidden, used, budget)?);
        }
        let body = if let Some(pasted) = paste_suffix(name, &expanded, &call_at)? {
            vec![pasted]
        } else {
            substitute_body(&m, &args, &expanded, name, &call_at)?
        };
        *budget = match budget.checked_sub(body.len()) {
            Some(left) => left,
            None => {
                return err(
                    call_at,
                    format!(
                        "the expansion of `{name}` grows past {MAX_WORK} tokens, its rescans \
                         counted"
                    ),
                )
            }
        };
        hidden.push(name.clone());
        let rescanned = expand(&body, macros, hidden, used, budget);
        hidden.pop();
        out.extend(rescanned?);
        i = j + 1;
    }
    Ok(out)
}

/// The body of macro `m` (called `name`, at `at`) with its arguments in place, as cpp
/// substitutes them: a parameter beside `##` by its argument as written (`args`), any other
/// by its argument expanded (`expanded`); then each `##` pastes its neighbours into one token.
fn substitute_body(
    m: &Macro,
    args: &[Vec<(Tok, Range<usize>)>],
    expanded: &[Vec<(Tok, Range<usize>)>],
    name: &str,
    at: &Range<usize>,
) -> Result<Vec<(Tok, Range<usize>)>, CError> {
    let param = |t: &Tok| match t {
        Tok::Ident(p) => m.params.iter().position(|q| q == p),
        _ => None,
    };
    let mut body: Vec<(Tok, Range<usize>)> = Vec::with_capacity(m.body.len());
    // Whether the last token pushed is to be pasted onto the next one.
    let mut pasting = false;
    for (i, (t, _)) in m.body.iter().enumerate() {
        if *t == Tok::Paste {
            pasting = true;
            continue;
        }
        let beside = |j: Option<usize>| {
            j.and_then(|j| m.body.get(j))
                .is_some_and(|n| n.0 == Tok::Paste)
        };
        let toks: Vec<Tok> = match param(t) {
            Some(k) if pasting || beside(i.checked_sub(1)) || beside(Some(i + 1)) => {
                args[k].iter().map(|x| x.0.clone()).collect()
            }
            Some(k) => expanded[k].iter().map(|x| x.0.clone()).collect(),
            None => vec![t.clone()],
        };
        let mut toks = toks.into_iter();
        if std::mem::take(&mut pasting) {
            let left = body.pop().map(|x| x.0);
            let right = toks.next();
            if let (Some(l), Some(r)) = (left, right) {
                body.push((paste(&l, &r, name, at)?, at.clone()));
            }
        }
        body.extend(toks.map(|t| (t, at.clone())));
    }
    Ok(body)
}

/// The one token `##` makes of `left` and `right`; refused when their spellings joined are
/// not one token (`x ## +`), or one is a literal, whose spelling is not kept.
fn paste(left: &Tok, right: &Tok, name: &str, at: &Range<usize>) -> Result<Tok, CError> {
    // A suffix onto a literal without one (<linux/const.h>'s `__AC(X, Y)`, `(X##Y)`:
    // `_AC(0xff, UL)`, x86's `_AC((1UL << 12) - 1, UL)`): the literal, of that type.
    if let (
        Tok::Num {
            value,
            unsigned: false,
            longs: 0,
            decimal,
        },
        Tok::Ident(suffix),
    ) = (left, right)
    {
        let typed = match suffix.as_str() {
            "U" | "u" => Some((true, 0)),
            "L" | "l" => Some((false, 1)),
            "UL" | "ul" | "uL" | "Ul" | "LU" | "lu" | "Lu" | "lU" => Some((true, 1)),
            "LL" | "ll" => Some((false, 2)),
            "ULL" | "ull" | "uLL" | "Ull" | "LLU" | "llu" | "LLu" | "llU" => Some((true, 2)),
            _ => None,
        };
        if let Some((unsigned, longs)) = typed {
            return Ok(Tok::Num {
                value: *value,
                unsigned,
                longs,
                decimal: *decimal,
            });
        }
    }
    let spell = |t: &Tok| match t {
        Tok::Ident(n) | Tok::PpNum(n, _) => Some(n.clone()),
        Tok::Punct(p) => Some(p.to_string()),
        Tok::Num { .. } | Tok::Paste => None,
    };
    let (Some(l), Some(r)) = (spell(left), spell(right)) else {
        return err(
            at.clone(),
            format!("`{name}` pastes an integer literal with `##`, which the schema cannot check"),
        );
    };
    let joined = format!("{l}{r}");
    match lex(&joined).as_deref() {
        Ok([(t, _)]) => Ok(t.clone()),
        _ => err(
            at.clone(),
            format!("`{name}` pastes `{l}` and `{r}` into `{joined}`, which is not one token"),
        ),
    }
}

/// What <asm/byteorder.h>'s conversion `name` does to an n-bit value: swap its bytes
/// (<linux/swab.h>'s `__swab16()`, `___constant_swab32()`), or swap them where the target's
/// order is not the one converted to or from (`__cpu_to_be16()`, `__le32_to_cpu()` and their
/// `__constant_` forms: `big` for big-endian). Read from the name alone, as cheap as a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteOrderConv {
    Swab(u32),
    To { big: bool, bits: u32 },
}

fn byteorder_conv(name: &str) -> Option<ByteOrderConv> {
    let rest = name
        .strip_prefix("__constant_")
        .or_else(|| name.strip_prefix("__"))?;
    let bits = |n: &str| -> Option<u32> {
        let n: u32 = n.parse().ok()?;
        [16, 32, 64].contains(&n).then_some(n)
    };
    if let Some(n) = rest
        .strip_prefix("_constant_swab")
        .or_else(|| rest.strip_prefix("swab"))
    {
        return Some(ByteOrderConv::Swab(bits(n)?));
    }
    let to_from = |order: &str| {
        rest.strip_prefix("cpu_to_")
            .and_then(|r| r.strip_prefix(order))
            .or_else(|| rest.strip_prefix(order)?.strip_suffix("_to_cpu"))
            .and_then(bits)
    };
    match (to_from("be"), to_from("le")) {
        (Some(bits), _) => Some(ByteOrderConv::To { big: true, bits }),
        (_, Some(bits)) => Some(ByteOrderConv::To { big: false, bits }),
        _ => None,
    }
}

/// <asm/byteorder.h>'s conversion `name` (`byteorder_conv`) as an expansion over `x` that
/// reads the byte order from `BIG_ENDIAN`, which only such an expansion names.
pub fn byteorder_macro(name: &str) -> Option<String> {
    // <linux/swab.h>'s `___constant_swab32(x)`: byte i moved to byte n - 1 - i.
    let swab = |bits: u32| -> String {
        let bytes = bits / 8;
        let terms: Vec<String> = (0..bytes)
            .map(|i| {
                let mask = format!("0x{:0w$x}ULL", 0xffu64 << (8 * i), w = (bytes * 2) as usize);
                let byte = format!("((__u{bits})(x) & (__u{bits}){mask})");
                let to = bytes - 1 - i;
                match to.cmp(&i) {
                    std::cmp::Ordering::Greater => format!("({byte} << {})", 8 * (to - i)),
                    std::cmp::Ordering::Less => format!("({byte} >> {})", 8 * (i - to)),
                    std::cmp::Ordering::Equal => byte,
                }
            })
            .collect();
        format!("((__u{bits})({}))", terms.join(" | "))
    };
    Some(match byteorder_conv(name)? {
        ByteOrderConv::Swab(n) => swab(n),
        ByteOrderConv::To { big, bits } => {
            let (same, swapped) = (format!("((__u{bits})(x))"), swab(bits));
            let (on_big, on_little) = if big {
                (same, swapped)
            } else {
                (swapped, same)
            };
            format!("({BIG_ENDIAN} ? {on_big} : {on_little})")
        }
    })
}

/// Whether `name` is one of <asm/byteorder.h>'s conversions (`byteorder_macro`).
pub fn is_byteorder(name: &str) -> bool {
    byteorder_conv(name).is_some()
}

/// The name `byteorder_macro`'s expansions read the byte order from: 1 on a big-endian
/// model, 0 on the others. No header defines it; a schema may not name it.
pub const BIG_ENDIAN: &str = "__UAPIGEN_BIG_ENDIAN__";

/// <linux/const.h>'s macro `name`, or <asm/byteorder.h>'s, when it is one.
fn builtin(name: &str) -> Option<Macro> {
    if let Some(body) = byteorder_macro(name) {
        return Macro::new(vec!["x".to_string()], &body).ok();
    }
    let (_, params, body) = CONST_H.iter().find(|(n, ..)| *n == name)?;
    let params = params.iter().map(|p| p.to_string()).collect();
    if body.is_empty() {
        return Some(Macro {
            params,
            body: Vec::new(),
            source: String::new(),
            io: None,
            text: None,
            sized: false,
        });
    }
    Macro::new(params, body).ok()
}

/// `_UL(x)` and `_ULL(x)`: `x##UL`, a literal given the suffix (the one paste uAPI headers
/// make in integer expressions).
fn paste_suffix(
    name: &str,
    args: &[Vec<(Tok, Range<usize>)>],
    at: &Range<usize>,
) -> Result<Option<(Tok, Range<usize>)>, CError> {
    let longs = match name {
        "_UL" => 1,
        "_ULL" => 2,
        _ => return Ok(None),
    };
    match args {
        [a] => match a.as_slice() {
            [(
                Tok::Num {
                    value,
                    unsigned: false,
                    longs: 0,
                    decimal,
                },
                _,
            )] => Ok(Some((
                Tok::Num {
                    value: *value,
                    unsigned: true,
                    longs,
                    decimal: *decimal,
                },
                at.clone(),
            ))),
            _ => err(
                at.clone(),
                format!(
                    "`{name}` pastes a suffix onto its argument: an integer literal without one"
                ),
            ),
        },
        _ => err(at.clone(), format!("`{name}` takes 1 argument")),
    }
}

/// Parses `text` as one C integer constant expression, the function-like macros `macros`
/// knows (and <linux/const.h>'s) expanded; `used` gets the names of those it called.
pub fn parse_with(text: &str, macros: &dyn Fn(&str) -> Option<Macro>) -> Result<CExpr, CError> {
    parse_with_types(text, macros, &|_| None)
}

/// `parse_with`, where a cast may also name a typedef `types` knows (videodev2.h's
/// `((v4l2_std_id)0x00000001)`).
pub fn parse_with_types(
    text: &str,
    macros: &dyn Fn(&str) -> Option<Macro>,
    types: &dyn Fn(&str) -> Option<CType>,
) -> Result<CExpr, CError> {
    let mut used = Vec::new();
    let mut budget = MAX_WORK;
    let toks = expand(&lex(text)?, macros, &mut Vec::new(), &mut used, &mut budget)?;
    if toks.is_empty() {
        return err(0..text.len(), "an empty expression");
    }
    if toks.len() > MAX_TOKENS {
        return err(
            toks[MAX_TOKENS].1.clone(),
            format!("the expression has more than {MAX_TOKENS} tokens, its macros expanded"),
        );
    }
    let mut p = Parser {
        toks: &toks,
        types,
        pos: 0,
        len: text.len(),
        names: Vec::new(),
        depth: 0,
    };
    let root = p.conditional()?;
    if p.pos != toks.len() {
        return err(
            p.here(),
            "expected an operator or the end of the expression",
        );
    }
    Ok(CExpr {
        root,
        names: p.names,
        macros: used,
    })
}

/// The type C gives an integer literal (C11 6.4.4.1): the first of its list it fits.
fn literal_type(value: u128, unsigned: bool, longs: u8, decimal: bool, m: Model) -> Option<CType> {
    use CType::*;
    let list: &[CType] = match (unsigned, longs, decimal) {
        (false, 0, true) => &[Int, Long, LongLong],
        (false, 0, false) => &[Int, UInt, Long, ULong, LongLong, ULongLong],
        (true, 0, _) => &[UInt, ULong, ULongLong],
        (false, 1, true) => &[Long, LongLong],
        (false, 1, false) => &[Long, ULong, LongLong, ULongLong],
        (true, 1, _) => &[ULong, ULongLong],
        (false, _, true) => &[LongLong],
        (false, _, false) => &[LongLong, ULongLong],
        (true, _, _) => &[ULongLong],
    };
    list.iter().copied().find(|t| (value as i128) <= t.max(m))
}

/// The common type of two operands (the usual arithmetic conversions, C11 6.3.1.8).
pub fn common(a: CType, b: CType, m: Model) -> CType {
    if a == b {
        return a;
    }
    if a.signed() == b.signed() {
        return if a.rank() >= b.rank() { a } else { b };
    }
    let (s, u) = if a.signed() { (a, b) } else { (b, a) };
    if u.rank() >= s.rank() {
        u
    } else if s.max(m) >= u.max(m) {
        s
    } else {
        s.to_unsigned()
    }
}

impl CExpr {
    /// The value on data model `m`; `lookup` gives each named constant's value.
    pub fn eval(
        &self,
        m: Model,
        lookup: &dyn Fn(&str) -> Option<CValue>,
    ) -> Result<CValue, CError> {
        eval(&self.root, m, lookup)
    }
}

/// An operator's operand: an integer, not a pointer (`SIG_DFL`'s `((__sighandler_t)0)` is a
/// value only as a whole define).
fn operand(
    e: &(Node, Range<usize>),
    m: Model,
    lookup: &dyn Fn(&str) -> Option<CValue>,
) -> Result<CValue, CError> {
    let x = eval(e, m, lookup)?;
    if x.ty == CType::Pointer {
        return err(
            e.1.clone(),
            "a pointer value (a cast to a typedef of a pointer) is an operand of nothing: \
             a define may be one, or name one",
        );
    }
    Ok(x)
}

fn eval(
    (node, at): &(Node, Range<usize>),
    m: Model,
    lookup: &dyn Fn(&str) -> Option<CValue>,
) -> Result<CValue, CError> {
    let v = |value, ty| Ok(CValue { value, ty });
    match node {
        Node::Lit {
            value,
            unsigned,
            longs,
            decimal,
        } => match literal_type(*value, *unsigned, *longs, *decimal, m) {
            Some(ty) => v(*value as i128, ty),
            None => err(at.clone(), "the literal fits none of the types C allows it"),
        },
        Node::Name(n) => match lookup(n).or_else(|| bits_per(n, m)) {
            Some(c) if c.ty == CType::Pointer => err(
                at.clone(),
                format!("`{n}` is a pointer's value (a cast to a typedef of a pointer): no other define names it"),
            ),
            Some(c) => Ok(c),
            None => err(
                at.clone(),
                format!(
                    "unknown constant `{n}`: an expression may only use constants defined above it"
                ),
            ),
        },
        Node::Cast(t, e) => {
            let x = operand(e, m, lookup)?;
            v(t.wrap(x.value, m), *t)
        }
        Node::CastAs(b) => {
            let t = operand(&b[0], m, lookup)?.ty;
            let x = operand(&b[1], m, lookup)?;
            v(t.wrap(x.value, m), t)
        }
        Node::Unary(op, e) => {
            let x = operand(e, m, lookup)?;
            let t = x.ty.promoted();
            match *op {
                "+" => Ok(x),
                "-" => {
                    let r = -x.value;
                    if t.signed() && r > t.max(m) {
                        return err(
                            at.clone(),
                            format!("`-{}` overflows {} (undefined in C)", x.value, c_name(t)),
                        );
                    }
                    v(t.wrap(r, m), t)
                }
                "~" => v(t.wrap(!x.value, m), t),
                _ => v(i128::from(x.value == 0), CType::Int),
            }
        }
        Node::Cond(parts) => {
            let [c, a, b] = &**parts;
            let c = operand(c, m, lookup)?;
            let (x, y) = (operand(a, m, lookup)?, operand(b, m, lookup)?);
            let t = common(x.ty.promoted(), y.ty.promoted(), m);
            let pick = if c.value != 0 { x } else { y };
            v(t.wrap(pick.value, m), t)
        }
        Node::Binary(op, l, r) => {
            let (x, y) = (operand(l, m, lookup)?, operand(r, m, lookup)?);
            match *op {
                "<<" | ">>" => {
                    let t = x.ty.promoted();
                    let bits = t.bits(m);
                    if y.value < 0 || y.value >= i128::from(bits) {
                        return err(
                            at.clone(),
                            format!(
                                "a shift by {} of a {bits}-bit `{}` is undefined in C{}",
                                y.value,
                                c_name(t),
                                if bits == 32 && y.value >= 32 && y.value < 64 {
                                    format!(" (on {}); write `1ULL << {}`", m.abis, y.value)
                                } else {
                                    format!(" (on {})", m.abis)
                                }
                            ),
                        );
                    }
                    let n = y.value as u32;
                    if *op == "<<" {
                        v(t.wrap(x.value << n, m), t)
                    } else {
                        v(x.value >> n, t)
                    }
                }
                "&&" => v(i128::from(x.value != 0 && y.value != 0), CType::Int),
                "||" => v(i128::from(x.value != 0 || y.value != 0), CType::Int),
                _ => {
                    let t = common(x.ty.promoted(), y.ty.promoted(), m);
                    let (a, b) = (t.wrap(x.value, m), t.wrap(y.value, m));
                    let cmp = |c: bool| v(i128::from(c), CType::Int);
                    let r = match *op {
                        "==" => return cmp(a == b),
                        "!=" => return cmp(a != b),
                        "<" => return cmp(a < b),
                        ">" => return cmp(a > b),
                        "<=" => return cmp(a <= b),
                        ">=" => return cmp(a >= b),
                        "&" => a & b,
                        "|" => a | b,
                        "^" => a ^ b,
                        "+" => a + b,
                        "-" => a - b,
                        "*" => a * b,
                        "/" | "%" => {
                            if b == 0 {
                                return err(at.clone(), "a division by zero");
                            }
                            if *op == "/" {
                                a / b
                            } else {
                                a % b
                            }
                        }
                        _ => unreachable!("every binary operator is handled"),
                    };
                    if t.signed() && (r < t.min(m) || r > t.max(m)) {
                        return err(
                            at.clone(),
                            format!(
                                "overflows {} on {} (undefined in C): make an operand unsigned or wider",
                                c_name(t),
                                m.abis
                            ),
                        );
                    }
                    v(t.wrap(r, m), t)
                }
            }
        }
    }
}

/// How C spells a type.
pub fn c_name(t: CType) -> &'static str {
    match t {
        CType::SChar => "signed char",
        CType::UChar => "unsigned char",
        CType::Short => "short",
        CType::UShort => "unsigned short",
        CType::Int => "int",
        CType::UInt => "unsigned int",
        CType::Long => "long",
        CType::ULong => "unsigned long",
        CType::LongLong => "long long",
        CType::ULongLong => "unsigned long long",
        CType::Pointer => "a pointer",
    }
}

/// The type C gives a literal written in the schema as `text` (its value `value`) on data
/// model `m`: how the other constant forms are typed when an expression uses them.
pub fn literal_text_type(text: &str, value: u64, m: Model) -> CType {
    let (unsigned, longs, decimal) = match number(text, 0..0) {
        Ok(Tok::Num {
            unsigned,
            longs,
            decimal,
            ..
        }) => (unsigned, longs, decimal),
        _ => (false, 0, true),
    };
    literal_type(u128::from(value), unsigned, longs, decimal, m).unwrap_or(CType::ULongLong)
}

#[cfg(test)]
mod tests {
    /// A forwarding wrapper's call: pasted and substituted as cpp does, through chains of
    /// wrappers to the `_IO`...`_IOWR` one reached; a wrapper that doubles its arguments on
    /// each call stops at the bound, not at the machine's memory.
    #[test]
    fn forwarding_wrappers_reach_the_ioctl_wrapper() {
        let m =
            |p: &[&str], b: &str| Macro::new(p.iter().map(|s| s.to_string()).collect(), b).unwrap();
        let macros = |n: &str| match n {
            "W_IOWR" => Some(m(&["nr", "type"], "_IOWR('W',nr,type)")),
            "FWD" => Some(m(
                &["dir", "name", "s"],
                "W_##dir(W_BASE + W_##name, struct w_##s)",
            )),
            "CALL" => Some(m(&["_m", "n"], "_m(0x40 + (n), __u32)")),
            "GROW" => Some(m(&["a"], "GROW(a a)")),
            _ => None,
        };
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (name, w, got) =
            reduce_io_call("FWD", &args(&["IOWR", "GET", "req"]), &macros).unwrap();
        assert_eq!(name, "W_IOWR");
        assert_eq!(got, ["W_BASE + W_GET", "struct w_req"]);
        assert_eq!(w.io.unwrap().call, "_IOWR");
        let (name, _, got) = reduce_io_call("CALL", &args(&["_IOR", "1"]), &macros).unwrap();
        assert_eq!(
            (name.as_str(), got),
            ("_IOR", args(&["0x40 + (1)", "__u32"]))
        );
        let e = reduce_io_call("GROW", &args(&["x"]), &macros).unwrap_err();
        assert!(e.message.contains("grows past"), "{}", e.message);
        let e = reduce_io_call("FWD", &args(&["+", "GET", "req"]), &macros).unwrap_err();
        assert!(e.message.contains("not one token"), "{}", e.message);
    }

    /// `&((TYPE *)0)->MEMBER` right after a cast is an offsetof (nilfs2_ondisk.h's); the
    /// address alone, or of another pointer than a null one, is not.
    #[test]
    fn a_null_members_address_cast_is_an_offsetof() {
        let text = "((long)&((struct nilfs_super_block *)0)->s_reserved)";
        let found = offsetofs(text).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            &text[found[0].0.clone()],
            "&((struct nilfs_super_block *)0)->s_reserved"
        );
        assert_eq!(found[0].1, "struct nilfs_super_block");
        assert_eq!(found[0].2, "s_reserved");
        let two = "((unsigned long)&((struct r *)0)->a.b + sizeof(__u64))";
        assert_eq!(offsetofs(two).unwrap()[0].2, "a.b");
        assert_eq!(
            sizes_as_one(two).unwrap().trim_end().len(),
            two.trim_end().len()
        );
        assert!(offsetofs("(&((struct r *)0)->a)").unwrap().is_empty());
        assert!(offsetofs("((long)&((struct r *)1)->a)").unwrap().is_empty());
    }

    use super::*;

    fn eval_on(text: &str, m: Model) -> Result<CValue, CError> {
        let consts = |n: &str| match n {
            "A" => Some(CValue {
                value: 4,
                ty: CType::Int,
            }),
            "U" => Some(CValue {
                value: 0x8000_0000,
                ty: CType::UInt,
            }),
            _ => None,
        };
        parse(text)?.eval(m, &consts)
    }

    fn lp64(text: &str) -> (i128, CType) {
        let v = eval_on(text, LP64).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        (v.value, v.ty)
    }

    /// <asm/byteorder.h>'s conversions swap the bytes where the target's order is not the
    /// one converted to: `__cpu_to_be16()` on little-endian models, `__cpu_to_le32()` on
    /// s390x; their value is promoted from the `__uN` they cast to, as C's is.
    #[test]
    fn byte_order_conversions_follow_the_model() {
        let on = |t: &str, m: Model| {
            let v = eval_on(t, m).unwrap_or_else(|e| panic!("{t}: {e:?}"));
            (v.value, v.ty)
        };
        assert_eq!(on("__cpu_to_be16(0x0080)", LP64), (0x8000, CType::Int));
        assert_eq!(on("__cpu_to_be16(0x0080)", LP64_BE), (0x0080, CType::Int));
        assert_eq!(on("__cpu_to_be16(0x0080)", ILP32), (0x8000, CType::Int));
        assert_eq!(
            on("__constant_cpu_to_be32(0x00800000)", LP64),
            (0x8000, CType::UInt)
        );
        assert_eq!(
            on("__constant_cpu_to_be32(0xF0000000)", LP64),
            (0xF0, CType::UInt)
        );
        assert_eq!(
            on("__be32_to_cpu(0x12345678)", LP64_BE),
            (0x1234_5678, CType::UInt)
        );
        assert_eq!(
            on("__cpu_to_le32(0x12345678)", LP64_BE),
            (0x7856_3412, CType::UInt)
        );
        assert_eq!(on("__cpu_to_le64(1)", LP64_BE), (1 << 56, CType::ULongLong));
        assert_eq!(
            on("__swab64(0x0102030405060708)", LP64),
            (0x0807_0605_0403_0201, CType::ULongLong)
        );
        assert_eq!(
            on("__cpu_to_be16(A) | __cpu_to_be16(1)", LP64),
            (0x0500, CType::Int)
        );
        assert!(!is_byteorder("__cpu_to_be8") && !is_byteorder("__cpu_to_be128"));
        // A cast to a fixed-byte-order type converts no bytes (linux/if_tunnel.h's `VTI_ISVTI`).
        assert_eq!(on("((__be16)0x0001)", LP64_BE), (1, CType::UShort));
        assert_eq!(on("((__le32)0x80000000)", LP64), (0x8000_0000, CType::UInt));
    }

    /// <linux/const.h>'s `__ALIGN_KERNEL()` rounds up in the type of its first argument, which
    /// `(__typeof__(x))` casts the alignment to (linux/netlink.h's `NL_MMAP_MSG_ALIGN()`).
    #[test]
    fn align_kernel_rounds_up_in_the_type_of_its_argument() {
        let v = |t: &str| {
            let (v, _) = with_macros(t, LP64).unwrap_or_else(|e| panic!("{t}: {e:?}"));
            (v.value, v.ty)
        };
        assert_eq!(v("__ALIGN_KERNEL(5, 4)"), (8, CType::Int));
        assert_eq!(v("__ALIGN_KERNEL(5UL, 4)"), (8, CType::ULong));
        assert_eq!(v("__ALIGN_KERNEL(8U, 8)"), (8, CType::UInt));
        assert_eq!(
            v("((__typeof__(1ULL))(-1))"),
            (u64::MAX as i128, CType::ULongLong)
        );
    }

    #[test]
    fn literals_take_c_types() {
        assert_eq!(lp64("1"), (1, CType::Int));
        assert_eq!(lp64("2147483648"), (2147483648, CType::Long));
        assert_eq!(lp64("0x80000000"), (0x8000_0000, CType::UInt));
        assert_eq!(lp64("0xffffffffffffffff"), (u64::MAX as i128, CType::ULong));
        assert_eq!(lp64("1ULL"), (1, CType::ULongLong));
        assert_eq!(lp64("1lu"), (1, CType::ULong));
        assert_eq!(lp64("010"), (8, CType::Int));
        assert_eq!(lp64("'A'"), (65, CType::Int));
        let on32 = eval_on("2147483648", ILP32).unwrap();
        assert_eq!((on32.value, on32.ty), (2147483648, CType::LongLong));
        assert!(parse("1lL").is_err());
        assert!(parse("0x").is_err());
        assert!(parse("18446744073709551616").is_err());
    }

    #[test]
    fn operators_follow_the_usual_conversions() {
        assert_eq!(lp64("(1 << 31)"), (i32::MIN as i128, CType::Int));
        assert_eq!(lp64("(1U << 31)"), (1 << 31, CType::UInt));
        assert_eq!(lp64("(1ULL << 40) - 1"), ((1 << 40) - 1, CType::ULongLong));
        assert_eq!(lp64("-1"), (-1, CType::Int));
        assert_eq!(lp64("~0U"), (u32::MAX as i128, CType::UInt));
        assert_eq!(lp64("(__u32)~0"), (u32::MAX as i128, CType::UInt));
        assert_eq!(lp64("(__u64)-1"), (u64::MAX as i128, CType::ULongLong));
        assert_eq!(lp64("(__u8)0x1ff"), (0xff, CType::UChar));
        assert_eq!(lp64("(unsigned char)-1"), (255, CType::UChar));
        assert_eq!(lp64("(__u8)0xff + (__s8)0xff"), (254, CType::Int));
        assert_eq!(lp64("-1 < 0U"), (0, CType::Int), "-1 converts to unsigned");
        assert_eq!(
            lp64("-1L < 0U"),
            (1, CType::Int),
            "long holds every unsigned int"
        );
        assert_eq!(lp64("A | U"), (0x8000_0004, CType::UInt));
        assert_eq!(lp64("(A + 1) * 2 % 7"), (3, CType::Int));
        assert_eq!(lp64("A > 3 ? 10 : 20U"), (10, CType::UInt));
        assert_eq!(lp64("-7 / 2"), (-3, CType::Int));
        assert_eq!(lp64("-8 >> 1"), (-4, CType::Int));
        assert_eq!(lp64("!A || 0"), (0, CType::Int));
        // `-1L < 0U` differs between the models: `long` holds every `unsigned int` only on LP64.
        assert_eq!(eval_on("-1L < 0U", ILP32).unwrap().value, 0);
        assert_eq!(eval_on("~0UL", ILP32).unwrap().value, u32::MAX as i128);
    }

    #[test]
    fn undefined_behaviour_is_refused_where_it_is() {
        let e = eval_on("1 << 32", LP64).unwrap_err();
        assert_eq!(e.at, 0..7);
        assert!(e.message.contains("write `1ULL << 32`"), "{}", e.message);
        assert!(eval_on("1 << -1", LP64).is_err());
        assert!(eval_on("2147483647 + 1", LP64)
            .unwrap_err()
            .message
            .contains("overflows int"));
        assert!(eval_on("A / (A - 4)", LP64)
            .unwrap_err()
            .message
            .contains("division by zero"));
        assert!(eval_on("-(-2147483647 - 1)", LP64).is_err());
        assert_eq!(eval_on("1UL << 40", ILP32).unwrap_err().at, 0..9);
        assert!(eval_on("1UL << 40", LP64).is_ok());
    }

    #[test]
    fn what_is_not_an_expression_is_located() {
        let at = |t: &str| parse(t).map(|_| ()).unwrap_err().at;
        assert_eq!(at("1 +"), 3..3);
        assert_eq!(at("(1"), 2..2);
        assert_eq!(at("1 2"), 2..3);
        assert_eq!(at("_IOR('a', 1, int)"), 0..4);
        assert_eq!(at("sizeof(int)"), 0..6);
        assert_eq!(at("1 /* c */"), 2..4);
        assert_eq!(at("1 $ 2"), 2..3);
        assert_eq!(at("'\\n'"), 0..1);
        assert_eq!(
            eval_on("B + 1", LP64).unwrap_err(),
            CError {
                at: 0..1,
                message:
                    "unknown constant `B`: an expression may only use constants defined above it"
                        .into()
            }
        );
        assert_eq!(parse("A | (B << 2)").unwrap().names.len(), 2);
    }

    fn with_macros(text: &str, m: Model) -> Result<(CValue, Vec<String>), CError> {
        let macros = |n: &str| match n {
            "K" => Macro::new(vec!["t".into(), "v".into()], "(((t) << 8) | (v))").ok(),
            "TWICE" => Macro::new(vec!["x".into()], "K(x, x)").ok(),
            "ZERO" => Macro::new(vec![], "0").ok(),
            "SELF" => Macro::new(vec!["x".into()], "SELF(x)").ok(),
            "MODE" => Macro::new(vec!["n".into()], "(1 << (MODE_ ## n ## _BIT))").ok(),
            "CAT" => Macro::new(vec!["a".into(), "b".into()], "a##b").ok(),
            "PLUS" => Macro::new(vec!["a".into()], "a ## +").ok(),
            _ => None,
        };
        let e = parse_with(text, &macros)?;
        let consts = |n: &str| {
            let value = match n {
                "A" => 4,
                "AB" => 5,
                "MODE_10baseT_Half_BIT" => 3,
                _ => return None,
            };
            Some(CValue {
                value,
                ty: CType::Int,
            })
        };
        Ok((e.eval(m, &consts)?, e.macros))
    }

    #[test]
    fn function_like_macros_expand_as_the_preprocessor_does() {
        let v = |t: &str| with_macros(t, LP64).unwrap_or_else(|e| panic!("{t}: {e:?}"));
        assert_eq!(v("K(1, 2)").0.value, 0x102);
        // Arguments expanded first, the result rescanned; parentheses inside an argument.
        assert_eq!(v("TWICE(A)").0.value, 0x404);
        assert_eq!(v("K((1 + 1), A) + ZERO()").0.value, 0x204);
        assert_eq!(v("TWICE(A)").1, ["TWICE", "K"]);
        // <linux/const.h>: `_BITUL(n)` is an `unsigned long`, `_ULL(x)` pastes `ULL`.
        assert_eq!(
            (v("_BITUL(3)").0.value, v("_BITUL(3)").0.ty),
            (8, CType::ULong)
        );
        assert_eq!(v("_BITULL(40)").0.value, 1 << 40);
        assert_eq!(v("_ULL(1) << 63").0.ty, CType::ULongLong);
        // On ILP32 `unsigned long` has 32 bits: a shift by 40 is undefined there.
        assert!(with_macros("_BITUL(40)", ILP32).is_err());
    }

    #[test]
    fn pasting_makes_names_of_the_arguments_as_written() {
        let v = |t: &str| with_macros(t, LP64).unwrap_or_else(|e| panic!("{t}: {e:?}"));
        // ethtool.h's `__ETHTOOL_LINK_MODE_LEGACY_MASK(10baseT_Half)`: a pp-number pasted
        // into a name on both sides.
        assert_eq!(v("MODE(10baseT_Half)").0.value, 8);
        // A parameter beside `##` is its argument unexpanded: `CAT(A, B)` is `AB`, not `4B`.
        assert_eq!(v("CAT(A, B)").0.value, 5);
    }

    #[test]
    fn bad_pastes_are_refused() {
        let e = |t: &str| with_macros(t, LP64).unwrap_err();
        assert!(e("PLUS(A)")
            .message
            .contains("pastes `A` and `+` into `A+`, which is not one token"));
        assert!(e("CAT(1, 2)").message.contains("pastes an integer literal"));
        // A pp-number that is not pasted is no literal.
        assert_eq!(e("1 + 10baseT").at, 4..11);
        assert!(e("MODE(10baseT_Full)")
            .message
            .contains("MODE_10baseT_Full_BIT"));
        assert!(Macro::new(vec!["x".into()], "## x").is_err());
        assert!(Macro::new(vec!["x".into()], "x ##").is_err());
        // Outside a macro's body, `##` is no operator.
        assert!(parse("A ## B").unwrap_err().message.contains("`##` pastes"));
    }

    #[test]
    fn bad_macro_calls_are_located() {
        let e = |t: &str| with_macros(t, LP64).unwrap_err();
        assert_eq!(
            e("1 + K(1)"),
            CError {
                at: 4..8,
                message: "`K` takes 2 arguments, given 1".into()
            }
        );
        assert_eq!(e("K(1, 2").at, 0..1);
        assert_eq!(e("K(, 2)").message, "an empty argument to `K`");
        // A macro is not expanded inside its own expansion: the call left is refused.
        assert!(e("SELF(1)")
            .message
            .contains("calls no function-like macro"));
        assert!(e("_UL(1U)").message.contains("pastes a suffix"));
        assert!(Macro::new(vec!["x".into()], "#x").is_err());
        assert!(Macro::new(vec![], "").is_err());
    }

    #[test]
    fn an_ioctl_wrapper_is_one_call_passing_its_type_on() {
        let io = |params: &[&str], body: &str| {
            Macro::new(params.iter().map(|p| p.to_string()).collect(), body)
        };
        let drm = io(&["nr", "type"], "_IOWR(DRM_IOCTL_BASE,nr,type)").unwrap();
        assert_eq!(
            drm.io,
            Some(IoBody {
                call: "_IOWR",
                ty: "DRM_IOCTL_BASE".into(),
                nr: "nr".into(),
                size_param: Some(1),
            })
        );
        let args = ["DRM_COMMAND_BASE + 3".to_string(), "union u".to_string()];
        assert_eq!(
            drm.io_operands(&args),
            Some(("DRM_IOCTL_BASE".into(), "DRM_COMMAND_BASE + 3".into()))
        );
        // Tokens substituted, kept apart, as the preprocessor does: `0x40 + +1` is 65.
        let abs = io(&["n"], "_IO('E', 0x40+n)").unwrap();
        assert_eq!(abs.io.as_ref().unwrap().size_param, None);
        let (_, nr) = abs.io_operands(&["+1".to_string()]).unwrap();
        assert_eq!(nr, "0x40+ +1");
        assert_eq!(parse(&nr).unwrap().eval(LP64, &|_| None).unwrap().value, 65);
        // An integer macro is none.
        assert_eq!(io(&["x"], "((x) + 1)").unwrap().io, None);
    }

    #[test]
    fn what_is_not_an_ioctl_wrapper_is_refused_where_it_is() {
        let e = |params: &[&str], body: &str| {
            Macro::new(params.iter().map(|p| p.to_string()).collect(), body).unwrap_err()
        };
        let more = e(&["n", "t"], "_IOW(T, n, t) + 1");
        assert_eq!(more.at, 14..15);
        assert!(more.message.contains("exactly one call"), "{more:?}");
        assert_eq!(e(&["n", "t"], "(_IOW(T, n, t))").at, 1..5);
        assert_eq!(e(&["n"], "_IO(T, _IO(T, n))").at, 7..10);
        assert_eq!(
            e(&["n", "t"], "_IOR(T, n)").message,
            "`_IOR` takes 3 arguments, given 2"
        );
        assert_eq!(e(&["n"], "_IO(T, )").message, "an empty argument to `_IO`");
        let fixed = e(&["n"], "_IOR(T, n, struct x)");
        assert_eq!(fixed.at, 11..19);
        assert!(fixed.message.contains("not one of the macro's parameters"));
        let twice = e(&["n", "t"], "_IOW(T, n + t, t)");
        assert_eq!(twice.at, 12..13);
        assert!(twice.message.contains("cannot also be part"), "{twice:?}");
        let pasted = e(&["n", "t"], "_IOW(T, N_ ## n, t)");
        assert_eq!(pasted.at, 11..13);
        assert!(
            pasted.message.contains("`##` in a body that calls `_IOW`"),
            "{pasted:?}"
        );
        assert_eq!(e(&["n"], "_IO(T, n").at, 0..3);
    }

    #[test]
    fn an_ioctl_wrapper_is_refused_in_an_expression() {
        let macros =
            |n: &str| (n == "W").then(|| Macro::new(vec!["n".into()], "_IO('w', n)").unwrap());
        let e = parse_with("W(1) + 1", &macros).unwrap_err();
        assert_eq!(e.at, 0..4);
        assert!(e.message.contains("`W` is an ioctl macro"), "{e:?}");
    }

    #[test]
    fn deep_and_long_expressions_are_refused_not_overflowing() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("more than 512 tokens"), "{e:?}");
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nests deeper than 64"), "{e:?}");
        let unary = format!("{}1", "-".repeat(500));
        let e = parse(&unary).unwrap_err();
        assert!(e.message.contains("nests deeper than 64"), "{e:?}");
        // The deepest accepted, and the longest chain (511 tokens: a tree as deep), parsed
        // and evaluated on a test thread's stack in a debug build.
        let deep = format!("{}1{}", "(".repeat(62), ")".repeat(62));
        assert_eq!(eval_on(&deep, LP64).unwrap().value, 1);
        let chain = vec!["1"; 256].join("+");
        assert_eq!(eval_on(&chain, LP64).unwrap().value, 256);
    }

    #[test]
    fn a_macro_taking_sizeof_is_expanded_in_the_text() {
        let macros = |n: &str| match n {
            "SZ" => Macro::new(vec!["n".into()], "((sizeof(struct d) + (n) + 7) & ~7)").ok(),
            "TWO" => Macro::new(vec!["a".into(), "b".into()], "(SZ(a) + SZ(b))").ok(),
            "PLAIN" => Macro::new(vec!["x".into()], "((x) + 1)").ok(),
            _ => None,
        };
        let (text, used) = expand_sized("(SZ(PLAIN(1)))", &macros).unwrap().unwrap();
        assert_eq!(sizeofs(&text).unwrap().len(), 1, "{text}");
        assert!(text.contains("PLAIN(1)"), "{text}");
        assert_eq!(used, ["SZ"]);
        // A macro calling one that takes `sizeof` is expanded too, and what it calls.
        let (text, used) = expand_sized("TWO(1, 2) + PLAIN(3)", &macros)
            .unwrap()
            .unwrap();
        assert_eq!(sizeofs(&text).unwrap().len(), 2, "{text}");
        assert_eq!(used, ["TWO", "SZ"]);
        assert_eq!(expand_sized("PLAIN(3)", &macros).unwrap(), None);
        let e = expand_sized("SZ(1, 2)", &macros).unwrap_err();
        assert_eq!(e.message, "`SZ` takes 1 argument, given 2");
        let e = expand_sized("SZ(1", &macros).unwrap_err();
        assert_eq!(e.message, "`SZ(` without its `)`");
    }

    #[test]
    fn an_expansion_that_doubles_at_every_level_is_refused() {
        // D0(x) = (x + x), Dn(x) = D{n-1}(D{n-1}(x)): 2^40 tokens unchecked.
        let macros = |n: &str| {
            let level: u32 = n.strip_prefix('D')?.parse().ok()?;
            let body = match level {
                0 => "((x) + (x))".to_string(),
                l => format!("D{}(D{}(x))", l - 1, l - 1),
            };
            Macro::new(vec!["x".into()], &body).ok()
        };
        let e = parse_with("D40(1)", &macros).unwrap_err();
        assert!(e.message.contains("grows past 8192 tokens"), "{e:?}");
        assert_eq!(e.at, 0..6);
    }
}
