//! Text to output bytes: UTF-8 by default, or any encoding encoding_rs can write.

use crate::decode::Enc;
use crate::error::{Error, Result};
use std::borrow::Cow;

/// What to do with characters the output encoding cannot represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fallback {
    /// Stop with `Error::Unencodable`.
    #[default]
    Error,
    /// Write an HTML numeric character reference (`&#26085;`).
    Entity,
}

/// Encode `text` as `enc`.
pub fn encode(text: &str, enc: Enc, fallback: Fallback) -> Result<Cow<'_, [u8]>> {
    encode_owned(text, enc, fallback).map(|v| match v {
        Some(v) => Cow::Owned(v),
        None => Cow::Borrowed(text.as_bytes()),
    })
}

/// `None` means the UTF-8 bytes of `text` are the output (no copy).
fn encode_owned(text: &str, enc: Enc, fallback: Fallback) -> Result<Option<Vec<u8>>> {
    Ok(Some(match enc {
        Enc::Rs(e) if e == encoding_rs::UTF_8 => return Ok(None),
        Enc::Rs(e) if e == encoding_rs::UTF_16LE => {
            text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
        }
        Enc::Rs(e) if e == encoding_rs::UTF_16BE => {
            text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
        }
        Enc::Utf32Le => text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect(),
        Enc::Utf32Be => text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect(),
        Enc::Rs(e) => {
            let mut enc = e.new_encoder();
            let mut out = Vec::with_capacity(text.len() + 16);
            let mut rest = text;
            let mut consumed_chars = 0usize;
            loop {
                let need = enc
                    .max_buffer_length_from_utf8_without_replacement(rest.len())
                    .unwrap_or(rest.len() * 4 + 16);
                out.reserve(need);
                let (res, read) =
                    enc.encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
                match res {
                    encoding_rs::EncoderResult::InputEmpty => return Ok(Some(out)),
                    encoding_rs::EncoderResult::OutputFull => {
                        consumed_chars += rest[..read].chars().count();
                        rest = &rest[read..];
                    }
                    encoding_rs::EncoderResult::Unmappable(c) => {
                        let done = &rest[..read];
                        consumed_chars += done.chars().count();
                        match fallback {
                            Fallback::Error => {
                                return Err(Error::Unencodable {
                                    codepoint: c as u32,
                                    char_offset: consumed_chars - 1,
                                    encoding: e.name(),
                                })
                            }
                            Fallback::Entity => {
                                out.extend_from_slice(format!("&#{};", c as u32).as_bytes());
                            }
                        }
                        rest = &rest[read..];
                    }
                }
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_roundtrip_and_fallback() {
        let gbk = Enc::Rs(encoding_rs::GBK);
        assert_eq!(
            encode("中文", gbk, Fallback::Error).unwrap(),
            vec![0xd6, 0xd0, 0xce, 0xc4]
        );
        let err = encode("a中😀", gbk, Fallback::Error).unwrap_err();
        assert!(matches!(
            err,
            Error::Unencodable {
                codepoint: 0x1F600,
                char_offset: 2,
                ..
            }
        ));
        let big5 = Enc::Rs(encoding_rs::BIG5);
        assert_eq!(
            encode("a😀", big5, Fallback::Entity).unwrap(),
            b"a&#128512;".to_vec()
        );
    }
}
