//! Byte-level views of the codecs that mojibake is made of.
//!
//! A "wrong" codec (the one that produced the garbled text) is run backwards: each char
//! of the garbled text is encoded back to the bytes it came from. An "original" codec is
//! then run forwards over those bytes, unit by unit, keeping track of what is broken.
//! Tables are built once from encoding_rs, so they agree with the WHATWG decoders that
//! browsers (and most mis-decoding software) use.

use encoding_rs::{Encoding, BIG5, GBK, SHIFT_JIS};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// The codec that wrongly decoded the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wrong {
    /// Latin-1, windows-1252, or a mix (C1 controls and cp1252 punctuation both map back).
    Latin,
    Gbk,
    Big5,
    ShiftJis,
}

/// The codec the bytes really were in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Orig {
    Utf8,
    Gbk,
    Big5,
}

impl Wrong {
    pub fn label(self) -> &'static str {
        match self {
            Wrong::Latin => "latin-1/cp1252",
            Wrong::Gbk => "gbk",
            Wrong::Big5 => "big5",
            Wrong::ShiftJis => "shift_jis",
        }
    }
}

impl Orig {
    pub fn label(self) -> &'static str {
        match self {
            Orig::Utf8 => "utf-8",
            Orig::Gbk => "gbk",
            Orig::Big5 => "big5",
        }
    }
}

/// windows-1252 bytes 0x80..=0x9F that differ from Latin-1 (the 5 undefined ones are C1).
pub const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x100 {
        return Some(u as u8);
    }
    // The cp1252 chars above Latin-1 lie in U+0152..=U+2122 (hanzi are all above).
    if u > 0x2122 {
        return None;
    }
    CP1252_HIGH
        .iter()
        .position(|&x| x == c)
        .map(|i| 0x80 + i as u8)
}

/// Reverse tables (char → bytes) of the double-byte codecs.
struct Reverse {
    map: HashMap<char, [u8; 2]>,
    /// BMP chars: `lead << 8 | trail`, or a single high byte; 0 = not encodable.
    bmp: Vec<u16>,
}

impl Reverse {
    fn get(&self, c: char) -> Option<[u8; 2]> {
        let u = c as usize;
        if u < 0x10000 {
            let v = self.bmp[u];
            (v != 0).then_some([(v >> 8) as u8, v as u8])
        } else {
            self.map.get(&c).copied()
        }
    }

    fn insert_new(&mut self, c: char, b: [u8; 2]) {
        let u = c as usize;
        if u < 0x10000 {
            if self.bmp[u] == 0 {
                self.bmp[u] = (u16::from(b[0]) << 8) | u16::from(b[1]);
            }
        } else {
            self.map.entry(c).or_insert(b);
        }
    }
}

/// The char → bytes table of `enc`: every char that one of its byte pairs (or one of the
/// `single_high` bytes) decodes to. Where several pairs decode to one char, the
/// encoder's choice is canonical; a char only one pair decodes to takes that pair
/// without asking the encoder (which either gives that pair or refuses the char, and
/// refused pairs are taken anyway: HKSCS in Big5). Asking the encoder for every char
/// costs ~25 ms at start-up (the Big5 encoder searches its index linearly);
/// `reverse_is_exact` checks both ways agree. `fwd`: the decode table, when built.
fn build_reverse(enc: &'static Encoding, single_high: Range<u8>, fwd: Option<&Forward>) -> Reverse {
    // (8 bytes each: 24K of them.)
    let mut candidates: Vec<(char, [u8; 2], u8)> = Vec::with_capacity(24_000);
    let mut row = [None; 192];
    for lead in 0x81u8..=0xFE {
        let row: &[Option<char>] = match fwd {
            Some(f) => &f.table[(lead as usize - 0x81) * 192..][..192],
            None => {
                decode_row(enc, lead, 0x40..=0xFF, &mut row);
                &row
            }
        };
        for trail in 0x40u8..=0xFE {
            if trail == 0x7F {
                continue;
            }
            if let Some(c) = row[usize::from(trail - 0x40)] {
                candidates.push((c, [lead, trail], 2));
            }
        }
    }
    for b in single_high {
        if let Some(c) = decode_single(enc, &[b]) {
            candidates.push((c, [b, 0], 1));
        }
    }
    // Candidates per char: BMP in a dense array (saturating), the rest in a map.
    let mut count_bmp = vec![0u8; 0x10000];
    let mut count_hi: HashMap<char, u32> = HashMap::new();
    for &(c, _, _) in &candidates {
        match count_bmp.get_mut(c as usize) {
            Some(n) => *n = n.saturating_add(1),
            None => *count_hi.entry(c).or_insert(0) += 1,
        }
    }
    let mut r = Reverse {
        map: HashMap::new(),
        bmp: vec![0u16; 0x10000],
    };
    let mut encoder = enc.new_encoder();
    let mut enc_buf = [0u8; 8];
    let mut tmp = [0u8; 4];
    for (c, pair, len) in candidates {
        if r.get(c).is_some() {
            continue;
        }
        let once = match count_bmp.get(c as usize) {
            Some(&n) => n == 1,
            None => count_hi.get(&c) == Some(&1),
        };
        if len == 2 && once {
            r.insert_new(c, pair);
            continue;
        }
        let s = c.encode_utf8(&mut tmp);
        let (res, _read, written) =
            encoder.encode_from_utf8_without_replacement(s, &mut enc_buf, true);
        if res == encoding_rs::EncoderResult::InputEmpty && (1..=2).contains(&written) {
            let mut b = [0u8; 2];
            b[..written].copy_from_slice(&enc_buf[..written]);
            r.insert_new(c, b);
        } else if len == 2 {
            r.insert_new(c, pair);
        }
    }
    r
}

/// The plain construction `build_reverse` must agree with: ask the encoder for every char.
#[cfg(test)]
fn build_reverse_reference(enc: &'static Encoding, single_high: Range<u8>) -> Reverse {
    let mut map = HashMap::with_capacity(24_000);
    let mut enc_buf = [0u8; 8];
    let mut candidates: Vec<(char, [u8; 2], usize)> = Vec::with_capacity(24_000);
    for lead in 0x81u8..=0xFE {
        for trail in 0x40u8..=0xFE {
            if trail == 0x7F {
                continue;
            }
            if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(&[lead, trail])
            {
                let mut it = s.chars();
                if let (Some(c), None) = (it.next(), it.next()) {
                    candidates.push((c, [lead, trail], 2));
                }
            }
        }
    }
    for b in single_high {
        if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(&[b]) {
            let mut it = s.chars();
            if let (Some(c), None) = (it.next(), it.next()) {
                candidates.push((c, [b, 0], 1));
            }
        }
    }
    let mut encoder = enc.new_encoder();
    let mut tmp = [0u8; 4];
    for (c, pair, len) in candidates {
        if map.contains_key(&c) {
            continue;
        }
        let s = c.encode_utf8(&mut tmp);
        let (res, _read, written) =
            encoder.encode_from_utf8_without_replacement(s, &mut enc_buf, true);
        if res == encoding_rs::EncoderResult::InputEmpty && (1..=2).contains(&written) {
            let mut b = [0u8; 2];
            b[..written].copy_from_slice(&enc_buf[..written]);
            if written == 1 {
                b[1] = 0;
            }
            map.insert(c, b);
        } else if len == 2 {
            map.insert(c, pair);
        }
    }
    let mut bmp = vec![0u16; 0x10000];
    for (&c, b) in &map {
        let u = c as usize;
        if u < 0x10000 {
            bmp[u] = (u16::from(b[0]) << 8) | u16::from(b[1]);
        }
    }
    map.retain(|&c, _| (c as u32) >= 0x10000);
    Reverse { map, bmp }
}

/// The one char `bytes` decode to (no replacement), without allocating.
pub(crate) fn decode_single(enc: &'static Encoding, bytes: &[u8]) -> Option<char> {
    let mut d = enc.new_decoder_without_bom_handling();
    let mut buf = [0u8; 32];
    let (res, read, written) = d.decode_to_utf8_without_replacement(bytes, &mut buf, true);
    if res != encoding_rs::DecoderResult::InputEmpty || read != bytes.len() {
        return None;
    }
    let s = std::str::from_utf8(buf.get(..written)?).ok()?;
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// `decode_single(enc, &[lead, t])` for each trail `t` in `trails`, into `out` (one
/// entry per trail). The pairs of a row are decoded as one stream, restarted after each
/// malformed pair: a fresh decoder per pair costs ~25 ns, most of the start-up of the
/// codec tables. Wherever the stream's output cannot be matched to its pairs one char
/// each (a pair of two chars, a single-byte lead), the rest of the row is decoded pair by
/// pair; `decode_row_is_decode_single` checks every pair.
pub(crate) fn decode_row(
    enc: &'static Encoding,
    lead: u8,
    trails: std::ops::RangeInclusive<u8>,
    out: &mut [Option<char>],
) {
    let lo = *trails.start();
    let mut input = [0u8; 512];
    let mut n = 0;
    for t in trails {
        input[2 * n] = lead;
        input[2 * n + 1] = t;
        n += 1;
    }
    let out = &mut out[..n];
    // Pairs before `k` are done.
    let mut k = 0;
    let mut buf = [0u8; 1024];
    while k < n {
        let mut d = enc.new_decoder_without_bom_handling();
        let inp = &input[2 * k..2 * n];
        let (res, read, written) = d.decode_to_utf8_without_replacement(inp, &mut buf, true);
        let Ok(s) = std::str::from_utf8(&buf[..written]) else {
            break;
        };
        let m = s.chars().count();
        let whole = match res {
            encoding_rs::DecoderResult::InputEmpty => read == inp.len() && k + m == n,
            // The pair after the `m` decoded ones is malformed (its lead alone or both).
            encoding_rs::DecoderResult::Malformed(..) => {
                (read == 2 * m + 1 || read == 2 * m + 2) && k + m < n
            }
            encoding_rs::DecoderResult::OutputFull => false,
        };
        if !whole {
            break;
        }
        for (slot, c) in out[k..].iter_mut().zip(s.chars()) {
            *slot = Some(c);
        }
        k += m;
        if k < n {
            out[k] = None;
            k += 1;
        }
    }
    for (j, slot) in out.iter_mut().enumerate().skip(k) {
        *slot = decode_single(enc, &[lead, lo + j as u8]);
    }
}

fn reverse(w: Wrong) -> Option<&'static Reverse> {
    static G: OnceLock<Reverse> = OnceLock::new();
    static B: OnceLock<Reverse> = OnceLock::new();
    static S: OnceLock<Reverse> = OnceLock::new();
    match w {
        Wrong::Latin => None,
        Wrong::Gbk => Some(G.get_or_init(|| {
            let mut r = build_reverse(GBK, 0x80..0x81, forward(Orig::Gbk));
            // GB18030-2005 (Windows cp936, Python) still maps these pairs to the
            // private-use area; GB18030-2022 and encoding_rs do not.
            let mut alias = |bytes: [u8; 2], pua: u32| {
                if let Some(c) = char::from_u32(pua) {
                    r.insert_new(c, bytes);
                }
            };
            for (i, t) in (0xD9u8..=0xDF).enumerate() {
                alias([0xA6, t], 0xE78D + i as u32);
            }
            alias([0xA6, 0xEC], 0xE794);
            alias([0xA6, 0xED], 0xE795);
            alias([0xA6, 0xF3], 0xE796);
            for (t, u) in [
                (0x59u8, 0xE81Eu32),
                (0x61, 0xE826),
                (0x66, 0xE82B),
                (0x67, 0xE82C),
                (0x6D, 0xE832),
                (0x7E, 0xE843),
                (0x90, 0xE854),
                (0xA0, 0xE864),
            ] {
                alias([0xFE, t], u);
            }
            r
        })),
        Wrong::Big5 => Some(B.get_or_init(|| build_reverse(BIG5, 0x80..0x80, forward(Orig::Big5)))),
        Wrong::ShiftJis => Some(S.get_or_init(|| build_reverse(SHIFT_JIS, 0x80..0xE0, None))),
    }
}

/// What one char of garbled text stands for in the wrong codec's byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    Bytes([u8; 2], u8),
    /// U+FFFD: the wrong decoder met bytes it could not decode; they are lost.
    Hole,
}

/// Encode one char with the wrong codec. `None` when the codec cannot produce that char.
pub fn encode_back(w: Wrong, c: char) -> Option<Back> {
    if c == '\u{FFFD}' {
        return Some(Back::Hole);
    }
    if c.is_ascii() {
        return Some(Back::Bytes([c as u8, 0], 1));
    }
    match w {
        Wrong::Latin => cp1252_byte(c).map(|b| Back::Bytes([b, 0], 1)),
        _ => {
            let r = reverse(w)?;
            let b = if (c as u32) < 0x10000 {
                let v = r.bmp[c as usize];
                if v == 0 {
                    return None;
                }
                [(v >> 8) as u8, v as u8]
            } else {
                *r.map.get(&c)?
            };
            // Single high bytes (GBK 0x80 €, Shift_JIS half-width kana) have b[1] == 0.
            let n = if b[0] >= 0x80 && b[1] == 0 { 1 } else { 2 };
            Some(Back::Bytes(b, n))
        }
    }
}

/// Double-byte decode table: (lead - 0x81) * 192 + (trail - 0x40) → char.
struct Forward {
    table: Vec<Option<char>>,
}

fn build_forward(enc: &'static Encoding) -> Forward {
    let mut table = vec![None; 126 * 192];
    for (row, lead) in table.chunks_exact_mut(192).zip(0x81u8..=0xFE) {
        decode_row(enc, lead, 0x40..=0xFF, row);
    }
    Forward { table }
}

fn forward(o: Orig) -> Option<&'static Forward> {
    static G: OnceLock<Forward> = OnceLock::new();
    static B: OnceLock<Forward> = OnceLock::new();
    match o {
        Orig::Utf8 => None,
        Orig::Gbk => Some(G.get_or_init(|| build_forward(GBK))),
        Orig::Big5 => Some(B.get_or_init(|| build_forward(BIG5))),
    }
}

/// Decode a single double-byte pair in GBK or Big5.
pub fn decode_pair(o: Orig, lead: u8, trail: u8) -> Option<char> {
    let f = forward(o)?;
    if !(0x81..=0xFE).contains(&lead) || trail < 0x40 {
        return None;
    }
    f.table[(lead as usize - 0x81) * 192 + (trail as usize - 0x40)]
}

/// One unit of the original codec's decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Byte range in the rebuilt stream.
    pub bytes: Range<usize>,
    /// The decoded char, or `None` for a broken sequence (lost information).
    pub ch: Option<char>,
    /// A broken unit that ran into a hole (U+FFFD or `?` in the garbled text).
    pub hole: bool,
    /// A lost byte was restored (0x80, which GBK decoders reject, inside a sequence).
    pub restored: bool,
}

/// The rebuilt byte stream of a garbled run: bytes plus hole markers.
#[derive(Debug, Default, Clone)]
pub struct Stream {
    pub bytes: Vec<u8>,
    /// `holes[i]`: 1 = a definite hole (U+FFFD), 2 = a `?` that may be a hole, 3 = a
    /// space that may have been a no-break space (byte 0xA0 turned into 0x20), 4 = a
    /// U+FFFD from a GBK decoder (which rejects a lone 0x80, or a lead before ASCII).
    pub holes: Vec<u8>,
}

/// A borrowed stream (or a stretch of one).
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub bytes: &'a [u8],
    pub holes: &'a [u8],
}

impl View<'_> {
    fn is_hole(&self, i: usize, pending: bool) -> bool {
        match self.holes[i] {
            1 | 4 => true,
            2 => pending,
            _ => false,
        }
    }
}

/// Decode the stream with the original codec.
#[cfg(test)]
pub fn decode_units(o: Orig, s: &Stream, out: &mut Vec<Unit>) {
    decode_view(
        o,
        View {
            bytes: &s.bytes,
            holes: &s.holes,
        },
        out,
    );
}

/// `decode_units` on a borrowed stream.
pub fn decode_view(o: Orig, s: View<'_>, out: &mut Vec<Unit>) {
    out.clear();
    decode_each(o, s, |u| {
        out.push(u);
        true
    });
}

/// The units of `s` one by one, left to right, while `emit` returns true. A unit depends
/// only on the bytes from its start on, so stopping early changes none before.
pub fn decode_each(o: Orig, s: View<'_>, emit: impl FnMut(Unit) -> bool) {
    match o {
        Orig::Utf8 => decode_utf8(&s, emit),
        Orig::Gbk | Orig::Big5 => decode_dbcs(o, &s, emit),
    }
}

fn utf8_need(b: u8) -> Option<(usize, u8, u8)> {
    // (continuation bytes needed, allowed range of the first continuation)
    match b {
        0xC2..=0xDF => Some((1, 0x80, 0xBF)),
        0xE0 => Some((2, 0xA0, 0xBF)),
        0xE1..=0xEC | 0xEE..=0xEF => Some((2, 0x80, 0xBF)),
        0xED => Some((2, 0x80, 0x9F)),
        0xF0 => Some((3, 0x90, 0xBF)),
        0xF1..=0xF3 => Some((3, 0x80, 0xBF)),
        0xF4 => Some((3, 0x80, 0x8F)),
        _ => None,
    }
}

/// A hole or an ASCII byte is one unit in every codec.
fn single_byte_unit(s: &View<'_>, i: usize) -> Option<Unit> {
    let hole = matches!(s.holes[i], 1 | 4);
    let b = s.bytes[i];
    (hole || b < 0x80).then(|| Unit {
        bytes: i..i + 1,
        ch: (!hole).then_some(b as char),
        hole,
        restored: false,
    })
}

fn decode_utf8(s: &View<'_>, mut emit: impl FnMut(Unit) -> bool) {
    let b = s.bytes;
    let n = b.len();
    let mut i = 0;
    while i < n {
        if let Some(u) = single_byte_unit(s, i) {
            if !emit(u) {
                return;
            }
            i += 1;
            continue;
        }
        let lead = b[i];
        let Some((need, lo, hi)) = utf8_need(lead) else {
            if !emit(Unit {
                bytes: i..i + 1,
                ch: None,
                hole: false,
                restored: false,
            }) {
                return;
            }
            i += 1;
            continue;
        };
        let mut k = 1;
        let mut broken = None;
        let mut nbsp = false;
        let mut restored = false;
        while k <= need {
            let j = i + k;
            if j >= n {
                broken = Some((j, false));
                break;
            }
            let (l, h) = if k == 1 { (lo, hi) } else { (0x80, 0xBF) };
            // A GBK decoder's U+FFFD followed by a non-ASCII byte can only be a lone 0x80
            // (an invalid lead before ASCII is the other way to get one).
            if s.holes[j] == 4
                && (l..=h).contains(&0x80)
                && s.bytes.get(j + 1).is_some_and(|&b| b >= 0x80)
                && s.holes.get(j + 1) == Some(&0)
            {
                restored = true;
                k += 1;
                continue;
            }
            if s.is_hole(j, true) {
                broken = Some((j + 1, true));
                break;
            }
            let byte = if s.holes[j] == 3 && (l..=h).contains(&0xA0) {
                nbsp = true;
                0xA0
            } else {
                b[j]
            };
            if !(l..=h).contains(&byte) {
                broken = Some((j, false));
                break;
            }
            k += 1;
        }
        match broken {
            Some((end, hole)) => {
                if !emit(Unit {
                    bytes: i..end,
                    ch: None,
                    hole,
                    restored: false,
                }) {
                    return;
                }
                i = end;
            }
            None => {
                let end = i + need + 1;
                let mut buf = [0u8; 4];
                buf[..end - i].copy_from_slice(&b[i..end]);
                for (k, x) in buf[1..end - i].iter_mut().enumerate() {
                    match s.holes[i + 1 + k] {
                        3 if nbsp => *x = 0xA0,
                        4 if restored => *x = 0x80,
                        _ => {}
                    }
                }
                let ch = utf8_char(&buf[..end - i]);
                if !emit(Unit {
                    bytes: i..end,
                    ch,
                    hole: false,
                    restored,
                }) {
                    return;
                }
                i = end;
            }
        }
    }
}

/// The char of one complete UTF-8 sequence whose lead and continuation bytes passed
/// the `utf8_need` ranges (so it is well formed; `from_utf8` would accept it).
fn utf8_char(b: &[u8]) -> Option<char> {
    let cont = |k: usize| u32::from(b[k] & 0x3F);
    let u = match b.len() {
        2 => (u32::from(b[0] & 0x1F) << 6) | cont(1),
        3 => (u32::from(b[0] & 0x0F) << 12) | (cont(1) << 6) | cont(2),
        4 => (u32::from(b[0] & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
        _ => return std::str::from_utf8(b).ok().and_then(|x| x.chars().next()),
    };
    debug_assert_eq!(
        std::str::from_utf8(b).ok().and_then(|x| x.chars().next()),
        char::from_u32(u)
    );
    char::from_u32(u)
}

fn decode_dbcs(o: Orig, s: &View<'_>, mut emit: impl FnMut(Unit) -> bool) {
    let b = s.bytes;
    let n = b.len();
    let mut i = 0;
    while i < n {
        if let Some(u) = single_byte_unit(s, i) {
            if !emit(u) {
                return;
            }
            i += 1;
            continue;
        }
        let lead = b[i];
        if !(0x81..=0xFE).contains(&lead) {
            if !emit(Unit {
                bytes: i..i + 1,
                ch: None,
                hole: false,
                restored: false,
            }) {
                return;
            }
            i += 1;
            continue;
        }
        if i + 1 >= n {
            if !emit(Unit {
                bytes: i..i + 1,
                ch: None,
                hole: false,
                restored: false,
            }) {
                return;
            }
            i += 1;
            continue;
        }
        if s.is_hole(i + 1, true) {
            if !emit(Unit {
                bytes: i..i + 2,
                ch: None,
                hole: true,
                restored: false,
            }) {
                return;
            }
            i += 2;
            continue;
        }
        match decode_pair(o, lead, b[i + 1]) {
            Some(c) => {
                if !emit(Unit {
                    bytes: i..i + 2,
                    ch: Some(c),
                    hole: false,
                    restored: false,
                }) {
                    return;
                }
                i += 2;
            }
            None => {
                if !emit(Unit {
                    bytes: i..i + 1,
                    ch: None,
                    hole: false,
                    restored: false,
                }) {
                    return;
                }
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream_of(w: Wrong, s: &str) -> Stream {
        let mut st = Stream::default();
        for c in s.chars() {
            match encode_back(w, c).unwrap() {
                Back::Bytes(b, n) => {
                    for &x in &b[..n as usize] {
                        st.bytes.push(x);
                        st.holes.push(if x == b'?' { 2 } else { 0 });
                    }
                }
                Back::Hole => {
                    st.bytes.push(0);
                    st.holes.push(1);
                }
            }
        }
        st
    }

    fn decoded(o: Orig, st: &Stream) -> String {
        let mut u = Vec::new();
        decode_units(o, st, &mut u);
        u.iter().map(|u| u.ch.unwrap_or('\u{FFFD}')).collect()
    }

    #[test]
    fn gbk_round_trip() {
        let st = stream_of(Wrong::Gbk, "鍙傝€冩枃鐚");
        assert_eq!(decoded(Orig::Utf8, &st), "参考文\u{FFFD}");
        let st = stream_of(Wrong::Latin, "ä¸\u{AD}æ–‡");
        assert_eq!(decoded(Orig::Utf8, &st), "中文");
        let st = stream_of(Wrong::Latin, "ÖÐÎÄ");
        assert_eq!(decoded(Orig::Gbk, &st), "中文");
    }

    /// The old single-char decode, for comparison.
    fn decode_alloc(enc: &'static Encoding, b: &[u8]) -> Option<char> {
        let s = enc.decode_without_bom_handling_and_without_replacement(b)?;
        let mut it = s.chars();
        match (it.next(), it.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn decode_single_matches_encoding_rs() {
        for enc in [GBK, BIG5, SHIFT_JIS] {
            for lead in 0x80u8..=0xFF {
                assert_eq!(decode_single(enc, &[lead]), decode_alloc(enc, &[lead]));
                for trail in 0x00u8..=0xFF {
                    let b = [lead, trail];
                    assert_eq!(decode_single(enc, &b), decode_alloc(enc, &b), "{b:x?}");
                }
            }
        }
    }

    #[test]
    fn decode_row_is_decode_single() {
        for enc in [GBK, BIG5, SHIFT_JIS] {
            for lead in 0x81u8..=0xFE {
                for (lo, hi) in [(0x40u8, 0xFFu8), (0x80, 0xBF), (0xA1, 0xFE), (0x40, 0x40)] {
                    let mut row = [Some('x'); 192];
                    decode_row(enc, lead, lo..=hi, &mut row);
                    for t in lo..=hi {
                        let want = decode_single(enc, &[lead, t]);
                        assert_eq!(
                            row[usize::from(t - lo)],
                            want,
                            "{} {lead:x} {t:x}",
                            enc.name()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn reverse_is_exact() {
        let cases = [
            (GBK, 0x80..0x81, forward(Orig::Gbk)),
            (GBK, 0x80..0x81, None),
            (BIG5, 0x80..0x80, forward(Orig::Big5)),
            (SHIFT_JIS, 0x80..0xE0, None),
        ];
        for (enc, high, fwd) in cases {
            let fast = build_reverse(enc, high.clone(), fwd);
            let slow = build_reverse_reference(enc, high);
            assert!(fast.bmp == slow.bmp, "{}", enc.name());
            assert_eq!(fast.map, slow.map, "{}", enc.name());
        }
    }

    #[test]
    fn cp1252_byte_is_the_table_search() {
        for u in 0..0x11000u32 {
            let Some(c) = char::from_u32(u) else { continue };
            let plain = if u < 0x100 {
                Some(u as u8)
            } else {
                CP1252_HIGH
                    .iter()
                    .position(|&x| x == c)
                    .map(|i| 0x80 + i as u8)
            };
            assert_eq!(cp1252_byte(c), plain, "{u:x}");
        }
    }

    #[test]
    fn question_mark_is_a_hole_only_inside_a_sequence() {
        let st = stream_of(Wrong::Gbk, "鐚?a?");
        let mut u = Vec::new();
        decode_units(Orig::Utf8, &st, &mut u);
        assert_eq!(u.len(), 3);
        assert!(u[0].hole && u[0].ch.is_none());
        assert_eq!(u[2].ch, Some('?'));
    }
}
