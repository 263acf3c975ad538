//! Pinyin syllables as the filter wrote them (`xué`, toneless `dang`), and the test
//! "is this a reading of that character" against the `pinyin` crate (heteronyms included).

use pinyin::ToPinyinMulti;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Longest syllable in chars (`zhuang`, `shuang`).
const MAX_LEN: usize = 6;

/// True for a char that may appear inside an annotation.
#[inline]
pub fn is_syllable_char(c: char) -> bool {
    c.is_ascii_lowercase() || tone_base(c).is_some()
}

/// The base letter of a tone-marked vowel (and `ü`, `ê`).
fn tone_base(c: char) -> Option<char> {
    Some(match c {
        'ā' | 'á' | 'ǎ' | 'à' => 'a',
        'ē' | 'é' | 'ě' | 'è' | 'ê' | 'ế' | 'ề' => 'e',
        'ī' | 'í' | 'ǐ' | 'ì' => 'i',
        'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
        'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
        'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ü' => 'v',
        'ń' | 'ň' | 'ǹ' => 'n',
        'ḿ' => 'm',
        _ => return None,
    })
}

/// True when the char carries a tone mark.
fn has_tone(c: char) -> bool {
    !matches!(c, 'ü' | 'ê') && tone_base(c).is_some()
}

/// A syllable found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syllable<'a> {
    pub text: &'a str,
    /// No tone mark at all: compare without tones.
    pub toneless: bool,
}

/// Parse a syllable at the start of `s` that is closed by `)`. Returns it and the byte
/// length up to and including the `)`.
pub fn parse_closed(s: &str) -> Option<(Syllable<'_>, usize)> {
    let mut toneless = true;
    for (n, (i, c)) in s.char_indices().enumerate() {
        if c == ')' {
            if n == 0 {
                return None;
            }
            return Some((
                Syllable {
                    text: &s[..i],
                    toneless,
                },
                i + 1,
            ));
        }
        if !is_syllable_char(c) || n == MAX_LEN {
            return None;
        }
        toneless &= !has_tone(c);
    }
    None
}

/// Parse `(syllable)` at the start of `s`; returns it and its byte length.
pub fn parse_annotation(s: &str) -> Option<(Syllable<'_>, usize)> {
    let rest = s.strip_prefix('(')?;
    parse_closed(rest).map(|(syl, n)| (syl, n + 1))
}

/// Same letters, `ü` and `v` equal, tones ignored.
fn eq_plain(a: &str, b: &str) -> bool {
    let norm = |c: char| match c {
        'ü' => 'v',
        c => tone_base(c).unwrap_or(c),
    };
    a.chars().map(norm).eq(b.chars().map(norm))
}

/// True when `syl` is one of the readings of `c`.
pub fn is_reading(c: char, syl: &Syllable<'_>) -> bool {
    let Some(multi) = c.to_pinyin_multi() else {
        return false;
    };
    multi.into_iter().any(|p| {
        let toned = p.with_tone();
        if syl.toneless {
            eq_plain(toned, syl.text)
        } else {
            toned == syl.text || eq_plain_toned(toned, syl.text)
        }
    })
}

/// GBK codes of every char, by reading: toned (`xué`) and plain (`xue`, `ü` as `v`).
struct Index {
    toned: HashMap<&'static str, Vec<u16>>,
    plain: HashMap<String, Vec<u16>>,
}

fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| {
        let g = super::gbk::Gbk::get();
        let mut toned: HashMap<&'static str, Vec<u16>> = HashMap::new();
        let mut plain: HashMap<String, Vec<u16>> = HashMap::new();
        for lead in 0x81u8..=0xFE {
            for trail in (0x40u8..=0xFE).filter(|&t| super::gbk::is_trail(t)) {
                let Some(c) = g.decode(lead, trail) else {
                    continue;
                };
                let Some(multi) = c.to_pinyin_multi() else {
                    continue;
                };
                let code = u16::from(lead) << 8 | u16::from(trail);
                for p in multi {
                    let t = toned.entry(p.with_tone()).or_default();
                    if t.last() != Some(&code) {
                        t.push(code);
                    }
                    let key: String = p.with_tone().chars().map(norm_plain).collect();
                    let v = plain.entry(key).or_default();
                    if v.last() != Some(&code) {
                        v.push(code);
                    }
                }
            }
        }
        Index { toned, plain }
    })
}

fn norm_plain(c: char) -> char {
    match c {
        'ü' => 'v',
        c => tone_base(c).unwrap_or(c),
    }
}

/// Second bytes `x` such that the GBK char `[first, x]` reads `syl`, ascending.
pub fn seconds_reading(first: u8, syl: &Syllable<'_>) -> Vec<u8> {
    let idx = index();
    let codes: &[u16] = if syl.toneless {
        let key: String = syl.text.chars().map(norm_plain).collect();
        idx.plain.get(&key).map_or(&[], Vec::as_slice)
    } else {
        match idx.toned.get(syl.text) {
            Some(v) => v,
            // `v` written for `ü`: rare, fall back to the slow test.
            None => {
                let g = super::gbk::Gbk::get();
                return (0x40u8..=0xFE)
                    .filter(|&x| g.decode(first, x).is_some_and(|c| is_reading(c, syl)))
                    .collect();
            }
        }
    };
    let lo = codes.partition_point(|&c| c < u16::from(first) << 8);
    codes[lo..]
        .iter()
        .take_while(|&&c| (c >> 8) as u8 == first)
        .map(|&c| c as u8)
        .collect()
}

/// Toned comparison that also accepts `v` for `ü` where the tone is elsewhere.
fn eq_plain_toned(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count()
        && a.chars()
            .zip(b.chars())
            .all(|(x, y)| x == y || (matches!(x, 'ü' | 'v') && matches!(y, 'ü' | 'v')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let (s, n) = parse_annotation("(xué)社").unwrap();
        assert_eq!(s.text, "xué");
        assert_eq!(n, "(xué)".len());
        assert!(is_reading('學', &s));
        assert!(!is_reading('社', &s));
        let (d, _) = parse_annotation("(dang)").unwrap();
        assert!(d.toneless);
        assert!(is_reading('黨', &d));
        assert!(parse_annotation("(abcdefgh)").is_none());
        assert!(parse_annotation("(ABC)").is_none());
        assert!(parse_annotation("()").is_none());
        let (z, _) = parse_closed("zhàn)饨").unwrap();
        assert!(is_reading('佔', &z));
        assert!(seconds_reading(0x81, &z).contains(&0xD7));
        let (s, _) = parse_closed("shù)").unwrap();
        assert_eq!(seconds_reading(0x94, &s), vec![0xB5]);
    }
}
