//! Mojibake repair: text that was decoded with the wrong codec, reversed.
//!
//! For each hypothesis (wrong codec W, original codec O) the garbled chars are encoded
//! back with W and the bytes decoded with O. Where that gives a valid, far more likely
//! text, the span is replaced. Up to three layers are undone (the result of one
//! reversal is examined again). Bytes that the wrong decoder destroyed (U+FFFD, `?`,
//! `锟斤拷`, an odd byte swallowed by the next char) are reported as unrecoverable and
//! marked, never guessed (one exception: a GBK decoder's U+FFFD before a non-ASCII byte
//! can only have been a lone 0x80, which is restored and said so in the reason).
//!
//! Speed: a per-char flag table (`triggers`) makes clean text cost one lookup per
//! non-ASCII char; only lines where flagged chars occur in garble density are examined
//! further, and each trigger first gets a few-byte structural look (`quick`).

mod codec;
mod judge;
mod triggers;

use crate::report::{ChangeKind, Edit, Edits};
use crate::stage::{DocState as Doc, Stage};
use codec::{Back, Orig, Stream, Unit, Wrong};
use std::ops::Range;

pub use judge::Verdict;

/// The windows-1252 char of a byte in 0x80..=0x9F.
pub(crate) fn cp1252_char(b: u8) -> Option<char> {
    if (0x80..=0x9F).contains(&b) {
        Some(codec::CP1252_HIGH[(b - 0x80) as usize])
    } else {
        None
    }
}

/// Per-document state of this stage: what was repaired so far (evidence for short spans).
#[derive(Debug, Default)]
pub struct DocState {
    /// Spans repaired so far in this document, per hypothesis index.
    pub repaired: [u32; HYPS.len()],
}

#[derive(Debug, Default)]
pub struct Repairer {
    pub options: super::RepairOptions,
}

/// One way text gets garbled: bytes in `orig` decoded as `wrong`.
#[derive(Debug, Clone, Copy)]
pub struct Hyp {
    pub wrong: Wrong,
    pub orig: Orig,
    /// Trigger flags that open this hypothesis.
    pub flags: u8,
}

pub const HYPS: [Hyp; 8] = [
    Hyp {
        wrong: Wrong::Latin,
        orig: Orig::Utf8,
        flags: triggers::LATIN,
    },
    Hyp {
        wrong: Wrong::Gbk,
        orig: Orig::Utf8,
        flags: triggers::GBK_U8 | triggers::HOLE,
    },
    Hyp {
        wrong: Wrong::Big5,
        orig: Orig::Utf8,
        flags: triggers::BIG5_U8 | triggers::HOLE,
    },
    Hyp {
        wrong: Wrong::ShiftJis,
        orig: Orig::Utf8,
        flags: triggers::SJIS_U8,
    },
    Hyp {
        wrong: Wrong::Latin,
        orig: Orig::Gbk,
        flags: triggers::LATIN,
    },
    Hyp {
        wrong: Wrong::Latin,
        orig: Orig::Big5,
        flags: triggers::LATIN,
    },
    Hyp {
        wrong: Wrong::Big5,
        orig: Orig::Gbk,
        flags: triggers::GBK_AS_B5,
    },
    Hyp {
        wrong: Wrong::Gbk,
        orig: Orig::Big5,
        flags: triggers::B5_AS_GBK,
    },
];

/// A piece of a repair: a source range and what it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub src: Range<usize>,
    pub out: String,
    /// Characters lost here (marked with U+FFFD).
    pub lost: usize,
}

/// A repair of one span, possibly through several layers.
#[derive(Debug, Clone)]
pub struct Repair {
    pub range: Range<usize>,
    pub pieces: Vec<Piece>,
    pub hyps: Vec<usize>,
    pub verdict: Verdict,
    /// Bytes restored from the decoder's behaviour (a GBK decoder's lone 0x80).
    pub restored: usize,
}

impl Repair {
    pub fn output(&self) -> String {
        self.pieces.iter().map(|p| p.out.as_str()).collect()
    }

    pub fn reason(&self) -> String {
        let mut r = String::new();
        for (i, &h) in self.hyps.iter().enumerate() {
            if i > 0 {
                r.push_str(", then ");
            }
            let h = HYPS[h];
            r.push_str(h.orig.label());
            r.push_str(" read as ");
            r.push_str(h.wrong.label());
        }
        if self.restored > 0 {
            r.push_str(&format!(" ({} lost 0x80 byte(s) restored)", self.restored));
        }
        r
    }
}

/// Find the repairs in `text` (one line or a whole text), all layers undone.
pub fn find_repairs(text: &str, doc: Option<&DocState>) -> Vec<Repair> {
    let flags = hot_flags(triggers::table(), text);
    if flags == 0 {
        return Vec::new();
    }
    analyze(text, flags, 0, doc)
}

/// The hypothesis flags worth a look in `line`. Clean Chinese text holds a few chars
/// that also occur in UTF-8-read-as-GBK/Big5/Shift_JIS garble, but never in the density
/// of garble (one every three chars): a lone one in a long line is skipped. Short lines
/// (titles, file names) are looked at whenever they hold one.
fn hot_flags(t: &triggers::Table, line: &str) -> u8 {
    hot_flags_from(t, line, 0..line.len(), line.len() <= SHORT_LINE)
}

/// Lines up to this many bytes are looked at whenever they hold a flagged char.
const SHORT_LINE: usize = 48;

/// `hot_flags` of the line `text[range]`, or of its part from `range.start` on (a char
/// boundary) when no char before it carries a flag. `short`: the whole line is at most
/// 48 bytes.
fn hot_flags_from(t: &triggers::Table, text: &str, range: Range<usize>, short: bool) -> u8 {
    let mut st = HotState {
        all: 0,
        hot: 0,
        last: [usize::MAX; 3],
    };
    // Only flagged chars matter: jump from one to the next.
    t.for_each_trigger(text.as_bytes(), range.start, range.end, |at| {
        let c = text[at..].chars().next().unwrap_or('\0');
        st.note(t.get(c), at);
    });
    if short {
        st.all
    } else {
        st.hot
    }
}

/// What `hot_flags` has seen so far.
struct HotState {
    all: u8,
    hot: u8,
    /// Byte offset of the last trigger of each double-byte family.
    last: [usize; 3],
}

impl HotState {
    fn note(&mut self, f: u8, at: usize) {
        const DBCS: [u8; 3] = [triggers::GBK_U8, triggers::BIG5_U8, triggers::SJIS_U8];
        // Distances in bytes (garbled chars are 3 bytes in UTF-8): Shift_JIS garble shows
        // a half-width kana only every few chars.
        const WINDOW: [usize; 3] = [12, 12, 30];
        self.all |= f;
        self.hot |= f & !(triggers::GBK_U8 | triggers::BIG5_U8 | triggers::SJIS_U8);
        for (k, bit) in DBCS.iter().enumerate() {
            if f & bit != 0 {
                if self.last[k] != usize::MAX && at - self.last[k] <= WINDOW[k] {
                    self.hot |= bit;
                }
                self.last[k] = at;
            }
        }
    }
}

fn analyze(text: &str, flags: u8, depth: usize, doc: Option<&DocState>) -> Vec<Repair> {
    // Inner layers nest (`build_candidate` calls this again): each call takes a set of
    // buffers of its own from the pool and puts it back.
    let mut w = WORK.with(|p| p.borrow_mut().pop()).unwrap_or_default();
    analyze_with(text, flags, depth, doc, &mut w);
    let chosen = select(&mut w.found.cands);
    WORK.with(|p| p.borrow_mut().push(w));
    chosen
}

/// Buffers of one `analyze` call, kept for later calls: the inner layers of candidates
/// make for tens of thousands of short analyses per megabyte of damaged text.
#[derive(Default)]
struct Work {
    found: Found,
    units: Vec<Unit>,
    scratch: Scratch,
    /// Runs per (wrong codec, flags); the first `built` hold this text's.
    runs: Vec<((Wrong, u8), Runs)>,
}

thread_local! {
    static WORK: std::cell::RefCell<Vec<Work>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn analyze_with(text: &str, flags: u8, depth: usize, doc: Option<&DocState>, w: &mut Work) {
    w.found.cands.clear();
    // The runs depend on the wrong codec and the flags only: the three Latin-1
    // hypotheses share theirs.
    let mut built = 0;
    for (hi, h) in HYPS.iter().enumerate() {
        if flags & h.flags == 0 {
            continue;
        }
        if !opens(text, *h, &mut w.scratch) {
            continue;
        }
        let key = (h.wrong, h.flags);
        let at = match w.runs[..built].iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                if built == w.runs.len() {
                    w.runs.push((key, Runs::default()));
                }
                w.runs[built].0 = key;
                runs(text, h.wrong, h.flags, &mut w.runs[built].1);
                built += 1;
                built - 1
            }
        };
        let rs = &w.runs[at].1;
        for k in 0..rs.spans.len() {
            decode_run(text, &rs.get(k), hi, depth, doc, &mut w.units, &mut w.found);
        }
    }
}

/// Buffers of `opens`, kept across calls.
#[derive(Default)]
struct Scratch {
    /// The text encoded back with the wrong codec, char by char, as far as looked at.
    stream: Stream,
    /// Stream offset of each encoded char; whether the codec could encode it.
    off: Vec<usize>,
    ok: Vec<bool>,
}

/// Append the bytes the wrong codec `w` made `c` from (with their hole marks); false,
/// appending nothing, when `w` cannot produce `c`.
fn encode_char(w: Wrong, c: char, st: &mut Stream) -> bool {
    match codec::encode_back(w, c) {
        Some(Back::Bytes(b, n)) => {
            for &x in &b[..n as usize] {
                st.bytes.push(x);
                st.holes.push(match x {
                    b'?' => 2,
                    b' ' if w == Wrong::Latin => 3,
                    _ => 0,
                });
            }
            true
        }
        Some(Back::Hole) => {
            st.bytes.push(0);
            st.holes.push(if w == Wrong::Gbk { 4 } else { 1 });
            true
        }
        None => false,
    }
}

/// Cheap look at each trigger of `h` before the costly run: does a little structure
/// follow? (The trigger may be a continuation byte, or the last char of the garble, as a
/// comma is: start up to six chars before it.) Windows of nearby triggers overlap: each
/// start is tried once, and each char encoded once.
fn opens(text: &str, h: Hyp, sc: &mut Scratch) -> bool {
    let t = triggers::table();
    sc.stream.bytes.clear();
    sc.stream.holes.clear();
    sc.off.clear();
    sc.ok.clear();
    // At most two bytes per char, and a char is at least as long in UTF-8.
    sc.stream.bytes.reserve(text.len());
    sc.stream.holes.reserve(text.len());
    sc.off.reserve(text.len());
    sc.ok.reserve(text.len());
    let mut to_encode = text.chars();
    let mut tried: Option<usize> = None;
    for (ci, c) in text.chars().enumerate() {
        if t.get(c) & h.flags == 0 {
            continue;
        }
        for cj in ci.saturating_sub(6)..=ci {
            if tried.is_some_and(|k| cj <= k) {
                continue;
            }
            tried = Some(cj);
            // The window is chars cj..cj + 6, cut before the first the codec cannot make.
            // Chars before `cj` are in no window from here on (starts only grow): they
            // are passed over unencoded.
            while sc.ok.len() < cj + 6 {
                let Some(c) = to_encode.next() else { break };
                sc.off.push(sc.stream.bytes.len());
                let ok = sc.ok.len() >= cj && encode_char(h.wrong, c, &mut sc.stream);
                sc.ok.push(ok);
            }
            let mut e = cj;
            while e < sc.ok.len() && e < cj + 6 && sc.ok[e] {
                e += 1;
            }
            let a = sc.off.get(cj).copied().unwrap_or(sc.stream.bytes.len());
            let b = sc.off.get(e).copied().unwrap_or(sc.stream.bytes.len());
            let view = codec::View {
                bytes: &sc.stream.bytes[a..b],
                holes: &sc.stream.holes[a..b],
            };
            if structured(h, view) {
                return true;
            }
        }
    }
    false
}

/// Encode a few chars from `at` with the wrong codec and decode them with the original:
/// true when they start with enough valid multi-byte units to be worth a full look.
#[cfg(test)]
fn quick(text: &str, at: usize, h: Hyp) -> bool {
    let mut st = Stream::default();
    for c in text[at..].chars().take(6) {
        if !encode_char(h.wrong, c, &mut st) {
            break;
        }
    }
    let view = codec::View {
        bytes: &st.bytes,
        holes: &st.holes,
    };
    structured(h, view)
}

/// The units of a few chars start with enough valid multi-byte units.
fn structured(h: Hyp, view: codec::View<'_>) -> bool {
    let need = match (h.wrong, h.orig) {
        (Wrong::Latin, Orig::Utf8) => 1,
        _ => 2,
    };
    let mut good = 0;
    let mut yes = false;
    // Decoding stops as soon as the answer is known.
    codec::decode_each(h.orig, view, |u| {
        if good_mb(h.orig, &u) {
            good += 1;
            if good >= need {
                yes = true;
                return false;
            }
        } else if u.ch.is_none() {
            // A lossy unit right after a good one still counts as structure.
            yes = good >= 1 && u.hole;
            return false;
        }
        true
    });
    yes
}

/// Best non-overlapping repairs, by score (`cands` is left empty).
///
/// Scores compare mean qualities, which favour short spans: `è¡¨ç¤º` alone read as two
/// layers (cp1252, then Big5) outscores `è¡¨ç¤º nÇ\u{90} hÇŽ` read as one layer of
/// UTF-8, though both make `表示` of it. A candidate that covers another's span with no
/// more layers, loses nothing, and keeps the other's output (or the other loses chars)
/// is the better explanation, and takes the other's place.
fn select(cands: &mut Vec<Repair>) -> Vec<Repair> {
    cands.sort_by(|a, b| {
        b.verdict
            .score
            .partial_cmp(&a.verdict.score)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let lost = |c: &Repair| c.pieces.iter().map(|p| p.lost).sum::<usize>();
    let overlaps = |a: &Range<usize>, b: &Range<usize>| a.start < b.end && b.start < a.end;
    let mut used = vec![false; cands.len()];
    let mut chosen: Vec<usize> = Vec::new();
    for i in 0..cands.len() {
        if used[i] {
            continue;
        }
        let c = &cands[i];
        let better = (0..cands.len()).find(|&j| {
            let d = &cands[j];
            j != i
                && !used[j]
                && d.range.start <= c.range.start
                && c.range.end <= d.range.end
                && d.hyps.len() <= c.hyps.len()
                && lost(d) == 0
                && (lost(c) > 0 || d.output().contains(&c.output()))
                && !chosen.iter().any(|&k| overlaps(&cands[k].range, &d.range))
        });
        let pick = better.unwrap_or(i);
        used[pick] = true;
        let r = &cands[pick].range;
        if !chosen.iter().any(|&k| overlaps(&cands[k].range, r)) {
            chosen.push(pick);
        }
    }
    let mut keep: Vec<Option<Repair>> = cands.drain(..).map(Some).collect();
    let mut out: Vec<Repair> = chosen.iter().filter_map(|&k| keep[k].take()).collect();
    out.sort_by_key(|c| c.range.start);
    out
}

/// A run of chars that the wrong codec can produce, rebuilt as its byte stream.
struct Run<'a> {
    stream: codec::View<'a>,
    /// Text byte offset of each stream position that starts a char; `NONE` inside a char;
    /// then the end of the run.
    bound: &'a [usize],
}

const NONE: usize = usize::MAX;

/// The runs of a text, one after another in shared buffers (one allocation each, not
/// three per run).
#[derive(Default)]
struct Runs {
    bytes: Vec<u8>,
    holes: Vec<u8>,
    bound: Vec<usize>,
    /// Each run: its range in `bytes` and `holes`, and where its `bound` entries start
    /// (one more than its bytes).
    spans: Vec<(Range<usize>, usize)>,
}

impl Runs {
    fn get(&self, k: usize) -> Run<'_> {
        let (r, b) = &self.spans[k];
        Run {
            stream: codec::View {
                bytes: &self.bytes[r.clone()],
                holes: &self.holes[r.clone()],
            },
            bound: &self.bound[*b..*b + r.len() + 1],
        }
    }

    /// End the current run at text offset `end`: keep it when `hot`, else drop it.
    fn finish(&mut self, hot: &mut bool, end: usize) {
        let start = self.spans.last().map_or(0, |(r, _)| r.end);
        let b = self.spans.last().map_or(0, |(r, b)| b + r.len() + 1);
        if *hot && self.bytes.len() > start {
            self.bound.push(end);
            self.spans.push((start..self.bytes.len(), b));
        } else {
            self.bytes.truncate(start);
            self.holes.truncate(start);
            self.bound.truncate(b);
        }
        *hot = false;
    }
}

/// Maximal runs of W-encodable chars that hold at least one trigger char, into `out`.
fn runs(text: &str, w: Wrong, flags: u8, out: &mut Runs) {
    let t = triggers::table();
    out.bytes.clear();
    out.holes.clear();
    out.bound.clear();
    out.spans.clear();
    // A char is at most two bytes in the wrong codec and at least as long in UTF-8 (one
    // byte for one byte in ASCII): the text bounds the streams.
    out.bytes.reserve(text.len());
    out.holes.reserve(text.len());
    out.bound.reserve(text.len() + 1);
    let mut hot = false;
    for (i, c) in text.char_indices() {
        match codec::encode_back(w, c) {
            Some(Back::Bytes(b, n)) => {
                for (k, &x) in b[..n as usize].iter().enumerate() {
                    out.bound.push(if k == 0 { i } else { NONE });
                    out.bytes.push(x);
                    out.holes.push(match x {
                        b'?' => 2,
                        b' ' if w == Wrong::Latin => 3,
                        _ => 0,
                    });
                }
                if t.get(c) & flags != 0 {
                    hot = true;
                }
            }
            Some(Back::Hole) => {
                out.bound.push(i);
                out.bytes.push(0);
                out.holes.push(if w == Wrong::Gbk { 4 } else { 1 });
            }
            None => out.finish(&mut hot, i),
        }
    }
    out.finish(&mut hot, text.len());
}

fn plausible(o: Orig, c: char) -> bool {
    let u = c as u32;
    match o {
        Orig::Utf8 => matches!(u,
            0x09 | 0x0A | 0x0D | 0x20..=0x7E
            // C1, Latin-1 and cp1252 letters (a Latin layer underneath), pinyin vowels,
            // spacing modifiers (tone marks). Not the rest of Latin Extended-B: GBK's
            // `拼` (C6 B4) is `ƴ` in UTF-8.
            | 0x80..=0x17F
            | 0x192
            | 0x1CD..=0x1DC
            | 0x2B0..=0x2FF
            | 0x20A0..=0x20CF
            | 0x370..=0x3FF
            | 0x400..=0x4FF
            | 0x2000..=0x206F
            | 0x2100..=0x27BF
            | 0x2E80..=0x2FDF
            | 0x3000..=0x312F
            | 0x3130..=0x318F
            | 0x31F0..=0x9FFF
            | 0xAC00..=0xD7AF
            | 0xE000..=0xF8FF // private use: a layer of GBK garble underneath
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFFEF
            | 0xFFFD
            | 0x1F300..=0x1FAFF
            | 0x20000..=0x2FFFF),
        Orig::Gbk | Orig::Big5 => !(0xE000..=0xF8FF).contains(&u) && u >= 0x20,
    }
}

/// A unit that carries evidence: a valid multi-byte char the original codec would make.
fn good_mb(o: Orig, u: &Unit) -> bool {
    match u.ch {
        Some(c) => u.bytes.len() >= 2 && plausible(o, c),
        None => false,
    }
}

fn decode_run(
    text: &str,
    run: &Run,
    hi: usize,
    depth: usize,
    doc: Option<&DocState>,
    units: &mut Vec<Unit>,
    found: &mut Found,
) {
    let h = HYPS[hi];
    codec::decode_view(h.orig, run.stream, units);
    let n = run.stream.bytes.len();
    // Big5 and Shift_JIS decoders destroy many UTF-8 bytes: allow longer lossy gaps.
    let max_gap = match h.wrong {
        Wrong::Big5 | Wrong::ShiftJis => 10,
        _ => 4,
    };
    let mut i = 0;
    let mut floor = 0;
    while i < units.len() {
        let u = &units[i];
        if !(good_mb(h.orig, u) && run.bound[u.bytes.start] != NONE) {
            i += 1;
            continue;
        }
        // A lossy char right before (lead + continuation cut by a hole) belongs too.
        // (ASCII may stand between: `鎵�40W鐨刞.)
        let mut start = i;
        loop {
            let mut k = start;
            while k > floor && start - k < 8 && units[k - 1].ch.is_some_and(|c| c.is_ascii()) {
                k -= 1;
            }
            if k > floor
                && units[k - 1].ch.is_none()
                && units[k - 1].hole
                && units[k - 1].bytes.len() >= 2
                && run.bound[units[k - 1].bytes.start] != NONE
            {
                start = k - 1;
            } else {
                break;
            }
        }
        let mut last = i;
        let mut j = i + 1;
        while j < units.len() {
            let uj = &units[j];
            if uj.ch.is_some() && uj.bytes.len() == 1 {
                j += 1;
                continue;
            }
            if good_mb(h.orig, uj) {
                last = j;
                j += 1;
                continue;
            }
            // Broken (or implausible): keep it when it is a lossy tail or a short gap
            // between good units.
            if uj.hole || uj.bytes.end >= n {
                last = j;
                j += 1;
                if h.orig != Orig::Utf8 {
                    // A double-byte stream has lost its alignment after a hole.
                    break;
                }
                continue;
            }
            if h.orig != Orig::Utf8 {
                break;
            }
            let gap_start = uj.bytes.start;
            let mut k = j + 1;
            while k < units.len()
                && !good_mb(h.orig, &units[k])
                && units[k].bytes.start - gap_start <= max_gap
                && !(units[k].ch.is_some() && units[k].bytes.len() == 1)
            {
                k += 1;
            }
            if k < units.len()
                && good_mb(h.orig, &units[k])
                && units[k].bytes.start - gap_start <= max_gap
            {
                last = k;
                j = k + 1;
                continue;
            }
            break;
        }
        let Some((start, last)) = trim_edges(text, run, h, units, start, last) else {
            i = last + 1;
            floor = i;
            continue;
        };
        let (end_byte, end_unit) = char_end(units, run, last);
        // Too little structure to ever pass the judge: skip the costly part.
        let mb = units[start..end_unit.min(units.len())]
            .iter()
            .filter(|u| good_mb(h.orig, u))
            .count();
        let min_mb = match (h.wrong, h.orig) {
            (Wrong::Latin, Orig::Utf8) => 1,
            (_, Orig::Utf8) | (Wrong::Latin, _) => 2,
            _ => 3,
        };
        if mb >= min_mb {
            let us = &units[start..end_unit.min(units.len())];
            let before = found.cands.len();
            build_candidate(text, run, hi, depth, doc, us, end_byte, found);
            // Refused, with lossy units after its last good one: the holes may be chars
            // lost before (U+FFFD already in the text, past some ASCII), or a tail the
            // judge finds too lossy. Judge it again without them.
            let refused = found.cands.len() == before;
            let good = || (start..=last).rev().find(|&k| good_mb(h.orig, &units[k]));
            if let Some(g) = good().filter(|&g| refused && g < last) {
                if units[g + 1..=last].iter().any(|u| u.hole) {
                    let (eb, eu) = char_end(units, run, g);
                    build_candidate(text, run, hi, depth, doc, &units[start..eu], eb, found);
                }
            }
        }
        i = end_unit.max(i + 1);
        floor = i;
    }
}

/// UTF-8 read as a double-byte codec: clean Chinese text next to the garble is part of
/// the same run, and the GBK bytes of a hanzi are now and then one valid two-byte UTF-8
/// char (`硬` D3 B2 is `Ӳ`, `希` CF A3 is `ϣ`), or a broken one. Such units at an edge
/// of `units[start..=last]` are the clean neighbour, not garble: garble of CJK text
/// decodes to three-byte chars, and of a cp1252 layer to Latin ones. They are dropped
/// (with the ASCII and broken units between them and the garble). Lost chars (holes)
/// stay. `None` when nothing is left.
fn trim_edges(
    text: &str,
    run: &Run,
    h: Hyp,
    units: &[Unit],
    mut start: usize,
    mut last: usize,
) -> Option<(usize, usize)> {
    if h.orig != Orig::Utf8 || h.wrong == Wrong::Latin {
        return Some((start, last));
    }
    let n = run.stream.bytes.len();
    // The text chars the unit's bytes came from (a unit may start or end inside one).
    let src = |u: &Unit| -> Option<Range<usize>> {
        let a = run.bound[..=u.bytes.start]
            .iter()
            .rev()
            .find(|&&b| b != NONE)?;
        let b = run.bound[u.bytes.end.min(n)..]
            .iter()
            .find(|&&b| b != NONE)?;
        (a < b).then_some(*a..*b)
    };
    let hanzi_only = |r: &Range<usize>| {
        text[r.clone()]
            .chars()
            .all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
    };
    // An accidental unit: a two-byte char beyond Latin-1 (Greek, Cyrillic, rare Latin
    // letters; not cp1252's own or pinyin's: a layer of cp1252 garble underneath, or
    // pinyin, is made of those), or broken inside the run without a hole, made of hanzi
    // only.
    let accidental = |u: &Unit| {
        let odd = match u.ch {
            Some(c) => (0x100..0x800).contains(&(c as u32)) && !layer_or_pinyin(c),
            // A char cut by the end of the run is garble's lossy tail (`鐚` of 参考文献).
            None => !u.hole && u.bytes.end < n,
        };
        odd && src(u).is_some_and(|r| hanzi_only(&r))
    };
    // Past an accidental unit, everything up to the garble's last good unit or lost
    // char goes with it.
    let keeps = |u: &Unit| u.hole || (good_mb(h.orig, u) && !accidental(u));
    if accidental(&units[last]) {
        while last > start && !keeps(&units[last]) {
            last -= 1;
        }
    }
    if accidental(&units[start]) {
        while start < last && !keeps(&units[start]) {
            start += 1;
        }
    }
    keeps(&units[start]).then_some((start, last))
}

/// A char beyond Latin-1 that cp1252 decodes to (`Œ š Ž ƒ ˆ ˜` ...), or a pinyin vowel.
fn layer_or_pinyin(c: char) -> bool {
    matches!(
        c,
        'Œ' | 'œ'
            | 'Š'
            | 'š'
            | 'Ÿ'
            | 'Ž'
            | 'ž'
            | 'ƒ'
            | 'ˆ'
            | '˜'
            | 'ā'
            | 'ē'
            | 'ī'
            | 'ō'
            | 'ū'
            | 'ǎ'
            | 'ě'
            | 'ǐ'
            | 'ǒ'
            | 'ǔ'
            | 'ǖ'
            | 'ǘ'
            | 'ǚ'
            | 'ǜ'
            | 'ń'
            | 'ň'
    )
}

/// The end (stream byte, unit index) of the wrong codec's char that holds the end of
/// unit `last` (an ASCII byte can hide in a double-byte char): the units inside that
/// char are swallowed.
fn char_end(units: &[Unit], run: &Run, last: usize) -> (usize, usize) {
    let n = run.stream.bytes.len();
    let mut end_byte = units[last].bytes.end;
    let mut end_unit = last + 1;
    while end_byte < n && run.bound[end_byte] == NONE {
        if end_unit < units.len() {
            end_byte = end_byte.max(units[end_unit].bytes.end);
            end_unit += 1;
        } else {
            end_byte += 1;
        }
    }
    (end_byte, end_unit)
}

/// The candidates found so far, and buffers `build_candidate` reuses from one
/// candidate to the next (most are refused: their text is never kept).
#[derive(Default)]
struct Found {
    cands: Vec<Repair>,
    /// The output of the candidate being built.
    out: String,
    /// Its pieces: source range, end in `out`, chars lost.
    pieces: Vec<(Range<usize>, usize, usize)>,
}

#[allow(clippy::too_many_arguments)]
fn build_candidate(
    text: &str,
    run: &Run,
    hi: usize,
    depth: usize,
    doc: Option<&DocState>,
    us: &[Unit],
    end_byte: usize,
    found: &mut Found,
) {
    let h = HYPS[hi];
    let src_start = run.bound[us[0].bytes.start];
    let src_end = run.bound[end_byte];
    if src_start == NONE || src_end == NONE || src_start >= src_end {
        return;
    }
    // Pieces: cut where a unit boundary meets a char boundary of the garbled text.
    let cur = &mut found.out;
    let pieces = &mut found.pieces;
    cur.clear();
    pieces.clear();
    let mut lost = 0usize;
    let mut mb = 0usize;
    let mut piece_start = src_start;
    let mut prev_broken = false;
    let mut restored = 0usize;
    for u in us {
        match u.ch {
            Some('\u{FFFD}') => {
                cur.push('\u{FFFD}');
                lost += 1;
            }
            Some(c) if u.bytes.len() >= 2 && !plausible(h.orig, c) => {
                cur.push('\u{FFFD}');
                lost += 1;
            }
            Some(c) => {
                if u.bytes.len() >= 2 {
                    mb += 1;
                }
                if u.restored {
                    restored += 1;
                }
                cur.push(c);
            }
            None => {
                // A run of broken units is one loss per lead byte in it (at least one).
                let starts_char = run
                    .stream
                    .bytes
                    .get(u.bytes.start)
                    .is_some_and(|&b| b >= 0xC0 || run.stream.holes[u.bytes.start] == 1);
                if starts_char || !prev_broken {
                    cur.push('\u{FFFD}');
                    lost += 1;
                }
            }
        }
        prev_broken = u.ch.is_none();
        let e = u.bytes.end.min(end_byte);
        if run.bound[e] != NONE {
            let src_e = run.bound[e];
            pieces.push((piece_start..src_e, cur.len(), std::mem::take(&mut lost)));
            piece_start = src_e;
        }
    }
    let piece_out = cur.len() > pieces.last().map_or(0, |p| p.1);
    if piece_start < src_end || piece_out {
        pieces.push((piece_start..src_end, cur.len(), lost.max(1)));
    }
    let total_lost: usize = pieces.iter().map(|p| p.2).sum();
    // A layer underneath only adds losses: the judge would refuse this one anyway.
    if mb > 0 && total_lost > judge::max_lost(h, mb) {
        return;
    }
    let src = &text[src_start..src_end];
    let out1 = found.out.as_str();
    if out1 == src {
        return;
    }
    // Another layer underneath? Then the output is `layered`, one piece.
    let mut inner_hyps: Vec<usize> = Vec::new();
    let mut layered: Option<(String, usize)> = None;
    if depth < 2 {
        let t = triggers::table();
        let inner_flags = hot_flags(t, out1);
        if inner_flags != 0 {
            let inner = analyze(out1, inner_flags, depth + 1, doc);
            if !inner.is_empty() {
                let out = out1;
                let mut o2 = String::with_capacity(out.len());
                let mut pos = 0;
                let mut inner_lost = 0;
                for r in &inner {
                    o2.push_str(&out[pos..r.range.start]);
                    o2.push_str(&r.output());
                    inner_lost += r.pieces.iter().map(|p| p.lost).sum::<usize>();
                    pos = r.range.end;
                    inner_hyps.extend(r.hyps.iter().copied());
                }
                o2.push_str(&out[pos..]);
                // Latin garble left between recovered hanzi is what remains of chars an
                // intermediate layer destroyed: mark it.
                let mut residue = 0;
                if o2.chars().any(judge::is_cjk) && o2.chars().any(judge::latin_residue) {
                    let mut o3 = String::with_capacity(o2.len());
                    let mut in_run = false;
                    for c in o2.chars() {
                        if judge::latin_residue(c) {
                            if !in_run {
                                o3.push('\u{FFFD}');
                                residue += 1;
                            }
                            in_run = true;
                        } else {
                            o3.push(c);
                            in_run = false;
                        }
                    }
                    o2 = o3;
                }
                let inner_lost = inner_lost + residue;
                layered = Some((o2, total_lost + inner_lost));
            }
        }
    }
    let (out, lost) = match &layered {
        Some((o, l)) => (o.as_str(), *l),
        None => (out1, total_lost),
    };
    let evidence = doc.map(|d| d.repaired[hi]).unwrap_or(0);
    let stats = judge::Stats {
        mb,
        lost,
        layers: 1 + inner_hyps.len(),
        evidence,
    };
    if let Some(mut verdict) = judge::judge(h, src, out, &stats) {
        if restored > 0 {
            verdict.confidence *= 0.95;
        }
        let pieces = match layered {
            Some((out, lost)) => vec![Piece {
                src: src_start..src_end,
                out,
                lost,
            }],
            None => {
                let mut from = 0;
                found
                    .pieces
                    .iter()
                    .map(|(src, end, lost)| {
                        let out = found.out[from..*end].to_owned();
                        from = *end;
                        Piece {
                            src: src.clone(),
                            out,
                            lost: *lost,
                        }
                    })
                    .collect()
            }
        };
        let mut hyps = Vec::with_capacity(1 + inner_hyps.len());
        hyps.push(hi);
        hyps.extend(inner_hyps);
        found.cands.push(Repair {
            range: src_start..src_end,
            pieces,
            hyps,
            verdict,
            restored,
        });
    }
}

impl Repairer {
    /// Record the repairs of one line (at `base` in the stage input).
    fn emit(&self, base: usize, text: &str, repairs: &[Repair], out: &mut Edits) {
        let lossy = self.options.lossy;
        for r in repairs {
            let reason = r.reason();
            let conf = r.verdict.confidence;
            // Merge consecutive clean pieces into one fix; lossy pieces stand alone.
            let mut fix: Option<(Range<usize>, String)> = None;
            let flush = |fix: &mut Option<(Range<usize>, String)>, out: &mut Edits| {
                if let Some((rg, s)) = fix.take() {
                    out.replace(base + rg.start..base + rg.end, s, conf, reason.clone());
                }
            };
            for p in &r.pieces {
                if p.lost == 0 {
                    match &mut fix {
                        Some((rg, s)) => {
                            rg.end = p.src.end;
                            s.push_str(&p.out);
                        }
                        None => fix = Some((p.src.clone(), p.out.clone())),
                    }
                    continue;
                }
                flush(&mut fix, out);
                let replacement = match lossy {
                    super::Lossy::Mark => p.out.clone(),
                    super::Lossy::Keep => text[p.src.clone()].to_owned(),
                };
                out.push(Edit {
                    range: base + p.src.start..base + p.src.end,
                    replacement,
                    confidence: conf,
                    kind: ChangeKind::Unrecoverable,
                    reason: format!(
                        "{reason}: {} character{} lost",
                        p.lost,
                        if p.lost == 1 { "" } else { "s" }
                    )
                    .into(),
                });
            }
            flush(&mut fix, out);
        }
    }
}

impl Stage for Repairer {
    fn name(&self) -> &'static str {
        "mojibake"
    }

    fn apply(&self, text: &str, doc: &mut Doc, out: &mut Edits) {
        if !self.options.mojibake {
            return;
        }
        let t = triggers::table();
        let bytes = text.as_bytes();
        // Only lines holding a flagged char can have flags: find those chars across the
        // whole text and look at their lines alone.
        let mut from = 0;
        while let Some(at) = t.next_trigger(bytes, from) {
            let line_end = memchr::memchr(b'\n', &bytes[at..])
                .map(|p| at + p + 1)
                .unwrap_or(text.len());
            if line_end - from > MAX_UNIT {
                let line_start =
                    memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |p| from + p + 1);
                if line_end - line_start > MAX_UNIT {
                    self.long_line(text, line_start..line_end, doc, out);
                    from = line_end;
                    continue;
                }
            }
            // `from` starts a line. Whether this line is short needs a look back over a
            // few bytes at most; its start only when it is analysed.
            let short = line_is_short(bytes, from, at, line_end);
            let flags = hot_flags_from(t, text, at..line_end, short);
            if flags != 0 {
                let line_start =
                    memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |p| from + p + 1);
                let line = &text[line_start..line_end];
                self.repair_unit(line_start, line, flags, doc, out);
            }
            from = line_end;
        }
    }
}

/// Lines longer than this are analysed in pieces of at most this size, cut after a
/// sentence end or a space where one is near: garble is local, and one unit's analysis
/// costs time and memory in proportion to its length once two flagged chars stand close
/// (a 100 MB line without a newline took 12.5 s and 780 MB in one piece per window,
/// 1.1 s and 195 MB in 16 KiB pieces). Lines up to 16 KiB (the longest review in the
/// bench files is 14.5 KB) are judged whole, as before. A piece end that falls inside a
/// long run of garble without a space leaves the char there unrepaired (4 KiB pieces did
/// that to one 5.4 KB review).
const MAX_UNIT: usize = 16 << 10;

/// Where to end a piece of a long line that starts at `start`: after the last `。！？`
/// or space in the piece's last quarter, else at the last char boundary.
fn unit_end(text: &str, start: usize, end: usize) -> usize {
    let b = text.as_bytes();
    let mut cut = (start + MAX_UNIT).min(end);
    if cut == end {
        return end;
    }
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let floor = cut - MAX_UNIT / 4;
    let mut i = cut;
    while i > floor {
        match b[i - 1] {
            b' ' => return i,
            // 。 E3 80 82, ！ EF BC 81, ？ EF BC 9F.
            0x82 if b[..i].ends_with(&[0xE3, 0x80, 0x82]) => return i,
            0x81 | 0x9F if b[..i - 1].ends_with(&[0xEF, 0xBC]) => return i,
            _ => i -= 1,
        }
    }
    cut
}

impl Repairer {
    fn repair_unit(&self, start: usize, unit: &str, flags: u8, doc: &mut Doc, out: &mut Edits) {
        let repairs = analyze(unit, flags, 0, Some(&doc.mojibake));
        for r in &repairs {
            if let Some(&h) = r.hyps.first() {
                doc.mojibake.repaired[h] = doc.mojibake.repaired[h].saturating_add(1);
            }
        }
        self.emit(start, unit, &repairs, out);
    }

    /// A line longer than `MAX_UNIT`: its pieces (see `unit_end`), each judged like a
    /// long line.
    fn long_line(&self, text: &str, line: Range<usize>, doc: &mut Doc, out: &mut Edits) {
        let t = triggers::table();
        let mut start = line.start;
        while start < line.end {
            let end = unit_end(text, start, line.end);
            let unit = &text[start..end];
            let flags = hot_flags_from(t, unit, 0..unit.len(), false);
            if flags != 0 {
                self.repair_unit(start, unit, flags, doc, out);
            }
            start = end;
        }
    }
}

/// Whether the line ending at `line_end` that holds byte `at` is at most `SHORT_LINE`
/// bytes long, given that a line starts at `from` (<= `at`). Looks back a few bytes at
/// most, not to the start of the line.
fn line_is_short(bytes: &[u8], from: usize, at: usize, line_end: usize) -> bool {
    line_end - at <= SHORT_LINE && {
        // Short when the line starts at `min_start` or later.
        let min_start = line_end.saturating_sub(SHORT_LINE);
        min_start <= from || memchr::memrchr(b'\n', &bytes[min_start - 1..at]).is_some()
    }
}

/// Repair a string on its own (all layers), for tests and tools. Lossy spans are marked.
pub fn repair_str(text: &str) -> String {
    let reps = find_repairs(text, None);
    let mut s = String::with_capacity(text.len());
    let mut pos = 0;
    for r in &reps {
        s.push_str(&text[pos..r.range.start]);
        s.push_str(&r.output());
        pos = r.range.end;
    }
    s.push_str(&text[pos..]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line longer than `MAX_UNIT` is judged in pieces: garble in it is repaired as on
    /// a line of its own, wherever it falls, and the clean rest stays as it is.
    #[test]
    fn long_lines_are_judged_in_pieces() {
        let st = Repairer {
            options: super::super::RepairOptions::default(),
        };
        let clean = "看过了草房子之后，我又开始了新的阅读，让我数次潸然落泪的就是这本书。";
        let garbled = "Please see 搴斿鐗规畩鏃舵湡鐨勫簲鎬ョ墿璧勬竻鍗晇1.2.pdf attached.";
        let (alone, _) = crate::stage::run_stage(&st, garbled);
        assert_ne!(alone, garbled);
        // The garble before, across and after piece ends, in lines of 1 to 5 pieces.
        for reps in [1usize, 160, 161, 162, 170, 330, 700] {
            let before = clean.repeat(reps);
            let line = format!("{before}{garbled}{before}{garbled}\n");
            assert!(reps < 160 || line.len() > MAX_UNIT);
            let (out, _) = crate::stage::run_stage(&st, &line);
            assert_eq!(out, format!("{before}{alone}{before}{alone}\n"), "{reps}");
        }
    }

    #[test]
    fn long_line_pieces_end_after_a_sentence() {
        let text = "我们去了公园。".repeat(8000);
        let mut start = 0;
        while start < text.len() {
            let end = unit_end(&text, start, text.len());
            assert!(end > start && end - start <= MAX_UNIT && text.is_char_boundary(end));
            assert!(end == text.len() || text[..end].ends_with('。'), "{end}");
            start = end;
        }
        // Without a sentence end or space, at a char boundary.
        let text = "我".repeat(20000);
        let end = unit_end(&text, 0, text.len());
        assert!(text.is_char_boundary(end) && MAX_UNIT - end < 3);
    }

    #[test]
    fn utf8_as_gbk_in_english() {
        let s = "Please see 搴斿鐗规畩鏃舵湡鐨勫簲鎬ョ墿璧勬竻鍗晇1.2.pdf attached.";
        let r = repair_str(s);
        assert_eq!(
            r,
            "Please see 应\u{FFFD}特殊时期的应急物资清单v1.2.pdf attached."
        );
    }

    #[test]
    fn utf8_as_cp1252() {
        assert_eq!(repair_str("ä¸\u{AD}æ–‡"), "中文");
    }

    #[test]
    fn clean_text_unchanged() {
        for s in [
            "简体中文，English, 123.",
            "繁體中文的測試，沒有問題。",
            "日本語のテキストです。",
            "한국어 텍스트입니다.",
            "Café au lait, naïve résumé, Müller.",
        ] {
            assert_eq!(repair_str(s), s, "{s}");
        }
    }

    #[test]
    fn clean_text_next_to_garble_is_left_alone() {
        // `拼` is C6 B4 in GBK, `ƴ` in UTF-8; `zhōng` in GBK read as Big5 is `zh身ng`.
        for (s, want) in [
            (
                "鍙戝睍闋\u{e162}\u{e06b} 拼音：zhōng guó，nǐ hǎo",
                "发展頭髮 拼音：zhōng guó，nǐ hǎo",
            ),
            (
                "鍙戝睍闋\u{e162}\u{e06b}鈥濆紶鐜\u{e1bb}咕 zhōng guózhōng guó",
                "发展頭髮”张玮乾 zhōng guózhōng guó",
            ),
        ] {
            assert_eq!(repair_str(s), want, "{s}");
        }
    }

    #[test]
    fn one_layer_over_the_whole_span_beats_two_over_a_part() {
        // UTF-8 read as cp1252: `表示 nǐ hǎo`. Cleaning once must finish the job.
        for (s, want) in [
            ("è¡¨ç¤º\tnÇ\u{90} hÇŽo", "表示\tnǐ hǎo"),
            ("è¡¨ç¤º nÇ\u{90} hÇŽo", "表示 nǐ hǎo"),
        ] {
            assert_eq!(repair_str(s), want, "{s}");
            assert_eq!(repair_str(want), want);
        }
    }

    #[test]
    fn chars_lost_before_do_not_sink_a_repair() {
        // UTF-8 `价格 ¥100` read as Big5, then text whose chars an earlier decoder lost.
        let s = "隞瑟聢 瞼100n\u{FFFD} h\u{FFFD}o\u{FFFD}\u{FFFD}\u{FFFD}";
        let want = "价格 ¥100n\u{FFFD} h\u{FFFD}o\u{FFFD}\u{FFFD}\u{FFFD}";
        assert_eq!(repair_str(s), want);
    }

    #[test]
    fn clean_hanzi_at_the_edge_of_garble_stay() {
        // UTF-8 read as GBK next to clean text whose GBK bytes are a two-byte UTF-8 char
        // (硬 D3 B2 is Ӳ, 希 CF A3 is ϣ, 偶 C5 BC is ż) or a broken one.
        for (s, garble_fixed, clean) in [
            ("按鍵很硬 寤鸿\u{e19b}鍏ヤ綇鐨勪汉", "入住的人", "按鍵很硬 "),
            ("澶╋紝濂\u{FFFD}希望京东能提供驱动碟", "天，", "希望京东"),
            (
                "鐢佃剳鐨勪紭鐐瑰湪浜庢寔：也许是偶太老了。",
                "电脑的优点在于持",
                "：也许是偶太老了。",
            ),
        ] {
            let out = repair_str(s);
            assert!(
                out.contains(garble_fixed) && out.contains(clean),
                "{s} -> {out}"
            );
        }
    }

    #[test]
    fn short_ambiguous_strings_are_left_alone() {
        for s in ["鐨", "涓", "Ã", "ä", "锟", "中文鐨", "ㄛ"] {
            assert_eq!(repair_str(s), s, "{s}");
        }
    }

    #[test]
    fn layers_and_lossy_bytes() {
        // UTF-8 read as GBK, then that read as cp1252.
        let once: String = "鏂囦欢鍚嶏細娴嬭瘯".to_owned();
        let twice: String = {
            let b = once.as_bytes();
            b.iter()
                .map(|&x| {
                    if (0x80..0xA0).contains(&x) {
                        codec::CP1252_HIGH[(x - 0x80) as usize]
                    } else {
                        x as char
                    }
                })
                .collect()
        };
        assert_eq!(repair_str(&twice), "文件名：测试");
        // 、 is E3 80 81: a decoder that rejects 0x80 leaves U+FFFD, restored from context.
        assert_eq!(repair_str("鍥涖\u{FFFD}佺粍濂藉洟"), "四、组好团");
        // A lost last byte before ASCII stays marked.
        assert_eq!(repair_str("鍙傝€冩枃鐚?"), "参考文\u{FFFD}");
        assert_eq!(repair_str("x 锟斤拷 y"), "x \u{FFFD}\u{FFFD} y");
    }

    /// The plain per-char walk that `hot_flags` replaces.
    fn hot_flags_plain(t: &triggers::Table, line: &str) -> u8 {
        let mut st = HotState {
            all: 0,
            hot: 0,
            last: [usize::MAX; 3],
        };
        for (i, c) in line.char_indices() {
            let f = t.get(c);
            if f != 0 {
                st.note(f, i);
            }
        }
        if line.len() <= 48 {
            st.all
        } else {
            st.hot
        }
    }

    #[test]
    fn hot_flags_matches_the_plain_walk() {
        let t = triggers::table();
        let mut texts = case_inputs();
        texts.push(
            "中文鐨中文鐨中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文鐨鐨".into(),
        );
        texts
            .push("ｱ中文中文中文ｱ中文中文中文中文中文中文中文中文中文中文中文中文中文中文ä".into());
        for text in &texts {
            for line in text.split_inclusive('\n') {
                assert_eq!(hot_flags(t, line), hot_flags_plain(t, line), "{line}");
            }
        }
    }

    #[test]
    fn line_is_short_matches_the_line_length() {
        let mut text = String::new();
        for n in 40..60 {
            text.push_str(&"x".repeat(n));
            text.push('\n');
            text.push_str(&"中".repeat(n / 3));
            text.push_str(&"y".repeat(n % 3));
            text.push('\n');
        }
        let b = text.as_bytes();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let end = start + line.len();
            for from in [0, start] {
                for (at, _) in line.char_indices() {
                    let got = line_is_short(b, from, start + at, end);
                    assert_eq!(
                        got,
                        line.len() <= SHORT_LINE,
                        "{line:?} at {at} from {from}"
                    );
                }
            }
            start = end;
        }
        // The last line without a newline, and a text that is one short line.
        assert!(line_is_short(b"ab", 0, 1, 2));
        assert!(!line_is_short(&[b'a'; 60], 0, 30, 60));
    }

    /// Inputs of the mojibake cases (damaged and clean).
    fn case_inputs() -> Vec<String> {
        let mut texts = Vec::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/mojibake");
        for f in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let Ok(s) = std::fs::read_to_string(f.path()) else {
                continue;
            };
            if let Ok(v) = serde_json::from_str::<Vec<serde_json::Value>>(&s) {
                texts.extend(
                    v.iter()
                        .filter_map(|c| c["input"].as_str().map(str::to_owned)),
                );
            }
        }
        assert!(texts.len() > 20);
        texts
    }

    /// `opens` is the plain "any trigger with a quick start in the six chars before it".
    #[test]
    fn opens_matches_the_plain_scan() {
        let naive = |text: &str, h: Hyp| {
            let t = triggers::table();
            text.char_indices().any(|(i, c)| {
                t.get(c) & h.flags != 0
                    && text[..i]
                        .char_indices()
                        .rev()
                        .take(6)
                        .map(|(j, _)| j)
                        .chain(std::iter::once(i))
                        .any(|j| quick(text, j, h))
            })
        };
        let mut texts: Vec<String> = [
            "ä¸\u{AD}æ–‡çš„ and ÖÐÎÄÎÄ¼þ",
            "鏂囦欢鍚嶏細娴嬭瘯.txt 鍥涖\u{FFFD}佺粍濂藉洟",
            "我已時值21歲“高齡”，買這本書是很偶然的，但看一次就感動一次",
            "屏幕上一点点小瑕疵，可以忽略；喃喃自语 x 锟斤拷 y",
            "ｱｲｳ 繁體ㄛ中文 \u{E000}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.extend(case_inputs());
        let mut sc = Scratch::default();
        for text in &texts {
            for line in text.split_inclusive('\n') {
                for h in HYPS {
                    assert_eq!(opens(line, h, &mut sc), naive(line, h), "{line}");
                }
            }
        }
    }

    #[test]
    fn every_repair_has_a_confidence_and_a_reason() {
        for s in ["ä¸\u{AD}æ–‡çš„", "ÖÐÎÄÎÄ¼þ", "鏂囦欢鍚嶏細娴嬭瘯.txt"]
        {
            let reps = find_repairs(s, None);
            assert!(!reps.is_empty(), "{s}");
            for r in reps {
                assert!(r.verdict.confidence > 0.5 && r.verdict.confidence <= 1.0);
                assert!(r.reason().contains(" read as "));
            }
        }
    }
}
