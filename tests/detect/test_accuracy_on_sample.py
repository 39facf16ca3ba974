"""Agent-driven vs genuine on a sample institution whose seed the rule weights were not tuned
on: the identification rules find the gangs' complaints and leave genuine ones alone."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from factories import import_institution
from qinglang.rules.schema import default_ruleset
from qinglang.sample import generate
from qinglang.services.assess import assess_all
from qinglang.store.tables import assessments

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def test_agent_driven_f1_and_genuine_false_alarms(tmp_path, settings, engine):
    out = tmp_path / "inst"
    generate(out, customers=3000, seed=23)
    settings = import_institution(engine, settings, out)
    assess_all(engine, settings.org, default_ruleset())
    with (out / "truth" / "complaints.csv").open(encoding="utf-8") as handle:
        truth = {r["complaint_id"]: r["label"] != "genuine" for r in csv.DictReader(handle)}
    with engine.connect() as conn:
        flagged = {r.complaint_id: r.outcome in ("agent_driven", "malicious")
                   for r in conn.execute(select(assessments))}
    tp = sum(truth[c] and f for c, f in flagged.items())
    fp = sum(not truth[c] and f for c, f in flagged.items())
    fn = sum(truth[c] and not f for c, f in flagged.items())
    genuine = sum(not truth[c] for c in flagged)
    f1 = 2 * tp / (2 * tp + fp + fn)
    print(f"agent-driven vs genuine F1 {f1:.3f}, genuine flagged {fp}/{genuine}")
    assert f1 >= 0.95, f"F1 {f1:.3f}"
    # Most genuine complaints over the line complained often through several channels about
    # a matter left unresolved: 4.7 and 5.4 counted that one fact twice, until 5.4 subsumed
    # 4.7 (27 -> 19 of 2,564 flagged).
    assert fp / genuine <= 0.01, f"{fp} of {genuine} genuine complaints flagged"
