"""Copied passages (3.2): two complaints that tell different stories but share a passage no
other complaint has are one template, in batch and online; a passage many complaints quote
(a law, a credit-report line) links nobody."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from factories import COMPLAINT_COLUMNS, complaint, write_csv
from qinglang.detect import template_rules, template_store
from qinglang.detect.template_rules import Member
from qinglang.detect.templates import Params, cluster_texts
from test_templates import LETTER, SLOTS
from qinglang.rules.schema import default_ruleset
from qinglang.services.importing import import_file

STORIES = [
    "我去年十月在手机上看到一个理财广告，点进去以后被引导买了一份年金险，当时页面上全是收益多高多稳的字样，"
    "客服打电话来也一直说随时可以取出来，我就按月交了八个月，上周家里急用钱想退，才知道只能拿回一小部分。",
    "本人在贵行办的信用卡一直正常使用，今年三月份因为单位拖欠工资晚还了几天，之后每天都有人打电话到我单位，"
    "前台同事接了好几次，弄得全办公室都知道我欠钱，领导还专门找我谈话，我觉得这种做法太过分了。",
    "我母亲七十多岁了，平时只会用手机接电话，上个月有人在菜市场门口送鸡蛋，让她扫码关注一个公众号，"
    "结果被开通了一个会员服务，每个月从她的养老金账户里扣钱，我们子女看到账单才发现已经扣了半年。",
    "我在网上申请了一笔装修贷款，审批的时候说好月利率很低，放款以后才发现每个月还要另交一笔保障费，"
    "合同里这一条写在最后一页的角落，字比别的地方小一半，我打电话问了三次，每次的解释都不一样。",
    "公司上个月给我们发工资用的是新开的卡，我去柜台激活的时候，柜员顺手给我办了一个附属的小额贷款额度，"
    "说是免费的不用也没关系，结果这个月收到账单，里面多了一笔账户管理费，我从来没有用过这个额度。",
]
PASSAGE = ("保险公司用红包和优惠券引我点进页面，页面只写零风险灵活投保早买早划算，"
           "对犹豫期过后退保要扣掉多少现金价值只字不提，这是典型的销售误导。")
QUOTE = ("根据商业银行信用卡业务监督管理办法第七十条的规定，持卡人确有还款意愿的，"
         "发卡银行可以与持卡人平等协商，达成个性化分期还款协议。")
TEXTS = [STORIES[0] + PASSAGE, STORIES[1] + QUOTE, STORIES[2] + PASSAGE, STORIES[3] + QUOTE,
         STORIES[4] + QUOTE]
PARAMS = Params(core=0.45, merge=0.34, min_shared=35, rare=6)


def test_a_passage_only_two_texts_share_links_them_and_a_quoted_law_does_not():
    assert cluster_texts(TEXTS, PARAMS).root.tolist() == [0, -1, 0, -1, -1]
    assert cluster_texts(TEXTS, replace(PARAMS, rare=0)).root.tolist() == [-1] * 5


def test_a_passage_shared_by_a_third_text_is_no_longer_a_copy_of_one_by_the_other():
    third = ("我在另一家平台也遇到了同样的事情，前后被扣了四个月的保费，打了很多次电话都没有结果，"
             "真的很无奈。" + PASSAGE)
    assert cluster_texts([*TEXTS, third], PARAMS).root.tolist() == [-1] * 6


def _store(tmp_path, settings, engine, texts):
    rows = [complaint(i + 1, customer_id=f"C{i + 1}", text=t,
                      received_at=f"2024-06-{1 + i:02d} 09:00:00") for i, t in enumerate(texts)]
    import_file(engine, settings, write_csv(tmp_path / "complaints.csv", COMPLAINT_COLUMNS, rows))


def test_online_a_new_text_joins_the_one_stored_text_it_copied_a_passage_from(
        tmp_path, settings, engine):
    stored = [t for k, t in enumerate(TEXTS) if k != 2]
    _store(tmp_path, settings, engine, stored)
    template_store.build_template_clusters(engine, settings.org)
    with engine.connect() as conn:
        found = template_store.match_one(conn, settings.org, TEXTS[2], "C9", datetime(2024, 7, 1))
        quoting = template_store.match_one(conn, settings.org, STORIES[2] + QUOTE, "C9",
                                      datetime(2024, 7, 1))
    assert (found.template_id, found.matched) == ("TPL-T00001", ("T00001",))
    assert quoting.template_id is None


def test_batch_and_online_agree_on_a_stored_copy(tmp_path, settings, engine):
    _store(tmp_path, settings, engine, TEXTS)
    rules = default_ruleset()
    with engine.begin() as conn:
        batch = sorted(template_rules.template_hits(conn, settings.org, rules),
                       key=lambda h: (h.complaint_id, h.rule_id))
    with engine.connect() as conn:
        online = []
        for k in range(len(TEXTS)):
            member = Member(f"T{k + 1:05d}", f"C{k + 1}", datetime(2024, 6, 1 + k, 9), "regulator")
            online += template_rules.online_template_hits(conn, settings.org, rules, member,
                                                          TEXTS[k])[1]
    assert {(h.complaint_id, h.rule_id) for h in batch} == {
        ("T00001", "3.2"), ("T00001", "4.6"), ("T00003", "3.2"), ("T00003", "4.6")}
    assert sorted(online, key=lambda h: (h.complaint_id, h.rule_id)) == batch


def test_online_a_new_text_like_one_cluster_with_a_passage_of_another_joins_both(
        tmp_path, settings, engine):
    """Stored: two copies of a letter (one cluster) and a story with the passage (alone). The
    new letter carries the passage too: the batch puts all four in one cluster, and so must
    online scoring."""
    stored = [LETTER.format(**SLOTS[0]), LETTER.format(**SLOTS[1]), STORIES[0] + PASSAGE]
    new_text = LETTER.format(**SLOTS[2]) + PASSAGE
    new = Member("T00004", "C4", datetime(2024, 6, 20, 9), "regulator")
    _store(tmp_path, settings, engine, stored)
    rules = default_ruleset()
    template_store.build_template_clusters(engine, settings.org, rules)
    with engine.connect() as conn:
        match, online = template_rules.online_template_hits(conn, settings.org, rules, new,
                                                            new_text)
    _store(tmp_path, settings, engine, stored)
    rows = [complaint(4, customer_id="C4", text=new_text, received_at="2024-06-20 09:00:00")]
    import_file(engine, settings, write_csv(tmp_path / "new.csv", COMPLAINT_COLUMNS, rows))
    with engine.begin() as conn:
        batch = [h for h in template_rules.template_hits(conn, settings.org, rules)
                 if h.complaint_id == "T00004"]
    assert {h.evidence["customers"] for h in batch if h.rule_id == "3.2"} == {4}
    assert match.template_id == "TPL-T00001"
    assert sorted(online, key=lambda h: h.rule_id) == sorted(batch, key=lambda h: h.rule_id)
