"""Identifiers as people type and read them: `kind:value` parsed into a graph node, and masked
for display (phones, e-mails, handles and addresses are personal data)."""

from __future__ import annotations

from qinglang.errors import InvalidValue
from qinglang.model.values import CLEANERS, mask_email, mask_phone
from qinglang.model.values.masking import FULLY_MASKED

# node types whose keys are cleaned like the value type of the same name
_CLEANED = {"phone": "phone", "email": "email", "wechat": "wechat", "qq": "qq",
            "domain": "domain", "company": "credit_code"}


def parse_identifier(text: str, node_types: list[str]) -> tuple[str, str]:
    """'phone:138 0013 8000' → ('phone', '+8613800138000'). Without a known kind, a value that
    cleans as a phone number is a phone, anything else a customer id."""
    kind, sep, value = text.strip().partition(":")
    if sep and kind in node_types:
        return kind, clean_key(kind, value)
    try:
        return "phone", clean_key("phone", text)
    except InvalidValue:
        return "customer", text.strip()


def clean_key(kind: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidValue(f"empty {kind} identifier")
    return CLEANERS[_CLEANED[kind]](value) if kind in _CLEANED else value


def mask_key(kind: str, key: str, personal: bool) -> str:
    """The displayed form of a node key: personal kinds masked, others as they are."""
    if not personal:
        return key
    if kind == "phone":
        return mask_phone(key)
    if kind == "email":
        return mask_email(key)
    if kind == "address":
        place, _, rest = key.partition(":")      # district code : street and building
        return f"{place}:{rest[:4]}****" if rest else FULLY_MASKED
    return key[:2] + "****" if len(key) > 4 else FULLY_MASKED


def label(kind: str, key: str, personal: bool, unmasked: bool) -> str:
    """'kind:value', masked unless asked otherwise."""
    return f"{kind}:{key if unmasked else mask_key(kind, key, personal)}"
