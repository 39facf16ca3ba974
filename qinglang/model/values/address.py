"""Postal addresses: province/city/district by cpca, plus keys that tell the same building apart.

Places come from cpca's own automaton over its place-name table, walked by `_place` exactly as
cpca's one-address parser walks it (`cpca._get_one_addr`, which `cpca.transform` runs before
building a pandas DataFrame around the results) but without its per-match objects and
generators: 11 → 8 µs an address, identical results on the sample institution's addresses
(`tests/ingest/test_address_placement.py` compares them).

cpca quirks handled here: municipalities come back with city "市辖区" (or none at all, or "县"
for Chongqing's counties), county-level cities under a province with city
"省直辖县级行政区划"; an address cpca cannot place comes back without even its remainder.
Not handled: a district name shared by several cities (朝阳区, 鼓楼区) with no city before it
is placed in whichever city cpca lists first (朝阳区 alone → 吉林省长春市), and a district
written without 区 ('北京朝阳建国路') is not recognised, so its name stays in the remainder.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qinglang.errors import InvalidValue

_MUNICIPALITIES = frozenset({"北京市", "上海市", "天津市", "重庆市"})
_COUNTY_RANK = 2  # cpca's AddrInfo.RANK_COUNTY
_PLACEHOLDER_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

_CHINESE_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3,
    "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_UNIT_WORDS = "号楼|号院|号|栋|幢|座|单元|室|房|楼|层|期"
_CHINESE_NUMBER_BEFORE_UNIT = re.compile(rf"([〇零一二两三四五六七八九十百千]+)(?={_UNIT_WORDS})")
_BUILDING_HASH = re.compile(r"([0-9a-z]+)#楼?")
_BUILDING_UNIT_ROOM = re.compile(r"([0-9]+)-([0-9]+)-([0-9]+)$")
_BUILDING_WORD = re.compile(r"(?<=[0-9a-z])(?:号楼|栋|幢|座)")
_ROOM_WORD = re.compile(r"(?<=[0-9a-z])(?:号房|号室|房|室)")
_NOT_KEY_CHARACTER = re.compile(r"[^\w-]|_")
_DASH_NOT_BETWEEN_DIGITS = re.compile(r"(?<![0-9])-|-(?![0-9])")
_BARE_ROOM_NUMBER = re.compile(r"(?<=[栋元])([0-9]+)$")
_BELOW_BUILDING = re.compile(r"(?:[0-9]+(?:单元|层|楼|室))+$")
# Characters without which the expression of the same name cannot match.
_CHINESE_NUMERALS = frozenset("〇零一二两三四五六七八九十百千")
_BUILDING_WORD_CHARACTERS = frozenset("楼栋幢座")
_ROOM_WORD_CHARACTERS = frozenset("房室")
_BELOW_BUILDING_ENDS = ("元", "层", "楼", "室")


@dataclass(frozen=True, slots=True, repr=False)
class Address:
    """An address split into administrative parts ("" where unknown) and the remainder.

    `key` compares whole addresses (district adcode + normalised remainder); `building_key`
    drops the unit, floor and room, so neighbours in one building share it.
    """

    province: str
    city: str
    district: str
    detail: str
    adcode: str
    key: str
    building_key: str

    @property
    def masked(self) -> str:
        """Province, city and district kept, the rest replaced by '****'."""
        parts = dict.fromkeys(part for part in (self.province, self.city, self.district) if part)
        return "".join(parts) + "****"

    def __repr__(self) -> str:
        return f"Address({self.masked})"


def normalize_address(raw: str) -> Address:
    """One address; `normalize_addresses` for many."""
    return normalize_addresses([raw])[0]


def normalize_addresses(raws: Sequence[str]) -> list[Address]:
    """Many addresses in one cpca call; raises `InvalidValue` naming the first empty one."""
    texts = [_clean(raw) for raw in raws]
    for position, text in enumerate(texts):
        if not any(char.isalnum() for char in text):
            raise InvalidValue(f"address at position {position} is empty")
    if not texts:
        return []
    return [_address(text, *_place(text)) for text in texts]


@functools.cache
def _cpca_one_address():
    """cpca's own parser of one address (cpca 0.5.5, pinned), kept as the reference `_place`
    is checked against. cpca loads its tables on import (~1 s): only when addresses are
    cleaned."""
    import cpca

    return functools.partial(cpca._get_one_addr, pos_sensitive=False, umap={})


def _cpca_parts(found: dict) -> tuple[object, ...]:
    return found["省"], found["市"], found["区"], found["地址"], found["adcode"]


@functools.cache
def _cpca_automaton():
    """cpca's Aho-Corasick automaton: place name (full or abbreviated) → (the name as
    matched, the places of that name)."""
    import cpca

    return cpca.matcher.ac


def _place(text: str) -> tuple[str | None, ...]:
    """(province, city, district, remainder, adcode) as `_cpca_parts(_cpca_one_address()(text))`
    gives them: the places matched left to right, each kept when it lies within the one kept
    before it, until a county-level one."""
    last = None
    end_at = -1
    for end, places in _place_matches(text):
        placed = places[0] if last is None else next(
            (place for place in places if place.belong_to(last)), None)
        if placed is not None:
            last, end_at = placed, end
            if placed.rank == _COUNTY_RANK:
                break
    if last is None:
        return None, None, None, None, None
    return (*_place_names(last.adcode), text[end_at + 1:], last.adcode)


def _place_matches(text: str) -> Iterator[tuple[int, list]]:
    """(end, places) of the automaton's matches as cpca's `Matcher.iter` keeps them: a match
    ending within the previous one is dropped, and of two starting at the same character
    (an abbreviation and the full name) only the longer. Lazily: `_place` stops reading at
    the county, and the rest of the address is then never scanned."""
    pending = None
    previous_start = previous_end = None
    for end, (name, places) in _cpca_automaton().iter(text):
        if previous_end is not None and end <= previous_end:
            continue
        start = end - len(name) + 1
        if pending is None:
            pending = (end, places)
        elif start == previous_start:
            yield end, places
            pending = None
        else:
            yield pending
            pending = (end, places)
        previous_start, previous_end = start, end
    if pending is not None:
        yield pending


@functools.cache
def _place_names(adcode: str) -> tuple[str | None, str | None, str | None]:
    """Province, city and district names of a place's adcode, as cpca's
    `update_res_by_adcode` fills them."""
    import cpca

    if adcode.endswith("0000"):
        return cpca.adcode_name(adcode[:2]), None, None
    if adcode.endswith("00"):
        return cpca.adcode_name(adcode[:2]), cpca.adcode_name(adcode[:4]), None
    return (cpca.adcode_name(adcode[:2]), cpca.adcode_name(adcode[:4]),
            cpca.adcode_name(adcode))


def _clean(raw: str) -> str:
    """NFKC (full-width digits and letters to ASCII) and whitespace runs to one space."""
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def _address(text: str, *cells: object) -> Address:
    province, city, district, remainder, adcode = map(_text, cells)
    if province in _MUNICIPALITIES:
        city = province
    elif city in _PLACEHOLDER_CITIES:
        city = ""
    detail = remainder if adcode else text
    key = f"{adcode}:{_comparison_form(detail)}"
    return Address(province, city, district, detail.strip(), adcode, key, _building_key(key))


def _text(cell: object) -> str:
    """cpca leaves unknown parts as None or NaN."""
    return cell if isinstance(cell, str) else ""


def _comparison_form(detail: str) -> str:
    """The remainder spelled one way: '３号楼 二单元 五零一房' and '3栋2单元501室' agree.
    Each rewrite runs only when a character it needs is there (a set or substring test in C
    is cheaper than a regular expression's scan)."""
    text = detail.casefold()
    if not _CHINESE_NUMERALS.isdisjoint(text):
        text = _CHINESE_NUMBER_BEFORE_UNIT.sub(_arabic, text)
    if "#" in text:
        text = _BUILDING_HASH.sub(r"\1栋", text)
    text = text.replace("—", "-").replace("–", "-")
    if not text.isalnum():  # \w is what isalnum() accepts, plus '_'
        text = _NOT_KEY_CHARACTER.sub("", text)
    if "-" in text:
        text = _DASH_NOT_BETWEEN_DIGITS.sub("", text)
        text = _BUILDING_UNIT_ROOM.sub(r"\1栋\2单元\3室", text)
    if not _BUILDING_WORD_CHARACTERS.isdisjoint(text):
        text = _BUILDING_WORD.sub("栋", text)
    if not _ROOM_WORD_CHARACTERS.isdisjoint(text):
        text = _ROOM_WORD.sub("室", text)
    if text[-1:].isdigit():
        text = _BARE_ROOM_NUMBER.sub(r"\1室", text)
    return text


def _building_key(key: str) -> str:
    return _BELOW_BUILDING.sub("", key) if key.endswith(_BELOW_BUILDING_ENDS) else key


def _arabic(match: re.Match[str]) -> str:
    """'三' → '3', '五零一' → '501', '十二' → '12', '一百零一' → '101'."""
    numeral = match.group(1)
    if not any(char in _CHINESE_UNITS for char in numeral):
        return "".join(str(_CHINESE_DIGITS[char]) for char in numeral)
    total, digit = 0, 0
    for char in numeral:
        if char in _CHINESE_UNITS:
            total += (digit or 1) * _CHINESE_UNITS[char]
            digit = 0
        else:
            digit = _CHINESE_DIGITS[char]
    return str(total + digit)
