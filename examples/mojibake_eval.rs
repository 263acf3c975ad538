//! Run the repair stages alone over a JSON array of cases (`[{"input": ...}, ...]`) and
//! print a JSON array of outputs. Used by `scripts/eval-mojibake.py`.
//!
//! `cargo run --release --example mojibake_eval -- tests/cases/mojibake/synthetic.json`

use zhclean::repair::Toggle;
use zhclean::{Cleaner, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: mojibake_eval CASES.json")?;
    let cases: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let mut config = Config::decode_only();
    config.repair.mojibake = true;
    config.repair.html_entities = Toggle::On;
    let cleaner = Cleaner::new(config)?;
    let mut outs = Vec::with_capacity(cases.len());
    for c in &cases {
        let input = c["input"].as_str().unwrap_or("");
        let r = cleaner.clean_str(input);
        let kinds: Vec<String> = r.changes.iter().map(|c| format!("{:?}", c.kind)).collect();
        outs.push(serde_json::json!({"output": r.text, "kinds": kinds}));
    }
    println!("{}", serde_json::to_string(&outs)?);
    Ok(())
}
