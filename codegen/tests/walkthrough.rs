//! README's walkthrough, replayed: every `console` block's commands run (with `target/widget`
//! replaced by a temporary folder) and print what the README shows, with the exit status its
//! `[exit N]` line gives; every `toml` block is an excerpt of a file in
//! `examples/walkthrough/`; the `c` block is in the header generated at that point. A README
//! that drifts from the tool fails here.

mod common;

use std::path::Path;
use std::process::Command;

const WORKDIR: &str = "target/widget";

enum Block<'a> {
    Toml(&'a str),
    Console(&'a str),
    C(&'a str),
}

/// The fenced blocks of README's walkthrough section, in order.
fn walkthrough_blocks(readme: &str) -> Vec<Block<'_>> {
    let section = common::markdown_section(readme, "## Walkthrough");
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let eol = after.find('\n').expect("fence line ends");
        let lang = &after[..eol];
        let body_start = eol + 1;
        let close = after[body_start..]
            .find("\n```")
            .expect("every fence is closed");
        let body = &after[body_start..body_start + close + 1];
        blocks.push(match lang {
            "toml" => Block::Toml(body),
            "console" => Block::Console(body),
            "c" => Block::C(body),
            other => panic!("walkthrough block of unknown kind `{other}`"),
        });
        rest = &after[body_start + close + 4..];
    }
    blocks
}

/// Lines without trailing whitespace, trailing empty lines dropped.
fn normalised(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Runs one README command; (combined output, exit status).
fn run(command: &str, root: &Path, work: &str) -> (String, i32) {
    let command = command.replace(WORKDIR, work);
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["mkdir", "-p", dir] => {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            (String::new(), 0)
        }
        ["cp", from, to] => {
            std::fs::copy(root.join(from), root.join(to)).unwrap();
            (String::new(), 0)
        }
        ["cargo", "run", "-q", "--", args @ ..] => {
            let out = Command::new(env!("CARGO_BIN_EXE_uapigen"))
                .current_dir(root)
                .args(args)
                .output()
                .unwrap();
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            (text, out.status.code().unwrap_or(-1))
        }
        _ => panic!("the walkthrough runs a command this test does not know: {command}"),
    }
}

fn replay(console: &str, root: &Path, work: &str) {
    let mut commands: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in console.lines() {
        match line.strip_prefix("$ ") {
            Some(cmd) => commands.push((cmd, Vec::new())),
            None => commands
                .last_mut()
                .expect("a console block starts with a command")
                .1
                .push(line),
        }
    }
    for (cmd, mut shown) in commands {
        let mut status = 0;
        if let Some(last) = shown.iter().rposition(|l| !l.trim().is_empty()) {
            if let Some(n) = shown[last]
                .strip_prefix("[exit ")
                .and_then(|s| s.strip_suffix(']'))
            {
                status = n.parse().expect("[exit N]");
                shown.truncate(last);
            }
        }
        let expected = normalised(&shown.join("\n").replace(WORKDIR, work));
        let (got, code) = run(cmd, root, work);
        assert_eq!(normalised(&got), expected, "output of `{cmd}`");
        assert_eq!(code, status, "exit status of `{cmd}`:\n{got}");
    }
}

#[test]
fn the_readme_walkthrough_is_what_the_tool_does() {
    let root = common::repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples: Vec<String> = ["widget.v1.toml", "widget.v2.toml", "widget.breaking.toml"]
        .iter()
        .map(|f| std::fs::read_to_string(root.join("examples/walkthrough").join(f)).unwrap())
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().to_str().unwrap().to_string();
    let blocks = walkthrough_blocks(&readme);
    assert!(blocks.len() >= 8, "the walkthrough lost its blocks");
    let mut ran = 0;
    for block in blocks {
        match block {
            Block::Toml(text) => assert!(
                examples.iter().any(|e| e.contains(text)),
                "README shows TOML that is in no examples/walkthrough file:\n{text}"
            ),
            Block::Console(text) => {
                replay(text, &root, &work);
                ran += 1;
            }
            Block::C(text) => {
                let header = std::fs::read_to_string(
                    tmp.path().join("generated/include/uapi/linux/widget.h"),
                )
                .unwrap();
                assert!(
                    header.contains(text),
                    "README shows C that is not in the generated header:\n{text}\n---\n{header}"
                );
            }
        }
    }
    assert_eq!(ran, 4, "console blocks replayed");
}
