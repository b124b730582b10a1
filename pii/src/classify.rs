//! One pass over a text that marks where detectors can start: bitmaps of ASCII digits, ASCII
//! capitals and non-ASCII bytes, and which trigger bytes (`@`, `:`, `.`, `<`, `=`) occur at
//! all. Detectors then jump from candidate to candidate instead of each walking every byte;
//! on mostly lower-case prose the candidates are a few percent of the bytes.
//!
//! On x86-64 the pass uses SSE2 (part of the baseline instruction set, so always present):
//! 16 bytes per step.

/// Bitmap selectors for [`Classes::next`]; combine with `|`.
pub(crate) const DIGIT: u8 = 1;
pub(crate) const UPPER: u8 = 2;
pub(crate) const HIGH: u8 = 4;

/// Trigger bytes seen anywhere in the text ([`Classes::has`]).
pub(crate) const HAS_AT: u8 = 1;
pub(crate) const HAS_COLON: u8 = 2;
pub(crate) const HAS_DOT: u8 = 4;
pub(crate) const HAS_LT: u8 = 8;
pub(crate) const HAS_EQ: u8 = 16;

const TRIGGERS: [(u8, u8); 5] = [
    (b'@', HAS_AT),
    (b':', HAS_COLON),
    (b'.', HAS_DOT),
    (b'<', HAS_LT),
    (b'=', HAS_EQ),
];

pub(crate) struct Classes {
    /// Three bitmaps interleaved per 64-byte block: `[digit, upper, high]` for block 0, then
    /// block 1, ... Bits past the end of the text are zero.
    bits: Vec<u64>,
    /// Union of each bitmap, [`DIGIT`] | [`UPPER`] | [`HIGH`].
    any: u8,
    has: u8,
}

impl Classes {
    pub(crate) fn of(b: &[u8]) -> Classes {
        let blocks = b.len().div_ceil(64);
        let mut bits = vec![0u64; blocks * 3];
        let mut has = 0u8;
        let mut chunks = b.chunks_exact(64);
        let mut k = 0;
        for chunk in &mut chunks {
            let (d, u, h, t) = block64(chunk.try_into().expect("64 bytes"));
            bits[k] = d;
            bits[k + 1] = u;
            bits[k + 2] = h;
            has |= t;
            k += 3;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Zero padding matches no class and no trigger.
            let mut last = [0u8; 64];
            last[..rest.len()].copy_from_slice(rest);
            let (d, u, h, t) = block64(&last);
            bits[k] = d;
            bits[k + 1] = u;
            bits[k + 2] = h;
            has |= t;
        }
        let mut acc = [0u64; 3];
        for w in bits.chunks_exact(3) {
            acc[0] |= w[0];
            acc[1] |= w[1];
            acc[2] |= w[2];
        }
        let mut any = 0;
        for (bits, class) in acc.iter().zip([DIGIT, UPPER, HIGH]) {
            if *bits != 0 {
                any |= class;
            }
        }
        Classes { bits, any, has }
    }

    /// Whether any byte of the selected classes occurs.
    #[inline]
    pub(crate) fn any(&self, which: u8) -> bool {
        self.any & which != 0
    }

    /// Whether one of the trigger bytes `flags` occurs.
    #[inline]
    pub(crate) fn has(&self, flags: u8) -> bool {
        self.has & flags != 0
    }

    /// The first position `>= from` of a byte in one of the selected classes.
    #[inline]
    pub(crate) fn next(&self, which: u8, from: usize) -> Option<usize> {
        let mut blk = from / 64;
        let blocks = self.bits.len() / 3;
        if blk >= blocks {
            return None;
        }
        let mut m = self.word(which, blk) & (!0u64 << (from % 64));
        loop {
            if m != 0 {
                return Some(blk * 64 + m.trailing_zeros() as usize);
            }
            blk += 1;
            if blk >= blocks {
                return None;
            }
            m = self.word(which, blk);
        }
    }

    #[inline]
    fn word(&self, which: u8, blk: usize) -> u64 {
        let w = &self.bits[blk * 3..blk * 3 + 3];
        let sel = |bit: u8, v: u64| if which & bit != 0 { v } else { 0 };
        sel(DIGIT, w[0]) | sel(UPPER, w[1]) | sel(HIGH, w[2])
    }
}

/// Bitmaps of up to 64 bytes, one byte at a time (targets without SSE2).
#[cfg(not(target_arch = "x86_64"))]
fn scalar(b: &[u8]) -> (u64, u64, u64, u8) {
    let (mut d, mut u, mut h, mut t) = (0u64, 0u64, 0u64, 0u8);
    for (j, &c) in b.iter().enumerate() {
        d |= u64::from(c.is_ascii_digit()) << j;
        u |= u64::from(c.is_ascii_uppercase()) << j;
        h |= u64::from(c >= 0x80) << j;
        for (x, f) in TRIGGERS {
            if c == x {
                t |= f;
            }
        }
    }
    (d, u, h, t)
}

#[cfg(not(target_arch = "x86_64"))]
fn block64(b: &[u8; 64]) -> (u64, u64, u64, u8) {
    scalar(b)
}

#[cfg(target_arch = "x86_64")]
fn block64(b: &[u8; 64]) -> (u64, u64, u64, u8) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86-64 baseline; the loads read 16 bytes inside `b`.
    unsafe {
        // `lo <= x <= hi` as one signed compare: shift the range to start at -128.
        let in_range = |x: __m128i, lo: u8, hi: u8| {
            let shifted = _mm_add_epi8(x, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
            let limit = _mm_set1_epi8((-128i16 + i16::from(hi - lo) + 1) as i8);
            _mm_movemask_epi8(_mm_cmplt_epi8(shifted, limit)) as u16 as u64
        };
        let (mut d, mut u, mut h) = (0u64, 0u64, 0u64);
        let mut trig = [_mm_setzero_si128(); 5];
        for q in 0..4 {
            let x = _mm_loadu_si128(b.as_ptr().add(q * 16) as *const __m128i);
            d |= in_range(x, b'0', b'9') << (q * 16);
            u |= in_range(x, b'A', b'Z') << (q * 16);
            h |= (_mm_movemask_epi8(x) as u16 as u64) << (q * 16);
            for (acc, (c, _)) in trig.iter_mut().zip(TRIGGERS) {
                *acc = _mm_or_si128(*acc, _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8)));
            }
        }
        let mut t = 0u8;
        for (acc, (_, f)) in trig.iter().zip(TRIGGERS) {
            if _mm_movemask_epi8(*acc) != 0 {
                t |= f;
            }
        }
        (d, u, h, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(c: &Classes, which: u8) -> Vec<usize> {
        let mut v = Vec::new();
        let mut i = 0;
        while let Some(p) = c.next(which, i) {
            v.push(p);
            i = p + 1;
        }
        v
    }

    #[test]
    fn matches_byte_tests() {
        let mut t = String::new();
        for k in 0..300u32 {
            t.push(char::from_u32(0x20 + (k * 37) % 0x60).unwrap());
            if k % 41 == 0 {
                t.push_str("é@:=");
            }
        }
        for len in [0, 1, 63, 64, 65, 130, t.len()] {
            let b = &t.as_bytes()[..len];
            let c = Classes::of(b);
            let want = |f: fn(&u8) -> bool| {
                b.iter()
                    .enumerate()
                    .filter(|(_, x)| f(x))
                    .map(|(i, _)| i)
                    .collect::<Vec<_>>()
            };
            assert_eq!(positions(&c, DIGIT), want(u8::is_ascii_digit));
            assert_eq!(positions(&c, UPPER), want(u8::is_ascii_uppercase));
            assert_eq!(positions(&c, HIGH), want(|x| *x >= 0x80));
            assert_eq!(
                positions(&c, DIGIT | UPPER),
                want(|x| x.is_ascii_digit() || x.is_ascii_uppercase())
            );
            assert_eq!(c.any(DIGIT), b.iter().any(u8::is_ascii_digit));
            for (x, f) in TRIGGERS {
                assert_eq!(c.has(f), b.contains(&x), "{}", x as char);
            }
        }
    }
}
