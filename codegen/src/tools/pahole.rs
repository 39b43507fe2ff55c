//! `uapigen layout`: a pahole-style table of a struct on one target — offset and size of every
//! member, union members indented under their union, holes called out.

use std::fmt::Write;

use crate::ir::*;
use crate::layout::{field_at, StructLayout, Target};
use crate::model::{RevView, StructId, TargetId};

const MIN_COMMENT_COLUMN: usize = 40;

/// The pahole-style table of struct `s` of revision `rev` on target `t`, as the model laid
/// it out.
pub fn struct_table(rev: RevView<'_>, s: StructId, t: TargetId) -> String {
    table(rev.family(), s, rev.layout(s, t), t.target())
}

/// The pahole-style table of struct `s` of `family`, laid out as `layout` on `target`: for a
/// layout made without a model.
pub fn table(family: &Family, s: StructId, layout: &StructLayout, target: &Target) -> String {
    let st = family.struct_(s);
    // Rows first (declaration, offset comment), so the comment column fits the longest one.
    let mut rows: Vec<(String, Option<String>)> = Vec::new();
    let mut holes = layout.holes.clone();
    holes.sort_by_key(|h| h.offset);
    let mut open_unions: Vec<(usize, String, String)> = Vec::new();
    let mut members_top = 0;
    for m in &layout.members {
        while open_unions.last().is_some_and(|(d, _, _)| *d >= m.depth) {
            let (_, decl, offsets) = open_unions.pop().unwrap();
            rows.push((decl, Some(offsets)));
        }
        for h in holes
            .iter()
            .filter(|h| h.before.as_deref() == Some(m.path.as_str()))
        {
            rows.push((
                match h.bits {
                    Some((bit, n)) => format!(
                        "{}/* hole: {n} bits at bit {bit} */",
                        "\t".repeat(m.depth + 1)
                    ),
                    None => format!(
                        "{}/* hole: {} bytes at offset {} */",
                        "\t".repeat(m.depth + 1),
                        h.size,
                        h.offset
                    ),
                },
                None,
            ));
        }
        if m.depth == 0 {
            members_top += 1;
        }
        let f = field_at(st, &m.index).expect("layout member points at a field");
        let indent = "\t".repeat(m.depth + 1);
        let name = f.name.clone().unwrap_or_default();
        // A bitfield as pahole shows one: `:width`, and its offset as `byte:bit`.
        let (array, offsets) = match (f.bits, m.bits) {
            (Some(w), Some(b)) => (
                format!(":{w}"),
                format!("/* {:5}:{} {:5} */", m.offset, b.bit % 8, m.size),
            ),
            _ => (
                f.c_array_suffix(),
                format!("/* {:5} {:5} */", m.offset, m.size),
            ),
        };
        let ty = match &f.ty {
            FieldType::Scalar(s) => s.c_name().to_string(),
            FieldType::Pointer(p) => p.c_name(family),
            FieldType::Struct(i) => family.struct_(*i).c_type(),
            FieldType::Inline(kind, _) => {
                let tag = f.tag.as_ref().map_or(String::new(), |t| format!(" {t}"));
                rows.push((format!("{indent}{}{tag} {{", kind.c_keyword()), None));
                let sep = if name.is_empty() { "" } else { " " };
                open_unions.push((m.depth, format!("{indent}}}{sep}{name}{array};"), offsets));
                continue;
            }
        };
        // pahole shows the qualifiers DWARF records: `volatile unsigned int lock;`.
        let ty = format!("{}{ty}", f.qualifiers.c_prefix());
        rows.push((format!("{indent}{ty:<15} {name}{array};"), Some(offsets)));
    }
    while let Some((_, decl, offsets)) = open_unions.pop() {
        rows.push((decl, Some(offsets)));
    }
    for h in holes.iter().filter(|h| h.before.is_none()) {
        rows.push((
            match h.bits {
                Some((bit, n)) => format!("\t/* padding: {n} bits at bit {bit} */"),
                None => format!("\t/* padding: {} bytes at offset {} */", h.size, h.offset),
            },
            None,
        ));
    }

    let width = |s: &str| -> usize { s.chars().map(|c| if c == '\t' { 8 } else { 1 }).sum() };
    let column = rows
        .iter()
        .filter(|(_, o)| o.is_some())
        .map(|(d, _)| width(d) + 1)
        .max()
        .unwrap_or(0)
        .max(MIN_COMMENT_COLUMN);
    let mut out = String::new();
    let _ = writeln!(out, "{} {{\t/* {} */", st.c_type(), target.triple);
    for (decl, offsets) in rows {
        match offsets {
            Some(o) => {
                let _ = writeln!(out, "{decl}{}{o}", " ".repeat(column - width(&decl)));
            }
            None => {
                let _ = writeln!(out, "{decl}");
            }
        }
    }
    let hole_bytes: u64 = layout.holes.iter().map(|h| h.size).sum();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "\t/* size: {}, align: {}, members: {} */",
        layout.size, layout.align, members_top
    );
    let _ = writeln!(
        out,
        "\t/* sum members: {}, holes: {}, sum holes: {} */",
        layout.size.saturating_sub(hole_bytes),
        layout.holes.len(),
        hole_bytes
    );
    if let Some(c) = st.convention {
        let _ = writeln!(out, "\t/* size convention: {} */", c.size_field());
    }
    let _ = writeln!(out, "}};");
    out
}

#[cfg(test)]
mod tests {
    use super::{struct_table, table};
    use crate::layout::layout_family;
    use crate::model::TargetId;

    #[test]
    fn a_revision_view_prints_the_table_its_family_laid_out_again_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let schemas = ["../schema", "tests/golden/schema"];
        for c in schemas
            .iter()
            .flat_map(|d| crate::load_dir(&root.join(d)).unwrap())
        {
            for (t, target) in TargetId::all() {
                let fl = layout_family(&c.family, target);
                for (s, _) in c.latest().structs() {
                    assert_eq!(
                        struct_table(c.latest(), s, t),
                        table(&c.family, s, fl.struct_(s), target)
                    );
                }
            }
        }
    }
}
