//! JSON Lines through the command line: damaged corpus, field and order preservation,
//! malformed lines, --on-error, report record numbers.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;

fn zhclean() -> Command {
    Command::cargo_bin("zhclean").unwrap()
}

/// What text mode makes of one string: JSONL must clean each record the same way.
fn clean_text(s: &str) -> String {
    let out = zhclean().write_stdin(s.to_owned()).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

const CORPUS: &str = concat!(
    r#"{"id": 1, "text": "臺灣的電腦軟體", "lang": "zh-TW", "score": 1.50, "tags": ["a", "b"]}"#,
    "\n",
    r#"{"text":"æ\u0097¥æ\u009c¬ mojibake, &amp; entities","id":2,"meta":{"title":"標題","n":null}}"#,
    "\n",
    "this line is not json\n",
    r#"{"id": 4, "text": "中(zhōng)國(guó)的學(xué)生", "big": 123456789012345678901234567890}"#,
    "\r\n",
    "\n",
    r#"["an", "array", "not an object"]"#,
    "\n",
    r#"{"id": 7, "meta": {"title": "沒有 text 欄位"}, "text": "\u81fa\u7063"}"#,
    "\n",
    r#"{"id": 8, "text": "last line without newline 著"}"#,
);

#[test]
fn damaged_corpus_keeps_other_fields_order_and_line_count() {
    let out = zhclean()
        .args(["--jsonl", "--field", "text", "--field", "meta.title"])
        .write_stdin(CORPUS)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("<stdin>:3: malformed")
                .or(predicate::str::contains(":3: malformed")),
        )
        .stderr(predicate::str::contains(":6: malformed"));
    let got = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let in_lines: Vec<&str> = CORPUS.split_inclusive('\n').collect();
    let out_lines: Vec<&str> = got.split_inclusive('\n').collect();
    assert_eq!(in_lines.len(), out_lines.len());
    for (i, (a, b)) in in_lines.iter().zip(&out_lines).enumerate() {
        // Line endings are kept.
        assert_eq!(a.ends_with("\r\n"), b.ends_with("\r\n"), "line {}", i + 1);
        assert_eq!(a.ends_with('\n'), b.ends_with('\n'), "line {}", i + 1);
        let (Ok(va), Ok(vb)) = (
            serde_json::from_str::<Value>(a),
            serde_json::from_str::<Value>(b),
        ) else {
            assert_eq!(a, b, "malformed line {} passes through", i + 1);
            continue;
        };
        let (Some(oa), Some(ob)) = (va.as_object(), vb.as_object()) else {
            assert_eq!(a, b, "non-object line {} passes through", i + 1);
            continue;
        };
        // Same keys in the same order; every field except the cleaned ones equal.
        let ka: Vec<&String> = oa.keys().collect();
        let kb: Vec<&String> = ob.keys().collect();
        assert_eq!(ka, kb, "key order of line {}", i + 1);
        for (k, v) in oa {
            match (k.as_str(), v) {
                ("text", Value::String(s)) => {
                    assert_eq!(ob[k].as_str().unwrap(), clean_text(s), "line {}", i + 1)
                }
                ("meta", Value::Object(m)) => {
                    for (mk, mv) in m {
                        if mk == "title" {
                            let t = mv.as_str().unwrap();
                            assert_eq!(ob["meta"][mk].as_str().unwrap(), clean_text(t));
                        } else {
                            assert_eq!(&ob["meta"][mk], mv);
                        }
                    }
                }
                _ => assert_eq!(&ob[k], v, "field {k} of line {}", i + 1),
            }
        }
        // A record whose fields did not change is byte-identical (numbers, escapes, spacing).
        if oa
            .get("text")
            .and_then(Value::as_str)
            .map(clean_text)
            .as_deref()
            == oa.get("text").and_then(Value::as_str)
            && oa
                .get("meta")
                .and_then(|m| m.get("title"))
                .and_then(Value::as_str)
                .is_none_or(|t| clean_text(t) == t)
        {
            assert_eq!(a, b, "unchanged record {} is byte-identical", i + 1);
        }
    }
}

#[test]
fn big_numbers_and_escapes_survive() {
    let line = "{\"big\": 123456789012345678901234567890, \"f\": 1.0e5, \"text\": \"ok\", \"e\": \"\\u00e9\\/\"}\n";
    zhclean()
        .arg("--jsonl")
        .write_stdin(line)
        .assert()
        .success()
        .stdout(line);
}

#[test]
fn on_error_skip_and_fail() {
    let input = "{\"text\": \"a\"}\nbroken {\n{\"text\": \"b\"}\n";
    zhclean()
        .args(["--jsonl", "--on-error", "skip", "-q"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"text\": \"a\"}\n{\"text\": \"b\"}\n")
        .stderr(predicate::str::contains(":2: malformed record (skipped)"));
    zhclean()
        .args(["--jsonl", "--on-error", "fail"])
        .write_stdin(input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2"));
}

#[test]
fn report_carries_record_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("r.jsonl");
    let s = dir.path().join("s.json");
    zhclean()
        .args(["--jsonl", "--report"])
        .arg(&r)
        .arg("--summary-json")
        .arg(&s)
        .write_stdin("{\"text\": \"臺灣\"}\nnope\n{\"text\": \"x\"}\n")
        .assert()
        .success();
    let lines: Vec<Value> = fs::read_to_string(&r)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let bad: Vec<&Value> = lines
        .iter()
        .filter(|v| v.get("malformed").is_some())
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["record"], 2);
    assert_eq!(bad[0]["action"], "kept");
    for v in &lines {
        if v.get("stage").is_some() {
            assert!(
                v["record"].as_u64().is_some(),
                "every change names its record: {v}"
            );
            assert_eq!(v["field"], "text");
        }
    }
    let sum: Value = serde_json::from_slice(&fs::read(&s).unwrap()).unwrap();
    assert_eq!(sum["records"], 2);
    assert_eq!(sum["malformed_records"], 1);
}

#[test]
fn invalid_utf8_line_is_malformed_and_kept_byte_for_byte() {
    // A UTF-8 corpus (non-ASCII records) with one record of stray bytes.
    let mut input = "{\"text\": \"中文\"}\n{\"text\": \"".as_bytes().to_vec();
    input.extend_from_slice(b"\xff\xfe bad\"}\n{\"text\": \"end\"}\n");
    let out = zhclean()
        .arg("--jsonl")
        .write_stdin(input.clone())
        .assert()
        .success()
        .stderr(predicate::str::contains(":2: malformed"));
    assert_eq!(out.get_output().stdout, input);
}

#[test]
fn jsonl_in_a_tree_with_glob() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(src.join("part")).unwrap();
    fs::write(src.join("part/a.jsonl"), "{\"text\": \"甲\"}\n").unwrap();
    fs::write(src.join("notes.txt"), "not selected\n").unwrap();
    let out = dir.path().join("out");
    zhclean()
        .args(["-r", "--jsonl", "--glob", "*.jsonl", "-q", "--out-dir"])
        .arg(&out)
        .arg(&src)
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(out.join("part/a.jsonl")).unwrap(),
        "{\"text\": \"甲\"}\n"
    );
    assert!(!out.join("notes.txt").exists());
}
