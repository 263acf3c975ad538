//! Streaming over `Read`/`Write` with bounded memory.
//!
//! The input is cut into windows of about `chunk_size` bytes at line boundaries (at
//! whitespace, or a safe byte, when a line is longer than a window). Each window is
//! decoded and cleaned as one document, so memory stays bounded by the window size
//! whatever the input size (window × worker threads: windows are cleaned in parallel
//! with rayon and written in order). Name unification therefore sees one window at a
//! time: for inputs up to one window (8 MiB by default) that is the whole document.

use crate::decode::{self, Enc};
use crate::encode::{self, Fallback};
use crate::error::Result;
use crate::report::Change;
use crate::Cleaner;
use std::io::{Read, Write};

/// Default window size: one document for the document-level stages.
pub const DEFAULT_CHUNK: usize = 8 << 20;

/// Window size when no active stage gathers document-level evidence (conversion only):
/// the decoded window, its converted copy and the output stay in the CPU cache (t2s on
/// Traditional text is about 15% faster than with 8 MiB windows).
pub const SMALL_CHUNK: usize = 1 << 20;

/// Options of a streaming run.
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    pub chunk_size: usize,
    pub to: Enc,
    pub fallback: Fallback,
    /// Give each change its text and offsets. Without it changes are only counted
    /// (stage, kind): faster when nobody reads a report.
    pub details: bool,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            chunk_size: DEFAULT_CHUNK,
            to: Enc::Rs(encoding_rs::UTF_8),
            fallback: Fallback::Error,
            details: true,
        }
    }
}

/// What a streaming run saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamSummary {
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Chars written; counted only with `StreamOptions::details` (where change offsets
    /// need it), else 0: counting is a pass over the output.
    pub chars_out: u64,
    pub windows: u64,
    /// Number of changes of each kind that text stages made (decode notes excluded).
    pub changes: u64,
    pub unrecoverable: u64,
    /// Encodings seen, in order of first appearance.
    pub encodings: Vec<&'static str>,
    pub mixed: bool,
    /// True when any text changed.
    pub changed: bool,
}

impl Cleaner {
    /// Clean `reader` into `writer`, window by window. `on_change` receives every change
    /// with offsets relative to the whole stream.
    pub fn clean_stream<R: Read, W: Write>(
        &self,
        mut reader: R,
        mut writer: W,
        opts: &StreamOptions,
        on_change: &mut dyn FnMut(Change),
    ) -> Result<StreamSummary> {
        let chunk = opts.chunk_size.max(1024);
        let mut sum = StreamSummary::default();
        // The bytes after the last cut: the start of the next window.
        let mut carry: Vec<u8> = Vec::new();
        let mut eof = false;
        // Encoding fixed by the first window for UTF-16/32 (no per-window guessing there).
        let mut fixed: Option<Enc> = self.config().decode.from;
        let mut first = true;
        // Windows are independent documents: clean up to one per worker thread at once.
        // Memory stays bounded by `chunk × threads`.
        let parallel = rayon::current_num_threads().max(1);
        loop {
            let want = if first { 1 } else { parallel };
            // Each window gets a buffer of its own, which plain UTF-8 text then keeps
            // (`decode_owned`): no copy of the window.
            let mut windows: Vec<Vec<u8>> = Vec::with_capacity(want);
            while windows.len() < want {
                let mut w = std::mem::take(&mut carry);
                if !eof && w.len() < chunk {
                    // The first window grows with what it reads: most inputs are small
                    // files, and a full window's buffer is megabytes (which the binary's
                    // allocator maps at once). Later windows are full ones.
                    if first {
                        w.reserve(64 << 10);
                    } else {
                        w.reserve_exact(chunk + 4096 - w.len());
                    }
                    let need = (chunk - w.len()) as u64;
                    let n = (&mut reader).take(need).read_to_end(&mut w)?;
                    if (n as u64) < need {
                        eof = true;
                    }
                }
                if w.is_empty() {
                    break;
                }
                if first && fixed.is_none() {
                    // UTF-16/32 must be cut on code units, not at a 0x0A byte.
                    fixed = decode::sniff_wide(&w);
                }
                if !eof {
                    carry = w.split_off(cut_point(&w, fixed));
                }
                windows.push(w);
            }
            if windows.is_empty() {
                break;
            }
            // UTF-16/32 windows after the first carry no BOM: decode them as the first.
            let mut dopts = self.config().decode.clone();
            if dopts.from.is_none() {
                dopts.from = fixed.filter(|e| e.is_wide());
            }
            let clean_one = |w: Vec<u8>| -> Result<(usize, crate::Cleaned)> {
                let (len, bom) = (w.len(), w.starts_with(b"\xEF\xBB\xBF"));
                let decoded = decode::decode_owned(w, &dopts)?;
                Ok((len, self.clean_decoded(decoded, bom, opts.details)))
            };
            // The calling thread cleans the first window itself, with the buffers and
            // warm caches of the last one; pool threads clean the others.
            let mut results: Vec<Option<Result<(usize, crate::Cleaned)>>> =
                windows.iter().map(|_| None).collect();
            let mut windows = windows.into_iter();
            if let (Some(w), Some((head, rest))) = (windows.next(), results.split_first_mut()) {
                let clean_one = &clean_one;
                rayon::in_place_scope(|scope| {
                    for (w, slot) in windows.zip(rest.iter_mut()) {
                        scope.spawn(move |_| *slot = Some(clean_one(w)));
                    }
                    *head = Some(clean_one(w));
                });
            }
            for res in results {
                // Every slot is filled when the scope ends (a panic would have passed on).
                let res = res.ok_or_else(|| std::io::Error::other("a window was not cleaned"))?;
                let (len, cleaned) = res?;
                if first {
                    if let Some(e) = cleaned.segments.first().map(|s| s.encoding) {
                        if e.is_wide() {
                            fixed = Some(e);
                        }
                    }
                }
                self.write_window(len, cleaned, first, opts, &mut writer, &mut sum, on_change)?;
                first = false;
            }
        }
        writer.flush()?;
        Ok(sum)
    }

    /// Write one cleaned window and pass its changes on, with stream-wide offsets.
    #[allow(clippy::too_many_arguments)]
    fn write_window<W: Write>(
        &self,
        input_len: usize,
        cleaned: crate::Cleaned,
        first: bool,
        opts: &StreamOptions,
        writer: &mut W,
        sum: &mut StreamSummary,
        on_change: &mut dyn FnMut(Change),
    ) -> Result<()> {
        for s in &cleaned.segments {
            let n = s.encoding.name();
            if !sum.encodings.contains(&n) {
                sum.encodings.push(n);
            }
        }
        sum.mixed |= cleaned.mixed || sum.encodings.len() > 1;
        if first && cleaned.utf8_bom && opts.to == Enc::Rs(encoding_rs::UTF_8) {
            writer.write_all(b"\xEF\xBB\xBF")?;
            sum.bytes_out += 3;
        }
        let bytes = encode::encode(&cleaned.text, opts.to, opts.fallback)?;
        writer.write_all(&bytes)?;
        let chars = if opts.details {
            crate::report::count_chars(&cleaned.text) as u64
        } else {
            0
        };
        for mut c in cleaned.changes {
            if c.kind != crate::ChangeKind::Decode {
                sum.changes += c.count;
            }
            if c.kind == crate::ChangeKind::Unrecoverable {
                sum.unrecoverable += c.count;
            }
            if c.changed && c.kind != crate::ChangeKind::Decode {
                sum.changed = true;
            }
            c.input_bytes[0] += sum.bytes_in as usize;
            c.input_bytes[1] += sum.bytes_in as usize;
            c.output_chars[0] += sum.chars_out as usize;
            c.output_chars[1] += sum.chars_out as usize;
            on_change(c);
        }
        sum.bytes_in += input_len as u64;
        sum.bytes_out += bytes.len() as u64;
        sum.chars_out += chars;
        sum.windows += 1;
        Ok(())
    }
}

/// Where to cut a full buffer so that no character, line or phrase is split.
fn cut_point(buf: &[u8], fixed: Option<Enc>) -> usize {
    let n = buf.len();
    if fixed.is_some_and(|e| e.is_wide()) {
        let unit = if matches!(fixed.map(|e| e.name()), Some("UTF-32LE" | "UTF-32BE")) {
            4
        } else {
            2
        };
        let le = matches!(fixed.map(|e| e.name()), Some("UTF-16LE" | "UTF-32LE"));
        // Last newline unit, aligned.
        let mut i = n - n % unit;
        while i >= unit {
            let u = &buf[i - unit..i];
            let is_nl = if le {
                u[0] == b'\n' && u[1..].iter().all(|&b| b == 0)
            } else {
                u[unit - 1] == b'\n' && u[..unit - 1].iter().all(|&b| b == 0)
            };
            if is_nl {
                return i;
            }
            i -= unit;
        }
        // No newline: cut on an aligned unit that is not a high surrogate.
        let mut i = n - n % unit;
        if unit == 2 && i >= 2 {
            let hi = if le { buf[i - 1] } else { buf[i - 2] };
            if (0xD8..0xDC).contains(&hi) {
                i -= 2;
            }
        }
        return i.max(unit);
    }
    if let Some(p) = memchr::memrchr(b'\n', buf) {
        return p + 1;
    }
    // A very long line: cut after whitespace, which no multi-byte encoding uses as a
    // trail byte; failing that after a byte below 0x30 (never a GBK/Big5/SJIS trail byte).
    if let Some(p) = buf
        .iter()
        .rposition(|&b| b == b' ' || b == b'\t' || b == b'\r')
    {
        return p + 1;
    }
    if let Some(p) = buf.iter().rposition(|&b| b < 0x30) {
        return p + 1;
    }
    // Last resort: a UTF-8 char boundary.
    let mut i = n;
    while i > 0 && (buf[i - 1] & 0xC0) == 0x80 {
        i -= 1;
    }
    if i > 0 && buf[i - 1] >= 0xC0 {
        i -= 1;
    }
    if i == 0 {
        n
    } else {
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    #[test]
    fn stream_equals_whole_and_cuts_lines() {
        let c = Cleaner::new(Config::default()).unwrap();
        let text = "第一行 line one\n第二行 line two\r\n第三行 no newline at end".repeat(200);
        let mut out = Vec::new();
        let opts = StreamOptions {
            chunk_size: 1024,
            ..StreamOptions::default()
        };
        let sum = c
            .clean_stream(text.as_bytes(), &mut out, &opts, &mut |_| {})
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
        assert!(sum.windows > 1);
        assert_eq!(sum.bytes_in as usize, text.len());
    }

    /// Windows cleaned at once (one by the calling thread, the others by the pool) are
    /// written in input order, whatever the thread count.
    #[test]
    fn windows_cleaned_at_once_keep_their_order() {
        let c = Cleaner::new(Config::default()).unwrap();
        let text: String = (0..3000)
            .map(|i| format!("第{i}行：這個問題沒有關係。\n"))
            .collect();
        let want = c.clean_str(&text).text;
        assert_ne!(want, text);
        let opts = StreamOptions {
            chunk_size: 1024,
            ..StreamOptions::default()
        };
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = Vec::new();
            let sum = pool
                .install(|| c.clean_stream(text.as_bytes(), &mut out, &opts, &mut |_| {}))
                .unwrap();
            assert!(sum.windows > 10);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{threads} threads");
        }
    }

    #[test]
    fn long_line_without_newline_is_cut_at_char_boundary() {
        let c = Cleaner::new(Config::default()).unwrap();
        let text = "中".repeat(5000);
        let mut out = Vec::new();
        let opts = StreamOptions {
            chunk_size: 1024,
            ..StreamOptions::default()
        };
        c.clean_stream(text.as_bytes(), &mut out, &opts, &mut |_| {})
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }
}
