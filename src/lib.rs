//! zhclean: make damaged Chinese text clean.
//!
//! Bytes flow one way through small stages: decode → repair (mojibake, pinyin, html) →
//! convert (OpenCC) → names → normalize → encode. Every stage records its changes, and
//! the report places each change in the input (bytes) and the output (chars).
//!
//! ```
//! use zhclean::{Cleaner, Config};
//! let cleaner = Cleaner::new(Config::default()).unwrap();
//! let out = cleaner.clean_str("clean text stays as it is");
//! assert_eq!(out.text, "clean text stays as it is");
//! assert!(out.changes.is_empty());
//! ```

pub mod batch;
pub mod convert;
pub mod decode;
pub mod encode;
pub mod error;
mod hash;
pub mod jsonl;
mod lines;
pub mod lm;
pub mod names;
pub mod normalize;
pub mod repair;
pub mod report;
mod scan;
pub mod stage;
pub mod stream;

pub use error::{Error, Result};
pub use report::{Change, ChangeKind};
use std::borrow::Cow;

use convert::{ConvertOptions, Converter};
use decode::{DecodeOptions, Decoded, Segment};
use names::NamesOptions;
use normalize::NormalizeOptions;
use repair::RepairOptions;
use report::{Edits, Tracker};
use stage::{DocState, Stage};
use std::sync::Arc;

/// Everything a `Cleaner` needs to know. `Config::default()` is the default pipeline:
/// detection, repair, HTML entities (auto), t2s, names (auto), no normalisation.
#[derive(Debug, Clone)]
pub struct Config {
    pub decode: DecodeOptions,
    pub repair: RepairOptions,
    /// `None` turns conversion off.
    pub convert: Option<ConvertOptions>,
    pub names: NamesOptions,
    pub normalize: NormalizeOptions,
}

impl Default for Config {
    /// The default pipeline, as the CLI runs it with no flags.
    fn default() -> Self {
        Config {
            decode: DecodeOptions::default(),
            repair: RepairOptions::default(),
            convert: Some(ConvertOptions::default()),
            names: NamesOptions::default(),
            normalize: NormalizeOptions::default(),
        }
    }
}

impl Config {
    /// Everything off but decoding: a baseline for running one stage alone.
    pub fn decode_only() -> Self {
        Config {
            repair: RepairOptions {
                mojibake: false,
                pinyin: repair::Toggle::Off,
                html_entities: repair::Toggle::Off,
                lossy: repair::Lossy::Mark,
            },
            convert: None,
            names: NamesOptions {
                mode: names::NamesMode::Off,
                ..NamesOptions::default()
            },
            ..Config::default()
        }
    }
}

/// The result of cleaning one document.
#[derive(Debug, Clone)]
pub struct Cleaned {
    pub text: String,
    /// How the input was decoded, segment by segment (empty for `clean_str`).
    pub segments: Vec<Segment>,
    /// True when more than one encoding was needed.
    pub mixed: bool,
    /// Every change, in input order.
    pub changes: Vec<Change>,
    /// The input had a UTF-8 BOM (kept on output so clean input stays byte-identical).
    pub utf8_bom: bool,
}

impl Cleaned {
    /// True when the output differs from the input text.
    pub fn changed(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.kind != ChangeKind::Decode && c.changed)
    }
}

struct Inner {
    config: Config,
    stages: Vec<Box<dyn Stage>>,
}

/// A configured pipeline. Build once; clone cheaply; share across threads.
#[derive(Clone)]
pub struct Cleaner {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cleaner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cleaner")
            .field("config", &self.inner.config)
            .field(
                "stages",
                &self
                    .inner
                    .stages
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Cleaner {
    /// Build the stages the configuration asks for (dictionaries load here or lazily).
    pub fn new(config: Config) -> Result<Self> {
        let mut stages: Vec<Box<dyn Stage>> = Vec::new();
        let r = config.repair;
        if r.mojibake {
            stages.push(Box::new(repair::mojibake::Repairer { options: r }));
        }
        if r.pinyin != repair::Toggle::Off {
            stages.push(Box::new(repair::pinyin::Repairer { options: r }));
        }
        if r.html_entities != repair::Toggle::Off {
            stages.push(Box::new(repair::html::Repairer { options: r }));
        }
        let names_on = config.names.mode != names::NamesMode::Off;
        if let Some(c) = &config.convert {
            // Both table sets build once per process, on first use: with more than one
            // thread, a pool thread builds the names tables while this one builds the
            // converter's (one thread builds them in turn, as before). Not waited for:
            // the first document to need them waits, or builds them itself.
            if names_on && rayon::current_num_threads() > 1 {
                rayon::spawn(names::warm_up);
            }
            stages.push(Box::new(Converter::new(c.clone())?));
        }
        if names_on {
            stages.push(Box::new(names::Unifier {
                options: config.names.clone(),
            }));
        }
        if !config.normalize.is_off() {
            stages.push(Box::new(normalize::Normalizer {
                options: config.normalize,
            }));
        }
        Ok(Cleaner {
            inner: Arc::new(Inner { config, stages }),
        })
    }

    /// A cleaner with hand-made stages, for unit tests of the drivers.
    #[cfg(test)]
    pub(crate) fn with_stages_for_tests(config: Config, stages: Vec<Box<dyn Stage>>) -> Cleaner {
        Cleaner {
            inner: Arc::new(Inner { config, stages }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Names of the active stages, in pipeline order.
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.inner.stages.iter().map(|s| s.name()).collect()
    }

    pub(crate) fn stages(&self) -> &[Box<dyn Stage>] {
        &self.inner.stages
    }

    /// The stream window this pipeline wants: [`stream::DEFAULT_CHUNK`] (8 MiB, one
    /// document for names, pinyin, HTML and mojibake evidence), or
    /// [`stream::SMALL_CHUNK`] when every active stage is window-independent.
    pub fn window_size(&self) -> usize {
        if self.stages().iter().all(|s| s.window_independent()) {
            stream::SMALL_CHUNK
        } else {
            stream::DEFAULT_CHUNK
        }
    }

    /// Decode and clean a whole document held in memory.
    pub fn clean_bytes(&self, input: &[u8]) -> Result<Cleaned> {
        let decoded = decode::decode(input, &self.inner.config.decode)?;
        Ok(self.clean_decoded(decoded, input.starts_with(b"\xEF\xBB\xBF"), true))
    }

    /// Clean text that is already decoded.
    pub fn clean_str(&self, text: &str) -> Cleaned {
        let mut doc = DocState::default();
        let (out, tracker) = self.run_stages(Cow::Borrowed(text), &mut doc, true, Tracker::new());
        let out = out.into_owned();
        let changes = tracker.finish(&out, &|p| p);
        Cleaned {
            text: out,
            segments: Vec::new(),
            mixed: false,
            changes,
            utf8_bom: false,
        }
    }

    /// With `details == false` changes are only counted: no text, no offsets.
    pub(crate) fn clean_decoded(
        &self,
        mut decoded: Decoded,
        input_has_utf8_bom: bool,
        details: bool,
    ) -> Cleaned {
        let mut doc = DocState::default();
        let tracker = Tracker::with_details(details);
        // Offsets of details map back through the decoded text, so it must stay; a
        // counting run hands it over and the first stage that changes it frees it.
        let input_text = if details {
            Cow::Borrowed(decoded.text.as_str())
        } else {
            Cow::Owned(std::mem::take(&mut decoded.text))
        };
        let (out, mut tracker) = self.run_stages(input_text, &mut doc, true, tracker);
        let utf8_bom = input_has_utf8_bom
            && decoded.segments.first().map(|s| s.encoding.name()) == Some("UTF-8");
        note_decode(&decoded, &mut tracker);
        let changes = if tracker.change_count() == 0 {
            Vec::new()
        } else {
            tracker.finish(&out, &|p| decoded.input_offset(p))
        };
        // Unchanged text is moved, not copied: clean input costs one validation pass.
        let text = match out {
            Cow::Owned(t) => t,
            Cow::Borrowed(_) => std::mem::take(&mut decoded.text),
        };
        Cleaned {
            text,
            segments: decoded.segments,
            mixed: decoded.mixed,
            changes,
            utf8_bom,
        }
    }

    /// Run every stage over `text`. With `whole == true` the text is the whole document,
    /// so document-level stages observe it first.
    pub(crate) fn run_stages<'a>(
        &self,
        text: Cow<'a, str>,
        doc: &mut DocState,
        whole: bool,
        mut tracker: Tracker,
    ) -> (Cow<'a, str>, Tracker) {
        let mut cur = text;
        for st in self.stages() {
            if whole && st.needs_whole_document() {
                match &mut cur {
                    Cow::Owned(t) => st.observe_owned(t, doc),
                    Cow::Borrowed(t) => st.observe(t, doc),
                }
            }
            let mut edits = Edits::new();
            st.apply(&cur, doc, &mut edits);
            if !edits.is_empty() {
                // Each stage's input is dropped once its output exists.
                cur = Cow::Owned(match cur {
                    Cow::Owned(t) => tracker.apply_owned(st.name(), t, edits),
                    Cow::Borrowed(t) => tracker.apply(st.name(), t, edits),
                });
            }
        }
        (cur, tracker)
    }
}

/// Report the decoder's choices: one record per non-UTF-8 segment, and every malformed span.
fn note_decode(decoded: &Decoded, tracker: &mut Tracker) {
    let plain_utf8 = decoded.segments.len() == 1
        && decoded.segments[0].encoding.name() == "UTF-8"
        && decoded.malformed.is_empty();
    if plain_utf8 {
        return;
    }
    for seg in &decoded.segments {
        if seg.encoding.name() == "UTF-8" && !decoded.mixed {
            continue;
        }
        let note = report::Edit {
            range: seg.text.clone(),
            replacement: String::new(),
            confidence: seg.confidence,
            kind: ChangeKind::Decode,
            reason: format!("decoded as {}", seg.encoding.name()).into(),
        };
        tracker.note_decoded("decode", String::new(), note);
    }
    for m in &decoded.malformed {
        let note = report::Edit {
            range: m.clone(),
            replacement: "\u{FFFD}".into(),
            confidence: 1.0,
            kind: ChangeKind::Unrecoverable,
            reason: "undecodable bytes".into(),
        };
        tracker.note_decoded("decode", String::new(), note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaner_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Cleaner>();
    }

    #[test]
    fn clean_utf8_is_identity() {
        let c = Cleaner::new(Config::default()).unwrap();
        let s = "简体中文，English, 123.\r\n第二行";
        let out = c.clean_bytes(s.as_bytes()).unwrap();
        assert_eq!(out.text, s);
        assert!(out.changes.is_empty());
    }
}
