//! Data-driven cases in `tests/cases/names/`: `NAME.in.txt` is the input, `NAME.out.txt`
//! the expected output (missing: the input must come out unchanged), and an optional
//! `NAME.names` is a names file (`canonical` or `variant<TAB>canonical` lines).
//! `synthetic-*` cases must change, `negative-*` cases must not.

use std::path::Path;
use zhclean::names::NamesOptions;
use zhclean::{Cleaner, Config};

fn options(names_file: Option<String>) -> NamesOptions {
    let mut o = NamesOptions::default();
    for line in names_file.unwrap_or_default().lines() {
        match line.split_once('\t') {
            Some((v, c)) => o.variants.push((v.into(), c.into())),
            None if !line.trim().is_empty() => o.canonical.push(line.trim().into()),
            None => {}
        }
    }
    o
}

#[test]
fn names_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/names");
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".in.txt") else {
            continue;
        };
        let input = std::fs::read_to_string(e.path()).unwrap();
        let expected = std::fs::read_to_string(dir.join(format!("{stem}.out.txt")))
            .unwrap_or_else(|_| input.clone());
        let names = std::fs::read_to_string(dir.join(format!("{stem}.names"))).ok();
        let c = Cleaner::new(Config {
            names: options(names),
            ..Config::decode_only()
        })
        .unwrap();
        let out = c.clean_str(&input);
        assert_eq!(out.text, expected, "case {stem}: {:#?}", out.changes);
        if stem.starts_with("negative-") {
            assert_eq!(out.text, input, "negative case {stem} changed");
        } else {
            assert_ne!(out.text, input, "synthetic case {stem} should change");
        }
        // Every change says why, with the counts for automatic decisions.
        for ch in &out.changes {
            assert!(
                ch.reason.contains('×') || ch.reason.contains("names file"),
                "{ch:?}"
            );
        }
        // Cleaning the output again changes nothing more.
        assert_eq!(
            c.clean_str(&out.text).text,
            out.text,
            "case {stem} not idempotent"
        );
        n += 1;
    }
    assert!(n >= 10, "only {n} cases found");
}
