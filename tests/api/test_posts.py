"""Flagged posts: text with the matched spans, contacts masked in place, per institution."""

from __future__ import annotations

from api_seed import ORGS
from qinglang.store.repository import upsert, utcnow
from qinglang.store.tables import imports, record_tables
from qinglang.store.tables_content import post_assessments

TEXT = "专业停息挂账，征信修复，加V信 abc12345 详聊"
CONTACT = "abc12345"


def _flag_post(engine, org: str, post_id: str) -> None:
    start = TEXT.index(CONTACT)
    with engine.begin() as conn:
        import_id = conn.execute(imports.insert().values(
            org=org, kind="posts", sha256=post_id * 8, file_name="posts.jsonl",
            file_format="jsonl", status="done", rows_done=1, rows_ok=1, rows_rejected=0,
            started_at=utcnow())).inserted_primary_key[0]
        upsert(conn, record_tables["posts"], [{
            **dict.fromkeys(c.name for c in record_tables["posts"].columns),
            "org": org, "post_id": post_id, "platform": "weibo", "text": TEXT, "attrs": {},
            "originals": {}, "import_id": import_id, "source_row": 1, "updated_at": utcnow()}])
        upsert(conn, post_assessments, [{
            "org": org, "post_id": post_id, "is_black_gray": True, "level": 1,
            "category": "debt_relief", "score": 0.97, "terms": "停息挂账;征信修复",
            "model_version": "test", "assessed_at": utcnow(),
            "evidence": {"terms": [
                {"term": "停息挂账", "category": "debt_relief", "level": 1, "variant": "exact",
                 "span": [2, 6]},
                {"term": "征信修复", "category": "credit_repair", "level": 1,
                 "variant": "exact", "span": [7, 11]}],
                "contacts": [{"kind": "wechat", "span": [start, start + len(CONTACT)]}]}}])


def test_flagged_posts_carry_their_spans_and_stay_in_their_institution(client, as_role, store):
    _flag_post(store, ORGS[0], "P-A1")
    _flag_post(store, ORGS[1], "P-B1")
    page = client.get("/api/v1/posts", headers=as_role("viewer")).json()
    assert [p["post_id"] for p in page["items"]] == ["P-A1"]
    post = page["items"][0]
    assert [post["text"][a:b] for a, b in (t["span"] for t in post["terms"])] == [
        "停息挂账", "征信修复"]
    start, end = post["contacts"][0]["span"]
    assert post["text"][start:end] == "ab****45" and CONTACT not in post["text"]
    overview = client.get("/api/v1/overview", headers=as_role("viewer")).json()
    assert overview["content"]["by_platform_level"] == [
        {"platform": "weibo", "level": 1, "count": 1}]
    assert client.get("/api/v1/posts", params={"level": 2},
                      headers=as_role("viewer")).json()["total"] == 0
