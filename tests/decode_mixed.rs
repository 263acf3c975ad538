//! Mixed files, damaged files, and CJK neighbours (Japanese, Korean) that must not be
//! forced into GBK.

use zhclean::decode::{decode, DecodeOptions, Decoded};

fn dec(b: &[u8]) -> Decoded {
    decode(b, &DecodeOptions::default()).unwrap()
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

fn names(d: &Decoded) -> Vec<&'static str> {
    d.segments.iter().map(|s| s.encoding.name()).collect()
}

#[test]
fn mostly_gbk_with_one_utf8_line() {
    let mut b = Vec::new();
    for i in 0..50 {
        b.extend(gbk(&format!(
            "第{i}行：这是旧系统导出的GBK文本，内容很普通。\n"
        )));
    }
    b.extend("插入的一行UTF-8：你好\n".as_bytes());
    b.extend(gbk("最后一行。\n"));
    let d = dec(&b);
    assert!(d.text.contains("插入的一行UTF-8：你好\n最后一行。\n"));
    assert!(d.text.starts_with("第0行"));
    assert!(d.mixed);
    assert_eq!(names(&d), ["GBK", "UTF-8", "GBK"]);
    assert!(d.malformed.is_empty());
}

#[test]
fn big5_lines_in_a_gbk_file_are_big5() {
    // GBK decodes these Big5 lines without an error (into its private-use areas).
    let big5 = |s: &str| encoding_rs::BIG5.encode(s).0.into_owned();
    let mut b = Vec::new();
    let mut want = String::new();
    for i in 0..20 {
        let (g, t) = (
            format!("第{i}行：这是简体中文的评论，质量很好。\n"),
            format!("第{i}行：這本書的內容很豐富，值得推薦給朋友們。\n"),
        );
        b.extend(gbk(&g));
        b.extend(big5(&t));
        want.push_str(&g);
        want.push_str(&t);
    }
    let d = dec(&b);
    assert_eq!(d.text, want);
    assert!(d.mixed);
    assert_eq!(names(&d)[..4], ["GBK", "Big5", "GBK", "Big5"]);
    // Bopomofo in a Big5 file is Big5 all the same.
    let t = "注音符號：ㄅㄆㄇㄈ，這是臺灣的小學課本。\n".repeat(5);
    let d = dec(&big5(&t));
    assert_eq!((d.text.as_str(), d.mixed), (t.as_str(), false));
}

#[test]
fn mostly_utf8_with_short_gbk_lines() {
    let mut b = Vec::new();
    let mut want = String::new();
    for i in 0..30 {
        let utf8 = format!("第{i}行是UTF-8。\n");
        b.extend(utf8.as_bytes());
        want.push_str(&utf8);
        if i % 10 == 3 {
            b.extend(gbk("短行\n"));
            want.push_str("短行\n");
        }
    }
    let d = dec(&b);
    assert_eq!(d.text, want);
    assert!(d.mixed);
}

#[test]
fn utf8_with_one_broken_byte_stays_utf8() {
    let mut b = "前面的文字都是正常的UTF-8中文，".as_bytes().to_vec();
    b.push(0xff);
    b.extend("后面也一样正常。\n第二行。\n".as_bytes());
    let d = dec(&b);
    assert_eq!(
        d.text,
        "前面的文字都是正常的UTF-8中文，\u{FFFD}后面也一样正常。\n第二行。\n"
    );
    assert_eq!(names(&d), ["UTF-8"]);
    assert!(!d.mixed);
    assert_eq!(d.malformed.len(), 1);
    let m = d.malformed[0].clone();
    let at = "前面的文字都是正常的UTF-8中文，".len();
    assert_eq!(d.input_range(m), at..at + 1);
}

#[test]
fn crlf_and_missing_final_newline_survive() {
    let s = "第一行，GBK。\r\n第二行没有换行符";
    let d = dec(&gbk(s));
    assert_eq!(d.text, s);
}

#[test]
fn japanese_and_korean_short_strings() {
    for (s, enc) in [
        ("ありがとうございます", encoding_rs::SHIFT_JIS),
        ("東京は雨です", encoding_rs::SHIFT_JIS),
        ("ありがとうございます", encoding_rs::EUC_JP),
        ("今日は天気が良い", encoding_rs::EUC_JP),
        ("감사합니다", encoding_rs::EUC_KR),
        ("오늘 날씨가 좋네요", encoding_rs::EUC_KR),
    ] {
        let (b, _, bad) = enc.encode(s);
        assert!(!bad);
        let d = dec(&b);
        assert_eq!(d.text, s, "{} read as {}", enc.name(), d.encoding().name());
    }
}

#[test]
fn western_and_cyrillic_code_pages() {
    let fr = "Le café est très bon, même à Noël.";
    let d = dec(&encoding_rs::WINDOWS_1252.encode(fr).0);
    assert_eq!(d.text, fr);
    let ru = "Сегодня хорошая погода, и мы пошли гулять в парк. Вечером будем пить чай.";
    let d = dec(&encoding_rs::WINDOWS_1251.encode(ru).0);
    assert_eq!(d.text, ru);
}

#[test]
fn big_gbk_file_offsets_use_anchors() {
    let mut s = String::new();
    for i in 0..2000 {
        s.push_str(&format!("第{i}行，内容。\n"));
    }
    let b = gbk(&s);
    let d = dec(&b);
    assert_eq!(d.text, s);
    assert!(d.anchors.len() > 2);
    let p = s.find("第1999行").unwrap();
    let want = gbk(&s[..p]).len();
    assert_eq!(d.input_offset(p), want);
}

#[test]
fn stream_decodes_gbk_and_utf16() {
    use zhclean::stream::StreamOptions;
    use zhclean::{Cleaner, Config};
    let cleaner = Cleaner::new(Config::decode_only()).unwrap();
    let s = "流式处理：GBK 与 UTF-16。\n".repeat(200);
    for bytes in [
        gbk(&s),
        s.encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect::<Vec<u8>>(),
    ] {
        let mut out = Vec::new();
        let opts = StreamOptions {
            chunk_size: 1024,
            ..StreamOptions::default()
        };
        cleaner
            .clean_stream(&bytes[..], &mut out, &opts, &mut |_| {})
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), s);
    }
}

#[test]
fn short_utf8_in_other_scripts_stays_utf8() {
    // Each of these once lost to a CJK reading of its bytes.
    for w in [
        "άλλο",
        "άλλα",
        "αλλα",
        "phương",
        "chơi chương",
        "भारत",
        "तब",
        "भाषा",
        "सहायता",
        "दिशा",
        "शराब",
        "राशि",
        "café",
        "Привет",
        "감사합니다",
        "ありがとう",
        "naïve",
    ] {
        let d = dec(w.as_bytes());
        assert_eq!((d.text.as_str(), d.encoding().name()), (w, "UTF-8"));
    }
}

#[test]
fn gbk_line_that_is_valid_utf8_stays_gbk() {
    // GBK 窠巢 is F1 BD B3 B2: also a valid (unassigned) four-byte UTF-8 sequence.
    let mut b = Vec::new();
    for w in ["鸟儿", "窠巢", "树枝", "窠巢"] {
        b.extend(gbk(w));
        b.push(b'\n');
    }
    b.extend("一行UTF-8文字\n".as_bytes());
    let d = dec(&b);
    assert_eq!(d.text, "鸟儿\n窠巢\n树枝\n窠巢\n一行UTF-8文字\n");
}
