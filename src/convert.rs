//! Traditional/Simplified conversion with OpenCC semantics.
//!
//! SKELETON: the types are the contract; the engine is the conversion issue's work.

use crate::error::{Error, Result};
use crate::report::Edits;
use crate::stage::{DocState, Stage};

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
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            config: OpenccConfig::T2s,
            tofu_risk: true,
            user_dict: Vec::new(),
            engine: Engine::Builtin,
        }
    }
}

/// A built converter. Cheap to share across threads.
#[derive(Debug)]
pub struct Converter {
    options: ConvertOptions,
}

impl Converter {
    pub fn new(options: ConvertOptions) -> Result<Self> {
        Ok(Converter { options })
    }

    pub fn options(&self) -> &ConvertOptions {
        &self.options
    }

    /// Convert a whole string.
    pub fn convert(&self, text: &str) -> String {
        text.to_owned()
    }
}

impl Stage for Converter {
    fn name(&self) -> &'static str {
        "convert"
    }

    fn apply(&self, _text: &str, _doc: &mut DocState, _out: &mut Edits) {}
}
