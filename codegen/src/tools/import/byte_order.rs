//! Bitfields declared once per byte order (`__LITTLE_ENDIAN_BITFIELD`): one schema member
//! with both orders' bits.

use super::*;

/// The byte order a struct body's `#if` or `#elif` tests, in the kernel's spellings: true
/// for little-endian (`defined(__LITTLE_ENDIAN_BITFIELD)`, aio_abi.h's `defined(__BYTE_ORDER)
/// ? __BYTE_ORDER == __LITTLE_ENDIAN : defined(__LITTLE_ENDIAN)`, scsi_bsg_ufs.h's
/// `defined(__LITTLE_ENDIAN)`), false for their big-endian twins; None for anything else.
pub(super) fn byte_order_test(t: &str) -> Option<bool> {
    let rest = t.strip_prefix('#')?.trim_start();
    let cond = rest
        .strip_prefix("elif")
        .or_else(|| rest.strip_prefix("if"))?;
    if !cond.starts_with(|c: char| c.is_whitespace() || c == '(') {
        return None;
    }
    let cond = cond.split("/*").next().unwrap_or("");
    let c: String = cond.chars().filter(|c| !c.is_whitespace()).collect();
    const TESTS: [(&str, bool); 6] = [
        ("defined(__LITTLE_ENDIAN_BITFIELD)", true),
        (
            "defined(__BYTE_ORDER)?__BYTE_ORDER==__LITTLE_ENDIAN:defined(__LITTLE_ENDIAN)",
            true,
        ),
        ("defined(__LITTLE_ENDIAN)", true),
        ("defined(__BIG_ENDIAN_BITFIELD)", false),
        (
            "defined(__BYTE_ORDER)?__BYTE_ORDER==__BIG_ENDIAN:defined(__BIG_ENDIAN)",
            false,
        ),
        ("defined(__BIG_ENDIAN)", false),
    ];
    TESTS
        .iter()
        .find(|(t, _)| *t == c)
        .map(|(_, little)| *little)
}

/// A struct the header declares whole per byte order at file scope (perf_event.h's `#if
/// defined(__LITTLE_ENDIAN_BITFIELD)` `union perf_mem_data_src { ... };` `#elif
/// defined(__BIG_ENDIAN_BITFIELD)` its other declaration): its bytes `start..end`, the
/// declaration libclang read, as a byte-order region with the big-endian branch's text.
pub(super) fn whole_per_byte_order(
    source: &str,
    start: u32,
    end: u32,
) -> Option<((u32, u32), &str)> {
    let before = source.get(..start as usize)?.trim_end();
    let test = before.rsplit('\n').next()?.trim();
    if byte_order_test(test) != Some(true) || !test.starts_with("#if") {
        return None;
    }
    let after = source.get(end as usize..)?;
    let rest = after.trim_start().strip_prefix(';')?.trim_start();
    let (line, big) = rest.split_once('\n')?;
    let line = line.trim();
    if byte_order_test(line) != Some(false) && line != "#else" {
        return None;
    }
    let close = big
        .match_indices('#')
        .find(|(i, _)| big[..*i].ends_with('\n') || *i == 0)
        .map_or(big.len(), |(i, _)| i);
    Some(((start, end), &big[..close]))
}

/// The names a run of C declarations declares, in order (`__u16 type_flags;`, `} type;`,
/// `bit0:1,`): each identifier followed by `;`, `,`, `:` or `[`, comments left out.
pub(super) fn declarator_names(text: &str) -> Vec<String> {
    let text = without_comments(text);
    crate::front::cexpr::words(&text)
        .filter(|w| !text.as_bytes()[w.start].is_ascii_digit())
        .filter(|w| {
            matches!(
                text[w.end..].trim_start().bytes().next(),
                Some(b';' | b',' | b':' | b'[')
            )
        })
        .map(|w| text[w].to_string())
        .collect()
}

/// Marks the members in a byte-order `#if` (`regions`: each one's little-endian branch's
/// bytes, the declarations libclang read, and its big-endian branch's text): bitfields
/// (`byte_order`, whose per-byte reversal the s390x layout proves), and runs of other members
/// the big-endian branch declares in reverse, labelled where two stand side by side. Members
/// in the same order in both branches are left as they are. Err: a member declared in an
/// order no run reverses, by its path.
pub(super) fn mark_byte_order(
    fields: &mut [Field],
    regions: &[((u32, u32), &str)],
) -> Result<(), String> {
    let region_of = |o: u32| regions.iter().position(|((a, b), _)| o >= *a && o < *b);
    // This level's members in a region that are not bitfields: (region, index); and its
    // runs of bitfields there: (region, indices).
    let mut plain: Vec<(usize, usize)> = Vec::new();
    let mut bit_runs: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, f) in fields.iter_mut().enumerate() {
        if let Some((_, ms)) = &mut f.inline {
            mark_byte_order(ms, regions)?;
            continue;
        }
        match (region_of(f.offset), f.bits) {
            (Some(r), Some(_)) => {
                f.byte_order = true;
                match bit_runs.last_mut() {
                    Some((k, run)) if *k == r && run.last() == Some(&(i - 1)) => run.push(i),
                    _ => bit_runs.push((r, vec![i])),
                }
            }
            (Some(r), None) => plain.push((r, i)),
            (None, _) => {}
        }
    }
    // A run the big-endian branch declares in reverse as a whole, past one byte (where each
    // byte's reversal would be another order): `byte_order = "word"`. Any other order is
    // written per byte, which libclang's s390x layout then proves or refuses.
    for (r, run) in &bit_runs {
        let named: Vec<&str> = run
            .iter()
            .filter_map(|i| fields[*i].name.as_deref())
            .collect();
        let big: Vec<String> = declarator_names(regions[*r].1)
            .into_iter()
            .filter(|d| named.contains(&d.as_str()))
            .collect();
        let bits: u32 = run.iter().map(|i| fields[*i].bits.unwrap_or(0)).sum();
        if bits > 8 && named.len() > 1 && big.iter().eq(named.iter().rev()) {
            for i in run {
                fields[*i].byte_order_word = true;
            }
            continue;
        }
        // Its last bitfield, named here and not there: merged into another
        // (`byte_order = "merged"`, linux/icmpv6.h's `reserved2`), which generate's checks
        // and libclang's s390x layout hold to what it can be.
        if let Some(&last) = run.last() {
            let f = &fields[last];
            if f.name.as_ref().is_some_and(|n| !big.contains(n)) && !big.is_empty() {
                fields[last].byte_order_merged = true;
            }
        }
    }
    for (r, (_, big)) in regions.iter().enumerate() {
        let le: Vec<usize> = plain
            .iter()
            .filter(|(k, _)| *k == r)
            .map(|(_, i)| *i)
            .collect();
        let Some(&first) = le.first() else {
            continue;
        };
        let name = |i: usize| fields[i].name.as_deref().unwrap_or("");
        let be: Vec<usize> = declarator_names(big)
            .into_iter()
            .filter_map(|d| le.iter().copied().find(|i| name(*i) == d))
            .collect();
        let mut sorted = be.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if be.len() != le.len() || sorted.len() != le.len() {
            return Err(fields[first].path.clone());
        }
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        let mut k = 0;
        while k < le.len() {
            if le[k] == be[k] {
                k += 1;
                continue;
            }
            let end = (k + 2..=le.len()).find(|e| be[k..*e].iter().eq(le[k..*e].iter().rev()));
            let Some(e) = end.filter(|e| le[k..*e].windows(2).all(|w| w[1] == w[0] + 1)) else {
                return Err(fields[le[k]].path.clone());
            };
            runs.push(k..e);
            k = e;
        }
        let side_by_side = runs
            .windows(2)
            .any(|w| le[w[1].start] == le[w[0].end - 1] + 1);
        for run in runs {
            let label =
                side_by_side.then(|| fields[le[run.start]].name.clone().unwrap_or_default());
            for p in run {
                fields[le[p]].byte_order = true;
                fields[le[p]].byte_order_label.clone_from(&label);
            }
        }
    }
    Ok(())
}

/// One line of header text fit for a TOML comment: no control character, at most 100 chars.
pub(super) fn one_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    let mut out: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(100)
        .collect();
    if line.chars().count() > 100 {
        out.push('…');
    }
    out
}
