//! Test support shared by the end-to-end tests: a user memory that faults where told and
//! records what is read, the generated Rust validators behind one signature, the generated C
//! validators in a harness compiled once, and the kernel reference model (`kernel`), written
//! from REFERENCE.md and not from the schema.

pub mod kernel;
pub mod lab;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use uapigen::ir::Convention;
use uapigen::model::StructId;
use uapigen_bindings::{iommu, iommufd, vfio_nesting};
use uapigen_uaccess::{bytes_of, Errno, Plain, UserMemory};

/// Where test buffers live in the fake user address space.
pub const BASE: u64 = 0x7f00_0000_1000;

/// `readable` bytes of `data` at `BASE`; any other byte faults. Every byte read is recorded.
pub struct Mem {
    pub data: Vec<u8>,
    pub readable: usize,
    pub reads: RefCell<Vec<(u64, usize)>>,
}

impl Mem {
    pub fn new(data: Vec<u8>, readable: usize) -> Self {
        Mem {
            data,
            readable,
            reads: RefCell::new(Vec::new()),
        }
    }

    /// The highest offset from `BASE` read, plus one (0 when nothing was read).
    pub fn read_end(&self) -> u64 {
        self.reads
            .borrow()
            .iter()
            .map(|(a, n)| a - BASE + *n as u64)
            .max()
            .unwrap_or(0)
    }

    /// The lowest address read, as an offset from `BASE` (None when nothing was read).
    pub fn read_start(&self) -> Option<u64> {
        self.reads
            .borrow()
            .iter()
            .map(|(a, _)| a.wrapping_sub(BASE))
            .min()
    }
}

impl UserMemory for Mem {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let limit = self.readable.min(self.data.len());
        let mut copied = 0;
        for (i, d) in dst.iter_mut().enumerate() {
            let Some(a) = addr.checked_add(i as u64) else {
                break;
            };
            if a < BASE || a - BASE >= limit as u64 {
                break;
            }
            *d = self.data[(a - BASE) as usize];
            copied += 1;
        }
        if copied > 0 {
            self.reads.borrow_mut().push((addr, copied));
        }
        dst.len() - copied
    }
}

/// Driver data's (type, length), supplied by the enclosing command.
pub type UserData = Option<(u32, u32)>;

/// The outcome every implementation is reduced to: the kernel's bytes, or its errno.
pub type Outcome = Result<Vec<u8>, Errno>;

fn run<T: Plain>(r: Result<T, uapigen_uaccess::Rejected>) -> (Outcome, Option<&'static str>) {
    match r {
        Ok(v) => (Ok(bytes_of(&v).to_vec()), None),
        Err(e) => (Err(e.errno), Some(e.rule)),
    }
}

/// The generated Rust validator of `name`; also returns the rule text of a rejection.
pub fn rust(name: &str, mem: &Mem, ud: UserData) -> (Outcome, Option<&'static str>) {
    let (t, l) = ud.unwrap_or((0, 0));
    if let (name, Some(rev)) = split(name) {
        return rust_at(name, rev, mem);
    }
    match name {
        "iommu_page_response" => run(iommu::v5_10::IommuPageResponse::copy_from_user(mem, BASE)),
        "iommu_cache_invalidate_info" => run(
            iommu::v5_10::IommuCacheInvalidateInfo::copy_from_user(mem, BASE),
        ),
        "iommu_gpasid_bind_data" => {
            run(iommu::v5_10::IommuGpasidBindData::copy_from_user(mem, BASE))
        }
        "iommu_hwpt_alloc" => run(iommufd::v6_8::IommuHwptAlloc::copy_from_user(mem, BASE)),
        "iommu_hwpt_invalidate" => run(iommufd::v6_8::IommuHwptInvalidate::copy_from_user(
            mem, BASE,
        )),
        "iommu_hw_info" => run(iommufd::v6_8::IommuHwInfo::copy_from_user(mem, BASE)),
        "iommu_ioas_map" => run(iommufd::v6_8::IommuIoasMap::copy_from_user(mem, BASE)),
        "iommu_destroy" => run(iommufd::v6_8::IommuDestroy::copy_from_user(mem, BASE)),
        "iommu_ioas_alloc" => run(iommufd::v6_8::IommuIoasAlloc::copy_from_user(mem, BASE)),
        "iommu_ioas_iova_ranges" => run(iommufd::v6_8::IommuIoasIovaRanges::copy_from_user(
            mem, BASE,
        )),
        "iommu_ioas_allow_iovas" => run(iommufd::v6_8::IommuIoasAllowIovas::copy_from_user(
            mem, BASE,
        )),
        "iommu_ioas_copy" => run(iommufd::v6_8::IommuIoasCopy::copy_from_user(mem, BASE)),
        "iommu_ioas_unmap" => run(iommufd::v6_8::IommuIoasUnmap::copy_from_user(mem, BASE)),
        "iommu_option" => run(iommufd::v6_8::IommuOption::copy_from_user(mem, BASE)),
        "iommu_vfio_ioas" => run(iommufd::v6_8::IommuVfioIoas::copy_from_user(mem, BASE)),
        "iommu_hwpt_set_dirty_tracking" => run(
            iommufd::v6_8::IommuHwptSetDirtyTracking::copy_from_user(mem, BASE),
        ),
        "iommu_hwpt_get_dirty_bitmap" => run(
            iommufd::v6_8::IommuHwptGetDirtyBitmap::copy_from_user(mem, BASE),
        ),
        "iommu_fault_alloc" => run(iommufd::v6_11::IommuFaultAlloc::copy_from_user(mem, BASE)),
        "iommu_viommu_alloc" => run(iommufd::v6_13::IommuViommuAlloc::copy_from_user(mem, BASE)),
        "iommu_vdevice_alloc" => run(iommufd::v6_13::IommuVdeviceAlloc::copy_from_user(mem, BASE)),
        "iommu_ioas_map_file" => run(iommufd::v6_13::IommuIoasMapFile::copy_from_user(mem, BASE)),
        "iommu_ioas_change_process" => run(iommufd::v6_13::IommuIoasChangeProcess::copy_from_user(
            mem, BASE,
        )),
        "iommu_veventq_alloc" => run(iommufd::v6_15::IommuVeventqAlloc::copy_from_user(mem, BASE)),
        "iommu_hw_queue_alloc" => run(iommufd::v6_17::IommuHwQueueAlloc::copy_from_user(mem, BASE)),
        "vfio_iommu_type1_nesting_op" => run(
            vfio_nesting::v7::VfioIommuType1NestingOp::copy_from_user(mem, BASE),
        ),
        "iommu_hwpt_vtd_s1" => run(iommufd::v6_8::IommuHwptVtdS1::copy_from_user(
            mem, t, BASE, l,
        )),
        "iommu_hwpt_vtd_s1_invalidate" => run(
            iommufd::v6_8::IommuHwptVtdS1Invalidate::copy_from_user(mem, t, BASE, l),
        ),
        other => panic!("no Rust validator wired for {other}"),
    }
}

/// `iommufd::<rev>::<ty>::copy_from_user` for `rev` among the revision modules listed (the
/// struct's), by name; `from_6_2` etc. name the lists.
macro_rules! at {
    ($rev:expr, $mem:expr, $ty:ident, from_6_2) => {
        at!($rev, $mem, $ty, [v6_2, v6_6, v6_7, v6_8, v6_11, v6_12_14, v6_12_31, v6_13, v6_14, v6_15, v6_17, v7_0, v7_1])
    };
    ($rev:expr, $mem:expr, $ty:ident, from_6_6) => {
        at!($rev, $mem, $ty, [v6_6, v6_7, v6_8, v6_11, v6_12_14, v6_12_31, v6_13, v6_14, v6_15, v6_17, v7_0, v7_1])
    };
    ($rev:expr, $mem:expr, $ty:ident, from_6_7) => {
        at!($rev, $mem, $ty, [v6_7, v6_8, v6_11, v6_12_14, v6_12_31, v6_13, v6_14, v6_15, v6_17, v7_0, v7_1])
    };
    ($rev:expr, $mem:expr, $ty:ident, from_6_8) => {
        at!($rev, $mem, $ty, [v6_8, v6_11, v6_12_14, v6_12_31, v6_13, v6_14, v6_15, v6_17, v7_0, v7_1])
    };
    ($rev:expr, $mem:expr, $ty:ident, from_6_11) => {
        at!($rev, $mem, $ty, [v6_11, v6_12_14, v6_12_31, v6_13, v6_14, v6_15, v6_17, v7_0, v7_1])
    };
    ($rev:expr, $mem:expr, $ty:ident, from_6_13) => {
        at!($rev, $mem, $ty, [v6_13, v6_14, v6_15, v6_17, v7_0, v7_1])
    };
    ($rev:expr, $mem:expr, $ty:ident, from_6_15) => {
        at!($rev, $mem, $ty, [v6_15, v6_17, v7_0, v7_1])
    };
    ($rev:expr, $mem:expr, $ty:ident, from_6_17) => {
        at!($rev, $mem, $ty, [v6_17, v7_0, v7_1])
    };
    ($rev:expr, $mem:expr, $ty:ident, [$($m:ident),*]) => {
        match $rev {
            $(stringify!($m) => run(iommufd::$m::$ty::copy_from_user($mem, BASE)),)*
            other => panic!("no Rust module {other} wired for {}", stringify!($ty)),
        }
    };
}

/// The generated Rust validator of an iommufd struct (no driver data) at revision `rev`.
pub fn rust_at(name: &str, rev: &str, mem: &Mem) -> (Outcome, Option<&'static str>) {
    match name {
        "iommu_destroy" => at!(rev, mem, IommuDestroy, from_6_2),
        "iommu_ioas_alloc" => at!(rev, mem, IommuIoasAlloc, from_6_2),
        "iommu_ioas_iova_ranges" => at!(rev, mem, IommuIoasIovaRanges, from_6_2),
        "iommu_ioas_allow_iovas" => at!(rev, mem, IommuIoasAllowIovas, from_6_2),
        "iommu_ioas_map" => at!(rev, mem, IommuIoasMap, from_6_2),
        "iommu_ioas_copy" => at!(rev, mem, IommuIoasCopy, from_6_2),
        "iommu_ioas_unmap" => at!(rev, mem, IommuIoasUnmap, from_6_2),
        "iommu_option" => at!(rev, mem, IommuOption, from_6_2),
        "iommu_vfio_ioas" => at!(rev, mem, IommuVfioIoas, from_6_2),
        "iommu_hwpt_alloc" => at!(rev, mem, IommuHwptAlloc, from_6_6),
        "iommu_hw_info" => at!(rev, mem, IommuHwInfo, from_6_6),
        "iommu_hwpt_set_dirty_tracking" => at!(rev, mem, IommuHwptSetDirtyTracking, from_6_7),
        "iommu_hwpt_get_dirty_bitmap" => at!(rev, mem, IommuHwptGetDirtyBitmap, from_6_7),
        "iommu_hwpt_invalidate" => at!(rev, mem, IommuHwptInvalidate, from_6_8),
        "iommu_fault_alloc" => at!(rev, mem, IommuFaultAlloc, from_6_11),
        "iommu_viommu_alloc" => at!(rev, mem, IommuViommuAlloc, from_6_13),
        "iommu_vdevice_alloc" => at!(rev, mem, IommuVdeviceAlloc, from_6_13),
        "iommu_ioas_map_file" => at!(rev, mem, IommuIoasMapFile, from_6_13),
        "iommu_ioas_change_process" => at!(rev, mem, IommuIoasChangeProcess, from_6_13),
        "iommu_veventq_alloc" => at!(rev, mem, IommuVeventqAlloc, from_6_15),
        "iommu_hw_queue_alloc" => at!(rev, mem, IommuHwQueueAlloc, from_6_17),
        other => panic!("no Rust validator wired for {other}@{rev}"),
    }
}

/// The structs the end-to-end tests cover, with the convention each has.
pub const STRUCTS: &[&str] = &[
    "iommu_page_response",
    "iommu_cache_invalidate_info",
    "iommu_gpasid_bind_data",
    "iommu_hwpt_alloc",
    "iommu_hwpt_invalidate",
    "iommu_hw_info",
    "iommu_ioas_map",
    "iommu_hwpt_vtd_s1",
    "iommu_hwpt_vtd_s1_invalidate",
    "iommu_destroy",
    "iommu_ioas_alloc",
    "iommu_ioas_iova_ranges",
    "iommu_ioas_allow_iovas",
    "iommu_ioas_copy",
    "iommu_ioas_unmap",
    "iommu_option",
    "iommu_vfio_ioas",
    "iommu_hwpt_set_dirty_tracking",
    "iommu_hwpt_get_dirty_bitmap",
    "iommu_fault_alloc",
    "iommu_viommu_alloc",
    "iommu_vdevice_alloc",
    "iommu_ioas_map_file",
    "iommu_ioas_change_process",
    "iommu_veventq_alloc",
    "iommu_hw_queue_alloc",
    "vfio_iommu_type1_nesting_op",
];

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The real schemas, loaded and checked.
pub fn families() -> &'static [uapigen::Checked] {
    static F: OnceLock<Vec<uapigen::Checked>> = OnceLock::new();
    F.get_or_init(|| {
        uapigen::load_dir(&repo_root().join("schema")).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// A struct name, optionally with the revision to take it at: `iommu_hwpt_alloc@v6_6`.
pub fn split(name: &str) -> (&str, Option<&str>) {
    match name.split_once('@') {
        Some((n, r)) => (n, Some(r)),
        None => (name, None),
    }
}

/// The revision a (possibly `@rev`) name stands for: the one it names, or else the one
/// `kernel`'s model describes (`kernel::revision`): v5.10 for iommu; v6.8 for iommufd, or the
/// release that added a younger command.
pub fn described_revision(c: &uapigen::Checked, name: &str) -> usize {
    let (base, rev) = split(name);
    let id = rev.unwrap_or_else(|| kernel::revision(base));
    c.history
        .revisions
        .iter()
        .position(|r| r.id == id)
        .expect("described revision")
}

/// The family and layouts of the described revision of a struct, and its id.
pub fn described(
    name: &str,
) -> (
    &'static uapigen::ir::Family,
    &'static uapigen::layout::FamilyLayout,
    StructId,
) {
    let (c, si) = find(name);
    let (fam, layouts) = &c.revisions[described_revision(c, name)];
    (fam, &layouts[0], si)
}

/// A family at one revision, shaped like `uapigen::Checked` (`.family`, `.layouts`).
pub struct View {
    pub family: &'static uapigen::ir::Family,
    pub layouts: &'static [uapigen::layout::FamilyLayout],
}

/// The described revision of a struct's family, and the struct's id.
pub fn view(name: &str) -> (View, StructId) {
    let (c, si) = find(name);
    let (family, layouts) = &c.revisions[described_revision(c, name)];
    (View { family, layouts }, si)
}

/// (family, struct id) of a struct name.
pub fn find(name: &str) -> (&'static uapigen::Checked, StructId) {
    type ByName = HashMap<&'static str, (&'static uapigen::Checked, StructId)>;
    static BY_NAME: OnceLock<ByName> = OnceLock::new();
    let name = split(name).0;
    *BY_NAME
        .get_or_init(|| {
            families()
                .iter()
                .flat_map(|c| {
                    c.family
                        .structs_by_id()
                        .map(move |(si, s)| (s.name.as_str(), (c, si)))
                })
                .collect()
        })
        .get(name)
        .unwrap_or_else(|| panic!("{name} not in the schemas"))
}

/// The revisions (ids) at which a struct exists and is validated.
pub fn revisions_of(name: &str) -> Vec<&'static str> {
    let (c, si) = find(name);
    c.history
        .revisions
        .iter()
        .zip(&c.revisions)
        .filter(|(_, (fam, _))| fam.struct_(si).validation.is_some())
        .map(|(r, _)| r.id.as_str())
        .collect()
}

/// `name@rev` for every iommufd struct of STRUCTS that has no driver-data convention, at every
/// revision it exists in: what the per-revision comparison runs.
pub fn at_every_revision() -> &'static [&'static str] {
    static N: OnceLock<Vec<&'static str>> = OnceLock::new();
    N.get_or_init(|| {
        STRUCTS
            .iter()
            .filter(|n| {
                let (c, si) = find(n);
                c.family.name == "iommufd"
                    && c.family.struct_(si).convention != Some(Convention::UserData)
            })
            .flat_map(|n| {
                revisions_of(n)
                    .into_iter()
                    .map(move |r| &*Box::leak(format!("{n}@{r}").into_boxed_str()))
            })
            .collect()
    })
}

/// The IR interpreter's verdict, as the described revision's kernel.
pub fn interpreted(name: &str, mem: &Mem, ud: UserData) -> Outcome {
    let (fam, layout, si) = described(name);
    let ud = ud.map(|(data_type, len)| uapigen::interpret::UserData { data_type, len });
    uapigen::interpret::copy_from_user(fam, layout, si, mem, BASE, ud).map_err(|r| r.errno)
}

/// One input for the C harness.
pub struct Case {
    pub name: &'static str,
    pub data: Vec<u8>,
    pub readable: usize,
    pub ud: UserData,
}

/// The generated C validators, compiled once with a `UAPI_COPY_FROM_USER` that faults past
/// the readable prefix, fed cases on stdin in one process.
pub struct CHarness {
    exe: PathBuf,
}

/// After uapigen's harness prelude (`uapigen::matrix_c::PRELUDE`): the dispatch.
const HARNESS: &str = r#"
#include <uapigen/iommu_validate.h>
#include <uapigen/iommufd_validate.h>
#include <uapigen/vfio_nesting_validate.h>

/* Each struct at the revision its kernel model describes (kernel::revision). */
#define RUN(S, REV, ...) do { struct S dst; memset(&dst, 0xa5, sizeof(dst)); \
	ret = S##__##REV##_copy_from_user(&dst, __VA_ARGS__); \
	memcpy(out, &dst, sizeof(dst)); outlen = sizeof(dst); } while (0)

static unsigned int nibble(char c)
{
	return c <= '9' ? (unsigned int)(c - '0') : (unsigned int)(c - 'a' + 10);
}

int main(void)
{
	static char line[1 << 16];
	static unsigned char buf[1 << 14];
	unsigned char out[256];

	while (fgets(line, sizeof(line), stdin)) {
		char name[64], hex[1 << 15];
		unsigned long readable, type, len;
		size_t n = 0, outlen = 0, i;
		int ret = 0;

		hex[0] = 0;
		if (sscanf(line, "%63s %lu %lu %lu %32767s", name, &readable, &type, &len, hex) < 4)
			return 2;
		for (i = 0; hex[i] && hex[i + 1] && hex[i] != '-'; i += 2) {
			buf[n++] = (unsigned char)(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
		}
		g_base = buf;
		g_readable = readable < n ? readable : n;
		g_read_end = 0;
		if (0) {
		}
@DISPATCH@
		else return 3;
		{
			/* Bytes of dst still holding the 0xa5 poison: never written. */
			size_t poison = 0;

			for (i = 0; i < outlen; i++)
				poison += out[i] == 0xa5;
			printf("%d %zu %zu ", ret, g_read_end, poison);
		}
		for (i = 0; i < outlen; i++) {
			putchar("0123456789abcdef"[out[i] >> 4]);
			putchar("0123456789abcdef"[out[i] & 15]);
		}
		putchar('\n');
	}
	return 0;
}
"#;

impl CHarness {
    /// Compiled once per test process; a missing C compiler fails the test, never skips it.
    pub fn get() -> &'static CHarness {
        static H: OnceLock<CHarness> = OnceLock::new();
        H.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap().keep();
            let src = dir.join("harness.c");
            let dispatch: String = STRUCTS
                .iter()
                .chain(at_every_revision())
                .map(|n| {
                    let (c, si) = view(n);
                    let ud = c.family.struct_(si).convention == Some(Convention::UserData);
                    let (base, rev) = split(n);
                    format!(
                        "\t\telse if (!strcmp(name, \"{n}\")) RUN({base}, {}, buf{});\n",
                        rev.unwrap_or_else(|| kernel::revision(base)),
                        if ud { ", (__u32)type, (__u32)len" } else { "" }
                    )
                })
                .collect();
            let harness = HARNESS.replace("@DISPATCH@\n", &dispatch);
            std::fs::write(&src, format!("{}{harness}", uapigen::matrix_c::PRELUDE)).unwrap();
            let exe = dir.join("harness");
            let include = repo_root().join("generated/include");
            let out = Command::new("cc")
                .args(["-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror", "-I"])
                .arg(include.join("uapi"))
                .arg("-I")
                .arg(&include)
                .arg(&src)
                .arg("-o")
                .arg(&exe)
                .output()
                .unwrap_or_else(|e| panic!("cannot run cc ({e}): run scripts/setup"));
            assert!(
                out.status.success(),
                "harness does not compile:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            CHarness { exe }
        })
    }

    /// Runs every case; per case the outcome, how far into the buffer C read, and how many
    /// bytes of `*dst` still hold the harness's 0xa5 poison (never written), on any path.
    pub fn run(&self, cases: &[Case]) -> Vec<(Outcome, u64, usize)> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut input = String::new();
        for c in cases {
            use std::fmt::Write as _;
            let (t, l) = c.ud.unwrap_or((0, 0));
            write!(input, "{} {} {t} {l} ", c.name, c.readable).unwrap();
            if c.data.is_empty() {
                input.push('-');
            }
            for b in &c.data {
                input.push(HEX[(b >> 4) as usize] as char);
                input.push(HEX[(b & 15) as usize] as char);
            }
            input.push('\n');
        }
        let mut child = Command::new(&self.exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(out.status.success(), "harness failed: {:?}", out.status);
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), cases.len());
        lines
            .iter()
            .zip(cases)
            .map(|(l, c)| {
                let mut parts = l.split(' ');
                let ret: i32 = parts.next().unwrap().parse().unwrap();
                let read_end: u64 = parts.next().unwrap().parse().unwrap();
                let poison: usize = parts.next().unwrap().parse().unwrap();
                let hex = parts.next().unwrap_or("");
                let nibble = |c: u8| (c as char).to_digit(16).unwrap() as u8;
                let bytes: Vec<u8> = hex
                    .as_bytes()
                    .chunks(2)
                    .map(|p| nibble(p[0]) << 4 | nibble(p[1]))
                    .collect();
                let outcome = if ret == 0 {
                    // Today's struct may be larger than the described revision's; past that
                    // size it must be zero, else the bytes are returned whole and will differ.
                    let (_, layout, si) = described(c.name);
                    let n = layout.struct_(si).size as usize;
                    if bytes.iter().skip(n).all(|b| *b == 0) {
                        Ok(bytes[..n.min(bytes.len())].to_vec())
                    } else {
                        Ok(bytes)
                    }
                } else {
                    Err(Errno::from_negative(ret).unwrap_or_else(|| panic!("C returned {ret}")))
                };
                (outcome, read_end, poison)
            })
            .collect()
    }
}

/// A copy of generated/include (`uapi/linux/` and `uapigen/`) under `dir`, for a test that
/// breaks a generated header on purpose; the copy's include folder.
pub fn copy_generated_include(dir: &Path) -> PathBuf {
    let include = dir.join("include");
    for sub in ["uapi/linux", "uapigen"] {
        std::fs::create_dir_all(include.join(sub)).unwrap();
        for e in std::fs::read_dir(repo_root().join("generated/include").join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, include.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    include
}
