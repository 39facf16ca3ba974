"""A small institution for the case tests: four customers complaining from one agent number,
two genuine ones, calls with a shared voiceprint, an attachment, posts, rule hits, a gang."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from factories import (
    COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, complaint, customer, write_csv, write_jsonl,
)
from qinglang.services.importing import import_file
from qinglang.store.tables import rule_hits
from qinglang.store.tables_content import post_assessments, post_contacts
from qinglang.store.tables_graph import gang_members, gangs

AGENT_PHONE = "17149531269"
AGENT_E164 = "+8617149531269"
CALL_COLUMNS = ["call_id", "customer_id", "started_at", "caller_number", "direction",
                "voiceprint_id", "identity_check", "claimed_role", "transcript"]
TITLE = "某法务咨询公司代理投诉团伙案"


def _complaints() -> list[dict]:
    rows = []
    for i in range(1, 5):  # the gang: one agent number, a fee and an amount demanded
        rows.append(complaint(i, contact_phone=AGENT_PHONE, claimed_role="lawyer",
                              received_at=f"2024-06-0{i} 10:00:00",
                              attachments="proof.jpg" if i == 1 else "",
                              text=f"受当事人委托，我借了{i}0000元，要求退还服务费{i}00元，"
                                   f"并停止催收。当事人已向我方支付代理费2000元。"))
    for i in (5, 6):
        rows.append(complaint(i, contact_phone=f"1391234567{i}", channel="hotline",
                              text="扣款两次，请退回。"))
    return rows


@pytest.fixture
def institution(tmp_path, settings, engine):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "proof.jpg").write_bytes(b"\xff\xd8forged hospital proof\xff\xd9")
    files = [
        write_csv(folder / "customers.csv", CUSTOMER_COLUMNS, [customer(i) for i in range(1, 7)]),
        write_csv(folder / "complaints.csv", COMPLAINT_COLUMNS, _complaints()),
        write_csv(folder / "calls.csv", CALL_COLUMNS, [
            {"call_id": f"CL{i}", "customer_id": f"C{i:05d}", "started_at": "2024-06-10 09:00:00",
             "caller_number": AGENT_PHONE, "direction": "in", "voiceprint_id": "VP777",
             "identity_check": "fail", "claimed_role": "lawyer",
             "transcript": "自称律师，要求减免。"} for i in range(1, 4)]),
        write_jsonl(folder / "posts.jsonl", [
            {"post_id": "P1", "platform": "douyin", "account_id": "dy_tingxi",
             "account_name": "停息挂账王老师", "url": "https://www.douyin.com/video/1",
             "published_at": "2024-05-01 08:00:00", "text": "专业停息挂账，加微信 tingxi88，先交定金500元"},
            {"post_id": "P2", "platform": "weibo", "account_id": "wb_shang_an",
             "url": "https://weibo.com/2", "published_at": "2024-05-02 08:00:00",
             "text": "负债上岸，征信修复，成功后收费"},
        ]),
    ]
    for path in files:
        import_file(engine, settings, path)
    with engine.begin() as conn:
        conn.execute(rule_hits.insert(), [
            {"org": settings.org, "complaint_id": f"T{i:05d}", "rule_id": "2.5",
             "evidence": {"number": AGENT_E164, "customers": 4}} for i in range(1, 5)])
        conn.execute(gangs.insert().values(
            org=settings.org, gang_id="G1", kind="agent_firm", score=88, n_customers=4,
            n_complaints=4, first_seen=datetime(2024, 6, 1), last_seen=datetime(2024, 6, 4),
            channels=["regulator"], regions=["北京"], rules=["2.5"],
            identifiers=[f"phone:{AGENT_E164}", "voiceprint:VP777"],
            updated_at=datetime(2024, 7, 1)))
        conn.execute(gang_members.insert(), [
            *({"org": settings.org, "gang_id": "G1", "member_type": "customer",
               "member_key": f"C{i:05d}", "role": "member"} for i in range(1, 5)),
            {"org": settings.org, "gang_id": "G1", "member_type": "phone",
             "member_key": AGENT_E164, "role": "shared"},
            {"org": settings.org, "gang_id": "G1", "member_type": "wechat",
             "member_key": "tingxi88", "role": "shared"},
        ])
        # P1's scan is set here, whatever the content engine made of it on import
        for table in (post_assessments, post_contacts):
            conn.execute(table.delete().where(table.c.post_id == "P1"))
        conn.execute(post_assessments.insert().values(
            org=settings.org, post_id="P1", is_black_gray=True, level=1, category="debt_relief",
            score=0.97, terms="停息挂账", evidence={}, model_version="test",
            assessed_at=datetime(2024, 7, 1)))
        conn.execute(post_contacts.insert().values(
            org=settings.org, post_id="P1", indicator_type="wechat", indicator_value="tingxi88"))
    return folder


APPEND_ONLY = ("audit_log", "case_events", "evidence_items")


def drop_append_only_guard(engine) -> None:
    """What someone with the rights to change the schema can do before tampering."""
    with engine.begin() as conn:
        for table in APPEND_ONLY:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            else:
                conn.execute(text(f"DROP TRIGGER {table}_append_only_update"))
                conn.execute(text(f"DROP TRIGGER {table}_append_only_delete"))
