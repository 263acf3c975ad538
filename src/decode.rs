//! Bytes to text: BOMs, UTF-8, UTF-16/32 (with or without BOM), legacy CJK and Western
//! encodings, short strings, binary refusal, and files that mix encodings line by line.
//!
//! How the encoding is chosen (see the README, "How detection chooses an encoding"):
//! 1. `--from` wins; then a BOM (UTF-32 BOMs are checked before UTF-16 ones).
//! 2. Valid UTF-8 without NUL bytes is UTF-8 (one SIMD validation pass); only short inputs
//!    are also compared with the legacy readings, because a few CJK byte pairs happen to be
//!    valid UTF-8.
//! 3. Input with NUL bytes is UTF-16/32 if one of those readings is valid and plausible,
//!    and binary otherwise.
//! 4. Otherwise every candidate (GBK/GB18030, Big5, Shift_JIS, EUC-JP, EUC-KR, UTF-16LE/BE,
//!    windows-1252, chardetng's guess, UTF-8 with errors) decodes a sample, and the reading
//!    with the highest plausibility (`score.rs`: character LM + kana/hangul tables +
//!    character classes) plus a small prior wins. Lines that are valid UTF-8, or that the
//!    winner cannot decode, are decided again one by one; a file whose lines need different
//!    encodings is decoded segment by segment and marked `mixed`.
//!
//! Undecodable bytes never fail decoding: they become U+FFFD and are listed in
//! `Decoded::malformed` (the report marks them Unrecoverable). Only binary input is an error.

mod score;
#[cfg(feature = "lm-wordfreq")]
mod tables;
/// Without the CC-BY-SA tables: flat kana and hangul probabilities.
#[cfg(not(feature = "lm-wordfreq"))]
mod tables {
    pub const JA_KANA_SHARE: f32 = -0.361;
    pub static KANA: &[(char, f32)] = &[];
    pub const KANA_FLOOR: f32 = -5.0;
    pub static HANGUL: &[(char, f32)] = &[];
    pub const HANGUL_FLOOR: f32 = -8.0;
}

pub use score::{mean_logprob, text_logprob};

use crate::error::{Error, Result};
use encoding_rs::Encoding;
use std::ops::Range;

/// An encoding the decoder can report. encoding_rs has no UTF-32, so it gets its own cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Rs(&'static Encoding),
    Utf32Le,
    Utf32Be,
}

const UTF8: Enc = Enc::Rs(encoding_rs::UTF_8);

impl Enc {
    pub fn name(&self) -> &'static str {
        match self {
            Enc::Rs(e) => e.name(),
            Enc::Utf32Le => "UTF-32LE",
            Enc::Utf32Be => "UTF-32BE",
        }
    }

    /// Parse a user label (`gbk`, `big5`, `utf-16le`, `utf-32` ...).
    pub fn from_label(label: &str) -> Result<Enc> {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "utf-32" | "utf-32le" | "utf32" | "utf32le" => return Ok(Enc::Utf32Le),
            "utf-32be" | "utf32be" => return Ok(Enc::Utf32Be),
            "latin-1" | "latin1" => return Ok(Enc::Rs(encoding_rs::WINDOWS_1252)),
            "gb18030" => return Ok(Enc::Rs(encoding_rs::GB18030)),
            "cp936" => return Ok(Enc::Rs(encoding_rs::GBK)),
            "cp950" => return Ok(Enc::Rs(encoding_rs::BIG5)),
            "cp932" | "sjis" => return Ok(Enc::Rs(encoding_rs::SHIFT_JIS)),
            "cp949" | "uhc" => return Ok(Enc::Rs(encoding_rs::EUC_KR)),
            _ => {}
        }
        Encoding::for_label(l.as_bytes())
            .map(Enc::Rs)
            .ok_or_else(|| Error::UnknownEncoding(label.to_owned()))
    }

    /// UTF-16 or UTF-32: not ASCII-compatible, so never split at `\n` bytes.
    pub fn is_wide(&self) -> bool {
        match self {
            Enc::Utf32Le | Enc::Utf32Be => true,
            Enc::Rs(e) => *e == encoding_rs::UTF_16LE || *e == encoding_rs::UTF_16BE,
        }
    }

    /// Bytes taken by `text` in this encoding (for offset mapping).
    pub fn encoded_len(&self, text: &str) -> usize {
        match self {
            Enc::Utf32Le | Enc::Utf32Be => text.chars().count() * 4,
            Enc::Rs(e) if *e == encoding_rs::UTF_16LE || *e == encoding_rs::UTF_16BE => {
                text.encode_utf16().count() * 2
            }
            Enc::Rs(e) if *e == encoding_rs::UTF_8 => text.len(),
            Enc::Rs(e) => e.encode(text).0.len(),
        }
    }

    /// Small prior (nats) for the candidate comparison: how common the encoding is for
    /// text that reaches this tool.
    fn prior(&self) -> f32 {
        match self.name() {
            "UTF-8" => 0.0,
            "GBK" | "gb18030" => 0.0,
            "Big5" => -0.5,
            "UTF-16LE" => -1.0,
            "UTF-16BE" => -1.5,
            "UTF-32LE" | "UTF-32BE" => -1.0,
            "Shift_JIS" | "EUC-KR" => -1.0,
            "EUC-JP" => -1.5,
            _ => -3.0,
        }
    }
}

/// One stretch of input decoded with one encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Byte range in the input (the BOM, if any, belongs to the first segment).
    pub bytes: Range<usize>,
    /// Byte range in the decoded text.
    pub text: Range<usize>,
    pub encoding: Enc,
    /// 0..1: how sure the detector is.
    pub confidence: f32,
    /// Length of a BOM at the start of `bytes`.
    pub bom: usize,
}

/// Decoded input.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub segments: Vec<Segment>,
    /// More than one encoding was needed.
    pub mixed: bool,
    /// Spans of the decoded text that were undecodable (became U+FFFD).
    pub malformed: Vec<Range<usize>>,
    /// Exact (text offset, input offset) pairs, sorted: after every malformed span and
    /// every few KB, so `input_offset` is exact and cheap.
    pub anchors: Vec<(usize, usize)>,
}

impl Decoded {
    /// The main encoding: the one covering the most bytes.
    pub fn encoding(&self) -> Enc {
        let mut by: Vec<(Enc, usize)> = Vec::new();
        for s in &self.segments {
            match by.iter_mut().find(|(e, _)| *e == s.encoding) {
                Some((_, n)) => *n += s.bytes.len(),
                None => by.push((s.encoding, s.bytes.len())),
            }
        }
        by.iter()
            .max_by_key(|(_, n)| *n)
            .map(|(e, _)| *e)
            .unwrap_or(UTF8)
    }

    /// The lowest segment confidence.
    pub fn confidence(&self) -> f32 {
        self.segments
            .iter()
            .map(|s| s.confidence)
            .fold(1.0f32, f32::min)
    }

    /// The distinct encodings, in order of first use.
    pub fn encodings(&self) -> Vec<Enc> {
        let mut v: Vec<Enc> = Vec::new();
        for s in &self.segments {
            if !v.contains(&s.encoding) {
                v.push(s.encoding);
            }
        }
        v
    }

    /// The input bytes behind a malformed span (or any span) of the decoded text.
    pub fn input_range(&self, text: Range<usize>) -> Range<usize> {
        self.input_offset(text.start)..self.input_offset(text.end)
    }

    /// Map a byte offset of the decoded text to a byte offset of the input.
    pub fn input_offset(&self, pos: usize) -> usize {
        let i = self.segments.partition_point(|s| s.text.end < pos);
        let Some(seg) = self.segments.get(i).or(self.segments.last()) else {
            return pos;
        };
        let mut pos = pos.clamp(seg.text.start, seg.text.end);
        while pos > seg.text.start && !self.text.is_char_boundary(pos) {
            pos -= 1;
        }
        // Nearest exact point at or before `pos` inside this segment.
        let k = self.anchors.partition_point(|&(t, _)| t <= pos);
        let (t0, b0) = match k.checked_sub(1).map(|k| self.anchors[k]) {
            Some((t, b)) if t >= seg.text.start && t > seg.text.start => (t, b),
            _ => (seg.text.start, seg.bytes.start + seg.bom),
        };
        let prefix = self.text.get(t0..pos).unwrap_or("");
        let n = match seg.encoding {
            Enc::Rs(e) if e == encoding_rs::UTF_8 => prefix.len(),
            enc => enc.encoded_len(prefix),
        };
        (b0 + n).min(seg.bytes.end)
    }
}

/// Options for decoding.
#[derive(Debug, Clone, Default)]
pub struct DecodeOptions {
    /// Skip detection and use this encoding.
    pub from: Option<Enc>,
    /// Decode even if the input looks binary.
    pub force: bool,
}

/// Inputs up to this many bytes that are valid UTF-8 are still compared with the legacy
/// readings (a 2–20 character GBK or Big5 string is sometimes valid UTF-8).
const SHORT_UTF8: usize = 64;
/// The UTF-8 reading's head start over others in that comparison (nats).
const UTF8_BONUS: f32 = 6.0;
/// A valid-UTF-8 line with this many non-ASCII bytes is UTF-8 without scoring.
const UTF8_LINE_SURE: usize = 24;
/// Detection looks at this much of the input; the decision holds for the rest.
const SAMPLE: usize = 16 * 1024;
/// The binary check looks at this much.
const BINARY_SAMPLE: usize = 16 * 1024;
/// Below this mean log-probability per char, a UTF-16/32 reading of NUL-bearing input is
/// not text (random binary decodes to rare CJK, hangul, Yi and private-use characters).
const WIDE_MIN_MEAN: f32 = -12.5;

/// Known binary formats, for a clearer refusal message.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\x7fELF", "an ELF executable"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF-", "a PDF document"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"BZh", "bzip2 data"),
    (b"\x00asm", "a WebAssembly module"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xca\xfe\xba\xbe", "a Java class or Mach-O file"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"MZ", "a Windows executable"),
    (b"OggS", "Ogg media"),
    (b"RIFF", "a RIFF (WAV/AVI/WebP) file"),
];

fn magic(input: &[u8]) -> Option<&'static str> {
    MAGIC
        .iter()
        .find(|(m, _)| input.starts_with(m))
        .map(|(_, n)| *n)
}

/// Binary data without NULs still has a C0 control in every 10 bytes or so; text may
/// hold a stray one (a form feed, a pasted backspace). Refusing text for a few of them
/// would also refuse the tool's own output, which can be much shorter than its input.
const MIN_CONTROLS: usize = 4;

/// Refuse input that looks binary: NUL bytes (callers rule out UTF-16/32 first), C0
/// controls in more than 5% of the first bytes, or a known binary file signature with
/// either NULs or controls.
pub fn check_binary(input: &[u8]) -> Result<()> {
    let sample = &input[..input.len().min(BINARY_SAMPLE)];
    let what = magic(input)
        .map(|m| format!("it starts like {m}; "))
        .unwrap_or_default();
    if let Some(i) = memchr::memchr(0, sample) {
        return Err(Error::Binary {
            reason: format!("{what}NUL byte at offset {i}, and it is not UTF-16/UTF-32 text"),
        });
    }
    let controls = count_controls(sample);
    if controls >= MIN_CONTROLS && controls * 20 > sample.len() {
        return Err(Error::Binary {
            reason: format!(
                "{what}{controls} control bytes in the first {} bytes",
                sample.len()
            ),
        });
    }
    if !what.is_empty() && controls > 0 {
        return Err(Error::Binary {
            reason: what.trim_end_matches("; ").to_owned(),
        });
    }
    Ok(())
}

/// C0 controls other than \t \n \x0c \r ESC, and DEL (branch-free so it vectorises).
fn count_controls(sample: &[u8]) -> usize {
    const ALLOWED: u32 = 1 << 9 | 1 << 10 | 1 << 12 | 1 << 13 | 1 << 27;
    sample
        .iter()
        .map(|&b| {
            let c0 = (b < 0x20) & ((ALLOWED >> (b & 31)) & 1 == 0);
            (c0 | (b == 0x7f)) as usize
        })
        .sum()
}

/// Decode `input`, detecting the encoding unless `opts.from` says it.
pub fn decode(input: &[u8], opts: &DecodeOptions) -> Result<Decoded> {
    if let Some(enc) = opts.from {
        return Ok(decode_with(input, enc, 1.0));
    }
    if let Some(enc) = bom(input) {
        return Ok(decode_with(input, enc, 1.0));
    }
    let utf8 = scan_utf8(input);
    let has_nul = match &utf8 {
        Some((_, nul)) => *nul,
        None => memchr::memchr(0, input).is_some(),
    };
    // NUL or control bytes: UTF-16/32 text (whose code units often contain such bytes)
    // or binary.
    let binary = if has_nul {
        Err(nul_error(input))
    } else {
        check_binary(input)
    };
    if let Err(e) = binary {
        if let Some(d) = detect_wide(input) {
            return Ok(d);
        }
        if !opts.force {
            return Err(e);
        }
    }
    if let Some((text, _)) = utf8 {
        // U+FFFD (EF BF BD) is what a decoder left, not GBK's 锟斤拷: such text is this
        // tool's own output, and a second run must read it back as it is.
        if input.len() <= SHORT_UTF8
            && !has_nul
            && !input.is_ascii()
            && !plainly_cjk(&text)
            && !text.contains('\u{FFFD}')
        {
            if let Some(d) = short_non_utf8(input) {
                return Ok(d);
            }
        }
        return Ok(Decoded {
            text,
            segments: vec![Segment {
                bytes: 0..input.len(),
                text: 0..input.len(),
                encoding: UTF8,
                confidence: if has_nul { 0.5 } else { 1.0 },
                bom: 0,
            }],
            mixed: false,
            malformed: Vec::new(),
            anchors: Vec::new(),
        });
    }
    Ok(decode_legacy(input))
}

/// [`decode`] of a buffer the caller gives up: plain UTF-8 (the common case) becomes the
/// text without a copy. Same result as `decode(&input, opts)`.
pub fn decode_owned(input: Vec<u8>, opts: &DecodeOptions) -> Result<Decoded> {
    // Short inputs may be a legacy encoding that happens to be valid UTF-8; a BOM or a
    // forced encoding decides elsewhere.
    if opts.from.is_some() || input.len() <= SHORT_UTF8 || bom(&input).is_some() {
        return decode(&input, opts);
    }
    if !valid_utf8_without_nul(&input) || check_binary(&input).is_err() {
        return decode(&input, opts);
    }
    // SAFETY: `valid_utf8_without_nul` validated all of `input` (its blocks cover it,
    // cut at char boundaries). `String::from_utf8` would validate again with the
    // scalar validator: ~13% of a clean run on Chinese text.
    let text = unsafe { String::from_utf8_unchecked(input) };
    Ok(Decoded {
        segments: vec![Segment {
            bytes: 0..text.len(),
            text: 0..text.len(),
            encoding: UTF8,
            confidence: 1.0,
            bom: 0,
        }],
        text,
        mixed: false,
        malformed: Vec::new(),
        anchors: Vec::new(),
    })
}

/// UTF-8 without NUL bytes (one pass per cache-sized block, like [`scan_utf8`]).
fn valid_utf8_without_nul(input: &[u8]) -> bool {
    let mut nul = false;
    utf8_blocks(input, |s| nul |= memchr::memchr(0, s.as_bytes()).is_some()) && !nul
}

/// Validate, look for NULs and copy in one pass per cache-sized block (three separate
/// passes over a large input would each stream it from memory). `None` if not UTF-8.
fn scan_utf8(input: &[u8]) -> Option<(String, bool)> {
    let mut out = String::with_capacity(input.len());
    let mut nul = false;
    let ok = utf8_blocks(input, |s| {
        nul |= memchr::memchr(0, s.as_bytes()).is_some();
        out.push_str(s);
    });
    ok.then_some((out, nul))
}

/// Call `f` on `input` in blocks of about 32 KiB cut at char boundaries, while each is
/// valid UTF-8; false if one is not.
fn utf8_blocks(input: &[u8], mut f: impl FnMut(&str)) -> bool {
    const BLOCK: usize = 32 * 1024;
    let mut pos = 0;
    while pos < input.len() {
        let mut end = (pos + BLOCK).min(input.len());
        // End the block on a char boundary.
        while end < input.len() && end > pos && input[end] & 0xC0 == 0x80 {
            end -= 1;
        }
        if end == pos {
            return false;
        }
        match simdutf8::basic::from_utf8(&input[pos..end]) {
            Ok(s) => f(s),
            Err(_) => return false,
        }
        pos = end;
    }
    true
}

fn nul_error(input: &[u8]) -> Error {
    let at = memchr::memchr(0, input).unwrap_or(0);
    let what = magic(input)
        .map(|m| format!("it starts like {m}; "))
        .unwrap_or_default();
    Error::Binary {
        reason: format!("{what}NUL byte at offset {at}, and it is not UTF-16/UTF-32 text"),
    }
}

/// For streaming: the UTF-16/32 encoding of a stream judged from its first bytes, so the
/// stream can cut windows on code-unit boundaries. `None` for byte-oriented encodings.
pub fn sniff_wide(head: &[u8]) -> Option<Enc> {
    if let Some(e) = bom(head) {
        return e.is_wide().then_some(e);
    }
    let h = &head[..head.len().min(SAMPLE) & !3];
    if memchr::memchr(0, h).is_some() {
        return detect_wide(h).map(|d| d.encoding());
    }
    match simdutf8::compat::from_utf8(h) {
        Ok(_) => return None,
        Err(e) if e.error_len().is_none() => return None,
        Err(_) => {}
    }
    let e = decode_legacy(h).encoding();
    e.is_wide().then_some(e)
}

/// Encoding announced by a byte-order mark.
fn bom(input: &[u8]) -> Option<Enc> {
    if input.starts_with(b"\xff\xfe\x00\x00") && input.len().is_multiple_of(4) {
        return Some(Enc::Utf32Le);
    }
    if input.starts_with(b"\x00\x00\xfe\xff") {
        return Some(Enc::Utf32Be);
    }
    Encoding::for_bom(input).map(|(e, _)| Enc::Rs(e))
}

/// A scored reading of some bytes.
#[derive(Debug, Clone, Copy)]
struct Scored {
    enc: Enc,
    score: f32,
}

/// Score each candidate's reading of `bytes` (undecodable bytes cost 30 nats each, so
/// clean readings win unless they are absurd). Best first.
fn rank(bytes: &[u8], cands: &[Enc], bonus: &dyn Fn(Enc, &str) -> f32) -> Vec<Scored> {
    let mut out: Vec<Scored> = cands
        .iter()
        .map(|&enc| {
            let p = decode_text(bytes, enc);
            Scored {
                enc,
                score: text_logprob(&p.text) + enc.prior() + bonus(enc, &p.text),
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// Confidence from the winner's lead over the runner-up (nats).
fn confidence(ranked: &[Scored]) -> f32 {
    match ranked {
        [] => 0.0,
        [_] => 0.99,
        [a, b, ..] => {
            let m = (a.score - b.score).max(0.0);
            (1.0 - 0.5 * (-m / 3.0).exp()).clamp(0.5, 0.99)
        }
    }
}

fn cjk_multibyte(e: Enc) -> bool {
    use encoding_rs::*;
    [GBK, GB18030, BIG5, SHIFT_JIS, EUC_JP, EUC_KR]
        .iter()
        .any(|&c| e == Enc::Rs(c))
}

/// Valid UTF-8 with at least one 3- or 4-byte sequence (U+0800 and up).
fn has_three_byte_utf8(line: &[u8]) -> bool {
    line.iter().any(|&b| b >= 0xE0)
}

/// Candidate encodings, and chardetng's guess when it is a single-byte encoding.
fn legacy_candidates(sample: &[u8], whole_len: usize) -> (Vec<Enc>, Option<Enc>) {
    use encoding_rs::*;
    let mut v: Vec<Enc> = [GBK, BIG5, SHIFT_JIS, EUC_JP, EUC_KR, WINDOWS_1252]
        .iter()
        .map(|&e| Enc::Rs(e))
        .collect();
    if whole_len.is_multiple_of(2) {
        v.push(Enc::Rs(UTF_16LE));
        v.push(Enc::Rs(UTF_16BE));
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(sample, sample.len() == whole_len);
    let guess = det.guess(None, false);
    if !v.contains(&Enc::Rs(guess)) {
        v.push(Enc::Rs(guess));
    }
    let single = guess.is_single_byte() && guess != encoding_rs::WINDOWS_1252;
    (v, single.then_some(Enc::Rs(guess)))
}

/// chardetng knows single-byte alphabets (Cyrillic, Greek, Hebrew ...) far better than the
/// score does: its single-byte guess gets this much per non-ASCII char. (Tuned on short
/// words: Cyrillic and Greek words went from about 30% to 56% correct with no loss on the
/// Chinese short-string sets.)
const CHARDET_CHAR_BONUS: f32 = 3.0;

fn chardet_bonus(guess: Option<Enc>) -> impl Fn(Enc, &str) -> f32 {
    move |e, text| {
        if Some(e) == guess {
            CHARDET_CHAR_BONUS * text.chars().filter(|c| !c.is_ascii()).count() as f32
        } else {
            0.0
        }
    }
}

/// Every non-ASCII char is a common CJK character or punctuation: ordinary UTF-8
/// text, not worth re-checking (keeps short UTF-8 documents fast).
fn plainly_cjk(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c as u32,
            0x00..=0x7F | 0x2010..=0x2027 | 0x3000..=0x303F | 0x3041..=0x30FF
            | 0x4E00..=0x9FFF | 0xFF01..=0xFF5E)
    })
}

/// A short input that is valid UTF-8: is it really GBK/Big5/UTF-16 ...?
fn short_non_utf8(input: &[u8]) -> Option<Decoded> {
    let (mut cands, _) = legacy_candidates(input, input.len());
    cands.push(UTF8);
    let ranked = rank(input, &cands, &|e, _| {
        if e == UTF8 {
            UTF8_BONUS
        } else {
            0.0
        }
    });
    let best = ranked.first()?;
    if best.enc == UTF8
        || decode_text(input, best.enc).had_errors
        || (best.enc.is_wide() && !wide_reads_as_text(input, *best))
    {
        return None;
    }
    Some(decode_with(input, best.enc, confidence(&ranked)))
}

/// Input with NUL bytes: UTF-16/32 without BOM, if a reading is valid and looks like text.
fn detect_wide(input: &[u8]) -> Option<Decoded> {
    let cut = input.len().min(SAMPLE) & !3;
    let sample = if cut == 0 { input } else { &input[..cut] };
    let mut cands = Vec::new();
    if input.len().is_multiple_of(2) {
        cands.push(Enc::Rs(encoding_rs::UTF_16LE));
        cands.push(Enc::Rs(encoding_rs::UTF_16BE));
    }
    if input.len().is_multiple_of(4) {
        cands.push(Enc::Utf32Le);
        cands.push(Enc::Utf32Be);
    }
    let ranked = rank(sample, &cands, &|_, _| 0.0);
    let best = ranked.first()?;
    if !wide_reads_as_text(sample, *best) {
        return None;
    }
    Some(decode_with(input, best.enc, confidence(&ranked)))
}

/// A UTF-16/32 reading is text only if it is plausible on average, with few controls and
/// few errors (random bytes read as UTF-16 give rare Han, Yi, hangul and private use).
fn wide_reads_as_text(sample: &[u8], s: Scored) -> bool {
    let piece = decode_text(sample, s.enc);
    let n = piece.text.chars().count().max(1);
    let controls = piece
        .text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}' | '\u{1b}'))
        .count();
    (s.score - s.enc.prior()) / (n as f32) >= WIDE_MIN_MEAN
        && controls * 100 <= n
        && piece.malformed.len() * 100 <= n
}

/// The first `SAMPLE` bytes, cut after a newline when there is one.
fn sample_of(input: &[u8]) -> &[u8] {
    if input.len() <= SAMPLE {
        return input;
    }
    match memchr::memrchr(b'\n', &input[..SAMPLE]) {
        Some(i) if i > SAMPLE / 4 => &input[..=i],
        _ => &input[..SAMPLE],
    }
}

/// Not UTF-8 (or forced): choose a legacy encoding, then check line by line.
fn decode_legacy(input: &[u8]) -> Decoded {
    let sample = sample_of(input);
    let (mut cands, guess) = legacy_candidates(sample, input.len());
    cands.push(UTF8);
    let ranked: Vec<Scored> = rank(sample, &cands, &chardet_bonus(guess))
        .into_iter()
        .filter(|s| !s.enc.is_wide() || wide_reads_as_text(sample, *s))
        .collect();
    let Some(best) = ranked.first().copied() else {
        return decode_with(input, UTF8, 0.0);
    };
    let conf = confidence(&ranked);
    let main = best.enc;
    if main.is_wide() || memchr::memchr(b'\n', input).is_none() {
        return gb18030_name(decode_with(input, main, conf), input);
    }
    // Line by line: valid UTF-8 lines, and lines `main` cannot decode, are decided alone.
    let whole = decode_piece(input, main);
    let all: Vec<Enc> = cands.iter().copied().filter(|e| !e.is_wide()).collect();
    let mut plan: Vec<(Range<usize>, Option<Enc>, f32)> = Vec::new();
    let mut bad = whole.bad_at.iter().copied().peekable();
    let mut secondary: Option<(Enc, f32)> = None;
    // GBK and Big5 decode nearly every byte pair of the other without an error. But Big5
    // text read as GBK lands in its user-defined areas (private-use chars), and GBK's
    // `，：` read as Big5 are bopomofo (`ㄛㄩ`): such lines are compared with the other.
    let other = match main.name() {
        "GBK" | "gb18030" => Some((
            Enc::Rs(encoding_rs::BIG5),
            has_private_use as fn(&[u8]) -> bool,
        )),
        "Big5" => Some((Enc::Rs(encoding_rs::GBK), has_bopomofo as fn(&[u8]) -> bool)),
        _ => None,
    }
    .filter(|(_, odd)| odd(whole.text.as_bytes()));
    // The line's text in `whole` (0x0A is never part of a GBK sequence: lines match).
    let tb = whole.text.as_bytes();
    let mut text_start = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', input)
        .map(|i| i + 1)
        .chain(std::iter::once(input.len()))
    {
        if end <= start {
            continue;
        }
        let line = &input[start..end];
        let line_text = if other.is_some() {
            let from = text_start.min(tb.len());
            let text_end = memchr::memchr(b'\n', &tb[from..]).map_or(tb.len(), |i| from + i + 1);
            text_start = text_end;
            &tb[from..text_end]
        } else {
            &[]
        };
        // Malformed sequences of the whole-input decode that end inside this line.
        let mut line_bad = false;
        while let Some(&b) = bad.peek() {
            if b > end {
                break;
            }
            line_bad |= b > start;
            bad.next();
        }
        let choice = if line.is_ascii() {
            (None, 1.0)
        } else if simdutf8::basic::from_utf8(line).is_ok() {
            if main == UTF8 || line.iter().filter(|b| !b.is_ascii()).count() >= UTF8_LINE_SURE {
                // A legacy line this long is essentially never valid UTF-8 by accident.
                (Some(UTF8), 0.99)
            } else if !line_bad && cjk_multibyte(main) && !has_three_byte_utf8(line) {
                // Only U+0080..U+07FF (Latin, Greek, Cyrillic ...): the usual accident of
                // a GBK/Big5 pair, and not what a UTF-8 line in a CJK file looks like.
                (Some(main), conf)
            } else {
                // No head start here: in a legacy file a UTF-8 line is the exception.
                let r = rank(line, &[UTF8, main], &|_, _| 0.0);
                (Some(r[0].enc), confidence(&r))
            }
        } else if let Some((o, _)) = other.filter(|(_, odd)| !line_bad && odd(line_text)) {
            let r = rank(line, &[main, o], &|_, _| 0.0);
            if r[0].enc == main {
                (Some(main), conf)
            } else {
                (Some(r[0].enc), confidence(&r))
            }
        } else if !line_bad {
            (Some(main), conf)
        } else if let Some((e, c)) = secondary.filter(|(e, _)| !decode_text(line, *e).had_errors) {
            // Mixed files mostly mix two encodings: reuse the last per-line decision.
            (Some(e), c)
        } else {
            let r = rank(line, &all, &|_, _| 0.0);
            let c = confidence(&r);
            if !decode_text(line, r[0].enc).had_errors {
                secondary = Some((r[0].enc, c));
            }
            (Some(r[0].enc), c)
        };
        plan.push((start..end, choice.0, choice.1));
        start = end;
    }
    // ASCII lines join the segment before them (or after, at the start).
    let first = plan.iter().find_map(|p| p.1).unwrap_or(main);
    let mut runs: Vec<(Range<usize>, Enc, f32)> = Vec::new();
    for (r, e, c) in plan {
        let e = e.unwrap_or_else(|| runs.last().map(|l| l.1).unwrap_or(first));
        match runs.last_mut() {
            Some(last) if last.1 == e => {
                last.0.end = r.end;
                last.2 = last.2.min(c);
            }
            _ => runs.push((r, e, c)),
        }
    }
    if runs.len() == 1 && runs[0].1 == main {
        let len = whole.text.len();
        let d = Decoded {
            text: whole.text,
            segments: vec![Segment {
                bytes: 0..input.len(),
                text: 0..len,
                encoding: main,
                confidence: runs[0].2.min(conf),
                bom: 0,
            }],
            mixed: false,
            malformed: whole.malformed,
            anchors: whole.anchors,
        };
        return gb18030_name(d, input);
    }
    if runs.len() == 1 {
        return gb18030_name(decode_with(input, runs[0].1, runs[0].2.min(conf)), input);
    }
    let mut out = Decoded {
        text: String::with_capacity(input.len() + input.len() / 2),
        segments: Vec::with_capacity(runs.len()),
        mixed: true,
        malformed: Vec::new(),
        anchors: Vec::new(),
    };
    for (r, enc, c) in runs {
        let p = decode_piece(&input[r.clone()], enc);
        let t0 = out.text.len();
        out.text.push_str(&p.text);
        out.malformed
            .extend(p.malformed.iter().map(|m| m.start + t0..m.end + t0));
        out.anchors.push((t0, r.start));
        out.anchors
            .extend(p.anchors.iter().map(|&(t, b)| (t + t0, b + r.start)));
        out.segments.push(Segment {
            bytes: r,
            text: t0..out.text.len(),
            encoding: enc,
            confidence: if enc == main { c.min(conf) } else { c },
            bom: 0,
        });
    }
    out.mixed = out.encodings().len() > 1;
    gb18030_name(out, input)
}

/// UTF-8 text holds a private-use char of U+E000..U+EFFF (lead byte EE), where the
/// user-defined areas of GBK (up to U+E765) and Shift_JIS (up to U+E757) decode. One
/// memchr: EE is rare in Chinese text, unlike EF (fullwidth punctuation).
fn has_private_use(text: &[u8]) -> bool {
    memchr::memchr(0xEE, text).is_some()
}

/// UTF-8 text holds a bopomofo letter (U+3105..U+3129: E3 84 85..A9).
fn has_bopomofo(text: &[u8]) -> bool {
    memchr::memmem::find_iter(text, &[0xE3, 0x84])
        .any(|i| text.get(i + 2).is_some_and(|b| (0x85..=0xA9).contains(b)))
}

/// encoding_rs decodes GB18030's four-byte sequences under the GBK label too; name the
/// encoding GB18030 when a GBK segment uses them.
fn gb18030_name(mut d: Decoded, input: &[u8]) -> Decoded {
    for seg in &mut d.segments {
        if seg.encoding == Enc::Rs(encoding_rs::GBK) && has_four_byte(&input[seg.bytes.clone()]) {
            seg.encoding = Enc::Rs(encoding_rs::GB18030);
        }
    }
    d
}

/// A GB18030 four-byte sequence: lead 0x81–0xFE, then a digit 0x30–0x39.
fn has_four_byte(b: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] < 0x80 {
            i += 1;
        } else if b[i + 1].is_ascii_digit() && b[i] != 0x80 && b[i] != 0xff {
            return true;
        } else {
            i += 2;
        }
    }
    false
}

/// Decode all of `input` with one encoding (a BOM of that encoding is skipped).
pub fn decode_with(input: &[u8], enc: Enc, confidence: f32) -> Decoded {
    let bom = match enc {
        Enc::Utf32Le if input.starts_with(b"\xff\xfe\x00\x00") => 4,
        Enc::Utf32Be if input.starts_with(b"\x00\x00\xfe\xff") => 4,
        Enc::Rs(e) => match Encoding::for_bom(input) {
            Some((b, n)) if b == e => n,
            _ => 0,
        },
        _ => 0,
    };
    let p = decode_piece(&input[bom..], enc);
    let len = p.text.len();
    Decoded {
        text: p.text,
        segments: vec![Segment {
            bytes: 0..input.len(),
            text: 0..len,
            encoding: enc,
            confidence,
            bom,
        }],
        mixed: false,
        malformed: p.malformed,
        anchors: p.anchors.iter().map(|&(t, b)| (t, b + bom)).collect(),
    }
}

/// Bytes decoded with one encoding, offsets relative to the piece.
struct Piece {
    text: String,
    malformed: Vec<Range<usize>>,
    anchors: Vec<(usize, usize)>,
    had_errors: bool,
    /// Input offset just past each malformed sequence.
    bad_at: Vec<usize>,
}

/// Text between periodic anchors.
const ANCHOR_EVERY: usize = 8 * 1024;

fn decode_piece(bytes: &[u8], enc: Enc) -> Piece {
    decode_piece_with(bytes, enc, true)
}

/// `decode_piece` for a look at the text only (ranking, error checks): without the
/// anchors of irregular chars, which cost a re-encode of the text.
fn decode_text(bytes: &[u8], enc: Enc) -> Piece {
    decode_piece_with(bytes, enc, false)
}

fn decode_piece_with(bytes: &[u8], enc: Enc, exact_offsets: bool) -> Piece {
    match enc {
        Enc::Utf32Le | Enc::Utf32Be => decode_utf32(bytes, enc == Enc::Utf32Le),
        Enc::Rs(e) => {
            if e == encoding_rs::UTF_8 {
                if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
                    return Piece {
                        text: s.to_owned(),
                        malformed: Vec::new(),
                        anchors: Vec::new(),
                        had_errors: false,
                        bad_at: Vec::new(),
                    };
                }
            }
            decode_rs(bytes, e, exact_offsets)
        }
    }
}

fn decode_rs(bytes: &[u8], e: &'static Encoding, exact_offsets: bool) -> Piece {
    let mut dec = e.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2 + 4);
    let mut malformed = Vec::new();
    let mut anchors = Vec::new();
    let mut bad_at = Vec::new();
    let mut scratch = String::new();
    // Split points where the decoder holds no state: after a `\n` (never a trail byte in
    // the supported multi-byte encodings); UTF-16 and ISO-2022-JP are not split.
    let splittable = e.is_ascii_compatible() && e != encoding_rs::ISO_2022_JP;
    let mut pos = 0;
    while pos < bytes.len() || (pos == 0 && bytes.is_empty()) {
        let end = if bytes.len() - pos <= ANCHOR_EVERY {
            bytes.len()
        } else if splittable {
            memchr::memchr(b'\n', &bytes[pos + ANCHOR_EVERY..])
                .map(|i| pos + ANCHOR_EVERY + i + 1)
                .unwrap_or(bytes.len())
        } else {
            // Stateful split (the decoder keeps a pending surrogate): no anchor here.
            pos + ANCHOR_EVERY
        };
        let last = end == bytes.len();
        let mut src = &bytes[pos..end];
        let mut consumed = pos;
        loop {
            let need = dec
                .max_utf8_buffer_length_without_replacement(src.len())
                .unwrap_or(src.len() * 3 + 16);
            // Decode into a small scratch buffer: encoding_rs touches every page of the
            // destination's spare capacity on each call.
            scratch.clear();
            scratch.reserve(need);
            let (res, read) = dec.decode_to_string_without_replacement(src, &mut scratch, last);
            text.push_str(&scratch);
            consumed += read;
            src = &src[read..];
            match res {
                encoding_rs::DecoderResult::InputEmpty => break,
                encoding_rs::DecoderResult::OutputFull => continue,
                encoding_rs::DecoderResult::Malformed(_, extra) => {
                    let t = text.len();
                    text.push('\u{FFFD}');
                    malformed.push(t..text.len());
                    anchors.push((text.len(), consumed - extra as usize));
                    bad_at.push(consumed - extra as usize);
                }
            }
        }
        if splittable && !last && anchors.last().map(|a| a.0) != Some(text.len()) {
            anchors.push((text.len(), end));
        }
        pos = end;
        if bytes.is_empty() {
            break;
        }
    }
    let anchors = if exact_offsets {
        irregular_anchors(e, bytes, &text, anchors)
    } else {
        anchors
    };
    Piece {
        had_errors: !malformed.is_empty(),
        text,
        malformed,
        anchors,
        bad_at,
    }
}

/// Anchors after the characters whose byte length the encoder would get wrong when
/// `input_offset` re-encodes text (GBK's one-byte 0x80 euro, Big5-HKSCS characters that
/// the Big5 encoder cannot produce, EUC-JP's three-byte JIS X 0212, Shift_JIS's
/// user-defined area, ISO-2022-JP's escapes). Found by walking the byte structure of each
/// stretch between existing anchors; encodings without a known structure are walked by
/// their decoder where re-encoding a stretch does not give its length.
fn irregular_anchors(
    e: &'static Encoding,
    bytes: &[u8],
    text: &str,
    anchors: Vec<(usize, usize)>,
) -> Vec<(usize, usize)> {
    use encoding_rs::{BIG5, EUC_JP, EUC_KR, GB18030, GBK, SHIFT_JIS, UTF_16BE, UTF_16LE, UTF_8};
    let kind = if e == GBK || e == GB18030 {
        if !text.contains('€') {
            return anchors;
        }
        0
    } else if e == BIG5 {
        1
    } else if e == EUC_JP {
        if memchr::memchr(0x8f, bytes).is_none() {
            return anchors;
        }
        2
    } else if e == SHIFT_JIS {
        // Leads F0..F9 are the user-defined area: private-use chars (U+E000..U+E757),
        // which the encoder writes as `&#NNNNN;`.
        if !has_private_use(text.as_bytes()) {
            return anchors;
        }
        4
    } else if e == UTF_8 || e == UTF_16LE || e == UTF_16BE || e == EUC_KR || e.is_single_byte() {
        // `encoded_len` is exact for these (every decoded char is written back at the
        // length it was read; `every_two_byte_sequence_maps_back_to_its_offset` checks
        // EUC-KR and single-byte ones); malformed spans have their anchors.
        return anchors;
    } else {
        3
    };
    let mut out = Vec::with_capacity(anchors.len());
    let mut starts = vec![(0usize, 0usize)];
    starts.extend(anchors.iter().copied());
    starts.push((text.len(), bytes.len()));
    for w in starts.windows(2) {
        let ((t0, b0), (t1, b1)) = (w[0], w[1]);
        if t0 > 0 {
            out.push((t0, b0));
        }
        if kind == 3 {
            walk_by_decoder(e, bytes, text, (t0, b0), (t1, b1), &mut out);
            continue;
        }
        let (mut b, mut prev) = (b0, '\0');
        for (i, c) in text[t0..t1].char_indices() {
            if c == '\u{FFFD}' || b >= b1 {
                break; // a malformed span: the next anchor follows it
            }
            let lead = bytes[b];
            let (len, odd) = match kind {
                0 => {
                    let len = if lead <= 0x80 || lead == 0xff {
                        1
                    } else if bytes.get(b + 1).is_some_and(|x| x.is_ascii_digit()) {
                        4
                    } else {
                        2
                    };
                    (len, c == '€')
                }
                1 => {
                    // Ê̄ Ê̌ ê̄ ê̌: one byte pair, two chars.
                    if matches!(c, '\u{304}' | '\u{30C}') && matches!(prev, 'Ê' | 'ê') {
                        (0, true)
                    } else if lead < 0x80 {
                        (1, false)
                    } else {
                        (2, !(0xA1..=0xF9).contains(&lead))
                    }
                }
                2 => match lead {
                    0..=0x7f => (1, false),
                    0x8f => (3, true),
                    _ => (2, false),
                },
                _ => match lead {
                    0x81..=0x9f | 0xe0..=0xfc => (2, ('\u{E000}'..='\u{E757}').contains(&c)),
                    _ => (1, false),
                },
            };
            b = (b + len).min(b1);
            if odd {
                out.push((t0 + i + c.len_utf8(), b));
            }
            prev = c;
        }
    }
    out.dedup_by_key(|a| a.0);
    out
}

/// `irregular_anchors` for any other encoding: if re-encoding the stretch does not give
/// its byte length, decode it again a byte at a time and anchor after every char whose
/// re-encoded length is not the number of bytes it took.
fn walk_by_decoder(
    e: &'static Encoding,
    bytes: &[u8],
    text: &str,
    (t0, b0): (usize, usize),
    (t1, b1): (usize, usize),
    out: &mut Vec<(usize, usize)>,
) {
    let (Some(stretch), Some(input)) = (text.get(t0..t1), bytes.get(b0..b1)) else {
        return;
    };
    if e.encode(stretch).0.len() == input.len() && e != encoding_rs::ISO_2022_JP {
        return;
    }
    let mut dec = e.new_decoder_without_bom_handling();
    let mut got = String::with_capacity(16);
    let (mut t, mut predicted) = (t0, b0);
    let mut buf = [0u8; 4];
    for (i, byte) in input.iter().enumerate() {
        got.clear();
        got.reserve(dec.max_utf8_buffer_length(1).unwrap_or(64));
        let last = b0 + i + 1 == bytes.len();
        let _ = dec.decode_to_string(std::slice::from_ref(byte), &mut got, last);
        if got.is_empty() {
            continue;
        }
        if got.contains('\u{FFFD}') || !text[t..].starts_with(got.as_str()) {
            return; // a malformed span: the next anchor follows it
        }
        for c in got.chars() {
            predicted += if c.is_ascii() && e.is_ascii_compatible() {
                1
            } else {
                e.encode(c.encode_utf8(&mut buf)).0.len()
            };
        }
        t += got.len();
        if predicted != b0 + i + 1 {
            predicted = b0 + i + 1;
            out.push((t, predicted));
        }
    }
}

fn decode_utf32(bytes: &[u8], le: bool) -> Piece {
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut malformed = Vec::new();
    let mut anchors = Vec::new();
    let mut bad_at = Vec::new();
    for (i, ch) in bytes.chunks(4).enumerate() {
        let v = if ch.len() < 4 {
            None
        } else if le {
            char::from_u32(u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]))
        } else {
            char::from_u32(u32::from_be_bytes([ch[0], ch[1], ch[2], ch[3]]))
        };
        match v {
            Some(c) => text.push(c),
            None => {
                let t = text.len();
                text.push('\u{FFFD}');
                malformed.push(t..text.len());
                let at = (i * 4 + ch.len()).min(bytes.len());
                anchors.push((text.len(), at));
                bad_at.push(at);
            }
        }
    }
    Piece {
        had_errors: !malformed.is_empty(),
        text,
        malformed,
        anchors,
        bad_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(b: &[u8]) -> Decoded {
        decode(b, &DecodeOptions::default()).unwrap()
    }

    /// `decode_owned` (no copy for plain UTF-8) decides exactly like `decode`: long and
    /// short UTF-8, chars cut across its 32 KiB blocks, NULs, control bytes, BOMs, GBK,
    /// UTF-16, invalid bytes in a late block.
    #[test]
    fn decode_owned_equals_decode() {
        let long = "中文，English 混排。\n".repeat(3000);
        let mut late_bad = long.clone().into_bytes();
        late_bad.extend_from_slice(b"\xFF tail");
        let mut late_nul = long.clone().into_bytes();
        late_nul[40_000] = 0;
        let (gbk, _, _) = encoding_rs::GBK.encode(&long);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in long.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let inputs: Vec<Vec<u8>> = vec![
            long.clone().into_bytes(),
            format!("\u{FEFF}{long}").into_bytes(),
            "中文".as_bytes().to_vec(),
            "ÄÖÜ sind Umlaute".as_bytes().to_vec(),
            late_bad,
            late_nul,
            gbk.into_owned(),
            utf16,
            format!("{}\x01\x02\x03", "\x07".repeat(100)).into_bytes(),
            format!("{long}\x1b[0m").into_bytes(),
            Vec::new(),
        ];
        for force in [false, true] {
            let opts = DecodeOptions {
                force,
                ..DecodeOptions::default()
            };
            for input in &inputs {
                let a = decode(input, &opts);
                let b = decode_owned(input.clone(), &opts);
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a.text, b.text);
                        assert_eq!(a.segments, b.segments);
                        assert_eq!(
                            (a.mixed, &a.malformed, &a.anchors),
                            (b.mixed, &b.malformed, &b.anchors)
                        );
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("decode {:?} vs decode_owned {:?}", a.is_ok(), b.is_ok()),
                }
            }
        }
    }

    #[test]
    fn utf8_passes_through() {
        let d = dec("中文".as_bytes());
        assert_eq!(d.text, "中文");
        assert_eq!(d.encoding().name(), "UTF-8");
        assert!(!d.mixed);
    }

    #[test]
    fn gbk_offsets_map_back() {
        let (bytes, _, _) = encoding_rs::GBK.encode("ab中文c");
        let d = decode_with(&bytes, Enc::Rs(encoding_rs::GBK), 1.0);
        assert_eq!(d.text, "ab中文c");
        assert_eq!(d.input_offset(d.text.find('文').unwrap()), 4);
        assert_eq!(d.input_offset(d.text.len()), bytes.len());
    }

    #[test]
    fn malformed_spans_map_to_their_bytes() {
        // GBK "中" + a lone lead byte + "文".
        let bytes = b"\xd6\xd0\x81\x0a\xce\xc4";
        let d = decode_with(bytes, Enc::Rs(encoding_rs::GBK), 1.0);
        assert_eq!(d.malformed.len(), 1);
        let m = d.malformed[0].clone();
        assert_eq!(&d.text[m.clone()], "\u{FFFD}");
        assert_eq!(d.input_range(m), 2..3);
        assert_eq!(d.input_offset(d.text.find('文').unwrap()), 4);
    }

    #[test]
    fn boms() {
        assert_eq!(dec(b"\xef\xbb\xbfab").text, "ab");
        assert_eq!(dec(b"\xff\xfea\x00b\x00").encoding().name(), "UTF-16LE");
        assert_eq!(dec(b"\xfe\xff\x00a\x00b").text, "ab");
        let d = dec(b"\xff\xfe\x00\x00a\x00\x00\x00");
        assert_eq!((d.encoding().name(), d.text.as_str()), ("UTF-32LE", "a"));
        let d = dec(b"\x00\x00\xfe\xff\x00\x00\x00a");
        assert_eq!((d.encoding().name(), d.text.as_str()), ("UTF-32BE", "a"));
    }

    #[test]
    fn utf16_and_utf32_without_bom() {
        let s = "Hello, world.\nSecond line 第二行\n";
        for (enc, bytes) in [
            (
                "UTF-16LE",
                s.encode_utf16()
                    .flat_map(|u| u.to_le_bytes())
                    .collect::<Vec<u8>>(),
            ),
            (
                "UTF-16BE",
                s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect(),
            ),
            (
                "UTF-32LE",
                s.chars().flat_map(|c| (c as u32).to_le_bytes()).collect(),
            ),
            (
                "UTF-32BE",
                s.chars().flat_map(|c| (c as u32).to_be_bytes()).collect(),
            ),
        ] {
            let d = dec(&bytes);
            assert_eq!((d.encoding().name(), d.text.as_str()), (enc, s));
        }
    }

    #[test]
    fn binary_is_refused_unless_forced() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06";
        let err = decode(png, &DecodeOptions::default()).unwrap_err();
        assert!(err.to_string().contains("PNG"), "{err}");
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
        assert!(matches!(
            decode(elf, &DecodeOptions::default()),
            Err(Error::Binary { .. })
        ));
        // Valid UTF-8 with NULs is binary too.
        assert!(decode(
            b"name\x00\x00\x00\x00size\x00\x01",
            &DecodeOptions::default()
        )
        .is_err());
        assert!(decode(b"hello world\x00\x00\x00\x00", &DecodeOptions::default()).is_err());
        let forced = DecodeOptions {
            force: true,
            ..DecodeOptions::default()
        };
        assert!(decode(png, &forced).is_ok());
        assert_eq!(
            decode(b"abc\x00\x00\x00d", &forced).unwrap().text,
            "abc\u{0}\u{0}\u{0}d"
        );
    }

    #[test]
    fn late_nul_in_utf8_is_binary() {
        let mut b = "中文 text\n".repeat(20_000).into_bytes();
        b.extend(b"\x00\x00\x00tail");
        assert!(matches!(
            decode(&b, &DecodeOptions::default()),
            Err(Error::Binary { .. })
        ));
        // Block boundaries of the fused UTF-8 scan never split a char.
        let s = "中文ab😀".repeat(50_000);
        assert_eq!(
            decode(s.as_bytes(), &DecodeOptions::default())
                .unwrap()
                .text,
            s
        );
    }

    #[test]
    fn control_bytes_are_binary() {
        let b: Vec<u8> = (0..200u8)
            .map(|i| if i % 3 == 0 { 1 } else { b'a' })
            .collect();
        assert!(decode(&b, &DecodeOptions::default()).is_err());
        // A stray control or two in short text, or one in 30 bytes of longer text, is text.
        for s in ["a\x0bb", "页一\x08\x08页二", "标题\x1d。"] {
            assert_eq!(
                decode(s.as_bytes(), &DecodeOptions::default())
                    .unwrap()
                    .text,
                s
            );
        }
        let s = "中文的句子，\x01还有一些。".repeat(100);
        assert_eq!(
            decode(s.as_bytes(), &DecodeOptions::default())
                .unwrap()
                .text,
            s
        );
        // Four in 60 bytes is binary.
        let b = [&b"\x01\x02\x03\x04"[..], &[b'a'; 56]].concat();
        assert!(decode(&b, &DecodeOptions::default()).is_err());
    }

    #[test]
    fn from_overrides_detection() {
        let opts = DecodeOptions {
            from: Some(Enc::from_label("windows-1252").unwrap()),
            force: false,
        };
        assert_eq!(decode("é".as_bytes(), &opts).unwrap().text, "Ã©");
    }

    #[test]
    fn long_utf16_with_lone_surrogate_and_split_pair() {
        // 4095 units, then a pair straddling the 8 KB chunk border, then a lone surrogate.
        let mut units: Vec<u16> = "中".repeat(4095).encode_utf16().collect();
        units.extend("😀".encode_utf16());
        units.push(0xD800);
        units.extend("文".repeat(100).encode_utf16());
        let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        let d = decode_with(&bytes, Enc::Rs(encoding_rs::UTF_16LE), 1.0);
        let want = format!("{}😀\u{FFFD}{}", "中".repeat(4095), "文".repeat(100));
        assert_eq!(d.text, want);
        assert_eq!(d.malformed.len(), 1);
        assert_eq!(d.input_range(d.malformed[0].clone()), 8194..8196);
        assert_eq!(d.input_offset(d.text.find('文').unwrap()), 8196);
        assert_eq!(d.input_offset(d.text.len()), bytes.len());
    }

    #[test]
    fn offsets_survive_characters_the_encoder_writes_differently() {
        // GBK: 0x80 is a one-byte euro sign (the GB18030 encoder writes A2 E3).
        let b = b"a\x80\xd6\xd0\xce\xc4 \x81\x30\x81\x30z";
        let d = decode_with(b, Enc::Rs(encoding_rs::GB18030), 1.0);
        assert_eq!(d.input_offset(d.text.find('中').unwrap()), 2);
        assert_eq!(d.input_offset(d.text.find('z').unwrap()), 11);
        // Big5-HKSCS: 0x8862 is two chars (Ê̄); 0x8840 is an HKSCS character.
        let b = b"\x88\x62\x88\x40\xa4\xa4x";
        let d = decode_with(b, Enc::Rs(encoding_rs::BIG5), 1.0);
        assert_eq!(d.input_offset(d.text.find('中').unwrap()), 4);
        assert_eq!(d.input_offset(d.text.find('x').unwrap()), 6);
        // EUC-JP: 0x8F starts a three-byte JIS X 0212 character.
        let b = b"\x8f\xb0\xa1\xa4\xa2y";
        let d = decode_with(b, Enc::Rs(encoding_rs::EUC_JP), 1.0);
        assert_eq!(d.input_offset(d.text.find('y').unwrap()), 5);
        assert_eq!(d.input_offset(d.text.find('あ').unwrap()), 3);
    }

    #[test]
    fn every_two_byte_sequence_maps_back_to_its_offset() {
        // Each lead byte with every trail byte, then a newline: the newline's input offset
        // must be exact and offsets must never go back, whatever the decoder made of the pair.
        use encoding_rs::*;
        let encodings = [
            GBK,
            GB18030,
            BIG5,
            SHIFT_JIS,
            EUC_JP,
            EUC_KR,
            WINDOWS_1252,
            WINDOWS_1251,
            KOI8_R,
            X_USER_DEFINED,
        ];
        for e in encodings {
            for lead in 0x80..=0xffu8 {
                let mut b = Vec::new();
                for trail in 0x40..=0xffu8 {
                    b.extend_from_slice(&[lead, trail, b'\n']);
                }
                let d = decode_with(&b, Enc::Rs(e), 1.0);
                let mut last = 0;
                let mut k = 0;
                for (p, c) in d.text.char_indices() {
                    let o = d.input_offset(p);
                    assert!(o >= last, "{} {lead:#x}: offset {o} after {last}", e.name());
                    last = o;
                    if c == '\n' {
                        assert_eq!(o, 3 * k + 2, "{} {lead:#x} {:#x}", e.name(), 0x40 + k);
                        k += 1;
                    }
                }
                assert_eq!(k, 0xc0, "{} {lead:#x}", e.name());
                assert_eq!(d.input_offset(d.text.len()), b.len());
            }
        }
    }

    #[test]
    fn stateful_iso_2022_jp_offsets_are_exact() {
        let (b, _, _) = encoding_rs::ISO_2022_JP.encode("ab日本c\nア語d");
        let d = decode_with(&b, Enc::Rs(encoding_rs::ISO_2022_JP), 1.0);
        assert_eq!(d.text, "ab日本c\nア語d");
        let mut want = Vec::new();
        let mut dec = encoding_rs::ISO_2022_JP.new_decoder_without_bom_handling();
        let mut s = String::with_capacity(64);
        for (i, x) in b.iter().enumerate() {
            let n = s.len();
            let _ = dec.decode_to_string(std::slice::from_ref(x), &mut s, i + 1 == b.len());
            if s.len() > n {
                want.push((n, i + 1));
            }
        }
        // Each char ends after the byte that completed it; it starts after the previous one.
        let mut start = 0;
        for (t, end) in want {
            assert_eq!(d.input_offset(t), start, "char at {t}");
            start = end;
        }
        assert_eq!(d.input_offset(d.text.len()), b.len());
    }

    #[test]
    fn short_utf8_with_replacement_chars_stays_utf8() {
        for s in [
            "中嚚��嚚���",
            "English words��干�１�３���，�",
            "\r\n１�３���",
        ] {
            assert_eq!(dec(s.as_bytes()).text, s);
        }
    }

    #[test]
    fn empty_input() {
        let d = dec(b"");
        assert_eq!(d.text, "");
        assert_eq!(d.input_offset(0), 0);
    }
}
