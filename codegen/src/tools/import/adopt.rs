//! Copies of another header's items (`extern`): its defines, strings, enums, macros and
//! structs, placed where this header first uses them.

use super::*;

/// Whether `name`, which the header uses and does not define, is an object-like macro of a
/// header it includes whose value the schema can write, as can every constant that value
/// uses: then each is queued (in `externs`, after those it uses) as an `extern` copy and
/// counts as `known`.
/// A struct or union a copied value takes `sizeof` of (linux/can.h's `CAN_MTU`) is copied with
/// it by `tag`, or the value is not copied.
pub(super) fn adopt(
    name: &str,
    others: &HashMap<String, (String, String)>,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
    known: &mut Vec<String>,
    externs: &mut Vec<(String, String, String)>,
    tag: &mut dyn FnMut(&str) -> bool,
    depth: usize,
) -> bool {
    if known.iter().any(|k| k == name) {
        return true;
    }
    let Some((value, header)) = others.get(name) else {
        return false;
    };
    // An ioctl number of another header's struct needs that struct: not copied here; nor is
    // a string, which no integer reads.
    if depth > 16 || define_struct(value).is_some() || value.starts_with("string = ") {
        return false;
    }
    let Ok(names) = define_names(value, macros, &HashSet::new()) else {
        return false;
    };
    if names
        .iter()
        .filter(|n| n.as_str() != name)
        .any(|n| !adopt(n, others, macros, known, externs, tag, depth + 1))
        || names.iter().any(|n| n == name)
        || !sizeof_tags(value).iter().all(|t| tag(t))
    {
        return false;
    }
    known.push(name.to_string());
    externs.push((name.to_string(), value.clone(), header.clone()));
    true
}

/// Whether `name` is a string define above (`strings`), or another header's of literals
/// alone, which is then queued as an `extern` copy (ip_tables.h's `XT_ERROR_TARGET`, of
/// x_tables.h) and counts as above.
pub(super) fn adopt_string(
    name: &str,
    others: &HashMap<String, (String, String)>,
    strings: &mut Vec<String>,
    externs: &mut Vec<(String, String, String)>,
) -> bool {
    if strings.iter().any(|s| s == name) {
        return true;
    }
    let Some((value, header)) = others.get(name) else {
        return false;
    };
    let literal = form_str(value, "string").is_some_and(|t| {
        crate::front::cstring::parse(&t).is_ok_and(|p| {
            p.parts
                .iter()
                .all(|(p, _)| matches!(p, crate::front::cstring::Part::Literal(_)))
        })
    });
    if literal {
        strings.push(name.to_string());
        externs.push((name.to_string(), value.clone(), header.clone()));
    }
    literal
}

/// Whether `name` is a value of a tagged enum of a header this one includes: then that enum is
/// queued (in `enums`, once, at `at`) as an `extern` copy and its values count as `known`.
pub(super) fn adopt_enum(
    name: &str,
    others: &HashMap<String, (Item, String)>,
    known: &mut Vec<String>,
    enums: &mut Vec<(String, u32)>,
    at: u32,
) -> bool {
    let found = others.iter().find_map(|(tag, (e, _))| match e {
        Item::Enum { values, .. } if values.iter().any(|(n, ..)| n == name) => Some((
            tag.clone(),
            values.iter().map(|(n, ..)| n.clone()).collect::<Vec<_>>(),
        )),
        _ => None,
    });
    let Some((tag, values)) = found else {
        return false;
    };
    known.extend(values);
    if !enums.iter().any(|(t, _)| *t == tag) {
        enums.push((tag, at));
    }
    true
}

/// The function-like macros of the headers it includes that `text` (an `expr`'s) calls and
/// the header does not define: each queued (in `externs`, once) as an `extern` copy and
/// known in `macros` from then on.
pub(super) fn adopt_macros(
    text: &str,
    others: &HashMap<String, (Item, String)>,
    macros: &mut HashMap<String, crate::front::cexpr::Macro>,
    externs: &mut Vec<(Item, String)>,
) {
    for w in called(text) {
        if macros.contains_key(w) {
            continue;
        }
        let Some((item @ Item::Macro { params, body, .. }, h)) = others.get(w) else {
            continue;
        };
        if let Ok(m) = crate::front::cexpr::Macro::new(params.clone(), body) {
            macros.insert(w.to_string(), m);
            externs.push((item.clone(), h.clone()));
            // What it calls in turn: each macro is adopted once, so this ends.
            adopt_macros(body, others, macros, externs);
        }
    }
}

/// The wrappers a call of a forwarding ioctl wrapper reaches (armada_drm.h's
/// `ARMADA_IOCTL(IOWR, ...)` pasting drm.h's `DRM_IOWR`, `Macro::forward`), of the headers it
/// includes: adopted as `adopt_macros` adopts what a text calls.
pub(super) fn adopt_forwarded(
    text: &str,
    others: &HashMap<String, (Item, String)>,
    macros: &mut HashMap<String, crate::front::cexpr::Macro>,
    externs: &mut Vec<(Item, String)>,
) {
    let Some((mut name, mut args)) = one_call(text) else {
        return;
    };
    // A wrapper that forwards to itself ends here too.
    for _ in 0..64 {
        let Some(Ok(Some((callee, cargs)))) = macros.get(&name).map(|m| m.forward(&args)) else {
            return;
        };
        adopt_macros(&format!("{callee}()"), others, macros, externs);
        (name, args) = (callee, cargs);
    }
}

/// The names `text` calls: each identifier followed by `(`.
pub(super) fn called(text: &str) -> Vec<&str> {
    crate::front::cexpr::words(text)
        .map(|w| (&text[w.clone()], &text[w.end..]))
        .filter(|(w, after)| {
            // A number's digits and suffix are skipped whole (`0x1f(` is no call), and so
            // are the operators on types (`offsetof(struct x, m)`).
            let operator = matches!(
                *w,
                "sizeof" | "offsetof" | "__builtin_offsetof" | "_Alignof" | "__alignof__"
            );
            !w.as_bytes()[0].is_ascii_digit() && !operator && after.trim_start().starts_with('(')
        })
        .map(|(w, _)| w)
        .collect()
}

/// The C text of an `expr` define's schema form (`expr = "..."`).
pub(super) fn expr_text(value: &str) -> Option<String> {
    form_str(value, "expr")
}

/// The string a define's schema form `KEY = "..."` holds, when it is that form.
pub(super) fn form_str(value: &str, key: &str) -> Option<String> {
    let text = value.strip_prefix(key)?.strip_prefix(" = ")?;
    let t: toml::Table = toml::from_str(&format!("v = {text}")).ok()?;
    Some(t.get("v")?.as_str()?.to_string())
}

/// A define whose body is one call of an ioctl wrapper macro (`DRM_IOWR(nr, struct x)`), or
/// of one that forwards to one, in the schema's form for it: `ioctl = { macro, args }`.
pub(super) fn wrapper_form(
    value: &str,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
) -> Option<String> {
    let (name, args) = one_call(&expr_text(value)?)?;
    let m = macros.get(&name)?;
    if m.params.len() != args.len() {
        return None;
    }
    // A wrapper that forwards to one (armada_drm.h's `ARMADA_IOCTL`).
    if m.io.is_none() {
        let lookup = |n: &str| macros.get(n).cloned();
        crate::front::cexpr::reduce_io_call(&name, &args, &lookup).ok()?;
    }
    let args: Vec<String> = args.iter().map(|a| toml_str(a)).collect();
    Some(format!(
        "ioctl = {{ macro = {}, args = [{}] }}",
        toml_str(&name),
        args.join(", ")
    ))
}

/// Whether struct `name`, which the header uses and does not define, is a struct of a header
/// it includes that the schema can write whole, as can every struct it holds: then each is
/// queued (in `externs`, after those it holds) as an `extern` copy and counts as `defined`.
pub(super) fn adopt_struct(
    name: &str,
    others: &HashMap<String, (Item, String)>,
    defined: &mut Vec<String>,
    externs: &mut Vec<(String, Item, String)>,
    depth: usize,
) -> bool {
    if defined.iter().any(|d| d == name) {
        return true;
    }
    let Some((
        item @ Item::Struct {
            fields, problems, ..
        },
        header,
    )) = others.get(name)
    else {
        return false;
    };
    if depth > 16 || !problems.is_empty() {
        return false;
    }
    for f in all_fields(fields) {
        if let Some(t) = &f.struct_ref {
            if t == name || !adopt_struct(t, others, defined, externs, depth + 1) {
                return false;
            }
        }
    }
    defined.push(name.to_string());
    externs.push((name.to_string(), item.clone(), header.clone()));
    true
}

/// Another header's constants (name, value, header), each after those it uses, as `extern`
/// defines above every item; the schema includes their headers.
pub(super) fn insert_extern_defines(state: &mut State, externs: Vec<(String, String, String)>) {
    for (name, value, h) in externs.into_iter().rev() {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        let item = Item::Define {
            name,
            value,
            offset: 0,
            extern_header: Some(h),
        };
        state.items.insert(0, (0, item));
    }
}

/// A copied struct's members are at offsets of its own header, not this one's.
pub(super) fn set_offsets(fields: &mut [Field], offset: u32) {
    for f in fields {
        f.offset = offset;
        if let Some((_, ms)) = &mut f.inline {
            set_offsets(ms, offset);
        }
    }
}

/// Where the header uses struct `name`: the first member of its own structs of that type, or
/// of a copy that one of them holds (at most `depth` copies deep); 0 when none.
pub(super) fn user_offset(
    name: &str,
    items: &[(u32, Item)],
    copies: &[(String, Item, String)],
    depth: usize,
) -> u32 {
    fn holder(fields: &[Field], name: &str) -> Option<u32> {
        fields.iter().find_map(|f| match &f.inline {
            Some((_, ms)) => holder(ms, name),
            None => (f.struct_ref.as_deref() == Some(name)).then_some(f.offset),
        })
    }
    let own = items.iter().find_map(|(_, it)| match it {
        Item::Struct {
            fields,
            extern_header: None,
            ..
        } => holder(fields, name),
        _ => None,
    });
    if let Some(o) = own {
        return o;
    }
    // An ioctl number whose argument it is (`_IOWR(KVMIO, 0x02, struct kvm_msr_list)`).
    let spelled = format!("struct {name}");
    let define = items.iter().find_map(|(o, it)| match it {
        Item::Define {
            value,
            extern_header: None,
            ..
        } if value.contains(&spelled) => Some(*o),
        _ => None,
    });
    if let Some(o) = define {
        return o;
    }
    if depth == 0 {
        return 0;
    }
    copies
        .iter()
        .find_map(|(copy, it, _)| match it {
            Item::Struct { fields, .. } if holder(fields, name).is_some() => {
                Some(user_offset(copy, items, copies, depth - 1))
            }
            _ => None,
        })
        .unwrap_or(0)
}
