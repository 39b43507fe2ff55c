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
                    "{assert}(offsetof(struct {s}, {p}) == {}, \"offsetof {s}.{p}\");\n\
                     {assert}(sizeof(((struct {s} *)0)->{p}) == {}, \"sizeof {s}.{p}\");\n",
                    m.offset, m.size
                ));
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
/// an OR of others, an `_IO()` number, an enum member with an implicit value).
#[test]
fn header_constants_equal_the_ir_values() {
    let mut src = String::from("#include <stdio.h>\n");
    for c in real_families() {
        src.push_str(&format!("#include <{}>\n", c.family.header));
    }
    src.push_str("int main(void) {\n");
    let mut expected = String::new();
    for c in real_families() {
        for k in c.family.constants() {
            src.push_str(&format!(
                "\tprintf(\"%s %llu\\n\", \"{0}\", (unsigned long long)({0}));\n",
                k.name
            ));
            expected.push_str(&format!("{} {}\n", k.name, k.value));
        }
    }
    src.push_str("\treturn 0;\n}\n");
    let include = repo_root().join("generated/include/uapi");
    let exe = compile(
        "cc",
        "constants.c",
        &src,
        &["-std=c11", "-Wall", "-Wextra", "-Werror"],
        &include,
    );
    assert_eq!(run(&exe), expected);
}

/// The validator headers are header-only C99 (default UAPI_COPY_FROM_USER = memcpy) and
/// also compile as C++17; a valid struct passes and a bad one gets the kernel's errno.
#[test]
fn validator_headers_compile_as_c99_and_cpp17_and_run() {
    let src = r#"
#include <uapigen/iommu_validate.h>
#include <uapigen/iommufd_validate.h>
#include <stdio.h>
int main(void)
{
	struct iommu_cache_invalidate_info in, out;
	struct iommu_hwpt_invalidate hi, ho;
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

/// The flexible array members of `golden/schema/flex.toml` (`__u8 data[]`, `struct x y[]`, an
/// old header's `[0]`) are where gcc puts them, with the struct's size and alignment the IR
/// says, on x86-64 and on i686 (where a plain `__u64` element is 4-aligned): compiled with
/// `-m64` and `-m32`, each asserting that target's own layout from the IR.
#[test]
fn flexible_array_members_agree_with_gcc_on_x86_64_and_i686() {
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema"))
        .unwrap_or_else(|e| panic!("{e}"));
    let flex = family(&families, "flex");
    let include = repo_root().join("codegen/tests/golden/out/include/uapi");
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        let layouts = flex
            .layouts
            .iter()
            .find(|l| l.target.triple == triple)
            .unwrap();
        let mut src = String::from("#include <stddef.h>\n#include <linux/flex.h>\n");
        let mut flexible = 0;
        for (si, st) in flex.family.structs.iter().enumerate() {
            let l = &layouts.structs[si];
            let s = &st.name;
            src.push_str(&format!(
                "_Static_assert(sizeof(struct {s}) == {}, \"sizeof {s}\");\n\
                 _Static_assert(_Alignof(struct {s}) == {}, \"alignof {s}\");\n",
                l.size, l.align
            ));
            for m in &l.members {
                let p = &m.path;
                src.push_str(&format!(
                    "_Static_assert(offsetof(struct {s}, {p}) == {}, \"offsetof {s}.{p}\");\n",
                    m.offset
                ));
                let f = &st.fields[m.index[0]];
                if f.flexible.is_some() {
                    // sizeof of an incomplete array does not compile; the IR gives it none.
                    assert_eq!(m.size, 0, "{s}.{p} on {triple}");
                    flexible += 1;
                } else {
                    src.push_str(&format!(
                        "_Static_assert(sizeof(((struct {s} *)0)->{p}) == {}, \"sizeof {s}.{p}\");\n",
                        m.size
                    ));
                }
            }
        }
        assert_eq!(
            flexible, 5,
            "every flexible member of flex.toml is asserted"
        );
        src.push_str("int main(void) { return 0; }\n");
        // ISO C11 and -pedantic-errors: the zero-length array (`entries[0]`, GNU C) is marked
        // `__extension__`, as the kernel's headers mark theirs.
        let exe = compile(
            "cc",
            "flex.c",
            &src,
            &[
                flag,
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
    assert_eq!(
        at("x86_64-linux-gnu", "vfio_region_info_cap_sparse_mmap"),
        (16, 8, 16)
    );
    assert_eq!(
        at("i686-linux-gnu", "vfio_region_info_cap_sparse_mmap"),
        (16, 4, 16)
    );
    assert_eq!(at("x86_64-linux-gnu", "kvm_msrs"), (8, 8, 8));
    assert_eq!(at("i686-linux-gnu", "kvm_msrs"), (8, 4, 8));
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
    let include = repo_root().join("codegen/tests/golden/out/include/uapi");
    for (triple, flag) in [("x86_64-linux-gnu", "-m64"), ("i686-linux-gnu", "-m32")] {
        let layouts = packed
            .layouts
            .iter()
            .find(|l| l.target.triple == triple)
            .unwrap();
        let mut src = String::from("#include <stddef.h>\n#include <linux/packed.h>\n");
        for (si, st) in packed.family.structs.iter().enumerate() {
            let l = &layouts.structs[si];
            let s = &st.name;
            src.push_str(&format!(
                "_Static_assert(sizeof(struct {s}) == {}, \"sizeof {s}\");\n\
                 _Static_assert(_Alignof(struct {s}) == {}, \"alignof {s}\");\n",
                l.size, l.align
            ));
            for m in &l.members {
                let p = &m.path;
                src.push_str(&format!(
                    "_Static_assert(offsetof(struct {s}, {p}) == {}, \"offsetof {s}.{p}\");\n\
                     _Static_assert(sizeof(((struct {s} *)0)->{p}) == {}, \"sizeof {s}.{p}\");\n",
                    m.offset, m.size
                ));
            }
        }
        src.push_str("int main(void) { return 0; }\n");
        // -Wpacked-not-aligned (in -Wall) would flag a packed struct gcc cannot keep aligned.
        let exe = compile(
            "cc",
            "packed.c",
            &src,
            &[
                flag,
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
    }
}
