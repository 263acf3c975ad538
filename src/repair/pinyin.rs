//! Repair of the pinyin-annotation corruption (see the README, "Pinyin-annotation repair").
//!
//! A filter inserted `(pinyin)` after GBK byte pairs of Traditional characters, matching
//! raw bytes, so some insertions split a character (misfires). The bytes were then decoded
//! with a decoder that turns an invalid pair into one `?`, and fullwidth ASCII was folded.
//! Correct annotations are removed; each misfire is undone by rebuilding the GBK byte
//! stream around it, enumerating the bytes the `?` garbles hid, and letting the language
//! model pick the most likely decoding. Bytes that are truly lost stay `?` and are reported.

mod gbk;
mod syllable;

use crate::lm;
use crate::report::{ChangeKind, Edit, Edits};
use crate::stage::{DocState as Doc, Stage};
use gbk::{fold, is_lead, is_trail, Gbk};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;
use syllable::{is_reading, is_syllable_char, parse_annotation, parse_closed, seconds_reading};

pub use syllable::Syllable;

/// Annotations (or misfires) a document needs before `auto` mode repairs it.
const MIN_EVIDENCE: usize = 3;
/// In `auto` mode without any misfire, the share of the occurrences of annotated
/// characters that carry the annotation (the filter annotates every occurrence).
const MIN_CONSISTENCY: f64 = 0.8;
/// Search steps allowed per garble before giving up on it.
const STEP_BUDGET: usize = 60_000;
/// A misaligned reading longer than this is dropped (real runs end at the first ASCII
/// byte or low trail byte; this bounds the search on long all-Chinese paragraphs).
const MAX_MISALIGNED: u16 = 512;
/// ASCII chars a path may read as folded fullwidth forms.
const MAX_FULLWIDTH: u8 = 3;
/// Chars per lead byte considered for a trail nothing constrains (out of ~190).
const FREQUENT_TRAILS: usize = 64;
/// Candidate chars kept for a garble whose second byte is lost (out of ~190).
const LOST_KEEP: usize = 12;
/// Candidates kept per end position when paths of different lengths are compared.
const KEEP_PER_END: usize = 4;
/// Chars of context on each side when scoring candidates: the model is a bigram model,
/// so one char on each side decides between candidates of the same span.
const CONTEXT: usize = 1;

/// Per-document state: the signature evidence seen so far (carried across chunks).
#[derive(Debug, Default)]
pub struct DocState {
    active: bool,
    annotations: usize,
    misfires: usize,
    unannotated: usize,
}

impl DocState {
    /// True once the document has shown the corruption's signature.
    pub fn active(&self) -> bool {
        self.active
    }
}

#[derive(Debug, Default)]
pub struct Repairer {
    pub options: super::RepairOptions,
}

impl Stage for Repairer {
    fn name(&self) -> &'static str {
        "pinyin"
    }

    fn apply(&self, text: &str, doc: &mut Doc, out: &mut Edits) {
        if self.options.pinyin == super::Toggle::Off || !may_be_damaged(text) {
            return;
        }
        let st = &mut doc.pinyin;
        if !st.active {
            let ev = evidence(text);
            st.annotations += ev.annotations;
            st.misfires += ev.misfires;
            st.unannotated += ev.unannotated;
            st.active = self.options.pinyin == super::Toggle::On || signature(st);
        }
        if st.active {
            repair(text, out);
        }
    }
}

/// Fast path: the corruption always leaves `(` + a pinyin letter, or a `?`.
pub fn may_be_damaged(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr2_iter(b'(', b'?', b)
        .any(|i| b[i] == b'?' || text[i + 1..].chars().next().is_some_and(is_syllable_char))
}

fn signature(st: &DocState) -> bool {
    let n = st.annotations + st.misfires;
    if n < MIN_EVIDENCE {
        return false;
    }
    if st.misfires > 0 {
        return true;
    }
    st.annotations as f64 / (st.annotations + st.unannotated) as f64 >= MIN_CONSISTENCY
}

struct Evidence {
    annotations: usize,
    misfires: usize,
    unannotated: usize,
}

/// Count annotations whose pinyin reads the char before them, and misfires (`?xué)`).
fn evidence(text: &str) -> Evidence {
    let b = text.as_bytes();
    let mut ev = Evidence {
        annotations: 0,
        misfires: 0,
        unannotated: 0,
    };
    let mut annotated = std::collections::HashSet::new();
    for i in memchr::memchr2_iter(b'(', b'?', b) {
        if b[i] == b'?' {
            if parse_closed(&text[i + 1..]).is_some() {
                ev.misfires += 1;
            }
            continue;
        }
        let Some((syl, _)) = parse_annotation(&text[i..]) else {
            continue;
        };
        // A doubled annotation reads the char before the first one. Only chars outside
        // GB2312 count: the filter annotated Traditional characters, while a textbook
        // annotating Simplified text (`学(xué)`) uses GB2312 ones.
        if let Some(c) = char_before(text, i) {
            if is_reading(c, &syl) && !in_gb2312(c) {
                ev.annotations += 1;
                annotated.insert(c);
            }
        }
    }
    if ev.misfires == 0 && !annotated.is_empty() {
        // Occurrences of annotated chars without an annotation.
        for (i, c) in text.char_indices() {
            if annotated.contains(&c) && !text[i + c.len_utf8()..].starts_with('(') {
                ev.unannotated += 1;
            }
        }
    }
    ev
}

/// True for a char of the GB2312 set (Simplified Chinese and common symbols).
fn in_gb2312(c: char) -> bool {
    match Gbk::get().encode(c) {
        Some([l, t]) => (0xA1..=0xF7).contains(&l) && (0xA1..=0xFE).contains(&t),
        None => false,
    }
}

/// The char before `j`, skipping annotations.
fn char_before(text: &str, mut j: usize) -> Option<char> {
    while text[..j].ends_with(')') {
        match text[..j].rfind('(') {
            Some(k) if parse_annotation(&text[k..]).is_some_and(|(_, n)| k + n == j) => j = k,
            _ => break,
        }
    }
    text[..j].chars().next_back()
}

/// One replacement a path makes, in input bytes.
#[derive(Debug, Clone)]
struct Piece {
    src: Range<usize>,
    out: String,
    lost: bool,
    /// A restored `&` or `<`: scored like a lost byte (the char model knows no markup).
    boundary: bool,
}

/// One way to read the damaged text from a misfire on.
#[derive(Debug, Clone)]
struct Path {
    pos: usize,
    /// The lead byte waiting for its trail while the decoding is misaligned.
    pending: Option<u8>,
    /// Last output char and the last byte of the rebuilt GBK stream.
    last: Option<(char, u8)>,
    pieces: Vec<Piece>,
    /// ASCII chars read as folded fullwidth forms so far (each is a guess).
    fullwidth: u8,
    /// Tokens read since the decoding went out of step.
    misaligned: u16,
}

impl Path {
    /// A misfire inside a misaligned run reads like an annotation of the char `c` that
    /// the decoder made of the matched pair: drop it.
    fn skip_annotations_of(&mut self, text: &str, c: char) {
        while let Some((syl, n)) = parse_annotation(&text[self.pos..]) {
            if !is_reading(c, &syl) {
                break;
            }
            self.fix(self.pos..self.pos + n, "");
            self.pos += n;
        }
    }

    fn fix(&mut self, src: Range<usize>, out: impl Into<String>) {
        self.pieces.push(Piece {
            src,
            out: out.into(),
            lost: false,
            boundary: false,
        });
    }
}

/// The last GBK byte of `c` as it stood in the damaged page. ASCII punctuation may have
/// been a fullwidth form (folded later), whose trail byte can start a misfire.
fn last_byte(c: char) -> Option<u8> {
    if c.is_ascii() {
        let b = c as u8;
        return Some(match b {
            b' ' => 0xA1,
            0x21..=0x7E => b | 0x80,
            _ => b,
        });
    }
    Gbk::get().encode(c).map(|[_, t]| t)
}

/// `&name;` or `&#123;` right after a swallowed byte: the byte was `&`.
fn entity_follows(rest: &str) -> bool {
    let b = rest.as_bytes();
    let n = b
        .iter()
        .take(12)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'#')
        .count();
    n >= 2 && b.get(n) == Some(&b';')
}

/// `/p>` or `br>` right after a swallowed byte: the byte was `<`.
fn tag_follows(rest: &str) -> bool {
    let b = rest.strip_prefix('/').unwrap_or(rest).as_bytes();
    let n = b
        .iter()
        .take(12)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    n >= 1 && b[0].is_ascii_alphabetic() && matches!(b.get(n), Some(b'>' | b' ' | b'/'))
}

struct Solver<'a> {
    text: &'a str,
    gbk: &'static Gbk,
    budget: usize,
    done: Vec<Path>,
}

impl Solver<'_> {
    /// Follow `p` until it is aligned again at or after `target`, branching on every
    /// unknown byte. Complete paths land in `self.done`.
    fn run(&mut self, mut p: Path, target: usize) {
        let text = self.text;
        let g = self.gbk;
        loop {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            let rest = &text[p.pos..];
            let Some(c) = rest.chars().next() else {
                if p.pending.is_none() {
                    self.done.push(p);
                }
                return;
            };
            let Some(l) = p.pending else {
                // Aligned: plain text, annotations, or a new misfire.
                p.misaligned = 0;
                if c == '(' {
                    if let Some((syl, n)) = parse_annotation(rest) {
                        if explained(text, p.pos, p.last, &syl) {
                            p.fix(p.pos..p.pos + n, "");
                            p.pos += n;
                            continue;
                        }
                    }
                }
                if p.pos >= target {
                    self.done.push(p);
                    return;
                }
                if c == '?' {
                    if let (Some((syl, n)), Some((_, b))) = (parse_closed(&rest[1..]), p.last) {
                        let span = p.pos..p.pos + 1 + n;
                        let xs: Vec<u8> = seconds_reading(b, &syl)
                            .into_iter()
                            .filter(|&x| is_lead(x))
                            .collect();
                        if !xs.is_empty() {
                            // The filter may have written the annotation twice.
                            let mut end = span.end;
                            while let Some((again, n)) = parse_annotation(&text[end..]) {
                                if again.text != syl.text {
                                    break;
                                }
                                end += n;
                            }
                            for x in xs {
                                let mut q = p.clone();
                                q.fix(span.start..end, "");
                                q.pos = end;
                                q.pending = Some(x);
                                self.run(q, target);
                            }
                            return;
                        }
                    }
                }
                p.last = last_byte(c).map(|b| (c, b));
                p.pos += c.len_utf8();
                continue;
            };
            // Misaligned: the next byte is the trail of `l`.
            if p.misaligned >= MAX_MISALIGNED {
                return;
            }
            p.misaligned += 1;
            let start = p.pos;
            if c == '?' {
                let after = start + 1;
                // A folded fullwidth `？` (a3 bf) read across the boundary.
                if let Some(ch) = g.decode(l, 0xA3).filter(|_| p.fullwidth < MAX_FULLWIDTH) {
                    let mut q = p.clone();
                    let ch = fold(ch);
                    q.fix(start..after, ch);
                    q.last = Some((ch, 0xA3));
                    q.pending = Some(0xBF);
                    q.fullwidth += 1;
                    q.pos = after;
                    self.run(q, target);
                }
                if let Some((syl, n)) = parse_closed(&text[after..]) {
                    // [trail, '('] then the char's own annotation.
                    for t in seconds_reading(l, &syl) {
                        if let Some(ch) = g.decode(l, t) {
                            let mut q = p.clone();
                            q.fix(start..after + n, fold(ch));
                            q.last = Some((ch, t));
                            q.pending = None;
                            q.pos = after + n;
                            self.run(q, target);
                        }
                    }
                    return;
                }
                // [trail, ASCII byte]: the ASCII byte is gone unless the context names it.
                let tail = &text[after..];
                // Any trail is possible: keep the ones the model likes after the char before.
                let lm = lm::Model::global();
                let prev = p.last.map(|(c, _)| c);
                let mut ts: Vec<(f64, u8, char)> = frequent_trails(l)
                    .iter()
                    .map(|&(t, ch)| (lm.cond_log_prob(prev, ch), t, ch))
                    .collect();
                if ts.len() > LOST_KEEP {
                    ts.select_nth_unstable_by(LOST_KEEP, |a, b| b.0.total_cmp(&a.0));
                    ts.truncate(LOST_KEEP);
                }
                for (_, t, ch) in ts {
                    let mut q = p.clone();
                    if tail.is_empty() {
                        q.fix(start..after, ch);
                        q.last = Some((ch, t));
                    } else if let Some(y) = entity_follows(tail)
                        .then_some('&')
                        .or(tag_follows(tail).then_some('<'))
                    {
                        q.fix(start..start, ch);
                        q.pieces.push(Piece {
                            src: start..after,
                            out: y.into(),
                            lost: false,
                            boundary: true,
                        });
                        q.last = Some((y, y as u8));
                    } else {
                        q.fix(start..start, ch);
                        q.pieces.push(Piece {
                            src: start..after,
                            out: "?".into(),
                            lost: true,
                            boundary: false,
                        });
                        q.last = Some(('?', b'?'));
                    }
                    q.pending = None;
                    q.pos = after;
                    self.run(q, target);
                }
                return;
            }
            let end = start + c.len_utf8();
            if c.is_ascii() {
                let b = c as u8;
                // The byte itself as the trail: aligned again.
                if (0x40..=0x7E).contains(&b) {
                    if let Some(ch) = g.decode(l, b) {
                        let mut q = p.clone();
                        let ch = fold(ch);
                        q.fix(start..end, format!("{ch}"));
                        q.last = Some((ch, b));
                        q.pending = None;
                        q.pos = end;
                        self.run(q, target);
                    }
                }
                // A folded fullwidth form: still misaligned.
                let fw = match b {
                    b' ' => Some([0xA1, 0xA1]),
                    0x21..=0x7E => Some([0xA3, b | 0x80]),
                    _ => None,
                };
                // Not for the `(` of an annotation, and only a few times per path.
                if p.fullwidth >= MAX_FULLWIDTH || parse_annotation(&text[start..]).is_some() {
                    return;
                }
                let Some([f0, f1]) = fw else { return };
                let Some(ch) = g.decode(l, f0) else { return };
                let ch = fold(ch);
                p.fix(start..end, ch);
                p.last = Some((ch, f0));
                p.pending = Some(f1);
                p.fullwidth += 1;
                p.pos = end;
                continue;
            }
            if c == '€' {
                let Some(ch) = g.decode(l, 0x80) else { return };
                let ch = fold(ch);
                p.fix(start..end, ch);
                p.last = Some((ch, 0x80));
                p.pending = None;
                p.pos = end;
                continue;
            }
            // A two-byte char read across the boundary of two real ones.
            let Some([p0, q0]) = g.encode(c) else { return };
            let Some(ch) = g.decode(l, p0) else { return };
            let ch = fold(ch);
            if q0 < 0x80 {
                // Its second byte was an ASCII char of the page: aligned again.
                p.fix(start..end, format!("{ch}{}", q0 as char));
                p.last = Some((q0 as char, q0));
                p.pending = None;
                p.pos = end;
                p.skip_annotations_of(text, c);
                continue;
            }
            if !is_lead(q0) {
                return;
            }
            p.fix(start..end, ch);
            p.last = Some((ch, p0));
            p.pending = Some(q0);
            p.pos = end;
            p.skip_annotations_of(text, c);
        }
    }
}

/// For each lead byte, the trails of its most frequent chars (by the model's unigram
/// probability), most frequent first: the candidates for a trail nothing constrains.
fn frequent_trails(lead: u8) -> &'static [(u8, char)] {
    static T: OnceLock<Vec<Vec<(u8, char)>>> = OnceLock::new();
    let t = T.get_or_init(|| {
        let g = Gbk::get();
        let lm = lm::Model::global();
        (0..=0xFFu8)
            .map(|l| {
                if !is_lead(l) {
                    return Vec::new();
                }
                let mut v: Vec<(f64, u8, char)> = (0x40..=0xFE)
                    .filter(|&t| is_trail(t))
                    .filter_map(|t| g.decode(l, t).map(|ch| (t, fold(ch))))
                    .map(|(t, ch)| (lm.unigram_log_prob(ch), t, ch))
                    .collect();
                v.sort_by(|a, b| b.0.total_cmp(&a.0));
                v.truncate(FREQUENT_TRAILS);
                v.into_iter().map(|(_, t, ch)| (t, ch)).collect()
            })
            .collect()
    });
    &t[usize::from(lead)]
}

/// The text a path produces over `start..p.pos`, and where its first lost byte is.
fn path_text(text: &str, start: usize, p: &Path, s: &mut String) -> Option<usize> {
    let mut pos = start;
    let mut lost = None;
    for pc in &p.pieces {
        s.push_str(&text[pos..pc.src.start]);
        if (pc.lost || pc.boundary) && lost.is_none() {
            lost = Some(s.len());
        }
        s.push_str(&pc.out);
        pos = pc.src.end;
    }
    s.push_str(&text[pos..p.pos]);
    lost
}

/// ASCII bytes a `?` garble commonly swallowed; a candidate is scored with the most
/// likely of them (the output keeps the `?`).
const SWALLOWED: &[char] = &[
    '\n', ',', '.', '!', '?', ' ', ':', ';', '1', '2', '0', '5', ')', '"',
];

/// Up to `n` chars before `pos`, annotations skipped.
fn context_before(text: &str, pos: usize, n: usize) -> String {
    let mut from = pos.saturating_sub(16 * n);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let mut s = strip_annotations(&text[from..pos]);
    let k = s.chars().count();
    if k > n {
        let cut = s.char_indices().nth(k - n).map_or(0, |(i, _)| i);
        s.drain(..cut);
    }
    s
}

/// Up to `n` chars after `pos`, annotations skipped.
fn context_after(text: &str, pos: usize, n: usize) -> String {
    let mut to = (pos + 16 * n).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    strip_annotations(&text[pos..to]).chars().take(n).collect()
}

fn strip_annotations(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == '(' {
            if let Some((_, n)) = parse_annotation(&s[i..]) {
                i += n;
                continue;
            }
        }
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// ln P(line ends | char): the model is trained line by line and knows no line ends,
/// while a swallowed newline after sentence-final punctuation is the most common loss in
/// paragraph text.
fn line_end_log_prob(c: Option<char>) -> f64 {
    match c {
        Some('。' | '！' | '？' | '!' | '?' | '.' | '…' | '”' | '」' | '』' | '~' | ')') => {
            -0.7
        }
        _ => -5.0,
    }
}

/// Evidence against a candidate that a char model may not see: private-use chars, and
/// annotations left unexplained.
fn penalty(s: &str) -> f64 {
    let pua = s
        .chars()
        .filter(|c| ('\u{E000}'..='\u{F8FF}').contains(c))
        .count();
    let ann = s
        .match_indices('(')
        .filter(|(i, _)| parse_annotation(&s[*i..]).is_some())
        .count();
    8.0 * pua as f64 + 8.0 * ann as f64
}

/// The best reading of the misfire at `start`, scored by the language model.
fn solve(text: &str, start: usize, last: Option<(char, u8)>) -> Option<(Path, usize, f64)> {
    let mut s = Solver {
        text,
        gbk: Gbk::get(),
        budget: STEP_BUDGET,
        done: Vec::new(),
    };
    let first = Path {
        pos: start,
        pending: None,
        last,
        pieces: Vec::new(),
        fullwidth: 0,
        misaligned: 0,
    };
    let lm = lm::Model::global();
    let left = context_before(text, start, CONTEXT);
    let mut cand = String::new();
    let mut after_y: HashMap<Option<char>, Vec<f64>> = HashMap::new();
    let mut score = |p: &Path, right: &str| -> f64 {
        cand.clear();
        cand.push_str(&left);
        let lost = path_text(text, start, p, &mut cand);
        cand.push_str(right);
        match lost {
            None => lm.log_prob(&cand) - penalty(&cand),
            Some(k) => {
                // Sum over the likely swallowed bytes; only the two bigrams around the
                // byte depend on it.
                let (a, b) = (&cand[..k], &cand[k + 1..]);
                let pen = penalty(a) + penalty(b);
                let (a_last, b_first) = (a.chars().next_back(), b.chars().next());
                let after_y = after_y.entry(b_first).or_insert_with(|| {
                    SWALLOWED
                        .iter()
                        .map(|&y| b_first.map_or(0.0, |c| lm.cond_log_prob(Some(y), c)))
                        .collect::<Vec<f64>>()
                });
                let ys: Vec<f64> = SWALLOWED
                    .iter()
                    .zip(after_y.iter())
                    .map(|(&y, ay)| {
                        let before = if y == '\n' {
                            line_end_log_prob(a_last)
                        } else {
                            lm.cond_log_prob(a_last, y)
                        };
                        before + ay
                    })
                    .collect();
                let m = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let rest = b_first.map_or(0.0, |c| lm.log_prob_after(Some(c), &b[c.len_utf8()..]));
                lm.log_prob(a) + m + ys.iter().map(|y| (y - m).exp()).sum::<f64>().ln() + rest - pen
            }
        }
    };
    // Each path stops where it is aligned again. Paths that stop at different places are
    // made comparable by extending the best few of each place to the farthest one.
    s.run(first, start + 1);
    let n = s.done.len();
    for _ in 0..4 {
        let far = s.done.iter().map(|p| p.pos).max()?;
        if s.done.iter().all(|p| p.pos == far) {
            break;
        }
        let mut per_end: HashMap<usize, usize> = HashMap::new();
        for p in &s.done {
            *per_end.entry(p.pos).or_default() += 1;
        }
        let mut scored: Vec<(usize, f64, Path)> = s
            .done
            .drain(..)
            .map(|p| {
                // Only ends with more paths than are kept need a score.
                let sc = if per_end[&p.pos] > KEEP_PER_END {
                    score(&p, &context_after(text, p.pos, CONTEXT))
                } else {
                    0.0
                };
                (p.pos, sc, p)
            })
            .collect();
        scored.sort_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)));
        let mut kept = 0;
        let mut at = usize::MAX;
        s.budget = STEP_BUDGET;
        for (pos, _, p) in scored {
            if pos != at {
                at = pos;
                kept = 0;
            }
            kept += 1;
            if kept > KEEP_PER_END {
                continue;
            }
            if pos == far {
                s.done.push(p);
            } else {
                s.run(p, far);
            }
        }
    }
    let far = s.done.iter().map(|p| p.pos).max()?;
    s.done.retain(|p| p.pos == far);
    if s.done.len() == 1 {
        return s.done.pop().map(|p| (p, n, f64::INFINITY));
    }
    let right = context_after(text, far, CONTEXT);
    let mut best: Option<(f64, Path)> = None;
    let mut second = f64::NEG_INFINITY;
    for p in s.done.drain(..).filter(|p| p.pos == far) {
        let score = score(&p, &right);
        match &best {
            Some((b, _)) if score <= *b => second = second.max(score),
            _ => {
                if let Some((b, _)) = &best {
                    second = second.max(*b);
                }
                best = Some((score, p));
            }
        }
    }
    let (b, p) = best?;
    Some((p, n, b - second))
}

/// True when the annotation at `i` was inserted by the filter after `prev`.
fn explained(text: &str, i: usize, prev: Option<(char, u8)>, syl: &Syllable<'_>) -> bool {
    prev.is_some_and(|(c, _)| is_reading(c, syl)) || ascii_misfire(text, i, prev, syl)
}

/// `P(chǎn)` after a Chinese char: the filter matched [trail of that char, `P`], a pair
/// that reads `chǎn`, and wrote its pinyin after the ASCII letter. Nothing was garbled.
fn ascii_misfire(text: &str, i: usize, prev: Option<(char, u8)>, syl: &Syllable<'_>) -> bool {
    let Some((c, _)) = prev else { return false };
    if !matches!(c, '\x40'..='\x7E') || !text[..i].ends_with(c) {
        return false;
    }
    let b = c as u8;
    let Some(t) = char_before(text, i - 1).and_then(last_byte) else {
        return false;
    };
    is_lead(t)
        && Gbk::get()
            .decode(t, b)
            .is_some_and(|ch| is_reading(ch, syl))
}

/// Record the repairs of `text` (the signature is known to be present).
fn repair(text: &str, out: &mut Edits) {
    let b = text.as_bytes();
    // Where the previous output char differs from the text (after a removal or a rebuild).
    let mut virt: Option<(usize, (char, u8))> = None;
    let mut skip_to = 0;
    for i in memchr::memchr2_iter(b'(', b'?', b) {
        if i < skip_to {
            continue;
        }
        let prev = match virt {
            Some((at, v)) if at == i => Some(v),
            _ => text[..i]
                .chars()
                .next_back()
                .and_then(|c| last_byte(c).map(|b| (c, b))),
        };
        if b[i] == b'(' {
            let Some((syl, n)) = parse_annotation(&text[i..]) else {
                continue;
            };
            if explained(text, i, prev, &syl) {
                out.replace(i..i + n, "", 0.99, "pinyin annotation removed");
                virt = prev.map(|v| (i + n, v));
                skip_to = i + n;
            }
            continue;
        }
        if parse_closed(&text[i + 1..]).is_none() {
            continue;
        }
        let Some((path, n, margin)) = solve(text, i, prev) else {
            continue;
        };
        let conf = if n <= 1 {
            0.99
        } else {
            (1.0 / (1.0 + (-margin).exp())).clamp(0.5, 0.99) as f32
        };
        let reason = format!(
            "rebuilt the GBK bytes around a misplaced pinyin annotation ({n} candidate reading{})",
            if n == 1 { "" } else { "s" }
        );
        emit(&path, conf, &reason, out);
        virt = path.last.map(|v| (path.pos, v));
        skip_to = path.pos;
    }
}

/// Turn a path's pieces into edits: adjacent fixes merge, losses stay separate.
fn emit(p: &Path, conf: f32, reason: &str, out: &mut Edits) {
    let mut cur: Option<(Range<usize>, String)> = None;
    let flush = |cur: &mut Option<(Range<usize>, String)>, out: &mut Edits| {
        if let Some((r, s)) = cur.take() {
            out.replace(r, s, conf, reason.to_owned());
        }
    };
    for pc in &p.pieces {
        if pc.lost {
            flush(&mut cur, out);
            out.push(Edit {
                range: pc.src.clone(),
                replacement: pc.out.clone(),
                confidence: 1.0,
                kind: ChangeKind::Unrecoverable,
                reason: "a byte of the page was swallowed into this `?` by the pinyin \
                         corruption; it cannot be known"
                    .into(),
            });
            continue;
        }
        match &mut cur {
            Some((r, s)) if r.end == pc.src.start => {
                r.end = pc.src.end;
                s.push_str(&pc.out);
            }
            _ => {
                flush(&mut cur, out);
                cur = Some((pc.src.clone(), pc.out.clone()));
            }
        }
    }
    flush(&mut cur, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repair::{RepairOptions, Toggle};

    fn run(text: &str, mode: Toggle) -> String {
        let r = Repairer {
            options: RepairOptions {
                pinyin: mode,
                ..RepairOptions::default()
            },
        };
        crate::stage::run_stage(&r, text).0
    }

    #[test]
    fn removes_annotations() {
        let t = "九三學(xué)社認(rèn)真落實(shí)。黨(dang)(dang)的";
        assert_eq!(run(t, Toggle::Auto), "九三學社認真落實。黨的");
    }

    #[test]
    fn euro_trail() {
        let t = "九三學(xué)社認(rèn)真。這次購書有些失望。我還(hái)沒有看到書";
        let g = Gbk::get();
        let _ = g;
        assert_eq!(
            run(t, Toggle::Auto),
            "九三學社認真。這次購書有些失望。我還沒有看到書"
        );
    }

    #[test]
    fn rebuilds_forced_misfires() {
        let t = "九三學(xué)社認(rèn)真,勇于擔(dān)當(dāng)?shù)臒o疆大愛";
        assert_eq!(run(t, Toggle::Auto), "九三學社認真,勇于擔當的無疆大愛");
        let t = "九三學(xué)社認(rèn)真《杭州日?qǐng)?bào)》";
        assert_eq!(run(t, Toggle::Auto), "九三學社認真《杭州日報》");
        let t = "九三學(xué)社認(rèn)真領(lǐng)域?qū)<液推髽I(yè)家";
        assert_eq!(run(t, Toggle::Auto), "九三學社認真領域專家和企業家");
    }

    #[test]
    fn clean_text_untouched() {
        for t in [
            "這是學(xué)生寫的(並不多)。",
            "他說(shuō)了一句",
            "為什麼?不知道(wo)",
            "plain ascii (text) ?",
        ] {
            assert_eq!(run(t, Toggle::Auto), t);
        }
        assert!(!may_be_damaged("中文(中文)和 (1) 什麼"));
        assert!(may_be_damaged("學(xué)"));
    }

    #[test]
    fn off_means_off() {
        let t = "學(xué)學(xué)學(xué)";
        assert_eq!(run(t, Toggle::Off), t);
        assert_eq!(run(t, Toggle::Auto), "學學學");
    }
}
