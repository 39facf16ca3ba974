"""Cue lexicons as data: the strict schema of `rules/lexicons/*.yaml` and the compiling of a
tag's patterns, classes expanded, into one regular expression whose alternatives are merged on
common leading characters (the regex engine then tries one branch per first character instead
of every word). The scanner that reads texts with them is `detect.cues`.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Iterable

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

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
        body = CLASS_REFERENCE.sub(lambda m: alternation(classes[m.group(1)]), rest)
        items.extend((word + literal, tail) for word in head
                     for literal, tail in [_leading_literal(body)])
    return _trie(items)


def alternation(words: Iterable[str]) -> str:
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


def load_lexicon(name: str) -> CueLexicon:
    """A lexicon of the package (`rules/lexicons/<name>.yaml`), validated."""
    text = resources.files("qinglang.rules").joinpath(f"lexicons/{name}.yaml").read_text("utf-8")
    return CueLexicon.model_validate(yaml.safe_load(text))
