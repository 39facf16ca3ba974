"""Business registrations and the alliance intelligence feed: ordinary companies, the
consulting firms behind gangs, companies squatting a bank's brand; shared indicators of which
some match gang handles."""

from __future__ import annotations

from datetime import timedelta

from .ids import credit_code

SCOPES = ("技术开发、技术咨询、技术服务；软件开发；计算机系统服务", "日用百货、服装鞋帽、电子产品的销售",
          "餐饮服务；食品经营", "道路货物运输；仓储服务（不含危险化学品）", "建筑工程施工；室内外装饰装修工程",
          "广告设计、制作、代理；组织文化艺术交流活动", "农产品的种植与销售", "物业管理；停车场服务")
SHADY_SCOPE = ("法律咨询（不含律师事务所业务）", "债务咨询", "商务信息咨询", "企业管理咨询", "征信咨询服务（不含征信业务）",
               "财务咨询", "信用管理服务", "接受金融机构委托从事信息技术和流程外包服务")
SQUAT_TRADES = ("信用管理咨询", "金融信息服务", "债务咨询", "征信咨询", "金服信息咨询", "商务咨询")
STATUS = ("存续", "存续", "存续", "在业", "注销", "吊销")
SOURCES = ("联盟成员-城商行A", "联盟成员-消金公司B", "联盟成员-股份制银行C", "互金协会通报", "反诈中心协查", "本机构上报")
CATEGORY_CN = {"agent_firm": "非法代理维权", "anti_collection_group": "反催收", "debt_evasion_ring": "有组织逃废债"}
OTHER_CATEGORIES = ("非法代理维权", "反催收", "征信修复", "停息挂账", "非法代理退保", "贷款中介欺诈")


def write_companies(out, r, people, vocab, gangs, n: int, clock) -> None:
    """n companies: the gangs' firms, brand squatters, and ordinary businesses."""
    names = vocab.names
    gang_companies = [g.company for g in gangs if g.company]
    n_squat = max(3, n // 12)
    for k in range(n):
        if k < len(gang_companies):
            c = gang_companies[k]
            code, name, d, brand, gid = c["credit_code"], c["name"], c["district"], c["brand"], c["gang"]
            scope = "；".join(r.sample(SHADY_SCOPE, r.randrange(3, 6)))
        else:
            d, gid = people.district(r), ""
            city = d.city if d.city.endswith("市") else d.province
            code = credit_code(r, d.code)
            if k < len(gang_companies) + n_squat:
                brand = r.choice(names["brands"])
                name = f"{city}{brand}{r.choice(SQUAT_TRADES)}有限公司"
                scope = "；".join(r.sample(SHADY_SCOPE, r.randrange(2, 5)))
            else:
                brand = ""
                name = f"{city}{r.choice(names['company_heads'])}{r.choice(names['company_trades'])}有限公司"
                scope = r.choice(SCOPES)
        registered = (clock.ref - timedelta(days=r.randrange(60, 20 * 365))).isoformat()
        out.row("companies", (code, name, registered, people.building(r, d) + people.room(r), scope,
                              people.name(r, r.randrange(2))[0], r.choice(STATUS),
                              f"{r.choice((10, 50, 100, 200, 500, 1000))}万元人民币"))
        out.row("truth_companies", (code, brand, gid))


def write_intelligence(out, r, people, gangs, n: int, clock, external_phone) -> None:
    """n shared indicators; about half from the gangs' handles, the rest other actors'."""
    from_gangs = []
    for g in gangs:
        cat = CATEGORY_CN[g.kind]
        from_gangs += [("phone", p, cat) for p in g.phones]
        from_gangs += [("wechat", w, cat) for w in g.wechat]
        from_gangs += [("qq", g.qq, cat)] if g.qq else []
        from_gangs += [("domain", g.domain, cat)] if g.domain else []
        from_gangs += [("company", g.company["credit_code"], cat)] if g.company else []
    picked = r.sample(from_gangs, min(len(from_gangs), n // 2))
    for kind, value, category in picked + [_external(r, external_phone) for _ in range(n - len(picked))]:
        if kind == "phone":
            value = value if r.random() < 0.5 else "+86" + value
        first = r.randrange(30, 700)
        last = r.randrange(0, first)
        out.row("intelligence", (value, kind, category, r.choice(SOURCES),
                                 clock.stamp(first, r.randrange(86400), r.random(), 0.3, 0.2),
                                 clock.stamp(last, r.randrange(86400), r.random(), 0.3, 0.2),
                                 f"{r.uniform(0.4, 0.99):.2f}", str(r.randrange(1, 30))))


def _external(r, external_phone) -> tuple[str, str, str]:
    x, category = r.random(), r.choice(OTHER_CATEGORIES)
    if x < 0.45:
        return "phone", external_phone(), category
    if x < 0.75:
        return "wechat", f"{r.choice(('zx', 'fw', 'ss', 'ah', 'lvs'))}{r.randrange(100, 99999)}", category
    if x < 0.85:
        return "qq", str(r.randrange(10**5, 3 * 10**9)), category
    if x < 0.95:
        return "domain", f"{r.choice(('zxxf', 'tingxi', 'fawu', 'anxin'))}{r.randrange(10, 999)}.top", category
    return "company", credit_code(r, r.choice(("440300", "310115", "110105", "510107"))), category
