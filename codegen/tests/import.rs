//! `uapigen import`: libclang reads a header and writes a schema skeleton. Round trip:
//! import → load (every check) → the same layout on every target for every struct, and the
//! same constants, as the header it came from.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// What `uapigen generate` writes for one family.
fn generate_one(c: &uapigen::Checked) -> Result<uapigen::Output, uapigen::Error> {
    generate(
        std::slice::from_ref(c),
        &uapigen::emit::Templates::new(None)?,
        &uapigen::emit::RustCrate::default(),
    )
}

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
        for (a, b) in expected.layouts.iter().zip(imported.layouts.iter()) {
            assert_eq!(
                a.structs[si], b.structs[ii],
                "{} on {}",
                st.name, a.target.triple
            );
        }
    }
    for k in expected.family.constants() {
        // A name defined once per architecture (`when`) is each target's own.
        let on = |c: &uapigen::ir::Constant| c.when.as_ref().map(|w| w.on.clone());
        let got = imported
            .family
            .constants()
            .find(|c| c.name == k.name && on(c) == on(k))
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
        family(&families, "features"),
    );
}

/// enums.toml's header: negative enum values and values past int come back with their values
/// (`round_trip` compares each constant's), and each enum with its C type.
#[test]
fn enums_schema_header_round_trips() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let expected = family(&families, "enums");
    let schema = round_trip(
        &repo_root().join("codegen/tests/golden/out/include/uapi/linux/enums.h"),
        "enums",
        expected,
    );
    let imported = uapigen::load_source(
        uapigen::Source::new("enums.toml", schema.clone()),
        "enums.toml",
    )
    .unwrap();
    for g in &expected.family.groups {
        let i = imported
            .family
            .groups
            .iter()
            .find(|i| i.values.iter().any(|c| c.name == g.values[0].name))
            .unwrap_or_else(|| panic!("{} not imported:\n{schema}", g.name));
        assert_eq!(i.enum_repr(), g.enum_repr(), "{}:\n{schema}", g.name);
        assert_eq!(i.past_int, g.past_int, "{}:\n{schema}", g.name);
    }
}

/// arrays.toml's header: multi-dimensional arrays, fixed and flexible, come back as `dims`
/// with the same layouts on every target.
#[test]
fn arrays_schema_header_round_trips() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let schema = round_trip(
        &repo_root().join("codegen/tests/golden/out/include/uapi/linux/arrays.h"),
        "arrays",
        family(&families, "arrays"),
    );
    assert!(
        schema.contains("{ name = \"cube\", type = \"__u16\", len = 2, dims = [3, 2]"),
        "{schema}"
    );
    assert!(
        schema.contains("{ name = \"addr\", type = \"__u8\", flexible = true, dims = [6]"),
        "{schema}"
    );
}

/// forward.toml's header: defines that name constants and a struct defined below them come
/// back as written, in the header's order (the schema evaluates them once what they name is
/// known, as the preprocessor expands them where they are used).
#[test]
fn forward_references_round_trip() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let schema = round_trip(
        &repo_root().join("codegen/tests/golden/out/include/uapi/linux/forward.h"),
        "forward",
        family(&families, "forward"),
    );
    let at = |needle: &str| {
        schema
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}:\n{schema}"))
    };
    assert!(at("name = \"FW_ALL\"") < at("name = \"FW_A\""), "{schema}");
    assert!(
        at("name = \"FW_GET\"") < at("name = \"fw_req\""),
        "{schema}"
    );
    assert!(!schema.contains("# not imported: #define"), "{schema}");
}

/// caps.toml's header (a capability chain's structs, `areas[]` flexible) imports back to its
/// layouts and constants; the chain itself is the schema's to say.
#[test]
fn capability_chain_schema_header_round_trips() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    round_trip(
        &repo_root().join("codegen/tests/golden/out/include/uapi/linux/caps.h"),
        "caps",
        family(&families, "caps"),
    );
}

#[test]
fn flexible_array_schema_header_round_trips() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let schema = round_trip(
        &repo_root().join("codegen/tests/golden/out/include/uapi/linux/flex.h"),
        "flex",
        family(&families, "flex"),
    );
    assert!(
        schema.contains("{ name = \"data\", type = \"__u8\", flexible = true, doc = \"count elements, as the flags say\" }"),
        "{schema}"
    );
    assert!(
        schema.contains("{ name = \"entries\", type = \"struct kvm_msr_entry\", len = 0 }"),
        "{schema}"
    );
}

/// A hand-written header ending its structs in `__u8 data[]`, `struct x y[]`, an old `[0]`
/// and a plain `__u64 v[]`: each becomes the schema's flexible member, and libclang sees the
/// original header's layout on every target in what uapigen computes from the skeleton.
#[test]
fn hand_written_flexible_array_header_round_trips() {
    let header = repo_root().join("codegen/tests/import/linux/flex_like.h");
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    let schema = uapigen::import::import(&header, &[&include], "flex_like")
        .unwrap_or_else(|e| panic!("{e}"));
    let c = uapigen::load_source(
        uapigen::Source::new("flex_like.toml", schema.clone()),
        "flex_like.toml",
    )
    .unwrap_or_else(|e| panic!("imported schema does not load:\n{e}\n\n{schema}"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("uapi/linux")).unwrap();
    std::fs::copy(&header, dir.path().join("uapi/linux/flex_like.h")).unwrap();
    let mismatches = uapigen::clang_proof::prove(std::slice::from_ref(&c), dir.path()).unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}\n{schema}");
    for line in [
        "{ name = \"data\", type = \"__u8\", flexible = true, doc = \"count elements\" }",
        "{ name = \"areas\", type = \"struct flex_like_area\", flexible = true }",
        "{ name = \"entries\", type = \"struct flex_like_area\", len = 0 }",
        "{ name = \"values\", type = \"__u64\", flexible = true }",
    ] {
        assert!(schema.contains(line), "{line} in:\n{schema}");
    }
    // And what uapigen writes back from the skeleton spells each as the header did.
    let out = tempfile::tempdir().unwrap();
    generate_one(&c).unwrap().write(out.path()).unwrap();
    let h = std::fs::read_to_string(out.path().join("include/uapi/linux/flex_like.h")).unwrap();
    for decl in [
        "\t__u8 data[];\n",
        "\tstruct flex_like_area areas[];\n",
        "\t__extension__ struct flex_like_area entries[0];\n",
        "\t__u64 values[];\n",
    ] {
        assert!(h.contains(decl), "{decl:?} in:\n{h}");
    }
    let i686 = c
        .layouts
        .iter()
        .find(|l| l.target.triple == "i686-linux-gnu")
        .unwrap();
    let u64s = i686.struct_(c.struct_id("flex_like_u64").unwrap());
    assert_eq!((u64s.size, u64s.align), (8, 4));
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
            "{ name = \"flags\", type = \"__u32\", flags = \"vfio_like_request_flags\" }"
        ),
        "{schema}"
    );
    assert!(
        schema.contains(
            "[[flags]]\nname = \"vfio_like_request_flags\"\ninside = \"vfio_like_request.flags\""
        ),
        "{schema}"
    );
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
    // `sizeof` of a struct is read as written, and holds its value.
    assert!(
        schema.contains(
            "name = \"RING_LIKE_SLOT_BYTES\"\nexpr = \"(sizeof(struct ring_like_slot) * 4)\""
        ),
        "{schema}"
    );
    assert_eq!(
        c.family
            .constants()
            .find(|k| k.name == "RING_LIKE_SLOT_BYTES")
            .map(|k| k.value),
        Some(32)
    );
}

/// ioctl numbers as the kernel writes them: `_IOR`/`_IOW`/`_IOWR` of a struct above or a
/// scalar (`long` too, sized per ABI), a char-literal type, a number written as an expression
/// of constants; an argument type the schema cannot write (a struct not above) is listed with
/// its reason. gcc
/// judges the values: the original header against the real `<linux/ioctl.h>`, on `-m64` and
/// `-m32`, against the imported IR's; and the header generated from the skeleton spells them
/// as the original does.
#[test]
fn hand_written_ioctl_header_round_trips() {
    let header = repo_root().join("codegen/tests/import/linux/ioctl_like.h");
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    let schema = uapigen::import::import(&header, &[&include], "ioctl_like")
        .unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "ioctl = { type = \"IOCTL_LIKE_TYPE\", nr = 0x81, dir = \"r\", size = \"struct ioctl_like_regs\" }",
        "ioctl = { type = \"IOCTL_LIKE_TYPE\", nr = \"IOCTL_LIKE_BASE + 3\", dir = \"rw\", size = \"struct ioctl_like_regs\" }",
        "ioctl = { type = \"'V'\", nr = 39, dir = \"rw\", size = \"int\" }",
        "ioctl = { type = \"'V'\", nr = 67, dir = \"r\", size = \"__u32\" }",
        "ioctl = { type = \"IOCTL_LIKE_TYPE\", nr = \"IOCTL_LIKE_BASE + 4\" }",
        "ioctl = { type = \"IOCTL_LIKE_TYPE\", nr = 0x80 }",
        "alias = \"IOCTL_LIKE_GET_REGS\"",
        // `long` is a word: the number's size, and so its value, is each ABI's.
        "ioctl = { type = \"IOCTL_LIKE_TYPE\", nr = 6, dir = \"w\", size = \"long\" }",
        "# not imported: #define IOCTL_LIKE_LATER at ioctl_like.h:27:9: its argument type is `struct ioctl_like_later`, which is not a struct this header defines above it; add it by hand",
    ] {
        assert!(schema.contains(line), "{line}\n\n{schema}");
    }
    let c = uapigen::load_source(
        uapigen::Source::new("ioctl_like.toml", schema.clone()),
        "ioctl_like.toml",
    )
    .unwrap_or_else(|e| panic!("imported schema does not load:\n{e}\n\n{schema}"));
    let names: Vec<&str> = c
        .family
        .constants()
        .map(|k| k.name.as_str())
        .filter(|n| {
            n.starts_with("IOCTL_LIKE_") && *n != "IOCTL_LIKE_TYPE" && *n != "IOCTL_LIKE_BASE"
        })
        .collect();
    assert_eq!(names.len(), 10, "{schema}");
    let mut src = format!(
        "#include <stdio.h>\n#include \"{}\"\nint main(void) {{\n",
        header.display()
    );
    for n in &names {
        src.push_str(&format!(
            "\tprintf(\"%s %llu\\n\", \"{n}\", (unsigned long long)({n}));\n"
        ));
    }
    src.push_str("\treturn 0;\n}\n");
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        let target = uapigen::layout::target_by_triple(triple).unwrap();
        let expected: String = c
            .family
            .constants()
            .filter(|k| names.contains(&k.name.as_str()))
            .map(|k| format!("{} {}\n", k.name, c.family.value_on(k, target)))
            .collect();
        let exe = compile(
            "cc",
            "ioctl.c",
            &src,
            &[flag, "-std=c11", "-Wall", "-Werror"],
            &include,
        );
        assert_eq!(run(&exe), expected, "{flag}");
    }
    // _IOR(0xAE, 0x81, 48 bytes) as asm-generic/ioctl.h encodes it, and powerpc's.
    let get = c
        .family
        .constants()
        .find(|k| k.name == "IOCTL_LIKE_GET_REGS")
        .unwrap();
    assert_eq!(get.value, (2 << 30) | (48 << 16) | (0xAE << 8) | 0x81);
    assert_eq!(
        c.family.value_on(
            get,
            uapigen::layout::target_by_triple("powerpc64le-linux-gnu").unwrap()
        ),
        (2 << 29) | (48 << 16) | (0xAE << 8) | 0x81
    );
    let out = generate_one(&c).unwrap();
    let dir = tempfile::tempdir().unwrap();
    out.write(dir.path()).unwrap();
    let h = std::fs::read_to_string(dir.path().join("include/uapi/linux/ioctl_like.h")).unwrap();
    for line in [
        "_IOR(IOCTL_LIKE_TYPE, 0x81, struct ioctl_like_regs)",
        "_IOWR(IOCTL_LIKE_TYPE, IOCTL_LIKE_BASE + 3, struct ioctl_like_regs)",
        "_IOWR('V', 39, int)",
        "_IO(IOCTL_LIKE_TYPE, IOCTL_LIKE_BASE + 4)",
        "_IOW(IOCTL_LIKE_TYPE, 9, struct ioctl_like_odd)",
    ] {
        assert!(h.contains(line), "{line}\n\n{h}");
    }
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

#[test]
fn ioctl_numbers_the_schema_cannot_write_are_refused() {
    assert_eq!(refusal("ioctl_numbers.h"), [
        "ioctl_numbers.h:14:9: error: the schema import would write for this is refused: `IOCTL_NUMBERS_GET` is an ioctl number whose argument's size differs between ABIs",
    ]);
}

/// A bitfield is imported as one (`bits`), not widened; import → generate → libclang on
/// every target give the same bits.
#[test]
fn bitfields_are_imported_as_bits() {
    let header = repo_root().join("codegen/tests/import/linux/bitfield.h");
    let schema = import_generate_compare(&header, "bitfield");
    assert!(
        schema.contains("{ name = \"mode\", type = \"__u32\", bits = 3 }"),
        "{schema}"
    );
    assert!(
        schema.contains("{ name = \"rest\", type = \"__u32\", bits = 29 }"),
        "{schema}"
    );
}

/// A named bitfield directly in a union, which no Rust type has a member for, is imported with
/// its struct's Rust type opaque (`rust_opaque`), each bitfield at the union's first bit as C
/// places it (import's proof on every target, and the comparison below).
#[test]
fn bitfields_in_a_union_make_the_rust_type_opaque() {
    let header = repo_root().join("codegen/tests/import/linux/bitfield_union.h");
    let schema = import_generate_compare(&header, "bitfield_union");
    for line in [
        // The union's unused bits are padding, the kernel's: an `abi_trap` before it.
        "name = \"bu_req\"\nabi_trap = { revisions = [\"r1\"], note = \"as the kernel ships it: implicit padding, or a layout that differs between ABIs (import proved it with libclang on every target)\" }\n# a named bitfield directly in a union, which no Rust type has a member for: its Rust types are its bytes\nrust_opaque = true\n",
        "{ name = \"mode\", type = \"__u32\", bits = 3 },",
        "{ name = \"kind\", type = \"__u32\", bits = 5 },",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
}

/// GNU C's `[0]` before another member is a zero-length array, 0 bytes where it stands
/// (linux/usb/video.h's `baSourceID[0]` before `iSelector`), no flexible array member: it is
/// imported as `len = 0` and laid out as libclang does on every target; `[0]` in the union
/// that ends a struct, and `[]` last, are flexible array members.
#[test]
fn zero_length_arrays_before_a_member_are_imported() {
    let header = repo_root().join("codegen/tests/import/linux/zero_length.h");
    let schema = import_generate_compare(&header, "zero_length");
    for member in [
        "{ name = \"data\", type = \"__u8\", flexible = true }",
        "{ name = \"b\", type = \"__u8\", len = 0 }",
        "{ name = \"entries\", type = \"__u32\", len = 0 }",
    ] {
        assert!(schema.contains(member), "{member}:\n{schema}");
    }
}

/// A struct that ends in a flexible array member, where ISO C takes none and the kernel's
/// headers put one (before a member, as array elements, in a union), is `embeds_flexible`:
/// import → generate → libclang give the same layouts on every target. An OR of `(1 << 31)`,
/// an int, is an `expr`, which keeps C's negative value.
#[test]
fn structs_ending_in_a_flexible_array_embed_where_gnu_c_takes_them() {
    let header = repo_root().join("codegen/tests/import/linux/gnu_flex.h");
    let schema = import_generate_compare(&header, "gnu_flex");
    for member in [
        "{ name = \"entry\", type = \"struct gf_entry\", embeds_flexible = true }",
        "{ name = \"first\", type = \"struct gf_entry\", len = 2, embeds_flexible = true }",
        "{ name = \"entries\", type = \"struct gf_entry\", flexible = true, embeds_flexible = true }",
        "{ name = \"standard\", type = \"struct gf_standard\" }",
        "expr = \"(GF_FLAG_DIRECT | GF_FLAG_RAW)\"",
    ] {
        assert!(schema.contains(member), "{member}:\n{schema}");
    }
}

/// Enums as members' types (a typedef of one without a tag, a typedef of a tagged one, one
/// declared as its member's type, with or without a tag) and an ioctl of a typedef defined below it are imported as
/// the schema writes them: import → generate → libclang give the same layouts and values on
/// every target.
#[test]
fn enums_declared_as_typedefs_and_members_are_imported() {
    let header = repo_root().join("codegen/tests/import/linux/enum_types.h");
    let schema = import_generate_compare(&header, "enum_types");
    for line in [
        "name = \"et_play_state_t\"\ntypedef = true\n",
        "name = \"et_status_func\"\nmember = true\n",
        "[[typedef]]\nname = \"et_rate_t\"\ntype = \"enum et_rate\"\n",
        "{ name = \"func\", type = \"enum et_status_func\" }",
        "{ name = \"state\", type = \"et_play_state_t\" }",
        "{ name = \"rate\", type = \"et_rate_t\" }",
        "args = [\"1\", \"et_status_t\"]",
        "name = \"et_what\"\nmember = true\ntagged = true\npast_int = true\n",
        "{ name = \"what\", type = \"enum et_what\" }",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
}

/// A member aligned as another struct (`aligned(__alignof__(struct X))`, ebtables.h's) is
/// imported as that text, and generate lays it out per target as gcc does: import →
/// generate → libclang give the same layouts on every target.
#[test]
fn members_aligned_as_another_struct_are_imported() {
    let header = repo_root().join("codegen/tests/import/linux/alignof_like.h");
    let schema = import_generate_compare(&header, "alignof_like");
    for line in [
        "{ name = \"tag\", type = \"unsigned char\", len = 3, aligned = \"__alignof__(struct al_replace)\" }",
        "{ name = \"data\", type = \"char\", flexible = true, aligned = \"__alignof__(struct al_replace)\" }",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
}

/// An `#include` the header writes below a constant the included header needs (linux/if.h's
/// <linux/hdlc/ioctl.h> below `IFNAMSIZ`) is imported at its place, and the regenerated header
/// compiles and lays out as the original.
#[test]
fn an_include_below_a_constant_stays_below_it() {
    let header = repo_root().join("codegen/tests/import/linux/pos_outer.h");
    let schema = import_generate_compare(&header, "pos_outer");
    assert!(
        schema.contains(
            "includes = [\"linux/types.h\", { header = \"linux/pos_inner.h\", after = \"POS_ALIASZ\" }]"
        ),
        "{schema}"
    );
}

/// What the schema's `packed` and `aligned = n` cannot hold is refused, not dropped: an
/// alignment that is not a number (`sizeof(__u64)`), gcc's bare `aligned` (the ABI's largest),
/// one past a page, and packing on a union.
#[test]
fn packed_and_aligned_attributes_the_schema_cannot_hold_are_refused_not_dropped() {
    let number = "the schema's `aligned` is a power of two up to 4096, written as a number or a constant's name";
    assert_eq!(
        refusal("packed.h"),
        [
            format!("packed.h:6:8: error: `pk_sizeof.b` has `aligned(sizeof(__u32))`: {number}"),
            format!("packed.h:9:8: error: struct `pk_bare` has `aligned`: {number}"),
            format!("packed.h:13:8: error: struct `pk_odd` has `aligned(8192)`: {number}"),
        ]
    );
}

/// The packed and aligned structs of `golden/schema/packed.toml`, from the header uapigen
/// wrote for them: the same layouts on every target, the same keys.
#[test]
fn packed_schema_header_round_trips() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let schema = round_trip(
        &repo_root().join("codegen/tests/golden/out/include/uapi/linux/packed.h"),
        "packed",
        family(&families, "packed"),
    );
    for line in [
        "name = \"pk_tstamp64\"\npacked = true\naligned = 4\n",
        "name = \"pk_pair\"\naligned = 8\n",
        "{ name = \"timestamp_ns\", type = \"__u64\", aligned = 8 }",
        "{ name = \"u\", aligned = 16, union = [",
    ] {
        assert!(schema.contains(line), "{line:?} in:\n{schema}");
    }
}

/// The spellings real headers use (`__packed__`, `packed, aligned(4)`, an attribute before
/// the member's name, spaces, a hex alignment): the skeleton has the schema's keys, libclang
/// sees the original header's layout on every target in what uapigen computes from it, and
/// the header uapigen writes back spells them as the kernel's headers do.
#[test]
fn hand_written_packed_header_round_trips() {
    let header = repo_root().join("codegen/tests/import/linux/packed_like.h");
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    let schema = uapigen::import::import(&header, &[&include], "packed_like")
        .unwrap_or_else(|e| panic!("{e}"));
    let c = uapigen::load_source(
        uapigen::Source::new("packed_like.toml", schema.clone()),
        "packed_like.toml",
    )
    .unwrap_or_else(|e| panic!("imported schema does not load:\n{e}\n\n{schema}"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("uapi/linux")).unwrap();
    std::fs::copy(&header, dir.path().join("uapi/linux/packed_like.h")).unwrap();
    let mismatches = uapigen::clang_proof::prove(std::slice::from_ref(&c), dir.path()).unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}\n{schema}");
    assert!(!schema.contains("abi_trap"), "{schema}");
    for line in [
        "name = \"pl_cmd\"\npacked = true\n",
        "name = \"pl_tstamp\"\npacked = true\naligned = 4\n",
        "{ name = \"timestamp_ns\", type = \"__u64\", aligned = 8 }",
        "{ name = \"data\", type = \"__u8\", len = 8, aligned = 16 }",
        "name = \"pl_wide\"\naligned = 16\n",
        "name = \"pl_netlink\"\naligned = 8\n",
    ] {
        assert!(schema.contains(line), "{line:?} in:\n{schema}");
    }
    let out = tempfile::tempdir().unwrap();
    generate_one(&c).unwrap().write(out.path()).unwrap();
    let h = std::fs::read_to_string(out.path().join("include/uapi/linux/packed_like.h")).unwrap();
    for decl in [
        "} __attribute__((packed));\n",
        "} __attribute__((packed, aligned(4)));\n",
        "\t__u64 timestamp_ns __attribute__((aligned(8)));\n",
        "\t__u8 data[8] __attribute__((aligned(16)));\n",
        "} __attribute__((aligned(16)));\n",
    ] {
        assert!(h.contains(decl), "{decl:?} in:\n{h}");
    }
    let l = &c.layouts[0];
    let ev = l.struct_(c.struct_id("pl_event").unwrap());
    assert_eq!(
        (ev.size, ev.align, ev.member("cmd").unwrap().offset),
        (32, 16, 24)
    );
}

/// `#pragma pack(n)`, `pack(push, n)` and `pack(pop)` are each struct's `pack`, as the pragma
/// stands where the struct begins; libclang's layout on every target is the proof. (The
/// fixture sits among the refused ones, which it was until `pack` came.)
#[test]
fn pragma_pack_is_each_struct_s_pack() {
    let schema = import_generate_compare(
        &repo_root().join("codegen/tests/import/refused/pragma_pack.h"),
        "pragma_pack",
    );
    for want in [
        "name = \"pp_req\"\npack = 2\n",
        "name = \"pp_bits\"\npack = 4\n",
        "name = \"pp_plain\"\nfields",
    ] {
        assert!(schema.contains(want), "{want}:\n{schema}");
    }
    assert!(!schema.contains("not imported"), "{schema}");
}

/// A packing import does not see (C99's `_Pragma` operator): libclang's own layout of the
/// header, on every target, is the proof.
#[test]
fn a_packing_import_cannot_see_is_refused_by_the_layout_proof() {
    assert_eq!(refusal("pragma_operator.h"), [
        "pragma_operator.h:5:8: error: struct `po_req` is not laid out as the schema would write it (a `#pragma pack`, or another attribute import cannot see): on x86_64-linux-gnu and 6 other targets: sizeof/alignof 12/2 by libclang, 16/8 in the schema; `c` at offset 4 size 8 by libclang, offset 8 size 8 in the schema",
    ]);
}

/// An untagged struct reached through a typedef (`typedef struct { ... } ts_pair;`) is the
/// schema's struct `ts_pair` with `typedef = true`, and a member of its type names it. (The
/// fixture sits among the refused ones, which it was until typedef'd structs came.)
#[test]
fn a_typedef_of_an_untagged_struct_is_a_typedef_struct() {
    let schema = import_generate_compare(
        &repo_root().join("codegen/tests/import/refused/typedef_struct.h"),
        "typedef_struct",
    );
    assert!(
        schema.contains("[[struct]]\nname = \"ts_pair\"\ntypedef = true\n"),
        "{schema}"
    );
    assert!(
        schema.contains("{ name = \"pair\", type = \"ts_pair\" }"),
        "{schema}"
    );
}

/// Untagged structs, named and anonymous, in a struct and in unions, become `struct = [...]`
/// where the header has them, and the members of an anonymous one are the struct's: a rule
/// may read `x` and `u.s.count` by those paths.
#[test]
fn untagged_structs_are_imported_inline() {
    let header = repo_root().join("codegen/tests/import/linux/anon_like.h");
    let schema = import_generate_compare(&header, "anon_like");
    for line in [
        "{ name = \"range\", struct = [",
        "{ struct = [",
        "{ name = \"s\", struct = [",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    let with_rule = schema.replace(
        "name = \"as_req\"\n",
        "name = \"as_req\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"x\" }\nrules = [{ require = [{ field = \"x\", nonzero = true }, { field = \"u.s.count\", below = 8 }, { field = \"pad\", zero = true }] }]\n",
    );
    assert_ne!(with_rule, schema, "{schema}");
    let c = uapigen::load_source(
        uapigen::Source::new("anon_like.toml", with_rule.clone()),
        "anon_like.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{with_rule}"));
    // The rules read the members where the header has them: x at 16 (in the anonymous
    // struct of the anonymous union), u.s.count at 24, pad at 36 (in the last anonymous
    // struct); min_size is offsetofend(x).
    let plan = c
        .latest()
        .validator(c.struct_id("as_req").unwrap())
        .unwrap();
    assert_eq!(plan.min_size, 20);
    let reads: Vec<(u64, u64)> = plan.rules[0]
        .require
        .iter()
        .map(|op| (op.offset, op.size))
        .collect();
    assert_eq!(reads, [(16, 4), (24, 2), (36, 4)]);
}

/// An enum whose type is unsigned is read with the unsigned getter: 2^64 - 1 is not -1. A
/// value past 2^63 - 1 is imported as the C expression the header writes (`EV_WIDE_TOP`), but
/// not one with a comment inside, nor one of an enum declared as a member's type, whose
/// values import writes as numbers; a negative value of a signed enum is imported
/// (`ev_signed` is not refused).
#[test]
fn enum_values_outside_the_schema_are_refused_with_their_real_value() {
    assert_eq!(refusal("enum_values.h"), [
        "enum_values.h:6:2: error: enum value `EV_WIDE_ALL` is 18446744073709551615, past 2^63 - 1, and written by no expression import can copy",
        "enum_values.h:18:3: error: enum value `EV_MEMBER_TOP` is past 2^63 - 1 in an enum declared as a member's type, whose values import writes as numbers",
    ]);
}

#[test]
fn shifts_c_leaves_undefined_and_values_too_large_are_refused() {
    assert_eq!(refusal("shifts.h"), [
        "shifts.h:4:9: error: #define SH_PAST_64 is `1ULL << 64`: a shift by 64 of a 64-bit `1ULL` is undefined in C",
        "shifts.h:7:9: error: #define SH_LONG_40 is `1UL << 40`: a shift by 40 of a 32-bit `1UL` is undefined in C; write `1ULL << 40`",
        "shifts.h:8:9: error: #define SH_NEGATIVE is `1 << -1`: a negative shift is undefined in C",
    ]);
}

#[test]
fn pointers_and_types_the_schema_cannot_name_are_refused() {
    // `void *` (line 19) is a pointer the schema writes; `int`, `unsigned int`, `long` and
    // plain `char` (lines 20 to 23) are C's integers, which the schema writes as they are.
    let expected = [
        // Lines 24, 25 and 27 name typedefs of what the schema writes (`unsigned long`,
        // `__u32`, `struct ty_inner`): `[[typedef]]`s, read as the header has them; line 31
        // points to one of them (`ty_size_t *`, as linux/virtio_ring.h's `vring_desc_t *`).
        "not_kernel_types.h:28:15: error: `ty_req.ro` is a qualified pointer (`__u32 *const`): the schema qualifies what a member holds, not a pointer".to_string(),
        "not_kernel_types.h:29:9: error: `ty_req.callback` has type `void (*)(int, ...)`: a function pointer with `...` or without a prototype (`void (int, ...)`)".to_string(),
        "not_kernel_types.h:30:11: error: `ty_req.pages` has type `__u64 ***`: a pointer to a pointer that is qualified or points to a pointer itself (`__u64 **`); the schema writes `T *` with T void, an integer type it has or `struct NAME`, or `T **` (two levels of `*` at most)".to_string(),
    ];
    assert_eq!(refusal("not_kernel_types.h"), expected);
}

/// A tagged union is a `[[union]]` and a member of its type `union NAME`; a union that holds
/// what the schema cannot write is refused at that member.
#[test]
fn tagged_unions_import_and_unions_holding_what_cannot_be_written_are_refused() {
    assert_eq!(refusal("unions.h"), [
        "unions.h:14:12: error: `un_req.u.pages` has type `__u64 ***`: a pointer to a pointer that is qualified or points to a pointer itself (`__u64 **`); the schema writes `T *` with T void, an integer type it has or `struct NAME`, or `T **` (two levels of `*` at most)",
    ]);
    let (_dir, linux) = linux_folder();
    let header = linux.join("tagged.h");
    std::fs::write(
        &header,
        "#ifndef _TAGGED_H\n#define _TAGGED_H\n#include <linux/types.h>\n\
         union tg_value {\n\t__u32 a;\n\t__u64 b;\n};\n\
         struct tg_req {\n\t__u64 head;\n\tunion tg_value v;\n\tunion tg_value more[2];\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "tagged");
    assert!(
        schema.contains("[[union]]\nname = \"tg_value\""),
        "{schema}"
    );
    assert!(
        schema.contains("{ name = \"v\", type = \"union tg_value\" }"),
        "{schema}"
    );
    assert!(
        schema.contains("{ name = \"more\", type = \"union tg_value\", len = 2 }"),
        "{schema}"
    );
}

/// A struct of another header the header includes is copied as `extern` (its header then
/// among the `includes`), and the skeleton is held to the header: the copy's layout is
/// libclang's on every target (`import` proves it), and the generated header, which includes
/// the other header instead of writing the copy, compiles to the same layout.
#[test]
fn a_struct_of_another_header_is_copied_as_extern() {
    let dir = repo_root().join("codegen/tests/import/refused");
    let schema = uapigen::import::import(&dir.join("elsewhere.h"), &[&dir], "elsewhere")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        schema.contains("includes = [\"linux/types.h\", \"linux/elsewhere_types.h\"]"),
        "{schema}"
    );
    assert!(
        schema.contains("[[struct]]\nname = \"ew_range\"\nextern = \"linux/elsewhere_types.h\"\n"),
        "{schema}"
    );
    let m = uapigen::load_source(
        uapigen::Source::new("elsewhere.toml", schema.clone()),
        "elsewhere.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let h = uapigen::emit::c_header::emit(&m.family, &uapigen::emit::Templates::new(None).unwrap())
        .unwrap();
    assert!(!h.contains("struct ew_range {"), "{h}");
}

/// Typedefs of what the schema writes are `[[typedef]]`s: the header's own where it has them,
/// another header's (linux/can/bcm.h's members of linux/can.h's `canid_t`) as `extern` copies,
/// a typedef of a scalar ahead of the copied structs that hold it and one of a struct after
/// it; the generated header names them as the original does and compiles to its layout.
/// Another header's unions are copied as its structs are.
#[test]
fn typedefs_are_imported_and_another_headers_copied() {
    let (_dir, linux) = linux_folder();
    std::fs::write(
        linux.join("td_base.h"),
        "#ifndef _TD_BASE_H\n#define _TD_BASE_H\n#include <linux/types.h>\n\
         typedef __u32 tb_id_t;\nstruct tb_frame { tb_id_t id; __u8 len; __u8 pad[3]; };\n\
         typedef struct tb_frame tb_frame_t;\nunion tb_addr { __u32 a4; __u8 a6[16]; };\n#endif\n",
    )
    .unwrap();
    let header = linux.join("td_user.h");
    std::fs::write(
        &header,
        "#ifndef _TD_USER_H\n#define _TD_USER_H\n#include <linux/types.h>\n\
         #include <linux/td_base.h>\ntypedef unsigned short tu_comp_t;\n\
         struct tu_req {\n\ttb_id_t id;\n\ttu_comp_t times[2];\n\ttb_frame_t frame;\n\
         \tstruct tb_frame more;\n\tunion tb_addr addr;\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "td_user");
    for want in [
        "includes = [\"linux/types.h\", \"linux/td_base.h\"]",
        "[[typedef]]\nname = \"tb_id_t\"\ntype = \"__u32\"\nextern = \"linux/td_base.h\"\n",
        "[[struct]]\nname = \"tb_frame\"\nextern = \"linux/td_base.h\"",
        "[[typedef]]\nname = \"tb_frame_t\"\ntype = \"struct tb_frame\"\nextern = \"linux/td_base.h\"\n",
        "[[typedef]]\nname = \"tu_comp_t\"\ntype = \"unsigned short\"\n",
        "{ name = \"id\", type = \"tb_id_t\" }",
        "{ name = \"times\", type = \"tu_comp_t\", len = 2 }",
        "{ name = \"frame\", type = \"tb_frame_t\" }",
        // Another header's union, copied as its structs are (linux/netfilter.h's
        // `nf_inet_addr` in the xt_*.h headers).
        "[[union]]\nname = \"tb_addr\"\nextern = \"linux/td_base.h\"\n",
        "{ name = \"addr\", type = \"union tb_addr\" }",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
    let at = |s: &str| schema.find(s).unwrap();
    assert!(
        at("name = \"tb_id_t\"") < at("name = \"tb_frame\""),
        "{schema}"
    );
    assert!(
        at("name = \"tb_frame\"") < at("name = \"tb_frame_t\""),
        "{schema}"
    );
}

/// Copies hold copies as their header has them: a copied struct may hold another header's
/// typedef of a struct, which is copied right after its struct (linux/cciss_defs.h's
/// `SCSI3Addr_struct`, which `_PhysDevAddr_struct` holds), each under the `#pragma pack` of
/// its own header; a copied define that takes `sizeof(struct X)` (linux/can.h's `CAN_MTU`,
/// which can/isotp.h names) brings struct X with it. Each was refused before: an unknown
/// type, a layout without the packing, an unknown struct.
#[test]
fn copies_bring_what_they_hold_with_their_packing() {
    let (_dir, linux) = linux_folder();
    std::fs::write(
        linux.join("cp_defs.h"),
        "#ifndef _CP_DEFS_H\n#define _CP_DEFS_H\n#include <linux/types.h>\n\
         #pragma pack(1)\ntypedef union _cp_addr { __u8 b[8]; __u32 w[2]; } cp_addr_t;\n\
         typedef struct _cp_dev { __u8 kind; cp_addr_t target[2]; } cp_dev_t;\n#pragma pack()\n\
         struct cp_frame { __u32 id; __u8 data[8]; };\n\
         #define CP_MTU (sizeof(struct cp_frame))\n#endif\n",
    )
    .unwrap();
    let header = linux.join("cp_user.h");
    std::fs::write(
        &header,
        "#ifndef _CP_USER_H\n#define _CP_USER_H\n#include <linux/types.h>\n\
         #include <linux/cp_defs.h>\n#define CP_USER_MTU CP_MTU\n\
         struct cp_req {\n\t__u32 n;\n\tcp_dev_t dev;\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "cp_user");
    for want in [
        "[[union]]\nname = \"_cp_addr\"\nextern = \"linux/cp_defs.h\"\npack = 1\n",
        "[[struct]]\nname = \"_cp_dev\"\nextern = \"linux/cp_defs.h\"\npack = 1\n",
        "[[struct]]\nname = \"cp_frame\"\nextern = \"linux/cp_defs.h\"\n",
        "[[define]]\nname = \"CP_MTU\"\nextern = \"linux/cp_defs.h\"\n",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
    assert!(
        !schema.contains("name = \"cp_frame\"\nextern = \"linux/cp_defs.h\"\npack"),
        "{schema}"
    );
    let at = |s: &str| schema.find(s).unwrap_or_else(|| panic!("{s} in\n{schema}"));
    assert!(
        at("name = \"cp_addr_t\"") < at("name = \"_cp_dev\""),
        "{schema}"
    );
}

/// A typedef lowering its type's alignment (rdma/ib_user_mad.h's `packed_ulong`, an
/// `unsigned long` 4-aligned) is read with its `aligned`, in its header and in a copy of the
/// struct holding it, whose array length names its header's constant, one per word size
/// (`IB_USER_MAD_LONGS_PER_METHOD_MASK`): copied too, or the copy would hold x86-64's count.
#[test]
fn a_typedef_lowering_an_alignment_and_a_copys_length_constant_are_read() {
    let (_dir, linux) = linux_folder();
    let mad = linux.join("lu_mad.h");
    std::fs::write(
        &mad,
        "#ifndef _LU_MAD_H\n#define _LU_MAD_H\n#include <linux/types.h>\n\
         typedef unsigned long __attribute__((aligned(4))) lu_ulong;\n\
         #define LU_LONGS (128 / (8 * sizeof (long)))\n\
         struct lu_reg {\n\t__u32 id;\n\tlu_ulong mask[LU_LONGS];\n\t__u8 qpn;\n};\n#endif\n",
    )
    .unwrap();
    let own = import_generate_compare(&mad, "lu_mad");
    assert!(
        own.contains("[[typedef]]\nname = \"lu_ulong\"\ntype = \"unsigned long\"\naligned = 4\n"),
        "{own}"
    );
    let header = linux.join("lu_ioctl.h");
    std::fs::write(
        &header,
        "#ifndef _LU_IOCTL_H\n#define _LU_IOCTL_H\n#include <linux/ioctl.h>\n\
         #include <linux/lu_mad.h>\n\
         #define LU_REGISTER _IOWR(0x1b, 0x01, struct lu_reg)\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "lu_ioctl");
    for want in [
        "[[define]]\nname = \"LU_LONGS\"\nextern = \"linux/lu_mad.h\"\n",
        "name = \"lu_ulong\"\ntype = \"unsigned long\"\naligned = 4\nextern = \"linux/lu_mad.h\"\n",
        "{ name = \"mask\", type = \"lu_ulong\", len = \"LU_LONGS\" }",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
}

/// A member whose declaration is one call of a macro, its name an argument, is `declared_by`
/// that call: the header keeps `RDMA_UAPI_PTR(void *, val_ptr);` (a program may define the
/// macro first: `ifndef`), and the type and length are the expansion's (`__aligned_u64`, not
/// libclang's `__u64` and its attribute, which was refused; the bitmap's length per word,
/// not x86-64's count). Another header's declaring macro is copied as `extern`.
#[test]
fn members_declared_by_a_macro_keep_the_call() {
    let (_dir, linux) = linux_folder();
    std::fs::write(
        linux.join("dm_base.h"),
        "#ifndef _DM_BASE_H\n#define _DM_BASE_H\n#include <linux/types.h>\n\
         #ifndef DM_PTR\n#define DM_PTR(_type, _name) __aligned_u64 _name\n#endif\n#endif\n",
    )
    .unwrap();
    let header = linux.join("dm_user.h");
    std::fs::write(
        &header,
        "#ifndef _DM_USER_H\n#define _DM_USER_H\n#include <linux/types.h>\n\
         #include <linux/dm_base.h>\n\
         #define DM_BITMAP(name,bits) \\\n\tunsigned long name[(bits) / (sizeof(unsigned long) * 8)]\n\
         #ifndef DM_OWN\n#define DM_OWN(n) __u32 n\n#endif\n\
         struct dm_req {\n\tDM_PTR(struct dm_req *, next);\n\
         \tDM_BITMAP(valid, 0x100);\n\tDM_OWN(n);\n\t__u32 pad;\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "dm_user");
    for want in [
        "[[macro]]\nname = \"DM_PTR\"\nextern = \"linux/dm_base.h\"\nifndef = true\n",
        "[[macro]]\nname = \"DM_BITMAP\"\nparams = [\"name\", \"bits\"]\n",
        "{ name = \"next\", type = \"__aligned_u64\", declared_by = { macro = \"DM_PTR\", args = [\"struct dm_req *\", \"next\"] } }",
        "{ name = \"valid\", type = \"unsigned long\", len = \"(0x100) / (sizeof(unsigned long) * 8)\", declared_by = { macro = \"DM_BITMAP\", args = [\"valid\", \"0x100\"] } }",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
    assert!(!schema.contains("name = \"DM_BITMAP\"\nifndef"), "{schema}");
    // The header's own under `#ifndef`, read as asm-generic/fcntl.h's defines are.
    assert!(
        schema.contains("[[macro]]\nname = \"DM_OWN\"\nifndef = true\n"),
        "{schema}"
    );
}

/// The offsetof before `offsetof`, `(long)&((struct X *)0)->m` (linux/nilfs2_ondisk.h's
/// `NILFS_SB_BYTES`), is an `expr` written as given, its value the member's offset (it was
/// listed as a form import does not read).
#[test]
fn a_null_members_address_cast_is_read_as_an_offset() {
    let (_dir, linux) = linux_folder();
    let header = linux.join("nm_user.h");
    std::fs::write(
        &header,
        "#ifndef _NM_USER_H\n#define _NM_USER_H\n#include <linux/types.h>\n\
         struct nm_block {\n\t__u64 magic;\n\t__u32 count;\n\t__u32 reserved[5];\n};\n\
         #define NM_BYTES \\\n\t((long)&((struct nm_block *)0)->reserved)\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "nm_user");
    let want =
        "[[define]]\nname = \"NM_BYTES\"\nexpr = \"((long)&((struct nm_block *)0)->reserved)\"\n";
    assert!(schema.contains(want), "{schema}");
    let m = uapigen::load_source(
        uapigen::Source::new("nm_user.toml", schema.clone()),
        "nm_user.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let c = m.family.constants().find(|c| c.name == "NM_BYTES").unwrap();
    assert_eq!(c.value, 12);
}

/// A packed enum (linux/usb/ch11.h's `hub_led_mode`) is `packed = true`, laid out as the
/// smallest type that holds its values; a member's own `__attribute__((packed))`
/// (linux/toshiba.h's SMM registers) is its `packed`. Both were refused before.
#[test]
fn packed_enums_and_members_packed_alone_are_read() {
    let (_dir, linux) = linux_folder();
    let header = linux.join("pk_user.h");
    std::fs::write(
        &header,
        "#ifndef _PK_USER_H\n#define _PK_USER_H\n#include <linux/types.h>\n\
         enum pk_mode {\n\tPK_AUTO = 0,\n\tPK_WIDE = 300,\n} __attribute__ ((packed));\n\
         struct pk_led {\n\tenum pk_mode mode;\n\t__u16 port;\n};\n\
         typedef struct {\n\tunsigned int eax;\n\tunsigned int ebx __attribute__ ((packed));\n\
         } pk_regs;\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "pk_user");
    for want in [
        "[[enum]]\nname = \"pk_mode\"\npacked = true\n",
        "{ name = \"mode\", type = \"enum pk_mode\" }",
        "{ name = \"ebx\", type = \"unsigned int\", packed = true }",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
}

/// `sizeof` of a type in a define (linux/can.h's `CAN_MTU`) is read as written, the struct
/// above or below it; the generated header gives it libclang's value on every target.
#[test]
fn sizeof_in_a_define_is_read_as_written() {
    let (_dir, linux) = linux_folder();
    let header = linux.join("sz_user.h");
    std::fs::write(
        &header,
        "#ifndef _SZ_USER_H\n#define _SZ_USER_H\n#include <linux/types.h>\n\
         #define SZ_LATER sizeof(struct sz_later)\n\
         struct sz_frame {\n\t__u32 id;\n\t__u8 len;\n\t__u8 data[11];\n};\n\
         #define SZ_MTU\t(sizeof(struct sz_frame))\n\
         #define SZ_WORDS (sizeof(struct sz_frame) / sizeof(__u32))\n\
         struct sz_later {\n\t__u16 a[3];\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "sz_user");
    for want in [
        "name = \"SZ_LATER\"\nexpr = \"sizeof(struct sz_later)\"\n",
        "name = \"SZ_MTU\"\nexpr = \"(sizeof(struct sz_frame))\"\n",
        "name = \"SZ_WORDS\"\nexpr = \"(sizeof(struct sz_frame) / sizeof(__u32))\"\n",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
}

/// A tagged struct or union defined where a member is declared (linux/cn_proc.h's
/// `struct fork_proc_event { ... } fork;`) is that member's inline struct with its `tag`.
#[test]
fn a_tagged_struct_defined_in_a_member_is_inline_with_its_tag() {
    let (_dir, linux) = linux_folder();
    let header = linux.join("tg_event.h");
    std::fs::write(
        &header,
        "#ifndef _TG_EVENT_H\n#define _TG_EVENT_H\n#include <linux/types.h>\n\
         struct tg_event {\n\t__u32 what;\n\tunion {\n\t\tstruct tg_fork {\n\t\t\t__u32 parent;\n\
         \t\t\t__u32 child;\n\t\t} fork;\n\t\tunion tg_word { __u32 w; __u8 b[4]; } word;\n\
         \t} data;\n\tstruct tg_geo { __u16 c; __u8 h; __u8 s; } geo;\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "tg_event");
    for want in [
        "{ name = \"fork\", tag = \"tg_fork\", struct = [",
        "{ name = \"word\", tag = \"tg_word\", union = [",
        "{ name = \"geo\", tag = \"tg_geo\", struct = [",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
}

/// `typedef struct { ... } NAME;` and `typedef union { ... } NAME;` (linux/xfrm.h's
/// `xfrm_address_t`, linux/elf.h's) are structs named NAME with `typedef = true`, and the
/// members of their type name them; another header's are copied as its structs are.
#[test]
fn structs_without_a_tag_named_by_a_typedef_import() {
    let (_dir, linux) = linux_folder();
    std::fs::write(
        linux.join("tx_base.h"),
        "#ifndef _TX_BASE_H\n#define _TX_BASE_H\n#include <linux/types.h>\n\
         typedef struct {\n\t__u8 b[16];\n} tx_uuid_t;\n#endif\n",
    )
    .unwrap();
    let header = linux.join("tx_user.h");
    std::fs::write(
        &header,
        "#ifndef _TX_USER_H\n#define _TX_USER_H\n#include <linux/types.h>\n\
         #include <linux/tx_base.h>\ntypedef union {\n\t__be32 a4;\n\t__be32 a6[4];\n} tx_addr_t;\n\
         typedef struct {\n\t__s64 d_tag;\n\t__u64 d_val;\n} tx_dyn;\n\
         struct tx_id {\n\ttx_addr_t daddr;\n\t__be32 spi;\n\t__u32 pad;\n\ttx_dyn dyn[2];\n\
         \ttx_uuid_t uuid;\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "tx_user");
    for want in [
        "[[union]]\nname = \"tx_addr_t\"\ntypedef = true\n",
        "[[struct]]\nname = \"tx_dyn\"\ntypedef = true\n",
        "[[struct]]\nname = \"tx_uuid_t\"\ntypedef = true\nextern = \"linux/tx_base.h\"\n",
        "{ name = \"daddr\", type = \"tx_addr_t\" }",
        "{ name = \"dyn\", type = \"tx_dyn\", len = 2 }",
        "{ name = \"uuid\", type = \"tx_uuid_t\" }",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
    assert!(
        !schema.contains("not imported: typedef `tx_dyn`"),
        "{schema}"
    );
}

/// A struct of another header that a copy cannot write (a pointer to a pointer in it) is
/// refused at the member that holds it, saying why.
#[test]
fn a_struct_of_another_header_that_cannot_be_copied_is_refused_saying_why() {
    let (dir, linux) = linux_folder();
    std::fs::write(
        linux.join("bits_types.h"),
        "#include <linux/types.h>\nstruct bt_word { __u32 low; __u64 ***pages; };\n",
    )
    .unwrap();
    let header = dir.path().join("bits_user.h");
    std::fs::write(
        &header,
        "#include <linux/types.h>\n#include <linux/bits_types.h>\nstruct bu_req { __u32 argsz; struct bt_word w; };\n",
    )
    .unwrap();
    let e = uapigen::import::import(&header, &[dir.path()], "bits_user").unwrap_err();
    let first = e.to_string().lines().next().unwrap_or("").to_string();
    assert!(
        first.ends_with("bits_user.h:3:45: error: `bu_req.w` has type `struct bt_word` of <linux/bits_types.h>, which an `extern` copy cannot write: `bt_word.pages` has type `__u64 ***`: a pointer to a pointer that is qualified or points to a pointer itself (`__u64 **`); the schema writes `T *` with T void, an integer type it has or `struct NAME`, or `T **` (two levels of `*` at most)"),
        "{e}"
    );
}

/// Bit defines above a member that cannot take a flag set (an array, here) are defines inside
/// the struct, not a flag set the schema would refuse; below a `flags` member (vfio.h's way)
/// they are its set, written where they are.
#[test]
fn bits_above_an_array_are_defines_inside_the_struct() {
    let header = repo_root().join("codegen/tests/import/linux/bits_above_array.h");
    let schema = import_generate_compare(&header, "bits_above_array");
    assert!(
        schema.contains("name = \"BAA_FLAG_A\"\ninside = \"baa_req.pad\"\nbit = 0"),
        "{schema}"
    );
    assert!(
        schema.contains("{ name = \"flags\", type = \"__u32\", flags = \"baa_flags_flags\" }"),
        "{schema}"
    );
    assert!(
        schema.contains("[[flags]]\nname = \"baa_flags_flags\"\ninside = \"baa_flags.pad\""),
        "{schema}"
    );
    assert_eq!(schema.matches("[[flags]]").count(), 1, "{schema}");
}

/// A hole (or a layout that differs between ABIs) is the header's own once libclang agrees on
/// every target: the struct is marked an `abi_trap`, which generate accepts, and the generated
/// header is laid out as the original everywhere. A struct without one is not marked.
#[test]
fn a_hole_the_kernel_ships_is_imported_as_an_abi_trap() {
    let header = repo_root().join("codegen/tests/import/linux/hole.h");
    let schema = import_generate_compare(&header, "hole");
    assert!(
        schema.contains(
            "name = \"ho_req\"\nabi_trap = { revisions = [\"r1\"], note = \"as the kernel ships it"
        ),
        "{schema}"
    );
    let clean = repo_root().join("codegen/tests/import/linux/vfio_like.h");
    assert!(!import_generate_compare(&clean, "vfio_like").contains("abi_trap"));
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
    // From the command line, and from a file name that makes no identifier (`-` and `.` become
    // `_`, as `a.out.h` is `a_out`; a leading digit stays one): exit 2.
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("2nd.h");
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
        .arg(dir.join("enum_values.h"))
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
        err.contains("enum_values.h:6:2: error: enum value `EV_WIDE_ALL` is 18446744073709551615, past 2^63 - 1"),
        "{err}"
    );
    assert!(
        err.contains("enum_values.h:18:3: error: enum value `EV_MEMBER_TOP` is past 2^63 - 1"),
        "{err}"
    );
    assert!(err.ends_with("2 errors\n"), "{err}");
}

// ---- What import accepts, it writes exactly: import → generate → libclang on both. ----

/// Imports `header`, generates C from the skeleton, and checks that libclang lays out every
/// struct of the generated header exactly as the original on every target, and that every
/// constant has the same value in both.
/// A temporary folder with a `linux/` folder in it, where a test writes the headers it
/// imports (and which `import_generate_compare` passes as the include folder).
fn linux_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let linux = dir.path().join("linux");
    std::fs::create_dir_all(&linux).unwrap();
    (dir, linux)
}

fn import_generate_compare(header: &Path, family: &str) -> String {
    let include = header.parent().unwrap().parent().unwrap().to_path_buf();
    let schema =
        uapigen::import::import(header, &[&include], family).unwrap_or_else(|e| panic!("{e}"));
    let file = format!("{family}.toml");
    let c = uapigen::load_source(uapigen::Source::new(file.clone(), schema.clone()), &file)
        .unwrap_or_else(|e| panic!("imported schema does not load:\n{e}\n\n{schema}"));
    let out = tempfile::tempdir().unwrap();
    let files = generate_one(&c).unwrap();
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
    std::fs::write(
        stub.path().join("linux/const.h"),
        uapigen::clang_proof::CONST_H,
    )
    .unwrap();
    std::fs::write(
        stub.path().join("linux/virtio_types.h"),
        uapigen::clang_proof::VIRTIO_TYPES_H,
    )
    .unwrap();
    std::fs::write(stub.path().join("stdint.h"), uapigen::clang_proof::STDINT_H).unwrap();
    std::fs::create_dir(stub.path().join("asm")).unwrap();
    std::fs::write(
        stub.path().join("asm/byteorder.h"),
        uapigen::clang_proof::BYTEORDER_H,
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
    // The C library's headers last, as import reads them (<limits.h>).
    let libc = tempfile::tempdir().unwrap();
    uapigen::tools::libc_stubs::write(libc.path()).unwrap();
    let dirs = [stub.path(), include.as_path(), libc.path()];
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
        ("codegen/tests/golden/out/include/uapi/linux/nest.h", "nest"),
        ("codegen/tests/import/linux/anon_like.h", "anon_like"),
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
        "  { aligned = 8, union = [\n      { name = \"data\", type = \"__u32 *\" },\n      { type = \"__u64\", bits = 64 },\n    ] },",
        "  { type = \"__u32\", bits = 32 },",
        "name = \"af_args\"\nfields = [\n  { name = \"args\", type = \"__u64\", len = 0 },\n]",
        "[[typedef]]\nname = \"__af_rwf_t\"\ntype = \"int\"\nbitwise = true\n",
        "[[struct]]\nname = \"__kernel_fsid_t\"\ntypedef = true\nextern = \"linux/types.h\"\nfields = [\n  { name = \"val\", type = \"int\", len = 2 },\n]",
        "  { name = \"f_fsid\", type = \"__kernel_fsid_t\" },",
        "[[define]]\nname = \"af_req_old\"\ntag = \"af_req\"\n",
        "[[define]]\nname = \"AF_REQ_T\"\ntag = \"struct af_req\"\n",
        "[[define]]\nname = \"AF_REQ_SIZE\"\nexpr = \"sizeof(AF_REQ_T)\"\n",
        "name = \"af_legacy\"\npacked = true\ndeprecated = true\n",
        "name = \"af_view\"\nmay_alias = true\n",
        "[[typedef]]\nname = \"af_challenge\"\ntype = \"__u8\"\nlen = 10\n",
        "  { name = \"chal\", type = \"af_challenge\" },",
        "name = \"AF_IOCTL_OLD\"\nioctl = { type = \"'A'\", nr = 1, dir = \"rw\", size = \"struct af_req_old\" }",
        "name = \"AF_RWF_HIPRI\"\nexpr = \"((__af_rwf_t)0x00000001)\"\n",
        "name = \"AF_QUOTE\"\nchar = \"\\\"\"\n",
        "name = \"AF_TOP_U32\"\nbit = 31\n",
        "name = \"AF_TOP_U64\"\nbit = 63\n",
        "name = \"AF_CAST\"\nexpr = \"((__u32)4)\"\n",
        "[[macro]]\nname = \"AF_FN\"\nparams = [\"x\"]\nbody = \"((x) + 1)\"\n",
        "# not imported: #define AF_TYPE at accepted_forms.h:18:9: it uses `__u32`, which is not a constant this header defines above it (a type, or another header's); add it by hand\n",
        "name = \"AF_SIGN_31\"\nexpr = \"(1 << 31)\"\n",
        "name = \"AF_MASK_40\"\nexpr = \"((1ULL << 40) - 1)\"\n",
        "name = \"AF_ALL_ONES\"\nexpr = \"0xffffffffffffffffULL\"\n",
        "name = \"AF_NEG\"\nexpr = \"(-22)\"\n",
        "name = \"AF_SHIFTED\"\nexpr = \"(AF_LOW | AF_OCTAL << 2)\"\n",
        "# not imported: #define AF_OTHER at accepted_forms.h:25:9: it uses `O_CLOEXEC`, which is not a constant this header defines above it",
        "name = \"AF_ALIAS\"\nalias = \"AF_OCTAL\"\n",
        "summary = \"a \\\"quoted\\\" summary \\\\ with a backslash\"\n",
        "{ name = \"lock\", type = \"unsigned int\", volatile = true },",
        "{ name = \"ro\", type = \"__u32\", const = true },",
        "{ name = \"both\", type = \"__u16\", len = 2, const = true, volatile = true },",
        "{ name = \"stamp\", type = \"__aligned_u64\", volatile = true },",
        "{ name = \"self\", rust_name = \"self_\", type = \"__u32\", doc = \"no Rust identifier: imported with a rust_name\" },",
        "{ name = \"_\", rust_name = \"__\", type = \"__u32\" },",
        "[[define]]\nname = \"AF_PAD\"\nexpr = \"(__alignof__(void *) < sizeof(short) ? sizeof(short) : __alignof__(void *))\"\n\n[[struct]]\nname = \"af_fault\"\n",
        "{ name = \"dummy\", type = \"char\", len = \"AF_PAD\" },",
        "{ name = \"notify\", type = \"void (*)(int, struct af_fault *)\" },",
        "[[typedef]]\nname = \"af_signalfn_t\"\ntype = \"void (int)\"\n",
        "[[typedef]]\nname = \"af_sighandler_t\"\ntype = \"af_signalfn_t *\"\n",
        "[[typedef]]\nname = \"af_cb_t\"\ntype = \"int (*)(struct af_fault *, unsigned long)\"\n",
        "[[typedef]]\nname = \"af_dvd_p\"\ntype = \"struct af_dvd *\"\n",
        "name = \"AF_SIG_ERR\"\nexpr = \"((af_sighandler_t)-1)\"\n",
        "name = \"AF_BPW\"\nexpr = \"__BITS_PER_LONG\"\n",
        "name = \"AF_LONG_BITS\"\nifndef = true\nexpr = \"(__CHAR_BIT__ * __SIZEOF_LONG__)\"\n",
        "{ name = \"handler\", type = \"af_sighandler_t\" },",
        "{ name = \"direct\", type = \"af_signalfn_t *\" },",
        "{ name = \"cb\", type = \"af_cb_t\" },",
        "{ name = \"dvd\", type = \"af_dvd_p\" },",
        "{ name = \"mask\", type = \"unsigned long\", len = \"AF_WORDS\" },",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
}

/// A define that calls an ioctl wrapper macro is written through it (`ioctl = { macro, args
/// }`), the wrapper and what it names copied as `extern` where another header defines them
/// (drm.h's `DRM_IOWR` and `DRM_IOCTL_BASE` for a driver's header), an integer macro of that
/// header likewise; the generated header writes each call as the original does and gives it
/// the original's value, through wrappers that forward to another (pasting its name or
/// calling a parameter) too. A wrapper that fixes its type or pastes tokens beside `_IO` is
/// listed with why, as is what calls it.
#[test]
fn ioctl_numbers_written_through_wrapper_macros_are_imported_through_them() {
    let header = repo_root().join("codegen/tests/import/linux/wrapper_like.h");
    let schema = import_generate_compare(&header, "wrapper_like");
    for want in [
        "includes = [\"linux/types.h\", \"linux/wrapper_base.h\"]\n",
        "[[define]]\nname = \"WB_IOCTL_BASE\"\nextern = \"linux/wrapper_base.h\"\nchar = \"d\"\n",
        "[[define]]\nname = \"WB_COMMAND_BASE\"\nextern = \"linux/wrapper_base.h\"\nvalue = 0x40\n",
        "[[macro]]\nname = \"WB_IOWR\"\nextern = \"linux/wrapper_base.h\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(WB_IOCTL_BASE,nr,type)\"\n",
        "[[macro]]\nname = \"WB_SHIFTED\"\nextern = \"linux/wrapper_base.h\"\nparams = [\"x\"]\nbody = \"((x) << 4)\"\n",
        "name = \"WL_IOCTL_GET\"\nioctl = { macro = \"WB_IOWR\", args = [\"WB_COMMAND_BASE + WL_CMD_GET\", \"union wl_arg\"] }\n",
        "name = \"WL_IOCTL_SET\"\nioctl = { macro = \"WB_IOW\", args = [\"WB_COMMAND_BASE + WL_CMD_SET\", \"struct wl_req\"] }\n",
        "name = \"WL_IOCTL_RESET\"\nioctl = { macro = \"WB_IO\", args = [\"WB_COMMAND_BASE + 0x02\"] }\n",
        "name = \"WL_FLAG\"\nexpr = \"WB_SHIFTED(1)\"\n",
        "[[macro]]\nname = \"WL_IOR\"\nparams = [\"n\", \"t\"]\nbody = \"_IOR('W', 0x10 + (n), t)\"\n",
        "name = \"WL_IOCTL_PEEK\"\nioctl = { macro = \"WL_IOR\", args = [\"1\", \"__u64\"] }\n",
        "name = \"WL_IOCTL_POKE\"\nioctl = { macro = \"WL_IOR\", args = [\"2\", \"struct wl_req\"] }\n",
        // Through wrappers that forward to the other header's, which is copied (`WB_IOR`
        // only for them).
        "[[macro]]\nname = \"WB_IOR\"\nextern = \"linux/wrapper_base.h\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOR(WB_IOCTL_BASE,nr,type)\"\n",
        "[[macro]]\nname = \"WL_FWD\"\nparams = [\"dir\", \"name\", \"str\"]\nbody = \"WB_##dir(WB_COMMAND_BASE + WL_CMD_##name, struct wl_##str)\"\n",
        "name = \"WL_IOCTL_FWD\"\nioctl = { macro = \"WL_FWD\", args = [\"IOR\", \"GET\", \"req\"] }\n",
        "name = \"WL_IOCTL_CALL\"\nioctl = { macro = \"WL_CALL\", args = [\"0x05\", \"WB_IOWR\", \"arg\"] }\n",
        // Another header's typedef of a scalar an ioctl passes, copied.
        "[[typedef]]\nname = \"wb_std_id\"\ntype = \"__u64\"\nextern = \"linux/wrapper_base.h\"\n",
        "name = \"WL_IOCTL_STD\"\nioctl = { type = \"'W'\", nr = 0x20, dir = \"r\", size = \"wb_std_id\" }\n",
        // And of an array of one (ppp_defs.h's `ext_accm`).
        "[[typedef]]\nname = \"wb_accm\"\ntype = \"__u32\"\nlen = 8\nextern = \"linux/wrapper_base.h\"\n",
        "name = \"WL_IOCTL_ACCM\"\nioctl = { type = \"'W'\", nr = 0x21, dir = \"r\", size = \"wb_accm\" }\n",
        // A field of an ioctl number (hidraw.h's `_IOC_NR(HIDIOCREVOKE)`).
        "name = \"WL_IOCTL_LAST\"\nexpr = \"_IOC_NR(WL_IOCTL_ACCM)\"\n",
        // Another header's enum whose value a define names, copied.
        "[[enum]]\nname = \"wb_kind\"\nextern = \"linux/wrapper_base.h\"\n",
        "name = \"WL_KIND_DNAT\"\nexpr = \"(1 << (WB_KIND_NUMBER + 2))\"\n",
        "# not imported: #define WL_ABS(a) at wrapper_like.h:30:9: its body is not what a `[[macro]]` holds (an integer expression's tokens, or one _IO/_IOR/_IOW/_IOWR call passing its type parameter on): `_IOR`'s size argument `struct wl_req` is not one of the macro's parameters",
        "# not imported: #define WL_PASTE(dir, n) at wrapper_like.h:31:9: its body is not what a `[[macro]]` holds (an integer expression's tokens, or one _IO/_IOR/_IOW/_IOWR call passing its type parameter on): `##` in a body that calls `_IO`: a wrapper passes its arguments on as they are",
        "# not imported: #define WL_IOCTL_PASTED at wrapper_like.h:32:9: it calls `WL_PASTE`, which is not imported: its body is not what a `[[macro]]` holds",
    ] {
        assert!(schema.contains(want), "{want:?} in\n{schema}");
    }
    let c = uapigen::load_source(
        uapigen::Source::new("wrapper_like.toml", schema.clone()),
        "wrapper_like.toml",
    )
    .unwrap();
    let h = uapigen::emit::c_header::emit(&c.family, &uapigen::emit::Templates::new(None).unwrap())
        .unwrap();
    assert!(
        h.contains("#define WL_IOCTL_GET\tWB_IOWR(WB_COMMAND_BASE + WL_CMD_GET, union wl_arg)\n"),
        "{h}"
    );
    assert!(
        h.contains("#define WL_IOR(n, t)\t_IOR('W', 0x10 + (n), t)\n"),
        "{h}"
    );
    assert!(
        !h.contains("#define WB_IOWR"),
        "the copy is not written again:\n{h}"
    );
}

// ---- What import does not carry over is listed, located; never dropped in silence. ----

/// Every declaration and directive the schema has no form for, and that changes nothing
/// import writes, is a `# not imported: ... at header:line:col: why` line of the skeleton;
/// the skeleton still generates the header's layout and values.
#[test]
fn declarations_import_does_not_carry_over_are_listed_where_they_are() {
    let schema = import_generate_compare(
        &repo_root().join("codegen/tests/import/linux/not_imported.h"),
        "not_imported",
    );
    // `#define NI_KIND_A NI_KIND_A` below the enum value is the value's `self_define`.
    assert!(
        schema.contains("{ name = \"NI_KIND_A\", value = 1, self_define = true }"),
        "{schema}"
    );
    let listed: Vec<&str> = schema
        .lines()
        .filter(|l| l.starts_with("# not imported: "))
        .collect();
    assert_eq!(listed, [
        "# not imported: `#include \"vfio_like.h\"` at not_imported.h:6:1: the schema's includes are `#include <...>` of the kernel's headers",
        "# not imported: function `ni_helper` (`int (int)`) at not_imported.h:14:19: the schema describes the data that crosses the user/kernel line, not code",
        "# not imported: variable `ni_counter` (`int`) at not_imported.h:15:12: the schema declares types and constants, not objects",
        "# not imported: typedef `ni_callback` (`int (*)(int, ...)`) at not_imported.h:17:15: the schema's typedefs name a scalar, a `struct NAME` or `union NAME` this header defines above, an array of a scalar, a pointer a member may be or a function's type (not another typedef, a qualified type or one with an attribute)",
        "# not imported: `_Static_assert` at not_imported.h:18:1: the schema has no assertions; `uapigen check` proves the generated header's layout on every target",
        "# not imported: `#pragma GCC visibility push(default)` at not_imported.h:19:1: the schema has no pragmas but `#pragma pack` (a struct's `pack`)",
        "# not imported: `struct ni_elsewhere;`, a declaration without a body at not_imported.h:20:8: the schema declares only what it defines",
        "# not imported: `#ifdef __KERNEL__` … (4 lines) at not_imported.h:21:1: the preprocessor skipped them (on x86_64, as a program that includes the header sees it): nothing in them is imported",
        "# not imported: `#undef NI_NEVER_DEFINED` at not_imported.h:25:1: the schema has no #undef; the generated header never defines it",
        "# not imported: `#ident \"not imported\"` at not_imported.h:26:1: a preprocessor directive the schema has no form for",
        "# not imported: variable `ni_old` (`int`) at not_imported.h:27:40: the schema declares types and constants, not objects",
        "# not imported: #define NI_ITEMS at not_imported.h:37:9: not a form `uapigen import` reads (an integer constant expression, char, _IO/_IOR/_IOW/_IOWR, a name); add it by hand",
        "# not imported: #define __NI_ITEM(i) at not_imported.h:39:9: the header undefines it below (line 41) and no define above calls it: what it builds, import reads expanded",
        "# not imported: `#undef __NI_ITEM` at not_imported.h:41:1: it undefines a macro the schema does not keep (above)",
        "# not imported: typedef `__ni_handler_t` (`void (*)(int, ...)`) at not_imported.h:47:16: the schema's typedefs name a scalar, a `struct NAME` or `union NAME` this header defines above, an array of a scalar, a pointer a member may be or a function's type (not another typedef, a qualified type or one with an attribute)",
        "# not imported: #define NI_SIG_DFL at not_imported.h:48:9: it casts to `__ni_handler_t`, which is no type the schema has (a scalar of the kernel's, or a typedef of an integer this header defines above it); add it by hand",
        // The struct without a tag goes with the variable it types.
        "# not imported: variable `ni_names` (`const struct { ... }[2]`) at not_imported.h:53:3: the schema declares types and constants, not objects",
    ]);
    // What the undefined macro built, expanded; an unnamed bitfield is a bitfield.
    assert!(
        schema.contains("name = \"ni_stats\"\nfields = [\n  { name = \"rx\", type = \"int\" },\n  { name = \"tx\", type = \"int\" },\n  { type = \"__u32\", bits = 32 },\n]"),
        "{schema}"
    );
    // The quoted include is not the schema's, nor is what the skipped branch held.
    assert!(
        schema.contains("includes = [\"linux/types.h\"]\n"),
        "{schema}"
    );
    assert!(
        schema.contains("[[typedef]]\nname = \"ni_handle_t\"\ntype = \"__u32\"\n"),
        "{schema}"
    );
    assert!(!schema.contains("NI_KERNEL_ONLY\""), "{schema}");
    assert!(!schema.contains("ni_kernel\""), "{schema}");
    assert!(
        schema.contains("name = \"NI_FLAG_ONE\"\nbit = 0\n"),
        "{schema}"
    );
}

/// A header without an SPDX line or an include guard gets uapigen's, and the skeleton says so.
#[test]
fn a_license_guard_or_folder_import_had_to_choose_is_said_to_be_its_choice() {
    let dir = tempfile::tempdir().unwrap();
    let header = dir.path().join("bare.h");
    std::fs::write(
        &header,
        "#include <linux/types.h>\nstruct bare_req {\n\t__u32 a;\n};\n",
    )
    .unwrap();
    let schema = uapigen::import::import(&header, &[], "bare").unwrap();
    assert!(schema.contains("# bare.h has no include guard (`#ifndef NAME` then `#define NAME`): this one is uapigen's choice\nguard = \"_UAPI_BARE_H\"\n"), "{schema}");
    assert!(schema.contains("# bare.h has no SPDX-License-Identifier line: this license is uapigen's default; write the header's own\nlicense = "), "{schema}");
    // Not in a folder of include/uapi: `linux/` is a guess, and said to be.
    assert!(schema.contains("# bare.h is not in a folder of the kernel's include/uapi (linux, asm-generic, drm, misc, mtd, rdma, scsi, sound, video, xen, cxl, fwctl, regulator): `header` is uapigen's choice\nheader = \"linux/bare.h\"\n"), "{schema}");
    // In rdma/, it is rdma/'s header, not linux/'s.
    std::fs::create_dir(dir.path().join("rdma")).unwrap();
    let rdma = dir.path().join("rdma/bare.h");
    std::fs::copy(&header, &rdma).unwrap();
    let schema = uapigen::import::import(&rdma, &[], "bare").unwrap();
    assert!(schema.contains("\nheader = \"rdma/bare.h\"\n"), "{schema}");
    assert!(!schema.contains("`header` is uapigen's choice"), "{schema}");
}

#[test]
fn an_undef_of_a_define_and_an_attribute_on_an_enum_are_refused() {
    assert_eq!(refusal("directives.h"), [
        "directives.h:5:1: error: `#undef DI_FLAG` of a name the header defines above: the schema's defines stay defined; remove the #define or the #undef",
        // A macro a define above calls stays defined in the schema.
        "directives.h:8:1: error: `#undef DI_TWICE` of a name the header defines above: the schema's defines stay defined; remove the #define or the #undef",
        // `packed` is an enum's `packed = true`; any other attribute is refused.
        "directives.h:10:6: error: enum `di_small` has attribute(aligned): the schema's enums are plain C enums, and the header it generates would drop it",
    ]);
}

/// libclang's own errors, every one (not the first 20), each at its `file:line:col`, an
/// included header's too; the first of a kind says why a kernel header may not compile here.
#[test]
fn a_header_that_does_not_compile_is_refused_with_every_libclang_error_located() {
    let dir = repo_root().join("codegen/tests/import/refused");
    let e = uapigen::import::import(&dir.join("compile_errors.h"), &[&dir], "compile_errors")
        .unwrap_err();
    let text = e.to_string().replace(&format!("{}/", dir.display()), "");
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error: ")).collect();
    let mut expected = vec![
        "linux/broken_types.h:3:8: error: unknown type name 'bt_missing_t'".to_string(),
        "compile_errors.h:6:2: error: unknown type name '__virtio16'".to_string(),
        "compile_errors.h:7:2: error: unknown type name '__virtio32'".to_string(),
    ];
    expected.extend(
        (9..=27).map(|l| format!("compile_errors.h:{l}:2: error: unknown type name '__virtio64'")),
    );
    expected.push("compile_errors.h:30:10: error: 'asm/ce_missing.h' file not found".to_string());
    assert_eq!(errors, expected, "{text}");
    assert!(text.ends_with("\n\n23 errors"), "{text}");
    assert!(text.contains("3 | extern bt_missing_t bt_value;\n  |        ^\n  = note: in a header compile_errors.h includes\n  = note: uapigen reads the header with -nostdinc against its own <linux/types.h>, which has the schema's types only"), "{text}");
    assert_eq!(
        text.matches("= note: uapigen reads the header with -nostdinc against")
            .count(),
        1,
        "{text}"
    );
    assert!(text.contains("30 | #include <asm/ce_missing.h>\n   |          ^\n   = note: uapigen reads the header with -nostdinc: it finds its own <linux/types.h>, <linux/ioctl.h> and <linux/const.h>, the folder above the header's, and each -I DIR; pass the folder that holds this file with -I"), "{text}");
    // From the command line: exit 2, every line located, nothing on stdout.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .args(["import", "-I"])
        .arg(&dir)
        .arg(dir.join("compile_errors.h"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(
        err.lines().filter(|l| l.contains(": error: ")).count(),
        23,
        "{err}"
    );
    assert!(
        err.lines()
            .next()
            .unwrap()
            .contains("broken_types.h:3:8: error: "),
        "{err}"
    );
}

/// An enum value C's `int` cannot hold (GCC's extension, C23's rule) is imported with
/// `past_int = true`, and the enum is as wide as C makes it.
#[test]
fn an_enum_value_above_int_is_imported_past_int() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/enum_above_int.h");
    let schema = uapigen::import::import(&header, &[&dir], "enum_above_int")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(schema.contains("past_int = true\n"), "{schema}");
    let m = uapigen::load_source(
        uapigen::Source::new("enum_above_int.toml", schema.clone()),
        "enum_above_int.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let g = &m.family.groups[0];
    assert_eq!(g.values[1].value, 0x1_0000_0000, "{schema}");
    assert_eq!(g.enum_repr().rust_name(), "u64", "{schema}");
}

/// A schema message that names a line of the skeleton names the header's place instead.
#[test]
fn a_schema_message_names_the_header_not_the_skeleton() {
    assert_eq!(refusal("schema_checks.h"), [
        "schema_checks.h:5:9: error: the schema import would write for this is refused: constant `SC_TWICE` is defined twice (first at schema_checks.h:4:9)",
    ]);
}

/// Members, structs and defines under an architecture's `#if` (asm-generic/msgbuf.h's
/// `__BITS_PER_LONG == 64`, x86's `#ifdef __i386__`) are imported from every target's reading,
/// each with its `when` or `unless`; the skeleton loads, and import's own proof held each target's layout
/// and values to libclang's.
#[test]
fn members_and_defines_of_some_architectures_are_imported_with_their_condition() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/arch_conditions.h");
    let schema = uapigen::import::import(&header, &[&dir], "arch_conditions")
        .unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "when = \"defined(__s390x__)\"\nvalue = 6",
        "unless = \"defined(__s390x__)\"\nvalue = 4",
        "when = \"defined(__i386__)\"\nvalue = 1",
        "{ name = \"stime\", type = \"long\", when = \"__BITS_PER_LONG == 64\" }",
        "{ name = \"stime\", type = \"unsigned long\", unless = \"__BITS_PER_LONG == 64\" }",
        "{ name = \"stime_high\", type = \"unsigned long\", unless = \"__BITS_PER_LONG == 64\" }",
        "{ name = \"pad\", type = \"__u32\", unless = \"defined(__x86_64__)\" }",
        "name = \"AC_FRAME\"\nwhen = \"defined(__i386__)\"\nvalue = 17",
        "name = \"AC_FRAME\"\nunless = \"defined(__i386__)\"\nvalue = 168",
        "name = \"AC_RIP\"\nunless = \"defined(__i386__)\"\nvalue = 128",
        // One struct of both declarations, each branch's members under its condition.
        "name = \"ac_regs\"\nabi_trap",
        "  { name = \"bx\", type = \"long\", when = \"defined(__i386__)\" },\n  { name = \"ds\", type = \"int\", when = \"defined(__i386__)\" },\n  { name = \"r15\", type = \"unsigned long\", unless = \"defined(__i386__)\" },\n  { name = \"bx\", type = \"unsigned long\", unless = \"defined(__i386__)\" },\n  { name = \"pad32\", type = \"__u32\", when = \"!(defined(__i386__)) && defined(__ILP32__)\" },\n]",
        // Declared in one branch only: a struct of that branch's targets, and the define
        // beside it; x86-64's own struct of the `#else` likewise.
        "name = \"AC_STAT64_BROKEN\"\nwhen = \"defined(__i386__)\"\nvalue = 1",
        "name = \"ac_stat64\"\nwhen = \"defined(__i386__)\"\nfields",
        "name = \"ac_stat_wide\"\nabi_trap = { revisions = [\"r1\"], note = \"as the kernel ships it: implicit padding, or a layout that differs between ABIs (import proved it with libclang on every target)\" }\nunless = \"defined(__i386__)\"",
        "name = \"ac_stat32\"\nwhen = \"__BITS_PER_LONG != 64 || defined(__ARCH_WANT_STAT64)\"",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    // The branches each target read are members and defines now; a block every target
    // skips is noted as skipped.
    let notes: Vec<&str> = schema
        .lines()
        .filter(|l| l.starts_with("# not imported"))
        .collect();
    assert_eq!(notes, [
        "# not imported: `#if defined(__ASSEMBLER__) || defined(AC_OFFSETS)` … (3 lines) at arch_conditions.h:35:1: the preprocessor skipped them (on x86_64, as a program that includes the header sees it): nothing in them is imported",
    ]);
    let m = uapigen::load_source(
        uapigen::Source::new("arch_conditions.toml", schema.clone()),
        "arch_conditions.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let sizes: Vec<u64> = m.layouts.iter().map(|l| l.structs[0].size).collect();
    // x86-64: 8 + 8 + 8; i686: 8 + 4 + 4 + 4 + 4; arm: likewise; the other 64-bit ones add
    // `pad` and its tail padding.
    assert_eq!(sizes, [24, 24, 32, 24, 32, 32, 32], "{schema}");
    let sizes: Vec<u64> = m.layouts.iter().map(|l| l.structs[1].size).collect();
    // i686's `long bx; int ds;`, every other target's two `unsigned long`s (4 bytes on arm,
    // with the nested `#ifdef __ILP32__`'s `pad32`).
    assert_eq!(sizes, [16, 8, 16, 12, 16, 16, 16], "{schema}");
    // Each of the three exists on its branch's targets only.
    let on = |name: &str| -> Vec<&str> {
        let st = m.family.structs.iter().find(|s| s.name == name).unwrap();
        uapigen::layout::TARGETS
            .iter()
            .filter(|t| st.on(t))
            .map(|t| t.rust_arch)
            .collect()
    };
    assert_eq!(on("ac_stat64"), ["x86"]);
    assert_eq!(
        on("ac_stat_wide"),
        ["x86_64", "aarch64", "arm", "riscv64", "powerpc64", "s390x"]
    );
    assert_eq!(on("ac_stat32"), ["x86", "arm"]);
}

/// `_IOC(dir, type, nr, sizeof(T))` and `_IOC(dir, type, nr, 0)` (the xen headers') are
/// imported as `ioc = true` with their direction and argument, and an ioctl argument pointing
/// to a struct no header defines (agpgart.h's `struct agp_info*`) as that pointer; import's
/// proof held each number to C's on the 7 targets.
#[test]
fn ioc_numbers_and_pointers_to_undefined_structs_are_imported() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/ioc_forms.h");
    let schema =
        uapigen::import::import(&header, &[&dir], "ioc_forms").unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "ioctl = { ioc = true, type = \"'X'\", nr = 1, dir = \"none\", size = \"struct ioc_arg\" }",
        "ioctl = { ioc = true, type = \"'X'\", nr = 2, dir = \"rw\" }",
        "ioctl = { type = \"'X'\", nr = 3, dir = \"r\", size = \"struct ioc_opaque *\" }",
        "ioctl = { type = \"'X'\", nr = 4, dir = \"r\", size = \"enum ioc_state\" }",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    assert!(!schema.contains("not imported"), "{schema}");
}

/// Another header's struct declared once per architecture (x86's asm/ptrace.h's `pt_regs`,
/// which linux/bpf_perf_event.h's struct holds) is copied as that header's import writes it:
/// each branch's members with their condition, read on every target.
#[test]
fn another_headers_struct_declared_per_architecture_is_copied_with_its_conditions() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/arch_user.h");
    let schema =
        uapigen::import::import(&header, &[&dir], "arch_user").unwrap_or_else(|e| panic!("{e}"));
    let copy = "extern = \"linux/arch_conditions.h\"\nfields = [\n  { name = \"bx\", type = \"long\", when = \"defined(__i386__)\" },\n  { name = \"ds\", type = \"int\", when = \"defined(__i386__)\" },\n  { name = \"r15\", type = \"unsigned long\", unless = \"defined(__i386__)\" },\n  { name = \"bx\", type = \"unsigned long\", unless = \"defined(__i386__)\" },\n  { name = \"pad32\", type = \"__u32\", when = \"!(defined(__i386__)) && defined(__ILP32__)\" },\n]";
    assert!(schema.contains(copy), "{schema}");
}

/// A header that uses `size_t` without including anything that defines it (linux/sysctl.h)
/// is read after <stddef.h>, and the skeleton says it assumes that header; its members are
/// `size_t`, laid out as the ABI's word on every target (import's proof).
#[test]
fn a_header_that_assumes_stddef_h_says_so() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/size_t_like.h");
    let schema =
        uapigen::import::import(&header, &[&dir], "size_t_like").unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "assumes = [\"stddef.h\"]\n",
        "{ name = \"len\", type = \"size_t\" }",
        "{ name = \"lenp\", type = \"size_t *\" }",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    let m = uapigen::load_source(
        uapigen::Source::new("size_t_like.toml", schema.clone()),
        "size_t_like.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    assert_eq!(m.family.assumes, ["stddef.h"]);
    let sizes: Vec<u64> = m.layouts.iter().map(|l| l.structs[0].size).collect();
    assert_eq!(sizes, [24, 12, 24, 12, 24, 24, 24], "{schema}");
}

/// A header that uses the C library's types, structs and constants without including a header
/// that declares them is read after the headers that do, which the skeleton assumes (not
/// includes): their structs and typedefs are `extern` copies of those headers; a define taking
/// `sizeof` of one (not expanded in the header) needs its header too; a define on every target
/// may name one defined per data model (import's proof held every layout and value).
#[test]
fn a_header_that_assumes_c_library_headers_says_which() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/libc_like.h");
    let schema =
        uapigen::import::import(&header, &[&dir], "libc_like").unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "assumes = [\"time.h\", \"sys/socket.h\", \"stdint.h\", \"net/if.h\", \"sys/time.h\"]\n\
         includes = [\"linux/types.h\", \"asm/bitsperlong.h\", \"linux/ioctl.h\"]\n",
        "[[typedef]]\nname = \"time_t\"\ntype = \"long\"\nextern = \"time.h\"\n",
        "name = \"timeval\"\n",
        "extern = \"sys/time.h\"\n",
        "name = \"timespec\"\n",
        "extern = \"time.h\"\n",
        "{ name = \"ts\", type = \"struct timespec\", len = 3 }",
        "{ name = \"zero\", type = \"__u8\", len = 14 }",
        "{ name = \"delay\", type = \"uint32_t\" }",
        // The length keeps the assumed header's name, copied (hdlc/ioctl.h's).
        "{ name = \"master\", type = \"char\", len = \"IFNAMSIZ\" }",
        "[[define]]\nname = \"IFNAMSIZ\"\nextern = \"net/if.h\"\nalias = \"IF_NAMESIZE\"\n",
        "{ name = \"LL_EOF\", value = 512 }",
        "name = \"LL_STAMP_SIZE\"\nexpr = \"(sizeof(struct timeval))\"",
        "name = \"LL_STAMP\"\nexpr = \"((sizeof(struct timeval)) == 8 ? LL_STAMP_OLD : LL_STAMP_NEW)\"",
        "name = \"LL_OPT\"\nunless = \"__BITS_PER_LONG == 64\"\n\
         expr = \"(sizeof(time_t) == sizeof(__kernel_long_t) ? LL_OPT_OLD : LL_OPT_NEW)\"",
        "name = \"LL_SCM_OPT\"\nalias = \"LL_OPT\"",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    let m = uapigen::load_source(
        uapigen::Source::new("libc_like.toml", schema.clone()),
        "libc_like.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    // `sizeof(struct timeval)`: two `long`s, each ABI's word.
    let stamp = m
        .family
        .constants()
        .find(|c| c.name == "LL_STAMP_SIZE")
        .unwrap();
    let sizes: Vec<u64> = uapigen::layout::TARGETS
        .iter()
        .map(|t| m.family.value_on(stamp, t))
        .collect();
    assert_eq!(sizes, [16, 8, 16, 8, 16, 16, 16], "{schema}");
    let scm = m
        .family
        .constants()
        .find(|c| c.name == "LL_SCM_OPT")
        .unwrap();
    assert_eq!(scm.value, 29);
    // `_IOR(0x89, 0x06, long long[2])` on the 64-bit ABIs, powerpc's encoding on ppc64le;
    // 0x8906 where `struct timeval` is 8 bytes.
    let stamp = m.family.constants().find(|c| c.name == "LL_STAMP").unwrap();
    let values: Vec<u64> = uapigen::layout::TARGETS
        .iter()
        .map(|t| m.family.value_on(stamp, t))
        .collect();
    assert_eq!(
        values,
        [
            0x8010_8906,
            0x8906,
            0x8010_8906,
            0x8906,
            0x8010_8906,
            0x4010_8906,
            0x8010_8906
        ],
        "{schema}"
    );
    // The generated header includes none of what it assumes; nor <stdint.h>, assumed too.
    let h = uapigen::emit::c_header::emit(&m.family, &uapigen::emit::Templates::new(None).unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    let included: Vec<&str> = h.lines().filter(|l| l.starts_with("#include")).collect();
    assert_eq!(
        included,
        [
            "#include <linux/types.h>",
            "#include <asm/bitsperlong.h>",
            "#include <linux/ioctl.h>"
        ],
        "{h}"
    );
}

/// A define calling a macro whose body takes `sizeof` of a struct below them (directly or
/// through another macro) is imported, and has each data model's value.
#[test]
fn a_define_calling_a_macro_that_takes_sizeof_is_imported() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/sized_macro.h");
    let schema =
        uapigen::import::import(&header, &[&dir], "sized_macro").unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "name = \"SM_SIZE\"\nparams = [\"n\"]\nbody = \"((sizeof(struct sm_d) + (n) + 7) & ~7)\"",
        "name = \"SM_MIN\"\nexpr = \"(SM_SIZE(1))\"",
        "name = \"SM_PAIR\"\nexpr = \"SM_TWICE(1, 9)\"",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    let m = uapigen::load_source(
        uapigen::Source::new("sized_macro.toml", schema.clone()),
        "sized_macro.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let on = |name: &str| -> Vec<u64> {
        let c = m.family.constants().find(|c| c.name == name).unwrap();
        uapigen::layout::TARGETS
            .iter()
            .map(|t| m.family.value_on(c, t))
            .collect()
    };
    // `struct sm_d` is 16 bytes on the 64-bit ABIs and 12 on i686 and arm.
    assert_eq!(on("SM_MIN"), [24, 16, 24, 16, 24, 24, 24], "{schema}");
    assert_eq!(on("SM_PAIR"), [56, 40, 56, 40, 56, 56, 56], "{schema}");
}

/// A struct whose layout no Rust `#[repr]` follows (a misaligned `__u32` in a `packed,
/// aligned(4)` struct, an aligned member of a packed one), or a union holding a named bitfield
/// directly, is imported with `rust_opaque` and why, its C as the header has it (import's proof and the comparison below), the struct
/// holding it as it is; its Rust type is its bytes.
#[test]
fn layouts_rust_cannot_follow_are_imported_opaque_in_rust() {
    let header = repo_root().join("codegen/tests/import/linux/opaque_like.h");
    let schema = import_generate_compare(&header, "opaque_like");
    for line in [
        "name = \"ol_params\"\n# Rust cannot lay it out as C does (on x86_64-linux-gnu: `mtu` is at byte 5 in C, and would be at byte 8 in Rust, which has no member alignment): its Rust types are its bytes\nrust_opaque = true\n",
        "name = \"ol_mailbox\"\n# Rust cannot lay it out as C does (on x86_64-linux-gnu: `tail` is at byte 64 in C, and would be at byte 8 in Rust, which has no member alignment): its Rust types are its bytes\nrust_opaque = true\n",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    assert!(
        schema.contains(
            "[[union]]\nname = \"ol_valid_s\"\nabi_trap = { revisions = [\"r1\"], note = \"as the kernel ships it: implicit padding, or a layout that differs between ABIs (import proved it with libclang on every target)\" }\n# a named bitfield directly in a union, which no Rust type has a member for: its Rust types are its bytes\nrust_opaque = true\n"
        ),
        "{schema}"
    );
    assert!(!schema.contains("name = \"ol_plain\"\n#"), "{schema}");
    let m = uapigen::load_source(
        uapigen::Source::new("opaque_like.toml", schema.clone()),
        "opaque_like.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let rust = uapigen::emit::rust::emit(&m).unwrap();
    assert!(
        rust.contains(
            "#[repr(C, align(64))]\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n"
        ),
        "{rust}"
    );
    assert!(
        rust.contains(
            "pub struct OlMailbox {\n    /// The struct's bytes.\n    pub _opaque: [u8; 128],\n}"
        ),
        "{rust}"
    );
}

/// A define of each byte order under `#if` and `#elif` (linux/acct.h's `ACCT_BYTEORDER`) is
/// imported as two, each with its branch's condition (the `#elif`'s after the `#if`'s
/// negation), and regenerated with each target's value: s390x's 0x80, the others' 0.
#[test]
fn a_define_of_each_byte_order_is_imported_under_its_branch() {
    let header = repo_root().join("codegen/tests/import/linux/byteorder_define.h");
    let schema = import_generate_compare(&header, "byteorder_define");
    let big = "defined(__BYTE_ORDER) ? __BYTE_ORDER == __BIG_ENDIAN : defined(__BIG_ENDIAN)";
    let little =
        "defined(__BYTE_ORDER) ? __BYTE_ORDER == __LITTLE_ENDIAN : defined(__LITTLE_ENDIAN)";
    for line in [
        format!("name = \"BD_BYTEORDER\"\nwhen = \"{big}\"\nvalue = 0x80\n"),
        format!("name = \"BD_BYTEORDER\"\nwhen = \"!({big}) && ({little})\"\nvalue = 0x00\n"),
        "includes = [\"linux/types.h\", \"asm/byteorder.h\"]".to_string(),
    ] {
        assert!(schema.contains(&line), "{line}:\n{schema}");
    }
    let m = uapigen::load_source(
        uapigen::Source::new("byteorder_define.toml", schema.clone()),
        "byteorder_define.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let on: Vec<(&str, u64)> = m
        .family
        .constants()
        .filter(|c| c.name == "BD_BYTEORDER")
        .flat_map(|c| {
            uapigen::layout::TARGETS
                .iter()
                .filter(|t| c.on(t))
                .map(|t| (t.rust_arch, c.value))
        })
        .collect();
    assert_eq!(on.len(), uapigen::layout::TARGETS.len(), "{on:?}");
    for (arch, value) in on {
        assert_eq!(value, if arch == "s390x" { 0x80 } else { 0 }, "{arch}");
    }
}

/// A member declared once whose type a define under an architecture's `#if` makes another
/// struct per target is imported as one member per type under that condition, and the define
/// as a `tag` under it (import's proof laid the header out so on every target).
#[test]
fn a_member_typed_per_architecture_by_a_define_is_imported_per_type() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/arch_types.h");
    let schema =
        uapigen::import::import(&header, &[&dir], "arch_types").unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "name = \"at_state\"\nwhen = \"defined(__i386__)\"\ntag = \"at_state_32\"",
        "name = \"at_state\"\nunless = \"defined(__i386__)\"\ntag = \"at_state_64\"",
        "  { name = \"state\", type = \"struct at_state_64\", unless = \"defined(__i386__)\" },\n\
         \x20 { name = \"state\", type = \"struct at_state_32\", when = \"defined(__i386__)\" },\n\
         \x20 { name = \"magic\", type = \"__u32\" },\n\
         \x20 { name = \"next\", type = \"struct at_state_64 *\", unless = \"defined(__i386__)\" },\n\
         \x20 { name = \"next\", type = \"struct at_state_32 *\", when = \"defined(__i386__)\" },",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    let m = uapigen::load_source(
        uapigen::Source::new("arch_types.toml", schema.clone()),
        "arch_types.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let x = m
        .family
        .structs
        .iter()
        .position(|s| s.name == "at_x")
        .unwrap();
    let sizes: Vec<u64> = m.layouts.iter().map(|l| l.structs[x].size).collect();
    // arm is no i386: the 64 struct, with a 4-byte pointer.
    assert_eq!(sizes, [144, 92, 144, 140, 144, 144, 144], "{schema}");
}

/// An enum value the header then #defines as an expression of its own name is imported as
/// the value's `redefine` (the enumerator keeps its value; C reads the define's below), and a
/// define naming it reads the define's (import's proof held both to C).
#[test]
fn an_enum_value_redefined_below_its_enum_is_imported() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/redefine_like.h");
    let schema = uapigen::import::import(&header, &[&dir], "redefine_like")
        .unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "{ name = \"__RL_MODE_MAX\", value = 2, redefine = \"(__RL_MODE_MAX - 1)\" }",
        "name = \"RL_MODE_LAST\"\nalias = \"__RL_MODE_MAX\"",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    assert!(
        !schema.contains("name = \"__RL_MODE_MAX\"\nexpr"),
        "{schema}"
    );
    let m = uapigen::load_source(
        uapigen::Source::new("redefine_like.toml", schema.clone()),
        "redefine_like.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let value = |n: &str| m.family.constants().find(|c| c.name == n).unwrap().value;
    assert_eq!((value("__RL_MODE_MAX"), value("RL_MODE_LAST")), (2, 1));
}

/// A struct and a define of x86-64 alone (under `#ifdef __x86_64__`, no `#else`) are imported
/// with that condition; import's proof found the struct on x86-64 and on no other target.
#[test]
fn a_struct_of_one_architecture_is_imported_with_its_condition() {
    let dir = repo_root().join("codegen/tests/import");
    let header = dir.join("linux/per_target.h");
    let schema =
        uapigen::import::import(&header, &[&dir], "per_target").unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "name = \"PT_X86_ONLY\"\nwhen = \"defined(__x86_64__)\"\nvalue = 1",
        "[[struct]]\nname = \"pt_x86_only\"\nwhen = \"defined(__x86_64__)\"\nfields",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
}

/// An enum of some targets only is refused: the schema's enums are on every target (its
/// values are C's on x86-64 alone).
#[test]
fn an_enum_of_some_targets_is_refused() {
    assert_eq!(refusal("enum_per_target.h"), [
        "enum_per_target.h:6:2: error: `EPT_A` is not an integer constant (or not defined) in C on i686-linux-gnu, 1 in the schema import would write (its value on x86_64-linux-gnu): the schema's constants have one value on every target",
    ]);
}

/// A FIFO under a header's name is refused before libclang opens it (it would block).
#[test]
fn a_header_that_is_not_a_regular_file_is_refused_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.h");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let e = uapigen::import::import(&fifo, &[], "fifo").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: not a regular file (a FIFO)", fifo.display())
    );
}

// ---- Every header of the kernel's uAPI: imported faithfully, or refused where it is. ----

/// `uapigen import` over every `/usr/include/linux/*.h` (Debian's linux-libc-dev): no panic;
/// a refusal is a schema error (exit 2) with every error at `file:line:col`; what is printed
/// loads and generates. In this process (libclang loaded once per thread, not per header),
/// so the 500-odd headers take seconds; the command line's exit codes on a few of them.
#[test]
fn every_header_in_usr_include_linux_is_imported_or_refused_where_it_is() {
    let root = Path::new("/usr/include/linux");
    let mut headers: Vec<std::path::PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: install Debian's linux-libc-dev (scripts/setup does)",
                root.display()
            )
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "h"))
        .collect();
    headers.sort();
    assert!(headers.len() > 300, "{}", headers.len());
    let located = |l: &str| {
        let mut parts = l.splitn(4, ':');
        let (Some(file), Some(line), Some(col), Some(rest)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        !file.is_empty()
            && line.parse::<u32>().is_ok_and(|n| n > 0)
            && col.parse::<u32>().is_ok_and(|n| n > 0)
            && rest.starts_with(" error: ")
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let imported = std::sync::Mutex::new(Vec::new());
    let problems = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(h) = headers.get(i) else { break };
                // A file name that is no C identifier (`a.out.h`) is its own, tested refusal.
                let family: String = h
                    .file_stem()
                    .unwrap()
                    .to_string_lossy()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                let name = h.display();
                // As `uapigen import` does: the folder above the header's is searched.
                let r = uapigen::import::import(h, &[Path::new("/usr/include")], &family);
                let problem = match r {
                    Ok(out) => {
                        let file = format!("{family}.toml");
                        match uapigen::load_source(
                            uapigen::Source::new(file.clone(), out.clone()),
                            &file,
                        )
                        .and_then(|c| generate_one(&c))
                        {
                            Ok(_) => {
                                imported.lock().unwrap().push(family.clone());
                                None
                            }
                            Err(e) => Some(format!(
                                "{name}: imported, and generate refuses it:\n{e}\n{out}"
                            )),
                        }
                    }
                    Err(e @ uapigen::Error::Schema(_)) => {
                        let text = e.to_string();
                        text.lines()
                            .filter(|l| l.contains(": error: ") && !located(l))
                            .chain(text.lines().take(1).filter(|l| !located(l)))
                            .next()
                            .map(|l| format!("{name}: an error without a location: {l}"))
                    }
                    Err(e) => Some(format!("{name}: refused without a location: {e:?}")),
                };
                problems.lock().unwrap().extend(problem);
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // Not a test that passes by refusing everything: the plain headers are imported.
    let imported = imported.into_inner().unwrap();
    assert!(imported.len() > 100, "{}: {imported:?}", imported.len());
    for family in ["openat2", "nsfs", "close_range"] {
        assert!(
            imported.iter().any(|f| f == family),
            "{family}: {imported:?}"
        );
    }
    // The command line: exit 0 with the skeleton, or exit 2 with located errors and no output.
    // (Line numbers change with the package's version: the message, not the line, is fixed.)
    for (header, code, says) in [
        ("openat2.h", 0, ""),
        (
            "vfio.h", 0,
            // Its flexible array members, `(1 << 31)` and vfio_bitmap's `__u64 *` import.
            "",
        ),
        (
            "kvm.h",
            // gcc-multilib's /usr/include/asm puts the architecture's headers on the default
            // include path; without it, kvm.h's own `#include <asm/kvm.h>` is what fails.
            // With it, kvm.h imports: <asm/kvm.h>'s structs copied (bitfields and all),
            // __DECLARE_FLEX_ARRAY(), `(-1ul)` and `#define X X` under its enum's values.
            if Path::new("/usr/include/asm").exists() {
                0
            } else {
                2
            },
            if Path::new("/usr/include/asm").exists() {
                ""
            } else {
                ": error: 'asm/kvm.h' file not found"
            },
        ),
        (
            "acrn.h",
            // Its aligned(256) request imports, and so does guid_t, <linux/uuid.h>'s typedef
            // of an anonymous struct, copied as an extern `typedef = true` struct.
            0, "",
        ),
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_uapigen"))
            .arg("import")
            .arg(root.join(header))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{header}: {err}");
        assert_eq!(o.stdout.is_empty(), code == 2, "{header}");
        let first = err.lines().next().unwrap_or("");
        if code == 2 {
            assert!(located(first), "{header}: {err}");
            assert!(
                first.starts_with(&format!("/usr/include/linux/{header}:")),
                "{header}: {err}"
            );
            assert!(first.contains(says), "{header}: {err}");
        } else {
            assert!(err.is_empty(), "{header}: {err}");
        }
    }
}

/// A chain of defines each naming the one below it, whose last import cannot read: every
/// one is listed as not imported (none is left naming a define the skeleton lacks), in
/// rounds bounded whatever the chain's length.
#[test]
fn a_chain_of_forward_references_to_an_unreadable_define_is_listed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let n = 3_000;
    let mut h = String::from("#include <linux/types.h>\n");
    for i in 0..n {
        h += &format!("#define D{i} (D{} + 1)\n", i + 1);
    }
    // A wide string: no form of the schema's (a plain one is a string define).
    h += &format!("#define D{n} L\"text\"\n#define OK (D_OK + 1)\n#define D_OK 7\n");
    let header = dir.path().join("fwd_chain.h");
    std::fs::write(&header, h).unwrap();
    let start = std::time::Instant::now();
    let schema = uapigen::import::import(&header, &[dir.path()], "fwd_chain")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema.matches("# not imported: #define D").count(), n + 1);
    // A forward reference to a define import reads stays.
    assert!(
        schema.contains("name = \"OK\"\nexpr = \"(D_OK + 1)\""),
        "{schema}"
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

/// A run of bitfields declared per byte order (linux/ip.h's way) imports as `byte_order`, and
/// libclang's s390x layout of the header, read with a <asm/byteorder.h> for s390x, holds the
/// schema's mirror of it; a big-endian branch that is not each byte's bitfields in reverse is
/// refused there, naming s390x.
#[test]
fn bitfields_declared_per_byte_order_import_and_are_proved_on_s390x() {
    let header = |be: &str| {
        format!(
            "#ifndef _BO_H\n#define _BO_H\n#include <linux/types.h>\n#include <asm/byteorder.h>\n\
             struct bo_hdr {{\n#if defined(__LITTLE_ENDIAN_BITFIELD)\n\t__u8\tihl:4,\n\t\tversion:4;\n\
             #elif defined (__BIG_ENDIAN_BITFIELD)\n{be}#else\n#error\t\"Please fix <asm/byteorder.h>\"\n\
             #endif\n\t__u8\ttos;\n\t__be16\ttot_len;\n}};\n#endif\n"
        )
    };
    let (dir, linux) = linux_folder();
    let good = linux.join("bo.h");
    std::fs::write(&good, header("\t__u8\tversion:4,\n\t\tihl:4;\n")).unwrap();
    let schema = import_generate_compare(&good, "bo");
    assert!(
        schema.contains("{ name = \"ihl\", type = \"__u8\", bits = 4, byte_order = true }"),
        "{schema}"
    );
    let bad = linux.join("bo_bad.h");
    std::fs::write(&bad, header("\t__u8\tihl:4,\n\t\tversion:4;\n")).unwrap();
    let e = uapigen::import::import(&bad, &[dir.path()], "bo_bad")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("struct `bo_hdr` is not laid out as the schema would write it")
            && e.contains("on s390x-linux-gnu: `ihl` at bits 0..4 (4) by libclang, bits 4..8 (4) in the schema"),
        "{e}"
    );
}

/// A run whose big-endian branch merges its last bitfield into the one ending the byte before
/// (linux/icmpv6.h's `reserved:29` for `reserved:5` and `reserved2:24`) imports as
/// `byte_order = "merged"` on that last one, which libclang's s390x layout proves; a branch
/// that merges into another width is refused there.
#[test]
fn a_bitfield_merged_on_big_endian_imports_and_is_proved_on_s390x() {
    let header = |be: &str| {
        format!(
            "#ifndef _BM_H\n#define _BM_H\n#include <linux/types.h>\n#include <asm/byteorder.h>\n\
             struct bm_advt {{\n#if defined(__LITTLE_ENDIAN_BITFIELD)\n\t__u32\treserved:5,\n\t\toverride:1,\n\
             \t\tsolicited:1,\n\t\trouter:1,\n\t\treserved2:24;\n#elif defined(__BIG_ENDIAN_BITFIELD)\n{be}\
             #else\n#error\t\"Please fix <asm/byteorder.h>\"\n#endif\n\t__u32\ttarget;\n}};\n#endif\n"
        )
    };
    let (dir, linux) = linux_folder();
    let good = linux.join("bm.h");
    std::fs::write(
        &good,
        header("\t__u32\trouter:1,\n\t\tsolicited:1,\n\t\toverride:1,\n\t\treserved:29;\n"),
    )
    .unwrap();
    let schema = import_generate_compare(&good, "bm");
    assert!(
        schema.contains(
            "{ name = \"reserved2\", type = \"__u32\", bits = 24, byte_order = \"merged\" }"
        ),
        "{schema}"
    );
    let bad = linux.join("bm_bad.h");
    std::fs::write(
        &bad,
        header("\t__u32\trouter:1,\n\t\tsolicited:1,\n\t\toverride:1,\n\t\treserved:28;\n"),
    )
    .unwrap();
    let e = uapigen::import::import(&bad, &[dir.path()], "bm_bad")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("struct `bm_advt` is not laid out as the schema would write it")
            && e.contains("on s390x-linux-gnu: `reserved` at bits 3..31 (28) by libclang, bits 3..32 (29) in the schema"),
        "{e}"
    );
}

/// Members that are not bitfields declared in reverse on a big-endian ABI import as runs of
/// `byte_order`: if_packet.h's pair under `#else`, md_p.h's two pairs side by side (a label
/// each) under aio_abi.h's `__BYTE_ORDER` spelling with the big-endian branch first, a member
/// in the same place in both branches left as it is; libclang's s390x layout proves each. A
/// big-endian order that no run's reversal gives is refused, naming the member.
#[test]
fn members_declared_in_reverse_per_byte_order_import_as_runs() {
    let bo = |little: &str, big: &str| {
        format!(
            "#if defined(__BYTE_ORDER) ? __BYTE_ORDER == __BIG_ENDIAN : defined(__BIG_ENDIAN)\n{big}             #elif defined(__BYTE_ORDER) ? __BYTE_ORDER == __LITTLE_ENDIAN : defined(__LITTLE_ENDIAN)\n             {little}#else\n#error unspecified endianness\n#endif\n"
        )
    };
    let header = |events_big: &str| {
        format!(
            "#ifndef _BOM_H\n#define _BOM_H\n#include <linux/types.h>\n#include <asm/byteorder.h>\n\
             struct bom_fanout {{\n#if defined(__LITTLE_ENDIAN_BITFIELD)\n\t__u16 id;\n\t__u16 type_flags;\n\
             #else\n\t__u16 type_flags;\n\t__u16 id;\n#endif\n\t__u32 max_num_members;\n}};\n\
             struct bom_sb {{\n\t__u32 magic;\n{}\t__u64 reshape;\n}};\n#endif\n",
            bo(
                "\t__u32 events_lo;\n\t__u32 events_hi;\n\t__u32 cp_events_lo;\n\t__u32 cp_events_hi;\n\t__u32 same;\n",
                events_big
            )
        )
    };
    let (dir, linux) = linux_folder();
    let good = linux.join("bom.h");
    std::fs::write(
        &good,
        header("\t__u32 events_hi;\n\t__u32 events_lo;\n\t__u32 cp_events_hi;\n\t__u32 cp_events_lo;\n\t__u32 same;\n"),
    )
    .unwrap();
    let schema = import_generate_compare(&good, "bom");
    for want in [
        "{ name = \"id\", type = \"__u16\", byte_order = true }",
        "{ name = \"type_flags\", type = \"__u16\", byte_order = true }",
        "{ name = \"events_lo\", type = \"__u32\", byte_order = \"events_lo\" }",
        "{ name = \"events_hi\", type = \"__u32\", byte_order = \"events_lo\" }",
        "{ name = \"cp_events_hi\", type = \"__u32\", byte_order = \"cp_events_lo\" }",
        "{ name = \"same\", type = \"__u32\" }",
        "{ name = \"max_num_members\", type = \"__u32\" }",
    ] {
        assert!(schema.contains(want), "{want}:\n{schema}");
    }
    let bad = linux.join("bom_bad.h");
    // A rotation, which no run reversed gives.
    std::fs::write(
        &bad,
        header("\t__u32 events_hi;\n\t__u32 cp_events_lo;\n\t__u32 cp_events_hi;\n\t__u32 events_lo;\n\t__u32 same;\n"),
    )
    .unwrap();
    let e = uapigen::import::import(&bad, &[dir.path()], "bom_bad")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("struct `bom_sb` declares `bom_sb.events_lo` by the byte order in an order the schema cannot write"),
        "{e}"
    );
}

/// A run of bitfields the big-endian branch declares in reverse as a whole imports as
/// `byte_order = "word"`, inside a struct (linux/drbd.h's `drbd_state`) and where the header
/// declares the whole union per byte order at file scope (linux/perf_event.h's
/// `perf_mem_data_src`); libclang's s390x layout proves both, and the regenerated header
/// writes the union once.
#[test]
fn bitfields_reversed_as_a_whole_import_as_word_runs() {
    let (_dir, linux) = linux_folder();
    let header = linux.join("word.h");
    std::fs::write(
        &header,
        "#ifndef _WORD_H\n#define _WORD_H\n#include <linux/types.h>\n#include <asm/byteorder.h>\n\
         union word_state {\n\tstruct {\n#if defined(__LITTLE_ENDIAN_BITFIELD)\n\
         \t\tunsigned role:2;\n\t\tunsigned conn:5;\n\t\tunsigned _pad:25;\n\
         #elif defined(__BIG_ENDIAN_BITFIELD)\n\t\tunsigned _pad:25;\n\t\tunsigned conn:5;\n\
         \t\tunsigned role:2;\n#else\n# error \"this endianness is not supported\"\n#endif\n\
         \t};\n\tunsigned int i;\n};\n\
         #if defined(__LITTLE_ENDIAN_BITFIELD)\nunion word_src {\n\t__u64 val;\n\tstruct {\n\
         \t\t__u64 op:5, /* opcode */\n\t\t\tlvl:14,\n\t\t\trsvd:45;\n\t};\n};\n\
         #elif defined(__BIG_ENDIAN_BITFIELD)\nunion word_src {\n\t__u64 val;\n\tstruct {\n\
         \t\t__u64 rsvd:45,\n\t\t\tlvl:14,\n\t\t\top:5; /* opcode */\n\t};\n};\n\
         #else\n#error \"Unknown endianness\"\n#endif\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "word");
    for want in [
        "{ name = \"role\", type = \"unsigned int\", bits = 2, byte_order = \"word\" }",
        "{ name = \"_pad\", type = \"unsigned int\", bits = 25, byte_order = \"word\" }",
        "{ name = \"op\", type = \"__u64\", bits = 5, byte_order = \"word\", doc = \"opcode\" }",
        "{ name = \"rsvd\", type = \"__u64\", bits = 45, byte_order = \"word\" }",
    ] {
        assert!(schema.contains(want), "{want}:\n{schema}");
    }
}

/// `#include <limits.h>` in a header whose folder has a limits.h of its own (Linux 6.1's
/// linux/netfilter_ipv4.h, beside linux/limits.h) reads the C library's, as a compiler does:
/// the proof of the skeleton once searched the header's folder first, found linux/limits.h
/// and refused the header for its `INT_MIN`.
#[test]
fn a_c_library_header_is_not_taken_from_the_headers_folder() {
    let (_dir, linux) = linux_folder();
    std::fs::write(
        linux.join("limits.h"),
        "#ifndef _LINUX_LIMITS_H\n#define _LINUX_LIMITS_H\n#define NR_OPEN 1024\n#endif\n",
    )
    .unwrap();
    let header = linux.join("nfpri.h");
    std::fs::write(
        &header,
        "#ifndef _NFPRI_H\n#define _NFPRI_H\n#include <limits.h>\n\
         enum nf_pri {\n\tNF_PRI_FIRST = INT_MIN,\n\tNF_PRI_FILTER = 0,\n\tNF_PRI_LAST = INT_MAX,\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "nfpri");
    for want in [
        "{ name = \"NF_PRI_FIRST\", value = -2147483648 }",
        "{ name = \"NF_PRI_LAST\", value = 2147483647 }",
    ] {
        assert!(schema.contains(want), "{want}:\n{schema}");
    }
}

/// Enum values that are ioctl numbers (linux/android/binder.h's `binder_driver_return_protocol`)
/// import as `ioctl`, each target's number, and come back with powerpc's encoding there.
#[test]
fn enum_values_that_are_ioctl_numbers_import_as_ioctls() {
    let (_dir, linux) = linux_folder();
    let header = linux.join("binderish.h");
    std::fs::write(
        &header,
        "#ifndef _BINDERISH_H\n#define _BINDERISH_H\n#include <linux/types.h>\n#include <linux/ioctl.h>\n\
         struct bi_data {\n\t__u64 cookie;\n\t__u32 code;\n\t__u32 flags;\n};\n\
         enum bi_return {\n\tBR_ERROR = _IOR('r', 0, __s32),\n\tBR_OK = _IO('r', 1),\n\
         \tBR_TRANSACTION = _IOR('r', 2, struct bi_data),\n\tBC_FREE = _IOW('c', 3, __u64),\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "binderish");
    for want in [
        "past_int = true",
        "{ name = \"BR_ERROR\", ioctl = { type = \"'r'\", nr = 0, dir = \"r\", size = \"__s32\" } }",
        "{ name = \"BR_OK\", ioctl = { type = \"'r'\", nr = 1 } }",
        "{ name = \"BR_TRANSACTION\", ioctl = { type = \"'r'\", nr = 2, dir = \"r\", size = \"struct bi_data\" } }",
    ] {
        assert!(schema.contains(want), "{want}:\n{schema}");
    }
}

/// Constants through <asm/byteorder.h>'s conversions (linux/if_tunnel.h's defines,
/// linux/tcp.h's enum) import as the expressions the header writes, each byte order's value,
/// and not as copies of linux/byteorder/little_endian.h's macros, which the x86-64 reading
/// sees: the regenerated header includes <asm/byteorder.h> and proves on s390x too.
#[test]
fn byte_order_conversions_import_as_expressions() {
    let (_dir, linux) = linux_folder();
    let header = linux.join("grewords.h");
    std::fs::write(
        &header,
        "#ifndef _GRE_H\n#define _GRE_H\n#include <linux/types.h>\n#include <asm/byteorder.h>\n\
         #define GW_CSUM\t__cpu_to_be16(0x8000)\n#define GW_VERSION\t__cpu_to_be16(0x0007)\n\
         enum {\n\tGW_FLAG_CWR = __constant_cpu_to_be32(0x00800000),\n\
         \tGW_DATA_OFFSET = __constant_cpu_to_be32(0xF0000000),\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "grewords");
    for want in [
        "expr = \"__cpu_to_be16(0x8000)\"",
        "{ name = \"GW_FLAG_CWR\", expr = \"__constant_cpu_to_be32(0x00800000)\" }",
    ] {
        assert!(schema.contains(want), "{want}:\n{schema}");
    }
    assert!(!schema.contains("[[macro]]"), "{schema}");
}

/// An enum with values past 2^63 - 1 (linux/perf_event.h's `perf_callchain_context`)
/// imports each such value as the C expression the header writes (`expr`), and comes back
/// with the same values and the same `unsigned long` type on every target.
#[test]
fn enum_values_past_i64_import_as_their_expressions() {
    let (_dir, linux) = linux_folder();
    let header = linux.join("bigenum.h");
    std::fs::write(
        &header,
        "#ifndef _BE_H\n#define _BE_H\n#include <linux/types.h>\n\
         enum be_context {\n\tBE_CONTEXT_HV\t\t= (__u64)-32,\n\tBE_CONTEXT_KERNEL\t= (__u64)-128,\n\
         \tBE_CONTEXT_NEXT,\n};\n\
         enum be_txn {\n\tBE_TXN_ELISION = (1 << 0),\n\tBE_TXN_ABORT_MASK = (0xffffffffULL\n\t\t<< 32),\n\
         \tBE_TXN_ABORT_SHIFT = 32,\n};\n\
         struct be_sample {\n\tenum be_context ctx;\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "bigenum");
    for want in [
        "{ name = \"BE_CONTEXT_HV\", expr = \"(__u64)-32\" }",
        "{ name = \"BE_CONTEXT_NEXT\" }",
        "{ name = \"BE_TXN_ABORT_MASK\", expr = \"(0xffffffffULL << 32)\" }",
        "{ name = \"BE_TXN_ABORT_SHIFT\", value = 32 }",
    ] {
        assert!(schema.contains(want), "{want}:\n{schema}");
    }
}

/// <linux/stddef.h>'s `__DECLARE_FLEX_ARRAY()`, alone in a struct (kvm.h's kvm_msr_list) and in
/// a union that ends one (io_uring.h's io_uring_buf_ring), imports as the macro and comes back
/// laid out as the original on every target.
#[test]
fn declared_flexible_arrays_import_as_the_macro() {
    let (_dir, linux) = linux_folder();
    // The kernel's <linux/stddef.h> as a tree has it (uapigen's stub of it, with the macro).
    std::fs::write(linux.join("stddef.h"), uapigen::clang_proof::STDDEF_H).unwrap();
    let header = linux.join("declflex.h");
    std::fs::write(
        &header,
        "#ifndef _DF_H\n#define _DF_H\n#include <linux/types.h>\n#include <linux/stddef.h>\n\
         struct df_buf {\n\t__u64 addr;\n\t__u32 len;\n\t__u16 bid;\n\t__u16 resv;\n};\n\
         struct df_ring {\n\tunion {\n\t\tstruct {\n\t\t\t__u64 resv1;\n\t\t\t__u32 resv2;\n\
         \t\t\t__u16 resv3;\n\t\t\t__u16 tail;\n\t\t};\n\t\t__DECLARE_FLEX_ARRAY(struct df_buf, bufs);\n\
         \t};\n};\nstruct df_list {\n\t__u32 n;\n\t__DECLARE_FLEX_ARRAY(__u32, indices);\n};\n#endif\n",
    )
    .unwrap();
    let schema = import_generate_compare(&header, "declflex");
    for want in [
        "{ name = \"bufs\", type = \"struct df_buf\", flexible = \"__DECLARE_FLEX_ARRAY\" }",
        "{ name = \"indices\", type = \"__u32\", flexible = \"__DECLARE_FLEX_ARRAY\" }",
    ] {
        assert!(schema.contains(want), "{want}:\n{schema}");
    }
}

/// compat.toml's header (glibc's sockaddr and timeval, <linux/libc-compat.h>'s conditions)
/// imports back to the same layout and constants, with its conditions and extern copies, and
/// the header generated from the skeleton writes each `#if` as the original does.
#[test]
fn libc_types_and_libc_compat_conditions_round_trip() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let expected = family(&families, "compat");
    let header = repo_root().join("codegen/tests/golden/out/include/uapi/linux/compat_golden.h");
    let schema = round_trip(&header, "compat_golden", expected);
    for line in [
        "extern = \"sys/time.h\"",
        "extern = \"sys/socket.h\"",
        "libc_compat = \"__UAPI_DEF_IF_IFREQ\"",
        "libc_compat = \"__UAPI_DEF_IF_NET_DEVICE_FLAGS_LOWER_UP_DORMANT_ECHO != 0 || __UAPI_DEF_IF_NET_DEVICE_FLAGS != 0\"",
        "{ name = \"CGF_UP\", value = 1, libc_compat = \"__UAPI_DEF_IF_NET_DEVICE_FLAGS\" }",
        "libc_compat = \"__UAPI_DEF_IN6_ADDR_ALT\"",
    ] {
        assert!(schema.contains(line), "{line} in:\n{schema}");
    }
    let c = uapigen::load_source(
        uapigen::Source::new("compat_golden.toml", schema.clone()),
        "compat_golden.toml",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    generate_one(&c).unwrap().write(out.path()).unwrap();
    let again =
        std::fs::read_to_string(out.path().join("include/uapi/linux/compat_golden.h")).unwrap();
    let original = std::fs::read_to_string(&header).unwrap();
    let directives = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("#if") || l.starts_with("#endif /* __UAPI"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(directives(&again), directives(&original));
}

/// A `__UAPI_DEF_*` condition with another branch has no `libc_compat` form: refused there.
#[test]
fn a_libc_compat_condition_with_an_else_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let linux = dir.path().join("linux");
    std::fs::create_dir(&linux).unwrap();
    let header = linux.join("compat_else.h");
    std::fs::write(
        &header,
        "#ifndef _COMPAT_ELSE_H\n#define _COMPAT_ELSE_H\n#include <linux/libc-compat.h>\n\
         #include <linux/types.h>\n#if __UAPI_DEF_IF_IFREQ\nstruct ce_a { __u32 a; };\n#else\n\
         struct ce_b { __u32 b; };\n#endif\n#endif\n",
    )
    .unwrap();
    let err = uapigen::import::import(&header, &[dir.path()], "compat_else")
        .expect_err("an #else was imported");
    let text = err.to_string();
    assert!(
        text.contains("compat_else.h:5:1")
            && text.contains("`#if __UAPI_DEF_IF_IFREQ` has an `#else` or `#elif`"),
        "{text}"
    );
}

/// String defines import as `string`, joined ones too, and an integer define that names one
/// (above or below it) is listed as not imported, saying so, not written for `generate` to
/// refuse.
#[test]
fn string_defines_import_and_an_integer_naming_one_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let header = dir.path().join("strs.h");
    std::fs::write(
        &header,
        "#define S_BELOW_USER (S_LATER + 1)\n#define S_PREFIX \"sec.\"\n\
         #define S_NAME S_PREFIX \"evm\"\n#define S_LEN (sizeof(S_NAME) - 1)\n\
         #define S_ABOVE_USER (S_PREFIX + 1)\n#define S_LATER \"x\\032\"\n",
    )
    .unwrap();
    let schema =
        uapigen::import::import(&header, &[dir.path()], "strs").unwrap_or_else(|e| panic!("{e}"));
    for want in [
        "name = \"S_PREFIX\"\nstring = '\"sec.\"'",
        "name = \"S_NAME\"\nstring = 'S_PREFIX \"evm\"'",
        "name = \"S_LEN\"\nexpr = \"(sizeof(S_NAME) - 1)\"",
        "name = \"S_LATER\"\nstring = '\"x\\032\"'",
        "# not imported: #define S_BELOW_USER at strs.h:1:9: it uses `S_LATER`, a string define, as an integer",
        "# not imported: #define S_ABOVE_USER at strs.h:5:9: it uses `S_PREFIX`, a string define, as an integer",
    ] {
        assert!(schema.contains(want), "{want}\n---\n{schema}");
    }
    let checked = uapigen::load_source(
        uapigen::Source::new("strs.toml", schema.clone()),
        "strs.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let s = checked
        .family
        .strings
        .iter()
        .find(|d| d.name == "S_NAME")
        .unwrap();
    assert_eq!(s.bytes, b"sec.evm");
}
