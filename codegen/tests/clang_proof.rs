//! The layout proof with libclang: the committed headers, parsed for each of the seven target
//! ABIs, have exactly the IR's layouts; a stale header is caught, naming the struct, the member
//! and both layouts. libclang missing is a failure here, never a skip (scripts/setup installs
//! it).

mod common;

use common::*;
use uapigen::clang_proof::prove;

#[test]
fn committed_headers_match_the_ir_on_every_target() {
    let families = real_families();
    let mismatches =
        prove(&families, &repo_root().join("generated/include")).unwrap_or_else(|e| panic!("{e}"));
    let text: Vec<String> = mismatches.iter().map(|m| m.to_string()).collect();
    assert!(mismatches.is_empty(), "{}", text.join("\n"));
}

#[test]
fn feature_schema_header_matches_the_ir_on_every_target() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let mismatches = prove(
        &families,
        &repo_root().join("codegen/tests/golden/out/include"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let text: Vec<String> = mismatches.iter().map(|m| m.to_string()).collect();
    assert!(mismatches.is_empty(), "{}", text.join("\n"));
}

/// A header edited by hand (a `__u64` turned into `__u32`, the byte after it made explicit so
/// C still compiles) no longer matches the IR, and the proof says where, on which targets.
#[test]
fn a_stale_header_is_caught_with_both_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let linux = dir.path().join("uapi/linux");
    std::fs::create_dir_all(&linux).unwrap();
    for f in ["iommu.h", "iommufd.h"] {
        std::fs::copy(
            repo_root().join("generated/include/uapi/linux").join(f),
            linux.join(f),
        )
        .unwrap();
    }
    let h = linux.join("iommu.h");
    let text = std::fs::read_to_string(&h).unwrap();
    let stale = text.replacen("\t__u8 padding[6];\n", "\t__u8 padding[7];\n", 1);
    assert_ne!(stale, text);
    std::fs::write(&h, stale).unwrap();
    let mismatches = prove(&real_families(), dir.path()).unwrap();
    let text: Vec<String> = mismatches.iter().map(|m| m.to_string()).collect();
    let all = text.join("\n");
    for target in ["x86_64-linux-gnu", "i686-linux-gnu", "s390x-linux-gnu"] {
        assert!(
            all.contains(&format!("{target}: struct iommu_cache_invalidate_info (iommu): `padding` at offset 10 size 7 by libclang, offset 10 size 6 in the IR")),
            "{all}"
        );
    }
    assert!(
        mismatches
            .iter()
            .all(|m| m.struct_name == "iommu_cache_invalidate_info"),
        "{all}"
    );
}
