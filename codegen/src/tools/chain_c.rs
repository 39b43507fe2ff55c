//! The generated C capability-chain walkers (`uapigen_<info>_cap_next()`) as a
//! [`ChainWalker`]: a harness compiled once against an include folder, fed every chain on
//! stdin in one process, each walk printed as it goes, so a crash loses only the walks after
//! the one it happened in.

use std::fmt::Write as _;
use std::io::{BufRead as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::chain_matrix::{ChainCase, ChainWalker, Seen, Walk};
use crate::clang_proof::ScratchDir;
use crate::diag::Error;
use crate::emit::c_caps::{walk_struct, walker_fn};
use crate::matrix_c::{compile, describe, needed};
use crate::Checked;

/// How long the whole run may take: a walk ends after at most len / sizeof(header) steps,
/// so this only catches a walker (or a machine) stopped dead.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The compiled harness and the info structs it walks, in dispatch order.
pub struct CChainWalkers {
    exe: Option<(PathBuf, ScratchDir)>,
    infos: Vec<String>,
}

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Input, per case: `ID LEN\n` then LEN bytes. Output, per case: `c ID VERSION OFFSET LEN`
/// for each capability handed out, then `e RET OFFSET`.
fn source(families: &[Checked], includes: &[String], infos: &mut Vec<String>) -> String {
    let mut src = String::from("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n");
    for i in includes {
        let _ = writeln!(src, "#include <{i}>");
    }
    let mut dispatch = String::new();
    for c in families {
        for ch in &c.caps {
            let info = c.family.struct_(ch.info).name.clone();
            let _ = writeln!(
                dispatch,
                "\t\tcase {id}: {{\n\t\t\tstruct {walk} w;\n\n\t\t\tmemset(&w, 0, sizeof(w));\n\t\t\twhile ((ret = {f}(buf, n, &w)) == 1)\n\t\t\t\tprintf(\"c %u %u %llu %u\\n\", w.id, w.version, (unsigned long long)w.offset, w.len);\n\t\t\toffset = w.offset;\n\t\t\tbreak;\n\t\t}}",
                id = infos.len(),
                walk = walk_struct(&c.family.name),
                f = walker_fn(&info),
            );
            infos.push(info);
        }
    }
    let _ = write!(
        src,
        r#"
int main(void)
{{
	unsigned long id, n;

	while (scanf("%lu %lu", &id, &n) == 2) {{
		unsigned long long offset = 0;
		unsigned char *buf;
		int ret = 0;

		if (getchar() != '\n')
			return 2;
		/* Exactly n bytes: a read past them is the sanitizer's or the MMU's to catch. */
		buf = malloc(n ? n : 1);
		if (!buf)
			return 3;
		if (fread(buf, 1, n, stdin) != n)
			return 2;
		switch (id) {{
{dispatch}		default:
			return 2;
		}}
		printf("e %d %llu\n", ret, offset);
		free(buf);
		if (fflush(stdout))
			return 2;
	}}
	return 0;
}}
"#
    );
    src
}

impl CChainWalkers {
    /// Compiles the walkers of every chain of `families` from the headers under `include`.
    /// With no chain there is nothing to compile and every case is refused as not walked.
    pub fn build(include: &Path, families: &[Checked]) -> Result<CChainWalkers, Error> {
        let mut infos = Vec::new();
        if families.iter().all(|c| c.caps.is_empty()) {
            return Ok(CChainWalkers { exe: None, infos });
        }
        let includes: Vec<String> = needed(families)?
            .into_iter()
            .filter(|n| n.validators && n.family.is_some_and(|c| !c.caps.is_empty()))
            .map(|n| n.rel)
            .collect();
        let src = source(families, &includes, &mut infos);
        let dir = ScratchDir::new("uapigen-chains")?;
        let file = dir.path().join("chains.c");
        std::fs::write(&file, src).map_err(|e| io(&file, e))?;
        let exe = dir.path().join("chains");
        let out = compile(&file, &exe, include)?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "the generated C chain walkers in {} do not compile (generated from another \
                 schema? run `uapigen generate` first):\n{}",
                include.display(),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(CChainWalkers {
            exe: Some((exe, dir)),
            infos,
        })
    }
}

/// One answer line: a capability, or the walk's end.
fn parse(line: &str, walk: &mut Walk) -> Result<bool, String> {
    let parts: Vec<&str> = line.split(' ').collect();
    let num = |i: usize| -> Result<i64, String> {
        parts
            .get(i)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("the harness printed {line:?}"))
    };
    match parts.first() {
        Some(&"c") => {
            walk.caps.push(Seen {
                id: num(1)? as u16,
                version: num(2)? as u16,
                offset: num(3)? as u32,
                len: num(4)? as u32,
            });
            Ok(false)
        }
        Some(&"e") => {
            let ret = num(1)?;
            if ret < 0 {
                walk.error = Some(((-ret) as i32, num(2)? as u64));
            }
            Ok(true)
        }
        _ => Err(format!("the harness printed {line:?}")),
    }
}

impl ChainWalker for CChainWalkers {
    fn name(&self) -> &str {
        "generated C"
    }

    fn walk(&mut self, cases: &[ChainCase]) -> (Vec<Walk>, Option<String>) {
        let Some((exe, _)) = &self.exe else {
            return (
                Vec::new(),
                (!cases.is_empty()).then(|| "no chain walker was built".to_string()),
            );
        };
        let mut input = Vec::new();
        for c in cases {
            let Some(id) = self.infos.iter().position(|i| *i == c.info) else {
                return (
                    Vec::new(),
                    Some(format!("the generated C has no walker of `{}`", c.info)),
                );
            };
            let _ = writeln!(input, "{id} {}", c.bytes.len());
            input.extend_from_slice(&c.bytes);
        }
        let child = Command::new(exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => return (Vec::new(), Some(format!("the harness did not start: {e}"))),
        };
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return (Vec::new(), Some("the harness's pipes did not open".into()));
        };
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        // The watchdog kills a harness that outlives the timeout; reading then ends.
        let child = Arc::new(Mutex::new(child));
        let done = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let watchdog = {
            let (child, done) = (child.clone(), done.clone());
            std::thread::spawn(move || {
                let (lock, cv) = &*done;
                let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
                let (guard, timeout) = cv
                    .wait_timeout_while(guard, TIMEOUT, |d| !*d)
                    .unwrap_or_else(|e| e.into_inner());
                drop(guard);
                if timeout.timed_out() {
                    let _ = child.lock().unwrap_or_else(|e| e.into_inner()).kill();
                }
                timeout.timed_out()
            })
        };
        let mut walks = Vec::new();
        let mut current = Walk::default();
        let mut garbled = None;
        let mut text = String::new();
        let mut r = std::io::BufReader::new(stdout);
        loop {
            text.clear();
            match r.read_line(&mut text) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            match parse(text.trim_end(), &mut current) {
                Ok(true) => walks.push(std::mem::take(&mut current)),
                Ok(false) => {}
                Err(e) => {
                    garbled = Some(e);
                    let _ = child.lock().unwrap_or_else(|e| e.into_inner()).kill();
                    let _ = r.read_to_end(&mut Vec::new());
                    break;
                }
            }
        }
        let status = child.lock().unwrap_or_else(|e| e.into_inner()).wait();
        {
            let (lock, cv) = &*done;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
            cv.notify_all();
        }
        let timed_out = watchdog.join().unwrap_or(false);
        let _ = writer.join();
        let stop = if timed_out {
            Some(format!(
                "the harness did not finish within {} s and was killed",
                TIMEOUT.as_secs()
            ))
        } else if let Some(g) = garbled {
            Some(g)
        } else if walks.len() < cases.len() {
            Some(match status {
                Ok(s) => format!("the harness {}", describe(s)),
                Err(e) => format!("the harness could not be waited for: {e}"),
            })
        } else {
            None
        };
        (walks, stop)
    }
}
