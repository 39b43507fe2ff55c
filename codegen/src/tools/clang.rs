//! The one place uapigen calls libclang: every `unsafe` of it is here, behind types that
//! carry libclang's rules. A translation unit owns its index and disposes both when dropped;
//! a cursor, type, file or location borrows the translation unit it came from, so none
//! outlives it; every string libclang returns is copied and disposed at once; a visitor is a
//! closure, and a panic in it unwinds to the caller instead of across libclang's frames.
//!
//! libclang is loaded at run time (clang-sys's `runtime`, so building uapigen does not need
//! it) and per thread: nothing here is `Send`, and no translation unit exists before
//! [`load`] succeeded on its thread.

// libclang's constants keep their C names, patterns included.
#![allow(non_upper_case_globals)]

use std::any::Any;
use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::marker::PhantomData;
use std::os::raw::{c_char, c_int, c_ulong};
use std::panic::{self, AssertUnwindSafe};

use clang_sys::*;

use crate::diag::{Diagnostic, Error, Source};

/// Loads libclang once per thread; a clear message says what to install when it is missing.
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

/// Copies a string libclang returned and disposes it. libclang's NULL (a cursor without a
/// comment) is the empty string.
///
/// # Safety
/// `s` comes straight from libclang and is not used again.
unsafe fn string(s: CXString) -> String {
    unsafe {
        let ptr = clang_getCString(s);
        let t = if ptr.is_null() {
            String::new()
        } else {
            CStr::from_ptr(ptr).to_string_lossy().into_owned()
        };
        clang_disposeString(s);
        t
    }
}

/// A libclang index, the context of one translation unit. Made only after [`load`].
struct Index(CXIndex);

impl Drop for Index {
    fn drop(&mut self) {
        // SAFETY: made by clang_createIndex; its translation unit is disposed already.
        unsafe { clang_disposeIndex(self.0) }
    }
}

/// What a parse keeps besides the declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Declarations only.
    Declarations,
    /// Also `#define`s, `#include`s and macro uses as cursors, and the skipped `#if` branches
    /// (libclang's detailed preprocessing record).
    Preprocessor,
}

/// A parsed file, with everything it includes.
pub struct TranslationUnit {
    raw: CXTranslationUnit,
    // Dropped after `raw` is disposed (`drop` runs before the fields are dropped).
    _index: Index,
}

impl Drop for TranslationUnit {
    fn drop(&mut self) {
        // SAFETY: made by clang_parseTranslationUnit, never null, disposed only here.
        unsafe { clang_disposeTranslationUnit(self.raw) }
    }
}

impl TranslationUnit {
    /// Parses `file` with the command line `args`; `contents` is its text when it is not on
    /// disk. `Ok(None)` when libclang made no translation unit at all; an `Error` when
    /// libclang cannot be loaded, or a NUL byte keeps the name or an argument from C.
    pub fn parse(
        file: &str,
        contents: Option<&str>,
        args: &[String],
        detail: Detail,
    ) -> Result<Option<TranslationUnit>, Error> {
        load()?;
        let path = CString::new(file)
            .map_err(|_| Error::Usage(format!("{file}: a path with a NUL byte")))?;
        let args = args
            .iter()
            .map(|a| {
                CString::new(a.as_str()).map_err(|_| {
                    Error::Usage(format!("{a:?}: a libclang argument with a NUL byte"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        // An unsaved file has a length: no terminating NUL needed, none of its bytes is cut.
        let mut unsaved: Vec<CXUnsavedFile> = contents
            .map(|text| CXUnsavedFile {
                Filename: path.as_ptr(),
                Contents: text.as_ptr().cast(),
                Length: text.len() as c_ulong,
            })
            .into_iter()
            .collect();
        let options = match detail {
            Detail::Declarations => CXTranslationUnit_None,
            Detail::Preprocessor => CXTranslationUnit_DetailedPreprocessingRecord,
        };
        // SAFETY: libclang is loaded on this thread; the name, the command line and the
        // unsaved text live until the call returns, and libclang copies them.
        let (index, raw) = unsafe {
            let index = Index(clang_createIndex(0, 0));
            let raw = clang_parseTranslationUnit(
                index.0,
                path.as_ptr(),
                argv.as_ptr(),
                argv.len() as c_int,
                if unsaved.is_empty() {
                    std::ptr::null_mut()
                } else {
                    unsaved.as_mut_ptr()
                },
                unsaved.len() as u32,
                options,
            );
            (index, raw)
        };
        Ok((!raw.is_null()).then_some(TranslationUnit { raw, _index: index }))
    }

    /// The translation unit itself, whose children are the file-scope declarations.
    pub fn cursor(&self) -> Cursor<'_> {
        // SAFETY: `self.raw` is live.
        let raw = unsafe { clang_getTranslationUnitCursor(self.raw) };
        Cursor { raw, tu: self }
    }

    /// The file of that name the translation unit read.
    pub fn file(&self, name: &str) -> Option<File<'_>> {
        let name = CString::new(name).ok()?;
        // SAFETY: `self.raw` is live, `name` a C string.
        File::new(unsafe { clang_getFile(self.raw, name.as_ptr()) })
    }

    /// The error diagnostics, each where libclang puts it (the file it is in, expanded out of
    /// macros, as clang prints it): `file:line:col`, the line and a caret, `what` before
    /// libclang's message. Every error, not the first few: parse with `-ferror-limit=0`.
    pub fn errors(&self, what: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // The text of each file a diagnostic is in, as libclang read it (unsaved files too).
        let mut texts: BTreeMap<String, Source> = BTreeMap::new();
        // SAFETY: `self.raw` is live.
        let n = unsafe { clang_getNumDiagnostics(self.raw) };
        for i in 0..n {
            // SAFETY: `i` is below the count; the diagnostic is read, then disposed.
            let error = unsafe {
                let d = clang_getDiagnostic(self.raw, i);
                let error = (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error).then(|| {
                    let message = format!("{what}{}", string(clang_getDiagnosticSpelling(d)));
                    let place = Location::new(clang_getDiagnosticLocation(d)).expansion();
                    (message, place)
                });
                clang_disposeDiagnostic(d);
                error
            };
            let Some((message, place)) = error else {
                continue;
            };
            let name = place.file.map_or_else(String::new, |f| f.name());
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
                    let text = place.file.map_or_else(String::new, |f| self.contents(f));
                    Source::new(name.clone(), text)
                });
                let at = place.offset as usize;
                out.push(Diagnostic::at(source, at..at + 1, message));
            }
        }
        out
    }

    /// The text of `file` as libclang read it.
    fn contents(&self, file: File<'_>) -> String {
        let mut size: usize = 0;
        // SAFETY: `file` is one of this translation unit's; libclang owns the buffer, which
        // lives as long as the translation unit, and is copied here.
        unsafe {
            let ptr = clang_getFileContents(self.raw, file.raw, &mut size);
            if ptr.is_null() {
                String::new()
            } else {
                String::from_utf8_lossy(std::slice::from_raw_parts(ptr.cast::<u8>(), size))
                    .into_owned()
            }
        }
    }

    /// The ranges of `file` the preprocessor skipped: inactive `#if` branches (parsed with
    /// [`Detail::Preprocessor`]).
    pub fn skipped_ranges(&self, file: File<'_>) -> Vec<Range<'_>> {
        let mut out = Vec::new();
        // SAFETY: `file` is one of this translation unit's; the list is copied, then disposed.
        unsafe {
            let list = clang_getSkippedRanges(self.raw, file.raw);
            if list.is_null() {
                return out;
            }
            for i in 0..(*list).count as usize {
                out.push(Range {
                    raw: *(*list).ranges.add(i),
                    _tu: PhantomData,
                });
            }
            clang_disposeSourceRangeList(list);
        }
        out
    }

    /// The bytes `start..end` of `file`.
    pub fn range(&self, file: File<'_>, start: u32, end: u32) -> Range<'_> {
        // SAFETY: `file` is one of this translation unit's.
        let raw = unsafe {
            clang_getRange(
                clang_getLocationForOffset(self.raw, file.raw, start),
                clang_getLocationForOffset(self.raw, file.raw, end),
            )
        };
        Range {
            raw,
            _tu: PhantomData,
        }
    }

    /// The tokens of `range`, as written (macros not expanded).
    pub fn tokens(&self, range: Range<'_>) -> Vec<Token<'_>> {
        let mut tokens: *mut CXToken = std::ptr::null_mut();
        let mut n = 0u32;
        // SAFETY: `range` is of this translation unit; each token is read before the array
        // is disposed.
        unsafe {
            clang_tokenize(self.raw, range.raw, &mut tokens, &mut n);
            if tokens.is_null() {
                return Vec::new();
            }
            // A comment is no token of the code: `-fparse-all-comments` (import's, for the
            // docs) makes clang return them too, as inside i915_drm.h's `#define I915_PMU_LAST
            // /* Deprecated - do not use */ I915_PMU_RC6_RESIDENCY`.
            let out = (0..n as usize)
                .map(|i| *tokens.add(i))
                .filter(|t| clang_getTokenKind(*t) != CXToken_Comment)
                .map(|t| Token {
                    spelling: string(clang_getTokenSpelling(self.raw, t)),
                    location: Location::new(clang_getTokenLocation(self.raw, t)),
                })
                .collect();
            clang_disposeTokens(self.raw, tokens, n);
            out
        }
    }
}

/// A file a translation unit read.
#[derive(Clone, Copy)]
pub struct File<'tu> {
    raw: CXFile,
    _tu: PhantomData<&'tu TranslationUnit>,
}

impl File<'_> {
    fn new(raw: CXFile) -> Option<Self> {
        (!raw.is_null()).then_some(File {
            raw,
            _tu: PhantomData,
        })
    }

    /// Its name, as the translation unit found it.
    pub fn name(&self) -> String {
        // SAFETY: `self.raw` is a live file of a live translation unit.
        unsafe { string(clang_getFileName(self.raw)) }
    }
}

impl PartialEq for File<'_> {
    fn eq(&self, other: &Self) -> bool {
        // SAFETY: both are live files.
        unsafe { clang_File_isEqual(self.raw, other.raw) != 0 }
    }
}

/// A place in a file, as libclang gives it.
#[derive(Clone, Copy)]
pub struct Place<'tu> {
    /// None where the place is in no file (the command line, a builtin).
    pub file: Option<File<'tu>>,
    /// From 1.
    pub line: u32,
    /// From 0, in bytes.
    pub offset: u32,
}

/// A source location of a translation unit.
#[derive(Clone, Copy)]
pub struct Location<'tu> {
    raw: CXSourceLocation,
    _tu: PhantomData<&'tu TranslationUnit>,
}

impl<'tu> Location<'tu> {
    fn new(raw: CXSourceLocation) -> Self {
        Location {
            raw,
            _tu: PhantomData,
        }
    }

    /// Where the text is written (inside a macro's definition, for a use of it).
    pub fn spelling(&self) -> Place<'tu> {
        self.place(false)
    }

    /// Where the text lands after macro expansion (the macro's use).
    pub fn expansion(&self) -> Place<'tu> {
        self.place(true)
    }

    fn place(&self, expanded: bool) -> Place<'tu> {
        let (mut file, mut line, mut offset) = (std::ptr::null_mut(), 0, 0);
        // SAFETY: the location is of a live translation unit; every out-pointer is a local.
        unsafe {
            let get = if expanded {
                clang_getExpansionLocation
            } else {
                clang_getSpellingLocation
            };
            get(
                self.raw,
                &mut file,
                &mut line,
                std::ptr::null_mut(),
                &mut offset,
            )
        };
        Place {
            file: File::new(file),
            line,
            offset,
        }
    }
}

/// A source range of a translation unit.
#[derive(Clone, Copy)]
pub struct Range<'tu> {
    raw: CXSourceRange,
    _tu: PhantomData<&'tu TranslationUnit>,
}

impl<'tu> Range<'tu> {
    pub fn start(&self) -> Location<'tu> {
        // SAFETY: plain data of a live translation unit.
        Location::new(unsafe { clang_getRangeStart(self.raw) })
    }

    pub fn end(&self) -> Location<'tu> {
        // SAFETY: plain data of a live translation unit.
        Location::new(unsafe { clang_getRangeEnd(self.raw) })
    }
}

/// A token as written, and where.
pub struct Token<'tu> {
    pub spelling: String,
    pub location: Location<'tu>,
}

/// The kinds of cursor uapigen tells apart (a declaration, with or without its body); `Other`
/// is any other, which [`Cursor::kind_spelling`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorKind {
    Struct,
    Union,
    Enum,
    EnumConstant,
    Function,
    Var,
    Typedef,
    StaticAssert,
    Inclusion,
    MacroDefinition,
    MacroExpansion,
    Other,
}

/// A declaration, directive or other node of a translation unit.
#[derive(Clone, Copy)]
pub struct Cursor<'tu> {
    raw: CXCursor,
    tu: &'tu TranslationUnit,
}

impl<'tu> Cursor<'tu> {
    fn raw_kind(&self) -> CXCursorKind {
        // SAFETY: a cursor of a live translation unit.
        unsafe { clang_getCursorKind(self.raw) }
    }

    /// What it is.
    pub fn kind(&self) -> CursorKind {
        match self.raw_kind() {
            CXCursor_StructDecl => CursorKind::Struct,
            CXCursor_UnionDecl => CursorKind::Union,
            CXCursor_EnumDecl => CursorKind::Enum,
            CXCursor_EnumConstantDecl => CursorKind::EnumConstant,
            CXCursor_FunctionDecl => CursorKind::Function,
            CXCursor_VarDecl => CursorKind::Var,
            CXCursor_TypedefDecl => CursorKind::Typedef,
            CXCursor_StaticAssert => CursorKind::StaticAssert,
            CXCursor_InclusionDirective => CursorKind::Inclusion,
            CXCursor_MacroDefinition => CursorKind::MacroDefinition,
            CXCursor_MacroExpansion => CursorKind::MacroExpansion,
            _ => CursorKind::Other,
        }
    }

    /// libclang's name for its kind (`attribute(packed)`, `FieldDecl`).
    pub fn kind_spelling(&self) -> String {
        // SAFETY: any kind has a spelling.
        unsafe { string(clang_getCursorKindSpelling(self.raw_kind())) }
    }

    /// Whether it is an attribute (`packed`, `aligned`).
    pub fn is_attribute(&self) -> bool {
        // SAFETY: any kind may be asked.
        unsafe { clang_isAttribute(self.raw_kind()) != 0 }
    }

    /// Its name: empty, or libclang's `(anonymous ...)`/`(unnamed ...)` text, when it has none.
    pub fn spelling(&self) -> String {
        // SAFETY: a cursor of a live translation unit.
        unsafe { string(clang_getCursorSpelling(self.raw)) }
    }

    /// Whether this declaration is the definition (has the body).
    pub fn is_definition(&self) -> bool {
        // SAFETY: a cursor of a live translation unit.
        unsafe { clang_isCursorDefinition(self.raw) != 0 }
    }

    /// Whether this is a definition written inside `member`'s declaration: `struct
    /// fork_proc_event { ... } fork;` (linux/cn_proc.h) defines its struct in member `fork`.
    pub fn is_defined_in(&self, member: &Cursor<'tu>) -> bool {
        let (at, extent) = (self.location().spelling(), member.extent());
        let (start, end) = (extent.start().spelling(), extent.end().spelling());
        self.is_definition()
            && at.file == start.file
            && (start.offset..end.offset).contains(&at.offset)
    }

    /// Its type.
    pub fn ty(&self) -> Type<'tu> {
        // SAFETY: a cursor of a live translation unit.
        self.ty_of(unsafe { clang_getCursorType(self.raw) })
    }

    fn ty_of(&self, raw: CXType) -> Type<'tu> {
        Type { raw, tu: self.tu }
    }

    /// The type a `typedef` names.
    pub fn typedef_underlying(&self) -> Type<'tu> {
        // SAFETY: a cursor of a live translation unit (any kind may be asked).
        self.ty_of(unsafe { clang_getTypedefDeclUnderlyingType(self.raw) })
    }

    /// The integer type of an `enum`.
    pub fn enum_integer_type(&self) -> Type<'tu> {
        // SAFETY: as above.
        self.ty_of(unsafe { clang_getEnumDeclIntegerType(self.raw) })
    }

    /// An enumerator's value, read as signed.
    pub fn enum_value(&self) -> i64 {
        // SAFETY: as above.
        unsafe { clang_getEnumConstantDeclValue(self.raw) }
    }

    /// An enumerator's value, read as unsigned.
    pub fn enum_unsigned_value(&self) -> u64 {
        // SAFETY: as above.
        unsafe { clang_getEnumConstantDeclUnsignedValue(self.raw) }
    }

    /// A field's offset in its record, in bits; None when libclang cannot say.
    pub fn field_offset_bits(&self) -> Option<u64> {
        // SAFETY: as above.
        u64::try_from(unsafe { clang_Cursor_getOffsetOfField(self.raw) }).ok()
    }

    /// A bitfield's width; None for any other field.
    pub fn bit_width(&self) -> Option<i32> {
        // SAFETY: as above.
        unsafe {
            (clang_Cursor_isBitField(self.raw) != 0).then(|| clang_getFieldDeclBitWidth(self.raw))
        }
    }

    /// Whether a macro takes arguments.
    pub fn is_function_like_macro(&self) -> bool {
        // SAFETY: as above.
        if unsafe { clang_Cursor_isMacroFunctionLike(self.raw) != 0 } {
            return true;
        }
        // libclang asks the preprocessor's last definition of the name, which an `#undef`
        // below has removed (bpf.h's `__BPF_ENUM_FN`): then the `(` right after the name, as
        // the preprocessor itself tells the two kinds apart.
        let toks = self.tu.tokens(self.extent());
        match toks.as_slice() {
            [name, paren, ..] if paren.spelling == "(" => {
                let end = name.location.spelling().offset + name.spelling.len() as u32;
                paren.location.spelling().offset == end
            }
            _ => false,
        }
    }

    /// The comment attached to it, markers included; empty when none.
    pub fn raw_comment(&self) -> String {
        // SAFETY: as above.
        unsafe { string(clang_Cursor_getRawCommentText(self.raw)) }
    }

    /// Where it is (its name, for a declaration).
    pub fn location(&self) -> Location<'tu> {
        // SAFETY: as above.
        Location::new(unsafe { clang_getCursorLocation(self.raw) })
    }

    /// The whole text it spans.
    pub fn extent(&self) -> Range<'tu> {
        // SAFETY: as above.
        let raw = unsafe { clang_getCursorExtent(self.raw) };
        Range {
            raw,
            _tu: PhantomData,
        }
    }

    /// The spelling of every token of its extent.
    pub fn tokens(&self) -> Vec<String> {
        self.tu
            .tokens(self.extent())
            .into_iter()
            .map(|t| t.spelling)
            .collect()
    }

    /// A macro definition's body: its tokens after the name, spaced as the source has them
    /// (one space where the source has any gap: blanks, a comment, a line continuation).
    pub fn macro_body(&self) -> String {
        let mut out = String::new();
        let mut end = None;
        for t in self.tu.tokens(self.extent()).iter().skip(1) {
            let at = t.location.spelling().offset;
            if end.is_some_and(|e| e < at) {
                out.push(' ');
            }
            out.push_str(&t.spelling);
            end = Some(at + t.spelling.len() as u32);
        }
        out
    }

    /// A variable's initializer as C evaluates it, as `unsigned long long`: None when it is
    /// not an integer constant expression.
    pub fn evaluate_int(&self) -> Option<u64> {
        // SAFETY: as above; the result is read, then disposed.
        unsafe {
            let r = clang_Cursor_Evaluate(self.raw);
            if r.is_null() {
                return None;
            }
            let v = (clang_EvalResult_getKind(r) == CXEval_Int)
                .then(|| clang_EvalResult_getAsUnsigned(r) as u64);
            clang_EvalResult_dispose(r);
            v
        }
    }

    /// Calls `f` on each child, in order (not on the children's children).
    pub fn visit_children(&self, mut f: impl FnMut(Cursor<'tu>)) {
        let mut v = Visitor {
            tu: self.tu,
            f: &mut f,
            panic: None,
        };
        // SAFETY: `v` outlives the call; `child` reads it as the Visitor it is.
        unsafe { clang_visitChildren(self.raw, child, (&mut v as *mut Visitor).cast()) };
        v.finish();
    }
}

/// The kinds of type uapigen tells apart; `Other` is any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Record,
    Enum,
    Typedef,
    Pointer,
    BlockPointer,
    ConstantArray,
    IncompleteArray,
    /// Plain `char` where it is signed.
    CharS,
    /// Plain `char` where it is unsigned.
    CharU,
    UChar,
    SChar,
    UShort,
    Short,
    UInt,
    Int,
    ULong,
    Long,
    ULongLong,
    LongLong,
    UInt128,
    Float,
    Double,
    Void,
    /// A function type with a parameter list (`void (int)`).
    FunctionProto,
    Other,
}

/// A type of a translation unit.
#[derive(Clone, Copy)]
pub struct Type<'tu> {
    raw: CXType,
    tu: &'tu TranslationUnit,
}

impl<'tu> Type<'tu> {
    /// What it is (a typedef is `Typedef`, whatever it names: see [`Self::canonical`]).
    pub fn kind(&self) -> TypeKind {
        match self.raw.kind {
            CXType_Record => TypeKind::Record,
            CXType_Enum => TypeKind::Enum,
            CXType_Typedef => TypeKind::Typedef,
            CXType_Pointer => TypeKind::Pointer,
            CXType_BlockPointer => TypeKind::BlockPointer,
            CXType_ConstantArray => TypeKind::ConstantArray,
            CXType_IncompleteArray => TypeKind::IncompleteArray,
            CXType_Char_S => TypeKind::CharS,
            CXType_Char_U => TypeKind::CharU,
            CXType_UChar => TypeKind::UChar,
            CXType_SChar => TypeKind::SChar,
            CXType_UShort => TypeKind::UShort,
            CXType_Short => TypeKind::Short,
            CXType_UInt => TypeKind::UInt,
            CXType_Int => TypeKind::Int,
            CXType_ULong => TypeKind::ULong,
            CXType_Long => TypeKind::Long,
            CXType_ULongLong => TypeKind::ULongLong,
            CXType_LongLong => TypeKind::LongLong,
            CXType_UInt128 => TypeKind::UInt128,
            CXType_Float => TypeKind::Float,
            CXType_Double => TypeKind::Double,
            CXType_Void => TypeKind::Void,
            CXType_FunctionProto => TypeKind::FunctionProto,
            _ => TypeKind::Other,
        }
    }

    /// As C writes it (`__u32`, `struct x`, `unsigned long`).
    pub fn spelling(&self) -> String {
        // SAFETY: a type of a live translation unit.
        unsafe { string(clang_getTypeSpelling(self.raw)) }
    }

    /// With every typedef resolved.
    pub fn canonical(&self) -> Type<'tu> {
        // SAFETY: as above.
        self.with(unsafe { clang_getCanonicalType(self.raw) })
    }

    fn with(&self, raw: CXType) -> Type<'tu> {
        Type { raw, tu: self.tu }
    }

    /// The declaration of a record, enum or typedef type.
    pub fn declaration(&self) -> Cursor<'tu> {
        // SAFETY: as above.
        let raw = unsafe { clang_getTypeDeclaration(self.raw) };
        Cursor { raw, tu: self.tu }
    }

    /// `sizeof`; None when it has none (incomplete, dependent).
    pub fn size(&self) -> Option<u64> {
        // SAFETY: as above.
        u64::try_from(unsafe { clang_Type_getSizeOf(self.raw) }).ok()
    }

    /// `alignof`; None when it has none.
    pub fn align(&self) -> Option<u64> {
        // SAFETY: as above.
        u64::try_from(unsafe { clang_Type_getAlignOf(self.raw) }).ok()
    }

    /// An array's element count; None for any other type.
    pub fn array_len(&self) -> Option<u64> {
        // SAFETY: as above.
        u64::try_from(unsafe { clang_getArraySize(self.raw) }).ok()
    }

    /// An array's element type.
    pub fn element(&self) -> Type<'tu> {
        // SAFETY: as above.
        self.with(unsafe { clang_getArrayElementType(self.raw) })
    }

    /// A pointer's pointee type.
    pub fn pointee(&self) -> Type<'tu> {
        // SAFETY: as above.
        self.with(unsafe { clang_getPointeeType(self.raw) })
    }

    /// A function type's return type.
    pub fn result(&self) -> Type<'tu> {
        // SAFETY: as above.
        self.with(unsafe { clang_getResultType(self.raw) })
    }

    /// A function type's parameter types; None for a type that is no function with a
    /// parameter list, or whose list ends in `...`.
    pub fn params(&self) -> Option<Vec<Type<'tu>>> {
        // SAFETY: as above; an index below the count libclang gave.
        unsafe {
            let n = u32::try_from(clang_getNumArgTypes(self.raw)).ok()?;
            if clang_isFunctionTypeVariadic(self.raw) != 0 {
                return None;
            }
            Some(
                (0..n)
                    .map(|i| self.with(clang_getArgType(self.raw, i)))
                    .collect(),
            )
        }
    }

    /// `const`.
    pub fn is_const(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_isConstQualifiedType(self.raw) != 0 }
    }

    /// `volatile`.
    pub fn is_volatile(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_isVolatileQualifiedType(self.raw) != 0 }
    }

    /// `const` or `volatile`.
    pub fn is_qualified(&self) -> bool {
        // SAFETY: as above.
        unsafe {
            clang_isConstQualifiedType(self.raw) != 0
                || clang_isVolatileQualifiedType(self.raw) != 0
        }
    }

    /// Calls `f` on each field of a record type, in order (a union's members are its fields;
    /// the fields of a member's own record are not).
    pub fn visit_fields(&self, mut f: impl FnMut(Cursor<'tu>)) {
        let mut v = Visitor {
            tu: self.tu,
            f: &mut f,
            panic: None,
        };
        // SAFETY: `v` outlives the call; `field` reads it as the Visitor it is.
        unsafe { clang_Type_visitFields(self.raw, field, (&mut v as *mut Visitor).cast()) };
        v.finish();
    }
}

/// A visit in progress: the closure, and a panic of it held until libclang returns.
struct Visitor<'a, 'tu> {
    tu: &'tu TranslationUnit,
    f: &'a mut dyn FnMut(Cursor<'tu>),
    panic: Option<Box<dyn Any + Send>>,
}

impl<'tu> Visitor<'_, 'tu> {
    /// Calls the closure; false stops the visit (it panicked, now or before).
    fn call(&mut self, raw: CXCursor) -> bool {
        if self.panic.is_some() {
            return false;
        }
        let cursor = Cursor { raw, tu: self.tu };
        let f = &mut self.f;
        match panic::catch_unwind(AssertUnwindSafe(|| f(cursor))) {
            Ok(()) => true,
            Err(p) => {
                self.panic = Some(p);
                false
            }
        }
    }

    fn finish(self) {
        if let Some(p) = self.panic {
            panic::resume_unwind(p);
        }
    }
}

extern "C" fn child(c: CXCursor, _parent: CXCursor, data: CXClientData) -> CXChildVisitResult {
    // SAFETY: `data` is the Visitor `visit_children` passed, alive and not otherwise borrowed.
    let v = unsafe { &mut *data.cast::<Visitor>() };
    if v.call(c) {
        CXChildVisit_Continue
    } else {
        CXChildVisit_Break
    }
}

extern "C" fn field(c: CXCursor, data: CXClientData) -> CXVisitorResult {
    // SAFETY: `data` is the Visitor `visit_fields` passed, alive and not otherwise borrowed.
    let v = unsafe { &mut *data.cast::<Visitor>() };
    if v.call(c) {
        CXVisit_Continue
    } else {
        CXVisit_Break
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> TranslationUnit {
        let args = ["-x", "c", "-nostdinc"].map(String::from);
        TranslationUnit::parse("t.c", Some(text), &args, Detail::Declarations)
            .unwrap_or_else(|e| panic!("{e}"))
            .expect("a translation unit")
    }

    #[test]
    fn errors_are_located_in_the_unsaved_file() {
        let tu = parse("struct a { int x; };\nstruct b { nope y; };\n");
        let e = tu.errors("here: ");
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].path.as_str(), e[0].line, e[0].col), ("t.c", 2, 12));
        assert!(
            e[0].message.starts_with("here: unknown type name"),
            "{}",
            e[0].message
        );
    }

    #[test]
    fn a_panic_in_a_visitor_stops_the_visit_and_reaches_the_caller() {
        let tu = parse("struct a { int x; };\nstruct b { int y; };\n");
        let mut seen = Vec::new();
        let r = panic::catch_unwind(AssertUnwindSafe(|| {
            tu.cursor().visit_children(|c| {
                seen.push(c.spelling());
                panic!("stop");
            })
        }));
        assert!(r.is_err());
        assert_eq!(seen, ["a"]);
        // The translation unit is still whole: a second visit sees both.
        let mut names = Vec::new();
        tu.cursor().visit_children(|c| names.push(c.spelling()));
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn a_nul_byte_is_refused_not_cut() {
        let e = TranslationUnit::parse("a\0b.c", Some(""), &[], Detail::Declarations);
        assert!(matches!(e, Err(Error::Usage(m)) if m.contains("a path with a NUL byte")));
        let e = TranslationUnit::parse("a.c", Some(""), &["-I\0x".into()], Detail::Declarations);
        assert!(matches!(e, Err(Error::Usage(m)) if m.contains("NUL byte")));
    }
}

/// Whether libclang's name for a record or enum says it has no tag: none at all, or its
/// `(anonymous ...)` / `(unnamed ...)` text.
pub fn untagged(name: &str) -> bool {
    name.is_empty() || name.contains("(anonymous") || name.contains("(unnamed")
}
