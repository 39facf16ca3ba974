"""The content engine: a batch of texts in, one assessment per text out.

Everything is done for the whole batch at once, in numpy: the views are array lookups
(normalise.batch_views), one automaton scan finds every term, the rules on the matches
(whole words, contained hits, consumer-education cues, homophones) are array operations, the
model is a gather of weights summed per text, and the contact pattern runs only over the
parts of the batch that can hold a contact. Python objects per text (`Assessment`, its hits
and contacts) are made only when a text's assessment is asked for.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from qinglang.content.assessment import VARIANTS, BatchAssessments, BatchReading, Hits
from qinglang.content.contacts import INDICATOR_KINDS, ContactTable, find_batch_contacts
from qinglang.content.features import hashed_ngrams
from qinglang.content.lexicon import SIGNS, Lexicon, default_lexicon
from qinglang.content.matcher import CUE_AFTER, CUE_BEFORE, Automaton
from qinglang.content.model import ContentModel, default_model
from qinglang.content.normalise import (
    BOUNDARY, BatchViews, batch_views, code_points, folded, matching_view,
)
from qinglang.errors import ConfigError

RESPELLED = frozenset({"pinyin", "initials", "split"})
MIN_HOMOPHONE_CHARS = 3
"""Two syllables read alike by chance too often (挂账停 holds 账停, read like 涨停): a
homophone spelling counts only for terms of three characters or more."""
_CUE = -1
_EXACT, _HOMOPHONE = VARIANTS.index("exact"), VARIANTS.index("homophone")
_RESPELLED_CODES = np.array([VARIANTS.index(v) for v in sorted(RESPELLED)])


def evidence_features(lexicon: Lexicon) -> tuple[str, ...]:
    return (*lexicon.categories, *SIGNS, "excluded", *(f"contact_{k}" for k in INDICATOR_KINDS))


class ContentEngine:
    def __init__(self, model: ContentModel | None = None, lexicon: Lexicon | None = None):
        self.lexicon = lexicon or default_lexicon()
        self.model = model
        self.automaton = _automaton(self.lexicon)
        self.features = evidence_features(self.lexicon)
        self._column = {name: i for i, name in enumerate(self.features)}
        self._tables = _LexiconArrays(self.lexicon, self.automaton, self._column)
        self._contact_columns = np.array([self._column[f"contact_{k}"] for k in INDICATOR_KINDS])
        if model is not None and (model.meta["lexicon_version"] != self.lexicon.version
                                  or tuple(model.meta["evidence"]) != self.features):
            raise ConfigError(f"content model {model.version} was trained with lexicon "
                              f"{model.meta['lexicon_version']}, not {self.lexicon.version}: "
                              "retrain it with `qinglang train`")

    @property
    def version(self) -> str:
        model = self.model.version if self.model else "none"
        return f"{model}+lexicon-{self.lexicon.version}"

    def assess(self, texts: list[str]) -> BatchAssessments:
        if self.model is None:
            raise ConfigError("no content model loaded")
        reading = self.read(texts)
        scores = self.model.probabilities(reading.ngrams)
        flagged = np.flatnonzero(scores >= self.model.threshold)
        categories = np.full(len(texts), -1, dtype=np.int64)
        categories[flagged] = self.model.kinds(reading.ngrams, reading.evidence, flagged)
        return BatchAssessments(self.model, reading, scores, categories,
                                self._levels(reading.hits, categories))

    def read(self, texts: list[str]) -> BatchReading:
        views = batch_views(_joined(texts))
        text_starts = _starts(views.original)
        view_starts = _starts(views.matching)
        hits, respellings = self._hits(views, text_starts, view_starts, len(texts))
        contacts = find_batch_contacts(views.contact, text_starts, len(texts))
        evidence = self._evidence(len(texts), hits, contacts)
        ngrams = hashed_ngrams([views.folded, self._respelled(views.matching, respellings)],
                               len(texts))
        return BatchReading(ngrams, evidence, hits, contacts)

    def _hits(self, views: BatchViews, text_starts: np.ndarray, view_starts: np.ndarray,
              n_texts: int) -> tuple[Hits, np.ndarray]:
        """The term hits of a batch, and where the matching view spells a term as a variant
        (pinyin, initials, split characters): rows of (start, end, term) in the view."""
        arrays, view = self._tables, views.matching
        pattern, end = self.automaton.scan(view)
        start = end - self.automaton.lengths[pattern]
        whole = _whole_word(view, start, end)
        pattern, start, end = pattern[whole], start[whole], end[whole]
        term, variant = arrays.pattern_term[pattern], arrays.pattern_variant[pattern]
        text = np.searchsorted(view_starts, start, side="right") - 1
        is_term = term >= 0
        respelled = is_term & np.isin(variant, _RESPELLED_CODES)
        respellings = np.stack([start[respelled], end[respelled], term[respelled]], axis=1)
        before = np.sort(end[term == CUE_BEFORE])
        after = np.sort(start[term == CUE_AFTER])
        keep = np.flatnonzero(is_term)
        keep = keep[~_contained(start[keep], end[keep])]
        term, variant, text = term[keep], variant[keep], text[keep]
        start, end = start[keep], end[keep]
        window = self.lexicon.exclusions.window
        text_end = np.append(view_starts[1:] - 1, len(view))[text]
        excluded = (_near_before(before, start, np.maximum(start - window, view_starts[text]))
                    | _near_after(after, end, np.minimum(end + window, text_end - 1)))
        homophone = (variant == _EXACT) & ~self._reads_as_written(views, term, start, end)
        dropped = homophone & (arrays.term_chars[term] < MIN_HOMOPHONE_CHARS)
        variant = np.where(homophone, _HOMOPHONE, variant)
        first = views.origin[start] - text_starts[text]
        last = views.origin[end - 1] + 1 - text_starts[text]
        keep = _first_of_each(~dropped, text, term, first)
        return (Hits(self.lexicon.terms, n_texts, text[keep], term[keep], variant[keep],
                     first[keep], last[keep], excluded[keep]), respellings)

    def _reads_as_written(self, views: BatchViews, term: np.ndarray, start: np.ndarray,
                          end: np.ndarray) -> np.ndarray:
        """Whether each span of the folded view is its term's folded spelling, made of whole
        original characters (so the original folds to exactly the term: not a homophone)."""
        arrays = self._tables
        if not len(term):
            return np.zeros(0, dtype=bool)
        width = arrays.folded_terms.shape[1]
        places = np.minimum(start[:, None] + np.arange(width), len(views.folded) - 1)
        inside = np.arange(width) < arrays.folded_lengths[term][:, None]
        same = ((views.folded[places] == arrays.folded_terms[term]) | ~inside).all(axis=1)
        origin = views.origin
        whole_first = (start == 0) | (origin[np.maximum(start - 1, 0)] != origin[start])
        whole_last = (end == len(origin)) | (
            origin[np.minimum(end, len(origin) - 1)] != origin[end - 1])
        return same & whole_first & whole_last

    def _respelled(self, view: np.ndarray, respellings: np.ndarray) -> np.ndarray:
        """The matching view with each variant spelling replaced by its term (of overlapping
        ones, the first)."""
        if not len(respellings):
            return view
        parts, done = [], 0
        for start, end, term in respellings[np.lexsort(respellings[:, ::-1].T)].tolist():
            if start >= done:
                parts += [view[done:start], self._tables.spelled[term]]
                done = end
        parts.append(view[done:])
        return np.concatenate(parts)

    def _evidence(self, n_texts: int, hits: Hits, contacts: ContactTable) -> np.ndarray:
        """Per text: the weight of the distinct terms of each category or sign, of those in an
        education context, and the number of contacts of each kind; log(1 + x)."""
        arrays = self._tables
        evidence = np.zeros((n_texts, len(self.features)))
        column = np.where(hits.excluded, self._column["excluded"],
                          arrays.term_column[hits.term])
        key = (hits.text * len(self.features) + column) * len(arrays.term_chars) + hits.term
        distinct = np.unique(key)
        cells, term = np.divmod(distinct, len(arrays.term_chars))
        np.add.at(evidence.reshape(-1), cells, arrays.term_weight[term])
        np.add.at(evidence, (contacts.text, self._contact_columns[contacts.kind]), 1)
        return np.log1p(evidence, out=evidence)

    def _levels(self, hits: Hits, categories: np.ndarray) -> np.ndarray:
        """Per black/gray text, the most severe level of its terms of its category or posing,
        else its category's level; 0 for the others."""
        if self.model is None or not len(self.model.categories):
            return np.zeros(len(categories), dtype=np.int64)
        arrays = self._tables
        columns = np.array([self._column[c] for c in self.model.categories])
        defaults = np.array([self.lexicon.categories[c].level for c in self.model.categories])
        levels = np.where(categories >= 0, defaults[np.maximum(categories, 0)], 0)
        category = categories[hits.text]
        hit_column = arrays.term_column[hits.term]
        counts = (~hits.excluded & (category >= 0)
                  & ((hit_column == columns[np.maximum(category, 0)])
                     | (hit_column == self._column["posing"])))
        found = np.full(len(categories), 99)
        np.minimum.at(found, hits.text[counts], arrays.term_level[hits.term[counts]])
        return np.where(found < 99, found, levels)


class _LexiconArrays:
    """The lexicon and its patterns as arrays, for the batch rules."""

    def __init__(self, lexicon: Lexicon, automaton: Automaton, column: dict[str, int]):
        terms = lexicon.terms
        self.pattern_term = np.array([p.term for p in automaton.patterns], dtype=np.int64)
        self.pattern_variant = np.array([_CUE if p.kind == "cue" else VARIANTS.index(p.kind)
                                         for p in automaton.patterns], dtype=np.int64)
        self.term_chars = np.array([len(t.term) for t in terms], dtype=np.int64)
        self.term_column = np.array([column[t.category] for t in terms], dtype=np.int64)
        self.term_level = np.array([t.level for t in terms], dtype=np.int64)
        self.term_weight = np.array([t.weight for t in terms])
        spellings = [code_points(folded(t.term)) for t in terms]
        self.folded_lengths = np.array([len(s) for s in spellings], dtype=np.int64)
        self.folded_terms = np.zeros((len(terms), max(self.folded_lengths, default=1)),
                                     dtype=np.int64)
        for row, spelled in enumerate(spellings):
            self.folded_terms[row, :len(spelled)] = spelled
        self.spelled = [code_points(matching_view(t.term)) for t in terms]


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


def _joined(texts: list[str]) -> str:
    """The texts joined by BOUNDARY, a BOUNDARY inside a text read as a space (counted on the
    joined string: one pass in C instead of a test per text)."""
    joined = BOUNDARY.join(texts)
    if joined.count(BOUNDARY) > max(len(texts) - 1, 0):
        joined = BOUNDARY.join(t.replace(BOUNDARY, " ") for t in texts)
    return joined


def _starts(view: np.ndarray) -> np.ndarray:
    """Where each text of a batch view begins."""
    return np.concatenate([[0], np.flatnonzero(view == ord(BOUNDARY)) + 1])


def _is_word(codes: np.ndarray) -> np.ndarray:
    return ((codes >= ord("a")) & (codes <= ord("z"))) | ((codes >= ord("0")) & (codes <= ord("9")))


def _whole_word(view: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A pattern that begins or ends with a Latin letter or digit must not continue a longer
    word."""
    before = _is_word(view[start]) & (start > 0) & _is_word(view[np.maximum(start - 1, 0)])
    after = (_is_word(view[end - 1]) & (end < len(view))
             & _is_word(view[np.minimum(end, len(view) - 1)]))
    return ~(before | after)


def _contained(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whether each span lies inside another one (spans are distinct). Sorted by start, then
    longest first, a span is inside another when an earlier one reaches as far: spans of
    different texts never interleave, so one running maximum serves the whole batch."""
    order = np.lexsort((-end, start))
    reach = np.maximum.accumulate(end[order])
    inside = np.zeros(len(start), dtype=bool)
    inside[order[1:]] = reach[:-1] >= end[order[1:]]
    return inside


def _near_before(cue_ends: np.ndarray, start: np.ndarray, lowest: np.ndarray) -> np.ndarray:
    """Whether a cue ends within [lowest, start] (cue_ends sorted)."""
    nearest = np.searchsorted(cue_ends, start, side="right") - 1
    return (nearest >= 0) & (cue_ends[np.maximum(nearest, 0)] >= lowest) if len(cue_ends) \
        else np.zeros(len(start), dtype=bool)


def _near_after(cue_starts: np.ndarray, end: np.ndarray, highest: np.ndarray) -> np.ndarray:
    """Whether a cue starts within [end, highest] (cue_starts sorted)."""
    if not len(cue_starts):
        return np.zeros(len(end), dtype=bool)
    nearest = np.searchsorted(cue_starts, end, side="left")
    found = cue_starts[np.minimum(nearest, len(cue_starts) - 1)]
    return (nearest < len(cue_starts)) & (found <= highest)


def _first_of_each(wanted: np.ndarray, text: np.ndarray, term: np.ndarray,
                   first: np.ndarray) -> np.ndarray:
    """Indices of the wanted rows, without a repeat of the same term at the same place of the
    same text (the earliest stays), sorted by text and then in order."""
    rows = np.flatnonzero(wanted)
    order = np.lexsort((rows, first[rows], term[rows], text[rows]))
    rows = rows[order]
    if len(rows):
        new = np.ones(len(rows), dtype=bool)
        new[1:] = ((text[rows[1:]] != text[rows[:-1]]) | (term[rows[1:]] != term[rows[:-1]])
                   | (first[rows[1:]] != first[rows[:-1]]))
        rows = rows[new]
    return rows[np.lexsort((rows, text[rows]))]
