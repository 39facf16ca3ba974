"""Composition of complaint texts and call transcripts from the fragments of `data/`.

Genuine complaints join an optional background, a core of one issue, its details mixed with
asides about the writer's own life (none to many, so lengths spread from a line to a long
account), a feeling, a demand and a closing, with alternatives (`[a|b]`) and word variants
picked anew each time and varied punctuation: two customers rarely write near-identical
texts. Gang complaints are instances of a template: the template fixes which fragment
of each section is used and in which order; an instance fills slots, drops or reorders list
items and middle sections and swaps synonyms, so two instances share structure but rarely
wording character for character."""

from __future__ import annotations

import re

from .vocab import Vocab

TIMES = ("晚上十点多", "凌晨一点", "早上七点不到", "中午午休的时候", "晚上11点多", "半夜", "周末一大早")
RATES = ("30%", "35.9%", "36%", "28%", "33.6%", "24%以上", "40%")
ADDONS = ("借款人意外险", "会员服务", "提额加速包", "权益卡", "信用保障险", "VIP会员")
RELATIONS_F = ("儿子", "女儿", "儿媳", "女婿")
DEADLINES = ("本月底", "下周五", "本月25日", "下月5日")
ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")
ASIDE_COUNTS = (0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 6, 9)  # most write little, a few write a long account


class Slots(dict):
    """Slot values of one text; a slot not given is drawn on first use and then kept."""

    __slots__ = ("r", "makers")

    def __init__(self, r, makers, fixed):
        super().__init__(fixed)
        self.r, self.makers = r, makers

    def __missing__(self, key):
        value = self.makers[key](self.r)
        self[key] = value
        return value


class Template:
    """A gang's letter or script: the chosen fragment indices of each section, in order."""

    __slots__ = ("tid", "kind", "blocks", "rules")

    def __init__(self, tid, kind, blocks, rules):
        self.tid, self.kind, self.blocks, self.rules = tid, kind, blocks, rules


class Composer:
    """Turns fragments into texts; holds no state between texts but the vocabulary."""

    def __init__(self, v: Vocab, clock):
        self.v, self.clock = v, clock
        g, n = v.gangs, v.names
        self.synonyms = g["synonyms"]
        self.makers = {
            "inst": lambda r: r.choice(v.inst["short"]),
            "app": lambda r: r.choice(v.inst["apps"]),
            "hotline": lambda r: v.inst["hotline"],
            "amount": lambda r: str(r.randrange(10, 800) * 100),
            "fee": lambda r: str(r.randrange(3, 300) * 10),
            "rate": lambda r: r.choice(RATES),
            "days": lambda r: str(r.choice((2, 3, 5, 7, 10, 15, 20, 30))),
            "n": lambda r: str(r.randrange(2, 9)),
            "principal": lambda r: str(r.randrange(5, 300) * 1000),
            "adult_age": lambda r: str(r.randrange(20, 60)),
            "salary": lambda r: str(r.randrange(25, 90) * 100),
            "staff_no": lambda r: str(r.randrange(1000, 99999)),
            "ticket": lambda r: f"{r.randrange(2023, 2025)}{r.randrange(10**9, 10**10)}",
            "pct": lambda r: str(r.choice((1, 2, 3, 5))),
            "term": lambda r: r.choice(("6", "12", "12", "24", "36")),
            "term2": lambda r: r.choice(("36", "48", "60", "72")),
            "month_n": lambda r: r.choice(("3", "6", "12")),
            "relation": lambda r: r.choice(n["relations"]),
            "relation_f": lambda r: r.choice(RELATIONS_F),
            "elder": lambda r: r.choice(n["elders"]),
            "age": lambda r: str(r.randrange(66, 88)),
            "time": lambda r: r.choice(TIMES),
            "date": lambda r: (clock.md if r.random() < 0.6 else clock.cn)[r.randrange(3, 380)],
            "card": lambda r: f"尾号{r.randrange(1000, 10000)}的银行卡",
            "addon": lambda r: r.choice(ADDONS),
            "loan_date": lambda r: clock.cn[r.randrange(200, 900)],
            "overdue_date": lambda r: clock.cn[r.randrange(40, 400)],
            "paid": lambda r: str(r.randrange(20, 900) * 100),
            "paid_terms": lambda r: str(r.randrange(2, 18)),
            "refund": lambda r: str(r.randrange(20, 400) * 100),
            "deadline": lambda r: r.choice(DEADLINES),
            "disease": lambda r: r.choice(g["diseases"]),
            "hospital": lambda r: r.choice(g["hospitals"]),
            "company": lambda r: f"{r.choice(n['company_heads'])}{r.choice(n['company_trades'])}有限公司",
        }

    def slots(self, r, **fixed) -> Slots:
        """A slot table for one text, with the given values fixed."""
        return Slots(r, self.makers, fixed)

    # genuine complaints -------------------------------------------------------------
    def genuine(self, r, category: str, slots: Slots, repeat: bool, family: bool) -> tuple[str, str]:
        """(text, demands column) of one genuine complaint about `category`."""
        g = self.v.genuine
        c = g["categories"][category]
        parts = []
        if family:
            parts.append(r.choice(g["family_prefixes"]))
        if repeat:
            parts.append(r.choice(g["repeat_openings"]))
        if r.random() < 0.5:
            parts.append(r.choice(g["backgrounds"]))
        parts.append(r.choice(c["core"]))
        told = r.sample(c["detail"], min(r.choice((0, 1, 1, 2, 2, 3)), len(c["detail"])))
        told += r.sample(g["asides"], r.choice(ASIDE_COUNTS))
        r.shuffle(told)
        parts.extend(told)
        if "feeling" in c and r.random() < 0.5:
            parts.append(r.choice(c["feeling"]))
        if r.random() < 0.75:
            parts.append(r.choice(c["demand"]))
        if r.random() < 0.3:
            parts.append(r.choice(g["closings"]))
        text = join_casual(r, [pick_alternatives(r, p) for p in parts]).format_map(slots)
        demands = ";".join(r.sample(c["demands"], r.choice((1, 1, 2)))) if r.random() < 0.5 else ""
        return vary_words(r, text, g["synonyms"]), demands

    # gang templates ---------------------------------------------------------------
    def template(self, r, kind: str, tid: str) -> Template:
        """A new template of a gang of `kind`: fragment choices fixed once."""
        spec = self.v.gangs[kind]
        rule_of = self.v.gangs["rules"]
        numbering = r.randrange(len(self.v.gangs["numbering"]))
        blocks, rules = [], set()
        for sec in spec["sections"]:
            if r.random() > sec.get("optional", 1.0):
                continue
            pool = sec["pool"]
            if sec.get("list"):
                picks = r.sample(range(len(pool)), min(len(pool), sec.get("pick", 1) + r.randrange(2)))
                blocks.append((sec["name"], picks, r.randrange(len(sec["intro"])), numbering))
            else:
                blocks.append((sec["name"], r.sample(range(len(pool)), sec.get("pick", 1)), None, None))
            if sec["name"] in rule_of:
                rules.add(rule_of[sec["name"]])
        return Template(tid, kind, blocks, rules)

    def instance(self, r, t: Template, slots: Slots, role: str, letter: bool) -> str:
        """One complaint written from template `t`, lightly paraphrased."""
        spec = {s["name"]: s for s in self.v.gangs[t.kind]["sections"]}
        out = []
        blocks = list(t.blocks)
        optional = [k for k, b in enumerate(blocks[1:-1], 1) if b[0] not in self.v.gangs["rules"]]
        if optional and r.random() < 0.25:
            blocks.pop(r.choice(optional))
        for name, picks, intro, numbering in blocks:
            sec = spec[name]
            if intro is None:
                pool = sec["family_pool"] if role == "family" and "family_pool" in sec else sec["pool"]
                if len(picks) > 1 and r.random() < 0.4:
                    picks = [r.choice(picks)] if r.random() < 0.5 else picks[::-1]
                out.append("".join(pool[j % len(pool)] for j in picks))
                continue
            items = list(picks)
            if len(items) > 2 and r.random() < 0.25:
                items.pop(r.randrange(len(items)))
            if r.random() < 0.3:
                r.shuffle(items)
            nums = self.v.gangs["numbering"][numbering]
            sep = "\n" if letter else ""
            body = sep.join(f"{nums[k]}{sec['pool'][j]}{'。' if k == len(items) - 1 else '；'}"
                            for k, j in enumerate(items))
            out.append(sec["intro"][intro] + sep + body)
        if len(out) > 4 and r.random() < 0.35:
            k = r.randrange(1, len(out) - 2)
            out[k], out[k + 1] = out[k + 1], out[k]
        if not letter:
            out = [b if b.endswith(("：", "。", "；", "！")) else b + " " for b in out]
        text = ("\n" if letter else "").join(out).format_map(slots)
        return self.paraphrase(r, text)

    def record(self, r, kind: str, slots: Slots) -> str:
        """A call-centre record of a gang's hotline complaint (not template-written)."""
        return r.choice(self.v.gangs[kind]["records"]).format_map(slots)

    def paraphrase(self, r, text: str) -> str:
        """Swap each synonym group's canonical word for a variant with probability one half."""
        for group in self.synonyms:
            if group[0] in text and r.random() < 0.5:
                text = text.replace(group[0], r.choice(group[1:]))
        return text

    def transcript(self, r, slots: Slots, *path: str) -> str:
        """A call transcript from the pool at `path` in calls.yaml."""
        pool = self.v.calls
        for key in path:
            pool = pool[key]
        return r.choice(pool).format_map(slots)


def vary_words(r, text: str, synonyms: list[list[str]]) -> str:
    """Each occurrence of a group's first word replaced by any word of its group, as people
    word the same fact differently from one sentence to the next."""
    for group in synonyms:
        if group[0] in text:
            text = re.sub(re.escape(group[0]), lambda _: r.choice(group), text)
    return text


def pick_alternatives(r, fragment: str) -> str:
    """The fragment with one alternative of each `[a|b|c]` picked."""
    return ALTERNATIVES.sub(lambda m: r.choice(m.group(1).split("|")), fragment)


def join_casual(r, parts: list[str]) -> str:
    """Join fragments the way people type: mostly commas, some full stops or exclamations."""
    if r.random() < 0.03:
        return "+".join(p.rstrip("，。：") for p in parts)
    out = []
    last = len(parts) - 1
    for k, p in enumerate(parts):
        out.append(p)
        if p.endswith(("，", "：", "。")):
            continue
        if k == last:
            x = r.random()
            out.append("。" if x < 0.7 else "！" if x < 0.85 else "" if x < 0.95 else "！！")
        else:
            x = r.random()
            out.append("，" if x < 0.58 else "。" if x < 0.9 else "！" if x < 0.95 else " ")
    return "".join(out)
