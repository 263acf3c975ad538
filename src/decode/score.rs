//! Plausibility of a decoded text: an approximate log-probability (nats) that the text is
//! real writing. Candidate decodings of the same bytes are compared by this number (plus a
//! small prior per encoding), so a reading that turns bytes into rare characters, controls
//! or unlikely script mixtures loses against one that yields common words.
//!
//! Han characters are scored by the shared character LM (`crate::lm`); kana and hangul by
//! frequency tables (`tables.rs`); everything else by character class.

use super::tables::{HANGUL, HANGUL_FLOOR, JA_KANA_SHARE, KANA, KANA_FLOOR};
use crate::lm::Model;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Han,
    Kana,
    Hangul,
    Latin,
    Other,
}

/// Total log-probability of `text`.
pub fn text_logprob(text: &str) -> f32 {
    let lm = Model::global();
    let mut total = 0f32;
    let mut han_start: Option<usize> = None;
    let mut prev = Script::Other;
    let mut prev_accented = false;
    for (i, c) in text.char_indices() {
        // Western text has isolated accented letters; runs of them are another script
        // read through a Latin code page.
        let accented = matches!(c as u32, 0xC0..=0x24F);
        if accented && prev_accented {
            total -= 3.0;
        }
        prev_accented = accented;
        let script = script_of(c);
        if script == Script::Han || (han_start.is_some() && lm_punct(c)) {
            han_start.get_or_insert(i);
        } else {
            if let Some(s) = han_start.take() {
                total += han_run(lm, &text[s..i]);
            }
            total += char_logprob(c);
        }
        total += transition(prev, script);
        if script != Script::Other {
            prev = script;
        }
    }
    if let Some(s) = han_start {
        total += han_run(lm, &text[s..]);
    }
    total
}

/// Mean log-probability per char (for thresholds such as "is this text at all").
pub fn mean_logprob(text: &str) -> f32 {
    let n = text.chars().count().max(1) as f32;
    text_logprob(text) / n
}

fn han_run(lm: &Model, run: &str) -> f32 {
    lm.log_prob(run) as f32
}

/// CJK punctuation the LM knows when it follows Han text.
fn lm_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '、' | '！' | '？' | '：' | '；' | '“' | '”' | '《' | '》'
    )
}

fn script_of(c: char) -> Script {
    match c as u32 {
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x20000..=0x2FA1F | 0xF900..=0xFAFF => Script::Han,
        0x3041..=0x30FF => Script::Kana,
        0xAC00..=0xD7A3 => Script::Hangul,
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F => Script::Latin,
        _ => Script::Other,
    }
}

/// Script changes that real text rarely makes (a symptom of a wrong multi-byte reading).
fn transition(prev: Script, cur: Script) -> f32 {
    use Script::*;
    match (prev, cur) {
        (Hangul, Han) | (Han, Hangul) => -3.0,
        (Hangul, Kana) | (Kana, Hangul) => -8.0,
        (Latin, Hangul) | (Hangul, Latin) | (Latin, Kana) | (Kana, Latin) => -2.0,
        // Real Chinese text embeds whole Latin words; a wrong UTF-16 or GBK reading
        // alternates single letters and Han characters.
        (Latin, Han) | (Han, Latin) => -1.5,
        _ => 0.0,
    }
}

fn lookup(table: &[(char, f32)], c: char) -> Option<f32> {
    table
        .binary_search_by(|(k, _)| k.cmp(&c))
        .ok()
        .map(|i| table[i].1)
}

/// Log-probability of one non-Han character.
fn char_logprob(c: char) -> f32 {
    let u = c as u32;
    match u {
        0x0A | 0x0D => -2.5,
        0x09 => -4.0,
        0x20 => -2.5,
        0x61..=0x7A => -3.2,
        0x41..=0x5A => -4.0,
        0x30..=0x39 => -3.5,
        0x21..=0x2F | 0x3A..=0x40 => match c {
            '.' | ',' | '!' | '?' | ':' | '-' | '(' | ')' | '\'' | '"' | '/' => -4.5,
            _ => -6.5,
        },
        0x5B..=0x60 | 0x7B..=0x7E => -7.5,
        0x00..=0x1F | 0x7F..=0x9F => -20.0,
        0xA0..=0xBF | 0xD7 | 0xF7 => -10.0,
        0xC0..=0xFF => -7.5,
        0x100..=0x24F => -10.0,
        // Greek, Cyrillic, Hebrew, Arabic ...: legitimate, but a CJK byte pair read
        // as UTF-8 also lands here; keep them below common Han characters.
        0x370..=0x6FF => -8.5,
        // Indic, Thai, Lao, Tibetan, Myanmar, Georgian, Ethiopic ...: alphabets.
        0x900..=0x139F => -6.5,
        0x2010..=0x2027 => -6.0,
        0x2030..=0x206F => -9.0,
        0x2460..=0x24FF => -9.0,
        0x2500..=0x25FF => -10.0,
        0x2600..=0x27BF => -11.0,
        0x2000..=0x2BFF => -10.0,
        0x3000..=0x3003 => -4.5,
        0x3008..=0x3011 => -5.5,
        0x3004..=0x303F => -9.0,
        0x3041..=0x30FF => JA_KANA_SHARE + lookup(KANA, c).unwrap_or(KANA_FLOOR - 2.0),
        0x3100..=0x312F => -12.0, // bopomofo
        0x3130..=0x318F => -14.0, // hangul compatibility jamo
        0xAC00..=0xD7A3 => lookup(HANGUL, c).unwrap_or(HANGUL_FLOOR - 3.0),
        0xFF01..=0xFF5E => match c {
            '，' | '！' | '？' | '：' | '；' | '（' | '）' => -4.5,
            _ => -8.0,
        },
        0xFF61..=0xFF9F => -14.0, // halfwidth katakana
        0xFFFD => -30.0,
        0xE000..=0xF8FF => -25.0,   // private use
        0xFE30..=0xFE4F => -11.0,   // CJK compatibility forms
        0x1F300..=0x1FAFF => -10.0, // emoji
        // Planes 4–13 are unassigned; 14–16 are tags and private use.
        0x40000..=0x10FFFF => -30.0,
        _ => -16.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_private_use_are_implausible() {
        assert!(text_logprob("\u{1}\u{2}") < text_logprob("ab"));
        assert!(text_logprob("\u{E001}") < text_logprob("é"));
    }

    #[test]
    fn common_kana_and_hangul_beat_rare_ones() {
        assert!(text_logprob("の") > text_logprob("ゎ"));
        assert!(text_logprob("이") > text_logprob("뷁"));
    }
}
