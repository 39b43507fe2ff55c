//! Every validated struct, four implementations, one verdict: the kernel model written from
//! REFERENCE.md, the generated Rust, the generated C (compiled and run), and the IR interpreter.
//!
//! - Sizes: every size-field value (argsz, size, or driver-data length) from 0 to sizeof+64,
//!   each with the user buffer faulting at every byte.
//! - Contents: every leaf field of several valid bases set to boundary values and constants;
//!   every rule of the schema must be the one that fails for at least one case.
//! - Reads: no implementation reads a byte the convention does not allow.

use std::collections::{BTreeSet, HashMap};

use uapigen::ir::Convention;
use uapigen::layout::size_of_ref;
use uapigen_tests::*;
use uapigen_uaccess::Errno;

/// A field's (offset, size) by dotted path, through unions and nested structs.
fn locate(name: &str, path: &str) -> (usize, usize) {
    let (c, si) = view(name);
    let mut s = si;
    let mut base = 0;
    let mut rest = path.to_string();
    loop {
        let st = c.layouts[0].struct_(s);
        if let Some(m) = st.members.iter().find(|m| m.path == rest) {
            return (base + m.offset as usize, m.size as usize);
        }
        // The longest member path that is a struct-typed prefix of what is left.
        let (m, f) = st
            .members
            .iter()
            .filter(|m| rest.starts_with(&format!("{}.", m.path)))
            .filter_map(|m| {
                uapigen::layout::field_at(c.family.struct_(s), &m.index).map(|f| (m, f))
            })
            .max_by_key(|(m, _)| m.path.len())
            .unwrap_or_else(|| panic!("{name}.{path} not found"));
        let uapigen::ir::FieldType::Struct(j) = f.ty else {
            panic!("{name}.{path}: not through a struct")
        };
        base += m.offset as usize;
        rest = rest[m.path.len() + 1..].to_string();
        s = j;
    }
}

fn set(name: &str, b: &mut [u8], path: &str, v: u64) {
    let (off, size) = locate(name, path);
    b[off..off + size].copy_from_slice(&v.to_le_bytes()[..size]);
}

struct Spec {
    name: &'static str,
    conv: Convention,
    ksize: usize,
    min: usize,
    /// Valid contents (the size field is overwritten per case).
    bases: Vec<Vec<u8>>,
    /// Driver data's expected type.
    data_type: u32,
    /// The field values each base was made of.
    fields: Vec<Vec<(String, u64)>>,
}

fn spec(name: &'static str, fields: &[&[(&str, u64)]]) -> Spec {
    let (c, si) = view(name);
    let st = c.family.struct_(si);
    let v = st.validation.as_ref().unwrap();
    let ksize = c.layouts[0].struct_(si).size as usize;
    let bases = fields
        .iter()
        .map(|fs| {
            let mut b = vec![0u8; ksize];
            for (p, x) in *fs {
                set(name, &mut b, p, *x);
            }
            b
        })
        .collect();
    Spec {
        name,
        conv: st.convention.unwrap(),
        ksize,
        min: size_of_ref(c.family, &c.layouts[0], si, &v.min_size).unwrap() as usize,
        bases,
        data_type: v.data_type.as_ref().map_or(0, |d| d.1 as u32),
        fields: fields
            .iter()
            .map(|fs| fs.iter().map(|(p, x)| (p.to_string(), *x)).collect())
            .collect(),
    }
}

fn specs() -> Vec<Spec> {
    vec![
        spec(
            "iommu_page_response",
            &[&[
                ("version", 1),
                ("flags", 1),
                ("pasid", 5),
                ("grpid", 3),
                ("code", 2),
            ]],
        ),
        spec(
            "iommu_cache_invalidate_info",
            &[
                &[("version", 1), ("cache", 5), ("granularity", 0)],
                &[
                    ("version", 1),
                    ("cache", 7),
                    ("granularity", 1),
                    ("granu.pasid_info.flags", 1),
                    ("granu.pasid_info.pasid", 9),
                ],
                &[
                    ("version", 1),
                    ("cache", 3),
                    ("granularity", 2),
                    ("granu.addr_info.flags", 7),
                    ("granu.addr_info.addr", 0x10_0000),
                    ("granu.addr_info.granule_size", 4096),
                    ("granu.addr_info.nb_granules", 4),
                ],
            ],
        ),
        spec(
            "iommu_gpasid_bind_data",
            &[&[
                ("version", 1),
                ("format", 1),
                ("addr_width", 48),
                ("flags", 1),
                ("gpgd", 0x1000),
                ("hpasid", 5),
                ("gpasid", 6),
                ("vendor.vtd.flags", 1),
            ]],
        ),
        spec(
            "iommu_hwpt_alloc",
            &[
                &[
                    ("flags", 1),
                    ("dev_id", 1),
                    ("pt_id", 2),
                    ("data_type", 1),
                    ("data_len", 24),
                    ("data_uptr", 0x1000),
                ],
                &[("flags", 0), ("dev_id", 1), ("pt_id", 2)],
            ],
        ),
        spec(
            "iommu_hwpt_invalidate",
            &[
                &[
                    ("hwpt_id", 3),
                    ("data_uptr", 0x2000),
                    ("entry_len", 24),
                    ("entry_num", 2),
                ],
                &[("hwpt_id", 3)],
            ],
        ),
        spec(
            "iommu_hw_info",
            &[&[("dev_id", 1), ("data_len", 24), ("data_uptr", 0x3000)]],
        ),
        spec(
            "iommu_ioas_map",
            &[&[
                ("flags", 6),
                ("ioas_id", 1),
                ("user_va", 0x7000),
                ("length", 0x1000),
                ("iova", 0x10000),
            ]],
        ),
        spec(
            "iommu_hwpt_vtd_s1",
            &[&[("flags", 1), ("pgtbl_addr", 0x5000), ("addr_width", 48)]],
        ),
        spec(
            "iommu_hwpt_vtd_s1_invalidate",
            &[
                &[("addr", 0x1000), ("npages", 4), ("flags", 1)],
                &[("addr", 0), ("npages", u64::MAX)],
            ],
        ),
        // From here on, the commands whose models were added with their handlers' checks.
        spec("iommu_destroy", &[&[("id", 7)]]),
        spec(
            "iommu_ioas_alloc",
            &[&[("out_ioas_id", 0)], &[("out_ioas_id", 9)]],
        ),
        spec(
            "iommu_ioas_iova_ranges",
            &[&[
                ("ioas_id", 1),
                ("num_iovas", 4),
                ("allowed_iovas", 0x4000),
                ("out_iova_alignment", 0x1000),
            ]],
        ),
        spec(
            "iommu_ioas_allow_iovas",
            &[&[("ioas_id", 1), ("num_iovas", 2), ("allowed_iovas", 0x4000)]],
        ),
        spec(
            "iommu_ioas_copy",
            &[&[
                ("flags", 7),
                ("dst_ioas_id", 1),
                ("src_ioas_id", 2),
                ("length", 0x2000),
                ("dst_iova", 0x10000),
                ("src_iova", 0x20000),
            ]],
        ),
        spec(
            "iommu_ioas_unmap",
            &[&[("ioas_id", 1), ("iova", 0x10000), ("length", 0x1000)]],
        ),
        spec(
            "iommu_option",
            &[
                // RLIMIT_MODE, GET: the global option, object_id 0.
                &[("option_id", 0), ("op", 1)],
                // HUGE_PAGES on an IOAS, SET: op is the IOAS handler's, after its lookup.
                &[("option_id", 1), ("op", 0), ("object_id", 3), ("val64", 1)],
            ],
        ),
        spec(
            "iommu_vfio_ioas",
            &[&[("ioas_id", 0), ("op", 0)], &[("ioas_id", 2), ("op", 1)]],
        ),
        spec(
            "iommu_hwpt_set_dirty_tracking",
            &[&[("flags", 1), ("hwpt_id", 3)]],
        ),
        spec(
            "iommu_hwpt_get_dirty_bitmap",
            &[&[
                ("hwpt_id", 3),
                ("flags", 1),
                ("iova", 0x10000),
                ("length", 0x8000),
                ("page_size", 0x1000),
                ("data", 0x6000),
            ]],
        ),
        spec("iommu_fault_alloc", &[&[("out_fault_id", 0)]]),
        spec(
            "iommu_viommu_alloc",
            &[&[("type", 1), ("dev_id", 1), ("hwpt_id", 2)]],
        ),
        spec(
            "iommu_vdevice_alloc",
            &[&[("viommu_id", 4), ("dev_id", 1), ("virt_id", 0x10)]],
        ),
        spec(
            "iommu_ioas_map_file",
            &[&[
                ("flags", 3),
                ("ioas_id", 1),
                ("fd", 5),
                ("start", 0x1000),
                ("length", 0x2000),
                ("iova", 0x30000),
            ]],
        ),
        spec("iommu_ioas_change_process", &[&[]]),
        spec(
            "iommu_veventq_alloc",
            &[&[("viommu_id", 4), ("type", 1), ("veventq_depth", 16)]],
        ),
        spec(
            "iommu_hw_queue_alloc",
            &[&[
                ("viommu_id", 4),
                ("type", 1),
                ("index", 0),
                ("nesting_parent_iova", 0x8000_0000),
                ("length", 0x1000),
            ]],
        ),
    ]
}

/// The furthest byte a convention allows to be read, for a given size-field value.
fn allowed_end(s: &Spec, v: usize) -> usize {
    match s.conv {
        Convention::Argsz => s.min.max(v.min(s.ksize)),
        Convention::Size => 4usize.max(v),
        Convention::UserData => v,
    }
}

struct Run {
    cases: Vec<Case>,
    /// The size-field value of each case, for the read bound.
    sizes: Vec<usize>,
}

fn push(run: &mut Run, s: &Spec, data: Vec<u8>, readable: usize, v: usize) {
    let ud = (s.conv == Convention::UserData).then_some((s.data_type, v as u32));
    run.cases.push(Case {
        name: s.name,
        data,
        readable,
        ud,
    });
    run.sizes.push(v);
}

/// A base with its size field (or the driver-data length) set to `v`, in a buffer of
/// `max(v, ksize) + 8` bytes whose tail past the struct is `tail`.
fn sized(s: &Spec, base: &[u8], v: usize, tail: u8) -> Vec<u8> {
    let mut b = base.to_vec();
    if s.conv != Convention::UserData {
        b[..4].copy_from_slice(&(v as u32).to_le_bytes());
    }
    b.resize(v.max(s.ksize) + 8, 0);
    if tail != 0 {
        let last = b.len() - 9;
        if last >= s.ksize {
            b[last] = tail;
        }
    }
    b
}

/// Runs every case through the four implementations and compares; returns the rules the
/// Rust validator reported.
fn compare(run: &Run) -> BTreeSet<&'static str> {
    let (rules, failures) = disagreements(run);
    assert!(
        failures.is_empty(),
        "{} disagreements, first ones:\n{}",
        failures.len(),
        failures.join("\n")
    );
    rules
}

/// The rules the Rust validator reported, and the first disagreements (up to 21).
fn disagreements(run: &Run) -> (BTreeSet<&'static str>, Vec<String>) {
    let c_results = CHarness::get().run(&run.cases);
    let mut rules = BTreeSet::new();
    let mut failures = Vec::new();
    // Each struct's convention, sizeof and min_size, looked up once.
    let mut shapes: HashMap<&str, Spec> = HashMap::new();
    for ((case, v), (c_out, c_read_end, poison)) in run.cases.iter().zip(&run.sizes).zip(c_results)
    {
        let fresh = || Mem::new(case.data.clone(), case.readable);
        let m = fresh();
        let kernel = kernel::model(case.name, &m, case.ud);
        let m = fresh();
        let (rust_out, rule) = rust(case.name, &m, case.ud);
        if let Some(r) = rule {
            rules.insert(r);
        }
        let interp = interpreted(case.name, &fresh(), case.ud);
        let shape = shapes.entry(case.name).or_insert_with(|| {
            let (c, si) = view(case.name);
            let st = c.family.struct_(si);
            let min_size = &st.validation.as_ref().unwrap().min_size;
            Spec {
                name: case.name,
                conv: st.convention.unwrap(),
                ksize: c.layouts[0].struct_(si).size as usize,
                min: size_of_ref(c.family, &c.layouts[0], si, min_size).unwrap() as usize,
                bases: vec![],
                data_type: 0,
                fields: vec![],
            }
        });
        let bound = allowed_end(shape, *v) as u64;
        let describe = || {
            format!(
                "{} size={v} readable={} of {} bytes",
                case.name,
                case.readable,
                case.data.len()
            )
        };
        if rust_out != kernel {
            failures.push(format!(
                "{}: Rust {rust_out:?} ({rule:?}) vs kernel {kernel:?}",
                describe()
            ));
        }
        if c_out != kernel {
            failures.push(format!("{}: C {c_out:?} vs kernel {kernel:?}", describe()));
        }
        if interp != kernel {
            failures.push(format!(
                "{}: interpreter {interp:?} vs kernel {kernel:?}",
                describe()
            ));
        }
        if m.read_end() > bound || m.read_start().is_some_and(|s| s > u64::MAX / 2) {
            failures.push(format!(
                "{}: Rust read up to byte {} (allowed {bound})",
                describe(),
                m.read_end()
            ));
        }
        // The inputs here never hold 0xa5, so a poisoned byte is one C never wrote.
        assert!(
            !case.data.contains(&0xa5),
            "test input must not contain the poison byte"
        );
        if poison != 0 {
            failures.push(format!(
                "{}: C left {poison} byte(s) of *dst unwritten ({c_out:?})",
                describe()
            ));
        }
        if c_read_end > bound {
            failures.push(format!(
                "{}: C read up to byte {c_read_end} (allowed {bound})",
                describe()
            ));
        }
        if failures.len() > 20 {
            break;
        }
    }
    (rules, failures)
}

/// Every base with its size field at every value 0..=sizeof+`over`, the buffer faulting at
/// every byte for the sizes `faults` picks (else wholly readable), and a non-zero byte past the
/// struct at sizeof+1, +8, +`over`.
fn size_cases(s: &Spec, over: usize, faults: impl Fn(usize) -> bool) -> Run {
    let mut run = Run {
        cases: Vec::new(),
        sizes: Vec::new(),
    };
    for base in &s.bases {
        for v in 0..=s.ksize + over {
            let data = sized(s, base, v, 0);
            let first = if faults(v) { 0 } else { data.len() };
            for readable in first..=data.len() {
                push(&mut run, s, data.clone(), readable, v);
            }
        }
        // A non-zero byte past the struct: -E2BIG for size and driver-data lengths that
        // reach it, ignored by argsz.
        for v in [s.ksize + 1, s.ksize + 8, s.ksize + over] {
            let data = sized(s, base, v, 0x5a);
            let first = if faults(v) { 0 } else { data.len() };
            for readable in first..=data.len() {
                push(&mut run, s, data.clone(), readable, v);
            }
        }
    }
    run
}

/// Every size value 0..=sizeof+64, every fault position.
#[test]
fn every_size_and_every_fault_agrees_with_the_kernel() {
    for s in specs() {
        let mut run = size_cases(&s, 64, |_| true);
        if s.conv == Convention::UserData {
            for wrong in [s.data_type.wrapping_add(1), 0xffff_ffff] {
                let data = sized(&s, &s.bases[0], s.ksize, 0);
                run.cases.push(Case {
                    name: s.name,
                    data: data.clone(),
                    readable: data.len(),
                    ud: Some((wrong, s.ksize as u32)),
                });
                run.sizes.push(s.ksize);
            }
        }
        // Every base at every size with every fault position: at least (sizes) × 40.
        let n = run.cases.len();
        assert!(
            n >= s.bases.len() * (s.ksize + 65) * 40,
            "{}: {n} cases",
            s.name
        );
        let rules = compare(&run);
        // The size checks themselves must have been the deciding rule somewhere.
        if s.conv == Convention::Argsz {
            assert!(
                rules.iter().any(|r| r.starts_with("argsz >= minsz")),
                "{}: {rules:?}",
                s.name
            );
        }
    }
}

/// Boundary values and constants in every leaf field of every base; every rule of the schema
/// must decide at least one case.
#[test]
fn every_rule_rejects_something_and_all_implementations_agree() {
    for s in specs() {
        let run = content_cases(&s);
        let hit = compare(&run);
        every_rule_hit(&s, &hit);
    }
}

/// Every rule of the struct (at the spec's revision) decided some case.
fn every_rule_hit(s: &Spec, hit: &BTreeSet<&'static str>) {
    let (c, si) = view(s.name);
    for r in &c.family.struct_(si).validation.as_ref().unwrap().rules {
        assert!(
            hit.contains(r.text.as_str()),
            "{}: no case made rule `{}` decide; hit: {hit:?}",
            s.name,
            r.text
        );
    }
}

/// Every leaf field of every base set to boundary values and the family's constants (an
/// array: each element to 1), at size sizeof; each base must be valid to the kernel model.
fn content_cases(s: &Spec) -> Run {
    {
        let (c, si) = view(s.name);
        let st = c.family.struct_(si);
        let mut values: Vec<u64> = vec![
            0,
            1,
            2,
            3,
            4,
            5,
            7,
            8,
            0x10,
            0x40,
            0x80,
            0xff,
            0x1000,
            0x1001,
            0xffff_ffff,
            u64::MAX,
            u64::MAX - 1,
        ];
        values.extend(c.family.constants().map(|k| k.value));
        values.sort_unstable();
        values.dedup();
        let leaves = leaf_fields(s.name);
        let mut run = Run {
            cases: Vec::new(),
            sizes: Vec::new(),
        };
        for base in &s.bases {
            for (path, len) in &leaves {
                if path == st.convention.unwrap().size_field() {
                    continue;
                }
                match len {
                    Some(n) => {
                        for i in 0..*n {
                            let mut b = sized(s, base, s.ksize, 0);
                            let (off, size) = locate(s.name, path);
                            b[off + i * (size / n)] = 1;
                            let len = b.len();
                            push(&mut run, s, b, len, s.ksize);
                        }
                    }
                    None => {
                        for v in &values {
                            let mut b = sized(s, base, s.ksize, 0);
                            set(s.name, &mut b, path, *v);
                            let len = b.len();
                            push(&mut run, s, b, len, s.ksize);
                        }
                    }
                }
            }
            // The valid base itself is accepted by all.
            let b = sized(s, base, s.ksize, 0);
            let m = Mem::new(b.clone(), b.len());
            let ud = (s.conv == Convention::UserData).then_some((s.data_type, s.ksize as u32));
            assert!(
                kernel::model(s.name, &m, ud).is_ok(),
                "{}: base must be valid",
                s.name
            );
        }
        run
    }
}

/// Where the schema's rules are known to differ from the kernel of a revision (the kernel
/// model, from that release's handler): (struct, revision, what the kernel does). Each entry
/// must still disagree, so a fixed schema fails here until its entry goes.
const KNOWN_WRONG: &[(&str, &str, &str)] = &[];

/// Every iommufd command at every revision it exists in, against the kernel model of that
/// revision: every size with the whole buffer readable (every fault position at sizeof and the
/// min_size), and the contents cases; every rule must decide something at every revision.
#[test]
fn every_revision_agrees_with_its_kernel() {
    let specs = specs();
    let mut wrong = Vec::new();
    let mut cases = 0;
    for name in at_every_revision() {
        let (base, rev) = split(name);
        let rev = rev.unwrap();
        let s0 = specs.iter().find(|s| s.name == base).expect("a spec");
        // The base's fields that exist at this revision.
        let leaves: Vec<String> = leaf_fields(name).into_iter().map(|l| l.0).collect();
        let fields: Vec<Vec<(&str, u64)>> = s0
            .fields
            .iter()
            .map(|fs| {
                fs.iter()
                    .filter(|(p, _)| leaves.contains(p))
                    .map(|(p, x)| (p.as_str(), *x))
                    .collect()
            })
            .collect();
        let field_refs: Vec<&[(&str, u64)]> = fields.iter().map(|f| f.as_slice()).collect();
        let mut s = spec(name, &field_refs);
        // Only the bases valid to this revision's kernel (v6.6 takes no hwpt_alloc flag).
        let valid = |b: &Vec<u8>| {
            let b = sized(&s, b, s.ksize, 0);
            kernel::model(name, &Mem::new(b.clone(), b.len()), None).is_ok()
        };
        let keep: Vec<bool> = s.bases.iter().map(valid).collect();
        let mut k = keep.iter();
        s.bases.retain(|_| *k.next().unwrap());
        let mut k = keep.iter();
        s.fields.retain(|_| *k.next().unwrap());
        assert!(!s.bases.is_empty(), "{name}: no base is valid");
        let (ksize, min) = (s.ksize, s.min);
        let mut run = size_cases(&s, 16, |v| v == ksize || v == min);
        let contents = content_cases(&s);
        run.cases.extend(contents.cases);
        run.sizes.extend(contents.sizes);
        cases += run.cases.len();
        let (hit, failures) = disagreements(&run);
        match KNOWN_WRONG.iter().find(|k| k.0 == base && k.1 == rev) {
            Some(k) => {
                assert!(
                    !failures.is_empty(),
                    "{name}: agrees with the kernel now; remove it from KNOWN_WRONG ({})",
                    k.2
                );
                wrong.push(format!("{name}: {}", failures[0]));
            }
            None => {
                assert!(
                    failures.is_empty(),
                    "{name}: {} disagreements, first ones:\n{}",
                    failures.len(),
                    failures.join("\n")
                );
                every_rule_hit(&s, &hit);
            }
        }
    }
    assert_eq!(wrong.len(), KNOWN_WRONG.len(), "{wrong:#?}");
    eprintln!(
        "{} struct revisions, {cases} cases; known wrong:\n{}",
        at_every_revision().len(),
        wrong.join("\n")
    );
}

/// Leaf (scalar or array) fields of a struct, by dotted path, through unions and nested structs.
fn leaf_fields(name: &str) -> Vec<(String, Option<usize>)> {
    fn walk(
        c: &View,
        si: uapigen::model::StructId,
        prefix: &str,
        out: &mut Vec<(String, Option<usize>)>,
    ) {
        for m in &c.layouts[0].struct_(si).members {
            let f = uapigen::layout::field_at(c.family.struct_(si), &m.index).unwrap();
            let path = if prefix.is_empty() {
                m.path.clone()
            } else {
                format!("{prefix}.{}", m.path)
            };
            match (&f.ty, f.len) {
                (uapigen::ir::FieldType::Scalar(_), len) => {
                    out.push((path, len.map(|n| n as usize)))
                }
                (uapigen::ir::FieldType::Struct(j), None) => walk(c, *j, &path, out),
                _ => {}
            }
        }
    }
    let (c, si) = view(name);
    let mut out = Vec::new();
    walk(&c, si, "", &mut out);
    out
}

/// The errnos the kernel gives for a few hand-picked inputs, as REFERENCE.md states them,
/// so the agreement above is not agreement on something wrong.
#[test]
fn reference_md_examples() {
    let s = specs();
    let ci = &s[1];
    // argsz below minsz.
    let b = sized(ci, &ci.bases[0], 15, 0);
    assert_eq!(
        rust(ci.name, &Mem::new(b.clone(), b.len()), None).0,
        Err(Errno::EINVAL)
    );
    // PASID granularity with argsz 31: -EINVAL; 32 accepted (the rest zero-filled).
    let b = sized(ci, &ci.bases[1], 31, 0);
    assert_eq!(
        rust(ci.name, &Mem::new(b.clone(), b.len()), None).0,
        Err(Errno::EINVAL)
    );
    let b = sized(ci, &ci.bases[1], 32, 0);
    assert!(rust(ci.name, &Mem::new(b.clone(), b.len()), None).0.is_ok());
    // argsz larger than the struct: the tail is not read.
    let b = sized(ci, &ci.bases[2], 100, 0x5a);
    let m = Mem::new(b.clone(), 56);
    assert!(rust(ci.name, &m, None).0.is_ok());
    assert_eq!(m.read_end(), 56);
    // iommufd: a 24-byte old IOMMU_HWPT_ALLOC gets data_type/len/uptr zero-filled.
    let ha = &s[3];
    let b = sized(ha, &ha.bases[1], 24, 0);
    let out = rust(ha.name, &Mem::new(b.clone(), 24), None).0.unwrap();
    assert!(out[24..].iter().all(|x| *x == 0));
    // A longer struct with a non-zero tail: -E2BIG.
    let hi = &s[4];
    let mut b = sized(hi, &hi.bases[0], 40, 0);
    b[39] = 1;
    assert_eq!(
        rust(hi.name, &Mem::new(b.clone(), b.len()), None).0,
        Err(Errno::E2BIG)
    );
    // Driver data longer than the struct: -EINVAL, not -E2BIG.
    let vi = &s[8];
    let b = sized(vi, &vi.bases[0], 32, 0);
    assert_eq!(
        rust(vi.name, &Mem::new(b.clone(), b.len()), Some((0, 32))).0,
        Err(Errno::EINVAL)
    );
}

/// Errnos read off the handlers' source for a few inputs, checked on the kernel model and the
/// generated Rust alike, so that their agreement above is not agreement on something wrong.
#[test]
fn kernel_source_examples() {
    // (struct[@revision], fields set on a zeroed struct of size sizeof, expected errno)
    type Example<'a> = (&'a str, &'a [(&'a str, u64)], Option<Errno>);
    let cases: &[Example] = &[
        // main.c iommufd_option → iommufd_option_rlimit_mode: op 2 is neither GET nor SET.
        ("iommu_option", &[("op", 2)], Some(Errno::EOPNOTSUPP)),
        // HUGE_PAGES reads op only after iommufd_get_ioas(object_id).
        (
            "iommu_option",
            &[("option_id", 1), ("op", 7), ("object_id", 3)],
            None,
        ),
        ("iommu_option", &[("option_id", 2)], Some(Errno::EOPNOTSUPP)),
        ("iommu_option", &[("object_id", 1)], Some(Errno::EOPNOTSUPP)),
        ("iommu_vfio_ioas", &[("op", 3)], Some(Errno::EOPNOTSUPP)),
        ("iommu_vfio_ioas", &[("op", 2)], None),
        // iommufd_hwpt_set_dirty_tracking never reads its __reserved.
        (
            "iommu_hwpt_set_dirty_tracking",
            &[("flags", 1), ("__reserved", 5)],
            None,
        ),
        (
            "iommu_hwpt_set_dirty_tracking",
            &[("flags", 2)],
            Some(Errno::EOPNOTSUPP),
        ),
        (
            "iommu_hwpt_get_dirty_bitmap",
            &[("__reserved", 1)],
            Some(Errno::EOPNOTSUPP),
        ),
        ("iommu_ioas_copy", &[("flags", 8)], Some(Errno::EOPNOTSUPP)),
        (
            "iommu_ioas_iova_ranges",
            &[("__reserved", 1)],
            Some(Errno::EOPNOTSUPP),
        ),
        // v6.15 eventq.c: the -EOPNOTSUPP line comes before the depth's -EINVAL.
        (
            "iommu_veventq_alloc",
            &[("type", 0)],
            Some(Errno::EOPNOTSUPP),
        ),
        ("iommu_veventq_alloc", &[("type", 1)], Some(Errno::EINVAL)),
        (
            "iommu_hw_queue_alloc",
            &[("type", 1), ("length", 0), ("flags", 1)],
            Some(Errno::EOPNOTSUPP),
        ),
        ("iommu_hw_queue_alloc", &[("type", 1)], Some(Errno::EINVAL)),
        (
            "iommu_viommu_alloc",
            &[("type", 0)],
            Some(Errno::EOPNOTSUPP),
        ),
        // v6.17 adds a __reserved that iommufd_viommu_alloc_ioctl does not read.
        (
            "iommu_viommu_alloc@v6_17",
            &[("type", 1), ("__reserved", 1)],
            None,
        ),
        // v6.15: byte 28 is out_max_pasid_log2 now, bytes 29..31 the __reserved checked.
        ("iommu_hw_info@v6_15", &[("out_max_pasid_log2", 5)], None),
        (
            "iommu_hw_info@v6_14",
            &[("__reserved", 5)],
            Some(Errno::EOPNOTSUPP),
        ),
        (
            "iommu_hw_info@v6_17",
            &[("flags", 1), ("in_data_type", 3)],
            None,
        ),
        (
            "iommu_hw_info@v6_17",
            &[("flags", 2)],
            Some(Errno::EOPNOTSUPP),
        ),
        // v6.8's hwpt_alloc: a data_type without data_len (7adc0c1cfa77).
        ("iommu_hwpt_alloc", &[("data_type", 1)], Some(Errno::EINVAL)),
    ];
    for (name, fields, want) in cases {
        let (c, si) = view(name);
        let n = c.layouts[0].struct_(si).size as usize;
        let mut b = vec![0u8; n];
        set(name, &mut b, "size", n as u64);
        for (p, x) in *fields {
            set(name, &mut b, p, *x);
        }
        let kernel = kernel::model(name, &Mem::new(b.clone(), n), None);
        let generated = rust(name, &Mem::new(b.clone(), n), None).0;
        for (who, got) in [("kernel model", kernel), ("generated Rust", generated)] {
            assert_eq!(got.err(), *want, "{who}: {name} {fields:?}");
        }
    }
}
