//! The optional `libopencc` engine (cargo feature `libopencc`, system OpenCC 1.1.x).
//! Run by `.ci/libopencc-tests.sh`.
#![cfg(feature = "libopencc")]

use zhclean::convert::{ConvertOptions, Converter, Engine, OpenccConfig};
use zhclean::report::Edits;
use zhclean::stage::{DocState, Stage};

fn lib(cfg: OpenccConfig) -> Converter {
    Converter::new(ConvertOptions {
        config: cfg,
        engine: Engine::LibOpencc,
        ..ConvertOptions::default()
    })
    .expect("system OpenCC config")
}

#[test]
fn converts_through_system_opencc() {
    let c = lib(OpenccConfig::T2s);
    assert_eq!(c.convert("這是一個測試。\n頭髮"), "这是一个测试。\n头发");
    assert_eq!(lib(OpenccConfig::S2t).convert("头发"), "頭髮");
    assert_eq!(lib(OpenccConfig::Tw2sp).convert("滑鼠"), "鼠标");
}

#[test]
fn agrees_with_builtin_on_common_text() {
    // OpenCC 1.1.6 has older dictionaries; on everyday text the engines agree.
    let text = "這是一個測試，我們的電腦和書都很好。\n他說：「沒問題。」";
    let builtin = Converter::new(ConvertOptions::default()).unwrap();
    assert_eq!(lib(OpenccConfig::T2s).convert(text), builtin.convert(text));
}

#[test]
fn stage_records_changes() {
    let c = lib(OpenccConfig::T2s);
    let text = "abc 這個 def";
    let mut e = Edits::new();
    c.apply(text, &mut DocState::default(), &mut e);
    let v: Vec<_> = e
        .list()
        .into_iter()
        .map(|e| (text[e.range.clone()].to_owned(), e.replacement))
        .collect();
    assert_eq!(v, vec![("這個".to_owned(), "这个".to_owned())]);
}

#[test]
fn user_dict_is_rejected() {
    let r = Converter::new(ConvertOptions {
        engine: Engine::LibOpencc,
        user_dict: vec![("a".into(), "b".into())],
        ..ConvertOptions::default()
    });
    assert!(r.is_err());
}
