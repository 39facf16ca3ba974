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

Texts are normalised (full-width forms as ASCII, lower case) and cut into clauses at sentence
and comma punctuation and white space; a pattern's `.` never crosses a clause, and every finding
depends on its clause alone. So the distinct clauses of a batch of texts are joined into one
string and each tag's patterns run once over it in the regex engine (Python only looks at the
matches), and a clause seen before (set phrases, templates) is not scanned again. Patterns are
compiled with their alternatives merged on common leading characters (see `expand_classes`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import chain
from typing import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator

CLAUSE_BREAKS = re.compile(r"[。！？；!?;，,.\s\u3000\u202a-\u202e]+")
FULL_WIDTH = re.compile("[\uff01-\uff5e]+")
TEXT_SEPARATOR = "\n\x00\n"
CLAUSE_CACHE = 500_000
CLASS_REFERENCE = re.compile(r"\{([a-z_]+)\}")


class TagSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str | None = Field(default=None, pattern=r"^[1-5]\.\d+$")
    patterns: tuple[str, ...] = Field(min_length=1)
    weak_patterns: tuple[str, ...] = ()
    context: str | None = None
    context_required: bool = False
    unrelated: str | None = None


class ScopeSpec(BaseModel):
    """Words that cancel a cue after them in the same clause: within `window` characters, or
    anywhere earlier in the clause when `window` is null; only for the tags or rule ids in
    `applies_to` (all when empty)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    words: tuple[str, ...] = Field(min_length=1)
    window: int | None = Field(default=None, ge=1)
    applies_to: tuple[str, ...] = ()


class CueLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    classes: dict[str, tuple[str, ...]] = {}
    scopes: dict[str, ScopeSpec] = {}
    tags: dict[str, TagSpec]

    @model_validator(mode="after")
    def _patterns_compile(self) -> "CueLexicon":
        for name, spec in self.tags.items():
            if spec.context_required and not spec.context:
                raise ValueError(f"tag {name}: context_required without a context")
            for pattern in (*spec.patterns, *spec.weak_patterns, spec.context, spec.unrelated):
                if pattern is not None and '"' in pattern:
                    raise ValueError(f"tag {name}: a quote inside pattern {pattern!r} (YAML slip)")
                if pattern is not None:
                    try:
                        re.compile(expand_classes(pattern, self.classes))
                    except (KeyError, re.error) as error:
                        raise ValueError(f"tag {name}: pattern {pattern!r}: {error}") from None
        known = set(self.tags) | {spec.rule for spec in self.tags.values() if spec.rule}
        for name, scope in self.scopes.items():
            if set(scope.applies_to) - known:
                raise ValueError(f"scope {name} applies to unknown tags or rules")
        return self


def expand_classes(pattern: str, classes: dict[str, tuple[str, ...]]) -> str:
    """`{fee_item}` → an alternation of the class's words. A class or a group of plain words that
    starts an alternative is distributed over it ("{rate}太高" → "利息太高|利率太高|…") and the
    alternatives are merged on their common leading characters (a trie), so the regex engine
    skips ahead by the set of first characters and tries one branch per character, instead of
    trying every alternative at every position."""
    items = []
    for alternative in _top_level_alternatives(pattern):
        head, rest = _leading_words(alternative, classes)
        body = CLASS_REFERENCE.sub(lambda m: _alternation(classes[m.group(1)]), rest)
        items.extend((word + literal, tail) for word in head
                     for literal, tail in [_leading_literal(body)])
    return _trie(items)


def _alternation(words: Iterable[str]) -> str:
    return "(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + ")"


LEADING_LITERAL = re.compile(r"[^\\()\[\]{}.?*+|^$]*")


def _leading_literal(body: str) -> tuple[str, str]:
    """The plain characters a regex starts with, and the rest (a quantified last one stays)."""
    end = LEADING_LITERAL.match(body).end()
    if end and body[end:end + 1] in ("?", "*", "+", "{"):
        end -= 1
    return body[:end], body[end:]


def _trie(items: list[tuple[str, str]]) -> str:
    """One alternation of (literal prefix, regex rest) items, sharing common prefixes."""
    by_first: dict[str, list[tuple[str, str]]] = {}
    rests = []
    for literal, rest in items:
        if literal:
            by_first.setdefault(literal[0], []).append((literal[1:], rest))
        elif rest not in rests:
            rests.append(rest)
    branches = [re.escape(char) + _group(_trie(tails)) for char, tails in by_first.items()]
    return "|".join(branches + rests)


def _group(regex: str) -> str:
    return f"(?:{regex})" if regex else ""


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, start, index = [], 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif char == "[":
            index = _class_end(pattern, index)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    return [*parts, pattern[start:]]


def _class_end(pattern: str, start: int) -> int:
    """Index of the "]" closing the character class opened at `start`."""
    index = start + 1
    index += pattern.startswith("^", index)
    index += pattern.startswith("]", index)
    while pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index


LEADING_WORDS = re.compile(r"^(?:\{(?P<cls>[a-z_]+)\}|\((?:\?:)?(?P<words>[^()\[\]{}.?*+|\\^$]+"
                           r"(?:\|[^()\[\]{}.?*+|\\^$]+)*)\))(?![?*+]|\{\d)")


def _leading_words(alternative: str, classes) -> tuple[list[str], str]:
    """The words a class or a plain-word group at the start of the alternative stands for."""
    match = LEADING_WORDS.match(alternative)
    if not match:
        return [""], alternative
    words = classes[match["cls"]] if match["cls"] else match["words"].split("|")
    return sorted(words, key=len, reverse=True), alternative[match.end():]


def normalise(text: str) -> str:
    """Full-width forms as ASCII, lower case, a newline at every clause break."""
    text = CLAUSE_BREAKS.sub("\n", text)
    return FULL_WIDTH.sub(_ascii, text).lower()


def _ascii(match: re.Match) -> str:
    return "".join(chr(ord(char) - 0xFEE0) for char in match.group())


@dataclass(frozen=True)
class _Scope:
    pattern: re.Pattern
    window: int | None


class CueScanner:
    """Finds each tag's phrases in many texts at once, leaving out cues in a cancelling scope."""

    def __init__(self, lexicon: CueLexicon):
        self.lexicon = lexicon
        compiled = lambda p: re.compile(expand_classes(p, lexicon.classes))  # noqa: E731
        alternation = lambda ps: compiled("|".join(ps))  # noqa: E731
        self.strong = {tag: alternation(spec.patterns) for tag, spec in lexicon.tags.items()}
        self.weak = {tag: alternation(spec.weak_patterns)
                     for tag, spec in lexicon.tags.items() if spec.weak_patterns}
        self.context = {tag: compiled(spec.context)
                        for tag, spec in lexicon.tags.items() if spec.context}
        self.unrelated = {tag: compiled(spec.unrelated)
                          for tag, spec in lexicon.tags.items() if spec.unrelated}
        self.scopes = {tag: self._scopes_of(tag, spec.rule) for tag, spec in lexicon.tags.items()}
        self._clauses: dict[str, tuple] = {}
        self._clauses_with_findings: set[str] = set()

    def _scopes_of(self, tag: str, rule: str | None) -> tuple[_Scope, ...]:
        return tuple(
            _Scope(re.compile("|".join(map(re.escape, scope.words))), scope.window)
            for scope in self.lexicon.scopes.values()
            if not scope.applies_to or tag in scope.applies_to or rule in scope.applies_to)

    def scan(self, texts: Iterable[str], first_only: bool = False) -> list[dict[str, list[str]]]:
        """For each text, each tag found → its distinct phrases in order of appearance (only the
        first one with `first_only`)."""
        texts = [(text or "").replace("\x00", "") for text in texts]
        if not texts:
            return []
        units = normalise(TEXT_SEPARATOR.join(texts)).split("\x00")
        clauses_of = [unit.split("\n") for unit in units]
        self._learn(clauses_of)
        return [self._text_findings(unit, clauses, first_only)
                for unit, clauses in zip(units, clauses_of)]

    def _learn(self, clauses_of: list[list[str]]) -> None:
        """Scan the clauses not seen before, all joined into one string (one regex pass per
        tag). Findings depend on the clause alone, so a clause repeated across complaints, as
        in templates and set phrases, is scanned once."""
        if len(self._clauses) > CLAUSE_CACHE:
            self._clauses.clear()
            self._clauses_with_findings.clear()
        new = [clause for clause in dict.fromkeys(chain.from_iterable(clauses_of))
               if clause and clause not in self._clauses]
        joined = "\n".join(new)
        starts = [match.start() for match in re.finditer("\n", joined)]
        strong: list[dict[str, list[str]]] = [{} for _ in new]
        weak: list[dict[str, list[str]]] = [{} for _ in new]
        for tag, pattern in self.strong.items():
            self._collect(tag, pattern, joined, starts, strong)
        for tag, pattern in self.weak.items():
            self._collect(tag, pattern, joined, starts, weak)
        for clause, strong_found, weak_found in zip(new, strong, weak):
            self._clauses[clause] = (tuple(strong_found.items()), tuple(weak_found.items()))
            if strong_found or weak_found:
                self._clauses_with_findings.add(clause)

    def _text_findings(self, unit: str, clauses: list[str], first_only: bool) -> dict:
        found: dict[str, list[str]] = {}
        weak: dict[str, list[str]] = {}
        with_findings = self._clauses_with_findings.intersection(clauses)  # most have none
        for clause in sorted(with_findings, key=clauses.index) if len(with_findings) > 1 \
                else with_findings:
            strong_found, weak_found = self._clauses[clause]
            _merge(found, strong_found, first_only)
            _merge(weak, weak_found, first_only)
        for tag, phrases in weak.items():
            if (tag not in found or not first_only) and self._weak_counts(tag, unit):
                _merge(found, ((tag, phrases),), first_only)
        return found

    def _weak_counts(self, tag: str, text: str) -> bool:
        """Weak patterns count on topic (`context`) or when not about something `unrelated`."""
        spec = self.lexicon.tags[tag]
        on_topic = bool(spec.context and self.context[tag].search(text))
        off_topic = bool(spec.unrelated and self.unrelated[tag].search(text))
        return on_topic and not off_topic if spec.context_required else on_topic or not off_topic

    def _collect(self, tag, pattern, joined, starts, found) -> None:
        scopes = self.scopes[tag]
        for match in pattern.finditer(joined):
            phrases = found[bisect_right(starts, match.start())].setdefault(tag, [])
            if match.group(0) not in phrases and not _in_scope(scopes, joined, match.start()):
                phrases.append(match.group(0))
        for clause_found in found:
            if clause_found.get(tag) == []:
                del clause_found[tag]


def _merge(found: dict[str, list[str]], more: tuple, first_only: bool) -> None:
    """Add (tag, phrases) pairs to what a text has found so far."""
    for tag, phrases in more:
        known = found.get(tag)
        if known is None:
            found[tag] = phrases[:1] if first_only else list(phrases)
        elif not first_only:
            known.extend(phrase for phrase in phrases if phrase not in known)


def _in_scope(scopes: tuple[_Scope, ...], joined: str, start: int) -> bool:
    clause = joined[joined.rfind("\n", 0, start) + 1:start]
    return any(scope.pattern.search(clause if scope.window is None else clause[-scope.window:])
               for scope in scopes)


