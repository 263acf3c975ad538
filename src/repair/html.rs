//! HTML/XML character references left in plain text: `&rdquo;`, `&#8220;`, `&#x201C;`,
//! double-escaped `&amp;ldquo;`, and damaged ones (`&rdquo` without `;`, `?rdquo;` whose
//! `&` was eaten by a decoder).
//!
//! With `--html-entities auto` nothing is decoded when the document is itself markup
//! (several HTML tags, a doctype or an XML declaration): there the entities are meant.

mod entities;

use crate::report::Edits;
use crate::stage::{DocState as Doc, Stage};
use std::borrow::Cow;

use super::Toggle;

/// Per-document state of this stage.
#[derive(Debug, Default)]
pub struct DocState {
    /// Markup seen so far in the document (decided on the first chunk, kept for the rest).
    pub markup: Option<bool>,
}

#[derive(Debug, Default)]
pub struct Repairer {
    pub options: super::RepairOptions,
}

/// Element names that make `<name ...>` count as markup.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "article",
    "aside",
    "b",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "label",
    "li",
    "link",
    "main",
    "meta",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "script",
    "section",
    "select",
    "small",
    "span",
    "strong",
    "style",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "u",
    "ul",
];

/// True when `text` looks like HTML/XML markup: a doctype or XML declaration, or at least
/// three tags of known HTML elements. `<行政征用法>` (a Chinese title in angle brackets)
/// is not a tag.
pub fn looks_like_markup(text: &str) -> bool {
    let b = text.as_bytes();
    let mut tags = 0;
    let mut pos = 0;
    while let Some(off) = memchr::memchr(b'<', &b[pos..]) {
        let i = pos + off;
        pos = i + 1;
        let rest = &b[i + 1..];
        if rest.len() >= 8 && rest[..8].eq_ignore_ascii_case(b"!doctype") {
            return true;
        }
        if rest.starts_with(b"?xml") || rest.starts_with(b"!--") || rest.starts_with(b"![CDATA[") {
            return true;
        }
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let n = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if n == 0 || n > 10 {
            continue;
        }
        let name = &rest[..n];
        let next = rest.get(n).copied();
        if !matches!(next, Some(b'>' | b' ' | b'/' | b'\t' | b'\n' | b'\r')) {
            continue;
        }
        if TAGS.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(name)) {
            tags += 1;
            if tags >= 3 {
                return true;
            }
        }
    }
    false
}

fn lookup(name: &str) -> Option<&'static str> {
    entities::ENTITIES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| entities::ENTITIES[i].1)
}

/// HTML5 remaps numeric references to C1 code points to their windows-1252 chars.
fn numeric_char(v: u32) -> Option<char> {
    if (0x80..=0x9F).contains(&v) {
        return super::mojibake::cp1252_char(v as u8);
    }
    if v == 0 {
        return None;
    }
    char::from_u32(v)
}

/// A decoded reference: its length in bytes, the text, and how sure we are.
struct Found {
    len: usize,
    text: Cow<'static, str>,
    confidence: f32,
    reason: &'static str,
}

/// Decode the reference that starts right after an `&` at `s` (which excludes the `&`).
fn reference(s: &[u8]) -> Option<(usize, Cow<'static, str>, bool)> {
    // Returns (bytes consumed after '&', text, had_semicolon).
    if s.first() == Some(&b'#') {
        let (hex, start) = match s.get(1) {
            Some(b'x' | b'X') => (true, 2),
            _ => (false, 1),
        };
        let digits = s[start..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 || digits > 8 {
            return None;
        }
        let txt = std::str::from_utf8(&s[start..start + digits]).ok()?;
        let v = u32::from_str_radix(txt, if hex { 16 } else { 10 }).ok()?;
        let c = numeric_char(v)?;
        let mut len = start + digits;
        let semi = s.get(len) == Some(&b';');
        if semi {
            len += 1;
        } else if s.get(len).is_some_and(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        return Some((len, Cow::Owned(c.to_string()), semi));
    }
    let n = s
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if n == 0 {
        return None;
    }
    let name = std::str::from_utf8(&s[..n]).ok()?;
    if s.get(n) == Some(&b';') {
        let mut key = String::with_capacity(n + 1);
        key.push_str(name);
        key.push(';');
        return lookup(&key).map(|t| (n + 1, Cow::Borrowed(t), true));
    }
    // No `;`: only when the name ends there (not followed by a letter, digit or `=`, which
    // would make it part of a URL query) and names a reference unambiguously.
    if matches!(s.get(n), Some(b'=')) {
        return None;
    }
    let mut key = String::with_capacity(n + 1);
    key.push_str(name);
    if let Some(t) = lookup(&key) {
        return Some((n, Cow::Borrowed(t), false));
    }
    key.push(';');
    if n >= 4 {
        return lookup(&key).map(|t| (n, Cow::Borrowed(t), false));
    }
    None
}

/// Find the reference at `&` position `i` of `text`, following `&amp;` chains.
fn decode_at(text: &str, i: usize) -> Option<Found> {
    let b = text.as_bytes();
    let mut pos = i + 1;
    let mut layers = 0;
    loop {
        let (len, t, semi) = reference(&b[pos..])?;
        pos += len;
        if t == "&" && semi {
            // `&amp;` followed by another reference body: double escaping.
            if let Some((_, _, true)) = reference(&b[pos..]) {
                layers += 1;
                continue;
            }
        }
        let (confidence, reason) = match (layers, semi) {
            (0, true) => (0.99, "html entity"),
            (0, false) => (0.9, "html entity without `;`"),
            (_, true) => (0.97, "double-escaped html entity"),
            (_, false) => (0.85, "double-escaped html entity without `;`"),
        };
        return Some(Found {
            len: pos - i,
            text: t,
            confidence,
            reason,
        });
    }
}

/// `?rdquo;`: a reference whose `&` a decoder swallowed (see the pinyin corruption).
/// Only names of four letters or more, with their `;`, right after a `?`.
fn damaged_at(text: &str, q: usize) -> Option<Found> {
    let b = text.as_bytes();
    let s = &b[q + 1..];
    let n = s
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if n < 4 || s.get(n) != Some(&b';') {
        return None;
    }
    // Not inside a word or a URL: the char before `?` must not be ASCII.
    if q > 0 && b[q - 1].is_ascii() {
        return None;
    }
    let key = std::str::from_utf8(&s[..=n]).ok()?;
    let t = lookup(key)?;
    Some(Found {
        len: n + 2,
        text: Cow::Borrowed(t),
        confidence: 0.8,
        reason: "damaged html entity (`&` lost as `?`)",
    })
}

impl Stage for Repairer {
    fn name(&self) -> &'static str {
        "html"
    }

    fn apply(&self, text: &str, doc: &mut Doc, out: &mut Edits) {
        match self.options.html_entities {
            Toggle::Off => return,
            Toggle::On => {}
            Toggle::Auto => {
                let markup = *doc
                    .html
                    .markup
                    .get_or_insert_with(|| looks_like_markup(text));
                if markup {
                    return;
                }
            }
        }
        let b = text.as_bytes();
        let mut pos = 0;
        while let Some(off) = memchr::memchr2(b'&', b'?', &b[pos..]) {
            let i = pos + off;
            let found = if b[i] == b'&' {
                decode_at(text, i)
            } else {
                damaged_at(text, i)
            };
            match found {
                Some(f) => {
                    out.replace(i..i + f.len, f.text, f.confidence, f.reason);
                    pos = i + f.len;
                }
                None => pos = i + 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repair::RepairOptions;

    fn run(text: &str, mode: Toggle) -> String {
        let r = Repairer {
            options: RepairOptions {
                html_entities: mode,
                ..RepairOptions::default()
            },
        };
        crate::stage::run_stage(&r, text).0
    }

    #[test]
    fn named_numeric_double() {
        assert_eq!(
            run("“中国青年五四奖章&rdquo;", Toggle::Auto),
            "“中国青年五四奖章”"
        );
        assert_eq!(run("&#8220;x&#x201D; &#150;", Toggle::Auto), "“x” –");
        assert_eq!(run("&amp;ldquo;引号&amp;rdquo;", Toggle::Auto), "“引号”");
        assert_eq!(run("&amp;amp;lt;", Toggle::Auto), "<");
        assert_eq!(run("AT&amp;T", Toggle::Auto), "AT&T");
        assert_eq!(run("a &copy 2020", Toggle::Auto), "a © 2020");
        assert_eq!(run("章?rdquo;。", Toggle::Auto), "章”。");
    }

    #[test]
    fn leaves_non_entities() {
        for s in [
            "http://x.com/?a=1&b=2&lang=zh",
            "R&D, Q&A, a & b",
            "&unknownthing; &#xZZ; &#; &",
            "what?rdquo; in English",
            "《关于提请全国人大制定<行政征用法>完善行政征用制度》",
        ] {
            assert_eq!(run(s, Toggle::Auto), s);
        }
    }

    #[test]
    fn markup_is_left_alone_in_auto() {
        let html = "<html><body><p>&ldquo;hi&rdquo;</p></body></html>";
        assert!(looks_like_markup(html));
        assert_eq!(run(html, Toggle::Auto), html);
        assert_eq!(
            run(html, Toggle::On),
            "<html><body><p>“hi”</p></body></html>"
        );
        assert!(!looks_like_markup("制定<行政征用法>完善 <b> 1 < 2"));
    }

    #[test]
    fn table_is_sorted() {
        assert!(entities::ENTITIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(lookup("rdquo;"), Some("”"));
        assert_eq!(lookup("amp"), Some("&"));
    }
}
