//! Properties of the whole default pipeline on random mixtures of clean text, garble
//! (UTF-8 read as GBK, Big5 or cp1252, one or two layers), pinyin, entities and stray
//! bytes: it never panics, every change's offsets lie inside the input and the output,
//! and a second run accepts the output (it is not refused as binary). Whether the second
//! run changes nothing more is measured by `examples/idempotence.rs` (not always so on
//! such dense mixtures; see the README).

use proptest::prelude::*;
use zhclean::{Cleaner, Config};

/// Clean pieces the mixtures are made of (shared with `examples/idempotence.rs`).
fn pieces() -> Vec<String> {
    serde_json::from_str(include_str!("data/mixture_pieces.json")).expect("valid JSON")
}

fn garble(s: &str, how: u8) -> Vec<u8> {
    use encoding_rs::{BIG5, GBK, WINDOWS_1252};
    let once = |e: &'static encoding_rs::Encoding, b: &[u8]| e.decode(b).0.into_owned();
    match how {
        0 => once(GBK, s.as_bytes()).into_bytes(),
        1 => once(BIG5, s.as_bytes()).into_bytes(),
        2 => once(WINDOWS_1252, s.as_bytes()).into_bytes(),
        3 => once(WINDOWS_1252, once(WINDOWS_1252, s.as_bytes()).as_bytes()).into_bytes(),
        4 => once(GBK, once(GBK, s.as_bytes()).as_bytes()).into_bytes(),
        _ => s.as_bytes().to_vec(),
    }
}

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (proptest::collection::vec(proptest::sample::select(pieces()), 1..5), 0u8..9)
            .prop_map(|(v, how)| garble(&v.concat(), how)),
        1 => proptest::collection::vec(any::<u8>(), 0..4),
    ]
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(piece(), 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn offsets_stay_inside_and_the_output_is_accepted_again(input in input()) {
        let c = Cleaner::new(Config::default()).unwrap();
        let Ok(once) = c.clean_bytes(&input) else { return Ok(()) };
        let chars = once.text.chars().count();
        for ch in &once.changes {
            let ([s, e], [cs, ce]) = (ch.input_bytes, ch.output_chars);
            prop_assert!(s <= e && e <= input.len(), "{:?}", ch);
            prop_assert!(cs <= ce && ce <= chars, "{:?}", ch);
        }
        let again = c.clean_bytes(once.text.as_bytes());
        prop_assert!(again.is_ok(), "{:?} refused: {:?}", once.text, again.err());
    }
}
