//! What a C header declares itself (not what it includes), as libclang reads it: its structs
//! and unions with every member, its enums and their constants, and its object-like `#define`s
//! whose value is an integer or a string. Names and shapes only, no measures: the comparison with the
//! kernel's real headers (codegen/tests/real_headers.rs) has a C compiler print every size,
//! offset and value, so libclang decides what is measured, never what a measure is.

use std::path::Path;

use super::clang::{
    untagged as anonymous, Cursor, CursorKind, Detail, File, TranslationUnit, Type, TypeKind,
};
use super::clang_proof::{c_args, evaluate_on};
use crate::diag::Error;
use crate::layout::Target;

/// `struct` or `union`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordKind {
    /// `struct NAME`.
    Struct,
    /// `union NAME`.
    Union,
}

impl RecordKind {
    /// The C keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            RecordKind::Struct => "struct",
            RecordKind::Union => "union",
        }
    }
}

/// How a member can be measured: C's `offsetof`/`sizeof` reach all but a bitfield, and
/// `sizeof` does not reach a flexible array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An ordinary member.
    Plain,
    /// A bitfield: measured by its bits, not bytes.
    Bitfield,
    /// A flexible array member (`T x[]`): an offset and no size.
    Flexible,
}

/// A member of a record, named as C's member designator names it from the record: members of
/// an anonymous union or struct by their own name (`fault_id`), members of a named member of
/// anonymous type through it (`granu.addr_info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The designator, for `offsetof(struct NAME, path)`.
    pub path: String,
    /// How to measure it.
    pub shape: Shape,
}

/// A struct or union defined at file scope with a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `struct` or `union`.
    pub kind: RecordKind,
    /// Its tag.
    pub name: String,
    /// Every member, nested members of anonymous types included, in declaration order.
    pub members: Vec<Member>,
}

/// An enumeration constant, and the tag of its enum (None for `enum { ... }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enumerator {
    /// Its name.
    pub name: String,
    /// The enum's tag.
    pub tag: Option<String>,
}

/// An object-like `#define` that C evaluates to an integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Define {
    /// Its name.
    pub name: String,
    /// Written as `_IO(...)`, `_IOR(...)`, `_IOW(...)` or `_IOWR(...)`: an ioctl number.
    pub ioctl: bool,
}

/// Everything a header declares, each kind in the order the header has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declarations {
    /// Tagged structs and unions with a body.
    pub records: Vec<Record>,
    /// The tags of the tagged enums with a body.
    pub enums: Vec<String>,
    /// Every enumeration constant.
    pub enumerators: Vec<Enumerator>,
    /// The integer `#define`s.
    pub defines: Vec<Define>,
    /// The `#define`s of a string (literals and other string defines side by side, as
    /// `front::cstring` reads them, that C takes the `sizeof` of).
    pub strings: Vec<String>,
    /// What is declared but not compared, each with why (a function-like macro, a define
    /// that is not an integer, a typedef ...), for the reader of a report to see.
    pub not_compared: Vec<String>,
    /// The headers it was read after (a schema's `assumes`: linux/sysctl.h's <stddef.h>),
    /// which a program measuring it includes first too.
    pub assumes: Vec<String>,
}

/// The declarations `header` itself makes, its includes found in `include` (searched in
/// order, no system folders), read as on `target`, after the headers of `assumes` (what a
/// program includes before it: a schema's `assumes`).
pub fn declarations(
    header: &Path,
    include: &[&Path],
    target: &Target,
    assumes: &[String],
) -> Result<Declarations, Error> {
    let path = header.display().to_string();
    let mut flags = vec!["-ferror-limit=0"];
    for a in assumes {
        flags.extend(["-include", a.as_str()]);
    }
    let args = c_args(target, include, &flags);
    let Some(tu) = TranslationUnit::parse(&path, None, &args, Detail::Preprocessor)? else {
        return Err(Error::Usage(format!("libclang could not parse {path}")));
    };
    let errors = tu.errors("");
    if !errors.is_empty() {
        return Err(Error::Schema(errors));
    }
    let main = tu.file(&path);
    let mut out = Declarations {
        assumes: assumes.to_vec(),
        ..Declarations::default()
    };
    let mut macros = Vec::new();
    tu.cursor()
        .visit_children(|c| top_level(c, main, &mut out, &mut macros));

    // Which macros are integers is C's to say: a body that is a type, a string or nothing
    // is not compared.
    let names: Vec<String> = macros.iter().map(|(n, ..)| n.clone()).collect();
    let source: String = assumes
        .iter()
        .map(|a| format!("#include <{a}>\n"))
        .chain([format!("{USER_FIRST}#include \"{path}\"\n")])
        .collect();
    let values = evaluate_on(&source, include, &names, target)?;
    // A string's type is an array of `char` (a type's name, `#define BYTE __u8`, is not).
    let is_string =
        |n: &str| format!("__builtin_types_compatible_p(__typeof__({n}), char[sizeof({n})])");
    let tests: Vec<String> = macros
        .iter()
        .filter(|(n, _, body)| {
            values.get(n).copied().flatten().is_none() && crate::front::cstring::parse(body).is_ok()
        })
        .map(|(n, ..)| is_string(n))
        .collect();
    let strings = evaluate_on(&source, include, &tests, target)?;
    for (name, ioctl, _) in macros {
        if values.get(&name).copied().flatten().is_some() {
            out.defines.push(Define { name, ioctl });
        } else if strings.get(&is_string(&name)).copied().flatten() == Some(1) {
            out.strings.push(name);
        } else {
            out.not_compared.push(format!(
                "#define {name}: not an integer constant expression"
            ));
        }
    }
    Ok(out)
}

/// What a program using a uAPI header may include before it: many headers write `_IO(...)`,
/// `_BITUL(n)` or `__GENMASK(h, l)` and leave <linux/ioctl.h>, <linux/const.h> or
/// <linux/bits.h> (with <asm/bitsperlong.h>, which it reads) to their user, as
/// linux/dvb/audio.h, linux/prctl.h and linux/pci_regs.h do; their values are integers only
/// then. And <stddef.h>'s `offsetof`, which linux/fuse.h's `FUSE_NAME_OFFSET` calls.
pub const USER_FIRST: &str =
    "#if __has_include(<linux/ioctl.h>)\n#include <linux/ioctl.h>\n#endif\n\
     #if __has_include(<linux/const.h>)\n#include <linux/const.h>\n#endif\n\
     #if __has_include(<asm/bitsperlong.h>)\n#include <asm/bitsperlong.h>\n#endif\n\
     #if __has_include(<linux/bits.h>)\n#include <linux/bits.h>\n#endif\n\
     #ifndef offsetof\n#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)\n#endif\n";

fn top_level(
    c: Cursor<'_>,
    main: Option<File<'_>>,
    out: &mut Declarations,
    macros: &mut Vec<(String, bool, String)>,
) {
    if c.location().expansion().file != main {
        return;
    }
    let name = c.spelling();
    match c.kind() {
        CursorKind::Struct | CursorKind::Union | CursorKind::Enum if c.is_definition() => {
            definition(c, out);
        }
        CursorKind::MacroDefinition => {
            let tokens = c.tokens();
            if c.is_function_like_macro() {
                out.not_compared
                    .push(format!("#define {name}(...): a function-like macro"));
            } else if tokens.len() > 1 {
                let ioctl = matches!(tokens[1].as_str(), "_IO" | "_IOR" | "_IOW" | "_IOWR");
                macros.push((name, ioctl, c.macro_body()));
            }
            // An empty body is the include guard or a flag for #ifdef: no value to compare.
        }
        CursorKind::MacroExpansion | CursorKind::Inclusion => {}
        CursorKind::Struct | CursorKind::Union | CursorKind::Enum => {
            if !c.is_definition() {
                out.not_compared.push(format!(
                    "{} {name}: a declaration without a body",
                    c.kind_spelling()
                ));
            }
            // An untagged record at file scope declares nothing a program can name.
        }
        _ => out
            .not_compared
            .push(format!("{} {name}", c.kind_spelling())),
    }
}

/// A struct, union or enum defined at file scope, or within one: C gives a tag declared
/// inside a struct file scope (6.1's linux/cn_proc.h's `enum what { ... } what;`,
/// `struct fork_proc_event { ... } fork;`), so each is listed and measured as one at file
/// scope is, and so is each enum's constants.
fn definition(c: Cursor<'_>, out: &mut Declarations) {
    let name = c.spelling();
    if c.kind() == CursorKind::Enum {
        let tag = (!anonymous(&name)).then_some(name);
        out.enums.extend(tag.clone());
        c.visit_children(|e| {
            if e.kind() == CursorKind::EnumConstant {
                out.enumerators.push(Enumerator {
                    name: e.spelling(),
                    tag: tag.clone(),
                });
            }
        });
        return;
    }
    // An untagged record at file scope declares nothing a program can name; one within a
    // struct is reached through its members.
    if !anonymous(&name) {
        let kind = if c.kind() == CursorKind::Struct {
            RecordKind::Struct
        } else {
            RecordKind::Union
        };
        let mut members = Vec::new();
        members_of(c.ty(), "", &mut members);
        out.records.push(Record {
            kind,
            name,
            members,
        });
    }
    c.visit_children(|k| {
        if matches!(
            k.kind(),
            CursorKind::Struct | CursorKind::Union | CursorKind::Enum
        ) && k.is_definition()
        {
            definition(k, out);
        }
    });
}

/// The members of record type `ty`, designated from the outermost record through `prefix`.
fn members_of(ty: Type<'_>, prefix: &str, out: &mut Vec<Member>) {
    ty.visit_fields(|f| {
        let name = f.spelling();
        let fty = f.ty().canonical();
        // A member of anonymous record type is reached through it; a named record type's
        // members are that record's own, compared where it is declared.
        let inline = fty.kind() == TypeKind::Record && anonymous(&fty.declaration().spelling());
        if anonymous(&name) {
            if inline {
                members_of(fty, prefix, out);
            }
            return;
        }
        let path = format!("{prefix}{name}");
        let shape = if f.bit_width().is_some() {
            Shape::Bitfield
        } else if fty.kind() == TypeKind::IncompleteArray {
            Shape::Flexible
        } else {
            Shape::Plain
        };
        out.push(Member {
            path: path.clone(),
            shape,
        });
        if inline {
            members_of(fty, &format!("{path}."), out);
        }
    });
}
