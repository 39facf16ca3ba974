"""The content engine: a batch of texts in, one assessment per text out.

The whole batch is normalised, matched, hashed and scored at once (one `str.translate` per
view, one automaton scan, array arithmetic for the model); per-text Python work is spent only
on texts where a term or a contact was found, to place it in the original text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

import numpy as np

from qinglang.content.contacts import INDICATOR_KINDS, Contact, find_contacts, indicators
from qinglang.content.features import HashedNgrams, hashed_ngrams
from qinglang.content.lexicon import SIGNS, Lexicon, default_lexicon
from qinglang.content.matcher import CUE_AFTER, CUE_BEFORE, Automaton, RawMatch
from qinglang.content.model import ContentModel, default_model
from qinglang.content.normalise import (
    BOUNDARY, CONTACT, FOLD, MATCH, folded, matching_view, origins,
)
from qinglang.errors import ConfigError

_ASCII_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
RESPELLED = frozenset({"pinyin", "initials", "split"})
MIN_HOMOPHONE_CHARS = 3
"""Two syllables read alike by chance too often (挂账停 holds 账停, read like 涨停): a
homophone spelling counts only for terms of three characters or more."""


@dataclass(frozen=True, slots=True)
class TermHit:
    """A lexicon term found in a text; start/end index the original text (for highlighting)."""

    term: str
    category: str
    level: int
    weight: float
    variant: str      # exact, homophone, pinyin, initials or split
    start: int
    end: int
    excluded: bool    # stands in a consumer-education context (谨防…, …骗局)


@dataclass
class Assessment:
    is_black_gray: bool
    level: int | None
    category: str | None
    score: float
    hits: list[TermHit] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """Canonical terms found outside an education context, in order of appearance."""
        return list(dict.fromkeys(h.term for h in self.hits if not h.excluded))

    @property
    def indicators(self) -> list[str]:
        return indicators(self.contacts)

    def evidence(self) -> dict:
        """What fired and where, for the explanation column and for highlighting."""
        return {
            "score": round(self.score, 4),
            "terms": [{"term": h.term, "category": h.category, "level": h.level,
                       "variant": h.variant, "span": [h.start, h.end]}
                      for h in self.hits if not h.excluded],
            "excluded": [{"term": h.term, "span": [h.start, h.end]}
                         for h in self.hits if h.excluded],
            "contacts": [{"kind": c.kind, "span": [c.start, c.end]} for c in self.contacts],
        }


@dataclass(frozen=True)
class BatchReading:
    """What the engine reads off a batch before any model: features, hits and contacts."""

    ngrams: HashedNgrams
    evidence: np.ndarray          # (n_texts, n_evidence_features)
    hits: list[list[TermHit]]
    contacts: list[list[Contact]]


def evidence_features(lexicon: Lexicon) -> tuple[str, ...]:
    return (*lexicon.categories, *SIGNS, "excluded", *(f"contact_{k}" for k in INDICATOR_KINDS))


class ContentEngine:
    def __init__(self, model: ContentModel | None = None, lexicon: Lexicon | None = None):
        self.lexicon = lexicon or default_lexicon()
        self.model = model
        self.automaton = _automaton(self.lexicon)
        self.features = evidence_features(self.lexicon)
        self._column = {name: i for i, name in enumerate(self.features)}
        self._spelled = [matching_view(t.term).encode("utf-8") for t in self.lexicon.terms]
        if model is not None and (model.meta["lexicon_version"] != self.lexicon.version
                                  or tuple(model.meta["evidence"]) != self.features):
            raise ConfigError(f"content model {model.version} was trained with lexicon "
                              f"{model.meta['lexicon_version']}, not {self.lexicon.version}: "
                              "retrain it with `qinglang train`")

    @property
    def version(self) -> str:
        model = self.model.version if self.model else "none"
        return f"{model}+lexicon-{self.lexicon.version}"

    def assess(self, texts: list[str]) -> list[Assessment]:
        if self.model is None:
            raise ConfigError("no content model loaded")
        reading = self.read(texts)
        scores = self.model.probabilities(reading.ngrams)
        flagged = np.flatnonzero(scores >= self.model.threshold)
        kinds = dict(zip(flagged.tolist(),
                         self.model.kinds(reading.ngrams, reading.evidence, flagged)))
        found = zip(scores.tolist(), reading.hits, reading.contacts)
        return [self._assessment(score, kinds.get(i), hits, contacts)
                for i, (score, hits, contacts) in enumerate(found)]

    def read(self, texts: list[str]) -> BatchReading:
        texts = [t.replace(BOUNDARY, " ") for t in texts] if _has_boundary(texts) else texts
        joined = BOUNDARY.join(texts)
        data = joined.translate(MATCH).encode("utf-8")
        hits, respellings = self._term_hits(texts, data)
        contacts = _contacts_by_text(texts, joined.translate(CONTACT))
        evidence = np.zeros((len(texts), len(self.features)))
        for row, (found, seen) in enumerate(zip(hits, contacts)):
            if found or seen:
                self._fill_evidence(evidence[row], found, seen)
        np.log1p(evidence, out=evidence)
        views = [joined.translate(FOLD), _respelled(data, respellings).decode("utf-8")]
        return BatchReading(hashed_ngrams(views, len(texts)), evidence, hits, contacts)

    def _assessment(self, score: float, category: str | None, hits: list[TermHit],
                    contacts: list[Contact]) -> Assessment:
        if category is None:
            return Assessment(False, None, None, score, hits, contacts)
        levels = [h.level for h in hits
                  if not h.excluded and h.category in (category, "posing")]
        level = min(levels) if levels else self.lexicon.categories[category].level
        return Assessment(True, level, category, score, hits, contacts)

    def _fill_evidence(self, row: np.ndarray, hits: list[TermHit], contacts: list[Contact]):
        weights: dict[tuple[str, str], float] = {}
        for hit in hits:
            key = "excluded" if hit.excluded else hit.category
            weights[(key, hit.term)] = hit.weight
        for (key, _term), weight in weights.items():
            row[self._column[key]] += weight
        for contact in contacts:
            row[self._column[f"contact_{contact.kind}"]] += 1

    def _term_hits(self, texts: list[str],
                   data: bytes) -> tuple[list[list[TermHit]], list[tuple[int, int, bytes]]]:
        """Term hits per text, and where the batch view spells a term as a variant (pinyin,
        initials, split characters): (start byte, end byte, the term as the view spells it)."""
        hits: list[list[TermHit]] = [[] for _ in texts]
        respellings: list[tuple[int, int, bytes]] = []
        matches = self.automaton.scan(data)
        if not matches:
            return hits, respellings
        starts = _text_starts(data)
        by_text: dict[int, list[RawMatch]] = {}
        for match in matches:
            by_text.setdefault(bisect_right(starts, match.start) - 1, []).append(match)
        for index, found in by_text.items():
            begin = starts[index]
            end = starts[index + 1] - 1 if index + 1 < len(starts) else len(data)
            hits[index] = self._place(texts[index], data[begin:end], found, begin, respellings)
        return hits, sorted(respellings)

    def _place(self, text: str, view: bytes, found: list[RawMatch], begin: int,
               respellings: list) -> list[TermHit]:
        """Term hits of one text: cues applied, contained hits dropped, spans in the original;
        variant spellings are added to `respellings`."""
        def char_at(byte: int) -> int:
            return len(view[:byte].decode("utf-8"))

        terms, before, after = [], [], []
        for match in found:
            start, end = match.start - begin, match.end - begin
            if not _whole_word(view, start, end):
                continue
            span = (char_at(start), char_at(end))
            if match.pattern.term == CUE_BEFORE:
                before.append(span[1])
            elif match.pattern.term == CUE_AFTER:
                after.append(span[0])
            else:
                terms.append((span, match.pattern))
                if match.pattern.kind in RESPELLED:
                    respellings.append((match.start, match.end, self._spelled[match.pattern.term]))
        terms = [(span, p) for span, p in terms
                 if not any(o[0] <= span[0] and span[1] <= o[1] and o != span
                            for o, _ in terms)]
        window = self.lexicon.exclusions.window
        origin = origins(text)
        placed: dict[tuple, TermHit] = {}
        for (start, end), pattern in terms:
            term = self.lexicon.terms[pattern.term]
            excluded = (any(start - window <= b <= start for b in before)
                        or any(end <= a <= end + window for a in after))
            first, last = origin[start], origin[end - 1] + 1
            variant = pattern.kind
            if variant == "exact" and folded(text[first:last]) != folded(term.term):
                if len(term.term) < MIN_HOMOPHONE_CHARS:
                    continue
                variant = "homophone"
            placed.setdefault((term.term, first), TermHit(
                term.term, term.category, term.level, term.weight, variant, first, last,
                excluded))
        return list(placed.values())


_AUTOMATA: dict[str, Automaton] = {}


def _automaton(lexicon: Lexicon) -> Automaton:
    """Compiled once per lexicon content (compiling takes a good part of a second)."""
    key = lexicon.model_dump_json()
    if key not in _AUTOMATA:
        _AUTOMATA[key] = Automaton(lexicon)
    return _AUTOMATA[key]


@cache
def default_engine() -> ContentEngine:
    return ContentEngine(default_model(), default_lexicon())


def _respelled(data: bytes, respellings: list[tuple[int, int, bytes]]) -> bytes:
    """`data` with each variant spelling replaced by its term (overlapping ones skipped)."""
    if not respellings:
        return data
    parts, done = [], 0
    for start, end, term in respellings:
        if start >= done:
            parts += [data[done:start], term]
            done = end
    parts.append(data[done:])
    return b"".join(parts)


def _has_boundary(texts: list[str]) -> bool:
    return any(BOUNDARY in t for t in texts)


def _text_starts(data: bytes) -> list[int]:
    """Byte offset where each text of a batch view begins."""
    bounds = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord(BOUNDARY))
    return [0, *(bounds + 1).tolist()]


def _whole_word(view: bytes, start: int, end: int) -> bool:
    """A pattern that begins or ends with a Latin letter must not continue a longer word."""
    if view[start] in _ASCII_WORD and start > 0 and view[start - 1] in _ASCII_WORD:
        return False
    return not (view[end - 1] in _ASCII_WORD and end < len(view) and view[end] in _ASCII_WORD)


def _contacts_by_text(texts: list[str], view: str) -> list[list[Contact]]:
    """Contacts of every text from one pass over the batch's contact view (no pattern can
    cross BOUNDARY), with positions made relative to their own text."""
    starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    out: list[list[Contact]] = [[] for _ in texts]
    for contact in find_contacts(view):
        index = bisect_right(starts, contact.start) - 1
        begin = starts[index]
        out[index].append(Contact(contact.kind, contact.value, contact.start - begin,
                                  contact.end - begin))
    return out
