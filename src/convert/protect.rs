//! Simplified protection for the `*2s` configs (OpenCC issue #1390 and kin).
//!
//! OpenCC's Traditional→Simplified dictionaries also map some characters that are
//! ordinary Simplified characters: `tw2s` turns 么 into 幺 (心里么 → 心里幺), `t2s`
//! turns 於/後/乾/麽 into 于/后/干/么, `tw2sp` turns 程序 into 进程. On text that is
//! already Simplified, or on the Simplified parts of a mixed document, that is damage.
//!
//! Rule: a change that rewrites a GB2312 hanzi (GB2312 is the standard character set
//! of Simplified Chinese, so such a character is valid Simplified text) is made only
//! when the text around it is Traditional: within ±`WINDOW` characters there are more
//! clearly-Traditional characters (t2s changes them and they are not in GB2312) than
//! clearly-Simplified ones (GB2312 characters that s2t changes). Changes of non-GB2312
//! characters (這→这) are always made. On Traditional text this keeps OpenCC's
//! output; on Simplified text nothing changes.

use super::dict;
use std::ops::Range;
use std::sync::OnceLock;

const GB: u8 = 1;
const TRAD: u8 = 2;
const SIMP: u8 = 4;

/// Characters on each side that count as context.
pub const WINDOW: usize = 40;

/// Per-character classes over the BMP.
pub(crate) struct Classes {
    table: Box<[u8]>,
}

impl Classes {
    pub(crate) fn global() -> &'static Classes {
        static C: OnceLock<Classes> = OnceLock::new();
        C.get_or_init(Classes::build)
    }

    fn build() -> Classes {
        let mut table = vec![0u8; 0x10000].into_boxed_slice();
        for b1 in 0xB0u8..=0xF7 {
            // Decode a whole row at once (much cheaper than pair by pair); every pair
            // of the GB2312 hanzi area decodes to one character.
            let row: Vec<u8> = (0xA1u8..=0xFE).flat_map(|b2| [b1, b2]).collect();
            let (s, _) = encoding_rs::GBK.decode_without_bom_handling(&row);
            let chars: Vec<char> = if s.chars().count() == 94 {
                s.chars().collect()
            } else {
                (0xA1u8..=0xFE)
                    .map(|b2| {
                        let pair = [b1, b2];
                        let (s, _) = encoding_rs::GBK.decode_without_bom_handling(&pair);
                        s.chars().next().unwrap_or('\0')
                    })
                    .collect()
            };
            for c in chars {
                if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
                    table[c as usize] |= GB;
                }
            }
        }
        // Parsed files have no duplicate keys: every pair is the map's.
        let load = |f: &str| dict::parsed(f).unwrap_or_default();
        let ts = load("TSCharacters.txt");
        for (k, v) in ts {
            if let Some(c) = single(k) {
                if k != v && (c as u32) < 0x10000 && table[c as usize] & GB == 0 {
                    table[c as usize] |= TRAD;
                }
            }
        }
        let st = load("STCharacters.txt");
        for (k, v) in st {
            if let Some(c) = single(k) {
                if k != v && (c as u32) < 0x10000 && table[c as usize] & GB != 0 {
                    table[c as usize] |= SIMP;
                }
            }
        }
        Classes { table }
    }

    #[inline]
    fn class(&self, c: char) -> u8 {
        self.table.get(c as usize).copied().unwrap_or(0)
    }

    /// True when `c` is a GB2312 hanzi.
    #[inline]
    pub(crate) fn is_simplified_valid(&self, c: char) -> bool {
        self.class(c) & GB != 0
    }

    /// True when `c` counts as clearly Traditional in `traditional_context`.
    #[inline]
    pub(crate) fn is_traditional(&self, c: char) -> bool {
        self.class(c) & TRAD != 0
    }

    /// More clearly-Traditional than clearly-Simplified characters around `pos`.
    pub(crate) fn traditional_context(&self, text: &str, pos: usize) -> bool {
        let (mut t, mut s) = (0usize, 0usize);
        for c in text[..pos].chars().rev().take(WINDOW) {
            let k = self.class(c);
            t += usize::from(k & TRAD != 0);
            s += usize::from(k & SIMP != 0);
        }
        // The rest can move `t - s` by one per character at most: stop once that
        // cannot change the answer (Traditional text decides well before the end).
        for (i, c) in text[pos..].chars().take(WINDOW).enumerate() {
            let left = WINDOW - i;
            if t > s + left || s >= t + left {
                break;
            }
            let k = self.class(c);
            t += usize::from(k & TRAD != 0);
            s += usize::from(k & SIMP != 0);
        }
        t > s
    }

    /// Pass on the change `text[r] → out`, minus the rewrites of GB2312 characters
    /// that sit in Simplified context.
    pub(crate) fn filter(
        &self,
        text: &str,
        r: Range<usize>,
        out: &str,
        mut emit: impl FnMut(Range<usize>, &str),
    ) {
        let inp = &text[r.clone()];
        if !inp.chars().any(|a| self.is_simplified_valid(a)) {
            emit(r, out);
            return;
        }
        let same_len = inp.chars().count() == out.chars().count();
        let touches_gb = if same_len {
            inp.chars()
                .zip(out.chars())
                .any(|(a, b)| a != b && self.is_simplified_valid(a))
        } else {
            inp.chars().all(|a| self.is_simplified_valid(a))
        };
        if !touches_gb || self.traditional_context(text, r.start) {
            emit(r, out);
            return;
        }
        if !same_len {
            return;
        }
        let kept: String = inp
            .chars()
            .zip(out.chars())
            .map(|(a, b)| if self.is_simplified_valid(a) { a } else { b })
            .collect();
        if kept != inp {
            emit(r, &kept);
        }
    }
}

/// True when `text` contains hiragana or katakana (U+3040..U+30FF: UTF-8 `E3 81 80`
/// to `E3 83 BF`), the mark of Japanese text.
pub(crate) fn has_kana(text: &str) -> bool {
    next_kana(text.as_bytes(), 0).is_some()
}

/// Byte offset of the first kana at or after `from`: one pass over the `E3` lead bytes
/// (not three searches for the three prefixes; CJK punctuation also starts with `E3`).
fn next_kana(b: &[u8], from: usize) -> Option<usize> {
    next_kana_with(crate::scan::Simd::get(), b, from)
}

/// `next_kana`, 64 bytes at a time where `simd` allows.
fn next_kana_with(simd: Option<crate::scan::Simd>, b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    if let Some(simd) = simd {
        while let Some(m) = simd.kana(b, i) {
            if m != 0 {
                return Some(i + m.trailing_zeros() as usize);
            }
            i += crate::scan::BLOCK;
        }
    }
    let is_kana = |i: usize| {
        b[i] == 0xE3
            && matches!(b.get(i + 1), Some(0x81..=0x83))
            && matches!(b.get(i + 2), Some(0x80..=0xBF))
    };
    // Blocks of 64 bytes without an `E3 81..83` pair are skipped with one branch
    // (`E3` alone also leads CJK punctuation, far too common for a memchr per hit).
    while let Some(blk) = b.get(i..i + KANA_BLOCK + 1) {
        let mut hit = 0u8;
        for j in 0..KANA_BLOCK {
            hit |= u8::from(blk[j] == 0xE3) & u8::from(blk[j + 1].wrapping_sub(0x81) < 3);
        }
        if hit != 0 {
            if let Some(k) = (i..i + KANA_BLOCK).find(|&k| is_kana(k)) {
                return Some(k);
            }
        }
        i += KANA_BLOCK;
    }
    (i..b.len()).find(|&k| is_kana(k))
}

const KANA_BLOCK: usize = 64;

/// The Japanese lines of `text` (see `is_japanese`), in order, each with its line
/// break. Only the lines that hold kana are looked at.
pub(crate) fn japanese_lines(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(q) = next_kana(b, i) {
        let ls = memchr::memrchr(b'\n', &b[..q]).map_or(0, |x| x + 1);
        let le = memchr::memchr(b'\n', &b[q..]).map_or(b.len(), |x| q + x + 1);
        if is_japanese(&text[ls..le]) {
            out.push(ls..le);
        }
        i = le;
    }
    out
}

/// A line is Japanese when kana are at least a third of its kana and hanzi (real
/// Japanese prose has far more; a katakana name in a Chinese sentence has less).
pub(crate) fn is_japanese(line: &str) -> bool {
    if !has_kana(line) {
        return false;
    }
    let (mut kana, mut han) = (0usize, 0usize);
    for c in line.chars() {
        match c as u32 {
            0x3040..=0x30FF => kana += 1,
            0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF => han += 1,
            _ => {}
        }
    }
    kana >= 2 && kana * 3 >= kana + han
}

fn single(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte scan finds kana exactly where a char walk does, and the same lines.
    #[test]
    fn kana_scan_matches_char_walk() {
        let kana = |s: &str| s.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c));
        let samples = [
            "",
            "中文。",
            "「引号」、顿号。",
            "ア",
            "ぁ中",
            "中ゟ",
            "゠",
            "\u{3000}\u{303F}\u{3400}",
            "中文\nカタカナです。\n中文。",
            "abc ヴ def\n",
            "\u{30FF}\u{3100}",
        ];
        for s in samples {
            assert_eq!(has_kana(s), kana(s), "{s:?}");
            let plain: Vec<Range<usize>> = s
                .split_inclusive('\n')
                .scan(0, |p, l| {
                    let r = *p..*p + l.len();
                    *p += l.len();
                    Some(r)
                })
                .filter(|r| is_japanese(&s[r.clone()]))
                .collect();
            assert_eq!(japanese_lines(s), plain, "{s:?}");
        }
    }

    /// Kana found by the block scan at every offset around block edges.
    #[test]
    fn kana_scan_across_blocks() {
        let kana = |s: &str| {
            s.char_indices()
                .find(|c| ('\u{3040}'..='\u{30FF}').contains(&c.1))
        };
        for pad in 0..70 {
            for k in ["ア", "ぁ", "\u{30FF}"] {
                let s = format!("{}。、{}{k}中。", "a".repeat(pad), "中".repeat(pad % 23));
                let long = format!("{}{s}", "。".repeat(pad));
                // Byte by byte, and in blocks where the CPU can.
                for simd in [None, crate::scan::Simd::get()] {
                    let got = next_kana_with(simd, s.as_bytes(), 0);
                    assert_eq!(got, kana(&s).map(|c| c.0), "{s:?}");
                    let got = next_kana_with(simd, long.as_bytes(), 1);
                    assert_eq!(got, kana(&long).map(|c| c.0));
                }
            }
            let none = format!("{}。「」{}", "中".repeat(pad), "b".repeat(pad));
            for simd in [None, crate::scan::Simd::get()] {
                assert_eq!(next_kana_with(simd, none.as_bytes(), 0), None);
            }
        }
    }

    /// The early stop of `traditional_context` gives the full count's answer.
    #[test]
    fn context_stops_early_with_the_same_answer() {
        let c = Classes::global();
        let full = |text: &str, pos: usize| {
            let (mut t, mut s) = (0, 0);
            for ch in text[..pos]
                .chars()
                .rev()
                .take(WINDOW)
                .chain(text[pos..].chars().take(WINDOW))
            {
                t += usize::from(c.class(ch) & TRAD != 0);
                s += usize::from(c.class(ch) & SIMP != 0);
            }
            t > s
        };
        let parts = [
            "這個說法",
            "这个说法",
            "abc，",
            "頭髮還有",
            "头发还有",
            "中文。",
        ];
        let mut text = String::new();
        for i in 0..120 {
            text.push_str(parts[(i * 7 + i / 5) % parts.len()]);
        }
        let (mut yes, mut no) = (0, 0);
        for (pos, _) in text.char_indices() {
            let want = full(&text, pos);
            assert_eq!(c.traditional_context(&text, pos), want, "{pos}");
            if want {
                yes += 1;
            } else {
                no += 1;
            }
        }
        assert!(yes > 20 && no > 20);
    }

    #[test]
    fn classes() {
        let c = Classes::global();
        assert!(c.is_simplified_valid('么'));
        assert!(c.is_simplified_valid('这'));
        assert!(!c.is_simplified_valid('這'));
        assert_eq!(c.class('這') & TRAD, TRAD);
        assert_eq!(c.class('这') & SIMP, SIMP);
        assert!(c.traditional_context("這個說法", 0));
        assert!(!c.traditional_context("这个说法", 0));
        assert!(!c.traditional_context("abc", 1));
        assert!(is_japanese("日本語の文章です。"));
        let t =
            "中文。\n日本語の文章です。\n這是ポケモン，很多臺灣人都喜歡這個遊戲和動畫。\nひらがな";
        let lines: Vec<&str> = japanese_lines(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(lines, ["日本語の文章です。\n", "ひらがな"]);
        assert!(japanese_lines("中文。\n").is_empty());
        assert!(!is_japanese(
            "這款《寶可夢》的英文是ポケモン，很多臺灣人都喜歡這個遊戲和動畫。"
        ));
    }
}
