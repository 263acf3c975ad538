//! Properties of name unification on random documents built from name-like pieces:
//! cleaning twice changes nothing more, and report mode never changes text.

use proptest::prelude::*;
use zhclean::names::{NamesMode, NamesOptions};
use zhclean::{ChangeKind, Cleaner, Config};

fn cleaner(mode: NamesMode) -> Cleaner {
    Cleaner::new(Config {
        names: NamesOptions {
            mode,
            ..Default::default()
        },
        ..Config::decode_only()
    })
    .unwrap()
}

/// Names and near-names (homophones, look-alikes, two-char prefixes), titles, verbs,
/// punctuation and ordinary words.
fn doc() -> impl Strategy<Value = String> {
    let pieces = vec![
        "朱佳清",
        "朱家清",
        "朱嘉清",
        "朱佳",
        "李克己",
        "李克已",
        "张伟",
        "张玮",
        "章伟",
        "王晓明",
        "王小明",
        "记者",
        "社员",
        "教授",
        "说",
        "表示",
        "指出",
        "、",
        "，",
        "。",
        "《",
        "》",
        "“",
        "”",
        "高兴",
        "朱家角",
        "时才",
        "的",
        "今天",
        "会议",
        "\n",
        " ",
    ];
    proptest::collection::vec(proptest::sample::select(pieces), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn idempotent(s in doc()) {
        let c = cleaner(NamesMode::Auto);
        let once = c.clean_str(&s);
        let twice = c.clean_str(&once.text);
        prop_assert_eq!(&twice.text, &once.text);
        prop_assert!(
            twice.changes.iter().all(|ch| ch.kind != ChangeKind::Fix),
            "{:?}",
            twice.changes
        );
    }

    #[test]
    fn report_mode_never_changes(s in doc()) {
        let out = cleaner(NamesMode::Report).clean_str(&s);
        prop_assert_eq!(out.text, s);
        prop_assert!(out.changes.iter().all(|ch| ch.kind == ChangeKind::Suspect && ch.before == ch.after));
    }
}
