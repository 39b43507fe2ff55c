//! Resolve stage: raw schema → IR. Binds every name (types, flag sets, enums, revisions,
//! placements) to what it refers to and evaluates every constant. Problems are collected, so
//! one run reports all of them.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Error, Source};
use crate::ir::*;
use crate::schema::*;

pub fn resolve(raw: RawSchema, source: Source, schema_file: &str) -> Result<Family, Error> {
    let mut r = Resolver {
        source,
        diags: Diagnostics::default(),
        revisions: Vec::new(),
        constants: HashMap::new(),
    };
    let family = r.family(raw, schema_file);
    r.diags.finish()?;
    Ok(family)
}

struct Resolver {
    source: Source,
    diags: Diagnostics,
    revisions: Vec<Revision>,
    /// Every constant seen so far, by name: (value, span of its definition).
    constants: HashMap<String, (u64, Span)>,
}

/// Top-level schema entries, put back in file order so the header keeps the schema's order.
enum Entry {
    Struct(S<RawStruct>),
    Group(GroupKind, S<RawGroup>),
    Define(S<RawDefine>),
}

impl Entry {
    fn start(&self) -> usize {
        match self {
            Entry::Struct(s) => s.span().start,
            Entry::Group(_, g) => g.span().start,
            Entry::Define(d) => d.span().start,
        }
    }
}

fn is_c_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Resolver {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        let d = Diagnostic::at(&self.source, span, message);
        self.diags.push(d);
    }

    fn error_note(&mut self, span: Span, message: impl Into<String>, note: impl Into<String>) {
        let d = Diagnostic::at(&self.source, span, message).note(note);
        self.diags.push(d);
    }

    fn identifier(&mut self, name: &S<String>, what: &str) -> String {
        if !is_c_identifier(name.get_ref()) {
            self.error(
                name.span(),
                format!("{what} `{}` is not a C identifier", name.get_ref()),
            );
        }
        name.get_ref().clone()
    }

    fn text(opt: &Option<S<String>>) -> Option<String> {
        opt.as_ref().map(|s| s.get_ref().trim_end().to_string())
    }

    fn since(&mut self, since: &Option<S<String>>, default: RevisionIdx) -> RevisionIdx {
        let Some(since) = since else { return default };
        match self.revisions.iter().position(|r| r.id == *since.get_ref()) {
            Some(i) => i,
            None => {
                let known: Vec<_> = self.revisions.iter().map(|r| r.id.as_str()).collect();
                self.error_note(
                    since.span(),
                    format!(
                        "`since` names revision `{}`, which the family does not list",
                        since.get_ref()
                    ),
                    format!("the [[revision]] ids are: {}", known.join(", ")),
                );
                default
            }
        }
    }

    fn family(&mut self, raw: RawSchema, schema_file: &str) -> Family {
        let family_span = raw.family.span();
        let fam = raw.family.into_inner();
        let name = self.identifier(&fam.name, "family name");
        let guard = self.identifier(&fam.guard, "include guard");
        let header = fam.header.get_ref().clone();
        if !header.ends_with(".h") || header.starts_with('/') || header.contains("..") {
            self.error(
                fam.header.span(),
                format!(
                    "header `{header}` must be a relative path ending in .h, like linux/iommu.h"
                ),
            );
        }

        for rev in &raw.revision {
            let id = rev.get_ref().id.get_ref().clone();
            if self.revisions.iter().any(|r| r.id == id) {
                self.error(
                    rev.get_ref().id.span(),
                    format!("revision `{id}` is listed twice"),
                );
                continue;
            }
            let label = rev
                .get_ref()
                .label
                .as_ref()
                .map_or_else(|| id.clone(), |l| l.get_ref().clone());
            self.revisions.push(Revision {
                id,
                label,
                span: rev.span(),
            });
        }
        if self.revisions.is_empty() {
            self.error_note(
                family_span,
                "the family lists no revision",
                "add at least one [[revision]] with an id, e.g. id = \"v5_10\"",
            );
        }

        let mut entries: Vec<Entry> = Vec::new();
        entries.extend(raw.structs.into_iter().map(Entry::Struct));
        entries.extend(
            raw.flags
                .into_iter()
                .map(|g| Entry::Group(GroupKind::Flags, g)),
        );
        entries.extend(
            raw.enums
                .into_iter()
                .map(|g| Entry::Group(GroupKind::Enum, g)),
        );
        entries.extend(raw.defines.into_iter().map(Entry::Define));
        entries.sort_by_key(Entry::start);

        // Group names first: a field may name a flag set or enum defined further down.
        let mut group_names: HashMap<String, (usize, GroupKind, Span)> = HashMap::new();
        let mut n_groups = 0;
        for e in &entries {
            if let Entry::Group(kind, g) = e {
                let gname = g.get_ref().name.get_ref().clone();
                if let Some((_, _, first)) = group_names.get(&gname) {
                    let (line, _) = self.source.line_col(first.start);
                    self.error(
                        g.get_ref().name.span(),
                        format!("`{gname}` is defined twice (first at line {line})"),
                    );
                } else {
                    group_names.insert(gname, (n_groups, *kind, g.get_ref().name.span()));
                }
                n_groups += 1;
            }
        }

        let mut family = Family {
            name,
            source: self.source.clone(),
            schema_file: schema_file.to_string(),
            header,
            guard,
            license: fam.license.get_ref().clone(),
            description: Self::text(&fam.description),
            includes: fam.includes.iter().map(|i| i.get_ref().clone()).collect(),
            revisions: self.revisions.clone(),
            structs: Vec::new(),
            groups: Vec::new(),
            defines: Vec::new(),
            items: Vec::new(),
        };

        for entry in entries {
            match entry {
                Entry::Struct(s) => {
                    let st = self.structure(s, &family, &group_names);
                    family.items.push(ItemRef::Struct(family.structs.len()));
                    family.structs.push(st);
                }
                Entry::Group(kind, g) => {
                    let inside = self.inside(&g.get_ref().inside, &family);
                    let group = self.group(kind, g, inside);
                    let item = ItemRef::Group(family.groups.len());
                    family.groups.push(group);
                    self.place(&mut family, inside, item);
                }
                Entry::Define(d) => {
                    let inside = self.inside(&d.get_ref().inside, &family);
                    if let Some(constant) = self.define(d) {
                        let item = ItemRef::Define(family.defines.len());
                        family.defines.push(Define { constant, inside });
                        self.place(&mut family, inside, item);
                    }
                }
            }
        }
        family
    }

    fn place(&mut self, family: &mut Family, inside: Option<(usize, usize)>, item: ItemRef) {
        match inside {
            Some((s, f)) => family.structs[s].fields[f].before.push(item),
            None => family.items.push(item),
        }
    }

    /// `inside = "struct.field"`: the struct must come earlier in the file.
    fn inside(&mut self, inside: &Option<S<String>>, family: &Family) -> Option<(usize, usize)> {
        let inside = inside.as_ref()?;
        let Some((sname, fname)) = inside.get_ref().split_once('.') else {
            self.error(
                inside.span(),
                format!(
                    "`inside = \"{}\"` must name a struct and one of its fields: \"struct.field\"",
                    inside.get_ref()
                ),
            );
            return None;
        };
        let Some(si) = family.structs.iter().position(|s| s.name == sname) else {
            self.error_note(
                inside.span(),
                format!("`inside` names struct `{sname}`, which is not defined above this point"),
                "a constant placed inside a struct must come after the struct in the schema",
            );
            return None;
        };
        let Some(fi) = family.structs[si]
            .fields
            .iter()
            .position(|f| f.name.as_deref() == Some(fname))
        else {
            self.error(
                inside.span(),
                format!("struct `{sname}` has no top-level field `{fname}`"),
            );
            return None;
        };
        Some((si, fi))
    }

    fn structure(
        &mut self,
        s: S<RawStruct>,
        family: &Family,
        groups: &HashMap<String, (usize, GroupKind, Span)>,
    ) -> Struct {
        let span = s.span();
        let raw = s.into_inner();
        let name = self.identifier(&raw.name, "struct name");
        if let Some(prev) = family.structs.iter().find(|p| p.name == name) {
            let (line, _) = self.source.line_col(prev.name_span.start);
            self.error(
                raw.name.span(),
                format!("struct `{name}` is defined twice (first at line {line})"),
            );
        }
        let convention = raw.convention.as_ref().and_then(|c| match c.get_ref().as_str() {
            "argsz" => Some(Convention::Argsz),
            "size" => Some(Convention::Size),
            other => {
                self.error(
                    c.span(),
                    format!("unknown size convention `{other}`: use \"argsz\" (VFIO style) or \"size\" (copy_struct_from_user style)"),
                );
                None
            }
        });
        let since = self.since(&raw.since, 0);
        let fields_span = raw.fields.span();
        if raw.fields.get_ref().is_empty() {
            self.error(
                fields_span.clone(),
                format!("struct `{name}` has no fields"),
            );
        }
        let mut fields = Vec::new();
        let mut anon = 0;
        for f in raw.fields.into_inner() {
            if let Some(field) = self.field(f, family, groups, since, &mut anon) {
                fields.push(field);
            }
        }
        let mut seen = HashMap::new();
        self.unique_names(&fields, &mut seen, &name);
        Struct {
            name,
            summary: Self::text(&raw.summary),
            doc: Self::text(&raw.doc),
            convention,
            since,
            fields,
            span,
            name_span: raw.name.span(),
        }
    }

    /// Anonymous union members share the enclosing struct's name space, as in C.
    fn unique_names(&mut self, fields: &[Field], seen: &mut HashMap<String, Span>, owner: &str) {
        for f in fields {
            match (&f.name, &f.ty) {
                (None, FieldType::Union(members)) => self.unique_names(members, seen, owner),
                (Some(n), ty) => {
                    if let Some(first) = seen.get(n) {
                        let (line, _) = self.source.line_col(first.start);
                        self.error(
                            f.span.clone(),
                            format!("`{owner}` has two fields named `{n}` (first at line {line})"),
                        );
                    } else {
                        seen.insert(n.clone(), f.span.clone());
                    }
                    if let FieldType::Union(members) = ty {
                        let mut inner = HashMap::new();
                        self.unique_names(members, &mut inner, n);
                    }
                }
                (None, _) => {}
            }
        }
    }

    fn field(
        &mut self,
        f: S<RawField>,
        family: &Family,
        groups: &HashMap<String, (usize, GroupKind, Span)>,
        parent_since: RevisionIdx,
        anon: &mut usize,
    ) -> Option<Field> {
        let span = f.span();
        let raw = f.into_inner();
        let since = self.since(&raw.since, parent_since);
        let ty = match (&raw.ty, raw.union) {
            (Some(_), Some(u)) => {
                self.error(u.span(), "a field has either `type` or `union`, not both");
                return None;
            }
            (None, None) => {
                self.error(span, "a field needs `type` (e.g. \"__u32\" or \"struct iommu_inv_pasid_info\") or `union`");
                return None;
            }
            (Some(t), None) => self.field_type(t, family)?,
            (None, Some(u)) => {
                let uspan = u.span();
                let raw_members = u.into_inner();
                if raw_members.is_empty() {
                    self.error(uspan, "a union needs at least one member");
                    return None;
                }
                let mut members = Vec::new();
                let mut inner_anon = 0;
                for m in raw_members {
                    if let Some(member) = self.field(m, family, groups, since, &mut inner_anon) {
                        members.push(member);
                    }
                }
                FieldType::Union(members)
            }
        };
        let name = match &raw.name {
            Some(n) => Some(self.identifier(n, "field name")),
            None if matches!(ty, FieldType::Union(_)) => None,
            None => {
                self.error(
                    span,
                    "only a union may be anonymous: this field needs a `name`",
                );
                return None;
            }
        };
        if let (None, Some(doc)) = (&name, &raw.doc) {
            self.error_note(
                doc.span(),
                "an anonymous union has no name kernel-doc can document",
                "document its members, or use `comment` for a plain comment above the union",
            );
        }
        let rust_name = match (&raw.rust_name, &name) {
            (Some(r), _) => self.identifier(r, "rust_name"),
            (None, Some(n)) => n.clone(),
            (None, None) => {
                *anon += 1;
                format!("anon{anon}")
            }
        };
        let len = match &raw.len {
            None => None,
            Some(l) if *l.get_ref() >= 1 && *l.get_ref() <= (1 << 20) => Some(*l.get_ref() as u64),
            Some(l) => {
                self.error(
                    l.span(),
                    format!(
                        "array length {} is out of range (1 to 1048576)",
                        l.get_ref()
                    ),
                );
                None
            }
        };
        let mut link = |key: &Option<S<String>>, want: GroupKind| -> Option<usize> {
            let k = key.as_ref()?;
            match groups.get(k.get_ref()) {
                Some((i, kind, _)) if *kind == want => Some(*i),
                Some(_) => {
                    let (expected, other) = match want {
                        GroupKind::Flags => ("flags", "[[enum]]"),
                        GroupKind::Enum => ("enum", "[[flags]] set"),
                    };
                    self.error(
                        k.span(),
                        format!("`{expected} = \"{}\"` names a {other}", k.get_ref()),
                    );
                    None
                }
                None => {
                    let what = match want {
                        GroupKind::Flags => "[[flags]] set",
                        GroupKind::Enum => "[[enum]]",
                    };
                    self.error(
                        k.span(),
                        format!("no {what} named `{}` in this schema", k.get_ref()),
                    );
                    None
                }
            }
        };
        let flags = link(&raw.flags, GroupKind::Flags);
        let values = link(&raw.values, GroupKind::Enum);
        Some(Field {
            name,
            rust_name,
            ty,
            len,
            doc: Self::text(&raw.doc),
            comment: Self::text(&raw.comment),
            since,
            reserved: raw.reserved.as_ref().is_some_and(|r| *r.get_ref()),
            flags,
            values,
            before: Vec::new(),
            span,
        })
    }

    fn field_type(&mut self, t: &S<String>, family: &Family) -> Option<FieldType> {
        let text = t.get_ref().trim();
        if let Some(scalar) = Scalar::from_c_name(text) {
            return Some(FieldType::Scalar(scalar));
        }
        if let Some(sname) = text.strip_prefix("struct ") {
            let sname = sname.trim();
            return match family.structs.iter().position(|s| s.name == sname) {
                Some(i) => Some(FieldType::Struct(i)),
                None => {
                    self.error_note(
                        t.span(),
                        format!("unknown struct `{sname}`"),
                        "a struct must be defined above the first struct that uses it, as in C",
                    );
                    None
                }
            };
        }
        let known: Vec<_> = Scalar::ALL.iter().map(|s| s.c_name()).collect();
        self.error_note(
            t.span(),
            format!("unknown type `{text}`"),
            format!("use one of {}, or \"struct NAME\"", known.join(", ")),
        );
        None
    }

    fn group(
        &mut self,
        kind: GroupKind,
        g: S<RawGroup>,
        inside: Option<(usize, usize)>,
    ) -> ConstGroup {
        let span = g.span();
        let raw = g.into_inner();
        let name = raw.name.get_ref().clone();
        let style = match raw.style.as_ref().map(|s| s.get_ref().as_str()) {
            None if kind == GroupKind::Flags => Style::Define,
            None | Some("enum") => {
                let anonymous = raw.anonymous.as_ref().is_some_and(|a| *a.get_ref());
                Style::Enum {
                    tag: (!anonymous).then(|| self.identifier(&raw.name, "enum tag")),
                }
            }
            Some("define") => Style::Define,
            Some(other) => {
                let s = raw.style.as_ref().unwrap().span();
                self.error(
                    s,
                    format!("unknown style `{other}`: use \"define\" or \"enum\""),
                );
                Style::Define
            }
        };
        let since = self.since(&raw.since, 0);
        if raw.values.get_ref().is_empty() {
            self.error(raw.values.span(), format!("`{name}` has no values"));
        }
        let mut values = Vec::new();
        let mut next: u64 = 0;
        for v in raw.values.into_inner() {
            let vspan = v.span();
            let v = v.into_inner();
            let cname = self.identifier(&v.name, "constant name");
            let given = [v.value.is_some(), v.bit.is_some(), v.alias.is_some()]
                .iter()
                .filter(|b| **b)
                .count();
            let (value, expr) = if given > 1 {
                self.error(
                    vspan.clone(),
                    format!("`{cname}` gives more than one of `value`, `bit` and `alias`"),
                );
                (0, Expr::Implicit)
            } else if let Some(b) = &v.bit {
                (self.bit(b).unwrap_or(0), Expr::Bit(*b.get_ref() as u32))
            } else if let Some(x) = &v.value {
                (self.literal(x), Expr::Literal(self.literal_text(x)))
            } else if let Some(a) = &v.alias {
                (self.reference(a), Expr::Alias(a.get_ref().clone()))
            } else if kind == GroupKind::Flags {
                self.error(
                    vspan.clone(),
                    format!("flag `{cname}` needs `bit = N` (or `value`)"),
                );
                (0, Expr::Implicit)
            } else if style == Style::Define {
                self.error(
                    vspan.clone(),
                    format!("`{cname}` is a #define and needs a `value`"),
                );
                (0, Expr::Implicit)
            } else {
                (next, Expr::Implicit)
            };
            next = value.wrapping_add(1);
            let constant = Constant {
                name: cname,
                value,
                expr,
                doc: Self::text(&v.doc),
                since: self.since(&v.since, since),
                span: vspan,
            };
            self.declare(&constant);
            values.push(constant);
        }
        ConstGroup {
            name,
            kind,
            style,
            summary: Self::text(&raw.summary),
            doc: Self::text(&raw.doc),
            since,
            values,
            inside,
            span,
        }
    }

    fn define(&mut self, d: S<RawDefine>) -> Option<Constant> {
        let span = d.span();
        let raw = d.into_inner();
        let name = self.identifier(&raw.name, "define name");
        let given = [
            raw.value.is_some(),
            raw.bit.is_some(),
            raw.or.is_some(),
            raw.char.is_some(),
            raw.ioctl.is_some(),
            raw.alias.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given != 1 {
            self.error(
                span,
                format!("`{name}` needs exactly one of `value`, `bit`, `or`, `char`, `ioctl`, `alias` (it has {given})"),
            );
            return None;
        }
        let (value, expr) = if let Some(x) = &raw.value {
            (self.literal(x), Expr::Literal(self.literal_text(x)))
        } else if let Some(b) = &raw.bit {
            (self.bit(b).unwrap_or(0), Expr::Bit(*b.get_ref() as u32))
        } else if let Some(or) = &raw.or {
            if or.get_ref().is_empty() {
                self.error(or.span(), "`or` needs at least one constant");
            }
            let mut v = 0;
            for n in or.get_ref() {
                v |= self.reference(n);
            }
            (
                v,
                Expr::Or(or.get_ref().iter().map(|n| n.get_ref().clone()).collect()),
            )
        } else if let Some(c) = &raw.char {
            let mut chars = c.get_ref().chars();
            match (chars.next(), chars.next()) {
                (Some(ch), None) if ch.is_ascii_graphic() && ch != '\'' && ch != '\\' => {
                    (ch as u64, Expr::Char(ch))
                }
                _ => {
                    self.error(
                        c.span(),
                        "`char` must be one printable ASCII character other than ' and \\",
                    );
                    (0, Expr::Implicit)
                }
            }
        } else if let Some(io) = &raw.ioctl {
            let io = io.get_ref();
            let ty = self.reference(&io.ty);
            let nr = self.reference(&io.nr);
            if ty > 0xff || nr > 0xff {
                self.error(
                    span.clone(),
                    "an ioctl's type and number must each fit in 8 bits",
                );
            }
            // _IO(type, nr) on every Linux ABI: dir and size are 0.
            (
                (ty << 8) | nr,
                Expr::Io {
                    ty: io.ty.get_ref().clone(),
                    nr: io.nr.get_ref().clone(),
                },
            )
        } else {
            let a = raw.alias.as_ref().unwrap();
            (self.reference(a), Expr::Alias(a.get_ref().clone()))
        };
        let constant = Constant {
            name,
            value,
            expr,
            doc: Self::text(&raw.doc),
            since: self.since(&raw.since, 0),
            span: raw.name.span(),
        };
        self.declare(&constant);
        Some(constant)
    }

    fn declare(&mut self, c: &Constant) {
        if let Some((_, first)) = self.constants.get(&c.name) {
            let (line, _) = self.source.line_col(first.start);
            self.error(
                c.span.clone(),
                format!(
                    "constant `{}` is defined twice (first at line {line})",
                    c.name
                ),
            );
            return;
        }
        self.constants
            .insert(c.name.clone(), (c.value, c.span.clone()));
    }

    fn reference(&mut self, name: &S<String>) -> u64 {
        match self.constants.get(name.get_ref()) {
            Some((v, _)) => *v,
            None => {
                self.error_note(
                    name.span(),
                    format!("unknown constant `{}`", name.get_ref()),
                    "a constant may only refer to constants defined above it",
                );
                0
            }
        }
    }

    fn bit(&mut self, b: &S<i64>) -> Option<u64> {
        let bit = *b.get_ref();
        if !(0..64).contains(&bit) {
            self.error(b.span(), format!("bit {bit} is out of range (0 to 63)"));
            return None;
        }
        Some(1u64 << bit)
    }

    fn literal(&mut self, x: &S<i64>) -> u64 {
        let v = *x.get_ref();
        if v < 0 {
            self.error(
                x.span(),
                format!("negative value {v}: uAPI constants here are unsigned"),
            );
            return 0;
        }
        v as u64
    }

    /// The integer as the schema wrote it, so `0x80` stays `0x80` in the header.
    fn literal_text(&self, x: &S<i64>) -> String {
        let text = self.source.text.get(x.span()).unwrap_or("");
        let is_c_literal = !text.is_empty()
            && !text.contains('_')
            && (text.chars().all(|c| c.is_ascii_digit())
                && (text == "0" || !text.starts_with('0'))
                || text
                    .strip_prefix("0x")
                    .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit())));
        if is_c_literal {
            text.to_string()
        } else {
            x.get_ref().to_string()
        }
    }
}
