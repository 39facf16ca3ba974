"""The engine's batch path (numpy views, one automaton scan, array rules, contact runs) gives
exactly what a straightforward text-by-text reading gives: the reference below works on Python
strings with `str.translate`, `str.find` over every pattern, a plain loop over the contact
pattern and Python-integer hashing, the way the rules are written in the docs."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from qinglang.content import contacts as contact_module
from qinglang.content.contact_scan import scan_contacts
from qinglang.content.scan_chars import DIGIT, SPACE
from qinglang.content.contacts import Contact, find_contacts
from qinglang.content.corpus import fbs_corpus, sample_posts
from qinglang.content.assessment import TermHit
from qinglang.content.engine import MIN_HOMOPHONE_CHARS, RESPELLED, default_engine
from qinglang.content.evasion import STYLES, obfuscate
from qinglang.content.features import HASH_BITS, NGRAM_SIZES
from qinglang.content.matcher import CUE_AFTER, CUE_BEFORE
from qinglang.content.normalise import (
    BOUNDARY, batch_views, code_points, contact_view, folded, matching_view, text_of,
)

_MASK = (1 << 64) - 1
_WORD = set("abcdefghijklmnopqrstuvwxyz0123456789")
EDGES = [
    "", " ", "征信", "a", "ﬁnance ⑴ ㈱ 征信修复 ﬁ", "𠀀𠀁 征信修复 🔥", "x\x00征信修复\x00y",
    "谨防征信修复诈骗", "征信修复骗局", "zhengxin修复", "zx修复 vx: abc_12345", "彳正信修复",
    "微信 abc_12345 QQ 1 2 3 4 5 6", "１３８ ００１３ ８０００", "①③⑧⓪⓪①③⑧⓪⓪⓪",
    "http://abc.com/13800138000 abc.top x@y.cn", "8613800138000 4001234567 021-12345678",
    "反催收" * 40, "qq12345 wx:abcdefg v abcdefg aqq123456",
]


def origins(text: str) -> list[int]:
    """For each character of the matching view, the original character it came from."""
    return [i for i, char in enumerate(text) for _ in matching_view(char)] + [len(text)]


def reference_contacts(view: str) -> list[Contact]:
    found = []
    for match in contact_module.CONTACT_PATTERN.finditer(view):
        kind = match.lastgroup
        raw = match.group(kind)
        before = view[match.start() - 1] if match.start() else ""
        glued = kind in ("phone", "domain") or (
            match.group()[:1] in ("v", "q") and match.group()[1:2] not in ("x", "q", "信"))
        if before and before in contact_module._CONTINUES.get(kind, "") and glued:
            continue
        value = contact_module._clean(kind, raw)
        if value is not None:
            start = match.start(kind)
            found.append(Contact("domain" if kind == "url" else kind, value, start,
                                 start + len(raw)))
    return found


def reference_hits(engine, text: str) -> tuple[list[TermHit], list[tuple[int, int, str]]]:
    """Term hits of one text, and its variant spellings (start, end, term's spelling)."""
    view, lexicon = matching_view(text), engine.lexicon
    terms, before, after, respellings = [], [], [], []
    for pattern in engine.automaton.patterns:
        start = view.find(pattern.text)
        while start >= 0:
            end = start + len(pattern.text)
            if not ((view[start] in _WORD and start > 0 and view[start - 1] in _WORD)
                    or (view[end - 1] in _WORD and end < len(view) and view[end] in _WORD)):
                if pattern.term == CUE_BEFORE:
                    before.append(end)
                elif pattern.term == CUE_AFTER:
                    after.append(start)
                else:
                    terms.append((start, end, pattern))
                    if pattern.kind in RESPELLED:
                        term = lexicon.terms[pattern.term].term
                        respellings.append((start, end, matching_view(term)))
            start = view.find(pattern.text, start + 1)
    terms.sort(key=lambda t: (t[1], t[0]))
    origin = origins(text)
    window = lexicon.exclusions.window
    placed: dict[tuple, TermHit] = {}
    for start, end, pattern in terms:
        if any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in terms):
            continue
        term = lexicon.terms[pattern.term]
        excluded = (any(start - window <= b <= start for b in before)
                    or any(end <= a <= end + window for a in after))
        first, last = origin[start], origin[end - 1] + 1
        variant = pattern.kind
        if variant == "exact" and folded(text[first:last]) != folded(term.term):
            if len(term.term) < MIN_HOMOPHONE_CHARS:
                continue
            variant = "homophone"
        placed.setdefault((term.term, first), TermHit(
            term.term, term.category, term.level, term.weight, variant, first, last, excluded))
    return list(placed.values()), respellings


def respelled(view: str, respellings: list[tuple[int, int, str]]) -> str:
    parts, done = [], 0
    for start, end, term in sorted(respellings):
        if start >= done:
            parts += [view[done:start], term]
            done = end
    return "".join(parts) + view[done:]


def reference_ngrams(views: list[str]) -> tuple[dict[int, int], int]:
    counts: dict[int, int] = {}
    total = 0
    for salt, view in enumerate(views):
        for size in NGRAM_SIZES:
            for start in range(len(view) - size + 1):
                value = size + 8 * salt
                for char in view[start:start + size]:
                    value = (value * 0x100000001B3 + ord(char)) & _MASK
                bucket = ((value * 0x9E3779B97F4A7C15) & _MASK) >> (64 - HASH_BITS)
                counts[bucket] = counts.get(bucket, 0) + 1
                total += 1
    return counts, total


def reference_assessment(engine, text: str) -> dict:
    model, text = engine.model, text.replace(BOUNDARY, " ")
    hits, respellings = reference_hits(engine, text)
    contacts = reference_contacts(contact_view(text))
    counts, total = reference_ngrams([folded(text), respelled(matching_view(text), respellings)])
    scale = 1 / math.sqrt(max(total, 1))
    logit = sum(float(model.weights[b]) * n for b, n in counts.items()) * scale + model.intercept
    score = 1 / (1 + math.exp(-logit))
    evidence = np.zeros(len(engine.features))
    for key, weight in {("excluded" if h.excluded else h.category, h.term): h.weight
                        for h in hits}.items():
        evidence[engine.features.index(key[0])] += weight
    for contact in contacts:
        evidence[engine.features.index(f"contact_{contact.kind}")] += 1
    category = level = None
    if score >= model.threshold:
        shift = HASH_BITS - (model.category_buckets.bit_length() - 1)
        ngram_part = sum(model.category_weights[:, b >> shift].astype(np.float64) * n
                         for b, n in counts.items()) * scale if counts else 0
        kinds = (ngram_part + model.category_weights[:, -len(engine.features):]
                 @ np.log1p(evidence) + model.category_intercepts)
        category = model.categories[int(np.argmax(kinds))]
        levels = [h.level for h in hits if not h.excluded and h.category in (category, "posing")]
        level = min(levels) if levels else engine.lexicon.categories[category].level
    return {"score": score, "category": category, "level": level, "hits": hits,
            "contacts": contacts}


def varied_texts(sample_dir, fbs_path) -> list[str]:
    texts = [p.text for p in sample_posts(sample_dir)][:120]
    if fbs_path.is_file():
        texts += [e.text for e in fbs_corpus(fbs_path, held_out=True)][:120]
    rng = random.Random(4)
    styles = (*STYLES, "combined")
    return texts + [obfuscate(t, rng.choice(styles), rng) for t in texts] + EDGES


@pytest.fixture(scope="module")
def texts(sample_dir, fbs_path):
    return varied_texts(sample_dir, fbs_path)


def test_batch_assessments_equal_the_text_by_text_reading(texts):
    engine = default_engine()
    batch = engine.assess(texts)
    assert len(batch) == len(texts)
    for text, found in zip(texts, batch):
        expected = reference_assessment(engine, text)
        assert found.score == pytest.approx(expected["score"], abs=1e-9), text
        assert found.category == expected["category"], text
        assert found.level == expected["level"], text
        assert found.hits == expected["hits"], text
        assert found.contacts == expected["contacts"], text


def test_batch_views_are_the_string_views(texts):
    joined = BOUNDARY.join(t.replace(BOUNDARY, " ") for t in texts)
    views = batch_views(joined)
    assert text_of(views.folded) == folded(joined)
    assert text_of(views.matching) == matching_view(joined)
    assert text_of(views.contact) == contact_view(joined)
    assert views.origin.tolist() + [len(joined)] == origins(joined)


def test_contacts_searched_in_runs_equal_the_whole_view(texts):
    for text in texts:
        view = contact_view(text)
        assert find_contacts(view) == reference_contacts(view), text


CONTACT_ALPHABET = [*"abcdehilmnopqstvwx.-@:/_+ 0123456789", *"微信号薇威维扣企鹅群：·，、（）)(~*|",
                    "\u3000", "\u0663", "１", "\t", "com", "cn", "top", "http://", "https://",
                    "qq", "vx", "wx", "weixin", "wechat", "+86", "400", "800", "010", "021-",
                    "www.", ".com", ".cn"]


def test_the_contact_scanner_reads_the_pattern_as_re_does():
    """Random strings of the characters and pieces the pattern turns on (separators, Unicode
    digits and spaces, triggers, top-level domains): the compiled scanner finds exactly
    what `re.finditer` finds."""
    rng = random.Random(8)
    for _ in range(20_000):
        text = "".join(rng.choice(CONTACT_ALPHABET) for _ in range(rng.randint(1, 40)))
        codes = code_points(text)
        found = scan_contacts(codes, contact_module._CLASSES[codes],
                              contact_module.CONTACT_PATTERN.groupindex,
                              contact_module._TLD_NAMES)
        assert found.tolist() == [
            [m.lastindex, m.start(), m.start(m.lastindex), m.end()]
            for m in contact_module.CONTACT_PATTERN.finditer(text)], text


def test_the_scanner_reads_the_character_flags_of_contacts():
    assert (DIGIT, SPACE) == (contact_module._DIGIT, contact_module._SPACE)


def test_every_character_the_contact_pattern_consumes_is_searched():
    literal = {c for c in contact_module.CONTACT_PATTERN.pattern if not c.isascii()}
    assert literal <= set(contact_module._CONSUMED_CHINESE)


def test_a_batch_is_the_same_whatever_its_neighbours(texts):
    engine = default_engine()
    alone = [engine.assess([t])[0] for t in texts[:40]]
    together = engine.assess(texts[:40])
    assert [a.score for a in alone] == pytest.approx([a.score for a in together], abs=1e-9)
    assert [(a.category, a.hits, a.contacts) for a in alone] == [
        (a.category, a.hits, a.contacts) for a in together]
