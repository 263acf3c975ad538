//! Decoder throughput: clean UTF-8 (the fast path: one SIMD validation, a NUL and
//! control scan, one copy), GBK and UTF-16LE without BOM (detection on a 16 KB sample,
//! then decode), a file mixing UTF-8 and GBK lines, and short strings (full scoring).
//!
//! Run: `cargo bench --bench decode`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zhclean::decode::{decode, DecodeOptions};

const LINE: &str = "在抗击新冠肺炎疫情期间，九三学社杭州市委认真贯彻落实社中央、社省委各项决策部署，Version 2.0。\n";

fn text(size: usize) -> String {
    let mut s = String::with_capacity(size + LINE.len());
    while s.len() < size {
        s.push_str(LINE);
    }
    s
}

fn bench(c: &mut Criterion) {
    let opts = DecodeOptions::default();
    let mut g = c.benchmark_group("decode");
    g.sample_size(10);

    let utf8 = text(64 << 20);
    g.throughput(Throughput::Bytes(utf8.len() as u64));
    g.bench_function("clean_utf8_64MB", |b| {
        b.iter(|| decode(utf8.as_bytes(), &opts).unwrap())
    });

    // As the stream decodes it: 1 MiB windows (allocations are reused, no page faults).
    let mut windows: Vec<&[u8]> = Vec::new();
    let mut rest = utf8.as_bytes();
    while !rest.is_empty() {
        let cut = rest
            .iter()
            .skip(1 << 20)
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + (1 << 20) + 1);
        windows.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    g.bench_function("clean_utf8_64MB_in_1MB_windows", |b| {
        b.iter(|| {
            for w in &windows {
                criterion::black_box(decode(w, &opts).unwrap().text.len());
            }
        })
    });

    let small = text(4 << 20);
    let gbk = encoding_rs::GBK.encode(&small).0.into_owned();
    g.throughput(Throughput::Bytes(gbk.len() as u64));
    g.bench_function("gbk_4MB", |b| b.iter(|| decode(&gbk, &opts).unwrap()));

    let utf16: Vec<u8> = small.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    g.throughput(Throughput::Bytes(utf16.len() as u64));
    g.bench_function("utf16le_nobom_8MB", |b| {
        b.iter(|| decode(&utf16, &opts).unwrap())
    });

    let mut mixed = Vec::new();
    for (i, line) in small.lines().enumerate() {
        if i % 2 == 0 {
            mixed.extend_from_slice(line.as_bytes());
        } else {
            mixed.extend_from_slice(&encoding_rs::GBK.encode(line).0);
        }
        mixed.push(b'\n');
    }
    g.throughput(Throughput::Bytes(mixed.len() as u64));
    g.bench_function("mixed_utf8_gbk_4MB", |b| {
        b.iter(|| decode(&mixed, &opts).unwrap())
    });

    let shorts: Vec<Vec<u8>> = LINE
        .char_indices()
        .step_by(3)
        .filter_map(|(i, _)| LINE.get(i..).map(|s| s.chars().take(8).collect::<String>()))
        .map(|s| encoding_rs::GBK.encode(&s).0.into_owned())
        .collect();
    g.throughput(Throughput::Elements(shorts.len() as u64));
    g.bench_function("short_gbk_8_chars", |b| {
        b.iter(|| {
            for s in &shorts {
                decode(s, &opts).unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
