//! Capability chains (codegen/tests/golden/schema/caps.toml, struct vfio_region_info): chains
//! built with the generated builder walk back to what was added; random and mutated buffers
//! never panic and are refused for the reason the mutation makes; and the generated C walker
//! (`uapigen_vfio_region_info_cap_next()`, compiled with cc) gives, case by case, the same
//! capabilities and the same errno at the same offset as the Rust walker; the C builder
//! (`uapigen_vfio_region_info_cap_add()`, `_cap_finish()`) writes the bytes the Rust one does.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use proptest::prelude::*;
use uapigen_golden_features::caps::uapigen_caps::*;
use uapigen_golden_features::caps::*;
use zerocopy::IntoBytes;

const INFO: usize = core::mem::size_of::<VfioRegionInfo>();

/// One capability to add: a type capability, a sparse mmap one with its areas, or one the
/// schema does not know (id 7) with a body of some length.
#[derive(Clone, Debug)]
enum Add {
    Type(u32, u32),
    Sparse(Vec<(u64, u64)>),
    Unknown(u16, Vec<u8>),
}

fn add() -> impl Strategy<Value = Add> {
    prop_oneof![
        (any::<u32>(), any::<u32>()).prop_map(|(t, s)| Add::Type(t, s)),
        proptest::collection::vec((any::<u64>(), any::<u64>()), 0..4).prop_map(Add::Sparse),
        (any::<u16>(), proptest::collection::vec(any::<u8>(), 0..30))
            .prop_map(|(v, b)| Add::Unknown(v, b)),
    ]
}

fn region() -> VfioRegionInfo {
    VfioRegionInfo {
        argsz: 0,
        flags: VFIO_REGION_INFO_FLAG_READ,
        index: 3,
        cap_offset: 0,
        size: 0x1000,
        offset: 0x4000_0000,
    }
}

/// Builds `adds` into a buffer of `argsz` bytes as the kernel answers a caller with that argsz.
fn build(adds: &[Add], argsz: u32) -> (Vec<u8>, Finished, VfioRegionInfo) {
    let mut scratch = vec![0u8; 4096];
    let mut b = Builder::new(VfioRegionInfo::CHAIN, &mut scratch);
    for a in adds {
        match a {
            Add::Type(t, s) => {
                let cap = VfioRegionInfoCapType {
                    header: VfioInfoCapHeader::default(),
                    r#type: *t,
                    subtype: *s,
                };
                b.add_cap(&cap, &[]).unwrap();
            }
            Add::Sparse(areas) => {
                let cap = VfioRegionInfoCapSparseMmap {
                    header: VfioInfoCapHeader::default(),
                    nr_areas: areas.len() as u32,
                    reserved: 0,
                    areas: [],
                };
                let tail: Vec<u8> = areas
                    .iter()
                    .flat_map(|(o, s)| {
                        VfioRegionSparseMmapArea {
                            offset: *o,
                            size: *s,
                        }
                        .as_bytes()
                        .to_vec()
                    })
                    .collect();
                b.add_cap(&cap, &tail).unwrap();
            }
            Add::Unknown(v, body) => {
                let mut cap = vec![0u8; 8];
                cap.extend_from_slice(body);
                b.add(7, *v, &cap).unwrap();
            }
        }
    }
    let mut info = region();
    info.argsz = argsz;
    let mut out = vec![0xa5u8; argsz as usize];
    let done = b.finish(info.as_mut_bytes(), &mut out).unwrap();
    (out, done, info)
}

/// The size a capability takes in the chain: `vfio_info_cap_add()`'s ALIGN(size, sizeof(u64)).
fn cap_size(a: &Add) -> usize {
    let len = match a {
        Add::Type(..) => 16,
        Add::Sparse(areas) => 16 + 16 * areas.len(),
        Add::Unknown(_, body) => 8 + body.len(),
    };
    len.div_ceil(8) * 8
}

/// One line per step of the Rust walker: `cap id version offset len`, `end`, or
/// `err errno offset`; the C harness prints the same.
fn rust_transcript(buf: &[u8]) -> String {
    let mut out = String::new();
    let mut steps = 0;
    let mut ended = false;
    for step in walk::<VfioRegionInfo>(buf) {
        steps += 1;
        assert!(steps <= buf.len() / 8 + 2, "the walk does not end");
        match step {
            Ok(c) => {
                out += &format!(
                    "cap {} {} {} {}\n",
                    c.id,
                    c.version,
                    c.offset,
                    c.bytes.len()
                )
            }
            Err(e) => {
                out += &format!("err {} {}\n", e.errno(), e.offset());
                ended = true;
            }
        }
    }
    if !ended {
        out += "end\n";
    }
    out
}

const HARNESS: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <uapigen/caps_validate.h>

static unsigned char buf[1 << 16], cap[1 << 12], scratch[1 << 12], out[1 << 12];

static int bytes(unsigned char *to, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned int byte;

		if (scanf("%2x", &byte) != 1)
			return -1;
		to[i] = (unsigned char)byte;
	}
	return 0;
}

static void hex(const void *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", ((const unsigned char *)p)[i]);
	printf("\n");
}

int main(void)
{
	char mode[2];

	while (scanf("%1s", mode) == 1) {
		if (mode[0] == 'W') {
			struct uapigen_caps_cap_walk w;
			size_t len;
			int r;

			if (scanf("%zu", &len) != 1 || bytes(buf, len))
				return 2;
			memset(&w, 0, sizeof(w));
			while ((r = uapigen_vfio_region_info_cap_next(buf, len, &w)) == 1)
				printf("cap %u %u %llu %u\n", w.id, w.version, (unsigned long long)w.offset, w.len);
			if (r == 0)
				printf("end\n");
			else
				printf("err %d %llu\n", -r, (unsigned long long)w.offset);
		} else {
			struct uapigen_caps_cap_chain c;
			struct vfio_region_info info;
			unsigned int argsz, n, i;

			memset(&c, 0, sizeof(c));
			c.buf = scratch;
			c.room = sizeof(scratch);
			if (scanf("%u %u", &argsz, &n) != 2 || bytes((unsigned char *)&info, sizeof(info)))
				return 3;
			for (i = 0; i < n; i++) {
				unsigned int id, version;
				size_t len;

				if (scanf("%u %u %zu", &id, &version, &len) != 3 || bytes(cap, len))
					return 4;
				if (uapigen_vfio_region_info_cap_add(&c, (__u16)id, (__u16)version, cap, len) < 0)
					return 5;
			}
			memset(out, 0xa5, argsz);
			printf("%d\n", uapigen_vfio_region_info_cap_finish(&c, &info, out, argsz));
			hex(out, argsz);
			hex(&info, sizeof(info));
		}
		printf("--\n");
	}
	return 0;
}
"#;

fn harness() -> &'static std::path::Path {
    static H: OnceLock<std::path::PathBuf> = OnceLock::new();
    H.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let src = dir.join("caps.c");
        std::fs::write(&src, HARNESS).unwrap();
        let exe = dir.join("caps");
        let include = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../codegen/tests/golden/out/include");
        let out = Command::new("cc")
            .args(["-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-I"])
            .arg(include.join("uapi"))
            .arg("-I")
            .arg(&include)
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .output()
            .unwrap_or_else(|e| panic!("cannot run cc ({e})"));
        assert!(
            out.status.success(),
            "the C walker does not compile:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        exe
    })
}

/// The C walker's transcript of each buffer.
fn c_transcripts(bufs: &[Vec<u8>]) -> Vec<String> {
    run_c(bufs.iter().map(|b| {
        let mut line = format!("W {}", b.len());
        for x in b {
            line += &format!(" {x:02x}");
        }
        line
    }))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The capability's bytes as `build` adds them (id, version and next left to the builder).
fn cap_bytes(a: &Add) -> (u16, u16, Vec<u8>) {
    match a {
        Add::Type(t, st) => {
            let cap = VfioRegionInfoCapType {
                header: VfioInfoCapHeader::default(),
                r#type: *t,
                subtype: *st,
            };
            (VFIO_REGION_INFO_CAP_TYPE as u16, 1, cap.as_bytes().to_vec())
        }
        Add::Sparse(areas) => {
            let mut b = vec![0u8; 16];
            b[8..12].copy_from_slice(&(areas.len() as u32).to_ne_bytes());
            for (o, sz) in areas {
                b.extend_from_slice(&o.to_ne_bytes());
                b.extend_from_slice(&sz.to_ne_bytes());
            }
            (VFIO_REGION_INFO_CAP_SPARSE_MMAP as u16, 1, b)
        }
        Add::Unknown(v, body) => {
            let mut b = vec![0u8; 8];
            b.extend_from_slice(body);
            (7, *v, b)
        }
    }
}

/// The C builder's answer (return, `out`, the info struct) to `adds` with `argsz`.
fn c_build(adds: &[Add], argsz: u32) -> String {
    let mut info = region();
    info.argsz = argsz;
    let mut line = format!("B {argsz} {} ", adds.len());
    line += &hex(info.as_bytes());
    for a in adds {
        let (id, v, b) = cap_bytes(a);
        line += &format!(" {id} {v} {} {}", b.len(), hex(&b));
    }
    run_c(std::iter::once(line)).remove(0)
}

fn run_c(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut input = String::new();
    let mut n = 0;
    for l in lines {
        input += &l;
        input.push('\n');
        n += 1;
    }
    let mut child = Command::new(harness())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Vec<String> = text.split("--\n").map(str::to_string).collect();
    assert_eq!(v.len(), n + 1, "{text}");
    v[..n].to_vec()
}

fn agree(bufs: &[Vec<u8>]) {
    for (b, c) in bufs.iter().zip(c_transcripts(bufs)) {
        assert_eq!(rust_transcript(b), c, "Rust and C differ on {b:02x?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Built then walked: with room, the capabilities come back in order, aligned, each
    /// typed one equal to what was added; without, the kernel's answer (flag set, first offset
    /// 0, argsz the size needed) and a walker asking for that argsz.
    #[test]
    fn built_chains_walk_back(adds in proptest::collection::vec(add(), 0..6), spare in 0u32..64, short in any::<bool>()) {
        let needed = INFO + adds.iter().map(cap_size).sum::<usize>();
        let argsz = if short && needed > INFO { (INFO as u32) + spare % (needed - INFO) as u32 } else { needed as u32 + spare };
        let (out, done, info) = build(&adds, argsz);
        let ret = match done { Finished::NoCaps => 0, Finished::Fits { .. } => 1, Finished::TooSmall { .. } => 2 };
        prop_assert_eq!(c_build(&adds, argsz), format!("{ret}\n{}\n{}\n", hex(&out), hex(info.as_bytes())), "the C builder differs");
        if adds.is_empty() {
            prop_assert_eq!(done, Finished::NoCaps);
            prop_assert_eq!(walk::<VfioRegionInfo>(&out).count(), 0);
            return Ok(());
        }
        prop_assert!(info.flags & VFIO_REGION_INFO_FLAG_CAPS != 0);
        if (argsz as usize) < needed {
            prop_assert_eq!(done, Finished::TooSmall { argsz: needed as u32 });
            prop_assert_eq!((info.argsz, info.cap_offset), (needed as u32, 0));
            prop_assert!(out[INFO..].iter().all(|b| *b == 0xa5), "bytes past the struct untouched");
            let steps: Vec<_> = walk::<VfioRegionInfo>(&out).collect();
            prop_assert_eq!(steps, vec![Err(CapError::NeedArgsz { argsz: needed as u32 })]);
        } else {
            prop_assert_eq!(done, Finished::Fits { len: needed as u32 });
            prop_assert_eq!(info.cap_offset as usize, INFO);
            let caps: Vec<Cap> = walk::<VfioRegionInfo>(&out).collect::<Result<_, _>>().unwrap();
            prop_assert_eq!(caps.len(), adds.len());
            let mut at = INFO;
            for (c, a) in caps.iter().zip(&adds) {
                prop_assert_eq!(c.offset as usize, at);
                prop_assert_eq!(c.offset % 8, 0);
                match a {
                    Add::Type(t, s) => {
                        let got: VfioRegionInfoCapType = c.get().unwrap();
                        prop_assert_eq!((got.r#type, got.subtype), (*t, *s));
                        prop_assert_eq!((got.header.id, got.header.version), (VFIO_REGION_INFO_CAP_TYPE as u16, 1));
                        prop_assert!(c.get::<VfioRegionInfoCapSparseMmap>().is_none());
                    }
                    Add::Sparse(areas) => {
                        let (got, tail) = c.get_with_tail::<VfioRegionInfoCapSparseMmap>().unwrap();
                        prop_assert_eq!(got.nr_areas as usize, areas.len());
                        for (i, (o, s)) in areas.iter().enumerate() {
                            let e = &tail[16 * i..16 + 16 * i];
                            prop_assert_eq!(u64::from_ne_bytes(e[..8].try_into().unwrap()), *o);
                            prop_assert_eq!(u64::from_ne_bytes(e[8..].try_into().unwrap()), *s);
                        }
                    }
                    Add::Unknown(v, body) => {
                        prop_assert_eq!((c.id, c.version), (7, *v));
                        prop_assert_eq!(&c.bytes[8..8 + body.len()], &body[..]);
                    }
                }
                at += cap_size(a);
            }
            let first_type = adds.iter().find_map(|a| match a { Add::Type(t, _) => Some(*t), _ => None });
            let found = find::<VfioRegionInfoCapType>(&out).unwrap().map(|c| c.r#type);
            prop_assert_eq!(found, first_type);
        }
        agree(&[out]);
    }

    /// Random bytes, with the caps flag and a small first offset often set: the walker ends
    /// without a panic in a bounded number of steps, and C agrees.
    #[test]
    fn random_buffers(mut bytes in proptest::collection::vec(any::<u8>(), 0..160), first in 0u32..160, flag in any::<bool>(), argsz in 0u32..200) {
        if bytes.len() >= INFO {
            bytes[0..4].copy_from_slice(&argsz.to_ne_bytes());
            if flag {
                bytes[4] |= VFIO_REGION_INFO_FLAG_CAPS as u8;
                bytes[12..16].copy_from_slice(&first.to_ne_bytes());
            }
        }
        rust_transcript(&bytes);
        agree(&[bytes]);
    }

    /// A valid chain with one mutation is refused for that mutation's reason.
    #[test]
    fn mutations_are_refused_for_their_reason(adds in proptest::collection::vec(add(), 2..5), which in 0usize..5, k in 0usize..8) {
        let needed = INFO + adds.iter().map(cap_size).sum::<usize>();
        let (mut out, _, _) = build(&adds, needed as u32);
        // The offsets of the capabilities.
        let offs: Vec<usize> = adds.iter().scan(INFO, |at, a| { let o = *at; *at += cap_size(a); Some(o) }).collect();
        let last = offs[offs.len() - 1];
        let second = offs[1];
        let put = |out: &mut Vec<u8>, at: usize, v: u32| out[at..at + 4].copy_from_slice(&v.to_ne_bytes());
        let expect = match which {
            // The first capability's next pointing back at itself or the info struct.
            0 => { let to = [INFO, 8, 0x10, INFO - 8][k % 4] as u32; put(&mut out, INFO + 4, to); CapError::Loop { offset: to } }
            // The first offset inside the info struct.
            1 => { let to = 8 * (1 + (k % 3)) as u32; put(&mut out, 12, to); CapError::Overlap { offset: to } }
            // The second capability's offset, as the first's next, off the 8-byte grid.
            2 => { let to = second as u32 + 1 + (k % 7) as u32; put(&mut out, INFO + 4, to); CapError::Misaligned { offset: to } }
            // The buffer cut inside the last capability's header.
            3 => { out.truncate(last + (k % 8)); CapError::PastEnd { offset: last as u32 } }
            // The first capability's next inside its known struct (16 bytes; of an unknown
            // one the walker knows only the header's 8).
            _ => {
                prop_assume!(!matches!(adds[0], Add::Unknown(..))); put(&mut out, INFO + 4, INFO as u32 + 8); CapError::Overlap { offset: INFO as u32 + 8 } }
        };
        let steps: Vec<_> = walk::<VfioRegionInfo>(&out).collect();
        prop_assert_eq!(steps.last().cloned(), Some(Err(expect)), "{:?}", steps);
        agree(&[out]);
    }
}

/// Each error and the errno it carries, once, by hand.
#[test]
fn each_refusal_and_its_errno() {
    let (ok, _, _) = build(&[Add::Type(1, 2), Add::Sparse(vec![(0, 4096)])], 256);
    assert_eq!(walk::<VfioRegionInfo>(&ok).filter(|s| s.is_ok()).count(), 2);
    let short = &ok[..INFO - 1];
    assert_eq!(
        walk::<VfioRegionInfo>(short).next(),
        Some(Err(CapError::Short { len: INFO - 1 }))
    );
    // A known capability cut short: a type capability needs 16 bytes, 12 are there.
    let (cut, _, _) = build(&[Add::Type(1, 2)], 48);
    let steps: Vec<_> = walk::<VfioRegionInfo>(&cut[..INFO + 12]).collect();
    assert_eq!(
        steps,
        vec![Err(CapError::PastEnd {
            offset: INFO as u32
        })]
    );
    let errnos = [
        (CapError::Short { len: 0 }, 22),
        (CapError::NeedArgsz { argsz: 0 }, 28),
        (CapError::Overlap { offset: 0 }, 22),
        (CapError::Loop { offset: 0 }, 40),
        (CapError::Misaligned { offset: 0 }, 22),
        (CapError::PastEnd { offset: 0 }, 75),
    ];
    for (e, n) in errnos {
        assert_eq!(e.errno(), n, "{e:?}");
    }
    // The flag clear: no chain, whatever cap_offset says.
    let mut noflag = ok.clone();
    noflag[4] &= !(VFIO_REGION_INFO_FLAG_CAPS as u8);
    assert_eq!(walk::<VfioRegionInfo>(&noflag).count(), 0);
    agree(&[short.to_vec(), ok, cut[..INFO + 12].to_vec(), noflag]);
}

/// A scratch buffer too small is the builder's -ENOMEM; a capability shorter than its header
/// is refused.
#[test]
fn builder_refusals() {
    let mut scratch = [0u8; 20];
    let mut b = Builder::new(VfioRegionInfo::CHAIN, &mut scratch);
    assert_eq!(b.add(7, 1, &[0; 4]), Err(BuildError::ShortCap { len: 4 }));
    assert_eq!(b.add(7, 1, &[0; 12]), Ok(0));
    assert_eq!(b.add(7, 1, &[0; 8]), Err(BuildError::NoRoom { needed: 24 }));
    assert_eq!(b.size(), 16);
}
