//! Find the chars of a set in UTF-8 text, 64 bytes at a time (AVX-512).
//!
//! Three stages look at every char of a document for a few: mojibake for flagged chars,
//! conversion for chars that begin a dictionary key, names for surname chars. Each does
//! one bitset lookup per char, which costs a scalar loop 3 cycles per byte or more.
//! Here the 3-byte chars (most of Chinese text) of a 64-byte block are found with one
//! compare, packed with `vpcompressb`, and looked up 16 at a time with one gather:
//! about 4× faster on the bench files. Two smaller kernels find byte patterns with plain
//! compares: the names stage's sentence ends and quotes, and the converter's kana. Two
//! more do a stage's work on 16 chars at once: `map3` maps three-byte chars through a
//! table (the converter's loop over Traditional text, where a third of the chars
//! change), `starts16` reads the chars after 16 surnames (the names stage's count). CPUs
//! without AVX-512 (VBMI2) keep the callers' scalar loops, which also do the last bytes
//! of a text; `ZHCLEAN_NO_SIMD=1` forces those.

/// The bytes a block covers; a block also reads the 2 bytes after them (the rest of a
/// char that starts near its end).
pub(crate) const BLOCK: usize = 64;

/// The lead bytes of the 3-byte chars a block looks up: `lo ..= lo + span - 1`, within
/// `0xE0..=0xEF`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Leads {
    pub lo: u8,
    pub span: u8,
}

/// The bits of a block's first `n` bytes (all 64 when `n >= 64`).
#[inline]
pub(crate) fn first_bytes(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1 << n) - 1
    }
}

/// Length of the UTF-8 sequence that begins with byte `b0` (a lead byte).
#[inline]
pub(crate) fn utf8_len(b0: u8) -> usize {
    match b0 {
        0..=0x7F => 1,
        0x80..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Every 3-byte char: U+0800..U+FFFF.
pub(crate) const ALL3: Leads = Leads { lo: 0xE0, span: 16 };

/// What a block found. Bit `j` stands for byte `i + j` of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// A char of the set starts there (3-byte chars with one of the `Leads` only).
    pub hits: u64,
    /// The byte is the lead of a char that is not 3 bytes long (`0xC0..=0xDF`,
    /// `0xF0..=0xFF`): the caller looks at those itself.
    pub other: u64,
}

/// Proof that the CPU has what the block kernel needs (AVX-512 F/BW/VBMI2, BMI2).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Simd(());

impl Simd {
    /// `Some` on CPUs with the features (checked once per process).
    #[inline]
    pub(crate) fn get() -> Option<Simd> {
        #[cfg(target_arch = "x86_64")]
        {
            use std::sync::atomic::{AtomicU8, Ordering};
            // 0: not checked yet, 1: no, 2: yes.
            static HAVE: AtomicU8 = AtomicU8::new(0);
            let have = match HAVE.load(Ordering::Relaxed) {
                0 => {
                    let yes = std::env::var_os("ZHCLEAN_NO_SIMD").is_none()
                        && is_x86_feature_detected!("avx512f")
                        && is_x86_feature_detected!("avx512bw")
                        && is_x86_feature_detected!("avx512vbmi2")
                        && is_x86_feature_detected!("bmi2");
                    HAVE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
                    yes
                }
                h => h == 2,
            };
            if have {
                return Some(Simd(()));
            }
        }
        None
    }

    /// The block of `b` at byte `i`; `None` when fewer than `BLOCK + 2` bytes are left.
    /// `i` need not be a char boundary: a continuation byte is never a lead.
    #[inline]
    pub(crate) fn block(
        self,
        b: &[u8],
        i: usize,
        bits: &[u64; 1024],
        leads: Leads,
    ) -> Option<Found> {
        let window = b.get(i..i.checked_add(BLOCK + 2)?)?;
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: `Simd` exists only when the CPU has the kernel's features, and
            // `window` holds the BLOCK + 2 bytes it reads.
            Some(unsafe { avx512::block(window.as_ptr(), bits, leads) })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (window, bits, leads);
            None
        }
    }

    /// The first char of a set at or after byte `i` of `b` (a char boundary): a 3-byte
    /// char of `bits`, or a char of another length that `scalar` accepts. `scalar(i,
    /// end)` is the caller's char-by-char search over the chars from `i` that start
    /// before `end`: the match, or the char boundary where it stopped.
    #[inline]
    pub(crate) fn first(
        self,
        b: &[u8],
        i: usize,
        bits: &[u64; 1024],
        scalar: impl Fn(usize, usize) -> Result<usize, usize>,
    ) -> Option<usize> {
        // A few chars one by one first: where the set is dense (Traditional text, a
        // damaged line) the next one is near, and a block would cost more than it saves.
        let mut i = match scalar(i, (i + 12).min(b.len())) {
            Ok(p) => return Some(p),
            Err(next) => next,
        };
        while let Some(f) = self.block(b, i, bits, ALL3) {
            let m = f.hits | f.other;
            if m == 0 {
                i += BLOCK;
                continue;
            }
            let j = i + m.trailing_zeros() as usize;
            if f.hits >> (j - i) & 1 == 1 {
                return Some(j);
            }
            // A 2- or 4-byte char first: the rest of this block and the next three char
            // by char, where more are likely (text full of them, such as Latin-1
            // garble, costs about what it does without blocks).
            match scalar(j, i + 4 * BLOCK) {
                Ok(p) => return Some(p),
                Err(next) => i = next,
            }
        }
        // A block may have ended inside a char, whose lead it has seen.
        while b.get(i).is_some_and(|&x| x & 0xC0 == 0x80) {
            i += 1;
        }
        scalar(i, b.len()).ok()
    }

    /// Call `f` with the byte offset of every char of `bits` (3-byte, with one of the
    /// `leads`) in the blocks from byte `from`, in order; returns where the blocks
    /// ended (the rest, under `BLOCK + 2` bytes, is the caller's).
    #[inline]
    pub(crate) fn for_each_hit(
        self,
        b: &[u8],
        from: usize,
        bits: &[u64; 1024],
        leads: Leads,
        mut f: impl FnMut(usize),
    ) -> usize {
        // The masks of a few blocks first, then their hits: the blocks' lookups overlap,
        // instead of each one waiting until the last block's hits are handled.
        const GROUP: usize = 8;
        let mut i = from;
        let mut each = |i: usize, mut m: u64| {
            while m != 0 {
                f(i + m.trailing_zeros() as usize);
                m &= m - 1;
            }
        };
        while i.saturating_add(GROUP * BLOCK + 2) <= b.len() {
            let mut hits = [0u64; GROUP];
            for (k, h) in hits.iter_mut().enumerate() {
                *h = self
                    .block(b, i + k * BLOCK, bits, leads)
                    .map_or(0, |x| x.hits);
            }
            for (k, &h) in hits.iter().enumerate() {
                each(i + k * BLOCK, h);
            }
            i += GROUP * BLOCK;
        }
        while let Some(x) = self.block(b, i, bits, leads) {
            each(i, x.hits);
            i += BLOCK;
        }
        i
    }
}

/// The marks a block holds for the names stage's sentences and quotes (bit `j`: a mark
/// starts at byte `i + j`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Marks {
    /// `!` and `。！？；`.
    pub ends: u64,
    /// `“《「『`.
    pub opens: u64,
    /// `”》」』`.
    pub closes: u64,
}

impl Simd {
    /// The marks of the block of `b` at byte `i`; `None` when fewer than `BLOCK + 2`
    /// bytes are left. A mark is found by its lead byte, which is never a continuation
    /// byte, so `i` need not be a char boundary.
    #[inline]
    pub(crate) fn marks(self, b: &[u8], i: usize) -> Option<Marks> {
        #[cfg(target_arch = "x86_64")]
        return self.on_block(b, i, avx512::marks);
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (b, i);
            None
        }
    }

    /// Bit `j`: a kana (U+3040..U+30FF, UTF-8 `E3 81..83 80..BF`) starts at byte
    /// `i + j` of `b`; `None` when fewer than `BLOCK + 2` bytes are left.
    #[inline]
    pub(crate) fn kana(self, b: &[u8], i: usize) -> Option<u64> {
        #[cfg(target_arch = "x86_64")]
        return self.on_block(b, i, avx512::kana);
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (b, i);
            None
        }
    }

    /// `kernel` (one that needs AVX-512 F/BW) on the block of `b` at byte `i`; `None`
    /// when fewer than `BLOCK + 2` bytes are left.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn on_block<T>(self, b: &[u8], i: usize, kernel: unsafe fn(*const u8) -> T) -> Option<T> {
        let window = b.get(i..i.checked_add(BLOCK + 2)?)?;
        // SAFETY: `Simd` exists only when the CPU has AVX-512 F/BW (and more), and
        // `window` holds the BLOCK + 2 bytes a kernel reads.
        Some(unsafe { kernel(window.as_ptr()) })
    }
}

/// What `Simd::map3` found in up to 16 three-byte chars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mapped {
    /// How many chars in a row are 3-byte ones (0..=16): the others are not mapped.
    pub n: usize,
    /// Bit `k < n`: char `k` has a replacement (the low 24 bits of its entry are not 0).
    pub changed: u16,
    /// Bit `k < n`: the top byte of char `k`'s entry is not 0 (the caller looks closer).
    pub tagged: u16,
}

/// The lead bytes of 16 three-byte chars in a row: bits 0, 3, .., 45.
const LEADS16: u64 = 0x2492_4924_9249;

impl Simd {
    /// Map the chars at byte `i` of `b` (a char boundary) through `table`, by code
    /// point: bits 0..24 hold the 3 UTF-8 bytes of a replacement (0: the char stays),
    /// bits 24..32 a tag. Up to 16 chars, as long as they are 3-byte ones: writes the
    /// `3 * n` bytes of the result to `out[o..]`, and garbage to the bytes after, up to
    /// `o + 64`. `None` when `b` has fewer than 64 bytes from `i` or `out` fewer than
    /// 64 from `o`.
    #[inline]
    pub(crate) fn map3(
        self,
        b: &[u8],
        i: usize,
        table: &[u32; 0x10000],
        out: &mut [u8],
        o: usize,
    ) -> Option<Mapped> {
        let window = b.get(i..i.checked_add(BLOCK)?)?;
        let dst = out.get_mut(o..o.checked_add(BLOCK)?)?;
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: `Simd` exists only when the CPU has the kernel's features;
            // `window` and `dst` hold the 64 bytes it reads and writes; `window` is
            // valid UTF-8 from a char boundary (part of a `str`), so a 3-byte lead is
            // followed by its two continuation bytes.
            Some(unsafe { avx512::map3(window.as_ptr(), table, dst.as_mut_ptr()) })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (window, table, dst);
            None
        }
    }
}

/// What `Simd::starts16` found at 16 chars where a name may start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Starts16 {
    /// Code points: the char at each start, the next two (each only where the ones
    /// before it are 3-byte chars; otherwise garbage).
    pub c0: [u32; 16],
    pub c1: [u32; 16],
    pub c2: [u32; 16],
    /// Bit `k`: start `k` begins a 2-char spelling (a surname, then a CJK ideograph:
    /// U+3400..U+4DBF, U+4E00..U+9FFF, U+F900..U+FAFF) and a 3-char one.
    pub two: u16,
    pub three: u16,
    /// Bit `k`: start `k` is the caller's (the next char is not a 3-byte one, or the
    /// start is one of `other`); `two` and `three` are 0 there.
    pub other: u16,
    /// Bit `k`: start `k` begins no surname: a char of `other` only, not followed by a
    /// char of `second` (not in `other` then).
    pub none: u16,
}

/// The sets `Simd::starts16` looks chars up in, bitsets over the BMP.
pub(crate) struct StartSets {
    /// Single surnames.
    pub surname: [u64; 1024],
    /// Chars the caller looks at itself (first chars of compound surnames).
    pub other: [u64; 1024],
    /// The second chars of compound surnames.
    pub second: [u64; 1024],
}

impl Simd {
    /// For the 16 3-byte chars at byte offsets `at` of `b` (each at most
    /// `i32::MAX - 12`, with 12 bytes from it inside `b`): their chars and the next two,
    /// and which ones begin a name spelling, by `sets` (see `Starts16`). `None` when an
    /// offset is out of those bounds.
    #[inline]
    pub(crate) fn starts16(self, b: &[u8], at: &[usize; 16], sets: &StartSets) -> Option<Starts16> {
        let mut offs = [0i32; 16];
        for (o, &a) in offs.iter_mut().zip(at) {
            if a.checked_add(12)? > b.len() {
                return None;
            }
            *o = i32::try_from(a).ok().filter(|&x| x <= i32::MAX - 12)?;
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: `Simd` exists only when the CPU has the kernel's features; every
            // offset has 12 readable bytes of `b` from it.
            Some(unsafe { avx512::starts16(b.as_ptr(), &offs, sets) })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (offs, sets);
            None
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{Found, Leads};
    use std::arch::x86_64::*;

    /// Look up 16 chars, given as their three bytes in the low 16 lanes of `a0 a1 a2`;
    /// `valid` says which lanes hold a char. Bit `k` of the result: char `k` is in `bits`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw")]
    unsafe fn lookup16(
        a0: __m128i,
        a1: __m128i,
        a2: __m128i,
        valid: u16,
        bits: &[u64; 1024],
    ) -> u16 {
        let x0 = _mm512_cvtepu8_epi32(a0);
        let x1 = _mm512_cvtepu8_epi32(a1);
        let x2 = _mm512_cvtepu8_epi32(a2);
        let u = _mm512_or_si512(
            _mm512_or_si512(
                _mm512_slli_epi32::<12>(_mm512_and_si512(x0, _mm512_set1_epi32(0x0F))),
                _mm512_slli_epi32::<6>(_mm512_and_si512(x1, _mm512_set1_epi32(0x3F))),
            ),
            _mm512_and_si512(x2, _mm512_set1_epi32(0x3F)),
        );
        // The bitset as 2,048 little-endian u32 words: code point u is bit u & 31 of
        // word u >> 5 (< 2,048 since u < 0x10000).
        let words = _mm512_srli_epi32::<5>(u);
        // SAFETY: every gathered index is below 2,048 u32 words (8 KiB, the bitset);
        // lanes outside `valid` are not read.
        let g = unsafe {
            _mm512_mask_i32gather_epi32::<4>(
                _mm512_setzero_si512(),
                valid,
                words,
                bits.as_ptr() as *const i32,
            )
        };
        let shifted = _mm512_srlv_epi32(g, _mm512_and_si512(u, _mm512_set1_epi32(31)));
        _mm512_mask_test_epi32_mask(valid, shifted, _mm512_set1_epi32(1))
    }

    /// # Safety
    /// The CPU has AVX-512 F/BW; `p` points to `BLOCK + 2` readable bytes.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn kana(p: *const u8) -> u64 {
        // SAFETY (loads): the caller guarantees 66 readable bytes from `p`.
        let v0 = unsafe { _mm512_loadu_si512(p as *const _) };
        let v1 = unsafe { _mm512_loadu_si512(p.add(1) as *const _) };
        let v2 = unsafe { _mm512_loadu_si512(p.add(2) as *const _) };
        let within = |v: __m512i, lo: u8, n: u8| {
            _mm512_cmplt_epu8_mask(
                _mm512_sub_epi8(v, _mm512_set1_epi8(lo as i8)),
                _mm512_set1_epi8(n as i8),
            )
        };
        _mm512_cmpeq_epi8_mask(v0, _mm512_set1_epi8(0xE3u8 as i8))
            & within(v1, 0x81, 3)
            & within(v2, 0x80, 0x40)
    }

    /// # Safety
    /// The CPU has AVX-512 F/BW; `p` points to `BLOCK + 2` readable bytes.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn marks(p: *const u8) -> super::Marks {
        // SAFETY (loads): the caller guarantees 66 readable bytes from `p`.
        let v0 = unsafe { _mm512_loadu_si512(p as *const _) };
        let v1 = unsafe { _mm512_loadu_si512(p.add(1) as *const _) };
        let v2 = unsafe { _mm512_loadu_si512(p.add(2) as *const _) };
        let eq = |v: __m512i, x: u8| _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(x as i8));
        // “ ” are E2 80 9C/9D; 《》「」『』。 are E3 80 8A..8F, 82; ！？； are EF BC 81/9F/9B.
        let e2 = eq(v0, 0xE2) & eq(v1, 0x80);
        let e3 = eq(v0, 0xE3) & eq(v1, 0x80);
        let ef = eq(v0, 0xEF) & eq(v1, 0xBC);
        super::Marks {
            ends: eq(v0, b'!')
                | e3 & eq(v2, 0x82)
                | ef & (eq(v2, 0x81) | eq(v2, 0x9F) | eq(v2, 0x9B)),
            opens: e2 & eq(v2, 0x9C) | e3 & (eq(v2, 0x8A) | eq(v2, 0x8C) | eq(v2, 0x8E)),
            closes: e2 & eq(v2, 0x9D) | e3 & (eq(v2, 0x8B) | eq(v2, 0x8D) | eq(v2, 0x8F)),
        }
    }

    /// # Safety
    /// The CPU has AVX-512 F/BW/VBMI2 and BMI2; `p` points to `BLOCK + 2` readable bytes.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi2,bmi2")]
    pub(super) unsafe fn block(p: *const u8, bits: &[u64; 1024], leads: Leads) -> Found {
        // SAFETY (loads): the caller guarantees 66 readable bytes from `p`.
        let v0 = unsafe { _mm512_loadu_si512(p as *const _) };
        let lead = _mm512_cmplt_epu8_mask(
            _mm512_sub_epi8(v0, _mm512_set1_epi8(leads.lo as i8)),
            _mm512_set1_epi8(leads.span as i8),
        );
        // Leads of 2- and 4-byte chars: 0xC0..=0xDF and 0xF0..=0xFF.
        let high = _mm512_cmpge_epu8_mask(v0, _mm512_set1_epi8(0xC0u8 as i8));
        let three = _mm512_cmplt_epu8_mask(
            _mm512_sub_epi8(v0, _mm512_set1_epi8(0xE0u8 as i8)),
            _mm512_set1_epi8(16),
        );
        let other = high & !three;
        if lead == 0 {
            return Found { hits: 0, other };
        }
        let v1 = unsafe { _mm512_loadu_si512(p.add(1) as *const _) };
        let v2 = unsafe { _mm512_loadu_si512(p.add(2) as *const _) };
        // The leads' three bytes, packed to the front: at most 22 (leads are 3 apart).
        let c0 = _mm512_maskz_compress_epi8(lead, v0);
        let c1 = _mm512_maskz_compress_epi8(lead, v1);
        let c2 = _mm512_maskz_compress_epi8(lead, v2);
        let n = lead.count_ones();
        let low = if n >= 16 { u16::MAX } else { (1u16 << n) - 1 };
        let mut h = u64::from(unsafe {
            lookup16(
                _mm512_castsi512_si128(c0),
                _mm512_castsi512_si128(c1),
                _mm512_castsi512_si128(c2),
                low,
                bits,
            )
        });
        if n > 16 {
            let high = (1u16 << (n - 16)) - 1;
            h |= u64::from(unsafe {
                lookup16(
                    _mm512_extracti32x4_epi32::<1>(c0),
                    _mm512_extracti32x4_epi32::<1>(c1),
                    _mm512_extracti32x4_epi32::<1>(c2),
                    high,
                    bits,
                )
            }) << 16;
        }
        // Back from the k-th lead to its byte position.
        Found {
            hits: _pdep_u64(h, lead),
            other,
        }
    }

    /// # Safety
    /// The CPU has AVX-512 F/BW/VBMI2; `p` and `out` point to 64 readable (writable)
    /// bytes; a 3-byte lead among the first 48 bytes of `p` is followed by its two
    /// continuation bytes.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi2")]
    pub(super) unsafe fn map3(p: *const u8, table: &[u32; 0x10000], out: *mut u8) -> super::Mapped {
        // SAFETY (load): the caller guarantees 64 readable bytes from `p`.
        let v = unsafe { _mm512_loadu_si512(p as *const _) };
        let lead = _mm512_cmpeq_epi8_mask(
            _mm512_and_si512(v, _mm512_set1_epi8(0xF0u8 as i8)),
            _mm512_set1_epi8(0xE0u8 as i8),
        );
        // The chars up to the first that is not a 3-byte one (valid UTF-8: each 3-byte
        // lead is followed by its continuation bytes, then the next char).
        let n = ((super::LEADS16 & !lead) | 1 << 48).trailing_zeros() as usize / 3;
        if n == 0 {
            return super::Mapped {
                n,
                changed: 0,
                tagged: 0,
            };
        }
        let valid = ((1u32 << n) - 1) as u16;
        // Each char's three bytes in the low bytes of a 32-bit lane.
        const LOW3: u64 = 0x7777_7777_7777_7777;
        let x = _mm512_maskz_expand_epi8(LOW3, v);
        let six = _mm512_set1_epi32(0x3F);
        let u = _mm512_or_si512(
            _mm512_or_si512(
                _mm512_slli_epi32::<12>(_mm512_and_si512(x, _mm512_set1_epi32(0x0F))),
                _mm512_slli_epi32::<6>(_mm512_and_si512(_mm512_srli_epi32::<8>(x), six)),
            ),
            _mm512_and_si512(_mm512_srli_epi32::<16>(x), six),
        );
        // SAFETY: every code point is below 0x10000, the table's length (lanes past
        // `n` hold garbage below it too, and are not read).
        let r = unsafe {
            _mm512_mask_i32gather_epi32::<4>(
                _mm512_setzero_si512(),
                valid,
                u,
                table.as_ptr() as *const i32,
            )
        };
        let bytes = _mm512_set1_epi32(0x00FF_FFFF);
        let changed = _mm512_mask_test_epi32_mask(valid, r, bytes);
        let tagged =
            _mm512_mask_test_epi32_mask(valid, r, _mm512_set1_epi32(0xFF00_0000u32 as i32));
        let w = _mm512_mask_blend_epi32(changed, x, _mm512_and_si512(r, bytes));
        // SAFETY (store): the caller guarantees 64 writable bytes at `out`.
        unsafe {
            _mm512_storeu_si512(out as *mut _, _mm512_maskz_compress_epi8(LOW3, w));
        }
        super::Mapped { n, changed, tagged }
    }

    /// Bit `k`: bit `u[k]` (< 0x10000) of `bits`, a bitset over the BMP.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn bits16(u: __m512i, bits: &[u64; 1024]) -> u16 {
        // SAFETY: every index is below 2,048 u32 words (8 KiB, the bitset).
        let g = unsafe {
            _mm512_i32gather_epi32::<4>(_mm512_srli_epi32::<5>(u), bits.as_ptr() as *const i32)
        };
        let shifted = _mm512_srlv_epi32(g, _mm512_and_si512(u, _mm512_set1_epi32(31)));
        _mm512_test_epi32_mask(shifted, _mm512_set1_epi32(1))
    }

    /// # Safety
    /// The CPU has AVX-512 F/BW; each offset in `offs` has 12 readable bytes from `b`.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn starts16(
        b: *const u8,
        offs: &[i32; 16],
        sets: &super::StartSets,
    ) -> super::Starts16 {
        // SAFETY (load): 16 i32.
        let at = unsafe { _mm512_loadu_si512(offs.as_ptr() as *const _) };
        let four = _mm512_set1_epi32(4);
        // SAFETY (gathers): bytes `at .. at + 12` are readable (the caller).
        let (g0, g1, g2) = unsafe {
            (
                _mm512_i32gather_epi32::<1>(at, b as *const i32),
                _mm512_i32gather_epi32::<1>(_mm512_add_epi32(at, four), b as *const i32),
                _mm512_i32gather_epi32::<1>(
                    _mm512_add_epi32(at, _mm512_add_epi32(four, four)),
                    b as *const i32,
                ),
            )
        };
        let byte = |g: __m512i, k: u32| {
            _mm512_and_si512(
                _mm512_srlv_epi32(g, _mm512_set1_epi32(8 * k as i32)),
                _mm512_set1_epi32(0xFF),
            )
        };
        let decode = |x: __m512i, y: __m512i, z: __m512i| {
            let six = _mm512_set1_epi32(0x3F);
            _mm512_or_si512(
                _mm512_or_si512(
                    _mm512_slli_epi32::<12>(_mm512_and_si512(x, _mm512_set1_epi32(0x0F))),
                    _mm512_slli_epi32::<6>(_mm512_and_si512(y, six)),
                ),
                _mm512_and_si512(z, six),
            )
        };
        let (b3, b6) = (byte(g0, 3), byte(g1, 2));
        let c0 = decode(byte(g0, 0), byte(g0, 1), byte(g0, 2));
        let c1 = decode(b3, byte(g1, 0), byte(g1, 1));
        let c2 = decode(b6, byte(g1, 3), byte(g2, 0));
        let lead = |x: __m512i| {
            _mm512_cmpeq_epi32_mask(
                _mm512_and_si512(x, _mm512_set1_epi32(0xF0)),
                _mm512_set1_epi32(0xE0),
            )
        };
        let within = |c: __m512i, lo: i32, n: i32| {
            _mm512_cmplt_epu32_mask(
                _mm512_sub_epi32(c, _mm512_set1_epi32(lo)),
                _mm512_set1_epi32(n),
            )
        };
        let han = |c: __m512i| {
            within(c, 0x3400, 0x4DC0 - 0x3400)
                | within(c, 0x4E00, 0xA000 - 0x4E00)
                | within(c, 0xF900, 0xFB00 - 0xF900)
        };
        let (lead1, lead2) = (lead(b3), lead(b6));
        // SAFETY: code points of 3-byte chars are below 0x10000 (and `c1` is one,
        // garbage or not).
        let (sur, oth, sec) = unsafe {
            (
                bits16(c0, &sets.surname),
                bits16(c0, &sets.other),
                bits16(c1, &sets.second),
            )
        };
        let none = oth & !sur & !(lead1 & sec);
        let caller = (!lead1 | oth) & !none;
        let two = sur & lead1 & han(c1) & !caller;
        let three = two & lead2 & han(c2);
        let mut out = super::Starts16 {
            two,
            three,
            other: caller,
            none,
            ..Default::default()
        };
        // SAFETY (stores): 16 u32 each.
        unsafe {
            _mm512_storeu_si512(out.c0.as_mut_ptr() as *mut _, c0);
            _mm512_storeu_si512(out.c1.as_mut_ptr() as *mut _, c1);
            _mm512_storeu_si512(out.c2.as_mut_ptr() as *mut _, c2);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pseudo-random sequence (xorshift64) from a nonzero `seed`.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// A char of `bits` with one of `leads` starts at byte `p`.
    fn hit_at(b: &[u8], p: usize, bits: &[u64; 1024], leads: Leads) -> bool {
        let x = b[p];
        x.wrapping_sub(leads.lo) < leads.span && {
            let u = (usize::from(x) & 0x0F) << 12
                | (usize::from(b[p + 1]) & 0x3F) << 6
                | (usize::from(b[p + 2]) & 0x3F);
            bits[u >> 6] >> (u & 63) & 1 == 1
        }
    }

    /// The block, char by char.
    fn plain(b: &[u8], i: usize, bits: &[u64; 1024], leads: Leads) -> Found {
        let mut f = Found { hits: 0, other: 0 };
        for j in 0..BLOCK {
            let x = b[i + j];
            if x >= 0xC0 && !(0xE0..=0xEF).contains(&x) {
                f.other |= 1 << j;
            }
            if hit_at(b, i + j, bits, leads) {
                f.hits |= 1 << j;
            }
        }
        f
    }

    #[test]
    fn blocks_agree_with_a_char_by_char_look() {
        let Some(simd) = Simd::get() else {
            eprintln!("skipped: this CPU has no AVX-512 VBMI2 (the scalar loops are tested by their callers)");
            return;
        };
        // A set with chars in every 3-byte lead row, at the ends of words and blocks.
        let mut bits = [0u64; 1024];
        let mut rnd = xorshift(0x2545_F491_4F6C_DD1D);
        for _ in 0..6000 {
            let u = (rnd() % 0x10000) as usize;
            bits[u >> 6] |= 1 << (u & 63);
        }
        for c in ['中', '\u{800}', '\u{FFFF}', '王', '鐨', 'é'] {
            let u = c as usize;
            bits[u >> 6] |= 1 << (u & 63);
        }
        let pool: Vec<char> = "中文王李鐨鍙，。a b\n1éÃ😀\u{800}\u{FFFF}\u{3000}ｱ"
            .chars()
            .collect();
        for round in 0..400 {
            let mut s = String::new();
            while s.len() < if round % 2 == 0 { 300 } else { 1200 } {
                let r = rnd();
                if round % 3 == 0 {
                    // Random chars of every length.
                    let c = match r % 4 {
                        0 => char::from_u32((r >> 8) as u32 % 0x80),
                        1 => char::from_u32(0x80 + (r >> 8) as u32 % 0x780),
                        2 => char::from_u32(0x800 + (r >> 8) as u32 % 0xF800),
                        _ => char::from_u32(0x10000 + (r >> 8) as u32 % 0x1000),
                    };
                    s.extend(c);
                } else {
                    s.push(pool[(r >> 8) as usize % pool.len()]);
                }
            }
            let b = s.as_bytes();
            // All hits, from any offset: the blocks' hits, in order.
            for from in [0, 1, 2, 7, 64] {
                let mut got = Vec::new();
                let end = simd.for_each_hit(b, from, &bits, ALL3, |p| got.push(p));
                assert!(end + BLOCK + 2 > b.len() && end >= from);
                let want: Vec<usize> = (from..end).filter(|&p| hit_at(b, p, &bits, ALL3)).collect();
                assert_eq!(got, want, "{s:?} from {from}");
            }
            for leads in [
                ALL3,
                Leads { lo: 0xE3, span: 7 },
                Leads { lo: 0xE9, span: 1 },
            ] {
                for i in 0..b.len() {
                    let got = simd.block(b, i, &bits, leads);
                    if i + BLOCK + 2 > b.len() {
                        assert_eq!(got, None);
                    } else {
                        assert_eq!(got, Some(plain(b, i, &bits, leads)), "{s:?} at {i}");
                    }
                }
            }
        }
    }

    /// `map3`, char by char: the run of 3-byte chars, their flags, their output.
    #[test]
    fn mapping_blocks_agree_with_a_char_by_char_map() {
        let Some(simd) = Simd::get() else {
            eprintln!(
                "skipped: this CPU has no AVX-512 VBMI2 (the scalar loop is tested by its caller)"
            );
            return;
        };
        let mut rnd = xorshift(0x9E37_79B9_7F4A_7C15);
        // Entries: none, a replacement, a tag, both; replacements are 3-byte chars.
        let mut table = vec![0u32; 0x10000];
        for _ in 0..20000 {
            let u = (rnd() % 0x10000) as usize;
            let to = char::from_u32(0x4E00 + (rnd() % 0x5000) as u32).unwrap_or('中');
            let mut bytes = [0u8; 4];
            to.encode_utf8(&mut bytes);
            let repl = u32::from_le_bytes(bytes) & 0x00FF_FFFF;
            let tag = (rnd() % 255) as u32 + 1;
            table[u] = match rnd() % 3 {
                0 => repl,
                1 => tag << 24,
                _ => tag << 24 | repl,
            };
        }
        let table: Box<[u32; 0x10000]> = table.into_boxed_slice().try_into().unwrap();
        let pool: Vec<char> = "中文這個國說話，。a1é😀\u{800}\u{FFFF}".chars().collect();
        for _ in 0..300 {
            let mut s = String::new();
            while s.len() < 400 {
                let r = rnd();
                // Mostly long runs of 3-byte chars.
                let c = if r.is_multiple_of(8) {
                    pool[(r >> 8) as usize % pool.len()]
                } else {
                    char::from_u32(0x4E00 + (r >> 8) as u32 % 0x5000).unwrap_or('中')
                };
                s.push(c);
            }
            let b = s.as_bytes();
            let mut out = vec![0u8; 64];
            for (i, _) in s.char_indices() {
                let Some(m) = simd.map3(b, i, &table, &mut out, 0) else {
                    assert!(i + 64 > b.len());
                    continue;
                };
                let (mut n, mut changed, mut tagged, mut want) = (0, 0u16, 0u16, Vec::new());
                for (k, c) in s[i..].chars().take(16).enumerate() {
                    if c.len_utf8() != 3 {
                        break;
                    }
                    let e = table[c as usize];
                    changed |= u16::from(e & 0x00FF_FFFF != 0) << k;
                    tagged |= u16::from(e >> 24 != 0) << k;
                    let mut bytes = [0u8; 4];
                    c.encode_utf8(&mut bytes);
                    let x = if e & 0x00FF_FFFF != 0 {
                        e.to_le_bytes()
                    } else {
                        bytes
                    };
                    want.extend_from_slice(&x[..3]);
                    n += 1;
                }
                let got = (m.n, m.changed, m.tagged, &out[..3 * m.n]);
                assert_eq!(got, (n, changed, tagged, &want[..]), "{s:?} at {i}");
            }
        }
    }
}
