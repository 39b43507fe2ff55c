//! The runtime against a real kernel, call by call (issue 16's fifth item): the same sequences
//! of iommufd ioctls (a nest parent, nested hwpts, invalidation arrays, destroy, and the bad
//! input of each) sent to the runtime crate (runtime/ over the VT-d model) and, in the lab, to
//! the kernel's iommufd with its mock IOMMU (CONFIG_IOMMUFD_TEST, drivers/iommu/iommufd/
//! selftest.c). Each side's device is its own (the runtime binds one of the VT-d model's; the
//! kernel's mock makes one with `IOMMU_TEST_OP_MOCK_DOMAIN`, attached to an automatic hwpt on
//! the IOAS) and so is the driver's data (VT-d's stage-1 table and invalidations; the mock's
//! `iommu_hwpt_selftest` and `iommu_hwpt_invalidate_selftest`); everything else is the same
//! bytes. Every step's errno and the bytes each side wrote back are compared, ids and
//! addresses by what they name; each difference must be one of `DELIBERATE`, with its source.

use std::mem::{offset_of, size_of};
use std::ops::Range;

use uapigen_bindings::iommufd as fd;
use uapigen_bindings::iommufd::v6_8::{
    IommuDestroy, IommuHwInfo, IommuHwptAlloc, IommuHwptInvalidate, IommuHwptVtdS1,
    IommuHwptVtdS1Invalidate, IommuIoasAlloc,
};
use uapigen_tests::lab::{self, UserBuf};
use uapigen_uaccess::{bytes_of, Plain};

/// Which IOMMU answers: its data for a nested hwpt and its invalidation entries.
#[derive(Clone, Copy, PartialEq)]
enum Driver {
    /// The runtime's VT-d model.
    Vtd,
    /// The kernel's mock (drivers/iommu/iommufd/iommufd_test.h, the lab's kernel source).
    Mock,
}

/// iommufd_test.h's values, of a header no uAPI installs.
const IOMMU_HWPT_DATA_SELFTEST: u32 = 0xdead;
const IOMMU_HWPT_INVALIDATE_DATA_SELFTEST: u32 = 0xdead_beef;
const IOMMU_TEST_OP_MOCK_DOMAIN: u32 = 2;
/// `sizeof(struct iommu_test_cmd)` on x86-64 (its union's largest member, `dirty`, is 48
/// bytes), and where `mock_domain`'s out ids are.
const TEST_CMD_SIZE: usize = 72;
const MOCK_OUT_STDEV: usize = 16;
const MOCK_OUT_HWPT: usize = 20;
const MOCK_OUT_IDEV: usize = 24;

impl Driver {
    fn hwpt_data_type(self) -> u32 {
        match self {
            Driver::Vtd => fd::IOMMU_HWPT_DATA_VTD_S1,
            Driver::Mock => IOMMU_HWPT_DATA_SELFTEST,
        }
    }

    /// A nested hwpt's data each accepts: a 4 KiB-aligned stage-1 table of 48 bits; the mock's
    /// `iotlb` (IOMMU_TEST_IOTLB_DEFAULT).
    fn hwpt_data(self) -> Vec<u8> {
        match self {
            Driver::Vtd => bytes(&IommuHwptVtdS1 {
                pgtbl_addr: 0x1000,
                addr_width: 48,
                ..Default::default()
            }),
            Driver::Mock => 0xbad_beefu32.to_ne_bytes().to_vec(),
        }
    }

    fn inv_data_type(self) -> u32 {
        match self {
            Driver::Vtd => fd::IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
            Driver::Mock => IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
        }
    }

    /// The smallest entry each takes (`iommu_copy_struct_from_user_array`'s min_last:
    /// `__reserved` of VT-d's, `iotlb_id` of the mock's): their whole struct.
    fn entry_len(self) -> u32 {
        match self {
            Driver::Vtd => size_of::<IommuHwptVtdS1Invalidate>() as u32,
            Driver::Mock => 8,
        }
    }

    /// An entry each accepts, or, with `bad_flags`, one with a flag it does not know.
    fn entry(self, bad_flags: bool) -> Vec<u8> {
        match self {
            Driver::Vtd => bytes(&IommuHwptVtdS1Invalidate {
                addr: 0,
                npages: u64::MAX,
                flags: if bad_flags { 1 << 7 } else { 0 },
                __reserved: 0,
            }),
            Driver::Mock => [if bad_flags { 1u32 << 7 } else { 0 }, 0]
                .iter()
                .flat_map(|w| w.to_ne_bytes())
                .collect(),
        }
    }
}

/// HWPT_ALLOC of a nest parent.
fn nest_parent() -> IommuHwptAlloc {
    IommuHwptAlloc {
        flags: fd::IOMMU_HWPT_ALLOC_NEST_PARENT,
        ..Default::default()
    }
}

impl Driver {
    /// HWPT_INVALIDATE of `n` of the driver's entries.
    fn invalidate(self, n: u32) -> IommuHwptInvalidate {
        IommuHwptInvalidate {
            data_type: self.inv_data_type(),
            entry_len: self.entry_len(),
            entry_num: n,
            ..Default::default()
        }
    }
}

fn bytes<T: Plain>(v: &T) -> Vec<u8> {
    bytes_of(v).to_vec()
}

/// An object id a step passes: one an earlier step named, or a number.
#[derive(Clone, Copy, Debug)]
enum Id {
    Obj(&'static str),
    Raw(u32),
}
use Id::{Obj, Raw};

/// One ioctl of a sequence.
#[derive(Clone)]
struct Step {
    what: &'static str,
    ioctl: &'static str,
    /// The user buffer: the command, then the data it points to.
    bytes: Vec<u8>,
    /// Where an id goes (filled per side before the call).
    ids: Vec<(usize, Id)>,
    /// Where the address of byte N of this buffer goes, a u64.
    addrs: Vec<(usize, usize)>,
    /// Where the answer holds a new object's id, and its name.
    names: Vec<(usize, &'static str)>,
    /// Bytes that are the driver's own: compared only as written or not.
    driver: Vec<Range<usize>>,
    /// Where the data after the command starts (each driver's is its own length).
    data_at: Option<usize>,
}

impl Step {
    fn new<T: Plain>(what: &'static str, ioctl: &'static str, cmd: &T) -> Step {
        Step {
            what,
            ioctl,
            bytes: bytes(cmd),
            ids: vec![],
            addrs: vec![],
            names: vec![],
            driver: vec![],
            data_at: None,
        }
    }

    fn id(mut self, at: usize, id: Id) -> Step {
        self.ids.push((at, id));
        self
    }

    fn names(mut self, at: usize, name: &'static str) -> Step {
        self.names.push((at, name));
        self
    }

    fn driver(mut self, r: Range<usize>) -> Step {
        self.driver.push(r);
        self
    }

    /// Appends `data` after what the buffer holds, its address at `at`: the driver's own bytes.
    fn data(mut self, at: usize, data: &[u8]) -> Step {
        let start = self.bytes.len();
        self.data_at.get_or_insert(start);
        self.addrs.push((at, start));
        self.bytes.extend_from_slice(data);
        self.driver(start..start + data.len())
    }

    /// The u32 field at `at` holds a value of the driver's (a type, a length).
    fn driver_u32(self, at: usize) -> Step {
        self.driver(at..at + 4)
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(b[at..at + 4].try_into().unwrap())
}

fn ioas_alloc(what: &'static str, flags: u32, name: &'static str) -> Step {
    let cmd = IommuIoasAlloc {
        size: size_of::<IommuIoasAlloc>() as u32,
        flags,
        ..Default::default()
    };
    Step::new(what, "IOMMU_IOAS_ALLOC", &cmd).names(offset_of!(IommuIoasAlloc, out_ioas_id), name)
}

/// HWPT_ALLOC of `dev` on `pt`, with driver data when `data` is given.
fn hwpt_alloc(
    what: &'static str,
    cmd: IommuHwptAlloc,
    dev: Id,
    pt: Id,
    data: Option<&[u8]>,
    name: &'static str,
) -> Step {
    let cmd = IommuHwptAlloc {
        size: size_of::<IommuHwptAlloc>() as u32,
        ..cmd
    };
    let mut s = Step::new(what, "IOMMU_HWPT_ALLOC", &cmd)
        .id(offset_of!(IommuHwptAlloc, dev_id), dev)
        .id(offset_of!(IommuHwptAlloc, pt_id), pt)
        .names(offset_of!(IommuHwptAlloc, out_hwpt_id), name);
    if cmd.data_type != 0 {
        s = s
            .driver_u32(offset_of!(IommuHwptAlloc, data_type))
            .driver_u32(offset_of!(IommuHwptAlloc, data_len));
    }
    match data {
        Some(d) => s.data(offset_of!(IommuHwptAlloc, data_uptr), d),
        None => s,
    }
}

fn nested(what: &'static str, d: Driver, parent: Id, name: &'static str) -> Step {
    let data = d.hwpt_data();
    let cmd = IommuHwptAlloc {
        data_type: d.hwpt_data_type(),
        data_len: data.len() as u32,
        ..Default::default()
    };
    hwpt_alloc(what, cmd, Obj("dev"), parent, Some(&data), name)
}

/// HWPT_INVALIDATE of `hwpt` with `entries` (their bytes) at `data_uptr` unless `null`.
fn invalidate(what: &'static str, cmd: IommuHwptInvalidate, hwpt: Id, entries: &[u8]) -> Step {
    let cmd = IommuHwptInvalidate {
        size: size_of::<IommuHwptInvalidate>() as u32,
        ..cmd
    };
    let s = Step::new(what, "IOMMU_HWPT_INVALIDATE", &cmd)
        .id(offset_of!(IommuHwptInvalidate, hwpt_id), hwpt)
        .driver_u32(offset_of!(IommuHwptInvalidate, data_type))
        .driver_u32(offset_of!(IommuHwptInvalidate, entry_len));
    if entries.is_empty() {
        s
    } else {
        s.data(offset_of!(IommuHwptInvalidate, data_uptr), entries)
    }
}

fn entries(d: Driver, good: usize, bad_at: Option<usize>, len: u32, tail: u8) -> Vec<u8> {
    (0..good)
        .flat_map(|i| {
            let mut e = d.entry(bad_at == Some(i));
            e.resize(len as usize, 0);
            if e.len() > d.entry_len() as usize {
                e[d.entry_len() as usize] = tail;
            }
            e
        })
        .collect()
}

fn destroy(what: &'static str, id: Id) -> Step {
    let cmd = IommuDestroy {
        size: size_of::<IommuDestroy>() as u32,
        ..Default::default()
    };
    Step::new(what, "IOMMU_DESTROY", &cmd).id(offset_of!(IommuDestroy, id), id)
}

fn hw_info(what: &'static str) -> Step {
    let cmd = IommuHwInfo {
        size: size_of::<IommuHwInfo>() as u32,
        data_len: 64,
        ..Default::default()
    };
    let caps = offset_of!(IommuHwInfo, out_capabilities);
    Step::new(what, "IOMMU_GET_HW_INFO", &cmd)
        .id(offset_of!(IommuHwInfo, dev_id), Obj("dev"))
        .data(offset_of!(IommuHwInfo, data_uptr), &[0xa5; 64])
        // Each driver's length, type and capabilities (the mock's dirty tracking).
        .driver_u32(offset_of!(IommuHwInfo, data_len))
        .driver_u32(offset_of!(IommuHwInfo, out_data_type))
        .driver(caps..caps + 8)
}

/// A parent, a nested hwpt on it and their use: the path a vIOMMU takes.
fn nesting(d: Driver) -> Vec<Step> {
    let parent = nest_parent();
    let inv = |n: u32| d.invalidate(n);
    vec![
        hw_info("the device's hardware information"),
        hwpt_alloc(
            "a nest parent on the IOAS",
            parent,
            Obj("dev"),
            Obj("ioas"),
            None,
            "parent",
        ),
        nested("a nested hwpt on the parent", d, Obj("parent"), "nested"),
        invalidate(
            "two entries",
            inv(2),
            Obj("nested"),
            &entries(d, 2, None, d.entry_len(), 0),
        ),
        invalidate("no entry and no array", inv(0), Obj("nested"), &[]),
        destroy("the parent under its nested hwpt", Obj("parent")),
        destroy("the IOAS under its hwpts", Obj("ioas")),
        destroy("the nested hwpt", Obj("nested")),
        nested("another nested hwpt", d, Obj("parent"), "again"),
        destroy("the nested hwpt again", Obj("again")),
        destroy("the parent", Obj("parent")),
        destroy("the parent again", Obj("parent")),
    ]
}

/// HWPT_ALLOC's refusals.
fn bad_allocations(d: Driver) -> Vec<Step> {
    let data = d.hwpt_data();
    let with = |cmd: IommuHwptAlloc| IommuHwptAlloc {
        data_type: d.hwpt_data_type(),
        data_len: data.len() as u32,
        ..cmd
    };
    let parent = nest_parent();
    let none = IommuHwptAlloc::default();
    let mut big = hwpt_alloc(
        "past the v6.8 struct, a non-zero tail",
        none,
        Obj("dev"),
        Obj("ioas"),
        None,
        "big",
    );
    big.bytes.resize(big.bytes.len() + 8, 0);
    big.bytes[0] = big.bytes.len() as u8;
    *big.bytes.last_mut().unwrap() = 1;
    vec![
        hwpt_alloc(
            "a nest parent",
            parent,
            Obj("dev"),
            Obj("ioas"),
            None,
            "parent",
        ),
        hwpt_alloc(
            "nested, with a flag",
            with(parent),
            Obj("dev"),
            Obj("parent"),
            Some(&data),
            "x",
        ),
        hwpt_alloc(
            "nested, the driver's type without data",
            IommuHwptAlloc {
                data_type: d.hwpt_data_type(),
                ..none
            },
            Obj("dev"),
            Obj("parent"),
            None,
            "x",
        ),
        hwpt_alloc(
            "no type, with a length",
            IommuHwptAlloc {
                data_len: 4,
                ..none
            },
            Obj("dev"),
            Obj("ioas"),
            Some(&[0; 4]),
            "x",
        ),
        hwpt_alloc(
            "nested on a hwpt that is no nest parent",
            with(none),
            Obj("dev"),
            Obj("auto"),
            Some(&data),
            "x",
        ),
        hwpt_alloc(
            "nested, a type no driver has",
            IommuHwptAlloc {
                data_type: 0xffff,
                ..with(none)
            },
            Obj("dev"),
            Obj("parent"),
            Some(&data),
            "x",
        ),
        hwpt_alloc(
            "on an id nothing has",
            none,
            Obj("dev"),
            Raw(0x7fff_ffff),
            None,
            "x",
        ),
        hwpt_alloc(
            "of a device id that is the IOAS",
            none,
            Obj("ioas"),
            Obj("ioas"),
            None,
            "x",
        ),
        hwpt_alloc("of device id 0", none, Raw(0), Obj("ioas"), None, "x"),
        hwpt_alloc(
            "__reserved set",
            IommuHwptAlloc {
                __reserved: 1,
                ..none
            },
            Obj("dev"),
            Obj("ioas"),
            None,
            "x",
        ),
        hwpt_alloc(
            "a flag past the known",
            IommuHwptAlloc {
                flags: 1 << 31,
                ..none
            },
            Obj("dev"),
            Obj("ioas"),
            None,
            "x",
        ),
        hwpt_alloc(
            "dirty tracking",
            IommuHwptAlloc {
                flags: fd::IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
                ..none
            },
            Obj("dev"),
            Obj("ioas"),
            None,
            "dirty",
        ),
        big,
        ioas_alloc("an IOAS with a flag", 1, "x"),
        ioas_alloc("a second IOAS", 0, "ioas2"),
    ]
}

/// HWPT_INVALIDATE's refusals.
fn bad_invalidations(d: Driver) -> Vec<Step> {
    let parent = nest_parent();
    let inv = |n: u32| d.invalidate(n);
    let len = d.entry_len();
    let three = entries(d, 3, None, len, 0);
    vec![
        hwpt_alloc(
            "a nest parent",
            parent,
            Obj("dev"),
            Obj("ioas"),
            None,
            "parent",
        ),
        nested("a nested hwpt", d, Obj("parent"), "nested"),
        invalidate(
            "__reserved set",
            IommuHwptInvalidate {
                __reserved: 1,
                ..inv(3)
            },
            Obj("nested"),
            &three,
        ),
        invalidate("entries and no array", inv(1), Obj("nested"), &[]),
        invalidate(
            "an entry_len of 0",
            IommuHwptInvalidate {
                entry_len: 0,
                ..inv(3)
            },
            Obj("nested"),
            &three,
        ),
        invalidate("of the parent", inv(3), Obj("parent"), &three),
        invalidate("of an id nothing has", inv(3), Raw(0x7fff_ffff), &three),
        invalidate(
            "of a type no driver has",
            IommuHwptInvalidate {
                data_type: 0x7777,
                ..inv(3)
            },
            Obj("nested"),
            &three,
        ),
        invalidate(
            "the second of three with an unknown flag",
            inv(3),
            Obj("nested"),
            &entries(d, 3, Some(1), len, 0),
        ),
        invalidate(
            "entries one byte short",
            IommuHwptInvalidate {
                entry_len: len - 1,
                ..inv(3)
            },
            Obj("nested"),
            &entries(d, 3, None, len - 1, 0),
        ),
        invalidate(
            "longer entries, zero past them",
            IommuHwptInvalidate {
                entry_len: len + 8,
                ..inv(3)
            },
            Obj("nested"),
            &entries(d, 3, None, len + 8, 0),
        ),
        invalidate(
            "longer entries, not zero past them",
            IommuHwptInvalidate {
                entry_len: len + 8,
                ..inv(3)
            },
            Obj("nested"),
            &entries(d, 3, None, len + 8, 1),
        ),
        invalidate(
            "an entry of 8 KiB",
            IommuHwptInvalidate {
                entry_len: 8192,
                ..inv(1)
            },
            Obj("nested"),
            &entries(d, 1, None, 8192, 0),
        ),
        invalidate(
            "2^20 entries",
            IommuHwptInvalidate {
                entry_num: 1 << 20,
                ..inv(1)
            },
            Obj("nested"),
            &three,
        ),
        invalidate(
            "no entry of a type no driver has",
            IommuHwptInvalidate {
                data_type: 0x7777,
                ..inv(0)
            },
            Obj("nested"),
            &[],
        ),
    ]
}

const SEQUENCES: &[(&str, fn(Driver) -> Vec<Step>)] = &[
    ("nesting", nesting),
    ("bad allocations", bad_allocations),
    ("bad invalidations", bad_invalidations),
];

/// What one side answered to one step.
#[derive(Clone, Debug)]
struct Answer {
    errno: i32,
    /// The buffer after the call, ids replaced by what they name and addresses by 0.
    out: Vec<u8>,
    /// Per `driver` range: whether the call wrote it.
    driver_written: Vec<bool>,
}

/// Each side's ids by name, in the order the steps made them.
#[derive(Default)]
struct Names(Vec<(&'static str, u32)>);

impl Names {
    fn get(&self, name: &str) -> u32 {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, v)| *v)
    }
}

/// A name as both sides write it: its place in `order`, from 1.
fn code(name: &str, order: &[&str]) -> u32 {
    order
        .iter()
        .position(|o| *o == name)
        .map_or(0xffff, |p| p as u32 + 1)
}

/// Reads one side's answer to `step`: records the objects it made, and replaces what differs
/// between sides by construction (ids by what they name: a new id that an earlier object had
/// shows as that object, as the kernel's xarray hands out the lowest free id; addresses by 0;
/// the driver's bytes by whether they were written).
fn normalise(step: &Step, out: &[u8], errno: i32, names: &mut Names, order: &[&str]) -> Answer {
    let mut o = out.to_vec();
    for &(at, id) in &step.ids {
        let c = match id {
            Obj(n) => code(n, order),
            Raw(v) => v,
        };
        o[at..at + 4].copy_from_slice(&c.to_ne_bytes());
    }
    let mut made = Vec::new();
    for &(at, name) in &step.names {
        let v = u32_at(out, at);
        let c = match names.0.iter().find(|(_, id)| *id == v) {
            _ if errno != 0 => v,
            Some((earlier, _)) => code(earlier, order),
            None => code(name, order),
        };
        o[at..at + 4].copy_from_slice(&c.to_ne_bytes());
        if errno == 0 {
            made.push((name, v));
        }
    }
    names.0.extend(made);
    for &(at, _) in &step.addrs {
        o[at..at + 8].fill(0);
    }
    let driver_written = step
        .driver
        .iter()
        .map(|r| step.bytes[r.clone()] != out[r.clone()])
        .collect();
    for r in &step.driver {
        o[r.clone()].fill(0);
    }
    o.truncate(step.data_at.unwrap_or(o.len()));
    Answer {
        errno,
        out: o,
        driver_written,
    }
}

/// The names of a sequence, the preludes' first: what ids are compared as.
fn order(steps: &[Step]) -> Vec<&'static str> {
    let mut o = vec!["ioas", "dev", "auto"];
    for s in steps {
        for &(_, n) in &s.names {
            if !o.contains(&n) {
                o.push(n);
            }
        }
    }
    o
}

fn command(ioctl: &str) -> u32 {
    match ioctl {
        "IOMMU_DESTROY" => fd::IOMMU_DESTROY,
        "IOMMU_IOAS_ALLOC" => fd::IOMMU_IOAS_ALLOC,
        "IOMMU_HWPT_ALLOC" => fd::IOMMU_HWPT_ALLOC,
        "IOMMU_GET_HW_INFO" => fd::IOMMU_GET_HW_INFO,
        "IOMMU_HWPT_INVALIDATE" => fd::IOMMU_HWPT_INVALIDATE,
        _ => panic!("{ioctl}: not an ioctl of the runtime"),
    }
}

/// The runtime's answers: a fresh VT-d model with one device, a fresh iommufd; the prelude
/// makes the IOAS, binds the device and gives it a paging hwpt on the IOAS (the kernel's
/// automatic one), then the steps.
fn on_runtime(steps: &[Step], order: &[&str]) -> Vec<Answer> {
    use std::sync::Arc;
    let iommu = Arc::new(vtd_backend::VtdIommu::new(vtd_backend::Features::default()));
    iommu.create_vm(1, 1 << 32).unwrap();
    iommu
        .assign_device(1, 0x100, vtd_backend::DeviceConfig::default())
        .unwrap();
    let rt = uapigen_runtime::iommufd::Iommufd::new(1, iommu);
    let mut names = Names::default();
    let run = |step: &Step, names: &mut Names| {
        let mut b = step.bytes.clone();
        for &(at, id) in &step.ids {
            let v = match id {
                Obj(n) => names.get(n),
                Raw(v) => v,
            };
            b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
        }
        for &(at, n) in &step.addrs {
            b[at..at + 8].copy_from_slice(&(UserBuf::BASE + n as u64).to_ne_bytes());
        }
        let mem = UserBuf::new(b);
        let errno = rt
            .ioctl(&mem, command(step.ioctl), UserBuf::BASE)
            .err()
            .map_or(0, |e| e.errno as i32);
        normalise(step, &mem.bytes(), errno, names, order)
    };
    let ioas = run(&ioas_alloc("the IOAS", 0, "ioas"), &mut names);
    assert_eq!(ioas.errno, 0, "the runtime's prelude");
    let dev = rt.bind_device(0x100).expect("the runtime binds its device");
    names.0.push(("dev", dev));
    let auto = hwpt_alloc(
        "the device's paging hwpt",
        IommuHwptAlloc::default(),
        Obj("dev"),
        Obj("ioas"),
        None,
        "auto",
    );
    assert_eq!(run(&auto, &mut names).errno, 0, "the runtime's prelude");
    steps.iter().map(|s| run(s, &mut names)).collect()
}

/// The kernel's prelude: a fresh /dev/iommu, the IOAS, and the mock's device attached to an
/// automatic hwpt on it (`IOMMU_TEST_OP_MOCK_DOMAIN`: iommufd_test_mock_domain).
fn kernel_prelude() -> Vec<Step> {
    let mut cmd = vec![0u8; TEST_CMD_SIZE];
    cmd[0..4].copy_from_slice(&(TEST_CMD_SIZE as u32).to_ne_bytes());
    cmd[4..8].copy_from_slice(&IOMMU_TEST_OP_MOCK_DOMAIN.to_ne_bytes());
    let mock = Step {
        what: "the mock's device",
        ioctl: "IOMMU_TEST_CMD",
        bytes: cmd,
        ids: vec![(8, Obj("ioas"))],
        addrs: vec![],
        names: vec![
            (MOCK_OUT_STDEV, "stdev"),
            (MOCK_OUT_HWPT, "auto"),
            (MOCK_OUT_IDEV, "dev"),
        ],
        driver: vec![],
        data_at: None,
    };
    let reopen = Step {
        what: "a fresh /dev/iommu",
        ioctl: "IOMMUFD_REOPEN",
        bytes: vec![0; 4],
        ids: vec![],
        addrs: vec![],
        names: vec![],
        driver: vec![],
        data_at: None,
    };
    vec![reopen, ioas_alloc("the IOAS", 0, "ioas"), mock]
}

/// The guest's case lines for every sequence (each its prelude, then its steps), ids patched
/// from the answer of the step that made them.
fn kernel_cases(seqs: &[Vec<Step>]) -> Vec<(&'static str, Vec<u8>, String)> {
    let mut lines = Vec::new();
    for steps in seqs {
        let mut made: Vec<(&str, usize, usize)> = Vec::new();
        for step in kernel_prelude().iter().chain(steps) {
            let mut patches: Vec<String> = step
                .addrs
                .iter()
                .map(|(at, n)| format!("{at}=&{n}"))
                .collect();
            let mut b = step.bytes.clone();
            for &(at, id) in &step.ids {
                match id {
                    Obj(n) => {
                        let &(_, k, src) = made
                            .iter()
                            .rev()
                            .find(|(m, ..)| *m == n)
                            .unwrap_or_else(|| panic!("{}: no step made {n}", step.what));
                        patches.push(format!("{at}=#{k}.{src}"));
                    }
                    Raw(v) => b[at..at + 4].copy_from_slice(&v.to_ne_bytes()),
                }
            }
            for &(at, n) in &step.names {
                made.push((n, lines.len(), at));
            }
            lines.push((step.ioctl, b, patches.join(" ")));
        }
    }
    lines
}

/// The kernel's answers, read as the runtime's are.
fn from_kernel(
    seqs: &[Vec<Step>],
    orders: &[Vec<&'static str>],
    answers: &[lab::Case],
) -> Vec<Vec<Answer>> {
    let mut at = 0;
    let mut all = Vec::new();
    for (steps, order) in seqs.iter().zip(orders) {
        let mut names = Names::default();
        let prelude = kernel_prelude();
        for (p, a) in prelude.iter().zip(&answers[at..]) {
            assert_eq!(a.errno, 0, "the kernel's prelude, {}: {a:?}", p.what);
            normalise(p, &a.out, 0, &mut names, order);
        }
        at += prelude.len();
        let mine = steps
            .iter()
            .zip(&answers[at..])
            .map(|(s, a)| {
                assert_eq!(a.name, s.ioctl, "answers out of step");
                normalise(s, &a.out, a.errno, &mut names, order)
            })
            .collect();
        at += steps.len();
        all.push(mine);
    }
    all
}

/// Where the runtime answers otherwise than the kernel, on purpose: (sequence, step, the
/// kernels it applies to, why).
const DELIBERATE: &[(&str, &str, &[&str], &str)] = &[
    (
        "nesting",
        "the device's hardware information",
        &["7.2", "6.12"],
        "out_capabilities: the mock's devices track dirty pages, so the kernel reports \
         IOMMU_HW_CAP_DIRTY_TRACKING (iommufd/device.c:1617-1618 in 7.2, :1364 in 6.12); the \
         VT-d model has no dirty tracking and reports none",
    ),
    (
        "bad allocations",
        "dirty tracking",
        &["7.2", "6.12"],
        "the VT-d model has no dirty tracking, so it refuses the flag as intel's \
         domain_alloc_paging_flags does on an IOMMU without SSADS (intel/iommu.c:2942-2944 in \
         7.2: -EOPNOTSUPP); the mock takes it",
    ),
    (
        "bad allocations",
        "past the v6.8 struct, a non-zero tail",
        &["7.2", "6.12"],
        "the runtime plays v6.8, whose iommu_hwpt_alloc ends at byte 40: a non-zero byte past \
         it is copy_struct_from_user's -E2BIG; from v6.11 the struct is 48 bytes and that byte \
         is __reserved2, which iommufd_hwpt_alloc never reads; a runtime for each revision is \
         issue 17's",
    ),
    (
        "bad invalidations",
        "of the parent",
        &["7.2"],
        "from v6.13 HWPT_INVALIDATE also takes a vIOMMU, so it looks the id up as any object \
         and a paging hwpt is -EINVAL (iommufd/hw_pagetable.c:548-550 in 7.2); v6.8 looked up a \
         nested hwpt only (iommufd_get_hwpt_nested: -ENOENT), as 6.12 still does",
    ),
    (
        "bad invalidations",
        "2^20 entries",
        &["7.2"],
        "7.2 bounds entry_num at IOMMU_HWPT_INVALIDATE_ENTRY_NUM_MAX, 2^19 \
         (iommufd/hw_pagetable.c:493, 517-519: -EINVAL, entry_num 0 written back); v6.8 has no \
         bound and copies entries until one faults, as 6.12 does: the buffer holds three, so \
         -EFAULT with entry_num 3",
    ),
];

/// What the kernel's mock did with the nesting sequence, whatever the runtime does: the
/// sequence reached the driver (a nested hwpt made, two entries handled) and the second nested
/// hwpt got the first one's id.
fn the_kernel_nested(steps: &[Step], order: &[&str], k: &[Answer]) {
    const EBUSY: i32 = 16;
    const ENOENT: i32 = 2;
    let errnos: Vec<i32> = k.iter().map(|a| a.errno).collect();
    assert_eq!(errnos, [0, 0, 0, 0, 0, EBUSY, EBUSY, 0, 0, 0, 0, ENOENT]);
    let at = |what: &str| steps.iter().position(|s| s.what == what).unwrap();
    let entry_num = offset_of!(IommuHwptInvalidate, entry_num);
    assert_eq!(u32_at(&k[at("two entries")].out, entry_num), 2);
    let hwpt = offset_of!(IommuHwptAlloc, out_hwpt_id);
    assert_eq!(
        u32_at(&k[at("another nested hwpt")].out, hwpt),
        code("nested", order),
        "the kernel hands out the destroyed hwpt's id again"
    );
}

#[test]
fn the_runtime_and_the_kernels_mock_answer_the_same_sequences() {
    let errno_name = |e: i32| match e {
        0 => "ok".to_string(),
        e => format!("{e}"),
    };
    let mut report = String::new();
    let mut unexplained = Vec::new();
    let mut used = vec![false; DELIBERATE.len()];
    for kernel in ["7.2", "6.12"] {
        let vtd: Vec<Vec<Step>> = SEQUENCES.iter().map(|(_, f)| f(Driver::Vtd)).collect();
        let mock: Vec<Vec<Step>> = SEQUENCES.iter().map(|(_, f)| f(Driver::Mock)).collect();
        let orders: Vec<Vec<&str>> = vtd.iter().map(|s| order(s)).collect();
        let cases = kernel_cases(&mock);
        let lab = lab::run_patched(
            &["--kernel", &format!("iommufd-{kernel}"), "--no-vtd"],
            &cases,
        )
        .unwrap_or_else(|e| panic!("the lab did not run: {e}"));
        let theirs = from_kernel(&mock, &orders, &lab.file);
        let mut compared = 0;
        for (((seq, _), (steps, order)), kernel_answers) in
            SEQUENCES.iter().zip(vtd.iter().zip(&orders)).zip(&theirs)
        {
            let ours = on_runtime(steps, order);
            if *seq == "nesting" {
                the_kernel_nested(steps, order, kernel_answers);
            }
            report += &format!("{seq} (Linux {kernel}):\n");
            for ((step, o), k) in steps.iter().zip(&ours).zip(kernel_answers) {
                compared += 1;
                let bytes: Vec<usize> = (0..o.out.len().min(k.out.len()))
                    .filter(|&i| o.out[i] != k.out[i])
                    .collect();
                let same = o.errno == k.errno
                    && bytes.is_empty()
                    && o.out.len() == k.out.len()
                    && o.driver_written == k.driver_written;
                let mut line = format!(
                    "  {:<10} {:<48} runtime {:<4} kernel {:<4}",
                    &step.ioctl["IOMMU_".len()..],
                    step.what,
                    errno_name(o.errno),
                    errno_name(k.errno)
                );
                if !bytes.is_empty() {
                    line += &format!(" bytes {bytes:?} differ");
                }
                if o.driver_written != k.driver_written {
                    line += &format!(
                        " driver data written: runtime {:?}, kernel {:?}",
                        o.driver_written, k.driver_written
                    );
                }
                if !same {
                    match DELIBERATE.iter().position(|(s, w, ks, _)| {
                        s == seq && *w == step.what && ks.contains(&kernel)
                    }) {
                        Some(i) => {
                            used[i] = true;
                            line += &format!("\n      deliberate: {}", DELIBERATE[i].3);
                        }
                        None => {
                            line += "  UNEXPLAINED";
                            unexplained.push(format!("{kernel} {seq}: {}", step.what));
                        }
                    }
                }
                report += &line;
                report += "\n";
            }
        }
        report += &format!("Linux {kernel}: {compared} steps compared\n");
    }
    println!("{report}");
    assert!(
        unexplained.is_empty(),
        "{report}\nunexplained: {unexplained:#?}"
    );
    let stale: Vec<_> = DELIBERATE
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(d, _)| d.1)
        .collect();
    assert!(
        stale.is_empty(),
        "DELIBERATE entries no difference needs: {stale:?}"
    );
}
