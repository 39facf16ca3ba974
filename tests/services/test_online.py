"""Online scoring of one complaint gives exactly the batch assessment of that complaint:
same rules, same evidence, same score and outcome — on SQLite and on PostgreSQL."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from factories import import_institution
from qinglang.errors import InputError
from qinglang.ingest.sources import open_source
from qinglang.rules.schema import default_ruleset
from qinglang.sample import generate
from qinglang.services.assess import assess_all
from qinglang.services.importing import import_file
from qinglang.services.online import score_complaint
from qinglang.store.tables import assessments, rule_hits

RULES = default_ruleset()


@pytest.fixture(scope="module")
def institution(tmp_path_factory):
    out = tmp_path_factory.mktemp("inst")
    generate(out, customers=700, seed=11)
    return out


@pytest.fixture
def batch(institution, settings, engine):
    settings = import_institution(engine, settings, institution)
    import_file(engine, settings, institution / "posts.jsonl")  # rule 2.8 reads their contacts
    assess_all(engine, settings.org, RULES)
    with engine.connect() as conn:
        verdicts = {r.complaint_id: r for r in conn.execute(select(assessments))}
        evidence: dict[str, dict] = {}
        for hit in conn.execute(select(rule_hits)):
            evidence.setdefault(hit.complaint_id, {})[hit.rule_id] = hit.evidence
    return settings, verdicts, evidence


def raw_complaints(institution) -> list[dict]:
    rows = []
    for name in ("complaints.csv", "letters_gbk.csv"):
        source = open_source(institution / name, None, 100_000)
        rows += [row.values for row in source.rows()]
        source.close()
    return rows


def test_online_equals_batch_for_every_complaint(institution, batch, engine):
    settings, verdicts, evidence = batch
    rows = raw_complaints(institution)
    if engine.dialect.name != "sqlite":
        flagged = [r for r in rows if r["complaint_id"] in evidence]
        rows = flagged[:150] + [r for r in rows if r["complaint_id"] not in evidence][:50]
    assert sum(r["complaint_id"] in evidence for r in rows) > 50
    assert any("2.8" in evidence.get(r["complaint_id"], {}) for r in rows)
    for row in rows:
        online = score_complaint(engine, settings, row, RULES)
        stored = verdicts[online.complaint_id]
        assert (online.verdict.risk_score, online.verdict.outcome, online.verdict.rules,
                online.verdict.explanation) == (stored.risk_score, stored.outcome,
                                                stored.rules, stored.explanation), row
        assert {h.rule_id: h.evidence for h in online.hits} == evidence.get(
            online.complaint_id, {})


def test_a_new_complaint_is_scored_without_being_stored(institution, batch, engine):
    settings, verdicts, _ = batch
    template = next(r for r in raw_complaints(institution)
                    if verdicts[r["complaint_id"]].outcome == "agent_driven")
    new = {**template, "complaint_id": "NEW-1"}
    online = score_complaint(engine, settings, new, RULES)
    assert online.verdict.outcome in ("agent_driven", "malicious")
    assert online.neighbourhood >= 2
    with engine.connect() as conn:
        assert conn.execute(select(assessments).where(
            assessments.c.complaint_id == "NEW-1")).first() is None
        assert "complaints" not in {r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_temp_master")} if engine.dialect.name == "sqlite" else True


def test_a_bad_field_is_named_without_its_value(batch, engine):
    settings, _, _ = batch
    with pytest.raises(InputError) as error:
        score_complaint(engine, settings, {"complaint_id": "X", "customer_id": "CU1",
                                           "received_at": "not a date 13800138000",
                                           "channel": "phone", "text": "t"}, RULES)
    assert "received_at" in error.value.message
    assert "13800138000" not in error.value.message
