"""Readings of Chinese characters, from pypinyin's character dictionary, without tones.

Two uses: the matching view replaces every character by one representative character of its
first reading, so that homophones (正信 for 征信) compare equal at the cost of one table
lookup a character; and lexicon terms get pinyin and initial-letter variants (zhengxin修复,
zx修复). Whole-text pinyin conversion (~0.3 MB/s) is never needed.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from pypinyin.pinyin_dict import pinyin_dict


def toneless(syllable: str) -> str:
    """'zhēng' → 'zheng', 'lǜ' → 'lu'."""
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@cache
def _readings_table() -> dict[int, tuple[str, ...]]:
    table: dict[int, tuple[str, ...]] = {}
    for code, spelled in pinyin_dict.items():
        readings = tuple(dict.fromkeys(toneless(s) for s in spelled.split(",") if s))
        if readings:
            table[code] = readings
    return table


def readings(char: str) -> tuple[str, ...]:
    """Toneless readings of a character, most common first; () if it has none."""
    return _readings_table().get(ord(char), ())


@cache
def _representatives() -> dict[str, str]:
    """Syllable → the character with the lowest code point whose first reading it is."""
    reps: dict[str, str] = {}
    for code in sorted(_readings_table()):
        reps.setdefault(_readings_table()[code][0], chr(code))
    return reps


def sound_of(char: str) -> str:
    """The representative character of `char`'s first reading, or `char` if it has none."""
    found = readings(char)
    return _representatives()[found[0]] if found else char
