//! `uapigen decode STRUCT`: raw bytes (a trace, a core dump) → every field by name, flags and
//! enum values by name, and the validator's verdict with the rule that failed.

use std::fmt::Write;

use crate::interpret::{self, read, Refusal, UserData};
use crate::ir::*;
use crate::layout::{field_at, FamilyLayout};
use crate::model::{plan, RevView, StructId, TargetId, ValidatorPlan};

/// A user buffer of exactly these bytes at address 0: reading past them faults.
struct Bytes<'a>(&'a [u8]);

impl uapigen_uaccess::UserMemory for Bytes<'_> {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let start = usize::try_from(addr).map_or(self.0.len(), |a| a.min(self.0.len()));
        let n = dst.len().min(self.0.len() - start);
        dst[..n].copy_from_slice(&self.0[start..start + n]);
        dst.len() - n
    }
}

/// What `uapigen decode` prints, and its verdict.
pub struct Decoded {
    /// Every field by name, flags and enum values by name.
    pub text: String,
    /// Accepted, or the refusal.
    pub verdict: Result<(), Refusal>,
}

/// Decodes `input` as struct `s` of revision `rev` (laid out on x86-64) and runs that
/// revision's copy and checks on it, from the model's validator plan.
pub fn decode_rev(
    rev: RevView<'_>,
    s: StructId,
    input: &[u8],
    user_data: Option<UserData>,
) -> Decoded {
    let fl = &rev.layouts()[TargetId::DEFAULT.0];
    explain(rev.family(), fl, s, rev.validator(s), input, user_data)
}

/// [`decode_rev`] for a revision's family and its x86-64 layouts without their model: the
/// plan is lowered for this one call.
pub fn decode(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
    input: &[u8],
    user_data: Option<UserData>,
) -> Decoded {
    let plan = plan::lower(family, fl, s);
    explain(family, fl, s, plan.as_ref(), input, user_data)
}

/// Decodes `input` as struct `s` of `family`, laid out as `fl`, and copies and checks it
/// with `plan` (the struct's validator; None without a size convention).
fn explain(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
    plan: Option<&ValidatorPlan>,
    input: &[u8],
    user_data: Option<UserData>,
) -> Decoded {
    let st = family.struct_(s);
    let size = fl.struct_(s).size as usize;
    let mut text = String::new();
    let conv = st.convention.map_or("no size convention", |c| c.name());
    let _ = writeln!(
        text,
        "struct {} ({} bytes given, sizeof {size}, {conv})",
        st.name,
        input.len()
    );

    // What the kernel would hold after the copy; without a convention, the bytes as given.
    let (bytes, verdict) = match st.convention {
        Some(_) => {
            let ud = user_data.or_else(|| {
                st.validation
                    .as_ref()
                    .and_then(|v| v.data_type.as_ref())
                    .and_then(|d| {
                        Some(UserData {
                            // check refuses a data type beyond __u32, and main bounds the input.
                            data_type: u32::try_from(d.1).ok()?,
                            len: u32::try_from(input.len()).ok()?,
                        })
                    })
            });
            let copied = match plan {
                Some(p) => interpret::run(p, &Bytes(input), 0, ud),
                None => Err(Refusal {
                    errno: Errno::EINVAL,
                    rule: format!("struct {} has no size convention to copy it by", st.name),
                }),
            };
            match copied {
                Ok(b) => (b, Ok(())),
                Err(r) => {
                    let mut b = input.to_vec();
                    b.resize(size, 0);
                    (b, Err(r))
                }
            }
        }
        None => {
            let mut b = input.to_vec();
            b.resize(size, 0);
            let v = if input.len() < size {
                Err(Refusal {
                    errno: Errno::EFAULT,
                    rule: format!("{} bytes given, {size} needed", input.len()),
                })
            } else {
                Ok(())
            };
            (b, v)
        }
    };
    if input.len() < size {
        let _ = writeln!(
            text,
            "(bytes past the {} given are shown as zero)",
            input.len()
        );
    }
    let payload = plan.and_then(|p| p.payload.as_ref());
    if let Some(tail) = st.fields.iter().find(|f| f.flexible.is_some()) {
        if let Some(pp) = payload {
            fields(family, fl, s, &bytes, 0, "", &mut text);
            payload_text(
                family,
                fl,
                pp,
                &bytes,
                input,
                tail.display_name(),
                &mut text,
            );
            finish(&verdict, &mut text);
            return Decoded { text, verdict };
        }
        if input.len() > size {
            let _ = writeln!(
                text,
                "({} bytes past sizeof: the elements of the flexible array `{}`, not decoded)",
                input.len() - size,
                tail.display_name()
            );
        }
    }
    fields(family, fl, s, &bytes, 0, "", &mut text);
    finish(&verdict, &mut text);
    Decoded { text, verdict }
}

fn finish(verdict: &Result<(), Refusal>, text: &mut String) {
    match verdict {
        Ok(()) => {
            let _ = writeln!(text, "verdict: accepted");
        }
        Err(r) => {
            let _ = writeln!(text, "verdict: rejected, -{} ({})", r.errno.name(), r.rule);
        }
    }
}

/// Which payload the struct's `bytes` select, and the bytes of `input` past the struct
/// (`argsz - minsz` of them, as the kernel hands them on) decoded as it.
fn payload_text(
    family: &Family,
    fl: &FamilyLayout,
    pp: &plan::PayloadPlan,
    bytes: &[u8],
    input: &[u8],
    member: &str,
    out: &mut String,
) {
    let flags = read(bytes, pp.offset, pp.size.min(8));
    let mut ops = Vec::new();
    for (bit, name) in [(pp.get, "GET"), (pp.set, "SET"), (pp.probe, "PROBE")] {
        if flags & bit != 0 {
            ops.push(name);
        }
    }
    let ops = if ops.is_empty() {
        "no operation".to_string()
    } else {
        ops.join(" | ")
    };
    let Some(i) = pp.selected(bytes) else {
        let _ = writeln!(
            out,
            "payload in `{member}`: {:#x} selects none of this revision's ({ops})",
            flags & pp.mask
        );
        return;
    };
    let c = &pp.cases[i];
    let argsz = read(bytes, 0, 4);
    let given = input.len().saturating_sub(pp.base as usize);
    let len = (argsz.saturating_sub(pp.base) as usize).min(given);
    let what = match c.body {
        PayloadBody::Struct(ps) => format!("struct {}", family.struct_(ps).name),
        PayloadBody::Bytes(n) => format!("{n} bytes"),
    };
    let _ = writeln!(
        out,
        "payload in `{member}`: {} ({what}, minsz {}; {ops}), argsz - minsz = {}, {given} bytes given",
        c.name,
        c.minsz,
        argsz.saturating_sub(pp.base)
    );
    let data = &input[(pp.base as usize).min(input.len())..][..len];
    match c.body {
        PayloadBody::Struct(ps) if len > 0 => {
            let mut b = data.to_vec();
            b.resize((fl.struct_(ps).size as usize).max(len), 0);
            if len < fl.struct_(ps).size as usize {
                let _ = writeln!(
                    out,
                    "(payload bytes past the {len} given are shown as zero)"
                );
            }
            fields(family, fl, ps, &b, 0, member, out);
        }
        _ if len > 0 => {
            let raw: Vec<String> = data.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(out, "  {member:<28} = [{}]", raw.join(" "));
        }
        _ => {}
    }
}

fn fields(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
    bytes: &[u8],
    base: u64,
    prefix: &str,
    out: &mut String,
) {
    let st = family.struct_(s);
    for m in &fl.struct_(s).members {
        let Some(f) = field_at(st, &m.index) else {
            continue;
        };
        let path = if prefix.is_empty() {
            m.path.clone()
        } else {
            format!("{prefix}.{}", m.path)
        };
        // An array of unions or structs is shown as its bytes, as an array of `struct NAME`
        // is: the layout places its first element's members only.
        let in_array =
            (1..m.index.len()).any(|k| field_at(st, &m.index[..k]).is_some_and(|a| a.is_array()));
        if in_array {
            continue;
        }
        let off = base + m.offset;
        match &f.ty {
            FieldType::Inline(..) if f.len.is_none() => {}
            // Its elements lie past sizeof, in bytes that are the caller's, not the struct's.
            _ if f.flexible.is_some() => {
                let _ = writeln!(
                    out,
                    "  {path:<28} = flexible array at offset {off} (its elements follow \
                     sizeof)"
                );
            }
            FieldType::Struct(j) if f.len.is_none() => {
                fields(family, fl, *j, bytes, off, &path, out)
            }
            // Its bits as x86's ABIs allocate them (from each byte's least significant bit),
            // sign-extended when its type is signed.
            FieldType::Scalar(s) if m.bits.is_some() => {
                let b = m.bits.expect("matched");
                let first = base * 8 + b.bit;
                let v = (0..u64::from(b.width)).fold(0u64, |v, i| {
                    let at = first + i;
                    v | (u64::from((bytes[(at / 8) as usize] >> (at % 8)) & 1) << i)
                });
                let shown = if s.is_signed() && b.width < 64 && v >> (b.width - 1) & 1 == 1 {
                    ((v | !((1u64 << b.width) - 1)) as i64).to_string()
                } else {
                    v.to_string()
                };
                let _ = writeln!(
                    out,
                    "  {path:<28} = {shown} (bits {}..{})",
                    b.bit,
                    b.bit + u64::from(b.width)
                );
            }
            FieldType::Scalar(s) if f.len.is_none() => {
                let v = read(bytes, off, s.size());
                let shown = if *s == Scalar::Float {
                    f32::from_bits(v as u32).to_string()
                } else if *s == Scalar::Double {
                    f64::from_bits(v).to_string()
                } else if f.flags.is_some() {
                    format!("{v:#x}")
                } else {
                    v.to_string()
                };
                let _ = writeln!(out, "  {path:<28} = {shown}{}", annotate(family, f, v));
            }
            _ => {
                let raw: Vec<String> = bytes[off as usize..(off + m.size) as usize]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                let _ = writeln!(out, "  {path:<28} = [{}]", raw.join(" "));
            }
        }
    }
}

/// ` (NAME)` for enum values, ` (A | B | unknown 0x8)` for flags.
fn annotate(family: &Family, f: &Field, v: u64) -> String {
    if let Some(g) = f.values {
        let name = family
            .group(g)
            .values
            .iter()
            .find(|c| c.value == v)
            .map_or("not a known value", |c| c.name.as_str());
        return format!(" ({name})");
    }
    if let Some(g) = f.flags {
        if v == 0 {
            return String::new();
        }
        let mut names = Vec::new();
        let mut rest = v;
        for c in &family.group(g).values {
            if c.value != 0 && v & c.value == c.value {
                names.push(c.name.clone());
                rest &= !c.value;
            }
        }
        if rest != 0 {
            names.push(format!("unknown {rest:#x}"));
        }
        return format!(" ({})", names.join(" | "));
    }
    String::new()
}

/// How `--hex` is written, for `--help` and the error messages.
pub const HEX_SYNTAX: &str = "--hex takes pairs of hex digits, one per byte (`38 00 00 00`, \
     `38000000`, `0x38, 0x00`); spaces, tabs, newlines and commas may separate bytes, and `0x` \
     may prefix one";

/// Parses `--hex` (see `HEX_SYNTAX`). Anything else is refused, naming its offset in
/// characters from 0: a sign, a lone digit, `0x3800` (one prefix, two bytes: which order was
/// meant?), a non-ASCII character.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let chars: Vec<char> = text.chars().collect();
    let digit = |k: usize| chars.get(k).and_then(|c| c.to_digit(16));
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_whitespace() || c == ',' {
            i += 1;
            continue;
        }
        let prefixed = c == '0' && matches!(chars.get(i + 1), Some('x' | 'X'));
        let start = if prefixed { i + 2 } else { i };
        match (digit(start), digit(start + 1)) {
            (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
            (Some(_), None) => {
                return Err(format!(
                    "`{}` at offset {start} is half a byte; {HEX_SYNTAX}",
                    chars[start]
                ))
            }
            (None, _) => {
                return Err(match chars.get(start) {
                    Some(bad) => {
                        format!("`{bad}` at offset {start} is not a hex digit; {HEX_SYNTAX}")
                    }
                    None => format!("`0x` at offset {i} has no byte after it"),
                })
            }
        }
        i = start + 2;
        if prefixed && digit(i).is_some() {
            return Err(format!(
                "`0x` at offset {} prefixes more than one byte: write `0x{}{}, 0x..` (one byte each), \
                 or the bytes without `0x`",
                start - 2,
                chars[start],
                chars[start + 1]
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{decode, decode_rev, parse_hex};
    use crate::model::TargetId;

    #[test]
    fn a_revision_view_decodes_as_its_family_and_layout_do() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let schemas = ["../schema", "tests/golden/schema"];
        for c in schemas
            .iter()
            .flat_map(|d| crate::load_dir(&root.join(d)).unwrap())
        {
            let latest = c.latest();
            for (s, st) in latest.structs() {
                let size = latest.layout(s, TargetId::DEFAULT).size as usize;
                // A size field first, as much of it as the struct has (3-byte bf_iphdr_ordered).
                let sized = |n: usize, fill: u8| {
                    let mut b = vec![fill; n];
                    let k = n.min(4);
                    b[..k].copy_from_slice(&(n as u32).to_le_bytes()[..k]);
                    b
                };
                for input in [
                    vec![],
                    vec![0; size],
                    sized(size, 0),
                    sized(size, 0xff),
                    sized(size + 8, 0),
                ] {
                    let a = decode_rev(latest, s, &input, None);
                    let b = decode(&c.family, &c.layouts[0], s, &input, None);
                    assert_eq!((&a.text, &a.verdict), (&b.text, &b.verdict), "{}", st.name);
                }
            }
        }
    }

    #[test]
    fn hex_accepts_pairs_separators_and_one_byte_prefixes() {
        let want = Ok(vec![0x38, 0, 0xab, 0xCD]);
        assert_eq!(parse_hex("38 00 ab CD"), want);
        assert_eq!(parse_hex("3800abcd"), want);
        assert_eq!(parse_hex(" 0x38,0x00,\n\t0XAB, 0xcd ,"), want);
        assert_eq!(parse_hex(""), Ok(vec![]));
        assert_eq!(parse_hex(" , "), Ok(vec![]));
    }

    #[test]
    fn hex_refuses_everything_else_naming_the_offset() {
        for (text, says) in [
            ("+1+2", "`+` at offset 0 is not a hex digit"),
            ("-1", "`-` at offset 0 is not a hex digit"),
            ("38 é0", "`é` at offset 3 is not a hex digit"),
            ("é", "`é` at offset 0 is not a hex digit"),
            ("38 0", "`0` at offset 3 is half a byte"),
            ("38 0 0", "`0` at offset 3 is half a byte"),
            ("3g", "`3` at offset 0 is half a byte"),
            ("38 0x", "`0x` at offset 3 has no byte after it"),
            ("0xg0", "`g` at offset 2 is not a hex digit"),
            ("0x3800", "`0x` at offset 0 prefixes more than one byte"),
            ("38;00", "`;` at offset 2 is not a hex digit"),
            ("38\u{a0}00", "`\u{a0}` at offset 2 is not a hex digit"),
        ] {
            let e = parse_hex(text).expect_err(text);
            assert!(e.starts_with(says), "{text:?}: {e}");
        }
    }
}
