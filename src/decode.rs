//! Bytes to text: BOMs, UTF-8, UTF-16/32, legacy CJK encodings, short strings and files
//! that mix encodings segment by segment.
//!
//! FIRST VERSION (skeleton): BOM + UTF-8 + chardetng. The detection issue replaces the
//! guessing inside `detect`/`decode`; the types below are the contract.

use crate::error::{Error, Result};
use encoding_rs::Encoding;
use std::ops::Range;

/// An encoding the decoder can report. encoding_rs has no UTF-32, so it gets its own cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Rs(&'static Encoding),
    Utf32Le,
    Utf32Be,
}

impl Enc {
    pub fn name(&self) -> &'static str {
        match self {
            Enc::Rs(e) => e.name(),
            Enc::Utf32Le => "UTF-32LE",
            Enc::Utf32Be => "UTF-32BE",
        }
    }

    /// Parse a user label (`gbk`, `big5`, `utf-16le`, `utf-32` ...).
    pub fn from_label(label: &str) -> Result<Enc> {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "utf-32" | "utf-32le" | "utf32" | "utf32le" => return Ok(Enc::Utf32Le),
            "utf-32be" | "utf32be" => return Ok(Enc::Utf32Be),
            "latin-1" | "latin1" => return Ok(Enc::Rs(encoding_rs::WINDOWS_1252)),
            "gb18030" => return Ok(Enc::Rs(encoding_rs::GB18030)),
            _ => {}
        }
        Encoding::for_label(l.as_bytes())
            .map(Enc::Rs)
            .ok_or_else(|| Error::UnknownEncoding(label.to_owned()))
    }

    /// Bytes taken by `text` in this encoding (for offset mapping).
    pub fn encoded_len(&self, text: &str) -> usize {
        match self {
            Enc::Utf32Le | Enc::Utf32Be => text.chars().count() * 4,
            Enc::Rs(e) if *e == encoding_rs::UTF_16LE || *e == encoding_rs::UTF_16BE => {
                text.encode_utf16().count() * 2
            }
            Enc::Rs(e) if *e == encoding_rs::UTF_8 => text.len(),
            Enc::Rs(e) => e.encode(text).0.len(),
        }
    }
}

/// One stretch of input decoded with one encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Byte range in the input (the BOM, if any, belongs to the first segment).
    pub bytes: Range<usize>,
    /// Byte range in the decoded text.
    pub text: Range<usize>,
    pub encoding: Enc,
    /// 0..1: how sure the detector is.
    pub confidence: f32,
    /// Length of a BOM at the start of `bytes`.
    pub bom: usize,
}

/// Decoded input.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub segments: Vec<Segment>,
    /// More than one encoding was needed.
    pub mixed: bool,
    /// Spans of the decoded text that were undecodable (became U+FFFD).
    pub malformed: Vec<Range<usize>>,
}

impl Decoded {
    /// The main encoding: the one covering the most bytes.
    pub fn encoding(&self) -> Enc {
        self.segments
            .iter()
            .max_by_key(|s| s.bytes.len())
            .map(|s| s.encoding)
            .unwrap_or(Enc::Rs(encoding_rs::UTF_8))
    }

    pub fn confidence(&self) -> f32 {
        self.segments
            .iter()
            .map(|s| s.confidence)
            .fold(1.0f32, f32::min)
    }

    /// Map a byte offset of the decoded text to a byte offset of the input.
    pub fn input_offset(&self, pos: usize) -> usize {
        let i = self.segments.partition_point(|s| s.text.end < pos);
        let Some(seg) = self.segments.get(i).or(self.segments.last()) else {
            return pos;
        };
        let pos = pos.clamp(seg.text.start, seg.text.end);
        let start = seg.bytes.start + seg.bom;
        match seg.encoding {
            Enc::Rs(e) if e == encoding_rs::UTF_8 => start + (pos - seg.text.start),
            enc => {
                let prefix = self.text.get(seg.text.start..pos).unwrap_or("");
                (start + enc.encoded_len(prefix)).min(seg.bytes.end)
            }
        }
    }
}

/// Options for decoding.
#[derive(Debug, Clone, Default)]
pub struct DecodeOptions {
    /// Skip detection and use this encoding.
    pub from: Option<Enc>,
    /// Decode even if the input looks binary.
    pub force: bool,
}

/// Refuse input that looks binary: NUL bytes (outside UTF-16/32), many C0 controls.
pub fn check_binary(input: &[u8]) -> Result<()> {
    let sample = &input[..input.len().min(64 * 1024)];
    if sample.contains(&0) {
        return Err(Error::Binary {
            reason: "it contains NUL bytes".into(),
        });
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    if controls * 100 > sample.len().max(1) {
        return Err(Error::Binary {
            reason: format!(
                "{controls} control bytes in the first {} bytes",
                sample.len()
            ),
        });
    }
    Ok(())
}

/// Decode `input`, detecting the encoding unless `opts.from` says it.
pub fn decode(input: &[u8], opts: &DecodeOptions) -> Result<Decoded> {
    if let Some(enc) = opts.from {
        return Ok(decode_with(input, enc, 1.0));
    }
    if let Some((enc, _)) = Encoding::for_bom(input) {
        return Ok(decode_with(input, Enc::Rs(enc), 1.0));
    }
    if std::str::from_utf8(input).is_ok() {
        return Ok(decode_with(input, Enc::Rs(encoding_rs::UTF_8), 1.0));
    }
    if !opts.force {
        check_binary(input)?;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(input, true);
    let (enc, sure) = det.guess_assess(None, true);
    Ok(decode_with(
        input,
        Enc::Rs(enc),
        if sure { 0.9 } else { 0.5 },
    ))
}

/// Decode all of `input` with one encoding.
pub fn decode_with(input: &[u8], enc: Enc, confidence: f32) -> Decoded {
    let (text, bom, malformed) = match enc {
        Enc::Rs(e) => {
            let (bom, body) = match Encoding::for_bom(input) {
                Some((b, n)) if b == e => (n, &input[n..]),
                _ => (0, input),
            };
            let (text, had_errors) = e.decode_without_bom_handling(body);
            let malformed = if had_errors {
                find_replacements(&text)
            } else {
                Vec::new()
            };
            (text.into_owned(), bom, malformed)
        }
        Enc::Utf32Le | Enc::Utf32Be => {
            let le = enc == Enc::Utf32Le;
            let bom_bytes: [u8; 4] = if le {
                [0xff, 0xfe, 0, 0]
            } else {
                [0, 0, 0xfe, 0xff]
            };
            let bom = if input.starts_with(&bom_bytes) { 4 } else { 0 };
            let mut s = String::with_capacity(input.len() / 2);
            let mut malformed = Vec::new();
            for ch in input[bom..].chunks(4) {
                let v = if ch.len() < 4 {
                    None
                } else if le {
                    char::from_u32(u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]))
                } else {
                    char::from_u32(u32::from_be_bytes([ch[0], ch[1], ch[2], ch[3]]))
                };
                match v {
                    Some(c) => s.push(c),
                    None => {
                        malformed.push(s.len()..s.len() + 3);
                        s.push('\u{FFFD}');
                    }
                }
            }
            (s, bom, malformed)
        }
    };
    let len = text.len();
    Decoded {
        text,
        segments: vec![Segment {
            bytes: 0..input.len(),
            text: 0..len,
            encoding: enc,
            confidence,
            bom,
        }],
        mixed: false,
        malformed,
    }
}

fn find_replacements(text: &str) -> Vec<Range<usize>> {
    text.match_indices('\u{FFFD}')
        .map(|(i, s)| i..i + s.len())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through() {
        let d = decode("中文".as_bytes(), &DecodeOptions::default()).unwrap();
        assert_eq!(d.text, "中文");
        assert_eq!(d.encoding().name(), "UTF-8");
    }

    #[test]
    fn gbk_offsets_map_back() {
        let (bytes, _, _) = encoding_rs::GBK.encode("ab中文c");
        let d = decode_with(&bytes, Enc::Rs(encoding_rs::GBK), 1.0);
        assert_eq!(d.text, "ab中文c");
        assert_eq!(d.input_offset(d.text.find('文').unwrap()), 4);
        assert_eq!(d.input_offset(d.text.len()), bytes.len());
    }
}
