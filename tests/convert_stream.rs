//! The conversion stage through the pipeline: streaming in small windows gives the same
//! text as converting the whole document, and the report holds merged records.

use std::fs;
use zhclean::convert::{ConvertOptions, Converter, OpenccConfig};
use zhclean::stream::StreamOptions;
use zhclean::{Cleaner, Config};

fn cleaner(cfg: OpenccConfig) -> Cleaner {
    Cleaner::new(Config {
        convert: Some(ConvertOptions {
            config: cfg,
            ..ConvertOptions::default()
        }),
        ..Config::decode_only()
    })
    .unwrap()
}

#[test]
fn stream_equals_whole_document() {
    let text = fs::read_to_string("tests/data/opencc/parity/in-s2twp.txt").unwrap();
    for cfg in [OpenccConfig::Tw2sp, OpenccConfig::T2s] {
        let c = cleaner(cfg);
        let whole = Converter::new(ConvertOptions {
            config: cfg,
            ..ConvertOptions::default()
        })
        .unwrap()
        .convert(&text);
        let mut out = Vec::new();
        let opts = StreamOptions {
            chunk_size: 4096,
            ..StreamOptions::default()
        };
        let sum = c
            .clean_stream(text.as_bytes(), &mut out, &opts, &mut |_| {})
            .unwrap();
        assert!(sum.windows > 10);
        assert_eq!(String::from_utf8(out).unwrap(), whole, "{}", cfg.name());
    }
}

#[test]
fn report_records_cover_clauses() {
    let c = cleaner(OpenccConfig::T2s);
    let out = c.clean_str("我們的電腦壞了。\n今天天氣很好");
    assert_eq!(out.text, "我们的电脑坏了。\n今天天气很好");
    let recs: Vec<_> = out
        .changes
        .iter()
        .map(|c| (c.before.as_str(), c.after.as_str(), c.stage))
        .collect();
    assert_eq!(
        recs,
        vec![
            ("們的電腦壞", "们的电脑坏", "convert"),
            ("氣", "气", "convert")
        ]
    );
    // Offsets point at the text.
    assert_eq!(out.changes[0].input_bytes, [3, 18]);
    assert_eq!(out.changes[0].output_chars, [1, 6]);
}

/// Conversion alone gathers no document-level evidence: the CLI streams it in small
/// windows (cache-sized), and the whole pipeline keeps 8 MiB documents.
#[test]
fn window_size_follows_the_stages() {
    assert_eq!(
        cleaner(OpenccConfig::T2s).window_size(),
        zhclean::stream::SMALL_CHUNK
    );
    let full = Cleaner::new(Config::default()).unwrap();
    assert_eq!(full.window_size(), zhclean::stream::DEFAULT_CHUNK);
}

/// Mixed documents (blocks of Simplified and Traditional lines) in tiny windows convert
/// as the whole document does. The Simplified protection reads ±40 chars of context,
/// also across line breaks, so a window edge could in principle change a decision; on
/// this text (about 20 edges) none does. The CLI's windows for conversion are 1 MiB.
#[test]
fn mixed_text_in_small_windows() {
    let simp = fs::read_to_string("tests/data/opencc/parity/in-zhs.txt").unwrap();
    let trad = fs::read_to_string("tests/data/opencc/parity/in-s2t.txt").unwrap();
    let mut text = String::new();
    for (i, (s, t)) in simp.lines().zip(trad.lines()).enumerate() {
        text.push_str(if (i / 3) % 2 == 0 { s } else { t });
        text.push('\n');
    }
    let whole = Converter::new(ConvertOptions::default())
        .unwrap()
        .convert(&text);
    assert_ne!(whole, text);
    let mut out = Vec::new();
    let opts = StreamOptions {
        chunk_size: 4096,
        ..StreamOptions::default()
    };
    let sum = cleaner(OpenccConfig::T2s)
        .clean_stream(text.as_bytes(), &mut out, &opts, &mut |_| {})
        .unwrap();
    assert!(sum.windows > 10);
    assert_eq!(String::from_utf8(out).unwrap(), whole);
}
