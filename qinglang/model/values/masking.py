"""Masked forms of personal data, for logs and screens that show identifiers by default.

Every function accepts a raw string as well as a cleaned value and never raises: a value that
cannot be cleaned is masked entirely.
"""

from __future__ import annotations

from qinglang.errors import InvalidValue
from qinglang.model.values.address import Address, normalize_address
from qinglang.model.values.contact import normalize_email
from qinglang.model.values.idnumber import IdNumber, parse_id_number
from qinglang.model.values.phone import Phone, normalize_phone

FULLY_MASKED = "****"

# Two-character surnames (复姓) that keep both characters visible.
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 "
    "南宫 西门 呼延 万俟 闻人 赫连 太史 钟离 淳于 单于 濮阳 公冶 宗政 司空 拓跋 鲜于 闾丘 "
    "左丘 第五 梁丘 谷梁 羊舌 微生 公羊 乐正 漆雕 申屠 澹台 百里 东郭 段干 巫马 子车 颛孙".split()
)
_NAME_SEPARATORS = frozenset(" ·•")


def mask_phone(phone: Phone | str) -> str:
    """'+86 138****8000'."""
    try:
        return (phone if isinstance(phone, Phone) else normalize_phone(phone)).masked
    except InvalidValue:
        return FULLY_MASKED


def mask_id_number(id_number: IdNumber | str) -> str:
    """'110105********1234'."""
    try:
        return (id_number if isinstance(id_number, IdNumber) else parse_id_number(id_number)).masked
    except InvalidValue:
        return FULLY_MASKED


def mask_address(address: Address | str) -> str:
    """'北京市朝阳区****'."""
    try:
        return (address if isinstance(address, Address) else normalize_address(address)).masked
    except InvalidValue:
        return FULLY_MASKED


def mask_email(email: str) -> str:
    """'a***@example.com': the first character of the name and the domain stay visible."""
    try:
        local, _, domain = normalize_email(email).rpartition("@")
    except InvalidValue:
        return FULLY_MASKED
    return f"{local[0]}***@{domain}"


def mask_name(name: str) -> str:
    """'张*', '欧阳**', 'J*** *****': the surname (or first letter) stays visible."""
    name = name.strip()
    kept = 2 if len(name) > 2 and name[:2] in _COMPOUND_SURNAMES else 1
    hidden = "".join(char if char in _NAME_SEPARATORS else "*" for char in name[kept:])
    return name[:kept] + hidden


def mask_phones_in(value: object) -> object:
    """A copy of rule evidence (nested dicts, lists, strings) with every E.164 number masked,
    in values and in keys."""
    if isinstance(value, dict):
        return {mask_phones_in(k): mask_phones_in(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_phones_in(v) for v in value]
    if isinstance(value, str) and value.startswith("+") and value[1:].isdigit():
        return mask_phone(value)
    return value
