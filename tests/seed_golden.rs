//! Golden tests on the seed document (`../shared/seed/`): a real page damaged by the
//! pinyin-annotation corruption. They skip (with a message) only when ../shared is missing.

use std::path::{Path, PathBuf};
use zhclean::names::NamesMode;
use zhclean::repair::Toggle;
use zhclean::{ChangeKind, Cleaner, Config};

fn seed_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    if d.join("seed.txt").exists() {
        Some(d)
    } else {
        eprintln!("skipped: {} not found", d.display());
        None
    }
}

fn read(d: &Path, name: &str) -> String {
    std::fs::read_to_string(d.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `--convert none --names off`.
fn repair_only() -> Config {
    let mut cfg = Config {
        convert: None,
        ..Config::default()
    };
    cfg.names.mode = NamesMode::Off;
    cfg
}

/// Repair alone, entities left for the html stage: the strict golden of this stage.
#[test]
fn seed_pinyin_stage_alone() {
    let Some(d) = seed_dir() else { return };
    let mut cfg = repair_only();
    cfg.repair.html_entities = Toggle::Off;
    let out = Cleaner::new(cfg)
        .unwrap()
        .clean_bytes(read(&d, "seed.txt").as_bytes())
        .unwrap();
    let want = read(&d, "seed.expected.traditional.txt").replace("獎章”", "獎章&rdquo;");
    assert_eq!(out.text, want);
}

/// The report lists exactly one unrecoverable change: the digit of `租金?00萬元`.
#[test]
fn seed_reports_the_lost_digit() {
    let Some(d) = seed_dir() else { return };
    let out = Cleaner::new(repair_only())
        .unwrap()
        .clean_bytes(read(&d, "seed.txt").as_bytes())
        .unwrap();
    let lost: Vec<_> = out
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Unrecoverable)
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    let c = lost[0];
    assert_eq!(
        (c.stage, c.before.as_str(), c.after.as_str()),
        ("pinyin", "?", "?")
    );
    let chars: Vec<char> = out.text.chars().collect();
    let at = c.output_chars[0];
    let around: String = chars[at - 2..at + 5].iter().collect();
    assert_eq!(around, "租金?00萬元");
    let input = read(&d, "seed.txt");
    assert_eq!(&input.as_bytes()[c.input_bytes[0]..c.input_bytes[1]], b"?");
    assert!(input[..c.input_bytes[0]].ends_with("鋪?zhàn)饨"));
}

/// `zhclean --convert none --names off seed.txt` prints the expected Traditional text.
/// Needs the html stage (`&rdquo;` → ”).
#[test]
fn seed_golden_traditional() {
    let Some(d) = seed_dir() else { return };
    let out = assert_cmd::Command::cargo_bin("zhclean")
        .unwrap()
        .args(["--convert", "none", "--names", "off"])
        .arg(d.join("seed.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let got = String::from_utf8(out.stdout).unwrap();
    assert_eq!(got, read(&d, "seed.expected.traditional.txt"));
}

/// `zhclean seed.txt` prints `seed.expected.txt`. Needs html, convert (t2s) and names.
#[test]
fn seed_golden_default() {
    let Some(d) = seed_dir() else { return };
    let out = assert_cmd::Command::cargo_bin("zhclean")
        .unwrap()
        .arg(d.join("seed.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let got = String::from_utf8(out.stdout).unwrap();
    assert_eq!(got, read(&d, "seed.expected.txt"));
}
