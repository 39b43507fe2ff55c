//! `[[define]] expr = "..."`: C integer constant expressions. gcc is the judge: the generated
//! header is compiled for x86-64 and for i686, and each constant's value and C type (by
//! `_Generic`) must be what uapigen evaluated, on both; the Rust constant carries the same
//! value in the type bindgen would give it. Expressions whose value differs between the two
//! data models are refused, and gcc confirms that they do differ.

mod common;

use common::*;
use uapigen::diag::Source;
use uapigen::emit::{RustCrate, Templates};
use uapigen::front::cexpr::CType;
use uapigen::ir::Expr;

/// Constants to refer to, then the expressions: each `(expr, C type)` (on both data models
/// unless `ON_ILP32` says otherwise).
const BASE: &str = r#"[family]
name = "cexpr"
header = "linux/cexpr.h"
guard = "_UAPI_LINUX_CEXPR_H"
includes = ["linux/types.h"]
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "v1"

[[define]]
name = "CE_FOUR"
value = 4

[[define]]
name = "CE_HIGH"
value = 0x80000000

[[define]]
name = "CE_BIG"
value = 4294967296

[[define]]
name = "CE_BIT3"
bit = 3

[[define]]
name = "CE_BIT40"
bit = 40

[[enum]]
name = "ce_kind"
values = [{ name = "CE_KIND_A" }, { name = "CE_KIND_B", value = 0x10 }]

[[typedef]]
name = "ce_std_id"
type = "__u64"

[[typedef]]
name = "ce_small"
type = "unsigned short"

[[macro]]
name = "CE_K"
params = ["t", "v"]
body = "(((t) << 8) | (v))"

[[macro]]
name = "CE_TWICE"
params = ["x"]
body = "CE_K(x, x)"

[[define]]
name = "CE_MODE_10baseT_Half_BIT"
value = 7

[[macro]]
name = "CE_MODE"
params = ["n"]
body = "(1UL << (CE_MODE_ ## n ## _BIT))"

[[macro]]
name = "CE_CAT"
params = ["a", "b"]
body = "((__u64)a##b << 8)"
"#;

const EXPRS: &[(&str, CType)] = &[
    ("(1 << 31)", CType::Int),
    ("(1U << 31)", CType::UInt),
    ("((1ULL << 40) - 1)", CType::ULongLong),
    ("-1", CType::Int),
    ("(-2147483647 - 1)", CType::Int),
    ("2147483648", CType::Long),
    ("(CE_BIG + 1)", CType::Long),
    ("0xffffffff", CType::UInt),
    ("0xffffffffffffffffULL", CType::ULongLong),
    ("(~0U)", CType::UInt),
    ("((__u32)~0)", CType::UInt),
    ("((__u64)-1)", CType::ULongLong),
    ("((__s64)-1)", CType::LongLong),
    ("((__u8)0x1ff)", CType::UChar),
    ("((unsigned char)-1)", CType::UChar),
    ("((signed char)0x80)", CType::SChar),
    ("((unsigned short)-1)", CType::UShort),
    ("((__s16)0x8000)", CType::Short),
    ("((__u8)0xff + (__s8)0xff)", CType::Int),
    ("(CE_FOUR | CE_HIGH)", CType::UInt),
    ("(CE_BIT3 << 2)", CType::Int),
    ("(CE_BIT40 >> 8)", CType::ULongLong),
    ("(CE_KIND_B + CE_KIND_A + 1)", CType::Int),
    ("((CE_FOUR + 1) * 2 % 7)", CType::Int),
    ("(CE_FOUR > 3 ? 10 : 20U)", CType::UInt),
    ("(-7 / 2)", CType::Int),
    ("(-8 >> 1)", CType::Int),
    ("(!CE_FOUR || 0)", CType::Int),
    ("(-1 < 0U)", CType::Int),
    ("(CE_HIGH - 1U)", CType::UInt),
    ("('A' + 1)", CType::Int),
    ("(' ' | 'U' << 8)", CType::Int),
    ("((uint32_t)(-1))", CType::UInt),
    ("((int16_t)0x8000)", CType::Short),
    ("((__kernel_key_t) 0)", CType::Int),
    ("((__kernel_uid32_t)-1)", CType::UInt),
    ("((ce_std_id)0x00000100)", CType::ULongLong),
    ("((ce_std_id)1 << 40)", CType::ULongLong),
    ("((ce_small)-1)", CType::UShort),
    ("(0777 & ~022)", CType::Int),
    ("(1LL << 62)", CType::LongLong),
    ("(-(1LL << 62) * 2)", CType::LongLong),
    ("(~CE_BIT40)", CType::ULongLong),
    // Function-like macros, the schema's and <linux/const.h>'s, expanded as cpp does.
    ("CE_K(CE_FOUR, 1)", CType::Int),
    ("CE_TWICE(CE_HIGH >> 24)", CType::UInt),
    ("CE_K(1ULL, CE_KIND_B)", CType::ULongLong),
    ("_BITUL(5)", CType::ULong),
    ("_BITULL(40)", CType::ULongLong),
    ("(_UL(3) + 1)", CType::ULong),
    ("(_ULL(1) << 63)", CType::ULongLong),
    ("__KERNEL_DIV_ROUND_UP(CE_HIGH, 4096U)", CType::UInt),
    // `_AC(X, Y)`: the suffix pasted onto X's last literal (x86's `X86_CR3_PCID_MASK`).
    ("(_AC((1UL << 12) - 1, UL))", CType::ULong),
    ("_AC(0xff, ULL)", CType::ULongLong),
    ("(_AC(1, U) << 31)", CType::UInt),
    // `##`: ethtool.h's pp-number pasted into a name, drm_fourcc.h's vendor.
    ("CE_MODE(10baseT_Half)", CType::ULong),
    ("CE_CAT(CE_, FOUR)", CType::ULongLong),
];

/// The expressions whose type is another on ILP32: a decimal literal past `int` is a `long`
/// where that has 64 bits and a `long long` where it has 32.
const ON_ILP32: &[(&str, CType)] = &[
    ("2147483648", CType::LongLong),
    ("(CE_BIG + 1)", CType::LongLong),
];

fn schema() -> String {
    let mut s = BASE.to_string();
    for (i, (e, _)) in EXPRS.iter().enumerate() {
        s.push_str(&format!(
            "\n[[define]]\nname = \"CE_E{i}\"\nexpr = \"{e}\"\n"
        ));
    }
    s
}

fn c_type(t: CType) -> &'static str {
    uapigen::front::cexpr::c_name(t)
}

fn generated(text: &str) -> (uapigen::Checked, uapigen::Output) {
    let model = uapigen::load_source(Source::new("cexpr.toml", text), "cexpr.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let krate = RustCrate::default();
    let out = generate(
        std::slice::from_ref(&model),
        &Templates::new(None).unwrap(),
        &krate,
    )
    .unwrap();
    (model, out)
}

#[test]
fn values_and_types_are_gccs_on_both_data_models() {
    let (model, out) = generated(&schema());
    let dir = tempfile::tempdir().unwrap().keep();
    out.write(&dir).unwrap();
    let header = &out.files["include/uapi/linux/cexpr.h"];
    // `_Static_assert`s per data model: [ILP32, LP64].
    let mut checks = [String::new(), String::new()];
    for (i, (e, ty)) in EXPRS.iter().enumerate() {
        let name = format!("CE_E{i}");
        assert!(
            header.contains(&format!("#define {name}\t{e}"))
                || header.contains(&format!("#define {name} {e}")),
            "the header writes {name} as the schema does:\n{header}"
        );
        let c = model
            .family
            .defines
            .iter()
            .map(|d| &d.constant)
            .find(|c| c.name == name)
            .unwrap();
        let Expr::C { value, types, .. } = &c.expr else {
            panic!("{name} is an expression")
        };
        let on_ilp32 = ON_ILP32
            .iter()
            .find(|(x, _)| x == e)
            .map_or(*ty, |(_, t)| *t);
        assert_eq!(types, &[on_ilp32, *ty], "{name} = {e}");
        // The value as a literal gcc reads without a warning.
        let literal = if *value == i128::from(i64::MIN) {
            "(-9223372036854775807LL - 1)".to_string()
        } else if *value < 0 {
            format!("({value}LL)")
        } else {
            format!("{value}ULL")
        };
        for (m, t) in checks.iter_mut().zip(types) {
            m.push_str(&format!(
                "_Static_assert(({name}) == {literal}, \"{name} value\");\n\
                 _Static_assert(_Generic(({name}), {}: 1, default: 0), \"{name} type\");\n",
                c_type(*t)
            ));
        }
    }
    for (m, checks) in ["-m32", "-m64"].iter().zip(&checks) {
        let src = format!("#include <linux/cexpr.h>\n{checks}int main(void) {{ return 0; }}\n");
        let exe = compile(
            "gcc",
            "cexpr.c",
            &src,
            &["-std=c11", "-Wall", "-Wextra", "-Werror", m],
            &dir.join("include/uapi"),
        );
        run(&exe);
    }
}

#[test]
fn rust_constants_have_the_value_in_bindgens_type() {
    let (model, out) = generated(&schema());
    let rust = &out.files["rust/src/cexpr.rs"];
    for (i, _) in EXPRS.iter().enumerate() {
        let name = format!("CE_E{i}");
        let c = model
            .family
            .defines
            .iter()
            .map(|d| &d.constant)
            .find(|c| c.name == name)
            .unwrap();
        let Expr::C { value, .. } = &c.expr else {
            panic!("{name} is an expression")
        };
        let ty = match *value {
            v if v < i128::from(i32::MIN) => "i64",
            v if v < 0 => "i32",
            v if v <= i128::from(u32::MAX) => "u32",
            _ => "u64",
        };
        let line = format!("pub const {name}: {ty} = {value};");
        assert!(rust.contains(&line), "{line} in the Rust module");
    }
}

/// A value that depends on the size of `long` otherwise than a `long` of the ABI's word does
/// is refused, located at its `expr`; gcc agrees that the two data models give different
/// values.
#[test]
fn a_value_that_differs_between_abis_is_refused_and_gcc_agrees() {
    for e in ["(-1L < 0U)", "(~0UL >> 16)", "(~0UL % 7)"] {
        let text = format!("{BASE}\n[[define]]\nname = \"CE_X\"\nexpr = \"{e}\"\n");
        let err = uapigen::load_source(Source::new("cexpr.toml", &text), "cexpr.toml")
            .err()
            .unwrap_or_else(|| panic!("{e} is refused"))
            .to_string();
        let line = text.lines().count();
        assert!(
            err.contains(&format!("cexpr.toml:{line}:8")) && err.contains("on every ABI"),
            "{e}: {err}"
        );
        let src = format!(
            "#include <stdio.h>\nint main(void) {{ printf(\"%lld\\n\", (long long)({e})); return 0; }}\n"
        );
        let dir = tempfile::tempdir().unwrap().keep();
        let v: Vec<String> = ["-m64", "-m32"]
            .iter()
            .map(|m| run(&compile("gcc", "abi.c", &src, &["-std=c11", m], &dir)))
            .collect();
        assert_ne!(v[0], v[1], "gcc: {e} differs between -m64 and -m32");
    }
}

/// A `long` of the ABI's word (`(~0UL)`, kvm.h's `(-1ul)`, `0xffffffffUL + 1`, which wraps
/// to 0 on ILP32) is one constant with each ABI's value: the model's value on x86-64 and on
/// i686 is gcc's with -m64 and -m32.
#[test]
fn a_long_of_the_abis_word_has_each_abis_value_as_gcc_does() {
    for e in [
        "(~0UL)",
        "(-1ul)",
        "(0xffffffffUL + 1)",
        "(-2L)",
        "((~0UL) / 3)",
        // A size of the data model's (drm/panthor_drm.h's `sizeof(unsigned long)`): each
        // model's value, not a cut.
        "sizeof(unsigned long)",
        "(sizeof(long) * 8 - 1)",
        "(sizeof(void *) + sizeof(unsigned long long))",
        // Over a constant of each model's value (wireless.h's `IW_EV_LCP_LEN + IFNAMSIZ`),
        // and in a 64-bit type (panthor_drm.h's choice of an offset by `sizeof(unsigned long)`).
        "(CE_WORD_BYTES + 16)",
        "(sizeof(unsigned long) < 8 ? (1ULL << 43) : (1ULL << 56))",
    ] {
        let text = format!(
            "{BASE}\n[[define]]\nname = \"CE_WORD_BYTES\"\nexpr = \"sizeof(unsigned long)\"\n\n\
             [[define]]\nname = \"CE_X\"\nexpr = \"{e}\"\n"
        );
        let c = uapigen::load_source(Source::new("cexpr.toml", &text), "cexpr.toml")
            .unwrap_or_else(|err| panic!("{e}: {err}"));
        let k = c.family.constants().find(|k| k.name == "CE_X").unwrap();
        let src = format!(
            "#include <stdio.h>\n#define CE_WORD_BYTES sizeof(unsigned long)\nint main(void) {{ printf(\"%llu\\n\", (unsigned long long)({e})); return 0; }}\n"
        );
        let dir = tempfile::tempdir().unwrap().keep();
        for (m, triple) in [("-m64", "x86_64-linux-gnu"), ("-m32", "i686-linux-gnu")] {
            let gcc = run(&compile("gcc", "word.c", &src, &["-std=c11", m], &dir));
            let target = uapigen::layout::target_by_triple(triple).unwrap();
            assert_eq!(
                gcc.trim(),
                c.family.value_on(k, target).to_string(),
                "{e} on {triple}"
            );
        }
    }
}

/// What C leaves undefined, or what is not an expression, is refused where it is.
#[test]
fn bad_expressions_are_located() {
    let cases: &[(&str, usize, &str)] = &[
        ("1 << 32", 9, "write `1ULL << 32`"),
        ("2147483647 + 1", 9, "overflows int"),
        ("CE_FOUR / (CE_FOUR - 4)", 9, "division by zero"),
        ("CE_NOPE | 1", 9, "unknown constant `CE_NOPE`"),
        ("_IOR('a', 1, int)", 9, "calls no function-like macro"),
        ("1 +", 12, "expected an operand"),
        ("1 /* x */", 11, "comment"),
        ("CE_FOUR | CE_KIND_A 2", 29, "expected an operator"),
    ];
    for (e, col, want) in cases {
        let text = format!("{BASE}\n[[define]]\nname = \"CE_X\"\nexpr = \"{e}\"\n");
        let err = uapigen::load_source(Source::new("cexpr.toml", &text), "cexpr.toml")
            .err()
            .unwrap_or_else(|| panic!("{e} is refused"))
            .to_string();
        let line = text.lines().count();
        assert!(
            err.contains(&format!("cexpr.toml:{line}:{col}")) && err.contains(want),
            "{e}: want {want} at column {col}: {err}"
        );
    }
}
