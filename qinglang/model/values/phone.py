"""Phone numbers: one canonical E.164 form for every way a number gets written.

phonenumbers is the authority, but parsing and checking a number with it costs ~18 µs and
imports must clean more than 50,000 rows a second. Most rows hold an 11-digit Chinese mobile, so
those are recognised by a fast path (~1.5 µs) that applies phonenumbers' own CN mobile pattern;
so are the nationwide 400 and 800 service lines that ads carry (phonenumbers: shared cost and
toll free, every 400/800 followed by seven digits). tests/model/values/test_values_phone.py
checks on generated numbers that both paths agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, shortnumberinfo

from qinglang.errors import InvalidValue

MOBILE = "mobile"
LANDLINE = "landline"
SERVICE = "service"

_CN_MOBILE = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern
)
_CN_PREFIXES = frozenset({"", "+86", "0086", "86"})
_MOBILE_DIGITS = 11
_CN_SERVICE_LINE = re.compile(r"[48]00[0-9]{7}")

# Spaces, dashes, dots and brackets people put between digit groups; deleted before parsing.
_SEPARATORS = dict.fromkeys(map(ord, " \t\u00a0-\u2010\u2011\u2012\u2013\u2014().·"))
_COMPACT = re.compile(r"\+?[0-9]+")
# With 0086 and an IP-dialling prefix (17951…) a real number can reach 20 digits.
_MAX_DIGITS = 20
_SHORT_SERVICE_LENGTHS = (5, 6)

_SERVICE_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.UAN,
    }
)


@dataclass(frozen=True, slots=True, repr=False)
class Phone:
    """A valid phone number. `kind` is "mobile", "landline" or "service"."""

    e164: str
    kind: str

    @property
    def masked(self) -> str:
        """'+86 138****8000': the first 3 and last 4 national digits stay visible."""
        country_code = _country_code(self.e164)
        national = self.e164[1 + len(country_code) :]
        hidden = max(0, len(national) - 7)
        return f"+{country_code} {national[:3]}{'*' * hidden}{national[3 + hidden :]}"

    def __repr__(self) -> str:
        return f"Phone({self.masked}, {self.kind})"


def normalize_phone(raw: str) -> Phone:
    """Clean any spelling of a phone number into a `Phone`, or raise `InvalidValue`."""
    compact = _compact(raw)
    return (_fast_mobile(compact) or _fast_service_line(compact)
            or _normalize_with_phonenumbers(compact))


def is_service_number(e164: str) -> bool:
    """Whether a canonical number is a service line (400/800, 95xxx, 96xxx, …)."""
    try:
        return normalize_phone(e164).kind == SERVICE
    except InvalidValue:
        return False


def _compact(raw: str) -> str:
    """Digits with an optional leading '+', separators removed; full-width digits folded."""
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    compact = text.translate(_SEPARATORS)
    if not compact:
        raise InvalidValue("phone number is empty")
    if not _COMPACT.fullmatch(compact):
        raise InvalidValue("phone number contains characters other than digits and separators")
    if len(compact) > _MAX_DIGITS:
        raise InvalidValue("phone number has too many digits")
    return compact


def _fast_mobile(compact: str) -> Phone | None:
    """The common case without phonenumbers: a Chinese mobile, maybe with +86/0086/86 in front."""
    national = compact[-_MOBILE_DIGITS:]
    if compact[:-_MOBILE_DIGITS] in _CN_PREFIXES and _CN_MOBILE.fullmatch(national):
        return Phone("+86" + national, MOBILE)
    return None


def _fast_service_line(compact: str) -> Phone | None:
    """A 400 or 800 number written without a country code, without phonenumbers."""
    if _CN_SERVICE_LINE.fullmatch(compact):
        return Phone("+86" + compact, SERVICE)
    return None


def _normalize_with_phonenumbers(compact: str) -> Phone:
    try:
        number = phonenumbers.parse(compact, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidValue("not a valid phone number") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(number):
        return Phone(e164, _kind(phonenumbers.number_type(number)))
    if _is_cn_short_service_number(number):
        return Phone(e164, SERVICE)
    raise InvalidValue("not a valid phone number")


def _kind(number_type: int) -> str:
    if number_type == PhoneNumberType.FIXED_LINE:
        return LANDLINE
    if number_type in _SERVICE_TYPES:
        return SERVICE
    # MOBILE, and FIXED_LINE_OR_MOBILE (e.g. +1) where an SMS may reach the person.
    return MOBILE


def _is_cn_short_service_number(number: phonenumbers.PhoneNumber) -> bool:
    """95588, 96110, 10086, 12378…: five- or six-digit service numbers reachable nationwide."""
    return (
        number.country_code == 86
        and len(str(number.national_number)) in _SHORT_SERVICE_LENGTHS
        and shortnumberinfo.is_valid_short_number_for_region(number, "CN")
    )


def _country_code(e164: str) -> str:
    """Country calling codes are prefix-free, so the first known 1–3 digit prefix is the one."""
    for length in (1, 2, 3):
        code = e164[1 : 1 + length]
        if int(code) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code
    raise ValueError("not an E.164 number")
