//! The `zhclean` command line: parse flags, drive files and stdin, print reports.
//! All cleaning lives in the library.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zhclean::convert::{ConvertOptions, Engine, OpenccConfig};
use zhclean::decode::{DecodeOptions, Enc};
use zhclean::encode::Fallback;
use zhclean::names::{NamesMode, NamesOptions};
use zhclean::normalize::{NormalizeOptions, UnicodeForm};
use zhclean::repair::{Lossy, RepairOptions, Toggle};
use zhclean::report::{explain_line, Change};
use zhclean::stream::{StreamOptions, StreamSummary};
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
    Check(CleanArgs),
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
    /// Write every change as JSON Lines to FILE.
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
    /// No progress or summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zhclean: {e:#}");
            ExitCode::from(2)
        }
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

struct Reporter {
    report: Option<BufWriter<File>>,
    explain: bool,
}

impl Reporter {
    fn emit(&mut self, file: Option<&str>, mut c: Change) -> io::Result<()> {
        c.file = file.map(str::to_owned);
        if self.explain {
            eprintln!(
                "{}{}",
                file.map(|f| format!("{f}: ")).unwrap_or_default(),
                explain_line(&c)
            );
        }
        if let Some(w) = &mut self.report {
            serde_json::to_writer(&mut *w, &c)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

fn clean(a: &CleanArgs, check: bool) -> Result<ExitCode> {
    let config = build_config(a)?;
    let cleaner = Cleaner::new(config)?;
    let sopts = StreamOptions {
        to: Enc::from_label(&a.to)?,
        fallback: if a.to_fallback == "entity" {
            Fallback::Entity
        } else {
            Fallback::Error
        },
        ..StreamOptions::default()
    };
    let files: Vec<PathBuf> = if a.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        a.files.clone()
    };
    if a.output.is_some() && files.len() > 1 {
        bail!("-o takes one input; use --out-dir for several");
    }
    if a.in_place && files.iter().any(|f| f.as_os_str() == "-") {
        bail!("--in-place needs files, not stdin");
    }
    let mut rep = Reporter {
        report: match &a.report {
            Some(p) => Some(BufWriter::new(
                File::create(p).with_context(|| format!("creating {}", p.display()))?,
            )),
            None => None,
        },
        explain: a.explain || check,
    };
    let mut failed = 0usize;
    let mut any_change = false;
    let multi = files.len() > 1;
    for f in &files {
        let name = f.display().to_string();
        let label = if multi || a.report.is_some() {
            Some(name.as_str())
        } else {
            None
        };
        let res = clean_one(&cleaner, a, check, f, &sopts, &mut |c| rep.emit(label, c));
        match res {
            Ok(sum) => any_change |= sum.changed,
            Err(e) => {
                eprintln!("zhclean: {name}: {e:#}");
                failed += 1;
            }
        }
    }
    if let Some(w) = &mut rep.report {
        w.flush()?;
    }
    if failed > 0 {
        if multi && !a.quiet {
            eprintln!("zhclean: {failed} of {} files failed", files.len());
        }
        return Ok(ExitCode::from(2));
    }
    Ok(if check && any_change {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn clean_one(
    cleaner: &Cleaner,
    a: &CleanArgs,
    check: bool,
    f: &Path,
    sopts: &StreamOptions,
    emit: &mut dyn FnMut(Change) -> io::Result<()>,
) -> Result<StreamSummary> {
    let stdin = f.as_os_str() == "-";
    let mut emit_err: Option<io::Error> = None;
    let mut on_change = |c: Change| {
        if emit_err.is_none() {
            if let Err(e) = emit(c) {
                emit_err = Some(e);
            }
        }
    };
    let input: Box<dyn Read> = if stdin {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(f).with_context(|| format!("opening {}", f.display()))?)
    };
    let sum = if check {
        cleaner.clean_stream(input, io::sink(), sopts, &mut on_change)?
    } else if a.in_place {
        let dir = f
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::Builder::new()
            .prefix(".zhclean-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        let mut w = BufWriter::new(tmp);
        let sum = cleaner.clean_stream(input, &mut w, sopts, &mut on_change)?;
        let tmp = w.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        let perms = fs::metadata(f)?.permissions();
        fs::set_permissions(tmp.path(), perms)?;
        tmp.persist(f).map_err(|e| e.error)?;
        sum
    } else if let Some(dir) = &a.out_dir {
        fs::create_dir_all(dir)?;
        let name = if stdin {
            PathBuf::from("stdin.txt")
        } else {
            PathBuf::from(f.file_name().context("input has no file name")?)
        };
        write_atomic(&dir.join(name), |w| {
            cleaner.clean_stream(input, w, sopts, &mut on_change)
        })?
    } else if let Some(out) = &a.output {
        write_atomic(out, |w| {
            cleaner.clean_stream(input, w, sopts, &mut on_change)
        })?
    } else {
        let stdout = io::stdout();
        let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
        let sum = cleaner.clean_stream(input, &mut w, sopts, &mut on_change)?;
        w.flush()?;
        sum
    };
    if let Some(e) = emit_err {
        return Err(e).context("writing the report");
    }
    Ok(sum)
}

/// Write through a temporary file next to `path`, then rename it into place.
fn write_atomic<T>(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> zhclean::Result<T>,
) -> Result<T> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".zhclean-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    let mut w = BufWriter::new(tmp);
    let v = body(&mut w)?;
    let tmp = w.into_inner().map_err(|e| e.into_error())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(v)
}
