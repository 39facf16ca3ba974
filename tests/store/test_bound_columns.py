"""Rows written as whole columns are bound exactly as the same rows written as dicts."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.dialects.sqlite import pysqlite

from factories import plain_params
from qinglang.store import repository as repo
from qinglang.store.tables import assessments, rule_hits


@pytest.mark.parametrize("dialect", [pysqlite.dialect(), psycopg.dialect()],
                         ids=["sqlite", "postgres"])
def test_columns_bind_as_the_rows_they_hold(dialect):
    hits = [("c1", "2.4", {"number": "+8613800000000", "customers": 3}),
            ("c1", "4.9", {"tags": {"demand_reduce_debt": "减免"}}), ("c2", "5.1", {})]
    rows = [{"org": "bank", "complaint_id": c, "rule_id": r, "evidence": e} for c, r, e in hits]
    complaint_ids, rule_ids, evidence = zip(*hits)
    columns = repo.prepare_columns(dialect, rule_hits, {
        "complaint_id": complaint_ids, "rule_id": rule_ids, "evidence": evidence},
        {"org": "bank"}, len(hits))
    dicts = repo.prepare_upsert(dialect, rule_hits, rows)
    assert plain_params(columns.params) == plain_params(dicts.params)

    when = datetime(2026, 11, 22, 6, 30, 1, 5)
    fixed = {"org": "bank", "ruleset_version": "v1", "assessed_at": when}
    verdicts = {"complaint_id": ["c1", "c2"], "risk_score": [80, 0],
                "outcome": ["agent_driven", "genuine"], "rules": ["2.4;4.9", ""],
                "explanation": ["号码共用", "未命中识别规则"]}
    rows = [{**fixed, **dict(zip(verdicts, values))} for values in zip(*verdicts.values())]
    columns = repo.prepare_columns(dialect, assessments, verdicts, fixed, 2)
    dicts = repo.prepare_upsert(dialect, assessments, rows)
    assert plain_params(columns.params) == plain_params(dicts.params)
    assert len(columns.params) == 2
