"""Legal and regulatory jargon (rule 3.4): statutes cited, legal concepts, and the set phrases
of letters written for complainants, from the lexicon `rules/lexicons/legal.yaml`.

A consumer may name one law in anger; a text dense with distinct legal terms was likely written
by someone else. The rule fires when a text has at least `min_terms` distinct terms and at least
`min_per_kchar` of them per 1,000 characters (parameters of 3.4 in the rule set).
"""

from __future__ import annotations

from functools import cache
from typing import Callable, Iterable, NamedTuple

from qinglang.detect.base import Hit
from qinglang.detect.cue_lexicon import load_lexicon
from qinglang.detect.cues import CueScanner, Findings
from qinglang.rules.schema import RuleSet


class LegalLanguage(NamedTuple):
    citations: tuple[str, ...]
    jargon: tuple[str, ...]
    letter_formulas: tuple[str, ...]
    characters: int

    @property
    def terms(self) -> int:
        return len(self.citations) + len(self.jargon)

    @property
    def per_kchar(self) -> float:
        return 1000 * self.terms / max(self.characters, 1)

    def dense(self, min_terms: int, min_per_kchar: float) -> bool:
        return self.terms >= min_terms and self.per_kchar >= min_per_kchar


@cache
def legal_scanner() -> CueScanner:
    """The legal lexicon alone (the batch reads it with the others: `demands.read_texts`)."""
    return CueScanner(load_lexicon("legal"))


def legal_language(texts: Iterable[str]) -> list[LegalLanguage]:
    texts = list(texts)
    return [language(text, found) for text, found in zip(texts, legal_scanner().scan(texts))]


def language(text: str | None, found: Findings) -> LegalLanguage:
    return LegalLanguage(*terms(found), len(text or ""))


def terms(found: Findings) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Citations, jargon and letter formulas found; a term inside a longer one found
    ("格式条款" in "格式条款无效") counts once."""
    if not found:
        return (), (), ()
    citations, jargon = found.get("citation", []), found.get("jargon", [])
    found_terms = citations + jargon
    joined = "\n".join(found_terms)  # a term counts unless it occurs inside another one
    distinct = lambda words: tuple(  # noqa: E731
        w for w in words if joined.count(w) == found_terms.count(w))
    return distinct(citations), distinct(jargon), tuple(found.get("letter_formula", ()))


def density_test(rules: RuleSet) -> Callable[[LegalLanguage], bool]:
    """Whether a text's legal language is dense enough for 3.4 (never, without the rule)."""
    if not any(rule.id == "3.4" for rule in rules.rules):
        return lambda found: False
    min_terms, min_per_kchar = rules.param("3.4", "min_terms"), rules.param("3.4", "min_per_kchar")
    return lambda found: found.dense(min_terms, min_per_kchar)


def jargon_hit(complaint_id: str, found: LegalLanguage) -> Hit:
    """3.4 for a text dense with distinct legal and regulatory terms; the evidence lists them."""
    return Hit(complaint_id, "3.4", {
        "citations": list(found.citations), "jargon": list(found.jargon),
        "letter_formulas": list(found.letter_formulas), "per_kchar": round(found.per_kchar, 1)})


def yardstick(tag: str, text: str) -> bool:
    """The heimao gold tags this module is measured against: `cites_regulation` (a statute,
    article, document number or regulator's rule named) and `coached_script` (two or more set
    phrases of a written-for-you letter, or one with legal terms)."""
    found = legal_language([text])[0]
    if tag == "cites_regulation":
        return bool(found.citations)
    formulas = len(found.letter_formulas)
    return formulas >= 2 or (formulas == 1 and found.terms >= 2)
