"""A small generated sample shared by the sample-generator tests, and readers for it that do
not rely on the generator's own code (phones, times and booleans are parsed here)."""

from __future__ import annotations

import csv
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from qinglang.sample import generate

N, SEED = 2000, 11


def normalize_phone(value: str) -> str:
    """Digits of a phone number without the +86 / 86 country prefix."""
    digits = re.sub(r"\D", "", value)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def parse_time(value: str) -> datetime:
    """The three timestamp spellings the sample uses (China time when no zone is given)."""
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            pass
    return datetime.fromisoformat(value).replace(tzinfo=None)


def parse_bool(value: str) -> bool | None:
    if value == "":
        return None
    if value in ("true", "1", "是", "Y"):
        return True
    assert value in ("false", "0", "否", "N"), value
    return False


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


@dataclass
class Sample:
    """The generated files, parsed, with the readers above as static methods."""

    dir: Path
    seconds: float
    counts: dict
    customers: list[dict] = field(default_factory=list)
    complaints: list[dict] = field(default_factory=list)   # complaints.csv and letters_gbk.csv
    calls: list[dict] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    intelligence: list[dict] = field(default_factory=list)
    truth: dict = field(default_factory=dict)

    n: int = N
    phone = staticmethod(normalize_phone)
    time = staticmethod(parse_time)
    bool = staticmethod(parse_bool)
    read_csv = staticmethod(read_csv)

    def truth_by(self, name: str, key: str) -> dict:
        return {row[key]: row for row in self.truth[name]}


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Sample:
    out = tmp_path_factory.mktemp("sample")
    start = time.perf_counter()
    counts = generate(out, N, SEED)
    s = Sample(out, time.perf_counter() - start, counts)
    s.customers = read_csv(out / "customers.csv")
    s.complaints = read_csv(out / "complaints.csv", "utf-8-sig") + read_csv(out / "letters_gbk.csv", "gb18030")
    s.calls = read_csv(out / "calls.csv")
    s.posts = [json.loads(line) for line in (out / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    s.companies = read_csv(out / "companies.csv")
    s.intelligence = read_csv(out / "intelligence.csv")
    for name in ("customers", "complaints", "gangs", "posts", "companies", "attachments"):
        s.truth[name] = read_csv(out / "truth" / f"{name}.csv")
    return s
