//! The one small interface every text stage implements.

use crate::report::Edits;

/// Per-document state shared by the stages of one document (or one stream).
///
/// Each stage owns one field. It lives as long as the document, so a stage can carry
/// evidence across the chunks of a stream (e.g. "this document has the pinyin signature").
#[derive(Debug, Default)]
pub struct DocState {
    pub mojibake: crate::repair::mojibake::DocState,
    pub pinyin: crate::repair::pinyin::DocState,
    pub html: crate::repair::html::DocState,
    pub names: crate::names::DocState,
}

/// Run one stage over a whole document (observe if it asks to, apply, apply the edits):
/// the text it makes and its edits. For the stages' unit tests.
#[cfg(test)]
pub(crate) fn run_stage(st: &dyn Stage, text: &str) -> (String, Vec<crate::report::Edit>) {
    let mut doc = DocState::default();
    if st.needs_whole_document() {
        st.observe(text, &mut doc);
    }
    let mut ed = Edits::new();
    st.apply(text, &mut doc, &mut ed);
    let (out, _, list) = ed.apply(text);
    (out, list)
}

/// A text-to-text pipeline stage.
///
/// `apply` records replacements on `text` in `out`; it never panics and never changes
/// `text` itself. The pipeline applies the edits and keeps the offset maps.
pub trait Stage: Send + Sync {
    /// Short stable name, used in reports (`pinyin`, `convert` ...).
    fn name(&self) -> &'static str;

    /// Record the edits this stage makes on `text`.
    fn apply(&self, text: &str, doc: &mut DocState, out: &mut Edits);

    /// Document-level stages (names) see every chunk of the document before the first
    /// `apply`. The default does nothing.
    fn observe(&self, _text: &str, _doc: &mut DocState) {}

    /// `observe` on a text the caller owns: the stage may use it as scratch space, but
    /// leaves it exactly as it was. The default calls `observe`.
    fn observe_owned(&self, text: &mut String, doc: &mut DocState) {
        self.observe(text, doc);
    }

    /// True when the stage needs `observe` over the whole document before `apply`.
    fn needs_whole_document(&self) -> bool {
        false
    }

    /// True when the stage gathers no document-level evidence, so cleaning a text in
    /// line-aligned windows of any size gives the same result. When every active stage
    /// says so, the stream uses small windows, which stay in the CPU cache.
    fn window_independent(&self) -> bool {
        false
    }
}
