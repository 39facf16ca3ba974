"""Finding every lexicon variant in a batch of texts at once, with a compiled automaton.

Hyperscan (literal mode) scans the UTF-8 bytes of a whole batch's matching view in one call;
on this machine it ran at ~420 MB per CPU-second against ~140 for ahocorasick_rs on `str` and
~165 on bytes, with the lexicon's 7,722 patterns (bench/content_scan.py).
A match's start is its end less the pattern's length: the patterns are literals.
"""

from __future__ import annotations

from dataclasses import dataclass

import hyperscan

from qinglang.content.lexicon import Lexicon, Pattern, patterns

CUE_BEFORE = -1
CUE_AFTER = -2


@dataclass(frozen=True, slots=True)
class RawMatch:
    """A pattern found at [start, end) bytes of the scanned buffer."""

    pattern: Pattern
    start: int
    end: int


class Automaton:
    """All patterns of one lexicon, compiled once."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.patterns = patterns(lexicon)
        encoded = [p.text.encode("utf-8") for p in self.patterns]
        self._lengths = [len(e) for e in encoded]
        self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._database.compile(expressions=encoded, ids=list(range(len(encoded))),
                               elements=len(encoded), flags=0, literal=True)

    def scan(self, data: bytes) -> list[RawMatch]:
        """Every occurrence of every pattern in `data`, in order of their end."""
        found: list[tuple[int, int]] = []

        def on_match(pattern_id: int, _from: int, to: int, _flags: int, _context) -> None:
            found.append((pattern_id, to))

        self._database.scan(data, match_event_handler=on_match)
        return [RawMatch(self.patterns[i], end - self._lengths[i], end) for i, end in found]
