"""Demands (诉求) and grievances (诉由) in complaint texts: the tags behind rules 4.8 and 4.9,
and the escalation and tone cues shown to a person for attention (never scored).

The lexicons are data (`rules/lexicons/demands.yaml`, `attention.yaml`; schema and clause
scoping in `qinglang.detect.cues`), so "不是要求减免", "谨防暴力催收" or "听说有人减免了"
do not count as the complainant's own demand or grievance. The batch reads each complaint once
for three lexicons — demands, legal language (3.4) and attention — with one scanner.
"""

from __future__ import annotations

from functools import cache
from itertools import islice
from typing import Iterable, Iterator, NamedTuple, Sequence

from sqlalchemy import Connection, select

from qinglang.detect import legal
from qinglang.detect.base import Hit, complaints
from qinglang.detect.cue_lexicon import load_lexicon
from qinglang.detect.cues import CueScanner, Findings, cycle_collector_paused
from qinglang.rules.schema import RuleSet

BATCH = 2000
AGITATED_EXCLAMATIONS = 3
DEMANDS, LEGAL, ATTENTION = range(3)  # the lexicons of `text_scanner`, in this order


class TagHit(NamedTuple):
    tag: str
    rule: str | None
    phrase: str


class Shown(NamedTuple):
    """What a text shows: its demand and grievance tags (each with the first phrase that shows
    it) and those of them that belong to a rule, its legal terms (citations, jargon, letter
    formulas), and its attention flags. Texts that show the same share one: never change it."""
    tags: list[TagHit]
    by_rule: dict[str, dict[str, str]]
    legal_terms: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    attention: Findings


@cache
def text_scanner() -> CueScanner:
    """The demand, legal-language and attention lexicons, read in one pass."""
    lexicons = (load_lexicon("demands"), load_lexicon("legal"), load_lexicon("attention"))
    rules = {tag: spec.rule for tag, spec in lexicons[DEMANDS].tags.items()}

    def digest(found: tuple[Findings, ...]) -> Shown:
        tags = [TagHit(tag, rules[tag], phrases[0]) for tag, phrases in found[DEMANDS].items()]
        return Shown(tags, _by_rule(tags), legal.terms(found[LEGAL]), found[ATTENTION])

    return CueScanner(*lexicons, digest=digest)


def read_texts(texts: list[str]) -> dict[int, Shown]:
    """The texts with any cue, by position → what they show; the others show nothing."""
    return text_scanner().scan_sparse(texts)


def text_hits(ids: Sequence[str], texts: list[str], rules: RuleSet) -> list[Hit]:
    """3.4, 4.8 and 4.9 in a batch of texts, read once. A 4.8 or 4.9 hit names the tags and
    words found, and the attention flags of the same text, if any; a 3.4 hit lists the legal
    terms (see `legal.jargon_hit`)."""
    dense = legal.density_test(rules)
    hits = []
    with cycle_collector_paused():  # many small evidence dicts, no cycles
        for index, shown in read_texts(texts).items():
            text = texts[index] or ""
            citations, jargon, _ = shown.legal_terms
            if citations or jargon:
                language = legal.LegalLanguage(*shown.legal_terms, len(text))
                if dense(language):
                    hits.append(legal.jargon_hit(ids[index], language))
            if shown.by_rule:
                attention = _with_tone(text, shown.attention)
                flags = {"attention": attention} if attention else {}
                hits.extend(Hit(ids[index], rule_id, {"tags": dict(tags), **flags})
                            for rule_id, tags in shown.by_rule.items())
    return hits


def _with_tone(text: str, flags: Findings) -> Findings:
    """The flags found, and agitated_tone when the text has many exclamation marks."""
    exclamations = text.count("!") + text.count("！")
    if exclamations >= AGITATED_EXCLAMATIONS:
        return {**flags, "agitated_tone": [f"{exclamations}×!"]}
    return flags


class DemandTagger:
    """The 4.8/4.9 tags of texts, each with the first phrase that shows it."""

    def tag(self, text: str) -> list[TagHit]:
        return self.tag_many([text])[0]

    def tag_many(self, texts: Iterable[str]) -> list[list[TagHit]]:
        texts = list(texts)
        found = text_scanner().scan_sparse(texts)
        return [found[index].tags if index in found else [] for index in range(len(texts))]


@cache
def default_tagger() -> DemandTagger:
    return DemandTagger()


def attention_flags(texts: Iterable[str]) -> list[Findings]:
    """Per text, each escalation, threat or tone flag (self_harm, media, mass_complaint,
    petition, legal_action, hostile_tone, agitated_tone) with the words that raised it: for a
    person to read, never proof."""
    texts = list(texts)
    found = text_scanner().scan_sparse(texts)
    return [_with_tone(text or "", found[index].attention if index in found else {})
            for index, text in enumerate(texts)]


def complaint_texts(conn: Connection, org: str, between: tuple[str, str] | None = None
                    ) -> Iterator[tuple[list[str], list[str]]]:
    """(complaint ids, texts) a batch at a time, of every complaint or of those whose ids are
    `between` two ids (both included); a text is the complaint's text and its recorded
    demands."""
    query = (select(complaints.c.complaint_id, complaints.c.text, complaints.c.demands)
             .where(complaints.c.org == org))
    if between:
        query = query.where(complaints.c.complaint_id.between(*between))
    rows = iter(conn.execute(query.execution_options(yield_per=BATCH)))
    while batch := list(islice(rows, BATCH)):
        yield ([complaint_id for complaint_id, _, _ in batch],
               [complaint_text(text, demands) for _, text, demands in batch])


def complaint_text(text: str | None, demands: list[str] | None) -> str:
    """What the text rules read of a complaint: its text and its recorded demands."""
    return " ".join([text or "", *(demands or [])])


def text_rule_hits(conn: Connection, org: str, rules: RuleSet,
                   between: tuple[str, str] | None = None) -> Iterator[Hit]:
    """3.4, 4.8 and 4.9 from each complaint's text and recorded demands (`text_hits`), of
    every complaint or of those `between` two ids, with the cycle collector paused for the
    whole reading: re-enabled between batches, it would walk the scanner's growing memory of
    clauses again and again."""
    with cycle_collector_paused():
        hits = [hit for ids, texts in complaint_texts(conn, org, between)
                for hit in text_hits(ids, texts, rules)]
    return iter(hits)


def _by_rule(hits: list[TagHit]) -> dict[str, dict[str, str]]:
    """rule → {tag: phrase} for the tags that belong to a rule."""
    found: dict[str, dict[str, str]] = {}
    for hit in hits:
        if hit.rule:
            found.setdefault(hit.rule, {})[hit.tag] = hit.phrase
    return found
