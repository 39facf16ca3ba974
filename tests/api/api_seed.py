"""Two institutions in one store, each with complaints and verdicts (shared by the API tests)."""

from __future__ import annotations

from dataclasses import replace

from factories import COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, complaint, customer, write_csv
from qinglang.services.importing import import_file
from qinglang.store.repository import upsert, utcnow
from qinglang.store.tables import assessments, rule_hits

ORGS = ("bank-a", "bank-b")
PASSWORD = "correct horse battery"
SHARED_PHONE = "13912345678"


def seed_institution(engine, settings, tmp_path, org: str, prefix: str) -> None:
    """Three customers and complaints (ids prefixed per institution), scored by hand."""
    folder = tmp_path / org
    folder.mkdir()
    customers = [customer(i, customer_id=f"{prefix}C{i}") for i in range(3)]
    complaints = [complaint(i, complaint_id=f"{prefix}T{i}", customer_id=f"{prefix}C{i}",
                            contact_phone=SHARED_PHONE,
                            text=f"我的电话{SHARED_PHONE}，第{i}号投诉，要求停息挂账。")
                  for i in range(3)]
    org_settings = replace(settings, org=org)
    import_file(engine, org_settings, write_csv(folder / "customers.csv", CUSTOMER_COLUMNS,
                                                customers))
    import_file(engine, org_settings, write_csv(folder / "complaints.csv", COMPLAINT_COLUMNS,
                                                complaints))
    verdicts = [("genuine", 0, ""), ("agent_driven", 65, "2.4;4.9"), ("malicious", 90, "2.5")]
    with engine.begin() as conn:
        upsert(conn, assessments, [
            {"org": org, "complaint_id": f"{prefix}T{i}", "ruleset_version": "test",
             "risk_score": score, "outcome": outcome, "rules": rules,
             "explanation": f"说明{i}", "assessed_at": utcnow()}
            for i, (outcome, score, rules) in enumerate(verdicts)])
        upsert(conn, rule_hits, [
            {"org": org, "complaint_id": f"{prefix}T1", "rule_id": "2.4",
             "evidence": {"numbers": {"+86" + SHARED_PHONE: 3}}},
            {"org": org, "complaint_id": f"{prefix}T1", "rule_id": "4.9",
             "evidence": {"tags": {"demand_lower_interest": "停息"}}},
            {"org": org, "complaint_id": f"{prefix}T2", "rule_id": "2.5",
             "evidence": {"number": "+86" + SHARED_PHONE, "customers": 3}},
        ])
