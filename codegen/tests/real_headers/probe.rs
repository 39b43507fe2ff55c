//! Measures a header's declarations with gcc: a program that includes the header and prints
//! every struct's size and alignment, every member's offset and size (a bitfield's first bit
//! and width), every constant's value, built for one ABI and run. The same program text is
//! made for the real header and for uapigen's, so both are judged by the same compiler.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use uapigen::tools::header_decls::{Declarations, Shape};

use super::kernels::Abi;

/// Declaration → what the compiler says of it (`struct x` → `size 24 align 8`).
pub type Measures = BTreeMap<String, String>;

/// The key of a record's member, under its record's key.
pub fn member_key(record: &str, path: &str) -> String {
    format!("{record}.{path}")
}

/// The keys `measure` gives the declarations, without measuring them: what a header declares,
/// for a comparison of names before a compiler is run.
#[allow(dead_code)]
pub fn keys(d: &Declarations) -> Measures {
    let mut out = Measures::new();
    for r in &d.records {
        let ty = format!("{} {}", r.kind.keyword(), r.name);
        for m in &r.members {
            out.insert(member_key(&ty, &m.path), String::new());
        }
        out.insert(ty, String::new());
    }
    for tag in &d.enums {
        out.insert(format!("enum {tag}"), String::new());
    }
    let constants = d.enumerators.iter().map(|e| &e.name);
    let defines = d.defines.iter().map(|d| &d.name);
    for name in constants.chain(defines).chain(&d.strings) {
        out.insert(format!("const {name}"), String::new());
    }
    out
}

fn program(header: &str, d: &Declarations) -> String {
    let mut c = String::new();
    // No C library header before the one measured: glibc's would define `__GLIBC__`, which
    // linux/stat.h tests (its `S_IFMT` ... are for a program without glibc's), where libclang
    // read the header's declarations without one. <stddef.h> is the compiler's.
    c.push_str(
        "#include <stddef.h>\nint printf(const char *, ...);\nvoid *memset(void *, int, size_t);\n",
    );
    // What the header assumes included before it (its schema's `assumes`).
    for a in &d.assumes {
        writeln!(c, "#include <{a}>").unwrap();
    }
    c.push_str(uapigen::tools::header_decls::USER_FIRST);
    writeln!(c, "#include <{header}>\n").unwrap();
    // A value as C has it, whatever its type: the sign first, so -1 is not 2^64 - 1.
    c.push_str(
        "#define VALUE(k, form, v) ((v) < 0 ? printf(\"%s\\t%s = -%llu\\n\", k, form, \
         -(unsigned long long)(v)) : printf(\"%s\\t%s = %llu\\n\", k, form, (unsigned long long)(v)))\n",
    );
    c.push_str(
        "#define IOCTL(k, v) printf(\"%s\\tioctl = %#llx\\n\", k, (unsigned long long)(v))\n",
    );
    // A bitfield has no offsetof: set it to all ones in a zeroed record and see which bits.
    c.push_str(
        "static void bits(const char *k, const unsigned char *b, size_t n)\n{\n\
         \tsize_t first = (size_t)-1, width = 0;\n\
         \tfor (size_t i = 0; i < n * 8; i++)\n\
         \t\tif (b[i / 8] >> (i % 8) & 1) {\n\
         \t\t\tif (first == (size_t)-1)\n\t\t\t\tfirst = i;\n\t\t\twidth++;\n\t\t}\n\
         \tprintf(\"%s\\tbit %zu width %zu\\n\", k, first, width);\n}\n\n",
    );
    c.push_str("int main(void)\n{\n");
    // A member's name may be a macro of the header's (linux/phonet.h's `#define pn_data
    // pn_msg_u.base.pn_data`, for its users): not expanded in the member's path.
    let names: BTreeSet<&str> = d
        .records
        .iter()
        .flat_map(|r| &r.members)
        .flat_map(|m| {
            m.path
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        })
        .filter(|n| !n.is_empty() && !n.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    for n in &names {
        writeln!(c, "#pragma push_macro(\"{n}\")\n#undef {n}").unwrap();
    }
    for r in &d.records {
        let ty = format!("{} {}", r.kind.keyword(), r.name);
        writeln!(
            c,
            "\tprintf(\"%s\\tsize %zu align %zu\\n\", \"{ty}\", sizeof({ty}), _Alignof({ty}));"
        )
        .unwrap();
        for m in &r.members {
            let key = member_key(&ty, &m.path);
            let p = &m.path;
            match m.shape {
                Shape::Plain => writeln!(
                    c,
                    "\tprintf(\"%s\\toffset %zu size %zu\\n\", \"{key}\", offsetof({ty}, {p}), \
                     sizeof((({ty} *)0)->{p}));"
                ),
                Shape::Flexible => writeln!(
                    c,
                    "\tprintf(\"%s\\toffset %zu flexible\\n\", \"{key}\", offsetof({ty}, {p}));"
                ),
                Shape::Bitfield => writeln!(
                    c,
                    "\t{{ union {{ {ty} s; unsigned char b[sizeof({ty})]; }} u; \
                     memset(&u, 0, sizeof(u)); u.s.{p} = -1; bits(\"{key}\", u.b, sizeof(u)); }}"
                ),
            }
            .unwrap();
        }
    }
    for n in &names {
        writeln!(c, "#pragma pop_macro(\"{n}\")").unwrap();
    }
    for tag in &d.enums {
        writeln!(
            c,
            "\tprintf(\"%s\\tsize %zu\\n\", \"enum {tag}\", sizeof(enum {tag}));"
        )
        .unwrap();
    }
    for e in &d.enumerators {
        let form = match &e.tag {
            Some(tag) => format!("enumerator of enum {tag}"),
            None => "enumerator".to_string(),
        };
        writeln!(c, "\tVALUE(\"const {0}\", \"{form}\", {0});", e.name).unwrap();
    }
    for def in &d.defines {
        if def.ioctl {
            writeln!(c, "\tIOCTL(\"const {0}\", {0});", def.name).unwrap();
        } else {
            writeln!(c, "\tVALUE(\"const {0}\", \"define\", {0});", def.name).unwrap();
        }
    }
    // A string's every byte, its NUL included.
    for name in &d.strings {
        writeln!(
            c,
            "\t{{ static const char s[] = {name}; printf(\"%s\\tstring\", \"const {name}\"); \
             for (size_t i = 0; i < sizeof(s); i++) printf(\" %02x\", (unsigned char)s[i]); \
             printf(\"\\n\"); }}"
        )
        .unwrap();
    }
    c.push_str("\treturn 0;\n}\n");
    c
}

/// Builds the program for `header` (as `#include <header>` finds it in `include`) for `abi`
/// in `scratch`, runs it and reads what it printed; panics when gcc or the program fails.
pub fn measure(
    header: &str,
    d: &Declarations,
    include: &[PathBuf],
    abi: &Abi,
    scratch: &Path,
    stem: &str,
) -> Measures {
    try_measure(header, d, include, abi, scratch, stem).unwrap_or_else(|e| panic!("{e}"))
}

/// `measure`, with what failed as the error (gcc's messages when the program does not build).
pub fn try_measure(
    header: &str,
    d: &Declarations,
    include: &[PathBuf],
    abi: &Abi,
    scratch: &Path,
    stem: &str,
) -> Result<Measures, String> {
    let src = scratch.join(format!("{stem}-{}.c", abi.name));
    let exe = scratch.join(format!("{stem}-{}", abi.name));
    std::fs::write(&src, program(header, d)).unwrap();
    let mut cc = Command::new("gcc");
    cc.args(["-std=gnu11", "-O0", "-w", abi.flag]);
    for dir in include {
        cc.arg("-I").arg(dir);
    }
    let out = cc
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run gcc ({e}): run scripts/setup"));
    if !out.status.success() {
        return Err(format!(
            "gcc {} failed on {} (the probe of {header}):\n{}",
            abi.flag,
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let run = Command::new(&exe).output().unwrap();
    if !run.status.success() {
        return Err(format!("{} failed", exe.display()));
    }
    Ok(String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('\t').expect("key\\tvalue");
            (k.to_string(), v.to_string())
        })
        .collect())
}

/// The shapes the real headers have none of today (bitfields, flexible arrays, negative and
/// 64-bit values) measured as C has them, so a header that brings one is measured right.
#[test]
fn every_shape_is_measured_as_c_lays_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let header = dir.path().join("t.h");
    std::fs::write(
        &header,
        "#include <linux/types.h>\n#include <linux/ioctl.h>\n\
         struct t_inner { __u32 a; };\n\
         struct t {\n\t__u32 flags;\n\t__u32 low : 3, high : 5;\n\
         \tunion { __u32 x; __u16 y; };\n\
         \tunion { struct t_inner in; __u64 raw; } u;\n\t__u8 tail[];\n};\n\
         enum t_kind { T_A = 1, T_B = -2 };\nenum { T_C = 7 };\n\
         #define T_FLAG (1ULL << 40)\n#define T_NEG (-3)\n#define T_STR \"s\\032\" T_JOIN\n\
         #define T_JOIN \"j\"\n#define T_WIDE L\"w\"\n#define T_TYPE __u8\n#define T_INT int\n\
         #define T_FN(x) (x)\n#define T_IOCTL _IOWR('T', 1, struct t_inner)\n\
         #define T_FLOAT 3.6\n#define T_CAST ((int)2.5)\n#define tail t_tail_for_users\n",
    )
    .unwrap();
    let system = [
        Path::new("/usr/include"),
        Path::new("/usr/include/x86_64-linux-gnu"),
    ];
    let d = uapigen::tools::header_decls::declarations(
        &header,
        &system,
        uapigen::layout::DEFAULT_TARGET,
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        d.not_compared,
        [
            "#define T_FN(...): a function-like macro",
            "#define T_WIDE: not an integer constant expression",
            "#define T_TYPE: not an integer constant expression",
            "#define T_INT: not an integer constant expression",
            "#define T_FLOAT: not an integer constant expression",
            "#define tail: not an integer constant expression",
        ]
    );
    assert_eq!(d.strings, ["T_STR", "T_JOIN"]);
    let got = measure(
        "t.h",
        &d,
        &[dir.path().to_path_buf()],
        &super::kernels::ABIS[0],
        dir.path(),
        "t",
    );
    let want = [
        ("struct t", "size 24 align 8"),
        ("struct t.flags", "offset 0 size 4"),
        ("struct t.low", "bit 32 width 3"),
        ("struct t.high", "bit 35 width 5"),
        ("struct t.x", "offset 8 size 4"),
        ("struct t.y", "offset 8 size 2"),
        ("struct t.u", "offset 16 size 8"),
        ("struct t.u.in", "offset 16 size 4"),
        ("struct t.u.raw", "offset 16 size 8"),
        ("struct t.tail", "offset 24 flexible"),
        ("struct t_inner", "size 4 align 4"),
        ("struct t_inner.a", "offset 0 size 4"),
        ("enum t_kind", "size 4"),
        ("const T_A", "enumerator of enum t_kind = 1"),
        ("const T_B", "enumerator of enum t_kind = -2"),
        ("const T_C", "enumerator = 7"),
        ("const T_FLAG", "define = 1099511627776"),
        ("const T_NEG", "define = -3"),
        ("const T_IOCTL", "ioctl = 0xc0045401"),
        ("const T_CAST", "define = 2"),
        ("const T_STR", "string 73 1a 6a 00"),
        ("const T_JOIN", "string 6a 00"),
    ];
    let want: Measures = want
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want);
}
