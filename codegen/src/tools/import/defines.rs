//! A `#define`'s value as the schema writes it: an integer, an expression, a string, an
//! ioctl number, or a form it cannot write.

use super::*;

/// An enumerator's `= EXPR` as its file writes it (on one line), empty for none (C counts it
/// on from the one before); None where a comment is inside it or the file cannot be read.
pub(super) fn initializer(c: Cursor<'_>) -> Option<String> {
    let r = c.extent();
    let (start, end) = (r.start().spelling(), r.end().spelling());
    let text = std::fs::read_to_string(start.file?.name()).ok()?;
    let decl = text.get(start.offset as usize..end.offset as usize)?;
    let Some((_, expr)) = decl.split_once('=') else {
        return Some(String::new());
    };
    let expr = expr.split_whitespace().collect::<Vec<_>>().join(" ");
    (!expr.is_empty() && !expr.contains("/*") && !expr.contains("//")).then_some(expr)
}

/// What a define becomes.
pub(super) enum DefineForm {
    /// Schema text (`value = 1`, `bit = 3`, `char = ";"`).
    Value(String),
    /// Not a form the importer reads: listed for the author.
    Skip,
    /// A form it reads, with a value the schema would misstate.
    Refuse(String),
    /// A form it reads, with a part the schema cannot write (an ioctl's argument type): listed
    /// for the author with the reason.
    NotRead(String),
}

/// A C integer literal: its value and its type's width and signedness (C11 6.4.4.1, on
/// every target: `long` counts as 32 bits, its width on i686 and arm).
pub(super) fn int_literal(t: &str) -> Option<(u64, u32, bool)> {
    let digits = t.trim_end_matches(['U', 'u', 'L', 'l']);
    let suffix = t[digits.len()..].to_ascii_lowercase();
    let value = if let Some(h) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    let unsigned = suffix.contains('u');
    let width = if suffix.contains("ll") { 64 } else { 32 };
    if value > u64::from(u32::MAX) && width == 32 {
        // A literal too large for int is long long (or unsigned) in C: wide enough.
        return Some((value, 64, unsigned));
    }
    Some((value, width, unsigned))
}

pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The largest integer a schema value can be: TOML's.
pub(super) const MAX_VALUE: u64 = i64::MAX as u64;

/// A define's value as schema text, if it is a plain integer, `(1 << N)`, a character, an OR
/// of names, `_IO(type, nr)` or another name.
pub(super) fn define_value(c: Cursor<'_>) -> DefineForm {
    let words: Vec<String> = c.tokens().into_iter().skip(1).collect();
    let w: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|t| *t != "(" && *t != ")")
        .collect();
    // The definition as written, for a form whose value the others would keep but whose C
    // type they would not.
    let as_written = || DefineForm::Value(format!("expr = {}", toml_str(&c.macro_body())));
    match w.as_slice() {
        [v] if int_literal(v).is_some() => match int_literal(v) {
            // Past a TOML integer, or typed by a suffix (`2L`, `0x10U`): as C reads it.
            Some((n, _, _)) if n > MAX_VALUE || v.ends_with(['U', 'u', 'L', 'l']) => as_written(),
            // Hex is written back as hex, which keeps its type (`0x80000000` is an
            // `unsigned int`, `2147483648` a `long`).
            Some(_) if v.starts_with("0x") => DefineForm::Value(format!("value = {v}")),
            Some(_) if v.starts_with("0X") => DefineForm::Value(format!("value = 0x{}", &v[2..])),
            // Octal past `int` would become a decimal of another type.
            Some((n, _, _)) if n > i32::MAX as u64 && v.starts_with('0') => as_written(),
            Some((n, _, _)) => DefineForm::Value(format!("value = {n}")),
            None => DefineForm::Skip,
        },
        [one, "<<", "-", n] if int_literal(one).is_some_and(|l| l.0 == 1) => DefineForm::Refuse(
            format!("is `{one} << -{n}`: a negative shift is undefined in C"),
        ),
        [one, "<<", n] if int_literal(one).is_some_and(|l| l.0 == 1) => {
            let Some((_, width, unsigned)) = int_literal(one) else {
                return DefineForm::Skip;
            };
            // A shift by a constant's name (`1 << BFS_BSIZE_BITS`): an expression.
            let Some((n, _, _)) = int_literal(n) else {
                return as_written();
            };
            let limit = if unsigned { width } else { width - 1 };
            // Into the sign bit: C leaves it undefined, GCC and clang give the type's
            // minimum, and the kernel writes it (`(1 << 31)`); an expression keeps it so.
            if !unsigned && n == u64::from(limit) {
                return as_written();
            }
            // `bit = n` writes `(1 << n)`, `(1U << 31)` or `(1ULL << n)`: another one (`1U << 4`,
            // `1ULL << 3`) keeps its type as an expression.
            let canonical = match n {
                0..=30 => "1",
                31 => "1U",
                _ => "1ULL",
            };
            if n < u64::from(limit) && *one != canonical {
                return as_written();
            }
            if n >= u64::from(limit) {
                let why = if n >= u64::from(width) {
                    format!("a shift by {n} of a {width}-bit `{one}` is undefined in C")
                } else {
                    format!(
                        "`{one} << {n}` overflows the signed {width}-bit `{one}` (undefined in C)"
                    )
                };
                let wider = match n {
                    0..=31 => format!("; write `1U << {n}`"),
                    32..=63 => format!("; write `1ULL << {n}`"),
                    _ => String::new(),
                };
                DefineForm::Refuse(format!("is `{one} << {n}`: {why}{wider}"))
            } else {
                DefineForm::Value(format!("bit = {n}"))
            }
        }
        [ch] if ch.len() == 3 && ch.starts_with('\'') && ch.ends_with('\'') => {
            DefineForm::Value(format!("char = {}", toml_str(&ch[1..2])))
        }
        [m, ..] if matches!(*m, "_IO" | "_IOR" | "_IOW" | "_IOWR" | "_IOC") => ioctl_form(&words),
        // `#define COFF_FILHDR struct COFF_filehdr` (linux/coff.h): a name for the type, whose
        // struct must be above (checked with the others).
        [kw, tag] if matches!(*kw, "struct" | "union") && is_identifier(tag) => {
            DefineForm::Value(format!("tag = {}", toml_str(&format!("{kw} {tag}"))))
        }
        // C's string literals and names side by side (`"ethtool"`, `PREFIX "evm"`): a string
        // define; whether each name is a string define above is checked with the others.
        _ if crate::front::cstring::parse(&c.macro_body()).is_ok()
            && (words.iter().any(|t| t.starts_with('"')) || w.len() > 1) =>
        {
            DefineForm::Value(format!("string = {}", toml_text(&c.macro_body())))
        }
        // <asm/bitsperlong.h>'s words are no constant a schema defines, but each data
        // model's value (asm-generic/signal.h's `#define _NSIG_BPW __BITS_PER_LONG`).
        [id] if crate::front::cexpr::is_word_bits(id) => {
            DefineForm::Value(format!("expr = {}", toml_str(id)))
        }
        [id] if is_identifier(id) => DefineForm::Value(format!("alias = {}", toml_str(id))),
        ids if ids.len() >= 3
            && ids.iter().skip(1).step_by(2).all(|t| *t == "|")
            && ids.iter().step_by(2).all(|t| is_identifier(t)) =>
        {
            let names: Vec<String> = ids.iter().step_by(2).map(|t| toml_str(t)).collect();
            DefineForm::Value(format!("or = [{}]", names.join(", ")))
        }
        // Any other C integer constant expression, as written; what it names is checked
        // against the constants defined above it with the other forms' names.
        _ => {
            let body = c.macro_body();
            // `sizeof(struct can_frame)`: the schema takes its size, the same on every ABI.
            let sized = crate::front::cexpr::sizes_as_one(&body).unwrap_or_default();
            match parse_expr(&sized, &HashMap::new(), &HashSet::new()) {
                Ok(_) => DefineForm::Value(format!("expr = {}", toml_str(&body))),
                // A call of a function-like macro: whether the header defines it above, and
                // with as many parameters, is checked with the other names.
                Err(_) if crate::front::cexpr::calls(&body) => {
                    DefineForm::Value(format!("expr = {}", toml_str(&body)))
                }
                Err(_) => DefineForm::Skip,
            }
        }
    }
}

/// `#define NAME(a, b) body`: a `[[macro]]` when the body is made of an integer
/// expression's tokens and the parameters are named (no `...`); else listed for the author.
pub(super) fn function_like(c: Cursor<'_>, name: String) -> Item {
    // <linux/ioctl.h>'s and <linux/const.h>'s own (asm-generic/ioctl.h defines `_IOR`),
    // and <asm/byteorder.h>'s conversions (linux/byteorder/little_endian.h defines
    // `__cpu_to_be16`): the generated header includes them rather than defining them.
    if crate::front::cexpr::INCLUDED_MACROS.contains(&name.as_str())
        || crate::front::cexpr::is_byteorder(&name)
    {
        return Item::Skipped { name };
    }
    let tokens = c.tokens();
    let Some(close) = tokens.iter().position(|t| t == ")") else {
        return Item::Skipped { name };
    };
    let params: Vec<String> = tokens
        .get(2..close)
        .unwrap_or(&[])
        .iter()
        .filter(|t| *t != ",")
        .cloned()
        .collect();
    if params.iter().any(|p| !is_identifier(p)) {
        return Item::Skipped { name };
    }
    let full = c.macro_body();
    let body = full
        .find(')')
        .map_or("", |i| full[i + 1..].trim())
        .to_string();
    // A member's declaration (`declared_by`), or an expression.
    let declares = crate::front::decl_macro::shape(&params, &body).is_none();
    if let (false, Err(e)) = (
        declares,
        crate::front::cexpr::Macro::new(params.clone(), &body),
    ) {
        return Item::NotImported {
            what: format!("#define {name}({})", params.join(", ")),
            why: format!(
                "its body is not what a `[[macro]]` holds (an integer expression's tokens, or \
                 one _IO/_IOR/_IOW/_IOWR call passing its type parameter on): {}",
                e.message
            ),
        };
    }
    Item::Macro {
        name,
        params,
        body,
        doc: None,
        extern_header: None,
        ifndef: false,
    }
}

/// Each member `declared_by` a macro's call takes the type and array length of the call's
/// expansion, as the schema writes the member (`__aligned_u64`, not libclang's `__u64`); one
/// whose macro declares no member as the schema writes one is refused, located.
pub(super) fn expand_declared(state: &mut State) {
    let mut defs: HashMap<String, (Vec<String>, String)> = state
        .other_macros
        .iter()
        .filter_map(|(n, (m, _))| match m {
            Item::Macro { params, body, .. } => Some((n.clone(), (params.clone(), body.clone()))),
            _ => None,
        })
        .collect();
    for (_, it) in &state.items {
        if let Item::Macro {
            name, params, body, ..
        } = it
        {
            defs.insert(name.clone(), (params.clone(), body.clone()));
        }
    }
    // `copy`: another header's struct, copied as `extern` and never written, whose members
    // keep the expansion only.
    fn walk(
        fields: &mut [Field],
        defs: &HashMap<String, (Vec<String>, String)>,
        problems: &mut Vec<Problem>,
        copy: bool,
    ) {
        for f in fields {
            if let Some((_, ms)) = &mut f.inline {
                walk(ms, defs, problems, copy);
            }
            let Some((m, args)) = &f.declared_by else {
                continue;
            };
            // A macro no `[[macro]]` holds, as one declaring an aggregate (bpf.h's
            // `__bpf_md_ptr(type, name)`, a union of the member and padding bits, listed as
            // not imported): its expansion is read as the schema writes it, which the proof
            // holds to the header's layout.
            if defs.get(m).is_none_or(|(_, body)| body.contains('{')) {
                f.declared_by = None;
                continue;
            }
            let decl = defs.get(m).and_then(|(params, body)| {
                if crate::front::decl_macro::shape(params, body).is_some()
                    || params.len() != args.len()
                {
                    return None;
                }
                crate::front::decl_macro::parts(&crate::front::decl_macro::expand(
                    params, body, args,
                ))
            });
            match decl {
                Some((ty, name, array)) if Some(&name) == f.name.as_ref() => {
                    f.ty = Some(ty);
                    match array {
                        Some(a) if a.is_empty() => {}
                        Some(a) if a.parse::<u64>().is_ok() => f.len_text = None,
                        Some(a) => f.len_text = Some(a),
                        None => {}
                    }
                    if copy {
                        f.declared_by = None;
                    }
                }
                _ => problems.push(Problem {
                    offset: f.offset,
                    len: f.name.as_ref().map_or(1, String::len),
                    message: format!(
                        "`{}` is declared by `{m}({})`, whose body declares no member as the \
                         schema writes one (`TYPE NAME` or `TYPE NAME[LEN]`, NAME a parameter)",
                        f.path,
                        args.join(", ")
                    ),
                }),
            }
        }
    }
    for (_, it) in &mut state.items {
        if let Item::Struct {
            fields, problems, ..
        } = it
        {
            walk(fields, &defs, problems, false);
        }
    }
    for (it, _) in state.other_structs.values_mut() {
        if let Item::Struct {
            fields, problems, ..
        } = it
        {
            walk(fields, &defs, problems, true);
        }
    }
}

/// `M(a, b)`, a define's whole body one call of a function-like macro: M and the arguments,
/// each trimmed, split at the commas outside parentheses.
pub(super) fn one_call(text: &str) -> Option<(String, Vec<String>)> {
    let text = text.trim();
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let name = &text[..name_end];
    let inner = text[name_end..]
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    if !is_identifier(name) {
        return None;
    }
    let mut args = Vec::new();
    let (mut depth, mut from) = (0usize, 0);
    for (i, ch) in inner.char_indices() {
        match ch {
            '(' => depth += 1,
            // The `)` that closes the call before the end: `M(a) + N(b)`.
            ')' if depth == 0 => return None,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                args.push(inner[from..i].trim().to_string());
                from = i + 1;
            }
            '\'' | '"' => return None,
            _ => {}
        }
    }
    args.push(inner[from..].trim().to_string());
    if args.len() == 1 && args[0].is_empty() {
        args.clear();
    }
    Some((name.to_string(), args))
}
