//! Data-driven cases of the pinyin repair: `tests/data/pinyin_cases.txt` (damaged → expected)
//! and `tests/data/pinyin_clean_cases.txt` (must not change in `auto` mode).

use zhclean::repair::{RepairOptions, Toggle};
use zhclean::{Cleaner, Config};

fn cleaner(mode: Toggle) -> Cleaner {
    let mut cfg = Config::decode_only();
    cfg.repair = RepairOptions {
        mojibake: false,
        pinyin: mode,
        html_entities: Toggle::Off,
        ..RepairOptions::default()
    };
    Cleaner::new(cfg).unwrap()
}

fn lines(name: &str) -> Vec<String> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn damaged_cases_are_repaired() {
    let c = cleaner(Toggle::On);
    let mut bad = Vec::new();
    for l in lines("pinyin_cases.txt") {
        let (damaged, want) = l.split_once('\t').expect("damaged<TAB>expected");
        let got = c.clean_str(damaged).text;
        if got != want {
            bad.push(format!("{damaged}\n  got:  {got}\n  want: {want}"));
        }
        // Repairing again changes nothing.
        assert_eq!(c.clean_str(&got).text, got, "not idempotent on {damaged}");
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn clean_cases_are_untouched() {
    let c = cleaner(Toggle::Auto);
    for l in lines("pinyin_clean_cases.txt") {
        let out = c.clean_str(&l);
        assert_eq!(out.text, l);
        assert!(out.changes.is_empty(), "{l}: {:?}", out.changes);
    }
    // All of them in one document: still no signature.
    let all = lines("pinyin_clean_cases.txt").join("\n");
    assert_eq!(c.clean_str(&all).text, all);
}

#[test]
fn off_changes_nothing() {
    let c = cleaner(Toggle::Off);
    for l in lines("pinyin_cases.txt") {
        let (damaged, _) = l.split_once('\t').unwrap();
        assert_eq!(c.clean_str(damaged).text, damaged);
    }
}
