//! Pinyin syllables as the filter wrote them (`xué`, toneless `dang`), and the test
//! "is this a reading of that character" against the `pinyin` crate (heteronyms included).

use pinyin::ToPinyinMulti;

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
    let mut n = 0;
    let mut toneless = true;
    for (i, c) in s.char_indices() {
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
        n += 1;
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

/// Toned comparison that also accepts `v` for `ü` where the tone is elsewhere.
fn eq_plain_toned(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count()
        && a.chars().zip(b.chars()).all(|(x, y)| {
            x == y || (matches!(x, 'ü' | 'v') && matches!(y, 'ü' | 'v'))
        })
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
    }
}
