//! TODO(issue): the mojibake repair stage. Placeholder that changes nothing.

use crate::report::Edits;
use crate::stage::{DocState as Doc, Stage};

/// Per-document state of this stage.
#[derive(Debug, Default)]
pub struct DocState {}

#[derive(Debug, Default)]
pub struct Repairer {
    pub options: super::RepairOptions,
}

impl Stage for Repairer {
    fn name(&self) -> &'static str {
        "mojibake"
    }

    fn apply(&self, _text: &str, _doc: &mut Doc, _out: &mut Edits) {}
}
