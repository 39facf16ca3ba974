"""Online content: black/gray ads graded by domain.md's content levels and carrying contact
handles (some of them the gangs'), written with the evasions real ads use; benign warnings and
education that use the same words; ordinary posts.

Categories (truth `category`): anti_collection 反催收, credit_repair 征信修复/洗白/铲单,
illegal_agent 非法代理维权, debt_relief 停息挂账/债务优化, surrender_agency 代理退保,
loan_intermediary 贷款中介."""

from __future__ import annotations

import re

from .ids import spell_mobile

PLATFORMS = ("douyin", "kuaishou", "xiaohongshu", "weibo", "wechat", "bilibili", "sms")
GANG_CATEGORIES = {"agent_firm": ("illegal_agent", "debt_relief"), "anti_collection_group": ("anti_collection",),
                   "debt_evasion_ring": ("debt_relief", "credit_repair")}
TERM_STYLES = ("separator", "pinyin", "initials", "homophone")
TEXT_STYLES = ("traditional", "fullwidth")
TERM = re.compile(r"<([^>]+)>")
B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}
BANKS = ("汇岚消费金融", "汇岚消金", "岚海银行", "青禾银行信用卡中心")


class PostMaker:
    """Composes posts; `black` returns the truth alongside the text."""

    def __init__(self, v, clock, people):
        self.p, self.clock, self.people, self.names = v.posts, clock, people, v.names
        self.traditional = str.maketrans(self.p["traditional"])
        self.fullwidth = str.maketrans(FULLWIDTH)

    def _context(self, r) -> dict:
        """Names one post refers to (its city, bank, the author's names)."""
        return {"city": self.people.district(r).city.removesuffix("市"), "bank": r.choice(BANKS),
                "surname": self.names["surnames"][r.randrange(20)][0],
                "given": self.people.name(r, r.randrange(2))[0][-1], "food": r.choice(self.p["foods"])}

    def _fill(self, r, s: str, ctx: dict | None = None) -> str:
        return s.format_map(ctx or self._context(r)) if "{" in s else s

    def contacts_text(self, r, handles: list[tuple[str, str]]) -> list[str]:
        """How an ad writes each (kind, value) handle."""
        out = []
        for kind, value in handles:
            if kind == "phone":
                out.append(r.choice(self.p["phone_forms"]).format(p=spell_mobile(value, r.random())))
            elif kind == "wechat":
                shown = value.upper() if r.random() < 0.1 else value
                out.append(r.choice(self.p["wechat_forms"]).format(w=shown))
            elif kind == "qq":
                out.append(r.choice(self.p["qq_forms"]).format(q=value))
            else:
                path = "".join(r.choice(B62) for _ in range(6))
                out.append(r.choice(self.p["link_forms"]).format(d=value, s=path))
        return out

    def black(self, r, category: str, handles: list[tuple[str, str]]) -> tuple[str, int, list[str]]:
        """(text, level, obfuscation styles) of an ad for `category` showing `handles`."""
        p = self.p
        services = r.sample(p["services"][category], min(len(p["services"][category]), r.choice((1, 1, 2))))
        level = min(lvl for lvl, _ in services)
        parts = [r.choice(p["hooks"])] if r.random() < 0.6 else []
        parts += [t for _, t in services]
        if r.random() < (0.5 if category == "illegal_agent" else 0.2):
            parts.append(self._fill(r, r.choice(p["posing"])))
            level = 1
        parts += r.sample(p["promises"], r.choice((1, 2)))
        parts += self.contacts_text(r, handles)
        if r.random() < 0.5:
            parts.append(r.choice(p["closers"]))
        seps = r.choice(("，", "！", " ", "\n", "✅", "👉", "｜"))
        text = seps.join(parts)
        styles = [] if r.random() < 0.45 else r.sample(TERM_STYLES + TEXT_STYLES, r.choice((1, 1, 2)))
        term_styles = [s for s in styles if s in TERM_STYLES]
        text = TERM.sub(lambda mo: self._term(r, mo.group(1), term_styles), text)
        if "traditional" in styles:
            text = text.translate(self.traditional)
        if "fullwidth" in styles:
            text = text.translate(self.fullwidth)
        return text, level, sorted(styles)

    def _term(self, r, term: str, styles: list[str]) -> str:
        if not styles:
            return term
        style = r.choice(styles)
        if style == "separator":
            return r.choice(self.p["separators"]).join(term)
        if style == "homophone":
            chars = list(term)
            for k in r.sample(range(len(chars)), max(1, len(chars) // 2)):
                chars[k] = self.p["homophones"].get(chars[k], chars[k])
            return "".join(chars)
        half = max(1, len(term) // 2) if len(term) != 3 else 3
        py = [self.p["pinyin"].get(ch, ch) for ch in term[:half]]
        head = "".join(py) if style == "pinyin" else "".join(x[0] for x in py)
        return head + term[half:]

    def benign(self, r) -> tuple[str, str]:
        """(text, account name) of a warning, an official notice, a victim's story or a question."""
        b = self.p["benign"]["official" if r.random() < 0.6 else "personal"]
        ctx = self._context(r)
        parts = [self._fill(r, r.choice(b["openers"]), ctx)]
        parts += r.sample(b["bodies"], r.choice((1, 1, 2)))
        parts.append(r.choice(b["closers"]))
        return "".join(parts), self._fill(r, r.choice(b["accounts"]), ctx)

    def ordinary(self, r) -> str:
        """A post with nothing to do with finance."""
        text = self._fill(r, r.choice(self.p["ordinary"]))
        return text + r.choice(("", "～", "！", "。", " #日常", " #生活记录"))

    def account(self, r, kind: str) -> str:
        """An account name for a black/gray ad or an ordinary post."""
        return self._fill(r, r.choice(self.p[f"{kind}_accounts"]))

    def url(self, r, platform: str) -> str:
        """A plausible address of a post on `platform` (empty for SMS)."""
        def rnd(alphabet, n):
            return "".join(r.choice(alphabet) for _ in range(n))
        if platform == "douyin":
            return f"https://www.douyin.com/video/7{rnd('0123456789', 18)}"
        if platform == "kuaishou":
            return f"https://www.kuaishou.com/short-video/3x{rnd('0123456789abcdefghijklmnopqrstuvwxyz', 13)}"
        if platform == "xiaohongshu":
            return f"https://www.xiaohongshu.com/explore/{rnd('0123456789abcdef', 24)}"
        if platform == "weibo":
            return f"https://weibo.com/{r.randrange(10**9, 8 * 10**9)}/{rnd(B62, 9)}"
        if platform == "wechat":
            return f"https://mp.weixin.qq.com/s/{rnd(B62 + '_-', 22)}"
        if platform == "bilibili":
            return f"https://www.bilibili.com/video/BV1{rnd(B62, 9)}"
        return ""


def write_posts(out, r, maker: PostMaker, gangs, n: int, clock, external_phone) -> None:
    """Write n posts: every advertised gang's handles at least once, other ads, benign posts."""
    n_black, n_benign = round(n * 0.45), round(n * 0.25)
    advertised = [g for g in gangs if g.advertised]
    kinds = ["black"] * n_black + ["benign"] * n_benign + ["ordinary"] * (n - n_black - n_benign)
    r.shuffle(kinds)
    ad_queue = list(advertised)
    for k, kind in enumerate(kinds):
        platform = r.choice(PLATFORMS if kind != "ordinary" else PLATFORMS[:-1])
        level = category = contacts = styles = ""
        account = maker.account(r, kind) if kind != "benign" else ""
        if kind == "black":
            gang = ad_queue.pop() if ad_queue else (r.choice(advertised) if advertised and r.random() < 0.4 else None)
            handles = _handles(r, gang, external_phone, maker)
            category = r.choice(GANG_CATEGORIES[gang.kind]) if gang else r.choice(tuple(maker.p["services"]))
            text, lvl, style_list = maker.black(r, category, handles)
            level, styles = str(lvl), ";".join(style_list)
            contacts = ";".join(_canonical(kv) for kv in handles)
        elif kind == "benign":
            text, account = maker.benign(r)
        else:
            text = maker.ordinary(r)
        if platform == "sms":
            text = f"【{account}】{text}" + (" 拒收请回复R" if r.random() < 0.6 else "")
            account_id = f"1069{r.randrange(10**9, 10**10)}"
        else:
            account_id = f"{platform[:2]}{r.randrange(10**7, 10**10)}"
        pid = f"PO{k + 1:07d}"
        day, sec = r.randrange(365), r.randrange(86400)
        out.post({"post_id": pid, "platform": platform, "account_id": account_id,
                  "account_name": account, "published_at": clock.stamp(day, sec, r.random(), 0.6, 0.1),
                  "url": maker.url(r, platform), "text": text, "images": "", "likes": r.randrange(0, 5000)})
        out.row("truth_posts", (pid, 1 if kind == "black" else 0, level, category, contacts, styles))


def _handles(r, gang, external_phone, maker) -> list[tuple[str, str]]:
    if gang is not None:
        out = [("phone", gang.phones[0])]
        if r.random() < 0.7:
            out.insert(0, ("wechat", gang.wechat[0]))
        if gang.qq and r.random() < 0.3:
            out.append(("qq", gang.qq))
        if gang.domain and r.random() < 0.5:
            out.append(("domain", gang.domain))
        return out
    words = maker.p["wechat_words"]
    out = [("wechat", f"{r.choice(words)}{r.choice(('', '_'))}{r.randrange(10, 99999)}")]
    if r.random() < 0.6:
        out.append(("phone", external_phone()))
    if r.random() < 0.25:
        out.append(("qq", str(r.randrange(10**5, 3 * 10**9))))
    if r.random() < 0.15:
        out.append(("domain", f"{r.choice(maker.p['domain_words'])}{r.randrange(10, 999)}.{r.choice(maker.p['domain_tlds'])}"))
    return out


def _canonical(kv: tuple[str, str]) -> str:
    kind, value = kv
    return f"phone:+86{value}" if kind == "phone" else f"{kind}:{value.lower()}"
