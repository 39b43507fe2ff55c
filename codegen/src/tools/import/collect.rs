//! The header's items at file scope, in its order: structs (with their inline unions and
//! structs), enums, typedefs, defines.

use super::*;

/// One file-scope declaration or directive of the header (`main_file`) into `state`.
pub(super) fn collect_top(c: Cursor<'_>, main_file: Option<File<'_>>, state: &mut State) {
    // Where the declaration is in the header: a declaration a macro of another header
    // expands to here is the header's too.
    let place = c.location().expansion();
    if place.file != main_file {
        return;
    }
    let offset = place.offset;
    let kind = c.kind();
    let spelled = c.spelling();
    // Whether a typedef names a scalar, or a struct or union this header defines above.
    let typedef_above = kind == CursorKind::Typedef
        && typedef_target(c).as_deref().is_none_or(|ty| {
            if let Some(tag) = ty.strip_prefix("enum ") {
                return state
                    .items
                    .iter()
                    .any(|(_, i)| matches!(i, Item::Enum { name: Some(name), .. } if name == tag));
            }
            // (a pointer's too: `typedef struct bm *bm_p;` has no form for an incomplete one)
            let ty = ty.trim_start_matches("const ");
            match ty
                .strip_prefix("struct ")
                .or_else(|| ty.strip_prefix("union "))
                .map(|t| t.trim_end_matches('*').trim())
            {
                Some(tag) => state
                    .items
                    .iter()
                    .any(|(_, i)| matches!(i, Item::Struct { name, .. } if name == tag)),
                None => true,
            }
        });
    let mut not_imported = |what: String, why: &str| {
        state.items.push((
            offset,
            Item::NotImported {
                what,
                why: why.to_string(),
            },
        ))
    };
    let definition = c.is_definition();
    match kind {
        CursorKind::Struct | CursorKind::Union | CursorKind::Enum if !definition => {
            let word = match kind {
                CursorKind::Struct => "struct",
                CursorKind::Union => "union",
                _ => "enum",
            };
            not_imported(
                format!("`{word} {spelled};`, a declaration without a body"),
                "the schema declares only what it defines",
            );
            return;
        }
        CursorKind::Function => {
            not_imported(
                format!("function `{spelled}` (`{}`)", c.ty().spelling()),
                "the schema describes the data that crosses the user/kernel line, not code",
            );
            return;
        }
        CursorKind::Var => {
            // Its type, a struct without a tag declared in it (linux/cxl_mem.h's `static
            // const struct { const char *name; } cxl_command_names[]`), is no uAPI type
            // either: it goes with the variable.
            let range = c.extent();
            let (start, end) = (
                range.start().expansion().offset,
                range.end().expansion().offset,
            );
            state.untagged.retain(|(o, _)| !(start <= *o && *o < end));
            // libclang spells an untagged type by its place: `struct (unnamed struct at
            // /path/cxl_mem.h:63:14)[26]`; the note says `struct { ... }[26]`.
            let ty = c.ty().spelling();
            let ty = match (ty.find("(unnamed "), ty.find(')')) {
                (Some(a), Some(b)) if a < b => format!("{}{{ ... }}{}", &ty[..a], &ty[b + 1..]),
                _ => ty,
            };
            not_imported(
                format!("variable `{spelled}` (`{ty}`)"),
                "the schema declares types and constants, not objects",
            );
            return;
        }
        CursorKind::Typedef if untagged_enum(c).is_some() => {
            // `typedef enum { ... } NAME;`: the enum just read, named NAME (`typedef = true`).
            let Some(decl) = untagged_enum(c) else {
                return;
            };
            let at = decl.location().expansion().offset;
            let enum_item = state.items.iter_mut().rev().find_map(|(o, i)| match i {
                Item::Enum { name, decl, .. } if *o == at && name.is_none() => Some((name, decl)),
                _ => None,
            });
            match enum_item {
                Some((name, decl)) => {
                    *name = Some(spelled);
                    *decl = EnumDecl::Typedef;
                }
                None => state.items.push((
                    offset,
                    Item::NotImported {
                        what: format!("typedef `{spelled}` of an enum without a tag"),
                        why: "its enum is not one import read".to_string(),
                    },
                )),
            }
            return;
        }
        CursorKind::Typedef if untagged_record(c).is_some() => {
            // `typedef struct { ... } NAME;`: the struct, named NAME, where it is defined.
            let Some(decl) = untagged_record(c) else {
                return;
            };
            let at = decl.location().expansion().offset;
            let mut item = struct_item(decl, spelled, at, main_file, &state.source);
            if let Item::Struct { typedef, .. } = &mut item {
                *typedef = true;
            }
            state.untagged.retain(|(o, _)| *o != at);
            state.items.push((at, item));
            return;
        }
        CursorKind::Typedef => {
            // The kernel's own types (`__s8`, `__le16`, `__kernel_mode_t`, `__virtio16`):
            // what uapigen's <linux/types.h> stands for, not the schema's. A header's own of
            // that spelling is its (linux/fs.h's `__kernel_rwf_t`, rpmsg_types.h's).
            let kernel_own = Scalar::from_c_name(&spelled).is_some();
            let target = typedef_target(c).filter(|_| !kernel_own && typedef_above);
            match target {
                Some(ty) => state.items.push((
                    offset,
                    Item::Typedef {
                        name: spelled,
                        ty,
                        bitwise: is_bitwise(c),
                        aligned: typedef_aligned(c),
                        extern_header: None,
                    },
                )),
                None => not_imported(
                    format!(
                        "typedef `{spelled}` (`{}`)",
                        c.typedef_underlying().spelling()
                    ),
                    if kernel_own {
                        "a type of the kernel's own (`__...`), which the headers uapigen's \
                         <linux/types.h> stands for define"
                    } else {
                        "the schema's typedefs name a scalar, a `struct NAME` or `union NAME` \
                         this header defines above, an array of a scalar, a pointer a member \
                         may be or a function's type (not another typedef, a qualified type or \
                         one with an attribute)"
                    },
                ),
            }
            return;
        }
        CursorKind::StaticAssert => {
            not_imported(
                "`_Static_assert`".to_string(),
                "the schema has no assertions; `uapigen check` proves the generated \
                 header's layout on every target",
            );
            return;
        }
        CursorKind::Inclusion => {
            // `#include <x>` is the schema's `includes`; a quoted one is not.
            let line = state.source.get(offset as usize..).unwrap_or("");
            let line = line.lines().next().unwrap_or("");
            if line.contains('<') {
                state.include_at.insert(spelled.clone(), offset);
                state.includes.push(spelled);
            } else {
                not_imported(
                    format!("`#include \"{spelled}\"`"),
                    "the schema's includes are `#include <...>` of the kernel's headers",
                );
            }
            return;
        }
        // Uses of macros, not declarations.
        CursorKind::MacroExpansion => return,
        CursorKind::Struct | CursorKind::Union | CursorKind::Enum | CursorKind::MacroDefinition => {
        }
        _ => {
            not_imported(
                format!("{} `{spelled}`", c.kind_spelling()),
                "a declaration `uapigen import` does not read",
            );
            return;
        }
    }
    if matches!(kind, CursorKind::Struct | CursorKind::Union) && definition {
        let item = struct_item(c, spelled.clone(), offset, main_file, &state.source);
        // One without a tag waits for the typedef that names it, if one does.
        if untagged(&spelled) {
            state.untagged.push((offset, item));
        } else {
            state.items.push((offset, item));
        }
    } else if kind == CursorKind::Enum && definition {
        let e = Enumerators::of(c);
        state.problems.extend(e.problems);
        let mut packed = false;
        for attr in attributes_of(c) {
            if attr == "attribute(packed)" {
                packed = true;
                continue;
            }
            state.problems.push(Problem {
                offset,
                len: spelled.len().max(1),
                message: format!(
                    "enum `{spelled}` has {attr}: the schema's enums are plain C enums, \
                     and the header it generates would drop it"
                ),
            });
        }
        let name = (!untagged(&spelled)).then_some(spelled);
        state.items.push((
            offset,
            Item::Enum {
                name,
                doc: doc_of(c),
                values: e.values,
                forms: e.forms,
                self_defined: Vec::new(),
                redefined: Vec::new(),
                decl: EnumDecl::Alone,
                tagged: false,
                extern_header: None,
                packed,
            },
        ));
    } else if kind == CursorKind::MacroDefinition {
        let name = spelled;
        if c.is_function_like_macro() {
            let item = function_like(c, name.clone());
            if let Item::NotImported { why, .. } = &item {
                state.unreadable_macros.insert(name, why.clone());
            }
            state.items.push((offset, item));
            return;
        }
        match define_value(c) {
            // `or` reads its operands as bits; one written as an expression may be negative
            // (`(1<<31)`, INT_MIN), which only an `expr` ORs as C does.
            DefineForm::Value(value) if value.starts_with("or = ") && or_of_expr(c, state) => {
                state.items.push((
                    offset,
                    Item::Define {
                        name,
                        value: format!("expr = {}", toml_str(&c.macro_body())),
                        offset,
                        extern_header: None,
                    },
                ))
            }
            DefineForm::Value(value) => state.items.push((
                offset,
                Item::Define {
                    name,
                    value,
                    offset,
                    extern_header: None,
                },
            )),
            DefineForm::Skip => state.items.push((offset, Item::Skipped { name })),
            DefineForm::NotRead(why) => state.items.push((
                offset,
                Item::NotImported {
                    what: format!("#define {name}"),
                    why,
                },
            )),
            DefineForm::Refuse(why) => state.problems.push(Problem {
                offset,
                len: name.len(),
                message: format!("#define {name} {why}"),
            }),
        }
    }
}

/// The first array dimension's text after a member's name at `at` in `source`, when it is
/// not a number: `char device[200-sizeof(unsigned long)]`'s `200-sizeof(unsigned long)`, its
/// comments dropped and its whitespace one space.
pub(super) fn array_len_text(source: &str, at: usize) -> Option<String> {
    let rest = source.get(at..)?;
    let rest = rest.trim_start().strip_prefix('[')?;
    let mut depth = 0usize;
    let end = rest.char_indices().find_map(|(i, c)| match c {
        '[' | '(' => {
            depth += 1;
            None
        }
        ')' => {
            depth = depth.saturating_sub(1);
            None
        }
        ']' if depth == 0 => Some(i),
        ']' => {
            depth -= 1;
            None
        }
        ';' | '{' | '}' => Some(usize::MAX),
        _ => None,
    })?;
    let text = without_comments(rest.get(..end)?);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty() && int_literal(&text).is_none()).then_some(text)
}

/// Keeps each array length's text (`len_text`) that the schema can write: the names in it
/// (outside `sizeof`) constants `known` above, no call, and no `sizeof` of a struct or union
/// (whose size the schema takes only in a define); the others are written as numbers.
pub(super) fn len_texts(fields: &mut [Field], known: &HashSet<String>) {
    for f in fields {
        if let Some((_, ms)) = &mut f.inline {
            len_texts(ms, known);
        }
        let Some(text) = &f.len_text else {
            continue;
        };
        let sizeofs = crate::front::cexpr::sizeofs(text).unwrap_or_default();
        let plain_sizes = sizeofs
            .iter()
            .all(|(_, ty)| !ty.contains("struct") && !ty.contains("union"));
        let rest = crate::front::cexpr::sizes_as_one(text).unwrap_or_default();
        let ok = plain_sizes
            && !rest.is_empty()
            && called(&rest).is_empty()
            && len_names(text).iter().all(|w| known.contains(w));
        if !ok {
            f.len_text = None;
        }
    }
}

/// The names an array length's text uses outside `sizeof` (the constants it needs).
pub(super) fn len_names(text: &str) -> Vec<String> {
    let rest = crate::front::cexpr::sizes_as_one(text).unwrap_or_default();
    crate::front::cexpr::words(&rest)
        .map(|r| &rest[r])
        .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// Whether define `c` names a define above that import writes as an `expr`.
pub(super) fn or_of_expr(c: Cursor<'_>, state: &State) -> bool {
    c.tokens().iter().skip(1).any(|t| {
        state.items.iter().rev().any(|(_, i)| {
            matches!(i, Item::Define { name, value, .. } if name == t && value.starts_with("expr = "))
        })
    })
}

/// A struct definition (`c`, at `offset` of `file`, whose text is `source`) as an item: its
/// fields, and what the schema cannot write of it.
pub(super) fn struct_item(
    c: Cursor<'_>,
    spelled: String,
    offset: u32,
    main_file: Option<File<'_>>,
    source: &str,
) -> Item {
    let mut problems = Vec::new();
    let name = spelled;
    let shown = if untagged(&name) {
        "a struct without a tag".to_string()
    } else {
        format!("struct `{name}`")
    };
    let at = |len: usize, message: String| Problem {
        offset,
        len,
        message,
    };
    if untagged(&name) {
        problems.push(at(
            6,
            format!(
                "{shown}: the schema names every struct (`struct NAME {{ ... }};`, \
                 not a typedef of an anonymous struct)"
            ),
        ));
    }
    // `packed`, `aligned(n)`, `deprecated` and `__may_alias__`, as the schema writes them; any
    // other is refused.
    let mut packed = false;
    let mut aligned = None;
    let (mut deprecated, mut may_alias) = (false, false);
    c.visit_children(|a| {
        if !a.is_attribute() {
            return;
        }
        match a.kind_spelling().as_str() {
            "attribute(packed)" => packed = true,
            "attribute(aligned)" => match (aligned_value(a), c.ty().align()) {
                (Ok(n), _) => aligned = Some(n),
                // `aligned(sizeof(__u64))` (scsi/scsi_netlink.h): gcc makes the struct
                // max(n, its members') aligned, which is libclang's alignof; written as
                // that number, the layout proof then holds it on every target.
                // A bare `aligned` is the ABI's largest alignment, which differs
                // between ABIs: refused.
                (Err(_), Some(n)) if n.is_power_of_two() && n <= 4096 && a.tokens().len() > 1 => {
                    aligned = Some(n.to_string())
                }
                (Err(why), _) => problems.push(at(6, format!("{shown} has {why}"))),
            },
            // `deprecated` and `__may_alias__`, which libclang leaves unexposed: by their
            // tokens, plain (a message to `deprecated` has no schema spelling).
            attr => match a.tokens().as_slice() {
                [w] if w == "deprecated" || w == "__deprecated__" => deprecated = true,
                [w] if w == "may_alias" || w == "__may_alias__" => may_alias = true,
                _ => problems.push(at(
                    6,
                    format!(
                        "{shown} has {attr}: the schema writes a struct's `packed`, \
                         `aligned(n)`, `deprecated` and `__may_alias__`, no other attribute"
                    ),
                )),
            },
        }
    });
    let mut walk = Walk {
        fields: Vec::new(),
        problems: &mut problems,
        owner: name.clone(),
        at: offset,
        main_file,
        source,
    };
    c.ty().visit_fields(|m| {
        let f = field_of(m, &mut walk);
        walk.fields.push(f);
    });
    let mut fields = walk.fields;
    let range = c.extent();
    let (start, end) = (
        range.start().spelling().offset,
        range.end().spelling().offset,
    );
    // A struct declared by the byte order (ip.h's `#if defined(__LITTLE_ENDIAN_BITFIELD)`
    // orders iphdr's bitfields so): every target is read here with x86's <asm/byteorder.h>,
    // so its other declaration is never measured, and the schema's struct is one declaration.
    // The forms the schema writes (`byte_order`): a run of bitfields each byte's in reverse
    // in the big-endian branch, and runs of other members in reverse there (if_packet.h's
    // `fanout_args`; md_p.h's two pairs, one label each), read from that branch's text. Members
    // in the same place in both branches (ioam6.h's union) are written once. libclang's
    // big-endian layout (s390x, read with a <asm/byteorder.h> of its own) proves what is
    // written. Another header's copy keeps no member's place in its file, so there any such
    // branch is refused.
    let body = source.get(start as usize..end as usize).unwrap_or("");
    let own = c.location().spelling().file == main_file;
    // Per `#if`: the little-endian branch's bytes, and the big-endian branch's text.
    let mut regions: Vec<((u32, u32), &str)> = Vec::new();
    let mut refused: Option<&str> = None;
    // The branch open: (where it starts, little-endian).
    let mut open: Option<(u32, bool)> = None;
    let mut little_at: Option<(u32, u32)> = None;
    let mut big_text: Option<&str> = None;
    let mut at_line = start;
    for line in body.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('#') {
            if let Some((o, little)) = open.take() {
                if little {
                    little_at = Some((o, at_line));
                } else {
                    let (a, b) = ((o - start) as usize, (at_line - start) as usize);
                    big_text = body.get(a..b);
                }
            }
            // `#else` after one byte order's branch is the other's (if_packet.h's
            // `fanout_args`), or, after both, the `#error` of neither.
            let test = byte_order_test(t).or_else(|| {
                let other = match (little_at.is_some(), big_text.is_some()) {
                    (true, false) => false,
                    (false, true) => true,
                    _ => return None,
                };
                (t.strip_prefix('#').map(str::trim_start) == Some("else")).then_some(other)
            });
            match test {
                Some(little) if own => open = Some((at_line + line.len() as u32, little)),
                _ if t.starts_with("#endif")
                    || t.starts_with("#else")
                    || t.starts_with("#error") => {}
                _ if t.contains("ENDIAN") || t.contains("BYTE_ORDER") => {
                    refused.get_or_insert(t);
                }
                _ => {}
            }
            if t.starts_with("#endif") {
                if let (Some(l), Some(b)) = (little_at.take(), big_text.take()) {
                    regions.push((l, b));
                } else if little_at.is_some() || big_text.is_some() {
                    refused.get_or_insert(t);
                }
                little_at = None;
                big_text = None;
            }
        }
        at_line += line.len() as u32;
    }
    if own {
        if let Some(r) = whole_per_byte_order(source, start, end) {
            regions.push(r);
        }
    }
    if refused.is_none() && !regions.is_empty() {
        if let Err(path) = mark_byte_order(&mut fields, &regions) {
            problems.push(at(
                name.len().max(1),
                format!(
                    "{shown} declares `{path}` by the byte order in an order the schema cannot \
                     write: it writes a run of bitfields each byte's in reverse, or runs of \
                     other members each in reverse (`byte_order`)"
                ),
            ));
        }
    }
    if let Some(line) = refused {
        problems.push(at(
            name.len().max(1),
            format!(
                "{shown} is declared by the byte order (`{}`): its other declaration is not \
                 measured, and the schema's struct is one declaration on every ABI",
                one_line(line)
            ),
        ));
    }
    // `} EPOLL_PACKED;`: packed where the macro is (linux/eventpoll.h), not on every target
    // as x86-64's reading has it.
    let packed_by = body
        .rfind('}')
        .map(|b| {
            let after = &source[start as usize + b + 1..];
            after[..after.find(';').unwrap_or(0)].trim()
        })
        .filter(|m| is_identifier(m) && own)
        .and_then(|m| packing_macro(source, m).map(|w| (m.to_string(), w)));
    let packed = packed && packed_by.is_none();
    Item::Struct {
        name,
        union: c.kind() == CursorKind::Union,
        typedef: false,
        extern_header: None,
        doc: doc_of(c),
        packed,
        packed_by,
        aligned,
        pack: None,
        deprecated,
        may_alias,
        fields,
        start,
        end,
        problems,
        when: None,
    }
}

/// The condition (as `when` writes it) under which macro `name` is `__attribute__((packed))`,
/// when the header defines it so in one branch of an architecture's `#if` and empty in the
/// other (linux/eventpoll.h's `EPOLL_PACKED` under `#ifdef __x86_64__`).
pub(super) fn packing_macro(source: &str, name: &str) -> Option<String> {
    let defines: Vec<(u32, String)> = directive_lines(source)
        .into_iter()
        .filter(|d| d.word == "define")
        .filter_map(|d| {
            let rest = d.rest.strip_prefix(name)?;
            (rest.is_empty() || rest.starts_with([' ', '\t']))
                .then(|| (d.start, rest.split_whitespace().collect::<String>()))
        })
        .collect();
    let [(a, body_a), (b, body_b)] = defines.as_slice() else {
        return None;
    };
    let packs =
        |body: &str| body == "__attribute__((packed))" || body == "__attribute__((__packed__))";
    let (packing, _) = match (
        packs(body_a),
        packs(body_b),
        body_a.is_empty(),
        body_b.is_empty(),
    ) {
        (true, _, _, true) => (*a, *b),
        (_, true, true, _) => (*b, *a),
        _ => return None,
    };
    let (lo, hi) = ((*a).min(*b), (*a).max(*b));
    let region = arch_regions(source).into_iter().find(|r| {
        !r.other && r.start < lo && hi < r.end && r.else_at.is_some_and(|e| lo < e && e < hi)
    })?;
    // In the `#if` branch of an `#ifdef`, or the `#else` of an `#ifndef`: where it holds.
    let first = region.else_at.is_some_and(|e| packing < e);
    Some(if first != region.negated {
        region.condition
    } else {
        format!("!({})", region.condition)
    })
}
