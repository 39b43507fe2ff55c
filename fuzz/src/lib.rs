//! What the fuzz targets share: the table of validated (struct, revision) pairs of the
//! repository's schemas, the schemas loaded once, a user memory that faults where the input
//! says, and a reader that splits the fuzzer's bytes into the parameters of one call.

use std::cell::Cell;
use std::sync::OnceLock;

use uapigen_uaccess::{UserMemory, UserMemoryWrite};

/// One validated struct at one revision: the validators every implementation has for it.
#[derive(Debug)]
pub struct Pair {
    /// The family's name (its module in the generated crate).
    pub family: &'static str,
    /// The struct.
    pub name: &'static str,
    /// The struct in the family.
    pub si: uapigen::model::StructId,
    /// The revision.
    pub rev: uapigen::model::RevId,
    /// Driver data: its type and length come from the command.
    pub user_data: bool,
    /// Driver data: the type constant the struct is.
    pub data_type: u32,
}

include!(concat!(env!("OUT_DIR"), "/pairs.rs"));

/// The repository's schemas, loaded and checked once per process.
pub fn families() -> &'static [uapigen::Checked] {
    static F: OnceLock<Vec<uapigen::Checked>> = OnceLock::new();
    F.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
        uapigen::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The family called `name`.
pub fn family(name: &str) -> &'static uapigen::Checked {
    families()
        .iter()
        .find(|c| c.family.name == name)
        .expect("the table names a loaded family")
}

/// Where user buffers start in the fake address space.
pub const USER: u64 = 0x7f00_0000_0000;

/// User memory: `data[..readable]` at [`USER`]; every other address faults, both ways. The
/// furthest byte read is recorded.
pub struct FaultMem {
    data: std::cell::RefCell<Vec<u8>>,
    readable: usize,
    hole: Option<usize>,
    read_end: Cell<u64>,
}

impl FaultMem {
    /// `data`, of which the first `readable` bytes are mapped.
    pub fn new(data: &[u8], readable: usize) -> FaultMem {
        FaultMem::with_hole(data, readable, None)
    }

    /// Like [`FaultMem::new`], with byte `hole` faulting too.
    pub fn with_hole(data: &[u8], readable: usize, hole: Option<usize>) -> FaultMem {
        FaultMem {
            data: std::cell::RefCell::new(data.to_vec()),
            readable: readable.min(data.len()),
            hole,
            read_end: Cell::new(0),
        }
    }

    /// The furthest offset from [`USER`] read since the last call, plus one.
    pub fn take_read_end(&self) -> u64 {
        self.read_end.replace(0)
    }

    /// How many bytes from `addr` (at most `len`) can be accessed before a fault.
    fn span(&self, addr: u64, len: usize) -> usize {
        let Some(off) = addr.checked_sub(USER).filter(|o| *o <= self.readable as u64) else {
            return 0;
        };
        let off = off as usize;
        let n = len.min(self.readable - off);
        match self.hole {
            Some(h) if h >= off && h < off + n => h - off,
            _ => n,
        }
    }
}

impl UserMemory for FaultMem {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let n = self.span(addr, dst.len());
        if n > 0 {
            let off = (addr - USER) as usize;
            dst[..n].copy_from_slice(&self.data.borrow()[off..off + n]);
            self.read_end
                .set(self.read_end.get().max(off as u64 + n as u64));
        }
        dst.len() - n
    }
}

impl UserMemoryWrite for FaultMem {
    fn copy_to_user(&self, addr: u64, src: &[u8]) -> usize {
        let n = self.span(addr, src.len());
        if n > 0 {
            let off = (addr - USER) as usize;
            self.data.borrow_mut()[off..off + n].copy_from_slice(&src[..n]);
        }
        src.len() - n
    }
}

/// The fuzzer's bytes, read front to back; past the end every read gives zeros.
pub struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    /// Reads from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Input { bytes }
    }

    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        let n = N.min(self.bytes.len());
        b[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        b
    }

    /// One byte.
    pub fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }

    /// A little-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }

    /// A little-endian u32.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }

    /// A little-endian u64.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }

    /// `n` bytes (fewer at the end).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.bytes.len());
        let (a, b) = self.bytes.split_at(n);
        self.bytes = b;
        a
    }

    /// How many bytes are left.
    pub fn rest_len(&self) -> usize {
        self.bytes.len()
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.bytes)
    }
}

/// One call of the runtime or the C ABI, as the `runtime` and `capi` targets read it: a fixed
/// 17 bytes of the input, so a short input still makes several calls.
pub struct Call {
    /// Which entry point (and, in the high bits, `capi`'s null handle/pointer choices).
    pub kind: u8,
    /// Where the argument is, from the start of the user memory.
    pub off: u16,
    /// Small arguments: a command index, an object id, a flag.
    pub a: u8,
    /// A second small argument.
    pub b: u8,
    /// A 32-bit argument (a PASID).
    pub w: u32,
    /// A 64-bit argument (an IOVA, or any address).
    pub q: u64,
}

impl Call {
    /// The calls at the head of `inp`: a count byte (1 to 16 calls), then the calls.
    pub fn read_all(inp: &mut Input<'_>) -> Vec<Call> {
        (0..inp.u8() % 16 + 1)
            .map(|_| Call {
                kind: inp.u8(),
                off: inp.u16(),
                a: inp.u8(),
                b: inp.u8(),
                w: inp.u32(),
                q: inp.u64(),
            })
            .collect()
    }
}

/// One validator call decoded from the fuzzer's bytes: which (struct, revision), the user's
/// bytes and how many of them are mapped, and driver data's (type, length).
pub struct ValidatorCase<'a> {
    /// Its index in [`PAIRS`].
    pub index: usize,
    /// The (struct, revision).
    pub pair: &'static Pair,
    /// The user's bytes at [`USER`].
    pub user: &'a [u8],
    /// How many of them are readable; the rest fault.
    pub readable: usize,
    /// Driver data's (type, length) from the command.
    pub user_data: (u32, u32),
}

impl<'a> ValidatorCase<'a> {
    /// Layout: pair index, a mode byte (bit 0: the struct's own data type, bit 1: the length
    /// is the bytes given, bit 2: everything readable), the readable count, type, length, bytes.
    pub fn from_bytes(data: &'a [u8]) -> ValidatorCase<'a> {
        let mut inp = Input::new(data);
        let index = inp.u8() as usize % PAIRS.len();
        let pair = &PAIRS[index];
        let mode = inp.u8();
        let readable = inp.u16() as usize;
        let t = inp.u32();
        let l = inp.u32();
        let user = inp.rest();
        ValidatorCase {
            index,
            pair,
            user,
            readable: if mode & 4 != 0 { user.len() } else { readable.min(user.len()) },
            user_data: (
                if mode & 1 != 0 { pair.data_type } else { t },
                if mode & 2 != 0 { user.len() as u32 } else { l },
            ),
        }
    }

    /// The interpreter's verdict, as the revision's kernel: the bytes it holds, or the errno;
    /// and how far it read.
    pub fn interpreted(&self) -> (Result<Vec<u8>, uapigen_uaccess::Errno>, u64) {
        let c = family(self.pair.family);
        let view = c.rev(self.pair.rev);
        let (fam, layouts) = (view.family(), view.layouts());
        let mem = FaultMem::new(self.user, self.readable);
        let ud = self.pair.user_data.then_some(uapigen::interpret::UserData {
            data_type: self.user_data.0,
            len: self.user_data.1,
        });
        let r = uapigen::interpret::copy_from_user(fam, &layouts[0], self.pair.si, &mem, USER, ud)
            .map_err(|r| r.errno);
        (r, mem.take_read_end())
    }

    /// The generated Rust validator's verdict: the bytes of the revision's struct, or the
    /// errno; and how far it read.
    pub fn rust(&self) -> (Result<Vec<u8>, uapigen_uaccess::Errno>, u64) {
        let mem = FaultMem::new(self.user, self.readable);
        let mut dst = vec![0u8; self.today_size()];
        let r = rust_copy_by_name(
            self.pair.family,
            self.pair.name,
            // The generated dispatcher takes the revision's index.
            self.pair.rev.0,
            &mem,
            USER,
            self.user_data,
            &mut dst,
        )
        .expect("the generated crate has every pair of the table");
        let r = r.map(|n| dst[..n].to_vec()).map_err(|e| e.errno);
        (r, mem.take_read_end())
    }

    /// sizeof the struct today (the latest revision).
    pub fn today_size(&self) -> usize {
        family(self.pair.family).layouts[0]
            .struct_(self.pair.si)
            .size as usize
    }
}
