"""What the content engine gives back for a batch: the hits and contacts it read, as arrays,
and per text an `Assessment` (with its `TermHit`s and contacts) made only when asked for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from qinglang.content.contacts import Contact, ContactTable, indicators
from qinglang.content.features import HashedNgrams
from qinglang.content.lexicon import Term
from qinglang.content.model import ContentModel

VARIANTS = ("exact", "pinyin", "initials", "split", "homophone")


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
class Hits:
    """The term hits of a batch, one entry per hit, grouped by text in order of appearance;
    start/end index the text's original characters, term indexes `terms`."""

    terms: tuple[Term, ...]
    n_texts: int
    text: np.ndarray
    term: np.ndarray
    variant: np.ndarray
    start: np.ndarray
    end: np.ndarray
    excluded: np.ndarray

    @cached_property
    def _bounds(self) -> list[int]:
        return np.searchsorted(self.text, np.arange(self.n_texts + 1)).tolist()

    @cached_property
    def _rows(self) -> list[tuple]:
        return list(zip(self.term.tolist(), self.variant.tolist(), self.start.tolist(),
                        self.end.tolist(), self.excluded.tolist()))

    def of_text(self, index: int) -> list[TermHit]:
        """`TermHit` objects of one text."""
        first, last = self._bounds[index], self._bounds[index + 1]
        if first == last:
            return []
        terms = self.terms
        return [TermHit(terms[term].term, terms[term].category, terms[term].level,
                        terms[term].weight, VARIANTS[variant], start, end, excluded)
                for term, variant, start, end, excluded in self._rows[first:last]]


@dataclass(frozen=True)
class BatchReading:
    """What the engine reads off a batch before any model: features, hits and contacts."""

    ngrams: HashedNgrams
    evidence: np.ndarray          # (n_texts, n_evidence_features)
    hits: Hits
    contacts: ContactTable


class BatchAssessments(Sequence):
    """The assessments of a batch, as arrays; `Assessment` objects are made when indexed. Of
    the reading, only the hits and contacts are kept: its views and n-grams take several times
    the size of the batch's text, and a reader holding many batches held them all."""

    def __init__(self, model: ContentModel, reading: BatchReading, scores: np.ndarray,
                 categories: np.ndarray, levels: np.ndarray):
        self.scores = scores
        self.categories = categories          # index in engine.model.categories, -1: benign
        self.levels = levels
        self._categories = model.categories
        self._hits, self._contacts = reading.hits, reading.contacts

    def __len__(self) -> int:
        return len(self.scores)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._assessment(i) for i in range(*index.indices(len(self)))]
        return self._assessment(range(len(self))[index])

    def __iter__(self):
        return map(self._assessment, range(len(self)))

    @cached_property
    def _columns(self) -> tuple[list, list, list]:
        return self.scores.tolist(), self.categories.tolist(), self.levels.tolist()

    def _assessment(self, index: int) -> Assessment:
        scores, categories, levels = self._columns
        category = categories[index]
        hits = self._hits.of_text(index)
        contacts = self._contacts.of_text(index)
        if category < 0:
            return Assessment(False, None, None, scores[index], hits, contacts)
        return Assessment(True, levels[index], self._categories[category], scores[index], hits,
                          contacts)

    @property
    def is_black_gray(self) -> np.ndarray:
        return self.categories >= 0
