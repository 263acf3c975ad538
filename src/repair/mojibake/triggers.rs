//! The cheap pre-check: a per-char flag table of characters that mojibake is made of.
//!
//! Clean text almost never contains them in numbers, so a document whose lines carry
//! no flag costs one table lookup per non-ASCII char. Each flag opens one family of
//! hypotheses; the language model decides only where a flag was seen.

use super::codec::{decode_row, CP1252_HIGH};
#[cfg(test)]
use encoding_rs::Encoding;
use encoding_rs::{BIG5, GBK};
use std::sync::OnceLock;

/// UTF-8 (or GBK/Big5) bytes read as Latin-1 / cp1252.
pub const LATIN: u8 = 1;
/// UTF-8 read as GBK.
pub const GBK_U8: u8 = 2;
/// UTF-8 read as Big5.
pub const BIG5_U8: u8 = 4;
/// UTF-8 read as Shift_JIS.
pub const SJIS_U8: u8 = 8;
/// Big5 read as GBK (Big5 punctuation turns into private-use chars).
pub const B5_AS_GBK: u8 = 16;
/// GBK read as Big5 (GB punctuation turns into bopomofo and small forms).
pub const GBK_AS_B5: u8 = 32;
/// A replacement char or `锟`: information already lost.
pub const HOLE: u8 = 64;

pub struct Table {
    flags: Box<[u8; 0x10000]>,
    /// One bit per BMP char: any flag set (8 KB, stays in L1 while scanning).
    any: Box<[u64; 1024]>,
}

impl Table {
    /// Flags of a BMP code point (`u` < 0x10000; higher bits are ignored).
    #[inline]
    pub fn get_bmp(&self, u: u32) -> u8 {
        let u = (u & 0xFFFF) as usize;
        if self.any[u >> 6] & (1 << (u & 63)) == 0 {
            return 0;
        }
        self.flags[u]
    }

    /// Whether the 3-byte UTF-8 char `a b c` carries any flag.
    #[inline(always)]
    fn hit3(&self, a: u8, b: u8, c: u8) -> bool {
        let block = (usize::from(a & 0x0F) << 6) | usize::from(b & 0x3F);
        (self.any[block] >> (c & 0x3F)) & 1 != 0
    }

    /// Byte offset of the first char at or after `i` (a char boundary of valid UTF-8)
    /// that carries any flag. This loop is what clean text costs: 64 bytes at a time
    /// where the CPU can (`crate::scan`).
    pub fn next_trigger(&self, b: &[u8], i: usize) -> Option<usize> {
        self.next_trigger_with(crate::scan::Simd::get(), b, i)
    }

    fn next_trigger_with(
        &self,
        simd: Option<crate::scan::Simd>,
        b: &[u8],
        i: usize,
    ) -> Option<usize> {
        match simd {
            Some(simd) => simd.first(b, i, &self.any, |i, end| self.trigger_in(b, i, end)),
            None => self.trigger_in(b, i, b.len()).ok(),
        }
    }

    /// Call `f` with the byte offset of every char of `b[from..end]` that carries a
    /// flag, in order (`from` is a char boundary). The 64-byte blocks read on past
    /// `end` where `b` goes on, so a line of a longer text costs no char-by-char tail.
    pub fn for_each_trigger(&self, b: &[u8], from: usize, end: usize, f: impl FnMut(usize)) {
        self.for_each_trigger_with(crate::scan::Simd::get(), b, from, end, f);
    }

    fn for_each_trigger_with(
        &self,
        simd: Option<crate::scan::Simd>,
        b: &[u8],
        from: usize,
        end: usize,
        mut f: impl FnMut(usize),
    ) {
        let end = end.min(b.len());
        let mut i = from;
        if let Some(simd) = simd {
            while i < end {
                let Some(x) = simd.block(b, i, &self.any, crate::scan::ALL3) else {
                    break;
                };
                let mut m = (x.hits | x.other) & crate::scan::first_bytes(end - i);
                while m != 0 {
                    let j = i + m.trailing_zeros() as usize;
                    // A char of another length is looked at alone.
                    if x.hits >> (j - i) & 1 == 1 || self.trigger_in(b, j, j + 1).is_ok() {
                        f(j);
                    }
                    m &= m - 1;
                }
                i += crate::scan::BLOCK;
            }
            // A block may have ended inside a char, whose lead it has seen.
            while i < end && b[i] & 0xC0 == 0x80 {
                i += 1;
            }
        }
        while let Ok(p) = self.trigger_in(b, i, end) {
            f(p);
            i = p + crate::scan::utf8_len(b[p]);
        }
    }

    /// `next_trigger` char by char over the chars starting before `end`: the trigger,
    /// or the char boundary where it stopped.
    fn trigger_in(&self, b: &[u8], mut i: usize, end: usize) -> Result<usize, usize> {
        let end = end.min(b.len());
        let n = b.len();
        while i < end {
            // Four 3-byte chars at a time: the bulk of Chinese text.
            if let Some(w) = b.get(i..i + 12) {
                let lead = |k: usize| w[k] & 0xF0 == 0xE0;
                if lead(0) && lead(3) && lead(6) && lead(9) {
                    let hit = self.hit3(w[0], w[1], w[2])
                        | self.hit3(w[3], w[4], w[5])
                        | self.hit3(w[6], w[7], w[8])
                        | self.hit3(w[9], w[10], w[11]);
                    if !hit {
                        i += 12;
                        continue;
                    }
                }
            }
            let x = b[i];
            if x < 0x80 {
                i += 1;
                // Skip ASCII eight bytes at a time.
                while let Some(w) = b.get(i..i + 8) {
                    let v = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
                    if v & 0x8080_8080_8080_8080 != 0 {
                        break;
                    }
                    i += 8;
                }
            } else if x >= 0xF0 {
                i += 4; // beyond the BMP: never a trigger
            } else if x >= 0xE0 {
                let (c1, c2) = (b.get(i + 1).copied(), b.get(i + 2).copied());
                if self.hit3(x, c1.unwrap_or(0), c2.unwrap_or(0)) {
                    return Ok(i);
                }
                i += 3;
            } else {
                let c1 = b.get(i + 1).map_or(0, |c| c & 0x3F);
                if self.get_bmp((u32::from(x & 0x1F) << 6) | u32::from(c1)) != 0 {
                    return Ok(i);
                }
                i += 2;
            }
        }
        Err(i.min(n))
    }

    #[inline]
    pub fn get(&self, c: char) -> u8 {
        let u = c as u32;
        if u < 0x80 {
            0
        } else if u < 0x10000 {
            self.flags[u as usize]
        } else {
            0
        }
    }
}

pub fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(build)
}

#[cfg(test)]
fn single(enc: &'static Encoding, b: &[u8]) -> Option<char> {
    super::codec::decode_single(enc, b)
}

fn build() -> Table {
    let mut f = vec![0u8; 0x10000];
    let mut set = |c: char, flag: u8| {
        let u = c as u32;
        if (0x80..0x10000).contains(&u) {
            f[u as usize] |= flag;
        }
    };
    // Latin-1 letters: the lead bytes of UTF-8 sequences and of GBK/Big5 pairs. The
    // symbols below 0xC0 and cp1252 punctuation are continuation bytes: they only count
    // next to a letter, which the segmenter checks.
    for u in 0xC0u32..=0xFF {
        if u == 0xD7 || u == 0xF7 {
            continue; // × ÷ appear in clean Chinese text
        }
        set(char::from_u32(u).unwrap_or('\0'), LATIN);
    }
    // Only 3- and 4-byte UTF-8 leads (2-byte leads are common hanzi rows).
    let mut row = [None; 64];
    for lead in 0xE0u8..=0xF4 {
        for (enc, flag) in [(GBK, GBK_U8), (BIG5, BIG5_U8)] {
            decode_row(enc, lead, 0x80..=0xBF, &mut row);
            for c in row.iter().flatten() {
                set(*c, flag);
            }
        }
    }
    // Half-width katakana: UTF-8 continuation bytes read as Shift_JIS singles; about every
    // other garbled char has one, and clean Chinese text has none (kanji are not flagged:
    // many are common hanzi).
    for u in 0xFF61u32..=0xFF9F {
        set(char::from_u32(u).unwrap_or('\0'), SJIS_U8);
    }
    // Big5 punctuation (A140..A1A0) read as GBK lands in the private-use area.
    for u in 0xE000u32..=0xF8FF {
        set(char::from_u32(u).unwrap_or('\0'), B5_AS_GBK);
    }
    // GB punctuation read as Big5. (Rows decoded alone: the whole Big5 table is only
    // built when a line needs it, not for every clean document.)
    let mut row = [None; 94];
    for lead in [0xA1u8, 0xA3] {
        decode_row(BIG5, lead, 0xA1..=0xFE, &mut row);
        for &c in row.iter().flatten() {
            let u = c as u32;
            let odd = (0x3105..=0x312F).contains(&u)
                || (0xFE50..=0xFE6F).contains(&u)
                || c == '※'
                || c == '〞'
                || c == 'ˋ'
                || c == '˙';
            if odd {
                set(c, GBK_AS_B5);
            }
        }
    }
    // Common GB2312 rows C6..C8 (前 钱 请 然 人 日 弱 ...) read as Big5 land on the ETEN
    // extensions: kana, Cyrillic, IPA, radicals. Circled numbers, 〇 and 々 stay out:
    // clean Chinese text uses them.
    for lead in 0xC6u8..=0xC8 {
        decode_row(BIG5, lead, 0xA1..=0xFE, &mut row);
        for &c in row.iter().flatten() {
            let u = c as u32;
            let odd = (0x3041..=0x30FF).contains(&u) && c != 'ー'
                || (0x0400..=0x04FF).contains(&u)
                || (0x0250..=0x02AF).contains(&u)
                || (0x2E80..=0x2EFF).contains(&u)
                || matches!(c, '㈱' | '№' | '℡' | '゛' | '゜' | '✽');
            if odd {
                set(c, GBK_AS_B5);
            }
        }
    }
    set('\u{FFFD}', HOLE);
    set('锟', HOLE);
    // cp1252 punctuation is a continuation byte only; not a trigger by itself.
    let _ = CP1252_HIGH;
    let flags: Box<[u8; 0x10000]> = f.into_boxed_slice().try_into().unwrap_or_else(|_| {
        // The vector has exactly 0x10000 entries.
        Box::new([0u8; 0x10000])
    });
    let mut any = Box::new([0u64; 1024]);
    for (u, &f) in flags.iter().enumerate() {
        if f != 0 {
            any[u >> 6] |= 1 << (u & 63);
        }
    }
    Table { flags, any }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_trigger_finds_the_first_flagged_char() {
        let t = table();
        let plain = |s: &str, from: usize| {
            s[from..]
                .char_indices()
                .find(|&(_, c)| t.get(c) != 0)
                .map(|(i, _)| from + i)
        };
        let texts = [
            "",
            "abc",
            "中文中文中文中文中文中文鐨中文",
            "中文中文中文中文中文中文中文中文鍙",
            "abcdefghijklmnopqrstuvwxyz ä",
            "中文，English 123 中文的测试。Café 😀 中ｱ",
            "繁體中文的測試，沒有問題。ㄛ\u{E000}\u{FFFD}",
            "😀😀😀😀鍙",
            "\n\n中文\n鐨\n",
            "中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文鐨",
            "中文中文中文中文中文中文中文中文中文中文中文中文a中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文ｱ",
            "中文中文中文中文中文中文中文中文中文中文中文中文é中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中\u{FFFD}",
            "中文中文中文中文中文中文中文中文😀文中文中文中文中文中文中文中文中文中文中文中文中文中文中文\u{E000}中文中文中文中文中文中文中文中文",
        ];
        // Longer texts, where the 64-byte blocks do most of the work: a flagged char (or
        // a 2- or 4-byte one) at every offset of a block in turn.
        let mut long: Vec<String> = Vec::new();
        for odd in ["鐨", "é", "😀", "ä中", "\u{E000}", "ｱ", "Ω", "×"] {
            for k in 0..70 {
                let pad = "中文，".repeat(k / 3) + &"a".repeat(k % 3);
                long.push(format!(
                    "{pad}{odd}{}鍙{}",
                    "测试文本".repeat(20),
                    "好".repeat(30)
                ));
                // No flagged char after it, up to the end of the text.
                long.push(format!("{}{pad}{odd}{}", "好".repeat(30), "测试".repeat(k)));
            }
        }
        for s in texts.iter().copied().chain(long.iter().map(String::as_str)) {
            let mut from = 0;
            loop {
                let got = t.next_trigger(s.as_bytes(), from);
                assert_eq!(got, t.next_trigger_with(None, s.as_bytes(), from));
                assert_eq!(got, plain(s, from), "{s:?} from {from}");
                match got {
                    Some(i) => from = i + s[i..].chars().next().map_or(1, char::len_utf8),
                    None => break,
                }
            }
            // Every trigger of a range, the text going on after it (as a line does in a
            // document).
            let ends: Vec<usize> = s.char_indices().map(|(i, _)| i).step_by(7).collect();
            for &end in ends.iter().chain([s.len()].iter()) {
                for from in [0, end / 2, end / 3]
                    .map(|x| (0..=x).rev().find(|&k| s.is_char_boundary(k)).unwrap_or(0))
                {
                    let want: Vec<usize> = s[from..end]
                        .char_indices()
                        .filter(|&(_, c)| t.get(c) != 0)
                        .map(|(i, _)| from + i)
                        .collect();
                    for simd in [None, crate::scan::Simd::get()] {
                        let mut got = Vec::new();
                        t.for_each_trigger_with(simd, s.as_bytes(), from, end, |p| got.push(p));
                        assert_eq!(got, want, "{s:?} {from}..{end}");
                    }
                }
            }
            // Every start position.
            for (from, _) in s.char_indices() {
                for simd in [None, crate::scan::Simd::get()] {
                    let got = t.next_trigger_with(simd, s.as_bytes(), from);
                    assert_eq!(got, plain(s, from), "{s:?}");
                }
            }
        }
    }

    /// The table decodes Big5 pairs one by one: the same chars as the full decode table.
    #[test]
    fn single_pairs_agree_with_the_decode_table() {
        use super::super::codec::{decode_pair, Orig};
        for lead in [0xA1u8, 0xA3, 0xC6, 0xC7, 0xC8] {
            for trail in 0xA1u8..=0xFE {
                assert_eq!(
                    single(BIG5, &[lead, trail]),
                    decode_pair(Orig::Big5, lead, trail)
                );
            }
        }
    }

    #[test]
    fn typical_chars_are_flagged() {
        let t = table();
        assert_ne!(t.get('鍙') & GBK_U8, 0);
        assert_ne!(t.get('鐨') & GBK_U8, 0);
        assert_ne!(t.get('ä') & LATIN, 0);
        assert_ne!(t.get('ㄛ') & GBK_AS_B5, 0);
        assert_eq!(t.get('中'), 0);
        assert_eq!(t.get('的'), 0);
        assert_eq!(t.get('，'), 0);
        assert_eq!(t.get('“'), 0);
    }
}
