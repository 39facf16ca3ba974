"""Telling UTF-8 from GB18030/GBK, the two encodings Chinese institutions export CSV in.

A strict decode of the file's first megabyte decides: UTF-8 first (with or without BOM), then
GB18030 (a superset of GBK and GB2312). GB18030 accepts most byte soups, so binary content is
rejected before either is tried. A file that is neither is refused, never guessed.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from qinglang.errors import InputError

SAMPLE_BYTES = 1 << 20
KNOWN = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030",
         "gb2312": "gb18030", "gb18030": "gb18030"}


def detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
        at_end = not handle.read(1)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{path.name}: UTF-16 text; export it as UTF-8 or GB18030 CSV")
    if _looks_binary(sample):
        raise InputError(f"{path.name}: binary content, not a text export (CSV or JSON Lines)")
    for encoding in ("utf-8", "gb18030"):
        if _decodes(sample, encoding, final=at_end):
            return encoding
    raise InputError(f"{path.name}: text is neither UTF-8 nor GB18030/GBK; give --encoding")


def resolve_encoding(path: Path, requested: str | None) -> str:
    if requested is None:
        return detect_encoding(path)
    try:
        return KNOWN[requested.lower()]
    except KeyError:
        raise InputError(
            f"unsupported encoding {requested!r}: use utf-8, utf-8-sig, gbk or gb18030"
        ) from None


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample[:65536] if b < 32 and b not in (9, 10, 13))
    return controls > len(sample[:65536]) // 100


def _decodes(sample: bytes, encoding: str, final: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True
