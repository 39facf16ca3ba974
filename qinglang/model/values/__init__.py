"""Value types: each cleans one kind of raw field into its canonical form or raises InvalidValue.

`InvalidValue` messages never repeat the value: it is personal data.
"""

from __future__ import annotations

from collections.abc import Callable

from qinglang.model.values.address import Address, normalize_address, normalize_addresses
from qinglang.model.values.contact import normalize_email, normalize_qq, normalize_wechat
from qinglang.model.values.credit_code import normalize_credit_code
from qinglang.model.values.idnumber import IdNumber, IdNumberProtector, parse_id_number
from qinglang.model.values.masking import (
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)
from qinglang.model.values.phone import Phone, is_service_number, normalize_phone
from qinglang.model.values.web import normalize_domain, normalize_url


def _phone_e164(raw: str) -> str:
    return normalize_phone(raw).e164


def _id_number_value(raw: str) -> str:
    return parse_id_number(raw).value


CLEANERS: dict[str, Callable[[str], str]] = {
    "phone": _phone_e164,
    "id_number": _id_number_value,
    "email": normalize_email,
    "wechat": normalize_wechat,
    "qq": normalize_qq,
    "domain": normalize_domain,
    "url": normalize_url,
    "credit_code": normalize_credit_code,
}
"""Type name → function from a raw string to the canonical string, for schema-driven imports."""

__all__ = [
    "CLEANERS",
    "Address",
    "IdNumber",
    "IdNumberProtector",
    "Phone",
    "is_service_number",
    "mask_address",
    "mask_email",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalize_address",
    "normalize_addresses",
    "normalize_credit_code",
    "normalize_domain",
    "normalize_email",
    "normalize_phone",
    "normalize_qq",
    "normalize_url",
    "normalize_wechat",
    "parse_id_number",
]
