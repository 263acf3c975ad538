//! The decision: is the reversed text so much more likely than the garbled one that the
//! span must be replaced? Evidence: structure (how many multi-byte units decoded
//! cleanly), the character language model, and how common the characters are.

use super::codec::{decode_row, Orig, Wrong};
use super::Hyp;
use encoding_rs::{BIG5, GBK};
use std::sync::OnceLock;

/// Structural facts about one candidate.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Valid multi-byte units in the first layer.
    pub mb: usize,
    /// Characters lost (marked U+FFFD).
    pub lost: usize,
    /// Layers undone.
    pub layers: usize,
    /// Spans this hypothesis already repaired in the document.
    pub evidence: u32,
}

/// The decision on one candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub confidence: f32,
    /// Ranks overlapping candidates (higher wins).
    pub score: f64,
}

/// Common characters: GB2312 level 1 and Big5 level 1 (the most frequent hanzi of
/// Simplified and Traditional text), plus the CJK punctuation and fullwidth forms.
fn common() -> &'static [u64] {
    static C: OnceLock<Vec<u64>> = OnceLock::new();
    C.get_or_init(|| {
        let mut bits = vec![0u64; 0x10000 / 64];
        let mut set = |c: char| {
            let u = c as usize;
            if u < 0x10000 {
                bits[u / 64] |= 1 << (u % 64);
            }
        };
        let mut row = [None; 94];
        let mut add = |enc: &'static encoding_rs::Encoding,
                       leads: std::ops::RangeInclusive<u8>,
                       trails: &[std::ops::RangeInclusive<u8>]| {
            for l in leads {
                for tr in trails {
                    decode_row(enc, l, tr.clone(), &mut row);
                    for &c in row[..tr.len()].iter().flatten() {
                        set(c);
                    }
                }
            }
        };
        add(GBK, 0xB0..=0xD7, &[0xA1..=0xFE]);
        add(BIG5, 0xA4..=0xC6, &[0x40..=0x7E, 0xA1..=0xFE]);
        for u in (0x3000u32..=0x303F)
            .chain(0xFF01..=0xFF5E)
            .chain(0x2010..=0x2027)
        {
            if let Some(c) = char::from_u32(u) {
                set(c);
            }
        }
        bits
    })
}

/// Latin-1 and cp1252 letters left over from an intermediate layer.
pub fn latin_residue(c: char) -> bool {
    (0x80..=0x2FF).contains(&(c as u32)) && !matches!(c, '·' | '×' | '÷' | '°')
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// `c.is_alphabetic()` for U+00A0..=U+00FF (ª µ º and the accented letters), without
/// the general Unicode table walk.
fn latin1_letter(u: u32) -> bool {
    matches!(u, 0xAA | 0xB5 | 0xBA | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0xFF)
}

/// Plausibility of one char (not U+FFFD) in [-4, 0]: 0 for common chars and ASCII, lower
/// for rare hanzi, and lowest for symbols that mojibake is made of. `bits`: `common()`.
#[inline]
fn char_commonness(c: char, bits: &[u64]) -> f64 {
    let u = c as u32;
    let common = c.is_ascii() || (u < 0x10000 && bits[u as usize / 64] & (1 << (u % 64)) != 0);
    if common {
        0.0
    } else if (0x3040..=0x30FF).contains(&u) || (0xAC00..=0xD7AF).contains(&u) {
        -0.5 // kana, hangul: clean in their own texts
    } else if is_cjk(c) {
        -2.5
    } else if latin1_letter(u) {
        -1.5
    } else {
        -4.0
    }
}

/// What `quality` and `quality_bound` need of a text besides the model: its chars other
/// than U+FFFD (`n`), the lost ones (U+FFFD), and the commonness of the former. Found
/// in one pass, once per text however many scores are asked.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    n: usize,
    lost: usize,
    common: f64,
}

/// The values `char_commonness` takes.
const COMMONNESS: [f64; 5] = [0.0, -0.5, -2.5, -1.5, -4.0];

/// `char_commonness` of every BMP char, as an index into `COMMONNESS` (one lookup instead
/// of a bit test and a chain of range checks).
fn commonness_classes() -> &'static [u8] {
    static C: OnceLock<Vec<u8>> = OnceLock::new();
    C.get_or_init(|| {
        // Class by range first (as `char_commonness` checks them, later ones only where
        // no earlier one applies), then the common chars and ASCII: a few fills instead
        // of 64K calls.
        let mut classes = vec![4u8; 0x10000];
        let mut fill = |r: std::ops::RangeInclusive<usize>, k: u8| classes[r].fill(k);
        fill(0xAA..=0xAA, 3);
        fill(0xB5..=0xB5, 3);
        fill(0xBA..=0xBA, 3);
        fill(0xC0..=0xD6, 3);
        fill(0xD8..=0xF6, 3);
        fill(0xF8..=0xFF, 3);
        fill(0x3400..=0x9FFF, 2);
        fill(0xF900..=0xFAFF, 2);
        fill(0x3040..=0x30FF, 1);
        fill(0xAC00..=0xD7AF, 1);
        fill(0..=0x7F, 0);
        for (w, &bits) in common().iter().enumerate() {
            let mut b = bits;
            while b != 0 {
                classes[w * 64 + b.trailing_zeros() as usize] = 0;
                b &= b - 1;
            }
        }
        classes
    })
}

impl Facts {
    pub fn of(s: &str) -> Facts {
        let bits = common();
        let classes = commonness_classes();
        let (mut total, mut n, mut lost) = (0.0, 0usize, 0usize);
        for c in s.chars() {
            if c == '\u{FFFD}' {
                lost += 1;
                continue;
            }
            n += 1;
            total += match classes.get(c as usize) {
                Some(&k) => COMMONNESS[usize::from(k)],
                None => char_commonness(c, bits),
            };
        }
        let common = if n == 0 { 0.0 } else { total / n as f64 };
        Facts { n, lost, common }
    }

    /// Chars in the text.
    pub fn chars(&self) -> usize {
        self.n + self.lost
    }
}

/// The chars of `s` that are not lost (U+FFFD): what the model scores.
fn kept(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|&c| c != '\u{FFFD}')
}

/// Likelihood of a text per char: language model plus commonness. A lost char (U+FFFD)
/// counts as a very unlikely one, so that a reading that loses chars does not win by
/// dropping the hard ones.
#[cfg(test)]
pub fn quality(s: &str) -> f64 {
    quality_with(s, &Facts::of(s))
}

/// `quality(s)`, given `Facts::of(s)`.
fn quality_with(s: &str, f: &Facts) -> f64 {
    if f.n == 0 {
        return 0.0;
    }
    let lm = crate::lm::Model::global().log_prob_of(None, kept(s));
    let total = lm + 0.5 * f.common * f.n as f64 + LOST * f.lost as f64;
    total / (f.n + f.lost) as f64
}

/// A bound of `quality(s)` (upper or lower) from the model's cheap bounds, up to float
/// rounding.
#[cfg(test)]
pub fn quality_bound(s: &str, upper: bool) -> f64 {
    quality_bound_with(s, &Facts::of(s), upper)
}

/// `quality_bound(s, upper)`, given `Facts::of(s)`.
fn quality_bound_with(s: &str, f: &Facts, upper: bool) -> f64 {
    if f.n == 0 {
        return 0.0;
    }
    let lm = crate::lm::Bounds::global().log_prob_bound_of(kept(s), upper);
    let total = lm + 0.5 * f.common * f.n as f64 + LOST * f.lost as f64;
    total / (f.n + f.lost) as f64
}

/// Log-probability charged for a lost char.
const LOST: f64 = -14.0;

/// The most chars a candidate with `mb` recovered multi-byte units may lose (when
/// `mb` > 0; more and `judge` refuses it).
pub fn max_lost(h: Hyp, mb: usize) -> usize {
    // Big5 and Shift_JIS lose many UTF-8 bytes: more losses are expected there.
    let lossy_codec = matches!(h.wrong, Wrong::Big5 | Wrong::ShiftJis) && h.orig == Orig::Utf8;
    if lossy_codec {
        2 * mb + 2
    } else {
        mb
    }
}

/// Non-ASCII Latin letters of `s` (tone-marked pinyin vowels, `ü`, `ê`) with an ASCII
/// letter right before or after them.
fn latin_in_words(s: &str) -> usize {
    let (mut n, mut prev) = (0, '\0');
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF)
            && c.is_alphabetic()
            && (prev.is_ascii_alphabetic() || it.peek().is_some_and(|x| x.is_ascii_alphabetic()))
        {
            n += 1;
        }
        prev = c;
    }
    n
}

pub fn judge(h: Hyp, src: &str, out: &str, st: &Stats) -> Option<Verdict> {
    if st.mb == 0 {
        // Nothing recovered: only the well-known `锟斤拷` (UTF-8 U+FFFD read as GBK).
        let only_lost = out.chars().all(|c| c.is_ascii() || c == '\u{FFFD}');
        if h.wrong == Wrong::Gbk && src.contains("锟斤拷") && only_lost {
            return Some(Verdict {
                confidence: 0.9,
                score: 1.0,
            });
        }
        return None;
    }
    if st.lost > max_lost(h, st.mb) {
        return None;
    }
    let cjk_out = out.chars().filter(|&c| is_cjk(c)).count();
    // Big5 <-> GBK: a tone-marked pinyin vowel inside a Latin word (GBK row A8 holds
    // them: `zhōng` read as Big5 is `zh身ng`) is pinyin, not a garbled hanzi.
    let dbcs = !matches!(h.wrong, Wrong::Latin) && h.orig != Orig::Utf8;
    let mb = if dbcs {
        st.mb.saturating_sub(latin_in_words(src))
    } else {
        st.mb
    };
    // The structural conditions below, checked before the costly scores.
    let shaped = match (h.wrong, h.orig) {
        (Wrong::Latin, Orig::Utf8) => true,
        (_, Orig::Utf8) => src.chars().nth(1).is_some(),
        (Wrong::Latin, _) => st.mb >= 2 && cjk_out >= 2,
        _ => mb >= 3,
    };
    if !shaped {
        return None;
    }
    let ease = if st.evidence > 0 { 0.7 } else { 1.0 };
    let passes = |gain: f64, q_out: f64| match (h.wrong, h.orig) {
        (Wrong::Latin, Orig::Utf8) => {
            // Structure is strong: [lead][cont]+ patterns are rare in real Latin text.
            // Still refuse outputs that look worse than the input.
            gain > -1.0 || cjk_out >= 2
        }
        (_, Orig::Utf8) => {
            let need = match st.mb {
                1 => 5.0,
                2 => 3.0,
                _ => 2.0,
            } * ease;
            src.chars().count() >= 2 && gain >= need
        }
        (Wrong::Latin, _) => {
            // GBK/Big5 bytes read as Latin-1: the output must read as real Chinese.
            st.mb >= 2 && cjk_out >= 2 && q_out > -8.5 + (1.0 - ease) * -3.0 && gain > 2.0
        }
        _ => {
            // Big5 <-> GBK: both sides are hanzi; demand a clear margin.
            mb >= 3 && gain >= 2.5 * ease && q_out > -8.5
        }
    };
    // `passes` only grows with the gain and the output's quality: when even their upper
    // bounds fail, the full model (costly to load, and to query with cold rows) need
    // not be asked. Worth it where most candidates fail: not in a document that already
    // had repairs of this kind, nor for UTF-8 read as Latin-1 (`gain > -1` is easy).
    let latin_u8 = h.wrong == Wrong::Latin && h.orig == Orig::Utf8;
    let (f_src, f_out) = (Facts::of(src), Facts::of(out));
    if st.evidence == 0 && !latin_u8 {
        let src_lo = quality_bound_with(src, &f_src, false);
        let out_hi = quality_bound_with(out, &f_out, true);
        const ROUNDING: f64 = 1e-6;
        if !passes(out_hi - src_lo + ROUNDING, out_hi + ROUNDING) {
            return None;
        }
    }
    let q_src = quality_with(src, &f_src);
    let q_out = quality_with(out, &f_out);
    let gain = q_out - q_src;
    let mb = st.mb as f64;
    if !passes(gain, q_out) {
        return None;
    }
    let strength = (gain.max(0.1) * mb.min(8.0) / 2.0).min(20.0);
    let confidence = (1.0 - (-strength).exp()).clamp(0.5, 0.99) as f32;
    let lossy_penalty = if st.lost > 0 { 0.9 } else { 1.0 };
    let n_src = f_src.chars() as f64;
    Some(Verdict {
        confidence: confidence * lossy_penalty,
        score: gain * n_src - 2.0 * st.lost as f64 - (st.layers as f64 - 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scores as first written: the text without its lost chars, scored whole.
    fn quality_plain(s: &str, bound: Option<bool>) -> f64 {
        let lost = s.chars().filter(|&c| c == '\u{FFFD}').count();
        let clean: String = s.chars().filter(|&c| c != '\u{FFFD}').collect();
        let n = clean.chars().count();
        if n == 0 {
            return 0.0;
        }
        let comm = {
            let (mut t, mut k) = (0.0, 0usize);
            for c in clean.chars() {
                k += 1;
                t += char_commonness(c, common());
            }
            t / k as f64
        };
        let lm = match bound {
            None => crate::lm::Model::global().log_prob(&clean),
            Some(false) => crate::lm::Bounds::global().log_prob_lower(&clean),
            Some(true) => crate::lm::Bounds::global().log_prob_upper(&clean),
        };
        (lm + 0.5 * comm * n as f64 + LOST * lost as f64) / (n + lost) as f64
    }

    #[test]
    fn scores_match_the_plain_ones() {
        for s in [
            "",
            "\u{FFFD}",
            "参考文\u{FFFD}献 abc",
            "鍙傝€冩枃鐚 ÖÐÎÄ \u{FFFD}\u{FFFD}ｱｲ 한국어 かな 𠮷",
            "中文的测试，沒有問題。",
        ] {
            assert_eq!(
                quality(s).to_bits(),
                quality_plain(s, None).to_bits(),
                "{s}"
            );
            for up in [false, true] {
                let (a, b) = (quality_bound(s, up), quality_plain(s, Some(up)));
                assert_eq!(a.to_bits(), b.to_bits(), "{s}");
            }
        }
    }

    /// `common()` as first written: every char of each pair's decoding.
    #[test]
    fn common_is_the_decoded_rows() {
        let mut bits = vec![0u64; 0x10000 / 64];
        let mut add = |enc: &'static encoding_rs::Encoding,
                       leads: std::ops::RangeInclusive<u8>,
                       trails: &[std::ops::RangeInclusive<u8>]| {
            for l in leads {
                for tr in trails {
                    for t in tr.clone() {
                        if let Some(s) =
                            enc.decode_without_bom_handling_and_without_replacement(&[l, t])
                        {
                            for c in s.chars() {
                                bits[c as usize / 64] |= 1 << (c as usize % 64);
                            }
                        }
                    }
                }
            }
        };
        add(GBK, 0xB0..=0xD7, &[0xA1..=0xFE]);
        add(BIG5, 0xA4..=0xC6, &[0x40..=0x7E, 0xA1..=0xFE]);
        for u in (0x3000usize..=0x303F)
            .chain(0xFF01..=0xFF5E)
            .chain(0x2010..=0x2027)
        {
            bits[u / 64] |= 1 << (u % 64);
        }
        assert!(bits == common());
    }

    #[test]
    fn commonness_classes_are_char_commonness() {
        let (bits, classes) = (common(), commonness_classes());
        for u in 0..0x10000u32 {
            if let Some(c) = char::from_u32(u) {
                let k = usize::from(classes[u as usize]);
                assert_eq!(COMMONNESS[k], char_commonness(c, bits), "{u:x}");
            }
        }
    }

    #[test]
    fn latin1_letter_is_is_alphabetic() {
        for u in 0u32..0x300 {
            let c = char::from_u32(u).unwrap_or('\0');
            let want = (0xA0..=0xFF).contains(&u) && c.is_alphabetic();
            assert_eq!(latin1_letter(u), want, "{u:x}");
        }
    }
}
