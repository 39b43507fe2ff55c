//! The part of Rust's syntax the bindings use, as values, and how each is laid out: with the
//! boxes and breaks prettyplease (0.2) gives the same syntax, so the output is what
//! `prettyplease::unparse` printed when the emitter went through quote and syn, at a fraction
//! of the cost (codegen/tests/rust_layout.rs holds the two against each other).
//!
//! Only what the emitters build is here; parentheses are explicit (`Expr::Paren`), as the
//! emitters always wrote them, so no precedence is decided in this module.

use std::borrow::Cow;

use crate::emit::pp::{BreakToken, Printer, INDENT, MARGIN, MIN_SPACE};

/// `a::b::c`, with generic arguments on its last segment (`size_of::<T>`) when `args` has any.
#[derive(Clone)]
pub struct Path {
    pub text: Cow<'static, str>,
    pub args: Vec<Ty>,
}

#[derive(Clone)]
pub enum Ty {
    Path(Path),
    /// `[T; N]`
    Array(Box<Ty>, String),
    /// `&T`, `&mut T`
    Ref(bool, Box<Ty>),
    /// `[T]`
    Slice(Box<Ty>),
    Tuple(Vec<Ty>),
    /// `dyn Trait`
    Dyn(Path),
    /// `unsafe extern "C" fn(P, Q) -> R`
    BareFn(Vec<Ty>, Option<Box<Ty>>),
}

pub enum Expr {
    Path(Path),
    Lit(String),
    Paren(Box<Expr>),
    Binary(Box<Expr>, &'static str, Box<Expr>),
    /// `!e`, `*e`
    Unary(&'static str, Box<Expr>),
    /// `&e`
    Ref(Box<Expr>),
    Cast(Box<Expr>, Ty),
    Field(Box<Expr>, String),
    MethodCall(Box<Expr>, String, Vec<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    /// `|a, b| body`
    Closure(Vec<String>, Box<Expr>),
    /// `unsafe { e }`
    Unsafe(Box<Expr>),
    /// `if c { .. }` or `if c { .. } else { .. }`
    If(Box<Expr>, Vec<Stmt>, Option<Vec<Stmt>>),
    /// `path!(tokens)`
    Macro(Path, Vec<Tt>),
    Return(Box<Expr>),
    Try(Box<Expr>),
    Index(Box<Expr>, Box<Expr>),
    /// `..e`
    RangeTo(Box<Expr>),
    Tuple(Vec<Expr>),
    Match(Box<Expr>, Vec<(Pat, Expr)>),
    /// `<T as Trait>::rest`
    QPath(Ty, Path, String),
}

/// A macro's tokens (what `macro_rules_tokens` spaces).
pub enum Tt {
    Ident(String),
    Lit(String),
    Punct(char),
    Paren(Vec<Tt>),
}

pub enum Pat {
    Lit(String),
    Wild,
    Tuple(Vec<Pat>),
}

pub enum Stmt {
    Let(&'static str, Expr),
    /// `e;`
    Semi(Expr),
    /// `e` at the end of a block
    Expr(Expr),
    /// `path!(tokens);`
    Macro(Path, Vec<Tt>),
    Fn(FnItem),
}

/// An attribute's meta: `inline`, `derive(A, B)`, `repr(C, align(8))`.
pub enum Meta {
    Path(&'static str),
    List(&'static str, Vec<Meta>),
}

/// A struct's or union's member: its docs, a `#[cfg(...)]` (a member some targets have), its
/// name and type.
pub struct Member {
    pub docs: Vec<String>,
    pub cfg: Option<Meta>,
    pub name: String,
    pub ty: Ty,
}

pub struct FnItem {
    pub docs: Vec<String>,
    pub attrs: Vec<Meta>,
    pub public: bool,
    pub name: String,
    /// `(name, bounds)`; a bound starting with `?` is a `?Sized`-style one.
    pub generics: Vec<(String, Vec<Path>)>,
    pub receiver: Option<&'static str>,
    pub params: Vec<(String, Ty)>,
    pub ret: Option<Ty>,
    pub body: Vec<Stmt>,
}

// Constructors, so emitters read like the code they write.

pub fn path(text: impl Into<Cow<'static, str>>) -> Path {
    Path {
        text: text.into(),
        args: Vec::new(),
    }
}

/// `base::<T>`: `path` with generic arguments on its last segment.
pub fn path_args(text: &'static str, args: Vec<Ty>) -> Path {
    Path {
        text: Cow::Borrowed(text),
        args,
    }
}

pub fn ty(text: impl Into<Cow<'static, str>>) -> Ty {
    Ty::Path(path(text))
}

pub fn var(text: impl Into<Cow<'static, str>>) -> Expr {
    Expr::Path(path(text))
}

pub fn lit(text: impl Into<String>) -> Expr {
    Expr::Lit(text.into())
}

pub fn paren(e: Expr) -> Expr {
    Expr::Paren(Box::new(e))
}

pub fn bin(l: Expr, op: &'static str, r: Expr) -> Expr {
    Expr::Binary(Box::new(l), op, Box::new(r))
}

pub fn not(e: Expr) -> Expr {
    Expr::Unary("!", Box::new(e))
}

pub fn cast(e: Expr, t: &'static str) -> Expr {
    Expr::Cast(Box::new(e), ty(t))
}

pub fn field(base: Expr, name: impl Into<String>) -> Expr {
    Expr::Field(Box::new(base), name.into())
}

pub fn call(f: impl Into<Cow<'static, str>>, args: Vec<Expr>) -> Expr {
    Expr::Call(Box::new(var(f)), args)
}

pub fn method(recv: Expr, name: &str, args: Vec<Expr>) -> Expr {
    Expr::MethodCall(Box::new(recv), name.to_string(), args)
}

/// `"text"` as proc-macro2 spells a string literal.
pub fn str_lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_str_lit(s, &mut out);
    out
}

/// `str_lit(s)` appended to `out`.
pub fn push_str_lit(s: &str, out: &mut String) {
    out.push('"');
    // Printable ASCII but `"` and `\` is its own escape: the common case, copied whole
    // (`escape_debug` a char at a time was 6 % of a generation). Checked without stopping
    // early, which the compiler vectorises.
    if s.bytes().fold(true, |plain, b| {
        plain & matches!(b, 0x20..=0x7e) & (b != b'"') & (b != b'\\')
    }) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut chars = s.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\0' if chars
                .as_str()
                .starts_with(|c: char| ('0'..='7').contains(&c)) =>
            {
                out.push_str(r"\x00")
            }
            '\0' => out.push_str(r"\0"),
            '\'' => out.push(ch),
            _ => out.extend(ch.escape_debug()),
        }
    }
    out.push('"');
}

/// `b"text"` as proc-macro2 spells a byte string literal (bindgen's `&[u8; N]` of a C
/// string define, its NUL included in `bytes`).
pub fn byte_str_lit(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push_str("b\"");
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            // `\0` before a digit would read as an octal escape to a C reader: spelt out.
            b'\0' if matches!(bytes.get(i + 1), Some(b'0'..=b'7')) => out.push_str(r"\x00"),
            b'\0' => out.push_str(r"\0"),
            b'\t' => out.push_str(r"\t"),
            b'\n' => out.push_str(r"\n"),
            b'\r' => out.push_str(r"\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str(r"\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!(r"\x{b:02X}")),
        }
    }
    out.push('"');
    out
}

/// `b'x'` as proc-macro2 spells a byte literal.
pub fn byte_lit(b: u8) -> String {
    match b {
        b'\0' => r"b'\0'".to_string(),
        b'\t' => r"b'\t'".to_string(),
        b'\n' => r"b'\n'".to_string(),
        b'\r' => r"b'\r'".to_string(),
        b'\'' => r"b'\''".to_string(),
        b'\\' => r"b'\\'".to_string(),
        0x20..=0x7e => format!("b'{}'", b as char),
        _ => format!(r"b'\x{b:02X}'"),
    }
}

/// The columns a line starting at column `indent` has before the printer breaks it.
pub fn budget(indent: usize) -> usize {
    (MARGIN - indent as isize).max(MIN_SPACE) as usize
}

/// `e`'s one-line form appended to `out`; false if it cannot be one line or `out` grows
/// longer than `max`. What the boxes print when it fits, for code written as text directly.
pub fn flat(e: &Expr, out: &mut String, max: usize) -> bool {
    flat_expr(e, out, max)
}

/// `t`'s one-line form appended to `out`.
pub fn flat_type(t: &Ty, out: &mut String) {
    flat_ty(t, out)
}

/// The layout rules, on the printer.
pub struct Rust {
    pub p: Printer,
    /// The column statements start at: known to the emitter, not to the printer until it
    /// prints, and what decides whether a statement fits on its line.
    indent: usize,
    /// Scratch for a statement's one-line form.
    flat: String,
}

impl Rust {
    /// A run of items whose lines start at column `indent` (inside `indent / 4` blocks), in a
    /// consistent box as the file's or a module's items are, so each attribute is on its line.
    pub fn new(capacity: usize, indent: usize) -> Self {
        let mut p = Printer::new(capacity, indent);
        p.cbox(0);
        Rust {
            p,
            indent,
            flat: String::new(),
        }
    }

    pub fn finish(mut self) -> String {
        self.p.end();
        self.p.eof()
    }

    /// The columns a line starting at the statement column has.
    fn budget(&self) -> usize {
        budget(self.indent)
    }

    /// Whether `e`'s one-line form, followed by `tail` more columns, fits on a line starting
    /// at the statement column; the form is left in `self.flat`. What fits is printed flat
    /// by the boxes too: printing it as one piece of text is the same output, many times faster.
    fn fits_flat(&mut self, prefix: &str, e: &Expr, tail: usize) -> bool {
        let budget = self.budget();
        let mut s = std::mem::take(&mut self.flat);
        s.clear();
        s.push_str(prefix);
        let ok = flat_expr(e, &mut s, budget) && s.len() + tail <= budget;
        self.flat = s;
        ok
    }

    // Attributes.

    /// `/// text` (or `//! text`): how prettyplease prints a one-line `#[doc = " text"]`.
    pub fn doc(&mut self, inner: bool, text: &str) {
        self.p.word(if inner { "//!" } else { "///" });
        self.p.text(text.trim_end_matches(' '));
        self.p.hardbreak();
    }

    /// One doc attribute per line of `doc`, each line after a space, as quote wrote them.
    pub fn docs(&mut self, inner: bool, docs: &[String]) {
        for d in docs {
            self.doc(inner, d);
        }
    }

    /// An attribute starts its line (after docs, or the attribute before it, whose break the
    /// item's broken box breaks): what fits on the line is printed as one piece of text.
    pub fn attr(&mut self, inner: bool, meta: &Meta) {
        let mut flat = std::mem::take(&mut self.flat);
        flat.clear();
        flat.push_str(if inner { "#![" } else { "#[" });
        flat_meta(meta, &mut flat);
        flat.push(']');
        let fits = flat.len() <= self.budget();
        if fits {
            self.p.text(&flat);
            self.p.space();
        }
        self.flat = flat;
        if fits {
            return;
        }
        self.p.word(if inner { "#!" } else { "#" });
        self.p.word("[");
        match meta {
            Meta::Path(p) => self.p.word(p),
            Meta::List(p, items) => {
                self.p.word(p);
                self.meta_items(items);
            }
        }
        self.p.word("]");
        self.p.space();
    }

    /// `#[name = value]`
    pub fn attr_name_value(&mut self, name: &'static str, value: &str) {
        self.p.word("#");
        self.p.word("[");
        self.p.word(name);
        self.p.word(" = ");
        self.p.text(value);
        self.p.word("]");
        self.p.space();
    }

    fn meta_items(&mut self, items: &[Meta]) {
        self.p.word("(");
        self.p.cbox(INDENT);
        self.p.zerobreak();
        for (i, m) in items.iter().enumerate() {
            if i > 0 {
                self.p.word(",");
                self.p.space();
            }
            match m {
                Meta::Path(p) => self.p.word(p),
                Meta::List(p, inner) => {
                    self.p.word(p);
                    self.meta_items(inner);
                }
            }
        }
        self.p.zerobreak();
        self.p.offset(-INDENT);
        self.p.end();
        self.p.word(")");
    }

    // Paths and types.

    fn path(&mut self, p: &Path, expr: bool) {
        match &p.text {
            Cow::Borrowed(t) => self.p.word(t),
            Cow::Owned(t) => self.p.text(t.as_str()),
        }
        if !p.args.is_empty() {
            if expr {
                self.p.word("::");
            }
            self.p.word("<");
            self.p.cbox(INDENT);
            self.p.zerobreak();
            for (j, a) in p.args.iter().enumerate() {
                self.ty(a);
                self.p.trailing_comma(j + 1 == p.args.len());
            }
            self.p.offset(-INDENT);
            self.p.end();
            self.p.word(">");
        }
    }

    pub fn ty(&mut self, t: &Ty) {
        match t {
            Ty::Path(p) => self.path(p, false),
            Ty::Array(e, n) => {
                self.p.word("[");
                self.ty(e);
                self.p.word("; ");
                self.p.text(n.as_str());
                self.p.word("]");
            }
            Ty::Ref(m, e) => {
                self.p.word("&");
                if *m {
                    self.p.word("mut ");
                }
                self.ty(e);
            }
            Ty::Slice(e) => {
                self.p.word("[");
                self.ty(e);
                self.p.word("]");
            }
            Ty::Tuple(elems) => {
                self.p.word("(");
                self.p.cbox(INDENT);
                self.p.zerobreak();
                for (i, e) in elems.iter().enumerate() {
                    self.ty(e);
                    if elems.len() == 1 {
                        self.p.word(",");
                        self.p.zerobreak();
                    } else {
                        self.p.trailing_comma(i + 1 == elems.len());
                    }
                }
                self.p.offset(-INDENT);
                self.p.end();
                self.p.word(")");
            }
            Ty::Dyn(p) => {
                self.p.word("dyn ");
                self.path(p, false);
            }
            // prettyplease's `type_bare_fn` and `return_type`.
            Ty::BareFn(params, ret) => {
                self.p.word("unsafe extern \"C\" fn(");
                self.p.cbox(INDENT);
                self.p.zerobreak();
                for (i, a) in params.iter().enumerate() {
                    self.ty(a);
                    self.p.trailing_comma(i + 1 == params.len());
                }
                self.p.offset(-INDENT);
                self.p.end();
                self.p.word(")");
                if let Some(r) = ret {
                    self.p.word(" -> ");
                    self.ty(r);
                }
            }
        }
    }

    // Expressions (prettyplease's expr.rs, for the kinds above).

    pub fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Path(p) => self.path(p, true),
            Expr::Lit(l) => self.p.text(l.as_str()),
            Expr::Paren(inner) => {
                self.p.word("(");
                self.expr(inner);
                self.p.word(")");
            }
            Expr::Binary(l, op, r) => {
                self.p.ibox(INDENT);
                self.p.ibox(-INDENT);
                self.expr(l);
                self.p.end();
                self.p.space();
                self.p.word(op);
                self.p.nbsp();
                self.expr(r);
                self.p.end();
            }
            Expr::Unary(op, inner) => {
                self.p.word(op);
                self.expr(inner);
            }
            Expr::Ref(inner) => {
                self.p.word("&");
                self.expr(inner);
            }
            Expr::Cast(inner, t) => {
                self.p.ibox(INDENT);
                self.p.ibox(-INDENT);
                self.expr(inner);
                self.p.end();
                self.p.space();
                self.p.word("as ");
                self.ty(t);
                self.p.end();
            }
            Expr::Field(..) => {
                self.p.cbox(INDENT);
                self.prefix_field(e, false);
                self.p.end();
            }
            Expr::MethodCall(..) => self.method_call(e, false),
            Expr::Call(f, args) => {
                self.expr_bol(f, false);
                self.p.word("(");
                self.call_args(args);
                self.p.word(")");
            }
            Expr::Closure(params, body) => self.closure(params, body),
            Expr::Unsafe(inner) => {
                self.p.word("unsafe ");
                self.p.cbox(INDENT);
                self.small_block_expr(inner);
                self.p.end();
            }
            Expr::If(cond, then, els) => self.expr_if(cond, then, els.as_deref()),
            Expr::Macro(p, tts) => self.mac(p, tts),
            Expr::Return(v) => {
                self.p.word("return");
                self.p.nbsp();
                self.expr(v);
            }
            Expr::Try(inner) => {
                self.expr_bol(inner, false);
                self.p.word("?");
            }
            Expr::Index(base, index) => {
                self.expr_bol(base, false);
                self.p.word("[");
                self.expr(index);
                self.p.word("]");
            }
            Expr::RangeTo(end) => {
                self.p.word("..");
                self.expr(end);
            }
            Expr::Tuple(elems) => {
                self.p.word("(");
                self.p.cbox(INDENT);
                self.p.zerobreak();
                for (i, el) in elems.iter().enumerate() {
                    self.expr(el);
                    if elems.len() == 1 {
                        self.p.word(",");
                        self.p.zerobreak();
                    } else {
                        self.p.trailing_comma(i + 1 == elems.len());
                    }
                }
                self.p.offset(-INDENT);
                self.p.end();
                self.p.word(")");
            }
            Expr::Match(scrutinee, arms) => {
                self.p.ibox(0);
                self.p.word("match ");
                self.condition(scrutinee);
                self.p.word("{");
                self.p.neverbreak();
                self.p.cbox(INDENT);
                self.p.hardbreak_if_nonempty();
                for (pat, body) in arms {
                    self.arm(pat, body);
                    self.p.hardbreak();
                }
                self.p.offset(-INDENT);
                self.p.end();
                self.p.word("}");
                self.p.end();
            }
            Expr::QPath(t, trait_, rest) => {
                self.p.word("<");
                self.ty(t);
                self.p.word(" as ");
                self.path(trait_, false);
                self.p.word(">");
                self.p.word("::");
                self.p.text(rest.as_str());
            }
        }
    }

    /// An expression that starts a statement (`beginning_of_line`): a short receiver
    /// (`self`, `dst`) keeps its method call on its line.
    fn expr_bol(&mut self, e: &Expr, bol: bool) {
        match e {
            Expr::Field(..) => {
                self.p.cbox(INDENT);
                self.prefix_field(e, bol);
                self.p.end();
            }
            Expr::MethodCall(..) => self.method_call(e, bol),
            Expr::Try(inner) => {
                self.expr_bol(inner, bol);
                self.p.word("?");
            }
            Expr::Index(base, index) => {
                self.expr_bol(base, bol);
                self.p.word("[");
                self.expr(index);
                self.p.word("]");
            }
            _ => self.expr(e),
        }
    }

    /// The receiver of a `.`: chains stay in the box of the whole chain.
    fn prefix(&mut self, e: &Expr, bol: bool) {
        match e {
            Expr::Call(f, args) => {
                self.prefix(f, false);
                self.p.word("(");
                self.call_args(args);
                self.p.word(")");
            }
            Expr::Field(..) => self.prefix_field(e, bol),
            Expr::MethodCall(..) => self.prefix_method_call(e, bol, false),
            Expr::Try(inner) => {
                self.prefix(inner, bol);
                self.p.word("?");
            }
            Expr::Index(base, index) => {
                self.prefix(base, bol);
                self.p.word("[");
                self.expr(index);
                self.p.word("]");
            }
            _ => {
                self.p.cbox(-INDENT);
                self.expr(e);
                self.p.end();
            }
        }
    }

    fn prefix_field(&mut self, e: &Expr, bol: bool) {
        let Expr::Field(base, name) = e else {
            unreachable!("prefix_field of a field access")
        };
        self.prefix(base, bol);
        if !(bol && is_short_ident(base)) {
            self.p.zerobreak();
        }
        self.p.word(".");
        self.p.text(name.as_str());
    }

    fn method_call(&mut self, e: &Expr, bol: bool) {
        let Expr::MethodCall(recv, ..) = e else {
            unreachable!("method_call of a method call")
        };
        self.p.cbox(INDENT);
        let unindent = bol && is_short_ident(recv);
        self.prefix_method_call(e, bol, unindent);
        self.p.end();
    }

    fn prefix_method_call(&mut self, e: &Expr, bol: bool, unindent: bool) {
        let Expr::MethodCall(recv, name, args) = e else {
            unreachable!("prefix_method_call of a method call")
        };
        self.prefix(recv, bol);
        if !(bol && is_short_ident(recv)) {
            self.p.zerobreak();
        }
        self.p.word(".");
        self.p.text(name.as_str());
        self.p.cbox(if unindent { -INDENT } else { 0 });
        self.p.word("(");
        self.call_args(args);
        self.p.word(")");
        self.p.end();
    }

    fn call_args(&mut self, args: &[Expr]) {
        if let [one] = args {
            if is_blocklike(one) {
                self.expr(one);
                return;
            }
        }
        self.p.cbox(INDENT);
        self.p.zerobreak();
        for (i, a) in args.iter().enumerate() {
            self.expr(a);
            self.p.trailing_comma(i + 1 == args.len());
        }
        self.p.offset(-INDENT);
        self.p.end();
    }

    fn closure(&mut self, params: &[String], body: &Expr) {
        self.p.ibox(0);
        self.p.cbox(INDENT);
        self.p.word("|");
        for (i, pat) in params.iter().enumerate() {
            if i == 0 {
                self.p.zerobreak();
            }
            self.p.text(pat.as_str());
            if i + 1 != params.len() {
                self.p.word(",");
                self.p.space();
            }
        }
        self.p.word("|");
        self.p.space();
        self.p.offset(-INDENT);
        self.p.end();
        self.p.neverbreak();
        let wrap_in_brace =
            !matches!(body, Expr::Call(..) | Expr::Match(..)) && !is_blocklike(body);
        if wrap_in_brace {
            // Every body the emitters write parses as a statement, so a broken one gets braces.
            self.p.cbox(INDENT);
            self.p.brk(BreakToken {
                pre_break: Some('{'),
                ..BreakToken::default()
            });
            self.expr(body);
            self.p.brk(BreakToken {
                offset: -INDENT,
                pre_break: add_semi(body).then_some(';'),
                post_break: Some('}'),
                ..BreakToken::default()
            });
            self.p.end();
        } else {
            self.expr(body);
        }
        self.p.end();
    }

    fn condition(&mut self, e: &Expr) {
        self.p.cbox(0);
        self.expr(e);
        if needs_newline_if_wrap(e) {
            self.p.space();
        } else {
            self.p.nbsp();
        }
        self.p.end();
    }

    fn expr_if(&mut self, cond: &Expr, then: &[Stmt], els: Option<&[Stmt]>) {
        self.p.cbox(INDENT);
        self.p.word("if ");
        // `if` without `else` only starts statements: its condition, `{` included, fits on
        // the statement's line or breaks.
        if els.is_none() && self.fits_flat("if ", cond, 2) {
            let text = std::mem::take(&mut self.flat);
            self.p.text(&text[3..]);
            self.flat = text;
            self.p.word(" ");
        } else {
            self.p.cbox(-INDENT);
            self.condition(cond);
            self.p.end();
        }
        if let Some(els) = els {
            self.small_block(then);
            self.p.word(" else ");
            self.small_block(els);
        } else if then.is_empty() {
            self.p.word("{}");
        } else {
            self.p.word("{");
            self.p.hardbreak();
            self.indent += INDENT as usize;
            for (i, s) in then.iter().enumerate() {
                self.stmt(s, i + 1 == then.len());
            }
            self.indent -= INDENT as usize;
            self.p.offset(-INDENT);
            self.p.word("}");
        }
        self.p.end();
    }

    fn small_block(&mut self, stmts: &[Stmt]) {
        self.p.word("{");
        if !stmts.is_empty() {
            self.p.space();
            if let [Stmt::Expr(e)] = stmts {
                self.p.ibox(0);
                self.expr_bol(e, true);
                self.p.end();
                self.p.space();
            } else {
                self.indent += INDENT as usize;
                for (i, s) in stmts.iter().enumerate() {
                    self.stmt(s, i + 1 == stmts.len());
                }
                self.indent -= INDENT as usize;
            }
            self.p.offset(-INDENT);
        }
        self.p.word("}");
    }

    fn small_block_expr(&mut self, e: &Expr) {
        self.p.word("{");
        self.p.space();
        self.p.ibox(0);
        self.expr_bol(e, true);
        self.p.end();
        self.p.space();
        self.p.offset(-INDENT);
        self.p.word("}");
    }

    fn arm(&mut self, pat: &Pat, body: &Expr) {
        self.p.ibox(0);
        self.pat(pat);
        self.p.word(" => ");
        self.p.neverbreak();
        self.p.cbox(INDENT);
        // The arm bodies the emitters write (a call, a path) parse as statements and need a
        // comma after them.
        self.p.brk(BreakToken {
            pre_break: Some('{'),
            ..BreakToken::default()
        });
        self.expr_bol(body, true);
        self.p.brk(BreakToken {
            offset: -INDENT,
            pre_break: add_semi(body).then_some(';'),
            post_break: Some('}'),
            no_break: Some(','),
            ..BreakToken::default()
        });
        self.p.end();
        self.p.end();
    }

    fn pat(&mut self, pat: &Pat) {
        match pat {
            Pat::Lit(s) => self.p.text(s.as_str()),
            Pat::Wild => self.p.word("_"),
            Pat::Tuple(elems) => {
                self.p.word("(");
                self.p.cbox(INDENT);
                self.p.zerobreak();
                for (i, el) in elems.iter().enumerate() {
                    self.pat(el);
                    if elems.len() == 1 {
                        self.p.zerobreak();
                    } else {
                        self.p.trailing_comma(i + 1 == elems.len());
                    }
                }
                self.p.offset(-INDENT);
                self.p.end();
                self.p.word(")");
            }
        }
    }

    /// `path!(tokens)`, spaced as prettyplease spaces a macro it does not know.
    fn mac(&mut self, p: &Path, tts: &[Tt]) {
        self.path(p, false);
        self.p.word("!");
        self.p.word("(");
        if !tts.is_empty() {
            self.p.cbox(INDENT);
            self.p.zerobreak();
            self.p.ibox(0);
            self.macro_tokens(tts);
            self.p.end();
            self.p.zerobreak();
            self.p.offset(-INDENT);
            self.p.end();
        }
        self.p.word(")");
    }

    fn macro_tokens(&mut self, tts: &[Tt]) {
        #[derive(PartialEq)]
        enum State {
            Start,
            Ident,
            Delim,
            Other,
        }
        let mut state = State::Start;
        let mut previous_is_joint = true;
        for tt in tts {
            let (needs_space, next) = match (&state, tt) {
                (State::Ident, Tt::Paren(_)) => (false, State::Delim),
                (_, Tt::Paren(_)) => (true, State::Delim),
                (_, Tt::Ident(_)) | (_, Tt::Lit(_)) => (true, State::Ident),
                (_, Tt::Punct(',' | ';')) => (false, State::Other),
                (_, Tt::Punct(_)) => (true, State::Other),
            };
            if !previous_is_joint && needs_space {
                self.p.space();
            }
            // The emitters' punctuation (`,` `=`) is never joined to the next token.
            previous_is_joint = false;
            match tt {
                Tt::Ident(s) | Tt::Lit(s) => self.p.text(s.as_str()),
                Tt::Punct(c) => self.p.text(c.encode_utf8(&mut [0; 4])),
                Tt::Paren(inner) => {
                    self.p.word("(");
                    self.macro_tokens(inner);
                    self.p.word(")");
                }
            }
            state = next;
        }
    }

    // Statements and items.

    pub fn stmt(&mut self, s: &Stmt, _is_last: bool) {
        let fast = match s {
            Stmt::Let(pat, e) => self.fits_flat(&format!("let {pat} = "), e, 1),
            Stmt::Semi(e) => self.fits_flat("", e, usize::from(!matches!(e, Expr::If(_, _, None)))),
            Stmt::Expr(e) => self.fits_flat("", e, usize::from(add_semi(e))),
            Stmt::Macro(p, tts) => {
                let budget = self.budget();
                let mut f = std::mem::take(&mut self.flat);
                f.clear();
                let ok = flat_mac(p, tts, &mut f, budget) && f.len() < budget;
                self.flat = f;
                ok
            }
            Stmt::Fn(_) => false,
        };
        if fast {
            let text = std::mem::take(&mut self.flat);
            self.p.text(text.as_str());
            self.flat = text;
            let semi = match s {
                Stmt::Let(..) | Stmt::Macro(..) => true,
                Stmt::Semi(e) => !matches!(e, Expr::If(_, _, None)),
                Stmt::Expr(e) => add_semi(e),
                Stmt::Fn(_) => false,
            };
            if semi {
                self.p.word(";");
            }
            self.p.hardbreak();
            return;
        }
        match s {
            Stmt::Let(pat, e) => {
                self.p.ibox(0);
                self.p.word("let ");
                self.p.word(pat);
                self.p.word(" = ");
                self.p.neverbreak();
                self.expr(e);
                self.p.end();
                self.p.word(";");
                self.p.hardbreak();
            }
            Stmt::Semi(e) => {
                self.p.ibox(0);
                self.expr_bol(e, true);
                if !matches!(e, Expr::If(_, _, None)) {
                    self.p.word(";");
                }
                self.p.end();
                self.p.hardbreak();
            }
            Stmt::Expr(e) => {
                self.p.ibox(0);
                self.expr_bol(e, true);
                if add_semi(e) {
                    self.p.word(";");
                }
                self.p.end();
                self.p.hardbreak();
            }
            Stmt::Macro(p, tts) => {
                self.mac(p, tts);
                self.p.word(";");
                self.p.hardbreak();
            }
            Stmt::Fn(f) => self.item_fn(f),
        }
    }

    pub fn item_fn(&mut self, f: &FnItem) {
        for d in &f.docs {
            self.doc(false, d);
        }
        for a in &f.attrs {
            self.attr(false, a);
        }
        self.p.cbox(INDENT);
        if f.public {
            self.p.word("pub ");
        }
        self.p.word("fn ");
        self.p.text(f.name.as_str());
        if !f.generics.is_empty() {
            self.p.word("<");
            self.p.cbox(0);
            self.p.zerobreak();
            for (i, (name, bounds)) in f.generics.iter().enumerate() {
                self.p.text(name.as_str());
                self.p.ibox(INDENT);
                for (j, b) in bounds.iter().enumerate() {
                    if j == 0 {
                        self.p.word(": ");
                    } else {
                        self.p.space();
                        self.p.word("+ ");
                    }
                    self.path(b, false);
                }
                self.p.end();
                self.p.trailing_comma(i + 1 == f.generics.len());
            }
            self.p.offset(-INDENT);
            self.p.end();
            self.p.word(">");
        }
        self.p.word("(");
        self.p.neverbreak();
        self.p.cbox(0);
        self.p.zerobreak();
        let n = f.params.len() + usize::from(f.receiver.is_some());
        let mut i = 0;
        if let Some(r) = f.receiver {
            self.p.word(r);
            i += 1;
            self.p.trailing_comma(i == n);
        }
        for (name, t) in &f.params {
            self.p.text(name.as_str());
            self.p.word(": ");
            self.ty(t);
            i += 1;
            self.p.trailing_comma(i == n);
        }
        self.p.offset(-INDENT);
        self.p.end();
        self.p.word(")");
        self.p.cbox(-INDENT);
        if let Some(r) = &f.ret {
            self.p.word(" -> ");
            self.ty(r);
        }
        self.p.end();
        self.p.nbsp();
        self.p.word("{");
        self.p.hardbreak_if_nonempty();
        self.indent += INDENT as usize;
        for (i, s) in f.body.iter().enumerate() {
            self.stmt(s, i + 1 == f.body.len());
        }
        self.indent -= INDENT as usize;
        self.p.offset(-INDENT);
        self.p.end();
        self.p.word("}");
        self.p.hardbreak();
    }

    /// `pub const NAME: T = value;` (an item or an associated const).
    pub fn item_const(&mut self, public: bool, name: &str, t: &Ty, value: &Expr) {
        self.p.cbox(0);
        if public {
            self.p.word("pub ");
        }
        self.p.word("const ");
        self.p.text(name);
        self.p.word(": ");
        self.ty(t);
        self.p.word(" = ");
        self.p.neverbreak();
        self.expr(value);
        self.p.word(";");
        self.p.end();
        self.p.hardbreak();
    }

    /// `const _: () = { stmts };`
    pub fn const_block(&mut self, stmts: &[Stmt]) {
        self.p.cbox(0);
        self.p.word("const ");
        self.p.word("_");
        self.p.word(": ");
        self.p.word("()");
        self.p.word(" = ");
        self.p.neverbreak();
        self.p.cbox(INDENT);
        self.small_block(stmts);
        self.p.end();
        self.p.word(";");
        self.p.end();
        self.p.hardbreak();
    }

    /// `pub struct Name { fields }` or a union; each field with its docs.
    pub fn item_struct(&mut self, keyword: &'static str, name: &str, fields: &[Member]) {
        self.p.cbox(INDENT);
        self.p.word("pub ");
        self.p.word(keyword);
        self.p.text(name);
        self.p.nbsp();
        self.p.word("{");
        self.p.hardbreak_if_nonempty();
        for m in fields {
            self.docs(false, &m.docs);
            if let Some(cfg) = &m.cfg {
                self.attr(false, cfg);
            }
            self.p.word("pub ");
            self.p.text(m.name.as_str());
            self.p.word(": ");
            self.ty(&m.ty);
            self.p.word(",");
            self.p.hardbreak();
        }
        self.p.offset(-INDENT);
        self.p.end();
        self.p.word("}");
        self.p.hardbreak();
    }

    /// `pub struct Name(pub T);`
    pub fn item_tuple_struct(&mut self, name: &str, t: &Ty) {
        self.p.cbox(INDENT);
        self.p.word("pub ");
        self.p.word("struct ");
        self.p.text(name);
        self.p.word("(");
        self.p.zerobreak();
        self.p.word("pub ");
        self.ty(t);
        self.p.trailing_comma(true);
        self.p.offset(-INDENT);
        self.p.word(")");
        self.p.word(";");
        self.p.end();
        self.p.hardbreak();
    }

    /// `impl Ty {` / `unsafe impl Trait for Ty {`; close with `impl_end`.
    pub fn impl_begin(&mut self, unsafety: bool, trait_: Option<&Path>, self_ty: &str) {
        self.p.cbox(INDENT);
        self.p.ibox(-INDENT);
        self.p.cbox(INDENT);
        if unsafety {
            self.p.word("unsafe ");
        }
        self.p.word("impl");
        self.p.end();
        self.p.nbsp();
        if let Some(t) = trait_ {
            self.path(t, false);
            self.p.space();
            self.p.word("for ");
        }
        self.p.text(self_ty);
        self.p.end();
        self.p.nbsp();
        self.p.word("{");
        self.p.hardbreak_if_nonempty();
        self.indent += INDENT as usize;
    }

    pub fn impl_end(&mut self) {
        self.indent -= INDENT as usize;
        self.p.offset(-INDENT);
        self.p.end();
        self.p.word("}");
        self.p.hardbreak();
    }

    /// `pub mod name;`
    pub fn mod_decl(&mut self, name: &str) {
        self.p.cbox(INDENT);
        self.p.word("pub ");
        self.p.word("mod ");
        self.p.text(name);
        self.p.word(";");
        self.p.end();
        self.p.hardbreak();
    }

    /// `pub type name = ty;`, `ty` a primitive or a path.
    pub fn item_type_alias(&mut self, name: &str, ty: &str) {
        self.p.word("pub type ");
        self.p.text(name);
        self.p.word(" = ");
        self.p.text(ty);
        self.p.word(";");
        self.p.hardbreak();
    }

    /// `pub type name = t;`, as prettyplease's `item_type` lays it out.
    pub fn item_type_alias_ty(&mut self, name: &str, t: &Ty) {
        self.p.cbox(INDENT);
        self.p.word("pub type ");
        self.p.text(name);
        self.p.word(" = ");
        self.p.neverbreak();
        self.p.ibox(-INDENT);
        self.ty(t);
        self.p.end();
        self.p.word(";");
        self.p.end();
        self.p.hardbreak();
    }

    /// `pub use path;` (or `use path;`).
    pub fn item_use(&mut self, public: bool, p: &str) {
        if public {
            self.p.word("pub ");
        }
        self.p.word("use ");
        self.p.text(p);
        self.p.word(";");
        self.p.hardbreak();
    }
}

fn is_short_ident(e: &Expr) -> bool {
    matches!(e, Expr::Path(p) if p.args.is_empty() && !p.text.contains("::") && p.text.len() as isize <= INDENT)
}

fn is_blocklike(e: &Expr) -> bool {
    matches!(e, Expr::Closure(..) | Expr::Unsafe(..) | Expr::Tuple(..))
}

fn add_semi(e: &Expr) -> bool {
    matches!(e, Expr::Return(..))
}

fn needs_newline_if_wrap(e: &Expr) -> bool {
    match e {
        Expr::Binary(..)
        | Expr::Cast(..)
        | Expr::Field(..)
        | Expr::Index(..)
        | Expr::MethodCall(..) => true,
        Expr::Call(f, _) => needs_newline_if_wrap(f),
        Expr::Paren(i)
        | Expr::Ref(i)
        | Expr::Return(i)
        | Expr::Try(i)
        | Expr::Unary(_, i)
        | Expr::RangeTo(i) => needs_newline_if_wrap(i),
        _ => false,
    }
}

// One-line forms: what the boxes print when everything fits. Each gives up (false) once the
// text is longer than `max`, or when the form cannot be one line (a block of statements).

pub fn flat_meta(meta: &Meta, out: &mut String) {
    match meta {
        Meta::Path(p) => out.push_str(p),
        Meta::List(p, items) => {
            out.push_str(p);
            out.push('(');
            for (i, m) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flat_meta(m, out);
            }
            out.push(')');
        }
    }
}

fn flat_path(p: &Path, expr: bool, out: &mut String) {
    out.push_str(&p.text);
    if !p.args.is_empty() {
        out.push_str(if expr { "::<" } else { "<" });
        for (j, a) in p.args.iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            flat_ty(a, out);
        }
        out.push('>');
    }
}

fn flat_ty(t: &Ty, out: &mut String) {
    match t {
        Ty::Path(p) => flat_path(p, false, out),
        Ty::Array(e, n) => {
            out.push('[');
            flat_ty(e, out);
            out.push_str("; ");
            out.push_str(n);
            out.push(']');
        }
        Ty::Ref(m, e) => {
            out.push_str(if *m { "&mut " } else { "&" });
            flat_ty(e, out);
        }
        Ty::Slice(e) => {
            out.push('[');
            flat_ty(e, out);
            out.push(']');
        }
        Ty::Tuple(elems) => {
            out.push('(');
            for (i, e) in elems.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flat_ty(e, out);
            }
            if elems.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Ty::Dyn(p) => {
            out.push_str("dyn ");
            flat_path(p, false, out);
        }
        Ty::BareFn(params, ret) => {
            out.push_str("unsafe extern \"C\" fn(");
            for (i, a) in params.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flat_ty(a, out);
            }
            out.push(')');
            if let Some(r) = ret {
                out.push_str(" -> ");
                flat_ty(r, out);
            }
        }
    }
}

fn flat_list(es: &[Expr], out: &mut String, max: usize) -> bool {
    for (i, e) in es.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if !flat_expr(e, out, max) {
            return false;
        }
    }
    true
}

fn flat_tokens(tts: &[Tt], out: &mut String) {
    for (i, tt) in tts.iter().enumerate() {
        let space = i > 0
            && match tt {
                Tt::Paren(_) => !matches!(tts[i - 1], Tt::Ident(_) | Tt::Lit(_)),
                Tt::Punct(',' | ';') => false,
                _ => true,
            };
        if space {
            out.push(' ');
        }
        match tt {
            Tt::Ident(s) | Tt::Lit(s) => out.push_str(s),
            Tt::Punct(c) => out.push(*c),
            Tt::Paren(inner) => {
                out.push('(');
                flat_tokens(inner, out);
                out.push(')');
            }
        }
    }
}

fn flat_mac(p: &Path, tts: &[Tt], out: &mut String, max: usize) -> bool {
    flat_path(p, false, out);
    out.push_str("!(");
    flat_tokens(tts, out);
    out.push(')');
    out.len() <= max
}

fn flat_block(stmts: &[Stmt], out: &mut String, max: usize) -> bool {
    match stmts {
        [] => {
            out.push_str("{}");
            true
        }
        [Stmt::Expr(e)] => {
            out.push_str("{ ");
            let ok = flat_expr(e, out, max);
            out.push_str(" }");
            ok
        }
        _ => false,
    }
}

fn flat_expr(e: &Expr, out: &mut String, max: usize) -> bool {
    if out.len() > max {
        return false;
    }
    match e {
        Expr::Path(p) => flat_path(p, true, out),
        Expr::Lit(l) => out.push_str(l),
        Expr::Paren(i) => {
            out.push('(');
            if !flat_expr(i, out, max) {
                return false;
            }
            out.push(')');
        }
        Expr::Binary(l, op, r) => {
            if !flat_expr(l, out, max) {
                return false;
            }
            out.push(' ');
            out.push_str(op);
            out.push(' ');
            return flat_expr(r, out, max);
        }
        Expr::Unary(op, i) => {
            out.push_str(op);
            return flat_expr(i, out, max);
        }
        Expr::Ref(i) => {
            out.push('&');
            return flat_expr(i, out, max);
        }
        Expr::Cast(i, t) => {
            if !flat_expr(i, out, max) {
                return false;
            }
            out.push_str(" as ");
            flat_ty(t, out);
        }
        Expr::Field(b, name) => {
            if !flat_expr(b, out, max) {
                return false;
            }
            out.push('.');
            out.push_str(name);
        }
        Expr::MethodCall(r, name, args) => {
            if !flat_expr(r, out, max) {
                return false;
            }
            out.push('.');
            out.push_str(name);
            out.push('(');
            if !flat_list(args, out, max) {
                return false;
            }
            out.push(')');
        }
        Expr::Call(f, args) => {
            if !flat_expr(f, out, max) {
                return false;
            }
            out.push('(');
            if !flat_list(args, out, max) {
                return false;
            }
            out.push(')');
        }
        Expr::Closure(params, body) => {
            out.push('|');
            out.push_str(&params.join(", "));
            out.push_str("| ");
            return flat_expr(body, out, max);
        }
        Expr::Unsafe(i) => {
            out.push_str("unsafe { ");
            if !flat_expr(i, out, max) {
                return false;
            }
            out.push_str(" }");
        }
        Expr::If(c, then, Some(els)) => {
            out.push_str("if ");
            if !flat_expr(c, out, max) {
                return false;
            }
            out.push(' ');
            if !flat_block(then, out, max) {
                return false;
            }
            out.push_str(" else ");
            if !flat_block(els, out, max) {
                return false;
            }
        }
        Expr::If(_, _, None) | Expr::Match(..) => return false,
        Expr::Macro(p, tts) => return flat_mac(p, tts, out, max),
        Expr::Return(v) => {
            out.push_str("return ");
            return flat_expr(v, out, max);
        }
        Expr::Try(i) => {
            if !flat_expr(i, out, max) {
                return false;
            }
            out.push('?');
        }
        Expr::Index(b, i) => {
            if !flat_expr(b, out, max) {
                return false;
            }
            out.push('[');
            if !flat_expr(i, out, max) {
                return false;
            }
            out.push(']');
        }
        Expr::RangeTo(i) => {
            out.push_str("..");
            return flat_expr(i, out, max);
        }
        Expr::Tuple(elems) => {
            out.push('(');
            if !flat_list(elems, out, max) {
                return false;
            }
            if elems.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Expr::QPath(t, trait_, rest) => {
            out.push('<');
            flat_ty(t, out);
            out.push_str(" as ");
            flat_path(trait_, false, out);
            out.push_str(">::");
            out.push_str(rest);
        }
    }
    out.len() <= max
}

// Statements of the same shape. The printer decides a layout from the lengths of the text it
// is given, never from the text itself (but for `is_short_ident`'s `::`, kept in the shape):
// two statements whose trees are the same but for the text of their names and literals,
// of the same lengths, at the same column, are laid out alike. `stmt_text` prints a shape
// once, with each such text masked (`\x01` and `\x02`s, as long as the text), and fills the
// masks in for every statement of that shape after. A validator's rule conditions are a
// handful of shapes per schema, each printed through the printer once per struct before
// (half of the validators' instructions).

thread_local! {
    /// Printed shapes: a statement's shape (`shape_stmt`) → the statement printed with its
    /// texts masked, cut at the masks (`pieces`).
    static SHAPES: std::cell::RefCell<crate::names::FxMap<Vec<u8>, Vec<Box<str>>>> =
        std::cell::RefCell::new(crate::names::FxMap::default());
}

const MASK_START: char = '\x01';
const MASK_REST: char = '\x02';

/// Statement `s` at statement column `col`, as `Rust::stmt` prints it in a printer of its own
/// (as a whole statement at that column), appended to `out`.
pub fn stmt_text(s: &Stmt, col: usize, out: &mut String) {
    let mut key = Vec::with_capacity(256);
    key.extend_from_slice(&(col as u32).to_le_bytes());
    let mut texts = Vec::with_capacity(32);
    if !shape_stmt(s, &mut key, &mut texts) {
        let mut r = Rust::new(1024, col);
        r.stmt(s, false);
        out.push_str(&r.finish());
        return;
    }
    fill_shape(key, &texts, col, || mask_stmt(s), out);
}

/// A statement's key (`col` as 4 bytes, then its shape as `shape_stmt` writes it), for an
/// emitter that knows the shape of what it would build without building it: `Shape` writes
/// the same bytes as the tree they stand for.
pub struct Shape<'t> {
    pub key: Vec<u8>,
    pub texts: Vec<std::borrow::Cow<'t, str>>,
}

impl<'t> Shape<'t> {
    pub fn new(col: usize) -> Self {
        let mut key = Vec::with_capacity(256);
        key.extend_from_slice(&(col as u32).to_le_bytes());
        Shape {
            key,
            texts: Vec::with_capacity(32),
        }
    }

    /// A variant's tag, as `shape_expr` and `shape_stmt` write it.
    pub fn tag(&mut self, tag: u8) {
        self.key.push(tag);
    }

    /// A masked text (a path without `::`, a literal, a field or method name).
    pub fn text(&mut self, text: impl Into<std::borrow::Cow<'t, str>>) {
        let text = text.into();
        self.key.push(b'T');
        self.key
            .extend_from_slice(&(text.len() as u32).to_le_bytes());
        self.texts.push(text);
    }

    /// A text kept whole (an operator, a path with `::`).
    pub fn fixed(&mut self, text: &str) {
        shape_fixed(text, &mut self.key);
    }

    /// A list's length (statements, arguments).
    pub fn len(&mut self, tag: u8, n: usize) {
        self.key.push(tag);
        self.key.extend_from_slice(&(n as u32).to_le_bytes());
    }
}

/// The statement `shape` stands for at its column, filled in; `make` builds it when its shape
/// has not been printed yet (and, in a debug build, every time, to hold `shape` to it).
pub fn shaped_stmt_text(shape: Shape, col: usize, make: impl Fn() -> Stmt, out: &mut String) {
    let texts: Vec<&str> = shape.texts.iter().map(|t| t.as_ref()).collect();
    if cfg!(debug_assertions) {
        let s = make();
        let mut key = Vec::new();
        key.extend_from_slice(&(col as u32).to_le_bytes());
        let mut tree_texts = Vec::new();
        assert!(
            shape_stmt(&s, &mut key, &mut tree_texts),
            "a shape of its own"
        );
        assert_eq!(key, shape.key, "the shape of the tree");
        assert_eq!(tree_texts, texts, "the texts of the tree");
    }
    fill_shape(shape.key, &texts, col, || mask_stmt(&make()), out);
}

/// The shape `key` printed (with `masked`, once) and filled with `texts`.
fn fill_shape(
    key: Vec<u8>,
    texts: &[&str],
    col: usize,
    masked: impl FnOnce() -> Stmt,
    out: &mut String,
) {
    SHAPES.with(|shapes| {
        let mut shapes = shapes.borrow_mut();
        let pieces = shapes.entry(key).or_insert_with(|| {
            let mut r = Rust::new(1024, col);
            r.stmt(&masked(), false);
            pieces(&r.finish())
        });
        debug_assert_eq!(pieces.len(), texts.len() + 1, "a text for every mask");
        out.reserve(pieces.iter().map(|p| p.len()).sum::<usize>() + 256);
        for (piece, text) in pieces.iter().zip(texts) {
            out.push_str(piece);
            out.push_str(text);
        }
        out.push_str(pieces.last().expect("one piece more than masks"));
    });
}

/// A statement printed with its texts masked, cut at its masks: what is printed before each
/// text, and after the last.
fn pieces(printed: &str) -> Vec<Box<str>> {
    let mut pieces = Vec::new();
    let mut rest = printed;
    while let Some(at) = rest.find(MASK_START) {
        pieces.push(rest[..at].into());
        let end = rest[at + 1..]
            .find(|c| c != MASK_REST)
            .map_or(rest.len(), |n| at + 1 + n);
        rest = &rest[end..];
    }
    pieces.push(rest.into());
    pieces
}

/// `text` masked: as long, with no character of it left.
fn mask(text: &str) -> String {
    let mut m = String::with_capacity(text.len());
    m.push(MASK_START);
    m.extend(std::iter::repeat_n(MASK_REST, text.len() - 1));
    m
}

/// A text the layout depends on only by its length (not empty, so it has a mask).
fn shape_text<'a>(text: &'a str, key: &mut Vec<u8>, texts: &mut Vec<&'a str>) -> bool {
    key.push(b'T');
    key.extend_from_slice(&(text.len() as u32).to_le_bytes());
    texts.push(text);
    !text.is_empty()
}

/// A text kept as it is (the layout may depend on it).
fn shape_fixed(text: &str, key: &mut Vec<u8>) {
    key.push(b'F');
    key.extend_from_slice(text.as_bytes());
    key.push(0);
}

/// A path's text is masked unless it has a `::` (`is_short_ident` looks); with generic
/// arguments it is not handled.
fn shape_path<'a>(p: &'a Path, key: &mut Vec<u8>, texts: &mut Vec<&'a str>) -> bool {
    if !p.args.is_empty() {
        return false;
    }
    if p.text.contains("::") {
        shape_fixed(&p.text, key);
        true
    } else {
        shape_text(&p.text, key, texts)
    }
}

fn mask_path(p: &Path) -> Path {
    if p.text.contains("::") {
        p.clone()
    } else {
        path(mask(&p.text))
    }
}

fn shape_ty<'a>(t: &'a Ty, key: &mut Vec<u8>, texts: &mut Vec<&'a str>) -> bool {
    match t {
        Ty::Path(p) => {
            key.push(b'p');
            shape_path(p, key, texts)
        }
        _ => false,
    }
}

fn mask_ty(t: &Ty) -> Ty {
    match t {
        Ty::Path(p) => Ty::Path(mask_path(p)),
        _ => unreachable!("only what shape_ty takes is masked"),
    }
}

/// The statement's shape appended to `key`, its masked texts to `texts` in the order they
/// are printed; false if it has a part not handled here.
fn shape_stmt<'a>(s: &'a Stmt, key: &mut Vec<u8>, texts: &mut Vec<&'a str>) -> bool {
    match s {
        Stmt::Let(pat, e) => {
            key.push(b'L');
            shape_fixed(pat, key);
            shape_expr(e, key, texts)
        }
        Stmt::Semi(e) => {
            key.push(b';');
            shape_expr(e, key, texts)
        }
        Stmt::Expr(e) => {
            key.push(b'E');
            shape_expr(e, key, texts)
        }
        Stmt::Macro(..) | Stmt::Fn(_) => false,
    }
}

fn mask_stmt(s: &Stmt) -> Stmt {
    match s {
        Stmt::Let(pat, e) => Stmt::Let(pat, mask_expr(e)),
        Stmt::Semi(e) => Stmt::Semi(mask_expr(e)),
        Stmt::Expr(e) => Stmt::Expr(mask_expr(e)),
        Stmt::Macro(..) | Stmt::Fn(_) => unreachable!("only what shape_stmt takes is masked"),
    }
}

fn shape_exprs<'a>(es: &'a [Expr], key: &mut Vec<u8>, texts: &mut Vec<&'a str>) -> bool {
    key.push(b'[');
    key.extend_from_slice(&(es.len() as u32).to_le_bytes());
    es.iter().all(|e| shape_expr(e, key, texts))
}

fn shape_stmts<'a>(ss: &'a [Stmt], key: &mut Vec<u8>, texts: &mut Vec<&'a str>) -> bool {
    key.push(b'{');
    key.extend_from_slice(&(ss.len() as u32).to_le_bytes());
    ss.iter().all(|s| shape_stmt(s, key, texts))
}

fn shape_expr<'a>(e: &'a Expr, key: &mut Vec<u8>, texts: &mut Vec<&'a str>) -> bool {
    match e {
        Expr::Path(p) => {
            key.push(b'P');
            shape_path(p, key, texts)
        }
        Expr::Lit(l) => {
            key.push(b'l');
            shape_text(l, key, texts)
        }
        Expr::Paren(i) => {
            key.push(b'(');
            shape_expr(i, key, texts)
        }
        Expr::Binary(l, op, r) => {
            key.push(b'B');
            shape_fixed(op, key);
            shape_expr(l, key, texts) && shape_expr(r, key, texts)
        }
        Expr::Unary(op, i) => {
            key.push(b'U');
            shape_fixed(op, key);
            shape_expr(i, key, texts)
        }
        Expr::Ref(i) => {
            key.push(b'&');
            shape_expr(i, key, texts)
        }
        Expr::Cast(i, t) => {
            key.push(b'C');
            shape_expr(i, key, texts) && shape_ty(t, key, texts)
        }
        Expr::Field(b, name) => {
            key.push(b'.');
            shape_expr(b, key, texts) && shape_text(name, key, texts)
        }
        Expr::MethodCall(r, name, args) => {
            key.push(b'M');
            shape_expr(r, key, texts)
                && shape_text(name, key, texts)
                && shape_exprs(args, key, texts)
        }
        Expr::Call(f, args) => {
            key.push(b'c');
            shape_expr(f, key, texts) && shape_exprs(args, key, texts)
        }
        Expr::Unsafe(i) => {
            key.push(b'u');
            shape_expr(i, key, texts)
        }
        Expr::If(c, then, els) => {
            key.push(b'I');
            shape_expr(c, key, texts)
                && shape_stmts(then, key, texts)
                && match els {
                    Some(els) => {
                        key.push(b'e');
                        shape_stmts(els, key, texts)
                    }
                    None => {
                        key.push(b'n');
                        true
                    }
                }
        }
        Expr::Return(v) => {
            key.push(b'R');
            shape_expr(v, key, texts)
        }
        Expr::Try(i) => {
            key.push(b'?');
            shape_expr(i, key, texts)
        }
        Expr::Index(b, i) => {
            key.push(b'x');
            shape_expr(b, key, texts) && shape_expr(i, key, texts)
        }
        Expr::RangeTo(i) => {
            key.push(b'r');
            shape_expr(i, key, texts)
        }
        Expr::Tuple(es) => {
            key.push(b't');
            shape_exprs(es, key, texts)
        }
        Expr::Closure(..) | Expr::Macro(..) | Expr::Match(..) | Expr::QPath(..) => false,
    }
}

fn mask_exprs(es: &[Expr]) -> Vec<Expr> {
    es.iter().map(mask_expr).collect()
}

fn mask_stmts(ss: &[Stmt]) -> Vec<Stmt> {
    ss.iter().map(mask_stmt).collect()
}

fn mask_expr(e: &Expr) -> Expr {
    let b = |i: &Expr| Box::new(mask_expr(i));
    match e {
        Expr::Path(p) => Expr::Path(mask_path(p)),
        Expr::Lit(l) => Expr::Lit(mask(l)),
        Expr::Paren(i) => Expr::Paren(b(i)),
        Expr::Binary(l, op, r) => Expr::Binary(b(l), op, b(r)),
        Expr::Unary(op, i) => Expr::Unary(op, b(i)),
        Expr::Ref(i) => Expr::Ref(b(i)),
        Expr::Cast(i, t) => Expr::Cast(b(i), mask_ty(t)),
        Expr::Field(base, name) => Expr::Field(b(base), mask(name)),
        Expr::MethodCall(r, name, args) => Expr::MethodCall(b(r), mask(name), mask_exprs(args)),
        Expr::Call(f, args) => Expr::Call(b(f), mask_exprs(args)),
        Expr::Unsafe(i) => Expr::Unsafe(b(i)),
        Expr::If(c, then, els) => Expr::If(b(c), mask_stmts(then), els.as_deref().map(mask_stmts)),
        Expr::Return(v) => Expr::Return(b(v)),
        Expr::Try(i) => Expr::Try(b(i)),
        Expr::Index(base, i) => Expr::Index(b(base), b(i)),
        Expr::RangeTo(i) => Expr::RangeTo(b(i)),
        Expr::Tuple(es) => Expr::Tuple(mask_exprs(es)),
        Expr::Closure(..) | Expr::Macro(..) | Expr::Match(..) | Expr::QPath(..) => {
            unreachable!("only what shape_expr takes is masked")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `stmt_text` prints what the printer prints, for a shape printed the first time and
    /// filled in after, names of every length around the line's end and paths with a `::`.
    #[test]
    fn stmt_text_is_the_printers() {
        let cond = |a: &str, b: &str, c: &str| {
            bin(
                paren(bin(
                    paren(cast(field(var("self"), a.to_string()), "u64")),
                    "&",
                    not(paren(bin(
                        lit("0u64"),
                        "|",
                        paren(cast(var(b.to_string()), "u64")),
                    ))),
                )),
                "&&",
                not(paren(bin(
                    method(var(c.to_string()), "len", vec![var("u64::MAX")]),
                    "==",
                    lit("0"),
                ))),
            )
        };
        let stmt = |a: &str, b: &str, c: &str| {
            Stmt::Expr(Expr::If(
                Box::new(cond(a, b, c)),
                vec![Stmt::Semi(Expr::Return(Box::new(call(
                    "::core::result::Result::Err",
                    vec![lit(str_lit(a))],
                ))))],
                None,
            ))
        };
        for col in [4, 8, 12] {
            for n in 1..60 {
                for m in [1, 7, 30] {
                    // The second time the same shape with other names.
                    for x in ["a", "z"] {
                        let (a, b, c) = (x.repeat(n), "B".repeat(m), "c".repeat(n / 3 + 1));
                        let mut r = Rust::new(1024, col);
                        r.stmt(&stmt(&a, &b, &c), false);
                        let printed = r.finish();
                        let mut direct = String::new();
                        stmt_text(&stmt(&a, &b, &c), col, &mut direct);
                        assert_eq!(direct, printed, "col {col}, {n}, {m}");
                    }
                }
            }
        }
    }
}
