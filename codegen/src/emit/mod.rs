//! Emit stage: IR + layouts → the files of `generated/`. Emitters only read the IR.
//! - `c_header`, `c_validate`: the kernel-style uAPI header and the C validators, as their
//!   handlebars templates say (written directly unless a template is overridden: see
//!   [`Templates`]);
//! - `rust`: the `#[repr(C)]` bindings crate, written as `rust_syntax` values and laid out by
//!   `pp` as prettyplease would lay them out.

pub(crate) mod c_caps;
pub mod c_header;
pub mod c_validate;
mod pp;
pub mod rust;
mod rust_caps;
mod rust_syntax;
pub mod rust_validate;
pub mod rust_vmm;

use std::path::Path;

use handlebars::Handlebars;
use serde::Serialize;

use crate::diag::Error;
use crate::ir::Family;

/// The templates the C emitters render. Defaults are compiled in from the crate's own
/// `templates/` (codegen/templates/, so the published crate carries them); a directory given
/// with `--templates` or `Builder::templates` overrides any file it holds.
///
/// A template nobody overrode is not rendered through handlebars: its emitter writes the same
/// text straight from the view (`c_header::write`, `c_validate::write`), since handlebars
/// serialises every view to JSON values first and walks them by name, which made the two C
/// emitters 40 % of a `generate`'s instructions; and a template nobody renders is not parsed
/// (2 % more; the shared `uaccess.h`, one small file a run, still goes through handlebars).
/// The templates stay the
/// documentation of the output and the judge of the direct writers:
/// `codegen/tests/templates.rs` renders every schema of the repository through both
/// ([`Templates::through_handlebars`]) and asserts the same bytes, and so does the `schema`
/// fuzz target on any schema.
pub struct Templates {
    /// The overridden templates (all of them after `through_handlebars`), parsed.
    registry: Handlebars<'static>,
    /// Each built-in template (as `BUILTIN` orders them) on its own, parsed when
    /// [`Templates::render`] is first asked for it and `registry` lacks it.
    builtin: [std::sync::OnceLock<Handlebars<'static>>; 3],
    /// The templates read from an override folder, by name.
    overridden: Vec<&'static str>,
    /// The override folder's text of each overridden template.
    texts: Vec<(&'static str, &'static str, String)>,
    /// Render even the built-in templates through handlebars (the direct writers' judge).
    all_through_handlebars: bool,
}

/// (template name, file name under codegen/templates/ and an override folder, built-in text)
const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "uapi_header.h",
        "uapi_header.h.hbs",
        include_str!("../../templates/uapi_header.h.hbs"),
    ),
    (
        "validate.h",
        "validate.h.hbs",
        include_str!("../../templates/validate.h.hbs"),
    ),
    (
        "uaccess.h",
        "uaccess.h.hbs",
        include_str!("../../templates/uaccess.h.hbs"),
    ),
];

handlebars::handlebars_helper!(comment_sep: |line: str| comment_sep_of(line));

/// What goes between a comment's ` *` and a line of its text: a space, or nothing before a
/// tab (the kernel's ` *\t\t\tstruct vfio_group_status)`; checkpatch refuses a space
/// before a tab).
pub(crate) fn comment_sep_of(line: &str) -> &'static str {
    if line.starts_with('\t') {
        ""
    } else {
        " "
    }
}

/// A registry holding `templates` (name, file, text): strict, no HTML escaping.
fn registry<'a>(
    templates: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> Result<Handlebars<'static>, Error> {
    let mut registry = Handlebars::new();
    // A misspelt variable is an error, not an empty string; C is not HTML.
    registry.set_strict_mode(true);
    registry.register_escape_fn(handlebars::no_escape);
    registry.register_helper("comment_sep", Box::new(comment_sep));
    for (name, file, text) in templates {
        registry
            .register_template_string(name, text)
            .map_err(|e| Error::Template(format!("template {file}: {e}")))?;
    }
    Ok(registry)
}

impl Templates {
    /// The built-in templates, each overridden by a file of the same name in `override_dir`.
    /// An override that is not a valid template is an error here.
    pub fn new(override_dir: Option<&Path>) -> Result<Self, Error> {
        let mut overridden = Vec::new();
        let mut texts = Vec::new();
        for (name, file, _) in BUILTIN {
            if let Some(path) = override_dir.map(|d| d.join(file)).filter(|p| p.exists()) {
                overridden.push(*name);
                texts.push((*name, *file, crate::diag::read_text(&path)?));
            }
        }
        Ok(Templates {
            registry: registry(texts.iter().map(|(n, f, t)| (*n, *f, t.as_str())))?,
            builtin: Default::default(),
            overridden,
            texts,
            all_through_handlebars: false,
        })
    }

    /// The same templates, every one of them rendered through handlebars, the built-in ones
    /// too: what the direct writers are compared with.
    pub fn through_handlebars(mut self) -> Self {
        self.registry = self.every_template();
        self.all_through_handlebars = true;
        self
    }

    /// A registry of every template: the overrides', else the built-in text.
    fn every_template(&self) -> Handlebars<'static> {
        registry(BUILTIN.iter().map(|(name, file, builtin)| {
            let text = self
                .texts
                .iter()
                .find(|(n, _, _)| n == name)
                .map_or(*builtin, |(_, _, t)| t.as_str());
            (*name, *file, text)
        }))
        .expect("the overrides parsed in `new`, the built-in templates in the tests")
    }

    /// Whether template `name` is rendered by handlebars (overridden, or all are), rather
    /// than written directly by its emitter.
    pub(crate) fn uses_handlebars(&self, name: &str) -> bool {
        self.all_through_handlebars || self.overridden.contains(&name)
    }

    /// Template `name` of `view`: through handlebars when it is overridden (or all are),
    /// else by `write`, the emitter's direct text of the built-in template.
    /// `capacity` is about what the text takes (a file of 10,000 structs grew through ten
    /// copies of itself from a fixed 64 KiB).
    pub(crate) fn render_or_write<T: Serialize>(
        &self,
        name: &str,
        view: &T,
        capacity: usize,
        write: fn(&T, &mut String),
    ) -> Result<String, Error> {
        if self.uses_handlebars(name) {
            return self.render(name, view);
        }
        let mut out = String::with_capacity(capacity.max(1 << 16));
        write(view, &mut out);
        Ok(out)
    }

    /// Renders template `name` with `view`.
    pub fn render<T: Serialize>(&self, name: &str, view: &T) -> Result<String, Error> {
        let registry = match BUILTIN.iter().position(|(n, _, _)| *n == name) {
            Some(i) if !self.registry.has_template(name) => self.builtin[i].get_or_init(|| {
                let (name, file, text) = BUILTIN[i];
                registry(std::iter::once((name, file, text)))
                    .expect("the built-in templates parse (the tests render them)")
            }),
            _ => &self.registry,
        };
        registry
            .render(name, view)
            .map_err(|e| Error::Template(format!("template {name}: {e}")))
    }
}

/// Rust `text`'s items at column `col` (a struct's type, impls and layout assertions), each
/// after `attr` (a `#[cfg(...)]` line: a struct of some targets, `Struct::when`). An item
/// begins at the first line of that column after the previous one's last (`}`, `};`, or a
/// line ending in `;`), its docs and attributes first.
pub(crate) fn each_item_under(text: &str, col: usize, attr: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8 * attr.len());
    let mut begins = true;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let at_col = body.len() > col
            && body.as_bytes()[..col].iter().all(|b| *b == b' ')
            && body.as_bytes()[col] != b' ';
        if at_col && begins {
            out.push_str(attr);
            begins = false;
        }
        out.push_str(line);
        let own = &body[col.min(body.len())..];
        if at_col
            && !own.starts_with("///")
            && !own.starts_with("#[")
            && (own.ends_with('}') || own.ends_with(';'))
        {
            begins = true;
        }
    }
    out
}

/// `parts` one after the other: a line of a template written directly.
pub(crate) fn push(out: &mut String, parts: &[&str]) {
    for p in parts {
        out.push_str(p);
    }
}

/// What a template's `{{#if x}}` takes as true of a text: handlebars' truthiness (an empty
/// string is false), for the direct writers.
pub(crate) fn truthy(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| !t.is_empty())
}

/// The line every generated file carries, so tools can find generated files and their source
/// (like YNL's `YNL-GEN` marker). It names the schema file, not a path, so the output does not
/// depend on where uapigen was run from. A character of the file name that cannot be in a
/// comment (a newline, a control character) is written as `?`.
pub fn marker(family: &Family) -> String {
    c_comment(&format!(
        "Generated by uapigen from {}; do not edit.",
        schema_file_text(family)
    ))
}

/// The schema's file name as text of the output: a control character (a newline in a file
/// name) is written as `?`.
pub fn schema_file_text(family: &Family) -> String {
    family
        .schema_file
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Schema text made safe inside a C comment, the one escape every comment of the C emitters
/// applies: `*/` is written `*\/` and `/*` is written `/\*` (so the text can neither end the
/// comment nor warn of a nested one under `-Wall`), and a `\` goes between two `?` (so no
/// trigraph forms: `??/` is a backslash in C11 and could join a line with the next). What
/// escaping cannot fix (control characters, a line ending in a backslash) `resolve` refuses.
/// The flexible array member struct `s` ends in, in revision `view`: its C name and its offset
/// (on x86-64, the validators' target; the check stage keeps it one offset on every ABI).
pub(crate) fn flexible_tail(
    view: crate::model::RevView,
    s: crate::ir::StructId,
) -> Option<(String, u64)> {
    let st = view.get(s);
    let i = st.fields.iter().position(|f| f.flexible.is_some())?;
    let m = view
        .layout(s, crate::model::TargetId::DEFAULT)
        .members
        .iter()
        .find(|m| m.index == [i])?;
    Some((st.fields[i].name.clone()?, m.offset))
}

/// The validators' sentence on a flexible array member: what they copy and what they leave.
pub(crate) fn flexible_tail_text(
    view: crate::model::RevView,
    s: crate::ir::StructId,
) -> Option<String> {
    let (name, offset) = flexible_tail(view, s)?;
    Some(format!(
        "the flexible array {name}[] at offset {offset} is not part of the size: \
         its elements follow the struct in user memory, and the caller copies and checks them"
    ))
}

pub fn c_comment(text: &str) -> String {
    // Without `*`, `/` or `?` there is nothing to escape: the common case, copied whole
    // (checked without stopping early, which the compiler vectorises).
    if text.bytes().fold(true, |plain, b| {
        plain & (b != b'*') & (b != b'/') & (b != b'?')
    }) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut prev = '\0';
    for c in text.chars() {
        // Checked on the output: `*/*` is `*\/\*`, `???` is `?\?\?`.
        if matches!((prev, c), ('*', '/') | ('/', '*') | ('?', '?')) {
            out.push('\\');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// How the generated Rust crate is named and where it finds `uapigen-uaccess`.
#[derive(Debug, Clone)]
pub struct RustCrate {
    /// The package name.
    pub name: String,
    /// Path of the `uaccess` crate, relative to the generated crate's folder.
    pub uaccess_path: String,
}

impl Default for RustCrate {
    fn default() -> Self {
        RustCrate {
            name: DEFAULT_CRATE_NAME.to_string(),
            uaccess_path: DEFAULT_UACCESS_PATH.to_string(),
        }
    }
}

/// The crate name `uapigen generate` gives the Rust bindings unless told otherwise.
pub const DEFAULT_CRATE_NAME: &str = "uapigen-bindings";
/// From `generated/rust` to `uaccess`.
pub const DEFAULT_UACCESS_PATH: &str = "../../uaccess";

impl RustCrate {
    /// Refuses a crate name cargo would refuse, and a path that is not one line of text: the
    /// two are written into `Cargo.toml`. Errors name the option.
    pub fn check(&self) -> Result<(), Error> {
        let name = &self.name;
        let why = if name.is_empty() {
            Some("is empty".to_string())
        } else if name.len() > 64 {
            Some(format!(
                "is {} characters long; cargo allows 64",
                name.len()
            ))
        } else if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            Some(format!(
                "contains {:?}: a crate name is ASCII letters, digits, `-` and `_`",
                c.to_string()
            ))
        } else if name.starts_with(|c: char| c.is_ascii_digit()) {
            Some("starts with a digit".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            return Err(Error::Usage(format!("--crate-name: {name:?} {why}")));
        }
        let path = &self.uaccess_path;
        if path.is_empty() {
            return Err(Error::Usage("--uaccess-path: is empty".into()));
        }
        if let Some(c) = path.chars().find(|c| c.is_control()) {
            return Err(Error::Usage(format!(
                "--uaccess-path: {path:?} contains the control character U+{:04X}",
                c as u32
            )));
        }
        Ok(())
    }
}

/// A TOML basic string: `"`, `\\` and control characters escaped, by the toml crate.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The generated crate's manifest: `core` plus the user-copy primitives. The name and the path
/// are written as TOML strings; `RustCrate::check` has refused what cargo would not take.
/// Doctests are off: schema docs are prose, and rustdoc would compile an indented or fenced
/// block of it as Rust.
pub fn cargo_toml(krate: &RustCrate) -> String {
    format!(
        "# Generated by uapigen; do not edit.\n\
         [package]\n\
         name = {}\n\
         version = \"0.1.0\"\n\
         edition = \"2021\"\n\
         description = \"Rust bindings and validators of uAPI families, generated by uapigen\"\n\
         license = \"MIT OR Apache-2.0\"\n\
         publish = false\n\
         \n\
         [lib]\n\
         doctest = false\n\
         \n\
         [dependencies]\n\
         uapigen-uaccess = {{ path = {} }}\n\
         zerocopy = {{ version = \"0.8\", default-features = false, features = [\"derive\"] }}\n",
        toml_string(&krate.name),
        toml_string(&krate.uaccess_path)
    )
}
