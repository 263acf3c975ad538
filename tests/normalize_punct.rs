//! The punctuation stage against the seed goldens.

use zhclean::normalize::NormalizeOptions;
use zhclean::{ChangeKind, Cleaner, Config};

mod support;
use support::shared_seed as shared;

fn punct_only() -> Cleaner {
    Cleaner::new(Config {
        normalize: NormalizeOptions {
            punct_cjk: true,
            ..Default::default()
        },
        ..Config::decode_only()
    })
    .unwrap()
}

/// The stage alone turns seed.expected.txt into seed.expected.punct-cjk.txt.
#[test]
fn seed_expected_to_punct_cjk() {
    let (Some(input), Some(want)) = (
        shared("seed.expected.txt"),
        shared("seed.expected.punct-cjk.txt"),
    ) else {
        return;
    };
    let out = punct_only().clean_str(&input);
    assert_eq!(out.text, want);
    // One change per converted mark, each a fix of one char.
    assert_eq!(out.changes.len(), 67);
    assert!(out
        .changes
        .iter()
        .all(|c| c.stage == "normalize" && c.kind == ChangeKind::Fix && c.before.len() == 1));
    // Idempotent.
    let again = punct_only().clean_str(&out.text);
    assert_eq!(again.text, want);
    assert!(again.changes.is_empty());
}

/// Full pipeline golden: `zhclean --punct-cjk seed.txt` gives seed.expected.punct-cjk.txt.
#[test]
fn seed_full_pipeline_punct_cjk() {
    let (Some(_), Some(want)) = (shared("seed.txt"), shared("seed.expected.punct-cjk.txt")) else {
        return;
    };
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed/seed.txt");
    let bytes = std::fs::read(p).unwrap();
    let c = Cleaner::new(Config {
        normalize: NormalizeOptions {
            punct_cjk: true,
            ..Default::default()
        },
        ..Config::default()
    })
    .unwrap();
    assert_eq!(c.clean_bytes(&bytes).unwrap().text, want);
}
