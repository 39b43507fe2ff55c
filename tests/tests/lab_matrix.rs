//! The compatibility matrix on a real kernel (issue 16): every case `uapigen matrix` builds for
//! vfio's info ioctls with kernel revision v6_1 (exact match, old and new users, a new user's
//! fields and flags, malicious sizes over garbage) sent through the real ioctl of Debian's
//! 6.1 kernel in the lab (scripts/lab, lab/guest/vfio_probe), and the kernel's errno compared
//! with the schema's (the IR interpreter's) for v6_1.
//!
//! A case the schema accepts goes on, in the kernel, to what the checks do not cover: the
//! device. Where it then fails, the disagreement must be one of `EXPLAINED`, each with the
//! kernel's source line; any other disagreement fails the test, listed. The table printed
//! (`-- --nocapture`) has a cell per struct and user revision.

use uapigen::ir::{Errno, RevId};
use uapigen::matrix::{self, Buffer, Case, Interpreter};
use uapigen_tests::families;
use uapigen_tests::lab;

/// The info ioctls vfio_probe sends, by the struct they take (the schema links none of vfio's
/// `_IO()` numbers to a struct).
const IOCTLS: &[(&str, &str)] = &[
    ("vfio_device_info", "VFIO_DEVICE_GET_INFO"),
    ("vfio_region_info", "VFIO_DEVICE_GET_REGION_INFO"),
    ("vfio_irq_info", "VFIO_DEVICE_GET_IRQ_INFO"),
    ("vfio_iommu_type1_info", "VFIO_IOMMU_GET_INFO"),
];

const EINVAL: i32 = 22;

/// A case the schema accepts and the kernel refuses for what the device has, not for how the
/// struct is filled: (struct, errno, whether it applies to the user's bytes, why, with the
/// source line of Debian's linux-source-7.2, the same code as 6.1's).
type Explained = (&'static str, i32, fn(&[u8]) -> bool, &'static str);

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |x| u32::from_ne_bytes(x.try_into().unwrap()))
}

const EXPLAINED: &[Explained] = &[
    (
        "vfio_region_info",
        EINVAL,
        // The e1000e has 9 regions (6 BARs, ROM, config, VGA): index 8, VGA, without a VGA
        // device, and any index past them.
        |b| u32_at(b, 8) >= 8,
        "index is no region of the device: `if (!vdev->has_vga)` and `if (info->index >= \
         VFIO_PCI_NUM_REGIONS + vdev->num_regions)` (drivers/vfio/pci/vfio_pci_core.c:1199, \
         1214; 6.12: `info.index`, 1115, 1130)",
    ),
    (
        "vfio_irq_info",
        EINVAL,
        |b| u32_at(b, 8) >= 5,
        "index is no IRQ of vfio-pci: `if (info.argsz < minsz || info.index >= \
         VFIO_PCI_NUM_IRQS)` (vfio_pci_core.c:1254; 6.12: 1187), a driver's count the generic struct \
         does not know",
    ),
];

fn show(r: &Result<Vec<u8>, Errno>) -> String {
    match r {
        Ok(_) => "accepted".into(),
        Err(e) => format!("-{}", e.name()),
    }
}

/// The matrix's cases of `family`'s revision `rev` for the structs of `ioctls` through the
/// lab's kernel `args`, each disagreement one of `explained` or a failure.
fn real_kernel_matrix(
    args: &[&str],
    kernel: &str,
    family: &str,
    rev: &str,
    ioctls: &[(&'static str, &'static str)],
    explained: &[Explained],
    no_validator: &[&str],
) -> Vec<(&'static str, Case, i32)> {
    let fams = families();
    let c = fams
        .iter()
        .find(|c| c.family.name == family)
        .expect("a family of schema/");
    let k = RevId(
        c.history
            .revisions
            .iter()
            .position(|r| r.id == rev)
            .expect("a revision of the family"),
    );
    // (struct, user revision, its cases).
    let mut cells: Vec<(&'static str, String, Vec<Case>)> = Vec::new();
    let mut skipped = Vec::new();
    for &(name, _) in ioctls {
        let s = c.struct_id(name).expect("a struct of the family");
        // v6_1's vfio_iommu_type1_info has tail padding (an abi_trap): no validator there,
        // so no case the matrix can build.
        if c.rev(k).validator(s).is_none() {
            skipped.push(name);
            continue;
        }
        for u in c.revs().filter(|v| v.exists(s) && v.validator(s).is_some()) {
            let cases = matrix::cell_cases(c, s, u.id(), k).unwrap_or_else(|e| panic!("{e}"));
            cells.push((name, c.history.rev(u.id()).id.clone(), cases));
        }
    }
    let sent: Vec<(&str, Vec<u8>)> = cells
        .iter()
        .flat_map(|(name, _, cases)| {
            let ioctl = ioctls.iter().find(|(s, _)| s == name).unwrap().1;
            cases.iter().map(move |c| (ioctl, c.bytes.clone()))
        })
        .collect();
    // A struct left out must be one the caller names: none may drop out unnoticed.
    assert_eq!(skipped, no_validator, "structs without a {rev} validator");
    let lab =
        lab::run(args, &sent).unwrap_or_else(|e| panic!("the real-kernel lab did not run: {e}"));
    assert_eq!(lab.file.len(), sent.len());

    let oracle = Interpreter { families: fams };
    let mut answers = lab.file.iter();
    let mut table = format!(
        "real-kernel matrix: {family}, {kernel} against the schema's {rev}\n\n  \
         struct                          user      {kernel} (lab)\n"
    );
    let mut unexplained = Vec::new();
    let mut answered = Vec::new();
    let (mut total, mut agreed, mut n_explained_all) = (0, 0, 0);
    let mut reasons_used = std::collections::BTreeSet::new();
    for (name, user, cases) in &cells {
        let mut cell = "pass".to_string();
        let mut n_explained = 0;
        for case in cases {
            let got = answers.next().expect("one answer a case");
            assert_eq!(got.out.len(), case.bytes.len());
            total += 1;
            answered.push((*name, case.clone(), got.errno));
            let expected = oracle.kernel(case, &Buffer::new(case.bytes.clone()));
            let kernel = (got.errno != 0).then_some(got.errno);
            let schema = expected.as_ref().err().map(|e| *e as i32);
            if kernel == schema {
                agreed += 1;
                continue;
            }
            let why = explained.iter().find(|(s, errno, applies, _)| {
                (*s == "*" || s == name)
                    && schema.is_none()
                    && kernel == Some(*errno)
                    && applies(&case.bytes)
            });
            if let Some((_, _, _, why)) = why {
                n_explained_all += 1;
                n_explained += 1;
                reasons_used.insert(*why);
                continue;
            }
            cell = "FAIL".into();
            unexplained.push(format!(
                "{name}, user {user}: {}: schema {}, kernel {}",
                case.what,
                show(&expected),
                kernel.map_or("accepted".to_string(), |e| format!("errno {e}"))
            ));
        }
        let n = match cases.len() {
            1 => "1 case".to_string(),
            n => format!("{n} cases"),
        };
        if cell == "pass" && n_explained > 0 {
            cell = format!("pass ({n}, {n_explained} explained)");
        } else if cell == "pass" {
            cell = format!("pass ({n})");
        }
        table.push_str(&format!("  {name:<32}{user:<10}{cell}\n"));
    }
    table.push_str(&format!(
        "\n{total} cases: {agreed} answered as the schema says, {n_explained_all} refused by the \
         kernel for what it has where the schema accepts (explained), {} unexplained\n",
        unexplained.len()
    ));
    for s in &skipped {
        let st = c.struct_id(s).expect("a struct of the family");
        table.push_str(&if c.rev(k).exists(st) {
            format!("  {s}: no {rev} validator (its {rev} layout is an abi_trap), no case\n")
        } else {
            format!("  {s}: not in {rev}, no case\n")
        });
    }
    for r in &reasons_used {
        table.push_str(&format!("  explained: {r}\n"));
    }
    println!("{table}");
    assert!(
        unexplained.is_empty(),
        "{table}\nunexplained disagreements:\n{}",
        unexplained.join("\n")
    );
    // Every struct ran, with its malicious sizes.
    assert!(total > 100, "{total}");
    assert!(agreed > n_explained_all, "{agreed} / {n_explained_all}");
    answered
}

#[test]
fn the_matrix_of_vfio_info_ioctls_on_debian_6_1() {
    let kernel = "Linux 6.1.176 (Debian bookworm)";
    // v6_1's vfio_iommu_type1_info has tail padding on 64-bit ABIs (an abi_trap).
    let no_validator = ["vfio_iommu_type1_info"];
    real_kernel_matrix(
        &[],
        kernel,
        "vfio",
        "v6_1",
        IOCTLS,
        EXPLAINED,
        &no_validator,
    );
}

/// The 7.2 kernel lab/build-kernel builds (for iommufd; VFIO and vfio-pci built in).
#[test]
fn the_matrix_of_vfio_info_ioctls_on_7_2() {
    let args = ["--kernel", "iommufd-7.2"];
    real_kernel_matrix(
        &args,
        "Linux 7.2.13",
        "vfio",
        "v7_2",
        IOCTLS,
        EXPLAINED,
        &[],
    );
}

/// The 6.12 stable kernel lab/build-kernel builds (Debian's bookworm-backports 6.12.95),
/// against vfio.toml's v6_12.
#[test]
fn the_matrix_of_vfio_info_ioctls_on_6_12() {
    let args = ["--kernel", "iommufd-6.12"];
    real_kernel_matrix(
        &args,
        "Linux 6.12.95",
        "vfio",
        "v6_12",
        IOCTLS,
        EXPLAINED,
        &[],
    );
}

/// iommufd's ioctls on /dev/iommu of the lab's 7.2 kernel, by the struct they take.
const IOMMUFD_IOCTLS: &[(&str, &str)] = &[
    ("iommu_destroy", "IOMMU_DESTROY"),
    ("iommu_ioas_alloc", "IOMMU_IOAS_ALLOC"),
    ("iommu_ioas_iova_ranges", "IOMMU_IOAS_IOVA_RANGES"),
    ("iommu_ioas_allow_iovas", "IOMMU_IOAS_ALLOW_IOVAS"),
    ("iommu_ioas_map", "IOMMU_IOAS_MAP"),
    ("iommu_ioas_map_file", "IOMMU_IOAS_MAP_FILE"),
    ("iommu_ioas_copy", "IOMMU_IOAS_COPY"),
    ("iommu_ioas_unmap", "IOMMU_IOAS_UNMAP"),
    ("iommu_option", "IOMMU_OPTION"),
    ("iommu_vfio_ioas", "IOMMU_VFIO_IOAS"),
    ("iommu_hwpt_alloc", "IOMMU_HWPT_ALLOC"),
    ("iommu_hw_info", "IOMMU_GET_HW_INFO"),
    (
        "iommu_hwpt_set_dirty_tracking",
        "IOMMU_HWPT_SET_DIRTY_TRACKING",
    ),
    ("iommu_hwpt_get_dirty_bitmap", "IOMMU_HWPT_GET_DIRTY_BITMAP"),
    ("iommu_hwpt_invalidate", "IOMMU_HWPT_INVALIDATE"),
    ("iommu_fault_alloc", "IOMMU_FAULT_QUEUE_ALLOC"),
    ("iommu_viommu_alloc", "IOMMU_VIOMMU_ALLOC"),
    ("iommu_vdevice_alloc", "IOMMU_VDEVICE_ALLOC"),
    ("iommu_ioas_change_process", "IOMMU_IOAS_CHANGE_PROCESS"),
    ("iommu_veventq_alloc", "IOMMU_VEVENTQ_ALLOC"),
    ("iommu_hw_queue_alloc", "IOMMU_HW_QUEUE_ALLOC"),
];

/// iommufd's: a case the schema accepts names objects (by id) the fresh iommufd does not
/// have, or asks for state it does not have. Sources: Debian's linux-source-7.2 and, where
/// its lines differ, linux-source-6.12 (6.12.95).
const IOMMUFD_EXPLAINED: &[Explained] = &[
    (
        "*",
        2, // ENOENT
        |_| true,
        "an id naming no object of this iommufd: `obj = xa_load(&ictx->objects, id); if (!obj \
         ...) obj = ERR_PTR(-ENOENT)` (drivers/iommu/iommufd/main.c:175-178; 6.12: 137-140)",
    ),
    (
        "iommu_option",
        16, // EBUSY
        |b| b.get(8..10) == Some(&[0, 0]),
        "IOMMU_OPTION_OP_SET of RLIMIT_MODE once objects exist: `if (!xa_empty(&ictx->objects)) \
         rc = -EBUSY` (drivers/iommu/iommufd/ioas.c:610-611; 6.12: 351-352); the matrix's \
         earlier cases made some",
    ),
    (
        "iommu_vfio_ioas",
        19, // ENODEV
        |b| b.get(8..10) == Some(&[0, 0]),
        "IOMMU_VFIO_IOAS_GET without a compat IOAS: `ioas = ERR_PTR(-ENODEV)` \
         (drivers/iommu/iommufd/vfio_compat.c:17, in both)",
    ),
];

/// Every matrix case of iommufd's size-convention structs through /dev/iommu of the lab's
/// 7.2 kernel (CONFIG_IOMMUFD_TEST's mock IOMMU), against the schema's latest revision.
#[test]
fn the_matrix_of_iommufd_on_7_2() {
    let fams = families();
    let (latest, rev) = fams
        .iter()
        .find(|c| c.family.name == "iommufd")
        .map(|c| (c.history.rev(c.latest().id()).id.clone(), c.latest().id().0))
        .expect("schema/iommufd.toml");
    let args = ["--kernel", "iommufd-7.2"];
    let answered = real_kernel_matrix(
        &args,
        "Linux 7.2.13",
        "iommufd",
        &latest,
        IOMMUFD_IOCTLS,
        IOMMUFD_EXPLAINED,
        &[],
    );
    runtime_against_the_kernel(&answered, rev);
}

/// The same cases through /dev/iommu of the 6.12 stable kernel lab/build-kernel builds
/// (Debian's bookworm-backports 6.12.95), against iommufd.toml's `v6_12_31`: v6.11's
/// iommufd.h with v6.14's iommu_hwpt_pgfault fix and v6.15's PASID capability backported
/// (a branch of the revision history, not a mainline release). Users of every revision meet
/// it: newer ones with the fields and flags 6.12 lacks. The structs later releases added have
/// no `v6_12_31` layout, so no case.
#[test]
fn the_matrix_of_iommufd_on_6_12() {
    let args = ["--kernel", "iommufd-6.12"];
    let answered = real_kernel_matrix(
        &args,
        "Linux 6.12.95",
        "iommufd",
        "v6_12_31",
        IOMMUFD_IOCTLS,
        IOMMUFD_EXPLAINED,
        &[
            "iommu_ioas_map_file",
            "iommu_viommu_alloc",
            "iommu_vdevice_alloc",
            "iommu_ioas_change_process",
            "iommu_veventq_alloc",
            "iommu_hw_queue_alloc",
        ],
    );
    runtime_against_the_kernel(&answered, uapigen_bindings::iommufd::v6_12_31::REVISION);
}

/// The runtime (runtime/ over the VT-d model), playing the kernel's revision `rev`
/// (`Iommufd::at_revision`), answering the kernel's cases of the ioctls it models, in the
/// same order on one fd as the guest's probe sent them, its errno against the kernel's.
/// Every difference must be one of `RUNTIME_DIFFERS`.
fn runtime_against_the_kernel(answered: &[(&'static str, Case, i32)], rev: usize) {
    use std::sync::Arc;
    use uapigen_bindings::iommufd as fd;
    let modelled: &[(&str, u32)] = &[
        ("iommu_destroy", fd::IOMMU_DESTROY),
        ("iommu_ioas_alloc", fd::IOMMU_IOAS_ALLOC),
        ("iommu_hwpt_alloc", fd::IOMMU_HWPT_ALLOC),
        ("iommu_hw_info", fd::IOMMU_GET_HW_INFO),
        ("iommu_hwpt_invalidate", fd::IOMMU_HWPT_INVALIDATE),
    ];
    let iommu = Arc::new(vtd_backend::VtdIommu::new(vtd_backend::Features::default()));
    iommu.create_vm(1, 1 << 32).unwrap();
    iommu
        .assign_device(1, 0x100, vtd_backend::DeviceConfig::default())
        .unwrap();
    let runtime = uapigen_runtime::iommufd::Iommufd::at_revision(1, iommu, rev);
    let mut groups: std::collections::BTreeMap<(&str, i32, i32), (usize, String)> =
        Default::default();
    let mut compared = 0;
    let mut unexplained = Vec::new();
    for (name, case, kernel) in answered {
        let Some(&(_, cmd)) = modelled.iter().find(|(s, _)| s == name) else {
            continue;
        };
        compared += 1;
        let mem = lab::UserBuf::new(case.bytes.clone());
        let ours = runtime
            .ioctl(&mem, cmd, lab::UserBuf::BASE)
            .err()
            .map_or(0, |e| e.errno as i32);
        if ours == *kernel {
            continue;
        }
        let why = RUNTIME_DIFFERS.iter().find(|(s, o, k, applies, _)| {
            s == name && *o == ours && k == kernel && applies(&case.bytes)
        });
        let key = (*name, ours, *kernel);
        match why {
            Some((.., why)) => groups.entry(key).or_insert((0, why.to_string())).0 += 1,
            None => unexplained.push(format!(
                "{name}: {}: runtime errno {ours}, kernel errno {kernel}",
                case.what
            )),
        }
    }
    println!("runtime against the kernel: {compared} cases of the 5 ioctls it models");
    for ((n, ours, kernel), (count, why)) in &groups {
        println!("  {n}: runtime errno {ours}, kernel errno {kernel}: {count} cases: {why}");
    }
    assert!(compared > 200, "{compared}");
    assert!(
        unexplained.is_empty(),
        "the runtime and the kernel differ:\n{}",
        unexplained.join("\n")
    );
}

/// Where the runtime answers otherwise than the lab's 7.2 kernel, deliberately: (struct,
/// runtime errno, kernel errno, whether it applies to the user's bytes, why).
type RuntimeDiffers = (&'static str, i32, i32, fn(&[u8]) -> bool, &'static str);

const RUNTIME_DIFFERS: &[RuntimeDiffers] = &[];

/// vfio.h's argsz structs the lab's guest can send through a group's device and container fd
/// (the cdev's BIND_IOMMUFD, ATTACH_ and DETACH_IOMMUFD_PT need a /dev/vfio/devices fd, and
/// DEVICE_FEATURE's payloads the device's features: tests/tests/lab_feature.rs).
const VFIO_ARGSZ: &[&str] = &[
    "vfio_group_status",
    "vfio_device_info",
    "vfio_region_info",
    "vfio_irq_info",
    "vfio_irq_set",
    "vfio_pci_hot_reset_info",
    "vfio_pci_hot_reset",
    "vfio_device_ioeventfd",
    "vfio_iommu_type1_info",
    "vfio_iommu_type1_dma_map",
    "vfio_iommu_type1_dma_unmap",
    "vfio_iommu_type1_dirty_bitmap",
];

/// Where the kernel refuses a case the schema accepts, for what the e1000e, its bus or the
/// empty container has: (struct, errno, why), Debian's linux-source-7.2.
const VFIO_STATE: &[(&str, i32, &str)] = &[
    ("vfio_region_info", EINVAL, "an index past the device's regions (EXPLAINED above)"),
    ("vfio_irq_info", EINVAL, "an index past vfio-pci's IRQs (EXPLAINED above)"),
    ("vfio_irq_set", 25, "no action of that index: `if (!func) return -ENOTTY` (drivers/vfio/pci/vfio_pci_intrs.c:876-877)"),
    ("vfio_pci_hot_reset_info", 19, "no slot or bus reset for the e1000e: `else if (pci_probe_reset_bus(vdev->pdev->bus)) return -ENODEV` (vfio_pci_core.c:1371)"),
    ("vfio_pci_hot_reset", 19, "the same, on 6.1, which tests it first"),
    ("vfio_pci_hot_reset", EINVAL, "no group fd for a group-opened device: `if (!!hdr.count == vfio_device_cdev_opened(...)) return -EINVAL` (vfio_pci_core.c:1517-1518, since v6.6)"),
    ("vfio_device_ioeventfd", EINVAL, "an 8-byte ioeventfd (`VFIO_DEVICE_IOEVENTFD_64`), which vfio-pci does not take: `if (count == 8) return -EINVAL` (drivers/vfio/pci/vfio_pci_rdwr.c:426-427)"),
    ("vfio_iommu_type1_dma_map", EINVAL, "a size of 0: `if (!size) return -EINVAL` (drivers/vfio/vfio_iommu_type1.c:1697)"),
    ("vfio_iommu_type1_dma_unmap", EINVAL, "a size of 0 or not of the page size: `if (!size || size & (pgsize - 1))` (vfio_iommu_type1.c:1430)"),
    ("vfio_iommu_type1_dirty_bitmap", EINVAL, "GET_BITMAP of a range of size 0, or before tracking started: `if (!size) return -EINVAL` (vfio_iommu_type1.c:3031-3032)"),
];

/// Every case of vfio's argsz structs through `uapigen::lab_matrix` (what `uapigen matrix
/// --kernel lab:K --family vfio` runs) on each kernel of the lab: no disagreement, and each
/// refusal of a case the schema accepts is one of `VFIO_STATE`.
#[test]
fn vfio_argsz_ioctls_through_the_lab_matrix_on_each_kernel() {
    use uapigen::lab_matrix;
    let fams = families();
    let c = fams.iter().find(|c| c.family.name == "vfio").unwrap();
    let only: Vec<String> = VFIO_ARGSZ.iter().map(|s| s.to_string()).collect();
    let mut totals = Vec::new();
    for (args, rev) in [
        (&[][..], "v6_1"),
        (&["--kernel", "iommufd-6.12"][..], "v6_12"),
        (&["--kernel", "iommufd-7.2"][..], "v7_2"),
    ] {
        let plan = lab_matrix::plan(c, rev, &only).unwrap();
        let cases: Vec<(&str, Vec<u8>)> = plan
            .cells
            .iter()
            .flat_map(|cell| {
                cell.cases
                    .iter()
                    .map(|k| (cell.ioctl.as_str(), k.bytes.clone()))
            })
            .collect();
        let lab = lab::run(args, &cases).unwrap_or_else(|e| panic!("the lab did not run: {e}"));
        let verdicts = lab_matrix::judge(&fams, &plan, &lab.file).unwrap();
        let name = format!("{rev}'s kernel");
        let table = lab_matrix::table(&plan, &verdicts, &name);
        println!("{table}");
        for (cell, v) in plan.cells.iter().zip(&verdicts) {
            assert!(v.disagreements.is_empty(), "{table}");
            for e in v.refused.keys() {
                assert!(
                    VFIO_STATE
                        .iter()
                        .any(|(s, errno, _)| *s == cell.struct_name && errno == e),
                    "{} refused with errno {e}, which VFIO_STATE does not explain:\n{table}",
                    cell.struct_name
                );
            }
        }
        let total: usize = verdicts.iter().map(|v| v.cases).sum();
        let agreed: usize = verdicts.iter().map(|v| v.agreed).sum();
        totals.push((rev, total, agreed));
    }
    // Every struct of the twelve ran on each (but those a revision has no validator for).
    assert_eq!(
        totals,
        [("v6_1", 432, 343), ("v6_12", 506, 421), ("v7_2", 506, 421)]
    );
}
