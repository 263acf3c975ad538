//! Opt-in normalisation: Unicode forms, width, CJK punctuation.
//!
//! Every normalisation is recorded as a change. Each option is off by default, and a
//! text that needs nothing returns after cheap checks (quick-check for Unicode forms, a
//! byte scan for the others).

use crate::report::Edits;
use crate::stage::{DocState, Stage};
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
            unicode_form(text, form, out);
        }
        if self.options.width {
            width(text, out);
        }
        if self.options.punct_cjk {
            punct_cjk(text, out);
        }
    }
}

/// A char that never composes with the char before it, so a segment can start there.
fn is_boundary(c: char) -> bool {
    c.is_ascii()
        || (('\u{3000}'..='\u{9FFF}').contains(&c) && !('\u{3099}'..='\u{309C}').contains(&c))
}

/// Normalise segment by segment, one change per segment that the form changes.
fn unicode_form(text: &str, form: UnicodeForm, out: &mut Edits) {
    let quick = match form {
        UnicodeForm::Nfc => is_nfc_quick(text.chars()),
        UnicodeForm::Nfkc => is_nfkc_quick(text.chars()),
    };
    if quick == IsNormalized::Yes {
        return;
    }
    let (label, conf) = match form {
        UnicodeForm::Nfc => ("Unicode NFC", 1.0),
        UnicodeForm::Nfkc => ("Unicode NFKC (compatibility folding)", 0.95),
    };
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, _)) = iter.next() {
        let next_boundary = match iter.peek() {
            Some(&(_, n)) => is_boundary(n),
            None => true,
        };
        if !next_boundary {
            continue;
        }
        let end = iter.peek().map_or(text.len(), |&(j, _)| j);
        debug_assert!(i < end);
        let seg = &text[start..end];
        let ok = match form {
            UnicodeForm::Nfc => is_nfc_quick(seg.chars()) == IsNormalized::Yes,
            UnicodeForm::Nfkc => is_nfkc_quick(seg.chars()) == IsNormalized::Yes,
        };
        if !ok {
            let norm: String = match form {
                UnicodeForm::Nfc => seg.nfc().collect(),
                UnicodeForm::Nfkc => seg.nfkc().collect(),
            };
            if norm != seg {
                out.replace(start..end, norm, conf, label);
            }
        }
        start = end;
    }
}

fn is_fullwidth_alnum(c: char) -> bool {
    matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

/// Fold runs of fullwidth letters and digits (`２０２０` → `2020`), one change per run.
fn width(text: &str, out: &mut Edits) {
    // Fullwidth forms are U+FF01..U+FF5E: UTF-8 EF BC xx / EF BD xx.
    if memchr::memchr(0xEF, text.as_bytes()).is_none() {
        return;
    }
    let mut run: Option<(usize, String)> = None;
    for (i, c) in text.char_indices() {
        if is_fullwidth_alnum(c) {
            let folded = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            match &mut run {
                Some((_, s)) => s.push(folded),
                None => run = Some((i, folded.to_string())),
            }
        } else if let Some((s, folded)) = run.take() {
            out.replace(s..i, folded, 1.0, "fullwidth letters/digits to ASCII");
        }
    }
    if let Some((s, folded)) = run {
        out.replace(
            s..text.len(),
            folded,
            1.0,
            "fullwidth letters/digits to ASCII",
        );
    }
}

/// Chinese (or Japanese) text: ideographs, CJK punctuation, kana, fullwidth forms.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF01}'..='\u{FF60}'
        | '\u{20000}'..='\u{3FFFF}'
        | '“' | '”' | '‘' | '’' | '…' | '—')
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

/// Restore fullwidth punctuation inside Chinese text.
///
/// A mark is converted when a neighbour is Chinese, except:
/// - `,` `.` `:` between digits (`1,000`, `408.71`, `12:30`) stay;
/// - `.` only ends a sentence after an ideograph (not `3.5`, not `...`, not `a.b`);
/// - a `?` next to a digit, an ASCII letter, another `?` or U+FFFD stays: in damaged text
///   it marks a lost character (`租金?00万元`), and inventing a question mark would hide it;
/// - `(`/`)` change only as a matched pair on one line whose outside or inside is Chinese.
fn punct_cjk(text: &str, out: &mut Edits) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|&b| matches!(b, b',' | b':' | b';' | b'!' | b'?' | b'(' | b')' | b'.'))
        || !bytes.iter().any(|&b| b >= 0xE3)
    {
        return;
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let prev = |k: usize| k.checked_sub(1).and_then(at);
    let mut paren_pairs: Vec<(usize, usize)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (k, &(_, c)) in chars.iter().enumerate() {
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
    let mut convert_idx: Vec<usize> = Vec::new();
    for &(o, cl) in &paren_pairs {
        // `f(x)函数` is a formula; `版本(3.8)` and `(注意)` belong to the Chinese text.
        let outside = prev(o).is_some_and(is_cjk);
        let inside = chars[o + 1..cl].iter().any(|&(_, c)| is_cjk(c));
        if outside || inside {
            convert_idx.push(o);
            convert_idx.push(cl);
        }
    }
    convert_idx.sort_unstable();
    // Neighbours as they will be: a converted parenthesis counts as Chinese punctuation,
    // so a second run finds nothing more to do.
    let eff = |k: usize| {
        at(k).map(|c| match c {
            '(' | ')' if convert_idx.binary_search(&k).is_ok() => fullwidth_of(c).unwrap_or(c),
            _ => c,
        })
    };
    for (k, &(i, c)) in chars.iter().enumerate() {
        let Some(full) = fullwidth_of(c) else {
            continue;
        };
        let p = k.checked_sub(1).and_then(eff);
        let n = eff(k + 1);
        let p_cjk = p.is_some_and(is_cjk);
        let n_cjk = n.is_some_and(is_cjk);
        let digit = |x: Option<char>| x.is_some_and(|c| c.is_ascii_digit());
        let convert = match c {
            ',' | ':' | ';' => (p_cjk || n_cjk) && !(digit(p) && digit(n)),
            '.' => {
                p.is_some_and(|c| is_cjk(c) && !is_punct_like(c))
                    && !n.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
            }
            // After ASCII letters it ends an English phrase: keep.
            '!' => p_cjk || (n_cjk && !p.is_some_and(|c| c.is_ascii_alphanumeric())),
            '?' => {
                let lost = |x: Option<char>| {
                    x.is_some_and(|c| c.is_ascii_alphanumeric() || c == '?' || c == '\u{FFFD}')
                };
                (p_cjk || n_cjk) && !lost(p) && !lost(n)
            }
            '(' | ')' => convert_idx.binary_search(&k).is_ok(),
            _ => false,
        };
        if convert {
            out.replace(
                i..i + 1,
                full.to_string(),
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

    fn run(opts: NormalizeOptions, text: &str) -> (String, usize) {
        let mut ed = Edits::new();
        Normalizer { options: opts }.apply(text, &mut DocState::default(), &mut ed);
        let n = ed.len();
        (ed.apply(text).0, n)
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
    fn nfkc_folds_compat() {
        let o = NormalizeOptions {
            unicode: Some(UnicodeForm::Nfkc),
            ..Default::default()
        };
        let (s, _) = run(o, "ﬁ①ｶﾞ中文");
        assert_eq!(s, "fi1ガ中文");
    }
}
