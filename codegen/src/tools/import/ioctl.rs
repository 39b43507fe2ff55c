//! An `_IO`…`_IOWR` call's schema form: its type, number, direction and argument type.

use super::*;

/// `_IO(type, nr)`, `_IOR(type, nr, argtype)`, `_IOW(...)`, `_IOWR(...)`: `words` are the
/// macro's tokens after its name.
pub(super) fn ioctl_form(words: &[String]) -> DefineForm {
    let not_read = |why: String| DefineForm::NotRead(why);
    let (Some(m), Some("("), Some(")")) = (
        words.first(),
        words.get(1).map(String::as_str),
        words.last().map(String::as_str),
    ) else {
        return DefineForm::Skip;
    };
    // The arguments, split at the commas outside parentheses.
    let mut args: Vec<Vec<&str>> = vec![Vec::new()];
    let mut depth = 0usize;
    for t in &words[2..words.len() - 1] {
        match t.as_str() {
            "," if depth == 0 => args.push(Vec::new()),
            "(" => depth += 1,
            ")" if depth == 0 => return DefineForm::Skip,
            ")" => depth -= 1,
            _ => {}
        }
        if !(t == "," && depth == 0) {
            args.last_mut().expect("one at least").push(t.as_str());
        }
    }
    // The direction and the argument's tokens: `_IOC(_IOC_NONE, type, nr, sizeof(T))`
    // (xen/privcmd.h) names both itself, `0` for no argument; `_IOR` ... by its name.
    let ioc = m == "_IOC";
    let (dir, arg_toks): (&str, Option<Vec<&str>>) = if ioc {
        if args.len() != 4 {
            return DefineForm::Skip;
        }
        let dir = match args[0].as_slice() {
            ["_IOC_NONE"] => "none",
            ["_IOC_READ"] => "r",
            ["_IOC_WRITE"] => "w",
            ["_IOC_READ", "|", "_IOC_WRITE"] | ["_IOC_WRITE", "|", "_IOC_READ"] => "rw",
            _ => {
                return not_read(format!(
                    "its direction `{}` is not _IOC_NONE, _IOC_READ, _IOC_WRITE or both",
                    args[0].join(" ")
                ))
            }
        };
        let size = match args[3].as_slice() {
            ["0"] => None,
            ["sizeof", "(", t @ .., ")"] => Some(t.to_vec()),
            other => {
                return not_read(format!(
                    "its size `{}` is not `sizeof(TYPE)` or 0",
                    other.join(" ")
                ))
            }
        };
        (dir, size)
    } else {
        let dir = match m.as_str() {
            "_IO" => "none",
            "_IOR" => "r",
            "_IOW" => "w",
            _ => "rw",
        };
        if args.len() != if dir == "none" { 2 } else { 3 } {
            return DefineForm::Skip;
        }
        (dir, args.get(2).cloned())
    };
    // `ioc = true` first, the direction after `nr` unless `_IO`'s (implied without `ioc`).
    let ioc_key = if ioc { "ioc = true, " } else { "" };
    // A name, an integer as TOML writes it, or any other C expression as a string.
    let operand = |key: &str, toks: &[&str]| -> Result<String, String> {
        match toks {
            [t] if is_identifier(t) => Ok(toml_str(t)),
            [t] if int_literal(t).is_some() => {
                let (n, ..) = int_literal(t).expect("an integer");
                if n > 0xff {
                    return Err(format!("its {key} {t} does not fit in 8 bits"));
                }
                // The header's spelling when TOML reads it alike (`0x01`), else the value.
                let plain = t.chars().all(|c| c.is_ascii_digit())
                    && (*t == "0" || !t.starts_with('0'))
                    || t.strip_prefix("0x")
                        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
                Ok(if plain { t.to_string() } else { n.to_string() })
            }
            _ => {
                let text = toks.join(" ");
                match crate::front::cexpr::parse(&text) {
                    Ok(_) => Ok(toml_str(&text)),
                    Err(e) => Err(format!("its {key} `{text}` is not a C integer constant expression uapigen reads ({})", e.message)),
                }
            }
        }
    };
    // `_IOC`'s type and number follow its direction.
    let at = usize::from(ioc);
    let (ty, nr) = match (operand("type", &args[at]), operand("number", &args[at + 1])) {
        (Ok(ty), Ok(nr)) => (ty, nr),
        (Err(why), _) | (_, Err(why)) => return not_read(why),
    };
    let Some(toks) = arg_toks else {
        let dir = if dir == "none" {
            String::new()
        } else {
            format!(", dir = \"{dir}\"")
        };
        return DefineForm::Value(format!(
            "ioctl = {{ {ioc_key}type = {ty}, nr = {nr}{dir} }}"
        ));
    };
    // A type the schema writes: a struct, a scalar, one level of pointer to void, a scalar
    // or a struct (`const char *`), or an array of a struct or scalar (`int [ 2 ]` → `int[2]`).
    fn value_type(toks: &[&str]) -> bool {
        match toks {
            ["struct" | "union", n] => is_identifier(n),
            // A tagged enum of the header's (genwqe_card.h's `enum genwqe_card_state`).
            ["enum", n] => is_identifier(n),
            // A typedef's name (videodev2.h's `v4l2_std_id`), which resolve looks up.
            [n] if is_identifier(n) => true,
            _ => crate::ir::Scalar::from_c_name(&toks.join(" ")).is_some(),
        }
    }
    let (arg, known) = match toks.as_slice() {
        [base @ .., "*"] => {
            let pointee: Vec<&str> = base
                .iter()
                .copied()
                .filter(|t| *t != "const" && *t != "__user")
                .collect();
            let ok = !pointee.contains(&"*") && (pointee == ["void"] || value_type(&pointee));
            (format!("{} *", base.join(" ")), ok)
        }
        [base @ .., "[", n, "]"] if int_literal(n).is_some() && !base.contains(&"[") => {
            let n = int_literal(n).map_or(0, |l| l.0);
            (format!("{}[{n}]", base.join(" ")), value_type(base))
        }
        // A length named by a constant (joystick.h's `__u8[ABS_CNT]`), which must be above,
        // or an expression over such ones (`__u16[KEY_MAX - BTN_MISC + 1]`).
        [base @ .., "[", n, "]"] if is_identifier(n) && !base.contains(&"[") => {
            (format!("{}[{n}]", base.join(" ")), value_type(base))
        }
        [.., "]"] if array_expr(&toks).is_some() => {
            let (base, len) = array_expr(&toks).unwrap_or_default();
            (format!("{}[{len}]", base.join(" ")), value_type(base))
        }
        // C's `unsigned` alone is `unsigned int` (capi.h's `_IOR('C', 0x25, unsigned)`), as
        // import writes a member of it.
        ["unsigned"] => ("unsigned int".to_string(), true),
        ["signed"] => ("int".to_string(), true),
        _ => (toks.join(" "), value_type(&toks)),
    };
    if !known {
        return not_read(format!(
            "its argument type `{arg}` is neither a struct nor a type the schema knows"
        ));
    }
    DefineForm::Value(format!(
        "ioctl = {{ {ioc_key}type = {ty}, nr = {nr}, dir = \"{dir}\", size = {} }}",
        toml_str(&arg)
    ))
}

/// An ioctl argument `T[LEN]` whose length is a C expression (joystick.h's `__u16[KEY_MAX -
/// BTN_MISC + 1]`): the element's tokens and the length's text.
pub(super) fn array_expr<'a>(toks: &'a [&'a str]) -> Option<(&'a [&'a str], String)> {
    let open = toks.iter().position(|t| *t == "[")?;
    let (base, rest) = toks.split_at(open);
    let len = rest.get(1..rest.len().checked_sub(1)?)?;
    if len.is_empty() || len.contains(&"[") || rest.last() != Some(&"]") {
        return None;
    }
    let text = len.join(" ");
    crate::front::cexpr::parse(&text).ok().map(|_| (base, text))
}

/// The struct or union an ioctl define's schema form names as its argument type (`size =
/// "struct X"`, or a wrapper macro's argument `"union X"`).
pub(super) fn define_struct(value: &str) -> Option<String> {
    let i = ioctl_table(value)?;
    let size = match i.get("args").and_then(|a| a.as_array()) {
        // Only the argument type of a wrapper's arguments names a struct or union: the
        // others are integer expressions.
        Some(args) => args
            .iter()
            .filter_map(|a| a.as_str())
            .find(|a| a.contains("struct ") || a.contains("union "))?,
        None => i.get("size")?.as_str()?,
    };
    // A pointer needs no struct defined (C's incomplete type): its size is the pointer's.
    if size.trim_end().ends_with('*') && !size.contains("union ") {
        return None;
    }
    // `struct X`, `union X[2]`: X.
    let (_, rest) = size
        .split_once("struct ")
        .or_else(|| size.split_once("union "))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The tag of the enum an ioctl define's schema form gives as its argument type (`size =
/// "enum genwqe_card_state"`).
pub(super) fn define_enum(value: &str) -> Option<String> {
    let i = ioctl_table(value)?;
    let size = i.get("size")?.as_str()?.trim();
    let tag = size.strip_prefix("enum ")?.trim();
    is_identifier(tag).then(|| tag.to_string())
}

/// The name an ioctl define's schema form gives as its argument type (`size =
/// "v4l2_std_id"`), when it is a bare name: a typedef the header must define.
pub(super) fn define_typedef_arg(value: &str) -> Option<String> {
    let i = ioctl_table(value)?;
    let size = i.get("size")?.as_str()?.trim();
    (is_identifier(size) && crate::ir::Scalar::from_c_name(size).is_none())
        .then(|| size.to_string())
}

/// Whether `name` is another kernel header's typedef of a scalar (videodev2.h's
/// `v4l2_std_id`) or of an array of one (ppp_defs.h's `ext_accm`), which an `extern` copy
/// writes with nothing else copied. The C library's
/// (matroxfb.h's `size_t`) are no uAPI header's to copy.
pub(super) fn other_scalar_typedef(others: &HashMap<String, OtherTypedef>, name: &str) -> bool {
    others.get(name).is_some_and(|t| {
        let folder = t.header.split('/').next().unwrap_or("");
        // Or of an array of one (ppp_defs.h's `typedef __u32 ext_accm[8];`, `__u32[8]`).
        let element = t.ty.split_once('[').map_or(t.ty.as_str(), |(e, _)| e);
        Scalar::from_c_name(element).is_some()
            && (UAPI_FOLDERS.contains(&folder) || folder == "asm")
    })
}

/// Another header's typedef the schema can write, for an `extern` copy.
#[derive(Clone)]
pub(super) struct OtherTypedef {
    /// What it names (`typedef_target`).
    pub(super) ty: String,
    pub(super) bitwise: bool,
    pub(super) aligned: Option<String>,
    pub(super) header: String,
}

/// An ioctl define's schema form (`ioctl = { ... }`) as a table.
pub(super) fn ioctl_table(value: &str) -> Option<toml::Table> {
    let table = value.strip_prefix("ioctl = ")?;
    let t: toml::Table = toml::from_str(&format!("i = {table}")).ok()?;
    t.get("i")?.as_table().cloned()
}
