//! `uapigen import`: libclang reads a header and writes a schema skeleton. Round trip:
//! import → load (every check) → the same layout on every target for every struct, and the
//! same constants, as the header it came from.

mod common;

use std::path::Path;

use common::*;

fn round_trip(header: &Path, family: &str, expected: &uapigen::Checked) -> String {
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    let schema =
        uapigen::import::import(header, &[&include], family).unwrap_or_else(|e| panic!("{e}"));
    let imported = uapigen::load_source(
        uapigen::Source::new(format!("{family}.toml"), schema.clone()),
        &format!("{family}.toml"),
    )
    .unwrap_or_else(|e| panic!("imported schema does not load:\n{e}\n\n{schema}"));
    for (si, st) in expected.family.structs.iter().enumerate() {
        let ii = imported
            .family
            .structs
            .iter()
            .position(|s| s.name == st.name)
            .unwrap_or_else(|| panic!("{} not imported:\n{schema}", st.name));
        for (a, b) in expected.layouts.iter().zip(&imported.layouts) {
            assert_eq!(
                a.structs[si], b.structs[ii],
                "{} on {}",
                st.name, a.target.triple
            );
        }
    }
    for k in expected.family.constants() {
        let got = imported
            .family
            .constants()
            .find(|c| c.name == k.name)
            .map(|c| c.value);
        assert_eq!(got, Some(k.value), "constant {}:\n{schema}", k.name);
    }
    schema
}

#[test]
fn own_iommu_header_round_trips() {
    let families = real_families();
    let c = family(&families, "iommu");
    round_trip(
        &repo_root().join("generated/include/uapi/linux/iommu.h"),
        "iommu",
        c,
    );
}

#[test]
fn own_iommufd_header_round_trips() {
    let families = real_families();
    let c = family(&families, "iommufd");
    round_trip(
        &repo_root().join("generated/include/uapi/linux/iommufd.h"),
        "iommufd",
        c,
    );
}

#[test]
fn feature_schema_header_round_trips() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    round_trip(
        &repo_root().join("codegen/tests/golden/out/include/uapi/linux/features.h"),
        "features",
        &families[0],
    );
}

/// A header written by hand like VFIO's (not by uapigen): the skeleton loads, and libclang
/// sees the same layout in the original header as uapigen computes from the skeleton.
#[test]
fn hand_written_vfio_like_header_round_trips() {
    let header = repo_root().join("codegen/tests/import/linux/vfio_like.h");
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    let schema = uapigen::import::import(&header, &[&include], "vfio_like")
        .unwrap_or_else(|e| panic!("{e}"));
    let c = uapigen::load_source(
        uapigen::Source::new("vfio_like.toml", schema.clone()),
        "vfio_like.toml",
    )
    .unwrap_or_else(|e| panic!("imported schema does not load:\n{e}\n\n{schema}"));
    // The proof: the original header, parsed by libclang per target, matches the skeleton's IR.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("uapi/linux")).unwrap();
    std::fs::copy(&header, dir.path().join("uapi/linux/vfio_like.h")).unwrap();
    let mismatches = uapigen::clang_proof::prove(std::slice::from_ref(&c), dir.path()).unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}\n{schema}");
    let value = |n: &str| c.family.constants().find(|k| k.name == n).map(|k| k.value);
    assert_eq!(value("VFIO_LIKE_FLAGS_RW"), Some(3));
    assert_eq!(value("VFIO_LIKE_REQUEST"), Some(0x3b64));
    assert_eq!(value("VFIO_LIKE_KIND_ALL"), Some(5));
    assert!(
        schema.contains("inside = \"vfio_like_request.flags\""),
        "{schema}"
    );
    assert!(schema.contains("type = \"__aligned_u64\""), "{schema}");
    assert!(schema.contains("summary = \"one range\""), "{schema}");
    // The bit defines above `flags` are its flag set.
    assert!(
        schema.contains(
            "{ name = \"flags\", type = \"__u32\", flags = \"vfio_like_request_flags_flags\" }"
        ),
        "{schema}"
    );
    assert!(schema.contains("[[flags]]\nname = \"vfio_like_request_flags_flags\"\ninside = \"vfio_like_request.flags\""), "{schema}");
    assert!(
        schema.contains("{ name = \"start\", type = \"__aligned_u64\", doc = \"first byte\" }"),
        "{schema}"
    );
}

/// A third header: C-enum flags, an array of structs, an anonymous union of arrays.
#[test]
fn hand_written_ring_like_header_round_trips() {
    let header = repo_root().join("codegen/tests/import/linux/ring_like.h");
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    let schema = uapigen::import::import(&header, &[&include], "ring_like")
        .unwrap_or_else(|e| panic!("{e}"));
    let c = uapigen::load_source(
        uapigen::Source::new("ring_like.toml", schema.clone()),
        "ring_like.toml",
    )
    .unwrap_or_else(|e| panic!("imported schema does not load:\n{e}\n\n{schema}"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("uapi/linux")).unwrap();
    std::fs::copy(&header, dir.path().join("uapi/linux/ring_like.h")).unwrap();
    let mismatches = uapigen::clang_proof::prove(std::slice::from_ref(&c), dir.path()).unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}\n{schema}");
    let st = c.family.struct_by_name("ring_like_setup").unwrap();
    // 16 bytes of scalars, 4 slots of 8, a 16-byte union.
    assert_eq!(
        c.layouts[0]
            .structs
            .iter()
            .zip(&c.family.structs)
            .find(|(_, s)| s.name == st.name)
            .unwrap()
            .0
            .size,
        64
    );
    assert_eq!(
        c.family
            .constants()
            .find(|k| k.name == "RING_LIKE_F_ONE")
            .map(|k| k.value),
        Some(4)
    );
    assert!(
        schema.contains("# #define RING_LIKE_SLOT_BYTES: not a form `uapigen import` reads"),
        "{schema}"
    );
}

// ---- What import cannot write faithfully, it refuses: every declaration, at its line. ----

/// The refusal of `codegen/tests/import/refused/<file>`: every `file:line:col: error: ...`
/// line, with the folder left out.
fn refusal(file: &str) -> Vec<String> {
    let dir = repo_root().join("codegen/tests/import/refused");
    let header = dir.join(file);
    let family = file.trim_end_matches(".h");
    let e = match uapigen::import::import(&header, &[&dir], family) {
        Ok(schema) => panic!("{file} imported:\n{schema}"),
        Err(e) => e,
    };
    assert!(matches!(e, uapigen::Error::Schema(_)), "{e:?}");
    let prefix = format!("{}/", dir.display());
    e.to_string()
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(|l| l.replace(&prefix, ""))
        .collect()
}

const TYPES: &str = "the schema writes only the kernel's types (__u8 … __u64, __s8 … __s64, __aligned_u64) and `struct NAME`";

#[test]
fn bitfields_are_refused_not_widened() {
    assert_eq!(refusal("bitfield.h"), [
        "bitfield.h:6:8: error: `bf_req.mode` is a bitfield (`: 3`): the schema has no bitfields; declare the whole integer and name its bits with [[flags]]",
        "bitfield.h:7:8: error: `bf_req.rest` is a bitfield (`: 29`): the schema has no bitfields; declare the whole integer and name its bits with [[flags]]",
    ]);
}

#[test]
fn flexible_and_zero_length_arrays_are_refused() {
    assert_eq!(refusal("flexible_array.h"), [
        "flexible_array.h:7:8: error: `fa_list.entries` is a flexible array member (`[]`): the schema has no member of variable length; describe the fixed part, and the array in the docs",
        "flexible_array.h:12:8: error: `fa_zero.entries` is a zero-length array (`[0]`): the schema's arrays have at least one element; describe the fixed part, and the array in the docs",
    ]);
}

#[test]
fn packed_and_aligned_attributes_are_refused_not_dropped() {
    assert_eq!(refusal("packed.h"), [
        "packed.h:4:8: error: struct `pk_packed` has attribute(packed): the schema lays structs out naturally and cannot express packing or alignment",
        "packed.h:9:8: error: struct `pk_aligned` has attribute(aligned): the schema lays structs out naturally and cannot express packing or alignment",
        "packed.h:15:8: error: `pk_member.b` has attribute(aligned): the schema cannot express a member's packing or alignment (only `__aligned_u64`)",
        "packed.h:16:8: error: `pk_member.c` has attribute(aligned): the schema cannot express a member's packing or alignment (only `__aligned_u64`)",
    ]);
}

/// No attribute to see: libclang's own layout of the header, on every target, is the proof.
#[test]
fn a_pragma_pack_layout_is_refused_by_the_layout_proof() {
    assert_eq!(refusal("pragma_pack.h"), [
        "pragma_pack.h:5:8: error: struct `pp_req` is not laid out as the schema would write it (a `#pragma pack`, or another attribute import cannot see): on x86_64-linux-gnu and 6 other targets: sizeof/alignof 12/2 by libclang, 16/8 in the schema; `c` at offset 4 size 8 by libclang, offset 8 size 8 in the schema",
    ]);
}

#[test]
fn anonymous_structs_are_refused_not_named_empty() {
    assert_eq!(refusal("anonymous_struct.h"), [
        "anonymous_struct.h:10:4: error: `as_req.range` is an anonymous struct: the schema's struct members name a struct defined at file scope (`struct NAME member;`)",
        "anonymous_struct.h:12:3: error: an anonymous member of `as_req` is an anonymous struct: the schema's struct members name a struct defined at file scope (`struct NAME member;`)",
    ]);
}

#[test]
fn multi_dimensional_arrays_are_refused_not_flattened() {
    assert_eq!(refusal("multi_dim.h"), [
        "multi_dim.h:5:8: error: `md_matrix.m` is a multi-dimensional array (`__u32[4][4]`): the schema's arrays have one dimension (`len`)",
    ]);
}

/// An enum whose type is unsigned is read with the unsigned getter: 2^64 - 1 is not -1, and
/// neither it nor 2^63 fits a TOML integer; a negative value is not a uAPI constant here.
#[test]
fn enum_values_outside_the_schema_are_refused_with_their_real_value() {
    assert_eq!(refusal("enum_values.h"), [
        "enum_values.h:6:2: error: enum value `EV_WIDE_ALL` is 18446744073709551615: the schema's values are 0 to 9223372036854775807 (2^63 - 1)",
        "enum_values.h:7:2: error: enum value `EV_WIDE_TOP` is 9223372036854775808: the schema's values are 0 to 9223372036854775807 (2^63 - 1)",
        "enum_values.h:12:2: error: enum value `EV_SIGNED_NEG` is -1: the schema's values are 0 to 9223372036854775807 (2^63 - 1)",
    ]);
}

#[test]
fn shifts_c_leaves_undefined_and_values_too_large_are_refused() {
    assert_eq!(refusal("shifts.h"), [
        "shifts.h:4:9: error: #define SH_PAST_64 is `1ULL << 64`: a shift by 64 of a 64-bit `1ULL` is undefined in C",
        "shifts.h:5:9: error: #define SH_SIGN_31 is `1 << 31`: `1 << 31` overflows the signed 32-bit `1` (undefined in C); write `1U << 31`",
        "shifts.h:6:9: error: #define SH_SIGN_63 is `1LL << 63`: `1LL << 63` overflows the signed 64-bit `1LL` (undefined in C); write `1ULL << 63`",
        "shifts.h:7:9: error: #define SH_LONG_40 is `1UL << 40`: a shift by 40 of a 32-bit `1UL` is undefined in C; write `1ULL << 40`",
        "shifts.h:8:9: error: #define SH_NEGATIVE is `1 << -1`: a negative shift is undefined in C",
        "shifts.h:9:9: error: #define SH_TOO_BIG is 18446744073709551615: the schema's values are 0 to 9223372036854775807 (2^63 - 1)",
    ]);
}

#[test]
fn pointers_and_types_the_schema_cannot_name_are_refused() {
    let expected = [
        "not_kernel_types.h:19:8: error: `ty_req.ptr` has type `void *`: a pointer, whose size differs between 32- and 64-bit ABIs; uAPI structs carry user pointers as __aligned_u64".to_string(),
        format!("not_kernel_types.h:20:6: error: `ty_req.count` has type `int`: not a kernel type; {TYPES}: write __s32"),
        format!("not_kernel_types.h:21:15: error: `ty_req.ucount` has type `unsigned int`: not a kernel type; {TYPES}: write __u32"),
        format!("not_kernel_types.h:22:7: error: `ty_req.l` has type `long`: `long`, 4 bytes on 32-bit ABIs and 8 on 64-bit ones; {TYPES}"),
        format!("not_kernel_types.h:23:7: error: `ty_req.c` has type `char`: plain `char`, signed on some ABIs and unsigned on others; {TYPES}: write __u8 or __s8"),
        format!("not_kernel_types.h:24:12: error: `ty_req.size` has type `ty_size_t`: a typedef of `unsigned long`, 4 bytes on 32-bit ABIs and 8 on 64-bit ones; {TYPES}"),
        format!("not_kernel_types.h:25:14: error: `ty_req.handle` has type `ty_handle_t`: a typedef of `unsigned int`; {TYPES}: write __u32"),
        format!("not_kernel_types.h:26:15: error: `ty_req.kind` has type `enum ty_kind`: an enum, whose size is the compiler's choice; {TYPES}: write the integer the kernel copies (__u32) and link the enum with `enum = \"ty_kind\"`"),
        "not_kernel_types.h:27:13: error: `ty_req.inner` has type `ty_inner_t`, a typedef of `struct ty_inner`: the schema writes `struct ty_inner`; write it so in the header".to_string(),
        "not_kernel_types.h:28:14: error: `ty_req.ro` has a qualified type (`const __u32`): the schema has no const or volatile members".to_string(),
        "not_kernel_types.h:29:9: error: `ty_req.callback` has type `void (*)(void)`: a pointer, whose size differs between 32- and 64-bit ABIs; uAPI structs carry user pointers as __aligned_u64".to_string(),
    ];
    assert_eq!(refusal("not_kernel_types.h"), expected);
}

#[test]
fn tagged_unions_and_unions_holding_what_cannot_be_written_are_refused() {
    assert_eq!(refusal("unions.h"), [
        "unions.h:4:7: error: union `un_tagged` at file scope: the schema has no union types; write the union inline in the struct that holds it (`union { ... } name;`)",
        "unions.h:11:18: error: `un_req.t` is a `union un_tagged`: the schema writes unions inline in the struct, without a tag (`union { ... } t;`)",
        "unions.h:14:9: error: `un_req.u.ptr` has type `void *`: a pointer, whose size differs between 32- and 64-bit ABIs; uAPI structs carry user pointers as __aligned_u64",
    ]);
}

#[test]
fn a_struct_member_of_a_struct_from_another_header_is_refused() {
    assert_eq!(refusal("elsewhere.h"), [
        "elsewhere.h:8:18: error: `ew_req.range` has type `struct ew_range`, which this header does not define above it at file scope: the schema's `struct NAME` is a struct of the same schema, defined above",
    ]);
}

/// What `generate` would refuse (an implicit hole) is refused at the struct, not printed.
#[test]
fn a_skeleton_generate_would_refuse_is_refused_at_the_struct() {
    assert_eq!(refusal("hole.h"), [
        "hole.h:4:8: error: the schema import would write for this is refused: implicit padding hole in struct `ho_req`: 3 bytes at offset 1 between `kind` and `value`",
    ]);
}

#[test]
fn a_family_that_is_not_a_c_identifier_is_refused() {
    let header = repo_root().join("codegen/tests/import/linux/vfio_like.h");
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    for family in ["vfio-like", "x\n#define EVIL 1", "1st", ""] {
        let e = uapigen::import::import(&header, &[&include], family)
            .err()
            .unwrap_or_else(|| panic!("{family:?} accepted"));
        assert!(matches!(e, uapigen::Error::Usage(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("family name {family:?} (--family, or the header's file name) is not a C identifier (ASCII letters, digits and `_`, not starting with a digit): it names the schema, the Rust module and the include guard; pass --family NAME")
        );
    }
    // From the command line, and from a file name that makes no identifier: exit 2.
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("v1.2.h");
    std::fs::copy(&header, &odd).unwrap();
    for args in [
        vec![header.to_str().unwrap(), "--family", "bad\nname"],
        vec![odd.to_str().unwrap()],
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_uapigen"))
            .arg("import")
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("is not a C identifier"), "{err}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn a_header_file_name_the_schema_cannot_hold_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("two words.h");
    std::fs::copy(
        repo_root().join("codegen/tests/import/linux/vfio_like.h"),
        &odd,
    )
    .unwrap();
    let e = uapigen::import::import(&odd, &[], "two_words").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: the file name must be NAME.h (ASCII letters, digits, `_`, `-` and `.`): it becomes the schema's `header = \"linux/NAME.h\"`", odd.display())
    );
}

/// The refusals reach the user as `uapigen import` errors: exit 2, nothing on stdout.
#[test]
fn the_command_line_exits_2_with_every_refusal() {
    let dir = repo_root().join("codegen/tests/import/refused");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .arg("import")
        .arg(dir.join("bitfield.h"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        err.contains("bitfield.h:6:8: error: `bf_req.mode` is a bitfield"),
        "{err}"
    );
    assert!(
        err.contains("bitfield.h:7:8: error: `bf_req.rest` is a bitfield"),
        "{err}"
    );
    assert!(err.ends_with("2 errors\n"), "{err}");
}

// ---- What import accepts, it writes exactly: import → generate → libclang on both. ----

/// Imports `header`, generates C from the skeleton, and checks that libclang lays out every
/// struct of the generated header exactly as the original on every target, and that every
/// constant has the same value in both.
fn import_generate_compare(header: &Path, family: &str) -> String {
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    let schema =
        uapigen::import::import(header, &[&include], family).unwrap_or_else(|e| panic!("{e}"));
    let file = format!("{family}.toml");
    let c = uapigen::load_source(uapigen::Source::new(file.clone(), schema.clone()), &file)
        .unwrap_or_else(|e| panic!("imported schema does not load:\n{e}\n\n{schema}"));
    let out = tempfile::tempdir().unwrap();
    let files = uapigen::generate(
        std::slice::from_ref(&c),
        &uapigen::emit::Templates::new(None).unwrap(),
        &uapigen::emit::RustCrate::default(),
    )
    .unwrap();
    files.write(out.path()).unwrap();
    let stub = tempfile::tempdir().unwrap();
    std::fs::create_dir(stub.path().join("linux")).unwrap();
    std::fs::write(
        stub.path().join("linux/types.h"),
        uapigen::clang_proof::TYPES_H,
    )
    .unwrap();
    std::fs::write(
        stub.path().join("linux/ioctl.h"),
        uapigen::clang_proof::IOCTL_H,
    )
    .unwrap();
    let original = format!("#include \"{}\"\n", header.display());
    let generated = format!(
        "#include \"{}\"\n",
        out.path()
            .join("include/uapi")
            .join(&c.family.header)
            .display()
    );
    let dirs = [stub.path(), include.as_path()];
    assert!(!c.family.structs.is_empty() || c.family.constants().count() > 0);
    for target in uapigen::layout::TARGETS {
        let a = uapigen::clang_proof::measure(&original, &dirs, target).unwrap();
        let b = uapigen::clang_proof::measure(&generated, &dirs, target).unwrap();
        for st in &c.family.structs {
            assert_eq!(
                a.get(&st.name),
                b.get(&st.name),
                "{} on {}:\n{schema}",
                st.name,
                target.triple
            );
            assert!(a.contains_key(&st.name), "{}", st.name);
        }
    }
    let names: Vec<String> = c.family.constants().map(|k| k.name.clone()).collect();
    let a = uapigen::clang_proof::evaluate(&original, &dirs, &names).unwrap();
    let b = uapigen::clang_proof::evaluate(&generated, &dirs, &names).unwrap();
    for n in &names {
        assert!(a[n].is_some(), "{n} has no value in the original");
        assert_eq!(a[n], b[n], "{n}:\n{schema}");
    }
    schema
}

#[test]
fn every_accepted_fixture_generates_the_same_layout_and_values_as_its_original() {
    for (header, family) in [
        ("codegen/tests/import/linux/vfio_like.h", "vfio_like"),
        ("codegen/tests/import/linux/ring_like.h", "ring_like"),
        (
            "codegen/tests/import/linux/accepted_forms.h",
            "accepted_forms",
        ),
        ("generated/include/uapi/linux/iommu.h", "iommu"),
        ("generated/include/uapi/linux/iommufd.h", "iommufd"),
        (
            "codegen/tests/golden/out/include/uapi/linux/features.h",
            "features",
        ),
    ] {
        import_generate_compare(&repo_root().join(header), family);
    }
}

/// Octal is octal, a `"` character is escaped, the guard is the identifier after `#ifndef`,
/// `1U << 31` is bit 31; a cast, a function-like macro or a name that is not a constant above
/// is listed for the author.
#[test]
fn accepted_forms_are_written_as_c_means_them() {
    let schema = import_generate_compare(
        &repo_root().join("codegen/tests/import/linux/accepted_forms.h"),
        "accepted_forms",
    );
    for want in [
        "guard = \"_UAPI_ACCEPTED_FORMS_H\"\n",
        "name = \"AF_OCTAL\"\nvalue = 8\n",
        "name = \"AF_QUOTE\"\nchar = \"\\\"\"\n",
        "name = \"AF_TOP_U32\"\nbit = 31\n",
        "name = \"AF_TOP_U64\"\nbit = 63\n",
        "# #define AF_CAST: not a form",
        "# #define AF_FN: not a form",
        "# #define AF_TYPE: not a form",
        "name = \"AF_ALIAS\"\nalias = \"AF_OCTAL\"\n",
        "summary = \"a \\\"quoted\\\" summary \\\\ with a backslash\"\n",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
}
