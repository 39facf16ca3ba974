"""Amounts of money in texts (元, 万元), sorted into what they are by the words before them.

The categories and their cue words are data (`amounts.yaml`, strict schema below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万)?元")


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title_zh: str
    title_en: str
    cues: tuple[str, ...] = Field(min_length=1)


class AmountCues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window: int = Field(gt=0, le=40)
    categories: tuple[Category, ...]


@cache
def amount_cues() -> AmountCues:
    text = resources.files("qinglang.disposal").joinpath("amounts.yaml").read_text("utf-8")
    return AmountCues.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class Amount:
    category: str
    yuan: float
    source_id: str


def amounts_in(text: str, source_id: str) -> list[Amount]:
    cues = amount_cues()
    found = []
    for match in AMOUNT.finditer(text or ""):
        before = text[max(0, match.start() - cues.window):match.start()]
        category = next((c.id for c in cues.categories if any(q in before for q in c.cues)),
                        None)
        if category:
            yuan = float(match.group(1).replace(",", "")) * (10_000 if match.group(2) else 1)
            found.append(Amount(category, yuan, source_id))
    return found


@dataclass
class AmountTotal:
    category: Category
    count: int = 0
    total: float = 0.0
    largest: float = 0.0
    sources: list[str] = field(default_factory=list)


def totals(amounts: list[Amount]) -> list[AmountTotal]:
    """One line per category that occurs, in the data file's order."""
    by_id = {c.id: AmountTotal(c) for c in amount_cues().categories}
    for amount in amounts:
        line = by_id[amount.category]
        line.count += 1
        line.total += amount.yuan
        line.largest = max(line.largest, amount.yuan)
        if amount.source_id not in line.sources:
            line.sources.append(amount.source_id)
    return [line for line in by_id.values() if line.count]
