//! The conversion engine: OpenCC 1.4.2's maximum forward matching over flattened
//! dictionary groups, with daachorse leftmost-longest automata.
//!
//! OpenCC (SingleStageConverter + MaxMatchSegmentation + ConversionChain):
//! 1. normalization: the whole text is one segment, converted with its chain;
//! 2. segmentation (if the config has one): longest matches of the segmentation
//!    dictionary become segments; unmatched text between them forms one segment;
//! 3. every segment goes through every step of the chain in turn, each step a
//!    maximum forward match inside the segment.
//!
//! Where no key matches and the text starts a complete Ideographic Description
//! Sequence (⿰氵青 ...), OpenCC skips the whole sequence unconverted; so do we.

use super::dict::{self, ConfigSpec, FastMap, FastSet, Flat, Node};
use super::protect::Classes;
use crate::error::{Error, Result};
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use std::ops::Range;

/// One dictionary (group), compiled.
pub(crate) struct Table {
    ac: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    /// Direct tables instead of the automaton when the dictionary has few phrases.
    direct: Option<Direct>,
    /// All values in one string (good locality); `spans[id]` is a value's range.
    arena: String,
    spans: Vec<(u32, u32)>,
    /// Per value: `SAME` (the value equals its key: the match changes nothing),
    /// `GB_KEY` (the key has a GB2312 hanzi: Simplified protection must look at it).
    flags: Vec<u8>,
    first: FirstChars,
    /// Every character of every key: a character outside it cannot be inside a match.
    keychars: FirstChars,
    /// With Simplified protection: the characters that can make a match produce a
    /// change on their own (non-GB2312 key characters, and every character of a key
    /// whose value has another length). Text without them changes only near them.
    trig: FirstChars,
}

/// Dictionaries with at most this many multi-character keys use `Direct`.
const DIRECT_MAX_PHRASES: usize = 5000;

/// Per-character tables for forward maximum matching: a character's entry gives its
/// own value and the phrases that begin with it, longest first. Faster than an
/// automaton when phrases are few (all steps of the `*2s` configs), and it follows
/// OpenCC's loop literally: at each position the longest key, else one character
/// (or one whole Ideographic Description Sequence) unchanged.
struct Direct {
    /// BMP code point → packed action (see the `A_*` constants; 0: nothing to do).
    /// One load per character: the hot loop needs nothing else for most characters.
    act: Box<[u64; 0x10000]>,
    astral: std::collections::HashMap<char, u64>,
    /// The characters whose action is not 0, as an 8 KiB bitmap (L1-resident, unlike
    /// `act`): outside a record `dense` skips the others (most of Simplified text).
    /// None when an ASCII character has an action (`FirstChars::find` passes ASCII).
    live: Option<FirstChars>,
    /// `act` in short form for `hot_run` (`short`): half the cache lines. Built
    /// by `prepare_hot` for the one table that `dense` scans.
    act32: Option<Box<[u32; 0x10000]>>,
    /// `hot_run` maps 16 three-byte characters at once (`Simd::map3`) where the CPU can.
    simd: Option<crate::scan::Simd>,
    /// By `act32` tag: the second-character filter of the phrase group (0: no
    /// group; all ones: always look closer).
    tag_mask: Box<[u64; 256]>,
    /// Phrase groups by first character: range in `phrases`, and a filter of the
    /// phrases' second characters (`second_bit`) that rejects most positions at once.
    groups: Vec<(u32, u32, u64)>,
    phrases: Vec<(Box<str>, u32)>,
    /// Bit `b`: `act[b * ACT_BLOCK..]` has a nonzero entry. Building reads only those
    /// blocks: `act` is allocated zeroed, and a page never touched costs no fault.
    blocks: u128,
}

/// `act` entries per bit of `Direct::blocks` (one 4 KiB page).
const ACT_BLOCK: usize = 0x10000 / 128;

/// State of `Direct::hot_run`: output length, and `Sink`'s `cur` (when `open`)
/// and `committed`.
struct Hot {
    o: usize,
    open: bool,
    cstart: usize,
    cend: usize,
    committed: usize,
}

/// Why `Direct::hot_run` stopped.
enum HotStop {
    /// At a character it does not handle, or at the end.
    More,
    /// At a phrase: (end, value id).
    Phrase((usize, u32)),
    /// The record ends: the sink must flush.
    Flush,
}

/// `Direct::act32` bits 0..24: the UTF-8 bytes of a one-character value of three
/// bytes (0: the character stays).
const S_BYTES: u32 = (1 << 24) - 1;
/// Bits 24..32: the tag. 0: nothing more; 1..=254: phrase group + 1; `S_TAG_SLOW`:
/// look at the full action (ideographic description, normalization, a value that
/// is not one three-byte character, a group number too large for the tag).
const S_TAG_SHIFT: u32 = 24;
const S_TAG_SLOW: u32 = 255;

/// The short form of the action `a` of an `l`-byte character (`Direct::act32`).
/// A one-byte character with an action is looked at closer (`Sink::step` treats
/// some bytes apart).
fn short(a: u64, l: u64) -> u32 {
    let id = (a >> A_ID_SHIFT) & A_ID_MAX;
    let ol = (a >> A_LEN_SHIFT) & 3;
    let g = (a >> A_GROUP_SHIFT) & A_GROUP_MAX;
    let slow = a & (A_IDC | A_NORM) != 0 || (id != 0 && ol != l) || g >= 255;
    let tag = if slow || (l == 1 && a != 0) {
        S_TAG_SLOW
    } else {
        g as u32
    };
    let bytes = if id != 0 && ol == l {
        (a & A_BYTES) as u32
    } else {
        0
    };
    (tag << S_TAG_SHIFT) | bytes
}

fn short_table(act: &[u64; 0x10000], blocks: u128) -> Option<Box<[u32; 0x10000]>> {
    // Zeroed (untouched pages stay free) and filled where `act` is not 0: a
    // process start builds it, so it should cost little.
    let mut t: Box<[u32; 0x10000]> = vec![0u32; 0x10000].into_boxed_slice().try_into().ok()?;
    for c in block_range(blocks) {
        let a = act[c];
        if a != 0 {
            t[c] = short(a, utf8_len_of(c));
        }
    }
    Some(t)
}

/// The `act` indices of the blocks of `blocks` (see `Direct::blocks`).
fn block_range(blocks: u128) -> impl Iterator<Item = usize> {
    (0..128)
        .filter(move |b| blocks >> b & 1 != 0)
        .flat_map(|b| b * ACT_BLOCK..(b + 1) * ACT_BLOCK)
}

/// Input bytes per `Direct::hot_run` call.
const HOT_CHUNK: usize = 768;

/// `act` bits 0..24: the value as UTF-8 bytes (little-endian) when it is one
/// character of at most 3 bytes and has no flags: the caller may copy it without a
/// lookup ("fast").
const A_BYTES: u64 = (1 << 24) - 1;
/// Bits 24..26: length of the fast value (0: not fast).
const A_LEN_SHIFT: u32 = 24;
/// Bits 26..46: value id + 1 of the single-character key (0: none).
const A_ID_SHIFT: u32 = 26;
const A_ID_MAX: u64 = (1 << 20) - 1;
/// Bits 46..59: phrase group + 1 (0: no phrase begins with the character).
const A_GROUP_SHIFT: u32 = 46;
const A_GROUP_MAX: u64 = (1 << 13) - 1;
/// The character is an ideographic description character (U+2FF0..U+2FFF).
const A_IDC: u64 = 1 << 63;
/// The character begins a normalization key (`Direct::mark_norm`): `dense` stops.
const A_NORM: u64 = 1 << 62;

/// Filter bit of the character that begins at `b[0]` (`b` holds at least one byte):
/// its first two UTF-8 bytes, hashed into 0..64.
#[inline]
fn second_bit(b0: u8, b1: u8) -> u64 {
    let b1 = if b0 >= 0x80 { b1 } else { 0 };
    1u64 << ((u32::from(b0).wrapping_mul(7) ^ u32::from(b1)) & 63)
}

impl Direct {
    /// `fast(id)`: the value of key `id` as one character, when the caller may use it
    /// as is. None when the ids or groups do not fit the packed table.
    fn new<'a>(
        pats: impl Iterator<Item = (&'a str, u32)>,
        fast: impl Fn(u32) -> Option<char>,
    ) -> Option<Direct> {
        let mut act = vec![0u64; 0x10000].into_boxed_slice();
        let mut blocks = 0u128;
        for c in 0x2FF0..=0x2FFF {
            act[c] = A_IDC;
            blocks |= 1 << (c / ACT_BLOCK);
        }
        let mut astral: std::collections::HashMap<char, u64> = std::collections::HashMap::new();
        let mut by_char: Vec<Vec<(Box<str>, u32)>> = Vec::new();
        let mut group_of: FastMap<char, usize> = FastMap::default();
        for (k, v) in pats {
            let Some(c) = k.chars().next() else { continue };
            let a = if (c as u32) < 0x10000 {
                blocks |= 1 << (c as usize / ACT_BLOCK);
                &mut act[c as usize]
            } else {
                astral.entry(c).or_insert(0)
            };
            if k.len() == c.len_utf8() {
                if u64::from(v) + 1 > A_ID_MAX {
                    return None;
                }
                let mut x = (u64::from(v) + 1) << A_ID_SHIFT;
                if let Some(ch) = fast(v).filter(|ch| ch.len_utf8() <= 3) {
                    let mut w = [0u8; 4];
                    ch.encode_utf8(&mut w);
                    x |= u64::from(u32::from_le_bytes(w)) | ((ch.len_utf8() as u64) << A_LEN_SHIFT);
                }
                *a = (*a & !((A_ID_MAX << A_ID_SHIFT) | (3 << A_LEN_SHIFT) | A_BYTES)) | x;
            } else {
                let g = *group_of.entry(c).or_insert_with(|| {
                    by_char.push(Vec::new());
                    by_char.len() - 1
                });
                if g as u64 + 1 > A_GROUP_MAX {
                    return None;
                }
                *a = (*a & !(A_GROUP_MAX << A_GROUP_SHIFT)) | ((g as u64 + 1) << A_GROUP_SHIFT);
                by_char[g].push((k.into(), v));
            }
        }
        let mut phrases = Vec::new();
        let mut groups = Vec::with_capacity(by_char.len());
        for mut list in by_char {
            list.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
            let start = phrases.len() as u32;
            let mut mask = 0u64;
            for (k, _) in &list {
                let l = k.chars().next().map_or(1, char::len_utf8);
                let b = k.as_bytes();
                mask |= second_bit(b[l], b.get(l + 1).copied().unwrap_or(0));
            }
            phrases.extend(list);
            groups.push((start, phrases.len() as u32, mask));
        }
        let act: Box<[u64; 0x10000]> = act.try_into().ok()?;
        let mut live = FirstChars::new();
        for u in block_range(blocks).filter(|&u| act[u] != 0) {
            live.add(char::from_u32(u as u32).unwrap_or('\0'));
        }
        // Any astral character stops the skip (then `action` looks it up).
        live.astral = !astral.is_empty();
        let ascii_free = blocks & 1 == 0 || act[..0x80].iter().all(|&a| a == 0);
        let live = ascii_free.then_some(live);
        let mut tag_mask = Box::new([0u64; 256]);
        for (t, g) in tag_mask[1..255].iter_mut().zip(&groups) {
            *t = g.2;
        }
        tag_mask[S_TAG_SLOW as usize] = u64::MAX;
        Some(Direct {
            act,
            astral,
            live,
            act32: None,
            simd: None,
            tag_mask,
            groups,
            phrases,
            blocks,
        })
    }

    /// Flag `chars` (the first characters of the normalization keys) so that `dense`
    /// stops at them.
    fn mark_norm(&mut self, chars: &[char]) {
        for &c in chars {
            if (c as u32) < 0x10000 {
                self.act[c as usize] |= A_NORM;
                self.blocks |= 1 << (c as usize / ACT_BLOCK);
            } else {
                *self.astral.entry(c).or_insert(0) |= A_NORM;
            }
            match &mut self.live {
                Some(l) if !c.is_ascii() => l.add(c),
                _ => self.live = None,
            }
        }
    }

    /// Build `act32` (after `mark_norm`): `dense` then runs its hot loop.
    fn prepare_hot(&mut self) {
        self.act32 = short_table(&self.act, self.blocks);
        self.simd = crate::scan::Simd::get();
    }

    /// The packed action of the character at `p` of `b` (valid UTF-8), and its
    /// length.
    #[inline(always)]
    fn action(&self, text: &str, p: usize) -> (u64, usize) {
        let b = text.as_bytes();
        let b0 = b[p];
        if b0 < 0x80 {
            (self.act[usize::from(b0)], 1)
        } else if (0xE0..0xF0).contains(&b0) {
            let c = (usize::from(b0 & 0x0F) << 12)
                | (usize::from(b[p + 1] & 0x3F) << 6)
                | usize::from(b[p + 2] & 0x3F);
            (self.act[c], 3)
        } else if b0 < 0xE0 {
            let c = (usize::from(b0 & 0x1F) << 6) | usize::from(b[p + 1] & 0x3F);
            (self.act[c], 2)
        } else if self.astral.is_empty() {
            (0, 4)
        } else {
            let a = text[p..]
                .chars()
                .next()
                .and_then(|ch| self.astral.get(&ch).copied())
                .unwrap_or(0);
            (a, 4)
        }
    }

    /// The longest phrase of the group of `a` at `p` of `text[..n]`: (end, value id).
    #[inline(always)]
    fn phrase(&self, text: &str, p: usize, l: usize, n: usize, a: u64) -> Option<(usize, u32)> {
        let g = (a >> A_GROUP_SHIFT) & A_GROUP_MAX;
        if g == 0 || p + l >= n {
            return None;
        }
        let b = text.as_bytes();
        let (gs, ge, mask) = self.groups[g as usize - 1];
        if mask & second_bit(b[p + l], b.get(p + l + 1).copied().unwrap_or(0)) == 0 {
            return None;
        }
        let rest = &b[p..n];
        // The first character matches by construction; compare the rest.
        self.phrases[gs as usize..ge as usize]
            .iter()
            .find(|(k, _)| {
                let k = k.as_bytes();
                k.len() <= rest.len() && k[l..] == rest[l..k.len()]
            })
            .map(|(k, v)| (p + k.len(), *v))
    }

    /// Forward maximum matching: `f(start, end, value_id)` for every match; `f`
    /// returns false to stop early.
    #[inline]
    fn scan(&self, text: &str, mut f: impl FnMut(usize, usize, u32) -> bool) {
        let n = text.len();
        let mut p = 0;
        while p < n {
            let (a, l) = self.action(text, p);
            if a == 0 {
                p += l;
                continue;
            }
            if let Some((e, v)) = self.phrase(text, p, l, n, a) {
                if !f(p, e, v) {
                    return;
                }
                p = e;
                continue;
            }
            let id = (a >> A_ID_SHIFT) & A_ID_MAX;
            if id != 0 {
                if !f(p, p + l, (id - 1) as u32) {
                    return;
                }
                p += l;
                continue;
            }
            if a & A_IDC != 0 {
                let k = ids_len(&text[p..]);
                if k > 0 {
                    p += k;
                    continue;
                }
            }
            p += l;
        }
    }

    /// The common case of `dense`: each character is copied or replaced by one of
    /// the same length (`Sink::step`'s hot case, or the start of a record). Needs
    /// `sink.w == p` when a record is open. Stops at the first character it does
    /// not handle, or after ending the record; returns where, and the phrase that
    /// matched there.
    #[inline(always)]
    fn hot(
        &self,
        text: &str,
        mut p: usize,
        n: usize,
        sink: &mut Sink<'_>,
    ) -> (usize, Option<(usize, u32)>) {
        let Some(act32) = self.act32.as_deref() else {
            return (p, None);
        };
        let cur = sink.cur.clone();
        let mut st = Hot {
            o: sink.len,
            open: cur.is_some(),
            cstart: cur.as_ref().map_or(0, |c| c.start),
            cend: cur.as_ref().map_or(0, |c| c.end),
            committed: sink.committed,
        };
        let mut found = None;
        let mut end_record = false;
        while p < n {
            // Chunks: the buffer is zero-filled ahead (indexed writes, no capacity
            // check per character), at most 4 bytes out per character in.
            let e = (p + HOT_CHUNK).min(n);
            sink.len = st.o;
            // (64: the blocks of `hot_run` write 64 bytes for 48.)
            sink.room(e - p + 64);
            let stop = self.hot_run(act32, text, p, e, n, &mut sink.buf, &mut st);
            p = stop.0;
            match stop.1 {
                HotStop::More if p >= e => continue,
                HotStop::Phrase(m) => found = Some(m),
                HotStop::Flush => end_record = true,
                HotStop::More => {}
            }
            break;
        }
        sink.len = st.o;
        if st.open {
            sink.cur = Some(st.cstart..st.cend);
            sink.w = p;
            sink.committed = st.committed;
        }
        if end_record {
            sink.flush();
        }
        (p, found)
    }

    /// True when the character at `p` is a three-byte one replaced by another
    /// (`hot_run` begins a record there).
    #[inline]
    fn opens(&self, b: &[u8], p: usize) -> bool {
        match b.get(p..p + 3) {
            Some(&[b0, b1, b2]) if b0 & 0xF0 == 0xE0 => {
                let c = (usize::from(b0 & 0x0F) << 12)
                    | (usize::from(b1 & 0x3F) << 6)
                    | usize::from(b2 & 0x3F);
                let r = self.act32.as_ref().map_or(0, |t| t[c]);
                r & S_BYTES != 0 && r >> S_TAG_SHIFT != S_TAG_SLOW
            }
            _ => false,
        }
    }

    /// The loop of `hot` over the characters that begin in `text[p..e]` (`buf` has
    /// room for 4 bytes per character; phrases may reach `n`): characters of one to
    /// three bytes replaced by one of the same length or kept, the state in
    /// registers. Without an open record it stops at the first character that stays
    /// (the caller skips those faster).
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn hot_run(
        &self,
        act32: &[u32; 0x10000],
        text: &str,
        mut p: usize,
        e: usize,
        n: usize,
        buf: &mut [u8],
        st: &mut Hot,
    ) -> (usize, HotStop) {
        let b = text.as_bytes();
        let tag_mask: &[u64; 256] = &self.tag_mask;
        let (mut o, mut cend, mut committed) = (st.o, st.cend, st.committed);
        let mut stop = HotStop::More;
        // Blocks of 16 characters are tried from here on (past a character that made
        // the last one give way).
        let mut block_from = p;
        while p < e {
            if let Some(simd) = self
                .simd
                .filter(|_| st.open && p >= block_from && p + 48 <= e)
            {
                let Some(m) = simd.map3(b, p, act32, buf, o) else {
                    block_from = e;
                    continue;
                };
                let k = self.block_fits(b, p, act32, m, p - cend);
                let changed = m.changed & ((1u32 << k) - 1) as u16;
                if changed != 0 {
                    // Just after the last changed character.
                    let j = 3 * (16 - changed.leading_zeros() as usize);
                    (cend, committed) = (p + j, o + j);
                }
                p += 3 * k;
                o += 3 * k;
                if k < 16 {
                    // The next character is the one loop below's.
                    block_from = p + 1;
                }
                continue;
            }
            // One load and bounds check for the character and the next one's first
            // two bytes (the phrase filter).
            let Some(w) = b.get(p..p + 8) else { break };
            let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            let b0 = x as u8;
            let (c, l) = if b0 & 0xF0 == 0xE0 {
                let c = (usize::from(b0 & 0x0F) << 12)
                    | (usize::from((x >> 8) as u8 & 0x3F) << 6)
                    | usize::from((x >> 16) as u8 & 0x3F);
                (c, 3)
            } else if (0x30..0x80).contains(&b0) {
                // (Bytes below 0x30 end a record: `Sink::step`.)
                (usize::from(b0), 1)
            } else if b0 & 0xE0 == 0xC0 {
                let c = (usize::from(b0 & 0x1F) << 6) | usize::from((x >> 8) as u8 & 0x3F);
                (c, 2)
            } else {
                break;
            };
            let mut r = act32[c];
            // No branch on whether a phrase begins here (unpredictable): the filter
            // of the character's phrase group, 0 for none, all ones for `S_SLOW`.
            let f = tag_mask[(r >> S_TAG_SHIFT) as usize];
            let next = x >> (8 * l);
            if f & second_bit(next as u8, (next >> 8) as u8) != 0 {
                match self.hot_slow(text, p, l, n, c) {
                    Ok(v) => r = v,
                    Err(s) => {
                        stop = s;
                        break;
                    }
                }
            }
            // Masks, not branches: whether a character changes is unpredictable.
            let v = r & S_BYTES;
            let changed = v != 0;
            if !st.open {
                if !changed {
                    break;
                }
                // A record begins (`Sink::push_bytes`).
                st.open = true;
                st.cstart = p;
            }
            let m = 0u32.wrapping_sub(u32::from(changed));
            let word = (v & m) | (x as u32 & !m);
            let Some(dst) = buf.get_mut(o..o + 4) else {
                break;
            };
            dst.copy_from_slice(&word.to_le_bytes());
            o += l;
            p += l;
            let mm = 0usize.wrapping_sub(usize::from(changed));
            cend = (p & mm) | (cend & !mm);
            committed = (o & mm) | (committed & !mm);
            if p - cend > 48 {
                stop = HotStop::Flush;
                break;
            }
        }
        (st.o, st.cend, st.committed) = (o, cend, committed);
        (p, stop)
    }

    /// How many of the characters at `p` that `Simd::map3` mapped (`m`) `hot_run`
    /// may take as they are, `gap` bytes after the end of the open record: those
    /// before the first that may begin a phrase (a tagged one that its group's
    /// filter does not rule out), and before the one where the record ends (the
    /// first unchanged one more than 48 bytes after it, unless a changed one comes
    /// first).
    #[inline]
    fn block_fits(
        &self,
        b: &[u8],
        p: usize,
        act32: &[u32; 0x10000],
        m: crate::scan::Mapped,
        gap: usize,
    ) -> usize {
        let mut k = m.n;
        let mut t = m.tagged;
        while t != 0 {
            let q = p + 3 * t.trailing_zeros() as usize;
            let c = (usize::from(b[q] & 0x0F) << 12)
                | (usize::from(b[q + 1] & 0x3F) << 6)
                | usize::from(b[q + 2] & 0x3F);
            let f = self.tag_mask[(act32[c] >> S_TAG_SHIFT) as usize];
            if f & second_bit(b[q + 3], b[q + 4]) != 0 {
                k = (q - p) / 3;
                break;
            }
            t &= t - 1;
        }
        let first_change = (m.changed as u32 | 1 << 16).trailing_zeros() as usize;
        match 48usize.checked_sub(gap).map(|room| room / 3) {
            Some(last) if first_change > last => k.min(last),
            Some(_) => k,
            None => 0,
        }
    }

    /// `hot_run` at character `c` (`l` bytes at `p`) when its short action says
    /// look closer: the value bytes (0: unchanged) when it is copied or replaced
    /// alone after all, else why the loop stops.
    #[cold]
    #[inline(never)]
    fn hot_slow(&self, text: &str, p: usize, l: usize, n: usize, c: usize) -> Result<u32, HotStop> {
        let a = self.act[c];
        if a & (A_IDC | A_NORM) != 0 || l == 1 {
            return Err(HotStop::More);
        }
        if let Some(m) = self.phrase(text, p, l, n, a) {
            return Err(HotStop::Phrase(m));
        }
        match short(a & !(A_GROUP_MAX << A_GROUP_SHIFT), l as u64) {
            x if x >> S_TAG_SHIFT == S_TAG_SLOW => Err(HotStop::More),
            x => Ok(x & S_BYTES),
        }
    }

    /// `scan` over `text[range]` that also hands every character without a match to
    /// the sink (`Sink::step`): the hot loop of the fused `*2s` configs. `slow(s, e,
    /// id, sink)` takes the matches whose value needs a look (phrases, flags).
    #[inline(always)]
    fn dense(
        &self,
        text: &str,
        range: Range<usize>,
        sink: &mut Sink<'_>,
        mut slow: impl FnMut(usize, usize, u32, &mut Sink<'_>),
    ) {
        let b = text.as_bytes();
        let n = range.end;
        let mut p = range.start;
        while p < n {
            if let (None, Some(live)) = (&sink.cur, &self.live) {
                // Outside a record a character with action 0 is a no-op (`Sink::step`).
                match live.find(&b[..n], p) {
                    Some(q) => p = q,
                    None => return,
                }
            }
            let enter = match &sink.cur {
                Some(_) => sink.w == p,
                // Only where a record would begin (Simplified text has many
                // characters with an action that stay).
                None => self.opens(b, p),
            };
            if enter {
                let (q, found) = self.hot(text, p, n, sink);
                p = q;
                if let Some((e, v)) = found {
                    slow(p, e, v, sink);
                    p = e;
                    continue;
                }
                if p >= n {
                    break;
                }
                // The character at `p` takes the general path below.
            }
            let (a, l) = self.action(text, p);
            if a & (A_IDC | A_NORM | (A_GROUP_MAX << A_GROUP_SHIFT)) != 0 {
                if a & A_NORM != 0 && sink.defer {
                    // Normalization needed: the caller starts over on another path.
                    // (Other callers have normalized, or looked for these first.)
                    sink.abort = true;
                    return;
                }
                if let Some((e, v)) = self.phrase(text, p, l, n, a) {
                    slow(p, e, v, sink);
                    p = e;
                    continue;
                }
                if a & A_IDC != 0 {
                    let k = ids_len(&text[p..n]);
                    if k > 0 {
                        // Unchanged, as one unit.
                        for (i, ch) in text[p..p + k].char_indices() {
                            let mut w = [0u8; 4];
                            ch.encode_utf8(&mut w);
                            let cl = ch.len_utf8();
                            sink.step(p + i, cl, u32::from_le_bytes(w), cl, false);
                        }
                        p += k;
                        continue;
                    }
                }
            }
            let ol = ((a >> A_LEN_SHIFT) & 3) as usize;
            let id = (a >> A_ID_SHIFT) & A_ID_MAX;
            if id == 0 || ol != 0 {
                // No single-character key here, or one character to one: the common
                // case. Masks, not branches: whether a character changes is
                // unpredictable.
                if let Some(w) = b.get(p..p + 4) {
                    let changed = id != 0;
                    let inw = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                    let m = 0u32.wrapping_sub(u32::from(changed));
                    let word = ((a & A_BYTES) as u32 & m) | (inw & !m);
                    let ol = (ol & m as usize) | (l & !(m as usize));
                    sink.step(p, l, word, ol, changed);
                    p += l;
                    continue;
                }
            }
            if id != 0 {
                slow(p, p + l, (id - 1) as u32, sink);
                p += l;
                continue;
            }
            let mut w = [0u8; 4];
            w[..l].copy_from_slice(&b[p..p + l]);
            sink.step(p, l, u32::from_le_bytes(w), l, false);
            p += l;
        }
    }
}

const SAME: u8 = 1;
const GB_KEY: u8 = 2;
/// The key is also a segmentation key (fused scan: its change goes through `refine`).
const SEG: u8 = 4;

/// Bitmap of the characters that begin some key.
#[derive(Clone)]
pub(crate) struct FirstChars {
    bmp: Box<[u64; 1024]>,
    astral: bool,
}

impl FirstChars {
    pub(crate) fn new() -> Self {
        FirstChars {
            bmp: Box::new([0u64; 1024]),
            astral: false,
        }
    }

    pub(crate) fn add(&mut self, c: char) {
        let u = c as u32;
        if u < 0x10000 {
            self.bmp[(u >> 6) as usize] |= 1 << (u & 63);
        } else {
            self.astral = true;
        }
    }

    pub(crate) fn union(&mut self, o: &FirstChars) {
        for (a, b) in self.bmp.iter_mut().zip(o.bmp.iter()) {
            *a |= *b;
        }
        self.astral |= o.astral;
    }

    #[inline]
    pub(crate) fn contains(&self, c: char) -> bool {
        let u = c as u32;
        if u < 0x10000 {
            self.bmp[(u >> 6) as usize] & (1 << (u & 63)) != 0
        } else {
            self.astral
        }
    }

    /// Byte offset of the first character at or after `i` (a char boundary of the
    /// UTF-8 bytes `b`) that is in the set, ASCII chars aside. One table probe per
    /// character; 64 bytes at a time where the CPU can (`crate::scan`).
    #[inline]
    pub(crate) fn find(&self, b: &[u8], i: usize) -> Option<usize> {
        self.find_with(crate::scan::Simd::get(), b, i)
    }

    #[inline]
    fn find_with(&self, simd: Option<crate::scan::Simd>, b: &[u8], i: usize) -> Option<usize> {
        match simd {
            Some(simd) => simd.first(b, i, &self.bmp, |i, end| self.find_in(b, i, end)),
            None => self.find_in(b, i, b.len()).ok(),
        }
    }

    /// `find` char by char over the chars starting before `end`: the match, or the
    /// char boundary where it stopped (`b.len()` at the end or at a broken char).
    #[inline]
    fn find_in(&self, b: &[u8], mut i: usize, end: usize) -> Result<usize, usize> {
        let end = end.min(b.len());
        let bmp: &[u64; 1024] = &self.bmp;
        let n = b.len();
        while i < end {
            let x = b[i];
            if (0xE0..0xF0).contains(&x) && i + 2 < n {
                // Code point >> 6 comes from the first two bytes, & 63 from the third.
                let w = bmp[(usize::from(x & 0x0F) << 6) | usize::from(b[i + 1] & 0x3F)];
                if (w >> (b[i + 2] & 0x3F)) & 1 != 0 {
                    return Ok(i);
                }
                i += 3;
            } else if x < 0x80 {
                i += 1;
            } else if x >= 0xF0 {
                if self.astral {
                    return Ok(i);
                }
                i += 4;
            } else {
                let Some(c) = text_char(b, i) else {
                    return Err(n);
                };
                if self.contains(c) {
                    return Ok(i);
                }
                i += c.len_utf8();
            }
        }
        Err(i)
    }

    /// True when some character of `text` begins a key.
    pub(crate) fn any_in(&self, text: &str) -> bool {
        if !self.astral && self.bmp[..2].iter().all(|&w| w == 0) {
            // No ASCII keys: look at the non-ASCII characters only.
            let b = text.as_bytes();
            let mut i = 0;
            while let Some(p) = b[i..].iter().position(|&x| x >= 0xC0) {
                let s = i + p;
                let c = text[s..].chars().next().unwrap_or('\0');
                if self.contains(c) {
                    return true;
                }
                i = s + c.len_utf8().max(1);
            }
            return false;
        }
        if text.is_ascii() && self.bmp[0] == 0 && self.bmp[1] == 0 {
            return false;
        }
        text.chars().any(|c| self.contains(c))
    }
}

/// A table keeps an entry unless its key is empty or one character that maps to
/// itself (matching it or not gives the same output).
fn kept(k: &str, v: &str) -> bool {
    let mut it = k.chars();
    it.next().is_some() && (it.next().is_some() || k != v)
}

impl Table {
    /// Compile a flat map. Single-character entries that map a character to itself
    /// are dropped: matching them or not gives the same output.
    pub(crate) fn new(flat: &[(&str, &str)]) -> Result<Table> {
        Table::with_classes(flat, None)
    }

    /// Like `new`, marking the keys that Simplified protection must check.
    pub(crate) fn with_classes(flat: &[(&str, &str)], classes: Option<&Classes>) -> Result<Table> {
        Table::build(flat, classes, None)
    }

    /// `seg`: the segmentation keys, flagged `SEG` here.
    fn build(
        flat: &[(&str, &str)],
        classes: Option<&Classes>,
        seg: Option<&FastSet<&str>>,
    ) -> Result<Table> {
        let mut arena = String::with_capacity(flat.iter().map(|(_, v)| v.len()).sum());
        let mut spans = Vec::with_capacity(flat.len());
        let mut flags = Vec::with_capacity(flat.len());
        let mut first = FirstChars::new();
        let mut keychars = FirstChars::new();
        let mut trig = FirstChars::new();
        let mut phrases = 0;
        for &(k, v) in flat.iter().filter(|(k, v)| kept(k, v)) {
            let mut it = k.chars();
            let Some(c0) = it.next() else { continue };
            let one = it.next().is_none();
            first.add(c0);
            phrases += usize::from(!one);
            let resized = k.chars().count() != v.chars().count();
            let mut gb = false;
            for c in k.chars() {
                keychars.add(c);
                if let Some(cl) = classes {
                    let valid = cl.is_simplified_valid(c);
                    gb |= valid;
                    if resized || !valid {
                        trig.add(c);
                    }
                } else if resized {
                    trig.add(c);
                }
            }
            let in_seg = seg.is_some_and(|s| s.contains(k));
            flags.push(
                (u8::from(k == v) * SAME) | (u8::from(gb) * GB_KEY) | (u8::from(in_seg) * SEG),
            );
            let start = arena.len() as u32;
            arena.push_str(v);
            spans.push((start, arena.len() as u32));
        }
        // The kept keys with their value ids, as the loop above numbered them.
        let pats = || {
            flat.iter()
                .filter(|(k, v)| kept(k, v))
                .zip(0u32..)
                .map(|(&(k, _), id)| (k, id))
        };
        let direct = if phrases <= DIRECT_MAX_PHRASES {
            Direct::new(pats(), |id| {
                let (a, b) = spans[id as usize];
                let mut it = arena[a as usize..b as usize].chars();
                match (it.next(), it.next()) {
                    (Some(c), None) if flags[id as usize] == 0 => Some(c),
                    _ => None,
                }
            })
        } else {
            None
        };
        let ac = if spans.is_empty() || direct.is_some() {
            None
        } else {
            Some(
                CharwiseDoubleArrayAhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build_with_values(pats())
                    .map_err(|e| Error::Config(format!("building automaton: {e}")))?,
            )
        };
        Ok(Table {
            ac,
            direct,
            arena,
            spans,
            flags,
            first,
            keychars,
            trig,
        })
    }

    pub(crate) fn first(&self) -> &FirstChars {
        &self.first
    }

    /// Call `f(start, end, value_id)` for every match of OpenCC's forward maximum
    /// matching over `text`, in order.
    #[inline]
    pub(crate) fn scan(&self, text: &str, mut f: impl FnMut(usize, usize, u32)) {
        if let Some(d) = &self.direct {
            d.scan(text, |s, e, v| {
                f(s, e, v);
                true
            });
            return;
        }
        let Some(ac) = &self.ac else { return };
        if !has_idc(text.as_bytes()) {
            for m in ac.leftmost_find_iter(text) {
                f(m.start(), m.end(), m.value());
            }
            return;
        }
        // Slow path: skip complete Ideographic Description Sequences that the scan
        // reaches without a match, as OpenCC does.
        let mut cur = 0;
        'restart: while cur < text.len() {
            let base = cur;
            for m in ac.leftmost_find_iter(&text[base..]) {
                let (s, e) = (base + m.start(), base + m.end());
                let mut q = cur;
                while q < s {
                    let l = ids_len(&text[q..]);
                    if l > 0 {
                        if q + l > s {
                            cur = q + l;
                            continue 'restart;
                        }
                        q += l;
                    } else {
                        q += text[q..].chars().next().map_or(1, char::len_utf8);
                    }
                }
                f(s, e, m.value());
                cur = e;
            }
            break;
        }
    }

    /// True when converting `text` would change it.
    pub(crate) fn changes(&self, text: &str) -> bool {
        if let Some(d) = &self.direct {
            let mut hit = false;
            d.scan(text, |_, _, v| {
                hit = !self.is_same(v);
                !hit
            });
            return hit;
        }
        let mut hit = false;
        self.scan(text, |_, _, v| hit |= !self.is_same(v));
        hit
    }

    /// Convert `text` (one segment) and append the result to `out`.
    pub(crate) fn convert_into(&self, text: &str, out: &mut String) {
        let mut pos = 0;
        self.scan(text, |s, e, v| {
            out.push_str(&text[pos..s]);
            out.push_str(self.value(v));
            pos = e;
        });
        out.push_str(&text[pos..]);
    }

    #[inline]
    pub(crate) fn value(&self, id: u32) -> &str {
        let (a, b) = self.spans[id as usize];
        &self.arena[a as usize..b as usize]
    }

    #[inline]
    pub(crate) fn is_same(&self, id: u32) -> bool {
        self.flags[id as usize] & SAME != 0
    }

    #[inline]
    fn flags(&self, id: u32) -> u8 {
        self.flags[id as usize]
    }
}

/// The character at byte `i` of UTF-8 bytes `b`.
fn text_char(b: &[u8], i: usize) -> Option<char> {
    let end = (i + 4).min(b.len());
    let chunk = &b[i..end];
    let s = match std::str::from_utf8(chunk) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&chunk[..e.valid_up_to()]).ok()?,
    };
    s.chars().next()
}

/// UTF-8 length of BMP code point `c`.
fn utf8_len_of(c: usize) -> u64 {
    match c {
        0..=0x7F => 1,
        0x80..=0x7FF => 2,
        _ => 3,
    }
}

/// True when `b` may contain an ideographic description character (U+2FF0..U+2FFF,
/// UTF-8 `E2 BF B0..BF`).
#[inline]
fn has_idc(b: &[u8]) -> bool {
    memchr::memmem::find_iter(b, b"\xE2\xBF").any(|i| matches!(b.get(i + 2), Some(0xB0..=0xBF)))
}

fn idc_arity(c: char) -> usize {
    match c as u32 {
        0x2FF2 | 0x2FF3 => 3,
        0x2FFE | 0x2FFF => 1,
        0x2FF0..=0x2FFD => 2,
        _ => 0,
    }
}

/// Byte length of the complete IDS at the start of `s`, or 0 (OpenCC's
/// `NextIdeographicDescriptionSequenceLength`: depth ≤ 16, ≤ 64 code points).
pub(crate) fn ids_len(s: &str) -> usize {
    fn consume(s: &str, depth: usize, points: &mut usize) -> Option<usize> {
        // None: incomplete or invalid.
        if depth == 0 || *points >= 64 {
            return None;
        }
        let c = s.chars().next()?;
        *points += 1;
        let mut off = c.len_utf8();
        for _ in 0..idc_arity(c) {
            if off >= s.len() {
                return None;
            }
            off += consume(&s[off..], depth - 1, points)?;
        }
        Some(off)
    }
    match s.chars().next() {
        Some(c) if idc_arity(c) > 0 => consume(s, 16, &mut 0).unwrap_or(0),
        _ => 0,
    }
}

/// Aligned changed blocks: (range before, range after), sorted and disjoint.
type Blocks = Vec<(Range<usize>, Range<usize>)>;

/// Everything one config needs, compiled once.
pub(crate) struct Compiled {
    norm: Vec<Table>,
    seg: Option<Table>,
    steps: Vec<Table>,
    /// Chain output of every segmentation key, `None` when it equals the key.
    seg_out: Vec<Option<Box<str>>>,
    /// First characters of every key of the chain steps and normalization.
    first: FirstChars,
    /// First two bytes of every normalization key: a cheap byte-level pre-check.
    /// Bitmap of the second bytes of normalization keys, by lead byte (bit 0 of a
    /// lead's map: a one-byte key).
    norm_second: Box<[[u64; 4]; 256]>,
    norm_leads: Vec<u8>,
    pub(crate) protect: Option<&'static Classes>,
    /// One chain step whose multi-character keys are exactly the segmentation keys:
    /// segmentation plus the step is one forward maximum matching pass.
    fused: bool,
    /// Every character of every segmentation and chain key.
    keychars: FirstChars,
    /// With Simplified protection and one chain step: the characters near which a
    /// change can happen (see `Table::trig`; every clearly-Traditional character).
    /// Only the text around them is converted.
    trig: Option<FirstChars>,
    /// `trig` plus the first characters of normalization keys: text without any of
    /// them comes out unchanged (one scan).
    pre: Option<FirstChars>,
    /// First characters of the normalization keys.
    norm_first: FirstChars,
    /// The fused scan stops at normalization keys itself (`Direct::mark_norm`): the
    /// regions need no separate look for them.
    dense_norm: bool,
}

/// Bytes that surely hold one character and `WINDOW + 1` more.
const NEAR: usize = (super::protect::WINDOW + 2) * 4;
/// How far a region is widened when another trigger falls near its end.
const DENSE: usize = 4096;

impl Compiled {
    pub(crate) fn build(spec: &ConfigSpec, protect: Option<&'static Classes>) -> Result<Self> {
        let table =
            |n: &Node| -> Result<Table> { Table::with_classes(&dict::flatten(n)?, protect) };
        let norm_flats = spec
            .normalization
            .iter()
            .map(dict::flatten)
            .collect::<Result<Vec<Flat>>>()?;
        let norm = norm_flats
            .iter()
            .map(|f| Table::with_classes(f, protect))
            .collect::<Result<Vec<_>>>()?;
        let seg_flat = spec.segmentation.as_ref().map(dict::flatten).transpose()?;
        let mut fused = false;
        // The first characters of the normalization keys.
        let norm_chars: Vec<char> = norm_flats
            .iter()
            .flat_map(|f| f.iter())
            .filter_map(|(k, _)| k.chars().next())
            .collect();
        // Some character of the single step's keys begins a normalization key (see
        // `dense_norm`); true without a single step.
        let mut chain_has = true;
        let steps = if let [one] = spec.chain.as_slice() {
            let flat = dict::flatten(one)?;
            let norm_set: FastSet<char> = norm_chars.iter().copied().collect();
            chain_has = flat
                .iter()
                .any(|(k, _)| k.chars().any(|c| norm_set.contains(&c)));
            let mut seg_keys: FastSet<&str> = FastSet::default();
            if let Some(seg) = &seg_flat {
                seg_keys.reserve(seg.len());
                seg_keys.extend(seg.iter().map(|(k, _)| *k));
                let multi = |k: &str| k.chars().nth(1).is_some();
                let step_keys: FastSet<&str> = flat
                    .iter()
                    .filter(|(k, v)| multi(k) || k != v)
                    .map(|(k, _)| *k)
                    .collect();
                let idc = |k: &str| k.chars().next().is_some_and(|c| idc_arity(c) > 0);
                fused = step_keys
                    .iter()
                    .all(|k| !idc(k) && (!multi(k) || seg_keys.contains(*k)))
                    && seg_keys
                        .iter()
                        .all(|k| !idc(k) && (!multi(k) || step_keys.contains(*k)));
            } else {
                // Without segmentation the step alone is the pass.
                fused = true;
            }
            vec![Table::build(&flat, protect, Some(&seg_keys))?]
        } else {
            spec.chain.iter().map(table).collect::<Result<Vec<_>>>()?
        };
        let mut first = FirstChars::new();
        for t in &steps {
            first.union(t.first());
        }
        let mut norm_pairs: Vec<[u8; 2]> = Vec::new();
        for (k, _) in norm_flats.iter().flat_map(|f| f.iter()) {
            if let [a, b, ..] = *k.as_bytes() {
                norm_pairs.push([a, b]);
            } else if let [a] = *k.as_bytes() {
                norm_pairs.push([a, 0]);
            }
        }
        norm_pairs.sort_unstable();
        norm_pairs.dedup();
        let mut norm_leads: Vec<u8> = norm_pairs.iter().map(|p| p[0]).collect();
        norm_leads.dedup();
        let mut norm_second = Box::new([[0u64; 4]; 256]);
        for [a, b] in &norm_pairs {
            if *b == 0 {
                norm_second[usize::from(*a)] = [u64::MAX; 4];
            } else {
                norm_second[usize::from(*a)][usize::from(b >> 6)] |= 1 << (b & 63);
            }
        }
        let mut norm_first = FirstChars::new();
        for t in &norm {
            norm_first.union(t.first());
        }
        let mut keychars = FirstChars::new();
        let mut trig = FirstChars::new();
        for t in &steps {
            keychars.union(&t.keychars);
            trig.union(&t.trig);
        }
        let mut c = Compiled {
            norm,
            seg: None,
            steps,
            seg_out: Vec::new(),
            first,
            norm_second,
            norm_leads,
            protect,
            fused,
            keychars: FirstChars::new(),
            trig: None,
            pre: None,
            norm_first,
            dense_norm: false,
        };
        if let Some(flat) = seg_flat {
            // Keep every key (values unused): a single-char key is a segment too.
            let keys: Vec<&str> = flat.iter().map(|(k, _)| *k).collect();
            let flat: Vec<(&str, &str)> = flat.iter().map(|&(k, _)| (k, "\u{0}")).collect();
            let seg = Table::new(&flat)?;
            let mut seg_out: Vec<Option<Box<str>>> = Vec::with_capacity(keys.len());
            let (mut a, mut b) = (String::new(), String::new());
            for k in &keys {
                c.chain_into(k, &mut a, &mut b);
                seg_out.push(if a == **k {
                    None
                } else {
                    Some(a.clone().into())
                });
            }
            for (k, o) in keys.iter().zip(&seg_out) {
                let resized = o
                    .as_ref()
                    .is_some_and(|o| o.chars().count() != k.chars().count());
                for ch in k.chars() {
                    keychars.add(ch);
                    if resized || protect.is_some_and(|cl| !cl.is_simplified_valid(ch)) {
                        trig.add(ch);
                    }
                }
            }
            c.seg = Some(seg);
            c.seg_out = seg_out;
        }
        if let (Some(cl), 1) = (protect, c.steps.len()) {
            // A word of the bitmap at a time (no read-modify-write per character).
            for (w, word) in trig.bmp.iter_mut().enumerate() {
                let base = w as u32 * 64;
                *word |= (0..64u32)
                    .filter(|j| char::from_u32(base + j).is_some_and(|ch| cl.is_traditional(ch)))
                    .fold(0u64, |bits, j| bits | 1 << j);
            }
            let mut pre = trig.clone();
            pre.union(&c.norm_first);
            c.trig = Some(trig);
            c.pre = Some(pre);
        }
        c.keychars = keychars;
        // The dense scan can see every normalization key only if no chain key holds
        // one of their characters (a phrase match would skip it).
        if let (true, Some(d), false) = (c.fused, &mut c.steps[0].direct, chain_has) {
            d.mark_norm(&norm_chars);
            c.dense_norm = true;
        }
        if let (true, Some(d)) = (c.fused, &mut c.steps[0].direct) {
            d.prepare_hot();
        }
        Ok(c)
    }

    /// Run every chain step over one segment; the result ends in `a`.
    fn chain_into(&self, seg: &str, a: &mut String, b: &mut String) {
        a.clear();
        a.push_str(seg);
        for t in &self.steps {
            b.clear();
            t.convert_into(a, b);
            std::mem::swap(a, b);
        }
    }

    /// False when no normalization key can start anywhere in `text`.
    fn may_normalize(&self, text: &str) -> bool {
        let b = text.as_bytes();
        let hit = |i: usize| {
            let second = b.get(i + 1).copied().unwrap_or(0);
            self.norm_second[usize::from(b[i])][usize::from(second >> 6)] & (1 << (second & 63))
                != 0
        };
        match self.norm_leads.as_slice() {
            [] => false,
            [a] => memchr::memchr_iter(*a, b).any(hit),
            [a, c] => memchr::memchr2_iter(*a, *c, b).any(hit),
            [a, c, d] => memchr::memchr3_iter(*a, *c, *d, b).any(hit),
            _ => (0..b.len()).any(hit),
        }
    }

    /// True when the Simplified protection guarantees that `text` (without a user
    /// dictionary) comes out unchanged.
    pub(crate) fn quiet(&self, text: &str) -> bool {
        self.pre
            .as_ref()
            .is_some_and(|p| p.find(text.as_bytes(), 0).is_none())
    }

    /// True when nothing in `text` can change. (With `pre`, `quiet` and `run` do
    /// better: false.)
    pub(crate) fn inert(&self, text: &str) -> bool {
        if self.pre.is_some() {
            return false;
        }
        !self.first.any_in(text) && !self.may_normalize(text)
    }

    /// Call `emit(range, replacement)` for every changed span of `text`, in order.
    /// Ranges are byte ranges of `text`.
    pub(crate) fn run(&self, text: &str, emit: &mut Emit<'_>) {
        if let (Some(pre), false) = (&self.pre, has_idc(text.as_bytes())) {
            // One scan finds the regions to convert, unless normalization is needed.
            if let Some(rs) = self.regions(text, pre, Some(&self.norm_first)) {
                // With `dense_norm` the scan may still find a normalization key.
                let mut sink = if self.dense_norm {
                    Sink::deferred(text, emit, rs.iter().map(|r| r.len()).sum())
                } else {
                    Sink::new(text, emit)
                };
                for r in rs {
                    self.run_range(text, r, &mut sink);
                    if sink.abort {
                        break;
                    }
                }
                if !sink.abort {
                    sink.finish();
                    return;
                }
            }
        }
        if !self.may_normalize(text) {
            self.run_main(text, emit);
            return;
        }
        // Rare: compatibility ideographs. Normalize, convert, map back.
        let mut normed = text.to_owned();
        let mut changes: Vec<(Range<usize>, Range<usize>)> = Vec::new(); // orig, normed
        for t in &self.norm {
            let src = std::mem::take(&mut normed);
            let mut pos = 0;
            t.scan(&src, |s, e, v| {
                normed.push_str(&src[pos..s]);
                let ns = normed.len();
                normed.push_str(t.value(v));
                changes.push((s..e, ns..normed.len()));
                pos = e;
            });
            normed.push_str(&src[pos..]);
            if self.norm.len() > 1 && !changes.is_empty() {
                // Several normalization steps: report the whole text as one change.
                changes.clear();
                changes.push((0..text.len(), 0..normed.len()));
            }
        }
        if changes.is_empty() {
            self.run_main(text, emit);
            return;
        }
        let back = |p: usize, end: bool| -> usize {
            let i = changes.partition_point(|(_, n)| n.end <= p);
            match changes.get(i) {
                Some((o, n)) if n.start < p || (n.start == p && end && n.end > p) => {
                    if end {
                        o.end
                    } else {
                        o.start
                    }
                }
                _ => match i.checked_sub(1).map(|j| &changes[j]) {
                    Some((o, n)) => o.end + (p - n.end),
                    None => p,
                },
            }
        };
        let mut pieces: Vec<(Range<usize>, String)> = Vec::new();
        self.run_main(&normed, &mut |r, s| {
            pieces.push((back(r.start, false)..back(r.end, true), s.to_owned()))
        });
        // Add normalization changes not covered by a conversion piece.
        let mut out: Vec<(Range<usize>, String)> = Vec::new();
        let mut pi = pieces.into_iter().peekable();
        for (o, n) in &changes {
            while let Some(p) = pi.next_if(|p| p.0.end <= o.start) {
                out.push(p);
            }
            if pi
                .peek()
                .is_some_and(|p| p.0.start <= o.start && p.0.end >= o.end)
            {
                continue;
            }
            out.push((o.clone(), normed[n.clone()].to_owned()));
        }
        out.extend(pi);
        out.sort_by_key(|p| p.0.start);
        for (r, s) in out {
            emit(r, &s);
        }
    }

    fn run_main(&self, text: &str, emit: &mut Emit<'_>) {
        let mut sink = Sink::new(text, emit);
        match &self.trig {
            Some(trig) if !has_idc(text.as_bytes()) => self.run_near(text, trig, &mut sink),
            _ => self.run_range(text, 0..text.len(), &mut sink),
        }
        sink.finish();
    }

    /// Simplified protection, lazily: with one chain step, a change is made only where
    /// a match holds a `trig` character or a clearly-Traditional character lies within
    /// `WINDOW` characters (`protect::Classes::filter`). So only the regions around
    /// `trig` characters are converted, each widened to characters that no key holds
    /// (OpenCC's matching restarts there, so the result is the same as converting the
    /// whole text). Text without `trig` characters costs one table probe per character.
    fn run_near(&self, text: &str, trig: &FirstChars, sink: &mut Sink<'_>) {
        for r in self.regions(text, trig, None).unwrap_or_default() {
            self.run_range(text, r, sink);
        }
    }

    /// The regions of `text` around the characters of `set` (see `run_near`), sorted
    /// and disjoint. None when a character of `stop` (the normalization keys' first
    /// characters) shows up.
    fn regions(
        &self,
        text: &str,
        set: &FirstChars,
        stop: Option<&FirstChars>,
    ) -> Option<Vec<Range<usize>>> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut cur: Option<Range<usize>> = None;
        let mut from = 0;
        while let Some(q) = set.find(b, from) {
            if let Some(st) = stop {
                if text[q..].chars().next().is_some_and(|c| st.contains(c)) {
                    return None;
                }
            }
            let l = crate::scan::utf8_len(b[q]);
            let reach = (q + l + NEAR).min(b.len());
            match &mut cur {
                Some(c) if q < c.end => {
                    if reach > c.end {
                        // Dense triggers (Traditional text): widen generously, so that
                        // the search restarts rarely.
                        c.end = self.barrier_after(text, (reach + DENSE).min(b.len()));
                    }
                }
                _ => {
                    let hi = self.barrier_after(text, reach);
                    let floor = cur.as_ref().map_or(0, |c| c.end);
                    let lo = self.barrier_before(text, q.saturating_sub(NEAR), floor);
                    match &mut cur {
                        Some(c) if lo <= c.end => c.end = c.end.max(hi),
                        _ => out.extend(cur.replace(lo..hi)),
                    }
                }
            }
            // Characters before `end - NEAR` cannot widen the region any more.
            let end = cur.as_ref().map_or(q + l, |c| c.end);
            from = (q + l).max(end.saturating_sub(NEAR));
            while !text.is_char_boundary(from) {
                from += 1;
            }
        }
        out.extend(cur);
        // Outside the regions every character was looked at; inside, the search
        // skipped some: look there for normalization keys.
        if stop.is_some()
            && !self.dense_norm
            && out.iter().any(|r| self.may_normalize(&text[r.clone()]))
        {
            return None;
        }
        Some(out)
    }

    /// The last position at or before `p` (and not before `floor`) that follows a
    /// character no key holds, or `floor`.
    fn barrier_before(&self, text: &str, mut p: usize, floor: usize) -> usize {
        while !text.is_char_boundary(p) {
            p -= 1;
        }
        if p <= floor {
            return floor;
        }
        for (i, c) in text[floor..p].char_indices().rev() {
            if !self.keychars.contains(c) {
                return floor + i + c.len_utf8();
            }
        }
        floor
    }

    /// The first position at or after `p` where a character no key holds begins, or
    /// the end of `text`.
    fn barrier_after(&self, text: &str, mut p: usize) -> usize {
        while !text.is_char_boundary(p) {
            p += 1;
        }
        text[p..]
            .char_indices()
            .find(|&(_, c)| !self.keychars.contains(c))
            .map_or(text.len(), |(i, _)| p + i)
    }

    /// Convert `text[range]` (whose ends are match boundaries of the whole text).
    fn run_range(&self, text: &str, range: Range<usize>, sink: &mut Sink<'_>) {
        let base = range.start;
        let part = &text[range];
        if self.fused {
            // One pass: a segmentation key's change goes through `refine`, exactly as
            // the segment's chain output would.
            let t = &self.steps[0];
            let one = |s: usize, e: usize, v: u32, sink: &mut Sink<'_>| {
                let f = t.flags(v);
                let (s, e) = (base + s, base + e);
                if f & SAME != 0 {
                } else if f & SEG != 0 {
                    self.refine(text, s, &text[s..e], t.value(v), sink);
                } else if f & GB_KEY == 0 {
                    sink.push(s..e, t.value(v));
                } else {
                    self.emit_checked(text, s..e, t.value(v), sink);
                }
            };
            match &t.direct {
                Some(d) => d.dense(text, base..base + part.len(), sink, |s, e, v, sink| {
                    one(s - base, e - base, v, sink)
                }),
                None => t.scan(part, |s, e, v| one(s, e, v, sink)),
            }
            return;
        }
        let gap = |r: Range<usize>, emit: &mut Sink<'_>| {
            if r.is_empty() {
                return;
            }
            let slice = &text[r.clone()];
            // Steps that change nothing here can be skipped; when only the last step
            // is left, its matches are the changes.
            let mut k = 0;
            while k + 1 < self.steps.len() && !self.steps[k].changes(slice) {
                k += 1;
            }
            if k + 1 == self.steps.len() {
                let t = &self.steps[k];
                t.scan(slice, |s, e, v| {
                    let f = t.flags(v);
                    if f & SAME != 0 {
                    } else if f & GB_KEY == 0 {
                        emit.push(r.start + s..r.start + e, t.value(v));
                    } else {
                        self.emit_checked(text, r.start + s..r.start + e, t.value(v), emit);
                    }
                });
            } else {
                let (out, blocks) = self.chain_blocks(slice, k);
                for (i, o) in blocks {
                    let inp = &slice[i.clone()];
                    let o = &out[o];
                    if inp != o {
                        self.refine(text, r.start + i.start, inp, o, emit);
                    }
                }
            }
        };
        match &self.seg {
            None => gap(base..base + part.len(), sink),
            Some(seg) => {
                let mut cur = base;
                seg.scan(part, |s, e, id| {
                    let (s, e) = (base + s, base + e);
                    gap(cur..s, sink);
                    if let Some(o) = &self.seg_out[id as usize] {
                        self.refine(text, s, &text[s..e], o, sink);
                    }
                    cur = e;
                });
                gap(cur..base + part.len(), sink);
            }
        }
    }

    /// Run the chain over `seg` and return the output with the aligned blocks that
    /// changed: (range in `seg`, range in the output). Between blocks the text is the
    /// same on both sides. A later step's match that spans parts of earlier steps'
    /// matches merges them into one block, so every block is an exact correspondence.
    fn chain_blocks(&self, seg: &str, from: usize) -> (String, Blocks) {
        let mut cur = seg.to_owned();
        // Blocks from `seg` to `cur`.
        let mut blocks: Blocks = Vec::new();
        for t in &self.steps[from..] {
            let mut next = String::with_capacity(cur.len() + 8);
            let mut step: Blocks = Vec::new();
            let mut pos = 0;
            t.scan(&cur, |s, e, v| {
                next.push_str(&cur[pos..s]);
                let o = next.len();
                next.push_str(t.value(v));
                step.push((s..e, o..next.len()));
                pos = e;
            });
            next.push_str(&cur[pos..]);
            if !step.is_empty() {
                blocks = compose(&blocks, &step);
            }
            cur = next;
        }
        (cur, blocks)
    }

    /// Emit the differences between `inp` (at `base` in `text`) and its conversion
    /// `out`: character by character when the lengths agree, else one trimmed span.
    fn refine(&self, text: &str, base: usize, inp: &str, out: &str, emit: &mut Sink<'_>) {
        changed_spans(inp, out, |r, o| {
            self.emit_checked(text, base + r.start..base + r.end, &out[o], emit)
        });
    }

    /// Emit a change, unless Simplified protection says the span is Simplified text.
    #[inline]
    fn emit_checked(&self, text: &str, r: Range<usize>, out: &str, emit: &mut Sink<'_>) {
        match self.protect {
            None => emit.push(r, out),
            Some(cl) => cl.filter(text, r, out, |r, o| emit.push(r, o)),
        }
    }
}

/// Unchanged text that may sit inside one emitted change: a short stretch (at most
/// 48 bytes) between two converted spans, so that one change covers a converted
/// clause rather than each character. It must not contain a byte below 0x30 (line
/// breaks, spaces, ASCII punctuation): the streaming reader cuts windows only after
/// such bytes, so records come out the same whatever the window size.
pub(crate) fn joinable(gap: &str) -> bool {
    gap.len() <= 48 && gap.bytes().all(|b| b >= 0x30)
}

/// Receives changed spans: `(range, replacement)`.
pub(crate) type Emit<'a> = dyn FnMut(Range<usize>, &str) + 'a;

/// Collects changes and passes them on merged (see `joinable`): fewer, larger
/// records, and one dynamic call per clause instead of per character.
pub(crate) struct Sink<'a> {
    text: &'a str,
    cur: Option<Range<usize>>,
    /// `buf[..len]`: the replacements of the records not passed on yet, back to
    /// back, as UTF-8 bytes, checked once when passed on. The rest is room, zeroed
    /// once: the hot loop writes whole 4-byte words there by index and keeps the
    /// valid prefix.
    buf: Vec<u8>,
    len: usize,
    /// Finished records: range in `text`, end of the replacement in `buf`.
    recs: Vec<(Range<usize>, usize)>,
    /// With `cur`: `buf[..committed]` ends with its replacement, and `buf[committed..]`
    /// is the unchanged text `text[cur.end..w]` that `step` copied ahead, in case the
    /// next change joins the record (dense Traditional text: no gap to copy later).
    committed: usize,
    w: usize,
    /// Records wait in `buf`/`recs` for `finish` (else they go in batches).
    defer: bool,
    /// Set by a scan that cannot finish (normalization needed): nothing is passed on.
    /// Only a deferred sink may be aborted.
    abort: bool,
    emit: &'a mut Emit<'a>,
}

impl<'a> Sink<'a> {
    /// A sink that passes the records on in batches of about `BATCH` bytes.
    fn new(text: &'a str, emit: &'a mut Emit<'a>) -> Self {
        Sink {
            text,
            cur: None,
            buf: Vec::new(),
            len: 0,
            recs: Vec::new(),
            committed: 0,
            w: 0,
            defer: false,
            abort: false,
            emit,
        }
    }

    /// A sink that keeps every record until `finish`, so that a scan may still abort.
    /// `size`: bytes of text that may be converted.
    fn deferred(text: &'a str, emit: &'a mut Emit<'a>, size: usize) -> Self {
        Sink {
            // Replacements are about as long as the text they replace.
            buf: vec![0; size + 64],
            defer: true,
            ..Sink::new(text, emit)
        }
    }

    /// Pass every record on (unless aborted).
    fn finish(mut self) {
        self.flush();
        if !self.abort {
            self.drain();
        }
    }

    /// Pass the finished records on: one UTF-8 check for all of them.
    fn drain(&mut self) {
        if self.recs.is_empty() {
            return;
        }
        let bytes = &self.buf[..self.len];
        let all = match simdutf8::basic::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            // Unreachable: the buffer holds whole UTF-8 sequences only.
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let mut start = 0;
        for (r, end) in self.recs.drain(..) {
            (self.emit)(r, all.get(start..end).unwrap_or(""));
            start = end;
        }
        self.len = 0;
    }

    /// Make room for `k` more bytes after `len`.
    #[inline]
    fn room(&mut self, k: usize) {
        if self.len + k > self.buf.len() {
            self.grow(k);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, k: usize) {
        let want = (self.len + k).max(self.buf.len() * 2).max(1024);
        self.buf.resize(want, 0);
    }

    /// Append `bytes`.
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.room(bytes.len());
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// Drop the text copied ahead by `step`.
    #[inline]
    fn settle(&mut self) {
        if let Some(c) = &self.cur {
            if self.w != c.end {
                self.len = self.committed;
                self.w = c.end;
            }
        }
    }

    #[inline]
    fn push(&mut self, r: Range<usize>, out: &str) {
        self.push_bytes(r, out.as_bytes());
    }

    /// `push` of whole UTF-8 sequences.
    #[inline]
    fn push_bytes(&mut self, r: Range<usize>, out: &[u8]) {
        self.settle();
        if let Some(c) = &mut self.cur {
            if c.end == r.start {
                // Adjacent (most characters of Traditional text).
                c.end = r.end;
                self.put(out);
                self.w = r.end;
                self.committed = self.len;
                return;
            }
            if c.end <= r.start && joinable(&self.text[c.end..r.start]) {
                let gap = &self.text.as_bytes()[c.end..r.start];
                c.end = r.end;
                self.put(gap);
                self.put(out);
                self.w = r.end;
                self.committed = self.len;
                return;
            }
        }
        self.flush();
        self.put(out);
        self.w = r.end;
        self.committed = self.len;
        self.cur = Some(r);
    }

    /// The character at `p` (`l` bytes) passed over by the scan: it becomes the UTF-8
    /// sequence in the low `ol` bytes of `word` (`changed`), or stays (`word` then
    /// holds the text's bytes at `p`, `ol == l`). Inside a record the unchanged
    /// characters are copied ahead while they may still join it, so the hot loop does
    /// the same work for changed and unchanged characters: masks, not branches, since
    /// whether a character changes is unpredictable.
    #[inline(always)]
    fn step(&mut self, p: usize, l: usize, word: u32, ol: usize, changed: bool) {
        let hot = self.w == p && !(l == 1 && (word as u8) < 0x30);
        match &mut self.cur {
            Some(c) if hot => {
                // Four bytes in, `ol` kept: no length-dependent copy.
                let n = self.len;
                if n + 4 > self.buf.len() {
                    let want = (n + 4).max(self.buf.len() * 2).max(1024);
                    self.buf.resize(want, 0);
                }
                self.buf[n..n + 4].copy_from_slice(&word.to_le_bytes());
                self.len = n + ol;
                self.w = p + l;
                let m = 0usize.wrapping_sub(usize::from(changed));
                c.end = (self.w & m) | (c.end & !m);
                self.committed = ((n + ol) & m) | (self.committed & !m);
                if self.w - c.end > 48 {
                    self.flush();
                }
            }
            // Outside records (Simplified text): nothing to do for what stays.
            None if !changed => {}
            _ => self.step_cold(p, l, word, ol, changed),
        }
    }

    /// `step` outside the dense case: no record, a gap not copied yet (after a region
    /// or a slow path), or a byte that no gap may hold. The general rule.
    #[cold]
    #[inline(never)]
    fn step_cold(&mut self, p: usize, l: usize, word: u32, ol: usize, changed: bool) {
        let Some(cend) = self.cur.as_ref().map(|c| c.end) else {
            if changed {
                self.push_bytes(p..p + l, &word.to_le_bytes()[..ol]);
            }
            return;
        };
        if changed {
            self.push_bytes(p..p + l, &word.to_le_bytes()[..ol]);
        } else if self.w != p
            && p - cend <= 48
            && self.text.as_bytes()[self.w..p].iter().all(|&x| x >= 0x30)
        {
            let t = self.text;
            self.put(&t.as_bytes()[self.w..p]);
            self.w = p;
            self.step(p, l, word, ol, changed);
        } else {
            self.flush();
        }
    }

    /// End the current record.
    fn flush(&mut self) {
        self.settle();
        if let Some(c) = self.cur.take() {
            self.recs.push((c, self.len));
            if !self.defer && self.len >= BATCH {
                self.drain();
            }
        }
    }
}

/// Bytes of replacements that a sink checks and passes on at once (a check per
/// record costs more than the check itself).
const BATCH: usize = 1 << 16;

/// Compose block maps `a` (level 0 → 1) and `b` (level 1 → 2) into level 0 → 2.
/// Blocks are sorted, disjoint, and the text between them is unchanged.
fn compose(a: &[(Range<usize>, Range<usize>)], b: &[(Range<usize>, Range<usize>)]) -> Blocks {
    // Merge the level-1 intervals of both maps (a's outputs, b's inputs).
    let mut iv: Vec<Range<usize>> = a
        .iter()
        .map(|x| x.1.clone())
        .chain(b.iter().map(|x| x.0.clone()))
        .collect();
    iv.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(iv.len());
    for r in iv {
        match merged.last_mut() {
            Some(m)
                if r.start < m.end
                    || (r.start == m.end && (r.start == r.end || m.start == m.end)) =>
            {
                m.end = m.end.max(r.end)
            }
            _ => merged.push(r),
        }
    }
    // Map level-1 offsets (sorted, never strictly inside a block) back through `a`
    // and forward through `b`, walking both maps once.
    struct Walk<'m> {
        blocks: &'m [(Range<usize>, Range<usize>)],
        i: usize,
        back: bool,
    }
    impl Walk<'_> {
        fn map(&mut self, p: usize) -> usize {
            let side = |x: &(Range<usize>, Range<usize>), back: bool| {
                if back {
                    (x.1.clone(), x.0.clone())
                } else {
                    (x.0.clone(), x.1.clone())
                }
            };
            while self.i < self.blocks.len() && side(&self.blocks[self.i], self.back).0.end <= p {
                self.i += 1;
            }
            if let Some(x) = self.blocks.get(self.i) {
                let (from, to) = side(x, self.back);
                if from.start == p && from.end > p {
                    return to.start;
                }
            }
            match self.i.checked_sub(1).map(|j| &self.blocks[j]) {
                Some(x) => {
                    let (from, to) = side(x, self.back);
                    to.end + (p - from.end)
                }
                None => p,
            }
        }
    }
    let mut wa = Walk {
        blocks: a,
        i: 0,
        back: true,
    };
    let mut wb = Walk {
        blocks: b,
        i: 0,
        back: false,
    };
    merged
        .into_iter()
        .map(|m| {
            let (s0, s2) = (wa.map(m.start), wb.map(m.start));
            (s0..wa.map(m.end), s2..wb.map(m.end))
        })
        .collect()
}

/// The changed spans between a segment and its conversion, as (input, output) ranges:
/// char by char when the char counts agree, else one span without the common prefix
/// and suffix.
pub(super) fn changed_spans(inp: &str, out: &str, mut f: impl FnMut(Range<usize>, Range<usize>)) {
    if inp.chars().count() == out.chars().count() {
        for ((i, c), (j, d)) in inp.char_indices().zip(out.char_indices()) {
            if c != d {
                f(i..i + c.len_utf8(), j..j + d.len_utf8());
            }
        }
        return;
    }
    let pre: usize = inp
        .chars()
        .zip(out.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let suf: usize = inp[pre..]
        .chars()
        .rev()
        .zip(out[pre..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let suf = suf.min(inp.len() - pre).min(out.len() - pre);
    f(pre..inp.len() - suf, pre..out.len() - suf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{dict, protect::Classes};

    #[test]
    fn first_chars_find_equals_a_char_by_char_search() {
        // ASCII is passed over; 2-, 3- and 4-byte chars are looked up; a set with an
        // astral char matches every 4-byte char.
        // One 64-char block (U+8A40..U+8A7F), a quarter and an eighth of it in the set at
        // no regular spacing, so that a wrong bit or word of the table shows.
        let block: Vec<String> = (0x8A40..0x8A80)
            .filter_map(char::from_u32)
            .map(String::from)
            .collect();
        let mut pieces: Vec<&str> = vec![
            "這", "这", "個", "a", ".", "é", "ß", "𠀀", "😀", "，", "。", "\n", "1", "测", "Ω",
        ];
        pieces.extend(block.iter().map(String::as_str));
        let p = &pieces[..];
        for astral in [false, true] {
            let mut set = FirstChars::new();
            for c in ['這', '個', 'é', '，', 'Ω', 'A'] {
                set.add(c);
            }
            for c in (0x8A40..0x8A50)
                .chain(0x8A70..0x8A78)
                .filter_map(char::from_u32)
            {
                set.add(c);
            }
            if astral {
                set.add('𠀀');
            }
            let mut seed = 7u64;
            // Also long runs of chars outside the set with a 2- or 4-byte char, found at
            // every offset of a block and in the text's last blocks.
            let quiet: Vec<String> = (0..140)
                .map(|k| {
                    let odd = ["ß", "😀", "é"][k % 3];
                    format!("{}{odd}{}", "这".repeat(k), "测".repeat(140 - k))
                })
                .collect();
            for len in 0..200 + quiet.len() {
                let text: String = match quiet.get(len.wrapping_sub(200)) {
                    Some(q) => q.clone(),
                    None => (0..len)
                        .map(|_| {
                            seed = seed
                                .wrapping_mul(6364136223846793005)
                                .wrapping_add(1442695040888963407);
                            p[(seed >> 33) as usize % p.len()]
                        })
                        .collect(),
                };
                let b = text.as_bytes();
                for (i, _) in text.char_indices() {
                    let want = text[i..]
                        .char_indices()
                        .find(|&(_, c)| !c.is_ascii() && set.contains(c))
                        .map(|(j, _)| i + j);
                    // Char by char, and in blocks where the CPU can.
                    for simd in [None, crate::scan::Simd::get()] {
                        assert_eq!(set.find_with(simd, b, i), want, "{text:?} from {i}");
                    }
                }
            }
        }
    }

    /// `text` with every change `c.run` reports applied.
    fn run_to_string(c: &Compiled, text: &str) -> String {
        let mut out = String::new();
        let mut pos = 0;
        c.run(text, &mut |r: Range<usize>, s: &str| {
            out.push_str(&text[pos..r.start]);
            out.push_str(s);
            pos = r.end;
        });
        out.push_str(&text[pos..]);
        out
    }

    fn compiled(name: &str, protect: bool) -> Compiled {
        let spec = dict::parse_config(dict::config_json(name).unwrap(), true).unwrap();
        Compiled::build(&spec, protect.then(Classes::global)).unwrap()
    }

    /// `c` with its hot loops on blocks of 16 characters (`Some`) or char by char.
    fn with_simd(mut c: Compiled, simd: Option<crate::scan::Simd>) -> Compiled {
        for t in &mut c.steps {
            if let Some(d) = &mut t.direct {
                d.simd = simd.filter(|_| d.act32.is_some());
            }
        }
        c
    }

    fn pieces(c: &Compiled, text: &str, full: bool) -> Vec<(Range<usize>, String)> {
        let mut v = Vec::new();
        let mut emit = |r: Range<usize>, s: &str| v.push((r, s.to_owned()));
        let mut sink = Sink::new(text, &mut emit);
        if full {
            c.run_range(text, 0..text.len(), &mut sink);
        } else if let Some(t) = &c.trig {
            c.run_near(text, t, &mut sink);
        }
        sink.finish();
        v
    }

    /// The identity skip is on for the `*2s` configs, and off when an ASCII character
    /// begins a key (the bitmap search passes over ASCII).
    #[test]
    fn identity_skip_only_without_ascii_keys() {
        let c = compiled("t2s", true);
        assert!(c.steps[0].direct.as_ref().is_some_and(|d| d.live.is_some()));
        let t = Table::new(&[("B超", "超音波"), ("這", "这")]).unwrap();
        assert!(t.direct.as_ref().is_some_and(|d| d.live.is_none()));
    }

    /// Building reads only the blocks of `act` marked in `blocks`: no other entry
    /// may be set, in any table of any config.
    #[test]
    fn act_blocks_cover_every_action() {
        for cfg in crate::convert::OpenccConfig::ALL {
            for protect in [false, true] {
                let c = compiled(cfg.name(), protect && cfg.to_simplified());
                let tables = c.norm.iter().chain(&c.steps).chain(&c.seg);
                for d in tables.filter_map(|t| t.direct.as_ref()) {
                    for (u, &a) in d.act.iter().enumerate() {
                        assert!(a == 0 || d.blocks >> (u / ACT_BLOCK) & 1 != 0, "{u:X}");
                    }
                    if let Some(t) = &d.act32 {
                        assert_eq!(**t, *short_table_full(&d.act));
                    }
                }
            }
        }
    }

    #[test]
    fn trig_holds_every_traditional_char() {
        let c = compiled("t2s", true);
        let (Some(trig), Some(cl)) = (&c.trig, c.protect) else {
            panic!("t2s has protection")
        };
        let mut want = FirstChars::new();
        for t in &c.steps {
            want.union(&t.trig);
        }
        for ch in (0..0x10000u32).filter_map(char::from_u32) {
            if cl.is_traditional(ch) {
                want.add(ch);
            }
        }
        assert!(trig.bmp[..] == want.bmp[..]);
    }

    /// `short_table` over every entry.
    fn short_table_full(act: &[u64; 0x10000]) -> Box<[u32; 0x10000]> {
        let mut t = Box::new([0u32; 0x10000]);
        for (c, &a) in act.iter().enumerate() {
            if a != 0 {
                t[c] = short(a, utf8_len_of(c));
            }
        }
        t
    }

    #[test]
    fn t2s_is_one_fused_pass_with_regions() {
        let c = compiled("t2s", true);
        assert!(c.fused);
        assert!(c.trig.is_some());
        assert!(compiled("s2t", false).fused);
        assert!(compiled("tw2sp", true).trig.is_none());
    }

    /// A compatibility ideograph deep inside Traditional text (where the region
    /// search skips characters) still gets normalized.
    #[test]
    fn normalization_inside_a_dense_region() {
        let c = compiled("t2s", true);
        let line = "這是一個測試，頭髮還有說話的時候。".repeat(400);
        let text = format!("{line}\u{F900}{line}");
        let out = run_to_string(&c, &text);
        assert!(out.contains('岂'));
        assert!(!out.contains('\u{F900}') && !out.contains('這'));
    }

    /// The dense scan stops at a compatibility ideograph wherever it stands, with the
    /// same result as looking for them before the scan.
    #[test]
    fn normalization_found_by_the_dense_scan() {
        let c = compiled("t2s", true);
        assert!(c.dense_norm);
        let mut old = compiled("t2s", true);
        old.dense_norm = false;
        let run = |c: &Compiled, text: &str| {
            let mut v = Vec::new();
            c.run(text, &mut |r: Range<usize>, s: &str| {
                v.push((r, s.to_owned()))
            });
            v
        };
        let trad = "這是一個測試，頭髮還有說話的時候。".repeat(30);
        let simp = "这是一个测试，头发还有说话的时候。".repeat(30);
        for base in [
            trad.clone(),
            simp.clone(),
            format!("{simp}{trad}"),
            format!("{trad}\n{simp}"),
        ] {
            let chars: Vec<usize> = base.char_indices().map(|(i, _)| i).collect();
            for &at in chars
                .iter()
                .step_by(97)
                .chain([0, *chars.last().unwrap()].iter())
            {
                for ins in ["\u{F900}", "\u{2F800}", "\u{F900}\u{F901}"] {
                    let mut t = base.clone();
                    t.insert_str(at, ins);
                    assert_eq!(run(&c, &t), run(&old, &t), "{at} {ins}");
                }
            }
        }
    }

    /// The hot loop (state in locals, chunks of `HOT_CHUNK` bytes) converts as the
    /// plain forward maximum matching does, wherever the chunk edges fall.
    #[test]
    fn dense_equals_plain_matching() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/opencc/parity");
        let trad = std::fs::read_to_string(format!("{dir}/in-s2t.txt")).unwrap();
        for simd in [None, crate::scan::Simd::get()] {
            let c = with_simd(compiled("t2s", false), simd);
            assert!(c.fused && c.steps[0].direct.is_some());
            // Phrases at every place near a chunk edge (不可貲計 → 不可赀計, not 赀计).
            let edges = (240..270).map(|k| "這".repeat(k) + "不可貲計，");
            let shifts = ["", "a", "ab", "這", "é", "這a"].map(|s| format!("{s}{trad}"));
            for shift in edges.chain(shifts) {
                let text = shift.replace('\n', "，").repeat(3);
                let out = run_to_string(&c, &text);
                let (mut want, mut tmp) = (String::new(), String::new());
                c.chain_into(&text, &mut want, &mut tmp);
                assert!(out == want, "{}", shift.len());
            }
        }
    }

    /// The dense scan (hot loop, records begun and ended inside it) passes on the
    /// same records as plain matching with every change pushed one by one.
    #[test]
    fn dense_records_equal_pushed_matches() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/opencc/parity");
        let trad = std::fs::read_to_string(format!("{dir}/in-s2t.txt")).unwrap();
        let mixed: String = trad
            .lines()
            .enumerate()
            .map(|(i, l)| match i % 4 {
                0 => format!("{l}\n"),
                1 => format!("{l} abc·19 {}", "這".repeat(i % 30)),
                2 => format!("{l}{}é", "中".repeat(i % 20)),
                _ => l.to_owned(),
            })
            .collect();
        // Runs of 12 to 20 unchanged characters between changed ones, at every
        // offset from a block's start: records end 48 bytes after their last change.
        let runs: String = (0..400)
            .map(|i| {
                let lead = "這".repeat(1 + i % 17);
                format!("{lead}{}{}", "中".repeat(12 + i % 9), "個國".repeat(i % 3))
            })
            .collect();
        for (simd, text) in [None, crate::scan::Simd::get()]
            .into_iter()
            .flat_map(|s| [(s, trad.clone()), (s, mixed.clone()), (s, runs.clone())])
        {
            let c = with_simd(compiled("t2s", false), simd);
            let t = &c.steps[0];
            let mut got = Vec::new();
            let mut emit = |r: Range<usize>, s: &str| got.push((r, s.to_owned()));
            let mut sink = Sink::new(&text, &mut emit);
            c.run_range(&text, 0..text.len(), &mut sink);
            sink.finish();
            let mut want = Vec::new();
            let mut emit = |r: Range<usize>, s: &str| want.push((r, s.to_owned()));
            let mut sink = Sink::new(&text, &mut emit);
            t.scan(&text, |s, e, v| {
                if !t.is_same(v) {
                    sink.push(s..e, t.value(v));
                }
            });
            sink.finish();
            assert!(got.len() > 100);
            assert!(got == want);
        }
    }

    /// Converting only around the trigger characters gives the same changes as
    /// converting everything, on Simplified, Traditional and mixed text.
    #[test]
    fn regions_equal_whole_text() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/opencc/parity");
        let zhs = std::fs::read_to_string(format!("{dir}/in-zhs.txt")).unwrap();
        let trad = std::fs::read_to_string(format!("{dir}/in-s2t.txt")).unwrap();
        // Mixed: Simplified lines with Traditional lines and characters between.
        let mut mixed = String::new();
        for (i, (a, b)) in zhs.lines().zip(trad.lines()).enumerate() {
            mixed.push_str(if i % 7 == 3 { b } else { a });
            if i % 5 == 0 {
                mixed.push_str("這於乾後麽");
            }
            mixed.push(if i % 3 == 0 { '\n' } else { '，' });
        }
        let no_breaks: String = mixed.chars().filter(|&c| c != '\n' && c != '，').collect();
        for name in ["t2s", "hk2s", "tw2s"] {
            let c = compiled(name, true);
            if c.trig.is_none() {
                continue;
            }
            for (i, text) in [&zhs, &trad, &mixed, &no_breaks].into_iter().enumerate() {
                let (a, b) = (pieces(&c, text, true), pieces(&c, text, false));
                assert!(i == 0 || !a.is_empty(), "{name} {i}");
                assert_eq!(a.len(), b.len(), "{name}");
                assert!(a == b, "{name}");
            }
        }
    }
}
