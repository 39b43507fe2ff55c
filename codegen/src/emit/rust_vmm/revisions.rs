//! `uapigen::revisions`: the schema's revision history as data, so a VMM can tell an older
//! kernel's struct size (what it puts in `size`/`argsz` for that kernel) without the main
//! profile's per-revision modules, which would be a second set of types beside bindgen's.

use crate::Model;

/// The module's text, at the indentation of the `uapigen` module's items; empty for a schema
/// that lists no revision.
pub(super) fn module(m: &Model) -> String {
    let revs: Vec<_> = m.revs().filter_map(|v| Some((v, v.revision()?))).collect();
    if revs.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "    /// The revisions of `<{}>` the schema records, oldest first, and each struct's size in\n    \
         /// each of them on the target being built.\n    \
         pub mod revisions {{\n",
        m.family.header
    );
    out += r#"        /// One revision of the header.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct Revision {
            /// The schema's id of it (the main profile's module name for it).
            pub id: &'static str,
            /// What people call it.
            pub label: &'static str,
        }
        /// A struct through the revisions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct Struct {
            /// The C tag (bindgen's type name).
            pub name: &'static str,
            /// The revision that added it: an index into [`ALL`].
            pub since: usize,
            /// Its size in each revision on the target being built (0 before `since`): what
            /// a user of that revision's header passes as the struct's size.
            pub size: [usize; COUNT],
        }
        /// The struct called `name`.
        pub fn find(name: &str) -> ::std::option::Option<Struct> {
            STRUCTS.iter().find(|s| s.name == name).copied()
        }
"#;
    out += &format!(
        "        /// How many revisions.\n        pub const COUNT: usize = {};\n",
        revs.len()
    );
    out += "        /// The revision the crate's types are: the latest.\n        pub const LATEST: usize = COUNT - 1;\n";
    out +=
        "        /// Every revision, oldest first.\n        pub const ALL: [Revision; COUNT] = [\n";
    for (_, r) in &revs {
        out += &format!(
            "            Revision {{ id: {:?}, label: {:?} }},\n",
            r.id, r.label
        );
    }
    out += "        ];\n";
    let structs: Vec<_> = m.latest().structs().collect();
    for (s, st) in &structs {
        let sizes: Vec<String> = revs
            .iter()
            .map(|(v, _)| {
                if !v.exists(*s) {
                    return "0".to_string();
                }
                // 0 where a struct of some targets (`when`) does not exist.
                let layouts = v.layouts();
                super::per_target(|t| match st.on(t) {
                    true => i128::from(layouts[t.index()].struct_(*s).size),
                    false => 0,
                })
            })
            .collect();
        let since = revs
            .iter()
            .position(|(v, _)| v.exists(*s))
            .unwrap_or_default();
        out += &format!(
            "        /// `struct {0}`.\n        pub const {0}: Struct = Struct {{ name: {0:?}, since: {since}, size: [{1}] }};\n",
            st.name,
            sizes.join(", ")
        );
    }
    // The latest size is the type's on the target being built: the table cannot drift from
    // the types, on any target the crate is built for.
    out += "        const _: () = {\n";
    for (_, st) in &structs {
        if let Some(w) = &st.when {
            out += &format!("            {}\n", super::cfg_attr(&w.arches()));
        }
        out += &format!(
            "            assert!({0}.size[LATEST] == ::std::mem::size_of::<super::super::{0}>());\n",
            st.name
        );
    }
    out += "        };\n";
    out += &format!(
        "        /// Every struct, in the header's order.\n        pub const STRUCTS: [Struct; {}] = [{}];\n    }}\n",
        structs.len(),
        structs
            .iter()
            .map(|(_, st)| st.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    out
}
