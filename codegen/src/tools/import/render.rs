//! The skeleton's TOML text, and which of its lines each item of the header became.

use super::*;

/// `s` as a TOML literal string (`'"ethtool"'`, C's escapes read as written) when it can be
/// one, else as a basic string.
pub(super) fn toml_text(s: &str) -> String {
    if s.contains('\'') || s.chars().any(char::is_control) {
        toml_str(s)
    } else {
        format!("'{s}'")
    }
}

/// A TOML basic string: `"` and `\` escaped, control characters as `\uXXXX`.
pub(super) fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text as TOML: a multi-line string when it has lines, every `"`, `\` and control character
/// escaped so no text of the header can end the string.
pub(super) fn quote(s: &str) -> String {
    if !s.contains('\n') {
        return toml_str(s);
    }
    let mut body = String::new();
    for ch in s.chars() {
        match ch {
            '"' => body.push_str("\\\""),
            '\\' => body.push_str("\\\\"),
            '\n' | '\t' => body.push(ch),
            c if c.is_control() => body.push_str(&format!("\\u{:04X}", c as u32)),
            c => body.push(c),
        }
    }
    format!("\"\"\"\n{body}\"\"\"")
}

/// One field as TOML; `spans` learns which line is where in the header.
pub(super) fn field_toml(f: &Field, indent: &str, out: &mut String, spans: &mut Vec<Span>) {
    let first = out.matches('\n').count() + 1;
    spans.push(Span {
        lines: first..first + 1,
        offset: f.offset,
    });
    let mut parts = Vec::new();
    if let Some(n) = &f.name {
        parts.push(format!("name = \"{n}\""));
        // `self`, `_`: no Rust identifier, not even a raw one; the Rust field gets `self_`.
        if crate::names::rust_ident(n) == crate::names::RustIdent::Invalid
            && crate::names::is_c_identifier(n)
        {
            parts.push(format!("rust_name = \"{n}_\""));
        }
    }
    if let Some(t) = &f.ty {
        parts.push(format!("type = \"{t}\""));
    }
    match (&f.len_text, f.len) {
        (Some(t), Some(_)) => parts.push(format!("len = {}", toml_str(t))),
        (None, Some(n)) => parts.push(format!("len = {n}")),
        _ => {}
    }
    if f.flexible && f.declared {
        parts.push("flexible = \"__DECLARE_FLEX_ARRAY\"".to_string());
    } else if f.flexible {
        parts.push("flexible = true".to_string());
    }
    if !f.dims.is_empty() {
        let d: Vec<String> = f.dims.iter().map(u64::to_string).collect();
        parts.push(format!("dims = [{}]", d.join(", ")));
    }
    if let Some(n) = f.bits {
        parts.push(format!("bits = {n}"));
    }
    match (&f.byte_order_label, f.byte_order) {
        _ if f.byte_order_word => parts.push("byte_order = \"word\"".to_string()),
        _ if f.byte_order_merged => parts.push("byte_order = \"merged\"".to_string()),
        (Some(l), true) => parts.push(format!("byte_order = {}", toml_str(l))),
        (None, true) => parts.push("byte_order = true".to_string()),
        _ => {}
    }
    if let Some(n) = &f.aligned {
        parts.push(format!("aligned = {n}"));
    }
    if let Some(g) = &f.flags {
        parts.push(format!("flags = \"{g}\""));
    }
    if let Some(d) = &f.doc {
        parts.push(format!("doc = {}", quote(d)));
    }
    if let Some(c) = &f.libc_compat {
        parts.push(format!("libc_compat = {}", toml_str(c)));
    }
    if let Some((c, negated)) = &f.when {
        let key = if *negated { "unless" } else { "when" };
        parts.push(format!("{key} = {}", toml_str(c)));
    }
    if f.incomplete {
        parts.push("incomplete = true".to_string());
    }
    if f.embeds_flexible {
        parts.push("embeds_flexible = true".to_string());
    }
    if let Some((m, args)) = &f.declared_by {
        let args: Vec<String> = args.iter().map(|a| toml_str(a)).collect();
        parts.push(format!(
            "declared_by = {{ macro = {}, args = [{}] }}",
            toml_str(m),
            args.join(", ")
        ));
    }
    if f.packed {
        parts.push("packed = true".to_string());
    }
    if f.konst {
        parts.push("const = true".to_string());
    }
    if f.volatile {
        parts.push("volatile = true".to_string());
    }
    match &f.inline {
        None => {
            let _ = writeln!(out, "{indent}{{ {} }},", parts.join(", "));
        }
        Some((kind, members)) => {
            if let Some(t) = &f.tag {
                parts.push(format!("tag = {}", toml_str(t)));
            }
            parts.push(format!("{} = [", kind.c_keyword()));
            let _ = writeln!(out, "{indent}{{ {}", parts.join(", "));
            for m in members {
                field_toml(m, &format!("{indent}    "), out, spans);
            }
            let _ = writeln!(out, "{indent}  ] }},");
        }
    }
}

/// Which lines of the skeleton an item of the header became.
pub(super) struct Span {
    pub(super) lines: std::ops::Range<usize>,
    pub(super) offset: u32,
}

/// The defines of `source` each alone under an `#ifndef` of their own name: `#ifndef X`,
/// `#define X ...` (or `#define X(a) ...`, rdma/ib_user_ioctl_verbs.h's `RDMA_UAPI_PTR`),
/// `#endif`; or `#ifndef X` around conditions that only define X (asm-generic/bitsperlong.h's
/// `__BITS_PER_LONG`, defined one way under `#if` and another under `#else`).
pub(super) fn guarded_defines(source: &str) -> HashSet<String> {
    let lines = directive_lines(source);
    let defined = |d: &Directive| {
        let rest = &d.rest;
        let name = &rest[..rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())];
        (name.to_string(), !rest[name.len()..].trim().is_empty())
    };
    let mut out = HashSet::new();
    for (i, d) in lines.iter().enumerate() {
        if d.word != "ifndef" {
            continue;
        }
        let x = d.rest.trim();
        let (mut depth, mut defines, mut only) = (0usize, 0usize, true);
        for e in &lines[i + 1..] {
            match e.word.as_str() {
                "if" | "ifdef" | "ifndef" => depth += 1,
                "elif" | "else" => {}
                "endif" if depth == 0 => break,
                "endif" => depth -= 1,
                "define" => match defined(e) {
                    (n, true) if n == x => defines += 1,
                    _ => only = false,
                },
                _ => only = false,
            }
        }
        if only && defines > 0 {
            out.insert(x.to_string());
        }
    }
    out
}

/// The skeleton, and which of its lines each item of the header became.
#[allow(clippy::too_many_arguments)]
pub(super) fn render(
    family: &str,
    header: &Path,
    source: &str,
    mut items: Vec<(u32, Item)>,
    includes: &[String],
    include_at: &HashMap<String, u32>,
    regions: &[CompatRegion],
    assumes: &[&str],
) -> (String, Vec<Span>) {
    items.sort_by_key(|(o, _)| *o);
    let guarded = guarded_defines(source);
    // A struct's `packed_by` macro is the struct's to write, not a define left out.
    let packing: Vec<String> = items
        .iter()
        .filter_map(|(_, it)| match it {
            Item::Struct {
                packed_by: Some((m, _)),
                ..
            } => Some(format!("#define {m}")),
            _ => None,
        })
        .collect();
    items.retain(|(_, it)| !matches!(it, Item::NotImported { what, .. } if packing.contains(what)));
    let arch = arch_regions(source);
    // The include guard: the first `#ifndef NAME` that the next line `#define`s.
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let guard_found = lines.windows(2).find_map(|w| {
        let g = w[0]
            .strip_prefix("#ifndef")
            .and_then(|g| g.split_whitespace().next())
            .filter(|g| is_identifier(g))?;
        let mut d = w[1].strip_prefix("#define")?.split_whitespace();
        (d.next() == Some(g) && d.next().is_none()).then(|| g.to_string())
    });
    let guard = guard_found
        .clone()
        .unwrap_or_else(|| format!("_UAPI_{}_H", family.to_uppercase()));
    let license_found = source.lines().find_map(|l| {
        l.split("SPDX-License-Identifier:")
            .nth(1)
            .map(|r| r.trim().trim_end_matches("*/").trim().to_string())
    });
    let license = license_found
        .clone()
        .unwrap_or_else(|| "GPL-2.0 WITH Linux-syscall-note".to_string());
    let file = header
        .file_name()
        .map_or("header.h".to_string(), |f| f.to_string_lossy().into_owned());
    let mut out = String::new();
    let _ = writeln!(out, "# Imported from {file} by `uapigen import`: a skeleton. Add each struct's size convention,");
    let _ = writeln!(out, "# flag and enum links, rules and revisions by hand.\n");
    // The folder of the kernel's include/uapi the header is in, when it is in one.
    let folder = header
        .parent()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().into_owned())
        .filter(|f| UAPI_FOLDERS.contains(&f.as_str()));
    let _ = writeln!(out, "[family]\nname = {}", toml_str(family));
    if folder.is_none() {
        let _ = writeln!(
            out,
            "# {file} is not in a folder of the kernel's include/uapi ({}): `header` is \
             uapigen's choice",
            UAPI_FOLDERS.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "header = {}",
        toml_str(&format!("{}/{file}", folder.as_deref().unwrap_or("linux")))
    );
    if guard_found.is_none() {
        let _ = writeln!(
            out,
            "# {file} has no include guard (`#ifndef NAME` then `#define NAME`): this one is \
             uapigen's choice"
        );
    }
    let _ = writeln!(out, "guard = {}", toml_str(&guard));
    if license_found.is_none() {
        let _ = writeln!(
            out,
            "# {file} has no SPDX-License-Identifier line: this license is uapigen's default; \
             write the header's own"
        );
    }
    let _ = writeln!(out, "license = {}", toml_str(&license));
    // A name the header gives that C++ reserves: C only, as the header is.
    let cpp = |n: &str| crate::names::CPP_KEYWORDS.contains(&n);
    let cpp_name = items.iter().find_map(|(_, i)| match i {
        Item::Struct { name, fields, .. } => std::iter::once(name.as_str())
            .chain(all_fields(fields).filter_map(|f| f.name.as_deref()))
            .find(|n| cpp(n)),
        Item::Enum { values, .. } => values.iter().map(|(n, ..)| n.as_str()).find(|n| cpp(n)),
        Item::Define { name, .. } | Item::Typedef { name, .. } | Item::Macro { name, .. } => {
            Some(name.as_str()).filter(|n| cpp(n))
        }
        _ => None,
    });
    if let Some(n) = cpp_name {
        let _ = writeln!(
            out,
            "# the header names `{n}`, a C++ keyword: it is C only, as the kernel's is\nc_only = true"
        );
    }
    // One the header writes below its constants: below the last define above it, which it
    // may need (linux/if.h's <linux/hdlc/ioctl.h> uses `IFNAMSIZ`).
    let first_item = items
        .iter()
        .filter(|(_, i)| {
            matches!(
                i,
                Item::Define {
                    extern_header: None,
                    ..
                } | Item::Struct {
                    extern_header: None,
                    ..
                } | Item::Enum { .. }
            )
        })
        .map(|(o, _)| *o)
        .min();
    let after = |h: &str| -> Option<&str> {
        let at = *include_at.get(h)?;
        if first_item.is_none_or(|f| at < f) {
            return None;
        }
        items
            .iter()
            .filter_map(|(o, i)| match i {
                Item::Define {
                    name,
                    extern_header: None,
                    ..
                } if *o < at => Some((*o, name.as_str())),
                _ => None,
            })
            .max_by_key(|(o, _)| *o)
            .map(|(_, n)| n)
    };
    if !assumes.is_empty() {
        let list: Vec<String> = assumes.iter().map(|a| toml_str(a)).collect();
        let _ = writeln!(
            out,
            "# {} uses what these define without including them: a program includes them first",
            header
                .file_name()
                .map_or(String::new(), |f| f.to_string_lossy().into_owned())
        );
        let _ = writeln!(out, "assumes = [{}]", list.join(", "));
    }
    let _ = writeln!(
        out,
        "includes = [{}]\n",
        includes
            .iter()
            .map(|i| match after(i) {
                Some(a) => format!("{{ header = {}, after = {} }}", toml_str(i), toml_str(a)),
                None => toml_str(i),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(out, "[[revision]]\nid = \"r1\"\nlabel = \"as imported\"");
    // Structs by their byte range, so a define inside one can be placed above its next field.
    let ranges: Vec<(String, u32, u32, Vec<Field>)> = items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Struct {
                name,
                start,
                end,
                fields,
                extern_header: None,
                ..
            } => Some((name.clone(), *start, *end, fields.clone())),
            _ => None,
        })
        .collect();
    let guard_name = guard.clone();
    // Whether struct `s`'s field `f` can take a flag set: an unsigned integer, not an array.
    fn holds_flags_of(ranges: &[(String, u32, u32, Vec<Field>)], s: &str, f: &str) -> bool {
        ranges.iter().any(|(name, _, _, fields)| {
            name == s
                && fields.iter().any(|x| {
                    x.name.as_deref() == Some(f)
                        && x.len.is_none()
                        && !x.flexible
                        && x.ty
                            .as_deref()
                            .and_then(Scalar::from_c_name)
                            .is_some_and(|t| !t.is_signed())
                })
        })
    }
    fn is_flags(f: &str) -> bool {
        f == "flags" || f.ends_with("_flags")
    }
    // The named field of struct `s` right above `offset`.
    fn field_above(
        ranges: &[(String, u32, u32, Vec<Field>)],
        s: &str,
        offset: u32,
    ) -> Option<String> {
        let (_, _, _, fields) = ranges.iter().find(|(name, ..)| name == s)?;
        fields
            .iter()
            .filter(|f| f.name.is_some() && f.offset < offset)
            .max_by_key(|f| f.offset)?
            .name
            .clone()
    }
    // Where a define sits inside a struct: the field right below it.
    let place = |offset: u32| -> Option<(String, String)> {
        let (s, _, _, fields) = ranges
            .iter()
            .find(|(_, start, end, _)| offset > *start && offset < *end)?;
        let next = fields
            .iter()
            .filter(|f| f.name.is_some() && f.offset > offset)
            .min_by_key(|f| f.offset)?;
        Some((s.clone(), next.name.clone().unwrap_or_default()))
    };
    // Bit defines above the same field are one flag set, linked to that field.
    // (struct, field) → its bits: (name, schema text, where in the header).
    type FlagSets = BTreeMap<(String, String), Vec<(String, String, u32)>>;
    let mut flag_sets: FlagSets = BTreeMap::new();
    for (_, item) in &items {
        if let Item::Define {
            name,
            value,
            offset,
            extern_header: None,
        } = item
        {
            // Only a field that can take a flag set (an unsigned integer, not an array) gets
            // one; bits above anything else stay plain defines inside the struct.
            // The field below takes the set, or a flags field right above it does.
            let holds_flags = |(s, f): &(String, String)| {
                holds_flags_of(&ranges, s, f)
                    || field_above(&ranges, s, *offset)
                        .is_some_and(|a| is_flags(&a) && holds_flags_of(&ranges, s, &a))
            };
            if let (true, Some(at)) = (
                value.starts_with("bit = "),
                place(*offset).filter(holds_flags),
            ) {
                flag_sets
                    .entry(at)
                    .or_default()
                    .push((name.clone(), value.clone(), *offset));
            }
        }
    }
    // Bits that repeat a value are not one set: defines in different inline structs above one
    // field (kvm_run's `notify.flags` and `msr.reason` bits, both 1 << 0) stay defines.
    flag_sets.retain(|_, bits| {
        let mut values: Vec<&str> = bits.iter().map(|b| b.1.as_str()).collect();
        values.sort_unstable();
        values.windows(2).all(|w| w[0] != w[1])
    });
    // Whose flags a set is: the field below it, unless that is not a flags field and the
    // one above is (vfio.h writes `__u32 flags;` and then its bits; iommu.h writes the bits
    // above their `flags`).
    let mut owners: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    let mut owned: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((s, below), bits) in &flag_sets {
        let at = bits.first().map_or(0, |b| b.2);
        let above = field_above(&ranges, s, at).filter(|a| {
            !(is_flags(below) && holds_flags_of(&ranges, s, below))
                && is_flags(a)
                && holds_flags_of(&ranges, s, a)
        });
        let owner = above.unwrap_or_else(|| below.clone());
        *owned.entry((s.clone(), owner.clone())).or_default() += 1;
        owners.insert((s.clone(), below.clone()), (owner, String::new()));
    }
    for ((s, below), (owner, name)) in owners.iter_mut() {
        // Named after the field it belongs to, or after its place when two sets share one.
        let f = if owned[&(s.clone(), owner.clone())] == 1 {
            owner.as_str()
        } else {
            below.as_str()
        };
        *name = match f {
            "flags" => format!("{s}_flags"),
            f if f.ends_with("_flags") => format!("{s}_{f}"),
            f => format!("{s}_{f}_flags"),
        };
    }
    let set_name = |key: &(String, String)| owners[key].1.clone();
    for (_, item) in &mut items {
        if let Item::Struct { name, fields, .. } = item {
            for f in fields.iter_mut() {
                let field = f.name.clone().unwrap_or_default();
                if let Some((_, (_, set))) = owners
                    .iter()
                    .find(|((s, _), (owner, _))| s == name && *owner == field)
                    .filter(|_| f.bits.is_none())
                {
                    f.flags = Some(set.clone());
                }
            }
        }
    }
    let mut emitted_sets: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeMap::new();
    let mut spans = Vec::new();
    // Lines of a field, an enum value or a flag: their own place, found before the item's.
    let mut fine = Vec::new();
    let line = |out: &String| out.matches('\n').count() + 1;
    let file_line_col = |offset: u32| {
        let (l, c) = Source::new("", source).line_col(offset as usize);
        format!("{file}:{l}:{c}")
    };
    // Each enum declared as a member's type, above its struct.
    let items: Vec<(u32, Item)> = items
        .into_iter()
        .flat_map(|(o, it)| {
            let mut out = Vec::new();
            if let Item::Struct { fields, .. } = &it {
                for e in all_fields(fields).filter_map(|f| f.member_enum.clone()) {
                    let item = Item::Enum {
                        name: Some(e.name),
                        doc: None,
                        values: e.values,
                        forms: Vec::new(),
                        self_defined: Vec::new(),
                        redefined: Vec::new(),
                        decl: EnumDecl::Member,
                        tagged: e.tagged,
                        extern_header: None,
                        packed: false,
                    };
                    out.push((o, item));
                }
            }
            out.push((o, it));
            out
        })
        .collect();
    // A define between a struct's braces that an array length of the struct names
    // (asm-generic/siginfo.h's `__ADDR_BND_PKEY_PAD`, among `_sigfault`'s members) goes right
    // before the struct, at file scope: the schema takes a length over constants above it.
    let lens_of = |fields: &[Field]| -> HashSet<String> {
        all_fields(fields)
            .filter_map(|f| f.len_text.as_deref())
            .flat_map(len_names)
            .collect()
    };
    let hoist: Vec<(u32, u32, HashSet<String>)> = items
        .iter()
        .filter_map(|(_, it)| match it {
            Item::Struct {
                start,
                end,
                fields,
                extern_header: None,
                ..
            } => Some((*start, *end, lens_of(fields))),
            _ => None,
        })
        .collect();
    let mut hoisted: HashSet<String> = HashSet::new();
    let mut moved: Vec<(u32, (u32, Item))> = Vec::new();
    let mut items: Vec<(u32, Item)> = items
        .into_iter()
        .filter_map(|(o, it)| {
            let into = match &it {
                Item::Define { name, offset, .. } => hoist
                    .iter()
                    .find(|(s, e, used)| s < offset && offset < e && used.contains(name))
                    .map(|(s, ..)| *s),
                _ => None,
            };
            match (into, &it) {
                (Some(s), Item::Define { name, .. }) => {
                    hoisted.insert(name.clone());
                    moved.push((s, (o, it)));
                    None
                }
                _ => Some((o, it)),
            }
        })
        .collect();
    // Last first, so that each goes before the ones after it in the file.
    for (s, d) in moved.into_iter().rev() {
        let at = items
            .iter()
            .position(|(o, _)| *o >= s)
            .unwrap_or(items.len());
        items.insert(at, d);
    }
    // The constants written so far, which an array's length may name (`len_texts`).
    let mut known: HashSet<String> = HashSet::new();
    for (offset, item) in items {
        let first = line(&out);
        match &item {
            Item::Define { name, .. } => {
                known.insert(name.clone());
            }
            Item::Enum { values, .. } => known.extend(values.iter().map(|v| v.0.clone())),
            _ => {}
        }
        match item {
            Item::Struct {
                name,
                union,
                typedef,
                extern_header,
                doc,
                packed,
                packed_by,
                aligned,
                pack,
                deprecated,
                may_alias,
                mut fields,
                start,
                when,
                ..
            } => {
                let table = if union { "union" } else { "struct" };
                let _ = writeln!(out, "\n[[{table}]]\nname = \"{name}\"");
                if let Some((c, negated)) = &when {
                    let key = if *negated { "unless" } else { "when" };
                    let _ = writeln!(out, "{key} = {}", toml_str(c));
                }
                // An extern copy's offsets are its user's: its conditions are its own header's.
                if extern_header.is_none() {
                    if let Some(c) = compat_at(regions, offset, None) {
                        let _ = writeln!(out, "libc_compat = {}", toml_str(&c));
                    }
                    set_compat(&mut fields, regions, start);
                }
                len_texts(&mut fields, &known);
                if typedef {
                    let _ = writeln!(out, "typedef = true");
                }
                // A named bitfield directly in a union (linux/hdreg.h's `unsigned all : 16;`):
                // C's, which no Rust type has a member for.
                fn union_bitfield(fields: &[Field], union: bool) -> bool {
                    fields.iter().any(|f| {
                        (union && f.bits.is_some() && f.name.is_some())
                            || f.inline.as_ref().is_some_and(|(kind, ms)| {
                                union_bitfield(ms, *kind == Aggregate::Union)
                            })
                    })
                }
                if extern_header.is_none() && union_bitfield(&fields, union) {
                    let _ = writeln!(
                        out,
                        "# a named bitfield directly in a union, which no Rust type has a \
                         member for: its Rust types are its bytes\nrust_opaque = true"
                    );
                }
                if let Some(h) = &extern_header {
                    let _ = writeln!(out, "extern = {}", toml_str(h));
                }
                if packed {
                    let _ = writeln!(out, "packed = true");
                }
                if let Some((m, w)) = packed_by {
                    let _ = writeln!(
                        out,
                        "packed_by = {{ macro = {}, when = {} }}",
                        toml_str(&m),
                        toml_str(&w)
                    );
                }
                if let Some(n) = aligned {
                    let _ = writeln!(out, "aligned = {n}");
                }
                if let Some(n) = pack {
                    let _ = writeln!(out, "pack = {n}");
                }
                if deprecated {
                    let _ = writeln!(out, "deprecated = true");
                }
                if may_alias {
                    let _ = writeln!(out, "may_alias = true");
                }
                let kd = doc.as_deref().map(|d| kernel_doc(d, &name));
                if let Some(kd) = &kd {
                    if let Some(sm) = &kd.summary {
                        let _ = writeln!(out, "summary = {}", quote(sm));
                    }
                    if let Some(d) = &kd.body {
                        let _ = writeln!(out, "doc = {}", quote(d));
                    }
                    give_docs(&mut fields, "", &kd.params);
                }
                let _ = writeln!(out, "fields = [");
                for f in &fields {
                    field_toml(f, "  ", &mut out, &mut fine);
                }
                let _ = writeln!(out, "]");
            }
            Item::Macro {
                name,
                params,
                body,
                doc,
                extern_header,
                ifndef,
            } => {
                let _ = writeln!(out, "\n[[macro]]\nname = {}", toml_str(&name));
                if let Some(h) = &extern_header {
                    let _ = writeln!(out, "extern = {}", toml_str(h));
                }
                // Another header's was read with it; this header's stands in `guarded`.
                if ifndef || (extern_header.is_none() && guarded.contains(&name)) {
                    let _ = writeln!(out, "ifndef = true");
                }
                let params: Vec<String> = params.iter().map(|p| toml_str(p)).collect();
                let _ = writeln!(out, "params = [{}]", params.join(", "));
                let _ = writeln!(out, "body = {}", toml_str(&body));
                if let Some(d) = doc {
                    let _ = writeln!(out, "doc = {}", quote(&d));
                }
            }
            Item::Typedef {
                name,
                ty,
                bitwise,
                aligned,
                extern_header,
            } => {
                // `__u8[10]`: an array's element and length.
                let (ty, len) = match ty.strip_suffix(']').and_then(|t| t.split_once('[')) {
                    Some((e, n)) => (e.to_string(), n.parse::<u64>().ok()),
                    None => (ty, None),
                };
                let _ = writeln!(
                    out,
                    "\n[[typedef]]\nname = {}\ntype = {}",
                    toml_str(&name),
                    toml_str(&ty)
                );
                if let Some(n) = len {
                    let _ = writeln!(out, "len = {n}");
                }
                if bitwise {
                    let _ = writeln!(out, "bitwise = true");
                }
                if let Some(a) = aligned {
                    let _ = writeln!(out, "aligned = {a}");
                }
                if let Some(h) = extern_header {
                    let _ = writeln!(out, "extern = {}", toml_str(&h));
                }
            }
            Item::Skipped { name } => {
                if name != guard_name {
                    let _ = writeln!(
                        out,
                        "\n# not imported: #define {name} at {}: not a form `uapigen import` \
                         reads (an integer constant expression, char, _IO/_IOR/_IOW/_IOWR, a name); add it by hand",
                        file_line_col(offset)
                    );
                }
            }
            Item::NotImported { what, why } => {
                let _ = writeln!(
                    out,
                    "\n# not imported: {what} at {}: {why}",
                    file_line_col(offset)
                );
            }
            Item::Enum {
                name,
                doc,
                values,
                forms,
                self_defined,
                redefined,
                decl,
                tagged,
                extern_header,
                packed,
            } => {
                let tag = name
                    .clone()
                    .unwrap_or_else(|| format!("anonymous_enum_{}", seen.len()));
                seen.insert(tag.clone(), ());
                let _ = writeln!(out, "\n[[enum]]\nname = \"{tag}\"");
                if let Some(h) = &extern_header {
                    let _ = writeln!(out, "extern = {}", toml_str(h));
                }
                if packed {
                    let _ = writeln!(out, "packed = true");
                }
                match decl {
                    EnumDecl::Typedef => {
                        let _ = writeln!(out, "typedef = true");
                    }
                    EnumDecl::Member => {
                        let _ = writeln!(out, "member = true");
                        if tagged {
                            let _ = writeln!(out, "tagged = true");
                        }
                    }
                    EnumDecl::Alone if name.is_none() => {
                        let _ = writeln!(out, "anonymous = true");
                    }
                    EnumDecl::Alone => {}
                }
                // One declared as a member's type has its struct's condition.
                let compat = |at: u32, within: Option<u32>| {
                    (decl != EnumDecl::Member)
                        .then(|| compat_at(regions, at, within))
                        .flatten()
                };
                if let Some(c) = compat(offset, None) {
                    let _ = writeln!(out, "libc_compat = {}", toml_str(&c));
                }
                if let Some(d) = doc {
                    let _ = writeln!(out, "doc = {}", quote(&d));
                }
                // Past int: a value past 2^63 - 1, or an ioctl number with a direction, which
                // sets bit 31 on one encoding or the other (`_IOR` on x86-64, `_IOW` on
                // powerpc).
                let past = forms
                    .iter()
                    .any(|(_, f)| !f.starts_with("ioctl") || f.contains("dir ="));
                if past || values.iter().any(|(_, v, _)| i32::try_from(*v).is_err()) {
                    let _ = writeln!(out, "past_int = true");
                }
                let _ = writeln!(out, "values = [");
                for (i, (n, v, at)) in values.iter().enumerate() {
                    fine.push(Span {
                        lines: line(&out)..line(&out) + 1,
                        offset: *at,
                    });
                    // A second name for a value is an alias, as the schema writes it.
                    let mut also = if self_defined.contains(n) {
                        ", self_define = true".to_string()
                    } else {
                        String::new()
                    };
                    if let Some((_, text)) = redefined.iter().find(|(r, _)| r == n) {
                        also.push_str(&format!(", redefine = {}", toml_str(text)));
                    }
                    if let Some(c) = compat(*at, Some(offset)) {
                        also.push_str(&format!(", libc_compat = {}", toml_str(&c)));
                    }
                    let form = forms.iter().find(|(e, _)| e == n).map(|(_, t)| t);
                    match values[..i].iter().find(|(_, w, _)| w == v) {
                        _ if form.is_some_and(|t| t.is_empty()) => {
                            let _ = writeln!(out, "  {{ name = \"{n}\"{also} }},");
                        }
                        _ if form.is_some() => {
                            let t = form.map_or("", |t| t.as_str());
                            let _ = writeln!(out, "  {{ name = \"{n}\", {t}{also} }},");
                        }
                        Some((first, _, _)) => {
                            let _ =
                                writeln!(out, "  {{ name = \"{n}\", alias = \"{first}\"{also} }},");
                        }
                        None => {
                            let _ = writeln!(out, "  {{ name = \"{n}\", value = {v}{also} }},");
                        }
                    }
                }
                let _ = writeln!(out, "]");
            }
            Item::Define {
                name,
                value,
                extern_header: Some(h),
                ..
            } => {
                let _ = writeln!(
                    out,
                    "\n[[define]]\nname = \"{name}\"\nextern = {}\n{value}",
                    toml_str(&h)
                );
            }
            Item::Define {
                name,
                value,
                offset,
                ..
            } => {
                if name == guard_name {
                    continue;
                }
                let at = place(offset).filter(|_| !hoisted.contains(&name));
                if let Some(key) = at
                    .as_ref()
                    .filter(|k| value.starts_with("bit = ") && flag_sets.contains_key(*k))
                {
                    if !emitted_sets.contains(key) {
                        emitted_sets.push(key.clone());
                        let _ = writeln!(
                            out,
                            "\n[[flags]]\nname = \"{}\"\ninside = \"{}.{}\"\nvalues = [",
                            set_name(key),
                            key.0,
                            key.1
                        );
                        for (n, v, at) in &flag_sets[key] {
                            fine.push(Span {
                                lines: line(&out)..line(&out) + 1,
                                offset: *at,
                            });
                            let _ = writeln!(out, "  {{ name = \"{n}\", {v} }},");
                        }
                        let _ = writeln!(out, "]");
                    }
                    continue;
                }
                let _ = writeln!(out, "\n[[define]]\nname = \"{name}\"");
                // Inside a struct, the conditions within it (the struct carries its own).
                let within = at.as_ref().and_then(|(s, _)| {
                    ranges
                        .iter()
                        .find(|r| r.0 == *s)
                        .map(|(_, start, ..)| *start)
                });
                if let Some((s, f)) = &at {
                    let _ = writeln!(out, "inside = \"{s}.{f}\"");
                }
                if let Some(c) = compat_at(regions, offset, within) {
                    let _ = writeln!(out, "libc_compat = {}", toml_str(&c));
                }
                // At file scope, under an architecture's `#if`.
                let when = when_at(&arch, offset, 0);
                if let (None, Some((c, negated))) = (&at, &when) {
                    let key = if *negated { "unless" } else { "when" };
                    let _ = writeln!(out, "{key} = {}", toml_str(c));
                }
                // `#ifndef NAME` right around it alone (asm-generic/fcntl.h's `O_DIRECT`).
                if at.is_none()
                    && when.is_none()
                    && !value.starts_with("string = ")
                    && !value.starts_with("tag = ")
                    && guarded.contains(&name)
                    && compat_at(regions, offset, None).is_none()
                {
                    let _ = writeln!(out, "ifndef = true");
                }
                let _ = writeln!(out, "{value}");
            }
        }
        spans.push(Span {
            lines: first..line(&out) + 1,
            offset,
        });
    }
    fine.extend(spans);
    (out, fine)
}
