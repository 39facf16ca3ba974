"""Demands (诉求) and grievances (诉由) in complaint texts: the tags behind rules 4.8 and 4.9.

The lexicon is data (`rules/lexicons/demands.yaml`, strict schema): regular expressions per
tag, and negation words that cancel a match standing right after them, so "不是要求减免"
or "谨防暴力催收" do not count as the complainant's own demand or grievance.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from typing import Iterator

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, select

from qinglang.detect.base import Hit, complaints
from qinglang.rules.schema import RuleSet


class TagSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(pattern=r"^[1-5]\.\d+$")
    patterns: tuple[str, ...]
    weak_patterns: tuple[str, ...] = ()
    context: str | None = None
    unrelated: str | None = None


class DemandLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    negation_window: int = Field(ge=0)
    negations: tuple[str, ...]
    tags: dict[str, TagSpec]


@dataclass(frozen=True)
class TagHit:
    tag: str
    rule: str
    phrase: str


class DemandTagger:
    def __init__(self, lexicon: DemandLexicon):
        self.lexicon = lexicon
        self.patterns = {tag: _alternation(spec.patterns) for tag, spec in lexicon.tags.items()}
        self.weak = {tag: _WeakPatterns(spec) for tag, spec in lexicon.tags.items()
                     if spec.weak_patterns}
        self.negation = re.compile("|".join(map(re.escape, lexicon.negations)))

    def tag(self, text: str) -> list[TagHit]:
        """Each tag found in the text once, with the first phrase that shows it."""
        plain = normalise(text)
        hits = []
        for tag, pattern in self.patterns.items():
            phrase = self._first_unnegated(pattern, plain)
            if not phrase and tag in self.weak and self.weak[tag].apply_to(plain):
                phrase = self._first_unnegated(self.weak[tag].pattern, plain)
            if phrase:
                hits.append(TagHit(tag, self.lexicon.tags[tag].rule, phrase))
        return hits

    def _first_unnegated(self, pattern: re.Pattern, text: str) -> str | None:
        window = self.lexicon.negation_window
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - window):match.start()]
            if not self.negation.search(before):
                return match.group(0)
        return None


class _WeakPatterns:
    def __init__(self, spec: TagSpec):
        self.pattern = _alternation(spec.weak_patterns)
        self.context = re.compile(spec.context) if spec.context else None
        self.unrelated = re.compile(spec.unrelated) if spec.unrelated else None

    def apply_to(self, text: str) -> bool:
        """Weak patterns count unless the text is about something else."""
        if self.unrelated is None or not self.unrelated.search(text):
            return True
        return bool(self.context and self.context.search(text))


def _alternation(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def normalise(text: str) -> str:
    """NFKC (full-width forms), lower case, no white space."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@cache
def default_tagger() -> DemandTagger:
    text = resources.files("qinglang.rules").joinpath("lexicons/demands.yaml").read_text("utf-8")
    return DemandTagger(DemandLexicon.model_validate(yaml.safe_load(text)))


def demand_and_grievance_hits(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """4.8 and 4.9 from each complaint's text and recorded demands, one pass over the texts."""
    tagger = default_tagger()
    query = (select(complaints.c.complaint_id, complaints.c.text, complaints.c.demands)
             .where(complaints.c.org == org))
    for complaint_id, text, demands in conn.execute(query.execution_options(yield_per=2000)):
        found: dict[str, dict[str, str]] = {}
        for hit in tagger.tag(" ".join([text or "", *(demands or [])])):
            found.setdefault(hit.rule, {})[hit.tag] = hit.phrase
        for rule_id, tags in found.items():
            yield Hit(complaint_id, rule_id, {"tags": tags})
