//! The C validators header (`include/uapigen/<family>_validate.h`) and the shared
//! `include/uapigen/uaccess.h`. This module turns the schema's rules into C expressions over
//! `dst`; the function bodies are in `templates/validate.h.hbs`. When nobody overrode that
//! template, [`write`] writes its text from the view directly (see [`Templates`]): a change
//! to the template is a change to `write`, and `codegen/tests/templates.rs` holds the two
//! together.

use serde::Serialize;

use crate::diag::Error;
use crate::emit::{c_comment, marker, push, Templates};
use crate::ir::*;
use crate::model::{Model, RevView, StructId, TargetId};

#[derive(Serialize)]
struct View {
    user: &'static str,
    include_prefix: &'static str,
    uaccess_include: &'static str,
    license: String,
    marker: String,
    header: String,
    guard: String,
    family_upper: String,
    family: String,
    revisions: Vec<RevisionView>,
    structs: Vec<StructView>,
    /// Each revision's validators (`<struct>__<rev>_copy_from_user`), oldest first.
    older: Vec<StructView>,
}

#[derive(Serialize)]
struct RevisionView {
    upper: String,
    id: String,
    label: String,
}

#[derive(Serialize)]
struct MaskView {
    /// `flags`, `granu_addr_info_flags`: the field path as an identifier.
    ident: String,
    path: String,
    values: String,
}

#[derive(Serialize)]
struct StructView {
    name: String,
    /// Function name prefix: the struct name, plus `__<rev>` for a revision's validators.
    fname: String,
    /// The revision id of a revision's validators; empty for the latest.
    rev: String,
    /// A revision's kernel copies less than today's struct (a smaller struct, or a `ksize`):
    /// its functions zero the rest.
    older: bool,
    /// The function prefix this revision's validator is identical to: emitted as a wrapper.
    same_as: Option<String>,
    upper: String,
    convention: &'static str,
    argsz: bool,
    size_convention: bool,
    user_data: bool,
    data_type: String,
    min: u64,
    min_text: String,
    size: u64,
    /// `; the flexible array ...` when the struct ends in one, else empty.
    tail: String,
    size_rules: Vec<SizeRuleView>,
    rules: Vec<RuleView>,
    /// The payload checks, as C statements (empty without payloads).
    payload: String,
    /// sizeof per revision, 0 where the struct does not exist yet.
    sizes: String,
    masks: Vec<MaskView>,
}

#[derive(Serialize, PartialEq)]
struct SizeRuleView {
    text: String,
    when: String,
    need: u64,
}

#[derive(Serialize, PartialEq)]
struct RuleView {
    text: String,
    when: String,
    require: String,
    errno: &'static str,
}

/// `v` as a C `__u64` expression, appended to `out`.
fn value(v: &ValueRef, out: &mut String) {
    use std::fmt::Write;
    match v.name.as_deref() {
        Some("U64_MAX") => out.push_str("0xffffffffffffffffULL"),
        Some("U32_MAX") => out.push_str("0xffffffffULL"),
        Some("U16_MAX") => out.push_str("0xffffULL"),
        Some("U8_MAX") => out.push_str("0xffULL"),
        Some(name) => push(out, &["(__u64)(", name, ")"]),
        None => {
            let _ = write!(out, "{}ULL", v.value);
        }
    }
}

/// How a validator reads the fields of struct `s`. C has one `struct` per name, the latest
/// revision's, so an older revision's validator names a field only where the latest struct's
/// member of that name has the same bytes; elsewhere (reserved bytes a later revision
/// re-purposed, the name handed on) it reads the bytes the field had then.
#[derive(Clone, Copy)]
struct Reader<'a> {
    view: RevView<'a>,
    latest: RevView<'a>,
    s: StructId,
}

impl Reader<'_> {
    /// `(offset, size)` when the field must be read by its bytes.
    fn bytes_of(&self, c: &Cond) -> Option<(u64, u64)> {
        if self.view.id() == self.latest.id() {
            return None;
        }
        let here = |v: RevView| {
            crate::model::plan::locate(v.family(), &v.layouts()[0], self.s, &c.field)
                .map(|(off, size, _)| (off, size))
        };
        let then = here(self.view)?;
        (here(self.latest) != Some(then)).then_some(then)
    }
}

/// Condition `c` as a C expression over `dst`, appended to `out` (one buffer for a rule's
/// conditions, not a string per piece).
fn cond(r: Reader, c: &Cond, out: &mut String) -> Result<(), Error> {
    use std::fmt::Write;
    let family = r.view.family();
    if let Some((off, size)) = r.bytes_of(c) {
        match c.pred {
            Pred::Zero => {}
            Pred::NonZero => out.push('!'),
            // `ValidatorPlan::in_latest` leaves such a revision's validator out.
            _ => {
                return Err(Error::Schema(vec![crate::diag::Diagnostic::at(
                    &family.source,
                    c.span.clone(),
                    format!(
                        "`{}` in revision {} is not the latest struct's member of that name, so \
                         the C validator reads its bytes, which supports only `zero` and `nonzero`",
                        c.field.text,
                        r.view.revision().map_or("?", |v| v.id.as_str())
                    ),
                )]))
            }
        }
        let _ = write!(
            out,
            "uapigen_all_zero((const unsigned char *)dst + {off}, {size})"
        );
        return Ok(());
    }
    let access = c.field.c_access();
    let field = |out: &mut String| push(out, &["dst->", &access]);
    if c.field.len.is_some() {
        if !matches!(c.pred, Pred::Zero) {
            out.push('!');
        }
        out.push_str("uapigen_all_zero(");
        field(out);
        out.push_str(", sizeof(");
        field(out);
        out.push_str("))");
        return Ok(());
    }
    let v = |out: &mut String| {
        out.push_str("(__u64)");
        field(out);
    };
    // `v op x`, or `(v & x) op y`.
    let cmp = |out: &mut String, op: &str, x: &ValueRef| {
        v(out);
        out.push_str(op);
        value(x, out);
    };
    match &c.pred {
        Pred::Equals(x) => cmp(out, " == ", x),
        Pred::NotEquals(x) => cmp(out, " != ", x),
        Pred::Below(x) => cmp(out, " < ", x),
        Pred::AtLeast(x) => cmp(out, " >= ", x),
        Pred::Lacks(x) => {
            out.push('(');
            cmp(out, " & ", x);
            out.push_str(") == 0");
        }
        Pred::Has(x) => {
            out.push('(');
            cmp(out, " & ", x);
            out.push_str(") == ");
            value(x, out);
        }
        // A set with no flag yet in this revision: the field must be 0.
        Pred::KnownFlags(g) if family.group(*g).values.is_empty() => {
            v(out);
            out.push_str(" == 0");
        }
        Pred::KnownFlags(g) => {
            out.push('(');
            v(out);
            out.push_str(" & ~(__u64)(");
            for (i, c) in family.group(*g).values.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                out.push_str(&c.name);
            }
            out.push_str(")) == 0");
        }
        Pred::Zero => {
            v(out);
            out.push_str(" == 0");
        }
        Pred::NonZero => {
            v(out);
            out.push_str(" != 0");
        }
        Pred::Aligned(n) => {
            out.push('(');
            v(out);
            let _ = write!(out, " & {}ULL) == 0", n - 1);
        }
    }
    Ok(())
}

/// `(c1) && (c2) && ...`; empty for no conditions.
fn all(r: Reader, conds: &[Cond]) -> Result<String, Error> {
    // Sized for a condition or two (grown from empty, it was a third of `all`).
    let mut out = String::with_capacity(96 * conds.len());
    for (i, c) in conds.iter().enumerate() {
        if i > 0 {
            out.push_str(" && ");
        }
        out.push('(');
        cond(r, c, &mut out)?;
        out.push(')');
    }
    Ok(out)
}

/// The view of struct `s` in revision `view` (a revision's, or the latest): `rev` names the
/// revision for a revision's validators.
fn struct_view(
    model: &Model,
    view: RevView,
    s: StructId,
    rev: Option<&str>,
    today_size: u64,
) -> Result<Option<StructView>, Error> {
    let st = view.get(s);
    let (Some(conv), Some(v), Some(plan)) = (st.convention, &st.validation, view.validator(s))
    else {
        return Ok(None);
    };
    let reader = Reader {
        view,
        latest: model.latest(),
        s,
    };
    let sizes: Vec<String> = model
        .revs()
        .map(|r| {
            if r.exists(s) {
                r.layout(s, TargetId::DEFAULT).size.to_string()
            } else {
                "0".into()
            }
        })
        .collect();
    let size = plan.size;
    let size_rules = v
        .min_size_when
        .iter()
        .zip(&plan.size_steps)
        .map(|(w, step)| {
            Ok(SizeRuleView {
                text: c_comment(&w.text),
                when: all(reader, &w.when)?,
                need: step.need,
            })
        })
        .collect::<Result<_, Error>>()?;
    let rules = v
        .rules
        .iter()
        .map(|r| {
            Ok(RuleView {
                text: c_comment(&r.text),
                when: all(reader, &r.when)?,
                require: all(reader, &r.require)?,
                errno: r.errno.name(),
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(Some(StructView {
        name: st.name.clone(),
        fname: match rev {
            Some(r) => format!("{}__{r}", st.name),
            None => st.name.clone(),
        },
        rev: rev.unwrap_or_default().to_string(),
        same_as: None,
        older: size < today_size,
        sizes: sizes.join(", "),
        masks: model
            .flag_fields(s)
            .iter()
            .map(|ff| MaskView {
                ident: ff.path.replace('.', "_"),
                path: ff.path.clone(),
                values: ff
                    .masks
                    .iter()
                    .map(|m| format!("{m:#x}ULL"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        upper: st.name.to_uppercase(),
        convention: conv.name(),
        argsz: conv == Convention::Argsz,
        size_convention: conv == Convention::Size,
        user_data: conv == Convention::UserData,
        data_type: v
            .data_type
            .as_ref()
            .map(|d| d.0.clone())
            .unwrap_or_default(),
        min: plan.min_size,
        min_text: c_comment(&v.min_size.text()),
        size,
        tail: crate::emit::flexible_tail_text(view, s)
            .map_or_else(String::new, |t| format!("; {}", c_comment(&t))),
        size_rules,
        rules,
        payload: match (&v.payload, &plan.payload) {
            (Some(p), Some(pp)) => payload(model, view, p, pp),
            _ => String::new(),
        },
    }))
}

/// The payload checks of a struct as C statements in its `_check()`, after the rules:
/// vfio_ioctl_device_feature's switch on the selector, then vfio_check_feature's checks
/// (drivers/vfio/vfio_main.c, include/linux/vfio.h, Linux 7.2).
fn payload(
    model: &Model,
    view: RevView,
    p: &Payload,
    pp: &crate::model::plan::PayloadPlan,
) -> String {
    use std::fmt::Write;
    let family = view.family();
    let latest = model.latest();
    let ops = |out: &mut String| {
        push(
            out,
            &[
                "((__u64)(",
                p.get.text().as_str(),
                ") | (__u64)(",
                p.set.text().as_str(),
                "))",
            ],
        );
    };
    let mut out = String::new();
    push(
        &mut out,
        &[
            "\t/* The payload in ",
            &p.member,
            "[]: ",
            &p.field.text,
            " & ",
            &p.mask.text(),
            " selects it; then vfio_check_feature() */\n\t{\n\t\tconst __u64 uapigen_sel = (__u64)dst->",
            &p.field.c_access(),
            ";\n\t\t__u64 uapigen_ops;\n\t\t__u64 uapigen_minsz;\n\n\t\tswitch (uapigen_sel & (__u64)(",
            &p.mask.text(),
            ")) {\n",
        ],
    );
    for c in &pp.cases {
        let _ = write!(
            out,
            "\t\tcase {:#x}ULL: /* {}: ",
            c.value,
            c_comment(&c.name)
        );
        let minsz = match c.body {
            PayloadBody::Struct(ps) => {
                let name = &family.struct_(ps).name;
                let _ = writeln!(out, "struct {name} */");
                if latest.exists(ps) && latest.layout(ps, TargetId::DEFAULT).size == c.minsz {
                    format!("sizeof(struct {name})")
                } else {
                    c.minsz.to_string()
                }
            }
            PayloadBody::Bytes(n) => {
                let _ = writeln!(out, "{n} bytes */");
                n.to_string()
            }
        };
        let _ = write!(
            out,
            "\t\t\tuapigen_ops = {:#x}ULL;\n\t\t\tuapigen_minsz = {minsz};\n\t\t\tbreak;\n",
            c.ops
        );
    }
    push(
        &mut out,
        &[
            "\t\tdefault:\n\t\t\treturn -",
            pp.unknown.name(),
            ";\n\t\t}\n\t\tif ((uapigen_sel & ",
        ],
    );
    ops(&mut out);
    out.push_str(") & ~uapigen_ops)\n\t\t\treturn -EINVAL;\n\t\tif (uapigen_sel & (__u64)(");
    out.push_str(&p.probe.text());
    out.push_str("))\n\t\t\treturn 0;\n\t\tif (!(uapigen_sel & ");
    ops(&mut out);
    let _ = write!(
        out,
        "))\n\t\t\treturn -EINVAL;\n\t\tif ((__u64)dst->argsz < {} + uapigen_minsz)\n\t\t\treturn -EINVAL;\n\t}}\n",
        pp.base
    );
    out
}

/// Whether two validators have the same body: their views but for the names that say which
/// revision each is (`fname`, `rev`, `same_as`) and the per-revision tables (`sizes`, `masks`).
fn same_body(a: &StructView, b: &StructView) -> bool {
    a.name == b.name
        && a.older == b.older
        && a.upper == b.upper
        && a.convention == b.convention
        && a.argsz == b.argsz
        && a.size_convention == b.size_convention
        && a.user_data == b.user_data
        && a.data_type == b.data_type
        && a.min == b.min
        && a.min_text == b.min_text
        && a.size == b.size
        && a.tail == b.tail
        && a.size_rules == b.size_rules
        && a.rules == b.rules
        && a.payload == b.payload
}

/// Who includes the C validators: user space (the default, `generated/`), or kernel code
/// (the kernel-tree profile: `__user` pointers, `copy_from_user`, kernel includes only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CFlavour {
    /// Kernel code (`__user`, `copy_from_user`) rather than user space.
    pub kernel: bool,
}

impl CFlavour {
    /// User space: `const void *src`, memcpy unless `UAPI_COPY_FROM_USER` is defined.
    pub const USERSPACE: CFlavour = CFlavour { kernel: false };
    /// Kernel code: `const void __user *src`, `copy_from_user`.
    pub const KERNEL: CFlavour = CFlavour { kernel: true };

    /// The address-space annotation of user pointers, with its trailing space.
    fn user(self) -> &'static str {
        if self.kernel {
            "__user "
        } else {
            ""
        }
    }

    /// What `#include <…>` of a uAPI header is prefixed with.
    fn include_prefix(self) -> &'static str {
        if self.kernel {
            "uapi/"
        } else {
            ""
        }
    }

    /// Where the shared user-copy header is included from.
    pub fn uaccess_include(self) -> &'static str {
        if self.kernel {
            "linux/uapigen/uaccess.h"
        } else {
            "uapigen/uaccess.h"
        }
    }
}

/// The validators for user space (see [`emit_for`]).
pub fn emit(model: &Model, templates: &Templates) -> Result<String, Error> {
    emit_for(model, templates, CFlavour::USERSPACE)
}

/// `<family>_validate.h` for `flavour`.
pub fn emit_for(model: &Model, templates: &Templates, flavour: CFlavour) -> Result<String, Error> {
    let latest = model.latest();
    let family = latest.family();
    let today = |s: StructId| latest.layout(s, TargetId::DEFAULT).size;
    let structs: Vec<StructView> = latest
        .structs()
        .map(|(s, _)| struct_view(model, latest, s, None, today(s)))
        .filter_map(Result::transpose)
        .collect::<Result<_, Error>>()?;
    let latest_of: crate::names::FxMap<&str, &StructView> =
        structs.iter().map(|v| (v.name.as_str(), v)).collect();
    // Per struct, the index in `older` of its previous revision's validator, and the function
    // that validator delegates to (its own when it has a body).
    let mut previous: crate::names::FxMap<String, (usize, String)> = crate::names::FxMap::default();
    // Each revision's kernel, into today's struct type; a rule C cannot write against
    // today's header (`ValidatorPlan::in_latest`) leaves that revision's validator out.
    let mut older: Vec<StructView> = Vec::new();
    for view in model.revs() {
        for (s, plan) in view.validators() {
            if !plan.in_latest {
                continue;
            }
            let Some(mut v) =
                struct_view(model, view, s, Some(&family.rev(view.id()).id), today(s))?
            else {
                continue;
            };
            // Identical to the latest's (or the previous revision's) validator: delegate to it
            // rather than repeat its body.
            let same = latest_of
                .get(v.name.as_str())
                .filter(|l| same_body(l, &v))
                .map(|_| v.name.clone())
                .or_else(|| {
                    previous
                        .get(&v.name)
                        .filter(|(i, _)| same_body(&older[*i], &v))
                        .map(|(_, f)| f.clone())
                });
            let delegate = same.clone().unwrap_or_else(|| v.fname.clone());
            previous.insert(v.name.clone(), (older.len(), delegate));
            v.same_as = same;
            older.push(v);
        }
    }
    let view = View {
        user: flavour.user(),
        include_prefix: flavour.include_prefix(),
        uaccess_include: flavour.uaccess_include(),
        license: family.license.clone(),
        marker: marker(family),
        header: family.header.clone(),
        guard: format!("_UAPIGEN_{}_VALIDATE_H", family.name.to_uppercase()),
        family_upper: family.name.to_uppercase(),
        family: family.name.clone(),
        revisions: family
            .revisions
            .iter()
            .map(|r| RevisionView {
                upper: r.id.to_uppercase(),
                id: r.id.clone(),
                label: c_comment(&r.label),
            })
            .collect(),
        structs,
        older,
    };
    // About 2.3 KiB a validator in the benchmark's schema.
    let capacity = 3 * 1024 * (view.structs.len() + view.older.len());
    let text = templates.render_or_write("validate.h", &view, capacity, write)?;
    // User space walks the chains the kernel builds; the kernel has vfio_info_cap_add().
    Ok(if !flavour.kernel {
        super::c_caps::splice(model, text)
    } else {
        text
    })
}

/// The first line of a `_copy_from_user()` kernel-doc: whose copy it is, the latest's (`how`)
/// or revision `rev`'s kernel's.
fn copy_doc_head(out: &mut String, fname: &str, name: &str, rev: &str, how: &str) {
    push(
        out,
        &["/**\n * ", fname, "_copy_from_user() - Copy struct ", name],
    );
    if rev.is_empty() {
        push(out, &[" ", how]);
    } else {
        push(out, &[" as revision ", rev, "'s kernel does"]);
    }
}

/// `templates/validate.h.hbs` rendered with `v`, written directly (line for line the
/// template's; a `{{#if}}` of a text is false when the text is empty, as in handlebars).
fn write(v: &View, out: &mut String) {
    let (family, upper, user) = (v.family.as_str(), v.family_upper.as_str(), v.user);
    push(
        out,
        &[
            "/* SPDX-License-Identifier: ",
            &v.license,
            " */\n/* ",
            &v.marker,
            " */\n",
        ],
    );
    push(
        out,
        &[
            "/*\n * Validators for <",
            &v.header,
            ">: copy a struct from user memory exactly as the\n \
             * kernel does and run every content check. Each returns 0 or a negative errno\n \
             * (-EFAULT, -EINVAL, -E2BIG, -EOPNOTSUPP). Header-only C99.\n */\n\n#ifndef ",
            &v.guard,
            "\n#define ",
            &v.guard,
            "\n\n#include <",
            v.include_prefix,
            &v.header,
            ">\n#include <",
            v.uaccess_include,
            ">\n\n/*\n * Revisions of the ",
            family,
            " family, oldest first. The tables below give, per\n \
             * revision, each struct's size and each flags field's valid bits (the kernel of\n \
             * that revision rejects the others); the uAPI header itself has no version table.\n \
             */\nenum uapigen_",
            family,
            "_revision {\n",
        ],
    );
    for r in &v.revisions {
        push(
            out,
            &[
                "\tUAPIGEN_",
                upper,
                "_",
                &r.upper,
                ",\t/* ",
                &r.label,
                " */\n",
            ],
        );
    }
    push(out, &["\tUAPIGEN_", upper, "_NR_REVISIONS\n};\n"]);
    for st in &v.structs {
        let (name, min, size) = (st.name.as_str(), st.min.to_string(), st.size.to_string());
        push(
            out,
            &[
                "\n/* struct ",
                name,
                ": ",
                st.convention,
                " convention, min size ",
                &st.min_text,
                " = ",
                &min,
                ", size ",
                &size,
                &st.tail,
                " */\n#define UAPIGEN_",
                &st.upper,
                "_MIN_SIZE\t",
                &min,
                "\n#define UAPIGEN_",
                &st.upper,
                "_SIZE\t\t",
                &size,
                "\n\n/**\n * uapigen_",
                name,
                "_size() - sizeof(struct ",
                name,
                ") in a revision\n * @rev: an enum uapigen_",
                family,
                "_revision\n *\n * Return: the size, or 0 before the struct existed.\n \
                 */\nstatic inline __u32 uapigen_",
                name,
                "_size(unsigned int rev)\n{\n\tstatic const __u32 size[UAPIGEN_",
                upper,
                "_NR_REVISIONS] = { ",
                &st.sizes,
                " };\n\n\treturn rev < UAPIGEN_",
                upper,
                "_NR_REVISIONS ? size[rev] : 0;\n}\n",
            ],
        );
        for m in &st.masks {
            push(
                out,
                &[
                    "\n/**\n * uapigen_",
                    name,
                    "_",
                    &m.ident,
                    "_valid() - The bits of ",
                    &m.path,
                    " a revision's kernel accepts\n * @rev: an enum uapigen_",
                    family,
                    "_revision\n *\n * Return: the mask of valid bits.\n \
                     */\nstatic inline __u64 uapigen_",
                    name,
                    "_",
                    &m.ident,
                    "_valid(unsigned int rev)\n{\n\tstatic const __u64 mask[UAPIGEN_",
                    upper,
                    "_NR_REVISIONS] = { ",
                    &m.values,
                    " };\n\n\treturn rev < UAPIGEN_",
                    upper,
                    "_NR_REVISIONS ? mask[rev] : 0;\n}\n",
                ],
            );
        }
        out.push('\n');
        functions(st, user, out);
    }
    for st in &v.older {
        out.push('\n');
        let Some(same_as) = st.same_as.as_deref().filter(|s| !s.is_empty()) else {
            functions(st, user, out);
            continue;
        };
        let (name, fname) = (st.name.as_str(), st.fname.as_str());
        push(
            out,
            &[
                "/* struct ",
                name,
                " in revision ",
                &st.rev,
                ": copied and checked exactly as ",
                same_as,
                ". */\nstatic inline int ",
                fname,
                "_check(const struct ",
                name,
                " *dst)\n{\n\treturn ",
                same_as,
                "_check(dst);\n}\n\nstatic inline int ",
                fname,
                "_copy_from_user(struct ",
                name,
                " *dst, const void ",
                user,
                "*src",
                if st.user_data {
                    ",\n\t\t__u32 data_type, __u32 len)\n{\n\treturn "
                } else {
                    ")\n{\n\treturn "
                },
                same_as,
                if st.user_data {
                    "_copy_from_user(dst, src, data_type, len);\n}\n"
                } else {
                    "_copy_from_user(dst, src);\n}\n"
                },
            ],
        );
    }
    push(out, &["\n#endif /* ", &v.guard, " */\n"]);
}

/// The template's `functions` partial: struct `st`'s check and copy functions.
fn functions(st: &StructView, user: &str, out: &mut String) {
    let (name, fname) = (st.name.as_str(), st.fname.as_str());
    let (min, size) = (st.min.to_string(), st.size.to_string());
    let rev = st.rev.as_str();
    push(
        out,
        &[
            "/**\n * ",
            fname,
            "_check() - The content checks of struct ",
            name,
        ],
    );
    if !rev.is_empty() {
        push(out, &[" in revision ", rev]);
    }
    push(
        out,
        &[
            "\n * @dst: the struct as copied from user memory\n *\n \
             * The schema's rules, in the kernel's order; the first that fails decides.\n *\n \
             * Return: 0, or the negative errno of the first failing rule.\n \
             */\nstatic inline int ",
            fname,
            "_check(const struct ",
            name,
            " *dst)\n{\n",
        ],
    );
    for r in &st.rules {
        push(out, &["\t/* ", &r.text, " */\n\tif ("]);
        if !r.when.is_empty() {
            push(out, &["(", &r.when, ") && "]);
        }
        push(out, &["!(", &r.require, "))\n\t\treturn -", r.errno, ";\n"]);
    }
    out.push_str(&st.payload);
    out.push_str("\t(void)dst;\n\treturn 0;\n}\n\n");
    // The copy functions' doc, the same words for both conventions.
    if st.argsz || st.size_convention {
        copy_doc_head(
            out,
            fname,
            name,
            rev,
            "as the newest revision's kernel does",
        );
    }
    if st.argsz {
        push(
            out,
            &[
                "\n * @dst: the kernel's copy; fully written on every path (zeroed first)\n \
                 * @src: the user pointer\n *\n * ",
                &min,
                " bytes (minsz), the argsz checks, then min(argsz, ",
                &size,
                ") - minsz more;\n * bytes beyond the kernel's size are not read. Then ",
                fname,
                "_check().\n *\n \
                 * Return: 0, -EFAULT, or the errno of the first failing check.\n \
                 */\nstatic inline int ",
                fname,
                "_copy_from_user(struct ",
                name,
                " *dst, const void ",
                user,
                "*src)\n{\n\tconst size_t minsz = ",
                &min,
                ";\n\tsize_t end;\n\t__u32 argsz;\n\n\tmemset(dst, 0, sizeof(*dst));\n\t\
                 if (UAPI_COPY_FROM_USER(dst, src, minsz))\n\t\treturn -EFAULT;\n\t\
                 argsz = dst->argsz;\n\tif (argsz < minsz)\n\t\treturn -EINVAL;\n",
            ],
        );
        for r in &st.size_rules {
            push(
                out,
                &[
                    "\t/* ",
                    &r.text,
                    " */\n\tif ((",
                    &r.when,
                    ") && argsz < ",
                    &r.need.to_string(),
                    ")\n\t\treturn -EINVAL;\n",
                ],
            );
        }
        push(
            out,
            &[
                "\tend = argsz < ",
                &size,
                " ? argsz : ",
                &size,
                ";\n\tif (UAPI_COPY_FROM_USER((unsigned char *)dst + minsz,\n\t\t\t\t\
                 (const unsigned char ",
                user,
                "*)src + minsz, end - minsz))\n\t\treturn -EFAULT;\n\treturn ",
                fname,
                "_check(dst);\n}\n",
            ],
        );
    }
    if st.size_convention {
        push(
            out,
            &[
                "\n * @dst: the kernel's copy; fully written on every path\n \
                 * @src: the user pointer; its first __u32 is the user's size\n *\n \
                 * Read the size, refuse it below ",
                &min,
                ", copy_struct_from_user() of ",
                &size,
                "\n * bytes, then ",
                fname,
                "_check().\n *\n \
                 * Return: 0, -EFAULT, -EINVAL, -E2BIG, or the errno of the first failing check.\n \
                 */\nstatic inline int ",
                fname,
                "_copy_from_user(struct ",
                name,
                " *dst, const void ",
                user,
                "*src)\n{\n\t__u32 usize;\n\tint ret;\n\n\t\
                 if (UAPI_COPY_FROM_USER(&usize, src, sizeof(usize))) {\n\t\t\
                 memset(dst, 0, sizeof(*dst));\n\t\treturn -EFAULT;\n\t}\n\tif (usize < ",
                &min,
                ") {\n\t\tmemset(dst, 0, sizeof(*dst));\n\t\treturn -EINVAL;\n\t}\n",
            ],
        );
        if st.older {
            push(
                out,
                &[
                    "\t/* This revision's kernel copies ",
                    &size,
                    " bytes: the rest of today's struct stays zero. */\n\tmemset((unsigned \
                     char *)dst + ",
                    &size,
                    ", 0, sizeof(*dst) - ",
                    &size,
                    ");\n",
                ],
            );
        }
        push(
            out,
            &[
                "\tret = uapigen_copy_struct_from_user(dst, ",
                &size,
                ", src, usize);\n\tif (ret)\n\t\treturn ret;\n\treturn ",
                fname,
                "_check(dst);\n}\n",
            ],
        );
    }
    if st.user_data {
        push(
            out,
            &[
                "/**\n * ",
                fname,
                "_copy_from_user() - Copy driver data struct ",
                name,
                " as iommu_copy_struct_from_user() does\n * @dst: the kernel's copy; fully \
                 written on every path\n * @src: the user pointer to the data\n \
                 * @data_type: the type the command names; must be ",
                &st.data_type,
                "\n * @len: the length the command gives; within [",
                &min,
                ", ",
                &size,
                "]\n *\n * A wrong type or length is -EINVAL; then copy_struct_from_user() and\n * ",
                fname,
                "_check().\n *\n \
                 * Return: 0, -EFAULT, -EINVAL, -E2BIG, or the errno of the first failing check.\n \
                 */\nstatic inline int ",
                fname,
                "_copy_from_user(struct ",
                name,
                " *dst, const void ",
                user,
                "*src,\n\t\t__u32 data_type, __u32 len)\n{\n\tint ret;\n\n\tif (data_type != ",
                &st.data_type,
                " || len < ",
                &min,
                " || ",
                &size,
                " < len) {\n\t\tmemset(dst, 0, sizeof(*dst));\n\t\treturn -EINVAL;\n\t}\n",
            ],
        );
        if st.older {
            push(
                out,
                &[
                    "\tmemset((unsigned char *)dst + ",
                    &size,
                    ", 0, sizeof(*dst) - ",
                    &size,
                    ");\n",
                ],
            );
        }
        push(
            out,
            &[
                "\tret = uapigen_copy_struct_from_user(dst, ",
                &size,
                ", src, len);\n\tif (ret)\n\t\treturn ret;\n\treturn ",
                fname,
                "_check(dst);\n}\n",
            ],
        );
    }
}

/// `include/uapigen/uaccess.h`: the same for every family.
pub fn emit_uaccess(templates: &Templates) -> Result<String, Error> {
    emit_uaccess_for(templates, CFlavour::USERSPACE)
}

/// The shared user-copy header for `flavour`.
pub fn emit_uaccess_for(templates: &Templates, flavour: CFlavour) -> Result<String, Error> {
    #[derive(Serialize)]
    struct V {
        marker: &'static str,
        kernel: bool,
        user: &'static str,
    }
    templates.render(
        "uaccess.h",
        &V {
            marker: "Generated by uapigen; do not edit.",
            kernel: flavour.kernel,
            user: flavour.user(),
        },
    )
}
