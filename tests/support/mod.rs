//! Test support: the seed files, and the forward pinyin-annotation corruption
//! (`../shared/docs/pinyin-gbk-corruption.md`), written independently of the repair code so
//! tests check one against the other.
#![allow(dead_code)]

/// A file of `../shared/seed/`, or `None` (with a note on stderr) when it is missing.
pub fn shared_seed(name: &str) -> Option<String> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/seed")
        .join(name);
    match std::fs::read_to_string(&p) {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!("skipping: {} is missing", p.display());
            None
        }
    }
}

use pinyin::ToPinyin;
use std::collections::HashMap;

/// How the simulated filter writes its annotations.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// `dang` instead of `dāng`.
    pub toneless: bool,
    /// `黨(dang)(dang)`: the annotation inserted twice.
    pub doubled: bool,
}

pub struct Corruptor {
    /// GBK code → inserted bytes (`(pinyin)` in GBK), for the filter's characters.
    table: HashMap<u16, Vec<u8>>,
    enc: HashMap<char, [u8; 2]>,
    dec: HashMap<u16, char>,
}

/// What one corruption did.
#[derive(Debug, Default, Clone)]
pub struct Damage {
    pub text: String,
    /// Insertions after a real character.
    pub annotations: usize,
    /// Insertions that split a character (each makes a `?` garble).
    pub misfires: usize,
}

fn gbk_pair(lead: u8, trail: u8) -> Option<char> {
    let mut d = encoding_rs::GBK.new_decoder_without_bom_handling();
    let mut buf = [0u8; 8];
    let (res, _, n) = d.decode_to_utf8_without_replacement(&[lead, trail], &mut buf, true);
    if !matches!(res, encoding_rs::DecoderResult::InputEmpty) {
        return None;
    }
    let s = std::str::from_utf8(&buf[..n]).ok()?;
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

impl Corruptor {
    /// A filter annotating each char of `chars` with its first reading.
    pub fn new(chars: &str, style: Style) -> Corruptor {
        let mut enc = HashMap::new();
        let mut dec = HashMap::new();
        for lead in 0x81u8..=0xFE {
            for trail in 0x40u8..=0xFE {
                if trail == 0x7F {
                    continue;
                }
                if let Some(c) = gbk_pair(lead, trail) {
                    let code = u16::from(lead) << 8 | u16::from(trail);
                    dec.insert(code, c);
                    enc.entry(c).or_insert([lead, trail]);
                }
            }
        }
        let mut table = HashMap::new();
        for c in chars.chars() {
            let (Some(py), Some(&[a, b])) = (c.to_pinyin(), enc.get(&c)) else {
                continue;
            };
            let syl = if style.toneless {
                py.plain()
            } else {
                py.with_tone()
            };
            let mut ins = Vec::new();
            let one = format!("({syl})");
            for _ in 0..if style.doubled { 2 } else { 1 } {
                for ch in one.chars() {
                    if ch.is_ascii() {
                        ins.push(ch as u8);
                    } else if let Some(p) = enc.get(&ch) {
                        ins.extend_from_slice(p);
                    }
                }
            }
            table.insert(u16::from(a) << 8 | u16::from(b), ins);
        }
        Corruptor { table, enc, dec }
    }

    /// GBK bytes of `text`, or `None` if a char has no GBK code.
    pub fn encode(&self, text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c as u8);
            } else {
                out.extend_from_slice(self.enc.get(&c)?);
            }
        }
        Some(out)
    }

    /// Apply the filter, the lossy decoder and the fullwidth folding to `text`.
    pub fn corrupt(&self, text: &str) -> Option<Damage> {
        let bytes = self.encode(text)?;
        // Which bytes start a real char (to tell annotations from misfires).
        let mut starts = vec![false; bytes.len() + 1];
        let mut i = 0;
        while i < bytes.len() {
            starts[i] = true;
            i += if bytes[i] >= 0x80 { 2 } else { 1 };
        }
        starts[bytes.len()] = true;
        // The filter searches entry by entry in ascending GBK order, over raw bytes with
        // the earlier insertions in place. A pair stays adjacent unless something was
        // already inserted between its two bytes, so one sort reproduces that order.
        let mut hits: Vec<(u16, usize)> = bytes
            .windows(2)
            .enumerate()
            .filter_map(|(i, w)| {
                let code = u16::from(w[0]) << 8 | u16::from(w[1]);
                self.table.contains_key(&code).then_some((code, i))
            })
            .collect();
        hits.sort_unstable();
        // `after[i]`: something was inserted after byte i.
        let mut after: Vec<Option<u16>> = vec![None; bytes.len()];
        let mut d = Damage::default();
        for (code, i) in hits {
            if after[i].is_some() {
                continue;
            }
            after[i + 1] = Some(code);
            if starts[i] {
                d.annotations += 1;
            } else {
                d.misfires += 1;
            }
        }
        let mut filtered = Vec::with_capacity(bytes.len() * 2);
        for (i, &b) in bytes.iter().enumerate() {
            filtered.push(b);
            if let Some(code) = after[i] {
                filtered.extend_from_slice(&self.table[&code]);
            }
        }
        d.text = self.decode_lossy(&filtered).chars().map(fold).collect();
        Some(d)
    }

    /// The damaging decoder: an invalid pair becomes one `?` and consumes both bytes.
    pub fn decode_lossy(&self, b: &[u8]) -> String {
        let mut s = String::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            let x = b[i];
            if x < 0x80 {
                s.push(x as char);
                i += 1;
            } else if x == 0x80 {
                s.push('€');
                i += 1;
            } else if x == 0xFF {
                s.push('?');
                i += 1;
            } else if i + 1 < b.len() {
                let code = u16::from(x) << 8 | u16::from(b[i + 1]);
                s.push(*self.dec.get(&code).unwrap_or(&'?'));
                i += 2;
            } else {
                s.push('?');
                i += 1;
            }
        }
        s
    }
}

/// NFKC-style folding of fullwidth ASCII forms (step 4 of the mechanism).
pub fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

pub fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// The committed test corpus (Traditional Chinese, see scripts/make_pinyin_test_data.py).
pub fn corpus() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pinyin_corpus.txt"
    ))
    .expect("tests/data/pinyin_corpus.txt")
}

/// The characters the simulated filter annotates.
pub fn filter_chars() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pinyin_filter_chars.txt"
    ))
    .expect("tests/data/pinyin_filter_chars.txt")
    .trim()
    .to_owned()
}
