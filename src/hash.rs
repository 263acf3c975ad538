//! A small fast hasher for the tables' keys (chars, short strings, packed words):
//! SipHash, the standard one, costs more than the work it guards here.

use std::hash::Hasher;

/// FxHash: per word, one rotate, xor and multiply. `R` rotates the result left: a table
/// that picks its bucket from the low bits wants the well-mixed high bits there.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher<const R: u32 = 0> {
    pub(crate) h: u64,
}

impl<const R: u32> FxHasher<R> {
    #[inline]
    pub(crate) fn add(&mut self, w: u64) {
        self.h = (self.h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl<const R: u32> Hasher for FxHasher<R> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.h.rotate_left(R)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_hash_as_zero_padded_words() {
        let mut a = FxHasher::<0>::default();
        a.write(b"0123456789");
        let mut b = FxHasher::<0>::default();
        b.add(u64::from_le_bytes(*b"01234567"));
        b.add(u64::from_le_bytes([b'8', b'9', 0, 0, 0, 0, 0, 0]));
        assert_eq!(a.finish(), b.finish());
        let mut r = FxHasher::<26> { h: 0 };
        r.write(b"0123456789");
        assert_eq!(r.finish(), a.finish().rotate_left(26));
    }
}
