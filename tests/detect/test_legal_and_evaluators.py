"""Rule 3.4 (legal jargon density) on texts written here, and the 3.4 / 4.8 / 4.9 evaluators on
a store: which complaints they hit and the evidence a person checks."""

from __future__ import annotations

import pytest

from qinglang.detect import demands, legal
from qinglang.rules.schema import default_ruleset
from qinglang.services.importing import import_file
from factories import COMPLAINT_COLUMNS, complaint, write_csv

LAWYERLY = ("根据《中华人民共和国民法典》第四百九十六条，贵司提供的格式条款未尽提示说明义务，"
            "且利率超过一年期贷款市场报价利率四倍，不受法律保护，依据银保监发〔2018〕14号文请予纠正。")
ANGRY = "你们的利息太高了，按照消费者权益保护法我有权投诉，要求降息。"


def test_a_lawyerly_text_is_dense_with_distinct_terms_and_an_angry_one_is_not():
    dense, plain = legal.legal_language([LAWYERLY, ANGRY])
    assert {"《中华人民共和国民法典》", "第四百九十六条", "银保监发〔2018〕14号"} <= set(dense.citations)
    assert {"格式条款", "不受法律保护"} <= set(dense.jargon)
    assert dense.dense(min_terms=2, min_per_kchar=2)
    assert plain.citations == ("消费者权益保护法",) and not plain.dense(2, 2)


def test_citing_a_regulators_rule_counts_as_a_citation_but_a_vague_appeal_does_not():
    assert legal.yardstick("cites_regulation", "保监会明确规定网贷不准捆绑销售保险")
    assert not legal.yardstick("cites_regulation", "年利率36%超过国家规定，属于违规")


def test_set_phrases_of_a_written_for_you_letter_mark_a_coached_script():
    letter = "投诉请求：全额退保。事实与理由如下……以上所述均为事实，若有虚假愿承担法律责任，望贵局严肃处理。"
    assert legal.yardstick("coached_script", letter)
    assert not legal.yardstick("coached_script", "莫名其妙被投保了，我希望可以退保")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_evaluators_report_rules_with_their_words_and_attention_alongside(tmp_path, settings,
                                                                            engine):
    rows = [complaint(1, text=LAWYERLY, demands=""),
            complaint(2, text="催收人员天天威胁我，还爆了通讯录。我要去上访！", demands="停止催收"),
            complaint(3, text="我不是要求减免，只想查清账单", demands=""),
            complaint(4, text="再不处理我就发到抖音曝光", demands="")]
    import_file(engine, settings, write_csv(tmp_path / "complaints.csv", COMPLAINT_COLUMNS, rows))
    with engine.connect() as conn:
        hits = list(demands.text_rule_hits(conn, settings.org, default_ruleset()))
    found = {(hit.complaint_id, hit.rule_id): hit.evidence for hit in hits}
    assert set(found) == {("T00001", "3.4"), ("T00001", "4.8"), ("T00002", "4.8"),
                          ("T00002", "4.9")}
    assert found["T00002", "4.8"]["tags"] == {"grievance_collector": "催收人员天天威胁"}
    assert found["T00002", "4.9"]["tags"] == {"demand_stop_collection": "停止催收"}
    assert found["T00002", "4.9"]["attention"] == {"petition": ["上访"]}
    assert "格式条款" in found["T00001", "3.4"]["jargon"]
    assert found["T00001", "3.4"]["per_kchar"] > 2
