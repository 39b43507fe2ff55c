//! Runs the real-kernel lab (scripts/lab) and reads back what the guest printed: vfio_probe's
//! `CASE` lines (lab/guest/vfio_probe.c gives the format), `SETUP` lines and, on the iommufd
//! kernel, the kernel selftest's TAP output (`SELFTEST` lines).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// One ioctl the guest sent and what came back: matrix.rs's `Outcome` is `Err(errno)` when
/// `ret < 0`, else `Ok(out)`.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub argsz: u32,
    pub ret: i32,
    pub errno: i32,
    /// The whole user buffer after the call.
    pub out: Vec<u8>,
}

impl Case {
    pub fn u32_at(&self, at: usize) -> u32 {
        u32::from_ne_bytes(self.out[at..at + 4].try_into().unwrap())
    }
    pub fn ok(&self) -> bool {
        self.ret == 0 && self.errno == 0
    }
}

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

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn parse_case(line: &str) -> Case {
    let mut words = line.split_whitespace();
    assert_eq!(words.next(), Some("CASE"));
    let _n = words.next();
    let name = words.next().expect("CASE line without a name").to_string();
    let kv: BTreeMap<&str, &str> = words.filter_map(|w| w.split_once('=')).collect();
    let num = |k: &str| -> i64 {
        kv.get(k)
            .unwrap_or_else(|| panic!("CASE line without {k}: {line}"))
            .parse()
            .unwrap_or_else(|e| panic!("{k} in {line}: {e}"))
    };
    let out = kv
        .get("out")
        .unwrap_or_else(|| panic!("CASE line without out: {line}"));
    let out = (0..out.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&out[i..i + 2], 16).expect("hex"))
        .collect::<Vec<_>>();
    assert_eq!(out.len() as i64, num("len"), "{line}");
    Case {
        name,
        argsz: num("argsz") as u32,
        ret: num("ret") as i32,
        errno: num("errno") as i32,
        out,
    }
}

/// Runs `scripts/lab ARGS` with `cases` (ioctl, user buffer) as its case file. The error says
/// why the lab did not run (scripts/lab's own message included).
pub fn run(args: &[&str], cases: &[(&str, Vec<u8>)]) -> Result<Lab, String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let case_file = dir.path().join("cases");
    let out = dir.path().join("results");
    let text: String = cases
        .iter()
        .map(|(n, b)| format!("{n} {}\n", hex(b)))
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
    let mut all: Vec<Case> = results
        .lines()
        .filter(|l| l.starts_with("CASE "))
        .map(parse_case)
        .collect();
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
