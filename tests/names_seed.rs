//! The seed: 朱家清 (once, inside 《…》) becomes 朱佳清 (three times); nothing else changes.

use zhclean::names::NamesOptions;
use zhclean::{ChangeKind, Cleaner, Config};

mod support;
use support::shared_seed as shared;

fn names_only() -> Cleaner {
    Cleaner::new(Config {
        names: NamesOptions::default(),
        ..Config::decode_only()
    })
    .unwrap()
}

/// Put the typo back: the occurrence inside 《…》.
fn with_typo(expected: &str) -> String {
    let at = expected
        .find("《九三学社社员朱佳清")
        .expect("the seed headline")
        + "《九三学社社员".len();
    let mut s = expected.to_owned();
    s.replace_range(at..at + "朱佳清".len(), "朱家清");
    s
}

fn check(expected: &str) {
    let input = with_typo(expected);
    assert_ne!(input, expected);
    let out = names_only().clean_str(&input);
    assert_eq!(out.text, expected);
    assert_eq!(out.changes.len(), 1, "{:#?}", out.changes);
    let c = &out.changes[0];
    assert_eq!((c.stage, c.kind), ("names", ChangeKind::Fix));
    assert_eq!((c.before.as_str(), c.after.as_str()), ("朱家清", "朱佳清"));
    assert!(
        c.reason.contains("朱佳清×3") && c.reason.contains("朱家清×1"),
        "{}",
        c.reason
    );
    // Already unified: nothing more.
    let again = names_only().clean_str(expected);
    assert!(again.changes.is_empty(), "{:#?}", again.changes);
}

#[test]
fn seed_simplified() {
    if let Some(e) = shared("seed.expected.txt") {
        check(&e);
    }
}

/// Conversion off: the same on the Traditional text.
#[test]
fn seed_traditional() {
    let Some(t) = shared("seed.expected.traditional.txt") else {
        return;
    };
    // The traditional golden keeps the typo (names off there); unify it here.
    let expected = t.replacen("社員朱家清", "社員朱佳清", 1);
    assert_ne!(expected, t, "the Traditional seed should carry the typo");
    let out = names_only().clean_str(&t);
    assert_eq!(out.text, expected);
    assert_eq!(out.changes.len(), 1, "{:#?}", out.changes);
}
