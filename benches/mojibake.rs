//! Throughput of the mojibake and HTML-entity stages alone, on clean text (the cost every
//! document pays) and on damaged text. Run: `cargo bench --bench mojibake`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zhclean::repair::{mojibake, Toggle};
use zhclean::stage::{DocState, Stage};
use zhclean::{report::Edits, Config};

fn inputs(file: &str) -> Vec<String> {
    let path = format!("{}/tests/cases/mojibake/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("cases");
    let v: Vec<serde_json::Value> = serde_json::from_str(&text).expect("json");
    v.iter()
        .filter_map(|c| c["input"].as_str().map(str::to_owned))
        .collect()
}

/// About `size` bytes made of `lines`, one per line.
fn corpus(lines: &[String], size: usize) -> String {
    let mut s = String::with_capacity(size + 4096);
    while s.len() < size {
        for l in lines {
            s.push_str(l);
            s.push('\n');
        }
    }
    s
}

/// The seed's expected outputs (clean text) repeated, when ../shared is there.
fn shared_text(file: &str, size: usize) -> Option<String> {
    let path = format!("{}/../shared/seed/{file}", env!("CARGO_MANIFEST_DIR"));
    let unit = std::fs::read_to_string(path).ok()?;
    Some(corpus(&[unit], size))
}

fn run(stage: &dyn Stage, text: &str) -> usize {
    let mut doc = DocState::default();
    let mut e = Edits::new();
    stage.apply(text, &mut doc, &mut e);
    e.len()
}

fn bench(c: &mut Criterion) {
    let clean = corpus(&inputs("negative.json"), 8 << 20);
    let damaged = corpus(&inputs("synthetic.json"), 1 << 20);
    let mut opts = Config::default().repair;
    opts.html_entities = Toggle::On;
    let moji = mojibake::Repairer { options: opts };
    let html = zhclean::repair::html::Repairer { options: opts };

    let simplified = shared_text("seed.expected.txt", 8 << 20);
    let traditional = shared_text("seed.expected.traditional.txt", 8 << 20);

    let mut g = c.benchmark_group("mojibake");
    g.sample_size(10);
    for (name, text) in [
        ("clean_simplified", &simplified),
        ("clean_traditional", &traditional),
    ] {
        if let Some(text) = text {
            g.throughput(Throughput::Bytes(text.len() as u64));
            g.bench_function(name, |b| b.iter(|| run(&moji, text)));
        }
    }
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("clean_mixed_languages", |b| b.iter(|| run(&moji, &clean)));
    g.bench_function("html_clean", |b| b.iter(|| run(&html, &clean)));
    g.throughput(Throughput::Bytes(damaged.len() as u64));
    g.bench_function("damaged", |b| b.iter(|| run(&moji, &damaged)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
