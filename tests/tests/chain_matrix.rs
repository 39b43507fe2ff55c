//! Capability chains in the compatibility matrix, from `cargo test`: every chain of
//! schema/vfio.toml as each kernel revision returns it, and the malformed chains, through
//! the generated Rust walker (`uapigen_caps::Walker`) and the generated C one
//! (`uapigen_<info>_cap_next()`). And walkers broken on purpose: each makes exactly the cells
//! it should fail.

use uapigen::chain_c::CChainWalkers;
use uapigen::chain_matrix::{self, ChainCase, ChainMatrix, ChainWalker, Seen, Walk};
use uapigen::matrix::CellResult;
use uapigen_bindings::vfio::uapigen_caps::{CapError, ChainLayout, Chained, Walker};
use uapigen_bindings::vfio::{VfioDeviceInfo, VfioIommuType1Info, VfioRegionInfo};
use uapigen_tests::{copy_generated_include, families, repo_root};

/// The generated Rust walker's chain of `info`, if it has one.
fn chain_of(info: &str) -> Option<ChainLayout> {
    Some(match info {
        "vfio_device_info" => VfioDeviceInfo::CHAIN,
        "vfio_region_info" => VfioRegionInfo::CHAIN,
        "vfio_iommu_type1_info" => VfioIommuType1Info::CHAIN,
        _ => return None,
    })
}

/// The generated Rust walker, with an optional change to each walk (how a broken one is made).
struct GeneratedRust {
    name: &'static str,
    change: fn(&mut Walk, Option<CapError>),
}

impl ChainWalker for GeneratedRust {
    fn name(&self) -> &str {
        self.name
    }
    fn walk(&mut self, cases: &[ChainCase]) -> (Vec<Walk>, Option<String>) {
        let mut out = Vec::new();
        for c in cases {
            // A chain the schema has and this table lacks stops the walker: its cells crash.
            let Some(chain) = chain_of(&c.info) else {
                return (out, Some(format!("no Rust walker of `{}` here", c.info)));
            };
            let mut walk = Walk::default();
            let mut err = None;
            for cap in Walker::new(chain, &c.bytes) {
                match cap {
                    Ok(cap) => walk.caps.push(Seen {
                        id: cap.id,
                        version: cap.version,
                        offset: cap.offset,
                        len: cap.bytes.len() as u32,
                    }),
                    Err(e) => {
                        walk.error = Some((e.errno(), e.offset()));
                        err = Some(e);
                    }
                }
            }
            (self.change)(&mut walk, err);
            out.push(walk);
        }
        (out, None)
    }
}

fn rust() -> GeneratedRust {
    GeneratedRust {
        name: "generated Rust",
        change: |_, _| {},
    }
}

/// `(chain, column, implementation, case)` of every cell that is not a pass.
fn not_passed(m: &ChainMatrix) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for r in &m.chains {
        let cols = r.revisions.iter().cloned().chain(["malformed".to_string()]);
        for (cell, col) in r.cells.iter().chain([&r.malformed]).zip(cols) {
            let (implementation, case) = match cell {
                CellResult::Pass { .. } => continue,
                CellResult::Fail {
                    implementation,
                    case,
                    ..
                }
                | CellResult::Crash {
                    implementation,
                    case,
                    ..
                }
                | CellResult::Hang {
                    implementation,
                    case,
                    ..
                } => (implementation.clone(), case.clone()),
                CellResult::Empty { reason } => (String::new(), reason.clone()),
            };
            out.push((r.info.clone(), col, implementation, case));
        }
    }
    out
}

#[test]
fn every_chain_passes_for_generated_rust_and_c() {
    let fams = families();
    let mut c = CChainWalkers::build(&repo_root().join("generated/include"), fams)
        .unwrap_or_else(|e| panic!("{e}"));
    let m = chain_matrix::run(fams, &mut [&mut rust(), &mut c]);
    assert!(m.ok, "{}", chain_matrix::table(&m));
    let rows: Vec<(&str, usize)> = m
        .chains
        .iter()
        .map(|r| (r.info.as_str(), r.revisions.len()))
        .collect();
    assert_eq!(
        rows,
        [
            ("vfio_device_info", 5),
            ("vfio_region_info", 5),
            ("vfio_iommu_type1_info", 5)
        ]
    );
    let cases = |c: &CellResult| match c {
        CellResult::Pass { cases } => *cases,
        _ => 0,
    };
    for r in &m.chains {
        // The malformed column: short buffers, a first offset inside the info struct or
        // misaligned or past the buffer, a loop, an overlap, next offsets misaligned or past
        // the buffer, unknown capabilities.
        assert!(cases(&r.malformed) >= 12, "{}: {:?}", r.info, r.malformed);
    }
    // v7.2's region info knows four capabilities: no chain, all of them, a larger buffer,
    // all in reverse order, each alone and two argsz too small.
    let region = &m.chains[1];
    assert_eq!(cases(&region.cells[4]), 1 + 3 + 4 + 2, "{:?}", region.cells);
    // vfio_device_info has no capability the schema knows before v6.12's PCI atomic one.
    assert_eq!(cases(&m.chains[0].cells[0]), 1);
    assert!(cases(&m.chains[0].cells[1]) > 1);
}

/// A Rust walker that takes a loop for the chain's end fails the malformed cells only, on
/// their loop cases; one that drops each walk's last capability fails every kernel column
/// with a capability, and the malformed ones, but not v6.1's device info (no capability).
#[test]
fn broken_rust_walkers_fail_the_right_cells() {
    let fams = families();
    let mut no_loops = GeneratedRust {
        name: "no loop check",
        change: |w, e| {
            if matches!(e, Some(CapError::Loop { .. })) {
                w.error = None;
            }
        },
    };
    let m = chain_matrix::run(fams, &mut [&mut no_loops]);
    let failed = not_passed(&m);
    assert_eq!(failed.len(), 3, "{failed:?}");
    for (_, col, implementation, case) in &failed {
        assert_eq!(col, "malformed");
        assert_eq!(implementation, "no loop check");
        assert_eq!(case, "a next offset pointing at its own capability");
    }

    let mut drops_last = GeneratedRust {
        name: "drops the last",
        change: |w, _| {
            w.caps.pop();
        },
    };
    let m = chain_matrix::run(fams, &mut [&mut drops_last]);
    let failed: Vec<(String, String)> = not_passed(&m)
        .into_iter()
        .map(|(i, c, _, _)| (i, c))
        .collect();
    let mut expected = vec![];
    for (info, from) in [
        ("vfio_device_info", 1),
        ("vfio_region_info", 0),
        ("vfio_iommu_type1_info", 0),
    ] {
        for col in ["v6_1", "v6_12", "v6_15", "v6_17", "v7_2", "malformed"]
            .iter()
            .skip(from)
        {
            expected.push((info.to_string(), col.to_string()));
        }
    }
    assert_eq!(failed, expected);
}

/// The generated C walker with its loop check weakened (`<` for `<=`): a next offset
/// pointing at its own capability is then refused as an overlap (-EINVAL), not a loop
/// (-ELOOP), in each chain's malformed cell and nowhere else.
#[test]
fn a_broken_c_walker_fails_the_right_cells() {
    let dir = tempfile::tempdir().unwrap();
    let include = copy_generated_include(dir.path());
    let header = include.join("uapigen/vfio_validate.h");
    let text = std::fs::read_to_string(&header).unwrap();
    assert_eq!(text.matches("if (offset <= w->at) {").count(), 3);
    std::fs::write(
        &header,
        text.replace("if (offset <= w->at) {", "if (offset < w->at) {"),
    )
    .unwrap();
    let fams = families();
    let mut c = CChainWalkers::build(&include, fams).unwrap_or_else(|e| panic!("{e}"));
    let m = chain_matrix::run(fams, &mut [&mut c]);
    assert!(!m.ok);
    let failed = not_passed(&m);
    assert_eq!(failed.len(), 3, "{failed:?}");
    for (_, col, implementation, case) in &failed {
        assert_eq!(
            (col.as_str(), implementation.as_str(), case.as_str()),
            (
                "malformed",
                "generated C",
                "a next offset pointing at its own capability"
            )
        );
    }
    let CellResult::Fail { expected, got, .. } = &m.chains[1].malformed else {
        panic!("{:?}", m.chains[1].malformed)
    };
    assert!(expected.ends_with("-ELOOP at 32"), "{expected}");
    assert!(got.ends_with("-EINVAL at 32"), "{got}");
}
