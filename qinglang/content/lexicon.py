"""The black/gray lexicon as versioned data, and the variants generated from each term.

A term is matched in the matching view (see normalise.py), which already sees through
traditional characters, full-width forms, separators, emoji, look-alikes and homophones.
What is left to generate are spellings the view cannot undo: pinyin and initials standing for
some of the characters (zhengxin修复, zx修复, tingxi挂账) and split characters (彳正信 for 征信).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import product
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from qinglang.content.normalise import character_tables, matching_view
from qinglang.content.pinyin import readings

SIGNS = ("posing", "promise")
MIN_PATTERN_CHARS = 3
MIN_ANCHORED_PATTERN_CHARS = 2
"""A spelling that keeps a character of its term may be shorter: a two-character term half
spelled as an initial (d款, f票 for 贷款, 发票) is anchored by the character it keeps, while
a bare `dk` or `fp` would fire on any abbreviation."""
MIN_PINYIN_ONLY_LETTERS = 6
READINGS_PER_CHAR = 2
FREE_COMBINATION_UP_TO = 3
"""Terms up to this length may have any run of characters spelled out in pinyin or initials;
longer terms a spelled-out prefix or suffix only (what ads do), which keeps the automaton small."""


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str
    level: Literal[1, 2]


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=2)
    category: str
    level: Literal[1, 2]
    weight: float = Field(gt=0, le=5)
    variants: bool = True


class Exclusions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window: int = Field(ge=1, le=50)
    before: tuple[str, ...]
    after: tuple[str, ...]


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    categories: dict[str, Category]
    exclusions: Exclusions
    terms: tuple[Term, ...]

    @model_validator(mode="after")
    def _known_categories_unique_terms(self) -> "Lexicon":
        known = set(self.categories) | set(SIGNS)
        for term in self.terms:
            if term.category not in known:
                raise ValueError(f"term {term.term!r}: unknown category {term.category!r}")
        seen: dict[str, str] = {}
        for term in self.terms:
            other = seen.setdefault(matching_view(term.term), term.term)
            if other != term.term:
                raise ValueError(f"terms {other!r} and {term.term!r} read the same "
                                 "(homophones are matched anyway): keep one")
        return self


def load_lexicon(path=None) -> Lexicon:
    """The lexicon at `path`, or the packaged default."""
    if path is None:
        return default_lexicon()
    with open(path, encoding="utf-8") as handle:
        return Lexicon.model_validate(yaml.safe_load(handle))


@cache
def default_lexicon() -> Lexicon:
    text = resources.files("qinglang.content").joinpath("data/lexicon.yaml").read_text("utf-8")
    return Lexicon.model_validate(yaml.safe_load(text))


VariantKind = Literal["exact", "pinyin", "initials", "split"]


@dataclass(frozen=True, slots=True)
class Pattern:
    """One string the automaton looks for, in matching-view spelling."""

    text: str
    term: int  # index into Lexicon.terms; -1 for an exclusion cue before, -2 for one after
    kind: VariantKind | Literal["cue"]


def patterns(lexicon: Lexicon) -> list[Pattern]:
    """Every variant of every term, and the exclusion cues; the first pattern wins when two
    variants spell the same."""
    found: dict[str, Pattern] = {}
    for index, term in enumerate(lexicon.terms):
        for text, kind in term_variants(term):
            found.setdefault(text, Pattern(text, index, kind))
    for cues, marker in ((lexicon.exclusions.before, -1), (lexicon.exclusions.after, -2)):
        for cue in cues:
            text = matching_view(cue)
            found.setdefault(f"{marker}{text}", Pattern(text, marker, "cue"))
    return list(found.values())


def term_variants(term: Term) -> list[tuple[str, VariantKind]]:
    spelled = [(matching_view(term.term), "exact")]
    if not term.variants:
        return spelled
    spelled += _spelled_out(term.term)
    spelled += [(matching_view(v), "split") for v in _split_characters(term.term)]
    return spelled


def _spelled_out(term: str) -> list[tuple[str, VariantKind]]:
    """Variants with some characters written as pinyin or as initial letters."""
    out = []
    for start, stop in _substitutable_blocks(len(term)):
        choices = [_latin_spellings(char) for char in term[start:stop]]
        for combo in product(*choices):
            letters = "".join(spelling for spelling, _ in combo)
            uses_initials = any(is_initial for _, is_initial in combo)
            whole = stop - start == len(term)
            if whole and (uses_initials or len(letters) < MIN_PINYIN_ONLY_LETTERS):
                continue
            text = matching_view(term[:start]) + letters + matching_view(term[stop:])
            if len(text) >= (MIN_PATTERN_CHARS if whole else MIN_ANCHORED_PATTERN_CHARS):
                out.append((text, "initials" if uses_initials else "pinyin"))
    return out


def _substitutable_blocks(length: int) -> list[tuple[int, int]]:
    if length <= FREE_COMBINATION_UP_TO:
        return [(start, stop) for start in range(length) for stop in range(start + 1, length + 1)]
    return ([(0, stop) for stop in range(1, length + 1)]
            + [(start, length) for start in range(1, length)])


def _latin_spellings(char: str) -> list[tuple[str, bool]]:
    """(spelling, is_initial) for the first readings of a character."""
    spellings: dict[str, bool] = {}
    for reading in readings(char)[:READINGS_PER_CHAR]:
        spellings.setdefault(reading, False)
        spellings.setdefault(reading[0], True)
    return list(spellings.items())


def _split_characters(term: str) -> list[str]:
    splits = character_tables().splits
    return [term[:i] + splits[c] + term[i + 1:] for i, c in enumerate(term) if c in splits]
