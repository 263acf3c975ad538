//! Directory trees: mirroring, globs, parallel determinism, and a run that goes on past
//! a binary file and an unreadable one.
//!
//! Tests run as root, and root reads a `chmod 000` file anyway; the unreadable file here
//! is a dangling symlink (open fails with ENOENT), and on the command line a directory
//! named like a file (read fails with EISDIR).

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn zhclean() -> Command {
    Command::cargo_bin("zhclean").unwrap()
}

fn tree(root: &Path) {
    fs::create_dir_all(root.join("a/b")).unwrap();
    fs::write(root.join("one.txt"), "第一个文件\n").unwrap();
    fs::write(root.join("a/two.txt"), "第二个\r\n文件").unwrap();
    fs::write(root.join("a/b/three.md"), "# 第三\n").unwrap();
    let mut bin = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    bin.extend((0..=255u8).cycle().take(4096));
    fs::write(root.join("a/program.txt"), bin).unwrap();
    std::os::unix::fs::symlink(root.join("missing-target"), root.join("a/b/gone.txt")).unwrap();
}

#[test]
fn tree_completes_with_binary_and_unreadable_files_reported() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    tree(&src);
    let out = dir.path().join("out");
    let s = dir.path().join("summary.json");
    zhclean()
        .arg("-r")
        .arg(&src)
        .arg("--out-dir")
        .arg(&out)
        .arg("--summary-json")
        .arg(&s)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("program.txt"))
        .stderr(predicate::str::contains("binary"))
        .stderr(predicate::str::contains("gone.txt"))
        .stderr(predicate::str::contains("2 failed"));
    assert_eq!(
        fs::read_to_string(out.join("one.txt")).unwrap(),
        "第一个文件\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("a/two.txt")).unwrap(),
        "第二个\r\n文件"
    );
    assert_eq!(
        fs::read_to_string(out.join("a/b/three.md")).unwrap(),
        "# 第三\n"
    );
    assert!(!out.join("a/program.txt").exists());
    let v: Value = serde_json::from_slice(&fs::read(&s).unwrap()).unwrap();
    assert_eq!(v["files"], 5);
    assert_eq!(v["files_ok"], 3);
    assert_eq!(v["files_failed"], 2);
    let failed: Vec<&str> = v["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // Walk order: sorted by name, depth first (a/b/ before a/program.txt).
    assert!(
        failed[0].ends_with("a/b/gone.txt") && failed[1].ends_with("a/program.txt"),
        "{failed:?}"
    );
}

#[test]
fn glob_selects_and_out_dir_inside_the_tree_is_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    tree(&src);
    let out = src.join("cleaned");
    for _ in 0..2 {
        zhclean()
            .arg("-r")
            .arg(&src)
            .args(["--glob", "*.md", "-q", "--out-dir"])
            .arg(&out)
            .assert()
            .success();
    }
    assert!(out.join("a/b/three.md").exists());
    assert!(!out.join("one.txt").exists());
    assert!(!out.join("cleaned").exists());
}

#[test]
fn stdout_order_is_deterministic_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let mut want = String::new();
    for i in 0..40 {
        // Sizes vary so that files finish out of order.
        let t = format!("{i:02} {}\n", "文字".repeat((40 - i) * 500));
        fs::write(src.join(format!("{i:02}.txt")), &t).unwrap();
        want.push_str(&t);
    }
    for j in ["1", "2", "3"] {
        let out = zhclean()
            .arg("-r")
            .arg(&src)
            .args(["-q", "-j", j])
            .assert()
            .success();
        assert!(out.get_output().stdout == want.as_bytes(), "-j {j}");
    }
}

#[test]
fn directory_named_like_a_file_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    fs::write(&good, "好\n").unwrap();
    let bad = dir.path().join("bad.txt");
    fs::create_dir(&bad).unwrap();
    zhclean()
        .arg(&bad)
        .arg(&good)
        .assert()
        .code(2)
        .stdout("好\n")
        .stderr(predicate::str::contains("bad.txt"))
        .stderr(predicate::str::contains("1 failed"));
}

#[test]
fn check_over_a_tree_exits_1_when_something_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("clean.txt"), "干净\n").unwrap();
    zhclean()
        .args(["check", "-r", "-q"])
        .arg(&src)
        .assert()
        .code(0);
    let (gbk, _, _) = encoding_rs::GBK.encode("编码不同的文件内容\n");
    fs::write(src.join("gbk.txt"), gbk).unwrap();
    zhclean()
        .args(["check", "-r", "-q"])
        .arg(&src)
        .assert()
        .code(1);
}
