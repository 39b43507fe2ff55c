//! `extern` items: another header's struct, constant or macro, copied into a schema so its
//! structs can hold them and its expressions use them (a drm driver's header on drm.h's, the
//! audit header on elf-em.h's). The C header includes the other header and does not write
//! them again; the bindings have them; and a copy that drifts from its header is caught, by
//! the family of that header in the same tree, or by libclang against the header itself.

mod common;

use common::*;

fn golden_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(repo_root().join("codegen/tests/golden/schema")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn edit(dir: &std::path::Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

fn errors(dir: &std::path::Path) -> Vec<String> {
    let e = match uapigen::load_dir(dir) {
        Ok(_) => panic!("loaded"),
        Err(e) => e,
    };
    let prefix = format!("{}/", dir.display());
    e.to_string()
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(|l| l.replace(&prefix, ""))
        .collect()
}

#[test]
fn the_c_header_includes_the_other_header_and_the_bindings_have_the_copies() {
    let out = repo_root().join("codegen/tests/golden/out");
    let h = std::fs::read_to_string(out.join("include/uapi/linux/extuse.h")).unwrap();
    assert!(h.contains("#include <linux/extdep.h>\n"), "{h}");
    for copy in [
        "struct extdep_time {",
        "struct extdep_event {",
        "#define EXTDEP_BASE",
        "#define EXTDEP_IO(",
        "#define EXTDEP_IOWR(",
        "#define EXTDEP_IOCTL_BASE",
    ] {
        assert!(!h.contains(copy), "{copy} written again:\n{h}");
    }
    let rs = std::fs::read_to_string(out.join("rust/src/extuse.rs")).unwrap();
    for copy in [
        "pub struct ExtdepTime {",
        "pub struct ExtdepEvent {",
        "pub const EXTDEP_BASE: u32 = 0x40;",
    ] {
        assert!(rs.contains(copy), "{copy} not in the bindings");
    }
    // gcc builds a program on both headers: one definition of each item, the values as the
    // schema's.
    let src = "#include <linux/extuse.h>\n\
               #include <stdio.h>\n\
               int main(void) { struct extuse_timer t = { 0 }; \
               printf(\"%zu %u %u\\n\", sizeof(t), (unsigned)EXTUSE_GET, (unsigned)EXTUSE_ARCH); return 0; }\n";
    let exe = compile(
        "cc",
        "extuse.c",
        src,
        &["-std=c11", "-Wall", "-Wextra", "-Werror"],
        &out.join("include/uapi"),
    );
    assert_eq!(run(&exe), format!("32 {} {}\n", 0x41, 183u32 | 0x8000_0000));
}

#[test]
fn a_copy_that_drifts_from_its_family_is_refused_at_the_copy() {
    let dir = golden_copy();
    edit(dir.path(), "extuse.toml", "value = 183", "value = 184");
    edit(
        dir.path(),
        "extuse.toml",
        "{ name = \"nsec\", type = \"long long\" }",
        "{ name = \"nsec\", type = \"__u64\" }",
    );
    edit(
        dir.path(),
        "extuse.toml",
        "body = \"(EXTDEP_BASE + (nr))\"",
        "body = \"(EXTDEP_BASE + nr)\"",
    );
    edit(
        dir.path(),
        "extuse.toml",
        "body = \"_IOWR(EXTDEP_IOCTL_BASE,nr,type)\"",
        "body = \"_IOR(EXTDEP_IOCTL_BASE,nr,type)\"",
    );
    edit(
        dir.path(),
        "extuse.toml",
        "name = \"extdep_event\"\nextern",
        "name = \"extdep_evt\"\nextern",
    );
    edit(
        dir.path(),
        "extuse.toml",
        "type = \"struct extdep_event\"",
        "type = \"struct extdep_evt\"",
    );
    edit(
        dir.path(),
        "extuse.toml",
        "{ name = \"_EXTDEP_SEQ_RELATIVE\", value = 0x1 }",
        "{ name = \"_EXTDEP_SEQ_RELATIVE\", value = 0x2 }",
    );
    edit(
        dir.path(),
        "extuse.toml",
        "string = '\"ERROR\"'",
        "string = '\"ERR\"'",
    );
    assert_eq!(errors(dir.path()), [
        "extuse.toml:25:8: error: extern constant `EXTDEP_MACHINE` is a copy of linux/extdep.h's, and family `extdep` (extdep.toml) gives it 0xb7 on x86_64-linux-gnu (the copy: 0xb8)",
        "extuse.toml:30:8: error: extern macro `EXTDEP_IO` is a copy of linux/extdep.h's, and family `extdep` (extdep.toml) defines it as (nr) (EXTDEP_BASE + (nr))",
        "extuse.toml:47:8: error: extern macro `EXTDEP_IOWR` is a copy of linux/extdep.h's, and family `extdep` (extdep.toml) defines it as (nr, type) _IOWR(EXTDEP_IOCTL_BASE,nr,type)",
        "extuse.toml:53:8: error: extern struct `extdep_time` is a copy of linux/extdep.h's, and family `extdep` (extdep.toml) declares it `struct extdep_time { __s64 sec; long long nsec; }` (the copy: `struct extdep_time { __s64 sec; __u64 nsec; }`)",
        "extuse.toml:62:1: error: extern enum `extdep_seq_type` is a copy of linux/extdep.h's, and family `extdep` (extdep.toml) gives it the values _EXTDEP_SEQ_ABSOLUTE = 0, _EXTDEP_SEQ_RELATIVE = 1, _EXTDEP_SEQ_NEXTONMISS = 268435456",
        "extuse.toml:80:8: error: extern struct `extdep_evt` is a copy of linux/extdep.h's, and family `extdep` (extdep.toml) has no such struct",
        "extuse.toml:241:8: error: extern string `EXTDEP_TARGET` is a copy of linux/extdep.h's, and family `extdep` (extdep.toml) defines it as `\"ERROR\"`",
    ]);
}

/// Without the other header's family in the tree, libclang holds the copy to the header the
/// C side includes: a wrong copy is a mismatch on every target, not bindings that drift.
#[test]
fn the_clang_proof_holds_a_copy_to_the_header_it_includes() {
    let dir = golden_copy();
    edit(dir.path(), "extuse.toml", "value = 183", "value = 184");
    edit(
        dir.path(),
        "extuse.toml",
        "{ name = \"nsec\", type = \"long long\" }",
        "{ name = \"nsec\", type = \"__s32\" },\n  { name = \"pad\", type = \"__u32\" }",
    );
    std::fs::remove_file(dir.path().join("extdep.toml")).unwrap();
    let families = uapigen::load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let extuse: Vec<_> = families
        .into_iter()
        .filter(|m| m.family.name == "extuse")
        .collect();
    // The golden tree's headers, extdep.h the real one, extuse.h regenerated from the copy.
    let include = tempfile::tempdir().unwrap();
    let linux = include.path().join("uapi/linux");
    std::fs::create_dir_all(&linux).unwrap();
    std::fs::copy(
        repo_root().join("codegen/tests/golden/out/include/uapi/linux/extdep.h"),
        linux.join("extdep.h"),
    )
    .unwrap();
    let out = generate(
        &extuse,
        &uapigen::emit::Templates::new(None).unwrap(),
        &uapigen::emit::RustCrate::default(),
    )
    .unwrap();
    std::fs::write(
        linux.join("extuse.h"),
        &out.files["include/uapi/linux/extuse.h"],
    )
    .unwrap();
    let mismatches = uapigen::clang_proof::prove(&extuse, include.path()).unwrap();
    let text: Vec<String> = mismatches.iter().map(|m| m.to_string()).collect();
    // On every target: the struct's member and the one it does not have, the constant and
    // the constant computed from it.
    for t in uapigen::layout::TARGETS {
        let on: Vec<&String> = text.iter().filter(|m| m.starts_with(t.triple)).collect();
        let expected = [
            "struct extdep_time (extuse): `nsec` at offset 8 size 8 by libclang, offset 8 size 4 in the IR",
            "struct extdep_time (extuse): `pad` is not in the header",
            "constant EXTDEP_MACHINE (extuse): 183 by libclang, 184 in the IR",
            "constant EXTUSE_ARCH (extuse): 2147483831 by libclang, 2147483832 in the IR",
        ]
        .map(|e| format!("{}: {e}", t.triple));
        assert_eq!(
            on,
            expected.iter().collect::<Vec<_>>(),
            "{}",
            text.join("\n")
        );
    }
    assert_eq!(
        text.len(),
        4 * uapigen::layout::TARGETS.len(),
        "{}",
        text.join("\n")
    );
}
