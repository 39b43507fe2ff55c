//! The C validators header (`include/uapigen/<family>_validate.h`) and the shared
//! `include/uapigen/uaccess.h`. This module turns the schema's rules into C expressions over
//! `dst`; the function bodies are in `templates/validate.h.hbs`.

use serde::Serialize;

use crate::diag::Error;
use crate::emit::{c_comment, marker, Templates};
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
    /// A revision's struct is smaller than today's: its functions zero the rest.
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
    size_rules: Vec<SizeRuleView>,
    rules: Vec<RuleView>,
    /// sizeof per revision, 0 where the struct does not exist yet.
    sizes: String,
    masks: Vec<MaskView>,
}

#[derive(Serialize)]
struct SizeRuleView {
    text: String,
    when: String,
    need: u64,
}

#[derive(Serialize)]
struct RuleView {
    text: String,
    when: String,
    require: String,
    errno: &'static str,
}

fn value(v: &ValueRef) -> String {
    match v.name.as_deref() {
        Some("U64_MAX") => "0xffffffffffffffffULL".to_string(),
        Some("U32_MAX") => "0xffffffffULL".to_string(),
        Some("U16_MAX") => "0xffffULL".to_string(),
        Some("U8_MAX") => "0xffULL".to_string(),
        Some(name) => format!("(__u64)({name})"),
        None => format!("{}ULL", v.value),
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

fn cond(r: Reader, c: &Cond) -> Result<String, Error> {
    let family = r.view.family();
    if let Some((off, size)) = r.bytes_of(c) {
        let all_zero = format!("uapigen_all_zero((const unsigned char *)dst + {off}, {size})");
        return match c.pred {
            Pred::Zero => Ok(all_zero),
            Pred::NonZero => Ok(format!("!{all_zero}")),
            _ => Err(Error::Schema(vec![crate::diag::Diagnostic::at(
                &family.source,
                c.span.clone(),
                format!(
                    "`{}` in revision {} is not the latest struct's member of that name, so the C \
                     validator reads its bytes, which supports only `zero` and `nonzero`",
                    c.field.text,
                    r.view.revision().map_or("?", |v| v.id.as_str())
                ),
            )])),
        };
    }
    let field = format!("dst->{}", c.field.c_access());
    if c.field.len.is_some() {
        let all_zero = format!("uapigen_all_zero({field}, sizeof({field}))");
        return Ok(match c.pred {
            Pred::Zero => all_zero,
            _ => format!("!{all_zero}"),
        });
    }
    let v = format!("(__u64){field}");
    Ok(match &c.pred {
        Pred::Equals(x) => format!("{v} == {}", value(x)),
        Pred::NotEquals(x) => format!("{v} != {}", value(x)),
        Pred::Below(x) => format!("{v} < {}", value(x)),
        Pred::Lacks(x) => format!("({v} & {}) == 0", value(x)),
        Pred::Has(x) => format!("({v} & {x}) == {x}", x = value(x)),
        Pred::AtLeast(x) => format!("{v} >= {}", value(x)),
        Pred::KnownFlags(g) => {
            let names: Vec<&str> = family
                .group(*g)
                .values
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            // A set with no flag yet in this revision: the field must be 0.
            if names.is_empty() {
                format!("{v} == 0")
            } else {
                format!("({v} & ~(__u64)({})) == 0", names.join(" | "))
            }
        }
        Pred::Zero => format!("{v} == 0"),
        Pred::NonZero => format!("{v} != 0"),
        Pred::Aligned(n) => format!("({v} & {}ULL) == 0", n - 1),
    })
}

fn all(r: Reader, conds: &[Cond]) -> Result<String, Error> {
    let parts: Result<Vec<String>, Error> = conds
        .iter()
        .map(|c| Ok(format!("({})", cond(r, c)?)))
        .collect();
    Ok(parts?.join(" && "))
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
        size_rules,
        rules,
    }))
}

/// What a validator's body depends on: its view without the names that say which revision
/// it is.
fn body_key(v: &StructView) -> String {
    let mut j = serde_json::to_value(v).unwrap_or_default();
    if let Some(o) = j.as_object_mut() {
        for k in ["fname", "rev", "same_as", "sizes", "masks"] {
            o.remove(k);
        }
    }
    j.to_string()
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
    let latest_keys: std::collections::HashMap<String, String> = structs
        .iter()
        .map(|v| (v.name.clone(), body_key(v)))
        .collect();
    let mut previous: std::collections::HashMap<String, (String, String)> =
        std::collections::HashMap::new();
    // Each revision's kernel, into today's struct type; a rule C cannot write against
    // today's header (`ValidatorPlan::in_latest`) leaves that revision's validator out.
    let mut older = Vec::new();
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
            let key = body_key(&v);
            let same = latest_keys
                .get(&v.name)
                .filter(|k| **k == key)
                .map(|_| v.name.clone())
                .or_else(|| {
                    previous
                        .get(&v.name)
                        .filter(|(k, _)| *k == key)
                        .map(|(_, f)| f.clone())
                });
            previous.insert(
                v.name.clone(),
                (key, same.clone().unwrap_or_else(|| v.fname.clone())),
            );
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
    templates.render("validate.h", &view)
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
