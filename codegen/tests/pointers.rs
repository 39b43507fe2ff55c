//! Pointer members (`type = "__u64 __user *"`): what a schema may write and what it is refused,
//! each refusal located at the text that caused it. Their layout is held against gcc in
//! c_compile.rs and libclang in clang_proof.rs (golden/schema/ptr.toml), their bindgen API in
//! rust_vmm.rs.

mod common;

const BASE: &str = r#"[family]
name = "pt"
header = "linux/pt.h"
guard = "_UAPI_LINUX_PT_H"
license = "GPL-2.0 WITH Linux-syscall-note"
includes = ["linux/types.h"]

[[revision]]
id = "v1"

[[flags]]
name = "pt_flags"
values = [ { name = "PT_A", bit = 0 } ]

[[struct]]
name = "pt_a"
summary = "a struct"
fields = [ { name = "x", type = "__u64" } ]

[[struct]]
name = "pt_x"
summary = "pointers"
abi_trap = { revisions = ["v1"], note = "a pointer" }
convention = "size"
fields = [
  { name = "size", type = "__u32" },
  { name = "flags", type = "__u32" },
  { name = "p", type = "TYPE" },
]
"#;

fn load(ty: &str, extra: &str) -> Result<uapigen::Checked, String> {
    let text = BASE.replace("TYPE", ty).replace(
        "convention = \"size\"\n",
        &format!("convention = \"size\"\n{extra}"),
    );
    uapigen::load_source(uapigen::Source::new("pt.toml", &text), "pt.toml")
        .map_err(|e| e.to_string())
}

/// Where the `p` field's text starts in the schema (line 28), at column `col`.
fn at(col: usize) -> String {
    format!("pt.toml:28:{col}: error: ")
}

#[test]
fn every_pointer_form_a_header_writes_is_accepted() {
    for (ty, c) in [
        ("__u64 *", "__u64 *p;"),
        ("__u64 __user *", "__u64 __user *p;"),
        ("void __user *", "void __user *p;"),
        ("const char *", "const char *p;"),
        ("unsigned int*", "unsigned int *p;"),
        ("struct pt_a *", "struct pt_a *p;"),
        ("const struct pt_a __user *", "const struct pt_a __user *p;"),
        ("__u64 **", "__u64 **p;"),
        (
            "int (*)(const char *, __u32)",
            "int (*p)(const char *, __u32);",
        ),
    ] {
        let model = load(ty, "").unwrap_or_else(|e| panic!("{ty}: {e}"));
        let header = uapigen::emit::c_header::emit(
            &model.family,
            &uapigen::emit::Templates::new(None).unwrap(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(header.contains(&format!("\t{c}\n")), "{ty}:\n{header}");
        let x = model.struct_id("pt_x").unwrap();
        let size = |triple: &str| {
            let t = uapigen::layout::TARGETS
                .iter()
                .position(|t| t.triple == triple)
                .unwrap();
            model.layouts[t].struct_(x).size
        };
        assert_eq!(
            (size("x86_64-linux-gnu"), size("i686-linux-gnu")),
            (16, 12),
            "{ty}"
        );
    }
}

#[test]
fn a_pointer_the_schema_cannot_name_is_refused_where_it_is_written() {
    for (ty, why) in [
        ("__u64 ***", "`__u64 ***`: more than two levels of `*`"),
        (
            "int __user const *",
            "unknown pointer type `int __user const *`",
        ),
        ("struct nowhere *", "unknown struct `nowhere`"),
        ("struct pt_x *", "unknown struct `pt_x`"),
        ("long double *", "unknown pointer type `long double *`"),
    ] {
        let err = load(ty, "")
            .err()
            .unwrap_or_else(|| panic!("{ty} accepted"));
        assert!(err.contains(&format!("{}{why}", at(24))), "{ty}: {err}");
    }
}

#[test]
fn no_rule_or_flag_set_reads_a_pointer() {
    let err = load(
        "__u64 *",
        "rules = [ { require = [{ field = \"p\", zero = true }] } ]\n",
    )
    .err()
    .expect("a rule on a pointer");
    assert!(err.contains("pt.toml:25:34: error: `p` is a pointer, 4 bytes on i686 and arm and 8 on the 64-bit ABIs: no rule reads it"), "{err}");
    let text = BASE.replace("TYPE", "__u64 *").replace(
        "type = \"__u64 *\" }",
        "type = \"__u64 *\", flags = \"pt_flags\" }",
    );
    let err = uapigen::load_source(uapigen::Source::new("pt.toml", &text), "pt.toml")
        .err()
        .expect("flags on a pointer")
        .to_string();
    assert!(err.contains("pt.toml:28:3: error: `flags = \"pt_flags\"` needs an unsigned integer field of one size on every ABI, but `pt_x.p` is not one"), "{err}");
}

#[test]
fn a_struct_holding_a_pointer_without_abi_trap_is_refused() {
    let text = BASE.replace("TYPE", "void *").replace(
        "abi_trap = { revisions = [\"v1\"], note = \"a pointer\" }\n",
        "",
    );
    let err = uapigen::load_source(uapigen::Source::new("pt.toml", &text), "pt.toml")
        .err()
        .expect("a pointer without abi_trap")
        .to_string();
    assert!(err.contains("pt.toml:"), "{err}");
    assert!(err.contains("i686"), "{err}");
}
