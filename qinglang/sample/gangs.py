"""Planning of the agent gangs: who belongs to which gang, the phones, voices, templates,
addresses and forged proofs they share, and every member's complaint schedule with the
identification rules (domain.md) that each planted signal triggers. Plans are small: a few
percent of the customers, held in memory while the customers are streamed."""

from __future__ import annotations

import random

from .ids import GANG, credit_code
from .vocab import Weighted
from .voice import GANG as GANG_VOICE

KINDS = ("agent_firm", "anti_collection_group", "debt_evasion_ring")
LABEL = {"agent_firm": "agent_driven", "anti_collection_group": "malicious", "debt_evasion_ring": "malicious"}
PROFILES = {  # complaint count range and probabilities of each behaviour, varied per gang
    "agent_firm": dict(complaints=(2, 6), hf=0.3, template=0.9, attach=0.3, multi=0.25, phone=0.85,
                       deny=0.35, fwd=0.15, idfail=0.6, email=0.4, images=("attorney",)),
    "anti_collection_group": dict(complaints=(3, 8), hf=0.6, template=0.85, attach=0.15, multi=0.35,
                                  phone=0.5, deny=0.15, fwd=0.1, idfail=0.5, email=0.1, images=("chat",)),
    "debt_evasion_ring": dict(complaints=(2, 6), hf=0.3, template=0.8, attach=0.6, multi=0.6, phone=0.7,
                              deny=0.4, fwd=0.25, idfail=0.7, email=0.2,
                              images=("diagnosis", "unemployment", "hardship")),
}
CALL_ROLE_RULES = {"lawyer": ("1.4", "2.7"), "agent": ("1.4", "2.7"), "family": ("1.4", "4.5"), "self": ("1.2",)}
GANG_FORGED_CAP = 30   # reused copies per gang, so that the image budget reaches many gangs
IMAGE_RULE = {"attorney": "3.2", "chat": "5.1", "diagnosis": "5.1", "unemployment": "5.1", "hardship": "5.1"}


def rule_key(rule: str) -> tuple[int, int]:
    """Sort key of a rule id: "2.10" after "2.9"."""
    a, b = rule.split(".")
    return int(a), int(b)


class Gang:
    """One gang: its kind, members and the identifiers its members share."""

    __slots__ = ("gid", "kind", "members", "phones", "advertised", "speakers", "wechat", "qq",
                 "domain", "company", "firm", "lawyers", "office", "email_user", "email_domain",
                 "templates", "start", "length", "originals", "profile")

    def identifiers(self) -> list[str]:
        """Shared identifiers as canonical `kind:value` strings."""
        out = [f"phone:+86{p}" for p in self.phones]
        out += [f"wechat:{w.lower()}" for w in self.wechat]
        out += [f"qq:{self.qq}"] if self.qq else []
        out += [f"domain:{self.domain}"] if self.domain else []
        out += [f"voiceprint:{vp}" for vp, _ in self.speakers]
        out += [f"company:{self.company['credit_code']}"] if self.company else []
        return out


class MemberPlan:
    """A gang member's planned complaints (day, channel, role, phone, phone kind, template,
    original image, planted rules) and call behaviour."""

    __slots__ = ("gang", "phone", "burners", "speaker", "complaints", "call_role",
                 "id_fail", "denied", "agent_callback", "forwarded", "background", "room", "email")


def gang_sizes(r, n: int) -> list[int]:
    """Sizes of the gangs for n customers: about 4.5% of customers, 3..120 each, at least
    five gangs from 500 customers on."""
    if n < 20:
        return []
    target = max(12, round(n * 0.045))
    hi = max(6, min(120, n // 60))
    min_gangs = 5 if n >= 500 else max(1, min(4, n // 100))
    sizes: list[int] = []
    while sum(sizes) < target or len(sizes) < min_gangs:
        sizes.append(3 + int((hi - 3) * r.random() ** 2.2))
    return sizes


class Planner:
    """Builds the gangs and the member plans; `members` maps customer index to MemberPlan."""

    def __init__(self, r, n: int, people, composer, voices, vocab, forged_budget: int, company_budget: int,
                 ad_slots: int):
        self.r, self.people, self.composer, self.voices, self.v = r, people, composer, voices, vocab
        self.forged_budget, self.company_budget, self.ad_slots = forged_budget, company_budget, ad_slots
        self.forged_used = self.gang_forged_left = 0
        self.next_phone, self.next_voice = GANG, GANG_VOICE
        self.members: dict[int, MemberPlan] = {}
        self.channels = {k: Weighted(*zip(*vocab.gangs[k]["channels"].items())) for k in KINDS}
        self.roles = {k: Weighted(*zip(*vocab.gangs[k]["roles"].items())) for k in KINDS}
        sizes = gang_sizes(r, n)
        chosen = r.sample(range(n), sum(sizes)) if sizes else []
        kinds = Weighted(KINDS, (45, 30, 25))
        self.gangs, pos = [], 0
        for g, size in enumerate(sizes):
            kind = KINDS[g] if g < 3 else kinds.pick(r)
            self.gangs.append(self._gang(f"G{g + 1:03d}", kind, sorted(chosen[pos:pos + size])))
            pos += size
        for gang in self.gangs:
            self._mark_same_wording(gang)
        for m in self.members.values():
            member_rules = self._member_rules(m)
            m.complaints = [(*c[:7], ";".join(sorted(c[7] | member_rules, key=rule_key))) for c in m.complaints]

    def _phone(self) -> str:
        self.next_phone += 1
        return self.people.phones.mobile(self.next_phone)

    def _handle(self, words) -> str:
        r = self.r
        w = r.choice(words) + r.choice(("", "_", "-", "")) + r.choice(words)
        return w + str(r.randrange(10, 9999)) if r.random() < 0.8 else w

    def _gang(self, gid: str, kind: str, members: list[int]) -> Gang:
        r, v, size = self.r, self.v, len(members)
        g = Gang()
        g.gid, g.kind, g.members = gid, kind, members
        g.profile = {k: (min(0.95, p * r.uniform(0.7, 1.25)) if isinstance(p, float) else p)
                     for k, p in PROFILES[kind].items()}
        g.phones = [self._phone() for _ in range(max(1, min(6, size // 8, size // 3)))]
        g.advertised = self.ad_slots > 0 and r.random() < 0.6
        self.ad_slots -= g.advertised
        g.speakers = []
        for _ in range(max(1, min(5, size // 12))):
            self.next_voice += 1
            g.speakers.append((self.voices.vp_id(self.next_voice), self.voices.base(r)))
        words = v.posts["wechat_words"]
        g.wechat = [self._handle(words) for _ in range(r.randrange(1, 4))]
        g.qq = str(r.randrange(10**5, 3 * 10**9)) if r.random() < 0.5 else ""
        g.domain = (f"{r.choice(v.posts['domain_words'])}{r.randrange(10, 999)}.{r.choice(v.posts['domain_tlds'])}"
                    if r.random() < (0.5 if kind == "agent_firm" else 0.2) else "")
        d = self.people.district(r)
        g.company = self._company(g, d) if (kind == "agent_firm" or r.random() < 0.3) and self.company_budget > 0 else None
        g.firm = g.company["name"] if g.company else f"{r.choice(v.names['company_heads'])}律师事务所"
        g.lawyers = [f"{self.people.name(r, r.randrange(2))[0]}律师" for _ in range(r.randrange(1, 4))]
        g.office = self.people.building(r, d)
        g.email_user = self._handle(words).replace("-", "_")[:12]
        g.email_domain = r.choice(("163.com", "126.com", "qq.com", "sina.com"))
        g.templates = [self.composer.template(r, kind, f"{gid}-T{k + 1}")
                       for k in range(1 if size < 15 else 2 if size < 60 else 3)]
        g.length = r.randrange(40, 180)
        g.start = r.randrange(1, 364 - g.length)
        n_img = r.randrange(1, len(g.profile["images"]) + 1)
        g.originals = [(f"{gid}-F{k + 1}", r.randrange(2**31), g.profile["images"][k]) for k in range(n_img)]
        self.gang_forged_left = GANG_FORGED_CAP
        order = list(range(size))
        r.shuffle(order)
        for k, pos in enumerate(order):
            self.members[members[pos]] = self._member(g, k, pos)
        return g

    def _company(self, g: Gang, d) -> dict:
        r, n = self.r, self.v.names
        self.company_budget -= 1
        city = d.city if d.city.endswith("市") else d.province
        brand = r.choice(n["brands"]) if r.random() < 0.25 else ""
        name = f"{city}{brand or r.choice(n['company_heads'])}{r.choice(n['shady_trades'])}有限公司"
        return {"credit_code": credit_code(r, d.code), "name": name, "district": d, "brand": brand, "gang": g.gid}

    def _member(self, g: Gang, k: int, pos: int) -> MemberPlan:
        r, prof = self.r, g.profile
        m = MemberPlan()
        m.gang = g
        # whichever of the gang's phones and voices is free: an agent firm does not give each
        # client one line and one voice in lockstep (which would split a gang in disjoint
        # halves whenever the two counts share a factor); drawn from the member's own stream
        # so that the rest of the institution is drawn as before
        free = random.Random(f"{g.gid}/{k}")
        m.phone = free.choice(g.phones)
        m.speaker = free.choice(g.speakers)
        m.burners = [self._phone() for _ in range(r.choice((1, 1, 2)))] if r.random() < prof["multi"] else []
        m.room = self.people.room(r)
        m.email = f"{g.email_user}{pos + 1:02d}@{g.email_domain}" if r.random() < prof["email"] else ""
        m.call_role = {"agent_firm": r.choice(("lawyer", "agent")),
                       "anti_collection_group": r.choice(("family", "self")),
                       "debt_evasion_ring": "family"}[g.kind]
        m.id_fail = r.random() < prof["idfail"]
        m.denied = r.random() < prof["deny"]
        m.agent_callback = not m.denied and g.kind == "agent_firm" and r.random() < 0.5
        m.forwarded = r.random() < prof["fwd"]
        m.background = r.random() < 0.3
        m.complaints = self._schedule(g, m, prof)
        return m

    def _schedule(self, g: Gang, m: MemberPlan, prof: dict) -> list[list]:
        r = self.r
        channels, roles = self.channels[g.kind], self.roles[g.kind]
        n_c = r.randint(*prof["complaints"])
        if r.random() < prof["hf"]:
            n_c = max(n_c, 4)
            base = g.start + r.randrange(max(1, g.length - 26))
            days = [base + r.randrange(26) for _ in range(n_c)]
        else:
            days = [g.start + r.randrange(g.length) for _ in range(n_c)]
        role, own_template = roles.pick(r), r.randrange(len(g.templates))
        out = []
        for k, day in enumerate(sorted(days, reverse=True)):
            channel = channels.pick(r)
            crole = role if r.random() < 0.8 else roles.pick(r)
            if k == 0 or r.random() < prof["phone"]:
                phone, kind = m.phone, "gang"
            elif m.burners and r.random() < 0.5:
                phone, kind = r.choice(m.burners), "burner"
            else:
                phone, kind = None, "reserved" if r.random() < 0.7 else "none"
            template = None
            if r.random() < prof["template"] * (0.5 if channel == "hotline" else 1.0):
                template = g.templates[own_template if r.random() < 0.9 else r.randrange(len(g.templates))]
            original = None
            if self.forged_budget > 0 and self.gang_forged_left > 0 and r.random() < prof["attach"]:
                original = r.randrange(len(g.originals))
                self.forged_budget -= 1
                self.gang_forged_left -= 1
                self.forged_used += 1
            out.append([day, channel, crole, phone, kind, template, original,
                        self._complaint_rules(g, channel, crole, phone, kind, template, original, m)])
        return out

    @staticmethod
    def _complaint_rules(g, channel, role, phone, kind, template, original, m) -> set[str]:
        rules = set()
        if kind in ("gang", "burner") and channel == "regulator":
            rules.add("2.1")
        if kind == "gang":
            rules.update(("2.4", "2.5", "4.4"))
            if g.advertised and phone == g.phones[0]:
                rules.add("2.8")
        if role in ("agent", "lawyer"):
            rules.add("2.7")
        elif role == "family":
            rules.add("4.5")
        if template is not None:
            rules.add("3.2")
            rules.update(template.rules)
        else:
            rules.add("4.9")
        if channel == "letter" or (m.email and channel in ("online", "letter", "regulator")):
            rules.add("3.1")
        if original is not None:
            rules.add(IMAGE_RULE[g.originals[original][2]])
        return rules

    @staticmethod
    def _member_rules(m: MemberPlan) -> set[str]:
        rules = {"1.5", "4.4", *CALL_ROLE_RULES[m.call_role]}
        if m.burners:
            rules.add("2.3")
        if m.id_fail:
            rules.update(("1.1", "4.1"))
        for flag, rule in ((m.denied, "2.6"), (m.agent_callback, "2.7"),
                           (m.forwarded, "1.2"), (m.background, "1.3")):
            if flag:
                rules.add(rule)
        days = sorted(c[0] for c in m.complaints)
        if any(days[k + 3] - days[k] <= 30 for k in range(len(days) - 3)):
            rules.add("4.7")
        if len({c[1] for c in m.complaints}) >= 3:
            rules.add("5.4")
        return rules

    def _mark_same_wording(self, g: Gang) -> None:
        """Rule 4.6: another customer sent the same template within 30 days."""
        uses: dict[str, list[tuple[int, int, list]]] = {}
        for idx in g.members:
            for c in self.members[idx].complaints:
                if c[5] is not None:
                    uses.setdefault(c[5].tid, []).append((c[0], idx, c))
        for items in uses.values():
            items.sort(key=lambda t: t[0])
            window: dict[int, int] = {}
            lo = hi = 0
            for day, idx, c in items:
                while hi < len(items) and items[hi][0] <= day + 30:
                    window[items[hi][1]] = window.get(items[hi][1], 0) + 1
                    hi += 1
                while items[lo][0] < day - 30:
                    other = items[lo][1]
                    window[other] -= 1
                    if not window[other]:
                        del window[other]
                    lo += 1
                if len(window) > 1:
                    c[7].add("4.6")
