"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of companies and organisations."""

from __future__ import annotations

import unicodedata

from qinglang.errors import InvalidValue

# Letters I, O, S, V and Z are left out of the code's alphabet; a character's value is its index.
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_LENGTH = 18


def normalize_credit_code(raw: str) -> str:
    """'91350100m000100y43' → '91350100M000100Y43', or `InvalidValue` when the check fails."""
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    code = "".join(text.split()).upper()
    if len(code) != _LENGTH:
        raise InvalidValue("credit code must have eighteen characters")
    if any(char not in _VALUES for char in code):
        raise InvalidValue("credit code contains characters outside its alphabet")
    if _check_character(code[:17]) != code[17]:
        raise InvalidValue("credit code checksum does not match")
    return code


def _check_character(first_17: str) -> str:
    total = sum(_VALUES[char] * weight for char, weight in zip(first_17, _WEIGHTS))
    return _ALPHABET[-total % 31]
