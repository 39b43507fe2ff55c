//! The layout proof with libclang: the committed headers, parsed for each of the seven target
//! ABIs, have exactly the IR's layouts; a stale header is caught, naming the struct, the member
//! and both layouts. libclang missing is a failure here, never a skip (scripts/setup installs
//! it).

mod common;

use common::*;
use uapigen::clang_proof::prove;

#[test]
fn committed_headers_match_the_ir_on_every_target() {
    let families = real_families();
    let mismatches =
        prove(&families, &repo_root().join("generated/include")).unwrap_or_else(|e| panic!("{e}"));
    let text: Vec<String> = mismatches.iter().map(|m| m.to_string()).collect();
    assert!(mismatches.is_empty(), "{}", text.join("\n"));
}

#[test]
fn feature_schema_header_matches_the_ir_on_every_target() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let mismatches = prove(
        &families,
        &repo_root().join("codegen/tests/golden/out/include"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let text: Vec<String> = mismatches.iter().map(|m| m.to_string()).collect();
    assert!(mismatches.is_empty(), "{}", text.join("\n"));
}

/// A header edited by hand (a `__u64` turned into `__u32`, the byte after it made explicit so
/// C still compiles) no longer matches the IR, and the proof says where, on which targets.
#[test]
fn a_stale_header_is_caught_with_both_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let linux = dir.path().join("uapi/linux");
    std::fs::create_dir_all(&linux).unwrap();
    // Every family's header: the proof reads them all.
    for e in std::fs::read_dir(repo_root().join("generated/include/uapi/linux")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, linux.join(p.file_name().unwrap())).unwrap();
    }
    let h = linux.join("iommu.h");
    let text = std::fs::read_to_string(&h).unwrap();
    let stale = text.replacen("\t__u8 padding[6];\n", "\t__u8 padding[7];\n", 1);
    assert_ne!(stale, text);
    std::fs::write(&h, stale).unwrap();
    let mismatches = prove(&real_families(), dir.path()).unwrap();
    let text: Vec<String> = mismatches.iter().map(|m| m.to_string()).collect();
    let all = text.join("\n");
    for target in ["x86_64-linux-gnu", "i686-linux-gnu", "s390x-linux-gnu"] {
        assert!(
            all.contains(&format!("{target}: struct iommu_cache_invalidate_info (iommu): `padding` at offset 10 size 7 by libclang, offset 10 size 6 in the IR")),
            "{all}"
        );
    }
    assert!(
        mismatches
            .iter()
            .all(|m| m.struct_name == "iommu_cache_invalidate_info"),
        "{all}"
    );
}

const TRAP: &str = "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"G\"\nlicense = \"L\"\n[[revision]]\nid = \"r\"\n\
[[struct]]\nname = \"s\"\nfields = [{ name = \"flags\", type = \"__u32\" }, { name = \"addr\", type = \"__u64\" }]\n";

/// `__u32` then a plain `__u64`: a hole on 64-bit ABIs, none on i686, so two layouts. The
/// message names the field and both layouts. `__aligned_u64` alone makes the layouts agree but
/// leaves the hole (said so); explicit padding fixes it, with either type.
#[test]
fn an_abi_trap_is_caught_naming_the_field_and_fixed() {
    let load = |text: &str| uapigen::load_source(uapigen::Source::new("t.toml", text), "t.toml");
    let err = load(TRAP).unwrap_err().to_string();
    assert!(
        err.contains(
            "implicit padding hole in struct `s`: 4 bytes at offset 4 between `flags` and `addr`"
        ),
        "{err}"
    );
    assert!(
        err.contains("addr at offset 8 on x86_64-linux-gnu, addr at offset 4 on i686-linux-gnu"),
        "{err}"
    );

    let aligned = TRAP.replace(
        "\"addr\", type = \"__u64\"",
        "\"addr\", type = \"__aligned_u64\"",
    );
    let err = load(&aligned).unwrap_err().to_string();
    assert!(err.contains("the same hole on every ABI listed"), "{err}");
    assert!(!err.contains("layout differs"), "{err}");

    let padded = "{ name = \"__reserved\", type = \"__u32\", reserved = true }, { name = \"addr\"";
    for fixed in [
        TRAP.replace("{ name = \"addr\"", padded),
        aligned.replace("{ name = \"addr\"", padded),
    ] {
        let c = load(&fixed).unwrap_or_else(|e| panic!("{e}"));
        for l in c.layouts.iter() {
            assert_eq!(
                (
                    l.structs[0].size,
                    l.structs[0].member("addr").unwrap().offset
                ),
                (16, 8),
                "{}",
                l.target.triple
            );
        }
    }
}

/// The real v6.11 `iommu_hwpt_pgfault` is reported the same way when the schema does not
/// acknowledge it as a shipped trap.
#[test]
fn the_real_pgfault_trap_needs_its_acknowledgement() {
    let text = std::fs::read_to_string(repo_root().join("schema/iommufd.toml")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("abi_trap = {"))
        .expect("the schema acknowledges the trap");
    let bare = text.replace(&format!("{line}\n"), "");
    let err = uapigen::load_source(uapigen::Source::new("iommufd.toml", bare), "iommufd.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("implicit padding hole in struct `iommu_hwpt_pgfault`: 4 bytes at offset 20 between `perm` and `addr`"), "{err}");
    assert!(
        err.contains("addr at offset 24 on x86_64-linux-gnu, addr at offset 20 on i686-linux-gnu"),
        "{err}"
    );
}

/// The proof of the golden families over their headers, with `from` replaced by `to` (once)
/// in golden header `file` as a hand edit would: the mismatches, and their text.
fn prove_golden_edited(
    file: &str,
    from: &str,
    to: &str,
) -> (Vec<uapigen::clang_proof::Mismatch>, String) {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let linux = dir.path().join("uapi/linux");
    std::fs::create_dir_all(&linux).unwrap();
    let golden = repo_root().join("codegen/tests/golden/out/include/uapi/linux");
    // Every golden header: the proof reads each family's.
    for e in std::fs::read_dir(&golden).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, linux.join(p.file_name().unwrap())).unwrap();
    }
    let h = linux.join(file);
    let text = std::fs::read_to_string(&h).unwrap();
    let stale = text.replacen(from, to, 1);
    assert_ne!(stale, text);
    std::fs::write(&h, stale).unwrap();
    let mismatches = prove(&families, dir.path()).unwrap();
    let all = mismatches
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    (mismatches, all)
}

/// An ioctl number whose argument type was edited by hand in the header (`struct feat_small`,
/// 8 bytes, to `struct feat_big`, 32) is caught on every target with both values: asm-generic's
/// encoding on x86-64, powerpc's (`_IOC_READ` 2 at bit 29) on ppc64le.
#[test]
fn a_stale_ioctl_number_is_caught_with_each_targets_value() {
    let (mismatches, all) = prove_golden_edited(
        "features.h",
        "_IOR(FEAT_TYPE, 0x01, struct feat_small)",
        "_IOR(FEAT_TYPE, 0x01, struct feat_big)",
    );
    let (ty, nr) = (u64::from(b'F') << 8, 1u64);
    let generic = |size: u64| (2u64 << 30) | (size << 16) | ty | nr;
    let powerpc = |size: u64| (2u64 << 29) | (size << 16) | ty | nr;
    for (target, c, ir) in [
        ("x86_64-linux-gnu", generic(32), generic(8)),
        ("i686-linux-gnu", generic(32), generic(8)),
        ("powerpc64le-linux-gnu", powerpc(32), powerpc(8)),
    ] {
        assert!(
            all.contains(&format!(
                "{target}: constant FEAT_GET_SMALL (features): {c} by libclang, {ir} in the IR"
            )),
            "{all}"
        );
    }
    // The alias follows it; nothing else differs.
    assert_eq!(mismatches.len(), 2 * 7, "{all}");
}

/// An ioctl wrapper edited by hand in its own header (extdep.h's `EXTDEP_IOWR` made an
/// `_IOR`) changes every number written through it, there and in the header that includes it
/// (extuse.h's, whose schema copies the wrapper, and those of extuse.h's wrappers that forward
/// to it): the proof catches each on every target, with powerpc's encoding on ppc64le.
#[test]
fn a_stale_ioctl_wrapper_is_caught_in_every_number_written_through_it() {
    let (mismatches, all) = prove_golden_edited(
        "extdep.h",
        "_IOWR(EXTDEP_IOCTL_BASE,nr,type)",
        "_IOR(EXTDEP_IOCTL_BASE,nr,type)",
    );
    // EXTUSE_IOCTL_TIMER: `EXTDEP_IOWR(EXTDEP_BASE + EXTUSE_CMD_TIMER, struct extuse_timer)`,
    // 32 bytes, number 0x42, type 'd'.
    let (size, ty, nr) = (32u64 << 16, u64::from(b'd') << 8, 0x42u64);
    for (target, c, ir) in [
        ("x86_64-linux-gnu", 2u64 << 30, 3u64 << 30),
        ("i686-linux-gnu", 2 << 30, 3 << 30),
        ("powerpc64le-linux-gnu", 2 << 29, 6 << 29),
    ] {
        assert!(
            all.contains(&format!(
                "{target}: constant EXTUSE_IOCTL_TIMER (extuse): {} by libclang, {} in the IR",
                c | size | ty | nr,
                ir | size | ty | nr
            )),
            "{all}"
        );
    }
    // extdep's own number through it, extuse's two and the two through the wrappers that
    // forward to it (`EXTUSE_IOCTL`, pasting `EXTDEP_##dir`; `EXTUSE_CALL`, calling its
    // parameter): nothing else differs.
    for name in [
        "EXTDEP_IOCTL_EVENT",
        "EXTUSE_IOCTL_WORD",
        "EXTUSE_IOCTL_TIMER_TOO",
        "EXTUSE_IOCTL_PEEK_TOO",
    ] {
        assert!(all.contains(&format!("constant {name} (")), "{all}");
    }
    assert_eq!(mismatches.len(), 5 * 7, "{all}");
}

/// Bitfields laid out as clang lays them out on every ABI: 300 structs drawn at random (a
/// fixed seed) from bitfields of every integer size, named, unnamed and zero-width, between
/// whole members, in packed structs and not, each laid out by the model and measured by
/// libclang on the seven targets (size, alignment, every member's bytes and every bitfield's
/// bits). Holes are allowed here: this is the layout, before the check refuses them.
#[test]
fn bitfields_are_laid_out_as_clang_does_on_every_abi() {
    use uapigen::model::TargetId;
    // (schema type, C type, bits, named bitfields allowed)
    const TYPES: &[(&str, &str, u32)] = &[
        ("__u8", "unsigned char", 8),
        ("__s8", "signed char", 8),
        ("__u16", "unsigned short", 16),
        ("__s16", "short", 16),
        ("__u32", "unsigned int", 32),
        ("int", "int", 32),
        ("__u64", "unsigned long long", 64),
        ("__s64", "long long", 64),
        ("unsigned long", "unsigned long", 32),
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut schema = String::from(
        "[family]\nname = \"bits\"\nheader = \"linux/bits.h\"\nguard = \"_UAPI_LINUX_BITS_H\"\nlicense = \"GPL-2.0 WITH Linux-syscall-note\"\n\n[[revision]]\nid = \"r1\"\n",
    );
    let mut c = String::new();
    let structs = 300;
    for i in 0..structs {
        let packed = next(4) == 0;
        let mut fields = Vec::new();
        let mut decls = String::new();
        for j in 0..1 + next(7) {
            let (st, ct, max) = TYPES[next(TYPES.len() as u64) as usize];
            match next(6) {
                // A whole member.
                0 => {
                    fields.push(format!("{{ name = \"f{j}\", type = \"{st}\" }}"));
                    decls.push_str(&format!("{ct} f{j}; "));
                }
                // Padding bits, or the next unit.
                1 => {
                    let w = if next(3) == 0 {
                        0
                    } else {
                        1 + next(max as u64)
                    };
                    fields.push(format!("{{ type = \"{st}\", bits = {w} }}"));
                    decls.push_str(&format!("{ct} :{w}; "));
                }
                _ => {
                    let w = 1 + next(max as u64);
                    fields.push(format!(
                        "{{ name = \"f{j}\", type = \"{st}\", bits = {w} }}"
                    ));
                    decls.push_str(&format!("{ct} f{j}:{w}; "));
                }
            }
        }
        // A struct needs a named member for C to have one.
        fields.push("{ name = \"last\", type = \"__u8\" }".to_string());
        decls.push_str("unsigned char last; ");
        schema.push_str(&format!(
            "\n[[struct]]\nname = \"b{i}\"\n{}fields = [{}]\n",
            if packed { "packed = true\n" } else { "" },
            fields.join(", ")
        ));
        c.push_str(&format!(
            "struct b{i} {{ {decls}}}{};\n",
            if packed {
                " __attribute__((packed))"
            } else {
                ""
            }
        ));
    }
    let checked = uapigen::lay_out(
        uapigen::Source::new("bits.toml", schema.clone()),
        "bits.toml",
    )
    .unwrap_or_else(|e| panic!("{e}\n{schema}"));
    let latest = checked.latest();
    let (mut bitfields, mut compared) = (0, 0);
    for (t, target) in TargetId::all() {
        let measured =
            uapigen::clang_proof::measure(&c, &[], target).unwrap_or_else(|e| panic!("{e}"));
        for (s, st) in latest.structs() {
            let ir = latest.layout(s, t);
            let m = &measured[&st.name];
            let decl = c
                .lines()
                .find(|l| l.starts_with(&format!("struct {} ", st.name)))
                .unwrap();
            assert_eq!(
                (m.size, m.align),
                (ir.size, ir.align),
                "{}: size/align of `{decl}`",
                target.triple
            );
            for member in &ir.members {
                let got = m.members.get(&member.path).copied();
                let want = (
                    member.offset,
                    member.size,
                    member.bits.map(|b| (b.bit, b.width)),
                );
                assert_eq!(
                    got,
                    Some(want),
                    "{}: `{}` of `{decl}`",
                    target.triple,
                    member.path
                );
                bitfields += usize::from(member.bits.is_some());
                compared += 1;
            }
        }
    }
    assert!(
        bitfields > 1000 && compared > 3000,
        "{bitfields} bitfields of {compared} members"
    );
}

/// A string define edited by hand (one byte of an escape, which keeps its length) is caught
/// on every target, and so is the define that joins it, byte for byte.
#[test]
fn a_stale_string_is_caught_byte_for_byte() {
    let (mismatches, all) = prove_golden_edited("features.h", r#""FK\032" "\0"#, r#""FK\033" "\0"#);
    for target in ["x86_64-linux-gnu", "s390x-linux-gnu"] {
        for name in ["FEAT_MAGIC", "FEAT_NAME_MAGIC"] {
            assert!(
                all.contains(&format!("{target}: string {name} (features): ")),
                "{all}"
            );
        }
    }
    assert!(
        all.contains(r#"string FEAT_MAGIC (features): "FK\u{1b}\0\u{7f}\"q\\\0" (9 bytes) by libclang, "FK\u{1a}\0\u{7f}\"q\\\0" (9 bytes) in the IR"#),
        "{all}"
    );
    assert_eq!(mismatches.len(), 2 * 7, "{all}");
}

/// The proof's mismatches with bitfields.h's big-endian declaration `from` edited to `to`:
/// all of them on s390x, the only big-endian target (the text of them all).
fn caught_on_s390x_alone(from: &str, to: &str) -> String {
    let at = "#elif defined(__BIG_ENDIAN_BITFIELD)\n";
    let (mismatches, all) =
        prove_golden_edited("bitfields.h", &format!("{at}{from}"), &format!("{at}{to}"));
    assert!(!mismatches.is_empty());
    assert!(
        mismatches
            .iter()
            .all(|m| m.to_string().starts_with("s390x-linux-gnu: ")),
        "{all}"
    );
    all
}

/// Members declared per byte order that are not bitfields (bitfields.h's `bf_fanout`, as
/// linux/if_packet.h's `fanout_args`): the big-endian declaration edited to the little-endian
/// order is caught on s390x alone, member by member.
#[test]
fn a_big_endian_declaration_in_the_wrong_order_is_caught_on_s390x() {
    let all = caught_on_s390x_alone(
        "\t__u16 type_flags;\n\t__u16 id;",
        "\t__u16 id;\n\t__u16 type_flags;",
    );
    for member in ["id", "type_flags"] {
        assert!(
            all.contains(&format!("struct bf_fanout (bitfields): `{member}`")),
            "{all}"
        );
    }
}

/// A run of bitfields reversed as a whole on a big-endian ABI (bitfields.h's `bf_state`, as
/// linux/drbd.h's `drbd_state`): its big-endian declaration edited to another order is caught
/// on s390x alone, bit by bit.
#[test]
fn a_word_run_in_another_order_on_big_endian_is_caught_on_s390x() {
    let all = caught_on_s390x_alone(
        "\t\tunsigned int _pad:20;\n\t\tunsigned int susp:1;\n\t\tunsigned int disk:4;\n\t\tunsigned int conn:5;\n\t\tunsigned int role:2;",
        "\t\tunsigned int conn:5;\n\t\tunsigned int role:2;\n\t\tunsigned int disk:4;\n\t\tunsigned int susp:1;\n\t\tunsigned int _pad:20;",
    );
    assert!(
        all.contains("bf_state (bitfields): `role` at bits 5..7"),
        "{all}"
    );
}

/// A run whose big-endian declaration merges its last bitfield into another (bitfields.h's
/// `bf_nd_advt`, as linux/icmpv6.h's `icmpv6_nd_advt`): that declaration edited to keep the
/// two apart is caught on s390x alone, where `reserved` is 5 bits, not 29, and `reserved2`
/// is declared.
#[test]
fn a_merged_bitfield_declared_apart_on_big_endian_is_caught_on_s390x() {
    let all = caught_on_s390x_alone(
        "\t__u32 router:1;\n\t__u32 solicited:1;\n\t__u32 override:1;\n\t__u32 reserved:29;",
        "\t__u32 router:1;\n\t__u32 solicited:1;\n\t__u32 override:1;\n\t__u32 reserved:5;\n\t__u32 reserved2:24;",
    );
    assert!(
        all.contains("bf_nd_advt (bitfields): `reserved` at bits 3..8 (5) by libclang, bits 3..32 (29) in the IR"),
        "{all}"
    );
}

/// A constant through <asm/byteorder.h>'s conversions (enums.h's `EN_GRE_CSUM`, as
/// linux/if_tunnel.h's `GRE_CSUM`): edited to the other conversion, it is caught on every
/// target with each byte order's values (s390x's the little-endian ones' swapped).
#[test]
fn a_stale_byte_order_conversion_is_caught_on_both_byte_orders() {
    let (mismatches, all) = prove_golden_edited(
        "enums.h",
        "EN_GRE_CSUM\t__cpu_to_be16(0x8000)",
        "EN_GRE_CSUM\t__cpu_to_le16(0x8000)",
    );
    for (target, c, ir) in [
        ("x86_64-linux-gnu", 32768, 128),
        ("i686-linux-gnu", 32768, 128),
        ("s390x-linux-gnu", 128, 32768),
    ] {
        assert!(
            all.contains(&format!(
                "{target}: constant EN_GRE_CSUM (enums): {c} by libclang, {ir} in the IR"
            )),
            "{all}"
        );
    }
    // `EN_GRE_FLAGS` reads it, on each target.
    assert_eq!(mismatches.len(), 2 * 7, "{all}");
}
