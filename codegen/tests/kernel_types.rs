//! C's `long` and the kernel's `__kernel_*` types: their size, alignment in a struct and
//! signedness as uapigen lays them out (`layout::Target::scalar_size`/`scalar_align`,
//! `Scalar::is_signed`), held by gcc to the machine's real <linux/types.h> (Debian's
//! linux-libc-dev, whose <asm/posix_types.h> picks the i386 or x86-64 definitions) on -m64
//! and -m32, and to the stub <linux/types.h> libclang reads in the proof and import
//! (`clang_proof::TYPES_H`, and `STDINT_H` for <stdint.h>'s), which must say the same.

mod common;
#[path = "real_headers/kernels.rs"]
#[allow(dead_code)]
mod kernels;

use common::*;
use uapigen::ir::Scalar;
use uapigen::layout::target_by_triple;

/// `_Static_assert`s of every scalar type the schema has on `triple`.
fn checks(triple: &str) -> String {
    let t = target_by_triple(triple).unwrap();
    let mut out = String::new();
    let mut n = 0;
    for s in Scalar::ALL {
        let c = s.c_name();
        let tag = c.replace(' ', "_");
        if s.is_endian() || s.is_aligned_64() {
            // Spelled with `__bitwise` or an attribute in the kernel's header: covered by
            // the layout proof.
            continue;
        }
        out.push_str(&format!(
            "struct probe_{tag} {{ char c; {c} x; }};\n\
             _Static_assert(sizeof({c}) == {size}, \"sizeof {c}\");\n\
             _Static_assert(offsetof(struct probe_{tag}, x) == {align}, \"alignment of {c} in a struct\");\n",
            size = t.scalar_size(s),
            align = t.scalar_align(s),
        ));
        if !s.is_plain_char() {
            let signed = if s.is_arch() {
                s.arch_layout(t.rust_arch).1
            } else {
                s.is_signed()
            };
            out.push_str(&format!(
                "_Static_assert((({c})-1 < 0) == {}, \"signedness of {c}\");\n",
                i32::from(signed)
            ));
        }
        n += 1;
    }
    assert!(n >= 47, "{n} types checked");
    // <stdint.h>'s pointer-sized integers, which the stub defines from the compiler's.
    out.push_str(
        "_Static_assert(sizeof(uintptr_t) == sizeof(void *) && (uintptr_t)-1 > 0, \"uintptr_t\");\n\
         _Static_assert(sizeof(intptr_t) == sizeof(void *) && (intptr_t)-1 < 0, \"intptr_t\");\n\
         _Static_assert(_Generic((uintptr_t)0, unsigned long: sizeof(long) == 8, unsigned int: sizeof(long) == 4, default: 0), \"uintptr_t is unsigned long on LP64, unsigned int on ILP32\");\n",
    );
    // <asm-generic/posix_types.h>'s one struct, which the stub carries for import.
    out.push_str(
        "_Static_assert(sizeof(__kernel_fsid_t) == 8 && _Alignof(__kernel_fsid_t) == 4, \
         \"__kernel_fsid_t\");\n\
         _Static_assert(offsetof(__kernel_fsid_t, val[1]) == 4, \"__kernel_fsid_t.val\");\n",
    );
    out
}

#[test]
fn long_and_the_kernel_types_are_the_real_headers_on_x86_64_and_i686() {
    for (flag, triple) in [("-m64", "x86_64-linux-gnu"), ("-m32", "i686-linux-gnu")] {
        let src = format!(
            "#include <stddef.h>\n#include <stdint.h>\n#include <linux/types.h>\n#include <linux/posix_types.h>\n#include <linux/socket.h>\n{}\
             int main(void) {{ return 0; }}\n",
            checks(triple)
        );
        let dir = tempfile::tempdir().unwrap().keep();
        run(&compile(
            "gcc",
            "real.c",
            &src,
            &["-std=gnu11", "-Wall", "-Werror", flag],
            &dir,
        ));
    }
}

#[test]
fn the_stub_types_h_says_what_the_real_one_says() {
    let stub = tempfile::tempdir().unwrap().keep();
    std::fs::create_dir_all(stub.join("linux")).unwrap();
    std::fs::write(stub.join("linux/types.h"), uapigen::clang_proof::TYPES_H).unwrap();
    // <stdint.h>'s types as the proof and import read them (the compiler's own definitions).
    std::fs::write(stub.join("stdint.h"), uapigen::clang_proof::STDINT_H).unwrap();
    std::fs::write(stub.join("linux/socket.h"), uapigen::clang_proof::SOCKET_H).unwrap();
    for (flag, triple) in [("-m64", "x86_64-linux-gnu"), ("-m32", "i686-linux-gnu")] {
        let src = format!(
            "#include <stddef.h>\n#include <stdint.h>\n#include <linux/types.h>\n\
             #include <linux/socket.h>\n{}int main(void) {{ return 0; }}\n",
            checks(triple)
        );
        run(&compile(
            "gcc",
            "stub.c",
            &src,
            &["-std=gnu11", "-Wall", "-Werror", flag],
            &stub,
        ));
    }
}

/// A struct with `long` and `__kernel_size_t` members differs between ABIs: the schema
/// must acknowledge it (`abi_trap`), and then every emitted file agrees with libclang on all
/// seven targets.
#[test]
fn a_struct_of_words_is_an_abi_trap_and_proved_on_every_target() {
    let base = r#"[family]
name = "kt"
header = "linux/kt.h"
guard = "_UAPI_LINUX_KT_H"
license = "GPL-2.0 WITH Linux-syscall-note"
includes = ["linux/types.h"]

[[revision]]
id = "v1"

[[struct]]
name = "kt_times"
summary = "times"
fields = [
  { name = "sec", type = "__kernel_time64_t" },
  { name = "len", type = "__kernel_size_t" },
  { name = "off", type = "long" },
  { name = "pid", type = "__kernel_pid_t" },
  { name = "uid", type = "__kernel_uid32_t" },
]
"#;
    let err = uapigen::load_source(uapigen::Source::new("kt.toml", base), "kt.toml")
        .err()
        .expect("refused without abi_trap")
        .to_string();
    assert!(err.contains("kt.toml:"), "{err}");
    assert!(err.contains("i686"), "{err}");
    let trapped = base.replace(
        "summary = \"times\"\n",
        "summary = \"times\"\nabi_trap = { revisions = [\"v1\"], note = \"words are 4 bytes on 32-bit ABIs\" }\n",
    );
    let model = uapigen::load_source(uapigen::Source::new("kt.toml", &trapped), "kt.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let l = |triple: &str| {
        let t = uapigen::layout::TARGETS
            .iter()
            .position(|t| t.triple == triple)
            .unwrap();
        model.layouts[t].structs[0].size
    };
    // time64 8, size_t and long a word each, pid and uid 4: 32 bytes where a word is 8, 24
    // where it is 4 (arm aligns the time64 to 8 and i686 to 4, which changes nothing here).
    assert_eq!(l("x86_64-linux-gnu"), 32);
    assert_eq!(l("i686-linux-gnu"), 24);
    assert_eq!(l("arm-linux-gnueabihf"), 24);
    assert_eq!(l("aarch64-linux-gnu"), 32);
    let out = generate(
        std::slice::from_ref(&model),
        &uapigen::emit::Templates::new(None).unwrap(),
        &uapigen::emit::RustCrate::default(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    out.write(dir.path()).unwrap();
    let mismatches =
        uapigen::clang_proof::prove(std::slice::from_ref(&model), &dir.path().join("include"))
            .unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}");
    let header = &out.files["include/uapi/linux/kt.h"];
    assert!(header.contains("\t__kernel_size_t len;"), "{header}");
    assert!(header.contains("\tlong off;"), "{header}");
    let rust = &out.files["rust/src/kt.rs"];
    assert!(rust.contains("pub len: ::core::ffi::c_ulong,"), "{rust}");
    assert!(rust.contains("pub off: ::core::ffi::c_long,"), "{rust}");
    assert!(rust.contains("pub sec: i64,"), "{rust}");
}

/// An architecture's own types (`__kernel_mode_t`, `__kernel_old_dev_t` ...), as each of the 7
/// targets' <asm/posix_types.h> defines them: Debian unstable's linux-libc-dev carries every
/// architecture's asm/ (`aarch64-linux-gnu/asm/posix_types.h` ...), read by libclang for that
/// target, against the layout's size, alignment and signedness (`Scalar::arch_layout`); and
/// the stub <linux/types.h> the proof and import read says the same on each.
#[test]
fn the_architectures_own_types_are_their_asm_headers_on_every_target() {
    let k = kernels::fetched()
        .into_iter()
        .find(|k| k.suite == "unstable")
        .expect("unstable's headers");
    uapigen::clang_proof::load().unwrap_or_else(|e| panic!("{e}"));
    let stub = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(stub.path().join("linux")).unwrap();
    std::fs::write(
        stub.path().join("linux/types.h"),
        uapigen::clang_proof::TYPES_H,
    )
    .unwrap();
    std::fs::create_dir_all(stub.path().join("asm")).unwrap();
    std::fs::write(
        stub.path().join("asm/posix_types.h"),
        uapigen::clang_proof::POSIX_TYPES_H,
    )
    .unwrap();
    // The stub <linux/types.h> alone, before a real tree (the corpus reads so).
    let types_only = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(types_only.path().join("linux")).unwrap();
    std::fs::write(
        types_only.path().join("linux/types.h"),
        uapigen::clang_proof::TYPES_H,
    )
    .unwrap();
    let mut checked = 0;
    for t in uapigen::layout::TARGETS {
        let mut src = String::from("#include <linux/types.h>\n#include <linux/posix_types.h>\n");
        let mut stub_src = String::from("#include <linux/types.h>\n");
        for s in uapigen::ir::Scalar::ALL.into_iter().filter(|s| s.is_arch()) {
            let c = s.c_name();
            let (size, signed) = s.arch_layout(t.rust_arch);
            let asserts = format!(
                "_Static_assert(sizeof({c}) == {size}, \"sizeof {c} on {0}\");\n\
                 _Static_assert(_Alignof({c}) == {size}, \"alignof {c} on {0}\");\n\
                 _Static_assert((({c})-1 < 0) == {1}, \"signedness of {c} on {0}\");\n",
                t.triple,
                i32::from(signed)
            );
            src.push_str(&asserts);
            stub_src.push_str(&asserts);
            checked += 1;
        }
        // Debian's folder for the target's asm/ (arm's hard-float one for arm).
        let multiarch = match t.triple {
            "i686-linux-gnu" => "i386-linux-gnu",
            other => other,
        };
        let arch = k.include.join(multiarch);
        assert!(
            arch.join("asm/posix_types.h").is_file(),
            "{} has no asm/posix_types.h: rerun scripts/fetch-kernel-headers --refresh",
            arch.display()
        );
        // The stub <asm/posix_types.h> with the kernel's <linux/posix_types.h> and
        // asm-generic's, as import reads a real tree: no type defined twice otherwise.
        let with_generic = src.replace(
            "#include <linux/posix_types.h>\n",
            "#include <linux/posix_types.h>\n__kernel_fsid_t fsid;\n",
        );
        // linux/loop.h's order: the kernel's <asm/posix_types.h> (asm-generic's
        // `__kernel_fsid_t`) before the stub <linux/types.h>, which then leaves its own out.
        let generic_first = "#include <asm/posix_types.h>\n#include <linux/types.h>\n\
                             __kernel_fsid_t fsid;\n"
            .to_string();
        for (what, text, dirs) in [
            ("the kernel's", &src, vec![k.include.clone(), arch.clone()]),
            ("the stub", &stub_src, vec![stub.path().to_path_buf()]),
            (
                "the stub's with asm-generic's",
                &with_generic,
                vec![stub.path().to_path_buf(), k.include.clone(), arch.clone()],
            ),
            (
                "asm-generic's before the stub's",
                &generic_first,
                vec![
                    types_only.path().to_path_buf(),
                    k.include.clone(),
                    arch.clone(),
                ],
            ),
        ] {
            let include: Vec<&std::path::Path> = dirs.iter().map(|d| d.as_path()).collect();
            if let Err(e) = uapigen::clang_proof::measure(text, &include, t) {
                panic!("{what} <asm/posix_types.h> on {}:\n{e}", t.triple);
            }
        }
    }
    assert_eq!(checked, 8 * 7);
}

/// What a `when` may test (`uapigen::when::MACROS`) is what each of the 7 targets' compiler
/// predefines and its <asm/bitsperlong.h> and <asm/byteorder.h> (Debian unstable's, every
/// architecture's) define:
/// libclang reads, per target, an `#error` for every answer `when::predefined` gives that C
/// does not; and the stub <asm/bitsperlong.h> the proof and import read says the same.
#[test]
fn what_a_condition_tests_is_each_targets_compiler_and_asm_headers() {
    let k = kernels::fetched()
        .into_iter()
        .find(|k| k.suite == "unstable")
        .expect("unstable's headers");
    uapigen::clang_proof::load().unwrap_or_else(|e| panic!("{e}"));
    let stub = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(stub.path().join("asm")).unwrap();
    std::fs::write(
        stub.path().join("asm/bitsperlong.h"),
        uapigen::clang_proof::BITSPERLONG_H,
    )
    .unwrap();
    std::fs::write(
        stub.path().join("asm/byteorder.h"),
        uapigen::clang_proof::BYTEORDER_H,
    )
    .unwrap();
    let mut checked = 0;
    for t in uapigen::layout::TARGETS {
        // The byte order's macros are <asm/byteorder.h>'s, read as the kernel's headers alone
        // define them (`when::predefined`; the C library's <endian.h> is the other reader).
        let mut src = String::from("#include <asm/bitsperlong.h>\n#include <asm/byteorder.h>\n");
        for name in uapigen::when::MACROS {
            match uapigen::when::predefined(t, name).expect("a name it knows") {
                // `__LITTLE_ENDIAN_BITFIELD` and `__BIG_ENDIAN_BITFIELD` are defined empty:
                // a condition tests them with `defined`.
                Some(_) if name.ends_with("_BITFIELD") => src.push_str(&format!(
                    "#ifndef {name}\n#error \"{name} is not defined on {0}\"\n#endif\n",
                    t.triple
                )),
                Some(v) => src.push_str(&format!(
                    "#if !defined({name}) || ({name}) != {v}\n#error \"{name} is not {v} on {0}\"\n#endif\n",
                    t.triple
                )),
                None => src.push_str(&format!(
                    "#ifdef {name}\n#error \"{name} is defined on {0}\"\n#endif\n",
                    t.triple
                )),
            }
            checked += 1;
        }
        let multiarch = match t.triple {
            "i686-linux-gnu" => "i386-linux-gnu",
            other => other,
        };
        let arch = k.include.join(multiarch);
        assert!(
            arch.join("asm/bitsperlong.h").is_file(),
            "{} has no asm/bitsperlong.h: rerun scripts/fetch-kernel-headers --refresh",
            arch.display()
        );
        for (what, dirs) in [
            ("the kernel's", vec![k.include.clone(), arch.clone()]),
            ("the stub", vec![stub.path().to_path_buf()]),
        ] {
            let include: Vec<&std::path::Path> = dirs.iter().map(|d| d.as_path()).collect();
            if let Err(e) = uapigen::clang_proof::measure(&src, &include, t) {
                panic!("{what} <asm/bitsperlong.h> on {}:\n{e}", t.triple);
            }
        }
    }
    assert_eq!(checked, uapigen::when::MACROS.len() * 7);
}

/// <linux/bits.h>'s `__GENMASK()` and `__GENMASK_ULL()` in an `expr`: the generated header
/// includes <linux/const.h>, <asm/bitsperlong.h> and <linux/bits.h>, and libclang reads every
/// value as uapigen evaluated it on each of the 7 targets with Debian unstable's real headers
/// (every architecture's asm/), as with the stubs the proof and import read.
#[test]
fn genmask_is_the_kernels_bits_h_on_every_target() {
    let k = kernels::fetched()
        .into_iter()
        .find(|k| k.suite == "unstable")
        .expect("unstable's headers");
    assert!(
        k.include.join("linux/bits.h").is_file(),
        "unstable's headers have no linux/bits.h: rerun scripts/fetch-kernel-headers --refresh"
    );
    uapigen::clang_proof::load().unwrap_or_else(|e| panic!("{e}"));
    let schema = r#"[family]
name = "masks"
header = "linux/masks.h"
guard = "_UAPI_LINUX_MASKS_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "r1"

[[define]]
name = "M_LOW"
expr = "__GENMASK(7, 0)"

[[define]]
name = "M_MID"
expr = "__GENMASK(12, 8)"

[[define]]
name = "M_WORD"
expr = "__GENMASK(31, 0)"

[[define]]
name = "M_ULL"
expr = "(__GENMASK_ULL(7, 0) | __GENMASK_ULL(35, 32))"

[[define]]
name = "M_TOP"
expr = "__GENMASK_ULL(63, 56)"
"#;
    let c = uapigen::load_source(
        uapigen::Source::new("masks.toml", schema.to_string()),
        "masks.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let header =
        uapigen::emit::c_header::emit(&c.family, &uapigen::emit::Templates::new(None).unwrap())
            .unwrap();
    for h in ["linux/const.h", "asm/bitsperlong.h", "linux/bits.h"] {
        assert!(header.contains(&format!("#include <{h}>")), "{header}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("linux")).unwrap();
    std::fs::write(dir.path().join("linux/masks.h"), &header).unwrap();
    let names: Vec<String> = c.family.constants().map(|k| k.name.clone()).collect();
    assert_eq!(names.len(), 5);
    for t in uapigen::layout::TARGETS {
        let multiarch = match t.triple {
            "i686-linux-gnu" => "i386-linux-gnu",
            other => other,
        };
        let dirs = [
            dir.path().to_path_buf(),
            k.include.clone(),
            k.include.join(multiarch),
        ];
        let include: Vec<&std::path::Path> = dirs.iter().map(|d| d.as_path()).collect();
        let values =
            uapigen::clang_proof::evaluate_on("#include <linux/masks.h>\n", &include, &names, t)
                .unwrap();
        for k in c.family.constants() {
            assert_eq!(
                values.get(&k.name).copied().flatten(),
                Some(c.family.value_on(k, t)),
                "{} on {}",
                k.name,
                t.triple
            );
        }
    }
}
