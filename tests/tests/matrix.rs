//! The compatibility matrix from `cargo test`: every validated struct, every (user revision,
//! kernel revision) pair, through the generated Rust (per-revision modules) and the generated
//! C (per-revision functions), against each revision's kernel as the schema defines it. And a
//! deliberately broken validator: one generated C rule changed makes exactly the right
//! cells fail.

use uapigen::matrix::{self, Buffer, Case, CellResult, Implementation, Outcome};
use uapigen::matrix_c::CValidators;
use uapigen_bindings::{iommu, iommufd, vfio, vfio_nesting};
use uapigen_tests::{copy_generated_include, families, repo_root};

/// Each family's `copy_from_user_by_name`.
type ByName = fn(
    &str,
    usize,
    &dyn uapigen_uaccess::UserMemory,
    u64,
    (u32, u32),
    &mut [u8],
) -> Option<Result<usize, uapigen_uaccess::Rejected>>;

const BY_NAME: [ByName; 4] = [
    iommu::copy_from_user_by_name,
    iommufd::copy_from_user_by_name,
    vfio::copy_from_user_by_name,
    vfio_nesting::copy_from_user_by_name,
];

/// The generated Rust validators, each revision's, by name.
struct GeneratedRust;

impl Implementation for GeneratedRust {
    fn name(&self) -> &str {
        "generated Rust"
    }
    fn run(&mut self, cases: &[Case]) -> Vec<Outcome> {
        cases
            .iter()
            .map(|c| {
                let mem = Buffer::new(c.bytes.clone());
                // Today's struct, sized from the layout: no struct is too large for it.
                let size = matrix::find(families(), &c.struct_name)
                    .map_or(0, |(f, si)| f.layouts[0].struct_(si).size as usize);
                let mut dst = vec![0u8; size];
                let ud = c.user_data.unwrap_or((0, 0));
                let r = BY_NAME
                    .iter()
                    .find_map(|by_name| {
                        by_name(&c.struct_name, c.kernel.0, &mem, matrix::BASE, ud, &mut dst)
                    })
                    .unwrap_or_else(|| {
                        panic!(
                            "no generated validator for {} revision {}",
                            c.struct_name, c.kernel.0
                        )
                    });
                (
                    r.map(|n| dst[..n].to_vec()).map_err(|e| e.errno),
                    Some(mem.read_end.get()),
                )
            })
            .collect()
    }
}

#[test]
fn matrix_passes_for_generated_rust_and_c() {
    let fams = families();
    let mut c = CValidators::build(&repo_root().join("generated/include"), fams)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut rust = GeneratedRust;
    let m = matrix::run(fams, &mut [&mut rust, &mut c]);
    assert!(m.ok, "{}", matrix::table(&m));
    // Both families, and the structs that changed across revisions, have multi-revision rows.
    let hwpt = m
        .structs
        .iter()
        .find(|s| s.name == "iommu_hwpt_alloc")
        .unwrap();
    assert_eq!(
        hwpt.revisions,
        [
            "v6_6", "v6_7", "v6_8", "v6_11", "v6_12_14", "v6_12_31", "v6_13", "v6_14", "v6_15",
            "v6_17", "v7_0", "v7_1"
        ]
    );
    assert!(m
        .structs
        .iter()
        .any(|s| s.family == "iommu" && s.revisions.len() == 2));
    let cases = m.passed_cases();
    assert!(cases > 5000, "{cases}");
}

/// v6.6's IOMMU_HWPT_ALLOC min_size changed from 24 to 23 in the generated C: the cell user
/// v6_6 × kernel v6_6 of iommu_hwpt_alloc fails (a 23-byte size is accepted where v6.6 refuses
/// it), and nothing else does.
#[test]
fn a_broken_generated_rule_fails_the_right_cells() {
    let dir = tempfile::tempdir().unwrap();
    let include = copy_generated_include(dir.path());
    let header = include.join("uapigen/iommufd_validate.h");
    let text = std::fs::read_to_string(&header).unwrap();
    let start = text
        .find("static inline int iommu_hwpt_alloc__v6_6_copy_from_user")
        .unwrap();
    let at = start + text[start..].find("if (usize < 24)").unwrap();
    let mutated = format!(
        "{}if (usize < 23){}",
        &text[..at],
        &text[at + "if (usize < 24)".len()..]
    );
    std::fs::write(&header, mutated).unwrap();

    let fams = families();
    let mut c = CValidators::build(&include, fams).unwrap_or_else(|e| panic!("{e}"));
    let m = matrix::run(fams, &mut [&mut c]);
    assert!(!m.ok);
    let mut failed = Vec::new();
    for s in &m.structs {
        for (u, row) in s.cells.iter().enumerate() {
            for (k, cell) in row.iter().enumerate() {
                if let CellResult::Fail {
                    implementation,
                    case,
                    ..
                } = cell
                {
                    failed.push((
                        s.name.clone(),
                        s.revisions[u].clone(),
                        s.revisions[k].clone(),
                        implementation.clone(),
                        case.clone(),
                    ));
                }
            }
        }
    }
    assert!(!failed.is_empty());
    for (name, _, k, implementation, case) in &failed {
        assert_eq!(
            (name.as_str(), k.as_str(), implementation.as_str()),
            ("iommu_hwpt_alloc", "v6_6", "generated C"),
            "{failed:?}"
        );
        assert_eq!(case, "garbage with size 23", "{failed:?}");
    }
    // Malformed sizes are played once per kernel, in its diagonal cell: exactly that cell.
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(
        (failed[0].1.as_str(), failed[0].2.as_str()),
        ("v6_6", "v6_6"),
        "{failed:?}"
    );
}

/// The runtime's own iommufd dispatcher (issue 17, item 6): every case of every cell of the
/// commands it handles, its context playing the cell's kernel revision
/// (`Iommufd::at_revision`), gives the errno or the kernel's bytes the interpreter's kernel of
/// that revision gives: which revisions have the command, the size, the copy and the rules.
#[test]
fn the_runtimes_iommufd_copies_as_each_revisions_kernel_does() {
    use std::sync::Arc;
    use uapigen_runtime::backend::Backend;
    use uapigen_runtime::iommufd::Iommufd;

    let fams = families();
    let oracle = matrix::Interpreter { families: fams };
    let backend: Arc<dyn Backend> =
        Arc::new(vtd_backend::VtdIommu::new(vtd_backend::Features::default()));
    let mut checked = 0;
    for (name, cmd) in [
        ("iommu_destroy", iommufd::IOMMU_DESTROY),
        ("iommu_ioas_alloc", iommufd::IOMMU_IOAS_ALLOC),
        ("iommu_hwpt_alloc", iommufd::IOMMU_HWPT_ALLOC),
        ("iommu_hw_info", iommufd::IOMMU_GET_HW_INFO),
        ("iommu_hwpt_invalidate", iommufd::IOMMU_HWPT_INVALIDATE),
    ] {
        let (c, s) = matrix::find(fams, name).unwrap();
        let revs: Vec<_> = c
            .revs()
            .filter(|v| v.exists(s) && v.validator(s).is_some())
            .map(|v| v.id())
            .collect();
        for &k in &revs {
            let fd = Iommufd::at_revision(1, backend.clone(), k.0);
            for &u in &revs {
                for case in matrix::cell_cases(c, s, u, k).unwrap_or_default() {
                    let want = oracle.kernel(&case, &Buffer::new(case.bytes.clone()));
                    let got = fd
                        .copy_command(&Buffer::new(case.bytes.clone()), cmd, matrix::BASE)
                        .map_err(|e| e.errno);
                    assert_eq!(
                        got, want,
                        "{name} user {} kernel {}: {}",
                        u.0, k.0, case.what
                    );
                    checked += 1;
                }
            }
        }
        // A revision before the command's first is -ENOTTY, as the dispatcher's table has it.
        if revs[0].0 > 0 {
            let fd = Iommufd::at_revision(1, backend.clone(), revs[0].0 - 1);
            let r = fd.copy_command(&Buffer::new(vec![0; 64]), cmd, matrix::BASE);
            assert_eq!(
                r.map_err(|e| e.errno),
                Err(uapigen_uaccess::Errno::ENOTTY),
                "{name}"
            );
        }
    }
    assert!(checked > 1000, "{checked}");
}
