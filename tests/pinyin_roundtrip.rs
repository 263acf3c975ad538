//! Property tests of the pinyin repair over ~1.1 MB of real Traditional Chinese text:
//! corrupt with the forward mechanism, repair, and get the text back except where the
//! report says a byte was lost.

mod support;

use support::{corpus, filter_chars, fold_str, Corruptor, Style};
use zhclean::repair::{RepairOptions, Toggle};
use zhclean::{ChangeKind, Cleaner, Config};

fn cleaner(mode: Toggle) -> Cleaner {
    let mut cfg = Config::decode_only();
    cfg.repair = RepairOptions {
        mojibake: false,
        pinyin: mode,
        html_entities: Toggle::Off,
        ..RepairOptions::default()
    };
    Cleaner::new(cfg).unwrap()
}

/// Documents of about `lines` lines each.
fn documents(lines: usize) -> Vec<String> {
    let c = corpus();
    let all: Vec<&str> = c.lines().collect();
    all.chunks(lines).map(|ch| ch.join("\n")).collect()
}

#[derive(Default, Debug)]
struct Tally {
    docs: usize,
    exact_docs: usize,
    misfires: usize,
    annotations: usize,
    failed: usize,
    lost: usize,
    bytes: usize,
}

/// Garbles that did not come back: regions where the repair differs from the original
/// (a `?` at a reported loss counts as equal). Each mismatch is resynchronised on the
/// next 6 equal chars within 60 chars; a region that never resynchronises counts once.
fn failures(got: &str, want: &str, lost: &[usize]) -> usize {
    let g: Vec<char> = got.chars().collect();
    let w: Vec<char> = want.chars().collect();
    let lost: std::collections::HashSet<usize> = lost.iter().copied().collect();
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < g.len() && j < w.len() {
        if g[i] == w[j] || (g[i] == '?' && lost.contains(&i)) {
            i += 1;
            j += 1;
            continue;
        }
        n += 1;
        let mut sync = None;
        'search: for d in 1..=60 {
            for a in 0..=d {
                let (ii, jj) = (i + a, j + d - a);
                if ii + 6 <= g.len() && jj + 6 <= w.len() && g[ii..ii + 6] == w[jj..jj + 6] {
                    sync = Some((ii, jj));
                    break 'search;
                }
            }
        }
        match sync {
            Some((ii, jj)) => (i, j) = (ii, jj),
            None => return n,
        }
    }
    n + usize::from(i < g.len() || j < w.len())
}

fn check(style: Style, lines: usize) -> Tally {
    let cor = Corruptor::new(&filter_chars(), style);
    let cl = cleaner(Toggle::Auto);
    let mut t = Tally::default();
    let mut shown = 0;
    for doc in documents(lines) {
        let Some(d) = cor.corrupt(&doc) else { continue };
        let want = fold_str(&doc);
        let out = cl.clean_str(&d.text);
        let lost: Vec<usize> = out
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Unrecoverable)
            .map(|c| c.output_chars[0])
            .collect();
        let f = failures(&out.text, &want, &lost);
        t.docs += 1;
        t.exact_docs += usize::from(f == 0);
        t.misfires += d.misfires;
        t.annotations += d.annotations;
        t.failed += f.min(d.misfires.max(1));
        t.lost += lost.len();
        t.bytes += d.text.len();
        if f > 0 && shown < 40 && std::env::var_os("PINYIN_SHOW").is_some() {
            shown += 1;
            let g: Vec<char> = out.text.chars().collect();
            let w: Vec<char> = want.chars().collect();
            let mut k = 0;
            let mut printed = 0;
            while k < g.len().min(w.len()) && printed < 3 {
                if g[k] != w[k] && !(g[k] == '?' && lost.contains(&k)) {
                    let from = k.saturating_sub(10);
                    let cut =
                        |v: &[char]| v[from..(k + 20).min(v.len())].iter().collect::<String>();
                    eprintln!("    got: {}\n   want: {}\n", cut(&g), cut(&w));
                    printed += 1;
                    if g.len() != w.len() {
                        break;
                    }
                    k += 20;
                }
                k += 1;
            }
        }
    }
    t
}

fn report(name: &str, t: &Tally) -> f64 {
    let acc = 1.0 - t.failed as f64 / t.misfires.max(1) as f64;
    eprintln!(
        "{name}: {} docs ({} exact), {} bytes damaged text, {} annotations, {} misfires, \
         {} not rebuilt exactly, {} reported losses: garble accuracy {:.3}%",
        t.docs,
        t.exact_docs,
        t.bytes,
        t.annotations,
        t.misfires,
        t.failed,
        t.lost,
        acc * 100.0
    );
    acc
}

#[test]
fn corrupt_then_repair_gives_back_the_text() {
    let t = check(Style::default(), 40);
    let acc = report("toned", &t);
    assert!(t.misfires > 1000, "corpus too small: {t:?}");
    // The language model decides among candidates; the floor guards against regressions.
    assert!(acc >= 0.95, "garble accuracy {acc}");
}

#[test]
fn toneless_and_doubled_annotations() {
    let t = check(
        Style {
            toneless: true,
            doubled: true,
        },
        200,
    );
    let acc = report("toneless+doubled", &t);
    assert!(acc >= 0.90, "garble accuracy {acc}");
}

#[test]
fn clean_corpus_is_never_changed() {
    let cl = cleaner(Toggle::Auto);
    for doc in documents(40) {
        let out = cl.clean_str(&doc);
        assert_eq!(out.text, doc);
        assert!(out.changes.is_empty(), "{:?}", out.changes.first());
    }
}

/// Development aid: `PINYIN_TEXT=... cargo test --test pinyin_roundtrip show -- --ignored`.
#[test]
#[ignore]
fn show() {
    let Some(t) = std::env::var_os("PINYIN_TEXT") else {
        return;
    };
    let t = t.to_string_lossy();
    let style = match std::env::var("PINYIN_STYLE").as_deref() {
        Ok("doubled") => Style {
            toneless: true,
            doubled: true,
        },
        _ => Style::default(),
    };
    let d = Corruptor::new(&filter_chars(), style).corrupt(&t).unwrap();
    let out = cleaner(Toggle::On).clean_str(&d.text);
    eprintln!("damaged: {}\nrepaired: {}", d.text, out.text);
    for c in &out.changes {
        eprintln!("{c:?}");
    }
}

/// The whole corpus as one document: the search must not grow with the document.
#[test]
fn one_big_document() {
    let cor = Corruptor::new(&filter_chars(), Style::default());
    let text = corpus();
    let d = cor.corrupt(&text).unwrap();
    let t0 = std::time::Instant::now();
    let out = cleaner(Toggle::Auto).clean_str(&d.text);
    eprintln!(
        "one document of {} bytes repaired in {:?}",
        d.text.len(),
        t0.elapsed()
    );
    let lost: Vec<usize> = out
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Unrecoverable)
        .map(|c| c.output_chars[0])
        .collect();
    let f = failures(&out.text, &fold_str(&text), &lost);
    let acc = 1.0 - f as f64 / d.misfires as f64;
    eprintln!(
        "one document: {} misfires, {f} failures, accuracy {:.3}%",
        d.misfires,
        acc * 100.0
    );
    assert!(acc >= 0.95);
}
