//! The generated headers compile clean as C11 and as C++17 with warnings as errors, and the
//! compiler agrees with the IR on every struct's size and alignment and every member's offset
//! and size (x86-64, the machine's own ABI).

mod common;

use common::*;

/// Static assertions of the IR's x86-64 layout for every struct of every family.
fn layout_asserts(cpp: bool) -> String {
    let (assert, alignof) = if cpp {
        ("static_assert", "alignof")
    } else {
        ("_Static_assert", "_Alignof")
    };
    let mut out = String::new();
    for c in real_families() {
        out.push_str(&format!("#include <{}>\n", c.family.header));
    }
    let mut count = 0;
    for c in real_families() {
        for (si, st) in c.family.structs.iter().enumerate() {
            let l = &c.layouts[0].structs[si];
            let s = &st.name;
            out.push_str(&format!(
                "{assert}(sizeof(struct {s}) == {}, \"sizeof {s}\");\n",
                l.size
            ));
            out.push_str(&format!(
                "{assert}({alignof}(struct {s}) == {}, \"alignof {s}\");\n",
                l.align
            ));
            for m in &l.members {
                if m.path.contains("(anonymous union)") {
                    continue;
                }
                let p = &m.path;
                out.push_str(&format!(
                    "{assert}(offsetof(struct {s}, {p}) == {}, \"offsetof {s}.{p}\");\n",
                    m.offset
                ));
                // sizeof of a flexible array member does not compile; the IR gives it none.
                if st
                    .fields
                    .get(m.index[0])
                    .is_some_and(|f| f.flexible.is_some())
                {
                    assert_eq!(m.size, 0, "{s}.{p}");
                } else {
                    out.push_str(&format!(
                        "{assert}(sizeof(((struct {s} *)0)->{p}) == {}, \"sizeof {s}.{p}\");\n",
                        m.size
                    ));
                }
                count += 1;
            }
        }
    }
    assert!(count > 100, "every member is asserted ({count})");
    out
}

#[test]
fn headers_compile_as_c11_and_agree_with_the_ir() {
    let src = format!(
        "#include <stddef.h>\n{}int main(void) {{ return 0; }}\n",
        layout_asserts(false)
    );
    let include = repo_root().join("generated/include/uapi");
    let exe = compile(
        "cc",
        "layout.c",
        &src,
        &[
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic-errors",
        ],
        &include,
    );
    run(&exe);
}

#[test]
fn headers_compile_as_cpp17_and_agree_with_the_ir() {
    let src = format!(
        "#include <cstddef>\n{}int main() {{ return 0; }}\n",
        layout_asserts(true)
    );
    let include = repo_root().join("generated/include/uapi");
    let exe = compile(
        "c++",
        "layout.cpp",
        &src,
        &["-std=c++17", "-Wall", "-Wextra", "-Werror"],
        &include,
    );
    run(&exe);
}

/// The constants the header defines have the values the IR evaluated (a `#define` written as
/// an OR of others, an `_IO()` number, an enum member with an implicit value), on `-m64` and
/// `-m32`: with the golden schema's `_IOR`/`_IOW`/`_IOWR` numbers, whose size field is
/// `sizeof` the argument type, computed by gcc from the header against the IR's layouts.
#[test]
fn header_constants_equal_the_ir_values() {
    let golden = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let ioctls = |families: &[uapigen::Checked]| {
        families
            .iter()
            .flat_map(|c| c.family.constants())
            .filter(|k| matches!(&k.expr, uapigen::ir::Expr::Io { size: Some(_), .. }))
            .count()
    };
    assert!(
        ioctls(&golden) >= 4,
        "the golden schema's _IOR/_IOW/_IOWR numbers are compared"
    );
    // The golden schemas reuse the kernel's struct names (flex.toml's vfio_irq_set): each set
    // is its own program.
    constants_equal_the_ir_values(&real_families(), "generated/include/uapi");
    constants_equal_the_ir_values(&golden, "codegen/tests/golden/out/include/uapi");
}

fn constants_equal_the_ir_values(families: &[uapigen::Checked], include: &str) {
    let include = repo_root().join(include);
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        let target = uapigen::layout::target_by_triple(triple).unwrap();
        // Each target's program prints the constants it has: a define under `when` is
        // another target's, and its `unless` twin of the same name this one's. <stddef.h>
        // gives `offsetof`, as a program using linux/fuse.h's `FUSE_NAME_OFFSET` includes it.
        let mut src =
            String::from("#include <stddef.h>\n#include <stdint.h>\n#include <stdio.h>\n");
        for c in families {
            src.push_str(&format!("#include <{}>\n", c.family.header));
        }
        src.push_str("int main(void) {\n");
        let mut expected = String::new();
        for c in families {
            for k in c.family.constants() {
                if !k.on(target) {
                    // Not defined here, as C says: an `#ifdef` that would print it fails.
                    if !c
                        .family
                        .constants()
                        .any(|o| o.name == k.name && o.on(target))
                    {
                        src.push_str(&format!(
                            "#ifdef {0}\n#error \"{0} is defined on {triple}\"\n#endif\n",
                            k.name
                        ));
                    }
                    continue;
                }
                // A pointer's value (`SIG_DFL`) through `uintptr_t`, its own width.
                let via = if k.is_pointer() { "(uintptr_t)" } else { "" };
                src.push_str(&format!(
                    "\tprintf(\"%s %llu\\n\", \"{0}\", (unsigned long long){via}({0}));\n",
                    k.name
                ));
                // What C reads of the name: an enum value's `redefine` below its enum.
                let v = c.family.c_reads(k, target);
                expected.push_str(&format!("{} {v}\n", k.name));
            }
        }
        src.push_str("\treturn 0;\n}\n");
        let exe = compile(
            "cc",
            "constants.c",
            &src,
            // `__user` as the kernel's compiler_types.h defines it outside sparse.
            &[flag, "-std=c11", "-Wall", "-Wextra", "-Werror", "-D__user="],
            &include,
        );
        assert_eq!(run(&exe), expected, "{flag}");
    }
}

/// The validator headers are header-only C99 (default UAPI_COPY_FROM_USER = memcpy) and
/// also compile as C++17; a valid struct passes and a bad one gets the kernel's errno.
#[test]
fn validator_headers_compile_as_c99_and_cpp17_and_run() {
    let src = r#"
#include <uapigen/iommu_validate.h>
#include <uapigen/iommufd_validate.h>
#include <uapigen/vfio_validate.h>
#include <stdio.h>
int main(void)
{
	struct iommu_cache_invalidate_info in, out;
	struct iommu_hwpt_invalidate hi, ho;
	struct vfio_device_feature fi, fo;
	memset(&in, 0, sizeof(in));
	in.argsz = sizeof(in);
	in.version = IOMMU_CACHE_INVALIDATE_INFO_VERSION_1;
	in.cache = IOMMU_CACHE_INV_TYPE_IOTLB;
	in.granularity = IOMMU_INV_GRANU_ADDR;
	in.granu.addr_info.granule_size = 4096;
	if (iommu_cache_invalidate_info_copy_from_user(&out, &in) != 0)
		return 1;
	in.padding[3] = 1;
	if (iommu_cache_invalidate_info_copy_from_user(&out, &in) != -EINVAL)
		return 2;
	memset(&hi, 0, sizeof(hi));
	hi.size = sizeof(hi);
	hi.__reserved = 1;
	if (iommu_hwpt_invalidate_copy_from_user(&ho, &hi) != -EOPNOTSUPP)
		return 3;
	/* Per-revision tables: the published sizes and valid flags of each revision. */
	if (uapigen_iommu_hwpt_alloc_size(UAPIGEN_IOMMUFD_V6_2) != 0 ||
	    uapigen_iommu_hwpt_alloc_size(UAPIGEN_IOMMUFD_V6_6) != 24 ||
	    uapigen_iommu_hwpt_alloc_size(UAPIGEN_IOMMUFD_V6_7) != 40 ||
	    uapigen_iommu_hwpt_alloc_size(UAPIGEN_IOMMUFD_NR_REVISIONS) != 0)
		return 4;
	if (uapigen_iommu_hwpt_alloc_flags_valid(UAPIGEN_IOMMUFD_V6_6) != 0 ||
	    uapigen_iommu_hwpt_alloc_flags_valid(UAPIGEN_IOMMUFD_V6_8) != (IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return 5;
	if (uapigen_iommu_gpasid_bind_data_vendor_vtd_flags_valid(UAPIGEN_IOMMU_V5_10) != 0x3f ||
	    uapigen_iommu_gpasid_bind_data_vendor_vtd_flags_valid(UAPIGEN_IOMMU_V5_13) != 0x7f)
		return 6;
	/* VFIO_DEVICE_FEATURE's payloads (vfio_check_feature): MIGRATION is GET-only with an
	 * 8-byte struct; an unknown feature is -ENOTTY; DMA_BUF is v7.2's, not v6.1's. */
	fi.argsz = sizeof(fi) + sizeof(struct vfio_device_feature_migration);
	fi.flags = VFIO_DEVICE_FEATURE_MIGRATION | VFIO_DEVICE_FEATURE_GET;
	if (vfio_device_feature_copy_from_user(&fo, &fi) != 0)
		return 7;
	fi.argsz -= 1;
	if (vfio_device_feature_copy_from_user(&fo, &fi) != -EINVAL)
		return 8;
	fi.flags = VFIO_DEVICE_FEATURE_MIGRATION | VFIO_DEVICE_FEATURE_SET;
	if (vfio_device_feature_copy_from_user(&fo, &fi) != -EINVAL)
		return 9;
	fi.flags = 0xffff | VFIO_DEVICE_FEATURE_PROBE;
	if (vfio_device_feature_copy_from_user(&fo, &fi) != -ENOTTY)
		return 10;
	fi.flags = VFIO_DEVICE_FEATURE_DMA_BUF | VFIO_DEVICE_FEATURE_PROBE;
	if (vfio_device_feature_copy_from_user(&fo, &fi) != 0 ||
	    vfio_device_feature__v6_1_copy_from_user(&fo, &fi) != -ENOTTY)
		return 11;
	printf("ok\n");
	return 0;
}
"#;
    let root = repo_root().join("generated/include");
    for (compiler, name, std) in [("cc", "v.c", "-std=c99"), ("c++", "v.cpp", "-std=c++17")] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(name);
        std::fs::write(&file, src).unwrap();
        let exe = dir.path().join("v");
        let out = std::process::Command::new(compiler)
            .args([std, "-Wall", "-Wextra", "-Werror", "-I"])
            .arg(root.join("uapi"))
            .arg("-I")
            .arg(&root)
            .arg(&file)
            .arg("-o")
            .arg(&exe)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
        assert!(
            out.status.success(),
            "{compiler} {std}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(run(&exe), "ok\n", "{compiler}");
    }
}

/// What the IR says of every struct of golden family `name` on `triple`, as C11
/// `_Static_assert`s compiled by gcc (`-m64` or `-m32`, `-pedantic-errors`): each struct's size
/// and alignment, each member's offset and size. A member inside an array is named through its
/// first element (`pts[0].a`), as C names it; one reached through an anonymous struct or union
/// by its own name; a flexible array member by its offset only (sizeof of an incomplete array
/// does not compile; the IR gives it none). Returns the members asserted (`struct.path`) and
/// how many of them were flexible.
fn golden_layout_agrees_with_gcc(
    families: &[uapigen::Checked],
    name: &str,
    triple: &str,
    flag: &str,
) -> (Vec<String>, usize) {
    golden_layout_agrees_with_gcc_as(families, name, triple, flag, "-pedantic-errors")
}

/// `golden_layout_agrees_with_gcc` with `pedantic` in place of `-pedantic-errors`: a
/// `__DECLARE_FLEX_ARRAY()` in a union (io_uring.h's, kvm.h's) is GNU C, which -pedantic flags
/// in the kernel's own headers as in uapigen's.
fn golden_layout_agrees_with_gcc_as(
    families: &[uapigen::Checked],
    name: &str,
    triple: &str,
    flag: &str,
    pedantic: &str,
) -> (Vec<String>, usize) {
    let fam = family(families, name);
    let layouts = fam
        .layouts
        .iter()
        .find(|l| l.target.triple == triple)
        .unwrap();
    let mut src = format!("#include <stddef.h>\n#include <linux/{name}.h>\n");
    let (mut asserted, mut flexible) = (Vec::new(), 0);
    for (si, st) in fam.family.structs.iter().enumerate() {
        let l = &layouts.structs[si];
        let s = &st.name;
        let ty = st.c_type();
        src.push_str(&format!(
            "_Static_assert(sizeof({ty}) == {}, \"sizeof {s}\");\n\
             _Static_assert(_Alignof({ty}) == {}, \"alignof {s}\");\n",
            l.size, l.align
        ));
        // A bitfield has no offsetof: `bitfields_are_where_gcc_puts_them` reads its bits.
        for m in l
            .members
            .iter()
            .filter(|m| !m.path.contains("(anonymous ") && m.bits.is_none())
        {
            let mut p = String::new();
            for (k, part) in m.path.split('.').enumerate() {
                if k > 0 {
                    p.push('.');
                }
                p.push_str(part);
                let array = l.members.iter().any(|x| {
                    x.path == p
                        && uapigen::layout::field_at(st, &x.index).is_some_and(|f| f.is_array())
                });
                if array && p.len() < m.path.len() {
                    p.push_str("[0]");
                }
            }
            src.push_str(&format!(
                "_Static_assert(offsetof({ty}, {p}) == {}, \"offsetof {s}.{p}\");\n",
                m.offset
            ));
            if uapigen::layout::field_at(st, &m.index).is_some_and(|f| f.flexible.is_some()) {
                assert_eq!(m.size, 0, "{s}.{p} on {triple}");
                flexible += 1;
            } else {
                src.push_str(&format!(
                    "_Static_assert(sizeof((({ty} *)0)->{p}) == {}, \"sizeof {s}.{p}\");\n",
                    m.size
                ));
            }
            asserted.push(format!("{s}.{}", m.path));
        }
    }
    src.push_str("int main(void) { return 0; }\n");
    // ISO C11 and -pedantic-errors: a zero-length array (GNU C) is marked `__extension__`, as
    // the kernel's headers mark theirs; -Wpacked-not-aligned (in -Wall) would flag a packed
    // struct gcc cannot keep aligned. `__user` as the kernel's compiler_types.h defines it.
    let exe = compile(
        "cc",
        &format!("{name}.c"),
        &src,
        &[
            flag,
            "-D__user=",
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            // A `deprecated` struct is measured as any other (`packed_and_aligned_agree...`
            // holds its attribute to gcc's warning).
            "-Wno-deprecated-declarations",
            pedantic,
        ],
        &repo_root().join("codegen/tests/golden/out/include/uapi"),
    );
    run(&exe);
    (asserted, flexible)
}

/// The flexible array members of `golden/schema/flex.toml` (`__u8 data[]`, `struct x y[]`, an
/// old header's `[0]`) are where gcc puts them, with the struct's size and alignment the IR
/// says, on x86-64 and on i686 (where a plain `__u64` element is 4-aligned): compiled with
/// `-m64` and `-m32`, each asserting that target's own layout from the IR.
#[test]
fn flexible_array_members_agree_with_gcc_on_x86_64_and_i686() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let flex = family(&families, "flex");
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        let (_, flexible) = golden_layout_agrees_with_gcc(&families, "flex", triple, flag);
        // Six of scalars and structs, and `flex_records`' array of an untagged struct.
        assert_eq!(
            flexible, 7,
            "every flexible member of flex.toml is asserted"
        );
    }
    // What gcc agreed to, in numbers: the element's alignment at the offset, no size.
    let at = |triple: &str, s: &str| {
        let l = flex
            .layouts
            .iter()
            .find(|l| l.target.triple == triple)
            .unwrap();
        let si = flex.struct_id(s).unwrap();
        let st = l.struct_(si);
        (st.size, st.align, st.members.last().unwrap().offset)
    };
    assert_eq!(at("x86_64-linux-gnu", "vfio_irq_set"), (20, 4, 20));
    assert_eq!(at("x86_64-linux-gnu", "flex_cap_sparse_mmap"), (16, 8, 16));
    assert_eq!(at("i686-linux-gnu", "flex_cap_sparse_mmap"), (16, 4, 16));
    assert_eq!(at("x86_64-linux-gnu", "kvm_msrs"), (8, 8, 8));
    assert_eq!(at("i686-linux-gnu", "kvm_msrs"), (8, 4, 8));
    // `[0]` alone: nothing, aligned as a `__u64`.
    assert_eq!(at("x86_64-linux-gnu", "flex_args"), (0, 8, 0));
    assert_eq!(at("i686-linux-gnu", "flex_args"), (0, 4, 0));
}

/// The golden crate's Rust constants on x86-64 and i686, compiled by rustc for each and run:
/// the values C gives the header's (`header_constants_equal_the_ir_values`), with an ioctl
/// number's size and direction bits chosen by `cfg!` (i686's 12-byte `struct feat_odd`), and
/// extuse's numbers written through ioctl wrappers (a pointer argument: 4 bytes on i686).
/// powerpc's branch is asserted as text: no powerpc std is installed to compile it.
#[test]
fn rust_constants_equal_the_ir_values_on_x86_64_and_i686() {
    let items = rust_constants("features");
    let odd = items
        .split("pub const ")
        .find(|i| i.starts_with("FEAT_SET_ODD"))
        .expect("FEAT_SET_ODD");
    assert!(odd.contains("target_arch = \"powerpc64\""), "{odd}");
    assert!(
        odd.contains("4 << 29"),
        "powerpc's _IOC_WRITE at bit 29: {odd}"
    );
    assert!(
        odd.contains("(if cfg!(any(target_arch = \"x86\")) { 12 } else { 16 }) << 16"),
        "{odd}"
    );
    rust_constants_run("features", &items);
    let items = rust_constants("extuse");
    assert!(items.contains("pub const EXTUSE_IOCTL_WORD"), "{items}");
    assert!(items.contains("pub const EXTUSE_WORD_BITS"), "{items}");
    assert!(
        items.contains("pub const EXTUSE_MMIO_OFFSET: u64"),
        "{items}"
    );
    rust_constants_run("extuse", &items);
}

/// The top-level integer constants of golden family `family`'s Rust module, each up to the
/// line that ends it.
fn rust_constants(family: &str) -> String {
    let rust = std::fs::read_to_string(
        repo_root().join(format!("codegen/tests/golden/out/rust/src/{family}.rs")),
    )
    .unwrap();
    let mut items = String::new();
    let mut lines = rust.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("pub const ") else {
            continue;
        };
        let (_, ty) = rest.split_once(": ").unwrap();
        // The word's (`::core::ffi::c_ulong`) too: one value per data model.
        if !["u8", "u16", "u32", "u64", "i32", "i64"]
            .iter()
            .any(|t| ty.starts_with(&format!("{t} ")))
            && !ty.starts_with("::core::ffi::c_ulong ")
            && !ty.starts_with("::core::ffi::c_long ")
        {
            continue;
        }
        items.push_str(line);
        items.push('\n');
        let mut l = line;
        while !l.ends_with(';') {
            l = lines.next().unwrap();
            items.push_str(l);
            items.push('\n');
        }
    }
    items
}

/// `items` (`rust_constants`) compiled by rustc for x86-64 and i686 and run: each prints the
/// value `Family::value_on` gives that target.
fn rust_constants_run(family_name: &str, items: &str) {
    let names: Vec<&str> = items
        .lines()
        .filter_map(|l| {
            l.strip_prefix("pub const ")?
                .split_once(": ")
                .map(|(n, _)| n)
        })
        .collect();
    let mut src = format!("#![allow(dead_code)]\n{items}fn main() {{\n");
    for n in &names {
        src.push_str(&format!(
            "    println!(\"{n} {{}}\", {n} as i128 as u64);\n"
        ));
    }
    src.push_str("}\n");
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let checked = family(&families, family_name);
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.rs");
    std::fs::write(&main, &src).unwrap();
    for (triple, rust_target) in [
        ("x86_64-linux-gnu", "x86_64-unknown-linux-gnu"),
        ("i686-linux-gnu", "i686-unknown-linux-gnu"),
    ] {
        let target = uapigen::layout::target_by_triple(triple).unwrap();
        let exe = dir.path().join(rust_target);
        let out = std::process::Command::new("rustc")
            .args(["--edition", "2021", "--target", rust_target, "-o"])
            .arg(&exe)
            .arg(&main)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "rustc --target {rust_target} (rustup target add {rust_target}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected: String = names
            .iter()
            .map(|n| {
                let k = checked.family.constants().find(|k| k.name == *n).unwrap();
                format!("{n} {}\n", checked.family.value_on(k, target))
            })
            .collect();
        assert_eq!(run(&exe), expected, "{family_name} on {rust_target}");
    }
}

/// The inline structs of `golden/schema/nest.toml` (anonymous in an anonymous union, named in
/// a named union, anonymous and named in a struct, arrays of them) are where gcc puts them on
/// x86-64 and i686: every member the IR lays out, those reached through anonymous structs by
/// their own name (`lo`, `pad`) as C11 reaches them, compiled with `-m64` and `-m32` under
/// `-pedantic-errors` (anonymous structs are ISO C11).
#[test]
fn inline_structs_agree_with_gcc_on_x86_64_and_i686() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let nest = family(&families, "nest");
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        let (asserted, _) = golden_layout_agrees_with_gcc(&families, "nest", triple, flag);
        for want in [
            "nest_req.lo",
            "nest_req.hi",
            "nest_req.u.s.addr",
            "nest_req.range.last",
            "nest_req.pad",
            "nest_plain.y",
            "nest_plain.pts.b",
            "nest_req.pairs.val",
        ] {
            assert!(
                asserted.iter().any(|a| a == want),
                "{want} is asserted: {asserted:?}"
            );
        }
    }
    // What gcc agreed to, in numbers: `lo` at the anonymous union's offset, `hi` 4 after;
    // `pad` in the anonymous struct at the end.
    let l = &nest.layouts[0];
    let st = l.struct_(nest.struct_id("nest_req").unwrap());
    let at = |p: &str| st.member(p).map(|m| (m.offset, m.size));
    assert_eq!(at("lo"), Some((8, 4)));
    assert_eq!(at("hi"), Some((12, 4)));
    assert_eq!(at("u.s.addr"), Some((24, 8)));
    assert_eq!(at("pad"), Some((44, 4)));
    assert_eq!(at("pairs"), Some((48, 16)));
    assert_eq!(st.size, 64);
}

/// The packed and aligned structs and members of `golden/schema/packed.toml` are laid out as
/// gcc lays them out, on x86-64 and on i686 (where a plain `__u64` is 4-aligned, unless its
/// member asks for 8): every struct's size and alignment and every member's offset and size,
/// compiled with `-m64` and `-m32`, each asserting that target's own layout from the IR.
#[test]
fn packed_and_aligned_agree_with_gcc_on_x86_64_and_i686() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let packed = family(&families, "packed");
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        golden_layout_agrees_with_gcc(&families, "packed", triple, flag);
    }
    // What gcc agreed to, in numbers: (size, alignment, offset of a member).
    let at = |triple: &str, s: &str, member: &str| {
        let l = packed
            .layouts
            .iter()
            .find(|l| l.target.triple == triple)
            .unwrap();
        let st = l.struct_(packed.struct_id(s).unwrap());
        (st.size, st.align, st.member(member).unwrap().offset)
    };
    for triple in ["x86_64-linux-gnu", "i686-linux-gnu"] {
        assert_eq!(at(triple, "pk_query", "value"), (21, 1, 5), "{triple}");
        assert_eq!(
            at(triple, "pk_tstamp64", "copied_total"),
            (32, 4, 4),
            "{triple}"
        );
        assert_eq!(at(triple, "pk_record", "query"), (24, 1, 1), "{triple}");
        assert_eq!(at(triple, "pk_pair", "hi"), (8, 8, 4), "{triple}");
        assert_eq!(at(triple, "pk_event", "u"), (32, 16, 16), "{triple}");
        assert_eq!(
            at(triple, "pk_event", "timestamp_ns"),
            (32, 16, 8),
            "{triple}"
        );
        assert_eq!(at(triple, "pk_wide", "c"), (32, 16, 24), "{triple}");
        // A named inline struct's `packed` is its type's: `base` right after `timer`.
        assert_eq!(at(triple, "pk_setup", "v1.base"), (20, 1, 4), "{triple}");
        assert_eq!(at(triple, "pk_remote", "common"), (40, 8, 16), "{triple}");
    }
    // `deprecated` is in the header where gcc reads it: a program naming the struct is
    // warned, and one naming the `__may_alias__` struct, which changes no layout, is not.
    let uapi = repo_root().join("codegen/tests/golden/out/include/uapi");
    let warnings = |body: &str| {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("use.c");
        std::fs::write(
            &src,
            format!("#include <linux/packed.h>\n{body}\nint main(void) {{ return 0; }}\n"),
        )
        .unwrap();
        let out = std::process::Command::new("cc")
            .args(["-std=c11", "-Wall", "-fsyntax-only", "-I"])
            .arg(&uapi)
            .arg(&src)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let legacy = warnings("struct pk_legacy_head h;");
    assert!(
        legacy.contains("pk_legacy_head") && legacy.contains("is deprecated"),
        "{legacy}"
    );
    assert_eq!(warnings("struct pk_search_header s;"), "");
}

/// The capability chain of `golden/schema/caps.toml` (Linux 7.2's vfio_region_info and its
/// capabilities) is laid out as gcc lays it out, on x86-64 and i686; and its C walker compiles
/// as C99 (`-m64`, `-m32`, `-pedantic-errors`) and C++17 and walks a chain of two: a type
/// capability at sizeof(struct vfio_region_info), then one it does not know, whose
/// next points back at the first (-ELOOP).
#[test]
fn capability_chain_agrees_with_gcc_and_its_walker_compiles() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        let (asserted, flexible) = golden_layout_agrees_with_gcc(&families, "caps", triple, flag);
        assert_eq!(flexible, 1, "areas[]");
        assert!(
            asserted.iter().any(|m| m == "vfio_region_info.cap_offset"),
            "{asserted:?}"
        );
    }
    let src = r#"#include <stdio.h>
#include <uapigen/caps_validate.h>

int main(void)
{
	union { struct vfio_region_info info; unsigned char b[64]; } u;
	struct vfio_region_info_cap_type t;
	struct vfio_info_cap_header h;
	struct uapigen_caps_cap_walk w;
	int r;

	memset(&u, 0, sizeof(u));
	memset(&t, 0, sizeof(t));
	memset(&h, 0, sizeof(h));
	memset(&w, 0, sizeof(w));
	u.info.argsz = sizeof(u);
	u.info.flags = VFIO_REGION_INFO_FLAG_CAPS;
	u.info.cap_offset = sizeof(u.info);
	t.header.id = VFIO_REGION_INFO_CAP_TYPE;
	t.header.version = 1;
	t.header.next = sizeof(u.info) + sizeof(t);
	t.type = 7;
	memcpy(u.b + sizeof(u.info), &t, sizeof(t));
	h.id = 9;
	h.next = sizeof(u.info);
	memcpy(u.b + sizeof(u.info) + sizeof(t), &h, sizeof(h));
	r = uapigen_vfio_region_info_cap_next(u.b, sizeof(u), &w);
	if (r != 1 || w.id != VFIO_REGION_INFO_CAP_TYPE || w.offset != sizeof(u.info) || w.len != sizeof(t))
		return 1;
	r = uapigen_vfio_region_info_cap_next(u.b, sizeof(u), &w);
	if (r != 1 || w.id != 9 || w.len != sizeof(u) - sizeof(u.info) - sizeof(t))
		return 2;
	r = uapigen_vfio_region_info_cap_next(u.b, sizeof(u), &w);
	if (r != -ELOOP || w.offset != sizeof(u.info))
		return 3;
	if (uapigen_vfio_region_info_cap_next(u.b, sizeof(u), &w) != 0)
		return 4;
	printf("ok\n");
	return 0;
}
"#;
    let include = repo_root().join("codegen/tests/golden/out/include");
    let uapi = include.join("uapi");
    let uapi = format!("-I{}", uapi.display());
    for (compiler, name, args) in [
        ("cc", "w.c", vec!["-std=c99", "-m64", "-pedantic-errors"]),
        ("cc", "w.c", vec!["-std=c99", "-m32", "-pedantic-errors"]),
        ("c++", "w.cpp", vec!["-std=c++17"]),
    ] {
        let mut all = args.clone();
        all.extend(["-Wall", "-Wextra", "-Werror", &uapi]);
        let exe = compile(compiler, name, src, &all, &include);
        assert_eq!(run(&exe), "ok\n", "{compiler} {args:?}");
    }
}

/// The pointer members of `golden/schema/ptr.toml` (`__u64 __user *`, `void __user *`,
/// `const char *`, a pointer to a struct) are where gcc puts them on x86-64 and i686, where a
/// pointer is 4 bytes: `struct ptr_bitmap` is 24 and 20 bytes, as the kernel's
/// `struct vfio_bitmap`, and a struct embedding it follows.
#[test]
fn pointers_agree_with_gcc_on_x86_64_and_i686() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let ptr = family(&families, "ptr");
    for (k, (triple, flag)) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")]
        .into_iter()
        .enumerate()
    {
        let (asserted, _) = golden_layout_agrees_with_gcc(&families, "ptr", triple, flag);
        for want in [
            "ptr_bitmap.data",
            "ptr_kinds.buf",
            "ptr_kinds.ids",
            "ptr_bitmap_get.bitmap",
        ] {
            assert!(asserted.iter().any(|a| a == want), "{want}: {asserted:?}");
        }
        let l = ptr
            .layouts
            .iter()
            .find(|l| l.target.triple == triple)
            .unwrap();
        let size = |s: &str| l.struct_(ptr.struct_id(s).unwrap()).size;
        // What gcc agreed to, in numbers: 8-byte pointers on x86-64, 4-byte on i686.
        assert_eq!(
            [
                size("ptr_bitmap"),
                size("ptr_bitmap_get"),
                size("ptr_kinds")
            ],
            [[24, 40, 40], [20, 36, 24]][k],
            "{triple}"
        );
    }
}

/// `golden/schema/bitfields.toml`: every named bitfield where gcc puts it, bit by bit, on
/// x86-64 and i686, and read and written there by the generated Rust's own helpers
/// (`BITFIELD_HELPERS`, little-endian). gcc sets each bitfield of a zeroed struct to a value
/// of its width and prints the struct's bytes; a Rust program sets the same values at the bits
/// the model gives into each run's bytes, compares them with gcc's, and reads each back.
#[test]
fn bitfields_are_where_gcc_puts_them() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let fam = family(&families, "bitfields");
    let include = repo_root().join("codegen/tests/golden/out/include/uapi");
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (triple, flag, rust_target) in [
        ("x86_64-linux-gnu", "-m64", "x86_64-unknown-linux-gnu"),
        ("i686-linux-gnu", "-m32", "i686-unknown-linux-gnu"),
    ] {
        let layouts = fam
            .layouts
            .iter()
            .find(|l| l.target.triple == triple)
            .unwrap();
        let mut c = String::from(
            "#include <stdio.h>\n#include <string.h>\n#include <linux/bitfields.h>\n\
             int main(void) {\n",
        );
        let mut rust = format!(
            "#![allow(dead_code)]\n{}\n{}\nfn main() {{\n    let c: Vec<Vec<u8>> = std::io::stdin().lines().map(|l| l.unwrap().split(' ').filter(|x| !x.is_empty()).map(|x| u8::from_str_radix(x, 16).unwrap()).collect()).collect();\n",
            uapigen::emit::rust::BITFIELD_HELPERS,
            uapigen::emit::rust_vmm::BITFIELD_UNIT
        );
        for (si, st) in fam.family.structs.iter().enumerate() {
            let l = &layouts.structs[si];
            if l.bit_runs.is_empty() {
                continue;
            }
            let s = &st.name;
            let kw = if st.union { "union" } else { "struct" };
            c.push_str(&format!(
                "\t{{ {kw} {s} v; unsigned char *b = (unsigned char *)&v; size_t i;\n\
                 \t  memset(&v, 0, sizeof(v));\n"
            ));
            let mut sets = Vec::new();
            for (k, m) in l.members.iter().filter(|m| m.bits.is_some()).enumerate() {
                let b = m.bits.unwrap();
                let f = uapigen::layout::field_at(st, &m.index).unwrap();
                let signed = matches!(f.ty, uapigen::ir::FieldType::Scalar(x) if x.is_signed());
                let mask = if b.width == 64 {
                    u64::MAX
                } else {
                    (1u64 << b.width) - 1
                };
                // A value of the width with both ends set where it can; negative if signed.
                let value: i128 = if signed {
                    -((0x5a5a_5a5a_5a5a_5a5a_u64 >> (64 - b.width + 1).min(63)) as i128) - 1
                } else {
                    ((0xa5a5_a5a5_a5a5_a5a5_u64.rotate_left(k as u32)) & mask) as i128
                };
                c.push_str(&format!("\t  v.{} = {value}LL;\n", m.path));
                let run = l
                    .bit_runs
                    .iter()
                    .find(|r| r.start * 8 <= b.bit && b.bit < r.end * 8)
                    .unwrap();
                sets.push((
                    m.path.clone(),
                    run.start,
                    run.end,
                    b.bit - run.start * 8,
                    b.width,
                    value,
                    signed,
                ));
            }
            c.push_str(
                "\t  for (i = 0; i < sizeof(v); i++) printf(\"%02x \", b[i]);\n\t  printf(\"\\n\"); }\n",
            );
            // The Rust side, per run: its bytes, set as the model says.
            rust.push_str(&format!("    let bytes = &c[{checked}];\n"));
            let mut runs: Vec<(u64, u64)> = sets.iter().map(|x| (x.1, x.2)).collect();
            runs.dedup();
            for (start, end) in runs {
                rust.push_str(&format!("    let mut run = [0u8; {}];\n", end - start));
                for (path, _, _, bit, width, value, signed) in sets.iter().filter(|x| x.1 == start)
                {
                    rust.push_str(&format!(
                        "    bitfield_set(&mut run, {bit}, {width}, {value}i128 as u64);\n"
                    ));
                    let read = if *signed {
                        format!("bitfield_get_signed(&run, {bit}, {width}) as i128")
                    } else {
                        format!("bitfield_get(&run, {bit}, {width}) as i128")
                    };
                    rust.push_str(&format!(
                        "    assert_eq!({read}, {value}, \"{s}.{path} read back\");\n"
                    ));
                }
                rust.push_str(&format!(
                    "    assert_eq!(&run[..], &bytes[{start}..{end}], \"{s}: bytes {start}..{end} as gcc has them\");\n"
                ));
                // The rust-vmm profile's `__BindgenBitfieldUnit`, the same way.
                rust.push_str(&format!(
                    "    let mut unit = __BindgenBitfieldUnit::new([0u8; {}]);\n",
                    end - start
                ));
                for (path, _, _, bit, width, value, signed) in sets.iter().filter(|x| x.1 == start)
                {
                    rust.push_str(&format!(
                        "    unit.set({bit}, {width}, {value}i128 as u64);\n"
                    ));
                    let mask = if *width == 64 {
                        u64::MAX
                    } else {
                        (1u64 << width) - 1
                    };
                    let raw = (*value as u64) & mask;
                    let _ = signed;
                    rust.push_str(&format!(
                        "    assert_eq!(unit.get({bit}, {width}), {raw}u64, \"{s}.{path} read back by the unit\");\n"
                    ));
                }
                rust.push_str(&format!(
                    "    assert_eq!(&unit, &__BindgenBitfieldUnit::new(run), \"{s}: the unit's bytes {start}..{end}\");\n"
                ));
            }
            checked += 1;
        }
        c.push_str("\treturn 0;\n}\n");
        rust.push_str("    println!(\"ok\");\n}\n");
        let exe = compile(
            "cc",
            "bits.c",
            &c,
            &[flag, "-std=c11", "-Wall", "-Werror", "-D__user="],
            &include,
        );
        let bytes = run(&exe);
        let main = dir.path().join(format!("{rust_target}.rs"));
        std::fs::write(&main, &rust).unwrap();
        let rexe = dir.path().join(rust_target);
        let out = std::process::Command::new("rustc")
            .args(["--edition", "2021", "--target", rust_target, "-o"])
            .arg(&rexe)
            .arg(&main)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "rustc --target {rust_target}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut child = std::process::Command::new(&rexe)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(bytes.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout) == "ok\n",
            "{rust_target}: gcc's bytes\n{bytes}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        checked = 0;
    }
}

/// `golden/schema/unions.toml` and `bitfields.toml` as gcc lays them out on x86-64 and i686:
/// every union's and struct's size and alignment, every member's offset and size (a union's
/// at 0), and the members beside the bitfields.
#[test]
fn unions_and_bitfield_structs_agree_with_gcc_on_x86_64_and_i686() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        let (asserted, flexible) =
            golden_layout_agrees_with_gcc_as(&families, "unions", triple, flag, "-Wno-pedantic");
        assert_eq!(
            flexible, 5,
            "un_buf_ring.bufs, un_msr_list.indices, un_sqe.cmd, un_lists.lists and \
             un_filter.slist_flex"
        );
        for want in [
            "un_value.quad",
            "un_ctx.in",
            "un_ctx.out",
            "un_ctx.out.ctx_id",
            "un_holder.vals",
            "un_buf_ring.tail",
            "un_buf_ring.bufs",
            "un_msr_list.indices",
            "un_sqe.ioprio",
            "un_sqe.cmd",
            "un_verdict.verdict",
            "un_lists.pair",
            "un_lists.lists",
            "un_node.caps",
            "un_node.raw",
            "un_filter.slist",
            "un_filter.slist_flex",
        ] {
            assert!(asserted.iter().any(|a| a == want), "{want}: {asserted:?}");
        }
        let (asserted, _) = golden_layout_agrees_with_gcc(&families, "bitfields", triple, flag);
        for want in [
            "bf_iphdr.tot_len",
            "bf_insn.imm",
            "bf_redir.entry.fields.dest_id",
            "bf_packed.value",
        ] {
            assert!(asserted.iter().any(|a| a == want), "{want}: {asserted:?}");
        }
    }
}

/// A define under `#ifndef` (`ifndef = true`) gives way to one a header included first made,
/// as asm-generic/fcntl.h's `O_DIRECT` does to an architecture's: no redefinition (-Werror),
/// that value; without it, the header's default.
#[test]
fn an_ifndef_define_gives_way_to_an_earlier_one() {
    let include = repo_root().join("codegen/tests/golden/out/include/uapi");
    for (first, want) in [("#define FEAT_MAX_INSNS 7\n", "7"), ("", "4096")] {
        let src = format!(
            "{first}#include <stdio.h>\n#include <linux/features.h>\n\
             int main(void) {{ printf(\"%d\\n\", FEAT_MAX_INSNS); return 0; }}\n"
        );
        let exe = compile(
            "gcc",
            "ifndef.c",
            &src,
            &["-std=c11", "-Wall", "-Werror", "-D__user="],
            &include,
        );
        assert_eq!(run(&exe).trim(), want);
    }
}
