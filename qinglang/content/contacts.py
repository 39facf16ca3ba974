"""The contacts behind an ad — phones, WeChat ids, QQ numbers, e-mail, links — as indicators.

Read from the contact view (normalise.py), where full-width forms, circled and Chinese
numerals are already digits and emoji are spaces, one character for one, so every match
keeps its place in the original text. Each candidate is cleaned by the value type of
`qinglang.model.values` (a phone becomes E.164) and written `kind:value` (formats.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qinglang.errors import InvalidValue
from qinglang.model.values import (
    mask_email, mask_phone, normalize_domain, normalize_email, normalize_phone, normalize_qq,
    normalize_wechat,
)

_GAP = r"[\s\-.·_/|,，、~*()（）]{0,3}"
_TLDS = ("com|cn|net|org|top|xyz|vip|cc|info|ltd|shop|site|club|online|wang|co|me|io|app|"
         "link|biz|pro|fun|icu|work|live|tv|hk")
_CONTACT = re.compile(
    r"(?P<url>https?://[a-z0-9.\-]+(?::\d+)?(?:[/?#][a-z0-9\-._~/?#=&%+:@]*)?)"
    r"|(?P<email>[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+)"
    r"|(?:微(?:信号?)?|薇信?|威信?|维信|vx|wx|weixin|wechat|v信|v)[\s:：号]*"
    r"(?P<wechat>[a-z][a-z0-9_\-]{5,19})(?![a-z0-9_\-])"
    r"|(?:qq|扣扣|企鹅|q)(?:号|群)?[\s:：]*(?P<qq>[1-9](?: \d){4,10}|[1-9]\d{4,10})(?!\d)"
    rf"|(?P<phone>(?:\+?86{_GAP})?1{_GAP}[3-9](?:{_GAP}\d){{9}}"
    rf"|0\d{{2,3}}[\s\-)）]{{0,2}}[2-9]\d{{6,7}}|[48]00{_GAP}\d{{3}}{_GAP}\d{{4}})(?!\d)"
    rf"|(?P<domain>(?:[a-z0-9\-]+\.)+(?:{_TLDS}))(?![a-z0-9\-])"
)
"""No alternative starts with a look-behind, so that `re` skips at once every character that
cannot begin one (most of a Chinese text); what a look-behind would have refused is refused
after the match by `_CONTINUES` instead."""
_CONTINUES = {"phone": "0123456789+", "domain": "abcdefghijklmnopqrstuvwxyz0123456789.@-",
              "wechat": "abcdefghijklmnopqrstuvwxyz", "qq": "abcdefghijklmnopqrstuvwxyz"}
_NOT_DIGIT = re.compile(r"[^\d+]")

INDICATOR_KINDS = ("phone", "wechat", "qq", "email", "domain")


@dataclass(frozen=True, slots=True)
class Contact:
    kind: str
    value: str
    start: int
    end: int

    @property
    def indicator(self) -> str:
        return f"{self.kind}:{self.value}"


def find_contacts(view: str) -> list[Contact]:
    """Contacts in a contact view (normalise.contact_view), in order."""
    found = []
    for match in _CONTACT.finditer(view):
        kind = match.lastgroup
        raw = match.group(kind)
        before = view[match.start() - 1] if match.start() else ""
        if before and before in _CONTINUES.get(kind, "") and _continues(kind, match.group()):
            continue
        value = _clean(kind, raw)
        if value is not None:
            start = match.start(kind)
            found.append(Contact("domain" if kind == "url" else kind, value, start,
                                 start + len(raw)))
    return found


def _continues(kind: str, matched: str) -> bool:
    """Whether a match glued to the character before it is part of a longer token: always for
    numbers and domains; for handles only when the trigger is a bare latin 'v' or 'q'."""
    return kind in ("phone", "domain") or matched[:1] in ("v", "q") and matched[1:2] not in (
        "x", "q", "信")


@lru_cache(maxsize=65536)
def _clean(kind: str, raw: str) -> str | None:
    """The canonical value, or None; cached, because ads repeat their handles."""
    try:
        if kind == "phone":
            return normalize_phone(_NOT_DIGIT.sub("", raw)).e164
        if kind in ("url", "domain"):
            return normalize_domain(raw)
        if kind == "email":
            return normalize_email(raw)
        if kind == "wechat":
            return normalize_wechat(raw)
        return normalize_qq(_NOT_DIGIT.sub("", raw))
    except InvalidValue:
        return None


def indicators(contacts: list[Contact]) -> list[str]:
    """Distinct `kind:value` strings in order of first appearance."""
    return list(dict.fromkeys(c.indicator for c in contacts))


@lru_cache(maxsize=65536)
def mask_indicator(indicator: str) -> str:
    """'phone:+86 138****8000', 'wechat:ab*****9'; domains are not personal and stay whole."""
    kind, _, value = indicator.partition(":")
    if kind == "phone":
        return f"phone:{mask_phone(value)}"
    if kind == "email":
        return f"email:{mask_email(value)}"
    if kind in ("wechat", "qq"):
        return f"{kind}:{value[:2]}{'*' * max(1, len(value) - 3)}{value[-1:]}"
    return indicator
