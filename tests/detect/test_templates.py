"""Template complaints (3.2, 4.6): slot-filled and paraphrased copies of one letter cluster,
different letters and one customer's own repeats do not make a template; the stored clusters
keep their ids, and one new complaint matched online gets the batch's answer."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from factories import COMPLAINT_COLUMNS, complaint, write_csv
from qinglang.detect import template_rules, template_store
from qinglang.detect.template_rules import Member
from qinglang.detect.templates import Params, cluster_texts
from qinglang.rules.schema import default_ruleset
from qinglang.services.assess import assess_all, assessment_rows
from qinglang.services.importing import import_file
from qinglang.store.tables_templates import complaint_templates

LETTER = ("{inst}投诉处理中心负责人：受{name}（身份证号：{idno}）委托，{firm}{lawyer}律师就其与贵司的"
          "借贷纠纷提出如下意见。借款合同约定分{term}期偿还，截至目前借款人已还款{paid}元，因经济困难自"
          "{date}起未能按期还款。贵司委托的第三方催收人员多次在非工作时间拨打借款人及其亲属电话，以威胁、"
          "恐吓等方式催收，严重侵犯了借款人的合法权益。受经济环境影响，借款人收入大幅下降，已无法承担高额"
          "的还款压力。综上，我方要求贵司：（1）减免全部罚息、违约金及逾期产生的一切费用；（2）对借款人的"
          "借款办理停息挂账，剩余本金分{split}期偿还。若贵司拒不协商，将通过12378热线及媒体等渠道维权，"
          "联系电话{phone}。")
OTHER = ("本人于{date}在贵行办理信用卡，近期发现账单中多了一笔{paid}元的年费，办卡时工作人员明确承诺"
         "终身免年费，现在却说是刷卡次数不够。我多次拨打客服电话，客服只会让我等通知，一直没有人回复。"
         "我认为贵行存在虚假宣传，要求立即退还年费并对当时的销售人员进行处理，同时把承诺写进书面说明，"
         "否则我将向金融监管部门反映。我的卡片尾号{idno}，请尽快处理，谢谢。这件事已经拖了{term}个月。")
SLOTS = [
    dict(inst="汇岚消费金融", name="夏伟俊", idno="321084********6931", firm="邵阳市嘉禾信用管理咨询有限公司",
         lawyer="宋帅旭", term="12", paid="52,900", date="2024年6月16日", split="36",
         phone="13912345678"),
    dict(inst="汇岚", name="欧阳娜娜", idno="110105********1234", firm="邵阳市嘉禾信用管理咨询有限公司",
         lawyer="陈峰兵", term="６", paid="40200", date="2024-03-30", split="72",
         phone="+86 138 0013 8000"),
    dict(inst="金石消费金融", name="李四", idno="440301********001X", firm="邵阳市嘉禾信用管理咨询有限公司",
         lawyer="宋帅旭", term="24", paid="6,300", date="3月1日", split="48", phone="17700001111"),
]
PARAMS = Params(core=0.5, merge=0.36, min_shared=80)


def paraphrase(text: str) -> str:
    """Synonyms swapped and one sentence dropped, as agents rework a script."""
    for old, new in (("严重侵犯", "极大侵犯"), ("合法权益", "正当权益"), ("借款人", "当事人"),
                     ("贵司", "贵公司")):
        text = text.replace(old, new)
    return text.replace("受经济环境影响，当事人收入大幅下降，已无法承担高额的还款压力。", "")


def test_slot_filled_copies_of_one_letter_are_one_template_and_another_letter_is_not():
    texts = [LETTER.format(**s) for s in SLOTS] + [OTHER.format(**SLOTS[0])]
    found = cluster_texts(texts, PARAMS)
    assert found.root.tolist() == [0, 0, 0, -1]


def test_a_paraphrased_copy_still_belongs_to_the_template():
    texts = [LETTER.format(**SLOTS[0]), paraphrase(LETTER.format(**SLOTS[1])),
             OTHER.format(**SLOTS[2])]
    assert cluster_texts(texts, PARAMS).root.tolist() == [0, 0, -1]


def test_short_complaints_about_one_issue_do_not_make_a_template():
    texts = ["催收人员天天打电话骚扰我的家人，要求停止催收。", "催收人员天天打电话骚扰我的家人，要求停止催收！"]
    assert cluster_texts(texts, PARAMS).root.tolist() == [-1, -1]


def _store(tmp_path, settings, engine, rows):
    import_file(engine, settings, write_csv(tmp_path / "complaints.csv", COMPLAINT_COLUMNS, rows))


def test_the_same_customer_twice_is_not_a_template_but_a_second_customer_makes_one(
        tmp_path, settings, engine):
    rows = [complaint(1, customer_id="C1", text=LETTER.format(**SLOTS[0]),
                      received_at="2024-06-01 09:00:00", channel="letter"),
            complaint(2, customer_id="C1", text=LETTER.format(**SLOTS[1]),
                      received_at="2024-06-05 09:00:00", channel="regulator")]
    _store(tmp_path, settings, engine, rows)
    rules = default_ruleset()
    with engine.begin() as conn:
        assert list(template_rules.template_hits(conn, settings.org, rules)) == []
    assert template_rules.template_ids(engine, settings.org) == {}
    rows.append(complaint(3, customer_id="C2", text=paraphrase(LETTER.format(**SLOTS[2])),
                          received_at="2024-08-20 09:00:00", channel="online"))
    _store(tmp_path, settings, engine, rows)
    with engine.begin() as conn:
        hits = {(h.complaint_id, h.rule_id): h.evidence
                for h in template_rules.template_hits(conn, settings.org, rules)}
    assert {k for k in hits if k[1] == "3.2"} == {("T00001", "3.2"), ("T00002", "3.2"),
                                                  ("T00003", "3.2")}
    assert hits["T00001", "3.2"] == {"template_id": "TPL-T00001", "complaints": 3, "customers": 2}
    # 4.6: the other customer's complaint is 76 and 80 days away, outside the month
    assert not [k for k in hits if k[1] == "4.6"]
    assert template_rules.template_ids(engine, settings.org) == {
        "T00001": "TPL-T00001", "T00002": "TPL-T00001", "T00003": "TPL-T00001"}


def test_same_wording_within_a_month_names_the_other_customers_complaints(tmp_path, settings,
                                                                          engine):
    rows = [complaint(i + 1, customer_id=f"C{i + 1}", text=LETTER.format(**s),
                      received_at=f"2024-06-{1 + 10 * i:02d} 09:00:00")
            for i, s in enumerate(SLOTS)]
    rows.append(complaint(9, customer_id="C9", text=OTHER.format(**SLOTS[0]),
                          received_at="2024-06-02 09:00:00"))
    _store(tmp_path, settings, engine, rows)
    with engine.begin() as conn:
        hits = {(h.complaint_id, h.rule_id): h.evidence
                for h in template_rules.template_hits(conn, settings.org, default_ruleset())}
    assert {k for k in hits if k[1] == "4.6"} == {("T00001", "4.6"), ("T00002", "4.6"),
                                                  ("T00003", "4.6")}
    assert hits["T00001", "4.6"]["customers"] == 3
    assert hits["T00001", "4.6"]["others"] == [
        {"complaint_id": "T00002", "customer_id": "C2", "date": "2024-06-11"},
        {"complaint_id": "T00003", "customer_id": "C3", "date": "2024-06-21"}]
    assert not [k for k in hits if k[0] == "T00009"]


def test_cluster_ids_stay_when_the_store_is_rebuilt_and_grows(tmp_path, settings, engine):
    rows = [complaint(i + 1, customer_id=f"C{i + 1}", text=LETTER.format(**s),
                      received_at=f"2024-06-{1 + i:02d} 09:00:00") for i, s in enumerate(SLOTS[:2])]
    _store(tmp_path, settings, engine, rows)
    template_store.build_template_clusters(engine, settings.org)
    first = template_rules.template_ids(engine, settings.org)
    rows.append(complaint(7, customer_id="C7", text=LETTER.format(**SLOTS[2]),
                          received_at="2024-07-01 09:00:00"))
    _store(tmp_path, settings, engine, rows)
    template_store.build_template_clusters(engine, settings.org)
    template_store.build_template_clusters(engine, settings.org)
    again = template_rules.template_ids(engine, settings.org)
    assert first == {"T00001": "TPL-T00001", "T00002": "TPL-T00001"}
    assert again == {**first, "T00007": "TPL-T00001"}


def test_one_new_complaint_matched_online_gets_the_batch_answer(tmp_path, settings, engine):
    stored = [complaint(i + 1, customer_id=f"C{i + 1}", text=LETTER.format(**s),
                        received_at=f"2024-06-{1 + i:02d} 09:00:00") for i, s in enumerate(SLOTS)]
    stored.append(complaint(5, customer_id="C5", text=OTHER.format(**SLOTS[1]),
                            received_at="2024-06-04 09:00:00"))
    _store(tmp_path, settings, engine, stored)
    template_store.build_template_clusters(engine, settings.org)
    new_text = paraphrase(LETTER.format(**SLOTS[1]))
    new = Member("T00008", "C8", datetime(2024, 6, 20, 9), "online")
    with engine.connect() as conn:
        match, online = template_rules.online_template_hits(conn, settings.org, default_ruleset(),
                                                       new, new_text)
        lone = template_store.match_one(conn, settings.org, OTHER.format(**SLOTS[2]), "C9",
                                   datetime(2024, 6, 21))
    assert match.template_id == "TPL-T00001" and match.matched
    assert lone.template_id == "TPL-T00005" and lone.matched == ("T00005",)
    _store(tmp_path, settings, engine, stored + [complaint(8, customer_id="C8", text=new_text,
                                                           received_at="2024-06-20 09:00:00",
                                                           channel="online")])
    with engine.begin() as conn:
        batch = [h for h in template_rules.template_hits(conn, settings.org, default_ruleset())
                 if h.complaint_id == "T00008"]
        stored_ids = dict(conn.execute(select(complaint_templates.c.complaint_id,
                                              complaint_templates.c.template_id)).all())
    assert sorted(online, key=lambda h: h.rule_id) == sorted(batch, key=lambda h: h.rule_id)
    assert {h.rule_id for h in online} == {"3.2", "4.6"}
    assert stored_ids["T00008"] == match.template_id


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_empty_store_has_no_templates(settings, engine):
    assert template_store.build_template_clusters(engine, settings.org) == 0
    with engine.connect() as conn:
        found = template_store.match_one(conn, settings.org, LETTER.format(**SLOTS[0]))
    assert found.template_id is None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_export_names_the_template_of_each_templated_complaint(tmp_path, settings, engine):
    rows = [complaint(i + 1, customer_id=f"C{i + 1}", text=LETTER.format(**s),
                      received_at=f"2024-06-{1 + i:02d} 09:00:00") for i, s in enumerate(SLOTS)]
    rows.append(complaint(9, customer_id="C9", text=OTHER.format(**SLOTS[0])))
    _store(tmp_path, settings, engine, rows)
    assess_all(engine, settings.org, default_ruleset())
    exported = {r["complaint_id"]: r for r in assessment_rows(engine, settings.org)}
    assert {k: r["template_id"] for k, r in exported.items()} == {
        "T00001": "TPL-T00001", "T00002": "TPL-T00001", "T00003": "TPL-T00001", "T00009": ""}
    assert {"3.2", "4.6"} <= set(exported["T00002"]["rules"].split(";"))
