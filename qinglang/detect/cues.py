"""Cue lexicons: tagged regular expressions over Chinese complaint text, read clause by clause.

A lexicon is data (`rules/lexicons/*.yaml`, strict schema):
- `classes` group cue words by meaning (request verbs, fee items, a customer's contacts ...);
  a pattern names a class as `{name}`, so adding a synonym is one word in one list;
- `tags` list patterns per tag; `weak_patterns` count only when the text is about the tag's
  subject (`context` matches) or not about something else (`unrelated` does not match); with
  `context_required`, only when it is about the subject and not about something else;
- `scopes` are words that take a cue out of the writer's own voice: a negation right before it
  ("不是要求减免"), a warning, hearsay or a hypothetical anywhere earlier in the same clause
  ("谨防暴力催收", "听说有人减免了", "就算不上征信").

Texts are cut into clauses at sentence and comma punctuation and white space, and normalised
(full-width forms as ASCII, lower case); a pattern's `.` never crosses a clause, and every
finding depends on its clause alone. So one scanner reads several lexicons at once (the batch
reads demands, legal language and attention in one pass): the distinct clauses of a batch not
seen before are joined into one string and each tag's patterns run once over it in the regex
engine (Python only looks at the matches); what a text shows then depends only on the sequence
of its clauses that show something, which is worked out once per distinct sequence (see
`CueScanner.scan_sparse`). Patterns are compiled with their alternatives merged on common
leading characters (see `detect.cue_lexicon`).
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import compress, count, filterfalse
from typing import Any, Callable, Iterable, Iterator

from qinglang.detect.cue_lexicon import CueLexicon, TagSpec, alternation, expand_classes

CLAUSE_BREAKS = re.compile(r"[。！？；!?;，,.\s\u3000\u202a-\u202e]+")
FULL_WIDTH = re.compile("[\uff01-\uff5e]+")
FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
TEXT_MARK = "\x00"
TEXT_SEPARATOR = f"\n{TEXT_MARK}\n"
NO_FINDINGS = "\n"  # the key of a text without findings (see `CueScanner.scan_sparse`)
NOTHING_SHOWN = ""  # the id of a clause seen that shows nothing
STRONG, WEAK, CONTEXT, UNRELATED = range(4)  # kinds of what a clause shows
WEIGH = object()  # what a text shows depends on the subjects of its clauses
CLAUSE_CACHE = 1_000_000
def normalise(text: str) -> str:
    """Full-width forms as ASCII, lower case, a newline at every clause break."""
    return _normalise_clauses(CLAUSE_BREAKS.sub("\n", text))


def _normalise_clauses(text: str) -> str:
    return FULL_WIDTH.sub(_ascii, text).lower()


def _ascii(match: re.Match) -> str:
    return match.group().translate(FULL_WIDTH_TO_ASCII)


@dataclass(frozen=True)
class _Scope:
    pattern: re.Pattern
    window: int | None


@dataclass(frozen=True)
class _Tag:
    lexicon: int
    name: str
    spec: TagSpec
    scopes: tuple[_Scope, ...]


Findings = dict[str, list[str]]


class CueScanner:
    """Finds the tags of one or more lexicons in many texts at once, leaving out cues in a
    cancelling scope. Several lexicons share one pass: the texts are cut into clauses once and
    each clause not seen before is scanned once for the tags of all of them.

    What a clause shows is kept under a number per tag and kind: its strong phrases under
    `STRONG` + the tag's position, its weak ones under `WEAK` + position, and whether it is
    about the tag's subject (`context`) or about something else (`unrelated`) under `CONTEXT`
    and `UNRELATED` + position, with the position counted over the tags of all lexicons."""

    def __init__(self, *lexicons: CueLexicon,
                 digest: Callable[[tuple[Findings, ...]], Any] = lambda found: found):
        """`digest` turns what a text shows (per lexicon, tag → phrases) into what the caller
        keeps of it, once per distinct finding: texts that show the same share it."""
        self.lexicons = lexicons
        self.digest = digest
        self.tags = [_Tag(index, name, spec, self._scopes_of(lexicon, name, spec.rule))
                     for index, lexicon in enumerate(lexicons)
                     for name, spec in lexicon.tags.items()]
        compiled = lambda tag, p: re.compile(  # noqa: E731
            expand_classes(p, lexicons[tag.lexicon].classes))
        weak = [(key, tag) for key, tag in enumerate(self.tags) if tag.spec.weak_patterns]
        self._strong = [(key, self._slot(STRONG, key), compiled(tag, "|".join(tag.spec.patterns)))
                        for key, tag in enumerate(self.tags)]
        self._weak = [(key, self._slot(WEAK, key), compiled(tag, "|".join(tag.spec.weak_patterns)))
                      for key, tag in weak]
        self._topics = [(self._slot(kind, key), compiled(tag, f"(?:{pattern})[^\n]*"))
                        for key, tag in weak
                        for kind, pattern in ((CONTEXT, tag.spec.context),
                                              (UNRELATED, tag.spec.unrelated)) if pattern]
        self._forget()

    @staticmethod
    def _scopes_of(lexicon: CueLexicon, tag: str, rule: str | None) -> tuple[_Scope, ...]:
        """The scopes of a tag, one pattern per window (so one search each)."""
        words: dict[int | None, list[str]] = {}
        for scope in lexicon.scopes.values():
            if not scope.applies_to or tag in scope.applies_to or rule in scope.applies_to:
                words.setdefault(scope.window, []).extend(scope.words)
        return tuple(_Scope(re.compile(alternation(window_words)), window)
                     for window, window_words in words.items())

    def _slot(self, kind: int, key: int) -> int:
        return kind * len(self.tags) + key

    def scan(self, texts: Iterable[str]) -> list[Findings]:
        """For each text, each tag of the (first) lexicon found → its distinct phrases in order
        of appearance."""
        texts = list(texts)
        found = self.scan_sparse(texts)
        return [found[index][0] if index in found else {} for index in range(len(texts))]

    def scan_sparse(self, texts: list[str]) -> dict[int, Any]:
        """The texts with a finding (by position) → the digest of what they show: per lexicon,
        each tag found → its distinct phrases in order of appearance. Texts that show the same
        share one digest: read it, never change it.

        What a text shows depends only on which of its clauses show something, in order, and
        (for weak patterns) on which subjects its clauses are about. So the batch is cut into
        clauses by one regex split, those clauses (and the marks between texts) are picked out
        by set lookups, joined, and cut again at the marks into one key per text, all in C;
        Python works out each distinct key once, and does nothing for a text without
        findings."""
        with cycle_collector_paused():
            return self._scan_sparse([text or "" for text in texts])

    def _scan_sparse(self, texts: list[str]) -> dict[int, Any]:
        joined = TEXT_SEPARATOR.join(texts)
        if joined.count(TEXT_MARK) != len(texts) - 1:  # a text with the mark itself
            joined = TEXT_SEPARATOR.join(text.replace(TEXT_MARK, "") for text in texts)
        clauses = CLAUSE_BREAKS.split(joined)
        self._learn(clauses)
        keys = self._found.keys_per_text(clauses)
        for key in set(keys).difference(self._keys, (NO_FINDINGS,)):
            self._keys[key] = self._merge(key)
        subjects = None
        found = {}
        for index in compress(count(), map(NO_FINDINGS.__ne__, keys)):
            merged, result = self._keys[keys[index]]
            if result is WEIGH:
                subjects = subjects or self._about.keys_per_text(clauses)
                result = self._weighed(keys[index], merged, subjects[index])
            if result is not None:
                found[index] = result
        return found

    def _merge(self, key: str) -> tuple[dict[int, list[str]], Any]:
        """The phrases of a text whose clauses with findings are `key`, by slot in order; and
        their digest in any text, or WEIGH when a tag has weak phrases only (weak phrases of a
        tag with strong ones are left out: they would not change what the text shows)."""
        merged: dict[int, list[str]] = {}
        for clause_found in self._found.values(key):
            for slot, phrases in clause_found:
                merged.setdefault(slot, []).extend(phrases)
        tags = len(self.tags)
        merged = {slot: list(dict.fromkeys(phrases)) if len(phrases) > 1 else phrases
                  for slot, phrases in merged.items() if slot < tags or slot - tags not in merged}
        if any(slot >= tags for slot in merged):
            return merged, WEIGH
        return merged, self._result(merged, frozenset())

    def _weighed(self, key: str, merged: dict, subject_key: str) -> Any:
        """What a text with weak phrases shows, given the subjects its clauses are about."""
        subjects = self._subjects.get(subject_key)
        if subjects is None:
            subjects = self._subjects[subject_key] = frozenset().union(
                *self._about.values(subject_key))
        if (key, subjects) not in self._weighed_keys:
            self._weighed_keys[key, subjects] = self._result(merged, subjects)
        return self._weighed_keys[key, subjects]

    def _result(self, merged: dict[int, list[str]], subjects: frozenset[int]) -> Any:
        """The digest of, per lexicon, strong phrases, then the weak ones that count given the
        subjects (None when nothing counts). A tag has phrases of one kind only (`_merge`)."""
        result: tuple[Findings, ...] = tuple({} for _ in self.lexicons)
        tags = len(self.tags)
        for slot in sorted(merged):
            if slot < tags or self._weak_counts(slot - tags, subjects):
                tag = self.tags[slot % tags]
                result[tag.lexicon][tag.name] = merged[slot]
        return self.digest(result) if any(result) else None

    def _weak_counts(self, key: int, subjects: frozenset[int]) -> bool:
        """Weak patterns count on topic (`context`) or when not about something `unrelated`."""
        spec = self.tags[key].spec
        on_topic = self._slot(CONTEXT, key) in subjects
        off_topic = self._slot(UNRELATED, key) in subjects
        return on_topic and not off_topic if spec.context_required else on_topic or not off_topic

    def _learn(self, clauses: list[str]) -> None:
        """Scan the clauses not seen before, all joined into one string (one regex pass per
        tag). Findings depend on the clause alone, so a clause repeated across complaints, as
        in templates and set phrases, is scanned once."""
        seen = self._found.id_of_clause
        if len(seen) + len(self._keys) + len(self._subjects) > CLAUSE_CACHE:
            self._forget()
            seen = self._found.id_of_clause
        new = list(set(filterfalse(seen.__contains__, clauses)))
        joined = _normalise_clauses("\n".join(new))
        starts = [match.start() for match in re.finditer("\n", joined)]
        found: dict[int, dict[int, list[str]]] = {}  # clause number → slot → phrases
        for key, slot, pattern in (*self._strong, *self._weak):
            self._collect(self.tags[key].scopes, slot, pattern, joined, starts, found)
        about: dict[int, set[int]] = {}  # clause number → subject slots
        for slot, pattern in self._topics:  # one match per clause is enough
            for match in pattern.finditer(joined):
                about.setdefault(bisect_right(starts, match.start()), set()).add(slot)
        seen.update(dict.fromkeys(new, NOTHING_SHOWN))
        for number, clause_found in found.items():
            self._found.add(new[number], tuple((slot, tuple(phrases))
                                               for slot, phrases in clause_found.items()))
        for number, subjects in about.items():
            self._about.add(new[number], frozenset(subjects))

    def _forget(self) -> None:
        """Start the clause memory afresh (bounded by `CLAUSE_CACHE`)."""
        self._found = _Shown()  # (slot, phrases) of the clauses with findings; every clause
        # seen is in its `id_of_clause` (those without findings under `NOTHING_SHOWN`)
        self._about = _Shown()  # subject slots of the clauses about a tag's subject
        self._keys: dict[str, tuple] = {}
        self._subjects: dict[str, frozenset[int]] = {NO_FINDINGS: frozenset()}
        self._weighed_keys: dict[tuple, Any] = {}

    @staticmethod
    def _collect(scopes, slot, pattern, joined, starts, found) -> None:
        for match in pattern.finditer(joined):
            if not _in_scope(scopes, joined, match.start()):
                clause = found.setdefault(bisect_right(starts, match.start()), {})
                phrases = clause.setdefault(slot, [])
                if match.group(0) not in phrases:
                    phrases.append(match.group(0))


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector. Reading a batch allocates many small dicts, lists and
    tuples — never a reference cycle: reference counting frees them all — and every few
    hundred allocations the collector would walk them and the scanner's memory of clauses,
    which cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Shown:
    """The clauses that show something, each under the id of what it shows: clauses that show
    the same share an id, and the mark between texts is its own id. Other clauses may be kept
    under `NOTHING_SHOWN`, which no key contains."""

    def __init__(self):
        self.id_of_clause = {TEXT_MARK: TEXT_MARK}
        self.shown: dict[str, Any] = {}
        self._id_of_shown: dict[Any, str] = {}

    def add(self, clause: str, shown: Any) -> None:
        id_ = self._id_of_shown.setdefault(shown, str(len(self._id_of_shown)))
        self.shown[id_] = shown
        self.id_of_clause[clause] = id_

    def keys_per_text(self, clauses: list[str]) -> list[str]:
        """Per text, the ids of its clauses that show something, in order and joined
        (`NO_FINDINGS` when none): the batch's clauses are picked, mapped, joined and cut at
        the marks between texts, all in C."""
        picked = filter(None, map(self.id_of_clause.get, clauses))  # not NOTHING_SHOWN
        return NO_FINDINGS.join(["", *picked, ""]).split(TEXT_MARK)

    def values(self, key: str) -> list[Any]:
        """What the clauses of a key show, in order."""
        return [self.shown[id_] for id_ in key[1:-1].split(NO_FINDINGS)]


def _in_scope(scopes: tuple[_Scope, ...], joined: str, start: int) -> bool:
    clause = joined[joined.rfind("\n", 0, start) + 1:start]
    return any(scope.pattern.search(clause if scope.window is None else clause[-scope.window:])
               for scope in scopes)


