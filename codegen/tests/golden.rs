//! Golden tests: the emitted C and Rust are compared with committed files, and a difference is
//! shown as a unified diff. `UAPIGEN_BLESS=1 cargo test` rewrites the expected files instead.
//!
//! Two sets: the real schemas against `generated/` (so a stale `generated/` fails `cargo test`,
//! not only `uapigen check`), and `golden/schema/features.toml`, which uses every construct of
//! the format, against `golden/out/`. Both expected Rust crates are workspace members, so their
//! compile-time layout assertions run on every build.

mod common;

use std::path::Path;

use common::*;
use uapigen::emit::{RustCrate, Templates};

fn krate(name: &str, uaccess_path: &str) -> RustCrate {
    RustCrate {
        name: name.to_string(),
        uaccess_path: uaccess_path.to_string(),
    }
}

fn compare(families: &[uapigen::Checked], krate: &RustCrate, expected_dir: &Path) {
    let out = generate(families, &Templates::new(None).unwrap(), krate).unwrap();
    if std::env::var_os("UAPIGEN_BLESS").is_some_and(|v| v == "1") {
        out.write(expected_dir).unwrap();
        return;
    }
    let stale = out.check(expected_dir).unwrap();
    let report: Vec<String> = stale.iter().map(|s| s.to_string()).collect();
    assert!(
        stale.is_empty(),
        "emitted files differ from {} (rerun with UAPIGEN_BLESS=1 to accept):\n\n{}",
        expected_dir.display(),
        report.join("\n")
    );
}

const GOLDEN_CRATE: &str = "uapigen-golden-features";
/// From codegen/tests/golden/out/rust to uaccess.
const GOLDEN_UACCESS: &str = "../../../../../uaccess";

fn features() -> Vec<uapigen::Checked> {
    let dir = repo_root().join("codegen/tests/golden/schema");
    uapigen::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn generated_folder_is_what_the_schemas_emit() {
    compare(
        &real_families(),
        &RustCrate::default(),
        &repo_root().join("generated"),
    );
}

#[test]
fn features_schema_matches_golden() {
    compare(
        &features(),
        &krate(GOLDEN_CRATE, GOLDEN_UACCESS),
        &repo_root().join("codegen/tests/golden/out"),
    );
}

#[test]
fn features_header_compiles_clean() {
    let include = repo_root().join("codegen/tests/golden/out/include/uapi");
    let src =
        "#include <linux/features.h>\nint main(void) { return FEAT_KIND_NEXT == 11 ? 0 : 1; }\n";
    let exe = compile(
        "cc",
        "features.c",
        src,
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
    compile(
        "c++",
        "features.cpp",
        src,
        &["-std=c++17", "-Wall", "-Wextra", "-Werror"],
        &include,
    );
}

/// `enums.h`: gcc gives each enum the type the model says (`EnumRepr`), counts negative values
/// up, types an enumerator past int as its enum (so `EN_FROM_ENUM` is unsigned 64-bit), and
/// the only thing that is not ISO C11 is each value past int, which `past_int` asked for.
#[test]
fn enums_header_is_typed_as_c_types_it() {
    let include = repo_root().join("codegen/tests/golden/out/include/uapi");
    let src = r#"#include <linux/enums.h>
#include <stddef.h>
#include <stdio.h>
#define TYPE(x) _Generic((x), int: "int", unsigned int: "unsigned int", long: "long", \
	unsigned long: "unsigned long", long long: "long long", \
	unsigned long long: "unsigned long long", default: "other")
int main(void)
{
	enum en_verdict v = EN_VERDICT_JUMP;
	enum en_huge h = EN_HUGE_TOP;
	enum en_span sp = EN_SPAN_LOW;
	printf("verdict %zu %s %lld %lld %lld\n", sizeof(v), (enum en_verdict)-1 < 0 ? "signed" : "unsigned",
	       (long long)EN_VERDICT_CONTINUE, (long long)EN_VERDICT_JUMP, (long long)EN_VERDICT_AGAIN);
	printf("wide %s %s %llu\n", TYPE(EN_WIDE_LOW), TYPE(EN_WIDE_TOP), (unsigned long long)EN_WIDE_ALL);
	printf("huge %zu %s %s %llu %llu\n", sizeof(h), (enum en_huge)-1 < 0 ? "signed" : "unsigned",
	       TYPE(EN_HUGE_TOP), (unsigned long long)EN_HUGE_NEXT, (unsigned long long)EN_HUGE_TOP);
	printf("span %zu %s %s %lld %lld\n", sizeof(sp), (enum en_span)-1 < 0 ? "signed" : "unsigned",
	       TYPE(EN_SPAN_HIGH), (long long)EN_SPAN_LOW, (long long)EN_SPAN_HIGH);
	printf("expr %s %llu\n", TYPE(EN_FROM_ENUM), (unsigned long long)EN_FROM_ENUM);
	printf("past %zu %s %s %s %llu %llu %llu %zu\n", sizeof(enum en_context),
	       (enum en_context)-1 < 0 ? "signed" : "unsigned", TYPE(EN_TXN_ABORT_MASK),
	       TYPE(EN_TXN_ABORT_SHIFT), (unsigned long long)EN_TXN_ABORT_MASK,
	       (unsigned long long)EN_CONTEXT_HV, (unsigned long long)EN_CONTEXT_NEXT,
	       sizeof(struct en_sample));
	printf("io %zu %s %llu %llu %llu\n", sizeof(enum en_io), TYPE(EN_IO_GET),
	       (unsigned long long)EN_IO_GET, (unsigned long long)EN_IO_SET,
	       (unsigned long long)EN_IO_NOP);
	printf("byteorder %d %d %u %u\n", EN_GRE_CSUM, EN_GRE_FLAGS, EN_TCP_FLAG_CWR, EN_TCP_DATA_OFFSET);
	struct en_status st = { .func = EN_INST_HANDLER, .state = EN_PAUSED, .rate = EN_RATE_1_2 };
	en_rate_t r = st.rate;
	enum en_rate *rp = &r;
	printf("status %zu %zu %zu %d %d %d %d\n", sizeof(st), sizeof(en_play_state_t),
	       offsetof(struct en_status, irq), st.func, st.state, *rp, EN_RM_COMMAND);
	printf("redefined %d %d\n", __EN_MODE_MAX, EN_MODE_LAST);
	/* A tag declared inside a struct has file scope. */
	enum en_what w = EN_EVENT_EXIT;
	struct en_event ev = { .what = EN_EVENT_FORK, .cpu = 3 };
	printf("tagged %zu %s %zu %u %d\n", sizeof(w), (enum en_what)-1 < 0 ? "signed" : "unsigned",
	       sizeof(ev), (unsigned)w, ev.what);
	printf("packed %zu %s %zu %zu\n", sizeof(enum en_led_mode),
	       (enum en_led_mode)-1 < 0 ? "signed" : "unsigned", offsetof(struct en_led, port),
	       sizeof(struct en_led));
	return 0;
}
"#;
    let flags = [
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-Wno-format",
        "-Wno-type-limits",
    ];
    let out = run(&compile("cc", "enums.c", src, &flags, &include));
    assert_eq!(
        out,
        "verdict 4 signed -1 -2 -3\n\
         wide int unsigned int 4294967295\n\
         huge 8 unsigned unsigned long 4294967297 1099511627776\n\
         span 8 signed long -2147483649 2147483648\n\
         expr unsigned long 1099511627770\n\
         past 8 unsigned unsigned long int 18446744069414584320 18446744073709551584 18446744073709551489 8\n\
         io 4 unsigned int 2147763458 1074283779 17668\n\
         byteorder 128 1920 32768 240\n\
         status 16 4 12 7 2 1 1\n\
         redefined 1 1\n\
         tagged 4 unsigned 8 2147483648 1\n\
         packed 1 unsigned 1 4\n"
    );
    // The model's Rust types are the same: i32 for a signed int enum, u64 and i64 past it.
    let families = uapigen::load_dir(&repo_root().join("codegen/tests/golden/schema")).unwrap();
    let enums = families.iter().find(|m| m.family.name == "enums").unwrap();
    let reprs: Vec<(&str, &str)> = enums
        .family
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.enum_repr().rust_name()))
        .collect();
    assert_eq!(
        reprs,
        [
            ("en_verdict", "i32"),
            ("en_mode", "u32"),
            ("en_wide", "u32"),
            ("en_huge", "u64"),
            ("en_span", "i64"),
            ("en_play_state_t", "u32"),
            ("en_rate", "u32"),
            ("en_control_func", "u32"),
            ("en_what", "u32"),
            ("en_txn", "u64"),
            ("en_context", "u64"),
            ("en_io", "u32"),
            ("en_tcp_word", "u32"),
            ("en_led_mode", "u8")
        ]
    );
    // -pedantic: exactly the values past int are not ISO C11.
    let pedantic = std::process::Command::new("cc")
        .args(["-std=c11", "-pedantic", "-fsyntax-only", "-x", "c", "-I"])
        .arg(&include)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"#include <linux/enums.h>\n")?;
            child.wait_with_output()
        })
        .expect("cc (Debian: build-essential)");
    let stderr = String::from_utf8_lossy(&pedantic.stderr);
    let mut flagged: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("ISO C restricts enumerator values"))
        .filter_map(|l| l.split(':').nth(1))
        .collect();
    flagged.dedup();
    let header = std::fs::read_to_string(include.join("linux/enums.h")).unwrap();
    let past_int: Vec<String> = header
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            [
                "EN_WIDE_TOP",
                "EN_WIDE_ALL",
                "EN_HUGE_BIG",
                "EN_HUGE_TOP",
                "EN_SPAN_LOW",
                "EN_SPAN_HIGH",
                "EN_EVENT_EXIT",
                "EN_TXN_ABORT_MASK",
                "EN_CONTEXT_HV",
                "EN_CONTEXT_KERNEL",
                // Not `EN_IO_GET`: gcc says nothing of a value from a system header's macro
                // (<asm-generic/ioctl.h>'s `_IOR`), as of android/binder.h's.
            ]
            .iter()
            .any(|n| l.trim_start().starts_with(&format!("{n} =")))
        })
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    assert_eq!(flagged, past_int, "{stderr}");
}

/// Same input, same bytes: two generations (and a reload of the schema) agree exactly.
#[test]
fn generation_is_deterministic() {
    let t = Templates::new(None).unwrap();
    let a = generate(&real_families(), &t, &krate("x", "y")).unwrap();
    let b = generate(&real_families(), &t, &krate("x", "y")).unwrap();
    assert_eq!(a, b);
    let c = generate(&features(), &t, &krate("x", "y")).unwrap();
    let d = generate(&features(), &t, &krate("x", "y")).unwrap();
    assert_eq!(c, d);
}

/// A user template directory overrides the built-in template; a typo in it is an error, not
/// an empty string (strict mode).
#[test]
fn template_override_and_strict_mode() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("uapi_header.h.hbs"),
        "/* {{guard}} custom */\n",
    )
    .unwrap();
    let t = Templates::new(Some(dir.path())).unwrap();
    let out = generate(&features(), &t, &krate("x", "y")).unwrap();
    assert_eq!(
        out.files["include/uapi/linux/features.h"],
        "/* _UAPI_LINUX_FEATURES_H custom */\n"
    );

    std::fs::write(dir.path().join("uapi_header.h.hbs"), "/* {{gaurd}} */\n").unwrap();
    let t = Templates::new(Some(dir.path())).unwrap();
    let err = generate(&features(), &t, &krate("x", "y"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("gaurd"), "{err}");
}

/// The golden crate (the main profile) compiles for i686 too, so its layout asserts hold each
/// type to gcc's layout there: packed.toml's `pk_remote` has a padding member only i686 has
/// (`__aligned_u64` after three `__u32`s, where Rust's `u64` is 4-aligned), and one every
/// target has. The host's build is the tests crate's dependency.
#[test]
fn golden_crate_holds_its_layout_asserts_on_i686() {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("golden-i686");
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(repo_root())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .args(["check", "-q", "-p", GOLDEN_CRATE, "--offline"])
        .args(["--target", "i686-unknown-linux-gnu", "--target-dir"])
        .arg(&target_dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    assert!(
        out.status.success(),
        "cargo check --target i686-unknown-linux-gnu:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rust =
        std::fs::read_to_string(repo_root().join("codegen/tests/golden/out/rust/src/packed.rs"))
            .unwrap();
    for padding in [
        "    #[cfg(target_arch = \"x86\")]\n    pub __uapigen_pad_1: [u8; 4],\n    /// `common`.\n",
        "    pub __uapigen_pad_2: [u8; 4],\n    /// `uid`.\n",
    ] {
        assert!(rust.contains(padding), "{padding}");
    }
}
