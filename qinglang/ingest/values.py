"""Cleaning one raw cell into the value a field's type stores.

Each function takes the cell as read (text from CSV, any JSON value, or an Excel cell) and
returns the clean value or raises InvalidValue with a reason that never repeats the cell.
"""

from __future__ import annotations

import math
import re
from array import array
from datetime import date, datetime, timedelta, timezone

from qinglang.errors import InvalidValue
from qinglang.model.schema import FieldSpec
from qinglang.model.values import CLEANERS

CHINA_OFFSET = timedelta(hours=8)
MAX_SHORT = 256
MAX_NAME = 64
MAX_VECTOR_DIM = 4096
TRUE = {"true", "1", "是", "y", "yes", "t", "对"}
FALSE = {"false", "0", "否", "n", "no", "f", "错"}
FORMULA_STARTS = frozenset("=+-@")
FORMULA = re.compile(r"^(=|[+\-@]\s*[A-Za-z_][\w.]*\s*[(|!])")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
LIST_SPLIT = re.compile(r"[;；]")


def as_text(cell: object) -> str:
    """An Excel number or JSON scalar as the text an institution meant (13800138000, not 1.38e10)."""
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (list, tuple)):
        return ";".join(as_text(c) for c in cell)
    return str(cell).strip()


def looks_like_formula(text: str) -> bool:
    return text[:1] in FORMULA_STARTS and bool(FORMULA.match(text))


def clean_datetime(cell: object) -> datetime:
    """To naive UTC; a time without a zone is China time (+08:00)."""
    if isinstance(cell, datetime):
        moment = cell
    elif isinstance(cell, date):
        moment = datetime(cell.year, cell.month, cell.day)
    else:
        moment = _parse_datetime_text(as_text(cell))
    if moment.tzinfo is None:
        return moment - CHINA_OFFSET
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _parse_datetime_text(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    candidate = text.replace("/", "-").replace("Z", "+00:00")
    candidate = re.sub(r"^(\d{4})-(\d{1,2})-(\d{1,2})", _pad_date, candidate)
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        raise InvalidValue("not a date and time (use ISO 8601 or YYYY-MM-DD HH:MM:SS)") from None


def _pad_date(match: re.Match) -> str:
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def clean_bool(cell: object) -> bool:
    if isinstance(cell, bool):
        return cell
    text = as_text(cell).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidValue("not a yes/no value (true/false, 1/0, 是/否, Y/N)")


def clean_float(cell: object, spec: FieldSpec) -> float:
    try:
        value = float(as_text(cell))
    except ValueError:
        raise InvalidValue("not a number") from None
    if not math.isfinite(value):
        raise InvalidValue("not a finite number")
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        raise InvalidValue(f"outside {spec.min:g}..{spec.max:g}")
    return value


def clean_vector(cell: object) -> bytes:
    """An embedding as little-endian float32 bytes; space- or comma-separated in the file."""
    parts = cell if isinstance(cell, list) else as_text(cell).strip("[]").replace(",", " ").split()
    try:
        values = array("f", map(float, parts))
    except (TypeError, ValueError):
        raise InvalidValue("voiceprint vector must be numbers separated by spaces or commas")
    if not 2 <= len(values) <= MAX_VECTOR_DIM:
        raise InvalidValue(f"voiceprint vector must have 2 to {MAX_VECTOR_DIM} numbers")
    if not math.isfinite(sum(values)):  # NaN and infinities survive a sum
        raise InvalidValue("voiceprint vector has a value that is not a finite number")
    return values.tobytes()


def clean_list(cell: object) -> list[str]:
    items = cell if isinstance(cell, list) else LIST_SPLIT.split(as_text(cell))
    return [text for text in (as_text(i) for i in items) if text]


def clean_short(text: str, limit: int = MAX_SHORT) -> str:
    if len(text) > limit:
        raise InvalidValue(f"longer than {limit} characters")
    if CONTROL.search(text):
        raise InvalidValue("contains control characters")
    return text


def clean_enum(text: str, spec: FieldSpec) -> str:
    value = text.lower()
    if value not in spec.values:
        raise InvalidValue(f"must be one of {', '.join(spec.values)}")
    return value


def clean_typed(kind: str, text: str) -> str:
    """Phones, e-mails, handles, domains, URLs, credit codes: canonical text by type."""
    return CLEANERS[kind](text)


def clean_indicator(text: str, indicator_kind: str | None) -> str:
    if indicator_kind in ("voiceprint", "account"):
        return clean_short(text)
    if indicator_kind == "company":
        return clean_typed("credit_code", text)
    if indicator_kind in CLEANERS:
        return clean_typed(indicator_kind, text)
    raise InvalidValue("indicator kind is missing or unknown")
