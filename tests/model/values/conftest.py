"""Makers of synthetic, checksum-valid identifiers, written apart from the code under test.

The check characters are computed from the standards' definitions (weights as powers, not the
implementation's tables), so a wrong table in the implementation cannot hide behind them.
"""

from __future__ import annotations

from datetime import date

import pytest

_CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _id_check_character(first_17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, check value (12 - sum) mod 11."""
    total = sum(int(digit) * pow(2, 17 - position, 11) for position, digit in enumerate(first_17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _make_id_number(region: str, birth: date, sequence: str) -> str:
    """An 18-character id number for a 6-digit region, a birth date and a 3-digit sequence."""
    first_17 = f"{region}{birth:%Y%m%d}{sequence}"
    assert len(first_17) == 17
    return first_17 + _id_check_character(first_17)


def _make_credit_code(first_17: str) -> str:
    """GB 32100-2015: weights 3^i mod 31, check value (31 - sum mod 31) mod 31."""
    total = sum(
        _CREDIT_CODE_ALPHABET.index(char) * pow(3, position, 31)
        for position, char in enumerate(first_17)
    )
    return first_17 + _CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


@pytest.fixture(scope="session")
def make_id_number():
    return _make_id_number


@pytest.fixture(scope="session")
def id_check_character():
    return _id_check_character


@pytest.fixture(scope="session")
def make_credit_code():
    return _make_credit_code


@pytest.fixture(scope="session")
def id_number_ending_in_x():
    """A valid synthetic id number whose check character is X."""
    for sequence in range(1000):
        value = _make_id_number("110105", date(1990, 1, 1), f"{sequence:03d}")
        if value.endswith("X"):
            return value
    raise AssertionError("no sequence gives X")
