"""Vocabulary of the sample institution: names, regions (from cpca's adcode table) and the
text fragments of `data/*.yaml`, loaded once and indexed for fast random choice."""

from __future__ import annotations

import csv
from bisect import bisect_right
import itertools
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("data")


def load(name: str) -> dict:
    """One YAML data file of this package."""
    with open(DATA / f"{name}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


class Weighted:
    """Random choice with weights via a cumulative table."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, r):
        return self.items[bisect_right(self.cum, r.random() * self.total)]


class District:
    """A county-level division: its 6-digit code and the names above it."""

    __slots__ = ("code", "province", "city", "name")

    def __init__(self, code, province, city, name):
        self.code, self.province, self.city, self.name = code, province, city, name

    @property
    def prefix(self) -> str:
        """Province + city + district as written in an address."""
        return self.province + (self.city if self.city != self.province else "") + self.name


def _read_adcodes() -> dict[str, str]:
    path = resources.files("cpca").joinpath("resources/adcodes.csv")
    with path.open(encoding="utf-8") as f:
        return {row["adcode"][:6]: row["name"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def districts() -> list[District]:
    """All mainland county-level divisions with real province/city names, sorted by code.

    Municipalities write the province name once; cities without districts (东莞, 中山 …) stand
    for themselves with their city code."""
    names = _read_adcodes()
    weights = load("names")["province_weights"]
    out, has_child = [], set()
    for code in sorted(names):
        if code[:2] not in weights or code.endswith("00") or names[code] == "市辖区":
            continue
        province = names.get(code[:2] + "0000")
        city = names.get(code[:4] + "00", "")
        if not province:
            continue
        if city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", ""):
            city = province if code[:2] in ("11", "12", "31", "50") else ""
        has_child.add(code[:4])
        out.append(District(code, province, city or province, names[code]))
    for code in sorted(names):
        if code[4:] == "00" and code[2:] != "0000" and code[:4] not in has_child:
            province = names.get(code[:2] + "0000")
            if province and code[:2] in weights:
                out.append(District(code, province, names[code], ""))
    out.sort(key=lambda d: d.code)
    return out


@lru_cache(maxsize=1)
def district_slots() -> list[tuple[int, int]]:
    """(district index, copy) pairs: populous provinces' districts get up to 5 copies, so that
    a uniform choice of slot is a population-weighted choice of district."""
    ds = districts()
    weights = load("names")["province_weights"]
    per_province: dict[str, int] = {}
    for d in ds:
        per_province[d.code[:2]] = per_province.get(d.code[:2], 0) + 1
    share = [weights[d.code[:2]] / per_province[d.code[:2]] for d in ds]
    top = max(share)
    return [(i, c) for i, s in enumerate(share) for c in range(max(1, min(5, round(5 * s / top))))]


class Vocab:
    """Everything textual the generator draws from, loaded once."""

    def __init__(self):
        self.names = load("names")
        self.genuine = load("genuine")
        self.gangs = load("gangs")
        self.calls = load("calls")
        self.posts = load("posts")
        n = self.names
        self.inst = n["institution"]
        self.surnames = Weighted([(s, p) for s, p, _ in n["surnames"]], [w for *_, w in n["surnames"]])
        self.given = {1: [tuple(x) for x in n["given_male"]], 0: [tuple(x) for x in n["given_female"]]}
        self.districts = districts()
        self.slots = district_slots()
        cats = self.genuine["categories"]
        self.categories = Weighted(list(cats), [c["weight"] for c in cats.values()])


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    """The shared, read-only vocabulary."""
    return Vocab()
