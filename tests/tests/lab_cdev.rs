//! vfio's cdev-only ioctls through the real-kernel matrix (issue 16, "every VFIO struct"):
//! VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT and VFIO_DEVICE_DETACH_IOMMUFD_PT
//! take the device's cdev (/dev/vfio/devices/vfioN, `scripts/lab --cdev`), never the group's
//! device fd. Every case `uapigen matrix` builds for their structs goes to the lab's 6.12 and
//! 7.2 kernels, each in the state its ioctl needs: a fresh cdev and /dev/iommu, and for ATTACH
//! and DETACH an IOAS and the device bound to it (DETACH also attached); the case's `iommufd`
//! (BIND) is the guest's /dev/iommu and its `pt_id` (ATTACH) the IOAS, filled in by the guest
//! (lab/guest/vfio_probe.c's patches), since the matrix's bytes cannot know them. Each answer is
//! judged by `uapigen::lab_matrix` against the schema's kernel of the same release: every
//! answer as the schema says. The first run found that v6.17 changed how BIND copies its
//! struct (schema/vfio.toml's `convention_change`).

use uapigen::lab_matrix;
use uapigen_tests::{families, lab};

const BIND: &str = "vfio_device_bind_iommufd";
const ATTACH: &str = "vfio_device_attach_iommufd_pt";
const DETACH: &str = "vfio_device_detach_iommufd_pt";

/// `struct vfio_device_bind_iommufd` of v6.12 (16 bytes: argsz, flags, iommufd, out_devid)
/// and `vfio_device_attach_iommufd_pt`'s (12: argsz, flags, pt_id), as the preludes send them.
const BIND_MIN: [u8; 16] = [16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const ATTACH_MIN: [u8; 12] = [12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const IOAS_ALLOC: [u8; 12] = [12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// Where the fields the guest fills are: `iommufd` of BIND, `pt_id` of ATTACH, `out_ioas_id`.
const IOMMUFD_AT: usize = 8;
const PT_ID_AT: usize = 8;
const OUT_IOAS_AT: usize = 8;

type Line = (&'static str, Vec<u8>, String);

/// The lines that put the device in the state `struct_name`'s ioctl needs, from `first` on in
/// the file: a fresh cdev and /dev/iommu; for ATTACH and DETACH an IOAS and BIND; for DETACH
/// an ATTACH too. Also the patch the case itself takes, given its length.
fn prelude(struct_name: &str, first: usize, case_len: usize) -> (Vec<Line>, String) {
    let mut lines: Vec<Line> = vec![
        ("VFIO_CDEV_REOPEN", vec![0; 4], String::new()),
        ("IOMMUFD_REOPEN", vec![0; 4], String::new()),
    ];
    let patch = |at: usize, p: String| {
        if case_len >= at + 4 {
            p
        } else {
            String::new()
        }
    };
    if struct_name == BIND {
        return (lines, patch(IOMMUFD_AT, format!("{IOMMUFD_AT}=!iommufd")));
    }
    let ioas = first + lines.len();
    let pt = format!("{PT_ID_AT}=#{ioas}.{OUT_IOAS_AT}");
    lines.push(("IOMMU_IOAS_ALLOC", IOAS_ALLOC.to_vec(), String::new()));
    lines.push((
        "VFIO_DEVICE_BIND_IOMMUFD",
        BIND_MIN.to_vec(),
        format!("{IOMMUFD_AT}=!iommufd"),
    ));
    if struct_name == DETACH {
        lines.push(("VFIO_DEVICE_ATTACH_IOMMUFD_PT", ATTACH_MIN.to_vec(), pt));
        return (lines, String::new());
    }
    (lines, patch(PT_ID_AT, pt))
}

#[test]
fn vfio_cdev_ioctls_through_the_lab_matrix_on_6_12_and_7_2() {
    let fams = families();
    let c = fams.iter().find(|c| c.family.name == "vfio").unwrap();
    let only: Vec<String> = [BIND, ATTACH, DETACH].map(String::from).to_vec();
    let mut totals = Vec::new();
    for (kernel, rev) in [("iommufd-6.12", "v6_12"), ("iommufd-7.2", "v7_2")] {
        let plan = lab_matrix::plan(c, rev, &only).unwrap();
        let mut lines: Vec<Line> = Vec::new();
        let mut at_case = Vec::new();
        for cell in &plan.cells {
            let name: &'static str = match cell.struct_name.as_str() {
                BIND => "VFIO_DEVICE_BIND_IOMMUFD",
                ATTACH => "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
                DETACH => "VFIO_DEVICE_DETACH_IOMMUFD_PT",
                other => panic!("{other}: not a cdev struct"),
            };
            assert_eq!(
                name, cell.ioctl,
                "the schema's ioctl of {}",
                cell.struct_name
            );
            for case in &cell.cases {
                let (pre, patch) = prelude(&cell.struct_name, lines.len(), case.bytes.len());
                lines.extend(pre);
                at_case.push(lines.len());
                lines.push((name, case.bytes.clone(), patch));
            }
        }
        let ran = lab::run_patched(&["--kernel", kernel, "--cdev"], &lines)
            .unwrap_or_else(|e| panic!("the lab did not run: {e}"));
        for (i, (name, ..)) in lines.iter().enumerate() {
            let a = &ran.file[i];
            if !at_case.contains(&i) {
                assert!(
                    a.ok(),
                    "{kernel}: the prelude's {name} (line {i}) failed: {a:?}"
                );
            }
        }
        let answers: Vec<lab::Case> = at_case.iter().map(|&i| ran.file[i].clone()).collect();
        let verdicts = lab_matrix::judge(fams, &plan, &answers).unwrap();
        let table = lab_matrix::table(&plan, &verdicts, &format!("{kernel}'s {rev}"));
        println!("{table}");
        for (cell, v) in plan.cells.iter().zip(&verdicts) {
            // In the state each case is sent in, nothing the schema accepts is refused.
            assert!(
                v.disagreements.is_empty() && v.refused.is_empty(),
                "{}:\n{table}",
                cell.struct_name
            );
        }
        let total: usize = verdicts.iter().map(|v| v.cases).sum();
        let agreed: usize = verdicts.iter().map(|v| v.agreed).sum();
        totals.push((rev, total, agreed));
    }
    // Every case of every user revision the schema has for the three, on each kernel.
    assert_eq!(totals, [("v6_12", 131, 131), ("v7_2", 115, 115)]);
}
