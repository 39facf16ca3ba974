"""Demands (诉求) and grievances (诉由) in complaint texts: the tags behind rules 4.8 and 4.9,
and the escalation and tone cues shown to a person for attention (never scored).

The lexicons are data (`rules/lexicons/demands.yaml`, `attention.yaml`; schema and clause
scoping in `qinglang.detect.cues`), so "不是要求减免", "谨防暴力催收" or "听说有人减免了"
do not count as the complainant's own demand or grievance.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from itertools import islice
from typing import Iterable, Iterator, NamedTuple

import yaml
from sqlalchemy import Connection, select

from qinglang.detect.base import Hit, complaints
from qinglang.detect.cues import CueLexicon, CueScanner
from qinglang.rules.schema import RuleSet

BATCH = 2000
AGITATED_EXCLAMATIONS = 3


class TagHit(NamedTuple):
    tag: str
    rule: str | None
    phrase: str


class DemandTagger:
    """The 4.8/4.9 tags of texts, each with the first phrase that shows it."""

    def __init__(self, lexicon: CueLexicon):
        self.lexicon = lexicon
        self.scanner = CueScanner(lexicon)

    def tag(self, text: str) -> list[TagHit]:
        return self.tag_many([text])[0]

    def tag_many(self, texts: Iterable[str]) -> list[list[TagHit]]:
        return [[TagHit(tag, self.lexicon.tags[tag].rule, phrases[0])
                 for tag, phrases in found.items()]
                for found in self.scanner.scan(texts, first_only=True)]


def load_lexicon(name: str) -> CueLexicon:
    text = resources.files("qinglang.rules").joinpath(f"lexicons/{name}.yaml").read_text("utf-8")
    return CueLexicon.model_validate(yaml.safe_load(text))


@cache
def default_tagger() -> DemandTagger:
    return DemandTagger(load_lexicon("demands"))


@cache
def attention_scanner() -> CueScanner:
    return CueScanner(load_lexicon("attention"))


def attention_flags(texts: Iterable[str]) -> list[dict[str, list[str]]]:
    """Per text, each escalation, threat or tone flag (self_harm, media, mass_complaint,
    petition, legal_action, hostile_tone, agitated_tone) with the words that raised it: for a
    person to read, never proof."""
    texts = list(texts)
    flags = attention_scanner().scan(texts)
    for text, found in zip(texts, flags):
        exclamations = (text or "").count("!") + (text or "").count("！")
        if exclamations >= AGITATED_EXCLAMATIONS:
            found["agitated_tone"] = [f"{exclamations}×!"]
    return flags


def complaint_texts(conn: Connection, org: str) -> Iterator[tuple[list[str], list[str]]]:
    """(complaint ids, texts) a batch at a time; a text is the complaint's text and its
    recorded demands."""
    query = (select(complaints.c.complaint_id, complaints.c.text, complaints.c.demands)
             .where(complaints.c.org == org))
    rows = iter(conn.execute(query.execution_options(yield_per=BATCH)))
    while batch := list(islice(rows, BATCH)):
        yield ([complaint_id for complaint_id, _, _ in batch],
               [" ".join([text or "", *(demands or [])]) for _, text, demands in batch])


def demand_and_grievance_hits(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """4.8 and 4.9 from each complaint's text and recorded demands. The evidence names the tags
    and words found, and the attention flags of the same text, if any (looked for only in the
    texts with a hit, the only ones whose evidence is shown)."""
    tagger = default_tagger()
    for ids, texts in complaint_texts(conn, org):
        found = [_by_rule(hits) for hits in tagger.tag_many(texts)]
        with_hits = [index for index, rules_found in enumerate(found) if rules_found]
        flags = dict(zip(with_hits, attention_flags([texts[index] for index in with_hits])))
        for index in with_hits:
            attention = {"attention": flags[index]} if flags[index] else {}
            for rule_id, tags in found[index].items():
                yield Hit(ids[index], rule_id, {"tags": tags, **attention})


def _by_rule(hits: list[TagHit]) -> dict[str, dict[str, str]]:
    """rule → {tag: phrase} for the tags that belong to a rule."""
    found: dict[str, dict[str, str]] = {}
    for hit in hits:
        if hit.rule:
            found.setdefault(hit.rule, {})[hit.tag] = hit.phrase
    return found
