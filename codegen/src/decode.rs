//! `uapigen decode STRUCT`: raw bytes (a trace, a core dump) → every field by name, flags and
//! enum values by name, and the validator's verdict with the rule that failed.

use std::fmt::Write;

use crate::interpret::{self, read, Refusal, UserData};
use crate::ir::*;
use crate::layout::{field_at, FamilyLayout};

/// A user buffer of exactly these bytes at address 0: reading past them faults.
struct Bytes<'a>(&'a [u8]);

impl uapigen_uaccess::UserMemory for Bytes<'_> {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let start = (addr as usize).min(self.0.len());
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

/// Decodes `bytes` as struct `si` and runs the kernel's copy and checks on them.
pub fn decode(
    family: &Family,
    fl: &FamilyLayout,
    si: usize,
    input: &[u8],
    user_data: Option<UserData>,
) -> Decoded {
    let st = &family.structs[si];
    let size = fl.structs[si].size as usize;
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
                    .map(|d| UserData {
                        data_type: d.1 as u32,
                        len: input.len() as u32,
                    })
            });
            match interpret::copy_from_user(family, fl, si, &Bytes(input), 0, ud) {
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
    fields(family, fl, si, &bytes, 0, "", &mut text);
    match &verdict {
        Ok(()) => {
            let _ = writeln!(text, "verdict: accepted");
        }
        Err(r) => {
            let _ = writeln!(text, "verdict: rejected, -{} ({})", r.errno.name(), r.rule);
        }
    }
    Decoded { text, verdict }
}

fn fields(
    family: &Family,
    fl: &FamilyLayout,
    si: usize,
    bytes: &[u8],
    base: u64,
    prefix: &str,
    out: &mut String,
) {
    let st = &family.structs[si];
    for m in &fl.structs[si].members {
        let Some(f) = field_at(st, &m.index) else {
            continue;
        };
        let path = if prefix.is_empty() {
            m.path.clone()
        } else {
            format!("{prefix}.{}", m.path)
        };
        let off = base + m.offset;
        match &f.ty {
            FieldType::Union(_) => {}
            FieldType::Struct(j) if f.len.is_none() => {
                fields(family, fl, *j, bytes, off, &path, out)
            }
            FieldType::Scalar(s) if f.len.is_none() => {
                let v = read(bytes, off, s.size());
                let shown = if f.flags.is_some() {
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
        let name = family.groups[g]
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
        for c in &family.groups[g].values {
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

/// Parses `--hex`: pairs of hex digits, spaces, commas and `0x` prefixes allowed.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|t| t.strip_prefix("0x").unwrap_or(t))
        .collect();
    if cleaned.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", cleaned.len()));
    }
    (0..cleaned.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&cleaned[i..i + 2], 16)
                .map_err(|_| format!("`{}` is not a hex byte", &cleaned[i..i + 2]))
        })
        .collect()
}
