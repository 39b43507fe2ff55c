//! kernel-doc comments (`@member: text`): a struct's and its members' docs.

use super::*;

/// A kernel-doc comment: `struct NAME - summary`, `@member: text` lines (continued by
/// indented lines), then the description.
pub(super) struct KernelDoc {
    pub(super) summary: Option<String>,
    pub(super) params: Vec<(String, String)>,
    pub(super) body: Option<String>,
}

pub(super) fn kernel_doc(doc: &str, name: &str) -> KernelDoc {
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
pub(super) fn give_docs(fields: &mut [Field], prefix: &str, params: &[(String, String)]) {
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
        if let Some((_, ms)) = &mut f.inline {
            give_docs(ms, &path, params);
        }
    }
}
