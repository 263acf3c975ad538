//! Data-driven mojibake cases: tests/cases/mojibake/{wild,synthetic,negative}.json.
//! `scripts/gen-mojibake-cases.py` generates synthetic.json and negative.json.

use serde::Deserialize;
use zhclean::repair::{Lossy, Toggle};
use zhclean::{ChangeKind, Cleaner, Config};

#[derive(Deserialize)]
struct Case {
    input: String,
    expected: String,
    #[serde(default)]
    lossy: bool,
    #[serde(default)]
    combo: String,
}

fn load(name: &str) -> Vec<Case> {
    let path = format!("{}/tests/cases/mojibake/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cleaner(lossy: Lossy) -> Cleaner {
    let mut c = Config::decode_only();
    c.repair.mojibake = true;
    c.repair.html_entities = Toggle::Auto;
    c.repair.lossy = lossy;
    Cleaner::new(c).expect("cleaner")
}

#[test]
fn negative_cases_are_never_changed() {
    let c = cleaner(Lossy::Mark);
    let cases = load("negative.json");
    assert!(cases.len() > 200);
    for case in &cases {
        let out = c.clean_str(&case.input);
        assert_eq!(out.text, case.input, "clean text changed");
        assert!(out.changes.is_empty(), "{:?}", out.changes);
    }
}

#[test]
fn wild_cases() {
    let c = cleaner(Lossy::Mark);
    for case in load("wild.json") {
        let out = c.clean_str(&case.input);
        if case.lossy {
            // Only recovered chars and markers: nothing invented.
            for ch in out.text.chars() {
                assert!(
                    ch == '\u{FFFD}' || case.expected.contains(ch) || case.input.contains(ch),
                    "{:?} -> {:?}: invented {ch:?}",
                    case.input,
                    out.text
                );
            }
            assert_ne!(out.text, case.input);
        } else {
            assert_eq!(out.text, case.expected, "input {:?}", case.input);
        }
        // Every change carries a confidence, and markers are reported as unrecoverable.
        for ch in &out.changes {
            assert!(ch.confidence > 0.0 && ch.confidence <= 1.0);
            if ch.after.contains('\u{FFFD}') {
                assert_eq!(ch.kind, ChangeKind::Unrecoverable, "{ch:?}");
            }
        }
    }
}

#[test]
fn synthetic_reversible_cases() {
    let c = cleaner(Lossy::Mark);
    let cases = load("synthetic.json");
    let mut total = 0;
    let mut ok = 0;
    let mut misses = Vec::new();
    for case in cases.iter().filter(|c| !c.lossy) {
        total += 1;
        let out = c.clean_str(&case.input).text;
        if out == case.expected {
            ok += 1;
        } else {
            misses.push(format!("[{}] {:?} -> {:?}", case.combo, case.input, out));
        }
    }
    assert!(total > 100);
    let rate = ok as f64 / total as f64;
    eprintln!("reversible: {ok}/{total}; misses:\n{}", misses.join("\n"));
    assert!(rate >= 0.97, "exact {ok}/{total}");
}

#[test]
fn synthetic_lossy_cases_invent_nothing() {
    let c = cleaner(Lossy::Mark);
    let mut recovered = 0usize;
    let mut chars = 0usize;
    for case in load("synthetic.json").iter().filter(|c| c.lossy) {
        let out = c.clean_str(&case.input).text;
        for ch in out.chars() {
            assert!(
                ch == '\u{FFFD}' || case.expected.contains(ch) || case.input.contains(ch),
                "[{}] {:?} -> {:?}: invented {ch:?}",
                case.combo,
                case.input,
                out
            );
        }
        chars += case.expected.chars().count();
        recovered += case.expected.chars().filter(|&ch| out.contains(ch)).count();
    }
    assert!(chars > 0);
    let rate = recovered as f64 / chars as f64;
    eprintln!("lossy: {recovered}/{chars} chars found in output");
    assert!(rate > 0.6, "{rate}");
}

#[test]
fn lossy_keep_leaves_the_span_and_reports_it() {
    let text = "见鍙傝€冩枃鐚";
    let out = cleaner(Lossy::Keep).clean_str(text);
    assert!(out.text.starts_with("见参考"), "{:?}", out.text);
    assert!(!out.text.contains('\u{FFFD}'));
    assert!(out
        .changes
        .iter()
        .any(|c| c.kind == ChangeKind::Unrecoverable && c.before == c.after));
    let out = cleaner(Lossy::Mark).clean_str(text);
    assert_eq!(out.text, "见参考文\u{FFFD}");
    assert!(out
        .changes
        .iter()
        .any(|c| c.kind == ChangeKind::Unrecoverable && c.after.contains('\u{FFFD}')));
}

#[test]
fn repair_is_idempotent() {
    let c = cleaner(Lossy::Mark);
    for case in load("synthetic.json")
        .iter()
        .chain(load("wild.json").iter())
    {
        let once = c.clean_str(&case.input).text;
        let twice = c.clean_str(&once).text;
        assert_eq!(once, twice, "input {:?}", case.input);
    }
}

#[test]
fn seed_is_left_to_the_other_stages() {
    // The seed's damage is the pinyin corruption, not mojibake: this stage must not touch it.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seed/seed.txt");
    let Ok(seed) = std::fs::read_to_string(path) else {
        eprintln!("skipping: {path} not found");
        return;
    };
    let mut cfg = Config::decode_only();
    cfg.repair.mojibake = true;
    let out = Cleaner::new(cfg).expect("cleaner").clean_str(&seed);
    assert!(out.changes.is_empty(), "{:?}", out.changes);
}

#[test]
fn readme_examples() {
    // The examples of the README's mojibake section, so it stays true.
    let c = cleaner(Lossy::Mark);
    for (input, expected) in [
        ("鏂囦欢鍚嶏細娴嬭瘯.txt", "文件名：测试.txt"),
        ("鄒惹ｸｭ荳崎ｶｳ", "美中不足"),
        ("ä¸\u{AD}æ–‡", "中文"),
        ("Ã©tÃ© Ã  Paris", "été à Paris"),
        ("ÖÐÎÄ", "中文"),
        ("¤¤¤å´ú¸Õ", "中文測試"),
        ("涴掛抎竭疑ㄛ硉腕珨黍﹝", "这本书很好，值得一读。"),
        ("Ã¦â€“â€¡Ã¤Â»Â¶", "文件"),
        (
            "see 搴斿鐗规畩鏃舵湡鐨勫簲鎬ョ墿璧勬竻鍗晇1.2.pdf",
            "see 应\u{FFFD}特殊时期的应急物资清单v1.2.pdf",
        ),
        ("鐨", "鐨"),
        ("Ã", "Ã"),
    ] {
        assert_eq!(c.clean_str(input).text, expected, "input {input:?}");
    }
    let big5 = c.clean_str("銝剜��皜祈岫").text;
    assert!(
        big5.starts_with('中') && big5.contains('\u{FFFD}'),
        "{big5}"
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    // Chars that mojibake and entities are made of, mixed with clean text.
    const ALPHABET: &[&str] = &[
        "鍙", "傝", "€", "冩", "枃", "鐚", "?", "\u{FFFD}", "锟", "斤", "拷", "ä", "¸", "\u{AD}",
        "æ", "–", "‡", "Ã", "Â", "ÖÐ", "ÎÄ", "ㄛ", "﹝", "\u{E4C6}", "ｸ", "ｭ", "中", "文", "的",
        "，", "。", " ", "a", "1", "\n", "&", "amp;", "rdquo;", "#", "x", "<p>", "é", "😀",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn never_panics_and_reports_in_bounds(parts in proptest::collection::vec(0..ALPHABET.len(), 0..40)) {
            let input: String = parts.iter().map(|&i| ALPHABET[i]).collect();
            for lossy in [Lossy::Mark, Lossy::Keep] {
                let out = cleaner(lossy).clean_str(&input);
                for ch in &out.changes {
                    prop_assert!(ch.input_bytes[0] <= ch.input_bytes[1]);
                    prop_assert!(ch.input_bytes[1] <= input.len());
                    prop_assert!(input.is_char_boundary(ch.input_bytes[0]));
                    prop_assert!(ch.confidence > 0.0 && ch.confidence <= 1.0);
                }
            }
        }
    }
}
