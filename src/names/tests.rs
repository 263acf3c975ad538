use super::*;

fn run_opts(o: NamesOptions, text: &str) -> (String, Vec<Edit>) {
    crate::stage::run_stage(&Unifier { options: o }, text)
}

fn run(text: &str) -> (String, Vec<Edit>) {
    run_opts(NamesOptions::default(), text)
}

fn fixes(e: &[Edit]) -> usize {
    e.iter().filter(|e| e.kind == ChangeKind::Fix).count()
}

fn suspects(e: &[Edit]) -> usize {
    e.iter().filter(|e| e.kind == ChangeKind::Suspect).count()
}

const SEEDLIKE: &str = "来自医卫系统的朱佳清、唐光政2名社员驰援湖北。日前,朱佳清荣获奖章。\
其中《九三学社社员朱家清这段哽咽自述让人泪目》点击量达7000多。其中“朱佳清前方语音自述”在多家媒体发布。";

#[test]
fn minority_form_is_unified() {
    let (out, e) = run(SEEDLIKE);
    assert_eq!(out, SEEDLIKE.replace("朱家清", "朱佳清"));
    assert_eq!(fixes(&e), 1);
    let r = &e[0].reason;
    assert!(r.contains("朱佳清×3") && r.contains("朱家清×1"), "{r}");
    assert!(r.contains("same pinyin"), "{r}");
}

#[test]
fn unified_text_is_stable() {
    let (out, _) = run(SEEDLIKE);
    let (again, e) = run(&out);
    assert_eq!(again, out);
    assert!(e.is_empty(), "{e:?}");
}

#[test]
fn tie_is_only_reported() {
    let t = "记者王晓明报道。王晓明说今天很好。记者王小明报道。王小明表示同意。";
    let (out, e) = run(t);
    assert_eq!(out, t);
    assert_eq!(fixes(&e), 0);
    assert!(suspects(&e) >= 1, "{e:?}");
    assert!(e.iter().all(|e| e.reason.contains("王晓明×2")));
}

#[test]
fn two_people_in_one_sentence_stay() {
    let t = "张伟和张玮都来了。张伟说他很高兴。张伟表示会继续努力。";
    let (out, e) = run(t);
    assert_eq!(out, t);
    assert_eq!(fixes(&e), 0);
    assert_eq!(suspects(&e), 1);
}

/// An ASCII `!` ends a sentence too: across it the two spellings are one person.
#[test]
fn ascii_exclamation_ends_a_sentence() {
    let t = "张伟来了!张玮说他很高兴。张伟说他很高兴。张伟表示会继续努力。";
    let (out, e) = run(t);
    assert_eq!(out, t.replace("张玮", "张伟"), "{e:?}");
    let same = t.replace('!', ",");
    let (out, e) = run(&same);
    assert_eq!(out, same);
    assert_eq!(fixes(&e), 0);
}

#[test]
fn two_people_with_different_titles_stay() {
    let t = "村民张伟说今年收成好。张伟表示很满意。张伟笑着说明年再来。民警张玮介绍了情况。";
    let (out, e) = run(t);
    assert_eq!(out, t);
    assert_eq!(fixes(&e), 0);
}

#[test]
fn ordinary_words_are_not_names() {
    // 高兴 is a word; 高星 differs by one homophone char but must not become 高兴.
    let t = "大家都很高兴。我也很高兴。高兴的事。队员高星说了几句。";
    let (out, e) = run(t);
    assert_eq!(out, t);
    assert!(e.is_empty(), "{e:?}");
    let t = "权力和权利不同。权力要监督。权力属于人民。";
    assert!(run(t).1.is_empty());
}

#[test]
fn no_context_cue_no_change() {
    // Looks like surname + given, but nothing says it is a person.
    let t = "江南春色好，江南春色浓，江南椿树高。";
    let (out, e) = run(t);
    assert_eq!(out, t);
    assert_eq!(fixes(&e), 0);
}

#[test]
fn two_char_name() {
    let t = "邹涛说，会议很成功。邹涛指出要加强合作。随后邹滔强调了三点。";
    let (out, e) = run(t);
    assert_eq!(out, t.replace("邹滔", "邹涛"));
    assert_eq!(fixes(&e), 1);
}

#[test]
fn longer_name_wins_over_its_prefix() {
    // The name is 朱佳清; the place 朱家角 is not a variant of 朱佳.
    let t = "社员朱佳清说。朱佳清表示。朱佳清指出。他们去了朱家角。";
    let (out, e) = run(t);
    assert_eq!(out, t);
    assert!(e.is_empty(), "{e:?}");
}

#[test]
fn look_alike_chars() {
    let t = "教授李克己说。李克己表示。李克己指出。记者采访了李克已。";
    let (out, e) = run(t);
    assert_eq!(out, t.replace("李克已", "李克己"));
    assert!(e[0].reason.contains("look-alike"), "{}", e[0].reason);
}

#[test]
fn traditional_text() {
    let t = "記者張志偉報道。張志偉說，會議很成功。張志偉表示滿意。隨後張志緯強調了合作。";
    let (out, e) = run(t);
    assert_eq!(out, t.replace("張志緯", "張志偉"));
    assert_eq!(fixes(&e), 1);
}

#[test]
fn compound_surname() {
    let t = "教授欧阳明说。欧阳明表示。欧阳明指出。欧阳铭强调。";
    let (out, e) = run(t);
    assert_eq!(out, t.replace("欧阳铭", "欧阳明"));
    assert_eq!(fixes(&e), 1);
}

#[test]
fn weak_majority_is_reported() {
    // 3 against 2: more, but not twice as many.
    let t = "王晓明说。王晓明表示。王晓明指出。王小明说。王小明表示。";
    let (out, e) = run(t);
    assert_eq!(out, t);
    assert_eq!(fixes(&e), 0);
    assert_eq!(suspects(&e), 2);
}

#[test]
fn report_mode_changes_nothing() {
    let o = NamesOptions {
        mode: NamesMode::Report,
        ..Default::default()
    };
    let (out, e) = run_opts(o, SEEDLIKE);
    assert_eq!(out, SEEDLIKE);
    assert_eq!(suspects(&e), 1);
    assert!(e[0].reason.contains("would change to 朱佳清"));
}

#[test]
fn canonical_wins_even_in_minority() {
    let t = "社员朱家清说。朱家清表示。朱家清指出。朱佳清强调。";
    let o = NamesOptions {
        canonical: vec!["朱佳清".into()],
        ..Default::default()
    };
    let (out, e) = run_opts(o, t);
    assert_eq!(out, t.replace("朱家清", "朱佳清"));
    assert_eq!(fixes(&e), 3);
    // Without the file, the majority would win instead.
    assert_eq!(run(t).0, t.replace("朱佳清", "朱家清"));
}

#[test]
fn explicit_pairs() {
    let t = "小王和王二说。王二表示。";
    let o = NamesOptions {
        variants: vec![("王二".into(), "王尔".into())],
        ..Default::default()
    };
    let (out, e) = run_opts(o, t);
    assert_eq!(out, "小王和王尔说。王尔表示。");
    assert_eq!(fixes(&e), 2);
}

#[test]
fn no_cjk_fast_path() {
    let (out, e) = run("plain ASCII text, nothing to see");
    assert!(e.is_empty());
    assert_eq!(out, "plain ASCII text, nothing to see");
}

#[test]
fn apply_without_observe_plans_itself() {
    let u = Unifier::default();
    let mut doc = Doc::default();
    let mut ed = Edits::new();
    u.apply(SEEDLIKE, &mut doc, &mut ed);
    assert_eq!(ed.len(), 1);
}

#[test]
fn candidates_single_and_compound() {
    let t = tables();
    let mut got = Vec::new();
    candidates_at(&['欧', '阳', '修', '说'], t, |k| got.push(k.string()));
    assert_eq!(got, ["欧阳", "欧阳修", "欧阳修说"]);
    got.clear();
    candidates_at(&['朱', '佳', '清', '。'], t, |k| got.push(k.string()));
    assert_eq!(got, ["朱佳", "朱佳清"]);
    got.clear();
    candidates_at(&['朱', '，'], t, |k| got.push(k.string()));
    assert!(got.is_empty());
}

#[test]
fn similarity_rules() {
    let t = tables();
    assert_eq!(similar('佳', '家', t), Some("same pinyin"));
    assert_eq!(similar('己', '已', t), Some("look-alike"));
    assert_eq!(similar('未', '末', t), Some("look-alike"));
    assert_eq!(similar('佳', '明', t), None);
    assert_eq!(similar('佳', '佳', t), None);
}

#[test]
fn title_after_and_spaced_byline() {
    let t = "记者 邹涛报道。邹涛主任说，会议很成功。邹涛指出要加强合作。随后邹滔强调了三点。";
    let (out, e) = run(t);
    assert_eq!(out, t.replace("邹滔", "邹涛"));
    assert_eq!(fixes(&e), 1);
    assert!(e[0].reason.contains("context cues"));
}

#[test]
fn another_surname_is_another_family() {
    // 沈 has an old reading chén: still another family than 陈.
    let t = "陈老说。陈老表示。陈老指出。沈老强调。";
    assert_eq!(fixes(&run(t).1), 0);
}

#[test]
fn script_forms_are_not_variants() {
    // 勞/劳 are one char in two scripts: conversion's business, not a name slip.
    let t = "店长麦当劳说。麦当劳表示。麦当劳指出。麦当勞强调。";
    assert_eq!(fixes(&run(t).1), 0);
}

#[test]
fn word_like_surname_needs_a_title() {
    // 时 is mostly "when": 时才说 is not a person, even with a verb after.
    let t = "到了时才说。回家时才说。下班时才表示。出门时踩说。";
    assert_eq!(fixes(&run(t).1), 0);
    // With a title it is a name like any other.
    let t = "教授时文清说。时文清表示。时文清指出。时文青强调。";
    assert_eq!(run(t).0, t.replace("时文青", "时文清"));
}

#[test]
fn uses_across_word_boundaries_are_no_evidence() {
    // 小熊生日: 生日 is a word, so 熊生 there is not a name.
    let t = "小熊生日快乐。小熊生日蛋糕。小熊生日到了。有位熊姓教授说。";
    assert_eq!(fixes(&run(t).1), 0);
}

#[test]
fn settles_in_one_run() {
    // Found by the property test: fixing 朱家清 makes 朱佳清 a majority of its own, which
    // settles 朱嘉清 too. One run must do both, so a second run changes nothing.
    for t in [
        "朱佳记者朱嘉清\n朱家清\n朱佳清",
        "朱嘉清朱嘉清\n朱佳清教授。朱家清朱佳",
    ] {
        let (once, _) = run(t);
        let (twice, e) = run(&once);
        assert_eq!(twice, once, "{t}");
        assert_eq!(fixes(&e), 0, "{e:?}");
    }
}

/// A small deterministic generator for the randomized checks below.
fn lcg(state: &mut u64) -> usize {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 33) as usize
}

/// Random text from pieces that make names, titles, verbs, enumerations and spaces.
fn random_text(seed: u64, pieces: usize) -> String {
    const P: &[&str] = &[
        "朱", "佳", "家", "清", "王", "明", "鸣", "欧阳", "修", "记者", "社员", "主任", "说",
        "表示", "、", " ", "\u{3000}", "。", "“", "”", "\n", "a", "é", "𠀀", "的", "高兴",
    ];
    let mut s = seed;
    (0..pieces).map(|_| P[lcg(&mut s) % P.len()]).collect()
}

fn tallies(c: &Counts) -> Vec<(u64, u32)> {
    let mut v: Vec<_> = c.map.iter().filter(|&(_, n)| n > 0).collect();
    v.sort_unstable();
    v
}

/// The cue tallies of every counted spelling.
fn all_cues(text: &str, c: &Counts) -> Vec<(u64, Cues)> {
    let keys = tallies(c).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
    let mut cues = HashMap::default();
    count_cues(text, tables(), &c.starts, &keys, &mut cues);
    let mut v: Vec<_> = cues.into_iter().collect();
    v.sort_unstable_by_key(|x| x.0);
    v
}

fn counted(text: &str) -> Counts {
    let mut c = Counts::default();
    count_candidates(text, tables(), &mut c);
    c
}

#[test]
fn scan_finds_the_same_starts_as_decoding() {
    let t = tables();
    // Texts of 60 pieces (about 130 bytes) and of 300: word by word, and 64-byte blocks
    // and then words where the CPU can.
    for seed in 0..400 {
        let text = random_text(seed, if seed % 2 == 0 { 60 } else { 300 });
        let want: Vec<(usize, char)> = text
            .char_indices()
            .filter(|&(_, c)| ('\u{3000}'..='\u{9FFF}').contains(&c) && bit_get(&t.start, c))
            .collect();
        for simd in [None, crate::scan::Simd::get()] {
            let mut got = Vec::new();
            scan_bmp_with(simd, &text, &t.start_bmp, |p, c| got.push((p, c)));
            assert_eq!(got, want, "{text:?}");
        }
    }
}

#[test]
fn recount_matches_a_fresh_count() {
    // Same-length replacements of Han chars anywhere: counting only around them must
    // give what counting the whole new text gives (the flags read up to 9 chars ahead
    // and 6 back, past spaces).
    const P: &[&str] = &[
        "朱",
        "佳",
        "清",
        "王",
        "明",
        "欧阳",
        "修",
        // A compound surname whose first char is no surname alone: `东` is no start
        // unless `方` follows.
        "东方",
        "东",
        "方",
        "作曲家",
        "副主任",
        "总经理",
        "记者",
        "说",
        "、",
        " ",
        "\u{3000}",
        "。",
        "\n",
    ];
    let han = [
        '朱', '佳', '王', '作', '曲', '家', '副', '任', '总', '经', '理', '者', '说', '记', '方',
    ];
    let t = tables();
    for seed in 0..3000 {
        let mut s = seed;
        let text: String = (0..25).map(|_| P[lcg(&mut s) % P.len()]).collect();
        let pos: Vec<(usize, char)> = text
            .char_indices()
            .filter(|&(_, c)| c.len_utf8() == 3 && is_han(c))
            .collect();
        if pos.is_empty() {
            continue;
        }
        let mut edits: Vec<Edit> = Vec::new();
        for _ in 0..1 + lcg(&mut s) % 3 {
            let (p, _) = pos[lcg(&mut s) % pos.len()];
            if edits.iter().any(|e| e.range.start == p) {
                continue;
            }
            edits.push(Edit {
                range: p..p + 3,
                replacement: han[lcg(&mut s) % han.len()].to_string(),
                confidence: 1.0,
                kind: ChangeKind::Fix,
                reason: "test".into(),
            });
        }
        let mut counts = counted(&text);
        let mut spans: Vec<Range<usize>> = edits.iter().map(|e| e.range.clone()).collect();
        let regions = Counts::regions(&text, &mut spans);
        let mut spare = Vec::new();
        let mut touched = Vec::new();
        counts.recount(&text, &regions, -1, t, &mut spare, &mut touched);
        let mut cur = text.clone();
        for e in &edits {
            cur.replace_range(e.range.clone(), &e.replacement);
        }
        counts.recount(&cur, &regions, 1, t, &mut spare, &mut touched);
        let fresh = counted(&cur);
        assert_eq!(tallies(&counts), tallies(&fresh), "{text:?} -> {cur:?}");
        assert_eq!(counts.starts, fresh.starts, "{text:?} -> {cur:?}");
        // The cues of a spelling counted nowhere in the regions stay as they were.
        let (old, new) = (all_cues(&text, &counted(&text)), all_cues(&cur, &fresh));
        for (k, c) in &new {
            if !touched.contains(k) {
                let was = old.iter().find(|(o, _)| o == k).map(|x| x.1);
                assert_eq!(
                    was,
                    Some(*c),
                    "{text:?} -> {cur:?}: {}",
                    Key::unpack(*k).string()
                );
            }
        }
    }
}

#[test]
fn strong_cues_are_counted_wherever_the_context_pass_sees_them() {
    // The context pass is skipped for groups without a counted strong cue: every
    // occurrence it would call named must have been counted so.
    let t = tables();
    for seed in 0..300 {
        let text = random_text(seed, 80);
        let counts = counted(&text);
        let want: HashSet<Key, Fx> = counts
            .map
            .iter()
            .filter(|&(_, n)| n > 0)
            .map(|(k, _)| Key::unpack(k))
            .collect();
        let cues: HashMap<u64, Cues> = all_cues(&text, &counts).into_iter().collect();
        let mut occs = HashMap::default();
        collect_occurrences(&text, t, &want, &counts.starts, &mut occs);
        for (k, os) in &occs {
            let named = cues.get(&k.pack()).map_or(0, |v| v.named);
            for o in os {
                let strong = o.strong || o.role.is_some() || (k.len >= 3 && o.enumeration);
                assert!(!strong || named > 0, "{text:?}: {}", k.string());
            }
        }
    }
}

#[test]
fn key_map_inserts_grows_and_resets() {
    let mut m: KeyMap<u32> = KeyMap::with_capacity(2);
    for k in 1..=1000u64 {
        *m.entry(k * 0x1_0001) += k as u32;
    }
    assert_eq!(m.len(), 1000);
    assert_eq!(m.get(0x1_0001 * 7), Some(7));
    assert_eq!(m.get(3), None);
    assert_eq!(m.get(0), None);
    assert_eq!(m.iter().count(), 1000);
    m.reset(4);
    assert_eq!((m.len(), m.get(0x1_0001 * 7)), (0, None));
}

#[test]
fn packed_keys_behave_like_keys() {
    for s in ["朱佳", "朱佳清", "欧阳修", "欧阳修明"] {
        let k = Key::from_str(s).unwrap();
        let p = k.pack();
        assert_eq!(Key::unpack(p), k);
        assert_eq!(plen(p), k.len as usize);
        assert_eq!(pchars(p)[..plen(p)], *k.chars());
        let shorter = Key::new(&k.chars()[..k.len as usize - 1]);
        assert_eq!(pprefix(p), shorter.pack());
        assert_eq!(k.pack_exact(), Some(p));
    }
    // Packing keeps the order of keys.
    let a = Key::from_str("朱佳").unwrap();
    let b = Key::from_str("朱佳清").unwrap();
    assert_eq!(a < b, a.pack() < b.pack());
    assert_eq!(Key::from_str("朱\u{10000}").unwrap().pack_exact(), None);
}

#[test]
fn feature_codes_agree_with_similar() {
    let t = tables();
    let f = features();
    let cs: Vec<char> = "佳家嘉清青晴己已巳未末土士王玉季李秀问间明鸣铭涛滔楊揚"
        .chars()
        .collect();
    for &a in &cs {
        for &b in &cs {
            if a == b {
                continue;
            }
            let (fa, fb) = (f.get(a), f.get(b));
            let shared = fa.iter().any(|&x| x != 0 && fb.contains(&x));
            assert_eq!(shared, similar(a, b, t).is_some(), "{a}{b}");
        }
    }
}

#[test]
fn compound_surnames_have_feature_codes() {
    // Every char of a candidate spelling must lie in the feature table.
    for [a, b] in tables().compound.iter() {
        assert!(
            features().get(*a) != [0; 2] || tables::readings(*a).is_empty(),
            "{a}"
        );
        assert!(
            features().get(*b) != [0; 2] || tables::readings(*b).is_empty(),
            "{b}"
        );
    }
}

/// Plan `text` with incremental later rounds (the default) or every round from scratch.
fn plan_rounds(options: &NamesOptions, text: &str, full: bool) -> Vec<Edit> {
    SCRATCH.with(|c| c.borrow_mut().full_rounds = full);
    let u = Unifier {
        options: options.clone(),
    };
    let edits = u.plan(text);
    SCRATCH.with(|c| c.borrow_mut().full_rounds = false);
    edits
}

#[test]
fn incremental_rounds_plan_like_full_ones() {
    // Name-dense text where fixes are common, so later rounds run often.
    const P: &[&str] = &[
        "朱佳清",
        "朱家清",
        "朱嘉清",
        "朱佳",
        "朱家",
        "李克己",
        "李克已",
        "张伟",
        "张玮",
        "章伟",
        "王晓明",
        "王小明",
        "王明",
        "王鸣",
        "欧阳修",
        "欧阳秀",
        "记者",
        "社员",
        "教授",
        "说",
        "表示",
        "、",
        "，",
        "。",
        "《",
        "》",
        "“",
        "”",
        "高兴",
        "朱家角",
        "的",
        "\n",
        " ",
    ];
    let mut later_rounds = 0;
    let patched = SCRATCH.with(|c| c.borrow().patched);
    for seed in 0..3000u64 {
        let mut st = seed;
        let n = 20 + lcg(&mut st) % 120;
        let text: String = if seed % 3 == 0 {
            random_text(seed, n)
        } else {
            (0..n).map(|_| P[lcg(&mut st) % P.len()]).collect()
        };
        // Some runs also turn full stops into commas (a names-file pair may replace any
        // text): sentences then change between rounds.
        let mut o = NamesOptions::default();
        if seed % 4 == 1 {
            o.variants.push(("。".into(), "，".into()));
        }
        let inc = plan_rounds(&o, &text, false);
        let full = plan_rounds(&o, &text, true);
        assert_eq!(inc, full, "{text:?}");
        // The document itself as the later rounds' text: the same plan, and the
        // document as it was.
        let mut own = text.clone();
        let u = Unifier { options: o.clone() };
        assert_eq!(u.plan_doc(&mut DocText::Owned(&mut own)), inc, "{text:?}");
        assert_eq!(own, text);
        later_rounds += usize::from(inc.iter().any(|e| e.kind == ChangeKind::Fix));
    }
    // The comparison must have exercised later rounds (one follows every fix), most of
    // them patched.
    let patched = SCRATCH.with(|c| c.borrow().patched) - patched;
    assert!(
        later_rounds > 200 && patched * 2 > later_rounds,
        "{later_rounds} {patched}"
    );
}

#[test]
fn patched_stats_and_rechecked_majors_match_fresh_ones() {
    // Names with their prefixes and extensions (so `best_ext`, `suffix_max` and the
    // prefix counts matter), edited by random same-length Han replacements.
    const P: &[&str] = &[
        "朱佳清",
        "朱佳",
        "朱家清",
        "朱家",
        "佳清",
        "家清",
        "欧阳修",
        "欧阳秀",
        "欧阳",
        "王明",
        "王明清",
        "明清",
        "黄金明",
        "金明",
        "记者",
        "说",
        "、",
        "。",
        "\n",
        "的",
    ];
    let han = [
        '朱', '佳', '家', '清', '王', '明', '黄', '金', '欧', '阳', '修', '秀', '的',
    ];
    let t = tables();
    let mut checked = 0;
    for seed in 0..3000u64 {
        let mut st = seed;
        let n = 10 + lcg(&mut st) % 60;
        let text: String = (0..n).map(|_| P[lcg(&mut st) % P.len()]).collect();
        let pos: Vec<usize> = text
            .char_indices()
            .filter(|&(_, c)| is_han(c))
            .map(|(i, _)| i)
            .collect();
        let mut counts = counted(&text);
        let mut s = Scratch::default();
        let old = Stats::new(&counts.map, &mut s);
        let major = |k: u64, st: &Stats| st.count(k) >= 2 && eligible(k, st, t);
        let before: Vec<(u64, bool)> = counts
            .map
            .iter()
            .map(|(k, _)| (k, major(k, &old)))
            .collect();
        (s.best_ext, s.suffix_max) = (old.best_ext, old.suffix_max);
        let mut spans: Vec<Range<usize>> = Vec::new();
        for _ in 0..1 + lcg(&mut st) % 3 {
            let p = pos[lcg(&mut st) % pos.len()];
            if !spans.iter().any(|r| r.start == p) {
                spans.push(p..p + 3);
            }
        }
        let edits: Vec<(Range<usize>, char)> = spans
            .iter()
            .map(|r| (r.clone(), han[lcg(&mut st) % han.len()]))
            .collect();
        let regions = Counts::regions(&text, &mut spans);
        let mut spare = Vec::new();
        counts.recount(&text, &regions, -1, t, &mut spare, &mut s.delta);
        let mut cur = text.clone();
        for (r, c) in &edits {
            cur.replace_range(r.clone(), &c.to_string());
        }
        counts.recount(&cur, &regions, 1, t, &mut spare, &mut s.delta);
        s.delta.sort_unstable();
        s.delta.dedup();
        let (patched, recheck) = Stats::patch(&counts.map, &mut s);
        let fresh_counts = counted(&cur);
        let fresh = Stats::new(&fresh_counts.map, &mut Scratch::default());
        for (k, _) in fresh_counts.map.iter().chain(counts.map.iter()) {
            let ext = |st: &Stats| st.best_ext.get(k).filter(|e| e.0 != 0);
            let suf = |st: &Stats| st.suffix_max.get(k).filter(|&m| m != 0);
            assert_eq!(
                ext(&patched),
                ext(&fresh),
                "{text:?} -> {cur:?}: {}",
                Key::unpack(k).string()
            );
            assert_eq!(suf(&patched), suf(&fresh), "{text:?} -> {cur:?}");
        }
        // A key outside `recheck` is a major now exactly when it was one before.
        for &(k, was) in &before {
            if recheck.binary_search(&k).is_err() {
                assert_eq!(
                    major(k, &fresh),
                    was,
                    "{text:?} -> {cur:?}: {}",
                    Key::unpack(k).string()
                );
                checked += 1;
            }
        }
        for (k, _) in fresh_counts.map.iter() {
            if recheck.binary_search(&k).is_err() && !before.iter().any(|&(b, _)| b == k) {
                assert!(
                    !major(k, &fresh),
                    "{text:?} -> {cur:?}: new {}",
                    Key::unpack(k).string()
                );
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}

#[test]
fn overlapping_fixes_are_undone_and_seen_through() {
    // Three same-length fixes, the later ones overlapping the earlier: `original` reads
    // the old text through them, and `undo_fixes` restores it.
    let text = "甲乙丙丁戊己。庚";
    let fixes = [(3..9, "朱佳"), (6..12, "家清"), (18..21, "，")];
    let mut cur = text.to_owned();
    let mut undo = Vec::new();
    for (r, new) in fixes {
        undo.push((r.clone(), cur[r.clone()].to_owned()));
        cur.replace_range(r, new);
    }
    assert_eq!(cur, "甲朱家清戊己，庚");
    for a in 0..=cur.len() {
        for b in a..=cur.len() {
            let got = original(None, &cur, &undo, a..b);
            assert_eq!(got.as_deref(), text.get(a..b), "{a}..{b}");
            assert_eq!(
                original(Some(text), &cur, &undo, a..b).as_deref(),
                text.get(a..b)
            );
        }
    }
    undo_fixes(&mut cur, &mut undo);
    assert_eq!(cur, text);
    assert!(undo.is_empty());
}

#[test]
fn marks_are_tallied_alike_in_blocks_and_one_by_one() {
    // Every mark, look-alikes that share their first two bytes (、 E3 80 81, ， EF BC 8C),
    // and quotes closed more often than opened (depth stays at 0).
    const P: &[&str] = &[
        "“", "”", "《", "》", "「", "」", "『", "』", "。", "！", "？", "；", "!", "、", "，",
        "王", "明", "a", "é", "𠀀", "〈", "\u{3000}",
    ];
    for seed in 0..300 {
        let text = {
            let mut s = seed;
            let n = 10 + lcg(&mut s) % 200;
            (0..n).map(|_| P[lcg(&mut s) % P.len()]).collect::<String>()
        };
        let b = text.as_bytes();
        let bounds: Vec<usize> = (0..=b.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for (k, &from) in bounds.iter().enumerate().step_by(5) {
            for &to in bounds[k..].iter().step_by(3) {
                let run = |simd| {
                    let (mut sentence, mut depth) = (0, 0);
                    tally_marks(simd, b, from..to, &mut sentence, &mut depth);
                    (sentence, depth)
                };
                assert_eq!(
                    run(crate::scan::Simd::get()),
                    run(None),
                    "{text:?} {from}..{to}"
                );
            }
        }
    }
}

#[test]
fn keys_at_finds_the_candidates_of_every_start() {
    // Three-byte chars ahead (decoded at once) and others (ASCII, é, 𠀀, the end).
    let t = tables();
    for seed in 0..400 {
        let text = random_text(seed, 80);
        for (i, c) in text.char_indices() {
            let ahead: Vec<char> = text[i..].chars().take(4).collect();
            let mut want = Vec::new();
            candidates_at(&ahead, t, |k| want.push(k.pack()));
            let mut got = Vec::new();
            let (next, start) = keys_at(&text, i, c, t, |k| got.push(k));
            let surname =
                bit_get(&t.surname, c) || (ahead.len() > 1 && t.compound.contains(&[c, ahead[1]]));
            assert_eq!(start, surname, "{text:?} at {i}");
            assert_eq!(got, want, "{text:?} at {i}");
            assert_eq!(
                next,
                ahead.get(1).copied().unwrap_or('\0'),
                "{text:?} at {i}"
            );
        }
    }
}

#[test]
fn counting_16_starts_at_once_equals_one_by_one() {
    // Starts followed by ASCII, é, 𠀀, a compound surname, the text's end, at every
    // place in a group of 16; texts shorter and longer than a group.
    // Also the edges of the CJK blocks a given name may use, and compound surnames
    // whose first char is no surname alone (东 starts one only before 方).
    const EDGES: &[&str] = &[
        "\u{33FF}", "\u{3400}", "\u{4DBF}", "\u{4DC0}", "\u{4DFF}", "\u{4E00}", "\u{9FFF}",
        "\u{A000}", "\u{F8FF}", "\u{F900}", "\u{FAFF}", "\u{FB00}", "东方", "东", "上官", "方",
    ];
    let t = tables();
    for seed in 0..400 {
        let mut s = seed;
        let text: String = random_text(seed, [7, 40, 300][seed as usize % 3])
            .chars()
            .flat_map(|c| {
                let edge = lcg(&mut s)
                    .is_multiple_of(4)
                    .then(|| EDGES[lcg(&mut s) % EDGES.len()]);
                std::iter::once(c).chain(edge.into_iter().flat_map(str::chars))
            })
            .collect();
        let mut want = Counts::default();
        count_candidates_with(None, &text, t, &mut want);
        let mut got = Counts::default();
        count_candidates_with(crate::scan::Simd::get(), &text, t, &mut got);
        assert_eq!(got.starts, want.starts, "{text:?}");
        assert_eq!(tallies(&got), tallies(&want), "{text:?}");
    }
}
