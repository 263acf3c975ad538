#!/usr/bin/env python3
"""Measure the mojibake stage against ftfy on the same cases.

Runs `examples/mojibake_eval.rs` (release build) over tests/cases/mojibake/*.json and ftfy
(`fix_encoding`, and `fix_text` for false positives) on the same inputs, then prints per
combination: exact-match rate on reversible cases, recovered characters on lossy ones,
and changed clean texts.

Usage: python3 scripts/eval-mojibake.py [CASES.json ...]
"""
import collections
import difflib
import glob
import json
import os
import subprocess
import sys

import ftfy

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def run_ours(path):
    out = subprocess.run(
        ["cargo", "run", "-q", "--release", "--example", "mojibake_eval", "--", path],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [o["output"] for o in json.loads(out)]


def recovered(expected, output):
    """Characters of `expected` found in order in `output`, and stray chars: output chars
    (other than U+FFFD markers) that match nothing in `expected`, i.e. garble left in place
    or wrong guesses."""
    sm = difflib.SequenceMatcher(None, expected, output, autojunk=False)
    got = sum(b.size for b in sm.get_matching_blocks())
    invented = 0
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag in ("replace", "insert"):
            invented += sum(1 for c in output[j1:j2] if c != "\ufffd")
    return got, invented


def main():
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "tests/cases/mojibake/*.json")))
    stats = collections.OrderedDict()
    for path in paths:
        cases = json.load(open(path, encoding="utf-8"))
        ours = run_ours(path)
        for c, o in zip(cases, ours):
            f = ftfy.fix_encoding(c["input"])
            key = c.get("combo", c["kind"])
            s = stats.setdefault(key, collections.Counter())
            s["n"] += 1
            if c["kind"] == "negative":
                s["ours_changed"] += o != c["input"]
                s["ftfy_changed"] += f != c["input"]
                s["ftfy_fix_text_changed"] += ftfy.fix_text(c["input"]) != c["input"]
                if o != c["input"]:
                    print(f"FALSE POSITIVE: {c['input']!r} -> {o!r}", file=sys.stderr)
            elif c.get("lossy"):
                s["lossy"] += 1
                n = len(c["expected"])
                g, inv = recovered(c["expected"], o)
                s["ours_rec"] += g
                s["ours_inv"] += inv
                g2, inv2 = recovered(c["expected"], f)
                s["ftfy_rec"] += g2
                s["ftfy_inv"] += inv2
                s["chars"] += n
            else:
                s["rev"] += 1
                s["ours_ok"] += o == c["expected"]
                s["ftfy_ok"] += f == c["expected"]
                if o != c["expected"] and os.environ.get("SHOW"):
                    print(f"MISS [{key}] {c['input']!r}\n  got {o!r}\n  exp {c['expected']!r}", file=sys.stderr)
    tot = collections.Counter()
    print(f"{'combination':34} {'n':>4} {'exact ours':>11} {'exact ftfy':>11} {'lossy rec ours':>15} {'lossy rec ftfy':>15} {'clean changed ours/ftfy':>24}")
    for k, s in stats.items():
        tot.update(s)
        ex = f"{s['ours_ok']}/{s['rev']}" if s["rev"] else "-"
        ef = f"{s['ftfy_ok']}/{s['rev']}" if s["rev"] else "-"
        lo = f"{100 * s['ours_rec'] / s['chars']:.1f}% ({s['ours_inv']} stray)" if s["lossy"] else "-"
        lf = f"{100 * s['ftfy_rec'] / s['chars']:.1f}% ({s['ftfy_inv']} stray)" if s["lossy"] else "-"
        neg = f"{s['ours_changed']}/{s['ftfy_changed']} (fix_text {s['ftfy_fix_text_changed']})" if "ours_changed" in s or k == "negative" else "-"
        print(f"{k:34} {s['n']:>4} {ex:>11} {ef:>11} {lo:>15} {lf:>15} {neg:>24}")
    if tot["rev"]:
        print(f"\nreversible exact: ours {tot['ours_ok']}/{tot['rev']} = {100 * tot['ours_ok'] / tot['rev']:.1f}%, "
              f"ftfy {tot['ftfy_ok']}/{tot['rev']} = {100 * tot['ftfy_ok'] / tot['rev']:.1f}%")
    if tot["chars"]:
        print(f"lossy chars recovered: ours {100 * tot['ours_rec'] / tot['chars']:.1f}% ({tot['ours_inv']} stray chars), "
              f"ftfy {100 * tot['ftfy_rec'] / tot['chars']:.1f}% ({tot['ftfy_inv']} stray chars)")
    print(f"clean texts changed: ours {tot['ours_changed']}, ftfy fix_encoding {tot['ftfy_changed']}, ftfy fix_text {tot['ftfy_fix_text_changed']}")


if __name__ == "__main__":
    main()
