//! `#pragma pack` directives and the packing in force at a struct.

use super::*;

/// A `#pragma pack` of the header: `pack(n)` / `pack()`, `pack(push[, n])`, `pack(pop)`.
pub(super) enum PackOp {
    Set(Option<u64>),
    Push(Option<u64>),
    Pop,
}

/// The preprocessor directives of the header that are neither a `#define`, an `#include` nor a
/// conditional (outside the skipped branches): a `#pragma` or another directive is listed for
/// the author; an `#undef` of a name defined above is refused, as the skeleton would keep it.
pub(super) fn directives(
    tu: &TranslationUnit,
    file: Option<File<'_>>,
    skipped: &[(u32, u32)],
    state: &mut State,
) {
    let Some(file) = file else {
        return;
    };
    // (line, offset, spelling) of every token.
    let all: Vec<(u32, u32, String)> = tu
        .tokens(tu.range(file, 0, state.source.len() as u32))
        .into_iter()
        .map(|t| {
            let at = t.location.spelling();
            (at.line, at.offset, t.spelling)
        })
        .collect();
    let mut packs: Vec<(u32, PackOp)> = Vec::new();
    for (i, (line, offset, word)) in all.iter().enumerate() {
        let first_on_line = i == 0 || all[i - 1].0 != *line;
        if word != "#" || !first_on_line {
            continue;
        }
        if skipped.iter().any(|(s, e)| offset >= s && offset <= e) {
            continue;
        }
        let next = |k: usize| {
            all.get(i + k)
                .filter(|t| t.0 == *line)
                .map_or("", |t| t.2.as_str())
        };
        let text = one_line(state.source.get(*offset as usize..).unwrap_or(""));
        let item = |why: &str| Item::NotImported {
            what: format!("`{text}`"),
            why: why.to_string(),
        };
        match next(1) {
            "define" | "include" | "include_next" | "if" | "ifdef" | "ifndef" | "elif"
            | "elifdef" | "elifndef" | "else" | "endif" | "" => {}
            "undef" => {
                let name = next(2);
                // A function-like macro defined and undefined around declarations (atmdev.h's
                // `__HANDLE_ITEM(i)` building a struct's members), which no define calls:
                // scaffolding, whose result import reads expanded.
                let calls =
                    |value: &str| expr_text(value).is_some_and(|t| called(&t).contains(&name));
                let called_above = state.items.iter().any(|(o, it)| {
                    o < offset
                        && match it {
                            Item::Define { value, .. } => calls(value),
                            Item::Macro { body, .. } => called(body).contains(&name),
                            _ => false,
                        }
                });
                let scaffolding = state.items.iter().position(|(o, it)| {
                    o < offset && matches!(it, Item::Macro { name: n, .. } if n == name)
                });
                if let (Some(k), false) = (scaffolding, called_above) {
                    let (_, it) = &mut state.items[k];
                    let params = match it {
                        Item::Macro { params, .. } => params.join(", "),
                        _ => String::new(),
                    };
                    *it = Item::NotImported {
                        what: format!("#define {name}({params})"),
                        why: format!(
                            "the header undefines it below (line {line}) and no define above \
                             calls it: what it builds, import reads expanded"
                        ),
                    };
                    state.items.push((
                        *offset,
                        item("it undefines a macro the schema does not keep (above)"),
                    ));
                    continue;
                }
                let defined = state.items.iter().any(|(o, it)| {
                        o < offset
                            && matches!(it, Item::Define { name: n, .. } | Item::Macro { name: n, .. } | Item::Skipped { name: n } if n == name)
                    });
                if defined {
                    state.problems.push(Problem {
                        offset: *offset,
                        len: text.len(),
                        message: format!(
                            "`#undef {name}` of a name the header defines above: the \
                                 schema's defines stay defined; remove the #define or the #undef"
                        ),
                    });
                } else {
                    state.items.push((
                        *offset,
                        item("the schema has no #undef; the generated header never defines it"),
                    ));
                }
            }
            "pragma" if next(2) == "pack" => {
                let args: Vec<&str> = (3..)
                    .map(next)
                    .take_while(|t| !t.is_empty())
                    .filter(|t| !matches!(*t, "(" | ")" | ","))
                    .collect();
                match pack_op(&args) {
                    Some(op) => packs.push((*offset, op)),
                    None => state.items.push((
                        *offset,
                        item("a `#pragma pack` import does not read: `pack(n)`, `pack()`, `pack(push, n)` and `pack(pop)` are"),
                    )),
                }
            }
            "pragma" => state.items.push((
                *offset,
                item("the schema has no pragmas but `#pragma pack` (a struct's `pack`)"),
            )),
            _ => state.items.push((
                *offset,
                item("a preprocessor directive the schema has no form for"),
            )),
        }
    }
    // Each struct under a `#pragma pack(n)` takes its n, as the pragma stands where the struct
    // begins.
    let from = pack_in_force(packs);
    for (_, item) in state.items.iter_mut() {
        if let Item::Struct { start, pack, .. } = item {
            *pack = from
                .iter()
                .rev()
                .find(|(o, _)| o < start)
                .and_then(|(_, n)| *n);
        }
    }
}

/// `#pragma pack(ARGS)`'s operation: `pack(n)`, `pack()`, `pack(push[, n])` or `pack(pop)`.
pub(super) fn pack_op(args: &[&str]) -> Option<PackOp> {
    match args {
        [] => Some(PackOp::Set(None)),
        ["push"] => Some(PackOp::Push(None)),
        ["pop"] => Some(PackOp::Pop),
        ["push", n] => n.parse().ok().map(|n| PackOp::Push(Some(n))),
        [n] => n.parse().ok().map(|n| PackOp::Set(Some(n))),
        _ => None,
    }
}

/// The packing in force from each `#pragma pack` on: (its offset, n or none).
pub(super) fn pack_in_force(packs: Vec<(u32, PackOp)>) -> Vec<(u32, Option<u64>)> {
    let (mut current, mut stack) = (None, Vec::new());
    let mut from = Vec::with_capacity(packs.len());
    for (o, op) in packs {
        match op {
            PackOp::Set(n) => current = n,
            PackOp::Push(n) => {
                stack.push(current);
                if n.is_some() {
                    current = n;
                }
            }
            PackOp::Pop => current = stack.pop().flatten(),
        }
        from.push((o, current));
    }
    from
}

/// The `#pragma pack(n)` in force at `offset` of another header's `text`, where a struct
/// copied from it (`extern`) begins: linux/cciss_defs.h's `pack(1)` for cciss_ioctl.h. Read from
/// the text, conditionals aside: the proof's layout of the copy is libclang's, so a packing
/// read wrong is refused there, never written.
pub(super) fn pack_at(text: &str, offset: u32) -> Option<u64> {
    let packs = directive_lines(text)
        .into_iter()
        .take_while(|d| d.start < offset)
        .filter(|d| d.word == "pragma")
        .filter_map(|d| {
            let args = d
                .rest
                .strip_prefix("pack")?
                .trim_start()
                .strip_prefix('(')?
                .split_once(')')?
                .0;
            let args: Vec<&str> = args
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .collect();
            Some((d.start, pack_op(&args)?))
        })
        .collect();
    pack_in_force(packs).last().and_then(|(_, n)| *n)
}
