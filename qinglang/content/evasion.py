"""The evasions real ads use, applied to any text: the obfuscation suite the engine is
measured against (tests/content, bench/content_scan.py).

Span styles rewrite the *keywords* of a text — every lexicon term it contains and two more
runs of Chinese characters picked at random, so the suite is not limited to what the lexicon
knows; text styles rewrite the whole text. Every choice comes from the `random.Random` given.
"""

from __future__ import annotations

import random
import re
from functools import cache

import opencc

from qinglang.content.lexicon import default_lexicon
from qinglang.content.normalise import is_cjk
from qinglang.content.pinyin import readings

SPAN_STYLES = ("separators", "pinyin", "initials", "homophones", "emoji")
TEXT_STYLES = ("traditional", "fullwidth", "split_digits")
STYLES = ("traditional", "fullwidth", "separators", "pinyin", "initials", "homophones", "emoji",
          "split_digits")
SEPARATORS = (" ", "-", "·", "|", "_", "/", ".", "~", "*")
EMOJI = ("❤", "⭐", "🔥", "✨", "💰", "👉", "✅", "🌹", "😊")
RANDOM_SPANS = 2
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9_])\d{5,}")


def obfuscate(text: str, style: str, rng: random.Random) -> str:
    """`text` rewritten in one style of STYLES, or in all of them at once ("combined")."""
    if style == "combined":
        text = _rewrite_spans(text, lambda span: _span_style(rng.choice(SPAN_STYLES), span, rng),
                              rng)
        for whole in TEXT_STYLES:
            text = _text_style(whole, text, rng)
        return text
    if style in SPAN_STYLES:
        return _rewrite_spans(text, lambda span: _span_style(style, span, rng), rng)
    return _text_style(style, text, rng)


def _keyword_spans(text: str, rng: random.Random) -> list[tuple[int, int]]:
    spans = []
    for term in default_lexicon().terms:
        start = text.find(term.term)
        while start >= 0:
            spans.append((start, start + len(term.term)))
            start = text.find(term.term, start + 1)
    runs = [m.span() for m in _CJK_RUN.finditer(text)]
    for start, end in rng.sample(runs, min(RANDOM_SPANS, len(runs))):
        length = rng.randint(2, min(4, end - start))
        first = rng.randrange(start, end - length + 1)
        spans.append((first, first + length))
    chosen, taken = [], set()
    for start, end in sorted(spans, key=lambda s: s[0] - s[1]):   # longest first
        if not taken & set(range(start, end)):
            chosen.append((start, end))
            taken |= set(range(start, end))
    return sorted(chosen)


def _rewrite_spans(text: str, rewrite, rng: random.Random) -> str:
    parts, done = [], 0
    for start, end in _keyword_spans(text, rng):
        parts += [text[done:start], rewrite(text[start:end])]
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _span_style(style: str, span: str, rng: random.Random) -> str:
    if style == "separators":
        return rng.choice(SEPARATORS).join(span)
    if style == "emoji":
        return rng.choice(EMOJI).join(span)
    if style == "homophones":
        return "".join(_homophone(c, rng) for c in span)
    half = max(1, len(span) // 2)
    spelled = [readings(c)[0] if readings(c) else c for c in span[:half]]
    if style == "initials":
        spelled = [s[0] for s in spelled]
    return "".join(spelled) + span[half:]


def _text_style(style: str, text: str, rng: random.Random) -> str:
    if style == "traditional":
        return _s2t().convert(text)
    if style == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    return _DIGIT_RUN.sub(lambda m: rng.choice((" ", "-", " - ")).join(m.group()), text)


def _homophone(char: str, rng: random.Random) -> str:
    if not is_cjk(char) or not readings(char):
        return char
    others = [c for c in _common_by_reading().get(readings(char)[0], ()) if c != char]
    return rng.choice(others) if others else char


@cache
def _common_by_reading() -> dict[str, tuple[str, ...]]:
    """Reading → the common characters (GB2312 level 1) that have it first."""
    table: dict[str, list[str]] = {}
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if readings(char):
                table.setdefault(readings(char)[0], []).append(char)
    return {reading: tuple(chars) for reading, chars in table.items()}


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")
