//! Throughput of the pinyin repair stage alone: on corrupted text (the corpus run
//! through the forward corruption), and on clean text (the fast path).
//! Run: `cargo bench --bench pinyin`.

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zhclean::repair::pinyin::Repairer;
use zhclean::repair::{RepairOptions, Toggle};
use zhclean::report::Edits;
use zhclean::stage::{DocState, Stage};

fn run(r: &Repairer, text: &str) -> usize {
    let mut doc = DocState::default();
    let mut e = Edits::new();
    r.apply(text, &mut doc, &mut e);
    e.len()
}

fn bench(c: &mut Criterion) {
    let corpus = support::corpus();
    let cor = support::Corruptor::new(&support::filter_chars(), support::Style::default());
    let damaged = cor.corrupt(&corpus).expect("corpus is GBK").text;
    // Clean Simplified-like text without `?` or `(pinyin`: the fast path.
    let clean: String = corpus.replace(['?', '？', '(', '（'], "");
    let r = Repairer {
        options: RepairOptions {
            pinyin: Toggle::Auto,
            ..RepairOptions::default()
        },
    };
    // Warm the tables and the language model outside the timings.
    run(&r, "學(xué)社認(rèn)真擔(dān)當(dāng)?shù)臒o");

    let mut g = c.benchmark_group("pinyin");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(damaged.len() as u64));
    g.bench_function("corrupted", |b| b.iter(|| run(&r, &damaged)));
    g.throughput(Throughput::Bytes(corpus.len() as u64));
    g.bench_function("clean_with_question_marks", |b| b.iter(|| run(&r, &corpus)));
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("clean_fast_path", |b| b.iter(|| run(&r, &clean)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
