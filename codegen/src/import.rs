//! `uapigen import HEADER.h`: libclang reads an existing uAPI header and writes a schema
//! skeleton — structs (nested, named and anonymous unions, arrays), enums, `#define` integer
//! constants (a define inside a struct is placed `inside` it, above the field that follows),
//! doc comments — for a human to finish (size conventions, flag links, rules, revisions).

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::fmt::Write as _;
use std::path::Path;

use clang_sys::*;

use crate::clang_proof::{cx_string, errors, load, KernelTypes};
use crate::diag::Error;
use crate::ir::Scalar;

#[derive(Debug, Clone)]
struct Field {
    /// The flag set the bit defines above it make (filled in by `render`).
    flags: Option<String>,
    name: Option<String>,
    ty: Option<String>,
    len: Option<u64>,
    union: Option<Vec<Field>>,
    doc: Option<String>,
    offset: u32,
}

#[derive(Debug, Clone)]
enum Item {
    Struct {
        name: String,
        doc: Option<String>,
        fields: Vec<Field>,
        start: u32,
        end: u32,
    },
    Enum {
        name: Option<String>,
        doc: Option<String>,
        values: Vec<(String, i64)>,
    },
    Define {
        name: String,
        value: String,
        offset: u32,
    },
    /// A define in a form the importer does not read: listed for the author.
    Skipped { name: String },
}

struct State {
    main_file: CXFile,
    items: Vec<(u32, Item)>,
}

/// The comment text without its `/* */` or `/** */` markers and leading ` * `.
fn clean_comment(raw: &str) -> Option<String> {
    let body = raw
        .trim()
        .trim_start_matches("/**")
        .trim_start_matches("/*")
        .trim_end_matches("*/");
    let lines: Vec<String> = body
        .lines()
        .map(|l| {
            let t = l.trim_start();
            t.strip_prefix("* ")
                .or_else(|| t.strip_prefix('*'))
                .unwrap_or(t)
                .trim_end()
                .to_string()
        })
        .collect();
    let joined = lines.join("\n").trim().to_string();
    (!joined.is_empty()).then_some(joined)
}

unsafe fn doc_of(c: CXCursor) -> Option<String> {
    clean_comment(&unsafe { cx_string(clang_Cursor_getRawCommentText(c)) })
}

unsafe fn offset_of(c: CXCursor) -> (CXFile, u32) {
    let mut file: CXFile = std::ptr::null_mut();
    let mut off = 0u32;
    unsafe {
        clang_getSpellingLocation(
            clang_getCursorLocation(c),
            &mut file,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut off,
        );
    }
    (file, off)
}

/// A field's type as the schema writes it: a scalar's name, `struct NAME`, or a union.
unsafe fn field_of(c: CXCursor) -> Field {
    unsafe {
        let name = cx_string(clang_getCursorSpelling(c));
        let anonymous = name.is_empty() || name.contains("(anonymous");
        let mut ty = clang_getCursorType(c);
        let mut len = None;
        if ty.kind == CXType_ConstantArray {
            len = Some(clang_getArraySize(ty) as u64);
            ty = clang_getArrayElementType(ty);
        }
        let spelled = cx_string(clang_getTypeSpelling(ty));
        let decl = clang_getTypeDeclaration(clang_getCanonicalType(ty));
        let (_, offset) = offset_of(c);
        let doc = doc_of(c);
        if clang_getCursorKind(decl) == CXCursor_UnionDecl {
            let mut members: Vec<Field> = Vec::new();
            clang_Type_visitFields(
                clang_getCanonicalType(ty),
                collect_field,
                &mut members as *mut Vec<Field> as *mut c_void,
            );
            return Field {
                flags: None,
                name: (!anonymous).then_some(name),
                ty: None,
                len,
                union: Some(members),
                doc,
                offset,
            };
        }
        // `__aligned_u64` is a macro: `__u64` plus an `aligned` attribute on the field.
        let mut aligned = false;
        clang_visitChildren(c, find_aligned, &mut aligned as *mut bool as *mut c_void);
        let aligned = aligned && spelled.trim() == "__u64";
        let ty_name = if aligned {
            "__aligned_u64".to_string()
        } else if Scalar::from_c_name(spelled.trim()).is_some() {
            spelled.trim().to_string()
        } else if clang_getCursorKind(decl) == CXCursor_StructDecl {
            format!("struct {}", cx_string(clang_getCursorSpelling(decl)))
        } else {
            spelled.trim().to_string()
        };
        Field {
            flags: None,
            name: Some(name),
            ty: Some(ty_name),
            len,
            union: None,
            doc,
            offset,
        }
    }
}

extern "C" fn find_aligned(
    c: CXCursor,
    _parent: CXCursor,
    data: CXClientData,
) -> CXChildVisitResult {
    // SAFETY: `data` is the bool handed to clang_visitChildren.
    let found = unsafe { &mut *(data as *mut bool) };
    if unsafe { clang_getCursorKind(c) } == CXCursor_AlignedAttr {
        *found = true;
    }
    CXChildVisit_Continue
}

extern "C" fn collect_field(c: CXCursor, data: CXClientData) -> CXVisitorResult {
    // SAFETY: `data` is the Vec<Field> handed to clang_Type_visitFields.
    let fields = unsafe { &mut *(data as *mut Vec<Field>) };
    fields.push(unsafe { field_of(c) });
    CXVisit_Continue
}

extern "C" fn collect_enum(
    c: CXCursor,
    _parent: CXCursor,
    data: CXClientData,
) -> CXChildVisitResult {
    // SAFETY: `data` is the Vec handed to clang_visitChildren.
    let values = unsafe { &mut *(data as *mut Vec<(String, i64)>) };
    unsafe {
        if clang_getCursorKind(c) == CXCursor_EnumConstantDecl {
            values.push((
                cx_string(clang_getCursorSpelling(c)),
                clang_getEnumConstantDeclValue(c),
            ));
        }
    }
    CXChildVisit_Continue
}

/// A define's value as schema text (`value = 1`, `bit = 3`, `char = ";"`), if it is a plain
/// integer, `(1 << N)`, or a character.
unsafe fn define_value(tu: CXTranslationUnit, c: CXCursor) -> Option<String> {
    unsafe {
        let mut tokens: *mut CXToken = std::ptr::null_mut();
        let mut n = 0u32;
        clang_tokenize(tu, clang_getCursorExtent(c), &mut tokens, &mut n);
        let words: Vec<String> = (1..n)
            .map(|i| cx_string(clang_getTokenSpelling(tu, *tokens.add(i as usize))))
            .collect();
        clang_disposeTokens(tu, tokens, n);
        let w: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|t| *t != "(" && *t != ")")
            .collect();
        let int = |t: &str| -> Option<u64> {
            let t = t.trim_end_matches(['U', 'u', 'L', 'l']);
            match t.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).ok(),
                None => t.parse().ok(),
            }
        };
        match w.as_slice() {
            [v] if int(v).is_some() => Some(format!("value = {}", int(v)?)),
            [one, "<<", n] if int(one) == Some(1) => Some(format!("bit = {}", int(n)?)),
            [ch] if ch.len() == 3 && ch.starts_with('\'') => {
                Some(format!("char = \"{}\"", &ch[1..2]))
            }
            ["_IO", ty, ",", nr] => Some(format!("ioctl = {{ type = \"{ty}\", nr = \"{nr}\" }}")),
            [id] if id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                Some(format!("alias = \"{id}\""))
            }
            ids if ids.len() >= 3 && ids.iter().skip(1).step_by(2).all(|t| *t == "|") => {
                let names: Vec<String> =
                    ids.iter().step_by(2).map(|t| format!("\"{t}\"")).collect();
                Some(format!("or = [{}]", names.join(", ")))
            }
            _ => None,
        }
    }
}

extern "C" fn collect_top(
    c: CXCursor,
    _parent: CXCursor,
    data: CXClientData,
) -> CXChildVisitResult {
    // SAFETY: `data` is the State handed to clang_visitChildren.
    let state = unsafe { &mut *(data as *mut State) };
    unsafe {
        let (file, offset) = offset_of(c);
        if clang_File_isEqual(file, state.main_file) == 0 {
            return CXChildVisit_Continue;
        }
        let kind = clang_getCursorKind(c);
        if kind == CXCursor_StructDecl && clang_isCursorDefinition(c) != 0 {
            let mut fields: Vec<Field> = Vec::new();
            clang_Type_visitFields(
                clang_getCursorType(c),
                collect_field,
                &mut fields as *mut Vec<Field> as *mut c_void,
            );
            let range = clang_getCursorExtent(c);
            let (mut s, mut e) = (0u32, 0u32);
            clang_getSpellingLocation(
                clang_getRangeStart(range),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut s,
            );
            clang_getSpellingLocation(
                clang_getRangeEnd(range),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut e,
            );
            let item = Item::Struct {
                name: cx_string(clang_getCursorSpelling(c)),
                doc: doc_of(c),
                fields,
                start: s,
                end: e,
            };
            state.items.push((offset, item));
        } else if kind == CXCursor_EnumDecl && clang_isCursorDefinition(c) != 0 {
            let mut values: Vec<(String, i64)> = Vec::new();
            clang_visitChildren(
                c,
                collect_enum,
                &mut values as *mut Vec<(String, i64)> as *mut c_void,
            );
            let name = cx_string(clang_getCursorSpelling(c));
            let name =
                (!name.is_empty() && !name.contains("(anonymous") && !name.contains("unnamed"))
                    .then_some(name);
            state.items.push((
                offset,
                Item::Enum {
                    name,
                    doc: doc_of(c),
                    values,
                },
            ));
        } else if kind == CXCursor_MacroDefinition && clang_Cursor_isMacroFunctionLike(c) == 0 {
            let name = cx_string(clang_getCursorSpelling(c));
            let tu = clang_Cursor_getTranslationUnit(c);
            match define_value(tu, c) {
                Some(value) => state.items.push((
                    offset,
                    Item::Define {
                        name,
                        value,
                        offset,
                    },
                )),
                None => state.items.push((offset, Item::Skipped { name })),
            }
        }
    }
    CXChildVisit_Continue
}

/// A kernel-doc comment: `struct NAME - summary`, `@member: text` lines (continued by
/// indented lines), then the description.
struct KernelDoc {
    summary: Option<String>,
    params: Vec<(String, String)>,
    body: Option<String>,
}

fn kernel_doc(doc: &str, name: &str) -> KernelDoc {
    let mut lines = doc.lines().peekable();
    let head = format!("struct {name} - ");
    let summary = match lines.peek() {
        Some(first) if first.starts_with(&head) => {
            let s = first[head.len()..].trim().to_string();
            lines.next();
            Some(s)
        }
        _ => None,
    };
    if summary.is_none() {
        return KernelDoc {
            summary: None,
            params: Vec::new(),
            body: Some(doc.to_string()),
        };
    }
    let mut params: Vec<(String, String)> = Vec::new();
    let mut body = Vec::new();
    for line in lines {
        if !body.is_empty() || (line.trim().is_empty() && !params.is_empty()) {
            body.push(line.to_string());
        } else if let Some(rest) = line.strip_prefix('@') {
            if let Some((p, text)) = rest.split_once(':') {
                params.push((p.trim().to_string(), text.trim().to_string()));
            }
        } else if let Some(last) = params.last_mut() {
            last.1.push('\n');
            last.1.push_str(line.trim());
        }
    }
    let body = body.join("\n").trim().to_string();
    KernelDoc {
        summary,
        params,
        body: (!body.is_empty()).then_some(body),
    }
}

/// Field docs from `@name` (or `@union.member`) lines, where the field has none of its own.
fn give_docs(fields: &mut [Field], prefix: &str, params: &[(String, String)]) {
    for f in fields {
        let path = match (&f.name, prefix.is_empty()) {
            (Some(n), true) => n.clone(),
            (Some(n), false) => format!("{prefix}.{n}"),
            (None, _) => prefix.to_string(),
        };
        if f.doc.is_none() && f.name.is_some() {
            f.doc = params
                .iter()
                .find(|(p, _)| *p == path || f.name.as_deref() == Some(p.as_str()))
                .map(|(_, t)| t.clone());
        }
        if let Some(ms) = &mut f.union {
            give_docs(ms, &path, params);
        }
    }
}

fn quote(s: &str) -> String {
    if s.contains('\n') || s.contains('"') {
        format!(
            "\"\"\"\n{}\"\"\"",
            s.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
        )
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\"))
    }
}

fn field_toml(f: &Field, indent: &str, out: &mut String) {
    let mut parts = Vec::new();
    if let Some(n) = &f.name {
        parts.push(format!("name = \"{n}\""));
    }
    if let Some(t) = &f.ty {
        parts.push(format!("type = \"{t}\""));
    }
    if let Some(n) = f.len {
        parts.push(format!("len = {n}"));
    }
    if let Some(g) = &f.flags {
        parts.push(format!("flags = \"{g}\""));
    }
    if let Some(d) = &f.doc {
        parts.push(format!("doc = {}", quote(d)));
    }
    match &f.union {
        None => {
            let _ = writeln!(out, "{indent}{{ {} }},", parts.join(", "));
        }
        Some(members) => {
            parts.push("union = [".to_string());
            let _ = writeln!(out, "{indent}{{ {}", parts.join(", "));
            for m in members {
                field_toml(m, &format!("{indent}    "), out);
            }
            let _ = writeln!(out, "{indent}  ] }},");
        }
    }
}

/// Reads `header` (its own `#include <linux/types.h>` etc. resolved against uapigen's kernel
/// type definitions and `include`) and returns a schema skeleton for it.
pub fn import(header: &Path, include: &[&Path], family: &str) -> Result<String, Error> {
    import_structs(header, include, family, &[])
}

/// Like `import`, keeping only the named structs (and the structs they embed); enums and
/// defines are all kept. An empty list keeps everything.
pub fn import_structs(
    header: &Path,
    include: &[&Path],
    family: &str,
    only: &[String],
) -> Result<String, Error> {
    load()?;
    let types = KernelTypes::new()?;
    let stub = types.dir.clone();
    let io = |p: &Path, e: std::io::Error| Error::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let source = std::fs::read_to_string(header).map_err(|e| io(header, e))?;
    let mut args: Vec<std::ffi::CString> = [
        "-x",
        "c",
        "-std=c11",
        "-nostdinc",
        "-fparse-all-comments",
        "--target=x86_64-linux-gnu",
    ]
    .iter()
    .map(|a| std::ffi::CString::new(*a).unwrap_or_default())
    .collect();
    for dir in std::iter::once(stub.as_path()).chain(include.iter().copied()) {
        args.push(std::ffi::CString::new("-I").unwrap_or_default());
        args.push(std::ffi::CString::new(dir.display().to_string()).unwrap_or_default());
    }
    let argv: Vec<*const std::os::raw::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    let path = std::ffi::CString::new(header.display().to_string()).unwrap_or_default();
    let mut state = State {
        main_file: std::ptr::null_mut(),
        items: Vec::new(),
    };
    // SAFETY: the arguments outlive the translation unit; callbacks get pointers to locals.
    let result = unsafe {
        let index = clang_createIndex(0, 0);
        let tu = clang_parseTranslationUnit(
            index,
            path.as_ptr(),
            argv.as_ptr(),
            argv.len() as i32,
            std::ptr::null_mut(),
            0,
            CXTranslationUnit_DetailedPreprocessingRecord,
        );
        let r = if tu.is_null() {
            Err(Error::Usage(format!(
                "libclang could not parse {}",
                header.display()
            )))
        } else {
            let errors = errors(tu);
            if errors.is_empty() {
                state.main_file = clang_getFile(tu, path.as_ptr());
                clang_visitChildren(
                    clang_getTranslationUnitCursor(tu),
                    collect_top,
                    &mut state as *mut State as *mut c_void,
                );
                Ok(())
            } else {
                Err(Error::Usage(format!(
                    "{} does not compile:\n{}",
                    header.display(),
                    errors.join("\n")
                )))
            }
        };
        if !tu.is_null() {
            clang_disposeTranslationUnit(tu);
        }
        clang_disposeIndex(index);
        r
    };
    drop(types);
    result?;
    if !only.is_empty() {
        let missing: Vec<&String> = only
            .iter()
            .filter(|n| {
                !state
                    .items
                    .iter()
                    .any(|(_, i)| matches!(i, Item::Struct { name, .. } if name == *n))
            })
            .collect();
        if !missing.is_empty() {
            return Err(Error::Usage(format!(
                "{} defines no struct {}",
                header.display(),
                missing
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        // Keep the named structs and, transitively, the structs they embed.
        let mut keep: Vec<String> = only.to_vec();
        let mut i = 0;
        while i < keep.len() {
            let name = keep[i].clone();
            if let Some((_, Item::Struct { fields, .. })) = state
                .items
                .iter()
                .find(|(_, it)| matches!(it, Item::Struct { name: n, .. } if *n == name))
            {
                let mut stack: Vec<&Field> = fields.iter().collect();
                while let Some(f) = stack.pop() {
                    if let Some(t) = f.ty.as_deref().and_then(|t| t.strip_prefix("struct ")) {
                        if !keep.iter().any(|k| k == t) {
                            keep.push(t.to_string());
                        }
                    }
                    if let Some(ms) = &f.union {
                        stack.extend(ms.iter());
                    }
                }
            }
            i += 1;
        }
        state
            .items
            .retain(|(_, it)| !matches!(it, Item::Struct { name, .. } if !keep.contains(name)));
    }
    Ok(render(family, header, &source, state.items))
}

fn render(family: &str, header: &Path, source: &str, mut items: Vec<(u32, Item)>) -> String {
    items.sort_by_key(|(o, _)| *o);
    let guard = source
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("#ifndef ")
                .map(|g| g.trim().to_string())
        })
        .unwrap_or_else(|| format!("_UAPI_{}_H", family.to_uppercase()));
    let license = source
        .lines()
        .find_map(|l| {
            l.split("SPDX-License-Identifier:")
                .nth(1)
                .map(|r| r.trim().trim_end_matches("*/").trim().to_string())
        })
        .unwrap_or_else(|| "GPL-2.0 WITH Linux-syscall-note".to_string());
    let includes: Vec<String> = source
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("#include <")
                .and_then(|r| r.strip_suffix('>'))
                .map(str::to_string)
        })
        .collect();
    let file = header
        .file_name()
        .map_or("header.h".to_string(), |f| f.to_string_lossy().into_owned());
    let mut out = String::new();
    let _ = writeln!(out, "# Imported from {file} by `uapigen import`: a skeleton. Add each struct's size convention,");
    let _ = writeln!(out, "# flag and enum links, rules and revisions by hand.\n");
    let _ = writeln!(out, "[family]\nname = \"{family}\"\nheader = \"linux/{file}\"\nguard = \"{guard}\"\nlicense = \"{license}\"");
    let _ = writeln!(
        out,
        "includes = [{}]\n",
        includes
            .iter()
            .map(|i| format!("\"{i}\""))
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
                ..
            } => Some((name.clone(), *start, *end, fields.clone())),
            _ => None,
        })
        .collect();
    let guard_name = guard.clone();
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
    let mut flag_sets: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for (_, item) in &items {
        if let Item::Define {
            name,
            value,
            offset,
        } = item
        {
            if let (true, Some(at)) = (value.starts_with("bit = "), place(*offset)) {
                flag_sets
                    .entry(at)
                    .or_default()
                    .push((name.clone(), value.clone()));
            }
        }
    }
    let set_name = |(s, f): &(String, String)| format!("{s}_{f}_flags");
    for (_, item) in &mut items {
        if let Item::Struct { name, fields, .. } = item {
            for f in fields.iter_mut() {
                let key = (name.clone(), f.name.clone().unwrap_or_default());
                if flag_sets.contains_key(&key) {
                    f.flags = Some(set_name(&key));
                }
            }
        }
    }
    let mut emitted_sets: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeMap::new();
    for (_, item) in items {
        match item {
            Item::Struct {
                name,
                doc,
                mut fields,
                ..
            } => {
                let _ = writeln!(out, "\n[[struct]]\nname = \"{name}\"");
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
                    field_toml(f, "  ", &mut out);
                }
                let _ = writeln!(out, "]");
            }
            Item::Skipped { name } => {
                if name != guard_name {
                    let _ = writeln!(out, "\n# #define {name}: not a form `uapigen import` reads (integer, 1 << n, char, OR, _IO, name); add it by hand");
                }
            }
            Item::Enum { name, doc, values } => {
                let tag = name
                    .clone()
                    .unwrap_or_else(|| format!("anonymous_enum_{}", seen.len()));
                seen.insert(tag.clone(), ());
                let _ = writeln!(out, "\n[[enum]]\nname = \"{tag}\"");
                if name.is_none() {
                    let _ = writeln!(out, "anonymous = true");
                }
                if let Some(d) = doc {
                    let _ = writeln!(out, "doc = {}", quote(&d));
                }
                let _ = writeln!(out, "values = [");
                for (i, (n, v)) in values.iter().enumerate() {
                    // A second name for a value is an alias, as the schema writes it.
                    match values[..i].iter().find(|(_, w)| w == v) {
                        Some((first, _)) => {
                            let _ = writeln!(out, "  {{ name = \"{n}\", alias = \"{first}\" }},");
                        }
                        None => {
                            let _ = writeln!(out, "  {{ name = \"{n}\", value = {v} }},");
                        }
                    }
                }
                let _ = writeln!(out, "]");
            }
            Item::Define {
                name,
                value,
                offset,
            } => {
                if name == guard_name {
                    continue;
                }
                let at = place(offset);
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
                        for (n, v) in &flag_sets[key] {
                            let _ = writeln!(out, "  {{ name = \"{n}\", {v} }},");
                        }
                        let _ = writeln!(out, "]");
                    }
                    continue;
                }
                let _ = writeln!(out, "\n[[define]]\nname = \"{name}\"");
                if let Some((s, f)) = at {
                    let _ = writeln!(out, "inside = \"{s}.{f}\"");
                }
                let _ = writeln!(out, "{value}");
            }
        }
    }
    out
}
