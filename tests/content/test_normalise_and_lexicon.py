"""Normalisation sees through the evasions of domain.md and maps back to the original; the
lexicon is strict data and its variants are found by the automaton."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from qinglang.content.engine import ContentEngine
from qinglang.content.lexicon import Lexicon, default_lexicon, patterns
from qinglang.content.normalise import batch_views, contact_view, folded, matching_view


@pytest.mark.parametrize("written, reads", [
    ("徵信修復", "征信修复"),          # traditional
    ("征❤信", "征信"),                # emoji between characters
    ("停 息 挂 账", "停息挂账"),       # spaces
    ("征-信_修|复", "征信修复"),       # separators
    ("ＺＸ修复", "zx修复"),            # full-width, case
    ("冼白", "洗白"),                  # look-alike from the data table
    ("vх", "vx"),                      # Cyrillic х
])
def test_folded_view_undoes_evasions(written, reads):
    assert folded(written) == reads


def test_homophones_read_alike_in_the_matching_view():
    assert matching_view("正芯修复") == matching_view("征信修复")
    assert matching_view("停息挂账") != matching_view("停止挂账")


@pytest.mark.parametrize("written", ["①③⑧⓪⓪①③⑧⓪⓪⓪", "幺三八零零幺三八零零零",
                                     "壹叁捌零零壹叁捌零零零", "１３８００１３８０００"])
def test_contact_view_reads_number_forms_as_digits_one_for_one(written):
    view = contact_view(written)
    assert view == "13800138000" and len(view) == len(written)


def test_origins_map_the_matching_view_back_to_the_original():
    text = "快来徵❤信修復吧"
    view = matching_view(text)
    start = view.index(matching_view("征信修复"))
    places = batch_views(text).origin
    first, last = places[start], places[start + 3] + 1
    assert text[first:last] == "徵❤信修復"


def _lexicon_data() -> dict:
    return yaml.safe_load(yaml.safe_dump(default_lexicon().model_dump()))


@pytest.mark.parametrize("breakage", [
    lambda d: d["terms"][0].update(wieght=2),                      # misspelled key
    lambda d: d["terms"][0].update(category="no_such_kind"),
    lambda d: d["terms"][0].update(level=3),
    lambda d: d["terms"].append({**d["terms"][0], "term": "反摧收"}),   # a homophone twice
])
def test_lexicon_schema_is_strict(breakage):
    data = _lexicon_data()
    breakage(data)
    with pytest.raises(ValidationError):
        Lexicon.model_validate(data)


def test_every_term_has_a_kind_of_domain_md_and_a_level():
    lexicon = default_lexicon()
    assert {"anti_collection", "credit_repair", "illegal_agent", "debt_relief",
            "surrender_agency", "loan_intermediary"} <= set(lexicon.categories)
    assert {t.term for t in lexicon.terms if t.level == 1} >= {"反催收", "逾期铲单", "征信修复",
                                                             "代理免除债务", "提前全额退保"}
    assert {t.term for t in lexicon.terms if t.level == 2} >= {"停息挂账", "延期定制", "负债上岸",
                                                             "债务优化", "个性化分期", "代理退保"}


def test_generated_variants_include_pinyin_initials_and_split_characters():
    spelled = {p.text: p.kind for p in patterns(default_lexicon())}
    assert spelled[matching_view("zx修复")] == "initials"
    assert spelled[matching_view("zhengxin修复")] == "pinyin"
    assert spelled[matching_view("tingxi挂账")] == "pinyin"
    assert spelled[matching_view("彳正信修复")] == "split"
    assert "zxxf" not in spelled        # initials alone are too ambiguous to stand for a term


@pytest.mark.parametrize("text, term, variant, shown", [
    ("专业zx修复，加我", "征信修复", "initials", "zx修复"),
    ("tingxi挂账找我们", "停息挂账", "pinyin", "tingxi挂账"),
    ("正芯修复当天见效", "征信修复", "homophone", "正芯修复"),
    ("徵❤信修復", "征信修复", "exact", "徵❤信修復"),
    ("专业停 息 挂 账", "停息挂账", "exact", "停 息 挂 账"),
    ("ＦＡＮ催收", "反催收", "pinyin", "ＦＡＮ催收"),
    ("急用钱？d款当天到", "贷款", "initials", "d款"),    # a two-character term half spelled
    ("零门槛贷k，秒到", "贷款", "initials", "贷k"),
])
def test_terms_are_found_through_evasions_and_placed_in_the_original(text, term, variant, shown):
    hits = ContentEngine(None).read([text]).hits.of_text(0)
    found = {(h.term, h.variant, text[h.start:h.end]) for h in hits}
    assert (term, variant, shown) in found


@pytest.mark.parametrize("text", ["dk到账", "3d款式新颖", "abd款", "贷kuai"])
def test_a_half_spelled_two_character_term_stands_alone(text):
    """d款 stands for 贷款 only where its letter is not glued to other letters or digits (3d款,
    abd款, 贷kuai), and a bare dk never does."""
    hits = ContentEngine(None).read([text]).hits.of_text(0)
    assert "贷款" not in {h.term for h in hits if h.variant == "initials"}


@pytest.mark.parametrize("text", ["谨防反催收骗局", "警惕征信修复诈骗！",
                                  "所谓的停息挂账都是骗人的", "不要相信代理退保的广告"])
def test_consumer_education_context_excludes_the_term(text):
    hits = ContentEngine(None).read([text]).hits.of_text(0)
    assert hits and all(h.excluded for h in hits)


def test_a_batch_keeps_each_text_to_itself():
    texts = ["征信", "修复", "", "征信修复"]
    hits = ContentEngine(None).read(texts).hits
    assert [[h.term for h in hits.of_text(i)] for i in range(4)] == [[], [], [], ["征信修复"]]
