//! JSON Lines: clean chosen string fields of every record, keep everything else byte for byte.
//!
//! Each line is one record and one document for the `Cleaner`. Only the bytes of the
//! selected string values are replaced (spliced into the original line), so other
//! fields, key order, spacing, number spelling and escapes stay exactly as they were; an
//! unchanged record is written back unchanged. Lines are read one at a time (a line longer
//! than `max_record` is not held in memory) and processed in parallel batches in order.
//!
//! Encoding is decided per file: UTF-8 (with or without BOM), or a legacy ASCII-compatible
//! encoding (GBK, Big5, Shift_JIS ...) detected from the first MiB or given by `--from`.
//! A line that does not decode is a malformed record like a line that is not JSON.

use crate::batch::ChangeCounts;
use crate::decode::{self, Enc};
use crate::encode::{self, Fallback};
use crate::error::{Error, Result};
use crate::report::{Change, ChangeKind};
use crate::Cleaner;
use rayon::prelude::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Range;

/// A dotted path to a field: `text`, `meta.title`. A literal dot in a key is written `\.`.
/// Arrays on the way are entered element by element; an array of strings at the end has
/// every string cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    spelled: String,
    keys: Vec<String>,
}

impl FieldPath {
    pub fn parse(s: &str) -> Result<FieldPath> {
        let mut keys = Vec::new();
        let mut cur = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(n) => cur.push(n),
                    None => cur.push('\\'),
                },
                '.' => keys.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        keys.push(cur);
        if keys.iter().any(|k| k.is_empty()) {
            return Err(Error::Config(format!(
                "field path `{s}` has an empty key (write a literal dot as `\\.`)"
            )));
        }
        Ok(FieldPath {
            spelled: s.to_owned(),
            keys,
        })
    }

    /// The path as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.spelled
    }

    pub fn keys(&self) -> &[String] {
        &self.keys
    }
}

/// What to do with a line that is not a JSON object (or does not decode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Drop the line from the output.
    Skip,
    /// Write the line through unchanged (the default).
    #[default]
    Keep,
    /// Stop with `Error::Record`.
    Fail,
}

impl std::str::FromStr for OnError {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "skip" => Ok(OnError::Skip),
            "keep" => Ok(OnError::Keep),
            "fail" => Ok(OnError::Fail),
            _ => Err(Error::Config(format!(
                "--on-error takes skip, keep or fail, not `{s}`"
            ))),
        }
    }
}

/// Options of a JSON Lines run.
#[derive(Debug, Clone)]
pub struct JsonlOptions {
    pub fields: Vec<FieldPath>,
    pub on_error: OnError,
    /// Longest line parsed as a record; a longer one is malformed and streamed, not held.
    pub max_record: usize,
    /// Bytes of lines processed together (in parallel) before writing.
    pub batch_bytes: usize,
    /// Output encoding and what to do with unencodable characters.
    pub to: Enc,
    pub fallback: Fallback,
}

impl Default for JsonlOptions {
    fn default() -> Self {
        JsonlOptions {
            fields: Vec::new(),
            on_error: OnError::Keep,
            max_record: 64 << 20,
            batch_bytes: 4 << 20,
            to: Enc::Rs(encoding_rs::UTF_8),
            fallback: Fallback::Error,
        }
    }
}

/// Something a JSON Lines run tells its caller, in input order.
#[derive(Debug)]
pub enum JsonlEvent<'a> {
    /// A change inside field `field` of record `change.record`. `input_bytes` are UTF-8
    /// byte offsets and `output_chars` char offsets within the (unescaped) field value.
    Change { change: Change, field: &'a str },
    /// A line that is not a record; `action` says what happened to it.
    Malformed {
        line: u64,
        message: String,
        action: OnError,
    },
}

/// What a JSON Lines run saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonlSummary {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub lines: u64,
    /// Lines that are JSON objects.
    pub records: u64,
    /// Records with at least one changed field.
    pub records_changed: u64,
    pub malformed: u64,
    /// Malformed lines left out of the output (`--on-error skip`).
    pub skipped: u64,
    /// Changes by stage, unrecoverable spans, suspects.
    pub counts: ChangeCounts,
    /// The file's encoding.
    pub encoding: &'static str,
    /// True when the output bytes equal the input bytes.
    pub identical: bool,
}

/// How the lines of the file are decoded.
#[derive(Clone, Copy)]
enum LineCodec {
    Utf8,
    Legacy(&'static encoding_rs::Encoding),
}

/// The result of one line, computed in parallel and written in order.
struct LineOut {
    /// Replacement bytes; `None` writes the input line as is.
    bytes: Option<Vec<u8>>,
    changes: Vec<(Change, usize)>,
    kind: LineKind,
}

enum LineKind {
    Blank,
    Record { changed: bool },
    Malformed(String),
}

impl Cleaner {
    /// Clean the selected fields of every JSON Lines record of `reader` into `writer`.
    /// `on_event` receives every change and every malformed line, in input order.
    pub fn clean_jsonl<R: Read, W: Write>(
        &self,
        mut reader: R,
        mut writer: W,
        opts: &JsonlOptions,
        on_event: &mut dyn FnMut(JsonlEvent),
    ) -> Result<JsonlSummary> {
        // Decide the file's encoding from the first MiB (or --from).
        let mut head = Vec::new();
        (&mut reader).take(1 << 20).read_to_end(&mut head)?;
        let (codec, bom) = self.sniff_jsonl(&head)?;
        let mut head = std::io::Cursor::new(head);
        head.set_position(bom as u64);
        let mut reader = BufReader::with_capacity(1 << 16, head.chain(reader));
        let mut sum = JsonlSummary {
            identical: true,
            ..JsonlSummary::default()
        };
        let utf8_out = opts.to == Enc::Rs(encoding_rs::UTF_8);

        sum.encoding = match codec {
            LineCodec::Utf8 => "UTF-8",
            LineCodec::Legacy(e) => e.name(),
        };
        if bom > 0 {
            sum.bytes_in += bom as u64;
            if utf8_out {
                writer.write_all(b"\xEF\xBB\xBF")?;
                sum.bytes_out += bom as u64;
            } else {
                sum.identical = false;
            }
        }
        if !matches!(codec, LineCodec::Utf8) || !utf8_out {
            sum.identical = false;
        }
        if let LineCodec::Legacy(e) = codec {
            on_event(JsonlEvent::Change {
                change: Change {
                    stage: "decode",
                    kind: ChangeKind::Decode,
                    input_bytes: [0, 0],
                    output_chars: [0, 0],
                    before: String::new(),
                    after: String::new(),
                    confidence: 1.0,
                    reason: format!("decoded as {}", e.name()),
                    record: None,
                    file: None,
                    changed: false,
                    count: 1,
                },
                field: "",
            });
        }

        let batch_target = opts.batch_bytes.max(1);
        let max_record = opts.max_record.max(1);
        let mut batch: Vec<u8> = Vec::with_capacity(batch_target + (64 << 10));
        let mut lines: Vec<Range<usize>> = Vec::new();
        let mut line_no: u64 = 0;
        loop {
            batch.clear();
            lines.clear();
            let mut long_line = false;
            let mut eof = false;
            while batch.len() < batch_target {
                let start = batch.len();
                match read_line_bounded(&mut reader, &mut batch, max_record)? {
                    LineRead::Eof => {
                        eof = true;
                        break;
                    }
                    LineRead::Line => lines.push(start..batch.len()),
                    LineRead::TooLong => {
                        long_line = true;
                        lines.push(start..batch.len());
                        break;
                    }
                }
            }
            let full = if long_line {
                lines.len() - 1
            } else {
                lines.len()
            };
            let outs: Vec<LineOut> = {
                let work = |r: &Range<usize>| self.jsonl_line(&batch[r.clone()], codec, opts);
                if full > 1 {
                    lines[..full].par_iter().map(work).collect()
                } else {
                    lines[..full].iter().map(work).collect()
                }
            };
            for (i, out) in outs.into_iter().enumerate() {
                line_no += 1;
                let raw = &batch[lines[i].clone()];
                sum.lines += 1;
                sum.bytes_in += raw.len() as u64;
                match out.kind {
                    LineKind::Blank => {}
                    LineKind::Record { changed } => {
                        sum.records += 1;
                        sum.records_changed += changed as u64;
                    }
                    LineKind::Malformed(message) => {
                        sum.malformed += 1;
                        on_event(JsonlEvent::Malformed {
                            line: line_no,
                            message: message.clone(),
                            action: opts.on_error,
                        });
                        match opts.on_error {
                            OnError::Fail => {
                                writer.flush()?;
                                return Err(Error::Record {
                                    line: line_no,
                                    message,
                                });
                            }
                            OnError::Skip => {
                                sum.skipped += 1;
                                sum.identical = false;
                                continue;
                            }
                            OnError::Keep => {}
                        }
                    }
                }
                for (mut c, f) in out.changes {
                    sum.counts.count(&c);
                    c.record = Some(line_no);
                    let field = opts.fields.get(f).map(|p| p.as_str()).unwrap_or("");
                    on_event(JsonlEvent::Change { change: c, field });
                }
                let bytes = match &out.bytes {
                    Some(b) => {
                        sum.identical = false;
                        b.as_slice()
                    }
                    None => raw,
                };
                writer.write_all(bytes)?;
                sum.bytes_out += bytes.len() as u64;
            }
            if long_line {
                line_no += 1;
                let start = lines[full].start;
                self.jsonl_long_line(
                    &mut reader,
                    &batch[start..],
                    line_no,
                    max_record,
                    opts,
                    &mut writer,
                    &mut sum,
                    on_event,
                )?;
            }
            if eof {
                break;
            }
        }
        writer.flush()?;
        Ok(sum)
    }

    /// Look at the first MiB: BOM, UTF-8, or a legacy encoding. Returns the BOM length.
    fn sniff_jsonl(&self, head: &[u8]) -> Result<(LineCodec, usize)> {
        let from = self.config().decode.from;
        if let Some((enc, n)) = encoding_rs::Encoding::for_bom(head) {
            if enc == encoding_rs::UTF_8 && from.is_none_or(|f| f == Enc::Rs(enc)) {
                return Ok((LineCodec::Utf8, n));
            }
            if from.is_none() {
                return Err(unsupported(enc.name()));
            }
        }
        let enc = match from {
            Some(e) => e,
            None => {
                let valid = match std::str::from_utf8(head) {
                    Ok(_) => true,
                    // An incomplete char at the end of the sniffed block is fine.
                    Err(e) => e.error_len().is_none(),
                };
                if valid {
                    return Ok((LineCodec::Utf8, 0));
                }
                // A UTF-8 corpus with a few broken records stays UTF-8 (the broken lines
                // are malformed records); a legacy file has mostly non-UTF-8 lines.
                let (mut good, mut bad) = (0usize, 0usize);
                let mut legacy: Vec<u8> = Vec::new();
                for line in head.split_inclusive(|&b| b == b'\n') {
                    if line.is_ascii() || !line.ends_with(b"\n") {
                        continue;
                    }
                    if std::str::from_utf8(line).is_ok() {
                        good += 1;
                    } else {
                        bad += 1;
                        legacy.extend_from_slice(line);
                    }
                }
                if good >= bad && good > 0 {
                    return Ok((LineCodec::Utf8, 0));
                }
                if legacy.is_empty() {
                    let cut = memchr::memrchr(b'\n', head).map_or(head.len(), |p| p + 1);
                    legacy.extend_from_slice(&head[..cut]);
                }
                decode::decode(&legacy, &self.config().decode)?.encoding()
            }
        };
        match enc {
            Enc::Rs(e) if e == encoding_rs::UTF_8 => Ok((LineCodec::Utf8, 0)),
            Enc::Rs(e) if e.is_ascii_compatible() => Ok((LineCodec::Legacy(e), 0)),
            other => Err(unsupported(other.name())),
        }
    }

    /// Clean one line (terminator included).
    fn jsonl_line(&self, raw: &[u8], codec: LineCodec, opts: &JsonlOptions) -> LineOut {
        let (content, term) = split_terminator(raw);
        let text: std::borrow::Cow<str> = match codec {
            LineCodec::Utf8 => match std::str::from_utf8(content) {
                Ok(s) => s.into(),
                Err(e) => {
                    return malformed(format!(
                        "not valid UTF-8 at byte {} of the line",
                        e.valid_up_to()
                    ))
                }
            },
            LineCodec::Legacy(enc) => {
                match enc.decode_without_bom_handling_and_without_replacement(content) {
                    Some(s) => s,
                    None => return malformed(format!("not valid {}", enc.name())),
                }
            }
        };
        let transcode = !matches!(codec, LineCodec::Utf8) || opts.to != Enc::Rs(encoding_rs::UTF_8);
        if text.trim().is_empty() {
            return LineOut {
                bytes: None,
                changes: Vec::new(),
                kind: LineKind::Blank,
            };
        }
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
            return malformed(format!("not JSON: {e}"));
        }
        if !text.trim_start().starts_with('{') {
            return malformed("not a JSON object".into());
        }
        let mut targets: Vec<(Range<usize>, usize)> = Vec::new();
        let paths: Vec<(&[String], usize)> = opts
            .fields
            .iter()
            .enumerate()
            .map(|(i, p)| (p.keys(), i))
            .collect();
        let mut sc = Scanner {
            s: text.as_bytes(),
            i: 0,
        };
        sc.ws();
        sc.value(&[], &paths, &mut targets);
        targets.sort_by_key(|t| t.0.start);
        targets.dedup_by_key(|t| t.0.start);

        let mut out = String::new();
        let mut pos = 0;
        let mut changes = Vec::new();
        let mut changed = false;
        for (span, field) in targets {
            let lit = &text[span.clone()];
            let value: std::borrow::Cow<str> = if lit.contains('\\') {
                match serde_json::from_str::<String>(lit) {
                    Ok(v) => v.into(),
                    Err(_) => continue,
                }
            } else {
                lit[1..lit.len() - 1].into()
            };
            let cleaned = self.clean_str(&value);
            for c in cleaned.changes {
                changes.push((c, field));
            }
            if cleaned.text != value {
                changed = true;
                out.push_str(&text[pos..span.start]);
                // serde_json escapes only what JSON requires.
                match serde_json::to_string(&cleaned.text) {
                    Ok(s) => out.push_str(&s),
                    Err(_) => out.push_str(lit),
                }
                pos = span.end;
            }
        }
        let new_text: Option<std::borrow::Cow<str>> = if changed {
            out.push_str(&text[pos..]);
            Some(out.into())
        } else if transcode {
            Some(text)
        } else {
            None
        };
        let bytes = match new_text {
            None => None,
            Some(t) => match encode::encode(&t, opts.to, opts.fallback) {
                Ok(b) => {
                    let mut b = b.into_owned();
                    b.extend_from_slice(term);
                    Some(b)
                }
                Err(e) => return malformed(e.to_string()),
            },
        };
        LineOut {
            bytes,
            changes,
            kind: LineKind::Record { changed },
        }
    }

    /// A line longer than `max_record`: malformed; streamed through or dropped.
    #[allow(clippy::too_many_arguments)]
    fn jsonl_long_line<R: Read, W: Write>(
        &self,
        reader: &mut BufReader<R>,
        head: &[u8],
        line: u64,
        max_record: usize,
        opts: &JsonlOptions,
        writer: &mut W,
        sum: &mut JsonlSummary,
        on_event: &mut dyn FnMut(JsonlEvent),
    ) -> Result<()> {
        let message = format!("line longer than {max_record} bytes; not parsed");
        sum.lines += 1;
        sum.malformed += 1;
        on_event(JsonlEvent::Malformed {
            line,
            message: message.clone(),
            action: opts.on_error,
        });
        let keep = match opts.on_error {
            OnError::Fail => return Err(Error::Record { line, message }),
            OnError::Skip => {
                sum.skipped += 1;
                sum.identical = false;
                false
            }
            OnError::Keep => true,
        };
        sum.bytes_in += head.len() as u64;
        if keep {
            writer.write_all(head)?;
            sum.bytes_out += head.len() as u64;
        }
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            let (n, done) = match memchr::memchr(b'\n', buf) {
                Some(p) => (p + 1, true),
                None => (buf.len(), false),
            };
            if keep {
                writer.write_all(&buf[..n])?;
                sum.bytes_out += n as u64;
            }
            sum.bytes_in += n as u64;
            reader.consume(n);
            if done {
                return Ok(());
            }
        }
    }
}

fn malformed(message: String) -> LineOut {
    LineOut {
        bytes: None,
        changes: Vec::new(),
        kind: LineKind::Malformed(message),
    }
}

fn unsupported(name: &str) -> Error {
    Error::Undecodable {
        reason: format!("JSON Lines in {name} is not supported (JSON is UTF-8; convert the file first, e.g. with `zhclean --from {name}`)"),
    }
}

/// Split off `\n` or `\r\n`.
fn split_terminator(raw: &[u8]) -> (&[u8], &[u8]) {
    let n = raw.len();
    if raw.ends_with(b"\r\n") {
        (&raw[..n - 2], &raw[n - 2..])
    } else if raw.ends_with(b"\n") {
        (&raw[..n - 1], &raw[n - 1..])
    } else {
        (raw, &[])
    }
}

enum LineRead {
    Eof,
    Line,
    /// `max` bytes read without a newline; they are in the buffer.
    TooLong,
}

/// Append one line (with its terminator) to `buf`, reading at most `max` bytes of it.
fn read_line_bounded<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> Result<LineRead> {
    let start = buf.len();
    loop {
        let avail = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if avail.is_empty() {
            return Ok(if buf.len() == start {
                LineRead::Eof
            } else {
                LineRead::Line
            });
        }
        let room = max - (buf.len() - start);
        let look = &avail[..avail.len().min(room)];
        match memchr::memchr(b'\n', look) {
            Some(p) => {
                buf.extend_from_slice(&look[..=p]);
                reader.consume(p + 1);
                return Ok(LineRead::Line);
            }
            None => {
                let n = look.len();
                buf.extend_from_slice(look);
                reader.consume(n);
                if buf.len() - start >= max {
                    return Ok(LineRead::TooLong);
                }
            }
        }
    }
}

/// A minimal walker over a line already validated by serde_json: finds the byte spans
/// (quotes included) of the string values at the selected paths.
struct Scanner<'a> {
    s: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> u8 {
        self.s.get(self.i).copied().unwrap_or(0)
    }

    /// A string token at `i`; returns its span, quotes included.
    fn string(&mut self) -> Range<usize> {
        let start = self.i;
        self.i += 1;
        loop {
            match memchr::memchr2(b'"', b'\\', &self.s[self.i.min(self.s.len())..]) {
                Some(p) => {
                    self.i += p;
                    if self.s[self.i] == b'\\' {
                        self.i += 2;
                    } else {
                        self.i += 1;
                        return start..self.i;
                    }
                }
                None => {
                    self.i = self.s.len();
                    return start..self.i;
                }
            }
        }
    }

    /// Skip one value (or stop before `,` `}` `]` after a scalar).
    fn skip(&mut self) {
        let mut depth = 0usize;
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'"' => {
                    self.string();
                    if depth == 0 {
                        return;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth <= 1 {
                        if depth == 1 {
                            self.i += 1;
                        }
                        return;
                    }
                    depth -= 1;
                }
                b',' if depth == 0 => return,
                _ => {}
            }
            self.i += 1;
        }
    }

    /// Visit the value at `i`. It is a target of the fields in `here`; `deeper` lists the
    /// paths that continue below it (remaining keys, field index).
    fn value(
        &mut self,
        here: &[usize],
        deeper: &[(&[String], usize)],
        out: &mut Vec<(Range<usize>, usize)>,
    ) {
        match self.peek() {
            b'"' => {
                let r = self.string();
                if let Some(&f) = here.first() {
                    out.push((r, f));
                }
            }
            b'{' if !deeper.is_empty() => {
                self.i += 1;
                loop {
                    self.ws();
                    match self.peek() {
                        b'}' => {
                            self.i += 1;
                            return;
                        }
                        b',' => {
                            self.i += 1;
                            continue;
                        }
                        b'"' => {}
                        _ => {
                            self.i = self.s.len();
                            return;
                        }
                    }
                    let kr = self.string();
                    let raw = &self.s[kr.start + 1..kr.end.saturating_sub(1).max(kr.start + 1)];
                    let key: std::borrow::Cow<str> = if raw.contains(&b'\\') {
                        serde_json::from_slice::<String>(&self.s[kr])
                            .unwrap_or_default()
                            .into()
                    } else {
                        String::from_utf8_lossy(raw)
                    };
                    self.ws();
                    if self.peek() == b':' {
                        self.i += 1;
                    }
                    self.ws();
                    let mut h = Vec::new();
                    let mut d = Vec::new();
                    for &(keys, f) in deeper {
                        if keys.first().map(String::as_str) == Some(&*key) {
                            if keys.len() == 1 {
                                h.push(f);
                            } else {
                                d.push((&keys[1..], f));
                            }
                        }
                    }
                    if h.is_empty() && d.is_empty() {
                        self.skip();
                    } else {
                        self.value(&h, &d, out);
                    }
                }
            }
            b'[' if !here.is_empty() || !deeper.is_empty() => {
                self.i += 1;
                loop {
                    self.ws();
                    match self.peek() {
                        b']' => {
                            self.i += 1;
                            return;
                        }
                        b',' => {
                            self.i += 1;
                            continue;
                        }
                        0 => {
                            self.i = self.s.len();
                            return;
                        }
                        _ => self.value(here, deeper, out),
                    }
                }
            }
            _ => self.skip(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn spans(line: &str, fields: &[&str]) -> Vec<String> {
        let paths: Vec<FieldPath> = fields
            .iter()
            .map(|f| FieldPath::parse(f).unwrap())
            .collect();
        let p: Vec<(&[String], usize)> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.keys(), i))
            .collect();
        let mut sc = Scanner {
            s: line.as_bytes(),
            i: 0,
        };
        let mut out = Vec::new();
        sc.ws();
        sc.value(&[], &p, &mut out);
        out.into_iter().map(|(r, _)| line[r].to_owned()).collect()
    }

    #[test]
    fn field_paths() {
        assert_eq!(FieldPath::parse("a.b").unwrap().keys(), ["a", "b"]);
        assert_eq!(FieldPath::parse(r"a\.b.c").unwrap().keys(), ["a.b", "c"]);
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse("").is_err());
    }

    #[test]
    fn scanner_finds_nested_and_array_fields() {
        let line = r#"{"id": 1, "text": "a\"b", "meta": {"title": "t", "n": [1, {"x": "y"}]}, "paras": ["p1", ["p2"], 3], "items": [{"text": "i1"}, {"text": "i2"}], "te\u0078t2": "k"}"#;
        assert_eq!(spans(line, &["text"]), [r#""a\"b""#]);
        assert_eq!(spans(line, &["meta.title"]), [r#""t""#]);
        assert_eq!(spans(line, &["paras"]), [r#""p1""#, r#""p2""#]);
        assert_eq!(spans(line, &["items.text"]), [r#""i1""#, r#""i2""#]);
        assert_eq!(spans(line, &["text2"]), [r#""k""#]);
        assert_eq!(
            spans(line, &["meta", "id", "missing.x"]),
            Vec::<String>::new()
        );
        assert_eq!(spans(line, &["meta.n.x"]), [r#""y""#]);
    }

    struct Upper;
    impl crate::stage::Stage for Upper {
        fn name(&self) -> &'static str {
            "test"
        }
        fn apply(
            &self,
            text: &str,
            _: &mut crate::stage::DocState,
            out: &mut crate::report::Edits,
        ) {
            for (i, _) in text.match_indices('臺') {
                out.replace(i..i + 3, "台", 1.0, "test");
            }
        }
    }

    fn cleaner() -> Cleaner {
        Cleaner::with_stages_for_tests(Config::decode_only(), vec![Box::new(Upper)])
    }

    fn run(
        input: &[u8],
        fields: &[&str],
        on_error: OnError,
        batch: usize,
    ) -> (Vec<u8>, JsonlSummary, Vec<String>) {
        let opts = JsonlOptions {
            fields: fields
                .iter()
                .map(|f| FieldPath::parse(f).unwrap())
                .collect(),
            on_error,
            batch_bytes: batch,
            max_record: 200,
            ..JsonlOptions::default()
        };
        let mut out = Vec::new();
        let mut ev = Vec::new();
        let r = cleaner().clean_jsonl(input, &mut out, &opts, &mut |e| match e {
            JsonlEvent::Change { change, field } => ev.push(format!(
                "{}:{}:{}",
                change.record.unwrap_or(0),
                field,
                change.after
            )),
            JsonlEvent::Malformed { line, .. } => ev.push(format!("bad {line}")),
        });
        (out, r.unwrap(), ev)
    }

    #[test]
    fn splices_only_changed_fields() {
        let input = "{\"id\": 1.50, \"text\": \"臺灣\", \"x\": \"\\u81fa\"}\r\n\n{\"text\":\"ok\"}\nnot json\n{\"text\": \"a\\n臺\"}";
        for batch in [1, 1 << 20] {
            let (out, sum, ev) = run(input.as_bytes(), &["text"], OnError::Keep, batch);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "{\"id\": 1.50, \"text\": \"台灣\", \"x\": \"\\u81fa\"}\r\n\n{\"text\":\"ok\"}\nnot json\n{\"text\": \"a\\n台\"}"
            );
            assert_eq!(ev, ["1:text:台", "bad 4", "5:text:台"]);
            assert_eq!(
                (sum.lines, sum.records, sum.records_changed, sum.malformed),
                (5, 3, 2, 1)
            );
            assert!(!sum.identical);
            assert_eq!(sum.counts.by_stage.get("test"), Some(&2));
            assert_eq!(sum.counts.total(), 2);
        }
    }

    #[test]
    fn unchanged_input_is_identical_and_skip_fail_work() {
        let input = "\u{feff}{\"text\": \"ok\"}\n[1]\n";
        let (out, sum, _) = run(input.as_bytes(), &["text"], OnError::Keep, 10);
        assert_eq!(out, input.as_bytes());
        assert!(sum.identical);
        let (out, sum, _) = run(input.as_bytes(), &["text"], OnError::Skip, 10);
        assert_eq!(out, "\u{feff}{\"text\": \"ok\"}\n".as_bytes());
        assert_eq!(sum.skipped, 1);
        let opts = JsonlOptions {
            fields: vec![FieldPath::parse("text").unwrap()],
            on_error: OnError::Fail,
            ..JsonlOptions::default()
        };
        let err = cleaner()
            .clean_jsonl(input.as_bytes(), Vec::new(), &opts, &mut |_| {})
            .unwrap_err();
        assert!(matches!(err, Error::Record { line: 2, .. }), "{err}");
    }

    #[test]
    fn long_lines_stream_through() {
        let long = format!("{{\"text\": \"{}\"}}\n", "臺".repeat(300));
        let input = format!("{{\"text\": \"臺\"}}\n{long}{{\"text\": \"臺\"}}\n");
        let (out, sum, ev) = run(input.as_bytes(), &["text"], OnError::Keep, 64);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{{\"text\": \"台\"}}\n{long}{{\"text\": \"台\"}}\n")
        );
        assert_eq!(ev, ["1:text:台", "bad 2", "3:text:台"]);
        assert_eq!(sum.bytes_in as usize, input.len());
        let (out, _, _) = run(input.as_bytes(), &["text"], OnError::Skip, 64);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"text\": \"台\"}\n{\"text\": \"台\"}\n"
        );
    }

    #[test]
    fn legacy_encoding_per_file_and_bad_lines() {
        let text = "{\"text\": \"臺灣\"}\n{\"text\": \"中文\"}\n";
        let (mut gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut bytes = gbk.to_mut().clone();
        bytes.extend_from_slice(b"{\"text\": \"\x81\"}\n");
        let opts = JsonlOptions {
            fields: vec![FieldPath::parse("text").unwrap()],
            ..JsonlOptions::default()
        };
        let c = Cleaner::with_stages_for_tests(
            Config {
                decode: decode::DecodeOptions {
                    from: Some(Enc::Rs(encoding_rs::GBK)),
                    force: false,
                },
                ..Config::decode_only()
            },
            vec![Box::new(Upper)],
        );
        let mut out = Vec::new();
        let sum = c
            .clean_jsonl(&bytes[..], &mut out, &opts, &mut |_| {})
            .unwrap();
        assert_eq!(sum.encoding, "GBK");
        assert_eq!(sum.malformed, 1);
        let mut want = "{\"text\": \"台灣\"}\n{\"text\": \"中文\"}\n"
            .as_bytes()
            .to_vec();
        want.extend_from_slice(b"{\"text\": \"\x81\"}\n");
        assert_eq!(out, want);
    }
}
