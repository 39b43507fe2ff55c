//! Runs the real-kernel lab (scripts/lab) and reads back what the guest printed: vfio_probe's
//! `CASE` lines (lab/guest/vfio_probe.c gives the format), `SETUP` lines and, on the iommufd
//! kernel, the kernel selftest's TAP output (`SELFTEST` lines).

use std::path::Path;
use std::process::Command;

/// One ioctl the guest sent and what came back (`uapigen matrix --kernel`'s reading of the
/// guest's `CASE` lines): matrix.rs's `Outcome` is `Err(errno)` when `ret < 0`, else `Ok(out)`.
pub use uapigen::lab_matrix::Answer as Case;

/// One run of the lab.
pub struct Lab {
    pub setup: Vec<String>,
    /// vfio_probe's built-in sweep, in order.
    pub builtin: Vec<Case>,
    /// The case file's cases, in order.
    pub file: Vec<Case>,
    /// The selftest's output lines, the `SELFTEST ` prefix removed.
    pub selftest: Vec<String>,
}

impl Lab {
    /// The built-in case of `name` at `argsz` whose u32 at `index.0` is `index.1`.
    pub fn find(&self, name: &str, argsz: u32, index: Option<(usize, u32)>) -> &Case {
        self.builtin
            .iter()
            .find(|c| {
                c.name == name
                    && c.argsz == argsz
                    && index.is_none_or(|(at, i)| c.out.len() >= at + 4 && c.u32_at(at) == i)
            })
            .unwrap_or_else(|| panic!("no lab case {name} argsz={argsz} index={index:?}"))
    }
}

/// User memory at `UserBuf::BASE` the runtime reads and writes, as the probe's buffer in the
/// guest.
pub struct UserBuf(std::cell::RefCell<Vec<u8>>);

impl UserBuf {
    /// The user address of the buffer's first byte.
    pub const BASE: u64 = 0x7f00_0000_1000;

    pub fn new(bytes: Vec<u8>) -> Self {
        UserBuf(std::cell::RefCell::new(bytes))
    }

    /// The bytes as they are now.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.borrow().clone()
    }

    fn offset(addr: u64, i: usize) -> Option<usize> {
        let o = addr.checked_add(i as u64)?.checked_sub(Self::BASE)?;
        usize::try_from(o).ok()
    }
}

impl uapigen_uaccess::UserMemory for UserBuf {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let b = self.0.borrow();
        for (i, d) in dst.iter_mut().enumerate() {
            match Self::offset(addr, i).and_then(|o| b.get(o)) {
                Some(x) => *d = *x,
                None => return dst.len() - i,
            }
        }
        0
    }
}

impl uapigen_uaccess::UserMemoryWrite for UserBuf {
    fn copy_to_user(&self, addr: u64, src: &[u8]) -> usize {
        let mut b = self.0.borrow_mut();
        for (i, s) in src.iter().enumerate() {
            match Self::offset(addr, i).and_then(|o| b.get_mut(o)) {
                Some(slot) => *slot = *s,
                None => return src.len() - i,
            }
        }
        0
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Runs `scripts/lab ARGS` with `cases` (ioctl, user buffer) as its case file. The error says
/// why the lab did not run (scripts/lab's own message included).
pub fn run(args: &[&str], cases: &[(&str, Vec<u8>)]) -> Result<Lab, String> {
    let with: Vec<(&str, Vec<u8>, String)> = cases
        .iter()
        .map(|(n, b)| (*n, b.clone(), String::new()))
        .collect();
    run_patched(args, &with)
}

/// `run` with each case's patches (lab/guest/vfio_probe.c: `OFF=#K.SRC`, `OFF=&N`, space
/// separated), applied in the guest before the call.
pub fn run_patched(args: &[&str], cases: &[(&str, Vec<u8>, String)]) -> Result<Lab, String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let case_file = dir.path().join("cases");
    let out = dir.path().join("results");
    let text: String = cases
        .iter()
        .map(|(n, b, p)| format!("{n} {} {p}\n", hex(b)))
        .collect();
    std::fs::write(&case_file, text).map_err(|e| e.to_string())?;
    let run = Command::new(repo.join("scripts/lab"))
        .args(args)
        .arg("--cases")
        .arg(&case_file)
        .arg("--out")
        .arg(&out)
        .output()
        .map_err(|e| format!("cannot run scripts/lab: {e}"))?;
    if !run.status.success() {
        return Err(format!(
            "scripts/lab {args:?} failed ({}); run scripts/setup first if a tool is missing:\n{}{}",
            run.status,
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    let results = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let lines = |p: &str| -> Vec<String> {
        results
            .lines()
            .filter_map(|l| l.strip_prefix(p))
            .map(String::from)
            .collect()
    };
    let mut all = uapigen::lab_matrix::answers(&results)?;
    if all.len() < cases.len() {
        return Err(format!("only {} cases came back:\n{results}", all.len()));
    }
    let file = all.split_off(all.len() - cases.len());
    Ok(Lab {
        setup: lines("SETUP "),
        builtin: all,
        file,
        selftest: lines("SELFTEST "),
    })
}

/// vfio_probe's DMA cases (its dma_cases()), the same on every kernel the lab boots:
/// MAP_DMA and UNMAP_DMA refuse argsz below minsz (vfio_iommu_type1_map_dma and _unmap_dma:
/// `if (map.argsz < minsz ...) return -EINVAL`), accept minsz and more, a refused unmap leaves
/// the mapping (the next map of its IOVA: EEXIST), and UNMAP_DMA writes back the size it
/// unmapped (one page of the two asked).
pub fn check_dma(lab: &Lab) {
    use uapigen_bindings::vfio::{VfioIommuType1DmaMap as Map, VfioIommuType1DmaUnmap as Unmap};
    const EINVAL: i32 = 22;
    const EEXIST: i32 = 17;
    let dma: Vec<&Case> = lab
        .builtin
        .iter()
        .filter(|c| c.name.contains("_DMA"))
        .collect();
    let got: Vec<(&str, u32, i32)> = dma
        .iter()
        .map(|c| (&c.name["VFIO_IOMMU_".len()..], c.argsz, c.errno))
        .collect();
    let (map, unmap) = (Map::MIN_SIZE as u32, Unmap::MIN_SIZE as u32);
    assert_eq!((map, unmap), (32, 24), "offsetofend(size) of both");
    assert_eq!(
        got,
        vec![
            ("MAP_DMA", 0, EINVAL),
            ("MAP_DMA", map - 1, EINVAL),
            ("MAP_DMA", map, 0),
            ("UNMAP_DMA", unmap, 0),
            ("MAP_DMA", map + 16, 0),
            ("UNMAP_DMA", unmap, 0),
            ("MAP_DMA", map, 0),
            ("UNMAP_DMA", 0, EINVAL),
            ("UNMAP_DMA", unmap - 1, EINVAL),
            ("MAP_DMA", map, EEXIST),
            ("UNMAP_DMA", unmap, 0),
        ]
    );
    let size_at = std::mem::offset_of!(Unmap, size);
    for c in dma
        .iter()
        .filter(|c| c.name.ends_with("UNMAP_DMA") && c.ok())
    {
        let unmapped = u64::from_ne_bytes(c.out[size_at..size_at + 8].try_into().unwrap());
        assert_eq!(unmapped, 4096, "the size UNMAP_DMA wrote back: {c:?}");
    }
}
