//! The CLI flags of the names and normalisation stages.

use assert_cmd::Command;
use std::io::Write;

const DOC: &str = "社员朱家清说。朱家清表示。朱家清指出。朱佳清强调。";

fn zhclean() -> Command {
    Command::cargo_bin("zhclean").unwrap()
}

#[test]
fn auto_unifies_to_the_majority() {
    let out = zhclean()
        .args(["--convert", "none", "-q"])
        .write_stdin(DOC)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        DOC.replace("朱佳清", "朱家清")
    );
}

#[test]
fn names_file_canonical_wins() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "# canonical names").unwrap();
    writeln!(f, "朱佳清").unwrap();
    let out = zhclean()
        .args(["--convert", "none", "-q", "--names-file"])
        .arg(f.path())
        .write_stdin(DOC)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        DOC.replace("朱家清", "朱佳清")
    );
}

#[test]
fn report_mode_changes_nothing_but_reports() {
    let report = tempfile::NamedTempFile::new().unwrap();
    let out = zhclean()
        .args(["--convert", "none", "-q", "--names", "report", "--report"])
        .arg(report.path())
        .write_stdin(DOC)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), DOC);
    let r = std::fs::read_to_string(report.path()).unwrap();
    assert!(r.contains("\"suspect\"") && r.contains("朱家清×3"), "{r}");
}

#[test]
fn names_off() {
    let out = zhclean()
        .args(["--convert", "none", "-q", "--names", "off"])
        .write_stdin(DOC)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), DOC);
}

#[test]
fn punct_cjk_flag() {
    let out = zhclean()
        .args(["--convert", "none", "-q", "--punct-cjk"])
        .write_stdin("你好,世界(测试)!租金?00万元,价值408.71万")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "你好，世界（测试）！租金?00万元，价值408.71万"
    );
}
