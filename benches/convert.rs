//! Throughput of the built-in OpenCC engine (engine only, no pipeline).
//! Input: the committed parity corpus, repeated to ~1 MB.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zhclean::convert::{ConvertOptions, Converter, OpenccConfig};
use zhclean::report::Edits;
use zhclean::stage::{DocState, Stage};

fn bench(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/opencc/parity");
    let load = |n: &str| {
        std::fs::read_to_string(format!("{dir}/{n}.txt"))
            .unwrap()
            .repeat(12)
    };
    let trad = load("in-s2t");
    let tw = load("in-s2twp");
    let simp = load("in-zhs");
    // Simplified lines only: those that OpenCC's own t2s leaves alone.
    let exact = Converter::new(ConvertOptions {
        protect_simplified: false,
        ..ConvertOptions::default()
    })
    .unwrap();
    let clean: String = simp
        .lines()
        .filter(|l| exact.convert(l) == *l)
        .flat_map(|l| [l, "\n"])
        .collect();
    let mut g = c.benchmark_group("convert");
    for (name, cfg, text) in [
        ("t2s/traditional", OpenccConfig::T2s, &trad),
        ("t2s/simplified", OpenccConfig::T2s, &simp),
        ("t2s/simplified-clean", OpenccConfig::T2s, &clean),
        ("tw2sp/taiwan", OpenccConfig::Tw2sp, &tw),
        ("s2t/simplified", OpenccConfig::S2t, &simp),
    ] {
        let conv = Converter::new(ConvertOptions {
            config: cfg,
            ..ConvertOptions::default()
        })
        .unwrap();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| conv.convert(text)));
    }
    // The stage as the pipeline runs it: merged edits instead of an output string.
    let conv = Converter::new(ConvertOptions::default()).unwrap();
    for (name, text) in [
        ("stage-t2s/traditional", &trad),
        ("stage-t2s/simplified", &simp),
    ] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut e = Edits::new();
                conv.apply(text, &mut DocState::default(), &mut e);
                e.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
