//! Throughput of the built-in OpenCC engine (engine only, no pipeline).
//! Input: the committed parity corpus, repeated to ~1 MB.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zhclean::convert::{ConvertOptions, Converter, OpenccConfig};

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
    let mut g = c.benchmark_group("convert");
    for (name, cfg, text) in [
        ("t2s/traditional", OpenccConfig::T2s, &trad),
        ("t2s/simplified", OpenccConfig::T2s, &simp),
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
