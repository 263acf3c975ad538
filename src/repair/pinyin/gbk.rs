//! GBK as the damaging filter saw it: a byte-pair table built once from `encoding_rs`.
//!
//! Only two-byte codes matter here (lead 0x81–0xFE, trail 0x40–0x7E or 0x80–0xFE).
//! Four-byte GB18030 sequences never occur in GBK, so a digit trail is an invalid pair.

use std::collections::HashMap;
use std::sync::OnceLock;

pub struct Gbk {
    /// Decoded char of every pair `lead << 8 | trail`, `'\0'` when invalid.
    dec: Vec<char>,
    enc: HashMap<char, u16>,
}

static TABLE: OnceLock<Gbk> = OnceLock::new();

/// True for a byte that may follow a lead byte.
#[inline]
pub fn is_trail(b: u8) -> bool {
    (0x40..=0x7E).contains(&b) || (0x80..=0xFE).contains(&b)
}

/// True for a lead byte of a two-byte code.
#[inline]
pub fn is_lead(b: u8) -> bool {
    (0x81..=0xFE).contains(&b)
}

impl Gbk {
    pub fn get() -> &'static Gbk {
        TABLE.get_or_init(Gbk::build)
    }

    fn build() -> Gbk {
        let mut dec = vec!['\0'; 65536];
        let mut enc = HashMap::with_capacity(24_000);
        let mut buf = [0u8; 8];
        for lead in 0x81u8..=0xFE {
            for trail in (0x40u8..=0xFE).filter(|&t| is_trail(t)) {
                let mut decoder = encoding_rs::GBK.new_decoder_without_bom_handling();
                let (res, _, written) =
                    decoder.decode_to_utf8_without_replacement(&[lead, trail], &mut buf, true);
                if !matches!(res, encoding_rs::DecoderResult::InputEmpty) {
                    continue;
                }
                let Ok(s) = std::str::from_utf8(&buf[..written]) else {
                    continue;
                };
                let mut it = s.chars();
                if let (Some(c), None) = (it.next(), it.next()) {
                    let code = u16::from(lead) << 8 | u16::from(trail);
                    dec[code as usize] = c;
                    enc.entry(c).or_insert(code);
                }
            }
        }
        Gbk { dec, enc }
    }

    /// The char of the pair `[lead, trail]`, if the pair is a valid code.
    #[inline]
    pub fn decode(&self, lead: u8, trail: u8) -> Option<char> {
        let c = self.dec[(usize::from(lead) << 8) | usize::from(trail)];
        (c != '\0').then_some(c)
    }

    /// The two GBK bytes of `c`, if it has a two-byte code.
    #[inline]
    pub fn encode(&self, c: char) -> Option<[u8; 2]> {
        self.enc.get(&c).map(|&v| [(v >> 8) as u8, v as u8])
    }
}

/// Fold a fullwidth ASCII form (and the ideographic space) to ASCII, as the damaged
/// pages were folded after decoding.
#[inline]
pub fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        let g = Gbk::get();
        assert_eq!(g.encode('當'), Some([0xae, 0x94]));
        assert_eq!(g.encode('數'), Some([0x94, 0xb5]));
        assert_eq!(g.decode(0x8c, 0xa3), Some('專'));
        assert_eq!(g.decode(0xa3, 0xbc), Some('＜'));
        assert_eq!(g.decode(0xf0, 0x32), None);
        assert_eq!(g.decode(0xb5, b'('), None);
        assert_eq!(fold('＜'), '<');
        assert_eq!(fold('學'), '學');
    }
}
