//! Opt-in normalisation: Unicode forms, width, CJK punctuation.
//!
//! SKELETON: the types are the contract.

use crate::report::Edits;
use crate::stage::{DocState, Stage};

/// A Unicode normalisation form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnicodeForm {
    Nfc,
    Nfkc,
}

/// Options of the normalisation stage. Everything is off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NormalizeOptions {
    pub unicode: Option<UnicodeForm>,
    /// Fold fullwidth ASCII letters and digits to ASCII.
    pub width: bool,
    /// Restore fullwidth punctuation inside Chinese text (`,`→`，`).
    pub punct_cjk: bool,
}

impl NormalizeOptions {
    pub fn is_off(&self) -> bool {
        *self == NormalizeOptions::default()
    }
}

#[derive(Debug, Default)]
pub struct Normalizer {
    pub options: NormalizeOptions,
}

impl Stage for Normalizer {
    fn name(&self) -> &'static str {
        "normalize"
    }

    fn apply(&self, _text: &str, _doc: &mut DocState, _out: &mut Edits) {}
}
