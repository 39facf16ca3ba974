from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qinglang.errors import ConfigError, InvalidValue
from qinglang.model.values.idnumber import IdNumber, IdNumberProtector, parse_id_number

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PROVINCES = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
]  # fmt: skip


def test_parses_a_valid_number(make_id_number):
    raw = make_id_number("110105", date(1990, 3, 7), "123")
    parsed = parse_id_number(raw)
    assert parsed == IdNumber(raw, date(1990, 3, 7), "110105", "M")
    assert parsed.masked == f"110105********{raw[-4:]}"


def test_sex_comes_from_the_17th_digit(make_id_number):
    assert parse_id_number(make_id_number("440305", date(2001, 1, 1), "011")).sex == "M"
    assert parse_id_number(make_id_number("440305", date(2001, 1, 1), "018")).sex == "F"


def test_the_standards_own_example_is_valid():
    """GB 11643-1999 works its check-character example on 11010519491231002X."""
    assert parse_id_number("11010519491231002x").value == "11010519491231002X"


def test_lowercase_x_spaces_and_full_width_are_cleaned(id_number_ending_in_x):
    lower = id_number_ending_in_x.lower()
    spaced = f" {lower[:6]} {lower[6:14]} {lower[14:]} "
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in lower)
    for raw in (lower, spaced, full_width):
        assert parse_id_number(raw).value == id_number_ending_in_x


def test_a_legacy_15_digit_number_becomes_its_18_character_form(make_id_number):
    parsed = parse_id_number("110105900307123")
    assert parsed.value == make_id_number("110105", date(1990, 3, 7), "123")
    assert parsed.birth_date == date(1990, 3, 7)


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda make: make("110105", date(1990, 1, 1), "123")[:-1], "eighteen characters"),
        (lambda make: make("110105", date(1990, 1, 1), "123") + "1", "eighteen characters"),
        (lambda make: "", "eighteen characters"),
        (lambda make: "11010519900101A23X", "invalid characters"),
        (lambda make: "11010590010112X", "invalid characters"),
        (lambda make: "X10105199001011234", "invalid characters"),
        (lambda make: make("990105", date(1990, 1, 1), "123"), "province"),
        (lambda make: make("100105", date(1990, 1, 1), "123"), "province"),
        (lambda make: make("110105", date(2999, 1, 1), "123"), "future"),
        (lambda make: make("110105", date(1899, 12, 31), "123"), "twentieth century"),
        (lambda make: "110105900230123", "not a real date"),
    ],
)
def test_invalid_numbers_are_rejected_with_a_reason(make_id_number, build, reason):
    with pytest.raises(InvalidValue, match=reason):
        parse_id_number(build(make_id_number))


def test_an_impossible_date_is_rejected(id_check_character):
    first_17 = "110105" + "19900230" + "123"
    with pytest.raises(InvalidValue, match="not a real date"):
        parse_id_number(first_17 + id_check_character(first_17))


def test_the_future_is_judged_against_the_given_today(make_id_number):
    raw = make_id_number("110105", date(2024, 6, 2), "123")
    with pytest.raises(InvalidValue, match="future"):
        parse_id_number(raw, today=date(2024, 6, 1))
    assert parse_id_number(raw, today=date(2024, 6, 2)).birth_date == date(2024, 6, 2)


@given(
    province=st.sampled_from(PROVINCES),
    rest_of_region=st.from_regex(r"[0-9]{4}", fullmatch=True),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    sequence=st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_every_generated_number_parses(make_id_number, province, rest_of_region, birth, sequence):
    raw = make_id_number(province + rest_of_region, birth, sequence)
    parsed = parse_id_number(raw)
    assert (parsed.value, parsed.birth_date, parsed.region_code) == (raw, birth, raw[:6])


@given(position=st.integers(0, 16), shift=st.integers(1, 9))
def test_any_single_digit_error_breaks_the_checksum(make_id_number, position, shift):
    raw = make_id_number("320106", date(1985, 11, 23), "456")
    wrong_digit = str((int(raw[position]) + shift) % 10)
    mistyped = raw[:position] + wrong_digit + raw[position + 1 :]
    with pytest.raises(InvalidValue):
        parse_id_number(mistyped)


class TestProtector:
    @pytest.fixture
    def protector(self):
        return IdNumberProtector(KEY)

    @pytest.fixture
    def raw(self, make_id_number):
        return make_id_number("310104", date(1978, 5, 20), "321")

    def test_digest_is_stable_across_instances_and_spellings(self, protector, raw):
        digest = protector.digest(raw)
        assert len(digest) == 64 and int(digest, 16) >= 0
        assert IdNumberProtector(KEY).digest(parse_id_number(raw)) == digest
        assert protector.digest(f" {raw[:9]} {raw[9:]}") == digest

    def test_digest_depends_on_key_and_number(self, protector, raw, make_id_number):
        other_number = make_id_number("310104", date(1978, 5, 21), "321")
        assert IdNumberProtector(OTHER_KEY).digest(raw) != protector.digest(raw)
        assert protector.digest(other_number) != protector.digest(raw)

    def test_digest_key_is_derived_not_the_master_key(self, protector, raw):
        plain_hmac = hmac.new(KEY, raw.encode(), hashlib.sha256).hexdigest()
        assert protector.digest(raw) != plain_hmac

    def test_encrypt_round_trips(self, protector, raw):
        token = protector.encrypt(raw.lower())
        assert token.startswith("v2:")
        assert raw not in token and raw[6:14] not in token
        assert protector.decrypt(token) == raw
        assert IdNumberProtector(KEY).decrypt(token) == raw

    def test_encryption_is_deterministic_per_number_and_key(self, protector, raw, make_id_number):
        other_number = make_id_number("310104", date(1978, 5, 21), "321")
        assert protector.encrypt(raw) == protector.encrypt(raw)
        assert protector.encrypt(other_number) != protector.encrypt(raw)
        assert IdNumberProtector(OTHER_KEY).encrypt(raw) != protector.encrypt(raw)

    def test_a_token_does_not_open_under_another_key(self, protector, raw):
        with pytest.raises(InvalidValue, match="cannot be decrypted"):
            IdNumberProtector(OTHER_KEY).decrypt(protector.encrypt(raw))

    def test_a_tampered_token_is_rejected(self, protector, raw):
        token = protector.encrypt(raw)
        flipped = "A" if token[-5] != "A" else "B"
        with pytest.raises(InvalidValue, match="cannot be decrypted"):
            protector.decrypt(token[:-5] + flipped + token[-4:])

    @pytest.mark.parametrize(
        ("token", "reason"),
        [("v1:AAAA", "unknown version"), ("v2:a", "base64"), ("v2:AAAA", "cannot be decrypted")],
    )
    def test_malformed_tokens_are_rejected(self, protector, token, reason):
        with pytest.raises(InvalidValue, match=reason):
            protector.decrypt(token)

    def test_protecting_an_invalid_number_raises(self, protector):
        with pytest.raises(InvalidValue):
            protector.digest("110105199001011230")

    def test_a_short_key_is_refused(self):
        with pytest.raises(ConfigError):
            IdNumberProtector(b"too short")
