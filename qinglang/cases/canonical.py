"""Canonical content and its SHA-256: the same facts always give the same bytes.

Content is first made JSON-native (times as ISO 8601 text, bytes as hex) so that what the
store keeps, read back on either backend, hashes exactly as it did when it was written.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

import orjson


def json_native(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): json_native(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_native(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value


def canonical_bytes(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 (Chinese as it is, not escaped)."""
    return orjson.dumps(json_native(value), option=orjson.OPT_SORT_KEYS)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_sha256(value: Any) -> str:
    return sha256_hex(canonical_bytes(value))
