#!/usr/bin/env python3
"""Measure chardet and charset-normalizer on the short-string set that
tests/decode_short.rs uses (tests/data/decode/short.tsv), for comparison with zhclean.
A string counts as correct when the detector's encoding decodes the bytes back to the
original text.

Usage: python3 scripts/eval_decode_python.py
"""
import collections
import os

import chardet
import charset_normalizer

CODEC = {"GBK": "gbk", "Big5": "big5", "UTF-16LE": "utf-16-le", "UTF-16BE": "utf-16-be"}


def bucket(n):
    return "2-3" if n <= 3 else "4-7" if n <= 7 else "8-20"


def try_decode(b, enc):
    if not enc:
        return None
    try:
        return b.decode(enc)
    except (LookupError, UnicodeDecodeError):
        return None


def main():
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "decode", "short.tsv")
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            enc, n, text = line.rstrip("\n").split("\t", 2)
            rows.append((enc, int(n), text))
    stats = {name: collections.defaultdict(lambda: [0, 0]) for name in ("chardet", "charset-normalizer")}
    for enc, n, text in rows:
        b = text.encode(CODEC[enc])
        got = {
            "chardet": try_decode(b, chardet.detect(b)["encoding"]),
        }
        best = charset_normalizer.from_bytes(b).best()
        got["charset-normalizer"] = str(best) if best is not None else None
        for name, out in got.items():
            for key in ((enc, bucket(n)), ("ALL", bucket(n))):
                s = stats[name][key]
                s[0] += out == text
                s[1] += 1
    for name, st in stats.items():
        print(f"== {name}")
        for (enc, b), (ok, tot) in sorted(st.items()):
            print(f"{enc:<10} {b:<6} {100 * ok / tot:6.2f}% ({ok}/{tot})")


if __name__ == "__main__":
    main()
