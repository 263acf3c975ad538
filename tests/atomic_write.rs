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
