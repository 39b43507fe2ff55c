//! `payload` and `payloads`: a struct whose flexible array member holds one of several
//! payloads, selected by the masked bits of a member, with GET/SET/PROBE bits beside them
//! (VFIO_DEVICE_FEATURE: drivers/vfio/vfio_main.c, `vfio_ioctl_device_feature`, and
//! include/linux/vfio.h, `vfio_check_feature`, Linux 7.2). Resolved with the struct's other
//! validation settings, once every constant and struct is known: a payload's struct is most
//! often listed after the struct that carries it.

use super::*;

/// The largest payload size written as bytes: the bound every struct has (docs/schema.md).
const MAX_BYTES: i64 = 1 << 20;

impl Resolver {
    pub(super) fn payload(
        &mut self,
        family: &Family,
        si: StructId,
        conv: Convention,
        head: Option<Box<S<RawPayload>>>,
        cases: Option<S<Vec<S<RawPayloadCase>>>>,
    ) -> Option<Payload> {
        let name = family.struct_(si).name.clone();
        let (head, cases) = match (head, cases) {
            (None, None) => return None,
            (Some(h), None) => {
                self.error_note(
                    h.span(),
                    format!("struct `{name}` has `payload` but no `payloads`"),
                    "list what the member holds for each value: payloads = [{ equals = \"...\", struct = \"...\", ops = [\"...\"] }]",
                );
                return None;
            }
            (None, Some(c)) => {
                self.error_note(
                    c.span(),
                    format!("struct `{name}` has `payloads` but no `payload`"),
                    "say which member holds them and what selects them: payload = { member, field, mask, get, set, probe }",
                );
                return None;
            }
            (Some(h), Some(c)) => (h, c),
        };
        let h = head.get_ref();
        let mut ok = true;
        // The payload's length is `argsz - minsz` (vfio_ioctl_device_feature): argsz says it.
        if conv != Convention::Argsz {
            self.error_note(
                head.span(),
                format!("struct `{name}` has a payload but not `convention = \"argsz\"`"),
                "the kernel hands the payload's length on as argsz - minsz",
            );
            ok = false;
        }
        let st = family.struct_(si);
        match st
            .fields
            .iter()
            .find(|f| f.name.as_deref() == Some(h.member.get_ref().as_str()))
        {
            None => {
                self.error(
                    h.member.span(),
                    format!(
                        "struct `{name}` has no member `{}` (payload.member)",
                        h.member.get_ref()
                    ),
                );
                ok = false;
            }
            Some(f) if f.flexible.is_none() => {
                self.error_note(
                    h.member.span(),
                    format!(
                        "`{name}.{}` (payload.member) is not a flexible array member",
                        h.member.get_ref()
                    ),
                    "a payload follows the struct in user memory: `flexible = true`",
                );
                ok = false;
            }
            Some(_) => {}
        }
        let field = self.field_path(family, si, &h.field);
        // Read at one offset and size in the host's byte order, as the rules read a field.
        let readable =
            |s: Scalar| !s.varies() && !s.is_endian() && !s.is_plain_char() && !s.is_float();
        let width = match &field {
            Some(p) if p.scalar.is_some_and(readable) && p.len.is_none() && !p.flexible => {
                p.scalar.map(|s| s.size())
            }
            Some(_) => {
                self.error(
                    h.field.span(),
                    format!(
                        "`{name}.{}` (payload.field) must be an integer member the validators read \
                         (not an array, a struct, the ABI's word, a fixed byte order or `char`)",
                        h.field.get_ref()
                    ),
                );
                None
            }
            None => None,
        };
        let bit = |r: &mut Self, key: &str, v: &S<String>| -> Option<ValueRef> {
            let value = r.value_ref(&S::new(v.span(), toml::Value::String(v.get_ref().clone())))?;
            let fits = width.is_none_or(|w| w >= 8 || value.value >> (w * 8) == 0);
            if value.value == 0 || !fits {
                r.error(
                    v.span(),
                    format!(
                        "payload.{key} `{}` is {:#x}: it must be non-zero bits of `{name}.{}`",
                        v.get_ref(),
                        value.value,
                        h.field.get_ref()
                    ),
                );
                return None;
            }
            Some(value)
        };
        let mask = bit(self, "mask", &h.mask);
        let get = bit(self, "get", &h.get);
        let set = bit(self, "set", &h.set);
        let probe = bit(self, "probe", &h.probe);
        // The selector and the three operations are separate bits (vfio_check_feature tests
        // each alone).
        let keyed = [
            ("mask", &h.mask, &mask),
            ("get", &h.get, &get),
            ("set", &h.set, &set),
            ("probe", &h.probe, &probe),
        ];
        for (i, (key, raw, v)) in keyed.iter().enumerate() {
            let Some(v) = v else { continue };
            if let Some((other, _, _)) = keyed[..i]
                .iter()
                .find(|(_, _, o)| o.as_ref().is_some_and(|o| o.value & v.value != 0))
            {
                self.error(
                    raw.span(),
                    format!(
                        "payload.{key} `{}` shares bits with payload.{other}: the selector and \
                         each operation are bits of their own",
                        raw.get_ref()
                    ),
                );
                ok = false;
            }
        }
        let unknown = match h.unknown.as_ref().map(|u| u.get_ref().as_str()) {
            None | Some("ENOTTY") => Errno::ENOTTY,
            Some("EINVAL") => Errno::EINVAL,
            Some("EOPNOTSUPP") => Errno::EOPNOTSUPP,
            Some(other) => {
                self.error(
                    h.unknown.as_ref().map(|u| u.span()).unwrap_or_default(),
                    format!(
                        "payload.unknown `{other}` is not an errno for an unknown payload: use \
                         ENOTTY, EINVAL or EOPNOTSUPP"
                    ),
                );
                ok = false;
                Errno::ENOTTY
            }
        };
        let struct_since = family.struct_(si).since;
        let mut out: Vec<PayloadCase> = Vec::new();
        for c in cases.get_ref() {
            let raw = c.get_ref();
            let Some(equals) = self.value_ref(&raw.equals) else {
                ok = false;
                continue;
            };
            if let Some(m) = &mask {
                if equals.value & !m.value != 0 {
                    self.error(
                        raw.equals.span(),
                        format!(
                            "`{}` ({:#x}) has bits outside payload.mask `{}` ({:#x}): `{} & {}` \
                             never equals it",
                            equals.text(),
                            equals.value,
                            h.mask.get_ref(),
                            m.value,
                            h.field.get_ref(),
                            h.mask.get_ref()
                        ),
                    );
                    ok = false;
                }
            }
            let body = match (&raw.record, &raw.size) {
                (Some(r), None) => match self.struct_index.get(r.get_ref()) {
                    Some(p) if *p == si => {
                        self.error(
                            r.span(),
                            format!("struct `{name}` cannot be its own payload"),
                        );
                        None
                    }
                    Some(p) => Some(PayloadBody::Struct(*p)),
                    None => {
                        self.error(
                            r.span(),
                            format!("unknown struct `{}` (payloads.struct)", r.get_ref()),
                        );
                        None
                    }
                },
                (None, Some(n)) if (0..=MAX_BYTES).contains(n.get_ref()) => {
                    Some(PayloadBody::Bytes(*n.get_ref() as u64))
                }
                (None, Some(n)) => {
                    self.error(
                        n.span(),
                        format!(
                            "a payload's size is 0 to {MAX_BYTES} bytes, not {}",
                            n.get_ref()
                        ),
                    );
                    None
                }
                _ => {
                    self.error_note(
                        c.span(),
                        "a payload needs exactly one of `struct` and `size`",
                        "`struct` names the payload's struct (its sizeof is the kernel's minsz); \
                         `size` gives the bytes when none describes it (0: no payload)",
                    );
                    None
                }
            };
            let mut ops = 0u64;
            if raw.supported_ops.get_ref().is_empty() {
                self.error(
                    raw.supported_ops.span(),
                    "a payload supports at least one operation: payload.get, payload.set or both",
                );
                ok = false;
            }
            for op in raw.supported_ops.get_ref() {
                let which = [(&h.get, &get), (&h.set, &set)]
                    .into_iter()
                    .find(|(k, _)| k.get_ref() == op.get_ref());
                match which {
                    Some((_, Some(v))) if ops & v.value != 0 => {
                        self.error(
                            op.span(),
                            format!("operation `{}` is listed twice", op.get_ref()),
                        );
                        ok = false;
                    }
                    Some((_, Some(v))) => ops |= v.value,
                    Some((_, None)) => ok = false,
                    None => {
                        self.error(
                            op.span(),
                            format!(
                                "`{}` is not an operation of the payload: use payload.get `{}` \
                                 or payload.set `{}`",
                                op.get_ref(),
                                h.get.get_ref(),
                                h.set.get_ref()
                            ),
                        );
                        ok = false;
                    }
                }
            }
            let since = self.revs("since", &raw.since, struct_since);
            let until = self.until(&raw.until, since, "payload");
            let doc = self.text(&raw.doc, "a payload's doc", false);
            let Some(body) = body else {
                ok = false;
                continue;
            };
            let revisions = self.revisions.clone();
            // A revision's kernel selects a payload only where its struct exists.
            if let PayloadBody::Struct(p) = body {
                let pst = family.struct_(p);
                if let Some(r) = revisions
                    .iter()
                    .find(|r| r.has(since, until) && !r.has(pst.since, RevSet::EMPTY))
                {
                    let span = raw.since.as_ref().map_or(c.span(), |s| s.span());
                    self.error(
                        span,
                        format!(
                            "payload `{}` is in revision {}, before struct `{}` exists",
                            equals.text(),
                            r.id,
                            pst.name
                        ),
                    );
                    ok = false;
                }
            }
            if let Some((prev, r)) = out.iter().find_map(|o| {
                (o.equals.value == equals.value)
                    .then(|| {
                        revisions
                            .iter()
                            .find(|r| r.has(o.since, o.until) && r.has(since, until))
                            .map(|r| (o, r))
                    })
                    .flatten()
            }) {
                let (line, _) = self.source.line_col(prev.span.start);
                self.error(
                    raw.equals.span(),
                    format!(
                        "`{}` already selects a payload in revision {} (line {line})",
                        equals.text(),
                        r.id
                    ),
                );
                ok = false;
            }
            out.push(PayloadCase {
                equals,
                body,
                ops,
                since,
                until,
                doc,
                span: c.span(),
            });
        }
        let (Some(field), Some(mask), Some(get), Some(set), Some(probe), true) =
            (field, mask, get, set, probe, ok)
        else {
            return None;
        };
        Some(Payload {
            member: h.member.get_ref().clone(),
            field,
            mask,
            get,
            set,
            probe,
            unknown,
            cases: out,
        })
    }
}
