"""The regulator report on complaints (统计剔除): which complaints are proposed for exclusion
from the complaint statistics and why, which are repeats on settled matters, and the counts
and rates per channel and month before and after the adjustment.

A complaint is proposed for exclusion when its assessment is `malicious` or `agent_driven`,
with the rules that fired and their evidence (numbers masked) as the recorded reason. A repeat on a settled
matter is a complaint whose customer had an earlier complaint, within the look-back, that the
institution recorded as settled (an attribute column; vocabulary in rules/settled.yaml). Such
repeats are flagged for the regulator's 不予受理 review and counted apart, not silently
dropped.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, and_, func, select

from qinglang.errors import InputError
from qinglang.export.writers import write_table, write_workbook
from qinglang.model.values.masking import mask_phones_in
from qinglang.store.tables import assessments, record_tables, rule_hits

complaints = record_tables["complaints"]
customers = record_tables["customers"]
EXCLUDED = {"malicious": "恶意投诉", "agent_driven": "代理投诉"}
PER_CUSTOMERS = 10_000


class SettledVocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    columns: tuple[str, ...]
    lookback_days: int
    settled: dict[str, tuple[str, ...]]

    def how_settled(self, attrs: dict) -> str | None:
        for column in self.columns:
            value = str(attrs.get(column) or "").lower()
            for how, words in self.settled.items():
                if value and any(word.lower() in value for word in words):
                    return how
        return None


@cache
def default_settled_vocabulary() -> SettledVocabulary:
    text = resources.files("qinglang.rules").joinpath("settled.yaml").read_text("utf-8")
    return SettledVocabulary.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive

    @classmethod
    def parse(cls, text: str) -> "Period":
        """`2024`, `2024-06`, `2024-Q2` or `2024-01..2024-06` (months inclusive)."""
        first, _, last = text.strip().partition("..")
        try:
            start, _ = _bounds(first)
            _, end = _bounds(last or first)
        except ValueError:
            raise InputError(f"period {text!r}: write 2024, 2024-06, 2024-Q2 or "
                             f"2024-01..2024-06") from None
        if end <= start:
            raise InputError(f"period {text!r} ends before it starts")
        return cls(text.strip(), start, end)


def _bounds(text: str) -> tuple[datetime, datetime]:
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return datetime(year, 1, 1), datetime(year + 1, 1, 1)
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        first = (int(m[2]) - 1) * 3 + 1
        return datetime(int(m[1]), first, 1), _month_after(int(m[1]), first + 2)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        return datetime(year, month, 1), _month_after(year, month)
    raise ValueError(text)


def _month_after(year: int, month: int) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1)


@dataclass
class ComplaintReport:
    period: Period
    customers: int
    summary: list[dict]
    exclusions: list[dict]
    repeats: list[dict]


SUMMARY_COLUMNS = ["month", "channel", "received", "excluded_malicious", "excluded_agent",
                   "repeats_on_settled", "adjusted", "exclusion_rate",
                   "per_10k_customers", "adjusted_per_10k_customers"]
EXCLUSION_COLUMNS = ["complaint_id", "received_at", "channel", "customer_id", "outcome",
                     "reason", "risk_score", "rules", "explanation", "evidence",
                     "ruleset_version"]
SHEET_TITLES = {"adjusted": "调整后统计", "exclusions": "剔除建议", "repeats": "重复投诉"}
REPEAT_COLUMNS = ["complaint_id", "received_at", "channel", "customer_id",
                  "settled_complaint_id", "settled_received_at", "settled_how",
                  "excluded_as"]


def complaint_report(engine: Engine, org: str, period: Period,
                     vocabulary: SettledVocabulary | None = None) -> ComplaintReport:
    vocabulary = vocabulary or default_settled_vocabulary()
    with engine.connect() as conn:
        rows = conn.execute(
            select(complaints.c.complaint_id, complaints.c.customer_id,
                   complaints.c.received_at, complaints.c.channel, assessments.c.outcome,
                   assessments.c.risk_score, assessments.c.rules, assessments.c.explanation,
                   assessments.c.ruleset_version)
            .outerjoin(assessments, and_(assessments.c.org == complaints.c.org,
                                         assessments.c.complaint_id == complaints.c.complaint_id))
            .where(complaints.c.org == org, complaints.c.received_at >= period.start,
                   complaints.c.received_at < period.end)
            .order_by(complaints.c.received_at, complaints.c.complaint_id)).all()
        if rows and all(r.outcome is None for r in rows):
            raise InputError("no assessments for this period: run `qinglang analyze` first")
        excluded = [r for r in rows if r.outcome in EXCLUDED]
        evidence = _evidence(conn, org, [r.complaint_id for r in excluded])
        repeats = _repeats(conn, org, period, rows, vocabulary)
        base = conn.execute(select(func.count()).select_from(customers)
                            .where(customers.c.org == org)).scalar()
    return ComplaintReport(
        period, base, _summary(rows, repeats, base),
        [_exclusion_row(r, evidence.get(r.complaint_id, {})) for r in excluded],
        [{**repeat, "excluded_as": EXCLUDED.get(repeat.pop("outcome"), "")}
         for repeat in repeats.values()])


def _evidence(conn, org: str, ids: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = defaultdict(dict)
    for start in range(0, len(ids), 5000):
        query = select(rule_hits.c.complaint_id, rule_hits.c.rule_id, rule_hits.c.evidence).where(
            rule_hits.c.org == org, rule_hits.c.complaint_id.in_(ids[start:start + 5000]))
        for complaint_id, rule_id, evidence in conn.execute(query):
            found[complaint_id][rule_id] = evidence
    return found


def _exclusion_row(row, evidence: dict) -> dict:
    return {**row._asdict(), "reason": EXCLUDED[row.outcome],
            "evidence": mask_phones_in(evidence)}


def _repeats(conn, org: str, period: Period, rows, vocabulary: SettledVocabulary
             ) -> dict[str, dict]:
    """Complaints of the period whose customer had a settled complaint shortly before."""
    settled_by_customer: dict[str, list[tuple]] = defaultdict(list)
    since = period.start - timedelta(days=vocabulary.lookback_days)
    query = (select(complaints.c.complaint_id, complaints.c.customer_id,
                    complaints.c.received_at, complaints.c.attrs)
             .where(complaints.c.org == org, complaints.c.customer_id.is_not(None),
                    complaints.c.received_at >= since, complaints.c.received_at < period.end))
    for complaint_id, customer_id, received_at, attrs in conn.execute(query):
        how = vocabulary.how_settled(attrs or {})
        if how:
            settled_by_customer[customer_id].append((received_at, complaint_id, how))
    found = {}
    window = timedelta(days=vocabulary.lookback_days)
    for row in rows:
        earlier = [s for s in settled_by_customer.get(row.customer_id, ())
                   if row.received_at - window <= s[0] < row.received_at]
        if earlier:
            when, settled_id, how = max(earlier)
            found[row.complaint_id] = {
                "complaint_id": row.complaint_id, "received_at": row.received_at,
                "channel": row.channel, "customer_id": row.customer_id,
                "settled_complaint_id": settled_id, "settled_received_at": when,
                "settled_how": how, "outcome": row.outcome}
    return found


def _summary(rows, repeats: dict, base: int) -> list[dict]:
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in rows:
        for channel in (row.channel, "全部 all"):
            cell = cells[(row.received_at.strftime("%Y-%m"), channel)]
            cell["received"] += 1
            if row.outcome == "malicious":
                cell["excluded_malicious"] += 1
            elif row.outcome == "agent_driven":
                cell["excluded_agent"] += 1
            elif row.complaint_id in repeats:
                cell["repeats_on_settled"] += 1
    return [_summary_row(month, channel, cell, base)
            for (month, channel), cell in sorted(cells.items())]


def _summary_row(month: str, channel: str, cell: Counter, base: int) -> dict:
    excluded = cell["excluded_malicious"] + cell["excluded_agent"]
    adjusted = cell["received"] - excluded - cell["repeats_on_settled"]
    per = (lambda n: round(n * PER_CUSTOMERS / base, 3)) if base else (lambda n: None)
    return {"month": month, "channel": channel, "received": cell["received"],
            "excluded_malicious": cell["excluded_malicious"],
            "excluded_agent": cell["excluded_agent"],
            "repeats_on_settled": cell["repeats_on_settled"], "adjusted": adjusted,
            "exclusion_rate": round(1 - adjusted / cell["received"], 4),
            "per_10k_customers": per(cell["received"]),
            "adjusted_per_10k_customers": per(adjusted)}


def write_report(report: ComplaintReport, out_dir: Path) -> list[Path]:
    """The report as one .xlsx (a sheet per table) and one .csv per table."""
    stem = "complaints_report_" + re.sub(r"[^0-9A-Za-z-]+", "_", report.period.label)
    tables = {
        "adjusted": (SUMMARY_COLUMNS, report.summary),
        "exclusions": (EXCLUSION_COLUMNS, report.exclusions),
        "repeats": (REPEAT_COLUMNS, report.repeats),
    }
    workbook = out_dir / f"{stem}.xlsx"
    write_workbook(workbook, {SHEET_TITLES[name]: table for name, table in tables.items()})
    written = [workbook]
    for name, (columns, rows) in tables.items():
        path = out_dir / f"{stem}.{name}.csv"
        write_table(path, columns, rows)
        written.append(path)
    return written
