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

/// Character-wise changes when the lengths agree, else one span without the common
/// prefix and suffix.
fn diff(base: usize, inp: &str, out: &str, emit: &mut dyn FnMut(Range<usize>, &str)) {
    if inp.chars().count() == out.chars().count() {
        let mut oi = out.char_indices();
        for (i, c) in inp.char_indices() {
            if let Some((j, d)) = oi.next() {
                if c != d {
                    emit(base + i..base + i + c.len_utf8(), &out[j..j + d.len_utf8()]);
                }
            }
        }
        return;
    }
    let pre: usize = inp
        .chars()
        .zip(out.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let suf: usize = inp[pre..]
        .chars()
        .rev()
        .zip(out[pre..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let suf = suf.min(inp.len() - pre).min(out.len() - pre);
    emit(
        base + pre..base + inp.len() - suf,
        &out[pre..out.len() - suf],
    );
}
