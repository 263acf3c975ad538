//! Whole-pipeline throughput: clean UTF-8 with every stage off (the decode + stream
//! floor), and the default pipeline on clean Simplified text.
//! Run: `cargo bench --bench pipeline`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::io;
use zhclean::stream::StreamOptions;
use zhclean::{Cleaner, Config};

/// About `size` bytes of clean Simplified text (the seed's expected output if present).
fn clean_text(size: usize) -> String {
    let unit = std::fs::read_to_string("../shared/seed/seed.expected.txt").unwrap_or_else(|_| {
        "在抗击新冠肺炎疫情期间，九三学社杭州市委认真贯彻落实社中央、社省委各项决策部署。\n"
            .repeat(40)
    });
    let mut s = String::with_capacity(size + unit.len());
    while s.len() < size {
        s.push_str(&unit);
        s.push('\n');
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = clean_text(32 << 20);
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    let off = Cleaner::new(Config::decode_only()).unwrap();
    g.bench_function("clean_utf8_stages_off", |b| {
        b.iter(|| {
            off.clean_stream(
                text.as_bytes(),
                io::sink(),
                &StreamOptions::default(),
                &mut |_| {},
            )
            .unwrap()
        })
    });
    let full = Cleaner::new(Config::default()).unwrap();
    g.bench_function("clean_simplified_default", |b| {
        b.iter(|| {
            full.clean_stream(
                text.as_bytes(),
                io::sink(),
                &StreamOptions::default(),
                &mut |_| {},
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
