//! Golden test: every sample in samples/ (one per supported encoding, plus a file that
//! mixes UTF-8 and GBK lines) decodes to samples/expected/<name>, through the library,
//! through `zhclean --convert none`, and `zhclean detect` names the right encoding.
//! Samples and expectations come from scripts/gen_decode_samples.py.

use assert_cmd::Command;
use std::path::Path;
use zhclean::decode::{decode, DecodeOptions};

fn rows() -> Vec<(String, String, String)> {
    let tsv = std::fs::read_to_string("samples/expected/detect.tsv").unwrap();
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(Path::new("samples/expected").join(name)).unwrap()
}

#[test]
fn library_decodes_every_sample() {
    let rows = rows();
    assert!(rows.len() >= 14);
    for (name, enc, mixed) in rows {
        let input = std::fs::read(Path::new("samples").join(&name)).unwrap();
        let d = decode(&input, &DecodeOptions::default()).unwrap();
        assert_eq!(d.text, expected(&name), "{name}");
        assert!(d.malformed.is_empty(), "{name}");
        let encs: Vec<&str> = d.encodings().iter().map(|e| e.name()).collect();
        assert_eq!(encs.join(","), enc, "{name}");
        assert_eq!(d.mixed, mixed == "mixed", "{name}");
        // Segments tile the input and the text.
        let (mut b, mut t) = (0, 0);
        for s in &d.segments {
            assert_eq!((s.bytes.start, s.text.start), (b, t), "{name}");
            (b, t) = (s.bytes.end, s.text.end);
        }
        assert_eq!((b, t), (input.len(), d.text.len()), "{name}");
        // Every char boundary maps back to the input offset of that char.
        let enc_of = |p: usize| d.segments.iter().find(|s| s.text.contains(&p)).unwrap();
        for (p, _) in d.text.char_indices() {
            let seg = enc_of(p);
            let want =
                seg.bytes.start + seg.bom + seg.encoding.encoded_len(&d.text[seg.text.start..p]);
            assert_eq!(d.input_offset(p), want, "{name} at {p}");
        }
        assert_eq!(d.input_offset(d.text.len()), input.len(), "{name}");
    }
}

#[test]
fn mixed_file_segments_are_merged_lines() {
    let input = std::fs::read("samples/mixed-utf8-gbk.txt").unwrap();
    let d = decode(&input, &DecodeOptions::default()).unwrap();
    let names: Vec<&str> = d.segments.iter().map(|s| s.encoding.name()).collect();
    // Lines: utf8, gbk, ascii, gbk, utf8, utf8, gbk: the ASCII line joins the GBK run and
    // the two UTF-8 lines merge.
    assert_eq!(names, ["UTF-8", "GBK", "UTF-8", "GBK"]);
}

#[test]
fn binary_decodes_every_sample() {
    for (name, _, _) in rows() {
        let mut want = expected(&name);
        if name == "utf8-bom.txt" {
            want.insert(0, '\u{FEFF}'); // a UTF-8 BOM is kept on UTF-8 output
        }
        let out = Command::cargo_bin("zhclean")
            .unwrap()
            .args(["--convert", "none", "-q"])
            .arg(Path::new("samples").join(&name))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap(), want, "{name}");
    }
}

#[test]
fn detect_prints_encoding_confidence_and_mixed() {
    let rows = rows();
    let mut cmd = Command::cargo_bin("zhclean").unwrap();
    cmd.arg("detect");
    for (name, _, _) in &rows {
        cmd.arg(Path::new("samples").join(name));
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), rows.len());
    for (line, (name, enc, mixed)) in lines.iter().zip(&rows) {
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f[0].ends_with(name.as_str()), "{line}");
        let conf: f32 = f[2].parse().unwrap();
        assert!((0.5..=1.0).contains(&conf), "{line}");
        if mixed == "mixed" {
            assert_eq!(f[3], format!("mixed({enc})"), "{line}");
        } else {
            assert_eq!((f[1], f[3]), (enc.as_str(), "single"), "{line}");
        }
    }
}

#[test]
fn detect_refuses_binary_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.png");
    std::fs::write(&p, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10").unwrap();
    let out = Command::cargo_bin("zhclean")
        .unwrap()
        .arg("detect")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PNG"));
}

#[test]
fn from_overrides_and_force_accepts_binary() {
    // Big5 bytes forced through --from big5 and, wrongly, through --from gbk.
    let out = Command::cargo_bin("zhclean")
        .unwrap()
        .args([
            "--convert",
            "none",
            "-q",
            "--from",
            "big5",
            "samples/big5.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected("big5.txt"));
    let out = Command::cargo_bin("zhclean")
        .unwrap()
        .args([
            "--convert",
            "none",
            // The mojibake stage would repair Big5 read as GBK; this checks the decoder.
            "--mojibake",
            "off",
            "-q",
            "--from",
            "gbk",
            "samples/big5.txt",
        ])
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&out.stdout), expected("big5.txt"));

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.bin");
    std::fs::write(&p, b"abc\x00\x00\x00\x01\x02def").unwrap();
    let refused = Command::cargo_bin("zhclean")
        .unwrap()
        .args(["--convert", "none", "-q"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("binary"));
    let forced = Command::cargo_bin("zhclean")
        .unwrap()
        .args(["--convert", "none", "-q", "--force"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(forced.status.success());
}
