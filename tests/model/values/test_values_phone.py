from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qinglang.errors import InvalidValue
from qinglang.model.values.phone import (
    Phone,
    _compact,
    _fast_mobile,
    _fast_service_line,
    _normalize_with_phonenumbers,
    is_service_number,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("raw", "e164", "kind"),
    [
        ("+86 138-0013-8000", "+8613800138000", "mobile"),
        ("8613800138000", "+8613800138000", "mobile"),
        ("008613800138000", "+8613800138000", "mobile"),
        ("138 0013 8000", "+8613800138000", "mobile"),
        ("13800138000", "+8613800138000", "mobile"),
        ("１３８００１３８０００", "+8613800138000", "mobile"),
        ("（＋８６）１３８－００１３－８０００", "+8613800138000", "mobile"),
        (" 138.0013.8000\t", "+8613800138000", "mobile"),
        ("+86 (0)138 0013 8000", "+8613800138000", "mobile"),
        ("19912345678", "+8619912345678", "mobile"),
        ("010-12345678", "+861012345678", "landline"),
        ("(010)12345678", "+861012345678", "landline"),
        ("+86 10 1234 5678", "+861012345678", "landline"),
        ("0755-8888 1234", "+8675588881234", "landline"),
        ("0951-1234567", "+869511234567", "landline"),
        ("400-820-8820", "+864008208820", "service"),
        ("4008208820", "+864008208820", "service"),
        ("800-820-8820", "+868008208820", "service"),
        ("95588", "+8695588", "service"),
        ("95555", "+8695555", "service"),
        ("+8695588", "+8695588", "service"),
        ("96110", "+8696110", "service"),
        ("12378", "+8612378", "service"),
        ("+44 7911 123456", "+447911123456", "mobile"),
        ("0044 7911 123456", "+447911123456", "mobile"),
        ("+44 20 7946 0958", "+442079460958", "landline"),
        ("+1 650-253-0000", "+16502530000", "mobile"),
    ],
)
def test_every_spelling_gives_the_canonical_number(raw, e164, kind):
    assert normalize_phone(raw) == Phone(e164, kind)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "138-0013-800O",
        "400-FLOWERS",
        "138-0013-8000 转 123",
        "4008208820 ext 5",
        "+",
        "+86",
        "1234",
        "110",
        "12345678",
        "1380013800",
        "138001380001",
        "12800138000",
        "8695588",
        "+44 123",
        "13800138000/13900139000",
        "1" * 25,
    ],
)
def test_garbage_is_rejected(raw):
    with pytest.raises(InvalidValue):
        normalize_phone(raw)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13800138000", "+86 138****8000"),
        ("010-12345678", "+86 101***5678"),
        ("95588", "+86 95588"),
        ("+44 7911 123456", "+44 791***3456"),
        ("+1 650 253 0000", "+1 650***0000"),
    ],
)
def test_masked_keeps_first_three_and_last_four_national_digits(raw, masked):
    assert normalize_phone(raw).masked == masked


def test_repr_does_not_show_the_number():
    assert "0013" not in repr(normalize_phone("13800138000"))


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+8695588", True),
        ("+864008208820", True),
        ("+868008208820", True),
        ("+8613800138000", False),
        ("+861012345678", False),
        ("not a number", False),
    ],
)
def test_is_service_number(e164, expected):
    assert is_service_number(e164) is expected


def _phonenumbers_cn_mobile(text: str) -> str | None:
    """What phonenumbers alone says: the E.164 form if `text` is a valid Chinese mobile."""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if (
        number.country_code == 86
        and phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    ):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


@st.composite
def written_mobiles(draw):
    """An 11-digit number starting with 1 (valid or not), written the ways people write them."""
    national = draw(st.from_regex(r"1[0-9]{10}", fullmatch=True))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86", "86-", "(+86)"]))
    cuts = draw(st.sampled_from([(), (3, 7), (3,), (4, 8), (3, 6)]))
    separator = draw(st.sampled_from([" ", "-", ".", "", " - "]))
    groups = [national[start:end] for start, end in zip((0, *cuts), (*cuts, 11))]
    return prefix + separator.join(groups)


@given(written_mobiles())
def test_fast_path_agrees_with_phonenumbers_on_chinese_mobiles(text):
    fast = _fast_mobile(_compact(text))
    assert (fast.e164 if fast else None) == _phonenumbers_cn_mobile(text)


@given(written_mobiles())
def test_fast_path_never_changes_the_answer(text):
    try:
        expected = _normalize_with_phonenumbers(_compact(text))
    except InvalidValue:
        with pytest.raises(InvalidValue):
            normalize_phone(text)
    else:
        assert normalize_phone(text) == expected


@given(
    st.sampled_from(["", "+", "0", "00", "+0", "1", "86", "+86", "860", "0086", "+0086", "17951"]),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
)
def test_fast_path_accepts_only_what_phonenumbers_accepts(prefix, national):
    """Whatever precedes a mobile, the fast path either defers or answers as phonenumbers."""
    compact = prefix + national
    fast = _fast_mobile(compact)
    if fast is not None:
        assert _normalize_with_phonenumbers(compact) == fast


@given(st.from_regex(r"[48]00[0-9]{7}", fullmatch=True))
def test_service_line_fast_path_agrees_with_phonenumbers(compact):
    assert _fast_service_line(compact) == _normalize_with_phonenumbers(compact)


@given(
    st.sampled_from(["", "+", "+86", "0086", "86", "0", "1", "10", "17951"]),
    st.from_regex(r"[48]00[0-9]{5,8}", fullmatch=True),
)
def test_service_line_fast_path_answers_only_as_phonenumbers_would(prefix, national):
    """Whatever precedes it and however long it is, the fast path defers or answers as
    phonenumbers."""
    compact = prefix + national
    fast = _fast_service_line(compact)
    if fast is not None:
        assert _normalize_with_phonenumbers(compact) == fast
