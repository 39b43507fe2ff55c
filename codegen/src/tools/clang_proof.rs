//! The layout proof: libclang (loaded at run time through clang-sys, so building uapigen does
//! not need it) parses the emitted uAPI headers for every target triple, and every struct's
//! size and alignment and every member's offset and size (union members included) must equal
//! the IR's layout for that target.
//!
//! The headers are parsed with `-nostdinc` against uapigen's own `<linux/types.h>`, which
//! defines the types as the kernel's `include/uapi/asm-generic/int-ll64.h` and
//! `include/uapi/linux/types.h` do (`__u64` is `unsigned long long`; `__aligned_u64` is
//! `__u64 __attribute__((aligned(8)))`): the host's headers are for the host's ABI only.

use std::collections::BTreeMap;
use std::ffi::{c_void, CString};
use std::os::raw::{c_int, c_ulong};
use std::path::Path;

use clang_sys::*;

use crate::diag::{Diagnostic, Error, Source};
use crate::layout::{Target, TARGETS};
use crate::Checked;

/// A `<linux/types.h>` for libclang on any target: the uAPI integer types, no system headers;
/// `__bitwise` empty, as the kernel's is for user space (so `typedef __u32 __bitwise x;`
/// parses and a member of such a type is refused as a typedef, at the member).
pub const TYPES_H: &str = "#ifndef _LINUX_TYPES_H\n#define _LINUX_TYPES_H\n\
typedef unsigned char __u8;\ntypedef signed char __s8;\n\
typedef unsigned short __u16;\ntypedef signed short __s16;\n\
typedef unsigned int __u32;\ntypedef signed int __s32;\n\
typedef unsigned long long __u64;\ntypedef signed long long __s64;\n\
#define __aligned_u64 __u64 __attribute__((aligned(8)))\n\
#define __bitwise\n#define __bitwise__\n#endif\n";

/// A `<linux/ioctl.h>` with `_IO()`, for the same reason.
pub const IOCTL_H: &str = "#ifndef _LINUX_IOCTL_H\n#define _LINUX_IOCTL_H\n\
#define _IO(type, nr) (((type) << 8) | (nr))\n#endif\n";

/// What libclang says of one struct on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// `sizeof`.
    pub size: u64,
    /// `alignof`.
    pub align: u64,
    /// Member path (anonymous unions add no component) → (offset, size).
    pub members: BTreeMap<String, (u64, u64)>,
}

/// One difference between libclang and the IR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The target triple.
    pub target: &'static str,
    /// The family.
    pub family: String,
    /// The struct.
    pub struct_name: String,
    /// What differs.
    pub what: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: struct {} ({}): {}",
            self.target, self.struct_name, self.family, self.what
        )
    }
}

/// A private folder of its own under the system's temporary folder (`TMPDIR`), removed with
/// everything in it when dropped: on success, on every early return, and while a panic
/// unwinds. Created with a fresh name and mode 0700, never reused: a folder someone else
/// created (or a symlink planted) under a predictable name would let them swap the files a
/// tool compiles or parses.
#[derive(Debug)]
pub struct ScratchDir {
    path: std::path::PathBuf,
}

impl ScratchDir {
    /// `TMPDIR/<prefix>-<pid>-<n>-<nonce>`.
    pub fn new(prefix: &str) -> Result<ScratchDir, Error> {
        ScratchDir::new_in(&std::env::temp_dir(), prefix)
    }

    /// `<root>/<prefix>-<pid>-<n>-<nonce>`.
    pub fn new_in(root: &Path, prefix: &str) -> Result<ScratchDir, Error> {
        static USES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let mut last = None;
        for _ in 0..64 {
            let n = USES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let nonce = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = root.join(format!("{prefix}-{}-{n}-{nonce:x}", std::process::id()));
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            match builder.create(&path) {
                Ok(()) => return Ok(ScratchDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => {
                    return Err(Error::Io {
                        path: path.display().to_string(),
                        message: e.to_string(),
                    })
                }
            }
        }
        Err(Error::Io {
            path: root.display().to_string(),
            message: format!(
                "cannot create a fresh `{prefix}-*` folder: {}",
                last.map_or_else(String::new, |e| e.to_string())
            ),
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A folder with uapigen's `linux/types.h` and `linux/ioctl.h`, unique per use (parallel
/// proofs and imports must not share or remove it), removed when dropped.
pub(crate) struct KernelTypes {
    pub dir: std::path::PathBuf,
    _scratch: ScratchDir,
}

impl KernelTypes {
    pub(crate) fn new() -> Result<KernelTypes, Error> {
        let scratch = ScratchDir::new("uapigen-kernel-types")?;
        let dir = scratch.path().to_path_buf();
        let linux = dir.join("linux");
        let io = |e: std::io::Error| Error::Io {
            path: linux.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir(&linux).map_err(io)?;
        std::fs::write(linux.join("types.h"), TYPES_H).map_err(io)?;
        std::fs::write(linux.join("ioctl.h"), IOCTL_H).map_err(io)?;
        Ok(KernelTypes {
            dir,
            _scratch: scratch,
        })
    }
}

/// The error diagnostics of a translation unit, each where libclang puts it (the file it is
/// in, expanded out of macros, as clang prints it): `file:line:col`, the line and a caret,
/// `what` before libclang's message. Every error, not the first few: parse with
/// `-ferror-limit=0`.
///
/// # Safety
/// `tu` is a live translation unit.
pub(crate) unsafe fn located_errors(tu: CXTranslationUnit, what: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // The text of each file a diagnostic is in, as libclang read it (unsaved files too).
    let mut texts: BTreeMap<String, Source> = BTreeMap::new();
    unsafe {
        for i in 0..clang_getNumDiagnostics(tu) {
            let d = clang_getDiagnostic(tu, i);
            if clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error {
                let message = format!("{what}{}", cx_string(clang_getDiagnosticSpelling(d)));
                let mut file: CXFile = std::ptr::null_mut();
                let mut offset = 0u32;
                clang_getExpansionLocation(
                    clang_getDiagnosticLocation(d),
                    &mut file,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    &mut offset,
                );
                let name = if file.is_null() {
                    String::new()
                } else {
                    cx_string(clang_getFileName(file))
                };
                if name.is_empty() {
                    // No place in any file (a bad command line): the formatted text is all.
                    out.push(Diagnostic {
                        path: "<libclang>".into(),
                        line: 1,
                        col: 1,
                        message,
                        snippet: String::new(),
                        caret_len: 1,
                        notes: Vec::new(),
                    });
                } else {
                    let source = texts.entry(name.clone()).or_insert_with(|| {
                        let mut size: usize = 0;
                        let ptr = clang_getFileContents(tu, file, &mut size);
                        let text = if ptr.is_null() {
                            String::new()
                        } else {
                            String::from_utf8_lossy(std::slice::from_raw_parts(
                                ptr as *const u8,
                                size,
                            ))
                            .into_owned()
                        };
                        Source::new(name.clone(), text)
                    });
                    let at = offset as usize;
                    out.push(Diagnostic::at(source, at..at + 1, message));
                }
            }
            clang_disposeDiagnostic(d);
        }
    }
    out
}

/// Loads libclang once; a clear message says what to install when it is missing.
pub fn load() -> Result<(), Error> {
    if clang_sys::is_loaded() {
        return Ok(());
    }
    clang_sys::load().map_err(|e| {
        Error::Usage(format!(
            "cannot load libclang for the layout proof ({e}): install Debian's libclang1-14 \
             (scripts/setup does), or point LIBCLANG_PATH at the folder holding libclang.so"
        ))
    })
}

fn cstring(s: &str) -> CString {
    CString::new(s).unwrap_or_default()
}

pub(crate) unsafe fn cx_string(s: CXString) -> String {
    // libclang returns a NULL C string for "nothing" (a cursor without a comment).
    let ptr = unsafe { clang_getCString(s) };
    let t = if ptr.is_null() {
        String::new()
    } else {
        unsafe { std::ffi::CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned()
    };
    unsafe { clang_disposeString(s) };
    t
}

struct Fields {
    prefix: String,
    base: u64,
    out: BTreeMap<String, (u64, u64)>,
}

extern "C" fn visit_field(cursor: CXCursor, data: CXClientData) -> CXVisitorResult {
    // SAFETY: `data` is the `Fields` that `fields_of` passed to clang_Type_visitFields.
    let fields = unsafe { &mut *(data as *mut Fields) };
    unsafe {
        let name = cx_string(clang_getCursorSpelling(cursor));
        let anonymous = name.is_empty() || name.contains("(anonymous");
        let ty = clang_getCanonicalType(clang_getCursorType(cursor));
        let offset = fields.base + (clang_Cursor_getOffsetOfField(cursor).max(0) as u64) / 8;
        let size = clang_Type_getSizeOf(ty).max(0) as u64;
        let path = match (anonymous, fields.prefix.is_empty()) {
            (true, _) => fields.prefix.clone(),
            (false, true) => name,
            (false, false) => format!("{}.{name}", fields.prefix),
        };
        if !anonymous {
            fields.out.insert(path.clone(), (offset, size));
        }
        // Union members are members of the struct (as in the IR); a nested struct's are its own.
        let decl = clang_getTypeDeclaration(ty);
        if ty.kind == CXType_Record && clang_getCursorKind(decl) == CXCursor_UnionDecl {
            let mut inner = Fields {
                prefix: path,
                base: offset,
                out: BTreeMap::new(),
            };
            clang_Type_visitFields(ty, visit_field, &mut inner as *mut Fields as *mut c_void);
            fields.out.extend(inner.out);
        }
    }
    CXVisit_Continue
}

extern "C" fn visit_top(
    cursor: CXCursor,
    _parent: CXCursor,
    data: CXClientData,
) -> CXChildVisitResult {
    // SAFETY: `data` is the map `measure` passed to clang_visitChildren.
    let found = unsafe { &mut *(data as *mut BTreeMap<String, CXType>) };
    unsafe {
        if clang_getCursorKind(cursor) == CXCursor_StructDecl
            && clang_isCursorDefinition(cursor) != 0
        {
            let name = cx_string(clang_getCursorSpelling(cursor));
            found.insert(name, clang_getCursorType(cursor));
        }
    }
    CXChildVisit_Continue
}

/// Parses `source` for `target` and measures every struct it defines.
pub fn measure(
    source: &str,
    include: &[&Path],
    target: &Target,
) -> Result<BTreeMap<String, Measured>, Error> {
    load()?;
    let file = cstring("uapigen_layout_proof.c");
    let mut args: Vec<CString> = ["-x", "c", "-std=c11", "-nostdinc", "-ferror-limit=0"]
        .iter()
        .map(|a| cstring(a))
        .collect();
    args.push(cstring(&format!("--target={}", target.triple)));
    for dir in include {
        args.push(cstring("-I"));
        args.push(cstring(&dir.display().to_string()));
    }
    let argv: Vec<*const std::os::raw::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    let contents = cstring(source);
    let mut unsaved = CXUnsavedFile {
        Filename: file.as_ptr(),
        Contents: contents.as_ptr(),
        Length: source.len() as c_ulong,
    };
    let mut measured = BTreeMap::new();
    // SAFETY: every pointer handed to libclang lives until the translation unit is disposed.
    unsafe {
        let index = clang_createIndex(0, 0);
        let tu = clang_parseTranslationUnit(
            index,
            file.as_ptr(),
            argv.as_ptr(),
            argv.len() as c_int,
            &mut unsaved,
            1,
            CXTranslationUnit_None,
        );
        if tu.is_null() {
            clang_disposeIndex(index);
            return Err(Error::Usage(format!(
                "libclang could not parse the headers for {}",
                target.triple
            )));
        }
        let errors = located_errors(tu, &format!("on {}: ", target.triple));
        if errors.is_empty() {
            let mut found: BTreeMap<String, CXType> = BTreeMap::new();
            clang_visitChildren(
                clang_getTranslationUnitCursor(tu),
                visit_top,
                &mut found as *mut _ as *mut c_void,
            );
            for (name, ty) in found {
                let mut fields = Fields {
                    prefix: String::new(),
                    base: 0,
                    out: BTreeMap::new(),
                };
                clang_Type_visitFields(ty, visit_field, &mut fields as *mut Fields as *mut c_void);
                measured.insert(
                    name,
                    Measured {
                        size: clang_Type_getSizeOf(ty).max(0) as u64,
                        align: clang_Type_getAlignOf(ty).max(0) as u64,
                        members: fields.out,
                    },
                );
            }
        }
        clang_disposeTranslationUnit(tu);
        clang_disposeIndex(index);
        if !errors.is_empty() {
            return Err(Error::Schema(errors));
        }
    }
    Ok(measured)
}

/// Proves the headers under `include` (which holds `uapi/linux/*.h`) against the IR of every
/// family, on every target. Returns every difference; none means proved.
pub fn prove(families: &[Checked], include: &Path) -> Result<Vec<Mismatch>, Error> {
    let types = KernelTypes::new()?;
    let stub = types.dir.clone();
    let source: String = families
        .iter()
        .map(|c| format!("#include <{}>\n", c.family.header))
        .collect();
    let uapi = include.join("uapi");
    let mut out = Vec::new();
    let result = (|| {
        for target in TARGETS {
            let measured = measure(&source, &[&stub, &uapi], target)?;
            for c in families {
                let fl = c
                    .layouts
                    .iter()
                    .find(|l| l.target.triple == target.triple)
                    .expect("a layout per target");
                for (si, st) in c.family.structs.iter().enumerate() {
                    let mismatch = |what: String| Mismatch {
                        target: target.triple,
                        family: c.family.name.clone(),
                        struct_name: st.name.clone(),
                        what,
                    };
                    let Some(m) = measured.get(&st.name) else {
                        out.push(mismatch("not found in the header".into()));
                        continue;
                    };
                    out.extend(compare(m, &fl.structs[si]).into_iter().map(mismatch));
                }
            }
        }
        Ok(())
    })();
    result.map(|()| out)
}

/// Every difference between libclang's measure of a struct and the IR's layout of it.
pub(crate) fn compare(m: &Measured, ir: &crate::layout::StructLayout) -> Vec<String> {
    let mut out = Vec::new();
    if (m.size, m.align) != (ir.size, ir.align) {
        out.push(format!(
            "sizeof/alignof {}/{} by libclang, {}/{} in the IR",
            m.size, m.align, ir.size, ir.align
        ));
    }
    for member in ir
        .members
        .iter()
        .filter(|x| !x.path.contains("(anonymous union)"))
    {
        match m.members.get(&member.path) {
            Some(&(o, s)) if (o, s) == (member.offset, member.size) => {}
            Some(&(o, s)) => out.push(format!(
                "`{}` at offset {o} size {s} by libclang, offset {} size {} in the IR",
                member.path, member.offset, member.size
            )),
            None => out.push(format!("`{}` is not in the header", member.path)),
        }
    }
    out
}

extern "C" fn visit_values(
    cursor: CXCursor,
    _parent: CXCursor,
    data: CXClientData,
) -> CXChildVisitResult {
    // SAFETY: `data` is the map `evaluate` passed to clang_visitChildren.
    let found = unsafe { &mut *(data as *mut BTreeMap<usize, Option<u64>>) };
    unsafe {
        if clang_getCursorKind(cursor) == CXCursor_VarDecl {
            let name = cx_string(clang_getCursorSpelling(cursor));
            if let Some(i) = name
                .strip_prefix("uapigen_value_")
                .and_then(|i| i.parse::<usize>().ok())
            {
                let r = clang_Cursor_Evaluate(cursor);
                let v = (!r.is_null() && clang_EvalResult_getKind(r) == CXEval_Int)
                    .then(|| clang_EvalResult_getAsUnsigned(r) as u64);
                if !r.is_null() {
                    clang_EvalResult_dispose(r);
                }
                found.insert(i, v);
            }
        }
    }
    CXChildVisit_Continue
}

/// The value C gives each of `names` after `source` (x86-64), as `unsigned long long`: a
/// negative value comes back as its two's complement, `None` when it is not an integer
/// constant expression.
pub fn evaluate(
    source: &str,
    include: &[&Path],
    names: &[String],
) -> Result<BTreeMap<String, Option<u64>>, Error> {
    evaluate_on(source, include, names, crate::layout::DEFAULT_TARGET)
}

/// Like `evaluate`, on `target`: a header may give a constant another value, or none, on
/// another ABI.
pub fn evaluate_on(
    source: &str,
    include: &[&Path],
    names: &[String],
    target: &Target,
) -> Result<BTreeMap<String, Option<u64>>, Error> {
    load()?;
    let mut text = source.to_string();
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "static const unsigned long long uapigen_value_{i} = (unsigned long long)({n});\n"
        ));
    }
    let file = cstring("uapigen_values.c");
    let mut args: Vec<CString> = ["-x", "c", "-std=c11", "-nostdinc"]
        .iter()
        .map(|a| cstring(a))
        .collect();
    args.push(cstring(&format!("--target={}", target.triple)));
    for dir in include {
        args.push(cstring("-I"));
        args.push(cstring(&dir.display().to_string()));
    }
    let argv: Vec<*const std::os::raw::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    let contents = cstring(&text);
    let mut unsaved = CXUnsavedFile {
        Filename: file.as_ptr(),
        Contents: contents.as_ptr(),
        Length: text.len() as c_ulong,
    };
    let mut found: BTreeMap<usize, Option<u64>> = BTreeMap::new();
    // SAFETY: every pointer handed to libclang lives until the translation unit is disposed.
    unsafe {
        let index = clang_createIndex(0, 0);
        let tu = clang_parseTranslationUnit(
            index,
            file.as_ptr(),
            argv.as_ptr(),
            argv.len() as c_int,
            &mut unsaved,
            1,
            CXTranslationUnit_None,
        );
        if !tu.is_null() {
            clang_visitChildren(
                clang_getTranslationUnitCursor(tu),
                visit_values,
                &mut found as *mut _ as *mut c_void,
            );
            clang_disposeTranslationUnit(tu);
        }
        clang_disposeIndex(index);
    }
    Ok(names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), found.get(&i).copied().flatten()))
        .collect())
}
