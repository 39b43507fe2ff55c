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
