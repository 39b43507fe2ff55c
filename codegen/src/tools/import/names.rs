//! The names a define's value uses: constants, macros, types and tags, for the order of the
//! skeleton and the copies of other headers' items.

use super::*;

/// The constants a define's schema form names (through the macros it calls), or why its
/// expression cannot be read with the function-like macros defined above it.
pub(super) fn define_names(
    value: &str,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
    types: &HashSet<String>,
) -> Result<Vec<String>, String> {
    if let Some((name, args)) = ioctl_table(value).and_then(|t| wrapper_of(&t)) {
        // Through the wrappers it forwards to, the one it reaches.
        let lookup = |n: &str| macros.get(n).cloned();
        let (name, m, args) =
            crate::front::cexpr::reduce_io_call(&name, &args, &lookup).map_err(|e| e.message)?;
        let (ty, nr) = m
            .io_operands(&args)
            .ok_or_else(|| format!("`{name}` takes {} arguments", m.params.len()))?;
        let size = m.io.as_ref().and_then(|b| b.size_param);
        // Each argument is evaluated on its own too, so what an unused one names counts.
        let numbers = args
            .iter()
            .enumerate()
            .filter(|(k, _)| Some(*k) != size)
            .map(|(_, a)| a.clone());
        let mut names = Vec::new();
        for text in [ty, nr].into_iter().chain(numbers) {
            let e = parse_expr(&text, macros, types).map_err(|e| e.message)?;
            names.extend(e.names.into_iter().map(|(n, _)| n));
        }
        return Ok(names);
    }
    if let Some(text) = form_str(value, "string") {
        return crate::front::cstring::parse(&text)
            .map(|parsed| {
                parsed
                    .parts
                    .into_iter()
                    .filter_map(|(p, _)| match p {
                        crate::front::cstring::Part::Name(n) => Some(n),
                        crate::front::cstring::Part::Literal(_) => None,
                    })
                    .collect()
            })
            .map_err(|e| e.message);
    }
    if let Some(text) = expr_text(value) {
        // A macro whose body takes `sizeof`, in its place (`GFS2_DIRENT_SIZE(1)`).
        let lookup = |n: &str| macros.get(n).cloned();
        let text = match crate::front::cexpr::expand_sized(&text, &lookup) {
            Ok(Some((t, _))) => t,
            Ok(None) => text,
            Err(e) => return Err(e.message),
        };
        let text = crate::front::cexpr::sizes_as_one(&text).map_err(|e| e.message)?;
        return parse_expr(&text, macros, types)
            .map(|e| e.names.into_iter().map(|(n, _)| n).collect())
            .map_err(|e| e.message);
    }
    Ok(define_names_plain(value))
}

/// `text` parsed as an integer expression over `macros`, whose casts may name the typedefs
/// `types` (`((__sighandler_t)-1)` is a cast, not a subtraction); if it is none, as one whose
/// casts may name any typedef (`((v4l2_std_id)0x100)`), whether the header has it above is
/// resolve's to check.
pub(super) fn parse_expr(
    text: &str,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
    types: &HashSet<String>,
) -> Result<crate::front::cexpr::CExpr, crate::front::cexpr::CError> {
    let lookup = |n: &str| macros.get(n).cloned();
    let known = |n: &str| {
        (Scalar::from_c_name(n).is_none() && types.contains(n))
            .then_some(crate::front::cexpr::CType::Int)
    };
    crate::front::cexpr::parse_with_types(text, &lookup, &known).or_else(|_| {
        // Not a type the schema knows: those casts the strict parse took or refused.
        crate::front::cexpr::parse_with_types(text, &lookup, &|n| {
            Scalar::from_c_name(n)
                .is_none()
                .then_some(crate::front::cexpr::CType::Int)
        })
    })
}

/// What `alias = "NAME"` names.
pub(super) fn alias_of(value: &str) -> Option<String> {
    form_str(value, "alias")
}

/// The names an `expr` define's casts take as types where the schema has no type of that
/// name (`((__kernel_rwf_t)1)`, `((__sighandler_t)0)`): what `parse_expr` took on trust.
pub(super) fn cast_types(
    value: &str,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
    types: &HashSet<String>,
) -> Vec<String> {
    let Some(text) = expr_text(value) else {
        return Vec::new();
    };
    let text = crate::front::cexpr::sizes_as_one(&text).unwrap_or(text);
    let lookup = |n: &str| macros.get(n).cloned();
    let seen = std::cell::RefCell::new(Vec::new());
    // Casts to the typedefs `types` first (`((__sighandler_t)-1)`), as `parse_expr` reads them.
    let known = |n: &str| {
        (Scalar::from_c_name(n).is_none() && types.contains(n)).then(|| {
            seen.borrow_mut().push(n.to_string());
            crate::front::cexpr::CType::Int
        })
    };
    if crate::front::cexpr::parse_with_types(&text, &lookup, &known).is_ok() {
        return seen.into_inner();
    }
    seen.borrow_mut().clear();
    let _ = crate::front::cexpr::parse_with_types(&text, &lookup, &|n| {
        Scalar::from_c_name(n).is_none().then(|| {
            seen.borrow_mut().push(n.to_string());
            crate::front::cexpr::CType::Int
        })
    });
    seen.into_inner()
}

/// The bare names an `expr` define takes the `sizeof` of (`sizeof(time_t)`,
/// `sizeof(XATTR_OS2_PREFIX)`): a type or a constant, which the schema must know.
pub(super) fn sizeof_names(value: &str) -> Vec<String> {
    sizeof_types(value)
        .into_iter()
        .filter(|t| is_identifier(t))
        .collect()
}

/// What an `expr` define takes the `sizeof` of, as written (`struct can_frame`, `time_t`).
pub(super) fn sizeof_types(value: &str) -> Vec<String> {
    let Some(text) = expr_text(value) else {
        return Vec::new();
    };
    crate::front::cexpr::sizeofs(&text)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}

/// The tags of the structs and unions a define's value takes `sizeof` of.
pub(super) fn sizeof_tags(value: &str) -> Vec<String> {
    sizeof_types(value)
        .into_iter()
        .filter_map(|t| {
            let tag = t
                .strip_prefix("struct ")
                .or_else(|| t.strip_prefix("union "))?
                .trim();
            is_identifier(tag).then(|| tag.to_string())
        })
        .collect()
}

/// A wrapper macro's call in an ioctl's schema table: the macro and its arguments.
pub(super) fn wrapper_of(t: &toml::Table) -> Option<(String, Vec<String>)> {
    let name = t.get("macro")?.as_str()?.to_string();
    let args = t
        .get("args")?
        .as_array()?
        .iter()
        .map(|a| a.as_str().map(str::to_string))
        .collect::<Option<Vec<String>>>()?;
    Some((name, args))
}

/// The constants a define's schema form other than `expr` names.
pub(super) fn define_names_plain(value: &str) -> Vec<String> {
    if let Some(table) = value.strip_prefix("ioctl = ") {
        let Ok(t) = toml::from_str::<toml::Table>(&format!("i = {table}")) else {
            return Vec::new();
        };
        let mut names: Vec<String> = ["type", "nr"]
            .iter()
            .filter_map(|k| t.get("i")?.get(*k)?.as_str().map(str::to_string))
            .flat_map(|text| {
                crate::front::cexpr::parse(&text)
                    .map(|e| e.names.into_iter().map(|(n, _)| n).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .collect();
        // An array argument's length named by constants: `__u8[ABS_CNT]`, `__u16[KEY_MAX -
        // BTN_MISC + 1]`.
        let size = t
            .get("i")
            .and_then(|i| i.get("size")?.as_str().map(str::to_string));
        if let Some(len) = size
            .as_deref()
            .and_then(|s| s.strip_suffix(']')?.rsplit_once('['))
            .map(|(_, n)| n.trim())
        {
            if let Ok(e) = crate::front::cexpr::parse(len) {
                names.extend(e.names.into_iter().map(|(n, _)| n));
            }
        }
        return names;
    }
    if value.starts_with("char = ") {
        return Vec::new();
    }
    value
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}
