"""Canonical indicators: every spelling of an identifier becomes one string, so one point.

'phone:+8613800138000' is what `+86 138-0013-8000`, `008613800138000` and `１３８００１３８０００`
all become; the kind prefix keeps a QQ number and a phone number with the same digits apart.
The value types of `qinglang.model.values` do the cleaning, the same as on import.
"""

from __future__ import annotations

import unicodedata

from qinglang.errors import InvalidValue
from qinglang.ingest.values import clean_indicator

KINDS = ("phone", "wechat", "qq", "email", "domain", "url", "company", "voiceprint", "account")
_CASE_FREE = {"voiceprint"}  # vendor voiceprint ids are hexadecimal or alphanumeric codes


def canonical(kind: str, raw: str) -> str:
    """'kind:value' in canonical form, or `InvalidValue` (which never repeats the value)."""
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise InvalidValue(f"indicator kind must be one of {', '.join(KINDS)}")
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise InvalidValue("indicator is empty")
    prefix = f"{kind}:"
    if text.lower().startswith(prefix):
        text = text[len(prefix):].strip()
    value = clean_indicator(text, kind)
    return f"{kind}:{value.casefold() if kind in _CASE_FREE else value}"


def split(indicator: str) -> tuple[str, str]:
    kind, _, value = indicator.partition(":")
    return kind, value
