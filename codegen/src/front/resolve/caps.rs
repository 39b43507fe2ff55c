//! `caps` and `capability`: VFIO's capability chains. An info ioctl (VFIO_DEVICE_GET_INFO,
//! VFIO_DEVICE_GET_REGION_INFO, VFIO_IOMMU_GET_INFO) returns its struct followed by a chain
//! the kernel builds with `vfio_info_cap_add()` and moves behind the struct with
//! `vfio_info_cap_shift()` (drivers/vfio/vfio_main.c). Resolved after every struct and
//! constant is known, since a chain's header and its capabilities may be listed on either
//! side of the info struct.

use super::*;

/// The raw keys of one struct, taken out before the struct is resolved.
pub(super) type Pending = (
    StructId,
    Option<Box<S<RawCaps>>>,
    Option<Box<S<RawCapability>>>,
);

impl Resolver {
    pub(super) fn caps(&mut self, family: &mut Family, pending: Vec<Pending>) {
        for (si, caps, _) in &pending {
            if let Some(c) = caps {
                let chain = self.chain(family, *si, c);
                family.struct_mut(*si).caps = chain;
            }
        }
        // (chain, id, version) → where the first capability with them is written.
        let mut seen: FxMap<(StructId, u64, u16), Span> = FxMap::default();
        for (si, _, capability) in &pending {
            if let Some(c) = capability {
                let cap = self.capability(family, *si, c, &mut seen);
                family.struct_mut(*si).capability = cap;
            }
        }
    }

    /// A top-level, named, non-array member of `fields` that is a `__u32`; `role` says what
    /// it is for in the message.
    fn u32_member(
        &mut self,
        fields: &[Field],
        owner: &str,
        name: &str,
        span: Span,
        role: &str,
        scalar: Scalar,
    ) -> Option<usize> {
        let Some(i) = fields.iter().position(|f| f.name.as_deref() == Some(name)) else {
            self.error(
                span,
                format!("struct `{owner}` has no member `{name}` ({role})"),
            );
            return None;
        };
        let f = &fields[i];
        // The chain's emitters read the latest revision's layout, where it must be.
        if !f.until.is_empty() {
            self.error(
                span,
                format!("`{owner}.{name}` ({role}) no longer exists in the latest revision"),
            );
            return None;
        }
        if !matches!(f.ty, FieldType::Scalar(s) if s == scalar) || f.is_array() {
            self.error(
                span,
                format!(
                    "`{owner}.{name}` ({role}) must be a {}, as the kernel reads it",
                    scalar.c_name()
                ),
            );
            return None;
        }
        Some(i)
    }

    /// Whether `st`'s latest layout is an acknowledged ABI trap: the Rust chain's numbers
    /// are the latest revision's x86-64 layout, right on every ABI only when that layout is
    /// one (a trap fixed since, as vfio_region_info's v6.1 plain `__u64`s, is no matter).
    fn trapped_now(&self, st: &Struct) -> bool {
        let latest = RevId(self.revisions.len().saturating_sub(1));
        st.abi_trap
            .as_ref()
            .is_some_and(|t| t.revisions.contains(&latest))
    }

    fn abi_trap_refused(&mut self, span: Span, name: &str) {
        self.error_note(
            span,
            format!(
                "struct `{name}` of a capability chain has an abi_trap in the latest revision"
            ),
            "a chain's structs must have one layout on every ABI now: its walkers read their offsets; leave such a capability out, it is walked by its header",
        );
    }

    fn chain(&mut self, family: &Family, si: StructId, raw: &S<RawCaps>) -> Option<CapChain> {
        let st = family.struct_(si);
        let name = st.name.clone();
        let c = raw.get_ref();
        let mut ok = true;
        // The kernel sets argsz to the size the chain needs when the caller's is too small
        // (vfio_pci_core.c, VFIO_DEVICE_GET_REGION_INFO): a chain belongs to an argsz struct.
        if st.convention != Some(Convention::Argsz) {
            self.error_note(
                raw.span(),
                format!("struct `{name}` has caps but not `convention = \"argsz\"`"),
                "the kernel reports the size a chain needs in argsz when the caller's is too small",
            );
            ok = false;
        }
        if self.trapped_now(st) {
            self.abi_trap_refused(raw.span(), &name);
            ok = false;
        }
        let fields = st.fields.clone();
        let offset = self.u32_member(
            &fields,
            &name,
            c.offset.get_ref(),
            c.offset.span(),
            "caps.offset, the first capability's offset",
            Scalar::U32,
        );
        let (flags_name, flags_span) = match &c.flags {
            Some(f) => (f.get_ref().clone(), f.span()),
            None => ("flags".to_string(), raw.span()),
        };
        let flags = self.u32_member(
            &fields,
            &name,
            &flags_name,
            flags_span,
            "caps.flags, the member the caps flag is a bit of",
            Scalar::U32,
        );
        let flag = self.value_ref(&S::new(
            c.flag.span(),
            toml::Value::String(c.flag.get_ref().clone()),
        ));
        if let Some(f) = &flag {
            if f.value == 0 || f.value > u32::MAX as u64 {
                self.error(
                    c.flag.span(),
                    format!(
                        "caps.flag `{}` is {:#x}: it must be bits of a __u32 flags member",
                        f.text(),
                        f.value
                    ),
                );
                ok = false;
            }
        }
        if let (Some(fi), Some(f)) = (flags, &flag) {
            if let Some(g) = fields[fi].flags {
                let set = family.group(g);
                if !set.values.iter().any(|v| Some(&v.name) == f.name.as_ref()) {
                    self.error(
                        c.flag.span(),
                        format!(
                            "caps.flag `{}` is not in `{}`, the flags of `{name}.{flags_name}`",
                            f.text(),
                            set.name
                        ),
                    );
                    ok = false;
                }
            }
        }
        let header = match self.struct_index.get(c.header.get_ref()) {
            Some(h) if *h == si => {
                self.error(
                    c.header.span(),
                    format!("struct `{name}` cannot be its own chain's header"),
                );
                None
            }
            Some(h) => Some(*h),
            None => {
                self.error(
                    c.header.span(),
                    format!("unknown struct `{}` (caps.header)", c.header.get_ref()),
                );
                None
            }
        };
        let mut members = [None, None, None];
        if let Some(h) = header {
            let hst = family.struct_(h);
            if self.trapped_now(hst) {
                let hname = hst.name.clone();
                self.abi_trap_refused(c.header.span(), &hname);
                ok = false;
            }
            let hst = family.struct_(h);
            let hname = hst.name.clone();
            let hfields = hst.fields.clone();
            let keys = [
                (&c.id, "id", "caps.id, the capability id", Scalar::U16),
                (
                    &c.version,
                    "version",
                    "caps.version, the capability version",
                    Scalar::U16,
                ),
                (
                    &c.next,
                    "next",
                    "caps.next, the next capability's offset",
                    Scalar::U32,
                ),
            ];
            for (slot, (key, default, role, scalar)) in members.iter_mut().zip(keys) {
                let (m, span) = match key {
                    Some(k) => (k.get_ref().clone(), k.span()),
                    None => (default.to_string(), c.header.span()),
                };
                *slot = self.u32_member(&hfields, &hname, &m, span, role, scalar);
            }
        }
        let mut power_of_two = |key: &str, raw: &Option<S<i64>>, default: u64| match raw {
            None => Some(default),
            Some(a) => {
                let v = *a.get_ref();
                if v > 0 && v <= 4096 && (v & (v - 1)) == 0 {
                    Some(v as u64)
                } else {
                    self.error(
                        a.span(),
                        format!("caps.{key} {v} is not a power of two from 1 to 4096"),
                    );
                    None
                }
            }
        };
        let align = power_of_two("align", &c.align, 8);
        let align_before = power_of_two("align_before", &c.align_before, 1);
        let align_since = self.revs("align_since", &c.align_since, RevSet::one(RevId::FIRST));
        if let (Some(b), None) = (&c.align_before, &c.align_since) {
            self.error(
                b.span(),
                "`align_before` needs `align_since`: the revision from which the kernel rounds \
                 capabilities up to `align`",
            );
        }
        let align_before = match (align, align_before) {
            (Some(a), Some(b)) if b > a => {
                let at = c.align_before.as_ref().map_or(raw.span(), |b| b.span());
                self.error(
                    at,
                    format!("caps.align_before {b} is larger than caps.align {a}: the kernel's rounding only grew"),
                );
                None
            }
            (_, b) => b,
        };
        match (
            offset,
            flags,
            flag,
            header,
            members,
            align,
            align_before,
            ok,
        ) {
            (
                Some(offset),
                Some(flags),
                Some(flag),
                Some(header),
                [Some(id), Some(version), Some(next)],
                Some(align),
                Some(align_before),
                true,
            ) => Some(CapChain {
                offset,
                flags,
                flag,
                header,
                id,
                version,
                next,
                align,
                align_since,
                align_before,
                span: raw.span(),
            }),
            _ => None,
        }
    }

    fn capability(
        &mut self,
        family: &Family,
        si: StructId,
        raw: &S<RawCapability>,
        seen: &mut FxMap<(StructId, u64, u16), Span>,
    ) -> Option<Capability> {
        let c = raw.get_ref();
        let name = family.struct_(si).name.clone();
        let of = match self.struct_index.get(c.of.get_ref()) {
            None => {
                self.error(
                    c.of.span(),
                    format!("unknown struct `{}` (capability.of)", c.of.get_ref()),
                );
                return None;
            }
            Some(of) => *of,
        };
        let Some(chain) = family.struct_(of).caps.clone() else {
            self.error_note(
                c.of.span(),
                format!("struct `{}` has no capability chain", c.of.get_ref()),
                "give the info struct a `caps = { offset, flag, header }` key",
            );
            return None;
        };
        let id = self.value_ref(&c.id)?;
        if id.value > u16::MAX as u64 {
            self.error(
                c.id.span(),
                format!(
                    "capability id {} does not fit the header's __u16 id",
                    id.value
                ),
            );
            return None;
        }
        let version = *c.version.get_ref();
        let Ok(version) = u16::try_from(version) else {
            self.error(
                c.version.span(),
                format!("capability version {version} does not fit the header's __u16 version"),
            );
            return None;
        };
        if self.trapped_now(family.struct_(si)) {
            self.abi_trap_refused(raw.span(), &name);
            return None;
        }
        let header = family.struct_(chain.header);
        let first = family.struct_(si).fields.first();
        let starts = first.is_some_and(|f| {
            matches!(f.ty, FieldType::Struct(h) if h == chain.header) && !f.is_array()
        });
        if !starts {
            self.error_note(
                raw.span(),
                format!(
                    "capability struct `{name}` does not begin with `struct {}`",
                    header.name
                ),
                format!(
                    "every capability of `{}`'s chain starts with its header, as `vfio_info_cap_add()` writes it",
                    c.of.get_ref()
                ),
            );
            return None;
        }
        match seen.get(&(of, id.value, version)) {
            Some(first) => {
                let (line, _) = self.source.line_col(first.start);
                self.error(
                    raw.span(),
                    format!(
                        "capability {} version {version} of `{}` is defined twice (first at line {line})",
                        id.text(),
                        c.of.get_ref()
                    ),
                );
                return None;
            }
            None => {
                seen.insert((of, id.value, version), raw.span());
            }
        }
        Some(Capability {
            of,
            id,
            version,
            span: raw.span(),
        })
    }
}
