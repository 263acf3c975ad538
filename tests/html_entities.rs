//! HTML entity stage: decoded in plain text, left alone in markup (`auto`), always or
//! never with `on`/`off`. Cases: (input, expected with auto).

use zhclean::repair::Toggle;
use zhclean::{Cleaner, Config};

fn cleaner(mode: Toggle) -> Cleaner {
    let mut c = Config::decode_only();
    c.repair.html_entities = mode;
    Cleaner::new(c).expect("cleaner")
}

const CASES: &[(&str, &str)] = &[
    (
        "荣获第24届“中国青年五四奖章&rdquo;。",
        "荣获第24届“中国青年五四奖章”。",
    ),
    ("&ldquo;统筹推进&rdquo;", "“统筹推进”"),
    ("&amp;ldquo;双重转义&amp;rdquo;", "“双重转义”"),
    ("&amp;amp;quot;三重&amp;amp;quot;", "\"三重\""),
    ("&#20013;&#x6587;", "中文"),
    ("&#X6587; &#65;&#66;", "文 AB"),
    ("价格&nbsp;100&yen;", "价格\u{a0}100¥"),
    ("&hellip;&mdash;&middot;", "…—·"),
    ("破损的实体&rdquo 没有分号", "破损的实体” 没有分号"),
    ("五四獎章?rdquo;。", "五四獎章”。"),
    ("&#150; &#128;", "– €"),
    ("&NotEqualTilde; &fjlig;", "≂\u{338} fj"),
    // Not entities: left as they are.
    ("a=1&b=2&c=3", "a=1&b=2&c=3"),
    ("R&D 和 Q&A", "R&D 和 Q&A"),
    (
        "&nosuchentity; &#xD800; &#0; &#99999999;",
        "&nosuchentity; &#xD800; &#0; &#99999999;",
    ),
    ("why?rdquo; in ASCII context", "why?rdquo; in ASCII context"),
    (
        "关于提请全国人大制定<行政征用法>完善行政征用制度&rdquo;",
        "关于提请全国人大制定<行政征用法>完善行政征用制度”",
    ),
];

#[test]
fn entities_in_plain_text() {
    let c = cleaner(Toggle::Auto);
    for (input, expected) in CASES {
        let out = c.clean_str(input);
        assert_eq!(&out.text, expected, "input {input:?}");
        for ch in &out.changes {
            assert_eq!(ch.stage, "html");
            assert!(ch.confidence > 0.5 && ch.confidence <= 1.0);
        }
        // Decoding again changes nothing more.
        assert_eq!(
            c.clean_str(&out.text).text,
            out.text,
            "not idempotent: {input:?}"
        );
    }
}

#[test]
fn markup_is_left_alone_unless_forced() {
    let html = "<!DOCTYPE html>\n<html><body><p>&ldquo;你好&rdquo;</p></body></html>";
    assert_eq!(cleaner(Toggle::Auto).clean_str(html).text, html);
    assert_eq!(
        cleaner(Toggle::On).clean_str(html).text,
        "<!DOCTYPE html>\n<html><body><p>“你好”</p></body></html>"
    );
    let frag = "<div><p>a &amp; b</p><br/></div>";
    assert_eq!(cleaner(Toggle::Auto).clean_str(frag).text, frag);
    assert_eq!(cleaner(Toggle::Off).clean_str("&rdquo;").text, "&rdquo;");
}

#[test]
fn seed_angle_brackets_are_not_markup() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seed/seed.txt");
    let Ok(seed) = std::fs::read_to_string(path) else {
        eprintln!("skipping: {path} not found");
        return;
    };
    assert!(!zhclean::repair::html::looks_like_markup(&seed));
    // Once the pinyin repair has put the entity back, it decodes.
    let repaired = seed.replace("獎(jiǎng)?wù)?rdquo;", "獎章&rdquo;");
    let out = cleaner(Toggle::Auto).clean_str(&repaired);
    assert!(out.text.contains("五四獎章”"), "{}", out.text);
    assert!(out.text.contains("<行政征用法>"));
}
