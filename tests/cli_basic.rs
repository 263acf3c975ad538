//! The command line as users call it: exit codes, byte-identical clean input, line
//! endings, binary refusal, --in-place safety, outputs.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;

fn zhclean() -> Command {
    Command::cargo_bin("zhclean").unwrap()
}

#[test]
fn clean_utf8_is_byte_identical_with_crlf_bom_and_no_trailing_newline() {
    for input in [
        "简体中文，English 123.\r\n第二行\r\n最后一行没有换行"
            .as_bytes()
            .to_vec(),
        "一行\n两行\n".as_bytes().to_vec(),
        b"\xEF\xBB\xBF\xE4\xB8\xAD\xE6\x96\x87\n".to_vec(),
        Vec::new(),
        b"\n\n\r\n".to_vec(),
    ] {
        let out = zhclean().write_stdin(input.clone()).assert().success();
        assert_eq!(out.get_output().stdout, input);
        assert!(
            out.get_output().stderr.is_empty(),
            "single input stays quiet"
        );
    }
}

#[test]
fn crlf_and_lf_are_kept_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.txt");
    let text = "第一行\r\n第二行\n第三行\r\n";
    fs::write(&p, text).unwrap();
    zhclean().arg(&p).assert().success().stdout(text);
}

#[test]
fn usage_errors_exit_2() {
    zhclean().arg("--no-such-flag").assert().code(2);
    zhclean()
        .args(["--on-error", "skip"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--jsonl"));
    zhclean().args(["--glob", "*.txt", "x"]).assert().code(2);
    zhclean()
        .args(["--max-record", "12Q", "--jsonl"])
        .assert()
        .code(2);
    zhclean().args(["-o", "x", "a", "b"]).assert().code(2);
}

#[test]
fn missing_file_exits_2_and_names_it() {
    zhclean()
        .arg("/nonexistent/zhclean-test.txt")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("zhclean-test.txt"));
}

#[test]
fn a_directory_without_r_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("looks-like-a-file.txt");
    fs::create_dir(&d).unwrap();
    zhclean()
        .arg(&d)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("directory"));
}

fn binary() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend((0..=255u8).cycle().take(2000));
    b
}

#[test]
fn binary_is_refused_unless_forced() {
    zhclean()
        .write_stdin(binary())
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("binary"));
    zhclean()
        .arg("--force")
        .write_stdin(binary())
        .assert()
        .success();
}

#[test]
fn in_place_leaves_an_unprocessable_file_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("data.txt");
    fs::write(&p, binary()).unwrap();
    zhclean().arg("--in-place").arg(&p).assert().code(2);
    assert_eq!(fs::read(&p).unwrap(), binary());
    // No temporary file left behind.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn in_place_on_clean_text_does_not_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("clean.txt");
    fs::write(&p, "干净的文本\r\n").unwrap();
    let before = fs::metadata(&p).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    zhclean().arg("--in-place").arg(&p).assert().success();
    assert_eq!(fs::read(&p).unwrap(), "干净的文本\r\n".as_bytes());
    assert_eq!(fs::metadata(&p).unwrap().modified().unwrap(), before);
}

#[test]
fn in_place_converts_gbk_to_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("gbk.txt");
    let (gbk, _, _) = encoding_rs::GBK.encode("中文文本\n第二行\n");
    fs::write(&p, &gbk).unwrap();
    zhclean()
        .args(["--from", "gbk", "--in-place"])
        .arg(&p)
        .assert()
        .success();
    assert_eq!(fs::read_to_string(&p).unwrap(), "中文文本\n第二行\n");
}

#[test]
fn check_exit_codes() {
    zhclean()
        .arg("check")
        .write_stdin("干净\n")
        .assert()
        .code(0);
    let (gbk, _, _) = encoding_rs::GBK.encode("中文文本\n");
    zhclean()
        .args(["check", "--from", "gbk"])
        .write_stdin(gbk.into_owned())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("GBK"))
        .stdout("");
}

#[test]
fn output_file_and_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    fs::write(&a, "甲\n").unwrap();
    fs::write(&b, "乙\n").unwrap();
    let o = dir.path().join("o.txt");
    zhclean().arg(&a).arg("-o").arg(&o).assert().success();
    assert_eq!(fs::read_to_string(&o).unwrap(), "甲\n");
    let out = dir.path().join("out");
    zhclean()
        .arg(&a)
        .arg(&b)
        .arg("--out-dir")
        .arg(&out)
        .arg("-q")
        .assert()
        .success()
        .stderr("");
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "甲\n");
    assert_eq!(fs::read_to_string(out.join("b.txt")).unwrap(), "乙\n");
}

#[test]
fn several_files_to_stdout_in_order_with_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = Vec::new();
    let mut want = String::new();
    for i in 0..12 {
        let p = dir.path().join(format!("f{i}.txt"));
        let t = format!("文件{i}\n");
        fs::write(&p, &t).unwrap();
        want.push_str(&t);
        args.push(p);
    }
    for j in ["1", "2", "4"] {
        zhclean()
            .args(&args)
            .args(["-j", j])
            .assert()
            .success()
            .stdout(want.clone())
            .stderr(predicate::str::contains("12 (12 ok, 0 failed"));
    }
}

#[test]
fn summary_json_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.json");
    let r = dir.path().join("r.jsonl");
    let (gbk, _, _) = encoding_rs::GBK.encode("中文文本\n");
    zhclean()
        .args(["--from", "gbk", "--summary-json"])
        .arg(&s)
        .arg("--report")
        .arg(&r)
        .write_stdin(gbk.into_owned())
        .assert()
        .success()
        .stderr("");
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&s).unwrap()).unwrap();
    assert_eq!(v["files"], 1);
    assert_eq!(v["files_failed"], 0);
    assert_eq!(v["files_changed"], 1);
    assert_eq!(v["encodings"]["GBK"], 1);
    let report = fs::read_to_string(&r).unwrap();
    let first: serde_json::Value = serde_json::from_str(report.lines().next().unwrap()).unwrap();
    assert_eq!(first["stage"], "decode");
    zhclean()
        .arg("--summary")
        .write_stdin("x")
        .assert()
        .success()
        .stderr(predicate::str::contains("files"));
}

#[test]
fn dash_sends_the_report_or_summary_to_stdout_when_the_text_goes_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let (i, o) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    fs::write(&i, "臺灣\n").unwrap();
    for flag in ["--report", "--summary-json"] {
        // The text is on stdout: refused, and no file named `-` appears.
        zhclean()
            .current_dir(dir.path())
            .args([flag, "-"])
            .arg(&i)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("stdout carries the cleaned text"));
        assert!(!dir.path().join("-").exists());
    }
    let out = zhclean()
        .args(["--report", "-", "-o"])
        .arg(&o)
        .arg(&i)
        .assert()
        .success();
    let line: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        (line["before"].as_str(), line["after"].as_str()),
        (Some("臺灣"), Some("台湾"))
    );
    assert_eq!(fs::read_to_string(&o).unwrap(), "台湾\n");
    let out = zhclean()
        .args(["check", "-q", "--summary-json", "-"])
        .arg(&i)
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["files_changed"], 1);
    zhclean()
        .args(["--report", "-", "--summary-json", "-", "-o"])
        .arg(&o)
        .arg(&i)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("share stdout"));
}

#[test]
fn detect_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("u.txt");
    fs::write(&p, "中文").unwrap();
    zhclean()
        .arg("detect")
        .arg(&p)
        .assert()
        .success()
        .stdout(predicate::str::contains("UTF-8"));
}

#[test]
fn every_stage_flag_still_parses() {
    zhclean()
        .args([
            "--convert",
            "t2s",
            "--engine",
            "builtin",
            "--no-tofu-risk",
            "--pinyin-repair",
            "auto",
            "--mojibake",
            "on",
            "--html-entities",
            "auto",
            "--lossy",
            "mark",
            "--names",
            "auto",
            "--unicode",
            "nfc",
            "--width",
            "--punct-cjk",
            "--to",
            "utf-8",
            "--to-fallback",
            "entity",
            "--explain",
            "-q",
        ])
        .write_stdin("中文\n")
        .assert()
        .success();
}

/// The 64-byte scans (AVX-512, where the CPU has it) and the scalar loops
/// (`ZHCLEAN_NO_SIMD=1`) give the same output and report on text that has every kind
/// of char they look for: the damaged seed (garble, names, Traditional chars, HTML
/// entities) and long runs of Traditional text, Latin-1 garble and emoji.
#[test]
fn block_scans_and_scalar_loops_clean_alike() {
    let seed = fs::read_to_string("samples/seed.txt").unwrap();
    let mut text = String::new();
    for k in 0..40 {
        text.push_str(&seed);
        text.push_str(&"這個問題沒有關係，朱佳清說。".repeat(k));
        text.push_str("Ã©Ã¨ é ß 😀 涓枃缂栫爜 ");
        text.push_str(&"简体中文的测试文本。".repeat(40 - k));
        text.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mix.txt");
    fs::write(&p, &text).unwrap();
    let run = |no_simd: bool| {
        let report = dir.path().join(format!("report-{no_simd}.jsonl"));
        let mut cmd = zhclean();
        if no_simd {
            cmd.env("ZHCLEAN_NO_SIMD", "1");
        } else {
            cmd.env_remove("ZHCLEAN_NO_SIMD");
        }
        let out = cmd.arg("--report").arg(&report).arg(&p).assert().success();
        (out.get_output().stdout.clone(), fs::read(&report).unwrap())
    };
    let (blocks, scalar) = (run(false), run(true));
    assert!(
        blocks.0 != text.as_bytes(),
        "the text has something to clean"
    );
    assert!(blocks.0 == scalar.0, "same output");
    assert!(blocks.1 == scalar.1, "same report");
}
