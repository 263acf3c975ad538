//! Edits recorded by stages, the change report, and the offset maps that place every
//! change both in the input (bytes) and in the output (chars).

use serde::Serialize;
use std::borrow::Cow;
use std::ops::Range;

/// What kind of change a record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The text was changed with good confidence.
    Fix,
    /// Information is lost here; the span is marked (or kept, with `--lossy keep`).
    Unrecoverable,
    /// Evidence was too weak to change anything; listed for a human to look at.
    Suspect,
    /// The decoder's choice for a segment of the input (no text change).
    Decode,
}

/// One replacement proposed by a stage, in the stage's input coordinates (bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
    pub confidence: f32,
    pub kind: ChangeKind,
    pub reason: Cow<'static, str>,
}

/// A stage's output built by the stage itself, for stages that change a lot (conversion
/// of a Traditional text makes a record per clause): no `String` per change, and the
/// pipeline need not rebuild the text. `spans` are `(range in the stage's input, range
/// in text)`, sorted and disjoint; each is one `Fix` with this confidence and reason.
#[derive(Debug, Default, Clone)]
pub struct Rewrite {
    pub text: String,
    pub spans: Vec<(Range<usize>, Range<usize>)>,
    pub confidence: f32,
    pub reason: Cow<'static, str>,
}

impl Rewrite {
    /// The changes as single edits, in the stage's input coordinates.
    fn edits(&self) -> Vec<Edit> {
        self.spans
            .iter()
            .map(|(old, new)| Edit {
                range: old.clone(),
                replacement: self.text[new.clone()].to_owned(),
                confidence: self.confidence,
                kind: ChangeKind::Fix,
                reason: self.reason.clone(),
            })
            .collect()
    }
}

/// The edits of one stage on one text. Edits must not overlap; `push` keeps them sorted.
#[derive(Debug, Default, Clone)]
pub struct Edits {
    edits: Vec<Edit>,
    rewrite: Option<Rewrite>,
}

impl Edits {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replace `range` with `replacement`.
    pub fn replace(
        &mut self,
        range: Range<usize>,
        replacement: impl Into<String>,
        confidence: f32,
        reason: impl Into<Cow<'static, str>>,
    ) {
        self.push(Edit {
            range,
            replacement: replacement.into(),
            confidence,
            kind: ChangeKind::Fix,
            reason: reason.into(),
        });
    }

    /// Add an edit of any kind. An edit whose replacement equals the text it covers is a
    /// report-only note (suspect, or unrecoverable kept as is).
    pub fn push(&mut self, edit: Edit) {
        debug_assert!(edit.range.start <= edit.range.end);
        match self.edits.last() {
            Some(last) if last.range.end > edit.range.start => {
                // Out of order: insert sorted; overlapping edits are dropped (first wins).
                let pos = self
                    .edits
                    .partition_point(|e| e.range.start < edit.range.start);
                let overlaps_prev = pos > 0 && self.edits[pos - 1].range.end > edit.range.start;
                let overlaps_next = pos < self.edits.len()
                    && (self.edits[pos].range.start < edit.range.end
                        || (edit.range.is_empty()
                            && self.edits[pos].range.start == edit.range.start));
                if !overlaps_prev && !overlaps_next {
                    self.edits.insert(pos, edit);
                }
            }
            _ => self.edits.push(edit),
        }
    }

    /// Hand over the stage's whole output instead of single edits (see [`Rewrite`]). A
    /// stage uses one form or the other; a rewrite without spans is no change.
    pub fn set_rewrite(&mut self, rewrite: Rewrite) {
        debug_assert!(self.edits.is_empty());
        if !rewrite.spans.is_empty() {
            self.rewrite = Some(rewrite);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.rewrite.is_none()
    }

    pub fn len(&self) -> usize {
        self.edits.len() + self.rewrite.as_ref().map_or(0, |r| r.spans.len())
    }

    /// Every change as an [`Edit`] in input coordinates, whichever form the stage used.
    pub fn list(&self) -> Vec<Edit> {
        match &self.rewrite {
            None => self.edits.clone(),
            Some(r) => r.edits(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Edit> {
        self.edits.iter()
    }

    pub fn into_vec(self) -> Vec<Edit> {
        self.edits
    }

    /// Apply the edits to `text`. Returns the new text and the applied map.
    pub fn apply(self, text: &str) -> (String, Applied, Vec<Edit>) {
        if let Some(rw) = self.rewrite {
            let edits = rw.edits();
            let spans = rw
                .spans
                .into_iter()
                .map(|(old, new)| Span { old, new })
                .collect();
            return (rw.text, Applied { spans }, edits);
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut spans = Vec::with_capacity(self.edits.len());
        let mut pos = 0;
        for e in &self.edits {
            let start = e.range.start.min(text.len());
            let end = e.range.end.min(text.len());
            out.push_str(&text[pos..start]);
            let new_start = out.len();
            out.push_str(&e.replacement);
            spans.push(Span {
                old: start..end,
                new: new_start..out.len(),
            });
            pos = end;
        }
        out.push_str(&text[pos..]);
        (out, Applied { spans }, self.edits)
    }
}

/// One applied replacement: `old` in the stage's input, `new` in its output.
#[derive(Debug, Clone, PartialEq)]
struct Span {
    old: Range<usize>,
    new: Range<usize>,
}

/// The offset map of one applied stage.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    spans: Vec<Span>,
}

impl Applied {
    /// Map an output offset of the stage back to its input. Offsets strictly inside a
    /// replacement map to the start (or, for `end == true`, the end) of what it replaced.
    pub fn to_old(&self, pos: usize, end: bool) -> usize {
        map_offset(&self.spans, pos, end, |s| (&s.new, &s.old))
    }

    /// Map an input offset of the stage forward to its output.
    pub fn to_new(&self, pos: usize, end: bool) -> usize {
        map_offset(&self.spans, pos, end, |s| (&s.old, &s.new))
    }

    pub fn is_identity(&self) -> bool {
        self.spans.is_empty()
    }
}

/// Map `pos` from the `from` side of the spans to their `to` side. A zero-width span
/// (deletion or insertion) puts a range start after it and a range end before it.
fn map_offset(
    spans: &[Span],
    pos: usize,
    end: bool,
    side: impl Fn(&Span) -> (&Range<usize>, &Range<usize>),
) -> usize {
    let i = spans.partition_point(|s| side(s).0.end < pos);
    if let Some(s) = spans.get(i) {
        let (from, to) = side(s);
        if from.start <= pos {
            if from.is_empty() {
                return if end { to.start } else { to.end };
            }
            if pos == from.start {
                return to.start;
            }
            if pos == from.end {
                return to.end;
            }
            // Same-length replacements (most t2s runs: 3-byte chars both sides) keep
            // positions inside them, so a change inside a converted run stays precise.
            if from.len() == to.len() {
                return to.start + (pos - from.start);
            }
            return if end { to.end } else { to.start };
        }
    }
    match i.checked_sub(1).and_then(|j| spans.get(j)) {
        Some(s) => {
            let (from, to) = side(s);
            to.end + (pos - from.end)
        }
        None => pos,
    }
}

/// A change in the final report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    /// Stage that made the change (`decode`, `mojibake`, `pinyin`, `html`, `convert`, `names`, `normalize`).
    pub stage: &'static str,
    pub kind: ChangeKind,
    /// Byte range in the original input.
    pub input_bytes: [usize; 2],
    /// Char range in the final output.
    pub output_chars: [usize; 2],
    pub before: String,
    pub after: String,
    pub confidence: f32,
    pub reason: String,
    /// 1-based record (line) number in JSON Lines mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// The file the change belongs to, in batch mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The text changed here (`before != after`); kept when a counting run leaves
    /// `before`/`after` empty.
    #[serde(skip)]
    pub changed: bool,
    /// How many changes this record stands for: 1, except in a counting run, which gives
    /// one record per (stage, kind, changed) with no text and no offsets.
    #[serde(skip)]
    pub count: u64,
}

/// A change while the pipeline runs: positions are still in intermediate texts.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub stage: &'static str,
    /// Index of the stage in the applied list whose output `out` refers to.
    pub applied_idx: usize,
    /// Range in the text the stage read (its input), mapped back to the decoded text later.
    pub input: Range<usize>,
    /// Range in the stage's output text.
    pub out: Range<usize>,
    pub before: String,
    pub after: String,
    pub confidence: f32,
    pub kind: ChangeKind,
    pub reason: String,
    pub changed: bool,
}

impl Pending {
    /// The final record; output chars are filled in by `finish`.
    fn into_change(self, input_bytes: [usize; 2]) -> Change {
        Change {
            stage: self.stage,
            kind: self.kind,
            input_bytes,
            output_chars: [0, 0],
            before: self.before,
            after: self.after,
            confidence: self.confidence,
            reason: self.reason,
            record: None,
            file: None,
            changed: self.changed,
            count: 1,
        }
    }
}

/// Collects the applied maps of every stage and the changes they made, and resolves
/// change positions to input bytes (via the decoded text) and output chars.
#[derive(Debug, Default)]
pub struct Tracker {
    applied: Vec<Applied>,
    pending: Vec<Pending>,
    /// Counts only: no `before` copies, no offset mapping (nobody reads the details).
    counting: bool,
    /// A counting tracker's changes: (stage, kind, changed, number), in order of first use.
    tally: Vec<(&'static str, ChangeKind, bool, u64)>,
}

impl Tracker {
    /// A tracker that records stage, kind and `changed` of each change but no text and no
    /// offsets: for runs whose changes are only counted.
    pub fn counting() -> Self {
        Tracker {
            counting: true,
            ..Tracker::default()
        }
    }

    pub fn new() -> Self {
        Self::default()
    }

    /// [`Tracker::new`] with `details`, else [`Tracker::counting`].
    pub fn with_details(details: bool) -> Self {
        if details {
            Self::new()
        } else {
            Self::counting()
        }
    }

    fn tally(&mut self, stage: &'static str, kind: ChangeKind, changed: bool, n: u64) {
        match self
            .tally
            .iter_mut()
            .find(|t| t.0 == stage && t.1 == kind && t.2 == changed)
        {
            Some(t) => t.3 += n,
            None => self.tally.push((stage, kind, changed, n)),
        }
    }

    /// Apply a stage's edits to `text`, remember the map and the changes.
    pub fn apply(&mut self, stage: &'static str, text: &str, edits: Edits) -> String {
        if edits.is_empty() {
            return text.to_owned();
        }
        if let Some(rw) = edits.rewrite {
            return self.apply_rewrite(stage, text, rw);
        }
        let (out, applied, edits) = edits.apply(text);
        let idx = self.applied.len();
        for (e, sp) in edits.into_iter().zip(applied.spans.iter()) {
            let old = text.get(sp.old.clone()).unwrap_or("");
            self.record(stage, idx, sp, old != e.replacement, || old.to_owned(), e);
        }
        if !self.counting {
            self.applied.push(applied);
        }
        out
    }

    /// [`apply`](Self::apply) on a text the caller gives up. The text is rewritten in its
    /// own buffer instead of copied, which spares a window-sized buffer and its page
    /// faults: front to back when the output never runs ahead of the input (entities,
    /// mojibake and width fixes shrink text; name fixes keep lengths), back to front when
    /// it never falls behind (a few conversions grow a char). Otherwise it is copied.
    pub fn apply_owned(&mut self, stage: &'static str, text: String, edits: Edits) -> String {
        if edits.rewrite.is_some()
            || !edits
                .edits
                .iter()
                .all(|e| text.get(e.range.clone()).is_some())
        {
            return self.apply(stage, &text, edits);
        }
        // How far the output runs ahead of the input after each edit.
        let (mut shift, mut lo, mut hi) = (0isize, 0isize, 0isize);
        for e in &edits.edits {
            shift += e.replacement.len() as isize - e.range.len() as isize;
            (lo, hi) = (lo.min(shift), hi.max(shift));
        }
        if hi > 0 {
            return if lo >= 0 {
                self.apply_growing(stage, text, edits, shift as usize)
            } else {
                self.apply(stage, &text, edits)
            };
        }
        let idx = self.applied.len();
        let mut spans = Vec::with_capacity(if self.counting { 0 } else { edits.len() });
        let mut bytes = text.into_bytes();
        // Bytes before `w` are output; bytes from `r` on are still input. Edits are sorted
        // and disjoint, and the output never runs ahead of the input (`hi == 0`), so
        // `w <= r` after each edit: writes never reach input not yet read.
        let (mut w, mut r) = (0, 0);
        for e in edits.edits {
            let (a, b) = (e.range.start, e.range.end);
            if w != r {
                bytes.copy_within(r..a, w);
            }
            w += a - r;
            let old = std::str::from_utf8(&bytes[a..b]).unwrap_or("");
            let changed = old != e.replacement;
            let before = if self.counting {
                String::new()
            } else {
                old.to_owned()
            };
            let n = e.replacement.len();
            if changed || w != a {
                bytes[w..w + n].copy_from_slice(e.replacement.as_bytes());
            }
            let sp = Span {
                old: a..b,
                new: w..w + n,
            };
            self.record(stage, idx, &sp, changed, move || before, e);
            if !self.counting {
                spans.push(sp);
            }
            (w, r) = (w + n, b);
        }
        let end = bytes.len();
        if w != r {
            bytes.copy_within(r..end, w);
        }
        bytes.truncate(w + (end - r));
        self.rewritten(spans, bytes)
    }

    /// The end of an in-place rewrite: keep the spans (with details), and the bytes as the
    /// text they are.
    fn rewritten(&mut self, spans: Vec<Span>, bytes: Vec<u8>) -> String {
        if !self.counting {
            self.applied.push(Applied { spans });
        }
        debug_assert!(std::str::from_utf8(&bytes).is_ok());
        // SAFETY: the callers write the input's UTF-8 cut at char boundaries (every range
        // was checked with `str::get`) with `&str` replacements in between.
        unsafe { String::from_utf8_unchecked(bytes) }
    }

    /// `apply_owned` for edits after each of which the output has run ahead of the input
    /// (by `grow` bytes at the end): the text grows in its own buffer, rewritten back to
    /// front, so that writes again never reach input not yet read. (A few t2s changes
    /// grow a char: 綎 → 𬘩.)
    fn apply_growing(
        &mut self,
        stage: &'static str,
        text: String,
        edits: Edits,
        grow: usize,
    ) -> String {
        let idx = self.applied.len();
        let len = text.len();
        let mut bytes = text.into_bytes();
        bytes.resize(len + grow, 0);
        // Bytes from `w` on are output; bytes before `r` are still input.
        let (mut w, mut r) = (len + grow, len);
        let mut seen: Vec<(bool, String)> = Vec::with_capacity(edits.len());
        for e in edits.edits.iter().rev() {
            let (a, b) = (e.range.start, e.range.end);
            bytes.copy_within(b..r, w - (r - b));
            w -= r - b;
            // Not overwritten yet: every write so far was at or after `b`.
            let old = std::str::from_utf8(&bytes[a..b]).unwrap_or("");
            let changed = old != e.replacement;
            seen.push((
                changed,
                if self.counting {
                    String::new()
                } else {
                    old.to_owned()
                },
            ));
            let n = e.replacement.len();
            bytes[w - n..w].copy_from_slice(e.replacement.as_bytes());
            (w, r) = (w - n, a);
        }
        debug_assert_eq!(w, r);
        let mut spans = Vec::with_capacity(if self.counting { 0 } else { edits.len() });
        let mut out = 0;
        for (e, (changed, before)) in edits.edits.into_iter().zip(seen.into_iter().rev()) {
            let (a, b) = (e.range.start, e.range.end);
            // `out`: how far the output has run ahead before this edit (never negative).
            let new = a + out..a + out + e.replacement.len();
            out = new.end - b;
            let sp = Span { old: a..b, new };
            self.record(stage, idx, &sp, changed, move || before, e);
            if !self.counting {
                spans.push(sp);
            }
        }
        self.rewritten(spans, bytes)
    }

    /// Remember one applied edit: its tally, or (with details) its texts and offsets.
    fn record(
        &mut self,
        stage: &'static str,
        idx: usize,
        sp: &Span,
        changed: bool,
        before: impl FnOnce() -> String,
        e: Edit,
    ) {
        if self.counting {
            // No maps, no text: a counting tracker never resolves offsets.
            self.tally(stage, e.kind, changed, 1);
            return;
        }
        self.pending.push(Pending {
            stage,
            applied_idx: idx,
            input: sp.old.clone(),
            out: sp.new.clone(),
            changed,
            before: before(),
            after: e.replacement,
            confidence: e.confidence,
            kind: e.kind,
            reason: e.reason.into_owned(),
        });
    }

    fn apply_rewrite(&mut self, stage: &'static str, text: &str, rw: Rewrite) -> String {
        let changed =
            |o: &Range<usize>, n: &Range<usize>| text.get(o.clone()) != rw.text.get(n.clone());
        if self.counting {
            let same = rw.spans.iter().filter(|(o, n)| !changed(o, n)).count() as u64;
            let all = rw.spans.len() as u64;
            if all > same {
                self.tally(stage, ChangeKind::Fix, true, all - same);
            }
            if same > 0 {
                self.tally(stage, ChangeKind::Fix, false, same);
            }
            return rw.text;
        }
        let idx = self.applied.len();
        let mut spans = Vec::with_capacity(rw.spans.len());
        self.pending.reserve(rw.spans.len());
        for (old, new) in &rw.spans {
            let (a, b) = (text.get(old.clone()).unwrap_or(""), &rw.text[new.clone()]);
            spans.push(Span {
                old: old.clone(),
                new: new.clone(),
            });
            self.pending.push(Pending {
                stage,
                applied_idx: idx,
                input: old.clone(),
                out: new.clone(),
                changed: a != b,
                before: a.to_owned(),
                after: b.to_owned(),
                confidence: rw.confidence,
                kind: ChangeKind::Fix,
                reason: rw.reason.to_string(),
            });
        }
        self.applied.push(Applied { spans });
        rw.text
    }

    /// Record a change that has no text edit of its own (decode notes), in the
    /// coordinates of the decoded text (before every stage). `before` is what the input
    /// held there, `edit.replacement` what the decoder made of it.
    pub fn note_decoded(&mut self, stage: &'static str, before: String, edit: Edit) {
        if self.counting {
            self.tally(stage, edit.kind, before != edit.replacement, 1);
            return;
        }
        self.pending.push(Pending {
            changed: before != edit.replacement,
            stage,
            applied_idx: usize::MAX,
            input: edit.range.clone(),
            out: edit.range,
            before,
            after: edit.replacement,
            confidence: edit.confidence,
            kind: edit.kind,
            reason: edit.reason.into_owned(),
        });
    }

    /// Number of changes recorded so far.
    pub fn change_count(&self) -> usize {
        self.pending.len() + self.tally.iter().map(|t| t.3 as usize).sum::<usize>()
    }

    /// Resolve every change: `to_input` maps an offset of the decoded text to an input
    /// byte offset; `output` is the final text.
    pub fn finish(self, output: &str, to_input: &dyn Fn(usize) -> usize) -> Vec<Change> {
        if self.counting {
            return self
                .tally
                .into_iter()
                .map(|(stage, kind, changed, count)| Change {
                    stage,
                    kind,
                    input_bytes: [0, 0],
                    output_chars: [0, 0],
                    before: String::new(),
                    after: String::new(),
                    confidence: 0.0,
                    reason: String::new(),
                    record: None,
                    file: None,
                    changed,
                    count,
                })
                .collect();
        }
        let n = self.applied.len();
        let mut changes = Vec::with_capacity(self.pending.len());
        let mut out_byte_ranges = Vec::with_capacity(self.pending.len());
        for p in self.pending {
            // Back to the decoded text: through the stages before this one.
            let (mut s, mut e) = (p.input.start, p.input.end);
            let first_after;
            if p.applied_idx == usize::MAX {
                first_after = 0;
            } else {
                for a in self.applied[..p.applied_idx].iter().rev() {
                    s = a.to_old(s, false);
                    e = a.to_old(e, true);
                }
                first_after = p.applied_idx + 1;
            }
            // Forward to the output: through the stages after this one.
            let (mut os, mut oe) = (p.out.start, p.out.end);
            for a in &self.applied[first_after.min(n)..] {
                os = a.to_new(os, false);
                oe = a.to_new(oe, true);
            }
            out_byte_ranges.push((os, oe.max(os)));
            changes.push(p.into_change([to_input(s), to_input(e.max(s))]));
        }
        byte_to_char_ranges(output, &out_byte_ranges, &mut changes);
        changes.sort_by_key(|c| (c.input_bytes[0], c.output_chars[0]));
        changes
    }
}

/// Number of chars in `s`: its length minus its UTF-8 continuation bytes (`10xxxxxx`),
/// counted eight bytes at a time.
pub fn count_chars(s: &str) -> usize {
    const LOW: u64 = 0x0101_0101_0101_0101;
    let b = s.as_bytes();
    let mut words = b.chunks_exact(8);
    let mut cont = 0usize;
    for w in &mut words {
        let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        // Bit 7 set and bit 6 clear, moved to bit 0 of each byte.
        cont += ((w >> 7) & !(w >> 6) & LOW).count_ones() as usize;
    }
    cont += words
        .remainder()
        .iter()
        .filter(|&&x| x & 0xC0 == 0x80)
        .count();
    b.len() - cont
}

/// Convert byte offsets in `text` to char offsets in one pass over sorted positions.
fn byte_to_char_ranges(text: &str, ranges: &[(usize, usize)], changes: &mut [Change]) {
    let mut points: Vec<(usize, usize, bool)> = Vec::with_capacity(ranges.len() * 2);
    for (i, &(s, e)) in ranges.iter().enumerate() {
        points.push((s, i, false));
        points.push((e, i, true));
    }
    points.sort_unstable();
    let mut chars = 0usize;
    let mut byte = 0usize;
    for (target, i, is_end) in points {
        // Round a position inside a char up to the next boundary.
        let mut t = target.min(text.len());
        while !text.is_char_boundary(t) {
            t += 1;
        }
        if t > byte {
            chars += count_chars(&text[byte..t]);
            byte = t;
        }
        if is_end {
            changes[i].output_chars[1] = chars;
        } else {
            changes[i].output_chars[0] = chars;
        }
    }
}

/// A readable one-line description of a change, for `--explain`.
pub fn explain_line(c: &Change) -> String {
    format!(
        "{:<9} {:<13} bytes {}..{} chars {}..{}  {:?} -> {:?}  ({:.2}) {}",
        c.stage,
        format!("{:?}", c.kind).to_lowercase(),
        c.input_bytes[0],
        c.input_bytes[1],
        c.output_chars[0],
        c.output_chars[1],
        truncate(&c.before, 40),
        truncate(&c.after, 40),
        c.confidence,
        c.reason
    )
}

fn truncate(s: &str, n: usize) -> Cow<'_, str> {
    if s.chars().count() <= n {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().take(n).chain("…".chars()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rewrite and the same changes as single edits give the same text and report,
    /// in both tracker modes.
    #[test]
    fn rewrite_equals_edits() {
        let text = "ab這個cd說e";
        let mut plain = Edits::new();
        plain.replace(2..8, "这个", 0.99, "r");
        plain.replace(10..13, "说", 0.99, "r");
        let mut rw = Edits::new();
        rw.set_rewrite(Rewrite {
            text: "ab这个cd说e".into(),
            spans: vec![(2..8, 2..8), (10..13, 10..13)],
            confidence: 0.99,
            reason: "r".into(),
        });
        assert_eq!(rw.list(), plain.list());
        let (a, b) = (plain.clone().apply(text), rw.clone().apply(text));
        assert_eq!((a.0, a.2), (b.0, b.2));
        assert_eq!(a.1.to_new(9, false), b.1.to_new(9, false));
        for counting in [false, true] {
            let run = |e: Edits| {
                let mut t = Tracker::with_details(!counting);
                let out = t.apply("convert", text, e);
                let ch = t.finish(&out, &|p| p);
                (out, ch)
            };
            assert_eq!(run(plain.clone()), run(rw.clone()));
        }
    }

    /// `apply_owned` rewrites the text in place when no edit grows (same-length and
    /// shrinking edits, notes) and falls back to a copy otherwise; either way text and
    /// report equal `apply`'s, in both tracker modes, also after an earlier stage that
    /// changed lengths.
    #[test]
    fn apply_owned_equals_apply() {
        let text = "甲學(xué)朱家清说，朱家清、乙";
        let mut first = Edits::new();
        let (s, e) = (text.find('(').unwrap(), text.find(')').unwrap() + 1);
        first.replace(s..e, "", 0.99, "annotation");
        let mid = "甲學朱家清说，朱家清、乙";
        let jia: Vec<usize> = mid.match_indices("家").map(|(i, _)| i).collect();
        // A note: replacement equals the text (unchanged, but reported).
        let note = || Edit {
            range: jia[1] - 3..jia[1],
            replacement: "朱".into(),
            confidence: 0.5,
            kind: ChangeKind::Suspect,
            reason: "note".into(),
        };
        let mut same = Edits::new();
        same.replace(jia[0]..jia[0] + 3, "佳", 0.9, "name");
        same.push(note());
        same.replace(jia[1]..jia[1] + 3, "佳", 0.9, "name");
        let mut longer = Edits::new();
        longer.replace(0..3, "甲乙", 0.9, "grow");
        // Growing, same-length and shrinking edits whose output stays ahead of the input
        // (rewritten back to front), with an unchanged note.
        let mut ahead = Edits::new();
        ahead.replace(0..3, "甲乙", 0.9, "grow");
        ahead.replace(jia[0]..jia[0] + 3, "佳", 0.9, "name");
        ahead.push(note());
        ahead.replace(jia[1]..jia[1] + 3, "", 0.9, "shrink");
        ahead.replace(mid.len() - 3..mid.len(), "乙丙丁", 0.9, "grow end");
        // Behind, then ahead: neither direction works in place.
        let mut both = Edits::new();
        both.replace(0..6, "甲", 0.9, "shrink");
        both.replace(jia[0]..jia[0] + 3, "佳佳佳", 0.9, "grow");
        // A growing edit after shrinking ones that stays behind the input.
        let mut behind = Edits::new();
        behind.replace(0..6, "", 0.9, "drop");
        behind.replace(jia[1]..jia[1] + 3, "佳佳", 0.9, "grow");
        // Shrinking edits around an unchanged note and a same-length one.
        let mut shrink = Edits::new();
        shrink.replace(0..3, "", 0.9, "drop");
        shrink.push(Edit {
            range: 3..6,
            replacement: "學".into(),
            confidence: 0.5,
            kind: ChangeKind::Suspect,
            reason: "note".into(),
        });
        shrink.replace(jia[0] - 3..jia[0] + 6, "朱清", 0.9, "shorter");
        shrink.replace(jia[1]..jia[1] + 3, "佳", 0.9, "name");
        shrink.replace(mid.len() - 3..mid.len(), "", 0.9, "drop end");
        for second in [same, longer, shrink, ahead, both, behind] {
            for counting in [false, true] {
                let run = |owned: bool| {
                    let mut t = Tracker::with_details(!counting);
                    let t1 = if owned {
                        t.apply_owned("pinyin", text.to_owned(), first.clone())
                    } else {
                        t.apply("pinyin", text, first.clone())
                    };
                    assert_eq!(t1, mid);
                    let out = if owned {
                        t.apply_owned("names", t1, second.clone())
                    } else {
                        t.apply("names", &t1, second.clone())
                    };
                    let ch = t.finish(&out, &|p| p);
                    (out, ch)
                };
                let (a, b) = (run(false), run(true));
                assert_eq!(a, b);
                assert_ne!(a.0, mid);
                assert!(a.1.len() >= 2);
            }
        }
    }

    #[test]
    fn apply_and_map_offsets() {
        let text = "ab學(xué)cd";
        let mut ed = Edits::new();
        let s = text.find('(').unwrap();
        let e = text.find(')').unwrap() + 1;
        ed.replace(s..e, "", 0.99, "annotation");
        let (out, map, _) = ed.apply(text);
        assert_eq!(out, "ab學cd");
        assert_eq!(
            map.to_old(out.find('c').unwrap(), false),
            text.find('c').unwrap()
        );
        assert_eq!(
            map.to_new(text.find('c').unwrap(), false),
            out.find('c').unwrap()
        );
        assert_eq!(map.to_new(0, false), 0);
    }

    #[test]
    fn tracker_resolves_through_stages() {
        let mut t = Tracker::new();
        let text = "x學(xué)y臺z";
        let mut e1 = Edits::new();
        let s = text.find('(').unwrap();
        let e = text.find(')').unwrap() + 1;
        e1.replace(s..e, "", 0.99, "annotation");
        let t1 = t.apply("pinyin", text, e1);
        assert_eq!(t1, "x學y臺z");
        let mut e2 = Edits::new();
        let p = t1.find('臺').unwrap();
        e2.replace(p..p + 3, "台", 1.0, "t2s");
        let t2 = t.apply("convert", &t1, e2);
        assert_eq!(t2, "x學y台z");
        let ch = t.finish(&t2, &|p| p);
        assert_eq!(ch.len(), 2);
        assert_eq!(ch[0].stage, "pinyin");
        assert_eq!(ch[0].input_bytes, [s, e]);
        assert_eq!(ch[0].output_chars, [2, 2]);
        assert_eq!(ch[1].stage, "convert");
        assert_eq!(
            ch[1].input_bytes,
            [text.find('臺').unwrap(), text.find('臺').unwrap() + 3]
        );
        assert_eq!(ch[1].output_chars, [3, 4]);
    }

    #[test]
    fn positions_inside_same_length_replacements_stay_precise() {
        let mut t = Tracker::new();
        let text = "商鋪租?00萬";
        let q = text.find('?').unwrap();
        let mut e1 = Edits::new();
        e1.push(Edit {
            range: q..q + 1,
            replacement: "?".into(),
            confidence: 1.0,
            kind: ChangeKind::Unrecoverable,
            reason: "lost".into(),
        });
        let t1 = t.apply("pinyin", text, e1);
        let mut e2 = Edits::new();
        e2.replace(0..t1.len(), "商铺租?00万", 1.0, "t2s run");
        let t2 = t.apply("convert", &t1, e2);
        let ch = t.finish(&t2, &|p| p);
        let lost = ch.iter().find(|c| c.stage == "pinyin").unwrap();
        assert_eq!(lost.output_chars, [3, 4]);
        assert_eq!(lost.input_bytes, [q, q + 1]);
    }

    #[test]
    fn count_chars_matches_std() {
        for s in [
            "",
            "a",
            "中文",
            "ab中文cd€𝄞x",
            &"混合 mixed 文本 😀".repeat(13),
        ] {
            assert_eq!(count_chars(s), s.chars().count(), "{s:?}");
        }
    }

    #[test]
    fn out_of_order_and_overlapping_edits() {
        let mut ed = Edits::new();
        ed.replace(4..5, "b", 1.0, "r");
        ed.replace(0..1, "a", 1.0, "r");
        ed.replace(0..2, "zz", 1.0, "overlap: dropped");
        let (out, _, _) = ed.apply("01234");
        assert_eq!(out, "a123b");
    }
}
