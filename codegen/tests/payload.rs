//! Feature payloads (`payload`, `payloads`): VFIO_DEVICE_FEATURE's data[] as the kernel reads
//! it. The curated vfio.toml holds Linux 7.2.13's table of features, and the matrix's payload
//! cases get the errno the kernel returns (drivers/vfio/vfio_main.c
//! `vfio_ioctl_device_feature`, include/linux/vfio.h `vfio_check_feature`,
//! drivers/vfio/pci/vfio_pci_core.c `vfio_pci_core_ioctl_feature`).

mod common;

use common::*;
use uapigen::matrix::{self, Buffer, Interpreter};
use uapigen::model::RevId;
use uapigen_uaccess::Errno;

const GET: u64 = 1 << 16;
const SET: u64 = 1 << 17;

/// Linux 7.2.13: per feature, the handler's `vfio_check_feature(flags, argsz, supported_ops,
/// minsz)` and the first of the schema's revisions whose header has it.
const KERNEL: &[(&str, u64, u64, &str)] = &[
    // pci/vfio_pci_core.c, vfio_pci_core_feature_token: SET, sizeof(uuid_t)
    ("VFIO_DEVICE_FEATURE_PCI_VF_TOKEN", SET, 16, "v6_1"),
    // vfio_main.c, vfio_ioctl_device_feature_migration: GET, sizeof(mig)
    ("VFIO_DEVICE_FEATURE_MIGRATION", GET, 8, "v6_1"),
    // vfio_main.c, vfio_ioctl_device_feature_mig_device_state: SET | GET, sizeof(mig)
    ("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", GET | SET, 8, "v6_1"),
    // pci/vfio_pci_core.c, vfio_pci_core_pm_entry: SET, 0
    ("VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY", SET, 0, "v6_1"),
    // pci/vfio_pci_core.c, vfio_pci_core_pm_entry_with_wakeup: SET, sizeof(entry)
    (
        "VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP",
        SET,
        8,
        "v6_1",
    ),
    // pci/vfio_pci_core.c, vfio_pci_core_pm_exit: SET, 0
    ("VFIO_DEVICE_FEATURE_LOW_POWER_EXIT", SET, 0, "v6_1"),
    // vfio_main.c, vfio_ioctl_device_feature_logging_start: SET, sizeof(control)
    ("VFIO_DEVICE_FEATURE_DMA_LOGGING_START", SET, 24, "v6_1"),
    // vfio_main.c, vfio_ioctl_device_feature_logging_stop: SET, 0
    ("VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP", SET, 0, "v6_1"),
    // vfio_main.c, vfio_ioctl_device_feature_logging_report: GET, sizeof(report)
    ("VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT", GET, 32, "v6_1"),
    // vfio_main.c, vfio_ioctl_device_feature_migration_data_size: GET, sizeof(data_size)
    ("VFIO_DEVICE_FEATURE_MIG_DATA_SIZE", GET, 8, "v6_12"),
    // cdx/main.c, vfio_cdx_bm_ctrl: SET, sizeof(ops)
    ("VFIO_DEVICE_FEATURE_BUS_MASTER", SET, 4, "v6_12"),
    // pci/vfio_pci_dmabuf.c, vfio_pci_core_feature_dma_buf: GET, sizeof(get_dma_buf)
    ("VFIO_DEVICE_FEATURE_DMA_BUF", GET, 16, "v7_2"),
    // vfio_main.c, vfio_ioctl_device_feature_migration_precopy_info_v2: SET, 0
    ("VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2", SET, 0, "v7_2"),
];

#[test]
fn vfio_feature_payloads_are_the_kernels() {
    let fams = real_families();
    let vfio = fams.iter().find(|c| c.family.name == "vfio").unwrap();
    let (_, s) = matrix::find(std::slice::from_ref(vfio), "vfio_device_feature").unwrap();
    let nrev = vfio.history.revisions.len();
    for r in 0..nrev {
        let id = vfio.history.rev(RevId(r)).id.clone();
        let plan = vfio.rev(RevId(r)).validator(s).unwrap();
        let pp = plan
            .payload
            .as_ref()
            .expect("vfio_device_feature has payloads");
        assert_eq!(
            (pp.mask, pp.get, pp.set, pp.probe, pp.base, pp.unknown),
            (0xffff, GET, SET, 1 << 18, 8, Errno::ENOTTY)
        );
        let ids: Vec<&str> = vfio
            .history
            .revisions
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        let expected: Vec<(String, u64, u64)> = KERNEL
            .iter()
            .filter(|(_, _, _, since)| ids.iter().position(|i| i == since).unwrap() <= r)
            .map(|(n, ops, minsz, _)| (n.to_string(), *ops, *minsz))
            .collect();
        let got: Vec<(String, u64, u64)> = pp
            .cases
            .iter()
            .map(|c| (c.name.clone(), c.ops, c.minsz))
            .collect();
        assert_eq!(got, expected, "revision {id}");
    }
    assert_eq!(
        vfio.rev(RevId(nrev - 1))
            .validator(s)
            .unwrap()
            .payload
            .as_ref()
            .unwrap()
            .cases
            .len(),
        13,
        "every feature of the 7.2 header"
    );
}

/// What the kernel returns for each kind of payload case the matrix makes, by its label.
fn expected_for(what: &str) -> Option<Result<(), Errno>> {
    let rest = what.strip_prefix("payload: ")?;
    Some(if rest.ends_with("no data") || rest.ends_with(" bytes") {
        Ok(())
    } else if rest.ends_with("one byte short")
        || rest.ends_with("which it does not support")
        || rest.contains(" without ")
    {
        Err(Errno::EINVAL)
    } else if rest.ends_with("which selects no payload") || rest.contains(", unknown to ") {
        Err(Errno::ENOTTY)
    } else {
        panic!("a payload case of no known kind: {what}")
    })
}

fn check_cases(fams: &[uapigen::Checked], family: &str, name: &str) -> usize {
    let c = fams.iter().find(|c| c.family.name == family).unwrap();
    let (_, s) = matrix::find(std::slice::from_ref(c), name).unwrap();
    let oracle = Interpreter { families: fams };
    let n = c.history.revisions.len();
    let mut kinds = std::collections::BTreeSet::new();
    let mut played = 0;
    for u in 0..n {
        for k in 0..n {
            let cases = matrix::cell_cases(c, s, RevId(u), RevId(k)).unwrap();
            for case in cases {
                let Some(want) = expected_for(&case.what) else {
                    continue;
                };
                let got = oracle
                    .kernel(&case, &Buffer::new(case.bytes.clone()))
                    .map(|_| ());
                assert_eq!(got, want, "{family} {name} ({u}, {k}): {}", case.what);
                kinds.insert(format!("{want:?}"));
                played += 1;
            }
        }
    }
    // Accepted, -EINVAL and -ENOTTY are all played.
    for want in ["Ok(())", "Err(EINVAL)", "Err(ENOTTY)"] {
        assert!(
            kinds.contains(want),
            "{family} {name}: no payload case gets {want}: {kinds:?}"
        );
    }
    played
}

#[test]
fn payload_cases_get_the_kernels_errno() {
    let golden = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let n = check_cases(&golden, "payload", "pl_feature");
    // r1: 3 payloads, r2: 4, each with PROBE, its operations and their failures, plus one
    // unknown selector per kernel and r2's new payload on r1's kernel.
    assert!(n >= 30, "{n} payload cases");
    let real = real_families();
    let n = check_cases(&real, "vfio", "vfio_device_feature");
    assert!(n >= 13 * 4, "{n} payload cases");
}

/// A newer user's feature on an older kernel is one the kernel does not know: -ENOTTY, and the
/// case names the revision that lacks it.
#[test]
fn a_feature_a_revision_lacks_is_enotty_there() {
    let fams = real_families();
    let c = fams.iter().find(|c| c.family.name == "vfio").unwrap();
    let (_, s) = matrix::find(std::slice::from_ref(c), "vfio_device_feature").unwrap();
    let last = RevId(c.history.revisions.len() - 1);
    let cases = matrix::cell_cases(c, s, last, RevId(0)).unwrap();
    let lacking: Vec<&str> = cases
        .iter()
        .filter(|c| c.what.contains(", unknown to v6_1"))
        .map(|c| c.what.as_str())
        .collect();
    assert_eq!(
        lacking,
        [
            "payload: new user asks for VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, unknown to v6_1",
            "payload: new user asks for VFIO_DEVICE_FEATURE_BUS_MASTER, unknown to v6_1",
            "payload: new user asks for VFIO_DEVICE_FEATURE_DMA_BUF, unknown to v6_1",
            "payload: new user asks for VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2, unknown to v6_1",
        ]
    );
    let oracle = Interpreter { families: &fams };
    for case in cases.iter().filter(|c| c.what.contains(", unknown to ")) {
        assert_eq!(
            oracle.kernel(case, &Buffer::new(case.bytes.clone())),
            Err(Errno::ENOTTY),
            "{}",
            case.what
        );
    }
}

fn decode(hex: &str) -> (String, Option<i32>) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .args(["decode", "vfio_device_feature", "--hex", hex, "--schema"])
        .arg(repo_root().join("schema"))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

/// `decode` names the payload the flags select and decodes the bytes after the struct as it.
#[test]
fn decode_shows_and_decodes_the_payload() {
    // SET MIG_DEVICE_STATE: argsz 16, device_state 4 (RESUMING), data_fd 7.
    let (text, code) = decode("10 00 00 00 02 00 02 00 04 00 00 00 07 00 00 00");
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains(
            "payload in `data`: VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE (struct \
             vfio_device_feature_mig_state, minsz 8; SET), argsz - minsz = 8, 8 bytes given\n  \
             data.device_state            = 4\n  data.data_fd                 = 7\n"
        ),
        "{text}"
    );
    // The VF token: 16 bytes, shown as bytes; one short of them is -EINVAL.
    let (text, code) =
        decode("18 00 00 00 00 00 02 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10");
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("VFIO_DEVICE_FEATURE_PCI_VF_TOKEN (16 bytes, minsz 16; SET)")
            && text.contains("  data                         = [01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10]\n"),
        "{text}"
    );
    let (text, code) =
        decode("17 00 00 00 00 00 02 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("verdict: rejected, -EINVAL"), "{text}");
    // A feature no revision has: -ENOTTY, named as none.
    let (text, code) = decode("08 00 00 00 0d 00 04 00");
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("payload in `data`: 0xd selects none of this revision's (PROBE)")
            && text.contains("verdict: rejected, -ENOTTY"),
        "{text}"
    );
}
