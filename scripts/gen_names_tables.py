#!/usr/bin/env python3
"""Generate the name-unification tables in data/names/ from the jieba dictionary (MIT).

- surnames.txt: common single and compound surnames (hand list below), Simplified and
  their Traditional forms (OpenCC s2t).
- words.txt: ordinary words that start with a surname (jieba entries of 2-4 chars not
  tagged as person names, plus very frequent `nr` entries, which in jieba are mostly
  common words mis-tagged: 顾客, 胡同, 武功 ...). A candidate name that is one of these
  is not taken as a name (高兴, 王国, 权力/权利). Simplified and Traditional forms.

Usage: python3 scripts/gen_names_tables.py   (needs PyPI jieba and opencc)
"""
import os
import jieba
import opencc

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "names")

# Common single surnames. Left out on purpose: rare surnames that are everyday function
# words (和 来 都 由 但 利 那 位 ...), which would make every sentence look like a name,
# and 斯, mostly a transliteration char (俄罗斯, 斯诺).
SINGLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
    "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛"
    "靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜"
    "冷晏席卫米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻厉伊仝区郜阚权帅屠"
    "豆朴盖练廉禹井祖漆巴丰支卿狄宣晋扈晁芮戈伏鹿薄邸雍辜裘亓修邰赫杭况宿鲜印逯隆茹诸战慕"
    "危亢嵇哈湛宾戎勾茅揭尉冶元束檀昝奉衡尧"
)
COMPOUND = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 南宫 "
    "西门 独孤 端木 百里 呼延 澹台 公冶 太史 申屠 万俟 闻人 濮阳 赫连 拓跋 东郭 左丘 梁丘 "
    "微生 羊舌 公羊 单于 司空 乐正 颛孙 亓官 巫马 鲜于 闾丘 仲孙 谷梁 宰父 段干 漆雕"
).split()
# Titles and roles written right before a name (社员朱佳清, 记者王明).
ROLES = (
    "社员 主委 副主委 教授 副教授 记者 同志 主席 副主席 书记 副书记 市长 副市长 省长 副省长 总理 "
    "副总理 部长 副部长 局长 副局长 院长 副院长 校长 副校长 主任 副主任 经理 总经理 董事长 总裁 "
    "老师 医生 护士 护士长 律师 作家 演员 导演 选手 队员 球员 教练 主教练 民警 警官 村民 市民 "
    "网友 患者 学生 同学 代表 委员 研究员 工程师 专家 博士 院士 法官 检察官 嫌疑人 被告人 志愿者 "
    "队长 班长 厂长 县长 镇长 村长 乡长 区长 处长 科长 社长 总编 编辑 主持人 歌手 画家 诗人 作者 "
    "通讯员 实习生 大使 总统 首相 将军 处长 秘书长 会长 理事长 主编 讲师 医师 主治医师 董事 "
    "创始人 负责人 发言人 党员 干部 职工 工人 农民 老人 女士 先生 小朋友 歌星 影星 运动员 冠军 "
    "作曲家 教师 警察 司机 店主 老板 局长 厅长 署长 组长 站长 馆长 所长 台长 团长 营长 连长 "
    "排长 师长 军长 司令 政委 参谋长 委员长 议员 州长 法人 师傅 大夫"
).split()
# Words right after a name (王明说, 朱佳清荣获).
AFTER = (
    "说 表示 指出 认为 介绍 强调 告诉 称 说道 回忆 坦言 透露 提出 荣获 获得 先生 女士 同志 "
    "教授 老师 医生 主任 书记 等人 笑着 解释 建议 希望 呼吁 说明 答道 问道 写道 发现 带领 "
    "当选 出席 主持 表态 坦承 曾经 本人 一行 夫妇 "
    # Titles written after the name (李鹏总理, 江泽民主席).
    "主席 副主席 总理 副总理 总统 总书记 部长 省长 市长 局长 院长 校长 厂长 县长 处长 委员 "
    "委员长 秘书长 大使 首相 将军 博士 院士 律师 会长 董事长 总经理 经理 总裁 队长 主编"
).split()
# Chars that do not occur in given names but often follow a name: a candidate
# surname+given whose given part has one of them is text, not a name (王明说).
STOP = (
    "的了是在和与及或说等也就都而被把对从向为以之其这那们个着过吗呢吧啊呀并且将所但却还又再"
    "很最更让给跟该此每各某如若则即便只因年月日号时表指称到去要没不已于姓氏掉"
)
NAME_TAGS = {"nr", "nrt", "nrfg"}
# Word boundaries: a surname char that ends a common word (至于, 对于, 主任) does not start
# a name there; a given-name char that starts a common word with the next char (于单纯,
# 王明天) does not end one. Common = jieba frequency at least these.
LEFT_MIN_FREQ = 100
RIGHT_MIN_FREQ = 300
# jieba tags plenty of everyday words `nr`: the frequent 2-char ones are words (武功,
# 顾客, 王子 685, 王爷); famous 2-char names among them (李鹏 675) are lost: precision first.
# Longer `nr` entries are nearly all real names (毛泽东, 江泽民): never taken as words.
NR_AS_WORD_MIN_FREQ = None
NR2_AS_WORD_MIN_FREQ = 500


def both_scripts(items, cc):
    out = set()
    for s in items:
        out.add(s)
        out.add(cc.convert(s))
    return out


# Surnames that are far more often everyday words (时, 元, 路, 区 ...): jieba frequency of
# the single char at least this, leaving out the common surnames (the 20 most common, and
# 于 曾 段 万 向 成, common enough as surnames to keep the usual evidence).
AMBIGUOUS_MIN_FREQ = 20000
TOP_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗于曾段万向成")


def script_pairs(cc):
    """Simplified/Traditional forms of one char (劳/勞): not a name variant."""
    t2s = opencc.OpenCC("t2s")
    pairs = set()
    for cp in range(0x4E00, 0xA000):
        c = chr(cp)
        for other in (cc.convert(c), t2s.convert(c)):
            if len(other) == 1 and other != c:
                pairs.add("".join(sorted((c, other))))
    return pairs


def main():
    cc = opencc.OpenCC("s2t")
    single = list(dict.fromkeys(SINGLE))
    surnames = both_scripts(single + COMPOUND, cc)
    heads1 = set(single)
    heads2 = set(COMPOUND)
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    words, left, right, ambiguous = set(), set(), set(), set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            w, freq, tag = parts[0], int(parts[1]), parts[2]
            if len(w) == 1 and w in heads1 and w not in TOP_SURNAMES and freq >= AMBIGUOUS_MIN_FREQ:
                ambiguous.add(w)
            if len(w) == 2 and tag not in NAME_TAGS:
                if freq >= LEFT_MIN_FREQ and w[1] in heads1:
                    left.add(w)
                if freq >= RIGHT_MIN_FREQ:
                    right.add(w)
            if not 2 <= len(w) <= 4:
                continue
            # Candidates are surname + 1-2 chars: 2-3 chars, 3-4 with a compound surname.
            if not ((w[0] in heads1 and len(w) <= 3) or w[:2] in heads2):
                continue
            min_freq = NR2_AS_WORD_MIN_FREQ if len(w) == 2 else NR_AS_WORD_MIN_FREQ
            if tag in NAME_TAGS and (min_freq is None or freq < min_freq):
                continue
            words.add(w)
    words = both_scripts(words, cc)
    os.makedirs(ROOT, exist_ok=True)
    with open(os.path.join(ROOT, "surnames.txt"), "w", encoding="utf-8") as f:
        f.write("# Generated by scripts/gen_names_tables.py: common surnames, Simplified + Traditional.\n")
        for s in sorted(surnames, key=lambda x: (len(x), x)):
            f.write(s + "\n")
    with open(os.path.join(ROOT, "words.txt"), "w", encoding="utf-8") as f:
        f.write("# Generated by scripts/gen_names_tables.py from the jieba dictionary (MIT):\n")
        f.write("# ordinary words that start with a surname, Simplified + Traditional.\n")
        for w in sorted(words):
            f.write(w + "\n")
    for fname, items, what in (
        ("left.txt", left, "common words ending with a surname char (jieba, MIT)"),
        ("ambiguous.txt", ambiguous, "surname chars that are mostly everyday words (jieba, MIT)"),
        ("script_pairs.txt", script_pairs(cc), "Simplified/Traditional forms of one char (OpenCC)"),
        ("right.txt", right, "common 2-char words (jieba, MIT)"),
        ("roles.txt", ROLES, "titles and roles written before a name"),
        ("after.txt", AFTER, "words written right after a name"),
    ):
        with open(os.path.join(ROOT, fname), "w", encoding="utf-8") as f:
            f.write(f"# Generated by scripts/gen_names_tables.py: {what}, Simplified + Traditional.\n")
            for w in sorted(items if fname == "script_pairs.txt" else both_scripts(items, cc)):
                f.write(w + "\n")
    with open(os.path.join(ROOT, "stopchars.txt"), "w", encoding="utf-8") as f:
        f.write("# Generated by scripts/gen_names_tables.py: chars not taken in a given name, Simplified + Traditional.\n")
        f.write("".join(sorted(both_scripts(STOP, cc) | set("".join(both_scripts(STOP, cc))))) + "\n")
    print(len(surnames), "surnames,", len(words), "words")


if __name__ == "__main__":
    main()
