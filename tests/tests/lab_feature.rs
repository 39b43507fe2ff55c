//! VFIO_DEVICE_FEATURE's payloads on a real kernel: every case `uapigen matrix` builds for
//! `vfio_device_feature` (the envelope's rules, then per payload a PROBE without data, each
//! supported operation with exactly its bytes, one byte short, an unsupported or no operation,
//! an unknown feature, a newer user's feature) sent through the real ioctl to the lab's
//! e1000e bound to vfio-pci (scripts/lab, lab/guest/vfio_probe), on Debian's 6.1 kernel
//! against the schema's v6_1, on the lab's 6.12.95 against v6_12 and on its 7.2.13 against
//! v7_2.
//!
//! The schema models a device that has every feature; the e1000e has three, the low-power
//! ones vfio-pci handles (drivers/vfio/pci/vfio_pci_core.c, `vfio_pci_core_ioctl_feature`).
//! For each other feature its handler answers before `vfio_check_feature`, for what the device
//! lacks (`DEVICE_LACKS`, with the source); the kernel must give exactly that, or the schema's
//! answer where the envelope's rules refuse first, or for the three the schema's answer. The
//! one case left is the payload's content (`CONTENT`).

use uapigen::interpret;
use uapigen::ir::{Errno, RevId};
use uapigen::matrix::{self, Buffer, Case, Interpreter};
use uapigen_tests::families;
use uapigen_tests::lab;

/// Per feature the e1000e under vfio-pci lacks, what its handler returns first (Linux 7.2.13's
/// sources; 6.1's are the same for the features it has).
const DEVICE_LACKS: &[(u64, Errno, &str)] = &[
    (0, Errno::ENOTTY, "PCI_VF_TOKEN: no SR-IOV VF token, `if (!vdev->vf_token) return -ENOTTY` (pci/vfio_pci_core.c, vfio_pci_core_feature_token)"),
    (1, Errno::ENOTTY, "MIGRATION: `if (!device->mig_ops) return -ENOTTY` (vfio_main.c, vfio_ioctl_device_feature_migration)"),
    (2, Errno::ENOTTY, "MIG_DEVICE_STATE: no mig_ops (vfio_main.c, vfio_ioctl_device_feature_mig_device_state)"),
    (6, Errno::ENOTTY, "DMA_LOGGING_START: `if (!device->log_ops) return -ENOTTY` (vfio_main.c, vfio_ioctl_device_feature_logging_start)"),
    (7, Errno::ENOTTY, "DMA_LOGGING_STOP: no log_ops (vfio_main.c, vfio_ioctl_device_feature_logging_stop)"),
    (8, Errno::ENOTTY, "DMA_LOGGING_REPORT: no log_ops (vfio_main.c, vfio_ioctl_device_feature_logging_report)"),
    (9, Errno::ENOTTY, "MIG_DATA_SIZE: no mig_ops (vfio_main.c, vfio_ioctl_device_feature_migration_data_size)"),
    (10, Errno::ENOTTY, "BUS_MASTER: CDX's (cdx/main.c); vfio-pci's `default: return -ENOTTY` (vfio_pci_core_ioctl_feature)"),
    (11, Errno::ENOTTY, "DMA_BUF: the lab's kernel has no CONFIG_PCI_P2PDMA, so no CONFIG_VFIO_PCI_DMABUF: the stub `return -ENOTTY` (pci/vfio_pci_priv.h)"),
    (12, Errno::EINVAL, "MIG_PRECOPY_INFOv2: `if (!(device->migration_flags & VFIO_MIGRATION_PRE_COPY)) return -EINVAL` (vfio_main.c, vfio_ioctl_device_feature_migration_precopy_info_v2)"),
];

/// LOW_POWER_ENTRY_WITH_WAKEUP's SET with its 8 bytes, zero: `wakeup_eventfd` 0 is the probe's
/// console, no eventfd: `eventfd_ctx_fdget()` fails, -EINVAL (pci/vfio_pci_core.c,
/// vfio_pci_core_pm_entry_with_wakeup), or -EBADF were fd 0 closed.
const CONTENT: &str = "payload: VFIO_DEVICE_FEATURE_SET VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP with its 8 bytes";

fn run_on(args: &[&str], rev: &str) {
    let fams = families();
    let c = fams.iter().find(|c| c.family.name == "vfio").unwrap();
    let s = c.struct_id("vfio_device_feature").unwrap();
    let k = RevId(
        c.history
            .revisions
            .iter()
            .position(|r| r.id == rev)
            .unwrap(),
    );
    let cases: Vec<Case> = c
        .revs()
        .filter(|v| v.validator(s).is_some())
        .flat_map(|u| matrix::cell_cases(c, s, u.id(), k).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let sent: Vec<(&str, Vec<u8>)> = cases
        .iter()
        .map(|c| ("VFIO_DEVICE_FEATURE", c.bytes.clone()))
        .collect();
    let lab =
        lab::run(args, &sent).unwrap_or_else(|e| panic!("the real-kernel lab did not run: {e}"));
    assert_eq!(lab.file.len(), cases.len());
    let plan = c.rev(k).validator(s).unwrap();
    let mut bare = plan.clone();
    bare.payload = None;
    let oracle = Interpreter { families: fams };
    let (mut agreed, mut lacked, mut content) = (0, 0, 0);
    let mut wrong = Vec::new();
    for (case, got) in cases.iter().zip(&lab.file) {
        let kernel = (got.errno != 0).then_some(got.errno);
        let mem = Buffer::new(case.bytes.clone());
        // The envelope's copy and rules come first; then a feature the device lacks answers
        // for that, else the payload checks as the schema has them.
        let expected = match interpret::run(&bare, &mem, matrix::BASE, None) {
            Err(r) => Some(r.errno),
            Ok(bytes) => {
                let feature = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as u64 & 0xffff;
                // Only a feature the kernel's revision has reaches its handler; any other is
                // the unknown one the schema answers.
                let has = plan
                    .payload
                    .as_ref()
                    .is_some_and(|p| p.cases.iter().any(|c| c.value == feature));
                match DEVICE_LACKS.iter().find(|(f, ..)| has && *f == feature) {
                    Some((_, e, _)) => {
                        lacked += 1;
                        Some(*e)
                    }
                    None => oracle.kernel(case, &Buffer::new(case.bytes.clone())).err(),
                }
            }
        };
        if kernel == expected.map(|e| e as i32) {
            agreed += 1;
        } else if case.what == CONTENT && matches!(kernel, Some(22 | 9)) {
            content += 1;
        } else {
            wrong.push(format!(
                "{}: expected {}, kernel {}",
                case.what,
                expected.map_or("accepted".into(), |e| format!("-{}", e.name())),
                kernel.map_or("accepted".into(), |e| format!("errno {e}"))
            ));
        }
    }
    println!(
        "vfio_device_feature on {rev}'s kernel: {} cases, {agreed} as expected ({lacked} for a \
         feature the e1000e lacks), {content} refused for the payload's content",
        cases.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The device's three features were played: a PROBE, a SET and its refusals each.
    for f in [
        "LOW_POWER_ENTRY,",
        "LOW_POWER_ENTRY_WITH_WAKEUP,",
        "LOW_POWER_EXIT,",
    ] {
        assert!(
            cases.iter().any(|c| c.what
                == format!(
                    "payload: PROBE VFIO_DEVICE_FEATURE_{}",
                    f.replace(',', ", no data")
                )),
            "{f}"
        );
    }
    assert_eq!(content, 1, "the one content case");
    assert!(agreed > 80 && lacked > 20, "{agreed} {lacked}");
}

#[test]
fn device_feature_on_debian_6_1() {
    run_on(&[], "v6_1");
}

#[test]
fn device_feature_on_7_2() {
    run_on(&["--kernel", "iommufd-7.2"], "v7_2");
}

#[test]
fn device_feature_on_6_12() {
    run_on(&["--kernel", "iommufd-6.12"], "v6_12");
}
