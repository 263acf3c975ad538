//! The optional backend: the system OpenCC through `opencc-rust` (feature `libopencc`).

use super::ConvertOptions;
use crate::error::{Error, Result};
use opencc_rust::OpenCC;
use std::ops::Range;

pub(crate) struct Lib {
    cc: OpenCC,
}

impl Lib {
    pub(crate) fn new(o: &ConvertOptions) -> Result<Lib> {
        if !o.user_dict.is_empty() {
            return Err(Error::Config(
                "--dict is not supported with the libopencc engine".into(),
            ));
        }
        let file = format!("{}.json", o.config.name());
        let cc = OpenCC::new(&file)
            .map_err(|e| Error::Config(format!("system OpenCC cannot open `{file}`: {e}")))?;
        Ok(Lib { cc })
    }

    /// Convert line by line (OpenCC never matches across a line break) and report the
    /// changed spans of each line.
    pub(crate) fn pieces(&self, text: &str, emit: &mut dyn FnMut(Range<usize>, &str)) {
        let mut base = 0;
        for line in text.split_inclusive('\n') {
            let out = self.cc.convert(line);
            if out != line {
                diff(base, line, &out, emit);
            }
            base += line.len();
        }
    }
}

/// Report the changed spans of one converted line.
fn diff(base: usize, inp: &str, out: &str, emit: &mut dyn FnMut(Range<usize>, &str)) {
    super::engine::changed_spans(inp, out, |r, o| emit(base + r.start..base + r.end, &out[o]));
}
