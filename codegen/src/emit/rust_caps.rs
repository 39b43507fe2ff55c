//! The Rust of a family's capability chains (`caps`, `capability`): a module
//! `uapigen_caps` (a name no schema may give) with a walker over the bytes an info ioctl
//! returned, a builder that lays a chain out as the kernel does, and per chain the numbers
//! both read. The walker and builder are one generic engine per family, driven by each
//! chain's `ChainLayout`, so that the C walker (`c_caps.rs`) mirrors one piece of code.
//!
//! Plain text: the module is `rustfmt::skip`'d with the rest of the family's.

use crate::emit::rust::type_ident;
use crate::model::caps::Chain;
use crate::model::Model;

/// The engine, the same for every family (it names nothing of the schema), laid out as
/// prettyplease lays it out (tests/rust_layout.rs): no blank lines, no plain comments. Where
/// its checks come from is in the docs of `CapError` and `Builder`: `NeedArgsz` is
/// vfio_pci_core.c's too-small argsz, the alignment `vfio_info_cap_add()`'s.
const ENGINE: &str = r#"    /// Where an info struct keeps its capability chain and where the chain's header keeps
    /// id, version and next, in bytes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct ChainLayout {
        /// `sizeof` the info struct: the kernel puts the first capability there.
        pub info_size: u32,
        /// Offset of the info struct's `__u32 argsz`.
        pub argsz_offset: u32,
        /// Offset of the info struct's `__u32` flags member.
        pub flags_offset: u32,
        /// The bits of the flags saying the struct supports a chain.
        pub flag: u32,
        /// Offset of the info struct's `__u32` first-capability offset.
        pub cap_offset_offset: u32,
        /// `sizeof` the header.
        pub header_size: u32,
        /// Offset of the header's `__u16` id.
        pub id_offset: u32,
        /// Offset of the header's `__u16` version.
        pub version_offset: u32,
        /// Offset of the header's `__u32` next.
        pub next_offset: u32,
        /// The kernel rounds each capability up to it (the builder does too).
        pub align: u32,
        /// Every capability's offset is a multiple of it in every revision (older kernels
        /// rounded less): what the walker checks.
        pub walk_align: u32,
        /// `(id, version, sizeof)` of each capability struct the schema knows.
        pub known: &'static [(u16, u16, u32)],
    }
    impl ChainLayout {
        /// The bytes a capability with this id and version needs: its struct's `sizeof`
        /// when it is a known one, else the header's.
        pub fn needs(&self, id: u16, version: u16) -> u32 {
            let mut i = 0;
            while i < self.known.len() {
                let (k, v, size) = self.known[i];
                if k == id && v == version {
                    return size;
                }
                i += 1;
            }
            self.header_size
        }
    }
    /// An info struct that the kernel follows with a capability chain.
    pub trait Chained {
        /// Its chain's layout.
        const CHAIN: ChainLayout;
    }
    /// A capability struct of `Of`'s chain.
    pub trait Capability: ::zerocopy::FromBytes + ::zerocopy::IntoBytes + ::zerocopy::Immutable + Sized {
        /// The info struct whose chain holds it.
        type Of: Chained;
        /// Its id in the header.
        const ID: u16;
        /// Its version in the header.
        const VERSION: u16;
    }
    /// Why a chain was refused; each has the errno the C walker returns for it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum CapError {
        /// The buffer is shorter than the info struct (EINVAL).
        Short {
            /// The buffer's length.
            len: usize,
        },
        /// The kernel set the caps flag but left the first offset 0 and argsz larger than
        /// the buffer: the chain did not fit, call again with `argsz` bytes (ENOSPC).
        NeedArgsz {
            /// The size the kernel asked for.
            argsz: u32,
        },
        /// A capability starts inside the info struct or the capability before it (EINVAL).
        Overlap {
            /// Its offset.
            offset: u32,
        },
        /// A next offset points back to its own capability or before it (ELOOP).
        Loop {
            /// The offset it points to.
            offset: u32,
        },
        /// A capability's offset is not a multiple of the chain's alignment (EINVAL).
        Misaligned {
            /// Its offset.
            offset: u32,
        },
        /// A capability's header, or its known struct, runs past the buffer (EOVERFLOW).
        PastEnd {
            /// Its offset.
            offset: u32,
        },
    }
    impl CapError {
        /// The errno the C walker returns, negated there (Linux's numbers).
        pub fn errno(self) -> i32 {
            match self {
                CapError::Short { .. }
                | CapError::Overlap { .. }
                | CapError::Misaligned { .. } => 22,
                CapError::NeedArgsz { .. } => 28,
                CapError::Loop { .. } => 40,
                CapError::PastEnd { .. } => 75,
            }
        }
        /// The offset (the buffer's length for `Short`, argsz for `NeedArgsz`) the C
        /// walker reports with it.
        pub fn offset(self) -> u64 {
            match self {
                CapError::Short { len } => len as u64,
                CapError::NeedArgsz { argsz } => argsz as u64,
                CapError::Overlap { offset }
                | CapError::Loop { offset }
                | CapError::Misaligned { offset }
                | CapError::PastEnd { offset } => offset as u64,
            }
        }
    }
    /// One capability of a chain.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Cap<'a> {
        /// The header's id.
        pub id: u16,
        /// The header's version.
        pub version: u16,
        /// Its offset from the start of the info struct.
        pub offset: u32,
        /// Its bytes, header included: up to the next capability, or to the buffer's end.
        pub bytes: &'a [u8],
    }
    impl<'a> Cap<'a> {
        /// The capability struct `C`, by copy, when this is its id and version.
        pub fn get<C: Capability>(&self) -> Option<C> {
            self.get_with_tail().map(|(c, _)| c)
        }
        /// The capability struct `C`, by copy, and the bytes after it (a flexible array's
        /// elements, as many as the struct says), when this is its id and version.
        pub fn get_with_tail<C: Capability>(&self) -> Option<(C, &'a [u8])> {
            if self.id != C::ID || self.version != C::VERSION {
                return None;
            }
            C::read_from_prefix(self.bytes).ok()
        }
    }
    fn read_u16(buf: &[u8], at: u64) -> u16 {
        let at = at as usize;
        u16::from_ne_bytes([buf[at], buf[at + 1]])
    }
    fn read_u32(buf: &[u8], at: u64) -> u32 {
        let at = at as usize;
        u32::from_ne_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
    }
    fn write_u32(buf: &mut [u8], at: usize, v: u32) {
        buf[at..at + 4].copy_from_slice(&v.to_ne_bytes());
    }
    /// Walks a chain in the bytes an info ioctl returned: the info struct, then its chain.
    /// Every offset is checked before it is read, and each capability must start past the
    /// one before it, so a walk ends after at most `len / header_size` steps. The first
    /// error ends it.
    #[derive(Clone, Debug)]
    pub struct Walker<'a> {
        chain: ChainLayout,
        buf: &'a [u8],
        /// The current capability's offset; 0 before the first.
        at: u32,
        /// Where the current capability's header or known struct ends.
        end: u64,
        done: bool,
    }
    impl<'a> Walker<'a> {
        /// A walk of `buf` by `chain`.
        pub fn new(chain: ChainLayout, buf: &'a [u8]) -> Self {
            Walker {
                chain,
                buf,
                at: 0,
                end: 0,
                done: false,
            }
        }
        fn step(&mut self) -> Result<Option<Cap<'a>>, CapError> {
            let c = self.chain;
            let len = self.buf.len() as u64;
            let (offset, floor) = if self.at == 0 {
                if len < c.info_size as u64 {
                    return Err(CapError::Short {
                        len: self.buf.len(),
                    });
                }
                if read_u32(self.buf, c.flags_offset as u64) & c.flag == 0 {
                    return Ok(None);
                }
                let first = read_u32(self.buf, c.cap_offset_offset as u64);
                if first == 0 {
                    let argsz = read_u32(self.buf, c.argsz_offset as u64);
                    if argsz as u64 > len {
                        return Err(CapError::NeedArgsz { argsz });
                    }
                    return Ok(None);
                }
                (first, c.info_size as u64)
            } else {
                let next = read_u32(self.buf, self.at as u64 + c.next_offset as u64);
                if next == 0 {
                    return Ok(None);
                }
                if next <= self.at {
                    return Err(CapError::Loop { offset: next });
                }
                (next, self.end)
            };
            if (offset as u64) < floor {
                return Err(CapError::Overlap { offset });
            }
            if offset % c.walk_align != 0 {
                return Err(CapError::Misaligned { offset });
            }
            if offset as u64 + c.header_size as u64 > len {
                return Err(CapError::PastEnd { offset });
            }
            let at = offset as u64;
            let id = read_u16(self.buf, at + c.id_offset as u64);
            let version = read_u16(self.buf, at + c.version_offset as u64);
            let next = read_u32(self.buf, at + c.next_offset as u64);
            let end = at + c.needs(id, version) as u64;
            if end > len {
                return Err(CapError::PastEnd { offset });
            }
            let stop = if next > offset && next as u64 <= len {
                next as u64
            } else {
                len
            };
            self.at = offset;
            self.end = end;
            Ok(
                Some(Cap {
                    id,
                    version,
                    offset,
                    bytes: &self.buf[at as usize..stop as usize],
                }),
            )
        }
    }
    impl<'a> Iterator for Walker<'a> {
        type Item = Result<Cap<'a>, CapError>;
        fn next(&mut self) -> Option<Self::Item> {
            if self.done {
                return None;
            }
            match self.step() {
                Ok(Some(cap)) => Some(Ok(cap)),
                Ok(None) => {
                    self.done = true;
                    None
                }
                Err(e) => {
                    self.done = true;
                    Some(Err(e))
                }
            }
        }
    }
    /// Walks the chain of info struct `I` in `buf` (the info struct, then its chain, as
    /// many bytes as its argsz).
    pub fn walk<I: Chained>(buf: &[u8]) -> Walker<'_> {
        Walker::new(I::CHAIN, buf)
    }
    /// The first capability `C` in `buf`'s chain, by copy; a refused chain's error if it
    /// comes before one.
    pub fn find<C: Capability>(buf: &[u8]) -> Result<Option<C>, CapError> {
        for cap in walk::<C::Of>(buf) {
            if let Some(c) = cap?.get::<C>() {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }
    /// Why the builder could not go on.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum BuildError {
        /// The scratch buffer cannot hold the capability (where the kernel's krealloc in
        /// `vfio_info_cap_add()` fails with -ENOMEM).
        NoRoom {
            /// The scratch size the chain would need.
            needed: usize,
        },
        /// A capability shorter than the header.
        ShortCap {
            /// Its length.
            len: usize,
        },
        /// `info` is not the info struct's size, or `out` is shorter than the caller's argsz.
        ShortOut {
            /// The length given.
            len: usize,
        },
    }
    /// What `Builder::finish` wrote, as the kernel's info ioctls do.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Finished {
        /// No capability: the info struct alone, flag and first offset untouched.
        NoCaps,
        /// The chain fits argsz: it follows the info struct, whose first offset points at it
        /// and whose flag is set; `len` bytes written.
        Fits {
            /// The info struct and the chain.
            len: u32,
        },
        /// The chain does not fit argsz: the info struct alone, with the flag set, the
        /// first offset 0 and argsz the size needed.
        TooSmall {
            /// The size the chain needs.
            argsz: u32,
        },
    }
    /// Lays a chain out as `vfio_info_cap_add()` does (drivers/vfio/vfio_main.c): each
    /// capability appended, its size rounded up to the chain's alignment and zero-filled,
    /// the previous one's next pointing at it, offsets from the chain's start until
    /// `finish` moves them behind the info struct as `vfio_info_cap_shift()` does.
    #[derive(Debug)]
    pub struct Builder<'a> {
        chain: ChainLayout,
        scratch: &'a mut [u8],
        size: usize,
        last: Option<usize>,
    }
    impl<'a> Builder<'a> {
        /// An empty chain for `chain`, kept in `scratch` (the kernel's `vfio_info_cap`).
        pub fn new(chain: ChainLayout, scratch: &'a mut [u8]) -> Self {
            Builder {
                chain,
                scratch,
                size: 0,
                last: None,
            }
        }
        /// The chain's size so far (`vfio_info_cap.size`).
        pub fn size(&self) -> usize {
            self.size
        }
        /// Appends a capability of the bytes `parts` (the header's first, whose id, version
        /// and next are written here); returns its offset in the chain.
        pub fn add_parts(
            &mut self,
            id: u16,
            version: u16,
            parts: &[&[u8]],
        ) -> Result<usize, BuildError> {
            let c = self.chain;
            let len: usize = parts.iter().map(|p| p.len()).sum();
            if len < c.header_size as usize {
                return Err(BuildError::ShortCap { len });
            }
            let align = c.align as usize;
            let size = len.div_ceil(align) * align;
            let at = self.size;
            if self.scratch.len() < at + size {
                return Err(BuildError::NoRoom {
                    needed: at + size,
                });
            }
            let mut p = at;
            for part in parts {
                self.scratch[p..p + part.len()].copy_from_slice(part);
                p += part.len();
            }
            self.scratch[p..at + size].fill(0);
            let id_at = at + c.id_offset as usize;
            self.scratch[id_at..id_at + 2].copy_from_slice(&id.to_ne_bytes());
            let version_at = at + c.version_offset as usize;
            self.scratch[version_at..version_at + 2]
                .copy_from_slice(&version.to_ne_bytes());
            write_u32(self.scratch, at + c.next_offset as usize, 0);
            if let Some(last) = self.last {
                write_u32(self.scratch, last + c.next_offset as usize, at as u32);
            }
            self.last = Some(at);
            self.size = at + size;
            Ok(at)
        }
        /// Appends the raw capability `cap`.
        pub fn add(
            &mut self,
            id: u16,
            version: u16,
            cap: &[u8],
        ) -> Result<usize, BuildError> {
            self.add_parts(id, version, &[cap])
        }
        /// Appends capability `C`, then `tail` (a flexible array's elements).
        pub fn add_cap<C: Capability>(
            &mut self,
            cap: &C,
            tail: &[u8],
        ) -> Result<usize, BuildError> {
            self.add_parts(C::ID, C::VERSION, &[cap.as_bytes(), tail])
        }
        /// Writes the info struct `info` (its bytes, argsz the caller's) and the chain into
        /// the caller's buffer `out`, as vfio_pci_core.c's VFIO_DEVICE_GET_REGION_INFO does:
        /// no capability, the struct alone; a chain that fits argsz follows the struct, the
        /// flag set and the first offset `sizeof` the struct; one that does not leaves the
        /// bytes past the struct alone, sets the flag, the first offset 0 and argsz to the
        /// size needed. `info` is updated as it is written; at most argsz bytes of it are.
        pub fn finish(
            &self,
            info: &mut [u8],
            out: &mut [u8],
        ) -> Result<Finished, BuildError> {
            let c = self.chain;
            let info_size = c.info_size as usize;
            if info.len() != info_size {
                return Err(BuildError::ShortOut {
                    len: info.len(),
                });
            }
            let argsz = read_u32(info, c.argsz_offset as u64) as usize;
            if out.len() < argsz {
                return Err(BuildError::ShortOut {
                    len: out.len(),
                });
            }
            let done = if self.size == 0 {
                Finished::NoCaps
            } else {
                let flags = read_u32(info, c.flags_offset as u64) | c.flag;
                write_u32(info, c.flags_offset as usize, flags);
                let needed = info_size + self.size;
                if argsz < needed {
                    write_u32(info, c.argsz_offset as usize, needed as u32);
                    write_u32(info, c.cap_offset_offset as usize, 0);
                    Finished::TooSmall {
                        argsz: needed as u32,
                    }
                } else {
                    out[info_size..needed].copy_from_slice(&self.scratch[..self.size]);
                    let mut at = 0;
                    loop {
                        let next_at = info_size + at + c.next_offset as usize;
                        let next = read_u32(out, next_at as u64) as usize;
                        if next == 0 {
                            break;
                        }
                        write_u32(out, next_at, (next + info_size) as u32);
                        at = next;
                    }
                    write_u32(info, c.cap_offset_offset as usize, info_size as u32);
                    Finished::Fits {
                        len: needed as u32,
                    }
                }
            };
            let n = argsz.min(info_size);
            out[..n].copy_from_slice(&info[..n]);
            Ok(done)
        }
    }
"#;

/// The family's `uapigen_caps` module, or nothing when it has no chain.
pub fn emit(model: &Model) -> String {
    if model.caps.is_empty() {
        return String::new();
    }
    let family = &model.family;
    let mut out = String::new();
    out.push_str(
        "/// Capability chains of this family's info structs (VFIO's `cap_offset`): a walker\n\
         /// over the bytes an info ioctl returned and a builder laying a chain out as the\n\
         /// kernel does.\n\
         pub mod uapigen_caps {\n    use super::*;\n",
    );
    out.push_str(ENGINE);
    for chain in &model.caps {
        out.push_str(&chain_impls(family, chain));
    }
    out.push_str("}\n");
    out
}

/// A constant's value in a `u16`/`u32` context: its name when the schema gave one (the
/// family's constant, whatever its Rust type), else the number.
fn value(v: &crate::ir::ValueRef, ty: &str) -> String {
    match &v.name {
        Some(n) => format!("{} as {ty}", crate::emit::rust::ident(n)),
        None => format!("{}", v.value),
    }
}

/// `&[a, b]` on one line when it fits prettyplease's margin (89 columns up to the `]`, at
/// the field's indentation of 12), else one element a line, as prettyplease breaks an array.
fn known_list(known: &[String]) -> String {
    let one = format!("&[{}]", known.join(", "));
    if 12 + "known: ".len() + one.len() <= 89 {
        return one;
    }
    let mut out = String::from("&[\n");
    for k in known {
        out.push_str(&format!("                {k},\n"));
    }
    out.push_str("            ]");
    out
}

fn chain_impls(family: &crate::ir::Family, c: &Chain) -> String {
    let info = family.struct_(c.info);
    let ty = type_ident(&info.name);
    let known: Vec<String> = c
        .known
        .iter()
        .map(|k| format!("({}, {}, {})", value(&k.id, "u16"), k.version, k.size))
        .collect();
    let mut out = format!(
        "    /// `struct {}`'s chain of `struct {}`s.\n    impl Chained for {ty} {{\n        const CHAIN: ChainLayout = ChainLayout {{\n\
         \x20           info_size: {},\n            argsz_offset: {},\n            flags_offset: {},\n            flag: {},\n\
         \x20           cap_offset_offset: {},\n            header_size: {},\n            id_offset: {},\n            version_offset: {},\n\
         \x20           next_offset: {},\n            align: {},\n            walk_align: {},\n            known: {},\n        }};\n    }}\n",
        info.name,
        family.struct_(c.header).name,
        c.info_size,
        c.argsz_offset,
        c.flags_offset,
        value(&c.flag, "u32"),
        c.cap_offset_offset,
        c.header_size,
        c.id_offset,
        c.version_offset,
        c.next_offset,
        c.align,
        c.walk_align,
        known_list(&known),
    );
    for k in &c.known {
        let cap = family.struct_(k.cap);
        out.push_str(&format!(
            "    /// Capability `{}` version {} of `struct {}`'s chain.\n    impl Capability for {} {{\n        type Of = {ty};\n        const ID: u16 = {};\n        const VERSION: u16 = {};\n    }}\n",
            k.id.text(),
            k.version,
            info.name,
            type_ident(&cap.name),
            value(&k.id, "u16"),
            k.version,
        ));
    }
    out
}
