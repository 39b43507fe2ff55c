//! One header against another, declaration by declaration: what the real header has and
//! uapigen's lacks, what both have with another measure, what only uapigen's has. A record
//! missing (or extra) as a whole is one finding, not one per member.

use std::fmt;

use super::probe::Measures;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// In the real header only.
    Missing,
    /// In both, measured differently: uapigen gets it wrong.
    Different,
    /// In uapigen's only.
    Extra,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Missing => "missing",
            Kind::Different => "different",
            Kind::Extra => "extra",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub kind: Kind,
    /// `struct iommu_x`, `struct iommu_x.member`, `enum iommu_t`, `const IOMMU_X`.
    pub key: String,
    /// For `Different`: both measures; for a whole record: how many members it has.
    pub detail: String,
}

/// The record a member key belongs to (`struct a.b.c` → `struct a`).
fn record_of(key: &str) -> Option<&str> {
    (key.starts_with("struct ") || key.starts_with("union "))
        .then(|| key.split_once('.').map(|(r, _)| r))
        .flatten()
}

/// The findings of `generated` against `real`, in key order within each kind.
pub fn compare(real: &Measures, generated: &Measures) -> Vec<Finding> {
    let mut out = Vec::new();
    let absent = |key: &str, kind: Kind, other: &Measures, this: &Measures| -> Option<Finding> {
        if other.contains_key(key) {
            return None;
        }
        match record_of(key) {
            // Said once, with the record.
            Some(record) if !other.contains_key(record) => None,
            _ => {
                let members = this.keys().filter(|k| record_of(k) == Some(key)).count();
                let detail = if members > 0 {
                    format!("{members} members")
                } else {
                    String::new()
                };
                Some(Finding {
                    kind,
                    key: key.to_string(),
                    detail,
                })
            }
        }
    };
    for (key, value) in real {
        match generated.get(key) {
            Some(v) if v == value => {}
            Some(v) => out.push(Finding {
                kind: Kind::Different,
                key: key.clone(),
                detail: format!("real `{value}`, uapigen `{v}`"),
            }),
            None => out.extend(absent(key, Kind::Missing, generated, real)),
        }
    }
    for key in generated.keys() {
        out.extend(absent(key, Kind::Extra, real, generated));
    }
    out.sort();
    out
}

#[test]
fn a_missing_record_is_one_finding_and_a_changed_measure_is_different() {
    let m = |pairs: &[(&str, &str)]| -> Measures {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let real = m(&[
        ("struct a", "size 8 align 4"),
        ("struct a.x", "offset 0 size 4"),
        ("struct a.y", "offset 4 size 4"),
        ("struct b", "size 4 align 4"),
        ("struct b.z", "offset 0 size 4"),
        ("const A", "define = 1"),
    ]);
    let generated = m(&[
        ("struct a", "size 8 align 4"),
        ("struct a.x", "offset 0 size 8"),
        ("const A", "define = 1"),
        ("const B", "define = 2"),
    ]);
    let found: Vec<String> = compare(&real, &generated)
        .iter()
        .map(|f| format!("{} {} {}", f.kind, f.key, f.detail))
        .collect();
    assert_eq!(
        found,
        [
            "missing struct a.y ",
            "missing struct b 1 members",
            "different struct a.x real `offset 0 size 4`, uapigen `offset 0 size 8`",
            "extra const B ",
        ]
    );
}
