//! Unify inconsistent spellings of one person's name within a document.
//!
//! SKELETON: the types are the contract; the detector is the names issue's work.

use crate::report::Edits;
use crate::stage::{DocState as Doc, Stage};

/// `--names auto|report|off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NamesMode {
    /// Unify clear cases, report the rest.
    #[default]
    Auto,
    /// Report only, change nothing.
    Report,
    Off,
}

impl std::str::FromStr for NamesMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(NamesMode::Auto),
            "report" => Ok(NamesMode::Report),
            "off" => Ok(NamesMode::Off),
            _ => Err(format!("expected auto, report or off, not `{s}`")),
        }
    }
}

/// Options of the names stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamesOptions {
    pub mode: NamesMode,
    /// Canonical names that always win.
    pub canonical: Vec<String>,
    /// Explicit `variant -> canonical` pairs.
    pub variants: Vec<(String, String)>,
}

/// Per-document state: the counts gathered by `observe`.
#[derive(Debug, Default)]
pub struct DocState {}

#[derive(Debug, Default)]
pub struct Unifier {
    pub options: NamesOptions,
}

impl Stage for Unifier {
    fn name(&self) -> &'static str {
        "names"
    }

    fn apply(&self, _text: &str, _doc: &mut Doc, _out: &mut Edits) {}

    fn observe(&self, _text: &str, _doc: &mut Doc) {}

    fn needs_whole_document(&self) -> bool {
        true
    }
}
