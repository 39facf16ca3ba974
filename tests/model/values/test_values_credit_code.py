from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qinglang.errors import InvalidValue
from qinglang.model.values.credit_code import normalize_credit_code

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PUBLISHED_SAMPLE = "91350100M000100Y43"


@pytest.mark.parametrize(
    "raw",
    [
        PUBLISHED_SAMPLE,
        "91350100m000100y43",
        " 9135 0100 M000 100Y 43 ",
        "９１３５０１００Ｍ０００１００Ｙ４３",
    ],
)
def test_the_published_sample_is_valid_in_any_spelling(raw):
    assert normalize_credit_code(raw) == PUBLISHED_SAMPLE


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_generated_codes_are_valid(make_credit_code, first_17):
    code = make_credit_code(first_17)
    assert normalize_credit_code(code.lower()) == code


@given(
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17),
    st.integers(0, 17),
    st.integers(1, 30),
)
def test_any_single_substitution_breaks_the_checksum(make_credit_code, first_17, position, shift):
    code = make_credit_code(first_17)
    wrong = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(code[position]) + shift) % 31]
    with pytest.raises(InvalidValue, match="checksum"):
        normalize_credit_code(code[:position] + wrong + code[position + 1 :])


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "eighteen characters"),
        (PUBLISHED_SAMPLE[:-1], "eighteen characters"),
        (PUBLISHED_SAMPLE + "0", "eighteen characters"),
        ("91350100I000100Y43", "alphabet"),
        ("91350100O000100Y43", "alphabet"),
        ("9135-0100M000100Y4", "alphabet"),
    ],
)
def test_malformed_codes_are_rejected(raw, reason):
    with pytest.raises(InvalidValue, match=reason):
        normalize_credit_code(raw)
