//! The proof of a skeleton: it loads, and libclang's layout of the header and C's value of
//! every constant match it on every target.

use super::*;

/// The proof that the skeleton says what the header says: it loads with every check
/// `uapigen generate` makes, libclang lays the header out on every target as the skeleton's
/// IR does, and every constant has the value C gives it on every target. A difference is
/// refused at the declaration it comes from (`refuse` locates it); the header failing to
/// compile for a target is refused with libclang's own errors. A struct the kernel ships with
/// implicit padding, or laid out differently on some ABIs, is what the header has once
/// libclang agrees, so it is marked an `abi_trap` (which `generate` accepts) rather than
/// refused: the skeleton returned is the one that loads.
#[allow(clippy::too_many_arguments)]
pub(super) fn verify(
    skeleton: &str,
    spans: &[Span],
    offsets: &BTreeMap<String, u32>,
    family: &str,
    header: &Path,
    stub: &Path,
    include: &[&Path],
    header_text: &str,
    refuse: &dyn Fn(Vec<Problem>) -> Error,
    assumes: &[&str],
) -> Result<String, Error> {
    // Lines the traps below insert, in the final skeleton: a line after them came from the
    // line that many above it in `skeleton`, which `spans` maps to the header.
    let inserted: std::cell::RefCell<Vec<usize>> = std::cell::RefCell::new(Vec::new());
    let at = |line: usize| -> u32 {
        let line = line - inserted.borrow().iter().filter(|&&i| i < line).count();
        spans
            .iter()
            .find(|s| s.lines.contains(&line))
            .map_or(0, |s| s.offset)
    };
    let name = format!("{family}.toml");
    let file = header
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let located = |e: Error| -> Error {
        match e {
            Error::Schema(diags) => refuse(
                diags
                    .into_iter()
                    .map(|d| Problem {
                        offset: at(d.line),
                        len: 1,
                        message: format!(
                            "the schema import would write for this is refused: {}",
                            in_header(&d.message, &at, header_text, &file)
                        ),
                    })
                    .collect(),
            ),
            e => e,
        }
    };
    // The layout first: a header laid out otherwise (`#pragma pack`) is that, not the hole
    // the schema's natural layout of it would have.
    let checked =
        crate::lay_out(Source::new(name.clone(), skeleton.to_string()), &name).map_err(located)?;
    // The header by its path, not by a search of its own folder: a name of the C library's
    // the folder also has (linux/limits.h for <limits.h>, which linux/netfilter_ipv4.h
    // reads INT_MIN from) is the C library's, as a compiler's search has it, and the header
    // itself may have such a name (linux/limits.h, linux/time.h, asm/unistd.h).
    let mut dirs: Vec<&Path> = vec![stub];
    dirs.extend(include.iter().copied());
    let source: String = assumes
        .iter()
        .map(|a| format!("#include <{a}>\n"))
        .chain(std::iter::once(format!(
            "#include \"{}\"\n",
            header.display()
        )))
        .collect();
    // Per struct: the first target that differs, what differs there, and how many others do.
    let mut differ: BTreeMap<&str, (&str, Vec<String>, usize)> = BTreeMap::new();
    let latest = checked.latest();
    for (t, target) in TargetId::all() {
        let measured = measure(&source, &dirs, target)?;
        for (s, st) in latest.structs() {
            let what = match measured.get(&st.name) {
                // A struct of some targets (`when`) is declared on those only.
                Some(_) if !st.on(target) => vec![EXTRA.to_string()],
                None if !st.on(target) => Vec::new(),
                Some(m) => compare(m, latest.layout(s, t)),
                None => vec![MISSING.to_string()],
            };
            if what.is_empty() {
                continue;
            }
            differ
                .entry(&st.name)
                .and_modify(|d| d.2 += 1)
                .or_insert((target.triple, what, 0));
        }
    }
    let mut problems: Vec<Problem> = differ
        .into_iter()
        .map(|(name, (triple, what, others))| {
            let targets = if others > 0 {
                format!("{triple} and {others} other targets")
            } else {
                triple.to_string()
            };
            let message = if what.len() == 1 && what[0] == MISSING {
                format!(
                    "struct `{name}` is defined on {} but not on {targets} (an `#if` on the \
                     target): the schema's structs are the same on every target",
                    crate::layout::DEFAULT_TARGET.triple
                )
            } else if what.len() == 1 && what[0] == EXTRA {
                format!(
                    "struct `{name}` is defined on {targets}, where the condition import read \
                     leaves it out"
                )
            } else {
                format!(
                    "struct `{name}` is not laid out as the schema would write it (a `#pragma \
                     pack`, or another attribute import cannot see): on {targets}: {}",
                    what.join("; ").replace(" in the IR", " in the schema")
                )
            };
            Problem {
                offset: offsets.get(name).copied().unwrap_or(0),
                len: name.len(),
                message,
            }
        })
        .collect();
    let names: Vec<String> = latest
        .family()
        .constants()
        .map(|k| k.name.clone())
        .collect();
    // An ioctl number's macro is expanded where the number is used, so a header may leave
    // <linux/ioctl.h> to its user (linux/arcfb.h, linux/hidraw.h): its values are C's as a
    // user's program has them. (The header uapigen writes includes it itself.)
    let ioctls = latest
        .family()
        .constants()
        .any(|k| matches!(k.expr, crate::ir::Expr::Io { .. }));
    let mut used = if ioctls {
        format!("#include <linux/ioctl.h>\n{source}")
    } else {
        source.clone()
    };
    // And <linux/types.h>, whose `__poll_t` asm-generic/poll.h's `POLLFREE` casts to without
    // including it (not where no constant needs it: the headers that define the kernel's
    // types themselves clash with it).
    let kernel_cast = latest.family().constants().any(|k| {
        matches!(&k.expr, crate::ir::Expr::C { text, .. } if text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w.starts_with("__") && Scalar::from_c_name(w).is_some()))
    });
    if kernel_cast {
        used = format!("#include <linux/types.h>\n{used}");
    }
    // Likewise <linux/const.h>'s `_BITUL()` (linux/virtio_spi.h uses it without including it).
    let const_h = latest
        .family()
        .constants()
        .any(|k| k.calls(crate::front::cexpr::is_const_h));
    if const_h {
        used = format!("#include <linux/const.h>\n{used}");
    }
    // And <linux/bits.h>'s `__GENMASK()`, which reads the word's bits (linux/pci_regs.h).
    let bits_h = latest
        .family()
        .constants()
        .any(|k| k.calls(|m| crate::front::cexpr::BITS_H.contains(&m)));
    if bits_h {
        used = format!("#include <asm/bitsperlong.h>\n#include <linux/bits.h>\n{used}");
    }
    // And <stddef.h>'s `size_t` (matroxfb.h's `_IOR('n', 0xFB, size_t)`), which a program
    // using the number has.
    if latest
        .family()
        .constants()
        .any(|k| matches!(&k.expr, crate::ir::Expr::Io { size: Some(s), .. } if s.c == "size_t"))
    {
        used = format!("#include <stddef.h>\n{used}");
    }
    // And <stddef.h>'s `offsetof` (linux/fuse.h's `FUSE_NAME_OFFSET`), which a program
    // using it has.
    if latest
        .family()
        .constants()
        .any(|k| matches!(&k.expr, crate::ir::Expr::C { text, .. } if text.contains("offsetof")))
    {
        used = format!(
            "#ifndef offsetof\n#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)\n\
             #endif\n{used}"
        );
    }
    // Per constant: the first target where C's value is not the schema's.
    let mut wrong: BTreeMap<String, (&str, Option<u64>, Option<u64>)> = BTreeMap::new();
    for target in TARGETS {
        let values = evaluate_on(&used, &dirs, &names, target)?;
        let family = latest.family();
        for k in family.constants() {
            let c_value = values.get(&k.name).copied().flatten();
            // A define this target leaves out (`when`): its twin of the other branch, if any,
            // is the one compared; without one, C must not define it either.
            let expected = if k.on(target) {
                Some(family.c_reads(k, target))
            } else if family.constants().any(|o| o.name == k.name && o.on(target)) {
                continue;
            } else {
                None
            };
            if c_value != expected && !wrong.contains_key(&k.name) {
                wrong.insert(k.name.clone(), (target.triple, c_value, expected));
            }
        }
    }
    for k in latest.family().constants() {
        let Some((triple, c_value, value)) = wrong.get(&k.name) else {
            continue;
        };
        let line = skeleton
            .lines()
            .position(|l| l.contains(&format!("name = \"{}\"", k.name)))
            .map_or(0, |i| i + 1);
        problems.push(Problem {
            offset: at(line),
            len: k.name.len(),
            message: format!(
                "`{}` is {} in C on {triple}, {} in the schema import would write{}",
                k.name,
                c_value.map_or(
                    "not an integer constant (or not defined)".to_string(),
                    |v| v.to_string()
                ),
                value.map_or("not defined".to_string(), |v| v.to_string()),
                if *triple == crate::layout::DEFAULT_TARGET.triple || *value != Some(k.value) {
                    ""
                } else {
                    " (its value on x86_64-linux-gnu): the schema's constants have one value \
                     on every target"
                }
            ),
        });
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    // The header's layout, proved above: its holes and ABI differences are the kernel's.
    let trapped: Vec<&str> = latest
        .structs()
        .filter(|(s, st)| {
            // A struct of some targets (`when`) is compared where it is declared.
            let on: Vec<TargetId> = TargetId::all()
                .filter(|(_, t)| st.on(t))
                .map(|(t, _)| t)
                .collect();
            let first = latest.layout(*s, on[0]);
            // What `check` requires a trap for: the size, each member's place and size (an
            // alignment alone that differs, a `__u64`'s on i686, needs none).
            let same = |l: &crate::layout::StructLayout| {
                l.size == first.size
                    && l.members.len() == first.members.len()
                    && l.members
                        .iter()
                        .zip(&first.members)
                        .all(|(a, b)| (a.offset, a.size, a.bits) == (b.offset, b.size, b.bits))
            };
            !latest.hole_free(*s) || !on.iter().all(|t| same(latest.layout(*s, *t)))
        })
        .map(|(_, st)| st.name.as_str())
        .collect();
    // A layout no Rust `#[repr]` follows (linux/sctp.h's `packed, aligned(4)` holding a
    // misaligned `__u32`): the struct's Rust types are opaque, its C unchanged.
    let opaque: Vec<(&str, String)> = checked
        .family
        .structs
        .iter()
        .enumerate()
        .filter(|(_, st)| !st.rust_opaque)
        .filter_map(|(i, st)| {
            let s = crate::ir::StructId(i);
            let (fl, (_, why)) = checked.layouts.iter().find_map(|fl| {
                Some((fl, crate::layout::rust_unfaithful(&checked.family, fl, s)?))
            })?;
            Some((st.name.as_str(), format!("on {}: {why}", fl.target.triple)))
        })
        .collect();
    let mut out = String::with_capacity(skeleton.len());
    let mut prev = "";
    for (i, l) in skeleton.lines().enumerate() {
        out.push_str(l);
        out.push('\n');
        // A struct's or union's name, the line after its table's header.
        let struct_name = l
            .strip_prefix("name = \"")
            .and_then(|n| n.strip_suffix('"'))
            .filter(|_| matches!(prev, "[[struct]]" | "[[union]]"));
        prev = l;
        let Some(struct_name) = struct_name else {
            continue;
        };
        if let Some((_, why)) = opaque.iter().find(|(o, _)| *o == struct_name) {
            out.push_str(&format!(
                "# Rust cannot lay it out as C does ({}): its Rust types are its bytes\n\
                 rust_opaque = true\n",
                why.replace('\n', " ")
            ));
            let before = inserted.borrow().len();
            inserted.borrow_mut().push(i + 2 + before);
            inserted.borrow_mut().push(i + 3 + before);
        }
        if trapped.contains(&struct_name) {
            out.push_str(
                "abi_trap = { revisions = [\"r1\"], note = \"as the kernel ships it: implicit \
                 padding, or a layout that differs between ABIs (import proved it with libclang \
                 on every target)\" }\n",
            );
            let before = inserted.borrow().len();
            inserted.borrow_mut().push(i + 2 + before);
        }
    }
    crate::load_source(Source::new(name.clone(), out.clone()), &name).map_err(located)?;
    Ok(out)
}

/// What `verify` notes of a struct libclang does not find on a target.
pub(super) const MISSING: &str = "the header does not define it there";

/// `compare`'s answer for a struct libclang finds where the schema's `when` leaves it out.
pub(super) const EXTRA: &str = "the header defines it there";

/// A schema message with its `at line N` (a line of the skeleton) said as the place in the
/// header that line came from.
pub(super) fn in_header(
    message: &str,
    at: &dyn Fn(usize) -> u32,
    source: &str,
    file: &str,
) -> String {
    let Some(i) = message.find("at line ") else {
        return message.to_string();
    };
    let rest = &message[i + "at line ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let Ok(line) = digits.parse::<usize>() else {
        return message.to_string();
    };
    let (l, c) = Source::new("", source).line_col(at(line) as usize);
    format!(
        "{}at {file}:{l}:{c}{}",
        &message[..i],
        &rest[digits.len()..]
    )
}

/// The folders of the kernel's `include/uapi`, as a program includes them (`<rdma/x.h>`).
pub(super) const UAPI_FOLDERS: &[&str] = &[
    "linux",
    "asm-generic",
    "drm",
    "misc",
    "mtd",
    "rdma",
    "scsi",
    "sound",
    "video",
    "xen",
    "cxl",
    "fwctl",
    "regulator",
];
