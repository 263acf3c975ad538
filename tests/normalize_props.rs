//! Properties of the normalisation stage: idempotent, and text without anything to do
//! comes out unchanged.

use proptest::prelude::*;
use zhclean::normalize::{NormalizeOptions, UnicodeForm};
use zhclean::{Cleaner, Config};

fn cleaner(unicode: Option<UnicodeForm>, width: bool, punct_cjk: bool) -> Cleaner {
    Cleaner::new(Config {
        normalize: NormalizeOptions {
            unicode,
            width,
            punct_cjk,
        },
        ..Config::decode_only()
    })
    .unwrap()
}

fn mixed() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = "中文字测试好,.:;!?()<>\"' 0123456789abcXYZ，。：；！？（）ＡＢ１２\u{301}\u{3000}ﬁ①ｶﾞe?\u{FFFD}\n"
        .chars()
        .collect();
    proptest::collection::vec(proptest::sample::select(alphabet), 0..40)
        .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn idempotent(s in mixed(), u in 0..3u8, width: bool, punct: bool) {
        let unicode = [None, Some(UnicodeForm::Nfc), Some(UnicodeForm::Nfkc)][u as usize];
        let c = cleaner(unicode, width, punct);
        let once = c.clean_str(&s).text;
        let twice = c.clean_str(&once);
        prop_assert_eq!(&twice.text, &once);
        prop_assert!(twice.changes.is_empty(), "{:?}", twice.changes);
    }

    #[test]
    fn ascii_only_text_is_untouched_by_punct(s in "[ -~\n]{0,60}") {
        let c = cleaner(None, true, true);
        let out = c.clean_str(&s);
        prop_assert_eq!(out.text, s);
    }
}
