//! `[[define]]` with `string`: a `char` array's define (ethtool.h's `ETHTOOL_GENL_NAME`,
//! vfio.h's `VFIO_DEVICE_API_PCI_STRING`, xattr.h's prefixes joined). Its bytes are read
//! here once (`front::cstring`); an integer expression takes only its `sizeof`.

use super::*;
use crate::front::cstring::{self, Part};

impl Resolver {
    pub(super) fn string_define(&mut self, d: S<RawDefine>) -> Option<StringDefine> {
        let raw = d.into_inner();
        let name = self.identifier(&raw.name, Role::Constant);
        let text = raw.string.as_ref()?;
        if let Some((at, key)) = raw
            .keys_given()
            .into_iter()
            .find(|(_, k)| !matches!(*k, "string" | "since" | "extern"))
        {
            self.error(
                at,
                format!(
                    "`{key}` with `string`: a string define takes only `doc`, `since` and \
                     `extern` beside it"
                ),
            );
            return None;
        }
        let since = self.revs("since", &raw.since, RevSet::one(RevId::FIRST));
        let written = text.get_ref().trim().to_string();
        if let Some(why) = names::refuse_text(&written, "a `string`", true) {
            self.error(text.span(), why);
            return None;
        }
        let parts = match cstring::parse(&written) {
            Err(e) if written.is_empty() => {
                self.error(text.span(), e.message);
                return None;
            }
            Ok(p) => p,
            Err(e) => {
                let at = self.in_string(text, e.at);
                self.error(at, e.message);
                return None;
            }
        };
        let mut bytes = Vec::new();
        let joined = parts.parts.len() > 1;
        for (part, r) in parts.parts {
            match part {
                Part::Literal(b) => bytes.extend(b),
                Part::Name(n) => match self.strings.get(&n) {
                    Some((_, true)) if joined => {
                        let at = self.in_string(text, r);
                        self.error(
                            at,
                            format!(
                                "`{n}` is a string in parentheses: C joins only string literals \
                                 side by side, so it stands alone"
                            ),
                        );
                        return None;
                    }
                    Some((b, _)) => bytes.extend_from_slice(b),
                    None => {
                        let at = self.in_string(text, r);
                        let (why, note) = if self.constants.contains_key(&n) {
                            (
                                format!("`{n}` is an integer constant, no string"),
                                "a string define joins string literals and the string defines \
                                 above it"
                                    .to_string(),
                            )
                        } else {
                            (
                                format!("unknown string define `{n}`"),
                                format!(
                                    "a string define joins string literals and the string \
                                     defines above it; a literal is written in quotes: \
                                     `string = '\"{n}\"'`"
                                ),
                            )
                        };
                        self.error_note(at, why, note);
                        return None;
                    }
                },
            }
        }
        if self.ordinary_name_taken(&name)
            || self.conditional.contains_key(&name)
            || self.struct_index.contains_key(&name)
        {
            self.error(raw.name.span(), format!("`{name}` is defined twice"));
            return None;
        }
        self.strings
            .insert(name.clone(), (bytes.clone(), parts.parenthesized));
        let extern_header = self.extern_header(&raw.extern_header, &format!("string `{name}`"));
        Some(StringDefine {
            name,
            text: written,
            bytes,
            doc: self.text(&raw.doc, "a doc", false),
            since,
            extern_header,
            span: raw.name.span(),
        })
    }
}
