"""Normalisation of post texts into the views the content engine reads, with a map back.

Every step is a per-character table applied with `str.translate` (~16 M characters/s), over a
whole batch of texts at once:

- the *folded* view: NFKC (full-width and compatibility forms), lower case, traditional to
  simplified (OpenCC, character by character), look-alike characters (data table), and
  separators, punctuation and emoji deleted, so that 征❤信, 停 息 挂 账 and 徵-信 read 征信;
- the *matching* view: the folded view with every Chinese character replaced by one
  representative of its reading (homophones compare equal) and digits written as 0;
- the *contact* view, one character for one, so offsets need no map: full-width forms, circled
  and Chinese numerals read as digits, lower case, emoji as spaces.

The tables fill lazily (a dict with `__missing__`), so any code point costs its computation
once. Offsets back to the original text are computed only for texts with something to show.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

import numpy as np
import opencc
import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from qinglang.content.pinyin import sound_of

BOUNDARY = "\x00"
"""Stands between the texts of a batch in every view; no table changes it."""

_DROPPED_CATEGORIES = frozenset("PZSCM")


class CharacterTables(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    lookalikes: dict[str, str]
    latin: dict[str, str]
    numerals: dict[str, str]
    splits: dict[str, str]

    @field_validator("lookalikes", "latin", "numerals")
    @classmethod
    def _one_for_one(cls, table: dict[str, str]) -> dict[str, str]:
        for key, value in table.items():
            if len(key) != 1 or len(value) != 1:
                raise ValueError(f"{key!r} → {value!r}: one character for one character")
        return table


@cache
def character_tables() -> CharacterTables:
    text = resources.files("qinglang.content").joinpath("data/characters.yaml").read_text("utf-8")
    return CharacterTables.model_validate(yaml.safe_load(text))


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


class _LazyTable(dict):
    """A `str.translate` table that computes a code point's mapping on first sight."""

    def __init__(self, compute):
        super().__init__({ord(BOUNDARY): BOUNDARY})
        self._compute = compute

    def __missing__(self, code: int) -> str:
        value = self[code] = self._compute(chr(code))
        return value


def _compatibility_form(char: str) -> str:
    """NFKC; a number form that expands ('⑴' → '(1)', '⒈' → '1.') keeps its digits."""
    normal = unicodedata.normalize("NFKC", char)
    if len(normal) > 1 and any(c.isdigit() for c in normal):
        return "".join(c for c in normal if c.isdigit())
    return normal


def _fold(char: str) -> str:
    tables = character_tables()
    out = []
    for c in _compatibility_form(char).lower():
        if unicodedata.category(c)[0] in _DROPPED_CATEGORIES:
            continue
        if ord(c) > 0x2E7F:
            c = _t2s().convert(c)
        out.append(tables.lookalikes.get(c) or tables.latin.get(c) or c)
    return "".join(out)


def _match(char: str) -> str:
    return "".join("0" if c.isdigit() else sound_of(c) if is_cjk(c) else c
                   for c in _fold(char))


def _contact(char: str) -> str:
    """Exactly one character, so that the contact view keeps the original's offsets."""
    tables = character_tables()
    if char in tables.numerals:
        return tables.numerals[char]
    normal = _compatibility_form(char).lower()
    if len(normal) != 1:
        return char
    if normal in tables.latin:
        return tables.latin[normal]
    category = unicodedata.category(normal)
    if category[0] == "S" or category in ("Cf", "Mn", "Me") or category[0] == "Z":
        return " "
    return normal


FOLD = _LazyTable(_fold)
MATCH = _LazyTable(_match)
CONTACT = _LazyTable(_contact)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F


def folded(text: str) -> str:
    return text.translate(FOLD)


def matching_view(text: str) -> str:
    return text.translate(MATCH)


def contact_view(text: str) -> str:
    return text.translate(CONTACT)


def origins(text: str, table: dict = MATCH) -> list[int]:
    """For each character of `text.translate(table)`, the index of the original character it
    came from, plus one entry for the end (len(text)). Used to highlight matches.

    The characters are translated with BOUNDARY between them, so one C-level translate and
    split give how many characters each original one became."""
    if not text:
        return [0]
    pieces = BOUNDARY.join(text).translate(table).split(BOUNDARY)
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    return np.append(np.repeat(np.arange(len(text)), lengths), len(text)).tolist()
