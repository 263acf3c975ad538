//! The `zhclean` command line: parse flags, drive files and stdin, print reports.
//! All cleaning lives in the library.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use zhclean::batch::{discover, BatchOptions, Dest, Mode, Progress, Sinks};
use zhclean::convert::{ConvertOptions, Engine, OpenccConfig};
use zhclean::decode::{DecodeOptions, Enc};
use zhclean::encode::Fallback;
use zhclean::jsonl::{FieldPath, JsonlOptions, OnError};
use zhclean::names::{NamesMode, NamesOptions};
use zhclean::normalize::{NormalizeOptions, UnicodeForm};
use zhclean::repair::{Lossy, RepairOptions, Toggle};
use zhclean::stream::StreamOptions;
use zhclean::{Cleaner, Config};

#[derive(Parser, Debug)]
#[command(
    name = "zhclean",
    version,
    about = "Make damaged Chinese text clean: decode, repair mojibake and pinyin damage, convert to Simplified, unify names",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    #[command(flatten)]
    clean: CleanArgs,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print the detected encoding of each file: encoding, confidence, mixed or not.
    Detect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        force: bool,
    },
    /// Print what would change; exit 1 if anything would.
    Check(Box<CleanArgs>),
}

#[derive(Args, Debug, Clone)]
struct CleanArgs {
    /// Input files; `-` or none means stdin.
    files: Vec<PathBuf>,
    /// Write the output here instead of stdout (one input only).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Rewrite each file in place (temporary file + rename; permissions kept).
    #[arg(long, conflicts_with_all = ["output", "out_dir"])]
    in_place: bool,
    /// Write each cleaned file into DIR under its file name.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    out_dir: Option<PathBuf>,
    /// Input encoding; skips detection (e.g. gbk, big5, utf-16le, shift_jis).
    #[arg(long, value_name = "ENC")]
    from: Option<String>,
    /// Output encoding (default UTF-8).
    #[arg(long, value_name = "ENC", default_value = "utf-8")]
    to: String,
    /// What to do with characters the output encoding cannot hold.
    #[arg(long, value_name = "MODE", default_value = "error", value_parser = ["error", "entity"])]
    to_fallback: String,
    /// Clean input that looks binary instead of refusing it.
    #[arg(long)]
    force: bool,
    /// Write every change as JSON Lines to FILE (`-`: stdout, when the text goes elsewhere).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Print a readable list of changes to stderr.
    #[arg(long)]
    explain: bool,
    /// OpenCC configuration for conversion (t2s, tw2sp, hk2s, s2t ...), or `none`.
    #[arg(long, value_name = "CONFIG", default_value = "t2s")]
    convert: String,
    /// Conversion engine: builtin, or libopencc (needs the `libopencc` build feature).
    #[arg(long, value_name = "ENGINE", default_value = "builtin", value_parser = ["builtin", "libopencc"])]
    engine: String,
    /// Leave out OpenCC 1.4's tofu-risk dictionaries (like the `opencc` console script).
    #[arg(long)]
    no_tofu_risk: bool,
    /// User dictionary: tab-separated `phrase<TAB>replacement` lines that override the built-in ones.
    #[arg(long, value_name = "FILE")]
    dict: Vec<PathBuf>,
    /// Repair the pinyin-annotation corruption: auto (when the document shows it), on, off.
    #[arg(long, value_name = "MODE", default_value = "auto")]
    pinyin_repair: Toggle,
    /// Repair mojibake (wrong-codec decoding): on or off.
    #[arg(long, value_name = "MODE", default_value = "on", value_parser = ["on", "off"])]
    mojibake: String,
    /// Decode HTML entities: auto (unless the document is HTML), on, off.
    #[arg(long, value_name = "MODE", default_value = "auto")]
    html_entities: Toggle,
    /// Spans whose content is lost: mark (visible marker) or keep (leave as is). Both report.
    #[arg(long, value_name = "MODE", default_value = "mark")]
    lossy: Lossy,
    /// Name unification: auto, report (change nothing), off.
    #[arg(long, value_name = "MODE", default_value = "auto")]
    names: NamesMode,
    /// Canonical names, one per line, or `variant<TAB>canonical` lines.
    #[arg(long, value_name = "FILE")]
    names_file: Option<PathBuf>,
    /// Unicode normalisation form (opt-in).
    #[arg(long, value_name = "FORM", value_parser = ["nfc", "nfkc"])]
    unicode: Option<String>,
    /// Fold fullwidth ASCII letters and digits to halfwidth (opt-in).
    #[arg(long)]
    width: bool,
    /// Restore fullwidth punctuation inside Chinese text (opt-in).
    #[arg(long)]
    punct_cjk: bool,
    /// Walk directories given as inputs (with --out-dir the tree is mirrored).
    #[arg(short = 'r', long)]
    recursive: bool,
    /// With -r, clean only files whose path below the directory matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    glob: Vec<String>,
    /// Files cleaned in parallel (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,
    /// Input is JSON Lines: clean the --field strings of every record, keep the rest.
    #[arg(long)]
    jsonl: bool,
    /// JSON Lines field to clean; dotted path for nested fields, repeatable (default: text).
    #[arg(long, value_name = "PATH", requires = "jsonl")]
    field: Vec<String>,
    /// A JSON Lines line that is not a JSON object: skip, keep (pass through) or fail.
    #[arg(long, value_name = "MODE", default_value = "keep", value_parser = ["skip", "keep", "fail"], requires = "jsonl")]
    on_error: String,
    /// Longest JSON Lines record parsed (longer lines are malformed); e.g. 64M.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size, requires = "jsonl")]
    max_record: usize,
    /// Print the summary table on stderr even for a single input.
    #[arg(long)]
    summary: bool,
    /// Write the run summary as JSON to FILE (`-`: stdout, when the text goes elsewhere).
    #[arg(long, value_name = "FILE")]
    summary_json: Option<PathBuf>,
    /// No progress bar or summary on stderr (errors are still printed).
    #[arg(short, long)]
    quiet: bool,
}

/// `123`, `64K`, `64M`, `1G` (binary units).
fn parse_size(s: &str) -> std::result::Result<usize, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: usize = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => return Err(format!("unknown size suffix in `{s}` (use K, M or G)")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    num.trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{s}` is not a size like 4096, 64K, 64M or 1G"))
}

fn main() -> ExitCode {
    tune_allocator();
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zhclean: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Every window is cleaned in buffers of megabytes, which glibc would map and unmap again
/// for each window: the page faults cost about a tenth of a clean run. Keep them mapped
/// (the working set repeats per window, so peak memory does not grow).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only changes allocator parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// The system allocator, except that a buffer of a megabyte or more gets its pages mapped
/// at once (`MADV_POPULATE_WRITE`) instead of by one page fault per 4 KiB when first
/// written: the windows' buffers are filled completely anyway, and a fault costs a few
/// microseconds on a VM (a tenth of a one-window run; a second thread's first window
/// faults in its whole working set).
///
/// Zeroed blocks of 64 KiB or more (lookup tables, hash maps) are mapped at once too.
/// Otherwise their first read maps the shared zero page, and the first write then replaces
/// it, which flushes the TLB of every core running another of our threads (an IPI, a VM
/// exit each): half the start-up's CPU time (10.2 → 5.4 ms) went to these.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
struct Prefaulting;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: Prefaulting = Prefaulting;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
impl Prefaulting {
    const MIN: usize = 1 << 20;
    const MIN_ZEROED: usize = 1 << 16;

    /// Map the whole pages of `len` bytes at `p`. Only a hint: an older kernel (before
    /// 5.14) refuses it, and the pages then fault in as usual.
    fn populate(p: *mut u8, len: usize) {
        let start = (p as usize).next_multiple_of(4096);
        let end = (p as usize + len) & !4095;
        if end > start {
            // SAFETY: the range lies inside an allocation we own; populating maps pages
            // without changing their contents.
            unsafe {
                libc::madvise(
                    start as *mut libc::c_void,
                    end - start,
                    libc::MADV_POPULATE_WRITE,
                );
            }
        }
    }
}

// SAFETY: every call is passed to `System` unchanged; `populate` only touches page tables.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe impl std::alloc::GlobalAlloc for Prefaulting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { std::alloc::System.alloc(layout) };
        if layout.size() >= Self::MIN && !p.is_null() {
            Self::populate(p, layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { std::alloc::System.alloc_zeroed(layout) };
        if layout.size() >= Self::MIN_ZEROED && !p.is_null() {
            Self::populate(p, layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: as above.
        unsafe { std::alloc::System.dealloc(p, layout) }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        // SAFETY: as above.
        let q = unsafe { std::alloc::System.realloc(p, layout, new) };
        if new >= Self::MIN && new > layout.size() && !q.is_null() {
            // The grown part only: the rest was written before.
            Self::populate(q.wrapping_add(layout.size()), new - layout.size());
        }
        q
    }
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.cmd {
        Some(Cmd::Detect { files, force }) => detect(&files, force),
        Some(Cmd::Check(args)) => clean(&args, true),
        None => clean(&cli.clean, false),
    }
}

fn detect(files: &[PathBuf], force: bool) -> Result<ExitCode> {
    let opts = DecodeOptions {
        force,
        ..DecodeOptions::default()
    };
    let mut failed = false;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for f in files {
        let bytes = match read_input(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("zhclean: {}: {e:#}", f.display());
                failed = true;
                continue;
            }
        };
        match zhclean::decode::decode(&bytes, &opts) {
            Ok(d) => {
                let encs: Vec<&str> = {
                    let mut v: Vec<&str> = Vec::new();
                    for s in &d.segments {
                        if !v.contains(&s.encoding.name()) {
                            v.push(s.encoding.name());
                        }
                    }
                    v
                };
                writeln!(
                    out,
                    "{}\t{}\t{:.2}\t{}",
                    f.display(),
                    d.encoding().name(),
                    d.confidence(),
                    if d.mixed {
                        format!("mixed({})", encs.join(","))
                    } else {
                        "single".to_string()
                    }
                )?;
            }
            Err(e) => {
                eprintln!("zhclean: {}: {e}", f.display());
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn build_config(a: &CleanArgs) -> Result<Config> {
    let from = a.from.as_deref().map(Enc::from_label).transpose()?;
    let convert = if a.convert == "none" || a.convert == "off" {
        None
    } else {
        let mut user_dict = Vec::new();
        for p in &a.dict {
            user_dict.extend(read_pairs(p)?);
        }
        Some(ConvertOptions {
            config: a.convert.parse::<OpenccConfig>()?,
            tofu_risk: !a.no_tofu_risk,
            user_dict,
            engine: if a.engine == "libopencc" {
                Engine::LibOpencc
            } else {
                Engine::Builtin
            },
            ..ConvertOptions::default()
        })
    };
    let mut names = NamesOptions {
        mode: a.names,
        ..NamesOptions::default()
    };
    if let Some(p) = &a.names_file {
        let text = fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('\t') {
                Some((v, c)) => names
                    .variants
                    .push((v.trim().to_owned(), c.trim().to_owned())),
                None => names.canonical.push(line.trim().to_owned()),
            }
        }
    }
    Ok(Config {
        decode: DecodeOptions {
            from,
            force: a.force,
        },
        repair: RepairOptions {
            mojibake: a.mojibake == "on",
            pinyin: a.pinyin_repair,
            html_entities: a.html_entities,
            lossy: a.lossy,
        },
        convert,
        names,
        normalize: NormalizeOptions {
            unicode: match a.unicode.as_deref() {
                Some("nfc") => Some(UnicodeForm::Nfc),
                Some("nfkc") => Some(UnicodeForm::Nfkc),
                _ => None,
            },
            width: a.width,
            punct_cjk: a.punct_cjk,
        },
    })
}

/// Read `phrase<TAB>replacement` lines.
fn read_pairs(p: &Path) -> Result<Vec<(String, String)>> {
    let text = fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    let mut v = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('\t') {
            Some((a, b)) if !a.is_empty() => {
                // OpenCC dictionaries allow several space-separated candidates: take the first.
                let b = b.split(' ').next().unwrap_or(b);
                v.push((a.to_owned(), b.to_owned()))
            }
            _ => bail!(
                "{}:{}: expected `phrase<TAB>replacement`",
                p.display(),
                i + 1
            ),
        }
    }
    Ok(v)
}

fn read_input(p: &Path) -> Result<Vec<u8>> {
    if p.as_os_str() == "-" {
        let mut v = Vec::new();
        io::stdin().lock().read_to_end(&mut v)?;
        Ok(v)
    } else {
        fs::read(p).with_context(|| format!("reading {}", p.display()))
    }
}

fn clean(a: &CleanArgs, check: bool) -> Result<ExitCode> {
    if let Some(n) = a.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("setting up the thread pool")?;
    }
    let cleaner = Cleaner::new(build_config(a)?)?;
    let inputs: Vec<PathBuf> = if a.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        a.files.clone()
    };
    if inputs.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        bail!("stdin (`-`) can be read only once");
    }
    if a.output.is_some() && (inputs.len() > 1 || a.recursive) {
        bail!("-o takes one input; use --out-dir for several or for -r");
    }
    if a.in_place && inputs.iter().any(|f| f.as_os_str() == "-") {
        bail!("--in-place needs files, not stdin");
    }
    if !a.glob.is_empty() && !a.recursive {
        bail!("--glob selects files while walking directories; add -r");
    }
    let jobs = discover(&inputs, a.recursive, &a.glob, a.out_dir.as_deref())?;

    let mode = if a.jsonl {
        let spelled = if a.field.is_empty() {
            vec!["text".to_owned()]
        } else {
            a.field.clone()
        };
        let fields = spelled
            .iter()
            .map(|f| FieldPath::parse(f))
            .collect::<zhclean::Result<Vec<_>>>()?;
        Mode::Jsonl(JsonlOptions {
            fields,
            on_error: a.on_error.parse::<OnError>()?,
            max_record: a.max_record,
            ..JsonlOptions::default()
        })
    } else {
        Mode::Text
    };
    let dest = if check {
        Dest::Discard
    } else if a.in_place {
        Dest::InPlace
    } else if let Some(d) = &a.out_dir {
        Dest::OutDir(d.clone())
    } else if let Some(o) = &a.output {
        Dest::File(o.clone())
    } else {
        Dest::Stdout
    };
    let batch_run = jobs.len() > 1 || a.recursive;
    let mut opts = BatchOptions::new(mode, dest);
    opts.stream = StreamOptions {
        chunk_size: cleaner.window_size(),
        to: Enc::from_label(&a.to)?,
        fallback: if a.to_fallback == "entity" {
            Fallback::Entity
        } else {
            Fallback::Error
        },
        ..StreamOptions::default()
    };
    opts.report = a.report.is_some();
    opts.explain = a.explain || check;
    opts.label = batch_run || a.report.is_some();
    // Without a report to write, changes are only counted (for the summary).
    opts.stream.details = opts.report || opts.explain;

    let stdout_is_output = opts.dest == Dest::Stdout;
    // The bar needs stderr to itself and must not garble text printed to the terminal.
    let text_on_terminal = stdout_is_output && io::stdout().is_terminal();
    let show_progress =
        !(a.quiet || opts.explain || text_on_terminal) && io::stderr().is_terminal();
    let bar = show_progress.then(|| progress_bar(&jobs));
    let progress = Bar {
        bar: bar.clone(),
        files: jobs.len() as u64,
        done: AtomicU64::new(0),
    };

    // `-` names stdout, which must not carry the text too, nor both JSON outputs.
    let dash = |p: &Option<PathBuf>| p.as_deref() == Some(Path::new("-"));
    for (flag, p) in [("--report", &a.report), ("--summary-json", &a.summary_json)] {
        if dash(p) && stdout_is_output {
            bail!("{flag} -: stdout carries the cleaned text; give a file, or send the text elsewhere (-o, --in-place, --out-dir)");
        }
    }
    if dash(&a.report) && dash(&a.summary_json) {
        bail!("--report - and --summary-json - would share stdout; give one a file");
    }
    let mut report: Option<BufWriter<Box<dyn Write>>> = match &a.report {
        Some(_) if dash(&a.report) => Some(BufWriter::new(Box::new(io::stdout()))),
        Some(p) => Some(BufWriter::new(Box::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        ))),
        None => None,
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut notes = Notes { bar: bar.clone() };
    let res = zhclean::batch::run(
        &cleaner,
        &opts,
        &jobs,
        &mut Sinks {
            out: &mut out,
            report: report.as_mut().map(|r| r as &mut dyn Write),
            notes: &mut notes,
        },
        &progress,
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let summary = match res {
        Ok(s) => s,
        Err(zhclean::Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            // The reader went away (`| head`): stop quietly, like other filters.
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e).context("writing output"),
    };
    if let Some(r) = report.as_mut() {
        r.flush().context("writing the report")?;
    }
    if let Some(p) = &a.summary_json {
        let mut w: BufWriter<Box<dyn Write>> = if dash(&a.summary_json) {
            BufWriter::new(Box::new(io::stdout()))
        } else {
            BufWriter::new(Box::new(
                File::create(p).with_context(|| format!("creating {}", p.display()))?,
            ))
        };
        serde_json::to_writer_pretty(&mut w, &summary)?;
        w.write_all(b"\n")?;
        w.flush()?;
    }
    if !a.quiet && (batch_run || a.summary) {
        eprint!("{}", summary.table());
    }
    if summary.files_failed > 0 {
        return Ok(ExitCode::from(2));
    }
    Ok(if check && summary.files_changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn progress_bar(jobs: &[zhclean::batch::Job]) -> ProgressBar {
    let total: Option<u64> = jobs
        .iter()
        .map(|j| {
            if j.is_stdin() {
                None
            } else {
                fs::metadata(&j.path).ok().map(|m| m.len())
            }
        })
        .sum();
    let bar = match total {
        Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if total.is_some() {
        "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}"
    } else {
        "{spinner} {elapsed_precise} {bytes} {bytes_per_sec} {msg}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!("files 0/{}", jobs.len()));
    bar
}

/// Progress hooks for indicatif.
struct Bar {
    bar: Option<ProgressBar>,
    files: u64,
    done: AtomicU64,
}

impl Progress for Bar {
    fn bytes(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
    fn file_done(&self, _path: &Path, _ok: bool) {
        let d = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(b) = &self.bar {
            b.set_message(format!("files {d}/{}", self.files));
        }
    }
}

/// stderr, drawn around the progress bar.
struct Notes {
    bar: Option<ProgressBar>,
}

impl Write for Notes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &self.bar {
            Some(b) => b.suspend(|| io::stderr().write_all(buf))?,
            None => io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::Prefaulting;
    use std::alloc::{GlobalAlloc, Layout};

    /// Populating maps pages without changing them: zeroed blocks read as zeros around
    /// both thresholds, and a grown block keeps what was written.
    #[test]
    fn prefaulted_blocks_keep_their_contents() {
        let a = Prefaulting;
        for size in [
            Prefaulting::MIN_ZEROED - 1,
            Prefaulting::MIN_ZEROED + 4097,
            Prefaulting::MIN + 12345,
        ] {
            let layout = Layout::from_size_align(size, 8).expect("layout");
            // SAFETY: a nonzero size; every pointer is checked, used within its size and
            // freed with its layout.
            unsafe {
                let p = a.alloc_zeroed(layout);
                assert!(!p.is_null());
                assert!(std::slice::from_raw_parts(p, size).iter().all(|&b| b == 0));
                std::ptr::write_bytes(p, 0xA5, size);
                let q = a.realloc(p, layout, size * 3);
                assert!(!q.is_null());
                assert!(std::slice::from_raw_parts(q, size)
                    .iter()
                    .all(|&b| b == 0xA5));
                a.dealloc(q, Layout::from_size_align(size * 3, 8).expect("layout"));
            }
        }
    }
}
