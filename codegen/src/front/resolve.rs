//! Resolve stage: raw schema → IR. Binds every name (types, flag sets, enums, revisions,
//! placements) to what it refers to and evaluates every constant. Problems are collected, so
//! one run reports all of them.

use crate::diag::{Diagnostic, Diagnostics, Error, Source};
use crate::front::cexpr::{self, CType, CValue};
use crate::front::decl_macro;
use crate::ir::*;
use crate::names::{self, FxMap, FxSet, Role};
use crate::schema::*;

mod caps;
mod payload;
mod strings;

/// The resolve stage: names to indices, values evaluated, every mistake located.
pub fn resolve(raw: RawSchema, source: Source, schema_file: &str) -> Result<Family, Error> {
    let mut r = Resolver {
        source,
        diags: Diagnostics::default(),
        revisions: Vec::new(),
        constants: FxMap::default(),
        struct_index: FxMap::default(),
        unions: FxSet::default(),
        ends: FxMap::default(),
        ioctls: FxSet::default(),
        macros: FxMap::default(),
        decl_macros: FxMap::default(),
        includes: Vec::new(),
        assumes: Vec::new(),
        enum_types: FxMap::default(),
        enum_typedefs: FxMap::default(),
        member_enums: FxMap::default(),
        typedefs: FxMap::default(),
        typedef_lens: FxMap::default(),
        fn_typedefs: FxSet::default(),
        typedef_aligned: FxMap::default(),
        type_aliases: FxMap::default(),
        inline_tags: FxSet::default(),
        typedef_structs: FxSet::default(),
        struct_camels: None,
        incomplete: Vec::new(),
        functions: Vec::new(),
        conditional: FxMap::default(),
        conditional_values: FxMap::default(),
        big_endian_values: FxMap::default(),
        conditional_tags: FxMap::default(),
        powerpc_values: FxMap::default(),
        evaluating_on: None,
        strings: FxMap::default(),
        packed_macros: FxMap::default(),
        structs_of_some_targets: false,
        opaque_now: false,
        c_only: false,
    };
    // The includes written below a constant, bound once every constant is known.
    let afters: Vec<(String, S<String>)> = raw
        .family
        .get_ref()
        .includes
        .iter()
        .filter_map(|i| match i.get_ref() {
            RawInclude::After(a) => Some((a.header.clone(), S::new(i.span(), a.after.clone()))),
            RawInclude::Top(_) => None,
        })
        .collect();
    let mut family = r.family(raw, schema_file);
    family.incomplete = std::mem::take(&mut r.incomplete);
    family.functions = std::mem::take(&mut r.functions);
    for (header, after) in afters {
        // A constant the header writes at file scope: a define (linux/mptcp.h includes
        // <linux/mptcp_pm.h> after a string define) or a value of a set there.
        let top = family
            .items
            .iter()
            .filter(|i| !family.is_extern(**i))
            .any(|item| match item {
                ItemRef::Define(d) => family.define(*d).constant.name == *after.get_ref(),
                ItemRef::String(i) => family.strings[i.0].name == *after.get_ref(),
                ItemRef::Group(g) => {
                    let g = family.group(*g);
                    g.decl != EnumDecl::Member
                        && g.inside.is_none()
                        && g.values.iter().any(|c| c.name == *after.get_ref())
                }
                _ => false,
            });
        if top {
            family
                .includes_after
                .push((header, after.get_ref().clone()));
        } else {
            r.error_note(
                after.span(),
                format!(
                    "`after = {:?}`: no constant of that name at file scope",
                    after.get_ref()
                ),
                "an include is written below a `[[define]]` or a set's value the header writes \
                 outside any struct",
            );
        }
    }
    // An enum declared as a member's type is declared nowhere else: one member names it.
    for (name, (g, _, used)) in std::mem::take(&mut r.member_enums) {
        if used.is_none() {
            let span = family.group(g).span.clone();
            r.error(
                span,
                format!(
                    "enum `{name}` is declared as a member's type (`member = true`), and no \
                     member has `type = \"enum {name}\"`"
                ),
            );
        }
    }
    if r.diags.is_empty() {
        // Names that are each fine but become one identifier of the output.
        for d in names::collisions(&family) {
            r.diags.push(d);
        }
    }
    r.diags.finish()?;
    Ok(family)
}

struct Resolver {
    source: Source,
    diags: Diagnostics,
    revisions: Vec<Revision>,
    /// Every constant seen so far, by name: (value, span of its definition, its value and
    /// type as C has them, for the expressions that use it).
    constants: FxMap<String, (u64, Span, [CValue; 2])>,
    /// Every struct defined so far, by name: its index (the first, if defined twice).
    struct_index: FxMap<String, StructId>,
    /// The names of `struct_index` that are unions (`[[union]]`).
    unions: FxSet<String>,
    /// For defines: where their current definition begins and ends (a sentinel's `until`).
    ends: FxMap<String, (RevSet, RevSet)>,
    /// The ioctl numbers and their aliases: their value is the architecture's encoding, so no
    /// other constant's value may be computed from them.
    ioctls: FxSet<String>,
    /// The function-like macros defined so far, for the expressions below them.
    macros: FxMap<String, cexpr::Macro>,
    /// The declaring `[[macro]]`s above (`Field::declared_by`): id, parameters, body.
    decl_macros: FxMap<String, (MacroId, Vec<String>, String)>,
    /// The family's `includes`: the headers an `extern` item may come from.
    includes: Vec<String>,
    /// The family's `assumes`: what a `size_t` member needs.
    assumes: Vec<String>,
    /// The tagged C enums defined so far, by tag: a member may have their type.
    enum_types: FxMap<String, (GroupId, crate::ir::EnumRepr)>,
    /// The enums declared as a typedef's type (`typedef enum { ... } NAME;`), by NAME.
    enum_typedefs: FxMap<String, (GroupId, crate::ir::EnumRepr)>,
    /// The enums declared as a member's type (`member = true`), by the group's name, with
    /// the member that names it once one does.
    member_enums: FxMap<String, (GroupId, crate::ir::EnumRepr, Option<Span>)>,
    /// The typedefs defined so far, by name: a member may have their type.
    typedefs: FxMap<String, (TypedefId, FieldType, Option<(String, GroupId)>)>,
    /// The lengths of the typedefs of arrays among them (`typedef __u8 dvd_challenge[10];`).
    typedef_lens: FxMap<String, u64>,
    /// The typedefs of a function type among them (`typedef void __signalfn_t(int);`): only a
    /// pointer may name one.
    fn_typedefs: FxSet<String>,
    /// The defines that stand for a type, keyword and tag (`COFF_FILHDR`: `struct
    /// COFF_filehdr`).
    type_aliases: FxMap<String, String>,
    /// The alignments of the aligned typedefs among them (`vring_desc_t`), and whether each
    /// lowers its type's (`packed_ulong`).
    typedef_aligned: FxMap<String, (Aligned, bool)>,
    /// The tags of inline unions and structs (`tag`), which no other struct may take.
    inline_tags: FxSet<String>,
    /// The structs and unions without a tag (`typedef = true`), named by their typedef.
    typedef_structs: FxSet<String>,
    /// The tags `incomplete` pointers name (`Family::incomplete`).
    incomplete: Vec<String>,
    /// The functions pointer members point to (`Family::functions`).
    functions: Vec<FnSig>,
    /// The defines under `when`: the targets that have one of the name, where the first is.
    conditional: FxMap<String, (u64, Span)>,
    /// Their values, per definition: the targets it is on and its value there.
    conditional_values: FxMap<String, Vec<(u64, [CValue; 2])>>,
    /// The constants whose value differs on a big-endian target (`Expr::C::big_endian`):
    /// that value, which an expression over them has there.
    big_endian_values: FxMap<String, CValue>,
    /// The `tag` defines under `when`: the targets that have one of the name.
    conditional_tags: FxMap<String, u64>,
    /// The constants whose value differs on a target that encodes ioctl numbers as powerpc
    /// does (an ioctl number with a direction, `Expr::C::powerpc`): that value.
    powerpc_values: FxMap<String, CValue>,
    /// The targets of the define under `when` being evaluated: it may name a define under
    /// `when` on all of them (x86's asm/processor-flags.h's `X86_CR4_FRED` of
    /// `X86_CR4_FRED_BIT`, both under `#ifdef __x86_64__`).
    evaluating_on: Option<u64>,
    /// The macros of `packed_by` so far, with their conditions.
    packed_macros: FxMap<String, String>,
    /// Whether a struct above has a `when` or `unless`: then what names a struct is checked
    /// to exist wherever that struct does.
    structs_of_some_targets: bool,
    /// The struct being resolved has `rust_opaque`: its unions may hold named bitfields,
    /// which no Rust type spells.
    opaque_now: bool,
    /// The string defines so far, by name: their bytes (without the final NUL), and whether
    /// the define puts them in parentheses.
    strings: FxMap<String, (Vec<u8>, bool)>,
    /// `c_only = true`: C++ keywords may be names.
    c_only: bool,
    /// The Rust type names of the structs so far (their CamelCase), with the struct's name:
    /// what a typedef's Rust alias may not take. None until a typedef or tag asks
    /// (`struct_camels()`), so that schemas without them compute no CamelCase here.
    struct_camels: Option<FxMap<String, String>>,
}

/// The constants and structs a schema defines, by name: what a `#define` may name below it.
struct Below {
    constants: FxSet<String>,
    structs: FxSet<String>,
}

/// The struct, union or typedef an ioctl's argument type names: `tagged_name`'s, or a bare
/// name (`drm_i915_init_t`).
fn type_name(c: &str) -> Option<String> {
    let t = c.trim();
    tagged_name(t).or_else(|| {
        (!t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| t.to_string())
    })
}

/// GNU C's `[0]` (`len = 0`) before another member of a struct is a zero-length array, no
/// flexible array member: 0 bytes where it stands (linux/usb/video.h's `baSourceID[0]`, before
/// `iSelector`), as a length constant of 0 makes one. The last member's stays flexible.
fn zero_length_arrays(fields: &mut [Field]) {
    let n = fields.len();
    for (i, f) in fields.iter_mut().enumerate() {
        if f.flexible == Some(Flexible::ZeroLength) && i + 1 < n {
            f.flexible = None;
            f.len = Some(0);
        }
        if let FieldType::Inline(Aggregate::Struct, ms) = &mut f.ty {
            zero_length_arrays(ms);
        }
    }
}

/// The most any target aligns `ty` by its own members (their `aligned` and a struct's
/// `packed`, `aligned` and `pack` included): at least what C gives it everywhere.
fn most_aligned(family: &Family, ty: &FieldType) -> u64 {
    fn fields(family: &Family, fs: &[Field]) -> u64 {
        fs.iter()
            .map(|f| {
                // An aligned typedef sets its members' alignment, lower or higher.
                let own = match (f.typedef_aligned, f.aligned) {
                    (true, Some(n)) => n,
                    _ => most_aligned(family, &f.ty).max(f.aligned.unwrap_or(1)),
                };
                f.pack.map_or(own, |n| own.min(n))
            })
            .max()
            .unwrap_or(1)
    }
    let targets = crate::model::layout::TARGETS;
    match ty {
        FieldType::Scalar(sc) => targets
            .iter()
            .map(|t| t.scalar_align(*sc))
            .max()
            .unwrap_or(1),
        FieldType::Pointer(_) => targets.iter().map(|t| t.pointer_size()).max().unwrap_or(1),
        FieldType::Struct(id) => {
            let st = family.struct_(*id);
            // Packed, a member keeps only its own `aligned` (and `__aligned_u64`'s 8), not its
            // typedef's, which is its type's.
            let members = if st.packed {
                st.fields
                    .iter()
                    .map(|f| {
                        let own = matches!(f.ty, FieldType::Scalar(sc) if sc.is_aligned_64());
                        let aligned = f.aligned.filter(|_| !f.typedef_aligned);
                        aligned.unwrap_or(1).max(if own { 8 } else { 1 })
                    })
                    .max()
                    .unwrap_or(1)
            } else {
                fields(family, &st.fields)
            };
            members.max(st.aligned.unwrap_or(1))
        }
        FieldType::Inline(_, ms) => fields(family, ms),
    }
}

/// The structs `fields` name (as a member's type, an array's element, a pointer's pointee or
/// a function pointer's parameter), at any depth, each with the member's span.
fn struct_refs(fields: &[Field], functions: &[FnSig], out: &mut Vec<(Span, StructId)>) {
    for f in fields {
        type_struct_refs(&f.ty, &f.span, functions, out);
    }
}

/// The structs type `ty` names, as `struct_refs`, each at `at`.
fn type_struct_refs(
    ty: &FieldType,
    at: &Span,
    functions: &[FnSig],
    out: &mut Vec<(Span, StructId)>,
) {
    match ty {
        FieldType::Struct(j) => out.push((at.clone(), *j)),
        FieldType::Pointer(p) => match p.to {
            Pointee::Struct(j) => out.push((at.clone(), j)),
            Pointee::Function(i) => {
                let sig = &functions[i];
                for (t, _) in sig.ret.iter().chain(&sig.params) {
                    type_struct_refs(t, at, functions, out);
                }
            }
            _ => {}
        },
        FieldType::Inline(_, ms) => struct_refs(ms, functions, out),
        FieldType::Scalar(_) => {}
    }
}

/// The targets that have an item, a bit each (`When::on`).
fn targets_mask(on: &[bool]) -> u64 {
    on.iter()
        .enumerate()
        .fold(0, |m, (i, o)| m | (u64::from(*o) << i))
}

/// The struct or union an ioctl's argument type names (`struct X`, `const union X *`,
/// `struct X[2]`): X.
fn tagged_name(c: &str) -> Option<String> {
    let rest = c
        .split_once("struct ")
        .or_else(|| c.split_once("union "))
        .map(|(_, r)| r)?;
    let n: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!n.is_empty()).then_some(n)
}

/// The slot of a define evaluated later, in the header's order; replaced by then (or the
/// schema is refused).
fn placeholder(d: &RawDefine) -> Define {
    Define {
        constant: Constant {
            name: d.name.get_ref().clone(),
            value: 0,
            expr: Expr::Implicit,
            doc: None,
            comment: None,
            since: RevSet::one(RevId::FIRST),
            sentinel: false,
            libc_compat: None,
            when: None,
            redefined: None,
            span: d.name.span(),
        },
        inside: None,
        until: RevSet::EMPTY,
        sentinel: false,
        removed: None,
        extern_header: None,
        ifndef: false,
        arg: None,
    }
}

/// The parts of a `[[struct]]` that describe its validation, kept until every constant is known.
struct ValidationParts {
    convention_span: Option<Span>,
    convention_change: Option<S<Vec<S<RawConventionChange>>>>,
    min_size: Option<S<RawSizeRef>>,
    min_size_when: Option<S<Vec<S<RawMinSizeWhen>>>>,
    data_type: Option<S<String>>,
    rules: Vec<S<RawRule>>,
    payload: Option<Box<S<RawPayload>>>,
    payloads: Option<S<Vec<S<RawPayloadCase>>>>,
    name_span: Span,
}

/// Top-level schema entries, put back in file order so the header keeps the schema's order.
enum Entry {
    /// A `[[struct]]`, or a `[[union]]` (true).
    Struct(S<RawStruct>, bool),
    Group(GroupKind, S<RawGroup>),
    Define(S<RawDefine>),
    Macro(S<RawMacro>),
    Typedef(S<RawTypedef>),
}

impl Entry {
    fn start(&self) -> usize {
        match self {
            Entry::Struct(s, _) => s.span().start,
            Entry::Group(_, g) => g.span().start,
            Entry::Define(d) => d.span().start,
            Entry::Macro(m) => m.span().start,
            Entry::Typedef(t) => t.span().start,
        }
    }
}

impl Resolver {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        let d = self.unknown_why(Diagnostic::at(&self.source, span, message));
        self.diags.push(d);
    }

    fn error_note(&mut self, span: Span, message: impl Into<String>, note: impl Into<String>) {
        let d = self.unknown_why(Diagnostic::at(&self.source, span, message).note(note));
        self.diags.push(d);
    }

    /// A constant's value for an expression: one on every target, or, for a define under
    /// `when` being evaluated (`evaluating_on`), one under `when` on each of its targets; or,
    /// for one on every target, the one value in `model` of defines under `when` that cover
    /// its targets between them (asm-generic/socket.h's `SO_TIMESTAMP`, one define on 64-bit
    /// ABIs and another elsewhere, which `SCM_TIMESTAMP` names).
    fn value_of(&self, name: &str, model: usize) -> Option<CValue> {
        if let Some((.., cv)) = self.constants.get(name) {
            return Some(cv[model]);
        }
        let defs = self.conditional_values.get(name)?;
        if let Some(on) = self.evaluating_on {
            return defs
                .iter()
                .find(|(mask, _)| on & !mask == 0)
                .map(|(_, cv)| cv[model]);
        }
        let long = [4, 8][model];
        let want = crate::model::layout::TARGETS
            .iter()
            .enumerate()
            .filter(|(_, t)| t.long_size == long)
            .fold(0u64, |m, (i, _)| m | 1 << i);
        let mut value = None;
        let mut covered = 0;
        for (mask, cv) in defs.iter().filter(|(mask, _)| mask & want != 0) {
            if value.is_some_and(|v| v != cv[model]) {
                return None;
            }
            value = Some(cv[model]);
            covered |= mask & want;
        }
        value.filter(|_| covered == want)
    }

    /// An unknown constant that a define under `when` names, or a string define: why it is
    /// not known here.
    fn unknown_why(&self, d: Diagnostic) -> Diagnostic {
        let named = d
            .message
            .strip_prefix("unknown constant `")
            .and_then(|r| r.split_once('`'))
            .map(|(n, _)| n.to_string());
        match named {
            Some(n) if self.strings.contains_key(&n) => Diagnostic {
                message: format!(
                    "`{n}` is a string define: an integer expression takes only its \
                     `sizeof({n})`"
                ),
                ..d
            },
            Some(n)
                if self.conditional.get(&n).is_some_and(|(mask, _)| {
                    *mask == targets_mask(&[true; crate::model::layout::TARGETS.len()])
                }) =>
            {
                d.note(format!(
                    "`{n}` is defined under `when` and `unless`, with two values on targets of \
                     one data model: a constant on every target names it only where it has one \
                     value per data model"
                ))
            }
            Some(n) if self.conditional.contains_key(&n) => d.note(format!(
                "`{n}` is defined under `when` or `unless`: not on every target, so no other \
                 constant, rule or flag may use it"
            )),
            _ => d,
        }
    }

    /// A name, checked against the identifier policy (`names`) for what it names.
    fn identifier(&mut self, name: &S<String>, role: Role) -> String {
        if let Some(why) = names::refuse_in(name.get_ref(), role, self.c_only) {
            self.error(name.span(), why);
        }
        name.get_ref().clone()
    }

    /// `extern = "..."`: one of the family's `includes`, which defines the item the generated
    /// header then does not write again; or of its `assumes`, which a program includes first
    /// (linux/sockios.h's `sizeof(struct timeval)`, <sys/time.h>'s).
    fn extern_header(&mut self, raw: &Option<S<String>>, what: &str) -> Option<String> {
        let h = raw.as_ref()?;
        let known = |l: &[String]| l.iter().any(|i| i == h.get_ref());
        if !known(&self.includes) && !known(&self.assumes) {
            self.error_note(
                h.span(),
                format!(
                    "{what} is `extern = {:?}`, which is not one of the family's `includes` \
                     or `assumes`",
                    h.get_ref()
                ),
                "the generated header includes the header an extern item comes from (or a \
                 program includes it first): add it to `includes` (or `assumes`)",
            );
        }
        Some(h.get_ref().clone())
    }

    /// `libc_compat = "CONDITION"`: a preprocessor condition over <linux/libc-compat.h>'s
    /// `__UAPI_DEF_*` macros and integers (`!`, `==`, `!=`, `&&`, `||`, parentheses), which
    /// the family must include; written on one line, its words one space apart. Not on an
    /// `extern` copy, which its own header writes.
    fn libc_compat(&mut self, raw: &Option<S<String>>, extern_: bool) -> Option<String> {
        let c = raw.as_ref()?;
        let text = c.get_ref();
        if extern_ {
            self.error(
                c.span(),
                "`libc_compat` on an `extern` copy: its own header writes the condition",
            );
            return None;
        }
        if let Err(why) = libc_compat_condition(text) {
            self.error_note(
                c.span(),
                format!("`libc_compat = {text:?}` {why}"),
                "a condition is <linux/libc-compat.h>'s `__UAPI_DEF_*` macros and integers \
                 joined by `!`, `==`, `!=`, `&&`, `||` and parentheses \
                 (`__UAPI_DEF_IF_IFREQ`, `__UAPI_DEF_A != 0 || __UAPI_DEF_B != 0`)",
            );
            return None;
        }
        if !self.includes.iter().any(|i| i == "linux/libc-compat.h") {
            self.error_note(
                c.span(),
                "`libc_compat` tests <linux/libc-compat.h>'s macros, which the family does not \
                 include",
                "add \"linux/libc-compat.h\" to `includes`",
            );
        }
        Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Free text (docs, summaries, labels), checked against the text policy (`names`).
    fn text(&mut self, opt: &Option<S<String>>, what: &str, one_line: bool) -> Option<String> {
        let s = opt.as_ref()?;
        if let Some(why) = names::refuse_text(s.get_ref(), what, one_line) {
            self.error(s.span(), why);
        }
        // An empty doc is no doc: the emitters then give their own (a C definition).
        Some(s.get_ref().trim_end().to_string()).filter(|t| !t.trim().is_empty())
    }

    /// The revision `id` names, or an error at `span` listing the family's revisions.
    fn rev_id(&mut self, key: &str, id: &str, span: Span) -> Option<RevId> {
        match self.revisions.iter().position(|r| r.id == id) {
            Some(i) => Some(RevId(i)),
            None => {
                let known: Vec<_> = self.revisions.iter().map(|r| r.id.as_str()).collect();
                self.error_note(
                    span,
                    format!("`{key}` names revision `{id}`, which the family does not list"),
                    format!("the [[revision]] ids are: {}", known.join(", ")),
                );
                None
            }
        }
    }

    /// `since`/`until`/`fixed`: one revision, or one per line of history the change reached.
    /// Two on one line would say the same thing twice, or contradict each other: refused.
    fn revs(&mut self, key: &str, raw: &Option<S<RawRevs>>, default: RevSet) -> RevSet {
        let Some(raw) = raw else { return default };
        // Borrowed, not cloned: every `since` of every field comes here.
        let ids: Vec<(&str, Span)> = match raw.get_ref() {
            RawRevs::One(id) => vec![(id.as_str(), raw.span())],
            RawRevs::Many(ids) => ids
                .iter()
                .map(|i| (i.get_ref().as_str(), i.span()))
                .collect(),
        };
        if ids.is_empty() {
            self.error(raw.span(), format!("`{key}` lists no revision"));
            return default;
        }
        let mut set = RevSet::EMPTY;
        for (id, span) in ids {
            let Some(r) = self.rev_id(key, id, span.clone()) else {
                return default;
            };
            let line = self.revisions[r.0].line;
            if let Some(other) = set
                .iter()
                .find(|&o| line.contains(o) || self.revisions[o.0].line.contains(r))
            {
                let other = self.revisions[other.0].id.clone();
                self.error_note(
                    span,
                    format!("`{key}` lists `{other}` and `{id}`, one of which has the other's changes"),
                    "list one revision per line of history: the mainline revision, and each stable branch's own",
                );
                return default;
            }
            set = set.with(r);
        }
        set
    }

    /// An `until` for an item that begins at `since`: each of its revisions must come after
    /// one of `since`'s on its own line.
    fn until(&mut self, raw: &Option<S<RawRevs>>, since: RevSet, what: &str) -> RevSet {
        let until = self.revs("until", raw, RevSet::EMPTY);
        if let Some(raw) = raw {
            for u in until.iter() {
                if since.contains(u) || !since.meets(self.revisions[u.0].line) {
                    let id = self.revisions[u.0].id.clone();
                    self.error(
                        raw.span(),
                        format!("`until` names `{id}`, which does not come after the {what}'s `since` on its line of history"),
                    );
                }
            }
        }
        until
    }

    fn family(&mut self, raw: RawSchema, schema_file: &str) -> Family {
        let family_span = raw.family.span();
        let fam = raw.family.into_inner();
        let name = self.identifier(&fam.name, Role::Family);
        let guard = self.identifier(&fam.guard, Role::Guard);
        let header = fam.header.get_ref().clone();
        // The header is a file name and an `#include <...>`: nothing but a plain relative path.
        match names::refuse_path(&header) {
            Some(why) => self.error(
                fam.header.span(),
                format!("header {header:?} {why}: write a relative path like linux/iommu.h"),
            ),
            None if !header.ends_with(".h") => self.error(
                fam.header.span(),
                format!(
                    "header `{header}` must be a relative path ending in .h, like linux/iommu.h"
                ),
            ),
            // The validators include <uapigen/...> from the same include path: a uAPI header
            // there would replace uapigen's own (uapigen/uaccess.h).
            None if header.split('/').next() == Some("uapigen") => self.error(
                fam.header.span(),
                format!(
                    "header `{header}` is in uapigen/, where uapigen's own headers are: \
                     put a uAPI header in its kernel folder, like linux/iommu.h"
                ),
            ),
            None => {}
        }
        self.includes = fam
            .includes
            .iter()
            .map(|i| i.get_ref().header().to_string())
            .collect();
        for a in &fam.assumes {
            if let Some(why) = names::refuse_path(a.get_ref()) {
                self.error(
                    a.span(),
                    format!(
                        "`assumes` {:?} {why}: write a header path like stddef.h",
                        a.get_ref()
                    ),
                );
            }
        }
        self.assumes = fam.assumes.iter().map(|a| a.get_ref().clone()).collect();
        for inc in &fam.includes {
            if let Some(why) = names::refuse_path(inc.get_ref().header()) {
                self.error(
                    inc.span(),
                    format!(
                        "include {:?} {why}: write a header path like linux/types.h",
                        inc.get_ref().header()
                    ),
                );
            }
        }
        if let Some(why) = names::refuse_license(fam.license.get_ref()) {
            self.error(
                fam.license.span(),
                format!("license {:?} {why}", fam.license.get_ref()),
            );
        }
        let description = self.text(&fam.description, "the description", false);
        let proposal = self.text(&fam.proposal, "the proposal note", true);
        self.c_only = fam.c_only.as_ref().is_some_and(|c| *c.get_ref());

        for rev in &raw.revision {
            // The id names a Rust module and a C enum constant of the generated code.
            let id = self.identifier(&rev.get_ref().id, Role::Revision);
            if self.revisions.iter().any(|r| r.id == id) {
                self.error(
                    rev.get_ref().id.span(),
                    format!("revision `{id}` is listed twice"),
                );
                continue;
            }
            let label = self
                .text(&rev.get_ref().label, "a revision's label", true)
                .unwrap_or_else(|| id.clone());
            if self.revisions.len() == RevSet::CAPACITY {
                self.error(
                    rev.span(),
                    format!("a family lists at most {} revisions", RevSet::CAPACITY),
                );
                break;
            }
            let base = match &rev.get_ref().base {
                Some(b) => match self.rev_id("base", b.get_ref(), b.span()) {
                    Some(r) => Some(r),
                    None => continue,
                },
                None => None,
            };
            let me = RevId(self.revisions.len());
            let parent = base.or_else(|| {
                self.revisions
                    .iter()
                    .rposition(|r| r.base.is_none())
                    .map(RevId)
            });
            let line = parent
                .map_or(RevSet::EMPTY, |p| self.revisions[p.0].line)
                .with(me);
            self.revisions.push(Revision {
                id,
                label,
                base,
                parent,
                line,
                span: rev.span(),
            });
        }
        match self.revisions.last() {
            None => self.error_note(
                family_span,
                "the family lists no revision",
                "add at least one [[revision]] with an id, e.g. id = \"v5_10\"",
            ),
            // The latest revision is what the headers and bindings describe: mainline's.
            Some(last) if last.base.is_some() => {
                let id = last.id.clone();
                let span = raw.revision.last().and_then(|r| r.get_ref().base.as_ref());
                let span = span.map_or(last.span.clone(), |b| b.span());
                self.error_note(
                    span,
                    format!(
                        "the last revision listed, `{id}`, is a stable branch's (it has a `base`)"
                    ),
                    "list the family's latest mainline revision last: the headers describe it",
                );
            }
            Some(_) => {}
        }

        let mut entries: Vec<Entry> = Vec::new();
        entries.extend(raw.structs.into_iter().map(|s| Entry::Struct(s, false)));
        entries.extend(raw.unions.into_iter().map(|s| Entry::Struct(s, true)));
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
        entries.extend(raw.macros.into_iter().map(Entry::Macro));
        entries.extend(raw.typedefs.into_iter().map(Entry::Typedef));
        entries.sort_by_key(Entry::start);

        // Group names first: a field may name a flag set or enum defined further down.
        let mut group_names: FxMap<String, (GroupId, GroupKind, Span)> = FxMap::default();
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
                    group_names.insert(gname, (GroupId(n_groups), *kind, g.get_ref().name.span()));
                }
                n_groups += 1;
            }
        }

        let mut family = Family {
            name,
            source: std::sync::Arc::new(self.source.clone()),
            schema_file: schema_file.to_string(),
            header,
            header_span: fam.header.span(),
            guard,
            guard_span: fam.guard.span(),
            license: fam.license.get_ref().clone(),
            description,
            proposal,
            c_only: self.c_only,
            includes: fam
                .includes
                .iter()
                .map(|i| i.get_ref().header().to_string())
                .collect(),
            includes_after: Vec::new(),
            assumes: self.assumes.clone(),
            revisions: self.revisions.clone(),
            structs: Vec::new(),
            groups: Vec::new(),
            defines: Vec::new(),
            macros: Vec::new(),
            typedefs: Vec::new(),
            tag_aliases: Vec::new(),
            strings: Vec::new(),
            incomplete: Vec::new(),
            functions: Vec::new(),
            items: Vec::new(),
            revision: None,
        };

        // What the schema defines, for the defines that name something below them.
        let below = Below {
            constants: entries
                .iter()
                .flat_map(|e| match e {
                    Entry::Define(d) => vec![d.get_ref().name.get_ref().clone()],
                    Entry::Group(_, g) => g
                        .get_ref()
                        .values
                        .get_ref()
                        .iter()
                        .map(|v| v.get_ref().name.get_ref().clone())
                        .collect(),
                    _ => Vec::new(),
                })
                .collect(),
            structs: entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Struct(s, _) => Some(s.get_ref().name.get_ref().clone()),
                    // A typedef's name stands for its type (i915_drm.h's ioctls of
                    // `drm_i915_batchbuffer_t`, defined below them).
                    Entry::Typedef(t) => Some(t.get_ref().name.get_ref().clone()),
                    _ => None,
                })
                .collect(),
        };
        let mut deferred: Vec<(usize, S<RawDefine>, Option<(StructId, usize)>)> = Vec::new();
        let mut pending = Vec::new();
        let mut pending_caps = Vec::new();
        for entry in entries {
            match entry {
                Entry::Struct(mut s, union) => {
                    let chain = (s.get_mut().caps.take(), s.get_mut().capability.take());
                    if union {
                        // What a union cannot be: the kernel copies structs by a size
                        // convention and walks capabilities of structs.
                        let r = s.get_ref();
                        let keys = [
                            (r.convention.as_ref().map(|c| c.span()), "a size convention"),
                            (r.min_size.as_ref().map(|m| m.span()), "`min_size`"),
                            (r.rules.first().map(|x| x.span()), "`rules`"),
                            (chain.0.as_ref().map(|c| c.span()), "`caps`"),
                            (chain.1.as_ref().map(|c| c.span()), "`capability`"),
                        ];
                        for (span, what) in keys {
                            if let Some(span) = span {
                                self.error(
                                    span,
                                    format!(
                                        "union `{}` has {what}: only a struct does",
                                        r.name.get_ref()
                                    ),
                                );
                            }
                        }
                    }
                    let (st, parts) = self.structure(s, &family, &group_names, union);
                    if union {
                        self.unions.insert(st.name.clone());
                    }
                    // The Rust chain builders and walkers read a chain's members.
                    let on_chain = chain.0.as_ref().map(|c| c.span());
                    if let (true, Some(at)) = (
                        st.rust_opaque,
                        on_chain.or(chain.1.as_ref().map(|c| c.span())),
                    ) {
                        self.error_note(
                            at,
                            format!(
                                "a capability chain on struct `{}`, whose Rust type is opaque",
                                st.name
                            ),
                            "the Rust chain builder and walker read its members",
                        );
                    }
                    let id = StructId(family.structs.len());
                    pending_caps.push((id, chain.0, chain.1));
                    pending.push((id, parts));
                    family.items.push(ItemRef::Struct(id));
                    self.names_typedefs_and_tags_took(&st);
                    self.struct_index.entry(st.name.clone()).or_insert(id);
                    family.structs.push(st);
                }
                Entry::Group(kind, g) => {
                    let inside = self.inside(&g.get_ref().inside, &family);
                    let group = self.group(kind, g, inside, &family);
                    let id = GroupId(family.groups.len());
                    match (kind, &group.style, group.decl) {
                        // A `tagged` one too: its one member names it.
                        (_, _, EnumDecl::Member) => {
                            self.member_enums
                                .insert(group.name.clone(), (id, group.enum_repr(), None));
                        }
                        (GroupKind::Enum, Style::Enum { tag: Some(tag) }, _) => {
                            self.enum_types.insert(tag.clone(), (id, group.enum_repr()));
                        }
                        (_, _, EnumDecl::Typedef) => {
                            self.enum_typedefs
                                .insert(group.name.clone(), (id, group.enum_repr()));
                        }
                        _ => {}
                    }
                    let item = ItemRef::Group(GroupId(family.groups.len()));
                    family.groups.push(group);
                    self.place(&mut family, inside, item);
                }
                Entry::Typedef(t) => {
                    if let Some(def) = self.typedef(t, TypedefId(family.typedefs.len()), &family) {
                        family
                            .items
                            .push(ItemRef::Typedef(TypedefId(family.typedefs.len())));
                        family.typedefs.push(def);
                    }
                }
                Entry::Macro(m) => {
                    if let Some(def) = self.function_like(m, MacroId(family.macros.len())) {
                        family
                            .items
                            .push(ItemRef::Macro(MacroId(family.macros.len())));
                        family.macros.push(def);
                    }
                }
                Entry::Define(d) if d.get_ref().string.is_some() => {
                    if let Some(sd) = self.string_define(d) {
                        family
                            .items
                            .push(ItemRef::String(StringId(family.strings.len())));
                        family.strings.push(sd);
                    }
                }
                Entry::Define(d) if d.get_ref().tag.is_some() => {
                    if let Some(a) = self.tag_alias(d, &family) {
                        family
                            .items
                            .push(ItemRef::TagAlias(TagAliasId(family.tag_aliases.len())));
                        family.tag_aliases.push(a);
                    }
                }
                Entry::Define(d) => {
                    let inside = self.inside(&d.get_ref().inside, &family);
                    // A #define is expanded where it is used, so it may name what the header
                    // defines below it (userfaultfd.h's `UFFD_API_FEATURES`, an `_IOR` of a
                    // struct below): evaluated once what it names is known.
                    if self.names_below(d.get_ref(), &below) {
                        let index = family.defines.len();
                        family.defines.push(placeholder(d.get_ref()));
                        self.place(&mut family, inside, ItemRef::Define(DefineId(index)));
                        deferred.push((index, d, inside));
                        continue;
                    }
                    if let Some(def) = self.define_entry(d, inside, &family) {
                        let item = ItemRef::Define(DefineId(family.defines.len()));
                        family.defines.push(def);
                        self.place(&mut family, inside, item);
                    }
                }
            }
        }
        // The defines that name what is below them, each once what it names is known: in
        // dependency order (Kahn's, the lowest schema position first among those ready), so
        // a long chain costs its length, not its square.
        let n = deferred.len();
        let index: FxMap<String, usize> = deferred
            .iter()
            .enumerate()
            .map(|(i, (_, d, _))| (d.get_ref().name.get_ref().clone(), i))
            .collect();
        let mut waits = vec![0usize; n];
        // users[j]: the defines naming j; names[i]: those i names.
        let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut names: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, (_, d, _)) in deferred.iter().enumerate() {
            let mut seen = FxSet::default();
            for name in self.define_refs(d.get_ref()).0 {
                if let Some(&j) = index.get(&name) {
                    // Itself included: `#define X (X + 1)` never becomes ready.
                    if seen.insert(j) {
                        waits[i] += 1;
                        users[j].push(i);
                        names[i].push(j);
                    }
                }
            }
        }
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
            .filter(|i| waits[*i] == 0)
            .map(std::cmp::Reverse)
            .collect();
        let mut slots: Vec<Option<(usize, S<RawDefine>, Option<(StructId, usize)>)>> =
            deferred.into_iter().map(Some).collect();
        while let Some(std::cmp::Reverse(i)) = ready.pop() {
            let Some((at, d, inside)) = slots[i].take() else {
                continue;
            };
            if let Some(def) = self.define_entry(d, inside, &family) {
                family.defines[at] = def;
            }
            for &u in &users[i] {
                waits[u] -= 1;
                if waits[u] == 0 {
                    ready.push(std::cmp::Reverse(u));
                }
            }
        }
        // What is left waits on a cycle. The defines that only wait on one (no define left
        // names them) are peeled off, repeatedly; the cycles remain, and are reported.
        let mut named_by = vec![0usize; n];
        for (j, us) in users.iter().enumerate() {
            named_by[j] = us.iter().filter(|u| slots[**u].is_some()).count();
        }
        let mut peel: Vec<usize> = (0..n)
            .filter(|i| slots[*i].is_some() && named_by[*i] == 0)
            .collect();
        let mut on_cycle: Vec<bool> = slots.iter().map(Option::is_some).collect();
        while let Some(i) = peel.pop() {
            on_cycle[i] = false;
            for &j in &names[i] {
                if on_cycle[j] {
                    named_by[j] -= 1;
                    if named_by[j] == 0 {
                        peel.push(j);
                    }
                }
            }
        }
        for (i, slot) in slots.into_iter().enumerate() {
            if let (Some((_, d, _)), true) = (slot, on_cycle[i]) {
                self.error(
                    d.get_ref().name.span(),
                    format!(
                        "`{}` is defined in terms of itself (a cycle of #defines)",
                        d.get_ref().name.get_ref()
                    ),
                );
            }
        }
        // Rules name constants the schema may define after the struct (inside it, say), so
        // they are resolved once every constant is known.
        for (si, parts) in pending {
            let validation = self.validation(&family, si, parts);
            family.struct_mut(si).validation = validation;
        }
        self.caps(&mut family, pending_caps);
        family
    }

    /// A `[[define]]` entry: its constant, `until`, `removed` and `extern` resolved.
    fn define_entry(
        &mut self,
        mut d: S<RawDefine>,
        inside: Option<(StructId, usize)>,
        family: &Family,
    ) -> Option<Define> {
        let sentinel = d.get_ref().sentinel.as_ref().is_some_and(|s| *s.get_ref());
        let until_raw = d.get_mut().until.take();
        let removed_raw = d.get_mut().removed.take();
        let extern_raw = d.get_mut().extern_header.take();
        let ifndef_raw = d.get_mut().ifndef.take();
        let ifndef = ifndef_raw.as_ref().is_some_and(|i| *i.get_ref());
        if let Some(i) = ifndef_raw.as_ref().filter(|_| ifndef) {
            let r = d.get_ref();
            let other = [
                (inside.is_some(), "inside"),
                (r.when.is_some() || r.unless.is_some(), "when"),
                (r.libc_compat.is_some(), "libc_compat"),
                (extern_raw.is_some(), "extern"),
                (r.sentinel.is_some() || until_raw.is_some(), "until"),
            ];
            if let Some((_, key)) = other.iter().find(|(has, _)| *has) {
                self.error(
                    i.span(),
                    format!(
                        "`ifndef` with `{key}`: a define under `#ifndef NAME` is written at \
                         file scope, once, on every target"
                    ),
                );
            }
        }
        if extern_raw.is_some() {
            let compat = d.get_mut().libc_compat.take();
            self.libc_compat(&compat, true);
        }
        let arg_raw = d
            .get_mut()
            .ioctl
            .as_mut()
            .and_then(|io| Some((io.get_mut().arg.take()?, io.get_ref().dir.is_some())));
        if let (Some(c), Some(_)) = (&d.get_ref().libc_compat, inside) {
            self.error(c.span(), INSIDE_COMPAT);
        }
        let constant = self.define(d, family)?;
        let until = self.until(&until_raw, constant.since, "define");
        let removed = self.text(&removed_raw, "a removal note", true);
        match (&until_raw, sentinel, &removed_raw) {
            (Some(u), false, None) => self.error_note(
                u.span(),
                "only a sentinel may be redefined",
                "mark it `sentinel = true` if it is one past the last valid \
                 value, or say why the kernel removed it with `removed`",
            ),
            (None, _, Some(r)) => self.error(
                r.span(),
                "`removed` needs `until`: the revision that no longer has it",
            ),
            (_, true, Some(r)) => self.error(
                r.span(),
                "a sentinel moves, it is not removed: `removed` or `sentinel`, \
                 not both",
            ),
            _ => {}
        }
        self.ends
            .insert(constant.name.clone(), (constant.since, until));
        let extern_header =
            self.extern_header(&extern_raw, &format!("constant `{}`", constant.name));
        if let (Some(_), Some(_)) = (&extern_header, inside) {
            self.error(
                constant.span.clone(),
                "an extern constant is another header's: it has no place `inside` \
                 a struct of this one",
            );
        }
        let arg = arg_raw.and_then(|(a, directed)| self.ioctl_arg(&a, directed, &constant, family));
        Some(Define {
            constant,
            inside,
            until,
            sentinel,
            removed,
            extern_header,
            ifndef,
            arg,
        })
    }

    /// An `_IO` number's `arg`: `struct NAME` of a struct of the schema with a size convention,
    /// which no other number takes.
    fn ioctl_arg(
        &mut self,
        a: &S<String>,
        directed: bool,
        constant: &Constant,
        family: &Family,
    ) -> Option<StructId> {
        if directed || !matches!(constant.expr, Expr::Io { via: None, .. }) {
            self.error_note(
                a.span(),
                "`arg` names the struct of an `_IO` number, which encodes no argument",
                "`_IOR`, `_IOW` and `_IOWR` name theirs with `size`",
            );
            return None;
        }
        let text = a.get_ref().trim();
        let Some(name) = text.strip_prefix("struct ").map(str::trim) else {
            self.error(a.span(), format!("`arg = \"{text}\"`: write `struct NAME`"));
            return None;
        };
        let Some(s) = self
            .struct_index
            .get(name)
            .copied()
            .filter(|_| !self.unions.contains(name))
        else {
            self.error(a.span(), format!("unknown struct `{name}` (defined above)"));
            return None;
        };
        if family.struct_(s).convention.is_none() {
            self.error_note(
                a.span(),
                format!("`struct {name}` has no size convention"),
                "an `_IO` number's struct says its own size: `convention = \"argsz\"` or \
                 `\"size\"`",
            );
            return None;
        }
        if let Some(d) = family.ioctl_taking(s) {
            self.error(
                a.span(),
                format!("`struct {name}` is `{}`'s `arg` already", d.constant.name),
            );
            return None;
        }
        Some(s)
    }

    /// The constants and the structs `d` names (an `expr`'s, `or`'s, `alias`'s, an ioctl's
    /// `type`, `nr` and `size`).
    fn define_refs(&self, d: &RawDefine) -> (Vec<String>, Vec<String>) {
        let constants = |text: &str| -> Vec<String> {
            cexpr::parse_with(text, &|n| self.macros.get(n).cloned())
                .map(|e| e.names.into_iter().map(|(n, _)| n).collect())
                .unwrap_or_default()
        };
        let mut names: Vec<String> = Vec::new();
        let mut structs = Vec::new();
        if let Some(e) = &d.expr {
            // `sizeof(struct X)` and `offsetof(struct X, m)` name a struct; the parser sees
            // each as a literal. So do the macros whose bodies take them (`expand_sized`).
            let expanded = cexpr::expand_sized(e.get_ref(), &|n| self.macros.get(n).cloned())
                .ok()
                .flatten()
                .map(|(t, _)| t);
            let e = expanded.as_deref().unwrap_or(e.get_ref());
            let offsets = cexpr::offsetofs(e).unwrap_or_default();
            structs.extend(offsets.iter().filter_map(|(_, ty, _)| tagged_name(ty)));
            let blanked = cexpr::with_sizes(
                e,
                &offsets
                    .iter()
                    .map(|(r, ..)| (r.clone(), 0))
                    .collect::<Vec<_>>(),
            );
            let sizeofs = cexpr::sizeofs(&blanked).unwrap_or_default();
            structs.extend(sizeofs.iter().filter_map(|(_, ty)| tagged_name(ty)));
            let text = cexpr::sizes_as_one(e).unwrap_or_default();
            names.extend(constants(&text));
        }
        if let Some(or) = &d.or {
            names.extend(or.get_ref().iter().map(|n| n.get_ref().clone()));
        }
        if let Some(a) = &d.alias {
            names.push(a.get_ref().clone());
        }
        if let Some(io) = &d.ioctl {
            let io = io.get_ref();
            for v in [&io.ty, &io.nr].into_iter().flatten() {
                if let toml::Value::String(t) = v.get_ref() {
                    names.extend(constants(t));
                }
            }
            structs.extend(io.size.as_ref().and_then(|s| type_name(s.get_ref())));
            if let (Some(via), Some(args)) = (&io.via, &io.args) {
                let texts: Vec<String> =
                    args.get_ref().iter().map(|a| a.get_ref().clone()).collect();
                // Through the wrappers it forwards to, what the one reached reads.
                let lookup = |n: &str| self.macros.get(n).cloned();
                let Ok((_, m, texts)) = cexpr::reduce_io_call(via.get_ref(), &texts, &lookup)
                else {
                    return (names, structs);
                };
                if let Some((ty, nr)) = m.io_operands(&texts) {
                    names.extend(constants(&ty));
                    names.extend(constants(&nr));
                }
                let size = m.io.as_ref().and_then(|b| b.size_param);
                structs.extend(size.and_then(|k| type_name(texts.get(k)?)));
                // Each number argument is evaluated on its own too, used in the body or not.
                for (k, a) in texts.iter().enumerate() {
                    if Some(k) != size {
                        names.extend(constants(a));
                    }
                }
            }
        }
        (names, structs)
    }

    /// Whether `d` names a constant or struct not defined yet that `below` says the schema
    /// defines further down.
    fn names_below(&self, d: &RawDefine, below: &Below) -> bool {
        // Most defines name only what is above them: a scan of their words settles that
        // without parsing them twice (`define` parses them once more); a word that is a
        // macro or not yet defined but below sends them to the exact check.
        let texts = [
            d.expr.as_ref().map(|e| e.get_ref().as_str()),
            d.alias.as_ref().map(|a| a.get_ref().as_str()),
        ];
        let word_below = |text: &str| {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| {
                    self.macros.contains_key(w)
                        || (!self.constants.contains_key(w) && below.constants.contains(w))
                })
        };
        let sizeof = d
            .expr
            .as_ref()
            .is_some_and(|e| e.get_ref().contains("sizeof"));
        if d.or.is_none()
            && d.ioctl.is_none()
            && !sizeof
            && !texts.into_iter().flatten().any(word_below)
        {
            return false;
        }
        let (names, structs) = self.define_refs(d);
        names
            .iter()
            .any(|n| !self.constants.contains_key(n) && below.constants.contains(n))
            || structs.iter().any(|n| {
                !self.struct_index.contains_key(n)
                    && !self.typedefs.contains_key(n)
                    && below.structs.contains(n)
            })
    }

    fn place(&mut self, family: &mut Family, inside: Option<(StructId, usize)>, item: ItemRef) {
        match inside {
            Some((s, f)) => family.struct_mut(s).fields[f].before.push(item),
            None => family.items.push(item),
        }
    }

    /// `inside = "struct.field"`: the struct must come earlier in the file.
    fn inside(&mut self, inside: &Option<S<String>>, family: &Family) -> Option<(StructId, usize)> {
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
        let Some(si) = self.struct_index.get(sname).copied() else {
            self.error_note(
                inside.span(),
                format!("`inside` names struct `{sname}`, which is not defined above this point"),
                "a constant placed inside a struct must come after the struct in the schema",
            );
            return None;
        };
        let Some(fi) = family
            .struct_(si)
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
        if family.struct_(si).when.is_some() {
            self.error_note(
                inside.span(),
                format!("`inside` struct `{sname}`, which exists on some targets only"),
                "write the constants at file scope, under the struct's `when`",
            );
            return None;
        }
        Some((si, fi))
    }

    fn structure(
        &mut self,
        s: S<RawStruct>,
        family: &Family,
        groups: &FxMap<String, (GroupId, GroupKind, Span)>,
        union: bool,
    ) -> (Struct, ValidationParts) {
        let span = s.span();
        let mut raw = s.into_inner();
        self.opaque_now = raw.rust_opaque.as_ref().is_some_and(|o| *o.get_ref());
        let parts = ValidationParts {
            convention_span: raw.convention.as_ref().map(|c| c.span()),
            convention_change: raw.convention_change.take(),
            min_size: raw.min_size.take(),
            min_size_when: raw.min_size_when.take(),
            data_type: raw.data_type.take(),
            rules: std::mem::take(&mut raw.rules),
            payload: raw.payload.take(),
            payloads: raw.payloads.take(),
            name_span: raw.name.span(),
        };
        let name = self.identifier(&raw.name, Role::Struct);
        let abi_trap = raw.abi_trap.as_ref().map(|t| {
            let t = t.get_ref();
            let revisions = t
                .revisions
                .get_ref()
                .iter()
                .filter_map(|r| self.rev_id("abi_trap.revisions", r.get_ref(), r.span()))
                .collect();
            let fixed = self.revs("fixed", &t.fixed, RevSet::EMPTY);
            let note = self
                .text(&Some(t.note.clone()), "the abi_trap note", false)
                .unwrap_or_default();
            AbiTrap {
                revisions,
                fixed,
                note,
            }
        });
        if let Some(prev) = self.struct_index.get(&name).map(|i| family.struct_(*i)) {
            let (line, _) = self.source.line_col(prev.name_span.start);
            let kw = if union { "union" } else { "struct" };
            // C's tags are one namespace: a union and a struct may not share one either.
            let first = if prev.union == union {
                String::new()
            } else {
                format!(", {} `{name}`", prev.keyword())
            };
            self.error(
                raw.name.span(),
                format!("{kw} `{name}` is defined twice (first at line {line}{first})"),
            );
        }
        let convention = raw.convention.as_ref().and_then(|c| match c.get_ref().as_str() {
            "argsz" => Some(Convention::Argsz),
            "size" => Some(Convention::Size),
            "user_data" => Some(Convention::UserData),
            other => {
                self.error(
                    c.span(),
                    format!("unknown size convention `{other}`: use \"argsz\" (VFIO style), \"size\" (copy_struct_from_user style) or \"user_data\" (driver data)"),
                );
                None
            }
        });
        let since = self.revs("since", &raw.since, RevSet::one(RevId::FIRST));
        let fields_span = raw.fields.span();
        if raw.fields.get_ref().is_empty() {
            self.error(
                fields_span.clone(),
                format!("struct `{name}` has no fields"),
            );
        }
        let mut fields = Vec::new();
        let mut labels = Vec::new();
        let mut anon = 0;
        for f in raw.fields.into_inner() {
            // A union's own members are each at bit 0 (as an inline union's).
            if union && !self.union_bits(f.get_ref()) {
                continue;
            }
            if let (true, Some(x)) = (union, &f.get_ref().flexible) {
                self.error(
                    x.span(),
                    format!(
                        "union `{name}` has a flexible array member: only a struct may end in one"
                    ),
                );
                continue;
            }
            let label = byte_order_label(f.get_ref());
            if let Some(field) = self.field(f, groups, since, &mut anon) {
                fields.push(field);
                labels.push(label);
            }
        }
        self.byte_order_runs(&mut fields, &labels, union);
        let mut seen = FxMap::default();
        self.unique_names(&fields, &mut seen, &name, u64::MAX);
        if !union {
            zero_length_arrays(&mut fields);
        }
        self.flexible_placement(&fields, family, &name, None, true);
        let packed = raw.packed.as_ref().is_some_and(|p| *p.get_ref());
        let packed_by = self.packed_by((&raw.packed_by, &raw.packed, &raw.pack, &raw.aligned));
        let aligned = self.alignment(&raw.aligned, "struct");
        let pack = self.pack((&raw.pack, &raw.packed, &raw.aligned), &mut fields);
        let holder = if union {
            Some("a union")
        } else if packed || packed_by.is_some() || pack.is_some() {
            Some("a packed struct")
        } else {
            None
        };
        self.aligned_of_places(&fields, holder);
        let extern_header = self.extern_header(&raw.extern_header, &format!("struct `{name}`"));
        // Another header's struct is checked by that header's schema: here it is only laid
        // out (for the structs that hold it) and bound in Rust.
        if extern_header.is_some() {
            let checks = [
                (parts.convention_span.clone(), "a size convention"),
                (parts.min_size.as_ref().map(|m| m.span()), "`min_size`"),
                (parts.rules.first().map(|r| r.span()), "`rules`"),
                (raw.caps.as_ref().map(|c| c.span()), "`caps`"),
                (raw.capability.as_ref().map(|c| c.span()), "`capability`"),
                (parts.payload.as_ref().map(|p| p.span()), "`payload`"),
            ];
            for (span, what) in checks {
                if let Some(span) = span {
                    self.error(
                        span,
                        format!(
                            "struct `{name}` is extern (another header's): {what} is that \
                             header's schema's to say"
                        ),
                    );
                }
            }
        }
        // A size convention bounds a flexible array member of the struct's own; one that ends
        // in another struct's (GNU C's embedding) would have the validators misread its tail.
        if let (Some(span), Some(last)) = (&parts.convention_span, fields.last()) {
            // The last member, or a member of the union that is.
            let holders: Vec<&Field> = match &last.ty {
                FieldType::Inline(Aggregate::Union, ms) => ms.iter().collect(),
                _ => vec![last],
            };
            let embedded = holders.into_iter().find_map(|h| match (&h.ty, h.len) {
                (FieldType::Struct(j), None) => {
                    let inner = family.struct_(*j);
                    flexible_tail(family, inner).map(|t| (h, inner, t))
                }
                _ => None,
            });
            if let Some((holder, inner, tail)) = embedded {
                self.error(
                    span.clone(),
                    format!(
                        "struct `{name}` ends in `{}`, whose `struct {}` ends in the flexible \
                         array member `{}`: a size convention bounds only a flexible array \
                         member of the struct's own",
                        holder.display_name(),
                        inner.name,
                        tail.display_name()
                    ),
                );
            }
        }
        // What the generated validators, matrix and chain code handle: they fill such a struct
        // by assignment, which a `const` member forbids, and name it `struct NAME`.
        let filled = [
            (parts.convention_span.is_some(), "a size convention"),
            (!parts.rules.is_empty(), "`rules`"),
            (raw.caps.is_some(), "`caps`"),
            (raw.capability.is_some(), "`capability`"),
            (parts.payload.is_some(), "`payload`"),
        ];
        if let Some((_, what)) = filled.iter().find(|(on, _)| *on) {
            let mut konst = Vec::new();
            collect_const(&fields, &mut konst);
            for span in konst {
                self.error(
                    span,
                    format!(
                        "a `const` member in struct `{name}`, which has {what}: the code \
                         uapigen generates for it fills the struct by assignment"
                    ),
                );
            }
        }
        let typedef = raw.typedef.as_ref().is_some_and(|t| *t.get_ref());
        if let Some(t) = raw.typedef.as_ref().filter(|_| typedef) {
            // The generated validators, matrix and chain code name `struct NAME`.
            if let Some((_, what)) = filled.iter().find(|(on, _)| *on) {
                self.error(
                    t.span(),
                    format!(
                        "`{name}` is a typedef'd {} without a tag, which has {what}: only a \
                         tagged struct does",
                        if union { "union" } else { "struct" }
                    ),
                );
            }
            if self.typedefs.contains_key(&name) {
                self.error(
                    t.span(),
                    format!("`{name}` is already a `[[typedef]]` above"),
                );
            }
            self.typedef_structs.insert(name.clone());
        }
        let libc_compat = self.libc_compat(&raw.libc_compat, extern_header.is_some());
        let others = [
            (raw.extern_header.as_ref().map(|x| x.span()), "`extern`"),
            (parts.convention_span.clone(), "a size convention"),
            (parts.min_size.as_ref().map(|x| x.span()), "`min_size`"),
            (parts.rules.first().map(|x| x.span()), "`rules`"),
            (raw.caps.as_ref().map(|x| x.span()), "`caps`"),
            (raw.capability.as_ref().map(|x| x.span()), "`capability`"),
            (parts.payload.as_ref().map(|x| x.span()), "`payload`"),
            (raw.packed_by.as_ref().map(|x| x.span()), "`packed_by`"),
        ];
        let when = self.struct_when(
            (&raw.when, &raw.unless, &raw.libc_compat),
            others,
            &fields,
            &name,
        );
        // A struct of some architectures is named only where it exists.
        self.structs_of_some_targets |= when.is_some();
        if self.structs_of_some_targets {
            let all = targets_mask(&[true; crate::model::layout::TARGETS.len()]);
            let own = when.as_ref().map_or(all, |w| targets_mask(&w.on));
            for f in &fields {
                let mask = own & f.when.as_ref().map_or(all, |w| targets_mask(&w.on));
                let mut refs = Vec::new();
                struct_refs(std::slice::from_ref(f), &self.functions, &mut refs);
                for (at, j) in refs {
                    self.struct_used_on(at, mask, j, family);
                }
            }
        }
        // Validators, chains and payloads read its members in Rust.
        let rust_opaque = match &raw.rust_opaque {
            Some(o) if *o.get_ref() => {
                let readers = [
                    (
                        raw.convention.as_ref().map(|c| c.span()),
                        "a size convention",
                    ),
                    (parts.rules.first().map(|r| r.span()), "`rules`"),
                ];
                if let Some((Some(at), what)) = readers.into_iter().find(|(s, _)| s.is_some()) {
                    self.error_note(
                        at,
                        format!("{what} on struct `{name}`, whose Rust type is opaque"),
                        "the Rust validators read its members, which an opaque type has not",
                    );
                }
                true
            }
            _ => false,
        };
        let st = Struct {
            name,
            typedef,
            libc_compat,
            when,
            summary: self.text(&raw.summary, "a summary", true),
            doc: self.text(&raw.doc, "a doc", false),
            convention,
            validation: None,
            abi_trap,
            since,
            fields,
            packed,
            aligned: aligned.as_ref().map(|a| a.value),
            aligned_name: aligned.and_then(|a| a.name),
            pack,
            packed_by,
            deprecated: raw.deprecated.as_ref().is_some_and(|d| *d.get_ref()),
            may_alias: raw.may_alias.as_ref().is_some_and(|d| *d.get_ref()),
            rust_opaque,
            union,
            caps: None,
            capability: None,
            extern_header,
            span,
            name_span: raw.name.span(),
        };
        (st, parts)
    }

    /// A struct's `when` or `unless` (x86's asm/stat.h's `struct stat64`, i686's): a struct of
    /// no other condition, unchecked by validators (they read one layout), whose members have
    /// none of their own, and whose members name only structs that exist wherever it does.
    fn struct_when(
        &mut self,
        (when, unless, libc_compat): (&Option<S<String>>, &Option<S<String>>, &Option<S<String>>),
        others: [(Option<Span>, &str); 8],
        fields: &[Field],
        name: &str,
    ) -> Option<Box<When>> {
        let when = self.when((when, unless), libc_compat, None)?;
        let key = if when.negated { "unless" } else { "when" };
        if let Some((Some(at), what)) = others.into_iter().find(|(s, _)| s.is_some()) {
            self.error_note(
                at,
                format!("{what} on struct `{name}`, which has `{key}`"),
                "a struct of some architectures is only declared: its own header's \
                 `extern` copy, validators, chains and payloads read one struct on every target",
            );
            return None;
        }
        if let Some(f) = fields.iter().find(|f| f.when.is_some()) {
            self.error_note(
                f.span.clone(),
                format!(
                    "`{}` has a condition of its own in struct `{name}`, which has `{key}`",
                    f.display_name()
                ),
                "one condition: on the struct, or on its members",
            );
            return None;
        }
        Some(when)
    }

    /// C's `size_t` in a member's or typedef's type (linux/sysctl.h's `size_t *oldlenp`): the
    /// header includes nothing that defines it, so the family says which C library header
    /// it assumes included first.
    fn size_t_assumed(&mut self, at: Span, ty: &FieldType) {
        let size_t = match ty {
            FieldType::Scalar(s) => *s == Scalar::SizeT,
            FieldType::Pointer(p) => p.to == Pointee::Scalar(Scalar::SizeT),
            _ => false,
        };
        const DEFINE_IT: &[&str] = &["stddef.h", "stdlib.h", "stdio.h", "string.h", "sys/types.h"];
        if size_t && !self.assumes.iter().any(|a| DEFINE_IT.contains(&a.as_str())) {
            self.error_note(
                at,
                "`size_t` is the C library's, and the header includes nothing that defines it",
                "say which header a program includes first: `assumes = [\"stddef.h\"]` in \
                 [family] (or stdlib.h, stdio.h, string.h, sys/types.h)",
            );
        }
    }

    /// A member, typedef or constant that exists on the targets of `mask` names struct `j`,
    /// which must exist on each of them.
    fn struct_used_on(&mut self, at: Span, mask: u64, j: StructId, family: &Family) {
        let Some(w) = &family.struct_(j).when else {
            return;
        };
        let theirs = targets_mask(&w.on);
        if mask & !theirs != 0 {
            let missing: Vec<&str> = crate::model::layout::TARGETS
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & !theirs & (1 << i) != 0)
                .map(|(_, t)| t.triple)
                .collect();
            self.error_note(
                at,
                format!(
                    "struct `{}` exists only where `{}`{} holds, not on {}",
                    family.struct_(j).name,
                    w.text,
                    if w.negated { "'s negation" } else { "" },
                    missing.join(", ")
                ),
                "name it only under a condition that implies the struct's (`when` on the \
                 member, the struct or the define)",
            );
        }
    }

    /// A flexible array member ends its struct in C: it is the last member, of no union, and
    /// its struct is embedded in no other (C forbids that; GNU C accepts some of it, with a
    /// layout the other ABIs need not share).
    fn flexible_placement(
        &mut self,
        fields: &[Field],
        family: &Family,
        owner: &str,
        inside: Option<Aggregate>,
        ends_struct: bool,
    ) {
        for (i, f) in fields.iter().enumerate() {
            if f.flexible.is_some() {
                let name = f.display_name();
                let declared = f.flexible == Some(Flexible::Declared);
                // <linux/stddef.h>'s macro is there for this: a flexible array member in a
                // union that ends its struct (io_uring.h's io_uring_buf_ring), or alone; GNU
                // C's `[0]` may stand there too (io_uring_sqe's `__u8 cmd[0]`).
                let in_union = declared || f.flexible == Some(Flexible::ZeroLength);
                if in_union && inside == Some(Aggregate::Union) && ends_struct {
                } else if inside == Some(Aggregate::Union) {
                    self.error(
                        f.span.clone(),
                        format!(
                            "`{name}` is a flexible array member inside a union: C allows one \
                             only as the last member of a struct"
                        ),
                    );
                } else if inside == Some(Aggregate::Struct)
                    && !(ends_struct && i + 1 == fields.len() && fields.len() > 1)
                {
                    // GNU C accepts one at the end of an inline struct that ends its parent
                    // (as its last member, or a member of the union that is: linux/in.h's
                    // `group_filter`); anywhere else its elements would overlay what follows.
                    self.error(
                        f.span.clone(),
                        format!(
                            "`{name}` is a flexible array member inside an inline struct: it \
                             must be the last member of `{owner}` itself"
                        ),
                    );
                } else if fields.len() == 1 && !declared && f.flexible != Some(Flexible::ZeroLength)
                {
                    // GNU C's `[0]` may be the only member (bpf.h's `bpf_raw_tracepoint_args`:
                    // a struct of size 0, aligned as its elements).
                    self.error(
                        f.span.clone(),
                        format!(
                            "`{name}` is a flexible array member and the only member of \
                             `{owner}`: C needs a named member before it"
                        ),
                    );
                } else if i + 1 != fields.len() {
                    self.error_note(
                        f.span.clone(),
                        format!(
                            "`{name}` is a flexible array member, so it must be the last member \
                             of `{owner}`"
                        ),
                        format!(
                            "`{}` follows it; a flexible array's elements run past the end of \
                             the struct",
                            fields[i + 1].display_name()
                        ),
                    );
                }
            }
            match &f.ty {
                FieldType::Struct(j) => {
                    let inner = family.struct_(*j);
                    // GNU C takes one as the last member of a struct, which then ends in its
                    // flexible array member (asm/kvm.h's `kvm_tdx_capabilities`, fuse.h's
                    // `fuse_direntplus`); ISO C takes none, so -pedantic flags it, as it flags
                    // the kernel's header.
                    // So does a member of the union that ends a struct (linux/firewire-cdev.h's
                    // `fw_cdev_event` union of events).
                    let last = inside.is_none() && i + 1 == fields.len();
                    let gnu_tail = (last || inside == Some(Aggregate::Union))
                        && ends_struct
                        && f.len.is_none()
                        && f.dims.is_empty()
                        && f.flexible.is_none();
                    let tail = flexible_tail(family, inner);
                    if tail.is_none() && f.embeds_flexible {
                        self.error(
                            f.span.clone(),
                            format!(
                                "`embeds_flexible` on `{}`: `struct {}` ends in no flexible \
                                 array member",
                                f.display_name(),
                                inner.name
                            ),
                        );
                    }
                    if let (Some(tail), false) = (tail, gnu_tail || f.embeds_flexible) {
                        let (line, _) = self.source.line_col(tail.span.start);
                        self.error_note(
                            f.span.clone(),
                            format!(
                                "`{}` embeds `struct {}`, which ends in the flexible array \
                                 member `{}`: C allows such a struct only as a whole object, \
                                 never inside another",
                                f.display_name(),
                                inner.name,
                                tail.display_name()
                            ),
                            format!(
                                "the flexible array member is at line {line}; embed the fixed \
                                 part as a struct of its own, use a pointer (`__aligned_u64`), \
                                 or write `embeds_flexible = true` for GNU C's form, whose \
                                 inner array overlays what follows"
                            ),
                        );
                    }
                }
                _ if f.embeds_flexible => self.error(
                    f.span.clone(),
                    format!(
                        "`embeds_flexible` on `{}`, which is no `struct NAME`: it is for a \
                         member that is a struct ending in a flexible array member",
                        f.display_name()
                    ),
                ),
                // Whether the inline aggregate ends the outer struct: its last member, or a
                // member of a union (or the last of a struct) that does.
                FieldType::Inline(kind, ms) => self.flexible_placement(
                    ms,
                    family,
                    owner,
                    Some(*kind),
                    f.len.is_none()
                        && match inside {
                            None => i + 1 == fields.len(),
                            Some(Aggregate::Union) => ends_struct,
                            Some(Aggregate::Struct) => ends_struct && i + 1 == fields.len(),
                        },
                ),
                FieldType::Scalar(_) | FieldType::Pointer(_) => {}
            }
        }
    }

    /// Anonymous union members share the enclosing struct's name space, as in C. A name may
    /// come back once its earlier field's revisions end (a re-purposed `__reserved` handing its
    /// name to the smaller reserved array that follows the new field).
    fn unique_names(
        &mut self,
        fields: &[Field],
        seen: &mut FxMap<String, Vec<(Span, RevSet, RevSet, u64)>>,
        owner: &str,
        on: u64,
    ) {
        // The targets a member exists on, a bit each: a `when` member and its `unless` twin
        // (msgbuf.h's `msg_stime`, a `long` or two `unsigned long`s) share no target; a
        // member of an anonymous union under `when` has the union's (asm/sigcontext.h's `ss`).
        let targets = |f: &Field| on & f.when.as_ref().map_or(u64::MAX, |w| targets_mask(&w.on));
        for f in fields {
            match (&f.name, &f.ty) {
                (None, FieldType::Inline(_, members)) => {
                    self.unique_names(members, seen, owner, targets(f))
                }
                (Some(n), ty) => {
                    let revisions = &self.revisions;
                    let overlaps = |since: RevSet, until: RevSet, on: u64| {
                        on & targets(f) != 0
                            && revisions
                                .iter()
                                .any(|r| r.has(since, until) && r.has(f.since, f.until))
                    };
                    // Every earlier field of the name: one in a later revision or on other
                    // targets than each of them may take it again.
                    let clash = seen.get(n).and_then(|earlier| {
                        earlier
                            .iter()
                            .find(|(_, since, until, on)| overlaps(*since, *until, *on))
                            .map(|(first, ..)| first.start)
                    });
                    match clash {
                        Some(first) => {
                            let (line, _) = self.source.line_col(first);
                            self.error(
                                f.span.clone(),
                                format!(
                                    "`{owner}` has two fields named `{n}` (first at line {line})"
                                ),
                            );
                        }
                        None => seen.entry(n.clone()).or_default().push((
                            f.span.clone(),
                            f.since,
                            f.until,
                            targets(f),
                        )),
                    }
                    if let FieldType::Inline(_, members) = ty {
                        let mut inner = FxMap::default();
                        self.unique_names(members, &mut inner, n, u64::MAX);
                    }
                }
                (None, _) => {}
            }
        }
    }

    fn field(
        &mut self,
        f: S<RawField>,
        groups: &FxMap<String, (GroupId, GroupKind, Span)>,
        parent_since: RevSet,
        anon: &mut usize,
    ) -> Option<Field> {
        let span = f.span();
        let raw = f.into_inner();
        let since = self.revs("since", &raw.since, parent_since);
        // Whether ending the field is legal (re-purposed reserved bytes, or a member wrapped
        // in a union under the same name) is the evolution check's to judge.
        let until = self.until(&raw.until, since, "field");
        let mut c_enum: Option<(String, GroupId)> = None;
        let mut c_typedef = None;
        // A typedef of an array (`dvd_challenge chal;`): the member is that array.
        let mut typedef_len: Option<u64> = None;
        // And whether it lowers the type's alignment on some target.
        let mut typedef_aligned: Option<(Aligned, bool)> = None;
        let inline_key = match (&raw.union, &raw.record) {
            (Some(_), _) => Some("union = [...]"),
            (None, Some(_)) => Some("struct = [...]"),
            (None, None) => None,
        };
        let inline = match (raw.union, raw.record) {
            (Some(_), Some(r)) => {
                self.error(r.span(), "a field has either `union` or `struct`, not both");
                return None;
            }
            (Some(u), None) => Some((Aggregate::Union, u)),
            (None, Some(r)) => Some((Aggregate::Struct, r)),
            (None, None) => None,
        };
        let ty = match (&raw.ty, inline) {
            (Some(_), Some((kind, u))) => {
                self.error(
                    u.span(),
                    format!(
                        "a field has either `type` or `{}`, not both",
                        kind.c_keyword()
                    ),
                );
                return None;
            }
            (None, None) => {
                self.error(span, "a field needs `type` (e.g. \"__u32\" or \"struct iommu_inv_pasid_info\"), `union` or `struct`");
                return None;
            }
            (Some(t), None) if self.enum_typedefs.contains_key(t.get_ref().trim()) => {
                let name = t.get_ref().trim().to_string();
                let (g, repr) = self.enum_typedefs[&name];
                c_enum = Some((name, g));
                FieldType::Scalar(repr.scalar())
            }
            (Some(t), None)
                if t.get_ref().trim().starts_with("enum ")
                    && self
                        .member_enums
                        .contains_key(t.get_ref().trim()["enum ".len()..].trim()) =>
            {
                let name = t.get_ref().trim()["enum ".len()..].trim().to_string();
                let entry = self.member_enums.get_mut(&name).expect("checked above");
                let (g, repr) = (entry.0, entry.1);
                if let Some(first) = entry.2.clone() {
                    let (line, _) = self.source.line_col(first.start);
                    self.error(
                        t.span(),
                        format!(
                            "enum `{name}` is declared as one member's type (`member = true`), \
                             the member at line {line}"
                        ),
                    );
                } else {
                    entry.2 = Some(t.span());
                }
                c_enum = Some((name, g));
                FieldType::Scalar(repr.scalar())
            }
            (Some(t), None) if t.get_ref().trim().starts_with("enum ") => {
                let tag = t.get_ref().trim()["enum ".len()..].trim().to_string();
                match self.enum_types.get(&tag) {
                    Some((g, repr)) => {
                        c_enum = Some((tag, *g));
                        FieldType::Scalar(repr.scalar())
                    }
                    None if self.enum_typedefs.contains_key(&tag) => {
                        self.error(
                            t.span(),
                            format!(
                                "`{tag}` names an enum without a tag (`typedef = true`): write \
                                 `type = \"{tag}\"`"
                            ),
                        );
                        return None;
                    }
                    None => {
                        self.error_note(
                            t.span(),
                            format!("unknown enum `{tag}`"),
                            "a member's `enum TAG` is a tagged `[[enum]]` written as a C enum, \
                             defined above",
                        );
                        return None;
                    }
                }
            }
            (Some(t), None) if self.fn_typedefs.contains(t.get_ref().trim()) => {
                self.error_note(
                    t.span(),
                    format!(
                        "`{}` is a function type: no member has one",
                        t.get_ref().trim()
                    ),
                    format!("a pointer to it is `{} *`", t.get_ref().trim()),
                );
                return None;
            }
            (Some(t), None) if self.typedefs.contains_key(t.get_ref().trim()) => {
                let (id, ty, link) = self.typedefs[t.get_ref().trim()].clone();
                c_typedef = Some(id);
                typedef_len = self.typedef_lens.get(t.get_ref().trim()).copied();
                typedef_aligned = self.typedef_aligned.get(t.get_ref().trim()).cloned();
                // A typedef of an enum: the member holds that enum's values.
                c_enum = link;
                ty
            }
            (Some(t), None) => {
                let incomplete = raw.incomplete.as_ref().filter(|i| *i.get_ref());
                let ty = self.field_type_of(t, incomplete.is_some())?;
                if let (Some(i), false) = (
                    incomplete,
                    matches!(
                        ty,
                        FieldType::Pointer(Pointer {
                            to: Pointee::Incomplete(_),
                            ..
                        })
                    ),
                ) {
                    self.error(
                        i.span(),
                        "`incomplete` is for a pointer to a struct or union no header \
                         defines (`struct xt_match *`)",
                    );
                }
                // C writes an array of them `R (*name[N])(P)`, which the schema does not.
                if matches!(
                    ty,
                    FieldType::Pointer(Pointer {
                        to: Pointee::Function(_),
                        ..
                    })
                ) && (raw.len.is_some() || raw.dims.is_some() || raw.flexible.is_some())
                {
                    self.error(
                        t.span(),
                        "an array of function pointers: the schema writes one function pointer \
                         a member",
                    );
                    return None;
                }
                ty
            }
            (None, Some((kind, u))) => {
                let uspan = u.span();
                let raw_members = u.into_inner();
                if raw_members.is_empty() {
                    self.error(
                        uspan,
                        format!("a {} needs at least one member", kind.c_keyword()),
                    );
                    return None;
                }
                let mut members = Vec::new();
                let mut labels = Vec::new();
                let mut inner_anon = 0;
                for m in raw_members {
                    if kind == Aggregate::Union && !self.union_bits(m.get_ref()) {
                        continue;
                    }
                    let anonymous_inline = m.get_ref().name.is_none()
                        && (m.get_ref().union.is_some() || m.get_ref().record.is_some());
                    if let (Some(a), false) = (&m.get_ref().aligned, anonymous_inline) {
                        // C takes it, but a Rust union's members have no alignment of their
                        // own: the generated union could not be the C union. An anonymous
                        // inline one's is its type's, which its Rust type has.
                        self.error_note(
                            a.span(),
                            "`aligned` on a union member has no Rust spelling",
                            "put `aligned` on the union field itself, or on the struct",
                        );
                    }
                    if let Some(c) = m.get_ref().when.as_ref().or(m.get_ref().unless.as_ref()) {
                        self.error(
                            c.span(),
                            "a condition on a member of an inline union or struct: uapigen \
                             writes `when` and `unless` on a struct's own members",
                        );
                    }
                    let label = byte_order_label(m.get_ref());
                    if let Some(member) = self.field(m, groups, since, &mut inner_anon) {
                        members.push(member);
                        labels.push(label);
                    }
                }
                self.byte_order_runs(&mut members, &labels, kind == Aggregate::Union);
                FieldType::Inline(kind, members)
            }
        };
        let c_role = if raw.rust_name.is_some() {
            Role::FieldCOnly
        } else {
            Role::Field
        };
        let name = match &raw.name {
            Some(n) => Some(self.identifier(n, c_role)),
            // C declares no array without a declarator: `struct { ... } [3];` is no member.
            None if matches!(ty, FieldType::Inline(..))
                && (raw.len.is_some() || raw.flexible.is_some() || raw.dims.is_some()) =>
            {
                self.error(
                    span,
                    "an array of an inline union or struct needs a `name`: only a single \
                     anonymous one is a member of its own (C11)",
                );
                return None;
            }
            None if matches!(ty, FieldType::Inline(..)) => None,
            // Padding bits: `__u32 :4;`.
            None if raw.bits.is_some() => None,
            None => {
                self.error(
                    span,
                    "only a union, a `struct = [...]` or padding bits (`bits`) may be anonymous: \
                     this field needs a `name`",
                );
                return None;
            }
        };
        let keys: [(&str, bool); 8] = [
            ("len", raw.len.is_some()),
            ("flexible", raw.flexible.is_some()),
            ("dims", raw.dims.is_some()),
            ("aligned", raw.aligned.is_some()),
            ("flags", raw.flags.is_some()),
            ("enum", raw.values.is_some()),
            (
                "reserved",
                raw.reserved.as_ref().is_some_and(|r| *r.get_ref()),
            ),
            ("until", raw.until.is_some()),
        ];
        let packed = match (&raw.packed, &ty) {
            (Some(p), FieldType::Inline(..)) => *p.get_ref(),
            // The member's own attribute (linux/toshiba.h's `unsigned int ebx
            // __attribute__((packed));`): it is 1-aligned, as in a packed struct.
            (Some(p), _) if *p.get_ref() && (raw.bits.is_some() || raw.flexible.is_some()) => {
                self.error(
                    p.span(),
                    "`packed` on a bitfield or a flexible array member: the schema packs a \
                     member of a fixed size, an inline aggregate's type, or a struct (its key)",
                );
                false
            }
            (Some(p), _) => *p.get_ref(),
            _ => false,
        };
        let bits = self.bitfield(&raw.bits, &keys, &ty, name.is_some())?;
        let byte_order_word = bits.is_some()
            && matches!(
                raw.byte_order.as_ref().map(|b| b.get_ref()),
                Some(RawByteOrder::Label(l)) if l == "word"
            );
        let byte_order_merged = bits.is_some()
            && matches!(
                raw.byte_order.as_ref().map(|b| b.get_ref()),
                Some(RawByteOrder::Label(l)) if l == "merged"
            );
        let byte_order = match (
            raw.byte_order.as_ref().map(|b| (b.get_ref(), b.span())),
            bits,
        ) {
            (Some((RawByteOrder::Label(_), _)), Some(_)) if byte_order_word => true,
            (Some((RawByteOrder::Label(_), _)), Some(_)) if byte_order_merged => true,
            (Some((RawByteOrder::Label(_), at)), Some(_)) => {
                self.error(
                    at,
                    "a `byte_order` label names a run of members that are not bitfields: a \
                     run of bitfields is one by being side by side, so write `byte_order = \
                     true` (each byte's bitfields in reverse), `\"word\"` (the run in reverse) \
                     or, on its last bitfield, `\"merged\"`",
                );
                false
            }
            (Some((RawByteOrder::Bool(b), _)), Some(_)) => *b,
            (Some((RawByteOrder::Bool(false), _)), None) | (None, _) => false,
            (Some((o, at)), None) => {
                // An integer type's, whose bytes C lays out alike on either byte order around
                // it (a struct's own members would move with it).
                let what = match &ty {
                    FieldType::Inline(..) => Some("an inline union or struct"),
                    FieldType::Struct(_) => Some("a struct member"),
                    FieldType::Pointer(_) => Some("a pointer"),
                    FieldType::Scalar(_) if raw.flexible.is_some() => {
                        Some("a flexible array member")
                    }
                    FieldType::Scalar(_) => None,
                };
                if let Some(what) = what {
                    self.error(
                        at,
                        format!(
                            "`byte_order` on {what}: the header declares per byte order a run \
                             of bitfields, or a run of integer members (or arrays of them) that \
                             it reverses"
                        ),
                    );
                    false
                } else if matches!(o, RawByteOrder::Label(l) if l.is_empty()) {
                    self.error(
                        at,
                        "an empty `byte_order` label: write `true`, or name the run",
                    );
                    false
                } else {
                    true
                }
            }
        };
        // Its run is written twice, one declaration per byte order, in `#if`s of its own.
        if let (Some(c), true) = (&raw.libc_compat, byte_order) {
            self.error(
                c.span(),
                "`libc_compat` on a bitfield declared per byte order: its run is written in \
                 `#if defined(__LITTLE_ENDIAN_BITFIELD)` branches, which no other condition \
                 may cut",
            );
        }
        let when_span = raw.when.as_ref().or(raw.unless.as_ref()).map(|c| c.span());
        let when = self.when(
            (&raw.when, &raw.unless),
            &raw.libc_compat,
            raw.byte_order
                .as_ref()
                .filter(|_| byte_order)
                .map(|b| b.span()),
        );
        let tag = self.inline_tag(&raw.tag, &ty, name.is_some());
        let qualifiers = self.qualifiers(
            [("const", &raw.konst), ("volatile", &raw.volatile)],
            &ty,
            name.is_some(),
        );
        if let (None, Some(doc), FieldType::Inline(kind, _)) = (&name, &raw.doc, &ty) {
            let kw = kind.c_keyword();
            self.error_note(
                doc.span(),
                format!("an anonymous {kw} has no name kernel-doc can document"),
                format!(
                    "document its members, or use `comment` for a plain comment above the {kw}"
                ),
            );
        }
        let rust_name = match (&raw.rust_name, &name) {
            (Some(r), _) => self.identifier(r, Role::RustName),
            (None, Some(n)) => n.clone(),
            (None, None) => {
                *anon += 1;
                format!("anon{anon}")
            }
        };
        let mut declared = false;
        let mut unknown: Option<(Span, String)> = None;
        let wants_flexible = raw.flexible.as_ref().filter(|x| match x.get_ref() {
            RawFlexible::On(on) => *on,
            RawFlexible::Macro(m) if m == "__DECLARE_FLEX_ARRAY" => {
                declared = true;
                true
            }
            RawFlexible::Macro(m) => {
                unknown = Some((x.span(), m.clone()));
                false
            }
        });
        if let Some((at, m)) = unknown {
            self.error(
                at,
                format!(
                    "`flexible = \"{m}\"`: a flexible array member is `true` (`T name[];`) or \
                     \"__DECLARE_FLEX_ARRAY\" (<linux/stddef.h>'s macro)"
                ),
            );
        }
        let mut len_expr = None;
        let (len, mut flexible) = match (&raw.len, wants_flexible) {
            (Some(l), Some(x)) => {
                self.error(
                    x.span(),
                    format!(
                        "`flexible = true` is an array of no fixed length, so it takes no `len` \
                         (`len = {}`)",
                        l.get_ref()
                    ),
                );
                (None, None)
            }
            (None, Some(_)) if declared => (None, Some(Flexible::Declared)),
            (None, Some(_)) => (None, Some(Flexible::Unsized)),
            (None, None) => (None, None),
            (Some(l), None) if matches!(l.get_ref(), RawLen::Expr(_)) => {
                let on = self.len_expr(l);
                len_expr = on.as_ref().map(|on| LenExpr {
                    text: match l.get_ref() {
                        RawLen::Expr(e) => e.trim().to_string(),
                        RawLen::Int(_) => String::new(),
                    },
                    on: on.iter().any(|v| *v != on[0]).then(|| on.clone()),
                });
                (on.map(|on| on[0]), None)
            }
            // An old header's `data[0]`: a flexible array member in GNU's spelling, kept so.
            (Some(l), None) if matches!(l.get_ref(), RawLen::Int(0)) => {
                (None, Some(Flexible::ZeroLength))
            }
            (Some(l), None) if matches!(l.get_ref(), RawLen::Int(n) if (1..=1 << 20).contains(n)) => {
                (
                    match l.get_ref() {
                        RawLen::Int(n) => Some(*n as u64),
                        RawLen::Expr(_) => None,
                    },
                    None,
                )
            }
            (Some(l), None) => {
                self.error(
                    l.span(),
                    format!(
                        "array length {} is out of range (1 to 1048576; 0 is a flexible array \
                         member, `data[0]`)",
                        l.get_ref()
                    ),
                );
                (None, None)
            }
        };
        if let (Some(_), FieldType::Inline(Aggregate::Union, _)) = (flexible, &ty) {
            let at = wants_flexible
                .map(|x| x.span())
                .or(raw.len.as_ref().map(|l| l.span()))
                .unwrap_or(span.clone());
            self.error(
                at,
                "a flexible array member's element is a scalar, a `struct NAME` or an inline \
                 struct, not a union",
            );
            flexible = None;
        }
        let mut link = |key: &Option<S<String>>, want: GroupKind| -> Option<GroupId> {
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
        let mut values = link(&raw.values, GroupKind::Enum);
        // A member of an enum type holds that enum's values.
        if let Some((tag, g)) = &c_enum {
            match (&raw.values, values) {
                (Some(v), Some(other)) if other != *g => self.error(
                    v.span(),
                    format!(
                        "the member is an `enum {tag}`: `enum = \"{}\"` names another",
                        v.get_ref()
                    ),
                ),
                _ => values = Some(*g),
            }
        }
        // An enum-typed bitfield holds the enum's values as C has them; no rule reads it.
        if bits.is_some() {
            values = None;
        }
        // `aligned(__alignof__(struct X))`: X's alignment on each target.
        let alignof = raw.aligned.as_ref().and_then(|a| match a.get_ref() {
            RawAligned::Name(n) if alignof_operand(n).is_some() => Some(a),
            _ => None,
        });
        let aligned_of = alignof.and_then(|a| {
            // A bitfield's `aligned` is refused as any `aligned` is.
            let why = if bits.is_some() {
                return None;
            } else if raw.name.is_none() {
                Some("a member without a name")
            } else if raw.declared_by.is_some() {
                Some("a member a macro declares")
            } else {
                None
            };
            self.aligned_of(a, why)
        });
        let aligned = match alignof {
            Some(_) => None,
            None => self.alignment(&raw.aligned, "member"),
        };
        if let (Some(a), Some(_)) = (&raw.aligned, &typedef_aligned) {
            self.error(
                a.span(),
                "`aligned` on a member of an aligned typedef: the typedef gives its alignment",
            );
        }
        // The macro's declarator is `NAME[]`: no attribute, no further dimension.
        if let (Some(Flexible::Declared), Some(k)) = (
            flexible,
            raw.aligned
                .as_ref()
                .map(|a| a.span())
                .or(raw.dims.as_ref().map(|d| d.span())),
        ) {
            self.error(
                k,
                "`__DECLARE_FLEX_ARRAY(TYPE, NAME)` declares `TYPE NAME[]`: it takes no `aligned` \
                 or `dims`",
            );
        }
        let mut dims = Vec::new();
        if let Some(d) = &raw.dims {
            if len.is_none() && flexible.is_none() {
                self.error(
                    d.span(),
                    "`dims` are an array's further dimensions: it needs `len` or `flexible`",
                );
            } else if !matches!(ty, FieldType::Scalar(_) | FieldType::Struct(_)) {
                self.error(
                    d.span(),
                    "a multi-dimensional array's element is a scalar type or a `struct NAME` \
                     (`__u32 m[4][4]`, ptp_clock.h's `struct ptp_clock_time ts[25][3]`)",
                );
            } else if d.get_ref().is_empty() {
                self.error(d.span(), "`dims` lists at least one dimension");
            } else if flags.is_some() || values.is_some() {
                self.error(
                    d.span(),
                    "a multi-dimensional array takes no `flags` or `enum`",
                );
            }
            for n in d.get_ref() {
                match u64::try_from(*n.get_ref()) {
                    Ok(v) if (1..=65536).contains(&v) => {
                        dims.push(v);
                        // A row past the largest struct (1 MiB) is refused here, before its
                        // product could overflow.
                        if dims
                            .iter()
                            .try_fold(1u64, |a, d| a.checked_mul(*d))
                            .is_none_or(|r| r > crate::model::layout::MAX_STRUCT_SIZE)
                        {
                            self.error(
                                d.span(),
                                "a row of these dimensions is past 1 MiB (1048576), the \
                                 largest struct",
                            );
                            break;
                        }
                    }
                    _ => self.error(
                        n.span(),
                        format!(
                            "a dimension is an integer from 1 to 65536 (it is {})",
                            n.get_ref()
                        ),
                    ),
                }
            }
        }
        self.size_t_assumed(span.clone(), &ty);
        if let (Some(w), Some(at)) = (&when, when_span) {
            // A bitfield's accessors are read from x86-64's runs (`layout::runs_among` of
            // the first layout), under the `cfg` of the targets that have it.
            let x86_64 = w.on.first().copied().unwrap_or(false);
            let absent_bits = bits.is_some() && !x86_64;
            if absent_bits {
                self.error_note(
                    at.clone(),
                    "a bitfield under a condition x86-64 fails: uapigen writes a bitfield's \
                     accessors from x86-64's layout",
                    "x86's asm/ldt.h's `lm` is under `#ifdef __x86_64__`: a condition that holds \
                     there",
                );
                return None;
            }
            if !self.when_fits(at, &ty, &len_expr, x86_64) {
                return None;
            }
        }
        if let Some(n) = typedef_len {
            if len.is_some() || flexible.is_some() || !dims.is_empty() || bits.is_some() {
                self.error(
                    span.clone(),
                    format!(
                        "a member of an array typedef (`{n}` elements) is that array: it takes \
                         no `len`, `flexible`, `dims` or `bits`"
                    ),
                );
                return None;
            }
        }
        let len = typedef_len.or(len);
        let declared_by = match &raw.declared_by {
            Some(d) => Some(Box::new(self.declared_by(
                d,
                DeclaredAs {
                    ty: &raw.ty,
                    len: &raw.len,
                    flexible: &raw.flexible,
                    other: inline_key.or_else(|| {
                        [
                            ("bits", raw.bits.is_some()),
                            ("dims", raw.dims.is_some()),
                            ("aligned", raw.aligned.is_some()),
                            ("byte_order", raw.byte_order.is_some()),
                            (
                                "flexible = \"__DECLARE_FLEX_ARRAY\"",
                                matches!(
                                    raw.flexible.as_ref().map(|f| f.get_ref()),
                                    Some(RawFlexible::Macro(_))
                                ),
                            ),
                        ]
                        .into_iter()
                        .find_map(|(k, on)| on.then_some(k))
                    }),
                },
                name.as_deref(),
            )?)),
            None => None,
        };
        Some(Field {
            declared_by,
            name,
            rust_name,
            ty,
            len,
            typedef_len: typedef_len.is_some(),
            flexible,
            dims,
            aligned: aligned
                .as_ref()
                .map(|a| a.value)
                .or(typedef_aligned.as_ref().map(|a| a.0.value)),
            aligned_name: aligned.and_then(|a| a.name),
            aligned_of,
            typedef_aligned: typedef_aligned.is_some(),
            typedef_lowers: typedef_aligned.as_ref().is_some_and(|a| a.1),
            // Its struct's, set once the struct is (`Resolver::pack`).
            pack: None,
            doc: self.text(&raw.doc, "a doc", false),
            comment: self.text(&raw.comment, "a comment", true),
            since,
            until,
            reserved: raw.reserved.as_ref().is_some_and(|r| *r.get_ref()),
            flags,
            values,
            c_enum: c_enum.map(|(tag, _)| tag),
            c_typedef,
            before: Vec::new(),
            bits,
            byte_order,
            // Set with its siblings (`Resolver::byte_order_runs`).
            byte_order_starts: false,
            byte_order_word,
            byte_order_merged,
            big_endian_bits: None,
            packed,
            qualifiers,
            tag,
            libc_compat: self.libc_compat(&raw.libc_compat, false),
            embeds_flexible: raw.embeds_flexible.as_ref().is_some_and(|e| *e.get_ref()),
            len_expr,
            when,
            span,
        })
    }

    /// `declared_by = { macro, args }`: a declaring `[[macro]]` above, called with as many
    /// arguments as it has parameters, each one argument as written, whose expansion is the
    /// member the schema describes (its type, name and array), token for token.
    fn declared_by(
        &mut self,
        d: &S<RawDeclaredBy>,
        raw: DeclaredAs<'_>,
        name: Option<&str>,
    ) -> Option<DeclaredBy> {
        let call = d.get_ref();
        let m = call.macro_name.get_ref();
        let Some((macro_id, params, body)) = self.decl_macros.get(m).cloned() else {
            let what = if self.macros.contains_key(m) {
                "a `[[macro]]` whose body is an expression"
            } else {
                "no `[[macro]]` above"
            };
            self.error(
                call.macro_name.span(),
                format!("`declared_by` names `{m}`, {what}: it names a macro whose body declares a member (`TYPE NAME` or `TYPE NAME[LEN]`, NAME a parameter)"),
            );
            return None;
        };
        let mut args = Vec::new();
        for a in &call.args {
            let text = a.get_ref().trim();
            let why = names::refuse_text(text, "a macro argument", true).or_else(|| {
                decl_macro::arg_problem(text).map(|w| format!("the argument `{text}`: {w}"))
            });
            if let Some(why) = why {
                self.error(a.span(), why);
                return None;
            }
            args.push(text.to_string());
        }
        if args.len() != params.len() {
            self.error(
                d.span(),
                format!(
                    "`{m}` takes {} arguments ({}), and `declared_by` gives {}",
                    params.len(),
                    params.join(", "),
                    args.len()
                ),
            );
            return None;
        }
        if let Some(k) = raw.other {
            self.error(
                d.span(),
                format!("`declared_by` declares a member of a type, a name and at most one array length: not with `{k}`"),
            );
            return None;
        }
        let array = match (raw.len.as_ref().map(|l| l.get_ref()), &raw.flexible) {
            (Some(RawLen::Int(n)), _) => format!("[{n}]"),
            (Some(RawLen::Expr(e)), _) => format!("[{e}]"),
            (None, Some(_)) => "[]".to_string(),
            (None, None) => String::new(),
        };
        let ty = raw.ty.as_ref().map_or("", |t| t.get_ref().as_str());
        let want = format!("{ty} {}{array}", name.unwrap_or(""));
        let got = decl_macro::expand(&params, &body, &args);
        if decl_macro::tokens(&want) != decl_macro::tokens(&got) {
            self.error(
                d.span(),
                format!(
                    "`{m}({})` declares `{got}`, and the member is `{want}`",
                    args.join(", ")
                ),
            );
            return None;
        }
        Some(DeclaredBy { macro_id, args })
    }

    /// Marks where each run declared per byte order starts among siblings (`labels[i]`: field
    /// i's `byte_order`, `""` for `true`). Bitfields side by side are one run; members that
    /// are not bitfields are one run while their labels agree, at least two members (one is
    /// the same in either order), never in a union (whose members all start at 0).
    fn byte_order_runs(&mut self, fields: &mut [Field], labels: &[Option<S<String>>], union: bool) {
        let label = |i: usize| labels[i].as_ref().map(|l| l.get_ref().as_str());
        let mut used: FxMap<&str, Span> = FxMap::default();
        let mut i = 0;
        while i < fields.len() {
            if !fields[i].byte_order {
                i += 1;
                continue;
            }
            fields[i].byte_order_starts = true;
            let plain = fields[i].bits.is_none();
            let mut end = i + 1;
            while end < fields.len()
                && fields[end].byte_order
                && fields[end].bits.is_none() == plain
                && (!plain || label(end) == label(i))
            {
                if !plain && fields[end].byte_order_word != fields[i].byte_order_word {
                    if let Some(l) = &labels[end] {
                        self.error(
                            l.span(),
                            "a run of bitfields declared per byte order is reversed per byte \
                             (`true`) or as a whole (`\"word\"`): every bitfield of it says \
                             the same",
                        );
                    }
                }
                end += 1;
            }
            if !plain {
                self.merged_bitfield(&mut fields[i..end], &labels[i..end]);
            }
            if let (true, Some(l)) = (plain, &labels[i]) {
                let at = l.span();
                if union {
                    self.error(
                        at.clone(),
                        "`byte_order` on a union's member: every member of a union starts at \
                         offset 0, so no order is there to reverse",
                    );
                } else if end - i == 1 {
                    self.error_note(
                        at.clone(),
                        format!(
                            "`{}` is a run of one member declared per byte order: it is the \
                             same in either order",
                            fields[i].display_name()
                        ),
                        "`byte_order` marks two or more members side by side that the header \
                         declares in reverse on a big-endian ABI (one `byte_order` label each \
                         run)",
                    );
                } else if let Some(first) = used.get(l.get_ref().as_str()) {
                    let (line, _) = self.source.line_col(first.start);
                    self.error(
                        at.clone(),
                        format!(
                            "`byte_order` label `{}` names a second run (the first at line \
                             {line}): one label each run",
                            l.get_ref()
                        ),
                    );
                }
                if !l.get_ref().is_empty() {
                    used.insert(l.get_ref(), at);
                }
            }
            i = end;
        }
    }

    /// A run of bitfields declared per byte order whose last one the big-endian declaration
    /// merges into another (`byte_order = "merged"`, linux/icmpv6.h's `reserved2`): it is
    /// whole bytes, from a byte of the run after the first, and its bits go to the run's
    /// bitfield at bit 0 of the byte before, which the reversal puts right before them
    /// (`Field::big_endian_bits`). Bits counted from the run's start, which the check stage
    /// holds to the layout (`layout::byte_order_misfit`).
    fn merged_bitfield(&mut self, run: &mut [Field], labels: &[Option<S<String>>]) {
        let Some(k) = run.iter().position(|f| f.byte_order_merged) else {
            return;
        };
        let at = labels[k]
            .as_ref()
            .map(|l| l.span())
            .unwrap_or(run[k].span.clone());
        let width = |f: &Field| f.bits.unwrap_or(0);
        let start: u32 = run[..k].iter().map(width).sum();
        let b = width(&run[k]);
        let why = if k + 1 != run.len() {
            Some("it is the last bitfield of its run".to_string())
        } else if run[0].byte_order_word {
            Some("its run is reversed per byte (`true`), not as a whole".to_string())
        } else if run[k].name.is_none() {
            Some("it has a name".to_string())
        } else if start % 8 != 0 || b % 8 != 0 || start < 8 {
            Some(format!(
                "it is whole bytes after the run's first (here bits {start} to {} of the run)",
                start + b - 1
            ))
        } else {
            None
        };
        let mut into = None;
        let mut bit = 0;
        for (j, f) in run[..k].iter().enumerate().filter(|_| why.is_none()) {
            if bit + 8 == start && f.name.is_some() {
                into = Some(j);
            }
            bit += width(f);
        }
        match (why, into) {
            (None, Some(j)) => run[j].big_endian_bits = Some(width(&run[j]) + b),
            (why, _) => {
                let why = why.unwrap_or_else(|| {
                    "a named bitfield of the run starts the byte before it, which takes its bits"
                        .to_string()
                });
                self.error_note(
                    at,
                    format!(
                        "`byte_order = \"merged\"` on `{}`: {why}",
                        run[k].display_name()
                    ),
                    "the big-endian declaration gives a merged bitfield's bits to the one \
                     before it there (linux/icmpv6.h's `reserved:29` for `reserved:5` and \
                     `reserved2:24`)",
                );
            }
        }
    }

    /// `pack = n` (`#pragma pack(n)`): a power of two to 16, as gcc's pragma takes it, alone
    /// (not with `packed` or `aligned`, which the kernel does not combine with it), set on
    /// every member at any depth.
    fn pack(
        &mut self,
        (pack, packed, aligned): (&Option<S<i64>>, &Option<S<bool>>, &Option<S<RawAligned>>),
        fields: &mut [Field],
    ) -> Option<u64> {
        let n = pack.as_ref()?;
        let pack = match u64::try_from(*n.get_ref()) {
            Ok(v) if v.is_power_of_two() && v <= 16 => v,
            _ => {
                self.error(
                    n.span(),
                    format!(
                        "`pack = {}`: `#pragma pack(n)` takes a power of two from 1 to 16",
                        n.get_ref()
                    ),
                );
                return None;
            }
        };
        for (key, given) in [
            ("packed", packed.as_ref().map(|p| p.span())),
            ("aligned", aligned.as_ref().map(|a| a.span())),
        ] {
            if let Some(at) = given {
                self.error(
                    at,
                    format!("`{key}` with `pack`: a struct is laid out by one of them"),
                );
                return None;
            }
        }
        fn set(fields: &mut [Field], pack: u64) {
            for f in fields {
                f.pack = Some(pack);
                if let FieldType::Inline(_, ms) = &mut f.ty {
                    set(ms, pack);
                }
            }
        }
        set(fields, pack);
        Some(pack)
    }

    /// A bitfield directly in a union is padding bits (bpf.h's `__bpf_md_ptr`'s `__u64 :64;`):
    /// unnamed, a whole number of bytes, which Rust writes as bytes. Each member of a union is
    /// at bit 0, so a named one would be a member of its own, with no Rust spelling the
    /// emitters share. False (refused) for any other bitfield; true for a member that is none.
    fn union_bits(&mut self, f: &RawField) -> bool {
        let Some(b) = &f.bits else {
            return true;
        };
        let width = *b.get_ref();
        if f.name.is_none() && width > 0 && width % 8 == 0 {
            return true;
        }
        // Laid out at the union's first bit, as C does; no Rust type has such a member.
        if f.name.is_some() && self.opaque_now {
            return true;
        }
        self.error_note(
            b.span(),
            "a bitfield directly in a union is not supported, but for unnamed padding bits of \
             whole bytes (`__u64 :64;`), or in a struct or union whose Rust type is opaque \
             (`rust_opaque = true`)",
            "put the bits in a `struct = [...]` member of the union",
        );
        false
    }

    /// A `when` member is not an array whose length differs between targets (its Rust member
    /// is written per length), nor an inline union or struct holding bitfields that x86-64
    /// leaves out (their accessors are written from x86-64's layout). A bitfield may be one
    /// (x86's asm/ldt.h's `lm`): its run is laid out on each target without it where it is
    /// absent, and `layout::bitfields_differ` holds the bits of those present on both to
    /// one place. An inline union or struct may be (x86's asm/signal.h's `_u`, i686's): its
    /// type is declared on every target, its layout asserted where the member is.
    fn when_fits(
        &mut self,
        at: Span,
        ty: &FieldType,
        len_expr: &Option<LenExpr>,
        x86_64: bool,
    ) -> bool {
        if matches!(ty, FieldType::Inline(_, ms) if !x86_64 && Field::any(ms, &|f| f.bits.is_some()))
        {
            self.error_note(
                at,
                "a condition x86-64 fails on an inline union or struct holding bitfields: \
                 uapigen writes a bitfield's accessors from x86-64's layout",
                "declare the member's type above as a `[[struct]]`",
            );
            return false;
        }
        let why = if len_expr.as_ref().is_some_and(|e| e.on.is_some()) {
            "an array whose length differs between targets"
        } else {
            return true;
        };
        self.error_note(
            at,
            format!("a condition on {why}: uapigen writes `when` and `unless` on a plain member"),
            "declare the member's type above as a `[[struct]]`, or write one condition per member",
        );
        false
    }

    /// A member's or define's `when` or `unless` (`front::when`): one of the two, and no other
    /// condition (`libc_compat`, a run declared per byte order) on it.
    fn when(
        &mut self,
        (when, unless): (&Option<S<String>>, &Option<S<String>>),
        libc_compat: &Option<S<String>>,
        byte_order: Option<Span>,
    ) -> Option<Box<When>> {
        let (c, negated) = match (when, unless) {
            (Some(w), Some(u)) => {
                self.error_note(
                    u.span(),
                    "`unless` with `when`: an item is in the `#if` or in its `#else`",
                    "`when` for the `#if` branch, `unless` for the `#else`",
                );
                (w, false)
            }
            (Some(w), None) => (w, false),
            (None, Some(u)) => (u, true),
            (None, None) => return None,
        };
        let key = if negated { "unless" } else { "when" };
        let other = libc_compat
            .as_ref()
            .map(|l| (l.span(), "`libc_compat`"))
            .or(byte_order.map(|b| (b, "`byte_order`")));
        if let Some((span, what)) = other {
            self.error(
                span,
                format!("{what} with `{key}`: an item is under one condition"),
            );
            return None;
        }
        match crate::front::when::evaluate(c.get_ref()) {
            Ok((text, on)) if on.iter().all(|x| *x == on[0]) => {
                self.error(
                    c.span(),
                    format!(
                        "`{key} = {text:?}` {} on every target uapigen lays out: the item is \
                         {}, so it needs no condition",
                        if on[0] { "holds" } else { "fails" },
                        if on[0] != negated {
                            "everywhere"
                        } else {
                            "nowhere"
                        }
                    ),
                );
                None
            }
            Ok((text, on)) => Some(Box::new(When {
                text,
                negated,
                on: on.into_iter().map(|x| x != negated).collect(),
            })),
            Err(why) => {
                self.error(c.span(), format!("`{key} = {:?}` {why}", c.get_ref()));
                None
            }
        }
    }

    /// The value on each target of a `len` written as a C expression: over the constants
    /// above and `sizeof` of a scalar type or a pointer, 0 to 1048576 on every target. (A
    /// struct's size is refused: the lengths are known before the structs are laid out.)
    fn len_expr(&mut self, l: &S<RawLen>) -> Option<Vec<u64>> {
        let RawLen::Expr(text) = l.get_ref() else {
            return None;
        };
        let x = S::new(l.span(), text.clone());
        let text = text.trim();
        if let Some(why) = names::refuse_text(text, "a `len`", true) {
            self.error(l.span(), why);
            return None;
        }
        let occurrences = match cexpr::sizeofs(text) {
            Ok(o) => o,
            Err(e) => {
                let at = self.in_string(&x, e.at);
                self.error(at, e.message);
                return None;
            }
        };
        let targets = crate::model::layout::TARGETS;
        let mut sizes: Vec<Vec<u64>> = Vec::with_capacity(occurrences.len());
        for (r, ty) in &occurrences {
            let at = self.in_string(&x, r.clone());
            let bytes = match self.field_type(&S::new(at.clone(), ty.clone()))? {
                FieldType::Scalar(sc) => targets.iter().map(|t| t.scalar_size(sc)).collect(),
                FieldType::Pointer(_) => targets.iter().map(|t| t.pointer_size()).collect(),
                _ => {
                    self.error_note(
                        at,
                        format!("`sizeof({ty})` in a `len`: only a scalar type's or a pointer's size is taken here"),
                        "write the length as a number, or as a constant defined above",
                    );
                    return None;
                }
            };
            sizes.push(bytes);
        }
        let mut on = Vec::with_capacity(targets.len());
        for (t, target) in targets.iter().enumerate() {
            let found: Vec<(std::ops::Range<usize>, u64)> = occurrences
                .iter()
                .zip(&sizes)
                .map(|((r, _), b)| (r.clone(), b[t]))
                .collect();
            let sized = cexpr::with_sizes(text, &found);
            let macros = &self.macros;
            let parsed = match cexpr::parse_with(&sized, &|n| macros.get(n).cloned()) {
                Ok(p) => p,
                Err(e) => {
                    let at = self.in_string(&x, e.at);
                    self.error(at, e.message);
                    return None;
                }
            };
            for (n, r) in &parsed.names {
                let at = self.in_string(&x, r.clone());
                if self.ioctl_number(n, at) {
                    return None;
                }
            }
            let model = usize::from(target.long_size == 8);
            let value = parsed.eval(cexpr::MODELS[model], &|n: &str| {
                self.constants.get(n).map(|(.., cv)| cv[model])
            });
            match value {
                Ok(v) if (0..=1 << 20).contains(&v.value) => on.push(v.value as u64),
                Ok(v) => {
                    self.error(
                        l.span(),
                        format!(
                            "array length `{text}` is {} on {}: an array's length is 0 to 1048576",
                            v.value, target.triple
                        ),
                    );
                    return None;
                }
                Err(e) => {
                    let at = self.in_string(&x, e.at);
                    self.error(at, e.message);
                    return None;
                }
            }
        }
        Some(on)
    }

    /// Refuses struct `st` a name a `[[typedef]]` or an inline tag above took: its C tag, or
    /// its Rust type (the CamelCase, which only schemas with typedefs or tags compute).
    fn names_typedefs_and_tags_took(&mut self, st: &Struct) {
        if self.inline_tags.contains(&st.name) {
            self.error(
                st.name_span.clone(),
                format!(
                    "`{}` is already the tag of an inline struct or union above",
                    st.name
                ),
            );
        }
        let Some(camels) = &mut self.struct_camels else {
            return;
        };
        let camel = names::camel(&st.name);
        let taken = match camels.get(&camel) {
            Some(tag) if self.inline_tags.contains(tag) => {
                Some(format!("the inline tag `{tag}`'s too"))
            }
            Some(_) => None,
            None => {
                camels.insert(camel.clone(), st.name.clone());
                self.typedefs
                    .contains_key(&camel)
                    .then(|| "a `[[typedef]]` above".to_string())
            }
        };
        if let Some(what) = taken {
            self.error(
                st.name_span.clone(),
                format!("struct `{}`'s Rust type `{camel}` is {what}", st.name),
            );
        }
    }

    /// The Rust type names of the structs so far, by CamelCase: built when the first typedef or
    /// inline tag needs them, kept up to date from then on.
    fn struct_camels(&mut self) -> &mut FxMap<String, String> {
        let index = &self.struct_index;
        self.struct_camels
            .get_or_insert_with(|| index.keys().map(|s| (names::camel(s), s.clone())).collect())
    }

    /// An inline union or struct's `tag`: a named member's, a C identifier no other struct,
    /// union or tag of the schema has.
    fn inline_tag(
        &mut self,
        raw: &Option<S<String>>,
        ty: &FieldType,
        named: bool,
    ) -> Option<String> {
        let t = raw.as_ref()?;
        let FieldType::Inline(kind, _) = ty else {
            self.error(
                t.span(),
                "`tag` names a `struct = [...]` or `union = [...]` member's type",
            );
            return None;
        };
        if !named {
            self.error(
                t.span(),
                format!(
                    "a tagged {kw} without a member name declares only the type, which C11 \
                     does not make an anonymous member: name the member",
                    kw = kind.c_keyword()
                ),
            );
            return None;
        }
        let tag = self.identifier(t, Role::Struct);
        if self.struct_index.contains_key(&tag) || !self.inline_tags.insert(tag.clone()) {
            self.error(
                t.span(),
                format!("`{tag}` is already a struct or union tag of this schema"),
            );
            return None;
        }
        // Its Rust type is its tag's CamelCase, as a struct's is.
        let camel = names::camel(&tag);
        if let Some(other) = self.struct_camels().get(&camel) {
            let other = other.clone();
            self.error(
                t.span(),
                format!("`{tag}`'s Rust type `{camel}` is struct `{other}`'s too"),
            );
            return None;
        }
        self.struct_camels().insert(camel, tag.clone());
        Some(tag)
    }

    /// A member's `const` and `volatile`: on a named member of a scalar, pointer, enum or
    /// struct type (arrays of them too), as C qualifies the element's type.
    fn qualifiers(
        &mut self,
        keys: [(&str, &Option<S<bool>>); 2],
        ty: &FieldType,
        named: bool,
    ) -> Qualifiers {
        let mut q = Qualifiers::default();
        for (i, (key, value)) in keys.into_iter().enumerate() {
            let Some(v) = value else { continue };
            if !*v.get_ref() {
                continue;
            }
            if let FieldType::Inline(kind, _) = ty {
                let kw = kind.c_keyword();
                self.error(
                    v.span(),
                    format!(
                        "`{key}` qualifies a member's type; an inline {kw}'s members take it \
                         one by one"
                    ),
                );
            } else if !named {
                self.error(
                    v.span(),
                    format!("`{key}` on padding bits: only a named member takes a qualifier"),
                );
            } else if i == 0 {
                q.konst = true;
            } else {
                q.volatile = true;
            }
        }
        q
    }

    /// A field's `bits`: what gcc takes as a bitfield and every emitter can write. `Err(())`
    /// (None from `field`) when the field cannot be one; `Ok(None)` for no `bits`.
    fn bitfield(
        &mut self,
        bits: &Option<S<i64>>,
        keys: &[(&str, bool)],
        ty: &FieldType,
        named: bool,
    ) -> Option<Option<u32>> {
        let Some(b) = bits else {
            return Some(None);
        };
        let at = b.span();
        let scalar = match ty {
            FieldType::Scalar(s) => *s,
            _ => {
                self.error(
                    at,
                    "a bitfield's type is an integer type (`__u32`, `int` ...), not a struct, \
                     union or pointer",
                );
                return None;
            }
        };
        // Each of these has no faithful bitfield: an aligned typedef's attribute, a byte
        // order sparse refuses in a bitfield, a signedness that differs by ABI.
        let why = if scalar.is_aligned_64() {
            Some("an `__aligned_*` type carries an alignment attribute")
        } else if scalar.is_endian() {
            Some("a `__bitwise` type (`__le32`, `__be16`, `__virtio32` ...) has a byte order, which a bitfield's bits do not keep (sparse refuses it)")
        } else if scalar.is_plain_char() {
            Some("plain `char` is signed on x86 and unsigned elsewhere; write `signed char` or `unsigned char`, or `__u8`")
        } else if scalar.is_float() {
            Some("a bitfield's type is an integer type")
        } else {
            None
        };
        if let Some(why) = why {
            self.error(
                at,
                format!("`{}` cannot be a bitfield's type: {why}", scalar.c_name()),
            );
            return None;
        }
        if let Some((key, _)) = keys.iter().find(|(_, set)| *set) {
            self.error_note(
                at,
                format!("a bitfield takes no `{key}`"),
                "a bitfield is bits of one integer: no array of them, no attribute, and no rule \
                 reads them (declare the whole integer and name its bits with [[flags]] for that)",
            );
            return None;
        }
        // The ABI's word is 4 bytes on i686 and arm: `long x:40` is refused there; an
        // architecture's type is as wide as its narrowest.
        let max = if scalar.is_word() {
            32
        } else if scalar.is_arch() {
            crate::layout::TARGETS
                .iter()
                .map(|t| t.scalar_size(scalar) as u32 * 8)
                .min()
                .unwrap_or(16)
        } else {
            scalar.size() as u32 * 8
        };
        match u32::try_from(*b.get_ref()) {
            Ok(0) if named => {
                self.error_note(
                    at,
                    "a named bitfield has at least one bit",
                    "`bits = 0` without a name moves the next member to the next unit of its type",
                );
                None
            }
            Ok(w) if w <= max => Some(Some(w)),
            _ => {
                self.error(
                    at,
                    format!(
                        "`bits = {}`: a `{}` bitfield has 0 to {max} bits",
                        b.get_ref(),
                        scalar.c_name()
                    ),
                );
                None
            }
        }
    }

    /// `packed_by = { macro, when }`: a macro packing the struct where an architecture's
    /// condition holds (linux/eventpoll.h's `EPOLL_PACKED` under `#ifdef __x86_64__`). Not
    /// with another packing or alignment of the struct's; one macro, one condition.
    #[allow(clippy::type_complexity)]
    fn packed_by(
        &mut self,
        (packed_by, packed, pack, aligned): (
            &Option<S<RawPackedBy>>,
            &Option<S<bool>>,
            &Option<S<i64>>,
            &Option<S<RawAligned>>,
        ),
    ) -> Option<PackedBy> {
        let p = packed_by.as_ref()?;
        let other = [
            (packed.as_ref().map(|x| x.span()), "packed"),
            (pack.as_ref().map(|x| x.span()), "pack"),
            (aligned.as_ref().map(|x| x.span()), "aligned"),
        ];
        if let Some((Some(at), key)) = other.into_iter().find(|(s, _)| s.is_some()) {
            self.error(
                at,
                format!("`{key}` with `packed_by`: the macro gives the struct its packing"),
            );
            return None;
        }
        let name = self.identifier(&p.get_ref().name, Role::Constant);
        let when = self.when((&Some(p.get_ref().when.clone()), &None), &None, None)?;
        match self.packed_macros.get(&name) {
            Some(text) if *text != when.text => {
                self.error(
                    p.get_ref().when.span(),
                    format!("`{name}` packs under `{text}` above: one macro, one condition"),
                );
                return None;
            }
            Some(_) => {}
            None => {
                if self.ordinary_name_taken(&name) || self.struct_index.contains_key(&name) {
                    self.error(
                        p.get_ref().name.span(),
                        format!("`{name}` is defined twice"),
                    );
                    return None;
                }
                self.packed_macros.insert(name.clone(), when.text.clone());
            }
        }
        Some(PackedBy { name, when })
    }

    /// `aligned = n` of a struct, member or typedef: what gcc takes in
    /// `__attribute__((aligned(n)))`, a power of two, here at most a page (the largest
    /// alignment a uAPI header asks for is 16; a struct's size stays a multiple of it below
    /// `MAX_STRUCT_SIZE`); or the name of an integer constant above of such a value, the same
    /// on every ABI, which C writes in its place (linux/virtio_ring.h's
    /// `aligned(VRING_USED_ALIGN_SIZE)`).
    fn alignment(&mut self, raw: &Option<S<RawAligned>>, what: &str) -> Option<Aligned> {
        let a = raw.as_ref()?;
        let (value, name) = match a.get_ref() {
            RawAligned::Int(n) => (*n, None),
            RawAligned::Name(n) if alignof_operand(n).is_some() => {
                self.error_note(
                    a.span(),
                    format!("`aligned = \"{n}\"` on a {what}"),
                    "an alignment per target, `__alignof__(struct NAME)`, is a member's only",
                );
                return None;
            }
            RawAligned::Name(n) => match self.constants.get(n.as_str()) {
                Some((.., cv))
                    if cv[0].value == cv[1].value
                        && !self.ioctls.contains(n)
                        && !self.powerpc_values.contains_key(n)
                        && !self.big_endian_values.contains_key(n) =>
                {
                    (i64::try_from(cv[1].value).unwrap_or(-1), Some(n.clone()))
                }
                Some(_) => {
                    self.error(
                        a.span(),
                        format!(
                            "`aligned = \"{n}\"` on a {what}: `{n}` has a value per ABI or is an \
                             ioctl number; an alignment is one power of two"
                        ),
                    );
                    return None;
                }
                None => {
                    self.error_note(
                        a.span(),
                        format!("unknown constant `{n}`"),
                        "`aligned` is a number or the name of a constant defined above it",
                    );
                    return None;
                }
            },
        };
        match u64::try_from(value) {
            Ok(v) if v.is_power_of_two() && v <= 4096 => Some(Aligned { value: v, name }),
            _ => {
                self.error(
                    a.span(),
                    format!(
                        "`aligned = {}` on a {what}: an alignment is a power of two from 1 to \
                         4096, as gcc's `__attribute__((aligned(n)))` takes it{}",
                        a.get_ref(),
                        if name.is_some() {
                            format!(" (it is {value})")
                        } else {
                            String::new()
                        }
                    ),
                );
                None
            }
        }
    }

    /// `aligned = "__alignof__(struct X)"` of a member (linux/netfilter_bridge/ebtables.h's
    /// `data[]`): X, a struct or union defined above, whose alignment on each target the
    /// member takes. Not on a member without a name (an anonymous inline aggregate's
    /// `aligned` is its type's), nor one declared by a macro: `not_on` says which.
    fn aligned_of(&mut self, a: &S<RawAligned>, not_on: Option<&str>) -> Option<StructId> {
        let RawAligned::Name(text) = a.get_ref() else {
            return None;
        };
        let operand = alignof_operand(text)?;
        if let Some(why) = not_on {
            self.error(
                a.span(),
                format!(
                    "`aligned = \"{text}\"` on {why}: an alignment per target is a named member's"
                ),
            );
            return None;
        }
        match self.field_type(&S::new(a.span(), operand.to_string()))? {
            FieldType::Struct(id) => Some(id),
            _ => {
                self.error(
                    a.span(),
                    format!(
                        "`aligned = \"{text}\"`: `__alignof__` takes `struct NAME` or `union NAME` \
                         of one defined above (a number or a constant's name for any other \
                         alignment)"
                    ),
                );
                None
            }
        }
    }

    /// Refuses `aligned = "__alignof__(...)"` on a member of `holder` (a union or a packed
    /// aggregate, at any depth): Rust takes the alignment from a zero-length array before the
    /// member, which a union's members and a packed type's cannot hold.
    fn aligned_of_places(&mut self, fields: &[Field], holder: Option<&str>) {
        for f in fields {
            if let (Some(why), Some(_)) = (holder, f.aligned_of) {
                self.error(
                    f.span.clone(),
                    format!(
                        "`{}` has an alignment per target (`__alignof__`) in {why}: it is a \
                         member of a struct that is not packed",
                        f.display_name()
                    ),
                );
            }
            if let FieldType::Inline(kind, ms) = &f.ty {
                let inner = match kind {
                    Aggregate::Union => Some("a union"),
                    Aggregate::Struct if f.packed => Some("a packed struct"),
                    Aggregate::Struct => holder,
                };
                self.aligned_of_places(ms, inner);
            }
        }
    }

    fn field_type(&mut self, t: &S<String>) -> Option<FieldType> {
        self.field_type_of(t, false)
    }

    /// `field_type`, where `incomplete` lets a pointer name a struct no header defines.
    fn field_type_of(&mut self, t: &S<String>, incomplete: bool) -> Option<FieldType> {
        let text = t.get_ref().trim();
        if let Some(scalar) = Scalar::from_c_name(text) {
            return Some(FieldType::Scalar(scalar));
        }
        if text.contains("(*") {
            return self.fn_pointer(t, text, incomplete).map(FieldType::Pointer);
        }
        if let Some(base) = text.strip_suffix('*') {
            return self.pointer(t, base, incomplete).map(FieldType::Pointer);
        }
        let tagged = text
            .strip_prefix("struct ")
            .map(|n| (n, false))
            .or_else(|| text.strip_prefix("union ").map(|n| (n, true)));
        if let Some(i) = self
            .struct_index
            .get(text)
            .filter(|_| self.typedef_structs.contains(text))
        {
            return Some(FieldType::Struct(*i));
        }
        if let Some((sname, union)) = tagged {
            let sname = sname.trim();
            if self.typedef_structs.contains(sname) {
                self.error(
                    t.span(),
                    format!("`{sname}` has no tag (`typedef = true`): write `{sname}`"),
                );
                return None;
            }
            if self.struct_index.contains_key(sname) && self.unions.contains(sname) != union {
                let (is, write) = if union {
                    ("a struct", "struct")
                } else {
                    ("a union", "union")
                };
                self.error(
                    t.span(),
                    format!("`{sname}` is {is}: write `{write} {sname}`"),
                );
                return None;
            }
            return match self.struct_index.get(sname).copied() {
                Some(i) => Some(FieldType::Struct(i)),
                None if union => {
                    self.error_note(
                        t.span(),
                        format!("unknown union `{sname}`"),
                        "a union must be defined above the first struct that uses it, as in C",
                    );
                    None
                }
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
            format!(
                "use one of {}, \"struct NAME\" or \"union NAME\"",
                known.join(", ")
            ),
        );
        None
    }

    /// `R (*)(P, Q)`: a pointer to a function (asm-generic/siginfo.h's `void
    /// (*_function)(sigval_t)`), whose return and parameters are `void` or types a member may
    /// have, each written as given.
    fn fn_pointer(&mut self, t: &S<String>, text: &str, incomplete: bool) -> Option<Pointer> {
        if incomplete {
            return self.fn_refused(
                t,
                text,
                "`incomplete` is for a pointer to a struct no header defines",
            );
        }
        let Some((ret, rest)) = text.split_once("(*)") else {
            return self.fn_refused(
                t,
                text,
                "no `(*)` (the schema writes the type without the member's name)",
            );
        };
        let i = self.fn_sig(t, text, ret, rest)?;
        Some(Pointer::function(i))
    }

    /// A function pointer's or a function type's refusal (`text` says which), at `t`.
    fn fn_refused<T>(&mut self, t: &S<String>, text: &str, why: &str) -> Option<T> {
        let (what, form) = if text.contains("(*") {
            ("function pointer", "a function pointer is `R (*)(P, Q)`")
        } else {
            ("function type", "a function type is `R (P, Q)`")
        };
        self.error_note(
            t.span(),
            format!("{what} `{text}`: {why}"),
            format!(
                "{form}: R `void` or a type a member may have, each parameter such a type, \
                 `(void)` for none"
            ),
        );
        None
    }

    /// A function's type, `R (P, Q)` split into `ret` and `rest` (the parenthesised
    /// parameters): its index in `functions`, one per distinct signature.
    fn fn_sig(&mut self, t: &S<String>, text: &str, ret: &str, rest: &str) -> Option<usize> {
        let refuse = |r: &mut Self, why: &str| r.fn_refused(t, text, why);
        let Some(params) = rest
            .trim()
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
        else {
            return refuse(self, "no parameter list after the return type");
        };
        if params.contains('(') || params.contains("...") {
            return refuse(self, "a parameter that is a function pointer, or `...`");
        }
        let one = |r: &mut Self, text: &str| -> Option<(FieldType, String)> {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            // A `[[typedef]]` of a scalar or a struct, by its name.
            if r.fn_typedefs.contains(text.as_str()) {
                r.error_note(
                    t.span(),
                    format!("a parameter of function type `{text}`"),
                    format!("write the pointer C adjusts it to, `{text} *`"),
                );
                return None;
            }
            if let Some((_, ty, _)) = r
                .typedefs
                .get(text.as_str())
                .filter(|_| !r.typedef_lens.contains_key(text.as_str()))
            {
                return Some((ty.clone(), text));
            }
            // A pointer to a struct no header defines above (the struct being declared, or the
            // kernel's own type) is C's incomplete type, as in any parameter list.
            let tag = text
                .trim_end_matches('*')
                .trim()
                .trim_start_matches("const ")
                .trim();
            let unknown = text.ends_with('*')
                && tag
                    .strip_prefix("struct ")
                    .or_else(|| tag.strip_prefix("union "))
                    .is_some_and(|n| !r.struct_index.contains_key(n.trim()));
            let ty = r.field_type_of(&S::new(t.span(), text.clone()), unknown)?;
            Some((ty, text))
        };
        let ret = match ret.trim() {
            "void" => None,
            r => Some(one(self, r)?),
        };
        let params = match params.trim() {
            "void" => Vec::new(),
            "" => {
                return refuse(
                    self,
                    "`()`: C23 and C++ read it as no parameter, older C as any; write `(void)`",
                )
            }
            ps => ps
                .split(',')
                .map(|p| one(self, p))
                .collect::<Option<Vec<_>>>()?,
        };
        let sig = FnSig { ret, params };
        let key = sig.c_around();
        Some(
            match self.functions.iter().position(|f| f.c_around() == key) {
                Some(i) => i,
                None => {
                    self.functions.push(sig);
                    self.functions.len() - 1
                }
            },
        )
    }

    /// `const T __user *`, or `T **`: `base` is the text before the last `*`.
    fn pointer(&mut self, t: &S<String>, base: &str, incomplete: bool) -> Option<Pointer> {
        // `T **`: the pointer points to an unqualified `T *`.
        let (base, to_pointer) = match base.trim_end().strip_suffix('*') {
            Some(inner) => (inner, true),
            None => (base, false),
        };
        if to_pointer && base.trim_end().ends_with('*') {
            self.error_note(
                t.span(),
                format!("`{}`: more than two levels of `*`", t.get_ref().trim()),
                "a pointer is `T *` or, a pointer to a pointer, `T **`",
            );
            return None;
        }
        let mut words: Vec<&str> = base.split_whitespace().collect();
        let konst = words.first() == Some(&"const");
        if konst {
            words.remove(0);
        }
        let user = words.last() == Some(&"__user");
        if user {
            words.pop();
        }
        let to = words.join(" ");
        let to = match to.as_str() {
            "void" => Some(Pointee::Void),
            _ => match to
                .strip_prefix("struct ")
                .or_else(|| to.strip_prefix("union "))
            {
                Some(sname)
                    if self.struct_index.contains_key(sname.trim())
                        && self.unions.contains(sname.trim()) != to.starts_with("union ") =>
                {
                    self.error(
                        t.span(),
                        format!(
                            "`{}` is a {}: a pointer to it says so",
                            sname.trim(),
                            if to.starts_with("union ") {
                                "struct"
                            } else {
                                "union"
                            }
                        ),
                    );
                    return None;
                }
                Some(sname) => match self.struct_index.get(sname.trim()).copied() {
                    Some(_) if incomplete => {
                        self.error(
                            t.span(),
                            format!(
                                "`incomplete` on a pointer to `{}`, which the schema defines: \
                                 drop it",
                                to.trim()
                            ),
                        );
                        return None;
                    }
                    Some(i) => Some(Pointee::Struct(i)),
                    None if incomplete => {
                        let tag = sname.trim().to_string();
                        if !names::is_c_identifier(&tag) {
                            self.error(t.span(), format!("`{tag}` is not a C identifier"));
                            return None;
                        }
                        // `struct TAG` or `union TAG` (linux/i2c-dev.h's `union
                        // i2c_smbus_data *`, of <linux/i2c.h>, which it does not include).
                        let keyword = if to.starts_with("union ") {
                            "union"
                        } else {
                            "struct"
                        };
                        let c_type = format!("{keyword} {tag}");
                        let i = match self.incomplete.iter().position(|x| *x == c_type) {
                            Some(i) => i,
                            None => {
                                self.incomplete.push(c_type);
                                self.incomplete.len() - 1
                            }
                        };
                        Some(Pointee::Incomplete(i))
                    }
                    None => {
                        self.error_note(
                            t.span(),
                            format!("unknown struct `{}`", sname.trim()),
                            "a pointer's struct must be one of this schema's, defined above \
                             the struct that points to it",
                        );
                        return None;
                    }
                },
                // A typedef above of a scalar or a struct, not of an array.
                None if self.typedefs.contains_key(to.as_str())
                    && !self.typedef_lens.contains_key(to.as_str()) =>
                {
                    let function = self.fn_typedefs.contains(to.as_str());
                    let problem = if function && (konst || to_pointer) {
                        Some("a pointer to a function is neither `const` nor `**`")
                    } else if !function
                        && matches!(self.typedefs[to.as_str()].1, FieldType::Pointer(_))
                    {
                        Some("a pointer to a typedef of a pointer, which the schema does not write")
                    } else {
                        None
                    };
                    if let Some(why) = problem {
                        self.error(t.span(), format!("`{}`: {why}", t.get_ref().trim()));
                        return None;
                    }
                    Some(Pointee::Typedef(self.typedefs[to.as_str()].0))
                }
                // A struct without a tag is named by its typedef (`raw_hdlc_proto *`).
                None if self.typedef_structs.contains(to.as_str()) => self
                    .struct_index
                    .get(to.as_str())
                    .copied()
                    .map(Pointee::Struct),
                None => Scalar::from_c_name(&to).map(Pointee::Scalar),
            },
        };
        match to {
            Some(to) => Some(Pointer {
                to,
                konst,
                user,
                to_pointer,
            }),
            None => {
                self.error_note(
                    t.span(),
                    format!("unknown pointer type `{}`", t.get_ref().trim()),
                    "a pointer is `T *`, `const T *` or `T __user *` with T `void`, an integer \
                     type, `struct NAME`, a `typedef = true` struct's NAME or a `[[typedef]]` \
                     of this schema; or a pointer to one of those, `T **`",
                );
                None
            }
        }
    }

    fn group(
        &mut self,
        kind: GroupKind,
        g: S<RawGroup>,
        inside: Option<(StructId, usize)>,
        family: &Family,
    ) -> ConstGroup {
        let span = g.span();
        let raw = g.into_inner();
        let name = raw.name.get_ref().clone();
        if let (Some(c), Some(_)) = (&raw.libc_compat, inside) {
            self.error(c.span(), INSIDE_COMPAT);
        }
        let on = |k: &Option<S<bool>>| k.as_ref().filter(|x| *x.get_ref()).map(|x| x.span());
        let decl = match (on(&raw.typedef), on(&raw.member)) {
            (Some(_), Some(m)) => {
                self.error(
                    m,
                    "an enum is declared as a typedef's type or as a member's, not both",
                );
                EnumDecl::Alone
            }
            (Some(_), None) => EnumDecl::Typedef,
            (None, Some(_)) => EnumDecl::Member,
            (None, None) => EnumDecl::Alone,
        };
        let style = match raw.style.as_ref().map(|s| s.get_ref().as_str()) {
            None if kind == GroupKind::Flags && decl == EnumDecl::Alone => Style::Define,
            None | Some("enum") => {
                // An enum declared as a typedef's or a member's type has no tag: C names it
                // by the typedef, or not at all; but a member's may have one (`tagged`).
                let tagged = decl == EnumDecl::Member && on(&raw.tagged).is_some();
                let anonymous = raw.anonymous.as_ref().is_some_and(|a| *a.get_ref())
                    || (decl != EnumDecl::Alone && !tagged);
                Style::Enum {
                    tag: (!anonymous).then(|| self.identifier(&raw.name, Role::EnumTag)),
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
        if let (Some(at), false) = (on(&raw.tagged), decl == EnumDecl::Member) {
            self.error_note(
                at,
                format!("`tagged = true` on `{name}`, which is not declared as a member's type"),
                "`tagged` is of `member = true`: `enum NAME { ... } member;`; an enum at file \
                 scope has its tag unless `anonymous = true`",
            );
        }
        if let (Some(_), Some(a)) = (
            on(&raw.tagged),
            raw.anonymous.as_ref().filter(|a| *a.get_ref()),
        ) {
            self.error(a.span(), "an enum is `tagged` or `anonymous`, not both");
        }
        if decl != EnumDecl::Alone {
            let key = if decl == EnumDecl::Typedef {
                "typedef"
            } else {
                "member"
            };
            let at = on(&raw.typedef).or(on(&raw.member)).unwrap_or(span.clone());
            if style == Style::Define {
                self.error(
                    at.clone(),
                    format!("`{key} = true` declares a C enum: `{name}` is a run of #defines"),
                );
            } else if inside.is_some() {
                self.error(
                    at.clone(),
                    format!("`{key} = true` declares the enum at its place: it is not written `inside` a struct"),
                );
            } else if decl == EnumDecl::Member && raw.libc_compat.is_some() {
                self.error(
                    at.clone(),
                    "an enum declared as a member's type has its struct's `libc_compat`, none of its own",
                );
            }
            if decl == EnumDecl::Typedef {
                let typedef = self.identifier(&raw.name, Role::Typedef);
                if self.ordinary_name_taken(&typedef) || Scalar::from_c_name(&typedef).is_some() {
                    self.error(raw.name.span(), format!("`{typedef}` is defined twice"));
                }
            } else if decl == EnumDecl::Member && self.member_enums.contains_key(&name) {
                self.error(raw.name.span(), format!("enum `{name}` is defined twice"));
            }
        }
        let extern_header = self.extern_header(&raw.extern_header, &format!("enum `{name}`"));
        if let (Some(at), true) = (
            raw.extern_header.as_ref().map(|e| e.span()),
            extern_header.is_some(),
        ) {
            // A copy is the C enum the other header declares at file scope.
            let why = if style == Style::Define {
                Some("a run of #defines")
            } else if inside.is_some() {
                Some("written `inside` a struct")
            } else if decl == EnumDecl::Member {
                Some("declared as a member's type")
            } else {
                None
            };
            if let Some(why) = why {
                self.error(
                    at,
                    format!(
                        "`extern` on `{name}`, {why}: a copy is another header's C enum, \
                         declared at file scope"
                    ),
                );
            }
        }
        let since = self.revs("since", &raw.since, RevSet::one(RevId::FIRST));
        if raw.values.get_ref().is_empty() {
            self.error(raw.values.span(), format!("`{name}` has no values"));
        }
        let mut values: Vec<Constant> = Vec::new();
        let mut next: u64 = 0;
        let mut self_defined = Vec::new();
        let mut redefines: Vec<(usize, S<String>)> = Vec::new();
        // The first value past 2^63 - 1, and the first negative one.
        let mut past_at: Option<(Span, String)> = None;
        let mut negative_at: Option<String> = None;
        for v in raw.values.into_inner() {
            let vspan = v.span();
            let v = v.into_inner();
            let cname = self.identifier(&v.name, Role::Constant);
            if let (Some(c), Style::Define) = (&v.comment, &style) {
                self.error_note(
                    c.span(),
                    format!("`{cname}` is a #define: a `comment` is written above an enum value"),
                    "give a #define its trailing comment with `doc`",
                );
            }
            let given = [
                v.value.is_some(),
                v.bit.is_some(),
                v.alias.is_some(),
                v.expr.is_some(),
                v.ioctl.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count();
            let c_enum = kind == GroupKind::Enum && style != Style::Define;
            let (value, expr) = if given > 1 {
                self.error(
                    vspan.clone(),
                    format!(
                        "`{cname}` gives more than one of `value`, `bit`, `alias`, `expr` and \
                         `ioctl`"
                    ),
                );
                (0, Expr::Implicit)
            } else if let Some(io) = &v.ioctl {
                if c_enum {
                    self.ioctl(io, family, since)
                } else {
                    self.error_note(
                        io.span(),
                        format!("`{cname}`: `ioctl` on a value is a C enum's"),
                        "an ioctl number written as a #define is a `[[define]]` with `ioctl`",
                    );
                    (0, Expr::Implicit)
                }
            } else if let Some(x) = &v.expr {
                if c_enum {
                    self.c_expr(x, None)
                } else {
                    self.error_note(
                        x.span(),
                        format!("`{cname}`: `expr` on a value is a C enum's"),
                        "a #define written as an expression is a `[[define]]` with `expr`",
                    );
                    (0, Expr::Implicit)
                }
            } else if let Some(b) = &v.bit {
                (self.bit(b).unwrap_or(0), Expr::Bit(*b.get_ref() as u32))
            } else if let Some(x) = &v.value {
                // A C enum's values may be negative (`NFT_CONTINUE = -1`); a #define's or a
                // flag's are not.
                if *x.get_ref() < 0 && kind == GroupKind::Enum && style != Style::Define {
                    (*x.get_ref() as u64, Expr::Literal(x.get_ref().to_string()))
                } else {
                    (self.literal(x), Expr::Literal(self.literal_text(x)))
                }
            } else if let Some(a) = &v.alias {
                let negative = kind == GroupKind::Enum && style != Style::Define;
                (
                    self.reference_as(a, negative),
                    Expr::Alias(a.get_ref().clone()),
                )
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
            // C's enum types end at 64 bits: signed when a value is negative, unsigned when
            // one is past 2^63 - 1 (GCC's `unsigned long`), never both.
            if c_enum {
                let past = match &expr {
                    Expr::Bit(63) => true,
                    Expr::C { value, .. } => *value > i128::from(i64::MAX),
                    Expr::Alias(a) => self
                        .constants
                        .get(a)
                        .is_some_and(|(.., cv)| cv[1].value > i128::from(i64::MAX)),
                    // Counting on from a value past 2^63 - 1.
                    Expr::Implicit => value >= 1 << 63 && past_at.is_some(),
                    _ => false,
                };
                if matches!(expr, Expr::Implicit) && value == 1 << 63 && past_at.is_none() {
                    self.error(
                        vspan.clone(),
                        format!(
                            "`{cname}` = 0x8000000000000000: C counts on from 2^63 - 1, the \
                             largest `long long`, and cannot (GCC's \"overflow in enumeration \
                             values\")"
                        ),
                    );
                }
                if past {
                    past_at.get_or_insert((vspan.clone(), cname.clone()));
                } else if (value as i64) < 0 {
                    negative_at.get_or_insert(cname.clone());
                }
            }
            // A value of each target's own (an ioctl number, one through <asm/byteorder.h>'s
            // conversions): C's count from it would be too, and the IR holds one.
            if let (Expr::Implicit, Some(prev)) = (&expr, values.last()) {
                if prev.may_vary() && !matches!(prev.expr, Expr::Alias(_)) {
                    let what = if matches!(prev.expr, Expr::Io { .. }) {
                        "an ioctl number, which"
                    } else {
                        "whose value"
                    };
                    self.error(
                        vspan.clone(),
                        format!(
                            "`{cname}` has no value, and C would count on from `{}`, {what} \
                             differs between targets: give it one",
                            prev.name
                        ),
                    );
                }
            }
            next = value.wrapping_add(1);
            let sentinel = match &v.sentinel {
                Some(s) if *s.get_ref() && kind != GroupKind::Enum => {
                    self.error(
                        s.span(),
                        format!("`{cname}` is a flag: only an enum's value may be a sentinel"),
                    );
                    false
                }
                Some(s) => *s.get_ref(),
                None => false,
            };
            match &v.self_define {
                Some(d) if *d.get_ref() && style == Style::Define => self.error(
                    d.span(),
                    format!(
                        "`{cname}` is a #define already: `self_define` is a C enum value's \
                         `#define {cname} {cname}`"
                    ),
                ),
                Some(d) if *d.get_ref() => self_defined.push(cname.clone()),
                _ => {}
            }
            match &v.redefine {
                Some(r) if style == Style::Define => self.error(
                    r.span(),
                    format!(
                        "`{cname}` is a #define already: `redefine` is a C enum value's \
                         `#define {cname} (...)` below the enum"
                    ),
                ),
                Some(_) if v.self_define.as_ref().is_some_and(|d| *d.get_ref()) => self.error(
                    vspan.clone(),
                    format!("`{cname}`: `self_define` or `redefine`, one #define of the name"),
                ),
                Some(r) => redefines.push((values.len(), r.clone())),
                None => {}
            }
            // A value's own condition is written inside a C enum; a run of #defines takes
            // one for the whole set.
            let libc_compat = match &v.libc_compat {
                Some(c) if style == Style::Define => {
                    self.error(
                        c.span(),
                        format!(
                            "`{cname}` is a #define of the set `{name}`: `libc_compat` on a \
                             value is a C enum value's; give the set one"
                        ),
                    );
                    None
                }
                c => self.libc_compat(c, false),
            };
            let constant = Constant {
                name: cname,
                value,
                expr,
                doc: self.text(&v.doc, "a doc", false),
                comment: self.text(&v.comment, "a comment", false),
                since: self.revs("since", &v.since, since),
                sentinel,
                libc_compat,
                when: None,
                redefined: None,
                span: vspan,
            };
            self.declare(&constant, style != Style::Define);
            values.push(constant);
        }
        if let (Some((at, big)), Some(negative)) = (&past_at, &negative_at) {
            self.error(
                at.clone(),
                format!(
                    "`{big}` is past 2^63 - 1 and `{negative}` is negative: no C integer type \
                     holds every value of `{name}`"
                ),
            );
        }
        let past_i64 = past_at.is_some();
        // An enumerator past int has the enum's type once the enum is complete (GCC, C23):
        // 64 bits (`long` on LP64, `long long` on ILP32) unless every value fits `unsigned
        // int`, signed when one is negative, unsigned when one is past 2^63 - 1. `expr`s
        // below read it so.
        if kind == GroupKind::Enum && style != Style::Define {
            let signed = !past_i64 && values.iter().any(|c| (c.value as i64) < 0);
            let fits_uint = !signed && values.iter().all(|c| u32::try_from(c.value).is_ok());
            for c in values.iter().filter(|c| {
                if past_i64 {
                    i32::try_from(c.value).is_err()
                } else {
                    i32::try_from(c.value as i64).is_err()
                }
            }) {
                if let Some((.., cv)) = self.constants.get_mut(&c.name) {
                    for (m, v) in cexpr::MODELS.iter().zip(cv.iter_mut()) {
                        let long = if *m == cexpr::LP64 {
                            (CType::Long, CType::ULong)
                        } else {
                            (CType::LongLong, CType::ULongLong)
                        };
                        v.ty = match (signed, fits_uint) {
                            (false, true) => CType::UInt,
                            (false, false) => long.1,
                            (true, _) => long.0,
                        };
                        // Held sign-extended as an enumerator of int is (`declare`).
                        if !signed {
                            v.value = i128::from(c.value);
                        }
                    }
                }
            }
        }
        let mut enum_key = |key: &Option<S<bool>>, what: &str| match key {
            Some(p) if *p.get_ref() && style == Style::Define => {
                self.error(
                    p.span(),
                    format!("`{name}` is a run of #defines: `{what}` is for a C enum"),
                );
                false
            }
            Some(p) => *p.get_ref(),
            None => false,
        };
        let past_int = enum_key(&raw.past_int, "past_int");
        let packed = enum_key(&raw.packed, "packed");
        // Below the enum, the name is the define's: its expression reads the enumerator (cpp
        // expands no macro inside itself), and what comes below reads its value.
        let mut first_redefined = None;
        for (i, text) in redefines {
            let cname = values[i].name.clone();
            let (_, expr) = self.c_expr(&text, None);
            let value = match expr {
                Expr::C {
                    value,
                    ilp32: None,
                    big_endian: None,
                    powerpc: None,
                    types,
                    ..
                } => {
                    if let Some(k) = self.constants.get_mut(&cname) {
                        k.0 = value as i64 as u64;
                        k.2 = [0, 1].map(|m| CValue {
                            value,
                            ty: types[m],
                        });
                    }
                    value
                }
                Expr::C { .. } => {
                    self.error(
                        text.span(),
                        format!(
                            "`{}` has a value per target: a `redefine` has one on every target",
                            text.get_ref()
                        ),
                    );
                    continue;
                }
                _ => continue,
            };
            first_redefined.get_or_insert(i);
            values[i].redefined = Some(Redefined {
                text: text.get_ref().trim().to_string(),
                value,
            });
        }
        if let (EnumDecl::Member, Some(r)) = (decl, first_redefined.map(|i| &values[i])) {
            self.error(
                span.clone(),
                format!(
                    "`{}`'s `redefine`: an enum declared as a member's type is written inside \
                     the struct, where no #define follows it",
                    r.name
                ),
            );
        }
        if decl == EnumDecl::Member {
            // Written inside the struct, one line each.
            for c in values
                .iter()
                .filter(|c| c.comment.is_some() || c.libc_compat.is_some())
            {
                self.error(
                    c.span.clone(),
                    format!(
                        "`{}`: a value of an enum declared as a member's type has no `comment` \
                         or `libc_compat` (a `doc` is its trailing comment)",
                        c.name
                    ),
                );
            }
        }
        ConstGroup {
            libc_compat: self.libc_compat(&raw.libc_compat, extern_header.is_some()),
            extern_header,
            name,
            kind,
            past_int,
            past_i64,
            packed,
            style,
            summary: self.text(&raw.summary, "a summary", true),
            doc: self.text(&raw.doc, "a doc", false),
            since,
            values,
            inside,
            self_defined,
            decl,
            span,
        }
    }

    /// `[[define]]` with `tag`: another name for the tag of a struct or union above it, which
    /// `struct NAME` then names (nvme_ioctl.h's `#define nvme_admin_cmd nvme_passthru_cmd`,
    /// an ioctl's argument). It has no value, so it takes no key that gives or places one.
    fn tag_alias(&mut self, d: S<RawDefine>, family: &Family) -> Option<TagAlias> {
        let raw = d.into_inner();
        let name = self.identifier(&raw.name, Role::Constant);
        let tag = raw.tag.as_ref()?;
        if let Some((at, key)) = raw
            .keys_given()
            .into_iter()
            .find(|(_, k)| !["tag", "when", "unless"].contains(k))
        {
            self.error(
                at,
                format!(
                    "`{key}` with `tag`: `{name}` is another name for a struct's tag, no constant"
                ),
            );
            return None;
        }
        let when = self.when((&raw.when, &raw.unless), &None, None);
        // `struct NAME` or `union NAME`: the define stands for the type, not the tag.
        let (keyword, tag_name) = match tag.get_ref().trim().split_once(' ') {
            Some((kw @ ("struct" | "union"), t)) => (Some(kw), t.trim()),
            _ => (None, tag.get_ref().trim()),
        };
        let Some(to) =
            self.struct_index.get(tag_name).copied().filter(|_| {
                keyword.is_none_or(|kw| (kw == "union") == self.unions.contains(tag_name))
            })
        else {
            self.error_note(
                tag.span(),
                format!("unknown {} `{tag_name}`", keyword.unwrap_or("struct")),
                "`tag` names a struct or union defined above it (`NAME`, or `struct NAME` for \
                 the type)",
            );
            return None;
        };
        // Under `when`, a name per target: of the struct named on this define's targets.
        let mask = when.as_ref().map(|w| targets_mask(&w.on));
        let clash = match mask {
            Some(m) => self.conditional_tags.get(&name).is_some_and(|t| t & m != 0),
            None => self.conditional_tags.contains_key(&name),
        };
        if clash
            || self.struct_index.contains_key(&name)
            || self.constants.contains_key(&name)
            || self.macros.contains_key(&name)
            || self.strings.contains_key(&name)
            || self.typedefs.contains_key(&name)
            || self.type_aliases.contains_key(&name)
        {
            self.error(raw.name.span(), format!("`{name}` is defined twice"));
            return None;
        }
        // The struct must exist where the name does (asm/stat.h's `stat64` of i686's).
        let all = targets_mask(&[true; crate::model::layout::TARGETS.len()]);
        self.struct_used_on(tag.span(), mask.unwrap_or(all), to, family);
        if let Some(m) = mask {
            *self.conditional_tags.entry(name.clone()).or_insert(0) |= m;
            return Some(TagAlias {
                name,
                to,
                keyword: keyword.is_some(),
                doc: self.text(&raw.doc, "a doc", false),
                when,
                span: raw.name.span(),
            });
        }
        if let Some(kw) = keyword {
            self.type_aliases
                .insert(name.clone(), format!("{kw} {tag_name}"));
        } else {
            self.struct_index.insert(name.clone(), to);
            if self.unions.contains(tag_name) {
                self.unions.insert(name.clone());
            }
        }
        Some(TagAlias {
            name,
            to,
            keyword: keyword.is_some(),
            doc: self.text(&raw.doc, "a doc", false),
            when: None,
            span: raw.name.span(),
        })
    }

    fn define(&mut self, d: S<RawDefine>, family: &Family) -> Option<Constant> {
        let span = d.span();
        let raw = d.into_inner();
        let name = self.identifier(&raw.name, Role::Constant);
        let given = [
            raw.value.is_some(),
            raw.bit.is_some(),
            raw.or.is_some(),
            raw.char.is_some(),
            raw.ioctl.is_some(),
            raw.alias.is_some(),
            raw.expr.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given != 1 {
            self.error(
                span,
                format!("`{name}` needs exactly one of `value`, `bit`, `or`, `char`, `ioctl`, `alias`, `expr` (it has {given})"),
            );
            return None;
        }
        let since = self.revs("since", &raw.since, RevSet::one(RevId::FIRST));
        let when = self.when((&raw.when, &raw.unless), &raw.libc_compat, None);
        self.evaluating_on = when.as_ref().map(|w| targets_mask(&w.on));
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
                // `or` has one value; an `expr` is evaluated per byte order.
                if self.big_endian_values.contains_key(n.get_ref()) {
                    self.error(
                        n.span(),
                        format!(
                            "`{}` has a value of its own on a big-endian ABI (<asm/byteorder.h>'s \
                             conversions): write the define as an `expr` (`A | B`)",
                            n.get_ref()
                        ),
                    );
                }
            }
            (
                v,
                Expr::Or(or.get_ref().iter().map(|n| n.get_ref().clone()).collect()),
            )
        } else if let Some(c) = &raw.char {
            let mut chars = c.get_ref().chars();
            match (chars.next(), chars.next()) {
                (Some(ch), None)
                    if (ch.is_ascii_graphic() || ch == ' ') && ch != '\'' && ch != '\\' =>
                {
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
            self.ioctl(io, family, since)
        } else if let Some(x) = &raw.expr {
            self.c_expr(x, Some((family, since)))
        } else {
            let a = raw.alias.as_ref().unwrap();
            (self.reference_as(a, true), Expr::Alias(a.get_ref().clone()))
        };
        self.evaluating_on = None;
        if let (Some(_), Some(at)) = (
            &when,
            raw.inside
                .as_ref()
                .map(|i| i.span())
                .or(raw.extern_header.as_ref().map(|e| e.span())),
        ) {
            self.error(
                at,
                "a define under `when` or `unless` is written at file scope, in this header: \
                 not `inside` a struct, not an `extern` copy",
            );
        }
        let constant = Constant {
            name,
            value,
            expr,
            doc: self.text(&raw.doc, "a doc", false),
            comment: None,
            since,
            sentinel: false,
            libc_compat: self.libc_compat(&raw.libc_compat, false),
            when,
            redefined: None,
            span: raw.name.span(),
        };
        let ioctl = match &constant.expr {
            Expr::Io { .. } => true,
            Expr::Alias(n) => self.ioctls.contains(n),
            _ => false,
        };
        if ioctl {
            self.ioctls.insert(constant.name.clone());
        }
        self.declare(&constant, false);
        Some(constant)
    }

    /// `ioctl = { type, nr, dir, size }`: the number as asm-generic/ioctl.h encodes it.
    fn ioctl(&mut self, io: &S<RawIoctl>, family: &Family, since: RevSet) -> (u64, Expr) {
        let raw = io.get_ref();
        if let Some(via) = &raw.via {
            return self.ioctl_via(io, via, family, since);
        }
        if let Some(args) = &raw.args {
            self.error_note(
                args.span(),
                "`args` are a wrapper macro's arguments: with them, `macro` names it",
                "ioctl = { macro = \"DRM_IOWR\", args = [\"DRM_COMMAND_BASE + 1\", \"struct x\"] }",
            );
            return (0, Expr::Implicit);
        }
        let (Some(raw_ty), Some(raw_nr)) = (&raw.ty, &raw.nr) else {
            let missing = if raw.ty.is_none() { "type" } else { "nr" };
            self.error_note(
                io.span(),
                format!("`ioctl` needs `{missing}`"),
                "ioctl = { type = \"T\", nr = 1 } is _IO(T, 1); with a wrapper macro, \
                 ioctl = { macro = \"M\", args = [...] }",
            );
            return (0, Expr::Implicit);
        };
        let dir = match raw.dir.as_ref().map(|d| d.get_ref().as_str()) {
            None | Some("none") => IoDir::None,
            Some("r") => IoDir::Read,
            Some("w") => IoDir::Write,
            Some("rw") => IoDir::ReadWrite,
            Some(other) => {
                let span = raw.dir.as_ref().map_or(io.span(), |d| d.span());
                self.error_note(
                    span,
                    format!("unknown ioctl direction `{other}`"),
                    "use \"none\" (_IO), \"r\" (_IOR), \"w\" (_IOW) or \"rw\" (_IOWR)",
                );
                IoDir::None
            }
        };
        let ty = self.ioctl_operand(raw_ty, "type");
        let nr = self.ioctl_operand(raw_nr, "nr");
        let ioc = raw.ioc.as_ref().is_some_and(|i| *i.get_ref());
        let size = match (&raw.size, dir) {
            // `_IOC(dir, type, nr, size)` writes any direction with any size, or `0`.
            (Some(s), _) if ioc => self.ioctl_size(s, family, since),
            (None, _) if ioc => None,
            (Some(s), IoDir::None) => {
                self.error_note(
                    s.span(),
                    "`_IO` has no argument, so no `size`",
                    "give the direction: dir = \"r\" (_IOR), \"w\" (_IOW) or \"rw\" (_IOWR)",
                );
                None
            }
            (None, IoDir::None) => None,
            (None, _) => {
                self.error_note(
                    io.span(),
                    format!("`{}` needs `size`, the argument's type", dir.macro_name()),
                    "e.g. size = \"struct NAME\" of a struct defined above, or size = \"__u32\"",
                );
                None
            }
            (Some(s), _) => self.ioctl_size(s, family, since),
        };
        let (Some((ty, ty_value)), Some((nr, nr_value))) = (ty, nr) else {
            return (0, Expr::Implicit);
        };
        // x86-64's: `Family::value_on` gives another target's.
        let bytes = size.as_ref().map_or(0, |s| s.bytes[0]);
        (
            IocEncoding::Generic.encode(dir, ty_value, nr_value, bytes),
            Expr::Io {
                dir,
                ty,
                nr,
                size,
                via: None,
                ioc,
            },
        )
    }

    /// `ioctl = { macro, args }`: a call of an ioctl wrapper macro above, its number that of
    /// the `_IO`...`_IOWR` call it expands to, the header writing the call as given.
    fn ioctl_via(
        &mut self,
        io: &S<RawIoctl>,
        via: &S<String>,
        family: &Family,
        since: RevSet,
    ) -> (u64, Expr) {
        let mixed = self.keys_with_macro(io.get_ref());
        let Some(m) = self.wrapper(via) else {
            return (0, Expr::Implicit);
        };
        let Some(args) = &io.get_ref().args else {
            self.error_note(
                io.span(),
                format!(
                    "`macro = \"{}\"` needs `args`: its arguments, as C writes them",
                    via.get_ref()
                ),
                "ioctl = { macro = \"DRM_IOWR\", args = [\"DRM_COMMAND_BASE + 1\", \"struct x\"] }",
            );
            return (0, Expr::Implicit);
        };
        let texts: Vec<String> = args
            .get_ref()
            .iter()
            .map(|a| a.get_ref().trim().to_string())
            .collect();
        // A wrapper that forwards to another (armada_drm.h's `ARMADA_IOCTL`, pasting
        // `DRM_##dir`): the wrapper it reaches, its arguments read at `args`.
        let reached;
        let (m, args, wrapper) = if m.io.is_some() {
            (m, args, via.get_ref().as_str())
        } else {
            let lookup = |n: &str| self.macros.get(n).cloned();
            match cexpr::reduce_io_call(via.get_ref(), &texts, &lookup) {
                Ok((name, m, reduced)) => {
                    let spanned = |t: &String| S::new(args.span(), t.clone());
                    reached = (
                        name,
                        S::new(args.span(), reduced.iter().map(spanned).collect()),
                    );
                    (m, &reached.1, reached.0.as_str())
                }
                Err(e) => {
                    self.error(
                        args.span(),
                        format!("`{}({})`: {}", via.get_ref(), texts.join(", "), e.message),
                    );
                    return (0, Expr::Implicit);
                }
            }
        };
        let Some(size) = self.wrapper_args(wrapper, &m, args, family, since) else {
            return (0, Expr::Implicit);
        };
        if mixed {
            return (0, Expr::Implicit);
        }
        let operands: Vec<String> = args
            .get_ref()
            .iter()
            .map(|a| a.get_ref().trim().to_string())
            .collect();
        let (ty_text, nr_text) = m
            .io_operands(&operands)
            .expect("one argument per parameter");
        // Where the expansion is refused: at the arguments, which the schema wrote.
        let operand = |text: String| S::new(args.span(), toml::Value::String(text));
        let ty = self.ioctl_operand(&operand(ty_text), "type");
        let nr = self.ioctl_operand(&operand(nr_text), "nr");
        let (Some((ty, ty_value)), Some((nr, nr_value))) = (ty, nr) else {
            return (0, Expr::Implicit);
        };
        let call = m.io.as_ref().expect("a wrapper").call;
        let dir = IoDir::of_macro(call).expect("an ioctl macro");
        let bytes = size.as_ref().map_or(0, |s| s.bytes[0]);
        (
            IocEncoding::Generic.encode(dir, ty_value, nr_value, bytes),
            Expr::Io {
                dir,
                ty,
                nr,
                size,
                via: Some(IoVia {
                    name: via.get_ref().clone(),
                    args: texts,
                }),
                ioc: false,
            },
        )
    }

    /// Refuses `type`, `nr`, `dir` and `size` next to `macro`, which gives them: whether any
    /// was given.
    fn keys_with_macro(&mut self, raw: &RawIoctl) -> bool {
        let given = [
            ("type", raw.ty.as_ref().map(|t| t.span())),
            ("nr", raw.nr.as_ref().map(|t| t.span())),
            ("dir", raw.dir.as_ref().map(|t| t.span())),
            ("size", raw.size.as_ref().map(|t| t.span())),
            ("ioc", raw.ioc.as_ref().map(|t| t.span())),
        ];
        let mut any = false;
        for (key, span) in given {
            if let Some(span) = span {
                self.error_note(
                    span,
                    format!(
                        "`{key}` with `macro`: the wrapper macro gives the ioctl's type, \
                         number and direction"
                    ),
                    "list the macro's arguments in `args`, the argument type among them",
                );
                any = true;
            }
        }
        any
    }

    /// Wrapper `m`'s arguments, one per parameter: the argument type at its size parameter
    /// (resolved as `size` is), an integer expression at the others. The argument type, or
    /// None when one is refused.
    fn wrapper_args(
        &mut self,
        via: &str,
        m: &cexpr::Macro,
        args: &S<Vec<S<String>>>,
        family: &Family,
        since: RevSet,
    ) -> Option<Option<IoSize>> {
        let params = &m.params;
        if args.get_ref().len() != params.len() {
            self.error(
                args.span(),
                format!(
                    "`{via}` takes {} argument{} ({}), given {}",
                    params.len(),
                    if params.len() == 1 { "" } else { "s" },
                    params.join(", "),
                    args.get_ref().len()
                ),
            );
            return None;
        }
        let size_param = m.io.as_ref().and_then(|b| b.size_param);
        let (mut size, mut refused) = (None, false);
        for (k, a) in args.get_ref().iter().enumerate() {
            if Some(k) == size_param {
                size = self.ioctl_size(a, family, since);
                refused |= size.is_none();
            } else {
                refused |= !self.wrapper_argument(a, &params[k], via);
            }
        }
        (!refused).then_some(size)
    }

    /// The ioctl wrapper macro `via` names: a `[[macro]]` above whose body is one ioctl call,
    /// or one call of a name (a wrapper it forwards to, `Macro::forward`, read with its
    /// arguments).
    fn wrapper(&mut self, via: &S<String>) -> Option<cexpr::Macro> {
        let name = via.get_ref();
        match self.macros.get(name) {
            Some(m) if m.io.is_some() || m.calls_one() => Some(m.clone()),
            Some(_) => {
                self.error_note(
                    via.span(),
                    format!(
                        "`{name}` is not an ioctl wrapper macro: its body is not one call of \
                         `_IO`, `_IOR`, `_IOW` or `_IOWR`"
                    ),
                    "a define that calls an integer macro is an `expr`",
                );
                None
            }
            None => {
                self.error_note(
                    via.span(),
                    format!("unknown macro `{name}`"),
                    "`macro` names a `[[macro]]` defined above the define",
                );
                None
            }
        }
    }

    /// An argument of wrapper `via` other than its type: a C integer constant expression of
    /// constants above, as the number's parts are (`DRM_COMMAND_BASE + DRM_AMDGPU_CTX`).
    /// Whether it is one.
    fn wrapper_argument(&mut self, a: &S<String>, param: &str, via: &str) -> bool {
        let text = a.get_ref().trim();
        let typed = ["struct ", "union ", "const "]
            .iter()
            .any(|p| text.starts_with(p))
            || text.ends_with('*')
            || Scalar::from_c_name(text).is_some();
        if typed {
            self.error_note(
                a.span(),
                format!("`{text}` is a type, and `{via}`'s parameter `{param}` takes a number"),
                "the argument type goes where the macro's size parameter is",
            );
            return false;
        }
        !matches!(self.c_expr(a, None).1, Expr::Implicit)
    }

    /// An ioctl's `type` or `nr`: a constant's name, an integer or a C expression of constants
    /// above, fitting the 8 bits the encoding gives it; its C text and value.
    fn ioctl_operand(&mut self, v: &S<toml::Value>, key: &str) -> Option<(String, u64)> {
        let span = v.span();
        let (text, value) = match v.get_ref() {
            toml::Value::Integer(i) => {
                let x = S::new(span.clone(), *i);
                (self.literal_text(&x), self.literal(&x))
            }
            toml::Value::String(name) if names::is_c_identifier(name) => {
                let n = S::new(span.clone(), name.clone());
                let value = self.reference(&n);
                (name.clone(), value)
            }
            toml::Value::String(text) => {
                let x = S::new(span.clone(), text.clone());
                match self.c_expr(&x, None) {
                    (_, Expr::C { value, .. }) if value < 0 => {
                        self.error(span, format!("an ioctl's `{key}` is negative ({value})"));
                        return None;
                    }
                    (value, Expr::C { text, .. }) => (text, value),
                    _ => return None,
                }
            }
            _ => {
                self.error(
                    span,
                    format!(
                        "an ioctl's `{key}` is a constant's name, an integer or a C expression \
                         (a string)"
                    ),
                );
                return None;
            }
        };
        if value > 0xff {
            self.error(
                span,
                format!("an ioctl's `{key}` must fit in 8 bits (it is {value})"),
            );
            return None;
        }
        Some((text, value))
    }

    /// An ioctl's argument type and `sizeof` it on every target: the same in every revision
    /// the number exists in, since the number encodes it and a revision's number is the
    /// history's; and within asm-generic's 14 bits. A user program's `_IOR`...`_IOWR`, as
    /// `_IOC(...)`, check no size (`_IOC_TYPECHECK` is `sizeof` outside `__KERNEL__`): one
    /// past powerpc's 13 bits runs into its direction bits there, as C's does
    /// (sound/compress_offload.h's 11,144-byte `snd_compr_codec_caps`, sound/sb16_csp.h's
    /// 12,306-byte LOAD_CODE), and `IocEncoding::encode` gives that value.
    fn ioctl_size(&mut self, s: &S<String>, family: &Family, since: RevSet) -> Option<IoSize> {
        let limit = 1u64 << IocEncoding::Generic.size_bits();
        let c = s.get_ref().trim().to_string();
        // An array of the type (`int[2]`, random.h's RNDGETPOOL): the element's size times n.
        if let Some((base, n)) = c
            .strip_suffix(']')
            .and_then(|t| t.rsplit_once('['))
            .map(|(b, n)| (b.trim().to_string(), n.trim().to_string()))
        {
            // A number, or a constant above of one value on every ABI (joystick.h's
            // `__u8[ABS_CNT]`), or an expression over such ones (`__u16[KEY_MAX - BTN_MISC +
            // 1]`).
            let length = n.parse::<u64>().ok().or_else(|| {
                let p = cexpr::parse(&n).ok()?;
                let [a, b] = [0, 1].map(|m| {
                    p.eval(cexpr::MODELS[m], &|x: &str| self.value_of(x, m))
                        .ok()
                });
                let (a, b) = (a?, b?);
                let one = a.value == b.value
                    && !p.names.iter().any(|(x, _)| {
                        self.big_endian_values.contains_key(x)
                            || self.powerpc_values.contains_key(x)
                    });
                one.then(|| u64::try_from(b.value).ok()).flatten()
            });
            let Some(n) = length.filter(|n| (1..=4096).contains(n)) else {
                self.error(
                    s.span(),
                    format!(
                        "`{c}`: an argument's array length is an integer from 1 to 4096, or a \
                         constant above of such a value, or an expression over constants above \
                         of one such value on every ABI"
                    ),
                );
                return None;
            };
            if base.contains('[') {
                self.error(
                    s.span(),
                    format!("`{c}`: an argument's array has one dimension"),
                );
                return None;
            }
            let elem = self.ioctl_size(&S::new(s.span(), base), family, since)?;
            let bytes: Vec<u64> = elem.bytes.iter().map(|b| b * n).collect();
            if let Some(big) = bytes.iter().find(|b| **b >= limit) {
                self.error(
                    s.span(),
                    format!(
                        "`{c}` is {big} bytes: an ioctl number's size field holds at most {}",
                        limit - 1
                    ),
                );
                return None;
            }
            return Some(IoSize { c, bytes });
        }
        // <stddef.h>'s `size_t` (matroxfb.h's `_IOR('n', 0xFB, size_t)`): the ABI's word, as
        // the program using the number has it from its C library.
        if c == "size_t" {
            let bytes = crate::layout::TARGETS.iter().map(|t| t.long_size).collect();
            return Some(IoSize { c, bytes });
        }
        let bytes = self.type_sizes(s, family, since)?;
        if let Some(big) = bytes.iter().find(|b| **b >= limit) {
            self.error(
                s.span(),
                format!(
                    "`{c}` is {big} bytes: an ioctl number's size field holds at most {} \
                     (asm-generic's 14 bits)",
                    limit - 1
                ),
            );
            return None;
        }
        Some(IoSize { c, bytes })
    }

    /// `__alignof__(TYPE)` on each target, of a scalar type a member may have or a pointer,
    /// what `layout` aligns a member of it to; of a `[[typedef]]` of a scalar, its `aligned`
    /// where it has one (gcc: a typedef's attribute sets the alignment).
    fn type_aligns(&mut self, s: &S<String>) -> Option<Vec<u64>> {
        let c = s.get_ref().trim();
        let targets = crate::model::layout::TARGETS;
        if let Some((a, _)) = self.typedef_aligned.get(c) {
            return Some(vec![a.value; targets.len()]);
        }
        let ty = match self.typedefs.get(c) {
            Some((_, ty, _)) => Some(ty.clone()),
            None if c.ends_with('*') => Some(FieldType::Pointer(Pointer {
                to: Pointee::Void,
                konst: false,
                user: false,
                to_pointer: false,
            })),
            None => Scalar::from_c_name(c).map(FieldType::Scalar),
        };
        match ty {
            Some(FieldType::Scalar(sc)) => {
                Some(targets.iter().map(|t| t.scalar_align(sc)).collect())
            }
            Some(FieldType::Pointer(_)) => Some(targets.iter().map(|t| t.pointer_size()).collect()),
            _ => {
                self.error_note(
                    s.span(),
                    format!("`__alignof__({c})`: the schema takes the alignment of a scalar type or a pointer"),
                    "write the number, or a scalar or pointer type",
                );
                None
            }
        }
    }

    /// The size of type `s` on every target, in each revision of `since` alike (an ioctl
    /// number and a `sizeof` are one value); refused, located, when the type is unknown, not
    /// in one of those revisions, or grows between them.
    fn type_sizes(&mut self, s: &S<String>, family: &Family, since: RevSet) -> Option<Vec<u64>> {
        // `sizeof(COFF_FILHDR)` of `#define COFF_FILHDR struct COFF_filehdr`: the type's.
        let aliased = self
            .type_aliases
            .get(s.get_ref().trim())
            .map(|t| S::new(s.span(), t.clone()));
        let s = aliased.as_ref().unwrap_or(s);
        let c = s.get_ref().trim().to_string();
        let targets = crate::model::layout::TARGETS;
        // `sizeof(XATTR_OS2_PREFIX)`: the array, its NUL included.
        if let Some((b, _)) = self.strings.get(&c) {
            return Some(vec![b.len() as u64 + 1; targets.len()]);
        }
        // `sizeof(FP_XSTATE_MAGIC2)` of `0x46505845U`: its type's, per data model.
        if let Some((.., cv)) = self.constants.get(&c) {
            return Some(
                targets
                    .iter()
                    .map(|t| {
                        u64::from(
                            cv[usize::from(t.long_size == 8)]
                                .ty
                                .bits(cexpr::MODELS[usize::from(t.long_size == 8)])
                                / 8,
                        )
                    })
                    .collect(),
            );
        }
        // `sizeof` a pointer needs no complete pointee: agpgart.h's `_IOR(AGPIOC_BASE, 0,
        // struct agp_info*)` names a tag no header defines, which C takes as incomplete.
        if let Some(tag) = c.strip_suffix('*').and_then(|p| {
            let p = p.trim_end().trim_end_matches("__user").trim_end();
            let p = p.strip_prefix("const ").unwrap_or(p);
            let tag = p.strip_prefix("struct ")?.trim();
            (!self.struct_index.contains_key(tag)).then_some(tag)
        }) {
            if !names::is_c_identifier(tag) {
                self.error(s.span(), format!("`{tag}` is not a C identifier"));
                return None;
            }
            return Some(targets.iter().map(|t| t.pointer_size()).collect());
        }
        // A `[[typedef]]`'s name: what it names (i915_drm.h's `drm_i915_init_t`); a tagged
        // `[[enum]]` written as a C enum: the integer C gives it (genwqe_card.h's `_IOR(...,
        // enum genwqe_card_state)`).
        let tagged = c
            .strip_prefix("enum ")
            .and_then(|tag| self.enum_types.get(tag.trim()));
        if let (Some(tag), None) = (c.strip_prefix("enum "), tagged) {
            self.error_note(
                s.span(),
                format!("unknown enum `{}`", tag.trim()),
                "an ioctl's `enum TAG` is a tagged `[[enum]]` written as a C enum above it",
            );
            return None;
        }
        if self.fn_typedefs.contains(&c) {
            self.error(
                s.span(),
                format!("`{c}` is a function type, which has no size"),
            );
            return None;
        }
        let ty = match (self.typedefs.get(&c), tagged) {
            (Some((_, ty, _)), _) => ty.clone(),
            (None, Some((_, repr))) => FieldType::Scalar(repr.scalar()),
            (None, None) => self.field_type(s)?,
        };
        // A typedef of an array (ppp-ioctl.h's `ext_accm`, `__u32[8]`): its elements.
        let elements = self.typedef_lens.get(&c).copied().unwrap_or(1);
        let bytes: Vec<u64> = match ty {
            // A word (`long`, `__kernel_size_t`) is 4 bytes on i686 and arm.
            FieldType::Scalar(sc) => targets
                .iter()
                .map(|t| t.scalar_size(sc) * elements)
                .collect(),
            FieldType::Pointer(_) => targets.iter().map(|t| t.pointer_size()).collect(),
            FieldType::Struct(id) => {
                if self.structs_of_some_targets {
                    let all = targets_mask(&[true; crate::model::layout::TARGETS.len()]);
                    self.struct_used_on(s.span(), self.evaluating_on.unwrap_or(all), id, family);
                }
                // Per revision the number exists in: its label and the sizes per target. The
                // front end lays the struct out here only, since the number's value needs it.
                let mut seen: Vec<(String, Vec<u64>)> = Vec::new();
                for (r, rev) in family.revisions.iter().enumerate() {
                    if !rev.has(since, RevSet::EMPTY) {
                        continue;
                    }
                    if !rev.has(family.struct_(id).since, RevSet::EMPTY) {
                        self.error(
                            s.span(),
                            format!(
                                "`{c}` is not in revision `{}`, which has this ioctl number",
                                rev.id
                            ),
                        );
                        return None;
                    }
                    let f = family.at_revision(RevId(r));
                    let sizes = crate::model::layout::layout_targets(&f, targets)
                        .iter()
                        .map(|l| l.struct_(id).size)
                        .collect();
                    seen.push((rev.id.clone(), sizes));
                }
                let (first_rev, first) = seen.first().cloned()?;
                if let Some((other_rev, other)) = seen.iter().find(|x| x.1 != first) {
                    let t = first
                        .iter()
                        .zip(other)
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    self.error_note(
                        s.span(),
                        format!(
                            "`{c}` is {} bytes on {} in `{first_rev}` but {} in `{other_rev}`: \
                             the ioctl number or constant takes one size",
                            first[t], targets[t].triple, other[t]
                        ),
                        "a struct that grows needs a new ioctl number (or the argsz convention \
                         with `_IO`), and a new constant for its size",
                    );
                    return None;
                }
                first
            }
            FieldType::Inline(..) => return None,
        };
        Some(bytes)
    }

    /// `offsetof(TYPE, MEMBER)` on each target: TYPE a struct or union above, MEMBER a
    /// member's name or a path of names through its members (`dirent.name`, into a member of
    /// struct type), the same in every revision the define is in. A bitfield has no offset.
    fn member_offsets(
        &mut self,
        at: &Span,
        ty: &str,
        designator: &str,
        family: &Family,
        since: RevSet,
    ) -> Option<Vec<u64>> {
        let sname = ty
            .strip_prefix("struct ")
            .or_else(|| ty.strip_prefix("union "))
            .unwrap_or(ty)
            .trim();
        let Some(id) = self.struct_index.get(sname).copied() else {
            self.error_note(
                at.clone(),
                format!("`offsetof({ty}, {designator})`: unknown struct `{sname}`"),
                "`offsetof` takes a struct or union of this schema's",
            );
            return None;
        };
        if self.structs_of_some_targets {
            let all = targets_mask(&[true; crate::model::layout::TARGETS.len()]);
            self.struct_used_on(at.clone(), self.evaluating_on.unwrap_or(all), id, family);
        }
        let targets = crate::model::layout::TARGETS;
        let mut seen: Option<(String, Vec<u64>)> = None;
        for (r, rev) in family.revisions.iter().enumerate() {
            if !rev.has(since, RevSet::EMPTY) {
                continue;
            }
            let f = family.at_revision(RevId(r));
            let layouts = crate::model::layout::layout_targets(&f, targets);
            let mut offsets = Vec::with_capacity(targets.len());
            for l in &layouts {
                match crate::model::layout::offset_of(&f, l, id, designator) {
                    Ok(o) => offsets.push(o),
                    Err(why) => {
                        self.error(
                            at.clone(),
                            format!("`offsetof({ty}, {designator})` in `{}`: {why}", rev.id),
                        );
                        return None;
                    }
                }
            }
            match &seen {
                Some((first, o)) if *o != offsets => {
                    self.error(
                        at.clone(),
                        format!(
                            "`offsetof({ty}, {designator})` differs between `{first}` and `{}`: \
                             a constant takes one offset",
                            rev.id
                        ),
                    );
                    return None;
                }
                Some(_) => {}
                None => seen = Some((rev.id.clone(), offsets)),
            }
        }
        seen.map(|(_, o)| o)
    }

    fn validation(
        &mut self,
        family: &Family,
        si: StructId,
        mut parts: ValidationParts,
    ) -> Option<Validation> {
        let st = family.struct_(si);
        let Some(conv) = st.convention else {
            let stray = parts
                .min_size
                .as_ref()
                .map(|m| m.span())
                .or(parts.min_size_when.as_ref().map(|m| m.span()))
                .or(parts.data_type.as_ref().map(|d| d.span()))
                .or(parts.rules.first().map(|r| r.span()))
                .or(parts.payload.as_ref().map(|p| p.span()))
                .or(parts.payloads.as_ref().map(|p| p.span()));
            if let Some(span) = stray {
                self.error_note(
                    span,
                    format!(
                        "struct `{}` has validation settings but no `convention`",
                        st.name
                    ),
                    "set convention = \"argsz\", \"size\" or \"user_data\"",
                );
            }
            return None;
        };
        let conv_span = parts
            .convention_span
            .clone()
            .unwrap_or(parts.name_span.clone());
        // A validator reads one layout's bytes: a member some targets leave out moves what
        // follows it there.
        if let Some(f) = st.fields.iter().find(|f| f.when.is_some()) {
            self.error_note(
                conv_span,
                format!(
                    "struct `{}` has a size convention and a member under `#if` (`{}`): its \
                     validators would read another layout on some targets",
                    st.name,
                    f.display_name()
                ),
                "a struct that crosses the user/kernel line by argsz or size has one set of \
                 members on every target",
            );
            return None;
        }
        let min_size = match (&parts.min_size, conv) {
            (Some(m), _) => {
                let m = m.get_ref();
                self.size_ref(family, si, &m.offsetof, &m.offsetofend, conv_span.clone())?
            }
            (None, Convention::Size) => SizeRef::Whole,
            (None, _) => {
                self.error_note(
                    conv_span,
                    format!("struct `{}` uses the `{}` convention and needs `min_size`", st.name, conv.name()),
                    "write the kernel's minsz, e.g. min_size = { offsetof = \"granu\" } or { offsetofend = \"__reserved\" }",
                );
                return None;
            }
        };
        let mut min_size_when = Vec::new();
        if let Some(list) = &parts.min_size_when {
            if conv != Convention::Argsz {
                self.error(
                    list.span(),
                    "`min_size_when` applies to the argsz convention only",
                );
            }
            for w in list.get_ref() {
                let raw = w.get_ref();
                if raw.when.is_empty() {
                    self.error(
                        w.span(),
                        "a `min_size_when` entry needs at least one `when` condition (a size \
                         needed always is `min_size`)",
                    );
                    continue;
                }
                let when: Vec<Cond> = raw
                    .when
                    .iter()
                    .filter_map(|c| self.cond(family, si, c))
                    .collect();
                let Some(size) =
                    self.size_ref(family, si, &raw.offsetof, &raw.offsetofend, w.span())
                else {
                    continue;
                };
                let text = format!(
                    "if {}: argsz >= {}",
                    when.iter()
                        .map(|c| self.cond_text(family, c))
                        .collect::<Vec<_>>()
                        .join(" and "),
                    size.text()
                );
                let since = self.revs("since", &raw.since, family.struct_(si).since);
                min_size_when.push(MinSizeWhen {
                    when,
                    size,
                    since,
                    text,
                    span: w.span(),
                });
            }
        }
        let data_type = match (conv, &parts.data_type) {
            (Convention::UserData, Some(d)) => match self.constants.get(d.get_ref()) {
                Some((v, ..)) => Some((d.get_ref().clone(), *v)),
                None => {
                    self.error(d.span(), format!("unknown constant `{}`", d.get_ref()));
                    None
                }
            },
            (Convention::UserData, None) => {
                self.error(conv_span, format!("struct `{}` is driver data and needs `data_type`, the type constant it is for", st.name));
                None
            }
            (_, Some(d)) => {
                self.error(
                    d.span(),
                    "`data_type` applies to convention = \"user_data\" only",
                );
                None
            }
            (_, None) => None,
        };
        let mut rules = Vec::new();
        let struct_since = family.struct_(si).since;
        for r in &parts.rules {
            let raw = r.get_ref();
            let since = self.revs("since", &raw.since, struct_since);
            let until = self.until(&raw.until, since, "rule");
            let when: Vec<Cond> = raw
                .when
                .iter()
                .filter_map(|c| self.cond(family, si, c))
                .collect();
            if raw.require.get_ref().is_empty() {
                self.error(raw.require.span(), "`require` needs at least one condition");
            }
            let require: Vec<Cond> = raw
                .require
                .get_ref()
                .iter()
                .filter_map(|c| self.cond(family, si, c))
                .collect();
            let errno = match raw.errno.as_ref().map(|e| e.get_ref().as_str()) {
                None | Some("EINVAL") => Errno::EINVAL,
                Some("EOPNOTSUPP") => Errno::EOPNOTSUPP,
                Some("E2BIG") => Errno::E2BIG,
                Some(other) => {
                    self.error(raw.errno.as_ref().unwrap().span(), format!("errno `{other}` is not one a validator returns: use EINVAL, EOPNOTSUPP or E2BIG"));
                    Errno::EINVAL
                }
            };
            let text = match self.text(&raw.doc, "a rule's doc", true) {
                Some(d) => d,
                None => {
                    let req = require
                        .iter()
                        .map(|c| self.cond_text(family, c))
                        .collect::<Vec<_>>()
                        .join(" and ");
                    if when.is_empty() {
                        req
                    } else {
                        let w = when
                            .iter()
                            .map(|c| self.cond_text(family, c))
                            .collect::<Vec<_>>()
                            .join(" and ");
                        format!("if {w}: {req}")
                    }
                }
            };
            rules.push(Rule {
                when,
                require,
                errno,
                text,
                since,
                until,
                span: r.span(),
            });
        }
        let changes = match parts.convention_change.take() {
            Some(list) => self.convention_changes(family, si, conv, &parts, list)?,
            None => Vec::new(),
        };
        let payload = self.payload(family, si, conv, parts.payload, parts.payloads);
        Some(Validation {
            min_size,
            min_size_when,
            data_type,
            rules,
            payload,
            changes,
            ksize: None,
        })
    }

    /// A struct's `convention_change`: from argsz to size (the one change the kernel has made:
    /// vfio.h's `vfio_device_bind_iommufd` at v6.17), each at a revision after the one before
    /// and after the struct's first, on a struct without what only the argsz convention has.
    fn convention_changes(
        &mut self,
        family: &Family,
        si: StructId,
        conv: Convention,
        parts: &ValidationParts,
        list: S<Vec<S<RawConventionChange>>>,
    ) -> Option<Vec<ConventionChange>> {
        let name = family.struct_(si).name.clone();
        if conv != Convention::Argsz {
            self.error_note(
                list.span(),
                format!("struct `{name}`: `convention_change` needs `convention = \"argsz\"`"),
                "the kernel has moved structs from the argsz convention to copy_struct_from_user \
                 (\"size\"), never another way",
            );
            return None;
        }
        let argsz_only = [
            parts.min_size_when.as_ref().map(|x| x.span()),
            parts.payload.as_ref().map(|x| x.span()),
            parts.payloads.as_ref().map(|x| x.span()),
        ];
        if let Some(span) = argsz_only.into_iter().flatten().next() {
            self.error_note(
                span,
                format!(
                    "struct `{name}` has a `convention_change` and what only the argsz \
                     convention has"
                ),
                "`min_size_when` and payloads belong to the argsz convention, which a later \
                 revision leaves",
            );
            return None;
        }
        if list.get_ref().is_empty() {
            self.error(
                list.span(),
                format!("struct `{name}`: `convention_change` lists no change"),
            );
            return None;
        }
        let mut out: Vec<ConventionChange> = Vec::new();
        let mut before = family.struct_(si).since;
        for c in list.get_ref() {
            let raw = c.get_ref();
            if raw.convention.get_ref() != "size" {
                self.error_note(
                    raw.convention.span(),
                    format!(
                        "struct `{name}`: `convention_change` to `{}`: only \"size\" is known",
                        raw.convention.get_ref()
                    ),
                    "from argsz the kernel has moved to copy_struct_from_user (\"size\"): the \
                     user's argsz read alone, below min_size -EINVAL, a non-zero byte past ksize \
                     -E2BIG",
                );
                return None;
            }
            let Some(at) = &raw.since else {
                self.error(
                    c.span(),
                    format!("struct `{name}`: a `convention_change` needs `since`"),
                );
                return None;
            };
            let since = self.revs("since", &raw.since, RevSet::EMPTY);
            if since.is_empty() {
                return None;
            }
            // Each change comes after what it changes: no revision of `before` has it.
            if before.iter().any(|r| self.revisions[r.0].line.meets(since)) {
                self.error_note(
                    at.span(),
                    format!("struct `{name}`: this `convention_change` is not later than the struct or the change before it"),
                    "list the changes oldest first, each at a revision the one before does not have",
                );
                return None;
            }
            let ksize = match &raw.ksize {
                Some(k) => {
                    let k = k.get_ref();
                    Some(self.size_ref(family, si, &k.offsetof, &k.offsetofend, c.span())?)
                }
                None => None,
            };
            before = since;
            out.push(ConventionChange {
                since,
                convention: Convention::Size,
                ksize,
            });
        }
        Some(out)
    }

    fn size_ref(
        &mut self,
        family: &Family,
        si: StructId,
        offsetof: &Option<S<String>>,
        offsetofend: &Option<S<String>>,
        span: Span,
    ) -> Option<SizeRef> {
        match (offsetof, offsetofend) {
            (Some(p), None) => Some(SizeRef::OffsetOf(self.field_path(family, si, p)?)),
            (None, Some(p)) => {
                let path = self.field_path(family, si, p)?;
                if path.flexible {
                    // sizeof of an incomplete array does not compile: offsetofend is C's error.
                    self.error(
                        p.span(),
                        format!(
                            "`{}` is a flexible array member, which has no end: write \
                             `offsetof = \"{}\"` (where its elements begin)",
                            path.text, path.text
                        ),
                    );
                    return None;
                }
                Some(SizeRef::OffsetOfEnd(path))
            }
            _ => {
                self.error(span, "give exactly one of `offsetof` and `offsetofend`");
                None
            }
        }
    }

    /// `granu.addr_info.flags` → the fields it passes through, anonymous unions and structs
    /// included.
    fn field_path(&mut self, family: &Family, si: StructId, text: &S<String>) -> Option<FieldPath> {
        let mut container: &[Field] = &family.struct_(si).fields;
        let mut owner = family.struct_(si).name.clone();
        // `#pragma pack` may leave a member unaligned as `packed` does (Rust's `packed(n)`).
        let mut packed = family.struct_(si).packed || family.struct_(si).pack.is_some();
        let mut in_union = false;
        let mut segments = Vec::new();
        let parts: Vec<&str> = text.get_ref().split('.').collect();
        let mut last: Option<&Field> = None;
        for (k, part) in parts.iter().enumerate() {
            if let Some(prev) = last {
                // C names an element as `r[0].x`, which a path does not write: a path through
                // an array would emit `r.x`, which compiles nowhere.
                if prev.is_array() {
                    self.error(
                        text.span(),
                        format!(
                            "`{}` is an array, so `{}` cannot go into it: conditions and sizes \
                             apply to a whole array or to fields outside one",
                            parts[..k].join("."),
                            text.get_ref()
                        ),
                    );
                    return None;
                }
                match &prev.ty {
                    FieldType::Inline(kind, ms) => {
                        container = ms;
                        in_union = *kind == Aggregate::Union;
                    }
                    FieldType::Struct(j) if family.struct_(*j).rust_opaque => {
                        self.error_note(
                            text.span(),
                            format!(
                                "`{}` is a `struct {}`, whose Rust type is opaque: the Rust \
                                 validators cannot read `{}`",
                                parts[..k].join("."),
                                family.struct_(*j).name,
                                text.get_ref()
                            ),
                            "an opaque type (`rust_opaque`) has its bytes, no members",
                        );
                        return None;
                    }
                    FieldType::Struct(j) => {
                        container = &family.struct_(*j).fields;
                        owner = family.struct_(*j).name.clone();
                        packed |= family.struct_(*j).packed || family.struct_(*j).pack.is_some();
                        in_union = false;
                    }
                    FieldType::Scalar(_) | FieldType::Pointer(_) => {
                        self.error(
                            text.span(),
                            format!(
                                "`{}` is not a struct or union, so `{}` has nothing after it",
                                parts[..k].join("."),
                                text.get_ref()
                            ),
                        );
                        return None;
                    }
                }
            }
            // The latest field of a reused name (a re-purposed reserved name): today's.
            let direct = container
                .iter()
                .rposition(|f| f.name.as_deref() == Some(*part));
            let found = match direct {
                Some(i) => {
                    segments.push(Segment {
                        c_name: Some(part.to_string()),
                        rust_name: container[i].rust_name.clone(),
                        in_union,
                        index: i,
                    });
                    Some(&container[i])
                }
                // Through anonymous unions and structs, however deep (C11: their members are
                // the enclosing aggregate's).
                None => anonymous_member(container, part, in_union).map(|(chain, m)| {
                    segments.extend(chain);
                    m
                }),
            };
            let Some(f) = found else {
                self.error(
                    text.span(),
                    format!(
                        "struct `{owner}` has no field `{part}` (in `{}`)",
                        text.get_ref()
                    ),
                );
                return None;
            };
            last = Some(f);
        }
        let f = last?;
        if let Some(w) = f.bits {
            // A condition reads bytes at an offset, a size ends at one: a bitfield has
            // neither.
            self.error_note(
                text.span(),
                format!(
                    "`{}` is a bitfield (`: {w}`): no condition or size reads one",
                    text.get_ref()
                ),
                "declare the whole integer and name its bits with [[flags]] for a rule to read them",
            );
            return None;
        }
        if let Some(e) = f.len_expr.as_ref().filter(|e| e.on.is_some()) {
            self.error(
                text.span(),
                format!(
                    "`{}` is an array whose length differs between targets (`len = {:?}`): no \
                     rule or size reads it (the validators read a field at one offset and size)",
                    text.get_ref(),
                    e.text
                ),
            );
            return None;
        }
        Some(FieldPath {
            text: text.get_ref().clone(),
            segments,
            scalar: match &f.ty {
                FieldType::Scalar(s) => Some(*s),
                _ => None,
            },
            pointer: matches!(f.ty, FieldType::Pointer(_)),
            len: f.len,
            flexible: f.flexible.is_some(),
            packed,
            flags: f.flags,
        })
    }

    fn value_ref(&mut self, v: &S<toml::Value>) -> Option<ValueRef> {
        match v.get_ref() {
            toml::Value::Integer(i) if *i >= 0 => Some(ValueRef {
                value: *i as u64,
                name: None,
            }),
            toml::Value::String(name) => {
                let builtin = match name.as_str() {
                    "U64_MAX" => Some(u64::MAX),
                    "U32_MAX" => Some(u32::MAX as u64),
                    "U16_MAX" => Some(u16::MAX as u64),
                    "U8_MAX" => Some(u8::MAX as u64),
                    _ => None,
                };
                if self
                    .constants
                    .get(name)
                    .is_some_and(|(.., cv)| cv[0].value != cv[1].value)
                {
                    self.error_note(
                        v.span(),
                        format!("`{name}` has a value per ABI (a `long` of the ABI's word)"),
                        "a rule tests one value on every ABI: write the number, or a constant \
                         of a fixed width",
                    );
                    return None;
                }
                match builtin.or_else(|| self.constants.get(name).map(|(v, ..)| *v)) {
                    Some(value) => Some(ValueRef {
                        value,
                        name: Some(name.clone()),
                    }),
                    None => {
                        self.error(v.span(), format!("unknown constant `{name}`"));
                        None
                    }
                }
            }
            _ => {
                self.error(
                    v.span(),
                    "expected a non-negative integer or a constant's name",
                );
                None
            }
        }
    }

    fn cond(&mut self, family: &Family, si: StructId, c: &S<RawCond>) -> Option<Cond> {
        let raw = c.get_ref();
        let given = [
            raw.equals.is_some(),
            raw.not_equals.is_some(),
            raw.below.is_some(),
            raw.lacks.is_some(),
            raw.has.is_some(),
            raw.at_least.is_some(),
            raw.known_flags.is_some(),
            raw.zero.is_some(),
            raw.nonzero.is_some(),
            raw.aligned.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given != 1 {
            self.error(
                c.span(),
                format!("a condition needs exactly one of equals, not_equals, below, at_least, lacks, has, known_flags, zero, nonzero, aligned (it has {given})"),
            );
            return None;
        }
        let field = self.field_path(family, si, &raw.field)?;
        if field.flexible {
            self.error(
                raw.field.span(),
                format!(
                    "`{}` is a flexible array member: its elements lie past `sizeof`, beyond \
                     what a validator copies, so no condition can read them",
                    field.text
                ),
            );
            return None;
        }
        if field.pointer {
            self.error(
                raw.field.span(),
                format!(
                    "`{}` is a pointer, 4 bytes on i686 and arm and 8 on the 64-bit ABIs: no \
                     rule reads it (the validators read a field at one offset and size)",
                    field.text
                ),
            );
            return None;
        }
        if field.scalar.is_none() {
            self.error(raw.field.span(), format!("`{}` is a struct or union: conditions apply to integer fields and arrays of them", field.text));
            return None;
        }
        let is_array = field.len.is_some();
        if let Some(s) = field.scalar.filter(|s| s.is_float()) {
            self.error(
                raw.field.span(),
                format!(
                    "`{}` is a `{}`: conditions read integers, and no rule reads a floating-point member",
                    field.text,
                    s.c_name()
                ),
            );
            return None;
        }
        if field.scalar.is_some_and(Scalar::is_plain_char)
            && raw.zero.is_none()
            && raw.nonzero.is_none()
        {
            self.error(
                raw.field.span(),
                format!(
                    "`{}` is a plain char, signed on x86 and unsigned on arm: only `zero` and `nonzero` apply to it",
                    field.text
                ),
            );
            return None;
        }
        if field.scalar.is_some_and(Scalar::is_word) {
            self.error(
                raw.field.span(),
                format!(
                    "`{}` is a {}, 4 bytes on i686 and arm and 8 on the 64-bit ABIs: no rule reads it (the validators read a field at one offset and size)",
                    field.text,
                    field.scalar.map_or("", Scalar::c_name)
                ),
            );
            return None;
        }
        if let Some(s) = field.scalar.filter(|s| s.is_arch()) {
            self.error(
                raw.field.span(),
                format!(
                    "`{}` is a {}, whose size each architecture's <asm/posix_types.h> sets (2 bytes on i686 and arm): no rule reads it (the validators read a field at one offset and size)",
                    field.text,
                    s.c_name()
                ),
            );
            return None;
        }
        if field.scalar.is_some_and(Scalar::is_endian)
            && raw.zero.is_none()
            && raw.nonzero.is_none()
        {
            self.error(
                raw.field.span(),
                format!(
                    "`{}` is a {}: only `zero` and `nonzero` apply to it (validators read fields in the host's byte order)",
                    field.text,
                    field.scalar.map_or("", Scalar::c_name)
                ),
            );
            return None;
        }
        let pred = if let Some(v) = &raw.equals {
            Pred::Equals(self.value_ref(v)?)
        } else if let Some(v) = &raw.not_equals {
            Pred::NotEquals(self.value_ref(v)?)
        } else if let Some(v) = &raw.below {
            Pred::Below(self.value_ref(v)?)
        } else if let Some(v) = &raw.lacks {
            Pred::Lacks(self.value_ref(v)?)
        } else if let Some(v) = &raw.has {
            Pred::Has(self.value_ref(v)?)
        } else if let Some(v) = &raw.at_least {
            Pred::AtLeast(self.value_ref(v)?)
        } else if let Some(k) = &raw.known_flags {
            match (field.flags, k.get_ref()) {
                (Some(g), true) => Pred::KnownFlags(g),
                (None, _) => {
                    self.error(
                        k.span(),
                        format!(
                            "`{}` has no `flags` set, so its known flags are not defined",
                            field.text
                        ),
                    );
                    return None;
                }
                (_, false) => {
                    self.error(k.span(), "write `known_flags = true` or leave it out");
                    return None;
                }
            }
        } else if let Some(z) = &raw.zero {
            if !z.get_ref() {
                self.error(z.span(), "write `zero = true`, or `nonzero = true`");
                return None;
            }
            Pred::Zero
        } else if let Some(z) = &raw.nonzero {
            if !z.get_ref() {
                self.error(z.span(), "write `nonzero = true`, or `zero = true`");
                return None;
            }
            Pred::NonZero
        } else {
            let a = raw.aligned.as_ref().unwrap();
            let n = *a.get_ref();
            if n <= 0 || (n & (n - 1)) != 0 {
                self.error(a.span(), format!("alignment {n} is not a power of two"));
                return None;
            }
            Pred::Aligned(n as u64)
        };
        if is_array && !matches!(pred, Pred::Zero | Pred::NonZero) {
            self.error(
                raw.field.span(),
                format!(
                    "`{}` is an array: only `zero` and `nonzero` apply to it",
                    field.text
                ),
            );
            return None;
        }
        if let Some(why) = field.scalar.and_then(|t| constant_outcome(t, &pred)) {
            let span = [
                &raw.equals,
                &raw.not_equals,
                &raw.below,
                &raw.lacks,
                &raw.has,
                &raw.at_least,
            ]
            .into_iter()
            .flatten()
            .next()
            .map_or(c.span(), |v| v.span());
            self.error_note(
                span,
                format!("this condition on `{}` is {why}", field.text),
                "a rule that cannot fail or cannot hold is a mistake (and the C compiler warns of it)",
            );
            return None;
        }
        Some(Cond {
            field,
            pred,
            span: c.span(),
        })
    }

    fn cond_text(&self, family: &Family, c: &Cond) -> String {
        let f = c.field.text.as_str();
        // Not `format!`: a rule's text is written from these, a condition of every rule.
        let cat = names::cat;
        match &c.pred {
            Pred::Equals(v) => cat(&[f, " == ", &v.text()]),
            Pred::NotEquals(v) => cat(&[f, " != ", &v.text()]),
            Pred::Below(v) => cat(&[f, " < ", &v.text()]),
            Pred::Lacks(v) => cat(&[f, " lacks ", &v.text()]),
            Pred::Has(v) => cat(&[f, " has ", &v.text()]),
            Pred::AtLeast(v) => cat(&[f, " >= ", &v.text()]),
            Pred::KnownFlags(g) => cat(&[
                f,
                " has only ",
                family.groups.get(g.0).map_or("known", |g| g.name.as_str()),
                " bits",
            ]),
            Pred::Zero => cat(&[f, " is zero"]),
            Pred::NonZero => cat(&[f, " is non-zero"]),
            Pred::Aligned(n) => cat(&[f, " is ", &n.to_string(), "-byte aligned"]),
        }
    }

    /// `c` as an expression sees it on each data model (`cexpr::MODELS`): the C type its
    /// definition gives it there (an enum's members are `int`s whatever initialises them, when
    /// they fit).
    fn c_value(&self, c: &Constant, enum_member: bool) -> [CValue; 2] {
        if let Expr::C {
            value,
            types,
            ilp32,
            ..
        } = &c.expr
        {
            let [a, b] = *types;
            return [
                CValue {
                    value: ilp32.unwrap_or(*value),
                    ty: a,
                },
                CValue {
                    value: *value,
                    ty: b,
                },
            ];
        }
        // An enum's value is an `i64` (negative ones sign-extended in `Constant::value`), of
        // type int when it fits one, as C has enumerators; past int, GCC gives it the enum's
        // type, which has this sign and width.
        let value = if enum_member {
            i128::from(c.value as i64)
        } else {
            i128::from(c.value)
        };
        cexpr::MODELS.map(|m| {
            let ty = match &c.expr {
                _ if enum_member && i32::try_from(value).is_ok() => CType::Int,
                _ if enum_member && u32::try_from(value).is_ok() => CType::UInt,
                _ if enum_member && value < 0 => CType::LongLong,
                Expr::Literal(text) => cexpr::literal_text_type(text, c.value, m),
                // As the header writes them: `(1 << n)`, `(1U << 31)`, `(1ULL << n)`.
                Expr::Bit(n) if *n < 31 => CType::Int,
                Expr::Bit(31) => CType::UInt,
                Expr::Char(_) => CType::Int,
                Expr::Io { .. } => CType::UInt,
                Expr::Alias(n) => match self.constants.get(n) {
                    Some((.., cv)) => cv[usize::from(m == cexpr::LP64)].ty,
                    None => CType::ULongLong,
                },
                Expr::Or(names) => names
                    .iter()
                    .filter_map(|n| {
                        self.constants
                            .get(n)
                            .map(|(.., cv)| cv[usize::from(m == cexpr::LP64)].ty)
                    })
                    .reduce(|a, b| cexpr::common(a, b, m))
                    .unwrap_or(CType::Int),
                _ if c.value <= i32::MAX as u64 => CType::Int,
                _ if c.value <= u32::MAX as u64 => CType::UInt,
                _ => CType::ULongLong,
            };
            CValue { value, ty }
        })
    }

    /// Whether a typedef of `name` would take a name C's ordinary identifiers already have: a
    /// typedef's (or a typedef'd struct's or enum's), a constant's or a macro's.
    fn ordinary_name_taken(&self, name: &str) -> bool {
        self.typedefs.contains_key(name)
            || self.constants.contains_key(name)
            || self.macros.contains_key(name)
            || self.strings.contains_key(name)
            || self.packed_macros.contains_key(name)
            || self.typedef_structs.contains(name)
            || self.enum_typedefs.contains_key(name)
    }

    /// `[[typedef]]`: a name for a type a member may have that is not an array, a pointer
    /// or another typedef (what the kernel's headers give one: a scalar, a struct).
    fn typedef(&mut self, t: S<RawTypedef>, id: TypedefId, family: &Family) -> Option<Typedef> {
        let t = t.into_inner();
        let name = self.identifier(&t.name, Role::Typedef);
        if self.ordinary_name_taken(&name) {
            self.error(t.name.span(), format!("`{name}` is defined twice"));
            return None;
        }
        if Scalar::from_c_name(&name).is_some() {
            self.error(
                t.name.span(),
                format!("`{name}` is one of the types the schema knows: a typedef names another"),
            );
            return None;
        }
        if let Some(s) = self.struct_camels().get(&name) {
            let s = s.clone();
            self.error(
                t.name.span(),
                format!("`{name}` is the Rust type of struct `{s}`: its Rust alias would clash"),
            );
            return None;
        }
        let text = t.ty.get_ref().trim();
        if self.typedefs.contains_key(text) {
            self.error_note(
                t.ty.span(),
                format!("a typedef of the typedef `{text}`"),
                "name what that typedef names",
            );
            return None;
        }
        // `typedef enum TAG NAME;`: the tagged enum's integer.
        let c_enum = match text.strip_prefix("enum ").map(str::trim) {
            Some(tag) => match self.enum_types.get(tag) {
                Some((g, _)) => Some((tag.to_string(), *g)),
                None => {
                    self.error_note(
                        t.ty.span(),
                        format!("unknown enum `{tag}`"),
                        "a typedef's `enum TAG` is a tagged `[[enum]]` written as a C enum, \
                         defined above",
                    );
                    return None;
                }
            },
            None => None,
        };
        // `R (P, Q)`, a function's type (asm-generic/signal-defs.h's `typedef void
        // __signalfn_t(int);`): held as a pointer to it is, which is all a member may be.
        let function = c_enum.is_none() && !text.contains("(*") && text.ends_with(')');
        let ty = match &c_enum {
            Some((tag, _)) => FieldType::Scalar(self.enum_types[tag].1.scalar()),
            None if function => {
                let (ret, rest) = text.split_at(text.find('(').unwrap_or(0));
                let i = self.fn_sig(&t.ty, text, ret, rest)?;
                FieldType::Pointer(Pointer::function(i))
            }
            None => self.field_type(&t.ty)?,
        };
        self.size_t_assumed(t.ty.span(), &ty);
        // A typedef is on every target: what it names must be too.
        if self.structs_of_some_targets {
            let all = targets_mask(&[true; crate::model::layout::TARGETS.len()]);
            let mut refs = Vec::new();
            type_struct_refs(&ty, &t.ty.span(), &self.functions, &mut refs);
            for (at, j) in refs {
                self.struct_used_on(at, all, j, family);
            }
        }
        let extra = [
            t.len.as_ref().map(|l| (l.span(), "len")),
            t.aligned.as_ref().map(|a| (a.span(), "aligned")),
        ];
        if let (FieldType::Pointer(_), Some((at, k))) = (&ty, extra.into_iter().flatten().next()) {
            self.error(
                at,
                format!("`{k}` on typedef `{name}` of a pointer or a function"),
            );
            return None;
        }
        let doc = self.text(&t.doc, "a typedef's doc", false);
        let extern_header = self.extern_header(&t.extern_header, &format!("typedef `{name}`"));
        let bitwise = t.bitwise.as_ref().is_some_and(|b| *b.get_ref());
        if let (Some(b), true) = (&t.bitwise, bitwise) {
            // sparse's restriction is on integers: `__bitwise` on an aggregate or an enum's
            // type is no kernel's spelling.
            if !matches!(ty, FieldType::Scalar(_)) || c_enum.is_some() {
                self.error(
                    b.span(),
                    format!("`bitwise` on typedef `{name}`: `__bitwise` restricts an integer type"),
                );
            }
        }
        let len = match &t.len {
            None => None,
            Some(l) => match u64::try_from(*l.get_ref()) {
                Ok(n @ 1..=65536) if matches!(ty, FieldType::Scalar(_)) && c_enum.is_none() => {
                    Some(n)
                }
                Ok(1..=65536) => {
                    self.error(
                        l.span(),
                        format!(
                            "`len` on typedef `{name}`: a typedef of an array has a scalar \
                             element (cdrom.h's `typedef __u8 dvd_challenge[10];`)"
                        ),
                    );
                    return None;
                }
                _ => {
                    self.error(
                        l.span(),
                        format!("`len` on typedef `{name}` is an integer from 1 to 65536"),
                    );
                    return None;
                }
            },
        };
        if let Some(n) = len {
            self.typedef_lens.insert(name.clone(), n);
        }
        let aligned = self.alignment(&t.aligned, "typedef");
        if let (Some(a), Some(raw)) = (&aligned, &t.aligned) {
            // On a typedef gcc also lowers an alignment (rdma/ib_user_mad.h's `packed_ulong`):
            // of a scalar, the Rust type holding a member of it is `packed(n)`; of a struct,
            // whose own Rust type keeps its alignment, no Rust type follows.
            let natural = most_aligned(family, &ty);
            let lowers = a.value < natural;
            let problem = if len.is_some() {
                Some(format!("`aligned` on typedef `{name}` of an array"))
            } else if lowers && !matches!(ty, FieldType::Scalar(_)) {
                Some(format!(
                    "`aligned = {}` on typedef `{name}` lowers the alignment of `{}` \
                     ({natural} on some target), which a typedef's attribute does in C \
                     and no Rust type can for a struct or union",
                    raw.get_ref(),
                    t.ty.get_ref().trim()
                ))
            } else {
                None
            };
            match problem {
                Some(why) => self.error(raw.span(), why),
                None => {
                    self.typedef_aligned
                        .insert(name.clone(), (a.clone(), lowers));
                }
            }
        }
        self.typedefs
            .insert(name.clone(), (id, ty.clone(), c_enum.clone()));
        if function {
            self.fn_typedefs.insert(name.clone());
        }
        Some(Typedef {
            name,
            ty,
            function,
            c_enum,
            doc,
            extern_header,
            bitwise,
            len,
            aligned,
            span: t.name.span(),
        })
    }

    /// `expr = "..."`: parsed, and evaluated on every data model.
    /// `[[macro]]`: its name and parameters C identifiers, its body the tokens of an
    /// integer expression. What the body names is looked up where the macro is called.
    fn function_like(&mut self, m: S<RawMacro>, id: MacroId) -> Option<MacroDef> {
        let m = m.into_inner();
        let name = self.identifier(&m.name, Role::Macro);
        if self.macros.contains_key(&name)
            || self.decl_macros.contains_key(&name)
            || self.constants.contains_key(&name)
            || self.strings.contains_key(&name)
        {
            self.error(m.name.span(), format!("`{name}` is defined twice"));
            return None;
        }
        if cexpr::INCLUDED_MACROS.contains(&name.as_str()) {
            self.error(
                m.name.span(),
                format!(
                    "`{name}` is a macro of the headers the generated header includes \
                     (<linux/ioctl.h>, <linux/const.h>, <linux/stddef.h>)"
                ),
            );
            return None;
        }
        let mut params: Vec<String> = Vec::new();
        for p in m.params.get_ref() {
            // The preprocessor takes any identifier, a keyword too (ioprio.h's `class`).
            let n = p.get_ref().clone();
            if !names::is_c_identifier(&n) {
                self.error(p.span(), format!("parameter `{n}` is not a C identifier"));
            }
            if params.contains(&n) {
                self.error(p.span(), format!("parameter `{n}` is listed twice"));
            }
            params.push(n);
        }
        let doc = self.text(&m.doc, "a macro's doc", false);
        let raw = m.body.get_ref();
        let body = raw.trim();
        if let Some(why) = names::refuse_text(body, "a macro's body", true) {
            self.error(m.body.span(), why);
            return None;
        }
        let extern_header = self.extern_header(&m.extern_header, &format!("macro `{name}`"));
        let ifndef = m.ifndef.as_ref().is_some_and(|i| *i.get_ref());
        let def = |declares: bool| MacroDef {
            name: name.clone(),
            params: params.clone(),
            body: body.to_string(),
            doc,
            extern_header,
            ifndef,
            declares,
            span: m.name.span(),
        };
        // A member's declaration, for the members `declared_by` it (two words side by side,
        // which no expression has).
        if decl_macro::shape(&params, body).is_none() {
            self.decl_macros
                .insert(name.clone(), (id, params.clone(), body.to_string()));
            return Some(def(true));
        }
        match cexpr::Macro::new(params.clone(), body) {
            Ok(parsed) => {
                self.macros.insert(name.clone(), parsed);
                Some(def(false))
            }
            Err(e) => {
                let at = self.in_string(&m.body, e.at);
                self.error_note(
                    at,
                    format!("the body `{body}`: {}", e.message),
                    format!(
                        "nor is it a member's declaration (`TYPE NAME` or `TYPE NAME[LEN]`, \
                         NAME a parameter): {}",
                        decl_macro::shape(&params, body).unwrap_or_default()
                    ),
                );
                None
            }
        }
    }

    /// Where byte range `r` of string `x`'s trimmed text is in the schema: exact when the
    /// TOML string is written plainly, else the whole string.
    fn in_string(&self, x: &S<String>, r: std::ops::Range<usize>) -> Span {
        let raw = x.get_ref();
        let lead = raw.len() - raw.trim_start().len();
        let span = x.span();
        let plain = self
            .source
            .text
            .get(span.clone())
            .is_some_and(|s| s.len() == raw.len() + 2 && &s[1..s.len() - 1] == raw.as_str());
        if plain {
            let start = span.start + 1 + lead + r.start;
            start..(span.start + 1 + lead + r.end.max(r.start + 1)).min(span.end - 1)
        } else {
            span
        }
    }

    /// `text` (of string `x`) with each `_IOC_NR(NAME)` and `_IOC_TYPE(NAME)` of a constant
    /// above written as its value (`cexpr::ioc_fields`); None when it has none, an error
    /// (reported) for a name that is no constant above.
    fn ioc_fields(&mut self, x: &S<String>, text: &str) -> Result<Option<String>, ()> {
        let calls = cexpr::ioc_fields(text);
        if calls.is_empty() {
            return Ok(None);
        }
        let mut literals = Vec::with_capacity(calls.len());
        for (r, field, name) in calls {
            let ioctl = self.ioctls.contains(&name);
            match self.constants.get(&name) {
                // An ioctl number's fields are alike on every ABI; another constant's are when
                // it is.
                Some((value, _, cv)) if ioctl || cv[0].value == cv[1].value => {
                    literals.push((r, format!("{}U", field.of(*value))));
                }
                Some(_) => {
                    let at = self.in_string(x, r);
                    self.error(
                        at,
                        format!("`{name}` has a value per data model: its field would too"),
                    );
                    return Err(());
                }
                None => {
                    let at = self.in_string(x, r);
                    self.error(
                        at,
                        format!("unknown constant `{name}`: an ioctl number defined above"),
                    );
                    return Err(());
                }
            }
        }
        Ok(Some(cexpr::with_literals(text, &literals)))
    }

    /// `sizes`: the family so far and the revisions the constant is in, where the expression
    /// may take a type's `sizeof` (a define's); None where it may not (an ioctl's `nr`).
    fn c_expr(&mut self, x: &S<String>, sizes: Option<(&Family, RevSet)>) -> (u64, Expr) {
        // A define's value (with the family, for `sizeof`), rather than an ioctl's operand, a
        // macro's argument or an enum's value.
        let a_define = sizes.is_some();
        let text = x.get_ref().trim();
        let span = x.span();
        if let Some(why) = names::refuse_text(text, "an `expr`", true) {
            self.error(span.clone(), why);
            return (0, Expr::Implicit);
        }
        // A declaring macro's expansion is a member, no value.
        let declaring = (!self.decl_macros.is_empty())
            .then(|| cexpr::words(text).find(|r| self.decl_macros.contains_key(&text[r.clone()])))
            .flatten();
        if let Some(r) = declaring {
            let at = self.in_string(x, r.clone());
            self.error(
                at,
                format!(
                    "`{}` declares a member (`declared_by`): no expression calls it",
                    &text[r]
                ),
            );
            return (0, Expr::Implicit);
        }
        // The name the byte-order conversions' expansions read, which no header defines.
        if let Some(r) = cexpr::words(text).find(|r| &text[r.clone()] == cexpr::BIG_ENDIAN) {
            let at = self.in_string(x, r);
            self.error(
                at,
                format!(
                    "`{}` is uapigen's own, which <asm/byteorder.h>'s conversions \
                     (`__cpu_to_be16()` ...) read: no header defines it",
                    cexpr::BIG_ENDIAN
                ),
            );
            return (0, Expr::Implicit);
        }
        // `_IOC_NR(HIDIOCREVOKE)`: a field every architecture encodes alike, of an ioctl
        // number above, written in its place as the `unsigned int` the macro gives.
        let written = text;
        let ioc_text: String;
        let text = match self.ioc_fields(x, text) {
            Ok(None) => text,
            Ok(Some(t)) => {
                ioc_text = t;
                ioc_text.as_str()
            }
            Err(()) => return (0, Expr::Implicit),
        };
        // A macro whose body takes `sizeof` (gfs2_ondisk.h's `GFS2_DIRENT_SIZE(1)`): its body
        // in its place, for the operators below.
        let sized_text: String;
        let mut sized_macros = Vec::new();
        let macros = &self.macros;
        let text = match cexpr::expand_sized(text, &|n| macros.get(n).cloned()) {
            Ok(None) => text,
            Ok(Some((t, used))) => {
                sized_text = t;
                sized_macros = used;
                sized_text.as_str()
            }
            Err(e) => {
                let at = self.in_string(x, e.at);
                self.error(at, e.message);
                return (0, Expr::Implicit);
            }
        };
        // `offsetof(struct fuse_dirent, name)`: the member's offset, taken from the layouts.
        let offsets = match cexpr::offsetofs(text) {
            Ok(o) => o,
            Err(e) => {
                let at = self.in_string(x, e.at);
                self.error(at, e.message);
                return (0, Expr::Implicit);
            }
        };
        // Blanked (`0UL`, at the same length) for `sizeofs`, which reads no designator's `.`.
        let blanked = cexpr::with_sizes(
            text,
            &offsets
                .iter()
                .map(|(r, ..)| (r.clone(), 0))
                .collect::<Vec<_>>(),
        );
        // `sizeof(struct can_frame)`: its size, the same on every ABI, written in its place.
        let occurrences = match cexpr::sizeofs(&blanked) {
            Ok(o) => o,
            Err(e) => {
                let at = self.in_string(x, e.at);
                self.error(at, e.message);
                return (0, Expr::Implicit);
            }
        };
        // `__alignof__(void *)` (asm-generic/siginfo.h's `__ADDR_BND_PKEY_PAD`): its alignment.
        let aligns = match cexpr::alignofs(&blanked) {
            Ok(o) => o,
            Err(e) => {
                let at = self.in_string(x, e.at);
                self.error(at, e.message);
                return (0, Expr::Implicit);
            }
        };
        let mut found = Vec::with_capacity(occurrences.len() + offsets.len() + aligns.len());
        /// What an operand of a type asks for.
        enum Of {
            Size,
            /// `offsetof`, of the member this designator names.
            Offset(String),
            Align,
        }
        let occurrences = occurrences
            .into_iter()
            .map(|(r, ty)| (r, ty, Of::Size))
            .chain(offsets.into_iter().map(|(r, ty, d)| (r, ty, Of::Offset(d))))
            .chain(aligns.into_iter().map(|(r, ty)| (r, ty, Of::Align)));
        for (r, ty, of) in occurrences {
            let Some((family, since)) = sizes else {
                let at = self.in_string(x, r);
                self.error(
                    at,
                    "`sizeof`, `offsetof` and `__alignof__` are not taken here: only a \
                     `[[define]]`'s `expr` may",
                );
                return (0, Expr::Implicit);
            };
            let at = self.in_string(x, r.clone());
            let bytes = match &of {
                Of::Size => self.type_sizes(&S::new(at.clone(), ty.clone()), family, since),
                Of::Align => self.type_aligns(&S::new(at.clone(), ty.clone())),
                Of::Offset(d) => self.member_offsets(&at, &ty, d, family, since),
            };
            let Some(bytes) = bytes else {
                return (0, Expr::Implicit);
            };
            let targets = crate::model::layout::TARGETS;
            // One size per data model (`sizeof(unsigned long)`, a struct holding a pointer):
            // the constant has each model's value, as a `long` of the ABI's word has.
            // A define under `when` is read on its targets only (a struct of some targets
            // has a size there alone); a data model with none of them takes the other's.
            let model = |t: &crate::model::layout::Target| usize::from(t.long_size == 8);
            let on = |i: usize| self.evaluating_on.is_none_or(|m| m & (1 << i) != 0);
            let per_model: [Option<Option<u64>>; 2] = [0, 1].map(|m| {
                let mut it = targets
                    .iter()
                    .zip(&bytes)
                    .enumerate()
                    .filter(|(i, (t, _))| model(t) == m && on(*i))
                    .map(|(_, (_, b))| *b);
                let Some(first) = it.next() else {
                    return Some(None);
                };
                it.all(|b| b == first).then_some(Some(first))
            });
            let (Some(ilp32), Some(lp64)) = (per_model[0], per_model[1]) else {
                let first = (0..bytes.len()).find(|i| on(*i)).unwrap_or(0);
                let t = (0..bytes.len())
                    .find(|i| on(*i) && bytes[*i] != bytes[first])
                    .unwrap_or(first);
                self.error_note(
                    at,
                    format!(
                        "`{}` is {} bytes on {} but {} on {}: a constant has one \
                         value on every ABI, or one per data model (ILP32, LP64)",
                        match &of {
                            Of::Size => format!("sizeof({ty})"),
                            Of::Align => format!("__alignof__({ty})"),
                            Of::Offset(d) => format!("offsetof({ty}, {d})"),
                        },
                        bytes[first],
                        targets[first].triple,
                        bytes[t],
                        targets[t].triple
                    ),
                    "write the size or offset of a type laid out alike on the ABIs of each data \
                     model",
                );
                return (0, Expr::Implicit);
            };
            let (ilp32, lp64) = match (ilp32, lp64) {
                (Some(a), Some(b)) => (a, b),
                (Some(a), None) | (None, Some(a)) => (a, a),
                (None, None) => (bytes[0], bytes[0]),
            };
            found.push((r, [ilp32, lp64]));
        }
        let by_model = !found.iter().all(|(_, b)| b[0] == b[1]);
        let texts: [String; 2] = [0, 1].map(|m| {
            let one: Vec<(std::ops::Range<usize>, u64)> =
                found.iter().map(|(r, b)| (r.clone(), b[m])).collect();
            cexpr::with_sizes(text, &one)
        });
        let text_written = written;
        let text = texts[1].as_str();
        let macros = &self.macros;
        let typedefs = &self.typedefs;
        // A cast may name a `[[typedef]]` above of a scalar (videodev2.h's `v4l2_std_id`) or
        // of a pointer (asm-generic/signal-defs.h's `((__sighandler_t)0)`).
        let fn_typedefs = &self.fn_typedefs;
        let types = |n: &str| match typedefs.get(n) {
            Some((_, FieldType::Scalar(sc), None)) => cexpr::scalar_ctype(*sc),
            Some((_, FieldType::Pointer(_), None)) if !fn_typedefs.contains(n) => {
                Some(CType::Pointer)
            }
            _ => None,
        };
        let parsed = match cexpr::parse_with_types(text, &|n| macros.get(n).cloned(), &types) {
            Ok(p) => p,
            Err(e) => {
                let at = self.in_string(x, e.at);
                self.error(at, e.message);
                return (0, Expr::Implicit);
            }
        };
        // ILP32's own sizes, where they differ: the same expression over them.
        let parsed_ilp32 = if by_model {
            match cexpr::parse_with_types(&texts[0], &|n| macros.get(n).cloned(), &types) {
                Ok(p) => Some(p),
                Err(e) => {
                    let at = self.in_string(x, e.at);
                    self.error(at, e.message);
                    return (0, Expr::Implicit);
                }
            }
        } else {
            None
        };
        let on = |i: usize| {
            let p = match (&parsed_ilp32, i) {
                (Some(p), 0) => p,
                _ => &parsed,
            };
            p.eval(cexpr::MODELS[i], &|n: &str| self.value_of(n, i))
        };
        // A `long` of the ABI's word whose value is the 64-bit one cut to 32 bits on ILP32
        // (`(-1ul)`, `~0UL`): one constant, whose value each ABI gives it.
        let word = |a: &cexpr::CValue, b: &cexpr::CValue| {
            matches!(b.ty, CType::Long | CType::ULong | CType::Pointer)
                && a.ty == b.ty
                && a.value
                    == if a.ty.signed() {
                        i128::from(b.value as i32)
                    } else {
                        i128::from(b.value as u32)
                    }
        };
        // A size of the data model's (`sizeof(struct iw_event)`), in a `long` or `size_t`:
        // each model's value.
        // ... or over a constant that has each model's value (wireless.h's `IW_EV_LCP_LEN +
        // IFNAMSIZ`): each model's value, in a type of 64 bits or of the word.
        // ... or over <asm/bitsperlong.h>'s `__BITS_PER_LONG` (asm-generic/signal.h's
        // `_NSIG_BPW`); in a type of 64 bits, of the word, or an `int` (`_NSIG_WORDS`).
        let word_bits = parsed
            .names
            .iter()
            .any(|(n, _)| cexpr::is_word_bits(n) && !self.constants.contains_key(n));
        let from_model = by_model
            || word_bits
            || parsed.names.iter().any(|(n, _)| {
                self.constants
                    .get(n)
                    .is_some_and(|(.., cv)| cv[0].value != cv[1].value)
            });
        let sized_by_model = |a: &cexpr::CValue, b: &cexpr::CValue| {
            from_model
                && (matches!(
                    b.ty,
                    CType::Long | CType::ULong | CType::LongLong | CType::ULongLong
                ) || matches!(b.ty, CType::Int | CType::UInt))
                && a.ty == b.ty
        };
        // A define under `when` is evaluated in the data models of its targets only (x86's
        // `_BITUL(32)` under `#ifdef __x86_64__`).
        let models = self.evaluating_on.map_or([true, true], |mask| {
            let targets = crate::model::layout::TARGETS;
            [4, 8].map(|long| {
                targets
                    .iter()
                    .enumerate()
                    .any(|(i, t)| mask & (1 << i) != 0 && t.long_size == long)
            })
        });
        let values = match models {
            [false, true] => {
                let b = on(1);
                (b.clone(), b)
            }
            [true, false] => {
                let a = on(0);
                (a.clone(), a)
            }
            _ => (on(0), on(1)),
        };
        // Through <asm/byteorder.h>'s conversions, or over a constant that has a value of its
        // own there: its value on a big-endian target too (s390x, an LP64 one), of the same
        // type (the kernel's conversions cast to their width).
        // The expression again on one more kind of 64-bit target, over the values the names in
        // `own` have there.
        let again = |own: &FxMap<String, CValue>, model: cexpr::Model| {
            parsed.eval(model, &|n: &str| {
                own.get(n).copied().or_else(|| self.value_of(n, 1))
            })
        };
        let big_endian = (parsed.macros.iter().any(|m| cexpr::is_byteorder(m))
            || parsed
                .names
                .iter()
                .any(|(n, _)| self.big_endian_values.contains_key(n)))
        .then(|| again(&self.big_endian_values, cexpr::LP64_BE));
        // Over ioctl numbers (linux/sockios.h's `SIOCGSTAMP`, one of two by the size of the C
        // library's `struct timeval`): its value where they are encoded as powerpc's too.
        let powerpc = parsed
            .names
            .iter()
            .any(|(n, _)| self.powerpc_values.contains_key(n))
            .then(|| again(&self.powerpc_values, cexpr::LP64));
        let big_endian = match (big_endian, &values) {
            // One value per data model and another per byte order: no constant of the
            // kernel's is both, and Rust's would be a value per target.
            (Some(Ok(be)), (Ok(a), Ok(b))) if be.value != b.value && a.value != b.value => {
                self.error(
                    span.clone(),
                    format!(
                        "`{text}` is {} on {}, {} on {} and {} on {}: a constant has one value \
                         per data model or one per byte order, not both",
                        b.value,
                        cexpr::LP64.abis,
                        a.value,
                        cexpr::ILP32.abis,
                        be.value,
                        cexpr::LP64_BE.abis
                    ),
                );
                return (0, Expr::Implicit);
            }
            (Some(Ok(be)), (_, Ok(b))) if be.ty == b.ty => {
                (be.value != b.value).then_some(be.value)
            }
            (Some(Ok(be)), (_, Ok(b))) => {
                self.error(
                    span.clone(),
                    format!(
                        "`{text}` is {} on {} and {} on {}: a constant has one type on every ABI",
                        cexpr::c_name(b.ty),
                        cexpr::LP64.abis,
                        cexpr::c_name(be.ty),
                        cexpr::LP64_BE.abis
                    ),
                );
                return (0, Expr::Implicit);
            }
            (Some(Err(e)), _) => {
                let at = self.in_string(x, e.at);
                self.error(at, e.message);
                return (0, Expr::Implicit);
            }
            _ => None,
        };
        // Only a define's value may differ where ioctl numbers are encoded as powerpc's: not
        // an ioctl's type or number, nor an enum's value.
        if !a_define {
            let mut refused = false;
            for (n, r) in &parsed.names {
                let at = self.in_string(x, r.clone());
                refused |= self.ioctl_number(n, at);
            }
            if refused {
                return (0, Expr::Implicit);
            }
        }
        for (n, r) in &parsed.names {
            if self.ioctls.contains(n) && !self.powerpc_values.contains_key(n) {
                let at = self.in_string(x, r.clone());
                self.error_note(
                    at,
                    format!("`{n}` is an ioctl number whose argument's size differs between ABIs"),
                    "a constant computed from it would have a value per architecture; name it \
                     with `alias`",
                );
                return (0, Expr::Implicit);
            }
        }
        let powerpc = match (powerpc, &values) {
            (Some(Ok(p)), (Ok(a), Ok(b)))
                if p.ty == b.ty
                    && big_endian.is_none()
                    && [a.value, b.value, p.value].iter().all(|v| *v >= 0) =>
            {
                (p.value != b.value).then_some(p.value)
            }
            (Some(Ok(p)), (Ok(a), Ok(b))) if p.ty == b.ty && big_endian.is_none() => {
                self.error(
                    span.clone(),
                    format!(
                        "`{text}` is {} on {}, {} on {} and {} where ioctl numbers are encoded \
                         as powerpc's: a constant over ioctl numbers is never negative",
                        b.value,
                        cexpr::LP64.abis,
                        a.value,
                        cexpr::ILP32.abis,
                        p.value
                    ),
                );
                return (0, Expr::Implicit);
            }
            (Some(Ok(_)), _) if big_endian.is_some() => {
                self.error(
                    span.clone(),
                    format!(
                        "`{text}` has a value of its own on a big-endian ABI and names an ioctl \
                         number, which powerpc encodes differently: no constant of the kernel's \
                         is both"
                    ),
                );
                return (0, Expr::Implicit);
            }
            (Some(Ok(p)), (_, Ok(b))) => {
                self.error(
                    span.clone(),
                    format!(
                        "`{text}` is {} with the generic ioctl encoding and {} with powerpc's: a \
                         constant has one type on every ABI",
                        cexpr::c_name(b.ty),
                        cexpr::c_name(p.ty),
                    ),
                );
                return (0, Expr::Implicit);
            }
            (Some(Err(e)), _) => {
                let at = self.in_string(x, e.at);
                self.error(at, e.message);
                return (0, Expr::Implicit);
            }
            _ => None,
        };
        match values {
            (Ok(a), Ok(b)) if a.value == b.value || word(&a, &b) || sized_by_model(&a, &b) => (
                b.value as i64 as u64,
                Expr::C {
                    text: text_written.to_string(),
                    value: b.value,
                    types: [a.ty, b.ty],
                    macros: sized_macros
                        .iter()
                        .cloned()
                        .chain(parsed.macros.iter().cloned())
                        .collect(),
                    ilp32: (a.value != b.value).then_some(a.value),
                    big_endian,
                    powerpc,
                },
            ),
            (Ok(a), Ok(b)) => {
                self.error_note(
                    span.clone(),
                    format!(
                        "`{text}` is {} on {} but {} on {}: a constant has one value on every ABI",
                        b.value,
                        cexpr::LP64.abis,
                        a.value,
                        cexpr::ILP32.abis
                    ),
                    "make the types wider or unsigned where `long` is involved (`1ULL`, `(__u64)`)",
                );
                (0, Expr::Implicit)
            }
            (Err(e), _) | (_, Err(e)) => {
                let at = self.in_string(x, e.at);
                self.error(at, e.message);
                (0, Expr::Implicit)
            }
        }
    }

    fn declare(&mut self, c: &Constant, enum_member: bool) {
        // Its value on a big-endian target, where that is its own (`Expr::C::big_endian`), or
        // an alias's of such a one.
        let big_endian = match &c.expr {
            Expr::C {
                big_endian: Some(v),
                types,
                ..
            } => Some(CValue {
                value: *v,
                ty: types[1],
            }),
            Expr::Alias(n) => self.big_endian_values.get(n).copied(),
            _ => None,
        };
        if let Some(v) = big_endian {
            self.big_endian_values.insert(c.name.clone(), v);
        }
        // Its value where ioctl numbers are encoded as powerpc's: an ioctl number's (of an
        // argument of one size on every ABI: an expression over it has one value per encoding),
        // an expression's over one, or an alias's of such a one.
        let powerpc = match &c.expr {
            Expr::Io { dir, size, .. } => {
                let bytes = size.as_ref().map_or(&[][..], |s| &s.bytes[..]);
                bytes.windows(2).all(|w| w[0] == w[1]).then(|| CValue {
                    value: i128::from(IocEncoding::Powerpc.encode(
                        *dir,
                        (c.value >> 8) & 0xff,
                        c.value & 0xff,
                        bytes.first().copied().unwrap_or(0),
                    )),
                    ty: self.c_value(c, enum_member)[1].ty,
                })
            }
            Expr::C {
                powerpc: Some(v),
                types,
                ..
            } => Some(CValue {
                value: *v,
                ty: types[1],
            }),
            Expr::Alias(n) => self.powerpc_values.get(n).copied(),
            _ => None,
        };
        if let Some(v) = powerpc {
            self.powerpc_values.insert(c.name.clone(), v);
        }
        // Defined on some targets only: no other constant may use it (its value is not one on
        // every target), and a name may come back where no target has both.
        if let Some(w) = &c.when {
            let mask = targets_mask(&w.on);
            let clash = self
                .conditional
                .get(&c.name)
                .filter(|(m, _)| m & mask != 0)
                .map(|(_, at)| (at.clone(), "on a target both conditions hold on"))
                .or_else(|| {
                    let (_, at, _) = self.constants.get(&c.name)?;
                    Some((at.clone(), "which is on every target"))
                });
            if let Some((first, why)) = clash {
                let (line, _) = self.source.line_col(first.start);
                self.error(
                    c.span.clone(),
                    format!(
                        "constant `{}` is defined twice (first at line {line}, {why})",
                        c.name
                    ),
                );
                return;
            }
            let entry = self
                .conditional
                .entry(c.name.clone())
                .or_insert((0, c.span.clone()));
            entry.0 |= mask;
            let cv = self.c_value(c, enum_member);
            self.conditional_values
                .entry(c.name.clone())
                .or_default()
                .push((mask, cv));
            return;
        }
        if let Some((_, first)) = self.conditional.get(&c.name) {
            let (line, _) = self.source.line_col(first.start);
            self.error(
                c.span.clone(),
                format!(
                    "constant `{}` is defined twice (first at line {line}, under `when`)",
                    c.name
                ),
            );
            return;
        }
        let cv = self.c_value(c, enum_member);
        // A sentinel may be defined again from the revision its earlier definition ends at.
        if let Some(&(since, until)) = self.ends.get(&c.name) {
            let overlap = self
                .revisions
                .iter()
                .any(|r| r.has(since, until) && r.has(c.since, RevSet::EMPTY));
            if !until.is_empty() && !overlap {
                self.constants
                    .insert(c.name.clone(), (c.value, c.span.clone(), cv));
                return;
            }
        }
        if let Some((_, first, _)) = self.constants.get(&c.name) {
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
        if self.strings.contains_key(&c.name)
            || self.packed_macros.contains_key(&c.name)
            || self.type_aliases.contains_key(&c.name)
        {
            self.error(
                c.span.clone(),
                format!(
                    "constant `{}` is defined twice (a string define, a `packed_by` macro \
                     or a `tag` define above has its name)",
                    c.name
                ),
            );
            return;
        }
        // C has one name space for macros: `#define X 1` after `#define X(a) ...` redefines it.
        if self.macros.contains_key(&c.name) {
            self.error(
                c.span.clone(),
                format!(
                    "constant `{}` is defined twice (a `[[macro]]` above has its name)",
                    c.name
                ),
            );
            return;
        }
        self.constants
            .insert(c.name.clone(), (c.value, c.span.clone(), cv));
    }

    /// The value of a constant defined above, for `or` and `ioctl`, which take it as unsigned.
    fn reference(&mut self, name: &S<String>) -> u64 {
        if self.ioctl_number(name.get_ref(), name.span()) {
            return 0;
        }
        self.reference_as(name, false)
    }

    /// Refuses a computation from ioctl number `name`, if it is one: whether it was.
    fn ioctl_number(&mut self, name: &str, span: Span) -> bool {
        if !self.ioctls.contains(name) {
            if self.powerpc_values.contains_key(name) {
                self.error_note(
                    span,
                    format!(
                        "`{name}` is computed from an ioctl number, which powerpc encodes \
                         differently"
                    ),
                    "it has a value per architecture, which only an `expr` computes with",
                );
                return true;
            }
            return false;
        }
        self.error_note(
            span,
            format!("`{name}` is an ioctl number, which powerpc encodes differently"),
            "a constant computed from it would have a value per architecture; name it with \
             `alias`",
        );
        true
    }

    /// The value of a constant defined above; a negative one only if `negative`, and then as
    /// its 64-bit two's complement (the IR's `Constant::value`).
    fn reference_as(&mut self, name: &S<String>, negative: bool) -> u64 {
        // A define under `when` naming one under `when` on all its targets: that one's value.
        if !self.constants.contains_key(name.get_ref()) {
            let n = name.get_ref();
            if let (Some(a), Some(b)) = (self.value_of(n, 0), self.value_of(n, 1)) {
                if a.value == b.value && (b.value >= 0 || negative) {
                    return b.value as u64;
                }
            }
        }
        match self.constants.get(name.get_ref()) {
            Some((.., cv)) if cv[1].ty == CType::Pointer => {
                self.error(
                    name.span(),
                    format!(
                        "`{}` is a pointer's value (a cast to a typedef of a pointer): no \
                         other define names it",
                        name.get_ref()
                    ),
                );
                0
            }
            Some((.., cv)) if cv[0].value != cv[1].value => {
                self.error_note(
                    name.span(),
                    format!(
                        "`{}` has a value per ABI (a `long` of the ABI's word)",
                        name.get_ref()
                    ),
                    "use it in an `expr`, which gives each ABI its value",
                );
                0
            }
            Some((_, _, cv)) if cv[1].value < 0 && !negative => {
                let v = cv[1].value;
                self.error_note(
                    name.span(),
                    format!("`{}` is negative ({v})", name.get_ref()),
                    "use it in an `expr`, which converts it as C does",
                );
                0
            }
            Some((v, ..)) => *v,
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

/// Why a condition on a field of type `t` has the same outcome whatever the field holds (a
/// value the type cannot hold, `< 0` or `>= 0`), if it does. A signed field is read
/// sign-extended and compared as a `__u64`: its values are `0..=max` and, for the negative
/// ones, `2^64 - 2^(bits-1)..=U64_MAX`, so `below = 2147483648` on a `__s32` says "not
/// negative" and `at_least = 2147483648` "negative".
fn constant_outcome(t: Scalar, pred: &Pred) -> Option<String> {
    let bits = 8 * t.size() as u32;
    let signed = t.is_signed();
    let max = if signed {
        (1u64 << (bits - 1)) - 1
    } else {
        u64::MAX >> (64 - bits)
    };
    // The least negative value as read (INT_MIN sign-extended); past the end for unsigned.
    let negative_from = if signed {
        0u64.wrapping_sub(1u64 << (bits - 1))
    } else {
        u64::MAX
    };
    let holds = |v: u64| v <= max || (signed && v >= negative_from);
    let ty = t.c_name();
    let beyond = |v: &ValueRef| format!("{} is more than a {ty} holds ({max})", v.text());
    match pred {
        Pred::Equals(v) if !holds(v.value) => Some(format!("always false: {}", beyond(v))),
        Pred::NotEquals(v) if !holds(v.value) => Some(format!("always true: {}", beyond(v))),
        // Every value of an unsigned field is below a value past its max; a signed field's
        // negative values are not.
        Pred::Below(v) if !signed && v.value > max => Some(format!("always true: {}", beyond(v))),
        Pred::AtLeast(v) if !signed && v.value > max => {
            Some(format!("always false: {}", beyond(v)))
        }
        Pred::Below(v) if v.value == 0 => Some(format!(
            "always false: a {ty} is never below 0{}",
            if signed {
                " (a negative value is read sign-extended)"
            } else {
                ""
            }
        )),
        Pred::AtLeast(v) if v.value == 0 => Some(format!(
            "always true: a {ty} is always at least 0{}",
            if signed {
                " (a negative value is read sign-extended)"
            } else {
                ""
            }
        )),
        Pred::Has(v) | Pred::Lacks(v) if !signed && v.value & !max != 0 => Some(format!(
            "meaningless: {} has bits a {ty} does not have",
            v.text()
        )),
        _ => None,
    }
}

/// The member `name` of an anonymous union or struct in `container` (or of one nested in
/// it), with the segments that reach it: one per anonymous aggregate, then the member's.
/// `in_union` says whether `container`'s own members are union members.
fn anonymous_member<'a>(
    container: &'a [Field],
    name: &str,
    in_union: bool,
) -> Option<(Vec<Segment>, &'a Field)> {
    container.iter().enumerate().find_map(|(i, f)| {
        let (None, FieldType::Inline(kind, ms)) = (&f.name, &f.ty) else {
            return None;
        };
        let inner_union = *kind == Aggregate::Union;
        let anon = Segment {
            c_name: None,
            rust_name: f.rust_name.clone(),
            in_union,
            index: i,
        };
        let (mut chain, m) = match ms.iter().position(|m| m.name.as_deref() == Some(name)) {
            Some(j) => (
                vec![Segment {
                    c_name: Some(name.to_string()),
                    rust_name: ms[j].rust_name.clone(),
                    in_union: inner_union,
                    index: j,
                }],
                &ms[j],
            ),
            None => anonymous_member(ms, name, inner_union)?,
        };
        chain.insert(0, anon);
        Some((chain, m))
    })
}

/// The spans of the `const` members of `fields`, inline aggregates' included.
fn collect_const(fields: &[Field], out: &mut Vec<Span>) {
    for f in fields {
        if f.qualifiers.konst {
            out.push(f.span.clone());
        }
        if let FieldType::Inline(_, ms) = &f.ty {
            collect_const(ms, out);
        }
    }
}

/// The flexible array member `st` ends in: its own, one in the union that ends it, or that
/// of the struct its last member is (GNU C's embedding, `flexible_placement`).
pub(crate) fn flexible_tail<'a>(family: &'a Family, st: &'a Struct) -> Option<&'a Field> {
    st.fields.iter().find(|m| m.flexible.is_some()).or_else(|| {
        match st.fields.last().map(|m| (&m.ty, m.len)) {
            Some((FieldType::Inline(Aggregate::Union, ms), _)) => {
                ms.iter().find(|m| m.flexible.is_some()).or_else(|| {
                    ms.iter().find_map(|m| match (&m.ty, m.len) {
                        (FieldType::Struct(j), None) => flexible_tail(family, family.struct_(*j)),
                        // An inline struct ending in one (linux/in.h's `group_filter`).
                        (FieldType::Inline(Aggregate::Struct, inner), None) => {
                            inner.last().filter(|x| x.flexible.is_some())
                        }
                        _ => None,
                    })
                })
            }
            Some((FieldType::Inline(Aggregate::Struct, inner), None)) => {
                inner.last().filter(|x| x.flexible.is_some())
            }
            Some((FieldType::Struct(j), None)) if !std::ptr::eq(family.struct_(*j), st) => {
                flexible_tail(family, family.struct_(*j))
            }
            _ => None,
        }
    })
}

/// A constant the header writes inside a struct has its struct's condition, none of its own.
const INSIDE_COMPAT: &str = "`libc_compat` on a constant written `inside` a struct: it is \
    written under its struct's condition; give the struct one, or move the constant out";

/// Why `text` is not a `libc_compat` condition: a preprocessor expression over
/// `__UAPI_DEF_*` names and decimal integers, balanced, with an operand between operators.
fn libc_compat_condition(text: &str) -> Result<(), String> {
    let mut depth = 0usize;
    // Whether the last token ends an operand (a name, an integer or `)`).
    let mut operand = false;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err("is empty".to_string());
    }
    while !rest.is_empty() {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let (token, ends_operand) = if !word.is_empty() {
            if operand {
                return Err(format!("has `{word}` where an operator belongs"));
            }
            let number = word.chars().all(|c| c.is_ascii_digit());
            if !number && !(word.starts_with("__UAPI_DEF_") && word.len() > "__UAPI_DEF_".len()) {
                return Err(format!(
                    "names `{word}`, not a `__UAPI_DEF_*` macro of <linux/libc-compat.h>"
                ));
            }
            (word.len(), true)
        } else if let Some(op) = ["&&", "||", "==", "!="]
            .iter()
            .find(|o| rest.starts_with(**o))
        {
            if !operand {
                return Err(format!("has `{op}` without an operand before it"));
            }
            (op.len(), false)
        } else {
            match rest.chars().next() {
                Some('!') if !operand => (1, false),
                Some('(') if !operand => {
                    depth += 1;
                    (1, false)
                }
                Some(')') if operand && depth > 0 => {
                    depth -= 1;
                    (1, true)
                }
                Some(c) if c.is_whitespace() => {
                    rest = rest.trim_start();
                    continue;
                }
                Some(c) => return Err(format!("has `{c}` where it cannot stand")),
                None => unreachable!("rest is not empty"),
            }
        };
        operand = ends_operand;
        rest = &rest[token..];
    }
    if !operand || depth != 0 {
        return Err("is incomplete (an operator or `(` without its operand)".to_string());
    }
    Ok(())
}

/// A member's `byte_order`, for its run (`Resolver::byte_order_runs`): `""` for `true`.
fn byte_order_label(f: &RawField) -> Option<S<String>> {
    let b = f.byte_order.as_ref()?;
    let text = match b.get_ref() {
        RawByteOrder::Bool(true) => String::new(),
        RawByteOrder::Bool(false) => return None,
        RawByteOrder::Label(l) => l.clone(),
    };
    Some(S::new(b.span(), text))
}

/// What a member `declared_by` a macro says of itself besides: the declaration its expansion
/// must be, and the first key no such declaration has.
struct DeclaredAs<'a> {
    ty: &'a Option<S<String>>,
    len: &'a Option<S<RawLen>>,
    flexible: &'a Option<S<RawFlexible>>,
    other: Option<&'static str>,
}

/// `T` of `__alignof__(T)`, as the kernel's headers write an alignment per target.
fn alignof_operand(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("__alignof__")?.trim_start();
    Some(inner.strip_prefix('(')?.strip_suffix(')')?.trim())
}
