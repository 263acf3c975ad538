//! `str::lines` with one memchr pass over the text instead of a search per line: the
//! bundled word lists and dictionaries have tens of thousands of short lines.

/// The lines of `s`, exactly as `str::lines` gives them (`\n` or `\r\n` ends).
pub(crate) fn lines(s: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', s.as_bytes());
    std::iter::from_fn(move || match ends.next() {
        Some(i) => {
            let l = &s[start..i];
            start = i + 1;
            Some(l.strip_suffix('\r').unwrap_or(l))
        }
        None if start < s.len() => {
            let l = &s[start..];
            start = s.len();
            Some(l)
        }
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_equal_str_lines() {
        let texts = [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\r",
            "a\r\r\n",
            "\n\n王\n",
            "\r\n",
        ];
        let words = include_str!("../data/names/words.txt");
        for t in texts.into_iter().chain([words]) {
            assert!(lines(t).eq(t.lines()), "{t:?}");
        }
    }
}
