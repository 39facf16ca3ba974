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
once. The engine reads whole batches through numpy arrays over all code points built from the
same per-character functions (`batch_views`): a gather per table instead of a `str.translate`,
and the map back to the original comes with the folded view at no extra cost.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Callable
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


def _match_folded(c: str) -> str:
    """The matching view of one character of the folded view (always one character)."""
    return "0" if c.isdigit() else sound_of(c) if is_cjk(c) else c


def _match(char: str) -> str:
    return "".join(map(_match_folded, _fold(char)))


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


_CODE_POINTS = 0x110000
MANY = 2
"""`fold_length` of a character that folds into two or more (rare: 'ﬁ' → 'fi')."""


class LazyCodeArray:
    """A numpy array indexed by code point, filled on first sight like `_LazyTable`: any code
    point costs one call of `compute` (its value must never be `unknown`)."""

    def __init__(self, dtype, compute: Callable[[str], int], unknown: int):
        self._array = np.full(_CODE_POINTS, unknown, dtype=dtype)
        self._compute = compute
        self._unknown = unknown

    def __getitem__(self, codes: np.ndarray) -> np.ndarray:
        found = self._array.take(codes)
        if (found == self._unknown).any():
            for code in np.unique(codes[found == self._unknown]).tolist():
                self._array[code] = self._compute(chr(code))
            found = self._array.take(codes)
        return found


def _fold_length(char: str) -> int:
    return min(len(_fold(char)), MANY) if char != BOUNDARY else 1


def _one(view: Callable[[str], str]) -> Callable[[str], int]:
    """A view of one character as the code point of its (single) result; BOUNDARY stays."""
    return lambda char: ord(view(char)) if char != BOUNDARY else 0


_FOLD_LENGTH = LazyCodeArray(np.uint8, _fold_length, 255)
_FOLD_CHAR = LazyCodeArray(np.int64, _one(_fold), -1)
_MATCH_CHAR = LazyCodeArray(np.int64, _one(_match_folded), -1)
_CONTACT_CHAR = LazyCodeArray(np.int64, _one(_contact), -1)


@dataclass(frozen=True)
class BatchViews:
    """The views of texts joined by BOUNDARY, as arrays of code points (int64, numpy's index
    type, so that no lookup converts them): what `folded`, `matching_view` and
    `contact_view` give for the joined string, and where each folded character came from."""

    original: np.ndarray
    folded: np.ndarray
    matching: np.ndarray   # one for one with `folded`
    origin: np.ndarray     # index in `original` of each character of `folded`
    contact: np.ndarray    # one for one with `original`


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def text_of(codes: np.ndarray) -> str:
    return codes.astype(np.uint32).tobytes().decode("utf-32-le")


def batch_views(joined: str) -> BatchViews:
    original = code_points(joined)
    folded, origin = _folded(original)
    return BatchViews(original, folded, _MATCH_CHAR[folded], origin, _CONTACT_CHAR[original])


def _folded(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The folded view and, for each of its characters, the index of the original one."""
    lengths = _FOLD_LENGTH[codes]
    if not (lengths == MANY).any():
        origin = np.flatnonzero(lengths.view(bool))     # lengths are 0 or 1
        return _FOLD_CHAR[codes[origin]], origin
    many = np.flatnonzero(lengths == MANY)
    expanded = [code_points(_fold(chr(code))) for code in codes[many].tolist()]
    lengths = lengths.astype(np.int64)
    lengths[many] = [len(e) for e in expanded]
    origin = np.repeat(np.arange(len(codes)), lengths)
    single = lengths[origin] == 1
    folded = np.zeros(len(origin), dtype=np.int64)
    folded[single] = _FOLD_CHAR[codes[origin[single]]]
    starts = np.cumsum(lengths) - lengths
    for position, chars in zip(many.tolist(), expanded):
        folded[starts[position]:starts[position] + len(chars)] = chars
    return folded, origin
