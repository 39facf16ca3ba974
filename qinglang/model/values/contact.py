"""Contact identifiers that black/gray actors leave behind: e-mail, WeChat id, QQ number."""

from __future__ import annotations

import re
import unicodedata

from qinglang.errors import InvalidValue
from qinglang.model.values.web import ascii_hostname

_EMAIL_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_MAX_EMAIL_LOCAL_PART = 64
_MAX_EMAIL = 254
_WECHAT_ID = re.compile(r"[a-z][a-z0-9_-]{5,19}")
_QQ_NUMBER = re.compile(r"[1-9][0-9]{4,10}")


def normalize_email(raw: str) -> str:
    """'Zhang.San@Example.COM ' → 'zhang.san@example.com'; the domain IDNA-encoded."""
    local, at, domain = _clean(raw).lower().rpartition("@")
    if not at:
        raise InvalidValue("e-mail address has no @")
    if len(local) > _MAX_EMAIL_LOCAL_PART or not _EMAIL_LOCAL_PART.fullmatch(local):
        raise InvalidValue("e-mail address has an invalid part before the @")
    hostname = ascii_hostname(domain)
    if "." not in hostname or hostname.rsplit(".", 1)[1].isdigit():
        raise InvalidValue("e-mail address has an invalid domain")
    email = f"{local}@{hostname}"
    if len(email) > _MAX_EMAIL:
        raise InvalidValue("e-mail address is too long")
    return email


def normalize_wechat(raw: str) -> str:
    """A WeChat id (微信号): 6–20 letters, digits, '_' or '-', starting with a letter; lowercase."""
    wechat_id = _clean(raw).lower()
    if not _WECHAT_ID.fullmatch(wechat_id):
        raise InvalidValue("not a valid WeChat id")
    return wechat_id


def normalize_qq(raw: str) -> str:
    """A QQ number: 5–11 digits, not starting with 0."""
    qq_number = _clean(raw)
    if not _QQ_NUMBER.fullmatch(qq_number):
        raise InvalidValue("not a valid QQ number")
    return qq_number


def _clean(raw: str) -> str:
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    return text.strip()
