//! Unify inconsistent spellings of one person's name within a document.
//!
//! A person named 朱佳清 three times and 朱家清 once is one person with a typo: the two
//! forms differ in one character, and 佳/家 read the same (jiā). The stage works in four
//! steps over the whole document:
//!
//! 1. **Candidates**: every surname (single or compound, `data/names/surnames.txt`)
//!    followed by a 1–2 character given name is counted, in one cheap pass.
//! 2. **Variants**: two candidates of the same length that differ in exactly one character,
//!    where the two characters share a toneless pinyin reading (pinyin-IME slips) or are a
//!    known visually confusable pair (OCR slips: 己/已, 未/末 ...).
//! 3. **Names, not words**: a candidate that is an ordinary word (高兴, 王国, 权力; from the
//!    jieba dictionary) or whose given part holds a function character (王明说) is not a name;
//!    when a 2-char candidate is mostly followed by one character, the name is the longer
//!    form (朱佳 → 朱佳清). A group needs context cues (a title before: 社员, 记者; a verb
//!    after: 说, 表示; `、` enumerations; quotes and 《》) to count as a person's name.
//! 4. **Decision**: the dominant form wins only when it clearly dominates (≥ 2
//!    occurrences, more than every variant, and a variant seen more than once needs at least
//!    three times its count). Two forms in one sentence, or with different titles, are two people.
//!    Everything else that looks like a name pair is reported as `suspect` and left alone.
//!
//! `--names-file` canonical names always win; explicit `variant<TAB>canonical` pairs are
//! replaced everywhere. `--names report` reports the fixes as suspects, changing nothing.

use crate::report::{ChangeKind, Edit, Edits};
use crate::stage::{DocState as Doc, Stage};
use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::ops::Range;
use tables::{
    bit_get, features, is_han, same_char, similar, tables, Fx, FxHasher, KeyMap, Tables, Word,
};

mod tables;

/// `--names auto|report|off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NamesMode {
    /// Unify clear cases, report the rest.
    #[default]
    Auto,
    /// Report only, change nothing.
    Report,
    Off,
}

impl std::str::FromStr for NamesMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(NamesMode::Auto),
            "report" => Ok(NamesMode::Report),
            "off" => Ok(NamesMode::Off),
            _ => Err(format!("expected auto, report or off, not `{s}`")),
        }
    }
}

/// Options of the names stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamesOptions {
    pub mode: NamesMode,
    /// Canonical names that always win.
    pub canonical: Vec<String>,
    /// Explicit `variant -> canonical` pairs.
    pub variants: Vec<(String, String)>,
}

/// Per-document state: the edits planned by `observe` for the text it saw.
#[derive(Debug, Default)]
pub struct DocState {
    plan: Option<Plan>,
}

#[derive(Debug)]
struct Plan {
    /// Length and a cheap fingerprint of the observed text, so `apply` on another text
    /// (a stream window without `observe`) plans afresh instead of using stale offsets.
    len: usize,
    fingerprint: u64,
    edits: Vec<Edit>,
}

#[derive(Debug, Default)]
pub struct Unifier {
    pub options: NamesOptions,
}

impl Stage for Unifier {
    fn name(&self) -> &'static str {
        "names"
    }

    fn apply(&self, text: &str, doc: &mut Doc, out: &mut Edits) {
        if self.options.mode == NamesMode::Off {
            return;
        }
        let edits = match doc.names.plan.take() {
            Some(p) if p.len == text.len() && p.fingerprint == fingerprint(text) => p.edits,
            _ => self.plan(text),
        };
        // Pushed in order, `Edits` appends; out of order, it inserts (moving the rest).
        // Disjoint edits land the same either way.
        if sorted_disjoint(&edits).is_some() {
            let mut edits = edits;
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            for e in edits {
                out.push(e);
            }
        } else {
            for e in edits {
                out.push(e);
            }
        }
    }

    fn observe(&self, text: &str, doc: &mut Doc) {
        if self.options.mode == NamesMode::Off {
            return;
        }
        doc.names.plan = Some(Plan {
            len: text.len(),
            fingerprint: fingerprint(text),
            edits: self.plan(text),
        });
    }

    fn observe_owned(&self, text: &mut String, doc: &mut Doc) {
        if self.options.mode == NamesMode::Off {
            return;
        }
        let edits = self.plan_doc(&mut DocText::Owned(text));
        doc.names.plan = Some(Plan {
            len: text.len(),
            fingerprint: fingerprint(text),
            edits,
        });
    }

    fn needs_whole_document(&self) -> bool {
        true
    }
}

/// The edits sorted by position, when no two overlap (then their order does not matter).
fn sorted_disjoint(edits: &[Edit]) -> Option<Vec<&Edit>> {
    let mut v: Vec<&Edit> = edits.iter().collect();
    v.sort_by_key(|e| (e.range.start, e.range.end));
    v.windows(2)
        .all(|w| w[0].range.end <= w[1].range.start && !w[1].range.is_empty())
        .then_some(v)
}

fn fingerprint(text: &str) -> u64 {
    let b = text.as_bytes();
    let mut h = FxHasher::default();
    h.write(&b[..b.len().min(64)]);
    h.write(&b[b.len().saturating_sub(64)..]);
    h.finish()
}

/// The document a plan is for: borrowed, or owned by the pipeline, which lets the later
/// rounds of `settle` fix it in place (and undo that) instead of copying it.
enum DocText<'t> {
    Shared(&'t str),
    Owned(&'t mut String),
}

impl DocText<'_> {
    fn as_str(&self) -> &str {
        match self {
            DocText::Shared(t) => t,
            DocText::Owned(t) => t,
        }
    }
}

/// Every fix keeps its byte length (all rounds then share one coordinate system).
fn same_len(es: &[Edit]) -> bool {
    es.iter()
        .all(|e| e.kind != ChangeKind::Fix || e.replacement.len() == e.range.len())
}

/// Put back the old texts of same-length fixes (`undo`, in the order applied): last
/// fix first, as fixes of later rounds may overlap earlier ones.
fn undo_fixes(cur: &mut String, undo: &mut Vec<(Range<usize>, String)>) {
    for (r, old) in undo.drain(..).rev() {
        cur.replace_range(r, &old);
    }
}

/// The document's text at `r` before any fix: from `orig`, or from `cur` with the old
/// texts in `undo` (same-length fixes, in order) put back. `None` where `r` is not on
/// char boundaries of that text.
fn original<'a>(
    orig: Option<&'a str>,
    cur: &'a str,
    undo: &[(Range<usize>, String)],
    r: Range<usize>,
) -> Option<std::borrow::Cow<'a, str>> {
    if let Some(t) = orig {
        return t.get(r).map(std::borrow::Cow::Borrowed);
    }
    if !undo.iter().any(|(u, _)| u.start < r.end && r.start < u.end) {
        // Untouched bytes, and the same bytes on both sides of `r`'s ends.
        return cur.get(r).map(std::borrow::Cow::Borrowed);
    }
    // One byte more, to see whether `r` ends on a char boundary.
    let end = (r.end + 1).min(cur.len());
    let mut buf = cur.as_bytes().get(r.start..end.max(r.end))?.to_vec();
    for (u, old) in undo.iter().rev() {
        let (a, b) = (u.start.max(r.start), u.end.min(end));
        if a < b {
            buf[a - r.start..b - r.start]
                .copy_from_slice(&old.as_bytes()[a - u.start..b - u.start]);
        }
    }
    if buf.get(r.len()).is_some_and(|&b| (0x80..0xC0).contains(&b)) {
        return None;
    }
    buf.truncate(r.len());
    // Valid UTF-8 exactly when `r` also starts on a char boundary of the old text.
    String::from_utf8(buf).ok().map(std::borrow::Cow::Owned)
}

/// Build the stage's tables now (they are built on first use otherwise): lets another
/// thread build them while this one does other start-up work.
pub(crate) fn warm_up() {
    tables();
    features();
}

impl Unifier {
    /// All edits for `text`, in any order (`Edits::push` sorts them).
    fn plan(&self, text: &str) -> Vec<Edit> {
        self.plan_doc(&mut DocText::Shared(text))
    }

    fn plan_doc(&self, doc: &mut DocText<'_>) -> Vec<Edit> {
        let text = doc.as_str();
        // Pre-check: no CJK ideograph (lead bytes E3..E9 cover U+3400..U+9FFF), no names.
        if text.is_ascii() || !text.as_bytes().iter().any(|&b| (0xE3..=0xE9).contains(&b)) {
            return Vec::new();
        }
        with_scratch(|s| {
            let mut counts = Counts {
                map: std::mem::take(&mut s.counts),
                starts: std::mem::take(&mut s.starts),
            };
            count_candidates(doc.as_str(), tables(), &mut counts);
            s.incremental = false;
            let edits = self.plan_counted(doc, &mut counts, s);
            s.incremental = false;
            (s.counts, s.starts) = (counts.map, counts.starts);
            edits
        })
    }

    fn plan_counted(
        &self,
        doc: &mut DocText<'_>,
        counts: &mut Counts,
        s: &mut Scratch,
    ) -> Vec<Edit> {
        let text = doc.as_str();
        let mut edits = self.plan_once(text, counts, s);
        if self.options.mode == NamesMode::Report {
            for e in &mut edits {
                if e.kind == ChangeKind::Fix {
                    let before = text.get(e.range.clone()).unwrap_or("").to_owned();
                    e.reason = format!(
                        "report only, would change to {}: {}",
                        e.replacement, e.reason
                    )
                    .into();
                    e.replacement = before;
                    e.kind = ChangeKind::Suspect;
                }
            }
            return edits;
        }
        self.settle(doc, counts, edits, s)
    }

    /// A fix changes the counts (朱家清 → 朱佳清 adds a 朱佳清 and a 朱佳), which can
    /// settle another pair. Plan again on the fixed text until nothing more changes, so a
    /// second run of the pipeline finds nothing to do. Name fixes keep byte lengths (CJK
    /// chars are 3 bytes), so all rounds share one coordinate system.
    fn settle(
        &self,
        doc: &mut DocText<'_>,
        counts: &mut Counts,
        first: Vec<Edit>,
        s: &mut Scratch,
    ) -> Vec<Edit> {
        if !first.iter().any(|e| e.kind == ChangeKind::Fix) || !same_len(&first) {
            return first;
        }
        match doc {
            DocText::Shared(text) => {
                // The fixed text, in a buffer kept from earlier documents (no fresh pages).
                let mut cur = std::mem::take(&mut s.text);
                cur.clear();
                cur.push_str(text);
                let out = self.settle_rounds(&mut cur, Some(text), counts, first, s);
                s.keep_text(cur);
                out
            }
            // The document itself takes the fixes, and gets its old text back at the end:
            // no copy of a window.
            DocText::Owned(text) => self.settle_rounds(text, None, counts, first, s),
        }
    }

    /// The rounds of `settle` on `cur`, the text the fixes go to: a copy of `orig`, or
    /// (`orig == None`) the document itself, whose old text is put back before returning.
    fn settle_rounds(
        &self,
        cur: &mut String,
        orig: Option<&str>,
        counts: &mut Counts,
        first: Vec<Edit>,
        s: &mut Scratch,
    ) -> Vec<Edit> {
        // Without `orig`: every fix's range and the text it replaced, in order.
        let mut undo: Vec<(Range<usize>, String)> = Vec::new();
        let mut fixes: Vec<Edit> = Vec::new();
        let mut latest = first;
        for _ in 0..4 {
            let new: Vec<Edit> = latest
                .iter()
                .filter(|e| {
                    e.kind == ChangeKind::Fix && cur.get(e.range.clone()) != Some(&e.replacement)
                })
                .cloned()
                .collect();
            if new.is_empty() || !same_len(&new) {
                break;
            }
            // Recount only around the fixes, not the whole text.
            let t = tables();
            let mut spans: Vec<Range<usize>> = new.iter().map(|e| e.range.clone()).collect();
            let regions = Counts::regions(cur, &mut spans);
            s.delta.clear();
            counts.recount(cur, &regions, -1, t, &mut s.spare, &mut s.delta);
            // Same-length replacements overwrite in place (no tail moves); in order, as
            // overlapping ones must be.
            for e in &new {
                if orig.is_none() {
                    undo.push((e.range.clone(), cur[e.range.clone()].to_owned()));
                }
                cur.replace_range(e.range.clone(), &e.replacement);
            }
            counts.recount(cur, &regions, 1, t, &mut s.spare, &mut s.delta);
            s.delta.sort_unstable();
            s.delta.dedup();
            // The next round may patch this round's variant pairs (see `decide`), and
            // reuse its occurrences (see `plan_once`).
            s.incremental = true;
            s.reuse_occs = new.iter().all(|e| {
                let han = |x: &str| x.chars().all(is_han);
                han(&e.replacement)
                    && original(orig, cur, &undo, e.range.clone()).is_some_and(|t| han(&t))
            });
            #[cfg(test)]
            if s.full_rounds {
                s.incremental = false;
            }
            fixes.extend(new);
            latest = self.plan_once(cur, counts, s);
        }
        // Merge overlapping fixes of different rounds into one span each.
        fixes.sort_by_key(|e| (e.range.start, e.range.end));
        let mut merged: Vec<Edit> = Vec::new();
        for e in fixes {
            match merged.last_mut() {
                Some(m) if m.range.end > e.range.start => {
                    m.range.end = m.range.end.max(e.range.end);
                    m.confidence = m.confidence.min(e.confidence);
                    m.reason = format!("{}; then {}", m.reason, e.reason).into();
                }
                _ => merged.push(e),
            }
        }
        for m in &mut merged {
            m.replacement = cur[m.range.clone()].to_owned();
        }
        undo_fixes(cur, &mut undo);
        let text = orig.unwrap_or(cur);
        merged.retain(|m| text.get(m.range.clone()) != Some(&m.replacement));
        // Notes from the last round, where they do not touch a fix.
        let claimed: Vec<Range<usize>> = merged.iter().map(|m| m.range.clone()).collect();
        // `claimed` is sorted and disjoint: the first span ending after a note's start is
        // the only one that can overlap it.
        let touches = |r: &Range<usize>| {
            let i = claimed.partition_point(|c| c.end <= r.start);
            claimed.get(i).is_some_and(|c| c.start < r.end)
        };
        for e in latest {
            if e.kind == ChangeKind::Suspect && !touches(&e.range) {
                merged.push(e);
            }
        }
        merged
    }

    /// One round: the names file, then counts, variants, decisions.
    fn plan_once(&self, text: &str, counts: &Counts, s: &mut Scratch) -> Vec<Edit> {
        let t = tables();
        let mut claimed = Claimed::default();
        let mut edits = Vec::new();
        file_edits(text, &self.options, &mut claimed, &mut edits);
        // Only keys that pack exactly can equal a candidate.
        let protected: HashSet<u64, Word> = self
            .options
            .canonical
            .iter()
            .chain(self.options.variants.iter().map(|(_, c)| c))
            .filter_map(|s| Key::from_str(s)?.pack_exact())
            .collect();
        // A later round recomputes only what its touched keys change.
        let (stats, recheck) = if s.incremental {
            let (stats, recheck) = Stats::patch(&counts.map, s);
            (stats, Some(recheck))
        } else {
            (Stats::new(&counts.map, s), None)
        };
        let mut decisions = decide(
            text,
            &counts.starts,
            &stats,
            t,
            &protected,
            s,
            recheck.as_deref(),
        );
        // A group with no title, speech verb or (long spellings) enumeration anywhere is
        // left alone by `finish_group`: spare the context pass its occurrences.
        let named: HashSet<Key, Fx> = decisions
            .iter()
            .filter(|d| {
                d.group
                    .iter()
                    .any(|(k, _)| s.cues.get(&k.pack()).is_some_and(|c| c.named > 0))
            })
            .map(|d| d.major)
            .collect();
        decisions.retain(|d| named.contains(&d.major));
        s.best_ext = stats.best_ext;
        s.suffix_max = stats.suffix_max;
        let mut want: HashSet<Key, Fx> = HashSet::default();
        for d in &decisions {
            want.extend(d.group.iter().map(|(k, _)| *k));
        }
        // In a later round, the occurrences of a spelling that no count touched are the
        // same as in the last round: same offsets (fixes keep lengths), same context
        // (every start whose context a fix reaches was recounted, so its spellings are
        // in `delta`), same sentences and quotes (the fixes were Han chars only).
        let mut occs = std::mem::take(&mut s.occs);
        if s.incremental && s.reuse_occs {
            let delta = &s.delta;
            occs.retain(|k, _| want.contains(k) && delta.binary_search(&k.pack()).is_err());
            want.retain(|k| !occs.contains_key(k));
        } else {
            occs.clear();
        }
        if !want.is_empty() {
            collect_occurrences(text, t, &want, &counts.starts, &mut occs);
        }
        if !decisions.is_empty() {
            finish(t, &decisions, &occs, &mut claimed, &mut edits);
        }
        s.occs = occs;
        edits
    }
}

// ---------------------------------------------------------------------------------------
// Keys and counting

/// A candidate spelling: 2–4 chars, packed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Key {
    c: [char; 4],
    len: u8,
}

impl std::hash::Hash for Key {
    // Two words instead of six writes: chars are 21 bits.
    fn hash<H: Hasher>(&self, h: &mut H) {
        let c = |i: usize| self.c[i] as u64;
        h.write_u64(c(0) | c(1) << 21 | c(2) << 42);
        h.write_u64(c(3) | (self.len as u64) << 21);
    }
}

impl Key {
    fn new(cs: &[char]) -> Key {
        let mut c = ['\0'; 4];
        c[..cs.len()].copy_from_slice(cs);
        Key {
            c,
            len: cs.len() as u8,
        }
    }

    fn from_str(s: &str) -> Option<Key> {
        let cs: Vec<char> = s.chars().collect();
        (1..=4).contains(&cs.len()).then(|| Key::new(&cs))
    }

    fn chars(&self) -> &[char] {
        &self.c[..self.len as usize]
    }

    fn string(&self) -> String {
        self.chars().iter().collect()
    }

    /// Candidate keys hold only BMP chars (surname + Han): 16 bits each fit one word.
    fn pack(&self) -> u64 {
        pack_lossy(self.chars())
    }

    fn unpack(w: u64) -> Key {
        let mut c = ['\0'; 4];
        let mut len = 0;
        for (i, slot) in c.iter_mut().enumerate() {
            let u = (w >> (48 - 16 * i)) as u32 & 0xFFFF;
            if u != 0 {
                *slot = char::from_u32(u).unwrap_or('\0');
                len = i as u8 + 1;
            }
        }
        Key { c, len }
    }
    /// The packed key when packing loses nothing (every char in the BMP, none NUL): then
    /// packed keys are equal exactly when the keys are.
    fn pack_exact(&self) -> Option<u64> {
        self.chars()
            .iter()
            .all(|&c| ('\u{1}'..='\u{FFFF}').contains(&c))
            .then(|| self.pack())
    }
}

// Packed spellings (`Key::pack`): four 16-bit lanes, first char in the top lane, unused
// lanes 0. Their order as integers is the order of the keys.

/// Number of chars of a packed key.
#[inline]
fn plen(k: u64) -> usize {
    4 - (k.trailing_zeros() / 16) as usize
}

/// Bit shift of lane `i`.
#[inline]
fn lane_shift(i: usize) -> u32 {
    48 - 16 * i as u32
}

#[inline]
fn pchar(k: u64, i: usize) -> char {
    char::from_u32((k >> lane_shift(i)) as u32 & 0xFFFF).unwrap_or('\0')
}

#[inline]
fn pchars(k: u64) -> [char; 4] {
    [pchar(k, 0), pchar(k, 1), pchar(k, 2), pchar(k, 3)]
}

/// The key without its last char.
#[inline]
fn pprefix(k: u64) -> u64 {
    k & !(0xFFFF << lane_shift(plen(k) - 1))
}

/// The key with lane `p` cleared.
#[inline]
fn pmasked(k: u64, p: usize) -> u64 {
    k & !(0xFFFF << lane_shift(p))
}

/// Surname length of a spelling (2 for a compound surname).
#[inline]
fn surname_len_of(cs: &[char], t: &Tables) -> usize {
    if cs.len() >= 3
        && bit_get(&t.compound_first, cs[0])
        && !bit_get(&t.surname, cs[0])
        && t.compound.contains(&[cs[0], cs[1]])
    {
        2
    } else {
        1
    }
}

/// Buffers of one planning, kept per thread between documents: a window's tables take
/// a few MB, and fresh memory costs a page fault per 4 KiB.
#[derive(Default)]
struct Scratch {
    counts: KeyMap<u32>,
    /// The cue tallies of the spellings in variant pairs (see `count_cues`); in a later
    /// round of one window, those of untouched spellings are kept from earlier rounds.
    cues: HashMap<u64, Cues, Word>,
    starts: Vec<(usize, u32)>,
    spare: Vec<(usize, u32)>,
    best_ext: KeyMap<(u64, u32)>,
    suffix_max: KeyMap<u32>,
    index: KeyMap<u32>,
    entries: Vec<(u64, u32)>,
    seen: Vec<u64>,
    pairs: Vec<(u64, u64, usize)>,
    text: String,
    /// The majors of the last `decide` (sorted), for the next round of the same window.
    majors: Vec<u64>,
    /// Set between the rounds of one window: `pairs` and `majors` hold the last round's,
    /// and `delta` (sorted) the keys whose counts were touched since.
    incremental: bool,
    delta: Vec<u64>,
    /// The occurrences the last round collected, and whether the next round may reuse
    /// those of untouched spellings (set with `incremental` when the fixes were Han
    /// chars only, so no sentence or quote boundary moved).
    occs: HashMap<Key, Vec<Occ>, Fx>,
    reuse_occs: bool,
    /// Tests: plan every round from scratch, to compare with the incremental rounds.
    #[cfg(test)]
    full_rounds: bool,
    /// Tests: how many rounds patched the last round's pairs.
    #[cfg(test)]
    patched: usize,
}

impl Scratch {
    /// Keep the text buffer for the next document, unless it is unusually large.
    fn keep_text(&mut self, text: String) {
        if text.capacity() <= 64 << 20 {
            self.text = text;
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Run `f` with this thread's scratch buffers (fresh ones if they are in use).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let mut s = SCRATCH.with(|c| c.take());
    let r = f(&mut s);
    SCRATCH.with(|c| c.replace(s));
    r
}

/// The counts of one round, by packed key.
struct Stats<'a> {
    /// Occurrences; a key counted 0 is absent.
    counts: &'a KeyMap<u32>,
    /// For a spelling, its most frequent one-char-longer continuation.
    best_ext: KeyMap<(u64, u32)>,
    /// For a 2-char spelling, the largest count of a 3-char spelling ending with it.
    suffix_max: KeyMap<u32>,
}

impl<'a> Stats<'a> {
    fn new(counts: &'a KeyMap<u32>, s: &mut Scratch) -> Stats<'a> {
        let mut best_ext = std::mem::take(&mut s.best_ext);
        let mut suffix_max = std::mem::take(&mut s.suffix_max);
        // About a quarter and a half of the spellings have an entry.
        best_ext.reset(counts.len() / 2);
        suffix_max.reset(counts.len() / 2);
        for (k, c) in counts.iter() {
            Self::note(
                counts,
                &mut best_ext,
                &mut suffix_max,
                k,
                c,
                |_| true,
                |_| true,
            );
        }
        Stats {
            counts,
            best_ext,
            suffix_max,
        }
    }

    /// Count key `k` (seen `c` times) into the `best_ext` entry of its prefix and the
    /// `suffix_max` entry of its suffix, where `ext` and `suf` accept those entries.
    #[inline]
    fn note(
        counts: &KeyMap<u32>,
        best_ext: &mut KeyMap<(u64, u32)>,
        suffix_max: &mut KeyMap<u32>,
        k: u64,
        c: u32,
        ext: impl Fn(u64) -> bool,
        suf: impl Fn(u64) -> bool,
    ) {
        if c < 2 || plen(k) < 3 {
            return;
        }
        let p = pprefix(k);
        if ext(p) && counts.get(p).is_some_and(|n| n > 0) {
            let e = best_ext.entry(p);
            // The most frequent; on a tie the smallest key.
            if e.0 == 0 || c > e.1 || (c == e.1 && k < e.0) {
                *e = (k, c);
            }
        }
        if plen(k) == 3 && suf(k << 16) {
            let m = suffix_max.entry(k << 16);
            *m = (*m).max(c);
        }
    }

    /// A later round's stats: the last round's (in `s`), with the entries that depend on
    /// the keys in `delta` (sorted) computed again. Also returns, sorted, the keys whose
    /// `eligible` may differ from the last round (it reads a key's count, its prefix's,
    /// its extensions' via `best_ext` down to their own extensions, and `suffix_max`).
    fn patch(counts: &'a KeyMap<u32>, s: &mut Scratch) -> (Stats<'a>, Vec<u64>) {
        let mut best_ext = std::mem::take(&mut s.best_ext);
        let mut suffix_max = std::mem::take(&mut s.suffix_max);
        let delta = &s.delta;
        let touched = |k: u64| delta.binary_search(&k).is_ok();
        // Entries to compute again: `best_ext` of the touched keys and their prefixes,
        // `suffix_max` of the touched 3-char keys' suffixes. (0, 0) and 0 read as absent.
        let mut parents: Vec<u64> = delta.iter().flat_map(|&k| [k, pprefix(k)]).collect();
        parents.sort_unstable();
        parents.dedup();
        let mut suffixes: Vec<u64> = delta
            .iter()
            .filter(|&&k| plen(k) == 3)
            .map(|&k| k << 16)
            .collect();
        suffixes.sort_unstable();
        suffixes.dedup();
        for &p in &parents {
            if best_ext.get(p).is_some() {
                *best_ext.entry(p) = (0, 0);
            }
        }
        for &x in &suffixes {
            if suffix_max.get(x).is_some() {
                *suffix_max.entry(x) = 0;
            }
        }
        let mut recheck: Vec<u64> = Vec::new();
        for (k, c) in counts.iter() {
            let p = pprefix(k);
            if touched(p) {
                recheck.push(k);
            }
            // The updates of `new`, for the entries reset above only.
            Self::note(
                counts,
                &mut best_ext,
                &mut suffix_max,
                k,
                c,
                |p| parents.binary_search(&p).is_ok(),
                |x| suffixes.binary_search(&x).is_ok(),
            );
        }
        for &k in delta {
            recheck.push(k);
            let p = pprefix(k);
            recheck.push(p);
            recheck.push(pprefix(p));
        }
        recheck.extend_from_slice(&suffixes);
        recheck.sort_unstable();
        recheck.dedup();
        let stats = Stats {
            counts,
            best_ext,
            suffix_max,
        };
        (stats, recheck)
    }

    #[inline]
    fn count(&self, k: u64) -> u32 {
        self.counts.get(k).unwrap_or(0)
    }
}

/// The candidate spellings starting at char offset `i` of `cs` (up to 4 chars ahead).
fn candidates_at(cs: &[char], t: &Tables, mut f: impl FnMut(Key)) {
    candidates_len(cs, t, |l| f(Key::new(&cs[..l])));
}

/// The lengths of the candidate spellings that are prefixes of `cs` (up to 4 chars).
/// Returns whether `cs` begins with a surname (single, or compound and whole).
#[inline]
fn candidates_len(cs: &[char], t: &Tables, mut f: impl FnMut(usize)) -> bool {
    let c0 = cs[0];
    let mut slens = [0usize; 2];
    let mut n = 0;
    if bit_get(&t.surname, c0) {
        slens[n] = 1;
        n += 1;
    }
    if cs.len() > 1 && bit_get(&t.compound_first, c0) && t.compound.contains(&[c0, cs[1]]) {
        slens[n] = 2;
        n += 1;
    }
    for &sl in &slens[..n] {
        for g in 1..=2 {
            let l = sl + g;
            if cs.len() < l || !cs[sl..l].iter().all(|&c| is_han(c)) {
                break;
            }
            // 欧阳修 is both 欧+阳修 and 欧阳+修: count it once.
            if !(sl == 2 && g == 1 && n == 2) {
                f(l);
            }
        }
    }
    n > 0
}

/// Pass 1: count every candidate spelling, and note where candidates start. Context cues
/// are counted later, only for the spellings in variant pairs (`count_cues`).
fn count_candidates(text: &str, t: &Tables, counts: &mut Counts) {
    // A document has far fewer distinct spellings than candidate starts (about 1 char in
    // 14 of Chinese text is a surname char, 3 bytes each).
    // About 45K spellings per 8 MiB of reviews: a table of 64K slots (768 KB: keys and
    // counts apart) stays in a 2 MiB L2 cache with the other tables; one of 128K slots
    // was slower (fewer probes, more misses). It grows when needed.
    count_candidates_with(crate::scan::Simd::get(), text, t, counts);
}

/// `count_candidates`, the starts 16 at a time (`Simd::starts16`) where `simd` allows,
/// in the same order as one by one.
fn count_candidates_with(
    simd: Option<crate::scan::Simd>,
    text: &str,
    t: &Tables,
    counts: &mut Counts,
) {
    let (map, starts) = (&mut counts.map, &mut counts.starts);
    map.reset((text.len() / 200).min(1 << 16));
    starts.clear();
    let one = |map: &mut KeyMap<u32>, starts: &mut Vec<(usize, u32)>, pos: usize, c: char| {
        let (next, start) = keys_at(text, pos, c, t, |k| add(map, k, 1));
        if start {
            starts.push((pos, pair(c, next)));
        }
    };
    let Some(simd) = simd else {
        scan_bmp_with(None, text, &t.start_bmp, |pos, c| one(map, starts, pos, c));
        return;
    };
    let b = text.as_bytes();
    let mut at = [0usize; 16];
    let mut chars = ['\0'; 16];
    let mut n = 0;
    scan_bmp_with(Some(simd), text, &t.start_bmp, |pos, c| {
        (at[n], chars[n]) = (pos, c);
        n += 1;
        if n < 16 {
            return;
        }
        n = 0;
        let Some(s) = simd.starts16(b, &at, &t.start_sets) else {
            for (&pos, &c) in at.iter().zip(&chars) {
                one(map, starts, pos, c);
            }
            return;
        };
        for (k, (&pos, &c)) in at.iter().zip(&chars).enumerate() {
            if s.other >> k & 1 == 1 {
                one(map, starts, pos, c);
                continue;
            }
            if s.none >> k & 1 == 1 {
                continue;
            }
            // What `keys_at` counts for a single surname with 3-byte chars after it.
            let two = u64::from(s.c0[k]) << 48 | u64::from(s.c1[k]) << 32;
            if s.two >> k & 1 == 1 {
                add(map, two, 1);
                if s.three >> k & 1 == 1 {
                    add(map, two | u64::from(s.c2[k]) << 16, 1);
                }
            }
            starts.push((pos, pair_of(s.c0[k], s.c1[k])));
        }
    });
    for (&pos, &c) in at[..n].iter().zip(&chars) {
        one(map, starts, pos, c);
    }
}

#[inline]
fn add(map: &mut KeyMap<u32>, k: u64, d: i32) {
    let e = map.entry(k);
    *e = e.wrapping_add_signed(d);
}

/// Of a spelling's occurrences: those where a context cue could be, those with a strong
/// cue (see `count_at`).
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct Cues {
    cued: u32,
    named: u32,
}

/// Pass 1b: set the cue tallies of `keys` in `cues`, from the starts that can begin them.
fn count_cues(
    text: &str,
    t: &Tables,
    starts: &[(usize, u32)],
    keys: &[u64],
    cues: &mut HashMap<u64, Cues, Word>,
) {
    if keys.is_empty() {
        return;
    }
    // Counted apart, so that the tallies already in `cues` stay as they are.
    let mut fresh: HashMap<u64, Cues, Word> = keys.iter().map(|&k| (k, Cues::default())).collect();
    // A packed key's top two lanes are the `pair` of its first two chars.
    for (pos, c) in starts_of(starts, keys.iter().map(|&k| (k >> 32) as u32)) {
        count_at(text, pos, c, t, |k, cued, named| {
            if let Some(e) = fresh.get_mut(&k) {
                e.cued += u32::from(cued);
                e.named += u32::from(named);
            }
        });
    }
    cues.extend(fresh);
}

/// The starts (byte offset, char) whose first two chars are one of `pairs`.
fn starts_of(starts: &[(usize, u32)], pairs: impl Iterator<Item = u32>) -> Vec<(usize, char)> {
    // A filter of the pairs that stays in L1 cache: the starts carry their two chars, so
    // most are ruled out without reading the text. A false hit costs only time (callers
    // check the spellings).
    let pairs: HashSet<u32, Word> = pairs.collect();
    let filter_bit = |p: u32| (p.wrapping_mul(0x9E37_79B1) >> 16) as usize;
    let mut filter = Box::new([0u64; 1024]);
    for &p in &pairs {
        let b = filter_bit(p);
        filter[b >> 6] |= 1 << (b & 63);
    }
    let mut hits: Vec<(usize, char)> = Vec::new();
    for &(pos, pr) in starts {
        let b = filter_bit(pr);
        if filter[b >> 6] >> (b & 63) & 1 == 1 && pairs.contains(&pr) {
            // Starts are BMP chars: the pair's upper half is the char itself.
            if let Some(c) = char::from_u32(pr >> 16) {
                hits.push((pos, c));
            }
        }
    }
    hits
}

/// Candidate counts by packed key, and the chars that can start a candidate: byte offset, and the char with the next one
/// (`pair`), so later passes need not scan, or even read, the text again.
#[derive(Default, Clone)]
struct Counts {
    map: KeyMap<u32>,
    starts: Vec<(usize, u32)>,
}

impl Counts {
    /// The starts whose window (`count_at`: the chars before, the candidate, the chars
    /// after) touches one of `spans` (disjoint byte ranges that a same-length edit
    /// replaces): merged byte ranges, the same in the text before and after the edit.
    fn regions(text: &str, spans: &mut [Range<usize>]) -> Vec<Range<usize>> {
        spans.sort_by_key(|s| (s.start, s.end));
        let mut regions: Vec<Range<usize>> = Vec::new();
        for s in spans.iter() {
            // A start reads up to 9 chars from itself: 8 chars before the span.
            let a = text[..s.start]
                .char_indices()
                .rev()
                .nth(7)
                .map_or(0, |(i, _)| i);
            // A start reads the 6 chars before it, after skipping the spaces right before
            // it: up to 6 chars after the span, then a run of spaces, then the start.
            let mut after = text[s.end..].char_indices().peekable();
            for _ in 0..6 {
                after.next();
            }
            while after
                .next_if(|&(_, c)| matches!(c, ' ' | '\u{3000}'))
                .is_some()
            {}
            let b = after
                .next()
                .map_or(text.len(), |(i, c)| s.end + i + c.len_utf8());
            match regions.last_mut() {
                Some(r) if a <= r.end => r.end = r.end.max(b),
                _ => regions.push(a..b),
            }
        }
        regions
    }

    /// Add (`d = 1`) or remove (`d = -1`) the candidates starting inside `regions`.
    /// With `d = 1` the text is the new one: its starts inside `regions` replace the old.
    /// `spare` is a buffer for the new starts (swapped with the old ones); the keys
    /// counted are added to `touched`.
    fn recount(
        &mut self,
        text: &str,
        regions: &[Range<usize>],
        d: i32,
        t: &Tables,
        spare: &mut Vec<(usize, u32)>,
        touched: &mut Vec<u64>,
    ) {
        let mut fresh = Vec::new();
        for r in regions {
            for (o, c) in text[r.clone()].char_indices() {
                if bit_get(&t.start, c) {
                    let (next, start) = keys_at(text, r.start + o, c, t, |k| {
                        touched.push(k);
                        add(&mut self.map, k, d)
                    });
                    if start {
                        fresh.push((r.start + o, pair(c, next)));
                    }
                }
            }
        }
        if d < 0 {
            return;
        }
        // Where every region keeps its number of starts (most fixes swap one Han char for
        // another), the fresh starts overwrite the old ones in place.
        let mut same = Vec::with_capacity(regions.len());
        let (mut oi, mut fi) = (0, 0);
        for r in regions {
            let lo = oi + self.starts[oi..].partition_point(|s| s.0 < r.start);
            let hi = lo + self.starts[lo..].partition_point(|s| s.0 < r.end);
            let fhi = fi + fresh[fi..].partition_point(|s| s.0 < r.end);
            if hi - lo != fhi - fi {
                same.clear();
                break;
            }
            same.push((lo, fi..fhi));
            (oi, fi) = (hi, fhi);
        }
        if same.len() == regions.len() {
            for (lo, f) in same {
                self.starts[lo..lo + f.len()].copy_from_slice(&fresh[f]);
            }
            return;
        }
        // Merge: the old starts outside the regions, the fresh ones inside (both sorted).
        let mut out = std::mem::take(spare);
        out.clear();
        let (mut ri, mut ni) = (0, 0);
        for &(p, pr) in &self.starts {
            while ni < fresh.len() && fresh[ni].0 < p {
                out.push(fresh[ni]);
                ni += 1;
            }
            while ri < regions.len() && regions[ri].end <= p {
                ri += 1;
            }
            if ri < regions.len() && regions[ri].start <= p {
                continue;
            }
            out.push((p, pr));
        }
        out.extend_from_slice(&fresh[ni..]);
        *spare = std::mem::replace(&mut self.starts, out);
    }
}

/// The char at byte `i` of `text` (a char boundary before its end) and its length.
#[inline(always)]
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let b = text.as_bytes();
    // Chinese text is mostly 3-byte chars: decode those directly.
    if i + 2 < b.len() && b[i] & 0xF0 == 0xE0 {
        return char3(&b[i..i + 3]).map(|c| (c, 3));
    }
    if i < b.len() && b[i] < 0x80 {
        return Some((b[i] as char, 1));
    }
    char_at_slow(text, i)
}

/// The char of the 3-byte UTF-8 sequence `b[..3]` (a lead byte `E0..=EF` and two
/// continuation bytes).
#[inline(always)]
fn char3(b: &[u8]) -> Option<char> {
    char::from_u32(
        u32::from(b[0] & 0x0F) << 12 | u32::from(b[1] & 0x3F) << 6 | u32::from(b[2] & 0x3F),
    )
}

#[cold]
#[inline(never)]
fn char_at_slow(text: &str, i: usize) -> Option<(char, usize)> {
    text.get(i..)?.chars().next().map(|c| (c, c.len_utf8()))
}

/// The char ending at byte `i` of `text` (a char boundary), `'\0'` at the start.
#[inline]
fn char_before(text: &str, i: usize) -> char {
    let b = text.as_bytes();
    if i >= 3 && b[i - 3] & 0xF0 == 0xE0 {
        if let Some(c) = char3(&b[i - 3..i]) {
            return c;
        }
    }
    if i >= 1 && b[i - 1] < 0x80 {
        return b[i - 1] as char;
    }
    text[..i].chars().next_back().unwrap_or('\0')
}

/// The packed lanes of the first `l` chars.
const PREFIX_MASK: [u64; 5] = [
    0,
    0xFFFF << 48,
    0xFFFF_FFFF << 32,
    0xFFFF_FFFF_FFFF << 16,
    u64::MAX,
];

/// The candidates starting with `c` at byte `pos`, with two flags: a context cue could be
/// there (the char before ends a title or is `、` or a space, the char after starts a
/// speech verb or is `、`), and a strong cue is there (what `collect_occurrences` calls
/// a role or a verb after, or an enumeration for a spelling of 3 chars or more).
/// Returns the char after `c` (`'\0'` at the end).
#[inline]
fn count_at(
    text: &str,
    pos: usize,
    c: char,
    t: &Tables,
    mut f: impl FnMut(u64, bool, bool),
) -> char {
    // Decode the few chars ahead only here (most chars are not surnames); up to 9 when a
    // speech verb may follow, as `collect_occurrences` reads them.
    let mut w = ['\0'; 9];
    w[0] = c;
    let mut n = 1;
    let mut at = chars_ahead(text, pos + c.len_utf8(), &mut w, &mut n, 5);
    let prev = char_before(text, pos);
    let before = matches!(prev, '、' | ' ' | '\u{3000}') || bit_get(&t.role_last, prev);
    // Only then can a title or a `、` stand before (spaces skipped).
    let (role, enum_before) = if before {
        let (back, nb) = chars_before(text, pos);
        let back = &back[6 - nb..];
        (role_before(back, t).is_some(), back.last() == Some(&'、'))
    } else {
        (false, false)
    };
    // The candidates are prefixes of these four chars: their packed keys are masks of one.
    let m = n.min(4);
    let full = pack_lossy(&w[..m]);
    let mut ls = [0usize; 4];
    let mut nl = 0;
    candidates_len(&w[..m], t, |l| {
        ls[nl] = l;
        nl += 1;
    });
    for &l in &ls[..nl] {
        let next = w[..n].get(l).copied();
        let after = next.is_none_or(|x| x == '、' || bit_get(&t.after_first, x));
        let mut named = role || (l >= 3 && (enum_before || next == Some('、')));
        if !named && next.is_some_and(|x| bit_get(&t.after_first, x)) {
            at = chars_ahead(text, at, &mut w, &mut n, 9);
            named = verb_after(&w[l.min(n)..n], t);
        }
        f(full & PREFIX_MASK[l], before || after, named);
    }
    w[1]
}

/// The candidates starting with `c` at byte `pos` (what `count_at` finds, without the
/// context). Returns the char after `c` (`'\0'` at the end), and whether a surname
/// begins at `pos`: a first char of compound surnames alone (东 of 东方) does not, and
/// is no start (no spelling begins there, so no later pass looks for one).
#[inline]
fn keys_at(text: &str, pos: usize, c: char, t: &Tables, mut f: impl FnMut(u64)) -> (char, bool) {
    // Chinese text: the three chars after are mostly 3-byte ones, decoded from the
    // bytes at once (each lead byte makes the next one a char boundary).
    let at = pos + c.len_utf8();
    if let Some(w) = text.as_bytes().get(at..at + 9) {
        if w[0] & 0xF0 == 0xE0 && w[3] & 0xF0 == 0xE0 && w[6] & 0xF0 == 0xE0 {
            if let (Some(a), Some(b), Some(e)) = (char3(w), char3(&w[3..]), char3(&w[6..])) {
                let cs = [c, a, b, e];
                let full = pack_lossy(&cs);
                let start = candidates_len(&cs, t, |l| f(full & PREFIX_MASK[l]));
                return (a, start);
            }
        }
    }
    let mut w = ['\0'; 4];
    w[0] = c;
    let mut n = 1;
    chars_ahead(text, pos + c.len_utf8(), &mut w, &mut n, 4);
    let full = pack_lossy(&w[..n]);
    let start = candidates_len(&w[..n], t, |l| f(full & PREFIX_MASK[l]));
    (w[1], start)
}

/// Decode the chars from byte `at` of `text` into `w[*n..upto]` (fewer at the end of the
/// text); returns the byte offset after them.
#[inline]
fn chars_ahead(text: &str, mut at: usize, w: &mut [char], n: &mut usize, upto: usize) -> usize {
    while *n < upto {
        let Some((ch, l)) = char_at(text, at) else {
            break;
        };
        w[*n] = ch;
        *n += 1;
        at += l;
    }
    at
}

/// The packed key of `cs` (≤ 4 chars), as candidates are packed: 16 bits of each char.
#[inline]
fn pack_lossy(cs: &[char]) -> u64 {
    cs.iter()
        .enumerate()
        .fold(0u64, |k, (i, &c)| k | (c as u64 & 0xFFFF) << lane_shift(i))
}

/// Up to 6 chars before byte `pos` (in the last slots of the array, oldest first),
/// skipping the spaces right before (记者 王明); and how many there are.
fn chars_before(text: &str, pos: usize) -> ([char; 6], usize) {
    let mut i = pos;
    while i > 0 {
        match char_before(text, i) {
            c @ (' ' | '\u{3000}') => i -= c.len_utf8(),
            _ => break,
        }
    }
    let mut back = ['\0'; 6];
    let mut nback = 0;
    while nback < 6 && i > 0 {
        let c = char_before(text, i);
        nback += 1;
        back[6 - nback] = c;
        i -= c.len_utf8();
    }
    (back, nback)
}

/// The packed key of `cs` (≤ 4 chars) when it packs exactly (see `Key::pack_exact`).
#[inline]
fn pack_chars(cs: &[char]) -> Option<u64> {
    let mut k = 0u64;
    for (i, &c) in cs.iter().enumerate() {
        if !('\u{1}'..='\u{FFFF}').contains(&c) {
            return None;
        }
        k |= (c as u64) << lane_shift(i);
    }
    Some(k)
}

/// The longest title (≤ 4 chars, 副主委 before 主委) ending `before`, the chars before a
/// name. Every title ends with a `role_last` char: the bitset spares most lookups.
fn role_before(before: &[char], t: &Tables) -> Option<Key> {
    let titled = before.last().is_some_and(|&p| bit_get(&t.role_last, p));
    (1..=if titled { before.len().min(4) } else { 0 })
        .rev()
        .map(|l| &before[before.len() - l..])
        .find(|cs| pack_chars(cs).is_some_and(|k| t.roles_packed.contains(k)))
        .map(Key::new)
}

/// `after`, the chars after a name, starts with a speech verb or the like (≤ 4 chars,
/// each starting with an `after_first` char).
fn verb_after(after: &[char], t: &Tables) -> bool {
    after.first().is_some_and(|&n| bit_get(&t.after_first, n))
        && (1..=after.len().min(4))
            .any(|l| pack_chars(&after[..l]).is_some_and(|k| t.after_packed.contains(k)))
}

/// Call `f(byte offset, char)` for every char of U+3000..U+9FFF (3-byte UTF-8, lead byte
/// E3..E9, where every surname lies) whose bit is set in `bits` (a bitset over the BMP).
/// The bytes E3..E9 only ever lead a char: they are found 8 at a time, and the chars
/// they lead tested and collected without branches; the other chars are never decoded.
/// In 64-byte blocks where `simd` allows (`crate::scan`), and word by word for the rest.
#[inline]
fn scan_bmp_with(
    simd: Option<crate::scan::Simd>,
    text: &str,
    bits: &[u64; 1024],
    mut f: impl FnMut(usize, char),
) {
    let b = text.as_bytes();
    let mut from = 0;
    if let Some(simd) = simd {
        const LEADS: crate::scan::Leads = crate::scan::Leads { lo: 0xE3, span: 7 };
        from = simd.for_each_hit(b, 0, bits, LEADS, |p| {
            // A hit's two continuation bytes are inside the block's read-ahead.
            if let Some(c) = char3(&b[p..p + 3]) {
                f(p, c);
            }
        });
    }
    // Leads are found wherever the bytes start: `from` need not be a char boundary.
    let b = &b[from..];
    let mut f = |p: usize, c: char| f(from + p, c);
    let code = |p: usize| {
        let (Some(&y), Some(&z)) = (b.get(p + 1), b.get(p + 2)) else {
            return None;
        };
        Some((b[p] as usize & 0x0F) << 12 | (y as usize & 0x3F) << 6 | (z as usize & 0x3F))
    };
    let mut buf = [0usize; 256];
    let mut n = 0;
    let mut flush = |buf: &[usize]| {
        for &p in buf {
            if let Some(c) = code(p).and_then(|u| char::from_u32(u as u32)) {
                f(p, c);
            }
        }
    };
    const LO: u64 = 0x0101_0101_0101_0101;
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i * 8..i * 8 + 8]);
        u64::from_le_bytes(w)
    };
    // Every word but the last is read with the next one, which holds the rest of a
    // char that starts near its end; the last word and the bytes after it are done one
    // by one below.
    let words = b.len() / 8;
    let rest = words.saturating_sub(1) * 8;
    let mut next = if words > 0 { word(0) } else { 0 };
    for ci in 0..words.saturating_sub(1) {
        let x = next;
        next = word(ci + 1);
        let pair = x as u128 | (next as u128) << 64;
        // Per byte: the high bit set, and the low 7 bits in 0x63..=0x69 (no carries
        // cross bytes: 0x7F + 0x1D < 0x100).
        let lo = x & (0x7F * LO);
        let mut m = x & (lo + 0x1D * LO) & !(lo + 0x16 * LO) & (0x80 * LO);
        // Lead bytes of 3-byte chars are 3 apart: at most 3 in a word. Three fixed
        // steps (an empty one writes a slot it does not count) instead of a loop whose
        // varying count the branch predictor would miss about every other word.
        for _ in 0..3 {
            let o = m.trailing_zeros() as usize / 8;
            let v = (pair >> (8 * o)) as usize;
            let u = (v & 0x0F) << 12 | (v >> 8 & 0x3F) << 6 | (v >> 16 & 0x3F);
            buf[n] = ci * 8 + o;
            n += usize::from(m != 0) & (bits[u >> 6] >> (u & 63) & 1) as usize;
            m &= m.wrapping_sub(1);
        }
        if n > buf.len() - 8 {
            flush(&buf[..n]);
            n = 0;
        }
    }
    flush(&buf[..n]);
    for (p, x) in b.iter().enumerate().skip(rest) {
        let hit = code(p).is_some_and(|u| bits[u >> 6] >> (u & 63) & 1 == 1);
        if (0xE3..=0xE9).contains(x) && hit {
            flush(&[p]);
        }
    }
}

/// Two chars in one word for a quick membership test (a non-BMP char may collide with a
/// BMP one: callers use it only to rule out).
#[inline]
fn pair(a: char, b: char) -> u32 {
    pair_of(a as u32, b as u32)
}

/// `pair` of two code points.
#[inline]
fn pair_of(a: u32, b: u32) -> u32 {
    (a & 0xFFFF) << 16 | (b & 0xFFFF)
}

// ---------------------------------------------------------------------------------------
// Variant groups and decisions

/// A pair to decide: `minor` may become `major`.
#[derive(Debug, Clone)]
struct Decision {
    major: Key,
    minor: Key,
    /// Which char differs and how.
    pos: usize,
    how: &'static str,
    /// The variant's char is a function char (的, 不 ...).
    function_char: bool,
    /// Counts of every spelling in the group, major first.
    group: Vec<(Key, u32)>,
    /// Counts alone say: change (`true`) or only report (`false`).
    clear: bool,
}

/// Can `k` (packed) be a person's full name by itself (not a word, not a part of a longer
/// name)?
fn eligible(k: u64, s: &Stats, t: &Tables) -> bool {
    let all = pchars(k);
    let cs = &all[..plen(k)];
    let sl = surname_len_of(cs, t);
    if t.is_word(k) || cs[sl..].iter().any(|&c| bit_get(&t.stop, c)) {
        return false;
    }
    // 时前台 is "when" + 前台, not a person: a surname that is mostly an everyday word,
    // followed by a common word.
    if cs.len() == sl + 2 && bit_get(&t.ambiguous, cs[0]) && t.right.contains(&[cs[sl], cs[sl + 1]])
    {
        return false;
    }
    let n = s.count(k);
    if cs.len() > sl + 1 {
        // Surname + 2: the name only if most uses of the shorter form continue this way.
        let shorter = s.count(pprefix(k));
        if n * 2 <= shorter {
            return false;
        }
    } else {
        // Surname + 1: not the name if it mostly continues into a longer name.
        if s.best_ext
            .get(k)
            .is_some_and(|(e, c)| c * 2 > n && eligible(e, s, t))
        {
            return false;
        }
    }
    // Inside a longer name (黄金明 holds 金明): all uses preceded by the same surname.
    if cs.len() == 2 && s.suffix_max.get(k).unwrap_or(0) >= n {
        return false;
    }
    true
}

/// Group the counted spellings into variant pairs and judge each by counts.
fn decide(
    text: &str,
    starts: &[(usize, u32)],
    s: &Stats,
    t: &Tables,
    protected: &HashSet<u64, Word>,
    scratch: &mut Scratch,
    recheck: Option<&[u64]>,
) -> Vec<Decision> {
    // The possible majors: seen at least twice, and eligible. In a later round, only
    // the keys in `recheck` (sorted) may have changed.
    let major = |k: u64| s.count(k) >= 2 && eligible(k, s, t);
    let mut majors: Vec<u64> = match recheck {
        Some(r) => scratch
            .majors
            .iter()
            .copied()
            .filter(|k| r.binary_search(k).is_err())
            .chain(r.iter().copied().filter(|&k| major(k)))
            .collect(),
        None => s
            .counts
            .iter()
            .filter(|&(k, n)| n >= 2 && eligible(k, s, t))
            .map(|(k, _)| k)
            .collect(),
    };
    majors.sort_unstable();
    // A later round of one window may patch the last round's pairs instead of probing
    // every spelling again, when no spelling became a major: a pair depends only on its
    // two spellings being counted and on the major staying one. So the pairs whose
    // major is still one and whose variant was not touched stay, and the touched
    // spellings are probed.
    let patch = scratch.incremental
        && majors
            .iter()
            .all(|k| scratch.majors.binary_search(k).is_ok());
    #[cfg(test)]
    {
        scratch.patched += usize::from(patch);
    }
    std::mem::swap(&mut scratch.majors, &mut majors);
    let majors = &scratch.majors;
    if majors.is_empty() {
        scratch.pairs.clear();
        return Vec::new();
    }
    let feats = features();
    // Index slots: the spelling with the char at `p` replaced by one of its feature codes
    // (all below U+3400, so a slot says which lane varies and how). Two spellings share a
    // slot exactly when they differ only at `p` and share a feature there.
    let slot = |k: u64, p: usize, f: u16| pmasked(k, p) | (f as u64) << lane_shift(p);
    // A bitset over the slots rules out most spellings without a lookup.
    const SEEN_BITS: u32 = 20;
    let seen_bit =
        |x: u64| ((x ^ x >> 29).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SEEN_BITS)) as usize;
    let seen = &mut scratch.seen;
    seen.clear();
    seen.resize(1 << (SEEN_BITS - 6), 0);
    // Slot → first entry of its list; entries: (major, next entry + 1 or 0).
    let index = &mut scratch.index;
    index.reset(majors.len() * 3);
    let entries = &mut scratch.entries;
    entries.clear();
    // Every (position, slot) of a spelling: one per char and feature of that char.
    let slots = |k: u64| {
        (0..plen(k)).flat_map(move |p| {
            feats
                .get(pchar(k, p))
                .into_iter()
                .filter(|&f| f != 0)
                .map(move |f| (p, slot(k, p, f)))
        })
    };
    for &k in majors {
        for (_, x) in slots(k) {
            let bit = seen_bit(x);
            seen[bit >> 6] |= 1 << (bit & 63);
            let head = index.entry(x);
            entries.push((k, *head));
            *head = entries.len() as u32;
        }
    }
    // Every spelling (also seen once) against the index: (major, variant, position).
    let pairs = &mut scratch.pairs;
    let probe: Box<dyn Iterator<Item = u64>> = if patch {
        let delta = &scratch.delta;
        pairs
            .retain(|(a, k, _)| majors.binary_search(a).is_ok() && delta.binary_search(k).is_err());
        Box::new(delta.iter().copied().filter(|&k| s.count(k) > 0))
    } else {
        pairs.clear();
        Box::new(s.counts.iter().filter(|&(_, n)| n > 0).map(|(k, _)| k))
    };
    for k in probe {
        for (p, x) in slots(k) {
            let bit = seen_bit(x);
            if seen[bit >> 6] >> (bit & 63) & 1 == 0 {
                continue;
            }
            let mut at = index.get(x).unwrap_or(0);
            while at != 0 {
                let (a, next) = entries[at as usize - 1];
                if a != k && pmasked(a, p) == pmasked(k, p) {
                    pairs.push((a, k, p));
                }
                at = next;
            }
        }
    }
    // A pair sharing two features is found twice; the position of a pair is unique.
    pairs.sort_unstable();
    pairs.dedup_by_key(|x| (x.0, x.1));
    // The pairs that can become a decision, whatever the context: (index in `pairs`,
    // how the chars relate, function char); and per major, its pairs and kept pairs.
    let mut kept: Vec<(usize, &'static str, bool)> = Vec::new();
    let mut groups: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut at = 0;
    for vs in pairs.chunk_by(|x, y| x.0 == y.0) {
        let a = vs[0].0;
        let na = s.count(a);
        let major_sl = surname_len_of(&pchars(a)[..plen(a)], t);
        let first = kept.len();
        for (i, &(_, b, p)) in vs.iter().enumerate() {
            let nb = s.count(b);
            if nb > na || protected.contains(&b) || t.is_word(b) {
                continue;
            }
            let (ca, cb) = (pchar(a, p), pchar(b, p));
            let (fa, fb) = (feats.get(ca), feats.get(cb));
            let look = |f: [u16; 2]| f.into_iter().find(|&x| x & 0x2000 != 0);
            let how = if look(fa).is_some() && look(fa) == look(fb) {
                "look-alike"
            } else {
                "same pinyin"
            };
            // Another surname is another family (沈老/陈老), unless the chars look alike
            // (李/季, an OCR slip); the same char in the other script is not a variant.
            if (p < major_sl && how != "look-alike") || same_char(ca, cb, t) {
                continue;
            }
            if nb == na && b < a && eligible(b, s, t) {
                // A tie between two possible names: report it once, from the larger key.
                continue;
            }
            // A function char in the variant is mostly ordinary text (房不错 is not 房部):
            // such an occurrence needs its own title or speech verb (checked later),
            // unless it looks like the name's char (李克已 for 李克己).
            let function_char = bit_get(&t.stop, cb) && how != "look-alike";
            kept.push((at + i, how, function_char));
        }
        if kept.len() > first {
            groups.push((at..at + vs.len(), first..kept.len()));
        }
        at += vs.len();
    }
    // Context cues, only for the spellings of groups with a kept pair (about 2% of the
    // spellings). A later round counts only those touched since (see
    // `Counts::recount`) or not counted before.
    let cues = &mut scratch.cues;
    let mut keys: Vec<u64> = groups
        .iter()
        .flat_map(|(g, _)| pairs[g.clone()].iter().flat_map(|&(a, k, _)| [a, k]))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    if scratch.incremental {
        for k in &scratch.delta {
            cues.remove(k);
        }
        keys.retain(|k| !cues.contains_key(k));
    } else {
        cues.clear();
    }
    count_cues(text, t, starts, &keys, cues);
    let cued = |k: u64| cues.get(&k).is_some_and(|c| c.cued > 0);
    let mut out = Vec::new();
    for (g, ks) in groups {
        let vs = &pairs[g];
        let a = vs[0].0;
        let na = s.count(a);
        // No spelling of the group ever stands where a cue could be: not a person.
        if !cued(a) && !vs.iter().any(|&(_, k, _)| cued(k)) {
            continue;
        }
        let mut group: Vec<(u64, u32)> = vec![(a, na)];
        group.extend(vs.iter().map(|&(_, k, _)| (k, s.count(k))));
        group[1..].sort_by_key(|&(k, c)| (std::cmp::Reverse(c), k));
        // Counts are judged with the context (finish_group): a spelling seen twice or
        // more is less likely a slip and needs the major at 3× its count.
        let clear = group[1..].iter().all(|&(_, c)| c < na);
        let group: Vec<(Key, u32)> = group.iter().map(|&(k, c)| (Key::unpack(k), c)).collect();
        let major = Key::unpack(a);
        for &(i, how, function_char) in &kept[ks] {
            let (_, b, p) = pairs[i];
            out.push(Decision {
                major,
                minor: Key::unpack(b),
                pos: p,
                how,
                function_char,
                group: group.clone(),
                clear,
            });
        }
    }
    // A minor claimed by two majors is ambiguous: report only.
    let mut by_minor: HashMap<Key, u32, Fx> = HashMap::default();
    for d in &out {
        *by_minor.entry(d.minor).or_insert(0) += 1;
    }
    for d in &mut out {
        if by_minor[&d.minor] > 1 {
            d.clear = false;
        }
    }
    // Longer spellings first: they are the more specific evidence.
    out.sort_by_key(|d| (std::cmp::Reverse(d.major.len), d.major, d.minor));
    out
}

// ---------------------------------------------------------------------------------------
// Occurrences with context

#[derive(Debug, Clone)]
struct Occ {
    range: Range<usize>,
    /// The sentence: its line (byte offset of the line start) and its number in the line.
    sentence: (usize, u32),
    /// A title or role right before (社员朱家清).
    role: Option<String>,
    /// A strong cue: a role before, a speech verb after.
    strong: bool,
    /// Listed with `、`.
    enumeration: bool,
    /// The span may not be a name at all: its first char ends a word with the char
    /// before (至于单), or its last char starts one with the char after (于单纯).
    doubtful: bool,
    /// Any context cue, also quotes, 《》 and colons.
    cue: bool,
    /// Inside 《…》 or “…” (a headline, a title, a quote).
    quoted: bool,
}

/// Pass 2: add the occurrences of the spellings in `want` to `occs`.
fn collect_occurrences(
    text: &str,
    t: &Tables,
    want: &HashSet<Key, Fx>,
    starts: &[(usize, u32)],
    occs: &mut HashMap<Key, Vec<Occ>, Fx>,
) {
    let hits = starts_of(starts, want.iter().map(|k| pair(k.c[0], k.c[1])));
    let mut at = |pos: usize, c: char, sentence: (usize, u32), depth: i32| {
        // Up to 8 chars from here: the candidate (≤ 4) and what follows (4).
        let mut ahead: [(usize, char); 9] = [(0, '\0'); 9];
        let mut ahead_chars = ['\0'; 9];
        let mut na = 0;
        for (o, ch) in text[pos..].char_indices().take(9) {
            ahead[na] = (pos + o, ch);
            ahead_chars[na] = ch;
            na += 1;
        }
        let ahead_chars = &ahead_chars[..na];
        // The 6 chars before (oldest first), decoded only here; spaces right before
        // the name are skipped (记者 王明).
        let (back, nback) = chars_before(text, pos);
        let before = &back[6 - nback..];
        candidates_at(&ahead_chars[..na.min(4)], t, |k| {
            if !want.contains(&k) {
                return;
            }
            let j = k.len as usize;
            let range = pos..ahead
                .get(j)
                .filter(|_| j < na)
                .map_or(text.len(), |&(b, _)| b);
            let after = &ahead_chars[j.min(na)..];
            let role = role_before(before, t).map(|k| k.string());
            let enumeration = before.last() == Some(&'、') || after.first() == Some(&'、');
            let punct_before = before
                .last()
                .is_some_and(|c| matches!(c, '“' | '「' | '『' | '《' | '"' | '：' | ':'));
            let punct_after = after
                .first()
                .is_some_and(|c| matches!(c, '”' | '」' | '』' | '》' | '"'));
            let strong = role.is_some() || verb_after(after, t);
            let doubtful = before.last().is_some_and(|&p| t.left.contains(&[p, c]))
                || after
                    .first()
                    .is_some_and(|&n| t.right.contains(&[ahead_chars[j - 1], n]));
            occs.entry(k).or_default().push(Occ {
                range,
                sentence,
                strong,
                enumeration,
                doubtful,
                cue: strong || enumeration || punct_before || punct_after,
                quoted: depth > 0,
                role,
            });
        });
    };
    // Sentence and quote depth at each hit. A newline ends a sentence and closes every
    // quote, so both are local to the line: scan from the line start (or the previous hit
    // in the same line) only.
    let b = text.as_bytes();
    let simd = crate::scan::Simd::get();
    let (mut line, mut from, mut sentence, mut depth) = (0usize, 0usize, 0u32, 0i32);
    for &(pos, c) in &hits {
        if let Some(nl) = memchr::memrchr(b'\n', &b[from..pos]) {
            (line, from, sentence, depth) = (from + nl + 1, from + nl + 1, 0, 0);
        }
        tally_marks(simd, b, from..pos, &mut sentence, &mut depth);
        from = pos;
        at(pos, c, (line, sentence), depth);
    }
}

/// Count the sentence ends in `b[r]` into `sentence` and follow its quotes in `depth`
/// (“ 《 「 『 open, ” 》 」 』 close; `!` 。！？； end a sentence): 64 bytes at a time
/// where `simd` allows.
fn tally_marks(
    simd: Option<crate::scan::Simd>,
    b: &[u8],
    r: Range<usize>,
    sentence: &mut u32,
    depth: &mut i32,
) {
    let mut i = r.start;
    if let Some(simd) = simd {
        while i < r.end {
            let Some(m) = simd.marks(b, i) else { break };
            let keep = crate::scan::first_bytes(r.end - i);
            *sentence += (m.ends & keep).count_ones();
            // Quotes need order; they are rare.
            let mut q = (m.opens | m.closes) & keep;
            while q != 0 {
                if m.opens >> q.trailing_zeros() & 1 == 1 {
                    *depth += 1;
                } else {
                    *depth = (*depth - 1).max(0);
                }
                q &= q - 1;
            }
            i += crate::scan::BLOCK;
        }
    }
    if i >= r.end {
        return;
    }
    // Only `!` and the lead bytes E2, E3, EF start a mark; none of them is ever a
    // continuation byte, so they can be searched for without decoding chars (and from
    // any byte). `!` only counts sentences (order does not matter), quotes need order.
    let seg = &b[i..r.end];
    *sentence += memchr::memchr_iter(b'!', seg).count() as u32;
    for j in memchr::memchr3_iter(0xE2, 0xE3, 0xEF, seg) {
        let k = i + j;
        match (b[k], b.get(k + 1), b.get(k + 2)) {
            (0xE2, Some(0x80), Some(0x9C)) | (0xE3, Some(0x80), Some(0x8A | 0x8C | 0x8E)) => {
                *depth += 1
            }
            (0xE2, Some(0x80), Some(0x9D)) | (0xE3, Some(0x80), Some(0x8B | 0x8D | 0x8F)) => {
                *depth = (*depth - 1).max(0)
            }
            (0xE3, Some(0x80), Some(0x82)) | (0xEF, Some(0xBC), Some(0x81 | 0x9F | 0x9B)) => {
                *sentence += 1
            }
            _ => {}
        }
    }
}

/// Spans already settled by an earlier decision: disjoint, keyed by start.
#[derive(Default)]
struct Claimed(std::collections::BTreeMap<usize, usize>);

impl Claimed {
    fn overlaps(&self, r: &Range<usize>) -> bool {
        // The spans are disjoint: only the last one starting before `r.end` can overlap.
        self.0
            .range(..r.end)
            .next_back()
            .is_some_and(|(_, &end)| end > r.start)
    }

    fn push(&mut self, r: Range<usize>) {
        self.0.insert(r.start, r.end);
    }
}

fn evidence(group: &[(Key, u32)]) -> String {
    group
        .iter()
        .map(|(k, c)| format!("{}×{c}", k.string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turn decisions into edits, using the context of every occurrence.
fn finish(
    t: &Tables,
    ds: &[Decision],
    occs: &HashMap<Key, Vec<Occ>, Fx>,
    claimed: &mut Claimed,
    edits: &mut Vec<Edit>,
) {
    // Decisions come sorted by major: handle each major's group at once, so that what
    // one fix adds (an occurrence, a cue) is already counted, and a second run finds
    // nothing more to do.
    let mut i = 0;
    while i < ds.len() {
        let j = i + ds[i..]
            .iter()
            .take_while(|d| d.major == ds[i].major)
            .count();
        finish_group(t, &ds[i..j], occs, claimed, edits);
        i = j;
    }
}

fn finish_group(
    t: &Tables,
    ds: &[Decision],
    occs: &HashMap<Key, Vec<Occ>, Fx>,
    claimed: &mut Claimed,
    edits: &mut Vec<Edit>,
) {
    let none = Vec::new();
    let major_key = ds[0].major;
    let group = &ds[0].group;
    let a_occ = occs.get(&major_key).unwrap_or(&none);
    let sure = |o: &&Occ| !o.doubtful;
    let all = || {
        group
            .iter()
            .flat_map(|(k, _)| occs.get(k).unwrap_or(&none).iter())
            .filter(sure)
    };
    // A clear sign that this is a person's name, anywhere in the group: a title or a
    // speech verb; for names of three chars or more also a `、` enumeration (如家、莫泰等
    // lists brands). A surname that is mostly an everyday word (时, 于, 向) needs a title:
    // 时才说 is "only then said", not a person.
    let long = major_key.len >= 3;
    let titled_only = bit_get(&t.ambiguous, major_key.c[0]);
    let named = all().any(|o| {
        if titled_only {
            o.role.is_some()
        } else {
            o.strong || (long && o.enumeration)
        }
    });
    // Uses across a word boundary (小熊生日) are no evidence for the name 熊生.
    let na_sure = a_occ.iter().filter(sure).count();
    if !named || na_sure < 2 {
        return;
    }
    let cues = all().filter(|o| o.cue).count();
    let a_roles: HashSet<&str> = a_occ.iter().filter_map(|o| o.role.as_deref()).collect();
    let first_a = a_occ
        .iter()
        .map(|o| o.range.start)
        .min()
        .unwrap_or(usize::MAX);
    let first_titled_a = a_occ
        .iter()
        .filter(|o| o.role.is_some())
        .map(|o| o.range.start)
        .min();
    // Per variant: the occurrences that may change, and what blocks a change.
    let mut plans: Vec<(&Decision, Vec<&Occ>, usize, Option<&'static str>)> = Vec::new();
    for d in ds {
        let b_occ = occs.get(&d.minor).unwrap_or(&none);
        let nb_sure = b_occ.iter().filter(sure).count();
        let same_sentence = b_occ
            .iter()
            .any(|b| a_occ.iter().any(|a| a.sentence == b.sentence));
        // A title introduces a person. Two people when: the spellings carry different
        // titles; or the variant gets a title in running text after the major was named
        // bare (a headline or quote restates titles, as in the seed's 《…社员朱家清…》);
        // or the major is first introduced with a title after the variant appeared.
        let first_b = b_occ
            .iter()
            .map(|o| o.range.start)
            .min()
            .unwrap_or(usize::MAX);
        let role_conflict = b_occ.iter().any(|b| {
            b.role.as_deref().is_some_and(|r| {
                (!a_roles.is_empty() && !a_roles.contains(r))
                    || (!b.quoted && first_a < b.range.start && !a_roles.contains(r))
            })
        }) || first_titled_a.is_some_and(|a| first_b < a);
        let blocked = if !d.clear {
            Some("no clear majority")
        } else if same_sentence {
            Some("both spellings in one sentence: maybe two people")
        } else if role_conflict {
            Some("different titles: maybe two people")
        } else {
            None
        };
        let usable: Vec<&Occ> = b_occ
            .iter()
            .filter(|o| !o.doubtful && (!d.function_char || o.strong))
            .collect();
        plans.push((d, usable, nb_sure, blocked));
    }
    // Counts as they will be after this group's fixes: a fix makes the major stronger,
    // which may settle a variant seen twice (it needs the major at 3× its count).
    let mut fixed = vec![false; plans.len()];
    let mut na = na_sure;
    loop {
        let mut progress = false;
        for (k, (_, usable, nb, blocked)) in plans.iter().enumerate() {
            if fixed[k] || blocked.is_some() || usable.is_empty() {
                continue;
            }
            if na > *nb && (*nb <= 1 || na >= 3 * *nb) {
                fixed[k] = true;
                na += usable.len();
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    let major = major_key.string();
    let ev = evidence(group);
    for (k, (d, usable, _, blocked)) in plans.iter().enumerate() {
        for o in usable {
            if claimed.overlaps(&o.range) {
                continue;
            }
            claimed.push(o.range.clone());
            let edit = if fixed[k] {
                let conf = (0.7 + 0.05 * (group[0].1 as f32).min(5.0)).min(0.95);
                Edit {
                    range: o.range.clone(),
                    replacement: major.clone(),
                    confidence: conf,
                    kind: ChangeKind::Fix,
                    reason: format!(
                        "name variant: {} → {major} ({} at char {}; counts {ev}; {cues} context cues)",
                        d.minor.string(),
                        d.how,
                        d.pos + 1
                    )
                    .into(),
                }
            } else {
                let why = blocked.unwrap_or("no clear majority");
                Edit {
                    range: o.range.clone(),
                    replacement: d.minor.string(),
                    confidence: 0.3,
                    kind: ChangeKind::Suspect,
                    reason: format!(
                        "possible name variant of {major} ({}; counts {ev}): {why}",
                        d.how
                    )
                    .into(),
                }
            };
            edits.push(edit);
        }
    }
    // The major's own spans are settled too: a shorter pair must not rewrite them.
    for o in a_occ {
        if !claimed.overlaps(&o.range) {
            claimed.push(o.range.clone());
        }
    }
}

// ---------------------------------------------------------------------------------------
// --names-file

/// Explicit pairs, then variants of canonical names (those win whatever the counts).
fn file_edits(text: &str, o: &NamesOptions, claimed: &mut Claimed, edits: &mut Vec<Edit>) {
    for (v, c) in &o.variants {
        if v.is_empty() || v == c {
            continue;
        }
        let (nc, nv) = (
            text.matches(c.as_str()).count(),
            text.matches(v.as_str()).count(),
        );
        for (i, _) in text.match_indices(v.as_str()) {
            let r = i..i + v.len();
            if claimed.overlaps(&r) {
                continue;
            }
            claimed.push(r.clone());
            edits.push(Edit {
                range: r,
                replacement: c.clone(),
                confidence: 1.0,
                kind: ChangeKind::Fix,
                reason: format!("names file: {v} → {c} (counts {c}×{nc}, {v}×{nv})").into(),
            });
        }
    }
    if o.canonical.is_empty() {
        return;
    }
    let t = tables();
    let canon: HashSet<&str> = o.canonical.iter().map(String::as_str).collect();
    for c in &o.canonical {
        let cs: Vec<char> = c.chars().collect();
        if cs.len() < 2 {
            continue;
        }
        // For each position p, find the fixed rest of the name around one other char.
        let mut found: Vec<(Range<usize>, String, &'static str)> = Vec::new();
        for p in 0..cs.len() {
            let left: String = cs[..p].iter().collect();
            let right: String = cs[p + 1..].iter().collect();
            let anchor = if left.len() >= right.len() {
                &left
            } else {
                &right
            };
            for (i, _) in text.match_indices(anchor.as_str()) {
                let start = if anchor == &left {
                    i
                } else {
                    // right anchor: left part and the variable char come before it.
                    let Some(s) = text[..i].char_indices().rev().nth(p).map(|(s, _)| s) else {
                        continue;
                    };
                    s
                };
                let Some(span) = text[start..].char_indices().nth(cs.len()).map_or(
                    (text[start..].chars().count() == cs.len()).then_some(text.len() - start),
                    |(e, _)| Some(e),
                ) else {
                    continue;
                };
                let s = &text[start..start + span];
                let vs: Vec<char> = s.chars().collect();
                if vs.len() != cs.len() || s == c || canon.contains(s) {
                    continue;
                }
                let diff: Vec<usize> = (0..cs.len()).filter(|&k| vs[k] != cs[k]).collect();
                if diff != [p] || !is_han(vs[p]) {
                    continue;
                }
                if let Some(how) = similar(cs[p], vs[p], t) {
                    found.push((start..start + span, s.to_owned(), how));
                }
            }
        }
        found.sort_by_key(|f| f.0.start);
        found.dedup_by_key(|f| f.0.start);
        // Evidence for the report: how often each spelling occurs.
        let nc = text.matches(c.as_str()).count();
        let mut found_count: HashMap<String, usize> = HashMap::new();
        for f in &found {
            *found_count.entry(f.1.clone()).or_insert(0) += 1;
        }
        for (r, s, how) in found {
            if claimed.overlaps(&r) {
                continue;
            }
            claimed.push(r.clone());
            edits.push(Edit {
                range: r,
                replacement: c.clone(),
                confidence: 0.95,
                kind: ChangeKind::Fix,
                reason: format!(
                    "names file: {s} is a variant of canonical {c} ({how}; counts {c}×{nc}, {s}×{})",
                    found_count[&s]
                )
                .into(),
            });
        }
    }
}

#[cfg(test)]
mod tests;
