//! The real kernel headers scripts/fetch-kernel-headers unpacked, one Debian suite each, and
//! the two x86 ABIs they are compiled for. Anything missing fails the test with the command
//! that fetches or installs it: a comparison that did not run must not look like one that
//! passed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The suites the fetch script unpacks, oldest kernel first.
pub const SUITES: &[&str] = &["bullseye", "bookworm", "bookworm-backports", "unstable"];

/// One suite's linux-libc-dev, unpacked.
pub struct Kernel {
    pub suite: &'static str,
    /// The Debian version (`6.12.95-1~bpo12+1`).
    pub package: String,
    /// The kernel release it is from, as `major.minor.patch` (`6.12.95`).
    pub release: (u32, u32, u32),
    /// Its `usr/include`.
    pub include: PathBuf,
}

impl Kernel {
    pub fn name(&self) -> String {
        format!("{}.{}", self.release.0, self.release.1)
    }

    /// The folders a program for `abi` finds this kernel's headers in, in order.
    pub fn include_dirs(&self, abi: &Abi) -> Vec<PathBuf> {
        // Newer packages carry i386's asm/ too; older ones only x86-64's, whose headers
        // serve both ABIs (they test __i386__).
        let arch = abi
            .multiarch
            .iter()
            .map(|m| self.include.join(m))
            .find(|d| d.join("asm").is_dir())
            .unwrap_or_else(|| {
                panic!(
                    "{}: no asm/ for {} under {}: rerun scripts/fetch-kernel-headers --refresh",
                    self.name(),
                    abi.name,
                    self.include.display()
                )
            });
        vec![self.include.clone(), arch]
    }
}

fn cache_root() -> PathBuf {
    let base = match std::env::var_os("UAPIGEN_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/uapigen")
        }
    };
    base.join("linux-libc-dev")
}

/// Every suite's kernel; panics naming what is missing and how to get it.
pub fn fetched() -> Vec<Kernel> {
    let root = cache_root();
    SUITES
        .iter()
        .map(|&suite| {
            let link = root.join(suite);
            let include = link.join("usr/include");
            let package = std::fs::read_link(&link)
                .ok()
                .filter(|_| include.join("linux/types.h").is_file())
                .and_then(|v| v.to_str().map(String::from))
                .unwrap_or_else(|| {
                    panic!(
                        "the real kernel headers of Debian {suite} are not in {}: run scripts/setup \
                         (it runs scripts/fetch-kernel-headers; UAPIGEN_CACHE moves the cache)",
                        link.display()
                    )
                });
            let release = release_of(&package)
                .unwrap_or_else(|| panic!("{suite}: cannot read a kernel release in `{package}`"));
            Kernel {
                suite,
                package,
                release,
                include,
            }
        })
        .collect()
}

/// `6.12.95-1~bpo12+1` → (6, 12, 95).
fn release_of(package: &str) -> Option<(u32, u32, u32)> {
    let mut parts = package.split(['.', '-', '~', '+']);
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

/// A target ABI, as gcc builds for it on an x86-64 machine.
pub struct Abi {
    pub name: &'static str,
    pub flag: &'static str,
    /// The multiarch folders of linux-libc-dev that may hold its asm/, preferred first.
    pub multiarch: &'static [&'static str],
}

pub const ABIS: &[Abi] = &[
    Abi {
        name: "x86_64",
        flag: "-m64",
        multiarch: &["x86_64-linux-gnu"],
    },
    Abi {
        name: "i686",
        flag: "-m32",
        multiarch: &["i386-linux-gnu", "x86_64-linux-gnu"],
    },
];

/// Panics with what to install when gcc cannot build and run a C program for every ABI.
pub fn require_compilers(scratch: &Path) {
    let src = scratch.join("hello.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint main(void) { return puts(\"ok\") < 0; }\n",
    )
    .unwrap();
    for abi in ABIS {
        let exe = scratch.join(format!("hello-{}", abi.name));
        let built = Command::new("gcc")
            .arg(abi.flag)
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .output();
        let ran = built
            .as_ref()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|_| Command::new(&exe).output().ok())
            .is_some_and(|o| o.status.success());
        if !ran {
            let why = match &built {
                Err(e) => format!("cannot run gcc: {e}"),
                Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
            };
            panic!(
                "gcc cannot build and run a {} program ({}): run scripts/setup (it installs gcc \
                 and gcc-multilib)\n{why}",
                abi.name, abi.flag
            );
        }
    }
}

#[test]
fn releases_are_read_from_debian_versions() {
    assert_eq!(release_of("6.12.95-1~bpo12+1"), Some((6, 12, 95)));
    assert_eq!(release_of("7.2.13-1"), Some((7, 2, 13)));
    assert_eq!(release_of("5.10.223-1"), Some((5, 10, 223)));
    assert_eq!(release_of("x"), None);
}
