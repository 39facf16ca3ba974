"""The cue machinery behind 3.4, 4.8, 4.9 and the attention flags: classes, clause scope,
batch scanning, and the strict lexicon schema."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from qinglang.detect.cue_lexicon import CueLexicon, expand_classes
from qinglang.detect.cues import CueScanner, normalise

CLASSES = {"fee": ("服务费", "手续费", "费"), "high": ("太高", "高")}


def lexicon(**tags) -> CueLexicon:
    return CueLexicon.model_validate({
        "version": "t", "classes": CLASSES,
        "scopes": {"negation": {"window": 2, "words": ["不是"]},
                   "warning": {"words": ["谨防"]},
                   "hypothetical": {"words": ["如果"], "applies_to": ["4.9"]}},
        "tags": tags or {"fee": {"rule": "4.8", "patterns": ["{fee}.{0,3}{high}"]},
                         "cut": {"rule": "4.9", "patterns": ["减免"]}}})


def test_a_class_name_stands_for_its_words_and_a_cue_stays_inside_its_clause():
    scanner = CueScanner(lexicon())
    assert scanner.scan(["服务费太高", "服务费，太高", "手续费真高"]) == [
        {"fee": ["服务费太高"]}, {}, {"fee": ["手续费真高"]}]


def test_negation_counts_only_right_before_the_cue_and_warnings_in_the_whole_clause():
    scanner = CueScanner(lexicon())
    assert scanner.scan(["不是减免", "不是我说，减免", "谨防有人说服务费太高", "谨防骗子。服务费太高"]) == [
        {}, {"cut": ["减免"]}, {}, {"fee": ["服务费太高"]}]


def test_a_hypothetical_cancels_demands_only():
    scanner = CueScanner(lexicon())
    assert scanner.scan(["如果减免的话服务费太高"]) == [{"fee": ["服务费太高"]}]


def test_many_texts_scanned_at_once_keep_their_own_findings():
    scanner = CueScanner(lexicon())
    texts = ["减免", "", "服务费太高", None, "减免\x00服务费高"]
    assert scanner.scan(texts) == [{"cut": ["减免"]}, {}, {"fee": ["服务费太高"]}, {},
                                   {"cut": ["减免"], "fee": ["服务费高"]}]


def test_weak_patterns_count_only_on_topic_when_context_is_required():
    refund = {"rule": "4.9", "patterns": ["不存在"], "weak_patterns": ["退还"],
              "context": "利息", "context_required": True, "unrelated": "保费"}
    scanner = CueScanner(lexicon(refund=refund))
    assert scanner.scan(["利息太高，要求退还", "要求退还", "利息高，退还保费"]) == [
        {"refund": ["退还"]}, {}, {}]


def test_normalise_makes_full_width_forms_ascii_and_breaks_clauses():
    assert normalise("年化３６％，太高！ＡＢ") == "年化36%\n太高\nab"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="服务手续费太高不是退还(减免)", max_size=40))
def test_the_merged_expansion_finds_what_a_plain_alternation_finds(text):
    patterns = "{fee}.{0,3}{high}|手续费|(退还|减免)费|务.?费|退+还|减{1,2}免"
    plain = "(?:服务费|手续费|费).{0,3}(?:太高|高)|手续费|(?:退还|减免)费|务.?费|退+还|减{1,2}免"
    merged = re.compile(expand_classes(patterns, CLASSES))
    starts = lambda p: {m.start() for m in p.finditer(text)}  # noqa: E731
    assert starts(merged) == starts(re.compile(plain))


@pytest.mark.parametrize("bad", [
    {"tags": {"x": {"patterns": ["{nope}"]}}},
    {"tags": {"x": {"patterns": ['"减免"|降息']}}},
    {"tags": {"x": {"patterns": ["(未闭合"]}}},
    {"tags": {"x": {"patterns": ["a"], "colour": "red"}}},
    {"tags": {"x": {"patterns": ["a"], "weak_patterns": ["b"], "context_required": True}}},
    {"scopes": {"s": {"words": ["不"], "applies_to": ["9.9"]}}, "tags": {"x": {"patterns": ["a"]}}},
])
def test_a_lexicon_with_a_slip_fails_loudly(bad):
    with pytest.raises(ValidationError):
        CueLexicon.model_validate({"version": "t", **bad})


def test_lexicons_read_in_one_pass_find_what_each_finds_alone():
    fee = lexicon()
    refund = lexicon(refund={"rule": "4.9", "patterns": ["不存在"], "weak_patterns": ["退还"],
                             "context": "利息", "context_required": True, "unrelated": "保费"})
    texts = ["服务费太高，要求退还", "利息太高，要求退还", "利息太高，要求退还。减免", "", None,
             "利息高，退还保费", "不是减免\x00利息，退还", "谨防骗子。服务费太高"] * 3
    together = CueScanner(fee, refund).scan_sparse(texts)
    assert [together[i][0] if i in together else {} for i in range(len(texts))] == \
        CueScanner(fee).scan(texts)
    assert [together[i][1] if i in together else {} for i in range(len(texts))] == \
        CueScanner(refund).scan(texts)


def test_texts_with_the_same_clauses_in_another_batch_find_the_same():
    scanner = CueScanner(lexicon())
    first = scanner.scan(["服务费太高，减免", "", "减免"])
    assert scanner.scan(["", "减免", "服务费太高，减免"]) == [{}, first[2], first[0]]
    assert scanner.scan(["", ""]) == [{}, {}] and scanner.scan([]) == []


def test_a_scanner_that_forgets_its_clauses_finds_the_same(monkeypatch):
    texts = ["服务费太高，减免", "", "不是减免，谨防骗子", "手续费真高。减免"]
    expected = CueScanner(lexicon()).scan(texts)
    monkeypatch.setattr("qinglang.detect.cues.CLAUSE_CACHE", 2)
    forgetful = CueScanner(lexicon())
    assert [forgetful.scan(texts) for _ in range(3)] == [expected] * 3


def test_the_cycle_collector_is_paused_while_scanning_and_left_as_it_was():
    import gc

    from qinglang.detect.cues import cycle_collector_paused
    assert gc.isenabled()
    with pytest.raises(ValueError), cycle_collector_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
