//! The real-kernel lab's iommufd kernel (lab/build-kernel: Debian's linux-source-7.2, tinyconfig
//! plus IOMMUFD, IOMMUFD_TEST, VFIO, VFIO_PCI, INTEL_IOMMU; built once, about 9 minutes on two
//! cores, then cached): /dev/iommu is there, VFIO answers as 7.2 does, and the kernel's own
//! iommufd selftest passes when compiled against uapigen's generated iommufd.h exactly as it
//! does against the kernel's. The 6.12 stable kernel (linux-source-6.12 of bookworm-backports)
//! boots too; its own selftest builds against neither header, for names its stable branch
//! never backported.
//!
//! Nothing is skipped: without the build tools, qemu or the packages every test fails and
//! says why (scripts/setup installs them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use uapigen_bindings::vfio;
use uapigen_bindings::vfio::uapigen_caps::walk;
use uapigen_tests::lab::{self, Lab};

fn boot(selftest: &'static str) -> &'static Lab {
    static GENERATED: OnceLock<Result<Lab, String>> = OnceLock::new();
    static KERNEL: OnceLock<Result<Lab, String>> = OnceLock::new();
    let cell = if selftest == "generated" {
        &GENERATED
    } else {
        &KERNEL
    };
    let args = ["--kernel", "iommufd-7.2", "--selftest", selftest];
    match cell.get_or_init(|| lab::run(&args, &[])) {
        Ok(lab) => lab,
        Err(e) => panic!("the iommufd lab did not run: {e}"),
    }
}

/// Each test's TAP verdict ("ok", "ok # SKIP", "not ok") by name, and the totals line.
fn verdicts(lab: &Lab) -> (BTreeMap<String, String>, String) {
    let mut v = BTreeMap::new();
    for line in &lab.selftest {
        let (verdict, rest) = if let Some(r) = line.strip_prefix("not ok ") {
            ("not ok", r)
        } else if let Some(r) = line.strip_prefix("ok ") {
            ("ok", r)
        } else {
            continue;
        };
        let name = rest.split_once(' ').map_or(rest, |(_, n)| n);
        let (name, skip) = match name.split_once(" # SKIP") {
            Some((n, _)) => (n, " # SKIP"),
            None => (name, ""),
        };
        v.insert(name.to_string(), format!("{verdict}{skip}"));
    }
    let totals = lab
        .selftest
        .iter()
        .find(|l| l.starts_with("# Totals:"))
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no totals in the selftest's output:\n{}",
                lab.selftest.join("\n")
            )
        });
    (v, totals)
}

#[test]
fn the_iommufd_kernel_has_dev_iommu() {
    let lab = boot("generated");
    let has = |s: &str| lab.setup.iter().any(|l| l.contains(s));
    assert!(has("kernel 7.2."), "{:?}", lab.setup);
    assert!(has("iommufd /dev/iommu"), "{:?}", lab.setup);
    assert!(has("container group device ready"), "{:?}", lab.setup);
}

#[test]
fn the_iommufd_selftest_passes_on_the_generated_header_as_on_the_kernels() {
    let (generated, totals) = verdicts(boot("generated"));
    let (kernel, kernel_totals) = verdicts(boot("kernel"));
    eprintln!("generated iommufd.h: {totals}\nkernel's iommufd.h:  {kernel_totals}");
    assert!(
        generated.len() >= 200,
        "{} tests ran: {totals}",
        generated.len()
    );
    let failed: Vec<_> = generated
        .iter()
        .filter(|(_, v)| v.starts_with("not ok"))
        .collect();
    assert!(
        failed.is_empty(),
        "failed on the generated header: {failed:?}"
    );
    assert_eq!(
        generated, kernel,
        "per-test verdicts differ between the two headers"
    );
    assert!(
        totals.contains(" fail:0 ") && totals.contains(" error:0"),
        "{totals}"
    );
    // The selftest skips only its no_viommu variants of viommu tests (they need a vIOMMU the
    // variant leaves out): a skip for anything else (a missing hugepage pool, a config option)
    // would be the lab checking less than it says, so it fails here.
    let skipped: Vec<&str> = generated
        .iter()
        .filter(|(_, v)| v.ends_with("# SKIP"))
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        skipped,
        [
            "iommufd_viommu.no_viommu.hw_queue",
            "iommufd_viommu.no_viommu.vdevice_cache",
            "iommufd_viommu.no_viommu.vdevice_tombstone",
            "iommufd_viommu.no_viommu.viommu_alloc_nested_iopf",
            "iommufd_viommu.no_viommu.viommu_alloc_with_data",
        ],
        "{totals}"
    );
}

/// What gcc finds missing when lab/build-selftest compiles release `release`'s iommufd
/// selftest against the `which` headers (`generated` or `kernel`): each undeclared identifier
/// and member name. The build must fail, and with no other kind of error.
fn undeclared_in_selftest(release: &str, which: &str) -> BTreeSet<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let kernel = Command::new(repo.join("lab/build-kernel"))
        .arg(release)
        .output()
        .expect("lab/build-kernel runs");
    assert!(
        kernel.status.success(),
        "lab/build-kernel {release}: {}",
        String::from_utf8_lossy(&kernel.stderr)
    );
    let kdir = String::from_utf8_lossy(&kernel.stdout).trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iommufd_selftest");
    let build = Command::new(repo.join("lab/build-selftest"))
        .args([kdir.as_str(), out.to_str().unwrap(), which])
        .output()
        .expect("lab/build-selftest runs");
    let log = std::fs::read_to_string(dir.path().join("iommufd_selftest.log"))
        .unwrap_or_else(|e| panic!("no compiler log ({e}): {build:?}"));
    assert!(
        !build.status.success(),
        "it built against the {which} headers:\n{log}"
    );
    let errors: Vec<&str> = log.lines().filter(|l| l.contains(" error: ")).collect();
    let missing: Vec<&str> = errors
        .iter()
        .filter_map(|l| {
            let (_, rest) = l.split_once(" error: ")?;
            let quoted = |r: &'static str| -> Option<&str> {
                let (_, name) = rest.split_once(r)?;
                Some(name.split_once('\u{2019}')?.0)
            };
            match rest.contains(" undeclared ") {
                true => rest
                    .strip_prefix('\u{2018}')?
                    .split_once('\u{2019}')
                    .map(|(n, _)| n),
                false => quoted("has no member named \u{2018}"),
            }
        })
        .collect();
    assert_eq!(missing.len(), errors.len(), "other errors:\n{log}");
    missing.into_iter().map(String::from).collect()
}

/// The 6.12 stable kernel (Debian's bookworm-backports 6.12.95: iommufd.toml's `v6_12_31`)
/// boots in the lab, and its matrix runs (lab_matrix.rs); its own iommufd selftest does not
/// build, whichever header: the stable branch took the selftest of a later release (6.12.95's
/// tools/testing/selftests/iommu/iommufd.c:615 and iommufd_utils.h:649-656 use v6.17's
/// `IOMMU_HW_INFO_TYPE_DEFAULT`, `IOMMU_HW_INFO_FLAG_INPUT_TYPE` and `in_data_type`, and
/// iommufd.c:230, :648 `MOCK_FLAGS_DEVICE_PASID`, `MOCK_PASID_WIDTH`) without the header
/// changes it needs. Against the kernel's own headers the uAPI names are missing too;
/// against the generated iommufd.h (every revision's names) only the two of
/// drivers/iommu/iommufd/iommufd_test.h, the kernel's mock, which no uAPI header declares.
#[test]
fn the_6_12_selftest_lacks_only_its_mocks_names_on_the_generated_header() {
    let lab = lab::run(&["--kernel", "iommufd-6.12"], &[])
        .unwrap_or_else(|e| panic!("the iommufd lab (6.12) did not run: {e}"));
    let has = |s: &str| lab.setup.iter().any(|l| l.contains(s));
    assert!(has("kernel 6.12."), "{:?}", lab.setup);
    assert!(has("iommufd /dev/iommu"), "{:?}", lab.setup);
    let mocks = ["MOCK_FLAGS_DEVICE_PASID", "MOCK_PASID_WIDTH"];
    let kernel = undeclared_in_selftest("6.12", "kernel");
    let generated = undeclared_in_selftest("6.12", "generated");
    // v6.17's input type of IOMMU_GET_HW_INFO: its flag, its default and its member.
    let want_kernel: BTreeSet<String> = mocks
        .iter()
        .chain(&[
            "IOMMU_HW_INFO_FLAG_INPUT_TYPE",
            "IOMMU_HW_INFO_TYPE_DEFAULT",
            "in_data_type",
        ])
        .map(|s| s.to_string())
        .collect();
    assert_eq!(kernel, want_kernel);
    assert_eq!(generated, mocks.map(String::from).into_iter().collect());
    // The mock's names are no uAPI header's: none of the generated tree declares them.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let iommufd_h =
        std::fs::read_to_string(repo.join("generated/include/uapi/linux/iommufd.h")).unwrap();
    assert!(iommufd_h.contains("IOMMU_HW_INFO_TYPE_DEFAULT"));
    for m in mocks {
        assert!(!iommufd_h.contains(m), "{m}");
    }
}

#[test]
fn vfio_on_7_2_aligns_its_chains_and_resizes_msix() {
    let lab = boot("generated");
    let name = "VFIO_IOMMU_GET_INFO";
    let min = vfio::VfioIommuType1Info::MIN_SIZE as u32;
    let needed = lab.find(name, min, None).u32_at(0);
    let full = lab.find(name, needed, None);
    assert!(full.ok(), "{full:?}");
    // 7.2's vfio_info_cap_add() rounds each capability up to 8 (drivers/vfio/vfio_main.c:1577),
    // so every capability starts at a multiple of 8 (6.1 rounded to 4: tests/tests/lab.rs).
    let caps: Vec<_> = walk::<vfio::VfioIommuType1Info>(&full.out)
        .map(|c| c.map(|c| (c.id as u32, c.offset)))
        .collect();
    assert_eq!(
        caps,
        vec![
            Ok((vfio::VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 24)),
            Ok((vfio::VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 56)),
            Ok((vfio::VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 72)),
        ]
    );
    // vfio_pci_ioctl_get_irq_info (drivers/vfio/pci/vfio_pci_core.c:1276): MSI-X loses NORESIZE
    // when vectors can be added while enabled (has_dyn_msix), which 6.1 did not have.
    let at = std::mem::offset_of!(vfio::VfioIrqInfo, index);
    let msix = lab.find(
        "VFIO_DEVICE_GET_IRQ_INFO",
        vfio::VfioIrqInfo::MIN_SIZE as u32,
        Some((at, 2)),
    );
    assert_eq!(
        (msix.u32_at(4), msix.u32_at(12)),
        (vfio::VFIO_IRQ_INFO_EVENTFD, 5)
    );
}

#[test]
fn dma_map_and_unmap_at_each_argsz_as_on_6_1() {
    lab::check_dma(boot("generated"));
}
