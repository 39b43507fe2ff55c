//! The generated C validators as a matrix implementation: a harness that dispatches to every
//! revision's `<struct>__<rev>_copy_from_user`, compiled once with the system C compiler
//! against an include folder (generated/include), fed all cases on stdin in one process.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use uapigen_uaccess::Errno;

use crate::diag::Error;
use crate::ir::Convention;
use crate::matrix::{find, Case, Implementation, Outcome};
use crate::Checked;

/// The generated C validators of every revision, compiled once into a harness, as an implementation.
pub struct CValidators<'a> {
    exe: PathBuf,
    families: &'a [Checked],
}

/// The harness's user memory: `UAPI_COPY_FROM_USER` copying the readable prefix of a
/// buffer (`g_base`, `g_readable`) and remembering the furthest byte read (`g_read_end`).
/// Shared with the end-to-end tests' harness.
pub const PRELUDE: &str = r#"#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char *g_base;
static size_t g_readable, g_read_end;

/* copy_from_user semantics: the readable prefix is copied, the rest is reported. */
static size_t harness_copy(void *to, const void *from, size_t n)
{
	const unsigned char *f = (const unsigned char *)from;
	size_t ok = 0;

	while (ok < n && f + ok >= g_base && (size_t)(f + ok - g_base) < g_readable) {
		((unsigned char *)to)[ok] = f[ok];
		ok++;
	}
	if (ok && (size_t)(f + ok - g_base) > g_read_end)
		g_read_end = (size_t)(f + ok - g_base);
	return n - ok;
}
#define UAPI_COPY_FROM_USER(to, from, n) harness_copy((to), (from), (n))
"#;

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl<'a> CValidators<'a> {
    /// Builds the harness against `include` (the folder holding `uapi/` and `uapigen/`).
    pub fn build(include: &Path, families: &'a [Checked]) -> Result<CValidators<'a>, Error> {
        let mut src = String::from(PRELUDE);
        let mut dispatch = String::new();
        for c in families {
            let header = include.join(format!("uapigen/{}_validate.h", c.family.name));
            let Ok(text) = std::fs::read_to_string(&header) else {
                continue;
            };
            let _ = writeln!(src, "#include <uapigen/{}_validate.h>", c.family.name);
            for (si, st) in c.family.structs.iter().enumerate() {
                let Some(conv) = st.convention else { continue };
                for (r, rev) in c.history.revisions.iter().enumerate() {
                    let f = format!("{}__{}_copy_from_user", st.name, rev.id);
                    if c.history.structs[si].since > r || !text.contains(&format!("{f}(")) {
                        continue;
                    }
                    let args = if conv == Convention::UserData {
                        "buf, (__u32)type, (__u32)len"
                    } else {
                        "buf"
                    };
                    let _ = writeln!(
                        dispatch,
                        "\t\telse if (!strcmp(name, \"{}\") && rev == {r}) {{ struct {} d; memset(&d, 0xa5, sizeof(d)); ret = {f}(&d, {args}); memcpy(out, &d, sizeof(d)); outlen = sizeof(d); }}",
                        st.name, st.name
                    );
                }
            }
        }
        let _ = write!(
            src,
            r#"
int main(void)
{{
	static char line[1 << 16];
	static unsigned char buf[1 << 14];
	unsigned char out[4096];

	while (fgets(line, sizeof(line), stdin)) {{
		char name[96], hex[1 << 15];
		unsigned long rev, type, len;
		size_t n = 0, outlen = 0, i;
		int ret = 0;

		if (sscanf(line, "%95s %lu %lu %lu %32767s", name, &rev, &type, &len, hex) < 5)
			return 2;
		for (i = 0; hex[i] && hex[i + 1] && hex[i] != '-'; i += 2) {{
			unsigned int b;
			sscanf(hex + i, "%2x", &b);
			buf[n++] = (unsigned char)b;
		}}
		g_base = buf;
		g_readable = n;
		g_read_end = 0;
		if (0) {{ }}
{dispatch}		else {{ printf("none\n"); continue; }}
		printf("%d %zu ", ret, g_read_end);
		for (i = 0; i < outlen; i++)
			printf("%02x", out[i]);
		printf("\n");
	}}
	return 0;
}}
"#
        );
        // Unique per build: two matrices in one process (parallel tests) must not share it.
        static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = BUILDS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("uapigen-matrix-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let file = dir.join("matrix.c");
        std::fs::write(&file, src).map_err(|e| io(&file, e))?;
        let exe = dir.join("matrix");
        let out = Command::new("cc")
            .args(["-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror", "-I"])
            .arg(include.join("uapi"))
            .arg("-I")
            .arg(include)
            .arg(&file)
            .arg("-o")
            .arg(&exe)
            .output()
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot run the C compiler `cc` ({e}): install gcc (scripts/setup)"
                ))
            })?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "the generated C validators in {} do not compile:\n{}",
                include.display(),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(CValidators { exe, families })
    }
}

impl Implementation for CValidators<'_> {
    fn name(&self) -> &str {
        "generated C"
    }

    fn run(&mut self, cases: &[Case]) -> Vec<Outcome> {
        let mut input = String::new();
        for c in cases {
            let (t, l) = c.user_data.unwrap_or((0, 0));
            let hex: String = c.bytes.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(
                input,
                "{} {} {t} {l} {}",
                c.struct_name,
                c.kernel,
                if hex.is_empty() { "-".to_string() } else { hex }
            );
        }
        let spawned = Command::new(&self.exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn();
        let Ok(mut child) = spawned else {
            return cases.iter().map(|_| (Err(Errno::EFAULT), None)).collect();
        };
        let mut stdin = child.stdin.take().expect("piped stdin");
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child
            .wait_with_output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let _ = writer.join();
        let lines: Vec<&str> = out.lines().collect();
        cases
            .iter()
            .enumerate()
            .map(|(i, case)| {
                let Some(line) = lines.get(i) else {
                    return (Err(Errno::EFAULT), None);
                };
                let mut parts = line.split(' ');
                let (Some(ret), Some(read_end)) = (
                    parts.next().and_then(|x| x.parse::<i32>().ok()),
                    parts.next().and_then(|x| x.parse::<usize>().ok()),
                ) else {
                    return (Err(Errno::EFAULT), None);
                };
                let hex = parts.next().unwrap_or("");
                let bytes: Vec<u8> = (0..hex.len() / 2)
                    .filter_map(|j| u8::from_str_radix(&hex[2 * j..2 * j + 2], 16).ok())
                    .collect();
                if ret != 0 {
                    return (
                        Err(Errno::from_negative(ret).unwrap_or(Errno::EFAULT)),
                        Some(read_end),
                    );
                }
                // Today's struct holds the revision's: past the revision's size it must be zero.
                let ksize = find(self.families, &case.struct_name)
                    .map(|(c, si)| c.revisions[case.kernel].1[0].structs[si].size as usize)
                    .unwrap_or(bytes.len());
                if bytes.iter().skip(ksize).all(|b| *b == 0) {
                    (Ok(bytes[..ksize.min(bytes.len())].to_vec()), Some(read_end))
                } else {
                    (Ok(bytes), Some(read_end))
                }
            })
            .collect()
    }
}

impl Drop for CValidators<'_> {
    fn drop(&mut self) {
        if let Some(dir) = self.exe.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
