"""Contacts behind ads: every spelling of a phone number and every way of writing a handle,
normalised to indicators; precision and recall on a generated corpus of obfuscated ones."""

from __future__ import annotations

import random

import numpy as np
import pytest

from qinglang.content import contacts
from qinglang.content.contacts import find_contacts, indicators, mask_indicator
from qinglang.content.normalise import code_points, contact_view

CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
CHINESE = "零一二三四五六七八九"
CAPITAL = "零壹贰叁肆伍陆柒捌玖"
MOBILE_PREFIXES = ("130", "135", "138", "139", "150", "152", "158", "166", "177", "181", "186",
                   "188", "199")
FILLER = ("专业停息挂账，一对一协商", "征信花了也能办，当天见效", "负债上岸不是梦，名额有限",
          "网贷逾期怎么办？", "免费咨询，24小时在线", "已帮助上万人上岸")


def _found(text: str) -> list[str]:
    return indicators(find_contacts(contact_view(text)))


@pytest.mark.parametrize("spelled", [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 138-0013-8000", "8613800138000",
    "１３８００１３８０００", "1 3 8 0 0 1 3 8 0 0 0", "①③⑧⓪⓪①③⑧⓪⓪⓪", "幺三八零零幺三八零零零",
    "壹叁捌零零壹叁捌零零零", "138.0013.8000", "1３8 00一3 8000",
])
def test_a_phone_in_any_spelling_is_one_indicator(spelled):
    assert _found(f"咨询热线：{spelled}，24小时在线") == ["phone:+8613800138000"]


@pytest.mark.parametrize("written, indicator", [
    ("vx：zx_12345", "wechat:zx_12345"), ("V信：ShangAn888", "wechat:shangan888"),
    ("薇信 tingxi66", "wechat:tingxi66"), ("威信fawulaowang", "wechat:fawulaowang"),
    ("微：xieshang_01", "wechat:xieshang_01"), ("+V：anxin2024", "wechat:anxin2024"),
    ("➕V lvshi_zhang", "wechat:lvshi_zhang"), ("加ｖｘ：ＡＢＣ１２３", "wechat:abc123"),
    ("QQ：123456789", "qq:123456789"), ("扣扣 987654321", "qq:987654321"),
    ("企鹅10001234", "qq:10001234"), ("邮箱 Zhang.San@Example.COM", "email:zhang.san@example.com"),
    ("官网 https://www.zxxf88.top/aB3d", "domain:zxxf88.top"),
    ("www.shangan55.vip", "domain:shangan55.vip"),
    ("热线 400-123-4567", "phone:+864001234567"),
])
def test_handles_and_links_become_indicators(written, indicator):
    assert _found(f"专业停息挂账，{written}，名额有限") == [indicator]


def test_a_phone_number_written_as_wechat_id_is_only_a_phone():
    assert _found("手机同微13800138000") == ["phone:+8613800138000"]


def test_numbers_that_are_not_contacts_are_left_alone():
    assert _found("成功处理3000+案例，额度5到50万，最长60期，订单号20240613001234567") == []


def test_positions_point_into_the_original_text():
    text = "加ｖｘ：ＡＢＣ１２３ 电话①③⑧⓪⓪①③⑧⓪⓪⓪"
    shown = [text[c.start:c.end] for c in find_contacts(contact_view(text))]
    assert shown == ["ＡＢＣ１２３", "①③⑧⓪⓪①③⑧⓪⓪⓪"]


def test_masked_indicators_hide_the_handle():
    assert mask_indicator("phone:+8613800138000") == "phone:+86 138****8000"
    assert mask_indicator("wechat:fawulaowang") == "wechat:fa********g"
    assert mask_indicator("domain:zxxf88.top") == "domain:zxxf88.top"


def _spell_phone(national: str, rng: random.Random) -> str:
    style = rng.randrange(7)
    if style == 0:
        return " ".join(national)
    if style == 1:
        return "".join(chr(ord(d) + 0xFEE0) for d in national)
    if style == 2:
        return "".join(rng.choice((CHINESE, CAPITAL))[int(d)] for d in national)
    if style == 3:
        return "".join(CIRCLED[int(d)] for d in national)
    if style == 4:
        return f"{national[:3]}-{national[3:7]}-{national[7:]}"
    if style == 5:
        return f"+86 {national[:3]} {national[3:7]} {national[7:]}"
    return national


def _spell_handle(kind: str, value: str, rng: random.Random) -> str:
    if kind == "wechat":
        trigger = rng.choice(("vx：", "V信:", "薇信 ", "威信", "微：", "+V ", "wx:", "➕V "))
        shown = value.upper() if rng.random() < 0.2 else value
        if rng.random() < 0.2:
            shown = "".join(chr(ord(c) + 0xFEE0) for c in shown)
        return trigger + shown
    if kind == "qq":
        return rng.choice(("QQ：", "扣扣", "企鹅", "Q群")) + value
    return rng.choice((f"https://{value}/x{rng.randrange(999)}", f"官网 {value}", f"www.{value}"))


def _obfuscated_ad(rng: random.Random) -> tuple[str, set[str]]:
    parts, truth = [rng.choice(FILLER)], set()
    for kind in rng.sample(("phone", "wechat", "qq", "domain"), rng.randint(1, 3)):
        if kind == "phone":
            national = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
            parts.append(rng.choice(("电话", "☎", "热线：", "咨询")) + _spell_phone(national, rng))
            truth.add(f"phone:+86{national}")
        else:
            value = {"wechat": f"{rng.choice(('zx', 'tingxi', 'fawu', 'shangan'))}"
                               f"{rng.choice(('', '_'))}{rng.randrange(1000, 99999)}",
                     "qq": str(rng.randrange(10**5, 3 * 10**9)),
                     "domain": f"{rng.choice(('zxxf', 'fawu', 'huidai'))}{rng.randrange(10, 999)}."
                               f"{rng.choice(('com', 'cn', 'top', 'vip'))}"}[kind]
            parts.append(_spell_handle(kind, value, rng))
            truth.add(f"{kind}:{value}")
    parts.append(rng.choice(FILLER))
    return rng.choice(("，", " ", "！", "✅", "\n")).join(parts), truth


def test_precision_and_recall_on_obfuscated_numbers_and_handles():
    rng = random.Random(2026)
    true_positive = found_total = truth_total = 0
    for _ in range(2000):
        text, truth = _obfuscated_ad(rng)
        found = set(_found(text))
        true_positive += len(found & truth)
        found_total += len(found)
        truth_total += len(truth)
    precision, recall = true_positive / found_total, true_positive / truth_total
    print(f"contacts: precision {precision:.4f}, recall {recall:.4f} over {truth_total} handles")
    assert precision >= 0.98 and recall >= 0.98


def test_remembered_values_survive_growing_and_forgetting(monkeypatch):
    """Matches are found again by their code points in a table that doubles as it fills and is
    forgotten when full: through both, every match keeps its own cleaned value."""
    monkeypatch.setattr(contacts, "_FIRST_ROOM", 4)
    monkeypatch.setattr(contacts, "_MAX_SEEN", 40)
    monkeypatch.setattr(contacts, "_SEEN", contacts._Remembered())
    rng = random.Random(3)
    for _ in range(12):
        texts = [f"{rng.choice(FILLER)} 1{rng.choice('3589')}{rng.randrange(10**9):09d} "
                 f"vx：ab{rng.randrange(40)}cdef www.x{rng.randrange(30)}.cn "
                 f"QQ {rng.randrange(10**5, 10**6)} 0{rng.randrange(10**10)}"
                 for _ in range(rng.randrange(1, 9))]
        views = [contact_view(text) for text in texts]
        starts = np.cumsum([0] + [len(view) + 1 for view in views[:-1]])
        table = contacts.find_batch_contacts(code_points("\x00".join(views)), starts, len(texts))
        for index, view in enumerate(views):
            assert [(c.kind, c.value) for c in table.of_text(index)] == _by_the_pattern(view)
    assert len(contacts._SEEN.group) <= 64


def _by_the_pattern(view: str) -> list[tuple[str, str]]:
    """(kind, value) of every valid contact of a view, read by the regular expression."""
    found = []
    for match in contacts.CONTACT_PATTERN.finditer(view):
        kind = match.lastgroup
        value = contacts._clean(kind, match.group(kind))
        if value is not None:
            found.append(("domain" if kind == "url" else kind, value))
    return found
