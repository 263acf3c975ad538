//! The decision: is the reversed text so much more likely than the garbled one that the
//! span must be replaced? Evidence: structure (how many multi-byte units decoded
//! cleanly), the character language model, and how common the characters are.

use super::codec::{Orig, Wrong};
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
                                set(c);
                            }
                        }
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

fn is_common(c: char) -> bool {
    let u = c as usize;
    u < 0x10000 && common()[u / 64] & (1 << (u % 64)) != 0
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

/// Per-char plausibility of a text in [-4, 0]: 0 for common chars and ASCII, lower for
/// rare hanzi, and lowest for symbols that mojibake is made of.
pub fn commonness(s: &str) -> f64 {
    let mut total = 0.0;
    let mut n = 0usize;
    for c in s.chars() {
        if c == '\u{FFFD}' {
            continue;
        }
        n += 1;
        let u = c as u32;
        total += if c.is_ascii() || is_common(c) {
            0.0
        } else if (0x3040..=0x30FF).contains(&u) || (0xAC00..=0xD7AF).contains(&u) {
            -0.5 // kana, hangul: clean in their own texts
        } else if is_cjk(c) {
            -2.5
        } else if latin1_letter(u) {
            -1.5
        } else {
            -4.0
        };
    }
    if n == 0 {
        0.0
    } else {
        total / n as f64
    }
}

/// `s` without its lost chars (U+FFFD), and how many there were.
fn without_lost(s: &str) -> (std::borrow::Cow<'_, str>, usize) {
    let lost = s.chars().filter(|&c| c == '\u{FFFD}').count();
    if lost == 0 {
        return (s.into(), 0);
    }
    let clean: String = s.chars().filter(|&c| c != '\u{FFFD}').collect();
    (clean.into(), lost)
}

/// Likelihood of a text per char: language model plus commonness. A lost char (U+FFFD)
/// counts as a very unlikely one, so that a reading that loses chars does not win by
/// dropping the hard ones.
pub fn quality(s: &str) -> f64 {
    let lm = crate::lm::Model::global();
    let (clean, lost) = without_lost(s);
    let n = clean.chars().count();
    if n == 0 {
        return 0.0;
    }
    let total = lm.log_prob(&clean) + 0.5 * commonness(&clean) * n as f64 + LOST * lost as f64;
    total / (n + lost) as f64
}

/// A bound of `quality(s)` (upper or lower) from the model's cheap bounds, up to float
/// rounding.
pub fn quality_bound(s: &str, upper: bool) -> f64 {
    let bounds = crate::lm::Bounds::global();
    let (clean, lost) = without_lost(s);
    let n = clean.chars().count();
    if n == 0 {
        return 0.0;
    }
    let lm = if upper {
        bounds.log_prob_upper(&clean)
    } else {
        bounds.log_prob_lower(&clean)
    };
    let total = lm + 0.5 * commonness(&clean) * n as f64 + LOST * lost as f64;
    total / (n + lost) as f64
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
    // The structural conditions below, checked before the costly scores.
    let shaped = match (h.wrong, h.orig) {
        (Wrong::Latin, Orig::Utf8) => true,
        (_, Orig::Utf8) => src.chars().nth(1).is_some(),
        (Wrong::Latin, _) => st.mb >= 2 && cjk_out >= 2,
        _ => st.mb >= 3,
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
            st.mb >= 3 && gain >= 2.5 * ease && q_out > -8.5
        }
    };
    // `passes` only grows with the gain and the output's quality: when even their upper
    // bounds fail, the full model (costly to load, and to query with cold rows) need
    // not be asked. Worth it where most candidates fail: not in a document that already
    // had repairs of this kind, nor for UTF-8 read as Latin-1 (`gain > -1` is easy).
    let latin_u8 = h.wrong == Wrong::Latin && h.orig == Orig::Utf8;
    if st.evidence == 0 && !latin_u8 {
        let src_lo = quality_bound(src, false);
        let out_hi = quality_bound(out, true);
        const ROUNDING: f64 = 1e-6;
        if !passes(out_hi - src_lo + ROUNDING, out_hi + ROUNDING) {
            return None;
        }
    }
    let q_src = quality(src);
    let q_out = quality(out);
    let gain = q_out - q_src;
    let mb = st.mb as f64;
    if !passes(gain, q_out) {
        return None;
    }
    let strength = (gain.max(0.1) * mb.min(8.0) / 2.0).min(20.0);
    let confidence = (1.0 - (-strength).exp()).clamp(0.5, 0.99) as f32;
    let lossy_penalty = if st.lost > 0 { 0.9 } else { 1.0 };
    let n_src = src.chars().count() as f64;
    Some(Verdict {
        confidence: confidence * lossy_penalty,
        score: gain * n_src - 2.0 * st.lost as f64 - (st.layers as f64 - 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_letter_is_is_alphabetic() {
        for u in 0u32..0x300 {
            let c = char::from_u32(u).unwrap_or('\0');
            let want = (0xA0..=0xFF).contains(&u) && c.is_alphabetic();
            assert_eq!(latin1_letter(u), want, "{u:x}");
        }
    }
}
