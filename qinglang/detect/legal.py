"""Legal and regulatory jargon (rule 3.4): statutes cited, legal concepts, and the set phrases
of letters written for complainants, from the lexicon `rules/lexicons/legal.yaml`.

A consumer may name one law in anger; a text dense with distinct legal terms was likely written
by someone else. The rule fires when a text has at least `min_terms` distinct terms and at least
`min_per_kchar` of them per 1,000 characters (parameters of 3.4 in the rule set).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Iterable, Iterator

from sqlalchemy import Connection

from qinglang.detect.base import Hit
from qinglang.detect.cues import CueScanner
from qinglang.detect.demands import complaint_texts, load_lexicon
from qinglang.rules.schema import RuleSet

TERM_TAGS = ("citation", "jargon")


@dataclass(frozen=True)
class LegalLanguage:
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
    return CueScanner(load_lexicon("legal"))


def legal_language(texts: Iterable[str]) -> list[LegalLanguage]:
    texts = list(texts)
    return [_language(text, found) for text, found in zip(texts, legal_scanner().scan(texts))]


def _language(text: str | None, found: dict[str, list[str]]) -> LegalLanguage:
    """A term inside a longer one found ("格式条款" in "格式条款无效") counts once."""
    citations, jargon = found.get("citation", []), found.get("jargon", [])
    terms = citations + jargon
    distinct = lambda words: tuple(w for w in words  # noqa: E731
                                   if not any(w != t and w in t for t in terms))
    return LegalLanguage(distinct(citations), distinct(jargon),
                         tuple(found.get("letter_formula", ())), len(text or ""))


def jargon_hits(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """3.4: texts dense with distinct legal and regulatory terms; the evidence lists them."""
    min_terms = rules.param("3.4", "min_terms")
    min_per_kchar = rules.param("3.4", "min_per_kchar")
    for ids, texts in complaint_texts(conn, org):
        for complaint_id, found in zip(ids, legal_language(texts)):
            if found.dense(min_terms, min_per_kchar):
                yield Hit(complaint_id, "3.4", {
                    "citations": list(found.citations), "jargon": list(found.jargon),
                    "letter_formulas": list(found.letter_formulas),
                    "per_kchar": round(found.per_kchar, 1)})


def yardstick(tag: str, text: str) -> bool:
    """The heimao gold tags this module is measured against: `cites_regulation` (a statute,
    article, document number or regulator's rule named) and `coached_script` (two or more set
    phrases of a written-for-you letter, or one with legal terms)."""
    found = legal_language([text])[0]
    if tag == "cites_regulation":
        return bool(found.citations)
    formulas = len(found.letter_formulas)
    return formulas >= 2 or (formulas == 1 and found.terms >= 2)
