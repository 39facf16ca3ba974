"""`qinglang analyze`: every detector that is installed, run over the whole store.

A detector is a named function of (engine, org) returning findings as label → count.
Analysis first checks what every detector relies on — that complaints and calls point at
customers the store knows — then scores every complaint with the identification rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Engine, and_, func, select

from qinglang.rules.schema import default_ruleset
from qinglang.services import audit
from qinglang.services.assess import OUTCOMES, assess_all
from qinglang.services.gangs import gang_detection
from qinglang.store.tables import record_tables

Detector = Callable[[Engine, str], dict[str, int]]


@dataclass(frozen=True)
class DetectorRun:
    name: str
    title: str
    findings: dict[str, int]


def referential_integrity(engine: Engine, org: str) -> dict[str, int]:
    """Complaints and calls whose customer is not among the stored customers."""
    customers = record_tables["customers"]
    findings = {}
    with engine.connect() as conn:
        for kind in ("complaints", "calls"):
            table = record_tables[kind]
            known = select(customers.c.customer_id).where(
                and_(customers.c.org == org, customers.c.customer_id == table.c.customer_id))
            findings[f"{kind} about an unknown customer"] = conn.execute(
                select(func.count()).select_from(table).where(
                    table.c.org == org, table.c.customer_id.is_not(None), ~known.exists())
            ).scalar()
            findings[f"{kind} with no customer"] = conn.execute(
                select(func.count()).select_from(table).where(
                    table.c.org == org, table.c.customer_id.is_(None))
            ).scalar()
    return findings


def complaint_identification(engine: Engine, org: str) -> dict[str, int]:
    """Every complaint scored with the default rule set (domain.md identification rules)."""
    summary = assess_all(engine, org, default_ruleset())
    findings = {f"outcome {k}": summary.outcomes.get(k, 0) for k in OUTCOMES}
    findings.update({f"rule {k}": v for k, v in sorted(
        summary.rule_counts.items(), key=lambda kv: tuple(map(int, kv[0].split("."))))})
    return findings


DETECTORS: list[tuple[str, str, Detector]] = [
    ("integrity", "数据完整性 referential integrity", referential_integrity),
    ("complaints", "投诉识别 complaint rules (hits = complaints)",
     complaint_identification),
    ("gangs", "团伙 entity graph gangs (hits = gangs)", gang_detection),
]


def analyze(engine: Engine, org: str, actor: str | None = None) -> list[DetectorRun]:
    runs = [DetectorRun(name, title, run(engine, org)) for name, title, run in DETECTORS]
    audit.record(engine, org, actor, "analyze", org, {"detectors": [r.name for r in runs]})
    return runs
