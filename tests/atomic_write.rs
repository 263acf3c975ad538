//! `--in-place` and `-o` never leave a truncated or half-written file, even when the
//! process is killed mid-write.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("zhclean")
}

#[test]
fn killing_an_in_place_run_leaves_the_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    // Traditional text, so the run has real work (conversion) to do.
    let line = "臺灣的軟體工程師說，這個程式碼需要認真測試與檢查。\n";
    let original = line.repeat(400_000); // ~28 MB
    std::fs::write(&path, &original).unwrap();
    let converted_len_hint = original.len();
    for delay_ms in [5u64, 40, 150] {
        let mut child = Command::new(bin())
            .arg("--in-place")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read(&path).unwrap();
        // Either untouched, or the complete output of an earlier finished run.
        assert!(
            now == original.as_bytes() || now.len() >= converted_len_hint * 9 / 10,
            "file was truncated to {} bytes after a kill at {delay_ms} ms",
            now.len()
        );
        assert!(std::str::from_utf8(&now).is_ok());
    }
    // No temporary files are left to be mistaken for output: only ours and maybe .zhclean-*.tmp
    // debris, which never replaces the target.
    let start = Instant::now();
    let status = Command::new(bin())
        .arg("--in-place")
        .arg(&path)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "a full run succeeds ({:?})",
        start.elapsed()
    );
}

#[test]
fn in_place_on_unprocessable_input_leaves_it_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("binary.dat");
    let bytes: Vec<u8> = (0u8..=255).cycle().take(10_000).collect();
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new(bin())
        .arg("--in-place")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary"));
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "binary.dat")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn in_place_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    std::fs::write(&path, "臺灣\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let st = Command::new(bin())
        .arg("--in-place")
        .arg(&path)
        .status()
        .unwrap();
    assert!(st.success());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

/// `-o` to a device or FIFO writes into it. Renaming a temporary file over it, as for a
/// regular file, replaced `-o /dev/null` with a regular file.
#[cfg(unix)]
#[test]
fn output_to_a_fifo_writes_into_it_and_keeps_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "臺灣的軟體\n").unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = Command::new(bin())
        .arg(&input)
        .arg("-o")
        .arg(&fifo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Checked first: a replaced FIFO never gets a writer, and the reader would wait.
    let ft = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(ft.is_fifo(), "the FIFO was replaced: {ft:?}");
    assert_eq!(reader.join().unwrap(), "台湾的软体\n");
}

/// `-o` and `--in-place` through a symlink replace its target and keep the link.
#[cfg(unix)]
#[test]
fn writing_through_a_symlink_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "臺灣的軟體\n").unwrap();
    let target = dir.path().join("target.txt");
    std::fs::write(&target, "old\n").unwrap();
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = |args: &[&std::path::Path]| {
        assert!(Command::new(bin()).args(args).status().unwrap().success());
        let ft = std::fs::symlink_metadata(&link).unwrap().file_type();
        assert!(ft.is_symlink(), "the link was replaced: {ft:?}");
        std::fs::read_to_string(&target).unwrap()
    };
    let o = std::path::Path::new("-o");
    assert_eq!(run(&[&input, o, &link]), "台湾的软体\n");
    std::fs::write(&target, "軟體\n").unwrap();
    assert_eq!(run(&[std::path::Path::new("--in-place"), &link]), "软体\n");
    // A dangling link: its target is created.
    std::fs::remove_file(&target).unwrap();
    assert_eq!(run(&[&input, o, &link]), "台湾的软体\n");
}
