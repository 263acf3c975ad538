//! Opt-in normalisation: Unicode forms, width, CJK punctuation.
//!
//! Every normalisation is recorded as a change. Each option is off by default, and a
//! text that needs nothing returns after cheap checks (quick-check for Unicode forms, a
//! byte scan for the others).

use crate::report::Edits;
use crate::stage::{DocState, Stage};
use std::ops::Range;
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// A Unicode normalisation form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnicodeForm {
    Nfc,
    Nfkc,
}

/// Options of the normalisation stage. Everything is off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NormalizeOptions {
    pub unicode: Option<UnicodeForm>,
    /// Fold fullwidth ASCII letters and digits to ASCII.
    pub width: bool,
    /// Restore fullwidth punctuation inside Chinese text (`,`→`，`).
    pub punct_cjk: bool,
}

impl NormalizeOptions {
    pub fn is_off(&self) -> bool {
        *self == NormalizeOptions::default()
    }
}

#[derive(Debug, Default)]
pub struct Normalizer {
    pub options: NormalizeOptions,
}

impl Stage for Normalizer {
    fn name(&self) -> &'static str {
        "normalize"
    }

    fn apply(&self, text: &str, _doc: &mut DocState, out: &mut Edits) {
        // The three passes touch disjoint characters except where a Unicode form already
        // maps a char (NFKC folds fullwidth letters too); overlapping edits are dropped by
        // `Edits::push` (first wins), and the Unicode pass runs first.
        if let Some(form) = self.options.unicode {
            unicode_form(text, form, self.options.punct_cjk, out);
        }
        if self.options.width {
            width(text, self.options.unicode, out);
        }
        if self.options.punct_cjk {
            punct_cjk(text, self.options.unicode, out);
        }
    }
}

/// A char that never composes with the char before it, so a segment can start there.
/// (Kana voice marks U+3099..U+309C and halfwidth ones U+FF9E/F do combine.)
fn is_boundary(c: char) -> bool {
    c.is_ascii()
        || (('\u{3000}'..='\u{9FFF}').contains(&c) && !('\u{3099}'..='\u{309C}').contains(&c))
        || ('\u{FF01}'..='\u{FF9D}').contains(&c)
}

/// Normalise segment by segment, one change per segment that the form changes. With
/// `keep_cjk_punct`, NFKC leaves the fullwidth marks that `--punct-cjk` writes (`，` would
/// otherwise fold to `,` and the two options would undo each other).
fn unicode_form(text: &str, form: UnicodeForm, keep_cjk_punct: bool, out: &mut Edits) {
    let (label, conf) = match form {
        UnicodeForm::Nfc => ("Unicode NFC", 1.0),
        UnicodeForm::Nfkc => ("Unicode NFKC (compatibility folding)", 0.95),
    };
    for (r, norm) in changed_segments(text, form, keep_cjk_punct) {
        out.replace(r, norm, conf, label);
    }
}

/// The segments that `form` changes, with their normal form.
fn changed_segments(
    text: &str,
    form: UnicodeForm,
    keep_cjk_punct: bool,
) -> Vec<(Range<usize>, String)> {
    let quick = |s: &str| match form {
        UnicodeForm::Nfc => is_nfc_quick(s.chars()),
        UnicodeForm::Nfkc => is_nfkc_quick(s.chars()),
    };
    let mut out = Vec::new();
    if quick(text) == IsNormalized::Yes {
        return out;
    }
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((_, c)) = iter.next() {
        // The marks `punct_cjk` converts (and writes) never compose with what follows: keep
        // them in a segment of their own so the two passes never claim the same span.
        let next_boundary = match iter.peek() {
            Some(&(_, n)) => is_boundary(n) || fullwidth_of(c).is_some() || fullwidth_of_any(c),
            None => true,
        };
        if !next_boundary {
            continue;
        }
        let end = iter.peek().map_or(text.len(), |&(j, _)| j);
        let seg = &text[start..end];
        // A lone ASCII char or ideograph is in every normal form (quick check Yes, combining
        // class 0): most segments of Chinese text, no need to ask.
        let lone_stable = end - start == c.len_utf8()
            && (c.is_ascii()
                || ('\u{3400}'..='\u{4DBF}').contains(&c)
                || ('\u{4E00}'..='\u{9FFF}').contains(&c));
        if !lone_stable && quick(seg) != IsNormalized::Yes {
            let norm: String = match form {
                UnicodeForm::Nfc => seg.nfc().collect(),
                UnicodeForm::Nfkc => seg.nfkc().collect(),
            };
            let kept =
                keep_cjk_punct && form == UnicodeForm::Nfkc && seg.chars().all(fullwidth_of_any);
            if norm != seg && !kept {
                out.push((start..end, norm));
            }
        }
        start = end;
    }
    out
}

fn is_fullwidth_alnum(c: char) -> bool {
    matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

/// Fold runs of fullwidth letters and digits (`２０２０` → `2020`), one change per run.
fn width(text: &str, form: Option<UnicodeForm>, out: &mut Edits) {
    // Fullwidth forms are U+FF01..U+FF5E: UTF-8 EF BC xx / EF BD xx.
    if memchr::memchr(0xEF, text.as_bytes()).is_none() {
        return;
    }
    let fold = |c: char| char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !is_fullwidth_alnum(c) {
            continue;
        }
        let mut folded = String::new();
        folded.push(fold(c));
        while let Some(&(_, n)) = iter.peek() {
            if !is_fullwidth_alnum(n) {
                break;
            }
            folded.push(fold(n));
            iter.next();
        }
        // With a Unicode form on, marks after the run now combine with an ASCII letter
        // (`Ａ\u{301}` → `Á`): take them in and normalise, so one run is enough.
        if let Some(f) = form {
            while let Some(&(_, n)) = iter.peek() {
                if is_boundary(n) {
                    break;
                }
                folded.push(n);
                iter.next();
            }
            folded = match f {
                UnicodeForm::Nfc => folded.nfc().collect(),
                UnicodeForm::Nfkc => folded.nfkc().collect(),
            };
        }
        let end = iter.peek().map_or(text.len(), |&(j, _)| j);
        out.replace(i..end, folded, 1.0, "fullwidth letters/digits to ASCII");
    }
}

/// Chinese (or Japanese) text: ideographs, CJK punctuation, kana, fullwidth forms.
/// Also what NFKC turns into such (Kangxi radicals, halfwidth katakana), so the decision is
/// the same before and after `--unicode nfkc`; fullwidth letters and digits are not Chinese.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'
        | '\u{3000}'..='\u{303F}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF01}'..='\u{FF9F}'
        | '\u{20000}'..='\u{3FFFF}'
        | '“' | '”' | '‘' | '’' | '…' | '—')
        && !is_fullwidth_alnum(c)
}

/// ASCII or fullwidth digit.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c)
}

/// ASCII or fullwidth letter or digit.
fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_fullwidth_alnum(c)
}

fn fullwidth_of(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ':' => '：',
        ';' => '；',
        '!' => '！',
        '?' => '？',
        '(' => '（',
        ')' => '）',
        '.' => '。',
        _ => return None,
    })
}

/// A fullwidth mark that `punct_cjk` produces.
fn fullwidth_of_any(c: char) -> bool {
    matches!(c, '，' | '：' | '；' | '！' | '？' | '（' | '）' | '。')
}

/// Restore fullwidth punctuation inside Chinese text.
///
/// A mark is converted when a neighbour is Chinese, except:
/// - `,` `.` `:` between digits (`1,000`, `408.71`, `12:30`) stay;
/// - `.` only ends a sentence after an ideograph (not `3.5`, not `...`, not `a.b`);
/// - a `?` next to a digit, an ASCII letter, another `?` or U+FFFD stays: in damaged text
///   it marks a lost character (`租金?00万元`), and inventing a question mark would hide it;
/// - `(`/`)` change only as a matched pair on one line whose outside or inside is Chinese.
fn punct_cjk(text: &str, form: Option<UnicodeForm>, out: &mut Edits) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|&b| matches!(b, b',' | b':' | b';' | b'!' | b'?' | b'(' | b')' | b'.'))
        || !bytes.iter().any(|&b| b >= 0xE3)
    {
        return;
    }
    let idx: Vec<(usize, char)> = text.char_indices().collect();
    let mut paren_pairs: Vec<(usize, usize)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (k, &(_, c)) in idx.iter().enumerate() {
        match c {
            '(' => open.push(k),
            ')' => {
                if let Some(o) = open.pop() {
                    paren_pairs.push((o, k));
                }
            }
            '\n' => open.clear(),
            _ => {}
        }
    }
    // `eff` holds the chars as they will be. A converted mark makes its neighbours Chinese
    // context too (`中,?` → `中，？`), so decide until nothing more changes: a second run
    // then finds nothing to do. Conversions only add Chinese context, so this ends.
    let mut eff: Vec<char> = idx.iter().map(|&(_, c)| c).collect();
    // With a Unicode form on, a neighbour is judged as that pass leaves it (`,ﾞ`: the
    // halfwidth mark becomes a kana mark).
    if let Some(f) = form {
        for (r, norm) in changed_segments(text, f, true) {
            let first = idx.partition_point(|&(b, _)| b < r.start);
            let last = idx.partition_point(|&(b, _)| b < r.end) - 1;
            if let (Some(a), Some(z)) = (norm.chars().next(), norm.chars().last()) {
                eff[first] = a;
                eff[last] = z;
            }
        }
    }
    let mut converted = vec![false; eff.len()];
    // Sweeping both ways settles chains (`,,,中`) in one or two rounds; the cap keeps a
    // pathological input linear.
    for round in 0..8 {
        let mut changed = false;
        for &(o, cl) in &paren_pairs {
            if converted[o] {
                continue;
            }
            // `f(x)函数` is a formula; `版本(3.8)` and `(注意)` belong to the Chinese text.
            let outside = o.checked_sub(1).is_some_and(|p| is_cjk(eff[p]));
            let inside = eff[o + 1..cl].iter().any(|&c| is_cjk(c));
            if outside || inside {
                for k in [o, cl] {
                    eff[k] = fullwidth_of(eff[k]).unwrap_or(eff[k]);
                    converted[k] = true;
                }
                changed = true;
            }
        }
        let n_chars = eff.len();
        let order = (0..n_chars).chain((0..n_chars).rev());
        for k in order {
            let c = eff[k];
            if converted[k] || matches!(c, '(' | ')') {
                continue;
            }
            let Some(full) = fullwidth_of(c) else {
                continue;
            };
            let p = k.checked_sub(1).map(|j| eff[j]);
            let n = eff.get(k + 1).copied();
            let p_cjk = p.is_some_and(is_cjk);
            let n_cjk = n.is_some_and(is_cjk);
            let digit = |x: Option<char>| x.is_some_and(is_digit);
            let convert = match c {
                ',' | ':' | ';' => (p_cjk || n_cjk) && !(digit(p) && digit(n)),
                '.' => {
                    p.is_some_and(|c| is_cjk(c) && !is_punct_like(c))
                        && !n.is_some_and(|c| is_alnum(c) || c == '.')
                }
                // After ASCII letters it ends an English phrase: keep.
                '!' => p_cjk || (n_cjk && !p.is_some_and(is_alnum)),
                '?' => {
                    let lost = |x: Option<char>| {
                        x.is_some_and(|c| is_alnum(c) || c == '?' || c == '\u{FFFD}')
                    };
                    (p_cjk || n_cjk) && !lost(p) && !lost(n)
                }
                _ => false,
            };
            if convert {
                eff[k] = full;
                converted[k] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        debug_assert!(round < 7, "punctuation context did not settle");
    }
    for (k, &(i, c)) in idx.iter().enumerate() {
        if converted[k] {
            out.replace(
                i..i + 1,
                eff[k].to_string(),
                0.9,
                format!("ASCII `{c}` inside Chinese text to fullwidth"),
            );
        }
    }
}

/// CJK punctuation or symbols (where a `.` after it is not a sentence end).
fn is_punct_like(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}' | '“' | '”' | '‘' | '’' | '…' | '—')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chars `changed_segments` does not ask about are in both forms on their own.
    #[test]
    fn lone_ascii_and_ideographs_are_stable() {
        let chars = (0u32..0x80).chain(0x3400..=0x4DBF).chain(0x4E00..=0x9FFF);
        for c in chars.filter_map(char::from_u32) {
            let one = [c];
            assert_eq!(
                is_nfc_quick(one.iter().copied()),
                IsNormalized::Yes,
                "{c:?}"
            );
            assert_eq!(
                is_nfkc_quick(one.iter().copied()),
                IsNormalized::Yes,
                "{c:?}"
            );
        }
    }

    fn run(opts: NormalizeOptions, text: &str) -> (String, usize) {
        let (out, list) = crate::stage::run_stage(&Normalizer { options: opts }, text);
        (out, list.len())
    }

    fn punct(text: &str) -> String {
        run(
            NormalizeOptions {
                punct_cjk: true,
                ..Default::default()
            },
            text,
        )
        .0
    }

    #[test]
    fn punct_basic() {
        assert_eq!(
            punct("你好,世界;再见:好!真的?"),
            "你好，世界；再见：好！真的？"
        );
    }

    #[test]
    fn punct_keeps_numbers() {
        assert_eq!(
            punct("价值408.71万,共1,000人,12:30开会"),
            "价值408.71万，共1,000人，12:30开会"
        );
    }

    #[test]
    fn punct_keeps_lost_question_mark() {
        assert_eq!(punct("减免商铺租金?00万元。"), "减免商铺租金?00万元。");
        assert_eq!(punct("他说??了"), "他说??了");
        assert_eq!(punct("是吗?"), "是吗？");
    }

    #[test]
    fn punct_leaves_ascii_text_and_angle_brackets() {
        let s = "Hello, world: a (test)! Is it? 3.5";
        assert_eq!(punct(s), s);
        assert_eq!(punct("制定<行政征用法>完善"), "制定<行政征用法>完善");
    }

    #[test]
    fn punct_parens_as_pairs() {
        assert_eq!(punct("杭州(浙江)很好"), "杭州（浙江）很好");
        assert_eq!(punct("见f(x)函数"), "见f(x)函数");
        assert_eq!(punct("版本(3.8)发布"), "版本（3.8）发布");
        assert_eq!(punct("半个(括号"), "半个(括号");
    }

    #[test]
    fn punct_sentence_period() {
        assert_eq!(punct("结束了.下一句"), "结束了。下一句");
        assert_eq!(punct("网址abc.com"), "网址abc.com");
        assert_eq!(punct("等等..."), "等等...");
    }

    #[test]
    fn punct_is_idempotent() {
        let once = punct("你好,世界(测试)!");
        assert_eq!(punct(&once), once);
    }

    #[test]
    fn width_folds_runs() {
        let (s, n) = run(
            NormalizeOptions {
                width: true,
                ..Default::default()
            },
            "２０２０年ＡＢｃ，好",
        );
        assert_eq!(s, "2020年ABc，好");
        assert_eq!(n, 2);
    }

    #[test]
    fn nfc_composes() {
        let o = NormalizeOptions {
            unicode: Some(UnicodeForm::Nfc),
            ..Default::default()
        };
        let (s, n) = run(o, "cafe\u{301} 中文 e\u{301}");
        assert_eq!(s, "caf\u{e9} 中文 \u{e9}");
        assert_eq!(n, 2);
        assert_eq!(run(o, "已经是NFC的中文").1, 0);
    }

    #[test]
    fn nfkc_with_punct_cjk_keeps_fullwidth_marks() {
        let o = NormalizeOptions {
            unicode: Some(UnicodeForm::Nfkc),
            punct_cjk: true,
            ..Default::default()
        };
        let (s, _) = run(o, "你好，世界,再见ＡＢ");
        assert_eq!(s, "你好，世界，再见AB");
        let (again, n) = run(o, &s);
        assert_eq!((again.as_str(), n), (s.as_str(), 0));
    }

    #[test]
    fn nfkc_folds_compat() {
        let o = NormalizeOptions {
            unicode: Some(UnicodeForm::Nfkc),
            ..Default::default()
        };
        let (s, _) = run(o, "ﬁ①ｶﾞ中文");
        assert_eq!(s, "fi1ガ中文");
    }
}
