//! How often a second run changes the output of the first, on random mixtures of clean
//! text, garble (UTF-8 read as GBK, Big5 or cp1252, one or two layers), pinyin, entities
//! and stray bytes, one line each (the pieces are tests/data/mixture_pieces.json).
//!
//! `cargo run --release --example idempotence -- [CASES] [SEED]` prints the count of
//! lines a second run changed, by the stages that changed them. With `SHOW='{"mojibake"}'`
//! it also prints those lines.

use std::collections::{BTreeMap, BTreeSet};
use zhclean::{Cleaner, Config};

/// xorshift64: cases are reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn piece(r: &mut Rng, pieces: &[String], out: &mut Vec<u8>) {
    use encoding_rs::{Encoding, BIG5, GBK, WINDOWS_1252};
    let s: String = (0..1 + r.below(5))
        .map(|_| pieces[r.below(pieces.len())].as_str())
        .collect();
    let once = |e: &'static Encoding, b: &[u8]| e.decode(b).0.into_owned();
    let bytes = match r.below(12) {
        0 => once(GBK, s.as_bytes()).into_bytes(),
        1 => once(BIG5, s.as_bytes()).into_bytes(),
        2 => once(WINDOWS_1252, s.as_bytes()).into_bytes(),
        3 => once(WINDOWS_1252, once(WINDOWS_1252, s.as_bytes()).as_bytes()).into_bytes(),
        4 => once(GBK, once(GBK, s.as_bytes()).as_bytes()).into_bytes(),
        5 => (0..r.below(4)).map(|_| r.next() as u8).collect(),
        _ => s.into_bytes(),
    };
    out.extend(bytes);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5000);
    let seed: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1);
    let show = std::env::var("SHOW").unwrap_or_default();
    let pieces: Vec<String> =
        serde_json::from_str(include_str!("../tests/data/mixture_pieces.json"))?;
    let c = Cleaner::new(Config::default())?;
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (mut refused, mut changed) = (0, 0);
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for case in 0..n {
        let mut input = Vec::new();
        for _ in 0..r.below(12) {
            piece(&mut r, &pieces, &mut input);
        }
        let Ok(once) = c.clean_bytes(&input) else {
            continue;
        };
        let Ok(twice) = c.clean_bytes(once.text.as_bytes()) else {
            refused += 1;
            println!("case {case}: output refused: {:?}", once.text);
            continue;
        };
        if twice.text == once.text && !twice.changed() {
            continue;
        }
        changed += 1;
        let stages: BTreeSet<&str> = twice
            .changes
            .iter()
            .filter(|c| c.changed)
            .map(|c| c.stage)
            .collect();
        let key = format!("{stages:?}");
        if key == show {
            println!(
                "case {case}\n input {:?}\n once  {:?}\n twice {:?}",
                String::from_utf8_lossy(&input),
                once.text,
                twice.text
            );
        }
        *by.entry(key).or_insert(0) += 1;
    }
    println!("{n} lines: {changed} changed by a second run {by:?}, {refused} outputs refused");
    Ok(())
}
