//! Properties of the decoder on arbitrary input: no panics, segments tile the input and
//! the text, offsets map monotonically into the input, and valid UTF-8 is kept as is.

use proptest::prelude::*;
use zhclean::decode::{decode, DecodeOptions};

fn forced() -> DecodeOptions {
    DecodeOptions {
        force: true,
        ..DecodeOptions::default()
    }
}

/// Bytes that look like real mixed input: CJK, Japanese and Korean text in several encodings, ASCII, newlines,
/// and some random bytes.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        "[a-z ,.]{0,12}".prop_map(|s| s.into_bytes()),
        "[一-龥，。]{1,12}".prop_map(|s| s.into_bytes()),
        "[一-龥，。]{1,12}".prop_map(|s| encoding_rs::GBK.encode(&s).0.into_owned()),
        "[一-龥]{1,12}".prop_map(|s| encoding_rs::BIG5.encode(&s).0.into_owned()),
        "[ぁ-ん一-龥]{1,8}".prop_map(|s| encoding_rs::SHIFT_JIS.encode(&s).0.into_owned()),
        "[가-힣]{1,8}".prop_map(|s| encoding_rs::EUC_KR.encode(&s).0.into_owned()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn segments_tile_and_offsets_are_monotonic(input in texty()) {
        let d = decode(&input, &forced()).unwrap();
        let (mut b, mut t) = (0, 0);
        for s in &d.segments {
            prop_assert_eq!((s.bytes.start, s.text.start), (b, t));
            b = s.bytes.end;
            t = s.text.end;
        }
        prop_assert_eq!((b, t), (input.len(), d.text.len()));
        let mut last = 0;
        for (p, _) in d.text.char_indices().chain(std::iter::once((d.text.len(), ' '))) {
            let o = d.input_offset(p);
            prop_assert!(o >= last && o <= input.len(), "offset {} after {} at {}", o, last, p);
            last = o;
        }
        prop_assert_eq!(d.input_offset(d.text.len()), input.len());
        for m in &d.malformed {
            prop_assert_eq!(&d.text[m.clone()], "\u{FFFD}");
        }
    }

    #[test]
    fn random_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode(&input, &DecodeOptions::default());
        let d = decode(&input, &forced()).unwrap();
        prop_assert!(d.segments.iter().all(|s| s.confidence >= 0.0 && s.confidence <= 1.0));
    }

    #[test]
    fn clean_utf8_is_kept(s in "[一-龥a-z，。 \n]{0,80}") {
        let d = decode(s.as_bytes(), &DecodeOptions::default()).unwrap();
        prop_assert_eq!(d.text, s);
        prop_assert!(d.malformed.is_empty());
    }
}
