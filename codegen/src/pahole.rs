//! `uapigen layout`: a pahole-style table of a struct on one target — offset and size of every
//! member, union members indented under their union, holes called out.

use std::fmt::Write;

use crate::ir::*;
use crate::layout::{field_at, StructLayout, Target};

const COMMENT_COLUMN: usize = 48;

pub fn table(family: &Family, si: usize, layout: &StructLayout, target: &Target) -> String {
    let st = &family.structs[si];
    let mut out = String::new();
    let _ = writeln!(out, "struct {} {{\t/* {} */", st.name, target.triple);
    let mut holes = layout.holes.clone();
    holes.sort_by_key(|h| h.offset);
    let mut open_unions: Vec<(usize, String)> = Vec::new();
    let mut members_top = 0;
    for m in &layout.members {
        // Close unions we have left.
        while open_unions.last().is_some_and(|(d, _)| *d >= m.depth) {
            let (d, line) = open_unions.pop().unwrap();
            let _ = writeln!(out, "{}", line);
            let _ = d;
        }
        for h in holes.iter().filter(|h| h.before.as_deref() == Some(m.path.as_str())) {
            let _ = writeln!(out, "{}/* hole: {} bytes at offset {} */", "\t".repeat(m.depth + 1), h.size, h.offset);
        }
        if m.depth == 0 {
            members_top += 1;
        }
        let f = field_at(st, &m.index).expect("layout member points at a field");
        let indent = "\t".repeat(m.depth + 1);
        let name = f.name.clone().unwrap_or_default();
        let array = f.len.map_or(String::new(), |n| format!("[{n}]"));
        let offsets = format!("/* {:5} {:5} */", m.offset, m.size);
        if let FieldType::Union(_) = f.ty {
            let _ = writeln!(out, "{indent}union {{");
            let close = format!("{indent}}}{}{array};", if name.is_empty() { String::new() } else { format!(" {name}") });
            open_unions.push((m.depth, pad(&close, m.depth) + &offsets));
            continue;
        }
        let ty = match &f.ty {
            FieldType::Scalar(s) => s.c_name().to_string(),
            FieldType::Struct(i) => format!("struct {}", family.structs[*i].name),
            FieldType::Union(_) => unreachable!(),
        };
        let decl = format!("{indent}{ty:<15} {name}{array};");
        let _ = writeln!(out, "{}{}", pad(&decl, m.depth), offsets);
    }
    while let Some((_, line)) = open_unions.pop() {
        let _ = writeln!(out, "{}", line);
    }
    for h in holes.iter().filter(|h| h.before.is_none()) {
        let _ = writeln!(out, "\t/* padding: {} bytes at offset {} */", h.size, h.offset);
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
        layout.size - hole_bytes,
        layout.holes.len(),
        hole_bytes
    );
    if let Some(c) = st.convention {
        let _ = writeln!(out, "\t/* size convention: {} */", c.size_field());
    }
    let _ = writeln!(out, "}};");
    out
}

/// Pads a declaration (tabs count as 8 columns) to where the offset comment starts.
fn pad(decl: &str, _depth: usize) -> String {
    let width: usize = decl.chars().map(|c| if c == '\t' { 8 } else { 1 }).sum();
    if width >= COMMENT_COLUMN {
        format!("{decl} ")
    } else {
        format!("{decl}{}", " ".repeat(COMMENT_COLUMN - width))
    }
}
