use std::io::Read;
use zhclean::convert::{ConvertOptions, Converter};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let c = Converter::new(ConvertOptions {
        config: a[1].parse().unwrap(),
        protect_simplified: a.get(2).map(|s| s != "exact").unwrap_or(true),
        ..ConvertOptions::default()
    })
    .unwrap();
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    print!("{}", c.convert(&s));
}
