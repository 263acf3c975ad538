//! Library-level properties of the whole pipeline: clean input is untouched, cleaning is
//! idempotent, streaming equals whole-document cleaning, and report offsets point at the
//! right text.

use zhclean::convert::ConvertOptions;
use zhclean::names::NamesMode;
use zhclean::stream::StreamOptions;
use zhclean::{ChangeKind, Cleaner, Config};

const CLEAN: &[&str] = &[
    "简体中文的句子，没有任何问题。\n第二行：数字 408.71 和英文 words.",
    "English only, with (parentheses) and a question? Yes!\r\nCRLF line\r\n",
    "日本語の文章です。ひらがなとカタカナ、漢字。",
    "한국어 문장입니다. 깨끗한 텍스트.",
    "学而时习之，不亦说乎？有朋自远方来，不亦乐乎？",
    "混合 mixed 文本 text: 价格 ¥100, 邮箱 a@b.c 。",
    "",
    "\n",
    "no trailing newline",
];

fn cleaner(config: Config) -> Cleaner {
    Cleaner::new(config).expect("config is valid")
}

#[test]
fn clean_utf8_is_byte_identical_and_reports_nothing() {
    let c = cleaner(Config::default());
    for s in CLEAN {
        let out = c.clean_bytes(s.as_bytes()).expect("decodes");
        assert_eq!(out.text, *s, "changed clean input {s:?}");
        assert!(
            out.changes.iter().all(|ch| ch.kind == ChangeKind::Decode),
            "reported changes on clean input {s:?}: {:?}",
            out.changes
        );
    }
}

#[test]
fn utf8_bom_is_kept_through_the_stream() {
    let c = cleaner(Config::default());
    let input = "\u{FEFF}简体中文\n".as_bytes();
    let mut out = Vec::new();
    c.clean_stream(input, &mut out, &StreamOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(out, input);
}

fn seed() -> Option<Vec<u8>> {
    match std::fs::read("../shared/seed/seed.txt") {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!("skipping: ../shared/seed/seed.txt is missing");
            None
        }
    }
}

#[test]
fn cleaning_twice_changes_nothing_more() {
    let c = cleaner(Config::default());
    let mut inputs: Vec<Vec<u8>> = CLEAN.iter().map(|s| s.as_bytes().to_vec()).collect();
    inputs.extend(seed());
    inputs.push("臺灣的軟體工程師說：這個程式碼很好。".as_bytes().to_vec());
    for input in inputs {
        let once = c.clean_bytes(&input).unwrap().text;
        let twice = c.clean_bytes(once.as_bytes()).unwrap();
        assert_eq!(twice.text, once, "second pass changed the text");
        assert!(
            !twice.changed(),
            "second pass reported changes: {:?}",
            twice.changes
        );
    }
}

#[test]
fn stream_in_small_windows_equals_whole_document() {
    // Names are decided per window, so compare with name unification off. Windows are cut
    // at line ends here (a line of the seed is < 4500 bytes): a cut inside a line is
    // exact for the text but may split one merged report record in two.
    let config = Config {
        names: zhclean::names::NamesOptions {
            mode: NamesMode::Off,
            ..Default::default()
        },
        ..Config::default()
    };
    let c = cleaner(config);
    let Some(input) = seed() else { return };
    let whole = c.clean_bytes(&input).unwrap();
    let mut out = Vec::new();
    let mut changes = Vec::new();
    let opts = StreamOptions {
        chunk_size: 4500,
        ..StreamOptions::default()
    };
    let sum = c
        .clean_stream(&input[..], &mut out, &opts, &mut |ch| changes.push(ch))
        .unwrap();
    assert!(sum.windows >= 2);
    assert_eq!(String::from_utf8(out).unwrap(), whole.text);
    let edits = |v: &[zhclean::Change]| {
        v.iter()
            .filter(|c| c.kind != ChangeKind::Decode)
            .map(|c| (c.stage, c.input_bytes, c.output_chars, c.after.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(edits(&changes), edits(&whole.changes));
}

#[test]
fn report_offsets_point_at_before_and_after() {
    let config = Config {
        convert: Some(ConvertOptions::default()),
        ..Config::default()
    };
    let c = cleaner(config);
    let input = "前言：臺灣的軟體工程師說，這個程式很好。\n第二行 English 學習。";
    let out = c.clean_bytes(input.as_bytes()).unwrap();
    assert_ne!(out.text, input, "t2s should convert this text");
    let chars: Vec<char> = out.text.chars().collect();
    for ch in out.changes.iter().filter(|c| c.stage == "convert") {
        let [s, e] = ch.input_bytes;
        assert_eq!(&input[s..e], ch.before, "input bytes of {ch:?}");
        let [cs, ce] = ch.output_chars;
        let got: String = chars[cs..ce].iter().collect();
        assert_eq!(got, ch.after, "output chars of {ch:?}");
    }
}

#[test]
fn counting_run_gives_the_same_text_and_counts() {
    let c = cleaner(Config::default());
    let Some(input) = seed() else { return };
    let run = |details: bool| {
        let mut out = Vec::new();
        let mut changes = Vec::new();
        let opts = StreamOptions {
            details,
            ..StreamOptions::default()
        };
        let sum = c
            .clean_stream(&input[..], &mut out, &opts, &mut |ch| changes.push(ch))
            .unwrap();
        // A counting run gives one record per (stage, kind, changed) with its count.
        let mut kinds: Vec<_> = changes
            .iter()
            .flat_map(|c| std::iter::repeat_n((c.stage, c.kind, c.changed), c.count as usize))
            .collect();
        kinds.sort_by_key(|k| format!("{k:?}"));
        (out, sum, kinds, changes)
    };
    let (out_d, sum_d, kinds_d, full) = run(true);
    let (out_c, sum_c, kinds_c, counted) = run(false);
    assert_eq!(out_d, out_c);
    // Chars are counted only where change offsets need them.
    assert_eq!(sum_c.chars_out, 0);
    assert!(sum_d.chars_out > 0);
    assert_eq!(
        sum_d,
        zhclean::stream::StreamSummary {
            chars_out: sum_d.chars_out,
            ..sum_c
        }
    );
    assert_eq!(kinds_d, kinds_c);
    assert!(full.iter().any(|c| !c.before.is_empty()));
    assert!(counted
        .iter()
        .all(|c| c.before.is_empty() && c.input_bytes == [0, 0]));
    assert!(
        counted.len() < full.len(),
        "counting records are aggregated"
    );
}
