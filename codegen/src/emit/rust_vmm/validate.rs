//! The `validate` feature: the main profile's validators (`emit::rust_validate`), attached to
//! bindgen's types as inherent items (`iommu_ioas_alloc::copy_from_user`, `::check`,
//! `::MIN_SIZE`, ...) and `uapigen_uaccess::Plain` impls. bindgen gives these types no inherent
//! items, so none of the names can meet one a bindgen user has.
//!
//! The validator emitter is reused as it is, on a copy of the schema whose members carry
//! bindgen's Rust names (`type_`, `__bindgen_anon_1`): it spells a member by its `rust_name`
//! and a struct by its CamelCase name, which a private alias maps to bindgen's type.

use crate::emit::rust::type_ident;
use crate::ir::{Family, Field, FieldPath, FieldType, Revision, Style};
use crate::Model;

/// `mod validate { ... }`, for inside the family module's `uapigen` module; empty when the
/// schema validates nothing.
pub(super) fn module(m: &Model) -> String {
    if !m.validated() {
        return String::new();
    }
    let renamed = Model::new(bindgen_names(&m.history));
    let view = renamed.latest();
    let fam = view.family();
    let mut out = String::from(
        "    #[cfg(feature = \"validate\")]\n    mod validate {\n        use super::super::*;\n",
    );
    // The validators name constants as C does; bindgen prefixes a tagged enum's with the tag.
    for g in &fam.groups {
        if let Style::Enum { tag: Some(tag) } = &g.style {
            for c in &g.values {
                out += &format!(
                    "        const {0}: {tag} = super::super::{tag}_{0};\n",
                    c.name
                );
            }
        }
    }
    for (s, st) in view.structs() {
        out += &format!(
            "        type {} = super::super::{};\n",
            type_ident(&st.name),
            st.name
        );
        crate::emit::rust_validate::emit(view, s, 8, &mut out);
    }
    out += "    }\n";
    out
}

/// `history` with every member's `rust_name` (and every rule's path through them) bindgen's.
fn bindgen_names(history: &Family) -> Family {
    let mut fam = history.clone();
    let Some(latest) = history.revisions.last() else {
        return fam;
    };
    fn rename(fields: &mut [Field], latest: &Revision) {
        let mut anon = 0;
        for f in fields {
            f.rust_name = match &f.name {
                Some(n) => super::field_name(n),
                // bindgen numbers the anonymous members it sees: the latest revision's.
                None if f.present_at(latest) => {
                    anon += 1;
                    format!("__bindgen_anon_{anon}")
                }
                None => f.rust_name.clone(),
            };
            if let FieldType::Inline(_, ms) = &mut f.ty {
                rename(ms, latest);
            }
        }
    }
    for st in &mut fam.structs {
        rename(&mut st.fields, latest);
    }
    let renamed = fam.clone();
    for st in &mut fam.structs {
        let fields = st.fields.clone();
        if let Some(v) = &mut st.validation {
            let conds = v
                .rules
                .iter_mut()
                .flat_map(|r| r.when.iter_mut().chain(r.require.iter_mut()))
                .chain(v.min_size_when.iter_mut().flat_map(|w| w.when.iter_mut()));
            for c in conds {
                repath(&renamed, &fields, &mut c.field);
            }
            if let Some(p) = &mut v.payload {
                repath(&renamed, &fields, &mut p.field);
            }
        }
    }
    fam
}

/// Each hop of a condition's (or a payload selector's) path named as its member now is.
fn repath(fam: &Family, fields: &[Field], path: &mut FieldPath) {
    let FieldPath { segments, .. } = path;
    let mut container: &[Field] = fields;
    for seg in segments {
        let Some(f) = container.get(seg.index) else {
            return;
        };
        seg.rust_name = f.rust_name.clone();
        container = match &f.ty {
            FieldType::Struct(j) => &fam.struct_(*j).fields,
            FieldType::Inline(_, ms) => ms,
            FieldType::Scalar(_) | FieldType::Pointer(_) => &[],
        };
    }
}
