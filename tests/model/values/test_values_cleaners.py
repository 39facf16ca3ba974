from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qinglang.errors import InvalidValue
from qinglang.model.values import CLEANERS, normalize_addresses


def test_cleaners_cover_the_indicator_types():
    assert set(CLEANERS) == {
        "phone", "id_number", "email", "wechat", "qq", "domain", "url", "credit_code",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "raw", "canonical"),
    [
        ("phone", "138 0013 8000", "+8613800138000"),
        ("email", "Kefu@Example.COM", "kefu@example.com"),
        ("wechat", "Loan_Help88", "loan_help88"),
        ("qq", "１２３４５", "12345"),
        ("domain", "https://www.Example.com.cn/x", "example.com.cn"),
        ("url", "Example.com/x#y", "http://example.com/x"),
        ("credit_code", "91350100m000100y43", "91350100M000100Y43"),
    ],
)
def test_each_cleaner_returns_the_canonical_string(kind, raw, canonical):
    assert CLEANERS[kind](raw) == canonical


def test_the_id_number_cleaner_returns_the_18_character_form(make_id_number):
    value = make_id_number("110105", date(1990, 1, 1), "123")
    assert CLEANERS["id_number"](value.lower()) == value


@pytest.mark.parametrize("kind", sorted(CLEANERS))
def test_each_cleaner_rejects_garbage(kind):
    with pytest.raises(InvalidValue):
        CLEANERS[kind]("!!! 不是 ???")


@given(
    kind=st.sampled_from(sorted(CLEANERS)),
    raw=st.text(alphabet="0123456789Xx+-() .@:/abc１２３５", min_size=1, max_size=24),
)
def test_no_message_repeats_any_digit_of_the_value(kind, raw):
    """Reasons are fixed phrases: they hold no digit at all, so no part of a number leaks."""
    try:
        CLEANERS[kind](raw)
    except InvalidValue as error:
        assert not any(char.isdigit() for char in error.message)
        assert raw.strip() not in error.message or len(raw.strip()) < 4


@given(st.from_regex(r"[0-9]{14,19}X?", fullmatch=True))
def test_id_number_messages_hold_no_digit(raw):
    try:
        CLEANERS["id_number"](raw)
    except InvalidValue as error:
        assert not any(char.isdigit() for char in str(error))


def test_address_messages_name_the_position_not_the_value():
    with pytest.raises(InvalidValue) as caught:
        normalize_addresses(["北京市朝阳区建国路88号", "——"])
    assert str(caught.value) == "address at position 1 is empty"
