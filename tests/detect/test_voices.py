"""Speakers from voiceprint ids and embeddings (rule 1.5): an agent enrolled twice, or calling
unenrolled, is still one speaker; different people stay apart; online equals batch."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from sqlalchemy import select

from factories import (COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, complaint, customer, write_csv)
from qinglang.detect.voices import speakers
from qinglang.rules.schema import default_ruleset
from qinglang.services.assess import assess_all
from qinglang.services.importing import import_file
from qinglang.services.online import score_complaint
from qinglang.store.tables import rule_hits

CALL_COLUMNS = ["call_id", "customer_id", "started_at", "caller_number", "direction",
                "voiceprint_id", "voiceprint"]


def voice(rng, base, noise=0.12):
    return base + noise * rng.standard_normal(base.shape)


def test_calls_of_one_speaker_join_and_strangers_stay_apart():
    rng = np.random.default_rng(1)
    people = [rng.standard_normal(32) for _ in range(300)]
    keys, rows, truth = [], [], {}
    for person, base in enumerate(people):
        for take in range(3):
            key = f"VP{person:03d}-{take}"
            keys.append(key)
            rows.append(voice(rng, base))
            truth[key] = person
    directions = np.array(rows, dtype=np.float32)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    found = speakers(keys, directions, 0.9)
    for key, person in truth.items():
        assert found[key] == f"VP{person:03d}-0"


def vector_text(values) -> str:
    return " ".join(f"{v:.4f}" for v in values)


def test_an_agent_enrolled_twice_and_unenrolled_speaks_for_four_customers(settings, engine,
                                                                         tmp_path):
    settings = replace(settings, batch_rows=100)
    rng = np.random.default_rng(7)
    agent = rng.standard_normal(32)
    customers = [customer(i, reserved_phone=f"1380000{i:04d}") for i in range(1, 7)]
    complaints = [complaint(i, contact_phone=f"1380000{i:04d}", channel="hotline")
                  for i in range(1, 7)]
    calls = [  # the agent: id VPA twice, re-enrolled as VPB, once with no id at all
        {"call_id": "K1", "customer_id": "C00001", "voiceprint_id": "VPA",
         "voiceprint": vector_text(voice(rng, agent))},
        {"call_id": "K2", "customer_id": "C00002", "voiceprint_id": "VPA",
         "voiceprint": vector_text(voice(rng, agent))},
        {"call_id": "K3", "customer_id": "C00003", "voiceprint_id": "VPB",
         "voiceprint": vector_text(voice(rng, agent))},
        {"call_id": "K4", "customer_id": "C00004", "voiceprint_id": "",
         "voiceprint": vector_text(voice(rng, agent))},
    ] + [  # two genuine customers, each their own voice
        {"call_id": f"K{i}", "customer_id": f"C0000{i}", "voiceprint_id": f"VPOWN{i}",
         "voiceprint": vector_text(rng.standard_normal(32))} for i in (5, 6)]
    for call in calls:
        call.update(started_at="2024-06-01 10:00:00", caller_number="13900001111",
                    direction="in")
    import_file(engine, settings, write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS,
                                            customers))
    import_file(engine, settings, write_csv(tmp_path / "complaints.csv", COMPLAINT_COLUMNS,
                                            complaints))
    import_file(engine, settings, write_csv(tmp_path / "calls.csv", CALL_COLUMNS, calls))
    assess_all(engine, settings.org, default_ruleset())
    with engine.connect() as conn:
        hit = {r.complaint_id: r.evidence for r in conn.execute(
            select(rule_hits).where(rule_hits.c.rule_id == "1.5"))}
    assert set(hit) == {"T00001", "T00002", "T00003", "T00004"}
    assert hit["T00003"] == {"voiceprints": {"VPA": 4}}
    online = score_complaint(engine, settings, complaints[3])
    assert {h.rule_id: h.evidence for h in online.hits}["1.5"] == hit["T00004"]
    assert "1.5" not in {h.rule_id for h in score_complaint(engine, settings,
                                                             complaints[4]).hits}
