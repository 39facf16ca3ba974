"""Rule 2.8: a non-reserved number advertised in black/gray posts — on hand-made records and
posts, online equal to batch, and against the sample institution's ground truth."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import insert, select

from factories import (COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, complaint, customer,
                       import_institution, write_csv)
from qinglang.detect.base import refresh_phone_uses
from qinglang.detect.post_rules import advertised_number
from qinglang.rules.schema import RuleSet, default_ruleset
from qinglang.sample import generate
from qinglang.services.assess import assess_all
from qinglang.services.importing import import_file
from qinglang.services.online import score_stored
from qinglang.store.repository import utcnow
from qinglang.store.tables import rule_hits
from qinglang.store.tables_content import post_assessments, post_contacts

RULES = default_ruleset()
AGENT = "13911110001"        # advertised in a black/gray post
WARNED = "13911110003"       # named only in a benign post (a consumer warning)
CALL_COLUMNS = ["call_id", "customer_id", "started_at", "caller_number", "direction"]


def with_sources(*sources: str) -> RuleSet:
    data = RULES.model_dump()
    for rule in data["rules"]:
        if rule["id"] == "2.8":
            rule["params"] = {"sources": list(sources)}
    return RuleSet.model_validate(data)


@pytest.fixture
def store(engine, settings, tmp_path):
    people = [customer(i) for i in (1, 2, 3)]
    rows = [complaint(1, contact_phone=AGENT),
            complaint(2, contact_phone=people[1]["reserved_phone"]),
            complaint(3, contact_phone=WARNED),
            complaint(4, customer_id="C00001", contact_phone=people[0]["reserved_phone"])]
    calls = [{"call_id": "K1", "customer_id": "C00003", "started_at": "2024-06-01 10:00",
              "caller_number": AGENT, "direction": "in"}]
    for name, columns, data in (("customers.csv", CUSTOMER_COLUMNS, people),
                                ("complaints.csv", COMPLAINT_COLUMNS, rows),
                                ("calls.csv", CALL_COLUMNS, calls)):
        import_file(engine, settings, write_csv(tmp_path / name, columns, data))
    return engine, settings.org, people


def add_post(engine, org: str, post_id: str, black: bool, *phones: str) -> None:
    with engine.begin() as conn:
        conn.execute(insert(post_assessments).values(
            org=org, post_id=post_id, is_black_gray=black, level=1 if black else None,
            category="anti_collection" if black else None, score=0.9 if black else 0.1,
            terms="", evidence={}, model_version="test", assessed_at=utcnow()))
        conn.execute(insert(post_contacts), [
            {"org": org, "post_id": post_id, "indicator_type": "phone",
             "indicator_value": "+86" + phone} for phone in phones])


def hits_of(engine, org: str, rules=RULES) -> dict:
    with engine.connect() as conn:
        refresh_phone_uses(conn, org)
        found = {h.complaint_id: h.evidence for h in advertised_number(conn, org, rules)}
        conn.rollback()
    return found


def test_no_scanned_posts_no_hits(store):
    engine, org, _ = store
    assert hits_of(engine, org) == {}


def test_a_complaint_from_an_advertised_non_reserved_number(store):
    engine, org, people = store
    reserved_of_c2 = people[1]["reserved_phone"].replace(" ", "").replace("-", "")[3:]
    add_post(engine, org, "P1", True, AGENT, reserved_of_c2)
    add_post(engine, org, "P3", True, AGENT)
    add_post(engine, org, "P2", False, WARNED)
    found = hits_of(engine, org)
    assert set(found) == {"T00001"}  # T2 used its own reserved number, T3 a benign post's
    assert found["T00001"]["number"] == "+86" + AGENT
    assert found["T00001"]["posts"] == ["P1", "P3"]


def test_calls_from_an_advertised_number_when_calls_are_a_source(store):
    engine, org, _ = store
    add_post(engine, org, "P1", True, AGENT)
    found = hits_of(engine, org, with_sources("complaint", "call"))
    assert set(found) == {"T00001", "T00003"}  # C3 was called about from the agent's number
    assert found["T00003"]["advertised"] == {"+86" + AGENT: ["P1"]}


def test_batch_and_online_agree_and_explain(store):
    engine, org, _ = store
    add_post(engine, org, "P1", True, AGENT)
    assess_all(engine, org, RULES)
    with engine.connect() as conn:
        batch = {(h.complaint_id, h.rule_id): h.evidence for h in conn.execute(select(rule_hits))}
    assert ("T00001", "2.8") in batch
    for complaint_id in ("T00001", "T00002", "T00003", "T00004"):
        online = score_stored(engine, org, complaint_id, RULES)
        assert {(complaint_id, h.rule_id): h.evidence for h in online.hits} == {
            k: v for k, v in batch.items() if k[0] == complaint_id}
    explained = score_stored(engine, org, "T00001", RULES).verdict.explanation
    assert "139****0001 见于 1 条黑灰产内容" in explained and AGENT not in explained


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_precision_and_recall_on_the_sample_institution(tmp_path, settings, engine):
    """Posts go through the content engine (import scans them); the truth plants 2.8 on the
    complaints made from an advertised gang number."""
    out = tmp_path / "inst"
    generate(out, customers=2500, seed=29)
    settings = import_institution(engine, settings, out)
    import_file(engine, settings, out / "posts.jsonl")
    with (out / "truth" / "complaints.csv").open(encoding="utf-8") as handle:
        truth = {r["complaint_id"] for r in csv.DictReader(handle)
                 if "2.8" in r["planted_rules"].split(";")}
    found = set(hits_of(engine, settings.org))
    print(f"2.8: {len(truth)} planted, {len(found)} found, {len(found & truth)} right")
    assert truth and found == truth
